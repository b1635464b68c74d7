/*
 * pickup.c - the pickup directory, as Exchange has one: intake from files.
 *
 * hubd.c calls pickup_start() with env->pickup_dir and pickup_stop() at
 * shutdown, before the queue stops.  One thread scans the directory at
 * start and then every second for *.eml files.  A file is renamed to
 * <name>.tmp while it is processed, parsed as an RFC 5322 message, given
 * to queue_accept() and unlinked once the queue has it on disk.
 *
 * Invariants:
 * - Nothing is lost silently.  A malformed file moves to badmail/<name>
 *   (badmail/<name>.N if that exists) with badmail/<name>.reason holding
 *   a one-line reason, and is logged; a file the queue could not take
 *   (disk trouble) is renamed back to <name> and tried at the next scan.
 * - Delivery is at least once: a crash between queue_accept() and the
 *   unlink leaves <name>.tmp behind, and the first scan after a start
 *   processes every *.eml.tmp again, so that message may go out twice.
 * - A file never replaces another: <name> becomes <name>.tmp only when
 *   there is no <name>.tmp (renameat2 RENAME_NOREPLACE).  One there is an
 *   earlier file of that name not taken yet (a crash, or a queue failure
 *   while the writer dropped a new <name>): it is taken first, and
 *   <name> at the next scan.
 * - The envelope sender is X-Sender, else Sender, else From; recipients
 *   are the X-Receiver fields if there is one, else To, Cc and Bcc.  Bcc,
 *   X-Sender and X-Receiver are not stored: they would show the blind
 *   recipients to everyone.  Date and Message-ID are added when missing.
 * - The stored message has CRLF line ends only: LF becomes CRLF and a
 *   bare CR a space, as in smtpd.c.
 *
 * Writers should create the file elsewhere and rename it in (Exchange
 * says the same).  As a guard against reading a file still being
 * written, one modified less than a second ago waits for the next scan.
 */
#define _GNU_SOURCE	/* memmem(3) */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"

#define PICKUP_BADMAIL		"badmail"
#define PICKUP_SETTLE_MS	1000	/* a file this fresh may grow */
#define PICKUP_MINUTE		60	/* s: the PickupDirectory...PerMinute
					   window */

struct pickup {
	char		*dir;
	int		 dirfd;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	bool		 stop;		/* lock */
	unsigned int	 serial;	/* generated Message-IDs */
	time_t		 window;	/* when this minute's files began */
	int		 taken;		/* files taken since window */
	bool		 held;		/* ... and some held back, logged */
};

/* A file found by a scan. */
struct pickup_entry {
	char		*name;		/* the .eml name */
	bool		 leftover;	/* found as <name>.tmp */
};

/* A list of addresses. */
struct addrlist {
	char		**v;
	size_t		  n;
};

static void	*pickup_loop(void *);
static bool	 pickup_stopping(struct pickup *);
static bool	 pickup_allowed(struct pickup *);
static void	 pickup_scan(struct pickup *, bool);
static bool	 pickup_candidate(struct pickup *, const char *, bool, bool *);
static int	 pickup_entry_cmp(const void *, const void *);
static int	 pickup_file(struct pickup *, const char *, bool);
static int	 pickup_read(struct pickup *, const char *, struct buf *,
		     char **);
static void	 pickup_badmail(struct pickup *, const char *, const char *,
		     const char *);
static void	 pickup_restore(struct pickup *, const char *, const char *);
static struct spool_msg *pickup_parse(struct pickup *, const struct buf *,
		     struct buf *, char **);
static void	 pickup_normalise(struct buf *, const char *, size_t);
static int	 pickup_fields(const char *, size_t, struct hdr_field **,
		     size_t *);
static int	 pickup_envelope(const struct hdr_field *, size_t,
		     struct spool_msg *, char **);
static const struct hdr_field *field_find(const struct hdr_field *, size_t,
		     const char *);
static bool	 field_is(const struct hdr_field *, const char *);
static void	 pickup_compose(struct pickup *, const struct buf *, size_t,
		     const struct hdr_field *, size_t, struct spool_msg *,
		     struct buf *);
static int	 addrlist_parse(const char *, struct addrlist *, char **);
static int	 addrlist_item(struct buf *, struct buf *, bool,
		     struct addrlist *, char **);
static size_t	 skip_comment(const char *, size_t);
static size_t	 skip_quoted(const char *, size_t, char);
static void	 addrlist_add(struct addrlist *, const char *);
static void	 addrlist_free(struct addrlist *);

