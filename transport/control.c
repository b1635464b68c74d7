/*
 * control.c - hubd's control channel (common/ctl.h): the UNIX socket
 * through which hubsh asks about queues, messages and the tracking log.
 *
 * hubd.c binds the socket with control_bind() while still root, starts
 * answering with control_start() once the queue runs, and ends with
 * control_stop().  An accept thread gives every connection a detached
 * thread, at most CONTROL_MAX_CONNS at once (the others wait in the
 * listen backlog), so a slow Test-SendConnector probe never holds up
 * Get-Queue.  A connection carries one request and its answer.
 *
 * Access has two gates.  The file is mode 0660, owned by hubd's user and
 * the control group, so the kernel keeps everyone else out; and every
 * connection's credentials (SO_PEERCRED) are checked again here: root,
 * hubd's own user and members of the control group (by the process's
 * groups or the group database) are answered, anyone else gets one
 * PermissionDenied status record and is disconnected.
 *
 * Every operation is one row of control_ops: its name, the function
 * that answers it (queue_ctl.c's queue and message verbs, probe.c's
 * probe, ping and track here) with the row's argument, and what it needs
 * (the queues loaded; to run alone, for the message verbs that write; to
 * answer on the connection itself, for track's long answers).  A refusal
 * is made with ctl_refuse(), whoever refuses.
 *
 * With control-listen, the same channel is also offered over TCP with
 * TLS (control_listen_tls): TLS 1.2 or newer, and a client certificate
 * signed by control-ca required (tls_control_ctx_create), which stands
 * for the credentials check.  A connection whose handshake fails is
 * logged once, with the peer's address, and gets no answer; an accepted
 * one is logged with its certificate's subject.  Its thread relays
 * between the TLS session and one end of a socketpair, and a second
 * thread answers on the other end with control_serve, so the requests'
 * bounds, timeouts and streaming are the UNIX socket's, unchanged.  The
 * two listeners have slots of their own (CONTROL_MAX_CONNS,
 * CONTROL_MAX_TLS), so that clients on the network, who may hold a slot
 * through a slow handshake, never keep local admins waiting, and one
 * address holds at most CONTROL_TLS_PER_ADDR of the TLS ones: more are
 * closed at once, logged at most every 10 s.
 *
 * Nothing of a request but its operation name is logged.
 */
#define _GNU_SOURCE	/* struct ucred, accept4(2), pipe2(2) */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"

#ifndef HUBSH_VERSION
#define HUBSH_VERSION		"0"
#endif

#define CONTROL_MAX_CONNS	16	/* on the UNIX socket at once */
#define CONTROL_MAX_TLS		16	/* on control-listen at once */
#define CONTROL_TLS_PER_ADDR	4	/* of those, from one address */
#define CONTROL_FULL_MS		100	/* a listener at its limit waits */
#define CONTROL_BACKLOG		64
#define CONTROL_READ_MS		10000	/* for the whole request */
#define CONTROL_SEND_SECS	60	/* a client that stops reading */
#define CONTROL_FLUSH		256	/* tracking records per write */
#define CONTROL_TRACK_LIMIT	1000	/* ResultSize when not given */
#define CONTROL_PROBE_MS	2000	/* asking a hubd already running */
#define CONTROL_DRAIN_SECS	10	/* stop: requests may finish */
#define CONTROL_KILL_SECS	5	/* stop: after cutting them off */
#define CONTROL_MAX_GROUPS	65536
#define CONTROL_REFUSED_LOG_SECS 10	/* between lines on refusals */
#define CONTROL_LINGER_MS	1000	/* a refused TLS client's bytes */

struct control_conn {
	TAILQ_ENTRY(control_conn) entry;
	struct control		*ctl;
	int			 fd;
	uid_t			 uid;
	char			*user;		/* name, or "#uid" */
	bool			 tls;		/* came on control-listen */
	char			 peer[80];	/* tls */
	char			 addr[INET6_ADDRSTRLEN];	/* tls */
	char			*who;		/* for the log */
};

struct control {
	int			 fd;		/* listening socket */
	int			 wake[2];	/* stops the accept thread */
	char			*path;
	char			*group;		/* control group name */
	gid_t			 gid;
	bool			 have_gid;	/* the group exists */
	dev_t			 dev;		/* the socket file made here */
	ino_t			 ino;
	pthread_t		 thread;
	bool			 started;
	int			 tls_fd;	/* control-listen, or -1 */
	char			*tls_listen;
	struct tls_ctx		*tls;

	pthread_mutex_t		 lock;		/* all below */
	pthread_cond_t		 done;		/* a connection ended */
	TAILQ_HEAD(, control_conn) conns;
	int			 nconns;	/* both kinds */
	int			 ntls;		/* on control-listen */
	bool			 stopping;
	struct log_limit	 refused_log;	/* refusals, 1 per 10 s */
	struct log_limit	 busy_log;	/* an address at its limit */
};

/* One op track request in progress. */
struct control_track {
	int			 fd;
	struct buf		 out;
	struct ctl_rec		 rec;
	size_t			 pending;	/* records in out */
	int64_t			 count;
	bool			 failed;	/* the client went away */
};

static int	 control_mkdir(const char *, uid_t, char **);
static int	 control_replace_stale(const char *, char **);
static char	*control_ask_pid(int);
static void	*control_accept_loop(void *);
static void	 control_spawn(struct control *, int, const char *,
		     const char *);
