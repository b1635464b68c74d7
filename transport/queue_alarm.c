/*
 * queue_alarm.c - which delivery queues are in alarm, second by second.
 *
 * Once a second the scheduler counts the queues (queue_count) and steps
 * each queue's alarm (alarm_step, alert.c) against its thresholds: the
 * connector's QueueAlertAge and QueueAlertMessageCount, else the server's
 * (Set-TransportService).  A suspended queue is held on purpose and is
 * never over.  The Unreachable queue (mail no connector takes) is
 * watched too, on the server's thresholds.  An alarm lives in q->alarms from its raise to its
 * recovery, linked to its queue while the queue exists; a queue dropped
 * as idle leaves its alarm to recover on its own.
 *
 * Raised alarms are kept in the spool (spool_alarm_*), so that hubd,
 * started again, neither alerts twice for one alarm nor forgets to say
 * when it ends: queue_alarm_load() makes them again, unlinked, and the
 * first queue over a threshold with the same key takes its alarm back.
 * The spool is written and the alert posted with the lock dropped.
 */
#include <sys/queue.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "xmalloc.h"
#include "queue_int.h"

/* The key of the Unreachable queue's alarm (a qrec's has a '|'). */
#define QUEUE_UNREACHABLE	"Unreachable"

/* A connector's own threshold, which may put a queue in alarm. */
#define QUEUE_ALERT_SET(v)	((v) != ALERT_SERVER && (v) != ALERT_UNLIMITED)

/* A change to tell, made with the lock held and sent without it. */
struct qalarm_news {
	struct alert		*al;
	struct spool_alarm	 row;	/* set when raised, else cleared */
	TAILQ_ENTRY(qalarm_news) entry;
};
TAILQ_HEAD(qalarm_news_list, qalarm_news);

static struct qalarm *queue_alarm_new(struct queue *, const char *,
		    const char *, const char *, int64_t);
static void	 queue_alarm_free(struct qalarm *);
static bool	 queue_alarm_over(int, int, int64_t, int64_t, time_t);
static void	 queue_alarm_limits(const struct queue *, const struct qrec *,
		    int *, int *);
static void	 queue_alarm_step(struct queue *, struct qalarm *, bool,
		    time_t, struct qalarm_news_list *);
static void	 queue_alarm_unreachable(struct queue *, int64_t, int64_t,
		    time_t, struct qalarm_news_list *);

/* The alarms the spool kept (before the scheduler starts). */
int
queue_alarm_load(struct queue *q, char **cause)
{
	struct spool_alarm	*v;
	struct qalarm		*qa;
	size_t			 n, i;

	if (spool_alarm_load(q->reader, &v, &n, cause) != 0)
		return (-1);
	for (i = 0; i < n; i++) {
		qa = queue_alarm_new(q, v[i].key, v[i].connector,
		    v[i].next_hop, v[i].started);
		qa->a.raised = true;
		qa->unreachable = strcmp(qa->key, QUEUE_UNREACHABLE) == 0;
		log_info("queue to %s (connector %s) is still in alarm, "
		    "since %" PRId64, qa->next_hop, qa->connector != NULL ?
		    qa->connector : "none", qa->a.started);
	}
	spool_alarm_list_free(v, n);
	return (0);
}

static struct qalarm *
queue_alarm_new(struct queue *q, const char *key, const char *connector,
    const char *next_hop, int64_t started)
{
	struct qalarm	*qa;

	qa = xcalloc(1, sizeof *qa);
	qa->key = xstrdup(key);
	qa->connector = connector != NULL ? xstrdup(connector) : NULL;
	qa->next_hop = xstrdup(next_hop);
	qa->a.started = started;
	TAILQ_INSERT_TAIL(&q->alarms, qa, entry);
	return (qa);
}

static void
queue_alarm_free(struct qalarm *qa)
{
	if (qa->qr != NULL)
		qa->qr->alarm = NULL;
	free(qa->key);
	free(qa->connector);
	free(qa->next_hop);
	free(qa->last_error);
	free(qa);
}

/* Free every alarm (queue_stop; the spool keeps the raised ones). */
void
queue_alarm_free_all(struct queue *q)
{
	struct qalarm	*qa;

	while ((qa = TAILQ_FIRST(&q->alarms)) != NULL) {
		TAILQ_REMOVE(&q->alarms, qa, entry);
		queue_alarm_free(qa);
	}
}

/* A queue is going away: its alarm goes on without it. */
void
queue_alarm_unlink(struct qrec *qr)
{
	if (qr->alarm != NULL)
		qr->alarm->qr = NULL;
	qr->alarm = NULL;
}

