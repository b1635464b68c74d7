/*
 * queue_ctl.c - the queue and message operations of the control channel:
 * Get-Queue, Retry-Queue, Suspend-Queue and Resume-Queue, Get-Message,
 * Suspend-Message, Resume-Message and Remove-Message (common/ctl.h
 * describes each operation and its fields).
 *
 * Queues are named as Exchange names them: "SERVER\3" for a delivery
 * queue (struct qrec, queue.c), "SERVER\Submission", "SERVER\Unreachable"
 * and "SERVER\Poison" for the others, or by NextHopDomain; messages as
 * "SERVER\QUEUE\N".  Every verb works on the queue manager's structures
 * (queue_int.h) under q->lock; a verb that writes goes through the
 * committer with the lock dropped, as the queue manager does.
 *
 * Each verb is a control_fn of control.c's table, which runs it once the
 * queues are loaded (env->queue), the message verbs one at a time.
 * Suspend and resume share a function: arg 1 suspends, 0 resumes.
 */
#include <sys/queue.h>

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "xmalloc.h"
#include "queue_int.h"

/* Which queue, for the control channel. */
enum qkind {
	QK_NONE = 0,
	QK_DELIVERY,
	QK_SUBMISSION,
	QK_UNREACHABLE,
	QK_POISON
};

struct qsel {
	enum qkind	 kind;
	struct qrec	*qr;		/* QK_DELIVERY */
};

static void	 queue_sel_name(const struct qsel *, char *, size_t);
static int	 queue_sel_find(struct queue *, const char *, struct qsel *);
static int	 queue_ctl_find(struct queue *, const struct ctl_rec *,
		    const char *, struct qsel *, char **, char **);
static void	 queue_rcpt_sel(const struct qmsg *, size_t, struct qsel *);
static bool	 queue_rcpt_in(const struct qmsg *, size_t,
		    const struct qsel *);
static struct qmsg *queue_find_msg(struct queue *, int64_t);
static void	 queue_rec_tail(struct ctl_rec *, const char *, const char *,
		    double, double);
static void	 queue_ctl_queue_rec(const struct qrec *, time_t,
		    struct buf *);
static void	 queue_ctl_fixed_rec(enum qkind, bool, int64_t, struct buf *);
static const char *queue_rcpt_status(const struct qmsg *, size_t, time_t,
		    int *);
static const char *queue_source_name(const char *);
static void	 queue_ctl_msg_rec(const struct qmsg *, const struct qsel *,
		    time_t, struct buf *);
static int	 queue_ctl_msgid(struct queue *, const struct ctl_rec *,
		    int64_t *, struct qsel *, char *, size_t, char **,
		    char **);
static void	 queue_retry_now(struct queue *, struct qrec *, time_t);
static void	 queue_resubmit(struct queue *, const struct qsel *, time_t);
static void	 queue_route_all(struct queue *);
static int	 queue_suspend_write(struct spool *, void *, char **);
static bool	 queue_msg_in(const struct qmsg *, const struct qsel *);


/* A queue's identity: "SERVER\3", "SERVER\Submission". */
static void
queue_sel_name(const struct qsel *sel, char *buf, size_t len)
{
	switch (sel->kind) {
	case QK_DELIVERY:
		snprintf(buf, len, "%s\\%" PRIu64, env->server, sel->qr->id);
		break;
	case QK_SUBMISSION:
		snprintf(buf, len, "%s\\Submission", env->server);
		break;
	case QK_UNREACHABLE:
		snprintf(buf, len, "%s\\Unreachable", env->server);
		break;
	default:
		snprintf(buf, len, "%s\\Poison", env->server);
		break;
	}
}

/*
 * The queue named by text (lock held): "[SERVER\]" then a number, a
 * persistent queue's name or a NextHopDomain.  0 found, -1 none, -2
 * several (a NextHopDomain shared by two connectors).
 */
static int
queue_sel_find(struct queue *q, const char *text, struct qsel *sel)
{
	struct qrec		*qr, *found = NULL;
	const char		*name = text, *bs;
	char			*end;
	unsigned long long	 id;
	int			 n = 0;

	memset(sel, 0, sizeof *sel);
	if ((bs = strchr(text, '\\')) != NULL) {
		if ((size_t)(bs - text) != strlen(env->server) ||
		    strncasecmp(text, env->server, bs - text) != 0)
			return (-1);
		name = bs + 1;
	}
	sel->kind = QK_DELIVERY;
	if (strcasecmp(name, "Submission") == 0)
		sel->kind = QK_SUBMISSION;
	else if (strcasecmp(name, "Unreachable") == 0)
		sel->kind = QK_UNREACHABLE;
	else if (strcasecmp(name, "Poison") == 0)
		sel->kind = QK_POISON;
	if (sel->kind != QK_DELIVERY)
		return (0);
	if (isdigit((unsigned char)*name)) {
		id = strtoull(name, &end, 10);
		TAILQ_FOREACH(qr, &q->qrecs, entry) {
			if (*end == '\0' && qr->id == id) {
				sel->qr = qr;
				return (0);
			}
		}
	}
	TAILQ_FOREACH(qr, &q->qrecs, entry) {
		if (strcasecmp(qr->next_hop, name) == 0) {
			found = qr;
			n++;
		}
	}
	sel->qr = found;
	return (n == 1 ? 0 : n == 0 ? -1 : -2);
}

