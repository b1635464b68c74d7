/*
 * cmd_sleep.c - Start-Sleep: wait before the next statement, as scripts
 * do between retries or while hubd picks up a change.
 */
#include <errno.h>
#include <time.h>

#include "shell.h"

static int		 cmd_start_sleep_exec(struct cmd_ctx *);

static const struct param_entry start_sleep_params[] = {
	PARAM("Seconds", "s", PT_INT, P_POSITIONAL | P_BYNAME, 0, NULL, 0,
	  35791, NULL, "How long to wait, in seconds."),
	PARAM("Milliseconds", "ms", PT_INT, P_BYNAME, 0, NULL, 0, INT32_MAX,
	  NULL, "How long to wait, in milliseconds."),
	PARAM_END
};

const struct cmdlet_entry cmd_start_sleep_entry = {
	.name = "Start-Sleep",
	.synopsis = "Suspends the activity in a script or session for the "
	    "specified period of time.",
	.params = start_sleep_params,
	.flags = C_NOINPUT,
	.class_name = PS_CLASS("StartSleepCommand"),
	.exec = cmd_start_sleep_exec,
	.description = "Start-Sleep waits -Seconds or -Milliseconds, then "
	    "the script goes on."
};

static int
cmd_start_sleep_exec(struct cmd_ctx *ctx)
{
	struct value	*v;
	struct timespec	 ts;
	int64_t		 ms = 0;

	if ((v = bound_get(ctx->args, "Milliseconds")) != NULL)
		ms = v->u.i;
	else if ((v = bound_get(ctx->args, "Seconds")) != NULL)
		ms = v->u.i * 1000;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	shell_flush(ctx->sh);	/* what came before shows while it waits */
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR &&
	    !shell_check_interrupt(ctx->sh))
		continue;
	return (0);
}
