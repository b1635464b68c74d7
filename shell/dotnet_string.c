/*
 * dotnet_string.c - System.String and System.Char, the regular
 * expressions (Regex, its Match, Group and Capture objects), the text
 * encodings and System.Convert.
 *
 * Positions and lengths are .NET's: UTF-16 code units, so a character
 * outside the BMP counts two.  Comparisons are ordinal (Contains,
 * StartsWith, IndexOf, Replace: case counts) unless a StringComparison
 * says IgnoreCase; case mapping is the invariant culture's for Latin,
 * Greek and Cyrillic letters (dn_fold).  Strings are .NET Framework's:
 * Split takes characters, not strings, unless given a string[] and
 * options, as Windows PowerShell 5.1 calls it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dotnet.h"
#include "xmalloc.h"

/* A set of characters (Split, Trim, IndexOfAny): code points. */
struct dn_chars {
	uint32_t	*c;
	size_t		 n;
};

static void		 dn_chars_add(struct dn_chars *, const char *);
static bool		 dn_chars_has(const struct dn_chars *, uint32_t);
static bool		 dn_ignore_case(struct value *);
static char		*dn_case(const char *, bool);
static struct value	*dn_str_array(void);
static int		 dn_find(const char *, const char *, size_t, bool,
			    bool);
static struct value	*dn_split_chars(const char *, struct dn_chars *,
			    int64_t, bool);
static struct value	*dn_split_strings(const char *, struct value *,
			    int64_t, bool);
static struct value	*dn_trim(struct dn_call *, bool, bool);
static struct value	*dn_pad(struct dn_call *, bool);
static struct value	*dn_index_of(struct dn_call *, bool);
static struct value	*dn_starts(struct dn_call *, bool);
static struct value	*dn_re_compile(struct dn_call *, struct strop_re *,
			    struct value *, struct value *);
static struct value	*dn_re_object(const char *, struct value *);
static struct value	*dn_re_match(struct dn_call *, size_t, bool);
static struct value	*dn_re_apply(struct dn_call *, size_t, int);
static struct value	*dn_match_object(const char *, struct strop_re *,
			    const regmatch_t *);
static struct value	*dn_group_object(const char *, const char *,
			    const regmatch_t *, enum dn_id);
static struct value	*dn_capture_object(const char *, const regmatch_t *);
static struct value	*dn_collection(enum dn_id);
static struct value	*dn_bytes(struct dn_call *, size_t, struct buf *);

static struct value	*str_length(struct dn_call *);
static struct value	*str_substring(struct dn_call *);
static struct value	*str_split(struct dn_call *);
static struct value	*str_trim(struct dn_call *);
static struct value	*str_trimstart(struct dn_call *);
static struct value	*str_trimend(struct dn_call *);
static struct value	*str_replace(struct dn_call *);
static struct value	*str_lower(struct dn_call *);
static struct value	*str_upper(struct dn_call *);
static struct value	*str_startswith(struct dn_call *);
static struct value	*str_endswith(struct dn_call *);
static struct value	*str_contains(struct dn_call *);
static struct value	*str_indexof(struct dn_call *);
static struct value	*str_lastindexof(struct dn_call *);
static struct value	*str_indexofany(struct dn_call *);
static struct value	*str_padleft(struct dn_call *);
static struct value	*str_padright(struct dn_call *);
static struct value	*str_insert(struct dn_call *);
static struct value	*str_remove(struct dn_call *);
static struct value	*str_equals(struct dn_call *);
static struct value	*str_compareto(struct dn_call *);
static struct value	*str_tochararray(struct dn_call *);
static struct value	*str_tostring(struct dn_call *);
static struct value	*str_s_join(struct dn_call *);
static struct value	*str_s_isnullorempty(struct dn_call *);
static struct value	*str_s_isnullorwhitespace(struct dn_call *);
static struct value	*str_s_format(struct dn_call *);
static struct value	*str_s_empty(struct dn_call *);
static struct value	*str_s_concat(struct dn_call *);
static struct value	*str_s_compare(struct dn_call *);
static struct value	*str_s_equals(struct dn_call *);
static struct value	*str_s_new(struct dn_call *);
static struct value	*chr_s_test(struct dn_call *);
static struct value	*chr_s_case(struct dn_call *);
static struct value	*re_s_match(struct dn_call *);
static struct value	*re_s_matches(struct dn_call *);
static struct value	*re_s_ismatch(struct dn_call *);
static struct value	*re_s_replace(struct dn_call *);
static struct value	*re_s_split(struct dn_call *);
static struct value	*re_s_escape(struct dn_call *);
static struct value	*re_s_unescape(struct dn_call *);
static struct value	*re_s_new(struct dn_call *);
static struct value	*re_match(struct dn_call *);
static struct value	*re_matches(struct dn_call *);
static struct value	*re_ismatch(struct dn_call *);
static struct value	*re_replace(struct dn_call *);
static struct value	*re_split(struct dn_call *);
static struct value	*enc_s_get(struct dn_call *);
static struct value	*enc_getbytes(struct dn_call *);
static struct value	*enc_getstring(struct dn_call *);
static struct value	*cv_s_tobase64(struct dn_call *);
static struct value	*cv_s_frombase64(struct dn_call *);
static struct value	*cv_s_toint(struct dn_call *);
static struct value	*cv_s_todouble(struct dn_call *);
static struct value	*cv_s_tostring(struct dn_call *);
static struct value	*cv_s_tobool(struct dn_call *);
static struct value	*enum_value(struct dn_call *);

const struct dn_member dn_string_members[] = {
	DN_PROP("Length", str_length),
	DN_METHOD("Substring", 1, 2, str_substring),
	DN_METHOD("Split", 0, -1, str_split),
	DN_METHOD("Trim", 0, -1, str_trim),
	DN_METHOD("TrimStart", 0, -1, str_trimstart),
	DN_METHOD("TrimEnd", 0, -1, str_trimend),
	DN_METHOD("Replace", 2, 2, str_replace),
	DN_METHOD("ToLower", 0, 1, str_lower),
	DN_METHOD("ToLowerInvariant", 0, 0, str_lower),
	DN_METHOD("ToUpper", 0, 1, str_upper),
	DN_METHOD("ToUpperInvariant", 0, 0, str_upper),
	DN_METHOD("StartsWith", 1, 3, str_startswith),
	DN_METHOD("EndsWith", 1, 3, str_endswith),
	DN_METHOD("Contains", 1, 1, str_contains),
	DN_METHOD("IndexOf", 1, 3, str_indexof),
	DN_METHOD("LastIndexOf", 1, 3, str_lastindexof),
	DN_METHOD("IndexOfAny", 1, 1, str_indexofany),
	DN_METHOD("PadLeft", 1, 2, str_padleft),
	DN_METHOD("PadRight", 1, 2, str_padright),
	DN_METHOD("Insert", 2, 2, str_insert),
	DN_METHOD("Remove", 1, 2, str_remove),
	DN_METHOD("Equals", 1, 2, str_equals),
	DN_METHOD("CompareTo", 1, 1, str_compareto),
	DN_METHOD("ToCharArray", 0, 0, str_tochararray),
	DN_METHOD("ToCharArray", 2, 2, str_tochararray),
	DN_METHOD("ToString", 0, 1, str_tostring),
	DN_END
};

const struct dn_member dn_string_statics[] = {
	DN_PROP("Empty", str_s_empty),
	DN_METHOD("Join", 2, -1, str_s_join),
	DN_METHOD("IsNullOrEmpty", 1, 1, str_s_isnullorempty),
	DN_METHOD("IsNullOrWhiteSpace", 1, 1, str_s_isnullorwhitespace),
	DN_METHOD("Format", 1, -1, str_s_format),
	DN_METHOD("Concat", 0, -1, str_s_concat),
	DN_METHOD("Compare", 2, 3, str_s_compare),
	DN_METHOD("Equals", 2, 3, str_s_equals),
	DN_METHOD("new", 1, 2, str_s_new),
	DN_END
};

