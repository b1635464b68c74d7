/*
 * cmd_tracking.c - Get-MessageTrackingLog.
 *
 * The message tracking log lives in hubd's spool (<state-dir>/queue.db).
 * The cmdlet asks hubd for it over the control channel ("op track",
 * common/ctl.h) and builds one MessageTrackingEvent object per record, in
 * the property order of exchange-semantics §7.3, with hubd's TLS fields
 * (TlsProtocol, TlsCipher, TlsVerify) appended.
 *
 * When hubd is not running, the cmdlet reads the spool itself through the
 * store API (spool_open_readonly + spool_track_query: nothing is created,
 * migrated or written), provided the file exists and this user may read
 * it; only when that fails too is "hubd isn't running" reported.  The records of both paths go through one builder:
 * a spool event is first written as the control record hubd would send.
 *
 * Filters are hubd's (and the spool's): Start inclusive, End exclusive,
 * Sender, EventId, MessageId and Reference exact without case (the ids
 * with or without <>), Recipients any of them, MessageSubject a
 * substring, ResultSize the number of records (default 1000, oldest
 * first).  -Server names the local server only.
 */

#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "queueviewer.h"
#include "shell.h"
#include "store.h"
#include "xmalloc.h"

#define MT_TYPE_NAME	"Microsoft.Exchange.Management.TransportLogSearchTasks." \
    "MessageTrackingEvent"
#define MT_CLASS_NAME	"Microsoft.Exchange.Management.TransportLogSearchTasks." \
    "GetMessageTrackingLog"
#define MT_TN_RESULT	"Microsoft.Exchange.Data.Unlimited`1[System.UInt32]"
#define MT_TN_SERVER	"Microsoft.Exchange.Configuration.Tasks.ServerIdParameter"
#define MT_DEFAULT_RESULTS	1000	/* ResultSize when not given */

/* How a record's field becomes a property (mt_props). */
enum mt_kind {
	MT_STR,		/* the field, or $null */
	MT_DATE,	/* Unix milliseconds -> DateTime */
	MT_NUM,		/* decimal -> number, or $null */
	MT_LIST,	/* every value of a repeated field -> array */
	MT_COUNT,	/* the field, else the number of Recipients */
	MT_NONE,	/* Exchange's property hubd does not record: $null */
	MT_LATENCY	/* MessageLatencyType: None */
};

/* Properties in order; field is the name in the control record. */
static const struct {
	const char	*name;
	enum mt_kind	 kind;
} mt_props[] = {
	{ "Timestamp", MT_DATE },
	{ "ClientIp", MT_STR },
	{ "ClientHostname", MT_STR },
	{ "ServerIp", MT_STR },
	{ "ServerHostname", MT_STR },
	{ "SourceContext", MT_STR },
	{ "ConnectorId", MT_STR },
	{ "Source", MT_STR },
	{ "EventId", MT_STR },
	{ "InternalMessageId", MT_STR },
	{ "MessageId", MT_STR },
	{ "NetworkMessageId", MT_NONE },
	{ "Recipients", MT_LIST },
	{ "RecipientStatus", MT_LIST },
	{ "TotalBytes", MT_NUM },
	{ "RecipientCount", MT_COUNT },
	{ "RelatedRecipientAddress", MT_NONE },
	{ "Reference", MT_LIST },
	{ "MessageSubject", MT_STR },
	{ "Sender", MT_STR },
	{ "ReturnPath", MT_STR },
	{ "Directionality", MT_NONE },
	{ "TenantId", MT_NONE },
	{ "OriginalClientIp", MT_NONE },
	{ "OriginalServerIp", MT_NONE },
	{ "MessageInfo", MT_NONE },
	{ "MessageLatency", MT_NONE },
	{ "MessageLatencyType", MT_LATENCY },
	{ "EventData", MT_NONE },
	{ "TlsProtocol", MT_STR },
	{ "TlsCipher", MT_STR },
	{ "TlsVerify", MT_STR }
};
#define MT_NPROPS	(sizeof mt_props / sizeof mt_props[0] + 1)

/* The arguments, read once. */
struct mt_query {
	int64_t		 start_ms;	/* INT64_MIN: none */
	int64_t		 end_ms;	/* INT64_MAX: none */
	char		*sender;
	char		**rcpts;
	size_t		 nrcpts;
	char		*event_id;
	char		*message_id;
	char		*internal_id;
	char		*subject;
	char		*reference;
	int64_t		 limit;		/* 0: Unlimited */
	bool		 none;		/* no record can match */
};

