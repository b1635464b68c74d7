/*
 * smtpd.c - the ESMTP listener of hubd and its sessions (intake).
 *
 * hubd.c binds the listener with smtpd_bind() while still privileged,
 * starts it with smtpd_start() and ends it with smtpd_stop().  An accept
 * thread gives every connection a detached session thread with a small
 * stack, at most max_sessions at once.  hubd is an outbound relay with no
 * local domains: every recipient is relayed, and only clients inside the
 * relay networks may relay (an open relay is a defect).
 *
 * Invariants:
 * - The final reply to DATA is 250 only when queue_accept() returned 0,
 *   that is when the message is durable.
 * - Nothing the client sent before the TLS handshake is read after it
 *   (CVE-2011-0411).
 * - DATA ends at CRLF "." CRLF and nowhere else.  SMTP lines are CRLF
 *   lines: the dot rules (end of data, dot-stuffing) apply only to a line
 *   that follows a CRLF.  A bare LF is data and is stored as CRLF; a bare
 *   CR is stored as a space, as Postfix's cleanup_replace_stray_cr_lf
 *   does (a CR turned into a line end could split a header field in two).
 *   The stored body thus has CRLF line ends and no other CR or LF, so no
 *   later reading of it can find a different end of data (SMTP smuggling).
 * - Lines are read here from the struct io buffer (rbuf, roff, rlen),
 *   refilled with read(2) or tls_read(), rather than with io_getline():
 *   DATA must tell CRLF from a bare LF, which io_getline() strips, and an
 *   overlong line must be consumed through its end before the reply.
 * - smtpd_stop(): a session waiting for a command is answered 421 at
 *   once; one busy with a command (DATA, say) finishes it and then gets
 *   421; after SMTPD_DRAIN_SECS the rest are cut off unanswered, so
 *   their messages were never acknowledged and the clients send again.
 *
 * Mailbox syntax, the RFC 5322 date and the header field scanner, which
 * pickup.c needs too, are rfc5322.c's.
 */
#define _GNU_SOURCE	/* accept4(2), pipe2(2): close-on-exec at once */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"

#define SMTPD_STACK		(256 * 1024)
#define SMTPD_CMD_MAX		510	/* 512 octets with CRLF (4.5.3.1.4) */
#define SMTPD_TEXT_MAX		998	/* 1000 octets with CRLF (4.5.3.1.6) */
#define SMTPD_HELO_MAX		255
#define SMTPD_ENVID_MAX		100	/* RFC 3461 section 4.4 */
#define SMTPD_ORCPT_MAX		500	/* RFC 3461 section 4.2 */
#define SMTPD_MAX_ERRORS	10	/* then 421: not an SMTP client */
#define SMTPD_MAX_HOPS		30	/* Received fields: a mail loop */
#define SMTPD_OUT_FLUSH		8192	/* write replies beyond this */
#define SMTPD_DRAIN_SECS	30	/* stop: sessions may finish */
#define SMTPD_KILL_SECS		10	/* stop: after cutting them off */

/* How a line read by sess_getline() ended. */
#define LINE_CRLF	0x01
#define LINE_LF		0x02
#define LINE_LONG	0x04

/* What went wrong while reading DATA. */
#define DATA_LONG	0x01
#define DATA_BIG	0x02
#define DATA_MEM	0x04	/* max-data-memory reached */

#define SMTPD_REFUSED_LOG_SECS	10	/* between lines on refusals */

/* Who a client is, for max-sessions-per-client: an IPv4 address, or the
 * /64 of an IPv6 one (one host, one subnet). */
struct client_key {
	uint8_t		 af;
	uint8_t		 a[8];
};

struct session;

struct smtpd {
	int			 fd;		/* listening socket */
	int			 wake[2];	/* stops the accept thread */
	char			*listen;
	pthread_t		 thread;
	bool			 started;

	pthread_mutex_t		 lock;		/* all below */
	pthread_cond_t		 done;		/* a session ended */
	TAILQ_HEAD(, session)	 sessions;
	int			 nsessions;
	bool			 stopping;
	unsigned int		 serial;
	int64_t			 data_held;	/* DATA bytes of all sessions */
	struct log_limit	 refused_log;
	struct log_limit	 memory_log;
};

struct session {
	TAILQ_ENTRY(session)	 entry;
	struct smtpd		*sd;
	bool			 idle;		/* awaits a command; sd->lock */
	struct io		 io;
	struct sockaddr_storage	 peer;
	struct client_key	 client;
	bool			 relay;		/* from relay-networks: may relay */
	size_t			 held;		/* DATA bytes counted */
	char			 ip[INET6_ADDRSTRLEN];
	char			 id[32];
	char			*helo;
	bool			 esmtp;
	bool			 tls;
	struct tls_info		 tlsinfo;
	int			 errors;
	bool			 quit;
	const char		*why;		/* why the session ended */
	int			 nmsgs;
	int			 nrefused;

	/* The mail transaction. */
	bool			 has_mail;
	char			*sender;
	char			*envid;
	bool			 ret_hdrs;
	bool			 requiretls;	/* MAIL FROM ... REQUIRETLS */
	struct spool_rcpt	*rcpts;
	size_t			 nrcpts;

	struct buf		 out;		/* replies not yet written */
	struct buf		 line;
};

struct smtpd_cmd {
	const char	*name;
	void		(*fn)(struct session *, char *);
};

static void	*smtpd_accept_loop(void *);
static void	 smtpd_accept_one(struct smtpd *);
static void	 smtpd_refuse(int, const char *);
static const char *smtpd_full(struct smtpd *, const struct client_key *,
		    bool);
static void	 smtpd_client_key(const struct sockaddr_storage *,
		    struct client_key *);
static int	 smtpd_spawn(struct smtpd *, int, struct sockaddr_storage *,
		    const struct client_key *, bool);
static void	 smtpd_wait(struct smtpd *, int);
static bool	 relay_net_match(const char *, int, const uint8_t *);
static const char *smtpd_hostname(void);
static int	 smtpd_timeout_ms(int);

