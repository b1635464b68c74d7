/*
 * cmd_content.c - Get-Content, Set-Content and Add-Content: the content
 * of files, a string per line, as the FileSystem provider gives it.
 *
 * Get-Content outputs the lines of each file (a line ends at CR LF, LF or
 * CR; a line end at the end of the file does not make an empty line),
 * or with -Raw the whole text as one string, or with -Encoding Byte the
 * bytes as numbers.  A file it cannot read is a non-terminating error,
 * in PowerShell's words ("Cannot find path '/x' because it does not
 * exist."), and the next file is read.
 *
 * Set-Content replaces each file with the values given, one per line:
 * written to a temporary file, flushed to disk and renamed over the old
 * one (textfile.c), so the file is whole, old or new, whatever happens.
 * Add-Content appends them to the end of the file and flushes it.
 * Values are their text, as PowerShell's ToString() makes it; lines end
 * in LF, and the encoding is UTF-8 without a byte order mark unless
 * -Encoding says otherwise (Add-Content keeps the encoding a byte order
 * mark declares).  Paths are taken as typed: no wildcards.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "textfile.h"
#include "xmalloc.h"

static int		 cmd_get_content_exec(struct cmd_ctx *);
static int		 cmd_set_content_exec(struct cmd_ctx *);
static int		 cmd_add_content_exec(struct cmd_ctx *);
static void		 content_error(struct cmd_ctx *, const char *,
			    const char *, int);
static struct value	*content_input_paths(struct cmd_ctx *);
static struct value	*content_paths(struct cmd_ctx *);
static struct value	*content_pieces(struct cmd_ctx *, const char *,
			    const struct textread *, const char *);
static void		 content_emit(struct cmd_ctx *, struct value *);
static struct value	*content_values(struct cmd_ctx *);
static int		 content_bytes(struct cmd_ctx *, struct value *,
			    enum text_enc, bool, struct buf *);
static int		 content_write(struct cmd_ctx *, bool);
static int		 content_put(struct cmd_ctx *, struct textfile *,
			    enum text_enc, struct value *, bool);

#define CONTENT_PATH(help) \
	PARAM("Path", NULL, PT_OBJECT, P_POSITIONAL | P_BYNAME, 0, NULL, 0, \
	  0, "System.String[]", help), \
	PARAM("LiteralPath", "PSPath", PT_OBJECT, P_BYNAME, 0, NULL, 0, 0, \
	  "System.String[]", "The same, taken exactly as typed.")

static const struct param_entry get_content_params[] = {
	CONTENT_PATH("The files to read, taken as typed (no wildcards); a "
	  "backslash is a separator."),
	PARAM("ReadCount", NULL, PT_INT, 0, 0, NULL, 0, 0, "System.Int64",
	  "How many lines go down the pipeline together (default 1); 0 "
	  "sends all of them as one array."),
	PARAM("TotalCount", "First, Head", PT_INT, 0, 0, NULL, 0, 0,
	  "System.Int64", "Reads only this many lines from the start."),
	PARAM("Tail", "Last", PT_INT, 0, 0, NULL, 0, 0, NULL,
	  "Outputs only this many lines from the end."),
	PARAM("Raw", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Outputs the whole file as one string, line ends included."),
	PARAM("Delimiter", NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "Splits the file at this text instead of at line ends; each "
	  "piece keeps it at its end."),
	PARAM("Encoding", NULL, PT_ENUM, 0, 0, textfile_provider_encodings,
	  0, 0, TEXTFILE_PROVIDER_TYPE, "How a file without a byte order "
	  "mark is encoded (default UTF-8); Byte outputs the bytes as "
	  "numbers. A byte order mark always wins."),
	PARAM("Force", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Accepted for compatibility."),
	PARAM_END
};

const struct cmdlet_entry cmd_get_content_entry = {
	.name = "Get-Content",
	.synopsis = "Gets the content of the item at the specified location.",
	.params = get_content_params,
	.flags = 0,
	.class_name = PS_CLASS("GetContentCommand"),
	.exec = cmd_get_content_exec,
	.description = "Get-Content outputs each line of the files as a "
	    "string, without its line end. Files are read whole, up to 64 "
	    "MB, lines up to 1 MB."
};

/* Set-Content and Add-Content take the same parameters. */
static const struct param_entry write_content_params[] = {
	CONTENT_PATH("The files to write, taken as typed (no wildcards); a "
	  "backslash is a separator."),
	PARAM("Value", NULL, PT_OBJECT, P_MANDATORY | P_POSITIONAL |
	  P_PIPELINE | P_BYNAME, 1, NULL, 0, 0, "System.Object[]",
	  "What to write: each value's text on a line of its own."),
	PARAM("PassThru", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Outputs the values written."),
	PARAM("NoNewline", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Writes the values one after the other, with no line ends."),
	PARAM("Encoding", NULL, PT_ENUM, 0, 0, textfile_provider_encodings,
	  0, 0, TEXTFILE_PROVIDER_TYPE, "UTF8 (with a byte order mark), "
	  "Ascii, Unicode, BigEndianUnicode, UTF32, BigEndianUTF32, Byte "
	  "(the values are byte numbers); without it, or Default, Oem or "
	  "Unknown, UTF-8 without a byte order mark."),
	PARAM("Force", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Writes a read-only file (it stays read-only)."),
	PARAM_END
};

const struct cmdlet_entry cmd_set_content_entry = {
	.name = "Set-Content",
	.synopsis = "Writes new content or replaces existing content in a "
	    "file.",
	.params = write_content_params,
	.flags = C_SHOULDPROCESS,
	.class_name = PS_CLASS("SetContentCommand"),
	.exec = cmd_set_content_exec,
	.description = "Set-Content replaces each file with the values, one "
	    "per line. The new file is written beside the old one, flushed "
	    "to disk and renamed over it: the file is never half written."
};

const struct cmdlet_entry cmd_add_content_entry = {
	.name = "Add-Content",
	.synopsis = "Adds content to the specified items, such as adding "
	    "words to a file.",
	.params = write_content_params,
	.flags = C_SHOULDPROCESS,
	.class_name = PS_CLASS("AddContentCommand"),
	.exec = cmd_add_content_exec,
	.description = "Add-Content appends the values, one per line, to the "
	    "end of each file (created when missing) and flushes it to "
	    "disk. Nothing is put before them: text added with -NoNewline "
	    "is continued."
};

/*
 * The provider's error for a file that could not be read or written
 * (which is "Reader" or "Writer"): non-terminating, the path as target.
 */
static void
content_error(struct cmd_ctx *ctx, const char *which, const char *full,
    int err)
{
	char	*msg, *fqid;

	if ((err == ENOENT || err == ENOTDIR) && *which == 'R') {
		cmd_error_target(ctx, ERR_NONTERMINATING, "ObjectNotFound",
		    "ItemNotFoundException", "PathNotFound", full, "Cannot "
		    "find path '%s' because it does not exist.", full);
		return;
	}
	msg = textfile_message(err, full);
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		fqid = xprintf("GetContent%sDirectoryNotFoundError", which);
		cmd_error_target(ctx, ERR_NONTERMINATING, "ObjectNotFound",
		    textfile_reason(err), fqid, full, "%s", msg);
		break;
	case EACCES:
	case EPERM:
	case EISDIR:
	case EROFS:
		fqid = xprintf("GetContent%sUnauthorizedAccessError", which);
		cmd_error_target(ctx, ERR_NONTERMINATING, "PermissionDenied",
		    textfile_reason(err), fqid, full, "%s", msg);
		break;
	default:
		if (*which == 'R' && textfile_refusal(err) != NULL) {
			fqid = xstrdup(textfile_refusal(err));
			cmd_error_target(ctx, ERR_NONTERMINATING, err ==
			    EILSEQ ? "InvalidData" : "LimitsExceeded",
			    textfile_reason(err), fqid, full, "%s", msg);
			break;
		}
		fqid = xprintf("GetContent%sIOError", which);
		if (textfile_refusal(err) != NULL) {
			free(msg);
			msg = xstrdup(strerror(err));
		}
		cmd_error_target(ctx, ERR_NONTERMINATING, *which == 'R' ?
		    "ReadError" : "WriteError", "IOException", fqid, full,
		    "%s", msg);
		break;
	}
	free(fqid);
	free(msg);
}

/*
 * Get-Content.
 */

/*
 * Paths from piped objects, bound by property name: LiteralPath or
 * PSPath, else Path.  Anything else cannot be bound (5.1 does not take a
 * plain string from the pipeline either).
 */
static struct value *
content_input_paths(struct cmd_ctx *ctx)
{
	static const char *const names[] = {
		"LiteralPath", "PSPath", "Path", NULL
	};
	struct value	*paths, *m = NULL;
	size_t		 i, k;

	paths = value_array();
	for (i = 0; i < ctx->ninput; i++) {
		for (k = 0; names[k] != NULL; k++) {
			if ((m = builtin_member(ctx->input[i],
			    names[k])) != NULL)
				break;
		}
		if (m != NULL && m->type != V_NULL) {
			value_array_push(paths, value_string_take(
			    value_to_string(m)));
			value_unref(m);
			continue;
		}
		if (m != NULL)
			value_unref(m);
		cmd_error(ctx, ERR_NONTERMINATING, "InvalidArgument",
		    "ParameterBindingException", "InputObjectNotBound",
		    "The input object cannot be bound to any parameters for "
		    "the command either because the command does not take "
		    "pipeline input or the input and its properties do not "
		    "match any of the parameters that take pipeline input.");
	}
	return (paths);
}

/* The paths of the command line, checked; NULL after the error. */
static struct value *
content_paths(struct cmd_ctx *ctx)
{
	struct value	*arg;
	const char	*param;

	if ((arg = textfile_path_arg(ctx, TP_MANDATORY, &param)) == NULL)
		return (NULL);
	return (textfile_path_list(ctx, param, arg, TP_MANDATORY));
}

/*
 * A file's lines (without their ends), or its pieces ending in the
 * delimiter, or its bytes as numbers, as a new array.  NULL after the
 * error of a line over TEXTFILE_LINE_MAX.
 */
static struct value *
content_pieces(struct cmd_ctx *ctx, const char *full,
    const struct textread *tr, const char *delim)
{
	struct value	*out;
	const char	*s = tr->text, *end = tr->text + tr->len, *e;
	size_t		 i, dl, n;

	out = value_array();
	if (tr->enc == TE_BYTE) {
		for (i = 0; i < tr->len; i++)
			value_array_push(out,
			    value_int((unsigned char)tr->text[i]));
		return (out);
	}
	dl = delim != NULL ? strlen(delim) : 0;
	while (s < end) {
		if (dl > 0) {
			e = strstr(s, delim);
			n = e != NULL ? (size_t)(e - s) + dl :
			    (size_t)(end - s);
		} else
			n = strcspn(s, "\r\n");
		if (n > TEXTFILE_LINE_MAX) {
			value_unref(out);
			content_error(ctx, "Reader", full, EOVERFLOW);
			return (NULL);
		}
		value_array_push(out, value_string_take(xstrndup(s, n)));
		s += n;
		if (dl == 0 && s < end)
			s += *s == '\r' && s + 1 < end && s[1] == '\n' ? 2 : 1;
	}
	return (out);
}

/*
 * The pieces down the pipeline: -TotalCount first, -Tail last, then
 * -ReadCount at a time (one array for 0 or less).  Takes pieces.
 */
static void
content_emit(struct cmd_ctx *ctx, struct value *pieces)
{
	struct value	*v, *chunk = NULL;
	int64_t		 total = -1, tail = -1, rc = 1;
	size_t		 first = 0, last = pieces->u.arr.n, i;

	if ((v = bound_get(ctx->args, "TotalCount")) != NULL)
		total = v->u.i;
	if ((v = bound_get(ctx->args, "Tail")) != NULL)
		tail = v->u.i;
	if ((v = bound_get(ctx->args, "ReadCount")) != NULL)
		rc = v->u.i;
	if (total >= 0 && (uint64_t)total < last)
		last = (size_t)total;
	if (tail >= 0 && (uint64_t)tail < last)
		first = last - (size_t)tail;
	for (i = first; i < last; i++) {
		if (rc == 1) {
			cmd_emit(ctx, value_ref(pieces->u.arr.v[i]));
			continue;
		}
		if (chunk == NULL)
			chunk = value_array();
		value_array_push(chunk, value_ref(pieces->u.arr.v[i]));
		if (rc > 1 && chunk->u.arr.n == (uint64_t)rc) {
			cmd_emit(ctx, chunk);
			chunk = NULL;
		}
	}
	if (chunk != NULL)
		cmd_emit(ctx, chunk);
	value_unref(pieces);
}

static int
cmd_get_content_exec(struct cmd_ctx *ctx)
{
	struct textread	 tr;
	struct value	*paths, *dv, *pieces;
	enum text_enc	 enc;
	char		*full, *delim = NULL;
	size_t		 i;

	enc = bound_code(ctx->args, "Encoding", TE_DEFAULT, TE_DEFAULT);
	if (textfile_refuse_utf7(ctx, enc) != 0)
		return (0);
	if (bound_has(ctx->args, "TotalCount") &&
	    bound_has(ctx->args, "Tail")) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidOperation",
		    "InvalidOperationException", "TailAndHeadCannotCoexist",
		    "The parameters TotalCount and Tail cannot be used "
		    "together. Please specify only one parameter.");
		return (0);
	}
	if ((dv = bound_get(ctx->args, "Delimiter")) != NULL)
		delim = value_to_string(dv);
	paths = ctx->ninput > 0 ? content_input_paths(ctx) :
	    content_paths(ctx);
	for (i = 0; paths != NULL && i < paths->u.arr.n && !ctx->stop; i++) {
		full = textfile_fullpath(paths->u.arr.v[i]->u.s);
		if (textfile_read(full, enc, &tr) != 0)
			content_error(ctx, "Reader", full, errno);
		else if (bound_switch(ctx->args, "Raw") && tr.len > 0)
			cmd_emit(ctx, enc == TE_BYTE ? content_pieces(ctx, full,
			    &tr, NULL) : value_string(tr.text));
		else if (!bound_switch(ctx->args, "Raw") &&
		    (pieces = content_pieces(ctx, full, &tr, delim)) != NULL)
			content_emit(ctx, pieces);
		textread_free(&tr);
		free(full);
	}
	if (paths != NULL)
		value_unref(paths);
	free(delim);
	return (0);
}

