/*
 * parser.c - statements, pipelines, commands and expressions.
 *
 * A recursive-descent parser over the mode-switching lexer.  A statement
 * that starts with a bareword (or a parameter token) is a command and its
 * elements are scanned in argument mode; anything else is an expression.
 * Precedence follows PowerShell: -and/-or/-xor, comparison, additive,
 * multiplicative, -f, range, unary, the comma, then postfix member access,
 * indexing and method calls.
 *
 * Errors carry PowerShell's text and error id, and say whether more input
 * could complete the statement, which drives the ">> " prompt.
 *
 * Nesting is bounded: every construct that holds others (a command, a
 * group, a block, an operator, an index, a cast, a string's $( )) is one
 * level, and the tree may be SHELL_MAX_DEPTH levels high, chains such as
 * a.b.c or 1+2+3 included.  The descent counts the levels it is inside
 * (p_enter), so the C stack stays bounded too; past the limit the parse
 * fails with PowerShell's ScriptTooComplicated error.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

struct parser {
	struct lexer		 lx;
	struct source		*src;
	struct parse_error	*err;
	bool			 failed;
	int			 depth;		/* levels entered (p_enter) */
	/* At this depth a comma ends the expression (method arguments, a
	   cast's operand); -1: nowhere. */
	int			 comma_ends;
};

static struct node *p_statements(struct parser *, enum tok_type);
static struct node *p_statement(struct parser *);
static bool	 p_unary_word(const struct token *);
static bool	 p_unary_op(enum op);
static void	    p_foreach_parts(struct parser *, struct node *);
static struct node *p_pipeline(struct parser *, struct node *);
static struct node *p_command(struct parser *);
static struct node *p_expression(struct parser *);
static struct node *p_binary(struct parser *, int);
static struct node *p_unary(struct parser *);
static struct node *p_array(struct parser *);
static struct node *p_postfix(struct parser *, struct node *, bool);
static void	    p_call_args(struct parser *, struct node *);
static struct node *p_primary(struct parser *, bool);
static struct node *p_argument(struct parser *);
static struct node *parse_range(struct source *, size_t, size_t, int,
		    struct parse_error *);

/* Levels a node adds: blocks and pipelines only group statements. */
static int
node_level(enum node_type type)
{
	return (type == N_BLOCK || type == N_PIPELINE ? 0 : 1);
}

static struct node *
node_new(enum node_type type, size_t start, size_t end)
{
	struct node	*n;

	n = xcalloc(1, sizeof *n);
	n->type = type;
	n->ext.start = start;
	n->ext.end = end;
	n->depth = node_level(type);
	return (n);
}

static void
node_add(struct node *n, struct node *kid)
{
	n->kids = xreallocarray(n->kids, n->nkids + 1, sizeof *n->kids);
	n->kids[n->nkids++] = kid;
	if (kid == NULL)
		return;
	if (kid->ext.end > n->ext.end)
		n->ext.end = kid->ext.end;
	if (kid->depth + node_level(n->type) > n->depth)
		n->depth = kid->depth + node_level(n->type);
}

void
node_free(struct node *n)
{
	size_t	i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	if (n->val != NULL)
		value_unref(n->val);
	for (i = 0; i < n->nparts; i++)
		free(n->parts[i].text);
	free(n->parts);
	free(n);
}

void
parse_error_clear(struct parse_error *e)
{
	free(e->message);
	free(e->id);
	memset(e, 0, sizeof *e);
}

static void
p_error(struct parser *p, size_t start, size_t end, bool incomplete,
    const char *id, const char *fmt, ...)
{
	va_list	ap;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	xvasprintf(&p->err->message, fmt, ap);
	va_end(ap);
	p->err->id = xstrdup(id);
	p->err->ext.start = start;
	p->err->ext.end = end > start ? end : start + 1;
	p->err->incomplete = incomplete;
}

/*
 * Too deep: PowerShell's parser reports this (ScriptTooComplicated) when
 * its stack runs short, at the token where it stopped.
 */
static void
p_too_complex(struct parser *p, size_t at)
{
	p_error(p, at, at + 1, false, "ScriptTooComplicated", "%s",
	    SHELL_TOO_COMPLEX);
}

/* One level deeper; false, with the error reported, past the limit. */
static bool
p_enter(struct parser *p)
{
	if (p->depth >= SHELL_MAX_DEPTH) {
		p_too_complex(p, p->lx.pos);
		return (false);
	}
	p->depth++;
	return (true);
}

static void
p_leave(struct parser *p)
{
	p->depth--;
}

/* node_add for the parser: a tree grown too high is an error. */
static void
p_add(struct parser *p, struct node *n, struct node *kid)
{
	node_add(n, kid);
	if (n->depth > SHELL_MAX_DEPTH)
		p_too_complex(p, n->ext.end > n->ext.start ? n->ext.end - 1 :
		    n->ext.start);
}

/* Report a T_ERROR token from the lexer. */
static void
p_token_error(struct parser *p, struct token *t)
{
	const char	*id = "UnexpectedToken";

	if (strcmp(t->text, SHELL_TOO_COMPLEX) == 0)
		id = "ScriptTooComplicated";
	else if (strcmp(t->text, SHELL_NUL_ESCAPE) == 0)
		id = "UnexpectedCharacter";
	else if (strstr(t->text, "missing the terminator") != NULL)
		id = "TerminatorExpectedAtEndOfString";
	else if (strstr(t->text, "is not a quote") != NULL)
		id = "UnexpectedCharacter";
	p_error(p, t->ext.start, t->ext.end, p->lx.incomplete, id, "%s",
	    t->text);
}