static void	*sess_main(void *);
static void	 sess_setup(struct session *);
static void	 sess_loop(struct session *);
static bool	 sess_begin_command(struct session *);
static void	 sess_command(struct session *);
static void	 sess_end(struct session *);
static void	 sess_reset(struct session *);
static void	 sess_vreply(struct session *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	 sess_reply(struct session *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 sess_error(struct session *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	 sess_flush(struct session *);
static enum io_status sess_fill(struct session *, int64_t);
static enum io_status sess_getline(struct session *, size_t, int64_t, int *);
static void	 sess_read_failed(struct session *, enum io_status);

static void	 cmd_ehlo(struct session *, char *);
static void	 cmd_helo(struct session *, char *);
static void	 cmd_mail(struct session *, char *);
static int	 mail_param(struct session *, char *);
static void	 cmd_rcpt(struct session *, char *);
static int	 rcpt_param(struct session *, char *, int *, char **);
static void	 rcpt_add(struct session *, const char *, int, char *);
static void	 cmd_data(struct session *, char *);
static enum io_status data_read(struct session *, struct buf *, int *);
static bool	 data_hold(struct session *, size_t);
static void	 data_release(struct session *);
static void	 data_add_line(struct buf *, const char *, size_t);
static void	 data_received(struct session *, struct buf *);
static void	 data_queue(struct session *, struct buf *, size_t);
static int	 data_headers(struct spool_msg *, const char *, size_t);
static void	 cmd_rset(struct session *, char *);
static void	 cmd_noop(struct session *, char *);
static void	 cmd_quit(struct session *, char *);
static void	 cmd_vrfy(struct session *, char *);
static void	 cmd_help(struct session *, char *);
static void	 cmd_starttls(struct session *, char *);

static bool	 helo_valid(const char *);
static int	 parse_path(char *, const char *, char **, char **);
static char	*next_param(char **);
static char	*xtext_decode(const char *, size_t);

static const struct smtpd_cmd smtpd_cmds[] = {
	{ "EHLO",	cmd_ehlo },
	{ "HELO",	cmd_helo },
	{ "MAIL",	cmd_mail },
	{ "RCPT",	cmd_rcpt },
	{ "DATA",	cmd_data },
	{ "RSET",	cmd_rset },
	{ "NOOP",	cmd_noop },
	{ "QUIT",	cmd_quit },
	{ "VRFY",	cmd_vrfy },
	{ "HELP",	cmd_help },
	{ "STARTTLS",	cmd_starttls },
};

/* ------------------------------------------------------------------ */
/* The listener. */

int
smtpd_bind(struct smtpd **sdp, const char *listen, char **cause)
{
	struct smtpd		*sd;
	pthread_condattr_t	 ca;
	int			 fd;

	*sdp = NULL;
	if ((fd = io_listen_at("listen", listen, 25, SOMAXCONN, cause)) == -1)
		return (-1);

	sd = xcalloc(1, sizeof *sd);
	sd->fd = fd;
	sd->listen = xstrdup(listen);
	if (pipe2(sd->wake, O_CLOEXEC) != 0) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		close(fd);
		free(sd->listen);
		free(sd);
		return (-1);
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sd->done, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&sd->lock, NULL);
	TAILQ_INIT(&sd->sessions);
	sd->refused_log.secs = SMTPD_REFUSED_LOG_SECS;
	sd->memory_log.secs = SMTPD_REFUSED_LOG_SECS;
	*sdp = sd;
	return (0);
}

int
smtpd_start(struct smtpd *sd, char **cause)
{
	int	error;

	if ((error = pthread_create(&sd->thread, NULL, smtpd_accept_loop,
	    sd)) != 0) {
		xasprintf(cause, "smtpd thread: %s", strerror(error));
		return (-1);
	}
	sd->started = true;
	log_info("smtpd: listening on %s", sd->listen);
	return (0);
}

/* The accept thread: until smtpd_stop() writes to the wake pipe. */
static void *
smtpd_accept_loop(void *arg)
{
	struct smtpd	*sd = arg;
	struct pollfd	 pfd[2];

	thread_name("smtpd-accept");
	for (;;) {
		pfd[0].fd = sd->fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = sd->wake[0];
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_warnx("smtpd: poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents != 0)
			smtpd_accept_one(sd);
	}
	return (NULL);
}

/*
 * Accept one connection and give it a session, or refuse it: when hubd
 * stops, when max-sessions are open, when only the reserve for the relay
 * networks is left and the client is not in them, or when the client
 * has max-sessions-per-client open already (relay-networks clients are
 * not counted, as Postfix exempts mynetworks).  Refusals are logged at
 * most once every SMTPD_REFUSED_LOG_SECS: a client that keeps trying
 * must not fill the log.
 */
static void
smtpd_accept_one(struct smtpd *sd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	int			 fd;

	fd = accept4(sd->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* Out of descriptors: do not spin on the backlog. */
			log_warnx("smtpd: accept: %s", strerror(errno));
			usleep(100 * 1000);
		}
		return;
	}
	(void)smtpd_serve(sd, fd, &ss);
}

/*
 * A session for fd, connected from peer (accepted here, or the fuzzer's
 * socketpair), or a 421 and the end when the limits say no; -1 then,
 * with fd closed.
 */
int
smtpd_serve(struct smtpd *sd, int fd, const struct sockaddr_storage *peer)
{
	struct sockaddr_storage	 ss = *peer;
	struct client_key	 key;
	const char		*why;
	char			 ip[INET6_ADDRSTRLEN];
	uint64_t		 quiet;
	bool			 relay;

	relay = smtpd_relay_allowed((struct sockaddr *)&ss);
	smtpd_client_key(&ss, &key);
	pthread_mutex_lock(&sd->lock);
	why = smtpd_full(sd, &key, relay);
	pthread_mutex_unlock(&sd->lock);
	if (why != NULL) {
		if (log_limit(&sd->refused_log, &quiet)) {
			if (getnameinfo((struct sockaddr *)&ss,
			    ss.ss_family == AF_INET ?
			    sizeof(struct sockaddr_in) :
			    sizeof(struct sockaddr_in6), ip, sizeof ip, NULL,
			    0, NI_NUMERICHOST) != 0)
				snprintf(ip, sizeof ip, "?");
			log_info("smtpd: connection from [%s] refused: %s%s",
			    ip, why, quiet > 0 ? " (and others since the last "
			    "line)" : "");
		}
		smtpd_refuse(fd, "421 4.3.2 The maximum number of concurrent "
		    "connections has exceeded a limit, closing transmission "
		    "channel\r\n");
		return (-1);
	}
	if (smtpd_spawn(sd, fd, &ss, &key, relay) != 0) {
		smtpd_refuse(fd, "421 4.3.2 Service not available, closing "
		    "transmission channel\r\n");
		return (-1);
	}
	return (0);
}

int
smtpd_sessions(struct smtpd *sd)
{
	int	n;

	pthread_mutex_lock(&sd->lock);
	n = sd->nsessions;
	pthread_mutex_unlock(&sd->lock);
	return (n);
}

/*
 * Why a new session for client key may not start (sd->lock held), or
 * NULL.  A thread per session: max-sessions bounds memory and threads.
 */
static const char *
smtpd_full(struct smtpd *sd, const struct client_key *key, bool relay)
{
	const struct hubd_conf	*c = env->conf;
	struct session		*s;
	int			 reserve = c->relay_reserved_sessions, n = 0;

	if (reserve < 0)
		reserve = c->max_sessions / 10;
	if (sd->stopping)
		return ("shutting down");
	if (sd->nsessions >= c->max_sessions)
		return ("max-sessions reached");
	if (relay)
		return (NULL);
	if (sd->nsessions >= c->max_sessions - reserve)
		return ("only the sessions reserved for the relay networks "
		    "are left (relay-reserved-sessions)");
	TAILQ_FOREACH(s, &sd->sessions, entry) {
		if (memcmp(&s->client, key, sizeof *key) == 0)
			n++;
	}
	if (n >= c->max_sessions_per_client)
		return ("max-sessions-per-client reached");
	return (NULL);
}

/* The client key of a peer address (see struct client_key). */
static void
smtpd_client_key(const struct sockaddr_storage *ss, struct client_key *key)
{
	const struct sockaddr_in6	*sin6;

	memset(key, 0, sizeof *key);
	key->af = (uint8_t)ss->ss_family;
	if (ss->ss_family == AF_INET)
		memcpy(key->a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else if (ss->ss_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)ss;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			key->af = AF_INET;
			memcpy(key->a, &sin6->sin6_addr.s6_addr[12], 4);
		} else
			memcpy(key->a, &sin6->sin6_addr, 8);
	}
}

/* Say why and close, never blocking the accept thread. */
static void
smtpd_refuse(int fd, const char *reply)
{
	(void)send(fd, reply, strlen(reply), MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

/* Start a detached session thread for fd. */
static int
smtpd_spawn(struct smtpd *sd, int fd, struct sockaddr_storage *ss,
    const struct client_key *key, bool relay)
{
	struct session	*s;
	pthread_attr_t	 attr;
	pthread_t	 t;
	int		 error;

	s = xcalloc(1, sizeof *s);
	s->sd = sd;
	s->peer = *ss;
	s->client = *key;
	s->relay = relay;
	io_init(&s->io, fd, smtpd_timeout_ms(env->conf->command_timeout));
	buf_init(&s->out);
	buf_init(&s->line);

	pthread_mutex_lock(&sd->lock);
	snprintf(s->id, sizeof s->id, "%08llX%08X",
	    (unsigned long long)time(NULL), ++sd->serial);
	TAILQ_INSERT_TAIL(&sd->sessions, s, entry);
	sd->nsessions++;
	pthread_mutex_unlock(&sd->lock);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, SMTPD_STACK);
	error = pthread_create(&t, &attr, sess_main, s);
	pthread_attr_destroy(&attr);
	if (error == 0)
		return (0);

	log_warnx("smtpd: session thread: %s", strerror(error));
	pthread_mutex_lock(&sd->lock);
	TAILQ_REMOVE(&sd->sessions, s, entry);
	sd->nsessions--;
	pthread_mutex_unlock(&sd->lock);
	buf_free(&s->out);
	buf_free(&s->line);
	free(s);
	return (-1);
}

void
smtpd_stop(struct smtpd *sd)
{
	struct session	*s;
	int		 left;

	if (sd == NULL)
		return;
	pthread_mutex_lock(&sd->lock);
	sd->stopping = true;
	pthread_mutex_unlock(&sd->lock);
	if (sd->started) {
		(void)write(sd->wake[1], "", 1);
		pthread_join(sd->thread, NULL);
	}
	close(sd->fd);
	close(sd->wake[0]);
	close(sd->wake[1]);

	/*
	 * Sessions waiting for a command end now: shutting down the read
	 * side wakes them.  A session busy with a command (DATA, say) ends
	 * after its reply; a message already answered 250 is on disk.
	 */
	pthread_mutex_lock(&sd->lock);
	TAILQ_FOREACH(s, &sd->sessions, entry)
		if (s->idle)
			(void)shutdown(s->io.fd, SHUT_RD);
	smtpd_wait(sd, SMTPD_DRAIN_SECS);
	TAILQ_FOREACH(s, &sd->sessions, entry)
		(void)shutdown(s->io.fd, SHUT_RDWR);
	smtpd_wait(sd, SMTPD_KILL_SECS);
	left = sd->nsessions;
	pthread_mutex_unlock(&sd->lock);
	if (left > 0) {
		/* They still point at sd: leak it rather than free it. */
		log_warnx("smtpd: %d sessions did not end", left);
		return;
	}
	pthread_cond_destroy(&sd->done);
	pthread_mutex_destroy(&sd->lock);
	log_info("smtpd: stopped");
	free(sd->listen);
	free(sd);
}

/* Wait (sd->lock held) until no session is left or secs have passed. */
static void
smtpd_wait(struct smtpd *sd, int secs)
{
	struct timespec	ts;

	if (!sd->started)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += secs;
	while (sd->nsessions > 0) {
		if (pthread_cond_timedwait(&sd->done, &sd->lock, &ts) ==
		    ETIMEDOUT)
			break;
	}
}

bool
smtpd_relay_allowed(const struct sockaddr *sa)
{
	const struct sockaddr_in6	*sin6;
	const char *const		*nets;
	uint8_t				 v4[4], v6[16];
	bool				 has4 = false, has6 = false;
	size_t				 i, n;

	if (sa->sa_family == AF_INET) {
		memcpy(v4, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		has4 = true;
	} else if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)sa;
		memcpy(v6, &sin6->sin6_addr, 16);
		has6 = true;
		/* ::ffff:a.b.c.d is the IPv4 client a.b.c.d. */
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			memcpy(v4, v6 + 12, 4);
			has4 = true;
		}
	} else
		return (false);

	/* conf_defaults() sets loopback; an empty list relays for no one. */
	nets = (const char *const *)env->conf->relay_nets;
	n = env->conf->nrelay_nets;
	for (i = 0; i < n; i++) {
		if ((has4 && relay_net_match(nets[i], AF_INET, v4)) ||
		    (has6 && relay_net_match(nets[i], AF_INET6, v6)))
			return (true);
	}
	return (false);
}

