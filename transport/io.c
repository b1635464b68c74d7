/*
 * io.c - the line layer of hubd: a connected socket, plain or TLS, read
 * by lines and written in full, every wait bounded by a timeout.
 *
 * The fd is non-blocking from io_init on and every wait is a poll, so no
 * peer can hold a thread past its timeout.  Input is buffered in
 * io->rbuf; what lies there unread is visible (io_pending) and can be
 * dropped (io_discard): at STARTTLS nothing read in plaintext may be
 * taken for a reply or command received under TLS (CVE-2011-0411).
 * The optional trace records each line read ("< ") and written ("> ")
 * for the protocol log, with control characters made visible, and never
 * the data of io_write_secret.
 */
#define _GNU_SOURCE	/* pthread_setname_np(3) */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"

#define IO_TLS_CHUNK	16384		/* one TLS record */

static enum io_status io_poll(int, short, int64_t);
static enum io_status io_fill(struct io *, int64_t);
static enum io_status io_line_done(struct io *, struct buf *, size_t,
		    int);
static enum io_status io_send(struct io *, const char *, size_t);
static enum io_status io_send_plain(struct io *, const char *, size_t);
static void	 io_trace_line(struct io *, char, const char *, size_t);
static void	 io_trace(struct io *, char, const char *, size_t);
static void	 io_addr_str(const struct sockaddr *, socklen_t, char *,
		    size_t);
static int	 io_connect_wait(int, const struct sockaddr *, socklen_t,
		    int);

int64_t
io_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int64_t
io_deadline(int timeout_ms)
{
	if (timeout_ms < 0)
		return (INT64_MAX);
	return (io_now_ms() + timeout_ms);
}

int
io_remaining(int64_t deadline)
{
	int64_t	left;

	if (deadline == INT64_MAX)
		return (-1);
	left = deadline - io_now_ms();
	if (left <= 0)
		return (0);
	return (left > INT32_MAX ? INT32_MAX : (int)left);
}

