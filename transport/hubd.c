/*
 * hubd.c - the hubsh transport service's process: options, start-up,
 * privileges, signals, configuration reload, pruning and shutdown.  It
 * fills the environment the threads share (env.c) and defines nothing
 * they use: main() is its only entry.
 *
 * Start-up order matters: settings are read and checked, the process
 * becomes a daemon (the parent waits and exits with the child's verdict,
 * so a failed start is an error at the prompt, not only in syslog), then
 * the listener is bound, privileges are dropped, and only then do the
 * threads start.  Every signal is blocked in every thread; the main
 * thread takes them from a signalfd and, between signals, reads the
 * store again when it changed, so a change made with hubsh is in force
 * at once, without a restart: a PostgreSQL store announces each change
 * (LISTEN/NOTIFY) and its generation counter is polled every 5 s
 * besides; a SQLite store's is polled every 250 ms (reload_interval_ms).
 *
 * The transport settings of Set-TransportService live in the store too;
 * they are copied into the configuration at start and whenever the
 * generation moves, so they apply without a restart.  A pruning thread
 * deletes tracking records and SmtpSend protocol logs older than their
 * maximum ages, and protocol logs beyond the directory's maximum size
 * (protolog.c), once a minute and whenever those settings change.
 *
 * SIGTERM and SIGINT drain: the control channel closes, intake stops,
 * deliveries in flight finish, the spool is closed; nothing acknowledged
 * is lost because it was on disk before the 250.  SIGHUP re-reads the
 * store (connectors and settings) at once.
 */
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
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
#ifndef HUBD_DEFAULT_STATE_DIR
#define HUBD_DEFAULT_STATE_DIR	"/var/lib/hubsh/hubd"
#endif

/* Debian's root key (dns-root-data), the default DNSSEC trust anchor. */
#define HUBD_ROOT_ANCHOR	"/usr/share/dns/root.key"

#define HUBD_PRUNE_SECS		60	/* between pruning runs */
#define HUBD_PRUNE_BATCH	1000	/* records per job: ~0.1 s of writer */

static struct store	*hubd_store;
static uid_t		 hubd_uid = (uid_t)-1;	/* --user, or -1 */
static gid_t		 hubd_gid = (gid_t)-1;
static int64_t		 hubd_settings_gen = -1;
/*
 * The store unreachable (a PostgreSQL server down): said once, then
 * tried again after a growing pause (hubd_store_failed), while the last
 * good configuration stays in force.
 */
static bool		 hubd_store_down;
static int64_t		 hubd_store_pause_ms, hubd_store_next_ms;

#define STORE_RETRY_FIRST_MS	1000
#define STORE_RETRY_MAX_MS	30000
#define HEARTBEAT_MS		30000
#define HUBD_WATCH_POLL_MS	5000	/* the poll beside announcements */

/* The pruning thread. */
static pthread_t	 prune_thread;
static pthread_mutex_t	 prune_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 prune_cond;
static bool		 prune_started, prune_stopping, prune_kicked;

/* One batch of tracking records to delete, as a commit job. */
struct prune_job {
	int64_t		 before_ms;
	int64_t		 deleted;
};

static void	 usage(FILE *);
static void	 hubd_options(struct hubd_conf *, int, char **, int);
static void	 hubd_bad_option(struct hubd_conf *, const char *)
		    __attribute__((noreturn));
static int	 hubd_daemonize(void);
static void	 hubd_ready(int, const char *);
static int	 hubd_user(const char *, char **);
static int	 hubd_dirs(char **);
static char	*hubd_fqdn(void);
static char	*hubd_control_endpoint(const struct hubd_conf *);
static int	 hubd_drop_privileges(const char *, char **);
static const char *hubd_trust_anchor(const char *);
static int	 hubd_reload(bool, const char *);
static void	 hubd_store_failed(const char *);
static void	 hubd_heartbeat(void);
static int	 hubd_settings(bool);
static bool	 hubd_set_int(int *, int, const char *, bool);
static bool	 hubd_set_size(int64_t *, int64_t, const char *);
static bool	 hubd_set_bool(bool *, bool, const char *);
static void	 hubd_loop(void);
static int	 hubd_prune_start(char **);
static void	 hubd_prune_kick(void);
static void	 hubd_prune_stop(void);
static void	*hubd_prune_main(void *);
static void	 hubd_prune_tracking(void);
static int	 hubd_prune_job(struct spool *, void *, char **);

