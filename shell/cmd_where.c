/*
 * cmd_where.c - Where-Object: the script block form and the simplified
 * syntax (Where-Object Name -eq Internet).
 *
 * Comparisons in the simplified syntax follow the same rules as the
 * operators in eval.c: case-insensitive unless the C form is used, the
 * right operand converted to the left operand's kind, a collection on
 * the left filtered element by element.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

/* Where-Object comparison kinds. */
enum where_kind {
	W_TRUTHY,	/* no operator: the property's own truth */
	W_EQ, W_NE, W_GT, W_LT, W_GE, W_LE,
	W_LIKE, W_NOTLIKE, W_MATCH, W_NOTMATCH,
	W_CONTAINS, W_NOTCONTAINS, W_IN, W_NOTIN,
	W_IS, W_ISNOT
};

struct where_op {
	const char	*name;		/* switch parameter */
	enum where_kind	 kind;
	bool		 cs;		/* case-sensitive (C prefix) */
};

static int		 cmd_where_object_exec(struct cmd_ctx *);
static void		 where_script(struct cmd_ctx *, struct value *,
			    struct value *);
static void		 where_simple(struct cmd_ctx *, struct value *,
			    struct value *);
static int		 where_operator(struct cmd_ctx *,
			    const struct where_op **);
static bool		 where_check(struct cmd_ctx *, const struct where_op *);
static bool		 where_test(struct cmd_ctx *, const struct where_op *,
			    struct value *, struct value *);
static bool		 where_scalar(struct cmd_ctx *, enum where_kind, bool,
			    struct value *, struct value *);
static bool		 where_regex(struct cmd_ctx *, const char *,
			    const char *, bool);
static bool		 where_contains(struct cmd_ctx *, struct value *,
			    struct value *, bool);
static bool		 where_is(const struct value *, const struct value *);

/*
 * Where-Object: the script block form and the simplified syntax.
 */
static const struct where_op where_ops[] = {
	{ "EQ", W_EQ, false }, { "CEQ", W_EQ, true },
	{ "NE", W_NE, false }, { "CNE", W_NE, true },
	{ "GT", W_GT, false }, { "CGT", W_GT, true },
	{ "LT", W_LT, false }, { "CLT", W_LT, true },
	{ "GE", W_GE, false }, { "CGE", W_GE, true },
	{ "LE", W_LE, false }, { "CLE", W_LE, true },
	{ "Like", W_LIKE, false }, { "CLike", W_LIKE, true },
	{ "NotLike", W_NOTLIKE, false }, { "CNotLike", W_NOTLIKE, true },
	{ "Match", W_MATCH, false }, { "CMatch", W_MATCH, true },
	{ "NotMatch", W_NOTMATCH, false }, { "CNotMatch", W_NOTMATCH, true },
	{ "Contains", W_CONTAINS, false },
	{ "CContains", W_CONTAINS, true },
	{ "NotContains", W_NOTCONTAINS, false },
	{ "CNotContains", W_NOTCONTAINS, true },
	{ "In", W_IN, false }, { "CIn", W_IN, true },
	{ "NotIn", W_NOTIN, false }, { "CNotIn", W_NOTIN, true },
	{ "Is", W_IS, false }, { "IsNot", W_ISNOT, false },
	{ NULL, W_TRUTHY, false }
};

#define WHERE_SWITCH(n, a, h) \
	PARAM(n, a, PT_SWITCH, 0, 0, NULL, 0, 0, NULL, h)