/* Is the address a (af) inside net ("addr" or "addr/bits")? */
static bool
relay_net_match(const char *net, int af, const uint8_t *a)
{
	char		 host[INET6_ADDRSTRLEN + 8], *slash, *end;
	uint8_t		 n[16], mask;
	long		 bits;
	int		 naf, max, full;

	if ((size_t)snprintf(host, sizeof host, "%s", net) >= sizeof host)
		return (false);
	if ((slash = strchr(host, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, host, n) == 1) {
		naf = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, n) == 1) {
		naf = AF_INET6;
		max = 128;
	} else
		return (false);
	if (naf != af)
		return (false);
	bits = max;
	if (slash != NULL) {
		errno = 0;
		bits = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || bits < 0 || bits > max)
			return (false);
	}
	full = (int)bits / 8;
	if (memcmp(n, a, full) != 0)
		return (false);
	if (bits % 8 == 0)
		return (true);
	mask = (uint8_t)(0xff << (8 - bits % 8));
	return ((n[full] & mask) == (a[full] & mask));
}

/* Our name in the greeting, EHLO reply and Received fields. */
static const char *
smtpd_hostname(void)
{
	if (env->hostname == NULL || *env->hostname == '\0')
		return ("localhost");
	return (env->hostname);
}

/* Seconds from the configuration to a poll(2) timeout. */
static int
smtpd_timeout_ms(int secs)
{
	if (secs <= 0)
		return (-1);
	if (secs > 86400)
		secs = 86400;
	return (secs * 1000);
}

/* ------------------------------------------------------------------ */
/* Sessions. */

/* A session thread: greeting, commands, end. */
static void *
sess_main(void *arg)
{
	struct session	*s = arg;

	thread_name("smtpd");
	sess_setup(s);
	sess_reply(s, "220 %s hubd ESMTP ready", smtpd_hostname());
	if (sess_flush(s) == 0)
		sess_loop(s);
	sess_end(s);
	return (NULL);
}

