/*
 * fixture.h - what the unit tests stand on: a temporary directory that
 * goes away with everything below it, a loopback port free for both UDP
 * and TCP, and unbound serving a "test." zone on such a port.
 *
 * Header-only, as tap.h: every function is static, and a test file uses
 * the ones it needs (they are marked unused so the others cost nothing).
 * POSIX alone, no feature macros; a test file that includes it links
 * libcommon.a (xmalloc.h).
 *
 * unbound runs in the foreground as a child of the test, with a
 * configuration and a log in the test's directory, answering only
 * 127.0.0.0/8 on 127.0.0.1; it dies with the test (PR_SET_PDEATHSIG).
 */
#ifndef HUBSH_FIXTURE_H
#define HUBSH_FIXTURE_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"

#define FIXTURE_UNUSED	__attribute__((unused))

/* One unbound process serving a zone on 127.0.0.1, port. */
struct fixture_unbound {
	pid_t		 pid;		/* -1: not running */
	int		 port;		/* -1: not chosen yet */
	char		*conf;		/* <dir>/unbound-<port>.conf */
	char		*log;		/* <dir>/unbound-<port>.log */
};

#define FIXTURE_UNBOUND_INIT	{ -1, -1, NULL, NULL }

/*
 * mkdtemp of /tmp/<prefix>.XXXXXX, as a string the caller frees; the
 * test cannot go on without it, so a failure exits.
 */
static FIXTURE_UNUSED char *
fixture_tmpdir(const char *prefix)
{
	char	*dir;

	dir = xprintf("/tmp/%s.XXXXXX", prefix);
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	return (dir);
}

/* Remove dir and everything below it; links are removed, not followed. */
static FIXTURE_UNUSED void
fixture_rmtree(const char *dir)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*d;
	char		*path;

	if (dir == NULL || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		path = xprintf("%s/%s", dir, de->d_name);
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			fixture_rmtree(path);
		else
			unlink(path);
		free(path);
	}
	closedir(d);
	rmdir(dir);
}

