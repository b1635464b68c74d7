/*
 * alert.c - telling the admin that a queue is stuck, by ways that do not
 * depend on the mail that is stuck.
 *
 * A queue is in alarm while its oldest message has waited longer than
 * QueueAlertAge or it holds QueueAlertMessageCount messages or more (the
 * connector's thresholds, else the server's).  alarm_step() is the rule:
 * an alarm is raised the first second a queue is over a threshold, and
 * recovers only once the queue has stayed under both for the recovery
 * time (alert-recovery-time).  A queue that dips under and back keeps
 * one alarm: a flapping partner gives one alert, not one a minute.
 *
 * Each raise and each recovery is one struct alert, which alert_post()
 * logs at once at LOG_ALERT (syslog always; stderr in the foreground)
 * and hands to the alert thread.  That thread, one alert at a time, runs
 * the alert command (alert-command, through /bin/sh, the alert as JSON on
 * its standard input, killed after alert-command-timeout) and POSTs the
 * same JSON to the webhook (alert-webhook, HTTPS only, through libcurl,
 * trusting alert-webhook-ca or the system's store, three tries).  Neither
 * holds any lock the queue takes: a command or a webhook that hangs
 * delays the next alert, never a delivery.  The thread's queue is
 * bounded; an alert that does not fit is dropped and said so (its
 * LOG_ALERT line was written already).  The certificate watch
 * (certwatch.c) sends its findings the same ways.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/wait.h>

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "xmalloc.h"
#include "transport.h"

#define ALERT_PENDING_MAX	256	/* alerts waiting for the thread */
#define ALERT_OUTPUT_MAX	512	/* bytes of a command's output kept */
#define ALERT_WEBHOOK_TRIES	3
#define ALERT_WEBHOOK_MAX	65536	/* bytes of a webhook's answer read */

extern char	**environ;

TAILQ_HEAD(alert_list, alert);

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 more;
	struct alert_list	 pending;
	size_t			 npending;
	bool			 running;
	volatile bool		 stopping;
	pthread_t		 thread;
	struct log_limit	 dropped;
} alerts = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.more = PTHREAD_COND_INITIALIZER,
	.pending = TAILQ_HEAD_INITIALIZER(alerts.pending),
	.dropped = { .secs = 60 }
};

static void	*alert_thread(void *);
static void	 alert_deliver(const struct alert *);
static int	 alert_pipe(int [2]);
static int	 alert_command(const char *, const char *);
static int	 alert_command_wait(pid_t, int, const char *, char *, size_t);
static int	 alert_webhook(const char *, const char *);
static void	 alert_findings(struct buf *, const struct alert *);
static void	 alert_json_field(struct buf *, const char *, const char *);
static void	 alert_json_queue(struct buf *, const struct alert *);
static void	 alert_json_cert(struct buf *, const struct alert *);
static void	 alert_json_time(struct buf *, const char *, int64_t);
static bool	 alert_sleep(int, const volatile bool *);

/*
 * One second of a queue's alarm: over is whether the queue is over a
 * threshold now.  Raised the first second it is; recovered once it has
 * been under for hold seconds.
 */
enum alarm_change
alarm_step(struct alarm *a, bool over, int64_t now, int hold)
{
	if (!a->raised) {
		if (!over)
			return (ALARM_SAME);
		a->raised = true;
		a->started = now;
		a->under_since = 0;
		return (ALARM_RAISED);
	}
	if (over) {
		a->under_since = 0;
		return (ALARM_SAME);
	}
	if (a->under_since == 0)
		a->under_since = now;
	if (now - a->under_since < hold)
		return (ALARM_SAME);
	a->raised = false;
	return (ALARM_RECOVERED);
}

