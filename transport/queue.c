/*
 * queue.c - the queue manager: messages in memory, delivery queues per
 * connector and next hop, retries, expiry and reports.
 *
 * The spool (store/spool.c) is the truth; this file keeps a view of it in
 * memory.  A message accepted by smtpd or pickup is made durable through
 * the committer (commit.c), then routed at once: each recipient domain
 * goes through route_select() to a connector, and the recipients of one
 * message for one destination (connector + next-hop domain) become one
 * job on that destination's queue.  Workers take a destination, open an
 * SMTP session (mta.c) and send its jobs, several per connection, until
 * the queue is empty or SmtpMaxMessagesPerConnection is reached.
 *
 * Every outcome is written back through the committer before memory is
 * updated: a recipient is SENT or FAILED only once that is on disk, so
 * a crash at worst repeats a delivery (at-least-once), never loses one.
 *
 * Threads and locking: one mutex (q->lock) guards every structure here.
 * A recipient being delivered is "in flight"; only the worker holding it
 * touches it, everyone else skips it.  The scheduler thread wakes every
 * second for retries, expiry, delay notices and re-routing after a
 * connector change.  Timings follow exchange-semantics 7.4.
 */
#include <sys/queue.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"

#ifndef TAILQ_FOREACH_SAFE	/* glibc's sys/queue.h lacks it */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#define QUEUE_BUCKETS		1024	/* destination hash buckets */
#define QUEUE_LINGER_MS		200	/* keep an idle session this long */
#define QUEUE_BODY_CACHE	(64 * 1024 * 1024)	/* bytes in memory */

#define NOMATCH_TEXT \
	"A matching connector cannot be found to route the external recipient"
#define TOOBIG_TEXT \
	"550 5.3.4 ROUTING.SizeLimit; message size exceeds fixed maximum " \
	"size for route"
#define EXPIRED_TEXT	"550 4.4.7 QUEUE.Expired; message expired"

struct dest;

/* Memory-only state of one recipient. */
struct qrcpt {
	bool		 inflight;	/* a worker holds it */
	bool		 unreachable;	/* no connector matched */
	bool		 queued;	/* in a job on a destination */
};

struct qmsg {
	struct spool_msg	*m;
	struct qrcpt		*r;		/* parallel to m->rcpts */
	char			*body;		/* cached, or NULL */
	size_t			 len;
	TAILQ_ENTRY(qmsg)	 entry;
};

/* Recipients of one message for one destination. */
struct qjob {
	struct qmsg		*qm;
	size_t			*idx;
	size_t			 n;
	TAILQ_ENTRY(qjob)	 entry;
};

struct dest {
	char			*key;
	struct route_table	*rt;		/* keeps sc alive */
	const struct send_connector *sc;
	char			*domain;
	TAILQ_HEAD(, qjob)	 jobs;
	size_t			 njobs;
	int			 sessions;
	int			 lingering;	/* sessions waiting for work */
	pthread_cond_t		 more;		/* work for a lingering one */
	bool			 ready;		/* on q->ready */
	TAILQ_ENTRY(dest)	 hash;
	TAILQ_ENTRY(dest)	 rentry;
};

TAILQ_HEAD(dest_list, dest);

struct queue {
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* for workers */
	pthread_cond_t		 tick;		/* for the scheduler */
	TAILQ_HEAD(, qmsg)	 msgs;
	struct dest_list	 buckets[QUEUE_BUCKETS];
	struct dest_list	 ready;
	TAILQ_HEAD(, qjob)	 failq;		/* too big for any route */
	struct route_table	*rt;		/* the snapshot routed with */
	size_t			 cached;	/* body bytes in memory */
	bool			 stopping;
	bool			 reroute;
	int			 busy;		/* workers in a session */
	pthread_t		 sched;
	pthread_t		*workers;
	int			 nworkers;
	struct spool		*reader;	/* scheduler's connection */
};

/* What a delivery attempt did to each recipient of a job. */
struct qresult {
	struct qmsg		*qm;
	const struct dest	*d;
	size_t			*idx;
	size_t			 n;
	struct mta_status	*st;		/* per recipient */
	struct spool		**sp;		/* the thread's reader */
	struct mta_tls		 tls;
	const char		*peer;		/* "ip:port" or NULL */
	bool			 notice;	/* a delay notice, no attempt */
	struct buf		 dsn;		/* a report to queue, or empty */
	struct spool_msg	*dsn_msg;
};

static void	*queue_scheduler(void *);
static void	*queue_worker(void *);
static struct qmsg *queue_qmsg_new(struct spool_msg *, char *, size_t);
static void	 queue_qmsg_free(struct queue *, struct qmsg *);
static void	 queue_route_msg(struct queue *, struct qmsg *, time_t, bool);
static void	 queue_commit_result(struct queue *, struct qresult *, time_t);
static bool	 queue_expire_due(const struct qmsg *, time_t);
static void	 queue_deadline(struct timespec *, int);
static struct dest *queue_dest(struct queue *, const struct route_choice *,
		    const char *);
static void	 queue_dest_ready(struct queue *, struct dest *);
static void	 queue_dest_free(struct dest *);
static struct dest *queue_next_dest(struct queue *);
static void	 queue_session(struct queue *, struct dest *, struct spool **);
static void	 queue_deliver(struct queue *, struct dest *,
		    struct mta_session **, struct buf *, struct spool **,
		    struct qjob *);
static void	 queue_result_init(struct qresult *, struct qjob *,
		    const struct dest *, struct mta_status *, struct spool **);
static int	 queue_body(struct qmsg *, struct spool **, char **,
		    size_t *);
