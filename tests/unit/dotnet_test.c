/*
 * dotnet_test.c - unit tests of the .NET types module (shell/dotnet*.c):
 * the table itself (every row named and reachable by its names, every
 * member callable, no member shadowed by another of its name and
 * arity), type names as written in scripts, conversions with their
 * PowerShell errors, members and their .NET errors, the number and
 * time span texts, and the named groups of strops.c that $Matches and
 * [regex]::Match read.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dotnet.h"
#include "tap.h"
#include "xmalloc.h"

#define S(x)	value_string(x)
#define I(x)	value_int(x)

/* The text of a result: its items joined by "|", or "ERROR id: msg". */
static char *
show(struct value *v, struct dn_error *err)
{
	struct buf	 b;
	char		*s;
	size_t		 i;

	buf_init(&b);
	buf_adds(&b, "");
	if (v == NULL) {
		buf_addf(&b, "ERROR %s: %s", err->id, err->message);
		dn_error_clear(err);
		return (buf_detach(&b));
	}
	for (i = 0; i < value_count(v); i++) {
		s = value_to_string(value_item(v, i));
		buf_addf(&b, "%s%s", i > 0 ? "|" : "", s);
		free(s);
	}
	value_unref(v);
	return (buf_detach(&b));
}

#define IS(expr, want) do {						\
	char *got_ = (expr);						\
	TAP_STREQ(got_, want);						\
	free(got_);							\
} while (0)

static char *
cast(const char *type, struct value *v)
{
	struct dn_error	 err;
	struct value	*r;

	memset(&err, 0, sizeof err);
	r = dotnet_cast(type, v, &err);
	value_unref(v);
	return (show(r, &err));
}

/*
 * obj.name(args) or, obj NULL, [type]::name(args): up to three
 * arguments (the first NULL ends them), all taken.
 */
static char *
invoke(struct value *obj, const char *type, const char *name,
    struct value *a0, struct value *a1, struct value *a2)
{
	struct value	*args[3] = { a0, a1, a2 }, *r;
	struct dn_error	 err;
	size_t		 n, i;

	for (n = 0; n < 3 && args[n] != NULL; n++)
		continue;
	for (i = n; i < 3; i++)
		value_unref(args[i]);
	memset(&err, 0, sizeof err);
	if (obj != NULL)
		r = dotnet_invoke(obj, name, args, n, &err);
	else
		r = dotnet_static(type, name, true, args, n, &err);
	for (i = 0; i < n; i++)
		value_unref(args[i]);
	value_unref(obj);
	return (show(r, &err));
}

#define call(obj, name, a0, a1, a2)	invoke(obj, NULL, name, a0, a1, a2)
#define scall(type, name, a0, a1, a2)	invoke(NULL, type, name, a0, a1, a2)

/* [Text.Encoding]::UTF8.GetBytes(s). */
static struct value *
utf8(const char *s)
{
	struct value	*enc, *arg, *r;

	enc = dotnet_static("Text.Encoding", "UTF8", false, NULL, 0, NULL);
	arg = S(s);
	r = dotnet_invoke(enc, "GetBytes", &arg, 1, NULL);
	value_unref(arg);
	value_unref(enc);
	return (r);
}

/* [type]::name(a0), the value itself. */
static struct value *
scall_value(const char *type, const char *name, struct value *a0)
{
	struct value	*r;

	r = dotnet_static(type, name, true, &a0, 1, NULL);
	value_unref(a0);
	return (r);
}

static char *
prop(struct value *obj, const char *name)
{
	char	*s;
	struct value *v;

	v = dotnet_member(obj, name);
	s = show(v, NULL);
	value_unref(obj);
	return (s);
}

/* Every row: a full name, reachable by it, by its accelerators, and
 * without "System."; its members well formed. */
