/*
 * tls_test.c - unit tests of transport/tls.c and transport/io.c.
 *
 * Exchange's certificate name rule by table; then real handshakes over
 * socketpairs against tls_server_start in a thread, with a CA and server
 * certificates (valid, expired, not yet valid, wrong name, self-signed,
 * CN only, client-only EKU) made at test time in a temporary directory;
 * the session cache; and the line layer (long lines, pending bytes,
 * timeouts, trace masking, connect).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pki.h"
#include "tap.h"
#include "xmalloc.h"
#include "transport.h"


/* The server certificates made by test_pki, by index. */
enum {
	SRV_VALID,
	SRV_EXPIRED,
	SRV_NOTYET,
	SRV_WRONGNAME,
	SRV_SELFSIGNED,
	SRV_CNONLY,
	SRV_CLIENTONLY,
	SRV_COUNT
};

struct srv_spec {
	const char	*file;
	const char	*cn;
	const char	*san;		/* NULL: no SAN */
	const char	*eku;
	long		 from, to;	/* validity, days from now */
	int		 selfsigned;
};

static const struct srv_spec srv_specs[SRV_COUNT] = {
	{ "valid", "mx1.contoso.com", "DNS:mx1.contoso.com,DNS:*.outlook.com",
	    "serverAuth", -1, 30, 0 },
	{ "expired", "mx1.contoso.com", "DNS:mx1.contoso.com", "serverAuth",
	    -30, -1, 0 },
	{ "notyet", "mx1.contoso.com", "DNS:mx1.contoso.com", "serverAuth",
	    1, 30, 0 },
	{ "wrongname", "mail.fabrikam.com", "DNS:smtp.fabrikam.com",
	    "serverAuth", -1, 30, 0 },
	{ "selfsigned", "mx1.contoso.com", "DNS:mx1.contoso.com",
	    "serverAuth", -1, 30, 1 },
	{ "cnonly", "cnonly.contoso.com", NULL, "serverAuth", -1, 30, 0 },
	{ "clientonly", "mx1.contoso.com", "DNS:mx1.contoso.com",
	    "clientAuth", -1, 30, 0 },
};

static char		 pki_dir[] = "/tmp/hubd-tls-test.XXXXXX";
static int		 pki_ready;
static struct tls_ctx	*client_ctx;
static struct tls_ctx	*server_ctx[SRV_COUNT];
static int		 tls12_mode;	/* child run capped at TLS 1.2 */

/* What the peer thread does on its end of the socketpair. */
enum peer_mode {
	PEER_TLS,		/* handshake, "220 ready", read to EOF */
	PEER_GARBAGE,		/* plaintext instead of a ServerHello */
	PEER_SILENT		/* read to EOF, never answer */
};

struct peer {
	struct tls_ctx	*ctx;
	int		 fd;
	enum peer_mode	 mode;
	const char	*greeting;
	int		 ok;
};

/* ------------------------------------------------------------------ */
/* tls_name_match. */

struct name_case {
	const char	*pattern;
	const char	*cert;
	int		 match;
};