/* The peer address as text ("192.0.2.1", an IPv4-mapped one so too). */
static void
sess_setup(struct session *s)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&s->peer;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&s->peer;

	if (s->peer.ss_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, s->ip, sizeof s->ip);
	else if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], s->ip,
		    sizeof s->ip);
	else
		inet_ntop(AF_INET6, &sin6->sin6_addr, s->ip, sizeof s->ip);
	s->why = "QUIT";
	log_debug("smtpd %s: connection from [%s]", s->id, s->ip);
}

/* Commands until QUIT, an error, a timeout or smtpd_stop(). */
static void
sess_loop(struct session *s)
{
	enum io_status	st;
	int		flags, tmo;

	tmo = smtpd_timeout_ms(env->conf->command_timeout);
	while (!s->quit) {
		if (!sess_begin_command(s))
			break;
		/* command-timeout bounds the whole command, not each read. */
		s->io.deadline = io_deadline(tmo);
		st = sess_getline(s, SMTPD_CMD_MAX, s->io.deadline, &flags);
		pthread_mutex_lock(&s->sd->lock);
		s->idle = false;
		pthread_mutex_unlock(&s->sd->lock);
		if (st != IO_OK) {
			sess_read_failed(s, st);
			break;
		}
		if (flags & LINE_LONG)
			sess_error(s, "500 5.5.2 Line too long");
		else if (memchr(s->line.s, '\0', s->line.len) != NULL) {
			/* C strings would end there: "MAIL FROM:<a>\0 SIZE=". */
			sess_error(s, "501 5.5.2 Syntax error: NUL character "
			    "in command");
		} else
			sess_command(s);
		if (s->errors >= SMTPD_MAX_ERRORS && !s->quit) {
			/* Likely not SMTP at all (an HTTP request, say). */
			sess_reply(s, "421 4.7.0 Too many errors on this "
			    "connection, closing transmission channel");
			s->why = "too many errors";
			s->quit = true;
		}
	}
	(void)sess_flush(s);
}

/* Mark the session idle, unless hubd is stopping (then say so). */
static bool
sess_begin_command(struct session *s)
{
	bool	stopping;

	pthread_mutex_lock(&s->sd->lock);
	stopping = s->sd->stopping;
	s->idle = !stopping;
	pthread_mutex_unlock(&s->sd->lock);
	if (stopping) {
		sess_reply(s, "421 4.3.2 Service not available, closing "
		    "transmission channel");
		s->why = "shutting down";
	}
	return (!stopping);
}

/* A read ended the session: say why when the client can still hear. */
static void
sess_read_failed(struct session *s, enum io_status st)
{
	bool	stopping;

	pthread_mutex_lock(&s->sd->lock);
	stopping = s->sd->stopping;
	pthread_mutex_unlock(&s->sd->lock);
	if (stopping) {
		sess_reply(s, "421 4.3.2 Service not available, closing "
		    "transmission channel");
		s->why = "shutting down";
	} else if (st == IO_TIMEOUT) {
		sess_reply(s, "421 4.4.2 %s Connection timed out",
		    smtpd_hostname());
		s->why = "timeout";
	} else if (st == IO_EOF)
		s->why = "connection closed";
	else
		s->why = "read error";
	s->quit = true;
}

/* Run the command in s->line. */
static void
sess_command(struct session *s)
{
	char	*line = s->line.s, *args;
	size_t	 i, n;

	n = strcspn(line, " ");
	args = line + n;
	while (*args == ' ')
		args++;
	for (i = strlen(args); i > 0 && (args[i - 1] == ' ' ||
	    args[i - 1] == '\t'); i--)
		args[i - 1] = '\0';
	for (i = 0; i < sizeof smtpd_cmds / sizeof smtpd_cmds[0]; i++) {
		if (strlen(smtpd_cmds[i].name) == n &&
		    strncasecmp(line, smtpd_cmds[i].name, n) == 0) {
			smtpd_cmds[i].fn(s, args);
			return;
		}
	}
	sess_error(s, "500 5.3.3 Unrecognized command");
}

/* Log the session, close it and let smtpd_stop() know. */
static void
sess_end(struct session *s)
{
	struct smtpd	*sd = s->sd;

	log_info("smtpd %s: [%s] helo=%s tls=%s messages=%d refused=%d: %s",
	    s->id, s->ip, s->helo != NULL ? s->helo : "-",
	    s->tls ? s->tlsinfo.version : "no", s->nmsgs, s->nrefused,
	    s->why);
	/* Out of the list before the fd is closed and its number reused. */
	pthread_mutex_lock(&sd->lock);
	TAILQ_REMOVE(&sd->sessions, s, entry);
	pthread_mutex_unlock(&sd->lock);
	sess_reset(s);
	io_close(&s->io);
	free(s->helo);
	buf_free(&s->out);
	buf_free(&s->line);
	free(s);

	pthread_mutex_lock(&sd->lock);
	sd->nsessions--;
	pthread_cond_signal(&sd->done);
	pthread_mutex_unlock(&sd->lock);
}

/* Forget the mail transaction. */
static void
sess_reset(struct session *s)
{
	size_t	i;

	for (i = 0; i < s->nrcpts; i++) {
		free(s->rcpts[i].addr);
		free(s->rcpts[i].orcpt);
	}
	free(s->rcpts);
	s->rcpts = NULL;
	s->nrcpts = 0;
	free(s->sender);
	s->sender = NULL;
	free(s->envid);
	s->envid = NULL;
	s->ret_hdrs = false;
	s->requiretls = false;
	s->has_mail = false;
}

/* Queue a reply line; written before the next read would block. */
static void
sess_vreply(struct session *s, const char *fmt, va_list ap)
{
	buf_vaddf(&s->out, fmt, ap);
	buf_add(&s->out, "\r\n", 2);
	if (s->out.len > SMTPD_OUT_FLUSH)
		(void)sess_flush(s);
}

static void
sess_reply(struct session *s, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	sess_vreply(s, fmt, ap);
	va_end(ap);
}

/* A reply to a bad command; too many of them end the session. */
static void
sess_error(struct session *s, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	sess_vreply(s, fmt, ap);
	va_end(ap);
	s->errors++;
}

/* Write the queued replies; -1 ends the session. */
static int
sess_flush(struct session *s)
{
	enum io_status	st;

	if (s->out.len == 0)
		return (0);
	st = io_write(&s->io, s->out.s, s->out.len);
	buf_reset(&s->out);
	if (st != IO_OK) {
		if (!s->quit)
			s->why = "write error";
		s->quit = true;
		return (-1);
	}
	return (0);
}

/*
 * Read more input into the empty io buffer.  Replies still queued are
 * written first: this is the PIPELINING rule, answer once no further
 * command is buffered.
 */
