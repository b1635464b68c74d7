/*
 * dns.c - MX and address lookups for delivery, through libunbound.
 *
 * One struct dns holds one libunbound context, shared by every worker
 * thread.  Lookups are asynchronous inside: libunbound resolves in one
 * thread of its own (ub_ctx_async), the answers come back through
 * ub_fd() to hubd's "dns" thread (dns_main), which hands each to the
 * thread that asked and is waiting for it (dns_resolve).  The
 * synchronous ub_resolve() would be simpler, but it sets up a whole
 * resolver worker for every call (sockets, event base, a freshly seeded
 * random state), about a millisecond of CPU even when the cache answers;
 * a delivery by MX makes several lookups.  The context only forwards,
 * to the configured resolver or to the nameservers of /etc/resolv.conf;
 * it never iterates from the root servers.
 *
 * Every hop_list handed back is in the order to try:
 *  - MX preference ascending, equal preferences in random order;
 *  - within one host, its IPv4 addresses before its IPv6 ones, each
 *    family in the order the resolver gave;
 *  - at most DNS_MAX_HOSTS exchanges and DNS_MAX_HOPS addresses;
 *  - every address carries the caller's port, every name is a
 *    lower-case copy;
 *  - on any status but DNS_OK it is empty and *cause says why.
 *
 * A DNS error (SERVFAIL, timeout) is never read as "no records": it is
 * DNS_TEMPFAIL, so the message waits instead of bouncing.
 *
 * Time bounds come from libunbound's retry schedule, set below so that
 * a forwarder that does not answer (nothing listening, or packets
 * dropped) costs one query about 17 s; it is then marked down and
 * every query fails at once (so the rest of a dns_mx() call too),
 * until its entry expires (infra-host-ttl, 30 s) and the next query
 * tries it afresh.  libunbound's defaults
 * are unfit here: past an RTO of 12 s it probes with waits of up to
 * infra-cache-max-rtt (120 s), so a later lookup took 7 minutes; and a
 * lower maximum alone leaves a dead forwarder marked down for the
 * default infra-host-ttl, 15 minutes, after it comes back.
 *
 * DNSSEC: with a trust anchor (dnssec-trust-anchor; Debian's root key by
 * default) libunbound validates every answer.  A bogus one is
 * DNS_TEMPFAIL, never "no such domain": a forged NXDOMAIN must not
 * return mail.  Each hop says whether the answers that led to it (the MX
 * answer, then the address answer) were secure, for DANE (RFC 7672
 * 2.2), which trusts TLSA records only behind a secure chain.  The
 * reserved names test. and home.arpa. are treated as unsigned unless an
 * anchor of their own says otherwise, so that a local resolver may
 * serve them beside a root anchor.
 *
 * TLSA (dns_tlsa): the records of _port._tcp.host are handed back only
 * when their answer validated; an insecure answer, like no answer, is
 * "no records" (RFC 7672 2.2), and a bogus or failed one is a failure,
 * never "no records", so that DANE cannot be stripped by a forged or
 * dropped reply.
 */
#define _GNU_SOURCE	/* pthread_getname_np(3) */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "xmalloc.h"
#include "transport.h"

#if defined(__OpenBSD__) || defined(__FreeBSD__) || defined(__NetBSD__) || \
    defined(__APPLE__) || (defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 36)))
#define DNS_HAVE_ARC4RANDOM	1
#endif

#define DNS_MAX_HOSTS	10	/* MX hosts looked up */
#define DNS_MAX_HOPS	20	/* addresses returned */
#define DNS_MAX_TLSA	32	/* TLSA records taken for one host */
#define DNS_MAX_TXT	32	/* TXT records taken for one name */
#define DNS_NAME_MAX	255	/* wire length of a name (RFC 1035) */
#define DNS_WAIT_SECS	90	/* a lookup's wait, past libunbound's own */
#define DNS_TIMEDOUT	1	/* dns_resolve: no answer in DNS_WAIT_SECS */

#define DNS_CLASS_IN	1
#define DNS_TYPE_A	1
#define DNS_TYPE_MX	15
#define DNS_TYPE_AAAA	28
#define DNS_TYPE_TXT	16
#define DNS_TYPE_TLSA	52
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3

struct dns {
	struct ub_ctx	*ctx;
	bool		 validating;	/* a trust anchor is set */
	pthread_t	 thread;	/* dns_main, once started */
	bool		 started;
	int		 stop[2];	/* a pipe: dns_free wakes dns_main */
};

/* One lookup waiting for its answer (dns_resolve). */
struct dns_wait {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cv;
	bool			 done;
	int			 err;	/* libunbound's, 0: res is set */
	struct ub_result	*res;
};