static int	 cmd_get_messagetrackinglog_exec(struct cmd_ctx *);
static const char *mt_local_server(struct shell *);
static int	 mt_check_server(struct cmd_ctx *, struct value *);
static int	 mt_search(struct cmd_ctx *, struct value *);
static char	*mt_arg(struct cmd_ctx *, const char *);
static int64_t	 mt_arg_ms(struct cmd_ctx *, const char *, int64_t);
static void	 mt_query_read(struct cmd_ctx *, struct mt_query *);
static bool	 mt_is_number(const char *);
static void	 mt_query_free(struct mt_query *);
static void	 mt_request(const struct mt_query *, struct ctl_rec *);
static struct value *mt_list(const struct ctl_rec *, const char *);
static struct value *mt_prop(const struct ctl_rec *, const char *,
		    enum mt_kind);
static struct value *mt_object(const struct ctl_rec *);
static int	 mt_result(const struct ctl_rec *, void *);
static int	 mt_event(const struct track_event *, void *);
static int	 mt_fallback(struct cmd_ctx *, const struct mt_query *,
		    char **);
static void	 mt_channel_error(struct cmd_ctx *, const char *);

static const struct choice mt_unlimited_choice[] = {
	{ "Unlimited", 0 }, { NULL, 0 }
};

static const struct param_entry mt_params[] = {
	{ .name = "Start", .type = PT_DATETIME,
	  .help = "Records at or after this time: 2012-07-09, 07/09/2012 "
	  "14:00, (Get-Date).AddHours(-1) (local time)." },
	{ .name = "End", .type = PT_DATETIME,
	  .help = "Records before this time (exclusive)." },
	{ .name = "Sender", .type = PT_STRING,
	  .help = "Envelope sender address (exact, any case)." },
	{ .name = "Recipients", .type = PT_STRINGS,
	  .help = "Records for any of these recipient addresses." },
	{ .name = "EventId", .type = PT_STRING,
	  .help = "RECEIVE, SEND, DEFER, FAIL, DSN, ..." },
	{ .name = "MessageId", .type = PT_STRING,
	  .help = "The Message-ID header, with or without <>." },
	{ .name = "InternalMessageId", .type = PT_STRING,
	  .help = "hubd's number for the message on this server." },
	{ .name = "MessageSubject", .type = PT_STRING,
	  .help = "Part of the subject (any case, no wildcards)." },
	{ .name = "Reference", .type = PT_STRING,
	  .help = "The Reference field, with or without <>: a report's "
	  "DSN record has the original's Message-ID, the FAIL that caused it "
	  "the report's." },
	{ .name = "ResultSize", .type = PT_UNLIMITED,
	  .choices = mt_unlimited_choice, .min = 0, .max = 4294967295LL,
	  .type_name = MT_TN_RESULT,
	  .help = "Most records returned (default 1000), or Unlimited." },
	{ .name = "Server", .type = PT_STRING, .flags = P_PIPELINE,
	  .type_name = MT_TN_SERVER,
	  .help = "The local server, or another one of the server "
	  "registry.  Taken from the pipeline too: a name, or a server "
	  "object (Get-TransportService, Get-ExchangeServer), once for "
	  "each." },
	{ .name = NULL }
};

const struct cmdlet_entry cmd_get_messagetrackinglog_entry = {
	.name = "Get-MessageTrackingLog",
	.synopsis = "Search the message tracking log.",
	.params = mt_params,
	.flags = C_EXCHANGE | C_NOINPUT,
	.class_name = MT_CLASS_NAME,
	.exec = cmd_get_messagetrackinglog_exec,
	.description = "Writes the tracking records of this server that match "
	    "every filter given, oldest first: what hubd received, sent, "
	    "deferred, failed and reported.  Reads hubd's spool directly "
	    "when hubd is not running."
};

/* Exchange's example table; fl shows every property in order. */
static const char *const mt_table_columns[] = {
	"EventId", "Source", "Sender", "Recipients", "MessageSubject", NULL
};
static const struct view mt_view = {
	.type_name = MT_TYPE_NAME,
	.shape = SHAPE_TABLE,
	.table = mt_table_columns,
	.list = NULL
};

