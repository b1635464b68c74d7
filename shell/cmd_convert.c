/*
 * cmd_convert.c - ConvertTo-Json, ConvertTo-Csv and Export-Csv.
 *
 * All three follow Windows PowerShell 5.1.
 *
 * ConvertTo-Json collects its input: one object becomes a JSON value, several
 * a JSON array of them.  The value is first written compactly, as the
 * JavaScriptSerializer that 5.1 uses writes it (HTML-sensitive characters
 * as \u003c, dates as "\/Date(ms)\/"), then, unless -Compress, laid out
 * the way 5.1's pretty printer lays it out: four spaces per level, two
 * spaces after each colon, a nested object or array indented under its
 * key.  Objects and collections deeper than -Depth (default 2) become
 * their text.  Lines end in LF, not 5.1's CRLF.
 *
 * ConvertTo-Csv and Export-Csv write "#TYPE name" (unless
 * -NoTypeInformation), a header of the first object's property names and
 * one line per object, every field quoted with "" doubling and each value
 * as its .NET ToString(): a collection is "System.Object[]", $null an
 * empty unquoted field; an imported object's type "CSV:name" is written
 * "#TYPE name".  Export-Csv writes the whole file to a temporary file in
 * the same directory and renames it over the target (textfile.c), so an
 * error leaves any existing file as it was; -Append copies the existing
 * file first, in the columns of its header as Import-Csv reads it
 * (cmd_csv.c).  A device or a named pipe (/dev/stdout) is written in
 * place.  The file is UTF-8 without a byte order mark unless -Encoding
 * says otherwise (5.1 writes ASCII); lines end in LF.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"
#include "textfile.h"
#include "xmalloc.h"

#define JSON_NEST_MAX	100	/* JavaScriptSerializer's RecursionLimit */
#define HEAD_BYTES	65536	/* read for an existing file's header */

/* One conversion of ConvertTo-Json. */
struct json {
	struct cmd_ctx	*ctx;
	int64_t		 depth;		/* -Depth */
	bool		 failed;	/* an error has been written */
};

/* The 5.1 layout being built from the compact text. */
struct jpretty {
	const char	*s;
	size_t		 len;
	struct buf	*out;
};

/* The header and lines of a CSV conversion. */
struct csv {
	char		 delim[8];	/* the delimiter, UTF-8 */
	char		**names;	/* column names */
	size_t		 nnames;
	bool		 header;	/* #TYPE and header still to write */
};

/* An Export-Csv target. */
struct export {
	char		*given;		/* -Path or -LiteralPath as typed */
	struct textfile	 tf;
	bool		 appending;	/* -Append to a non-empty file */
	enum text_enc	 enc;
};

static struct value	*conv_input(struct cmd_ctx *);
static char		*conv_double(double, bool);
static size_t		 conv_utf16_len(const char *, size_t);
static char		*conv_tostring(const struct value *);
static char		*conv_object_text(const struct value *);
static char		*conv_psstring(const struct value *);
static int		 cmd_convertto_json_exec(struct cmd_ctx *);
static void		 json_quote(struct buf *, const char *);
static bool		 json_scalar(struct buf *, const struct value *);
static void		 json_value(struct json *, struct buf *,
			    const struct value *, int64_t);
static void		 json_object(struct json *, struct buf *,
			    const struct value *, int64_t);
static void		 json_hash(struct json *, struct buf *,
			    const struct value *, int64_t);
static void		 json_pad(struct buf *, size_t);
static size_t		 json_quoted(struct jpretty *, size_t);
static size_t		 json_list(struct jpretty *, size_t, size_t, size_t);
static size_t		 json_dict(struct jpretty *, size_t, size_t, size_t);
static char		*json_pretty(const char *);
static struct value	*csv_view(const struct value *);
static int		 csv_start(struct cmd_ctx *, struct csv *);
static void		 csv_names(struct csv *, const struct value *);
static void		 csv_names_free(struct csv *);
static void		 csv_field(struct buf *, const char *);
static void		 csv_header(struct csv *, struct buf *);
static void		 csv_row(struct csv *, struct buf *,
			    const struct value *);
static void		 csv_lines(struct csv *, struct buf *,
			    const struct value *, bool);
static int		 cmd_convertto_csv_exec(struct cmd_ctx *);
static int		 cmd_export_csv_exec(struct cmd_ctx *);
static void		 export_write(struct cmd_ctx *, struct export *,
			    struct csv *, const struct value *);
