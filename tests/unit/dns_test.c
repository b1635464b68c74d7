/*
 * dns_test.c - dns.c against a real DNS server on loopback.
 *
 * The test starts unbound (HUBSH_UNBOUND, default /usr/sbin/unbound)
 * in a temporary directory, serving a static "test." zone on 127.0.0.1
 * and a free high port, and points a struct dns at it.  Every address
 * in the zone is in 127.0.0.0/8 or ::1.  Without unbound the test
 * bails out: it never skips.  The server is stopped at the end, and on
 * Linux it also dies with the test (tests/unit/fixture.h).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"
#include "fixture.h"
#include "tap.h"

#define DELIVERY_PORT	2525	/* the port every hop must carry */
#define START_WAIT_S	15	/* for unbound to answer */
#define DEAD_BOUND_S	30	/* a dead resolver must fail sooner */
#define RECOVER_WAIT_S	60	/* for a context to find it back */
#define SHUFFLE_TRIES	200
#define NTHREADS	8
#define NLOOKUPS	50

static const char *zone[] = {
	"ready.test. A 127.0.0.1",
	/* Preferences 10, 20 (twice) and 30; b1 has IPv4 and IPv6. */
	"mx.test. MX 10 b1.test.",
	"mx.test. MX 20 c1.test.",
	"mx.test. MX 20 c2.test.",
	"mx.test. MX 30 d.test.",
	"b1.test. A 127.0.0.11",
	"b1.test. AAAA ::1",
	"c1.test. A 127.0.0.21",
	"c2.test. A 127.0.0.22",
	"d.test. A 127.0.0.31",
	"nullmx.test. MX 0 .",
	"dotmix.test. MX 0 .",
	"dotmix.test. MX 10 c1.test.",
	"implicit.test. A 127.0.0.41",
	"implicit.test. AAAA ::1",
	"bare.test. TXT \"no mail here\"",
	"txtonly.test. TXT \"no address\"",
	/* ghost.test does not exist, txtonly.test has no address. */
	"noaddr.test. MX 10 ghost.test.",
	"noaddr.test. MX 20 txtonly.test.",
	"partial.test. MX 10 ghost.test.",
	"partial.test. MX 20 c1.test.",
	"v6only.test. AAAA ::1",
	"multi.test. A 127.0.0.51",
	"multi.test. A 127.0.0.52",
	NULL
};

static char		*tmpdir;
static const char	*unbound;
static struct fixture_unbound main_server = FIXTURE_UNBOUND_INIT;
static struct dns	*dns;

/* wide.test: 12 MX of one address; deep.test: 8 MX of three. */
static char *
zone_extra(void)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 1; i <= 12; i++)
		buf_addf(&b, "\tlocal-data: 'wide.test. MX %zu w%zu.test.'\n"
		    "\tlocal-data: 'w%zu.test. A 127.0.1.%zu'\n", i, i, i, i);
	for (i = 1; i <= 8; i++)
		buf_addf(&b, "\tlocal-data: 'deep.test. MX %zu e%zu.test.'\n"
		    "\tlocal-data: 'e%zu.test. A 127.0.2.%zu1'\n"
		    "\tlocal-data: 'e%zu.test. A 127.0.2.%zu2'\n"
		    "\tlocal-data: 'e%zu.test. A 127.0.2.%zu3'\n",
		    i, i, i, i, i, i, i, i);
	return (buf_detach(&b));
}

/* What fixture_unbound_wait polls: is there an answer on this port? */
struct probe_arg {
	int		 port;
	struct dns	*d;		/* NULL: a fresh context each time */
};

/* Does the server on port answer, asked through d or a fresh context? */
static int
answers(void *arg)
{
	struct probe_arg	*pa = arg;
	struct dns		*fresh = NULL, *d = pa->d;
	struct hop_list		 hl;
	enum dns_status		 st;
	char			*spec, *cause = NULL;

	if (d == NULL) {
		spec = xprintf("127.0.0.1:%d", pa->port);
		st = dns_create(&fresh, spec, NULL, &cause) == 0 ? DNS_OK : -1;
		free(spec);
		if (st != DNS_OK) {
			free(cause);
			return (0);
		}
		d = fresh;
	}
	if ((st = dns_host(d, "ready.test", 53, &hl, &cause)) == DNS_OK)
		hop_list_clear(&hl);
	else
		free(cause);
	dns_free(fresh);
	return (st == DNS_OK);
}

