/*
 * lexer.c - PowerShell tokens.
 *
 * The parser drives the lexer one token at a time and says which mode it
 * is in, as PowerShell's own tokenizer does: in command (argument) mode a
 * run of ordinary characters is a bareword that ends only at a hard
 * terminator, and a dash followed by a letter is a parameter; in
 * expression mode the same dash starts an operator and numbers may be
 * followed by operator characters.  The character classes (the four
 * single quotes, four double quotes, three extra dashes and the Unicode
 * blanks) are exactly those of PowerShell.
 *
 * One deliberate addition: characters that look like quotes or dashes but
 * are not (primes, the minus sign, fullwidth forms, zero-width spaces)
 * are refused outside quoted strings with an error that names the
 * character, instead of silently becoming part of a name.  And one
 * deliberate omission: the escape `0 (NUL) is refused, since strings are
 * C strings (the parser refuses a NUL byte in the text itself).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "xmalloc.h"

static uint32_t	lex_peek(struct lexer *, size_t, size_t *);
static uint32_t	lex_peek_at(struct lexer *, size_t);
static int	lex_backtick(struct lexer *, struct token *, struct buf *,
		    size_t);
static bool	lex_hard_terminator(uint32_t);
static bool	lex_redirect(struct lexer *, struct token *);
static bool	lex_continues(struct lexer *, size_t);
static bool	lex_is_lookalike(uint32_t);
static void	lex_error(struct token *, size_t, size_t, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static int	lex_skip_blanks(struct lexer *, struct token *);
static void	lex_squote(struct lexer *, struct token *, struct buf *,
		    bool *);
static int	lex_dquote_body(struct lexer *, struct token *, struct buf *,
		    struct xpart **, size_t *, bool bareword);
static int	lex_dollar(struct lexer *, struct token *, struct buf *,
		    struct xpart **, size_t *);
static size_t	lex_subexpr_index(const struct source *, size_t);
static bool	lex_subexpr_find(struct lexer *, size_t, size_t *);
static void	lex_subexpr_keep(struct lexer *, size_t, size_t);
static bool	lex_number(struct lexer *, enum lex_mode, struct token *);
static void	lex_bareword(struct lexer *, struct token *);
static void	lex_param(struct lexer *, struct token *);
static void	lex_operator_word(struct lexer *, struct token *);
static void	lex_variable(struct lexer *, enum lex_mode, struct token *);
static void	lex_herestring(struct lexer *, struct token *, bool);
static void	xpart_add(struct xpart **, size_t *, enum xpart_type,
		    const char *, struct extent);
static void	xpart_flush(struct buf *, struct xpart **, size_t *,
		    size_t);

static const struct {
	const char	*name;
	enum op		 op;
	bool		 cmp;	/* has c/i forms */
} lex_ops[] = {
	{ "and", OP_AND, false },
	{ "or", OP_OR, false },
	{ "xor", OP_XOR, false },
	{ "not", OP_NOT, false },
	{ "eq", OP_EQ, true },
	{ "ne", OP_NE, true },
	{ "gt", OP_GT, true },
	{ "ge", OP_GE, true },
	{ "lt", OP_LT, true },
	{ "le", OP_LE, true },
	{ "like", OP_LIKE, true },
	{ "notlike", OP_NOTLIKE, true },
	{ "match", OP_MATCH, true },
	{ "notmatch", OP_NOTMATCH, true },
	{ "contains", OP_CONTAINS, true },
	{ "notcontains", OP_NOTCONTAINS, true },
	{ "in", OP_IN, true },
	{ "notin", OP_NOTIN, true },
	{ "replace", OP_REPLACE, true },
	{ "split", OP_SPLIT, true },
	{ "join", OP_JOIN, false },
	{ "is", OP_IS, false },
	{ "isnot", OP_ISNOT, false },
	{ "as", OP_AS, false },
	{ "f", OP_F, false },
	{ "band", OP_BAND, false },
	{ "bor", OP_BOR, false },
	{ "bxor", OP_BXOR, false },
	{ "bnot", OP_BNOT, false },
	{ "shl", OP_SHL, false },
	{ "shr", OP_SHR, false },
};

bool
lex_is_dash(uint32_t c)
{
	return (c == '-' || c == 0x2013 || c == 0x2014 || c == 0x2015);
}

bool
lex_is_squote(uint32_t c)
{
	return (c == '\'' || c == 0x2018 || c == 0x2019 || c == 0x201a ||
	    c == 0x201b);
}

bool
lex_is_dquote(uint32_t c)
{
	return (c == '"' || c == 0x201c || c == 0x201d || c == 0x201e);
}

bool
lex_is_space(uint32_t c)
{
	if (c == '\t' || c == '\v' || c == '\f' || c == ' ')
		return (true);
	if (c == 0xa0 || c == 0x85)
		return (true);
	if (c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x202f ||
	    c == 0x205f || c == 0x3000 || c == 0x2028 || c == 0x2029)
		return (true);
	return (false);
}

/* Characters that pass for quotes, dashes or blanks but are none. */
static bool
lex_is_lookalike(uint32_t c)
{
	switch (c) {
	case 0x2032: case 0x2033: case 0x00b4: case 0xff02: case 0xff07:
	case 0x201f: case 0x2212: case 0x2010: case 0x2011: case 0x2012:
	case 0xfe63: case 0xff0d: case 0x200b: case 0xfeff: case 0x00ad:
		return (true);
	}
	return (false);
}