const struct dn_member dn_char_statics[] = {
	DN_METHOD("IsDigit", 1, 2, chr_s_test),
	DN_METHOD("IsLetter", 1, 2, chr_s_test),
	DN_METHOD("IsLetterOrDigit", 1, 2, chr_s_test),
	DN_METHOD("IsWhiteSpace", 1, 2, chr_s_test),
	DN_METHOD("IsUpper", 1, 2, chr_s_test),
	DN_METHOD("IsLower", 1, 2, chr_s_test),
	DN_METHOD("ToUpper", 1, 1, chr_s_case),
	DN_METHOD("ToLower", 1, 1, chr_s_case),
	DN_END
};

const struct dn_member dn_regex_statics[] = {
	DN_METHOD("Match", 2, 3, re_s_match),
	DN_METHOD("Matches", 2, 3, re_s_matches),
	DN_METHOD("IsMatch", 2, 3, re_s_ismatch),
	DN_METHOD("Replace", 3, 4, re_s_replace),
	DN_METHOD("Split", 2, 3, re_s_split),
	DN_METHOD("Escape", 1, 1, re_s_escape),
	DN_METHOD("Unescape", 1, 1, re_s_unescape),
	DN_METHOD("new", 1, 2, re_s_new),
	DN_END
};

const struct dn_member dn_regex_members[] = {
	DN_METHOD("Match", 1, 2, re_match),
	DN_METHOD("Matches", 1, 1, re_matches),
	DN_METHOD("IsMatch", 1, 1, re_ismatch),
	DN_METHOD("Replace", 2, 2, re_replace),
	DN_METHOD("Split", 1, 1, re_split),
	DN_END
};

const struct dn_member dn_encoding_statics[] = {
	DN_PROP("UTF8", enc_s_get),
	DN_PROP("ASCII", enc_s_get),
	DN_PROP("Unicode", enc_s_get),
	DN_PROP("Default", enc_s_get),
	DN_END
};

const struct dn_member dn_encoding_members[] = {
	DN_METHOD("GetBytes", 1, 1, enc_getbytes),
	DN_METHOD("GetString", 1, 1, enc_getstring),
	DN_END
};

const struct dn_member dn_convert_statics[] = {
	DN_METHOD("ToBase64String", 1, 1, cv_s_tobase64),
	DN_METHOD("FromBase64String", 1, 1, cv_s_frombase64),
	DN_METHOD("ToInt32", 1, 2, cv_s_toint),
	DN_METHOD("ToInt64", 1, 2, cv_s_toint),
	DN_METHOD("ToDouble", 1, 1, cv_s_todouble),
	DN_METHOD("ToString", 1, 2, cv_s_tostring),
	DN_METHOD("ToBoolean", 1, 1, cv_s_tobool),
	DN_END
};

/* Enumerations whose values scripts pass to the methods above. */
const struct dn_member dn_splitopt_statics[] = {
	DN_PROP("None", enum_value),
	DN_PROP("RemoveEmptyEntries", enum_value),
	DN_END
};

const struct dn_member dn_regexopt_statics[] = {
	DN_PROP("None", enum_value),
	DN_PROP("IgnoreCase", enum_value),
	DN_PROP("Multiline", enum_value),
	DN_PROP("Singleline", enum_value),
	DN_PROP("ExplicitCapture", enum_value),
	DN_PROP("Compiled", enum_value),
	DN_PROP("CultureInvariant", enum_value),
	DN_END
};

const struct dn_member dn_midpoint_statics[] = {
	DN_PROP("ToEven", enum_value),
	DN_PROP("AwayFromZero", enum_value),
	DN_END
};

const struct dn_member dn_comparison_statics[] = {
	DN_PROP("CurrentCulture", enum_value),
	DN_PROP("CurrentCultureIgnoreCase", enum_value),
	DN_PROP("InvariantCulture", enum_value),
	DN_PROP("InvariantCultureIgnoreCase", enum_value),
	DN_PROP("Ordinal", enum_value),
	DN_PROP("OrdinalIgnoreCase", enum_value),
	DN_END
};

static struct value *
enum_value(struct dn_call *c)
{
	return (value_string(c->m->name));
}

/* ------------------------------------------------------------------ */
/* UTF-16 positions and case */

/* Length in UTF-16 code units, as String.Length counts. */
size_t
dn_u16_len(const char *s)
{
	size_t		len = strlen(s), i, n, u = 0;
	uint32_t	c;

	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &c);
		u += c >= 0x10000 ? 2 : 1;
	}
	return (u);
}

/* Byte offset of UTF-16 position pos (the end when past it). */
size_t
dn_u16_offset(const char *s, size_t pos)
{
	size_t		len = strlen(s), i, n, u = 0;
	uint32_t	c;

	for (i = 0; i < len && u < pos; i += n) {
		n = utf8_decode(s + i, len - i, &c);
		u += c >= 0x10000 ? 2 : 1;
	}
	return (i);
}

/*
 * The invariant culture's upper or lower case of a letter of Basic
 * Latin, Latin-1, Latin Extended-A, Greek or Cyrillic; others as they
 * are.
 */
uint32_t
dn_fold(uint32_t c, bool upper)
{
	if (upper) {
		if ((c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe &&
		    c != 0xf7) || (c >= 0x3b1 && c <= 0x3c9 && c != 0x3c2) ||
		    (c >= 0x430 && c <= 0x44f))
			return (c - 0x20);
		if (c >= 0x450 && c <= 0x45f)
			return (c - 0x50);
		if (c == 0xff)
			return (0x178);
		if (c >= 0x100 && c <= 0x17f && c != 0x130 && c != 0x131 &&
		    c != 0x138 && c != 0x149 && c != 0x17f &&
		    ((c < 0x139 || c > 0x148) ? (c & 1) : !(c & 1)) &&
		    !(c >= 0x179 && !(c & 1)))
			return (c - 1);
		return (c);
	}
	if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7) ||
	    (c >= 0x391 && c <= 0x3a9 && c != 0x3a2) ||
	    (c >= 0x410 && c <= 0x42f))
		return (c + 0x20);
	if (c >= 0x400 && c <= 0x40f)
		return (c + 0x50);
	if (c == 0x178)
		return (0xff);
	if (c >= 0x100 && c <= 0x17f && c != 0x130 && c != 0x131 &&
	    c != 0x138 && c != 0x149 && c != 0x17f &&
	    dn_fold(c + 1, true) == c)
		return (c + 1);
	return (c);
}

static char *
dn_case(const char *s, bool upper)
{
	struct buf	b;
	size_t		len = strlen(s), i, n;
	uint32_t	c;

	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &c);
		buf_add_utf8(&b, dn_fold(c, upper));
	}
	return (buf_detach(&b));
}

static void
dn_chars_add(struct dn_chars *set, const char *s)
{
	size_t		len = strlen(s), i, n;
	uint32_t	c;

	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &c);
		set->c = xreallocarray(set->c, set->n + 1, sizeof *set->c);
		set->c[set->n++] = c;
	}
}

static bool
dn_chars_has(const struct dn_chars *set, uint32_t c)
{
	size_t	i;

	if (set->n == 0)
		return (dn_is_blank(c));
	for (i = 0; i < set->n; i++) {
		if (set->c[i] == c)
			return (true);
	}
	return (false);
}

/* A StringComparison (or an ignoreCase bool) that ignores case. */
static bool
dn_ignore_case(struct value *v)
{
	char	*s;
	bool	 r;

	if (v->type == V_BOOL)
		return (v->u.b);
	s = value_to_string(v);
	r = strlen(s) > 10 && strcasecmp(s + strlen(s) - 10,
	    "IgnoreCase") == 0;
	free(s);
	return (r);
}

/* A new String[]. */
static struct value *
dn_str_array(void)
{
	struct value	*a = value_array();

	a->u.arr.kind = ARR_TYPED;
	a->u.arr.elem = DN(STRING);
	return (a);
}

/*
 * Byte offset of needle in s at or after byte offset from (last: the
 * last one starting at or before from), or -1.
 */