/* Start unbound on sv->port; wait for it with d, or fresh contexts. */
static int
server_start(struct fixture_unbound *sv, struct dns *d, double *took,
    char **why)
{
	struct probe_arg	 pa = { sv->port, d };
	char			*extra = zone_extra();
	int			 rc;

	rc = fixture_unbound_spawn(sv, unbound, tmpdir, zone, extra, why);
	free(extra);
	if (rc != 0)
		return (-1);
	pa.port = sv->port;
	*took = fixture_unbound_wait(sv, d == NULL ? START_WAIT_S :
	    RECOVER_WAIT_S, answers, &pa, why);
	return (*took < 0 ? -1 : 0);
}

/* The address of a hop as text, in buf. */
static const char *
hop_ip(const struct hop *h, char buf[INET6_ADDRSTRLEN])
{
	const void	*a;

	if (h->addr.ss_family == AF_INET)
		a = &((const struct sockaddr_in *)&h->addr)->sin_addr;
	else
		a = &((const struct sockaddr_in6 *)&h->addr)->sin6_addr;
	return (inet_ntop(h->addr.ss_family, a, buf, INET6_ADDRSTRLEN));
}

static int
hop_port(const struct hop *h)
{
	const struct sockaddr_in	*sin = (const void *)&h->addr;
	const struct sockaddr_in6	*sin6 = (const void *)&h->addr;

	if (h->addr.ss_family == AF_INET)
		return (ntohs(sin->sin_port));
	return (ntohs(sin6->sin6_port));
}

/* Is the addrlen right for the family, and the port ours? */
static int
hop_ok(const struct hop *h)
{
	if (hop_port(h) != DELIVERY_PORT)
		return (0);
	if (h->addr.ss_family == AF_INET)
		return (h->addrlen == sizeof(struct sockaddr_in));
	if (h->addr.ss_family == AF_INET6)
		return (h->addrlen == sizeof(struct sockaddr_in6));
	return (0);
}

/* Does the hop have this name, preference and address? */
static int
hop_is(const struct hop *h, const char *name, int pref, const char *ip)
{
	char	buf[INET6_ADDRSTRLEN];

	return (hop_ok(h) && strcmp(h->name, name) == 0 && h->pref == pref &&
	    hop_ip(h, buf) != NULL && strcmp(buf, ip) == 0);
}

/*
 * Is hl mx.test's answer: b1 (v4, v6), c1 and c2 in either order, d?
 * *c1_first says which order the equal preferences came in.
 */
static int
mx_test_ok(const struct hop_list *hl, int *c1_first)
{
	const struct hop	*c;

	if (hl->n != 5 ||
	    !hop_is(&hl->v[0], "b1.test", 10, "127.0.0.11") ||
	    !hop_is(&hl->v[1], "b1.test", 10, "::1") ||
	    !hop_is(&hl->v[4], "d.test", 30, "127.0.0.31"))
		return (0);
	c = &hl->v[2];
	*c1_first = strcmp(c->name, "c1.test") == 0;
	if (*c1_first)
		return (hop_is(&hl->v[2], "c1.test", 20, "127.0.0.21") &&
		    hop_is(&hl->v[3], "c2.test", 20, "127.0.0.22"));
	return (hop_is(&hl->v[2], "c2.test", 20, "127.0.0.22") &&
	    hop_is(&hl->v[3], "c1.test", 20, "127.0.0.21"));
}

/* Look domain up; check the status and that a failure is explained. */
static enum dns_status
mx(const char *domain, struct hop_list *hl)
{
	enum dns_status	 st;
	char		*cause = NULL;

	st = dns_mx(dns, domain, DELIVERY_PORT, hl, &cause);
	if (st != DNS_OK) {
		TAP_CHECK(cause != NULL && hl->n == 0 && hl->v == NULL);
		printf("# %s\n", cause ? cause : "(no cause)");
		free(cause);
	}
	return (st);
}

