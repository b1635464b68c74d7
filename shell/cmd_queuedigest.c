/*
 * cmd_queuedigest.c - Get-QueueDigest: the delivery queues of several
 * servers summed up in groups (exchange-semantics.md section 7.1 for
 * the queues themselves).
 *
 * Each server is asked for its queues as Get-Queue asks it (q_target,
 * q_fetch in cmd_queue.c): the local one on its control socket, another
 * registered one at its "tls:" control endpoint, each once.  -Server
 * names the servers; -Forest, -Dag and -Site mean every server of the
 * registry (exchangeserver_servers): hubsh has no Active Directory sites
 * or DAGs, so every site and every DAG is the whole organisation (a
 * VERBOSE line says so).  As in Exchange the Dag set is the default one
 * and each set's parameter is mandatory, -Forest included.  A server
 * that cannot be reached is one non-terminating error, and the others
 * are still summed up.
 *
 * The queues taken are those Exchange logs for the digest (Configure
 * Get-QueueDigest): the Submission, Unreachable and Poison queues and
 * suspended queues once they hold a message, the other delivery queues
 * from ten messages (QueueLoggingThreshold).  -Filter, Get-Queue's OPATH
 * filter, then selects among them, and the queues left are grouped by
 * -GroupBy (NextHopDomain by default; groups differing only in case stay
 * apart, and LastError groups by the SMTP response's first 100
 * characters).  A group sums its queues' counts and rates; Details holds
 * a QueueDigestDetails object per queue, largest first, with its
 * identity, server and count (DetailsLevel Normal), every property
 * (Verbose) or none at all (None).  Groups come largest first, at most
 * -ResultSize (100) of them, without a warning, as Exchange does.
 *
 * Exchange's digest comes from queue logs one to two minutes old, and
 * counts the messages of data older than that in StaleMessageCount
 * instead of MessageCount.  hubsh asks each hubd when the cmdlet runs,
 * so no data is ever stale: StaleMessageCount is always 0.  -Timeout is
 * accepted; the control channel's own time limits bound each server.
 *
 * Texts hubsh chose: the VERBOSE line for -Dag and -Site, the error for
 * -Forest:$false, and the NextHopKey value (DeliveryType:NextHopDomain:
 * NextHopConnector).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "queueviewer.h"
#include "shell.h"
#include "store.h"
#include "xmalloc.h"

#define QD_TYPE	"Microsoft.Exchange.Data.QueueDigest." \
    "QueueDigestPresentationObject"
#define QD_TYPE_DETAILS	"Microsoft.Exchange.Data.QueueDigest." \
    "QueueDigestDetails"
#define QD_MVP	"Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]"
#define QD_THRESHOLD	10	/* QueueLoggingThreshold's default */
#define QD_RESULT_SIZE	100	/* Get-QueueDigest's default ResultSize */
#define QD_ERROR_KEY	100	/* LastError groups by this many bytes */

/* Parameter sets. */
#define QD_SET_DAG	0x1
#define QD_SET_FOREST	0x2
#define QD_SET_SERVER	0x4
#define QD_SET_SITE	0x8

/* -DetailsLevel. */
enum qd_details { QD_NONE, QD_NORMAL, QD_VERBOSE };

/* One group of queues. */
struct qd_group {
	char		*key;
	int64_t		 counts[3];	/* Message, Deferred, Locked */
	double		 rates[2];	/* Incoming, Outgoing */
	struct value	*details;	/* V_ARRAY of QueueDigestDetails */
};

/* The digest being built. */
struct qd_digest {
	const char	*group_by;
	enum qd_details	 level;
	struct q_query	 query;		/* -Filter, -ResultSize */
	struct qd_group	*groups;
	size_t		 n;
	char		**asked;	/* the servers asked, once each */
	size_t		  nasked;
};

static int	 cmd_get_queuedigest_exec(struct cmd_ctx *);
static bool	 qd_logged(struct value *);
static char	*qd_prop(struct value *, const char *);
static char	*qd_last_error(struct value *);
static char	*qd_key(const struct qd_digest *, struct value *,
		    const char *);
static struct value *qd_details(const struct qd_digest *, struct value *,
		    const char *);
static void	 qd_add(struct qd_digest *, struct value *, const char *);
static void	 qd_server(struct cmd_ctx *, struct qd_digest *,
		    const char *);
