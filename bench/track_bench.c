/*
 * track_bench.c - the message tracking log of hubd's spool under load:
 * fill, query and prune through store/store.h, as hubd and hubsh do.
 *
 * Built by bench/tracking.sh alone (cc against a build directory's
 * libstore.a and libcommon.a), not by the Makefile.
 *
 *	track_bench fill PATH EVENTS DAYS
 *	track_bench query PATH RUNS
 *	track_bench plan PATH
 *	track_bench prune PATH DAYS BATCH
 *
 * fill writes EVENTS events spread evenly over DAYS days from T0, as
 * messages: RECEIVE, then SEND (85 %), DEFER then SEND (10 %), or DEFER,
 * FAIL and DSN (5 %); 1-3 recipients, 5,000 senders, 20,000 recipient
 * addresses.  query times each case RUNS times and prints one JSON object
 * per case.  prune deletes what is older than T0 + DAYS days, BATCH
 * events per transaction, and prints one JSON object.
 */
#include <sys/types.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store.h"
#include "store_int.h"		/* spool_track_sql(), for plan */
#include "xmalloc.h"

#define T0		1767225600000LL		/* 2026-01-01T00:00:00Z */
#define DAY_MS		86400000LL
#define QUERY_DAY	15		/* the one-day window: day 15 */
#define N_SENDERS	5000
#define N_RCPTS		20000
#define FILL_GROUP	2000		/* events per transaction */
#define MAX_RUNS	101

struct pick {			/* values from the queried day */
	char	sender[128];
	char	rcpt[128];
	char	message_id[128];
};

struct count {
	int64_t	events;
	int64_t	rcpts;
	size_t	bytes;		/* string bytes touched */
};

struct qcase {
	const char	*name;
	int		 day;	/* restrict to the one-day window */
	int		 what;
};

enum { Q_NONE, Q_SENDER, Q_RCPT, Q_SEND, Q_MSGID, Q_SUBJECT, Q_LIMIT };

static const struct qcase qcases[] = {
	{ "day", 1, Q_NONE },
	{ "day_sender", 1, Q_SENDER },
	{ "day_recipients", 1, Q_RCPT },
	{ "day_eventid_send", 1, Q_SEND },
	{ "day_messageid", 1, Q_MSGID },
	{ "day_subject", 1, Q_SUBJECT },
	{ "day_resultsize_1000", 1, Q_LIMIT },
	{ "all_sender", 0, Q_SENDER },
	{ "all_recipients", 0, Q_RCPT },
	{ "all_messageid", 0, Q_MSGID },
	{ "all_subject", 0, Q_SUBJECT },
};

static const char *subjects[] = {
	"Invoice %u for your order", "Re: meeting notes, week %u",
	"Quarterly report Q%u", "Order confirmation #%u",
	"Weekly newsletter no. %u", "Your password expires in %u days",
	"Fwd: project plan v%u", "Delivery scheduled: parcel %u",
	"Lunch on Friday? (%u)", "Build %u failed",
};

static uint64_t	rng = 0x9e3779b97f4a7c15ULL;

static void	 usage(void) __attribute__((noreturn));
static void	 die(const char *, const char *) __attribute__((noreturn));
static uint32_t	 rnd(uint32_t);
static double	 now_ms(void);
static double	 cpu_ms(void);
static int	 cmd_fill(const char *, int64_t, int);
static int	 cmd_query(const char *, int);
static int	 cmd_plan(const char *);
static int	 cmd_prune(const char *, int, int64_t);
static int	 on_count(const struct track_event *, void *);
static int	 on_pick(const struct track_event *, void *);
static void	 set_case(struct track_query *, const struct qcase *,
		     const struct pick *, const char **);
static int	 cmp_double(const void *, const void *);

static void
usage(void)
{
	fprintf(stderr, "usage: track_bench fill PATH EVENTS DAYS\n"
	    "       track_bench query PATH RUNS\n"
	    "       track_bench plan PATH\n"
	    "       track_bench prune PATH DAYS BATCH\n");
	exit(2);
}

static void
die(const char *what, const char *cause)
{
	fprintf(stderr, "track_bench: %s: %s\n", what,
	    cause != NULL ? cause : "failed");
	exit(1);
}

