/*
 * strops.c - the string operators: -replace, -split and -f.
 *
 * -replace and -split take a regular expression, case-insensitive
 * unless written -creplace / -csplit.  Like -match (eval.c) they compile
 * it with strop_regcomp(): POSIX extended expressions (regcomp), with the
 * .NET escapes admin scripts write (\d, \t, classes in brackets) made
 * POSIX first; not every .NET construct.  A collection on the left is
 * worked on item by item, as PowerShell does.
 *
 *	'a.b' -replace '\.', '-'	"a-b" (the replacement may use $1,
 *					${1}, $0 or $& and $$)
 *	'a,b,,c' -split ','		a, b, "", c (a second value caps
 *					the number of pieces)
 *	-split ' a  b '			a, b (blanks)
 *	'{0,-8}|{1:N2}' -f 'x', 1234.5	"x       |1,234.50"
 *
 * -f is .NET composite formatting in the en-US culture: {index[,width]
 * [:format]}, {{ and }} for braces; the formats D, N, F, P, X and G with
 * a precision, custom numeric patterns of 0 # , and . with text around
 * them, and date patterns (cmd_date.c) for dates.  A width is below
 * 1,000,000 and a precision at most 99, as in .NET.
 *
 * Each function returns a new value, or NULL with *id (the error's
 * FullyQualifiedErrorId) and *err (the message, caller frees).
 */
#include <sys/types.h>

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "xmalloc.h"

#define STROP_WIDTH_MAX	1000000		/* .NET's limit on a width */
#define STROP_PREC_MAX	99		/* .NET's limit on a precision */

#define STROP_BADFORMAT	"Error formatting a string: Input string was " \
    "not in a correct format.."
#define STROP_BADSPEC	"Error formatting a string: Format specifier was " \
    "invalid.."
#define STROP_BADINDEX	"Error formatting a string: Index (zero based) " \
    "must be greater than or equal to zero and less than the size of the " \
    "argument list.."

static char	*strop_pattern(const char *, struct strop_re *);
static const char *strop_group(struct buf *, const char *, struct strop_re *);
static void	 strop_group_add(struct strop_re *, const char *, size_t,
		    bool);
static void	 strop_group_numbers(struct strop_re *);
static void	 strop_re_names_free(struct strop_re *);
static void	 strop_substitute(struct buf *, const char *, const char *,
		    const regmatch_t *, const struct strop_re *);
static void	 strop_split_chars(struct value *, const char *, int64_t);
static size_t	 strop_next_char(const char *, size_t);
static int	 strop_format_one(struct buf *, const char *, size_t,
		    struct value *);
static int	 strop_number(struct buf *, struct value *, char, int);
static int	 strop_custom(struct buf *, double, const char *);
static void	 strop_grouped(struct buf *, const char *);
static double	 strop_round(double, int);
static void	 strop_literal(struct buf *, const char *, size_t);
static bool	 strop_has_digits(const char *);

/*
 * A .NET pattern in POSIX extended syntax: \d and \D become [0-9] and
 * [^0-9], \t \n \r the characters; inside [ ], where POSIX takes a
 * backslash literally, \d \w \s become 0-9, [:alnum:]_ and [:space:]
 * and \X the character X.  \w \W \s \S \b \B stay as they are:
 * glibc's regcomp knows them.  Groups: (?<name>...) and (?'name'...)
 * lose their name and (?:...) its ?:, all three becoming plain POSIX
 * groups; re->names records what each POSIX group is in .NET.
 */