/* A port free for both UDP and TCP on 127.0.0.1, or -1. */
static FIXTURE_UNUSED int
fixture_free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len;
	int			 u, t, port = -1, try;

	/*
	 * A UDP port from the kernel that is free for TCP too; another
	 * test may hold the TCP side, so try again a few times.
	 */
	for (try = 0; try < 50 && port == -1; try++) {
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof sin;
		if ((u = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
			return (-1);
		if (bind(u, (struct sockaddr *)&sin, sizeof sin) == 0 &&
		    getsockname(u, (struct sockaddr *)&sin, &len) == 0 &&
		    (t = socket(AF_INET, SOCK_STREAM, 0)) != -1) {
			if (bind(t, (struct sockaddr *)&sin, sizeof sin) == 0)
				port = ntohs(sin.sin_port);
			close(t);
		}
		close(u);
	}
	return (port);
}

static FIXTURE_UNUSED double
fixture_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/*
 * The unbound binary: $HUBSH_UNBOUND, else /usr/sbin/unbound.  NULL
 * after a "Bail out!" line naming the package when it cannot be run.
 */
static FIXTURE_UNUSED const char *
fixture_unbound_path(void)
{
	const char	*path;

	if ((path = getenv("HUBSH_UNBOUND")) == NULL)
		path = "/usr/sbin/unbound";
	if (access(path, X_OK) != 0) {
		printf("Bail out! %s: %s (Debian: apt-get install unbound)\n",
		    path, strerror(errno));
		return (NULL);
	}
	return (path);
}

/*
 * Write the configuration of a static "test." zone made of the
 * local-data lines of zone (NULL-terminated) and of extra (whole
 * "local-data: '...'" lines, or NULL), and start unbound on u->port (a
 * free port when it is -1) with dir as its directory.  It answers once
 * fixture_unbound_wait says so.  0, or -1 with *why.
 */
static FIXTURE_UNUSED int
fixture_unbound_spawn(struct fixture_unbound *u, const char *unbound,
    const char *dir, const char *const *zone, const char *extra, char **why)
{
	FILE	*f;
	size_t	 i;
	int	 fd;

	*why = NULL;
	if (u->port == -1 && (u->port = fixture_free_port()) == -1) {
		*why = xstrdup("no free port for unbound");
		return (-1);
	}
	free(u->conf);
	free(u->log);
	u->conf = xprintf("%s/unbound-%d.conf", dir, u->port);
	u->log = xprintf("%s/unbound-%d.log", dir, u->port);
	if ((f = fopen(u->conf, "w")) == NULL) {
		xasprintf(why, "%s: %s", u->conf, strerror(errno));
		return (-1);
	}
	fprintf(f, "server:\n"
	    "\tinterface: 127.0.0.1\n"
	    "\tport: %d\n"
	    "\tdo-ip6: no\n"
	    "\tdo-daemonize: no\n"
	    "\tchroot: \"\"\n"
	    "\tusername: \"\"\n"
	    "\tdirectory: \"%s\"\n"
	    "\tpidfile: \"\"\n"
	    "\tuse-syslog: no\n"
	    "\tlogfile: \"\"\n"
	    "\tverbosity: 1\n"
	    "\tnum-threads: 1\n"
	    "\tmodule-config: \"iterator\"\n"
	    "\taccess-control: 127.0.0.0/8 allow\n"
	    "\tlocal-zone: \"test.\" static\n", u->port, dir);
	for (i = 0; zone[i] != NULL; i++)
		fprintf(f, "\tlocal-data: '%s'\n", zone[i]);
	if (extra != NULL)
		fputs(extra, f);
	fprintf(f, "remote-control:\n\tcontrol-enable: no\n");
	if (fclose(f) != 0 ||
	    (fd = open(u->log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		xasprintf(why, "cannot write %s: %s", u->conf,
		    strerror(errno));
		return (-1);
	}
	if ((u->pid = fork()) == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execl(unbound, unbound, "-d", "-c", u->conf, (char *)NULL);
		_exit(127);
	}
	close(fd);
	if (u->pid == -1) {
		xasprintf(why, "cannot start %s: %s", unbound,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* Show unbound's log as TAP comments. */
static FIXTURE_UNUSED void
fixture_unbound_show_log(const struct fixture_unbound *u)
{
	FILE	*f;
	char	 line[512];

	if (u->log == NULL || (f = fopen(u->log, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL)
		printf("# unbound: %s", line);
	fclose(f);
}

/*
 * Poll ready(arg) every 100 ms until it says unbound answers, unbound
 * exits, or wait_s pass.  The seconds it took, or -1 with *why (and the
 * log shown).
 */
static FIXTURE_UNUSED double
fixture_unbound_wait(struct fixture_unbound *u, double wait_s,
    int (*ready)(void *), void *arg, char **why)
{
	double	t0 = fixture_now();

	*why = NULL;
	for (;;) {
		if (waitpid(u->pid, NULL, WNOHANG) == u->pid) {
			u->pid = -1;
			*why = xstrdup("unbound exited");
			break;
		}
		if (ready(arg))
			return (fixture_now() - t0);
		if (fixture_now() > t0 + wait_s) {
			*why = xstrdup("unbound did not answer in time");
			break;
		}
		usleep(100000);
	}
	fixture_unbound_show_log(u);
	return (-1);
}

/* Stop unbound and remove its files; the port stays chosen. */
static FIXTURE_UNUSED void
fixture_unbound_stop(struct fixture_unbound *u)
{
	if (u->pid > 0) {
		kill(u->pid, SIGTERM);
		waitpid(u->pid, NULL, 0);
	}
	u->pid = -1;
	if (u->conf != NULL)
		unlink(u->conf);
	if (u->log != NULL)
		unlink(u->log);
	free(u->conf);
	free(u->log);
	u->conf = u->log = NULL;
}

#endif