static int
dn_find(const char *s, const char *needle, size_t from, bool icase,
    bool last)
{
	size_t	slen = strlen(s), nlen = strlen(needle), i;

	if (nlen > slen)
		return (-1);
	if (last) {
		for (i = from < slen - nlen ? from : slen - nlen;; i--) {
			if ((icase ? strncasecmp(s + i, needle, nlen) :
			    strncmp(s + i, needle, nlen)) == 0)
				return ((int)i);
			if (i == 0)
				return (-1);
		}
	}
	for (i = from; i + nlen <= slen; i++) {
		if ((icase ? strncasecmp(s + i, needle, nlen) :
		    strncmp(s + i, needle, nlen)) == 0)
			return ((int)i);
	}
	return (-1);
}

/* ------------------------------------------------------------------ */
/* String members */

static struct value *
str_length(struct dn_call *c)
{
	return (value_int((int64_t)dn_u16_len(c->self->u.s)));
}

static struct value *
str_substring(struct dn_call *c)
{
	const char	*s = c->self->u.s;
	int64_t		 start, count, len = (int64_t)dn_u16_len(s);
	size_t		 a, b;

	if (dn_arg_int(c, 0, "startIndex", &start) != 0)
		return (NULL);
	count = len - start;
	if (c->nargs > 1 && dn_arg_int(c, 1, "length", &count) != 0)
		return (NULL);
	if (start < 0)
		return (dn_range(c, "startIndex",
		    "StartIndex cannot be less than zero."));
	if (start > len)
		return (dn_range(c, "startIndex", "startIndex cannot be larger "
		    "than length of string."));
	if (count < 0)
		return (dn_range(c, "length",
		    "Length cannot be less than zero."));
	if (start + count > len)
		return (dn_range(c, "length", "Index and length must refer to "
		    "a location within the string."));
	a = dn_u16_offset(s, (size_t)start);
	b = dn_u16_offset(s, (size_t)(start + count));
	return (value_string_take(xstrndup(s + a, b - a)));
}

/*
 * Split: on any of the characters given (a string is its characters),
 * or on whole strings when a string[] comes with a StringSplitOptions;
 * then at most count pieces, RemoveEmptyEntries dropping empty ones.
 */
static struct value *
str_split(struct dn_call *c)
{
	struct dn_chars	 set = { NULL, 0 };
	struct value	*r, *a, *strings = NULL;
	int64_t		 count = INT32_MAX;
	size_t		 i, j;
	bool		 remove = false, opts = false;
	char		*s;

	for (i = 1; i < c->nargs; i++) {
		a = c->args[i];
		s = value_to_string(a);
		if (strcasecmp(s, "RemoveEmptyEntries") == 0 ||
		    strcasecmp(s, "None") == 0) {
			remove = strcasecmp(s, "None") != 0;
			opts = true;
		} else if (a->type == V_INT || a->type == V_DOUBLE) {
			if (dn_arg_int(c, i, "count", &count) != 0) {
				free(s);
				free(set.c);
				return (NULL);
			}
		} else
			dn_chars_add(&set, s);
		free(s);
	}
	if (count < 0) {
		free(set.c);
		return (dn_range(c, "count", "Count cannot be less than "
		    "zero."));
	}
	if (c->nargs > 0 && c->args[0]->type == V_ARRAY && opts)
		strings = c->args[0];
	else if (c->nargs > 0) {
		for (j = 0; j < value_count(c->args[0]); j++) {
			s = value_to_string(value_item(c->args[0], j));
			dn_chars_add(&set, s);
			free(s);
		}
	}
	if (strings != NULL)
		r = dn_split_strings(c->self->u.s, strings, count, remove);
	else
		r = dn_split_chars(c->self->u.s, &set, count, remove);
	free(set.c);
	return (r);
}

/* One piece of a split, kept unless empty ones are removed. */
static void
dn_split_piece(struct value *out, const char *s, size_t len, bool remove)
{
	if (len > 0 || !remove)
		value_array_push(out, value_string_take(xstrndup(s, len)));
}

static struct value *
dn_split_chars(const char *s, struct dn_chars *set, int64_t count,
    bool remove)
{
	struct value	*out = dn_str_array();
	size_t		 len = strlen(s), i, n, from = 0;
	uint32_t	 c;

	if (count == 0)
		return (out);
	for (i = 0; i < len && (int64_t)out->u.arr.n < count - 1; i += n) {
		n = utf8_decode(s + i, len - i, &c);
		if (!dn_chars_has(set, c))
			continue;
		dn_split_piece(out, s + from, i - from, remove);
		from = i + n;
	}
	dn_split_piece(out, s + from, len - from, remove);
	return (out);
}

static struct value *
dn_split_strings(const char *s, struct value *seps, int64_t count,
    bool remove)
{
	struct value	*out = dn_str_array();
	size_t		 len = strlen(s), i, j, k, from = 0, best;
	char		*sep;

	if (count == 0)
		return (out);
	for (i = 0; i < len && (int64_t)out->u.arr.n < count - 1;) {
		best = 0;
		for (j = 0; j < value_count(seps); j++) {
			sep = value_to_string(value_item(seps, j));
			k = strlen(sep);
			if (k > 0 && strncmp(s + i, sep, k) == 0 && best == 0)
				best = k;
			free(sep);
		}
		if (best == 0) {
			i++;
			continue;
		}
		dn_split_piece(out, s + from, i - from, remove);
		i += best;
		from = i;
	}
	dn_split_piece(out, s + from, len - from, remove);
	return (out);
}

/* Trim, TrimStart, TrimEnd: blanks, or the characters given. */
static struct value *
dn_trim(struct dn_call *c, bool start, bool end)
{
	struct dn_chars	 set = { NULL, 0 };
	const char	*s = c->self->u.s;
	size_t		 len = strlen(s), a = 0, b, i, n;
	uint32_t	 ch;
	char		*t;

	for (i = 0; i < c->nargs; i++) {
		t = value_to_string(c->args[i]);
		dn_chars_add(&set, t);
		free(t);
	}
	while (start && a < len) {
		n = utf8_decode(s + a, len - a, &ch);
		if (!dn_chars_has(&set, ch))
			break;
		a += n;
	}
	b = len;
	while (end && b > a) {
		for (i = b - 1; i > a && ((unsigned char)s[i] & 0xc0) == 0x80;
		    i--)
			continue;
		utf8_decode(s + i, b - i, &ch);
		if (!dn_chars_has(&set, ch))
			break;
		b = i;
	}
	free(set.c);
	return (value_string_take(xstrndup(s + a, b - a)));
}

static struct value *
str_trim(struct dn_call *c)
{
	return (dn_trim(c, true, true));
}

static struct value *
str_trimstart(struct dn_call *c)
{
	return (dn_trim(c, true, false));
}

static struct value *
str_trimend(struct dn_call *c)
{
	return (dn_trim(c, false, true));
}

/* Replace: every occurrence of a string, literally and with its case. */
static struct value *
str_replace(struct dn_call *c)
{
	struct buf	 b;
	const char	*s = c->self->u.s, *p;
	char		*old, *new;
	int		 at;

	old = dn_arg_str(c, 0);
	if (*old == '\0') {
		free(old);
		return (dn_throw(c, "ArgumentException", "String cannot be "
		    "of zero length.\nParameter name: oldValue"));
	}
	new = dn_arg_str(c, 1);
	buf_init(&b);
	buf_adds(&b, "");
	for (p = s; (at = dn_find(p, old, 0, false, false)) >= 0;
	    p += at + strlen(old)) {
		buf_add(&b, p, (size_t)at);
		buf_adds(&b, new);
	}
	buf_adds(&b, p);
	free(old);
	free(new);
	return (value_string_take(buf_detach(&b)));
}

static struct value *
str_lower(struct dn_call *c)
{
	return (value_string_take(dn_case(c->self->u.s, false)));
}

static struct value *
str_upper(struct dn_call *c)
{
	return (value_string_take(dn_case(c->self->u.s, true)));
}

/* StartsWith, EndsWith: with their case unless told to ignore it. */
static struct value *
dn_starts(struct dn_call *c, bool start)
{
	const char	*s = c->self->u.s;
	char		*p;
	size_t		 slen = strlen(s), plen;
	bool		 icase, r;

	icase = c->nargs > 1 && dn_ignore_case(c->args[1]);
	p = dn_arg_str(c, 0);
	plen = strlen(p);
	if (plen > slen)
		r = false;
	else if (start)
		r = (icase ? strncasecmp(s, p, plen) :
		    strncmp(s, p, plen)) == 0;
	else
		r = (icase ? strcasecmp(s + slen - plen, p) :
		    strcmp(s + slen - plen, p)) == 0;
	free(p);
	return (value_bool(r));
}