/*
 * Is a queue whose oldest message was received at oldest (0: empty) and
 * which holds n messages over the thresholds age and count?
 */
static bool
queue_alarm_over(int age, int count, int64_t oldest, int64_t n, time_t now)
{
	return ((age != ALERT_UNLIMITED && oldest != 0 &&
	    now - oldest >= age) || (count != ALERT_UNLIMITED && n >= count));
}

/* The thresholds of qr: its connector's, else the server's. */
static void
queue_alarm_limits(const struct queue *q, const struct qrec *qr, int *age,
    int *count)
{
	const struct send_connector	*sc;

	*age = env->conf->queue_alert_age;
	*count = env->conf->queue_alert_message_count;
	if (q->rt == NULL || (sc = route_find_guid(q->rt, qr->guid)) == NULL)
		return;
	if (sc->queue_alert_age != ALERT_SERVER)
		*age = sc->queue_alert_age;
	if (sc->queue_alert_message_count != ALERT_SERVER)
		*count = sc->queue_alert_message_count;
}

/*
 * One second of every alarm (lock held): the news to send is appended
 * to the list, which queue_alarms() sends with the lock dropped.
 */
static void
queue_alarm_tick(struct queue *q, time_t now, struct qalarm_news_list *news)
{
	struct qrec	*qr;
	struct qalarm	*qa, *qn;
	int64_t		 nsub, nunr, unr_oldest = 0;
	int		 age, count;
	bool		 over;

	queue_count_unr(q, now, &nsub, &nunr, &unr_oldest);
	TAILQ_FOREACH(qa, &q->alarms, entry)
		qa->seen = false;
	TAILQ_FOREACH(qr, &q->qrecs, entry) {
		queue_alarm_limits(q, qr, &age, &count);
		over = !qr->suspended && queue_alarm_over(age, count,
		    qr->oldest, qr->count, now);
		if ((qa = qr->alarm) == NULL) {
			if (!over)
				continue;
			/* An alarm kept over a restart, or a new one. */
			TAILQ_FOREACH(qa, &q->alarms, entry) {
				if (qa->qr == NULL &&
				    strcasecmp(qa->key, qr->key) == 0)
					break;
			}
			if (qa == NULL)
				qa = queue_alarm_new(q, qr->key,
				    qr->connector, qr->next_hop, 0);
			qa->qr = qr;
			qr->alarm = qa;
		}
		qa->age = age;
		qa->count = count;
		queue_alarm_step(q, qa, over, now, news);
	}
	queue_alarm_unreachable(q, nunr, unr_oldest, now, news);
	TAILQ_FOREACH_SAFE(qa, &q->alarms, entry, qn) {
		if (!qa->seen)
			queue_alarm_step(q, qa, false, now, news);
	}
}

/*
 * The Unreachable queue (messages no connector takes), on the server's
 * thresholds: its alarm has the key QUEUE_UNREACHABLE, never a qrec.
 */
static void
queue_alarm_unreachable(struct queue *q, int64_t n, int64_t oldest,
    time_t now, struct qalarm_news_list *news)
{
	const struct hubd_conf	*c = env->conf;
	struct qalarm		*qa;
	bool			 over;

	over = !q->unreach_suspended && queue_alarm_over(c->queue_alert_age,
	    c->queue_alert_message_count, oldest, n, now);
	TAILQ_FOREACH(qa, &q->alarms, entry) {
		if (strcmp(qa->key, QUEUE_UNREACHABLE) == 0)
			break;
	}
	if (qa == NULL) {
		if (!over)
			return;
		qa = queue_alarm_new(q, QUEUE_UNREACHABLE, NULL,
		    "Unreachable", 0);
	}
	qa->unreachable = true;
	snprintf(qa->queue, sizeof qa->queue, "%s\\Unreachable",
	    env->server);
	qa->messages = n;
	qa->oldest = oldest;
	qa->age = c->queue_alert_age;
	qa->count = c->queue_alert_message_count;
	queue_alarm_step(q, qa, over, now, news);
}

/*
 * Step one alarm; what its queue shows now is kept for the alert (a
 * queue gone has no messages, and its failure is the last one seen).
 */
static void
queue_alarm_step(struct queue *q, struct qalarm *qa, bool over, time_t now,
    struct qalarm_news_list *news)
{
	struct qalarm_news	*nw;
	struct qrec		*qr = qa->qr;
	struct alert		*al;
	enum alarm_change	 ch;
	char			 ident[64];