static enum dns_status
host(const char *name, struct hop_list *hl)
{
	enum dns_status	 st;
	char		*cause = NULL;

	st = dns_host(dns, name, DELIVERY_PORT, hl, &cause);
	if (st != DNS_OK) {
		TAP_CHECK(cause != NULL && hl->n == 0 && hl->v == NULL);
		free(cause);
	}
	return (st);
}

static void
test_specs(void)
{
	const char	*good[] = { "127.0.0.1", "127.0.0.1:5353", "::1",
			    "[::1]", "[::1]:5353" };
	const char	*bad[] = { "", "localhost", "127.0.0.1:0",
			    "127.0.0.1:65536", "127.0.0.1:x", "[::1", "[::1]x",
			    "[::1]:", "1.2.3.4:53:53" };
	struct dns	*d;
	char		*cause;
	size_t		 i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		cause = NULL;
		TAP_CHECK(dns_create(&d, good[i], NULL, &cause) == 0);
		TAP_CHECK(cause == NULL);
		dns_free(d);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		d = (struct dns *)1;
		TAP_CHECK(dns_create(&d, bad[i], NULL, &cause) == -1);
		TAP_CHECK(d == NULL && cause != NULL);
		free(cause);
	}
	dns_free(NULL);
}

static void
test_order(void)
{
	struct hop_list	hl;
	int		c1_first;

	TAP_CHECK(mx("mx.test", &hl) == DNS_OK);
	TAP_CHECK(mx_test_ok(&hl, &c1_first));
	hop_list_clear(&hl);
	TAP_CHECK(hl.v == NULL && hl.n == 0);
	/* Trailing dot and case do not matter; names come lower-case. */
	TAP_CHECK(mx("MX.Test.", &hl) == DNS_OK);
	TAP_CHECK(mx_test_ok(&hl, &c1_first));
	hop_list_clear(&hl);
}

static void
test_shuffle(void)
{
	struct hop_list	hl;
	int		i, c1_first, seen[2] = { 0, 0 };

	for (i = 0; i < SHUFFLE_TRIES && !(seen[0] && seen[1]); i++) {
		if (mx("mx.test", &hl) != DNS_OK || !mx_test_ok(&hl,
		    &c1_first)) {
			TAP_CHECK(!"mx.test answer");
			hop_list_clear(&hl);
			return;
		}
		seen[c1_first]++;
		hop_list_clear(&hl);
	}
	printf("# both orders after %d lookups\n", i);
	TAP_CHECK(seen[0] > 0 && seen[1] > 0);
}

static void
test_nullmx(void)
{
	struct hop_list	hl;

	TAP_CHECK(mx("nullmx.test", &hl) == DNS_NULLMX);
	/* "." beside another MX is no null MX: it is skipped. */
	TAP_CHECK(mx("dotmix.test", &hl) == DNS_OK);
	TAP_CHECK(hl.n == 1 && hop_is(&hl.v[0], "c1.test", 10,
	    "127.0.0.21"));
	hop_list_clear(&hl);
}

static void
test_implicit(void)
{
	struct hop_list	hl;

	TAP_CHECK(mx("implicit.test", &hl) == DNS_OK);
	TAP_CHECK(hl.n == 2);
	if (hl.n == 2) {
		TAP_CHECK(hop_is(&hl.v[0], "implicit.test", 0, "127.0.0.41"));
		TAP_CHECK(hop_is(&hl.v[1], "implicit.test", 0, "::1"));
	}
	hop_list_clear(&hl);
	TAP_CHECK(mx("bare.test", &hl) == DNS_NOHOST);
}

static void
test_noaddr(void)
{
	struct hop_list	hl;

	TAP_CHECK(mx("noaddr.test", &hl) == DNS_NOHOST);
	TAP_CHECK(mx("partial.test", &hl) == DNS_OK);
	TAP_CHECK(hl.n == 1 && hop_is(&hl.v[0], "c1.test", 20,
	    "127.0.0.21"));
	hop_list_clear(&hl);
}

static void
test_nxdomain(void)
{
	struct hop_list	hl;

	TAP_CHECK(mx("nosuch.test", &hl) == DNS_NXDOMAIN);
	TAP_CHECK(mx("a..b.test", &hl) == DNS_NXDOMAIN);
}