void
io_init(struct io *io, int fd, int timeout_ms)
{
	int	flags;

	memset(io, 0, sizeof *io);
	io->fd = fd;
	io->timeout_ms = timeout_ms;
	/* Non-blocking, so a peer that stops reading cannot block a write. */
	if (fd >= 0 && (flags = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void
io_close(struct io *io)
{
	tls_conn_free(io->tls);
	io->tls = NULL;
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
	io->rlen = io->roff = 0;
}

/* When the next wait must end: timeout_ms from now, or io->deadline. */
static int64_t
io_wait_deadline(const struct io *io)
{
	int64_t	d = io_deadline(io->timeout_ms);

	return (io->deadline != 0 && io->deadline < d ? io->deadline : d);
}

/* Wait until fd is ready for events or the deadline passes. */
static enum io_status
io_poll(int fd, short events, int64_t deadline)
{
	struct pollfd	pfd;
	int		n;

	pfd.fd = fd;
	pfd.events = events;
	for (;;) {
		pfd.revents = 0;
		n = poll(&pfd, 1, io_remaining(deadline));
		if (n > 0)
			return (IO_OK);	/* errors show in the next call */
		if (n == 0)
			return (IO_TIMEOUT);
		if (errno != EINTR)
			return (IO_ERROR);
	}
}

/* Refill the (consumed) read buffer from the peer. */
static enum io_status
io_fill(struct io *io, int64_t deadline)
{
	enum io_status	st;
	ssize_t		n;

	io->roff = io->rlen = 0;
	if (io->tls != NULL) {
		n = tls_read(io->tls, io->rbuf, sizeof io->rbuf,
		    io_remaining(deadline));
		if (n < 0)
			return (errno == ETIMEDOUT ? IO_TIMEOUT : IO_ERROR);
	} else {
		while ((n = read(io->fd, io->rbuf, sizeof io->rbuf)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return (IO_ERROR);
			if ((st = io_poll(io->fd, POLLIN, deadline)) != IO_OK)
				return (st);
		}
	}
	if (n == 0)
		return (IO_EOF);
	io->rlen = (size_t)n;
	return (IO_OK);
}

/*
 * Read one line.  A line longer than max is consumed through its LF and
 * discarded rather than failing the session, so an SMTP server can
 * answer 500 and read on; at most max + 1 bytes are ever held.
 */
enum io_status
io_getline(struct io *io, struct buf *line, size_t max)
{
	int64_t		 deadline = io_wait_deadline(io);
	enum io_status	 st;
	const char	*p, *nl;
	size_t		 n;
	int		 toolong = 0;

	if (max > SIZE_MAX - 2)
		max = SIZE_MAX - 2;
	buf_reset(line);
	for (;;) {
		p = io->rbuf + io->roff;
		n = io->rlen - io->roff;
		if ((nl = memchr(p, '\n', n)) != NULL)
			n = nl - p;
		/* Room for max bytes and a CR that may precede the LF. */
		if (!toolong && n <= max + 1 - line->len)
			buf_add(line, p, n);
		else {
			toolong = 1;
			buf_reset(line);
		}
		io->roff += n;
		if (nl != NULL) {
			io->roff++;
			return (io_line_done(io, line, max, toolong));
		}
		if ((st = io_fill(io, deadline)) != IO_OK)
			return (st);
	}
}

/* Strip the CR of a complete line, check its length and trace it. */
static enum io_status
io_line_done(struct io *io, struct buf *line, size_t max, int toolong)
{
	if (line->len > 0 && line->s[line->len - 1] == '\r')
		line->s[--line->len] = '\0';
	if (toolong || line->len > max) {
		buf_reset(line);
		if (io->trace != NULL)
			buf_addf(io->trace, "< [line longer than %zu bytes "
			    "discarded]\n", max);
		return (IO_TOOLONG);
	}
	io_trace_line(io, '<', line->s, line->len);
	return (IO_OK);
}

/* Append one trace line; control characters become '?' (log safety). */
static void
io_trace_line(struct io *io, char dir, const char *s, size_t len)
{
	size_t		i;
	unsigned char	c;

	if (io->trace == NULL)
		return;
	buf_addc(io->trace, dir);
	buf_addc(io->trace, ' ');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		buf_addc(io->trace, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	buf_addc(io->trace, '\n');
}

/* Trace written data line by line, CRLF or LF dropped. */
static void
io_trace(struct io *io, char dir, const char *s, size_t len)
{
	const char	*nl;
	size_t		 n, shown;

	if (io->trace == NULL)
		return;
	while (len > 0) {
		nl = memchr(s, '\n', len);
		n = nl != NULL ? (size_t)(nl - s) : len;
		shown = nl != NULL && n > 0 && s[n - 1] == '\r' ? n - 1 : n;
		io_trace_line(io, dir, s, shown);
		if (nl == NULL)
			break;
		s += n + 1;
		len -= n + 1;
	}
}

/* Write everything, plain or TLS; each wait bounded by timeout_ms. */
static enum io_status
io_send(struct io *io, const char *p, size_t len)
{
	size_t	n;

	if (io->tls == NULL)
		return (io_send_plain(io, p, len));
	while (len > 0) {
		n = len > IO_TLS_CHUNK ? IO_TLS_CHUNK : len;
		if (tls_write(io->tls, p, n,
		    io_remaining(io_wait_deadline(io))) < 0)
			return (errno == ETIMEDOUT ? IO_TIMEOUT : IO_ERROR);
		p += n;
		len -= n;
	}
	return (IO_OK);
}

/* Write everything to the plain fd. */
static enum io_status
io_send_plain(struct io *io, const char *p, size_t len)
{
	enum io_status	st;
	ssize_t		n;

	while (len > 0) {
		/* MSG_NOSIGNAL: a closed peer is an error, not SIGPIPE. */
		n = send(io->fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == ENOTSOCK)
			n = write(io->fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return (IO_ERROR);
		st = io_poll(io->fd, POLLOUT, io_wait_deadline(io));
		if (st != IO_OK)
			return (st);
	}
	return (IO_OK);
}

enum io_status
io_write(struct io *io, const void *p, size_t len)
{
	io_trace(io, '>', p, len);
	return (io_send(io, p, len));
}

enum io_status
io_write_secret(struct io *io, const void *p, size_t len)
{
	/* Credentials never reach the protocol log. */
	if (io->trace != NULL)
		buf_adds(io->trace, "> ****\n");
	return (io_send(io, p, len));
}

enum io_status
io_printf(struct io *io, const char *fmt, ...)
{
	enum io_status	 st;
	va_list		 ap;
	char		*s;
	int		 n;

	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	st = io_write(io, s, (size_t)n);
	free(s);
	return (st);
}

size_t
io_pending(const struct io *io)
{
	return (io->rlen - io->roff);
}

void
io_discard(struct io *io)
{
	io->rlen = io->roff = 0;
}

/* "192.0.2.1:25" or "[2001:db8::1]:25" for messages. */
static void
io_addr_str(const struct sockaddr *sa, socklen_t salen, char *out,
    size_t outlen)
{
	char	host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa, salen, host, sizeof host, serv, sizeof serv,
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(out, outlen, "(unknown address)");
	else if (sa->sa_family == AF_INET6)
		snprintf(out, outlen, "[%s]:%s", host, serv);
	else
		snprintf(out, outlen, "%s:%s", host, serv);
}

/* Connect the non-blocking fd within timeout_ms; -1 with errno. */
static int
io_connect_wait(int fd, const struct sockaddr *sa, socklen_t salen,
    int timeout_ms)
{
	enum io_status	st;
	socklen_t	len = sizeof(int);
	int		err = 0;

	if (connect(fd, sa, salen) == 0)
		return (0);
	if (errno != EINPROGRESS && errno != EINTR)
		return (-1);
	st = io_poll(fd, POLLOUT, io_deadline(timeout_ms));
	if (st != IO_OK) {
		errno = st == IO_TIMEOUT ? ETIMEDOUT : errno;
		return (-1);
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return (-1);
	if (err != 0) {
		errno = err;
		return (-1);
	}
	return (0);
}

int
io_connect(const struct sockaddr *sa, socklen_t salen,
    const struct sockaddr *source, socklen_t sourcelen, int timeout_ms,
    char **cause)
{
	char	addr[NI_MAXHOST + NI_MAXSERV + 4];
	int	fd, one = 1;

	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	/* Commands are small and each waits for its reply: no Nagle. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (source != NULL) {
#ifdef IP_BIND_ADDRESS_NO_PORT
		/* Pick the port at connect: many sessions share a source. */
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		    sizeof one);
#endif
		if (bind(fd, source, sourcelen) == -1) {
			io_addr_str(source, sourcelen, addr, sizeof addr);
			xasprintf(cause, "cannot bind to %s: %s", addr,
			    strerror(errno));
			close(fd);
			return (-1);
		}
	}
	if (io_connect_wait(fd, sa, salen, timeout_ms) == -1) {
		io_addr_str(sa, salen, addr, sizeof addr);
		xasprintf(cause, "connect to %s: %s", addr,
		    errno == ETIMEDOUT ? "timed out" : strerror(errno));
		close(fd);
		return (-1);
	}
	return (fd);
}

/*
 * A listening TCP socket on host:port, close-on-exec with a non-blocking
 * accept: the first address of host that binds ("" or "*": any; the
 * brackets of "[::1]" dropped).  -1 with *cause, which begins with what
 * (the setting: "listen", "control-listen").
 */
int
io_listen(const char *what, const char *host, int port, int backlog,
    char **cause)
{
	struct addrinfo	 hints, *res, *ai;
	char		 serv[16], name[NI_MAXHOST];
	int		 fd = -1, on = 1, error, saved = 0;
	size_t		 n;

	/* conf_parse_hostport() may leave the brackets of "[::1]". */
	n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		snprintf(name, sizeof name, "%.*s", (int)(n - 2), host + 1);
	else
		snprintf(name, sizeof name, "%s", host);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(serv, sizeof serv, "%d", port);
	if ((error = getaddrinfo(*name == '\0' || strcmp(name, "*") == 0 ?
	    NULL : name, serv, &hints, &res)) != 0) {
		xasprintf(cause, "%s %s: %s", what, host, gai_strerror(error));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof on);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, backlog) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		xasprintf(cause, "%s %s port %d: %s", what, host, port,
		    strerror(saved));
	return (fd);
}

/*
 * The same for a setting's value listen, "host:port" (port_default when
 * the port is left out; 0: it may not be).
 */
int
io_listen_at(const char *what, const char *listen, int port_default,
    int backlog, char **cause)
{
	char	*host = NULL;
	int	 port, fd;

	if (conf_parse_hostport(listen, &host, &port, port_default,
	    cause) != 0)
		return (-1);
	if (port == 0) {
		xasprintf(cause, "%s %s: a port is needed (host:port)", what,
		    listen);
		free(host);
		return (-1);
	}
	fd = io_listen(what, host, port, backlog, cause);
	free(host);
	return (fd);
}

/* ------------------------------------------------------------------ */
/* Naps. */

static bool
nap_wait(struct nap *n, const struct timespec *ts)
{
	bool	go;

	pthread_mutex_lock(&n->lock);
	while (!n->stopping &&
	    pthread_cond_timedwait(&n->wake, &n->lock, ts) == 0)
		;
	go = !n->stopping;
	pthread_mutex_unlock(&n->lock);
	return (go);
}

bool
nap_for(struct nap *n, int secs)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += secs;
	return (nap_wait(n, &ts));
}

bool
nap_until(struct nap *n, int64_t t)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = 0;
	return (nap_wait(n, &ts));
}

void
nap_stop(struct nap *n)
{
	pthread_mutex_lock(&n->lock);
	n->stopping = true;
	pthread_cond_broadcast(&n->wake);
	pthread_mutex_unlock(&n->lock);
}

/* ------------------------------------------------------------------ */
/* Threads. */

/*
 * Name the calling thread for ps -L, top -H and /proc/PID/task/TID/comm,
 * so that an admin (and the benchmarks) can tell where hubd's CPU goes.
 * The kernel keeps 15 characters.
 */
void
thread_name(const char *name)
{
	char	short_name[16];

	snprintf(short_name, sizeof short_name, "%s", name);
	(void)pthread_setname_np(pthread_self(), short_name);
}