static enum io_status
sess_fill(struct session *s, int64_t deadline)
{
	struct io	*io = &s->io;
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 rc;

	if (sess_flush(s) != 0)
		return (IO_ERROR);
	io->roff = io->rlen = 0;
	if (io->tls != NULL) {
		n = tls_read(io->tls, io->rbuf, sizeof io->rbuf,
		    io_remaining(deadline));
		if (n == 0)
			return (IO_EOF);
		if (n < 0)
			return (errno == ETIMEDOUT ? IO_TIMEOUT : IO_ERROR);
		io->rlen = (size_t)n;
		return (IO_OK);
	}
	/* The fd is non-blocking (io_init): wait in poll(2), bounded. */
	pfd.fd = io->fd;
	pfd.events = POLLIN;
	while ((n = read(io->fd, io->rbuf, sizeof io->rbuf)) == -1) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return (IO_ERROR);
		if ((rc = poll(&pfd, 1, io_remaining(deadline))) == 0)
			return (IO_TIMEOUT);
		if (rc == -1 && errno != EINTR)
			return (IO_ERROR);
	}
	if (n == 0)
		return (IO_EOF);
	io->rlen = (size_t)n;
	return (IO_OK);
}

/*
 * Read one line into s->line: the bytes up to LF without the line end.
 * *flags says whether it ended with CRLF or a bare LF; a line with more
 * than max bytes is consumed through its end, dropped and flagged
 * LINE_LONG.  Memory stays bounded by max whatever the client sends, and
 * time by deadline (io_now_ms()), however the bytes trickle in.
 */
static enum io_status
sess_getline(struct session *s, size_t max, int64_t deadline, int *flags)
{
	struct io	*io = &s->io;
	struct buf	*line = &s->line;
	const char	*p, *lf;
	enum io_status	 st;
	size_t		 n, take;
	char		 last = '\0';

	buf_reset(line);
	*flags = 0;
	for (;;) {
		if (io->roff >= io->rlen) {
			if ((st = sess_fill(s, deadline)) != IO_OK)
				return (st);
		}
		p = io->rbuf + io->roff;
		n = io->rlen - io->roff;
		lf = memchr(p, '\n', n);
		take = lf != NULL ? (size_t)(lf - p) : n;
		if (take > 0)
			last = p[take - 1];
		/* max + 1: room for the CR of the CRLF. */
		if (!(*flags & LINE_LONG) && line->len + take > max + 1) {
			*flags |= LINE_LONG;
			buf_reset(line);
		}
		if (!(*flags & LINE_LONG))
			buf_add(line, p, take);
		io->roff += take;
		if (lf != NULL) {
			io->roff++;
			break;
		}
	}
	if (last == '\r') {
		*flags |= LINE_CRLF;
		if (line->len > 0)
			line->s[--line->len] = '\0';
	} else
		*flags |= LINE_LF;
	if (line->len > max) {
		*flags |= LINE_LONG;
		buf_reset(line);
	}
	return (IO_OK);
}

/* ------------------------------------------------------------------ */
/* Commands. */

/* EHLO: a fresh start (RFC 5321 4.1.4) and the extensions. */
static void
cmd_ehlo(struct session *s, char *args)
{
	int64_t	max = env->conf->max_message_size;

	if (!helo_valid(args)) {
		sess_error(s, "501 5.5.4 Invalid domain name");
		return;
	}
	sess_reset(s);
	free(s->helo);
	s->helo = xstrdup(args);
	s->esmtp = true;
	sess_reply(s, "250-%s Hello [%s]", smtpd_hostname(), s->ip);
	if (max > 0)
		sess_reply(s, "250-SIZE %lld", (long long)max);
	else
		sess_reply(s, "250-SIZE");
	sess_reply(s, "250-PIPELINING");
	sess_reply(s, "250-DSN");
	sess_reply(s, "250-ENHANCEDSTATUSCODES");
	if (env->tls_server != NULL && !s->tls)
		sess_reply(s, "250-STARTTLS");
	/* RFC 8689 3: the sender's demand is made inside TLS only. */
	if (s->tls)
		sess_reply(s, "250-REQUIRETLS");
	sess_reply(s, "250 8BITMIME");
}

/* HELO: as EHLO without extensions. */
static void
cmd_helo(struct session *s, char *args)
{
	if (!helo_valid(args)) {
		sess_error(s, "501 5.5.4 Invalid domain name");
		return;
	}
	sess_reset(s);
	free(s->helo);
	s->helo = xstrdup(args);
	s->esmtp = false;
	sess_reply(s, "250 %s Hello [%s]", smtpd_hostname(), s->ip);
}

/* MAIL FROM:<sender> [SIZE= BODY= RET= ENVID=]; <> is allowed. */
static void
cmd_mail(struct session *s, char *args)
{
	char	*addr, *rest, *p;

	if (s->helo == NULL) {
		sess_error(s, "503 5.5.2 Send hello first");
		return;
	}
	if (s->has_mail) {
		sess_error(s, "503 5.5.2 Sender already specified");
		return;
	}
	if (parse_path(args, "FROM:", &addr, &rest) != 0) {
		sess_error(s, "501 5.5.4 Invalid arguments");
		return;
	}
	if (*addr != '\0' && !rfc5322_addr_valid(addr)) {
		sess_error(s, "501 5.1.7 Invalid address");
		return;
	}
	while ((p = next_param(&rest)) != NULL) {
		if (mail_param(s, p) != 0) {
			free(s->envid);
			s->envid = NULL;
			s->ret_hdrs = false;
			s->requiretls = false;
			return;
		}
	}
	s->sender = xstrdup(addr);
	s->has_mail = true;
	sess_reply(s, "250 2.1.0 Sender OK");
}

/* One MAIL FROM parameter; on error the reply is queued, -1. */
static int
mail_param(struct session *s, char *p)
{
	char		*v, *end;
	long long	 size;
	int64_t		 max = env->conf->max_message_size;

	if (strcasecmp(p, "REQUIRETLS") == 0) {
		/* Not offered outside TLS: a demand there cannot be kept. */
		if (!s->tls) {
			sess_error(s, "530 5.7.10 REQUIRETLS needs a TLS "
			    "session");
			return (-1);
		}
		if (s->requiretls)
			goto bad;
		s->requiretls = true;
		return (0);
	}
	if ((v = strchr(p, '=')) == NULL) {
		sess_error(s, "555 5.5.4 Unsupported parameter");
		return (-1);
	}
	*v++ = '\0';
	if (strcasecmp(p, "SIZE") == 0) {
		errno = 0;
		size = strtoll(v, &end, 10);
		if (*v < '0' || *v > '9' || *end != '\0' || errno != 0)
			goto bad;
		if (max > 0 && size > max) {
			sess_reply(s, "552 5.3.4 Message size exceeds fixed "
			    "maximum message size");
			return (-1);
		}
	} else if (strcasecmp(p, "BODY") == 0) {
		if (strcasecmp(v, "7BIT") != 0 &&
		    strcasecmp(v, "8BITMIME") != 0)
			goto bad;
	} else if (strcasecmp(p, "RET") == 0) {
		if (strcasecmp(v, "HDRS") != 0 && strcasecmp(v, "FULL") != 0)
			goto bad;
		s->ret_hdrs = strcasecmp(v, "HDRS") == 0;
	} else if (strcasecmp(p, "ENVID") == 0) {
		if (s->envid != NULL || strlen(v) > SMTPD_ENVID_MAX * 3 ||
		    (s->envid = xtext_decode(v, strlen(v))) == NULL ||
		    strlen(s->envid) > SMTPD_ENVID_MAX)
			goto bad;
	} else {
		sess_error(s, "555 5.5.4 Unsupported parameter");
		return (-1);
	}
	return (0);
bad:
	sess_error(s, "501 5.5.4 Invalid %s parameter", p);
	return (-1);
}

