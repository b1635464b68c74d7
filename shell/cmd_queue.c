/*
 * cmd_queue.c - the queue cmdlets: Get-Queue, Retry-Queue, Suspend-Queue
 * and Resume-Queue (exchange-semantics.md section 7.1), and what the
 * message cmdlets (cmd_message.c) share with them, declared in
 * queueviewer.h.
 *
 * hubd owns the queues; these cmdlets ask it over the control channel
 * (common/ctl.h, cmd_ctl): "get-queue" and "get-message" answer one
 * record per queue or message, its fields named as the object's
 * properties, and each action ("retry-queue", "remove-message"...) acts
 * on one queue or one message.  What Exchange does in the cmdlet rather
 * than in the transport is done here: the parameter sets, identities,
 * the OPATH -Filter (opath.c), -Include and -Exclude, -SortOrder and
 * -ResultSize.
 *
 * Identities.  A queue is [SERVER\]QUEUE, QUEUE being a number, a
 * next-hop domain, Submission, Unreachable, Poison or a wildcard
 * ("EX01\*").  SERVER, when given, is the local server or another
 * one of the server registry (store_server_list): the local one is asked
 * on the control socket, another at the "tls:" endpoint its hubd
 * registered (control-listen), with the client certificate of
 * --control-cert (q_target, cmd_ctl_target).  -Server does the same, and
 * server objects piped in (Get-TransportService | Get-Queue,
 * Get-ExchangeServer | Get-Queue: q_is_server_object) are asked
 * one after the other; a server that cannot be reached is one
 * non-terminating error, and the others are still asked.
 *
 * Actions.  With -Identity an action names one queue or message: hubd
 * resolves it and refuses what it does not know; a queue wildcard is
 * resolved here and must match exactly one queue (Exchange: "If the
 * identity matches more than one queue, you receive an error").  With
 * -Filter, ShouldProcess is asked once with the filter text (Exchange
 * filters on the server, after asking), then every match is acted on.
 * Nothing is printed on success.  Suspend-Queue, Suspend-Message and
 * Remove-Message ask for confirmation by default (ConfirmImpact High in
 * Exchange's cmdlet classes); the others only with -Confirm.
 *
 * Objects follow the 2013+ Format-List order of section 7.1 and 7.2;
 * properties hubd has no notion of carry Exchange's values for a server
 * without them: RiskLevel Normal, OutboundIPPool 0, every message of
 * Normal priority (so MessageCountsPerPriority is {0, count, 0, 0}), SCL
 * -1, DeferReason None.
 *
 * Texts hubsh chose where the reference gives none: the ShouldProcess
 * descriptions, the identity parse errors, the ambiguous wildcard error,
 * the unknown sort property and the filter value conversion error.  The
 * filter syntax and unknown-property errors follow Exchange's OPATH
 * messages.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "extype.h"
#include "queueviewer.h"
#include "shell.h"
#include "store.h"
#include "xmalloc.h"

static const char *q_local_server(struct cmd_ctx *);

/* The results of a get-* request. */
struct q_fetch {
	const struct q_noun	*noun;
	struct value		*list;
	bool			 rcpt;
};

static bool	 q_is_shadow(const char *);
static int	 q_sort_parse(struct cmd_ctx *, struct q_query *);
static int	 q_sort_cmp(const struct q_query *, struct value *,
		    struct value *);
static void	 q_sort(const struct q_query *, struct value **, size_t);
static bool	 q_included(const char *, struct value *);
static int	 q_fetch_one(const struct ctl_rec *, void *);
static struct value *q_number(const struct ctl_rec *, const char *);
static struct value *q_priorities(int64_t);
static struct value *q_queue_object(const struct ctl_rec *, bool);
static void	 q_queue_health(struct value *, const struct ctl_rec *);
static int	 cmd_get_queue_exec(struct cmd_ctx *);
static int	 q_queue_resolve(struct cmd_ctx *, struct q_qid *);
static int	 q_queue_action(struct cmd_ctx *, const struct q_action *);
static int	 cmd_retry_queue_exec(struct cmd_ctx *);
static int	 cmd_suspend_queue_exec(struct cmd_ctx *);
static int	 cmd_resume_queue_exec(struct cmd_ctx *);

/* Enumerations (section 7.1, 7.2). */
#define Q_DELIVERY_TYPES \
	{ "DnsConnectorDelivery", 0 }, { "SmartHostConnectorDelivery", 0 }, \
	{ "SmtpRelayToConnectorSourceServers", 0 }, \
	{ "SmtpDeliveryToMailbox", 0 }, { "SmtpRelayToDag", 0 }, \
	{ "SmtpRelayToMailboxDeliveryGroup", 0 }, \
	{ "SmtpRelayToRemoteActiveDirectorySite", 0 }, \
	{ "SmtpRelayToServers", 0 }, { "SmtpRelayWithinAdSiteToEdge", 0 }, \
	{ "NonSmtpGatewayDelivery", 0 }, { "DeliveryAgent", 0 }, \
	{ "ShadowRedundancy", 0 }, { "Heartbeat", 0 }, { "Undefined", 0 }, \
	{ "Unreachable", 0 }, { "MapiDelivery", 0 }, \
	{ "SmtpRelayWithinAdSite", 0 }, { "SmtpRelayToTiRg", 0 }
static const struct choice q_delivery_choices[] = {
	Q_DELIVERY_TYPES, { NULL, 0 }
};
/* -Include and -Exclude: the categories, then the delivery types. */
static const struct choice q_include_choices[] = {
	{ "Internal", 0 }, { "External", 0 }, { "Empty", 0 },
	Q_DELIVERY_TYPES, { NULL, 0 }
};
static const struct choice q_qstatus_choices[] = {
	{ "None", 0 }, { "Active", 0 }, { "Ready", 0 }, { "Retry", 0 },
	{ "Suspended", 0 }, { "Connecting", 0 }, { NULL, 0 }
};
static const struct choice q_category_choices[] = {
	{ "Internal", 0 }, { "External", 0 }, { NULL, 0 }
};
static const struct choice q_risk_choices[] = {
	{ "Normal", 0 }, { "Bulk", 0 }, { "High", 0 }, { "Low", 0 },
	{ "Unknown", 0 }, { NULL, 0 }
};