static struct value *
str_startswith(struct dn_call *c)
{
	return (dn_starts(c, true));
}

static struct value *
str_endswith(struct dn_call *c)
{
	return (dn_starts(c, false));
}

static struct value *
str_contains(struct dn_call *c)
{
	char	*p;
	bool	 r;

	p = dn_arg_str(c, 0);
	r = strstr(c->self->u.s, p) != NULL;
	free(p);
	return (value_bool(r));
}

/*
 * IndexOf(value[, startIndex[, count]]) and LastIndexOf, or with a
 * StringComparison second: UTF-16 positions, -1 when not found.
 */
static struct value *
dn_index_of(struct dn_call *c, bool last)
{
	const char	*s = c->self->u.s;
	int64_t		 start, len = (int64_t)dn_u16_len(s);
	char		*p;
	bool		 icase = false;
	int		 at;

	start = last ? len : 0;
	if (c->nargs > 1 && c->args[1]->type == V_STRING)
		icase = dn_ignore_case(c->args[1]);
	else if (c->nargs > 1 && dn_arg_int(c, 1, "startIndex", &start) != 0)
		return (NULL);
	if (start < 0 || start > len)
		return (dn_range(c, "startIndex", "Index was out of range. "
		    "Must be non-negative and less than the size of the "
		    "collection."));
	p = dn_arg_str(c, 0);
	at = dn_find(s, p, dn_u16_offset(s, (size_t)start), icase, last);
	free(p);
	if (at < 0)
		return (value_int(-1));
	p = xstrndup(s, (size_t)at);
	start = (int64_t)dn_u16_len(p);
	free(p);
	return (value_int(start));
}

static struct value *
str_indexof(struct dn_call *c)
{
	return (dn_index_of(c, false));
}

static struct value *
str_lastindexof(struct dn_call *c)
{
	return (dn_index_of(c, true));
}

static struct value *
str_indexofany(struct dn_call *c)
{
	struct dn_chars	 set = { NULL, 0 };
	const char	*s = c->self->u.s;
	size_t		 len = strlen(s), i, n, j;
	uint32_t	 ch;
	int64_t		 u = 0;
	char		*t;

	for (j = 0; j < value_count(c->args[0]); j++) {
		t = value_to_string(value_item(c->args[0], j));
		dn_chars_add(&set, t);
		free(t);
	}
	for (i = 0; i < len && set.n > 0; i += n, u++) {
		n = utf8_decode(s + i, len - i, &ch);
		if (dn_chars_has(&set, ch)) {
			free(set.c);
			return (value_int(u));
		}
		if (ch >= 0x10000)
			u++;
	}
	free(set.c);
	return (value_int(-1));
}

/* PadLeft, PadRight: to totalWidth with blanks or paddingChar. */
static struct value *
dn_pad(struct dn_call *c, bool left)
{
	struct value	*pc = NULL;
	struct buf	 b;
	int64_t		 width, i, len = (int64_t)dn_u16_len(c->self->u.s);

	if (dn_arg_int(c, 0, "totalWidth", &width) != 0 ||
	    (c->nargs > 1 && dn_arg(c, 1, DN_CHAR, "paddingChar", &pc) != 0))
		return (NULL);
	if (width < 0) {
		value_unref(pc);
		return (dn_range(c, "totalWidth",
		    "Non-negative number required."));
	}
	if (width > DN_LIMIT) {
		value_unref(pc);
		return (dn_throw(c, "OutOfMemoryException", "Exception of "
		    "type 'System.OutOfMemoryException' was thrown."));
	}
	buf_init(&b);
	if (!left)
		buf_adds(&b, c->self->u.s);
	for (i = len; i < width; i++)
		buf_add_utf8(&b, pc != NULL ? pc->u.c : ' ');
	if (left)
		buf_adds(&b, c->self->u.s);
	value_unref(pc);
	return (value_string_take(buf_detach(&b)));
}

static struct value *
str_padleft(struct dn_call *c)
{
	return (dn_pad(c, true));
}

static struct value *
str_padright(struct dn_call *c)
{
	return (dn_pad(c, false));
}

static struct value *
str_insert(struct dn_call *c)
{
	const char	*s = c->self->u.s;
	int64_t		 at;
	size_t		 off;
	char		*v, *r;

	if (dn_arg_int(c, 0, "startIndex", &at) != 0)
		return (NULL);
	if (at < 0 || at > (int64_t)dn_u16_len(s))
		return (dn_range(c, "startIndex", "Specified argument was out "
		    "of the range of valid values."));
	v = dn_arg_str(c, 1);
	off = dn_u16_offset(s, (size_t)at);
	r = xprintf("%.*s%s%s", (int)off, s, v, s + off);
	free(v);
	return (value_string_take(r));
}

static struct value *
str_remove(struct dn_call *c)
{
	const char	*s = c->self->u.s;
	int64_t		 start, count, len = (int64_t)dn_u16_len(s);
	size_t		 a, b;

	if (dn_arg_int(c, 0, "startIndex", &start) != 0 ||
	    (c->nargs > 1 && dn_arg_int(c, 1, "count", &count) != 0))
		return (NULL);
	if (start < 0)
		return (dn_range(c, "startIndex",
		    "StartIndex cannot be less than zero."));
	if (c->nargs == 1) {
		if (start >= len)
			return (dn_range(c, "startIndex", "startIndex must be "
			    "less than length of string."));
		count = len - start;
	} else if (count < 0)
		return (dn_range(c, "count",
		    "Count cannot be less than zero."));
	else if (count > len - start)
		return (dn_range(c, "count", "Index and count must refer to a "
		    "location within the string."));
	a = dn_u16_offset(s, (size_t)start);
	b = dn_u16_offset(s, (size_t)(start + count));
	return (value_string_take(xprintf("%.*s%s", (int)a, s, s + b)));
}

static struct value *
str_equals(struct dn_call *c)
{
	char	*t;
	bool	 r;

	if (c->args[0]->type != V_STRING && c->nargs == 1)
		return (value_bool(false));
	t = dn_arg_str(c, 0);
	r = (c->nargs > 1 && dn_ignore_case(c->args[1]) ?
	    strcasecmp(c->self->u.s, t) : strcmp(c->self->u.s, t)) == 0;
	free(t);
	return (value_bool(r));
}

/*
 * The current culture's order: letters alike without case first, then
 * a lower-case letter before its capital.
 */
static int
dn_compare(const char *a, const char *b, bool icase)
{
	int	r;

	if ((r = strcasecmp(a, b)) != 0 || icase)
		return (r < 0 ? -1 : r > 0);
	r = -strcmp(a, b);
	return (r < 0 ? -1 : r > 0);
}

static struct value *
str_compareto(struct dn_call *c)
{
	char	*t;
	int	 r;

	if (c->args[0]->type == V_NULL)
		return (value_int(1));
	t = dn_arg_str(c, 0);
	r = dn_compare(c->self->u.s, t, false);
	free(t);
	return (value_int(r));
}

static struct value *
str_tochararray(struct dn_call *c)
{
	struct value	*a;
	const char	*s = c->self->u.s;
	int64_t		 start = 0, count = -1, len;
	size_t		 i, n, end;
	uint32_t	 ch;

	if (c->nargs == 2 && (dn_arg_int(c, 0, "startIndex", &start) != 0 ||
	    dn_arg_int(c, 1, "length", &count) != 0))
		return (NULL);
	len = (int64_t)dn_u16_len(s);
	if (c->nargs == 0)
		count = len;
	if (count < 0)
		return (dn_range(c, "length", "Index was out of range. Must "
		    "be non-negative and less than the size of the "
		    "collection."));
	if (start < 0 || start > len || count > len - start)
		return (dn_range(c, "startIndex", "Index was out of range. "
		    "Must be non-negative and less than the size of the "
		    "collection."));
	a = value_array();
	a->u.arr.kind = ARR_TYPED;
	a->u.arr.elem = DN(CHAR);
	end = dn_u16_offset(s, (size_t)(start + count));
	for (i = dn_u16_offset(s, (size_t)start); i < end; i += n) {
		n = utf8_decode(s + i, end - i, &ch);
		value_array_push(a, value_char(ch));
	}
	return (a);
}