static void
usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: hubd [-fhv] [--config file] [--store path] "
	    "[--server name]\n"
	    "            [--listen addr:port] [--resolver addr:port] "
	    "[--ca-file file]\n"
	    "            [--state-dir dir] [--setting value ...]\n"
	    "settings:");
	for (i = 0; conf_name(i) != NULL; i++)
		fprintf(f, "%s%s", i % 4 == 0 ? "\n  " : " ", conf_name(i));
	fputc('\n', f);
}

/*
 * Apply the command line; with file_pass set only --config is looked at
 * (the file is read before the options, so options win).
 */
static void
hubd_options(struct hubd_conf *c, int argc, char **argv, int file_pass)
{
	static struct option	 *opts;
	size_t			  i, n;
	char			 *cause = NULL;
	int			  ch, idx;

	if (opts == NULL) {
		for (n = 0; conf_name(n) != NULL; n++)
			;
		opts = xcalloc(n + 5, sizeof *opts);
		for (i = 0; i < n; i++)
			opts[i] = (struct option){ conf_name(i),
			    required_argument, NULL, 0 };
		opts[i++] = (struct option){ "config", required_argument,
		    NULL, 'c' };
		opts[i++] = (struct option){ "foreground", no_argument,
		    NULL, 'f' };
		opts[i++] = (struct option){ "help", no_argument, NULL, 'h' };
		opts[i++] = (struct option){ "version", no_argument, NULL,
		    'V' };
	}
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "c:fhv", opts, &idx)) != -1) {
		switch (ch) {
		case 'c':
			if (file_pass && conf_load_file(c, optarg,
			    &cause) != 0) {
				fprintf(stderr, "hubd: %s\n", cause);
				exit(64);
			}
			break;
		case 'f':
			c->foreground = c->log_stderr = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'v':
			if (!file_pass)
				c->verbose++;
			break;
		case 'V':
			printf("hubd %s\n", HUBSH_VERSION);
			exit(0);
		case 0:
			if (file_pass)
				break;
			if (conf_set(c, opts[idx].name, optarg, &cause) != 0) {
				fprintf(stderr, "hubd: --%s\n", cause);
				exit(64);
			}
			break;
		default:
			hubd_bad_option(c, argv[optind - 1]);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(64);
	}
}

/*
 * An option getopt does not know: a setting that moved to the store is
 * named with its Set-TransportService parameter, anything else gets the
 * usage.  Exits 64.
 */
static void
hubd_bad_option(struct hubd_conf *c, const char *arg)
{
	char	*name, *cause = NULL;
	size_t	 i;

	if (arg != NULL && strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
		name = xstrndup(arg + 2, strcspn(arg + 2, "="));
		for (i = 0; conf_name(i) != NULL; i++) {
			if (strcmp(conf_name(i), name) == 0)
				break;
		}
		if (conf_name(i) != NULL)
			xasprintf(&cause, "%s needs a value", name);
		else if (conf_moved(name) != NULL)
			(void)conf_set(c, name, "", &cause);
		free(name);
		if (cause != NULL) {
			fprintf(stderr, "hubd: --%s\n", cause);
			free(cause);
			exit(64);
		}
	}
	fprintf(stderr, "hubd: unknown option %s\n", arg != NULL ? arg : "");
	usage(stderr);
	exit(64);
}

