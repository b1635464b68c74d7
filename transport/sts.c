/*
 * sts.c - MTA-STS (RFC 8461) for delivery: the policy in force for a
 * policy domain, from hubd's cache or from the domain itself, and the
 * refresh of cached policies before they expire.
 *
 * sts_get() is what a session asks before it resolves its hosts (mta.c):
 * the _mta-sts TXT record through hubd's resolver, then
 *  - the same id as the cached policy, which has not expired: the cache;
 *  - a new id, no cached policy, or an expired one: the policy is
 *    fetched (mtasts.c, at the address hubd's resolver gives for
 *    mta-sts.<domain>), parsed, kept in the spool through the committer,
 *    and used; a fetch that fails leaves a cached policy that has not
 *    expired in force (RFC 8461 5.1), else the domain has none;
 *  - no TXT record, or a failed lookup: a cached policy that has not
 *    expired stays in force, else the domain has none.
 * One fetch per domain at a time: a session that needs the policy while
 * another fetches it waits for that fetch, not for one of its own, so
 * the first delivery to a new domain waits for one fetch and the others
 * none.  A domain whose fetch failed is not asked again for STS_HOLD
 * seconds (the same id): a broken policy server must not cost every
 * delivery the fetch's time limit.
 *
 * The refresher thread wakes every STS_ROUND seconds and fetches again
 * the policies that expire within STS_MARGIN (RFC 8461 10.2: refresh
 * before expiry, so that a policy never lapses while the domain keeps
 * it), as sts_get would, and drops from the spool the ones expired for
 * longer than a day.
 *
 * Sessions of other domains never wait here: the lock guards the cache
 * only and is never held over DNS, HTTP or a commit.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "xmalloc.h"
#include "transport.h"

#define STS_BUCKETS	1024
#define STS_HOLD	300		/* s: a failed fetch is not redone */
#define STS_ROUND	3600		/* s between the refresher's rounds */
#define STS_MARGIN	(24 * 3600)	/* s: refresh what expires sooner */
#define STS_REFRESH_MAX	256		/* domains refreshed in one round */
#define STS_KEEP_EXPIRED (24 * 3600)	/* s: then out of the spool */

/* One policy domain's cache entry. */
struct sts_entry {
	struct sts_entry	*next;		/* in its bucket */
	char			*domain;
	bool			 have;		/* a policy is cached */
	char			 id[STS_ID_MAX + 1];
	struct sts_policy	 pol;
	int64_t			 fetched;	/* Unix s */
	int64_t			 expires;	/* Unix s */
	char			*failure;	/* the last failed fetch, or NULL */
	int64_t			 failed;	/* Unix s */
	char			 failed_id[STS_ID_MAX + 1];
	bool			 fetching;
};

/* What one fetch found, for the committer. */
struct sts_fetched {
	const char		*domain;
	char			 id[STS_ID_MAX + 1];
	struct sts_policy	 pol;
	int64_t			 now;
	const char		*failure;	/* why it failed, or NULL */
};

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 done;		/* a fetch ended */
	struct sts_entry	*bucket[STS_BUCKETS];
	pthread_t		 thread;
	bool			 running;
	struct nap		 nap;		/* stopping: sts_fetch gives up */
} sts = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.done = PTHREAD_COND_INITIALIZER,
	.nap = NAP_INITIALIZER,
};

static void	 sts_lookup(const char *, bool, struct sts_view *);
static struct sts_entry *sts_find(const char *, bool);
static size_t	 sts_hash(const char *);
static int	 sts_load_one(const struct spool_sts *, void *);
static int	 sts_record(const char *, char *, char **);
static void	 sts_refetch(struct sts_entry *, const char *, int64_t,
		    struct sts_view *);
static int	 sts_fetch_policy(const char *, struct sts_fetched *,
		    char **);
