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
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
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
	scope_init(sh);
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
	scope_free_all(sh);
	streams_free(&sh->streams);
	free(sh->flow_label);
	errrec_free(sh->thrown);
	for (i = 0; i < sh->ntrees; i++) {
		node_free(sh->trees[i]);
		source_free(sh->tree_src[i]);
	}
	free(sh->trees);
	free(sh->tree_src);
	free(sh->live);
	if (sh->store != NULL)
		store_close(sh->store);
	free(sh->store_path);
	free(sh->key_file);
	free(sh->server_name);
	free(sh->control_path);
	free(sh->store_cause);
	free(sh);
}

int
shell_store(struct shell *sh, struct store **st)
{
	struct errrec	*e;
	char		*cause = NULL, *shown;

	if (sh->store == NULL && sh->store_cause == NULL) {
		if (store_open(&sh->store, sh->store_path, sh->server_name,
		    &cause) != 0) {
			sh->store = NULL;
			sh->store_cause = cause;
		} else if (sh->key_file != NULL)
			store_set_key_file(sh->store, sh->key_file);
	}
	*st = sh->store;
	if (sh->store != NULL)
		return (0);
	shown = store_location_display(sh->store_path);
	e = errrec_create("");
	errrec_set(&e->message, xprintf("The connector store '%s' couldn't "
	    "be opened: %s", shown, sh->store_cause));
	free(shown);
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

/*
 * Does a command ask before acting when -Confirm is not given?  As in
 * PowerShell, when its impact is at least $ConfirmPreference (None never
 * asks).  High, the default preference, asks only for the High-impact
 * commands (C_CONFIRM: the Remove-* cmdlets); Medium is every other
 * command's impact but C_LOWIMPACT ones'.
 */
bool
shell_confirm(struct shell *sh, const struct cmdlet_entry *ce)
{
	static const char *const levels[] = { "None", "Low", "Medium",
	    "High" };
	struct value	*v;
	char		*s;
	int		 pref = 3, impact, i;

	impact = (ce->flags & C_CONFIRM) ? 3 : (ce->flags & C_LOWIMPACT) ?
	    1 : 2;
	v = shell_getvar(sh, "ConfirmPreference");
	s = value_to_string(v);
	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, levels[i]) == 0)
			pref = i;
	}
	free(s);
	value_unref(v);
	return (pref != 0 && impact >= pref);
}

/*
 * Before anything is written beside Out-Default's stream (an error, a
 * warning, Write-Host, What if, a prompt): the output the statements
 * running have made so far (sh->live, outermost first) and the table
 * rows the formatter holds go first, so the order on the terminal is the
 * order of the script, as PowerShell streams it: foreach ($q in $qs) {
 * $q; Write-Host ... } alternates.
 */
void
shell_flush(struct shell *sh)
{
	struct value	**live = sh->live, *a;
	size_t		  nlive = sh->nlive, i, k;

	sh->nlive = 0;		/* formatting may write, and flush */
	for (k = 0; k < nlive; k++) {
		a = live[k];
		if (a->u.arr.n == 0)
			continue;
		shell_print_text(sh, format_stream(sh, a->u.arr.v,
		    a->u.arr.n));
		for (i = 0; i < a->u.arr.n; i++)
			value_unref(a->u.arr.v[i]);
		a->u.arr.n = 0;
	}
	sh->nlive = nlive;
	shell_print_text(sh, format_stream_flush(sh));
}

void
shell_live_push(struct shell *sh, struct value *a)
{
	sh->live = xreallocarray(sh->live, sh->nlive + 1, sizeof *sh->live);
	sh->live[sh->nlive++] = a;
}

void
shell_live_pop(struct shell *sh)
{
	sh->nlive--;
}

/* Print formatted text (taken) on the output now. */
void
shell_print_text(struct shell *sh, char *text)
{
	fputs(text, sh->out);
	fflush(sh->out);
	free(text);
}

volatile sig_atomic_t	shell_interrupted;

/*
 * Ctrl-C while a command runs at the prompt: the statements unwind, as
 * after an error that stops the script, without a message, and the
 * prompt comes back (PowerShell's "pipeline stopped").  Checked between
 * statements, at each turn of a loop and while Start-Sleep waits.
 */
bool
shell_check_interrupt(struct shell *sh)
{
	if (!shell_interrupted)
		return (false);
	shell_stop(sh);
	return (true);
}

void
shell_stop(struct shell *sh)
{
	if (sh->flow == FLOW_NONE)
		sh->flow = FLOW_STOP;
}

/*
 * A terminating error inside a try is not printed: it becomes the error
 * the statements unwind with (FLOW_THROW) until a catch takes it.  The
 * first one wins; true when it was taken (and e with it).
 */
static bool
shell_throw(struct shell *sh, struct errrec *e)
{
	if (sh->try_depth == 0 || e->kind == ERR_NONTERMINATING)
		return (false);
	if (sh->flow == FLOW_THROW) {
		errrec_free(e);
		return (true);
	}
	free(sh->flow_label);
	sh->flow_label = NULL;
	sh->flow = FLOW_THROW;
	sh->thrown = e;
	return (true);
}

struct streams
streams_copy(const struct streams *s)
{
	struct streams	c = *s;

	c.error.path = s->error.path != NULL ? xstrdup(s->error.path) : NULL;
	c.warning.path = s->warning.path != NULL ? xstrdup(s->warning.path) :
	    NULL;
	c.verbose.path = s->verbose.path != NULL ? xstrdup(s->verbose.path) :
	    NULL;
	c.information.path = s->information.path != NULL ?
	    xstrdup(s->information.path) : NULL;
	return (c);
}

