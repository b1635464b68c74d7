/*
 * eval.c - the interpreter.
 *
 * Walks the nodes made by parser.c.  Statements run one after another;
 * each statement's output goes to Out-Default at the top level and into
 * the enclosing output array inside blocks, subexpressions and script
 * blocks.  Pipelines are run element by element: every command receives
 * the whole output of the one before as its input array (hubsh buffers
 * where PowerShell streams; the results are the same for the cmdlets
 * hubsh has).
 *
 * Errors follow PowerShell: a non-terminating error sets $? to False and
 * the script goes on; a binding or runtime error stops its statement;
 * -ErrorAction Stop, $ErrorActionPreference = 'Stop', throw and exit stop
 * the script.  Every error reported (unless silenced) marks the run as
 * failed, so a batch run exits non-zero.
 *
 * The evaluator recurses over the tree, and into script blocks that
 * commands run; it counts the nodes it is inside as the parser counts
 * levels, so a tree the parser took never reaches SHELL_MAX_DEPTH, and
 * only script blocks running script blocks can: that is PowerShell's
 * CallDepthOverflow, which stops the script.
 */
#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

struct eval {
	struct shell	*sh;
	struct source	*src;
	bool		 failed;	/* an error in this statement */
	bool		 stop;		/* unwind the script */
};

static enum exec_status	 exec_block(struct eval *, struct node *,
			    struct value *);
static void		 exec_statement(struct eval *, struct node *,
			    struct value *);
static void		 exec_pipeline(struct eval *, struct node *,
			    struct value *);
static void		 exec_command(struct eval *, struct node *,
			    struct value **, size_t, bool, struct value *);
static void		 exec_command_node(struct eval *, struct node *,
			    struct value **, size_t, bool, struct value *);
static struct value	*eval_expr(struct eval *, struct node *);
static struct value	*eval_node(struct eval *, struct node *);
static void		 exec_node(struct eval *, struct node *,
			    struct value *);
static bool		 eval_enter(struct eval *, struct node *);
static void		 eval_leave(struct eval *);
static struct value	*eval_binary_values(struct eval *, struct node *,
			    struct value *, struct value *);
static struct value	*eval_unary(struct eval *, struct node *);
static struct value	*eval_binary(struct eval *, struct node *);
static struct value	*eval_strop(struct eval *, struct node *,
			    struct value *, struct value *);
static struct value	*eval_join(struct value *, struct value *);
static struct value	*eval_range(struct eval *, struct node *,
			    struct value *, struct value *);
static void		 eval_runtime_error(struct eval *, struct node *,
			    const char *, const char *, const char *, ...)
			    __attribute__((format(printf, 5, 6)));
static void		 eval_raise(struct eval *, struct errrec *);
static void		 eval_dotnet_error(struct eval *, struct node *,
			    struct dn_error *);
static struct value	*eval_bitwise(struct eval *, struct node *,
			    struct value *, struct value *);
static struct value	*eval_assign_value(struct eval *, struct node *);
static struct value	*eval_constrain(struct eval *, struct node *,
			    struct value *);
static struct value	*eval_typeop(struct eval *, struct node *,
			    struct value *, struct value *);

/* The current $_ while script blocks run. */
static struct value	*dollar_under;

/* Variables: case-insensitive names; scope qualifiers are ignored. */
static const char *
var_base(const char *name)
{
	if (strncasecmp(name, "global:", 7) == 0)
		return (name + 7);
	if (strncasecmp(name, "script:", 7) == 0)
		return (name + 7);
	if (strncasecmp(name, "local:", 6) == 0)
		return (name + 6);
	return (name);
}

struct value *
shell_getvar(struct shell *sh, const char *name)
{
	const char	*env;
	size_t		 i;

	name = var_base(name);
	if (strcasecmp(name, "true") == 0)
		return (value_bool(true));
	if (strcasecmp(name, "false") == 0)
		return (value_bool(false));
	if (strcasecmp(name, "null") == 0)
		return (value_null());
	if (strcmp(name, "_") == 0 || strcasecmp(name, "PSItem") == 0)
		return (value_ref(dollar_under));
	if (strcmp(name, "?") == 0)
		return (value_bool(sh->last_ok));
	if (strncasecmp(name, "env:", 4) == 0) {
		env = getenv(name + 4);
		return (env != NULL ? value_string(env) : value_null());
	}
	for (i = 0; i < sh->nvars; i++) {
		if (strcasecmp(sh->vars[i].name, name) == 0)
			return (value_ref(sh->vars[i].val));
	}
	return (value_null());
}

/* Set a variable, taking the reference to v. */
void
shell_setvar(struct shell *sh, const char *name, struct value *v)
{
	size_t	i;

	name = var_base(name);
	for (i = 0; i < sh->nvars; i++) {
		if (strcasecmp(sh->vars[i].name, name) == 0) {
			value_unref(sh->vars[i].val);
			sh->vars[i].val = v;
			return;
		}
	}
	sh->vars = xreallocarray(sh->vars, sh->nvars + 1, sizeof *sh->vars);
	sh->vars[sh->nvars].name = xstrdup(name);
	sh->vars[sh->nvars].val = v;
	sh->nvars++;
}

void
shell_print_value(struct shell *sh, struct value *v)
{
	struct value	**items;
	char		 *text;
	size_t		  n, i;

	n = value_count(v);
	if (n == 0)
		return;
	items = xcalloc(n, sizeof *items);
	for (i = 0; i < n; i++)
		items[i] = value_item(v, i);
	text = format_default(sh, items, n);
	fputs(text, sh->out);
	fflush(sh->out);
	free(text);
	free(items);
}

/* Keep a parsed tree alive for the session: script blocks point into it. */
static void
shell_keep_tree(struct shell *sh, struct node *tree, struct source *src)
{
	sh->trees = xreallocarray(sh->trees, sh->ntrees + 1,
	    sizeof *sh->trees);
	sh->tree_src = xreallocarray(sh->tree_src, sh->ntrees + 1,
	    sizeof *sh->tree_src);
	sh->trees[sh->ntrees] = tree;
	sh->tree_src[sh->ntrees] = source_ref(src);
	sh->ntrees++;
}