static void
p_next(struct parser *p, enum lex_mode mode, struct token *t)
{
	lexer_next(&p->lx, mode, t);
	if (t->type == T_ERROR)
		p_token_error(p, t);
}

/* Look at the next token without consuming it. */
static enum tok_type
p_peek(struct parser *p, enum lex_mode mode, struct token *t)
{
	size_t	save = p->lx.pos;
	bool	inc = p->lx.incomplete;

	lexer_next(&p->lx, mode, t);
	p->lx.pos = save;
	p->lx.incomplete = inc;
	return (t->type);
}

static enum tok_type
p_peek_type(struct parser *p, enum lex_mode mode)
{
	struct token	t;
	enum tok_type	type;

	type = p_peek(p, mode, &t);
	token_clear(&t);
	return (type);
}

static void
p_skip(struct parser *p, enum lex_mode mode)
{
	struct token	t;

	lexer_next(&p->lx, mode, &t);
	token_clear(&t);
}

static void
p_skip_newlines(struct parser *p)
{
	while (p_peek_type(p, LEX_COMMAND) == T_NEWLINE)
		p_skip(p, LEX_COMMAND);
}

static bool
p_at_end(struct parser *p)
{
	return (p->lx.pos >= p->lx.end);
}

/* Expect a closing token; an error (incomplete at the end) otherwise. */
static bool
p_expect(struct parser *p, enum tok_type type, const char *what,
    const char *id, size_t open)
{
	struct token	t;

	p_next(p, LEX_EXPRESSION, &t);
	if (t.type == type) {
		token_clear(&t);
		return (true);
	}
	if (t.type != T_ERROR)
		p_error(p, open, t.ext.start, t.type == T_EOF, id, "%s",
		    what);
	token_clear(&t);
	return (false);
}

/*
 * Parse a script.  A NUL byte in it is refused first, wherever it is:
 * PowerShell reads one as a blank outside strings and keeps it inside
 * them, hubsh's strings cannot hold it, and in a script it almost always
 * means a UTF-16 file or a damaged one.
 */
struct node *
parse_script(struct source *src, size_t start, size_t end,
    struct parse_error *err)
{
	const char	*nul;

	if (end > src->len)
		end = src->len;
	if (start < end && (nul = memchr(src->text + start, '\0',
	    end - start)) != NULL) {
		memset(err, 0, sizeof *err);
		err->message = xstrdup(SHELL_NUL_SCRIPT);
		err->id = xstrdup("UnexpectedCharacter");
		err->ext.start = (size_t)(nul - src->text);
		err->ext.end = err->ext.start + 1;
		return (NULL);
	}
	return (parse_range(src, start, end, 0, err));
}

/* Parse src[start..end) inside depth levels (a string's $( ): more). */
static struct node *
parse_range(struct source *src, size_t start, size_t end, int depth,
    struct parse_error *err)
{
	struct parser	 p;
	struct node	*n;

	memset(&p, 0, sizeof p);
	memset(err, 0, sizeof *err);
	p.src = src;
	p.err = err;
	p.depth = depth;
	p.comma_ends = -1;
	lexer_init(&p.lx, src, start, end);
	n = p_statements(&p, T_EOF);
	if (p.failed) {
		node_free(n);
		return (NULL);
	}
	return (n);
}

/* Statements up to a closing token (T_EOF, T_RBRACE or T_RPAREN). */
static struct node *
p_statements(struct parser *p, enum tok_type close)
{
	struct node	*block, *st;
	struct token	 t;
	enum tok_type	 type;

	block = node_new(N_BLOCK, p->lx.pos, p->lx.pos);
	for (;;) {
		type = p_peek(p, LEX_COMMAND, &t);
		if (type == T_NEWLINE || type == T_SEMI) {
			token_clear(&t);
			p_skip(p, LEX_COMMAND);
			continue;
		}
		if (type == T_EOF || type == close || type == T_ERROR) {
			if (type == T_ERROR) {
				token_clear(&t);
				p_next(p, LEX_COMMAND, &t);
			}
			token_clear(&t);
			break;
		}
		if (type == T_RPAREN || type == T_RBRACE) {
			p_error(p, t.ext.start, t.ext.end, false,
			    "UnexpectedToken", "Unexpected token '%c' in "
			    "expression or statement.", type == T_RPAREN ?
			    ')' : '}');
			token_clear(&t);
			break;
		}
		token_clear(&t);
		st = p_statement(p);
		if (st != NULL)
			p_add(p, block, st);
		if (p->failed)
			break;
		type = p_peek(p, LEX_COMMAND, &t);
		if (type != T_NEWLINE && type != T_SEMI && type != T_EOF &&
		    type != close) {
			if (type != T_ERROR)
				p_error(p, t.ext.start, t.ext.end, false,
				    "UnexpectedToken", "Unexpected token '%.*s' "
				    "in expression or statement.",
				    (int)(t.ext.end - t.ext.start),
				    p->src->text + t.ext.start);
			else {
				token_clear(&t);
				p_next(p, LEX_COMMAND, &t);
			}
			token_clear(&t);
			break;
		}
		token_clear(&t);
	}
	return (block);
}

static bool
p_keyword(struct token *t, const char *kw)
{
	return (t->type == T_STRING && !t->quoted &&
	    strcasecmp(t->text, kw) == 0);
}