static char *
strop_pattern(const char *pat, struct strop_re *re)
{
	struct buf	 b;
	const char	*p;
	char		*r;
	bool		 in = false;

	buf_init(&b);
	buf_adds(&b, "");
	for (p = pat; *p != '\0'; p++) {
		if (*p == '[' && !in) {
			in = true;
			buf_addc(&b, *p);
			/* A ] or ^] first is a member, not the end. */
			if (p[1] == '^')
				buf_addc(&b, *++p);
			if (p[1] == ']')
				buf_addc(&b, *++p);
			continue;
		}
		if (*p == ']' && in) {
			in = false;
			buf_addc(&b, *p);
			continue;
		}
		if (*p == '(' && !in) {
			p = strop_group(&b, p, re);
			continue;
		}
		if (*p != '\\' || p[1] == '\0') {
			buf_addc(&b, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 't':
			buf_addc(&b, '\t');
			break;
		case 'n':
			buf_addc(&b, '\n');
			break;
		case 'r':
			buf_addc(&b, '\r');
			break;
		case 'd':
			buf_adds(&b, in ? "0-9" : "[0-9]");
			break;
		case 'D':
			buf_adds(&b, in ? "\\D" : "[^0-9]");
			break;
		case 'w':
			buf_adds(&b, in ? "[:alnum:]_" : "\\w");
			break;
		case 's':
			buf_adds(&b, in ? "[:space:]" : "\\s");
			break;
		default:
			if (!in)
				buf_addc(&b, '\\');
			buf_addc(&b, *p);
			break;
		}
	}
	r = buf_detach(&b);
	buf_free(&b);
	return (r);
}

/*
 * The '(' at p: a POSIX group for a plain, named or non-capturing .NET
 * group, its .NET name recorded; other (? constructs are copied for
 * regcomp to refuse.  Returns the last character used.
 */
static const char *
strop_group(struct buf *b, const char *p, struct strop_re *re)
{
	const char	*name = NULL, *end;
	char		 close;

	buf_addc(b, '(');
	if (p[1] != '?') {
		strop_group_add(re, NULL, 0, false);
		return (p);
	}
	if (p[2] == ':') {
		strop_group_add(re, NULL, 0, true);
		return (p + 2);
	}
	if ((p[2] == '<' && p[3] != '=' && p[3] != '!') || p[2] == '\'') {
		close = p[2] == '<' ? '>' : '\'';
		name = p + 3;
		for (end = name; isalnum((unsigned char)*end) || *end == '_';
		    end++)
			continue;
		if (end > name && *end == close) {
			strop_group_add(re, name, (size_t)(end - name), false);
			return (end);
		}
	}
	return (p);
}

/* One more POSIX group: named (len bytes), numbered, or skipped. */
static void
strop_group_add(struct strop_re *re, const char *name, size_t len,
    bool skip)
{
	re->names = xreallocarray(re->names, re->ngroups + 1,
	    sizeof *re->names);
	if (skip)
		re->names[re->ngroups] = NULL;
	else if (name != NULL)
		re->names[re->ngroups] = xstrndup(name, len);
	else
		re->names[re->ngroups] = xstrdup("");
	re->ngroups++;
}

/*
 * .NET numbers the unnamed groups first, in order, then the named ones:
 * give every unnamed group its number as its name, and fill number[].
 */
static void
strop_group_numbers(struct strop_re *re)
{
	size_t	i;
	int	next = 1;

	re->number = xcalloc(re->ngroups + 1, sizeof *re->number);
	for (i = 0; i < re->ngroups; i++) {
		if (re->names[i] == NULL)
			re->number[i] = -1;
		else if (re->names[i][0] == '\0') {
			free(re->names[i]);
			re->names[i] = xprintf("%d", next);
			re->number[i] = next++;
		}
	}
	for (i = 0; i < re->ngroups; i++) {
		if (re->names[i] != NULL && re->number[i] == 0)
			re->number[i] = next++;
	}
	re->nnet = (size_t)next;
}

int
strop_re_compile(struct strop_re *re, const char *pat, bool cs,
    const char **id, char **err)
{
	char	msg[128], *posix;
	int	rc;

	memset(re, 0, sizeof *re);
	posix = strop_pattern(pat, re);
	strop_group_numbers(re);
	rc = regcomp(&re->re, posix, REG_EXTENDED | (cs ? 0 : REG_ICASE));
	free(posix);
	if (rc == 0 && re->re.re_nsub != re->ngroups) {
		/* A '(' the scan took for a group is not one (\\( etc.). */
		regfree(&re->re);
		rc = REG_EPAREN;
	}
	if (rc == 0)
		return (0);
	regerror(rc, &re->re, msg, sizeof msg);
	strop_re_names_free(re);
	*id = "InvalidRegularExpression";
	xasprintf(err, "The regular expression pattern %s is not valid: %s.",
	    pat, msg);
	return (-1);
}

static void
strop_re_names_free(struct strop_re *re)
{
	size_t	i;

	for (i = 0; i < re->ngroups; i++)
		free(re->names[i]);
	free(re->names);
	free(re->number);
	re->names = NULL;
	re->number = NULL;
	re->ngroups = 0;
}

void
strop_re_free(struct strop_re *re)
{
	regfree(&re->re);
	strop_re_names_free(re);
}

/*
 * Match at s[off..] (REG_NOTBOL past the start): the POSIX match array
 * of ngroups + 1 entries, offsets from s, or NULL when nothing matched.
 */
regmatch_t *
strop_re_exec(struct strop_re *re, const char *s, size_t off)
{
	regmatch_t	*m;
	size_t		 i, n = re->ngroups + 1;

	m = xcalloc(n, sizeof *m);
	if (regexec(&re->re, s + off, n, m, off > 0 ? REG_NOTBOL : 0) != 0) {
		free(m);
		return (NULL);
	}
	for (i = 0; i < n; i++) {
		if (m[i].rm_so >= 0) {
			m[i].rm_so += (regoff_t)off;
			m[i].rm_eo += (regoff_t)off;
		}
	}
	return (m);
}

/* The POSIX group of .NET group number g (0 the match), or -1. */
int
strop_re_group(const struct strop_re *re, int g)
{
	size_t	i;

	if (g == 0)
		return (0);
	for (i = 0; i < re->ngroups; i++) {
		if (re->number[i] == g)
			return ((int)i + 1);
	}
	return (-1);
}

/* The POSIX group of a .NET group name (digits: a number), or -1. */
int
strop_re_named(const struct strop_re *re, const char *name)
{
	size_t	i;

	if (*name != '\0' && strspn(name, "0123456789") == strlen(name))
		return (strop_re_group(re, atoi(name)));
	for (i = 0; i < re->ngroups; i++) {
		if (re->names[i] != NULL && strcmp(re->names[i], name) == 0)
			return ((int)i + 1);
	}
	return (-1);
}

int
strop_regcomp(regex_t *re, const char *pat, bool cs, const char **id,
    char **err)
{
	struct strop_re	sre;

	if (strop_re_compile(&sre, pat, cs, id, err) != 0)
		return (-1);
	*re = sre.re;
	strop_re_names_free(&sre);
	return (0);
}

/*
 * -match: 1 when pat matches s, *matches then $Matches (a hashtable of
 * the groups that took part: the named ones in the pattern's order, the
 * numbered ones from the highest down to 0, as Windows PowerShell lists
 * them); 0 when not; -1 with *id and *err for a bad pattern.
 */
int
strop_match(const char *s, const char *pat, bool cs, struct value **matches,
    const char **id, char **err)
{
	struct strop_re	 re;
	regmatch_t	*m;
	struct value	*h;
	size_t		 i;
	int		 g, k;

	*matches = NULL;
	if (strop_re_compile(&re, pat, cs, id, err) != 0)
		return (-1);
	if ((m = strop_re_exec(&re, s, 0)) == NULL) {
		strop_re_free(&re);
		return (0);
	}
	h = value_hash();
	for (i = 0; i < re.ngroups; i++) {
		if (re.names[i] == NULL || isdigit((unsigned char)
		    re.names[i][0]) || m[i + 1].rm_so < 0)
			continue;
		value_hash_set(h, value_string(re.names[i]),
		    strop_re_text(s, &m[i + 1]));
	}
	for (g = (int)re.nnet - 1; g >= 0; g--) {
		k = strop_re_group(&re, g);
		if (k < 0 || m[k].rm_so < 0 || (k > 0 &&
		    !isdigit((unsigned char)re.names[k - 1][0])))
			continue;
		value_hash_set(h, value_int(g), strop_re_text(s, &m[k]));
	}
	*matches = h;
	free(m);
	strop_re_free(&re);
	return (1);
}

/* The text a group matched, as a new string value. */
struct value *
strop_re_text(const char *s, const regmatch_t *m)
{
	return (value_string_take(xstrndup(s + m->rm_so,
	    (size_t)(m->rm_eo - m->rm_so))));
}

/* ------------------------------------------------------------------ */
/* -replace */

struct value *
strop_replace(struct value *l, struct value *r, bool cs, const char **id,
    char **err)
{
	struct value	*pv, *out, *item;
	struct strop_re	 re;
	char		*pat, *rep, *s;
	size_t		 i, n = value_count(r);

	if (r->type == V_ARRAY && n > 2) {
		*id = "BadReplaceArgument";
		xasprintf(err, "The -replace operator allows only two elements "
		    "to follow it, not %zu.", n);
		return (NULL);
	}
	pv = r->type == V_ARRAY && n > 0 ? value_item(r, 0) : r;
	pat = value_to_string(pv);
	rep = r->type == V_ARRAY && n == 2 ?
	    value_to_string(value_item(r, 1)) : xstrdup("");
	if (strop_re_compile(&re, pat, cs, id, err) != 0) {
		free(pat);
		free(rep);
		return (NULL);
	}
	if (l->type == V_ARRAY) {
		out = value_array();
		for (i = 0; i < l->u.arr.n; i++) {
			s = value_to_string(l->u.arr.v[i]);
			item = value_string_take(strop_re_replace(&re, s, rep));
			value_array_push(out, item);
			free(s);
		}
	} else {
		s = value_to_string(l);
		out = value_string_take(strop_re_replace(&re, s, rep));
		free(s);
	}
	strop_re_free(&re);
	free(pat);
	free(rep);
	return (out);
}

/* Every match of re in s replaced by rep, its substitutions made. */
char *
strop_re_replace(struct strop_re *re, const char *s, const char *rep)
{
	regmatch_t	*m;
	struct buf	 b;
	size_t		 pos = 0, next;
	char		*r;

	buf_init(&b);
	buf_adds(&b, "");
	while ((m = strop_re_exec(re, s, pos)) != NULL) {
		buf_add(&b, s + pos, (size_t)m[0].rm_so - pos);
		strop_substitute(&b, rep, s, m, re);
		pos = (size_t)m[0].rm_eo;
		if (m[0].rm_eo == m[0].rm_so) {
			/* An empty match: keep one character, go on. */
			if (s[pos] == '\0') {
				free(m);
				break;
			}
			next = strop_next_char(s, pos);
			buf_add(&b, s + pos, next - pos);
			pos = next;
		}
		free(m);
	}
	buf_adds(&b, s + pos);
	r = buf_detach(&b);
	buf_free(&b);
	return (r);
}

/*
 * The replacement text: $n and ${n} (.NET group numbers), ${name}, $0
 * and $& (the match), $$ ($).  A group that does not exist is copied
 * as written, as .NET does.
 */
static void
strop_substitute(struct buf *b, const char *rep, const char *s,
    const regmatch_t *m, const struct strop_re *re)
{
	const char	*p, *close;
	char		*name;
	int		 g;

	for (p = rep; *p != '\0'; p++) {
		g = -2;
		if (*p == '$' && p[1] == '$') {
			buf_addc(b, '$');
			p++;
			continue;
		}
		if (*p == '$' && p[1] == '&')
			g = 0;
		else if (*p == '$' && isdigit((unsigned char)p[1]))
			g = strop_re_group(re, p[1] - '0');
		else if (*p == '$' && p[1] == '{' &&
		    (close = strchr(p + 2, '}')) != NULL && close > p + 2) {
			name = xstrndup(p + 2, (size_t)(close - p - 2));
			g = strop_re_named(re, name);
			free(name);
			if (g >= 0)
				p = close - 1;
		}
		if (g < 0) {
			buf_addc(b, *p);
			continue;
		}
		p++;
		if (m[g].rm_so >= 0)
			buf_add(b, s + m[g].rm_so,
			    (size_t)(m[g].rm_eo - m[g].rm_so));
	}
}

/* ------------------------------------------------------------------ */
/* -split */

struct value *
strop_split(struct value *l, struct value *r, bool cs, const char **id,
    char **err)
{
	struct value	*pv, *out;
	struct strop_re	 re;
	char		*pat, *s, *t, *e;
	int64_t		 max = 0;
	double		 dmax;
	bool		 isint;
	size_t		 i;

	if (r == NULL)
		pat = xstrdup("[[:space:]]+");
	else {
		pv = r->type == V_ARRAY && value_count(r) > 0 ?
		    value_item(r, 0) : r;
		pat = value_to_string(pv);
		if (r->type == V_ARRAY && value_count(r) > 1) {
			if (!value_to_number(value_item(r, 1), &dmax, &max,
			    &isint))
				max = 0;
			else if (!isint)
				max = (int64_t)dmax;
		}
	}
	/* An empty pattern needs no expression (strop_split_chars). */
	if (*pat != '\0' && strop_re_compile(&re, pat, cs, id, err) != 0) {
		free(pat);
		return (NULL);
	}
	out = value_array();
	for (i = 0; i < value_count(l); i++) {
		s = value_to_string(value_item(l, i));
		t = s;
		if (r == NULL) {
			/* Unary: blanks around the text are no pieces. */
			while (isspace((unsigned char)*t))
				t++;
			e = t + strlen(t);
			while (e > t && isspace((unsigned char)e[-1]))
				*--e = '\0';
		}
		if (*pat == '\0')
			strop_split_chars(out, t, max);
		else
			strop_re_split(out, &re, t, max);
		free(s);
	}
	if (*pat != '\0')
		strop_re_free(&re);
	free(pat);
	return (out);
}

/*
 * The pieces of s between matches of re, at most max (0: any), as .NET's
 * Regex.Split cuts them: an empty match cuts too, and what the groups
 * captured are pieces too, in .NET's group order.
 */
void
strop_re_split(struct value *out, struct strop_re *re, const char *s,
    int64_t max)
{
	regmatch_t	*m;
	size_t		 len = strlen(s), pos = 0, from = 0, so, eo;
	int64_t		 n = 1;
	int		 g, k;

	while ((max <= 0 || n < max) && pos <= len &&
	    (m = strop_re_exec(re, s, pos)) != NULL) {
		so = (size_t)m[0].rm_so;
		eo = (size_t)m[0].rm_eo;
		value_array_push(out, value_string_take(xstrndup(s + from,
		    so - from)));
		n++;
		for (g = 1; g < (int)re->nnet; g++) {
			k = strop_re_group(re, g);
			if (k > 0 && m[k].rm_so >= 0)
				value_array_push(out, strop_re_text(s, &m[k]));
		}
		free(m);
		from = eo;
		pos = eo > so ? eo : strop_next_char(s, eo);
	}
	value_array_push(out, value_string(s + from));
}

/* An empty pattern matches everywhere: "", each character, "". */
static void
strop_split_chars(struct value *out, const char *s, int64_t max)
{
	size_t	from = 0, next;
	int64_t	n = 1;

	value_array_push(out, value_string(""));
	for (n = 2; s[from] != '\0' && (max <= 0 || n < max); n++) {
		next = strop_next_char(s, from);
		value_array_push(out, value_string_take(xstrndup(s + from,
		    next - from)));
		from = next;
	}
	if (max <= 0 || n <= max)
		value_array_push(out, value_string(s + from));
}

/* The offset of the character after the one at off (UTF-8), or past. */
static size_t
strop_next_char(const char *s, size_t off)
{
	if (s[off] == '\0')
		return (off + 1);
	off++;
	while (((unsigned char)s[off] & 0xc0) == 0x80)
		off++;
	return (off);
}

/* ------------------------------------------------------------------ */
/* -f */

struct value *
strop_format(struct value *fmt, struct value *args, const char **id,
    char **err)
{
	struct value	*list;
	struct buf	 b;
	const char	*p, *close;
	char		*f;
	int		 rc = 0;

	list = args->type == V_ARRAY ? value_ref(args) : value_array();
	if (args->type != V_ARRAY)
		value_array_push(list, value_ref(args));
	f = value_to_string(fmt);
	buf_init(&b);
	buf_adds(&b, "");
	for (p = f; *p != '\0' && rc == 0; p++) {
		if ((*p == '{' && p[1] == '{') || (*p == '}' && p[1] == '}')) {
			buf_addc(&b, *p++);
			continue;
		}
		if (*p == '}') {
			rc = -1;
			break;
		}
		if (*p != '{') {
			buf_addc(&b, *p);
			continue;
		}
		if ((close = strchr(p + 1, '}')) == NULL) {
			rc = -1;
			break;
		}
		rc = strop_format_one(&b, p + 1, (size_t)(close - p - 1),
		    list);
		p = close;
	}
	free(f);
	value_unref(list);
	if (rc != 0) {
		buf_free(&b);
		*id = "FormatError";
		*err = xstrdup(rc == -2 ? STROP_BADINDEX : rc == -3 ?
		    STROP_BADSPEC : STROP_BADFORMAT);
		return (NULL);
	}
	return (value_string_take(buf_detach(&b)));
}

/*
 * One item, "index[,width][:format]" (len bytes at item): 0, or -1 for
 * a malformed item, -2 for an index past the arguments, -3 for a format
 * the value cannot take.
 */
static int
strop_format_one(struct buf *b, const char *item, size_t len,
    struct value *list)
{
	struct value	*v;
	struct buf	 one;
	char		*spec, *p, *end, *s;
	long		 index, width = 0;
	size_t		 n;
	int		 rc = 0;

	spec = xstrndup(item, len);
	p = spec;
	while (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p)) {
		free(spec);
		return (-1);
	}
	index = strtol(p, &end, 10);
	p = end;
	while (*p == ' ')
		p++;
	if (*p == ',') {
		p++;
		while (*p == ' ')
			p++;
		if (*p != '-' && !isdigit((unsigned char)*p)) {
			free(spec);
			return (-1);
		}
		width = strtol(p, &end, 10);
		p = end;
		while (*p == ' ')
			p++;
		if (width <= -STROP_WIDTH_MAX || width >= STROP_WIDTH_MAX) {
			free(spec);
			return (-1);
		}
	}
	if (*p != '\0' && *p != ':') {
		free(spec);
		return (-1);
	}
	if (index < 0 || (size_t)index >= value_count(list)) {
		free(spec);
		return (-2);
	}
	v = value_item(list, (size_t)index);
	buf_init(&one);
	buf_adds(&one, "");
	if (*p == ':' && p[1] != '\0') {
		p++;
		if (v->type == V_DATE) {
			s = date_format(v->u.date, p);
			buf_adds(&one, s);
			free(s);
		} else if (v->type == V_TIMESPAN) {
			if ((s = dotnet_timespan_format(v->u.ticks, p)) == NULL)
				rc = -1;
			else
				buf_adds(&one, s);
			free(s);
		} else if ((v->type == V_INT || v->type == V_DOUBLE) &&
		    strchr("DdNnFfPpXxGg", *p) != NULL &&
		    (p[1] == '\0' || isdigit((unsigned char)p[1]))) {
			n = p[1] != '\0' ? strtoul(p + 1, NULL, 10) : 0;
			rc = n > STROP_PREC_MAX ? -3 : strop_number(&one, v,
			    *p, p[1] != '\0' ? (int)n : -1);
		} else if (v->type == V_INT || v->type == V_DOUBLE)
			rc = strop_custom(&one, v->type == V_INT ?
			    (double)v->u.i : v->u.d, p);
		else {
			s = value_to_string(v);
			buf_adds(&one, s);
			free(s);
		}
	} else {
		s = value_to_string(v);
		buf_adds(&one, s);
		free(s);
	}
	free(spec);
	if (rc == 0) {
		n = strlen(one.s);
		if (width > 0 && n < (size_t)width)
			buf_addf(b, "%*s", (int)((size_t)width - n), "");
		buf_adds(b, one.s);
		if (width < 0 && n < (size_t)-width)
			buf_addf(b, "%*s", (int)((size_t)-width - n), "");
	}
	buf_free(&one);
	return (rc);
}