/* Filterable and sortable properties, in Format-List order. */
static const struct opath_field q_queue_fields[] = {
	{ "DeliveryType", QK_ENUM, q_delivery_choices, TN_DELIVERY },
	{ "NextHopDomain", QK_STRING, NULL, TN_STRING },
	{ "TlsDomain", QK_STRING, NULL, TN_STRING },
	{ "NextHopConnector", QK_STRING, NULL, "System.Guid" },
	{ "Status", QK_ENUM, q_qstatus_choices, TN_QSTATUS },
	{ "MessageCount", QK_INT, NULL, TN_INT },
	{ "LastError", QK_STRING, NULL, TN_STRING },
	{ "RetryCount", QK_INT, NULL, TN_INT },
	{ "LastRetryTime", QK_DATE, NULL, TN_DATE },
	{ "NextRetryTime", QK_DATE, NULL, TN_DATE },
	{ "FirstRetryTime", QK_DATE, NULL, TN_DATE },
	{ "DeferredMessageCount", QK_INT, NULL, TN_INT },
	{ "LockedMessageCount", QK_INT, NULL, TN_INT },
	{ "RiskLevel", QK_ENUM, q_risk_choices, TN_RISK },
	{ "OutboundIPPool", QK_INT, NULL, TN_INT },
	{ "NextHopCategory", QK_ENUM, q_category_choices, TN_CATEGORY },
	{ "IncomingRate", QK_NUMBER, NULL, TN_DOUBLE },
	{ "OutgoingRate", QK_NUMBER, NULL, TN_DOUBLE },
	{ "Velocity", QK_NUMBER, NULL, TN_DOUBLE },
	{ "QueueIdentity", QK_IDENTITY, NULL, TN_QUEUEID },
	{ "Identity", QK_IDENTITY, NULL, TN_QUEUEID },
	{ NULL, QK_STRING, NULL, NULL }
};

const struct q_noun q_queue_noun = {
	"get-queue", q_queue_fields, q_queue_object
};

/* Default table columns (2013+); Format-List shows every property. */
static const char *const q_queue_columns[] = {
	"Identity", "DeliveryType", "Status", "MessageCount", "Velocity",
	"RiskLevel", "OutboundIPPool", "NextHopDomain", NULL
};
static const struct view q_queue_view = {
	.type_name = Q_TYPE_QUEUE,
	.shape = SHAPE_TABLE,
	.table = q_queue_columns,
	.list = NULL
};

static const struct param_entry q_get_queue_params[] = {
	Q_IDENTITY(TN_QUEUEID, "Server\\Queue: a queue number, next-hop "
	    "domain, Submission, Unreachable, Poison or a wildcard."),
	Q_SERVER,
	Q_FILTER("OPATH filter on queue properties, as \"MessageCount -gt "
	    "0 -and Status -eq 'Retry'\"."),
	{ .name = "Include", .type = PT_FLAGS, .choices = q_include_choices,
	  .type_name = TN_INCLUDES, .help = "Only queues that are Internal, "
	  "External, Empty or of these delivery types." },
	{ .name = "Exclude", .type = PT_FLAGS, .choices = q_include_choices,
	  .type_name = TN_INCLUDES, .help = "Leave out queues that are "
	  "Internal, External, Empty or of these delivery types." },
	Q_RESULTSIZE,
	Q_SORTORDER("Sort keys, as \"+MessageCount,-NextHopDomain\" (+ "
	    "ascending, - descending)."),
	{ .name = NULL }
};

static const struct param_entry q_retry_queue_params[] = {
	Q_IDENTITY(TN_QUEUEID, "Server\\Queue: the queue to connect again."),
	Q_FILTER("OPATH filter: every matching queue is retried."),
	Q_SERVER,
	Q_P("Resubmit", PT_BOOL, 0, NULL, "Route the queue's messages "
	    "again instead of retrying the connection."),
	{ .name = NULL }
};

static const struct param_entry q_suspend_queue_params[] = {
	Q_IDENTITY(TN_QUEUEID, "Server\\Queue: the queue to hold."),
	Q_FILTER("OPATH filter: every matching queue is suspended."),
	Q_SERVER,
	{ .name = NULL }
};

static const struct param_entry q_resume_queue_params[] = {
	Q_IDENTITY(TN_QUEUEID, "Server\\Queue: the queue to release."),
	Q_FILTER("OPATH filter: every matching queue is resumed."),
	Q_SERVER,
	{ .name = NULL }
};

const struct cmdlet_entry cmd_get_queue_entry = {
	.name = "Get-Queue",
	.synopsis = "Show the transport server's queues.",
	.params = q_get_queue_params,
	.flags = C_EXCHANGE,
	.class_name = Q_CLASS("GetQueueInfo"),
	.set_names = q_queue_sets,
	.default_set = Q_SET_IDENTITY,
	.exec = cmd_get_queue_exec,
	.description = "Asks hubd for its delivery queues and the "
	    "Submission, Unreachable and Poison queues, and writes those "
	    "selected by -Identity, or by -Filter, -Include and -Exclude, "
	    "sorted by -SortOrder (by identity by default), at most "
	    "-ResultSize of them."
};

const struct cmdlet_entry cmd_retry_queue_entry = {
	.name = "Retry-Queue",
	.synopsis = "Connect to a queue's next hop now.",
	.params = q_retry_queue_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS,
	.class_name = Q_CLASS("RetryQueue"),
	.set_names = q_queue_sets,
	.default_set = Q_SET_IDENTITY,
	.exec = cmd_retry_queue_exec,
	.description = "Makes hubd try a queue in Retry status at once, "
	    "resetting its next retry time; -Resubmit $true routes its "
	    "messages again (also for the Unreachable queue)."
};

