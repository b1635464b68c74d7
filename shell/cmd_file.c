/*
 * cmd_file.c - Out-File, and outfile_write, the writer behind it that
 * the redirection operators (> and >>, which are Out-File in PowerShell)
 * use too.
 *
 * What goes into the file is the text Out-Default would show for the
 * input (format.c), laid out for a line -Width columns wide: 5.1 gives a
 * file the console buffer's whole width, 120 in the Exchange Management
 * Shell, where the console itself keeps one column back.  The file is
 * replaced atomically (written beside it, flushed, renamed over it), or
 * with -Append written at its end.  Windows PowerShell 5.1 writes UTF-16
 * with CR LF; hubsh writes UTF-8 without a byte order mark and LF unless
 * -Encoding says otherwise, and appends in the encoding the file's byte
 * order mark declares.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "textfile.h"
#include "xmalloc.h"

#define OUTFILE_WIDTH	SHELL_WIDTH	/* columns of a file's lines */

/* How a file is written. */
struct outfile {
	enum text_enc	 enc;
	int		 width;		/* columns */
	bool		 append;
	bool		 encoding;	/* enc was asked for */
};

static int		 cmd_out_file_exec(struct cmd_ctx *);
static char		*outfile_text(struct shell *, int, struct value **,
			    size_t);
static int		 outfile_run(struct shell *, struct textfile *,
			    const struct outfile *, struct value **, size_t);

/* Out-File's parameter sets, as 5.1's: ByPath (the default), ByLiteralPath. */
#define OF_SET_PATH	0x1
#define OF_SET_LITERAL	0x2
static const char *const out_file_sets[] = {
	"ByPath", "ByLiteralPath", NULL
};

