/*
 * cmd_host.c - Read-Host: a line from the admin at the terminal.
 * (Write-Host is with the output cmdlets, cmd_output.c.)
 *
 * Without a terminal to ask on (a batch run, -NonInteractive) it is an
 * error with Windows PowerShell's own message, so a script run by cron
 * stops at once instead of waiting for input that will never come.
 */
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "xmalloc.h"

static int		 cmd_read_host_exec(struct cmd_ctx *);

static const struct param_entry read_host_params[] = {
	PARAM("Prompt", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0, NULL,
	  "Text shown before the answer, followed by \": \"."),
	PARAM("AsSecureString", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Reads without echo and outputs a SecureString."),
	PARAM_END
};

const struct cmdlet_entry cmd_read_host_entry = {
	.name = "Read-Host",
	.synopsis = "Reads a line of input from the console.",
	.params = read_host_params,
	.flags = C_NOINPUT,
	.class_name = PS_CLASS("ReadHostCommand"),
	.exec = cmd_read_host_exec,
	.description = "Read-Host shows the prompt and outputs the line the "
	    "admin types, or with -AsSecureString a SecureString typed "
	    "without echo. It needs a terminal: in a batch run it is an "
	    "error."
};

static int
cmd_read_host_exec(struct cmd_ctx *ctx)
{
	struct shell	*sh = ctx->sh;
	struct value	*pv;
	char		*prompt, *text, *line;
	bool		 secret = bound_switch(ctx->args, "AsSecureString");

	if (!sh->can_prompt || sh->read_line == NULL) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidOperation",
		    "PSInvalidOperationException",
		    "InvalidOperation",
		    "Windows PowerShell is in NonInteractive mode. Read and "
		    "Prompt functionality is not available.");
		return (-1);
	}
	if ((pv = bound_get(ctx->args, "Prompt")) != NULL) {
		text = value_to_string(pv);
		prompt = xprintf("%s: ", text);
		free(text);
	} else
		prompt = xstrdup("");
	line = sh->read_line(sh, prompt, secret);
	free(prompt);
	if (line == NULL)
		return (0);
	if (secret) {
		cmd_emit(ctx, value_secure(line));
		explicit_bzero(line, strlen(line));
	} else
		cmd_emit(ctx, value_string(line));
	free(line);
	return (0);
}
