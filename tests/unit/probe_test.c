/*
 * probe_test.c - unit tests of transport/probe.c (Test-SendConnector's
 * "op probe") and of the steps it shares with mta.c.
 *
 * Real peers: small ESMTP servers in threads of this process, one per
 * address 127.0.0.1 .. 127.0.0.7 on one port (a connector has one port
 * for all its hops), with certificates made at test time (a root, an
 * intermediate, a good leaf sent with its intermediate, an expired, a
 * self-signed and a wrongly named one); real DNS: unbound (HUBSH_UNBOUND,
 * default /usr/sbin/unbound) serving a "test." zone whose MX point at
 * those addresses; a real connector store and routing snapshot.  Every
 * result is read back through ctl_read, as the shell reads it.
 *
 * The verdicts of one connector against one peer are a table of rows
 * (verdicts[]): the fields the record must have, the levels it says the
 * session meets, and what the peer saw.  Cases that need more than that
 * are functions.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "fixture.h"
#include "pki.h"
#include "tap.h"
#include "xmalloc.h"
#include "transport.h"

#define SERVER		"EX01"
#define UNBOUND_WAIT_S	15
#define NRECS_MAX	32

/* What one test server does. */
enum srv_mode {
	SRV_PLAIN,		/* no STARTTLS */
	SRV_TLS,		/* STARTTLS with ctx */
	SRV_TLS_BROKEN,		/* offers STARTTLS, closes after the 220 */
	SRV_SILENT		/* accepts, never says a word */
};

struct srv {
	const char	*ip;
	enum srv_mode	 mode;
	const char	*cert;		/* file name in pki_dir, SRV_TLS */
	struct tls_ctx	*ctx;
	int		 lfd;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	struct buf	 log;		/* "connect", commands, "tls" */
	int		 conns;
};

/* The servers, by the last octet of their address. */
static struct srv srvs[] = {
	{ "127.0.0.1", SRV_TLS, "good", NULL, -1, 0,
	    PTHREAD_MUTEX_INITIALIZER, { NULL, 0, 0 }, 0 },
	{ "127.0.0.2", SRV_TLS, "selfsigned", NULL, -1, 0,
	    PTHREAD_MUTEX_INITIALIZER, { NULL, 0, 0 }, 0 },
	{ "127.0.0.3", SRV_PLAIN, NULL, NULL, -1, 0,
	    PTHREAD_MUTEX_INITIALIZER, { NULL, 0, 0 }, 0 },
	{ "127.0.0.4", SRV_TLS, "expired", NULL, -1, 0,
	    PTHREAD_MUTEX_INITIALIZER, { NULL, 0, 0 }, 0 },
	{ "127.0.0.5", SRV_TLS, "wrongname", NULL, -1, 0,
	    PTHREAD_MUTEX_INITIALIZER, { NULL, 0, 0 }, 0 },
	{ "127.0.0.6", SRV_TLS_BROKEN, NULL, NULL, -1, 0,
	    PTHREAD_MUTEX_INITIALIZER, { NULL, 0, 0 }, 0 },
	{ "127.0.0.7", SRV_SILENT, NULL, NULL, -1, 0,
	    PTHREAD_MUTEX_INITIALIZER, { NULL, 0, 0 }, 0 },
};
#define NSRVS	(sizeof srvs / sizeof srvs[0])
#define GOOD		(&srvs[0])
#define SELFSIGNED	(&srvs[1])
#define PLAIN		(&srvs[2])
#define EXPIRED		(&srvs[3])
#define WRONGNAME	(&srvs[4])
#define BROKEN		(&srvs[5])
#define SILENT		(&srvs[6])

/* The zone unbound serves; %d is nothing: addresses only. */
static const char *zone[] = {
	"ready.test. A 127.0.0.1",
	"probe.test. MX 10 mx1.probe.test.",
	"probe.test. MX 20 mx2.probe.test.",
	"mx1.probe.test. A 127.0.0.1",
	"mx2.probe.test. A 127.0.0.2",
	"nullmx.test. MX 0 .",
	NULL
};

static char		*tdir;
static int		 port = -1;
static volatile int	 stopping;
static struct fixture_unbound unbound = FIXTURE_UNBOUND_INIT;
static struct store	*st;
static struct hubd_conf	 conf;

/* ------------------------------------------------------------------ */
/* Certificates. */

/* <tdir>/<name>.crt (x, then extra if any) and <name>.key. */
static int
pem_write(const char *name, X509 *x, X509 *extra, EVP_PKEY *key)
{
	char	 path[256];
	FILE	*f;
	int	 ok;

	snprintf(path, sizeof path, "%s/%s.crt", tdir, name);
	if ((f = fopen(path, "w")) == NULL)
		return (0);
	ok = PEM_write_X509(f, x) && (extra == NULL ||
	    PEM_write_X509(f, extra));
	ok = (fclose(f) == 0) && ok;
	snprintf(path, sizeof path, "%s/%s.key", tdir, name);
	if ((f = fopen(path, "w")) == NULL)
		return (0);
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) && ok;
	return ((fclose(f) == 0) && ok);
}

/* A leaf under issuer (or self-signed when issuer is NULL). */
static int
leaf(const char *file, const char *cn, const char *san, long from, long to,
    X509 *issuer, EVP_PKEY *ikey, X509 *extra)
{
	EVP_PKEY	*key = EVP_EC_gen("P-256");
	X509		*x;
	int		 ok;

	if (key == NULL)
		return (0);
	x = pki_cert(key, cn, san, "serverAuth", from, to, issuer, ikey);
	ok = x != NULL && pem_write(file, x, extra, key);
	X509_free(x);
	EVP_PKEY_free(key);
	return (ok);
}