/*
 * This server's name without opening the store: --server, else the
 * store's name if it is open, else the short host name (the store's own
 * rule, store.c).
 */
static const char *
mt_local_server(struct shell *sh)
{
	static char	 host[256];
	char		*p;

	if (sh->store != NULL)
		return (store_server_name(sh->store));
	if (sh->server_name != NULL && *sh->server_name != '\0')
		return (sh->server_name);
	if (host[0] == '\0') {
		if (gethostname(host, sizeof host) != 0)
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
		if ((p = strchr(host, '.')) != NULL)
			*p = '\0';
	}
	return (host);
}

/*
 * -Server, given or piped: the local server, or another one of the
 * server registry (q_target; else ServerIdParameter's not-found error).  $null is the local server, as in Exchange; a
 * server object names itself by its Name.
 */
static int
mt_check_server(struct cmd_ctx *ctx, struct value *v)
{
	struct value	*name;
	const char	*local;
	char		*s;
	int		 r = 0;

	cmd_ctl_target(ctx, NULL, NULL, NULL);
	if (v == NULL || v->type == V_NULL)
		return (0);
	if (v->type == V_OBJECT && ((name = object_get(v, "Name")) != NULL ||
	    (name = object_get(v, "Identity")) != NULL))
		v = name;
	s = value_to_string(v);
	local = mt_local_server(ctx->sh);
	/* Another registered server is asked at its TLS endpoint. */
	if (strcasecmp(s, local) != 0)
		r = q_target(ctx, s, strlen(s), s);
	free(s);
	return (r);
}

/* A string argument, or NULL when not given or $null. */
static char *
mt_arg(struct cmd_ctx *ctx, const char *name)
{
	struct value	*v;

	if ((v = bound_get(ctx->args, name)) == NULL || v->type == V_NULL)
		return (NULL);
	return (value_to_string(v));
}

/* A DateTime argument in Unix milliseconds, or dflt. */
static int64_t
mt_arg_ms(struct cmd_ctx *ctx, const char *name, int64_t dflt)
{
	struct value	*v;

	if ((v = bound_get(ctx->args, name)) == NULL || v->type != V_DATE)
		return (dflt);
	/* Floor division: a time before the epoch stays in its second. */
	return (v->u.date >= 0 ? v->u.date / 1000 :
	    -((-v->u.date + 999) / 1000));
}

static void
mt_query_read(struct cmd_ctx *ctx, struct mt_query *q)
{
	struct value	*v;
	size_t		 i;

	memset(q, 0, sizeof *q);
	q->start_ms = mt_arg_ms(ctx, "Start", INT64_MIN);
	q->end_ms = mt_arg_ms(ctx, "End", INT64_MAX);
	q->sender = mt_arg(ctx, "Sender");
	q->event_id = mt_arg(ctx, "EventId");
	q->message_id = mt_arg(ctx, "MessageId");
	q->internal_id = mt_arg(ctx, "InternalMessageId");
	q->subject = mt_arg(ctx, "MessageSubject");
	q->reference = mt_arg(ctx, "Reference");
	if ((v = bound_get(ctx->args, "Recipients")) != NULL) {
		q->nrcpts = value_count(v);
		q->rcpts = xcalloc(q->nrcpts + 1, sizeof *q->rcpts);
		for (i = 0; i < q->nrcpts; i++)
			q->rcpts[i] = value_to_string(value_item(v, i));
	}
	v = bound_get(ctx->args, "ResultSize");
	if (v == NULL)
		q->limit = MT_DEFAULT_RESULTS;
	else if (v->type == V_INT) {
		q->limit = v->u.i;
		q->none = q->limit == 0;
	} else
		q->limit = 0;	/* Unlimited */
	/* InternalMessageId is text in Exchange; hubd's are numbers. */
	if (q->internal_id != NULL && !mt_is_number(q->internal_id))
		q->none = true;
}

/* A non-negative decimal number that fits in int64_t. */
static bool
mt_is_number(const char *s)
{
	char	*end;

	if (!isdigit((unsigned char)*s))
		return (false);
	errno = 0;
	(void)strtoll(s, &end, 10);
	return (errno == 0 && *end == '\0');
}