static char		*export_given(struct cmd_ctx *);
static int		 export_target(struct cmd_ctx *, struct export *);
static int		 export_read_header(struct cmd_ctx *, struct export *,
			    struct csv *);
static int		 export_reconcile(struct cmd_ctx *, struct export *,
			    struct csv *, const struct value *);
static int		 export_copy(struct cmd_ctx *, struct export *, bool);
static void		 export_free(struct export *);

/*
 * ConvertTo-Json.
 */
static const struct param_entry convertto_json_params[] = {
	PARAM("InputObject", NULL, PT_OBJECT,
	  P_MANDATORY | P_POSITIONAL | P_PIPELINE, 0, NULL, 0, 0,
	  NULL,
	  "The objects to convert; usually piped in. Several objects make "
	  "a JSON array."),
	PARAM("Depth", NULL, PT_INT, 0, 0, NULL, 1, INT32_MAX, NULL,
	  "How many levels of contained objects are written out (default "
	  "2); deeper ones become their text."),
	PARAM("Compress", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Writes the JSON on one line, without indentation or spaces."),
	PARAM_END
};

const struct cmdlet_entry cmd_convertto_json_entry = {
	.name = "ConvertTo-Json",
	.synopsis = "Converts an object to a JSON-formatted string.",
	.params = convertto_json_params,
	.flags = 0,
	.class_name = PS_CLASS("ConvertToJsonCommand"),
	.exec = cmd_convertto_json_exec,
	.description = "ConvertTo-Json outputs one string holding its input "
	    "as JSON, laid out as Windows PowerShell 5.1 lays it out: an "
	    "object for one input object, an array for several. Properties "
	    "keep the names Format-List shows; dates are \"\\/Date(ms)\\/\" "
	    "and < > & ' are written as \\u003c \\u003e \\u0026 \\u0027."
};

/*
 * ConvertTo-Csv and Export-Csv.
 */
static const struct param_entry convertto_csv_params[] = {
	PARAM("InputObject", NULL, PT_OBJECT,
	  P_MANDATORY | P_POSITIONAL | P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to convert; usually piped in."),
	PARAM("Delimiter", NULL, PT_STRING, P_POSITIONAL, 1, NULL, 0, 0,
	  "System.Char",
	  "The character between fields (default: a comma)."),
	PARAM("NoTypeInformation", "NTI", PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Leaves out the first line, #TYPE and the type name."),
	PARAM_END
};

const struct cmdlet_entry cmd_convertto_csv_entry = {
	.name = "ConvertTo-Csv",
	.synopsis = "Converts objects into a series of comma-separated "
	    "value (CSV) strings.",
	.params = convertto_csv_params,
	.flags = 0,
	.class_name = PS_CLASS("ConvertToCsvCommand"),
	.exec = cmd_convertto_csv_exec,
	.description = "ConvertTo-Csv outputs one string per CSV line: "
	    "#TYPE and the type name, a header of the first object's "
	    "property names, then one line per object with every value "
	    "quoted. A collection shows as System.Object[]; join it first "
	    "with Select-Object @{n='Name';e={$_.Name -join ';'}}."
};

static const struct param_entry export_csv_params[] = {
	PARAM("Path", NULL, PT_STRING, P_POSITIONAL, 0, NULL, 0, 0,
	  NULL, "The file to write."),
	PARAM("LiteralPath", "PSPath", PT_STRING, 0, 0, NULL, 0, 0,
	  NULL, "The file to write, taken exactly as typed."),
	PARAM("Delimiter", NULL, PT_STRING, P_POSITIONAL, 1, NULL, 0, 0,
	  "System.Char",
	  "The character between fields (default: a comma)."),
	PARAM("NoTypeInformation", "NTI", PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Leaves out the first line, #TYPE and the type name."),
	PARAM("Append", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Adds lines to the end of an existing file, in the columns of "
	  "its header."),
	PARAM("Force", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Overwrites a read-only file (it stays read-only); with -Append, "
	  "appends objects that lack some of the file's columns."),
	PARAM("NoClobber", "NoOverwrite", PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Refuses to replace an existing file."),
	PARAM("Encoding", NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "UTF8 (with a byte order mark), ASCII, Unicode, BigEndianUnicode, "
	  "UTF32, Default or OEM; without it, UTF-8 without a byte order "
	  "mark."),
	PARAM("InputObject", NULL, PT_OBJECT, P_MANDATORY | P_PIPELINE, 0, NULL,
	  0, 0, "System.Management.Automation.PSObject",
	  "The objects to export; usually piped in."),
	PARAM_END
};

const struct cmdlet_entry cmd_export_csv_entry = {
	.name = "Export-Csv",
	.synopsis = "Converts objects into a series of comma-separated "
	    "value (CSV) strings and saves the strings in a CSV file.",
	.params = export_csv_params,
	.flags = C_SHOULDPROCESS,
	.class_name = PS_CLASS("ExportCsvCommand"),
	.exec = cmd_export_csv_exec,
	.description = "Export-Csv writes the lines ConvertTo-Csv would "
	    "output to a file. The file is replaced as a whole: a failed "
	    "export leaves an existing file as it was."
};

/*
 * Shared helpers.
 */

/*
 * The objects to convert, as a new array: the pipeline input less its
 * nulls, else -InputObject as one object (an array stays one array).
 */
static struct value *
conv_input(struct cmd_ctx *ctx)
{
	struct value	*in, *v;
	size_t		 i;

	in = value_array();
	if (ctx->ninput > 0) {
		for (i = 0; i < ctx->ninput; i++) {
			if (ctx->input[i]->type != V_NULL)
				value_array_push(in, value_ref(ctx->input[i]));
		}
	} else if ((v = bound_get(ctx->args, "InputObject")) != NULL &&
	    v->type != V_NULL)
		value_array_push(in, value_ref(v));
	return (in);
}

/*
 * A double as .NET writes it: ToString() (15 significant digits), or
 * with roundtrip the "R" form (15 digits when they read back the same,
 * else 17).
 */
static char *
conv_double(double d, bool roundtrip)
{
	char	*s;

	s = dotnet_double_text(d);
	if (roundtrip && isfinite(d) && strtod(s, NULL) != d) {
		free(s);
		s = xprintf("%.17G", d);
	}
	return (s);
}

/* Length in UTF-16 code units of n bytes of UTF-8, as .NET counts. */
static size_t
conv_utf16_len(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, len = 0;

	for (i = 0; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			len++;
		if (p[i] >= 0xf0)
			len++;
	}
	return (len);
}

/*
 * A value's .NET ToString(), as Export-Csv writes a property: NULL for
 * $null, a collection's type name, dates in en-US general form.
 */
static char *
conv_tostring(const struct value *v)
{
	switch (v->type) {
	case V_NULL:
		return (NULL);
	case V_ARRAY:
	case V_HASH:
	case V_SECURE:
		return (xstrdup(value_type_name(v)));
	case V_OBJECT:
		return (conv_object_text(v));
	case V_DOUBLE:
		return (conv_double(v->u.d, false));
	case V_DATE:
	case V_SCRIPT:
		return (format_cell(v));
	default:
		return (value_to_string(v));
	}
}

/*
 * An object's ToString(): its own text when it has one (the deserialized
 * objects of the Exchange Management Shell carry it), else PSObject's
 * "@{Name=value; ...}".
 */
static char *
conv_object_text(const struct value *v)
{
	const struct object	*o = v->u.obj;
	struct buf		 b;
	char			*s;
	size_t			 i;

	if (o->text != NULL)
		return (xstrdup(o->text));
	if (o->nprops == 0)
		return (xstrdup(""));
	buf_init(&b);
	buf_adds(&b, "@{");
	for (i = 0; i < o->nprops; i++) {
		if (i > 0)
			buf_adds(&b, "; ");
		buf_adds(&b, o->props[i].name);
		buf_addc(&b, '=');
		if ((s = conv_tostring(o->props[i].val)) != NULL) {
			buf_adds(&b, s);
			free(s);
		}
	}
	buf_addc(&b, '}');
	return (buf_detach(&b));
}

/* PowerShell's conversion to string: collections joined by spaces. */
static char *
conv_psstring(const struct value *v)
{
	struct buf	 b;
	char		*s;
	size_t		 i;

	if (v->type != V_ARRAY) {
		s = conv_tostring(v);
		return (s != NULL ? s : xstrdup(""));
	}
	buf_init(&b);
	for (i = 0; i < v->u.arr.n; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		s = conv_psstring(v->u.arr.v[i]);
		buf_adds(&b, s);
		free(s);
	}
	return (buf_detach(&b));
}

/*
 * ConvertTo-Json.
 */
static int
cmd_convertto_json_exec(struct cmd_ctx *ctx)
{
	struct json	 j;
	struct value	*in, *dv;
	struct buf	 b;
	char		*text;

	in = conv_input(ctx);
	if (in->u.arr.n == 0) {
		value_unref(in);
		return (0);
	}
	memset(&j, 0, sizeof j);
	j.ctx = ctx;
	j.depth = 2;
	if ((dv = bound_get(ctx->args, "Depth")) != NULL && dv->type == V_INT)
		j.depth = dv->u.i;
	buf_init(&b);
	json_value(&j, &b, in->u.arr.n == 1 ? in->u.arr.v[0] : in, 0);
	value_unref(in);
	if (j.failed) {
		buf_free(&b);
		return (0);
	}
	if (bound_switch(ctx->args, "Compress"))
		text = buf_detach(&b);
	else {
		text = json_pretty(b.s);
		buf_free(&b);
	}
	cmd_emit(ctx, value_string_take(text));
	return (0);
}

/*
 * A JSON string as JavaScriptSerializer quotes it: \" \\ \b \f \n \r \t,
 * other control characters, < > & ' and the Unicode line separators as
 * \uXXXX (lower-case hex).
 */
static void
json_quote(struct buf *b, const char *s)
{
	size_t		len = strlen(s), i, n;
	uint32_t	c;

	buf_addc(b, '"');
	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &c);
		switch (c) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\b':
			buf_adds(b, "\\b");
			break;
		case '\f':
			buf_adds(b, "\\f");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		default:
			if (c < 0x20 || c == '<' || c == '>' || c == '&' ||
			    c == '\'' || c == 0x85 || c == 0x2028 ||
			    c == 0x2029)
				buf_addf(b, "\\u%04x", (unsigned int)c);
			else
				buf_add_utf8(b, c);
			break;
		}
	}
	buf_addc(b, '"');
}

/* A value written the same at any depth; false for the others. */
static bool
json_scalar(struct buf *b, const struct value *v)
{
	char	*s;

	switch (v->type) {
	case V_NULL:
		buf_adds(b, "null");
		return (true);
	case V_BOOL:
		buf_adds(b, v->u.b ? "true" : "false");
		return (true);
	case V_INT:
		buf_addf(b, "%lld", (long long)v->u.i);
		return (true);
	case V_DOUBLE:
		s = conv_double(v->u.d, true);
		buf_adds(b, s);
		free(s);
		return (true);
	case V_DATE:
		buf_addf(b, "\"\\/Date(%lld)\\/\"",
		    (long long)(v->u.date / 1000));
		return (true);
	case V_STRING:
		json_quote(b, v->u.s);
		return (true);
	default:
		return (false);
	}
}

/*
 * One value at the given depth (the input object is depth 0, its
 * properties depth 1).  Scalars are written at any depth; objects,
 * hashtables and collections deeper than -Depth become their text.
 */
static void
json_value(struct json *j, struct buf *b, const struct value *v,
    int64_t depth)
{
	struct value	*view;
	char		*s;
	size_t		 i;

	if (j->failed || json_scalar(b, v))
		return;
	if (depth > JSON_NEST_MAX) {
		cmd_error(j->ctx, ERR_STATEMENT, "NotSpecified",
		    "ArgumentException", "System.ArgumentException",
		    "RecursionLimit exceeded.");
		j->failed = true;
		return;
	}
	switch (v->type) {
	case V_ARRAY:
		if (depth > j->depth)
			break;
		buf_addc(b, '[');
		for (i = 0; i < v->u.arr.n && !j->failed; i++) {
			if (i > 0)
				buf_addc(b, ',');
			json_value(j, b, v->u.arr.v[i], depth + 1);
		}
		buf_addc(b, ']');
		return;
	case V_HASH:
		if (depth > j->depth)
			break;
		json_hash(j, b, v, depth);
		return;
	case V_OBJECT:
		if (depth > j->depth)
			break;
		json_object(j, b, v, depth);
		return;
	case V_SECURE:
	case V_TIMESPAN:
		if (depth > j->depth)
			break;
		view = v->type == V_SECURE ? csv_view(v) :
		    dotnet_display(v, true);
		json_object(j, b, view, depth);
		value_unref(view);
		return;
	default:
		break;
	}
	s = conv_psstring(v);
	json_quote(b, s);
	free(s);
}

/* An object's properties, in order, under the names it carries. */
static void
json_object(struct json *j, struct buf *b, const struct value *v,
    int64_t depth)
{
	const struct object	*o = v->u.obj;
	size_t			 i;

	buf_addc(b, '{');
	for (i = 0; i < o->nprops && !j->failed; i++) {
		if (i > 0)
			buf_addc(b, ',');
		json_quote(b, o->props[i].name);
		buf_addc(b, ':');
		json_value(j, b, o->props[i].val, depth + 1);
	}
	buf_addc(b, '}');
}

/* A hashtable; its keys must be strings, as 5.1 requires. */
static void
json_hash(struct json *j, struct buf *b, const struct value *v,
    int64_t depth)
{
	size_t	i;

	buf_addc(b, '{');
	for (i = 0; i < v->u.hash.n && !j->failed; i++) {
		if (v->u.hash.e[i].key->type != V_STRING) {
			cmd_error(j->ctx, ERR_STATEMENT, "InvalidOperation",
			    "InvalidOperationException",
			    "NonStringKeyInDictionary", "The type '%s' is not "
			    "supported for serialization or deserialization "
			    "of a dictionary. Keys must be strings.",
			    value_type_name(v));
			j->failed = true;
			return;
		}
		if (i > 0)
			buf_addc(b, ',');
		json_quote(b, v->u.hash.e[i].key->u.s);
		buf_addc(b, ':');
		json_value(j, b, v->u.hash.e[i].val, depth + 1);
	}
	buf_addc(b, '}');
}

static void
json_pad(struct buf *b, size_t n)
{
	buf_pad(b, ' ', n);
}

/*
 * Copy a quoted string whose opening quote is at i; returns the index of
 * its closing quote (a quote after an odd run of backslashes is escaped).
 */
static size_t
json_quoted(struct jpretty *p, size_t i)
{
	size_t	k, start = i;
	bool	escaped;

	buf_addc(p->out, '"');
	for (i = i + 1; i < p->len; i++) {
		buf_addc(p->out, p->s[i]);
		if (p->s[i] != '"')
			continue;
		escaped = false;
		for (k = i; k > start + 1 && p->s[k - 1] == '\\'; k--)
			escaped = !escaped;
		if (!escaped)
			return (i);
	}
	return (p->len - 1);
}

/*
 * The elements of an array that opened before i, as 5.1 lays them out: one
 * per line at pad + nsp + 4 spaces; the closing bracket at pad + nsp.
 * Returns the index of the closing bracket.
 */
static size_t
json_list(struct jpretty *p, size_t i, size_t pad, size_t nsp)
{
	size_t	inner = pad + nsp + 4;
	bool	head = true;

	buf_addc(p->out, '\n');
	for (; i < p->len; i++) {
		switch (p->s[i]) {
		case '{':
		case '[':
			json_pad(p->out, inner);
			buf_addc(p->out, p->s[i]);
			i = p->s[i] == '{' ? json_dict(p, i + 1, inner, 0) :
			    json_list(p, i + 1, inner, 0);
			head = false;
			break;
		case ']':
			buf_addc(p->out, '\n');
			json_pad(p->out, pad + nsp);
			buf_addc(p->out, ']');
			return (i);
		case '"':
			if (head)
				json_pad(p->out, inner);
			i = json_quoted(p, i);
			head = false;
			break;
		case ',':
			buf_adds(p->out, ",\n");
			head = true;
			break;
		default:
			if (head)
				json_pad(p->out, inner);
			buf_addc(p->out, p->s[i]);
			head = false;
			break;
		}
	}
	return (p->len - 1);
}

/*
 * The members of an object that opened before i, as 5.1 lays them out:
 * "key":  value lines at pad + nsp + 4 spaces.  A nested object or array
 * opens after its key and is laid out as if it started in that column:
 * its nsp is the width of "key":  in UTF-16 units.  Returns the index of
 * the closing brace.
 */
static size_t
json_dict(struct jpretty *p, size_t i, size_t pad, size_t nsp)
{
	size_t	inner = pad + nsp + 4, key = 0, end;
	bool	head = true, before = true;

	buf_addc(p->out, '\n');
	for (; i < p->len; i++) {
		switch (p->s[i]) {
		case '{':
		case '[':
			buf_addc(p->out, p->s[i]);
			i = p->s[i] == '{' ? json_dict(p, i + 1, inner, key) :
			    json_list(p, i + 1, inner, key);
			head = false;
			break;
		case '}':
			buf_addc(p->out, '\n');
			json_pad(p->out, pad + nsp);
			buf_addc(p->out, '}');
			return (i);
		case '"':
			if (head)
				json_pad(p->out, inner);
			end = json_quoted(p, i);
			if (before)
				key += conv_utf16_len(p->s + i, end - i + 1);
			i = end;
			head = false;
			break;
		case ':':
			buf_adds(p->out, ":  ");
			key += 3;
			head = false;
			before = false;
			break;
		case ',':
			buf_adds(p->out, ",\n");
			head = true;
			before = true;
			key = 0;
			break;
		default:
			if (head)
				json_pad(p->out, inner);
			buf_addc(p->out, p->s[i]);
			if (before)
				key++;
			head = false;
			break;
		}
	}
	return (p->len - 1);
}

/* The compact text laid out as 5.1 lays it out; scalars unchanged. */
static char *
json_pretty(const char *s)
{
	struct jpretty	 p;
	struct buf	 b;

	if (s[0] != '{' && s[0] != '[')
		return (xstrdup(s));
	buf_init(&b);
	p.s = s;
	p.len = strlen(s);
	p.out = &b;
	buf_addc(&b, s[0]);
	if (s[0] == '{')
		json_dict(&p, 1, 0, 0);
	else
		json_list(&p, 1, 0, 0);
	return (buf_detach(&b));
}

/*
 * ConvertTo-Csv and Export-Csv.
 */

/*
 * What the CSV writer sees of a value, as an object (new reference): an
 * object itself; for the few others the .NET properties 5.1 would write
 * (a string's Length, a hashtable's IsReadOnly ... Count, an array's
 * Count, Length ...); nothing for other scalars.
 */
static struct value *
csv_view(const struct value *v)
{
	struct value	*o;
	int64_t		 n;

	if (v->type == V_OBJECT)
		return (value_ref((struct value *)v));
	o = value_object(value_type_name(v), NULL);
	switch (v->type) {
	case V_STRING:
	case V_SECURE:
		object_add_const(o, "Length", value_int((int64_t)
		    conv_utf16_len(v->u.s, strlen(v->u.s))));
		break;
	case V_HASH:
		object_add_const(o, "IsReadOnly", value_bool(false));
		object_add_const(o, "IsFixedSize", value_bool(false));
		object_add_const(o, "IsSynchronized", value_bool(false));
		object_add_const(o, "Keys", value_string(
		    "System.Collections.Hashtable+KeyCollection"));
		object_add_const(o, "Values", value_string(
		    "System.Collections.Hashtable+ValueCollection"));
		object_add_const(o, "SyncRoot", value_string("System.Object"));
		object_add_const(o, "Count", value_int((int64_t)v->u.hash.n));
		break;
	case V_ARRAY:
		n = (int64_t)v->u.arr.n;
		object_add_const(o, "Count", value_int(n));
		object_add_const(o, "Length", value_int(n));
		object_add_const(o, "LongLength", value_int(n));
		object_add_const(o, "Rank", value_int(1));
		object_add_const(o, "SyncRoot", value_string(
		    "System.Object[]"));
		object_add_const(o, "IsReadOnly", value_bool(false));
		object_add_const(o, "IsFixedSize", value_bool(true));
		object_add_const(o, "IsSynchronized", value_bool(false));
		break;
	default:
		break;
	}
	return (o);
}

/* A conversion with its -Delimiter; -1 after an error. */
static int
csv_start(struct cmd_ctx *ctx, struct csv *c)
{
	memset(c, 0, sizeof *c);
	c->header = true;
	return (csv_delimiter_arg(ctx, c->delim));
}

/* The columns: the property names of the first object. */
static void
csv_names(struct csv *c, const struct value *first)
{
	struct value	*o;
	size_t		 i;

	o = csv_view(first);
	c->nnames = o->u.obj->nprops;
	c->names = xcalloc(c->nnames + 1, sizeof *c->names);
	for (i = 0; i < c->nnames; i++)
		c->names[i] = xstrdup(o->u.obj->props[i].name);
	value_unref(o);
}

static void
csv_names_free(struct csv *c)
{
	size_t	i;

	for (i = 0; i < c->nnames; i++)
		free(c->names[i]);
	free(c->names);
	c->names = NULL;
	c->nnames = 0;
}

/* A field in quotes, quotes doubled; NULL is an empty, unquoted field. */
static void
csv_field(struct buf *b, const char *s)
{
	if (s == NULL)
		return;
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

static void
csv_header(struct csv *c, struct buf *b)
{
	size_t	i;

	for (i = 0; i < c->nnames; i++) {
		if (i > 0)
			buf_adds(b, c->delim);
		csv_field(b, c->names[i]);
	}
	buf_addc(b, '\n');
}

/* One object's line; a column the object lacks is an empty field. */
static void
csv_row(struct csv *c, struct buf *b, const struct value *item)
{
	struct value	*o, *pv;
	char		*s;
	size_t		 i;

	o = csv_view(item);
	for (i = 0; i < c->nnames; i++) {
		if (i > 0)
			buf_adds(b, c->delim);
		if ((pv = object_get(o, c->names[i])) == NULL)
			continue;
		s = conv_tostring(pv);
		csv_field(b, s);
		free(s);
	}
	buf_addc(b, '\n');
	value_unref(o);
}

/*
 * The lines for the objects in in, each ending in LF: when c->header,
 * #TYPE (unless notype) and the header first, the columns taken from the
 * first object unless already set.
 */
static void
csv_lines(struct csv *c, struct buf *b, const struct value *in, bool notype)
{
	const struct value	*first;
	const char		*type;
	size_t			 i;

	if (in->u.arr.n == 0)
		return;
	first = in->u.arr.v[0];
	if (c->names == NULL)
		csv_names(c, first);
	if (c->header) {
		/* An imported object's "CSV:" goes, as 5.1's GetTypeString
		 * drops it: the type round-trips. */
		type = value_type_name(first);
		if (strncmp(type, "CSV:", 4) == 0)
			type += 4;
		if (!notype)
			buf_addf(b, "#TYPE %s\n", type);
		csv_header(c, b);
	}
	for (i = 0; i < in->u.arr.n; i++)
		csv_row(c, b, in->u.arr.v[i]);
}

static int
cmd_convertto_csv_exec(struct cmd_ctx *ctx)
{
	struct value	*in;
	struct csv	 c;
	struct buf	 b;
	char		*line, *nl;

	if (csv_start(ctx, &c) != 0)
		return (0);
	in = conv_input(ctx);
	buf_init(&b);
	csv_lines(&c, &b, in, bound_switch(ctx->args, "NoTypeInformation"));
	for (line = b.s; (nl = strchr(line, '\n')) != NULL; line = nl + 1)
		cmd_emit(ctx, value_string_take(xstrndup(line,
		    (size_t)(nl - line))));
	buf_free(&b);
	csv_names_free(&c);
	value_unref(in);
	return (0);
}

/*
 * Export-Csv.
 */
static int
cmd_export_csv_exec(struct cmd_ctx *ctx)
{
	struct export	 ex;
	struct value	*in;
	struct csv	 c;
	char		*desc;

	memset(&ex, 0, sizeof ex);
	ex.tf.fd = -1;
	if (csv_start(ctx, &c) != 0)
		return (0);
	if (textfile_encoding(ctx, &textfile_csv_encodings, &ex.enc) != 0 ||
	    (ex.given = export_given(ctx)) == NULL)
		goto out;
	desc = xprintf("Performing the operation \"Export-Csv\" on target "
	    "\"%s\".", ex.given);
	if (!cmd_should_process(ctx, desc)) {
		free(desc);
		goto out;
	}
	free(desc);
	in = conv_input(ctx);
	if (export_target(ctx, &ex) == 0 &&
	    export_read_header(ctx, &ex, &c) == 0 &&
	    export_reconcile(ctx, &ex, &c, in) == 0)
		export_write(ctx, &ex, &c, in);
	value_unref(in);
out:
	export_free(&ex);
	csv_names_free(&c);
	return (0);
}

/*
 * The lines for the objects, encoded (a byte order mark first unless
 * appending), after the existing file's bytes when appending; then the
 * file replaces the target.
 */
static void
export_write(struct cmd_ctx *ctx, struct export *ex, struct csv *c,
    const struct value *in)
{
	struct buf	 text, bytes;

	buf_init(&text);
	buf_init(&bytes);
	csv_lines(c, &text, in, bound_switch(ctx->args, "NoTypeInformation"));
	if (!ex->appending)
		textfile_bom(&bytes, ex->enc);
	textfile_encode(&bytes, text.s, text.len, ex->enc);
	if (textfile_begin(&ex->tf, false) != 0)
		textfile_open_error(ctx, ex->tf.full, errno);
	else if (export_copy(ctx, ex, text.len > 0) == 0) {
		if (textfile_write(&ex->tf, bytes.s, bytes.len) != 0 ||
		    textfile_commit(&ex->tf) != 0)
			textfile_write_error(ctx, errno);
	}
	buf_free(&text);
	buf_free(&bytes);
}

/* -Path or -LiteralPath (exactly one, not empty); NULL after an error. */
static char *
export_given(struct cmd_ctx *ctx)
{
	struct value	*v;
	const char	*param;
	char		*s;

	if ((v = textfile_path_arg(ctx, TP_VALIDATE, &param)) == NULL)
		return (NULL);
	s = value_to_string(v);
	if (*s == '\0') {
		cmd_error(ctx, ERR_STATEMENT, "InvalidData",
		    "ParameterBindingValidationException",
		    "ParameterArgumentValidationError", "Cannot validate "
		    "argument on parameter '%s'. The argument is null or "
		    "empty. Provide an argument that is not null or empty, "
		    "and then try the command again.", param);
		free(s);
		return (NULL);
	}
	return (s);
}

/*
 * Where to write, and whether 5.1 would refuse: a directory, a read-only
 * file without -Force, an existing file with -NoClobber (and no
 * -Append).  A symbolic link is written through.
 */
static int
export_target(struct cmd_ctx *ctx, struct export *ex)
{
	if (textfile_target(&ex->tf, ex->given) != 0) {
		textfile_open_error(ctx, ex->tf.full, errno);
		return (-1);
	}
	return (textfile_clobber_check(ctx, &ex->tf, ex->given,
	    bound_switch(ctx->args, "NoClobber") &&
	    !bound_switch(ctx->args, "Append"),
	    bound_switch(ctx->args, "Force")));
}

/*
 * With -Append and a file that has content: the columns of its header,
 * read as Import-Csv reads it, and its encoding, from a byte order mark.
 */
static int
export_read_header(struct cmd_ctx *ctx, struct export *ex, struct csv *c)
{
	struct textfile	*tf = &ex->tf;
	unsigned char	 head[HEAD_BYTES];
	struct buf	 text;
	enum text_enc	 enc;
	ssize_t		 n;
	size_t		 bom;
	int		 fd;

	if (!bound_switch(ctx->args, "Append") || !tf->exists ||
	    tf->direct || tf->st.st_size == 0)
		return (0);
	if ((fd = open(tf->path, O_RDONLY | O_CLOEXEC)) == -1) {
		textfile_open_error(ctx, tf->full, errno);
		return (-1);
	}
	n = read(fd, head, sizeof head);
	close(fd);
	if (n < 0) {
		textfile_open_error(ctx, tf->full, errno);
		return (-1);
	}
	enc = textfile_sniff(head, (size_t)n, &bom);
	if (bom > 0)
		ex->enc = enc;
	if ((size_t)n <= bom)
		return (0);
	ex->appending = true;
	c->header = false;
	buf_init(&text);
	textfile_decode(head + bom, (size_t)n - bom, ex->enc, &text);
	c->names = csv_header_names(text.s != NULL ? text.s : "", c->delim,
	    &c->nnames);
	buf_free(&text);
	return (0);
}

/*
 * Appending: every column of the file must be a property of the first
 * object, unless -Force.  -1 after the error.
 */
static int
export_reconcile(struct cmd_ctx *ctx, struct export *ex, struct csv *c,
    const struct value *in)
{
	struct value	*o;
	size_t		 i;
	int		 rc = 0;

	if (!ex->appending || c->names == NULL || in->u.arr.n == 0 ||
	    bound_switch(ctx->args, "Force"))
		return (0);
	o = csv_view(in->u.arr.v[0]);
	for (i = 0; i < c->nnames && rc == 0; i++) {
		if (object_get(o, c->names[i]) != NULL)
			continue;
		cmd_error(ctx, ERR_STATEMENT, "InvalidData",
		    "InvalidOperationException",
		    "CannotAppendCsvWithMismatchedPropertyNames",
		    "Cannot append CSV content to the following file: %s. "
		    "The appended object does not have a property that "
		    "corresponds to the following column: %s. To continue "
		    "with mismatched properties, add the -Force parameter, "
		    "and then retry the command.", ex->given, c->names[i]);
		rc = -1;
	}
	value_unref(o);
	return (rc);
}

/*
 * Appending: the existing file's bytes go first, and a line end after
 * them when they lack one and more lines follow.
 */
static int
export_copy(struct cmd_ctx *ctx, struct export *ex, bool more)
{
	char	last;

	if (!ex->appending)
		return (0);
	if (textfile_copy(&ex->tf, &last) != 0) {
		textfile_write_error(ctx, errno);
		return (-1);
	}
	if (more && last != '\n' && (ex->enc == TE_DEFAULT ||
	    ex->enc == TE_UTF8 || ex->enc == TE_ASCII) &&
	    textfile_write(&ex->tf, "\n", 1) != 0) {
		textfile_write_error(ctx, errno);
		return (-1);
	}
	return (0);
}

/* Release the target; a temporary file still there is removed. */
static void
export_free(struct export *ex)
{
	textfile_free(&ex->tf);
	free(ex->given);
}