/* Root, intermediate, and the leaves the servers present. */
static int
pki_make(void)
{
	EVP_PKEY	*rkey, *ikey;
	X509		*root, *inter;
	int		 ok;

	rkey = EVP_EC_gen("P-256");
	ikey = EVP_EC_gen("P-256");
	if (rkey == NULL || ikey == NULL)
		return (0);
	root = pki_cert(rkey, "hubd probe root", NULL, NULL, -1, 60, NULL,
	    NULL);
	inter = root == NULL ? NULL : pki_cert(ikey, "hubd probe issuing",
	    NULL, NULL, -1, 50, root, rkey);
	ok = root != NULL && inter != NULL &&
	    pem_write("ca", root, NULL, rkey) &&
	    leaf("good", "mx1.probe.test",
	    "DNS:mx1.probe.test,DNS:*.outlook.test", -1, 30, inter, ikey,
	    inter) &&
	    leaf("expired", "mx1.probe.test", "DNS:mx1.probe.test", -30, -1,
	    inter, ikey, inter) &&
	    leaf("selfsigned", "mx2.probe.test", "DNS:mx2.probe.test", -1, 30,
	    NULL, NULL, NULL) &&
	    leaf("wrongname", "mail.fabrikam.test", "DNS:smtp.fabrikam.test",
	    -1, 30, inter, ikey, inter);
	X509_free(root);
	X509_free(inter);
	EVP_PKEY_free(rkey);
	EVP_PKEY_free(ikey);
	return (ok);
}

/* ------------------------------------------------------------------ */
/* The ESMTP servers. */

static void
srv_note(struct srv *s, const char *line)
{
	pthread_mutex_lock(&s->lock);
	buf_addf(&s->log, "%s\n", line);
	pthread_mutex_unlock(&s->lock);
}

/* One session, to QUIT or the end of the stream. */
static void
srv_session(struct srv *s, int fd)
{
	struct io	 io;
	struct buf	 line;
	struct tls_info	 info;
	char		*cause = NULL;
	bool		 tls = false;

	io_init(&io, fd, 10000);
	buf_init(&line);
	srv_note(s, "connect");
	if (s->mode == SRV_SILENT) {
		while (io_getline(&io, &line, 1000) == IO_OK)
			;
		goto done;
	}
	io_printf(&io, "220 %s ESMTP probe test\r\n", s->ip);
	while (io_getline(&io, &line, 1000) == IO_OK) {
		srv_note(s, line.s);
		if (strncasecmp(line.s, "EHLO ", 5) == 0) {
			io_printf(&io, "250-%s greets you\r\n250-PIPELINING\r\n"
			    "%s250 8BITMIME\r\n", s->ip, !tls &&
			    s->mode != SRV_PLAIN ? "250-STARTTLS\r\n" : "");
		} else if (strcasecmp(line.s, "STARTTLS") == 0 && !tls &&
		    s->mode != SRV_PLAIN) {
			io_printf(&io, "220 2.0.0 Ready to start TLS\r\n");
			if (s->mode == SRV_TLS_BROKEN)
				break;
			io_discard(&io);
			if (tls_server_start(s->ctx, fd, 5000, &io.tls, &info,
			    &cause) != 0) {
				srv_note(s, cause);
				free(cause);
				break;
			}
			tls = true;
			srv_note(s, "tls");
		} else if (strcasecmp(line.s, "QUIT") == 0) {
			io_printf(&io, "221 2.0.0 Bye\r\n");
			break;
		} else if (strncasecmp(line.s, "MAIL", 4) == 0)
			io_printf(&io, "250 2.1.0 Ok\r\n");
		else
			io_printf(&io, "500 5.5.1 What?\r\n");
	}
done:
	buf_free(&line);
	io_close(&io);
}

static void *
srv_main(void *arg)
{
	struct srv	*s = arg;
	struct pollfd	 pfd;
	int		 fd;

	while (!stopping) {
		pfd.fd = s->lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((fd = accept(s->lfd, NULL, NULL)) == -1)
			continue;
		pthread_mutex_lock(&s->lock);
		s->conns++;
		pthread_mutex_unlock(&s->lock);
		srv_session(s, fd);
	}
	return (NULL);
}

/* A listening socket on ip:p, or -1. */
static int
listen_on(const char *ip, int p)
{
	struct sockaddr_in	sin;
	int			fd, one = 1;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)p);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(fd, 16) != 0) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* One port free on every server address; the listeners bound there. */
static int
srvs_bind(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	size_t			i;
	int			try, fd;

	for (try = 0; try < 50; try++) {
		if ((fd = listen_on("127.0.0.1", 0)) == -1)
			return (-1);
		if (getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
			close(fd);
			return (-1);
		}
		port = ntohs(sin.sin_port);
		srvs[0].lfd = fd;
		for (i = 1; i < NSRVS; i++) {
			if ((srvs[i].lfd = listen_on(srvs[i].ip, port)) == -1)
				break;
		}
		if (i == NSRVS)
			return (0);
		while (i-- > 0) {
			close(srvs[i].lfd);
			srvs[i].lfd = -1;
		}
	}
	return (-1);
}

static int
srvs_start(void)
{
	char	 crt[256], key[256], *cause = NULL;
	size_t	 i;

	if (srvs_bind() != 0)
		return (-1);
	for (i = 0; i < NSRVS; i++) {
		buf_init(&srvs[i].log);
		if (srvs[i].cert != NULL) {
			snprintf(crt, sizeof crt, "%s/%s.crt", tdir,
			    srvs[i].cert);
			snprintf(key, sizeof key, "%s/%s.key", tdir,
			    srvs[i].cert);
			if (tls_server_ctx_create(&srvs[i].ctx, crt, key,
			    &cause) != 0) {
				printf("# %s\n", cause);
				free(cause);
				return (-1);
			}
		}
		if (pthread_create(&srvs[i].thread, NULL, srv_main,
		    &srvs[i]) != 0)
			return (-1);
	}
	return (0);
}

static void
srvs_stop(void)
{
	size_t	i;

	stopping = 1;
	for (i = 0; i < NSRVS; i++) {
		if (srvs[i].lfd == -1)
			continue;
		pthread_join(srvs[i].thread, NULL);
		close(srvs[i].lfd);
		tls_ctx_free(srvs[i].ctx);
		buf_free(&srvs[i].log);
	}
}

/* Forget what the servers saw. */
static void
srvs_reset(void)
{
	size_t	i;

	for (i = 0; i < NSRVS; i++) {
		pthread_mutex_lock(&srvs[i].lock);
		buf_reset(&srvs[i].log);
		srvs[i].conns = 0;
		pthread_mutex_unlock(&srvs[i].lock);
	}
}