/* One MX record, decoded; host "" is the root (null MX). */
struct mx_rr {
	char		*host;
	int		 pref;
	uint32_t	 order;		/* random tie-break */
};

/* The TXT records taken so far (dns_txt). */
struct dns_txts {
	char	**v;
	size_t	  n;
};

/* What one query said. */
enum dns_answer {
	ANS_DATA,		/* records of the type asked */
	ANS_NODATA,		/* the name exists, no such records */
	ANS_NXDOMAIN,		/* the name does not exist */
	ANS_FAIL,		/* SERVFAIL, timeout, library error */
	ANS_BOGUS		/* DNSSEC validation failed */
};

/* Options set on every context. */
static const struct {
	const char	*opt;
	const char	*val;
} dns_options[] = {
	/* A resolver on loopback (tests, a local cache) is allowed. */
	{ "do-not-query-localhost:", "no" },
	/*
	 * Names reserved for testing and home networks (RFC 6761, 8375)
	 * go to the resolver, which may serve them; libunbound would
	 * answer NXDOMAIN itself.  onion. and invalid. stay unresolvable.
	 */
	{ "local-zone:", "test. transparent" },
	{ "local-zone:", "home.arpa. transparent" },
	{ "domain-insecure:", "test." },
	{ "domain-insecure:", "home.arpa." },
	/* Below the 12 s where slow probes start: see the top. */
	{ "infra-cache-max-rtt:", "10000" },
	{ "infra-host-ttl:", "30" },
};

static char	*dns_fwd_spec(const char *, char **);
static int	 dns_anchor(struct dns *, const char *, char **);
static int	 dns_port_ok(const char *);
static int	 dns_configure(struct ub_ctx *, const char *, char **);
static int	 dns_start(struct dns *, const char *, char **);
static void	*dns_main(void *);
static void	 dns_answered(void *, int, struct ub_result *);
static int	 dns_resolve(struct dns *, const char *, int,
		    struct ub_result **, const char **);
static enum dns_answer dns_query(struct dns *, const char *, int,
		    struct ub_result **, char **);
static const char *dns_type_name(int);
static enum dns_status dns_rrset(struct dns *, const char *, int, bool,
		    size_t (*)(struct ub_result *, void *), void *, char **);
static size_t	 dns_tlsa_decode(struct ub_result *, void *);
static size_t	 dns_txt_take(struct ub_result *, void *);
static char	*dns_txt_decode(const unsigned char *, size_t);
static enum dns_status dns_exchanges(struct dns *, const char *,
		    struct ub_result *, int, struct hop_list *, char **);
static enum dns_status dns_implicit(struct dns *, const char *, int,
		    struct hop_list *, char **);
static size_t	 dns_mx_decode(struct ub_result *, struct mx_rr **);
static int	 dns_name_text(const unsigned char *, size_t, char *,
		    size_t);
static int	 dns_mx_cmp(const void *, const void *);
static void	 dns_mx_free(struct mx_rr *, size_t);
static uint32_t	 dns_random(void);
static enum dns_answer dns_addrs(struct dns *, const char *, int, int,
		    bool, struct hop_list *, char **);
static enum dns_answer dns_addrs_type(struct dns *, const char *, int,
		    int, int, bool, struct hop_list *, char **);
static int	 dns_literal(const char *, int, struct hop_list *);
static void	 hop_add(struct hop_list *, const char *, int, int,
		    const void *, int);
