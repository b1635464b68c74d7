/*
 * dns_bench.c - the CPU of hubd's DNS lookups when the cache answers:
 * one delivery's worth of them, as transport/dns.c of a build makes
 * them (bench/dns.sh compiles this against a build directory).
 *
 *	dns_bench RESOLVER DOMAIN PORT ROUNDS
 *
 * One context forwarding to RESOLVER (addr:port), as hubd's.  A round
 * is what a DNS-routed delivery to DOMAIN asks with DANE and MTA-STS:
 * dns_mx() (the MX, then each host's A and AAAA), dns_tlsa() of the
 * first host at PORT (asked for, and taken only from a signed zone),
 * and dns_txt() of _mta-sts.DOMAIN.  One untimed
 * round fills the cache, then ROUNDS rounds are timed; every round must
 * find the same answers.  Printed: one JSON line with the process's CPU
 * per round (getrusage: every thread, libunbound's included), its minor
 * page faults per round and the wall time per round.
 */
#include <sys/resource.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"
#include "transport.h"

static double
tv_s(const struct timeval *tv)
{
	return ((double)tv->tv_sec + (double)tv->tv_usec / 1e6);
}

static double
cpu_s(const struct rusage *ru)
{
	return (tv_s(&ru->ru_utime) + tv_s(&ru->ru_stime));
}

/* One delivery's lookups; 0 when every answer is what it should be. */
static int
round_once(struct dns *dns, const char *domain, int port)
{
	struct hop_list	 hl = { 0 };
	struct tlsa_set	 ts = { 0 };
	char		**txts = NULL, *cause = NULL, *name;
	size_t		 ntxt = 0;
	enum dns_status	 st;
	int		 bad = 0;

	if (dns_mx(dns, domain, 25, &hl, &cause) != DNS_OK || hl.n == 0) {
		fprintf(stderr, "dns_bench: MX of %s: %s\n", domain,
		    cause != NULL ? cause : "no hosts");
		bad = 1;
	} else if ((st = dns_tlsa(dns, hl.v[0].name, port, &ts,
	    &cause)) != DNS_OK && st != DNS_NOHOST) {
		/* Unsigned, the records are asked for and not taken. */
		fprintf(stderr, "dns_bench: TLSA of %s: %s\n", hl.v[0].name,
		    cause);
		bad = 1;
	}
	xasprintf(&name, "_mta-sts.%s", domain);
	if (!bad && dns_txt(dns, name, &txts, &ntxt, &cause) != DNS_OK) {
		fprintf(stderr, "dns_bench: TXT of %s: %s\n", name,
		    cause != NULL ? cause : "no records");
		bad = 1;
	}
	free(name);
	free(cause);
	strv_free(txts, ntxt);
	tlsa_set_clear(&ts);
	hop_list_clear(&hl);
	return (bad);
}

int
main(int argc, char **argv)
{
	struct dns	*dns;
	struct rusage	 r0, r1;
	struct timespec	 t0, t1;
	char		*cause = NULL;
	long		 rounds, i;
	int		 port;

	if (argc != 5 || (port = atoi(argv[3])) <= 0 ||
	    (rounds = atol(argv[4])) <= 0) {
		fprintf(stderr, "usage: dns_bench RESOLVER DOMAIN PORT "
		    "ROUNDS\n");
		return (2);
	}
	if (dns_create(&dns, argv[1], NULL, &cause) != 0) {
		fprintf(stderr, "dns_bench: %s\n", cause);
		return (1);
	}
	if (round_once(dns, argv[2], port) != 0)
		return (1);
	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < rounds; i++)
		if (round_once(dns, argv[2], port) != 0)
			return (1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &r1);
	printf("{\"rounds\": %ld, \"cpu_ms_per_round\": %.4f, "
	    "\"minflt_per_round\": %.2f, \"wall_ms_per_round\": %.4f}\n",
	    rounds, 1000 * (cpu_s(&r1) - cpu_s(&r0)) / (double)rounds,
	    (double)(r1.ru_minflt - r0.ru_minflt) / (double)rounds,
	    ((double)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / (double)rounds);
	dns_free(dns);
	return (0);
}