int
main(int argc, char **argv)
{
	struct hubd_conf	 conf;
	struct smtpd		*smtpd;
	struct pickup		*pickup;
	struct control		*control = NULL;
	struct metrics		*metrics = NULL;
	struct tls_ctx		*control_tls = NULL;
	char			*endpoint;
	sigset_t		 all;
	char			*cause = NULL, *path;
	int			 ready_fd;

	conf_defaults(&conf);
	hubd_options(&conf, argc, argv, 1);
	hubd_options(&conf, argc, argv, 0);
	if (conf.state_dir == NULL)
		conf.state_dir = xstrdup(HUBD_DEFAULT_STATE_DIR);
	if (conf.server_name == NULL && getenv("HUBSH_SERVER") != NULL)
		conf.server_name = xstrdup(getenv("HUBSH_SERVER"));
	if ((conf.tls_cert == NULL) != (conf.tls_key == NULL)) {
		fprintf(stderr, "hubd: tls-cert and tls-key go together\n");
		exit(64);
	}
	if (conf.control_listen != NULL && *conf.control_listen != '\0') {
		if (conf.control_cert == NULL && conf.tls_cert != NULL) {
			conf.control_cert = xstrdup(conf.tls_cert);
			free(conf.control_key);
			conf.control_key = xstrdup(conf.tls_key);
		}
		if (conf.control_cert == NULL || conf.control_key == NULL) {
			fprintf(stderr, "hubd: control-listen needs "
			    "control-cert and control-key (or tls-cert and "
			    "tls-key)\n");
			exit(64);
		}
		if (conf.control_ca == NULL) {
			fprintf(stderr, "hubd: control-listen needs "
			    "control-ca, the CA of the admins' "
			    "certificates\n");
			exit(64);
		}
	}
	if (conf.relay_reserved_sessions >= conf.max_sessions) {
		fprintf(stderr, "hubd: relay-reserved-sessions (%d) must be "
		    "less than max-sessions (%d)\n",
		    conf.relay_reserved_sessions, conf.max_sessions);
		exit(64);
	}
	env->conf = &conf;

	log_init(conf.log_stderr, conf.verbose);
	ready_fd = conf.foreground ? -1 : hubd_daemonize();

	/* Threads inherit this mask: only the main thread takes signals. */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGABRT);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	signal(SIGPIPE, SIG_IGN);

	path = store_resolve_path(conf.store_path);
	if (store_open(&hubd_store, path, conf.server_name, &cause) != 0)
		hubd_ready(ready_fd, cause);
	free(path);
	if (conf.key_file != NULL)
		store_set_key_file(hubd_store, conf.key_file);
	/* --user cannot read root's key file: take the key while root. */
	if (conf.user != NULL && store_key_preload(hubd_store, &cause) != 0)
		hubd_ready(ready_fd, cause);
	env->server = store_server_name(hubd_store);
	env->hostname = conf.hostname != NULL ? conf.hostname : hubd_fqdn();
	endpoint = hubd_control_endpoint(&conf);
	if (store_server_register(hubd_store, env->hostname, HUBSH_VERSION,
	    endpoint, &cause) != 0)
		hubd_ready(ready_fd, cause);
	free(endpoint);
	if (hubd_user(conf.user, &cause) != 0 || hubd_dirs(&cause) != 0 ||
	    tls_client_ctx_create(&env->tls_client, conf.ca_file,
	    &cause) != 0 ||
	    (conf.tls_cert != NULL && tls_server_ctx_create(&env->tls_server,
	    conf.tls_cert, conf.tls_key, &cause) != 0) ||
	    dns_create(&env->dns, conf.resolver,
	    hubd_trust_anchor(conf.trust_anchor), &cause) != 0)
		hubd_ready(ready_fd, cause);

	if (conf.control_listen != NULL && *conf.control_listen != '\0' &&
	    tls_control_ctx_create(&control_tls, conf.control_cert,
	    conf.control_key, conf.control_ca, &cause) != 0)
		hubd_ready(ready_fd, cause);
	if (control_bind(&control, conf.control_socket, conf.user,
	    conf.control_group, &cause) != 0 ||
	    (control_tls != NULL && control_listen_tls(control,
	    conf.control_listen, control_tls, &cause) != 0) ||
	    smtpd_bind(&smtpd, conf.listen, &cause) != 0 ||
	    metrics_listen(&metrics, conf.metrics_listen, &cause) != 0 ||
	    hubd_drop_privileges(conf.user, &cause) != 0 ||
	    hubd_reload(true, NULL) != 0 ||
	    alert_start(&cause) != 0 ||
	    commit_start(&env->commit, env->spool_path, &cause) != 0 ||
	    sts_start(&cause) != 0 ||
	    queue_start(&env->queue, &cause) != 0 ||
	    tlsrpt_start(&cause) != 0 ||
	    smtpd_start(smtpd, &cause) != 0 ||
	    pickup_start(&pickup, env->pickup_dir, &cause) != 0 ||
	    control_start(control, &cause) != 0 ||
	    metrics_start(metrics, &cause) != 0 ||
	    certwatch_start(&cause) != 0 ||
	    hubd_prune_start(&cause) != 0) {
		/* A socket left here would look like a stale one. */
		control_stop(control);
		hubd_ready(ready_fd, cause != NULL ? cause :
		    xstrdup("cannot read the connector store"));
	}
	log_info("hubd %s started: server %s, listening on %s, state in %s",
	    HUBSH_VERSION, env->server, conf.listen, conf.state_dir);
	hubd_ready(ready_fd, NULL);

	hubd_loop();

	log_info("stopping: intake closed, finishing deliveries in flight");
	certwatch_stop();
	metrics_stop(metrics);
	control_stop(control);
	hubd_prune_stop();
	smtpd_stop(smtpd);
	pickup_stop(pickup);
	tlsrpt_stop();
	queue_stop(env->queue);
	tlsrpt_close();
	sts_stop();
	alert_stop();
	commit_stop(env->commit);
	env_clear();
	dns_free(env->dns);
	tls_ctx_free(env->tls_client);
	tls_ctx_free(env->tls_server);
	store_close(hubd_store);
	log_info("stopped");
	free(env->spool_path);
	free(env->pickup_dir);
	free(env->log_dir);
	if (conf.hostname == NULL)
		free((char *)env->hostname);
	conf_free(&conf);
	return (0);
}