static void	 dns_why(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static enum dns_status dns_finish(enum dns_status, struct hop_list *,
		    char *, char **);

int
dns_create(struct dns **dp, const char *resolver, const char *trust_anchor,
    char **cause)
{
	struct dns	*dns;
	char		*spec = NULL;

	*dp = NULL;
	if (resolver != NULL && (spec = dns_fwd_spec(resolver, cause)) == NULL)
		return (-1);
	dns = xcalloc(1, sizeof *dns);
	dns->stop[0] = dns->stop[1] = -1;
	if ((dns->ctx = ub_ctx_create()) == NULL) {
		*cause = xstrdup("cannot create a resolver context");
		free(spec);
		free(dns);
		return (-1);
	}
	if (dns_configure(dns->ctx, spec, cause) != 0) {
		free(spec);
		dns_free(dns);
		return (-1);
	}
	free(spec);
	if ((trust_anchor != NULL && dns_anchor(dns, trust_anchor,
	    cause) != 0) || dns_start(dns, trust_anchor, cause) != 0) {
		dns_free(dns);
		return (-1);
	}
	*dp = dns;
	return (0);
}

/*
 * Resolve in libunbound's own thread, start the thread that takes the
 * answers, and make the first lookup, one that libunbound answers
 * itself (localhost.).  That lookup creates libunbound's thread, named
 * "unbound" for ps -L by the name it inherits from this one; and it
 * reads the trust anchor, which libunbound does only on first use, so
 * that a file that cannot be parsed stops hubd at start instead of
 * failing every lookup.
 */
static int
dns_start(struct dns *dns, const char *anchor, char **cause)
{
	struct ub_result	*res;
	const char		*reason = NULL;
	char			 name[16];
	int			 rc;

	if ((rc = ub_ctx_async(dns->ctx, 1)) != 0) {
		xasprintf(cause, "resolver: %s", ub_strerror(rc));
		return (-1);
	}
	if (pipe(dns->stop) != 0) {
		dns->stop[0] = dns->stop[1] = -1;
		xasprintf(cause, "resolver: pipe: %s", strerror(errno));
		return (-1);
	}
	if ((rc = pthread_create(&dns->thread, NULL, dns_main, dns)) != 0) {
		xasprintf(cause, "resolver: thread: %s", strerror(rc));
		return (-1);
	}
	dns->started = true;

	if (pthread_getname_np(pthread_self(), name, sizeof name) != 0)
		snprintf(name, sizeof name, "hubd");
	thread_name("unbound");
	rc = dns_resolve(dns, "localhost.", DNS_TYPE_A, &res, &reason);
	thread_name(name);
	if (rc != 0) {
		if (anchor != NULL)
			xasprintf(cause, "DNSSEC trust anchor %s: %s", anchor,
			    rc == DNS_TIMEDOUT ? reason : ub_strerror(rc));
		else
			xasprintf(cause, "resolver: %s",
			    rc == DNS_TIMEDOUT ? reason : ub_strerror(rc));
		return (-1);
	}
	ub_resolve_free(res);
	return (0);
}

/*
 * The "dns" thread: whenever libunbound has answers, ub_process() hands
 * each to dns_answered, here, until dns_free writes to the stop pipe.
 */
static void *
dns_main(void *arg)
{
	struct dns	*dns = arg;
	struct pollfd	 pfd[2];
	int		 rc;

	thread_name("dns");
	pfd[0].fd = ub_fd(dns->ctx);
	pfd[0].events = POLLIN;
	pfd[1].fd = dns->stop[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatalx("resolver: poll: %s", strerror(errno));
		}
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents == 0 || (rc = ub_process(dns->ctx)) == 0)
			continue;
		if (rc == UB_PIPE) {
			/* libunbound's thread is gone: lookups time out. */
			log_warnx("resolver: the resolver thread stopped "
			    "answering (%s); DNS lookups fail until hubd "
			    "restarts", ub_strerror(rc));
			break;
		}
		log_warnx("resolver: %s", ub_strerror(rc));
	}
	return (NULL);
}

/* libunbound's callback, in the "dns" thread: wake the thread asking. */
static void
dns_answered(void *arg, int err, struct ub_result *res)
{
	struct dns_wait	*w = arg;

	pthread_mutex_lock(&w->lock);
	w->err = err;
	w->res = res;
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->lock);
}

/*
 * One lookup, waited for: 0 and *res (to be freed with
 * ub_resolve_free), or libunbound's error (negative), or DNS_TIMEDOUT
 * and *reason when no answer came in DNS_WAIT_SECS (libunbound's
 * schedule ends a query long before: this bounds a wedged resolver
 * thread).  A lookup cancelled in time never calls back; one that could
 * not be cancelled is under way and is waited for, so w is never used
 * after this returns.
 */
static int
dns_resolve(struct dns *dns, const char *name, int type,
    struct ub_result **res, const char **reason)
{
	struct dns_wait	 w;
	struct timespec	 ts;
	int		 rc, id;
	bool		 cancelled = false;

	*res = NULL;
	memset(&w, 0, sizeof w);
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cv, NULL);
	rc = ub_resolve_async(dns->ctx, name, type, DNS_CLASS_IN, &w,
	    dns_answered, &id);
	if (rc == 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += DNS_WAIT_SECS;
		pthread_mutex_lock(&w.lock);
		while (!w.done && pthread_cond_timedwait(&w.cv, &w.lock,
		    &ts) != ETIMEDOUT)
			;
		if (!w.done) {
			pthread_mutex_unlock(&w.lock);
			cancelled = ub_cancel(dns->ctx, id) == 0;
			pthread_mutex_lock(&w.lock);
			while (!cancelled && !w.done)
				pthread_cond_wait(&w.cv, &w.lock);
		}
		pthread_mutex_unlock(&w.lock);
		if (cancelled) {
			*reason = "no answer from the resolver";
			rc = DNS_TIMEDOUT;
		} else if ((rc = w.err) == 0)
			*res = w.res;
	}
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.lock);
	return (rc);
}

