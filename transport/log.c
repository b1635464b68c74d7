/*
 * log.c - hubd's log: syslog (mail facility) as a daemon, stderr in the
 * foreground.
 *
 * Every thread logs through these functions; one line is one write, so
 * lines from different threads never interleave.  Callers never pass
 * message bodies or credentials: the log is read by people who must not
 * see either.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"

static bool		log_to_stderr = true;
static int		log_verbose;
static pthread_mutex_t	log_limit_lock = PTHREAD_MUTEX_INITIALIZER;

static void	log_vlog(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

/*
 * Choose the destination; verbose > 0 also logs debug lines, verbose < 0
 * only fatal ones.
 */
void
log_init(bool to_stderr, int verbose)
{
	log_to_stderr = to_stderr;
	log_verbose = verbose;
	if (!to_stderr)
		openlog("hubd", LOG_PID | LOG_NDELAY, LOG_MAIL);
}

static void
log_vlog(int pri, const char *fmt, va_list ap)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		*msg, *line, stamp[32];

	/* verbose < 0: nothing but fatal lines (the fuzzers). */
	if (log_verbose < 0 && pri != LOG_CRIT)
		return;

	if (!log_to_stderr) {
		vsyslog(pri, fmt, ap);
		return;
	}
	xvasprintf(&msg, fmt, ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	xasprintf(&line, "%s.%03ldZ hubd[%ld]: %s%s\n", stamp,
	    ts.tv_nsec / 1000000, (long)getpid(),
	    pri == LOG_WARNING ? "warning: " :
	    pri == LOG_ALERT ? "alert: " :
	    pri == LOG_CRIT ? "fatal: " : "", msg);
	/* One write per line keeps lines from threads whole. */
	if (write(STDERR_FILENO, line, strlen(line)) < 0) {
		/* Nowhere left to report it. */
	}
	free(line);
	free(msg);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose <= 0)
		return;
	va_start(ap, fmt);
	log_vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
log_alert(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vlog(LOG_ALERT, fmt, ap);
	va_end(ap);
}

/* A broken invariant or an impossible start: log and exit. */
void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

bool
log_limit(struct log_limit *ll, uint64_t *quiet)
{
	time_t	now = time(NULL);
	bool	go;

	pthread_mutex_lock(&log_limit_lock);
	go = ll->last == 0 || now - ll->last >= ll->secs;
	if (go) {
		*quiet = ll->quiet;
		ll->quiet = 0;
		ll->last = now;
	} else
		ll->quiet++;
	pthread_mutex_unlock(&log_limit_lock);
	return (go);
}

void
log_limit_reset(struct log_limit *ll)
{
	pthread_mutex_lock(&log_limit_lock);
	ll->last = 0;
	ll->quiet = 0;
	pthread_mutex_unlock(&log_limit_lock);
}
