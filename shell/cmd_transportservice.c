/*
 * cmd_transportservice.c - Get-TransportService and Set-TransportService.
 *
 * Get-TransportService and Set-TransportService: this server's transport
 * settings (retries, expiry, delay notices, tracking log, send protocol
 * log), kept in the store (store_transport_get / store_transport_set) and
 * read by hubd at every reload.  The object is Exchange 2013+'s
 * TransportServer with the properties hubd implements, in its declaration
 * order; time spans print as Exchange's (2.00:00:00, 04:00:00).
 *
 * Identity is optional: hubsh has one transport server, the local one
 * (--server, else the host name); any other name is Exchange's
 * not-found error.  A Set reads the settings, applies the arguments,
 * and, if anything changed and ShouldProcess agrees, writes them in one
 * transaction that reads them again (so that a concurrent Set of another
 * setting is kept).  Ranges are checked by the binder (PT_INT,
 * PT_TIMESPAN, PT_UNLIMITED): a bad value changes nothing.
 *
 * hubsh's choices: ExternalDelayDsnEnabled, a Set-TransportConfig
 * setting in Exchange 2013+, is a setting of this object;
 * MaxPerDomainOutboundConnections Unlimited is stored as 2147483647 (hubd
 * needs a number) and shown as Unlimited; SendProtocolLogPath $null is
 * hubd's default, <state-dir>/log/SmtpSend (Exchange's $null turns the
 * log off).
 */
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "extype.h"
#include "shell.h"
#include "store.h"
#include "xmalloc.h"

#define TS_TYPE_NAME	"Microsoft.Exchange.Data.Directory.Management." \
    "TransportServer"
#define TS_CLASS_BASE	"Microsoft.Exchange.Management.SystemConfigurationTasks."
#define TS_TN_SERVER	"Microsoft.Exchange.Configuration.Tasks.ServerIdParameter"

#define TS_MSG_NOTFOUND	"The operation couldn't be performed because object " \
    "'%s' couldn't be found on '%s'."
#define TS_MSG_NOCHANGE	"The command completed successfully but no " \
    "settings of '%s' have been modified."
#define TS_MSG_STORE	"The store operation failed: %s"
#define TS_MSG_CONFIRM	"Configuring transport server \"%s\"."

#define TS_UNLIMITED	2147483647	/* MaxPerDomainOutboundConnections */
#define TS_AGE_MAX	2147483647	/* 24855.03:14:07 */

/* How a setting is typed, stored and shown. */
enum ts_kind {
	TS_K_INT,	/* int */
	TS_K_SPAN,	/* int seconds, shown as a time span */
	TS_K_BOOL,	/* bool */
	TS_K_UNLIMITED,	/* int, TS_UNLIMITED shown as Unlimited */
	TS_K_PATH	/* char *, NULL shown as $null */
};

/* The settings, in TransportServer's declaration order (fl). */
static const struct {
	const char	*name;
	enum ts_kind	 kind;
	size_t		 off;
} ts_settings[] = {
	{ "DelayNotificationTimeout", TS_K_SPAN,
	    offsetof(struct transport_settings, delay_notification_timeout) },
	{ "ExternalDelayDsnEnabled", TS_K_BOOL,
	    offsetof(struct transport_settings, external_delay_dsn_enabled) },
	{ "MaxPerDomainOutboundConnections", TS_K_UNLIMITED,
	    offsetof(struct transport_settings,
	    max_per_domain_outbound_connections) },
	{ "MessageExpirationTimeout", TS_K_SPAN,
	    offsetof(struct transport_settings, message_expiration_timeout) },
	{ "MessageRetryInterval", TS_K_SPAN,
	    offsetof(struct transport_settings, message_retry_interval) },
	{ "MessageTrackingLogEnabled", TS_K_BOOL,
	    offsetof(struct transport_settings, message_tracking_log_enabled) },
	{ "MessageTrackingLogMaxAge", TS_K_SPAN,
	    offsetof(struct transport_settings, message_tracking_log_max_age) },
	{ "MessageTrackingLogSubjectLoggingEnabled", TS_K_BOOL,
	    offsetof(struct transport_settings,
	    message_tracking_log_subject_logging_enabled) },
	{ "OutboundConnectionFailureRetryInterval", TS_K_SPAN,
	    offsetof(struct transport_settings,
	    outbound_connection_failure_retry_interval) },
	{ "SendProtocolLogMaxAge", TS_K_SPAN,
	    offsetof(struct transport_settings, send_protocol_log_max_age) },
	{ "SendProtocolLogPath", TS_K_PATH,
	    offsetof(struct transport_settings, send_protocol_log_path) },
	{ "TransientFailureRetryCount", TS_K_INT,
	    offsetof(struct transport_settings,
	    transient_failure_retry_count) },
	{ "TransientFailureRetryInterval", TS_K_SPAN,
	    offsetof(struct transport_settings,
	    transient_failure_retry_interval) }
};
#define TS_NSETTINGS	(sizeof ts_settings / sizeof ts_settings[0])
#define TS_NPROPS	(TS_NSETTINGS + 7)