/*
 * Validate from the anchors in path.  libunbound reads the file only when
 * the context is first used: dns_start's first lookup does, so that a
 * file that cannot be read or parsed stops hubd at start.
 */
static int
dns_anchor(struct dns *dns, const char *path, char **cause)
{
	int	rc;

	if (access(path, R_OK) != 0) {
		xasprintf(cause, "DNSSEC trust anchor %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	if ((rc = ub_ctx_add_ta_file(dns->ctx, path)) != 0) {
		xasprintf(cause, "DNSSEC trust anchor %s: %s", path,
		    ub_strerror(rc));
		return (-1);
	}
	dns->validating = true;
	return (0);
}

const char *
dns_sec_name(enum dns_sec sec)
{
	switch (sec) {
	case DNSSEC_SECURE:
		return ("Secure");
	case DNSSEC_INSECURE:
		return ("Insecure");
	default:
		return ("NotValidated");
	}
}

void
dns_free(struct dns *dns)
{
	if (dns == NULL)
		return;
	if (dns->started) {
		(void)write(dns->stop[1], "", 1);
		pthread_join(dns->thread, NULL);
	}
	ub_ctx_delete(dns->ctx);
	if (dns->stop[0] != -1) {
		close(dns->stop[0]);
		close(dns->stop[1]);
	}
	free(dns);
}

/*
 * Turn "addr", "addr:port", "[addr]" or "[addr]:port", addr an IPv4 or
 * IPv6 literal (a bare IPv6 address takes no port), into libunbound's
 * "addr@port".
 */
static char *
dns_fwd_spec(const char *resolver, char **cause)
{
	struct in6_addr	 in6;
	char		*copy, *addr, *port = NULL, *p, *spec = NULL;

	copy = xstrdup(resolver);
	addr = copy;
	if (*addr == '[') {
		addr++;
		if ((p = strchr(addr, ']')) == NULL ||
		    (p[1] != '\0' && p[1] != ':'))
			goto bad;
		*p = '\0';
		if (p[1] == ':')
			port = p + 2;
	} else if ((p = strchr(addr, ':')) != NULL &&
	    strchr(p + 1, ':') == NULL) {
		*p = '\0';
		port = p + 1;
	}
	if (inet_pton(AF_INET, addr, &in6) != 1 &&
	    inet_pton(AF_INET6, addr, &in6) != 1)
		goto bad;
	if (port != NULL && !dns_port_ok(port))
		goto bad;
	if (port != NULL)
		spec = xprintf("%s@%s", addr, port);
	else
		spec = xstrdup(addr);
	free(copy);
	return (spec);
bad:
	xasprintf(cause, "resolver %s: expected an IP address and an "
	    "optional port", resolver);
	free(copy);
	return (NULL);
}

/* Is s a decimal port, 1 to 65535? */
static int
dns_port_ok(const char *s)
{
	long	 n = 0;

	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || (n = n * 10 + *s - '0') > 65535)
			return (0);
	}
	return (n > 0);
}

/* Forward to spec, or to the system's nameservers when it is NULL. */
static int
dns_configure(struct ub_ctx *ctx, const char *spec, char **cause)
{
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof dns_options / sizeof dns_options[0]; i++) {
		rc = ub_ctx_set_option(ctx, dns_options[i].opt,
		    dns_options[i].val);
		if (rc != 0) {
			xasprintf(cause, "resolver option %s %s: %s",
			    dns_options[i].opt, dns_options[i].val,
			    ub_strerror(rc));
			return (-1);
		}
	}
	if (spec != NULL) {
		/* A forward zone for "." without forward-first: no root. */
		if ((rc = ub_ctx_set_fwd(ctx, spec)) != 0) {
			xasprintf(cause, "resolver %s: %s", spec,
			    ub_strerror(rc));
			return (-1);
		}
		return (0);
	}
	if ((rc = ub_ctx_resolvconf(ctx, NULL)) != 0) {
		xasprintf(cause, "/etc/resolv.conf: %s", ub_strerror(rc));
		return (-1);
	}
	if ((rc = ub_ctx_hosts(ctx, NULL)) != 0) {
		xasprintf(cause, "/etc/hosts: %s", ub_strerror(rc));
		return (-1);
	}
	return (0);
}

enum dns_status
dns_mx(struct dns *dns, const char *domain, int port, struct hop_list *hl,
    char **cause)
{
	struct ub_result	*res;
	enum dns_status		 status;
	char			*why = NULL;

	hl->v = NULL;
	hl->n = 0;
	switch (dns_query(dns, domain, DNS_TYPE_MX, &res, &why)) {
	case ANS_DATA:
		status = dns_exchanges(dns, domain, res, port, hl, &why);
		ub_resolve_free(res);
		break;
	case ANS_NODATA:
		status = dns_implicit(dns, domain, port, hl, &why);
		break;
	case ANS_NXDOMAIN:
		status = DNS_NXDOMAIN;
		dns_why(&why, "%s: no such domain", domain);
		break;
	case ANS_BOGUS:
		status = DNS_BOGUS;
		break;
	default:
		status = DNS_TEMPFAIL;
		break;
	}
	return (dns_finish(status, hl, why, cause));
}