static void	 queue_finish(struct queue *, struct qresult *);
static int	 queue_write_result(struct spool *, void *, char **);
static void	 queue_outcome(struct qresult *, size_t, time_t);
static void	 queue_report(struct qresult *, enum dsn_action, time_t);
static const char *queue_peer_ip(const char *, char *, size_t);
static void	 queue_track(struct spool *, struct qresult *, const char *,
		    size_t, const char *);
static void	 queue_fail_job(struct queue *, struct dest *, struct qjob *,
		    const struct mta_status *, struct spool **);
static void	 queue_timers(struct queue *, time_t);
static void	 queue_expire(struct queue *, struct qmsg *, time_t, bool);
static void	 queue_unqueue_all(struct queue *);
static bool	 queue_msg_done(const struct qmsg *);
static const char *queue_domain(const char *);
static void	 queue_protolog(const struct dest *, struct buf *);

/* ------------------------------------------------------------------ */

/* Load the spool, start the scheduler and the workers. */
int
queue_start(struct queue **qp, char **cause)
{
	struct queue		 *q;
	struct qmsg		 *qm;
	struct spool_msg	**v;
	size_t			  n, i;
	int			  k;

	*qp = NULL;
	q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->tick, NULL);
	TAILQ_INIT(&q->msgs);
	TAILQ_INIT(&q->ready);
	TAILQ_INIT(&q->failq);
	for (k = 0; k < QUEUE_BUCKETS; k++)
		TAILQ_INIT(&q->buckets[k]);
	if (spool_open(&q->reader, env->spool_path, cause) != 0 ||
	    spool_msg_load(q->reader, &v, &n, cause) != 0) {
		spool_close(q->reader);
		free(q);
		return (-1);
	}
	for (i = 0; i < n; i++) {
		qm = queue_qmsg_new(v[i], NULL, 0);	/* macro: not inline */
		TAILQ_INSERT_TAIL(&q->msgs, qm, entry);
	}
	free(v);
	log_info("queue: %zu messages waiting in the spool", n);

	q->rt = hubd_routes();
	q->reroute = true;	/* route what was loaded on the first tick */
	env->queue = q;
	pthread_create(&q->sched, NULL, queue_scheduler, q);
	q->nworkers = env->conf->workers;
	q->workers = xcalloc(q->nworkers, sizeof *q->workers);
	for (k = 0; k < q->nworkers; k++)
		pthread_create(&q->workers[k], NULL, queue_worker, q);
	*qp = q;
	return (0);
}

/* Stop: sessions finish the message in hand, then everything joins. */
void
queue_stop(struct queue *q)
{
	struct qmsg	*qm;
	struct dest	*d;
	struct qjob	*j;
	int		 k;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_broadcast(&q->work);
	pthread_cond_broadcast(&q->tick);
	pthread_mutex_unlock(&q->lock);
	for (k = 0; k < q->nworkers; k++)
		pthread_join(q->workers[k], NULL);
	pthread_join(q->sched, NULL);
	free(q->workers);

	for (k = 0; k < QUEUE_BUCKETS; k++) {
		while ((d = TAILQ_FIRST(&q->buckets[k])) != NULL) {
			TAILQ_REMOVE(&q->buckets[k], d, hash);
			while ((j = TAILQ_FIRST(&d->jobs)) != NULL) {
				TAILQ_REMOVE(&d->jobs, j, entry);
				free(j->idx);
				free(j);
			}
			queue_dest_free(d);
		}
	}
	while ((qm = TAILQ_FIRST(&q->msgs)) != NULL)
		queue_qmsg_free(q, qm);
	route_table_unref(q->rt);
	spool_close(q->reader);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->tick);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* The connector store changed: route everything waiting again. */
void
queue_reroute(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->reroute = true;
	pthread_cond_signal(&q->tick);
	pthread_mutex_unlock(&q->lock);
}

/* ------------------------------------------------------------------ */
/* Intake. */

struct queue_accept_job {
	struct spool_msg	*m;
	const char		*body;
	size_t			 len;
};

/* Commit job: the message, its body and its RECEIVE record. */
static int
queue_accept_write(struct spool *sp, void *arg, char **cause)
{
	struct queue_accept_job	*a = arg;
	struct track_event	 ev;
	struct track_rcpt	*tr;
	size_t			 i;
	int			 rc;

	if (spool_msg_insert(sp, a->m, a->body, a->len, cause) != 0)
		return (-1);
	memset(&ev, 0, sizeof ev);
	ev.timestamp_ms = (int64_t)a->m->received * 1000;
	ev.event_id = "RECEIVE";
	ev.source = strcmp(a->m->source, "PICKUP") == 0 ? "PICKUP" :
	    strcmp(a->m->source, "DSN") == 0 ? "DSN" : "SMTP";
	ev.internal_message_id = a->m->id;
	ev.message_id = a->m->message_id;
	ev.sender = a->m->sender;
	ev.message_subject = a->m->subject;
	ev.server_hostname = env->server;
	ev.client_ip = a->m->client_ip;
	ev.client_hostname = a->m->client_helo;
	ev.total_bytes = (int64_t)a->len;
	tr = xcalloc(a->m->nrcpts, sizeof *tr);
	for (i = 0; i < a->m->nrcpts; i++)
		tr[i].addr = a->m->rcpts[i].addr;
	ev.rcpts = tr;
	ev.nrcpts = a->m->nrcpts;
	rc = spool_track_add(sp, &ev, cause);
	free(tr);
	return (rc);
}