int
pickup_start(struct pickup **pp, const char *dir, char **cause)
{
	struct pickup		*p;
	pthread_condattr_t	 ca;
	int			 error;

	*pp = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		xasprintf(cause, "cannot create %s: %s", dir, strerror(errno));
		return (-1);
	}
	p = xcalloc(1, sizeof *p);
	p->dir = xstrdup(dir);
	if ((p->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		xasprintf(cause, "cannot open %s: %s", dir, strerror(errno));
		free(p->dir);
		free(p);
		return (-1);
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &ca);
	pthread_condattr_destroy(&ca);
	if ((error = pthread_create(&p->thread, NULL, pickup_loop, p)) != 0) {
		xasprintf(cause, "pickup thread: %s", strerror(error));
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		close(p->dirfd);
		free(p->dir);
		free(p);
		return (-1);
	}
	log_info("pickup: watching %s", dir);
	*pp = p;
	return (0);
}

void
pickup_stop(struct pickup *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	close(p->dirfd);
	free(p->dir);
	free(p);
}

/* The thread: a scan at start (with leftovers), then every second. */
static void *
pickup_loop(void *arg)
{
	struct pickup	*p = arg;
	struct timespec	 ts;
	bool		 first = true;

	thread_name("pickup");
	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		pthread_mutex_unlock(&p->lock);
		pickup_scan(p, first);
		first = false;
		pthread_mutex_lock(&p->lock);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec++;
		while (!p->stop && pthread_cond_timedwait(&p->cond, &p->lock,
		    &ts) != ETIMEDOUT)
			continue;
	}
	pthread_mutex_unlock(&p->lock);
	return (NULL);
}

static bool
pickup_stopping(struct pickup *p)
{
	bool	stop;

	pthread_mutex_lock(&p->lock);
	stop = p->stop;
	pthread_mutex_unlock(&p->lock);
	return (stop);
}