static const struct name_case name_cases[] = {
	/* Exact, case-insensitive, trailing dot ignored. */
	{ "mail.contoso.com", "mail.contoso.com", 1 },
	{ "MAIL.Contoso.COM", "mail.contoso.com", 1 },
	{ "mail.contoso.com", "Mail.Contoso.Com", 1 },
	{ "mail.contoso.com.", "mail.contoso.com", 1 },
	{ "mail.contoso.com", "mail.contoso.com.", 1 },
	{ "mail.contoso.com", "mail.contoso.org", 0 },
	{ "mail.contoso.com", "contoso.com", 0 },
	{ "contoso.com", "mail.contoso.com", 0 },
	{ "mail.contoso.com", "xmail.contoso.com", 0 },
	/* A cert name *.X is compared as X. */
	{ "mail.protection.outlook.com", "*.mail.protection.outlook.com", 1 },
	{ "outlook.com", "*.outlook.com", 1 },
	{ "OUTLOOK.COM.", "*.outlook.com", 1 },
	/* Cert wildcard covers exactly one label of a plain pattern. */
	{ "mx1.contoso.com", "*.contoso.com", 1 },
	{ "MX1.CONTOSO.COM", "*.Contoso.Com", 1 },
	{ "mx1.contoso.com.", "*.contoso.com", 1 },
	{ "a.b.contoso.com", "*.contoso.com", 0 },
	{ "mail.protection.outlook.com", "*.outlook.com", 0 },
	{ "mx1.fabrikam.com", "*.contoso.com", 0 },
	{ "mx1.xcontoso.com", "*.contoso.com", 0 },
	/* Pattern wildcard covers one label of a plain cert name, and X. */
	{ "*.contoso.com", "anything.contoso.com", 1 },
	{ "*.contoso.com", "contoso.com", 1 },
	{ "*.contoso.com", "CONTOSO.COM.", 1 },
	{ "*.outlook.com", "outlook.com", 1 },
	{ "*.outlook.com", "mail.outlook.com", 1 },
	{ "*.outlook.com", "mail.protection.outlook.com", 0 },
	{ "*.contoso.com", "a.b.contoso.com", 0 },
	{ "*.contoso.com", "fabrikam.com", 0 },
	{ "*.contoso.com", "com", 0 },
	/* Wildcard against wildcard: only the same string. */
	{ "*.contoso.com", "*.contoso.com", 1 },
	{ "*.Contoso.com", "*.contoso.COM.", 1 },
	{ "*.contoso.com", "*.mail.contoso.com", 0 },
	{ "*.mail.contoso.com", "*.contoso.com", 0 },
	{ "*.outlook.com", "*.protection.outlook.com", 0 },
	/* No partial wildcards, on either side, even as equal strings. */
	{ "www.contoso.com", "w*.contoso.com", 0 },
	{ "w*.contoso.com", "www.contoso.com", 0 },
	{ "w*.contoso.com", "w*.contoso.com", 0 },
	{ "mx1.contoso.com", "*x1.contoso.com", 0 },
	{ "mx1.contoso.com", "mx1.*.com", 0 },
	{ "mx1.contoso.com", "*", 0 },
	{ "*", "mx1", 0 },
	{ "mx1.contoso.com", "**.contoso.com", 0 },
	{ "a.contoso.com", "*.*.com", 0 },
	/* Empty names and empty labels never match. */
	{ "", "", 0 },
	{ ".", ".", 0 },
	{ "", "contoso.com", 0 },
	{ "contoso.com", "", 0 },
	{ "a..contoso.com", "a..contoso.com", 0 },
	{ ".contoso.com", ".contoso.com", 0 },
	{ "contoso.com..", "contoso.com", 0 },
	{ "*.", "a.", 0 },
	{ "a.contoso.com", "*..contoso.com", 0 },
	{ ".mx1.contoso.com", "*.contoso.com", 0 },
};

