/*
 * ctl.c - records of the control channel (ctl.h): building, encoding,
 * reading, and the client's call.
 *
 * The encoding is line-based text so that a transcript of a session is
 * readable with socat.  Only backslash, LF and CR are escaped in values;
 * names are checked on both sides.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "xmalloc.h"

#define CTL_CLIENT_TIMEOUT_MS	(5 * 60 * 1000)	/* a probe can be slow */

static bool	ctl_name_ok(const char *, size_t);
static int64_t	ctl_now_ms(void);
static int	ctl_wait_ms(const struct ctl_reader *);
static int	ctl_fill(struct ctl_reader *, size_t, char **);
static int	ctl_parse_line(struct ctl_rec *, const char *, size_t,
		    char **);

void
ctl_rec_init(struct ctl_rec *r)
{
	memset(r, 0, sizeof *r);
}

void
ctl_rec_clear(struct ctl_rec *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++) {
		free(r->f[i].name);
		free(r->f[i].value);
	}
	free(r->f);
	memset(r, 0, sizeof *r);
}

/* Append a field, taking both strings. */
static void
ctl_push(struct ctl_rec *r, char *name, char *value)
{
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 16 : r->cap * 2;
		r->f = xreallocarray(r->f, r->cap, sizeof *r->f);
	}
	r->f[r->n].name = name;
	r->f[r->n].value = value;
	r->n++;
}

void
ctl_add(struct ctl_rec *r, const char *name, const char *value)
{
	if (value != NULL)
		ctl_push(r, xstrdup(name), xstrdup(value));
}

void
ctl_addf(struct ctl_rec *r, const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	ctl_push(r, xstrdup(name), s);
}

void
ctl_add_int(struct ctl_rec *r, const char *name, int64_t v)
{
	ctl_addf(r, name, "%" PRId64, v);
}

const char *
ctl_get(const struct ctl_rec *r, const char *name)
{
	return (ctl_get_nth(r, name, 0));
}

const char *
ctl_get_nth(const struct ctl_rec *r, const char *name, size_t nth)
{
	size_t	i;

	for (i = 0; i < r->n; i++) {
		if (strcmp(r->f[i].name, name) == 0 && nth-- == 0)
			return (r->f[i].value);
	}
	return (NULL);
}

int64_t
ctl_get_int(const struct ctl_rec *r, const char *name, int64_t dflt)
{
	const char	*s = ctl_get(r, name);
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0')
		return (dflt);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return (dflt);
	return ((int64_t)v);
}

int
ctl_refuse(char **category, char **message, const char *cat,
    const char *fmt, ...)
{
	va_list	ap;

	*category = xstrdup(cat);
	va_start(ap, fmt);
	xvasprintf(message, fmt, ap);
	va_end(ap);
	return (1);
}

/* Names: ASCII letters, digits and '-', not empty. */
static bool
ctl_name_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0)
		return (false);
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return (false);
	}
	return (true);
}

void
ctl_encode(struct buf *out, const struct ctl_rec *r, bool last)
{
	const char	*p;
	size_t		 i;

	for (i = 0; i < r->n; i++) {
		buf_adds(out, r->f[i].name);
		buf_addc(out, ' ');
		for (p = r->f[i].value; *p != '\0'; p++) {
			if (*p == '\\')
				buf_adds(out, "\\\\");
			else if (*p == '\n')
				buf_adds(out, "\\n");
			else if (*p == '\r')
				buf_adds(out, "\\r");
			else
				buf_addc(out, *p);
		}
		buf_addc(out, '\n');
	}
	buf_adds(out, last ? ".\n" : "-\n");
}

void
ctl_reader_init(struct ctl_reader *rd, int fd, int timeout_ms)
{
	memset(rd, 0, sizeof *rd);
	rd->fd = fd;
	rd->timeout_ms = timeout_ms;
	buf_init(&rd->in);
}

void
ctl_reader_limit(struct ctl_reader *rd, size_t max_bytes, int total_ms)
{
	rd->max_bytes = max_bytes;
	rd->nread = 0;
	rd->start = ctl_now_ms();
	rd->deadline = rd->start + total_ms;
}

void
ctl_reader_free(struct ctl_reader *rd)
{
	buf_free(&rd->in);
}

/* Monotonic milliseconds. */
static int64_t
ctl_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* The next poll's timeout: timeout_ms, or less before the deadline. */
static int
ctl_wait_ms(const struct ctl_reader *rd)
{
	int64_t	left;

	if (rd->deadline == 0)
		return (rd->timeout_ms);
	left = rd->deadline - ctl_now_ms();
	if (left < 0)
		left = 0;
	if (rd->timeout_ms >= 0 && left > rd->timeout_ms)
		left = rd->timeout_ms;
	return ((int)left);
}

