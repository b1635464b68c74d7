/*
 * scope.c - variables and functions, and the scopes that hold them.
 *
 * PowerShell's scoping, dynamic as in PowerShell: the global scope is
 * the session's; running a script file pushes a script scope, calling a
 * function or a script block with & a local one.  Reading a name walks
 * from the current scope out to the global one, so a function sees its
 * caller's variables; assigning one makes or changes it in the current
 * scope, so a function's variables vanish when it returns, unless the
 * name says where it lives: $script:x (the nearest script scope, the
 * global one outside any script), $global:x, $local:x and $private:x
 * (the current scope).  Functions are found the same way.
 *
 * The automatic variables a script reads but never owns are answered
 * here without a table entry: $true, $false, $null, $_ and $PSItem, $?,
 * $env:NAME and $HOME.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

enum qual {
	Q_NONE,		/* look outwards, assign locally */
	Q_LOCAL,
	Q_SCRIPT,
	Q_GLOBAL
};

static const struct {
	const char	*prefix;
	enum qual	 q;
} qualifiers[] = {
	{ "global:", Q_GLOBAL },
	{ "script:", Q_SCRIPT },
	{ "local:", Q_LOCAL },
	{ "private:", Q_LOCAL },
	{ "variable:", Q_NONE },
	{ "function:", Q_NONE },
};

/* Split a scope qualifier off a name; the bare name is returned. */
static const char *
scope_qualifier(const char *name, enum qual *q)
{
	size_t	i, len;

	*q = Q_NONE;
	for (i = 0; i < sizeof qualifiers / sizeof qualifiers[0]; i++) {
		len = strlen(qualifiers[i].prefix);
		if (strncasecmp(name, qualifiers[i].prefix, len) == 0) {
			*q = qualifiers[i].q;
			return (name + len);
		}
	}
	return (name);
}

/* The scope a qualifier names, for assignment and for local lookups. */
static struct scope *
scope_named(struct shell *sh, enum qual q)
{
	struct scope	*s;

	switch (q) {
	case Q_GLOBAL:
		return (sh->global);
	case Q_SCRIPT:
		for (s = sh->scope; s != NULL; s = s->parent) {
			if (s->is_script)
				return (s);
		}
		return (sh->global);
	default:
		return (sh->scope);
	}
}

static struct scope *
scope_new(struct scope *parent, bool is_script)
{
	struct scope	*s;

	s = xcalloc(1, sizeof *s);
	s->parent = parent;
	s->is_script = is_script;
	return (s);
}

static void
scope_free(struct scope *s)
{
	size_t	i;

	for (i = 0; i < s->nvars; i++) {
		free(s->vars[i].name);
		value_unref(s->vars[i].val);
	}
	free(s->vars);
	for (i = 0; i < s->nfuncs; i++)
		func_free(s->funcs[i]);
	free(s->funcs);
	free(s);
}

void
scope_init(struct shell *sh)
{
	sh->global = sh->scope = scope_new(NULL, false);
}

void
scope_push(struct shell *sh, bool is_script)
{
	sh->scope = scope_new(sh->scope, is_script);
}

void
scope_pop(struct shell *sh)
{
	struct scope	*s = sh->scope;

	if (s == sh->global)
		return;
	sh->scope = s->parent;
	scope_free(s);
}

/* Every scope, the global one last. */
void
scope_free_all(struct shell *sh)
{
	while (sh->scope != NULL && sh->scope != sh->global)
		scope_pop(sh);
	if (sh->global != NULL)
		scope_free(sh->global);
	sh->global = sh->scope = NULL;
}

static struct var *
scope_find_var(struct scope *s, const char *name)
{
	size_t	i;

	for (i = 0; i < s->nvars; i++) {
		if (strcasecmp(s->vars[i].name, name) == 0)
			return (&s->vars[i]);
	}
	return (NULL);
}

