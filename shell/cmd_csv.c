/*
 * cmd_csv.c - Import-Csv and ConvertFrom-Csv: the CSV reader.
 *
 * The reader is Windows PowerShell's (ImportCsvHelper), field for field:
 * a first line that starts with '#' is the type line ("#TYPE name" makes
 * the objects' type "CSV:name"), the next record that is not blank is the
 * header (empty names at its end dropped; other empty names become H1,
 * H2 ... with PowerShell's warning; a name given twice, in any case, is
 * PowerShell's "The member ... is already present."), then one object per
 * record that is not blank.  Fields are quoted with '"' (a doubled quote
 * is one quote; the delimiter and line ends are text inside quotes);
 * blanks before a field are dropped; text after a closing quote is kept;
 * a record with fewer fields than the header leaves the rest $null, and
 * extra fields are dropped.  Lines end at CR LF, LF or CR.
 *
 * ConvertFrom-Csv reads each input string the same way, the header and
 * type line of the first ones holding for the rest.  The ExportCsv
 * -Append header is read by csv_header_names.
 *
 * Each object's properties are strings in header order, so
 * "Import-Csv partners.csv | % { New-SendConnector -Name $_.Name ... }"
 * binds them as typed text.  A record longer than TEXTFILE_LINE_MAX bytes
 * is refused, as is a file over TEXTFILE_MAX.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "textfile.h"
#include "xmalloc.h"

#define CSV_UNSPECIFIED	"H"	/* name of an empty header, then 1, 2 */