static void
test_table(void)
{
	const struct dn_type	*t;
	const struct dn_member	*lists[2], *m;
	const char		*const *a;
	struct dn_tref		 r;
	size_t			 i, k, rows = 0, members = 0;

	for (i = 0; i < DN_NTYPES; i++) {
		t = &dn_types[i];
		TAP_CHECK(t->name != NULL && strchr(t->name, '.') != NULL);
		if (i == DN_ARRAYOF)
			continue;
		rows++;
		TAP_CHECK(dn_resolve(t->name, &r) && r.type == t);
		if (strncmp(t->name, "System.", 7) == 0)
			TAP_CHECK(dn_resolve(t->name + 7, &r) && r.type == t);
		for (a = t->aliases; a != NULL && *a != NULL; a++) {
			TAP_CHECK(dn_resolve(*a, &r));
			TAP_CHECK(r.type == t || strcmp(r.type->name,
			    t->name) == 0);
		}
		TAP_CHECK(t->base < DN_NTYPES);
		lists[0] = t->statics;
		lists[1] = t->members;
		for (k = 0; k < 2; k++) {
			for (m = lists[k]; m != NULL && m->name != NULL; m++) {
				members++;
				TAP_CHECK(m->fn != NULL);
				TAP_CHECK(m->flags == DM_METHOD || (m->min ==
				    0 && m->max == 0));
				TAP_CHECK(m->max < 0 || m->min <= m->max);
			}
		}
	}
	printf("# %zu types, %zu members\n", rows, members);
	TAP_CHECK(rows > 40 && members > 250);
}

/* Two rows of one name and kind must not both take a count. */
static void
test_no_shadowing(void)
{
	const struct dn_type	*t;
	const struct dn_member	*lists[2], *a, *b;
	size_t			 i, k;
	int			 lo, hi;

	for (i = 0; i < DN_NTYPES; i++) {
		t = &dn_types[i];
		lists[0] = t->statics;
		lists[1] = t->members;
		for (k = 0; k < 2; k++) {
			for (a = lists[k]; a != NULL && a->name != NULL; a++) {
				for (b = a + 1; b->name != NULL; b++) {
					if (strcasecmp(a->name, b->name) != 0 ||
					    a->flags != b->flags)
						continue;
					lo = a->min > b->min ? a->min : b->min;
					hi = a->max < 0 ? b->max : b->max < 0 ?
					    a->max : a->max < b->max ? a->max :
					    b->max;
					if (hi >= 0 && lo > hi)
						continue;
					printf("# %s.%s shadowed\n", t->name,
					    a->name);
					TAP_CHECK(false);
				}
			}
		}
	}
}

static void
test_names(void)
{
	struct dn_tref	r;

	TAP_CHECK(dn_resolve("int", &r) && r.type == DN(INT32));
	TAP_CHECK(dn_resolve(" String ", &r) && r.type == DN(STRING));
	TAP_CHECK(dn_resolve("IO.Path", &r) && r.type == DN(PATH));
	TAP_CHECK(dn_resolve("Collections.ArrayList", &r) &&
	    r.type == DN(ARRAYLIST));
	TAP_CHECK(dn_resolve("int[]", &r) && r.type == DN(ARRAYOF) &&
	    r.elem == DN(INT32));
	TAP_CHECK(dn_resolve("System.Collections.Generic.List[string]", &r) &&
	    r.type == DN(LIST) && r.elem == DN(STRING));
	TAP_CHECK(dn_resolve(dn_fullname(&r), &r) && r.type == DN(LIST) &&
	    r.elem == DN(STRING));
	TAP_STREQ(dn_fullname(&r), "System.Collections.Generic.List`1[["
	    "System.String, mscorlib, Version=4.0.0.0, Culture=neutral, "
	    "PublicKeyToken=b77a5c561934e089]]");
	TAP_CHECK(!dn_resolve("Foo", &r));
	TAP_CHECK(!dn_resolve("string[", &r));
	TAP_CHECK(!dn_resolve("int[string]", &r));
	TAP_CHECK(!dn_resolve("int[][]", &r));
	TAP_CHECK(!dn_resolve("", &r));
	IS(cast("decimal", value_double(1.5)), "1.5");
	IS(prop(dotnet_type_value("System.String[]", NULL), "Name"),
	    "String[]");
	IS(prop(dotnet_type_value("hashtable", NULL), "FullName"),
	    "System.Collections.Hashtable");
	IS(prop(dotnet_type_value("int", NULL), "BaseType"),
	    "System.ValueType");
}