const struct cmdlet_entry cmd_suspend_queue_entry = {
	.name = "Suspend-Queue",
	.synopsis = "Hold a queue.",
	.params = q_suspend_queue_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS | C_CONFIRM,
	.class_name = Q_CLASS("FreezeQueue"),
	.set_names = q_queue_sets,
	.default_set = Q_SET_IDENTITY,
	.exec = cmd_suspend_queue_exec,
	.description = "Stops delivery from a queue: messages in delivery "
	    "finish, no more leave until Resume-Queue.  Asks for "
	    "confirmation unless -Confirm:$false is given."
};

const struct cmdlet_entry cmd_resume_queue_entry = {
	.name = "Resume-Queue",
	.synopsis = "Release a suspended queue.",
	.params = q_resume_queue_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS,
	.class_name = Q_CLASS("UnfreezeQueue"),
	.set_names = q_queue_sets,
	.default_set = Q_SET_IDENTITY,
	.exec = cmd_resume_queue_exec,
	.description = "Lets a suspended queue deliver again."
};

static const struct q_action q_retry_queue = { "retry-queue", "Retrying" };
static const struct q_action q_suspend_queue = {
	"suspend-queue", "Suspending"
};
static const struct q_action q_resume_queue = { "resume-queue", "Resuming" };

/* A non-terminating or statement error; the reason is the fqid base. */
void
q_error(struct cmd_ctx *ctx, enum err_kind kind, const char *category,
    const char *reason, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	cmd_error(ctx, kind, category, reason, reason, "%s", msg);
	free(msg);
}

/* Exchange's object-not-found error for an identity or a server. */
void
q_not_found(struct cmd_ctx *ctx, const char *what)
{
	q_error(ctx, ERR_NONTERMINATING, "NotSpecified",
	    "ManagementObjectNotFoundException", Q_MSG_NOTFOUND, what,
	    q_server(ctx));
}

/*
 * The parameter sets' names, bit i of a parameter's sets being name i:
 * Get-Message has three, the other queue and message cmdlets two.
 */
const char *const q_message_sets[] = { "Identity", "Filter", "Queue", NULL };
const char *const q_queue_sets[] = { "Identity", "Filter", NULL };

/*
 * The mandatory parameter of the set in use: either one of a and b (b
 * may be NULL), else the first is reported missing.  Pipeline input
 * stands for -Identity.
 */
int
q_need(struct cmd_ctx *ctx, const char *a, const char *b)
{
	if (bound_has(ctx->args, a) || (b != NULL &&
	    bound_has(ctx->args, b)) || ctx->piped)
		return (0);
	if (bound_has(ctx->args, "Server") && b != NULL)
		a = b;
	cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
	    "ParameterBindingException", "MissingMandatoryParameter",
	    Q_MSG_MISSING, a);
	return (-1);
}

/* The server asked: another one chosen with q_target, else this one. */
const char *
q_server(struct cmd_ctx *ctx)
{
	if (ctx->ctl_name != NULL)
		return (ctx->ctl_name);
	return (q_local_server(ctx));
}

/* This server's name: --server, else the store's. */
static const char *
q_local_server(struct cmd_ctx *ctx)
{
	struct store	*st;

	if (ctx->sh->server_name != NULL)
		return (ctx->sh->server_name);
	if (shell_store(ctx->sh, &st) != 0)
		return ("localhost");
	return (store_server_name(st));
}

/* Is the len bytes of name the local server (its short name)? */
bool
q_is_local(struct cmd_ctx *ctx, const char *name, size_t len)
{
	const char	*me = q_local_server(ctx);
	size_t		 n;

	if (len == 9 && strncasecmp(name, "localhost", 9) == 0)
		return (true);
	n = strcspn(me, ".");
	if (len == n && strncasecmp(name, me, n) == 0)
		return (true);
	/* An FQDN whose first label is the server. */
	return (len > n && name[n] == '.' && strncasecmp(name, me, n) == 0);
}

/*
 * Ask the server named by the len bytes of name from now on: this one
 * on its control socket, another registered one at its "tls:" endpoint.
 * 0 chosen; -1 after a non-terminating error naming what (an unknown
 * server, or one with no TLS control endpoint).
 */
int
q_target(struct cmd_ctx *ctx, const char *name, size_t len, const char *what)
{
	struct server_info	*all = NULL, *hit = NULL;
	struct store		*st;
	char			*cause = NULL;
	size_t			 i, n = 0, k;
	int			 r = -1;

	cmd_ctl_target(ctx, NULL, NULL, NULL);
	if (q_is_local(ctx, name, len))
		return (0);
	if (shell_store(ctx->sh, &st) != 0 ||
	    store_server_list(st, &all, &n, &cause) != 0) {
		q_error(ctx, ERR_NONTERMINATING, "ReadError",
		    "TransportServiceException", "%s", cause != NULL ? cause :
		    "The server registry can't be read.");
		free(cause);
		return (-1);
	}
	for (i = 0; i < n && hit == NULL; i++) {
		k = strlen(all[i].name);
		if ((k == len && strncasecmp(name, all[i].name, len) == 0) ||
		    (len > k && name[k] == '.' &&
		    strncasecmp(name, all[i].name, k) == 0) ||
		    (all[i].fqdn != NULL && strlen(all[i].fqdn) == len &&
		    strncasecmp(name, all[i].fqdn, len) == 0))
			hit = &all[i];
	}
	if (hit == NULL)
		q_not_found(ctx, what);
	else if (hit->control == NULL || strncmp(hit->control, "tls:", 4) != 0)
		q_error(ctx, ERR_NONTERMINATING, "ConnectionError",
		    "TransportServiceException", "The transport service on "
		    "%s can't be reached from %s: it registered no TLS "
		    "control endpoint (its hubd needs control-listen).",
		    hit->name, q_server(ctx));
	else {
		cmd_ctl_target(ctx, hit->name, hit->control, hit->fqdn);
		r = 0;
	}
	server_info_free(all, n);
	return (r);
}