/* The fields of one record. */
struct csv_fields {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

/* Reading one text: where we are, and what holds between texts. */
struct csv_in {
	const char	*s;		/* UTF-8 text */
	size_t		 len;
	size_t		 pos;
	uint32_t	 delim;
	size_t		 start;		/* where the record began */
	bool		 too_long;	/* a record over TEXTFILE_LINE_MAX */
};

/* One Import-Csv or ConvertFrom-Csv run. */
struct csv_import {
	struct cmd_ctx	*ctx;
	uint32_t	 delim;
	char		**names;	/* the header; NULL until read */
	size_t		 nnames;
	bool		 fixed;		/* names are -Header's */
	char		*type;		/* "CSV:name", or NULL */
	bool		 typed;		/* the type line was looked for */
	bool		 warned;	/* the H1 warning was written */
	const char	*full;		/* the file, for messages, or NULL */
};

static int		 cmd_import_csv_exec(struct cmd_ctx *);
static int		 cmd_convertfrom_csv_exec(struct cmd_ctx *);
static int		 csv_setup(struct cmd_ctx *, struct csv_import *);
static bool		 csv_eof(const struct csv_in *);
static uint32_t		 csv_getc(struct csv_in *);
static bool		 csv_peek(const struct csv_in *, uint32_t);
static bool		 csv_newline(struct csv_in *, uint32_t, const char **);
static void		 csv_add(struct csv_fields *, struct buf *);
static void		 csv_fields_clear(struct csv_fields *);
static void		 csv_till_delim(struct csv_in *, struct buf *, bool *,
			    bool);
static void		 csv_record(struct csv_in *, struct csv_fields *);
static char		*csv_type_line(struct csv_in *);
static void		 csv_header(struct csv_in *, struct csv_fields *);
static int		 csv_names(struct csv_import *);
static void		 csv_object(struct csv_import *, struct csv_fields *);
static int		 csv_import(struct csv_import *, const char *, size_t);
static void		 csv_reset(struct csv_import *);
static void		 csv_import_free(struct csv_import *);

static const struct param_entry import_csv_params[] = {
	PARAM("Path", NULL, PT_OBJECT, P_POSITIONAL | P_PIPELINE, 0, NULL, 0,
	  0, "System.String[]", "The CSV files to read, taken as typed "
	  "(no wildcards); a backslash is a separator."),
	PARAM("Delimiter", NULL, PT_STRING, P_POSITIONAL, 1, NULL, 0, 0,
	  "System.Char", "The character between fields (default: a comma)."),
	PARAM("LiteralPath", "PSPath", PT_OBJECT, P_BYNAME, 0, NULL, 0, 0,
	  "System.String[]", "The CSV files to read, taken exactly as "
	  "typed."),
	PARAM("UseCulture", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Uses the culture's list separator, a comma in en-US."),
	PARAM("Header", NULL, PT_OBJECT, 0, 0, NULL, 0, 0, "System.String[]",
	  "Property names to use instead of the file's first line, which "
	  "is then read as data."),
	PARAM("Encoding", NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "How a file without a byte order mark is encoded: UTF8 (the "
	  "default), ASCII, Unicode, BigEndianUnicode, UTF32, Default or "
	  "OEM (both UTF-8). A byte order mark always wins."),
	PARAM_END
};

const struct cmdlet_entry cmd_import_csv_entry = {
	.name = "Import-Csv",
	.synopsis = "Creates table-like custom objects from the items in a "
	    "character-separated value (CSV) file.",
	.params = import_csv_params,
	.flags = 0,
	.class_name = PS_CLASS("ImportCsvCommand"),
	.exec = cmd_import_csv_exec,
	.description = "Import-Csv outputs one object per line of the file "
	    "after its header, with a string property per column in the "
	    "header's order. Quoted fields may hold the delimiter, doubled "
	    "quotes and line breaks; blank lines are skipped."
};

static const struct param_entry convertfrom_csv_params[] = {
	PARAM("InputObject", NULL, PT_OBJECT,
	  P_MANDATORY | P_POSITIONAL | P_PIPELINE | P_BYNAME, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject[]",
	  "The CSV text, usually piped in one line at a time."),
	PARAM("Delimiter", NULL, PT_STRING, P_POSITIONAL, 1, NULL, 0, 0,
	  "System.Char", "The character between fields (default: a comma)."),
	PARAM("UseCulture", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Uses the culture's list separator, a comma in en-US."),
	PARAM("Header", NULL, PT_OBJECT, 0, 0, NULL, 0, 0, "System.String[]",
	  "Property names to use instead of the first line, which is then "
	  "read as data."),
	PARAM_END
};

const struct cmdlet_entry cmd_convertfrom_csv_entry = {
	.name = "ConvertFrom-Csv",
	.synopsis = "Converts object properties in character-separated "
	    "value (CSV) format into CSV versions of the original objects.",
	.params = convertfrom_csv_params,
	.flags = 0,
	.class_name = PS_CLASS("ConvertFromCsvCommand"),
	.exec = cmd_convertfrom_csv_exec,
	.description = "ConvertFrom-Csv reads CSV text as Import-Csv reads a "
	    "file: the header from the first line (or -Header), then one "
	    "object per line with a string property per column."
};

/*
 * -Delimiter: one character, as UTF-8 in delim (a comma without it), for
 * every CSV cmdlet; -UseCulture is en-US's comma.  -1 after the error.
 */
int
csv_delimiter_arg(struct cmd_ctx *ctx, char delim[8])
{
	struct value	*v;
	uint32_t	 cp;
	char		*s;
	size_t		 len, n;

	memcpy(delim, ",", 2);
	if ((v = bound_get(ctx->args, "Delimiter")) == NULL)
		return (0);
	s = value_to_string(v);
	len = strlen(s);
	n = len > 0 ? utf8_decode(s, len, &cp) : 0;
	if (len == 0 || n != len || cp > 0xffff || cp == 0xfffd) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException",
		    "CannotConvertArgumentNoMessage", "Cannot bind parameter "
		    "'Delimiter'. Cannot convert value \"%s\" to type "
		    "\"System.Char\". Error: \"String must be exactly one "
		    "character long.\"", s);
		free(s);
		return (-1);
	}
	memcpy(delim, s, len + 1);
	free(s);
	return (0);
}

/* The delimiter and -Header, for both readers; -1 after the error. */
static int
csv_setup(struct cmd_ctx *ctx, struct csv_import *ci)
{
	struct value	*v, *hv;
	char		 delim[8];
	size_t		 i;

	memset(ci, 0, sizeof *ci);
	ci->ctx = ctx;
	if (csv_delimiter_arg(ctx, delim) != 0)
		return (-1);
	utf8_decode(delim, strlen(delim), &ci->delim);
	if ((v = bound_get(ctx->args, "Header")) == NULL)
		return (0);
	if ((hv = textfile_path_list(ctx, "Header", v, TP_VALIDATE)) == NULL)
		return (-1);
	ci->nnames = hv->u.arr.n;
	ci->names = xcalloc(ci->nnames + 1, sizeof *ci->names);
	for (i = 0; i < ci->nnames; i++)
		ci->names[i] = xstrdup(hv->u.arr.v[i]->u.s);
	value_unref(hv);
	ci->fixed = true;
	return (csv_names(ci));
}

/*
 * Characters.
 */
static bool
csv_eof(const struct csv_in *in)
{
	return (in->pos >= in->len);
}

static uint32_t
csv_getc(struct csv_in *in)
{
	uint32_t	c;

	in->pos += utf8_decode(in->s + in->pos, in->len - in->pos, &c);
	if (in->pos - in->start > TEXTFILE_LINE_MAX)
		in->too_long = true;
	return (c);
}

static bool
csv_peek(const struct csv_in *in, uint32_t c)
{
	uint32_t	next;

	if (csv_eof(in))
		return (false);
	utf8_decode(in->s + in->pos, in->len - in->pos, &next);
	return (next == c);
}

/* A line end at c (CR LF taken whole); *nl is its text. */
static bool
csv_newline(struct csv_in *in, uint32_t c, const char **nl)
{
	if (c == '\n') {
		*nl = "\n";
		return (true);
	}
	if (c != '\r')
		return (false);
	*nl = "\r";
	if (csv_peek(in, '\n')) {
		csv_getc(in);
		*nl = "\r\n";
	}
	return (true);
}

static void
csv_add(struct csv_fields *f, struct buf *cur)
{
	if (f->n == f->cap) {
		f->cap = f->cap == 0 ? 16 : f->cap * 2;
		f->v = xreallocarray(f->v, f->cap, sizeof *f->v);
	}
	f->v[f->n++] = xstrndup(cur->s != NULL ? cur->s : "", cur->len);
	buf_reset(cur);
}

static void
csv_fields_clear(struct csv_fields *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++)
		free(f->v[i]);
	f->n = 0;
}

