/*
 * cmd_queue.c - the queue cmdlets: Get-Queue, Retry-Queue, Suspend-Queue,
 * Resume-Queue, Get-Message, Suspend-Message, Resume-Message and
 * Remove-Message (exchange-semantics.md section 7.1 and 7.2).
 *
 * hubd owns the queues; these cmdlets ask it over the control channel
 * (common/ctl.h, cmd_ctl): "get-queue" and "get-message" answer one
 * record per queue or message, its fields named as the object's
 * properties, and each action ("retry-queue", "remove-message"...) acts
 * on one queue or one message.  What Exchange does in the cmdlet rather
 * than in the transport is done here: the parameter sets, identities,
 * the OPATH -Filter (a small recursive-descent parser and evaluator over
 * the objects), -Include and -Exclude, -SortOrder and -ResultSize.
 *
 * Identities.  A queue is [SERVER\]QUEUE, QUEUE being a number, a
 * next-hop domain, Submission, Unreachable, Poison or a wildcard
 * ("EX01\*"); a message is [SERVER\]QUEUE\NUMBER, QUEUE possibly "*" for
 * every copy.  SERVER, when given, must be the local server: hubsh
 * manages one transport server, another name is not found.
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
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "extype.h"
#include "shell.h"
#include "xmalloc.h"

#define Q_TYPE_QUEUE \
    "Microsoft.Exchange.Data.QueueViewer.ExtensibleQueueInfo"
#define Q_TYPE_MESSAGE \
    "Microsoft.Exchange.Data.QueueViewer.ExtensibleMessageInfo"
#define Q_CLASS(x)	"Microsoft.Exchange.Management.QueueViewerTasks." x

/* .NET type names for binder and conversion messages. */
#define TN_STRING	"System.String"
#define TN_BOOL		"System.Boolean"
#define TN_SWITCH	"System.Management.Automation.SwitchParameter"
#define TN_QUEUEID	"Microsoft.Exchange.Data.QueueViewer.QueueIdentity"
#define TN_MESSAGEID	"Microsoft.Exchange.Data.QueueViewer.MessageIdentity"
#define TN_SERVERID	"Microsoft.Exchange.Configuration.Tasks." \
    "ServerIdParameter"
#define TN_INCLUDES	"Microsoft.Exchange.Data.QueueViewer." \
    "QueueViewerIncludesAndExcludes"
#define TN_SORT		"Microsoft.Exchange.Data.QueueViewer." \
    "QueueViewerSortOrderEntry[]"
#define TN_RESULTSIZE	"Microsoft.Exchange.Data.Unlimited`1[System.UInt32]"
#define TN_INT		"System.Int32"
#define TN_DOUBLE	"System.Double"
#define TN_DATE		"System.DateTime"
#define TN_SIZE		"Microsoft.Exchange.Data.ByteQuantifiedSize"
#define TN_QSTATUS	"Microsoft.Exchange.Data.QueueViewer.QueueStatus"
#define TN_MSTATUS	"Microsoft.Exchange.Data.QueueViewer.MessageStatus"
#define TN_DELIVERY	"Microsoft.Exchange.Data.DeliveryType"
#define TN_CATEGORY	"Microsoft.Exchange.Data.QueueViewer.NextHopCategory"
#define TN_RISK		"Microsoft.Exchange.Data.Transport.RiskLevel"
#define TN_DIRECTION	"Microsoft.Exchange.Data.Transport.MailDirectionality"
#define TN_PRIORITY	"Microsoft.Exchange.Data.Transport.DeliveryPriority"

#define Q_RESULT_SIZE	1000	/* Exchange's default ResultSize */

/* Messages. */
#define Q_MSG_NOTFOUND	"The operation couldn't be performed because object " \
    "'%s' couldn't be found on '%s'."
#define Q_MSG_MANY	"The identity '%s' matches more than one queue. Use " \
    "-Filter to act on several queues."
#define Q_MSG_SETS	"Parameter set cannot be resolved using the " \
    "specified named parameters."
#define Q_MSG_MISSING	"Cannot process command because of one or more " \
    "missing mandatory parameters: %s."
#define Q_MSG_BADID	"Cannot bind parameter '%s'. Cannot convert value " \
    "\"%s\" to type \"%s\". Error: \"%s\""
#define Q_MSG_QUEUEID	"The queue identity isn't valid: use Server\\Queue, " \
    "where Queue is a queue number, a next-hop domain, Submission, " \
    "Unreachable or Poison."
#define Q_MSG_MSGID	"The message identity isn't valid: use " \
    "Server\\Queue\\MessageId, where Queue is a queue number, a next-hop " \
    "domain or *, and MessageId a number."
#define Q_MSG_SYNTAX	"Invalid filter syntax. For a description of the " \
    "filter parameter syntax see the command help. \"%s\" at position %zu."
#define Q_MSG_PROPERTY	"\"%s\" is not a recognized filterable property. " \
    "Valid property names are: %s."
#define Q_MSG_SORTPROP	"\"%s\" is not a recognized sortable property. " \
    "Valid property names are: %s."
#define Q_MSG_VALUE	"Cannot convert value \"%s\" of property %s to type " \
    "\"%s\". Error: \"%s\""
#define Q_MSG_MORE	"There are more results available than are currently " \
    "displayed. To view them, increase the value for the ResultSize " \
    "parameter."
#define Q_MSG_DEFAULT	"By default, only the first %d items are returned. " \
    "Use the ResultSize parameter to specify the number of items returned. " \
    "To return all items, specify \"-ResultSize Unlimited\". Be aware " \
    "that, depending on the actual number of items, returning all items " \
    "can take a long time and consume a large amount of memory. Also, we " \
    "don't recommend storing the results in a variable. Instead, pipe the " \
    "results to another task or script to perform batch changes."

/* How a property compares in -Filter and -SortOrder. */
enum q_kind {
	QK_STRING,
	QK_INT,
	QK_NUMBER,	/* double */
	QK_DATE,
	QK_SIZE,	/* ByteQuantifiedSize text, compared in bytes */
	QK_ENUM,
	QK_IDENTITY	/* backslash-separated, numbers as numbers */
};

struct q_field {
	const char		*name;
	enum q_kind		 kind;
	const char *const	*choices;	/* QK_ENUM */
	const char		*type_name;
};

/* A queue or a message: what differs between the two nouns. */
struct q_noun {
	const char		*op_get;	/* "get-queue", "get-message" */
	const struct q_field	*fields;	/* filterable, sortable */
	struct value		*(*make)(const struct ctl_rec *, bool);
};

/* Filter syntax tree. */
enum qf_type {
	QF_AND,
	QF_OR,
	QF_NOT,
	QF_CMP
};

enum qf_op {
	QO_EQ,
	QO_NE,
	QO_GT,
	QO_GE,
	QO_LT,
	QO_LE,
	QO_LIKE,
	QO_NOTLIKE
};

struct qf_node {
	enum qf_type		 type;
	struct qf_node		*l;
	struct qf_node		*r;
	const struct q_field	*field;		/* QF_CMP */
	enum qf_op		 op;
	struct value		*lit;		/* converted; text for like */
};

enum qt_type {
	QT_END,
	QT_WORD,	/* property, bare value, $true */
	QT_STRING,	/* quoted value */
	QT_OP,		/* -eq, -and, -not ... (text without the dash) */
	QT_LPAREN,
	QT_RPAREN,
	QT_BAD		/* unterminated quote */
};

struct qf_token {
	enum qt_type	 type;
	size_t		 start;		/* byte offset in the filter */
	char		*text;
};

struct qf_parser {
	const char		*s;
	size_t			 pos;
	const struct q_field	*fields;
	struct qf_token		 tok;		/* the current token */
	char			*error;		/* message, once failed */
	const char		*reason;	/* its exception name */
};

