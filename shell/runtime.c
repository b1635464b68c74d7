/*
 * runtime.c - the session and the cmdlet runtime: a shell's lifetime
 * (shell_create, shell_free, its store opened on first use), the error
 * sink every layer reports to (shell_report, which also keeps $Error),
 * the preference variables, and what a cmdlet calls while it runs:
 * cmd_emit, cmd_error, cmd_warning, cmd_verbose, cmd_ctl (hubd's control
 * channel) and cmd_should_process (-WhatIf and -Confirm).  cmd_report
 * writes an error record a cmdlet built itself (Write-Error's).
 *
 * The binder and help use only these, never the evaluator (eval.c), which
 * owns the variables and runs script blocks for cmd_invoke_script.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

static void		 cmd_stream(struct cmd_ctx *, const char *, const char *,
			    va_list) __attribute__((format(printf, 3, 0)));
static void		 shell_record(struct shell *, struct errrec *, bool);
static struct errrec	*cmd_verrrec(struct cmd_ctx *, enum err_kind,
			    const char *, const char *, const char *,
			    const char *, va_list)
			    __attribute__((format(printf, 6, 0)));

struct shell *
shell_create(void)
{
	struct shell	*sh;

	sh = xcalloc(1, sizeof *sh);
	sh->width = SHELL_WIDTH;
	sh->out = stdout;
	sh->err = stderr;
	sh->last_ok = true;
	shell_setvar(sh, "ErrorActionPreference", value_string("Continue"));
	shell_setvar(sh, "ConfirmPreference", value_string("High"));
	shell_setvar(sh, "VerbosePreference", value_string(
	    "SilentlyContinue"));
	shell_setvar(sh, "WarningPreference", value_string("Continue"));
	shell_setvar(sh, "WhatIfPreference", value_bool(false));
	shell_setvar(sh, "FormatEnumerationLimit", value_int(
	    SHELL_ENUM_LIMIT));
	shell_setvar(sh, "OFS", value_string(" "));
	shell_setvar(sh, "Error", value_array());
	return (sh);
}

void
shell_free(struct shell *sh)
{
	size_t	i;

	if (sh == NULL)
		return;
	for (i = 0; i < sh->nvars; i++) {
		free(sh->vars[i].name);
		value_unref(sh->vars[i].val);
	}
	free(sh->vars);
	for (i = 0; i < sh->ntrees; i++) {
		node_free(sh->trees[i]);
		source_free(sh->tree_src[i]);
	}
	free(sh->trees);
	free(sh->tree_src);
	if (sh->store != NULL)
		store_close(sh->store);
	free(sh->store_path);
	free(sh->server_name);
	free(sh->control_path);
	free(sh->store_cause);
	free(sh);
}

int
shell_store(struct shell *sh, struct store **st)
{
	struct errrec	*e;
	char		*cause = NULL;

	if (sh->store == NULL && sh->store_cause == NULL) {
		if (store_open(&sh->store, sh->store_path, sh->server_name,
		    &cause) != 0) {
			sh->store = NULL;
			sh->store_cause = cause;
		}
	}
	*st = sh->store;
	if (sh->store != NULL)
		return (0);
	e = errrec_create("");
	errrec_set(&e->message, xprintf("The connector store '%s' couldn't "
	    "be opened: %s", sh->store_path, sh->store_cause));
	errrec_set(&e->category, xstrdup("ResourceUnavailable"));
	errrec_set(&e->reason, xstrdup("StoreUnavailableException"));
	errrec_set(&e->fqid, xstrdup("StoreUnavailable"));
	shell_report(sh, e);
	return (-1);
}

enum action_pref
shell_pref_parse(const char *s)
{
	if (strcasecmp(s, "Stop") == 0)
		return (AP_STOP);
	if (strcasecmp(s, "SilentlyContinue") == 0)
		return (AP_SILENTLY_CONTINUE);
	if (strcasecmp(s, "Ignore") == 0)
		return (AP_IGNORE);
	if (strcasecmp(s, "Inquire") == 0)
		return (AP_INQUIRE);
	return (AP_CONTINUE);
}

enum action_pref
shell_pref(struct shell *sh, const char *var)
{
	struct value		*v;
	char			*s;
	enum action_pref	 ap;

	v = shell_getvar(sh, var);
	s = value_to_string(v);
	ap = shell_pref_parse(s);
	free(s);
	value_unref(v);
	return (ap);
}

/* Record an error in $Error (newest first) and print it. */
static void
shell_record(struct shell *sh, struct errrec *e, bool print)
{
	struct value	*errs, *list;
	char		*text;
	size_t		 i;

	errs = shell_getvar(sh, "Error");
	list = value_array();
	value_array_push(list, value_string(e->message));
	for (i = 0; i < value_count(errs) && i < 255; i++)
		value_array_push(list, value_ref(value_item(errs, i)));
	value_unref(errs);
	shell_setvar(sh, "Error", list);
	if (!print)
		return;
	sh->any_error = true;
	text = errrec_render(e, sh->width);
	fflush(sh->out);
	fputs(text, sh->err);
	fflush(sh->err);
	free(text);
}

