/*
 * ctl_test.c - the control channel's records (common/ctl.c): encoding
 * and decoding over a real socket pair, escapes, lists, malformed input,
 * streams cut short, and ctl_call's answers for a missing socket and for
 * a server that answers ok, error or nothing.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "xmalloc.h"
#include "tap.h"

/* Write len bytes to one end of a socket pair, read records at the other. */
static int
decoden(const char *text, size_t len, struct ctl_rec *r, bool *last,
    char **cause)
{
	struct ctl_reader	rd;
	int			sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return (-2);
	if (ctl_write_all(sv[0], text, len, cause) != 0)
		return (-2);
	close(sv[0]);
	ctl_reader_init(&rd, sv[1], 2000);
	rc = ctl_read(&rd, r, last, cause);
	ctl_reader_free(&rd);
	close(sv[1]);
	return (rc);
}

static int
decode(const char *text, struct ctl_rec *r, bool *last, char **cause)
{
	return (decoden(text, strlen(text), r, last, cause));
}

static void
test_roundtrip(void)
{
	struct ctl_rec	 a, b;
	struct buf	 out;
	char		*cause = NULL;
	bool		 last = false;

	ctl_rec_init(&a);
	ctl_rec_init(&b);
	ctl_add(&a, "op", "track");
	ctl_add(&a, "subject", "two\nlines\r\nand a \\ backslash");
	ctl_add(&a, "recipient", "a@example.test");
	ctl_add(&a, "recipient", "b@example.test");
	ctl_add(&a, "empty", "");
	ctl_add(&a, "missing", NULL);
	ctl_add_int(&a, "start", -1700000000000LL);
	ctl_addf(&a, "Identity", "%s\\%d", "EX01", 3);
	buf_init(&out);
	ctl_encode(&out, &a, true);
	TAP_CHECK(strstr(out.s, "subject two\\nlines\\r\\nand a \\\\ "
	    "backslash\n") != NULL);
	TAP_CHECK(strcmp(out.s + out.len - 2, ".\n") == 0);
	TAP_CHECK(decode(out.s, &b, &last, &cause) == 0);
	TAP_CHECK(last);
	TAP_CHECK(b.n == a.n);
	TAP_STREQ(ctl_get(&b, "op"), "track");
	TAP_STREQ(ctl_get(&b, "subject"), "two\nlines\r\nand a \\ backslash");
	TAP_STREQ(ctl_get_nth(&b, "recipient", 1), "b@example.test");
	TAP_CHECK(ctl_get_nth(&b, "recipient", 2) == NULL);
	TAP_STREQ(ctl_get(&b, "empty"), "");
	TAP_CHECK(ctl_get(&b, "missing") == NULL);
	TAP_CHECK(ctl_get_int(&b, "start", 0) == -1700000000000LL);
	TAP_CHECK(ctl_get_int(&b, "subject", 42) == 42);
	TAP_STREQ(ctl_get(&b, "Identity"), "EX01\\3");
	buf_free(&out);
	ctl_rec_clear(&a);
	ctl_rec_clear(&b);
	free(cause);
}

static void
test_malformed(void)
{
	static const char nul[] = "op get-queue\nidentity EX01\\3\0x\n.\n";
	struct ctl_rec	 r;
	char		*cause = NULL;
	bool		 last;

	ctl_rec_init(&r);
	TAP_CHECK(decode("op ping\nno-space-here\n.\n", &r, &last,
	    &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "malformed") != NULL);
	free(cause);
	cause = NULL;
	TAP_CHECK(decode("bad_name x\n.\n", &r, &last, &cause) == -1);
	free(cause);
	cause = NULL;
	/* The stream ends before the record does: the answer is lost. */
	TAP_CHECK(decode("status ok\n", &r, &last, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "closed") != NULL);
	free(cause);
	cause = NULL;
	/* A NUL would cut a value short: the line is refused. */
	TAP_CHECK(decoden(nul, sizeof nul - 1, &r, &last, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "NUL") != NULL);
	free(cause);
	cause = NULL;
	/* "-" ends a record that is not the last. */
	TAP_CHECK(decode("a 1\n-\n", &r, &last, &cause) == 0 && !last);
	TAP_STREQ(ctl_get(&r, "a"), "1");
	ctl_rec_clear(&r);
	free(cause);
}

/* A one-shot server on path: reads the request, writes answer. */
static pid_t
serve(const char *path, const char *answer)
{
	struct sockaddr_un	sun;
	struct ctl_reader	rd;
	struct ctl_rec		r;
	char			*cause = NULL;
	bool			last = false;
	pid_t			pid;
	int			fd, c;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0 ||
	    listen(fd, 1) != 0)
		return (-1);
	if ((pid = fork()) != 0) {
		close(fd);
		return (pid);
	}
	if ((c = accept(fd, NULL, NULL)) == -1)
		_exit(1);
	ctl_reader_init(&rd, c, 2000);
	ctl_rec_init(&r);
	if (ctl_read(&rd, &r, &last, &cause) != 0 || !last ||
	    ctl_get(&r, "op") == NULL)
		_exit(1);
	if (answer != NULL)
		ctl_write_all(c, answer, strlen(answer), &cause);
	close(c);
	_exit(0);
}

static int
count_results(const struct ctl_rec *r, void *arg)
{
	int	*n = arg;

	if (ctl_get(r, "Identity") != NULL)
		(*n)++;
	return (0);
}

static void
test_call(void)
{
	struct ctl_rec	 req;
	char		 dir[] = "/tmp/ctl_test.XXXXXX", path[128];
	char		*cat, *msg, *cause = NULL;
	pid_t		 pid;
	int		 n = 0, status;

	TAP_CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/hubd.sock", dir);
	ctl_rec_init(&req);
	ctl_add(&req, "op", "get-queue");

	/* Nobody listening. */
	TAP_CHECK(ctl_call(path, &req, NULL, NULL, &cat, &msg, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "isn't running") != NULL);
	free(cause);
	cause = NULL;

	/* Two results, then ok. */
	pid = serve(path, "Identity EX01\\\\1\n-\nIdentity EX01\\\\2\n-\n"
	    "status ok\n.\n");
	TAP_CHECK(pid > 0);
	TAP_CHECK(ctl_call(path, &req, count_results, &n, &cat, &msg,
	    &cause) == 0);
	TAP_CHECK(n == 2);
	waitpid(pid, &status, 0);
	TAP_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* A refusal with its category and message. */
	pid = serve(path, "status error\ncategory ObjectNotFound\n"
	    "message The queue \"EX01\\\\9\" could not be found.\n.\n");
	TAP_CHECK(ctl_call(path, &req, NULL, NULL, &cat, &msg, &cause) == 1);
	TAP_STREQ(cat, "ObjectNotFound");
	TAP_STREQ(msg, "The queue \"EX01\\9\" could not be found.");
	free(cat);
	free(msg);
	waitpid(pid, &status, 0);

	/* The server goes away without a status record. */
	pid = serve(path, "Identity EX01\\1\n-\n");
	TAP_CHECK(ctl_call(path, &req, NULL, NULL, &cat, &msg, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "did not answer") != NULL);
	free(cause);
	waitpid(pid, &status, 0);

	unlink(path);
	rmdir(dir);
	ctl_rec_clear(&req);
}

static const struct tap_case cases[] = {
	{ "records survive encoding: escapes, lists, empty and missing",
	    test_roundtrip },
	{ "malformed lines and cut streams are errors", test_malformed },
	{ "ctl_call: not running, results, refusal, lost answer", test_call },
};

TAP_MAIN(cases)