static const char *
lex_lookalike_hint(uint32_t c)
{
	switch (c) {
	case 0x2032: case 0x00b4: case 0xff07:
		return ("use ' or a typographic single quote");
	case 0x2033: case 0xff02: case 0x201f:
		return ("use \" or a typographic double quote");
	case 0x200b: case 0xfeff: case 0x00ad:
		return ("delete the invisible character");
	}
	return ("use - or an en dash");
}

static bool
lex_hard_terminator(uint32_t c)
{
	switch (c) {
	case 0: case '\n': case '\r': case '&': case '(': case ')':
	case ',': case ';': case '{': case '|': case '}': case '>':
		return (true);
	}
	return (lex_is_space(c));
}

/*
 * A redirection in command mode: [n|*]> or >> to a target, n>&1 and
 * n>&2 merges; n is the stream (1 output, 2 error, 3 warning, 4 verbose,
 * 5 debug, 6 information, * all).  text is the operator as written.
 */
static bool
lex_redirect(struct lexer *lx, struct token *t)
{
	const char	*s = lx->src->text;
	size_t		 p = lx->pos, e = lx->end;

	if (p < e && ((s[p] >= '1' && s[p] <= '6') || s[p] == '*') &&
	    p + 1 < e && s[p + 1] == '>')
		p++;
	if (p >= e || s[p] != '>')
		return (false);
	p++;
	if (p < e && s[p] == '>')
		p++;
	else if (p + 1 < e && s[p] == '&' && (s[p + 1] == '1' ||
	    s[p + 1] == '2'))
		p += 2;
	t->type = T_REDIRECT;
	t->ext.start = lx->pos;
	t->ext.end = p;
	t->text = xstrndup(s + lx->pos, p - lx->pos);
	lx->pos = p;
	return (true);
}

void
lexer_init(struct lexer *lx, struct source *src, size_t start, size_t end)
{
	lx->src = src;
	lx->pos = start;
	lx->end = end > src->len ? src->len : end;
	lx->incomplete = false;
	lx->depth = 0;
	lx->too_deep = false;
}

/* Code point at byte offset off (0 at the end); *n gets its length. */
static uint32_t
lex_peek(struct lexer *lx, size_t off, size_t *n)
{
	uint32_t	c;

	if (off >= lx->end) {
		if (n != NULL)
			*n = 0;
		return (0);
	}
	*(n != NULL ? n : &(size_t){0}) = utf8_decode(lx->src->text + off,
	    lx->end - off, &c);
	return (c);
}

/* The code point after the one at off. */
static uint32_t
lex_peek_at(struct lexer *lx, size_t off)
{
	size_t	n;

	lex_peek(lx, off, &n);
	if (n == 0)
		return (0);
	return (lex_peek(lx, off + n, NULL));
}

/*
 * Is there a line continuation at off: a backtick at the end of a line
 * (or of the input)?  It is one even right after a word or a variable,
 * which then ends there.
 */
static bool
lex_continues(struct lexer *lx, size_t off)
{
	uint32_t	d;

	if (lex_peek(lx, off, NULL) != '`')
		return (false);
	d = lex_peek_at(lx, off);
	return (off + 1 >= lx->end || d == '\n' || d == '\r');
}

void
token_clear(struct token *t)
{
	size_t	i;

	free(t->text);
	if (t->num != NULL)
		value_unref(t->num);
	for (i = 0; i < t->nparts; i++)
		free(t->parts[i].text);
	free(t->parts);
	memset(t, 0, sizeof *t);
}

static void
lex_error(struct token *t, size_t start, size_t end, const char *fmt, ...)
{
	va_list	ap;

	t->type = T_ERROR;
	t->ext.start = start;
	t->ext.end = end;
	free(t->text);
	va_start(ap, fmt);
	xvasprintf(&t->text, fmt, ap);
	va_end(ap);
}

const char *
op_name(enum op op)
{
	size_t	i;

	for (i = 0; i < sizeof lex_ops / sizeof lex_ops[0]; i++) {
		if (lex_ops[i].op == op)
			return (lex_ops[i].name);
	}
	switch (op) {
	case OP_ASSIGN: return ("=");
	case OP_PLUS_ASSIGN: return ("+=");
	case OP_MINUS_ASSIGN: return ("-=");
	case OP_MUL_ASSIGN: return ("*=");
	case OP_DIV_ASSIGN: return ("/=");
	case OP_MOD_ASSIGN: return ("%=");
	case OP_INC: return ("++");
	case OP_DEC: return ("--");
	case OP_BANG: return ("!");
	case OP_PLUS: return ("+");
	case OP_MINUS: return ("-");
	case OP_MUL: return ("*");
	case OP_DIV: return ("/");
	case OP_MOD: return ("%");
	case OP_RANGE: return ("..");
	default: return ("?");
	}
}

/*
 * Skip blanks, comments and backtick line continuations.  Returns -1 and
 * fills t with an error for an unterminated block comment.
 */