static int	 sts_put_job(struct spool *, void *, char **);
static int	 sts_fail_job(struct spool *, void *, char **);
static void	 sts_copy(const struct sts_entry *, struct sts_view *);
static void	 sts_why(struct sts_view *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	*sts_main(void *);
static void	 sts_refresh_round(struct spool *);

int
sts_start(char **cause)
{
	struct spool	*sp = NULL;
	int		 error;

	if (spool_open(&sp, env->spool_path, cause) != 0)
		return (-1);
	if (spool_sts_list(sp, sts_load_one, NULL, cause) != 0) {
		spool_close(sp);
		return (-1);
	}
	spool_close(sp);
	if ((error = pthread_create(&sts.thread, NULL, sts_main, NULL)) != 0) {
		xasprintf(cause, "cannot start the MTA-STS refresher: %s",
		    strerror(error));
		return (-1);
	}
	sts.running = true;
	return (0);
}

/* Stop the refresher; a fetch under way gives up at once. */
void
sts_stop(void)
{
	struct sts_entry	*e, *next;
	size_t			 i;

	nap_stop(&sts.nap);
	if (sts.running) {
		pthread_join(sts.thread, NULL);
		sts.running = false;
	}
	for (i = 0; i < STS_BUCKETS; i++) {
		for (e = sts.bucket[i]; e != NULL; e = next) {
			next = e->next;
			sts_policy_clear(&e->pol);
			free(e->failure);
			free(e->domain);
			free(e);
		}
		sts.bucket[i] = NULL;
	}
}

/* A cached policy from the spool, at start (the lock is not needed). */
static int
sts_load_one(const struct spool_sts *p, void *arg)
{
	struct sts_entry	*e;
	enum sts_mode		 mode;
	size_t			 i;

	(void)arg;
	e = sts_find(p->domain, true);
	if (p->id != NULL && p->mode != NULL &&
	    sts_mode_from_name(p->mode, &mode) == 0) {
		e->have = true;
		snprintf(e->id, sizeof e->id, "%s", p->id);
		e->pol.mode = mode;
		e->pol.max_age = p->max_age;
		e->pol.mx = xcalloc(p->nmx > 0 ? p->nmx : 1,
		    sizeof *e->pol.mx);
		for (i = 0; i < p->nmx; i++)
			e->pol.mx[e->pol.nmx++] = xstrdup(p->mx[i]);
		e->fetched = p->fetched;
		e->expires = p->expires;
	}
	if (p->failure != NULL) {
		e->failure = xstrdup(p->failure);
		e->failed = p->failed;
	}
	return (0);
}

void
sts_get(const char *domain, struct sts_view *v)
{
	sts_lookup(domain, false, v);
}

/*
 * The policy in force for domain; refresh: fetch it again even when the
 * cache holds it under the same id (the refresher's, before expiry).
 */
static void
sts_lookup(const char *domain, bool refresh, struct sts_view *v)
{
	struct sts_entry	*e;
	char			 id[STS_ID_MAX + 1], *why = NULL;
	int64_t			 now = time(NULL);
	int			 rec;

	memset(v, 0, sizeof *v);
	rec = sts_record(domain, id, &why);
	pthread_mutex_lock(&sts.lock);
	e = sts_find(domain, true);
	/* A fetch of this domain under way: its outcome is ours too. */
	while (e->fetching) {
		pthread_cond_wait(&sts.done, &sts.lock);
		now = time(NULL);
	}
	if (rec == 0 && !refresh && e->have && e->expires > now &&
	    strcmp(e->id, id) == 0)
		sts_copy(e, v);
	else if (rec != 0) {
		/* RFC 8461 5.1: no record (or none seen) keeps the cache. */
		if (e->have && e->expires > now)
			sts_copy(e, v);
		sts_why(v, "%s", why != NULL ? why : "no _mta-sts record");
	} else if (e->failure != NULL && now - e->failed < STS_HOLD &&
	    strcmp(e->failed_id, id) == 0) {
		if (e->have && e->expires > now)
			sts_copy(e, v);
		sts_why(v, "%s", e->failure);
	} else
		sts_refetch(e, id, now, v);
	pthread_mutex_unlock(&sts.lock);
	free(why);
}

void
sts_view_clear(struct sts_view *v)
{
	sts_policy_clear(&v->pol);
}

/*
 * The id of the domain's one _mta-sts record (RFC 8461 3.1): 0, or -1
 * with *why (no record, several, a failed lookup).
 */
static int
sts_record(const char *domain, char *id, char **why)
{
	enum dns_status	 ds;
	char		**txts = NULL, *name, *cause = NULL;
	size_t		 n = 0;
	int		 rc = -1;

	xasprintf(&name, "_mta-sts.%s", domain);
	ds = dns_txt(env->dns, name, &txts, &n, &cause);
	if (ds == DNS_OK)
		rc = sts_record_pick((const char *const *)txts, n, id,
		    STS_ID_MAX + 1, &cause);
	if (rc != 0)
		xasprintf(why, "%s: %s", name, cause != NULL ? cause :
		    "no record");
	strv_free(txts, n);
	free(cause);
	free(name);
	return (rc);
}

/*
 * Fetch the policy of e (lock held on entry and exit, dropped while
 * fetching and writing) and put what is in force in v.
 */
static void
sts_refetch(struct sts_entry *e, const char *id, int64_t now,
    struct sts_view *v)
{
	struct sts_fetched	 f;
	char			*cause = NULL, *wcause = NULL;
	char			*domain = xstrdup(e->domain);
	int			 rc;

	e->fetching = true;
	pthread_mutex_unlock(&sts.lock);
	memset(&f, 0, sizeof f);
	f.domain = domain;
	f.now = now;
	snprintf(f.id, sizeof f.id, "%s", id);
	rc = sts_fetch_policy(domain, &f, &cause);
	if (rc == 0 && commit_run(env->commit, sts_put_job, &f, &wcause) != 0)
		log_warnx("mta-sts: %s: the policy is used but not kept: %s",
		    domain, wcause);
	if (rc != 0) {
		log_info("mta-sts: %s: policy not fetched: %s", domain, cause);
		f.failure = cause;
		if (commit_run(env->commit, sts_fail_job, &f, &wcause) != 0)
			log_warnx("mta-sts: %s: %s", domain, wcause);
	} else
		log_info("mta-sts: %s: policy %s fetched: mode %s, %zu mx "
		    "pattern%s, max_age %lld", domain, f.id,
		    sts_mode_name(f.pol.mode), f.pol.nmx,
		    f.pol.nmx == 1 ? "" : "s", (long long)f.pol.max_age);
	free(wcause);
	pthread_mutex_lock(&sts.lock);
	e->fetching = false;
	pthread_cond_broadcast(&sts.done);
	if (rc == 0) {
		sts_policy_clear(&e->pol);
		e->pol = f.pol;
		e->have = true;
		snprintf(e->id, sizeof e->id, "%s", f.id);
		e->fetched = now;
		e->expires = now + f.pol.max_age;
		free(e->failure);
		e->failure = NULL;
		e->failed = 0;
		sts_copy(e, v);
		v->fetched = true;
	} else {
		free(e->failure);
		e->failure = cause;
		cause = NULL;
		e->failed = now;
		snprintf(e->failed_id, sizeof e->failed_id, "%s", id);
		if (e->have && e->expires > now)
			sts_copy(e, v);
		sts_why(v, "%s", e->failure);
	}
	free(cause);
	free(domain);
}

/*
 * Fetch and parse the policy of domain, at the address hubd's resolver
 * gives for mta-sts.<domain>; -1 with *cause.
 */
static int
sts_fetch_policy(const char *domain, struct sts_fetched *f, char **cause)
{
	struct sts_fetch_opts	 o;
	struct hop_list		 hl;
	enum sts_fetch_status	 fs;
	struct buf		 body;
	char			*host, addr[INET6_ADDRSTRLEN], *why = NULL;
	const void		*a;
	int			 rc = -1;

	memset(&hl, 0, sizeof hl);
	xasprintf(&host, "mta-sts.%s", domain);
	if (dns_host(env->dns, host, 443, &hl, &why) != DNS_OK ||
	    hl.n == 0) {
		xasprintf(cause, "%s: %s", host, why != NULL ? why :
		    "no address");
		goto out;
	}
	a = hl.v[0].addr.ss_family == AF_INET ?
	    (const void *)&((struct sockaddr_in *)&hl.v[0].addr)->sin_addr :
	    (const void *)&((struct sockaddr_in6 *)&hl.v[0].addr)->sin6_addr;
	inet_ntop(hl.v[0].addr.ss_family, a, addr, sizeof addr);
	memset(&o, 0, sizeof o);
	o.ca_file = env->conf->ca_file;
	o.connect_addr = addr;
	o.port = env->conf->mta_sts_port;
	o.stop = &sts.nap.stopping;
	buf_init(&body);
	fs = sts_fetch(domain, &o, &body, cause);
	if (fs == STS_FETCH_OK)
		rc = sts_policy_parse(body.s, body.len, &f->pol, cause);
	buf_free(&body);
out:
	hop_list_clear(&hl);
	free(why);
	free(host);
	return (rc);
}

/* Committer jobs: a policy kept, a failed fetch recorded. */
static int
sts_put_job(struct spool *sp, void *arg, char **cause)
{
	const struct sts_fetched	*f = arg;
	struct spool_sts		 p;

	memset(&p, 0, sizeof p);
	p.domain = (char *)f->domain;
	p.id = (char *)f->id;
	p.mode = (char *)sts_mode_name(f->pol.mode);
	p.mx = f->pol.mx;
	p.nmx = f->pol.nmx;
	p.max_age = f->pol.max_age;
	p.fetched = f->now;
	return (spool_sts_put(sp, &p, cause));
}

static int
sts_fail_job(struct spool *sp, void *arg, char **cause)
{
	const struct sts_fetched	*f = arg;

	return (spool_sts_fail(sp, f->domain, f->failure, f->now, cause));
}

/* The policy cached in e, copied into v. */
static void
sts_copy(const struct sts_entry *e, struct sts_view *v)
{
	size_t	i;

	sts_policy_clear(&v->pol);
	v->have = e->pol.mode != STS_MODE_NONE;
	snprintf(v->id, sizeof v->id, "%s", e->id);
	v->pol.mode = e->pol.mode;
	v->pol.max_age = e->pol.max_age;
	v->pol.mx = xcalloc(e->pol.nmx > 0 ? e->pol.nmx : 1,
	    sizeof *v->pol.mx);
	for (i = 0; i < e->pol.nmx; i++)
		v->pol.mx[v->pol.nmx++] = xstrdup(e->pol.mx[i]);
	v->expires = e->expires;
}

static void
sts_why(struct sts_view *v, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(v->why, sizeof v->why, fmt, ap);
	va_end(ap);
}

/* The entry of domain (lower case), made when asked; NULL if not. */
static struct sts_entry *
sts_find(const char *domain, bool make)
{
	struct sts_entry	*e;
	size_t			 h = sts_hash(domain);

	for (e = sts.bucket[h]; e != NULL; e = e->next) {
		if (strcasecmp(e->domain, domain) == 0)
			return (e);
	}
	if (!make)
		return (NULL);
	e = xcalloc(1, sizeof *e);
	e->domain = xstrdup(domain);
	e->next = sts.bucket[h];
	sts.bucket[h] = e;
	return (e);
}

/* FNV-1a without case. */
static size_t
sts_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)(*s | 0x20)) * 16777619u;
	return (h % STS_BUCKETS);
}