enum dns_status
dns_host(struct dns *dns, const char *host, int port, struct hop_list *hl,
    char **cause)
{
	enum dns_status	 status;
	char		*why = NULL;

	hl->v = NULL;
	hl->n = 0;
	if (dns_literal(host, port, hl))
		return (DNS_OK);
	switch (dns_addrs(dns, host, 0, port, true, hl, &why)) {
	case ANS_DATA:
		status = DNS_OK;
		break;
	case ANS_NODATA:
		status = DNS_NOHOST;
		dns_why(&why, "%s: no address", host);
		break;
	case ANS_NXDOMAIN:
		status = DNS_NXDOMAIN;
		dns_why(&why, "%s: no such host", host);
		break;
	case ANS_BOGUS:
		status = DNS_BOGUS;
		break;
	default:
		status = DNS_TEMPFAIL;
		break;
	}
	return (dns_finish(status, hl, why, cause));
}

enum dns_status
dns_tlsa(struct dns *dns, const char *host, int port, struct tlsa_set *ts,
    char **cause)
{
	enum dns_status	 status;
	char		*qname;

	ts->v = NULL;
	ts->n = 0;
	xasprintf(&qname, "_%d._tcp.%s", port, host);
	status = dns_rrset(dns, qname, DNS_TYPE_TLSA, true, dns_tlsa_decode,
	    ts, cause);
	free(qname);
	return (status);
}

/*
 * The records of one name and type handed to take, which says how many
 * it kept: DNS_OK for some, DNS_NOHOST for none (or an answer that is
 * not secure when secure_only), else the failure with *cause.
 */
static enum dns_status
dns_rrset(struct dns *dns, const char *name, int type, bool secure_only,
    size_t (*take)(struct ub_result *, void *), void *arg, char **cause)
{
	struct ub_result	*res;
	enum dns_status		 status;
	char			*why = NULL;

	switch (dns_query(dns, name, type, &res, &why)) {
	case ANS_DATA:
		status = (!secure_only || res->secure) && take(res, arg) > 0 ?
		    DNS_OK : DNS_NOHOST;
		ub_resolve_free(res);
		break;
	case ANS_NODATA:
	case ANS_NXDOMAIN:
		status = DNS_NOHOST;
		break;
	case ANS_BOGUS:
		status = DNS_BOGUS;
		break;
	default:
		status = DNS_TEMPFAIL;
		break;
	}
	if (status == DNS_OK || status == DNS_NOHOST) {
		free(why);
		return (status);
	}
	if (why == NULL)
		xasprintf(&why, "%s %s lookup failed", name,
		    dns_type_name(type));
	*cause = why;
	return (status);
}

/* The records of a TLSA answer; a record too short to hold one is left. */
static size_t
dns_tlsa_decode(struct ub_result *res, void *arg)
{
	struct tlsa_set		*ts = arg;
	const unsigned char	*p;
	struct tlsa_rr		*t;
	size_t			 i, len;

	for (i = 0; res->data[i] != NULL && ts->n < DNS_MAX_TLSA; i++) {
		p = (const unsigned char *)res->data[i];
		if (res->len[i] < 4)
			continue;
		len = (size_t)res->len[i] - 3;
		ts->v = xreallocarray(ts->v, ts->n + 1, sizeof *ts->v);
		t = &ts->v[ts->n++];
		t->usage = p[0];
		t->selector = p[1];
		t->mtype = p[2];
		t->len = len;
		t->data = xmalloc(len);
		memcpy(t->data, p + 3, len);
	}
	return (ts->n);
}

enum dns_status
dns_txt(struct dns *dns, const char *name, char ***txts, size_t *n,
    char **cause)
{
	struct dns_txts	t = { NULL, 0 };
	enum dns_status	status;

	status = dns_rrset(dns, name, DNS_TYPE_TXT, false, dns_txt_take, &t,
	    cause);
	*txts = t.v;
	*n = t.n;
	return (status);
}

/* The TXT records of an answer that decode. */
static size_t
dns_txt_take(struct ub_result *res, void *arg)
{
	struct dns_txts	*t = arg;
	char		*s;
	size_t		 i;

	for (i = 0; res->data[i] != NULL && t->n < DNS_MAX_TXT; i++) {
		s = dns_txt_decode((const unsigned char *)res->data[i],
		    (size_t)res->len[i]);
		if (s == NULL)
			continue;
		t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
		t->v[t->n++] = s;
	}
	return (t->n);
}

