/*
 * tls.c - the OpenSSL layer of hubd: contexts, handshakes with a
 * deadline, the checks of one host's struct tls_client_policy (protocol
 * floor, chain, names), Exchange's name rule, session cache, and the
 * peer's certificate described for Test-SendConnector.
 *
 * The only file of the project that includes <openssl/ssl.h>.  Contexts
 * are shared by every thread; a tls_conn belongs to one thread at a time.
 * A connection keeps its fd non-blocking and waits with poll, so every
 * operation is bounded by its caller's timeout.
 *
 * The client handshakes with SSL_VERIFY_NONE, so opportunistic TLS and
 * EncryptionOnly work with any certificate, and judges the peer only
 * afterwards (chain verdict kept by OpenSSL, names matched here), before
 * the caller sends a single SMTP command over the session.  What the
 * connector requires, and what to do with a host that falls short, are
 * not decided here but in tls_policy.c, from the facts reported in
 * struct tls_info (the protocol as a number, the chain, the names).
 * TLS_PROTO_FLOOR is the one TLS 1.2 floor, set here in OpenSSL.
 *
 * DANE (RFC 7672): given a host's TLSA records, OpenSSL's DANE support
 * checks the chain against them (DANE-TA(2) and DANE-EE(3) only; PKIX-TA
 * and PKIX-EE are unusable for SMTP), with the TLSA base domain and the
 * next-hop domain as the reference names of a DANE-TA match and no name
 * check for DANE-EE.  OpenSSL's verdict is then DANE's, so the chain is
 * also verified against the trust store on its own (tls_pkix_verify):
 * a connector that validates certificates keeps its demand under DANE.
 *
 * Invariants:
 *	- The only process-wide mutable state is the client session cache,
 *	  guarded by tls_cache_lock.
 *	- A cached session is found only under a key holding the caller's
 *	  key, the context's identity and the whole policy, so a session
 *	  never crosses trust stores or policies.
 *	- Nothing here logs, and no key material reaches struct tls_info.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "xmalloc.h"
#include "transport.h"

#define TLS_CACHE_SLOTS		1024		/* direct-mapped */
#define TLS_CACHE_LIFETIME_MS	(3600 * 1000)	/* one hour */
#define TLS_SHUTDOWN_MS		1000		/* close_notify budget */
#define TLS_NAME_MAX		255		/* longest DNS name + NUL */
#define TLS_CHAIN_MAX		10		/* certificates described */
#define TLS_PEER_NAMES_MAX	100		/* leaf names described */

struct tls_ctx {
	SSL_CTX		*ssl;
	uint64_t	 id;		/* trust store identity, in cache keys */
};

struct tls_conn {
	SSL		*ssl;
	int		 fd;
	int		 fdflags;	/* fcntl flags to restore */
	bool		 fatal;		/* no close_notify after this */
	int		 sslerr;	/* SSL_get_error of the failure */
	int		 syserr;	/* errno of the failure */
	char		*cache_key;	/* full cache key, or NULL */
	long		 pkix;		/* the chain against the trust store */
};

/* One cached client session. */
struct tls_cache_slot {
	char		*key;
	SSL_SESSION	*sess;
	int64_t		 added;		/* io_now_ms() */
};

/* What tls_step decided after an OpenSSL call did not complete. */
enum tls_step {
	TLS_STEP_AGAIN,
	TLS_STEP_EOF,
	TLS_STEP_TIMEOUT,
	TLS_STEP_ERROR
};

/* A name split for matching: base is the name without "*.". */
struct tls_name {
	const char	*base;
	size_t		 len;
	bool		 wild;
};

static pthread_mutex_t		tls_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tls_cache_slot	tls_cache[TLS_CACHE_SLOTS];
static uint64_t			tls_ctx_next_id;

static void	 tls_errstr(char *, size_t);
static SSL_CTX	*tls_ctx_new(const SSL_METHOD *, char **);
static struct tls_ctx *tls_ctx_wrap(SSL_CTX *);
static struct tls_conn *tls_conn_new(struct tls_ctx *, int, char *, size_t);
static enum tls_step tls_step(struct tls_conn *, int, int64_t);
static void	 tls_reason(struct tls_conn *, enum tls_step, char *, size_t);
static int	 tls_handshake(struct tls_conn *, int64_t, char *, size_t);
static void	 tls_fill_info(struct tls_conn *, struct tls_info *);
static int	 tls_client_setup(struct tls_conn *, struct tls_ctx *,
		    const struct tls_client_policy *, struct tls_info *);
static enum tls_result tls_client_verify(struct tls_conn *,
		    const struct tls_client_policy *, struct tls_info *);
static void	 tls_name_detail(const struct tls_client_policy *,
		    struct tls_info *);
static int	 tls_dane_setup(struct tls_conn *,
		    const struct tls_client_policy *, struct tls_info *);
static long	 tls_pkix_verify(struct tls_conn *);
static int	 tls_cert_cn(X509 *, char *, size_t);
static bool	 tls_dnslike(const char *);
static int	 tls_any_match(const char *const *, size_t, const char *);
static int	 tls_cert_match(X509 *, const char *const *, size_t);
static bool	 tls_cert_matches(X509 *, const struct tls_client_policy *);
static void	 tls_printable(char *);
static char	*tls_name_text(X509_NAME *);
static int64_t	 tls_time_ms(const ASN1_TIME *);
static void	 tls_leaf_names(X509 *, struct tls_peer *);
static void	 tls_digest_hex(X509 *, const EVP_MD *, bool, char *, size_t);
static bool	 tls_name_split(const char *, struct tls_name *);
static bool	 tls_name_eq(const char *, size_t, const char *, size_t);
static bool	 tls_one_label_under(const struct tls_name *,
		    const struct tls_name *);