int
queue_accept(struct queue *q, struct spool_msg *m, const char *body,
    size_t len, int64_t *idp, char **cause)
{
	struct queue_accept_job	 a = { m, body, len };
	struct qmsg		*qm;
	char			*copy = NULL;

	if (commit_run(env->commit, queue_accept_write, &a, cause) != 0)
		return (-1);
	*idp = m->id;
	/* Durable now; the rest is memory and cannot fail the client. */
	pthread_mutex_lock(&q->lock);
	if (q->cached + len <= QUEUE_BODY_CACHE) {
		copy = xmalloc(len + 1);
		memcpy(copy, body, len);
		copy[len] = '\0';
		q->cached += len;
	}
	qm = queue_qmsg_new(m, copy, len);
	TAILQ_INSERT_TAIL(&q->msgs, qm, entry);
	queue_route_msg(q, qm, time(NULL), true);
	pthread_mutex_unlock(&q->lock);
	return (0);
}

static struct qmsg *
queue_qmsg_new(struct spool_msg *m, char *body, size_t len)
{
	struct qmsg	*qm;

	qm = xcalloc(1, sizeof *qm);
	qm->m = m;
	qm->r = xcalloc(m->nrcpts == 0 ? 1 : m->nrcpts, sizeof *qm->r);
	qm->body = body;
	qm->len = len;
	return (qm);
}

/* Forget a message (lock held). */
static void
queue_qmsg_free(struct queue *q, struct qmsg *qm)
{
	TAILQ_REMOVE(&q->msgs, qm, entry);
	if (qm->body != NULL)
		q->cached -= qm->len;
	free(qm->body);
	free(qm->r);
	spool_msg_free(qm->m);
	free(qm);
}

/* ------------------------------------------------------------------ */
/* Routing. */

/* The domain of an address: after the last '@'. */
static const char *
queue_domain(const char *addr)
{
	const char	*at = strrchr(addr, '@');

	return (at != NULL ? at + 1 : "");
}

/*
 * Put the message's due recipients on destination queues (lock held).
 * Recipients for the same destination share one job, so one session
 * sends the message once to all of them.
 */
static void
queue_route_msg(struct queue *q, struct qmsg *qm, time_t now,
    bool unreachable_too)
{
	struct spool_msg	*m = qm->m;
	struct route_choice	 rc;
	struct dest		*d, **dv;
	struct qjob		**jv, *j;
	enum route_status	 rs;
	size_t			 i, k;

	dv = xcalloc(m->nrcpts, sizeof *dv);
	jv = xcalloc(m->nrcpts, sizeof *jv);
	for (i = 0; i < m->nrcpts; i++) {
		if (m->rcpts[i].state != SPOOL_RCPT_QUEUED ||
		    qm->r[i].inflight || qm->r[i].queued ||
		    m->rcpts[i].next_attempt > now ||
		    (qm->r[i].unreachable && !unreachable_too))
			continue;
		rs = route_select(q->rt, queue_domain(m->rcpts[i].addr),
		    m->size, &rc);
		qm->r[i].unreachable = rs == ROUTE_NOMATCH;
		if (rs == ROUTE_NOMATCH)
			continue;
		if (rs == ROUTE_TOOBIG) {
			dv[i] = NULL;
			continue;
		}
		dv[i] = d = queue_dest(q, &rc, queue_domain(m->rcpts[i].addr));
		for (k = 0; k < i && dv[k] != d; k++)
			;
		if (k == i) {
			jv[i] = xcalloc(1, sizeof *jv[i]);
			jv[i]->qm = qm;
			jv[i]->idx = xcalloc(m->nrcpts, sizeof *jv[i]->idx);
			TAILQ_INSERT_TAIL(&d->jobs, jv[i], entry);
			d->njobs++;
			k = i;
		}
		jv[k]->idx[jv[k]->n++] = i;
		qm->r[i].queued = true;
		queue_dest_ready(q, d);
	}
	free(dv);
	free(jv);

	/* Too big for every route: fail those recipients now. */
	j = NULL;
	for (i = 0; i < m->nrcpts; i++) {
		if (m->rcpts[i].state != SPOOL_RCPT_QUEUED ||
		    qm->r[i].inflight || qm->r[i].queued ||
		    qm->r[i].unreachable || m->rcpts[i].next_attempt > now)
			continue;
		if (j == NULL) {
			j = xcalloc(1, sizeof *j);
			j->qm = qm;
			j->idx = xcalloc(m->nrcpts, sizeof *j->idx);
		}
		j->idx[j->n++] = i;
	}
	/* The scheduler fails them; callers may be iterating q->msgs. */
	if (j != NULL) {
		for (i = 0; i < j->n; i++)
			qm->r[j->idx[i]].inflight = true;
		TAILQ_INSERT_TAIL(&q->failq, j, entry);
		pthread_cond_signal(&q->tick);
	}
}

/* Find or make the destination for a route choice (lock held). */
static struct dest *
queue_dest(struct queue *q, const struct route_choice *rc,
    const char *domain)
{
	struct dest	*d;
	char		*key, *p;
	unsigned	 h = 5381;

	/* Smart-host connectors share one queue; DNS ones go per domain. */
	xasprintf(&key, "%s|%lld|%s", rc->sc->guid,
	    (long long)route_table_generation(q->rt),
	    SC_DNS_ROUTING(rc->sc) ? domain : "");
	for (p = key; *p != '\0'; p++)
		h = h * 33 + (unsigned char)tolower((unsigned char)*p);
	h %= QUEUE_BUCKETS;
	TAILQ_FOREACH(d, &q->buckets[h], hash) {
		if (strcasecmp(d->key, key) == 0) {
			free(key);
			return (d);
		}
	}
	d = xcalloc(1, sizeof *d);
	d->key = key;
	d->rt = route_table_ref(q->rt);
	d->sc = rc->sc;
	d->domain = xstrdup(domain);
	TAILQ_INIT(&d->jobs);
	pthread_cond_init(&d->more, NULL);
	TAILQ_INSERT_HEAD(&q->buckets[h], d, hash);
	return (d);
}

