/*
 * cmd_credential.c - Get-Credential and ConvertTo-SecureString.
 *
 * Passwords: both keep the plain text only inside V_SECURE values (wiped
 * when freed); every temporary copy is wiped with explicit_bzero before
 * it is freed.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

static int		 cmd_get_credential_exec(struct cmd_ctx *);
static char		*credential_user(struct cmd_ctx *);
static char		*credential_read(struct cmd_ctx *, const char *,
			    bool);
static int		 cmd_convertto_securestring_exec(struct cmd_ctx *);
static void		 securestring_convert(struct cmd_ctx *,
			    struct value *);

/*
 * Get-Credential and ConvertTo-SecureString.
 */
static const struct param_entry get_credential_params[] = {
	PARAM("Credential", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  CRED_TYPE,
	  "User name to fill in (only the password is asked), or a "
	  "credential to return as it is."),
	PARAM("Message", NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "Text shown instead of \"Enter your credentials.\""),
	PARAM("UserName", NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "User name to fill in; only the password is asked."),
	PARAM_END
};

const struct cmdlet_entry cmd_get_credential_entry = {
	.name = "Get-Credential",
	.synopsis = "Gets a credential object based on a user name and "
	    "password.",
	.params = get_credential_params,
	.flags = C_NOINPUT,
	.class_name = PS_CLASS("GetCredentialCommand"),
	.exec = cmd_get_credential_exec,
	.description = "Get-Credential asks on the terminal for a user name "
	    "and a password (not echoed) and outputs a PSCredential, for "
	    "example for New-SendConnector -AuthenticationCredential. "
	    "Scripts without a terminal build one with New-Object "
	    "System.Management.Automation.PSCredential."
};

static const struct param_entry convertto_securestring_params[] = {
	PARAM("String", NULL, PT_STRING, P_MANDATORY | P_POSITIONAL | P_PIPELINE,
	  0, NULL, 0, 0, NULL, "The text to convert."),
	PARAM("AsPlainText", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Says that the string is plain text (needs -Force too)."),
	PARAM("Force", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Confirms that plain text input is meant."),
	PARAM_END
};

const struct cmdlet_entry cmd_convertto_securestring_entry = {
	.name = "ConvertTo-SecureString",
	.synopsis = "Converts plain text to a secure string.",
	.params = convertto_securestring_params,
	.flags = 0,
	.class_name = PS_CLASS("ConvertToSecureStringCommand"),
	.exec = cmd_convertto_securestring_exec,
	.description = "ConvertTo-SecureString 'text' -AsPlainText -Force "
	    "makes a SecureString, for building a PSCredential. The text "
	    "is never printed; the value shows as "
	    "System.Security.SecureString."
};

/*
 * Get-Credential.  Asks like the PowerShell 6+ console host: the caption,
 * the message, "User: " (unless given) and "Password for user X: " with
 * echo off.
 */
static int
cmd_get_credential_exec(struct cmd_ctx *ctx)
{
	struct shell	*sh = ctx->sh;
	struct value	*v, *msgv;
	char		*user, *pw, *msg, *prompt;

	v = bound_get(ctx->args, "Credential");
	if (v != NULL && v->type == V_OBJECT &&
	    strcmp(v->u.obj->type_name, CRED_TYPE) == 0) {
		cmd_emit(ctx, value_ref(v));
		return (0);
	}
	if (!sh->can_prompt || sh->read_line == NULL) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidOperation",
		    "PSInvalidOperationException", "HostException",
		    "Get-Credential needs a terminal to ask for the password. "
		    "In a script, build the credential instead: New-Object "
		    "System.Management.Automation.PSCredential('user', "
		    "(ConvertTo-SecureString 'password' -AsPlainText "
		    "-Force))");
		return (0);
	}
	msgv = bound_get(ctx->args, "Message");
	msg = msgv != NULL ? value_to_string(msgv) :
	    xstrdup("Enter your credentials.");
	shell_flush(sh);
	fprintf(sh->out, "PowerShell credential request\n%s\n", msg);
	fflush(sh->out);
	free(msg);
	if ((user = credential_user(ctx)) == NULL)
		return (0);
	prompt = xprintf("Password for user %s: ", user);
	pw = credential_read(ctx, prompt, true);
	free(prompt);
	if (pw != NULL) {
		cmd_emit(ctx, credential_object(user, pw));
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	free(user);
	return (0);
}

/* The user name: given, or asked for; NULL after an error. */
static char *
credential_user(struct cmd_ctx *ctx)
{
	struct value	*v;
	char		*user = NULL;

	if ((v = bound_get(ctx->args, "Credential")) != NULL ||
	    (v = bound_get(ctx->args, "UserName")) != NULL)
		user = value_to_string(v);
	if (user == NULL || *user == '\0') {
		free(user);
		if ((user = credential_read(ctx, "User: ", false)) == NULL)
			return (NULL);
	}
	if (*user == '\0') {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "PSArgumentException", "CouldNotPromptForCredential",
		    "Cannot process argument because the value of argument "
		    "\"userName\" is not valid. Change the value of the "
		    "\"userName\" argument and run the operation again.");
		free(user);
		return (NULL);
	}
	return (user);
}

/* One answer; NULL (the prompt was cancelled) after an error. */
static char *
credential_read(struct cmd_ctx *ctx, const char *prompt, bool secret)
{
	char	*s;

	if ((s = ctx->sh->read_line(ctx->sh, prompt, secret)) == NULL) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException", "CouldNotPromptForCredential",
		    "Cannot process command because of one or more missing "
		    "mandatory parameters: Credential.");
	}
	return (s);
}

/* A PSCredential; the password is copied into a SecureString. */
struct value *
credential_object(const char *user, const char *password)
{
	struct value	*o;

	o = value_object(CRED_TYPE, NULL);
	object_add(o, "UserName", value_string(user));
	object_add(o, "Password", value_secure(password));
	o->u.obj->text = xstrdup(CRED_TYPE);
	return (o);
}

/*
 * ConvertTo-SecureString.  Windows PowerShell 5.1 wants both -AsPlainText
 * and -Force for plain text; without -AsPlainText the string would be an
 * encrypted standard string, which hubsh cannot decrypt.
 */
static int
cmd_convertto_securestring_exec(struct cmd_ctx *ctx)
{
	struct value	*v;
	size_t		 i;

	if (ctx->ninput > 0) {
		for (i = 0; i < ctx->ninput && !ctx->stop; i++)
			securestring_convert(ctx, ctx->input[i]);
	} else if ((v = bound_get(ctx->args, "String")) != NULL)
		securestring_convert(ctx, v);
	return (0);
}

static void
securestring_convert(struct cmd_ctx *ctx, struct value *v)
{
	char	*s;

	if (!bound_switch(ctx->args, "AsPlainText")) {
		cmd_error(ctx, ERR_NONTERMINATING, "NotSpecified",
		    "FormatException", "System.FormatException",
		    "Input string was not in a correct format.");
		return;
	}
	if (!bound_switch(ctx->args, "Force")) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ArgumentException", "ImportSecureString_InvalidArgument",
		    "The system cannot protect plain text input. To suppress "
		    "this warning and convert the plain text to a "
		    "SecureString, reissue the command specifying the Force "
		    "parameter. For more information ,type: get-help "
		    "ConvertTo-SecureString.");
		return;
	}
	s = value_to_string(v);
	cmd_emit(ctx, value_secure(s));
	explicit_bzero(s, strlen(s));
	free(s);
}