static void
test_convert(void)
{
	IS(cast("int", S("42")), "42");
	IS(cast("int", value_double(2.5)), "2");
	IS(cast("int", value_double(3.5)), "4");
	IS(cast("int", value_double(-2.5)), "-2");
	IS(cast("int", S(" 0x10 ")), "16");
	IS(cast("int", S("")), "0");
	IS(cast("int", value_null()), "0");
	IS(cast("int", S("abc")), "ERROR InvalidCastFromStringToInteger: "
	    "Cannot convert value \"abc\" to type \"System.Int32\". Error: "
	    "\"Input string was not in a correct format.\"");
	IS(cast("int", S("3000000000")), "ERROR "
	    "InvalidCastFromStringToInteger: Cannot convert value "
	    "\"3000000000\" to type \"System.Int32\". Error: \"Value was "
	    "either too large or too small for an Int32.\"");
	IS(cast("long", S("3000000000")), "3000000000");
	IS(cast("byte", I(256)), "ERROR InvalidCastIConvertible: Cannot "
	    "convert value \"256\" to type \"System.Byte\". Error: \"Value "
	    "was either too large or too small for an unsigned byte.\"");
	IS(cast("int", value_hash()), "ERROR "
	    "ConvertToFinalInvalidCastException: Cannot convert the "
	    "\"System.Collections.Hashtable\" value of type "
	    "\"System.Collections.Hashtable\" to type \"System.Int32\".");
	IS(cast("bool", S("false")), "True");
	IS(cast("char", I(65)), "A");
	IS(cast("char", S("ab")), "ERROR InvalidCastParseTargetInvocation: "
	    "Cannot convert value \"ab\" to type \"System.Char\". Error: "
	    "\"String must be exactly one character long.\"");
	IS(cast("timespan", S("1.02:03:04.5")), "1.02:03:04.5000000");
	IS(cast("timespan", S("25:00")), "ERROR "
	    "InvalidCastParseTargetInvocation: Cannot convert value \"25:00\" "
	    "to type \"System.TimeSpan\". Error: \"The TimeSpan could not be "
	    "parsed because at least one of the numeric components is out of "
	    "range or contains too many digits.\"");
	IS(cast("timespan", S("5")), "5.00:00:00");
	IS(cast("guid", S("{0F8FAD5B-D9CB-469F-A165-70867728950E}")),
	    "0f8fad5b-d9cb-469f-a165-70867728950e");
	IS(cast("guid", S("x")), "ERROR InvalidCastParseTargetInvocation: "
	    "Cannot convert value \"x\" to type \"System.Guid\". Error: \"Guid "
	    "should contain 32 digits with 4 dashes "
	    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).\"");
	IS(cast("datetime", S("nonsense")), "ERROR "
	    "InvalidCastParseTargetInvocation: Cannot convert value "
	    "\"nonsense\" to type \"System.DateTime\". Error: \"String was not "
	    "recognized as a valid DateTime.\"");
	IS(cast("Foo", S("x")), "ERROR TypeNotFound: Unable to find type "
	    "[Foo].");
}

/* Dates: the forms a cast reads, in local time, and back as text. */
static void
test_dates(void)
{
	static const char *const same[] = {
		"2024-01-15 10:30", "2024-01-15T10:30:00", "01/15/2024 10:30",
		"1/15/2024 10:30 AM", "January 15, 2024 10:30",
		"Jan 15 2024 10:30:00", "15 January 2024 10:30",
		"Monday, January 15, 2024 10:30:00 AM", "2024/01/15 10:30",
		NULL
	};
	struct value	*d, *text;
	size_t		 i;
	char		*s;

	for (i = 0; same[i] != NULL; i++) {
		s = cast("datetime", S(same[i]));
		if (s == NULL || strcmp(s, "01/15/2024 10:30:00") != 0)
			printf("# %s: %s\n", same[i], s != NULL ? s : "(null)");
		TAP_STREQ(s, "01/15/2024 10:30:00");
		free(s);
	}
	IS(cast("datetime", S("2024-02-30")), "ERROR "
	    "InvalidCastParseTargetInvocation: Cannot convert value "
	    "\"2024-02-30\" to type \"System.DateTime\". Error: \"String was "
	    "not recognized as a valid DateTime.\"");
	text = S("2024-01-31 23:59:59.5");
	d = dotnet_cast("datetime", text, NULL);
	value_unref(text);
	TAP_CHECK(d != NULL);
	IS(call(value_ref(d), "AddMonths", I(1), NULL, NULL),
	    "02/29/2024 23:59:59");
	IS(call(value_ref(d), "ToString", S("yyyy-MM-dd HH:mm:ss.fff"), NULL,
	    NULL), "2024-01-31 23:59:59.500");
	IS(call(value_ref(d), "ToString", NULL, NULL, NULL),
	    "1/31/2024 11:59:59 PM");
	IS(prop(value_ref(d), "DayOfWeek"), "Wednesday");
	IS(prop(value_ref(d), "Millisecond"), "500");
	IS(call(value_ref(d), "AddYears", I(20000), NULL, NULL), "ERROR "
	    "ArgumentOutOfRangeException: Exception calling \"AddYears\" with "
	    "\"1\" argument(s): \"Years value must be between +/-10000.\n"
	    "Parameter name: years\"");
	IS(scall("datetime", "ParseExact", S("15.01.2024"), S("dd.MM.yyyy"),
	    value_null()), "01/15/2024 00:00:00");
	IS(scall("datetime", "ParseExact", S("2024-01-15"), S("dd.MM.yyyy"),
	    value_null()), "ERROR FormatException: Exception calling "
	    "\"ParseExact\" with \"3\" argument(s): \"String was not "
	    "recognized as a valid DateTime.\"");
	value_unref(d);
}