/* The queue of req's field (lock held); 0, or 1 with the refusal. */
static int
queue_ctl_find(struct queue *q, const struct ctl_rec *req,
    const char *field, struct qsel *sel, char **category, char **message)
{
	const char	*text = ctl_get(req, field);
	const char	*sep;

	if (text == NULL || *text == '\0')
		return (ctl_refuse(category, message, "InvalidArgument",
		    "No queue identity was given."));
	sep = strchr(text, '\\') != NULL ? "" : "\\";
	switch (queue_sel_find(q, text, sel)) {
	case 0:
		return (0);
	case -1:
		return (ctl_refuse(category, message, "ObjectNotFound",
		    "The queue \"%s%s%s\" could not be found.",
		    *sep != '\0' ? env->server : "", sep, text));
	default:
		return (ctl_refuse(category, message, "InvalidArgument",
		    "The identity \"%s%s%s\" matches more than one queue; "
		    "use the queue's number.",
		    *sep != '\0' ? env->server : "", sep, text));
	}
}

/* Which queue recipient i of qm is in (QK_NONE: none, not queued). */
static void
queue_rcpt_sel(const struct qmsg *qm, size_t i, struct qsel *sel)
{
	memset(sel, 0, sizeof *sel);
	if (qm->m->rcpts[i].state != SPOOL_RCPT_QUEUED)
		return;
	if (qm->r[i].unreachable)
		sel->kind = QK_UNREACHABLE;
	else if (qm->r[i].qr != NULL) {
		sel->kind = QK_DELIVERY;
		sel->qr = qm->r[i].qr;
	} else
		sel->kind = QK_SUBMISSION;
}

/* Is recipient i of qm queued in sel (QK_NONE: in any queue)? */
static bool
queue_rcpt_in(const struct qmsg *qm, size_t i, const struct qsel *sel)
{
	struct qsel	rs;

	queue_rcpt_sel(qm, i, &rs);
	if (rs.kind == QK_NONE)
		return (false);
	return (sel->kind == QK_NONE ||
	    (rs.kind == sel->kind && rs.qr == sel->qr));
}

/* The message with spool id id (lock held), or NULL. */
static struct qmsg *
queue_find_msg(struct queue *q, int64_t id)
{
	struct qmsg	*qm;

	TAILQ_FOREACH(qm, &q->msgs, entry) {
		if (qm->m->id == id)
			return (qm);
	}
	return (NULL);
}

/*
 * Count what each queue holds (lock held): messages, messages waiting
 * for a retry time (DeferredMessageCount) and the earliest such time;
 * *nsub and *nunr for Submission and Unreachable.
 */
void
queue_count(struct queue *q, time_t now, int64_t *nsub, int64_t *nunr)
{
	queue_count_unr(q, now, nsub, nunr, NULL);
}

/* queue_count, and the oldest DateReceived in Unreachable (0: none). */
void
queue_count_unr(struct queue *q, time_t now, int64_t *nsub, int64_t *nunr,
    int64_t *unr_oldest)
{
	struct qmsg	*qm;
	struct qrec	*qr;
	int64_t		 next;
	size_t		 i;
	bool		 sub, unr;

	TAILQ_FOREACH(qr, &q->qrecs, entry) {
		qr->mark = qr->dmark = NULL;
		qr->count = qr->deferred = qr->wait = qr->oldest = 0;
	}
	*nsub = *nunr = 0;
	TAILQ_FOREACH(qm, &q->msgs, entry) {
		sub = unr = false;
		for (i = 0; i < qm->m->nrcpts; i++) {
			if (qm->m->rcpts[i].state != SPOOL_RCPT_QUEUED)
				continue;
			if (qm->r[i].unreachable || qm->r[i].qr == NULL) {
				unr |= qm->r[i].unreachable;
				sub |= !qm->r[i].unreachable;
				continue;
			}
			qr = qm->r[i].qr;
			if (qr->mark != qm) {
				qr->mark = qm;
				qr->count++;
				if (qr->oldest == 0 || qm->m->received <
				    qr->oldest)
					qr->oldest = qm->m->received;
			}
			next = qm->m->rcpts[i].next_attempt;
			if (qm->r[i].inflight || next <= now)
				continue;
			if (qr->dmark != qm) {
				qr->dmark = qm;
				qr->deferred++;
			}
			if (qr->wait == 0 || next < qr->wait)
				qr->wait = next;
		}
		*nsub += sub;
		*nunr += unr;
		if (unr && unr_oldest != NULL && (*unr_oldest == 0 ||
		    qm->m->received < *unr_oldest))
			*unr_oldest = qm->m->received;
	}
}