static void	 qd_registry(struct cmd_ctx *, struct qd_digest *);
static int64_t	 qd_count(struct value *);
static void	 qd_sort(struct value **, size_t);
static struct value *qd_number(double);
static struct value *qd_object(const struct qd_group *);
static void	 qd_emit(struct cmd_ctx *, struct qd_digest *);
static void	 qd_where(struct cmd_ctx *);

static const char *const qd_sets[] = {
	"Dag", "Forest", "Server", "Site", NULL
};

static const struct choice qd_groupby_choices[] = {
	{ "NextHopDomain", 0 }, { "NextHopCategory", 0 },
	{ "NextHopKey", 0 }, { "DeliveryType", 0 }, { "Status", 0 },
	{ "RiskLevel", 0 }, { "LastError", 0 }, { "ServerName", 0 },
	{ "OutboundIPPool", 0 }, { NULL, 0 }
};
static const struct choice qd_details_choices[] = {
	{ "None", QD_NONE }, { "Normal", QD_NORMAL },
	{ "Verbose", QD_VERBOSE }, { NULL, 0 }
};

/* What a group sums, by the queue's property names. */
static const char *const qd_count_names[] = {
	"MessageCount", "DeferredMessageCount", "LockedMessageCount"
};
static const char *const qd_rate_names[] = {
	"IncomingRate", "OutgoingRate"
};

/*
 * A QueueDigestDetails' properties after QueueIdentity and
 * ServerIdentity: MessageCount, then those DetailsLevel Verbose adds.
 */
static const char *const qd_detail_names[] = {
	"MessageCount", "DeferredMessageCount", "LockedMessageCount",
	"IncomingRate", "OutgoingRate", "Velocity", "NextHopDomain",
	"NextHopCategory", "NextHopConnector", "DeliveryType", "Status",
	"RiskLevel", "OutboundIPPool", "LastError", "TlsDomain", NULL
};

static const char *const qd_columns[] = {
	"GroupByValue", "MessageCount", "DeferredMessageCount",
	"LockedMessageCount", "StaleMessageCount", "Details", NULL
};
static const struct view qd_view = {
	.type_name = QD_TYPE,
	.shape = SHAPE_TABLE,
	.table = qd_columns,
	.list = NULL
};

static const struct param_entry qd_params[] = {
	Q_PS("Server", PT_STRINGS, P_MANDATORY, QD_MVP, "The servers whose "
	    "queues are summed up: this one, or others of the registry.",
	    QD_SET_SERVER),
	Q_PS("Dag", PT_STRINGS, P_MANDATORY, QD_MVP, "A DAG: hubsh has "
	    "none, so any name means every registered server.", QD_SET_DAG),
	Q_PS("Site", PT_STRINGS, P_MANDATORY, QD_MVP, "An Active Directory "
	    "site: hubsh has one, so any name means every registered "
	    "server.", QD_SET_SITE),
	Q_PS("Forest", PT_SWITCH, P_MANDATORY, NULL, "Every registered "
	    "server.", QD_SET_FOREST),
	{ .name = "DetailsLevel", .type = PT_ENUM,
	  .choices = qd_details_choices,
	  .type_name = "Microsoft.Exchange.Net.DiagnosticsAggregation."
	  "DetailsLevel", .help = "Details of each group's queues: None, "
	  "Normal (identity, server and count; the default) or Verbose "
	  "(every property)." },
	Q_P("Filter", PT_STRING, 0, NULL, "OPATH filter on queue "
	    "properties, as in Get-Queue, applied to each queue before "
	    "grouping."),
	{ .name = "GroupBy", .type = PT_ENUM, .choices = qd_groupby_choices,
	  .type_name = "Microsoft.Exchange.Net.DiagnosticsAggregation."
	  "QueueDigestGroupBy", .help = "The queue property the groups "
	  "share (default NextHopDomain), or ServerName." },
	{ .name = "ResultSize", .type = PT_UNLIMITED, .min = 0,
	  .max = 2147483647, .type_name = TN_RESULTSIZE,
	  .help = "Most groups returned (default 100), or Unlimited." },
	{ .name = "Timeout", .type = PT_TIMESPAN, .min = 1, .max = 86400,
	  .help = "Accepted; each server is bounded by the control "
	  "channel's own time limits." },
	{ .name = NULL }
};