/*
 * Signals and reloads, until SIGTERM or SIGINT.  A store that announces
 * its changes (PostgreSQL's NOTIFY) is read again as soon as one comes,
 * and its generation polled every HUBD_WATCH_POLL_MS besides, in case an
 * announcement is lost with a connection that died without a word; a
 * store that cannot (SQLite) is polled every reload_interval_ms.
 */
static void
hubd_loop(void)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd[2];
	sigset_t		 set;
	int64_t			 now, next = 0;
	char			*cause = NULL;
	const char		*why;
	int			 sigfd, wfd, rc, announced = 0;
	bool			 watching, hup;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if ((sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatalx("signalfd: %s", strerror(errno));

	if ((rc = store_watch(hubd_store, &cause)) == -1) {
		log_warnx("reload: changes will not be announced (%s); "
		    "polling the store", cause);
		free(cause);
	}
	watching = rc == 0;
	if (watching)
		log_info("reload: listening for changes the store announces, "
		    "and polling it every %d s", HUBD_WATCH_POLL_MS / 1000);

	for (;;) {
		wfd = watching ? store_watch_fd(hubd_store) : -1;
		now = io_now_ms();
		pfd[0].fd = sigfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = wfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, announced ? 0 : (int)(next > now ?
		    next - now : 0)) == -1 && errno != EINTR)
			fatalx("poll: %s", strerror(errno));

		hup = false;
		while (read(sigfd, &si, sizeof si) == sizeof si) {
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
				goto out;
			hup = true;
		}
		/* A lost connection: the reload connects again. */
		if (wfd != -1 && store_watch_changed(hubd_store) != 0)
			announced = 1;

		now = io_now_ms();
		if (hup || announced || now >= next) {
			why = hup ? "SIGHUP" : announced ? "announced" :
			    "polled";
			announced = 0;
			hubd_reload(hup, why);
			next = io_now_ms() + (store_watch_fd(hubd_store) != -1 ?
			    HUBD_WATCH_POLL_MS : env->conf->reload_interval_ms);
		}
		hubd_heartbeat();
		/*
		 * Announcements that came with the answers to the reload's
		 * and the heartbeat's queries are in libpq's queue already:
		 * the socket will not say so.
		 */
		if (store_watch_changed(hubd_store) == 1)
			announced = 1;
	}
out:
	close(sigfd);
}

/*
 * The registry's heartbeat of this server (when it was last heard of),
 * every HEARTBEAT_MS while the store answers.
 */
static void
hubd_heartbeat(void)
{
	static int64_t	 next;
	int64_t		 now = io_now_ms();
	char		*cause = NULL;

	if (hubd_store_down || now < next)
		return;
	next = now + HEARTBEAT_MS;
	if (store_server_heartbeat(hubd_store, &cause) != 0) {
		log_warnx("heartbeat: %s", cause);
		free(cause);
	}
}

/*
 * The store did not answer: say so the first time, keep the last good
 * configuration, and try again after a pause that doubles up to 30 s.
 */
static void
hubd_store_failed(const char *cause)
{
	if (!hubd_store_down) {
		log_warnx("reload: the connector store does not answer (%s); "
		    "delivering with the last configuration read, and trying "
		    "again", cause);
		hubd_store_down = true;
		metrics_store_down(true);
		hubd_store_pause_ms = STORE_RETRY_FIRST_MS;
	} else if ((hubd_store_pause_ms *= 2) > STORE_RETRY_MAX_MS)
		hubd_store_pause_ms = STORE_RETRY_MAX_MS;
	hubd_store_next_ms = io_now_ms() + hubd_store_pause_ms;
}

