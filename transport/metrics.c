/*
 * metrics.c - hubd's metrics, in Prometheus's text format (0.0.4), on an
 * HTTP listener of their own (metrics-listen; libmicrohttpd serves it).
 *
 * The threads count what happens as it happens (metrics_accepted,
 * metrics_delivery, metrics_conn_failure, metrics_commit): relaxed
 * atomic adds into fixed arrays, so counting costs a delivery or an SMTP
 * session nothing it would notice, and every label set is bounded by a
 * table here (sources, outcomes, TLS versions, verifications, failure
 * classes, histogram buckets).  A scrape adds the gauges read at that
 * moment: each delivery queue's messages, oldest message and retries
 * (queue_metrics, under the queue's lock), the control channel's
 * requests per operation (control_metrics), the spool's size on disk
 * and whether the store answers.  No label carries a message, an
 * address or anything a client sent.
 *
 * The listener answers GET and HEAD of /metrics and nothing else (404
 * for another path, 405 for another method), with bounds of its own:
 * METRICS_MAX_CONNS connections at once, METRICS_PER_IP from one
 * address, METRICS_TIMEOUT_SECS idle, METRICS_CONN_MEMORY bytes of
 * buffers each, which also bounds a request's header.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

#include "xmalloc.h"
#include "transport.h"

#ifndef HUBSH_VERSION
#define HUBSH_VERSION		"0"
#endif

#define METRICS_MAX_CONNS	16
#define METRICS_PER_IP		4
#define METRICS_TIMEOUT_SECS	10
#define METRICS_CONN_MEMORY	(32 * 1024)
#define METRICS_BACKLOG		16
#define METRICS_TYPE		"text/plain; version=0.0.4; charset=utf-8"

/* Label values; the last of each is what anything else counts as. */
static const char *const m_sources[] = { "smtp", "pickup", "dsn" };
static const char *const m_outcomes[] = { "sent", "deferred", "failed" };
static const char *const m_versions[] = { "none", "TLSv1.2", "TLSv1.3",
    "other" };
static const char *const m_verifies[] = { "none", "EncryptionOnly",
    "CertificateValidation", "DomainValidation" };

#define NSOURCES	(sizeof m_sources / sizeof m_sources[0])
#define NOUTCOMES	(sizeof m_outcomes / sizeof m_outcomes[0])
#define NVERSIONS	(sizeof m_versions / sizeof m_versions[0])
#define NVERIFIES	(sizeof m_verifies / sizeof m_verifies[0])

/* The group commit's latency, in seconds: upper bounds of the buckets. */
static const double m_commit_le[] = { 0.0005, 0.001, 0.002, 0.005, 0.01,
    0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5 };
#define NBUCKETS	(sizeof m_commit_le / sizeof m_commit_le[0])

static struct {
	uint64_t	accepted[NSOURCES];
	uint64_t	deliveries[NOUTCOMES][NVERSIONS][NVERIFIES];
	uint64_t	conn_failures[FAIL_NCLASSES];
	uint64_t	commit_buckets[NBUCKETS + 1];	/* the last: +Inf */
	uint64_t	commit_count;
	uint64_t	commit_usec;
	uint64_t	scrapes;
	int		store_down;
} m;

struct metrics {
	int			 fd;
	char			*listen;
	struct MHD_Daemon	*daemon;
};

static void	 m_add(uint64_t *, uint64_t);
static uint64_t	 m_get(const uint64_t *);
static size_t	 m_index(const char *const *, size_t, const char *);
static void	 m_render(struct buf *);
static void	 m_spool_size(struct buf *);
static enum MHD_Result m_answer(void *, struct MHD_Connection *,
		    const char *, const char *, const char *, const char *,
		    size_t *, void **);
static enum MHD_Result m_reply(struct MHD_Connection *, unsigned int,
		    const char *, const char *, bool);
static void	 m_log(void *, const char *, va_list);

static void
m_add(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static uint64_t
m_get(const uint64_t *c)
{
	return (__atomic_load_n(c, __ATOMIC_RELAXED));
}

/* The index of name in names[n], else the last one's. */
static size_t
m_index(const char *const *names, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n - 1; i++) {
		if (strcasecmp(names[i], name) == 0)
			return (i);
	}
	return (n - 1);
}

/* ------------------------------------------------------------------ */
/* Counting. */

void
metrics_accepted(const char *source)
{
	m_add(&m.accepted[m_index(m_sources, NSOURCES, source)], 1);
}

/*
 * One recipient's outcome (outcome "sent", "deferred" or "failed") over
 * a session with TLS t, or NULL when no session opened.
 */
