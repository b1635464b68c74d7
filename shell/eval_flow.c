/*
 * eval_flow.c - the compound statements: if, foreach, while, do, for,
 * switch, try/catch/finally, trap, and break, continue and throw.
 *
 * Leaving statements early is one mechanism (struct shell's flow): a
 * break or continue sets it and every statement list stops until the
 * loop it belongs to takes it back (the innermost loop or switch, or the
 * one its label names, in this function or a caller, as PowerShell
 * looks for it dynamically); a terminating error inside a try sets
 * FLOW_THROW, unprinted (runtime.c), and unwinds to the try, which runs
 * the first catch whose type the error is, then its finally block.  A
 * block with a trap is a try around each of its statements.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eval_int.h"
#include "xmalloc.h"

/* A condition: the statement's output, as PowerShell tests it. */
static bool
eval_condition(struct eval *ev, struct node *n)
{
	struct value	*o, *c;
	bool		 t;

	if (n == NULL)
		return (true);
	o = value_array();
	exec_statement(ev, n, o);
	c = value_collapse(o);
	t = value_truthy(c);
	value_unref(c);
	return (t && !ev_unwinding(ev) && !ev->halted);
}

/* Run a statement for its effect only (a for loop's init and step). */
static void
exec_discard(struct eval *ev, struct node *n)
{
	struct value	*o;

	if (n == NULL)
		return;
	o = value_array();
	exec_statement(ev, n, o);
	value_unref(o);
}

/*
 * After a pass through a loop's body: whether the loop goes on.  A break
 * or continue with no label, or with this loop's, is this loop's; one
 * that names another loop goes on unwinding, as does anything else.
 */
static bool
loop_next(struct eval *ev, struct node *loop)
{
	struct shell	*sh = ev->sh;
	bool		 cont;

	if (sh->exiting || shell_check_interrupt(sh))
		return (false);
	if (sh->flow != FLOW_BREAK && sh->flow != FLOW_CONTINUE)
		return (sh->flow == FLOW_NONE);
	if (sh->flow_label != NULL && (loop->label == NULL ||
	    strcasecmp(sh->flow_label, loop->label) != 0))
		return (false);
	cont = sh->flow == FLOW_CONTINUE;
	sh->flow = FLOW_NONE;
	free(sh->flow_label);
	sh->flow_label = NULL;
	return (cont);
}

void
exec_if(struct eval *ev, struct node *n, struct value *out)
{
	size_t	i;

	for (i = 0; i + 1 < n->nkids; i += 2) {
		if (eval_condition(ev, n->kids[i])) {
			exec_block(ev, n->kids[i + 1], out);
			return;
		}
		if (ev_unwinding(ev) || ev->halted)
			return;		/* the error ends the whole if */
	}
	if (i < n->nkids)
		exec_block(ev, n->kids[i], out);
}

void
exec_foreach(struct eval *ev, struct node *n, struct value *out)
{
	struct value	*o, *coll;
	size_t		 i;

	o = value_array();
	exec_statement(ev, n->kids[0], o);
	coll = value_collapse(o);
	for (i = 0; i < value_count(coll) && !ev_unwinding(ev); i++) {
		shell_setvar(ev->sh, n->str, value_ref(value_item(coll, i)));
		exec_block(ev, n->kids[1], out);
		if (!loop_next(ev, n))
			break;
	}
	value_unref(coll);
}

void
exec_while(struct eval *ev, struct node *n, struct value *out)
{
	while (eval_condition(ev, n->kids[0])) {
		exec_block(ev, n->kids[1], out);
		if (!loop_next(ev, n))
			break;
	}
}

void
exec_do(struct eval *ev, struct node *n, struct value *out)
{
	bool	until = (n->flags & NF_UNTIL) != 0;

	do {
		exec_block(ev, n->kids[0], out);
		if (!loop_next(ev, n))
			break;
	} while (eval_condition(ev, n->kids[1]) != until &&
	    !ev_unwinding(ev));
}

void
exec_for(struct eval *ev, struct node *n, struct value *out)
{
	exec_discard(ev, n->kids[0]);
	while (!ev_unwinding(ev) && eval_condition(ev, n->kids[1])) {
		exec_block(ev, n->kids[3], out);
		if (!loop_next(ev, n))
			break;
		exec_discard(ev, n->kids[2]);
	}
}

/*
 * Does a switch clause take this item: a script block that returns
 * true for it, else its value compared as the switch's options say.
 */
static bool
switch_test(struct eval *ev, struct node *sw, struct node *cond,
    struct value *item)
{
	struct value	*c, *r, *saved;
	char		*is, *cs;
	bool		 m, ok;