/* RCPT TO:<addr> [NOTIFY= ORCPT=]: syntax, relay right, limit. */
static void
cmd_rcpt(struct session *s, char *args)
{
	char	*addr, *rest, *p, *orcpt = NULL;
	int	 notify = 0, max = env->conf->max_recipients;

	if (!s->has_mail) {
		sess_error(s, "503 5.5.2 Need mail command");
		return;
	}
	if (parse_path(args, "TO:", &addr, &rest) != 0) {
		sess_error(s, "501 5.5.4 Invalid arguments");
		return;
	}
	if (!rfc5322_addr_valid(addr)) {
		sess_error(s, "501 5.1.3 Invalid address");
		return;
	}
	while ((p = next_param(&rest)) != NULL) {
		if (rcpt_param(s, p, &notify, &orcpt) != 0) {
			free(orcpt);
			return;
		}
	}
	/*
	 * hubd has no local domains: every recipient is relayed, and only
	 * clients in the relay networks may relay (else an open relay).
	 */
	if (!s->relay) {
		log_info("smtpd %s: [%s] relay denied to <%s>", s->id, s->ip,
		    addr);
		s->nrefused++;
		sess_reply(s, "550 5.7.54 SMTP; Unable to relay recipient in "
		    "non-accepted domain");
		free(orcpt);
		return;
	}
	if (max > 0 && s->nrcpts >= (size_t)max) {
		sess_reply(s, "452 4.5.3 Too many recipients");
		free(orcpt);
		return;
	}
	rcpt_add(s, addr, notify, orcpt);
	sess_reply(s, "250 2.1.5 Recipient OK");
}

/* One RCPT TO parameter (NOTIFY=, ORCPT=); on error the reply, -1. */
static int
rcpt_param(struct session *s, char *p, int *notify, char **orcpt)
{
	char	*v, *tok, *semi, *dec;

	if ((v = strchr(p, '=')) != NULL)
		*v++ = '\0';
	if (v != NULL && strcasecmp(p, "NOTIFY") == 0 && *notify == 0) {
		while ((tok = strsep(&v, ",")) != NULL) {
			if (strcasecmp(tok, "NEVER") == 0)
				*notify |= SPOOL_NOTIFY_NEVER;
			else if (strcasecmp(tok, "SUCCESS") == 0)
				*notify |= SPOOL_NOTIFY_SUCCESS;
			else if (strcasecmp(tok, "FAILURE") == 0)
				*notify |= SPOOL_NOTIFY_FAILURE;
			else if (strcasecmp(tok, "DELAY") == 0)
				*notify |= SPOOL_NOTIFY_DELAY;
			else
				*notify = -1;
			if (*notify == -1)
				break;
		}
		/* NEVER stands alone (RFC 3461 section 4.1). */
		if (*notify == -1 || ((*notify & SPOOL_NOTIFY_NEVER) &&
		    *notify != SPOOL_NOTIFY_NEVER)) {
			sess_error(s, "501 5.5.4 Invalid NOTIFY parameter");
			return (-1);
		}
		return (0);
	}
	if (v != NULL && strcasecmp(p, "ORCPT") == 0 && *orcpt == NULL) {
		semi = strchr(v, ';');
		if (semi == NULL || semi == v || strlen(v) > SMTPD_ORCPT_MAX ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
		    (size_t)(semi - v) ||
		    (dec = xtext_decode(semi + 1, strlen(semi + 1))) == NULL) {
			sess_error(s, "501 5.5.4 Invalid ORCPT parameter");
			return (-1);
		}
		xasprintf(orcpt, "%.*s;%s", (int)(semi - v), v, dec);
		free(dec);
		return (0);
	}
	if (strcasecmp(p, "NOTIFY") == 0 || strcasecmp(p, "ORCPT") == 0)
		sess_error(s, "501 5.5.4 Invalid arguments");
	else
		sess_error(s, "555 5.5.4 Unsupported parameter");
	return (-1);
}

/* Add a recipient; the same address twice is delivered once. */
static void
rcpt_add(struct session *s, const char *addr, int notify, char *orcpt)
{
	struct spool_rcpt	*r;
	size_t			 i;

	for (i = 0; i < s->nrcpts; i++) {
		if (strcasecmp(s->rcpts[i].addr, addr) == 0) {
			free(orcpt);
			return;
		}
	}
	s->rcpts = xreallocarray(s->rcpts, s->nrcpts + 1, sizeof *s->rcpts);
	r = &s->rcpts[s->nrcpts++];
	memset(r, 0, sizeof *r);
	r->addr = xstrdup(addr);
	r->notify = notify;
	r->orcpt = orcpt;
	r->state = SPOOL_RCPT_QUEUED;
}

/* DATA: read the message and queue it, or say why not. */
static void
cmd_data(struct session *s, char *args)
{
	struct buf	body;
	enum io_status	st;
	size_t		hdroff;
	int		bad = 0;

	if (*args != '\0') {
		sess_error(s, "501 5.5.4 Invalid arguments");
		return;
	}
	if (!s->has_mail) {
		sess_error(s, "503 5.5.2 Need mail command");
		return;
	}
	if (s->nrcpts == 0) {
		sess_error(s, "503 5.5.2 Need rcpt command");
		return;
	}
	sess_reply(s, "354 Start mail input; end with <CRLF>.<CRLF>");
	if (sess_flush(s) != 0)
		return;
	buf_init(&body);
	data_received(s, &body);
	hdroff = body.len;
	if ((st = data_read(s, &body, &bad)) != IO_OK)
		sess_read_failed(s, st);
	else if (bad & DATA_LONG)
		sess_reply(s, "500 5.5.2 Line too long");
	else if (bad & DATA_BIG)
		sess_reply(s, "552 5.3.4 Message size exceeds fixed maximum "
		    "message size");
	else if (bad & DATA_MEM)
		sess_reply(s, "452 4.3.1 Insufficient system resources");
	else
		data_queue(s, &body, hdroff);
	buf_free(&body);
	data_release(s);
	sess_reset(s);
	(void)sess_flush(s);
}

/*
 * Read the message through CRLF "." CRLF into body: undo dot-stuffing,
 * store every line with CRLF.  A too long line, too much data, or more
 * than the sessions together may hold (max-data-memory) is read to the
 * end and discarded, then reported in *bad.  data-timeout bounds the
 * whole of it.
 */