void
streams_free(struct streams *s)
{
	free(s->error.path);
	free(s->warning.path);
	free(s->verbose.path);
	free(s->information.path);
	memset(s, 0, sizeof *s);
}

int
shell_write_file(const char *path, const char *text, bool append,
    char **cause)
{
	FILE	*f;
	int	 rc = 0;

	if ((f = fopen(path, append ? "a" : "w")) == NULL) {
		*cause = xstrdup(strerror(errno));
		return (-1);
	}
	if (fputs(text, f) == EOF || fflush(f) == EOF)
		rc = -1;
	if (fclose(f) == EOF)
		rc = -1;
	if (rc != 0)
		*cause = xstrdup(strerror(errno));
	return (rc);
}

bool
shell_stream_text(struct shell *sh, struct stream_to *s, const char *text)
{
	char	*cause = NULL;

	switch (s->to) {
	case STREAM_HOST:
		return (true);
	case STREAM_FILE:
		if (shell_write_file(s->path, text, true, &cause) != 0)
			free(cause);
		return (false);
	case STREAM_OUTPUT:
		if (sh->streams.merge_into != NULL)
			value_array_push(sh->streams.merge_into,
			    value_string(text));
		return (false);
	default:
		return (false);
	}
}

/* Record an error in $Error (newest first) and print it. */
static void
shell_record(struct shell *sh, struct errrec *e, bool print)
{
	struct value	*errs, *list;
	size_t		 i;

	errs = shell_getvar(sh, "global:Error");
	list = value_array();
	value_array_push(list, errrec_value(e));
	for (i = 0; i < value_count(errs) && i < 255; i++)
		value_array_push(list, value_ref(value_item(errs, i)));
	value_unref(errs);
	shell_setvar(sh, "global:Error", list);
	if (print)
		shell_error_print(sh, e);
}

void
shell_error_print(struct shell *sh, struct errrec *e)
{
	char	*text;

	if (sh->streams.error.to == STREAM_OUTPUT &&
	    sh->streams.merge_into != NULL) {
		/* 2>&1: the error record joins the output. */
		value_array_push(sh->streams.merge_into, errrec_value(e));
		return;
	}
	text = errrec_render(e, sh->width);
	if (!shell_stream_text(sh, &sh->streams.error, text)) {
		free(text);
		return;		/* redirected: not a failure of the run */
	}
	sh->any_error = true;
	shell_flush(sh);
	fflush(sh->out);
	fputs(text, sh->err);
	fflush(sh->err);
	free(text);
}

void
shell_report(struct shell *sh, struct errrec *e)
{
	if (sh->try_depth > 0 && e->kind != ERR_NONTERMINATING) {
		shell_record(sh, e, false);
		shell_throw(sh, e);
		return;
	}
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
	bool	silent;

	ctx->failed = true;
	silent = ctx->ea == AP_SILENTLY_CONTINUE &&
	    e->kind == ERR_NONTERMINATING;
	if (ctx->ea == AP_STOP || e->kind == ERR_SCRIPT) {
		ctx->stop = true;
		e->kind = ERR_SCRIPT;
	}
	if (ctx->ea == AP_IGNORE && e->kind == ERR_NONTERMINATING) {
		errrec_free(e);
		return;
	}
	if (ctx->sh->try_depth > 0 && e->kind != ERR_NONTERMINATING) {
		/* Inside a try: on its way to a catch, unprinted. */
		shell_record(ctx->sh, e, false);
		shell_throw(ctx->sh, e);
		return;
	}
	shell_record(ctx->sh, e, !silent);
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
	char	*msg, *line;

	xvasprintf(&msg, fmt, ap);
	line = xprintf("%s: %s\n", prefix, msg);
	if (!shell_stream_text(ctx->sh, strcmp(prefix, "WARNING") == 0 ?
	    &ctx->sh->streams.warning : &ctx->sh->streams.verbose, line)) {
		free(line);
		free(msg);
		return;
	}
	free(line);
	shell_flush(ctx->sh);
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

	shell_flush(ctx->sh);
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
		/*
		 * PowerShell's failed prompt ends the statement: the
		 * objects still in the pipeline are not asked about.
		 */
		ctx->no_to_all = true;
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

/*
 * A whole file, for scripts and switch -File: at most SHELL_FILE_MAX
 * bytes, a UTF-8 byte order mark dropped.  NULL with *cause set.
 */
char *
shell_read_file(const char *path, size_t *len, char **cause)
{
	FILE		*f;
	struct buf	 b;
	char		 chunk[8192];
	size_t		 n;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL) {
		*cause = xstrdup(strerror(errno));
		return (NULL);
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + n > SHELL_FILE_MAX) {
			if (f != stdin)
				fclose(f);
			buf_free(&b);
			*cause = xprintf("larger than %d MiB",
			    SHELL_FILE_MAX / (1024 * 1024));
			return (NULL);
		}
		buf_add(&b, chunk, n);
	}
	if (f != stdin)
		fclose(f);
	if (b.len >= 3 && memcmp(b.s, "\xef\xbb\xbf", 3) == 0) {
		memmove(b.s, b.s + 3, b.len - 2);
		b.len -= 3;
	}
	*len = b.len;
	return (buf_detach(&b));
}