/* A server as a value: its name, or an object's Name or Identity. */
int
q_target_value(struct cmd_ctx *ctx, struct value *v)
{
	struct value	*name;
	char		*s;
	int		 r;

	if (v == NULL || v->type == V_NULL) {
		cmd_ctl_target(ctx, NULL, NULL, NULL);
		return (0);
	}
	if (v->type == V_OBJECT && ((name = object_get(v, "Name")) != NULL ||
	    (name = object_get(v, "Identity")) != NULL))
		v = name;
	s = value_to_string(v);
	r = q_target(ctx, s, strlen(s), s);
	free(s);
	return (r);
}

/*
 * A server object (Get-TransportService's TransportServer or
 * Get-ExchangeServer's ExchangeServer), piped in?
 */
bool
q_is_server_object(struct value *v)
{
	const char	*tn;

	if (v == NULL || v->type != V_OBJECT)
		return (false);
	tn = v->u.obj->type_name;
	return (strstr(tn, ".TransportServer") != NULL ||
	    strstr(tn, ".ExchangeServer") != NULL);
}

/* -Server, if given: the server asked (q_target). */
int
q_check_server(struct cmd_ctx *ctx)
{
	struct value	*v;

	if ((v = bound_get(ctx->args, "Server")) == NULL || v->type == V_NULL) {
		cmd_ctl_target(ctx, NULL, NULL, NULL);
		return (0);
	}
	return (q_target_value(ctx, v));
}

/* The binder's conversion error, for an identity that cannot parse. */
void
q_bad_identity(struct cmd_ctx *ctx, const char *param, const char *text,
    const char *type_name, const char *why)
{
	cmd_error(ctx, ERR_NONTERMINATING, "InvalidArgument",
	    "ParameterBindingException", "CannotConvertArgumentNoMessage",
	    Q_MSG_BADID, param, text, type_name, why);
}

/*
 * [SERVER\]QUEUE, QUEUE possibly Shadow\N (hubd has no shadow queues:
 * such a queue is never found).  0 parsed (and local); -1 after an
 * error.
 */
int
q_parse_qid(struct cmd_ctx *ctx, const char *param, const char *s,
    struct q_qid *q)
{
	const char	*slash, *queue;

	memset(q, 0, sizeof *q);
	slash = strchr(s, '\\');
	if (slash == NULL || q_is_shadow(s))
		queue = s;
	else
		queue = slash + 1;
	if (*s == '\0' || slash == s || *queue == '\0' ||
	    (strchr(queue, '\\') != NULL && !q_is_shadow(queue))) {
		q_bad_identity(ctx, param, s, TN_QUEUEID, Q_MSG_QUEUEID);
		return (-1);
	}
	if (queue != s && q_target(ctx, s, slash - s, s) != 0)
		return (-1);
	if (queue == s && q_check_server(ctx) != 0)
		return (-1);
	if (queue != s)
		q->server = xstrndup(s, slash - s);
	q->queue = xstrdup(queue);
	q->label = xprintf("%s\\%s", q_server(ctx), q->queue);
	return (0);
}

/* Shadow\N, a shadow queue's name. */
static bool
q_is_shadow(const char *s)
{
	return (strncasecmp(s, "Shadow\\", 7) == 0 && q_is_number(s + 7));
}

void
q_qid_clear(struct q_qid *q)
{
	free(q->label);
	free(q->queue);
	free(q->server);
	memset(q, 0, sizeof *q);
}

/* Only decimal digits, at least one. */
bool
q_is_number(const char *s)
{
	if (*s == '\0')
		return (false);
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return (false);
	}
	return (true);
}

/* The part after the last backslash. */
const char *
q_last_part(const char *s)
{
	const char	*p = strrchr(s, '\\');

	return (p != NULL ? p + 1 : s);
}

/* The identity text of one input or argument, or NULL to skip it. */
char *
q_input_identity(struct value *v)
{
	struct value	*id;

	if (v == NULL || v->type == V_NULL)
		return (NULL);
	if (v->type == V_OBJECT) {
		if ((id = object_get(v, "Identity")) == NULL ||
		    id->type == V_NULL)
			return (NULL);
		return (value_to_string(id));
	}
	return (value_to_string(v));
}

/*
 * The identities to act on: the pipeline input, else the parameter
 * (several when it is a list).  *np may be 0.
 */
char **
q_identities(struct cmd_ctx *ctx, const char *param, size_t *np)
{
	struct value	*v;
	char		**ids, *s;
	size_t		  i, n;

	v = bound_get(ctx->args, param);
	if (ctx->ninput > 0) {
		ids = xcalloc(ctx->ninput + 1, sizeof *ids);
		for (i = n = 0; i < ctx->ninput; i++) {
			if ((s = q_input_identity(ctx->input[i])) != NULL)
				ids[n++] = s;
		}
	} else if (v != NULL && v->type != V_NULL) {
		ids = xcalloc(value_count(v) + 1, sizeof *ids);
		for (i = n = 0; i < value_count(v); i++) {
			if ((s = q_input_identity(value_item(v, i))) != NULL)
				ids[n++] = s;
		}
	} else {
		ids = xcalloc(1, sizeof *ids);
		n = 0;
	}
	*np = n;
	return (ids);
}

/*
 * -SortOrder: entries "+Name" (ascending) or "-Name" (descending), the
 * sign optional, several per argument separated by commas.
 */
static int
q_sort_parse(struct cmd_ctx *ctx, struct q_query *q)
{
	struct value			*v;
	const struct opath_field	*f;
	char				*s, *copy, *tok, *next, *names;
	size_t				 i;
	bool				 desc;

	if ((v = bound_get_opt(ctx->args, "SortOrder")) == NULL)
		return (0);
	for (i = 0; i < value_count(v); i++) {
		s = value_to_string(value_item(v, i));
		for (next = copy = s; (tok = strsep(&next, ",")) != NULL;) {
			while (isspace((unsigned char)*tok))
				tok++;
			tok[strcspn(tok, " \t")] = '\0';
			desc = *tok == '-';
			if (*tok == '-' || *tok == '+')
				tok++;
			if (*tok == '\0')
				continue;
			f = opath_field_find(q->noun->fields, tok);
			if (f == NULL) {
				names = opath_field_names(q->noun->fields);
				q_error(ctx, ERR_NONTERMINATING,
				    "InvalidArgument", "ArgumentException",
				    Q_MSG_SORTPROP, tok, names);
				free(names);
				free(copy);
				return (-1);
			}
			q->keys = xreallocarray(q->keys, q->nkeys + 1,
			    sizeof *q->keys);
			q->keys[q->nkeys].field = f;
			q->keys[q->nkeys++].desc = desc;
		}
		free(copy);
	}
	return (0);
}

