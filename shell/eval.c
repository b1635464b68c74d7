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

#include "eval_int.h"
#include "xmalloc.h"

static void		 exec_assign(struct eval *, struct node *);
static void		 exec_pipeline(struct eval *, struct node *,
			    struct value *);
static void		 exec_command(struct eval *, struct node *,
			    struct value **, size_t, bool, struct value *);
static void		 exec_command_node(struct eval *, struct node *,
			    struct value **, size_t, bool, struct value *);
static void		 exec_command_target(struct eval *, struct node *,
			    struct value **, size_t, bool, struct value *);
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

void
shell_print_value(struct shell *sh, struct value *v)
{
	struct value	**items;
	size_t		  n, i;

	n = value_count(v);
	if (n == 0)
		return;
	items = xcalloc(n, sizeof *items);
	for (i = 0; i < n; i++)
		items[i] = value_item(v, i);
	shell_print_text(sh, format_stream(sh, items, n));
	free(items);
}

/* The end of a script's or a line's output: Out-Default closes. */
static void
shell_print_end(struct shell *sh)
{
	shell_print_text(sh, format_stream_end(sh));
}

/* Keep a parsed tree alive for the session: script blocks point into it. */
void
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
	struct eval		 ev;
	enum exec_status	 st = EXEC_OK;
	size_t			 i;
	bool			 traps;

	tree = parse_script(src, 0, src->len, &perr);
	if (tree == NULL) {
		shell_report(sh, errrec_parse(&perr, src, ERR_SCRIPT));
		parse_error_clear(&perr);
		sh->last_ok = false;
		return (EXEC_STOP);
	}
	shell_keep_tree(sh, tree, src);
	memset(&ev, 0, sizeof ev);
	ev.sh = sh;
	ev.src = src;
	if (tree->nkids > 0 && tree->kids[0]->type == N_PARAMBLOCK &&
	    func_bind_script(sh, src, tree->kids[0]) != 0) {
		sh->last_ok = false;
		return (EXEC_STOP);
	}
	if ((traps = block_has_trap(tree)))
		sh->try_depth++;
	for (i = 0; i < tree->nkids; i++) {
		struct value	*out = value_array();

		ev.failed = false;
		ev.halted = false;
		shell_live_push(sh, out);
		exec_statement(&ev, tree->kids[i], out);
		if (traps && sh->flow == FLOW_THROW)
			trap_run(&ev, tree, out);
		shell_live_pop(sh);
		shell_print_value(sh, out);
		value_unref(out);
		if (!sh->exiting)
			sh->last_ok = !ev.failed;
		if (ev_unwinding(&ev)) {
			st = sh->flow == FLOW_STOP || sh->exiting ? EXEC_STOP :
			    EXEC_OK;
			break;
		}
	}
	if (traps) {
		sh->try_depth--;
		if (sh->flow == FLOW_THROW && sh->try_depth == 0) {
			flow_uncaught(&ev);
			st = EXEC_STOP;
		}
	}
	shell_print_end(sh);
	/* A break, continue or return at the top ends the script quietly. */
	free(sh->flow_label);
	sh->flow_label = NULL;
	sh->flow = FLOW_NONE;
	return (st);
}

enum exec_status
exec_block(struct eval *ev, struct node *block, struct value *out)
{
	struct shell		*sh = ev->sh;
	enum exec_status	 st = EXEC_OK;
	size_t			 i;
	bool			 traps = block_has_trap(block);

	if (traps)
		sh->try_depth++;
	for (i = 0; i < block->nkids; i++) {
		if (shell_check_interrupt(sh)) {
			st = EXEC_STOP;
			break;
		}
		ev->failed = false;
		ev->halted = false;
		exec_statement(ev, block->kids[i], out);
		if (traps && sh->flow == FLOW_THROW)
			trap_run(ev, block, out);
		if (!sh->exiting)
			sh->last_ok = !ev->failed;
		if (ev_unwinding(ev)) {
			st = EXEC_STOP;
			break;
		}
	}
	if (traps) {
		sh->try_depth--;
		if (sh->flow == FLOW_THROW && sh->try_depth == 0)
			flow_uncaught(ev);
	}
	return (st);
}