/*
 * Set-Content and Add-Content.
 */

/* What to write: the piped objects, else -Value, unrolled (new array). */
static struct value *
content_values(struct cmd_ctx *ctx)
{
	return (builtin_input(ctx, "Value", true));
}

/*
 * The bytes of the values: each value's text and a line end (none with
 * -NoNewline), encoded, after a byte order mark when bom.  With Byte
 * each value is a byte's number.  -1 after the error.
 */
static int
content_bytes(struct cmd_ctx *ctx, struct value *vals, enum text_enc enc,
    bool bom, struct buf *out)
{
	struct value	*v;
	struct buf	 text;
	double		 d;
	int64_t		 n;
	bool		 is_int, nl;
	char		*s;
	size_t		 i;

	nl = !bound_switch(ctx->args, "NoNewline");
	buf_init(&text);
	for (i = 0; i < vals->u.arr.n; i++) {
		v = vals->u.arr.v[i];
		if (v->type == V_NULL)
			continue;
		if (enc != TE_BYTE) {
			s = v->type == V_ARRAY || v->type == V_HASH ?
			    xstrdup(value_type_name(v)) : value_to_string(v);
			buf_adds(&text, s);
			if (nl)
				buf_addc(&text, '\n');
			free(s);
			continue;
		}
		if (!value_to_number(v, &d, &n, &is_int) || !is_int || n < 0 ||
		    n > 255) {
			s = value_to_string(v);
			cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
			    "PSInvalidCastException", "InvalidCastToByte",
			    "Cannot convert value \"%s\" to type "
			    "\"System.Byte\". Error: \"%s\"", s,
			    value_to_number(v, &d, &n, &is_int) && is_int ?
			    "Value was either too large or too small for an "
			    "unsigned byte." : "Input string was not in a "
			    "correct format.");
			free(s);
			buf_free(&text);
			return (-1);
		}
		buf_addc(out, (char)n);
	}
	if (enc != TE_BYTE) {
		if (bom)
			textfile_bom(out, enc);
		textfile_encode(out, text.s != NULL ? text.s : "", text.len,
		    enc);
	}
	buf_free(&text);
	return (0);
}