/* Start the alert thread (libcurl is made ready first, before threads). */
int
alert_start(char **cause)
{
	const struct hubd_conf	*c = env->conf;
	int			 error;

	/* The URL may hold a token: the messages never show it. */
	if (c->alert_webhook != NULL &&
	    strncasecmp(c->alert_webhook, "https://", 8) != 0) {
		*cause = xstrdup("alert-webhook: not an https:// URL");
		return (-1);
	}
	if (c->alert_webhook_ca != NULL &&
	    access(c->alert_webhook_ca, R_OK) != 0) {
		xasprintf(cause, "alert-webhook-ca %s: %s", c->alert_webhook_ca,
		    strerror(errno));
		return (-1);
	}
	if (c->alert_command != NULL && *c->alert_command == '\0') {
		*cause = xstrdup("alert-command: empty");
		return (-1);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		*cause = xstrdup("cannot initialise libcurl");
		return (-1);
	}
	if ((error = pthread_create(&alerts.thread, NULL, alert_thread,
	    NULL)) != 0) {
		xasprintf(cause, "cannot start the alert thread: %s",
		    strerror(error));
		curl_global_cleanup();
		return (-1);
	}
	alerts.running = true;
	return (0);
}

/*
 * Stop the thread: a command running is killed, a webhook abandoned, and
 * the alerts still waiting are dropped (each was logged when posted).
 */
void
alert_stop(void)
{
	struct alert	*al;

	if (!alerts.running)
		return;
	pthread_mutex_lock(&alerts.lock);
	alerts.stopping = true;
	pthread_cond_signal(&alerts.more);
	pthread_mutex_unlock(&alerts.lock);
	pthread_join(alerts.thread, NULL);
	alerts.running = false;
	while ((al = TAILQ_FIRST(&alerts.pending)) != NULL) {
		TAILQ_REMOVE(&alerts.pending, al, entry);
		alert_free(al);
	}
	alerts.npending = 0;
	curl_global_cleanup();
}

void
alert_free(struct alert *al)
{
	if (al == NULL)
		return;
	free(al->queue);
	free(al->next_hop);
	free(al->connector);
	free(al->last_error);
	free(al->host);
	free(al->address);
	free(al->subject);
	free(al->issuer);
	free(al->previous_issuer);
	free(al->names);
	free(al->thumbprint);
	free(al);
}

/* A certificate alert's findings in words, each with what it means. */
static void
alert_findings(struct buf *b, const struct alert *al)
{
	int64_t	 days;
	unsigned bit;
	bool	 first = true;

	for (bit = 1; bit <= CW_ALL; bit <<= 1) {
		if ((al->findings & bit) == 0)
			continue;
		buf_addf(b, "%s%s", first ? "" : "; ",
		    certwatch_finding_name(bit));
		first = false;
		switch (bit) {
		case CW_EXPIRING:
			days = (al->not_after - al->at) / 86400;
			if (al->not_after <= al->at)
				buf_adds(b, " (expired)");
			else
				buf_addf(b, " (in %" PRId64 " day%s)", days,
				    days == 1 ? "" : "s");
			break;
		case CW_ISSUER:
			buf_addf(b, " (was %s)", al->previous_issuer != NULL ?
			    al->previous_issuer : "?");
			break;
		case CW_TLSDOMAIN:
			buf_addf(b, " (names: %s)", al->names != NULL ?
			    al->names : "none");
			break;
		}
	}
}

/* The alert in one line: the LOG_ALERT line and the JSON's "text". */
char *
alert_text(const struct alert *al)
{
	struct buf	 b;
	char		 age[32], lasted[32], *s, *p;

	conf_format_interval(age, sizeof age, al->oldest_age);
	conf_format_interval(lasted, sizeof lasted, al->at - al->started);
	switch (al->kind) {
	case ALERT_RAISED:
		xasprintf(&s, "queue %s to %s (connector %s) is in alarm: "
		    "%" PRId64 " messages, the oldest waiting %s; %s%s%s",
		    al->queue, al->next_hop, al->connector != NULL ?
		    al->connector : "none", al->message_count, age,
		    al->fail_class != NULL ? al->fail_class : "no failure yet",
		    al->last_error != NULL ? ": " : "",
		    al->last_error != NULL ? al->last_error : "");
		break;
	case ALERT_RECOVERED:
		xasprintf(&s, "queue %s to %s (connector %s) has recovered "
		    "after %s in alarm: %" PRId64 " messages", al->queue,
		    al->next_hop, al->connector != NULL ? al->connector :
		    "none", lasted, al->message_count);
		break;
	default:
		buf_init(&b);
		buf_addf(&b, "certificate watch: connector %s, host %s [%s]: ",
		    al->connector, al->host, al->address);
		alert_findings(&b, al);
		if (al->subject != NULL)
			buf_addf(&b, "; certificate %s, issuer %s", al->subject,
			    al->issuer != NULL ? al->issuer : "?");
		s = buf_detach(&b);
		break;
	}
	/* One line: a remote server's reply may hold anything. */
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return (s);
}