/* Parse "( pipeline )" after if/elseif. */
static struct node *
p_condition(struct parser *p)
{
	struct token	 t;
	struct node	*n;
	size_t		 open;

	p_skip_newlines(p);
	p_next(p, LEX_EXPRESSION, &t);
	open = t.ext.start;
	if (t.type != T_LPAREN) {
		if (!p->failed)
			p_error(p, t.ext.start, t.ext.end, t.type == T_EOF,
			    "MissingOpenParenthesisInIfStatement",
			    "Missing '(' after 'if' in if statement.");
		token_clear(&t);
		return (NULL);
	}
	token_clear(&t);
	p_skip_newlines(p);
	n = p_statement(p);
	p_skip_newlines(p);
	if (!p->failed)
		p_expect(p, T_RPAREN, "Missing closing ')' after expression "
		    "in 'if' statement.", "MissingEndParenthesisAfterStatement",
		    open);
	return (n);
}

static struct node *
p_block(struct parser *p, const char *what)
{
	struct token	 t;
	struct node	*n;
	size_t		 open;

	p_skip_newlines(p);
	p_next(p, LEX_EXPRESSION, &t);
	open = t.ext.start;
	if (t.type != T_LBRACE) {
		if (!p->failed)
			p_error(p, t.ext.start, t.ext.end, t.type == T_EOF,
			    "MissingStatementBlock", "Missing statement block "
			    "after %s.", what);
		token_clear(&t);
		return (NULL);
	}
	token_clear(&t);
	n = p_statements(p, T_RBRACE);
	if (!p->failed)
		p_expect(p, T_RBRACE, "Missing closing '}' in statement block "
		    "or type definition.", "MissingEndCurlyBrace", open);
	return (n);
}

static struct node *
p_if(struct parser *p, size_t start)
{
	struct node	*n;
	struct token	 t;
	size_t		 save;

	n = node_new(N_IF, start, start);
	if (!p_enter(p))
		return (n);
	p_add(p, n, p_condition(p));
	if (!p->failed)
		p_add(p, n, p_block(p, "if ( condition )"));
	while (!p->failed) {
		save = p->lx.pos;
		p_skip_newlines(p);
		p_peek(p, LEX_COMMAND, &t);
		if (p_keyword(&t, "elseif")) {
			token_clear(&t);
			p_skip(p, LEX_COMMAND);
			p_add(p, n, p_condition(p));
			if (!p->failed)
				p_add(p, n, p_block(p, "elseif ( condition )"));
			continue;
		}
		if (p_keyword(&t, "else")) {
			token_clear(&t);
			p_skip(p, LEX_COMMAND);
			p_add(p, n, p_block(p, "else"));
			break;
		}
		token_clear(&t);
		p->lx.pos = save;
		break;
	}
	p_leave(p);
	return (n);
}

static struct node *
p_foreach(struct parser *p, size_t start)
{
	struct node	*n;

	n = node_new(N_FOREACH, start, start);
	if (!p_enter(p))
		return (n);
	p_foreach_parts(p, n);
	p_leave(p);
	return (n);
}

/* ( $var in statement ) { block } of a foreach loop, into n. */
static void
p_foreach_parts(struct parser *p, struct node *n)
{
	struct token	 t;
	size_t		 open;

	p_next(p, LEX_EXPRESSION, &t);
	open = t.ext.start;
	if (t.type != T_LPAREN) {
		p_error(p, t.ext.start, t.ext.end, t.type == T_EOF,
		    "MissingOpenParenthesisAfterKeyword",
		    "Missing opening '(' after keyword 'foreach'.");
		token_clear(&t);
		return;
	}
	token_clear(&t);
	p_next(p, LEX_EXPRESSION, &t);
	if (t.type != T_VARIABLE) {
		p_error(p, t.ext.start, t.ext.end, t.type == T_EOF,
		    "MissingVariableNameAfterForeach",
		    "Missing variable name after foreach.");
		token_clear(&t);
		return;
	}
	n->str = xstrdup(t.text);
	token_clear(&t);
	p_next(p, LEX_EXPRESSION, &t);
	if (!p_keyword(&t, "in")) {
		p_error(p, t.ext.start, t.ext.end, t.type == T_EOF,
		    "MissingInInForeach", "Missing 'in' after variable in "
		    "foreach loop.");
		token_clear(&t);
		return;
	}
	token_clear(&t);
	p_add(p, n, p_statement(p));
	if (!p->failed)
		p_expect(p, T_RPAREN, "Missing closing ')' after expression "
		    "in 'foreach' statement.", "MissingEndParenthesisAfterForeach",
		    open);
	if (!p->failed)
		p_add(p, n, p_block(p, "foreach ( ... )"));
}

static bool
p_statement_end(enum tok_type type)
{
	return (type == T_NEWLINE || type == T_SEMI || type == T_EOF ||
	    type == T_RBRACE || type == T_RPAREN);
}

/*
 * Is a dash word at the start of a statement a unary operator (-not,
 * -split, -join): then the statement is an expression, not a command.
 */
static bool
p_unary_word(const struct token *t)
{
	static const char *const words[] = {
		"not", "split", "isplit", "csplit", "join", "bnot", NULL
	};
	size_t	i;

	for (i = 0; words[i] != NULL; i++) {
		if (t->text != NULL && strcasecmp(t->text, words[i]) == 0)
			return (true);
	}
	return (false);
}