void
shell_report(struct shell *sh, struct errrec *e)
{
	shell_record(sh, e, true);
	errrec_free(e);
}

/*
 * The cmdlet side of the runtime.
 */
void
cmd_emit(struct cmd_ctx *ctx, struct value *v)
{
	value_array_push(ctx->out, v);
}

/*
 * Write an error of the running cmdlet, as -ErrorAction says: Stop makes
 * it stop the script, Ignore drops it, SilentlyContinue keeps it in
 * $Error without showing it.  Frees e.
 */
void
cmd_report(struct cmd_ctx *ctx, struct errrec *e)
{
	ctx->failed = true;
	if (ctx->ea == AP_STOP || e->kind == ERR_SCRIPT)
		ctx->stop = true;
	if (ctx->ea == AP_IGNORE && e->kind == ERR_NONTERMINATING) {
		errrec_free(e);
		return;
	}
	shell_record(ctx->sh, e, !(ctx->ea == AP_SILENTLY_CONTINUE &&
	    e->kind == ERR_NONTERMINATING));
	errrec_free(e);
}

static struct errrec *
cmd_verrrec(struct cmd_ctx *ctx, enum err_kind kind, const char *category,
    const char *reason, const char *fqid_base, const char *fmt, va_list ap)
{
	struct errrec	*e;

	e = errrec_vcreate(kind, category, reason, xprintf("%s,%s", fqid_base,
	    ctx->entry->class_name != NULL ? ctx->entry->class_name :
	    ctx->entry->name), ctx->src, ctx->node->ext, fmt, ap);
	errrec_set(&e->activity, xstrdup(ctx->entry->name));
	errrec_set(&e->invocation, xstrdup(ctx->invocation));
	return (e);
}

struct errrec *
cmd_errrec(struct cmd_ctx *ctx, enum err_kind kind, const char *category,
    const char *reason, const char *fqid_base, const char *fmt, ...)
{
	struct errrec	*e;
	va_list		 ap;

	va_start(ap, fmt);
	e = cmd_verrrec(ctx, kind, category, reason, fqid_base, fmt, ap);
	va_end(ap);
	return (e);
}

void
cmd_error(struct cmd_ctx *ctx, enum err_kind kind, const char *category,
    const char *reason, const char *fqid_base, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	cmd_report(ctx, cmd_verrrec(ctx, kind, category, reason, fqid_base,
	    fmt, ap));
	va_end(ap);
}

void
cmd_error_target(struct cmd_ctx *ctx, enum err_kind kind,
    const char *category, const char *reason, const char *fqid_base,
    const char *target, const char *fmt, ...)
{
	struct errrec	*e;
	va_list		 ap;

	va_start(ap, fmt);
	e = cmd_verrrec(ctx, kind, category, reason, fqid_base, fmt, ap);
	va_end(ap);
	errrec_set(&e->target, xstrdup(target));
	errrec_set(&e->target_type, xstrdup("String"));
	cmd_report(ctx, e);
}

