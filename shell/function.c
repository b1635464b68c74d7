/*
 * function.c - functions, filters, param blocks and script files.
 *
 * A function is a script block with a name.  Its param block is turned,
 * on the first call, into the same parameter table a cmdlet has, so the
 * binder (bind.c) binds a function's arguments exactly as it binds a
 * cmdlet's: names and unique prefixes, positions, switches, conversions
 * by type, mandatory values asked for on a terminal, and the same
 * errors.  What a cmdlet table cannot say is applied here: defaults
 * (evaluated in the new scope at each call, so they may use earlier
 * parameters), the Validate* attributes, $args for what a simple
 * function does not declare, $PSBoundParameters, and the common
 * parameters of an advanced function, which set its preference
 * variables.
 *
 * A call runs in a new local scope: begin once, process once per
 * pipeline item with $_ and the ValueFromPipeline parameters bound to
 * it (once with no item when nothing is piped), end once with $input.
 * A return leaves the block it is in.
 *
 * A script file's param block binds the arguments given after
 * hubsh -File script.ps1 the same way, and a script file run as a
 * command (.\other.ps1, & $path, . $path) is called like a function.
 */
#include <ctype.h>
#include <limits.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "shell.h"
#include "textfile.h"
#include "xmalloc.h"

static void	func_script_vars(struct shell *, struct func *);


/* .NET types of a parameter's [type] constraint that the binder knows. */
static const struct {
	const char	*name;
	enum ptype	 type;
} func_types[] = {
	{ "string", PT_STRING },
	{ "System.String", PT_STRING },
	{ "int", PT_INT },
	{ "int32", PT_INT },
	{ "System.Int32", PT_INT },
	{ "bool", PT_BOOL },
	{ "boolean", PT_BOOL },
	{ "System.Boolean", PT_BOOL },
	{ "switch", PT_SWITCH },
	{ "System.Management.Automation.SwitchParameter", PT_SWITCH },
	{ "string[]", PT_STRINGS },
	{ "System.String[]", PT_STRINGS },
	{ "datetime", PT_DATETIME },
	{ "System.DateTime", PT_DATETIME },
	{ "scriptblock", PT_SCRIPT },
	{ "System.Management.Automation.ScriptBlock", PT_SCRIPT },
	{ "pscredential", PT_CREDENTIAL },
	{ "System.Management.Automation.PSCredential", PT_CREDENTIAL },
	{ "Management.Automation.PSCredential", PT_CREDENTIAL },
};

struct func *
func_create(struct value *script, struct node *params, bool filter)
{
	struct func	*f;

	f = xcalloc(1, sizeof *f);
	f->script = script != NULL ? value_ref(script) : NULL;
	f->src = script != NULL ? script->u.script.src : NULL;
	f->param_node = params;
	f->filter = filter;
	return (f);
}

void
func_free(struct func *f)
{
	size_t	i;

	if (f == NULL)
		return;
	if (f->params != NULL) {
		for (i = 0; f->params[i].name != NULL; i++) {
			free((char *)f->params[i].name);
			free((char *)f->params[i].alias);
		}
	}
	free(f->params);
	if (f->set_names != NULL) {
		for (i = 0; f->set_names[i] != NULL; i++)
			free(f->set_names[i]);
	}
	free(f->set_names);
	free(f->entry);
	free(f->file);
	if (f->script != NULL)
		value_unref(f->script);
	free(f->name);
	free(f);
}

/* The attribute of a parameter (or block) named name, or NULL. */
static struct node *
attr_find(struct node *n, const char *name)
{
	size_t	i;

	for (i = 0; i < n->nkids; i++) {
		if (n->kids[i] != NULL && n->kids[i]->type == N_ATTR &&
		    !(n->kids[i]->flags & NF_TYPE) &&
		    strcasecmp(n->kids[i]->str, name) == 0)
			return (n->kids[i]);
	}
	return (NULL);
}

/* The type constraint of a parameter, or NULL. */
static const char *
param_type(struct node *def)
{
	size_t	i;

	for (i = 1; i < def->nkids; i++) {
		if (def->kids[i]->type == N_ATTR &&
		    (def->kids[i]->flags & NF_TYPE))
			return (def->kids[i]->str);
	}
	return (NULL);
}

/*
 * A named argument of an attribute: its value as a constant expression
 * evaluates ($true, 0, 'text'), true for a bare name, NULL when absent.
 */
static struct value *
attr_named(struct shell *sh, struct source *src, struct node *attr,
    const char *name)
{
	struct node	*k;
	size_t		 i;

	if (attr == NULL)
		return (NULL);
	for (i = 0; i < attr->nkids; i++) {
		k = attr->kids[i];
		if (k->type != N_PARAM || strcasecmp(k->str, name) != 0)
			continue;
		if (k->nkids == 0)
			return (value_bool(true));
		return (shell_eval_node(sh, src, k->kids[0]));
	}
	return (NULL);
}

static bool
attr_flag(struct shell *sh, struct source *src, struct node *attr,
    const char *name)
{
	struct value	*v;
	bool		 t;

	if ((v = attr_named(sh, src, attr, name)) == NULL)
		return (false);
	t = value_truthy(v);
	value_unref(v);
	return (t);
}