/*
 * The rest of a field up to the delimiter or the line end (*eor).  With
 * eat, text that is only blanks is dropped.
 */
static void
csv_till_delim(struct csv_in *in, struct buf *cur, bool *eor, bool eat)
{
	struct buf	 tmp;
	const char	*nl;
	uint32_t	 c;
	bool		 text = false;

	buf_init(&tmp);
	for (;;) {
		if (csv_eof(in) || in->too_long) {
			*eor = true;
			break;
		}
		c = csv_getc(in);
		if (c == in->delim)
			break;
		if (csv_newline(in, c, &nl)) {
			*eor = true;
			break;
		}
		buf_add_utf8(&tmp, c);
		if (c != ' ' && c != '\t')
			text = true;
	}
	if (text || !eat)
		buf_add(cur, tmp.s != NULL ? tmp.s : "", tmp.len);
	buf_free(&tmp);
}

/* ParseNextRecord: the fields of the next record; none at the end. */
static void
csv_record(struct csv_in *in, struct csv_fields *f)
{
	struct buf	 cur;
	const char	*nl;
	uint32_t	 c;
	bool		 quoted = false, eor;

	csv_fields_clear(f);
	in->start = in->pos;
	buf_init(&cur);
	while (!csv_eof(in) && !in->too_long) {
		c = csv_getc(in);
		eor = false;
		if (c == in->delim) {
			if (quoted)
				buf_add_utf8(&cur, c);
			else
				csv_add(f, &cur);
		} else if (c == '"') {
			if (quoted && csv_peek(in, '"')) {
				csv_getc(in);
				buf_addc(&cur, '"');
				continue;
			}
			if (!quoted && cur.len == 0) {
				quoted = true;
				continue;
			}
			if (!quoted)
				buf_addc(&cur, '"');
			csv_till_delim(in, &cur, &eor, quoted);
			quoted = false;
			csv_add(f, &cur);
			if (eor)
				break;
		} else if (c == ' ' || c == '\t') {
			if (quoted)
				buf_add_utf8(&cur, c);
			else if (cur.len > 0) {
				buf_add_utf8(&cur, c);
				csv_till_delim(in, &cur, &eor, true);
				csv_add(f, &cur);
				if (eor)
					break;
			}
		} else if (csv_newline(in, c, &nl)) {
			if (quoted)
				buf_adds(&cur, nl);
			else {
				csv_add(f, &cur);
				break;
			}
		} else
			buf_add_utf8(&cur, c);
	}
	if (cur.len > 0)
		csv_add(f, &cur);
	buf_free(&cur);
}

/*
 * A first line that starts with '#' is read whole; "#TYPE name" gives
 * the type (heap), anything else is skipped.
 */
