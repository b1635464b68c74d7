/*
 * tlsrpt.c - TLS-RPT (RFC 8460): what each session attempt did under the
 * TLS policy in force, counted per reporting period, policy domain and
 * policy, and the daily aggregate report to every policy domain that
 * asks for one.
 *
 * Counting.  mta.c calls tlsrpt_note() once per attempt with one host
 * that got as far as the TLS policy: a success (the policy was met) or a
 * failure with its RFC 8460 result type.  Connection failures are not
 * TLS results and are not counted, nor are probes, nor the sessions of
 * "TLS-Required: No" messages (the reports themselves among them: RFC
 * 8460 5.3 asks that a report not count in the next).  The counts are
 * held in memory (bounded: TLSRPT_ROWS_MAX rows, TLSRPT_DETAILS_MAX
 * failure rows; what does not fit is counted, and logged once a flush)
 * and flushed into the spool as increments, through the committer, each
 * minute and at stop.
 *
 * Reporting.  A period is [k * tlsrpt-period, (k + 1) * tlsrpt-period)
 * in Unix time: the UTC day by default.  Once one has ended (plus a
 * random delay of up to TLSRPT_SPREAD seconds, a tenth of the period
 * when it is shorter: RFC 8460 4.1 asks that reports be spread), the
 * thread flushes, then for each domain with counts for an ended period
 * looks up _smtp._tls.<domain>: no record, the counts are dropped;
 * otherwise the report (JSON, gzip) is recorded as made, with each rua
 * "pending", and the counts forgotten, in one commit, before anything is
 * sent: a report goes at most once, even across a crash or a restart.
 * Then each https: rua gets a POST and the mailto: ruas one message that
 * hubd queues itself, and each outcome is recorded.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "buf.h"
#include "xmalloc.h"
#include "transport.h"

#define TLSRPT_FLUSH	60		/* s between flushes */
#define TLSRPT_SPREAD	300		/* s: the longest delay after a day */
#define TLSRPT_TIMEOUT	30		/* s: one POST */
#define TLSRPT_DUE_MAX	1024		/* reports made in one round */
#define TLSRPT_KEEP	(30 * 86400)	/* s: the reports made, kept */

/* A failure of one row's policy, by kind and hosts. */
struct tr_detail {
	size_t		 row;
	char		*result;
	char		*sending_ip;
	char		*mx_host;
	char		*receiving_ip;
	int64_t		 count;
};

struct tr_counts {
	/* Each (period, domain, policy): its counts since the flush. */
	struct spool_tlsrpt_policy *rows;
	size_t		 nrows;
	struct tr_detail *details;
	size_t		 ndetails;
	uint64_t	 dropped;	/* attempts that did not fit */
};

/* What tlsrpt_reported_job and tlsrpt_outcome_job write. */
struct tr_made {
	const struct spool_tlsrpt_day	*d;
	const char			*id;
	const char *const		*ruas;
	size_t				 n;
	char				**outcomes;	/* per rua */
	int64_t				 at;
};

static struct {
	pthread_mutex_t	 lock;		/* counts, settings */
	struct tr_counts counts;
	bool		 enabled;
	char		*org;
	char		*contact;
	bool		 running;
	struct nap	 nap;		/* stopping: a POST gives up */
	pthread_t	 thread;
} tr = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.nap = NAP_INITIALIZER
};

static void	*tlsrpt_main(void *);
static void	 tlsrpt_flush(void);
static int	 tlsrpt_flush_job(struct spool *, void *, char **);
static void	 tlsrpt_counts_free(struct tr_counts *);
static size_t	 tlsrpt_row(struct tr_counts *, const struct tlsrpt_attempt *,
		    int64_t, int64_t);
static void	 tlsrpt_detail(struct tr_counts *, size_t,
		    const struct tlsrpt_attempt *);
static void	 tlsrpt_ip(const struct sockaddr *, socklen_t, char *, size_t);
static void	 tlsrpt_round(struct spool *, int64_t);
static void	 tlsrpt_report(struct spool_tlsrpt_day *);
static int	 tlsrpt_ruas(const char *, char ***, size_t *);
static void	 tlsrpt_send(const struct tlsrpt_meta *,
		    const struct spool_tlsrpt_day *, char **, size_t,
		    const struct buf *, char **);
static char	*tlsrpt_mailto(const struct tlsrpt_meta *,
		    const struct spool_tlsrpt_day *, const char *const *,
		    size_t, const struct buf *);