static char	*tls_cache_key(struct tls_ctx *,
		    const struct tls_client_policy *);
static size_t	 tls_cache_hash(const char *);
static SSL_SESSION *tls_cache_get(const char *);
static void	 tls_cache_put(const char *, SSL_SESSION *);
static int	 tls_new_session_cb(SSL *, SSL_SESSION *);

/*
 * The reason of this thread's OpenSSL errors, then clear them: a system
 * error (a file that cannot be opened) if any, else the last reason.
 */
static void
tls_errstr(char *out, size_t outlen)
{
	unsigned long	 e, sys = 0, last = 0;
	const char	*r = NULL;

	while ((e = ERR_get_error()) != 0) {
		if (ERR_SYSTEM_ERROR(e) && sys == 0)
			sys = e;
		last = e;
	}
	if (sys != 0)
		r = strerror(ERR_GET_REASON(sys));
	else if (last != 0)
		r = ERR_reason_error_string(last);
	snprintf(out, outlen, "%s", r != NULL ? r : "unknown error");
}

/* A context with the options every hubd context shares. */
static SSL_CTX *
tls_ctx_new(const SSL_METHOD *method, char **cause)
{
	SSL_CTX	*ssl;
	char	 err[128];

	if ((ssl = SSL_CTX_new(method)) == NULL) {
		tls_errstr(err, sizeof err);
		xasprintf(cause, "cannot create a TLS context: %s", err);
		return (NULL);
	}
	/*
	 * Renegotiation only adds attack surface to SMTP.  A missing
	 * close_notify is a plain EOF: SMTP frames its own data (QUIT, the
	 * final dot), so a truncation cannot pass for a complete message,
	 * and many MTAs drop the TCP connection after 221 without one.
	 */
	SSL_CTX_set_options(ssl, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	return (ssl);
}

/* Wrap an SSL_CTX with a process-unique id. */
static struct tls_ctx *
tls_ctx_wrap(SSL_CTX *ssl)
{
	struct tls_ctx	*ctx;

	ctx = xcalloc(1, sizeof *ctx);
	ctx->ssl = ssl;
	pthread_mutex_lock(&tls_cache_lock);
	ctx->id = ++tls_ctx_next_id;
	pthread_mutex_unlock(&tls_cache_lock);
	return (ctx);
}

int
tls_client_ctx_create(struct tls_ctx **ctxp, const char *ca_file,
    char **cause)
{
	SSL_CTX	*ssl;
	char	 err[128];
	int	 ok;

	*ctxp = NULL;
	if ((ssl = tls_ctx_new(TLS_client_method(), cause)) == NULL)
		return (-1);
	if (ca_file != NULL)
		ok = SSL_CTX_load_verify_file(ssl, ca_file);
	else
		ok = SSL_CTX_set_default_verify_paths(ssl);
	if (ok != 1) {
		tls_errstr(err, sizeof err);
		xasprintf(cause, "cannot load the trust store %s: %s",
		    ca_file != NULL ? ca_file : "(system default)", err);
		SSL_CTX_free(ssl);
		return (-1);
	}
	/*
	 * The handshake never fails on the certificate: opportunistic TLS
	 * and EncryptionOnly accept any.  OpenSSL still verifies the chain
	 * and keeps the verdict, which tls_client_verify judges by policy.
	 * The chain must be fit for a TLS server (server-auth EKU), as
	 * Exchange's CertificateValidation requires.
	 */
	SSL_CTX_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	X509_VERIFY_PARAM_set_purpose(SSL_CTX_get0_param(ssl),
	    X509_PURPOSE_SSL_SERVER);
	if (SSL_CTX_dane_enable(ssl) <= 0) {
		tls_errstr(err, sizeof err);
		xasprintf(cause, "cannot enable DANE: %s", err);
		SSL_CTX_free(ssl);
		return (-1);
	}
	/* Sessions (TLS 1.3 tickets arrive late) go to our cache only. */
	SSL_CTX_set_session_cache_mode(ssl, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ssl, tls_new_session_cb);
	*ctxp = tls_ctx_wrap(ssl);
	return (0);
}

int
tls_server_ctx_create(struct tls_ctx **ctxp, const char *cert,
    const char *key, char **cause)
{
	static const unsigned char	 sid[] = "hubd";
	SSL_CTX				*ssl;
	char				 err[128];

	*ctxp = NULL;
	if ((ssl = tls_ctx_new(TLS_server_method(), cause)) == NULL)
		return (-1);
	/* Nothing older than TLS 1.2 protects mail we accept. */
	if (SSL_CTX_set_min_proto_version(ssl, TLS_PROTO_FLOOR) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ssl, cert) != 1) {
		tls_errstr(err, sizeof err);
		xasprintf(cause, "cannot load the certificate %s: %s", cert,
		    err);
		SSL_CTX_free(ssl);
		return (-1);
	}
	if (SSL_CTX_use_PrivateKey_file(ssl, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ssl) != 1) {
		tls_errstr(err, sizeof err);
		xasprintf(cause, "cannot load the key %s: %s", key, err);
		SSL_CTX_free(ssl);
		return (-1);
	}
	SSL_CTX_set_options(ssl, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_id_context(ssl, sid, sizeof sid - 1);
	*ctxp = tls_ctx_wrap(ssl);
	return (0);
}

/*
 * The control channel's server context: the server's certificate, TLS
 * 1.2 or newer, and a client certificate required and verified against
 * ca_file (the CA of the admins' certificates).  A client without one,
 * or with one ca_file did not sign, fails the handshake.
 */
int
tls_control_ctx_create(struct tls_ctx **ctxp, const char *cert,
    const char *key, const char *ca_file, char **cause)
{
	static const unsigned char	 sid[] = "hubd-control";
	STACK_OF(X509_NAME)		*names;
	SSL_CTX				*ssl;
	char				 err[128];

	*ctxp = NULL;
	if (tls_server_ctx_create(ctxp, cert, key, cause) != 0)
		return (-1);
	ssl = (*ctxp)->ssl;
	if (SSL_CTX_load_verify_file(ssl, ca_file) != 1 ||
	    (names = SSL_load_client_CA_file(ca_file)) == NULL) {
		tls_errstr(err, sizeof err);
		xasprintf(cause, "cannot load the control CA %s: %s", ca_file,
		    err);
		tls_ctx_free(*ctxp);
		*ctxp = NULL;
		return (-1);
	}
	SSL_CTX_set_client_CA_list(ssl, names);
	SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	X509_VERIFY_PARAM_set_purpose(SSL_CTX_get0_param(ssl),
	    X509_PURPOSE_SSL_CLIENT);
	/* No resumption: every connection shows its certificate. */
	SSL_CTX_set_session_cache_mode(ssl, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ssl, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ssl, 0);
	SSL_CTX_set_session_id_context(ssl, sid, sizeof sid - 1);
	return (0);
}

void
tls_ctx_free(struct tls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}

/* A connection object over fd, made non-blocking; NULL with err set. */
static struct tls_conn *
tls_conn_new(struct tls_ctx *ctx, int fd, char *err, size_t errlen)
{
	struct tls_conn	*c;
	int		 flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return (NULL);
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->fdflags = flags;
	if ((c->ssl = SSL_new(ctx->ssl)) == NULL ||
	    SSL_set_fd(c->ssl, fd) != 1) {
		tls_errstr(err, errlen);
		c->fatal = true;
		tls_conn_free(c);
		return (NULL);
	}
	SSL_set_app_data(c->ssl, c);
	return (c);
}

/* After an OpenSSL call returned r: wait for what it wants, or stop. */
static enum tls_step
tls_step(struct tls_conn *c, int r, int64_t deadline)
{
	struct pollfd	pfd;
	int		n;

	c->sslerr = SSL_get_error(c->ssl, r);
	c->syserr = errno;
	pfd.fd = c->fd;
	pfd.revents = 0;
	switch (c->sslerr) {
	case SSL_ERROR_WANT_READ:
		pfd.events = POLLIN;
		break;
	case SSL_ERROR_WANT_WRITE:
		pfd.events = POLLOUT;
		break;
	case SSL_ERROR_ZERO_RETURN:
		return (TLS_STEP_EOF);
	default:
		c->fatal = true;
		return (TLS_STEP_ERROR);
	}
	for (;;) {
		n = poll(&pfd, 1, io_remaining(deadline));
		if (n > 0)
			return (TLS_STEP_AGAIN);
		if (n == 0)
			return (TLS_STEP_TIMEOUT);
		if (errno != EINTR) {
			c->syserr = errno;
			c->fatal = true;
			return (TLS_STEP_ERROR);
		}
	}
}

/* A readable reason for a failed step. */
static void
tls_reason(struct tls_conn *c, enum tls_step st, char *out, size_t outlen)
{
	if (st == TLS_STEP_TIMEOUT)
		snprintf(out, outlen, "timed out");
	else if (st == TLS_STEP_EOF)
		snprintf(out, outlen, "connection closed by peer");
	else if (c->sslerr == SSL_ERROR_SYSCALL &&
	    ERR_peek_last_error() == 0)
		snprintf(out, outlen, "%s", c->syserr != 0 ?
		    strerror(c->syserr) : "connection closed by peer");
	else
		tls_errstr(out, outlen);
	ERR_clear_error();
}

/* Run the handshake (state already set) until done or the deadline. */
static int
tls_handshake(struct tls_conn *c, int64_t deadline, char *err,
    size_t errlen)
{
	enum tls_step	st;
	int		r;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		if ((r = SSL_do_handshake(c->ssl)) == 1)
			return (0);
		if ((st = tls_step(c, r, deadline)) == TLS_STEP_AGAIN)
			continue;
		tls_reason(c, st, err, errlen);
		c->fatal = true;
		return (-1);
	}
}