/*
 * Write the values into one file: Set-Content replaces it whole,
 * Add-Content writes at its end, in the encoding its byte order mark
 * declares unless -Encoding was given, with a byte order mark only into
 * a new or empty file.  A read-only file needs -Force, and stays
 * read-only.  -1 after the error.
 */
static int
content_put(struct cmd_ctx *ctx, struct textfile *tf, enum text_enc enc,
    struct value *vals, bool append)
{
	struct buf	 bytes;
	int		 rc = -1;

	tf->force = bound_switch(ctx->args, "Force");
	if (textfile_readonly(tf) && !tf->direct && !tf->force) {
		content_error(ctx, "Writer", tf->full, EACCES);
		return (-1);
	}
	if (append && !bound_has(ctx->args, "Encoding"))
		enc = textfile_bom_of(tf, enc);
	buf_init(&bytes);
	if (content_bytes(ctx, vals, enc, !append || !tf->exists ||
	    tf->st.st_size == 0, &bytes) != 0) {
		buf_free(&bytes);
		return (-1);
	}
	if (textfile_begin(tf, append) != 0 || textfile_write(tf,
	    bytes.s != NULL ? bytes.s : "", bytes.len) != 0 ||
	    textfile_commit(tf) != 0)
		content_error(ctx, "Writer", tf->full, errno);
	else
		rc = 0;
	buf_free(&bytes);
	return (rc);
}