static struct node *
p_statement(struct parser *p)
{
	struct token	 t;
	struct node	*n, *e;
	enum tok_type	 type;
	size_t		 start;

	type = p_peek(p, LEX_COMMAND, &t);
	start = t.ext.start;
	if (p_keyword(&t, "if") || p_keyword(&t, "foreach") ||
	    p_keyword(&t, "exit") || p_keyword(&t, "throw") ||
	    p_keyword(&t, "return")) {
		p_skip(p, LEX_COMMAND);
		if (p_keyword(&t, "if"))
			n = p_if(p, start);
		else if (p_keyword(&t, "foreach") &&
		    p_peek_type(p, LEX_EXPRESSION) == T_LPAREN)
			n = p_foreach(p, start);
		else if (p_keyword(&t, "foreach")) {
			/* foreach as ForEach-Object at statement start. */
			p->lx.pos = start;
			token_clear(&t);
			return (p_pipeline(p, NULL));
		} else {
			n = node_new(p_keyword(&t, "throw") ? N_THROW : N_EXIT,
			    start, t.ext.end);
			if (p_keyword(&t, "return"))
				n->str = xstrdup("return");
			if (!p_statement_end(p_peek_type(p, LEX_COMMAND)) &&
			    p_enter(p)) {
				p_add(p, n, p_expression(p));
				p_leave(p);
			}
		}
		token_clear(&t);
		return (n);
	}
	/*
	 * A statement starting with '[', a digit or '$' is an expression:
	 * $x=5 and $n+=1 assign, as in PowerShell, though in command mode
	 * the same characters would make one word.
	 */
	if (((type == T_STRING || type == T_XSTRING) && !t.quoted &&
	    p->src->text[start] != '[' && p->src->text[start] != '$' &&
	    !isdigit((unsigned char)p->src->text[start])) ||
	    (type == T_PARAM && !p_unary_word(&t)) || type == T_AMP) {
		token_clear(&t);
		return (p_pipeline(p, NULL));
	}
	token_clear(&t);
	e = p_expression(p);
	if (p->failed)
		return (e);
	type = p_peek(p, LEX_EXPRESSION, &t);
	if (type == T_OPERATOR && (t.op == OP_ASSIGN || t.op ==
	    OP_PLUS_ASSIGN || t.op == OP_MINUS_ASSIGN)) {
		if (e->type != N_VAR && e->type != N_MEMBER &&
		    e->type != N_INDEX && !(e->type == N_CAST &&
		    e->nkids == 1 && e->kids[0]->type == N_VAR)) {
			p_error(p, e->ext.start, t.ext.end, false,
			    "InvalidLeftHandSide", "The assignment expression "
			    "is not valid. The input to an assignment operator "
			    "must be an object that is able to accept "
			    "assignments, such as a variable or a property.");
			token_clear(&t);
			return (e);
		}
		p_skip(p, LEX_EXPRESSION);
		n = node_new(N_ASSIGN, e->ext.start, t.ext.end);
		n->op = t.op;
		p_add(p, n, e);
		token_clear(&t);
		p_skip_newlines(p);
		if (p_statement_end(p_peek_type(p, LEX_COMMAND))) {
			p_error(p, n->ext.end, n->ext.end, p_at_end(p),
			    "ExpectedValueExpression", "You must provide a "
			    "value expression following the '%s' operator.",
			    op_name(n->op));
			return (n);
		}
		if (p_enter(p)) {
			p_add(p, n, p_statement(p));
			p_leave(p);
		}
		return (n);
	}
	token_clear(&t);
	return (p_pipeline(p, e));
}

/* A pipeline; first is an already-parsed leading expression or NULL. */
static struct node *
p_pipeline(struct parser *p, struct node *first)
{
	struct node	*pl, *c;
	struct token	 t;
	enum tok_type	 type;

	pl = node_new(N_PIPELINE, p->lx.pos, p->lx.pos);
	if (first != NULL) {
		pl->ext.start = first->ext.start;
		p_add(p, pl, first);
	} else {
		c = p_command(p);
		pl->ext.start = c->ext.start;
		p_add(p, pl, c);
	}
	while (!p->failed) {
		type = p_peek(p, LEX_COMMAND, &t);
		if (type != T_PIPE) {
			token_clear(&t);
			break;
		}
		token_clear(&t);
		p_skip(p, LEX_COMMAND);
		p_skip_newlines(p);
		type = p_peek(p, LEX_COMMAND, &t);
		if (p_statement_end(type) || type == T_PIPE) {
			p_error(p, t.ext.start, t.ext.end, type == T_EOF,
			    "EmptyPipeElement",
			    "An empty pipe element is not allowed.");
			token_clear(&t);
			break;
		}
		if (type != T_STRING && type != T_XSTRING &&
		    type != T_PARAM && type != T_AMP) {
			p_error(p, t.ext.start, t.ext.end, false,
			    "ExpressionsMustBeFirstInPipeline", "Expressions "
			    "are only allowed as the first element of a "
			    "pipeline.");
			token_clear(&t);
			break;
		}
		token_clear(&t);
		p_add(p, pl, p_command(p));
	}
	return (pl);
}