/*
 * Read the store again when its generation moved (or always when
 * forced: start and SIGHUP): the transport settings, then a new routing
 * snapshot.  A snapshot that fails to build leaves the old one in
 * force, and settings that cannot be read leave the old ones.  why says
 * what led here, for the log.
 */
static int
hubd_reload(bool force, const char *why)
{
	struct route_table	*rt;
	int64_t			 gen = -1, prev;
	char			*cause = NULL;
	int			 rc = 0;

	if (!force && hubd_store_down && io_now_ms() < hubd_store_next_ms)
		return (-1);
	if (store_generation(hubd_store, &gen, &cause) != 0) {
		hubd_store_failed(cause);
		free(cause);
		cause = NULL;
		if (!force)
			return (-1);
	} else if (hubd_store_down) {
		log_info("reload: the connector store answers again");
		hubd_store_down = false;
		metrics_store_down(false);
		force = true;	/* what changed meanwhile */
	}
	if (force || gen != hubd_settings_gen) {
		if (hubd_settings(force) == 0)
			hubd_settings_gen = gen;
		else
			rc = -1;
	}
	prev = route_slot_generation(&env->routes);
	if (!force && prev != -1 && gen == prev)
		return (rc);
	if (route_table_build(hubd_store, env->server, &rt, &cause) != 0) {
		log_warnx("reload: keeping the previous connectors: %s",
		    cause);
		free(cause);
		return (-1);
	}
	gen = route_table_generation(rt);
	route_slot_set(&env->routes, rt);
	if (prev != -1)
		log_info("reload: connector store generation %lld (%s)",
		    (long long)gen, why);
	if (env->queue != NULL)
		queue_reroute(env->queue);
	return (rc);
}

/*
 * Copy this server's transport settings (Set-TransportService) from the
 * store into the configuration, logging each value that changed.  The
 * pruning thread runs at once when a maximum age changed or on SIGHUP.
 */
static int
hubd_settings(bool force)
{
	struct transport_settings	 ts;
	struct hubd_conf		*c = env->conf;
	char				*cause = NULL, *dir, *was;
	bool				 kick = force;

	memset(&ts, 0, sizeof ts);
	if (store_transport_get(hubd_store, env->server, &ts, &cause) != 0) {
		log_warnx("reload: keeping the previous transport settings: "
		    "%s", cause);
		free(cause);
		return (-1);
	}
	hubd_set_int(&c->transient_retry_count,
	    ts.transient_failure_retry_count, "TransientFailureRetryCount",
	    false);
	hubd_set_int(&c->transient_retry_interval,
	    ts.transient_failure_retry_interval,
	    "TransientFailureRetryInterval", true);
	hubd_set_int(&c->outbound_retry_interval,
	    ts.outbound_connection_failure_retry_interval,
	    "OutboundConnectionFailureRetryInterval", true);
	hubd_set_int(&c->message_retry_interval, ts.message_retry_interval,
	    "MessageRetryInterval", true);
	hubd_set_int(&c->delay_notification_timeout,
	    ts.delay_notification_timeout, "DelayNotificationTimeout", true);
	hubd_set_int(&c->message_expiration_timeout,
	    ts.message_expiration_timeout, "MessageExpirationTimeout", true);
	hubd_set_int(&c->dest_concurrency,
	    ts.max_per_domain_outbound_connections,
	    "MaxPerDomainOutboundConnections", false);
	hubd_set_int(&c->max_outbound, ts.max_outbound_connections,
	    "MaxOutboundConnections", false);
	hubd_set_int(&c->queue_max_idle, ts.queue_max_idle_time,
	    "QueueMaxIdleTime", true);
	hubd_set_int(&c->pickup_max_header,
	    ts.pickup_directory_max_header_size,
	    "PickupDirectoryMaxHeaderSize", false);
	hubd_set_int(&c->pickup_max_rcpts,
	    ts.pickup_directory_max_recipients_per_message,
	    "PickupDirectoryMaxRecipientsPerMessage", false);
	hubd_set_int(&c->pickup_max_per_minute,
	    ts.pickup_directory_max_messages_per_minute,
	    "PickupDirectoryMaxMessagesPerMinute", false);
	hubd_set_int(&c->queue_alert_age, ts.queue_alert_age, "QueueAlertAge",
	    true);
	hubd_set_int(&c->queue_alert_message_count,
	    ts.queue_alert_message_count, "QueueAlertMessageCount", false);
	hubd_set_bool(&c->external_delay_dsn, ts.external_delay_dsn_enabled,
	    "ExternalDelayDsnEnabled");
	tlsrpt_settings(ts.tls_rpt_enabled, ts.tls_rpt_organization_name,
	    ts.tls_rpt_contact_info);
	hubd_set_bool(&c->tracking_enabled, ts.message_tracking_log_enabled,
	    "MessageTrackingLogEnabled");
	hubd_set_bool(&c->tracking_subject,
	    ts.message_tracking_log_subject_logging_enabled,
	    "MessageTrackingLogSubjectLoggingEnabled");
	if (hubd_set_int(&c->tracking_max_age,
	    ts.message_tracking_log_max_age, "MessageTrackingLogMaxAge", true))
		kick = true;
	if (hubd_set_int(&c->protolog_max_age, ts.send_protocol_log_max_age,
	    "SendProtocolLogMaxAge", true))
		kick = true;
	if (hubd_set_size(&c->protolog_max_dir_size,
	    ts.send_protocol_log_max_directory_size,
	    "SendProtocolLogMaxDirectorySize"))
		kick = true;
	hubd_set_size(&c->protolog_max_file_size,
	    ts.send_protocol_log_max_file_size, "SendProtocolLogMaxFileSize");

	if (ts.send_protocol_log_path != NULL &&
	    *ts.send_protocol_log_path != '\0')
		dir = xstrdup(ts.send_protocol_log_path);
	else
		xasprintf(&dir, "%s/SmtpSend", env->log_dir);
	if (env_protolog_set(dir, &was) && was != NULL) {
		log_info("transport settings: SendProtocolLogPath %s -> %s",
		    was, dir);
		kick = true;
	}
	free(was);
	free(dir);
	transport_settings_clear(&ts);
	if (kick)
		hubd_prune_kick();
	return (0);
}

