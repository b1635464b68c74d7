/*
 * opath.c - the OPATH filter language of the queue viewer cmdlets'
 * -Filter (Get-Queue, Get-Message and the actions on queues and
 * messages): a small recursive-descent parser and an evaluator over the
 * objects, and the property order -SortOrder also uses.
 *
 * A filter compares properties of the noun's field table with literals
 * converted to the property's type ($null, $true, numbers, dates, sizes,
 * enumeration names); -like and -notlike take wildcards.  Errors are
 * Exchange's OPATH messages.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opath.h"
#include "shell.h"
#include "xmalloc.h"

#define Q_MSG_SYNTAX	"Invalid filter syntax. For a description of the " \
    "filter parameter syntax see the command help. \"%s\" at position %zu."
#define Q_MSG_PROPERTY	"\"%s\" is not a recognized filterable property. " \
    "Valid property names are: %s."
#define Q_MSG_VALUE	"Cannot convert value \"%s\" of property %s to type " \
    "\"%s\". Error: \"%s\""

/* Filter syntax tree. */
enum qf_type {
	QF_AND,
	QF_OR,
	QF_NOT,
	QF_CMP
};

enum qf_op {
	QO_EQ,
	QO_NE,
	QO_GT,
	QO_GE,
	QO_LT,
	QO_LE,
	QO_LIKE,
	QO_NOTLIKE
};

struct opath_node {
	enum qf_type			 type;
	struct opath_node		*l;
	struct opath_node		*r;
	const struct opath_field	*field;		/* QF_CMP */
	enum qf_op			 op;
	struct value			*lit;	/* converted; text for like */
};

enum qt_type {
	QT_END,
	QT_WORD,	/* property, bare value, $true */
	QT_STRING,	/* quoted value */
	QT_OP,		/* -eq, -and, -not ... (text without the dash) */
	QT_LPAREN,
	QT_RPAREN,
	QT_BAD		/* unterminated quote */
};

struct qf_token {
	enum qt_type	 type;
	size_t		 start;		/* byte offset in the filter */
	char		*text;
};

struct qf_parser {
	const char			*s;
	size_t				 pos;
	const struct opath_field	*fields;
	struct qf_token			 tok;	/* the current token */
	char				*error;	/* message, once failed */
	const char			*reason; /* its exception name */
};

static int	 q_identity_cmp(const char *, const char *);
static void	 qf_next(struct qf_parser *);
static void	 qf_syntax(struct qf_parser *, size_t);
static struct opath_node *qf_new(enum qf_type, struct opath_node *,
		    struct opath_node *);
static struct value *qf_literal(struct qf_parser *,
		    const struct opath_field *, enum qf_op);
static struct opath_node *qf_compare(struct qf_parser *);
static struct opath_node *qf_unary(struct qf_parser *);
static struct opath_node *qf_and(struct qf_parser *);
static struct opath_node *qf_or(struct qf_parser *);
static int	 q_size_parse(const char *, int64_t *);
static int64_t	 q_size_bytes(const struct value *);
static bool	 qf_match_one(const struct opath_node *, struct value *);

/*
 * Identities in Exchange's order: part by part, numbers before names and
 * by value, names without case.
 */
static int
q_identity_cmp(const char *a, const char *b)
{
	size_t		 la, lb;
	int		 c;
	bool		 na, nb;

	for (;;) {
		la = strcspn(a, "\\");
		lb = strcspn(b, "\\");
		na = la > 0 && strspn(a, "0123456789") == la;
		nb = lb > 0 && strspn(b, "0123456789") == lb;
		if (na != nb)
			return (na ? -1 : 1);
		if (na) {
			while (la > 1 && *a == '0') {
				a++;
				la--;
			}
			while (lb > 1 && *b == '0') {
				b++;
				lb--;
			}
			if (la != lb)
				return (la < lb ? -1 : 1);
			if ((c = strncmp(a, b, la)) != 0)
				return (c);
		} else {
			c = strncasecmp(a, b, la < lb ? la : lb);
			if (c != 0)
				return (c);
			if (la != lb)
				return (la < lb ? -1 : 1);
		}
		a += la;
		b += lb;
		if (*a == '\0' || *b == '\0')
			return (*a == *b ? 0 : *a == '\0' ? -1 : 1);
		a++;
		b++;
	}
}

const struct opath_field *
opath_field_find(const struct opath_field *f, const char *name)
{
	for (; f->name != NULL; f++) {
		if (strcasecmp(f->name, name) == 0)
			return (f);
	}
	return (NULL);
}

/* "A, B, C" (caller frees). */
char *
opath_field_names(const struct opath_field *f)
{
	struct buf	b;

	buf_init(&b);
	for (; f->name != NULL; f++)
		buf_addf(&b, "%s%s", b.len > 0 ? ", " : "", f->name);
	return (buf_detach(&b));
}