/* ,"name":"value" or ,"name":null */
static void
alert_json_field(struct buf *b, const char *name, const char *v)
{
	buf_addf(b, ",\"%s\":", name);
	alert_json_str(b, v);
}

/* A queue alert's own fields. */
static void
alert_json_queue(struct buf *b, const struct alert *al)
{
	alert_json_field(b, "queue", al->queue);
	alert_json_field(b, "next_hop_domain", al->next_hop);
	alert_json_field(b, "connector", al->connector);
	alert_json_field(b, "failure_class", al->fail_class);
	alert_json_field(b, "last_error", al->last_error);
	buf_addf(b, ",\"message_count\":%" PRId64
	    ",\"oldest_message_age_seconds\":%" PRId64, al->message_count,
	    al->oldest_age);
	if (al->age_threshold == ALERT_UNLIMITED)
		buf_adds(b, ",\"queue_alert_age_seconds\":null");
	else
		buf_addf(b, ",\"queue_alert_age_seconds\":%d",
		    al->age_threshold);
	if (al->count_threshold == ALERT_UNLIMITED)
		buf_adds(b, ",\"queue_alert_message_count\":null");
	else
		buf_addf(b, ",\"queue_alert_message_count\":%d",
		    al->count_threshold);
	alert_json_time(b, "started", al->started);
	alert_json_time(b, "time", al->at);
	buf_addf(b, ",\"duration_seconds\":%" PRId64, al->at - al->started);
}

/* A certificate alert's own fields. */
static void
alert_json_cert(struct buf *b, const struct alert *al)
{
	unsigned	bit;
	bool		first = true;

	alert_json_field(b, "connector", al->connector);
	alert_json_field(b, "domain", *al->next_hop != '\0' ? al->next_hop :
	    NULL);
	alert_json_field(b, "host", al->host);
	alert_json_field(b, "address", al->address);
	buf_adds(b, ",\"findings\":[");
	for (bit = 1; bit <= CW_ALL; bit <<= 1) {
		if ((al->findings & bit) == 0)
			continue;
		buf_addf(b, "%s\"%s\"", first ? "" : ",",
		    certwatch_finding_name(bit));
		first = false;
	}
	buf_addc(b, ']');
	alert_json_field(b, "subject", al->subject);
	alert_json_field(b, "issuer", al->issuer);
	alert_json_field(b, "previous_issuer", al->previous_issuer);
	alert_json_field(b, "names", al->names);
	alert_json_field(b, "thumbprint", al->thumbprint);
	if (al->subject != NULL) {
		alert_json_time(b, "not_after", al->not_after);
		buf_addf(b, ",\"days_left\":%" PRId64,
		    (al->not_after - al->at) / 86400);
	}
	alert_json_time(b, "time", al->at);
}

/*
 * The alert as the command and the webhook get it: one JSON object (see
 * doc/monitoring.md), UTF-8, with a trailing newline.
 */
char *
alert_json(const struct alert *al)
{
	static const char *const events[] = { "raised", "recovered",
	    "certificate" };
	struct buf	 b;
	char		*text;

	buf_init(&b);
	buf_addf(&b, "{\"event\":\"%s\"", events[al->kind]);
	alert_json_field(&b, "server", env->server);
	if (al->kind == ALERT_CERTIFICATE)
		alert_json_cert(&b, al);
	else
		alert_json_queue(&b, al);
	text = alert_text(al);
	alert_json_field(&b, "text", text);
	free(text);
	buf_adds(&b, "}\n");
	return (buf_detach(&b));
}