/* Set *field to v; log the change (as a TimeSpan when span). */
static bool
hubd_set_int(int *field, int v, const char *name, bool span)
{
	char	a[32], b[32];

	if (*field == v)
		return (false);
	if (span) {
		conf_format_interval(a, sizeof a, *field);
		conf_format_interval(b, sizeof b, v);
	} else {
		snprintf(a, sizeof a, "%d", *field);
		snprintf(b, sizeof b, "%d", v);
	}
	log_info("transport settings: %s %s -> %s", name, a, b);
	*field = v;
	return (true);
}

/* Set *field to v, bytes or -1 for Unlimited; log the change. */
static bool
hubd_set_size(int64_t *field, int64_t v, const char *name)
{
	char	a[32], b[32];

	if (*field == v)
		return (false);
	if (*field < 0)
		snprintf(a, sizeof a, "Unlimited");
	else
		snprintf(a, sizeof a, "%lld bytes", (long long)*field);
	if (v < 0)
		snprintf(b, sizeof b, "Unlimited");
	else
		snprintf(b, sizeof b, "%lld bytes", (long long)v);
	log_info("transport settings: %s %s -> %s", name, a, b);
	*field = v;
	return (true);
}

static bool
hubd_set_bool(bool *field, bool v, const char *name)
{
	if (*field == v)
		return (false);
	log_info("transport settings: %s %s -> %s", name,
	    *field ? "True" : "False", v ? "True" : "False");
	*field = v;
	return (true);
}

/*
 * Become a daemon; the parent waits for the child's first line on a
 * pipe: empty means started, anything else is the reason it did not.
 */
static int
hubd_daemonize(void)
{
	int	fd[2], null;
	char	buf[1024];
	ssize_t	n;

	if (pipe(fd) != 0)
		fatalx("pipe: %s", strerror(errno));
	switch (fork()) {
	case -1:
		fatalx("fork: %s", strerror(errno));
	case 0:
		break;
	default:
		close(fd[1]);
		n = read(fd[0], buf, sizeof buf - 1);
		if (n < 0)
			n = 0;
		buf[n] = '\0';
		if (n == 0 || buf[0] != '\n') {
			fprintf(stderr, "hubd: %s\n", n > 0 ? buf :
			    "exited during start-up");
			_exit(1);
		}
		_exit(0);
	}
	close(fd[0]);
	setsid();
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (chdir("/") != 0)
		fatalx("chdir /: %s", strerror(errno));
	return (fd[1]);
}

