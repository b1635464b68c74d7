/*
 * opath_test.c - unit tests for the OPATH filter language (shell/opath.c)
 * of Get-Queue and Get-Message -Filter: the Exchange-style parse errors,
 * the operators, quoting, and evaluation against an object's fields.
 */
#include <stdlib.h>
#include <string.h>

#include "opath.h"
#include "shell.h"
#include "tap.h"

static const struct choice test_status[] = {
	{ "Active", 0 }, { "Ready", 0 }, { "Retry", 0 }, { "Suspended", 0 },
	{ NULL, 0 }
};

/* A small field table: every kind a filter converts literals to. */
static const struct opath_field test_fields[] = {
	{ "Name", QK_STRING, NULL, "System.String" },
	{ "Count", QK_INT, NULL, "System.Int32" },
	{ "Rate", QK_NUMBER, NULL, "System.Double" },
	{ "Status", QK_ENUM, test_status, "Test.Status" },
	{ "Size", QK_SIZE, NULL, "Microsoft.Exchange.Data.ByteQuantifiedSize" },
	{ "Recipients", QK_STRING, NULL, "System.String" },
	{ "Identity", QK_IDENTITY, NULL, "Test.Identity" },
	{ NULL, QK_STRING, NULL, NULL }
};

#define SYNTAX	"Invalid filter syntax. For a description of the filter " \
    "parameter syntax see the command help. "

/* A queue-like object. */
static struct value *
obj(const char *name, int64_t count, const char *status, const char *size,
    const char *id)
{
	struct value	*o, *a;

	o = value_object("Test.Object", NULL);
	object_add(o, "Name", name != NULL ? value_string(name) :
	    value_null());
	object_add(o, "Count", value_int(count));
	object_add(o, "Rate", value_double(1.5));
	object_add(o, "Status", value_string(status));
	object_add(o, "Size", value_string(size));
	a = value_array();
	value_array_push(a, value_string("a@contoso.com"));
	value_array_push(a, value_string("b@fabrikam.com"));
	object_add(o, "Recipients", a);
	object_add(o, "Identity", value_string(id));
	return (o);
}

/* Does text parse, and does o pass it?  -1 when it does not parse. */
static int
run(const char *text, const struct value *o)
{
	struct opath_node	*n;
	const char		*reason;
	char			*error;
	int			 r;

	if (opath_parse(text, test_fields, &n, &error, &reason) != 0) {
		printf("# %s: %s\n", text, error);
		free(error);
		return (-1);
	}
	r = opath_match(n, o);
	opath_free(n);
	return (r);
}

/* The error text parses to (caller frees), and its reason. */
static char *
error_of(const char *text, const char **reason)
{
	struct opath_node	*n;
	char			*error = NULL;

	*reason = NULL;
	if (opath_parse(text, test_fields, &n, &error, reason) == 0) {
		opath_free(n);
		return (NULL);
	}
	return (error);
}

#define ERROR_IS(text, want, why) do {					\
	const char *reason_;						\
	char *e_ = error_of(text, &reason_);				\
	TAP_STREQ(e_, want);						\
	TAP_STREQ(reason_, why);					\
	free(e_);							\
} while (0)

static void
test_syntax_errors(void)
{
	ERROR_IS("Count -eq", SYNTAX "\"Count -eq\" at position 10.",
	    "ParsingException");
	ERROR_IS("Count 5", SYNTAX "\"Count 5\" at position 7.",
	    "ParsingException");
	ERROR_IS("Count -bogus 5", SYNTAX "\"Count -bogus 5\" at position 7.",
	    "ParsingException");
	ERROR_IS("(Count -eq 5", SYNTAX "\"(Count -eq 5\" at position 13.",
	    "ParsingException");
	ERROR_IS("Count -eq 5 Name", SYNTAX "\"Count -eq 5 Name\" at "
	    "position 13.", "ParsingException");
	ERROR_IS("Count -eq 5 -and", SYNTAX "\"Count -eq 5 -and\" at "
	    "position 17.", "ParsingException");
	ERROR_IS("Name -eq 'open", SYNTAX "\"Name -eq 'open\" at position "
	    "10.", "ParsingException");
	ERROR_IS("", SYNTAX "\"\" at position 1.", "ParsingException");
	ERROR_IS("-eq 5", SYNTAX "\"-eq 5\" at position 1.",
	    "ParsingException");
}