/* A command: name, then parameters and arguments in argument mode. */
static struct node *
p_command(struct parser *p)
{
	struct node	*cmd, *name, *prm;
	struct token	 t;
	enum tok_type	 type;

	p_next(p, LEX_COMMAND, &t);
	cmd = node_new(N_COMMAND, t.ext.start, t.ext.end);
	if (!p_enter(p)) {
		token_clear(&t);
		return (cmd);
	}
	if (t.type == T_AMP) {
		token_clear(&t);
		name = p_argument(p);
	} else if (t.type == T_PARAM) {
		name = node_new(N_CONST, t.ext.start, t.ext.end);
		name->val = value_string_take(xstrndup(p->src->text +
		    t.ext.start, t.ext.end - t.ext.start));
		token_clear(&t);
	} else {
		p->lx.pos = t.ext.start;
		token_clear(&t);
		name = p_argument(p);
	}
	p_add(p, cmd, name);
	while (!p->failed) {
		type = p_peek(p, LEX_COMMAND, &t);
		if (p_statement_end(type) || type == T_PIPE) {
			token_clear(&t);
			break;
		}
		if (type == T_AMP) {
			p_error(p, t.ext.start, t.ext.end, false,
			    "AmpersandNotAllowed", "The ampersand (&) "
			    "character is not allowed. The & operator is "
			    "reserved for future use; wrap an ampersand in "
			    "double quotation marks (\"&\") to pass it as "
			    "part of a string.");
			token_clear(&t);
			break;
		}
		if (type == T_PARAM) {
			p_skip(p, LEX_COMMAND);
			prm = node_new(N_PARAM, t.ext.start, t.ext.end);
			prm->str = xstrdup(t.text);
			if (t.colon) {
				prm->flags = 1;
				type = p_peek_type(p, LEX_COMMAND);
				if (p_statement_end(type) || type == T_PIPE ||
				    type == T_PARAM) {
					p_error(p, t.ext.start, t.ext.end,
					    false, "ParameterRequiresArgument",
					    "Parameter -%s requires an "
					    "argument.", t.text);
					token_clear(&t);
					p_add(p, cmd, prm);
					break;
				}
				p_add(p, prm, p_argument(p));
			}
			token_clear(&t);
			p_add(p, cmd, prm);
			continue;
		}
		token_clear(&t);
		p_add(p, cmd, p_argument(p));
	}
	p_leave(p);
	return (cmd);
}

/* One command argument: a primary or a comma list of them. */
static struct node *
p_argument(struct parser *p)
{
	struct node	*first, *arr;
	struct token	 t;
	enum tok_type	 type;

	first = p_postfix(p, p_primary(p, true), true);
	type = p_peek(p, LEX_COMMAND, &t);
	token_clear(&t);
	if (type != T_COMMA)
		return (first);
	arr = node_new(N_ARRAY, first->ext.start, first->ext.end);
	p_add(p, arr, first);
	while (!p->failed && p_peek_type(p, LEX_COMMAND) == T_COMMA) {
		p_skip(p, LEX_COMMAND);
		p_skip_newlines(p);
		type = p_peek(p, LEX_COMMAND, &t);
		if (p_statement_end(type) || type == T_PIPE ||
		    type == T_COMMA || type == T_PARAM) {
			p_error(p, t.ext.start, t.ext.end, type == T_EOF,
			    "MissingExpressionAfterToken",
			    "Missing argument in parameter list.");
			token_clear(&t);
			break;
		}
		token_clear(&t);
		p_add(p, arr, p_postfix(p, p_primary(p, true), true));
	}
	return (arr);
}

static struct node *
p_expression(struct parser *p)
{
	return (p_binary(p, 0));
}

/*
 * Precedence level of a binary operator, as PowerShell's tokenizer ranks
 * them (TokenFlags.BinaryPrecedence*); -1 for none.
 */
#define P_LEVEL_ADD	3	/* + and -: "2 -1" is a subtraction there */
#define P_LEVEL_MAX	6

static int
p_level(enum op op)
{
	switch (op) {
	case OP_AND: case OP_OR: case OP_XOR:
		return (0);
	case OP_BAND: case OP_BOR: case OP_BXOR:
		return (1);
	case OP_EQ: case OP_NE: case OP_GT: case OP_GE: case OP_LT:
	case OP_LE: case OP_LIKE: case OP_NOTLIKE: case OP_MATCH:
	case OP_NOTMATCH: case OP_CONTAINS: case OP_NOTCONTAINS: case OP_IN:
	case OP_NOTIN: case OP_REPLACE: case OP_SPLIT: case OP_JOIN:
	case OP_IS: case OP_ISNOT: case OP_AS: case OP_SHL: case OP_SHR:
		return (2);
	case OP_PLUS: case OP_MINUS:
		return (P_LEVEL_ADD);
	case OP_MUL: case OP_DIV: case OP_MOD:
		return (4);
	case OP_F:
		return (5);
	case OP_RANGE:
		return (P_LEVEL_MAX);
	default:
		return (-1);
	}
}

static struct node *
p_binary(struct parser *p, int level)
{
	struct node	*lhs, *n;
	struct token	 t;
	enum tok_type	 type;

	if (level > P_LEVEL_MAX)
		return (p_unary(p));
	lhs = p_binary(p, level + 1);
	while (!p->failed) {
		type = p_peek(p, LEX_EXPRESSION, &t);
		if (type == T_NUMBER && t.text != NULL &&
		    lex_is_dash((unsigned char)t.text[0]) &&
		    level == P_LEVEL_ADD) {
			/* "2 -1": a minus, then a number. */
			uint32_t	dash;

			p->lx.pos = t.ext.start + utf8_decode(p->src->text +
			    t.ext.start, p->src->len - t.ext.start, &dash);
			token_clear(&t);
			n = node_new(N_BINARY, lhs->ext.start, p->lx.pos);
			n->op = OP_MINUS;
			p_add(p, n, lhs);
			p_add(p, n, p_binary(p, level + 1));
			lhs = n;
			continue;
		}
		if (type != T_OPERATOR || p_level(t.op) != level) {
			token_clear(&t);
			break;
		}
		p_skip(p, LEX_EXPRESSION);
		n = node_new(N_BINARY, lhs->ext.start, t.ext.end);
		n->op = t.op;
		if (t.colon)
			n->flags |= NF_CASE;
		p_add(p, n, lhs);
		p_skip_newlines(p);
		if (p_statement_end(p_peek_type(p, LEX_EXPRESSION)))
			p_error(p, t.ext.start, t.ext.end, p_at_end(p),
			    "ExpectedValueExpression", "You must provide a "
			    "value expression following the '-%s' operator.",
			    t.text != NULL ? t.text : op_name(t.op));
		else
			p_add(p, n, p_binary(p, level + 1));
		token_clear(&t);
		lhs = n;
	}
	return (lhs);
}