/* The fields every queue record ends with. */
static void
queue_rec_tail(struct ctl_rec *rec, const char *ident, const char *category,
    double in, double out)
{
	ctl_add_int(rec, "LockedMessageCount", 0);
	ctl_add(rec, "RiskLevel", "Normal");
	ctl_add_int(rec, "OutboundIPPool", 0);
	ctl_add(rec, "NextHopCategory", category);
	ctl_addf(rec, "IncomingRate", "%.1f", in);
	ctl_addf(rec, "OutgoingRate", "%.1f", out);
	/* Rounded as shown, so that equal rates give 0.0, never -0.0. */
	ctl_addf(rec, "Velocity", "%.1f", (double)(lround(out * 10) -
	    lround(in * 10)) / 10);
	ctl_add(rec, "QueueIdentity", ident);
	ctl_add(rec, "Server", env->server);
}

/* One delivery queue's record (lock held, after queue_count). */
static void
queue_ctl_queue_rec(const struct qrec *qr, time_t now, struct buf *out)
{
	struct ctl_rec	 rec;
	struct qsel	 sel = { QK_DELIVERY, (struct qrec *)qr };
	char		 ident[256];
	const char	*status;
	int64_t		 next = qr->next_retry;
	int		 i;

	/* The queue is retried when its first waiting recipient is due. */
	if (qr->retry_count > 0 && qr->wait != 0)
		next = qr->wait * 1000;
	if (qr->suspended)
		status = "Suspended";
	else if (qr->active > 0)
		status = "Active";
	else if (qr->connecting > 0)
		status = "Connecting";
	else if (qr->retry_count > 0 && next > (int64_t)now * 1000)
		status = "Retry";
	else
		status = "Ready";
	queue_sel_name(&sel, ident, sizeof ident);
	ctl_rec_init(&rec);
	ctl_add(&rec, "Identity", ident);
	ctl_add(&rec, "DeliveryType", qr->dns ? "DnsConnectorDelivery" :
	    "SmartHostConnectorDelivery");
	ctl_add(&rec, "NextHopDomain", qr->next_hop);
	ctl_add(&rec, "TlsDomain", qr->tls_domain);
	ctl_add(&rec, "NextHopConnector", qr->guid);
	ctl_add(&rec, "Status", status);
	ctl_add_int(&rec, "MessageCount", qr->count);
	ctl_add(&rec, "LastError", qr->last_error);
	if (qr->oldest != 0)
		ctl_add_int(&rec, "OldestMessageReceived", qr->oldest * 1000);
	if (qr->last_delivery != 0) {
		ctl_add_int(&rec, "LastDeliveryTime", qr->last_delivery);
		ctl_add(&rec, "LastDeliveryTls", qr->last_tls);
	}
	for (i = 0; i < FAIL_NCLASSES; i++) {
		if (qr->fails[i] > 0)
			ctl_addf(&rec, "ConsecutiveFailures", "%s=%d",
			    fail_class_name((enum fail_class)i), qr->fails[i]);
	}
	ctl_add_int(&rec, "RetryCount", qr->retry_count);
	if (qr->last_retry != 0)
		ctl_add_int(&rec, "LastRetryTime", qr->last_retry);
	if (qr->retry_count > 0 && next != 0)
		ctl_add_int(&rec, "NextRetryTime", next);
	if (qr->first_retry != 0)
		ctl_add_int(&rec, "FirstRetryTime", qr->first_retry);
	ctl_add_int(&rec, "DeferredMessageCount", qr->deferred);
	queue_rec_tail(&rec, ident, "External", queue_rate(&qr->in, now),
	    queue_rate(&qr->out, now));
	ctl_encode(out, &rec, false);
	ctl_rec_clear(&rec);
}

/* The Submission or Unreachable queue's record. */
static void
queue_ctl_fixed_rec(enum qkind kind, bool suspended, int64_t count,
    struct buf *out)
{
	struct ctl_rec	 rec;
	struct qsel	 sel = { kind, NULL };
	char		 ident[256];

	queue_sel_name(&sel, ident, sizeof ident);
	ctl_rec_init(&rec);
	ctl_add(&rec, "Identity", ident);
	ctl_add(&rec, "DeliveryType", kind == QK_UNREACHABLE ?
	    "Unreachable" : "Undefined");
	ctl_add(&rec, "NextHopDomain", kind == QK_UNREACHABLE ?
	    "Unreachable Domain" : "Submission");
	ctl_add(&rec, "NextHopConnector",
	    "00000000-0000-0000-0000-000000000000");
	ctl_add(&rec, "Status", suspended ? "Suspended" : "Ready");
	ctl_add_int(&rec, "MessageCount", count);
	ctl_add_int(&rec, "RetryCount", 0);
	ctl_add_int(&rec, "DeferredMessageCount", 0);
	queue_rec_tail(&rec, ident, "Internal", 0, 0);
	ctl_encode(out, &rec, false);
	ctl_rec_clear(&rec);
}