/* xorshift64*: a fixed sequence, so every fill is the same. */
static uint32_t
rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return ((uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32) % n);
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/* CPU time of the process (user and system), ms. */
static double
cpu_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

int
main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	if (strcmp(argv[1], "fill") == 0 && argc == 5)
		return (cmd_fill(argv[2], strtoll(argv[3], NULL, 10),
		    atoi(argv[4])));
	if (strcmp(argv[1], "query") == 0 && argc == 4)
		return (cmd_query(argv[2], atoi(argv[3])));
	if (strcmp(argv[1], "plan") == 0 && argc == 3)
		return (cmd_plan(argv[2]));
	if (strcmp(argv[1], "prune") == 0 && argc == 5)
		return (cmd_prune(argv[2], atoi(argv[3]),
		    strtoll(argv[4], NULL, 10)));
	usage();
}

/* Add ev, committing every FILL_GROUP events. */
static void
add(struct spool *sp, struct track_event *ev, int64_t *n)
{
	char	*cause = NULL;

	if (*n % FILL_GROUP == 0 && spool_begin(sp, &cause) != 0)
		die("begin", cause);
	if (spool_track_add(sp, ev, &cause) != 0)
		die("track_add", cause);
	if (++*n % FILL_GROUP == 0 && spool_commit(sp, &cause) != 0)
		die("commit", cause);
}

static int
cmd_fill(const char *path, int64_t total, int days)
{
	struct spool		*sp;
	struct track_event	 ev;
	struct track_rcpt	 r[3], dsn;
	char			 sender[64], addr[3][64], msgid[64];
	char			 subject[96], *cause = NULL;
	int64_t			 n = 0, msgs = 0, t, span;
	double			 t0;
	uint32_t		 k, fate;
	size_t			 i, nr;

	if (spool_open(&sp, path, &cause) != 0)
		die(path, cause);
	span = (int64_t)days * DAY_MS;
	t0 = now_ms();
	while (n < total) {
		t = T0 + n * span / total;
		k = rnd(N_SENDERS);
		snprintf(sender, sizeof sender, "user%u@sender%u.example",
		    k, k % 300);
		snprintf(msgid, sizeof msgid, "<%016" PRIx64 ".%" PRId64
		    "@mail.sender.example>", rng, msgs);
		snprintf(subject, sizeof subject,
		    subjects[rnd(sizeof subjects / sizeof subjects[0])],
		    rnd(100000));
		nr = 1 + rnd(3);
		for (i = 0; i < nr; i++) {
			k = rnd(N_RCPTS);
			snprintf(addr[i], sizeof addr[i],
			    "rcpt%u@dest%u.example", k, k % 1000);
			r[i].addr = addr[i];
			r[i].status = NULL;
		}
		memset(&ev, 0, sizeof ev);
		ev.timestamp_ms = t;
		ev.event_id = "RECEIVE";
		ev.source = "SMTP";
		ev.internal_message_id = ++msgs;
		ev.message_id = msgid;
		ev.sender = sender;
		ev.message_subject = subject;
		ev.server_hostname = "HUB1";
		ev.server_ip = "192.0.2.10";
		ev.client_hostname = "client.sender.example";
		ev.client_ip = "198.51.100.7";
		ev.total_bytes = 2000 + rnd(60000);
		ev.rcpts = r;
		ev.nrcpts = nr;
		add(sp, &ev, &n);

		ev.source = "SMTP";
		ev.connector_id = "Internet";
		ev.client_hostname = ev.client_ip = NULL;
		ev.server_ip = "203.0.113.25";
		fate = rnd(100);
		if (fate >= 85) {
			ev.timestamp_ms = t + 800;
			ev.event_id = "DEFER";
			for (i = 0; i < nr; i++)
				r[i].status = "451 4.4.0 Primary target IP "
				    "address responded with: \"421 busy\"";
			add(sp, &ev, &n);
		}
		ev.tls_protocol = "TLSv1.3";
		ev.tls_cipher = "TLS_AES_256_GCM_SHA384";
		ev.tls_verify = "DomainValidation ok";
		if (fate < 95) {
			ev.timestamp_ms = t + (fate < 85 ? 900 : 300000);
			ev.event_id = "SEND";
			for (i = 0; i < nr; i++)
				r[i].status = "250 2.0.0 OK";
			add(sp, &ev, &n);
			continue;
		}
		ev.timestamp_ms = t + 600000;
		ev.event_id = "FAIL";
		for (i = 0; i < nr; i++)
			r[i].status = "550 5.1.1 User unknown";
		add(sp, &ev, &n);
		ev.timestamp_ms = t + 600001;
		ev.event_id = "DSN";
		ev.source = "DSN";
		ev.sender = "";
		ev.connector_id = NULL;
		ev.tls_protocol = ev.tls_cipher = ev.tls_verify = NULL;
		dsn.addr = sender;
		dsn.status = NULL;
		ev.rcpts = &dsn;
		ev.nrcpts = 1;
		ev.internal_message_id = ++msgs;
		add(sp, &ev, &n);
	}
	if (n % FILL_GROUP != 0 && spool_commit(sp, &cause) != 0)
		die("commit", cause);
	printf("{\"case\": \"fill\", \"events\": %" PRId64 ", \"messages\": "
	    "%" PRId64 ", \"days\": %d, \"ms\": %.0f}\n", n, msgs, days,
	    now_ms() - t0);
	spool_close(sp);
	return (0);
}