static void
test_members(void)
{
	IS(prop(S("h\xc3\xa9llo \xf0\x9f\x98\x80"), "Length"), "8");
	IS(call(S("abc"), "Substring", I(1), NULL, NULL), "bc");
	IS(call(S("abc"), "Substring", I(4), NULL, NULL), "ERROR "
	    "ArgumentOutOfRangeException: Exception calling \"Substring\" with "
	    "\"1\" argument(s): \"startIndex cannot be larger than length of "
	    "string.\nParameter name: startIndex\"");
	IS(call(S("abc"), "substring", I(1), I(2), I(3)), "ERROR "
	    "MethodCountCouldNotFindBest: Cannot find an overload for "
	    "\"Substring\" and the argument count: \"3\".");
	IS(call(S("abc"), "Foo", NULL, NULL, NULL), "ERROR MethodNotFound: "
	    "Method invocation failed because [System.String] does not "
	    "contain a method named 'Foo'.");
	IS(call(value_null(), "Foo", NULL, NULL, NULL), "ERROR "
	    "InvokeMethodOnNull: You cannot call a method on a null-valued "
	    "expression.");
	IS(call(S("abc"), "Substring", S("x"), NULL, NULL), "ERROR "
	    "MethodArgumentConversionInvalidCastArgument: Cannot convert "
	    "argument \"startIndex\", with value: \"x\", for \"Substring\" to "
	    "type \"System.Int32\": \"Cannot convert value \"x\" to type "
	    "\"System.Int32\". Error: \"Input string was not in a correct "
	    "format.\"\"");
	IS(call(S("a--b,c"), "Split", S("-,"), NULL, NULL), "a||b|c");
	IS(call(S("a,,b"), "Split", S(","), S("RemoveEmptyEntries"), NULL),
	    "a|b");
	IS(call(S("a,b,c"), "Split", S(","), I(2), NULL), "a|b,c");
	IS(call(S("Hello"), "Contains", S("hello"), NULL, NULL), "False");
	IS(call(S("Hello"), "StartsWith", S("hE"), S("OrdinalIgnoreCase"),
	    NULL), "True");
	IS(call(S("\xc3\xa9t\xc3\xa9"), "ToUpper", NULL, NULL, NULL),
	    "\xc3\x89T\xc3\x89");
	IS(call(S("xxaxx"), "Trim", S("x"), NULL, NULL), "a");
	IS(call(S("a.b.c"), "LastIndexOf", S("."), NULL, NULL), "3");
	IS(call(S("7"), "PadLeft", I(3), S("0"), NULL), "007");
	IS(call(S("abc"), "GetType", NULL, NULL, NULL), "System.String");
	IS(call(I(5), "ToString", S("D3"), NULL, NULL), "005");
	IS(call(value_double(1234.5), "ToString", S("N1"), NULL, NULL),
	    "1,234.5");
}