/* Can op be a unary operator (-not ! - + -join -split -bnot)? */
static bool
p_unary_op(enum op op)
{
	switch (op) {
	case OP_NOT: case OP_BANG: case OP_MINUS: case OP_PLUS: case OP_JOIN:
	case OP_SPLIT: case OP_BNOT:
		return (true);
	default:
		return (false);
	}
}

static struct node *
p_unary(struct parser *p)
{
	struct node	*n;
	struct token	 t;
	enum tok_type	 type;

	type = p_peek(p, LEX_EXPRESSION, &t);
	if (type == T_OPERATOR && p_unary_op(t.op)) {
		p_skip(p, LEX_EXPRESSION);
		n = node_new(N_UNARY, t.ext.start, t.ext.end);
		n->op = t.op;
		token_clear(&t);
		if (p_statement_end(p_peek_type(p, LEX_EXPRESSION))) {
			p_error(p, n->ext.start, n->ext.end, p_at_end(p),
			    "MissingExpressionAfterOperator", "Missing "
			    "expression after unary operator '%s'.",
			    op_name(n->op));
			return (n);
		}
		if (p_enter(p)) {
			p_add(p, n, p_unary(p));
			p_leave(p);
		}
		return (n);
	}
	token_clear(&t);
	return (p_array(p));
}

static struct node *
p_array(struct parser *p)
{
	struct node	*first, *arr;

	first = p_postfix(p, p_primary(p, false), false);
	if (p->failed || p->comma_ends == p->depth ||
	    p_peek_type(p, LEX_EXPRESSION) != T_COMMA)
		return (first);
	arr = node_new(N_ARRAY, first->ext.start, first->ext.end);
	p_add(p, arr, first);
	while (!p->failed && p_peek_type(p, LEX_EXPRESSION) == T_COMMA) {
		p_skip(p, LEX_EXPRESSION);
		p_skip_newlines(p);
		if (p_statement_end(p_peek_type(p, LEX_EXPRESSION))) {
			p_error(p, arr->ext.end, arr->ext.end + 1, p_at_end(p),
			    "MissingExpressionAfterToken",
			    "Missing expression after ','.");
			break;
		}
		p_add(p, arr, p_postfix(p, p_primary(p, false), false));
	}
	return (arr);
}

/* Member access, method calls and indexing glued to a primary. */
static struct node *
p_postfix(struct parser *p, struct node *n, bool argmode)
{
	struct node	*m, *name;
	struct token	 t;
	enum tok_type	 type;

	while (!p->failed) {
		type = p_peek(p, LEX_EXPRESSION, &t);
		if (t.space_before || (type != T_DOT && type != T_LBRACKET &&
		    type != T_COLONCOLON)) {
			token_clear(&t);
			break;
		}
		if (argmode && n->type == N_CONST && type != T_DOT) {
			token_clear(&t);
			break;
		}
		p_skip(p, LEX_EXPRESSION);
		if (type == T_LBRACKET) {
			m = node_new(N_INDEX, n->ext.start, t.ext.end);
			p_add(p, m, n);
			if (p_enter(p)) {
				p_add(p, m, p_expression(p));
				p_leave(p);
			}
			if (!p->failed)
				p_expect(p, T_RBRACKET, "Array index expression "
				    "is missing or not valid.",
				    "MissingArrayIndexExpression",
				    t.ext.start);
			m->ext.end = p->lx.pos;
			token_clear(&t);
			n = m;
			continue;
		}
		token_clear(&t);
		p_next(p, LEX_EXPRESSION, &t);
		if (t.type == T_STRING || t.type == T_XSTRING) {
			name = node_new(N_CONST, t.ext.start, t.ext.end);
			name->val = value_string(t.text != NULL ? t.text : "");
		} else if (t.type == T_VARIABLE) {
			name = node_new(N_VAR, t.ext.start, t.ext.end);
			name->str = xstrdup(t.text);
		} else {
			if (t.type != T_ERROR)
				p_error(p, t.ext.start, t.ext.end,
				    t.type == T_EOF, "MissingPropertyName",
				    "Missing property name after reference "
				    "operator.");
			token_clear(&t);
			break;
		}
		token_clear(&t);
		type = p_peek(p, LEX_EXPRESSION, &t);
		if (type == T_LPAREN && !t.space_before) {
			token_clear(&t);
			m = node_new(N_INVOKE, n->ext.start, p->lx.pos);
			p_add(p, m, n);
			p_add(p, m, name);
			p_call_args(p, m);
			n = m;
			continue;
		}
		token_clear(&t);
		m = node_new(N_MEMBER, n->ext.start, name->ext.end);
		p_add(p, m, n);
		p_add(p, m, name);
		n = m;
	}
	return (n);
}

/*
 * The ( args ) of a method call, at the '(': each argument an
 * expression, added to m; m ends at the ')'.
 */
static void
p_call_args(struct parser *p, struct node *m)
{
	struct token	t;
	size_t		open;
	int		save = p->comma_ends;

	p_next(p, LEX_EXPRESSION, &t);
	open = t.ext.start;
	token_clear(&t);
	p_skip_newlines(p);
	if (!p_enter(p))
		return;
	p->comma_ends = p->depth;
	while (!p->failed && p_peek_type(p, LEX_EXPRESSION) != T_RPAREN) {
		p_add(p, m, p_expression(p));
		p_skip_newlines(p);
		if (p_peek_type(p, LEX_EXPRESSION) == T_COMMA) {
			p_skip(p, LEX_EXPRESSION);
			p_skip_newlines(p);
		} else
			break;
	}
	p->comma_ends = save;
	p_leave(p);
	if (!p->failed)
		p_expect(p, T_RPAREN, "Missing closing ')' in expression.",
		    "MissingEndParenthesisInMethodCall", open);
	m->ext.end = p->lx.pos;
}