/* What s saw since the last reset (a copy). */
static char *
srv_log(struct srv *s)
{
	char	*r;

	pthread_mutex_lock(&s->lock);
	r = xstrdup(s->log.s != NULL ? s->log.s : "");
	pthread_mutex_unlock(&s->lock);
	return (r);
}

/* ------------------------------------------------------------------ */
/* unbound. */

/* Does unbound answer through env->dns yet? */
static int
unbound_ready(void *arg)
{
	struct hop_list	 hl;
	char		*cause = NULL;

	(void)arg;
	if (dns_host(env->dns, "ready.test", 25, &hl, &cause) != DNS_OK) {
		free(cause);
		return (0);
	}
	hop_list_clear(&hl);
	return (1);
}

/* Start unbound and wait until env->dns gets answers from it. */
static int
unbound_start(const char *path, char **why)
{
	char	*spec;
	int	 rc;

	if (fixture_unbound_spawn(&unbound, path, tdir, zone, NULL, why) != 0)
		return (-1);
	spec = xprintf("127.0.0.1:%d", unbound.port);
	rc = dns_create(&env->dns, spec, NULL, why);
	free(spec);
	if (rc != 0)
		return (-1);
	if (fixture_unbound_wait(&unbound, UNBOUND_WAIT_S, unbound_ready,
	    NULL, why) < 0)
		return (-1);
	return (0);
}

static void
unbound_stop(void)
{
	fixture_unbound_stop(&unbound);
	dns_free(env->dns);
	env->dns = NULL;
}

/* ------------------------------------------------------------------ */
/* Connectors and probes. */

/* The connector's settings beyond its name and next hops. */
struct conn_spec {
	const char	*name;
	const char	*hosts;		/* "a b c", NULL: DNS routing */
	bool		 require_tls;
	enum sc_tls_auth level;
	const char	*tls_domain;
	bool		 ignore_starttls;
	int		 idle;		/* ConnectionInactivityTimeOut, s */
};

static const struct conn_spec conn_specs[] = {
	{ "Plain Required", "[127.0.0.3]", true, SC_TLSAUTH_NONE, NULL,
	    false, 0 },
	{ "Plain Opportunistic", "[127.0.0.3]", false, SC_TLSAUTH_NONE,
	    NULL, false, 0 },
	{ "SelfSigned CertVal", "[127.0.0.2]", true,
	    SC_TLSAUTH_CERTIFICATE_VALIDATION, NULL, false, 0 },
	{ "Good DomainVal", "[127.0.0.1]", true,
	    SC_TLSAUTH_DOMAIN_VALIDATION, "mx1.probe.test", false, 0 },
	{ "Good Wildcard", "mx1.probe.test", true,
	    SC_TLSAUTH_DOMAIN_VALIDATION, "*.outlook.test", false, 0 },
	{ "Good Opportunistic", "[127.0.0.1]", false, SC_TLSAUTH_NONE, NULL,
	    false, 0 },
	{ "WrongName DomainVal", "[127.0.0.5]", true,
	    SC_TLSAUTH_DOMAIN_VALIDATION, "mx1.probe.test", false, 0 },
	{ "Expired CertVal", "[127.0.0.4]", true,
	    SC_TLSAUTH_CERTIFICATE_VALIDATION, NULL, false, 0 },
	{ "Two Hosts", "[127.0.0.3] [127.0.0.1]", true, SC_TLSAUTH_NONE,
	    NULL, false, 0 },
	{ "MX DomainVal", NULL, true, SC_TLSAUTH_DOMAIN_VALIDATION, NULL,
	    false, 0 },
	{ "MX Opportunistic", NULL, false, SC_TLSAUTH_NONE, NULL, false, 0 },
	{ "Broken Opportunistic", "[127.0.0.6]", false, SC_TLSAUTH_NONE,
	    NULL, false, 0 },
	{ "Broken Required", "[127.0.0.6]", true, SC_TLSAUTH_NONE, NULL,
	    false, 0 },
	{ "Refused", "[127.0.0.9]", false, SC_TLSAUTH_NONE, NULL, false, 0 },
	{ "Silent", "[127.0.0.7]", false, SC_TLSAUTH_NONE, NULL, false, 1 },
	{ "Ignore", "[127.0.0.1]", false, SC_TLSAUTH_NONE, NULL, true, 0 },
	{ "Unresolvable", "ghost.probe.test", false, SC_TLSAUTH_NONE, NULL,
	    false, 0 },
};

static void
conn_add(const struct conn_spec *cs)
{
	struct send_connector	 sc;
	char			*copy, *p, *tok, *cause = NULL;

	send_connector_init(&sc, SC_USAGE_CUSTOM, SERVER);
	sc.name = xstrdup(cs->name);
	sc.address_spaces = xcalloc(1, sizeof *sc.address_spaces);
	sc.address_spaces[0].type = xstrdup("SMTP");
	sc.address_spaces[0].domain = xstrdup("*");
	sc.address_spaces[0].cost = 1;
	sc.n_address_spaces = 1;
	sc.port = port;
	sc.require_tls = cs->require_tls;
	sc.tls_auth_level = cs->level;
	sc.ignore_starttls = cs->ignore_starttls;
	if (cs->tls_domain != NULL)
		sc.tls_domain = xstrdup(cs->tls_domain);
	if (cs->idle != 0)
		sc.connection_inactivity_timeout = cs->idle;
	sc.fqdn = xstrdup("hub.probe.test");
	if (cs->hosts != NULL) {
		copy = xstrdup(cs->hosts);
		for (p = copy; (tok = strsep(&p, " ")) != NULL; )
			sc_strlist_add(&sc.smart_hosts, tok);
		free(copy);
	}
	if (store_begin(st, &cause) != 0 ||
	    store_connector_insert(st, &sc, &cause) != 0 ||
	    store_commit(st, &cause) != 0) {
		printf("Bail out! insert %s: %s\n", cs->name, cause);
		exit(1);
	}
	send_connector_clear(&sc);
}