/* Version, cipher, resumption and peer CN of an established session. */
static void
tls_fill_info(struct tls_conn *c, struct tls_info *info)
{
	X509	*cert;
	char	*p;

	info->proto = SSL_version(c->ssl);
	snprintf(info->version, sizeof info->version, "%s",
	    SSL_get_version(c->ssl));
	snprintf(info->cipher, sizeof info->cipher, "%s",
	    SSL_CIPHER_get_name(SSL_get_current_cipher(c->ssl)));
	info->resumed = SSL_session_reused(c->ssl) == 1;
	if ((cert = SSL_get0_peer_certificate(c->ssl)) == NULL ||
	    tls_cert_cn(cert, info->peer_cn, sizeof info->peer_cn) != 0)
		return;
	/* The CN comes from the peer and goes to logs: printable ASCII. */
	for (p = info->peer_cn; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	}
}

enum tls_result
tls_client_start(struct tls_ctx *ctx, int fd,
    const struct tls_client_policy *pol, int timeout_ms,
    struct tls_conn **connp, struct tls_info *info)
{
	struct tls_conn	*c;
	int64_t		 deadline = io_deadline(timeout_ms);

	*connp = NULL;
	memset(info, 0, sizeof *info);
	c = tls_conn_new(ctx, fd, info->detail, sizeof info->detail);
	if (c == NULL)
		return (TLS_HANDSHAKE_FAILED);
	if (tls_client_setup(c, ctx, pol, info) != 0 ||
	    tls_handshake(c, deadline, info->detail,
	    sizeof info->detail) != 0) {
		tls_conn_free(c);
		return (TLS_HANDSHAKE_FAILED);
	}
	tls_fill_info(c, info);
	*connp = c;
	return (tls_client_verify(c, pol, info));
}