/* One server named by the pipeline or -Identity; NULL: the local one. */
typedef void	(*ts_target_fn)(struct cmd_ctx *, struct store *,
		    const char *);

static int	 cmd_get_transportservice_exec(struct cmd_ctx *);
static int	 cmd_set_transportservice_exec(struct cmd_ctx *);
static int	 ts_store_failed(struct cmd_ctx *, char *);
static char	*ts_input_identity(struct value *);
static int	 ts_resolve(struct cmd_ctx *, struct store *, const char *);
static void	 ts_for_each(struct cmd_ctx *, struct store *, ts_target_fn);
static void	 ts_apply(struct cmd_ctx *, struct transport_settings *);
static void	 ts_copy(struct transport_settings *,
		    const struct transport_settings *);
static bool	 ts_equal(const struct transport_settings *,
		    const struct transport_settings *);
static struct value *ts_setting_value(const struct transport_settings *,
		    size_t);
static struct value *ts_date(int64_t, bool);
static struct value *ts_object(const struct transport_settings *);
static void	 ts_get_one(struct cmd_ctx *, struct store *, const char *);
static int	 ts_write(struct cmd_ctx *, struct store *);
static void	 ts_set_one(struct cmd_ctx *, struct store *, const char *);

static const struct choice ts_unlimited_choice[] = {
	{ "Unlimited", 0 }, { NULL, 0 }
};

#define TS_P_SPAN(n, lo, hi, h) \
	{ .name = n, .type = PT_TIMESPAN, .min = lo, .max = hi, \
	  .help = h }
#define TS_P_BOOL(n, h) \
	{ .name = n, .type = PT_BOOL, .help = h }
#define TS_P_IDENTITY(h) \
	{ .name = "Identity", .type = PT_STRING, .flags = P_POSITIONAL | \
	  P_PIPELINE | P_BYNAME, .position = 0, .type_name = TS_TN_SERVER, \
	  .help = h }

static const struct param_entry ts_get_params[] = {
	TS_P_IDENTITY("The server's name; the local server when omitted."),
	{ .name = NULL }
};

static const struct param_entry ts_set_params[] = {
	TS_P_IDENTITY("The server's name; the local server when omitted."),
	TS_P_SPAN("DelayNotificationTimeout", 1, 30 * 86400, "When a delay "
	    "notice goes to the sender (00:00:01 to 30.00:00:00)."),
	TS_P_BOOL("ExternalDelayDsnEnabled", "Send delay notices at all."),
	{ .name = "MaxPerDomainOutboundConnections", .type = PT_UNLIMITED,
	  .choices = ts_unlimited_choice, .min = 1, .max = 2147483647,
	  .help = "Most connections to one "
	  "destination at a time (1 to 2147483647, or Unlimited)." },
	TS_P_SPAN("MessageExpirationTimeout", 5, 90 * 86400, "When an "
	    "undelivered message expires (00:00:05 to 90.00:00:00)."),
	TS_P_SPAN("MessageRetryInterval", 1, 86400, "When a message the "
	    "next hop answered 4xx is tried again (00:00:01 to 1.00:00:00)."),
	TS_P_BOOL("MessageTrackingLogEnabled", "Write the message tracking "
	    "log."),
	TS_P_SPAN("MessageTrackingLogMaxAge", 0, TS_AGE_MAX, "Age at which "
	    "tracking records are removed; 00:00:00 keeps them."),
	TS_P_BOOL("MessageTrackingLogSubjectLoggingEnabled", "Record "
	    "subjects in the tracking log."),
	TS_P_SPAN("OutboundConnectionFailureRetryInterval", 1, 20 * 86400,
	    "Retry interval after the transient retries (00:00:01 to "
	    "20.00:00:00)."),
	TS_P_SPAN("SendProtocolLogMaxAge", 0, TS_AGE_MAX, "Age at which "
	    "send protocol logs are removed; 00:00:00 keeps them."),
	{ .name = "SendProtocolLogPath", .type = PT_LOCALPATH,
	  .help = "Directory of the send protocol "
	  "log; $null for <state-dir>/log/SmtpSend." },
	{ .name = "TransientFailureRetryCount", .type = PT_INT, .min = 0,
	  .max = 15, .help = "Quick retries after a "
	  "connection failure (0 to 15)." },
	TS_P_SPAN("TransientFailureRetryInterval", 1, 12 * 3600, "Interval "
	    "of the quick retries (00:00:01 to 12:00:00)."),
	{ .name = NULL }
};