enum exec_status
shell_run(struct shell *sh, struct source *src)
{
	struct parse_error	 perr;
	struct node		*tree;
	struct errrec		*e;
	struct eval		 ev;
	size_t			 i;

	tree = parse_script(src, 0, src->len, &perr);
	if (tree == NULL) {
		e = errrec_create(perr.message);
		e->kind = ERR_SCRIPT;
		errrec_set(&e->category, xstrdup("ParserError"));
		errrec_set(&e->reason, xstrdup("ParentContainsErrorRecordException"));
		errrec_set(&e->fqid, xstrdup(perr.id));
		e->src = source_ref(src);
		e->ext = perr.ext;
		e->has_position = true;
		e->parse_error = true;
		shell_report(sh, e);
		parse_error_clear(&perr);
		sh->last_ok = false;
		return (EXEC_STOP);
	}
	shell_keep_tree(sh, tree, src);
	memset(&ev, 0, sizeof ev);
	ev.sh = sh;
	ev.src = src;
	for (i = 0; i < tree->nkids; i++) {
		struct value	*out = value_array();

		ev.failed = false;
		exec_statement(&ev, tree->kids[i], out);
		shell_print_value(sh, out);
		value_unref(out);
		if (!sh->exiting)
			sh->last_ok = !ev.failed;
		if (ev.stop || sh->exiting)
			return (EXEC_STOP);
	}
	return (EXEC_OK);
}

static enum exec_status
exec_block(struct eval *ev, struct node *block, struct value *out)
{
	size_t	i;

	for (i = 0; i < block->nkids; i++) {
		ev->failed = false;
		exec_statement(ev, block->kids[i], out);
		if (!ev->sh->exiting)
			ev->sh->last_ok = !ev->failed;
		if (ev->stop || ev->sh->exiting)
			return (EXEC_STOP);
	}
	return (EXEC_OK);
}

/* Append the items of v (flattened) to out; takes the reference. */
static void
out_append(struct value *out, struct value *v)
{
	size_t	i;

	if (v->type == V_ARRAY) {
		for (i = 0; i < v->u.arr.n; i++)
			value_array_push(out, value_ref(v->u.arr.v[i]));
	} else
		value_array_push(out, value_ref(v));
	value_unref(v);
}

/*
 * The value of a statement that an assignment stores or ( ) holds.  A
 * pipeline that is one expression is that value as it is, not
 * enumerated, as PowerShell takes one: $b = $list keeps the ArrayList
 * (the same one), $x = @(1) an array, ([string[]]$a) a String[].  Any
 * other statement is its output, collapsed.
 */
static struct value *
eval_assign_value(struct eval *ev, struct node *rhs)
{
	struct value	*out;

	if (rhs->type == N_PIPELINE && rhs->nkids == 1 &&
	    rhs->kids[0]->type != N_COMMAND)
		return (eval_expr(ev, rhs->kids[0]));
	out = value_array();
	exec_statement(ev, rhs, out);
	return (value_collapse(out));
}

/*
 * [int]$x = v: v converted to the type (taken; NULL after the error,
 * which PowerShell reports as the variable's metadata refusing the
 * value, at the whole assignment).  PowerShell keeps the type on the
 * variable for later assignments too; hubsh converts at this one only.
 */
static struct value *
eval_constrain(struct eval *ev, struct node *assign, struct value *v)
{
	struct node	*cast = assign->kids[0];
	struct dn_error	 err;
	struct value	*r;

	memset(&err, 0, sizeof err);
	r = dotnet_cast(cast->str, v, &err);
	value_unref(v);
	if (r != NULL)
		return (r);
	if (!err.at_type) {
		err.category = "MetadataError";
		err.reason = "ArgumentTransformationMetadataException";
		err.id = "RuntimeException";
		cast = assign;
	}
	eval_dotnet_error(ev, cast, &err);
	return (NULL);
}

static void
exec_assign(struct eval *ev, struct node *n)
{
	struct node	*target = n->kids[0];
	struct value	*v, *cur, *res, *base, *copy;
	char		*name;
	size_t		 i;

	v = eval_assign_value(ev, n->kids[1]);
	if (ev->stop) {
		value_unref(v);
		return;
	}
	if (n->op != OP_ASSIGN) {
		cur = eval_expr(ev, target);
		if (n->op == OP_PLUS_ASSIGN && (cur->type == V_ARRAY ||
		    cur->type == V_NULL)) {
			res = cur->type == V_NULL ? value_array() :
			    value_copy_shallow(cur);
			for (i = 0; i < value_count(v); i++)
				value_array_push(res, value_ref(value_item(v,
				    i)));
		} else {
			struct node	fake;

			memset(&fake, 0, sizeof fake);
			fake.type = N_BINARY;
			fake.op = n->op == OP_PLUS_ASSIGN ? OP_PLUS : OP_MINUS;
			fake.ext = n->ext;
			res = eval_binary_values(ev, &fake, cur, v);
		}
		value_unref(cur);
		value_unref(v);
		v = res;
	}
	if (target->type == N_CAST && (v = eval_constrain(ev, n, v)) == NULL)
		return;
	if (target->type == N_VAR || target->type == N_CAST) {
		shell_setvar(ev->sh, target->type == N_CAST ?
		    target->kids[0]->str : target->str, v);
		return;
	}
	if (target->type == N_MEMBER && target->kids[0]->type == N_VAR) {
		base = shell_getvar(ev->sh, target->kids[0]->str);
		name = NULL;
		cur = eval_expr(ev, target->kids[1]);
		name = value_to_string(cur);
		value_unref(cur);
		if (base->type == V_HASH) {
			value_hash_set(base, value_string(name), v);
			value_unref(base);
		} else if (base->type == V_OBJECT) {
			copy = value_copy_shallow(base);
			for (i = 0; i < copy->u.obj->nprops; i++) {
				if (strcasecmp(copy->u.obj->props[i].name,
				    name) == 0)
					break;
			}
			if (i < copy->u.obj->nprops) {
				value_unref(copy->u.obj->props[i].val);
				copy->u.obj->props[i].val = v;
			} else
				object_add(copy, name, v);
			shell_setvar(ev->sh, target->kids[0]->str, copy);
			value_unref(base);
		} else {
			eval_runtime_error(ev, target, "PropertyNotFound",
			    "RuntimeException", "The property '%s' cannot be "
			    "found on this object. Verify that the property "
			    "exists and can be set.", name);
			value_unref(base);
			value_unref(v);
		}
		free(name);
		return;
	}
	eval_runtime_error(ev, target, "InvalidLeftHandSide",
	    "RuntimeException", "The assignment expression is not valid.");
	value_unref(v);
}

