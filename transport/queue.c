/*
 * queue.c - the queue manager: messages in memory, delivery queues per
 * connector and next hop, retries, expiry and reports.  The queue and
 * message operations of the control channel (Get-Queue, Get-Message and
 * the verbs that act on them) are queue_ctl.c's; the structures both
 * files use are in queue_int.h.
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
 * Every outcome is written back through the committer; a recipient
 * leaves its queue only once its outcome is on disk, so a crash at worst
 * repeats a delivery (at-least-once), never loses one.  When the write
 * fails (a full disk), a recipient sent or failed keeps its outcome in
 * memory and stays held ("in flight") while the scheduler retries only
 * the write, with back-off: a message the next hop took is not sent
 * again every retry interval for as long as the disk stays full.  A
 * deferred one goes back to waiting, as the spool has it.
 *
 * Two views of a destination.  struct dest belongs to one routing
 * snapshot (its key holds the snapshot's generation) and carries the
 * work: jobs, sessions.  struct qrec is the queue the administrator sees
 * (Get-Queue): keyed by connector guid and next-hop domain only, so its
 * number, retry state and suspension survive a connector change; every
 * dest of the same connector and next hop points to it.  A recipient
 * names its qrec from the moment it is routed until it is sent or failed,
 * also while it waits for its retry time.  A queued recipient without a
 * qrec is in Submission (not routed yet), or in Unreachable (no connector
 * matched).  A qrec that has held nothing for QueueMaxIdleTime is
 * dropped, and so is an idle dest.
 *
 * Threads and locking: one mutex (q->lock) guards every structure here,
 * and is never held across a commit or network I/O.  A recipient being
 * delivered is "in flight"; only the thread holding it touches it,
 * everyone else skips it.  The scheduler thread wakes every second for
 * retries, expiry, delay notices, administrative removals, idle queues
 * and re-routing after a connector change.  Timings follow
 * exchange-semantics 7.4.
 */
#include <sys/queue.h>

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "queue_int.h"

#define QUEUE_LINGER_MS		200	/* keep an idle session this long */
#define QUEUE_BODY_CACHE	(64 * 1024 * 1024)	/* bytes in memory */
#define QUEUE_UNSAVED_MAX	30	/* s: most back-off of an outcome write */
#define QUEUE_UNSAVED_LOG	60	/* s: between reminders in the log */

#define NOMATCH_TEXT \
	"A matching connector cannot be found to route the external recipient"
#define TOOBIG_TEXT \
	"550 5.3.4 ROUTING.SizeLimit; message size exceeds fixed maximum " \
	"size for route"
#define EXPIRED_TEXT	"550 4.4.7 QUEUE.Expired; message expired"
#define ADMIN_TEXT \
	"550 4.3.2 QUEUE.Admin; message deleted by administrative action"
#define ENDPOINT_TEXT	"The last endpoint attempted was "

/* What a delivery attempt did to each recipient of a job. */
struct qresult {
	struct qmsg		*qm;
	const char		*connector;	/* its name, or NULL */
	size_t			*idx;
	size_t			 n;
	struct mta_status	*st;		/* per recipient */
	struct spool		**sp;		/* the thread's reader */
	struct mta_tls		 tls;
	const char		*peer;		/* "ip:port" or NULL */
	const char		*source;	/* Source; NULL: SMTP */
	time_t			 when;		/* of the outcome */
	bool			 answered;	/* the next hop's own replies */
	bool			 notice;	/* a delay notice, no attempt */
	bool			 no_report;	/* -WithNDR $false */
	bool			 deleted;	/* the write removed the message */
	bool			 failed;	/* the write did not happen */
	struct buf		 dsn;		/* a report to queue, or empty */
	struct spool_msg	*dsn_msg;
};

/*
 * An outcome the spool could not take: a copy of its result that owns
 * what it points to, written again by the scheduler.  Its recipients
 * stay in flight until then.
 */
struct qunsaved {
	struct qresult		 res;		/* what to write */
	size_t			*held;		/* the recipients it holds */
	size_t			 nheld;
	char			*connector;
	char			*peer;
	TAILQ_ENTRY(qunsaved)	 entry;
};

static void	*queue_scheduler(void *);
static void	*queue_worker(void *);
static struct qmsg *queue_qmsg_new(struct spool_msg *, char *, size_t);
static void	 queue_qmsg_free(struct queue *, struct qmsg *);
static void	 queue_commit_result(struct queue *, struct qresult *, time_t);
static void	 queue_settle(struct queue *, struct qresult *, time_t);
static void	 queue_unsaved_add(struct queue *, struct qresult *,
		    const char *);
static void	 queue_unsaved_write(struct queue *, time_t);
static void	 queue_unsaved_free(struct qunsaved *);
static bool	 queue_expire_due(const struct qmsg *, time_t);
static void	 queue_deadline(struct timespec *, int);
static struct dest *queue_dest(struct queue *, const struct route_choice *,
		    const char *);
static struct qrec *queue_qrec(struct queue *, const struct send_connector *,
		    const char *);
static void	 queue_qrec_free(struct qrec *);
static void	 queue_dest_ready(struct queue *, struct dest *);
static void	 queue_dest_free(struct dest *);
static struct dest *queue_next_dest(struct queue *);
static void	 queue_session(struct queue *, struct dest *, struct spool **);
static void	 queue_deliver(struct queue *, struct dest *,
		    struct mta_session **, struct buf *, struct spool **,
		    struct qjob *);
static void	 queue_conn_failed(struct qrec *, const struct mta_status *);
static void	 queue_conn_ok(struct qrec *);
static void	 queue_delivered(struct qrec *, const struct qresult *,
		     time_t);
static void	 queue_result_init(struct qresult *, struct qjob *,
		    const struct dest *, struct mta_status *, struct spool **);
static int	 queue_body(struct qmsg *, struct spool **, char **,
		    size_t *);
static void	 queue_finish(struct queue *, struct qresult *);
static int	 queue_write_result(struct spool *, void *, char **);
static bool	 queue_result_has(const struct qresult *, size_t);
static int	 queue_delete_write(struct spool *, void *, char **);
static void	 queue_outcome(struct qresult *, size_t, time_t);
static void	 queue_report(struct qresult *, enum dsn_action, time_t);
static const char *queue_peer_ip(const char *, char *, size_t);
static void	 queue_track_report(struct track_event *,
		    const struct qresult *);
static void	 queue_track(struct spool *, struct qresult *, const char *,
		    size_t, const char *);
static void	 queue_fail_job(struct queue *, struct dest *, struct qjob *,
		    const struct mta_status *, struct spool **);