static const struct param_entry where_object_params[] = {
	PARAM("FilterScript", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Management.Automation.ScriptBlock",
	  "Script block run with $_ set to each object; the object is kept "
	  "when the result is true."),
	PARAM("Property", NULL, PT_STRING, P_POSITIONAL, 0, NULL, 0, 0,
	  NULL,
	  "Property compared in the simplified syntax: where Name -eq 'x'."),
	PARAM("Value", NULL, PT_OBJECT, P_POSITIONAL, 1, NULL, 0, 0,
	  NULL, "Value the property is compared with."),
	PARAM("InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to filter; usually piped in."),
	WHERE_SWITCH("EQ", "IEQ", "Keeps objects whose property equals "
	    "the value."),
	WHERE_SWITCH("CEQ", NULL, "Like -EQ, case-sensitive."),
	WHERE_SWITCH("NE", "INE", "Keeps objects whose property differs "
	    "from the value."),
	WHERE_SWITCH("CNE", NULL, "Like -NE, case-sensitive."),
	WHERE_SWITCH("GT", "IGT", "Keeps objects whose property is greater "
	    "than the value."),
	WHERE_SWITCH("CGT", NULL, "Like -GT, case-sensitive."),
	WHERE_SWITCH("LT", "ILT", "Keeps objects whose property is less "
	    "than the value."),
	WHERE_SWITCH("CLT", NULL, "Like -LT, case-sensitive."),
	WHERE_SWITCH("GE", "IGE", "Keeps objects whose property is greater "
	    "than or equal to the value."),
	WHERE_SWITCH("CGE", NULL, "Like -GE, case-sensitive."),
	WHERE_SWITCH("LE", "ILE", "Keeps objects whose property is less "
	    "than or equal to the value."),
	WHERE_SWITCH("CLE", NULL, "Like -LE, case-sensitive."),
	WHERE_SWITCH("Like", "ILike", "Keeps objects whose property matches "
	    "the wildcard pattern given as the value."),
	WHERE_SWITCH("CLike", NULL, "Like -Like, case-sensitive."),
	WHERE_SWITCH("NotLike", "INotLike", "Keeps objects whose property "
	    "does not match the wildcard pattern."),
	WHERE_SWITCH("CNotLike", NULL, "Like -NotLike, case-sensitive."),
	WHERE_SWITCH("Match", "IMatch", "Keeps objects whose property "
	    "matches the regular expression given as the value."),
	WHERE_SWITCH("CMatch", NULL, "Like -Match, case-sensitive."),
	WHERE_SWITCH("NotMatch", "INotMatch", "Keeps objects whose property "
	    "does not match the regular expression."),
	WHERE_SWITCH("CNotMatch", NULL, "Like -NotMatch, case-sensitive."),
	WHERE_SWITCH("Contains", "IContains", "Keeps objects whose property "
	    "(a collection) contains the value."),
	WHERE_SWITCH("CContains", NULL, "Like -Contains, case-sensitive."),
	WHERE_SWITCH("NotContains", "INotContains", "Keeps objects whose "
	    "property (a collection) does not contain the value."),
	WHERE_SWITCH("CNotContains", NULL, "Like -NotContains, "
	    "case-sensitive."),
	WHERE_SWITCH("In", "IIn", "Keeps objects whose property is one of "
	    "the values (a collection)."),
	WHERE_SWITCH("CIn", NULL, "Like -In, case-sensitive."),
	WHERE_SWITCH("NotIn", "INotIn", "Keeps objects whose property is "
	    "none of the values."),
	WHERE_SWITCH("CNotIn", NULL, "Like -NotIn, case-sensitive."),
	WHERE_SWITCH("Is", NULL, "Keeps objects whose property is of the "
	    "type named by the value, e.g. [int] or string."),
	WHERE_SWITCH("IsNot", NULL, "Keeps objects whose property is not "
	    "of the type named by the value."),
	PARAM_END
};

const struct cmdlet_entry cmd_where_object_entry = {
	.name = "Where-Object",
	.synopsis = "Selects objects from a collection based on their "
	    "property values.",
	.params = where_object_params,
	.flags = 0,
	.class_name = PS_CLASS("WhereObjectCommand"),
	.exec = cmd_where_object_exec,
	.description = "Where-Object passes on the objects for which a test "
	    "is true. The test is a script block, where {$_.RequireTLS -and "
	    "$_.Enabled}, or one comparison of a property, where Name -like "
	    "'Internet*'. With a property and no operator, where Enabled "
	    "keeps the objects whose property is true."
};

/*
 * Where-Object.  -FilterScript holds a script block for the script form;
 * the binder may also have put the property name of the simplified form
 * there (both are positional 0), so any other value is a property name.
 */
