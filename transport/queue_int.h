/*
 * queue_int.h - private definitions shared by queue.c (the queue
 * manager) and queue_ctl.c (its control-channel verbs).
 *
 * Nothing else includes this header: the rest of hubd knows struct queue
 * only by the functions of transport.h.  Here are the queue's structures
 * (messages, recipients, delivery queues, destinations) and the queue
 * manager's functions that the verbs call, all with q->lock held.
 */
#ifndef HUBSH_QUEUE_INT_H
#define HUBSH_QUEUE_INT_H

#include <sys/queue.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "transport.h"

#ifndef TAILQ_FOREACH_SAFE	/* glibc's sys/queue.h lacks it */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#define QUEUE_BUCKETS		1024	/* destination hash buckets */
#define QUEUE_RATE_SECS		60	/* rates are over the last minute */

/* A Remove-Message waiting for an in-flight recipient to come back. */
#define QREMOVE_NDR	1
#define QREMOVE_SILENT	2

struct dest;
struct qjob;
struct qrec;

/* A queue in alarm (queue_alarm.c), from its raise to its recovery. */
struct qalarm {
	char			*key;		/* its queue's key */
	char			*connector;
	char			*next_hop;
	char			 queue[64];	/* "SERVER\3"; "" if unseen */
	struct qrec		*qr;		/* its queue, or NULL */
	bool			 unreachable;	/* the Unreachable queue's */
	struct alarm		 a;
	enum fail_class		 fail_class;	/* the last failure's */
	char			*last_error;
	int64_t			 messages, oldest;
	int			 age, count;	/* its thresholds */
	bool			 seen;		/* this second */
	TAILQ_ENTRY(qalarm)	 entry;
};

/* Memory-only state of one recipient. */
struct qrcpt {
	bool		 inflight;	/* a worker holds it */
	bool		 unreachable;	/* no connector matched */
	bool		 queued;	/* in a job on a destination */
	uint8_t		 remove;	/* QREMOVE_*: Remove-Message pending */
	struct qrec	*qr;		/* its delivery queue, or NULL */
	struct qjob	*job;		/* the job it is in, when queued */
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
	struct dest		*d;
	size_t			*idx;
	size_t			 n;
	TAILQ_ENTRY(qjob)	 entry;
};

/* Messages a second into or out of a queue, one slot per second. */
struct qrate {
	int64_t		 sec[QUEUE_RATE_SECS];
	int		 n[QUEUE_RATE_SECS];
};

/* A delivery queue as Get-Queue shows it (see the top of the file). */
struct qrec {
	uint64_t		 id;		/* Identity: SERVER\id */
	char			*key;		/* "guid|domain" or "guid|" */
	char			 guid[37];	/* NextHopConnector */
	char			*connector;	/* its name, for the metrics */
	bool			 dns;		/* DnsConnectorDelivery */
	char			*next_hop;	/* NextHopDomain */
	char			*tls_domain;	/* TlsDomain, or NULL */
	bool			 suspended;	/* Suspend-Queue */
	int			 connecting;	/* sessions opening */
	int			 active;	/* sessions open */
	int			 retry_count;	/* failed connects in a row */
	int64_t			 first_retry;	/* Unix ms; 0: none */
	int64_t			 last_retry;
	int64_t			 next_retry;
	char			*last_error;
	/* Health: failures since a session last opened, by class. */
	int			 fails[FAIL_NCLASSES];
	enum fail_class		 last_class;	/* of the last failure */
	struct qalarm		*alarm;		/* while in alarm */
	int64_t			 last_delivery;	/* Unix ms; 0: none yet */
	char			*last_tls;	/* that session's TLS, in words */
	struct qrate		 in, out;
	size_t			 nrcpts;	/* recipients that name it */
	int			 ndests;	/* dests that name it */
	time_t			 idle_since;
	/* Counting for Get-Queue (lock held). */
	const struct qmsg	*mark, *dmark;
	int64_t			 count, deferred, wait;
	int64_t			 oldest;	/* DateReceived, Unix s */
	TAILQ_ENTRY(qrec)	 entry;		/* q->qrecs, by id */
	TAILQ_ENTRY(qrec)	 hash;
};

TAILQ_HEAD(qrec_list, qrec);

struct dest {
	char			*key;
	struct route_table	*rt;		/* keeps sc alive */
	const struct send_connector *sc;
	char			*domain;
	struct qrec		*qr;
	TAILQ_HEAD(, qjob)	 jobs;
	size_t			 njobs;
	int			 sessions;
	int			 lingering;	/* sessions waiting for work */
	pthread_cond_t		 more;		/* work for a lingering one */
	bool			 ready;		/* on q->ready */
	time_t			 idle_since;
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
	struct qrec_list	 qrecs;
	struct qrec_list	 qbuckets[QUEUE_BUCKETS];
	uint64_t		 last_qid;
	bool			 submit_suspended;
	bool			 unreach_suspended;
	bool			 removals;	/* a PendingRemove came back */
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

	/* Queues in alarm (queue_alarm.c). */
	TAILQ_HEAD(, qalarm)	 alarms;

	/* Outcomes waiting to be written, oldest first. */
	TAILQ_HEAD(, qunsaved)	 unsaved;
	size_t			 nunsaved;
	time_t			 unsaved_next;	/* the next write attempt */
	int			 unsaved_backoff; /* s */
	time_t			 unsaved_logged;
};

/* Unix milliseconds now. */
int64_t		 queue_now_ms(void);
/* Messages a second over the last minute. */
double		 queue_rate(const struct qrate *, time_t);
/* Route the message's recipients; fresh: the routing changed. */
void		 queue_route_msg(struct queue *, struct qmsg *, time_t, bool);
/* Make qr the delivery queue of recipient i. */
void		 queue_rcpt_setq(struct qmsg *, size_t, struct qrec *);
/* Take recipient i out of the job it waits in. */
void		 queue_unqueue_rcpt(struct queue *, struct qmsg *, size_t);
/* Drop the jobs waiting on d: they will be routed again. */
void		 queue_dest_clear(struct queue *, struct dest *);
/* Route with snapshot rt (its reference taken) from now on. */
void		 queue_new_routes(struct queue *, struct route_table *);
/*
 * Remove-Message: fail the picked recipients of qm (lock dropped while
 * writing); 1 written (qm may be gone), 0 none picked, -1 write failed.
 */
int		 queue_admin_fail(struct queue *, struct qmsg *,
		     const bool *, bool, struct spool **);

/* Count every queue's messages (Get-Queue's MessageCount and more). */
void		 queue_count(struct queue *, time_t, int64_t *nsub,
		     int64_t *nunr);
void		 queue_count_unr(struct queue *, time_t, int64_t *nsub,
		     int64_t *nunr, int64_t *unr_oldest);

/* queue_alarm.c */
int		 queue_alarm_load(struct queue *, char **cause);
void		 queue_alarm_free_all(struct queue *);
void		 queue_alarm_unlink(struct qrec *);
void		 queue_alarms(struct queue *, time_t);
bool		 queue_alarm_wanted(const struct queue *);

#endif