static void	 control_forget(struct control *, struct control_conn *);
static void	 control_tls_serve(struct control_conn *);
static void	*control_tls_inner(void *);
static void	 control_linger(int);
static void	 control_relay(struct tls_conn *, int, int);
static void	*control_main(void *);
static void	 control_serve(struct control_conn *);
static bool	 control_admit(struct control *, struct control_conn *);
static bool	 control_in_group(const char *, gid_t, gid_t, gid_t);
static char	*control_user_name(uid_t, gid_t *);
static void	 control_status(struct buf *, const char *, const char *);
static void	 control_answer(int, struct buf *, const char *,
		    const char *);
static const struct control_op *control_op_find(const char *);
static int	 control_run(const struct control_op *,
		    const struct ctl_rec *, int, struct buf *, char **,
		    char **);
static int	 control_ping(const struct ctl_rec *, int, int, struct buf *,
		    char **, char **);
static int	 control_probe(const struct ctl_rec *, int, int, struct buf *,
		    char **, char **);
static int	 control_track(const struct ctl_rec *, int, int, struct buf *,
		    char **, char **);
static int	 control_mta_sts(const struct ctl_rec *, int, int,
		    struct buf *, char **, char **);
static int	 control_cert_watch(const struct ctl_rec *, int, int,
		    struct buf *, char **, char **);
static int	 control_int(const struct ctl_rec *, const char *, int64_t,
		    int64_t *);
static int	 control_track_query(const struct ctl_rec *,
		    struct track_query *, char **);
static int	 control_track_one(const struct track_event *, void *);
static int	 control_track_flush(struct control_track *);
static void	 control_wait(struct control *, int);

/* What an operation needs (control_op's flags). */
#define CONTROL_QUEUE	0x1	/* the queues loaded (env->queue) */
#define CONTROL_SERIAL	0x2	/* one at a time, in the order asked */
#define CONTROL_STREAM	0x4	/* answers on the connection itself */

/* One operation of ctl.h and the function that answers it. */
struct control_op {
	const char	*op;
	control_fn	*fn;
	int		 arg;		/* for fn: suspend 1, resume 0 */
	int		 flags;
};

/* Every operation; the message verbs write, hence one at a time. */
static const struct control_op control_ops[] = {
	{ "ping", control_ping, 0, 0 },
	{ "probe", control_probe, 0, 0 },
	{ "track", control_track, 0, CONTROL_STREAM },
	{ "cert-watch", control_cert_watch, 0, 0 },
	{ "mta-sts", control_mta_sts, 0, 0 },
	{ "get-queue", queue_ctl_get_queue, 0, CONTROL_QUEUE },
	{ "retry-queue", queue_ctl_retry, 0, CONTROL_QUEUE },
	{ "suspend-queue", queue_ctl_suspend_queue, 1, CONTROL_QUEUE },
	{ "resume-queue", queue_ctl_suspend_queue, 0, CONTROL_QUEUE },
	{ "get-message", queue_ctl_get_message, 0, CONTROL_QUEUE },
	{ "suspend-message", queue_ctl_suspend_message, 1,
	    CONTROL_QUEUE | CONTROL_SERIAL },
	{ "resume-message", queue_ctl_suspend_message, 0,
	    CONTROL_QUEUE | CONTROL_SERIAL },
	{ "remove-message", queue_ctl_remove_message, 0,
	    CONTROL_QUEUE | CONTROL_SERIAL },
};

#define CONTROL_NOPS	(sizeof control_ops / sizeof control_ops[0])

/* Requests per operation, for the metrics; the last: unknown ones. */
static uint64_t		 control_counts[CONTROL_NOPS + 1];

/* Held by a CONTROL_SERIAL operation while it runs. */
static pthread_mutex_t	 control_serial = PTHREAD_MUTEX_INITIALIZER;

/*
 * Make the socket at path: its directory (0755) when missing, a stale
 * socket replaced, a running hubd refused; mode 0660, owner user,
 * group the control group (else user's group).  Runs before privileges
 * are dropped and before any thread starts.
 */