	if (cond->type == N_SCRIPT) {
		c = eval_expr(ev, cond);
		saved = ev->sh->under;
		ev->sh->under = item;
		r = shell_eval_script(ev->sh, c, item);
		ev->sh->under = saved;
		m = value_truthy(r);
		value_unref(r);
		value_unref(c);
		return (m);
	}
	c = eval_expr(ev, cond);
	if (!(sw->flags & (SW_REGEX | SW_WILDCARD))) {
		m = value_compare(item, c, (sw->flags & SW_CASE) != 0,
		    &ok) == 0 && ok;
		value_unref(c);
		return (m);
	}
	is = value_to_string(item);
	cs = value_to_string(c);
	if (sw->flags & SW_WILDCARD)
		m = wildcard_match(cs, is, (sw->flags & SW_CASE) != 0);
	else
		m = eval_regex_match(ev, cond, is, cs,
		    (sw->flags & SW_CASE) != 0, true);
	free(is);
	free(cs);
	value_unref(c);
	return (m);
}

/* The items a switch goes through: its value's, or a -File's lines. */
static struct value *
switch_items(struct eval *ev, struct node *n)
{
	struct value	*o, *v, *lines;
	char		*path, *text, *cause = NULL, *line, *next;
	size_t		 len;

	o = value_array();
	exec_statement(ev, n->kids[0], o);
	v = value_collapse(o);
	if (!(n->flags & SW_FILE)) {
		if (v->type == V_ARRAY)
			return (v);
		lines = value_array();
		value_array_push(lines, v);
		return (lines);
	}
	path = value_to_string(v);
	value_unref(v);
	lines = value_array();
	if ((text = shell_read_file(path, &len, &cause)) == NULL) {
		eval_runtime_error(ev, n->kids[0], "PathNotFound",
		    "ItemNotFoundException", "Cannot find path '%s' because it "
		    "does not exist.", path);
		free(cause);
		free(path);
		return (lines);
	}
	for (line = text; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		len = (size_t)(next - line);
		if (*next == '\n')
			next++;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		value_array_push(lines, value_string_take(xstrndup(line, len)));
	}
	free(text);
	free(path);
	return (lines);
}

/*
 * switch: every clause that takes an item runs, with $_ the item; the
 * default clause runs when none did.  break leaves the switch, continue
 * goes on with the next item.
 */
void
exec_switch(struct eval *ev, struct node *n, struct value *out)
{
	struct shell	*sh = ev->sh;
	struct value	*items, *item, *saved = sh->under;
	struct node	*dflt = NULL;
	size_t		 i, k;
	bool		 any, cont, go = true;

	items = switch_items(ev, n);
	for (k = 1; k + 1 < n->nkids; k += 2) {
		if (n->kids[k] == NULL)
			dflt = n->kids[k + 1];
	}
	for (i = 0; go && i < items->u.arr.n && !ev_unwinding(ev); i++) {
		item = items->u.arr.v[i];
		any = false;
		for (k = 1; go && k + 1 < n->nkids; k += 2) {
			if (n->kids[k] == NULL)
				continue;
			sh->under = item;
			if (!switch_test(ev, n, n->kids[k], item) ||
			    ev_unwinding(ev))
				continue;
			any = true;
			sh->under = item;
			exec_block(ev, n->kids[k + 1], out);
			cont = sh->flow == FLOW_CONTINUE;
			go = loop_next(ev, n);
			if (cont && go)
				break;	/* on to the next item */
		}
		if (go && !any && dflt != NULL && !ev_unwinding(ev)) {
			sh->under = item;
			exec_block(ev, dflt, out);
			go = loop_next(ev, n);
		}
	}
	sh->under = saved;
	value_unref(items);
}

/* break and continue, with an optional label. */
void
exec_jump(struct eval *ev, struct node *n)
{
	struct shell	*sh = ev->sh;

	sh->flow = n->type == N_BREAK ? FLOW_BREAK : FLOW_CONTINUE;
	free(sh->flow_label);
	sh->flow_label = n->str != NULL ? xstrdup(n->str) : NULL;
}

/* Is a catch clause's type list one the error is (NULL: any)? */
static bool
catch_matches(const char *types, const struct errrec *e)
{
	char	*list, *t, *next;
	bool	 m = false;

	if (types == NULL)
		return (true);
	list = xstrdup(types);
	for (t = list; t != NULL && !m; t = next) {
		if ((next = strchr(t, ',')) != NULL)
			*next++ = '\0';
		m = errrec_is_a(e, t);
	}
	free(list);
	return (m);
}

/*
 * A terminating error that left every try: print it now, as it would
 * have been without the try (it is in $Error since it was thrown), and
 * stop what it stops.
 */
void
flow_uncaught(struct eval *ev)
{
	struct shell	*sh = ev->sh;
	struct errrec	*e = sh->thrown;
	bool		 script = e->kind == ERR_SCRIPT;

	sh->thrown = NULL;
	sh->flow = FLOW_NONE;
	shell_error_print(sh, e);
	errrec_free(e);
	ev->failed = true;
	if (script)
		shell_stop(sh);
}