static int	 tlsrpt_reported_job(struct spool *, void *, char **);
static int	 tlsrpt_outcome_job(struct spool *, void *, char **);
static int	 tlsrpt_prune_job(struct spool *, void *, char **);
static void	 tlsrpt_uuid(char *, size_t);
static void	 tlsrpt_time(char *, size_t, int64_t);
static void	 tlsrpt_json_lines(struct buf *, const char *);
static void	 tlsrpt_json_field(struct buf *, const char *, const char *);
static char	*tlsrpt_join(const char *, const char *);

const char *
tlsrpt_result(enum fail_class c)
{
	switch (c) {
	case FAIL_NO_STARTTLS:
	case FAIL_STARTTLS_REFUSED:
		return ("starttls-not-supported");
	case FAIL_NAME:
		return ("certificate-host-mismatch");
	case FAIL_EXPIRED:
		return ("certificate-expired");
	case FAIL_UNTRUSTED:
		return ("certificate-not-trusted");
	case FAIL_TLSA_INVALID:
		return ("tlsa-invalid");
	case FAIL_DNSSEC_INVALID:
		return ("dnssec-invalid");
	case FAIL_DANE_REQUIRED:
		return ("dane-required");
	case FAIL_STS_MX:
	case FAIL_HANDSHAKE:
		return ("validation-failure");
	default:
		return (NULL);
	}
}

bool
tlsrpt_enabled(void)
{
	bool	on;

	pthread_mutex_lock(&tr.lock);
	on = tr.enabled;
	pthread_mutex_unlock(&tr.lock);
	return (on);
}

void
tlsrpt_settings(bool enabled, const char *org, const char *contact)
{
	pthread_mutex_lock(&tr.lock);
	if (enabled != tr.enabled)
		log_info("transport settings: TlsRptEnabled %s",
		    enabled ? "True" : "False");
	tr.enabled = enabled;
	free(tr.org);
	tr.org = org != NULL && *org != '\0' ? xstrdup(org) : NULL;
	free(tr.contact);
	tr.contact = contact != NULL && *contact != '\0' ?
	    xstrdup(contact) : NULL;
	pthread_mutex_unlock(&tr.lock);
}

void
tlsrpt_note(const struct tlsrpt_attempt *a)
{
	struct tr_counts	*c = &tr.counts;
	int64_t			 now, period = env->conf->tlsrpt_period;
	size_t			 row;

	if (a->domain == NULL || *a->domain == '\0')
		return;
	pthread_mutex_lock(&tr.lock);
	/* The clock is read under the lock: no count lands behind a flush. */
	now = time(NULL);
	if (!tr.enabled) {
		pthread_mutex_unlock(&tr.lock);
		return;
	}
	row = tlsrpt_row(c, a, now - now % period, now - now % period +
	    period);
	if (row == SIZE_MAX)
		c->dropped++;
	else if (a->result == NULL)
		c->rows[row].success++;
	else {
		c->rows[row].failure++;
		tlsrpt_detail(c, row, a);
	}
	pthread_mutex_unlock(&tr.lock);
}

/* The row of a's period and policy, made when new; SIZE_MAX: full. */
static size_t
tlsrpt_row(struct tr_counts *c, const struct tlsrpt_attempt *a, int64_t begin,
    int64_t end)
{
	struct spool_tlsrpt_policy	*r;
	size_t				 i;

	for (i = 0; i < c->nrows; i++) {
		r = &c->rows[i];
		if (r->begin == begin && strcmp(r->domain, a->domain) == 0 &&
		    strcmp(r->type, a->type) == 0 &&
		    strcmp(r->policy, a->policy) == 0)
			return (i);
	}
	if (c->nrows == TLSRPT_ROWS_MAX)
		return (SIZE_MAX);
	c->rows = xreallocarray(c->rows, c->nrows + 1, sizeof *c->rows);
	r = &c->rows[c->nrows];
	r->domain = xstrdup(a->domain);
	r->begin = begin;
	r->end = end;
	r->type = xstrdup(a->type);
	r->policy = xstrdup(a->policy);
	r->mx = xstrdup(a->mx);
	r->success = r->failure = 0;
	return (c->nrows++);
}

/* Count a's failure among row's details (a full table drops it). */
static void
tlsrpt_detail(struct tr_counts *c, size_t row, const struct tlsrpt_attempt *a)
{
	struct tr_detail	*d;
	char			 local[64], remote[64];
	size_t			 i;

	tlsrpt_ip(a->local, a->locallen, local, sizeof local);
	tlsrpt_ip(a->remote, a->remotelen, remote, sizeof remote);
	for (i = 0; i < c->ndetails; i++) {
		d = &c->details[i];
		if (d->row == row && strcmp(d->result, a->result) == 0 &&
		    strcmp(d->sending_ip, local) == 0 &&
		    strcmp(d->mx_host, a->mx_host) == 0 &&
		    strcmp(d->receiving_ip, remote) == 0) {
			d->count++;
			return;
		}
	}
	if (c->ndetails == TLSRPT_DETAILS_MAX) {
		c->dropped++;
		return;
	}
	c->details = xreallocarray(c->details, c->ndetails + 1,
	    sizeof *c->details);
	d = &c->details[c->ndetails++];
	d->row = row;
	d->result = xstrdup(a->result);
	d->sending_ip = xstrdup(local);
	d->mx_host = xstrdup(a->mx_host);
	d->receiving_ip = xstrdup(remote);
	d->count = 1;
}