/* Run a block of another tree (a function's) in the current scope. */
void
shell_run_block(struct shell *sh, struct source *src, struct node *block,
    struct value *out)
{
	struct eval	ev;

	memset(&ev, 0, sizeof ev);
	ev.sh = sh;
	ev.src = src;
	exec_block(&ev, block, out);
}

/* Evaluate one expression node of a tree in the current scope. */
struct value *
shell_eval_node(struct shell *sh, struct source *src, struct node *n)
{
	struct eval	ev;

	memset(&ev, 0, sizeof ev);
	ev.sh = sh;
	ev.src = src;
	return (eval_expr(&ev, n));
}

void
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

/* The binary operator a compound assignment applies. */
static enum op
assign_op(enum op op)
{
	switch (op) {
	case OP_PLUS_ASSIGN: case OP_INC: return (OP_PLUS);
	case OP_MINUS_ASSIGN: case OP_DEC: return (OP_MINUS);
	case OP_MUL_ASSIGN: return (OP_MUL);
	case OP_DIV_ASSIGN: return (OP_DIV);
	case OP_MOD_ASSIGN: return (OP_MOD);
	default: return (OP_NONE);
	}
}

/* $h[key] = v and $a[i] = v: hashtables and arrays change in place. */
static void
assign_index(struct eval *ev, struct node *target, struct value *v)
{
	struct value	*base, *idx;
	int64_t		 i;
	double		 d;
	bool		 is_int;

	base = eval_expr(ev, target->kids[0]);
	idx = eval_expr(ev, target->kids[1]);
	if (base->type == V_HASH)
		value_hash_set(base, value_ref(idx), value_ref(v));
	else if (base->type == V_ARRAY && value_to_number(idx, &d, &i,
	    &is_int) && (i += i < 0 ? (int64_t)base->u.arr.n : 0) >= 0 &&
	    (size_t)i < base->u.arr.n) {
		value_unref(base->u.arr.v[i]);
		base->u.arr.v[i] = value_ref(v);
	} else if (base->type == V_ARRAY)
		eval_runtime_error(ev, target, "IndexOutOfRange",
		    "RuntimeException", "Index was outside the bounds of the "
		    "array.");
	else if (base->type == V_NULL)
		eval_runtime_error(ev, target, "NullArray", "RuntimeException",
		    "Cannot index into a null array.");
	else
		eval_runtime_error(ev, target, "CannotIndex",
		    "RuntimeException", "Unable to index into an object of "
		    "type %s.", value_type_name(base));
	value_unref(idx);
	value_unref(base);
	value_unref(v);
}

/* $obj.Name = v: a hashtable's key, or a property of a copy. */
static void
assign_member(struct eval *ev, struct node *target, struct value *v)
{
	struct value	*base, *cur, *copy;
	char		*name;
	size_t		 i;

	base = shell_getvar(ev->sh, target->kids[0]->str);
	cur = eval_expr(ev, target->kids[1]);
	name = value_to_string(cur);
	value_unref(cur);
	if (base->type == V_HASH) {
		value_hash_set(base, value_string(name), v);
		value_unref(base);
	} else if (base->type == V_OBJECT) {
		copy = value_copy_shallow(base);
		for (i = 0; i < copy->u.obj->nprops; i++) {
			if (strcasecmp(copy->u.obj->props[i].name, name) == 0)
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
		    "RuntimeException", "The property '%s' cannot be found on "
		    "this object. Verify that the property exists and can be "
		    "set.", name);
		value_unref(base);
		value_unref(v);
	}
	free(name);
}

