/*
 * ctl_tls.c - the client side of the control channel over TCP with TLS
 * (ctl.h, ctl_call_at): hubsh reaching the hubd of another server at the
 * "tls:HOST:PORT" endpoint that server registered.
 *
 * hubsh presents the client certificate of --control-cert and
 * --control-key (ctl_tls_config), verifies the server's chain against
 * --control-ca and its name against the FQDN the server registered, and
 * speaks TLS 1.2 or newer.  libssl is not linked: like libcrypto and
 * libreadline (dynlib.h) it is loaded the first time a remote server is
 * asked, so a hubsh run that never leaves this host never loads it.
 *
 * OpenSSL writes to the socket with write(2): a server that went away
 * would raise SIGPIPE, which hubsh keeps for its own output (hubsh |
 * head).  Every OpenSSL call that may write runs with SIGPIPE blocked,
 * and one it raised is taken before it is unblocked (ctl_tls_nopipe).
 *
 * The only file outside transport/tls* that includes <openssl/ssl.h>,
 * for the types of the table of functions alone
 * (tests/shell/boundaries.sh).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ctl.h"
#include "dynlib.h"
#include "xmalloc.h"

#ifndef HUBSH_LIBSSL_SONAME
#error "HUBSH_LIBSSL_SONAME (libssl's soname) comes from configure"
#endif

#define CTL_TLS_CONNECT_MS	10000	/* TCP connect and handshake */

/* The functions used here; their types come from OpenSSL's headers. */
#define SSL_SYMS(_) \
	_(TLS_client_method) _(SSL_CTX_new) _(SSL_CTX_free) \
	_(SSL_CTX_ctrl) _(SSL_CTX_load_verify_file) \
	_(SSL_CTX_set_default_verify_paths) \
	_(SSL_CTX_use_certificate_chain_file) \
	_(SSL_CTX_use_PrivateKey_file) _(SSL_CTX_check_private_key) \
	_(SSL_CTX_set_verify) _(SSL_new) _(SSL_free) _(SSL_set_fd) \
	_(SSL_set1_host) _(SSL_ctrl) _(SSL_connect) _(SSL_read) \
	_(SSL_write) _(SSL_get_error) _(SSL_shutdown) _(SSL_pending) \
	_(SSL_get_verify_result) _(ERR_get_error) _(ERR_error_string_n) \
	_(ERR_clear_error) _(X509_verify_cert_error_string)
static struct { SSL_SYMS(DYNLIB_PTR) } ssl_fn;
#define SSL_SYM(sym)	DYNLIB_SYM(ssl_fn, sym)
static const struct dynlib_sym ssl_syms[] = { SSL_SYMS(SSL_SYM) };
static struct dynlib ssl_lib = DYNLIB_INIT(HUBSH_LIBSSL_SONAME, ssl_syms,
    &ssl_fn);

/* --control-cert, --control-key, --control-ca (NULL: not given). */
static char	*ctl_tls_cert, *ctl_tls_key, *ctl_tls_ca;

struct ctl_tls {
	SSL_CTX		*ctx;
	SSL		*ssl;
	int		 fd;
	char		*where;		/* "FQDN (tls:HOST:PORT)" */
};

static int	 ctl_tls_tcp(const char *, char **);
static void	 ctl_tls_reason(struct ctl_tls *, int, const char *,
		    char **);
static int	 ctl_tls_ctx(struct ctl_tls *, char **);
static void	 ctl_tls_write_failed(struct ctl_tls *, int, char **);

/* SIGPIPE held back around a call that may write to the socket. */
struct ctl_tls_pipe {
	sigset_t	old;
	bool		pending;	/* one was pending already: not ours */
};
static void	 ctl_tls_nopipe(struct ctl_tls_pipe *);
static void	 ctl_tls_pipe_ok(struct ctl_tls_pipe *);

static void
ctl_tls_nopipe(struct ctl_tls_pipe *p)
{
	sigset_t	set, pend;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigemptyset(&pend);
	(void)sigpending(&pend);
	p->pending = sigismember(&pend, SIGPIPE) == 1;
	(void)sigprocmask(SIG_BLOCK, &set, &p->old);
}