static void
exec_if(struct eval *ev, struct node *n, struct value *out)
{
	struct value	*c;
	size_t		 i;
	bool		 t;

	for (i = 0; i + 1 < n->nkids; i += 2) {
		struct value	*o = value_array();

		exec_statement(ev, n->kids[i], o);
		c = value_collapse(o);
		t = value_truthy(c);
		value_unref(c);
		if (ev->stop)
			return;
		if (t) {
			exec_block(ev, n->kids[i + 1], out);
			return;
		}
	}
	if (i < n->nkids)
		exec_block(ev, n->kids[i], out);
}

static void
exec_foreach(struct eval *ev, struct node *n, struct value *out)
{
	struct value	*o, *coll;
	size_t		 i;

	o = value_array();
	exec_statement(ev, n->kids[0], o);
	coll = value_collapse(o);
	for (i = 0; i < value_count(coll) && !ev->stop; i++) {
		shell_setvar(ev->sh, n->str, value_ref(value_item(coll, i)));
		exec_block(ev, n->kids[1], out);
	}
	value_unref(coll);
}

static void
exec_throw(struct eval *ev, struct node *n)
{
	struct value	*v;
	struct errrec	*e;
	char		*msg;

	v = n->nkids > 0 ? eval_expr(ev, n->kids[0]) : value_null();
	msg = value_to_string(v);
	value_unref(v);
	e = errrec_create(msg[0] != '\0' ? msg : "ScriptHalted");
	e->kind = ERR_SCRIPT;
	errrec_set(&e->category, xstrdup("OperationStopped"));
	errrec_set(&e->target, xstrdup(msg));
	errrec_set(&e->target_type, xstrdup("String"));
	errrec_set(&e->reason, xstrdup("RuntimeException"));
	errrec_set(&e->fqid, xstrdup(msg[0] != '\0' ? msg : "ScriptHalted"));
	e->src = source_ref(ev->src);
	e->ext = n->ext;
	e->has_position = true;
	free(msg);
	shell_report(ev->sh, e);
	ev->failed = true;
	ev->stop = true;
}

/*
 * One level deeper into the tree or into a script block; false past
 * SHELL_MAX_DEPTH, after PowerShell's error, which stops the script.
 */
static bool
eval_enter(struct eval *ev, struct node *at)
{
	struct errrec	*e;

	if (ev->sh->depth >= SHELL_MAX_DEPTH) {
		e = errrec_create("The script failed due to call depth "
		    "overflow.");
		e->kind = ERR_SCRIPT;
		errrec_set(&e->category, xstrdup("InvalidOperation"));
		errrec_set(&e->target, xstrdup("0"));
		errrec_set(&e->target_type, xstrdup("Int32"));
		errrec_set(&e->reason,
		    xstrdup("ParentContainsErrorRecordException"));
		errrec_set(&e->fqid, xstrdup("CallDepthOverflow"));
		e->src = source_ref(ev->src);
		e->ext = at->ext;
		e->has_position = true;
		shell_report(ev->sh, e);
		ev->failed = true;
		ev->stop = true;
		return (false);
	}
	ev->sh->depth++;
	return (true);
}

static void
eval_leave(struct eval *ev)
{
	ev->sh->depth--;
}

/* A statement; the kinds run here count one level (see eval_enter). */
static void
exec_statement(struct eval *ev, struct node *n, struct value *out)
{
	switch (n->type) {
	case N_ASSIGN:
	case N_IF:
	case N_FOREACH:
	case N_THROW:
	case N_EXIT:
		if (!eval_enter(ev, n))
			return;
		exec_node(ev, n, out);
		eval_leave(ev);
		break;
	default:
		exec_node(ev, n, out);
		break;
	}
}

static void
exec_node(struct eval *ev, struct node *n, struct value *out)
{
	struct value	*v;
	int64_t		 code;
	double		 d;
	bool		 is_int;

	switch (n->type) {
	case N_PIPELINE:
		exec_pipeline(ev, n, out);
		break;
	case N_ASSIGN:
		exec_assign(ev, n);
		break;
	case N_IF:
		exec_if(ev, n, out);
		break;
	case N_FOREACH:
		exec_foreach(ev, n, out);
		break;
	case N_THROW:
		exec_throw(ev, n);
		break;
	case N_EXIT:
		if (n->str != NULL) {	/* return */
			if (n->nkids > 0)
				out_append(out, eval_expr(ev, n->kids[0]));
			ev->stop = true;
			break;
		}
		code = 0;
		if (n->nkids > 0) {
			v = eval_expr(ev, n->kids[0]);
			if (!value_to_number(v, &d, &code, &is_int))
				code = 0;
			value_unref(v);
		}
		ev->sh->exiting = true;
		ev->sh->exit_code = (int)code;
		break;
	default:
		out_append(out, eval_expr(ev, n));
		break;
	}
}

/*
 * Errors raised by the interpreter itself: statement-terminating, shown
 * without a command prefix.
 */
static void
eval_runtime_error(struct eval *ev, struct node *at, const char *id,
    const char *reason, const char *fmt, ...)
{
	struct errrec	*e;
	va_list		 ap;

	va_start(ap, fmt);
	e = errrec_vcreate(ERR_STATEMENT, strcmp(id,
	    "CommandNotFoundException") == 0 ? "ObjectNotFound" :
	    "InvalidOperation", reason, xstrdup(id), ev->src, at->ext, fmt, ap);
	va_end(ap);
	eval_raise(ev, e);
}

/* Report a statement-terminating error record (taken). */
static void
eval_raise(struct eval *ev, struct errrec *e)
{
	if (shell_pref(ev->sh, "ErrorActionPreference") == AP_STOP)
		ev->stop = true;
	shell_report(ev->sh, e);
	ev->failed = true;
}

/*
 * An error of dotnet.c (cleared): statement-terminating, with its own
 * category and target; one about a [type] literal points at it alone.
 */
static void
eval_dotnet_error(struct eval *ev, struct node *at, struct dn_error *err)
{
	struct errrec	*e;
	struct extent	 ext = at->ext;

	if (err->at_type && at->str != NULL)
		ext.end = ext.start + strlen(at->str) + 2;
	e = errrec_create(err->message);
	e->kind = ERR_STATEMENT;
	errrec_set(&e->category, xstrdup(err->category));
	errrec_set(&e->reason, xstrdup(err->reason));
	errrec_set(&e->fqid, xstrdup(err->id));
	if (err->target != NULL) {
		errrec_set(&e->target, xstrdup(err->target));
		errrec_set(&e->target_type, xstrdup(err->target_type));
	}
	e->src = source_ref(ev->src);
	e->ext = ext;
	e->has_position = true;
	dn_error_clear(err);
	eval_raise(ev, e);
}