/*
 * One TXT record's character-strings joined (RFC 7208 3.3 reads them so,
 * and RFC 8461 3.1 too); NULL for one that does not decode or holds a
 * NUL.
 */
static char *
dns_txt_decode(const unsigned char *p, size_t len)
{
	struct buf	b;
	size_t		i = 0, k;

	buf_init(&b);
	while (i < len) {
		k = p[i++];
		if (k > len - i || memchr(p + i, '\0', k) != NULL) {
			buf_free(&b);
			return (NULL);
		}
		buf_add(&b, p + i, k);
		i += k;
	}
	if (b.s == NULL)
		buf_adds(&b, "");
	return (buf_detach(&b));
}

void
tlsa_rr_text(struct buf *b, const struct tlsa_rr *t, size_t max)
{
	size_t	i, n = max > 0 && t->len > max ? max : t->len;

	buf_addf(b, "%u %u %u ", t->usage, t->selector, t->mtype);
	for (i = 0; i < n; i++)
		buf_addf(b, "%02X", t->data[i]);
	if (n < t->len)
		buf_adds(b, "...");
}

void
tlsa_set_clear(struct tlsa_set *ts)
{
	size_t	i;

	for (i = 0; i < ts->n; i++)
		free(ts->v[i].data);
	free(ts->v);
	ts->v = NULL;
	ts->n = 0;
}

void
hop_list_clear(struct hop_list *hl)
{
	size_t	i;

	for (i = 0; i < hl->n; i++)
		free(hl->v[i].name);
	free(hl->v);
	hl->v = NULL;
	hl->n = 0;
}

/*
 * Ask for the records of one type; *resp is set for ANS_DATA only.  On
 * ANS_FAIL, *why gets the reason unless an earlier failure set it.
 */
static enum dns_answer
dns_query(struct dns *dns, const char *name, int type,
    struct ub_result **resp, char **why)
{
	struct ub_result	*res = NULL;
	const char		*reason = NULL;
	int			 rc;

	*resp = NULL;
	rc = dns_resolve(dns, name, type, &res, &reason);
	if (rc == UB_SYNTAX)
		return (ANS_NXDOMAIN);	/* not a name: it cannot exist */
	if (rc == DNS_TIMEDOUT)
		;			/* reason is set */
	else if (rc != 0)
		reason = ub_strerror(rc);
	else if (res->bogus) {
		/* Before NXDOMAIN: a forged "no such domain" is bogus. */
		if (*why == NULL)
			xasprintf(why, "%s %s lookup: DNSSEC validation "
			    "failed (%s)", name, dns_type_name(type),
			    res->why_bogus != NULL ? res->why_bogus :
			    "bogus answer");
		ub_resolve_free(res);
		return (ANS_BOGUS);
	} else if (res->rcode == DNS_RCODE_NXDOMAIN) {
		ub_resolve_free(res);
		return (ANS_NXDOMAIN);
	} else if (res->rcode == DNS_RCODE_SERVFAIL)
		reason = "server failure or timeout";
	else if (res->rcode != 0)
		reason = "refused or unexpected response code";
	else if (!res->havedata) {
		ub_resolve_free(res);
		return (ANS_NODATA);
	} else {
		*resp = res;
		return (ANS_DATA);
	}
	if (*why == NULL)
		xasprintf(why, "%s %s lookup: %s", name, dns_type_name(type),
		    reason);
	if (res != NULL)
		ub_resolve_free(res);
	return (ANS_FAIL);
}

static const char *
dns_type_name(int type)
{
	switch (type) {
	case DNS_TYPE_A:
		return ("A");
	case DNS_TYPE_AAAA:
		return ("AAAA");
	case DNS_TYPE_TLSA:
		return ("TLSA");
	case DNS_TYPE_TXT:
		return ("TXT");
	default:
		return ("MX");
	}
}

/* The hops of an MX answer: null MX, or each exchange's addresses. */
static enum dns_status
dns_exchanges(struct dns *dns, const char *domain, struct ub_result *res,
    int port, struct hop_list *hl, char **why)
{
	struct mx_rr	*mx;
	enum dns_answer	 a;
	size_t		 n, i, hosts = 0;
	int		 failed = 0, bogus = 0;
	bool		 secure;

	n = dns_mx_decode(res, &mx);
	if (n == 1 && mx[0].pref == 0 && *mx[0].host == '\0') {
		dns_mx_free(mx, n);
		dns_why(why, "%s: null MX, the domain accepts no mail",
		    domain);
		return (DNS_NULLMX);
	}
	secure = res->secure != 0;
	qsort(mx, n, sizeof *mx, dns_mx_cmp);
	for (i = 0; i < n && hosts < DNS_MAX_HOSTS &&
	    hl->n < DNS_MAX_HOPS; i++) {
		if (*mx[i].host == '\0')
			continue;	/* "." beside other MX: no host */
		hosts++;
		a = dns_addrs(dns, mx[i].host, mx[i].pref, port, secure, hl,
		    why);
		failed |= a == ANS_FAIL;
		bogus |= a == ANS_BOGUS;
	}
	dns_mx_free(mx, n);
	if (hl->n > 0)
		return (DNS_OK);
	if (bogus)
		return (DNS_BOGUS);
	if (failed)
		return (DNS_TEMPFAIL);
	dns_why(why, "%s: no MX host has an address", domain);
	return (DNS_NOHOST);
}