/* Report the start-up verdict: cause NULL is success, else exit. */
static void
hubd_ready(int fd, const char *cause)
{
	if (cause != NULL) {
		log_warnx("cannot start: %s", cause);
		if (fd == -1) {
			fprintf(stderr, "hubd: %s\n", cause);
			exit(1);
		}
		if (write(fd, cause, strlen(cause)) < 0) {
			/* The parent is gone; syslog has it. */
		}
		exit(1);
	}
	if (fd != -1) {
		if (write(fd, "\n", 1) < 0) {
			/* The parent is gone. */
		}
		close(fd);
	}
}

/* The user of --user, looked up once: hubd_uid and hubd_gid. */
static int
hubd_user(const char *user, char **cause)
{
	struct passwd	*pw;

	if (user == NULL)
		return (0);
	if ((pw = getpwnam(user)) == NULL) {
		xasprintf(cause, "no such user %s", user);
		return (-1);
	}
	hubd_uid = pw->pw_uid;
	hubd_gid = pw->pw_gid;
	return (0);
}

/*
 * The state directory and its parts, mode 0700 when made here, and
 * belonging to the user hubd runs as (dir_open: never through a link).
 */
static int
hubd_dirs(char **cause)
{
	char	*sd = env->conf->state_dir;
	size_t	 len = strlen(sd);
	int	 fd, pfd, lfd;

	while (len > 1 && sd[len - 1] == '/')
		sd[--len] = '\0';
	xasprintf(&env->spool_path, "%s/queue.db", sd);
	xasprintf(&env->pickup_dir, "%s/pickup", sd);
	xasprintf(&env->log_dir, "%s/log", sd);
	if ((fd = dir_open(AT_FDCWD, sd, sd, "the state directory", 0700,
	    hubd_uid, hubd_gid, DIR_ADOPT, cause)) == -1)
		return (-1);
	pfd = dir_open(fd, "pickup", env->pickup_dir, "the pickup directory",
	    0700, hubd_uid, hubd_gid, DIR_ADOPT, cause);
	lfd = pfd == -1 ? -1 : dir_open(fd, "log", env->log_dir,
	    "the log directory", 0700, hubd_uid, hubd_gid, DIR_ADOPT, cause);
	if (pfd != -1)
		close(pfd);
	if (lfd != -1)
		close(lfd);
	close(fd);
	return (lfd == -1 ? -1 : 0);
}

/*
 * The control endpoint this server registers: "tls:HOST:PORT" with
 * control-listen (HOST the FQDN when it listens on every address), else
 * its control socket, for hubsh on this host.
 */
static char *
hubd_control_endpoint(const struct hubd_conf *c)
{
	char	*host = NULL, *cause = NULL, *s;
	int	 port;

	if (c->control_listen == NULL || *c->control_listen == '\0')
		return (xstrdup(c->control_socket));
	if (conf_parse_hostport(c->control_listen, &host, &port, 0,
	    &cause) != 0) {
		free(cause);
		return (xstrdup(c->control_socket));
	}
	if (strcmp(host, "*") == 0 || strcmp(host, "0.0.0.0") == 0 ||
	    strcmp(host, "::") == 0)
		xasprintf(&s, "tls:%s:%d", env->hostname, port);
	else if (strchr(host, ':') != NULL)
		xasprintf(&s, "tls:[%s]:%d", host, port);
	else
		xasprintf(&s, "tls:%s:%d", host, port);
	free(host);
	return (s);
}

/*
 * The DNSSEC trust anchor file: the setting's, none for "none", else the
 * system's root key when it is there (Debian: dns-root-data).  Logged,
 * since without one no answer is validated and DANE cannot work.
 */
static const char *
hubd_trust_anchor(const char *set)
{
	if (set != NULL && strcmp(set, "none") == 0)
		set = NULL;
	else if (set == NULL && access(HUBD_ROOT_ANCHOR, R_OK) == 0)
		set = HUBD_ROOT_ANCHOR;
	if (set != NULL)
		log_info("DNSSEC: validating from the trust anchor in %s", set);
	else
		log_info("DNSSEC: no trust anchor (%s is not there, or "
		    "dnssec-trust-anchor is none): answers are not validated",
		    HUBD_ROOT_ANCHOR);
	return (set);
}

/* This host's name for the greeting and EHLO (gethostname). */
static char *
hubd_fqdn(void)
{
	char	name[256];

	if (gethostname(name, sizeof name) != 0 || *name == '\0')
		return (xstrdup("localhost"));
	name[sizeof name - 1] = '\0';
	return (xstrdup(name));
}