/* The first positional argument of an attribute, as a string. */
static char *
attr_string(struct shell *sh, struct source *src, struct node *attr)
{
	struct value	*v;
	char		*s;
	size_t		 i;

	for (i = 0; attr != NULL && i < attr->nkids; i++) {
		if (attr->kids[i]->type == N_PARAM)
			continue;
		v = shell_eval_node(sh, src, attr->kids[i]);
		s = value_to_string(value_count(v) > 0 ? value_item(v, 0) : v);
		value_unref(v);
		return (s);
	}
	return (NULL);
}

/* CmdletBinding's ConfirmImpact as cmdlet flags (Medium: none). */
static int
func_impact(struct value *v)
{
	char	*s = value_to_string(v);
	int	 flags = 0;

	if (strcasecmp(s, "High") == 0)
		flags = C_CONFIRM;
	else if (strcasecmp(s, "Low") == 0 || strcasecmp(s, "None") == 0)
		flags = C_LOWIMPACT;
	free(s);
	return (flags);
}

/*
 * The bit of a parameter set, by name, adding the name to the function's
 * sets (takes s).  __AllParameterSets, and sets past the 32nd, are every
 * set: 0.
 */
static unsigned
func_set_bit(struct func *f, char *s)
{
	size_t	n = 0;

	if (strcasecmp(s, "__AllParameterSets") == 0) {
		free(s);
		return (0);
	}
	for (; f->set_names != NULL && f->set_names[n] != NULL; n++) {
		if (strcasecmp(f->set_names[n], s) == 0) {
			free(s);
			return (1u << n);
		}
	}
	if (n >= 32) {
		free(s);
		return (0);
	}
	f->set_names = xreallocarray(f->set_names, n + 2,
	    sizeof *f->set_names);
	f->set_names[n] = s;
	f->set_names[n + 1] = NULL;
	return (1u << n);
}

/*
 * The sets of a parameter: one [Parameter(ParameterSetName = 'X')] per
 * set it is in; a [Parameter()] without a name puts it in every set.
 */
static unsigned
func_param_sets(struct shell *sh, struct source *src, struct func *f,
    struct node *def)
{
	struct node	*a;
	struct value	*v;
	unsigned	 sets = 0, bit;
	size_t		 i;

	for (i = 0; i < def->nkids; i++) {
		a = def->kids[i];
		if (a == NULL || a->type != N_ATTR || (a->flags & NF_TYPE) ||
		    strcasecmp(a->str, "Parameter") != 0)
			continue;
		if ((v = attr_named(sh, src, a, "ParameterSetName")) == NULL)
			return (0);
		bit = func_set_bit(f, value_to_string(v));
		value_unref(v);
		if (bit == 0)
			return (0);
		sets |= bit;
	}
	return (sets);
}

static enum ptype
param_ptype(const char *type)
{
	size_t	i;

	if (type == NULL)
		return (PT_OBJECT);
	for (i = 0; i < sizeof func_types / sizeof func_types[0]; i++) {
		if (strcasecmp(func_types[i].name, type) == 0)
			return (func_types[i].type);
	}
	return (PT_OBJECT);
}

/*
 * Turn the param block into a parameter table.  Parameters without a
 * Position are positional in their order unless some parameter gives
 * one, switches never, as in PowerShell.
 */
static void
func_compile(struct shell *sh, struct func *f, struct source *src)
{
	struct node		*pb = f->param_node, *def, *pa;
	struct param_entry	*p;
	struct value		*v;
	size_t			 i, n = 0;
	int			 pos = 0;
	bool			 explicit_pos = false;
	double			 d;
	int64_t			 iv;
	bool			 is_int;

	f->compiled = true;
	f->entry = xcalloc(1, sizeof *f->entry);
	f->entry->name = f->name;
	if (pb == NULL)
		return;
	if ((pa = attr_find(pb, "CmdletBinding")) != NULL) {
		f->advanced = true;
		if (attr_flag(sh, src, pa, "SupportsShouldProcess"))
			f->entry->flags |= C_SHOULDPROCESS;
		if ((v = attr_named(sh, src, pa, "ConfirmImpact")) != NULL) {
			f->entry->flags |= func_impact(v);
			value_unref(v);
		}
		if ((v = attr_named(sh, src, pa,
		    "DefaultParameterSetName")) != NULL) {
			f->entry->default_set = func_set_bit(f,
			    value_to_string(v));
			value_unref(v);
		}
	}
	for (i = 0; i < pb->nkids; i++) {
		if (pb->kids[i]->type != N_PARAMDEF)
			continue;
		n++;
		if ((pa = attr_find(pb->kids[i], "Parameter")) != NULL) {
			f->advanced = true;
			if ((v = attr_named(sh, src, pa, "Position")) != NULL) {
				explicit_pos = true;
				value_unref(v);
			}
		}
	}
	f->params = p = xcalloc(n + 1, sizeof *p);
	for (i = 0; i < pb->nkids; i++) {
		def = pb->kids[i];
		if (def->type != N_PARAMDEF)
			continue;
		p->name = xstrdup(def->str);
		p->type = param_ptype(param_type(def));
		if (p->type == PT_INT) {
			p->min = INT32_MIN;
			p->max = INT32_MAX;
		}
		p->alias = attr_string(sh, src, attr_find(def, "Alias"));
		pa = attr_find(def, "Parameter");
		p->sets = func_param_sets(sh, src, f, def);
		if (attr_flag(sh, src, pa, "Mandatory"))
			p->flags |= P_MANDATORY;
		if (attr_flag(sh, src, pa, "ValueFromPipeline"))
			p->flags |= P_PIPELINE;
		if (attr_flag(sh, src, pa, "ValueFromPipelineByPropertyName"))
			p->flags |= P_BYNAME;
		if ((v = attr_named(sh, src, pa, "Position")) != NULL) {
			if (value_to_number(v, &d, &iv, &is_int)) {
				p->flags |= P_POSITIONAL;
				p->position = (int)iv;
			}
			value_unref(v);
		} else if (!explicit_pos && p->type != PT_SWITCH) {
			p->flags |= P_POSITIONAL;
			p->position = pos++;
		}
		p++;
	}
	f->entry->params = f->params;
	f->entry->set_names = (const char *const *)f->set_names;
}