/* One -SortOrder key. */
struct q_sortkey {
	const struct q_field	*field;
	bool			 desc;
};

/* Everything a Get (or a -Filter action) selects with. */
struct q_query {
	const struct q_noun	*noun;
	struct qf_node		*filter;
	struct q_sortkey	*keys;
	size_t			 nkeys;
	int64_t			 limit;		/* -1: unlimited */
	bool			 limit_given;
	char			*include;	/* Get-Queue, comma-joined */
	char			*exclude;
	bool			 rcpt;		/* -IncludeRecipientInfo */
};

/* A queue identity taken apart. */
struct q_qid {
	char	*label;		/* SERVER\QUEUE as Exchange prints it */
	char	*queue;		/* the part after the server */
};

/* A message identity taken apart. */
struct q_mid {
	char	*label;		/* SERVER\QUEUE\ID */
	char	*queue;		/* NULL for "*" */
	char	*id;
};

/* The results of a get-* request. */
struct q_fetch {
	const struct q_noun	*noun;
	struct value		*list;
	bool			 rcpt;
};

/* A queue or message action and its texts. */
struct q_action {
	const char	*op;		/* "suspend-queue" */
	const char	*verb;		/* "Suspending" */
};

static void	 q_error(struct cmd_ctx *, enum err_kind, const char *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
static void	 q_not_found(struct cmd_ctx *, const char *);
static int	 q_sets(struct cmd_ctx *, const char *const *);
static int	 q_need(struct cmd_ctx *, const char *, const char *);
static const char *q_server(struct cmd_ctx *);
static bool	 q_is_local(struct cmd_ctx *, const char *, size_t);
static int	 q_check_server(struct cmd_ctx *);
static void	 q_bad_identity(struct cmd_ctx *, const char *, const char *,
		    const char *, const char *);
static int	 q_parse_qid(struct cmd_ctx *, const char *, const char *,
		    struct q_qid *);
static bool	 q_is_shadow(const char *);
static void	 q_qid_clear(struct q_qid *);
static int	 q_parse_mid(struct cmd_ctx *, const char *, struct q_mid *);
static void	 q_mid_clear(struct q_mid *);
static bool	 q_is_number(const char *);
static const char *q_last_part(const char *);
static char	*q_middle_part(const char *);
static int	 q_identity_cmp(const char *, const char *);
static char	*q_input_identity(struct value *);
static char	**q_identities(struct cmd_ctx *, const char *, size_t *);
static void	 q_strings_free(char **, size_t);
static const struct q_field *q_field_find(const struct q_field *,
		    const char *);
static char	*q_field_names(const struct q_field *);
static void	 qf_next(struct qf_parser *);
static void	 qf_syntax(struct qf_parser *, size_t);
static struct qf_node *qf_new(enum qf_type, struct qf_node *,
		    struct qf_node *);
static void	 qf_free(struct qf_node *);
static struct value *qf_literal(struct qf_parser *,
		    const struct q_field *, enum qf_op);
static struct qf_node *qf_compare(struct qf_parser *);
static struct qf_node *qf_unary(struct qf_parser *);
static struct qf_node *qf_and(struct qf_parser *);
static struct qf_node *qf_or(struct qf_parser *);
static int	 qf_parse(struct cmd_ctx *, const char *,
		    const struct q_field *, struct qf_node **);
static int	 q_size_parse(const char *, int64_t *);
static int64_t	 q_size_bytes(const struct value *);
static int	 q_order(const struct q_field *, struct value *,
		    struct value *, bool *);
static bool	 qf_match_one(const struct qf_node *, struct value *);
static bool	 qf_match(const struct qf_node *, const struct value *);
static int	 q_sort_parse(struct cmd_ctx *, struct q_query *);
static int	 q_sort_cmp(const struct q_query *, struct value *,
		    struct value *);
static void	 q_sort(const struct q_query *, struct value **, size_t);
static int	 q_query_init(struct cmd_ctx *, const struct q_noun *,
		    struct q_query *);
static void	 q_query_clear(struct q_query *);
static bool	 q_included(const char *, struct value *);
static bool	 q_selected(const struct q_query *, struct value *);
static void	 q_emit(struct cmd_ctx *, const struct q_query *,
		    struct value *);
static int	 q_fetch_one(const struct ctl_rec *, void *);
static struct value *q_fetch(struct cmd_ctx *, const struct q_noun *,
		    const char *, const char *, bool);
static struct value *q_str(const struct ctl_rec *, const char *);
static struct value *q_int(const struct ctl_rec *, const char *);
static struct value *q_number(const struct ctl_rec *, const char *);
static struct value *q_date(const struct ctl_rec *, const char *);
static struct value *q_priorities(int64_t);
static void	 q_object_tail(struct value *, const struct ctl_rec *);
static struct value *q_queue_object(const struct ctl_rec *, bool);
static struct value *q_message_object(const struct ctl_rec *, bool);
static bool	 q_queue_matches(const char *, struct value *);
static int	 cmd_get_queue_exec(struct cmd_ctx *);
static int	 q_get_messages(struct cmd_ctx *, const struct q_query *,
		    const char *, const char *, struct value *);
static void	 q_queue_messages(struct cmd_ctx *, const struct q_query *,
		    const char *, struct value *);
static int	 q_message_input(struct cmd_ctx *, struct value *,
		    const struct q_query *, struct value *);
static int	 cmd_get_message_exec(struct cmd_ctx *);
static void	 q_send(struct cmd_ctx *, const char *, const char *,
		    const char *);
static int	 q_queue_resolve(struct cmd_ctx *, struct q_qid *);
static int	 q_queue_action(struct cmd_ctx *, const struct q_action *);
static int	 q_message_action(struct cmd_ctx *, const struct q_action *);
static int	 cmd_retry_queue_exec(struct cmd_ctx *);
static int	 cmd_suspend_queue_exec(struct cmd_ctx *);
static int	 cmd_resume_queue_exec(struct cmd_ctx *);
static int	 cmd_suspend_message_exec(struct cmd_ctx *);
static int	 cmd_resume_message_exec(struct cmd_ctx *);
static int	 cmd_remove_message_exec(struct cmd_ctx *);

/* Enumerations (section 7.1, 7.2). */
static const char *const q_delivery_choices[] = {
	"DnsConnectorDelivery", "SmartHostConnectorDelivery",
	"SmtpRelayToConnectorSourceServers", "SmtpDeliveryToMailbox",
	"SmtpRelayToDag", "SmtpRelayToMailboxDeliveryGroup",
	"SmtpRelayToRemoteActiveDirectorySite", "SmtpRelayToServers",
	"SmtpRelayWithinAdSiteToEdge", "NonSmtpGatewayDelivery",
	"DeliveryAgent", "ShadowRedundancy", "Heartbeat", "Undefined",
	"Unreachable", "MapiDelivery", "SmtpRelayWithinAdSite",
	"SmtpRelayToTiRg", NULL
};
static const char *const q_include_choices[] = {
	"Internal", "External", "Empty",
	"DnsConnectorDelivery", "SmartHostConnectorDelivery",
	"SmtpRelayToConnectorSourceServers", "SmtpDeliveryToMailbox",
	"SmtpRelayToDag", "SmtpRelayToMailboxDeliveryGroup",
	"SmtpRelayToRemoteActiveDirectorySite", "SmtpRelayToServers",
	"SmtpRelayWithinAdSiteToEdge", "NonSmtpGatewayDelivery",
	"DeliveryAgent", "ShadowRedundancy", "Heartbeat", "Undefined",
	"Unreachable", "MapiDelivery", "SmtpRelayWithinAdSite",
	"SmtpRelayToTiRg", NULL
};
static const char *const q_qstatus_choices[] = {
	"None", "Active", "Ready", "Retry", "Suspended", "Connecting", NULL
};
static const char *const q_mstatus_choices[] = {
	"None", "Active", "Retry", "Suspended", "Ready", "Locked",
	"PendingRemove", "PendingSuspend", NULL
};
static const char *const q_category_choices[] = {
	"Internal", "External", NULL
};
static const char *const q_risk_choices[] = {
	"Normal", "Bulk", "High", "Low", "Unknown", NULL
};
static const char *const q_direction_choices[] = {
	"Undefined", "Incoming", "Originating", NULL
};
static const char *const q_priority_choices[] = {
	"Normal", "Low", "High", "None", NULL
};

/* Filterable and sortable properties, in Format-List order. */
static const struct q_field q_queue_fields[] = {
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

static const struct q_field q_message_fields[] = {
	{ "FromAddress", QK_STRING, NULL, TN_STRING },
	{ "Status", QK_ENUM, q_mstatus_choices, TN_MSTATUS },
	{ "Size", QK_SIZE, NULL, TN_SIZE },
	{ "SCL", QK_INT, NULL, TN_INT },
	{ "Subject", QK_STRING, NULL, TN_STRING },
	{ "DateReceived", QK_DATE, NULL, TN_DATE },
	{ "ExpirationTime", QK_DATE, NULL, TN_DATE },
	{ "LastError", QK_STRING, NULL, TN_STRING },
	{ "Queue", QK_IDENTITY, NULL, TN_QUEUEID },
	{ "Recipients", QK_STRING, NULL, TN_STRING },
	{ "RetryCount", QK_INT, NULL, TN_INT },
	{ "SourceIP", QK_STRING, NULL, TN_STRING },
	{ "MessageSourceName", QK_STRING, NULL, TN_STRING },
	{ "InternetMessageId", QK_STRING, NULL, TN_STRING },
	{ "DeferReason", QK_STRING, NULL, TN_STRING },
	{ "Directionality", QK_ENUM, q_direction_choices, TN_DIRECTION },
	{ "Priority", QK_ENUM, q_priority_choices, TN_PRIORITY },
	{ "OriginalFromAddress", QK_STRING, NULL, TN_STRING },
	{ "Identity", QK_IDENTITY, NULL, TN_MESSAGEID },
	{ NULL, QK_STRING, NULL, NULL }
};

static const struct q_noun q_queue_noun = {
	"get-queue", q_queue_fields, q_queue_object
};
static const struct q_noun q_message_noun = {
	"get-message", q_message_fields, q_message_object
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
static const char *const q_message_columns[] = {
	"Identity", "FromAddress", "Status", "Queue", "Subject", NULL
};
static const struct view q_message_view = {
	.type_name = Q_TYPE_MESSAGE,
	.shape = SHAPE_TABLE,
	.table = q_message_columns,
	.list = NULL
};

/* Parameter tables. */
#define Q_P(n, t, f, tn, h) \
	{ .name = n, .type = t, .flags = f, .type_name = tn, .help = h }
#define Q_IDENTITY(tn, h) \
	Q_P("Identity", PT_STRING, P_POSITIONAL | P_PIPELINE | P_BYNAME, \
	    tn, h)
#define Q_FILTER(h)	Q_P("Filter", PT_STRING, 0, TN_STRING, h)
#define Q_SERVER \
	Q_P("Server", PT_STRING, 0, TN_SERVERID, "The transport server; " \
	    "only the local one (hubsh manages one server).")
#define Q_RESULTSIZE \
	{ .name = "ResultSize", .type = PT_UNLIMITED, .min = 1, \
	  .max = 2147483647, .type_name = TN_RESULTSIZE, \
	  .help = "Most objects returned (default 1000), or Unlimited." }
#define Q_SORTORDER(h) \
	Q_P("SortOrder", PT_STRINGS, 0, TN_SORT, h)

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
	Q_P("Resubmit", PT_BOOL, 0, TN_BOOL, "Route the queue's messages "
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

static const struct param_entry q_get_message_params[] = {
	Q_IDENTITY(TN_MESSAGEID, "Server\\Queue\\MessageId; Queue may be * "
	    "for every copy of the message."),
	Q_P("Queue", PT_STRING, 0, TN_QUEUEID, "Server\\Queue: the "
	    "messages of this queue."),
	Q_FILTER("OPATH filter on message properties, as \"FromAddress "
	    "-like '*@contoso.com'\"."),
	Q_SERVER,
	Q_P("IncludeRecipientInfo", PT_SWITCH, 0, TN_SWITCH, "Fill in "
	    "Recipients (address, status and last error of each)."),
	Q_RESULTSIZE,
	Q_SORTORDER("Sort keys, as \"-Size,+FromAddress\"."),
	{ .name = NULL }
};

static const struct param_entry q_message_action_params[] = {
	Q_IDENTITY(TN_MESSAGEID, "Server\\Queue\\MessageId; Queue may be * "
	    "for every copy of the message."),
	Q_FILTER("OPATH filter: every matching message."),
	Q_SERVER,
	{ .name = NULL }
};

static const struct param_entry q_remove_message_params[] = {
	Q_IDENTITY(TN_MESSAGEID, "Server\\Queue\\MessageId; Queue may be * "
	    "for every copy of the message."),
	Q_FILTER("OPATH filter: every matching message is removed."),
	Q_SERVER,
	Q_P("WithNDR", PT_BOOL, 0, TN_BOOL, "Send the sender a "
	    "non-delivery report ($true, the default)."),
	{ .name = NULL }
};

const struct cmdlet_entry cmd_get_queue_entry = {
	.name = "Get-Queue",
	.synopsis = "Show the transport server's queues.",
	.params = q_get_queue_params,
	.flags = C_EXCHANGE,
	.class_name = Q_CLASS("GetQueueInfo"),
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
	.exec = cmd_resume_queue_exec,
	.description = "Lets a suspended queue deliver again."
};

const struct cmdlet_entry cmd_get_message_entry = {
	.name = "Get-Message",
	.synopsis = "Show the messages in the queues.",
	.params = q_get_message_params,
	.flags = C_EXCHANGE,
	.class_name = Q_CLASS("GetMessageInfo"),
	.exec = cmd_get_message_exec,
	.description = "Asks hubd for the messages in its queues and writes "
	    "those selected by -Identity, -Queue or -Filter.  Recipients is "
	    "empty unless -IncludeRecipientInfo is given."
};

const struct cmdlet_entry cmd_suspend_message_entry = {
	.name = "Suspend-Message",
	.synopsis = "Hold a message.",
	.params = q_message_action_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS | C_CONFIRM,
	.class_name = Q_CLASS("FreezeMessage"),
	.exec = cmd_suspend_message_exec,
	.description = "Keeps a message in its queue until Resume-Message; "
	    "one in delivery finishes.  Asks for confirmation unless "
	    "-Confirm:$false is given."
};

const struct cmdlet_entry cmd_resume_message_entry = {
	.name = "Resume-Message",
	.synopsis = "Release a suspended message.",
	.params = q_message_action_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS,
	.class_name = Q_CLASS("UnfreezeMessage"),
	.exec = cmd_resume_message_exec,
	.description = "Lets a suspended message be delivered again."
};

const struct cmdlet_entry cmd_remove_message_entry = {
	.name = "Remove-Message",
	.synopsis = "Delete a message from the queues.",
	.params = q_remove_message_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS | C_CONFIRM,
	.class_name = Q_CLASS("RemoveMessage"),
	.exec = cmd_remove_message_exec,
	.description = "Removes a message, sending its sender a non-delivery "
	    "report unless -WithNDR $false.  Asks for confirmation unless "
	    "-Confirm:$false is given."
};

static const struct q_action q_retry_queue = { "retry-queue", "Retrying" };
static const struct q_action q_suspend_queue = {
	"suspend-queue", "Suspending"
};
static const struct q_action q_resume_queue = { "resume-queue", "Resuming" };
static const struct q_action q_suspend_message = {
	"suspend-message", "Suspending"
};
static const struct q_action q_resume_message = {
	"resume-message", "Resuming"
};
static const struct q_action q_remove_message = {
	"remove-message", "Removing"
};

/* A non-terminating or statement error; the reason is the fqid base. */
static void
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
static void
q_not_found(struct cmd_ctx *ctx, const char *what)
{
	q_error(ctx, ERR_NONTERMINATING, "NotSpecified",
	    "ManagementObjectNotFoundException", Q_MSG_NOTFOUND, what,
	    q_server(ctx));
}

/*
 * Parameter sets: names is a NULL-separated list of groups ending in two
 * NULLs, each group the parameters of one set; parameters from two sets
 * are PowerShell's AmbiguousParameterSet error.  A parameter in no group
 * belongs to every set.
 */
static int
q_sets(struct cmd_ctx *ctx, const char *const *names)
{
	int	set = -1, cur = 0;

	for (; names[0] != NULL || names[1] != NULL; names++) {
		if (*names == NULL) {
			cur++;
			continue;
		}
		if (!bound_has(ctx->args, *names))
			continue;
		if (set != -1 && set != cur) {
			cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
			    "ParameterBindingException",
			    "AmbiguousParameterSet", Q_MSG_SETS);
			return (-1);
		}
		set = cur;
	}
	return (0);
}

/*
 * The mandatory parameter of the set in use: either one of a and b (b
 * may be NULL), else the first is reported missing.  Pipeline input
 * stands for -Identity.
 */
static int
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

/* The local server's name: --server, else the store's. */
static const char *
q_server(struct cmd_ctx *ctx)
{
	struct store	*st;

	if (ctx->sh->server_name != NULL)
		return (ctx->sh->server_name);
	if (shell_store(ctx->sh, &st) != 0)
		return ("localhost");
	return (store_server_name(st));
}

/* Is the len bytes of name the local server (its short name)? */
static bool
q_is_local(struct cmd_ctx *ctx, const char *name, size_t len)
{
	const char	*me = q_server(ctx);
	size_t		 n;

	if (len == 9 && strncasecmp(name, "localhost", 9) == 0)
		return (true);
	n = strcspn(me, ".");
	if (len == n && strncasecmp(name, me, n) == 0)
		return (true);
	/* An FQDN whose first label is the server. */
	return (len > n && name[n] == '.' && strncasecmp(name, me, n) == 0);
}

/* -Server, if given, must be this server. */
static int
q_check_server(struct cmd_ctx *ctx)
{
	struct value	*v;
	char		*s;
	int		 r = 0;

	if ((v = bound_get(ctx->args, "Server")) == NULL || v->type == V_NULL)
		return (0);
	s = value_to_string(v);
	if (!q_is_local(ctx, s, strlen(s))) {
		q_not_found(ctx, s);
		r = -1;
	}
	free(s);
	return (r);
}

/* The binder's conversion error, for an identity that cannot parse. */
static void
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
static int
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
	if (queue != s && !q_is_local(ctx, s, slash - s)) {
		q_not_found(ctx, s);
		return (-1);
	}
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

static void
q_qid_clear(struct q_qid *q)
{
	free(q->label);
	free(q->queue);
	memset(q, 0, sizeof *q);
}

/* [SERVER\]QUEUE\ID, QUEUE possibly "*".  0 parsed; -1 after an error. */
static int
q_parse_mid(struct cmd_ctx *ctx, const char *s, struct q_mid *m)
{
	const char	*p[3], *cur = s;
	size_t		 n = 0, len[3];

	memset(m, 0, sizeof *m);
	for (;;) {
		p[n] = cur;
		len[n] = strcspn(cur, "\\");
		cur += len[n++];
		if (*cur == '\0' || n == 3)
			break;
		cur++;
	}
	if (*cur != '\0' || n < 2 || len[n - 2] == 0 ||
	    (n == 3 && len[0] == 0) || !q_is_number(p[n - 1])) {
		q_bad_identity(ctx, "Identity", s, TN_MESSAGEID, Q_MSG_MSGID);
		return (-1);
	}
	if (n == 3 && !q_is_local(ctx, p[0], len[0])) {
		q_not_found(ctx, s);
		return (-1);
	}
	m->id = xstrdup(p[n - 1]);
	if (len[n - 2] != 1 || *p[n - 2] != '*')
		m->queue = xstrndup(p[n - 2], len[n - 2]);
	m->label = xprintf("%s\\%s\\%s", q_server(ctx), m->queue != NULL ?
	    m->queue : "*", m->id);
	return (0);
}

static void
q_mid_clear(struct q_mid *m)
{
	free(m->label);
	free(m->queue);
	free(m->id);
	memset(m, 0, sizeof *m);
}

/* Only decimal digits, at least one. */
static bool
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
static const char *
q_last_part(const char *s)
{
	const char	*p = strrchr(s, '\\');

	return (p != NULL ? p + 1 : s);
}

/* Of SERVER\QUEUE\ID, QUEUE (caller frees); "" when there is none. */
static char *
q_middle_part(const char *s)
{
	const char	*a, *b;

	if ((a = strchr(s, '\\')) == NULL || (b = strrchr(s, '\\')) == a)
		return (xstrdup(""));
	return (xstrndup(a + 1, b - a - 1));
}

/*
 * Identities in Exchange's order: part by part, numbers before names and
 * by value, names without case.
 */
static int
q_identity_cmp(const char *a, const char *b)
{
	size_t		 la, lb;
	int		 c;
	bool		 na, nb;

	for (;;) {
		la = strcspn(a, "\\");
		lb = strcspn(b, "\\");
		na = la > 0 && strspn(a, "0123456789") == la;
		nb = lb > 0 && strspn(b, "0123456789") == lb;
		if (na != nb)
			return (na ? -1 : 1);
		if (na) {
			while (la > 1 && *a == '0') {
				a++;
				la--;
			}
			while (lb > 1 && *b == '0') {
				b++;
				lb--;
			}
			if (la != lb)
				return (la < lb ? -1 : 1);
			if ((c = strncmp(a, b, la)) != 0)
				return (c);
		} else {
			c = strncasecmp(a, b, la < lb ? la : lb);
			if (c != 0)
				return (c);
			if (la != lb)
				return (la < lb ? -1 : 1);
		}
		a += la;
		b += lb;
		if (*a == '\0' || *b == '\0')
			return (*a == *b ? 0 : *a == '\0' ? -1 : 1);
		a++;
		b++;
	}
}

/* The identity text of one input or argument, or NULL to skip it. */
static char *
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
static char **
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

static void
q_strings_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static const struct q_field *
q_field_find(const struct q_field *f, const char *name)
{
	for (; f->name != NULL; f++) {
		if (strcasecmp(f->name, name) == 0)
			return (f);
	}
	return (NULL);
}

/* "A, B, C" (caller frees). */
static char *
q_field_names(const struct q_field *f)
{
	struct buf	b;

	buf_init(&b);
	for (; f->name != NULL; f++)
		buf_addf(&b, "%s%s", b.len > 0 ? ", " : "", f->name);
	return (buf_detach(&b));
}

/*
 * The filter's tokens: parentheses, quoted strings ('' and "" double the
 * quote), -operators (and "!" for -not), and words running to a blank or
 * a parenthesis.
 */
static void
qf_next(struct qf_parser *p)
{
	const char	*s = p->s;
	struct buf	 b;
	char		 q;
	size_t		 i;

	free(p->tok.text);
	p->tok.text = NULL;
	while (s[p->pos] != '\0' && isspace((unsigned char)s[p->pos]))
		p->pos++;
	i = p->tok.start = p->pos;
	switch (s[i]) {
	case '\0':
		p->tok.type = QT_END;
		return;
	case '(':
	case ')':
		p->tok.type = s[i] == '(' ? QT_LPAREN : QT_RPAREN;
		p->pos++;
		return;
	case '!':
		p->tok.type = QT_OP;
		p->tok.text = xstrdup("not");
		p->pos++;
		return;
	case '\'':
	case '"':
		q = s[i++];
		buf_init(&b);
		for (;;) {
			if (s[i] == '\0') {
				buf_free(&b);
				p->tok.type = QT_BAD;
				p->pos = i;
				return;
			}
			if (s[i] == q && s[i + 1] == q) {
				buf_addc(&b, q);
				i += 2;
			} else if (s[i] == q) {
				i++;
				break;
			} else
				buf_addc(&b, s[i++]);
		}
		p->tok.type = QT_STRING;
		p->tok.text = buf_detach(&b);
		p->pos = i;
		return;
	}
	if (s[i] == '-' && isalpha((unsigned char)s[i + 1])) {
		for (i++; isalpha((unsigned char)s[i]); i++)
			/* nothing */;
		p->tok.type = QT_OP;
		p->tok.text = xstrndup(s + p->pos + 1, i - p->pos - 1);
		p->pos = i;
		return;
	}
	while (s[i] != '\0' && !isspace((unsigned char)s[i]) &&
	    s[i] != '(' && s[i] != ')')
		i++;
	p->tok.type = QT_WORD;
	p->tok.text = xstrndup(s + p->pos, i - p->pos);
	p->pos = i;
}

/* Fail with Exchange's syntax error at byte offset at. */
static void
qf_syntax(struct qf_parser *p, size_t at)
{
	if (p->error != NULL)
		return;
	xasprintf(&p->error, Q_MSG_SYNTAX, p->s, at + 1);
	p->reason = "ParsingException";
}

static struct qf_node *
qf_new(enum qf_type type, struct qf_node *l, struct qf_node *r)
{
	struct qf_node	*n;

	n = xcalloc(1, sizeof *n);
	n->type = type;
	n->l = l;
	n->r = r;
	return (n);
}

static void
qf_free(struct qf_node *n)
{
	if (n == NULL)
		return;
	qf_free(n->l);
	qf_free(n->r);
	value_unref(n->lit);
	free(n);
}

/*
 * The current token as a value of the field's type: $null, $true and
 * $false as themselves, numbers, dates (local time), sizes ("10MB") and
 * enumeration names (any case, unique prefix) checked.  For -like and
 * -notlike the text stays a pattern.
 */
static struct value *
qf_literal(struct qf_parser *p, const struct q_field *f, enum qf_op op)
{
	const char	*s = p->tok.text;
	char		*end, *inner = NULL;
	int64_t		 n;
	double		 d;
	int		 k;

	if (p->tok.type == QT_WORD && strcasecmp(s, "$null") == 0)
		return (value_null());
	if (p->tok.type == QT_WORD && (strcasecmp(s, "$true") == 0 ||
	    strcasecmp(s, "$false") == 0))
		return (value_bool(s[1] == 't' || s[1] == 'T'));
	if (op == QO_LIKE || op == QO_NOTLIKE)
		return (value_string(s));
	switch (f->kind) {
	case QK_INT:
		errno = 0;
		n = strtoll(s, &end, 10);
		if (*s != '\0' && *end == '\0' && errno == 0)
			return (value_int(n));
		inner = xstrdup("Input string was not in a correct format.");
		break;
	case QK_NUMBER:
		d = strtod(s, &end);
		if (*s != '\0' && *end == '\0')
			return (value_double(d));
		inner = xstrdup("Input string was not in a correct format.");
		break;
	case QK_DATE:
		if (bind_date_parse(s, &n) == 0)
			return (value_date(n));
		inner = xstrdup("String was not recognized as a valid "
		    "DateTime.");
		break;
	case QK_SIZE:
		if (q_size_parse(s, &n) == 0)
			return (value_int(n));
		inner = xprintf("\"%s\" isn't a valid size. Valid values are "
		    "a number, optionally followed by B, KB, MB, GB or TB.", s);
		break;
	case QK_ENUM:
		if ((k = choice_match(f->choices, s, &inner,
		    f->type_name)) >= 0)
			return (value_string(f->choices[k]));
		break;
	default:
		return (value_string(s));
	}
	xasprintf(&p->error, Q_MSG_VALUE, s, f->name, f->type_name, inner);
	p->reason = "ParsingException";
	free(inner);
	return (NULL);
}

/* Property -op value. */
static struct qf_node *
qf_compare(struct qf_parser *p)
{
	static const char *const ops[] = {
		"eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", NULL
	};
	const struct q_field	*f;
	struct qf_node		*n;
	char			*names;
	int			 op;

	if (p->tok.type != QT_WORD) {
		qf_syntax(p, p->tok.start);
		return (NULL);
	}
	if ((f = q_field_find(p->fields, p->tok.text)) == NULL) {
		names = q_field_names(p->fields);
		xasprintf(&p->error, Q_MSG_PROPERTY, p->tok.text, names);
		p->reason = "ParsingNonFilterablePropertyException";
		free(names);
		return (NULL);
	}
	qf_next(p);
	for (op = 0; p->tok.type == QT_OP && ops[op] != NULL; op++) {
		if (strcasecmp(ops[op], p->tok.text) == 0)
			break;
	}
	if (p->tok.type != QT_OP || ops[op] == NULL) {
		qf_syntax(p, p->tok.start);
		return (NULL);
	}
	qf_next(p);
	if (p->tok.type != QT_WORD && p->tok.type != QT_STRING) {
		qf_syntax(p, p->tok.start);
		return (NULL);
	}
	n = qf_new(QF_CMP, NULL, NULL);
	n->field = f;
	n->op = op;
	if ((n->lit = qf_literal(p, f, op)) == NULL) {
		qf_free(n);
		return (NULL);
	}
	qf_next(p);
	return (n);
}

/* -not X, (X), or a comparison. */
static struct qf_node *
qf_unary(struct qf_parser *p)
{
	struct qf_node	*n;

	if (p->tok.type == QT_OP && strcasecmp(p->tok.text, "not") == 0) {
		qf_next(p);
		if ((n = qf_unary(p)) == NULL)
			return (NULL);
		return (qf_new(QF_NOT, n, NULL));
	}
	if (p->tok.type != QT_LPAREN)
		return (qf_compare(p));
	qf_next(p);
	if ((n = qf_or(p)) == NULL)
		return (NULL);
	if (p->tok.type != QT_RPAREN) {
		qf_syntax(p, p->tok.start);
		qf_free(n);
		return (NULL);
	}
	qf_next(p);
	return (n);
}

static struct qf_node *
qf_and(struct qf_parser *p)
{
	struct qf_node	*l, *r;

	if ((l = qf_unary(p)) == NULL)
		return (NULL);
	while (p->tok.type == QT_OP && strcasecmp(p->tok.text, "and") == 0) {
		qf_next(p);
		if ((r = qf_unary(p)) == NULL) {
			qf_free(l);
			return (NULL);
		}
		l = qf_new(QF_AND, l, r);
	}
	return (l);
}

static struct qf_node *
qf_or(struct qf_parser *p)
{
	struct qf_node	*l, *r;

	if ((l = qf_and(p)) == NULL)
		return (NULL);
	while (p->tok.type == QT_OP && strcasecmp(p->tok.text, "or") == 0) {
		qf_next(p);
		if ((r = qf_and(p)) == NULL) {
			qf_free(l);
			return (NULL);
		}
		l = qf_new(QF_OR, l, r);
	}
	return (l);
}

/*
 * Parse an OPATH filter over fields:
 *
 *	or	= and { "-or" and }
 *	and	= unary { "-and" unary }
 *	unary	= ("-not" | "!") unary | "(" or ")" | Property op value
 *	op	= -eq -ne -gt -ge -lt -le -like -notlike
 *
 * 0 with *out, or -1 after writing the error.
 */
static int
qf_parse(struct cmd_ctx *ctx, const char *text, const struct q_field *fields,
    struct qf_node **out)
{
	struct qf_parser	 p;
	struct qf_node		*n;

	memset(&p, 0, sizeof p);
	p.s = text;
	p.fields = fields;
	qf_next(&p);
	if ((n = qf_or(&p)) != NULL && p.tok.type != QT_END) {
		qf_syntax(&p, p.tok.start);
		qf_free(n);
		n = NULL;
	}
	free(p.tok.text);
	if (n == NULL) {
		if (p.error == NULL)
			qf_syntax(&p, p.tok.start);
		q_error(ctx, ERR_NONTERMINATING, "InvalidArgument", p.reason,
		    "%s", p.error);
		free(p.error);
		return (-1);
	}
	*out = n;
	return (0);
}

/*
 * A size in a filter, in bytes exactly: a number and an optional unit
 * B, KB, MB, GB or TB (powers of 1024).  0, or -1 when it is none.
 */
static int
q_size_parse(const char *s, int64_t *bytes)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	char	*end;
	double	 v, mul = 1;
	size_t	 i;

	v = strtod(s, &end);
	if (end == s || v < 0 || !isdigit((unsigned char)*s))
		return (-1);
	while (*end == ' ')
		end++;
	if (*end != '\0') {
		for (i = 0; i < 5 && strcasecmp(end, units[i]) != 0; i++)
			mul *= 1024;
		if (i == 5)
			return (-1);
	}
	v *= mul;
	if (v >= 9223372036854774784.0)
		return (-1);
	*bytes = (int64_t)v;
	return (0);
}

/* The bytes of a size text "4.5 KB (4,608 bytes)"; -1 for none. */
static int64_t
q_size_bytes(const struct value *v)
{
	const char	*p;
	int64_t		 n = 0;

	if (v->type == V_INT)
		return (v->u.i);
	if (v->type != V_STRING || (p = strchr(v->u.s, '(')) == NULL)
		return (-1);
	for (p++; isdigit((unsigned char)*p) || *p == ','; p++) {
		if (*p != ',')
			n = n * 10 + (*p - '0');
	}
	return (n);
}

/*
 * Order a property value against another of the same property (or a
 * literal): <0, 0, >0; *ok false when they cannot be ordered.
 */
static int
q_order(const struct q_field *f, struct value *a, struct value *b, bool *ok)
{
	char	*x, *y;
	int64_t	 i, j;
	int	 c;

	*ok = true;
	if (a->type == V_NULL || b->type == V_NULL)
		return (a->type == b->type ? 0 : a->type == V_NULL ? -1 : 1);
	switch (f->kind) {
	case QK_SIZE:
		i = q_size_bytes(a);
		j = q_size_bytes(b);
		return (i < j ? -1 : i > j);
	case QK_IDENTITY:
	case QK_STRING:
	case QK_ENUM:
		x = value_to_string(a);
		y = value_to_string(b);
		c = f->kind == QK_IDENTITY ? q_identity_cmp(x, y) :
		    strcasecmp_utf8(x, y);
		free(x);
		free(y);
		return (c);
	default:
		return (value_compare(a, b, false, ok));
	}
}

/* One comparison against one value (an element of a list property). */
static bool
qf_match_one(const struct qf_node *n, struct value *v)
{
	char	*s;
	bool	 ok, r;
	int	 c;

	if (n->op == QO_LIKE || n->op == QO_NOTLIKE) {
		if (v->type == V_NULL)
			return (n->op == QO_NOTLIKE);
		s = value_to_string(v);
		r = wildcard_match(n->lit->u.s, s, false);
		free(s);
		return (n->op == QO_LIKE ? r : !r);
	}
	c = q_order(n->field, v, n->lit, &ok);
	if (!ok)
		return (n->op == QO_NE);
	if ((v->type == V_NULL || n->lit->type == V_NULL) &&
	    n->op != QO_EQ && n->op != QO_NE)
		return (false);
	switch (n->op) {
	case QO_EQ:
		return (c == 0);
	case QO_NE:
		return (c != 0);
	case QO_GT:
		return (c > 0);
	case QO_GE:
		return (c >= 0);
	case QO_LT:
		return (c < 0);
	default:
		return (c <= 0);
	}
}

/*
 * Does obj pass the filter?  A list property (Recipients) matches when
 * one of its elements does; -ne and -notlike when none is equal or like.
 */
static bool
qf_match(const struct qf_node *n, const struct value *obj)
{
	struct value	*v, *null;
	size_t		 i;
	bool		 neg, any = false;

	switch (n->type) {
	case QF_AND:
		return (qf_match(n->l, obj) && qf_match(n->r, obj));
	case QF_OR:
		return (qf_match(n->l, obj) || qf_match(n->r, obj));
	case QF_NOT:
		return (!qf_match(n->l, obj));
	case QF_CMP:
		break;
	}
	if ((v = object_get(obj, n->field->name)) == NULL || v->type ==
	    V_NULL) {
		null = value_null();
		any = qf_match_one(n, null);
		value_unref(null);
		return (any);
	}
	if (v->type != V_ARRAY)
		return (qf_match_one(n, v));
	neg = n->op == QO_NE || n->op == QO_NOTLIKE;
	for (i = 0; i < v->u.arr.n && !any; i++)
		any = qf_match_one(n, v->u.arr.v[i]) != neg;
	return (any != neg);
}

/*
 * -SortOrder: entries "+Name" (ascending) or "-Name" (descending), the
 * sign optional, several per argument separated by commas.
 */
static int
q_sort_parse(struct cmd_ctx *ctx, struct q_query *q)
{
	struct value		*v;
	const struct q_field	*f;
	char			*s, *copy, *tok, *next, *names;
	size_t			 i;
	bool			 desc;

	if ((v = bound_get(ctx->args, "SortOrder")) == NULL)
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
			if ((f = q_field_find(q->noun->fields, tok)) == NULL) {
				names = q_field_names(q->noun->fields);
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
	const struct q_field	*id;
	struct value		*x, *y, *null;
	size_t			 i;
	bool			 ok;
	int			 c = 0;

	null = value_null();
	for (i = 0; i < q->nkeys && c == 0; i++) {
		x = object_get(a, q->keys[i].field->name);
		y = object_get(b, q->keys[i].field->name);
		c = q_order(q->keys[i].field, x != NULL ? x : null,
		    y != NULL ? y : null, &ok);
		if (q->keys[i].desc)
			c = -c;
	}
	if (c == 0) {
		id = q_field_find(q->noun->fields, "Identity");
		x = object_get(a, "Identity");
		y = object_get(b, "Identity");
		c = q_order(id, x != NULL ? x : null, y != NULL ? y : null,
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
static int
q_query_init(struct cmd_ctx *ctx, const struct q_noun *noun,
    struct q_query *q)
{
	struct value	*v;
	char		*s;
	int		 r;

	memset(q, 0, sizeof *q);
	q->noun = noun;
	q->limit = Q_RESULT_SIZE;
	q->rcpt = bound_switch(ctx->args, "IncludeRecipientInfo");
	if ((v = bound_get(ctx->args, "ResultSize")) != NULL) {
		q->limit_given = true;
		q->limit = v->type == V_INT ? v->u.i : -1;
	}
	if ((v = bound_get(ctx->args, "Include")) != NULL &&
	    v->type == V_STRING)
		q->include = xstrdup(v->u.s);
	if ((v = bound_get(ctx->args, "Exclude")) != NULL &&
	    v->type == V_STRING)
		q->exclude = xstrdup(v->u.s);
	if (q_sort_parse(ctx, q) != 0)
		return (-1);
	if ((v = bound_get(ctx->args, "Filter")) != NULL &&
	    v->type != V_NULL) {
		s = value_to_string(v);
		r = qf_parse(ctx, s, noun->fields, &q->filter);
		free(s);
		if (r != 0)
			return (-1);
	}
	return (0);
}

static void
q_query_clear(struct q_query *q)
{
	qf_free(q->filter);
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
static bool
q_selected(const struct q_query *q, struct value *obj)
{
	if (q->include != NULL && !q_included(q->include, obj))
		return (false);
	if (q->exclude != NULL && q_included(q->exclude, obj))
		return (false);
	return (q->filter == NULL || qf_match(q->filter, obj));
}

/*
 * Sort the selected objects of list, write the first -ResultSize of
 * them, and warn as Exchange does when some were left out.
 */
static void
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
static struct value *
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
static struct value *
q_str(const struct ctl_rec *r, const char *name)
{
	const char	*s = ctl_get(r, name);

	return (s != NULL ? value_string(s) : value_null());
}

/* A count: 0 when absent. */
static struct value *
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
static struct value *
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
static void
q_object_tail(struct value *v, const struct ctl_rec *r)
{
	const char	*id = ctl_get(r, "Identity");

	object_add_const(v, "Identity", q_str(r, "Identity"));
	object_add_const(v, "IsValid", value_bool(true));
	object_add_const(v, "ObjectState", value_string("New"));
	v->u.obj->text = xstrdup(id != NULL ? id : "");
}

/* The Get-Queue object of one get-queue record (section 7.1). */
static struct value *
q_queue_object(const struct ctl_rec *r, __attribute__((unused)) bool rcpt)
{
	struct value	*v, *a;
	const char	*type, *cat;

	v = value_object(Q_TYPE_QUEUE, &q_queue_view);
	object_reserve(v, 28);
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
	q_object_tail(v, r);
	return (v);
}

/*
 * The Get-Message object of one get-message record (section 7.2).
 * Recipients is filled only with -IncludeRecipientInfo, as Exchange's.
 */
static struct value *
q_message_object(const struct ctl_rec *r, bool rcpt)
{
	struct value	*v, *a;
	const char	*s;
	size_t		 i;
	int64_t		 received;

	v = value_object(Q_TYPE_MESSAGE, &q_message_view);
	object_reserve(v, 24);
	object_add_const(v, "RunspaceId", value_string(shell_runspace_id()));
	object_add_const(v, "FromAddress", q_str(r, "FromAddress"));
	object_add_const(v, "Status", q_str(r, "Status"));
	object_add_const(v, "Size", ctl_get(r, "Size") != NULL ?
	    value_string_take(ex_size_format(ctl_get_int(r, "Size", 0))) :
	    value_null());
	object_add_const(v, "SCL", value_int(ctl_get_int(r, "SCL", -1)));
	object_add_const(v, "Subject", q_str(r, "Subject"));
	object_add_const(v, "DateReceived", q_date(r, "DateReceived"));
	object_add_const(v, "ExpirationTime", q_date(r, "ExpirationTime"));
	object_add_const(v, "LastError", q_str(r, "LastError"));
	object_add_const(v, "Queue", q_str(r, "Queue"));
	a = value_array();
	for (i = 0; rcpt && (s = ctl_get_nth(r, "Recipients", i)) != NULL;
	    i++)
		value_array_push(a, value_string(s));
	object_add_const(v, "Recipients", a);
	object_add_const(v, "RetryCount", q_int(r, "RetryCount"));
	object_add_const(v, "SourceIP", q_str(r, "SourceIP"));
	object_add_const(v, "MessageSourceName",
	    q_str(r, "MessageSourceName"));
	object_add_const(v, "InternetMessageId",
	    q_str(r, "InternetMessageId"));
	object_add_const(v, "DeferReason", value_string("None"));
	object_add_const(v, "Directionality", ctl_get(r, "Directionality") !=
	    NULL ? q_str(r, "Directionality") : value_string("Undefined"));
	object_add_const(v, "Priority", value_string("Normal"));
	/* How long the message has been with the server. */
	if ((received = ctl_get_int(r, "DateReceived", -1)) >= 0)
		object_add_const(v, "MessageLatency", value_string_take(
		    ex_timespan_format(time(NULL) - received / 1000)));
	else
		object_add_const(v, "MessageLatency", value_null());
	object_add_const(v, "OriginalFromAddress", q_str(r, "FromAddress"));
	q_object_tail(v, r);
	return (v);
}

/*
 * Does a queue object match the queue part of an identity: "*" all, a
 * number its number, a name the persistent queue of that name or the
 * next-hop domain; wildcards allowed.
 */
static bool
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

/* Get-Queue. */
static int
cmd_get_queue_exec(struct cmd_ctx *ctx)
{
	static const char *const sets[] = {
		"Identity", NULL, "Filter", "Server", NULL, NULL
	};
	struct q_query	  q;
	struct q_qid	 *qids;
	struct value	 *all, *sel;
	char		**ids;
	size_t		  i, j, n, nq = 0;
	bool		  hit;
	int		  r = -1;

	if (q_sets(ctx, sets) != 0)
		return (-1);
	if (ctx->piped && ctx->ninput == 0 &&
	    !bound_has(ctx->args, "Identity"))
		return (0);
	if (q_query_init(ctx, &q_queue_noun, &q) != 0 ||
	    q_check_server(ctx) != 0) {
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
	if ((all = q_fetch(ctx, &q_queue_noun, NULL, NULL, false)) == NULL)
		goto out;
	sel = value_array();
	for (i = 0; i < all->u.arr.n; i++) {
		hit = nq == 0;
		for (j = 0; j < nq && !hit; j++)
			hit = q_queue_matches(qids[j].queue, all->u.arr.v[i]);
		if (hit && q_selected(&q, all->u.arr.v[i]))
			value_array_push(sel, value_ref(all->u.arr.v[i]));
	}
	q_emit(ctx, &q, sel);
	value_unref(sel);
	value_unref(all);
	r = 0;
out:
	for (i = 0; i < nq; i++)
		q_qid_clear(&qids[i]);
	free(qids);
	q_strings_free(ids, n);
	q_query_clear(&q);
	return (ctx->failed ? -1 : r);
}

/*
 * Messages of one queue (or of all when queue is NULL) whose number is
 * id (any when NULL) and that pass the query, appended to out.
 */
static int
q_get_messages(struct cmd_ctx *ctx, const struct q_query *q,
    const char *queue, const char *id, struct value *out)
{
	struct value	*all, *v;
	char		*s;
	size_t		 i;
	bool		 hit;

	if ((all = q_fetch(ctx, &q_message_noun, queue, id, q->rcpt)) == NULL)
		return (-1);
	for (i = 0; i < all->u.arr.n; i++) {
		hit = true;
		if (id != NULL) {
			v = object_get(all->u.arr.v[i], "Identity");
			s = v != NULL ? value_to_string(v) : xstrdup("");
			hit = strcmp(q_last_part(s), id) == 0;
			free(s);
		}
		if (hit && q_selected(q, all->u.arr.v[i]))
			value_array_push(out, value_ref(all->u.arr.v[i]));
	}
	value_unref(all);
	return (0);
}

/*
 * The messages of the queues a -Queue identity names: hubd picks one
 * queue by number or name; a wildcard is matched here against the queues.
 */
static void
q_queue_messages(struct cmd_ctx *ctx, const struct q_query *q,
    const char *queue, struct value *out)
{
	struct value	*queues;
	char		*s;
	size_t		 i;

	if (!has_wildcard(queue)) {
		q_get_messages(ctx, q, queue, NULL, out);
		return;
	}
	if ((queues = q_fetch(ctx, &q_queue_noun, NULL, NULL, false)) == NULL)
		return;
	for (i = 0; i < queues->u.arr.n && !ctx->stop; i++) {
		if (!q_queue_matches(queue, queues->u.arr.v[i]))
			continue;
		s = value_to_string(object_get(queues->u.arr.v[i],
		    "Identity"));
		q_get_messages(ctx, q, q_last_part(s), NULL, out);
		free(s);
	}
	value_unref(queues);
}

/*
 * Get-Message on one input: a queue object stands for -Queue, anything
 * else for -Identity.
 */
static int
q_message_input(struct cmd_ctx *ctx, struct value *in,
    const struct q_query *q, struct value *out)
{
	struct q_qid	 qid;
	struct q_mid	 mid;
	char		*s;
	int		 r;

	if ((s = q_input_identity(in)) == NULL)
		return (0);
	if (in->type == V_OBJECT &&
	    strcmp(in->u.obj->type_name, Q_TYPE_QUEUE) == 0) {
		if ((r = q_parse_qid(ctx, "Queue", s, &qid)) == 0)
			q_queue_messages(ctx, q, qid.queue, out);
		q_qid_clear(&qid);
	} else {
		r = q_parse_mid(ctx, s, &mid);
		if (r == 0)
			r = q_get_messages(ctx, q, mid.queue, mid.id, out);
		q_mid_clear(&mid);
	}
	free(s);
	return (r);
}

/* Get-Message. */
static int
cmd_get_message_exec(struct cmd_ctx *ctx)
{
	static const char *const sets[] = {
		"Identity", NULL, "Queue", NULL, "Filter", "Server", NULL,
		NULL
	};
	struct q_query	 q;
	struct q_qid	 qid;
	struct value	*out, *v;
	char		*s;
	size_t		 i;

	if (q_sets(ctx, sets) != 0)
		return (-1);
	if (ctx->piped && ctx->ninput == 0 &&
	    !bound_has(ctx->args, "Identity"))
		return (0);
	if (q_query_init(ctx, &q_message_noun, &q) != 0 ||
	    q_check_server(ctx) != 0) {
		q_query_clear(&q);
		return (-1);
	}
	out = value_array();
	if (ctx->ninput > 0) {
		for (i = 0; i < ctx->ninput && !ctx->stop; i++)
			q_message_input(ctx, ctx->input[i], &q, out);
	} else if ((v = bound_get(ctx->args, "Identity")) != NULL) {
		for (i = 0; i < value_count(v) && !ctx->stop; i++)
			q_message_input(ctx, value_item(v, i), &q, out);
	} else if ((v = bound_get(ctx->args, "Queue")) != NULL) {
		s = value_to_string(v);
		if (q_parse_qid(ctx, "Queue", s, &qid) == 0)
			q_queue_messages(ctx, &q, qid.queue, out);
		q_qid_clear(&qid);
		free(s);
	} else
		q_get_messages(ctx, &q, NULL, NULL, out);
	q_emit(ctx, &q, out);
	value_unref(out);
	q_query_clear(&q);
	return (ctx->failed ? -1 : 0);
}

/*
 * Send one action to hubd: op with id, and queue when not NULL; the
 * command's other arguments (Resubmit, WithNDR) are added from ctx.
 */
static void
q_send(struct cmd_ctx *ctx, const char *op, const char *id,
    const char *queue)
{
	struct ctl_rec	 req;
	struct value	*v;

	ctl_rec_init(&req);
	ctl_add(&req, "op", op);
	ctl_add(&req, "id", id);
	ctl_add(&req, "queue", queue);
	if ((v = bound_get(ctx->args, "Resubmit")) != NULL &&
	    value_truthy(v))
		ctl_add(&req, "resubmit", "1");
	if (strcmp(op, "remove-message") == 0) {
		v = bound_get(ctx->args, "WithNDR");
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
	static const char *const sets[] = {
		"Identity", NULL, "Filter", "Server", NULL, NULL
	};
	struct q_query	  q;
	struct q_qid	  qid;
	struct value	 *all, *v;
	const char	 *extra = "";
	char		**ids, *desc, *s;
	size_t		  i, n;

	if (q_sets(ctx, sets) != 0 || q_need(ctx, "Identity", "Filter") != 0)
		return (-1);
	if ((v = bound_get(ctx->args, "Resubmit")) != NULL && value_truthy(v))
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
	q_strings_free(ids, n);
	return (ctx->failed ? -1 : 0);
}

/* Suspend-, Resume- and Remove-Message. */
static int
q_message_action(struct cmd_ctx *ctx, const struct q_action *a)
{
	static const char *const sets[] = {
		"Identity", NULL, "Filter", "Server", NULL, NULL
	};
	struct q_query	  q;
	struct q_mid	  mid;
	struct value	 *all, *v;
	const char	 *extra = "";
	char		**ids, *desc, *s, *queue;
	size_t		  i, n;

	if (q_sets(ctx, sets) != 0 || q_need(ctx, "Identity", "Filter") != 0)
		return (-1);
	if ((v = bound_get(ctx->args, "WithNDR")) != NULL && !value_truthy(v))
		extra = " without a non-delivery report";
	if (ctx->piped && ctx->ninput == 0 &&
	    !bound_has(ctx->args, "Identity"))
		return (0);
	if (bound_has(ctx->args, "Filter")) {
		if (q_query_init(ctx, &q_message_noun, &q) != 0 ||
		    q_check_server(ctx) != 0) {
			q_query_clear(&q);
			return (-1);
		}
		s = value_to_string(bound_get(ctx->args, "Filter"));
		desc = xprintf("%s all messages that match the filter "
		    "\"%s\"%s.", a->verb, s, extra);
		free(s);
		if (cmd_should_process(ctx, desc) &&
		    (all = q_fetch(ctx, &q_message_noun, NULL, NULL, false)) !=
		    NULL) {
			for (i = 0; i < all->u.arr.n && !ctx->stop; i++) {
				if (!q_selected(&q, all->u.arr.v[i]))
					continue;
				v = object_get(all->u.arr.v[i], "Identity");
				s = value_to_string(v);
				queue = q_middle_part(s);
				q_send(ctx, a->op, q_last_part(s), queue);
				free(queue);
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
		if (q_parse_mid(ctx, ids[i], &mid) != 0)
			continue;
		desc = xprintf("%s message \"%s\"%s.", a->verb, mid.label,
		    extra);
		if (cmd_should_process(ctx, desc))
			q_send(ctx, a->op, mid.id, mid.queue);
		free(desc);
		q_mid_clear(&mid);
	}
	q_strings_free(ids, n);
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

static int
cmd_suspend_message_exec(struct cmd_ctx *ctx)
{
	return (q_message_action(ctx, &q_suspend_message));
}

static int
cmd_resume_message_exec(struct cmd_ctx *ctx)
{
	return (q_message_action(ctx, &q_resume_message));
}

static int
cmd_remove_message_exec(struct cmd_ctx *ctx)
{
	return (q_message_action(ctx, &q_remove_message));
}