/* An address without its port, "" for none. */
static void
tlsrpt_ip(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen)
{
	out[0] = '\0';
	if (sa == NULL || getnameinfo(sa, len, out, outlen, NULL, 0,
	    NI_NUMERICHOST) != 0)
		out[0] = '\0';
}

static void
tlsrpt_counts_free(struct tr_counts *c)
{
	size_t	i;

	for (i = 0; i < c->nrows; i++) {
		free(c->rows[i].domain);
		free(c->rows[i].type);
		free(c->rows[i].policy);
		free(c->rows[i].mx);
	}
	for (i = 0; i < c->ndetails; i++) {
		free(c->details[i].result);
		free(c->details[i].sending_ip);
		free(c->details[i].mx_host);
		free(c->details[i].receiving_ip);
	}
	free(c->rows);
	free(c->details);
	memset(c, 0, sizeof *c);
}

/* Move what is counted into the spool (a failed commit loses it). */
static void
tlsrpt_flush(void)
{
	struct tr_counts	 c;
	char			*cause = NULL;

	pthread_mutex_lock(&tr.lock);
	c = tr.counts;
	memset(&tr.counts, 0, sizeof tr.counts);
	pthread_mutex_unlock(&tr.lock);
	if (c.dropped > 0)
		log_warnx("tls-rpt: %llu attempt%s not counted: more than %d "
		    "policies or %d failure rows in a minute",
		    (unsigned long long)c.dropped, c.dropped == 1 ? "" : "s",
		    TLSRPT_ROWS_MAX, TLSRPT_DETAILS_MAX);
	if (c.nrows > 0 &&
	    commit_run(env->commit, tlsrpt_flush_job, &c, &cause) != 0) {
		log_warnx("tls-rpt: counts lost: %s", cause);
		free(cause);
	}
	tlsrpt_counts_free(&c);
}

static int
tlsrpt_flush_job(struct spool *sp, void *arg, char **cause)
{
	struct tr_counts		*c = arg;
	struct spool_tlsrpt_failure	 f;
	const struct spool_tlsrpt_policy *r;
	const struct tr_detail		*d;
	size_t				 i;

	for (i = 0; i < c->nrows; i++)
		if (spool_tlsrpt_add(sp, &c->rows[i], cause) != 0)
			return (-1);
	for (i = 0; i < c->ndetails; i++) {
		d = &c->details[i];
		r = &c->rows[d->row];
		f.domain = r->domain;
		f.begin = r->begin;
		f.type = r->type;
		f.policy = r->policy;
		f.result = d->result;
		f.sending_ip = d->sending_ip;
		f.mx_host = d->mx_host;
		f.receiving_ip = d->receiving_ip;
		f.count = d->count;
		if (spool_tlsrpt_fail_add(sp, &f, cause) != 0)
			return (-1);
	}
	return (0);
}

int
tlsrpt_start(char **cause)
{
	int	error;

	if ((error = pthread_create(&tr.thread, NULL, tlsrpt_main,
	    NULL)) != 0) {
		xasprintf(cause, "cannot start the TLS-RPT thread: %s",
		    strerror(error));
		return (-1);
	}
	tr.running = true;
	return (0);
}

void
tlsrpt_stop(void)
{
	if (tr.running) {
		nap_stop(&tr.nap);
		pthread_join(tr.thread, NULL);
		tr.running = false;
	}
}

void
tlsrpt_close(void)
{
	tlsrpt_flush();
	pthread_mutex_lock(&tr.lock);
	free(tr.org);
	free(tr.contact);
	tr.org = tr.contact = NULL;
	pthread_mutex_unlock(&tr.lock);
}