/* The items of v as strings, joined by sep. */
static char *
join_strings(struct value *v, const char *sep)
{
	struct buf	 b;
	char		*s;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < value_count(v); i++) {
		s = value_to_string(value_item(v, i));
		buf_addf(&b, "%s%s", i > 0 ? sep : "", s);
		free(s);
	}
	return (buf_detach(&b));
}

/* Does s match the .NET pattern pat (case-insensitive)? */
static bool
regex_test(const char *pat, const char *s)
{
	regex_t		 re;
	const char	*id;
	char		*err = NULL;
	bool		 m;

	if (strop_regcomp(&re, pat, false, &id, &err) != 0) {
		free(err);
		return (false);
	}
	m = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return (m);
}

/*
 * A value given to, or defaulted for, a typed parameter, converted as
 * the binder converts arguments; a type the binder does not know is
 * cast as [type]value would be (dotnet.c).  Takes v; NULL with *err
 * set when it cannot be converted.
 */
static struct value *
func_convert(const char *type, struct value *v, char **err)
{
	struct param_entry	 pe;
	struct dn_error		 dn;
	struct value		*out;

	memset(&pe, 0, sizeof pe);
	pe.name = "";
	pe.type = param_ptype(type);
	if (pe.type == PT_INT) {
		pe.min = INT32_MIN;
		pe.max = INT32_MAX;
	}
	if (type == NULL || v->type == V_NULL)
		return (v);
	if (pe.type == PT_OBJECT) {
		memset(&dn, 0, sizeof dn);
		out = dotnet_cast(type, v, &dn);
		if (out == NULL)
			*err = xstrdup(dn.message != NULL ? dn.message : "");
		dn_error_clear(&dn);
	} else if (ptype_table[pe.type].convert(&pe, v, &out, err) != 0)
		out = NULL;
	value_unref(v);
	return (out);
}

/*
 * The Validate* attributes, with PowerShell's messages: 0, or -1 with
 * the message in *err.
 */
static int
func_validate(struct shell *sh, struct source *src, struct node *def,
    struct value *v, char **err)
{
	struct node	*a;
	struct value	*set, *lo, *hi, *r;
	char		*s, *pat, *list;
	size_t		 i, k;
	bool		 ok, ok2;
	int		 c;