/* ------------------------------------------------------------------ */
/* The refresher. */

static void *
sts_main(void *arg)
{
	struct spool	*sp = NULL;
	char		*cause = NULL;

	(void)arg;
	thread_name("mta-sts");
	if (spool_open(&sp, env->spool_path, &cause) != 0) {
		log_warnx("mta-sts: no refresh: %s", cause);
		free(cause);
		return (NULL);
	}
	while (nap_for(&sts.nap, STS_ROUND))
		sts_refresh_round(sp);
	spool_close(sp);
	return (NULL);
}

/*
 * One round: the policies that expire within STS_MARGIN are asked for
 * again, as a delivery would (a changed id or an expiry fetches; a
 * failure leaves the cache), those whose refresh failed in the last
 * STS_HOLD seconds aside; policies long expired leave the spool.
 */
static void
sts_refresh_round(struct spool *sp)
{
	struct sts_view	 v;
	char		**due = NULL, *cause = NULL;
	size_t		 n = 0, i;
	int64_t		 now = time(NULL);

	if (spool_sts_due(sp, now + STS_MARGIN, now - STS_HOLD,
	    STS_REFRESH_MAX, &due, &n, &cause) != 0) {
		log_warnx("mta-sts: refresh: %s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < n && !sts.nap.stopping; i++) {
		sts_lookup(due[i], true, &v);
		sts_view_clear(&v);
	}
	strv_free(due, n);
	if (spool_sts_prune(sp, now - STS_KEEP_EXPIRED, &cause) != 0) {
		log_warnx("mta-sts: prune: %s", cause);
		free(cause);
	}
}

/* ------------------------------------------------------------------ */
/* op mta-sts (Get-MtaStsPolicy). */

struct sts_ctl_arg {
	struct buf	*out;
	const char	*domain;	/* only this one, or NULL */
};

/* One cached policy as a record of ctl.h's "op mta-sts". */
static int
sts_ctl_one(const struct spool_sts *p, void *arg)
{
	struct sts_ctl_arg	*a = arg;
	struct ctl_rec		 rec;
	enum sts_mode		 mode;
	size_t			 i;
	static const char *const modes[] = {
		[STS_MODE_NONE] = "None",
		[STS_MODE_TESTING] = "Testing",
		[STS_MODE_ENFORCE] = "Enforce",
	};

	if (a->domain != NULL && strcasecmp(a->domain, p->domain) != 0)
		return (0);
	ctl_rec_init(&rec);
	ctl_add(&rec, "Domain", p->domain);
	ctl_add(&rec, "PolicyId", p->id);
	if (p->mode != NULL && sts_mode_from_name(p->mode, &mode) == 0)
		ctl_add(&rec, "Mode", modes[mode]);
	for (i = 0; i < p->nmx; i++)
		ctl_add(&rec, "Mx", p->mx[i]);
	if (p->id != NULL) {
		ctl_add_int(&rec, "MaxAge", p->max_age);
		ctl_add_int(&rec, "Fetched", p->fetched * 1000);
		ctl_add_int(&rec, "Expires", p->expires * 1000);
	}
	ctl_add(&rec, "LastFailure", p->failure);
	if (p->failure != NULL)
		ctl_add_int(&rec, "LastFailureTime", p->failed * 1000);
	ctl_encode(a->out, &rec, false);
	ctl_rec_clear(&rec);
	return (0);
}

/* "op mta-sts" [domain NAME]: the spool's policies, by domain. */
int
sts_ctl(const struct ctl_rec *req, struct buf *out, char **category,
    char **message)
{
	struct sts_ctl_arg	 a;
	struct spool		*sp = NULL;
	char			*cause = NULL;
	int			 rc = 0;

	a.out = out;
	a.domain = ctl_get(req, "domain");
	if (a.domain != NULL && *a.domain == '\0')
		a.domain = NULL;
	if (spool_open(&sp, env->spool_path, &cause) != 0 ||
	    spool_sts_list(sp, sts_ctl_one, &a, &cause) != 0) {
		rc = ctl_refuse(category, message, "ReadError", "%s", cause);
		free(cause);
	}
	if (sp != NULL)
		spool_close(sp);
	return (rc);
}