/*
 * Commands.
 */
struct cmd_args {
	struct bind_arg	*v;		/* names and values are owned */
	size_t		 n;
};

static void
args_add(struct cmd_args *a, const char *name, bool colon,
    struct value *v, struct extent ext)
{
	struct bind_arg	*ba;

	a->v = xreallocarray(a->v, a->n + 1, sizeof *a->v);
	ba = &a->v[a->n++];
	ba->name = name != NULL ? xstrdup(name) : NULL;
	ba->colon = colon;
	ba->v = v;
	ba->ext = ext;
}

static void
args_free(struct cmd_args *a)
{
	size_t	i;

	for (i = 0; i < a->n; i++) {
		value_unref(a->v[i].v);
		free((char *)a->v[i].name);
	}
	free(a->v);
}

/* @splat: a hashtable gives named arguments, an array positional ones. */
static void
args_splat(struct eval *ev, struct cmd_args *a, struct node *n)
{
	struct value	*v, *k;
	char		*key;
	size_t		 i;

	v = shell_getvar(ev->sh, n->str);
	if (v->type == V_HASH) {
		for (i = 0; i < v->u.hash.n; i++) {
			k = v->u.hash.e[i].key;
			key = value_to_string(k);
			args_add(a, key, true, value_ref(v->u.hash.e[i].val),
			    n->ext);
			free(key);
		}
	} else {
		for (i = 0; i < value_count(v); i++)
			args_add(a, NULL, false, value_ref(value_item(v, i)),
			    n->ext);
	}
	value_unref(v);
}

static void
args_eval(struct eval *ev, struct node *cmd, struct cmd_args *a)
{
	struct node	*k;
	struct value	*v;
	size_t		 i;

	for (i = 1; i < cmd->nkids && !ev->failed; i++) {
		k = cmd->kids[i];
		if (k->type == N_PARAM) {
			v = k->nkids > 0 ? eval_expr(ev, k->kids[0]) : NULL;
			args_add(a, k->str, k->flags != 0, v,
			    k->nkids > 0 ? k->kids[0]->ext : k->ext);
			if (k->nkids == 0)
				a->v[a->n - 1].ext = k->ext;
			continue;
		}
		if (k->type == N_SPLAT) {
			args_splat(ev, a, k);
			continue;
		}
		args_add(a, NULL, false, eval_expr(ev, k), k->ext);
	}
}

static const struct cmdlet_entry *
command_lookup(const char *name)
{
	const struct cmdlet_entry	*ce;
	const char			*real;
	char				*with_get;

	real = alias_resolve(name);
	if ((ce = cmdlet_find(real != NULL ? real : name)) != NULL)
		return (ce);
	with_get = xprintf("Get-%s", name);
	ce = cmdlet_find(with_get);
	free(with_get);
	return (ce);
}

static bool
cmdlet_takes_input(const struct cmdlet_entry *ce)
{
	const struct param_entry	*p;

	for (p = ce->params; p != NULL && p->name != NULL; p++) {
		if (p->flags & (P_PIPELINE | P_BYNAME))
			return (true);
	}
	return (false);
}

/* Apply the common parameters to the context. */
static void
ctx_common(struct cmd_ctx *ctx)
{
	struct shell	*sh = ctx->sh;
	struct value	*v;
	char		*s;

	if ((v = bound_get(ctx->args, "ErrorAction")) != NULL) {
		s = value_to_string(v);
		ctx->ea = shell_pref_parse(s);
		free(s);
	} else
		ctx->ea = shell_pref(sh, "ErrorActionPreference");
	ctx->whatif = bound_switch(ctx->args, "WhatIf");
	if (!bound_has(ctx->args, "WhatIf")) {
		v = shell_getvar(sh, "WhatIfPreference");
		ctx->whatif = value_truthy(v);
		value_unref(v);
	}
	if (bound_has(ctx->args, "Confirm"))
		ctx->confirm = bound_switch(ctx->args, "Confirm");
	else
		ctx->confirm = (ctx->entry->flags & C_CONFIRM) != 0;
	if (bound_has(ctx->args, "Verbose"))
		ctx->verbose = bound_switch(ctx->args, "Verbose");
	else
		ctx->verbose = shell_pref(sh, "VerbosePreference") ==
		    AP_CONTINUE;
}

/* A command of a pipeline: one level (see eval_enter). */
static void
exec_command(struct eval *ev, struct node *cmd, struct value **input,
    size_t ninput, bool piped, struct value *out)
{
	if (!eval_enter(ev, cmd))
		return;
	exec_command_node(ev, cmd, input, ninput, piped, out);
	eval_leave(ev);
}

/* The command itself: name, arguments, binding, the cmdlet. */
static void
exec_command_node(struct eval *ev, struct node *cmd, struct value **input,
    size_t ninput, bool piped, struct value *out)
{
	const struct cmdlet_entry	*ce;
	struct cmd_args			 a;
	struct bind_call		 call;
	struct cmd_ctx			 ctx;
	struct value			*namev;
	enum exec_status		 st = EXEC_OK;
	char				*name;

	namev = eval_expr(ev, cmd->kids[0]);
	name = value_to_string(namev);
	value_unref(namev);
	if (ev->failed) {
		free(name);
		return;
	}
	if ((ce = command_lookup(name)) == NULL) {
		eval_runtime_error(ev, cmd->kids[0], "CommandNotFoundException",
		    "CommandNotFoundException", "The term '%s' is not "
		    "recognized as the name of a cmdlet, function, script "
		    "file, or operable program. Check the spelling of the "
		    "name, or if a path was included, verify that the path "
		    "is correct and try again.", name);
		free(name);
		return;
	}
	memset(&a, 0, sizeof a);
	args_eval(ev, cmd, &a);
	if (ev->failed) {
		args_free(&a);
		free(name);
		return;
	}
	memset(&ctx, 0, sizeof ctx);
	call.entry = ce;
	call.invocation = name;
	call.cmd = cmd;
	call.src = ev->src;
	call.args = a.v;
	call.nargs = a.n;
	call.pipeline_input = piped;
	ctx.args = bind_command(ev->sh, &call, &st);
	args_free(&a);
	if (ctx.args == NULL) {
		ev->failed = true;
		if (st == EXEC_STOP || shell_pref(ev->sh,
		    "ErrorActionPreference") == AP_STOP)
			ev->stop = true;
		free(name);
		return;
	}
	ctx.sh = ev->sh;
	ctx.entry = ce;
	ctx.invocation = name;
	ctx.node = cmd;
	ctx.src = ev->src;
	ctx.input = input;
	ctx.ninput = ninput;
	ctx.piped = piped;
	ctx.out = out;
	ctx_common(&ctx);
	if (piped && ninput > 0 && !cmdlet_takes_input(ce)) {
		cmd_error(&ctx, ERR_NONTERMINATING, "InvalidArgument",
		    "ParameterBindingException", "InputObjectNotBound",
		    "The input object cannot be bound to any parameters for "
		    "the command either because the command does not take "
		    "pipeline input or the input and its properties do not "
		    "match any of the parameters that take pipeline input.");
	} else
		ce->exec(&ctx);
	if (ctx.failed)
		ev->failed = true;
	if (ctx.stop)
		ev->stop = true;
	bound_free(ctx.args);
	free(name);
}