static struct value *
str_tostring(struct dn_call *c)
{
	return (value_ref(c->self));
}

/* ------------------------------------------------------------------ */
/* String statics */

static struct value *
str_s_empty(struct dn_call *c)
{
	(void)c;
	return (value_string(""));
}

/* The items of a params object[]: one array argument, or the rest. */
static void
dn_params(struct dn_call *c, size_t first, struct value ***v, size_t *n)
{
	struct value	*a;

	if (c->nargs == first + 1 && c->args[first]->type == V_ARRAY) {
		a = c->args[first];
		*v = a->u.arr.v;
		*n = a->u.arr.n;
	} else {
		*v = c->args + first;
		*n = c->nargs - first;
	}
}

static struct value *
str_s_join(struct dn_call *c)
{
	struct value	**v;
	struct buf	  b;
	size_t		  n, i;
	char		 *sep, *t;

	sep = dn_arg_str(c, 0);
	dn_params(c, 1, &v, &n);
	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_adds(&b, sep);
		t = value_to_string(v[i]);
		buf_adds(&b, t);
		free(t);
	}
	free(sep);
	return (value_string_take(buf_detach(&b)));
}

static struct value *
str_s_isnullorempty(struct dn_call *c)
{
	char	*t;
	bool	 r;

	t = dn_arg_str(c, 0);
	r = *t == '\0';
	free(t);
	return (value_bool(r));
}

static struct value *
str_s_isnullorwhitespace(struct dn_call *c)
{
	size_t		 i, n, len;
	uint32_t	 ch;
	char		*t;
	bool		 r = true;

	t = dn_arg_str(c, 0);
	len = strlen(t);
	for (i = 0; i < len && r; i += n) {
		n = utf8_decode(t + i, len - i, &ch);
		r = dn_is_blank(ch);
	}
	free(t);
	return (value_bool(r));
}

/* [string]::Format: -f's composite formatting, .NET's exception. */
static struct value *
str_s_format(struct dn_call *c)
{
	struct value	**v, *args, *r;
	const char	 *id;
	char		 *err, *msg;
	size_t		  n, i;

	dn_params(c, 1, &v, &n);
	args = value_array();
	for (i = 0; i < n; i++)
		value_array_push(args, value_ref(v[i]));
	r = strop_format(c->args[0], args, &id, &err);
	value_unref(args);
	if (r != NULL)
		return (r);
	/* strop's text is PowerShell's "Error formatting a string: x.". */
	msg = strchr(err, ':') != NULL ? strchr(err, ':') + 2 : err;
	msg[strlen(msg) - 1] = '\0';
	dn_throw(c, "FormatException", "%s", msg);
	free(err);
	return (NULL);
}

static struct value *
str_s_concat(struct dn_call *c)
{
	struct value	**v;
	struct buf	  b;
	size_t		  n, i;
	char		 *t;

	dn_params(c, 0, &v, &n);
	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < n; i++) {
		t = value_to_string(v[i]);
		buf_adds(&b, t);
		free(t);
	}
	return (value_string_take(buf_detach(&b)));
}

static struct value *
str_s_compare(struct dn_call *c)
{
	char	*a, *b;
	int	 r;

	a = dn_arg_str(c, 0);
	b = dn_arg_str(c, 1);
	r = dn_compare(a, b, c->nargs > 2 && dn_ignore_case(c->args[2]));
	free(a);
	free(b);
	return (value_int(r));
}

static struct value *
str_s_equals(struct dn_call *c)
{
	char	*a, *b;
	bool	 r;

	a = dn_arg_str(c, 0);
	b = dn_arg_str(c, 1);
	r = (c->nargs > 2 && dn_ignore_case(c->args[2]) ? strcasecmp(a, b) :
	    strcmp(a, b)) == 0;
	free(a);
	free(b);
	return (value_bool(r));
}

/* new String(char c, int count), new String(char[] value). */
static struct value *
str_s_new(struct dn_call *c)
{
	struct value	*ch;
	struct buf	 b;
	int64_t		 n, i;

	if (c->nargs == 1)
		return (str_s_concat(c));
	if (dn_arg(c, 0, DN_CHAR, "c", &ch) != 0)
		return (NULL);
	if (dn_arg_int(c, 1, "count", &n) != 0) {
		value_unref(ch);
		return (NULL);
	}
	if (n < 0 || n > DN_LIMIT) {
		value_unref(ch);
		return (n < 0 ? dn_range(c, "count", "Non-negative number "
		    "required.") : dn_throw(c, "OutOfMemoryException",
		    "Exception of type 'System.OutOfMemoryException' was "
		    "thrown."));
	}
	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < n; i++)
		buf_add_utf8(&b, ch->u.c);
	value_unref(ch);
	return (value_string_take(buf_detach(&b)));
}

/* ------------------------------------------------------------------ */
/* System.Char */

/*
 * [char]: a one-character string, a number (the code), or a char; the
 * .NET errors for the rest.
 */
struct value *
dn_char_convert(const struct dn_tref *t, struct value *v,
    struct dn_error *err)
{
	uint32_t	c;
	size_t		n;

	(void)t;
	if (v->type == V_CHAR)
		return (value_ref(v));
	if (v->type == V_ARRAY && v->u.arr.n == 1)
		return (dn_char_convert(t, v->u.arr.v[0], err));
	if (v->type == V_STRING) {
		n = utf8_decode(v->u.s, strlen(v->u.s), &c);
		if (*v->u.s == '\0' || v->u.s[n] != '\0' || c >= 0x10000)
			return (dn_bad_value(err,
			    "InvalidCastParseTargetInvocation", v,
			    "System.Char", "String must be exactly one "
			    "character long."));
		return (value_char(c));
	}
	if ((v->type == V_INT && v->u.i >= 0 && v->u.i <= 0xffff) ||
	    v->type == V_NULL)
		return (value_char(v->type == V_INT ? (uint32_t)v->u.i : 0));
	if (v->type == V_INT)
		return (dn_bad_value(err, "InvalidCastIConvertible", v,
		    "System.Char", "Value was either too large or too small "
		    "for a character."));
	return (dn_bad_cast(err, v, "System.Char"));
}

/* IsDigit(c) and the others, or (string, index). */
static struct value *
chr_s_test(struct dn_call *c)
{
	struct value	*v;
	const char	*m = c->m->name;
	uint32_t	 ch;
	int64_t		 at = 0;
	char		*s;
	size_t		 off;

	if (c->nargs == 2) {
		if (dn_arg_int(c, 1, "index", &at) != 0)
			return (NULL);
		s = dn_arg_str(c, 0);
		if (at < 0 || at >= (int64_t)dn_u16_len(s)) {
			free(s);
			return (dn_range(c, "index", "Index was out of range. "
			    "Must be non-negative and less than the size of "
			    "the collection."));
		}
		off = dn_u16_offset(s, (size_t)at);
		utf8_decode(s + off, strlen(s) - off, &ch);
		free(s);
	} else {
		if (dn_arg(c, 0, DN_CHAR, "c", &v) != 0)
			return (NULL);
		ch = v->u.c;
		value_unref(v);
	}
	if (strcmp(m, "IsDigit") == 0)
		return (value_bool(ch >= '0' && ch <= '9'));
	if (strcmp(m, "IsWhiteSpace") == 0)
		return (value_bool(dn_is_blank(ch)));
	if (strcmp(m, "IsUpper") == 0)
		return (value_bool(dn_fold(ch, false) != ch));
	if (strcmp(m, "IsLower") == 0)
		return (value_bool(dn_fold(ch, true) != ch));
	if (strcmp(m, "IsLetter") == 0)
		return (value_bool(dn_fold(ch, true) != dn_fold(ch, false) ||
		    ch == 0xdf));
	return (value_bool((ch >= '0' && ch <= '9') ||
	    dn_fold(ch, true) != dn_fold(ch, false) || ch == 0xdf));
}

