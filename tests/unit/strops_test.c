/*
 * strops_test.c - unit tests of the string operators (shell/strops.c):
 * -replace and -split with the .NET escapes made POSIX, their edge cases
 * (empty matches, empty pattern, a maximum number of pieces, collections
 * on the left), and -f's composite formatting, its widths, formats and
 * errors, including inputs a fuzzer would try (huge widths, unterminated
 * items, precisions past .NET's).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "tap.h"

/* The items of v joined by "|", or "ERROR id: message". */
static char *
show(struct value *v, const char *id, char *err)
{
	struct buf	 b;
	char		*s;
	size_t		 i;

	buf_init(&b);
	if (v == NULL) {
		buf_addf(&b, "ERROR %s: %s", id, err);
		free(err);
		return (buf_detach(&b));
	}
	buf_adds(&b, "");
	for (i = 0; i < value_count(v); i++) {
		s = value_to_string(value_item(v, i));
		buf_addf(&b, "%s%s", i > 0 ? "|" : "", s);
		free(s);
	}
	value_unref(v);
	return (buf_detach(&b));
}

static char *
replace(const char *s, const char *pat, const char *rep, bool cs)
{
	struct value	*l = value_string(s), *r, *v;
	const char	*id = NULL;
	char		*err = NULL;

	r = value_array();
	value_array_push(r, value_string(pat));
	if (rep != NULL)
		value_array_push(r, value_string(rep));
	v = strop_replace(l, r, cs, &id, &err);
	value_unref(l);
	value_unref(r);
	return (show(v, id, err));
}

static char *
split(const char *s, const char *pat, int64_t max)
{
	struct value	*l = value_string(s), *r = NULL, *v;
	const char	*id = NULL;
	char		*err = NULL;

	if (pat != NULL) {
		r = value_array();
		value_array_push(r, value_string(pat));
		if (max != 0)
			value_array_push(r, value_int(max));
	}
	v = strop_split(l, r, false, &id, &err);
	value_unref(l);
	if (r != NULL)
		value_unref(r);
	return (show(v, id, err));
}

/* fmt -f one argument. */
static char *
format1(const char *fmt, struct value *arg)
{
	struct value	*f = value_string(fmt), *v;
	const char	*id = NULL;
	char		*err = NULL;

	v = strop_format(f, arg, &id, &err);
	value_unref(f);
	value_unref(arg);
	return (show(v, id, err));
}

#define IS(expr, want) do {						\
	char *got_ = (expr);						\
	TAP_STREQ(got_, want);						\
	free(got_);							\
} while (0)

#define BADFORMAT	"ERROR FormatError: Error formatting a string: " \
    "Input string was not in a correct format.."
#define BADSPEC		"ERROR FormatError: Error formatting a string: " \
    "Format specifier was invalid.."

static void
test_replace(void)
{
	IS(replace("a.b.c", "\\.", "-", false), "a-b-c");
	IS(replace("Hello World", "(\\w+) (\\w+)", "$2 $1", false),
	    "World Hello");
	IS(replace("abc", "B", NULL, false), "ac");
	IS(replace("abc", "B", "x", true), "abc");
	IS(replace("abc", "", "-", false), "-a-b-c-");
	IS(replace("a1b22", "\\d+", "<$0>", false), "a<1>b<22>");
	IS(replace("a1b22", "[\\d]", "#", false), "a#b##");
	IS(replace("ab", "(a)", "${1}${1}$$", false), "aa$b");
	IS(replace("x", "(", "y", false), "ERROR InvalidRegularExpression: "
	    "The regular expression pattern ( is not valid: Unmatched ( or "
	    "\\(.");
}