	if (attr_find(def, "ValidateNotNullOrEmpty") != NULL) {
		s = value_to_string(v);
		ok = v->type != V_NULL && (v->type != V_ARRAY ||
		    v->u.arr.n > 0) && (v->type != V_STRING || *s != '\0');
		free(s);
		if (!ok) {
			*err = xprintf("Cannot validate argument on parameter "
			    "'%s'. The argument is null or empty. Provide an "
			    "argument that is not null or empty, and then try "
			    "the command again.", def->str);
			return (-1);
		}
	}
	if (attr_find(def, "ValidateNotNull") != NULL && v->type == V_NULL) {
		*err = xprintf("Cannot validate argument on parameter '%s'. The "
		    "argument is null. Provide a valid value for the argument, "
		    "and then try running the command again.", def->str);
		return (-1);
	}
	if ((a = attr_find(def, "ValidateSet")) != NULL) {
		set = value_array();
		for (i = 0; i < a->nkids; i++) {
			if (a->kids[i]->type != N_PARAM)
				value_array_push(set, shell_eval_node(sh, src,
				    a->kids[i]));
		}
		for (k = 0; k < value_count(v); k++) {
			s = value_to_string(value_item(v, k));
			for (i = 0, ok = false; i < value_count(set) && !ok;
			    i++) {
				list = value_to_string(value_item(set, i));
				ok = strcasecmp(list, s) == 0;
				free(list);
			}
			if (!ok) {
				list = join_strings(set, ",");
				*err = xprintf("Cannot validate argument on "
				    "parameter '%s'. The argument \"%s\" does "
				    "not belong to the set \"%s\" specified by "
				    "the ValidateSet attribute. Supply an "
				    "argument that is in the set and then try "
				    "the command again.", def->str, s, list);
				free(list);
				free(s);
				value_unref(set);
				return (-1);
			}
			free(s);
		}
		value_unref(set);
	}
	if ((a = attr_find(def, "ValidateRange")) != NULL && a->nkids >= 2) {
		lo = shell_eval_node(sh, src, a->kids[0]);
		hi = shell_eval_node(sh, src, a->kids[1]);
		for (k = 0; k < value_count(v); k++) {
			c = value_compare(value_item(v, k), lo, false, &ok);
			s = value_to_string(value_item(v, k));
			if (ok && c < 0) {
				list = value_to_string(lo);
				*err = xprintf("Cannot validate argument on "
				    "parameter '%s'. The %s argument is less "
				    "than the minimum allowed range of %s. "
				    "Supply an argument that is greater than or "
				    "equal to %s and then try the command "
				    "again.", def->str, s, list, list);
				free(list);
			} else if (value_compare(value_item(v, k), hi, false,
			    &ok2) > 0 && ok2) {
				list = value_to_string(hi);
				*err = xprintf("Cannot validate argument on "
				    "parameter '%s'. The %s argument is greater "
				    "than the maximum allowed range of %s. "
				    "Supply an argument that is less than or "
				    "equal to %s and then try the command "
				    "again.", def->str, s, list, list);
				free(list);
			}
			free(s);
			if (*err != NULL)
				break;
		}
		value_unref(lo);
		value_unref(hi);
		if (*err != NULL)
			return (-1);
	}
	if ((a = attr_find(def, "ValidatePattern")) != NULL &&
	    (pat = attr_string(sh, src, a)) != NULL) {
		for (k = 0; k < value_count(v) && *err == NULL; k++) {
			s = value_to_string(value_item(v, k));
			if (!regex_test(pat, s))
				*err = xprintf("Cannot validate argument on "
				    "parameter '%s'. The argument \"%s\" does "
				    "not match the \"%s\" pattern. Supply an "
				    "argument that matches \"%s\" and try the "
				    "command again.", def->str, s, pat, pat);
			free(s);
		}
		free(pat);
		if (*err != NULL)
			return (-1);
	}
	if ((a = attr_find(def, "ValidateScript")) != NULL && a->nkids > 0) {
		set = shell_eval_node(sh, src, a->kids[0]);
		for (k = 0; k < value_count(v) && *err == NULL; k++) {
			r = shell_eval_script(sh, set, value_item(v, k));
			if (!value_truthy(r)) {
				s = value_to_string(value_item(v, k));
				*err = xprintf("Cannot validate argument on "
				    "parameter '%s'. The \"%s\" validation "
				    "script for the argument with value \"%s\" "
				    "did not return a result of True. "
				    "Determine why the validation script "
				    "failed, and then try the command again.",
				    def->str, set->type == V_SCRIPT ?
				    set->u.script.body->str : "", s);
				free(s);
			}
			value_unref(r);
		}
		value_unref(set);
		if (*err != NULL)
			return (-1);
	}
	return (0);
}

/* A validation or compile error of a call, statement-terminating. */
static void
func_error(struct shell *sh, const struct func *f,
    const struct bind_call *call, const struct extent *at, const char *id,
    const char *msg)
{
	struct errrec	*e;

	e = errrec_create(msg);
	e->kind = ERR_STATEMENT;
	errrec_set(&e->category, xstrdup("InvalidData"));
	errrec_set(&e->reason, xstrdup(strstr(id, "Transformation") != NULL ?
	    "ParameterBindingArgumentTransformationException" :
	    "ParameterBindingValidationException"));
	errrec_set(&e->fqid, xprintf("%s,%s", id, f->name));
	errrec_set(&e->activity, xstrdup(f->name));
	errrec_set(&e->invocation, xstrdup(call->invocation));
	e->src = source_ref(call->src);
	if (at != NULL)
		e->ext = *at;
	else if (call->cmd != NULL)
		e->ext = call->cmd->ext;
	e->has_position = at != NULL || call->cmd != NULL;
	shell_report(sh, e);
}

/*
 * The parameter a typed name resolves to, declared or common (exact
 * name or alias, else a prefix), or NULL.
 */
static const struct param_entry *
func_param_named(const struct func *f, const char *typed)
{
	const struct param_entry	*tables[2] = { f->params,
					    common_params };
	const struct param_entry	*p, *prefix = NULL;
	size_t				 len = strlen(typed), t;

	for (t = 0; t < 2; t++) {
		for (p = tables[t]; p != NULL && p->name != NULL; p++) {
			if (strcasecmp(p->name, typed) == 0 ||
			    (p->alias != NULL &&
			    strcasecmp(p->alias, typed) == 0))
				return (p);
			if (prefix == NULL &&
			    strncasecmp(p->name, typed, len) == 0)
				prefix = p;
		}
	}
	return (prefix);
}

static size_t
func_npositional(const struct func *f)
{
	const struct param_entry	*p;
	size_t				 n = 0;

	for (p = f->params; p != NULL && p->name != NULL; p++) {
		if (p->flags & P_POSITIONAL)
			n++;
	}
	return (n);
}