/* Parse the $( ) parts of an expandable string into kids of n. */
static void
p_xstring_parts(struct parser *p, struct node *n, struct token *t)
{
	struct parse_error	 err;
	struct node		*sub;
	size_t			 i;

	n->parts = t->parts;
	n->nparts = t->nparts;
	t->parts = NULL;
	t->nparts = 0;
	for (i = 0; i < n->nparts; i++) {
		if (n->parts[i].type != XP_SUBEXPR)
			continue;
		if (!p_enter(p))
			return;
		sub = parse_range(p->src, n->parts[i].ext.start,
		    n->parts[i].ext.end, p->depth, &err);
		p_leave(p);
		if (sub == NULL) {
			p_error(p, err.ext.start, err.ext.end, err.incomplete,
			    err.id, "%s", err.message);
			parse_error_clear(&err);
			return;
		}
		p_add(p, n, sub);
	}
}

/* @{ key = value; ... } after the opening token. */
static struct node *
p_hash(struct parser *p, size_t open)
{
	struct node	*h, *key;
	struct token	 t;
	enum tok_type	 type;

	h = node_new(N_HASH, open, open);
	if (!p_enter(p))
		return (h);
	for (;;) {
		type = p_peek(p, LEX_EXPRESSION, &t);
		if (type == T_NEWLINE || type == T_SEMI) {
			token_clear(&t);
			p_skip(p, LEX_EXPRESSION);
			continue;
		}
		if (type == T_RBRACE) {
			token_clear(&t);
			p_skip(p, LEX_EXPRESSION);
			break;
		}
		if (type == T_EOF || type == T_ERROR) {
			if (type == T_ERROR) {
				token_clear(&t);
				p_next(p, LEX_EXPRESSION, &t);
			} else
				p_error(p, open, t.ext.start, true,
				    "MissingEndCurlyBrace", "The hash literal "
				    "was incomplete.");
			token_clear(&t);
			break;
		}
		if (type == T_STRING && !t.quoted) {
			p_skip(p, LEX_EXPRESSION);
			key = node_new(N_CONST, t.ext.start, t.ext.end);
			key->val = value_string(t.text);
		} else
			key = p_unary(p);
		token_clear(&t);
		p_add(p, h, key);
		if (p->failed)
			break;
		type = p_peek(p, LEX_EXPRESSION, &t);
		if (type != T_OPERATOR || t.op != OP_ASSIGN) {
			p_error(p, t.ext.start, t.ext.end, type == T_EOF,
			    "MissingEqualsInHashLiteral", "Missing '=' "
			    "operator after key in hash literal.");
			token_clear(&t);
			break;
		}
		token_clear(&t);
		p_skip(p, LEX_EXPRESSION);
		p_skip_newlines(p);
		p_add(p, h, p_statement(p));
		if (p->failed)
			break;
	}
	p_leave(p);
	h->ext.end = p->lx.pos;
	return (h);
}

/* A { script block } after the opening brace. */
static struct node *
p_scriptblock(struct parser *p, size_t open)
{
	struct node	*n;

	n = node_new(N_SCRIPT, open, open);
	if (!p_enter(p))
		return (n);
	p_add(p, n, p_statements(p, T_RBRACE));
	p_leave(p);
	if (p->failed)
		return (n);
	if (p_expect(p, T_RBRACE, "Missing closing '}' in statement block "
	    "or type definition.", "MissingEndCurlyBrace", open)) {
		n->ext.end = p->lx.pos;
		n->str = xstrndup(p->src->text + open + 1,
		    n->ext.end - open - 2);
	}
	return (n);
}

/* ( pipeline ), $( statements ) or @( statements ). */
static struct node *
p_group(struct parser *p, enum node_type type, size_t open)
{
	struct node	*n, *inner;

	n = node_new(type, open, open);
	if (!p_enter(p))
		return (n);
	p_skip_newlines(p);
	if (type == N_PAREN) {
		inner = p_statement(p);
		p_skip_newlines(p);
	} else
		inner = p_statements(p, T_RPAREN);
	p_add(p, n, inner);
	p_leave(p);
	if (!p->failed)
		p_expect(p, T_RPAREN, "Missing closing ')' in expression.",
		    "MissingEndParenthesisInExpression", open);
	n->ext.end = p->lx.pos;
	return (n);
}

/*
 * The name of a [type] literal after its '[': up to the ']' that closes
 * it, brackets inside balanced ([int[]], [System.Collections.Generic.
 * List[string]]).  NULL after the error when there is none.
 */
static char *
p_type_name(struct parser *p, size_t open)
{
	size_t	i;
	int	depth = 0;

	for (i = p->lx.pos; i < p->lx.end; i++) {
		if (p->src->text[i] == '[')
			depth++;
		else if (p->src->text[i] == ']' && depth-- == 0)
			break;
		else if (p->src->text[i] == '\n')
			i = p->lx.end - 1;
	}
	if (i >= p->lx.end) {
		p_error(p, open, i, true, "EndSquareBracketExpectedAtEndOfType",
		    "Missing ] at end of type token.");
		return (NULL);
	}
	open = p->lx.pos;
	p->lx.pos = i + 1;
	return (xstrndup(p->src->text + open, i - open));
}

/*
 * Does a token start the operand of a cast?  Else [type] stands alone:
 * `$x -is [string]`, `[string]` at the prompt, `[int].Name`.
 */