/* Protocol floor, SNI and a cached session for a client connection. */
static int
tls_client_setup(struct tls_conn *c, struct tls_ctx *ctx,
    const struct tls_client_policy *pol, struct tls_info *info)
{
	struct in6_addr	 a6;
	SSL_SESSION	*sess;

	SSL_set_connect_state(c->ssl);
	/* When TLS is required, a downgrade below TLS 1.2 must fail. */
	if (pol->required &&
	    SSL_set_min_proto_version(c->ssl, TLS_PROTO_FLOOR) != 1) {
		tls_errstr(info->detail, sizeof info->detail);
		return (-1);
	}
	/* RFC 6066: SNI carries host names, never address literals. */
	if (pol->sni != NULL && *pol->sni != '\0' &&
	    inet_pton(AF_INET, pol->sni, &a6) != 1 &&
	    inet_pton(AF_INET6, pol->sni, &a6) != 1 &&
	    SSL_set_tlsext_host_name(c->ssl, pol->sni) != 1) {
		tls_errstr(info->detail, sizeof info->detail);
		return (-1);
	}
	if (pol->tlsa != NULL && pol->tlsa->n > 0 &&
	    tls_dane_setup(c, pol, info) != 0)
		return (-1);
	if (pol->cache_key == NULL)
		return (0);
	c->cache_key = tls_cache_key(ctx, pol);
	if ((sess = tls_cache_get(c->cache_key)) != NULL) {
		SSL_set_session(c->ssl, sess);
		SSL_SESSION_free(sess);
	}
	return (0);
}

/*
 * DANE for this connection: the base domain (the primary reference name,
 * and SNI unless one is set), the next-hop domain as another, and each
 * record OpenSSL can use; info->dane_usable counts those.  With none
 * usable OpenSSL verifies as without DANE, and the policy decides what
 * an unusable set means.
 */
static int
tls_dane_setup(struct tls_conn *c, const struct tls_client_policy *pol,
    struct tls_info *info)
{
	const struct tlsa_rr	*t;
	size_t			 i;
	int			 r;

	info->dane = true;
	if (SSL_dane_enable(c->ssl, pol->dane_base) <= 0 ||
	    (pol->dane_name != NULL && *pol->dane_name != '\0' &&
	    SSL_add1_host(c->ssl, pol->dane_name) != 1)) {
		tls_errstr(info->detail, sizeof info->detail);
		return (-1);
	}
	/* RFC 7672 3.1.1: a DANE-EE match binds the key, not a name. */
	SSL_dane_set_flags(c->ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	for (i = 0; i < pol->tlsa->n; i++) {
		t = &pol->tlsa->v[i];
		/* RFC 7672 3.1.3: PKIX-TA(0) and PKIX-EE(1) are unusable. */
		if (t->usage != 2 && t->usage != 3)
			continue;
		r = SSL_dane_tlsa_add(c->ssl, t->usage, t->selector, t->mtype,
		    t->data, t->len);
		if (r < 0) {
			tls_errstr(info->detail, sizeof info->detail);
			return (-1);
		}
		if (r > 0)
			info->dane_usable++;
	}
	ERR_clear_error();
	return (0);
}

/*
 * The peer's chain against the trust store alone, as without DANE; the
 * verify result when DANE is not in force (OpenSSL's is then PKIX's).
 */
static long
tls_pkix_verify(struct tls_conn *c)
{
	X509_STORE_CTX	*sctx;
	SSL_CTX		*ctx = SSL_get_SSL_CTX(c->ssl);
	X509		*leaf = SSL_get0_peer_certificate(c->ssl);
	long		 vr = X509_V_ERR_UNSPECIFIED;

	if (leaf == NULL || (sctx = X509_STORE_CTX_new()) == NULL)
		return (vr);
	if (X509_STORE_CTX_init(sctx, SSL_CTX_get_cert_store(ctx), leaf,
	    SSL_get_peer_cert_chain(c->ssl)) == 1 &&
	    X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(sctx),
	    SSL_CTX_get0_param(ctx)) == 1) {
		vr = X509_verify_cert(sctx) == 1 ? X509_V_OK :
		    X509_STORE_CTX_get_error(sctx);
	}
	X509_STORE_CTX_free(sctx);
	ERR_clear_error();
	return (vr);
}

/*
 * Judge the established session by policy.  chain_ok and name_ok are
 * always computed for the logs; detail names the first failed check.
 * A resumed session answers with the certificate and verdict of the
 * handshake that created it (its cache key holds the TLSA records).
 */
static enum tls_result
tls_client_verify(struct tls_conn *c, const struct tls_client_policy *pol,
    struct tls_info *info)
{
	X509		*cert;
	long		 vr;
	uint8_t		 u = 0, sel = 0, mt = 0;
	bool		 dane = info->dane_usable > 0;