static void *
tlsrpt_main(void *arg)
{
	struct spool	*sp = NULL;
	char		*cause = NULL;
	int64_t		 period = env->conf->tlsrpt_period, now, due, next;
	int64_t		 spread;
	uint32_t	 r;

	(void)arg;
	thread_name("tls-rpt");
	if (spool_open(&sp, env->spool_path, &cause) != 0) {
		log_warnx("tls-rpt: off: %s", cause);
		free(cause);
		return (NULL);
	}
	spread = period >= 10 * TLSRPT_SPREAD ? TLSRPT_SPREAD : period / 10;
	/* Periods that ended while hubd was down are reported at once. */
	due = time(NULL);
	for (;;) {
		now = time(NULL);
		if (now >= due) {
			tlsrpt_flush();
			tlsrpt_round(sp, now - now % period);
			if (getentropy(&r, sizeof r) != 0)
				r = (uint32_t)now;
			due = now - now % period + period +
			    (spread > 0 ? (int64_t)(r % (uint32_t)spread) : 0);
		}
		next = now + TLSRPT_FLUSH < due ? now + TLSRPT_FLUSH : due;
		if (!nap_until(&tr.nap, next))
			break;
		if (next < due)
			tlsrpt_flush();
	}
	spool_close(sp);
	return (NULL);
}

/*
 * Forget the reports on periods that ended TLSRPT_KEEP before before;
 * then report every (domain, period) that ended by before, or with
 * TLS-RPT off drop their counts (switched on again, hubd reports only
 * what it counted since).
 */
