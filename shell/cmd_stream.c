/*
 * cmd_stream.c - Write-Warning and Write-Verbose: a script's own lines on
 * the warning and verbose streams, shown as the cmdlets' own are
 * (cmd_warning, cmd_verbose): "WARNING: text" unless $WarningPreference
 * is SilentlyContinue, "VERBOSE: text" only with -Verbose or
 * $VerbosePreference = 'Continue'.  Neither writes to the pipeline.
 */
#include <stdlib.h>

#include "shell.h"
#include "xmalloc.h"

static int		 cmd_write_warning_exec(struct cmd_ctx *);
static int		 cmd_write_verbose_exec(struct cmd_ctx *);

static const struct param_entry write_warning_params[] = {
	PARAM("Message", "Msg", PT_STRING, P_MANDATORY | P_POSITIONAL |
	  P_PIPELINE, 0, NULL, 0, 0, NULL, "The text of the warning."),
	PARAM_END
};

const struct cmdlet_entry cmd_write_warning_entry = {
	.name = "Write-Warning",
	.synopsis = "Writes a warning message.",
	.params = write_warning_params,
	.flags = 0,
	.class_name = PS_CLASS("WriteWarningCommand"),
	.exec = cmd_write_warning_exec,
	.description = "Write-Warning shows \"WARNING: \" and the message, "
	    "unless $WarningPreference is SilentlyContinue. Nothing goes "
	    "down the pipeline."
};

static const struct param_entry write_verbose_params[] = {
	PARAM("Message", "Msg", PT_STRING, P_MANDATORY | P_POSITIONAL |
	  P_PIPELINE, 0, NULL, 0, 0, NULL, "The text of the verbose line."),
	PARAM_END
};

const struct cmdlet_entry cmd_write_verbose_entry = {
	.name = "Write-Verbose",
	.synopsis = "Writes text to the verbose message stream.",
	.params = write_verbose_params,
	.flags = 0,
	.class_name = PS_CLASS("WriteVerboseCommand"),
	.exec = cmd_write_verbose_exec,
	.description = "Write-Verbose shows \"VERBOSE: \" and the message "
	    "when the command has -Verbose or $VerbosePreference is "
	    "Continue; otherwise nothing. Nothing goes down the pipeline."
};

/* The message: the bound one, else each piped object in turn. */
static void
stream_each(struct cmd_ctx *ctx, void (*say)(struct cmd_ctx *,
    const char *, ...))
{
	struct value	*v;
	char		*s;
	size_t		 i;

	if ((v = bound_get(ctx->args, "Message")) != NULL) {
		s = value_to_string(v);
		say(ctx, "%s", s);
		free(s);
		return;
	}
	for (i = 0; i < ctx->ninput; i++) {
		s = value_to_string(ctx->input[i]);
		say(ctx, "%s", s);
		free(s);
	}
}

static int
cmd_write_warning_exec(struct cmd_ctx *ctx)
{
	stream_each(ctx, cmd_warning);
	return (0);
}

static int
cmd_write_verbose_exec(struct cmd_ctx *ctx)
{
	stream_each(ctx, cmd_verbose);
	return (0);
}
