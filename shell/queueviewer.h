/*
 * queueviewer.h - what the queue cmdlets (cmd_queue.c) and the message
 * cmdlets (cmd_message.c) share: type names, messages, parameter table
 * pieces, identities, the query (-Filter, -SortOrder, -ResultSize,
 * -Include, -Exclude) and the requests to hubd.  All in cmd_queue.c.
 */
#ifndef HUBSH_QUEUEVIEWER_H
#define HUBSH_QUEUEVIEWER_H

#include "opath.h"
#include "shell.h"

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
    "Server\\Queue\\MessageId, Queue\\MessageId or MessageId, where Queue " \
    "is a queue number, a next-hop domain or *, and MessageId a number."
#define Q_MSG_SORTPROP	"\"%s\" is not a recognized sortable property. " \
    "Valid property names are: %s."
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

/* A queue or a message: what differs between the two nouns. */
struct q_noun {
	const char			*op_get;	/* "get-queue", "get-message" */
	const struct opath_field	*fields;	/* filterable, sortable */
	struct value			*(*make)(const struct ctl_rec *, bool);
};

/* One -SortOrder key. */
struct q_sortkey {
	const struct opath_field	*field;
	bool				 desc;
};

/* Everything a Get (or a -Filter action) selects with. */
struct q_query {
	const struct q_noun	*noun;
	struct opath_node	*filter;
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
	char	*server;	/* the SERVER part as given, or NULL */
};

/* A message identity taken apart. */
struct q_mid {
	char	*label;		/* SERVER\QUEUE\ID */
	char	*queue;		/* NULL for "*" */
	char	*id;
};

/* A queue or message action and its texts. */
struct q_action {
	const char	*op;		/* "suspend-queue" */
	const char	*verb;		/* "Suspending" */
};

/*
 * Parameter tables.  The queue and message cmdlets have Exchange's
 * parameter sets: Identity (the one positional parameter), Filter (with
 * Server) and, for Get-Message, Queue; the binder keeps them apart.
 */
#define Q_SET_IDENTITY	0x1
#define Q_SET_FILTER	0x2
#define Q_SET_QUEUE	0x4
extern const char *const q_message_sets[], *const q_queue_sets[];

#define Q_P(n, t, f, tn, h) \
	{ .name = n, .type = t, .flags = f, .type_name = tn, .help = h }
#define Q_PS(n, t, f, tn, h, s) \
	{ .name = n, .type = t, .flags = f, .type_name = tn, .help = h, \
	  .sets = s }
#define Q_IDENTITY(tn, h) \
	Q_PS("Identity", PT_STRING, P_POSITIONAL | P_PIPELINE | P_BYNAME, \
	    tn, h, Q_SET_IDENTITY)
#define Q_FILTER(h)	Q_PS("Filter", PT_STRING, 0, NULL, h, Q_SET_FILTER)
#define Q_SERVER \
	Q_PS("Server", PT_STRING, 0, TN_SERVERID, "The transport server; " \
	    "the local one (its control socket), or another registered one " \
	    "(its TLS control endpoint).", Q_SET_FILTER)
#define Q_RESULTSIZE \
	{ .name = "ResultSize", .type = PT_UNLIMITED, .min = 1, \
	  .max = 2147483647, .type_name = TN_RESULTSIZE, \
	  .help = "Most objects returned (default 1000), or Unlimited." }
#define Q_SORTORDER(h) \
	Q_P("SortOrder", PT_STRINGS, 0, TN_SORT, h)

extern const struct q_noun q_queue_noun;

void	 q_error(struct cmd_ctx *, enum err_kind, const char *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
void	 q_not_found(struct cmd_ctx *, const char *);
int	 q_need(struct cmd_ctx *, const char *, const char *);
const char *q_server(struct cmd_ctx *);
bool	 q_is_local(struct cmd_ctx *, const char *, size_t);
int	 q_target(struct cmd_ctx *, const char *, size_t, const char *);
int	 q_target_value(struct cmd_ctx *, struct value *);
bool	 q_is_server_object(struct value *);
bool	 q_piped_servers(struct cmd_ctx *);
int	 q_check_server(struct cmd_ctx *);
void	 q_bad_identity(struct cmd_ctx *, const char *, const char *,
		    const char *, const char *);
int	 q_parse_qid(struct cmd_ctx *, const char *, const char *,
		    struct q_qid *);
void	 q_qid_clear(struct q_qid *);
bool	 q_is_number(const char *);
const char *q_last_part(const char *);
char	*q_input_identity(struct value *);
char	**q_identities(struct cmd_ctx *, const char *, size_t *);
int	 q_query_init(struct cmd_ctx *, const struct q_noun *,
		    struct q_query *);
void	 q_query_clear(struct q_query *);
bool	 q_selected(const struct q_query *, struct value *);
void	 q_emit(struct cmd_ctx *, const struct q_query *,
		    struct value *);
struct value *q_fetch(struct cmd_ctx *, const struct q_noun *,
		    const char *, const char *, bool);
struct value *q_str(const struct ctl_rec *, const char *);
struct value *q_int(const struct ctl_rec *, const char *);
struct value *q_date(const struct ctl_rec *, const char *);
void	 q_object_tail(struct value *, const struct ctl_rec *);
bool	 q_queue_matches(const char *, struct value *);
void	 q_send(struct cmd_ctx *, const char *, const char *,
		    const char *);

/* How a control record's field becomes a property (rec_object). */
enum rec_kind {
	REC_STRING,
	REC_INT,
	REC_BOOL,	/* "True" / "False" */
	REC_DATE,	/* Unix ms */
	REC_SPAN,	/* seconds, as a TimeSpan */
	REC_LIST	/* repeated field */
};
struct rec_field {
	const char	*name;
	enum rec_kind	 kind;
};
struct value	*rec_object(const struct ctl_rec *, const struct rec_field *,
		    size_t, const char *type, const struct view *,
		    const char *text_field);

#endif