/*
 * The filter's tokens: parentheses, quoted strings ('' and "" double the
 * quote), -operators (and "!" for -not), and words running to a blank or
 * a parenthesis.
 */
static void
qf_next(struct qf_parser *p)
{
	const char	*s = p->s;
	struct buf	 b;
	char		 q;
	size_t		 i;

	free(p->tok.text);
	p->tok.text = NULL;
	while (s[p->pos] != '\0' && isspace((unsigned char)s[p->pos]))
		p->pos++;
	i = p->tok.start = p->pos;
	switch (s[i]) {
	case '\0':
		p->tok.type = QT_END;
		return;
	case '(':
	case ')':
		p->tok.type = s[i] == '(' ? QT_LPAREN : QT_RPAREN;
		p->pos++;
		return;
	case '!':
		p->tok.type = QT_OP;
		p->tok.text = xstrdup("not");
		p->pos++;
		return;
	case '\'':
	case '"':
		q = s[i++];
		buf_init(&b);
		for (;;) {
			if (s[i] == '\0') {
				buf_free(&b);
				p->tok.type = QT_BAD;
				p->pos = i;
				return;
			}
			if (s[i] == q && s[i + 1] == q) {
				buf_addc(&b, q);
				i += 2;
			} else if (s[i] == q) {
				i++;
				break;
			} else
				buf_addc(&b, s[i++]);
		}
		p->tok.type = QT_STRING;
		p->tok.text = buf_detach(&b);
		p->pos = i;
		return;
	}
	if (s[i] == '-' && isalpha((unsigned char)s[i + 1])) {
		for (i++; isalpha((unsigned char)s[i]); i++)
			/* nothing */;
		p->tok.type = QT_OP;
		p->tok.text = xstrndup(s + p->pos + 1, i - p->pos - 1);
		p->pos = i;
		return;
	}
	while (s[i] != '\0' && !isspace((unsigned char)s[i]) &&
	    s[i] != '(' && s[i] != ')')
		i++;
	p->tok.type = QT_WORD;
	p->tok.text = xstrndup(s + p->pos, i - p->pos);
	p->pos = i;
}

/* Fail with Exchange's syntax error at byte offset at. */
static void
qf_syntax(struct qf_parser *p, size_t at)
{
	if (p->error != NULL)
		return;
	xasprintf(&p->error, Q_MSG_SYNTAX, p->s, at + 1);
	p->reason = "ParsingException";
}

static struct opath_node *
qf_new(enum qf_type type, struct opath_node *l, struct opath_node *r)
{
	struct opath_node	*n;

	n = xcalloc(1, sizeof *n);
	n->type = type;
	n->l = l;
	n->r = r;
	return (n);
}

void
opath_free(struct opath_node *n)
{
	if (n == NULL)
		return;
	opath_free(n->l);
	opath_free(n->r);
	value_unref(n->lit);
	free(n);
}

/*
 * The current token as a value of the field's type: $null, $true and
 * $false as themselves, numbers, dates (local time), sizes ("10MB") and
 * enumeration names (any case, unique prefix) checked.  For -like and
 * -notlike the text stays a pattern.
 */
static struct value *
qf_literal(struct qf_parser *p, const struct opath_field *f, enum qf_op op)
{
	const char	*s = p->tok.text;
	char		*end, *inner = NULL;
	int64_t		 n;
	double		 d;
	int		 k;

	if (p->tok.type == QT_WORD && strcasecmp(s, "$null") == 0)
		return (value_null());
	if (p->tok.type == QT_WORD && (strcasecmp(s, "$true") == 0 ||
	    strcasecmp(s, "$false") == 0))
		return (value_bool(s[1] == 't' || s[1] == 'T'));
	if (op == QO_LIKE || op == QO_NOTLIKE)
		return (value_string(s));
	switch (f->kind) {
	case QK_INT:
		errno = 0;
		n = strtoll(s, &end, 10);
		if (*s != '\0' && *end == '\0' && errno == 0)
			return (value_int(n));
		inner = xstrdup("Input string was not in a correct format.");
		break;
	case QK_NUMBER:
		d = strtod(s, &end);
		if (*s != '\0' && *end == '\0')
			return (value_double(d));
		inner = xstrdup("Input string was not in a correct format.");
		break;
	case QK_DATE:
		if (bind_date_parse(s, &n) == 0)
			return (value_date(n));
		inner = xstrdup("String was not recognized as a valid "
		    "DateTime.");
		break;
	case QK_SIZE:
		if (q_size_parse(s, &n) == 0)
			return (value_int(n));
		inner = xprintf("\"%s\" isn't a valid size. Valid values are "
		    "a number, optionally followed by B, KB, MB, GB or TB.", s);
		break;
	case QK_ENUM:
		if ((k = choice_match(f->choices, s, &inner,
		    f->type_name)) >= 0)
			return (value_string(f->choices[k].name));
		break;
	default:
		return (value_string(s));
	}
	xasprintf(&p->error, Q_MSG_VALUE, s, f->name, f->type_name, inner);
	p->reason = "ParsingException";
	free(inner);
	return (NULL);
}

