/*
 * protolog.c - the SmtpSend protocol log: writing it and keeping it in
 * bounds.
 *
 * queue.c hands protolog_write() the trace of each session of a
 * connector whose ProtocolLoggingLevel is Verbose; the pruning thread
 * (hubd.c) calls protolog_prune() once a minute and whenever a setting
 * of the log changes.  The directory is the one in force
 * (env_protolog_dir(): SendProtocolLogPath, by default
 * <state-dir>/log/SmtpSend).
 *
 * Files are SEND<yyyymmdd>.log, the day in UTC, then, once that one has
 * reached SendProtocolLogMaxFileSize, SEND<yyyymmdd>-2.log, -3 and so on
 * (Exchange numbers every file of a day, SEND<yyyymmdd>-1.LOG first;
 * hubd keeps the plain name for the first, as it always had).  A
 * session's trace is written whole to one file, so a file passes the
 * limit by at most one trace.  Pruning deletes the files whose day ended
 * longer than SendProtocolLogMaxAge ago, then the oldest files while
 * the directory's files of this log together exceed
 * SendProtocolLogMaxDirectorySize; the newest is never deleted, being
 * the one written to.  Other files in the directory are left alone.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"

#define PROTOLOG_SEQ_MAX	99999	/* files of one day */

/* A file of the log, as the pruner finds it. */
struct protolog_file {
	char		*name;
	time_t		 day;		/* 00:00 UTC of its day */
	int		 seq;		/* 1 for SEND<day>.log */
	off_t		 size;
};

/* The writer's file: its directory, day and number (protolog_lock). */
static pthread_mutex_t	 protolog_lock = PTHREAD_MUTEX_INITIALIZER;
static char		*protolog_cur_dir;
static char		 protolog_cur_day[9];
static int		 protolog_cur_seq = 1;

static FILE	*protolog_open(const char *, const char *);
static bool	 protolog_name(const char *, time_t *, int *);
static size_t	 protolog_list(int, struct protolog_file **);
static int	 protolog_cmp(const void *, const void *);
static int	 protolog_unlink(int, const char *, const char *);

/*
 * Append a session's trace, one line per trace line, prefixed with the
 * time, the connector and the domain; plog is emptied.  AUTH is already
 * masked by the session.
 */