/* The answer of one probe, read back as the shell reads it. */
struct answer {
	int		 rc;
	char		*category;
	char		*message;
	struct ctl_rec	 rec[NRECS_MAX];
	size_t		 n;
	int64_t		 ms;		/* how long probe_ctl took */
};

/* Run op probe for connector and domain (either may be NULL). */
static void
probe(struct answer *a, const char *connector, const char *domain)
{
	struct ctl_rec		 req, status;
	struct ctl_reader	 rd;
	struct buf		 out;
	char			*cause = NULL;
	bool			 last = false;
	FILE			*f;
	int64_t			 t0;

	memset(a, 0, sizeof *a);
	ctl_rec_init(&req);
	ctl_add(&req, "op", "probe");
	ctl_add(&req, "connector", connector);
	ctl_add(&req, "domain", domain);
	buf_init(&out);
	srvs_reset();
	t0 = io_now_ms();
	a->rc = probe_ctl(&req, &out, &a->category, &a->message);
	a->ms = io_now_ms() - t0;
	ctl_rec_clear(&req);
	/* The status record control.c would add. */
	ctl_rec_init(&status);
	ctl_add(&status, "status", "ok");
	ctl_encode(&out, &status, true);
	ctl_rec_clear(&status);
	if ((f = tmpfile()) == NULL || fwrite(out.s, 1, out.len, f) !=
	    out.len || fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
		TAP_CHECK(!"temporary file");
		buf_free(&out);
		return;
	}
	buf_free(&out);
	ctl_reader_init(&rd, fileno(f), 1000);
	while (!last && a->n < NRECS_MAX) {
		ctl_rec_init(&a->rec[a->n]);
		if (ctl_read(&rd, &a->rec[a->n], &last, &cause) != 0) {
			printf("# ctl_read: %s\n", cause);
			free(cause);
			TAP_CHECK(!"answer readable");
			break;
		}
		if (last) {
			TAP_STREQ(ctl_get(&a->rec[a->n], "status"), "ok");
			ctl_rec_clear(&a->rec[a->n]);
		} else
			a->n++;
	}
	ctl_reader_free(&rd);
	fclose(f);
}

static void
answer_free(struct answer *a)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		ctl_rec_clear(&a->rec[i]);
	free(a->category);
	free(a->message);
}

/* Show a record as TAP comments. */
static void
show(const struct ctl_rec *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		printf("#   %s: %s\n", r->f[i].name, r->f[i].value);
	printf("#   -\n");
}

/* How many times name occurs in r. */
static size_t
count(const struct ctl_rec *r, const char *name)
{
	size_t	i, n = 0;

	for (i = 0; i < r->n; i++)
		n += strcmp(r->f[i].name, name) == 0;
	return (n);
}

/* Does field name hold s somewhere in its first value? */
static int
has(const struct ctl_rec *r, const char *name, const char *s)
{
	const char	*v = ctl_get(r, name);

	return (v != NULL && strstr(v, s) != NULL);
}

/* The levels a record says the session meets, joined by ",". */
static char *
levels(const struct ctl_rec *r)
{
	struct buf	 b;
	const char	*v;
	size_t		 i;

	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; (v = ctl_get_nth(r, "SatisfiesLevels", i)) != NULL; i++)
		buf_addf(&b, "%s%s", i > 0 ? "," : "", v);
	return (buf_detach(&b));
}

#define LEVELS_IS(r, want) do {						\
	char *l_ = levels(r);						\
	TAP_STREQ(l_, want);						\
	free(l_);							\
} while (0)

/* The server never saw MAIL, AUTH, RCPT or DATA. */
static int
no_mail(struct srv *s)
{
	char	*log = srv_log(s);
	int	 ok;

	ok = strstr(log, "MAIL") == NULL && strstr(log, "AUTH") == NULL &&
	    strstr(log, "RCPT") == NULL && strstr(log, "DATA") == NULL;
	free(log);
	return (ok);
}

/* "127.0.0.X:port" */
static char *
addr(const char *ip)
{
	return (xprintf("%s:%d", ip, port));
}

/* ------------------------------------------------------------------ */
/* The verdicts, one row a case. */

enum want_op {
	W_EQ,		/* the field is value */
	W_HAS,		/* its first value holds value */
	W_ABSENT,	/* there is no such field */
	W_PRESENT,	/* there is one */
	W_COUNT,	/* it occurs n times */
	W_ADDR,		/* it is "value:<the servers' port>" */
	W_PAST		/* a time in ms before now */
};

struct want {
	const char	*field;
	enum want_op	 op;
	const char	*value;
	int		 n;
};

#define EQ(f, v)	{ f, W_EQ, v, 0 }
#define HAS(f, v)	{ f, W_HAS, v, 0 }
#define ABSENT(f)	{ f, W_ABSENT, NULL, 0 }
#define PRESENT(f)	{ f, W_PRESENT, NULL, 0 }
#define COUNT(f, n)	{ f, W_COUNT, NULL, n }
#define ADDR(f, ip)	{ f, W_ADDR, ip, 0 }
#define PAST(f)		{ f, W_PAST, NULL, 0 }
#define WANT_MAX	16

struct verdict {
	const char	*name;		/* the TAP case */
	const char	*connector;
	const char	*domain;
	struct want	 want[WANT_MAX];	/* up to the first NULL field */
	const char	*levels;	/* SatisfiesLevels, NULL: unchecked */
	struct srv	*peer;		/* the server probed, or NULL */
	const char	*seen;		/* all it saw; NULL: no mail at least */
};