static int
cmd_where_object_exec(struct cmd_ctx *ctx)
{
	struct value	*in, *filter;

	in = builtin_input(ctx, "InputObject", false);
	filter = bound_get(ctx->args, "FilterScript");
	if (filter != NULL && filter->type == V_SCRIPT)
		where_script(ctx, filter, in);
	else
		where_simple(ctx, filter, in);
	value_unref(in);
	return (0);
}

static void
where_script(struct cmd_ctx *ctx, struct value *script, struct value *in)
{
	struct value	*out, *item;
	size_t		 i;
	bool		 keep;

	for (i = 0; i < in->u.arr.n && !ctx->stop; i++) {
		item = in->u.arr.v[i];
		out = builtin_run(ctx, script, item);
		keep = value_truthy(out);
		value_unref(out);
		if (keep)
			cmd_emit(ctx, value_ref(item));
	}
}

static void
where_simple(struct cmd_ctx *ctx, struct value *filter, struct value *in)
{
	const struct where_op	*op;
	struct value		*pv, *rhs, *lhs, *item;
	char			*name;
	size_t			 i;

	if ((pv = bound_get(ctx->args, "Property")) == NULL)
		pv = filter;
	if (pv == NULL) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException", "MissingMandatoryParameter",
		    "Cannot process command because of one or more missing "
		    "mandatory parameters: FilterScript.");
		return;
	}
	if (where_operator(ctx, &op) != 0 || in->u.arr.n == 0)
		return;
	if (!where_check(ctx, op))
		return;
	name = value_to_string(pv);
	rhs = bound_get(ctx->args, "Value");
	for (i = 0; i < in->u.arr.n && !ctx->stop; i++) {
		item = in->u.arr.v[i];
		if ((lhs = builtin_member(item, name)) == NULL)
			lhs = value_null();
		if (where_test(ctx, op, lhs, rhs != NULL ? rhs : value_null()))
			cmd_emit(ctx, value_ref(item));
		value_unref(lhs);
	}
	free(name);
}

/* The one operator switch given (or the W_TRUTHY entry); -1 on error. */
static int
where_operator(struct cmd_ctx *ctx, const struct where_op **opp)
{
	const struct where_op	*op;
	size_t			 n = 0;

	*opp = &where_ops[sizeof where_ops / sizeof where_ops[0] - 1];
	for (op = where_ops; op->name != NULL; op++) {
		if (bound_switch(ctx->args, op->name)) {
			*opp = op;
			n++;
		}
	}
	if (n > 1) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException", "AmbiguousParameterSet",
		    "Parameter set cannot be resolved using the specified "
		    "named parameters.");
		return (-1);
	}
	return (0);
}

/* An operator needs -Value, and -Value needs an operator. */
static bool
where_check(struct cmd_ctx *ctx, const struct where_op *op)
{
	bool	has_value = bound_has(ctx->args, "Value");

	if (op->kind != W_TRUTHY && !has_value) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "PSArgumentException", "ValueNotSpecifiedForWhereObject",
		    "The specified operator requires both the -Property and "
		    "-Value parameters. Provide values for both parameters, "
		    "and then try the command again.");
		return (false);
	}
	if (op->kind == W_TRUTHY && has_value) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "PSArgumentException", "OperatorNotSpecified",
		    "An operator is required to compare the two specified "
		    "values. Include a valid operator in the command, and "
		    "then try the command again. For example, "
		    "Get-SendConnector | Where-Object -Property Name -eq "
		    "Internet");
		return (false);
	}
	return (true);
}

/*
 * One test of the simplified syntax.  A collection on the left is
 * filtered and the matching elements are judged for truth, as the
 * operators do inside a script block.
 */
static bool
where_test(struct cmd_ctx *ctx, const struct where_op *op,
    struct value *lhs, struct value *rhs)
{
	struct value	*hits;
	size_t		 i;
	bool		 r;