static void	 queue_timers(struct queue *, time_t);
static void	 queue_expire(struct queue *, struct qmsg *, time_t, bool);
static void	 queue_unqueue_all(struct queue *);
static void	 queue_idle(struct queue *, time_t);
static void	 queue_pending_removals(struct queue *);
static bool	 queue_msg_done(const struct qmsg *);
static const char *queue_domain(const char *);
static void	 queue_rate_add(struct qrate *, time_t);

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
	TAILQ_INIT(&q->qrecs);
	TAILQ_INIT(&q->unsaved);
	TAILQ_INIT(&q->alarms);
	for (k = 0; k < QUEUE_BUCKETS; k++) {
		TAILQ_INIT(&q->buckets[k]);
		TAILQ_INIT(&q->qbuckets[k]);
	}
	if (spool_open(&q->reader, env->spool_path, cause) != 0 ||
	    queue_alarm_load(q, cause) != 0 ||
	    spool_msg_load(q->reader, &v, &n, cause) != 0) {
		queue_alarm_free_all(q);
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

	q->rt = env_routes();
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
	struct qrec	*qr;
	struct qjob	*j;
	struct qunsaved	*u;
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

	/* A last try for the outcomes the spool has not taken yet. */
	pthread_mutex_lock(&q->lock);
	queue_unsaved_write(q, time(NULL));
	if (q->nunsaved > 0)
		log_warnx("queue: %zu delivery outcomes could not be written "
		    "to the spool: their recipients will be tried again after "
		    "the restart", q->nunsaved);
	while ((u = TAILQ_FIRST(&q->unsaved)) != NULL) {
		TAILQ_REMOVE(&q->unsaved, u, entry);
		queue_unsaved_free(u);
	}
	pthread_mutex_unlock(&q->lock);

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
	queue_alarm_free_all(q);
	while ((qr = TAILQ_FIRST(&q->qrecs)) != NULL) {
		TAILQ_REMOVE(&q->qrecs, qr, entry);
		queue_qrec_free(qr);
	}
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
	if (!env->conf->tracking_enabled)
		return (0);
	memset(&ev, 0, sizeof ev);
	ev.timestamp_ms = (int64_t)a->m->received * 1000;
	ev.event_id = "RECEIVE";
	ev.source = strcmp(a->m->source, "PICKUP") == 0 ? "PICKUP" :
	    strcmp(a->m->source, "DSN") == 0 ? "DSN" : "SMTP";
	ev.internal_message_id = a->m->id;
	ev.message_id = a->m->message_id;
	ev.sender = a->m->sender;
	if (env->conf->tracking_subject)
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
	metrics_accepted(m->source);
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

/* Forget a message (lock held); none of its recipients is queued. */
static void
queue_qmsg_free(struct queue *q, struct qmsg *qm)
{
	size_t	i;

	for (i = 0; i < qm->m->nrcpts; i++)
		queue_rcpt_setq(qm, i, NULL);
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

/* Make qr the delivery queue of recipient i (lock held). */
void
queue_rcpt_setq(struct qmsg *qm, size_t i, struct qrec *qr)
{
	struct qrcpt	*r = &qm->r[i];

	if (r->qr == qr)
		return;
	if (r->qr != NULL)
		r->qr->nrcpts--;
	if (qr != NULL)
		qr->nrcpts++;
	r->qr = qr;
}

/* Should recipient i be left where it is by this routing pass? */
static bool
queue_route_skip(struct queue *q, struct qmsg *qm, size_t i, bool hold,
    bool fresh)
{
	const struct qrcpt	*r = &qm->r[i];

	if (qm->m->rcpts[i].state != SPOOL_RCPT_QUEUED || r->inflight ||
	    r->queued || r->remove != 0)
		return (true);
	/* Unreachable ones wait for a connector change (or Retry-Queue). */
	if (r->unreachable)
		return (!fresh || q->unreach_suspended);
	/* A waiting recipient keeps its queue until routing changes. */
	if (r->qr != NULL)
		return (!fresh && (hold || r->qr->suspended));
	/* Never routed yet: it stays in Submission while that is held. */
	return (q->submit_suspended);
}

/*
 * Route the message's recipients (lock held).  Every queued recipient
 * gets its queue; those that are due, of a message and a queue that are
 * not suspended, go into jobs.  Recipients for the same destination
 * share one job, so one session sends the message once to all of them.
 * fresh: the routing changed (or the message is new): recompute the
 * queue of waiting recipients and try unreachable ones again.
 */
void
queue_route_msg(struct queue *q, struct qmsg *qm, time_t now, bool fresh)
{
	struct spool_msg	*m = qm->m;
	struct route_choice	 rc;
	struct dest		*d, **dv;
	struct qrec		**newq;
	struct qjob		**jv, *j;
	enum route_status	 rs;
	bool			 hold, *toobig;
	size_t			 i, k;

	dv = xcalloc(m->nrcpts, sizeof *dv);
	jv = xcalloc(m->nrcpts, sizeof *jv);
	newq = xcalloc(m->nrcpts, sizeof *newq);
	toobig = xcalloc(m->nrcpts, sizeof *toobig);
	for (i = 0; i < m->nrcpts; i++) {
		hold = m->suspended || m->rcpts[i].next_attempt > now;
		if (queue_route_skip(q, qm, i, hold, fresh))
			continue;
		rs = route_select(q->rt, queue_domain(m->rcpts[i].addr),
		    m->size, &rc);
		qm->r[i].unreachable = rs == ROUTE_NOMATCH;
		if (rs != ROUTE_OK) {
			queue_rcpt_setq(qm, i, NULL);
			toobig[i] = rs == ROUTE_TOOBIG && !hold;
			continue;
		}
		d = queue_dest(q, &rc, queue_domain(m->rcpts[i].addr));
		if (qm->r[i].qr != d->qr) {
			/* IncomingRate counts messages, not recipients. */
			for (k = 0; k < i && newq[k] != d->qr; k++)
				;
			if (k == i)
				queue_rate_add(&d->qr->in, now);
			newq[i] = d->qr;
			queue_rcpt_setq(qm, i, d->qr);
		}
		if (hold || d->qr->suspended)
			continue;
		dv[i] = d;
		for (k = 0; k < i && dv[k] != d; k++)
			;
		if (k == i) {
			jv[i] = xcalloc(1, sizeof *jv[i]);
			jv[i]->qm = qm;
			jv[i]->d = d;
			jv[i]->idx = xcalloc(m->nrcpts, sizeof *jv[i]->idx);
			TAILQ_INSERT_TAIL(&d->jobs, jv[i], entry);
			d->njobs++;
			k = i;
		}
		jv[k]->idx[jv[k]->n++] = i;
		qm->r[i].queued = true;
		qm->r[i].job = jv[k];
		queue_dest_ready(q, d);
	}

	/* Too big for every route: fail those recipients now. */
	j = NULL;
	for (i = 0; i < m->nrcpts; i++) {
		if (!toobig[i])
			continue;
		if (j == NULL) {
			j = xcalloc(1, sizeof *j);
			j->qm = qm;
			j->idx = xcalloc(m->nrcpts, sizeof *j->idx);
		}
		j->idx[j->n++] = i;
		qm->r[i].inflight = true;
	}
	/* The scheduler fails them; callers may be iterating q->msgs. */
	if (j != NULL) {
		TAILQ_INSERT_TAIL(&q->failq, j, entry);
		pthread_cond_signal(&q->tick);
	}
	free(toobig);
	free(newq);
	free(dv);
	free(jv);
}

/* Take recipient i out of the job it waits in (lock held). */
void
queue_unqueue_rcpt(struct queue *q, struct qmsg *qm, size_t i)
{
	struct qrcpt	*r = &qm->r[i];
	struct qjob	*j = r->job;
	struct dest	*d = j->d;
	size_t		 k;

	for (k = 0; j->idx[k] != i; k++)
		;
	memmove(&j->idx[k], &j->idx[k + 1], (j->n - k - 1) * sizeof *j->idx);
	j->n--;
	r->queued = false;
	r->job = NULL;
	if (j->n > 0)
		return;
	TAILQ_REMOVE(&d->jobs, j, entry);
	d->njobs--;
	free(j->idx);
	free(j);
	if (d->njobs == 0 && d->ready) {
		TAILQ_REMOVE(&q->ready, d, rentry);
		d->ready = false;
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
	d->qr = queue_qrec(q, rc->sc, domain);
	d->qr->ndests++;
	TAILQ_INIT(&d->jobs);
	pthread_cond_init(&d->more, NULL);
	TAILQ_INSERT_HEAD(&q->buckets[h], d, hash);
	return (d);
}

static void
queue_dest_free(struct dest *d)
{
	d->qr->ndests--;
	route_table_unref(d->rt);
	pthread_cond_destroy(&d->more);
	free(d->key);
	free(d->domain);
	free(d);
}

/* The hash bucket of a queue record key. */
static unsigned
queue_qrec_hash(const char *key)
{
	unsigned	h = 5381;

	for (; *key != '\0'; key++)
		h = h * 33 + (unsigned char)tolower((unsigned char)*key);
	return (h % QUEUE_BUCKETS);
}

/*
 * The queue record of a connector and next hop, made if new (lock held).
 * Its description follows the connector's current settings.
 */
static struct qrec *
queue_qrec(struct queue *q, const struct send_connector *sc,
    const char *domain)
{
	struct qrec	*qr;
	struct buf	 hops;
	char		*key;
	unsigned	 h;
	size_t		 i;

	xasprintf(&key, "%s|%s", sc->guid, SC_DNS_ROUTING(sc) ? domain : "");
	h = queue_qrec_hash(key);
	TAILQ_FOREACH(qr, &q->qbuckets[h], hash) {
		if (strcasecmp(qr->key, key) == 0)
			break;
	}
	if (qr == NULL) {
		qr = xcalloc(1, sizeof *qr);
		qr->id = ++q->last_qid;
		qr->key = key;
		key = NULL;
		snprintf(qr->guid, sizeof qr->guid, "%s", sc->guid);
		TAILQ_INSERT_TAIL(&q->qrecs, qr, entry);
		TAILQ_INSERT_HEAD(&q->qbuckets[h], qr, hash);
	}
	free(key);
	free(qr->next_hop);
	free(qr->tls_domain);
	free(qr->connector);
	qr->connector = xstrdup(sc->name);
	qr->dns = SC_DNS_ROUTING(sc);
	buf_init(&hops);
	for (i = 0; i < sc->smart_hosts.n; i++)
		buf_addf(&hops, "%s%s", i > 0 ? "," : "",
		    sc->smart_hosts.v[i]);
	qr->next_hop = qr->dns ? xstrdup(domain) : buf_detach(&hops);
	buf_free(&hops);
	qr->tls_domain = sc->tls_domain != NULL && *sc->tls_domain != '\0' ?
	    xstrdup(sc->tls_domain) : NULL;
	return (qr);
}

static void
queue_qrec_free(struct qrec *qr)
{
	queue_alarm_unlink(qr);
	free(qr->key);
	free(qr->next_hop);
	free(qr->tls_domain);
	free(qr->connector);
	free(qr->last_error);
	free(qr->last_tls);
	free(qr);
}

/*
 * Offer d's work (lock held): to a session of d waiting for more, which
 * sends it over its open connection; else to the workers, if d has room
 * for another session.  A suspended queue offers nothing.
 */
static void
queue_dest_ready(struct queue *q, struct dest *d)
{
	if (d->qr->suspended)
		return;
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

/* Drop the jobs waiting on d (lock held): they will be routed again. */
void
queue_dest_clear(struct queue *q, struct dest *d)
{
	struct qjob	*j;
	size_t		 i;

	while ((j = TAILQ_FIRST(&d->jobs)) != NULL) {
		TAILQ_REMOVE(&d->jobs, j, entry);
		for (i = 0; i < j->n; i++) {
			j->qm->r[j->idx[i]].queued = false;
			j->qm->r[j->idx[i]].job = NULL;
		}
		free(j->idx);
		free(j);
	}
	d->njobs = 0;
	if (d->ready) {
		TAILQ_REMOVE(&q->ready, d, rentry);
		d->ready = false;
	}
}

/*
 * Take the next destination with work (lock held), or NULL: none, or
 * MaxOutboundConnections sessions are open already.
 */
static struct dest *
queue_next_dest(struct queue *q)
{
	struct dest	*d;

	if (q->busy >= env->conf->max_outbound ||
	    (d = TAILQ_FIRST(&q->ready)) == NULL)
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

	thread_name("delivery");
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
		/* A session less: one held back by the limit may start. */
		if (!TAILQ_EMPTY(&q->ready))
			pthread_cond_signal(&q->work);
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

/* Close an open session of d (lock held, dropped while closing). */
static void
queue_session_close(struct queue *q, struct dest *d, struct mta_session *s,
    struct buf *plog)
{
	pthread_mutex_unlock(&q->lock);
	mta_close(s);
	protolog_write(d->sc->name, d->domain, plog);
	pthread_mutex_lock(&q->lock);
	d->qr->active--;
}

/*
 * One SMTP session to d (lock held on entry and exit, dropped while
 * talking): send jobs until the queue stays empty for a moment or the
 * connector's SmtpMaxMessagesPerConnection is reached.  Suspend-Queue
 * takes the jobs away: the message in hand is finished, then the session
 * ends.
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
		/*
		 * "TLS-Required: No" messages go in sessions of their own
		 * (no DANE, no MTA-STS), the others never do.
		 */
		if (s != NULL &&
		    mta_session_relaxed(s) != j->qm->m->tls_optional) {
			queue_session_close(q, d, s, &plog);
			s = NULL;
		}
		queue_deliver(q, d, &s, &plog, sp, j);
		if (s == NULL && TAILQ_EMPTY(&d->jobs))
			break;
		if (s != NULL && (q->stopping ||
		    (max > 0 && mta_session_count(s) >= max))) {
			queue_session_close(q, d, s, &plog);
			s = NULL;
			if (q->stopping)
				break;
		}
	}
	if (s != NULL)
		queue_session_close(q, d, s, &plog);
	buf_free(&plog);
}

/*
 * Open a session to d for job j (lock held on entry, not on a successful
 * return): 0, or -1 with the job and every other job of d failed or
 * deferred (lock held again).
 */
static int
queue_open(struct queue *q, struct dest *d, struct mta_session **ms,
    struct buf *plog, struct spool **sp, struct qjob *j)
{
	struct mta_dest		 md;
	struct mta_status	 st;

	d->qr->connecting++;
	pthread_mutex_unlock(&q->lock);
	memset(&md, 0, sizeof md);
	md.sc = d->sc;
	md.domain = d->domain;
	md.relaxed = j->qm->m->tls_optional;
	if (d->sc->protocol_logging_level == SC_PROTOLOG_VERBOSE)
		md.protolog = plog;
	if (mta_open(&md, ms, &st) != 0) {
		protolog_write(d->sc->name, d->domain, plog);
		pthread_mutex_lock(&q->lock);
		d->qr->connecting--;
		queue_conn_failed(d->qr, &st);
		queue_fail_job(q, d, j, &st, sp);
		return (-1);
	}
	pthread_mutex_lock(&q->lock);
	d->qr->connecting--;
	d->qr->active++;
	queue_conn_ok(d->qr);
	pthread_mutex_unlock(&q->lock);
	return (0);
}

/*
 * Deliver one job over *ms, opening the session first if needed (lock
 * held on entry and exit).  A session that cannot be opened fails or
 * defers every job waiting for d, not just this one: they would meet the
 * same hosts.
 */
static void
queue_deliver(struct queue *q, struct dest *d, struct mta_session **ms,
    struct buf *plog, struct spool **sp, struct qjob *j)
{
	struct mta_status	 st, *rst;
	struct qresult		 res;
	const char		**rcpts;
	char			*body = NULL;
	size_t			 len = 0, i;
	bool			 closed = false;
	int			 rc;

	for (i = 0; i < j->n; i++) {
		j->qm->r[j->idx[i]].queued = false;
		j->qm->r[j->idx[i]].job = NULL;
		j->qm->r[j->idx[i]].inflight = true;
	}
	if (*ms == NULL) {
		if (queue_open(q, d, ms, plog, sp, j) != 0)
			return;
	} else
		pthread_mutex_unlock(&q->lock);

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
		closed = true;
	}
	protolog_write(d->sc->name, d->domain, plog);

	queue_result_init(&res, j, d, rst, sp);
	if (*ms != NULL) {
		res.tls = *mta_session_tls(*ms);
		res.peer = mta_session_peer(*ms);
		/* The session is still good: a 4xx was for this message. */
		res.answered = true;
	}
	if (body != j->qm->body)
		free(body);
	queue_finish(q, &res);
	free(rcpts);
	free(rst);
	free(j->idx);
	free(j);
	pthread_mutex_lock(&q->lock);
	if (closed)
		d->qr->active--;
}

/* The outcome of job j (statuses st) as queue_finish() takes it. */
static void
queue_result_init(struct qresult *res, struct qjob *j, const struct dest *d,
    struct mta_status *st, struct spool **sp)
{
	memset(res, 0, sizeof *res);
	res->qm = j->qm;
	res->connector = d != NULL ? d->sc->name : NULL;
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
 * The session could not be opened, or a route failed: give j and every
 * job of d of its kind (relaxed or not: mta_dest) the status st, or just
 * j when d is NULL (lock held).
 */
static void
queue_fail_job(struct queue *q, struct dest *d, struct qjob *j,
    const struct mta_status *st, struct spool **sp)
{
	struct qresult		 res;
	struct mta_status	*rst;
	struct qjob		*next;
	size_t			 i;
	bool			 relaxed = j->qm->m->tls_optional;

	while (j != NULL) {
		rst = xcalloc(j->n, sizeof *rst);
		for (i = 0; i < j->n; i++) {
			rst[i] = *st;
			j->qm->r[j->idx[i]].queued = false;
			j->qm->r[j->idx[i]].job = NULL;
			j->qm->r[j->idx[i]].inflight = true;
		}
		queue_result_init(&res, j, d, rst, sp);
		pthread_mutex_unlock(&q->lock);
		queue_finish(q, &res);
		pthread_mutex_lock(&q->lock);
		free(rst);
		free(j->idx);
		free(j);
		if (d == NULL)
			break;
		/* The jobs a session of the other kind may still take stay. */
		TAILQ_FOREACH(next, &d->jobs, entry) {
			if (next->qm->m->tls_optional == relaxed)
				break;
		}
		if ((j = next) != NULL) {
			TAILQ_REMOVE(&d->jobs, j, entry);
			d->njobs--;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Queue state: retries and rates. */

/* Unix milliseconds now. */
int64_t
queue_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * A queue's LastError in Exchange 2013's form, from a session's failure:
 * [{LRT=time};{LED=text};{FQDN=host};{IP=address}], the time local as
 * "M/d/yyyy h:mm:ss tt".  The address is the last endpoint the session
 * tried; the host is known when it is a smart host (a literal, or the
 * only one).  Without both, the text alone (as Exchange 2010 showed it).
 */
static char *
queue_last_error(const struct qrec *qr, const char *text, time_t t)
{
	struct tm	 tm;
	const char	*p, *host = NULL;
	char		 ip[64], lit[80], *out, *hosts, *h, *last;
	int		 hour;

	if ((p = strstr(text, ENDPOINT_TEXT)) == NULL ||
	    queue_peer_ip(p + strlen(ENDPOINT_TEXT), ip, sizeof ip) == NULL)
		return (xstrdup(text));
	snprintf(lit, sizeof lit, "[%s]", ip);
	hosts = qr->dns ? NULL : xstrdup(qr->next_hop);
	for (h = hosts != NULL ? strtok_r(hosts, ",", &last) : NULL;
	    h != NULL; h = strtok_r(NULL, ",", &last)) {
		if (strcasecmp(h, lit) == 0 || strchr(qr->next_hop, ',') ==
		    NULL)
			host = h;
	}
	if (host == NULL) {
		free(hosts);
		return (xstrdup(text));
	}
	localtime_r(&t, &tm);
	hour = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
	xasprintf(&out, "[{LRT=%d/%d/%d %d:%02d:%02d %s};{LED=%s};"
	    "{FQDN=%s};{IP=%s}]", tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_year + 1900, hour, tm.tm_min, tm.tm_sec,
	    tm.tm_hour < 12 ? "AM" : "PM", text, host, ip);
	free(hosts);
	return (out);
}

/*
 * A session to the queue could not be opened (lock held): a transient
 * failure puts the queue in Retry on the Exchange schedule; either way
 * LastError tells why.
 */
static void
queue_conn_failed(struct qrec *qr, const struct mta_status *st)
{
	const struct hubd_conf	*c = env->conf;
	time_t			 now = time(NULL);
	int64_t			 ms = queue_now_ms();

	free(qr->last_error);
	qr->last_error = queue_last_error(qr, st->text, now);
	qr->last_retry = ms;
	if (st->class != FAIL_NONE) {
		qr->fails[st->class]++;
		qr->last_class = st->class;
	}
	metrics_conn_failure(st->class);
	if (st->code >= 500)
		return;
	qr->retry_count++;
	if (qr->first_retry == 0)
		qr->first_retry = ms;
	qr->next_retry = ms + 1000 * (int64_t)(qr->retry_count <=
	    c->transient_retry_count ? c->transient_retry_interval :
	    c->outbound_retry_interval);
}

/*
 * A session opened: the queue is out of Retry and its failures are
 * over; LastError stays shown.
 */
static void
queue_conn_ok(struct qrec *qr)
{
	memset(qr->fails, 0, sizeof qr->fails);
	qr->retry_count = 0;
	qr->first_retry = 0;
	qr->next_retry = 0;
}

/* Count one message at second now. */
static void
queue_rate_add(struct qrate *r, time_t now)
{
	size_t	k = (size_t)now % QUEUE_RATE_SECS;

	if (r->sec[k] != now) {
		r->sec[k] = now;
		r->n[k] = 0;
	}
	r->n[k]++;
}

/* Messages a second over the last minute. */
double
queue_rate(const struct qrate *r, time_t now)
{
	size_t	k;
	int	sum = 0;

	for (k = 0; k < QUEUE_RATE_SECS; k++) {
		if (r->sec[k] > now - QUEUE_RATE_SECS && r->sec[k] <= now)
			sum += r->n[k];
	}
	return ((double)sum / QUEUE_RATE_SECS);
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
	res->when = now;
	for (i = 0; i < res->n; i++)
		queue_outcome(res, res->idx[i], now);
	if (!res->no_report)
		queue_report(res, DSN_FAILED, now);
	queue_commit_result(q, res, now);
}

/*
 * A recipient of qr's was taken by the next hop (lock held): when, and
 * the session's TLS in words, for Get-Queue's LastDeliveryTime and
 * LastDeliveryTls.
 */
static void
queue_delivered(struct qrec *qr, const struct qresult *res, time_t now)
{
	const struct mta_tls	*t = &res->tls;

	qr->last_delivery = (int64_t)now * 1000;
	free(qr->last_tls);
	if (!t->active)
		xasprintf(&qr->last_tls, "no TLS, %s", res->peer != NULL ?
		    res->peer : "");
	else
		xasprintf(&qr->last_tls, "%s, %s, CN=%s, %s", t->version,
		    t->verify, *t->peer_cn != '\0' ? t->peer_cn : "(none)",
		    res->peer != NULL ? res->peer : "");
}

/*
 * Release the recipients of res (lock held): a recipient done with
 * leaves its queue, which counts one message out; one that came back
 * with a Remove-Message pending is removed by the scheduler.
 */
static void
queue_release(struct queue *q, struct qresult *res, time_t now)
{
	struct qmsg	*qm = res->qm;
	struct qrec	*out[8];
	struct qrcpt	*r;
	size_t		 i, k, nout = 0;

	for (i = 0; i < res->n; i++) {
		r = &qm->r[res->idx[i]];
		r->inflight = false;
		if (qm->m->rcpts[res->idx[i]].state == SPOOL_RCPT_QUEUED) {
			if (r->remove != 0) {
				q->removals = true;
				pthread_cond_signal(&q->tick);
			}
			continue;
		}
		r->remove = 0;
		if (r->qr != NULL && res->answered &&
		    qm->m->rcpts[res->idx[i]].state == SPOOL_RCPT_SENT)
			queue_delivered(r->qr, res, now);
		if (r->qr != NULL) {
			for (k = 0; k < nout && out[k] != r->qr; k++)
				;
			if (k == nout && nout < sizeof out / sizeof *out) {
				out[nout++] = r->qr;
				queue_rate_add(&r->qr->out, now);
			}
		}
		queue_rcpt_setq(qm, res->idx[i], NULL);
	}
}

/*
 * Write res through the committer, then release its recipients and
 * queue its report, if any (called without the lock).  When the spool
 * cannot take it, an administrative removal (Remove-Message: the caller
 * says so) is undone in memory; any other outcome is kept in memory and
 * its write retried (queue_unsaved_add): the next hop may have taken the
 * message already.
 */
static void
queue_commit_result(struct queue *q, struct qresult *res, time_t now)
{
	struct qmsg	*qm = res->qm;
	char		*cause = NULL;
	size_t		 i;

	if (commit_run(env->commit, queue_write_result, res, &cause) == 0) {
		pthread_mutex_lock(&q->lock);
		queue_release(q, res, now);
		queue_settle(q, res, now);
		pthread_mutex_unlock(&q->lock);
		return;
	}
	if (res->source == NULL || strcmp(res->source, "ADMIN") != 0) {
		queue_unsaved_add(q, res, cause);
		free(cause);
		return;
	}
	/* The spool still has the old state: memory must agree. */
	log_warnx("queue: message %lld: %s", (long long)qm->m->id, cause);
	free(cause);
	for (i = 0; i < res->n; i++) {
		qm->m->rcpts[res->idx[i]].state = SPOOL_RCPT_QUEUED;
		qm->m->rcpts[res->idx[i]].next_attempt = now +
		    env->conf->transient_retry_interval;
	}
	res->failed = true;
	spool_msg_free(res->dsn_msg);
	res->dsn_msg = NULL;
	pthread_mutex_lock(&q->lock);
	queue_release(q, res, now);
	queue_settle(q, res, now);
	pthread_mutex_unlock(&q->lock);
}

/*
 * The outcome res is on disk, or undone, and its recipients released
 * (lock held): forget the message when nothing is left of it, and route
 * its report.  The lock is dropped to remove a message left without
 * anything to do.
 */
static void
queue_settle(struct queue *q, struct qresult *res, time_t now)
{
	struct qmsg	*qm = res->qm, *dqm;
	char		*cause = NULL;
	int64_t		 orphan = -1;

	if (queue_msg_done(qm)) {
		/* The last holder frees it; its rows may still be there. */
		if (!res->deleted)
			orphan = qm->m->id;
		queue_qmsg_free(q, qm);
	}
	if (res->dsn_msg != NULL) {
		metrics_accepted("dsn");
		dqm = queue_qmsg_new(res->dsn_msg, buf_detach(&res->dsn),
		    (size_t)res->dsn_msg->size);
		q->cached += dqm->len;
		TAILQ_INSERT_TAIL(&q->msgs, dqm, entry);
		queue_route_msg(q, dqm, now, true);
		res->dsn_msg = NULL;
	}
	buf_free(&res->dsn);
	if (orphan == -1)
		return;
	pthread_mutex_unlock(&q->lock);
	if (commit_run(env->commit, queue_delete_write, &orphan,
	    &cause) != 0) {
		/* Harmless: nothing queued is left, so it is never loaded. */
		log_warnx("queue: message %lld: %s", (long long)orphan, cause);
		free(cause);
	}
	pthread_mutex_lock(&q->lock);
}

/*
 * An outcome the spool did not take (called without the lock).  A
 * recipient sent or failed must not go again: it stays in flight, and a
 * copy of the result owning what it points to, with the report if any,
 * goes on q->unsaved for the scheduler to write.  A recipient deferred
 * loses nothing but its record: the spool has it queued, which is the
 * truth, so it is let go at once and retried on the schedule kept in
 * memory (a deferral held too would keep mail from a partner that is
 * back for as long as the disk stays full).  Said once in the log, then
 * every QUEUE_UNSAVED_LOG seconds while it lasts.
 */
static void
queue_unsaved_add(struct queue *q, struct qresult *res, const char *cause)
{
	struct qresult	 freed = *res;
	struct qunsaved	*u = NULL;
	time_t		 now = time(NULL);
	size_t		 i, k, *held, nheld = 0;

	held = xreallocarray(NULL, res->n + 1, sizeof *held);
	freed.idx = xreallocarray(NULL, res->n + 1, sizeof *freed.idx);
	freed.n = 0;
	for (i = 0; i < res->n; i++) {
		k = res->idx[i];
		if (res->qm->m->rcpts[k].state == SPOOL_RCPT_QUEUED)
			freed.idx[freed.n++] = k;
		else
			held[nheld++] = k;
	}
	if (nheld > 0 || res->dsn_msg != NULL) {
		u = xcalloc(1, sizeof *u);
		u->res = *res;
		u->held = held;
		u->nheld = nheld;
		/* A delay notice writes its recipients (delay_notified). */
		u->res.idx = xreallocarray(NULL, res->n + 1,
		    sizeof *res->idx);
		memcpy(u->res.idx, res->notice ? res->idx : held,
		    (res->notice ? res->n : nheld) * sizeof *res->idx);
		u->res.n = res->notice ? res->n : nheld;
		u->res.st = NULL;
		u->res.sp = NULL;
		if (res->connector != NULL)
			u->res.connector = u->connector =
			    xstrdup(res->connector);
		if (res->peer != NULL)
			u->res.peer = u->peer = xstrdup(res->peer);
		/* The report, if any, goes with it. */
		memset(&res->dsn, 0, sizeof res->dsn);
		res->dsn_msg = NULL;
	} else {
		free(held);
		buf_free(&res->dsn);	/* empty: no report */
	}

	pthread_mutex_lock(&q->lock);
	queue_release(q, &freed, now);
	if (u != NULL) {
		if (q->nunsaved == 0) {
			log_warnx("queue: the spool cannot take delivery "
			    "outcomes (%s): they are kept in memory and "
			    "written when it can; no delivery is repeated "
			    "meanwhile", cause);
			q->unsaved_logged = now;
			q->unsaved_backoff = 1;
			q->unsaved_next = now + 1;
		}
		TAILQ_INSERT_TAIL(&q->unsaved, u, entry);
		q->nunsaved++;
	}
	pthread_mutex_unlock(&q->lock);
	free(freed.idx);
}

static void
queue_unsaved_free(struct qunsaved *u)
{
	free(u->res.idx);
	free(u->held);
	free(u->connector);
	free(u->peer);
	buf_free(&u->res.dsn);
	spool_msg_free(u->res.dsn_msg);
	free(u);
}

/*
 * Write the outcomes the spool did not take, oldest first, until one
 * fails again (lock held, dropped while writing); then back off, up to
 * QUEUE_UNSAVED_MAX seconds between tries.
 */
static void
queue_unsaved_write(struct queue *q, time_t now)
{
	struct qresult	 rel;
	struct qunsaved	*u;
	char		*cause = NULL;
	size_t		 written = 0;
	int		 rc;

	while ((u = TAILQ_FIRST(&q->unsaved)) != NULL) {
		pthread_mutex_unlock(&q->lock);
		rc = commit_run(env->commit, queue_write_result, &u->res,
		    &cause);
		pthread_mutex_lock(&q->lock);
		if (rc != 0)
			break;
		TAILQ_REMOVE(&q->unsaved, u, entry);
		q->nunsaved--;
		written++;
		rel = u->res;
		rel.idx = u->held;
		rel.n = u->nheld;
		queue_release(q, &rel, now);
		queue_settle(q, &u->res, now);
		queue_unsaved_free(u);
	}
	if (u == NULL) {
		if (written > 0)
			log_info("queue: the spool took the %zu delivery "
			    "outcomes kept in memory", written);
		return;
	}
	if (now - q->unsaved_logged >= QUEUE_UNSAVED_LOG) {
		log_warnx("queue: %zu delivery outcomes still kept in memory: "
		    "the spool cannot take them (%s)", q->nunsaved, cause);
		q->unsaved_logged = now;
	}
	free(cause);
	q->unsaved_backoff = q->unsaved_backoff * 2 > QUEUE_UNSAVED_MAX ?
	    QUEUE_UNSAVED_MAX : q->unsaved_backoff * 2;
	q->unsaved_next = now + q->unsaved_backoff;
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
 * Apply one recipient's status: 2xx sent, 5xx failed, 4xx retried until
 * MessageExpirationTimeout.  When the next hop itself answered the 4xx
 * over a session that is still good (res->answered: a reply to RCPT or
 * DATA, or a spool read that failed here), only this message waits, for
 * MessageRetryInterval; the queue's own schedule is for the session that
 * could not be had or did not last: TransientFailureRetryCount attempts
 * every TransientFailureRetryInterval, then every
 * OutboundConnectionFailureRetryInterval.  retry_count counts every
 * attempt (Get-Message's RetryCount), so deferrals of either kind use up
 * the quick retries.
 */
static void
queue_outcome(struct qresult *res, size_t i, time_t now)
{
	struct spool_rcpt	*r = &res->qm->m->rcpts[i];
	const struct hubd_conf	*c = env->conf;
	const struct mta_status	*st;
	enum spool_rcpt_state	 state = SPOOL_RCPT_QUEUED;
	int64_t			 next = r->next_attempt;
	int			 retries = r->retry_count;
	size_t			 k;
	char			*text, *old;

	for (k = 0; res->idx[k] != i; k++)
		;
	st = &res->st[k];
	text = xstrdup(st->text);
	if (st->code >= 200 && st->code < 300)
		state = SPOOL_RCPT_SENT;
	else if (st->code >= 500)
		state = SPOOL_RCPT_FAILED;
	else {
		retries++;
		if (res->answered)
			next = now + c->message_retry_interval;
		else
			next = now + (retries <= c->transient_retry_count ?
			    c->transient_retry_interval :
			    c->outbound_retry_interval);
		if (now - res->qm->m->received >=
		    c->message_expiration_timeout || next -
		    res->qm->m->received > c->message_expiration_timeout) {
			/* The next attempt would come after expiry. */
			free(text);
			xasprintf(&text, "%s; %s", EXPIRED_TEXT, st->text);
			state = SPOOL_RCPT_FAILED;
			res->st[k].code = 550;
			snprintf(res->st[k].text, sizeof res->st[k].text, "%s",
			    text);
		}
	}
	/* Attempts only: not Remove-Message's failures, not notices. */
	if (res->source == NULL && !res->notice)
		metrics_delivery(state == SPOOL_RCPT_SENT ? "sent" : state ==
		    SPOOL_RCPT_FAILED ? "failed" : "deferred",
		    res->answered ? &res->tls : NULL);
	/* Get-Message reads these under the lock. */
	pthread_mutex_lock(&env->queue->lock);
	old = r->last_error;
	r->last_error = text;
	r->state = state;
	r->retry_count = retries;
	r->next_attempt = next;
	pthread_mutex_unlock(&env->queue->lock);
	free(old);
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
	char			(*codes)[16], *body = NULL, *id = NULL;
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
		    env->hostname, now, &id);
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
		dm->message_id = id;
		id = NULL;
		res->dsn_msg = dm;
	}
	free(id);
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

	/*
	 * The message goes when nothing is left to do: no recipient
	 * queued, and none held by another worker, whose outcome is in
	 * memory already but not on disk yet (it would find its rows
	 * gone).  When two results of one message meet in one group, each
	 * sees the other held; queue_commit_result() then removes it.  A
	 * delay notice never removes it: its recipients were waiting, and
	 * one written late (queue_unsaved_add) holds none of them, so a
	 * worker may hold one now that its check would not see.
	 */
	pthread_mutex_lock(&q->lock);
	done = !res->notice;
	for (i = 0; i < m->nrcpts && done; i++) {
		if (m->rcpts[i].state == SPOOL_RCPT_QUEUED ||
		    (res->qm->r[i].inflight && !queue_result_has(res, i)))
			done = false;
	}
	pthread_mutex_unlock(&q->lock);
	if (done && spool_msg_delete(sp, m->id, cause) != 0)
		return (-1);
	res->deleted = done;
	return (0);
}

/* Is recipient i one of res's? */
static bool
queue_result_has(const struct qresult *res, size_t i)
{
	size_t	k;

	for (k = 0; k < res->n; k++) {
		if (res->idx[k] == i)
			return (true);
	}
	return (false);
}

/* Commit job: remove a finished message (arg: its id). */
static int
queue_delete_write(struct spool *sp, void *arg, char **cause)
{
	return (spool_msg_delete(sp, *(int64_t *)arg, cause));
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
 * Nothing when MessageTrackingLogEnabled is $false.
 *
 * Reference links a report and its original, as in Exchange: the DSN
 * record is the report's own (its ids, its null sender, its subject and
 * size) and its Reference is the original's Message-ID; the FAIL record
 * after which the report was made has the report's Message-ID.
 */
static void
queue_track(struct spool *sp, struct qresult *res, const char *event,
    size_t state, const char *dsn_to)
{
	struct spool_msg	*m = res->qm->m;
	struct track_event	 ev;
	struct track_rcpt	*tr;
	struct spool_rcpt	*r;
	char			*cause = NULL, ip[64], verify[160];
	size_t			 i;

	if (!env->conf->tracking_enabled)
		return;
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
		ev.timestamp_ms = (int64_t)res->when * 1000;
		ev.event_id = event;
		ev.source = dsn_to != NULL ? "DSN" : res->source != NULL ?
		    res->source : "SMTP";
		ev.internal_message_id = m->id;
		ev.message_id = m->message_id;
		ev.sender = m->sender;
		if (env->conf->tracking_subject)
			ev.message_subject = m->subject;
		ev.connector_id = res->connector;
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
		/* MTA-STS testing: what enforce would have refused. */
		if (res->tls.sts_testing[0] != '\0') {
			snprintf(verify, sizeof verify, "%s; MTA-STS testing "
			    "would fail: %s", res->tls.active ?
			    res->tls.verify : "none", res->tls.sts_testing);
			ev.tls_verify = verify;
		}
		if (dsn_to != NULL)
			queue_track_report(&ev, res);
		else if (state == SPOOL_RCPT_FAILED && res->dsn_msg != NULL)
			ev.reference = res->dsn_msg->message_id;
		ev.rcpts = tr;
		if (spool_track_add(sp, &ev, &cause) != 0) {
			log_warnx("tracking: %s", cause);
			free(cause);
		}
	}
	free(tr);
}

/*
 * The DSN record of queue_track is the report's, queued by this server:
 * no next hop, no TLS, and a Reference to the original.
 */
static void
queue_track_report(struct track_event *ev, const struct qresult *res)
{
	const struct spool_msg	*dm = res->dsn_msg;

	ev->reference = ev->message_id;
	ev->internal_message_id = dm->id;
	ev->message_id = dm->message_id;
	ev->sender = dm->sender;
	if (env->conf->tracking_subject)
		ev->message_subject = dm->subject;
	ev->total_bytes = dm->size;
	ev->server_hostname = env->server;
	ev->server_ip = NULL;
	ev->client_hostname = NULL;
	ev->tls_protocol = ev->tls_cipher = ev->tls_verify = NULL;
}

/*
 * Remove-Message: fail the picked recipients of qm (queued, not in
 * flight) with the administrative text, Source ADMIN, and a report
 * unless with_ndr is false; the message leaves the spool when nothing is
 * left (lock held, dropped while writing).  1 when it was written (qm may
 * be gone), 0 when nothing was picked, -1 when the write failed.
 */
int
queue_admin_fail(struct queue *q, struct qmsg *qm, const bool *pick,
    bool with_ndr, struct spool **sp)
{
	struct qresult	 res;
	size_t		 i, n = 0;
	int		 rc = 0;

	memset(&res, 0, sizeof res);
	res.qm = qm;
	res.sp = sp;
	res.source = "ADMIN";
	res.no_report = !with_ndr;
	res.idx = xcalloc(qm->m->nrcpts, sizeof *res.idx);
	res.st = xcalloc(qm->m->nrcpts, sizeof *res.st);
	for (i = 0; i < qm->m->nrcpts; i++) {
		if (!pick[i])
			continue;
		if (qm->r[i].queued)
			queue_unqueue_rcpt(q, qm, i);
		qm->r[i].inflight = true;
		qm->r[i].remove = 0;
		res.st[n].code = 550;
		snprintf(res.st[n].text, sizeof res.st[n].text, "%s",
		    ADMIN_TEXT);
		res.idx[n++] = i;
	}
	res.n = n;
	if (n > 0) {
		pthread_mutex_unlock(&q->lock);
		queue_finish(q, &res);
		pthread_mutex_lock(&q->lock);
		rc = res.failed ? -1 : 1;
	}
	free(res.idx);
	free(res.st);
	return (rc);
}

/* ------------------------------------------------------------------ */
/* The scheduler. */

static void *
queue_scheduler(void *arg)
{
	struct queue	*q = arg;
	struct timespec	 ts;

	thread_name("queue-sched");
	pthread_mutex_lock(&q->lock);
	while (!q->stopping) {
		queue_timers(q, time(NULL));
		queue_alarms(q, time(NULL));
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
	int		 k;

	for (k = 0; k < QUEUE_BUCKETS; k++) {
		TAILQ_FOREACH_SAFE(d, &q->buckets[k], hash, dn) {
			queue_dest_clear(q, d);
			if (d->sessions > 0)
				continue;
			TAILQ_REMOVE(&q->buckets[k], d, hash);
			queue_dest_free(d);
		}
	}
}

/*
 * Route with snapshot rt from now on (lock held; rt's reference is
 * taken): jobs not yet in a session are dropped, to be routed again.
 */
void
queue_new_routes(struct queue *q, struct route_table *rt)
{
	route_table_unref(q->rt);
	q->rt = rt;
	queue_unqueue_all(q);
}

/*
 * Once a second (lock held): too-big failures, a new routing snapshot,
 * pending removals, expiry, delay notices, recipients whose retry time
 * has come, and idle queues.  A suspended message neither expires nor
 * gets a delay notice.
 */
static void
queue_timers(struct queue *q, time_t now)
{
	const struct hubd_conf	*c = env->conf;
	struct qmsg		*qm;
	struct qjob		*j;
	struct mta_status	 st;
	time_t			 age;
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
		queue_new_routes(q, env_routes());
		all = true;
	}
	if (q->removals) {
		q->removals = false;
		queue_pending_removals(q);
	}
	if (q->nunsaved > 0 && now >= q->unsaved_next)
		queue_unsaved_write(q, now);
	/* MaxOutboundConnections may have grown since the workers slept. */
	if (!TAILQ_EMPTY(&q->ready) && q->busy < c->max_outbound)
		pthread_cond_broadcast(&q->work);
	/* Restart safely if the list changes while the lock is dropped. */
again:
	TAILQ_FOREACH(qm, &q->msgs, entry) {
		age = now - qm->m->received;
		if (!qm->m->suspended &&
		    (age >= c->message_expiration_timeout ||
		    (c->external_delay_dsn &&
		    age >= c->delay_notification_timeout)) &&
		    queue_expire_due(qm, now)) {
			queue_expire(q, qm, now,
			    age >= c->message_expiration_timeout);
			goto again;
		}
		queue_route_msg(q, qm, now, all);
	}
	queue_idle(q, now);
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
		    qm->r[i].queued || qm->r[i].remove != 0)
			continue;
		if (age >= c->message_expiration_timeout)
			return (true);
		if (c->external_delay_dsn &&
		    age >= c->delay_notification_timeout &&
		    !r->delay_notified && queue_wants_report(qm->m, r,
		    DSN_DELAYED))
			return (true);
	}
	return (false);
}

/*
 * Expire the waiting recipients of qm (NDR), or send the delay notice
 * for them (lock held; dropped while writing).  The recipients of a
 * suspended queue are waiting too: they expire and are reported on.
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
	res.when = now;
	res.idx = xcalloc(qm->m->nrcpts, sizeof *res.idx);
	res.st = xcalloc(qm->m->nrcpts, sizeof *res.st);
	for (i = 0; i < qm->m->nrcpts; i++) {
		r = &qm->m->rcpts[i];
		if (r->state != SPOOL_RCPT_QUEUED || qm->r[i].inflight ||
		    qm->r[i].queued || qm->r[i].remove != 0)
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
 * Recipients whose delivery attempt came back, unsuccessful, while a
 * Remove-Message waited for them: remove them now (lock held).
 */
static void
queue_pending_removals(struct queue *q)
{
	struct qmsg	*qm;
	bool		*pick;
	size_t		 i, n;
	int		 mode;

again:
	TAILQ_FOREACH(qm, &q->msgs, entry) {
		for (mode = QREMOVE_NDR; mode <= QREMOVE_SILENT; mode++) {
			pick = xcalloc(qm->m->nrcpts, sizeof *pick);
			for (i = n = 0; i < qm->m->nrcpts; i++) {
				pick[i] = qm->r[i].remove == mode &&
				    !qm->r[i].inflight &&
				    qm->m->rcpts[i].state == SPOOL_RCPT_QUEUED;
				n += pick[i];
			}
			if (n > 0) {
				queue_admin_fail(q, qm, pick,
				    mode == QREMOVE_NDR, &q->reader);
				free(pick);
				goto again;
			}
			free(pick);
		}
	}
}

/*
 * Drop what has been idle for QueueMaxIdleTime (lock held): dests
 * without jobs or sessions, and then queue records that hold no
 * recipient and no dest.  A dest of an older routing snapshot goes as
 * soon as it is idle (nothing finds it any more).  A suspended queue is
 * kept, so its suspension is not forgotten.
 */
static void
queue_idle(struct queue *q, time_t now)
{
	struct dest	*d, *dn;
	struct qrec	*qr, *qn;
	int		 k;

	TAILQ_FOREACH_SAFE(qr, &q->qrecs, entry, qn) {
		if (qr->nrcpts > 0 || qr->suspended || qr->connecting > 0 ||
		    qr->active > 0)
			qr->idle_since = 0;
		else if (qr->idle_since == 0)
			qr->idle_since = now;
	}
	for (k = 0; k < QUEUE_BUCKETS; k++) {
		TAILQ_FOREACH_SAFE(d, &q->buckets[k], hash, dn) {
			if (d->njobs > 0 || d->sessions > 0 || d->ready) {
				d->idle_since = 0;
				continue;
			}
			if (d->idle_since == 0)
				d->idle_since = now;
			if (d->rt == q->rt &&
			    now - d->idle_since < env->conf->queue_max_idle)
				continue;
			TAILQ_REMOVE(&q->buckets[k], d, hash);
			queue_dest_free(d);
		}
	}
	TAILQ_FOREACH_SAFE(qr, &q->qrecs, entry, qn) {
		if (qr->idle_since == 0 || qr->ndests > 0 ||
		    now - qr->idle_since < env->conf->queue_max_idle)
			continue;
		TAILQ_REMOVE(&q->qrecs, qr, entry);
		TAILQ_REMOVE(&q->qbuckets[queue_qrec_hash(qr->key)], qr, hash);
		queue_qrec_free(qr);
	}
}