static const struct verdict verdicts[] = {
	{ "no STARTTLS, RequireTLS: Fail 451 5.7.3",
	    "Plain Required", "contoso.test", {
		EQ("Connector", "Plain Required"),
		EQ("Domain", "contoso.test"),
		EQ("Host", "[127.0.0.3]"),
		ABSENT("Preference"),
		ADDR("Address", "127.0.0.3"),
		EQ("Connected", "True"),
		EQ("Banner", "220 127.0.0.3 ESMTP probe test"),
		EQ("StartTlsOffered", "False"),
		ABSENT("TlsProtocol"),
		ABSENT("Error"),
		EQ("Policy", "RequireTLS, EncryptionOnly"),
		EQ("Result", "Fail"),
		EQ("Response", "451 5.7.3 STARTTLS is required to send mail"),
	    }, NULL, PLAIN, "connect\nEHLO hub.probe.test\nQUIT\n" },
	{ "no STARTTLS, opportunistic: Pass in plaintext",
	    "plain opportunistic", "user@contoso.test", {
		EQ("Connector", "Plain Opportunistic"),
		EQ("Domain", "contoso.test"),
		EQ("StartTlsOffered", "False"),
		EQ("Policy", "Opportunistic"),
		EQ("Result", "Pass"),
		EQ("Response", "Plaintext (opportunistic)"),
		COUNT("SatisfiesLevels", 0),
	    }, NULL, PLAIN, NULL },
	{ "self-signed, CertificateValidation: Fail 454 4.7.5",
	    "SelfSigned CertVal", "contoso.test", {
		EQ("StartTlsOffered", "True"),
		HAS("TlsProtocol", "TLSv1."),
		PRESENT("TlsCipher"),
		EQ("CertificateSubject", "CN=mx2.probe.test"),
		EQ("CertificateIssuer", "CN=mx2.probe.test"),
		EQ("ChainValid", "False"),
		EQ("ChainError", "self-signed certificate"),
		EQ("Error", "TLS verification failed: self-signed certificate"),
		EQ("Policy", "RequireTLS, CertificateValidation"),
		EQ("Result", "Fail"),
		EQ("Response", "454 4.7.5 Certificate validation failure"),
	    }, "EncryptionOnly", SELFSIGNED,
	    /* Judged before the second EHLO: QUIT inside TLS, nothing else. */
	    "connect\nEHLO hub.probe.test\nSTARTTLS\ntls\nQUIT\n" },
	{ "wrong name, DomainValidation: Fail 454 4.7.5",
	    "WrongName DomainVal", "contoso.test", {
		EQ("Result", "Fail"),
		EQ("Response", "454 4.7.5 Certificate validation failure"),
		EQ("Error", "TLS verification failed: no certificate name "
		    "matches mx1.probe.test"),
		EQ("ChainValid", "True"),
		ABSENT("MatchedName"),
		EQ("CertificateNames", "smtp.fabrikam.test"),
	    }, "EncryptionOnly,CertificateValidation", WRONGNAME, NULL },
	{ "expired certificate: Fail with the reason",
	    "Expired CertVal", "contoso.test", {
		EQ("Result", "Fail"),
		EQ("Response", "454 4.7.5 Certificate validation failure"),
		EQ("ChainValid", "False"),
		EQ("ChainError", "certificate has expired"),
		EQ("Error", "TLS verification failed: certificate has expired"),
		PAST("CertificateNotAfter"),
		COUNT("Chain", 2),
	    }, "EncryptionOnly", NULL, NULL },
};

/* Check one wanted field of r. */
static void
want_check(const struct ctl_rec *r, const struct want *w)
{
	const char	*v = ctl_get(r, w->field);
	char		*ad;
	int		 before = tap_case_failed;

	tap_case_failed = 0;
	switch (w->op) {
	case W_EQ:
		TAP_STREQ(v, w->value);
		break;
	case W_HAS:
		TAP_CHECK(has(r, w->field, w->value));
		break;
	case W_ABSENT:
		TAP_CHECK(v == NULL);
		break;
	case W_PRESENT:
		TAP_CHECK(v != NULL);
		break;
	case W_COUNT:
		TAP_CHECK(count(r, w->field) == (size_t)w->n);
		break;
	case W_ADDR:
		ad = addr(w->value);
		TAP_STREQ(v, ad);
		free(ad);
		break;
	case W_PAST:
		TAP_CHECK(ctl_get_int(r, w->field, 0) <
		    (int64_t)time(NULL) * 1000);
		break;
	}
	if (tap_case_failed)
		printf("# (field %s)\n", w->field);
	tap_case_failed |= before;
}

/* Probe one row's connector and check its one record against the row. */
static void
verdict_run(const struct verdict *vd)
{
	struct answer	 a;
	const struct ctl_rec *r;
	size_t		 i;
	char		*seen;

	probe(&a, vd->connector, vd->domain);
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		r = &a.rec[0];
		show(r);
		for (i = 0; i < WANT_MAX && vd->want[i].field != NULL; i++)
			want_check(r, &vd->want[i]);
		if (vd->levels != NULL)
			LEVELS_IS(r, vd->levels);
	}
	if (vd->peer != NULL && vd->seen != NULL) {
		seen = srv_log(vd->peer);
		TAP_STREQ(seen, vd->seen);
		free(seen);
	} else if (vd->peer != NULL)
		TAP_CHECK(no_mail(vd->peer));
	answer_free(&a);
}

/* ------------------------------------------------------------------ */
/* The cases. */