/* Property -op value. */
static struct opath_node *
qf_compare(struct qf_parser *p)
{
	static const char *const ops[] = {
		"eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", NULL
	};
	const struct opath_field	*f;
	struct opath_node		*n;
	char				*names;
	int				 op;

	if (p->tok.type != QT_WORD) {
		qf_syntax(p, p->tok.start);
		return (NULL);
	}
	if ((f = opath_field_find(p->fields, p->tok.text)) == NULL) {
		names = opath_field_names(p->fields);
		xasprintf(&p->error, Q_MSG_PROPERTY, p->tok.text, names);
		p->reason = "ParsingNonFilterablePropertyException";
		free(names);
		return (NULL);
	}
	qf_next(p);
	for (op = 0; p->tok.type == QT_OP && ops[op] != NULL; op++) {
		if (strcasecmp(ops[op], p->tok.text) == 0)
			break;
	}
	if (p->tok.type != QT_OP || ops[op] == NULL) {
		qf_syntax(p, p->tok.start);
		return (NULL);
	}
	qf_next(p);
	if (p->tok.type != QT_WORD && p->tok.type != QT_STRING) {
		qf_syntax(p, p->tok.start);
		return (NULL);
	}
	n = qf_new(QF_CMP, NULL, NULL);
	n->field = f;
	n->op = op;
	if ((n->lit = qf_literal(p, f, op)) == NULL) {
		opath_free(n);
		return (NULL);
	}
	qf_next(p);
	return (n);
}

/* -not X, (X), or a comparison. */
static struct opath_node *
qf_unary(struct qf_parser *p)
{
	struct opath_node	*n;

	if (p->tok.type == QT_OP && strcasecmp(p->tok.text, "not") == 0) {
		qf_next(p);
		if ((n = qf_unary(p)) == NULL)
			return (NULL);
		return (qf_new(QF_NOT, n, NULL));
	}
	if (p->tok.type != QT_LPAREN)
		return (qf_compare(p));
	qf_next(p);
	if ((n = qf_or(p)) == NULL)
		return (NULL);
	if (p->tok.type != QT_RPAREN) {
		qf_syntax(p, p->tok.start);
		opath_free(n);
		return (NULL);
	}
	qf_next(p);
	return (n);
}

static struct opath_node *
qf_and(struct qf_parser *p)
{
	struct opath_node	*l, *r;

	if ((l = qf_unary(p)) == NULL)
		return (NULL);
	while (p->tok.type == QT_OP && strcasecmp(p->tok.text, "and") == 0) {
		qf_next(p);
		if ((r = qf_unary(p)) == NULL) {
			opath_free(l);
			return (NULL);
		}
		l = qf_new(QF_AND, l, r);
	}
	return (l);
}

static struct opath_node *
qf_or(struct qf_parser *p)
{
	struct opath_node	*l, *r;

	if ((l = qf_and(p)) == NULL)
		return (NULL);
	while (p->tok.type == QT_OP && strcasecmp(p->tok.text, "or") == 0) {
		qf_next(p);
		if ((r = qf_and(p)) == NULL) {
			opath_free(l);
			return (NULL);
		}
		l = qf_new(QF_OR, l, r);
	}
	return (l);
}

/*
 * Parse an OPATH filter over fields:
 *
 *	or	= and { "-or" and }
 *	and	= unary { "-and" unary }
 *	unary	= ("-not" | "!") unary | "(" or ")" | Property op value
 *	op	= -eq -ne -gt -ge -lt -le -like -notlike
 *
 * 0 with *out, or -1 with *error (Exchange's message, caller frees) and
 * *reason (its exception name).
 */
int
opath_parse(const char *text, const struct opath_field *fields,
    struct opath_node **out, char **error, const char **reason)
{
	struct qf_parser	 p;
	struct opath_node	*n;

	memset(&p, 0, sizeof p);
	p.s = text;
	p.fields = fields;
	qf_next(&p);
	if ((n = qf_or(&p)) != NULL && p.tok.type != QT_END) {
		qf_syntax(&p, p.tok.start);
		opath_free(n);
		n = NULL;
	}
	free(p.tok.text);
	if (n == NULL) {
		if (p.error == NULL)
			qf_syntax(&p, p.tok.start);
		*error = p.error;
		*reason = p.reason;
		return (-1);
	}
	*out = n;
	return (0);
}