/*
 * Run as the user of --user from here on: the listener and the control
 * socket are bound, which needed root, and hubd_dirs has handed the
 * state directory over.
 */
static int
hubd_drop_privileges(const char *user, char **cause)
{
	if (user == NULL)
		return (0);
	if (setgroups(1, &hubd_gid) != 0 || setgid(hubd_gid) != 0 ||
	    setuid(hubd_uid) != 0) {
		xasprintf(cause, "cannot become %s: %s", user,
		    strerror(errno));
		return (-1);
	}
	/* Make sure it sticks: root must not be reachable again. */
	if (setuid(0) == 0) {
		xasprintf(cause, "privileges not dropped");
		return (-1);
	}
	return (0);
}

/*
 * The pruning thread: runs at once, then every HUBD_PRUNE_SECS, and
 * whenever hubd_prune_kick() asks (a maximum age changed, SIGHUP).  Its
 * own thread, so that deleting many records holds up neither reloads
 * nor the delivery scheduler; the deletions themselves are commit jobs.
 */
static int
hubd_prune_start(char **cause)
{
	pthread_condattr_t	ca;
	int			error;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&prune_cond, &ca);
	pthread_condattr_destroy(&ca);
	prune_kicked = true;
	if ((error = pthread_create(&prune_thread, NULL, hubd_prune_main,
	    NULL)) != 0) {
		xasprintf(cause, "pruning thread: %s", strerror(error));
		return (-1);
	}
	prune_started = true;
	return (0);
}

static void
hubd_prune_kick(void)
{
	pthread_mutex_lock(&prune_lock);
	prune_kicked = true;
	if (prune_started)
		pthread_cond_signal(&prune_cond);
	pthread_mutex_unlock(&prune_lock);
}

static void
hubd_prune_stop(void)
{
	if (!prune_started)
		return;
	pthread_mutex_lock(&prune_lock);
	prune_stopping = true;
	pthread_cond_signal(&prune_cond);
	pthread_mutex_unlock(&prune_lock);
	pthread_join(prune_thread, NULL);
	pthread_cond_destroy(&prune_cond);
	prune_started = false;
}

static void *
hubd_prune_main(void *arg)
{
	struct timespec	ts;

	(void)arg;
	thread_name("prune");
	pthread_mutex_lock(&prune_lock);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += HUBD_PRUNE_SECS;
		while (!prune_kicked && !prune_stopping) {
			if (pthread_cond_timedwait(&prune_cond, &prune_lock,
			    &ts) == ETIMEDOUT)
				break;
		}
		if (prune_stopping)
			break;
		prune_kicked = false;
		pthread_mutex_unlock(&prune_lock);
		hubd_prune_tracking();
		protolog_prune();
		pthread_mutex_lock(&prune_lock);
	}
	pthread_mutex_unlock(&prune_lock);
	return (NULL);
}

/*
 * Delete the tracking records older than MessageTrackingLogMaxAge, in
 * commit jobs of HUBD_PRUNE_BATCH so that intake never waits behind one
 * long transaction, until a batch comes back short.
 */
static void
hubd_prune_tracking(void)
{
	struct prune_job	 job;
	struct timespec		 now;
	int64_t			 total = 0;
	char			*cause = NULL;
	int			 max_age = env->conf->tracking_max_age;
	bool			 stop;

	if (max_age <= 0)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	memset(&job, 0, sizeof job);
	job.before_ms = (int64_t)now.tv_sec * 1000 +
	    now.tv_nsec / 1000000 - (int64_t)max_age * 1000;
	do {
		job.deleted = 0;
		if (commit_run(env->commit, hubd_prune_job, &job,
		    &cause) != 0) {
			log_warnx("tracking log: pruning: %s", cause);
			free(cause);
			break;
		}
		total += job.deleted;
		pthread_mutex_lock(&prune_lock);
		stop = prune_stopping;
		pthread_mutex_unlock(&prune_lock);
	} while (job.deleted >= HUBD_PRUNE_BATCH && !stop);
	if (total > 0)
		log_info("tracking log: deleted %lld records older than %d "
		    "seconds (MessageTrackingLogMaxAge)", (long long)total,
		    max_age);
}

/* One batch of hubd_prune_tracking, in the committer's transaction. */
static int
hubd_prune_job(struct spool *sp, void *arg, char **cause)
{
	struct prune_job	*job = arg;

	return (spool_track_prune(sp, job->before_ms, HUBD_PRUNE_BATCH,
	    &job->deleted, cause));
}