static void
test_collections(void)
{
	struct value	*h, *l;

	h = value_hash();
	value_hash_set(h, S("k"), I(1));
	IS(call(value_ref(h), "Add", S("K"), I(2), NULL), "ERROR "
	    "ArgumentException: Exception calling \"Add\" with \"2\" "
	    "argument(s): \"Item has already been added. Key in dictionary: "
	    "'k'  Key being added: 'K'\"");
	IS(call(value_ref(h), "Add", S("j"), I(2), NULL), "");
	IS(prop(value_ref(h), "Count"), "2");
	IS(call(value_ref(h), "Remove", S("K"), NULL, NULL), "");
	IS(prop(value_ref(h), "Keys"), "j");
	value_unref(h);

	l = dotnet_new("System.Collections.ArrayList", NULL, 0, NULL);
	IS(call(value_ref(l), "Add", S("a"), NULL, NULL), "0");
	IS(call(value_ref(l), "Add", S("b"), NULL, NULL), "1");
	IS(call(value_ref(l), "RemoveAt", I(5), NULL, NULL), "ERROR "
	    "ArgumentOutOfRangeException: Exception calling \"RemoveAt\" with "
	    "\"1\" argument(s): \"Index was out of range. Must be "
	    "non-negative and less than the size of the collection.\n"
	    "Parameter name: index\"");
	IS(show(value_ref(l), NULL), "a|b");
	value_unref(l);

	l = dotnet_new("System.Collections.Generic.List[int]", NULL, 0,
	    NULL);
	IS(call(value_ref(l), "Add", S("5"), NULL, NULL), "");
	IS(call(value_ref(l), "Add", S("x"), NULL, NULL), "ERROR "
	    "MethodArgumentConversionInvalidCastArgument: Cannot convert "
	    "argument \"item\", with value: \"x\", for \"Add\" to type "
	    "\"System.Int32\": \"Cannot convert value \"x\" to type "
	    "\"System.Int32\". Error: \"Input string was not in a correct "
	    "format.\"\"");
	IS(call(value_ref(l), "Remove", I(5), NULL, NULL), "True");
	IS(prop(value_ref(l), "Count"), "0");
	IS(call(value_ref(l), "GetType", NULL, NULL, NULL),
	    "System.Collections.Generic.List`1[[System.Int32, mscorlib, "
	    "Version=4.0.0.0, Culture=neutral, "
	    "PublicKeyToken=b77a5c561934e089]]");
	value_unref(l);
	IS(cast("int[]", S("7")), "7");
	IS(cast("string[]", value_null()), "");
}