static bool
p_cast_operand(enum tok_type type, const struct token *t)
{
	switch (type) {
	case T_NUMBER: case T_XSTRING: case T_VARIABLE: case T_LPAREN:
	case T_DOLLAR_PAREN: case T_AT_PAREN: case T_AT_BRACE: case T_LBRACE:
	case T_LBRACKET: case T_SPLAT:
		return (true);
	case T_STRING:
		return (t->quoted);
	case T_OPERATOR:
		return (p_unary_op(t->op));
	default:
		return (false);
	}
}

/* [type]::Member or [type]::Method(args), after the '::'. */
static struct node *
p_static(struct parser *p, size_t open, char *type)
{
	struct node	*n, *name;
	struct token	 t;

	p_next(p, LEX_EXPRESSION, &t);
	n = node_new(N_STATIC, open, t.ext.end);
	n->str = type;
	name = node_new(N_CONST, t.ext.start, t.ext.end);
	if (t.type == T_STRING || t.type == T_XSTRING)
		name->val = value_string(t.text != NULL ? t.text : "");
	else if (t.type != T_ERROR)
		p_error(p, t.ext.start, t.ext.end, t.type == T_EOF,
		    "MissingPropertyName", "Missing property name after "
		    "reference operator.");
	p_add(p, n, name);
	token_clear(&t);
	if (!p->failed && p_peek(p, LEX_EXPRESSION, &t) == T_LPAREN &&
	    !t.space_before) {
		n->flags |= NF_CALL;
		p_call_args(p, n);
	}
	token_clear(&t);
	return (n);
}

/* [type] cast, [type]::Member, or [type] alone (N_TYPE). */
static struct node *
p_type_literal(struct parser *p, size_t open)
{
	struct node	*n;
	struct token	 t;
	enum tok_type	 type;
	char		*name;
	int		 save;

	if ((name = p_type_name(p, open)) == NULL)
		return (node_new(N_CONST, open, p->lx.pos));
	type = p_peek(p, LEX_EXPRESSION, &t);
	if (type == T_COLONCOLON && !t.space_before) {
		token_clear(&t);
		p_skip(p, LEX_EXPRESSION);
		return (p_static(p, open, name));
	}
	if (!p_cast_operand(type, &t)) {
		token_clear(&t);
		n = node_new(N_TYPE, open, p->lx.pos);
		n->str = name;
		return (n);
	}
	token_clear(&t);
	n = node_new(N_CAST, open, p->lx.pos);
	n->str = name;
	if (p_enter(p)) {
		/* [string]1,2 is ([string]1), 2: a cast binds tighter. */
		save = p->comma_ends;
		p->comma_ends = p->depth;
		p_add(p, n, p_unary(p));
		p->comma_ends = save;
		p_leave(p);
	}
	return (n);
}

static struct node *
p_primary(struct parser *p, bool argmode)
{
	struct node	*n;
	struct token	 t;

	p_next(p, argmode ? LEX_COMMAND : LEX_EXPRESSION, &t);
	switch (t.type) {
	case T_NUMBER:
		n = node_new(N_CONST, t.ext.start, t.ext.end);
		n->val = value_ref(t.num);
		break;
	case T_STRING:
		if (!t.quoted && !argmode)
			goto unexpected;
		n = node_new(N_CONST, t.ext.start, t.ext.end);
		n->val = value_string(t.text);
		if (!t.quoted)
			n->flags = 1;	/* bareword */
		break;
	case T_XSTRING:
		n = node_new(N_XSTRING, t.ext.start, t.ext.end);
		p_xstring_parts(p, n, &t);
		if (!t.quoted)
			n->flags = 1;
		break;
	case T_VARIABLE:
		n = node_new(N_VAR, t.ext.start, t.ext.end);
		n->str = xstrdup(t.text);
		break;
	case T_SPLAT:
		n = node_new(N_SPLAT, t.ext.start, t.ext.end);
		n->str = xstrdup(t.text);
		break;
	case T_LPAREN:
		n = p_group(p, N_PAREN, t.ext.start);
		break;
	case T_DOLLAR_PAREN:
		n = p_group(p, N_SUBEXPR, t.ext.start);
		break;
	case T_AT_PAREN:
		n = p_group(p, N_ARRAY_SUB, t.ext.start);
		break;
	case T_AT_BRACE:
		n = p_hash(p, t.ext.start);
		break;
	case T_LBRACE:
		n = p_scriptblock(p, t.ext.start);
		break;
	case T_LBRACKET:
		n = p_type_literal(p, t.ext.start);
		break;
	case T_ERROR:
		n = node_new(N_CONST, t.ext.start, t.ext.end);
		break;
	default:
unexpected:
		if (t.type == T_EOF || t.type == T_NEWLINE)
			p_error(p, t.ext.start, t.ext.end, t.type == T_EOF,
			    "ExpectedExpression", "Missing expression.");
		else
			p_error(p, t.ext.start, t.ext.end, false,
			    "UnexpectedToken", "Unexpected token '%.*s' in "
			    "expression or statement.",
			    (int)(t.ext.end - t.ext.start),
			    p->src->text + t.ext.start);
		n = node_new(N_CONST, t.ext.start, t.ext.end);
		break;
	}
	token_clear(&t);
	return (n);
}

/* 1 complete, 0 needs more lines, -1 a real syntax error. */
int
shell_check_complete(const char *text)
{
	struct source		*src;
	struct parse_error	 err;
	struct node		*n;
	int			 r;

	src = source_create("line", text, strlen(text));
	n = parse_script(src, 0, src->len, &err);
	if (n != NULL)
		r = 1;
	else
		r = err.incomplete ? 0 : -1;
	node_free(n);
	parse_error_clear(&err);
	source_free(src);
	return (r);
}