static int
lex_skip_blanks(struct lexer *lx, struct token *t)
{
	uint32_t	c, d;
	size_t		n, start;

	for (;;) {
		c = lex_peek(lx, lx->pos, &n);
		if (n == 0)
			return (0);
		if (lex_is_space(c) || c == 0) {
			/* A NUL byte is a blank, as in PowerShell (the
			   parser refuses a script that has one). */
			lx->pos += n;
			t->space_before = true;
			continue;
		}
		if (c == '`') {
			d = lex_peek_at(lx, lx->pos);
			if (d == '\n' || d == '\r') {
				lx->pos += 1;
				if (d == '\r' && lex_peek_at(lx, lx->pos) ==
				    '\n')
					lx->pos++;
				lx->pos++;
				t->space_before = true;
				continue;
			}
			if (d == 0 && lx->pos + 1 >= lx->end) {
				lx->incomplete = true;
				lex_error(t, lx->pos, lx->pos + 1,
				    "Missing the line after the backtick "
				    "continuation.");
				return (-1);
			}
			return (0);
		}
		if (c == '#') {
			while (lx->pos < lx->end && (c = lex_peek(lx,
			    lx->pos, &n)) != '\n' && c != '\r')
				lx->pos += n;
			continue;
		}
		if (c == '<' && lex_peek_at(lx, lx->pos) == '#') {
			start = lx->pos;
			lx->pos += 2;
			for (;;) {
				c = lex_peek(lx, lx->pos, &n);
				if (n == 0) {
					lx->incomplete = true;
					lex_error(t, start, lx->pos,
					    "Missing the terminator '#>' of "
					    "the block comment.");
					return (-1);
				}
				lx->pos += n;
				if (c == '#' && lex_peek(lx, lx->pos, NULL) ==
				    '>') {
					lx->pos++;
					break;
				}
			}
			t->space_before = true;
			continue;
		}
		return (0);
	}
}

static void
xpart_add(struct xpart **parts, size_t *np, enum xpart_type type,
    const char *text, struct extent ext)
{
	*parts = xreallocarray(*parts, *np + 1, sizeof **parts);
	(*parts)[*np].type = type;
	(*parts)[*np].text = xstrdup(text);
	(*parts)[*np].ext = ext;
	(*np)++;
}

/* Move pending literal text into a part. */
static void
xpart_flush(struct buf *b, struct xpart **parts, size_t *np, size_t at)
{
	struct extent	ext = { at, at };

	if (b->len == 0)
		return;
	xpart_add(parts, np, XP_TEXT, b->s, ext);
	buf_reset(b);
}

static bool
lex_name_char(uint32_t c)
{
	return (c == '_' || c == '?' || (c < 0x80 && isalnum((int)c)) ||
	    (c >= 0x80 && !lex_is_space(c) && !lex_is_squote(c) &&
	    !lex_is_dquote(c) && !lex_is_dash(c) && !lex_is_lookalike(c)));
}