/*
 * Split a simple function's arguments: what it declares goes to the
 * binder, the rest into $args, as PowerShell does for a function
 * without CmdletBinding; an advanced function binds everything.
 */
static void
func_split_args(const struct func *f, const struct bind_call *call,
    struct bind_arg *bind, size_t *nbind, struct value *rest)
{
	const struct bind_arg	*a;
	size_t			 i, npos = 0, maxpos;
	const struct param_entry *p;

	/* Positions a parameter given by name no longer takes. */
	maxpos = func_npositional(f);
	for (i = 0; i < call->nargs; i++) {
		if (call->args[i].name != NULL && (p = func_param_named(f,
		    call->args[i].name)) != NULL && (p->flags & P_POSITIONAL) &&
		    maxpos > 0)
			maxpos--;
	}
	*nbind = 0;
	for (i = 0; i < call->nargs; i++) {
		a = &call->args[i];
		if (f->advanced) {
			bind[(*nbind)++] = *a;
			continue;
		}
		if (a->name != NULL && (p = func_param_named(f,
		    a->name)) != NULL) {
			bind[(*nbind)++] = *a;
			/* -Name value: the value goes with it. */
			if (!a->colon && p->type != PT_SWITCH &&
			    i + 1 < call->nargs && call->args[i + 1].name == NULL)
				bind[(*nbind)++] = call->args[++i];
			continue;
		}
		if (a->name != NULL) {
			value_array_push(rest, value_string_take(xprintf("-%s%s",
			    a->name, a->colon ? ":" : "")));
			if (a->v != NULL && a->colon)
				value_array_push(rest, value_ref(a->v));
			continue;
		}
		if (npos++ < maxpos)
			bind[(*nbind)++] = *a;
		else
			value_array_push(rest, value_ref(a->v));
	}
}

/* The preference variables an advanced function's common parameters set. */
static void
func_common(struct shell *sh, struct bound *b)
{
	static const struct {
		const char	*param;
		const char	*var;
	} prefs[] = {
		{ "ErrorAction", "local:ErrorActionPreference" },
		{ "WarningAction", "local:WarningPreference" },
	};
	struct value	*v;
	size_t		 i;

	for (i = 0; i < sizeof prefs / sizeof prefs[0]; i++) {
		if ((v = bound_get(b, prefs[i].param)) != NULL)
			shell_setvar(sh, prefs[i].var, value_string_take(
			    value_to_string(v)));
	}
	if (bound_has(b, "Verbose"))
		shell_setvar(sh, "local:VerbosePreference", value_string(
		    bound_switch(b, "Verbose") ? "Continue" :
		    "SilentlyContinue"));
	if (bound_index(b, "WhatIf") >= 0 && bound_has(b, "WhatIf"))
		shell_setvar(sh, "local:WhatIfPreference",
		    value_bool(bound_switch(b, "WhatIf")));
	/* -Confirm asks for everything the function runs; :$false, nothing. */
	if (bound_index(b, "Confirm") >= 0 && bound_has(b, "Confirm"))
		shell_setvar(sh, "local:ConfirmPreference", value_string(
		    bound_switch(b, "Confirm") ? "Low" : "None"));
}

/*
 * $PSCmdlet, the advanced function's own cmdlet object: the parameter
 * set its arguments chose, its $MyInvocation, and the methods of
 * func_cmdlet_invoke.  The call they act for is the innermost advanced
 * function running (sh->cmdlet), so a helper function that reads the
 * caller's $PSCmdlet acts for the caller, as in PowerShell.
 */
struct cmdlet_frame {
	struct func		*f;
	bool			 yes_to_all;
	bool			 no_to_all;
	struct cmdlet_frame	*up;
};

static struct value *
func_pscmdlet(struct bound *b, struct value *invocation)
{
	struct value	*o;

	o = value_object(PSCMDLET_TYPE, NULL);
	o->u.obj->clr = true;
	object_add_const(o, "ParameterSetName", value_string(
	    bound_set_name(b)));
	object_add_const(o, "MyInvocation", invocation != NULL ?
	    value_ref(invocation) : value_null());
	return (o);
}

/* The cmdlet context a $PSCmdlet method runs in: the frame's function. */
static void
func_cmdlet_ctx(struct shell *sh, struct cmdlet_frame *fr,
    struct source *src, struct node *n, struct cmd_ctx *ctx)
{
	struct value	*v;

	memset(ctx, 0, sizeof *ctx);
	ctx->sh = sh;
	ctx->entry = fr->f->entry;
	ctx->invocation = fr->f->name;
	ctx->node = n;
	ctx->src = src;
	ctx->ea = shell_pref(sh, "ErrorActionPreference");
	v = shell_getvar(sh, "WhatIfPreference");
	ctx->whatif = value_truthy(v);
	value_unref(v);
	ctx->confirm = shell_confirm(sh, fr->f->entry);
	ctx->verbose = shell_pref(sh, "VerbosePreference") == AP_CONTINUE;
	ctx->yes_to_all = fr->yes_to_all;
	ctx->no_to_all = fr->no_to_all;
}

