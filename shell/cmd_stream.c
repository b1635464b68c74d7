/*
 * cmd_stream.c - Write-Warning, Write-Verbose and Write-Error: a script's
 * own lines on the warning, verbose and error streams, shown as the
 * cmdlets' own are (cmd_warning, cmd_verbose, cmd_report): "WARNING:
 * text" unless $WarningPreference is SilentlyContinue, "VERBOSE: text"
 * only with -Verbose or $VerbosePreference = 'Continue', and an error
 * record.  None writes to the pipeline.
 *
 * Write-Error's record is the one Windows PowerShell 5.1 builds: it
 * carries the invocation of the script that called Write-Error, not
 * Write-Error's own ($MyInvocation), so its first line starts with the
 * script ("x.ps1 : message", "Write-Error 'x' : message" for a command
 * typed at the prompt, whose script is the line itself), it has no
 * position, and its FullyQualifiedErrorId ends in the script's name.
 * The error is non-terminating: $? becomes False and the script goes on,
 * unless -ErrorAction or $ErrorActionPreference is Stop.
 */
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "xmalloc.h"

static int		 cmd_write_warning_exec(struct cmd_ctx *);
static int		 cmd_write_verbose_exec(struct cmd_ctx *);
static int		 cmd_write_error_exec(struct cmd_ctx *);
static char		*write_error_caller(const struct cmd_ctx *);
static void		 write_error_one(struct cmd_ctx *, struct value *);

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

/* System.Management.Automation.ErrorCategory, in the enum's order. */
static const struct choice error_categories[] = {
	{ "NotSpecified", 0 }, { "OpenError", 0 }, { "CloseError", 0 },
	{ "DeviceError", 0 }, { "DeadlockDetected", 0 },
	{ "InvalidArgument", 0 }, { "InvalidData", 0 },
	{ "InvalidOperation", 0 }, { "InvalidResult", 0 },
	{ "InvalidType", 0 }, { "MetadataError", 0 },
	{ "NotImplemented", 0 }, { "NotInstalled", 0 },
	{ "ObjectNotFound", 0 }, { "OperationStopped", 0 },
	{ "OperationTimeout", 0 }, { "SyntaxError", 0 },
	{ "ParserError", 0 }, { "PermissionDenied", 0 },
	{ "ResourceBusy", 0 }, { "ResourceExists", 0 },
	{ "ResourceUnavailable", 0 }, { "ReadError", 0 },
	{ "WriteError", 0 }, { "FromStdErr", 0 }, { "SecurityError", 0 },
	{ "ProtocolError", 0 }, { "ConnectionError", 0 },
	{ "AuthenticationError", 0 }, { "LimitsExceeded", 0 },
	{ "QuotaExceeded", 0 }, { "NotEnabled", 0 }, { NULL, 0 }
};

static const struct param_entry write_error_params[] = {
	PARAM("Message", "Msg", PT_STRING, P_POSITIONAL | P_PIPELINE, 0,
	  NULL, 0, 0, NULL, "The text of the error."),
	PARAM("Exception", NULL, PT_STRING, 0, 0, NULL, 0, 0,
	  "System.Exception", "An exception's message; with -Message, the "
	  "error shows -Message instead."),
	PARAM("Category", NULL, PT_ENUM, 0, 0, error_categories, 0, 0,
	  "System.Management.Automation.ErrorCategory",
	  "The error's category (default NotSpecified)."),
	PARAM("ErrorId", NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "The first part of the FullyQualifiedErrorId (default: the "
	  "exception's type name)."),
	PARAM("TargetObject", NULL, PT_OBJECT, 0, 0, NULL, 0, 0,
	  NULL, "The object the error is about; CategoryInfo "
	  "shows its text and type."),
	PARAM("RecommendedAction", NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "What the user should do; kept with the error."),
	PARAM("CategoryActivity", "Activity", PT_STRING, 0, 0, NULL, 0, 0,
	  NULL, "Accepted; Windows PowerShell 5.1 shows [Write-Error] "
	  "whatever it says."),
	PARAM("CategoryReason", "Reason", PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "The reason CategoryInfo shows instead of the exception's type."),
	PARAM("CategoryTargetName", "TargetName", PT_STRING, 0, 0, NULL, 0, 0,
	  NULL, "The target CategoryInfo shows instead of -TargetObject's "
	  "text."),
	PARAM("CategoryTargetType", "TargetType", PT_STRING, 0, 0, NULL, 0,
	  0, NULL, "The target type CategoryInfo shows instead of "
	  "-TargetObject's."),
	PARAM_END
};