/*
 * op get-queue: every delivery queue by number, then Submission, then
 * Unreachable when it holds something or is suspended (as Exchange
 * lists them).  Poison is always empty in hubd, and so never listed.
 */
int
queue_ctl_get_queue(const struct ctl_rec *req, int arg, int fd,
    struct buf *out, char **category, char **message)
{
	struct queue	*q = env->queue;
	struct qrec	*qr;
	int64_t		 nsub, nunr;
	time_t		 now = time(NULL);

	(void)req;
	(void)arg;
	(void)fd;
	(void)category;
	(void)message;
	pthread_mutex_lock(&q->lock);
	queue_count(q, now, &nsub, &nunr);
	TAILQ_FOREACH(qr, &q->qrecs, entry)
		queue_ctl_queue_rec(qr, now, out);
	queue_ctl_fixed_rec(QK_SUBMISSION, q->submit_suspended, nsub, out);
	if (nunr > 0 || q->unreach_suspended)
		queue_ctl_fixed_rec(QK_UNREACHABLE, q->unreach_suspended,
		    nunr, out);
	pthread_mutex_unlock(&q->lock);
	return (0);
}

/*
 * The delivery queues' gauges for a scrape: messages, the oldest one's
 * age, failed connections in a row, each labelled with the queue, its
 * next hop and its connector; the Submission and Unreachable queues'
 * messages.  One pass over the messages, as Get-Queue's.
 *
 * The lock is held only to count and to copy each queue's numbers and
 * names as they are; the labels are escaped and the text made after it
 * is released.  With 10,000 queues the text is 3 MB: made under the
 * lock, it held every worker up for several milliseconds a scrape.
 */
void
queue_metrics(struct queue *q, struct buf *b)
{
	static const char *const names[] = {
		"hubsh_queue_messages", "hubsh_queue_oldest_message_age_seconds",
		"hubsh_queue_connection_retries"
	};
	static const char *const help[] = {
		"Messages in the queue.",
		"Seconds the queue's oldest message has waited (0: empty).",
		"Failed connection attempts in a row."
	};
	struct qrec	*qr;
	struct qsel	 sel = { QK_DELIVERY, NULL };
	struct buf	 raw, labels;
	char		 ident[256];
	const char	*p;
	int64_t		 nsub, nunr, v, (*vals)[3] = NULL;
	time_t		 now = time(NULL);
	size_t		 k, at, *ends, nq = 0, i, j;

	buf_init(&raw);
	pthread_mutex_lock(&q->lock);
	queue_count(q, now, &nsub, &nunr);
	TAILQ_FOREACH(qr, &q->qrecs, entry)
		nq++;
	vals = xcalloc(nq + 1, sizeof *vals);
	i = 0;
	TAILQ_FOREACH(qr, &q->qrecs, entry) {
		sel.qr = qr;
		queue_sel_name(&sel, ident, sizeof ident);
		/* Three strings, each with its NUL. */
		buf_add(&raw, ident, strlen(ident) + 1);
		buf_add(&raw, qr->next_hop, strlen(qr->next_hop) + 1);
		buf_add(&raw, qr->connector, strlen(qr->connector) + 1);
		vals[i][0] = qr->count;
		vals[i][1] = qr->oldest != 0 ? (int64_t)now - qr->oldest : 0;
		vals[i][2] = qr->retry_count;
		i++;
	}
	pthread_mutex_unlock(&q->lock);

	/* Each queue's labels, made once for the three gauges. */
	buf_init(&labels);
	ends = xcalloc(nq + 1, sizeof *ends);
	for (i = 0, p = raw.s; i < nq; i++) {
		for (j = 0; j < 3; j++) {
			buf_adds(&labels, j == 0 ? "{queue=\"" :
			    j == 1 ? "\",next_hop=\"" : "\",connector=\"");
			metrics_label(&labels, p);
			p += strlen(p) + 1;
		}
		buf_adds(&labels, "\"} ");
		ends[i] = labels.len;
	}
	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		buf_addf(b, "# HELP %s %s\n# TYPE %s gauge\n", names[k],
		    help[k], names[k]);
		for (i = at = 0; i < nq; i++) {
			v = vals[i][k];
			buf_adds(b, names[k]);
			buf_add(b, labels.s + at, ends[i] - at);
			buf_addf(b, "%lld\n", (long long)(v > 0 ? v : 0));
			at = ends[i];
		}
	}
	buf_free(&labels);
	buf_free(&raw);
	free(ends);
	free(vals);
	buf_adds(b, "# HELP hubsh_queue_held_messages Messages in the "
	    "Submission and Unreachable queues.\n"
	    "# TYPE hubsh_queue_held_messages gauge\n");
	buf_addf(b, "hubsh_queue_held_messages{queue=\"Submission\"} %lld\n"
	    "hubsh_queue_held_messages{queue=\"Unreachable\"} %lld\n",
	    (long long)nsub, (long long)nunr);
}