static void
queue_dest_free(struct dest *d)
{
	route_table_unref(d->rt);
	pthread_cond_destroy(&d->more);
	free(d->key);
	free(d->domain);
	free(d);
}

/*
 * Offer d's work (lock held): to a session of d waiting for more, which
 * sends it over its open connection; else to the workers, if d has room
 * for another session.
 */
static void
queue_dest_ready(struct queue *q, struct dest *d)
{
	if (d->lingering > 0 && d->njobs > 0) {
		pthread_cond_signal(&d->more);
		return;
	}
	if (d->ready || d->njobs == 0 ||
	    d->sessions >= env->conf->dest_concurrency)
		return;
	d->ready = true;
	TAILQ_INSERT_TAIL(&q->ready, d, rentry);
	pthread_cond_signal(&q->work);
}

/* Take the next destination with work (lock held), or NULL. */
static struct dest *
queue_next_dest(struct queue *q)
{
	struct dest	*d;

	if ((d = TAILQ_FIRST(&q->ready)) == NULL)
		return (NULL);
	TAILQ_REMOVE(&q->ready, d, rentry);
	d->ready = false;
	d->sessions++;
	/* Still more work and room: another worker may start a session. */
	if (d->njobs > 1)
		queue_dest_ready(q, d);
	return (d);
}

/* ------------------------------------------------------------------ */
/* Workers. */

static void *
queue_worker(void *arg)
{
	struct queue	*q = arg;
	struct dest	*d = NULL;
	struct spool	*sp = NULL;	/* this worker's reader */

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->stopping && (d = queue_next_dest(q)) == NULL)
			pthread_cond_wait(&q->work, &q->lock);
		if (q->stopping)
			break;
		q->busy++;
		queue_session(q, d, &sp);
		q->busy--;
		d->sessions--;
		queue_dest_ready(q, d);
	}
	pthread_mutex_unlock(&q->lock);
	spool_close(sp);
	return (NULL);
}

/* Add ms milliseconds to now as an absolute CLOCK_REALTIME time. */
static void
queue_deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/*
 * One SMTP session to d (lock held on entry and exit, dropped while
 * talking): send jobs until the queue stays empty for a moment or the
 * connector's SmtpMaxMessagesPerConnection is reached.
 */
static void
queue_session(struct queue *q, struct dest *d, struct spool **sp)
{
	struct mta_session	*s = NULL;
	struct qjob		*j;
	struct timespec		 ts;
	struct buf		 plog;	/* lives as long as the session */
	int			 max = d->sc->smtp_max_messages_per_connection;

	buf_init(&plog);
	for (;;) {
		if ((j = TAILQ_FIRST(&d->jobs)) == NULL && s != NULL &&
		    !q->stopping) {
			/* Linger: a burst often has more for this hop. */
			queue_deadline(&ts, QUEUE_LINGER_MS);
			d->lingering++;
			pthread_cond_timedwait(&d->more, &q->lock, &ts);
			d->lingering--;
			j = TAILQ_FIRST(&d->jobs);
		}
		if (j == NULL || (q->stopping && s == NULL))
			break;
		TAILQ_REMOVE(&d->jobs, j, entry);
		d->njobs--;
		queue_deliver(q, d, &s, &plog, sp, j);
		if (s == NULL && TAILQ_EMPTY(&d->jobs))
			break;
		if (s != NULL && (q->stopping ||
		    (max > 0 && mta_session_count(s) >= max))) {
			pthread_mutex_unlock(&q->lock);
			mta_close(s);
			queue_protolog(d, &plog);
			pthread_mutex_lock(&q->lock);
			s = NULL;
			if (q->stopping)
				break;
		}
	}
	if (s != NULL) {
		pthread_mutex_unlock(&q->lock);
		mta_close(s);
		queue_protolog(d, &plog);
		pthread_mutex_lock(&q->lock);
	}
	buf_free(&plog);
}

/*
 * Deliver one job over *sp, opening the session first if needed (lock
 * held on entry and exit).  A session that cannot be opened fails or
 * defers every job waiting for d, not just this one: they would meet the
 * same hosts.
 */
static void
queue_deliver(struct queue *q, struct dest *d, struct mta_session **ms,
    struct buf *plog, struct spool **sp, struct qjob *j)
{
	struct mta_dest		 md;
	struct mta_status	 st, *rst;
	struct qresult		 res;
	const char		**rcpts;
	char			*body = NULL;
	size_t			 len = 0, i;
	int			 rc;

	for (i = 0; i < j->n; i++) {
		j->qm->r[j->idx[i]].queued = false;
		j->qm->r[j->idx[i]].inflight = true;
	}
	pthread_mutex_unlock(&q->lock);

	if (*ms == NULL) {
		memset(&md, 0, sizeof md);
		md.sc = d->sc;
		md.domain = d->domain;
		if (d->sc->protocol_logging_level == SC_PROTOLOG_VERBOSE)
			md.protolog = plog;
		if (mta_open(&md, ms, &st) != 0) {
			queue_protolog(d, plog);
			pthread_mutex_lock(&q->lock);
			queue_fail_job(q, d, j, &st, sp);
			return;
		}
	}
	rcpts = xcalloc(j->n, sizeof *rcpts);
	rst = xcalloc(j->n, sizeof *rst);
	for (i = 0; i < j->n; i++)
		rcpts[i] = j->qm->m->rcpts[j->idx[i]].addr;
	rc = queue_body(j->qm, sp, &body, &len);
	if (rc != 0) {
		for (i = 0; i < j->n; i++) {
			rst[i].code = 451;
			snprintf(rst[i].text, sizeof rst[i].text,
			    "451 4.3.0 Cannot read the message from the spool");
		}
	} else if (mta_send(*ms, j->qm->m, body, len, rcpts, j->n, rst,
	    &st) != 0) {
		mta_close(*ms);
		*ms = NULL;
	}
	queue_protolog(d, plog);