static const struct param_entry out_file_params[] = {
	{ .name = "FilePath", .alias = "Path", .type = PT_STRING,
	  .flags = P_POSITIONAL, .sets = OF_SET_PATH,
	  .help = "The file to write, taken as typed (no wildcards); a "
	  "backslash is a separator." },
	{ .name = "LiteralPath", .alias = "PSPath", .type = PT_STRING,
	  .sets = OF_SET_LITERAL,
	  .help = "The file to write, taken exactly as typed." },
	PARAM("Encoding", NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "utf8 (with a byte order mark), ascii, unicode, bigendianunicode, "
	  "utf32 or string (UTF-16); without it, or default, oem or "
	  "unknown, UTF-8 without a byte order mark."),
	PARAM("Append", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Adds the text to the end of the file instead of replacing it."),
	PARAM("Force", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Writes a read-only file (it stays read-only)."),
	PARAM("NoClobber", "NoOverwrite", PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Refuses to replace an existing file."),
	PARAM("Width", NULL, PT_INT, 0, 0, NULL, 2, INT32_MAX, NULL,
	  "Columns of each line of formatted output (default 120); tables "
	  "are cut to it."),
	PARAM("InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to write; usually piped in."),
	PARAM_END
};

const struct cmdlet_entry cmd_out_file_entry = {
	.name = "Out-File",
	.synopsis = "Sends output to a file.",
	.params = out_file_params,
	.flags = C_SHOULDPROCESS,
	.class_name = PS_CLASS("OutFileCommand"),
	.exec = cmd_out_file_exec,
	.set_names = out_file_sets,
	.default_set = OF_SET_PATH,
	.description = "Out-File writes what the console would show for its "
	    "input to a file, as UTF-8. The file is replaced whole, never "
	    "left half written; -Append adds to its end."
};

/* The Out-Default text of the items in a line width columns wide. */
static char *
outfile_text(struct shell *sh, int width, struct value **items, size_t n)
{
	char	*text;
	int	 saved = sh->width;

	sh->width = width + 1;
	text = format_default(sh, items, n);
	sh->width = saved;
	return (text);
}

/*
 * Write the items to the target: encoded (a byte order mark first unless
 * appending to a file that has content), then flushed.  -1 with errno.
 */
static int
outfile_run(struct shell *sh, struct textfile *tf, const struct outfile *o,
    struct value **items, size_t n)
{
	struct buf	 bytes;
	enum text_enc	 enc = o->enc;
	char		*text;
	int		 rc = -1, err;

	if (o->append && !o->encoding)
		enc = textfile_bom_of(tf, enc);
	text = outfile_text(sh, o->width, items, n);
	buf_init(&bytes);
	if (!o->append || !tf->exists || tf->st.st_size == 0)
		textfile_bom(&bytes, enc);
	textfile_encode(&bytes, text, strlen(text), enc);
	free(text);
	if (textfile_begin(tf, o->append) == 0 && textfile_write(tf,
	    bytes.s != NULL ? bytes.s : "", bytes.len) == 0 &&
	    textfile_commit(tf) == 0)
		rc = 0;
	err = errno;
	buf_free(&bytes);
	errno = err;
	return (rc);
}

int
outfile_write(struct shell *sh, const char *path, bool append,
    struct value **items, size_t n, char **err)
{
	struct textfile	 tf;
	struct outfile	 o;
	int		 rc;

	memset(&o, 0, sizeof o);
	o.enc = TE_DEFAULT;
	o.width = OUTFILE_WIDTH;
	o.append = append;
	*err = NULL;
	if ((rc = textfile_target(&tf, path)) == 0)
		rc = outfile_run(sh, &tf, &o, items, n);
	if (rc != 0)
		*err = textfile_message(errno, tf.full);
	textfile_free(&tf);
	return (rc);
}

static int
cmd_out_file_exec(struct cmd_ctx *ctx)
{
	struct textfile	 tf;
	struct outfile	 o;
	struct value	*pv, *lv, *wv, *in;
	char		*given, *full, *desc;
	bool		 append, force;

	memset(&o, 0, sizeof o);
	memset(&tf, 0, sizeof tf);
	tf.fd = -1;
	if (textfile_encoding(ctx, &textfile_outfile_encodings, &o.enc) != 0)
		return (0);
	o.encoding = bound_has(ctx->args, "Encoding");
	o.width = OUTFILE_WIDTH;
	if ((wv = bound_get(ctx->args, "Width")) != NULL)
		o.width = (int)wv->u.i;
	o.append = append = bound_switch(ctx->args, "Append");
	force = bound_switch(ctx->args, "Force");
	pv = bound_get(ctx->args, "FilePath");
	lv = bound_get(ctx->args, "LiteralPath");
	if ((pv != NULL ? pv : lv) == NULL || (pv != NULL ? pv :
	    lv)->type == V_NULL) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException", "MissingMandatoryParameter",
		    "Cannot process command because of one or more missing "
		    "mandatory parameters: FilePath.");
		return (0);
	}
	given = value_to_string(pv != NULL ? pv : lv);
	if (*given == '\0') {
		cmd_error(ctx, ERR_STATEMENT, "InvalidData",
		    "ParameterBindingValidationException",
		    "ParameterArgumentValidationErrorEmptyStringNotAllowed",
		    "Cannot bind argument to parameter '%s' because it is an "
		    "empty string.", pv != NULL ? "FilePath" : "LiteralPath");
		free(given);
		return (0);
	}
	full = textfile_fullpath(given);
	desc = xprintf("Performing the operation \"Output to File\" on "
	    "target \"%s\".", full);
	if (!cmd_should_process(ctx, desc))
		;
	else if (textfile_target(&tf, given) != 0)
		textfile_open_error(ctx, tf.full, errno);
	else if (textfile_clobber_check(ctx, &tf, given,
	    bound_switch(ctx->args, "NoClobber") && !append, force) == 0) {
		tf.force = force;
		in = builtin_input(ctx, "InputObject", false);
		if (outfile_run(ctx->sh, &tf, &o, in->u.arr.v,
		    in->u.arr.n) != 0) {
			if (tf.fd == -1 && tf.tmp == NULL)
				textfile_open_error(ctx, tf.full, errno);
			else
				textfile_write_error(ctx, errno);
		}
		value_unref(in);
	}
	textfile_free(&tf);
	free(desc);
	free(full);
	free(given);
	return (0);
}