static void
test_host(void)
{
	struct hop_list	hl;

	TAP_CHECK(host("multi.test", &hl) == DNS_OK);
	TAP_CHECK(hl.n == 2 && hop_ok(&hl.v[0]) && hop_ok(&hl.v[1]));
	hop_list_clear(&hl);
	TAP_CHECK(host("b1.test", &hl) == DNS_OK);
	TAP_CHECK(hl.n == 2 && hop_is(&hl.v[0], "b1.test", 0, "127.0.0.11") &&
	    hop_is(&hl.v[1], "b1.test", 0, "::1"));
	hop_list_clear(&hl);
	TAP_CHECK(host("v6only.test", &hl) == DNS_OK);
	TAP_CHECK(hl.n == 1 && hop_is(&hl.v[0], "v6only.test", 0, "::1"));
	hop_list_clear(&hl);
	TAP_CHECK(host("ghost.test", &hl) == DNS_NXDOMAIN);
	TAP_CHECK(host("txtonly.test", &hl) == DNS_NOHOST);
	/* Literals need no DNS. */
	TAP_CHECK(host("[127.0.0.9]", &hl) == DNS_OK);
	TAP_CHECK(hl.n == 1 && hop_is(&hl.v[0], "127.0.0.9", 0, "127.0.0.9"));
	hop_list_clear(&hl);
	TAP_CHECK(host("[IPv6:::1]", &hl) == DNS_OK);
	TAP_CHECK(hl.n == 1 && hop_is(&hl.v[0], "::1", 0, "::1"));
	hop_list_clear(&hl);
}

/* wide.test: the host cap; deep.test: the address cap. */
static void
test_caps(void)
{
	struct hop_list	hl;
	size_t		i;

	TAP_CHECK(mx("wide.test", &hl) == DNS_OK);
	TAP_CHECK(hl.n == 10);
	for (i = 0; i < hl.n; i++)
		TAP_CHECK(hl.v[i].pref == (int)i + 1 && hop_ok(&hl.v[i]));
	hop_list_clear(&hl);
	TAP_CHECK(mx("deep.test", &hl) == DNS_OK);
	TAP_CHECK(hl.n == 20);
	for (i = 0; i < hl.n; i++)
		TAP_CHECK(hl.v[i].pref == (int)(i / 3) + 1);
	hop_list_clear(&hl);
}

struct worker {
	pthread_t	 t;
	int		 errors;
	int		 seen[2];
};

/* Many lookups of several kinds on the shared context. */
static void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	struct hop_list	 hl;
	char		*cause;
	int		 i, c1_first;

	for (i = 0; i < NLOOKUPS; i++) {
		cause = NULL;
		if (dns_mx(dns, "mx.test", DELIVERY_PORT, &hl, &cause) !=
		    DNS_OK || !mx_test_ok(&hl, &c1_first))
			w->errors++;
		else
			w->seen[c1_first]++;
		hop_list_clear(&hl);
		free(cause);
		cause = NULL;
		if (dns_mx(dns, "nosuch.test", DELIVERY_PORT, &hl, &cause) !=
		    DNS_NXDOMAIN)
			w->errors++;
		free(cause);
		cause = NULL;
		if (dns_host(dns, "multi.test", DELIVERY_PORT, &hl, &cause) !=
		    DNS_OK || hl.n != 2)
			w->errors++;
		hop_list_clear(&hl);
		free(cause);
	}
	return (NULL);
}

static void
test_threads(void)
{
	struct worker	w[NTHREADS];
	int		i, errors = 0, seen[2] = { 0, 0 };
	double		t0 = fixture_now();

	memset(w, 0, sizeof w);
	for (i = 0; i < NTHREADS; i++)
		TAP_CHECK(pthread_create(&w[i].t, NULL, worker_main,
		    &w[i]) == 0);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].t, NULL);
		errors += w[i].errors;
		seen[0] += w[i].seen[0];
		seen[1] += w[i].seen[1];
	}
	printf("# %d threads x %d x 3 lookups in %.2f s, %d errors\n",
	    NTHREADS, NLOOKUPS, fixture_now() - t0, errors);
	TAP_CHECK(errors == 0);
	TAP_CHECK(seen[0] > 0 && seen[1] > 0);
}

/*
 * A resolver where nothing listens: TEMPFAIL in bounded time, then at
 * once; when a server comes up there, the same context finds it.
 */