static void
test_name_match(void)
{
	const struct name_case	*nc;
	size_t			 i;
	int			 got;

	for (i = 0; i < sizeof name_cases / sizeof name_cases[0]; i++) {
		nc = &name_cases[i];
		got = tls_name_match(nc->pattern, nc->cert);
		if (got != nc->match) {
			printf("# pattern \"%s\" cert \"%s\": expected %d\n",
			    nc->pattern, nc->cert, nc->match);
			tap_case_failed = 1;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Certificates made at test time. */

/* Write cert and key as <dir>/<name>.crt and .key. */
static int
pem_write(const char *name, X509 *x, EVP_PKEY *key)
{
	char	path[256];
	FILE	*f;
	int	 ok;

	snprintf(path, sizeof path, "%s/%s.crt", pki_dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return (0);
	ok = PEM_write_X509(f, x);
	ok = (fclose(f) == 0) && ok;
	snprintf(path, sizeof path, "%s/%s.key", pki_dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return (0);
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) && ok;
	return ((fclose(f) == 0) && ok);
}

/* Make and write the server certificate of one spec. */
static int
pki_server(const struct srv_spec *sp, X509 *ca, EVP_PKEY *cakey)
{
	EVP_PKEY	*key = EVP_EC_gen("P-256");
	X509		*x;
	int		 ok;

	if (key == NULL)
		return (0);
	x = pki_cert(key, sp->cn, sp->san, sp->eku, sp->from, sp->to,
	    sp->selfsigned ? NULL : ca, cakey);
	ok = x != NULL && pem_write(sp->file, x, key);
	X509_free(x);
	EVP_PKEY_free(key);
	return (ok);
}

/* Server context for one spec; NULL with a message on failure. */
static struct tls_ctx *
pki_server_ctx(const char *name)
{
	struct tls_ctx	*ctx;
	char		 crt[256], key[256], *cause = NULL;

	snprintf(crt, sizeof crt, "%s/%s.crt", pki_dir, name);
	snprintf(key, sizeof key, "%s/%s.key", pki_dir, name);
	if (tls_server_ctx_create(&ctx, crt, key, &cause) != 0) {
		printf("# %s\n", cause);
		free(cause);
		return (NULL);
	}
	return (ctx);
}

static void
test_pki(void)
{
	EVP_PKEY	*cakey;
	X509		*ca;
	char		 path[256], *cause = NULL;
	int		 i;

	TAP_CHECK(mkdtemp(pki_dir) != NULL);
	cakey = EVP_EC_gen("P-256");
	TAP_CHECK(cakey != NULL);
	ca = pki_cert(cakey, "hubd test CA", NULL, NULL, -1, 30, NULL, NULL);
	TAP_CHECK(ca != NULL);
	if (ca == NULL)
		return;
	TAP_CHECK(pem_write("ca", ca, cakey));
	for (i = 0; i < SRV_COUNT; i++)
		TAP_CHECK(pki_server(&srv_specs[i], ca, cakey));
	X509_free(ca);
	EVP_PKEY_free(cakey);

	snprintf(path, sizeof path, "%s/ca.crt", pki_dir);
	TAP_CHECK(tls_client_ctx_create(&client_ctx, path, &cause) == 0);
	for (i = 0; i < SRV_COUNT; i++) {
		server_ctx[i] = pki_server_ctx(srv_specs[i].file);
		TAP_CHECK(server_ctx[i] != NULL);
	}
	pki_ready = client_ctx != NULL;
	for (i = 0; i < SRV_COUNT; i++)
		pki_ready = pki_ready && server_ctx[i] != NULL;
}

static void
test_ctx_errors(void)
{
	struct tls_ctx	*ctx = NULL;
	char		*cause = NULL, crt[256], key[256];

	TAP_CHECK(tls_client_ctx_create(&ctx, "/nonexistent/ca.pem",
	    &cause) == -1);
	TAP_CHECK(ctx == NULL && cause != NULL &&
	    strstr(cause, "/nonexistent/ca.pem") != NULL);
	printf("# %s\n", cause != NULL ? cause : "(null)");
	free(cause);
	cause = NULL;
	snprintf(crt, sizeof crt, "%s/valid.crt", pki_dir);
	TAP_CHECK(tls_server_ctx_create(&ctx, crt, "/nonexistent/key.pem",
	    &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "key.pem") != NULL);
	free(cause);
	cause = NULL;
	/* A key that is not the certificate's. */
	snprintf(key, sizeof key, "%s/expired.key", pki_dir);
	TAP_CHECK(tls_server_ctx_create(&ctx, crt, key, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "expired.key") != NULL);
	free(cause);
	cause = NULL;
	TAP_CHECK(tls_client_ctx_create(&ctx, NULL, &cause) == 0);
	tls_ctx_free(ctx);
}

/* ------------------------------------------------------------------ */
/* Handshakes against a peer thread. */

static void *
peer_main(void *arg)
{
	struct peer	*p = arg;
	struct tls_conn	*conn;
	struct tls_info	 info;
	char		 buf[512], *cause = NULL;
	const char	*g = p->greeting;

	if (g == NULL)
		g = "220 ready\r\n";
	if (p->mode == PEER_GARBAGE)
		(void)write(p->fd, "garbage\r\n", 9);
	if (p->mode == PEER_TLS) {
		if (tls_server_start(p->ctx, p->fd, 5000, &conn, &info,
		    &cause) == 0) {
			p->ok = tls_write(conn, g, strlen(g), 5000) ==
			    (ssize_t)strlen(g);
			while (tls_read(conn, buf, sizeof buf, 5000) > 0)
				;
			tls_conn_free(conn);
		}
		free(cause);
	} else {
		while (read(p->fd, buf, sizeof buf) > 0)
			;
	}
	close(p->fd);
	return (NULL);
}

/* One client handshake against a peer; reads the greeting if any. */
static enum tls_result
handshake(int srv, enum peer_mode mode, const struct tls_client_policy *pol,
    int timeout_ms, struct tls_info *info)
{
	struct peer	 p;
	struct io	 io;
	struct buf	 line;
	pthread_t	 t;
	enum tls_result	 res;
	int		 sv[2];

	memset(&p, 0, sizeof p);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return (TLS_HANDSHAKE_FAILED);
	p.ctx = server_ctx[srv];
	p.fd = sv[1];
	p.mode = mode;
	pthread_create(&t, NULL, peer_main, &p);
	io_init(&io, sv[0], 5000);
	res = tls_client_start(client_ctx, sv[0], pol, timeout_ms, &io.tls,
	    info);
	if (res == TLS_HANDSHAKE_FAILED && io.tls != NULL)
		res = (enum tls_result)99;	/* contract broken */
	if (io.tls != NULL) {
		buf_init(&line);
		if (io_getline(&io, &line, 512) != IO_OK ||
		    strcmp(line.s, "220 ready") != 0)
			res = (enum tls_result)98;
		buf_free(&line);
	}
	io_close(&io);
	pthread_join(t, NULL);
	return (res);
}

static const char *names_mx1[] = { "mx1.contoso.com" };
static const char *names_star_contoso[] = { "*.contoso.com" };
static const char *names_contoso[] = { "contoso.com", "*.contoso.com" };
static const char *names_star_outlook[] = { "*.outlook.com" };
static const char *names_outlook[] = { "outlook.com" };
static const char *names_protection[] = { "mail.protection.outlook.com" };
static const char *names_cnonly[] = { "cnonly.contoso.com" };

/* A policy at a level with names (or none). */
static struct tls_client_policy
policy(enum tls_verify v, const char **names, size_t n)
{
	struct tls_client_policy	pol;

	memset(&pol, 0, sizeof pol);
	pol.verify = v;
	pol.required = v != TLS_VERIFY_NONE;
	pol.names = names;
	pol.nnames = n;
	pol.sni = "mx1.contoso.com";
	return (pol);
}

#define POL(v, names) \
	policy(v, names, sizeof names / sizeof names[0])

/* Expect res, chain_ok, name_ok and (if not NULL) detail. */
static void
expect(int srv, struct tls_client_policy pol, enum tls_result want,
    int chain_ok, int name_ok, const char *detail, int line)
{
	struct tls_info	info;
	enum tls_result	res;

	if (!pki_ready) {
		tap_case_failed = 1;
		return;
	}
	res = handshake(srv, PEER_TLS, &pol, 5000, &info);
	if (res != want || info.chain_ok != chain_ok ||
	    info.name_ok != name_ok ||
	    (detail != NULL && strcmp(info.detail, detail) != 0)) {
		printf("# line %d: %s: res %d chain %d name %d detail "
		    "\"%s\"\n", line, srv_specs[srv].file, res, info.chain_ok,
		    info.name_ok, info.detail);
		tap_case_failed = 1;
	}
}
#define EXPECT(srv, pol, want, c, n, d) \
	expect(srv, pol, want, c, n, d, __LINE__)

static void
test_valid(void)
{
	struct tls_client_policy	pol = POL(TLS_VERIFY_NAME, names_mx1);
	struct tls_info			info;

	EXPECT(SRV_VALID, policy(TLS_VERIFY_NONE, NULL, 0), TLS_OK, 1, 0, "");
	EXPECT(SRV_VALID, policy(TLS_VERIFY_CHAIN, NULL, 0), TLS_OK, 1, 0,
	    "");
	EXPECT(SRV_VALID, POL(TLS_VERIFY_NAME, names_mx1), TLS_OK, 1, 1, "");
	EXPECT(SRV_VALID, POL(TLS_VERIFY_NAME, names_star_contoso), TLS_OK,
	    1, 1, "");
	EXPECT(SRV_VALID, POL(TLS_VERIFY_NAME, names_contoso), TLS_OK, 1, 1,
	    "");
	EXPECT(SRV_VALID, POL(TLS_VERIFY_NAME, names_star_outlook), TLS_OK,
	    1, 1, "");
	EXPECT(SRV_VALID, POL(TLS_VERIFY_NAME, names_outlook), TLS_OK, 1, 1,
	    "");
	/* Two labels under the certificate's *.outlook.com. */
	EXPECT(SRV_VALID, POL(TLS_VERIFY_NAME, names_protection),
	    TLS_VERIFY_FAILED, 1, 0, "no certificate name matches "
	    "mail.protection.outlook.com");
	/* CertificateValidation ignores the name. */
	EXPECT(SRV_VALID, POL(TLS_VERIFY_CHAIN, names_protection), TLS_OK,
	    1, 0, NULL);

	TAP_CHECK(handshake(SRV_VALID, PEER_TLS, &pol, 5000, &info) ==
	    TLS_OK);
	TAP_STREQ(info.peer_cn, "mx1.contoso.com");
	TAP_CHECK(strncmp(info.version, "TLSv1.", 6) == 0);
	if (tls12_mode)
		TAP_STREQ(info.version, "TLSv1.2");
	TAP_CHECK(info.cipher[0] != '\0');
	TAP_CHECK(!info.resumed);
	printf("# %s %s\n", info.version, info.cipher);
}

static void
test_invalid(void)
{
	EXPECT(SRV_EXPIRED, policy(TLS_VERIFY_NONE, NULL, 0), TLS_OK, 0, 0,
	    "certificate has expired");
	EXPECT(SRV_EXPIRED, policy(TLS_VERIFY_CHAIN, NULL, 0),
	    TLS_VERIFY_FAILED, 0, 0, "certificate has expired");
	EXPECT(SRV_EXPIRED, POL(TLS_VERIFY_NAME, names_mx1),
	    TLS_VERIFY_FAILED, 0, 1, "certificate has expired");
	EXPECT(SRV_NOTYET, POL(TLS_VERIFY_CHAIN, names_mx1),
	    TLS_VERIFY_FAILED, 0, 1, "certificate is not yet valid");
	EXPECT(SRV_SELFSIGNED, policy(TLS_VERIFY_NONE, NULL, 0), TLS_OK, 0,
	    0, NULL);
	EXPECT(SRV_SELFSIGNED, POL(TLS_VERIFY_CHAIN, names_mx1),
	    TLS_VERIFY_FAILED, 0, 1, "self-signed certificate");
	EXPECT(SRV_SELFSIGNED, POL(TLS_VERIFY_NAME, names_mx1),
	    TLS_VERIFY_FAILED, 0, 1, "self-signed certificate");
	EXPECT(SRV_WRONGNAME, POL(TLS_VERIFY_NONE, names_mx1), TLS_OK, 1, 0,
	    NULL);
	EXPECT(SRV_WRONGNAME, POL(TLS_VERIFY_CHAIN, names_mx1), TLS_OK, 1, 0,
	    NULL);
	EXPECT(SRV_WRONGNAME, POL(TLS_VERIFY_NAME, names_mx1),
	    TLS_VERIFY_FAILED, 1, 0,
	    "no certificate name matches mx1.contoso.com");
	EXPECT(SRV_WRONGNAME, POL(TLS_VERIFY_NAME, names_contoso),
	    TLS_VERIFY_FAILED, 1, 0,
	    "no certificate name matches contoso.com, *.contoso.com");
	EXPECT(SRV_WRONGNAME, policy(TLS_VERIFY_NAME, NULL, 0),
	    TLS_VERIFY_FAILED, 1, 0, NULL);
	/* Server-auth EKU is part of the chain check. */
	EXPECT(SRV_CLIENTONLY, POL(TLS_VERIFY_CHAIN, names_mx1),
	    TLS_VERIFY_FAILED, 0, 1, "unsuitable certificate purpose");
}

static void
test_cn_only(void)
{
	EXPECT(SRV_CNONLY, POL(TLS_VERIFY_NAME, names_cnonly), TLS_OK, 1, 1,
	    "");
	EXPECT(SRV_CNONLY, POL(TLS_VERIFY_NAME, names_star_contoso), TLS_OK,
	    1, 1, "");
	EXPECT(SRV_CNONLY, POL(TLS_VERIFY_NAME, names_mx1),
	    TLS_VERIFY_FAILED, 1, 0, NULL);
	/* The CN counts even when SANs exist (not in this SAN list). */
	EXPECT(SRV_WRONGNAME, policy(TLS_VERIFY_NAME, (const char *[]){
	    "mail.fabrikam.com" }, 1), TLS_OK, 1, 1, "");
}

static void
test_handshake_failures(void)
{
	struct tls_client_policy	pol = POL(TLS_VERIFY_NONE, names_mx1);
	struct tls_info			info;
	int64_t				t0;

	TAP_CHECK(handshake(SRV_VALID, PEER_GARBAGE, &pol, 5000, &info) ==
	    TLS_HANDSHAKE_FAILED);
	TAP_CHECK(info.detail[0] != '\0');
	printf("# garbage: %s\n", info.detail);
	t0 = io_now_ms();
	TAP_CHECK(handshake(SRV_VALID, PEER_SILENT, &pol, 300, &info) ==
	    TLS_HANDSHAKE_FAILED);
	TAP_CHECK(io_now_ms() - t0 >= 250 && io_now_ms() - t0 < 2000);
	TAP_STREQ(info.detail, "timed out");
}

/* Whether one handshake with pol resumed; -1 if it failed. */
static int
resumed(int srv, const struct tls_client_policy *pol, enum tls_result want)
{
	struct tls_info	info;

	if (handshake(srv, PEER_TLS, pol, 5000, &info) != want)
		return (-1);
	if (info.resumed && want == TLS_OK &&
	    (!info.chain_ok || strcmp(info.peer_cn, srv_specs[srv].cn) != 0))
		return (-1);
	return (info.resumed);
}

static void
test_resumption(void)
{
	struct tls_client_policy	pol = POL(TLS_VERIFY_NAME, names_mx1);
	struct tls_client_policy	other;

	if (!pki_ready) {
		tap_case_failed = 1;
		return;
	}
	tls_cache_clear();
	pol.cache_key = "mx1.contoso.com:25";
	TAP_CHECK(resumed(SRV_VALID, &pol, TLS_OK) == 0);
	TAP_CHECK(resumed(SRV_VALID, &pol, TLS_OK) == 1);
	TAP_CHECK(resumed(SRV_VALID, &pol, TLS_OK) == 1);
	/* Another key, or the same key under another policy: no. */
	other = pol;
	other.cache_key = "mx2.contoso.com:25";
	TAP_CHECK(resumed(SRV_VALID, &other, TLS_OK) == 0);
	other = POL(TLS_VERIFY_NAME, names_star_contoso);
	other.cache_key = pol.cache_key;
	TAP_CHECK(resumed(SRV_VALID, &other, TLS_OK) == 0);
	other = pol;
	other.verify = TLS_VERIFY_NONE;
	TAP_CHECK(resumed(SRV_VALID, &other, TLS_OK) == 0);
	/* No key, no cache. */
	other = pol;
	other.cache_key = NULL;
	TAP_CHECK(resumed(SRV_VALID, &other, TLS_OK) == 0);
	TAP_CHECK(resumed(SRV_VALID, &other, TLS_OK) == 0);
	/* A resumed session is still judged: the wrong name still fails. */
	other = pol;
	other.cache_key = "mail.fabrikam.com:25";
	TAP_CHECK(resumed(SRV_WRONGNAME, &other, TLS_VERIFY_FAILED) == 0);
	TAP_CHECK(resumed(SRV_WRONGNAME, &other, TLS_VERIFY_FAILED) == 1);
	tls_cache_clear();
	TAP_CHECK(resumed(SRV_VALID, &pol, TLS_OK) == 0);
	tls_cache_clear();
}

/* Several client threads at once over one context and one cache key. */
static void *
resume_thread(void *arg)
{
	struct tls_client_policy	pol = POL(TLS_VERIFY_NAME, names_mx1);
	int				i, *bad = arg;

	pol.cache_key = "mx1.contoso.com:25";
	for (i = 0; i < 8; i++) {
		if (resumed(SRV_VALID, &pol, TLS_OK) < 0)
			(*bad)++;
	}
	return (NULL);
}

static void
test_concurrent(void)
{
	pthread_t	t[8];
	int		bad[8], i;

	if (!pki_ready) {
		tap_case_failed = 1;
		return;
	}
	for (i = 0; i < 8; i++) {
		bad[i] = 0;
		pthread_create(&t[i], NULL, resume_thread, &bad[i]);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		TAP_CHECK(bad[i] == 0);
	}
	tls_cache_clear();
}

/* ------------------------------------------------------------------ */
/* The line layer. */

/* A socketpair: io over sv[0], the test writes sv[1]. */
static int
io_pair(struct io *io, int *peer, int timeout_ms)
{
	int	sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return (-1);
	io_init(io, sv[0], timeout_ms);
	*peer = sv[1];
	return (0);
}

static void
peer_write(int fd, const char *s)
{
	TAP_CHECK(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
}

static void
test_io_lines(void)
{
	struct io	io;
	struct buf	line;
	int		peer = -1;

	buf_init(&line);
	TAP_CHECK(io_pair(&io, &peer, 2000) == 0);
	peer_write(peer, "one\r\ntwo\nthree\r\r\n\r\nlast");
	TAP_CHECK(io_getline(&io, &line, 100) == IO_OK);
	TAP_STREQ(line.s, "one");
	TAP_CHECK(io_getline(&io, &line, 100) == IO_OK);
	TAP_STREQ(line.s, "two");
	TAP_CHECK(io_getline(&io, &line, 100) == IO_OK);
	TAP_STREQ(line.s, "three\r");
	TAP_CHECK(io_getline(&io, &line, 100) == IO_OK);
	TAP_CHECK(line.len == 0);
	close(peer);
	TAP_CHECK(io_getline(&io, &line, 100) == IO_EOF);
	TAP_STREQ(line.s, "last");
	TAP_CHECK(io_getline(&io, &line, 100) == IO_EOF);
	io_close(&io);
	TAP_CHECK(io.fd == -1);
	buf_free(&line);
}

static void
test_io_toolong(void)
{
	struct io	 io;
	struct buf	 line;
	char		*big;
	int		 peer = -1;

	buf_init(&line);
	TAP_CHECK(io_pair(&io, &peer, 2000) == 0);
	/* Exactly max, max + 1, then max with CRLF. */
	peer_write(peer, "0123456789\n0123456789A\r\n0123456789\r\nok\r\n");
	TAP_CHECK(io_getline(&io, &line, 10) == IO_OK);
	TAP_STREQ(line.s, "0123456789");
	TAP_CHECK(io_getline(&io, &line, 10) == IO_TOOLONG);
	TAP_CHECK(line.len == 0);
	TAP_CHECK(io_getline(&io, &line, 10) == IO_OK);
	TAP_STREQ(line.s, "0123456789");
	TAP_CHECK(io_getline(&io, &line, 10) == IO_OK);
	TAP_STREQ(line.s, "ok");
	/* A line far longer than the read buffer is consumed, not kept. */
	big = xmalloc(100001);
	memset(big, 'x', 100000);
	big[100000] = '\0';
	peer_write(peer, big);
	peer_write(peer, "\r\nnext\r\n");
	TAP_CHECK(io_getline(&io, &line, 1000) == IO_TOOLONG);
	TAP_CHECK(line.len == 0 && line.cap < 4096);
	TAP_CHECK(io_getline(&io, &line, 1000) == IO_OK);
	TAP_STREQ(line.s, "next");
	/* A long line that fits max spans several reads. */
	peer_write(peer, big);
	peer_write(peer, "\n");
	TAP_CHECK(io_getline(&io, &line, 100000) == IO_OK);
	TAP_CHECK(line.len == 100000 && strspn(line.s, "x") == 100000);
	free(big);
	close(peer);
	io_close(&io);
	buf_free(&line);
}

static void
test_io_pending(void)
{
	struct io	io;
	struct buf	line;
	int		peer = -1;

	buf_init(&line);
	TAP_CHECK(io_pair(&io, &peer, 2000) == 0);
	/* A response injected after the STARTTLS reply (CVE-2011-0411). */
	peer_write(peer, "220 2.0.0 Ready to start TLS\r\n250 injected\r\n");
	TAP_CHECK(io_getline(&io, &line, 512) == IO_OK);
	TAP_STREQ(line.s, "220 2.0.0 Ready to start TLS");
	TAP_CHECK(io_pending(&io) == strlen("250 injected\r\n"));
	io_discard(&io);
	TAP_CHECK(io_pending(&io) == 0);
	/* A clean reply leaves nothing pending. */
	peer_write(peer, "220 2.0.0 Ready to start TLS\r\n");
	TAP_CHECK(io_getline(&io, &line, 512) == IO_OK);
	TAP_CHECK(io_pending(&io) == 0);
	close(peer);
	io_close(&io);
	buf_free(&line);
}

static void
test_io_timeout(void)
{
	struct io	io;
	struct buf	line;
	int64_t		t0;
	int		peer = -1;

	buf_init(&line);
	TAP_CHECK(io_pair(&io, &peer, 200) == 0);
	peer_write(peer, "partial");
	t0 = io_now_ms();
	TAP_CHECK(io_getline(&io, &line, 512) == IO_TIMEOUT);
	TAP_CHECK(io_now_ms() - t0 >= 150 && io_now_ms() - t0 < 1500);
	close(peer);
	/* Writing to a closed peer fails without SIGPIPE. */
	TAP_CHECK(io_write(&io, "x\r\n", 3) == IO_ERROR);
	io_close(&io);
	buf_free(&line);
}

static void
test_io_trace(void)
{
	struct io	io;
	struct buf	line, trace;
	char		got[256];
	ssize_t		n;
	int		peer = -1;

	buf_init(&line);
	buf_init(&trace);
	TAP_CHECK(io_pair(&io, &peer, 2000) == 0);
	io.trace = &trace;
	TAP_CHECK(io_printf(&io, "EHLO %s\r\nMAIL FROM:<a@b>\r\n",
	    "hub.contoso.com") == IO_OK);
	TAP_CHECK(io_write_secret(&io, "AUTH PLAIN c2VjcmV0\r\n", 21) ==
	    IO_OK);
	n = read(peer, got, sizeof got - 1);
	TAP_CHECK(n == 60);
	got[n > 0 ? n : 0] = '\0';
	TAP_CHECK(strstr(got, "AUTH PLAIN c2VjcmV0\r\n") != NULL);
	peer_write(peer, "250 ok\x1b[2J\r\n");
	TAP_CHECK(io_getline(&io, &line, 512) == IO_OK);
	peer_write(peer, "0123456789A\r\n");
	TAP_CHECK(io_getline(&io, &line, 10) == IO_TOOLONG);
	TAP_STREQ(trace.s, "> EHLO hub.contoso.com\n> MAIL FROM:<a@b>\n"
	    "> ****\n< 250 ok?[2J\n< [line longer than 10 bytes discarded]\n");
	TAP_CHECK(strstr(trace.s, "c2VjcmV0") == NULL);
	close(peer);
	io_close(&io);
	buf_free(&line);
	buf_free(&trace);
}

static void
test_io_connect(void)
{
	struct sockaddr_in	sin, src;
	socklen_t		len = sizeof sin;
	char			*cause = NULL;
	int			lfd, fd, v = 0;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	TAP_CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&sin,
	    sizeof sin) == 0 && listen(lfd, 4) == 0);
	TAP_CHECK(getsockname(lfd, (struct sockaddr *)&sin, &len) == 0);
	src = sin;
	src.sin_port = 0;
	fd = io_connect((struct sockaddr *)&sin, sizeof sin,
	    (struct sockaddr *)&src, sizeof src, 2000, &cause);
	TAP_CHECK(fd >= 0);
	if (fd >= 0) {
		TAP_CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		len = sizeof v;
		TAP_CHECK(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v,
		    &len) == 0 && v != 0);
		close(fd);
	}
	close(lfd);
	/* Nothing listens there any more. */
	fd = io_connect((struct sockaddr *)&sin, sizeof sin, NULL, 0, 2000,
	    &cause);
	TAP_CHECK(fd == -1 && cause != NULL &&
	    strstr(cause, "127.0.0.1:") != NULL &&
	    strstr(cause, "refused") != NULL);
	printf("# %s\n", cause != NULL ? cause : "(null)");
	free(cause);
}

/* io_getline over TLS, with bytes pending after the first line. */
static void
test_io_tls(void)
{
	struct tls_client_policy	 pol = POL(TLS_VERIFY_NAME, names_mx1);
	struct tls_info			 info;
	struct peer			 p;
	struct io			 io;
	struct buf			 line;
	pthread_t			 t;
	int				 sv[2];

	if (!pki_ready || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
		tap_case_failed = 1;
		return;
	}
	memset(&p, 0, sizeof p);
	p.ctx = server_ctx[SRV_VALID];
	p.fd = sv[1];
	p.greeting = "220 one\r\n250 two\r\n";
	pthread_create(&t, NULL, peer_main, &p);
	io_init(&io, sv[0], 5000);
	buf_init(&line);
	TAP_CHECK(tls_client_start(client_ctx, sv[0], &pol, 5000, &io.tls,
	    &info) == TLS_OK);
	TAP_CHECK(io_getline(&io, &line, 512) == IO_OK);
	TAP_STREQ(line.s, "220 one");
	TAP_CHECK(io_pending(&io) == strlen("250 two\r\n"));
	TAP_CHECK(io_getline(&io, &line, 512) == IO_OK);
	TAP_STREQ(line.s, "250 two");
	TAP_CHECK(io_write(&io, "QUIT\r\n", 6) == IO_OK);
	io_close(&io);
	pthread_join(t, NULL);
	TAP_CHECK(p.ok);
	buf_free(&line);
}

/*
 * Run this program again with OpenSSL capped at TLS 1.2 (session IDs
 * and shared cache entries instead of single-use tickets); its TAP
 * output becomes comments here.
 */
static void
test_tls12(void)
{
	static const char conf[] = "openssl_conf = init\n[init]\n"
	    "ssl_conf = ssl\n[ssl]\nsystem_default = sys\n[sys]\n"
	    "MaxProtocol = TLSv1.2\n";
	char	 path[256], line[512], self[512], *cmd;
	FILE	*f;
	ssize_t	 n;
	int	 status;

	n = readlink("/proc/self/exe", self, sizeof self - 1);
	TAP_CHECK(n > 0);
	if (n <= 0)
		return;
	self[n] = '\0';
	snprintf(path, sizeof path, "%s/tls12.cnf", pki_dir);
	TAP_CHECK((f = fopen(path, "w")) != NULL);
	if (f == NULL)
		return;
	fputs(conf, f);
	fclose(f);
	setenv("OPENSSL_CONF", path, 1);
	cmd = xprintf("exec '%s' --tls12 2>&1", self);
	f = popen(cmd, "r");
	free(cmd);
	unsetenv("OPENSSL_CONF");
	TAP_CHECK(f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL)
		printf("#   %s", line);
	status = pclose(f);
	TAP_CHECK(status == 0);
	unlink(path);
}

static const struct tap_case tls12_cases[] = {
	{ "a CA and server certificates made at test time", test_pki },
	{ "valid certificate at every level, names and wildcards",
	    test_valid },
	{ "expired, not yet valid, self-signed, wrong name, wrong EKU",
	    test_invalid },
	{ "session resumption by cache key and policy", test_resumption },
	{ "concurrent clients share the cache", test_concurrent },
	{ "io over TLS", test_io_tls },
};

static const struct tap_case cases[] = {
	{ "tls_name_match: Exchange's certificate name rule", test_name_match },
	{ "a CA and server certificates made at test time", test_pki },
	{ "context errors carry a cause", test_ctx_errors },
	{ "valid certificate at every level, names and wildcards",
	    test_valid },
	{ "expired, not yet valid, self-signed, wrong name, wrong EKU",
	    test_invalid },
	{ "the subject CN is a certificate name", test_cn_only },
	{ "handshake failure and handshake timeout", test_handshake_failures },
	{ "session resumption by cache key and policy", test_resumption },
	{ "concurrent clients share the cache", test_concurrent },
	{ "io_getline: CRLF, LF, EOF", test_io_lines },
	{ "io_getline: long lines are consumed and reported",
	    test_io_toolong },
	{ "io_pending sees bytes after a reply; io_discard drops them",
	    test_io_pending },
	{ "io timeouts and closed peers", test_io_timeout },
	{ "io trace, with secrets masked", test_io_trace },
	{ "io_connect: bind, connect, refused", test_io_connect },
	{ "io over TLS", test_io_tls },
	{ "TLS 1.2: the TLS cases again in a child process", test_tls12 },
};

/* Remove the temporary PKI. */
static void
pki_cleanup(void)
{
	char	path[256];
	int	i;

	for (i = 0; i < SRV_COUNT; i++) {
		tls_ctx_free(server_ctx[i]);
		snprintf(path, sizeof path, "%s/%s.crt", pki_dir,
		    srv_specs[i].file);
		unlink(path);
		snprintf(path, sizeof path, "%s/%s.key", pki_dir,
		    srv_specs[i].file);
		unlink(path);
	}
	tls_ctx_free(client_ctx);
	tls_cache_clear();
	snprintf(path, sizeof path, "%s/ca.crt", pki_dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/ca.key", pki_dir);
	unlink(path);
	rmdir(pki_dir);
}

int
main(int argc, char **argv)
{
	int	rc;

	/* OpenSSL writes sockets with write(2): a closed peer is EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "--tls12") == 0) {
		tls12_mode = 1;
		rc = tap_run(tls12_cases,
		    sizeof tls12_cases / sizeof tls12_cases[0]);
	} else
		rc = tap_run(cases, sizeof cases / sizeof cases[0]);
	pki_cleanup();
	return (rc);
}