	switch (op->kind) {
	case W_TRUTHY:
		return (value_truthy(lhs));
	case W_CONTAINS:
	case W_NOTCONTAINS:
		r = where_contains(ctx, lhs, rhs, op->cs);
		return (op->kind == W_CONTAINS ? r : !r);
	case W_IN:
	case W_NOTIN:
		r = where_contains(ctx, rhs, lhs, op->cs);
		return (op->kind == W_IN ? r : !r);
	case W_IS:
	case W_ISNOT:
		r = where_is(lhs, rhs);
		return (op->kind == W_IS ? r : !r);
	default:
		break;
	}
	if (lhs->type != V_ARRAY)
		return (where_scalar(ctx, op->kind, op->cs, lhs, rhs));
	hits = value_array();
	for (i = 0; i < lhs->u.arr.n && !ctx->stop; i++) {
		if (where_scalar(ctx, op->kind, op->cs, lhs->u.arr.v[i], rhs))
			value_array_push(hits, value_ref(lhs->u.arr.v[i]));
	}
	r = value_truthy(hits);
	value_unref(hits);
	return (r);
}

/* A comparison of two scalars (eval.c's cmp_op rules). */
static bool
where_scalar(struct cmd_ctx *ctx, enum where_kind kind, bool cs,
    struct value *l, struct value *r)
{
	char	*ls, *rs;
	bool	 ok, res = false;
	int	 c;

	if (kind >= W_EQ && kind <= W_LE) {
		c = value_compare(l, r, cs, &ok);
		switch (kind) {
		case W_EQ:
			return (ok && c == 0);
		case W_NE:
			return (!(ok && c == 0));
		case W_GT:
			return (ok && c > 0);
		case W_LT:
			return (ok && c < 0);
		case W_GE:
			return (ok && c >= 0);
		default:
			return (ok && c <= 0);
		}
	}
	ls = value_to_string(l);
	rs = value_to_string(r);
	if (kind == W_LIKE || kind == W_NOTLIKE) {
		res = wildcard_match(rs, ls, cs);
		res = kind == W_LIKE ? res : !res;
	} else if (kind == W_MATCH || kind == W_NOTMATCH) {
		res = where_regex(ctx, ls, rs, cs);
		res = kind == W_MATCH ? res : (!ctx->stop && !res);
	}
	free(ls);
	free(rs);
	return (res);
}

/* -match: a POSIX extended expression found anywhere in s. */
static bool
where_regex(struct cmd_ctx *ctx, const char *s, const char *pat, bool cs)
{
	regex_t	re;
	char	err[128];
	int	r;

	r = regcomp(&re, pat, REG_EXTENDED | REG_NOSUB | (cs ? 0 : REG_ICASE));
	if (r != 0) {
		regerror(r, &re, err, sizeof err);
		cmd_error(ctx, ERR_STATEMENT, "InvalidOperation",
		    "RuntimeException", "InvalidRegularExpression",
		    "The regular expression pattern %s is not valid: %s.",
		    pat, err);
		ctx->stop = true;
		return (false);
	}
	r = regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	return (r == 0);
}

/* A collection (a scalar is one element) holds an item equal to v. */
static bool
where_contains(struct cmd_ctx *ctx, struct value *coll, struct value *v,
    bool cs)
{
	size_t	i;

	if (coll->type == V_NULL)
		return (v->type == V_NULL);
	for (i = 0; i < value_count(coll); i++) {
		if (where_scalar(ctx, W_EQ, cs, value_item(coll, i), v))
			return (true);
	}
	return (false);
}

/*
 * -is: the value's type against a type object or name ([int], int,
 * System.Int32), as the -is operator (dotnet.c) decides; an unknown
 * type is no match.
 */
static bool
where_is(const struct value *v, const struct value *t)
{
	struct value	*tv, *r;
	char		*name;
	size_t		 len;
	bool		 is;

	if (t->type == V_OBJECT)
		tv = value_ref((struct value *)t);
	else {
		name = value_to_string(t);
		len = strlen(name);
		if (len > 2 && name[0] == '[' && name[len - 1] == ']') {
			memmove(name, name + 1, len - 2);
			name[len - 2] = '\0';
		}
		tv = value_string_take(name);
	}
	r = dotnet_typeop(OP_IS, (struct value *)v, tv, NULL);
	is = r != NULL && value_truthy(r);
	value_unref(r);
	value_unref(tv);
	return (is);
}