/* The sort keys, then the identity (Exchange's default order). */
static int
q_sort_cmp(const struct q_query *q, struct value *a, struct value *b)
{
	const struct opath_field	*id;
	struct value			*x, *y, *null;
	size_t				 i;
	bool				 ok;
	int				 c = 0;

	null = value_null();
	for (i = 0; i < q->nkeys && c == 0; i++) {
		x = object_get(a, q->keys[i].field->name);
		y = object_get(b, q->keys[i].field->name);
		c = opath_order(q->keys[i].field, x != NULL ? x : null,
		    y != NULL ? y : null, &ok);
		if (q->keys[i].desc)
			c = -c;
	}
	if (c == 0) {
		id = opath_field_find(q->noun->fields, "Identity");
		x = object_get(a, "Identity");
		y = object_get(b, "Identity");
		c = opath_order(id, x != NULL ? x : null, y != NULL ? y : null,
		    &ok);
	}
	value_unref(null);
	return (c);
}

/* Stable merge sort of the objects (PowerShell's sorts are stable). */
static void
q_sort(const struct q_query *q, struct value **v, size_t n)
{
	struct value	**tmp;
	size_t		  w, lo, mid, hi, i, j, k;

	if (n < 2)
		return;
	tmp = xcalloc(n, sizeof *tmp);
	for (w = 1; w < n; w *= 2) {
		for (lo = 0; lo < n - w; lo += 2 * w) {
			mid = lo + w;
			hi = mid + w < n ? mid + w : n;
			i = lo;
			j = mid;
			k = lo;
			while (i < mid && j < hi) {
				if (q_sort_cmp(q, v[j], v[i]) < 0)
					tmp[k++] = v[j++];
				else
					tmp[k++] = v[i++];
			}
			while (i < mid)
				tmp[k++] = v[i++];
			while (j < hi)
				tmp[k++] = v[j++];
			memcpy(v + lo, tmp + lo, (hi - lo) * sizeof *v);
		}
	}
	free(tmp);
}

/* -Filter, -SortOrder, -ResultSize, -Include, -Exclude. */
int
q_query_init(struct cmd_ctx *ctx, const struct q_noun *noun,
    struct q_query *q)
{
	struct value	*v;
	const char	*reason;
	char		*s, *error;
	int		 r;

	memset(q, 0, sizeof *q);
	q->noun = noun;
	q->limit = Q_RESULT_SIZE;
	q->rcpt = (v = bound_get_opt(ctx->args, "IncludeRecipientInfo")) !=
	    NULL && value_truthy(v);
	if ((v = bound_get_opt(ctx->args, "ResultSize")) != NULL) {
		q->limit_given = true;
		q->limit = v->type == V_INT ? v->u.i : -1;
	}
	if ((v = bound_get_opt(ctx->args, "Include")) != NULL &&
	    v->type == V_STRING)
		q->include = xstrdup(v->u.s);
	if ((v = bound_get_opt(ctx->args, "Exclude")) != NULL &&
	    v->type == V_STRING)
		q->exclude = xstrdup(v->u.s);
	if (q_sort_parse(ctx, q) != 0)
		return (-1);
	if ((v = bound_get(ctx->args, "Filter")) != NULL &&
	    v->type != V_NULL) {
		s = value_to_string(v);
		r = opath_parse(s, noun->fields, &q->filter, &error, &reason);
		free(s);
		if (r != 0) {
			q_error(ctx, ERR_NONTERMINATING, "InvalidArgument",
			    reason, "%s", error);
			free(error);
			return (-1);
		}
	}
	return (0);
}

void
q_query_clear(struct q_query *q)
{
	opath_free(q->filter);
	free(q->keys);
	free(q->include);
	free(q->exclude);
	memset(q, 0, sizeof *q);
}

/*
 * Is the queue one of list (comma-joined -Include/-Exclude names):
 * Internal or External by NextHopCategory, Empty by MessageCount, else
 * its DeliveryType?
 */
static bool
q_included(const char *list, struct value *obj)
{
	struct value	*v;
	char		*copy, *tok, *next, *s;
	bool		 hit = false;

	copy = xstrdup(list);
	for (next = copy; !hit && (tok = strsep(&next, ",")) != NULL;) {
		while (*tok == ' ')
			tok++;
		if (strcasecmp(tok, "Empty") == 0) {
			v = object_get(obj, "MessageCount");
			hit = v != NULL && v->type == V_INT && v->u.i == 0;
			continue;
		}
		v = object_get(obj, strcasecmp(tok, "Internal") == 0 ||
		    strcasecmp(tok, "External") == 0 ? "NextHopCategory" :
		    "DeliveryType");
		if (v == NULL || v->type == V_NULL)
			continue;
		s = value_to_string(v);
		hit = strcasecmp(s, tok) == 0;
		free(s);
	}
	free(copy);
	return (hit);
}

/* Does obj pass -Include, -Exclude and -Filter? */
bool
q_selected(const struct q_query *q, struct value *obj)
{
	if (q->include != NULL && !q_included(q->include, obj))
		return (false);
	if (q->exclude != NULL && q_included(q->exclude, obj))
		return (false);
	return (q->filter == NULL || opath_match(q->filter, obj));
}

/*
 * Sort the selected objects of list, write the first -ResultSize of
 * them, and warn as Exchange does when some were left out.
 */