/* Message and recipient statuses of Get-Message, weakest first. */
static const char *const queue_status_names[] = { "Ready", "Retry",
    "Active", "Suspended", "PendingSuspend", "PendingRemove" };

/*
 * A recipient's status as Get-Message shows it; *rank is raised to it
 * (a message shows the strongest status of its recipients).
 */
static const char *
queue_rcpt_status(const struct qmsg *qm, size_t i, time_t now, int *rank)
{
	int	k;

	if (qm->r[i].remove != 0)
		k = 5;
	else if (qm->m->suspended)
		k = qm->r[i].inflight ? 4 : 3;
	else if (qm->r[i].inflight)
		k = 2;
	else if (qm->m->rcpts[i].next_attempt > now)
		k = 1;
	else
		k = 0;
	if (rank != NULL && k > *rank)
		*rank = k;
	return (queue_status_names[k]);
}

/* MessageSourceName from the spool's source. */
static const char *
queue_source_name(const char *source)
{
	if (strcmp(source, "PICKUP") == 0)
		return ("Pickup");
	if (strcmp(source, "DSN") == 0)
		return ("DSN");
	return ("SMTP");
}

/* One Get-Message record: message qm in queue sel (lock held). */
static void
queue_ctl_msg_rec(const struct qmsg *qm, const struct qsel *sel,
    time_t now, struct buf *out)
{
	const struct spool_msg	*m = qm->m;
	const struct spool_rcpt	*r;
	struct ctl_rec		 rec;
	const char		*last = NULL, *st;
	char			 qname[256];
	int			 rank = 0, retry = 0;
	size_t			 i;

	queue_sel_name(sel, qname, sizeof qname);
	for (i = 0; i < m->nrcpts; i++) {
		if (!queue_rcpt_in(qm, i, sel))
			continue;
		r = &m->rcpts[i];
		(void)queue_rcpt_status(qm, i, now, &rank);
		if (r->retry_count >= retry && r->last_error != NULL) {
			retry = r->retry_count;
			last = r->last_error;
		}
	}
	st = queue_status_names[rank];
	ctl_rec_init(&rec);
	ctl_addf(&rec, "Identity", "%s\\%lld", qname, (long long)m->id);
	ctl_add(&rec, "FromAddress", *m->sender != '\0' ? m->sender : "<>");
	ctl_add(&rec, "Status", st);
	ctl_add_int(&rec, "Size", m->size);
	ctl_add(&rec, "Subject", m->subject);
	ctl_add_int(&rec, "DateReceived", m->received * 1000);
	ctl_add_int(&rec, "ExpirationTime", (m->received +
	    env->conf->message_expiration_timeout) * 1000);
	ctl_add(&rec, "LastError", last);
	ctl_add(&rec, "Queue", qname);
	for (i = 0; i < m->nrcpts; i++) {
		if (!queue_rcpt_in(qm, i, sel))
			continue;
		r = &m->rcpts[i];
		ctl_addf(&rec, "Recipients", "%s;%s;%s", r->addr,
		    queue_rcpt_status(qm, i, now, NULL),
		    r->last_error != NULL ? r->last_error : "");
	}
	ctl_add_int(&rec, "RetryCount", retry);
	ctl_add(&rec, "SourceIP", m->client_ip);
	ctl_add(&rec, "MessageSourceName", queue_source_name(m->source));
	ctl_add(&rec, "InternetMessageId", m->message_id);
	ctl_add(&rec, "Directionality", "Originating");
	ctl_encode(out, &rec, false);
	ctl_rec_clear(&rec);
}

/*
 * The message of req's "id" ("N", "QUEUE\N" or "SERVER\QUEUE\N") and
 * the queue to look in: req's "queue", else the one in the id, else any
 * (sel->kind QK_NONE).  name gets the message's identity for errors.  0,
 * or 1 with the refusal (lock held).
 */