struct value *
shell_getvar(struct shell *sh, const char *name)
{
	struct scope	*s;
	struct var	*v;
	const char	*env;
	enum qual	 q;

	name = scope_qualifier(name, &q);
	if (strcasecmp(name, "true") == 0)
		return (value_bool(true));
	if (strcasecmp(name, "false") == 0)
		return (value_bool(false));
	if (strcasecmp(name, "null") == 0)
		return (value_null());
	if (strcmp(name, "_") == 0 || strcasecmp(name, "PSItem") == 0)
		return (value_ref(sh->under));
	if (strcmp(name, "?") == 0)
		return (value_bool(sh->last_ok));
	if (strncasecmp(name, "env:", 4) == 0) {
		env = getenv(name + 4);
		return (env != NULL ? value_string(env) : value_null());
	}
	if (strcasecmp(name, "HOME") == 0 && (env = getenv("HOME")) != NULL)
		return (value_string(env));
	if (q != Q_NONE) {
		v = scope_find_var(scope_named(sh, q), name);
		return (v != NULL ? value_ref(v->val) : value_null());
	}
	for (s = sh->scope; s != NULL; s = s->parent) {
		if ((v = scope_find_var(s, name)) != NULL)
			return (value_ref(v->val));
	}
	return (value_null());
}

/* Set a variable, taking the reference to val. */
void
shell_setvar(struct shell *sh, const char *name, struct value *val)
{
	struct scope	*s;
	struct var	*v;
	enum qual	 q;

	name = scope_qualifier(name, &q);
	s = scope_named(sh, q);
	if ((v = scope_find_var(s, name)) != NULL) {
		value_unref(v->val);
		v->val = val;
		return;
	}
	s->vars = xreallocarray(s->vars, s->nvars + 1, sizeof *s->vars);
	s->vars[s->nvars].name = xstrdup(name);
	s->vars[s->nvars].val = val;
	s->nvars++;
}

/* Remove a variable from the scope its name says (Remove-Variable). */
bool
shell_unsetvar(struct shell *sh, const char *name)
{
	struct scope	*s;
	struct var	*v;
	enum qual	 q;

	name = scope_qualifier(name, &q);
	for (s = q != Q_NONE ? scope_named(sh, q) : sh->scope; s != NULL;
	    s = q != Q_NONE ? NULL : s->parent) {
		if ((v = scope_find_var(s, name)) == NULL)
			continue;
		free(v->name);
		value_unref(v->val);
		*v = s->vars[--s->nvars];
		return (true);
	}
	return (false);
}

/* Call fn for every variable visible from the current scope. */
void
shell_each_var(struct shell *sh, void (*fn)(const char *, void *),
    void *arg)
{
	struct scope	*s;
	size_t		 i;

	for (s = sh->scope; s != NULL; s = s->parent) {
		for (i = 0; i < s->nvars; i++)
			fn(s->vars[i].name, arg);
	}
}

struct func *
shell_getfunc(struct shell *sh, const char *name)
{
	struct scope	*s;
	size_t		 i;
	enum qual	 q;

	name = scope_qualifier(name, &q);
	for (s = q != Q_NONE ? scope_named(sh, q) : sh->scope; s != NULL;
	    s = q != Q_NONE ? NULL : s->parent) {
		for (i = 0; i < s->nfuncs; i++) {
			if (strcasecmp(s->funcs[i]->name, name) == 0)
				return (s->funcs[i]);
		}
	}
	return (NULL);
}

/*
 * Define a function in the scope its name says, replacing one of the
 * same name there.  A function that is running while it is redefined
 * keeps its old definition until it returns: the old one is kept until
 * the scope ends.
 */
void
shell_setfunc(struct shell *sh, const char *name, struct func *f)
{
	struct scope	*s;
	size_t		 i;
	enum qual	 q;

	name = scope_qualifier(name, &q);
	free(f->name);
	f->name = xstrdup(name);
	s = scope_named(sh, q);
	for (i = 0; i < s->nfuncs; i++) {
		if (strcasecmp(s->funcs[i]->name, name) == 0)
			break;
	}
	s->funcs = xreallocarray(s->funcs, s->nfuncs + 1, sizeof *s->funcs);
	if (i < s->nfuncs) {
		/* Keep the old one alive, after the new one. */
		s->funcs[s->nfuncs] = s->funcs[i];
		s->funcs[i] = f;
		free(s->funcs[s->nfuncs]->name);
		s->funcs[s->nfuncs]->name = xstrdup("");
	} else
		s->funcs[s->nfuncs] = f;
	s->nfuncs++;
}