/* Set-Content (append false) or Add-Content, on each path. */
static int
content_write(struct cmd_ctx *ctx, bool append)
{
	struct textfile	 tf;
	struct value	*paths, *vals;
	enum text_enc	 enc;
	char		*desc, *full;
	size_t		 i;
	bool		 wrote = false;

	enc = bound_code(ctx->args, "Encoding", TE_DEFAULT, TE_DEFAULT);
	if (textfile_refuse_utf7(ctx, enc) != 0 ||
	    (paths = content_paths(ctx)) == NULL)
		return (0);
	vals = content_values(ctx);
	for (i = 0; i < paths->u.arr.n && !ctx->stop; i++) {
		memset(&tf, 0, sizeof tf);
		tf.fd = -1;
		full = textfile_fullpath(paths->u.arr.v[i]->u.s);
		desc = xprintf("Performing the operation \"%s Content\" on "
		    "target \"Path: %s\".", append ? "Add" : "Set", full);
		if (!cmd_should_process(ctx, desc))
			;
		else if (textfile_target(&tf, full) != 0)
			content_error(ctx, "Writer", full, errno);
		else if (content_put(ctx, &tf, enc, vals, append) == 0)
			wrote = true;
		textfile_free(&tf);
		free(desc);
		free(full);
	}
	if (wrote && bound_switch(ctx->args, "PassThru"))
		builtin_emit_items(ctx, value_ref(vals));
	value_unref(vals);
	value_unref(paths);
	return (0);
}

static int
cmd_set_content_exec(struct cmd_ctx *ctx)
{
	return (content_write(ctx, false));
}

static int
cmd_add_content_exec(struct cmd_ctx *ctx)
{
	return (content_write(ctx, true));
}
