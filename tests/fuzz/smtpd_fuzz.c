/*
 * smtpd_fuzz.c - libFuzzer target for hubd's SMTP server: the command
 * parser (EHLO, MAIL and RCPT with their parameters, every verb), the
 * PIPELINING rules, and DATA (dot-stuffing, bare CR and LF, the header
 * scan for hops, Message-ID and Subject).
 *
 * Each input is what one client sends on one connection: a real session
 * of smtpd.c (smtpd_serve(), its own thread, the limits and timeouts of
 * conf_defaults()) reads it from a socketpair while this thread writes
 * it and reads the replies, then closes its end; the session must end.
 * The client is 127.0.0.1, inside the relay networks, so a transaction
 * goes all the way to queue_accept().  That is this file's: it checks
 * what smtpd hands over (a sender, recipients, a body of CRLF lines with
 * no other CR or LF) and frees it, for the spool is not what is fuzzed
 * here.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct hubd_env	 fuzz_env;
static struct hubd_conf	 fuzz_conf;
static struct smtpd	*fuzz_smtpd;
struct hubd_env		*env = &fuzz_env;

/* The queue, for this target: check the message and let it go. */
int
queue_accept(struct queue *q, struct spool_msg *m, const char *body,
    size_t len, int64_t *idp, char **cause)
{
	static int64_t	id;
	size_t		i;

	(void)q;
	(void)cause;
	if (m->sender == NULL || m->nrcpts == 0 || len < 2 ||
	    body[len - 2] != '\r' || body[len - 1] != '\n')
		abort();
	for (i = 0; i < len; i++) {
		if ((body[i] == '\r' && body[i + 1] != '\n') ||
		    (body[i] == '\n' && (i == 0 || body[i - 1] != '\r')))
			abort();
	}
	spool_msg_free(m);
	*idp = ++id;
	return (0);
}

/* A loopback port free now, for the listener the sessions belong to. */
static int
free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, port;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		abort();
	port = ntohs(sin.sin_port);
	close(fd);
	return (port);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*cause = NULL, listen[32];

	(void)argc;
	(void)argv;
	conf_defaults(&fuzz_conf);
	fuzz_conf.command_timeout = 5;
	fuzz_conf.data_timeout = 5;
	fuzz_conf.max_message_size = 1024 * 1024;
	fuzz_env.conf = &fuzz_conf;
	fuzz_env.hostname = "relay.fuzz.test";
	fuzz_env.server = "FUZZ";
	log_init(true, -1);
	snprintf(listen, sizeof listen, "127.0.0.1:%d", free_port());
	if (smtpd_bind(&fuzz_smtpd, listen, &cause) != 0)
		abort();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct pollfd		 pfd;
	char			 sink[16384];
	size_t			 off = 0;
	ssize_t			 n;
	int			 sv[2];
	bool			 shut = false;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	memset(&ss, 0, sizeof ss);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(40000);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (smtpd_serve(fuzz_smtpd, sv[1], &ss) != 0)
		abort();
	/* Write the input and read what comes back, until the session
	 * closes its end. */
	for (;;) {
		if (!shut && off == size) {
			shutdown(sv[0], SHUT_WR);
			shut = true;
		}
		pfd.fd = sv[0];
		pfd.events = POLLIN | (shut ? 0 : POLLOUT);
		if ((n = poll(&pfd, 1, 30000)) == -1 && errno == EINTR)
			continue;	/* libFuzzer's alarm */
		if (n <= 0)
			abort();	/* the session hangs */
		if (pfd.revents & POLLOUT) {
			n = send(sv[0], data + off, size - off,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				off = size;	/* the session has gone */
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(sv[0], sink, sizeof sink, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN))
				break;
		}
	}
	close(sv[0]);
	/* The session frees itself after closing: wait for it. */
	while (smtpd_sessions(fuzz_smtpd) > 0)
		usleep(100);
	return (0);
}
