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

#define STROP_GROUPS	10		/* $0 .. $9 */
#define STROP_WIDTH_MAX	1000000		/* .NET's limit on a width */
#define STROP_PREC_MAX	99		/* .NET's limit on a precision */

#define STROP_BADFORMAT	"Error formatting a string: Input string was " \
    "not in a correct format.."
#define STROP_BADSPEC	"Error formatting a string: Format specifier was " \
    "invalid.."
#define STROP_BADINDEX	"Error formatting a string: Index (zero based) " \
    "must be greater than or equal to zero and less than the size of the " \
    "argument list.."

static char	*strop_pattern(const char *);
static void	 strop_substitute(struct buf *, const char *, const char *,
		    const regmatch_t *);
static char	*strop_replace_one(regex_t *, const char *, const char *);
static void	 strop_split_one(struct value *, regex_t *, const char *,
		    int64_t);
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
 * glibc's regcomp knows them.
 */
static char *
strop_pattern(const char *pat)
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

int
strop_regcomp(regex_t *re, const char *pat, bool cs, const char **id,
    char **err)
{
	char	msg[128], *posix;
	int	rc;

	posix = strop_pattern(pat);
	rc = regcomp(re, posix, REG_EXTENDED | (cs ? 0 : REG_ICASE));
	free(posix);
	if (rc == 0)
		return (0);
	regerror(rc, re, msg, sizeof msg);
	*id = "InvalidRegularExpression";
	xasprintf(err, "The regular expression pattern %s is not valid: %s.",
	    pat, msg);
	return (-1);
}

/* ------------------------------------------------------------------ */
/* -replace */

struct value *
strop_replace(struct value *l, struct value *r, bool cs, const char **id,
    char **err)
{
	struct value	*pv, *out, *item;
	regex_t		 re;
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
	if (strop_regcomp(&re, pat, cs, id, err) != 0) {
		free(pat);
		free(rep);
		return (NULL);
	}
	if (l->type == V_ARRAY) {
		out = value_array();
		for (i = 0; i < l->u.arr.n; i++) {
			s = value_to_string(l->u.arr.v[i]);
			item = value_string_take(strop_replace_one(&re, s, rep));
			value_array_push(out, item);
			free(s);
		}
	} else {
		s = value_to_string(l);
		out = value_string_take(strop_replace_one(&re, s, rep));
		free(s);
	}
	regfree(&re);
	free(pat);
	free(rep);
	return (out);
}

/* Every match of re in s replaced by rep, its substitutions made. */
static char *
strop_replace_one(regex_t *re, const char *s, const char *rep)
{
	regmatch_t	 m[STROP_GROUPS];
	struct buf	 b;
	const char	*p = s;
	char		*r;

	buf_init(&b);
	buf_adds(&b, "");
	while (regexec(re, p, STROP_GROUPS, m, p == s ? 0 : REG_NOTBOL) ==
	    0) {
		buf_add(&b, p, (size_t)m[0].rm_so);
		strop_substitute(&b, rep, p, m);
		if (m[0].rm_eo == m[0].rm_so) {
			/* An empty match: keep one character, go on. */
			if (p[m[0].rm_eo] == '\0') {
				p += m[0].rm_eo;
				break;
			}
			buf_add(&b, p + m[0].rm_eo, strop_next_char(p,
			    (size_t)m[0].rm_eo) - (size_t)m[0].rm_eo);
			p += strop_next_char(p, (size_t)m[0].rm_eo);
		} else
			p += m[0].rm_eo;
	}
	buf_adds(&b, p);
	r = buf_detach(&b);
	buf_free(&b);
	return (r);
}

/* The replacement text: $n, ${n}, $0 and $& (the match), $$ ($). */
static void
strop_substitute(struct buf *b, const char *rep, const char *s,
    const regmatch_t *m)
{
	const char	*p, *close;
	int		 g;

	for (p = rep; *p != '\0'; p++) {
		g = -1;
		if (*p == '$' && p[1] == '$') {
			buf_addc(b, '$');
			p++;
			continue;
		}
		if (*p == '$' && p[1] == '&') {
			g = 0;
			p++;
		} else if (*p == '$' && isdigit((unsigned char)p[1])) {
			g = p[1] - '0';
			p++;
		} else if (*p == '$' && p[1] == '{' &&
		    isdigit((unsigned char)p[2]) &&
		    (close = strchr(p + 2, '}')) != NULL &&
		    close == p + 3) {
			g = p[2] - '0';
			p = close;
		}
		if (g < 0) {
			buf_addc(b, *p);
			continue;
		}
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
	regex_t		 re;
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
	if (*pat != '\0' && strop_regcomp(&re, pat, cs, id, err) != 0) {
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
			strop_split_one(out, &re, t, max);
		free(s);
	}
	if (*pat != '\0')
		regfree(&re);
	free(pat);
	return (out);
}

/*
 * The pieces of s between matches of re, at most max (0: any), as .NET's
 * Regex.Split cuts them: an empty match cuts too.
 */
static void
strop_split_one(struct value *out, regex_t *re, const char *s, int64_t max)
{
	regmatch_t	 m[STROP_GROUPS];
	size_t		 len = strlen(s), pos = 0, from = 0, so, eo, g;
	int64_t		 n = 1;

	while ((max <= 0 || n < max) && pos <= len &&
	    regexec(re, s + pos, STROP_GROUPS, m, pos > 0 ? REG_NOTBOL : 0) ==
	    0) {
		so = pos + (size_t)m[0].rm_so;
		eo = pos + (size_t)m[0].rm_eo;
		value_array_push(out, value_string_take(xstrndup(s + from,
		    so - from)));
		n++;
		/* Captured groups are pieces too, as in .NET. */
		for (g = 1; g < STROP_GROUPS && m[g].rm_so >= 0; g++)
			value_array_push(out, value_string_take(xstrndup(s +
			    pos + m[g].rm_so, (size_t)(m[g].rm_eo -
			    m[g].rm_so))));
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
