/*
 * dns_test.c - dns.c against a real DNS server on loopback.
 *
 * The test starts unbound (HUBSH_UNBOUND, default /usr/sbin/unbound)
 * in a temporary directory, serving a static "test." zone on 127.0.0.1
 * and a free high port, and points a struct dns at it.  Every address
 * in the zone is in 127.0.0.0/8 or ::1.  Without unbound the test
 * bails out: it never skips.  The server is stopped at the end, and on
 * Linux it also dies with the test.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"
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

/* One unbound process serving the zone on 127.0.0.1, port. */
struct server {
	pid_t	 pid;
	int	 port;
};

static char		 tmpdir[] = "/tmp/dns_test.XXXXXX";
static const char	*unbound;
static struct server	 main_server = { -1, -1 };
static struct dns	*dns;

/* A port free for both UDP and TCP on 127.0.0.1, or -1. */
static int
free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len;
	int			 u, t, port = -1, try;

	/*
	 * A UDP port from the kernel that is free for TCP too; another
	 * test may hold the TCP side, so try again a few times.
	 */
	for (try = 0; try < 50 && port == -1; try++) {
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof sin;
		if ((u = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
			return (-1);
		if (bind(u, (struct sockaddr *)&sin, sizeof sin) == 0 &&
		    getsockname(u, (struct sockaddr *)&sin, &len) == 0 &&
		    (t = socket(AF_INET, SOCK_STREAM, 0)) != -1) {
			if (bind(t, (struct sockaddr *)&sin, sizeof sin) == 0)
				port = ntohs(sin.sin_port);
			close(t);
		}
		close(u);
	}
	return (port);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* A file of tmpdir for the server on port: "unbound-PORT.SUFFIX". */
static char *
server_file(int port, const char *suffix)
{
	return (xprintf("%s/unbound-%d.%s", tmpdir, port, suffix));
}

/* Write the configuration of the test zone on port. */
static int
write_config(const char *path, int port)
{
	FILE	*f;
	char	*pid;
	size_t	 i;

	if ((f = fopen(path, "w")) == NULL)
		return (-1);
	pid = server_file(port, "pid");
	fprintf(f, "server:\n"
	    "\tinterface: 127.0.0.1\n"
	    "\tport: %d\n"
	    "\tdo-ip6: no\n"
	    "\tdo-daemonize: no\n"
	    "\tchroot: \"\"\n"
	    "\tusername: \"\"\n"
	    "\tdirectory: \"%s\"\n"
	    "\tpidfile: \"%s\"\n"
	    "\tuse-syslog: no\n"
	    "\tlogfile: \"\"\n"
	    "\tverbosity: 1\n"
	    "\tnum-threads: 1\n"
	    "\tmodule-config: \"iterator\"\n"
	    "\taccess-control: 127.0.0.0/8 allow\n"
	    "\tlocal-zone: \"test.\" static\n",
	    port, tmpdir, pid);
	free(pid);
	for (i = 0; zone[i] != NULL; i++)
		fprintf(f, "\tlocal-data: '%s'\n", zone[i]);
	/* wide.test: 12 MX of one address; deep.test: 8 MX of three. */
	for (i = 1; i <= 12; i++)
		fprintf(f, "\tlocal-data: 'wide.test. MX %zu w%zu.test.'\n"
		    "\tlocal-data: 'w%zu.test. A 127.0.1.%zu'\n", i, i, i, i);
	for (i = 1; i <= 8; i++)
		fprintf(f, "\tlocal-data: 'deep.test. MX %zu e%zu.test.'\n"
		    "\tlocal-data: 'e%zu.test. A 127.0.2.%zu1'\n"
		    "\tlocal-data: 'e%zu.test. A 127.0.2.%zu2'\n"
		    "\tlocal-data: 'e%zu.test. A 127.0.2.%zu3'\n",
		    i, i, i, i, i, i, i, i);
	fprintf(f, "remote-control:\n\tcontrol-enable: no\n");
	return (fclose(f));
}

/* Run unbound for sv->port, its output into its log file. */
static int
spawn_server(struct server *sv)
{
	char	*conf, *log;
	int	 fd, rc = -1;

	conf = server_file(sv->port, "conf");
	log = server_file(sv->port, "log");
	if (write_config(conf, sv->port) != 0 ||
	    (fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		goto out;
	if ((sv->pid = fork()) == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execl(unbound, unbound, "-d", "-c", conf, (char *)NULL);
		_exit(127);
	}
	close(fd);
	rc = sv->pid == -1 ? -1 : 0;
out:
	free(conf);
	free(log);
	return (rc);
}

/* Does the server on port answer, asked through d or a fresh context? */
static int
answers(int port, struct dns *d)
{
	struct dns	*fresh = NULL;
	struct hop_list	 hl;
	enum dns_status	 st;
	char		*spec, *cause = NULL;

	if (d == NULL) {
		spec = xprintf("127.0.0.1:%d", port);
		st = dns_create(&fresh, spec, &cause) == 0 ? DNS_OK : -1;
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

/* Show the server's log as TAP comments. */
static void
show_log(struct server *sv)
{
	FILE	*f;
	char	*path, line[512];

	path = server_file(sv->port, "log");
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			printf("# unbound: %s", line);
		fclose(f);
	}
	free(path);
}

/*
 * Poll until the server answers (through d, or fresh contexts when it
 * is NULL) or wait_s pass.  Returns the seconds it took, or -1.
 */
static double
wait_server(struct server *sv, double wait_s, struct dns *d, char **why)
{
	double	t0 = now();

	for (;;) {
		if (waitpid(sv->pid, NULL, WNOHANG) == sv->pid) {
			sv->pid = -1;
			*why = xstrdup("unbound exited");
			break;
		}
		if (answers(sv->port, d))
			return (now() - t0);
		if (now() > t0 + wait_s) {
			*why = xstrdup("unbound did not answer in time");
			break;
		}
		usleep(100000);
	}
	show_log(sv);
	return (-1);
}

/* Start unbound on sv->port; wait for it with d, or fresh contexts. */
static int
server_start(struct server *sv, struct dns *d, double *took, char **why)
{
	*why = NULL;
	if (spawn_server(sv) != 0) {
		xasprintf(why, "cannot start %s: %s", unbound,
		    strerror(errno));
		return (-1);
	}
	*took = wait_server(sv, d == NULL ? START_WAIT_S : RECOVER_WAIT_S,
	    d, why);
	return (*took < 0 ? -1 : 0);
}

/* Stop the server and remove its files. */
static void
server_stop(struct server *sv)
{
	const char	*suffixes[] = { "conf", "log", "pid" };
	char		*path;
	size_t		 i;

	if (sv->pid > 0) {
		kill(sv->pid, SIGTERM);
		waitpid(sv->pid, NULL, 0);
		sv->pid = -1;
	}
	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		path = server_file(sv->port, suffixes[i]);
		unlink(path);
		free(path);
	}
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
		TAP_CHECK(dns_create(&d, good[i], &cause) == 0);
		TAP_CHECK(cause == NULL);
		dns_free(d);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		d = (struct dns *)1;
		TAP_CHECK(dns_create(&d, bad[i], &cause) == -1);
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
	double		t0 = now();

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
	    NTHREADS, NLOOKUPS, now() - t0, errors);
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
	struct server	 sv = { -1, -1 };
	struct dns	*d = NULL;
	struct hop_list	 hl;
	char		*spec, *cause = NULL;
	double		 t0, t1, took;

	TAP_CHECK((sv.port = free_port()) != -1);
	spec = xprintf("127.0.0.1:%d", sv.port);
	TAP_CHECK(dns_create(&d, spec, &cause) == 0);
	free(spec);
	if (d == NULL)
		return;
	t0 = now();
	TAP_CHECK(dns_mx(d, "mx.test", DELIVERY_PORT, &hl, &cause) ==
	    DNS_TEMPFAIL);
	t1 = now();
	printf("# first lookup: %.1f s, %s\n", t1 - t0, cause);
	free(cause);
	TAP_CHECK(t1 - t0 < DEAD_BOUND_S);
	TAP_CHECK(dns_host(d, "b1.test", DELIVERY_PORT, &hl, &cause) ==
	    DNS_TEMPFAIL);
	printf("# second lookup: %.1f s\n", now() - t1);
	free(cause);
	TAP_CHECK(now() - t1 < DEAD_BOUND_S);
	TAP_CHECK(server_start(&sv, d, &took, &cause) == 0);
	printf("# answered again %.1f s after the server started: %s\n",
	    took, cause == NULL ? "ok" : cause);
	free(cause);
	server_stop(&sv);
	dns_free(d);
}

/* /etc/resolv.conf and /etc/hosts load; localhost is answered locally. */
static void
test_system(void)
{
	struct dns	*d;
	struct hop_list	 hl;
	char		*cause = NULL, buf[INET6_ADDRSTRLEN];

	TAP_CHECK(dns_create(&d, NULL, &cause) == 0);
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

	if ((unbound = getenv("HUBSH_UNBOUND")) == NULL)
		unbound = "/usr/sbin/unbound";
	if (access(unbound, X_OK) != 0) {
		printf("Bail out! %s: %s (Debian: apt-get install unbound)\n",
		    unbound, strerror(errno));
		return (1);
	}
	if (mkdtemp(tmpdir) == NULL ||
	    (main_server.port = free_port()) == -1) {
		printf("Bail out! no temporary directory or port\n");
		return (1);
	}
	spec = xprintf("127.0.0.1:%d", main_server.port);
	if (server_start(&main_server, NULL, &took, &why) != 0)
		printf("Bail out! unbound: %s\n", why);
	else if (dns_create(&dns, spec, &why) != 0)
		printf("Bail out! dns_create: %s\n", why);
	else {
		printf("# unbound answers on port %d after %.1f s\n",
		    main_server.port, took);
		rc = tap_run(cases, sizeof cases / sizeof cases[0]);
		dns_free(dns);
	}
	free(why);
	free(spec);
	server_stop(&main_server);
	rmdir(tmpdir);
	return (rc);
}