static enum io_status
data_read(struct session *s, struct buf *body, int *bad)
{
	int64_t		 max = env->conf->max_message_size, size = 0;
	enum io_status	 st;
	const char	*p;
	size_t		 len;
	bool		 crlf = true;	/* the previous line ended in CRLF */
	int		 flags;

	s->io.deadline = io_deadline(smtpd_timeout_ms(env->conf->data_timeout));
	if (!data_hold(s, body->cap))
		*bad |= DATA_MEM;
	for (;;) {
		st = sess_getline(s, SMTPD_TEXT_MAX, s->io.deadline, &flags);
		if (st != IO_OK)
			return (st);
		p = s->line.s;
		len = s->line.len;
		if (flags & LINE_LONG)
			*bad |= DATA_LONG;
		/*
		 * Only CRLF "." CRLF ends the data (SMTP smuggling): a line
		 * after a bare LF or ending in one is never the end, and is
		 * not subject to dot-stuffing either.
		 */
		else if (crlf && (flags & LINE_CRLF) && len == 1 &&
		    p[0] == '.')
			return (IO_OK);
		else if (crlf && len > 0 && p[0] == '.') {
			p++;
			len--;
		}
		crlf = (flags & LINE_CRLF) != 0;
		size += (int64_t)len + 2;
		if (max > 0 && size > max)
			*bad |= DATA_BIG;
		/* At most len + 2 bytes: a bare CR becomes a space. */
		if (*bad == 0 && !data_hold(s, buf_cap_after(body, len + 2)))
			*bad |= DATA_MEM;
		if (*bad == 0)
			data_add_line(body, p, len);
		else if (body->cap > 64) {
			/* What is held goes back at once. */
			buf_free(body);
			buf_init(body);
			data_release(s);
		}
	}
}

/*
 * Count the body's allocation, grown to cap, against max-data-memory,
 * which all sessions share: false, and nothing counted, past it.  The
 * first refusal in a while is logged.
 */
static bool
data_hold(struct session *s, size_t cap)
{
	struct smtpd	*sd = s->sd;
	uint64_t	 quiet;
	int64_t		 held;
	bool		 ok;

	if (cap <= s->held)
		return (true);
	pthread_mutex_lock(&sd->lock);
	ok = sd->data_held + (int64_t)(cap - s->held) <=
	    env->conf->max_data_memory;
	if (ok) {
		sd->data_held += (int64_t)(cap - s->held);
		s->held = cap;
	}
	held = sd->data_held;
	pthread_mutex_unlock(&sd->lock);
	if (!ok && log_limit(&sd->memory_log, &quiet))
		log_warnx("smtpd %s: [%s] message refused with 452 4.3.1: "
		    "the sessions hold %lld bytes of DATA (max-data-memory "
		    "%lld)%s", s->id, s->ip, (long long)held,
		    (long long)env->conf->max_data_memory, quiet > 0 ?
		    "; others refused since the last line" : "");
	return (ok);
}

/* The session's body is gone: uncount it. */
static void
data_release(struct session *s)
{
	if (s->held == 0)
		return;
	pthread_mutex_lock(&s->sd->lock);
	s->sd->data_held -= (int64_t)s->held;
	pthread_mutex_unlock(&s->sd->lock);
	s->held = 0;
}

/* Store one line with CRLF; a CR inside it (a bare CR) as a space. */
static void
data_add_line(struct buf *body, const char *p, size_t len)
{
	const char	*cr;

	while ((cr = memchr(p, '\r', len)) != NULL) {
		buf_add(body, p, (size_t)(cr - p));
		buf_addc(body, ' ');
		len -= (size_t)(cr - p) + 1;
		p = cr + 1;
	}
	buf_add(body, p, len);
	buf_add(body, "\r\n", 2);
}

/* The Received field for this message (RFC 5321 4.4, RFC 3848). */
static void
data_received(struct session *s, struct buf *body)
{
	char		 date[64];
	const char	*proto;

	proto = s->tls ? "ESMTPS" : (s->esmtp ? "ESMTP" : "SMTP");
	rfc5322_date(date, sizeof date, time(NULL));
	buf_addf(body, "Received: from %s ([%s%s]) by %s with %s", s->helo,
	    strchr(s->ip, ':') != NULL ? "IPv6:" : "", s->ip,
	    smtpd_hostname(), proto);
	if (s->tls)
		buf_addf(body, " (version=%s cipher=%s)", s->tlsinfo.version,
		    s->tlsinfo.cipher);
	buf_addf(body, " id %s; %s\r\n", s->id, date);
}

/* Hand the message to the queue; 250 only once it is durable. */
static void
data_queue(struct session *s, struct buf *body, size_t hdroff)
{
	struct spool_msg	*msg;
	char			*cause = NULL, mid[256];
	long long		 id;
	int64_t			 qid;
	size_t			 nrcpts = s->nrcpts;

	msg = xcalloc(1, sizeof *msg);
	if (data_headers(msg, body->s + hdroff, body->len - hdroff) != 0) {
		sess_reply(s, "554 5.4.6 Hop count exceeded - possible mail "
		    "loop");
		spool_msg_free(msg);
		return;
	}
	msg->sender = xstrdup(s->sender);
	msg->envid = s->envid != NULL ? xstrdup(s->envid) : NULL;
	msg->ret_hdrs = s->ret_hdrs;
	/* RFC 8689 4.1: with REQUIRETLS, TLS-Required is not looked at. */
	msg->requiretls = s->requiretls;
	if (msg->requiretls)
		msg->tls_optional = false;
	msg->received = time(NULL);
	msg->size = (int64_t)body->len;
	msg->source = xstrdup("SMTP");
	msg->client_ip = xstrdup(s->ip);
	msg->client_helo = xstrdup(s->helo);
	msg->rcpts = s->rcpts;
	msg->nrcpts = s->nrcpts;
	s->rcpts = NULL;
	s->nrcpts = 0;
	/* For the reply: only a plain token, and the reply stays short. */
	mid[0] = '\0';
	if (msg->message_id != NULL && strlen(msg->message_id) < 200 &&
	    rfc5322_printable(msg->message_id) && strchr(msg->message_id, ' ') == NULL)
		snprintf(mid, sizeof mid, "%s%s%s",
		    *msg->message_id == '<' ? "" : "<", msg->message_id,
		    *msg->message_id == '<' ? "" : ">");

	if (queue_accept(env->queue, msg, body->s, body->len, &qid,
	    &cause) != 0) {
		log_warnx("smtpd %s: message from <%s> not queued: %s", s->id,
		    msg->sender, cause != NULL ? cause : "unknown error");
		free(cause);
		spool_msg_free(msg);
		sess_reply(s, "451 4.3.0 Error queueing message");
		return;
	}
	/* queue.c owns msg now and may already have freed it. */
	id = (long long)qid;
	s->nmsgs++;
	log_info("smtpd %s: queued id=%lld from=<%s> rcpts=%zu size=%zu "
	    "message-id=%s", s->id, id, s->sender, nrcpts, body->len,
	    *mid != '\0' ? mid : "-");
	sess_reply(s, "250 2.6.0 %s%s[InternalId=%lld] Queued mail for "
	    "delivery", mid, *mid != '\0' ? " " : "", id);
}

/*
 * Message-ID and Subject from the header section h[0..len) for tracking,
 * and whether it says "TLS-Required: No" (RFC 8689 5); -1 when there are
 * so many Received fields that it must be a loop.
 */