/*
 * Read more input; 0 got some, 1 end of stream, -1 error.  Never more
 * than want bytes, so that a line is judged before it can pass its
 * limit.
 */
static int
ctl_fill(struct ctl_reader *rd, size_t want, char **cause)
{
	struct pollfd	 pfd;
	char		 chunk[16384];
	ssize_t		 n;
	int		 rc;

	if (want > sizeof chunk)
		want = sizeof chunk;
	if (rd->max_bytes > 0) {
		if (rd->nread >= rd->max_bytes) {
			xasprintf(cause, "the request is larger than %zu bytes",
			    rd->max_bytes);
			return (-1);
		}
		if (want > rd->max_bytes - rd->nread)
			want = rd->max_bytes - rd->nread;
	}

	/* Drop what was consumed, so the buffer does not grow forever. */
	if (rd->off > 0) {
		memmove(rd->in.s, rd->in.s + rd->off, rd->in.len - rd->off);
		rd->in.len -= rd->off;
		rd->in.s[rd->in.len] = '\0';
		rd->off = 0;
	}
	for (;;) {
		if (rd->read_fn != NULL) {
			n = rd->read_fn(rd->read_arg, chunk, want,
			    ctl_wait_ms(rd), cause);
			if (n < 0 && errno == ETIMEDOUT) {
				xasprintf(cause, "no answer within %d seconds",
				    rd->timeout_ms / 1000);
				return (-1);
			}
			if (n < 0) {
				rd->read_failed = true;
				return (-1);
			}
			break;
		}
		pfd.fd = rd->fd;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, ctl_wait_ms(rd));
		if (rc == 0) {
			if (rd->deadline != 0 && ctl_now_ms() >= rd->deadline)
				xasprintf(cause, "not complete within %d "
				    "seconds", (int)((rd->deadline -
				    rd->start) / 1000));
			else
				xasprintf(cause, "no answer within %d seconds",
				    rd->timeout_ms / 1000);
			return (-1);
		}
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 || (n = read(rd->fd, chunk, want)) < 0) {
			if (rc > 0 && errno == EINTR)
				continue;
			xasprintf(cause, "%s", strerror(errno));
			return (-1);
		}
		break;
	}
	if (n == 0)
		return (1);
	buf_add(&rd->in, chunk, (size_t)n);
	rd->nread += (size_t)n;
	return (0);
}

/* Decode one "name value" line into r. */
static int
ctl_parse_line(struct ctl_rec *r, const char *s, size_t len, char **cause)
{
	const char	*sp;
	struct buf	 v;
	size_t		 i, nlen;

	if ((sp = memchr(s, ' ', len)) == NULL ||
	    !ctl_name_ok(s, (size_t)(sp - s))) {
		xasprintf(cause, "malformed line in the control protocol");
		return (-1);
	}
	/* A value is a C string: a NUL would cut it short unseen. */
	if (memchr(s, '\0', len) != NULL) {
		xasprintf(cause, "a NUL character in the control protocol");
		return (-1);
	}
	if (r->n >= CTL_FIELDS_MAX) {
		xasprintf(cause, "too many fields in one record");
		return (-1);
	}
	nlen = (size_t)(sp - s);
	buf_init(&v);
	buf_adds(&v, "");
	for (i = nlen + 1; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			i++;
			buf_addc(&v, s[i] == 'n' ? '\n' : s[i] == 'r' ?
			    '\r' : s[i]);
		} else
			buf_addc(&v, s[i]);
	}
	ctl_push(r, xstrndup(s, nlen), buf_detach(&v));
	return (0);
}