void
metrics_delivery(const char *outcome, const struct mta_tls *t)
{
	size_t	o, v = 0, k = 0;

	o = m_index(m_outcomes, NOUTCOMES, outcome);
	if (t != NULL && t->active) {
		v = m_index(m_versions, NVERSIONS, t->version);
		k = strstr(t->verify, "DomainValidation") != NULL ? 3 :
		    strstr(t->verify, "CertificateValidation") != NULL ? 2 :
		    strcmp(t->verify, "none") == 0 ? 0 : 1;
	}
	m_add(&m.deliveries[o][v][k], 1);
}

void
metrics_conn_failure(enum fail_class c)
{
	if (c > FAIL_NONE && c < FAIL_NCLASSES)
		m_add(&m.conn_failures[c], 1);
}

/* One job's wait for its group commit to be durable. */
void
metrics_commit(int64_t usec)
{
	size_t	i;

	for (i = 0; i < NBUCKETS && (double)usec / 1e6 > m_commit_le[i]; i++)
		;
	m_add(&m.commit_buckets[i], 1);
	m_add(&m.commit_count, 1);
	m_add(&m.commit_usec, usec > 0 ? (uint64_t)usec : 0);
}

void
metrics_store_down(bool down)
{
	__atomic_store_n(&m.store_down, down ? 1 : 0, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* The text. */

/* Everything a scrape shows. */
static void
m_render(struct buf *b)
{
	uint64_t	n, cum = 0;
	size_t		o, v, k, i;

	buf_adds(b, "# HELP hubsh_build_info hubd's version.\n"
	    "# TYPE hubsh_build_info gauge\n");
	buf_adds(b, "hubsh_build_info{version=\"" HUBSH_VERSION "\",server=\"");
	metrics_label(b, env->server);
	buf_adds(b, "\"} 1\n");

	buf_adds(b, "# HELP hubsh_store_up Whether the connector store "
	    "answered hubd's last reload.\n# TYPE hubsh_store_up gauge\n");
	buf_addf(b, "hubsh_store_up %d\n",
	    __atomic_load_n(&m.store_down, __ATOMIC_RELAXED) ? 0 : 1);

	buf_adds(b, "# HELP hubsh_messages_accepted_total Messages accepted "
	    "into the spool, by source.\n"
	    "# TYPE hubsh_messages_accepted_total counter\n");
	for (i = 0; i < NSOURCES; i++)
		buf_addf(b, "hubsh_messages_accepted_total{source=\"%s\"} "
		    "%llu\n", m_sources[i],
		    (unsigned long long)m_get(&m.accepted[i]));

	buf_adds(b, "# HELP hubsh_deliveries_total Recipients' delivery "
	    "attempts, by outcome and the session's TLS.\n"
	    "# TYPE hubsh_deliveries_total counter\n");
	for (o = 0; o < NOUTCOMES; o++)
		for (v = 0; v < NVERSIONS; v++)
			for (k = 0; k < NVERIFIES; k++) {
				if ((n = m_get(&m.deliveries[o][v][k])) == 0 &&
				    (v != 0 || k != 0))
					continue;
				buf_addf(b, "hubsh_deliveries_total{outcome="
				    "\"%s\",tls=\"%s\",verification=\"%s\"} "
				    "%llu\n", m_outcomes[o], m_versions[v],
				    m_verifies[k], (unsigned long long)n);
			}

	buf_adds(b, "# HELP hubsh_connection_failures_total Sessions to a "
	    "next hop that could not be opened, by class.\n"
	    "# TYPE hubsh_connection_failures_total counter\n");
	for (i = FAIL_NONE + 1; i < FAIL_NCLASSES; i++)
		buf_addf(b, "hubsh_connection_failures_total{class=\"%s\"} "
		    "%llu\n", fail_class_name((enum fail_class)i),
		    (unsigned long long)m_get(&m.conn_failures[i]));

	buf_adds(b, "# HELP hubsh_commit_seconds How long a write waited "
	    "for its group commit to be durable.\n"
	    "# TYPE hubsh_commit_seconds histogram\n");
	for (i = 0; i <= NBUCKETS; i++) {
		cum += m_get(&m.commit_buckets[i]);
		if (i < NBUCKETS)
			buf_addf(b, "hubsh_commit_seconds_bucket{le=\"%g\"} "
			    "%llu\n", m_commit_le[i], (unsigned long long)cum);
		else
			buf_addf(b, "hubsh_commit_seconds_bucket{le=\"+Inf\"} "
			    "%llu\n", (unsigned long long)cum);
	}
	buf_addf(b, "hubsh_commit_seconds_sum %.6f\n",
	    (double)m_get(&m.commit_usec) / 1e6);
	buf_addf(b, "hubsh_commit_seconds_count %llu\n",
	    (unsigned long long)m_get(&m.commit_count));

	m_spool_size(b);
	control_metrics(b);
	if (env->queue != NULL)
		queue_metrics(env->queue, b);

	buf_adds(b, "# HELP hubsh_metrics_scrapes_total Scrapes answered.\n"
	    "# TYPE hubsh_metrics_scrapes_total counter\n");
	buf_addf(b, "hubsh_metrics_scrapes_total %llu\n",
	    (unsigned long long)m_get(&m.scrapes));
}

/* The spool's files: the database and its write-ahead log. */
static void
m_spool_size(struct buf *b)
{
	struct stat	 sb;
	int64_t		 size = 0;
	char		*wal;

	if (stat(env->spool_path, &sb) == 0)
		size += sb.st_size;
	xasprintf(&wal, "%s-wal", env->spool_path);
	if (stat(wal, &sb) == 0)
		size += sb.st_size;
	free(wal);
	buf_adds(b, "# HELP hubsh_spool_bytes The spool's size on disk "
	    "(database and write-ahead log).\n"
	    "# TYPE hubsh_spool_bytes gauge\n");
	buf_addf(b, "hubsh_spool_bytes %lld\n", (long long)size);
}

/*
 * A label value as the text format wants it: backslash, double quote
 * and line feed escaped.
 */
void
metrics_label(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_addc(b, '\\');
		if (*s == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *s);
	}
}

/* ------------------------------------------------------------------ */
/* The listener. */

int
metrics_listen(struct metrics **mp, const char *listen, char **cause)
{
	struct metrics	*ms;
	int		 fd;

	*mp = NULL;
	if (listen == NULL || *listen == '\0')
		return (0);
	if ((fd = io_listen_at("metrics-listen", listen, 0, METRICS_BACKLOG,
	    cause)) == -1)
		return (-1);
	ms = xcalloc(1, sizeof *ms);
	ms->fd = fd;
	ms->listen = xstrdup(listen);
	*mp = ms;
	return (0);
}

int
metrics_start(struct metrics *ms, char **cause)
{
	if (ms == NULL)
		return (0);
	ms->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, m_answer, NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)ms->fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_MAX_CONNS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)METRICS_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_SECS,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_CONN_MEMORY,
	    MHD_OPTION_EXTERNAL_LOGGER, m_log, NULL,
	    MHD_OPTION_END);
	if (ms->daemon == NULL) {
		xasprintf(cause, "metrics-listen %s: the HTTP server did not "
		    "start", ms->listen);
		return (-1);
	}
	log_info("metrics: answering on http://%s/metrics", ms->listen);
	return (0);
}