static char *
csv_type_line(struct csv_in *in)
{
	size_t	 end, a, b;

	if (!csv_peek(in, '#'))
		return (NULL);
	end = in->pos + strcspn(in->s + in->pos, "\r\n");
	a = in->pos;
	in->pos = end;
	if (in->s[in->pos] == '\r')
		in->pos++;
	if (in->s[in->pos] == '\n')
		in->pos++;
	if (end - a < 5 || strncasecmp(in->s + a, "#TYPE", 5) != 0)
		return (NULL);
	for (a += 5; a < end && strchr(" \t\v\f", in->s[a]) != NULL; a++)
		;
	for (b = end; b > a && strchr(" \t\v\f", in->s[b - 1]) != NULL; b--)
		;
	return (b > a ? xstrndup(in->s + a, b - a) : NULL);
}

/*
 * The header: the next record that is not blank, less the empty names
 * at its end (a line "a,b," has two columns).  None at the end of input.
 */
static void
csv_header(struct csv_in *in, struct csv_fields *f)
{
	for (;;) {
		csv_record(in, f);
		while (f->n > 1 && f->v[f->n - 1][0] == '\0')
			free(f->v[--f->n]);
		if (f->n != 1 || f->v[0][0] != '\0' || in->too_long)
			return;
	}
}

/*
 * Check the header: empty names become H1, H2 ... (and warn once); a name
 * twice is the error ImportCsvHelper throws.  -1 after it.
 */
static int
csv_names(struct csv_import *ci)
{
	size_t	i, j, h = 1;

	for (i = 0; i < ci->nnames; i++) {
		if (ci->names[i][0] != '\0')
			continue;
		free(ci->names[i]);
		ci->names[i] = xprintf("%s%zu", CSV_UNSPECIFIED, h++);
	}
	if (h > 1 && !ci->warned) {
		cmd_warning(ci->ctx, "One or more headers were not specified. "
		    "Default names starting with \"H\" have been used in place "
		    "of any missing headers.");
		ci->warned = true;
	}
	for (i = 0; i < ci->nnames; i++) {
		for (j = 0; j < i; j++) {
			if (strcasecmp_utf8(ci->names[i], ci->names[j]) != 0)
				continue;
			cmd_error(ci->ctx, ERR_STATEMENT, "NotSpecified",
			    "ExtendedTypeSystemException",
			    "AlreadyPresentPSMemberInfoInternalCollectionAdd",
			    "The member \"%s\" is already present.",
			    ci->names[i]);
			return (-1);
		}
	}
	return (0);
}

/* One record as an object: a string per column, $null past its end. */
static void
csv_object(struct csv_import *ci, struct csv_fields *f)
{
	struct value	*o;
	size_t		 i;

	o = value_object(ci->type != NULL ? ci->type : PSOBJECT_TYPE, NULL);
	object_reserve(o, ci->nnames);
	for (i = 0; i < ci->nnames; i++)
		object_add(o, ci->names[i], i < f->n ?
		    value_string(f->v[i]) : value_null());
	cmd_emit(ci->ctx, o);
}

/* Read one text: type line and header unless known, then the records. */
static int
csv_import(struct csv_import *ci, const char *s, size_t len)
{
	struct csv_fields	 f;
	struct csv_in		 in;
	char			*type;
	int			 rc = 0;

	memset(&in, 0, sizeof in);
	memset(&f, 0, sizeof f);
	in.s = s;
	in.len = len;
	in.delim = ci->delim;
	if (!ci->typed && !csv_eof(&in)) {
		ci->typed = true;
		if ((type = csv_type_line(&in)) != NULL) {
			ci->type = xprintf("CSV:%s", type);
			free(type);
		}
	}
	if (ci->names == NULL) {
		csv_header(&in, &f);
		if (f.n > 0 && !in.too_long) {
			ci->names = xreallocarray(f.v, f.n + 1,
			    sizeof *ci->names);
			ci->nnames = f.n;
			ci->names[f.n] = NULL;
			memset(&f, 0, sizeof f);
			rc = csv_names(ci);
		}
	}
	while (rc == 0 && !in.too_long && !ci->ctx->stop) {
		csv_record(&in, &f);
		if (f.n == 0 || in.too_long)
			break;
		if (f.n > 1 || f.v[0][0] != '\0')
			csv_object(ci, &f);
	}
	if (in.too_long && ci->full != NULL)
		textfile_open_error(ci->ctx, ci->full, EOVERFLOW);
	else if (in.too_long)
		cmd_error(ci->ctx, ERR_STATEMENT, "LimitsExceeded",
		    "InvalidDataException", "LineTooLong", "The CSV text "
		    "holds a line longer than %d bytes, the longest hubsh "
		    "reads.", TEXTFILE_LINE_MAX);
	if (in.too_long)
		rc = -1;
	csv_fields_clear(&f);
	free(f.v);
	return (rc);
}