static void
mt_query_free(struct mt_query *q)
{
	size_t	i;

	free(q->sender);
	free(q->event_id);
	free(q->message_id);
	free(q->internal_id);
	free(q->subject);
	free(q->reference);
	for (i = 0; i < q->nrcpts; i++)
		free(q->rcpts[i]);
	free(q->rcpts);
}

/* The "op track" request (ctl.h). */
static void
mt_request(const struct mt_query *q, struct ctl_rec *req)
{
	size_t	i;

	ctl_rec_init(req);
	ctl_add(req, "op", "track");
	if (q->start_ms != INT64_MIN)
		ctl_add_int(req, "start", q->start_ms);
	if (q->end_ms != INT64_MAX)
		ctl_add_int(req, "end", q->end_ms);
	ctl_add(req, "sender", q->sender);
	for (i = 0; i < q->nrcpts; i++)
		ctl_add(req, "recipient", q->rcpts[i]);
	ctl_add(req, "event-id", q->event_id);
	ctl_add(req, "message-id", q->message_id);
	ctl_add(req, "internal-message-id", q->internal_id);
	ctl_add(req, "subject", q->subject);
	ctl_add(req, "reference", q->reference);
	ctl_add_int(req, "limit", q->limit);
}

/*
 * Every value of a repeated field, as an array.  RecipientStatus is
 * parallel to Recipients, "" where a recipient has none; when none has
 * one (a RECEIVE) it is empty, as in Exchange.
 */
static struct value *
mt_list(const struct ctl_rec *r, const char *name)
{
	struct value	*a;
	const char	*s;
	size_t		 i;
	bool		 any = false;

	a = value_array();
	for (i = 0; (s = ctl_get_nth(r, name, i)) != NULL; i++) {
		value_array_push(a, value_string(s));
		any = any || *s != '\0';
	}
	if (!any && strcmp(name, "RecipientStatus") == 0) {
		value_unref(a);
		a = value_array();
	}
	return (a);
}

/* One property of a tracking object from its control record. */
static struct value *
mt_prop(const struct ctl_rec *r, const char *name, enum mt_kind kind)
{
	const char	*s;
	size_t		 n;

	switch (kind) {
	case MT_NONE:
		return (value_null());
	case MT_LATENCY:
		return (value_string("None"));
	case MT_LIST:
		return (mt_list(r, name));
	case MT_DATE:
		if (ctl_get(r, name) == NULL)
			return (value_null());
		return (value_date(ctl_get_int(r, name, 0) * 1000));
	case MT_COUNT:
		if (ctl_get(r, name) == NULL) {
			for (n = 0; ctl_get_nth(r, "Recipients", n) != NULL;
			    n++)
				/* nothing */;
			return (value_int((int64_t)n));
		}
		/* FALLTHROUGH */
	case MT_NUM:
		if (ctl_get(r, name) == NULL)
			return (value_null());
		return (value_int(ctl_get_int(r, name, 0)));
	case MT_STR:
		break;
	}
	if (strcmp(name, "ReturnPath") == 0)
		name = "Sender";
	s = ctl_get(r, name);
	return (s != NULL ? value_string(s) : value_null());
}

/*
 * The MessageTrackingEvent of one record.  ReturnPath is the envelope
 * sender, as Sender is in hubd's log; the Exchange properties hubd has no
 * data for are $null (MessageLatencyType, an enumeration, is None).
 */
static struct value *
mt_object(const struct ctl_rec *r)
{
	struct value	*v;
	size_t		 i;

	v = value_object(MT_TYPE_NAME, &mt_view);
	object_reserve(v, MT_NPROPS);
	object_add_const(v, "RunspaceId", value_string(shell_runspace_id()));
	for (i = 0; i < sizeof mt_props / sizeof mt_props[0]; i++)
		object_add_const(v, mt_props[i].name,
		    mt_prop(r, mt_props[i].name, mt_props[i].kind));
	return (v);
}

/* ctl_call's result callback: one object per record. */
static int
mt_result(const struct ctl_rec *r, void *arg)
{
	struct cmd_ctx	*ctx = arg;

	cmd_emit(ctx, mt_object(r));
	return (ctx->stop ? 1 : 0);
}

/* spool_track_query's callback. */
static int
mt_event(const struct track_event *ev, void *arg)
{
	struct ctl_rec	r;
	int		rc;

	ctl_rec_init(&r);
	track_event_rec(ev, &r);
	rc = mt_result(&r, arg);
	ctl_rec_clear(&r);
	return (rc);
}