/* Implicit MX (RFC 5321 5.1): the domain's own addresses, pref 0. */
static enum dns_status
dns_implicit(struct dns *dns, const char *domain, int port,
    struct hop_list *hl, char **why)
{
	switch (dns_addrs(dns, domain, 0, port, true, hl, why)) {
	case ANS_DATA:
		return (DNS_OK);
	case ANS_FAIL:
		return (DNS_TEMPFAIL);
	case ANS_BOGUS:
		return (DNS_BOGUS);
	default:
		dns_why(why, "%s: no MX and no address", domain);
		return (DNS_NOHOST);
	}
}

/*
 * Decode the MX records of res, each with a random tie-break; records
 * that do not decode are left out.  Returns how many there are.
 */
static size_t
dns_mx_decode(struct ub_result *res, struct mx_rr **mxp)
{
	const unsigned char	*p;
	struct mx_rr		*mx;
	char			 host[DNS_NAME_MAX + 1];
	size_t			 n = 0, i, len;

	for (i = 0; res->data[i] != NULL; i++)
		;
	mx = xcalloc(i == 0 ? 1 : i, sizeof *mx);
	for (i = 0; res->data[i] != NULL; i++) {
		p = (const unsigned char *)res->data[i];
		len = res->len[i] < 0 ? 0 : (size_t)res->len[i];
		if (len < 3 || dns_name_text(p + 2, len - 2, host,
		    sizeof host) != 0)
			continue;
		mx[n].pref = (p[0] << 8) | p[1];
		mx[n].host = xstrdup(host);
		mx[n].order = dns_random();
		n++;
	}
	*mxp = mx;
	return (n);
}

/*
 * Decode the wire-format name that is exactly the len bytes at p into
 * dotted text without the final dot ("" for the root).  libunbound
 * hands rdata names uncompressed, so a compression pointer is refused,
 * as are a truncated or over-long name and a label with a byte a host
 * name cannot carry (the text goes back to ub_resolve() unescaped).
 */
static int
dns_name_text(const unsigned char *p, size_t len, char *out, size_t outsz)
{
	size_t	i = 0, o = 0, l, j;

	if (len == 0 || len > DNS_NAME_MAX || outsz < DNS_NAME_MAX)
		return (-1);
	while (i < len && (l = p[i++]) != 0) {
		if (l > 63 || l > len - i)
			return (-1);
		if (o > 0)
			out[o++] = '.';
		for (j = 0; j < l; j++, i++) {
			if (p[i] <= ' ' || p[i] >= 0x7f || p[i] == '.' ||
			    p[i] == '\\')
				return (-1);
			out[o++] = (char)p[i];
		}
	}
	if (i != len || p[len - 1] != 0)
		return (-1);
	out[o] = '\0';
	return (0);
}

/* Preference ascending, then the random tie-break. */
static int
dns_mx_cmp(const void *a, const void *b)
{
	const struct mx_rr	*x = a, *y = b;

	if (x->pref != y->pref)
		return (x->pref < y->pref ? -1 : 1);
	if (x->order != y->order)
		return (x->order < y->order ? -1 : 1);
	return (0);
}

static void
dns_mx_free(struct mx_rr *mx, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(mx[i].host);
	free(mx);
}

/* A random number, safe from any thread. */
static uint32_t
dns_random(void)
{
#ifdef DNS_HAVE_ARC4RANDOM
	return (arc4random());
#else
	uint32_t	r;

	if (getentropy(&r, sizeof r) != 0)
		r = (uint32_t)time(NULL) ^ (uint32_t)clock();
	return (r);
#endif
}

/*
 * Append the addresses of name, A then AAAA, as hops of preference
 * pref.  ANS_DATA if any was appended; else ANS_FAIL if a lookup
 * failed, ANS_NXDOMAIN if the name does not exist, ANS_NODATA.
 */