const struct cmdlet_entry cmd_write_error_entry = {
	.name = "Write-Error",
	.synopsis = "Writes an object to the error stream.",
	.params = write_error_params,
	.flags = 0,
	.class_name = PS_CLASS("WriteErrorCommand"),
	.exec = cmd_write_error_exec,
	.description = "Write-Error writes a non-terminating error: it is "
	    "shown, kept in $Error, sets $? to False and makes a batch run "
	    "exit 1, and the script goes on (it stops with -ErrorAction "
	    "Stop)."
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

/*
 * The invocation Write-Error's record carries: the script file as it was
 * named, else (a command line, or input read line by line) the lines
 * holding the command, which are the script PowerShell would name.
 */
static char *
write_error_caller(const struct cmd_ctx *ctx)
{
	const struct source	*src = ctx->src;
	size_t			 a, b;

	if (src->name != NULL && strcmp(src->name, "line") != 0)
		return (xstrdup(src->name));
	for (a = ctx->node->ext.start; a > 0 && src->text[a - 1] != '\n' &&
	    src->text[a - 1] != '\r'; a--)
		;
	b = ctx->node->ext.end + strcspn(src->text + ctx->node->ext.end,
	    "\r\n");
	while (b > a && (src->text[b - 1] == ' ' || src->text[b - 1] == '\t'))
		b--;
	return (xstrndup(src->text + a, b - a));
}

/*
 * One error.  Without -Exception it is a WriteErrorException whose
 * message is the text; with it an Exception with its text, and -Message
 * (like -RecommendedAction) goes to ErrorDetails.
 */
static void
write_error_one(struct cmd_ctx *ctx, struct value *msgv)
{
	struct errrec	*e;
	struct value	*v, *exv, *target;
	const char	*script, *type;
	char		*msg, *id;

	exv = bound_get(ctx->args, "Exception");
	msg = msgv != NULL ? value_to_string(msgv) : NULL;
	e = errrec_create(exv != NULL ? exv->u.s : msg);
	e->details = (exv != NULL && msg != NULL && *msg != '\0') ||
	    bound_has(ctx->args, "RecommendedAction");
	if (exv != NULL && msg != NULL && *msg != '\0')
		errrec_set(&e->message, xstrdup(msg));
	free(msg);
	if ((v = bound_get(ctx->args, "Category")) != NULL)
		errrec_set(&e->category, value_to_string(v));
	if ((v = bound_get(ctx->args, "CategoryReason")) != NULL &&
	    v->u.s[0] != '\0')
		errrec_set(&e->reason, xstrdup(v->u.s));
	else
		errrec_set(&e->reason, xstrdup(exv != NULL ? "Exception" :
		    "WriteErrorException"));
	errrec_set(&e->activity, xstrdup("Write-Error"));
	if ((target = bound_get(ctx->args, "TargetObject")) != NULL &&
	    target->type != V_NULL) {
		errrec_set(&e->target, value_to_string(target));
		type = value_type_name(target);
		errrec_set(&e->target_type, xstrdup(strrchr(type, '.') !=
		    NULL ? strrchr(type, '.') + 1 : type));
	}
	if ((v = bound_get(ctx->args, "CategoryTargetName")) != NULL &&
	    v->u.s[0] != '\0')
		errrec_set(&e->target, xstrdup(v->u.s));
	if ((v = bound_get(ctx->args, "CategoryTargetType")) != NULL &&
	    v->u.s[0] != '\0')
		errrec_set(&e->target_type, xstrdup(v->u.s));
	v = bound_get(ctx->args, "ErrorId");
	id = v != NULL && v->u.s[0] != '\0' ? xstrdup(v->u.s) :
	    xstrdup(exv != NULL ? "System.Exception" :
	    "Microsoft.PowerShell.Commands.WriteErrorException");
	errrec_set(&e->invocation, write_error_caller(ctx));
	script = ctx->src->name != NULL && strcmp(ctx->src->name,
	    "line") != 0 ? ctx->src->name : NULL;
	if (script != NULL && strrchr(script, '/') != NULL)
		script = strrchr(script, '/') + 1;
	errrec_set(&e->fqid, script != NULL ? xprintf("%s,%s", id, script) :
	    xstrdup(id));
	free(id);
	cmd_report(ctx, e);
}

static int
cmd_write_error_exec(struct cmd_ctx *ctx)
{
	struct value	*v;
	size_t		 i;

	if ((v = bound_get(ctx->args, "Message")) != NULL ||
	    bound_has(ctx->args, "Exception")) {
		write_error_one(ctx, v);
		return (0);
	}
	if (ctx->ninput == 0) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException", "MissingMandatoryParameter",
		    "Cannot process command because of one or more missing "
		    "mandatory parameters: Message.");
		return (0);
	}
	for (i = 0; i < ctx->ninput && !ctx->stop; i++)
		write_error_one(ctx, ctx->input[i]);
	return (0);
}