static void
test_good(void)
{
	struct answer	 a;
	const struct ctl_rec *r;
	const char	*v;
	char		*log, want[64];
	int64_t		 now = (int64_t)time(NULL) * 1000, na;
	struct tm	 tm;
	time_t		 t;

	probe(&a, "Good DomainVal", NULL);
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		r = &a.rec[0];
		show(r);
		TAP_CHECK(ctl_get(r, "Domain") == NULL);
		TAP_STREQ(ctl_get(r, "Result"), "Pass");
		TAP_STREQ(ctl_get(r, "Policy"), "RequireTLS, DomainValidation, "
		    "TlsDomain mx1.probe.test");
		TAP_STREQ(ctl_get(r, "MatchedName"), "mx1.probe.test");
		TAP_STREQ(ctl_get(r, "ChainValid"), "True");
		TAP_CHECK(ctl_get(r, "ChainError") == NULL);
		TAP_CHECK(ctl_get(r, "Error") == NULL);
		v = ctl_get(r, "Response");
		TAP_CHECK(v != NULL && strncmp(v, "TLSv1.", 6) == 0 &&
		    strstr(v, ctl_get(r, "TlsCipher")) != NULL &&
		    strstr(v, ", DomainValidation ok") != NULL);
		LEVELS_IS(r, "EncryptionOnly,CertificateValidation,"
		    "DomainValidation");
		/* The leaf, its names and dates. */
		TAP_STREQ(ctl_get(r, "CertificateSubject"),
		    "CN=mx1.probe.test");
		TAP_STREQ(ctl_get(r, "CertificateIssuer"),
		    "CN=hubd probe issuing");
		TAP_CHECK(count(r, "CertificateNames") == 2);
		TAP_STREQ(ctl_get_nth(r, "CertificateNames", 0),
		    "mx1.probe.test");
		TAP_STREQ(ctl_get_nth(r, "CertificateNames", 1),
		    "*.outlook.test");
		na = ctl_get_int(r, "CertificateNotAfter", 0);
		TAP_CHECK(na > now + 29 * PKI_DAY * 1000 &&
		    na < now + 31 * PKI_DAY * 1000);
		TAP_CHECK(ctl_get_int(r, "CertificateNotBefore", 0) <
		    now - PKI_DAY * 1000 + 60000);
		/* The chain as sent: leaf, then the intermediate. */
		TAP_CHECK(count(r, "Chain") == 2);
		t = (time_t)(na / 1000);
		gmtime_r(&t, &tm);
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
		v = ctl_get_nth(r, "Chain", 0);
		TAP_CHECK(v != NULL && strncmp(v, "CN=mx1.probe.test | "
		    "CN=hubd probe issuing | ", 44) == 0 &&
		    strcmp(v + 44, want) == 0);
		v = ctl_get_nth(r, "Chain", 1);
		TAP_CHECK(v != NULL && strncmp(v, "CN=hubd probe issuing | "
		    "CN=hubd probe root | ", 45) == 0 && strlen(v) == 65);
	}
	/* EHLO, STARTTLS, EHLO again over TLS, QUIT; never MAIL. */
	log = srv_log(GOOD);
	TAP_STREQ(log, "connect\nEHLO hub.probe.test\nSTARTTLS\ntls\n"
	    "EHLO hub.probe.test\nQUIT\n");
	free(log);
	answer_free(&a);

	/* A smart host by name; a wildcard TlsDomain matches a SAN. */
	probe(&a, "Good Wildcard", "fabrikam.test");
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		r = &a.rec[0];
		show(r);
		TAP_STREQ(ctl_get(r, "Host"), "mx1.probe.test");
		TAP_CHECK(ctl_get(r, "Preference") == NULL);
		TAP_STREQ(ctl_get(r, "Result"), "Pass");
		TAP_STREQ(ctl_get(r, "MatchedName"), "*.outlook.test");
	}
	answer_free(&a);
}

/* An opportunistic connector learns what a stricter policy would get. */
static void
test_good_opportunistic(void)
{
	struct answer	 a;
	const struct ctl_rec *r;

	probe(&a, "Good Opportunistic", "probe.test");
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		r = &a.rec[0];
		show(r);
		TAP_STREQ(ctl_get(r, "Policy"), "Opportunistic");
		TAP_STREQ(ctl_get(r, "Result"), "Pass");
		TAP_CHECK(has(r, "Response", ", opportunistic"));
		TAP_STREQ(ctl_get(r, "MatchedName"), "*.probe.test");
		LEVELS_IS(r, "EncryptionOnly,CertificateValidation,"
		    "DomainValidation");
	}
	answer_free(&a);
	/* For another domain the names do not match. */
	probe(&a, "Good Opportunistic", "contoso.test");
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		r = &a.rec[0];
		TAP_STREQ(ctl_get(r, "Result"), "Pass");
		TAP_CHECK(ctl_get(r, "MatchedName") == NULL);
		LEVELS_IS(r, "EncryptionOnly,CertificateValidation");
	}
	answer_free(&a);
}

static void
test_two_hosts(void)
{
	struct answer	 a;
	char		*a1 = addr("127.0.0.3"), *a2 = addr("127.0.0.1");

	probe(&a, "Two Hosts", "contoso.test");
	TAP_CHECK(a.rc == 0 && a.n == 2);
	if (a.n == 2) {
		show(&a.rec[0]);
		show(&a.rec[1]);
		TAP_STREQ(ctl_get(&a.rec[0], "Host"), "[127.0.0.3]");
		TAP_STREQ(ctl_get(&a.rec[0], "Address"), a1);
		TAP_STREQ(ctl_get(&a.rec[0], "Result"), "Fail");
		TAP_STREQ(ctl_get(&a.rec[0], "Response"),
		    "451 5.7.3 STARTTLS is required to send mail");
		TAP_STREQ(ctl_get(&a.rec[1], "Host"), "[127.0.0.1]");
		TAP_STREQ(ctl_get(&a.rec[1], "Address"), a2);
		TAP_STREQ(ctl_get(&a.rec[1], "Result"), "Pass");
		TAP_CHECK(has(&a.rec[1], "Response", ", EncryptionOnly"));
	}
	TAP_CHECK(no_mail(PLAIN) && no_mail(GOOD));
	free(a1);
	free(a2);
	answer_free(&a);
}

static void
test_mx(void)
{
	struct answer	 a;
	const struct ctl_rec *r;
	char		*a1 = addr("127.0.0.1"), *a2 = addr("127.0.0.2");

	probe(&a, "MX DomainVal", "Probe.Test.");
	TAP_CHECK(a.rc == 0 && a.n == 2);
	if (a.n == 2) {
		r = &a.rec[0];
		show(r);
		TAP_STREQ(ctl_get(r, "Host"), "mx1.probe.test");
		TAP_STREQ(ctl_get(r, "Preference"), "10");
		TAP_STREQ(ctl_get(r, "Address"), a1);
		TAP_STREQ(ctl_get(r, "Policy"), "RequireTLS, DomainValidation, "
		    "names probe.test, *.probe.test");
		TAP_STREQ(ctl_get(r, "Result"), "Pass");
		TAP_STREQ(ctl_get(r, "MatchedName"), "*.probe.test");
		r = &a.rec[1];
		show(r);
		TAP_STREQ(ctl_get(r, "Host"), "mx2.probe.test");
		TAP_STREQ(ctl_get(r, "Preference"), "20");
		TAP_STREQ(ctl_get(r, "Address"), a2);
		TAP_STREQ(ctl_get(r, "Result"), "Fail");
		TAP_STREQ(ctl_get(r, "Response"),
		    "454 4.7.5 Certificate validation failure");
		/* mx2's name matches; only its chain fails. */
		TAP_STREQ(ctl_get(r, "MatchedName"), "*.probe.test");
		TAP_STREQ(ctl_get(r, "ChainValid"), "False");
	}
	answer_free(&a);
	free(a1);
	free(a2);
}