static enum dns_answer
dns_addrs(struct dns *dns, const char *name, int pref, int port,
    bool secure, struct hop_list *hl, char **why)
{
	enum dns_answer	 a4, a6;
	size_t		 n0 = hl->n;

	a4 = dns_addrs_type(dns, name, DNS_TYPE_A, pref, port, secure, hl,
	    why);
	if (a4 == ANS_NXDOMAIN)
		return (ANS_NXDOMAIN);
	a6 = dns_addrs_type(dns, name, DNS_TYPE_AAAA, pref, port, secure, hl,
	    why);
	if (hl->n > n0)
		return (ANS_DATA);
	if (a4 == ANS_BOGUS || a6 == ANS_BOGUS)
		return (ANS_BOGUS);
	if (a4 == ANS_FAIL || a6 == ANS_FAIL)
		return (ANS_FAIL);
	return (a6 == ANS_NXDOMAIN ? ANS_NXDOMAIN : ANS_NODATA);
}

/*
 * Append the A or AAAA records of name, up to DNS_MAX_HOPS in all;
 * secure: the name itself was obtained securely (a secure MX answer, or
 * the caller's own).
 */
static enum dns_answer
dns_addrs_type(struct dns *dns, const char *name, int type, int pref,
    int port, bool secure, struct hop_list *hl, char **why)
{
	enum dns_sec		 sec, host_sec;
	struct ub_result	*res;
	enum dns_answer		 ans;
	size_t			 i, alen;
	int			 af;

	if (hl->n >= DNS_MAX_HOPS)
		return (ANS_NODATA);
	if ((ans = dns_query(dns, name, type, &res, why)) != ANS_DATA)
		return (ans);
	af = type == DNS_TYPE_A ? AF_INET : AF_INET6;
	alen = type == DNS_TYPE_A ? 4 : 16;
	sec = !dns->validating ? DNSSEC_NONE : secure && res->secure ?
	    DNSSEC_SECURE : DNSSEC_INSECURE;
	host_sec = !dns->validating ? DNSSEC_NONE : res->secure ?
	    DNSSEC_SECURE : DNSSEC_INSECURE;
	for (i = 0; res->data[i] != NULL && hl->n < DNS_MAX_HOPS; i++) {
		if (res->len[i] == (int)alen) {
			hop_add(hl, name, pref, af, res->data[i], port);
			hl->v[hl->n - 1].sec = sec;
			hl->v[hl->n - 1].host_sec = host_sec;
		}
	}
	ub_resolve_free(res);
	return (ANS_DATA);
}

/*
 * An address literal ("192.0.2.1", "2001:db8::1", "[192.0.2.1]",
 * "[IPv6:2001:db8::1]") is its own single hop; no DNS.
 */
static int
dns_literal(const char *host, int port, struct hop_list *hl)
{
	struct in6_addr	 a;
	char		*s, *p;
	int		 af = 0;

	s = xstrdup(host);
	p = s;
	if (*p == '[' && p[strlen(p) - 1] == ']') {
		p[strlen(p) - 1] = '\0';
		p++;
		if (strncasecmp(p, "IPv6:", 5) == 0)
			p += 5;
	}
	if (inet_pton(AF_INET, p, &a) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, p, &a) == 1)
		af = AF_INET6;
	if (af != 0)
		hop_add(hl, p, 0, af, &a, port);
	free(s);
	return (af != 0);
}

/* Append one hop: name in lower case, an address of family af, port. */
static void
hop_add(struct hop_list *hl, const char *name, int pref, int af,
    const void *addr, int port)
{
	struct hop		*h;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	char			*p;

	hl->v = xreallocarray(hl->v, hl->n + 1, sizeof *hl->v);
	h = &hl->v[hl->n++];
	memset(h, 0, sizeof *h);
	h->name = xstrdup(name);
	for (p = h->name; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	h->pref = pref;
	if (af == AF_INET) {
		sin = (struct sockaddr_in *)&h->addr;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, addr, sizeof sin->sin_addr);
		h->addrlen = sizeof *sin;
	} else {
		sin6 = (struct sockaddr_in6 *)&h->addr;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, addr, sizeof sin6->sin6_addr);
		h->addrlen = sizeof *sin6;
	}
}

/* Replace *why by a new reason. */
static void
dns_why(char **why, const char *fmt, ...)
{
	va_list	ap;

	free(*why);
	va_start(ap, fmt);
	xvasprintf(why, fmt, ap);
	va_end(ap);
}

/* Hand back status: on failure an empty list and the reason. */
static enum dns_status
dns_finish(enum dns_status status, struct hop_list *hl, char *why,
    char **cause)
{
	if (status == DNS_OK) {
		free(why);
		return (status);
	}
	hop_list_clear(hl);
	if (why == NULL)
		why = xstrdup("lookup failed");
	*cause = why;
	return (status);
}