const struct cmdlet_entry cmd_get_queuedigest_entry = {
	.name = "Get-QueueDigest",
	.synopsis = "Sum up the delivery queues of several servers.",
	.params = qd_params,
	.flags = C_EXCHANGE,
	.class_name = "Microsoft.Exchange.Management.QueueDigest."
	    "GetQueueDigest",
	.set_names = qd_sets,
	.default_set = QD_SET_DAG,
	.exec = cmd_get_queuedigest_exec,
	.description = "Asks each server named by -Server, or every "
	    "registered server (-Forest, -Dag, -Site), for its queues: the "
	    "Submission, Unreachable and Poison queues and suspended queues "
	    "holding a message, other delivery queues from 10 messages.  "
	    "Those -Filter selects are grouped by -GroupBy; each group "
	    "sums their counts and rates, largest first.  "
	    "StaleMessageCount is 0: hubsh's data is never stale."
};

/* Is the queue one Exchange logs for the digest? */
static bool
qd_logged(struct value *queue)
{
	char		*id, *status;
	const char	*name;
	int64_t		 n = qd_count(queue);
	bool		 hit;

	if (n >= QD_THRESHOLD)
		return (true);
	if (n == 0)
		return (false);
	id = qd_prop(queue, "Identity");
	status = qd_prop(queue, "Status");
	name = q_last_part(id);
	hit = strcasecmp(name, "Submission") == 0 ||
	    strcasecmp(name, "Unreachable") == 0 ||
	    strcasecmp(name, "Poison") == 0 ||
	    strcasecmp(status, "Suspended") == 0;
	free(id);
	free(status);
	return (hit);
}

/* A property of an object as text, "" when it has none (caller frees). */
static char *
qd_prop(struct value *obj, const char *name)
{
	struct value	*v = object_get(obj, name);

	if (v == NULL || v->type == V_NULL)
		return (xstrdup(""));
	return (value_to_string(v));
}

/*
 * The SMTP response of a queue's LastError, as the digest shows it: the
 * LED part of "[{LRT=...};{LED=...};{FQDN=...};{IP=...}]", else all of
 * it (caller frees).
 */
static char *
qd_last_error(struct value *queue)
{
	char		*s, *led;
	const char	*start, *end;

	s = qd_prop(queue, "LastError");
	if ((start = strstr(s, "{LED=")) == NULL)
		return (s);
	start += 5;
	if ((end = strstr(start, "};{")) == NULL &&
	    (end = strstr(start, "}]")) == NULL)
		end = start + strlen(start);
	led = xstrndup(start, end - start);
	free(s);
	return (led);
}

/* The GroupByValue of a queue of server (caller frees). */
static char *
qd_key(const struct qd_digest *d, struct value *queue, const char *server)
{
	char	*type, *dom, *conn, *key;
	size_t	 n;

	if (strcasecmp(d->group_by, "ServerName") == 0)
		return (xstrdup(server));
	if (strcasecmp(d->group_by, "LastError") == 0) {
		key = qd_last_error(queue);
		if ((n = strlen(key)) > QD_ERROR_KEY) {
			n = QD_ERROR_KEY;
			while (n > 0 && (key[n] & 0xc0) == 0x80)
				n--;	/* not inside a UTF-8 character */
			key[n] = '\0';
		}
		return (key);
	}
	if (strcasecmp(d->group_by, "NextHopKey") != 0)
		return (qd_prop(queue, d->group_by));
	type = qd_prop(queue, "DeliveryType");
	dom = qd_prop(queue, "NextHopDomain");
	conn = qd_prop(queue, "NextHopConnector");
	key = xprintf("%s:%s:%s", type, dom, conn);
	free(type);
	free(dom);
	free(conn);
	return (key);
}

/*
 * A queue of server as a group's Details show it: its identity, server
 * and count, and with DetailsLevel Verbose its other properties too
 * ($null otherwise, as in Exchange).
 */
static struct value *
qd_details(const struct qd_digest *d, struct value *queue,
    const char *server)
{
	struct value	*v, *p;
	char		*id;
	size_t		 i;

	id = qd_prop(queue, "Identity");
	v = value_object(QD_TYPE_DETAILS, NULL);
	object_add_const(v, "QueueIdentity", value_string(id));
	object_add_const(v, "ServerIdentity", value_string(server));
	for (i = 0; qd_detail_names[i] != NULL; i++) {
		if (i > 0 && d->level != QD_VERBOSE)
			p = value_null();
		else if (strcmp(qd_detail_names[i], "LastError") == 0)
			p = value_string_take(qd_last_error(queue));
		else if ((p = object_get(queue, qd_detail_names[i])) != NULL)
			p = value_ref(p);
		else
			p = value_null();
		object_add_const(v, qd_detail_names[i], p);
	}
	v->u.obj->text = id;
	return (v);
}