	qa->seen = true;
	if (qr != NULL) {
		free(qa->connector);
		qa->connector = xstrdup(qr->connector);
		free(qa->next_hop);
		qa->next_hop = xstrdup(qr->next_hop);
		if (qr->last_class != FAIL_NONE)
			qa->fail_class = qr->last_class;
		if (qr->last_error != NULL && (qa->last_error == NULL ||
		    strcmp(qa->last_error, qr->last_error) != 0)) {
			free(qa->last_error);
			qa->last_error = xstrdup(qr->last_error);
		}
		qa->messages = qr->count;
		qa->oldest = qr->oldest;
		snprintf(qa->queue, sizeof qa->queue, "%s\\%" PRIu64,
		    env->server, qr->id);
	} else if (!qa->unreachable) {
		qa->messages = 0;
		qa->oldest = 0;
	}
	if ((ch = alarm_step(&qa->a, over, now,
	    env->conf->alert_recovery_time)) == ALARM_SAME)
		return;

	al = xcalloc(1, sizeof *al);
	al->kind = ch == ALARM_RAISED ? ALERT_RAISED : ALERT_RECOVERED;
	if (qa->queue[0] == '\0') {
		/* Gone since a restart: only its next hop is known. */
		snprintf(ident, sizeof ident, "%s\\%s", env->server,
		    qa->next_hop);
		al->queue = xstrdup(ident);
	} else
		al->queue = xstrdup(qa->queue);
	al->next_hop = xstrdup(qa->next_hop);
	al->connector = qa->connector != NULL ? xstrdup(qa->connector) :
	    NULL;
	al->fail_class = qa->fail_class != FAIL_NONE ?
	    fail_class_name(qa->fail_class) : NULL;
	al->last_error = qa->last_error != NULL ? xstrdup(qa->last_error) :
	    NULL;
	al->message_count = qa->messages;
	al->oldest_age = qa->oldest != 0 ? now - qa->oldest : 0;
	al->age_threshold = qa->age;
	al->count_threshold = qa->count;
	al->started = qa->a.started;
	al->at = now;

	nw = xcalloc(1, sizeof *nw);
	nw->al = al;
	nw->row.key = xstrdup(qa->key);
	if (al->kind == ALERT_RAISED) {
		nw->row.connector = al->connector != NULL ?
		    xstrdup(al->connector) : NULL;
		nw->row.next_hop = xstrdup(qa->next_hop);
		nw->row.started = qa->a.started;
	} else {
		TAILQ_REMOVE(&q->alarms, qa, entry);
		queue_alarm_free(qa);
	}
	TAILQ_INSERT_TAIL(news, nw, entry);
}

/*
 * Once a second, from the scheduler (lock held, dropped while the spool
 * is written and the alerts posted).  Nothing to do, and no counting,
 * when no threshold is set and no alarm is on.
 */
void
queue_alarms(struct queue *q, time_t now)
{
	struct qalarm_news_list	 news = TAILQ_HEAD_INITIALIZER(news);
	struct qalarm_news	*nw;
	char			*cause = NULL;

	if (TAILQ_EMPTY(&q->alarms) && !queue_alarm_wanted(q))
		return;
	queue_alarm_tick(q, now, &news);
	if (TAILQ_EMPTY(&news))
		return;

	pthread_mutex_unlock(&q->lock);
	while ((nw = TAILQ_FIRST(&news)) != NULL) {
		TAILQ_REMOVE(&news, nw, entry);
		if ((nw->al->kind == ALERT_RAISED ? spool_alarm_set(q->reader, &nw->row,
		    &cause) : spool_alarm_clear(q->reader, nw->row.key,
		    &cause)) != 0) {
			log_warnx("queue %s: the alarm is not kept over a "
			    "restart: %s", nw->al->queue, cause);
			free(cause);
			cause = NULL;
		}
		alert_post(nw->al);
		free(nw->row.key);
		free(nw->row.connector);
		free(nw->row.next_hop);
		free(nw);
	}
	pthread_mutex_lock(&q->lock);
}

/* Is any threshold set, on the server or on a connector? */
bool
queue_alarm_wanted(const struct queue *q)
{
	const struct hubd_conf		*c = env->conf;
	const struct send_connector	*sc;
	size_t				 i;

	if (c->queue_alert_age != ALERT_UNLIMITED ||
	    c->queue_alert_message_count != ALERT_UNLIMITED)
		return (true);
	for (i = 0; q->rt != NULL &&
	    (sc = route_table_connector(q->rt, i)) != NULL; i++) {
		if (QUEUE_ALERT_SET(sc->queue_alert_age) ||
		    QUEUE_ALERT_SET(sc->queue_alert_message_count))
			return (true);
	}
	return (false);
}