/*
 * A size in a filter, in bytes exactly: a number and an optional unit
 * B, KB, MB, GB or TB (powers of 1024).  0, or -1 when it is none.
 */
static int
q_size_parse(const char *s, int64_t *bytes)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	char	*end;
	double	 v, mul = 1;
	size_t	 i;

	v = strtod(s, &end);
	if (end == s || v < 0 || !isdigit((unsigned char)*s))
		return (-1);
	while (*end == ' ')
		end++;
	if (*end != '\0') {
		for (i = 0; i < 5 && strcasecmp(end, units[i]) != 0; i++)
			mul *= 1024;
		if (i == 5)
			return (-1);
	}
	v *= mul;
	if (v >= 9223372036854774784.0)
		return (-1);
	*bytes = (int64_t)v;
	return (0);
}

/* The bytes of a size text "4.5 KB (4,608 bytes)"; -1 for none. */
static int64_t
q_size_bytes(const struct value *v)
{
	const char	*p;
	int64_t		 n = 0;

	if (v->type == V_INT)
		return (v->u.i);
	if (v->type != V_STRING || (p = strchr(v->u.s, '(')) == NULL)
		return (-1);
	for (p++; isdigit((unsigned char)*p) || *p == ','; p++) {
		if (*p != ',')
			n = n * 10 + (*p - '0');
	}
	return (n);
}

/*
 * Order a property value against another of the same property (or a
 * literal): <0, 0, >0; *ok false when they cannot be ordered.
 */
int
opath_order(const struct opath_field *f, struct value *a, struct value *b,
    bool *ok)
{
	char	*x, *y;
	int64_t	 i, j;
	int	 c;

	*ok = true;
	if (a->type == V_NULL || b->type == V_NULL)
		return (a->type == b->type ? 0 : a->type == V_NULL ? -1 : 1);
	switch (f->kind) {
	case QK_SIZE:
		i = q_size_bytes(a);
		j = q_size_bytes(b);
		return (i < j ? -1 : i > j);
	case QK_IDENTITY:
	case QK_STRING:
	case QK_ENUM:
		x = value_to_string(a);
		y = value_to_string(b);
		c = f->kind == QK_IDENTITY ? q_identity_cmp(x, y) :
		    strcasecmp_utf8(x, y);
		free(x);
		free(y);
		return (c);
	default:
		return (value_compare(a, b, false, ok));
	}
}

/* One comparison against one value (an element of a list property). */
static bool
qf_match_one(const struct opath_node *n, struct value *v)
{
	char	*s;
	bool	 ok, r;
	int	 c;

	if (n->op == QO_LIKE || n->op == QO_NOTLIKE) {
		if (v->type == V_NULL)
			return (n->op == QO_NOTLIKE);
		s = value_to_string(v);
		r = wildcard_match(n->lit->u.s, s, false);
		free(s);
		return (n->op == QO_LIKE ? r : !r);
	}
	c = opath_order(n->field, v, n->lit, &ok);
	if (!ok)
		return (n->op == QO_NE);
	if ((v->type == V_NULL || n->lit->type == V_NULL) &&
	    n->op != QO_EQ && n->op != QO_NE)
		return (false);
	switch (n->op) {
	case QO_EQ:
		return (c == 0);
	case QO_NE:
		return (c != 0);
	case QO_GT:
		return (c > 0);
	case QO_GE:
		return (c >= 0);
	case QO_LT:
		return (c < 0);
	default:
		return (c <= 0);
	}
}

/*
 * Does obj pass the filter?  A list property (Recipients) matches when
 * one of its elements does; -ne and -notlike when none is equal or like.
 */
bool
opath_match(const struct opath_node *n, const struct value *obj)
{
	struct value	*v, *null;
	size_t		 i;
	bool		 neg, any = false;

	switch (n->type) {
	case QF_AND:
		return (opath_match(n->l, obj) && opath_match(n->r, obj));
	case QF_OR:
		return (opath_match(n->l, obj) || opath_match(n->r, obj));
	case QF_NOT:
		return (!opath_match(n->l, obj));
	case QF_CMP:
		break;
	}
	if ((v = object_get(obj, n->field->name)) == NULL || v->type ==
	    V_NULL) {
		null = value_null();
		any = qf_match_one(n, null);
		value_unref(null);
		return (any);
	}
	if (v->type != V_ARRAY)
		return (qf_match_one(n, v));
	neg = n->op == QO_NE || n->op == QO_NOTLIKE;
	for (i = 0; i < v->u.arr.n && !any; i++)
		any = qf_match_one(n, v->u.arr.v[i]) != neg;
	return (any != neg);
}