static void
exec_pipeline(struct eval *ev, struct node *n, struct value *out)
{
	struct value	*cur, *next;
	size_t		 i;
	bool		 failed;

	cur = NULL;
	ev->sh->pipeline_depth++;
	for (i = 0; i < n->nkids && !ev->stop; i++) {
		next = value_array();
		if (n->kids[i]->type != N_COMMAND)
			out_append(next, eval_expr(ev, n->kids[i]));
		else {
			/*
			 * A non-terminating error of an earlier command does
			 * not keep this one from running on what it wrote
			 * (Test-SendConnector | fl): the command starts
			 * clean, and the statement still counts as failed.
			 */
			failed = ev->failed;
			ev->failed = false;
			exec_command(ev, n->kids[i], cur != NULL ?
			    cur->u.arr.v : NULL, cur != NULL ? cur->u.arr.n :
			    0, i > 0, next);
			ev->failed = ev->failed || failed;
		}
		if (cur != NULL)
			value_unref(cur);
		cur = next;
		/* A statement-terminating error stops the pipeline. */
		if (ev->failed && i + 1 < n->nkids && cur->u.arr.n == 0)
			break;
	}
	ev->sh->pipeline_depth--;
	if (cur != NULL) {
		for (i = 0; i < cur->u.arr.n; i++)
			value_array_push(out, value_ref(cur->u.arr.v[i]));
		value_unref(cur);
	}
}

/* Run a script block with $_ bound; all output as one array. */
static struct value *
eval_script_block(struct shell *sh, struct value *script,
    struct value *under, bool *failed, bool *stop)
{
	struct value	*saved, *out;
	struct eval	 ev;

	out = value_array();
	if (script->type != V_SCRIPT)
		return (out);
	memset(&ev, 0, sizeof ev);
	ev.sh = sh;
	ev.src = script->u.script.src;
	saved = dollar_under;
	dollar_under = under;
	exec_block(&ev, script->u.script.body->kids[0], out);
	dollar_under = saved;
	if (failed != NULL)
		*failed = ev.failed;
	if (stop != NULL)
		*stop = ev.stop && !sh->exiting ? true : ev.stop;
	return (out);
}

struct value *
shell_eval_script(struct shell *sh, struct value *script,
    struct value *under)
{
	return (value_collapse(eval_script_block(sh, script, under, NULL,
	    NULL)));
}

struct value *
cmd_invoke_script(struct cmd_ctx *ctx, struct value *script,
    struct value *under, bool *failed)
{
	bool	stop = false;
	struct value	*v;

	v = eval_script_block(ctx->sh, script, under, failed, &stop);
	if (stop)
		ctx->stop = true;
	return (v);
}

/*
 * Expressions.
 */
static struct value *
eval_xstring(struct eval *ev, struct node *n)
{
	struct buf	 b;
	struct value	*v, *out;
	char		*s;
	size_t		 i, k = 0;

	buf_init(&b);
	for (i = 0; i < n->nparts; i++) {
		switch (n->parts[i].type) {
		case XP_TEXT:
			buf_adds(&b, n->parts[i].text);
			continue;
		case XP_VAR:
			v = shell_getvar(ev->sh, n->parts[i].text);
			break;
		default:
			out = value_array();
			if (k < n->nkids)
				exec_block(ev, n->kids[k++], out);
			v = value_collapse(out);
			break;
		}
		s = value_to_string(v);
		buf_adds(&b, s);
		free(s);
		value_unref(v);
	}
	s = buf_detach(&b);
	return (value_string_take(s));
}

static struct value *
eval_hash(struct eval *ev, struct node *n)
{
	struct value	*h, *k, *out;
	size_t		 i;

	h = value_hash();
	for (i = 0; i + 1 < n->nkids && !ev->failed; i += 2) {
		k = eval_expr(ev, n->kids[i]);
		out = value_array();
		exec_statement(ev, n->kids[i + 1], out);
		value_hash_set(h, k, value_collapse(out));
	}
	return (h);
}

static struct value *
eval_member(struct eval *ev, struct node *n)
{
	struct value	*obj, *namev, *v;
	char		*name;

	obj = eval_expr(ev, n->kids[0]);
	namev = eval_expr(ev, n->kids[1]);
	name = value_to_string(namev);
	v = dotnet_member(obj, name);
	free(name);
	value_unref(namev);
	value_unref(obj);
	return (v);
}

static struct value *
eval_index(struct eval *ev, struct node *n)
{
	struct value	*obj, *idx, *v;
	int64_t		 i;
	double		 d;
	bool		 is_int;
	char		*key;

	obj = eval_expr(ev, n->kids[0]);
	idx = eval_expr(ev, n->kids[1]);
	if ((v = dotnet_index(obj, idx)) != NULL) {
		value_unref(obj);
		value_unref(idx);
		return (v);
	}
	v = value_null();
	if (obj->type == V_HASH) {
		key = value_to_string(idx);
		if (value_hash_get(obj, key) != NULL)
			v = value_ref(value_hash_get(obj, key));
		free(key);
	} else if (value_to_number(idx, &d, &i, &is_int)) {
		if (obj->type == V_ARRAY) {
			if (i < 0)
				i += (int64_t)obj->u.arr.n;
			if (i >= 0 && (size_t)i < obj->u.arr.n)
				v = value_ref(obj->u.arr.v[i]);
		} else if (obj->type != V_NULL && (i == 0 || i == -1))
			v = value_ref(obj);
	}
	value_unref(obj);
	value_unref(idx);
	return (v);
}