/* Name resolution fails: one record, as a delivery would record it. */
static void
test_dns_failures(void)
{
	struct answer	 a;
	const struct ctl_rec *r;

	probe(&a, "MX Opportunistic", "nosuch.test");
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		r = &a.rec[0];
		show(r);
		TAP_STREQ(ctl_get(r, "Connector"), "MX Opportunistic");
		TAP_STREQ(ctl_get(r, "Domain"), "nosuch.test");
		TAP_STREQ(ctl_get(r, "Result"), "Fail");
		TAP_STREQ(ctl_get(r, "Response"), "554 5.4.4 "
		    "SMTPSEND.DNS.NonExistentDomain; nonexistent domain");
		TAP_CHECK(ctl_get(r, "Error") != NULL);
		TAP_CHECK(ctl_get(r, "Host") == NULL &&
		    ctl_get(r, "Address") == NULL);
	}
	answer_free(&a);
	probe(&a, "MX Opportunistic", "nullmx.test");
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1)
		TAP_STREQ(ctl_get(&a.rec[0], "Response"),
		    "550 5.1.10 Recipient address has null MX");
	answer_free(&a);
	/* A smart host that does not resolve is always a retry. */
	probe(&a, "Unresolvable", "contoso.test");
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		r = &a.rec[0];
		show(r);
		TAP_STREQ(ctl_get(r, "Result"), "Fail");
		TAP_STREQ(ctl_get(r, "Response"), "451 4.4.0 DNS query "
		    "failed. The error was: SMTPSEND.DNS.NonExistentDomain; "
		    "nonexistent domain");
		TAP_CHECK(has(r, "Error", "ghost.probe.test"));
	}
	answer_free(&a);
}

static void
test_refusals(void)
{
	struct answer	a;

	probe(&a, "No Such Connector", "contoso.test");
	TAP_CHECK(a.rc == 1 && a.n == 0);
	TAP_STREQ(a.category, "ObjectNotFound");
	TAP_STREQ(a.message, "The operation couldn't be performed because "
	    "object 'No Such Connector' couldn't be found on 'EX01'.");
	answer_free(&a);
	probe(&a, "MX DomainVal", NULL);
	TAP_CHECK(a.rc == 1 && a.n == 0);
	TAP_STREQ(a.category, "InvalidArgument");
	answer_free(&a);
	probe(&a, "Plain Required", "bad domain\r\nEHLO x");
	TAP_CHECK(a.rc == 1 && a.n == 0);
	TAP_STREQ(a.category, "InvalidArgument");
	answer_free(&a);
	probe(&a, NULL, "contoso.test");
	TAP_CHECK(a.rc == 1 && a.n == 0);
	TAP_STREQ(a.category, "InvalidArgument");
	answer_free(&a);
}

/* STARTTLS offered but broken: opportunistic goes on in plaintext. */
static void
test_broken_tls(void)
{
	struct answer	 a;
	const struct ctl_rec *r;

	probe(&a, "Broken Opportunistic", "contoso.test");
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		r = &a.rec[0];
		show(r);
		TAP_STREQ(ctl_get(r, "StartTlsOffered"), "True");
		TAP_CHECK(ctl_get(r, "TlsProtocol") == NULL);
		TAP_CHECK(has(r, "Error", "TLS handshake failed: "));
		TAP_STREQ(ctl_get(r, "Result"), "Pass");
		TAP_STREQ(ctl_get(r, "Response"), "Plaintext (opportunistic)");
	}
	/* mta_open's plaintext pass: a second connection, no STARTTLS. */
	pthread_mutex_lock(&BROKEN->lock);
	TAP_CHECK(BROKEN->conns == 2);
	pthread_mutex_unlock(&BROKEN->lock);
	answer_free(&a);

	probe(&a, "Broken Required", "contoso.test");
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		r = &a.rec[0];
		show(r);
		TAP_CHECK(has(r, "Error", "TLS handshake failed: "));
		TAP_STREQ(ctl_get(r, "Result"), "Fail");
		TAP_STREQ(ctl_get(r, "Response"),
		    "451 5.7.3 STARTTLS is required to send mail");
	}
	pthread_mutex_lock(&BROKEN->lock);
	TAP_CHECK(BROKEN->conns == 1);
	pthread_mutex_unlock(&BROKEN->lock);
	answer_free(&a);
}

static void
test_unreachable(void)
{
	struct answer	 a;
	const struct ctl_rec *r;

	probe(&a, "Refused", "contoso.test");
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		r = &a.rec[0];
		show(r);
		TAP_STREQ(ctl_get(r, "Connected"), "False");
		TAP_CHECK(ctl_get(r, "StartTlsOffered") == NULL &&
		    ctl_get(r, "Banner") == NULL);
		TAP_CHECK(has(r, "Error", "refused"));
		TAP_STREQ(ctl_get(r, "Result"), "Fail");
		TAP_CHECK(has(r, "Response", "441 4.4.1 Error encountered "
		    "while communicating with primary target IP address: \""));
	}
	answer_free(&a);
	/* The connector's command timeout holds within the probe. */
	probe(&a, "Silent", "contoso.test");
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		show(&a.rec[0]);
		TAP_STREQ(ctl_get(&a.rec[0], "Connected"), "True");
		TAP_STREQ(ctl_get(&a.rec[0], "Error"), "timed out");
		TAP_STREQ(ctl_get(&a.rec[0], "Result"), "Fail");
	}
	printf("# silent peer, 1 s command timeout: %lld ms\n",
	    (long long)a.ms);
	TAP_CHECK(a.ms >= 900 && a.ms < 5000);
	answer_free(&a);
}