const struct cmdlet_entry cmd_get_transportservice_entry = {
	.name = "Get-TransportService",
	.synopsis = "Show the transport settings of this server.",
	.params = ts_get_params,
	.flags = C_EXCHANGE,
	.class_name = TS_CLASS_BASE "GetTransportService",
	.exec = cmd_get_transportservice_exec,
	.description = "Writes the transport settings hubd uses on this "
	    "server: retries, expiry, delay notices, the message tracking "
	    "log and the send protocol log."
};

const struct cmdlet_entry cmd_set_transportservice_entry = {
	.name = "Set-TransportService",
	.synopsis = "Change the transport settings of this server.",
	.params = ts_set_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS,
	.class_name = TS_CLASS_BASE "SetTransportService",
	.exec = cmd_set_transportservice_exec,
	.description = "Changes the given transport settings of this server "
	    "in one transaction; hubd applies them at its next reload.  A "
	    "value out of Exchange's range changes nothing."
};

static const char *const ts_table_columns[] = {
	"Name", "TransientFailureRetryCount", "TransientFailureRetryInterval",
	"MessageExpirationTimeout", "MessageTrackingLogEnabled", NULL
};
static const struct view ts_view = {
	.type_name = TS_TYPE_NAME,
	.shape = SHAPE_TABLE,
	.table = ts_table_columns,
	.list = NULL
};

/* Report a store failure; frees cause.  Returns -1. */
static int
ts_store_failed(struct cmd_ctx *ctx, char *cause)
{
	cmd_error(ctx, ERR_NONTERMINATING, "WriteError", "StoreException",
	    "StoreException", TS_MSG_STORE, cause != NULL ? cause :
	    "unknown error");
	free(cause);
	return (-1);
}

/* The identity text of one pipeline input or argument, or NULL. */
static char *
ts_input_identity(struct value *v)
{
	struct value	*id;

	if (v == NULL || v->type == V_NULL)
		return (NULL);
	if (v->type == V_OBJECT &&
	    (((id = object_get(v, "Identity")) != NULL && id->type != V_NULL) ||
	    ((id = object_get(v, "Name")) != NULL && id->type != V_NULL)))
		return (value_to_string(id));
	return (value_to_string(v));
}

/* 0 when id names this server, else the not-found error and -1. */
static int
ts_resolve(struct cmd_ctx *ctx, struct store *st, const char *id)
{
	if (strcasecmp(id, store_server_name(st)) == 0)
		return (0);
	cmd_error(ctx, ERR_NONTERMINATING, "NotSpecified",
	    "ManagementObjectNotFoundException",
	    "ManagementObjectNotFoundException", TS_MSG_NOTFOUND, id,
	    store_server_name(st));
	return (-1);
}

/*
 * Call fn for each server named by the pipeline input, else by -Identity,
 * else for the local server; fn gets the label for messages (the
 * identity as given).
 */