static struct value *
chr_s_case(struct dn_call *c)
{
	struct value	*v;
	uint32_t	 ch;

	if (dn_arg(c, 0, DN_CHAR, "c", &v) != 0)
		return (NULL);
	ch = dn_fold(v->u.c, strcmp(c->m->name, "ToUpper") == 0);
	value_unref(v);
	return (value_char(ch));
}

/* ------------------------------------------------------------------ */
/* Regular expressions */

/* UTF-16 units in the first off bytes of s. */
static int64_t
dn_u16_at(const char *s, size_t off)
{
	size_t		i, n;
	uint32_t	c;
	int64_t		u = 0;

	for (i = 0; i < off; i += n) {
		n = utf8_decode(s + i, off - i, &c);
		u += c >= 0x10000 ? 2 : 1;
	}
	return (u);
}

/*
 * Compile pattern pv with RegexOptions ov (NULL: none); NULL after
 * .NET's ArgumentException for a pattern POSIX cannot take.
 */
static struct value *
dn_re_compile(struct dn_call *c, struct strop_re *re, struct value *pv,
    struct value *ov)
{
	const char	*id;
	char		*pat, *opts, *err;
	bool		 cs = true;

	if (ov != NULL) {
		pat = value_to_string(ov);
		opts = dn_case(pat, false);
		cs = strstr(opts, "ignorecase") == NULL;
		free(opts);
		free(pat);
	}
	pat = value_to_string(pv);
	if (strop_re_compile(re, pat, cs, &id, &err) != 0) {
		dn_throw(c, "ArgumentException", "%s", err);
		free(err);
		free(pat);
		return (NULL);
	}
	free(pat);
	return (value_null());
}

/* An empty read-only collection of a regex type. */
static struct value *
dn_collection(enum dn_id id)
{
	struct value	*a = value_array();

	a->u.arr.kind = ARR_COLLECTION;
	a->u.arr.elem = &dn_types[id];
	return (a);
}

static struct value *
dn_capture_object(const char *s, const regmatch_t *m)
{
	struct value	*o;
	size_t		 so = m->rm_so >= 0 ? (size_t)m->rm_so : 0;
	size_t		 eo = m->rm_so >= 0 ? (size_t)m->rm_eo : 0;

	o = value_object(DN(CAPTURE)->name, NULL);
	object_add_const(o, "Index", value_int(dn_u16_at(s, so)));
	object_add_const(o, "Length", value_int(dn_u16_at(s + so, eo - so)));
	object_add_const(o, "Value", value_string_take(xstrndup(s + so,
	    eo - so)));
	o->u.obj->text = xstrndup(s + so, eo - so);
	return (o);
}

/*
 * A Group (or, for group 0, the Match: id says which) in .NET's
 * property order: Success, Name, Captures, Index, Length, Value; its
 * text is its value.  m->rm_so < 0: the group took no part.
 */
static struct value *
dn_group_object(const char *s, const char *name, const regmatch_t *m,
    enum dn_id id)
{
	struct value	*o, *caps;
	size_t		 so = m->rm_so >= 0 ? (size_t)m->rm_so : 0;
	size_t		 eo = m->rm_so >= 0 ? (size_t)m->rm_eo : 0;

	o = value_object(dn_types[id].name, NULL);
	caps = dn_collection(DN_CAPTURECOLL);
	if (m->rm_so >= 0)
		value_array_push(caps, dn_capture_object(s, m));
	object_add_const(o, "Success", value_bool(m->rm_so >= 0));
	object_add_const(o, "Name", value_string(name));
	object_add_const(o, "Captures", caps);
	object_add_const(o, "Index", value_int(dn_u16_at(s, so)));
	object_add_const(o, "Length", value_int(dn_u16_at(s + so, eo - so)));
	object_add_const(o, "Value", value_string_take(xstrndup(s + so,
	    eo - so)));
	o->u.obj->text = xstrndup(s + so, eo - so);
	return (o);
}

/* A Match: Groups first, then what a Group has; m NULL: no match. */
static struct value *
dn_match_object(const char *s, struct strop_re *re, const regmatch_t *m)
{
	static const regmatch_t none = { -1, -1 };
	struct value	*o, *groups, *g0;
	const regmatch_t *gm;
	size_t		 i;
	int		 g, k;

	groups = dn_collection(DN_GROUPCOLL);
	for (g = 0; g < (int)re->nnet; g++) {
		k = strop_re_group(re, g);
		gm = m != NULL && k >= 0 ? &m[k] : &none;
		value_array_push(groups, g == 0 ? dn_group_object(s, "0", gm,
		    DN_GROUP) : dn_group_object(s, re->names[k - 1], gm,
		    DN_GROUP));
		if (m == NULL)
			break;
	}
	g0 = dn_group_object(s, "0", m != NULL ? &m[0] : &none, DN_MATCH);
	o = value_object(DN(MATCH)->name, NULL);
	object_add_const(o, "Groups", groups);
	for (i = 0; i < g0->u.obj->nprops; i++)
		object_add_const(o, g0->u.obj->props[i].name,
		    value_ref(g0->u.obj->props[i].val));
	o->u.obj->text = xstrdup(g0->u.obj->text);
	value_unref(g0);
	return (o);
}

/* Match (all: Matches) of the input s from UTF-16 position start. */
static struct value *
dn_re_scan(struct strop_re *re, const char *s, size_t start, bool all)
{
	struct value	*coll;
	regmatch_t	*m;
	size_t		 pos = dn_u16_offset(s, start);
	uint32_t	 ch;

	coll = dn_collection(DN_MATCHCOLL);
	while (pos <= strlen(s) && (m = strop_re_exec(re, s, pos)) != NULL) {
		value_array_push(coll, dn_match_object(s, re, m));
		pos = (size_t)m[0].rm_eo;
		if (m[0].rm_eo == m[0].rm_so)
			pos += s[pos] == '\0' ? 1 : utf8_decode(s + pos,
			    strlen(s) - pos, &ch);
		free(m);
		if (!all)
			break;
	}
	if (all)
		return (coll);
	if (coll->u.arr.n == 0) {
		value_unref(coll);
		return (dn_match_object(s, re, NULL));
	}
	return (value_collapse(coll));
}

/*
 * The pattern and options of a call: a Regex object's, or (statics)
 * args[pat] and args[pat + 1] when given.
 */
static struct value *
dn_re_of(struct dn_call *c, struct strop_re *re, size_t pat, size_t nopt)
{
	struct value	*pv, *ov = NULL, *r;

	if (c->self != NULL) {
		pv = value_string(c->self->u.obj->text);
		ov = value_ref(object_get(c->self, "Options"));
	} else {
		pv = value_ref(c->args[pat]);
		if (c->nargs > nopt)
			ov = value_ref(c->args[nopt]);
	}
	r = dn_re_compile(c, re, pv, ov);
	value_unref(pv);
	value_unref(ov);
	return (r);
}

/* Match, Matches and IsMatch of input args[0] against the pattern. */
static struct value *
dn_re_match(struct dn_call *c, size_t nopt, bool all)
{
	struct strop_re	 re;
	struct value	*r;
	int64_t		 start = 0;
	char		*s;

	if (c->self != NULL && c->nargs > 1 && dn_arg_int(c, 1, "startat",
	    &start) != 0)
		return (NULL);
	if (dn_re_of(c, &re, 1, nopt) == NULL)
		return (NULL);
	s = dn_arg_str(c, 0);
	if (start < 0 || start > (int64_t)dn_u16_len(s)) {
		free(s);
		strop_re_free(&re);
		return (dn_range(c, "startat", "Start index cannot be less "
		    "than 0 or greater than input length."));
	}
	r = dn_re_scan(&re, s, (size_t)start, all);
	free(s);
	strop_re_free(&re);
	return (r);
}