	cert = SSL_get0_peer_certificate(c->ssl);
	vr = SSL_get_verify_result(c->ssl);
	c->pkix = dane ? tls_pkix_verify(c) : vr;
	if (dane) {
		info->dane_ok = cert != NULL && vr == X509_V_OK;
		info->dane_name_failed = vr == X509_V_ERR_HOSTNAME_MISMATCH;
		info->dane_depth = SSL_get0_dane_tlsa(c->ssl, &u, &sel, &mt,
		    NULL, NULL);
		if (info->dane_depth >= 0)
			snprintf(info->dane_match, sizeof info->dane_match,
			    "%u %u %u", u, sel, mt);
	}
	info->chain_ok = cert != NULL && c->pkix == X509_V_OK;
	/* RFC 8461 4.1: the MX host among the SAN dNSNames, RFC 6125's way. */
	info->sts_name_ok = cert != NULL && pol->sts_name != NULL &&
	    X509_check_host(cert, pol->sts_name, 0,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
	    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1;
	info->expired = cert != NULL &&
	    c->pkix == X509_V_ERR_CERT_HAS_EXPIRED;
	info->name_ok = cert != NULL && tls_cert_matches(cert, pol);
	if (cert == NULL)
		snprintf(info->detail, sizeof info->detail,
		    "no peer certificate");
	else if (dane && !info->dane_ok)
		snprintf(info->detail, sizeof info->detail, "%s",
		    X509_verify_cert_error_string(vr));
	else if (!info->chain_ok)
		snprintf(info->detail, sizeof info->detail, "%s",
		    X509_verify_cert_error_string(c->pkix));
	else if (!info->name_ok &&
	    (pol->nnames > 0 || pol->verify == TLS_VERIFY_NAME))
		tls_name_detail(pol, info);

	if (dane && !info->dane_ok)
		return (TLS_VERIFY_FAILED);
	if (pol->verify == TLS_VERIFY_NONE)
		return (TLS_OK);
	if (!info->chain_ok ||
	    (pol->verify == TLS_VERIFY_NAME && !info->name_ok))
		return (TLS_VERIFY_FAILED);
	return (TLS_OK);
}

/* "no certificate name matches a, b" (truncated to fit). */
static void
tls_name_detail(const struct tls_client_policy *pol, struct tls_info *info)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	if (pol->nnames == 0)
		buf_adds(&b, "no name to match the certificate against");
	else
		buf_adds(&b, "no certificate name matches ");
	for (i = 0; i < pol->nnames; i++)
		buf_addf(&b, "%s%s", i > 0 ? ", " : "", pol->names[i]);
	snprintf(info->detail, sizeof info->detail, "%s", b.s);
	buf_free(&b);
}

/* The most specific subject CN as UTF-8; -1 if none or unusable. */
static int
tls_cert_cn(X509 *cert, char *out, size_t outlen)
{
	X509_NAME	*subj = X509_get_subject_name(cert);
	unsigned char	*utf8;
	int		 i, last = -1, len;

	if (subj == NULL)
		return (-1);
	for (i = -1; (i = X509_NAME_get_index_by_NID(subj, NID_commonName,
	    i)) >= 0;)
		last = i;
	if (last < 0)
		return (-1);
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(subj, last)));
	if (len < 0)
		return (-1);
	/* An embedded NUL would let "a.com\0.evil" pass for "a.com". */
	if ((size_t)len >= outlen || memchr(utf8, '\0', len) != NULL) {
		OPENSSL_free(utf8);
		return (-1);
	}
	memcpy(out, utf8, len);
	out[len] = '\0';
	OPENSSL_free(utf8);
	return (0);
}

/*
 * Is a CN a DNS name: letters, digits, '-', '_' and dots, after an
 * optional "*." ("Contoso Mail" is not)?  tls_name_match checks labels.
 */
static bool
tls_dnslike(const char *s)
{
	if (s[0] == '*' && s[1] == '.')
		s += 2;
	if (*s == '\0')
		return (false);
	for (; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		    *s == '.'))
			return (false);
	}
	return (true);
}

/* The index of the first pattern matching certname, or -1. */
static int
tls_any_match(const char *const *patterns, size_t n, const char *certname)
{
	size_t	i;

	for (i = 0; i < n && i < INT_MAX; i++) {
		if (tls_name_match(patterns[i], certname))
			return ((int)i);
	}
	return (-1);
}

/*
 * The index of the first pattern that one of the certificate's names
 * (subject CN when DNS-like, and every SAN dNSName: Exchange considers
 * the CN even when SANs exist) matches, or -1.
 */
static int
tls_cert_match(X509 *cert, const char *const *patterns, size_t n)
{
	GENERAL_NAMES		*sans;
	const GENERAL_NAME	*gn;
	char			 name[TLS_NAME_MAX];
	int			 i, len, found = -1;

	if (n == 0)
		return (-1);
	if (tls_cert_cn(cert, name, sizeof name) == 0 && tls_dnslike(name) &&
	    (found = tls_any_match(patterns, n, name)) >= 0)
		return (found);
	sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (i = 0; found < 0 && i < sk_GENERAL_NAME_num(sans); i++) {
		gn = sk_GENERAL_NAME_value(sans, i);
		if (gn->type != GEN_DNS)
			continue;
		len = ASN1_STRING_length(gn->d.dNSName);
		/* Embedded NULs would truncate the name: never match. */
		if (len <= 0 || (size_t)len >= sizeof name || memchr(
		    ASN1_STRING_get0_data(gn->d.dNSName), '\0', len) != NULL)
			continue;
		memcpy(name, ASN1_STRING_get0_data(gn->d.dNSName), len);
		name[len] = '\0';
		found = tls_any_match(patterns, n, name);
	}
	GENERAL_NAMES_free(sans);
	return (found);
}

/* Does the certificate match one of the policy's names? */
static bool
tls_cert_matches(X509 *cert, const struct tls_client_policy *pol)
{
	return (tls_cert_match(cert, pol->names, pol->nnames) >= 0);
}

