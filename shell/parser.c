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
	/* At this depth a comma ends the expression (method and attribute
	   arguments, a parameter's default, a cast's operand); -1:
	   nowhere. */
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
static struct node *p_redirect(struct parser *, struct token *);
static struct node *p_scriptblock(struct parser *, size_t);
static struct node *p_if_kw(struct parser *, size_t, const char *);
static struct node *p_foreach_kw(struct parser *, size_t, const char *);
static struct node *p_param_list(struct parser *, size_t);
static struct node *p_param_block(struct parser *);
static bool	 p_open_after(struct parser *, const char *, size_t *);
static char	*p_type_name(struct parser *, size_t);
static void	    p_script_body(struct parser *, struct node *,
		    enum tok_type);
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
	free(n->label);
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
 * The token that opens a construct (the '(' after a keyword, a block's
 * '{'), newlines before it skipped; false, with the error id and message
 * reported (incomplete at the end of the input), when it is not there.
 */
static bool
p_open(struct parser *p, enum tok_type type, size_t *open, const char *id,
    const char *message)
{
	struct token	t;
	bool		ok;

	p_skip_newlines(p);
	p_next(p, LEX_EXPRESSION, &t);
	*open = t.ext.start;
	if (!(ok = t.type == type) && !p->failed)
		p_error(p, t.ext.start, t.ext.end, t.type == T_EOF, id, "%s",
		    message);
	token_clear(&t);
	return (ok);
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
	struct node	*n, *pb;

	memset(&p, 0, sizeof p);
	memset(err, 0, sizeof *err);
	p.src = src;
	p.err = err;
	p.depth = depth;
	p.comma_ends = -1;
	lexer_init(&p.lx, src, start, end);
	pb = depth == 0 ? p_param_block(&p) : NULL;
	n = p_statements(&p, T_EOF);
	if (pb != NULL) {
		/* The script's param block is its first statement. */
		node_add(n, pb);
		memmove(n->kids + 1, n->kids, (n->nkids - 1) *
		    sizeof *n->kids);
		n->kids[0] = pb;
	}
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
		if (st != NULL && st->type == N_PIPELINE && st->nkids == 1 &&
		    st->kids[0]->type == N_INCDEC) {
			/* $i++ as a statement writes nothing; ($i++) does. */
			struct node	*kid = st->kids[0];

			st->nkids = 0;
			node_free(st);
			st = kid;
		}
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
	struct node	*n;
	size_t		 open;

	if (!p_open(p, T_LPAREN, &open, "MissingOpenParenthesisInIfStatement",
	    "Missing '(' after 'if' in if statement."))
		return (NULL);
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
	struct node	*n;
	size_t		 open;
	char		*msg;
	bool		 ok;

	msg = xprintf("Missing statement block after %s.", what);
	ok = p_open(p, T_LBRACE, &open, "MissingStatementBlock", msg);
	free(msg);
	if (!ok)
		return (NULL);
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

	if (!p_open_after(p, "foreach", &open))
		return;
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

/*
 * A condition in parentheses after a keyword (while, switch, until):
 * the statement inside.
 */
/* The '(' after a keyword (for, while, switch, until, param). */
static bool
p_open_after(struct parser *p, const char *kw, size_t *open)
{
	char	*msg;
	bool	 ok;

	msg = xprintf("Missing opening '(' after keyword '%s'.", kw);
	ok = p_open(p, T_LPAREN, open, "MissingOpenParenthesisAfterKeyword",
	    msg);
	free(msg);
	return (ok);
}

static struct node *
p_keyword_paren(struct parser *p, const char *kw)
{
	struct node	*n;
	size_t		 open;

	if (!p_open_after(p, kw, &open))
		return (NULL);
	p_skip_newlines(p);
	n = p_statement(p);
	p_skip_newlines(p);
	if (!p->failed)
		p_expect(p, T_RPAREN, "Missing closing ')' after expression "
		    "in loop statement.", "MissingEndParenthesisAfterStatement",
		    open);
	return (n);
}

static struct node *
p_while(struct parser *p, size_t start, const char *kw)
{
	struct node	*n;

	(void)kw;
	n = node_new(N_WHILE, start, start);
	if (!p_enter(p))
		return (n);
	p_add(p, n, p_keyword_paren(p, "while"));
	if (!p->failed)
		p_add(p, n, p_block(p, "while ( condition )"));
	p_leave(p);
	return (n);
}

static struct node *
p_do(struct parser *p, size_t start, const char *kw)
{
	struct node	*n;
	struct token	 t;

	(void)kw;
	n = node_new(N_DO, start, start);
	if (!p_enter(p))
		return (n);
	p_add(p, n, p_block(p, "do"));
	if (!p->failed) {
		p_skip_newlines(p);
		p_next(p, LEX_COMMAND, &t);
		if (p_keyword(&t, "while") || p_keyword(&t, "until")) {
			if (p_keyword(&t, "until"))
				n->flags |= NF_UNTIL;
			p_add(p, n, p_keyword_paren(p, t.text));
		} else
			p_error(p, t.ext.start, t.ext.end, t.type == T_EOF,
			    "MissingWhileOrUntilInDoWhile", "Missing while or "
			    "until keyword in do loop.");
		token_clear(&t);
	}
	p_leave(p);
	return (n);
}

/* One part of for ( ; ; ): a statement, or NULL when it is empty. */
static struct node *
p_for_part(struct parser *p, enum tok_type end)
{
	enum tok_type	type;

	while (p_peek_type(p, LEX_COMMAND) == T_NEWLINE && end == T_RPAREN)
		p_skip(p, LEX_COMMAND);
	type = p_peek_type(p, LEX_COMMAND);
	if (type == end || type == T_SEMI || (end != T_RPAREN &&
	    type == T_NEWLINE))
		return (NULL);
	return (p_statement(p));
}

static struct node *
p_for(struct parser *p, size_t start, const char *kw)
{
	struct node	*n;
	struct token	 t;
	size_t		 open;
	int		 part;

	(void)kw;
	n = node_new(N_FOR, start, start);
	if (!p_enter(p))
		return (n);
	if (!p_open_after(p, "for", &open)) {
		p_leave(p);
		return (n);
	}
	for (part = 0; part < 3 && !p->failed; part++) {
		p_skip_newlines(p);
		p_add(p, n, p_for_part(p, part < 2 ? T_SEMI : T_RPAREN));
		if (p->failed || part == 2)
			break;
		p_next(p, LEX_COMMAND, &t);
		if (t.type != T_SEMI && t.type != T_NEWLINE)
			p_error(p, t.ext.start, t.ext.end, t.type == T_EOF,
			    "MissingEndParenthesisAfterFor", "Missing closing "
			    "')' after expression in 'for' statement.");
		token_clear(&t);
	}
	p_skip_newlines(p);
	if (!p->failed)
		p_expect(p, T_RPAREN, "Missing closing ')' after expression "
		    "in 'for' statement.", "MissingEndParenthesisAfterFor",
		    open);
	if (!p->failed)
		p_add(p, n, p_block(p, "for ( ... )"));
	p_leave(p);
	return (n);
}

/* switch's options: -Regex, -Wildcard, -Exact, -CaseSensitive, -File. */
static const struct {
	const char	*name;
	int		 flag;
} switch_options[] = {
	{ "regex", SW_REGEX }, { "wildcard", SW_WILDCARD }, { "exact", 0 },
	{ "casesensitive", SW_CASE }, { "file", SW_FILE },
};

static bool
p_switch_options(struct parser *p, struct node *n)
{
	struct token	t;
	size_t		i, len;

	while (!p->failed && p_peek(p, LEX_COMMAND, &t) == T_PARAM) {
		len = strlen(t.text);
		for (i = 0; i < sizeof switch_options /
		    sizeof switch_options[0]; i++) {
			if (len > 0 && strncasecmp(switch_options[i].name,
			    t.text, len) == 0)
				break;
		}
		if (i == sizeof switch_options / sizeof switch_options[0]) {
			p_error(p, t.ext.start, t.ext.end, false,
			    "InvalidSwitchFlag", "Invalid switch statement "
			    "option '-%s'.", t.text);
			token_clear(&t);
			return (false);
		}
		n->flags |= switch_options[i].flag;
		token_clear(&t);
		p_skip(p, LEX_COMMAND);
	}
	token_clear(&t);
	return (!p->failed);
}

/* The clauses of a switch, after its '{'. */
static void
p_switch_clauses(struct parser *p, struct node *n, size_t open)
{
	struct token	 t;
	enum tok_type	 type;

	for (;;) {
		type = p_peek(p, LEX_COMMAND, &t);
		if (type == T_NEWLINE || type == T_SEMI) {
			token_clear(&t);
			p_skip(p, LEX_COMMAND);
			continue;
		}
		if (type == T_RBRACE || type == T_EOF) {
			token_clear(&t);
			break;
		}
		if (p_keyword(&t, "default")) {
			p_skip(p, LEX_COMMAND);
			p_add(p, n, NULL);
		} else
			p_add(p, n, p_postfix(p, p_primary(p, true), true));
		token_clear(&t);
		if (p->failed)
			return;
		p_add(p, n, p_block(p, "switch clause"));
		if (p->failed)
			return;
	}
	p_expect(p, T_RBRACE, "Missing closing '}' in statement block or "
	    "type definition.", "MissingEndCurlyBrace", open);
}

static struct node *
p_switch(struct parser *p, size_t start, const char *kw)
{
	struct node	*n;
	size_t		 open;

	(void)kw;
	n = node_new(N_SWITCH, start, start);
	if (!p_enter(p))
		return (n);
	if (p_switch_options(p, n)) {
		if (n->flags & SW_FILE)
			p_add(p, n, p_argument(p));
		else
			p_add(p, n, p_keyword_paren(p, "switch"));
	}
	if (!p->failed && p_open(p, T_LBRACE, &open,
	    "MissingCurlyBraceInSwitchStatement",
	    "Missing '{' in switch statement."))
		p_switch_clauses(p, n, open);
	p_leave(p);
	return (n);
}

static struct node *
p_try(struct parser *p, size_t start, const char *kw)
{
	struct node	*n, *c;
	struct token	 t;
	struct buf	 types;
	size_t		 save;
	char		*name;
	bool		 any = false;

	(void)kw;
	n = node_new(N_TRY, start, start);
	if (!p_enter(p))
		return (n);
	p_add(p, n, p_block(p, "try"));
	while (!p->failed) {
		save = p->lx.pos;
		p_skip_newlines(p);
		p_peek(p, LEX_COMMAND, &t);
		if (!p_keyword(&t, "catch") && !p_keyword(&t, "finally")) {
			token_clear(&t);
			p->lx.pos = save;
			break;
		}
		c = node_new(N_CATCH, t.ext.start, t.ext.end);
		any = true;
		p_skip(p, LEX_COMMAND);
		if (p_keyword(&t, "finally")) {
			c->flags |= NF_FINALLY;
			p_add(p, c, p_block(p, "finally"));
			p_add(p, n, c);
			token_clear(&t);
			break;
		}
		token_clear(&t);
		buf_init(&types);
		while (!p->failed && p_peek_type(p, LEX_EXPRESSION) ==
		    T_LBRACKET) {
			p_next(p, LEX_EXPRESSION, &t);
			if ((name = p_type_name(p, t.ext.start)) != NULL) {
				buf_addf(&types, "%s%s", types.len > 0 ?
				    "," : "", name);
				free(name);
			}
			token_clear(&t);
			p_skip_newlines(p);
			if (p_peek_type(p, LEX_EXPRESSION) == T_COMMA) {
				p_skip(p, LEX_EXPRESSION);
				p_skip_newlines(p);
			}
		}
		if (types.len > 0)
			c->str = buf_detach(&types);
		buf_free(&types);
		if (!p->failed)
			p_add(p, c, p_block(p, "catch"));
		p_add(p, n, c);
	}
	if (!p->failed && !any)
		p_error(p, n->ext.start, p->lx.pos, p_at_end(p),
		    "MissingCatchOrFinally", "The Try statement is missing "
		    "its Catch or Finally block.");
	p_leave(p);
	return (n);
}

/* break and continue, and the label on the same line. */
static struct node *
p_jump(struct parser *p, size_t start, const char *kw)
{
	struct node	*n;
	struct token	 t;

	n = node_new(strcasecmp(kw, "break") == 0 ? N_BREAK : N_CONTINUE,
	    start, start + strlen(kw));
	if (p_peek(p, LEX_COMMAND, &t) == T_STRING && !t.quoted) {
		n->str = xstrdup(t.text);
		p_skip(p, LEX_COMMAND);
	}
	token_clear(&t);
	return (n);
}

/* exit, throw and return, with their optional value. */
static struct node *
p_exit(struct parser *p, size_t start, const char *kw)
{
	struct node	*n;

	n = node_new(strcasecmp(kw, "throw") == 0 ? N_THROW : N_EXIT, start,
	    start + strlen(kw));
	if (strcasecmp(kw, "return") == 0)
		n->str = xstrdup("return");
	if (!p_statement_end(p_peek_type(p, LEX_COMMAND)) && p_enter(p)) {
		p_add(p, n, p_expression(p));
		p_leave(p);
	}
	return (n);
}

static struct node *
p_function(struct parser *p, size_t start, const char *kw)
{
	struct node	*n, *body, *inline_params = NULL;
	struct token	 t;
	size_t		 open;

	n = node_new(N_FUNCTION, start, start);
	if (strcasecmp(kw, "filter") == 0)
		n->flags |= NF_FILTER;
	if (!p_enter(p))
		return (n);
	p_next(p, LEX_COMMAND, &t);
	if ((t.type != T_STRING && t.type != T_XSTRING) || t.quoted ||
	    t.text == NULL) {
		p_error(p, t.ext.start, t.ext.end, t.type == T_EOF,
		    "MissingNameAfterKeyword", "Missing name after %s "
		    "keyword.", kw);
		token_clear(&t);
		p_leave(p);
		return (n);
	}
	n->str = xstrdup(t.text);
	token_clear(&t);
	p_skip_newlines(p);
	if (p_peek(p, LEX_EXPRESSION, &t) == T_LPAREN) {
		p_skip(p, LEX_EXPRESSION);
		inline_params = p_param_list(p, t.ext.start);
		p_skip_newlines(p);
	}
	token_clear(&t);
	if (!p->failed && p_open(p, T_LBRACE, &open, "MissingFunctionBody",
	    "Missing function body in function declaration.")) {
		body = p_scriptblock(p, open);
		if (inline_params != NULL && body->kids[SCRIPT_PARAMS] ==
		    NULL) {
			body->kids[SCRIPT_PARAMS] = inline_params;
			inline_params = NULL;
		}
		p_add(p, n, body);
	}
	node_free(inline_params);
	p_leave(p);
	return (n);
}

/*
 * An attribute or a type constraint, after its '[': [Parameter(Mandatory
 * = $true, Position = 0)], [ValidateSet('a', 'b')], [string[]].
 */
static struct node *
p_attribute(struct parser *p, size_t open)
{
	struct node	*n, *arg;
	struct token	 t;
	const char	*s = p->src->text;
	size_t		 i;
	int		 nc = p->comma_ends;

	for (i = p->lx.pos; i < p->lx.end && (isalnum((unsigned char)s[i]) ||
	    s[i] == '.' || s[i] == '_'); i++)
		;
	n = node_new(N_ATTR, open, i);
	if (i >= p->lx.end || s[i] != '(') {
		n->flags |= NF_TYPE;
		n->str = p_type_name(p, open);
		n->ext.end = p->lx.pos;
		return (n);
	}
	n->str = xstrndup(s + p->lx.pos, i - p->lx.pos);
	p->lx.pos = i + 1;
	p->comma_ends = p->depth;
	while (!p->failed) {
		p_skip_newlines(p);
		if (p_peek_type(p, LEX_EXPRESSION) == T_RPAREN)
			break;
		if (p_peek(p, LEX_EXPRESSION, &t) == T_STRING && !t.quoted) {
			p_skip(p, LEX_EXPRESSION);
			arg = node_new(N_PARAM, t.ext.start, t.ext.end);
			arg->str = xstrdup(t.text);
			token_clear(&t);
			p_skip_newlines(p);
			if (p_peek(p, LEX_EXPRESSION, &t) == T_OPERATOR &&
			    t.op == OP_ASSIGN) {
				p_skip(p, LEX_EXPRESSION);
				p_skip_newlines(p);
				p_add(p, arg, p_expression(p));
			}
		} else
			arg = p_expression(p);
		token_clear(&t);
		p_add(p, n, arg);
		p_skip_newlines(p);
		if (p_peek_type(p, LEX_EXPRESSION) != T_COMMA)
			break;
		p_skip(p, LEX_EXPRESSION);
	}
	p->comma_ends = nc;
	if (!p->failed)
		p_expect(p, T_RPAREN, "Missing closing ')' in expression.",
		    "MissingEndParenthesisInExpression", open);
	if (!p->failed)
		p_expect(p, T_RBRACKET, "Missing ] at end of attribute or type "
		    "literal.", "EndSquareBracketExpectedAtEndOfAttribute",
		    open);
	n->ext.end = p->lx.pos;
	return (n);
}

/* Attributes before a parameter or a param block, into n. */
static void
p_attributes(struct parser *p, struct node *n)
{
	struct token	t;

	for (;;) {
		p_skip_newlines(p);
		if (p->failed)
			return;
		if (p_peek(p, LEX_EXPRESSION, &t) != T_LBRACKET) {
			token_clear(&t);
			return;
		}
		p_skip(p, LEX_EXPRESSION);
		p_add(p, n, p_attribute(p, t.ext.start));
		token_clear(&t);
	}
}

/*
 * A parameter list after its '(': param ( ... ) or function f ( ... ).
 * Each parameter is attributes, a variable and an optional default,
 * which takes no comma list (the comma separates parameters).
 */
static struct node *
p_param_list(struct parser *p, size_t open)
{
	struct node	*pb, *def, *attrs;
	struct token	 t;
	int		 nc = p->comma_ends;
	size_t		 i;

	pb = node_new(N_PARAMBLOCK, open, open);
	if (!p_enter(p))
		return (pb);
	while (!p->failed) {
		p_skip_newlines(p);
		if (p_peek_type(p, LEX_EXPRESSION) == T_RPAREN)
			break;
		attrs = node_new(N_BLOCK, p->lx.pos, p->lx.pos);
		p_attributes(p, attrs);
		p_next(p, LEX_EXPRESSION, &t);
		if (t.type != T_VARIABLE) {
			if (!p->failed)
				p_error(p, t.ext.start, t.ext.end,
				    t.type == T_EOF, "MissingEndParenthesisIn"
				    "FunctionParameterList", "Missing ')' in "
				    "function parameter list.");
			token_clear(&t);
			node_free(attrs);
			break;
		}
		def = node_new(N_PARAMDEF, attrs->ext.start, t.ext.end);
		def->str = xstrdup(t.text);
		token_clear(&t);
		p_skip_newlines(p);
		if (p_peek(p, LEX_EXPRESSION, &t) == T_OPERATOR &&
		    t.op == OP_ASSIGN) {
			p_skip(p, LEX_EXPRESSION);
			p_skip_newlines(p);
			p->comma_ends = p->depth;
			p_add(p, def, p_expression(p));
			p->comma_ends = nc;
		} else
			p_add(p, def, NULL);
		token_clear(&t);
		for (i = 0; i < attrs->nkids; i++)
			p_add(p, def, attrs->kids[i]);
		attrs->nkids = 0;
		node_free(attrs);
		p_add(p, pb, def);
		p_skip_newlines(p);
		if (p_peek_type(p, LEX_EXPRESSION) != T_COMMA)
			break;
		p_skip(p, LEX_EXPRESSION);
	}
	p_leave(p);
	if (!p->failed)
		p_expect(p, T_RPAREN, "Missing ')' in function parameter list.",
		    "MissingEndParenthesisInFunctionParameterList", open);
	pb->ext.end = p->lx.pos;
	return (pb);
}

/*
 * The param block that may open a script or a script block, after
 * [CmdletBinding()] and other attributes; NULL, with nothing consumed,
 * when the body does not start with one (a [type] there is a cast).
 */
static struct node *
p_param_block(struct parser *p)
{
	struct node	*pb, *attrs;
	struct token	 t;
	size_t		 save = p->lx.pos, i, open;

	attrs = node_new(N_BLOCK, p->lx.pos, p->lx.pos);
	p_attributes(p, attrs);
	p_skip_newlines(p);
	memset(&t, 0, sizeof t);
	if (p->failed || !(p_peek(p, LEX_COMMAND, &t) == T_STRING &&
	    p_keyword(&t, "param"))) {
		token_clear(&t);
		node_free(attrs);
		if (p->failed) {	/* it was not an attribute after all */
			parse_error_clear(p->err);
			p->failed = false;
		}
		p->lx.pos = save;
		return (NULL);
	}
	token_clear(&t);
	p_skip(p, LEX_COMMAND);
	if (!p_open_after(p, "param", &open)) {
		node_free(attrs);
		return (NULL);
	}
	pb = p_param_list(p, open);
	for (i = 0; i < attrs->nkids; i++)
		p_add(p, pb, attrs->kids[i]);
	attrs->nkids = 0;
	node_free(attrs);
	return (pb);
}

/* Is this word a named block of a script block? */
static int
p_named_block(const struct token *t)
{
	if (p_keyword((struct token *)t, "begin"))
		return (SCRIPT_BEGIN);
	if (p_keyword((struct token *)t, "process"))
		return (SCRIPT_PROCESS);
	if (p_keyword((struct token *)t, "end"))
		return (SCRIPT_END);
	return (-1);
}

/*
 * The body of a script block or function up to close: an optional param
 * block, then begin/process/end blocks or plain statements (the end
 * block), into an N_SCRIPT node's kids.
 */
static void
p_script_body(struct parser *p, struct node *n, enum tok_type close)
{
	struct node	*part[4] = { NULL, NULL, NULL, NULL };
	struct token	 t;
	size_t		 save;
	int		 which, i;

	part[SCRIPT_PARAMS] = p_param_block(p);
	save = p->lx.pos;
	p_skip_newlines(p);
	p_peek(p, LEX_COMMAND, &t);
	which = p_named_block(&t);
	token_clear(&t);
	if (which >= 0) {
		p_skip(p, LEX_COMMAND);
		p_skip_newlines(p);
		if (p_peek_type(p, LEX_EXPRESSION) != T_LBRACE)
			which = -1;
	}
	p->lx.pos = save;
	if (which < 0)
		part[SCRIPT_END] = p_statements(p, close);
	while (which >= 0 && !p->failed) {
		p_skip_newlines(p);
		if (p_peek(p, LEX_COMMAND, &t) == close) {
			token_clear(&t);
			break;
		}
		which = p_named_block(&t);
		if (which < 0 || part[which] != NULL) {
			p_error(p, t.ext.start, t.ext.end, false,
			    "UnexpectedToken", "Unexpected token '%.*s' in "
			    "expression or statement.",
			    (int)(t.ext.end - t.ext.start),
			    p->src->text + t.ext.start);
			token_clear(&t);
			break;
		}
		token_clear(&t);
		p_skip(p, LEX_COMMAND);
		part[which] = p_block(p, "named block");
	}
	if (part[SCRIPT_END] == NULL)
		part[SCRIPT_END] = node_new(N_BLOCK, p->lx.pos, p->lx.pos);
	for (i = 0; i < 4; i++)
		p_add(p, n, part[i]);
}

/*
 * trap [Type] { }: one type at most, as PowerShell parses it.
 */
static struct node *
p_trap(struct parser *p, size_t start, const char *kw)
{
	struct node	*n;
	struct token	 t;

	(void)kw;
	n = node_new(N_TRAP, start, start);
	if (!p_enter(p))
		return (n);
	p_skip_newlines(p);
	if (p_peek_type(p, LEX_EXPRESSION) == T_LBRACKET) {
		p_next(p, LEX_EXPRESSION, &t);
		n->str = p_type_name(p, t.ext.start);
		token_clear(&t);
	}
	if (!p->failed)
		p_add(p, n, p_block(p, "trap"));
	p_leave(p);
	return (n);
}

/*
 * The statements a keyword starts, and whether a :label may come before
 * it.  foreach not followed by '(' is the ForEach-Object alias.
 */
static const struct {
	const char	*kw;
	struct node	*(*parse)(struct parser *, size_t, const char *);
	bool		 loop;
} p_keywords[] = {
	{ "if", p_if_kw, false },
	{ "foreach", p_foreach_kw, true },
	{ "while", p_while, true },
	{ "do", p_do, true },
	{ "for", p_for, true },
	{ "switch", p_switch, true },
	{ "try", p_try, false },
	{ "trap", p_trap, false },
	{ "function", p_function, false },
	{ "filter", p_function, false },
	{ "break", p_jump, false },
	{ "continue", p_jump, false },
	{ "exit", p_exit, false },
	{ "throw", p_exit, false },
	{ "return", p_exit, false },
};

/*
 * A statement a keyword (or a :label and a loop keyword) starts, with t
 * the token peeked at start; NULL when it is none.
 */
static struct node *
p_keyword_statement(struct parser *p, struct token *t, size_t start)
{
	struct token	 kt;
	struct node	*n;
	char		*label = NULL;
	size_t		 i, save = p->lx.pos;

	if (t->type == T_STRING && !t->quoted && t->text[0] == ':' &&
	    t->text[1] != '\0') {
		label = xstrdup(t->text + 1);
		p_skip(p, LEX_COMMAND);
		p_skip_newlines(p);
		p_peek(p, LEX_COMMAND, &kt);
	} else
		kt = *t;
	for (i = 0; i < sizeof p_keywords / sizeof p_keywords[0]; i++) {
		if (p_keyword(&kt, p_keywords[i].kw) && (label == NULL ||
		    p_keywords[i].loop))
			break;
	}
	if (i == sizeof p_keywords / sizeof p_keywords[0]) {
		if (label != NULL)
			token_clear(&kt);
		free(label);
		p->lx.pos = save;
		return (NULL);
	}
	p->lx.pos = kt.ext.end;
	n = p_keywords[i].parse(p, kt.ext.start, p_keywords[i].kw);
	if (label != NULL) {
		token_clear(&kt);
		if (n != NULL && n->type != N_PIPELINE) {
			n->label = label;
			n->ext.start = start;
		} else
			free(label);
	}
	return (n);
}

static struct node *
p_if_kw(struct parser *p, size_t start, const char *kw)
{
	(void)kw;
	return (p_if(p, start));
}

/* foreach ( ... ) { }, or the ForEach-Object alias at statement start. */
static struct node *
p_foreach_kw(struct parser *p, size_t start, const char *kw)
{
	(void)kw;
	if (p_peek_type(p, LEX_EXPRESSION) == T_LPAREN)
		return (p_foreach(p, start));
	p->lx.pos = start;
	return (p_pipeline(p, NULL));
}

/*
 * ++$i, --$i and !$x at the start of a statement are expressions (the
 * condition of if(!(Test-Path $p)) is a statement too).
 */
static bool
p_expr_start(const char *s)
{
	return ((s[0] == '+' && s[1] == '+') || (s[0] == '-' && s[1] == '-' &&
	    s[2] == '$') || (s[0] == '!' && (s[1] == '(' || s[1] == '$')));
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
	if ((n = p_keyword_statement(p, &t, start)) != NULL) {
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
	    !isdigit((unsigned char)p->src->text[start]) &&
	    !p_expr_start(p->src->text + start)) ||
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
	    OP_PLUS_ASSIGN || t.op == OP_MINUS_ASSIGN || t.op ==
	    OP_MUL_ASSIGN || t.op == OP_DIV_ASSIGN || t.op == OP_MOD_ASSIGN)) {
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
		/* 'text' > file: an expression's redirections follow it. */
		while (!p->failed && p_peek(p, LEX_COMMAND, &t) ==
		    T_REDIRECT) {
			p_add(p, pl, p_redirect(p, &t));
			token_clear(&t);
		}
		token_clear(&t);
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
		name = p_postfix(p, p_primary(p, true), true);
		/* Get-X, a: PowerShell's CommandRule refuses the comma. */
		if (!p->failed && p_peek(p, LEX_COMMAND, &t) == T_COMMA)
			p_error(p, t.ext.start, t.ext.end, false,
			    "MissingArgument", "Missing argument in parameter "
			    "list.");
		if (!p->failed)
			token_clear(&t);
	}
	p_add(p, cmd, name);
	while (!p->failed) {
		type = p_peek(p, LEX_COMMAND, &t);
		if (p_statement_end(type) || type == T_PIPE) {
			token_clear(&t);
			break;
		}
		if (type == T_REDIRECT) {
			p_add(p, cmd, p_redirect(p, &t));
			token_clear(&t);
			continue;
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

/*
 * A redirection after a command, its operator peeked in t: > file,
 * 2>$null, 2>&1.  Only the output stream merges, into output (n>&1).
 */
static struct node *
p_redirect(struct parser *p, struct token *t)
{
	struct node	*n;
	const char	*s = t->text;
	enum tok_type	 type;

	p_skip(p, LEX_COMMAND);
	n = node_new(N_REDIRECT, t->ext.start, t->ext.end);
	if (*s == '*')
		n->flags = RD_ALL, s++;
	else if (*s >= '1' && *s <= '6')
		n->flags = *s++ - '0';
	else
		n->flags = RD_OUTPUT;
	s++;
	if (*s == '>')
		n->flags |= RD_APPEND;
	else if (*s == '&') {
		if (s[1] != '1' || (n->flags & RD_STREAM) == RD_OUTPUT)
			p_error(p, t->ext.start, t->ext.end, false,
			    "RedirectionNotSupported", "The '%s' operator is "
			    "reserved for future use.", t->text);
		n->flags |= RD_MERGE;
		return (n);
	}
	type = p_peek_type(p, LEX_COMMAND);
	if (p_statement_end(type) || type == T_PIPE || type == T_REDIRECT) {
		p_error(p, t->ext.start, t->ext.end, type == T_EOF,
		    "MissingFileSpecification", "Missing file specification "
		    "after redirection operator.");
		return (n);
	}
	p_add(p, n, p_postfix(p, p_primary(p, true), true));
	return (n);
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
		    type == T_COMMA) {
			p_error(p, t.ext.start, t.ext.end, type == T_EOF,
			    "MissingExpressionAfterToken",
			    "Missing argument in parameter list.");
			token_clear(&t);
			break;
		}
		if (type == T_PARAM) {
			/* a,-b: after a comma a dash word is text. */
			p_skip(p, LEX_COMMAND);
			first = node_new(N_CONST, t.ext.start, t.ext.end);
			first->val = value_string_take(xstrndup(p->src->text +
			    t.ext.start, t.ext.end - t.ext.start));
			token_clear(&t);
			p_add(p, arr, first);
			continue;
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
	if (type == T_OPERATOR && (t.op == OP_INC || t.op == OP_DEC)) {
		/* ++$i and --$i */
		p_skip(p, LEX_EXPRESSION);
		n = node_new(N_INCDEC, t.ext.start, t.ext.end);
		n->op = t.op;
		n->flags |= NF_PREFIX;
		token_clear(&t);
		if (p_enter(p)) {
			p_add(p, n, p_postfix(p, p_primary(p, false), false));
			p_leave(p);
		}
		return (n);
	}
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
		if (!argmode && type == T_OPERATOR && (t.op == OP_INC ||
		    t.op == OP_DEC)) {
			/* $i++ and $i-- */
			p_skip(p, LEX_EXPRESSION);
			m = node_new(N_INCDEC, n->ext.start, t.ext.end);
			m->op = t.op;
			p_add(p, m, n);
			token_clear(&t);
			n = m;
			break;
		}
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
	p_script_body(p, n, T_RBRACE);
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