/*
 * ShouldProcess(target), (target, action) and (description, warning,
 * caption): PowerShell's "What if:" text, or its confirmation prompt,
 * through the cmdlets' cmd_should_process.
 */
static struct value *
func_should_process(struct cmd_ctx *ctx, struct value **args, size_t nargs)
{
	char	*a, *b, *desc;
	bool	 yes;

	a = value_to_string(args[0]);
	if (nargs >= 3 || nargs == 0)
		desc = a;
	else {
		b = nargs == 2 ? value_to_string(args[1]) :
		    xstrdup(ctx->invocation);
		desc = xprintf("Performing the operation \"%s\" on target "
		    "\"%s\".", b, a);
		free(b);
		free(a);
	}
	yes = cmd_should_process(ctx, desc);
	free(desc);
	return (value_bool(yes));
}

bool
func_cmdlet_invoke(struct shell *sh, struct source *src, struct node *n,
    struct value *obj, const char *method, struct value **args,
    size_t nargs, struct value **out)
{
	struct cmdlet_frame	*fr = sh->cmdlet;
	struct cmd_ctx		 ctx;
	char			*s;

	if (fr == NULL || obj->type != V_OBJECT || !obj->u.obj->clr ||
	    strcmp(obj->u.obj->type_name, PSCMDLET_TYPE) != 0)
		return (false);
	func_cmdlet_ctx(sh, fr, src, n, &ctx);
	if (strcasecmp(method, "ShouldProcess") == 0 && nargs >= 1 &&
	    nargs <= 3)
		*out = func_should_process(&ctx, args, nargs);
	else if (strcasecmp(method, "ShouldContinue") == 0 && nargs == 2) {
		/* Asked whatever -Confirm says; -WhatIf does not answer it. */
		ctx.whatif = false;
		ctx.confirm = true;
		s = value_to_string(args[0]);
		*out = value_bool(cmd_should_process(&ctx, s));
		free(s);
	} else if ((strcasecmp(method, "WriteVerbose") == 0 ||
	    strcasecmp(method, "WriteWarning") == 0) && nargs == 1) {
		s = value_to_string(args[0]);
		if (strcasecmp(method, "WriteVerbose") == 0)
			cmd_verbose(&ctx, "%s", s);
		else
			cmd_warning(&ctx, "%s", s);
		free(s);
		*out = value_null();
	} else if (strcasecmp(method, "WriteDebug") == 0 && nargs == 1)
		*out = value_null();
	else
		return (false);
	fr->yes_to_all = ctx.yes_to_all;
	fr->no_to_all = ctx.no_to_all;
	return (true);
}

/*
 * Bind a call's arguments into the current (new) scope: parameters,
 * defaults, validation, $args, $PSBoundParameters.  0, or -1 after
 * reporting the error.
 */
static int
func_bind(struct shell *sh, struct func *f, const struct bind_call *call,
    struct source *src, struct bound **bp)
{
	struct bind_call	 c = *call;
	struct bind_arg		*bind;
	struct bound		*b;
	struct value		*rest, *bound_params, *v;
	struct node		*def;
	enum exec_status	 st;
	char			*err = NULL, *path, *msg;
	const char		*base;
	size_t			 i, nbind, k;
	int			 idx;

	*bp = NULL;
	rest = value_array();
	bind = xcalloc(call->nargs + 1, sizeof *bind);
	func_split_args(f, call, bind, &nbind, rest);
	c.entry = f->entry;
	c.args = bind;
	c.nargs = nbind;
	b = bind_command(sh, &c, &st);
	free(bind);
	if (b == NULL) {
		value_unref(rest);
		return (-1);
	}
	bound_params = value_hash();
	for (i = 0, k = 0; f->param_node != NULL &&
	    i < f->param_node->nkids; i++) {
		def = f->param_node->kids[i];
		if (def->type != N_PARAMDEF)
			continue;
		idx = (int)k++;
		if ((v = b->v[idx]) != NULL)
			v = value_ref(v);
		else if (def->kids[0] != NULL)
			v = shell_eval_node(sh, src, def->kids[0]);
		else if (b->p[idx]->type == PT_SWITCH)
			v = value_bool(false);
		else
			v = value_null();
		/* Transformation, then validation, as PowerShell binds. */
		if ((v = func_convert(param_type(def), v, &err)) == NULL) {
			msg = xprintf("Cannot process argument transformation "
			    "on parameter '%s'. %s", def->str, err);
			func_error(sh, f, call, &b->ext[idx],
			    "ParameterArgumentTransformationError", msg);
			free(msg);
			goto fail;
		}
		if (b->v[idx] != NULL && func_validate(sh, src, def, v,
		    &err) != 0) {
			func_error(sh, f, call, &b->ext[idx],
			    "ParameterArgumentValidationError", err);
			value_unref(v);
			goto fail;
		}
		if (b->v[idx] != NULL)
			value_hash_set(bound_params, value_string(def->str),
			    value_ref(v));
		shell_setvar(sh, def->str, v);
	}
	/* The -File script's own $MyInvocation is main.c's. */
	if (f->script != NULL || f->file_block != NULL) {
		path = f->file != NULL ? realpath(f->file, NULL) : NULL;
		base = path != NULL && strrchr(path, '/') != NULL ?
		    strrchr(path, '/') + 1 : f->name;
		shell_setvar(sh, "local:MyInvocation", func_invocation(base,
		    path, call->invocation != NULL ? call->invocation :
		    f->name, bound_params, rest));
		free(path);
	}
	shell_setvar(sh, "local:args", rest);
	shell_setvar(sh, "local:PSBoundParameters", bound_params);
	if (f->advanced) {
		func_common(sh, b);
		v = shell_getvar(sh, "local:MyInvocation");
		shell_setvar(sh, "local:PSCmdlet", func_pscmdlet(b,
		    v->type != V_NULL ? v : NULL));
		value_unref(v);
	}
	*bp = b;
	return (0);

fail:
	free(err);
	value_unref(bound_params);
	value_unref(rest);
	bound_free(b);
	return (-1);
}