static void
ts_for_each(struct cmd_ctx *ctx, struct store *st, ts_target_fn fn)
{
	char	*id;
	size_t	 i, n;

	if (ctx->piped && ctx->ninput == 0 &&
	    bound_get(ctx->args, "Identity") == NULL)
		return;
	n = ctx->ninput > 0 ? ctx->ninput : 1;
	for (i = 0; i < n && !ctx->stop; i++) {
		id = ts_input_identity(ctx->ninput > 0 ? ctx->input[i] :
		    bound_get(ctx->args, "Identity"));
		if (id == NULL && ctx->ninput > 0)
			continue;
		if (id == NULL)
			fn(ctx, st, store_server_name(st));
		else if (ts_resolve(ctx, st, id) == 0)
			fn(ctx, st, id);
		free(id);
	}
}

/* Apply every setting argument to ts (the binder checked the ranges). */
static void
ts_apply(struct cmd_ctx *ctx, struct transport_settings *ts)
{
	struct value	*v;
	char		*p, **s;
	size_t		 i;

	for (i = 0; i < TS_NSETTINGS; i++) {
		if ((v = bound_get(ctx->args, ts_settings[i].name)) == NULL)
			continue;
		p = (char *)ts + ts_settings[i].off;
		switch (ts_settings[i].kind) {
		case TS_K_BOOL:
			*(bool *)p = value_truthy(v);
			break;
		case TS_K_UNLIMITED:
			*(int *)p = v->type == V_INT ? (int)v->u.i :
			    TS_UNLIMITED;
			break;
		case TS_K_INT:
		case TS_K_SPAN:
			if (v->type == V_INT)
				*(int *)p = (int)v->u.i;
			break;
		case TS_K_PATH:
			s = (char **)p;
			free(*s);
			*s = v->type == V_NULL ? NULL : value_to_string(v);
			break;
		}
	}
}

/* dst becomes a copy of src (dst is overwritten, not freed). */
static void
ts_copy(struct transport_settings *dst, const struct transport_settings *src)
{
	*dst = *src;
	dst->server = src->server != NULL ? xstrdup(src->server) : NULL;
	dst->send_protocol_log_path = src->send_protocol_log_path != NULL ?
	    xstrdup(src->send_protocol_log_path) : NULL;
}

/* The same settings (Exchange's IsChanged). */
static bool
ts_equal(const struct transport_settings *a,
    const struct transport_settings *b)
{
	const char	*pa, *pb, *sa, *sb;
	size_t		 i;

	for (i = 0; i < TS_NSETTINGS; i++) {
		pa = (const char *)a + ts_settings[i].off;
		pb = (const char *)b + ts_settings[i].off;
		switch (ts_settings[i].kind) {
		case TS_K_BOOL:
			if (*(const bool *)pa != *(const bool *)pb)
				return (false);
			break;
		case TS_K_INT:
		case TS_K_SPAN:
		case TS_K_UNLIMITED:
			if (*(const int *)pa != *(const int *)pb)
				return (false);
			break;
		case TS_K_PATH:
			sa = *(char *const *)pa;
			sb = *(char *const *)pb;
			if ((sa == NULL) != (sb == NULL) ||
			    (sa != NULL && strcmp(sa, sb) != 0))
				return (false);
			break;
		}
	}
	return (true);
}

/* Setting i of ts as a property value. */
static struct value *
ts_setting_value(const struct transport_settings *ts, size_t i)
{
	const char	*p = (const char *)ts + ts_settings[i].off;
	const char	*s;
	int		 n;

	switch (ts_settings[i].kind) {
	case TS_K_BOOL:
		return (value_bool(*(const bool *)p));
	case TS_K_INT:
		return (value_int(*(const int *)p));
	case TS_K_SPAN:
		return (value_string_take(ex_timespan_format(*(const int *)p)));
	case TS_K_UNLIMITED:
		n = *(const int *)p;
		return (n == TS_UNLIMITED ? value_string("Unlimited") :
		    value_int(n));
	case TS_K_PATH:
		s = *(char *const *)p;
		return (s != NULL ? value_string(s) : value_null());
	}
	return (value_null());
}

/*
 * A change time: $null when never set.  A .NET DateTime of kind Utc
 * shows the UTC wall clock, so WhenChangedUTC is shifted by the local
 * offset (as cmd_sendconnector.c does).
 */