void
q_emit(struct cmd_ctx *ctx, const struct q_query *q, struct value *list)
{
	size_t	i, n = list->u.arr.n;

	q_sort(q, list->u.arr.v, n);
	for (i = 0; i < n; i++) {
		if (q->limit >= 0 && i >= (size_t)q->limit)
			break;
		cmd_emit(ctx, value_ref(list->u.arr.v[i]));
	}
	if (i == n)
		return;
	if (q->limit_given)
		cmd_warning(ctx, Q_MSG_MORE);
	else
		cmd_warning(ctx, Q_MSG_DEFAULT, Q_RESULT_SIZE);
}

/* ctl_call's callback: one record, one object. */
static int
q_fetch_one(const struct ctl_rec *r, void *arg)
{
	struct q_fetch	*f = arg;

	value_array_push(f->list, f->noun->make(r, f->rcpt));
	return (0);
}

/*
 * Ask hubd for the queues or messages (of one queue when queue is not
 * NULL, one message when id is not NULL: hubd says when it has no such
 * message): an array of objects, or NULL after an error.
 */
struct value *
q_fetch(struct cmd_ctx *ctx, const struct q_noun *noun, const char *queue,
    const char *id, bool rcpt)
{
	struct ctl_rec	 req;
	struct q_fetch	 f;
	int		 r;

	ctl_rec_init(&req);
	ctl_add(&req, "op", noun->op_get);
	ctl_add(&req, "queue", queue);
	ctl_add(&req, "id", id);
	f.noun = noun;
	f.list = value_array();
	f.rcpt = rcpt;
	r = cmd_ctl(ctx, &req, q_fetch_one, &f);
	ctl_rec_clear(&req);
	if (r != 0) {
		value_unref(f.list);
		return (NULL);
	}
	return (f.list);
}

/* A string field, or $null. */
struct value *
q_str(const struct ctl_rec *r, const char *name)
{
	const char	*s = ctl_get(r, name);

	return (s != NULL ? value_string(s) : value_null());
}

/* A count: 0 when absent. */
struct value *
q_int(const struct ctl_rec *r, const char *name)
{
	return (value_int(ctl_get_int(r, name, 0)));
}

/* A rate: an integer when it is one, else a double; 0 when absent. */
static struct value *
q_number(const struct ctl_rec *r, const char *name)
{
	const char	*s = ctl_get(r, name);
	char		*end;
	double		 d;

	if (s == NULL)
		return (value_int(0));
	if (q_is_number(s))
		return (value_int(ctl_get_int(r, name, 0)));
	d = strtod(s, &end);
	if (d == 0)
		d = 0;		/* "-0.0" shows as 0 */
	return (*end == '\0' ? value_double(d) : value_string(s));
}

/* A time (Unix milliseconds) as a date, or $null. */
struct value *
q_date(const struct ctl_rec *r, const char *name)
{
	if (ctl_get(r, name) == NULL)
		return (value_null());
	return (value_date(ctl_get_int(r, name, 0) * 1000));
}

/* Counts per priority High, Normal, Low, None: all Normal. */
static struct value *
q_priorities(int64_t normal)
{
	struct value	*a;

	a = value_array();
	value_array_push(a, value_int(0));
	value_array_push(a, value_int(normal));
	value_array_push(a, value_int(0));
	value_array_push(a, value_int(0));
	return (a);
}

/* Identity, IsValid and ObjectState, as every QueueViewer object ends. */
void
q_object_tail(struct value *v, const struct ctl_rec *r)
{
	const char	*id = ctl_get(r, "Identity");

	object_add_const(v, "Identity", q_str(r, "Identity"));
	object_add_const(v, "IsValid", value_bool(true));
	object_add_const(v, "ObjectState", value_string("New"));
	v->u.obj->text = xstrdup(id != NULL ? id : "");
}

/*
 * hubsh's queue health, after Exchange's own properties (so that `fl`
 * keeps Exchange's order) and before Identity: how long the oldest
 * message has waited, when the next hop last took a message and over what TLS,
 * and the failures since a session last opened, by class
 * ("StartTlsNotOffered=3").
 */
static void
q_queue_health(struct value *v, const struct ctl_rec *r)
{
	struct value	*a;
	const char	*s;
	int64_t		 secs;
	size_t		 i;

	if (ctl_get(r, "OldestMessageReceived") == NULL)
		a = value_null();
	else {
		secs = (date_now() / 1000 - ctl_get_int(r,
		    "OldestMessageReceived", 0)) / 1000;
		a = value_timespan((secs > 0 ? secs : 0) * 10000000);
	}
	object_add_const(v, "OldestMessageAge", a);
	object_add_const(v, "LastDeliveryTime", q_date(r, "LastDeliveryTime"));
	object_add_const(v, "LastDeliveryTls", q_str(r, "LastDeliveryTls"));
	a = value_array();
	for (i = 0; (s = ctl_get_nth(r, "ConsecutiveFailures", i)) != NULL;
	    i++)
		value_array_push(a, value_string(s));
	object_add_const(v, "ConsecutiveFailures", a);
}