/*
 * $MyInvocation of a function or script call: what it was called as,
 * its MyCommand (Name; a script's Path and Definition, the full path,
 * which scripts split to find their folder), and its arguments.
 */
struct value *
func_invocation(const char *name, const char *path, const char *as,
    struct value *bound, struct value *unbound)
{
	struct value	*inv, *cmd;

	cmd = value_object(path != NULL ?
	    "System.Management.Automation.ExternalScriptInfo" :
	    "System.Management.Automation.FunctionInfo", NULL);
	object_add_const(cmd, "Name", value_string(name));
	object_add_const(cmd, "CommandType", value_string(path != NULL ?
	    "ExternalScript" : "Function"));
	object_add_const(cmd, "Definition", value_string(path != NULL ?
	    path : name));
	object_add_const(cmd, "Path", path != NULL ? value_string(path) :
	    value_null());
	cmd->u.obj->text = xstrdup(name);
	inv = value_object("System.Management.Automation.InvocationInfo",
	    NULL);
	object_add_const(inv, "MyCommand", cmd);
	object_add_const(inv, "BoundParameters", bound != NULL ?
	    value_ref(bound) : value_hash());
	object_add_const(inv, "UnboundArguments", unbound != NULL ?
	    value_ref(unbound) : value_array());
	object_add_const(inv, "InvocationName", value_string(as));
	object_add_const(inv, "ScriptName", value_string(path != NULL ?
	    path : ""));
	return (inv);
}

/* Bind one pipeline item to the parameters that take it. */
static void
func_bind_item(struct shell *sh, struct func *f, struct bound *b,
    struct value *item)
{
	struct value	*v;
	size_t		 i;

	for (i = 0; f->params != NULL && f->params[i].name != NULL; i++) {
		if (b->v[i] != NULL)
			continue;
		if (f->params[i].flags & P_PIPELINE)
			shell_setvar(sh, f->params[i].name, value_ref(item));
		else if ((f->params[i].flags & P_BYNAME) &&
		    item->type == V_OBJECT &&
		    (v = object_get(item, f->params[i].name)) != NULL)
			shell_setvar(sh, f->params[i].name, value_ref(v));
	}
}

/* A block of the function's body (a script file has only its end). */
static struct node *
func_part(struct func *f, int which)
{
	if (f->file_block != NULL)
		return (which == SCRIPT_END ? f->file_block : NULL);
	return (f->script->u.script.body->kids[which]);
}

/* Run one of the blocks; a return ends just the block. */
static void
func_block(struct shell *sh, struct func *f, int which, struct value *out)
{
	struct node	*block = func_part(f, which);

	if (block == NULL || sh->flow != FLOW_NONE || sh->exiting)
		return;
	shell_run_block(sh, f->src, block, out);
	if (sh->flow == FLOW_RETURN)
		sh->flow = FLOW_NONE;
}

/*
 * Call a function, a script block or a script file: bind, then begin,
 * process for each item, end.  new_scope false is dot-sourcing: the
 * call's variables and functions stay in the caller's scope.  0, or -1
 * when the arguments could not be bound (the error is written).
 */
int
func_call(struct shell *sh, struct func *f, const struct bind_call *call,
    struct value **input, size_t ninput, struct value *out, bool new_scope)
{
	struct cmdlet_frame	 frame;
	struct value		*saved, *all;
	struct bound		*b;
	size_t			 i;
	bool			 process, piped = call->pipeline_input;