	queue_result_init(&res, j, d, rst, sp);
	if (*ms != NULL) {
		res.tls = *mta_session_tls(*ms);
		res.peer = mta_session_peer(*ms);
	}
	if (body != j->qm->body)
		free(body);
	queue_finish(q, &res);
	free(rcpts);
	free(rst);
	free(j->idx);
	free(j);
	pthread_mutex_lock(&q->lock);
}

/* The outcome of job j (statuses st) as queue_finish() takes it. */
static void
queue_result_init(struct qresult *res, struct qjob *j, const struct dest *d,
    struct mta_status *st, struct spool **sp)
{
	memset(res, 0, sizeof *res);
	res->qm = j->qm;
	res->d = d;
	res->idx = j->idx;
	res->n = j->n;
	res->st = st;
	res->sp = sp;
}

/*
 * The body of a message: the cached copy, else read through the calling
 * thread's own spool connection *sp (opened on first use).
 */
static int
queue_body(struct qmsg *qm, struct spool **sp, char **body, size_t *len)
{
	char	*cause = NULL;
	int	 rc;

	if (qm->body != NULL) {
		*body = qm->body;
		*len = qm->len;
		return (0);
	}
	if (*sp == NULL && spool_open(sp, env->spool_path, &cause) != 0) {
		log_warnx("queue: %s", cause);
		free(cause);
		return (-1);
	}
	rc = spool_body_get(*sp, qm->m->id, body, len, &cause);
	if (rc != 0) {
		log_warnx("queue: message %lld: %s", (long long)qm->m->id,
		    rc < 0 ? cause : "no longer in the spool");
		free(cause);
		return (-1);
	}
	return (0);
}

/*
 * The session could not be opened, or a route failed: give every job of
 * d (or just j when d is NULL) the status st (lock held).
 */
static void
queue_fail_job(struct queue *q, struct dest *d, struct qjob *j,
    const struct mta_status *st, struct spool **sp)
{
	struct qresult		 res;
	struct mta_status	*rst;
	struct qjob		*next;
	size_t			 i;

	while (j != NULL) {
		rst = xcalloc(j->n, sizeof *rst);
		for (i = 0; i < j->n; i++) {
			rst[i] = *st;
			j->qm->r[j->idx[i]].queued = false;
			j->qm->r[j->idx[i]].inflight = true;
		}
		queue_result_init(&res, j, d, rst, sp);
		pthread_mutex_unlock(&q->lock);
		queue_finish(q, &res);
		pthread_mutex_lock(&q->lock);
		free(rst);
		free(j->idx);
		free(j);
		if (d == NULL || (next = TAILQ_FIRST(&d->jobs)) == NULL)
			break;
		TAILQ_REMOVE(&d->jobs, next, entry);
		d->njobs--;
		j = next;
	}
}

/* ------------------------------------------------------------------ */
/* Outcomes. */

/*
 * Record what happened to the job's recipients: on disk first (state,
 * tracking, reports, all in one commit), then in memory.  Called without
 * the lock; the recipients are in flight, so nobody else touches them.
 */
static void
queue_finish(struct queue *q, struct qresult *res)
{
	time_t	now = time(NULL);
	size_t	i;

	buf_init(&res->dsn);
	for (i = 0; i < res->n; i++)
		queue_outcome(res, res->idx[i], now);
	queue_report(res, DSN_FAILED, now);
	queue_commit_result(q, res, now);
}

/*
 * Write res through the committer, then release its recipients and
 * queue its report, if any (called without the lock).
 */
static void
queue_commit_result(struct queue *q, struct qresult *res, time_t now)
{
	struct qmsg	*qm = res->qm, *dqm;
	char		*cause = NULL;
	size_t		 i;
	bool		 ok = true;

	if (commit_run(env->commit, queue_write_result, res, &cause) != 0) {
		/* The spool still has the old state: memory must agree. */
		log_warnx("queue: message %lld: %s", (long long)qm->m->id,
		    cause);
		free(cause);
		for (i = 0; i < res->n; i++) {
			qm->m->rcpts[res->idx[i]].state = SPOOL_RCPT_QUEUED;
			qm->m->rcpts[res->idx[i]].next_attempt = now +
			    env->conf->transient_retry_interval;
		}
		ok = false;
	}

	pthread_mutex_lock(&q->lock);
	for (i = 0; i < res->n; i++)
		qm->r[res->idx[i]].inflight = false;
	if (queue_msg_done(qm))
		queue_qmsg_free(q, qm);
	if (ok && res->dsn_msg != NULL) {
		dqm = queue_qmsg_new(res->dsn_msg, buf_detach(&res->dsn),
		    (size_t)res->dsn_msg->size);
		q->cached += dqm->len;
		TAILQ_INSERT_TAIL(&q->msgs, dqm, entry);
		queue_route_msg(q, dqm, now, true);
	} else
		spool_msg_free(res->dsn_msg);
	pthread_mutex_unlock(&q->lock);
	buf_free(&res->dsn);
}