/* Before the next file: its own type line and header. */
static void
csv_reset(struct csv_import *ci)
{
	size_t	i;

	free(ci->type);
	ci->type = NULL;
	ci->typed = false;
	if (ci->fixed)
		return;
	for (i = 0; i < ci->nnames; i++)
		free(ci->names[i]);
	free(ci->names);
	ci->names = NULL;
	ci->nnames = 0;
}

static void
csv_import_free(struct csv_import *ci)
{
	ci->fixed = false;
	csv_reset(ci);
}

/*
 * Import-Csv: each path in turn.  Every failure is terminating, as in
 * PowerShell: the files after it are not read.
 */
static int
cmd_import_csv_exec(struct cmd_ctx *ctx)
{
	struct csv_import	 ci;
	struct textread		 tr;
	struct value		*arg, *paths = NULL;
	const char		*param;
	enum text_enc		 enc;
	char			*full;
	size_t			 i;

	memset(&ci, 0, sizeof ci);
	if (textfile_encoding(ctx, &textfile_csv_encodings, &enc) != 0 ||
	    csv_setup(ctx, &ci) != 0) {
		csv_import_free(&ci);
		return (0);
	}
	if (ctx->ninput > 0 && !bound_has(ctx->args, "Path") &&
	    !bound_has(ctx->args, "LiteralPath")) {
		arg = builtin_input(ctx, "Path", true);
		paths = textfile_path_list(ctx, "Path", arg, TP_VALIDATE);
		value_unref(arg);
	} else if ((arg = textfile_path_arg(ctx, TP_VALIDATE, &param)) !=
	    NULL)
		paths = textfile_path_list(ctx, param, arg, TP_VALIDATE);
	for (i = 0; paths != NULL && i < paths->u.arr.n && !ctx->failed;
	    i++) {
		csv_reset(&ci);
		full = textfile_fullpath(paths->u.arr.v[i]->u.s);
		ci.full = full;
		if (textfile_read(full, enc, &tr) != 0)
			textfile_open_error(ctx, full, errno);
		else {
			csv_import(&ci, tr.text, tr.len);
			textread_free(&tr);
		}
		free(full);
	}
	if (paths != NULL)
		value_unref(paths);
	csv_import_free(&ci);
	return (0);
}

/* ConvertFrom-Csv: each input object's text in turn. */
static int
cmd_convertfrom_csv_exec(struct cmd_ctx *ctx)
{
	struct csv_import	 ci;
	struct value		*in;
	char			*s;
	size_t			 i;

	if (csv_setup(ctx, &ci) != 0) {
		csv_import_free(&ci);
		return (0);
	}
	in = builtin_input(ctx, "InputObject", true);
	for (i = 0; i < in->u.arr.n && !ctx->stop; i++) {
		if (in->u.arr.v[i]->type == V_NULL)
			continue;
		s = value_to_string(in->u.arr.v[i]);
		if (csv_import(&ci, s, strlen(s)) != 0)
			i = in->u.arr.n;
		free(s);
	}
	value_unref(in);
	csv_import_free(&ci);
	return (0);
}

/*
 * The column names of CSV text, as Export-Csv -Append reads an existing
 * file's header: NULL when it has none, else a heap array of n heap
 * strings (NULL-terminated).
 */
char **
csv_header_names(const char *text, const char *delim, size_t *n)
{
	struct csv_fields	 f;
	struct csv_in		 in;
	char			*type;

	memset(&in, 0, sizeof in);
	memset(&f, 0, sizeof f);
	in.s = text;
	in.len = strlen(text);
	utf8_decode(delim, strlen(delim), &in.delim);
	type = csv_type_line(&in);
	free(type);
	csv_header(&in, &f);
	*n = f.n;
	if (f.n == 0 || (f.n == 1 && f.v[0][0] == '\0')) {
		csv_fields_clear(&f);
		free(f.v);
		*n = 0;
		return (NULL);
	}
	f.v = xreallocarray(f.v, f.n + 1, sizeof *f.v);
	f.v[f.n] = NULL;
	return (f.v);
}