int
control_bind(struct control **cp, const char *path, const char *user,
    const char *group, char **cause)
{
	struct sockaddr_un	 sun;
	struct control		*c;
	pthread_condattr_t	 ca;
	struct passwd		*pw = NULL;
	struct group		*gr = NULL;
	struct stat		 st;
	uid_t			 uid = (uid_t)-1;
	gid_t			 gid = (gid_t)-1;
	mode_t			 old;
	int			 fd, rc;

	*cp = NULL;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (path == NULL || *path != '/') {
		xasprintf(cause, "control-socket must be an absolute path");
		return (-1);
	}
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "control-socket %s: the path is too long "
		    "(at most %zu bytes)", path, sizeof sun.sun_path - 1);
		return (-1);
	}
	strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
	if (user != NULL) {
		if ((pw = getpwnam(user)) == NULL) {
			xasprintf(cause, "no such user %s", user);
			return (-1);
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (group != NULL && *group != '\0' && (gr = getgrnam(group)) == NULL)
		log_warnx("control: the control group %s does not exist: "
		    "only root and hubd's user may use the control channel",
		    group);
	if (control_mkdir(path, uid, cause) != 0 ||
	    control_replace_stale(path, cause) != 0)
		return (-1);

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "control socket: %s", strerror(errno));
		return (-1);
	}
	/*
	 * Made 0660 by bind itself: no moment where it is open to others,
	 * and no chmod, which would follow a symbolic link put in its
	 * place (the directory may be hubd's user's).
	 */
	old = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc != 0) {
		xasprintf(cause, "control socket %s: %s", path,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	if (gr != NULL)
		gid = gr->gr_gid;
	errno = 0;
	if (lchown(path, uid, gid) != 0 || lstat(path, &st) != 0 ||
	    !S_ISSOCK(st.st_mode) || listen(fd, CONTROL_BACKLOG) != 0) {
		xasprintf(cause, "control socket %s: %s", path,
		    errno != 0 ? strerror(errno) : "not a socket any more");
		close(fd);
		unlink(path);
		return (-1);
	}

	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->tls_fd = -1;
	c->refused_log.secs = CONTROL_REFUSED_LOG_SECS;
	c->busy_log.secs = CONTROL_REFUSED_LOG_SECS;
	c->path = xstrdup(path);
	c->group = xstrdup(group != NULL && *group != '\0' ? group : "");
	if (gr != NULL) {
		c->gid = gr->gr_gid;
		c->have_gid = true;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	if (pipe2(c->wake, O_CLOEXEC) != 0) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		close(fd);
		unlink(path);
		free(c->path);
		free(c->group);
		free(c);
		return (-1);
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->done, &ca);
	pthread_condattr_destroy(&ca);
	TAILQ_INIT(&c->conns);
	*cp = c;
	return (0);
}

/*
 * The socket's directory, 0755, made when missing with its parents; when
 * hubd will run as another user, one made here is handed over so that
 * hubd can remove its socket when it stops.
 */
static int
control_mkdir(const char *path, uid_t uid, char **cause)
{
	char	*dir, *slash;
	int	 fd = 0;

	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		fd = dir_open(AT_FDCWD, dir, dir, "the control socket's "
		    "directory", 0755, uid, (gid_t)-1, 0, cause);
		if (fd != -1)
			close(fd);
	}
	free(dir);
	return (fd == -1 ? -1 : 0);
}

/*
 * Something at path already: a socket nobody answers on is left over
 * from a hubd that did not stop cleanly and is removed; a socket that
 * answers belongs to a running hubd, and anything else is not ours to
 * remove.
 */
static int
control_replace_stale(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	char			*pid;
	int			 fd;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return (0);
		xasprintf(cause, "control socket %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (!S_ISSOCK(st.st_mode)) {
		xasprintf(cause, "control socket %s: the file exists and is "
		    "not a socket", path);
		return (-1);
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "control socket: %s", strerror(errno));
		return (-1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		pid = control_ask_pid(fd);
		close(fd);
		xasprintf(cause, "another hubd%s%s%s is running: it answers "
		    "on the control socket %s", pid != NULL ? " (pid " : "",
		    pid != NULL ? pid : "", pid != NULL ? ")" : "", path);
		free(pid);
		return (-1);
	}
	close(fd);
	if (errno != ECONNREFUSED) {
		xasprintf(cause, "control socket %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		xasprintf(cause, "cannot remove the stale control socket %s: "
		    "%s", path, strerror(errno));
		return (-1);
	}
	log_info("control: replaced the stale socket %s", path);
	return (0);
}

/* Ping whoever answers on fd, for its pid (NULL if it does not say). */
static char *
control_ask_pid(int fd)
{
	static const char	 ping[] = "op ping\n.\n";
	struct ctl_reader	 rd;
	struct ctl_rec		 r;
	char			*why = NULL, *pid = NULL;
	bool			 last = false;

	if (ctl_write_all(fd, ping, sizeof ping - 1, &why) != 0) {
		free(why);
		return (NULL);
	}
	ctl_reader_init(&rd, fd, CONTROL_PROBE_MS);
	ctl_rec_init(&r);
	while (!last && ctl_read(&rd, &r, &last, &why) == 0) {
		if (pid == NULL && ctl_get(&r, "pid") != NULL)
			pid = xstrdup(ctl_get(&r, "pid"));
	}
	free(why);
	ctl_rec_clear(&r);
	ctl_reader_free(&rd);
	return (pid);
}

/* Start the accept thread. */
int
control_start(struct control *c, char **cause)
{
	int	error;

	if ((error = pthread_create(&c->thread, NULL, control_accept_loop,
	    c)) != 0) {
		xasprintf(cause, "control thread: %s", strerror(error));
		return (-1);
	}
	c->started = true;
	log_info("control: answering on %s", c->path);
	if (c->tls_fd != -1)
		log_info("control: answering on %s (TLS, client certificates "
		    "required)", c->tls_listen);
	return (0);
}

/*
 * The accept thread, until control_stop(): each listener is polled only
 * while it has room (CONTROL_MAX_CONNS on the UNIX socket,
 * CONTROL_MAX_TLS on control-listen), so that TLS clients that never
 * finish a handshake cannot keep local admins out; one at its limit is
 * looked at again every CONTROL_FULL_MS.
 */