static void
test_replace_forms(void)
{
	struct value	*l = value_array(), *r = value_array(), *v;
	const char	*id = NULL;
	char		*err = NULL;

	value_array_push(l, value_string("a1"));
	value_array_push(l, value_string("b2"));
	value_array_push(r, value_string("\\d"));
	v = strop_replace(l, value_item(r, 0), false, &id, &err);
	IS(show(v, id, err), "a|b");
	value_array_push(r, value_string("x"));
	value_array_push(r, value_string("y"));
	v = strop_replace(l, r, false, &id, &err);
	IS(show(v, id, err), "ERROR BadReplaceArgument: The -replace "
	    "operator allows only two elements to follow it, not 3.");
	value_unref(l);
	value_unref(r);
}

static void
test_split(void)
{
	IS(split("a,b,,c", ",", 0), "a|b||c");
	IS(split("a,b,c", ",", 2), "a|b,c");
	IS(split("a1b2c", "\\d", 0), "a|b|c");
	IS(split("a-b", "(-)", 0), "a|-|b");
	IS(split("  red  green ", NULL, 0), "red|green");
	IS(split("a\tb", "\\t", 0), "a|b");
	IS(split("abc", "", 0), "|a|b|c|");
	IS(split("abc", "", 3), "|a|bc");
	IS(split(",a,", ",", 0), "|a|");
	IS(split("", ",", 0), "");
}

static void
test_format(void)
{
	struct value	*a;

	IS(format1("{0,-8}|{0,6}|", value_string("x")), "x       |     x|");
	IS(format1("{0:N2}", value_double(1234.5)), "1,234.50");
	IS(format1("{0:N0}", value_int(-1234567)), "-1,234,567");
	IS(format1("{0:F1}", value_double(2.25)), "2.3");
	IS(format1("{0:D3}", value_int(-7)), "-007");
	IS(format1("{0:D}", value_int(INT64_MIN)), "-9223372036854775808");
	IS(format1("{0:X}{0:x4}", value_int(255)), "FF00ff");
	IS(format1("{0:P1}", value_double(0.125)), "12.5 %");
	IS(format1("{0:0.00}|{0:#.#}|{0:000}", value_double(3.14159)),
	    "3.14|3.1|003");
	IS(format1("{0:#,##0}", value_int(1234567)), "1,234,567");
	IS(format1("{0:#,##0.0 'MB'}|{0:~0~}", value_double(2048.25)),
	    "2,048.3 MB|~2048~");
	IS(format1("{{{0}}}", value_int(5)), "{5}");
	IS(format1("{0:G}", value_string("text")), "text");
	a = value_array();
	value_array_push(a, value_string("x"));
	value_array_push(a, value_int(3));
	IS(format1("{1} and {0}", a), "3 and x");
}

static void
test_format_errors(void)
{
	IS(format1("{1}", value_string("a")), "ERROR FormatError: Error "
	    "formatting a string: Index (zero based) must be greater than or "
	    "equal to zero and less than the size of the argument list..");
	IS(format1("{0", value_string("a")), BADFORMAT);
	IS(format1("}", value_string("a")), BADFORMAT);
	IS(format1("{x}", value_string("a")), BADFORMAT);
	IS(format1("{0,1000000}", value_string("a")), BADFORMAT);
	IS(format1("{0,-1000000}", value_string("a")), BADFORMAT);
	IS(format1("{0,}", value_string("a")), BADFORMAT);
	IS(format1("{0:N100}", value_int(1)), BADSPEC);
	IS(format1("{0:D2}", value_double(1.5)), BADSPEC);
	IS(format1("{0:0q0}", value_int(1)), BADFORMAT);
	IS(format1("{99999999999999999999}", value_int(1)),
	    "ERROR FormatError: Error formatting a string: Index (zero "
	    "based) must be greater than or equal to zero and less than the "
	    "size of the argument list..");
}

static const struct tap_case cases[] = {
	{ "-replace: escapes, groups, $ substitutions, empty matches",
	    test_replace },
	{ "-replace: a collection on the left, at most two operands",
	    test_replace_forms },
	{ "-split: empty pieces, maximum, captures, unary, empty pattern",
	    test_split },
	{ "-f: widths, standard and custom formats, argument order",
	    test_format },
	{ "-f: malformed items and what a fuzzer would try",
	    test_format_errors },
};

TAP_MAIN(cases)