/* Nothing left to do for the message and nobody holds a recipient. */
static bool
queue_msg_done(const struct qmsg *qm)
{
	size_t	i;

	for (i = 0; i < qm->m->nrcpts; i++) {
		if (qm->m->rcpts[i].state == SPOOL_RCPT_QUEUED ||
		    qm->r[i].inflight)
			return (false);
	}
	return (true);
}

/*
 * Apply one recipient's status: 2xx sent, 5xx failed, 4xx retried on the
 * Exchange schedule (TransientFailureRetryCount attempts every
 * TransientFailureRetryInterval, then every
 * OutboundConnectionFailureRetryInterval) until MessageExpirationTimeout.
 */
static void
queue_outcome(struct qresult *res, size_t i, time_t now)
{
	struct spool_rcpt	*r = &res->qm->m->rcpts[i];
	const struct hubd_conf	*c = env->conf;
	const struct mta_status	*st;
	size_t			 k;
	char			*text;

	for (k = 0; res->idx[k] != i; k++)
		;
	st = &res->st[k];
	free(r->last_error);
	r->last_error = xstrdup(st->text);
	if (st->code >= 200 && st->code < 300) {
		r->state = SPOOL_RCPT_SENT;
		return;
	}
	if (st->code >= 500) {
		r->state = SPOOL_RCPT_FAILED;
		return;
	}
	r->retry_count++;
	r->next_attempt = now + (r->retry_count <= c->transient_retry_count ?
	    c->transient_retry_interval : c->outbound_retry_interval);
	if (now - res->qm->m->received >= c->message_expiration_timeout ||
	    r->next_attempt - res->qm->m->received >
	    c->message_expiration_timeout) {
		/* The next attempt would come after expiry. */
		xasprintf(&text, "%s; %s", EXPIRED_TEXT, st->text);
		free(r->last_error);
		r->last_error = text;
		r->state = SPOOL_RCPT_FAILED;
		res->st[k].code = 550;
		snprintf(res->st[k].text, sizeof res->st[k].text, "%s", text);
	}
}

/* Does the sender want a report of this kind for recipient r? */
static bool
queue_wants_report(const struct spool_msg *m, const struct spool_rcpt *r,
    enum dsn_action action)
{
	/* Never report on a report: RFC 5321 6.1, loop prevention. */
	if (*m->sender == '\0')
		return (false);
	if (r->notify == 0)
		return (true);
	if (r->notify & SPOOL_NOTIFY_NEVER)
		return (false);
	return ((r->notify & (action == DSN_DELAYED ? SPOOL_NOTIFY_DELAY :
	    SPOOL_NOTIFY_FAILURE)) != 0);
}

/* The status field of a report from an SMTP reply: "4.4.7". */
static void
queue_status_code(const char *text, char *out, size_t len)
{
	int	a, b, c;

	if (sscanf(text, "%*d %d.%d.%d", &a, &b, &c) == 3)
		snprintf(out, len, "%d.%d.%d", a, b, c);
	else
		snprintf(out, len, "%c.0.0", *text == '5' ? '5' : '4');
}

/*
 * Compose the report on the recipients of res that reached action, into
 * res->dsn and res->dsn_msg (a new message from <> to the sender).
 */
static void
queue_report(struct qresult *res, enum dsn_action action, time_t now)
{
	struct spool_msg	*m = res->qm->m, *dm;
	struct spool_rcpt	*r;
	struct dsn_rcpt		*dr;
	char			(*codes)[16], *body = NULL;
	size_t			 i, n = 0, len = 0;

	dr = xcalloc(res->n, sizeof *dr);
	codes = xcalloc(res->n, sizeof *codes);
	for (i = 0; i < res->n; i++) {
		r = &m->rcpts[res->idx[i]];
		if (action == DSN_FAILED && r->state != SPOOL_RCPT_FAILED)
			continue;
		if (!queue_wants_report(m, r, action))
			continue;
		queue_status_code(r->last_error, codes[n], sizeof codes[n]);
		dr[n].addr = r->addr;
		dr[n].orcpt = r->orcpt;
		dr[n].status = codes[n];
		dr[n].diagnostic = r->last_error;
		dr[n].remote_mta = res->peer;
		dr[n].last_attempt = now;
		if (action == DSN_DELAYED)
			dr[n].retry_until = m->received +
			    env->conf->message_expiration_timeout;
		n++;
	}
	if (n > 0 && queue_body(res->qm, res->sp, &body, &len) == 0) {
		dsn_build(&res->dsn, action, m, body, len, dr, n,
		    env->hostname, now);
		if (body != res->qm->body)
			free(body);
	}
	if (res->dsn.len > 0) {
		dm = xcalloc(1, sizeof *dm);
		dm->sender = xstrdup("");
		dm->received = now;
		dm->size = (int64_t)res->dsn.len;
		dm->source = xstrdup("DSN");
		dm->subject = xstrdup(action == DSN_DELAYED ?
		    "Delivery delayed" : "Undeliverable");
		dm->rcpts = xcalloc(1, sizeof *dm->rcpts);
		dm->rcpts[0].addr = xstrdup(m->sender);
		dm->rcpts[0].notify = SPOOL_NOTIFY_NEVER;
		dm->nrcpts = 1;
		res->dsn_msg = dm;
	}
	free(codes);
	free(dr);
}