static int
queue_ctl_msgid(struct queue *q, const struct ctl_rec *req, int64_t *id,
    struct qsel *sel, char *name, size_t len, char **category,
    char **message)
{
	const char	*text = ctl_get(req, "id");
	const char	*qtext = ctl_get(req, "queue");
	const char	*part[3], *idstr, *qname, *p;
	char		*copy, *end, *save;
	size_t		 n = 0, slen = strlen(env->server);
	bool		 found = true;

	memset(sel, 0, sizeof *sel);
	if (text == NULL || *text == '\0')
		return (ctl_refuse(category, message, "InvalidArgument",
		    "No message identity was given."));
	copy = xstrdup(text);
	for (p = strtok_r(copy, "\\", &save); p != NULL;
	    p = strtok_r(NULL, "\\", &save)) {
		if (n < 3)
			part[n] = p;
		n++;
	}
	idstr = n > 0 ? part[n > 3 ? 2 : n - 1] : "";
	qname = NULL;
	if (n == 3) {
		qname = part[1];
		found = strcasecmp(part[0], env->server) == 0;
	} else if (n == 2 && strcasecmp(part[0], env->server) != 0)
		qname = part[0];
	found = found && n >= 1 && n <= 3;
	if (qtext != NULL && *qtext != '\0')
		qname = qtext;
	/* Shown without the server the queue may have been given with. */
	p = qname;
	if (p != NULL && strncasecmp(p, env->server, slen) == 0 &&
	    p[slen] == '\\')
		p += slen + 1;
	snprintf(name, len, "%s\\%s\\%s", env->server, p != NULL ? p : "*",
	    idstr);
	if (qname != NULL && strcmp(p, "*") != 0 &&
	    queue_sel_find(q, qname, sel) != 0)
		found = false;
	*id = strtoll(idstr, &end, 10);
	if (*idstr == '\0' || *end != '\0' || *id <= 0)
		found = false;
	free(copy);
	if (!found)
		return (ctl_refuse(category, message, "ObjectNotFound",
		    "The message \"%s\" could not be found.", name));
	return (0);
}

/*
 * op get-message: one record per message and queue it has queued
 * recipients in, of every queue or of req's "queue", of every message
 * or of req's "id".
 */
int
queue_ctl_get_message(const struct ctl_rec *req, int arg, int fd,
    struct buf *out, char **category, char **message)
{
	struct queue	*q = env->queue;
	struct qmsg	*qm;
	struct qsel	 want, *seen;
	char		 name[512];
	int64_t		 id = 0;
	time_t		 now = time(NULL);
	size_t		 i, k, n, nrec = 0;
	int		 rc = 0;

	(void)arg;
	(void)fd;
	pthread_mutex_lock(&q->lock);
	memset(&want, 0, sizeof want);
	if (ctl_get(req, "id") != NULL)
		rc = queue_ctl_msgid(q, req, &id, &want, name, sizeof name,
		    category, message);
	else if (ctl_get(req, "queue") != NULL)
		rc = queue_ctl_find(q, req, "queue", &want, category,
		    message);
	TAILQ_FOREACH(qm, &q->msgs, entry) {
		if (rc != 0)
			break;
		if (id != 0 && qm->m->id != id)
			continue;
		seen = xcalloc(qm->m->nrcpts, sizeof *seen);
		for (i = n = 0; i < qm->m->nrcpts; i++) {
			if (!queue_rcpt_in(qm, i, &want))
				continue;
			queue_rcpt_sel(qm, i, &seen[n]);
			for (k = 0; k < n && (seen[k].kind != seen[n].kind ||
			    seen[k].qr != seen[n].qr); k++)
				;
			if (k < n)
				continue;
			queue_ctl_msg_rec(qm, &seen[n++], now, out);
			nrec++;
		}
		free(seen);
	}
	pthread_mutex_unlock(&q->lock);
	if (rc == 0 && id != 0 && nrec == 0)
		rc = ctl_refuse(category, message, "ObjectNotFound",
		    "The message \"%s\" could not be found.", name);
	return (rc);
}

/*
 * Retry-Queue: the queue's recipients waiting for a retry are due now,
 * and routed at once, so a session starts (lock held).
 */
static void
queue_retry_now(struct queue *q, struct qrec *qr, time_t now)
{
	struct qmsg		*qm;
	struct spool_rcpt	*r;
	size_t			 i;
	bool			 due;

	qr->next_retry = queue_now_ms();
	TAILQ_FOREACH(qm, &q->msgs, entry) {
		due = false;
		for (i = 0; i < qm->m->nrcpts; i++) {
			r = &qm->m->rcpts[i];
			if (qm->r[i].qr != qr ||
			    r->state != SPOOL_RCPT_QUEUED ||
			    qm->r[i].inflight || r->next_attempt <= now)
				continue;
			r->next_attempt = now;
			due = true;
		}
		if (due)
			queue_route_msg(q, qm, now, false);
	}
}

/*
 * Retry-Queue -Resubmit $true: the queue's recipients are taken off it
 * and routed again with the connectors in force, as if just received
 * (lock held).  A connector change not yet routed with is taken first.
 */
static void
queue_resubmit(struct queue *q, const struct qsel *sel, time_t now)
{
	struct route_table	*rt = env_routes();
	struct qmsg		*qm;
	size_t			 i;
	bool			 fresh = false, touched;

	if (q->reroute || route_table_generation(rt) !=
	    route_table_generation(q->rt)) {
		q->reroute = false;
		queue_new_routes(q, rt);
		fresh = true;
	} else
		route_table_unref(rt);
	TAILQ_FOREACH(qm, &q->msgs, entry) {
		touched = false;
		for (i = 0; i < qm->m->nrcpts; i++) {
			if (qm->r[i].inflight || qm->r[i].remove != 0 ||
			    !queue_rcpt_in(qm, i, sel))
				continue;
			if (qm->r[i].queued)
				queue_unqueue_rcpt(q, qm, i);
			queue_rcpt_setq(qm, i, NULL);
			qm->r[i].unreachable = false;
			if (qm->m->rcpts[i].next_attempt > now)
				qm->m->rcpts[i].next_attempt = now;
			touched = true;
		}
		if (touched || fresh)
			queue_route_msg(q, qm, now, fresh);
	}
}