/* Process the files of the directory in name order. */
static void
pickup_scan(struct pickup *p, bool first)
{
	struct pickup_entry	*v = NULL;
	struct dirent		*de;
	DIR			*d;
	size_t			 n = 0, i;
	int			 fd;
	bool			 leftover;

	if ((fd = openat(p->dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (d = fdopendir(fd)) == NULL) {
		log_warnx("pickup: %s: %s", p->dir, strerror(errno));
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!pickup_candidate(p, de->d_name, first, &leftover))
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n].name = xstrndup(de->d_name, strlen(de->d_name) -
		    (leftover ? 4 : 0));
		v[n++].leftover = leftover;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof *v, pickup_entry_cmp);
	for (i = 0; i < n; i++) {
		if (pickup_stopping(p) || !pickup_allowed(p) ||
		    pickup_file(p, v[i].name, v[i].leftover) != 0)
			break;
	}
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/*
 * PickupDirectoryMaxMessagesPerMinute: may one more file be taken now?
 * A minute starts with the first file taken in it; once the limit is
 * reached, the other files stay in the directory until it is over (said
 * once a minute in the log).  A file that goes to badmail counts too.
 */
static bool
pickup_allowed(struct pickup *p)
{
	struct timespec	ts;
	int		max = env->conf->pickup_max_per_minute;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (p->taken == 0 || ts.tv_sec - p->window >= PICKUP_MINUTE) {
		p->window = ts.tv_sec;
		p->taken = 0;
		p->held = false;
	}
	if (p->taken < max) {
		p->taken++;
		return (true);
	}
	if (!p->held)
		log_info("pickup: %d files taken this minute "
		    "(PickupDirectoryMaxMessagesPerMinute): the others wait",
		    max);
	p->held = true;
	return (false);
}

/*
 * Is name a file to process now: *.eml, or *.eml.tmp on the first scan
 * (a crash left it)?  Not a directory, and not being written.
 */
static bool
pickup_candidate(struct pickup *p, const char *name, bool first,
    bool *leftover)
{
	struct stat	 sb;
	struct timespec	 now;
	size_t		 n = strlen(name);
	int64_t		 age;

	*leftover = first && n > 8 && strcasecmp(name + n - 8, ".eml.tmp") ==
	    0;
	if (name[0] == '.' || (!*leftover && (n <= 4 ||
	    strcasecmp(name + n - 4, ".eml") != 0)))
		return (false);
	if (fstatat(p->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
	    S_ISDIR(sb.st_mode))
		return (false);
	if (*leftover)
		return (true);
	clock_gettime(CLOCK_REALTIME, &now);
	age = ((int64_t)now.tv_sec - sb.st_mtim.tv_sec) * 1000 +
	    (now.tv_nsec - sb.st_mtim.tv_nsec) / 1000000;
	return (age >= PICKUP_SETTLE_MS);
}

/* By name; a leftover <name>.tmp before <name>, being older. */
static int
pickup_entry_cmp(const void *a, const void *b)
{
	const struct pickup_entry	*ea = a, *eb = b;
	int				 c;

	if ((c = strcmp(ea->name, eb->name)) != 0)
		return (c);
	return ((int)eb->leftover - (int)ea->leftover);
}

/*
 * One file: name is the .eml name, its .tmp already exists when leftover.
 * Returns -1 when the queue failed: stop this scan, retry the next.
 */
static int
pickup_file(struct pickup *p, const char *name, bool leftover)
{
	struct spool_msg	*msg = NULL;
	struct buf		 data, body;
	char			*tmp, *reason = NULL, *cause = NULL;
	char			*sender = NULL;
	size_t			 nrcpts;
	int64_t			 qid;
	int			 rc = 0;

	xasprintf(&tmp, "%s.tmp", name);
	if (!leftover && renameat2(p->dirfd, name, p->dirfd, tmp,
	    RENAME_NOREPLACE) != 0) {
		free(tmp);
		if (errno == EEXIST)	/* an earlier one first */
			return (pickup_file(p, name, true));
		if (errno != ENOENT)
			log_warnx("pickup: %s: rename: %s", name,
			    strerror(errno));
		return (0);
	}
	if (leftover && faccessat(p->dirfd, tmp, F_OK,
	    AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) {
		free(tmp);	/* taken already, before its namesake */
		return (0);
	}
	buf_init(&data);
	buf_init(&body);
	if (pickup_read(p, tmp, &data, &reason) != 0 ||
	    (msg = pickup_parse(p, &data, &body, &reason)) == NULL) {
		pickup_badmail(p, name, tmp, reason);
		goto out;
	}
	/* For the log: queue_accept() takes msg. */
	sender = xstrdup(msg->sender);
	nrcpts = msg->nrcpts;
	if (queue_accept(env->queue, msg, body.s, body.len, &qid,
	    &cause) != 0) {
		log_warnx("pickup: %s: not queued: %s", name,
		    cause != NULL ? cause : "unknown error");
		spool_msg_free(msg);
		pickup_restore(p, tmp, name);
		rc = -1;
		goto out;
	}
	/* Durable: the file may go.  msg is the queue's now. */
	log_info("pickup: %s: queued id=%lld from=<%s> rcpts=%zu size=%zu",
	    name, (long long)qid, sender, nrcpts, body.len);
	if (unlinkat(p->dirfd, tmp, 0) != 0)
		log_warnx("pickup: %s: unlink: %s", tmp, strerror(errno));
out:
	free(sender);
	free(cause);
	free(reason);
	buf_free(&data);
	buf_free(&body);
	free(tmp);
	return (rc);
}

/* Read the file tmp; -1 with *reason when it cannot be a message. */
static int
pickup_read(struct pickup *p, const char *tmp, struct buf *data,
    char **reason)
{
	struct stat	 sb;
	int64_t		 max = env->conf->max_message_size;
	char		 chunk[16384];
	ssize_t		 n;
	int		 fd;

	/*
	 * No symbolic links and nothing but regular files: a link dropped
	 * here must not make hubd mail out a file it can read (its key).
	 * O_NONBLOCK so that a FIFO cannot hang the thread.
	 */
	fd = openat(p->dirfd, tmp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		xasprintf(reason, "not a regular file%s%s", fd == -1 ?
		    ": " : "", fd == -1 ? strerror(errno) : "");
		if (fd != -1)
			close(fd);
		return (-1);
	}
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		buf_add(data, chunk, (size_t)n);
		if (max > 0 && (int64_t)data->len > max)
			break;
	}
	close(fd);
	if (n < 0)
		xasprintf(reason, "read error: %s", strerror(errno));
	else if (max > 0 && (int64_t)data->len > max)
		xasprintf(reason, "larger than the maximum message size (%lld "
		    "bytes)", (long long)max);
	return (*reason != NULL ? -1 : 0);
}

/*
 * Move tmp to badmail/<name> (never over another file) and write the
 * reason beside it.
 */
static void
pickup_badmail(struct pickup *p, const char *name, const char *tmp,
    const char *reason)
{
	char	*target = NULL, *rfile;
	int	 bfd, fd, i;
	bool	 moved = false;

	if ((mkdirat(p->dirfd, PICKUP_BADMAIL, 0700) != 0 && errno != EEXIST) ||
	    (bfd = openat(p->dirfd, PICKUP_BADMAIL, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		log_warnx("pickup: %s: %s; cannot open %s/%s: %s, left as %s",
		    name, reason, p->dir, PICKUP_BADMAIL, strerror(errno),
		    tmp);
		return;
	}
	for (i = 0; i < 1000 && !moved; i++) {
		free(target);
		if (i == 0)
			target = xstrdup(name);
		else
			xasprintf(&target, "%s.%d", name, i);
		/* link(2) fails where rename(2) would replace a file. */
		if (linkat(p->dirfd, tmp, bfd, target, 0) == 0)
			moved = true;
		else if (errno != EEXIST)
			break;
	}
	if (!moved) {
		log_warnx("pickup: %s: %s; cannot move it to %s: %s, left as "
		    "%s", name, reason, PICKUP_BADMAIL, strerror(errno), tmp);
		free(target);
		close(bfd);
		return;
	}
	xasprintf(&rfile, "%s.reason", target);
	fd = openat(bfd, rfile, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd != -1) {
		(void)dprintf(fd, "%s\n", reason);
		close(fd);
	}
	(void)unlinkat(p->dirfd, tmp, 0);
	log_warnx("pickup: %s: %s; moved to %s/%s", name, reason,
	    PICKUP_BADMAIL, target);
	free(rfile);
	free(target);
	close(bfd);
}

/*
 * The queue failed: put the file back under its name for the next scan.
 * When the writer has dropped a new file of that name meanwhile, it
 * stays <name>.tmp, and the next scan takes it before the new one.
 */
static void
pickup_restore(struct pickup *p, const char *tmp, const char *name)
{
	if (linkat(p->dirfd, tmp, p->dirfd, name, 0) == 0)
		(void)unlinkat(p->dirfd, tmp, 0);
	else if (errno != EEXIST)
		log_warnx("pickup: %s: %s, left as %s", name, strerror(errno),
		    tmp);
}

/*
 * Parse the file into a message and the body to store; NULL with
 * *reason when it is malformed.
 */
static struct spool_msg *
pickup_parse(struct pickup *p, const struct buf *data, struct buf *body,
    char **reason)
{
	struct spool_msg	*msg;
	struct hdr_field	*f = NULL;
	struct buf		 norm;
	const char		*sep;
	size_t			 hlen, nf = 0;
	int			 max = env->conf->pickup_max_rcpts;
	int			 hmax = env->conf->pickup_max_header;

	if (memchr(data->s, '\0', data->len) != NULL) {
		*reason = xstrdup("the file contains NUL bytes");
		return (NULL);
	}
	buf_init(&norm);
	pickup_normalise(&norm, data->s, data->len);
	if (norm.len >= 2 && memcmp(norm.s, "\r\n", 2) == 0)
		hlen = 0;
	else if ((sep = memmem(norm.s, norm.len, "\r\n\r\n", 4)) != NULL)
		hlen = (size_t)(sep - norm.s) + 2;
	else {
		*reason = xstrdup("no blank line between header and body");
		buf_free(&norm);
		return (NULL);
	}
	msg = xcalloc(1, sizeof *msg);
	if (hlen > (size_t)hmax)
		xasprintf(reason, "header section larger than %d bytes "
		    "(PickupDirectoryMaxHeaderSize)", hmax);
	else if (pickup_fields(norm.s, hlen, &f, &nf) != 0)
		*reason = xstrdup("malformed header line");
	else if (pickup_envelope(f, nf, msg, reason) == 0 &&
	    max > 0 && msg->nrcpts > (size_t)max)
		xasprintf(reason, "more than %d recipients "
		    "(PickupDirectoryMaxRecipientsPerMessage)", max);
	if (*reason == NULL)
		pickup_compose(p, &norm, hlen, f, nf, msg, body);
	free(f);
	buf_free(&norm);
	if (*reason != NULL) {
		spool_msg_free(msg);
		return (NULL);
	}
	return (msg);
}

/* CRLF line ends only: LF becomes CRLF, a bare CR a space. */
static void
pickup_normalise(struct buf *out, const char *s, size_t len)
{
	size_t	i, start = 0;

	for (i = 0; i < len; i++) {
		if (s[i] != '\r' && s[i] != '\n')
			continue;
		buf_add(out, s + start, i - start);
		if (s[i] == '\n')
			buf_add(out, "\r\n", 2);
		else if (i + 1 < len && s[i + 1] == '\n') {
			buf_add(out, "\r\n", 2);
			i++;
		} else
			buf_addc(out, ' ');
		start = i + 1;
	}
	buf_add(out, s + start, len - start);
	if (out->len > 0 && out->s[out->len - 1] != '\n')
		buf_add(out, "\r\n", 2);
}

/* Every field of the header section h[0..len). */
static int
pickup_fields(const char *h, size_t len, struct hdr_field **fp, size_t *np)
{
	struct hdr_field	f;
	size_t			pos = 0;
	int			rc;

	while ((rc = rfc5322_hdr_next(h, len, &pos, &f)) == 0) {
		*fp = xreallocarray(*fp, *np + 1, sizeof **fp);
		(*fp)[(*np)++] = f;
	}
	return (rc == 1 ? 0 : -1);
}

/* Sender and recipients from the fields into msg; -1 with *reason. */
static int
pickup_envelope(const struct hdr_field *f, size_t nf, struct spool_msg *msg,
    char **reason)
{
	const struct hdr_field	*sf;
	struct addrlist		 l = { NULL, 0 };
	char			*v;
	size_t			 i;
	bool			 xrcpt;

	if ((sf = field_find(f, nf, "X-Sender")) == NULL &&
	    (sf = field_find(f, nf, "Sender")) == NULL)
		sf = field_find(f, nf, "From");
	if (sf != NULL) {
		v = rfc5322_hdr_unfold(sf);
		if (addrlist_parse(v, &l, reason) == 0 && l.n > 0)
			msg->sender = xstrdup(l.v[0]);
		free(v);
		addrlist_free(&l);
		if (*reason != NULL)
			return (-1);
	}
	if (msg->sender == NULL) {
		*reason = xstrdup("no sender");
		return (-1);
	}

	xrcpt = field_find(f, nf, "X-Receiver") != NULL;
	for (i = 0; i < nf && *reason == NULL; i++) {
		if (xrcpt ? !field_is(&f[i], "X-Receiver") :
		    !field_is(&f[i], "To") && !field_is(&f[i], "Cc") &&
		    !field_is(&f[i], "Bcc"))
			continue;
		v = rfc5322_hdr_unfold(&f[i]);
		(void)addrlist_parse(v, &l, reason);
		free(v);
	}
	msg->rcpts = xcalloc(l.n > 0 ? l.n : 1, sizeof *msg->rcpts);
	for (i = 0; i < l.n; i++) {
		msg->rcpts[i].addr = l.v[i];
		msg->rcpts[i].state = SPOOL_RCPT_QUEUED;
	}
	msg->nrcpts = l.n;
	free(l.v);
	if (*reason == NULL && msg->nrcpts == 0)
		*reason = xstrdup("no recipients");
	return (*reason != NULL ? -1 : 0);
}

/* The first field called name, or NULL. */
static const struct hdr_field *
field_find(const struct hdr_field *f, size_t nf, const char *name)
{
	size_t	i;

	for (i = 0; i < nf; i++)
		if (field_is(&f[i], name))
			return (&f[i]);
	return (NULL);
}

static bool
field_is(const struct hdr_field *f, const char *name)
{
	return (f->namelen == strlen(name) &&
	    strncasecmp(f->name, name, f->namelen) == 0);
}

/*
 * The body to store: Received, Date and Message-ID when missing, the
 * fields but Bcc, X-Sender and X-Receiver, then the blank line and body.
 */
static void
pickup_compose(struct pickup *p, const struct buf *norm, size_t hlen,
    const struct hdr_field *f, size_t nf, struct spool_msg *msg,
    struct buf *body)
{
	const struct hdr_field	*mf;
	const char		*host = env->hostname;
	char			 date[64];
	time_t			 now = time(NULL);
	size_t			 i;

	if (host == NULL || *host == '\0')
		host = "localhost";
	rfc5322_date(date, sizeof date, now);
	buf_addf(body, "Received: from pickup by %s; %s\r\n", host, date);
	if (field_find(f, nf, "Date") == NULL)
		buf_addf(body, "Date: %s\r\n", date);
	if ((mf = field_find(f, nf, "Message-ID")) != NULL)
		msg->message_id = rfc5322_hdr_unfold(mf);
	else {
		xasprintf(&msg->message_id, "<%llX.%X.%X@%s>",
		    (unsigned long long)now, (unsigned int)getpid(),
		    ++p->serial, host);
		buf_addf(body, "Message-ID: %s\r\n", msg->message_id);
	}
	if ((mf = field_find(f, nf, "Subject")) != NULL)
		msg->subject = rfc5322_hdr_unfold(mf);
	if ((mf = field_find(f, nf, "TLS-Required")) != NULL)
		msg->tls_optional = rfc5322_tls_required_no(mf);
	for (i = 0; i < nf; i++) {
		if (field_is(&f[i], "Bcc") || field_is(&f[i], "X-Sender") ||
		    field_is(&f[i], "X-Receiver"))
			continue;
		buf_add(body, norm->s + f[i].off, f[i].len);
	}
	buf_add(body, norm->s + hlen, norm->len - hlen);
	msg->received = now;
	msg->size = (int64_t)body->len;
	msg->source = xstrdup("PICKUP");
}

/*
 * An RFC 5322 address list ("a@b, Name <c@d>, "Last, First" <e@f>,
 * group: g@h;") appended to l; -1 with *reason on a bad address.
 */
static int
addrlist_parse(const char *v, struct addrlist *l, char **reason)
{
	struct buf	item, angle;
	size_t		i, n, len = strlen(v);
	bool		has_angle = false;
	int		rc = 0;

	buf_init(&item);
	buf_init(&angle);
	/* n: bytes taken at v[i]; 0 for an unterminated span. */
	for (i = 0; i < len && rc == 0; i += n) {
		n = 1;
		switch (v[i]) {
		case '(':
			n = skip_comment(v + i, len - i);
			buf_addc(&item, ' ');
			break;
		case '"':
		case '[':
			n = skip_quoted(v + i, len - i,
			    v[i] == '"' ? '"' : ']');
			buf_add(&item, v + i, n);
			break;
		case '<':
			n = has_angle ? 0 : skip_quoted(v + i, len - i, '>');
			if (n > 0)
				buf_add(&angle, v + i + 1, n - 2);
			has_angle = true;
			break;
		case ':':
			/* A group: what came before is its name. */
			buf_reset(&item);
			break;
		case ',':
		case ';':
			rc = addrlist_item(&item, &angle, has_angle, l,
			    reason);
			has_angle = false;
			break;
		default:
			buf_addc(&item, v[i]);
			break;
		}
		if (n == 0)
			rc = -1;
	}
	if (rc == 0)
		rc = addrlist_item(&item, &angle, has_angle, l, reason);
	else if (*reason == NULL)
		xasprintf(reason, "unparsable address list: %s", v);
	buf_free(&item);
	buf_free(&angle);
	return (rc);
}

/* End of one list item: its address, if any, is checked and added. */
static int
addrlist_item(struct buf *item, struct buf *angle, bool has_angle,
    struct addrlist *l, char **reason)
{
	char	*a, *end;

	if (has_angle)
		a = angle->s;
	else {
		for (a = item->s; *a == ' ' || *a == '\t'; a++)
			continue;
		for (end = a + strlen(a); end > a && (end[-1] == ' ' ||
		    end[-1] == '\t'); end--)
			continue;
		*end = '\0';
	}
	/* A source route (obsolete syntax) is dropped. */
	if (*a == '@' && strchr(a, ':') != NULL)
		a = strchr(a, ':') + 1;
	if (*a != '\0' || has_angle) {
		if (!rfc5322_addr_valid(a)) {
			xasprintf(reason, "unparsable address: <%s>", a);
			return (-1);
		}
		addrlist_add(l, a);
	}
	buf_reset(item);
	buf_reset(angle);
	return (0);
}

/* Length of the comment at s, nested, with escapes; 0 if unterminated. */
static size_t
skip_comment(const char *s, size_t len)
{
	size_t	i;
	int	depth = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return (i + 1);
	}
	return (0);
}

/*
 * Length of the span at s through the close character, quoted strings
 * and escapes inside it skipped; 0 if unterminated.
 */
static size_t
skip_quoted(const char *s, size_t len, char close)
{
	size_t	i;
	bool	quoted = false;

	for (i = 1; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == close && (!quoted || close == '"'))
			return (i + 1);
		else if (s[i] == '"')
			quoted = !quoted;
	}
	return (0);
}

/* Add a, unless the list has it already (one delivery per address). */
static void
addrlist_add(struct addrlist *l, const char *a)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], a) == 0)
			return;
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(a);
}

static void
addrlist_free(struct addrlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