/* A standard numeric format: D, N, F, P, X, G with precision (-1: none). */
static int
strop_number(struct buf *b, struct value *v, char f, int prec)
{
	double		 d = v->type == V_INT ? (double)v->u.i : v->u.d;
	unsigned long long mag;
	char		 tmp[512];
	int		 dec;

	if (prec > STROP_PREC_MAX)
		return (-3);
	switch (toupper((unsigned char)f)) {
	case 'D':
	case 'X':
		if (v->type != V_INT)
			return (-3);
		mag = v->u.i < 0 ? (unsigned long long)-(v->u.i + 1) + 1 :
		    (unsigned long long)v->u.i;
		if (toupper((unsigned char)f) == 'D')
			snprintf(tmp, sizeof tmp, "%s%0*llu", v->u.i < 0 ?
			    "-" : "", prec < 0 ? 1 : prec, mag);
		else
			snprintf(tmp, sizeof tmp, f == 'X' ? "%0*llX" :
			    "%0*llx", prec < 0 ? 1 : prec,
			    (unsigned long long)v->u.i);
		buf_adds(b, tmp);
		return (0);
	case 'G':
		if (prec < 0) {
			char *s = value_to_string(v);

			buf_adds(b, s);
			free(s);
			return (0);
		}
		snprintf(tmp, sizeof tmp, "%.*G", prec == 0 ? 1 : prec, d);
		buf_adds(b, tmp);
		return (0);
	case 'P':
		d *= 100;
		break;
	default:
		break;
	}
	dec = prec < 0 ? 2 : prec;
	snprintf(tmp, sizeof tmp, "%.*f", dec, strop_round(d, dec));
	if (toupper((unsigned char)f) == 'F')
		buf_adds(b, tmp);
	else
		strop_grouped(b, tmp);
	if (toupper((unsigned char)f) == 'P')
		buf_adds(b, " %");
	return (0);
}