	if (f->broken)
		return (-1);	/* its parse error is written */
	if (!f->compiled)
		func_compile(sh, f, f->src);
	if (new_scope)
		scope_push(sh, f->file_block != NULL);
	if (f->file_block != NULL)
		func_script_vars(sh, f);
	if (func_bind(sh, f, call, f->src, &b) != 0) {
		if (new_scope)
			scope_pop(sh);
		return (-1);
	}
	if (f->advanced) {
		memset(&frame, 0, sizeof frame);
		frame.f = f;
		frame.up = sh->cmdlet;
		sh->cmdlet = &frame;
	}
	saved = sh->under;
	all = value_array();
	for (i = 0; i < ninput; i++)
		value_array_push(all, value_ref(input[i]));
	shell_setvar(sh, "local:input", all);
	process = func_part(f, SCRIPT_PROCESS) != NULL || f->filter;
	func_block(sh, f, SCRIPT_BEGIN, out);
	for (i = 0; process && sh->flow == FLOW_NONE && (i < ninput ||
	    (i == 0 && !piped)); i++) {
		sh->under = i < ninput ? input[i] : saved;
		if (i < ninput)
			func_bind_item(sh, f, b, input[i]);
		func_block(sh, f, f->filter ? SCRIPT_END : SCRIPT_PROCESS,
		    out);
	}
	sh->under = saved;
	if (!f->filter)
		func_block(sh, f, SCRIPT_END, out);
	if (f->advanced)
		sh->cmdlet = frame.up;
	bound_free(b);
	if (new_scope)
		scope_pop(sh);
	return (0);
}

/*
 * A script file named as a command (.\check.ps1, & $path, . $path):
 * read and parsed now, kept for the session like any input, and
 * called like a function whose param block is the script's.  A path
 * written with backslashes, as Windows scripts write them, is also
 * tried with slashes.  NULL when there is no such file.
 */
/* Is name a script file that can be read (.\x.ps1, a path)? */
bool
func_script_exists(const char *name)
{
	char	*path;
	size_t	 n = strlen(name);
	bool	 ok;

	if (n < 4 || strcasecmp(name + n - 4, ".ps1") != 0)
		return (false);
	path = textfile_fullpath(name);
	ok = access(path, R_OK) == 0;
	free(path);
	return (ok);
}

struct func *
func_script_file(struct shell *sh, const char *name)
{
	struct parse_error	 perr;
	struct source		*src;
	struct node		*tree;
	struct func		*f;
	char			*path, *text, *cause = NULL;
	size_t			 len, n;

	n = strlen(name);
	if (n < 4 || strcasecmp(name + n - 4, ".ps1") != 0)
		return (NULL);
	path = textfile_fullpath(name);
	text = shell_read_file(path, &len, &cause);
	free(cause);
	if (text == NULL) {
		free(path);
		return (NULL);
	}
	src = source_create(name, text, len);
	free(text);
	if ((tree = parse_script(src, 0, src->len, &perr)) == NULL) {
		shell_report(sh, errrec_parse(&perr, src, ERR_STATEMENT));
		parse_error_clear(&perr);
		source_free(src);
		free(path);
		f = func_create(NULL, NULL, false);
		f->name = xstrdup(name);
		f->broken = true;
		return (f);
	}
	shell_keep_tree(sh, tree, src);
	f = func_create(NULL, tree->nkids > 0 && tree->kids[0]->type ==
	    N_PARAMBLOCK ? tree->kids[0] : NULL, false);
	f->name = xstrdup(name);
	f->file = path;
	f->file_block = tree;
	f->src = src;		/* the kept tree holds a reference */
	source_free(src);
	return (f);
}

/* $PSScriptRoot and $PSCommandPath of a script file being called. */
static void
func_script_vars(struct shell *sh, struct func *f)
{
	char	*path, *slash;

	if ((path = realpath(f->file, NULL)) == NULL)
		return;
	shell_setvar(sh, "local:PSCommandPath", value_string(path));
	if ((slash = strrchr(path, '/')) != NULL)
		*(slash == path ? slash + 1 : slash) = '\0';
	shell_setvar(sh, "local:PSScriptRoot", value_string_take(path));
}

/*
 * The script's own param block (the first statement of a script file):
 * binds the arguments given after -File, in the script's scope.
 */
int
func_bind_script(struct shell *sh, struct source *src, struct node *pb)
{
	struct func		*f;
	struct bind_call	 call;
	struct bind_arg		*args;
	struct bound		*b;
	const char		*a, *colon;
	size_t			 i, n = 0;
	int			 rc;

	f = func_create(NULL, pb, false);
	f->name = xstrdup(src->name);
	args = xcalloc(sh->nscript_args + 1, sizeof *args);
	for (i = 0; i < sh->nscript_args; i++) {
		a = sh->script_args[i];
		memset(&args[n], 0, sizeof args[n]);
		if (a[0] == '-' && isalpha((unsigned char)a[1])) {
			colon = strchr(a, ':');
			args[n].name = colon != NULL ? xstrndup(a + 1,
			    (size_t)(colon - a - 1)) : xstrdup(a + 1);
			if (colon != NULL) {
				args[n].colon = true;
				args[n].v = value_string(colon + 1);
			}
		} else
			args[n].v = value_string(a);
		n++;
	}
	memset(&call, 0, sizeof call);
	call.invocation = src->name;
	call.src = src;
	call.args = args;
	call.nargs = n;
	func_compile(sh, f, src);
	call.entry = f->entry;
	if ((rc = func_bind(sh, f, &call, src, &b)) == 0)
		bound_free(b);
	for (i = 0; i < n; i++) {
		free((char *)args[i].name);
		if (args[i].v != NULL)
			value_unref(args[i].v);
	}
	free(args);
	func_free(f);
	return (rc);
}