void
metrics_stop(struct metrics *ms)
{
	if (ms == NULL)
		return;
	if (ms->daemon != NULL)
		MHD_stop_daemon(ms->daemon);	/* closes the socket */
	else
		close(ms->fd);
	free(ms->listen);
	free(ms);
}

/* libmicrohttpd's answer to one request. */
static enum MHD_Result
m_answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **state)
{
	struct buf	b;
	bool		head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;

	(void)cls;
	(void)version;
	(void)upload;
	(void)state;
	if (!head && strcmp(method, MHD_HTTP_METHOD_GET) != 0) {
		*upload_size = 0;
		return (m_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "only GET and HEAD\n", "text/plain", false));
	}
	if (strcmp(url, "/metrics") != 0)
		return (m_reply(conn, MHD_HTTP_NOT_FOUND,
		    "hubd serves /metrics\n", "text/plain", false));
	m_add(&m.scrapes, 1);
	buf_init(&b);
	m_render(&b);
	buf_addc(&b, '\0');
	return (m_reply(conn, MHD_HTTP_OK, b.s, METRICS_TYPE, true));
}

/*
 * Queue a response of text (taken when own, copied otherwise), with
 * Allow for a 405.
 */
static enum MHD_Result
m_reply(struct MHD_Connection *conn, unsigned int status, const char *text,
    const char *type, bool own)
{
	struct MHD_Response	*r;
	enum MHD_Result		 rc;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    own ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		if (own)
			free((void *)text);
		return (MHD_NO);
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return (rc);
}

static void
m_log(void *arg, const char *fmt, va_list ap)
{
	char	*msg;

	(void)arg;
	xvasprintf(&msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_info("metrics: %s", msg);
	free(msg);
}