/* Store v (taken) where an assignment's left side says. */
static void
assign_to(struct eval *ev, struct node *target, struct value *v)
{
	if (target->type == N_VAR)
		shell_setvar(ev->sh, target->str, v);
	else if (target->type == N_MEMBER && target->kids[0]->type == N_VAR)
		assign_member(ev, target, v);
	else if (target->type == N_INDEX)
		assign_index(ev, target, v);
	else if (target->type == N_CAST && target->kids[0]->type == N_VAR)
		/* [int]$n = '5', converted by eval_constrain. */
		shell_setvar(ev->sh, target->kids[0]->str, v);
	else {
		eval_runtime_error(ev, target, "InvalidLeftHandSide",
		    "RuntimeException", "The assignment expression is not "
		    "valid.");
		value_unref(v);
	}
}

/* cur op v for a compound assignment; += on an array appends. */
static struct value *
assign_combine(struct eval *ev, struct node *n, enum op op,
    struct value *cur, struct value *v)
{
	struct node	 fake;
	struct value	*res;
	size_t		 i;

	if (op == OP_PLUS && (cur->type == V_ARRAY || cur->type == V_NULL) &&
	    n->op == OP_PLUS_ASSIGN) {
		res = cur->type == V_NULL ? value_array() :
		    value_copy_shallow(cur);
		for (i = 0; i < value_count(v); i++)
			value_array_push(res, value_ref(value_item(v, i)));
		return (res);
	}
	memset(&fake, 0, sizeof fake);
	fake.type = N_BINARY;
	fake.op = op;
	fake.ext = n->ext;
	return (eval_binary_values(ev, &fake, cur, v));
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
	/* $a = $b = 0: an assignment's value is what it assigned. */
	if (rhs->type == N_ASSIGN) {
		exec_assign(ev, rhs);
		if (ev->failed || ev_unwinding(ev))
			return (value_null());
		return (eval_expr(ev, rhs->kids[0]));
	}
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
	struct value	*v, *cur, *res;

	v = eval_assign_value(ev, n->kids[1]);
	if (ev_unwinding(ev)) {
		value_unref(v);
		return;
	}
	if (n->op != OP_ASSIGN) {
		cur = eval_expr(ev, n->kids[0]);
		res = assign_combine(ev, n, assign_op(n->op), cur, v);
		value_unref(cur);
		value_unref(v);
		v = res;
		if (ev->failed) {
			value_unref(v);
			return;
		}
	}
	if (n->kids[0]->type == N_CAST && (v = eval_constrain(ev, n, v)) ==
	    NULL)
		return;
	assign_to(ev, n->kids[0], v);
}