/*
 * A request to hubd.  The channel's own failures (not running, access
 * denied, no answer) are ConnectionError / PermissionDenied errors; a
 * refusal carries hubd's category and message.  All are non-terminating,
 * as Exchange's queue cmdlets report an unreachable server.
 */
int
cmd_ctl(struct cmd_ctx *ctx, const struct ctl_rec *req, ctl_result_fn fn,
    void *arg)
{
	char	*cat = NULL, *msg = NULL, *cause = NULL;
	int	 rc;

	rc = ctl_call(ctx->sh->control_path, req, fn, arg, &cat, &msg, &cause);
	if (rc == 0)
		return (0);
	if (rc < 0)
		cmd_error(ctx, ERR_NONTERMINATING, strstr(cause,
		    "denied") != NULL ? "PermissionDenied" : "ConnectionError",
		    "TransportServiceException", "TransportServiceError", "%s",
		    cause);
	else
		cmd_error(ctx, ERR_NONTERMINATING, cat, "TransportException",
		    "TransportServiceError", "%s", msg);
	free(cat);
	free(msg);
	free(cause);
	return (-1);
}

/* A WARNING: or VERBOSE: line on the error stream. */
static void
cmd_stream(struct cmd_ctx *ctx, const char *prefix, const char *fmt,
    va_list ap)
{
	char	*msg;

	xvasprintf(&msg, fmt, ap);
	fflush(ctx->sh->out);
	fprintf(ctx->sh->err, "%s: %s\n", prefix, msg);
	fflush(ctx->sh->err);
	free(msg);
}

void
cmd_warning(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	ap;

	if (shell_pref(ctx->sh, "WarningPreference") == AP_SILENTLY_CONTINUE)
		return;
	va_start(ap, fmt);
	cmd_stream(ctx, "WARNING", fmt, ap);
	va_end(ap);
}

void
cmd_verbose(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	ap;

	if (!ctx->verbose)
		return;
	va_start(ap, fmt);
	cmd_stream(ctx, "VERBOSE", fmt, ap);
	va_end(ap);
}

/*
 * ShouldProcess.  -WhatIf prints and declines.  Confirmation is asked
 * when -Confirm was given, or by default for cmdlets marked C_CONFIRM;
 * without a terminal to ask on, that is an error, as in PowerShell's
 * non-interactive mode: a script must say -Confirm:$false.
 */
bool
cmd_should_process(struct cmd_ctx *ctx, const char *description)
{
	char	*answer;
	bool	 yes;

	if (ctx->whatif) {
		fprintf(ctx->sh->out, "What if: %s\n", description);
		return (false);
	}
	if (!ctx->confirm || ctx->yes_to_all)
		return (true);
	if (ctx->no_to_all)
		return (false);
	if (!ctx->sh->can_prompt || ctx->sh->read_line == NULL) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidOperation",
		    "PSInvalidOperationException", "HostException",
		    "Confirmation is required to proceed (%s), but hubsh is "
		    "not reading from a terminal. Add -Confirm:$false to "
		    "the command.", description);
		return (false);
	}
	for (;;) {
		fprintf(ctx->sh->out, "\nConfirm\nAre you sure you want to "
		    "perform this action?\n%s\n", description);
		fflush(ctx->sh->out);
		answer = ctx->sh->read_line(ctx->sh, "[Y] Yes  [A] Yes to All  "
		    "[N] No  [L] No to All  [?] Help (default is \"Y\"): ",
		    false);
		if (answer == NULL)
			return (false);
		if (answer[0] == '?') {
			fprintf(ctx->sh->out, "Y - Continue with only the next "
			    "step of the operation.\nA - Continue with all the "
			    "steps of the operation.\nN - Skip this operation "
			    "and proceed with the next operation.\nL - Skip "
			    "this operation and all subsequent operations.\n");
			free(answer);
			continue;
		}
		break;
	}
	switch (tolower((unsigned char)answer[0])) {
	case '\0': case 'y':
		yes = true;
		break;
	case 'a':
		yes = ctx->yes_to_all = true;
		break;
	case 'l':
		ctx->no_to_all = true;
		yes = false;
		break;
	default:
		yes = false;
		break;
	}
	free(answer);
	return (yes);
}