/*
 * op retry-queue (Exchange's rules): a delivery queue is connected to at
 * once (nothing happens to a suspended one); Unreachable only with
 * resubmit; Submission and Poison never.
 */
int
queue_ctl_retry(const struct ctl_rec *req, int arg, int fd, struct buf *out,
    char **category, char **message)
{
	struct queue	*q = env->queue;
	struct qsel	 sel;
	char		 name[256];
	bool		 resubmit = ctl_get_int(req, "resubmit", 0) != 0;
	int		 rc = 0;

	(void)arg;
	(void)fd;
	(void)out;
	pthread_mutex_lock(&q->lock);
	if (queue_ctl_find(q, req, "id", &sel, category, message) != 0) {
		pthread_mutex_unlock(&q->lock);
		return (1);
	}
	queue_sel_name(&sel, name, sizeof name);
	if (sel.kind == QK_SUBMISSION || sel.kind == QK_POISON)
		rc = ctl_refuse(category, message, "InvalidOperation",
		    "Retry-Queue can't be used on the queue \"%s\": it "
		    "applies to delivery queues, and to the Unreachable queue "
		    "with -Resubmit $true.", name);
	else if (sel.kind == QK_UNREACHABLE && !resubmit)
		rc = ctl_refuse(category, message, "InvalidOperation",
		    "The queue \"%s\" can only be retried with -Resubmit "
		    "$true.", name);
	else if (sel.kind == QK_UNREACHABLE || (resubmit &&
	    !sel.qr->suspended))
		queue_resubmit(q, &sel, time(NULL));
	else if (!sel.qr->suspended)
		queue_retry_now(q, sel.qr, time(NULL));
	pthread_cond_signal(&q->tick);
	pthread_mutex_unlock(&q->lock);
	return (rc);
}

/* Route every message again (lock held): something was released. */
static void
queue_route_all(struct queue *q)
{
	struct qmsg	*qm;
	time_t		 now = time(NULL);

	TAILQ_FOREACH(qm, &q->msgs, entry)
		queue_route_msg(q, qm, now, false);
}

/*
 * op suspend-queue / resume-queue.  A suspended delivery queue starts no
 * session and gives none new work (a session finishes the message in
 * hand); a suspended Submission queue routes nothing new; a suspended
 * Unreachable queue is not routed again on a connector change.  Poison
 * can be neither.  In memory only, like Exchange's queues.
 */
int
queue_ctl_suspend_queue(const struct ctl_rec *req, int arg, int fd,
    struct buf *out, char **category, char **message)
{
	struct queue	*q = env->queue;
	struct qsel	 sel;
	struct dest	*d;
	bool		 on = arg != 0;
	int		 k;

	(void)fd;
	(void)out;
	pthread_mutex_lock(&q->lock);
	if (queue_ctl_find(q, req, "id", &sel, category, message) != 0) {
		pthread_mutex_unlock(&q->lock);
		return (1);
	}
	switch (sel.kind) {
	case QK_POISON:
		pthread_mutex_unlock(&q->lock);
		return (ctl_refuse(category, message, "InvalidOperation",
		    "%s-Queue can't be used on the queue \"%s\\Poison\".",
		    on ? "Suspend" : "Resume", env->server));
	case QK_SUBMISSION:
		q->submit_suspended = on;
		break;
	case QK_UNREACHABLE:
		q->unreach_suspended = on;
		break;
	default:
		sel.qr->suspended = on;
		for (k = 0; k < QUEUE_BUCKETS && on; k++) {
			TAILQ_FOREACH(d, &q->buckets[k], hash) {
				if (d->qr == sel.qr)
					queue_dest_clear(q, d);
			}
		}
		break;
	}
	if (!on)
		queue_route_all(q);
	pthread_mutex_unlock(&q->lock);
	return (0);
}

/* Commit job: Suspend-Message or Resume-Message on disk. */
struct queue_suspend_job {
	int64_t		 id;
	bool		 on;
};

static int
queue_suspend_write(struct spool *sp, void *arg, char **cause)
{
	struct queue_suspend_job	*a = arg;

	return (spool_msg_suspend(sp, a->id, a->on, cause));
}

/* Has qm a recipient queued in sel (lock held)? */
static bool
queue_msg_in(const struct qmsg *qm, const struct qsel *sel)
{
	size_t	i;

	for (i = 0; i < qm->m->nrcpts; i++) {
		if (queue_rcpt_in(qm, i, sel))
			return (true);
	}
	return (false);
}