static void
test_value_errors(void)
{
	const char	*reason;
	char		*e;

	ERROR_IS("Foo -eq 1", "\"Foo\" is not a recognized filterable "
	    "property. Valid property names are: Name, Count, Rate, Status, "
	    "Size, Recipients, Identity.",
	    "ParsingNonFilterablePropertyException");
	ERROR_IS("Count -eq many", "Cannot convert value \"many\" of "
	    "property Count to type \"System.Int32\". Error: \"Input string "
	    "was not in a correct format.\"", "ParsingException");
	ERROR_IS("Rate -gt fast", "Cannot convert value \"fast\" of "
	    "property Rate to type \"System.Double\". Error: \"Input string "
	    "was not in a correct format.\"", "ParsingException");
	ERROR_IS("Size -gt tenMB", "Cannot convert value \"tenMB\" of "
	    "property Size to type \"Microsoft.Exchange.Data."
	    "ByteQuantifiedSize\". Error: \"\"tenMB\" isn't a valid size. "
	    "Valid values are a number, optionally followed by B, KB, MB, GB "
	    "or TB.\"", "ParsingException");
	/* An enumeration value is checked; a like pattern is not. */
	e = error_of("Status -like 'Nothing*'", &reason);
	TAP_CHECK(e == NULL);
	free(e);
	e = error_of("Status -eq Nothing", &reason);
	TAP_CHECK(e != NULL && strncmp(e, "Cannot convert value \"Nothing\" "
	    "of property Status to type \"Test.Status\". Error: ", 69) == 0);
	free(e);
}

static void
test_comparisons(void)
{
	struct value	*o;

	o = obj("contoso.com", 5, "Retry", "4.5 KB (4,608 bytes)", "EX01\\12");
	TAP_CHECK(run("Count -eq 5", o) == 1);
	TAP_CHECK(run("Count -eq 6", o) == 0);
	TAP_CHECK(run("Count -ne 6", o) == 1);
	TAP_CHECK(run("Count -ne 5", o) == 0);
	TAP_CHECK(run("Count -lt 6", o) == 1);
	TAP_CHECK(run("Count -lt 5", o) == 0);
	TAP_CHECK(run("Count -gt 4", o) == 1);
	TAP_CHECK(run("Count -gt 5", o) == 0);
	TAP_CHECK(run("Count -le 5", o) == 1);
	TAP_CHECK(run("Count -le 4", o) == 0);
	TAP_CHECK(run("Count -ge 5", o) == 1);
	TAP_CHECK(run("Count -ge 6", o) == 0);
	TAP_CHECK(run("Rate -gt 1.25", o) == 1);
	TAP_CHECK(run("Rate -gt 2", o) == 0);
	/* Strings and enumerations without case; a unique enum prefix. */
	TAP_CHECK(run("Name -eq CONTOSO.COM", o) == 1);
	TAP_CHECK(run("Status -eq retry", o) == 1);
	TAP_CHECK(run("Status -eq Sus", o) == 0);
	TAP_CHECK(run("Status -ne Ready", o) == 1);
	/* Sizes in bytes, with units in powers of 1024. */
	TAP_CHECK(run("Size -eq 4608", o) == 1);
	TAP_CHECK(run("Size -gt 4KB", o) == 1);
	TAP_CHECK(run("Size -lt 4.5KB", o) == 0);
	/* Identities part by part, numbers as numbers. */
	TAP_CHECK(run("Identity -gt 'EX01\\9'", o) == 1);
	TAP_CHECK(run("Identity -lt 'EX01\\100'", o) == 1);
	value_unref(o);
}