/*
 * Split a name for matching: a trailing dot ignored, "*." noted.  False
 * for an empty name, an empty label, or a '*' anywhere but as the whole
 * first label: partial wildcards ("w*.x") never match anything.
 */
static bool
tls_name_split(const char *s, struct tls_name *n)
{
	size_t	len = strlen(s), i, label = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	n->wild = len > 2 && s[0] == '*' && s[1] == '.';
	n->base = n->wild ? s + 2 : s;
	n->len = n->wild ? len - 2 : len;
	for (i = 0; i < n->len; i++) {
		if (n->base[i] == '.') {
			if (label == 0)
				return (false);
			label = 0;
		} else if (n->base[i] == '*')
			return (false);
		else
			label++;
	}
	return (label > 0);
}

/* ASCII case-insensitive equality of two counted strings. */
static bool
tls_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		i;
	unsigned char	x, y;

	if (alen != blen)
		return (false);
	for (i = 0; i < alen; i++) {
		x = (unsigned char)a[i];
		y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return (false);
	}
	return (true);
}

/* Is name (plain) exactly one label below the wildcard's base? */
static bool
tls_one_label_under(const struct tls_name *name, const struct tls_name *wc)
{
	const char	*dot;

	dot = memchr(name->base, '.', name->len);
	if (dot == NULL)
		return (false);
	dot++;
	return (tls_name_eq(dot, name->len - (dot - name->base), wc->base,
	    wc->len));
}

bool
tls_name_match(const char *pattern, const char *certname)
{
	struct tls_name	p, c;

	if (!tls_name_split(pattern, &p) || !tls_name_split(certname, &c))
		return (false);
	/*
	 * The exact test compares the names with any "*." dropped, as
	 * Exchange does: pattern x matches cert *.x, pattern *.x matches
	 * cert x, and two wildcards only match as equal strings.
	 */
	if (tls_name_eq(p.base, p.len, c.base, c.len))
		return (true);
	/* A wildcard, on either side, covers exactly one label. */
	if (p.wild == c.wild)
		return (false);
	if (c.wild)
		return (tls_one_label_under(&p, &c));
	return (tls_one_label_under(&c, &p));
}

/* ------------------------------------------------------------------ */
/* The peer described, for Test-SendConnector. */

void
tls_conn_peer(struct tls_conn *c, const char *const *patterns,
    size_t npatterns, struct tls_peer *p)
{
	STACK_OF(X509)	*sk;
	X509		*leaf, *x;
	struct tls_cert	*tc;
	long		 vr;
	int		 i, n, m;

	memset(p, 0, sizeof *p);
	if ((leaf = SSL_get0_peer_certificate(c->ssl)) == NULL) {
		snprintf(p->chain_error, sizeof p->chain_error,
		    "no peer certificate");
		return;
	}
	/* The verdict tls_client_verify judged by (the trust store's). */
	vr = c->pkix;
	p->chain_ok = vr == X509_V_OK;
	if (!p->chain_ok)
		snprintf(p->chain_error, sizeof p->chain_error, "%s",
		    X509_verify_cert_error_string(vr));
	/* A client's view of the chain as sent holds the leaf first. */
	sk = SSL_get_peer_cert_chain(c->ssl);
	n = sk != NULL ? sk_X509_num(sk) : 0;
	if (n <= 0 || sk_X509_value(sk, 0) != leaf) {
		sk = NULL;
		n = 1;
	}
	if (n > TLS_CHAIN_MAX)
		n = TLS_CHAIN_MAX;
	p->chain = xcalloc(n, sizeof *p->chain);
	for (i = 0; i < n; i++) {
		x = sk != NULL ? sk_X509_value(sk, i) : leaf;
		tc = &p->chain[p->nchain++];
		tc->subject = tls_name_text(X509_get_subject_name(x));
		tc->issuer = tls_name_text(X509_get_issuer_name(x));
		tc->not_before = tls_time_ms(X509_get0_notBefore(x));
		tc->not_after = tls_time_ms(X509_get0_notAfter(x));
	}
	tls_leaf_names(leaf, p);
	tls_digest_hex(leaf, EVP_sha1(), false, p->thumbprint,
	    sizeof p->thumbprint);
	tls_digest_hex(leaf, EVP_sha256(), false, p->sha256, sizeof p->sha256);
	tls_digest_hex(leaf, EVP_sha256(), true, p->key_sha256,
	    sizeof p->key_sha256);
	if ((m = tls_cert_match(leaf, patterns, npatterns)) >= 0) {
		p->matched = xstrdup(patterns[m]);
		tls_printable(p->matched);
	}
	ERR_clear_error();
}

/* x's digest (or its public key's, SPKI), as upper-case hex in out. */
static void
tls_digest_hex(X509 *x, const EVP_MD *md, bool key, char *out, size_t len)
{
	unsigned char	d[EVP_MAX_MD_SIZE];
	unsigned int	n = 0, i;
	int		ok;

	out[0] = '\0';
	ok = key ? X509_pubkey_digest(x, md, d, &n) :
	    X509_digest(x, md, d, &n);
	if (!ok || 2 * (size_t)n + 1 > len)
		return;
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02X", d[i]);
}

void
tls_peer_clear(struct tls_peer *p)
{
	size_t	i;

	for (i = 0; i < p->nchain; i++) {
		free(p->chain[i].subject);
		free(p->chain[i].issuer);
	}
	free(p->chain);
	for (i = 0; i < p->nnames; i++)
		free(p->names[i]);
	free(p->names);
	free(p->matched);
	memset(p, 0, sizeof *p);
}

/* Peer data goes to the shell and logs: printable ASCII only. */
static void
tls_printable(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
	}
}