/* The values of the argument nodes kids[first..] (caller frees). */
static struct value **
eval_args(struct eval *ev, struct node *n, size_t first, size_t *nargs)
{
	struct value	**args;
	size_t		  i;

	*nargs = n->nkids > first ? n->nkids - first : 0;
	args = xcalloc(*nargs + 1, sizeof *args);
	for (i = 0; i < *nargs; i++)
		args[i] = eval_expr(ev, n->kids[first + i]);
	return (args);
}

static void
eval_args_free(struct value **args, size_t nargs)
{
	size_t	i;

	for (i = 0; i < nargs; i++)
		value_unref(args[i]);
	free(args);
}

/* $obj.Method(args) (dotnet.c). */
static struct value *
eval_invoke(struct eval *ev, struct node *n)
{
	struct value	*obj, *namev, **args, *v;
	struct dn_error	 err;
	size_t		 nargs;
	char		*m;

	obj = eval_expr(ev, n->kids[0]);
	namev = eval_expr(ev, n->kids[1]);
	m = value_to_string(namev);
	value_unref(namev);
	args = eval_args(ev, n, 2, &nargs);
	memset(&err, 0, sizeof err);
	if (ev->failed)
		v = value_null();
	else if ((v = dotnet_invoke(obj, m, args, nargs, &err)) == NULL) {
		eval_dotnet_error(ev, n, &err);
		v = value_null();
	}
	eval_args_free(args, nargs);
	free(m);
	value_unref(obj);
	return (v);
}

/* [type]::Member and [type]::Method(args) (dotnet.c). */
static struct value *
eval_static(struct eval *ev, struct node *n)
{
	struct value	**args, *v;
	struct dn_error	  err;
	size_t		  nargs;

	args = eval_args(ev, n, 1, &nargs);
	memset(&err, 0, sizeof err);
	if (ev->failed)
		v = value_null();
	else if ((v = dotnet_static(n->str, n->kids[0]->val->u.s,
	    (n->flags & NF_CALL) != 0, args, nargs, &err)) == NULL) {
		eval_dotnet_error(ev, n, &err);
		v = value_null();
	}
	eval_args_free(args, nargs);
	return (v);
}

/* [type]value, and [type] alone (N_TYPE): dotnet.c. */
static struct value *
eval_cast(struct eval *ev, struct node *n)
{
	struct value	*v, *r;
	struct dn_error	 err;

	memset(&err, 0, sizeof err);
	if (n->type == N_TYPE)
		r = dotnet_type_value(n->str, &err);
	else {
		v = eval_expr(ev, n->kids[0]);
		r = ev->failed ? value_null() : dotnet_cast(n->str, v, &err);
		value_unref(v);
	}
	if (r == NULL) {
		eval_dotnet_error(ev, n, &err);
		r = value_null();
	}
	return (r);
}

/* An expression: one level, but for a pipeline (its commands count). */
static struct value *
eval_expr(struct eval *ev, struct node *n)
{
	struct value	*v;

	if (ev->stop)
		return (value_null());
	if (n->type == N_PIPELINE || n->type == N_COMMAND)
		return (eval_node(ev, n));
	if (!eval_enter(ev, n))
		return (value_null());
	v = eval_node(ev, n);
	eval_leave(ev);
	return (v);
}

static struct value *
eval_node(struct eval *ev, struct node *n)
{
	struct value	*v, *out;
	size_t		 i;

	switch (n->type) {
	case N_CONST:
		return (value_ref(n->val));
	case N_XSTRING:
		return (eval_xstring(ev, n));
	case N_VAR:
		return (shell_getvar(ev->sh, n->str));
	case N_SPLAT:
		return (shell_getvar(ev->sh, n->str));
	case N_ARRAY:
		v = value_array();
		for (i = 0; i < n->nkids; i++)
			value_array_push(v, eval_expr(ev, n->kids[i]));
		return (v);
	case N_ARRAY_SUB:
		out = value_array();
		exec_block(ev, n->kids[0], out);
		return (out);
	case N_SUBEXPR:
		out = value_array();
		exec_block(ev, n->kids[0], out);
		return (value_collapse(out));
	case N_PAREN:
		return (eval_assign_value(ev, n->kids[0]));
	case N_HASH:
		return (eval_hash(ev, n));
	case N_SCRIPT:
		return (value_script(n, ev->src));
	case N_MEMBER:
		return (eval_member(ev, n));
	case N_INDEX:
		return (eval_index(ev, n));
	case N_INVOKE:
		return (eval_invoke(ev, n));
	case N_STATIC:
		return (eval_static(ev, n));
	case N_CAST:
	case N_TYPE:
		return (eval_cast(ev, n));
	case N_UNARY:
		return (eval_unary(ev, n));
	case N_BINARY:
		return (eval_binary(ev, n));
	case N_PIPELINE:
	case N_COMMAND:
		out = value_array();
		exec_statement(ev, n, out);
		return (value_collapse(out));
	default:
		return (value_null());
	}
}

/* -match: sets $Matches (strops.c) when it matches and set_matches. */
static bool
regex_match(struct eval *ev, struct node *n, const char *s,
    const char *pat, bool cs, bool set_matches)
{
	struct value	*h;
	const char	*id;
	char		*err;
	int		 r;

	if ((r = strop_match(s, pat, cs, &h, &id, &err)) < 0) {
		eval_runtime_error(ev, n, id, "RuntimeException", "%s", err);
		free(err);
		return (false);
	}
	if (h != NULL && set_matches)
		shell_setvar(ev->sh, "Matches", h);
	else
		value_unref(h);
	return (r == 1);
}