static struct value *
ts_date(int64_t secs, bool utc)
{
	struct tm	tm;
	time_t		t = (time_t)secs;

	if (secs == 0)
		return (value_null());
	if (utc && localtime_r(&t, &tm) != NULL)
		secs -= tm.tm_gmtoff;
	return (value_date(secs * 1000000));
}

/* The TransportServer object of ts. */
static struct value *
ts_object(const struct transport_settings *ts)
{
	struct value	*v, *name;
	size_t		 i;

	v = value_object(TS_TYPE_NAME, &ts_view);
	object_reserve(v, TS_NPROPS);
	v->u.obj->text = xstrdup(ts->server);
	name = value_string(ts->server);
	object_add_const(v, "RunspaceId", value_string(shell_runspace_id()));
	object_add_const(v, "Name", name);
	for (i = 0; i < TS_NSETTINGS; i++)
		object_add_const(v, ts_settings[i].name,
		    ts_setting_value(ts, i));
	object_add_const(v, "Identity", value_ref(name));
	object_add_const(v, "WhenChanged", ts_date(ts->when_changed, false));
	object_add_const(v, "WhenChangedUTC", ts_date(ts->when_changed,
	    true));
	object_add_const(v, "IsValid", value_bool(true));
	object_add_const(v, "ObjectState", value_string("Unchanged"));
	return (v);
}

/* Get-TransportService on the local server. */
static void
ts_get_one(struct cmd_ctx *ctx, struct store *st,
    __attribute__((unused)) const char *label)
{
	struct transport_settings	 ts;
	char				*cause = NULL;

	if (store_transport_get(st, NULL, &ts, &cause) != 0) {
		ts_store_failed(ctx, cause);
		return;
	}
	cmd_emit(ctx, ts_object(&ts));
	transport_settings_clear(&ts);
}

static int
cmd_get_transportservice_exec(struct cmd_ctx *ctx)
{
	struct store	*st;

	if (shell_store(ctx->sh, &st) != 0)
		return (-1);
	ts_for_each(ctx, st, ts_get_one);
	return (ctx->failed ? -1 : 0);
}

/*
 * The write: in one transaction, read the settings again, apply the
 * arguments and write them.  On failure the store is unchanged.
 */
static int
ts_write(struct cmd_ctx *ctx, struct store *st)
{
	struct transport_settings	 ts;
	char				*cause = NULL;
	int				 rc = -1;

	cmd_verbose(ctx, "Saving the transport settings of \"%s\" in %s.",
	    store_server_name(st), store_path(st));
	if (store_begin(st, &cause) != 0)
		return (ts_store_failed(ctx, cause));
	if (store_transport_get(st, NULL, &ts, &cause) == 0) {
		ts_apply(ctx, &ts);
		if (store_transport_set(st, &ts, &cause) == 0 &&
		    store_commit(st, &cause) == 0)
			rc = 0;
		transport_settings_clear(&ts);
	}
	if (rc != 0) {
		store_rollback(st);
		return (ts_store_failed(ctx, cause));
	}
	return (0);
}

/* Set-TransportService on the local server. */
static void
ts_set_one(struct cmd_ctx *ctx, struct store *st, const char *label)
{
	struct transport_settings	 old, ts;
	char				*cause = NULL, *desc;

	if (store_transport_get(st, NULL, &old, &cause) != 0) {
		ts_store_failed(ctx, cause);
		return;
	}
	ts_copy(&ts, &old);
	ts_apply(ctx, &ts);
	if (ts_equal(&old, &ts))
		cmd_warning(ctx, TS_MSG_NOCHANGE, label);
	else {
		desc = xprintf(TS_MSG_CONFIRM, label);
		if (cmd_should_process(ctx, desc))
			ts_write(ctx, st);
		free(desc);
	}
	transport_settings_clear(&old);
	transport_settings_clear(&ts);
}

static int
cmd_set_transportservice_exec(struct cmd_ctx *ctx)
{
	struct store	*st;

	if (shell_store(ctx->sh, &st) != 0)
		return (-1);
	ts_for_each(ctx, st, ts_set_one);
	return (ctx->failed ? -1 : 0);
}