/*
 * A distinguished name most specific first, as Windows shows it
 * ("CN=mx1.contoso.com, O=Contoso, C=US"); RFC 2253 escapes make any
 * value ASCII.
 */
static char *
tls_name_text(X509_NAME *name)
{
	const unsigned long	 flags = (XN_FLAG_RFC2253 & ~XN_FLAG_SEP_MASK) |
				    XN_FLAG_SEP_CPLUS_SPC;
	BIO			*b;
	char			*data, *out;
	long			 len;

	if (name == NULL || (b = BIO_new(BIO_s_mem())) == NULL)
		return (xstrdup(""));
	if (X509_NAME_print_ex(b, name, 0, flags) < 0 ||
	    (len = BIO_get_mem_data(b, &data)) <= 0)
		out = xstrdup("");
	else
		out = xstrndup(data, (size_t)len);
	BIO_free(b);
	tls_printable(out);
	return (out);
}

/* An ASN.1 time as Unix milliseconds; 0 if it cannot be read. */
static int64_t
tls_time_ms(const ASN1_TIME *t)
{
	ASN1_TIME	*epoch;
	int		 days = 0, secs = 0, ok;

	if (t == NULL || (epoch = ASN1_TIME_set(NULL, 0)) == NULL)
		return (0);
	ok = ASN1_TIME_diff(&days, &secs, epoch, t);
	ASN1_TIME_free(epoch);
	if (!ok)
		return (0);
	return (((int64_t)days * 86400 + secs) * 1000);
}

/* The leaf's SAN dNSNames, or its subject CN when it has none. */
static void
tls_leaf_names(X509 *leaf, struct tls_peer *p)
{
	GENERAL_NAMES		*sans;
	const GENERAL_NAME	*gn;
	const unsigned char	*d;
	char			 cn[TLS_NAME_MAX];
	int			 i, len;

	sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	for (i = 0; i < sk_GENERAL_NAME_num(sans) &&
	    p->nnames < TLS_PEER_NAMES_MAX; i++) {
		gn = sk_GENERAL_NAME_value(sans, i);
		if (gn->type != GEN_DNS)
			continue;
		d = ASN1_STRING_get0_data(gn->d.dNSName);
		len = ASN1_STRING_length(gn->d.dNSName);
		if (len <= 0 || len >= TLS_NAME_MAX)
			continue;
		p->names = xreallocarray(p->names, p->nnames + 1,
		    sizeof *p->names);
		/* An embedded NUL shows as '?': never a shorter name. */
		p->names[p->nnames] = xmalloc(len + 1);
		memcpy(p->names[p->nnames], d, len);
		p->names[p->nnames][len] = '\0';
		for (; len > 0; len--) {
			if (p->names[p->nnames][len - 1] == '\0')
				p->names[p->nnames][len - 1] = '?';
		}
		tls_printable(p->names[p->nnames++]);
	}
	GENERAL_NAMES_free(sans);
	if (p->nnames == 0 && tls_cert_cn(leaf, cn, sizeof cn) == 0) {
		p->names = xcalloc(1, sizeof *p->names);
		p->names[p->nnames] = xstrdup(cn);
		tls_printable(p->names[p->nnames++]);
	}
}

/*
 * The full cache key: context id, the whole policy and the caller's key,
 * each length-prefixed so no two policies can spell the same key.
 */
static char *
tls_cache_key(struct tls_ctx *ctx, const struct tls_client_policy *pol)
{
	const struct tlsa_rr	*t;
	struct buf		 b;
	const char		*sni = pol->sni != NULL ? pol->sni : "";
	size_t			 i, j;

	buf_init(&b);
	buf_addf(&b, "%llu/%d/%d/%zu:%s/%zu:%s", (unsigned long long)ctx->id,
	    (int)pol->verify, pol->required ? 1 : 0, strlen(sni), sni,
	    strlen(pol->cache_key), pol->cache_key);
	for (i = 0; i < pol->nnames; i++)
		buf_addf(&b, "/%zu:%s", strlen(pol->names[i]), pol->names[i]);
	/* A session verified by DANE holds for these records only. */
	for (i = 0; pol->tlsa != NULL && i < pol->tlsa->n; i++) {
		t = &pol->tlsa->v[i];
		buf_addf(&b, "/tlsa:%u %u %u ", t->usage, t->selector,
		    t->mtype);
		for (j = 0; j < t->len; j++)
			buf_addf(&b, "%02x", t->data[j]);
	}
	if (pol->tlsa != NULL)
		buf_addf(&b, "/dane:%s/%s", pol->dane_base,
		    pol->dane_name != NULL ? pol->dane_name : "");
	return (buf_detach(&b));
}

/* FNV-1a of the key, as a slot number. */
static size_t
tls_cache_hash(const char *key)
{
	uint32_t	h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return (h % TLS_CACHE_SLOTS);
}

/*
 * A reference to a fresh session under key, or NULL.  A TLS 1.3 ticket
 * is taken out (tickets are single use, RFC 8446 C.4, so two sessions
 * cannot be linked by one); a TLS 1.2 session stays for other threads.
 */
