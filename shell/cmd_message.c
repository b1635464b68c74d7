/*
 * cmd_message.c - the message cmdlets: Get-Message, Suspend-Message,
 * Resume-Message and Remove-Message (exchange-semantics.md section 7.2).
 * hubd's requests, identities, the query and the parameter sets are the
 * queue cmdlets' (cmd_queue.c, queueviewer.h).
 *
 * A message is [SERVER\]QUEUE\NUMBER, QUEUE possibly "*" for every copy.
 * Get-Message takes queue objects from the pipeline as -Queue, anything
 * else as -Identity.
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
#include "xmalloc.h"

static int	 q_parse_mid(struct cmd_ctx *, const char *, struct q_mid *);
static void	 q_mid_clear(struct q_mid *);
static char	*q_middle_part(const char *);
static struct value *q_message_object(const struct ctl_rec *, bool);
static int	 q_get_messages(struct cmd_ctx *, const struct q_query *,
		    const char *, const char *, struct value *);
static void	 q_queue_messages(struct cmd_ctx *, const struct q_query *,
		    const char *, struct value *);
static int	 q_message_input(struct cmd_ctx *, struct value *,
		    const struct q_query *, struct value *);
static int	 cmd_get_message_exec(struct cmd_ctx *);
static int	 q_message_action(struct cmd_ctx *, const struct q_action *);
static int	 cmd_suspend_message_exec(struct cmd_ctx *);
static int	 cmd_resume_message_exec(struct cmd_ctx *);
static int	 cmd_remove_message_exec(struct cmd_ctx *);

static const struct choice q_mstatus_choices[] = {
	{ "None", 0 }, { "Active", 0 }, { "Retry", 0 }, { "Suspended", 0 },
	{ "Ready", 0 }, { "Locked", 0 }, { "PendingRemove", 0 },
	{ "PendingSuspend", 0 }, { NULL, 0 }
};
static const struct choice q_direction_choices[] = {
	{ "Undefined", 0 }, { "Incoming", 0 }, { "Originating", 0 },
	{ NULL, 0 }
};
static const struct choice q_priority_choices[] = {
	{ "Normal", 0 }, { "Low", 0 }, { "High", 0 }, { "None", 0 },
	{ NULL, 0 }
};

static const struct opath_field q_message_fields[] = {
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

static const struct q_noun q_message_noun = {
	"get-message", q_message_fields, q_message_object
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

static const struct param_entry q_get_message_params[] = {
	Q_IDENTITY(TN_MESSAGEID, "Server\\Queue\\MessageId; Queue may be * "
	    "for every copy of the message."),
	Q_PS("Queue", PT_STRING, 0, TN_QUEUEID, "Server\\Queue: the "
	    "messages of this queue.", Q_SET_QUEUE),
	Q_FILTER("OPATH filter on message properties, as \"FromAddress "
	    "-like '*@contoso.com'\"."),
	Q_SERVER,
	Q_P("IncludeRecipientInfo", PT_SWITCH, 0, NULL, "Fill in "
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
	Q_P("WithNDR", PT_BOOL, 0, NULL, "Send the sender a "
	    "non-delivery report ($true, the default)."),
	{ .name = NULL }
};

const struct cmdlet_entry cmd_get_message_entry = {
	.name = "Get-Message",
	.synopsis = "Show the messages in the queues.",
	.params = q_get_message_params,
	.flags = C_EXCHANGE,
	.class_name = Q_CLASS("GetMessageInfo"),
	.set_names = q_message_sets,
	.default_set = Q_SET_IDENTITY,
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
	.set_names = q_queue_sets,
	.default_set = Q_SET_IDENTITY,
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
	.set_names = q_queue_sets,
	.default_set = Q_SET_IDENTITY,
	.exec = cmd_resume_message_exec,
	.description = "Lets a suspended message be delivered again."
};

const struct cmdlet_entry cmd_remove_message_entry = {
	.name = "Remove-Message",
	.synopsis = "Delete a message from the queues.",
	.params = q_remove_message_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS | C_CONFIRM,
	.class_name = Q_CLASS("RemoveMessage"),
	.set_names = q_queue_sets,
	.default_set = Q_SET_IDENTITY,
	.exec = cmd_remove_message_exec,
	.description = "Removes a message, sending its sender a non-delivery "
	    "report unless -WithNDR $false.  Asks for confirmation unless "
	    "-Confirm:$false is given."
};

static const struct q_action q_suspend_message = {
	"suspend-message", "Suspending"
};
static const struct q_action q_resume_message = {
	"resume-message", "Resuming"
};
static const struct q_action q_remove_message = {
	"remove-message", "Removing"
};

/*
 * [[SERVER\]QUEUE\]ID, QUEUE possibly "*", as Exchange's MessageIdentity
 * reads it: a number alone is that message in any queue ("Resume-Message
 * 222" in the poison queue procedure).  0 parsed; -1 after an error.
 */
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
	if (*cur != '\0' || (n >= 2 && len[n - 2] == 0) ||
	    (n == 3 && len[0] == 0) || !q_is_number(p[n - 1])) {
		q_bad_identity(ctx, "Identity", s, TN_MESSAGEID, Q_MSG_MSGID);
		return (-1);
	}
	if (n == 3 && q_target(ctx, p[0], len[0], s) != 0)
		return (-1);
	if (n < 3 && q_check_server(ctx) != 0)
		return (-1);
	m->id = xstrdup(p[n - 1]);
	if (n >= 2 && (len[n - 2] != 1 || *p[n - 2] != '*'))
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
	struct q_query	 q;
	struct q_qid	 qid;
	struct value	*out, *v;
	char		*s;
	size_t		 i;

	if (ctx->piped && ctx->ninput == 0 &&
	    !bound_has(ctx->args, "Identity"))
		return (0);
	if (q_query_init(ctx, &q_message_noun, &q) != 0) {
		q_query_clear(&q);
		return (-1);
	}
	if (q_piped_servers(ctx)) {
		/* Server objects piped in: each server in turn. */
		for (i = 0; i < ctx->ninput && !ctx->stop; i++) {
			if (q_target_value(ctx, ctx->input[i]) != 0)
				continue;
			out = value_array();
			q_get_messages(ctx, &q, NULL, NULL, out);
			q_emit(ctx, &q, out);
			value_unref(out);
		}
		q_query_clear(&q);
		return (ctx->failed ? -1 : 0);
	}
	if (q_check_server(ctx) != 0) {
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

/* Suspend-, Resume- and Remove-Message. */
static int
q_message_action(struct cmd_ctx *ctx, const struct q_action *a)
{
	struct q_query	  q;
	struct q_mid	  mid;
	struct value	 *all, *v;
	const char	 *extra = "";
	char		**ids, *desc, *s, *queue;
	size_t		  i, n;

	if (q_need(ctx, "Identity", "Filter") != 0)
		return (-1);
	if ((v = bound_get_opt(ctx->args, "WithNDR")) != NULL &&
	    !value_truthy(v))
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
	strv_free(ids, n);
	return (ctx->failed ? -1 : 0);
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