/* The deadline bounds a hop whatever the connector's timeouts say. */
static void
test_deadline(void)
{
	struct route_table		*rt = env_routes();
	const struct send_connector	*sc = route_find(rt, "Silent");
	struct send_connector		*slow;
	struct mta_dest			 d;
	struct mta_hop			*hops = NULL;
	struct mta_probe		 p;
	size_t				 n = 0;
	int64_t				 t0, took;

	TAP_CHECK(sc != NULL);
	if (sc == NULL) {
		route_table_unref(rt);
		return;
	}
	/* ConnectionInactivityTimeOut ten minutes. */
	slow = send_connector_dup(sc);
	slow->connection_inactivity_timeout = 600;
	memset(&d, 0, sizeof d);
	d.sc = slow;
	d.domain = "contoso.test";
	TAP_CHECK(mta_probe_hops(&d, &hops, &n, &p) == 0 && n == 1);
	if (n == 1) {
		t0 = io_now_ms();
		mta_probe_hop(&d, &hops[0], io_deadline(700), &p);
		took = io_now_ms() - t0;
		printf("# 700 ms deadline: %lld ms, %s\n", (long long)took,
		    p.error);
		TAP_CHECK(took >= 600 && took < 2500);
		TAP_CHECK(!p.pass && p.connected);
		TAP_STREQ(p.error, "timed out");
		mta_probe_clear(&p);
	}
	mta_hops_free(hops, n);
	send_connector_free(slow);
	route_table_unref(rt);
}

static void
test_ignore_starttls(void)
{
	struct answer	 a;
	const struct ctl_rec *r;
	char		*log;

	probe(&a, "Ignore", "contoso.test");
	TAP_CHECK(a.rc == 0 && a.n == 1);
	if (a.n == 1) {
		r = &a.rec[0];
		TAP_STREQ(ctl_get(r, "Policy"), "IgnoreSTARTTLS");
		TAP_STREQ(ctl_get(r, "StartTlsOffered"), "True");
		TAP_STREQ(ctl_get(r, "Result"), "Pass");
		TAP_STREQ(ctl_get(r, "Response"), "Plaintext (IgnoreSTARTTLS)");
	}
	log = srv_log(GOOD);
	TAP_STREQ(log, "connect\nEHLO hub.probe.test\nQUIT\n");
	free(log);
	answer_free(&a);
}

/* Every hop at once: the time is the slowest hop's, not the sum. */
static void
test_concurrent(void)
{
	struct answer	a;

	probe(&a, "MX DomainVal", "probe.test");
	TAP_CHECK(a.rc == 0 && a.n == 2);
	printf("# two MX hosts with TLS: %lld ms\n", (long long)a.ms);
	answer_free(&a);
}

static const struct tap_case cases[] = {
	{ "good chain, DomainValidation with TlsDomain: Pass, chain fields",
	    test_good },
	{ "opportunistic: the levels the peer would meet",
	    test_good_opportunistic },
	{ "two smart hosts: two records in order", test_two_hosts },
	{ "MX through unbound: preference, implicit names",
	    test_mx },
	{ "DNS failures: one record with the delivery's response",
	    test_dns_failures },
	{ "unknown connector, missing or bad arguments", test_refusals },
	{ "broken STARTTLS: plaintext retry or 451 5.7.3", test_broken_tls },
	{ "refused and silent peers", test_unreachable },
	{ "the deadline bounds a hop", test_deadline },
	{ "IgnoreSTARTTLS never says STARTTLS", test_ignore_starttls },
	{ "hops are probed concurrently", test_concurrent },
};
#define NVERDICTS	(sizeof verdicts / sizeof verdicts[0])
#define NCASES		(sizeof cases / sizeof cases[0])

static int
setup(char **why)
{
	struct route_table	*rt;
	const char		*unbound_path;
	char			*path, *cause = NULL;
	size_t			 i;

	if ((unbound_path = fixture_unbound_path()) == NULL)
		exit(1);
	tdir = fixture_tmpdir("hubd-probe-test");
	if (!pki_make()) {
		*why = xstrdup("cannot make the certificates");
		return (-1);
	}
	if (srvs_start() != 0) {
		*why = xstrdup("cannot start the test servers");
		return (-1);
	}
	conf_defaults(&conf);
	conf.connect_timeout = 5;
	env->conf = &conf;
	env->server = SERVER;
	env->hostname = "hubd.probe.test";
	path = xprintf("%s/ca.crt", tdir);
	if (tls_client_ctx_create(&env->tls_client, path, &cause) != 0) {
		*why = cause;
		free(path);
		return (-1);
	}
	free(path);
	if (unbound_start(unbound_path, why) != 0)
		return (-1);
	path = xprintf("%s/hubsh.db", tdir);
	if (store_open(&st, path, SERVER, &cause) != 0) {
		*why = cause;
		free(path);
		return (-1);
	}
	free(path);
	for (i = 0; i < sizeof conn_specs / sizeof conn_specs[0]; i++)
		conn_add(&conn_specs[i]);
	if (route_table_build(st, SERVER, &rt, &cause) != 0) {
		*why = cause;
		return (-1);
	}
	route_slot_set(&env->routes, rt);
	return (0);
}

static void
teardown(void)
{
	srvs_stop();
	unbound_stop();
	route_slot_clear(&env->routes);
	store_close(st);
	tls_ctx_free(env->tls_client);
	tls_cache_clear();
	conf_free(&conf);
	fixture_rmtree(tdir);
	free(tdir);
}

int
main(void)
{
	char	*why = NULL;
	size_t	 i;
	int	 rc = 1;

	signal(SIGPIPE, SIG_IGN);
	log_init(true, 0);
	if (setup(&why) != 0)
		printf("Bail out! %s\n", why != NULL ? why : "setup");
	else {
		tap_plan(NVERDICTS + NCASES);
		for (i = 0; i < NVERDICTS; i++) {
			verdict_run(&verdicts[i]);
			tap_report(verdicts[i].name);
		}
		rc = tap_cases(cases, NCASES);
	}
	free(why);
	teardown();
	return (rc);
}