/*
 * Log the alert now and queue it for the command and the webhook (al is
 * taken).  Never blocks on either.
 */
void
alert_post(struct alert *al)
{
	const struct hubd_conf	*c = env->conf;
	char			*text;
	uint64_t		 quiet;

	text = alert_text(al);
	log_alert("%s", text);
	free(text);
	if ((c->alert_command == NULL && c->alert_webhook == NULL) ||
	    !alerts.running) {
		alert_free(al);
		return;
	}
	pthread_mutex_lock(&alerts.lock);
	if (alerts.npending >= ALERT_PENDING_MAX) {
		pthread_mutex_unlock(&alerts.lock);
		if (log_limit(&alerts.dropped, &quiet))
			log_warnx("an alert was not sent to the alert "
			    "command or webhook: %d alerts are waiting "
			    "already (%" PRIu64 " more dropped since the "
			    "last message)", ALERT_PENDING_MAX, quiet);
		alert_free(al);
		return;
	}
	TAILQ_INSERT_TAIL(&alerts.pending, al, entry);
	alerts.npending++;
	pthread_cond_signal(&alerts.more);
	pthread_mutex_unlock(&alerts.lock);
}

static void *
alert_thread(void *arg)
{
	struct alert	*al;

	(void)arg;
	thread_name("alerts");
	pthread_mutex_lock(&alerts.lock);
	while (!alerts.stopping) {
		if ((al = TAILQ_FIRST(&alerts.pending)) == NULL) {
			pthread_cond_wait(&alerts.more, &alerts.lock);
			continue;
		}
		TAILQ_REMOVE(&alerts.pending, al, entry);
		alerts.npending--;
		pthread_mutex_unlock(&alerts.lock);
		alert_deliver(al);
		alert_free(al);
		pthread_mutex_lock(&alerts.lock);
	}
	pthread_mutex_unlock(&alerts.lock);
	return (NULL);
}

/* The command, then the webhook; each failure is logged. */
static void
alert_deliver(const struct alert *al)
{
	const struct hubd_conf	*c = env->conf;
	char			*json;

	json = alert_json(al);
	if (c->alert_command != NULL)
		alert_command(c->alert_command, json);
	if (c->alert_webhook != NULL && !alerts.stopping)
		alert_webhook(c->alert_webhook, json);
	free(json);
}

/* A pipe whose ends the command gets only as its 0, 1 and 2. */
static int
alert_pipe(int fd[2])
{
	if (pipe(fd) != 0) {
		log_warnx("alert command: pipe: %s", strerror(errno));
		return (-1);
	}
	fcntl(fd[0], F_SETFD, FD_CLOEXEC);
	fcntl(fd[1], F_SETFD, FD_CLOEXEC);
	return (0);
}

/*
 * Run cmd through /bin/sh with json on its standard input, in a process
 * group of its own, with default signal handling and an empty signal
 * mask (hubd's threads block the signals they take through signalfd).
 * Its output is kept for the log; past alert-command-timeout, or when
 * hubd stops, the group is killed.
 */
