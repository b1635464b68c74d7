/*
 * startup_time.c - whole-process start-up of short commands: the time
 * from just before the process is spawned to its first byte of output,
 * and to its exit, with its CPU time.
 *
 * Built by bench/startup.sh alone (cc, no library of ours), not by the
 * Makefile.
 *
 *	startup_time RUNS NAME CMD [ARG ...] [-- NAME CMD [ARG ...]] ...
 *
 * The commands run in turn, RUNS rounds of one run each, so that a
 * change in the machine's load during the measurement reaches every
 * command alike.  Each run gets /dev/null as standard input and error and
 * a pipe as standard output, which is read to its end.  One line per
 * run, tab-separated:
 *
 *	NAME  ROUND  FIRST_US  EXIT_US  CPU_US  STATUS  BYTES
 *
 * FIRST_US is the first byte of output (or end of file when there is
 * none), EXIT_US the exit as wait4 saw it, CPU_US the child's user and
 * system time from wait4.  Timing uses CLOCK_MONOTONIC.
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS	16

extern char	**environ;

struct cmd {
	const char	*name;
	char		**argv;
};

static void	usage(void) __attribute__((noreturn));
static void	die(const char *) __attribute__((noreturn));
static int64_t	now_us(void);
static void	run_one(const struct cmd *, int, int);

static void
usage(void)
{
	fprintf(stderr, "usage: startup_time RUNS NAME CMD [ARG ...] "
	    "[-- NAME CMD [ARG ...]] ...\n");
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "startup_time: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* One timed run of c; prints its line. */
static void
run_one(const struct cmd *c, int round, int devnull)
{
	posix_spawn_file_actions_t	 fa;
	struct rusage			 ru;
	char				 buf[65536];
	int64_t				 t0, first = -1, end;
	ssize_t				 n;
	size_t				 bytes = 0;
	pid_t				 pid;
	int				 p[2], st, err;

	if (pipe(p) != 0 || fcntl(p[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(p[1], F_SETFD, FD_CLOEXEC) != 0)
		die("pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, devnull, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, devnull, 2);

	t0 = now_us();
	err = posix_spawn(&pid, c->argv[0], &fa, NULL, c->argv, environ);
	if (err != 0) {
		errno = err;
		die(c->argv[0]);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (first < 0)
			first = now_us();
		bytes += (size_t)n;
	}
	if (first < 0)
		first = now_us();
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	end = now_us();
	close(p[0]);
	posix_spawn_file_actions_destroy(&fa);

	printf("%s\t%d\t%lld\t%lld\t%lld\t%d\t%zu\n", c->name, round,
	    (long long)(first - t0), (long long)(end - t0),
	    (long long)(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
	    ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec),
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), bytes);
}

int
main(int argc, char **argv)
{
	struct cmd	cmds[MAX_CMDS];
	int		runs, ncmds = 0, i, r, devnull;
	char		*end;

	if (argc < 4)
		usage();
	runs = (int)strtol(argv[1], &end, 10);
	if (*end != '\0' || runs < 1)
		usage();
	for (i = 2; i < argc; ) {
		if (ncmds == MAX_CMDS || i + 1 >= argc)
			usage();
		cmds[ncmds].name = argv[i];
		cmds[ncmds].argv = &argv[i + 1];
		for (i += 2; i < argc && strcmp(argv[i], "--") != 0; i++)
			;
		if (i < argc)
			argv[i++] = NULL;	/* ends this command's argv */
		ncmds++;
	}
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		die("/dev/null");
	for (r = 1; r <= runs; r++) {
		for (i = 0; i < ncmds; i++)
			run_one(&cmds[i], r, devnull);
	}
	return (0);
}