static void
tlsrpt_round(struct spool *sp, int64_t before)
{
	struct spool_tlsrpt_day	*v = NULL;
	struct tr_made		 drop;
	char			*cause = NULL;
	size_t			 i, n = 0;
	bool			 on = tlsrpt_enabled();

	if (commit_run(env->commit, tlsrpt_prune_job, &before, &cause) != 0 ||
	    spool_tlsrpt_due(sp, before, &v, &n, &cause) != 0) {
		log_warnx("tls-rpt: %s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < n && i < TLSRPT_DUE_MAX && !tr.nap.stopping; i++) {
		if (!on) {
			memset(&drop, 0, sizeof drop);
			drop.d = &v[i];
			drop.id = "-";
			if (commit_run(env->commit, tlsrpt_reported_job, &drop,
			    &cause) != 0) {
				log_warnx("tls-rpt: %s", cause);
				free(cause);
				cause = NULL;
			}
			continue;
		}
		if (spool_tlsrpt_load(sp, &v[i], &cause) != 0) {
			log_warnx("tls-rpt: %s", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		tlsrpt_report(&v[i]);
	}
	spool_tlsrpt_days_free(v, n);
}


static int
tlsrpt_reported_job(struct spool *sp, void *arg, char **cause)
{
	struct tr_made	*m = arg;

	return (spool_tlsrpt_reported(sp, m->d, m->id, m->ruas, m->n, m->at,
	    cause));
}

static int
tlsrpt_prune_job(struct spool *sp, void *arg, char **cause)
{
	const int64_t	*before = arg;

	return (spool_tlsrpt_prune(sp, *before - TLSRPT_KEEP, cause));
}

static int
tlsrpt_outcome_job(struct spool *sp, void *arg, char **cause)
{
	struct tr_made	*m = arg;
	size_t		 i;

	for (i = 0; i < m->n; i++)
		if (spool_tlsrpt_outcome(sp, m->id, m->ruas[i],
		    m->outcomes[i], m->at, cause) != 0)
			return (-1);
	return (0);
}

/* One domain's period: the record, the report, made then sent. */
static void
tlsrpt_report(struct spool_tlsrpt_day *d)
{
	struct tlsrpt_meta	 meta;
	struct tr_made		 m;
	struct buf		 json, gz;
	char			 id[40], **ruas = NULL, **outcomes = NULL;
	char			*org, *contact, *cause = NULL;
	size_t			 i, n = 0;
	int			 rc;

	tlsrpt_uuid(id, sizeof id);
	memset(&m, 0, sizeof m);
	m.d = d;
	m.id = id;
	m.at = time(NULL);
	if ((rc = tlsrpt_ruas(d->domain, &ruas, &n)) == 1)
		return;		/* the lookup failed: the next round */
	if (rc != 0) {
		/* Nobody to tell: the counts go, nothing is kept. */
		if (commit_run(env->commit, tlsrpt_reported_job, &m,
		    &cause) != 0) {
			log_warnx("tls-rpt: %s: %s", d->domain, cause);
			free(cause);
		}
		return;
	}
	pthread_mutex_lock(&tr.lock);
	org = xstrdup(tr.org != NULL ? tr.org : env->hostname);
	contact = tr.contact != NULL ? xstrdup(tr.contact) : NULL;
	pthread_mutex_unlock(&tr.lock);
	meta.org = org;
	meta.contact = contact;
	meta.report_id = id;
	meta.submitter = env->hostname;
	buf_init(&json);
	buf_init(&gz);
	tlsrpt_json(&json, &meta, d);
	m.ruas = (const char *const *)ruas;
	m.n = n;
	if (tlsrpt_gzip(json.s, json.len, &gz, &cause) != 0 ||
	    commit_run(env->commit, tlsrpt_reported_job, &m, &cause) != 0) {
		log_warnx("tls-rpt: %s: no report: %s", d->domain, cause);
		free(cause);
		goto out;
	}
	outcomes = xcalloc(n, sizeof *outcomes);
	tlsrpt_send(&meta, d, ruas, n, &gz, outcomes);
	m.outcomes = outcomes;
	m.at = time(NULL);
	if (commit_run(env->commit, tlsrpt_outcome_job, &m, &cause) != 0) {
		log_warnx("tls-rpt: %s: %s", d->domain, cause);
		free(cause);
	}
	for (i = 0; i < n; i++)
		free(outcomes[i]);
	free(outcomes);
out:
	buf_free(&json);
	buf_free(&gz);
	strv_free(ruas, n);
	free(org);
	free(contact);
}

/*
 * The ruas of domain's record: 0; -1 when it has none to use; 1 when the
 * lookup failed (SERVFAIL, a bogus answer): ask again next round.
 */
static int
tlsrpt_ruas(const char *domain, char ***ruas, size_t *n)
{
	char	*name, **txts = NULL, *cause = NULL;
	size_t	 ntxts = 0;
	int	 rc = -1;

	xasprintf(&name, "_smtp._tls.%s", domain);
	switch (dns_txt(env->dns, name, &txts, &ntxts, &cause)) {
	case DNS_OK:
		if ((rc = tlsrpt_record_pick((const char *const *)txts, ntxts,
		    ruas, n, &cause)) != 0)
			log_info("tls-rpt: %s: no report: %s", domain, cause);
		break;
	case DNS_NOHOST:
		log_debug("tls-rpt: %s: no report: no %s record", domain,
		    name);
		break;
	default:
		log_info("tls-rpt: %s: report held: %s", domain, cause);
		rc = 1;
		break;
	}
	strv_free(txts, ntxts);
	free(cause);
	free(name);
	return (rc);
}

/* Send the report to each rua; outcomes[i] says how it went. */
static void
tlsrpt_send(const struct tlsrpt_meta *meta, const struct spool_tlsrpt_day *d,
    char **ruas, size_t n, const struct buf *gz, char **outcomes)
{
	struct https_post	 p;
	const char		**to;
	char			*mid = NULL;
	size_t			 i, nto = 0;

	to = xcalloc(n, sizeof *to);
	for (i = 0; i < n; i++) {
		if (strncasecmp(ruas[i], "mailto:", 7) == 0) {
			to[nto++] = ruas[i] + 7;
			continue;
		}
		memset(&p, 0, sizeof p);
		p.what = "tls-rpt";
		p.url = ruas[i];
		p.type = "application/tlsrpt+gzip";
		p.body = gz->s;
		p.len = gz->len;
		p.ca_file = env->conf->ca_file;
		p.timeout = TLSRPT_TIMEOUT;
		p.stop = &tr.nap.stopping;
		outcomes[i] = xstrdup(https_post(&p) == 0 ? "delivered" :
		    "failed");
		log_info("tls-rpt: report %s on %s: %s", meta->report_id,
		    d->domain, outcomes[i]);
	}
	if (nto > 0)
		mid = tlsrpt_mailto(meta, d, to, nto, gz);
	for (i = 0; i < n; i++)
		if (outcomes[i] == NULL)
			outcomes[i] = mid != NULL ? tlsrpt_join("queued ",
			    mid) : xstrdup("failed");
	free(mid);
	free(to);
}

/* Queue the report to the mailto: addresses: its Message-ID, or NULL. */
static char *
tlsrpt_mailto(const struct tlsrpt_meta *meta, const struct spool_tlsrpt_day *d,
    const char *const *to, size_t n, const struct buf *gz)
{
	struct spool_msg	*m;
	struct buf		 mail;
	char			*from, *mid = NULL, *cause = NULL, *subject;
	int64_t			 id, now = time(NULL);
	size_t			 i;

	xasprintf(&from, "postmaster@%s", env->hostname);
	buf_init(&mail);
	tlsrpt_mail(&mail, meta, d, from, to, n, gz->s, gz->len, now, &mid);
	xasprintf(&subject, "Report Domain: %s Submitter: %s Report-ID: <%s>",
	    d->domain, meta->submitter, meta->report_id);
	m = xcalloc(1, sizeof *m);
	m->sender = from;
	m->received = now;
	m->size = (int64_t)mail.len;
	/* Mail hubd makes itself, as its DSNs. */
	m->source = xstrdup("DSN");
	m->message_id = xstrdup(mid);
	m->subject = subject;
	/* RFC 8460 5.3: delivered whatever the failing policy. */
	m->tls_optional = true;
	m->rcpts = xcalloc(n, sizeof *m->rcpts);
	for (i = 0; i < n; i++) {
		m->rcpts[i].addr = xstrdup(to[i]);
		m->rcpts[i].notify = SPOOL_NOTIFY_NEVER;
	}
	m->nrcpts = n;
	if (queue_accept(env->queue, m, mail.s, mail.len, &id, &cause) != 0) {
		log_warnx("tls-rpt: report %s on %s: not queued: %s",
		    meta->report_id, d->domain, cause);
		free(cause);
		spool_msg_free(m);
		free(mid);
		mid = NULL;
	} else
		log_info("tls-rpt: report %s on %s: queued as %lld to %zu "
		    "address%s", meta->report_id, d->domain, (long long)id, n,
		    n == 1 ? "" : "es");
	buf_free(&mail);
	return (mid);
}

/* A random UUID (RFC 4122 version 4): the report-id. */
static void
tlsrpt_uuid(char *out, size_t len)
{
	unsigned char	u[16];
	size_t		i;

	if (getentropy(u, sizeof u) != 0)
		for (i = 0; i < sizeof u; i++)
			u[i] = (unsigned char)(rand() & 0xff);
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	snprintf(out, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
	    u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

static char *
tlsrpt_join(const char *a, const char *b)
{
	char	*s;

	xasprintf(&s, "%s%s", a, b);
	return (s);
}

/* ------------------------------------------------------------------ */
/* The pure parts: policy strings, the record, the report, the mail. */

char *
tlsrpt_sts_policy(const struct sts_policy *p, char **mx)
{
	struct buf	b, m;
	size_t		i;

	buf_init(&b);
	buf_init(&m);
	buf_addf(&b, "version: STSv1\nmode: %s", sts_mode_name(p->mode));
	buf_adds(&m, "");
	for (i = 0; i < p->nmx; i++) {
		buf_addf(&b, "\nmx: %s", p->mx[i]);
		buf_addf(&m, "%s%s", i > 0 ? "\n" : "", p->mx[i]);
	}
	buf_addf(&b, "\nmax_age: %lld", (long long)p->max_age);
	*mx = buf_detach(&m);
	return (buf_detach(&b));
}

char *
tlsrpt_tlsa_policy(const struct tlsa_set *t)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < t->n; i++) {
		if (i > 0)
			buf_addc(&b, '\n');
		tlsa_rr_text(&b, &t->v[i], 0);
	}
	return (buf_detach(&b));
}

/*
 * RFC 8460 3: "v=TLSRPTv1" then fields split by ";" (white space around
 * it allowed, a final one too); rua= a list of URIs split by ",".  Other
 * fields are extensions, ignored.  A URI hubd cannot use (neither
 * mailto: nor https:) is ignored; a record with none is refused.
 */
int
tlsrpt_record_parse(const char *txt, char ***ruas, size_t *n, char **cause)
{
	char	*copy, *field, *next, *uri, *end, **v = NULL;
	size_t	 nv = 0, len;
	bool	 rua = false;

	*ruas = NULL;
	*n = 0;
	if ((len = strlen(txt)) > TLSRPT_RECORD_MAX) {
		xasprintf(cause, "the TLSRPT record is longer than %d bytes",
		    TLSRPT_RECORD_MAX);
		return (-1);
	}
	if (strncmp(txt, "v=TLSRPTv1", 10) != 0 ||
	    (txt[10] != ';' && txt[10] != ' ' && txt[10] != '\t')) {
		xasprintf(cause, "not a TLSRPTv1 record");
		return (-1);
	}
	copy = xstrdup(txt + 10);
	for (field = copy; field != NULL; field = next) {
		if ((next = strchr(field, ';')) != NULL)
			*next++ = '\0';
		field += strspn(field, " \t");
		end = field + strlen(field);
		while (end > field && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*field == '\0')
			continue;
		if (strncmp(field, "rua=", 4) != 0)
			continue;
		if (rua) {
			xasprintf(cause, "the TLSRPT record has two rua fields");
			goto fail;
		}
		rua = true;
		for (uri = field + 4; uri != NULL; uri = end) {
			if ((end = strchr(uri, ',')) != NULL)
				*end++ = '\0';
			uri += strspn(uri, " \t");
			uri[strcspn(uri, " \t")] = '\0';
			if ((strncasecmp(uri, "mailto:", 7) == 0 &&
			    rfc5322_addr_valid(uri + 7)) ||
			    (strncasecmp(uri, "https://", 8) == 0 &&
			    uri[8] != '\0' && rfc5322_printable(uri))) {
				if (nv == TLSRPT_RUA_MAX)
					break;
				v = xreallocarray(v, nv + 1, sizeof *v);
				v[nv++] = xstrdup(uri);
			}
		}
	}
	free(copy);
	if (!rua || nv == 0) {
		xasprintf(cause, "the TLSRPT record has %s", !rua ?
		    "no rua field" : "no mailto: or https: URI hubd can use");
		strv_free(v, nv);
		return (-1);
	}
	*ruas = v;
	*n = nv;
	return (0);
fail:
	free(copy);
	strv_free(v, nv);
	return (-1);
}

/* RFC 8460 3: records not beginning v=TLSRPTv1 are not ours; one must. */
int
tlsrpt_record_pick(const char *const *txts, size_t ntxts, char ***ruas,
    size_t *n, char **cause)
{
	const char	*one = NULL;
	size_t		 i, found = 0;

	*ruas = NULL;
	*n = 0;
	for (i = 0; i < ntxts; i++) {
		if (strncmp(txts[i], "v=TLSRPTv1", 10) != 0)
			continue;
		one = txts[i];
		found++;
	}
	if (found != 1) {
		xasprintf(cause, "%s TLSRPTv1 record", found == 0 ? "no" :
		    "more than one");
		return (-1);
	}
	return (tlsrpt_record_parse(one, ruas, n, cause));
}

/* RFC 3339, UTC. */
static void
tlsrpt_time(char *out, size_t len, int64_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* lines ("\n" between) as a JSON array of strings. */
static void
tlsrpt_json_lines(struct buf *b, const char *lines)
{
	const char	*nl;
	char		*one;
	bool		 first = true;

	buf_addc(b, '[');
	while (*lines != '\0') {
		nl = strchr(lines, '\n');
		one = xstrndup(lines, nl != NULL ? (size_t)(nl - lines) :
		    strlen(lines));
		if (!first)
			buf_addc(b, ',');
		first = false;
		alert_json_str(b, one);
		free(one);
		if (nl == NULL)
			break;
		lines = nl + 1;
	}
	buf_addc(b, ']');
}

/* ,"name":"value", value omitted when empty */
static void
tlsrpt_json_field(struct buf *b, const char *name, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	buf_addf(b, ",\"%s\":", name);
	alert_json_str(b, value);
}

/*
 * RFC 8460 4.4.  end-datetime is the period's last second, as the RFC's
 * example (23:59:59Z); mx-host the policy's patterns, as an array.
 */
void
tlsrpt_json(struct buf *b, const struct tlsrpt_meta *m,
    const struct spool_tlsrpt_day *d)
{
	const struct spool_tlsrpt_policy	*p;
	const struct spool_tlsrpt_failure	*f;
	char					 t[32];
	size_t					 i, k;
	bool					 first;

	buf_adds(b, "{\"organization-name\":");
	alert_json_str(b, m->org);
	tlsrpt_time(t, sizeof t, d->begin);
	buf_addf(b, ",\"date-range\":{\"start-datetime\":\"%s\"", t);
	tlsrpt_time(t, sizeof t, d->end - 1);
	buf_addf(b, ",\"end-datetime\":\"%s\"}", t);
	tlsrpt_json_field(b, "contact-info", m->contact);
	tlsrpt_json_field(b, "report-id", m->report_id);
	buf_adds(b, ",\"policies\":[");
	for (i = 0; i < d->npol; i++) {
		p = &d->pol[i];
		buf_adds(b, i > 0 ? ",{" : "{");
		buf_addf(b, "\"policy\":{\"policy-type\":");
		alert_json_str(b, p->type);
		if (*p->policy != '\0') {
			buf_adds(b, ",\"policy-string\":");
			tlsrpt_json_lines(b, p->policy);
		}
		buf_adds(b, ",\"policy-domain\":");
		alert_json_str(b, p->domain);
		if (*p->mx != '\0') {
			buf_adds(b, ",\"mx-host\":");
			tlsrpt_json_lines(b, p->mx);
		}
		buf_addf(b, "},\"summary\":{\"total-successful-session-count\":"
		    "%lld,\"total-failure-session-count\":%lld}",
		    (long long)p->success, (long long)p->failure);
		first = true;
		for (k = 0; k < d->nfail; k++) {
			f = &d->fail[k];
			if (strcmp(f->type, p->type) != 0 ||
			    strcmp(f->policy, p->policy) != 0)
				continue;
			buf_adds(b, first ? ",\"failure-details\":[{" : ",{");
			first = false;
			buf_adds(b, "\"result-type\":");
			alert_json_str(b, f->result);
			tlsrpt_json_field(b, "sending-mta-ip", f->sending_ip);
			tlsrpt_json_field(b, "receiving-mx-hostname",
			    f->mx_host);
			tlsrpt_json_field(b, "receiving-ip", f->receiving_ip);
			buf_addf(b, ",\"failed-session-count\":%lld}",
			    (long long)f->count);
		}
		buf_adds(b, first ? "}" : "]}");
	}
	buf_adds(b, "]}");
}

int
tlsrpt_gzip(const void *in, size_t len, struct buf *out, char **cause)
{
	z_stream	z;
	unsigned char	chunk[16384];
	int		rc;

	memset(&z, 0, sizeof z);
	/* 16 + MAX_WBITS: a gzip header and trailer, not zlib's. */
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS,
	    8, Z_DEFAULT_STRATEGY) != Z_OK) {
		xasprintf(cause, "cannot compress the report: %s",
		    z.msg != NULL ? z.msg : "deflateInit2 failed");
		return (-1);
	}
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		rc = deflate(&z, Z_FINISH);
		buf_add(out, chunk, sizeof chunk - z.avail_out);
	} while (rc == Z_OK);
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		xasprintf(cause, "cannot compress the report (zlib %d)", rc);
		return (-1);
	}
	return (0);
}