static void
test_statics(void)
{
	IS(scall("math", "Round", value_double(2.5), NULL, NULL), "2");
	IS(scall("math", "Round", value_double(3.5), NULL, NULL), "4");
	/* .NET's own example: 2.135 is a little less in binary. */
	IS(scall("math", "Round", value_double(2.135), I(2), NULL), "2.13");
	IS(scall("math", "Round", value_double(2.567), I(2), NULL), "2.57");
	IS(scall("math", "Round", value_double(2.5), S("AwayFromZero"), NULL),
	    "3");
	IS(scall("math", "Round", value_double(1), I(16), NULL), "ERROR "
	    "ArgumentOutOfRangeException: Exception calling \"Round\" with "
	    "\"2\" argument(s): \"Rounding digits must be between 0 and 15, "
	    "inclusive.\nParameter name: digits\"");
	IS(scall("math", "Max", I(3), I(7), NULL), "7");
	IS(scall("math", "Pow", I(2), value_double(0.5), NULL),
	    "1.4142135623731");
	IS(scall("string", "Join", S(","), S("a"), S("b")), "a,b");
	IS(scall("string", "Format", S("{0}{1}"), S("a"), NULL), "ERROR "
	    "FormatException: Exception calling \"Format\" with \"2\" "
	    "argument(s): \"Index (zero based) must be greater than or equal "
	    "to zero and less than the size of the argument list.\"");
	IS(scall("regex", "Escape", S("a.b (c)"), NULL, NULL),
	    "a\\.b\\ \\(c\\)");
	IS(scall("IO.Path", "Combine", S("/a/"), S("b"), S("c.txt")),
	    "/a/b/c.txt");
	IS(scall("IO.Path", "Combine", S("/a"), S("/b"), NULL), "/b");
	IS(scall("IO.Path", "GetExtension", S("/x/y.tar.gz"), NULL, NULL),
	    ".gz");
	IS(scall("IO.Path", "GetDirectoryName", S("/y.txt"), NULL, NULL),
	    "/");
	IS(scall("convert", "ToBase64String", utf8("hubsh"), NULL, NULL),
	    "aHVic2g=");
	IS(scall("convert", "ToBase64String", S("x"), NULL, NULL), "ERROR "
	    "MethodArgumentConversionInvalidCastArgument: Cannot convert "
	    "argument \"bytes\", with value: \"System.String\", for "
	    "\"ToBase64String\" to type \"System.Byte[]\".");
	IS(call(dotnet_static("Text.Encoding", "UTF8", false, NULL, 0, NULL),
	    "GetString", scall_value("convert", "FromBase64String",
	    S("aHVic2g=")), NULL, NULL), "hubsh");
	IS(scall("convert", "ToInt32", S("ff"), I(16), NULL), "255");
	IS(scall("convert", "ToInt32", S("1.5"), NULL, NULL), "ERROR "
	    "FormatException: Exception calling \"ToInt32\" with \"1\" "
	    "argument(s): \"Input string was not in a correct format.\"");
	IS(scall("int", "Parse", S("12"), NULL, NULL), "12");
	IS(scall("timespan", "FromSeconds", value_double(1.23456), NULL,
	    NULL), "00:00:01.2350000");
	IS(scall("guid", "Parse", S("0f8fad5bd9cb469fa16570867728950e"),
	    NULL, NULL), "0f8fad5b-d9cb-469f-a165-70867728950e");
	IS(scall("math", "Foo", NULL, NULL, NULL), "ERROR MethodNotFound: "
	    "Method invocation failed because [System.Math] does not contain "
	    "a method named 'Foo'.");
}

static char *
typeop(enum op op, struct value *v, struct value *t)
{
	struct dn_error	 err;
	struct value	*r;

	memset(&err, 0, sizeof err);
	r = dotnet_typeop(op, v, t, &err);
	value_unref(v);
	value_unref(t);
	return (show(r, &err));
}

static void
test_typeops(void)
{
	IS(typeop(OP_IS, S("x"), S("string")), "True");
	IS(typeop(OP_ISNOT, S("x"), S("System.String")), "False");
	IS(typeop(OP_IS, value_hash(), dotnet_type_value("array", NULL)),
	    "False");
	IS(typeop(OP_IS, value_array(), dotnet_type_value("array", NULL)),
	    "True");
	IS(typeop(OP_IS, I(5), S("long")), "False");
	IS(typeop(OP_IS, I(5), S("ValueType")), "True");
	IS(typeop(OP_IS, value_null(), S("object")), "False");
	IS(typeop(OP_AS, S("x"), S("int")), "");
	IS(typeop(OP_AS, S("12"), S("int")), "12");
	IS(typeop(OP_IS, S("x"), S("Foo")), "ERROR InvalidCastFromStringToType: "
	    "Cannot convert the \"Foo\" value of type \"System.String\" to "
	    "type \"System.Type\".");
}

/* [datetime]s. */
static struct value *
date(const char *s)
{
	struct value	*text, *d;

	text = S(s);
	d = dotnet_cast("datetime", text, NULL);
	value_unref(text);
	return (d);
}

static char *
arith(enum op op, struct value *l, struct value *r)
{
	struct dn_error	 err;
	struct value	*v;

	memset(&err, 0, sizeof err);
	v = dotnet_arith(op, l, r, &err);
	value_unref(l);
	value_unref(r);
	if (v == NULL && err.id == NULL)
		return (xstrdup("not mine"));
	return (show(v, &err));
}