static int
alert_command(const char *cmd, const char *json)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 sa;
	sigset_t			 none, dflt;
	char				*argv[] = { "/bin/sh", "-c",
					    (char *)cmd, NULL };
	char				 out[ALERT_OUTPUT_MAX + 1];
	int				 in[2], op[2], error, status;
	size_t				 len = strlen(json);
	ssize_t				 n;
	pid_t				 pid;

	if (alert_pipe(in) != 0)
		return (-1);
	if (alert_pipe(op) != 0) {
		close(in[0]);
		close(in[1]);
		return (-1);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, op[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, op[1], STDERR_FILENO);
	posix_spawnattr_init(&sa);
	sigemptyset(&none);
	sigfillset(&dflt);
	posix_spawnattr_setsigmask(&sa, &none);
	posix_spawnattr_setsigdefault(&sa, &dflt);
	posix_spawnattr_setpgroup(&sa, 0);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	error = posix_spawn(&pid, argv[0], &fa, &sa, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	close(in[0]);
	close(op[1]);
	if (error != 0) {
		log_warnx("alert command: cannot run /bin/sh: %s",
		    strerror(error));
		close(in[1]);
		close(op[0]);
		return (-1);
	}
	/*
	 * The alert is far smaller than a pipe's buffer: the write does
	 * not wait for the command to read.  A command that exits first
	 * leaves EPIPE (SIGPIPE is ignored), which is its business.
	 */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	n = write(in[1], json, len);
	close(in[1]);
	status = alert_command_wait(pid, op[0], cmd, out, sizeof out);
	close(op[0]);
	if (n != (ssize_t)len && status == 0)
		log_warnx("alert command: it did not read the whole alert");
	return (status);
}

/*
 * Wait for the command, reading its output into out; 0 when it exited
 * with status 0.
 */
static int
alert_command_wait(pid_t pid, int fd, const char *cmd, char *out,
    size_t outsize)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	int64_t		 deadline;
	char		 tmp[256];
	size_t		 len = 0;
	ssize_t		 n;
	int		 status = 0;
	bool		 open = true, killed = false;
	pid_t		 w;

	deadline = io_deadline(1000 * env->conf->alert_command_timeout);
	for (;;) {
		if ((w = waitpid(pid, &status, WNOHANG)) == pid)
			break;
		if (w < 0 && errno != EINTR) {
			log_warnx("alert command: waitpid: %s",
			    strerror(errno));
			return (-1);
		}
		if (!killed && (io_remaining(deadline) == 0 ||
		    alerts.stopping)) {
			kill(-pid, SIGKILL);
			killed = true;
		}
		pfd.fd = open ? fd : -1;
		if (poll(&pfd, 1, 100) <= 0 || !open)
			continue;
		/* Read all it writes, so it never waits on a full pipe. */
		if ((n = read(fd, tmp, sizeof tmp)) > 0) {
			if ((size_t)n > outsize - 1 - len)
				n = outsize - 1 - len;
			memcpy(out + len, tmp, n);
			len += n;
		} else if (n == 0 || errno != EINTR)
			open = false;
	}
	out[len] = '\0';
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	if (killed) {
		log_warnx("alert command killed after %d s: %s",
		    env->conf->alert_command_timeout, cmd);
		return (-1);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return (0);
	if (WIFEXITED(status))
		log_warnx("alert command exited with status %d%s%s",
		    WEXITSTATUS(status), len > 0 ? ": " : "", out);
	else
		log_warnx("alert command killed by signal %d%s%s",
		    WTERMSIG(status), len > 0 ? ": " : "", out);
	return (-1);
}

/* libcurl's write callback: keep nothing, but bound what is read. */
static size_t
alert_discard(char *p, size_t size, size_t n, void *arg)
{
	size_t	*got = arg;

	(void)p;
	*got += size * n;
	return (*got > ALERT_WEBHOOK_MAX ? 0 : size * n);
}

/* libcurl's progress callback: give up once the caller's stop is set. */
static int
alert_abort(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	const volatile bool	*stop = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return (*stop ? 1 : 0);
}

/* The alert webhook: the alert's JSON, alert-webhook-ca, its timeout. */
static int
alert_webhook(const char *url, const char *json)
{
	const struct hubd_conf	*c = env->conf;
	struct https_post	 p;

	memset(&p, 0, sizeof p);
	p.what = "alert webhook";
	p.url = url;
	p.type = "application/json";
	p.body = json;
	p.len = strlen(json);
	p.ca_file = c->alert_webhook_ca;
	p.timeout = c->alert_webhook_timeout;
	p.stop = &alerts.stopping;
	return (https_post(&p));
}

/*
 * POST p->body to p->url: HTTPS only, no redirects, the peer verified
 * against p->ca_file (else the system's store).  A 2xx answer is
 * success; a transport error, 408, 429 or 5xx is tried again after 1 and
 * 4 s.  The URL may hold a token: the log names only its host.
 */
int
https_post(const struct https_post *p)
{
	struct curl_slist	*hdrs = NULL;
	CURLU			*u;
	CURL			*h;
	CURLcode		 rc = CURLE_FAILED_INIT;
	char			*host = NULL, *type, err[CURL_ERROR_SIZE];
	long			 code = 0;
	size_t			 got;
	int			 try, wait = 1;

	if ((u = curl_url()) != NULL &&
	    curl_url_set(u, CURLUPART_URL, p->url, 0) == CURLUE_OK)
		curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_cleanup(u);
	if ((h = curl_easy_init()) == NULL) {
		log_warnx("%s: cannot make a libcurl handle", p->what);
		curl_free(host);
		return (-1);
	}
	xasprintf(&type, "Content-Type: %s", p->type);
	hdrs = curl_slist_append(hdrs, type);
	free(type);
	curl_easy_setopt(h, CURLOPT_URL, p->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, p->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->len);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "hubd/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)p->timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)p->timeout);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (p->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, p->ca_file);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, alert_discard);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, alert_abort);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)p->stop);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	for (try = 1; try <= ALERT_WEBHOOK_TRIES && !*p->stop; try++) {
		got = 0;
		err[0] = '\0';
		code = 0;
		rc = curl_easy_perform(h);
		if (rc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (rc == CURLE_OK && code >= 200 && code < 300)
			break;
		if (rc != CURLE_OK)
			log_warnx("%s to %s, try %d of %d: %s", p->what,
			    host != NULL ? host : "?", try,
			    ALERT_WEBHOOK_TRIES, err[0] != '\0' ? err :
			    curl_easy_strerror(rc));
		else
			log_warnx("%s to %s, try %d of %d: HTTP status %ld",
			    p->what, host != NULL ? host : "?", try,
			    ALERT_WEBHOOK_TRIES, code);
		/* A refusal other than these will not change on its own. */
		if (rc == CURLE_OK && code != 408 && code != 429 &&
		    code < 500)
			break;
		if (try < ALERT_WEBHOOK_TRIES && !alert_sleep(wait, p->stop))
			break;
		wait *= 4;
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	curl_free(host);
	return (rc == CURLE_OK && code >= 200 && code < 300 ? 0 : -1);
}

/* Sleep secs, false when *stop is set meanwhile. */
static bool
alert_sleep(int secs, const volatile bool *stop)
{
	int	i;

	for (i = 0; i < secs * 10 && !*stop; i++)
		poll(NULL, 0, 100);
	return (!*stop);
}

/*
 * s as a JSON string, or null: the escapes JSON requires, and every byte
 * that is not well-formed UTF-8 as U+FFFD (a remote server's reply may
 * hold anything).
 */
void
alert_json_str(struct buf *b, const char *s)
{
	uint32_t	c;
	size_t		n, len;

	if (s == NULL) {
		buf_adds(b, "null");
		return;
	}
	buf_addc(b, '"');
	len = strlen(s);
	while (len > 0) {
		if ((unsigned char)*s < 0x80) {
			if (*s == '"' || *s == '\\')
				buf_addf(b, "\\%c", *s);
			else if ((unsigned char)*s < 0x20 || *s == 0x7f)
				buf_addf(b, "\\u%04x", (unsigned char)*s);
			else
				buf_addc(b, *s);
			s++;
			len--;
			continue;
		}
		if ((n = utf8_decode(s, len, &c)) == 1) {
			buf_adds(b, "\\ufffd");
			s++;
			len--;
			continue;
		}
		buf_add(b, s, n);
		s += n;
		len -= n;
	}
	buf_addc(b, '"');
}

/* ,"name":"2026-12-06T10:00:00Z" */
static void
alert_json_time(struct buf *b, const char *name, int64_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;
	char		s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_addf(b, ",\"%s\":\"%s\"", name, s);
}
