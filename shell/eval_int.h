/*
 * eval_int.h - what the interpreter's files share: eval.c (expressions,
 * pipelines, commands), eval_flow.c (the compound statements: if, the
 * loops, switch, try, break and continue, throw).  Nothing outside the
 * interpreter includes it.
 */
#ifndef HUBSH_EVAL_INT_H
#define HUBSH_EVAL_INT_H

#include "shell.h"

struct eval {
	struct shell	*sh;
	struct source	*src;
	bool		 failed;	/* an error in this statement */
	bool		 halted;	/* a statement-terminating one: the
					   rest of the statement is skipped */
};

/*
 * Is the evaluator leaving statements: a break, continue, return, an
 * error on its way to a catch, a stopped script, or exit?
 */
static inline bool
ev_unwinding(const struct eval *ev)
{
	return (ev->sh->flow != FLOW_NONE || ev->sh->exiting);
}

/* eval.c */
enum exec_status exec_block(struct eval *, struct node *, struct value *);
void		 exec_statement(struct eval *, struct node *, struct value *);
struct value	*eval_expr(struct eval *, struct node *);
/* Append the items of v (flattened) to out; takes the reference. */
void		 out_append(struct value *, struct value *);
void		 eval_runtime_error(struct eval *, struct node *, const char *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
bool		 eval_regex_match(struct eval *, struct node *, const char *,
		    const char *, bool, bool);

/* eval_flow.c */
void		 exec_if(struct eval *, struct node *, struct value *);
void		 exec_foreach(struct eval *, struct node *, struct value *);
void		 exec_while(struct eval *, struct node *, struct value *);
void		 exec_do(struct eval *, struct node *, struct value *);
void		 exec_for(struct eval *, struct node *, struct value *);
void		 exec_switch(struct eval *, struct node *, struct value *);
void		 exec_jump(struct eval *, struct node *);
void		 exec_try(struct eval *, struct node *, struct value *);
void		 exec_throw(struct eval *, struct node *);
/*
 * trap: whether a block has one (it covers the whole block), and after
 * a statement of such a block threw, run the trap that takes the error:
 * true when the block goes on with its next statement.
 */
bool		 block_has_trap(const struct node *);
bool		 trap_run(struct eval *, struct node *block, struct value *);
/* A terminating error no try or trap took: report it, stop the script. */
void		 flow_uncaught(struct eval *);

#endif