/*
 * op suspend-message / resume-message: the flag is one per message (in
 * every queue it is in), on disk first, then in memory.  A suspended
 * message is not delivered, expired or reported on; a recipient in
 * flight finishes its attempt (PendingSuspend).  Suspending a suspended
 * message, or resuming one that is not, does nothing, as in Exchange.
 */
int
queue_ctl_suspend_message(const struct ctl_rec *req, int arg, int fd,
    struct buf *out, char **category, char **message)
{
	struct queue			*q = env->queue;
	struct queue_suspend_job	 a = { 0, arg != 0 };
	struct qmsg			*qm;
	struct qsel			 sel;
	char				 name[512], *cause = NULL;
	size_t				 i;
	bool				 same = false, on = a.on;
	int				 rc = 0;

	(void)fd;
	(void)out;
	pthread_mutex_lock(&q->lock);
	if (queue_ctl_msgid(q, req, &a.id, &sel, name, sizeof name,
	    category, message) != 0) {
		pthread_mutex_unlock(&q->lock);
		return (1);
	}
	qm = queue_find_msg(q, a.id);
	if (qm == NULL || !queue_msg_in(qm, &sel))
		rc = ctl_refuse(category, message, "ObjectNotFound",
		    "The message \"%s\" could not be found.", name);
	else
		same = qm->m->suspended == on;	/* only we change it */
	pthread_mutex_unlock(&q->lock);
	if (rc != 0 || same)
		return (rc);

	if (commit_run(env->commit, queue_suspend_write, &a, &cause) != 0) {
		pthread_mutex_lock(&q->lock);
		rc = queue_find_msg(q, a.id) == NULL ?
		    ctl_refuse(category, message, "ObjectNotFound",
		    "The message \"%s\" could not be found.", name) :
		    ctl_refuse(category, message, "WriteError",
		    "The message \"%s\" could not be %s: %s", name,
		    on ? "suspended" : "resumed", cause);
		pthread_mutex_unlock(&q->lock);
		free(cause);
		return (rc);
	}
	pthread_mutex_lock(&q->lock);
	if ((qm = queue_find_msg(q, a.id)) != NULL) {
		qm->m->suspended = on;
		for (i = 0; i < qm->m->nrcpts && on; i++) {
			if (qm->r[i].queued)
				queue_unqueue_rcpt(q, qm, i);
		}
		if (!on)
			queue_route_msg(q, qm, time(NULL), false);
	}
	pthread_mutex_unlock(&q->lock);
	return (0);
}

/*
 * op remove-message: every queued recipient of the message (in req's
 * queue, or in all) fails with 550 4.3.2 QUEUE.Admin, tracked as FAIL
 * with Source ADMIN, reported to the sender when with-ndr is 1 (the
 * default, as -WithNDR $true).  A recipient in flight is PendingRemove:
 * removed when its attempt comes back without success.
 */
int
queue_ctl_remove_message(const struct ctl_rec *req, int arg, int fd,
    struct buf *out, char **category, char **message)
{
	struct queue	*q = env->queue;
	struct qmsg	*qm;
	struct qsel	 sel;
	struct spool	*sp = NULL;
	char		 name[512];
	int64_t		 id;
	bool		 with_ndr = ctl_get_int(req, "with-ndr", 1) != 0;
	bool		*pick;
	size_t		 i, n = 0;

	(void)arg;
	(void)fd;
	(void)out;
	pthread_mutex_lock(&q->lock);
	if (queue_ctl_msgid(q, req, &id, &sel, name, sizeof name,
	    category, message) != 0) {
		pthread_mutex_unlock(&q->lock);
		return (1);
	}
	if ((qm = queue_find_msg(q, id)) == NULL || !queue_msg_in(qm, &sel)) {
		pthread_mutex_unlock(&q->lock);
		return (ctl_refuse(category, message, "ObjectNotFound",
		    "The message \"%s\" could not be found.", name));
	}
	pick = xcalloc(qm->m->nrcpts, sizeof *pick);
	for (i = 0; i < qm->m->nrcpts; i++) {
		if (!queue_rcpt_in(qm, i, &sel) || qm->r[i].remove != 0)
			continue;
		if (qm->r[i].inflight)
			qm->r[i].remove = with_ndr ? QREMOVE_NDR :
			    QREMOVE_SILENT;
		else {
			pick[i] = true;
			n++;
		}
	}
	if (n > 0 && queue_admin_fail(q, qm, pick, with_ndr, &sp) < 0) {
		pthread_mutex_unlock(&q->lock);
		free(pick);
		spool_close(sp);
		return (ctl_refuse(category, message, "WriteError",
		    "The message \"%s\" could not be removed: the spool could "
		    "not be written (see hubd's log); it stays queued.", name));
	}
	pthread_mutex_unlock(&q->lock);
	free(pick);
	spool_close(sp);
	return (0);
}