static void
test_like(void)
{
	struct value	*o;

	o = obj("mail.contoso.com", 1, "Active", "1 KB (1,024 bytes)",
	    "EX01\\3");
	TAP_CHECK(run("Name -like '*.contoso.com'", o) == 1);
	TAP_CHECK(run("Name -like 'MAIL.*'", o) == 1);
	TAP_CHECK(run("Name -like '*.fabrikam.com'", o) == 0);
	TAP_CHECK(run("Name -notlike '*.fabrikam.com'", o) == 1);
	TAP_CHECK(run("Name -notlike 'mail*'", o) == 0);
	/* A list property: one element is enough; -notlike needs none. */
	TAP_CHECK(run("Recipients -like '*@fabrikam.com'", o) == 1);
	TAP_CHECK(run("Recipients -notlike '*@fabrikam.com'", o) == 0);
	TAP_CHECK(run("Recipients -eq 'a@contoso.com'", o) == 1);
	TAP_CHECK(run("Recipients -ne 'a@contoso.com'", o) == 0);
	TAP_CHECK(run("Recipients -ne 'c@contoso.com'", o) == 1);
	value_unref(o);
}

static void
test_logic(void)
{
	struct value	*o;

	o = obj("contoso.com", 5, "Retry", "1 KB (1,024 bytes)", "EX01\\12");
	TAP_CHECK(run("Count -gt 0 -and Status -eq Retry", o) == 1);
	TAP_CHECK(run("Count -gt 0 -and Status -eq Ready", o) == 0);
	TAP_CHECK(run("Count -gt 9 -or Status -eq Retry", o) == 1);
	TAP_CHECK(run("Count -gt 9 -or Status -eq Ready", o) == 0);
	TAP_CHECK(run("-not Count -eq 5", o) == 0);
	TAP_CHECK(run("-not (Count -eq 6)", o) == 1);
	TAP_CHECK(run("!(Count -eq 6)", o) == 1);
	/* -and binds tighter than -or; parentheses change that. */
	TAP_CHECK(run("Count -eq 5 -or Count -eq 6 -and Status -eq Ready",
	    o) == 1);
	TAP_CHECK(run("(Count -eq 5 -or Count -eq 6) -and Status -eq Ready",
	    o) == 0);
	/* Operators without case. */
	TAP_CHECK(run("Count -EQ 5 -AND Name -LIKE 'CON*'", o) == 1);
	value_unref(o);
}

static void
test_quoting(void)
{
	struct value	*o;

	o = obj("it's here", 1, "Ready", "1 KB (1,024 bytes)", "EX01\\1");
	TAP_CHECK(run("Name -eq 'it''s here'", o) == 1);
	TAP_CHECK(run("Name -eq \"it's here\"", o) == 1);
	TAP_CHECK(run("Name -eq 'it''s'", o) == 0);
	/* A bare word ends at a blank or a parenthesis. */
	TAP_CHECK(run("(Name -eq it's)", o) == 0);
	value_unref(o);
	o = obj("a (b)", 1, "Ready", "1 KB (1,024 bytes)", "EX01\\1");
	TAP_CHECK(run("Name -eq 'a (b)'", o) == 1);
	value_unref(o);
}

static void
test_null(void)
{
	struct value	*o;

	o = obj(NULL, 0, "Ready", "1 KB (1,024 bytes)", "EX01\\1");
	TAP_CHECK(run("Name -eq $null", o) == 1);
	TAP_CHECK(run("Name -ne $null", o) == 0);
	TAP_CHECK(run("Name -like '*'", o) == 0);
	TAP_CHECK(run("Name -notlike '*'", o) == 1);
	/* $null orders only for -eq and -ne. */
	TAP_CHECK(run("Name -lt zzz", o) == 0);
	TAP_CHECK(run("Count -eq $null", o) == 0);
	value_unref(o);
}

static void
test_field_lookup(void)
{
	char	*s;

	TAP_CHECK(opath_field_find(test_fields, "status") == &test_fields[3]);
	TAP_CHECK(opath_field_find(test_fields, "Stat") == NULL);
	s = opath_field_names(test_fields);
	TAP_STREQ(s, "Name, Count, Rate, Status, Size, Recipients, Identity");
	free(s);
}

static const struct tap_case cases[] = {
	{ "syntax errors", test_syntax_errors },
	{ "value and property errors", test_value_errors },
	{ "comparison operators", test_comparisons },
	{ "-like and -notlike, list properties", test_like },
	{ "-and, -or, -not and parentheses", test_logic },
	{ "quoting", test_quoting },
	{ "$null", test_null },
	{ "field lookup", test_field_lookup },
};

TAP_MAIN(cases)