/* Add a queue of server to its group, a new one when it is the first. */
static void
qd_add(struct qd_digest *d, struct value *queue, const char *server)
{
	struct qd_group	*g = NULL;
	struct value	*v;
	double		 x;
	int64_t		 n;
	char		*key;
	size_t		 i;
	bool		 is_int;

	key = qd_key(d, queue, server);
	for (i = 0; i < d->n && g == NULL; i++) {
		if (strcmp(d->groups[i].key, key) == 0)
			g = &d->groups[i];
	}
	if (g == NULL) {
		d->groups = xreallocarray(d->groups, d->n + 1,
		    sizeof *d->groups);
		g = &d->groups[d->n++];
		memset(g, 0, sizeof *g);
		g->key = key;
		g->details = value_array();
	} else
		free(key);
	for (i = 0; i < 3; i++) {
		v = object_get(queue, qd_count_names[i]);
		if (v != NULL && v->type == V_INT)
			g->counts[i] += v->u.i;
	}
	for (i = 0; i < 2; i++) {
		v = object_get(queue, qd_rate_names[i]);
		if (v != NULL && value_to_number(v, &x, &n, &is_int))
			g->rates[i] += is_int ? (double)n : x;
	}
	if (d->level != QD_NONE)
		value_array_push(g->details, qd_details(d, queue, server));
}

/*
 * Ask one server (q_target) for its queues and add those selected;
 * a server already asked (by another of its names) is not asked again.
 */
static void
qd_server(struct cmd_ctx *ctx, struct qd_digest *d, const char *name)
{
	struct value	*all, *queue;
	size_t		 i;

	if (q_target(ctx, name, strlen(name), name) != 0)
		return;
	for (i = 0; i < d->nasked; i++) {
		if (strcasecmp(d->asked[i], q_server(ctx)) == 0)
			return;
	}
	d->asked = xreallocarray(d->asked, d->nasked + 1, sizeof *d->asked);
	d->asked[d->nasked++] = xstrdup(q_server(ctx));
	if ((all = q_fetch(ctx, &q_queue_noun, NULL, NULL, false)) == NULL)
		return;
	for (i = 0; i < all->u.arr.n; i++) {
		queue = all->u.arr.v[i];
		if (qd_logged(queue) && q_selected(&d->query, queue))
			qd_add(d, queue, q_server(ctx));
	}
	value_unref(all);
}

/* -Forest, -Dag, -Site: every server of the registry, in its order. */
static void
qd_registry(struct cmd_ctx *ctx, struct qd_digest *d)
{
	struct server_info	*v;
	struct store		*st;
	size_t			 i, n;

	if (shell_store(ctx->sh, &st) != 0 ||
	    (v = exchangeserver_servers(ctx, st, &n)) == NULL)
		return;
	for (i = 0; i < n && !ctx->stop; i++)
		qd_server(ctx, d, v[i].name);
	server_info_free(v, n);
}

/* An object's MessageCount, 0 when it has none. */
static int64_t
qd_count(struct value *obj)
{
	struct value	*v = object_get(obj, "MessageCount");

	return (v != NULL && v->type == V_INT ? v->u.i : 0);
}

/* Stable insertion sort of n objects, the largest MessageCount first. */
static void
qd_sort(struct value **v, size_t n)
{
	struct value	*tmp;
	size_t		 i, j;

	for (i = 1; i < n; i++) {
		tmp = v[i];
		for (j = i; j > 0 && qd_count(v[j - 1]) < qd_count(tmp); j--)
			v[j] = v[j - 1];
		v[j] = tmp;
	}
}

/* A rate: an integer when it is one (as Get-Queue shows it). */
static struct value *
qd_number(double x)
{
	if (x == (double)(int64_t)x)
		return (value_int((int64_t)x));
	return (value_double(x));
}