static int
data_headers(struct spool_msg *msg, const char *h, size_t len)
{
	struct hdr_field	f;
	size_t			pos = 0;
	int			hops = 1;

	while (rfc5322_hdr_next(h, len, &pos, &f) == 0) {
		if (f.namelen == 8 && strncasecmp(f.name, "Received", 8) == 0)
			hops++;
		else if (f.namelen == 10 && msg->message_id == NULL &&
		    strncasecmp(f.name, "Message-ID", 10) == 0)
			msg->message_id = rfc5322_hdr_unfold(&f);
		else if (f.namelen == 7 && msg->subject == NULL &&
		    strncasecmp(f.name, "Subject", 7) == 0)
			msg->subject = rfc5322_hdr_unfold(&f);
		else if (f.namelen == 12 &&
		    strncasecmp(f.name, "TLS-Required", 12) == 0)
			msg->tls_optional = rfc5322_tls_required_no(&f);
	}
	if (msg->message_id != NULL && *msg->message_id == '\0') {
		free(msg->message_id);
		msg->message_id = NULL;
	}
	return (hops > SMTPD_MAX_HOPS ? -1 : 0);
}

static void
cmd_rset(struct session *s, char *args)
{
	if (*args != '\0') {
		sess_error(s, "501 5.5.4 Invalid arguments");
		return;
	}
	sess_reset(s);
	sess_reply(s, "250 2.0.0 Resetting");
}

static void
cmd_noop(struct session *s, char *args)
{
	(void)args;
	sess_reply(s, "250 2.0.0 OK");
}

static void
cmd_quit(struct session *s, char *args)
{
	(void)args;
	sess_reply(s, "221 2.0.0 Service closing transmission channel");
	s->why = "QUIT";
	s->quit = true;
}

/* No local mailboxes to verify: RFC 5321 3.5.3's 252. */
static void
cmd_vrfy(struct session *s, char *args)
{
	if (*args == '\0') {
		sess_error(s, "501 5.5.4 Invalid arguments");
		return;
	}
	sess_reply(s, "252 2.1.5 Cannot VRFY user");
}

static void
cmd_help(struct session *s, char *args)
{
	(void)args;
	sess_reply(s, "214-2.0.0 This server supports the following "
	    "commands:");
	sess_reply(s, "214 2.0.0 HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT "
	    "HELP NOOP VRFY");
}

/* STARTTLS (RFC 3207): handshake, then start over as if new. */
static void
cmd_starttls(struct session *s, char *args)
{
	struct tls_conn	*conn = NULL;
	char		*cause = NULL;

	if (s->tls) {
		sess_error(s, "503 5.5.1 TLS already active");
		return;
	}
	if (*args != '\0') {
		sess_error(s, "501 5.5.4 Invalid arguments");
		return;
	}
	if (env->tls_server == NULL) {
		sess_error(s, "454 4.7.0 TLS not available");
		return;
	}
	if (!s->esmtp) {
		sess_error(s, "503 5.5.1 Send EHLO first");
		return;
	}
	if (s->has_mail) {
		sess_error(s, "503 5.5.1 Mail transaction in progress");
		return;
	}
	sess_reply(s, "220 2.0.0 SMTP server ready");
	if (sess_flush(s) != 0)
		return;
	/*
	 * CVE-2011-0411: whatever the client sent after STARTTLS in the
	 * clear may have been injected on the path.  It must never run as
	 * if it had come over TLS, so it is dropped unread.
	 */
	io_discard(&s->io);
	if (tls_server_start(env->tls_server, s->io.fd,
	    smtpd_timeout_ms(env->conf->command_timeout), &conn, &s->tlsinfo,
	    &cause) != 0) {
		log_info("smtpd %s: [%s] %s", s->id, s->ip, cause != NULL ?
		    cause : "TLS handshake failed");
		free(cause);
		s->why = "TLS handshake failed";
		s->quit = true;
		return;
	}
	s->io.tls = conn;
	s->tls = true;
	/* RFC 3207 4.2: forget everything learnt before TLS. */
	sess_reset(s);
	free(s->helo);
	s->helo = NULL;
	s->esmtp = false;
}

/* ------------------------------------------------------------------ */
/* Syntax. */

/*
 * EHLO/HELO argument: a domain or an address literal.  It is written
 * into the Received field, so nothing but name characters may pass
 * (no header injection, no comment parentheses).
 */
static bool
helo_valid(const char *h)
{
	size_t	n = strlen(h);

	if (n == 0 || n > SMTPD_HELO_MAX)
		return (false);
	if (h[0] == '[')
		return (n > 2 && h[n - 1] == ']' &&
		    strspn(h + 1, "0123456789abcdefABCDEFIPv:.") == n - 2);
	return (strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-_") == n);
}

/*
 * "FROM:<path> params": *addr is the mailbox ("" for <>), source route
 * dropped (RFC 5321 4.1.2 says accept and ignore it); *rest the params.
 * A space after the colon and a path without brackets are tolerated.
 */
static int
parse_path(char *args, const char *prefix, char **addr, char **rest)
{
	size_t	 n = strlen(prefix);
	char	*p, *q, *colon;
	bool	 quoted = false;

	if (strncasecmp(args, prefix, n) != 0)
		return (-1);
	p = args + n;
	while (*p == ' ')
		p++;
	if (*p == '<') {
		for (q = ++p; *q != '\0'; q++) {
			if (*q == '\\' && quoted && q[1] != '\0')
				q++;
			else if (*q == '"')
				quoted = !quoted;
			else if (*q == '>' && !quoted)
				break;
		}
		if (*q != '>' || (q[1] != '\0' && q[1] != ' '))
			return (-1);
	} else
		q = p + strcspn(p, " ");
	*rest = *q != '\0' ? q + 1 : q;
	*q = '\0';
	if (*p == '@') {
		if ((colon = strchr(p, ':')) == NULL)
			return (-1);
		p = colon + 1;
	}
	*addr = p;
	return (0);
}

/* The next space-separated parameter of *rest, or NULL. */
static char *
next_param(char **rest)
{
	char	*p;

	while (**rest == ' ')
		(*rest)++;
	if (**rest == '\0')
		return (NULL);
	p = *rest;
	*rest += strcspn(*rest, " ");
	if (**rest != '\0')
		*(*rest)++ = '\0';
	return (p);
}

/*
 * Decode RFC 3461 xtext; NULL if malformed.  Only printable ASCII may
 * result: the value ends up in DSN header fields.
 */
static char *
xtext_decode(const char *s, size_t len)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct buf		 b;
	const char		*h, *l;
	unsigned char		 c;
	size_t			 i;

	buf_init(&b);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '+') {
			if (i + 2 >= len || s[i + 1] == '\0' ||
			    s[i + 2] == '\0' ||
			    (h = strchr(hex, toupper((unsigned char)s[i + 1])))
			    == NULL ||
			    (l = strchr(hex, toupper((unsigned char)s[i + 2])))
			    == NULL)
				goto bad;
			c = (unsigned char)((h - hex) * 16 + (l - hex));
			i += 2;
		} else if (c < 33 || c > 126 || c == '=')
			goto bad;
		if (c < 32 || c > 126)
			goto bad;
		buf_addc(&b, (char)c);
	}
	return (buf_detach(&b));
bad:
	buf_free(&b);
	return (NULL);
}