static void
ctl_tls_pipe_ok(struct ctl_tls_pipe *p)
{
	struct timespec	zero = { 0, 0 };
	sigset_t	set, pend;
	int		saved = errno;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigemptyset(&pend);
	if (!p->pending && sigpending(&pend) == 0 &&
	    sigismember(&pend, SIGPIPE) == 1)
		(void)sigtimedwait(&set, NULL, &zero);
	(void)sigprocmask(SIG_SETMASK, &p->old, NULL);
	errno = saved;
}

void
ctl_tls_config(const char *cert, const char *key, const char *ca)
{
	free(ctl_tls_cert);
	free(ctl_tls_key);
	free(ctl_tls_ca);
	ctl_tls_cert = cert != NULL && *cert != '\0' ? xstrdup(cert) : NULL;
	ctl_tls_key = key != NULL && *key != '\0' ? xstrdup(key) : NULL;
	ctl_tls_ca = ca != NULL && *ca != '\0' ? xstrdup(ca) : NULL;
}

/*
 * Connect to "tls:HOST:PORT" and handshake, checking the server's name
 * against name (its registered FQDN; NULL: HOST).  NULL with *cause.
 */
struct ctl_tls *
ctl_tls_open(const char *endpoint, const char *name, char **cause)
{
	struct ctl_tls		*t;
	struct ctl_tls_pipe	 pp;
	const char		*hp = endpoint + 4;
	int			 r;

	if (dynlib_load(&ssl_lib, cause) != 0)
		return (NULL);
	t = xcalloc(1, sizeof *t);
	t->fd = -1;
	xasprintf(&t->where, "%s (%s)", name != NULL ? name : hp, endpoint);
	if (ctl_tls_ctx(t, cause) != 0)
		goto fail;
	if ((t->fd = ctl_tls_tcp(hp, cause)) == -1) {
		char *why = *cause;

		xasprintf(cause, "The transport service on %s can't be reached: "
		    "%s.", t->where, why);
		free(why);
		goto fail;
	}
	if ((t->ssl = ssl_fn.SSL_new(t->ctx)) == NULL ||
	    ssl_fn.SSL_set_fd(t->ssl, t->fd) != 1) {
		ctl_tls_reason(t, 0, "cannot start TLS", cause);
		goto fail;
	}
	if (name != NULL && *name != '\0') {
		if (ssl_fn.SSL_set1_host(t->ssl, name) != 1) {
			ctl_tls_reason(t, 0, "cannot start TLS", cause);
			goto fail;
		}
		/* SNI: SSL_set_tlsext_host_name, a macro over SSL_ctrl. */
		(void)ssl_fn.SSL_ctrl(t->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME,
		    TLSEXT_NAMETYPE_host_name, (void *)name);
	}
	ssl_fn.ERR_clear_error();
	errno = 0;
	ctl_tls_nopipe(&pp);
	r = ssl_fn.SSL_connect(t->ssl);
	ctl_tls_pipe_ok(&pp);
	if (r != 1) {
		ctl_tls_reason(t, r, "the TLS handshake failed", cause);
		goto fail;
	}
	return (t);
fail:
	ctl_tls_close(t);
	return (NULL);
}

/* The context: TLS 1.2+, the server verified, our certificate. */
static int
ctl_tls_ctx(struct ctl_tls *t, char **cause)
{
	char	 err[256];
	int	 ok;

	if ((t->ctx = ssl_fn.SSL_CTX_new(ssl_fn.TLS_client_method())) ==
	    NULL || ssl_fn.SSL_CTX_ctrl(t->ctx, SSL_CTRL_SET_MIN_PROTO_VERSION,
	    TLS1_2_VERSION, NULL) != 1) {
		ctl_tls_reason(t, 0, "cannot set up TLS", cause);
		return (-1);
	}
	if (ctl_tls_ca != NULL)
		ok = ssl_fn.SSL_CTX_load_verify_file(t->ctx, ctl_tls_ca);
	else
		ok = ssl_fn.SSL_CTX_set_default_verify_paths(t->ctx);
	if (ok != 1) {
		ssl_fn.ERR_error_string_n(ssl_fn.ERR_get_error(), err,
		    sizeof err);
		ssl_fn.ERR_clear_error();
		xasprintf(cause, "The control CA %s can't be loaded: %s.",
		    ctl_tls_ca != NULL ? ctl_tls_ca : "(system default)", err);
		return (-1);
	}
	ssl_fn.SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	if (ctl_tls_cert == NULL)
		return (0);
	if (ssl_fn.SSL_CTX_use_certificate_chain_file(t->ctx,
	    ctl_tls_cert) != 1 ||
	    ssl_fn.SSL_CTX_use_PrivateKey_file(t->ctx, ctl_tls_key != NULL ?
	    ctl_tls_key : ctl_tls_cert, SSL_FILETYPE_PEM) != 1 ||
	    ssl_fn.SSL_CTX_check_private_key(t->ctx) != 1) {
		ssl_fn.ERR_error_string_n(ssl_fn.ERR_get_error(), err,
		    sizeof err);
		ssl_fn.ERR_clear_error();
		xasprintf(cause, "The client certificate %s (key %s) can't be "
		    "loaded: %s.", ctl_tls_cert, ctl_tls_key != NULL ?
		    ctl_tls_key : ctl_tls_cert, err);
		return (-1);
	}
	return (0);
}