static void
test_dead(void)
{
	struct fixture_unbound sv = FIXTURE_UNBOUND_INIT;
	struct dns	*d = NULL;
	struct hop_list	 hl;
	char		*spec, *cause = NULL;
	double		 t0, t1, took;

	TAP_CHECK((sv.port = fixture_free_port()) != -1);
	spec = xprintf("127.0.0.1:%d", sv.port);
	TAP_CHECK(dns_create(&d, spec, NULL, &cause) == 0);
	free(spec);
	if (d == NULL)
		return;
	t0 = fixture_now();
	TAP_CHECK(dns_mx(d, "mx.test", DELIVERY_PORT, &hl, &cause) ==
	    DNS_TEMPFAIL);
	t1 = fixture_now();
	printf("# first lookup: %.1f s, %s\n", t1 - t0, cause);
	free(cause);
	TAP_CHECK(t1 - t0 < DEAD_BOUND_S);
	TAP_CHECK(dns_host(d, "b1.test", DELIVERY_PORT, &hl, &cause) ==
	    DNS_TEMPFAIL);
	printf("# second lookup: %.1f s\n", fixture_now() - t1);
	free(cause);
	TAP_CHECK(fixture_now() - t1 < DEAD_BOUND_S);
	TAP_CHECK(server_start(&sv, d, &took, &cause) == 0);
	printf("# answered again %.1f s after the server started: %s\n",
	    took, cause == NULL ? "ok" : cause);
	free(cause);
	fixture_unbound_stop(&sv);
	dns_free(d);
}

/* /etc/resolv.conf and /etc/hosts load; localhost is answered locally. */
static void
test_system(void)
{
	struct dns	*d;
	struct hop_list	 hl;
	char		*cause = NULL, buf[INET6_ADDRSTRLEN];

	TAP_CHECK(dns_create(&d, NULL, NULL, &cause) == 0);
	if (d == NULL) {
		printf("# %s\n", cause);
		free(cause);
		return;
	}
	TAP_CHECK(dns_host(d, "localhost", 25, &hl, &cause) == DNS_OK);
	TAP_CHECK(hl.n >= 1 && hop_ip(&hl.v[0], buf) != NULL &&
	    strcmp(buf, "127.0.0.1") == 0);
	hop_list_clear(&hl);
	dns_free(d);
}

static const struct tap_case cases[] = {
	{ "resolver specs: address, port, brackets", test_specs },
	{ "MX in preference order, IPv4 then IPv6, port set", test_order },
	{ "equal preferences come in both orders", test_shuffle },
	{ "null MX; a \".\" beside other MX is skipped", test_nullmx },
	{ "implicit MX; no MX and no address is NOHOST", test_implicit },
	{ "MX hosts without an address are skipped", test_noaddr },
	{ "NXDOMAIN and invalid names", test_nxdomain },
	{ "dns_host: A and AAAA, literals", test_host },
	{ "at most 10 MX hosts and 20 addresses", test_caps },
	{ "concurrent lookups on one context", test_threads },
	{ "a dead resolver is TEMPFAIL in bounded time", test_dead },
	{ "the system resolver configuration loads", test_system },
};

int
main(void)
{
	char	*why = NULL, *spec;
	double	 took;
	int	 rc = 1;

	if ((unbound = fixture_unbound_path()) == NULL)
		return (1);
	tmpdir = fixture_tmpdir("dns_test");
	if ((main_server.port = fixture_free_port()) == -1) {
		printf("Bail out! no free port\n");
		return (1);
	}
	spec = xprintf("127.0.0.1:%d", main_server.port);
	if (server_start(&main_server, NULL, &took, &why) != 0)
		printf("Bail out! unbound: %s\n", why);
	else if (dns_create(&dns, spec, NULL, &why) != 0)
		printf("Bail out! dns_create: %s\n", why);
	else {
		printf("# unbound answers on port %d after %.1f s\n",
		    main_server.port, took);
		rc = tap_run(cases, sizeof cases / sizeof cases[0]);
		dns_free(dns);
	}
	free(why);
	free(spec);
	fixture_unbound_stop(&main_server);
	fixture_rmtree(tmpdir);
	free(tmpdir);
	return (rc);
}