/* The digest object of a group (its Details sorted). */
static struct value *
qd_object(const struct qd_group *g)
{
	struct value	*v;
	size_t		 i;

	qd_sort(g->details->u.arr.v, g->details->u.arr.n);
	v = value_object(QD_TYPE, &qd_view);
	object_add_const(v, "RunspaceId", value_string(shell_runspace_id()));
	object_add_const(v, "GroupByValue", value_string(g->key));
	for (i = 0; i < 3; i++)
		object_add_const(v, qd_count_names[i],
		    value_int(g->counts[i]));
	object_add_const(v, "StaleMessageCount", value_int(0));
	for (i = 0; i < 2; i++)
		object_add_const(v, qd_rate_names[i], qd_number(g->rates[i]));
	object_add_const(v, "Details", value_ref(g->details));
	object_add_const(v, "Identity", value_null());
	object_add_const(v, "IsValid", value_bool(true));
	object_add_const(v, "ObjectState", value_string("New"));
	return (v);
}

/*
 * Write the groups, most messages first (in the order they were met
 * when even), at most -ResultSize of them, and free them.
 */
static void
qd_emit(struct cmd_ctx *ctx, struct qd_digest *d)
{
	struct value	*all;
	size_t		 i;

	all = value_array();
	for (i = 0; i < d->n; i++) {
		value_array_push(all, qd_object(&d->groups[i]));
		free(d->groups[i].key);
		value_unref(d->groups[i].details);
	}
	free(d->groups);
	qd_sort(all->u.arr.v, all->u.arr.n);
	for (i = 0; i < all->u.arr.n; i++) {
		if (d->query.limit >= 0 && i >= (size_t)d->query.limit)
			break;
		cmd_emit(ctx, value_ref(all->u.arr.v[i]));
	}
	value_unref(all);
}

/* The VERBOSE line of -Dag and -Site, which hubsh reads as -Forest. */
static void
qd_where(struct cmd_ctx *ctx)
{
	const char	*where;
	char		*s;

	if (bound_has(ctx->args, "Dag"))
		where = "Dag";
	else if (bound_has(ctx->args, "Site"))
		where = "Site";
	else
		return;
	s = value_to_string(bound_get(ctx->args, where));
	cmd_verbose(ctx, "hubsh has no %s named %s: asking every registered "
	    "server.", strcmp(where, "Dag") == 0 ? "DAG" :
	    "Active Directory site", s);
	free(s);
}

static int
cmd_get_queuedigest_exec(struct cmd_ctx *ctx)
{
	struct qd_digest	 d;
	struct value		*v, *servers;
	char			*s;
	size_t			 i;

	if ((v = bound_get_opt(ctx->args, "Forest")) != NULL &&
	    !value_truthy(v)) {
		cmd_error(ctx, ERR_NONTERMINATING, "InvalidArgument",
		    "LocalizedException", "LocalizedException", "The Forest "
		    "parameter can't be $false: use -Server, -Dag or -Site to "
		    "ask fewer servers.");
		return (-1);
	}
	memset(&d, 0, sizeof d);
	v = bound_get_opt(ctx->args, "GroupBy");
	d.group_by = v != NULL && v->type == V_STRING ? v->u.s :
	    "NextHopDomain";
	d.level = QD_NORMAL;
	if ((v = bound_get_opt(ctx->args, "DetailsLevel")) != NULL &&
	    v->type == V_STRING)
		d.level = strcasecmp(v->u.s, "None") == 0 ? QD_NONE :
		    strcasecmp(v->u.s, "Verbose") == 0 ? QD_VERBOSE :
		    QD_NORMAL;
	if (q_query_init(ctx, &q_queue_noun, &d.query) != 0) {
		q_query_clear(&d.query);
		return (-1);
	}
	if (!d.query.limit_given)
		d.query.limit = QD_RESULT_SIZE;
	if ((servers = bound_get_opt(ctx->args, "Server")) != NULL) {
		for (i = 0; i < value_count(servers) && !ctx->stop; i++) {
			s = value_to_string(value_item(servers, i));
			qd_server(ctx, &d, s);
			free(s);
		}
	} else {
		qd_where(ctx);
		qd_registry(ctx, &d);
	}
	cmd_ctl_target(ctx, NULL, NULL, NULL);
	qd_emit(ctx, &d);
	strv_free(d.asked, d.nasked);
	q_query_clear(&d.query);
	return (ctx->failed ? -1 : 0);
}