int
ctl_read(struct ctl_reader *rd, struct ctl_rec *r, bool *last, char **cause)
{
	const char	*line, *nl;
	size_t		 len;
	int		 rc;

	ctl_rec_clear(r);
	for (;;) {
		line = rd->in.s != NULL ? rd->in.s + rd->off : NULL;
		nl = line != NULL ? memchr(line, '\n', rd->in.len - rd->off) :
		    NULL;
		if (nl == NULL) {
			len = line != NULL ? rd->in.len - rd->off : 0;
			if (len > CTL_LINE_MAX) {
				xasprintf(cause, "line too long in the "
				    "control protocol");
				return (-1);
			}
			/* Up to one byte past the limit, and its LF. */
			if ((rc = ctl_fill(rd, CTL_LINE_MAX + 2 - len,
			    cause)) < 0)
				return (-1);
			if (rc == 1) {
				xasprintf(cause, "the connection closed "
				    "before the answer was complete");
				return (-1);
			}
			continue;
		}
		len = (size_t)(nl - line);
		if (len > CTL_LINE_MAX) {
			xasprintf(cause, "line too long in the control "
			    "protocol");
			return (-1);
		}
		rd->off += len + 1;
		if (len == 1 && (*line == '-' || *line == '.')) {
			*last = *line == '.';
			return (0);
		}
		if (ctl_parse_line(r, line, len, cause) != 0)
			return (-1);
	}
}

int
ctl_write_all(int fd, const char *s, size_t len, char **cause)
{
	ssize_t	n;

	while (len > 0) {
		n = send(fd, s, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xasprintf(cause, "%s", strerror(errno));
			return (-1);
		}
		s += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Connect to the control socket; -1 with a message an admin can act on. */
static int
ctl_connect(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "the control socket path %s is too long",
		    path);
		return (-1);
	}
	strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
		return (fd);
	if (errno == ENOENT || errno == ECONNREFUSED)
		xasprintf(cause, "The transport service (hubd) isn't running: "
		    "nothing is listening on its control socket %s.", path);
	else if (errno == EACCES || errno == EPERM)
		xasprintf(cause, "Access to the transport service's control "
		    "socket %s is denied. Its users are root, hubd's user and "
		    "the members of its control group.", path);
	else
		xasprintf(cause, "Cannot reach the transport service on %s: "
		    "%s.", path, strerror(errno));
	close(fd);
	return (-1);
}

int
ctl_call(const char *path, const struct ctl_rec *req, ctl_result_fn fn,
    void *arg, char **err_category, char **err_message, char **cause)
{
	return (ctl_call_at(path, NULL, req, fn, arg, err_category,
	    err_message, cause));
}

int
ctl_call_at(const char *path, const char *name, const struct ctl_rec *req,
    ctl_result_fn fn, void *arg, char **err_category, char **err_message,
    char **cause)
{
	struct ctl_reader	 rd;
	struct ctl_rec		 r;
	struct ctl_tls		*tls = NULL;
	struct buf		 out;
	const char		*status;
	char			*why = NULL;
	bool			 last = false, stopped = false;
	int			 fd = -1, rc = -1;

	*err_category = *err_message = NULL;
	if (strncmp(path, "tls:", 4) == 0) {
		if ((tls = ctl_tls_open(path, name, cause)) == NULL)
			return (-1);
	} else if ((fd = ctl_connect(path, cause)) == -1)
		return (-1);
	buf_init(&out);
	ctl_encode(&out, req, true);
	if (tls != NULL ? ctl_tls_write(tls, out.s, out.len, cause) != 0 :
	    ctl_write_all(fd, out.s, out.len, &why) != 0) {
		if (tls == NULL)
			xasprintf(cause, "Cannot send the request to the "
			    "transport service: %s.", why);
		goto done;
	}
	if (tls == NULL)
		shutdown(fd, SHUT_WR);
	ctl_reader_init(&rd, fd, CTL_CLIENT_TIMEOUT_MS);
	if (tls != NULL) {
		rd.read_fn = ctl_tls_read;
		rd.read_arg = tls;
	}
	ctl_rec_init(&r);
	while (!last) {
		if (ctl_read(&rd, &r, &last, &why) != 0) {
			if (rd.read_failed) {
				*cause = why;
				why = NULL;
			} else
				xasprintf(cause, "The transport service did "
				    "not answer: %s.", why);
			break;
		}
		if (!last) {
			if (!stopped && fn != NULL && fn(&r, arg) != 0)
				stopped = true;
			continue;
		}
		status = ctl_get(&r, "status");
		if (status != NULL && strcmp(status, "ok") == 0)
			rc = 0;
		else {
			*err_category = xstrdup(ctl_get(&r, "category") !=
			    NULL ? ctl_get(&r, "category") : "NotSpecified");
			*err_message = xstrdup(ctl_get(&r, "message") !=
			    NULL ? ctl_get(&r, "message") :
			    "The transport service refused the request.");
			rc = 1;
		}
	}
	ctl_rec_clear(&r);
	ctl_reader_free(&rd);
done:
	free(why);
	buf_free(&out);
	if (fd != -1)
		close(fd);
	ctl_tls_close(tls);
	return (rc);
}