/* ++ and --: the value before (postfix) or after (prefix). */
static struct value *
eval_incdec(struct eval *ev, struct node *n)
{
	struct value	*cur, *one, *res;

	cur = eval_expr(ev, n->kids[0]);
	if (cur->type == V_NULL) {
		value_unref(cur);
		cur = value_int(0);
	}
	one = value_int(1);
	res = assign_combine(ev, n, assign_op(n->op), cur, one);
	value_unref(one);
	if (ev->failed) {
		value_unref(res);
		value_unref(cur);
		return (value_null());
	}
	assign_to(ev, n->kids[0], value_ref(res));
	if (n->flags & NF_PREFIX) {
		value_unref(cur);
		return (res);
	}
	value_unref(res);
	return (cur);
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
		shell_stop(ev->sh);
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

/* The statements that are one level themselves (see eval_enter). */
static bool
node_is_statement(enum node_type type)
{
	switch (type) {
	case N_ASSIGN: case N_IF: case N_FOREACH: case N_WHILE: case N_DO:
	case N_FOR: case N_SWITCH: case N_TRY: case N_THROW: case N_EXIT:
	case N_TRAP:
	case N_BREAK: case N_CONTINUE: case N_FUNCTION: case N_PARAMBLOCK:
		return (true);
	default:
		return (false);
	}
}

/*
 * A statement.  Expressions and pipelines are counted by eval_expr and
 * by their commands.
 */
void
exec_statement(struct eval *ev, struct node *n, struct value *out)
{
	if (!node_is_statement(n->type)) {
		exec_node(ev, n, out);
		return;
	}
	if (!eval_enter(ev, n))
		return;
	exec_node(ev, n, out);
	eval_leave(ev);
}

/* exit N and return [value]. */
static void
exec_exit(struct eval *ev, struct node *n, struct value *out)
{
	struct value	*v;
	int64_t		 code = 0;
	double		 d;
	bool		 is_int;

	if (n->str != NULL) {	/* return */
		if (n->nkids > 0)
			out_append(out, eval_expr(ev, n->kids[0]));
		if (!ev_unwinding(ev))
			ev->sh->flow = FLOW_RETURN;
		return;
	}
	if (n->nkids > 0) {
		v = eval_expr(ev, n->kids[0]);
		if (!value_to_number(v, &d, &code, &is_int))
			code = 0;
		value_unref(v);
	}
	ev->sh->exiting = true;
	ev->sh->exit_code = (int)code;
}

/* function Name { } and filter Name { }: defined when reached. */
static void
exec_function(struct eval *ev, struct node *n)
{
	struct node	*body = n->kids[0];
	struct value	*script;
	struct func	*f;

	script = value_script(body, ev->src);
	f = func_create(script, body->kids[SCRIPT_PARAMS],
	    (n->flags & NF_FILTER) != 0);
	value_unref(script);
	shell_setfunc(ev->sh, n->str, f);
}

static void
exec_node(struct eval *ev, struct node *n, struct value *out)
{
	switch (n->type) {
	case N_PIPELINE:
		exec_pipeline(ev, n, out);
		break;
	case N_BLOCK:
		exec_block(ev, n, out);
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
	case N_WHILE:
		exec_while(ev, n, out);
		break;
	case N_DO:
		exec_do(ev, n, out);
		break;
	case N_FOR:
		exec_for(ev, n, out);
		break;
	case N_SWITCH:
		exec_switch(ev, n, out);
		break;
	case N_BREAK:
	case N_CONTINUE:
		exec_jump(ev, n);
		break;
	case N_TRY:
		exec_try(ev, n, out);
		break;
	case N_THROW:
		exec_throw(ev, n);
		break;
	case N_TRAP:
		break;		/* the block it is in runs it (trap_run) */
	case N_EXIT:
		exec_exit(ev, n, out);
		break;
	case N_FUNCTION:
		exec_function(ev, n);
		break;
	case N_PARAMBLOCK:
		break;		/* bound before the script runs */
	case N_INCDEC:
		value_unref(eval_expr(ev, n));
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
void
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

/*
 * Report a statement-terminating error record (taken): inside a try it
 * unwinds to the catch (runtime.c), else it is printed and, under
 * $ErrorActionPreference = 'Stop', stops the script.
 */
static void
eval_raise(struct eval *ev, struct errrec *e)
{
	shell_report(ev->sh, e);
	ev->failed = true;
	ev->halted = true;
	if (shell_pref(ev->sh, "ErrorActionPreference") == AP_STOP)
		shell_stop(ev->sh);
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

/* Evaluate a command's elements from kids[first] on. */
static void
args_eval(struct eval *ev, struct node *cmd, size_t first,
    struct cmd_args *a)
{
	struct node	*k;
	struct value	*v;
	size_t		 i;

	for (i = first; i < cmd->nkids && !ev->failed; i++) {
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
		if (k->type == N_REDIRECT)
			continue;	/* redirect_begin */
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
		ctx->confirm = shell_confirm(sh, ctx->entry);
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

/* The term not recognized: PowerShell's CommandNotFoundException. */
static void
command_not_found(struct eval *ev, struct node *at, const char *name)
{
	struct errrec	*e;

	e = errrec_create(NULL);
	errrec_set(&e->message, xprintf("The term '%s' is not recognized as "
	    "the name of a cmdlet, function, script file, or operable "
	    "program. Check the spelling of the name, or if a path was "
	    "included, verify that the path is correct and try again.",
	    name));
	e->kind = ERR_STATEMENT;
	errrec_set(&e->category, xstrdup("ObjectNotFound"));
	errrec_set(&e->reason, xstrdup("CommandNotFoundException"));
	errrec_set(&e->fqid, xstrdup("CommandNotFoundException"));
	/* Windows PowerShell 5.1: "X : The term 'X' ...", (X:String). */
	errrec_set(&e->invocation, xstrdup(name));
	errrec_set(&e->target, xstrdup(name));
	errrec_set(&e->target_type, xstrdup("String"));
	e->src = source_ref(ev->src);
	e->ext = at->ext;
	e->has_position = true;
	eval_raise(ev, e);
}

/*
 * PowerShell finds every command of a pipeline before it runs any: a
 * name that is none stops the pipeline there, and nothing of it runs
 * (nor is a > file of it written).  Names made at run time (& $name)
 * are looked up when they run.
 */
static bool
pipeline_resolves(struct eval *ev, struct node *pl)
{
	struct node	*name;
	const char	*s;
	size_t		 i;

	for (i = 0; i < pl->nkids; i++) {
		if (pl->kids[i]->type != N_COMMAND)
			continue;
		name = pl->kids[i]->kids[0];
		if (name->type != N_CONST || !(name->flags & 1) ||
		    name->val->type != V_STRING)
			continue;
		s = name->val->u.s;
		if (strcmp(s, ".") == 0 || shell_getfunc(ev->sh, s) != NULL ||
		    command_lookup(s) != NULL || func_script_exists(s))
			continue;
		command_not_found(ev, name, s);
		return (false);
	}
	return (true);
}

/* Run a cmdlet: bind, then its exec function. */
static void
exec_cmdlet(struct eval *ev, const struct cmdlet_entry *ce,
    struct bind_call *call, struct value **input, size_t ninput,
    struct value *out)
{
	struct cmd_ctx		 ctx;
	enum exec_status	 st = EXEC_OK;

	memset(&ctx, 0, sizeof ctx);
	ctx.args = bind_command(ev->sh, call, &st);
	if (ctx.args == NULL) {
		ev->failed = true;
		ev->halted = true;
		if (st == EXEC_STOP || shell_pref(ev->sh,
		    "ErrorActionPreference") == AP_STOP)
			shell_stop(ev->sh);
		return;
	}
	ctx.sh = ev->sh;
	ctx.entry = ce;
	ctx.invocation = call->invocation;
	ctx.node = call->cmd;
	ctx.src = ev->src;
	ctx.input = input;
	ctx.ninput = ninput;
	ctx.piped = call->pipeline_input;
	ctx.out = out;
	ctx_common(&ctx);
	if (call->pipeline_input && ninput > 0 && !cmdlet_takes_input(ce)) {
		cmd_error(&ctx, ERR_NONTERMINATING, "InvalidArgument",
		    "ParameterBindingException", "InputObjectNotBound",
		    "The input object cannot be bound to any parameters for "
		    "the command either because the command does not take "
		    "pipeline input or the input and its properties do not "
		    "match any of the parameters that take pipeline input.");
	} else
		ce->exec(&ctx);
	cmd_ctl_target(&ctx, NULL, NULL, NULL);
	if (ctx.failed)
		ev->failed = true;
	if (ctx.stop)
		shell_stop(ev->sh);
	bound_free(ctx.args);
}

/*
 * What a command's name names: a script block (& { }, & $block), a
 * function, a cmdlet (or its alias), or a script file; NULL with the
 * error written when it is none of them.
 */
struct command_target {
	const struct cmdlet_entry	*cmdlet;
	struct func			*func;
	struct func			*owned;	/* made for this call */
	bool				 new_scope;
};

static bool
command_resolve(struct eval *ev, struct node *at, struct value *namev,
    const char *name, bool dot, struct command_target *t)
{
	memset(t, 0, sizeof *t);
	t->new_scope = !dot;
	if (namev->type == V_SCRIPT) {
		t->func = t->owned = func_create(namev,
		    namev->u.script.body->kids[SCRIPT_PARAMS], false);
		t->owned->name = xstrdup("");
		return (true);
	}
	if ((t->func = shell_getfunc(ev->sh, name)) != NULL)
		return (true);
	if ((t->cmdlet = command_lookup(name)) != NULL)
		return (true);
	if ((t->func = t->owned = func_script_file(ev->sh, name)) != NULL)
		return (true);
	command_not_found(ev, at, name);
	return (false);
}

/*
 * A command's redirections (> file, 2>$null, 2>&1, *>$null): its output
 * goes to rd.out, written to the file or dropped afterwards; where its
 * error, warning, verbose and information streams go is the shell's
 * (struct streams) while it runs, so the commands of a function called
 * with 2>$null are quiet too.
 */
struct redirect {
	struct value	*out;		/* where the command writes */
	struct streams	 saved;
	char		*out_path;	/* > file, or NULL */
	bool		 out_append;
	bool		 out_drop;	/* > $null */
	bool		 active;
	struct node	*at;		/* a redirection, for errors */
};

/* One target: $null (NULL, *drop) or a path. */
static int
redirect_target(struct eval *ev, struct node *r, char **path, bool *drop)
{
	struct value	*v;

	v = eval_expr(ev, r->kids[0]);
	*drop = v->type == V_NULL;
	*path = *drop ? NULL : value_to_string(v);
	value_unref(v);
	return (ev->failed ? -1 : 0);
}

/* Where one stream goes; a file not appended to is emptied now. */
static void
redirect_stream(struct stream_to *s, int flags, char *path, bool drop)
{
	char	*cause = NULL;

	free(s->path);
	memset(s, 0, sizeof *s);
	if (flags & RD_MERGE)
		s->to = STREAM_OUTPUT;
	else if (drop)
		s->to = STREAM_DROP;
	else {
		s->to = STREAM_FILE;
		s->path = xstrdup(path);
		if (!(flags & RD_APPEND) && shell_write_file(path, "", false,
		    &cause) != 0)
			free(cause);
	}
}

static void	redirect_end(struct eval *, struct redirect *, struct value *);

static int
redirect_begin(struct eval *ev, struct node **kids, size_t nkids,
    struct value *out, struct redirect *rd)
{
	struct shell	*sh = ev->sh;
	struct node	*r;
	char		*path = NULL;
	size_t		 i;
	bool		 drop = false;
	int		 stream;

	memset(rd, 0, sizeof *rd);
	rd->out = out;
	for (i = 0; i < nkids; i++) {
		r = kids[i];
		if (r->type != N_REDIRECT)
			continue;
		rd->at = r;
		if (!rd->active) {
			rd->active = true;
			rd->saved = streams_copy(&sh->streams);
			rd->out = value_array();
			sh->streams.merge_into = rd->out;
		}
		if (!(r->flags & RD_MERGE) && redirect_target(ev, r, &path,
		    &drop) != 0) {
			redirect_end(ev, rd, out);
			return (-1);
		}
		stream = r->flags & RD_STREAM;
		if (stream == RD_OUTPUT || stream == RD_ALL) {
			free(rd->out_path);
			rd->out_path = path != NULL ? xstrdup(path) : NULL;
			rd->out_drop = drop;
			rd->out_append = (r->flags & RD_APPEND) != 0;
		}
		if (stream == RD_ERROR || stream == RD_ALL)
			redirect_stream(&sh->streams.error, r->flags, path,
			    drop);
		if (stream == RD_WARNING || stream == RD_ALL)
			redirect_stream(&sh->streams.warning, r->flags, path,
			    drop);
		if (stream == RD_VERBOSE || stream == RD_ALL)
			redirect_stream(&sh->streams.verbose, r->flags, path,
			    drop);
		if (stream == 6 || stream == RD_ALL)
			redirect_stream(&sh->streams.information, r->flags,
			    path, drop);
		free(path);
		path = NULL;
	}
	return (0);
}

/* Put the streams back; write or drop what the command wrote. */
static void
redirect_end(struct eval *ev, struct redirect *rd, struct value *out)
{
	struct shell	*sh = ev->sh;
	char		*cause = NULL;
	size_t		 i, n;

	if (!rd->active)
		return;
	streams_free(&sh->streams);
	sh->streams = rd->saved;
	n = rd->out->u.arr.n;
	if (rd->out_path != NULL) {
		/* > file is Out-File: what the console would have shown. */
		if (outfile_write(sh, rd->out_path, rd->out_append,
		    rd->out->u.arr.v, n, &cause) != 0) {
			eval_runtime_error(ev, rd->at, "FileOpenFailure",
			    "IOException", "%s", cause);
			free(cause);
		}
	} else if (!rd->out_drop) {
		for (i = 0; i < n; i++)
			value_array_push(out, value_ref(rd->out->u.arr.v[i]));
	}
	value_unref(rd->out);
	free(rd->out_path);
}

/* The command itself: name, arguments, binding, then what it names. */
static void
exec_command_node(struct eval *ev, struct node *cmd, struct value **input,
    size_t ninput, bool piped, struct value *out)
{
	struct redirect	rd;

	/* Redirections hold from the start: 2>$null hides "not found" too. */
	if (redirect_begin(ev, cmd->kids + 1, cmd->nkids - 1, out, &rd) != 0)
		return;
	exec_command_target(ev, cmd, input, ninput, piped, rd.out);
	redirect_end(ev, &rd, out);
}

/* The name, what it names, the arguments, then the call. */
static void
exec_command_target(struct eval *ev, struct node *cmd, struct value **input,
    size_t ninput, bool piped, struct value *out)
{
	struct command_target	 t;
	struct cmd_args		 a;
	struct bind_call	 call;
	struct value		*namev;
	struct node		*at = cmd->kids[0];
	char			*name;
	size_t			 first = 1;
	bool			 dot = false;

	namev = eval_expr(ev, at);
	if (ev->failed) {
		value_unref(namev);
		return;
	}
	/* . $block or . script.ps1: run in this scope (dot-sourcing). */
	if (at->type == N_CONST && (at->flags & 1) && namev->type ==
	    V_STRING && strcmp(namev->u.s, ".") == 0 && cmd->nkids > 1 &&
	    cmd->kids[1]->type != N_PARAM) {
		value_unref(namev);
		at = cmd->kids[1];
		namev = eval_expr(ev, at);
		first = 2;
		dot = true;
	}
	name = value_to_string(namev);
	if (ev->failed || !command_resolve(ev, at, namev, name, dot, &t)) {
		value_unref(namev);
		free(name);
		return;
	}
	value_unref(namev);
	memset(&a, 0, sizeof a);
	args_eval(ev, cmd, first, &a);
	if (!ev->failed) {
		memset(&call, 0, sizeof call);
		call.entry = t.cmdlet;
		call.invocation = name;
		call.cmd = cmd;
		call.src = ev->src;
		call.args = a.v;
		call.nargs = a.n;
		call.pipeline_input = piped;
		if (t.cmdlet != NULL)
			exec_cmdlet(ev, t.cmdlet, &call, input, ninput, out);
		else if (func_call(ev->sh, t.func, &call, input, ninput, out,
		    t.new_scope) != 0)
			ev->failed = true;
	}
	args_free(&a);
	func_free(t.owned);
	free(name);
}

/* Is element i the last of the pipeline, but for its redirections? */
static bool
pipeline_last(struct node *n, size_t i)
{
	for (i++; i < n->nkids; i++) {
		if (n->kids[i]->type != N_REDIRECT)
			return (false);
	}
	return (true);
}

static void
exec_pipeline(struct eval *ev, struct node *n, struct value *out)
{
	struct shell	*sh;
	struct redirect	 rd;
	struct value	*cur, *next;
	size_t		 i, nr;
	bool		 failed, live, pushed;

	if (!pipeline_resolves(ev, n))
		return;
	cur = NULL;
	sh = ev->sh;
	live = sh->nlive > 0 && sh->live[sh->nlive - 1] == out;
	sh->pipeline_depth++;
	for (i = 0; i < n->nkids && !ev_unwinding(ev) && !ev->halted; i++) {
		next = value_array();
		/* The last command's output goes on to Out-Default as it comes. */
		pushed = live && pipeline_last(n, i);
		if (pushed)
			shell_live_push(sh, next);
		if (n->kids[i]->type != N_COMMAND) {
			for (nr = 0; i + 1 + nr < n->nkids &&
			    n->kids[i + 1 + nr]->type == N_REDIRECT; nr++)
				;
			if (redirect_begin(ev, n->kids + i + 1, nr, next,
			    &rd) == 0) {
				out_append(rd.out, eval_expr(ev, n->kids[i]));
				redirect_end(ev, &rd, next);
			}
			i += nr;
		} else {
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
		if (pushed)
			shell_live_pop(sh);
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

/*
 * Run a script block in the current scope with $_ bound, as
 * ForEach-Object and Where-Object do; all output as one array.  A return
 * leaves just the block; a break or continue goes on to the loop around
 * the command that ran it (the command stops: *stop), as in PowerShell.
 */
static struct value *
eval_script_block(struct shell *sh, struct value *script,
    struct value *under, bool live, bool *failed, bool *stop)
{
	struct value	*saved, *out;
	struct eval	 ev;

	out = value_array();
	if (script->type != V_SCRIPT)
		return (out);
	memset(&ev, 0, sizeof ev);
	ev.sh = sh;
	ev.src = script->u.script.src;
	saved = sh->under;
	sh->under = under;
	if (live)
		shell_live_push(sh, out);
	exec_block(&ev, script->u.script.body->kids[SCRIPT_END], out);
	if (live)
		shell_live_pop(sh);
	sh->under = saved;
	if (sh->flow == FLOW_RETURN)
		sh->flow = FLOW_NONE;
	if (failed != NULL)
		*failed = ev.failed;
	if (stop != NULL)
		*stop = ev_unwinding(&ev);
	return (out);
}

struct value *
shell_eval_script(struct shell *sh, struct value *script,
    struct value *under)
{
	return (value_collapse(eval_script_block(sh, script, under, false,
	    NULL, NULL)));
}

struct value *
cmd_invoke_script(struct cmd_ctx *ctx, struct value *script,
    struct value *under, bool output, bool *failed)
{
	struct shell	*sh = ctx->sh;
	struct value	*v;
	bool		 stop = false, live;

	live = output && sh->nlive > 0 && sh->live[sh->nlive - 1] == ctx->out;
	v = eval_script_block(sh, script, under, live, failed, &stop);
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
	else if (func_cmdlet_invoke(ev->sh, ev->src, n, obj, m, args, nargs,
	    &v))
		;
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
struct value *
eval_expr(struct eval *ev, struct node *n)
{
	struct value	*v;

	if (ev_unwinding(ev) || ev->halted)
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
	case N_INCDEC:
		return (eval_incdec(ev, n));
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
bool
eval_regex_match(struct eval *ev, struct node *n, const char *s,
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
		res = eval_regex_match(ev, n, ls, rs, cs, set_matches);
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
	int		 m;

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
	/*
	 * $_ -is [System.Management.Automation.ErrorRecord], $e -is
	 * [IOException]: error records and exceptions are error.c's types,
	 * not the .NET table's.
	 */
	if ((n->op == OP_IS || n->op == OP_ISNOT || n->op == OP_AS) &&
	    n->kids[1]->type == N_TYPE && (m = errrec_type_match(l,
	    n->kids[1]->str)) >= 0) {
		res = n->op != OP_AS ? value_bool(m == (n->op == OP_IS)) :
		    m ? value_ref(l) : value_null();
		value_unref(l);
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