void
exec_try(struct eval *ev, struct node *n, struct value *out)
{
	struct shell	*sh = ev->sh;
	struct node	*c, *finally = NULL;
	struct value	*err, *saved;
	struct errrec	*e, *keep_thrown;
	enum flow	 keep_flow;
	char		*keep_label;
	bool		 keep_exit;
	size_t		 i;

	sh->try_depth++;
	exec_block(ev, n->kids[0], out);
	sh->try_depth--;
	for (i = 1; i < n->nkids; i++) {
		c = n->kids[i];
		if (c->flags & NF_FINALLY) {
			finally = c;
			continue;
		}
		if (sh->flow != FLOW_THROW || !catch_matches(c->str,
		    sh->thrown))
			continue;
		e = sh->thrown;
		sh->thrown = NULL;
		sh->flow = FLOW_NONE;
		err = errrec_value(e);
		errrec_free(e);
		saved = sh->under;
		sh->under = err;
		ev->failed = false;
		exec_block(ev, c->kids[0], out);
		sh->under = saved;
		value_unref(err);
	}
	if (finally != NULL) {
		keep_flow = sh->flow;
		keep_label = sh->flow_label;
		keep_thrown = sh->thrown;
		keep_exit = sh->exiting;
		sh->flow = FLOW_NONE;
		sh->flow_label = NULL;
		sh->thrown = NULL;
		sh->exiting = false;
		exec_block(ev, finally->kids[0], out);
		if (sh->flow == FLOW_NONE && !sh->exiting) {
			sh->flow = keep_flow;
			sh->flow_label = keep_label;
			sh->thrown = keep_thrown;
			sh->exiting = keep_exit;
		} else {
			free(keep_label);
			errrec_free(keep_thrown);
			sh->exiting = sh->exiting || keep_exit;
		}
	}
	if (sh->flow == FLOW_THROW && sh->try_depth == 0)
		flow_uncaught(ev);
}

bool
block_has_trap(const struct node *block)
{
	size_t	i;

	for (i = 0; i < block->nkids; i++) {
		if (block->kids[i]->type == N_TRAP)
			return (true);
	}
	return (false);
}

/* The block's trap for an error: a typed one that takes it, else one
 * without a type. */
static struct node *
trap_find(struct node *block, const struct errrec *e)
{
	struct node	*any = NULL, *t;
	size_t		 i;

	for (i = 0; i < block->nkids; i++) {
		t = block->kids[i];
		if (t->type != N_TRAP || t->nkids == 0)
			continue;
		if (t->str == NULL) {
			if (any == NULL)
				any = t;
		} else if (catch_matches(t->str, e))
			return (t);
	}
	return (any);
}

/*
 * trap, as PowerShell runs it: a terminating error of a statement of the
 * block (or of what it called) runs the block's trap with $_ the error.
 * A continue at the trap's end goes on with the next statement, the
 * error unwritten; a break ends the block with the error, to be caught
 * further out or to stop the script; otherwise the error is written and
 * the next statement runs.  Errors in the trap itself go outward.
 */
bool
trap_run(struct eval *ev, struct node *block, struct value *out)
{
	struct shell	*sh = ev->sh;
	struct node	*t;
	struct value	*err, *saved;
	struct errrec	*e = sh->thrown;

	if (sh->flow != FLOW_THROW)
		return (false);
	if ((t = trap_find(block, e)) == NULL) {
		/* No trap takes it: a try further out, else as without one. */
		if (sh->try_depth > 1)
			return (false);
		flow_uncaught(ev);
		return (sh->flow == FLOW_NONE);
	}
	sh->thrown = NULL;
	sh->flow = FLOW_NONE;
	err = errrec_value(e);
	saved = sh->under;
	sh->under = err;
	sh->try_depth--;
	exec_block(ev, t->kids[0], out);
	sh->try_depth++;
	sh->under = saved;
	value_unref(err);
	ev->failed = true;
	if ((sh->flow == FLOW_CONTINUE || sh->flow == FLOW_BREAK) &&
	    sh->flow_label == NULL) {
		if (sh->flow == FLOW_CONTINUE) {
			sh->flow = FLOW_NONE;
			errrec_free(e);
			return (true);
		}
		sh->flow = FLOW_THROW;
		sh->thrown = e;
		return (false);
	}
	if (sh->flow != FLOW_NONE || sh->exiting) {
		errrec_free(e);
		return (false);
	}
	shell_error_print(sh, e);
	errrec_free(e);
	return (true);
}

/*
 * throw: a string (or anything, as its text) becomes a RuntimeException;
 * an error record caught earlier ($_ in a catch) is thrown again as it
 * was.  Both stop the script unless a try catches them.
 */
void
exec_throw(struct eval *ev, struct node *n)
{
	struct value	*v;
	struct errrec	*e;
	char		*msg;

	v = n->nkids > 0 ? eval_expr(ev, n->kids[0]) : value_null();
	if (v->type == V_OBJECT && v->u.obj->err != NULL) {
		e = errrec_dup(v->u.obj->err);
		e->kind = ERR_SCRIPT;
		value_unref(v);
		shell_report(ev->sh, e);
		ev->failed = true;
		shell_stop(ev->sh);
		return;
	}
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
	shell_stop(ev->sh);
}
