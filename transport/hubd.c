/*
 * hubd.c - the hubsh transport service: options, start-up, signals,
 * configuration reload and shutdown.
 *
 * Start-up order matters: settings are read and checked, the process
 * becomes a daemon (the parent waits and exits with the child's verdict,
 * so a failed start is an error at the prompt, not only in syslog), then
 * the listener is bound, privileges are dropped, and only then do the
 * threads start.  Every signal is blocked in every thread; the main
 * thread takes them with sigtimedwait() and, between signals, polls the
 * connector store's generation counter so a change made with hubsh is
 * in force within reload-interval (250 ms), without a restart.
 *
 * SIGTERM and SIGINT drain: intake stops first, deliveries in flight
 * finish, the spool is closed; nothing acknowledged is lost because it
 * was on disk before the 250.  SIGHUP rebuilds the routing snapshot at
 * once.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

struct hubd_env	*env;

static struct hubd_env	 hubd_env;
static struct store	*hubd_store;

static void	 usage(FILE *);
static void	 hubd_options(struct hubd_conf *, int, char **, int);
static int	 hubd_daemonize(void);
static void	 hubd_ready(int, const char *);
static int	 hubd_dirs(char **);
static char	*hubd_fqdn(void);
static int	 hubd_drop_privileges(const char *, char **);
static int	 hubd_reload(bool);
static void	 hubd_loop(void);

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
	opterr = file_pass;
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
			usage(stderr);
			exit(64);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(64);
	}
}

int
main(int argc, char **argv)
{
	struct hubd_conf	 conf;
	struct smtpd		*smtpd;
	struct pickup		*pickup;
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
	env = &hubd_env;
	env->conf = &conf;
	pthread_mutex_init(&env->route_lock, NULL);

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
	env->server = store_server_name(hubd_store);
	env->hostname = conf.hostname != NULL ? conf.hostname : hubd_fqdn();
	if (hubd_dirs(&cause) != 0 ||
	    tls_client_ctx_create(&env->tls_client, conf.ca_file,
	    &cause) != 0 ||
	    (conf.tls_cert != NULL && tls_server_ctx_create(&env->tls_server,
	    conf.tls_cert, conf.tls_key, &cause) != 0) ||
	    dns_create(&env->dns, conf.resolver, &cause) != 0)
		hubd_ready(ready_fd, cause);

	if (smtpd_bind(&smtpd, conf.listen, &cause) != 0 ||
	    hubd_drop_privileges(conf.user, &cause) != 0 ||
	    hubd_reload(true) != 0 ||
	    commit_start(&env->commit, env->spool_path, &cause) != 0 ||
	    queue_start(&env->queue, &cause) != 0 ||
	    smtpd_start(smtpd, &cause) != 0 ||
	    pickup_start(&pickup, env->pickup_dir, &cause) != 0)
		hubd_ready(ready_fd, cause != NULL ? cause :
		    xstrdup("cannot read the connector store"));
	log_info("hubd %s started: server %s, listening on %s, state in %s",
	    HUBSH_VERSION, env->server, conf.listen, conf.state_dir);
	hubd_ready(ready_fd, NULL);

	hubd_loop();

	log_info("stopping: intake closed, finishing deliveries in flight");
	smtpd_stop(smtpd);
	pickup_stop(pickup);
	queue_stop(env->queue);
	commit_stop(env->commit);
	route_table_unref(env->routes);
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
 * Signals and the reload poll.  Runs until SIGTERM or SIGINT.
 */
static void
hubd_loop(void)
{
	struct timespec	 ts;
	sigset_t	 set;
	int		 sig, ms = env->conf->reload_interval_ms;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	for (;;) {
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			return;
		hubd_reload(sig == SIGHUP);
	}
}

/*
 * Build a new routing snapshot when the store changed (or always when
 * forced).  A snapshot that fails to build leaves the old one in force.
 */
static int
hubd_reload(bool force)
{
	struct route_table	*rt, *old;
	int64_t			 gen;
	char			*cause = NULL;

	if (!force && env->routes != NULL) {
		if (store_generation(hubd_store, &gen, &cause) != 0) {
			log_warnx("reload: %s", cause);
			free(cause);
			return (-1);
		}
		if (gen == route_table_generation(env->routes))
			return (0);
	}
	if (route_table_build(hubd_store, env->server, &rt, &cause) != 0) {
		log_warnx("reload: keeping the previous connectors: %s",
		    cause);
		free(cause);
		return (-1);
	}
	pthread_mutex_lock(&env->route_lock);
	old = env->routes;
	env->routes = rt;
	pthread_mutex_unlock(&env->route_lock);
	if (old != NULL) {
		log_info("reload: connector store generation %lld",
		    (long long)route_table_generation(rt));
		route_table_unref(old);
	}
	if (env->queue != NULL)
		queue_reroute(env->queue);
	return (0);
}

struct route_table *
hubd_routes(void)
{
	struct route_table	*rt;

	pthread_mutex_lock(&env->route_lock);
	rt = route_table_ref(env->routes);
	pthread_mutex_unlock(&env->route_lock);
	return (rt);
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

/* The state directory and its parts, mode 0700. */
static int
hubd_dirs(char **cause)
{
	const char	*sd = env->conf->state_dir;
	const char	*dirs[3];
	size_t		 i;

	xasprintf(&env->spool_path, "%s/queue.db", sd);
	xasprintf(&env->pickup_dir, "%s/pickup", sd);
	xasprintf(&env->log_dir, "%s/log", sd);
	dirs[0] = sd;
	dirs[1] = env->pickup_dir;
	dirs[2] = env->log_dir;
	for (i = 0; i < 3; i++) {
		if (mkdir(dirs[i], 0700) != 0 && errno != EEXIST) {
			xasprintf(cause, "cannot create %s: %s", dirs[i],
			    strerror(errno));
			return (-1);
		}
	}
	return (0);
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
 * Run as user from here on: the listener is already bound, which is
 * the one thing that needed root.  The state directory and the store
 * must belong to that user (hubd(8)); they are handed over here when
 * still root's.
 */
static int
hubd_drop_privileges(const char *user, char **cause)
{
	struct passwd	*pw;
	const char	*paths[3];
	size_t		 i;

	if (user == NULL)
		return (0);
	if ((pw = getpwnam(user)) == NULL) {
		xasprintf(cause, "no such user %s", user);
		return (-1);
	}
	paths[0] = env->conf->state_dir;
	paths[1] = env->pickup_dir;
	paths[2] = env->log_dir;
	for (i = 0; i < 3; i++) {
		if (chown(paths[i], pw->pw_uid, pw->pw_gid) != 0 &&
		    errno != EPERM) {
			xasprintf(cause, "chown %s: %s", paths[i],
			    strerror(errno));
			return (-1);
		}
	}
	if (setgroups(1, &pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
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