char *
tlsrpt_filename(const struct tlsrpt_meta *m, const struct spool_tlsrpt_day *d)
{
	char	*s;

	xasprintf(&s, "%s!%s!%lld!%lld!%s.json.gz", m->submitter, d->domain,
	    (long long)d->begin, (long long)d->end - 1, m->report_id);
	return (s);
}

/*
 * RFC 8460 5.3: multipart/report, report-type "tlsrpt": a text part,
 * then the gzip as application/tlsrpt+gzip, base64, named as 5.1 says.
 * "TLS-Required: No" (RFC 8689): the report must reach a domain whose
 * TLS is what fails.
 */
void
tlsrpt_mail(struct buf *b, const struct tlsrpt_meta *m,
    const struct spool_tlsrpt_day *d, const char *from, const char *const *to,
    size_t n, const void *gz, size_t gzlen, int64_t now, char **message_id)
{
	char	 date[64], boundary[64], uuid[40], t0[32], t1[32], *name;
	size_t	 i, off, line;

	tlsrpt_uuid(uuid, sizeof uuid);
	xasprintf(message_id, "<%s@%s>", uuid, m->submitter);
	snprintf(boundary, sizeof boundary, "tlsrpt-%s", uuid);
	rfc5322_date(date, sizeof date, (time_t)now);
	tlsrpt_time(t0, sizeof t0, d->begin);
	tlsrpt_time(t1, sizeof t1, d->end - 1);
	name = tlsrpt_filename(m, d);

	buf_addf(b, "From: %s\r\nDate: %s\r\nMessage-ID: %s\r\n", from, date,
	    *message_id);
	buf_adds(b, "To: ");
	for (i = 0; i < n; i++)
		buf_addf(b, "%s<%s>", i > 0 ? ",\r\n " : "", to[i]);
	buf_addf(b, "\r\nSubject: Report Domain: %s Submitter: %s "
	    "Report-ID: <%s>\r\n", d->domain, m->submitter, m->report_id);
	buf_addf(b, "TLS-Report-Domain: %s\r\nTLS-Report-Submitter: %s\r\n",
	    d->domain, m->submitter);
	buf_adds(b, "TLS-Required: No\r\nAuto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n");
	buf_addf(b, "Content-Type: multipart/report; report-type=\"tlsrpt\";"
	    "\r\n\tboundary=\"%s\"\r\n\r\n", boundary);
	buf_addf(b, "This is a MIME-formatted message.\r\n\r\n--%s\r\n"
	    "Content-Type: text/plain; charset=us-ascii\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\n", boundary);
	buf_addf(b, "This is an aggregate TLS report from %s on the mail it "
	    "sent to\r\n%s from %s to %s (RFC 8460).\r\n\r\n--%s\r\n",
	    m->submitter, d->domain, t0, t1, boundary);
	buf_addf(b, "Content-Type: application/tlsrpt+gzip;\r\n\tname=\"%s\""
	    "\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: "
	    "attachment;\r\n\tfilename=\"%s\"\r\n\r\n", name, name);
	/* Lines of 76 characters (RFC 2045 6.8): 57 bytes each. */
	for (off = 0; off < gzlen; off += line) {
		line = gzlen - off < 57 ? gzlen - off : 57;
		buf_add_base64(b, (const unsigned char *)gz + off, line);
		buf_adds(b, "\r\n");
	}
	buf_addf(b, "\r\n--%s--\r\n", boundary);
	free(name);
}