/* Commit job: recipient states, tracking records, report, cleanup. */
static int
queue_write_result(struct spool *sp, void *arg, char **cause)
{
	struct qresult	*res = arg;
	struct spool_msg *m = res->qm->m;
	struct queue	*q = env->queue;
	size_t		 i;
	bool		 done;

	for (i = 0; i < res->n; i++) {
		if (spool_rcpt_update(sp, &m->rcpts[res->idx[i]], cause) != 0)
			return (-1);
	}
	if (!res->notice) {
		queue_track(sp, res, "SEND", SPOOL_RCPT_SENT, NULL);
		queue_track(sp, res, "FAIL", SPOOL_RCPT_FAILED, NULL);
		queue_track(sp, res, "DEFER", SPOOL_RCPT_QUEUED, NULL);
	}
	if (res->dsn_msg != NULL) {
		if (spool_msg_insert(sp, res->dsn_msg, res->dsn.s,
		    res->dsn.len, cause) != 0)
			return (-1);
		queue_track(sp, res, "DSN", SPOOL_RCPT_FAILED,
		    res->dsn_msg->rcpts[0].addr);
	}

	/* Other workers may hold other recipients: look under the lock. */
	pthread_mutex_lock(&q->lock);
	done = true;
	for (i = 0; i < m->nrcpts; i++) {
		if (m->rcpts[i].state == SPOOL_RCPT_QUEUED)
			done = false;
	}
	pthread_mutex_unlock(&q->lock);
	if (done && spool_msg_delete(sp, m->id, cause) != 0)
		return (-1);
	return (0);
}

/* The address of "ip:port" or "[ip]:port" into buf; NULL for NULL. */
static const char *
queue_peer_ip(const char *peer, char *buf, size_t len)
{
	const char	*end;
	size_t		 n;

	if (peer == NULL)
		return (NULL);
	if (*peer == '[') {
		peer++;
		end = strchr(peer, ']');
	} else
		end = strrchr(peer, ':');
	n = end != NULL ? (size_t)(end - peer) : strlen(peer);
	if (n >= len)
		n = len - 1;
	memcpy(buf, peer, n);
	buf[n] = '\0';
	return (buf);
}

/*
 * One tracking record for the recipients of res in state (or, for DSN,
 * the report's recipient).  A tracking failure is logged, not fatal.
 */
static void
queue_track(struct spool *sp, struct qresult *res, const char *event,
    size_t state, const char *dsn_to)
{
	struct spool_msg	*m = res->qm->m;
	struct track_event	 ev;
	struct track_rcpt	*tr;
	struct spool_rcpt	*r;
	char			*cause = NULL, ip[64];
	size_t			 i;

	tr = xcalloc(res->n, sizeof *tr);
	memset(&ev, 0, sizeof ev);
	for (i = 0; i < res->n && dsn_to == NULL; i++) {
		r = &m->rcpts[res->idx[i]];
		if ((size_t)r->state != state)
			continue;
		tr[ev.nrcpts].addr = r->addr;
		tr[ev.nrcpts++].status = r->last_error;
	}
	if (dsn_to != NULL) {
		tr[0].addr = dsn_to;
		ev.nrcpts = 1;
	}
	if (ev.nrcpts > 0) {
		ev.timestamp_ms = (int64_t)time(NULL) * 1000;
		ev.event_id = event;
		ev.source = dsn_to != NULL ? "DSN" : "SMTP";
		ev.internal_message_id = m->id;
		ev.message_id = m->message_id;
		ev.sender = m->sender;
		ev.message_subject = m->subject;
		ev.connector_id = res->d != NULL ? res->d->sc->name : NULL;
		/* ServerIp is the address alone; the port stays in the
		 * hostname field, the endpoint as the session saw it. */
		ev.server_hostname = res->peer;
		ev.server_ip = queue_peer_ip(res->peer, ip, sizeof ip);
		ev.client_hostname = env->server;
		ev.total_bytes = m->size;
		if (res->tls.active) {
			ev.tls_protocol = res->tls.version;
			ev.tls_cipher = res->tls.cipher;
			ev.tls_verify = res->tls.verify;
		}
		ev.rcpts = tr;
		if (spool_track_add(sp, &ev, &cause) != 0) {
			log_warnx("tracking: %s", cause);
			free(cause);
		}
	}
	free(tr);
}

/* ------------------------------------------------------------------ */
/* The scheduler. */

static void *
queue_scheduler(void *arg)
{
	struct queue	*q = arg;
	struct timespec	 ts;

	pthread_mutex_lock(&q->lock);
	while (!q->stopping) {
		queue_timers(q, time(NULL));
		queue_deadline(&ts, 1000);
		pthread_cond_timedwait(&q->tick, &q->lock, &ts);
	}
	pthread_mutex_unlock(&q->lock);
	return (NULL);
}

/* Drop the jobs waiting on every destination (lock held). */
static void
queue_unqueue_all(struct queue *q)
{
	struct dest	*d, *dn;
	struct qjob	*j;
	size_t		 i;
	int		 k;

	TAILQ_INIT(&q->ready);
	for (k = 0; k < QUEUE_BUCKETS; k++) {
		TAILQ_FOREACH_SAFE(d, &q->buckets[k], hash, dn) {
			d->ready = false;
			while ((j = TAILQ_FIRST(&d->jobs)) != NULL) {
				TAILQ_REMOVE(&d->jobs, j, entry);
				for (i = 0; i < j->n; i++)
					j->qm->r[j->idx[i]].queued = false;
				free(j->idx);
				free(j);
			}
			d->njobs = 0;
			if (d->sessions > 0)
				continue;
			TAILQ_REMOVE(&q->buckets[k], d, hash);
			queue_dest_free(d);
		}
	}
}

/*
 * Once a second (lock held): too-big failures, a new routing snapshot,
 * expiry, delay notices, and recipients whose retry time has come.
 */