/* The Get-Queue object of one get-queue record (section 7.1). */
static struct value *
q_queue_object(const struct ctl_rec *r, __attribute__((unused)) bool rcpt)
{
	struct value	*v, *a;
	const char	*type, *cat;

	v = value_object(Q_TYPE_QUEUE, &q_queue_view);
	object_reserve(v, 32);
	object_add_const(v, "RunspaceId", value_string(shell_runspace_id()));
	object_add_const(v, "DeliveryType", q_str(r, "DeliveryType"));
	object_add_const(v, "NextHopDomain", q_str(r, "NextHopDomain"));
	object_add_const(v, "TlsDomain", q_str(r, "TlsDomain"));
	object_add_const(v, "NextHopConnector", q_str(r, "NextHopConnector"));
	object_add_const(v, "Status", q_str(r, "Status"));
	object_add_const(v, "MessageCount", q_int(r, "MessageCount"));
	object_add_const(v, "LastError", q_str(r, "LastError"));
	object_add_const(v, "RetryCount", q_int(r, "RetryCount"));
	object_add_const(v, "LastRetryTime", q_date(r, "LastRetryTime"));
	object_add_const(v, "NextRetryTime", q_date(r, "NextRetryTime"));
	object_add_const(v, "FirstRetryTime", q_date(r, "FirstRetryTime"));
	object_add_const(v, "DeferredMessageCount",
	    q_int(r, "DeferredMessageCount"));
	object_add_const(v, "LockedMessageCount",
	    q_int(r, "LockedMessageCount"));
	object_add_const(v, "MessageCountsPerPriority",
	    q_priorities(ctl_get_int(r, "MessageCount", 0)));
	object_add_const(v, "DeferredMessageCountsPerPriority",
	    q_priorities(ctl_get_int(r, "DeferredMessageCount", 0)));
	object_add_const(v, "RiskLevel", value_string("Normal"));
	object_add_const(v, "OutboundIPPool", value_int(0));
	/* Section 7.1: External for connector delivery, else Internal. */
	if ((cat = ctl_get(r, "NextHopCategory")) == NULL) {
		type = ctl_get(r, "DeliveryType");
		cat = type != NULL && (strcmp(type, "DnsConnectorDelivery") ==
		    0 || strcmp(type, "SmartHostConnectorDelivery") == 0 ||
		    strcmp(type, "NonSmtpGatewayDelivery") == 0 ||
		    strcmp(type, "DeliveryAgent") == 0) ? "External" :
		    "Internal";
	}
	object_add_const(v, "NextHopCategory", value_string(cat));
	object_add_const(v, "IncomingRate", q_number(r, "IncomingRate"));
	object_add_const(v, "OutgoingRate", q_number(r, "OutgoingRate"));
	object_add_const(v, "Velocity", q_number(r, "Velocity"));
	object_add_const(v, "OverrideSource", value_string(""));
	object_add_const(v, "QueueIdentity", q_str(r, "Identity"));
	a = value_array();
	value_array_push(a, value_string("High"));
	value_array_push(a, value_string("Normal"));
	value_array_push(a, value_string("Low"));
	value_array_push(a, value_string("None"));
	object_add_const(v, "PriorityDescriptions", a);
	q_queue_health(v, r);
	q_object_tail(v, r);
	return (v);
}

/*
 * Does a queue object match the queue part of an identity: "*" all, a
 * number its number, a name the persistent queue of that name or the
 * next-hop domain; wildcards allowed.
 */
bool
q_queue_matches(const char *queue, struct value *obj)
{
	struct value	*v;
	char		*id, *dom;
	bool		 hit;

	v = object_get(obj, "Identity");
	id = v != NULL ? value_to_string(v) : xstrdup("");
	v = object_get(obj, "NextHopDomain");
	dom = v != NULL ? value_to_string(v) : xstrdup("");
	/* Exactly first: "[10.0.0.1]" is a smart host, not a wildcard set. */
	hit = strcasecmp(queue, q_last_part(id)) == 0 ||
	    (!q_is_number(queue) && strcasecmp(queue, dom) == 0);
	if (!hit && has_wildcard(queue))
		hit = wildcard_match(queue, q_last_part(id), false) ||
		    wildcard_match(queue, dom, false);
	free(id);
	free(dom);
	return (hit);
}

/*
 * The queues of the server asked (q_target) that one of the nq qids
 * whose server is server (NULL: those without one) names, or all when
 * nq is 0, written out.
 */
static void
q_get_queues(struct cmd_ctx *ctx, const struct q_query *q,
    const struct q_qid *qids, size_t nq, const char *server)
{
	struct value	*all, *sel;
	size_t		 i, j;
	bool		 hit;

	if ((all = q_fetch(ctx, &q_queue_noun, NULL, NULL, false)) == NULL)
		return;
	sel = value_array();
	for (i = 0; i < all->u.arr.n; i++) {
		hit = nq == 0;
		for (j = 0; j < nq && !hit; j++) {
			if ((server == NULL) != (qids[j].server == NULL) ||
			    (server != NULL &&
			    strcasecmp(server, qids[j].server) != 0))
				continue;
			hit = q_queue_matches(qids[j].queue, all->u.arr.v[i]);
		}
		if (hit && q_selected(q, all->u.arr.v[i]))
			value_array_push(sel, value_ref(all->u.arr.v[i]));
	}
	q_emit(ctx, q, sel);
	value_unref(sel);
	value_unref(all);
}

/* Are all the pipeline's objects servers (q_is_server_object)? */
bool
q_piped_servers(struct cmd_ctx *ctx)
{
	size_t	i;

	if (ctx->ninput == 0 || bound_has(ctx->args, "Server"))
		return (false);
	for (i = 0; i < ctx->ninput; i++) {
		if (!q_is_server_object(ctx->input[i]))
			return (false);
	}
	return (true);
}

/*
 * Get-Queue: on -Server, on each server piped in, or on the servers the
 * identities name (each asked once, for all its identities).
 */
static int
cmd_get_queue_exec(struct cmd_ctx *ctx)
{
	struct q_query	  q;
	struct q_qid	 *qids;
	char		**ids;
	size_t		  i, j, n, nq = 0;
	bool		  seen;
	int		  r = -1;

	if (ctx->piped && ctx->ninput == 0 &&
	    !bound_has(ctx->args, "Identity"))
		return (0);
	if (q_query_init(ctx, &q_queue_noun, &q) != 0) {
		q_query_clear(&q);
		return (-1);
	}
	if (q_piped_servers(ctx)) {
		for (i = 0; i < ctx->ninput && !ctx->stop; i++) {
			if (q_target_value(ctx, ctx->input[i]) == 0)
				q_get_queues(ctx, &q, NULL, 0, NULL);
		}
		q_query_clear(&q);
		return (ctx->failed ? -1 : 0);
	}
	if (q_check_server(ctx) != 0) {
		q_query_clear(&q);
		return (-1);
	}
	ids = q_identities(ctx, "Identity", &n);
	qids = xcalloc(n + 1, sizeof *qids);
	for (i = 0; i < n; i++) {
		if (q_parse_qid(ctx, "Identity", ids[i], &qids[nq]) == 0)
			nq++;
	}
	if (n > 0 && nq == 0)
		goto out;
	if (nq == 0) {
		if (q_check_server(ctx) == 0)
			q_get_queues(ctx, &q, NULL, 0, NULL);
		r = 0;
		goto out;
	}
	/* Each server once, in the order its identities came. */
	for (i = 0; i < nq && !ctx->stop; i++) {
		for (j = 0, seen = false; j < i && !seen; j++)
			seen = (qids[i].server == NULL) ==
			    (qids[j].server == NULL) &&
			    (qids[i].server == NULL ||
			    strcasecmp(qids[i].server, qids[j].server) == 0);
		if (seen)
			continue;
		if ((qids[i].server == NULL ? q_check_server(ctx) :
		    q_target(ctx, qids[i].server, strlen(qids[i].server),
		    qids[i].label)) == 0)
			q_get_queues(ctx, &q, qids, nq, qids[i].server);
	}
	r = 0;
out:
	for (i = 0; i < nq; i++)
		q_qid_clear(&qids[i]);
	free(qids);
	strv_free(ids, n);
	q_query_clear(&q);
	return (ctx->failed ? -1 : r);
}