static void *
control_accept_loop(void *arg)
{
	struct control		*c = arg;
	struct pollfd		 pfd[3];
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 host[INET6_ADDRSTRLEN], serv[8];
	char			 peer[80];
	bool			 stop, full;
	int			 fd, i;

	thread_name("control-accept");
	for (;;) {
		pthread_mutex_lock(&c->lock);
		stop = c->stopping;
		pfd[0].fd = c->nconns - c->ntls < CONTROL_MAX_CONNS ? c->fd : -1;
		pfd[2].fd = c->ntls < CONTROL_MAX_TLS ? c->tls_fd : -1;
		pthread_mutex_unlock(&c->lock);
		if (stop)
			break;
		full = pfd[0].fd == -1 || pfd[2].fd != c->tls_fd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		pfd[1].fd = c->wake[0];
		pfd[1].events = POLLIN;
		pfd[2].events = POLLIN;
		pfd[2].revents = 0;
		if (poll(pfd, 3, full ? CONTROL_FULL_MS : -1) == -1) {
			if (errno == EINTR)
				continue;
			log_warnx("control: poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents != 0)
			break;
		for (i = 0; i < 3; i += 2) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			sslen = sizeof ss;
			if ((fd = accept4(pfd[i].fd, (struct sockaddr *)&ss,
			    &sslen, SOCK_CLOEXEC)) == -1) {
				if (errno == EMFILE || errno == ENFILE ||
				    errno == ENOBUFS || errno == ENOMEM) {
					log_warnx("control: accept: %s",
					    strerror(errno));
					usleep(100 * 1000);
				}
				continue;
			}
			if (i == 0) {
				control_spawn(c, fd, NULL, NULL);
				continue;
			}
			host[0] = peer[0] = '\0';
			if (getnameinfo((struct sockaddr *)&ss, sslen,
			    host, sizeof host, serv, sizeof serv,
			    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
				snprintf(peer, sizeof peer, "%s%s%s:%s",
				    strchr(host, ':') != NULL ? "[" : "", host,
				    strchr(host, ':') != NULL ? "]" : "", serv);
			control_spawn(c, fd, host, peer);
		}
	}
	return (NULL);
}

/*
 * A detached thread for the connection fd: one on the UNIX socket
 * (addr NULL), or one on control-listen from addr (peer: address and
 * port), refused at once when CONTROL_TLS_PER_ADDR from that address
 * are open already.  fd is closed when no thread starts.
 */
static void
control_spawn(struct control *c, int fd, const char *addr, const char *peer)
{
	struct control_conn	*cc, *o;
	struct timeval		 tv;
	pthread_attr_t		 attr;
	pthread_t		 t;
	uint64_t		 quiet;
	int			 error, same = 0;
	bool			 say;

	pthread_mutex_lock(&c->lock);
	if (addr != NULL) {
		TAILQ_FOREACH(o, &c->conns, entry) {
			if (o->tls && strcmp(o->addr, addr) == 0)
				same++;
		}
	}
	if (same >= CONTROL_TLS_PER_ADDR) {
		say = log_limit(&c->busy_log, &quiet);
		pthread_mutex_unlock(&c->lock);
		if (say)
			log_info("control: refused a TLS connection from %s: "
			    "%d from that address are open already%s",
			    *peer != '\0' ? peer : "an unknown address", same,
			    quiet > 0 ? " (others refused since the last "
			    "line)" : "");
		close(fd);
		return;
	}
	cc = xcalloc(1, sizeof *cc);
	cc->ctl = c;
	cc->fd = fd;
	if ((cc->tls = addr != NULL)) {
		snprintf(cc->addr, sizeof cc->addr, "%s", addr);
		snprintf(cc->peer, sizeof cc->peer, "%s", *peer != '\0' ?
		    peer : "an unknown address");
		c->ntls++;
	}
	TAILQ_INSERT_TAIL(&c->conns, cc, entry);
	c->nconns++;
	pthread_mutex_unlock(&c->lock);

	/* A client that stops reading gives its slot back. */
	tv.tv_sec = CONTROL_SEND_SECS;
	tv.tv_usec = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	error = pthread_create(&t, &attr, control_main, cc);
	pthread_attr_destroy(&attr);
	if (error == 0)
		return;
	log_warnx("control: connection thread: %s", strerror(error));
	control_forget(c, cc);
	close(fd);
	free(cc);
}

/* Take cc off the list of connections: its slot is free again. */
static void
control_forget(struct control *c, struct control_conn *cc)
{
	pthread_mutex_lock(&c->lock);
	TAILQ_REMOVE(&c->conns, cc, entry);
	c->nconns--;
	if (cc->tls)
		c->ntls--;
	pthread_cond_broadcast(&c->done);
	pthread_mutex_unlock(&c->lock);
}

/* A connection's thread: answer, then give the slot back. */
static void *
control_main(void *arg)
{
	struct control_conn	*cc = arg;
	struct control		*c = cc->ctl;

	thread_name("control");
	if (cc->tls)
		control_tls_serve(cc);
	else
		control_serve(cc);
	control_forget(c, cc);
	close(cc->fd);
	free(cc->user);
	free(cc->who);
	free(cc);
	return (NULL);
}

/*
 * Check the client, read its request and answer it with the operation's
 * row of control_ops.  Every answer ends with a status record, except
 * when the client is gone.
 */
static void
control_serve(struct control_conn *cc)
{
	struct ctl_reader	 rd;
	struct ctl_rec		 req;
	struct buf		 out;
	const struct control_op	*co;
	const char		*op;
	char			*why = NULL, *cat = NULL, *msg = NULL;
	bool			 last = false;
	int			 rc;

	buf_init(&out);
	if (!cc->tls && !control_admit(cc->ctl, cc)) {
		if (*cc->ctl->group == '\0')
			xasprintf(&msg, "Access denied: user %s (uid %lu) is "
			    "not root or hubd's user.", cc->user,
			    (unsigned long)cc->uid);
		else
			xasprintf(&msg, "Access denied: user %s (uid %lu) is "
			    "not root, hubd's user or a member of the control "
			    "group %s.%s", cc->user, (unsigned long)cc->uid,
			    cc->ctl->group, cc->ctl->have_gid ? "" :
			    " That group does not exist.");
		control_answer(cc->fd, &out, "PermissionDenied", msg);
		free(msg);
		buf_free(&out);
		return;
	}

	if (cc->who == NULL)
		xasprintf(&cc->who, "user %s (uid %lu)", cc->user,
		    (unsigned long)cc->uid);
	ctl_reader_init(&rd, cc->fd, CONTROL_READ_MS);
	ctl_reader_limit(&rd, CTL_REQUEST_MAX, CONTROL_READ_MS);
	ctl_rec_init(&req);
	if (ctl_read(&rd, &req, &last, &why) != 0 || !last || req.n == 0 ||
	    strcmp(req.f[0].name, "op") != 0) {
		log_info("control: malformed request from %s", cc->who);
		xasprintf(&msg, "The request on the control channel is "
		    "malformed: %s.", why != NULL ? why : !last ?
		    "more than one record" : "it does not begin with op");
		control_answer(cc->fd, &out, "ProtocolError", msg);
		goto done;
	}
	op = req.f[0].value;

	co = control_op_find(op);
	__atomic_fetch_add(&control_counts[co != NULL ? (size_t)(co -
	    control_ops) : CONTROL_NOPS], 1, __ATOMIC_RELAXED);
	if (co == NULL) {
		log_info("control: unknown operation from %s", cc->who);
		rc = ctl_refuse(&cat, &msg, "InvalidOperation",
		    "hubd does not know the operation '%s'.", op);
	} else if (co->flags & CONTROL_STREAM) {
		log_debug("control: %s for %s", op, cc->who);
		(void)control_run(co, &req, cc->fd, &out, &cat, &msg);
		goto done;
	} else {
		rc = control_run(co, &req, cc->fd, &out, &cat, &msg);
		log_debug("control: %s for %s", op, cc->who);
	}
	if (rc == 0)
		control_answer(cc->fd, &out, NULL, NULL);
	else
		control_answer(cc->fd, &out, cat != NULL ? cat :
		    "NotSpecified", msg != NULL ? msg :
		    "The transport service refused the request.");
done:
	free(why);
	free(cat);
	free(msg);
	buf_free(&out);
	ctl_rec_clear(&req);
	ctl_reader_free(&rd);
}

/*
 * A connection on control-listen: the handshake (a client certificate
 * control-ca signed, or nothing), then the request answered by
 * control_serve on a socketpair while this thread relays.
 */
static void
control_tls_serve(struct control_conn *cc)
{
	struct control_conn	 inner;
	struct tls_conn		*tc = NULL;
	struct tls_info		 info;
	struct timeval		 tv;
	pthread_t		 t;
	char			 subject[512], *cause = NULL;
	int			 sp[2], error;

	if (tls_server_start(cc->ctl->tls, cc->fd, CONTROL_READ_MS, &tc,
	    &info, &cause) != 0) {
		log_info("control: refused the TLS connection from %s: %s",
		    cc->peer, cause);
		free(cause);
		control_linger(cc->fd);
		return;
	}
	tls_conn_subject(tc, subject, sizeof subject);
	log_info("control: TLS connection from %s, client certificate %s",
	    cc->peer, subject);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
		log_warnx("control: socketpair: %s", strerror(errno));
		tls_conn_free(tc);
		return;
	}
	memset(&inner, 0, sizeof inner);
	inner.ctl = cc->ctl;
	inner.fd = sp[1];
	inner.uid = (uid_t)-1;
	inner.tls = true;
	inner.user = xstrdup(subject);
	xasprintf(&inner.who, "%s (certificate %s)", cc->peer, subject);
	tv.tv_sec = CONTROL_SEND_SECS;
	tv.tv_usec = 0;
	(void)setsockopt(sp[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if ((error = pthread_create(&t, NULL, control_tls_inner,
	    &inner)) != 0) {
		log_warnx("control: connection thread: %s", strerror(error));
		close(sp[1]);
	} else {
		control_relay(tc, cc->fd, sp[0]);
		/* The answering side sees its peer go, and ends. */
		(void)shutdown(sp[0], SHUT_RDWR);
		pthread_join(t, NULL);
	}
	close(sp[0]);
	tls_conn_free(tc);
	free(inner.user);
	free(inner.who);
}

/*
 * After a refusal: the alert is sent; end the stream and read what the
 * client had sent already (a bounded while), so that closing does not
 * reset the connection and drop the alert before the client reads it.
 */
static void
control_linger(int fd)
{
	struct pollfd	 pfd;
	char		 junk[4096];
	int64_t		 deadline = io_deadline(CONTROL_LINGER_MS);
	size_t		 total = 0;
	ssize_t		 n;

	(void)shutdown(fd, SHUT_WR);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (total < CTL_REQUEST_MAX && poll(&pfd, 1,
	    io_remaining(deadline)) > 0) {
		if ((n = read(fd, junk, sizeof junk)) <= 0 &&
		    !(n < 0 && (errno == EINTR || errno == EAGAIN)))
			break;
		if (n > 0)
			total += (size_t)n;
	}
}

/* The answering side of a TLS connection. */
static void *
control_tls_inner(void *arg)
{
	struct control_conn	*cc = arg;

	thread_name("control-tls");
	control_serve(cc);
	close(cc->fd);
	return (NULL);
}

/*
 * Relay between the TLS session on net and the socketpair end loc until
 * the answer has been sent (loc's end of stream) or either side fails.
 * What the client sends goes to loc as it comes (at most one chunk held
 * here); the answer goes back as control_serve writes it.
 */
static void
control_relay(struct tls_conn *tc, int net, int loc)
{
	struct pollfd	 pfd[2];
	char		 in[16384], out[16384];
	size_t		 inlen = 0, inoff = 0;
	ssize_t		 n;
	bool		 net_eof = false, loc_dead = false, ready;

	for (;;) {
		ready = !net_eof && inlen == 0 && tls_pending(tc);
		pfd[0].fd = net;
		pfd[0].events = !net_eof && inlen == 0 ? POLLIN : 0;
		pfd[0].revents = 0;
		pfd[1].fd = loc;
		pfd[1].events = POLLIN | (inlen > 0 ? POLLOUT : 0);
		pfd[1].revents = 0;
		if (!ready && poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (pfd[0].revents & (POLLERR | POLLNVAL))
			return;
		/* The client has gone altogether: nobody to answer. */
		if ((pfd[0].revents & POLLHUP) && pfd[0].events == 0)
			return;
		if (!net_eof && inlen == 0 && (ready ||
		    (pfd[0].revents & (POLLIN | POLLHUP)))) {
			n = tls_read(tc, in, sizeof in, CONTROL_READ_MS);
			if (n < 0)
				return;
			if (n == 0) {
				net_eof = true;
				(void)shutdown(loc, SHUT_WR);
			} else if (loc_dead)
				inlen = 0;
			else {
				inlen = (size_t)n;
				inoff = 0;
			}
		}
		if (inlen > 0 && (pfd[1].revents & (POLLOUT | POLLERR |
		    POLLHUP))) {
			n = send(loc, in + inoff, inlen - inoff,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				/* Answered already: the rest is dropped. */
				loc_dead = true;
				inlen = 0;
			} else if (n > 0) {
				inoff += (size_t)n;
				if (inoff == inlen)
					inlen = inoff = 0;
			}
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(loc, out, sizeof out);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return;
			if (tls_write(tc, out, (size_t)n,
			    CONTROL_SEND_SECS * 1000) < 0)
				return;
		}
	}
}

int
control_listen_tls(struct control *c, const char *listen,
    struct tls_ctx *ctx, char **cause)
{
	int	 fd;

	if ((fd = io_listen_at("control-listen", listen, 0, CONTROL_BACKLOG,
	    cause)) == -1)
		return (-1);
	c->tls_fd = fd;
	c->tls_listen = xstrdup(listen);
	c->tls = ctx;
	return (0);
}

/* The requests answered, per operation, for the metrics listener. */
void
control_metrics(struct buf *b)
{
	size_t	i;

	buf_adds(b, "# HELP hubsh_control_requests_total Requests on the "
	    "control channel, by operation.\n"
	    "# TYPE hubsh_control_requests_total counter\n");
	for (i = 0; i <= CONTROL_NOPS; i++)
		buf_addf(b, "hubsh_control_requests_total{op=\"%s\"} %llu\n",
		    i < CONTROL_NOPS ? control_ops[i].op : "other",
		    (unsigned long long)__atomic_load_n(&control_counts[i],
		    __ATOMIC_RELAXED));
}

/* The operation called op, or NULL. */
static const struct control_op *
control_op_find(const char *op)
{
	size_t	i;

	for (i = 0; i < CONTROL_NOPS; i++) {
		if (strcmp(op, control_ops[i].op) == 0)
			return (&control_ops[i]);
	}
	return (NULL);
}

/* Run co for req as its flags say; as its function returns. */
static int
control_run(const struct control_op *co, const struct ctl_rec *req, int fd,
    struct buf *out, char **category, char **message)
{
	int	rc;

	if ((co->flags & CONTROL_QUEUE) && env->queue == NULL)
		return (ctl_refuse(category, message, "ResourceUnavailable",
		    "The queues of %s are not loaded yet.", env->server));
	if (co->flags & CONTROL_SERIAL)
		pthread_mutex_lock(&control_serial);
	rc = co->fn(req, co->arg, fd, out, category, message);
	if (co->flags & CONTROL_SERIAL)
		pthread_mutex_unlock(&control_serial);
	return (rc);
}

/*
 * May this client use the channel?  Root, hubd's effective user, and
 * whoever holds the control group: as the process's group or one of its
 * supplementary groups (what the kernel checked against the file), or
 * by the group database for the user.  Fills cc->uid and cc->user.
 */
static bool
control_admit(struct control *c, struct control_conn *cc)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;
	gid_t		 pw_gid = (gid_t)-1;
	uint64_t	 quiet;
#ifdef SO_PEERGROUPS
	gid_t		 groups[256];
	socklen_t	 glen = sizeof groups;
	size_t		 i;
#endif

	if (getsockopt(cc->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		log_warnx("control: SO_PEERCRED: %s", strerror(errno));
		cc->uid = (uid_t)-1;
		cc->user = xstrdup("unknown");
		return (false);
	}
	cc->uid = cred.uid;
	cc->user = control_user_name(cred.uid, &pw_gid);
	if (cred.uid == 0 || cred.uid == geteuid())
		return (true);
	if (c->have_gid) {
		if (cred.gid == c->gid)
			return (true);
#ifdef SO_PEERGROUPS
		if (getsockopt(cc->fd, SOL_SOCKET, SO_PEERGROUPS, groups,
		    &glen) == 0) {
			for (i = 0; i < glen / sizeof groups[0]; i++)
				if (groups[i] == c->gid)
					return (true);
		}
#endif
		if (pw_gid != (gid_t)-1 &&
		    control_in_group(cc->user, pw_gid, c->gid, cred.uid))
			return (true);
	}
	if (log_limit(&c->refused_log, &quiet))
		log_info("control: refused user %s (uid %lu): not root, hubd's "
		    "user or a member of the control group %s%s", cc->user,
		    (unsigned long)cc->uid, c->group, quiet > 0 ? " (others "
		    "refused since the last line)" : "");
	return (false);
}

/* Is gid among the groups of user (primary pw_gid) in the database? */
static bool
control_in_group(const char *user, gid_t pw_gid, gid_t gid, uid_t uid)
{
	gid_t	*groups;
	int	 n = 64, i;
	bool	 found = false;

	if (pw_gid == gid)
		return (true);
	if (*user == '#')
		return (false);
	for (;;) {
		groups = xreallocarray(NULL, (size_t)n, sizeof *groups);
		if (getgrouplist(user, pw_gid, groups, &n) != -1)
			break;
		free(groups);
		if (n <= 0 || n > CONTROL_MAX_GROUPS) {
			log_warnx("control: the groups of uid %lu: too many",
			    (unsigned long)uid);
			return (false);
		}
	}
	for (i = 0; i < n && !found; i++)
		found = groups[i] == gid;
	free(groups);
	return (found);
}

/* uid's name ("#uid" when it has none) and primary group. */
static char *
control_user_name(uid_t uid, gid_t *gidp)
{
	struct passwd	 pw, *res = NULL;
	char		*buf, *name;
	size_t		 size = 1024;
	int		 error;

	for (;;) {
		buf = xmalloc(size);
		error = getpwuid_r(uid, &pw, buf, size, &res);
		if (error != ERANGE || size >= 1024 * 1024)
			break;
		free(buf);
		size *= 4;
	}
	if (error == 0 && res != NULL) {
		name = xstrdup(pw.pw_name);
		*gidp = pw.pw_gid;
	} else {
		xasprintf(&name, "#%lu", (unsigned long)uid);
		*gidp = (gid_t)-1;
	}
	free(buf);
	return (name);
}

/* Append the status record: ok when category is NULL. */
static void
control_status(struct buf *out, const char *category, const char *message)
{
	struct ctl_rec	r;

	ctl_rec_init(&r);
	if (category == NULL)
		ctl_add(&r, "status", "ok");
	else {
		ctl_add(&r, "status", "error");
		ctl_add(&r, "category", category);
		ctl_add(&r, "message", message);
	}
	ctl_encode(out, &r, true);
	ctl_rec_clear(&r);
}

/* Send out and the status record, then nothing more. */
static void
control_answer(int fd, struct buf *out, const char *category,
    const char *message)
{
	char	*why = NULL;

	control_status(out, category, message);
	if (ctl_write_all(fd, out->s, out->len, &why) != 0) {
		log_debug("control: answer not sent: %s", why);
		free(why);
	}
	(void)shutdown(fd, SHUT_WR);
}

/* op ping: who answers. */
static int
control_ping(const struct ctl_rec *req, int arg, int fd, struct buf *out,
    char **category, char **message)
{
	struct ctl_rec	r;

	(void)req;
	(void)arg;
	(void)fd;
	(void)category;
	(void)message;
	ctl_rec_init(&r);
	ctl_add(&r, "server", env->server);
	ctl_add(&r, "version", HUBSH_VERSION);
	ctl_add_int(&r, "pid", (int64_t)getpid());
	ctl_encode(out, &r, false);
	ctl_rec_clear(&r);
	return (0);
}

/* op probe: Test-SendConnector's check of the next hops (probe.c). */
static int
control_probe(const struct ctl_rec *req, int arg, int fd, struct buf *out,
    char **category, char **message)
{
	(void)arg;
	(void)fd;
	return (probe_ctl(req, out, category, message));
}

static int
control_mta_sts(const struct ctl_rec *req, int arg, int fd,
    struct buf *out, char **category, char **message)
{
	(void)arg;
	(void)fd;
	return (sts_ctl(req, out, category, message));
}

static int
control_cert_watch(const struct ctl_rec *req, int arg, int fd,
    struct buf *out, char **category, char **message)
{
	(void)arg;
	(void)fd;
	return (certwatch_ctl(req, out, category, message));
}

/*
 * op track: Get-MessageTrackingLog.  The records are streamed, written
 * every CONTROL_FLUSH of them, so an unlimited query over millions of
 * records never builds one answer in memory.  The thread reads through
 * its own spool connection; the committer is never waited for.
 */
static int
control_track(const struct ctl_rec *req, int arg, int fd, struct buf *out,
    char **category, char **message)
{
	struct control_track	 t;
	struct track_query	 q;
	struct spool		*sp = NULL;
	char			*cause = NULL, *msg = NULL;
	int			 rc;

	(void)arg;
	(void)out;
	(void)category;
	(void)message;
	memset(&t, 0, sizeof t);
	t.fd = fd;
	buf_init(&t.out);
	ctl_rec_init(&t.rec);
	track_query_init(&q);
	if (control_track_query(req, &q, &msg) != 0) {
		control_answer(fd, &t.out, "InvalidArgument", msg);
		goto done;
	}
	if (spool_open(&sp, env->spool_path, &cause) != 0) {
		log_warnx("control: track: %s", cause);
		xasprintf(&msg, "The message tracking log cannot be read: %s.",
		    cause);
		control_answer(fd, &t.out, "ReadError", msg);
		goto done;
	}
	rc = spool_track_query(sp, &q, control_track_one, &t, &cause);
	if (t.failed) {
		log_debug("control: track: the client went away after %lld "
		    "records", (long long)t.count);
		goto done;
	}
	if (rc != 0) {
		log_warnx("control: track: %s", cause);
		xasprintf(&msg, "The message tracking log cannot be read: %s.",
		    cause);
		control_answer(fd, &t.out, "ReadError", msg);
	} else
		control_answer(fd, &t.out, NULL, NULL);
done:
	spool_close(sp);
	free((void *)q.recipients);
	free(cause);
	free(msg);
	ctl_rec_clear(&t.rec);
	buf_free(&t.out);
	return (0);
}

/* The integer field name of req into *v (dflt when absent); -1 if bad. */
static int
control_int(const struct ctl_rec *req, const char *name, int64_t dflt,
    int64_t *v)
{
	const char	*s = ctl_get(req, name);
	char		*end;
	long long	 n;

	*v = dflt;
	if (s == NULL || *s == '\0')
		return (0);
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return (-1);
	*v = (int64_t)n;
	return (0);
}

/*
 * The filters of an op track request; 0, or -1 with *msg for a field
 * that is not a number.
 */
static int
control_track_query(const struct ctl_rec *req, struct track_query *q,
    char **msg)
{
	const char	*bad = NULL;
	size_t		 i, n;

	if (control_int(req, "start", INT64_MIN, &q->start_ms) != 0)
		bad = "start";
	else if (control_int(req, "end", INT64_MAX, &q->end_ms) != 0)
		bad = "end";
	else if (control_int(req, "internal-message-id", -1,
	    &q->internal_message_id) != 0)
		bad = "internal-message-id";
	else if (control_int(req, "limit", CONTROL_TRACK_LIMIT,
	    &q->limit) != 0 || q->limit < 0)
		bad = "limit";
	if (bad != NULL) {
		xasprintf(msg, "The %s of a tracking query must be a "
		    "number%s.", bad, strcmp(bad, "limit") == 0 ?
		    " (0 for Unlimited)" : "");
		return (-1);
	}
	q->sender = ctl_get(req, "sender");
	q->event_id = ctl_get(req, "event-id");
	q->message_id = ctl_get(req, "message-id");
	q->subject = ctl_get(req, "subject");
	q->connector_id = ctl_get(req, "connector-id");
	q->reference = ctl_get(req, "reference");
	for (n = 0; ctl_get_nth(req, "recipient", n) != NULL; n++)
		;
	if (n > 0) {
		q->recipients = xreallocarray(NULL, n, sizeof *q->recipients);
		for (i = 0; i < n; i++)
			q->recipients[i] = ctl_get_nth(req, "recipient", i);
		q->nrecipients = n;
	}
	return (0);
}

/* One tracking record, named as Get-MessageTrackingLog's properties. */
static int
control_track_one(const struct track_event *ev, void *arg)
{
	struct control_track	*t = arg;
	struct ctl_rec		*r = &t->rec;

	ctl_rec_clear(r);
	track_event_rec(ev, r);
	ctl_encode(&t->out, r, false);
	t->count++;
	if (++t->pending >= CONTROL_FLUSH)
		return (control_track_flush(t));
	return (0);
}

/* Write the records gathered so far; non-zero stops the query. */
static int
control_track_flush(struct control_track *t)
{
	char	*why = NULL;

	t->pending = 0;
	if (ctl_write_all(t->fd, t->out.s, t->out.len, &why) != 0) {
		free(why);
		t->failed = true;
		return (1);
	}
	buf_reset(&t->out);
	return (0);
}

/*
 * Stop: no new connections; requests in progress get CONTROL_DRAIN_SECS
 * to finish, then their connections are cut.  The socket file goes,
 * unless another process has put its own there meanwhile.
 */
void
control_stop(struct control *c)
{
	struct control_conn	*cc;
	struct stat		 st;
	int			 left;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_broadcast(&c->done);
	pthread_mutex_unlock(&c->lock);
	if (c->started) {
		(void)write(c->wake[1], "", 1);
		pthread_join(c->thread, NULL);
	}
	close(c->fd);
	if (c->tls_fd != -1)
		close(c->tls_fd);
	close(c->wake[0]);
	close(c->wake[1]);
	if (stat(c->path, &st) == 0 && st.st_dev == c->dev &&
	    st.st_ino == c->ino && unlink(c->path) != 0)
		log_warnx("control: cannot remove %s: %s", c->path,
		    strerror(errno));

	pthread_mutex_lock(&c->lock);
	control_wait(c, CONTROL_DRAIN_SECS);
	TAILQ_FOREACH(cc, &c->conns, entry)
		(void)shutdown(cc->fd, SHUT_RDWR);
	control_wait(c, CONTROL_KILL_SECS);
	if ((left = c->nconns) > 0) {
		/*
		 * A probe does not notice its connection going; it ends by
		 * its own deadline.  Wait for it: the queue, resolver and
		 * TLS contexts it uses are freed once this returns.
		 */
		log_warnx("control: waiting for %d requests to end", left);
		while (c->nconns > 0)
			pthread_cond_wait(&c->done, &c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->lock);
	free(c->path);
	free(c->group);
	free(c->tls_listen);
	tls_ctx_free(c->tls);
	free(c);
}

/* Wait (c->lock held) until no connection is left or secs have passed. */
static void
control_wait(struct control *c, int secs)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += secs;
	while (c->nconns > 0) {
		if (pthread_cond_timedwait(&c->done, &c->lock, &ts) ==
		    ETIMEDOUT)
			break;
	}
}