static SSL_SESSION *
tls_cache_get(const char *key)
{
	struct tls_cache_slot	*s = &tls_cache[tls_cache_hash(key)];
	SSL_SESSION		*sess = NULL, *stale = NULL;
	char			*oldkey = NULL;
	bool			 fresh;

	pthread_mutex_lock(&tls_cache_lock);
	if (s->key != NULL && strcmp(s->key, key) == 0) {
		fresh = io_now_ms() - s->added <= TLS_CACHE_LIFETIME_MS &&
		    SSL_SESSION_is_resumable(s->sess);
		if (fresh && SSL_SESSION_get_protocol_version(s->sess) !=
		    TLS1_3_VERSION && SSL_SESSION_up_ref(s->sess) == 1)
			sess = s->sess;
		else {
			/* Take it out: a ticket to use, or stale. */
			if (fresh)
				sess = s->sess;
			else
				stale = s->sess;
			oldkey = s->key;
			s->key = NULL;
			s->sess = NULL;
		}
	}
	pthread_mutex_unlock(&tls_cache_lock);
	free(oldkey);
	SSL_SESSION_free(stale);
	return (sess);
}

/* Store sess (our reference) under key, evicting the slot's holder. */
static void
tls_cache_put(const char *key, SSL_SESSION *sess)
{
	struct tls_cache_slot	*s = &tls_cache[tls_cache_hash(key)];
	SSL_SESSION		*old;
	char			*oldkey, *newkey = xstrdup(key);

	pthread_mutex_lock(&tls_cache_lock);
	oldkey = s->key;
	old = s->sess;
	s->key = newkey;
	s->sess = sess;
	s->added = io_now_ms();
	pthread_mutex_unlock(&tls_cache_lock);
	free(oldkey);
	SSL_SESSION_free(old);
}

/* OpenSSL hands over a new client session: keep it under its key. */
static int
tls_new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_conn	*c = SSL_get_app_data(ssl);

	if (c == NULL || c->cache_key == NULL)
		return (0);
	tls_cache_put(c->cache_key, sess);
	return (1);
}

void
tls_cache_clear(void)
{
	struct tls_cache_slot	*s;
	size_t			 i;

	pthread_mutex_lock(&tls_cache_lock);
	for (i = 0; i < TLS_CACHE_SLOTS; i++) {
		s = &tls_cache[i];
		free(s->key);
		SSL_SESSION_free(s->sess);
		s->key = NULL;
		s->sess = NULL;
	}
	pthread_mutex_unlock(&tls_cache_lock);
}

int
tls_server_start(struct tls_ctx *ctx, int fd, int timeout_ms,
    struct tls_conn **connp, struct tls_info *info, char **cause)
{
	struct tls_conn	*c;
	int64_t		 deadline = io_deadline(timeout_ms);

	*connp = NULL;
	memset(info, 0, sizeof *info);
	c = tls_conn_new(ctx, fd, info->detail, sizeof info->detail);
	if (c == NULL) {
		xasprintf(cause, "TLS handshake failed: %s", info->detail);
		return (-1);
	}
	SSL_set_accept_state(c->ssl);
	if (tls_handshake(c, deadline, info->detail,
	    sizeof info->detail) != 0) {
		xasprintf(cause, "TLS handshake failed: %s", info->detail);
		tls_conn_free(c);
		return (-1);
	}
	tls_fill_info(c, info);
	*connp = c;
	return (0);
}

ssize_t
tls_read(struct tls_conn *c, void *p, size_t len, int timeout_ms)
{
	int64_t		deadline = io_deadline(timeout_ms);
	enum tls_step	st;
	size_t		n;
	int		r;

	for (;;) {
		ERR_clear_error();
		if ((r = SSL_read_ex(c->ssl, p, len, &n)) == 1)
			return ((ssize_t)n);
		if ((st = tls_step(c, r, deadline)) == TLS_STEP_AGAIN)
			continue;
		ERR_clear_error();
		if (st == TLS_STEP_EOF)
			return (0);
		errno = st == TLS_STEP_TIMEOUT ? ETIMEDOUT : EIO;
		return (-1);
	}
}

ssize_t
tls_write(struct tls_conn *c, const void *p, size_t len, int timeout_ms)
{
	int64_t		 deadline = io_deadline(timeout_ms);
	const char	*s = p;
	enum tls_step	 st;
	size_t		 off = 0, n;
	int		 r;

	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	while (off < len) {
		ERR_clear_error();
		if ((r = SSL_write_ex(c->ssl, s + off, len - off, &n)) == 1) {
			off += n;
			continue;
		}
		if ((st = tls_step(c, r, deadline)) == TLS_STEP_AGAIN)
			continue;
		ERR_clear_error();
		c->fatal = true;
		errno = st == TLS_STEP_TIMEOUT ? ETIMEDOUT : EPIPE;
		return (-1);
	}
	return ((ssize_t)off);
}

bool
tls_pending(struct tls_conn *c)
{
	return (SSL_pending(c->ssl) > 0);
}

void
tls_conn_subject(struct tls_conn *c, char *out, size_t outlen)
{
	X509	*cert;
	char	*s;

	snprintf(out, outlen, "(none)");
	if ((cert = SSL_get0_peer_certificate(c->ssl)) == NULL ||
	    (s = tls_name_text(X509_get_subject_name(cert))) == NULL)
		return;
	snprintf(out, outlen, "%s", s);
	free(s);
}

void
tls_conn_free(struct tls_conn *c)
{
	int64_t	deadline;
	int	r;

	if (c == NULL)
		return;
	/* close_notify, but never wait long for a peer that will not read. */
	if (c->ssl != NULL && !c->fatal && SSL_is_init_finished(c->ssl)) {
		deadline = io_deadline(TLS_SHUTDOWN_MS);
		for (;;) {
			ERR_clear_error();
			if ((r = SSL_shutdown(c->ssl)) >= 0 ||
			    tls_step(c, r, deadline) != TLS_STEP_AGAIN)
				break;
		}
		ERR_clear_error();
	}
	SSL_free(c->ssl);
	fcntl(c->fd, F_SETFL, c->fdflags);
	free(c->cache_key);
	free(c);
}