/* Dates and time spans under + and -, and past their range. */
static void
test_arith(void)
{
	IS(arith(OP_MINUS, date("2012-07-09 10:00"), date("2012-07-08 09:30")),
	    "1.00:30:00");
	IS(arith(OP_PLUS, value_timespan(10), S("00:00:01")),
	    "00:00:01.0000010");
	IS(arith(OP_PLUS, value_timespan(INT64_MAX), value_timespan(1)),
	    "ERROR OverflowException: Exception calling \"op_Addition\" with "
	    "\"2\" argument(s): \"TimeSpan overflowed because the duration is "
	    "too long.\"");
	IS(arith(OP_PLUS, dotnet_static("datetime", "MaxValue", false, NULL,
	    0, NULL), S("1.00:00:00")), "ERROR ArgumentOutOfRangeException: "
	    "Exception calling \"op_Addition\" with \"2\" argument(s): \"The "
	    "added or subtracted value results in an un-representable "
	    "DateTime.\nParameter name: t\"");
	IS(arith(OP_MUL, value_timespan(1), I(2)), "not mine");
	IS(arith(OP_PLUS, I(1), I(2)), "not mine");
}

static void
test_texts(void)
{
	IS(dotnet_double_text(M_PI), "3.14159265358979");
	IS(dotnet_double_text(0.1 + 0.2), "0.3");
	IS(dotnet_double_text(1e15), "1E+15");
	IS(dotnet_double_text(123456789012345.0), "123456789012345");
	IS(dotnet_double_text(0.00001), "1E-05");
	IS(dotnet_double_text(-0.0), "0");
	IS(dotnet_timespan_text(0), "00:00:00");
	IS(dotnet_timespan_text(-10000), "-00:00:00.0010000");
	IS(dotnet_timespan_text(937845000000LL), "1.02:03:04.5000000");
	IS(dotnet_timespan_format(937845000000LL, "hh\\:mm"), "02:03");
	IS(dotnet_timespan_format(937845000000LL, "g"), "1:2:03:04.5");
	TAP_CHECK(dotnet_timespan_format(0, "hh:mm") == NULL);
	TAP_CHECK(dn_fold('a', true) == 'A' && dn_fold(0x3c3, true) == 0x3a3 &&
	    dn_fold(0x101, true) == 0x100 && dn_fold(0x100, false) == 0x101 &&
	    dn_fold(0x44f, true) == 0x42f && dn_fold('1', true) == '1');
}

/* Named groups: .NET's numbering, $Matches's keys and order. */
static void
test_groups(void)
{
	struct strop_re	 re;
	struct value	*h = NULL;
	const char	*id;
	char		*err;
	size_t		 i;
	struct buf	 b;

	TAP_CHECK(strop_re_compile(&re, "(?<user>[^@]+)@(x)(?:y)?(z)?",
	    false, &id, &err) == 0);
	TAP_CHECK(re.ngroups == 4 && re.nnet == 4);
	TAP_STREQ(re.names[0], "user");
	TAP_CHECK(re.number[0] == 3 && re.number[1] == 1 &&
	    re.number[2] == -1 && re.number[3] == 2);
	strop_re_free(&re);
	TAP_CHECK(strop_match("bob@xq", "(?<user>[^@]+)@(x)(?:y)?(z)?",
	    false, &h, &id, &err) == 1);
	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; h != NULL && i < h->u.hash.n; i++) {
		char *k = value_to_string(h->u.hash.e[i].key);
		char *v = value_to_string(h->u.hash.e[i].val);

		buf_addf(&b, "%s=%s;", k, v);
		free(k);
		free(v);
	}
	TAP_STREQ(b.s, "user=bob;1=x;0=bob@x;");
	buf_free(&b);
	value_unref(h);
	TAP_CHECK(strop_match("a", "(", false, &h, &id, &err) == -1);
	TAP_STREQ(id, "InvalidRegularExpression");
	free(err);
}

static const struct tap_case cases[] = {
	{ "table: every type named, reachable, members well formed",
	    test_table },
	{ "table: no member row hides another", test_no_shadowing },
	{ "type names: accelerators, namespaces, T[], List[T]", test_names },
	{ "conversions and their PowerShell errors", test_convert },
	{ "DateTime: the forms a cast reads, members, ParseExact",
	    test_dates },
	{ "String members and .NET's exceptions", test_members },
	{ "Hashtable, ArrayList, List[T]", test_collections },
	{ "statics: Math, String, Regex, IO.Path, Convert, TimeSpan, Guid",
	    test_statics },
	{ "-is, -as", test_typeops },
	{ "+ and - of dates and time spans", test_arith },
	{ "double and TimeSpan text, case mapping", test_texts },
	{ "named groups and $Matches", test_groups },
};

TAP_MAIN(cases)