/* A TCP connection to HOST:PORT within CTL_TLS_CONNECT_MS. */
static int
ctl_tls_tcp(const char *hp, char **cause)
{
	struct addrinfo	 hints, *res, *ai;
	struct pollfd	 pfd;
	struct timeval	 tv;
	const char	*colon, *h;
	char		*host;
	socklen_t	 len;
	int		 fd = -1, error, saved = ECONNREFUSED;

	if (*hp == '[') {
		if ((colon = strstr(hp, "]:")) == NULL) {
			xasprintf(cause, "'%s' is not HOST:PORT", hp);
			return (-1);
		}
		host = xstrndup(hp + 1, colon - hp - 1);
		colon++;
	} else if ((colon = strrchr(hp, ':')) != NULL)
		host = xstrndup(hp, colon - hp);
	else {
		xasprintf(cause, "'%s' is not HOST:PORT", hp);
		return (-1);
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	h = host;
	error = getaddrinfo(h, colon + 1, &hints, &res);
	free(host);
	if (error != 0) {
		xasprintf(cause, "%s", gai_strerror(error));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			len = sizeof error;
			if (poll(&pfd, 1, CTL_TLS_CONNECT_MS) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error,
			    &len) == 0 && error == 0)
				break;
			saved = poll(&pfd, 1, 0) == 0 ? ETIMEDOUT : error;
		} else
			saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		xasprintf(cause, "%s", strerror(saved));
		return (-1);
	}
	/* Blocking from here, every call bounded. */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	tv.tv_sec = CTL_TLS_CONNECT_MS / 1000;
	tv.tv_usec = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return (fd);
}

/*
 * Why a TLS call (returning r; 0: not an I/O call) failed, said for an
 * admin: the server's certificate, or the server refusing ours.
 */
static void
ctl_tls_reason(struct ctl_tls *t, int r, const char *what, char **cause)
{
	unsigned long	 e, last = 0;
	long		 vr;
	char		 err[256];
	int		 se = SSL_ERROR_SSL, saved = errno;

	if (t->ssl != NULL && r != 0)
		se = ssl_fn.SSL_get_error(t->ssl, r);
	while ((e = ssl_fn.ERR_get_error()) != 0)
		last = e;
	if (t->ssl != NULL && (vr = ssl_fn.SSL_get_verify_result(t->ssl)) !=
	    X509_V_OK) {
		xasprintf(cause, "The transport service on %s can't be "
		    "trusted: its certificate failed verification (%s). "
		    "hubsh checks it against --control-ca and the server's "
		    "registered FQDN.", t->where,
		    ssl_fn.X509_verify_cert_error_string(vr));
		return;
	}
	if (last == 0) {
		if (se == SSL_ERROR_SYSCALL && (saved == EAGAIN ||
		    saved == EWOULDBLOCK))
			xasprintf(cause, "The transport service on %s did not "
			    "answer: %s (timed out).", t->where, what);
		else
			xasprintf(cause, "The transport service on %s closed "
			    "the connection: %s%s%s.", t->where, what,
			    saved != 0 ? ": " : "",
			    saved != 0 ? strerror(saved) : "");
		return;
	}
	ssl_fn.ERR_error_string_n(last, err, sizeof err);
	if (strstr(err, "alert") != NULL)
		xasprintf(cause, "The transport service on %s refused the "
		    "TLS session (%s): it requires a client certificate "
		    "signed by its control CA (--control-cert, "
		    "--control-key)%s.", t->where, strrchr(err, ':') != NULL ?
		    strrchr(err, ':') + 1 : err, ctl_tls_cert == NULL ?
		    ", and none was given" : "");
	else
		xasprintf(cause, "The transport service on %s: %s: %s.",
		    t->where, what, err);
}