static int
on_count(const struct track_event *ev, void *arg)
{
	struct count	*c = arg;
	size_t		 i;

	c->events++;
	c->rcpts += (int64_t)ev->nrcpts;
	c->bytes += strlen(ev->event_id);
	if (ev->sender != NULL)
		c->bytes += strlen(ev->sender);
	if (ev->message_subject != NULL)
		c->bytes += strlen(ev->message_subject);
	for (i = 0; i < ev->nrcpts; i++)
		c->bytes += strlen(ev->rcpts[i].addr);
	return (0);
}

/* The first RECEIVE from noon of the queried day gives the values. */
static int
on_pick(const struct track_event *ev, void *arg)
{
	struct pick	*p = arg;

	if (strcmp(ev->event_id, "RECEIVE") != 0 || ev->nrcpts == 0)
		return (0);
	snprintf(p->sender, sizeof p->sender, "%s", ev->sender);
	snprintf(p->rcpt, sizeof p->rcpt, "%s", ev->rcpts[0].addr);
	snprintf(p->message_id, sizeof p->message_id, "%s", ev->message_id);
	return (1);
}

static void
set_case(struct track_query *q, const struct qcase *c, const struct pick *p,
    const char **rcpt)
{
	track_query_init(q);
	if (c->day) {
		q->start_ms = T0 + QUERY_DAY * DAY_MS;
		q->end_ms = q->start_ms + DAY_MS;
	}
	switch (c->what) {
	case Q_SENDER:
		q->sender = p->sender;
		break;
	case Q_RCPT:
		*rcpt = p->rcpt;
		q->recipients = rcpt;
		q->nrecipients = 1;
		break;
	case Q_SEND:
		q->event_id = "SEND";
		break;
	case Q_MSGID:
		q->message_id = p->message_id;
		break;
	case Q_SUBJECT:
		q->subject = "invoice";
		break;
	case Q_LIMIT:
		q->limit = 1000;
		break;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static void
pick_values(struct spool *sp, struct pick *p)
{
	struct track_query	 q;
	char			*cause = NULL;

	memset(p, 0, sizeof *p);
	track_query_init(&q);
	q.start_ms = T0 + QUERY_DAY * DAY_MS + DAY_MS / 2;
	if (spool_track_query(sp, &q, on_pick, p, &cause) != 0)
		die("pick", cause);
	if (*p->sender == '\0')
		die("pick", "no RECEIVE on the queried day");
}

static int
cmd_query(const char *path, int runs)
{
	struct spool		*sp;
	struct track_query	 q;
	struct pick		 p;
	struct count		 c;
	const char		*rcpt;
	char			*cause = NULL;
	double			 ms[MAX_RUNS], cpu[MAX_RUNS], t, c0;
	size_t			 i;
	int			 r;

	if (runs < 1 || runs > MAX_RUNS)
		usage();
	if (spool_open(&sp, path, &cause) != 0)
		die(path, cause);
	pick_values(sp, &p);
	for (i = 0; i < sizeof qcases / sizeof qcases[0]; i++) {
		set_case(&q, &qcases[i], &p, &rcpt);
		for (r = 0; r < runs; r++) {
			memset(&c, 0, sizeof c);
			c0 = cpu_ms();
			t = now_ms();
			if (spool_track_query(sp, &q, on_count, &c,
			    &cause) != 0)
				die(qcases[i].name, cause);
			ms[r] = now_ms() - t;
			cpu[r] = cpu_ms() - c0;
		}
		qsort(ms, (size_t)runs, sizeof ms[0], cmp_double);
		qsort(cpu, (size_t)runs, sizeof cpu[0], cmp_double);
		printf("{\"case\": \"%s\", \"runs\": %d, \"median_ms\": %.2f, "
		    "\"min_ms\": %.2f, \"max_ms\": %.2f, \"median_cpu_ms\": "
		    "%.2f, \"events\": %" PRId64 ", \"recipients\": %" PRId64
		    ", \"value\": \"%s\"}\n", qcases[i].name, runs,
		    ms[runs / 2], ms[0], ms[runs - 1], cpu[runs / 2],
		    c.events, c.rcpts, qcases[i].what == Q_SENDER ? p.sender :
		    qcases[i].what == Q_RCPT ? p.rcpt :
		    qcases[i].what == Q_MSGID ? p.message_id :
		    qcases[i].what == Q_SUBJECT ? "invoice" :
		    qcases[i].what == Q_SEND ? "SEND" : "");
		fflush(stdout);
	}
	spool_close(sp);
	return (0);
}

/* EXPLAIN QUERY PLAN of each case's SQL, on a connection of its own. */
static int
cmd_plan(const char *path)
{
	struct track_query	 q;
	struct pick		 p;
	sqlite3			*db;
	sqlite3_stmt		*st;
	const char		*rcpt;
	char			*sql, *eqp;
	size_t			 i;

	memset(&p, 0, sizeof p);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	for (i = 0; i < sizeof qcases / sizeof qcases[0]; i++) {
		set_case(&q, &qcases[i], &p, &rcpt);
		sql = spool_track_sql(&q, NULL);
		eqp = xprintf("EXPLAIN QUERY PLAN %s", sql);
		printf("%s:\n", qcases[i].name);
		if (sqlite3_prepare_v2(db, eqp, -1, &st, NULL) != SQLITE_OK)
			die("plan", sqlite3_errmsg(db));
		while (sqlite3_step(st) == SQLITE_ROW)
			printf("  %s\n", sqlite3_column_text(st, 3));
		sqlite3_finalize(st);
		free(eqp);
		free(sql);
	}
	sqlite3_close(db);
	return (0);
}

static int
cmd_prune(const char *path, int days, int64_t batch)
{
	struct spool	*sp;
	char		*cause = NULL;
	int64_t		 n, total = 0;
	double		 t0, t, *ms = NULL;
	size_t		 nb = 0;

	if (spool_open(&sp, path, &cause) != 0)
		die(path, cause);
	t0 = now_ms();
	do {
		t = now_ms();
		if (spool_begin(sp, &cause) != 0 ||
		    spool_track_prune(sp, T0 + days * DAY_MS, batch, &n,
		    &cause) != 0 || spool_commit(sp, &cause) != 0)
			die("prune", cause);
		ms = xreallocarray(ms, nb + 1, sizeof *ms);
		ms[nb++] = now_ms() - t;
		total += n;
	} while (n > 0);
	t = now_ms() - t0;
	/* The last transaction found nothing: leave it out. */
	if (nb > 1)
		nb--;
	qsort(ms, nb, sizeof ms[0], cmp_double);
	printf("{\"case\": \"prune\", \"days\": %d, \"batch\": %" PRId64
	    ", \"deleted\": %" PRId64 ", \"batches\": %zu, \"total_ms\": "
	    "%.0f, \"median_batch_ms\": %.1f, \"longest_batch_ms\": %.1f}\n",
	    days, batch, total, nb, t, ms[nb / 2], ms[nb - 1]);
	free(ms);
	spool_close(sp);
	return (0);
}