/* One comparison of two scalars: true when the operator holds. */
static bool
cmp_op(struct eval *ev, struct node *n, struct value *l, struct value *r,
    bool set_matches)
{
	bool	 cs = (n->flags & NF_CASE) != 0, ok, res = false;
	char	*ls, *rs;
	int	 c;

	switch (n->op) {
	case OP_EQ: case OP_NE:
		c = value_compare(l, r, cs, &ok);
		res = ok && c == 0;
		return (n->op == OP_EQ ? res : !res);
	case OP_GT: case OP_GE: case OP_LT: case OP_LE:
		c = value_compare(l, r, cs, &ok);
		if (!ok)
			return (false);
		if (n->op == OP_GT)
			return (c > 0);
		if (n->op == OP_GE)
			return (c >= 0);
		if (n->op == OP_LT)
			return (c < 0);
		return (c <= 0);
	default:
		break;
	}
	ls = value_to_string(l);
	rs = value_to_string(r);
	switch (n->op) {
	case OP_LIKE:
	case OP_NOTLIKE:
		res = wildcard_match(rs, ls, cs);
		res = n->op == OP_LIKE ? res : !res;
		break;
	case OP_MATCH:
	case OP_NOTMATCH:
		res = regex_match(ev, n, ls, rs, cs, set_matches);
		res = n->op == OP_MATCH ? res : !res;
		break;
	default:
		break;
	}
	free(ls);
	free(rs);
	return (res);
}

static bool
op_is_filter(enum op op)
{
	switch (op) {
	case OP_EQ: case OP_NE: case OP_GT: case OP_GE: case OP_LT:
	case OP_LE: case OP_LIKE: case OP_NOTLIKE: case OP_MATCH:
	case OP_NOTMATCH:
		return (true);
	default:
		return (false);
	}
}

static bool
contains(struct eval *ev, struct node *n, struct value *coll,
    struct value *item)
{
	struct node	eq = *n;
	size_t		i;

	eq.op = OP_EQ;
	for (i = 0; i < value_count(coll); i++) {
		if (cmp_op(ev, &eq, value_item(coll, i), item, false))
			return (true);
	}
	return (false);
}

static struct value *
arith(struct eval *ev, struct node *n, struct value *l, struct value *r)
{
	struct dn_error	 err;
	struct value	*v;
	double		 ld, rd;
	int64_t		 li, ri, res;
	bool		 lint, rint;
	char		*ls, *rs;
	size_t		 i;

	if (n->op == OP_PLUS && (l->type == V_ARRAY)) {
		v = value_copy_shallow(l);
		for (i = 0; i < value_count(r); i++)
			value_array_push(v, value_ref(value_item(r, i)));
		return (v);
	}
	if (l->type == V_DATE || l->type == V_TIMESPAN) {
		memset(&err, 0, sizeof err);
		if ((v = dotnet_arith(n->op, l, r, &err)) != NULL)
			return (v);
		if (err.id != NULL) {
			eval_dotnet_error(ev, n, &err);
			return (value_null());
		}
	}
	if (n->op == OP_PLUS && l->type == V_STRING) {
		ls = value_to_string(l);
		rs = value_to_string(r);
		v = value_string_take(xprintf("%s%s", ls, rs));
		free(ls);
		free(rs);
		return (v);
	}
	if (!value_to_number(l, &ld, &li, &lint) ||
	    !value_to_number(r, &rd, &ri, &rint)) {
		eval_runtime_error(ev, n, "OperatorFailed", "RuntimeException",
		    "The operator '%s' cannot be used with these operands.",
		    op_name(n->op));
		return (value_null());
	}
	/* Integers stay integers until they overflow, then are doubles. */
	if (lint && rint && n->op != OP_DIV) {
		switch (n->op) {
		case OP_PLUS:
			if (!__builtin_add_overflow(li, ri, &res))
				return (value_int(res));
			break;
		case OP_MINUS:
			if (!__builtin_sub_overflow(li, ri, &res))
				return (value_int(res));
			break;
		case OP_MUL:
			if (!__builtin_mul_overflow(li, ri, &res))
				return (value_int(res));
			break;
		case OP_MOD:
			if (ri == 0)
				break;
			return (value_int(ri == -1 ? 0 : li % ri));
		default: break;
		}
	}
	switch (n->op) {
	case OP_PLUS: return (value_double(ld + rd));
	case OP_MINUS: return (value_double(ld - rd));
	case OP_MUL: return (value_double(ld * rd));
	case OP_DIV:
		if (rd == 0)
			break;
		if (lint && rint && ri != -1 && li % ri == 0)
			return (value_int(li / ri));
		return (value_double(ld / rd));
	default: break;
	}
	eval_runtime_error(ev, n, "RuntimeException", "RuntimeException",
	    "Attempted to divide by zero.");
	return (value_null());
}

static struct value *
eval_binary_values(struct eval *ev, struct node *n, struct value *l,
    struct value *r)
{
	struct value	*res;
	size_t		 i;

	if (op_is_filter(n->op) && l->type == V_ARRAY) {
		res = value_array();
		for (i = 0; i < l->u.arr.n; i++) {
			if (cmp_op(ev, n, l->u.arr.v[i], r, false))
				value_array_push(res, value_ref(l->u.arr.v[i]));
		}
		return (res);
	}
	if (op_is_filter(n->op))
		return (value_bool(cmp_op(ev, n, l, r, true)));
	switch (n->op) {
	case OP_CONTAINS:
		return (value_bool(contains(ev, n, l, r)));
	case OP_NOTCONTAINS:
		return (value_bool(!contains(ev, n, l, r)));
	case OP_IN:
		return (value_bool(contains(ev, n, r, l)));
	case OP_NOTIN:
		return (value_bool(!contains(ev, n, r, l)));
	case OP_PLUS: case OP_MINUS: case OP_MUL: case OP_DIV: case OP_MOD:
		return (arith(ev, n, l, r));
	case OP_JOIN:
		return (eval_join(l, r));
	case OP_RANGE:
		return (eval_range(ev, n, l, r));
	case OP_REPLACE: case OP_SPLIT: case OP_F:
		return (eval_strop(ev, n, l, r));
	case OP_IS: case OP_ISNOT: case OP_AS:
		return (eval_typeop(ev, n, l, r));
	case OP_BAND: case OP_BOR: case OP_BXOR: case OP_SHL: case OP_SHR:
		return (eval_bitwise(ev, n, l, r));
	default:
		eval_runtime_error(ev, n, "OperatorNotSupported",
		    "RuntimeException", "The '-%s' operator is not supported "
		    "by hubsh.", op_name(n->op));
		return (value_null());
	}
}