ssize_t
ctl_tls_read(void *arg, void *p, size_t len, int timeout_ms, char **cause)
{
	struct ctl_tls		*t = arg;
	struct ctl_tls_pipe	 pp;
	struct pollfd		 pfd;
	int			 r, n;

	if (ssl_fn.SSL_pending(t->ssl) == 0) {
		pfd.fd = t->fd;
		pfd.events = POLLIN;
		while ((n = poll(&pfd, 1, timeout_ms)) == -1 && errno == EINTR)
			;
		if (n == 0) {
			errno = ETIMEDOUT;
			return (-1);
		}
	}
	ssl_fn.ERR_clear_error();
	errno = 0;
	ctl_tls_nopipe(&pp);
	r = ssl_fn.SSL_read(t->ssl, p, len > 16384 ? 16384 : (int)len);
	ctl_tls_pipe_ok(&pp);
	if (r > 0)
		return (r);
	if (ssl_fn.SSL_get_error(t->ssl, r) == SSL_ERROR_ZERO_RETURN)
		return (0);
	ctl_tls_reason(t, r, "reading the answer", cause);
	errno = EIO;
	return (-1);
}

int
ctl_tls_write(struct ctl_tls *t, const char *s, size_t len, char **cause)
{
	struct ctl_tls_pipe	pp;
	int			r;

	while (len > 0) {
		ssl_fn.ERR_clear_error();
		errno = 0;
		ctl_tls_nopipe(&pp);
		r = ssl_fn.SSL_write(t->ssl, s, len > 16384 ? 16384 :
		    (int)len);
		ctl_tls_pipe_ok(&pp);
		if (r <= 0) {
			ctl_tls_write_failed(t, r, cause);
			return (-1);
		}
		s += r;
		len -= (size_t)r;
	}
	return (0);
}

/*
 * A request that could not be sent: with TLS 1.3 a server refuses our
 * certificate after the handshake, so its alert may be waiting to be
 * read; say that rather than the reset that followed.
 */
static void
ctl_tls_write_failed(struct ctl_tls *t, int r, char **cause)
{
	struct ctl_tls_pipe	pp;
	char			c;
	int			saved = errno, se, r2;

	se = ssl_fn.SSL_get_error(t->ssl, r);
	ssl_fn.ERR_clear_error();
	ctl_tls_nopipe(&pp);
	r2 = ssl_fn.SSL_read(t->ssl, &c, 1);
	ctl_tls_pipe_ok(&pp);
	if (r2 <= 0 &&
	    ssl_fn.SSL_get_error(t->ssl, r2) == SSL_ERROR_SSL) {
		ctl_tls_reason(t, r2, "sending the request", cause);
		return;
	}
	ssl_fn.ERR_clear_error();
	if (se == SSL_ERROR_SYSCALL)
		xasprintf(cause, "The transport service on %s closed the "
		    "connection: sending the request: %s.", t->where,
		    saved != 0 ? strerror(saved) : "end of stream");
	else
		xasprintf(cause, "The transport service on %s: sending the "
		    "request failed.", t->where);
}

void
ctl_tls_close(struct ctl_tls *t)
{
	struct ctl_tls_pipe	pp;

	if (t == NULL)
		return;
	if (t->ssl != NULL) {
		ssl_fn.ERR_clear_error();
		ctl_tls_nopipe(&pp);
		(void)ssl_fn.SSL_shutdown(t->ssl);
		ctl_tls_pipe_ok(&pp);
		ssl_fn.ERR_clear_error();
		ssl_fn.SSL_free(t->ssl);
	}
	if (t->ctx != NULL)
		ssl_fn.SSL_CTX_free(t->ctx);
	if (t->fd != -1)
		close(t->fd);
	free(t->where);
	free(t);
}