/* The first remembered $( ) that starts at or after start. */
static size_t
lex_subexpr_index(const struct source *src, size_t start)
{
	size_t	lo = 0, hi = src->nsubexprs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (src->subexprs[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

/*
 * Where the $( ) of a string at offset start closes, when an earlier scan
 * found it within this lexer's end.  The parser lexes a string token more
 * than once (peek, then next) and parses each $( ) of it again, which
 * lexes the strings inside once more: remembering the scans keeps nested
 * strings linear instead of quadratic.
 */
static bool
lex_subexpr_find(struct lexer *lx, size_t start, size_t *close)
{
	const struct source	*src = lx->src;
	size_t			 lo = lex_subexpr_index(src, start);

	if (lo == src->nsubexprs || src->subexprs[lo].start != start ||
	    src->subexprs[lo].close >= lx->end)
		return (false);
	*close = src->subexprs[lo].close;
	return (true);
}

/* Remember a scanned $( ): the text never changes, nor does the scan. */
static void
lex_subexpr_keep(struct lexer *lx, size_t start, size_t close)
{
	struct source	*src = lx->src;
	size_t		 lo = lex_subexpr_index(src, start);

	if (lo < src->nsubexprs && src->subexprs[lo].start == start)
		return;
	src->subexprs = xreallocarray(src->subexprs, src->nsubexprs + 1,
	    sizeof *src->subexprs);
	memmove(src->subexprs + lo + 1, src->subexprs + lo,
	    (src->nsubexprs - lo) * sizeof *src->subexprs);
	src->subexprs[lo].start = start;
	src->subexprs[lo].close = close;
	src->nsubexprs++;
}

/*
 * At '$' inside an expandable string or bareword: add the variable or
 * subexpression as a part, or the '$' as text.  Returns -1 on error.
 * A subexpression is scanned with a lexer one level deeper; past
 * SHELL_MAX_DEPTH levels that is PowerShell's "too complex" error.
 */
static int
lex_dollar(struct lexer *lx, struct token *t, struct buf *lit,
    struct xpart **parts, size_t *np)
{
	struct lexer	 sub;
	struct token	 st;
	struct extent	 ext;
	struct buf	 name;
	size_t		 start = lx->pos, n, depth, close;
	uint32_t	 c;

	c = lex_peek_at(lx, lx->pos);
	if (c == '(') {
		xpart_flush(lit, parts, np, start);
		if (lex_subexpr_find(lx, start, &close)) {
			ext.start = start + 2;
			ext.end = close;
			xpart_add(parts, np, XP_SUBEXPR, "", ext);
			lx->pos = close + 1;
			return (0);
		}
		if (lx->depth >= SHELL_MAX_DEPTH) {
			lx->too_deep = true;
			lex_error(t, start, start + 2, "%s", SHELL_TOO_COMPLEX);
			return (-1);
		}
		lexer_init(&sub, lx->src, lx->pos + 2, lx->end);
		sub.depth = lx->depth + 1;
		memset(&st, 0, sizeof st);
		for (depth = 1;;) {
			lexer_next(&sub, LEX_COMMAND, &st);
			if (st.type == T_ERROR && sub.too_deep) {
				lx->too_deep = true;
				lex_error(t, st.ext.start, st.ext.end, "%s",
				    st.text);
				token_clear(&st);
				return (-1);
			}
			if (st.type == T_EOF || st.type == T_ERROR) {
				token_clear(&st);
				lx->incomplete = true;
				lex_error(t, start, sub.pos,
				    "Missing closing ')' in subexpression.");
				return (-1);
			}
			if (st.type == T_LPAREN || st.type == T_DOLLAR_PAREN ||
			    st.type == T_AT_PAREN)
				depth++;
			else if (st.type == T_RPAREN && --depth == 0)
				break;
			token_clear(&st);
		}
		ext.start = start + 2;
		ext.end = st.ext.start;
		token_clear(&st);
		xpart_add(parts, np, XP_SUBEXPR, "", ext);
		lex_subexpr_keep(lx, start, ext.end);
		lx->pos = sub.pos;
		return (0);
	}
	buf_init(&name);
	if (c == '{') {
		lx->pos += 2;
		for (;;) {
			c = lex_peek(lx, lx->pos, &n);
			if (n == 0) {
				buf_free(&name);
				lx->incomplete = true;
				lex_error(t, start, lx->pos,
				    "Missing '}' in variable name.");
				return (-1);
			}
			lx->pos += n;
			if (c == '}')
				break;
			buf_add_utf8(&name, c);
		}
	} else if (c == '_' || c == '?' || c == '$' || c == '^') {
		lx->pos++;
		if (c == '_' && lex_name_char(lex_peek_at(lx, lx->pos))) {
			lx->pos--;
			goto plain;
		}
		buf_add_utf8(&name, c);
		lx->pos++;
	} else if (lex_name_char(c)) {
plain:
		lx->pos++;
		while (lex_name_char(c = lex_peek(lx, lx->pos, &n)) ||
		    (c == ':' && lex_peek_at(lx, lx->pos) != ':' &&
		    lex_name_char(lex_peek_at(lx, lx->pos)))) {
			buf_add_utf8(&name, c);
			lx->pos += n;
		}
	} else {
		buf_free(&name);
		buf_addc(lit, '$');
		lx->pos++;
		return (0);
	}
	xpart_flush(lit, parts, np, start);
	ext.start = start;
	ext.end = lx->pos;
	xpart_add(parts, np, XP_VAR, name.s, ext);
	buf_free(&name);
	return (0);
}

/* Backtick escape letter to character (PowerShell 5.1 set). */
static uint32_t
lex_escape(uint32_t c)
{
	switch (c) {
	case '0': return (0);
	case 'a': return (7);
	case 'b': return (8);
	case 'f': return (12);
	case 'n': return (10);
	case 'r': return (13);
	case 't': return (9);
	case 'v': return (11);
	}
	return (c);
}

/*
 * The character after a backtick at lx->pos - n: its escape into lit.
 * -1 with an error for `0, the NUL character no string can hold.
 */
static int
lex_backtick(struct lexer *lx, struct token *t, struct buf *lit, size_t n)
{
	size_t		at = lx->pos - n, len;
	uint32_t	d;

	d = lex_peek(lx, lx->pos, &len);
	if (len == 0)
		return (0);
	if (d == '0') {
		lex_error(t, at, lx->pos + len, "%s", SHELL_NUL_ESCAPE);
		return (-1);
	}
	buf_add_utf8(lit, lex_escape(d));
	lx->pos += len;
	return (0);
}

/*
 * Body of a double-quoted string, lx->pos just after the opening quote.
 * Doubled quotes give one; backtick escapes; $ expansion.
 */
static int
lex_dquote_body(struct lexer *lx, struct token *t, struct buf *lit,
    struct xpart **parts, size_t *np, bool bareword)
{
	size_t		start = lx->pos - 1, n;
	uint32_t	c, d;

	(void)bareword;
	for (;;) {
		c = lex_peek(lx, lx->pos, &n);
		if (n == 0) {
			lx->incomplete = true;
			lex_error(t, start, lx->pos,
			    "The string is missing the terminator: \".");
			return (-1);
		}
		if (lex_is_dquote(c)) {
			lx->pos += n;
			d = lex_peek(lx, lx->pos, &n);
			if (lex_is_dquote(d)) {
				buf_add_utf8(lit, d);
				lx->pos += n;
				continue;
			}
			return (0);
		}
		if (c == '`') {
			lx->pos += n;
			if (lex_backtick(lx, t, lit, n) != 0)
				return (-1);
			continue;
		}
		if (c == '$') {
			if (lex_dollar(lx, t, lit, parts, np) != 0)
				return (-1);
			continue;
		}
		buf_add_utf8(lit, c);
		lx->pos += n;
	}
}

/* Body of a single-quoted string; lx->pos after the opening quote. */
static void
lex_squote(struct lexer *lx, struct token *t, struct buf *lit, bool *ok)
{
	size_t		start = lx->pos - 1, n;
	uint32_t	c, d;

	*ok = false;
	for (;;) {
		c = lex_peek(lx, lx->pos, &n);
		if (n == 0) {
			lx->incomplete = true;
			lex_error(t, start, lx->pos,
			    "The string is missing the terminator: '.");
			return;
		}
		lx->pos += n;
		if (lex_is_squote(c)) {
			d = lex_peek(lx, lx->pos, &n);
			if (lex_is_squote(d)) {
				buf_add_utf8(lit, d);
				lx->pos += n;
				continue;
			}
			*ok = true;
			return;
		}
		buf_add_utf8(lit, c);
	}
}

/* Here-string: @' or @" then a newline, closed by '@ or "@ at line start. */
static void
lex_herestring(struct lexer *lx, struct token *t, bool expand)
{
	struct buf	 lit;
	struct xpart	*parts = NULL;
	size_t		 np = 0, start = lx->pos, n, i;
	uint32_t	 c;
	bool		 bol = false;

	lx->pos += 2;
	while (lex_is_space(c = lex_peek(lx, lx->pos, &n)))
		lx->pos += n;
	if (c != '\n' && c != '\r') {
		lex_error(t, start, lx->pos, "No characters are allowed "
		    "after a here-string header but before the end of the "
		    "line.");
		return;
	}
	lx->pos += n;
	if (c == '\r' && lex_peek(lx, lx->pos, NULL) == '\n')
		lx->pos++;
	buf_init(&lit);
	bol = true;
	for (;;) {
		c = lex_peek(lx, lx->pos, &n);
		if (n == 0) {
			lx->incomplete = true;
			lex_error(t, start, lx->pos, "The string is missing "
			    "the terminator: %s@.", expand ? "\"" : "'");
			goto out;
		}
		if (bol && (expand ? lex_is_dquote(c) : lex_is_squote(c)) &&
		    lex_peek_at(lx, lx->pos) == '@') {
			/* Drop the newline before the terminator. */
			if (lit.len > 0 && lit.s[lit.len - 1] == '\n')
				lit.s[--lit.len] = '\0';
			if (lit.len > 0 && lit.s[lit.len - 1] == '\r')
				lit.s[--lit.len] = '\0';
			lx->pos += n + 1;
			break;
		}
		bol = (c == '\n' || c == '\r');
		if (expand && c == '$') {
			if (lex_dollar(lx, t, &lit, &parts, &np) != 0)
				goto out;
			continue;
		}
		if (expand && c == '`') {
			lx->pos += n;
			if (lex_backtick(lx, t, &lit, n) != 0)
				goto out;
			continue;
		}
		if (c != '\r')
			buf_add_utf8(&lit, c);
		lx->pos += n;
	}
	xpart_flush(&lit, &parts, &np, lx->pos);
	t->type = T_XSTRING;
	t->quoted = true;
	t->parts = parts;
	t->nparts = np;
	parts = NULL;
	t->ext.start = start;
	t->ext.end = lx->pos;
out:
	if (parts != NULL) {
		for (i = 0; i < np; i++)
			free(parts[i].text);
		free(parts);
	}
	buf_free(&lit);
}

/*
 * Try a number at lx->pos.  In command mode it must end at a hard
 * terminator, otherwise the caller rescans it as a bareword.
 */
static bool
lex_number(struct lexer *lx, enum lex_mode mode, struct token *t)
{
	const char	*s = lx->src->text + lx->pos, *p, *end;
	char		*tmp;
	double		 d, mult = 1;
	long long	 ll;
	bool		 is_real = false, neg = false;
	size_t		 len;
	uint32_t	 c;

	p = s;
	if (lex_is_dash(lex_peek(lx, lx->pos, &len))) {
		neg = true;
		p += len;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    isxdigit((unsigned char)p[2])) {
		errno = 0;
		ll = strtoll(p + 2, (char **)&end, 16);
		if (errno != 0)
			return (false);
		d = (double)ll;
	} else {
		if (!isdigit((unsigned char)p[0]) && !(p[0] == '.' &&
		    isdigit((unsigned char)p[1])))
			return (false);
		end = p;
		while (isdigit((unsigned char)*end))
			end++;
		if (*end == '.' && isdigit((unsigned char)end[1])) {
			is_real = true;
			end++;
			while (isdigit((unsigned char)*end))
				end++;
		}
		if ((*end == 'e' || *end == 'E') && (isdigit((unsigned char)
		    end[1]) || ((end[1] == '+' || end[1] == '-') &&
		    isdigit((unsigned char)end[2])))) {
			is_real = true;
			end += 2;
			while (isdigit((unsigned char)*end))
				end++;
		}
		tmp = xstrndup(p, (size_t)(end - p));
		d = strtod(tmp, NULL);
		free(tmp);
	}
	if (*end == 'd' || *end == 'D' || *end == 'l' || *end == 'L')
		end++;
	if (strchr("kKmMgGtTpP", *end) != NULL && *end != '\0' &&
	    (end[1] == 'b' || end[1] == 'B')) {
		switch (tolower((unsigned char)*end)) {
		case 'k': mult = 1024.0; break;
		case 'm': mult = 1048576.0; break;
		case 'g': mult = 1073741824.0; break;
		case 't': mult = 1099511627776.0; break;
		default: mult = 1125899906842624.0; break;
		}
		end += 2;
	}
	if ((size_t)(end - lx->src->text) > lx->end)
		return (false);
	c = lex_peek(lx, (size_t)(end - lx->src->text), NULL);
	if (mode == LEX_COMMAND && !lex_hard_terminator(c))
		return (false);
	if (mode == LEX_EXPRESSION && (lex_name_char(c) && c != '?'))
		return (false);
	d *= mult;
	if (neg)
		d = -d;
	t->type = T_NUMBER;
	if (!is_real && fabs(d) < 9.2e18 && d == floor(d))
		t->num = value_int((int64_t)d);
	else
		t->num = value_double(d);
	t->ext.start = lx->pos;
	lx->pos = (size_t)(end - lx->src->text);
	t->ext.end = lx->pos;
	t->text = xstrndup(s, lx->pos - t->ext.start);
	return (true);
}

/*
 * A generic token in command mode: everything up to a hard terminator.
 * Quotes inside are processed and glued on; $ expands.
 */
static void
lex_bareword(struct lexer *lx, struct token *t)
{
	struct buf	 lit;
	struct xpart	*parts = NULL;
	size_t		 np = 0, n, i, start = lx->pos;
	uint32_t	 c;
	bool		 ok;

	buf_init(&lit);
	for (;;) {
		c = lex_peek(lx, lx->pos, &n);
		if (n == 0 || lex_hard_terminator(c))
			break;
		if (lex_is_lookalike(c)) {
			lex_error(t, lx->pos, lx->pos + n, "The character "
			    "'%.*s' (U+%04X) is not a quote, dash or blank "
			    "PowerShell accepts; %s.", (int)n,
			    lx->src->text + lx->pos, c,
			    lex_lookalike_hint(c));
			goto fail;
		}
		if (c == '`') {
			/* The word ends; lex_skip_blanks joins the lines. */
			if (lex_continues(lx, lx->pos))
				break;
			lx->pos += n;
			if (lex_backtick(lx, t, &lit, n) != 0)
				goto fail;
			continue;
		}
		if (lex_is_squote(c)) {
			lx->pos += n;
			lex_squote(lx, t, &lit, &ok);
			if (!ok)
				goto fail;
			continue;
		}
		if (lex_is_dquote(c)) {
			lx->pos += n;
			if (lex_dquote_body(lx, t, &lit, &parts, &np,
			    true) != 0)
				goto fail;
			continue;
		}
		if (c == '$') {
			if (lex_dollar(lx, t, &lit, &parts, &np) != 0)
				goto fail;
			continue;
		}
		buf_add_utf8(&lit, c);
		lx->pos += n;
	}
	t->ext.start = start;
	t->ext.end = lx->pos;
	if (lx->pos == start) {
		/* Nothing consumed: never hand back an empty word. */
		lex_peek(lx, lx->pos, &n);
		lex_error(t, start, start + (n > 0 ? n : 1), "Unexpected token "
		    "'%.*s' in expression or statement.", (int)n,
		    lx->src->text + start);
		lx->pos += n > 0 ? n : 1;
		goto fail;
	}
	if (np == 0) {
		t->type = T_STRING;
		t->text = buf_detach(&lit);
	} else {
		xpart_flush(&lit, &parts, &np, lx->pos);
		t->type = T_XSTRING;
		t->parts = parts;
		t->nparts = np;
		parts = NULL;
	}
	buf_free(&lit);
	return;
fail:
	for (i = 0; i < np; i++)
		free(parts[i].text);
	free(parts);
	buf_free(&lit);
}

/* -Name or -Name: in command mode; lx->pos at the dash. */
static void
lex_param(struct lexer *lx, struct token *t)
{
	struct buf	name;
	size_t		start = lx->pos, n;
	uint32_t	c;

	lex_peek(lx, lx->pos, &n);
	lx->pos += n;
	buf_init(&name);
	for (;;) {
		c = lex_peek(lx, lx->pos, &n);
		if (n == 0 || lex_is_space(c) || c == '\n' || c == '\r' ||
		    strchr("{}();,|&.[", (int)(c < 0x80 ? c : 1)) != NULL)
			break;
		if (lex_is_squote(c) || lex_is_dquote(c)) {
			/* A quote inside the name: the token is an argument. */
			buf_free(&name);
			lx->pos = start;
			lex_bareword(lx, t);
			return;
		}
		if (c == ':') {
			lx->pos += n;
			t->colon = true;
			break;
		}
		buf_add_utf8(&name, c);
		lx->pos += n;
	}
	t->type = T_PARAM;
	t->text = buf_detach(&name);
	buf_free(&name);
	t->ext.start = start;
	t->ext.end = lx->pos;
}

/* -word in expression mode: an operator. */
static void
lex_operator_word(struct lexer *lx, struct token *t)
{
	struct buf	 w;
	const char	*name;
	size_t		 start = lx->pos, n, i;
	uint32_t	 c;
	int		 flags = 0;

	lex_peek(lx, lx->pos, &n);
	lx->pos += n;
	buf_init(&w);
	while ((c = lex_peek(lx, lx->pos, &n)) < 0x80 && isalpha((int)c)) {
		buf_addc(&w, (char)tolower((int)c));
		lx->pos += n;
	}
	t->ext.start = start;
	t->ext.end = lx->pos;
	for (i = 0; i < sizeof lex_ops / sizeof lex_ops[0]; i++) {
		name = w.s;
		flags = 0;
		if (lex_ops[i].cmp && (name[0] == 'c' || name[0] == 'i') &&
		    strcmp(name + 1, lex_ops[i].name) == 0) {
			flags = name[0] == 'c' ? NF_CASE : NF_IGNORE;
			name++;
		}
		if (strcmp(name, lex_ops[i].name) == 0) {
			t->type = T_OPERATOR;
			t->op = lex_ops[i].op;
			t->text = buf_detach(&w);
			t->colon = flags == NF_CASE;
			buf_free(&w);
			return;
		}
	}
	lex_error(t, start, lx->pos, "Unexpected token '-%s' in expression "
	    "or statement.", w.s);
	buf_free(&w);
}

/* $name, ${name} or $( at lx->pos. */
static void
lex_variable(struct lexer *lx, enum lex_mode mode, struct token *t)
{
	struct buf	 lit;
	struct xpart	*parts = NULL;
	size_t		 np = 0, start = lx->pos, i;
	uint32_t	 c;

	buf_init(&lit);
	if (lex_dollar(lx, t, &lit, &parts, &np) != 0)
		goto out;
	if (np == 0) {
		/* A lone '$' is text. */
		t->type = T_STRING;
		t->text = buf_detach(&lit);
		t->ext.start = start;
		t->ext.end = lx->pos;
		goto out;
	}
	c = lex_peek(lx, lx->pos, NULL);
	if (mode == LEX_COMMAND && !lex_hard_terminator(c) && c != '.' &&
	    c != '[' && !lex_continues(lx, lx->pos)) {
		/* $a+1 in command mode is the expandable word "5+1". */
		lx->pos = start;
		lex_bareword(lx, t);
		goto out;
	}
	t->type = T_VARIABLE;
	t->text = xstrdup(parts[0].text);
	t->ext.start = start;
	t->ext.end = lx->pos;
out:
	for (i = 0; i < np; i++)
		free(parts[i].text);
	free(parts);
	buf_free(&lit);
}

static bool
lex_single(struct lexer *lx, struct token *t, uint32_t c, enum lex_mode mode)
{
	static const struct {
		uint32_t	c;
		enum tok_type	type;
	} singles[] = {
		{ ';', T_SEMI }, { '|', T_PIPE }, { ',', T_COMMA },
		{ '(', T_LPAREN }, { ')', T_RPAREN }, { '{', T_LBRACE },
		{ '}', T_RBRACE }, { '&', T_AMP },
	};
	size_t	i;

	for (i = 0; i < sizeof singles / sizeof singles[0]; i++) {
		if (singles[i].c == c)
			break;
	}
	if (i == sizeof singles / sizeof singles[0]) {
		if (mode != LEX_EXPRESSION || (c != '[' && c != ']'))
			return (false);
		t->type = c == '[' ? T_LBRACKET : T_RBRACKET;
	} else
		t->type = singles[i].type;
	t->ext.start = lx->pos;
	lx->pos++;
	t->ext.end = lx->pos;
	return (true);
}

/* Operators of expression mode that are punctuation. */
static bool
lex_punct_operator(struct lexer *lx, struct token *t, uint32_t c)
{
	uint32_t	d = lex_peek_at(lx, lx->pos);
	size_t		len = 1;

	t->ext.start = lx->pos;
	switch (c) {
	case '=':
		t->op = OP_ASSIGN;
		break;
	case '+':
		t->op = d == '=' ? OP_PLUS_ASSIGN : d == '+' ? OP_INC : OP_PLUS;
		len = d == '=' || d == '+' ? 2 : 1;
		break;
	case '*':
		t->op = d == '=' ? OP_MUL_ASSIGN : OP_MUL;
		len = d == '=' ? 2 : 1;
		break;
	case '/':
		t->op = d == '=' ? OP_DIV_ASSIGN : OP_DIV;
		len = d == '=' ? 2 : 1;
		break;
	case '%':
		t->op = d == '=' ? OP_MOD_ASSIGN : OP_MOD;
		len = d == '=' ? 2 : 1;
		break;
	case '!':
		t->op = OP_BANG;
		break;
	case '.':
		if (d == '.') {
			t->op = OP_RANGE;
			len = 2;
			break;
		}
		t->type = T_DOT;
		lx->pos++;
		t->ext.end = lx->pos;
		return (true);
	case ':':
		if (d != ':')
			return (false);
		t->type = T_COLONCOLON;
		lx->pos += 2;
		t->ext.end = lx->pos;
		return (true);
	default:
		return (false);
	}
	t->type = T_OPERATOR;
	lx->pos += len;
	t->ext.end = lx->pos;
	return (true);
}

/* An identifier in expression mode (member names, keys, keywords). */
static void
lex_identifier(struct lexer *lx, struct token *t)
{
	struct buf	w;
	size_t		n;
	uint32_t	c;

	buf_init(&w);
	t->ext.start = lx->pos;
	while ((c = lex_peek(lx, lx->pos, &n)) != 0 && (lex_name_char(c) ||
	    lex_is_dash(c)) && c != '?') {
		if (lex_is_dash(c) && !lex_name_char(lex_peek_at(lx,
		    lx->pos)))
			break;
		if (lex_is_dash(c) && w.len == 0)
			break;
		buf_add_utf8(&w, c);
		lx->pos += n;
	}
	t->type = T_STRING;
	t->text = buf_detach(&w);
	buf_free(&w);
	t->ext.end = lx->pos;
}

void
lexer_next(struct lexer *lx, enum lex_mode mode, struct token *t)
{
	struct buf	 lit;
	struct xpart	*parts = NULL;
	size_t		 np = 0, n, i;
	uint32_t	 c, d;
	bool		 ok;

	memset(t, 0, sizeof *t);
	if (lex_skip_blanks(lx, t) != 0)
		return;
	c = lex_peek(lx, lx->pos, &n);
	t->ext.start = t->ext.end = lx->pos;
	if (n == 0) {
		t->type = T_EOF;
		return;
	}
	if (c == '\n' || c == '\r') {
		lx->pos++;
		if (c == '\r' && lex_peek(lx, lx->pos, NULL) == '\n')
			lx->pos++;
		t->type = T_NEWLINE;
		t->ext.end = lx->pos;
		return;
	}
	if (lex_single(lx, t, c, mode))
		return;
	d = lex_peek_at(lx, lx->pos);
	if (c == '@') {
		if (d == '(' || d == '{') {
			t->type = d == '(' ? T_AT_PAREN : T_AT_BRACE;
			lx->pos += 2;
			t->ext.end = lx->pos;
			return;
		}
		if (lex_is_squote(d) || lex_is_dquote(d)) {
			lex_herestring(lx, t, lex_is_dquote(d));
			return;
		}
		if (lex_name_char(d) && d != '?') {
			lx->pos++;
			lex_identifier(lx, t);
			t->type = T_SPLAT;
			t->ext.start--;
			return;
		}
	}
	if (c == '$') {
		if (d == '(') {
			t->type = T_DOLLAR_PAREN;
			lx->pos += 2;
			t->ext.end = lx->pos;
			return;
		}
		lex_variable(lx, mode, t);
		return;
	}
	if (lex_is_squote(c)) {
		buf_init(&lit);
		lx->pos += n;
		lex_squote(lx, t, &lit, &ok);
		if (ok) {
			t->type = T_STRING;
			t->quoted = true;
			t->text = buf_detach(&lit);
			t->ext.end = lx->pos;
		}
		buf_free(&lit);
		return;
	}
	if (lex_is_dquote(c)) {
		buf_init(&lit);
		lx->pos += n;
		if (lex_dquote_body(lx, t, &lit, &parts, &np, false) == 0) {
			xpart_flush(&lit, &parts, &np, lx->pos);
			t->type = T_XSTRING;
			t->quoted = true;
			t->parts = parts;
			t->nparts = np;
			t->ext.end = lx->pos;
		} else {
			for (i = 0; i < np; i++)
				free(parts[i].text);
			free(parts);
		}
		buf_free(&lit);
		return;
	}
	if (lex_is_lookalike(c)) {
		lex_error(t, lx->pos, lx->pos + n, "The character '%.*s' "
		    "(U+%04X) is not a quote, dash or blank PowerShell "
		    "accepts; %s.", (int)n, lx->src->text + lx->pos, c,
		    lex_lookalike_hint(c));
		return;
	}
	if (mode == LEX_COMMAND && lex_redirect(lx, t))
		return;
	if (lex_number(lx, mode, t))
		return;
	if (mode == LEX_COMMAND) {
		if (lex_is_dash(c) && ((d < 0x80 && isalpha((int)d)) ||
		    d == '_' || d == '?')) {
			lex_param(lx, t);
			return;
		}
		lex_bareword(lx, t);
		return;
	}
	if (lex_is_dash(c)) {
		if ((d < 0x80 && isalpha((int)d))) {
			lex_operator_word(lx, t);
			return;
		}
		t->type = T_OPERATOR;
		t->ext.start = lx->pos;
		lx->pos += n;
		t->op = OP_MINUS;
		if (lex_peek(lx, lx->pos, NULL) == '=') {
			lx->pos++;
			t->op = OP_MINUS_ASSIGN;
		} else if (lex_is_dash(lex_peek(lx, lx->pos, &n))) {
			lx->pos += n;
			t->op = OP_DEC;
		}
		t->ext.end = lx->pos;
		return;
	}
	if (lex_punct_operator(lx, t, c))
		return;
	if (lex_name_char(c) && c != '?') {
		lex_identifier(lx, t);
		return;
	}
	lex_error(t, lx->pos, lx->pos + n, "Unexpected token '%.*s' in "
	    "expression or statement.", (int)n, lx->src->text + lx->pos);
}