/* -is, -isnot and -as (dotnet.c). */
static struct value *
eval_typeop(struct eval *ev, struct node *n, struct value *l,
    struct value *r)
{
	struct dn_error	 err;
	struct value	*res;

	memset(&err, 0, sizeof err);
	if ((res = dotnet_typeop(n->op, l, r, &err)) == NULL) {
		eval_dotnet_error(ev, n->kids[1], &err);
		res = value_null();
	}
	return (res);
}

/*
 * An operand of the bitwise operators as a whole number: a double is
 * rounded half to even, text read as a number (Int32, else Int64), as
 * PowerShell converts; false after the error.
 */
static bool
bitwise_operand(struct eval *ev, struct node *n, struct value *v,
    int64_t *i, bool *wide)
{
	struct dn_error	 err;
	struct value	*num;

	memset(&err, 0, sizeof err);
	if (v->type != V_STRING)
		num = dotnet_cast("long", v, NULL);
	else if ((num = dotnet_cast("int", v, &err)) == NULL &&
	    (num = dotnet_cast("long", v, NULL)) == NULL) {
		eval_dotnet_error(ev, n, &err);
		return (false);
	}
	dn_error_clear(&err);
	if (num == NULL) {
		eval_runtime_error(ev, n, "OperatorFailed", "RuntimeException",
		    "The operator '-%s' cannot be used with these operands.",
		    op_name(n->op));
		return (false);
	}
	*i = num->u.i;
	*wide = *wide || *i < INT32_MIN || *i > INT32_MAX;
	value_unref(num);
	return (true);
}

/*
 * -band -bor -bxor, and -shl -shr: on Int32 when both operands fit one
 * (the shift count masked to 0-31, the result wrapped), else on Int64.
 */
static struct value *
eval_bitwise(struct eval *ev, struct node *n, struct value *l,
    struct value *r)
{
	int64_t	a, b, res;
	bool	wide = false;

	if (!bitwise_operand(ev, n, l, &a, &wide) ||
	    !bitwise_operand(ev, n, r, &b, &wide))
		return (value_null());
	switch (n->op) {
	case OP_BAND:
		res = a & b;
		break;
	case OP_BOR:
		res = a | b;
		break;
	case OP_BXOR:
		res = a ^ b;
		break;
	case OP_SHL:
		res = wide ? (int64_t)((uint64_t)a << (b & 63)) :
		    (int32_t)((uint32_t)a << (b & 31));
		break;
	default:
		res = wide ? a >> (b & 63) : (int32_t)a >> (b & 31);
		break;
	}
	return (value_int(res));
}

static struct value *
eval_binary(struct eval *ev, struct node *n)
{
	struct value	*l, *r, *res;
	bool		 lt;

	l = eval_expr(ev, n->kids[0]);
	if (n->op == OP_AND || n->op == OP_OR || n->op == OP_XOR) {
		lt = value_truthy(l);
		value_unref(l);
		if (n->op == OP_AND && !lt)
			return (value_bool(false));
		if (n->op == OP_OR && lt)
			return (value_bool(true));
		r = eval_expr(ev, n->kids[1]);
		res = value_bool(n->op == OP_XOR ? lt != value_truthy(r) :
		    value_truthy(r));
		value_unref(r);
		return (res);
	}
	r = eval_expr(ev, n->kids[1]);
	res = ev->failed ? value_null() : eval_binary_values(ev, n, l, r);
	value_unref(l);
	value_unref(r);
	return (res);
}

static struct value *
eval_unary(struct eval *ev, struct node *n)
{
	struct value	*v, *res, zero = { V_INT, 1, { 0 } };
	struct value	 all_ones = { V_INT, 1, { .i = -1 } };
	struct node	 sub = *n;

	v = eval_expr(ev, n->kids[0]);
	switch (n->op) {
	case OP_NOT:
	case OP_BANG:
		res = value_bool(!value_truthy(v));
		break;
	case OP_MINUS:
		sub.op = OP_MINUS;
		res = arith(ev, &sub, &zero, v);
		break;
	case OP_PLUS:
		res = value_ref(v);
		break;
	case OP_JOIN:
		res = eval_join(v, NULL);
		break;
	case OP_SPLIT:
		res = eval_strop(ev, n, v, NULL);
		break;
	case OP_BNOT:
		sub.op = OP_BXOR;
		res = eval_bitwise(ev, &sub, v, &all_ones);
		break;
	default:
		res = value_null();
		break;
	}
	value_unref(v);
	return (res);
}

/* -replace, -split (r NULL: the unary form) and -f (strops.c). */
static struct value *
eval_strop(struct eval *ev, struct node *n, struct value *l, struct value *r)
{
	struct value	*res;
	const char	*id = NULL;
	char		*err = NULL;
	bool		 cs = (n->flags & NF_CASE) != 0;

	if (n->op == OP_REPLACE)
		res = strop_replace(l, r, cs, &id, &err);
	else if (n->op == OP_SPLIT)
		res = strop_split(l, r, cs, &id, &err);
	else
		res = strop_format(l, r, &id, &err);
	if (res != NULL)
		return (res);
	eval_runtime_error(ev, n, id, "RuntimeException", "%s", err);
	free(err);
	return (value_null());
}

static struct value *
eval_join(struct value *l, struct value *sep)
{
	struct buf	 b;
	char		*s, *sp;
	size_t		 i;

	sp = sep != NULL ? value_to_string(sep) : xstrdup("");
	buf_init(&b);
	for (i = 0; i < value_count(l); i++) {
		if (i > 0)
			buf_adds(&b, sp);
		s = value_to_string(value_item(l, i));
		buf_adds(&b, s);
		free(s);
	}
	free(sp);
	return (value_string_take(buf_detach(&b)));
}

static struct value *
eval_range(struct eval *ev, struct node *n, struct value *l, struct value *r)
{
	struct value	*a;
	double		 d;
	int64_t		 from, to, i;
	bool		 is_int;

	if (!value_to_number(l, &d, &from, &is_int) ||
	    !value_to_number(r, &d, &to, &is_int) ||
	    (to > from ? to - from : from - to) > 1000000) {
		eval_runtime_error(ev, n, "RangeFailed", "RuntimeException",
		    "The range operator needs two numbers at most 1000000 "
		    "apart.");
		return (value_null());
	}
	a = value_array();
	for (i = from;; i += from <= to ? 1 : -1) {
		value_array_push(a, value_int(i));
		if (i == to)
			break;
	}
	return (a);
}