/* Replace (what 0) and Split (what 1) of input args[0]. */
static struct value *
dn_re_apply(struct dn_call *c, size_t nopt, int what)
{
	struct strop_re	 re;
	struct value	*r;
	char		*s, *rep;

	if (dn_re_of(c, &re, 1, nopt) == NULL)
		return (NULL);
	s = dn_arg_str(c, 0);
	if (what == 0) {
		rep = dn_arg_str(c, c->self != NULL ? 1 : 2);
		r = value_string_take(strop_re_replace(&re, s, rep));
		free(rep);
	} else {
		r = dn_str_array();
		strop_re_split(r, &re, s, 0);
	}
	free(s);
	strop_re_free(&re);
	return (r);
}

static struct value *
re_s_match(struct dn_call *c)
{
	return (dn_re_match(c, 2, false));
}

static struct value *
re_s_matches(struct dn_call *c)
{
	return (dn_re_match(c, 2, true));
}

static struct value *
re_s_ismatch(struct dn_call *c)
{
	struct value	*m, *ok;

	if ((m = dn_re_match(c, 2, false)) == NULL)
		return (NULL);
	ok = value_ref(object_get(m, "Success"));
	value_unref(m);
	return (ok);
}

static struct value *
re_s_replace(struct dn_call *c)
{
	return (dn_re_apply(c, 3, 0));
}

static struct value *
re_s_split(struct dn_call *c)
{
	return (dn_re_apply(c, 2, 1));
}

static struct value *
re_match(struct dn_call *c)
{
	return (dn_re_match(c, 0, false));
}

static struct value *
re_matches(struct dn_call *c)
{
	return (dn_re_match(c, 0, true));
}

static struct value *
re_ismatch(struct dn_call *c)
{
	return (re_s_ismatch(c));
}

static struct value *
re_replace(struct dn_call *c)
{
	return (dn_re_apply(c, 0, 0));
}

static struct value *
re_split(struct dn_call *c)
{
	return (dn_re_apply(c, 0, 1));
}

/* Regex.Escape: the metacharacters and blanks, as .NET escapes them. */
static struct value *
re_s_escape(struct dn_call *c)
{
	struct buf	 b;
	const char	*p;
	char		*s;

	s = dn_arg_str(c, 0);
	buf_init(&b);
	buf_adds(&b, "");
	for (p = s; *p != '\0'; p++) {
		switch (*p) {
		case '\t':
			buf_adds(&b, "\\t");
			continue;
		case '\n':
			buf_adds(&b, "\\n");
			continue;
		case '\r':
			buf_adds(&b, "\\r");
			continue;
		case '\f':
			buf_adds(&b, "\\f");
			continue;
		}
		if (strchr("\\*+?|{[()^$.# ", *p) != NULL)
			buf_addc(&b, '\\');
		buf_addc(&b, *p);
	}
	free(s);
	return (value_string_take(buf_detach(&b)));
}

static struct value *
re_s_unescape(struct dn_call *c)
{
	struct buf	 b;
	const char	*p;
	char		*s;

	s = dn_arg_str(c, 0);
	buf_init(&b);
	buf_adds(&b, "");
	for (p = s; *p != '\0'; p++) {
		if (*p != '\\' || p[1] == '\0') {
			buf_addc(&b, *p);
			continue;
		}
		switch (*++p) {
		case 't':
			buf_addc(&b, '\t');
			break;
		case 'n':
			buf_addc(&b, '\n');
			break;
		case 'r':
			buf_addc(&b, '\r');
			break;
		case 'f':
			buf_addc(&b, '\f');
			break;
		default:
			buf_addc(&b, *p);
			break;
		}
	}
	free(s);
	return (value_string_take(buf_detach(&b)));
}

/* A Regex object: its pattern is its text, its options a property. */
static struct value *
dn_re_object(const char *pat, struct value *opts)
{
	struct value	*o;

	o = value_object(DN(REGEX)->name, NULL);
	object_add_const(o, "Options", opts != NULL ?
	    value_string_take(value_to_string(opts)) : value_string("None"));
	object_add_const(o, "MatchTimeout", value_timespan(-10000));
	object_add_const(o, "RightToLeft", value_bool(false));
	o->u.obj->text = xstrdup(pat);
	return (o);
}

static struct value *
re_s_new(struct dn_call *c)
{
	struct strop_re	 re;
	char		*pat;
	struct value	*o;

	if (dn_re_of(c, &re, 0, 1) == NULL)
		return (NULL);
	strop_re_free(&re);
	pat = dn_arg_str(c, 0);
	o = dn_re_object(pat, c->nargs > 1 ? c->args[1] : NULL);
	free(pat);
	return (o);
}

/* [regex]'pattern'. */
struct value *
dn_regex_convert(const struct dn_tref *t, struct value *v,
    struct dn_error *err)
{
	struct strop_re	 re;
	const char	*id;
	char		*msg;

	(void)t;
	if (v->type == V_NULL || (v->type == V_OBJECT &&
	    strcmp(v->u.obj->type_name, DN(REGEX)->name) == 0))
		return (value_ref(v));
	if (v->type != V_STRING)
		return (dn_bad_cast(err, v, DN(REGEX)->name));
	if (strop_re_compile(&re, v->u.s, true, &id, &msg) != 0) {
		dn_bad_value(err, "InvalidCastFromStringToRegex", v,
		    DN(REGEX)->name, msg);
		free(msg);
		return (NULL);
	}
	strop_re_free(&re);
	return (dn_re_object(v->u.s, NULL));
}

/* ------------------------------------------------------------------ */
/* Encodings */

static const struct {
	const char	*name;		/* the static property */
	enum dn_id	 type;
	const char	*body;		/* BodyName and WebName */
	const char	*display;	/* EncodingName */
	int		 codepage;
} dn_encodings[] = {
	{ "UTF8", DN_UTF8ENCODING, "utf-8", "Unicode (UTF-8)", 65001 },
	{ "Default", DN_UTF8ENCODING, "utf-8", "Unicode (UTF-8)", 65001 },
	{ "ASCII", DN_ASCIIENCODING, "us-ascii", "US-ASCII", 20127 },
	{ "Unicode", DN_UNICODEENCODING, "utf-16", "Unicode", 1200 },
};

/*
 * [Text.Encoding]::UTF8 and the others.  Default is UTF-8: the encoding
 * of the machine hubsh runs on, where Windows' would be a code page.
 */
static struct value *
enc_s_get(struct dn_call *c)
{
	struct value	*o;
	size_t		 i;

	for (i = 0; strcmp(dn_encodings[i].name, c->m->name) != 0; i++)
		continue;
	o = value_object(dn_types[dn_encodings[i].type].name, NULL);
	object_add_const(o, "BodyName", value_string(dn_encodings[i].body));
	object_add_const(o, "EncodingName",
	    value_string(dn_encodings[i].display));
	object_add_const(o, "WebName", value_string(dn_encodings[i].body));
	object_add_const(o, "CodePage", value_int(dn_encodings[i].codepage));
	return (o);
}

/* A new Byte[]. */
static struct value *
dn_byte_array(void)
{
	struct value	*a = value_array();

	a->u.arr.kind = ARR_TYPED;
	a->u.arr.elem = DN(BYTE);
	return (a);
}

static struct value *
enc_getbytes(struct dn_call *c)
{
	struct value	*a;
	const char	*type = c->self->u.obj->type_name;
	char		*s;
	size_t		 len, i, n;
	uint32_t	 ch, lo;

	s = dn_arg_str(c, 0);
	len = strlen(s);
	a = dn_byte_array();
	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &ch);
		if (strcmp(type, DN(UTF8ENCODING)->name) == 0) {
			while (n-- > 0)
				value_array_push(a,
				    value_int((unsigned char)s[i++]));
			n = 0;
		} else if (strcmp(type, DN(ASCIIENCODING)->name) == 0)
			value_array_push(a, value_int(ch < 0x80 ? ch : '?'));
		else {
			lo = ch;
			if (ch >= 0x10000) {
				lo = 0xdc00 + ((ch - 0x10000) & 0x3ff);
				ch = 0xd800 + ((ch - 0x10000) >> 10);
				value_array_push(a, value_int(ch & 0xff));
				value_array_push(a, value_int(ch >> 8));
			}
			value_array_push(a, value_int(lo & 0xff));
			value_array_push(a, value_int(lo >> 8));
		}
	}
	free(s);
	return (a);
}

