/*
 * cmd_output.c - Write-Host, Write-Output, Out-Null and Out-String.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

static int		 cmd_write_host_exec(struct cmd_ctx *);
static void		 write_host_text(struct buf *, const struct value *,
			    const char *);
static int		 cmd_write_output_exec(struct cmd_ctx *);
static int		 cmd_out_null_exec(struct cmd_ctx *);
static int		 cmd_out_string_exec(struct cmd_ctx *);

/*
 * Write-Host, Write-Output, Out-Null, Out-String.
 */
static const struct choice console_colors[] = {
	{ "Black", 0 }, { "DarkBlue", 1 }, { "DarkGreen", 2 },
	{ "DarkCyan", 3 }, { "DarkRed", 4 }, { "DarkMagenta", 5 },
	{ "DarkYellow", 6 }, { "Gray", 7 }, { "DarkGray", 8 }, { "Blue", 9 },
	{ "Green", 10 }, { "Cyan", 11 }, { "Red", 12 }, { "Magenta", 13 },
	{ "Yellow", 14 }, { "White", 15 }, { NULL, 0 }
};

static const struct param_entry write_host_params[] = {
	PARAM("Object", NULL, PT_OBJECT, P_POSITIONAL | P_PIPELINE |
	  P_REMAINING, 0, NULL, 0, 0, NULL, "What to print; collections, and "
	  "several values given one after the other, are joined by the "
	  "separator."),
	PARAM("NoNewline", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Leaves the cursor after the text instead of ending the line."),
	PARAM("Separator", NULL, PT_OBJECT, 0, 0, NULL, 0, 0, NULL,
	  "Text printed between the items of a collection (default: a "
	  "space)."),
	PARAM("ForegroundColor", NULL, PT_ENUM, 0, 0, console_colors, 0, 0,
	  "System.ConsoleColor", "Accepted for compatibility; hubsh prints "
	  "without colour."),
	PARAM("BackgroundColor", NULL, PT_ENUM, 0, 0, console_colors, 0, 0,
	  "System.ConsoleColor", "Accepted for compatibility; hubsh prints "
	  "without colour."),
	PARAM_END
};

const struct cmdlet_entry cmd_write_host_entry = {
	.name = "Write-Host",
	.synopsis = "Writes customized output to a host.",
	.params = write_host_params,
	.flags = 0,
	.class_name = PS_CLASS("WriteHostCommand"),
	.exec = cmd_write_host_exec,
	.description = "Write-Host prints text straight to the console. It "
	    "outputs nothing to the pipeline, so it cannot be captured in a "
	    "variable; use Write-Output for that."
};

static const struct param_entry write_output_params[] = {
	PARAM("InputObject", NULL, PT_OBJECT, P_POSITIONAL | P_PIPELINE |
	  P_REMAINING, 0, NULL, 0, 0, "System.Management.Automation.PSObject[]",
	  "The objects to send down the pipeline; several given one after "
	  "the other are sent one by one."),
	PARAM("NoEnumerate", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Outputs a collection as one object instead of item by item."),
	PARAM_END
};

const struct cmdlet_entry cmd_write_output_entry = {
	.name = "Write-Output",
	.synopsis = "Sends the specified objects to the next command in "
	    "the pipeline.",
	.params = write_output_params,
	.flags = 0,
	.class_name = PS_CLASS("WriteOutputCommand"),
	.exec = cmd_write_output_exec,
	.description = "Write-Output sends its arguments down the pipeline; "
	    "at the end of the pipeline they are displayed."
};

static const struct param_entry out_null_params[] = {
	PARAM("InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to discard; usually piped in."),
	PARAM_END
};

const struct cmdlet_entry cmd_out_null_entry = {
	.name = "Out-Null",
	.synopsis = "Hides the output instead of sending it down the "
	    "pipeline or displaying it.",
	.params = out_null_params,
	.flags = 0,
	.class_name = PS_CLASS("OutNullCommand"),
	.exec = cmd_out_null_exec,
	.description = "Out-Null discards its input. Errors are still "
	    "shown."
};

static const struct param_entry out_string_params[] = {
	PARAM("Width", NULL, PT_INT, 0, 0, NULL, 2, INT32_MAX, NULL,
	  "Line width of the formatted text (default: the console's)."),
	PARAM("Stream", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Outputs one string per line instead of one string in all."),
	PARAM("InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to format; usually piped in."),
	PARAM_END
};

const struct cmdlet_entry cmd_out_string_entry = {
	.name = "Out-String",
	.synopsis = "Sends objects to the host as a series of strings.",
	.params = out_string_params,
	.flags = 0,
	.class_name = PS_CLASS("OutStringCommand"),
	.exec = cmd_out_string_exec,
	.description = "Out-String formats its input the way the console "
	    "would show it and outputs the text as a string."
};

/*
 * Write-Host: straight to the console, one line per piped object.
 */
static int
cmd_write_host_exec(struct cmd_ctx *ctx)
{
	struct value	*sepv, *obj;
	struct buf	 b;
	char		*sep;
	size_t		 i;
	bool		 nl;

	sepv = bound_get(ctx->args, "Separator");
	sep = sepv != NULL ? value_to_string(sepv) : xstrdup(" ");
	nl = !bound_switch(ctx->args, "NoNewline");
	buf_init(&b);
	if (ctx->ninput > 0) {
		for (i = 0; i < ctx->ninput; i++) {
			write_host_text(&b, ctx->input[i], sep);
			if (nl)
				buf_addc(&b, '\n');
		}
	} else {
		if ((obj = bound_get(ctx->args, "Object")) != NULL)
			write_host_text(&b, obj, sep);
		if (nl)
			buf_addc(&b, '\n');
	}
	/* Write-Host is the information stream: *>$null and 6>$null. */
	if (shell_stream_text(ctx->sh, &ctx->sh->streams.information,
	    b.s != NULL ? b.s : "")) {
		shell_flush(ctx->sh);
		fputs(b.s != NULL ? b.s : "", ctx->sh->out);
		fflush(ctx->sh->out);
	}
	buf_free(&b);
	free(sep);
	return (0);
}

static void
write_host_text(struct buf *b, const struct value *v, const char *sep)
{
	char	*s;
	size_t	 i;

	if (v->type == V_ARRAY) {
		for (i = 0; i < v->u.arr.n; i++) {
			if (i > 0)
				buf_adds(b, sep);
			write_host_text(b, v->u.arr.v[i], sep);
		}
		return;
	}
	/* The object's ToString(): a date in the current culture, en-US. */
	s = format_cell(v);
	buf_adds(b, s);
	free(s);
}

/*
 * Write-Output, Out-Null, Out-String.
 */
static int
cmd_write_output_exec(struct cmd_ctx *ctx)
{
	struct value	*v;
	size_t		 i;

	if (ctx->ninput > 0) {
		for (i = 0; i < ctx->ninput; i++)
			cmd_emit(ctx, value_ref(ctx->input[i]));
		return (0);
	}
	if ((v = bound_get(ctx->args, "InputObject")) == NULL)
		return (0);
	if (bound_switch(ctx->args, "NoEnumerate"))
		cmd_emit(ctx, value_ref(v));
	else
		builtin_emit_items(ctx, value_ref(v));
	return (0);
}

static int
cmd_out_null_exec(struct cmd_ctx *ctx)
{
	(void)ctx;
	return (0);
}

static int
cmd_out_string_exec(struct cmd_ctx *ctx)
{
	struct value	*in, *w;
	char		*text, *line, *nl;
	int		 saved = ctx->sh->width;

	in = builtin_input(ctx, "InputObject", true);
	if ((w = bound_get(ctx->args, "Width")) != NULL && w->type == V_INT)
		ctx->sh->width = (int)w->u.i;
	text = format_default(ctx->sh, in->u.arr.v, in->u.arr.n);
	ctx->sh->width = saved;
	value_unref(in);
	if (!bound_switch(ctx->args, "Stream")) {
		cmd_emit(ctx, value_string_take(text));
		return (0);
	}
	for (line = text; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL) {
			cmd_emit(ctx, value_string(line));
			break;
		}
		cmd_emit(ctx, value_string_take(xstrndup(line,
		    (size_t)(nl - line))));
	}
	free(text);
	return (0);
}