void
protolog_write(const char *connector, const char *domain, struct buf *plog)
{
	struct tm	 tm;
	time_t		 now;
	FILE		*f;
	char		*dir, *p, day[9], stamp[32];
	const char	*s, *nl;

	if (plog->len == 0)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(day, sizeof day, "%Y%m%d", &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	dir = env_protolog_dir();
	pthread_mutex_lock(&protolog_lock);
	/* Make the directory and its parents as needed. */
	for (p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(dir, 0750);
		*p = '/';
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		log_warnx("protocol log: %s: %s", dir, strerror(errno));
	else if ((f = protolog_open(dir, day)) != NULL) {
		for (s = plog->s; *s != '\0'; s = nl + 1) {
			if ((nl = strchr(s, '\n')) == NULL)
				nl = s + strlen(s);
			fprintf(f, "%s,%s,%s,%.*s\n", stamp, connector, domain,
			    (int)(nl - s), s);
			if (*nl == '\0')
				break;
		}
		fclose(f);
	}
	pthread_mutex_unlock(&protolog_lock);
	buf_reset(plog);
	free(dir);
}

/*
 * The file of day to append to (protolog_lock held): the one in use,
 * unless it has reached SendProtocolLogMaxFileSize, then the next number
 * not full yet.  Mode 0640, as the rest of the state: a trace shows
 * addresses.  NULL after logging why.
 */
static FILE *
protolog_open(const char *dir, const char *day)
{
	struct stat	 sb;
	int64_t		 max = env->conf->protolog_max_file_size;
	char		*path;
	FILE		*f;
	int		 fd;

	if (protolog_cur_dir == NULL || strcmp(protolog_cur_dir, dir) != 0 ||
	    strcmp(protolog_cur_day, day) != 0) {
		free(protolog_cur_dir);
		protolog_cur_dir = xstrdup(dir);
		snprintf(protolog_cur_day, sizeof protolog_cur_day, "%s", day);
		protolog_cur_seq = 1;
	}
	for (;;) {
		if (protolog_cur_seq == 1)
			xasprintf(&path, "%s/SEND%s.log", dir, day);
		else
			xasprintf(&path, "%s/SEND%s-%d.log", dir, day,
			    protolog_cur_seq);
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0640);
		if (fd == -1 || max < 0 || protolog_cur_seq >=
		    PROTOLOG_SEQ_MAX || fstat(fd, &sb) != 0 || sb.st_size < max)
			break;
		close(fd);
		free(path);
		protolog_cur_seq++;
	}
	if (fd == -1 || (f = fdopen(fd, "a")) == NULL) {
		log_warnx("protocol log: %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		f = NULL;
	}
	free(path);
	return (f);
}

/*
 * Delete what SendProtocolLogMaxAge and SendProtocolLogMaxDirectorySize
 * leave no room for (0 and Unlimited keep everything), and log how many
 * files went.
 */
void
protolog_prune(void)
{
	const struct hubd_conf	*c = env->conf;
	struct protolog_file	*v;
	char			*dir;
	time_t			 cutoff;
	off_t			 total = 0;
	size_t			 n, i, aged = 0, sized = 0;
	int			 fd;

	dir = env_protolog_dir();
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			log_warnx("protocol log: %s: %s", dir, strerror(errno));
		free(dir);
		return;
	}
	n = protolog_list(fd, &v);
	cutoff = time(NULL) - c->protolog_max_age;
	for (i = 0; i < n; i++) {
		if (c->protolog_max_age > 0 && v[i].day + 86400 <= cutoff &&
		    protolog_unlink(fd, dir, v[i].name) == 0) {
			v[i].size = -1;
			aged++;
		} else
			total += v[i].size;
	}
	for (i = 0; c->protolog_max_dir_size >= 0 && i + 1 < n &&
	    total > c->protolog_max_dir_size; i++) {
		if (v[i].size >= 0 &&
		    protolog_unlink(fd, dir, v[i].name) == 0) {
			total -= v[i].size;
			sized++;
		}
	}
	if (aged > 0)
		log_info("protocol log: deleted %zu files in %s older than %d "
		    "seconds (SendProtocolLogMaxAge)", aged, dir,
		    c->protolog_max_age);
	if (sized > 0)
		log_info("protocol log: deleted the %zu oldest files in %s to "
		    "keep it under %lld bytes "
		    "(SendProtocolLogMaxDirectorySize)", sized, dir,
		    (long long)c->protolog_max_dir_size);
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	close(fd);
	free(dir);
}

/*
 * Is name a file of the log: SEND<yyyymmdd>.log or SEND<yyyymmdd>-<n>.log
 * (n from 2)?  Its day and number.
 */
static bool
protolog_name(const char *name, time_t *day, int *seq)
{
	struct tm	 tm;
	const char	*p;
	char		*end;
	long		 n = 1;
	int		 y, m, d;

	if (strncmp(name, "SEND", 4) != 0 || strspn(name + 4, "0123456789") !=
	    8 || sscanf(name + 4, "%4d%2d%2d", &y, &m, &d) != 3 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return (false);
	p = name + 12;
	if (*p == '-') {
		if (p[1] < '1' || p[1] > '9')
			return (false);
		n = strtol(p + 1, &end, 10);
		if (n < 2 || n > PROTOLOG_SEQ_MAX)
			return (false);
		p = end;
	}
	if (strcmp(p, ".log") != 0)
		return (false);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	if ((*day = timegm(&tm)) == (time_t)-1)
		return (false);
	*seq = (int)n;
	return (true);
}

/* The files of the log in directory fd, oldest first. */
static size_t
protolog_list(int fd, struct protolog_file **vp)
{
	struct protolog_file	*v = NULL;
	struct dirent		*de;
	struct stat		 sb;
	DIR			*d;
	size_t			 n = 0;
	time_t			 day;
	int			 seq, dfd;

	*vp = NULL;
	if ((dfd = dup(fd)) == -1 || (d = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		return (0);
	}
	while ((de = readdir(d)) != NULL) {
		if (!protolog_name(de->d_name, &day, &seq) ||
		    fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n].name = xstrdup(de->d_name);
		v[n].day = day;
		v[n].seq = seq;
		v[n++].size = sb.st_size;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof *v, protolog_cmp);
	*vp = v;
	return (n);
}

static int
protolog_cmp(const void *a, const void *b)
{
	const struct protolog_file	*fa = a, *fb = b;

	if (fa->day != fb->day)
		return (fa->day < fb->day ? -1 : 1);
	return ((fa->seq > fb->seq) - (fa->seq < fb->seq));
}

/* Delete name from the directory; logged when that fails. */
static int
protolog_unlink(int fd, const char *dir, const char *name)
{
	if (unlinkat(fd, name, 0) == 0)
		return (0);
	log_warnx("protocol log: cannot remove %s/%s: %s", dir, name,
	    strerror(errno));
	return (-1);
}