/* The bytes of argument i (a Byte[] or numbers 0..255), into b. */
static struct value *
dn_bytes(struct dn_call *c, size_t i, struct buf *b)
{
	struct value	*v, *e;
	size_t		 k;

	v = c->args[i];
	buf_init(b);
	for (k = 0; k < value_count(v); k++) {
		e = value_item(v, k);
		if (e->type != V_INT || e->u.i < 0 || e->u.i > 255) {
			buf_free(b);
			return (dn_fail(c->err,
			    "MethodArgumentConversionInvalidCastArgument",
			    "NotSpecified", "MethodException", "Cannot convert "
			    "argument \"bytes\", with value: \"%s\", for "
			    "\"%s\" "
			    "to type \"System.Byte[]\".", value_type_name(v),
			    c->m->name));
		}
		buf_addc(b, (char)e->u.i);
	}
	return (value_null());
}

static struct value *
enc_getstring(struct dn_call *c)
{
	struct buf	 b, out;
	const char	*type = c->self->u.obj->type_name;
	size_t		 i, n;
	uint32_t	 ch;

	if (dn_bytes(c, 0, &b) == NULL)
		return (NULL);
	buf_init(&out);
	buf_adds(&out, "");
	for (i = 0; i < b.len; i += n) {
		if (strcmp(type, DN(UNICODEENCODING)->name) == 0) {
			n = 2;
			ch = i + 1 < b.len ? (unsigned char)b.s[i] |
			    (unsigned char)b.s[i + 1] << 8 : 0xfffd;
			if (ch >= 0xd800 && ch < 0xdc00 && i + 3 < b.len) {
				ch = 0x10000 + ((ch - 0xd800) << 10) +
				    (((unsigned char)b.s[i + 2] |
				    (unsigned char)b.s[i + 3] << 8) - 0xdc00);
				n = 4;
			}
		} else if (strcmp(type, DN(ASCIIENCODING)->name) == 0) {
			n = 1;
			ch = (unsigned char)b.s[i] < 0x80 ?
			    (unsigned char)b.s[i] : '?';
		} else
			n = utf8_decode(b.s + i, b.len - i, &ch);
		if (ch == 0) {
			buf_free(&b);
			buf_free(&out);
			return (dn_throw(c, "ArgumentException", "%s",
			    "The bytes hold a NUL character (U+0000), which "
			    "hubsh cannot keep in a string."));
		}
		buf_add_utf8(&out, ch);
	}
	buf_free(&b);
	return (value_string_take(buf_detach(&out)));
}

/* ------------------------------------------------------------------ */
/* System.Convert */

static const char dn_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static struct value *
cv_s_tobase64(struct dn_call *c)
{
	struct buf	 b, out;

	if (dn_bytes(c, 0, &b) == NULL)
		return (NULL);
	buf_init(&out);
	buf_add_base64(&out, b.s, b.len);
	buf_free(&b);
	return (value_string_take(buf_detach(&out)));
}

static struct value *
cv_s_frombase64(struct dn_call *c)
{
	struct value	*a;
	const char	*p, *q;
	uint32_t	 w = 0;
	size_t		 n = 0, pad = 0;
	char		*s;

	s = dn_arg_str(c, 0);
	a = dn_byte_array();
	for (p = s; *p != '\0'; p++) {
		if (isspace((unsigned char)*p))
			continue;
		if (*p == '=' && n % 4 >= 2 && pad < 2) {
			pad++;
			n++;
			continue;
		}
		if (pad > 0 || (q = strchr(dn_b64, *p)) == NULL)
			break;
		w = w << 6 | (uint32_t)(q - dn_b64);
		if (++n % 4 == 0) {
			value_array_push(a, value_int(w >> 16 & 0xff));
			value_array_push(a, value_int(w >> 8 & 0xff));
			value_array_push(a, value_int(w & 0xff));
			w = 0;
		}
	}
	if (*p != '\0' || n % 4 != 0) {
		free(s);
		value_unref(a);
		return (dn_throw(c, "FormatException", "The input is not a "
		    "valid Base-64 string as it contains a non-base 64 "
		    "character, more than two padding characters, or an "
		    "illegal character among the padding characters. "));
	}
	if (pad > 0) {
		w <<= 6 * pad;
		value_array_push(a, value_int(w >> 16 & 0xff));
		if (pad == 1)
			value_array_push(a, value_int(w >> 8 & 0xff));
	}
	free(s);
	return (a);
}

/* Convert.ToInt32 and ToInt64: Int32.Parse for text, a base when given. */
static struct value *
cv_s_toint(struct dn_call *c)
{
	struct value	*v = c->args[0];
	bool		 wide = strcmp(c->m->name, "ToInt64") == 0;
	int64_t		 base = 10, n;
	double		 d;
	char		*s, *end;

	if (c->nargs == 2) {
		if (dn_arg_int(c, 1, "fromBase", &base) != 0)
			return (NULL);
		if (base != 2 && base != 8 && base != 10 && base != 16)
			return (dn_throw(c, "ArgumentException",
			    "Invalid Base."));
		s = dn_arg_str(c, 0);
		n = strtoll(s + (base == 16 && strncasecmp(s, "0x", 2) == 0 ?
		    2 : 0), &end, (int)base);
		if (*s == '\0' || *end != '\0') {
			free(s);
			return (dn_throw(c, "FormatException", "Could not find "
			    "any recognizable digits."));
		}
		free(s);
		return (value_int(wide || base == 10 ? n : (int32_t)n));
	}
	if (v->type == V_STRING)
		return (dn_int_parse(c, wide ? DN_INT64 : DN_INT32));
	if (v->type == V_CHAR || v->type == V_BOOL || v->type == V_NULL)
		n = v->type == V_CHAR ? v->u.c : v->type == V_BOOL ? v->u.b : 0;
	else if (dn_arg_double(c, 0, "value", &d) != 0)
		return (NULL);
	else
		n = (int64_t)dn_round_even(d);
	if (!wide && (n < INT32_MIN || n > INT32_MAX))
		return (dn_throw(c, "OverflowException", "Value was either "
		    "too large or too small for an Int32."));
	return (value_int(n));
}

/* Convert.ToDouble: Double.Parse for text. */
static struct value *
cv_s_todouble(struct dn_call *c)
{
	double	d;

	if (c->args[0]->type == V_STRING)
		return (dn_double_parse(c));
	if (dn_arg_double(c, 0, "value", &d) != 0)
		return (NULL);
	return (value_double(d));
}

/* Convert.ToString(value[, toBase]). */
static struct value *
cv_s_tostring(struct dn_call *c)
{
	struct value	*v;
	struct buf	 b;
	uint64_t	 u;
	int64_t		 n, base;
	char		 digits[72], *p;

	if (c->nargs == 1)
		return (value_string_take(c->args[0]->type == V_DATE ?
		    format_cell(c->args[0]) : value_to_string(c->args[0])));
	if (dn_arg_int(c, 1, "toBase", &base) != 0 ||
	    dn_arg(c, 0, DN_INT64, "value", &v) != 0)
		return (NULL);
	n = v->u.i;
	value_unref(v);
	if (base != 2 && base != 8 && base != 10 && base != 16)
		return (dn_throw(c, "ArgumentException", "Invalid Base."));
	if (base == 10)
		return (value_string_take(xprintf("%lld", (long long)n)));
	u = n < 0 && n >= INT32_MIN ? (uint32_t)n : (uint64_t)n;
	p = digits + sizeof digits - 1;
	*p = '\0';
	do {
		*--p = "0123456789abcdef"[u % (uint64_t)base];
		u /= (uint64_t)base;
	} while (u > 0);
	buf_init(&b);
	buf_adds(&b, p);
	return (value_string_take(buf_detach(&b)));
}

/* Convert.ToBoolean: Boolean.Parse for text, else the value's truth. */
static struct value *
cv_s_tobool(struct dn_call *c)
{
	if (c->args[0]->type == V_STRING)
		return (dn_bool_parse(c));
	return (value_bool(value_truthy(c->args[0])));
}