/*
 * Send one action to hubd: op with id, and queue when not NULL; the
 * command's other arguments (Resubmit, WithNDR) are added from ctx.
 */
void
q_send(struct cmd_ctx *ctx, const char *op, const char *id,
    const char *queue)
{
	struct ctl_rec	 req;
	struct value	*v;

	ctl_rec_init(&req);
	ctl_add(&req, "op", op);
	ctl_add(&req, "id", id);
	ctl_add(&req, "queue", queue);
	if ((v = bound_get_opt(ctx->args, "Resubmit")) != NULL &&
	    value_truthy(v))
		ctl_add(&req, "resubmit", "1");
	if (strcmp(op, "remove-message") == 0) {
		v = bound_get_opt(ctx->args, "WithNDR");
		ctl_add(&req, "with-ndr", v == NULL || value_truthy(v) ?
		    "1" : "0");
	}
	cmd_ctl(ctx, &req, NULL, NULL);
	ctl_rec_clear(&req);
}

/*
 * A queue identity with a wildcard must name exactly one queue: its
 * queue part becomes that queue's number.  0 resolved, -1 after an
 * error.
 */
static int
q_queue_resolve(struct cmd_ctx *ctx, struct q_qid *qid)
{
	struct value	*all, *found = NULL;
	size_t		 i, n = 0;
	char		*s;

	if (!has_wildcard(qid->queue))
		return (0);
	if ((all = q_fetch(ctx, &q_queue_noun, NULL, NULL, false)) == NULL)
		return (-1);
	for (i = 0; i < all->u.arr.n; i++) {
		if (q_queue_matches(qid->queue, all->u.arr.v[i])) {
			found = all->u.arr.v[i];
			n++;
		}
	}
	if (n == 1) {
		s = value_to_string(object_get(found, "Identity"));
		free(qid->queue);
		qid->queue = xstrdup(q_last_part(s));
		free(s);
	} else if (n == 0)
		q_not_found(ctx, qid->label);
	else
		q_error(ctx, ERR_NONTERMINATING, "InvalidArgument",
		    "AmbiguousQueueIdentityException", Q_MSG_MANY,
		    qid->label);
	value_unref(all);
	return (n == 1 ? 0 : -1);
}

/* Retry-, Suspend- and Resume-Queue. */
static int
q_queue_action(struct cmd_ctx *ctx, const struct q_action *a)
{
	struct q_query	  q;
	struct q_qid	  qid;
	struct value	 *all, *v;
	const char	 *extra = "";
	char		**ids, *desc, *s;
	size_t		  i, n;

	if (q_need(ctx, "Identity", "Filter") != 0)
		return (-1);
	if ((v = bound_get_opt(ctx->args, "Resubmit")) != NULL &&
	    value_truthy(v))
		extra = " and resubmitting its messages";
	if (ctx->piped && ctx->ninput == 0 &&
	    !bound_has(ctx->args, "Identity"))
		return (0);
	if (bound_has(ctx->args, "Filter")) {
		if (q_query_init(ctx, &q_queue_noun, &q) != 0 ||
		    q_check_server(ctx) != 0) {
			q_query_clear(&q);
			return (-1);
		}
		s = value_to_string(bound_get(ctx->args, "Filter"));
		desc = xprintf("%s all queues that match the filter \"%s\"%s.",
		    a->verb, s, extra);
		free(s);
		if (cmd_should_process(ctx, desc) && (all = q_fetch(ctx,
		    &q_queue_noun, NULL, NULL, false)) != NULL) {
			for (i = 0; i < all->u.arr.n && !ctx->stop; i++) {
				if (!q_selected(&q, all->u.arr.v[i]))
					continue;
				v = object_get(all->u.arr.v[i], "Identity");
				s = value_to_string(v);
				q_send(ctx, a->op, q_last_part(s), NULL);
				free(s);
			}
			value_unref(all);
		}
		free(desc);
		q_query_clear(&q);
		return (ctx->failed ? -1 : 0);
	}
	ids = q_identities(ctx, "Identity", &n);
	for (i = 0; i < n && !ctx->stop; i++) {
		if (q_parse_qid(ctx, "Identity", ids[i], &qid) != 0)
			continue;
		desc = xprintf("%s queue \"%s\"%s.", a->verb, qid.label,
		    extra);
		if (cmd_should_process(ctx, desc) &&
		    q_queue_resolve(ctx, &qid) == 0)
			q_send(ctx, a->op, qid.queue, NULL);
		free(desc);
		q_qid_clear(&qid);
	}
	strv_free(ids, n);
	return (ctx->failed ? -1 : 0);
}

static int
cmd_retry_queue_exec(struct cmd_ctx *ctx)
{
	return (q_queue_action(ctx, &q_retry_queue));
}

static int
cmd_suspend_queue_exec(struct cmd_ctx *ctx)
{
	return (q_queue_action(ctx, &q_suspend_queue));
}

static int
cmd_resume_queue_exec(struct cmd_ctx *ctx)
{
	return (q_queue_action(ctx, &q_resume_queue));
}