/* d rounded to dec decimals half away from zero, as .NET formats. */
static double
strop_round(double d, int dec)
{
	double	scale = pow(10, dec);

	if (fabs(d) * scale >= 1e15)
		return (d);
	return ((d < 0 ? -floor(-d * scale + 0.5) : floor(d * scale + 0.5)) /
	    scale);
}

/* "-1234567.50" with thousands separators: "-1,234,567.50". */
static void
strop_grouped(struct buf *b, const char *num)
{
	const char	*p = num, *dot;
	size_t		 digits, i;

	if (*p == '-')
		buf_addc(b, *p++);
	dot = strchr(p, '.');
	digits = dot != NULL ? (size_t)(dot - p) : strlen(p);
	for (i = 0; i < digits; i++) {
		if (i > 0 && (digits - i) % 3 == 0)
			buf_addc(b, ',');
		buf_addc(b, p[i]);
	}
	if (dot != NULL)
		buf_adds(b, dot);
}

/*
 * A custom numeric pattern: a core of 0, #, one '.' and ',' in the
 * integer part (thousands) — "0.00", "#,##0", "000" — with text before
 * and after it copied as it is ('quoted' or not): "#,##0 MB".  Text
 * inside the core is an error here, where .NET would copy it.
 */
static int
strop_custom(struct buf *b, double d, const char *pat)
{
	const char	*p, *core, *end, *dot;
	char		 tmp[512], *digits;
	int		 minint = 0, dec = 0, mindec = 0;
	bool		 group = false;
	size_t		 len;

	core = pat + strcspn(pat, "0#,.");
	for (end = core; *end != '\0' && strchr("0#,.", *end) != NULL; end++)
		continue;
	if (core == end || strop_has_digits(end))
		return (-1);
	dot = memchr(core, '.', (size_t)(end - core));
	for (p = core; p < end; p++) {
		if ((*p == '.' && p != dot) || (*p == ',' && dot != NULL &&
		    p > dot))
			return (-1);
		if (dot == NULL || p < dot) {
			minint += *p == '0';
			group |= *p == ',';
		} else if (p > dot && (*p == '0' || *p == '#')) {
			dec++;
			mindec += *p == '0' && mindec == dec - 1;
		}
	}
	if (dec > STROP_PREC_MAX || minint > STROP_PREC_MAX)
		return (-1);
	d = strop_round(d, dec);
	snprintf(tmp, sizeof tmp, "%.*f", dec, fabs(d));
	/* Optional decimals: drop trailing zeros past the required ones. */
	if (dec > mindec) {
		len = strlen(tmp);
		while (dec > mindec && tmp[len - 1] == '0') {
			tmp[--len] = '\0';
			dec--;
		}
		if (dec == 0 && tmp[len - 1] == '.')
			tmp[--len] = '\0';
	}
	/* Leading zeros up to the required integer digits. */
	len = strcspn(tmp, ".");
	xasprintf(&digits, "%s%.*s%s", d < 0 && strspn(tmp, "0.") !=
	    strlen(tmp) ? "-" : "", minint > (int)len ? minint - (int)len : 0,
	    "000000000000000000000000000000000000000000000000000000000000000"
	    "000000000000000000000000000000000000", tmp);
	/* "#" alone: a zero integer part is not written. */
	if (minint == 0 && strncmp(digits, "0.", 2) == 0)
		memmove(digits, digits + 1, strlen(digits));
	else if (minint == 0 && strcmp(digits, "0") == 0)
		digits[0] = '\0';
	strop_literal(b, pat, (size_t)(core - pat));
	if (group)
		strop_grouped(b, digits);
	else
		buf_adds(b, digits);
	strop_literal(b, end, strlen(end));
	free(digits);
	return (0);
}

/* Are there digit placeholders (0 #) outside quotes in s? */
static bool
strop_has_digits(const char *s)
{
	char	q = '\0';

	for (; *s != '\0'; s++) {
		if (q != '\0' && *s == q)
			q = '\0';
		else if (q == '\0' && (*s == '\'' || *s == '"'))
			q = *s;
		else if (q == '\0' && *s == '\\' && s[1] != '\0')
			s++;
		else if (q == '\0' && (*s == '0' || *s == '#'))
			return (true);
	}
	return (false);
}

/* Literal text of a custom pattern: quotes dropped, \x is x. */
static void
strop_literal(struct buf *b, const char *s, size_t len)
{
	size_t	i;
	char	q = '\0';

	for (i = 0; i < len; i++) {
		if (q != '\0' && s[i] == q)
			q = '\0';
		else if (q == '\0' && (s[i] == '\'' || s[i] == '"'))
			q = s[i];
		else if (q == '\0' && s[i] == '\\' && i + 1 < len)
			buf_addc(b, s[++i]);
		else
			buf_addc(b, s[i]);
	}
}
