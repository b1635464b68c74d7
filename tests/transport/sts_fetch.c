/*
 * sts_fetch.c - the driver of tests/transport/mtasts_fetch.sh: one
 * sts_fetch() (transport/mtasts.c) as hubd's delivery path will call
 * it, its result printed for the test to check.
 *
 *	sts-fetch [-c ca-file] [-a address] [-p port] [-t timeout-ms]
 *	    [-T connect-ms] [-b] domain
 *
 * Prints "status NAME", then "cause TEXT" when the fetch failed, "bytes
 * N" (the body's length), and for a fetched body what sts_policy_parse()
 * makes of it: "policy MODE MAX_AGE MX..." or "refused CAUSE"; with -b
 * the body follows a "body" line.  Exit status 0 when the fetch and the
 * parse succeeded, 1 when either failed, 2 on a usage error.
 */
#include <sys/types.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "transport.h"

static void
usage(void)
{
	fprintf(stderr, "usage: sts-fetch [-c ca-file] [-a address] "
	    "[-p port] [-t timeout-ms] [-T connect-ms] [-b] domain\n");
	exit(2);
}

/* The policy body as sts_policy_parse sees it; 0 when taken. */
static int
parse(const struct buf *b)
{
	struct sts_policy	 p;
	char			*cause = NULL;
	size_t			 i;

	if (sts_policy_parse(b->s, b->len, &p, &cause) != 0) {
		printf("refused %s\n", cause);
		free(cause);
		return (1);
	}
	printf("policy %s %lld", sts_mode_name(p.mode),
	    (long long)p.max_age);
	for (i = 0; i < p.nmx; i++)
		printf(" %s", p.mx[i]);
	printf("\n");
	sts_policy_clear(&p);
	return (0);
}

int
main(int argc, char **argv)
{
	struct sts_fetch_opts	 o = { 0 };
	enum sts_fetch_status	 st;
	struct buf		 b;
	char			*cause = NULL;
	int			 ch, rc = 0, body = 0;

	while ((ch = getopt(argc, argv, "a:bc:p:t:T:")) != -1) {
		switch (ch) {
		case 'a':
			o.connect_addr = optarg;
			break;
		case 'b':
			body = 1;
			break;
		case 'c':
			o.ca_file = optarg;
			break;
		case 'p':
			o.port = atoi(optarg);
			break;
		case 't':
			o.timeout_ms = atoi(optarg);
			break;
		case 'T':
			o.connect_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "sts-fetch: cannot initialise libcurl\n");
		return (2);
	}
	buf_init(&b);
	st = sts_fetch(argv[optind], &o, &b, &cause);
	printf("status %s\n", sts_fetch_status_name(st));
	if (cause != NULL)
		printf("cause %s\n", cause);
	printf("bytes %zu\n", b.len);
	if (st == STS_FETCH_OK)
		rc = parse(&b);
	else
		rc = 1;
	if (body) {
		printf("body\n");
		fwrite(b.s, 1, b.len, stdout);
	}
	free(cause);
	buf_free(&b);
	curl_global_cleanup();
	return (rc);
}