static void
queue_timers(struct queue *q, time_t now)
{
	const struct hubd_conf	*c = env->conf;
	struct qmsg		*qm;
	struct qjob		*j;
	struct mta_status	 st;
	struct route_table	*rt;
	bool			 all = false;

	while ((j = TAILQ_FIRST(&q->failq)) != NULL) {
		TAILQ_REMOVE(&q->failq, j, entry);
		st.code = 550;
		snprintf(st.text, sizeof st.text, "%s", TOOBIG_TEXT);
		queue_fail_job(q, NULL, j, &st, &q->reader);
	}
	if (q->reroute) {
		/*
		 * New connector settings apply to the next delivery: jobs not
		 * yet in a session are routed again with the new snapshot.
		 */
		q->reroute = false;
		rt = hubd_routes();
		route_table_unref(q->rt);
		q->rt = rt;
		queue_unqueue_all(q);
		all = true;
	}
	/* Restart safely if the list changes while the lock is dropped. */
again:
	TAILQ_FOREACH(qm, &q->msgs, entry) {
		if (now - qm->m->received >= c->message_expiration_timeout ||
		    (now - qm->m->received >= c->delay_notification_timeout)) {
			if (queue_expire_due(qm, now)) {
				queue_expire(q, qm, now,
				    now - qm->m->received >=
				    c->message_expiration_timeout);
				goto again;
			}
		}
		queue_route_msg(q, qm, now, all);
	}
}

/* Has a recipient outlived MessageExpirationTimeout, or is a delay
 * notice due for one (lock held)? */
static bool
queue_expire_due(const struct qmsg *qm, time_t now)
{
	const struct hubd_conf	*c = env->conf;
	const struct spool_rcpt	*r;
	time_t			 age = now - qm->m->received;
	size_t			 i;

	for (i = 0; i < qm->m->nrcpts; i++) {
		r = &qm->m->rcpts[i];
		if (r->state != SPOOL_RCPT_QUEUED || qm->r[i].inflight ||
		    qm->r[i].queued)
			continue;
		if (age >= c->message_expiration_timeout)
			return (true);
		if (age >= c->delay_notification_timeout &&
		    !r->delay_notified && queue_wants_report(qm->m, r,
		    DSN_DELAYED))
			return (true);
	}
	return (false);
}

/*
 * Expire the waiting recipients of qm (NDR), or send the delay notice
 * for them (lock held; dropped while writing).
 */
static void
queue_expire(struct queue *q, struct qmsg *qm, time_t now, bool expired)
{
	struct qresult		 res;
	struct spool_rcpt	*r;
	size_t			 i, n = 0;

	memset(&res, 0, sizeof res);
	res.qm = qm;
	res.sp = &q->reader;
	res.idx = xcalloc(qm->m->nrcpts, sizeof *res.idx);
	res.st = xcalloc(qm->m->nrcpts, sizeof *res.st);
	for (i = 0; i < qm->m->nrcpts; i++) {
		r = &qm->m->rcpts[i];
		if (r->state != SPOOL_RCPT_QUEUED || qm->r[i].inflight ||
		    qm->r[i].queued)
			continue;
		if (!expired && (r->delay_notified ||
		    !queue_wants_report(qm->m, r, DSN_DELAYED)))
			continue;
		qm->r[i].inflight = true;
		res.st[n].code = 550;
		if (qm->r[i].unreachable)
			snprintf(res.st[n].text, sizeof res.st[n].text,
			    "%s in unreachable destination queue. Reason: %s",
			    EXPIRED_TEXT, NOMATCH_TEXT);
		else
			snprintf(res.st[n].text, sizeof res.st[n].text,
			    "%s%s%s", EXPIRED_TEXT, r->last_error != NULL ?
			    "; " : "", r->last_error != NULL ?
			    r->last_error : "");
		res.idx[n++] = i;
	}
	res.n = n;
	pthread_mutex_unlock(&q->lock);
	if (expired)
		queue_finish(q, &res);
	else {
		buf_init(&res.dsn);
		for (i = 0; i < n; i++)
			qm->m->rcpts[res.idx[i]].delay_notified = true;
		res.notice = true;
		queue_report(&res, DSN_DELAYED, now);
		queue_commit_result(q, &res, now);
	}
	free(res.idx);
	free(res.st);
	pthread_mutex_lock(&q->lock);
}

/*
 * ProtocolLoggingLevel Verbose: append a session's trace to
 * <log-dir>/SmtpSend/SEND<yyyymmdd>.log, one line per trace line,
 * prefixed with the time and the connector.  AUTH is already masked by
 * the session.
 */
static void
queue_protolog(const struct dest *d, struct buf *plog)
{
	static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
	struct tm		 tm;
	time_t			 now;
	FILE			*f;
	char			*dir, *path, stamp[32];
	const char		*p, *nl;

	if (plog->len == 0)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	xasprintf(&dir, "%s/SmtpSend", env->log_dir);
	strftime(stamp, sizeof stamp, "%Y%m%d", &tm);
	xasprintf(&path, "%s/SEND%s.log", dir, stamp);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	pthread_mutex_lock(&lock);
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		log_warnx("protocol log: %s: %s", dir, strerror(errno));
	else if ((f = fopen(path, "a")) == NULL)
		log_warnx("protocol log: %s: %s", path, strerror(errno));
	else {
		for (p = plog->s; *p != '\0'; p = nl + 1) {
			if ((nl = strchr(p, '\n')) == NULL)
				nl = p + strlen(p);
			fprintf(f, "%s,%s,%s,%.*s\n", stamp, d->sc->name,
			    d->domain, (int)(nl - p), p);
			if (*nl == '\0')
				break;
		}
		fclose(f);
	}
	pthread_mutex_unlock(&lock);
	buf_reset(plog);
	free(path);
	free(dir);
}