/*
 * hubd is not running: read the tracking log from its spool.  0 when the
 * records were read (and written out), -1 with *why otherwise.
 */
static int
mt_fallback(struct cmd_ctx *ctx, const struct mt_query *q, char **why)
{
	struct spool		*sp;
	struct track_query	 tq;
	char			*path;
	int			 rc;

	if (ctx->sh->state_dir == NULL || *ctx->sh->state_dir == '\0') {
		*why = xstrdup("no state directory");
		return (-1);
	}
	path = xprintf("%s/queue.db", ctx->sh->state_dir);
	if (spool_open_readonly(&sp, path, why) != 0) {
		free(path);
		return (-1);
	}
	cmd_verbose(ctx, "The transport service isn't running: reading its "
	    "tracking log from %s.", path);
	track_query_init(&tq);
	tq.start_ms = q->start_ms;
	tq.end_ms = q->end_ms;
	tq.sender = q->sender;
	tq.recipients = (const char **)q->rcpts;
	tq.nrecipients = q->nrcpts;
	tq.event_id = q->event_id;
	tq.message_id = q->message_id;
	tq.subject = q->subject;
	tq.reference = q->reference;
	tq.limit = q->limit;
	if (q->internal_id != NULL)
		tq.internal_message_id = strtoll(q->internal_id, NULL, 10);
	rc = spool_track_query(sp, &tq, mt_event, ctx, why);
	spool_close(sp);
	free(path);
	return (rc);
}

/*
 * A failure of the channel itself, reported as cmd_ctl does (eval.c):
 * ConnectionError, or PermissionDenied when access was denied.
 */
static void
mt_channel_error(struct cmd_ctx *ctx, const char *cause)
{
	cmd_error(ctx, ERR_NONTERMINATING, strstr(cause, "denied") != NULL ?
	    "PermissionDenied" : "ConnectionError",
	    "TransportServiceException", "TransportServiceError", "%s",
	    cause);
}

/*
 * Get-MessageTrackingLog: one search, or one for each server piped in
 * (Get-ExchangeServer | Get-MessageTrackingLog, $servers | ...: an
 * object names its server by its Name; a $null piped in is the local
 * server).
 */
static int
cmd_get_messagetrackinglog_exec(struct cmd_ctx *ctx)
{
	size_t	i;
	int	r = 0;

	if (!ctx->piped || ctx->ninput == 0 || bound_has(ctx->args, "Server"))
		return (mt_search(ctx, bound_get(ctx->args, "Server")));
	for (i = 0; i < ctx->ninput && !ctx->stop; i++) {
		if (mt_search(ctx, ctx->input[i]) != 0)
			r = -1;
	}
	return (r);
}

/*
 * One search on server.  ctl_call rather than cmd_ctl: a channel that
 * finds no hubd is not yet an error here.
 */
static int
mt_search(struct cmd_ctx *ctx, struct value *server)
{
	struct mt_query	 q;
	struct ctl_rec	 req;
	char		*cat = NULL, *msg = NULL, *cause = NULL, *why = NULL;
	int		 rc;

	if (mt_check_server(ctx, server) != 0)
		return (-1);
	mt_query_read(ctx, &q);
	if (q.none) {
		mt_query_free(&q);
		return (0);
	}
	mt_request(&q, &req);
	rc = ctl_call_at(ctx->ctl_endpoint != NULL ? ctx->ctl_endpoint :
	    ctx->sh->control_path, ctx->ctl_fqdn, &req, mt_result, ctx, &cat,
	    &msg, &cause);
	if (rc == 1)
		cmd_error(ctx, ERR_NONTERMINATING, cat, "TransportException",
		    "TransportServiceError", "%s", msg);
	else if (rc < 0 && ctx->ctl_endpoint == NULL &&
	    strstr(cause, "isn't running") != NULL &&
	    mt_fallback(ctx, &q, &why) == 0)
		rc = 0;
	else if (rc < 0) {
		if (why != NULL)
			cmd_verbose(ctx, "The tracking log couldn't be read "
			    "directly: %s.", why);
		mt_channel_error(ctx, cause);
	}
	free(why);
	free(cat);
	free(msg);
	free(cause);
	ctl_rec_clear(&req);
	mt_query_free(&q);
	return (rc == 0 ? 0 : -1);
}
