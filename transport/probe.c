/*
 * probe.c - Test-SendConnector's live check of a connector's next hops:
 * the control channel's "op probe" (common/ctl.h).
 *
 * The connector comes from the routing snapshot in force, so a probe
 * sees what deliveries see; the next hops come from mta_probe_hops()
 * (the connector's settings checked and DNS asked exactly as mta_open
 * does), and every address is probed by mta_probe_hop(): connect,
 * greeting, EHLO, STARTTLS as the policy says, EHLO again, QUIT.  The
 * verdict and the response are the ones mta.c gives a delivery, from
 * the same code.  No AUTH and no MAIL: a probe never sends mail nor
 * credentials.
 *
 * Time: the addresses (at most the 16 mta.c resolves) are probed at
 * once, one thread each, all against one deadline PROBE_BUDGET_MS after
 * the lookups; the connector's connect and command timeouts still apply
 * within it.  An answer thus takes the DNS lookups (bounded by the
 * resolver, as for a delivery) plus at most PROBE_BUDGET_MS and the
 * close of the TLS sessions (one second).
 */
#include <sys/types.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"
#include "transport.h"

#define PROBE_BUDGET_MS	30000	/* every address, together */
#define PROBE_DOMAIN_MAX 253	/* longest domain name */

/* One address being probed, in its own thread. */
struct probe_job {
	const struct mta_dest	*dest;
	const struct mta_hop	*hop;
	int64_t			 deadline;
	struct mta_probe	 res;
	pthread_t		 thread;
	bool			 started;
};

static void	 probe_domain(const char *, char *, size_t);
static bool	 probe_domain_ok(const char *);
static void	*probe_main(void *);
static void	 probe_record(struct buf *, const struct send_connector *,
		    const char *, const struct mta_hop *,
		    const struct mta_probe *);
static void	 probe_cert(struct ctl_rec *, const struct mta_probe *);
static void	 probe_time(char *, size_t, int64_t);

int
probe_ctl(const struct ctl_rec *req, struct buf *out, char **category,
    char **message)
{
	struct route_table		*rt;
	const struct send_connector	*sc;
	const char			*name, *arg;
	char				 domain[PROBE_DOMAIN_MAX + 2];
	struct mta_dest			 d;
	struct mta_hop			*hops = NULL;
	struct mta_probe		 fail, *res;
	struct ctl_rec			 rec;
	size_t				 nhops = 0, i, npass = 0;

	name = ctl_get(req, "connector");
	arg = ctl_get(req, "domain");
	if (name == NULL || *name == '\0')
		return (ctl_refuse(category, message, "InvalidArgument",
		    "The connector to test is missing."));
	if (arg != NULL && *arg != '\0' && !probe_domain_ok(arg))
		return (ctl_refuse(category, message, "InvalidArgument",
		    "'%.300s' isn't a valid domain.", arg));
	probe_domain(arg, domain, sizeof domain);
	rt = env_routes();
	if (rt == NULL || (sc = route_find(rt, name)) == NULL) {
		route_table_unref(rt);
		return (ctl_refuse(category, message, "ObjectNotFound",
		    "The operation couldn't be performed because object "
		    "'%.300s' couldn't be found on '%s'.", name,
		    env->server));
	}
	/* A DNS-routed connector needs the domain whose MX to ask. */
	if (SC_DNS_ROUTING(sc) && *domain == '\0') {
		route_table_unref(rt);
		return (ctl_refuse(category, message, "InvalidArgument",
		    "Send connector '%.300s' routes by DNS: a recipient or a "
		    "domain is required to test it.", sc->name));
	}

	memset(&d, 0, sizeof d);
	d.sc = sc;
	d.domain = domain;
	if (mta_probe_hops(&d, &hops, &nhops, &fail) != 0) {
		/* Nothing to connect to: the record a delivery would make. */
		ctl_rec_init(&rec);
		ctl_add(&rec, "Connector", sc->name);
		ctl_add(&rec, "Domain", *domain != '\0' ? domain : NULL);
		ctl_add(&rec, "Policy", fail.policy);
		ctl_add(&rec, "Result", "Fail");
		ctl_add(&rec, "Error", fail.error);
		ctl_add(&rec, "Response", fail.response);
		ctl_encode(out, &rec, false);
		ctl_rec_clear(&rec);
		log_info("probe: connector \"%s\" domain %s: %s", sc->name,
		    *domain != '\0' ? domain : "(none)", fail.response);
		route_table_unref(rt);
		return (0);
	}

	res = xcalloc(nhops == 0 ? 1 : nhops, sizeof *res);
	probe_hops(&d, hops, nhops, io_deadline(PROBE_BUDGET_MS), res);
	for (i = 0; i < nhops; i++) {
		probe_record(out, sc, domain, &hops[i], &res[i]);
		if (res[i].pass)
			npass++;
		mta_probe_clear(&res[i]);
	}
	log_info("probe: connector \"%s\" domain %s: %zu of %zu addresses "
	    "pass", sc->name, *domain != '\0' ? domain : "(none)", npass,
	    nhops);
	free(res);
	mta_hops_free(hops, nhops);
	route_table_unref(rt);
	return (0);
}

/*
 * The domain of "user@domain" or "domain" as a delivery's next hop has
 * it: lower case, no final dot; "" when absent.
 */
static void
probe_domain(const char *v, char *out, size_t len)
{
	const char	*at;
	size_t		 n, i;

	out[0] = '\0';
	if (v == NULL)
		return;
	if ((at = strrchr(v, '@')) != NULL)
		v = at + 1;
	n = strlen(v);
	if (n > 0 && v[n - 1] == '.')
		n--;
	for (i = 0; i < n && i + 1 < len; i++)
		out[i] = v[i] >= 'A' && v[i] <= 'Z' ? v[i] - 'A' + 'a' : v[i];
	out[i] = '\0';
}

/*
 * "user@domain" or a domain: the domain in ASCII, letters, digits, '-',
 * '_' and non-empty labels, an optional final dot.  It goes to DNS, to
 * certificate names and to the log, so nothing else is let through.
 */
static bool
probe_domain_ok(const char *v)
{
	const char	*s = v, *at;
	size_t		 len, i, label = 0;

	if ((at = strrchr(v, '@')) != NULL)
		s = at + 1;
	len = strlen(s);
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > PROBE_DOMAIN_MAX)
		return (false);
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return (false);
			label = 0;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_') || ++label > 63)
			return (false);
	}
	return (label > 0);
}

static void *
probe_main(void *arg)
{
	struct probe_job	*j = arg;

	thread_name("probe");
	mta_probe_hop(j->dest, j->hop, j->deadline, &j->res);
	return (NULL);
}

/*
 * Probe every address at once; one that gets no thread is probed here,
 * after the others have started, against the same deadline.  The
 * results are copied out to res.
 */
void
probe_hops(const struct mta_dest *d, const struct mta_hop *hops, size_t n,
    int64_t deadline, struct mta_probe *res)
{
	struct probe_job	*jobs;
	size_t			 i;

	jobs = xcalloc(n == 0 ? 1 : n, sizeof *jobs);
	for (i = 0; i < n; i++) {
		jobs[i].dest = d;
		jobs[i].hop = &hops[i];
		jobs[i].deadline = deadline;
	}
	for (i = 0; i < n; i++)
		jobs[i].started = pthread_create(&jobs[i].thread, NULL,
		    probe_main, &jobs[i]) == 0;
	for (i = 0; i < n; i++) {
		if (!jobs[i].started)
			probe_main(&jobs[i]);
	}
	for (i = 0; i < n; i++) {
		if (jobs[i].started)
			pthread_join(jobs[i].thread, NULL);
		res[i] = jobs[i].res;
	}
	free(jobs);
}

/* One result record: the fields of ctl.h's "op probe". */
static void
probe_record(struct buf *out, const struct send_connector *sc,
    const char *domain, const struct mta_hop *h, const struct mta_probe *p)
{
	struct ctl_rec	rec;
	size_t		i;

	ctl_rec_init(&rec);
	ctl_add(&rec, "Connector", sc->name);
	ctl_add(&rec, "Domain", *domain != '\0' ? domain : NULL);
	ctl_add(&rec, "Host", h->name);
	if (SC_DNS_ROUTING(sc))
		ctl_add_int(&rec, "Preference", h->pref);
	ctl_add(&rec, "Address", p->peer);
	if (!h->literal)
		ctl_add(&rec, "Dnssec", dns_sec_name(h->sec));
	ctl_add(&rec, "Dane", p->dane);
	for (i = 0; i < p->ntlsa; i++)
		ctl_add(&rec, "Tlsa", p->tlsa[i]);
	if (p->ntlsa > 0)
		ctl_add(&rec, "TlsaMatched", p->tlsa_match[0] != '\0' ?
		    p->tlsa_match : "None");
	if (p->sts[0] != '\0') {
		ctl_add(&rec, "MtaSts", p->sts);
		for (i = 0; i < p->nsts_mx; i++)
			ctl_add(&rec, "MtaStsMx", p->sts_mx[i]);
		ctl_add(&rec, "MtaStsAllowed", p->sts_allowed ? "True" :
		    "False");
	}
	ctl_add(&rec, "Connected", p->connected ? "True" : "False");
	ctl_add(&rec, "Error", p->error[0] != '\0' ? p->error : NULL);
	ctl_add(&rec, "Banner", p->banner[0] != '\0' ? p->banner : NULL);
	if (p->connected)
		ctl_add(&rec, "StartTlsOffered", p->starttls ? "True" :
		    "False");
	if (p->tls) {
		ctl_add(&rec, "TlsProtocol", p->version);
		ctl_add(&rec, "TlsCipher", p->cipher);
		probe_cert(&rec, p);
	}
	ctl_add(&rec, "Policy", p->policy);
	ctl_add(&rec, "Result", p->pass ? "Pass" : "Fail");
	ctl_add(&rec, "Response", p->response);
	ctl_encode(out, &rec, false);
	ctl_rec_clear(&rec);
}

/* The certificate fields, and the levels the session would meet. */
static void
probe_cert(struct ctl_rec *rec, const struct mta_probe *p)
{
	const struct tls_peer	*c = &p->cert;
	const struct tls_cert	*x;
	char			 t[32];
	size_t			 i;

	if (c->nchain > 0) {
		x = &c->chain[0];
		ctl_add(rec, "CertificateSubject", x->subject);
		ctl_add(rec, "CertificateIssuer", x->issuer);
		ctl_add_int(rec, "CertificateNotBefore", x->not_before);
		ctl_add_int(rec, "CertificateNotAfter", x->not_after);
	}
	for (i = 0; i < c->nnames; i++)
		ctl_add(rec, "CertificateNames", c->names[i]);
	for (i = 0; i < c->nchain; i++) {
		x = &c->chain[i];
		probe_time(t, sizeof t, x->not_after);
		ctl_addf(rec, "Chain", "%s | %s | %s", x->subject, x->issuer,
		    t);
	}
	ctl_add(rec, "ChainValid", c->chain_ok ? "True" : "False");
	ctl_add(rec, "ChainError", c->chain_error[0] != '\0' ?
	    c->chain_error : NULL);
	ctl_add(rec, "MatchedName", c->matched);
	if (p->met >= TLS_LEV_ENCRYPT)
		ctl_add(rec, "SatisfiesLevels", "EncryptionOnly");
	if (p->tlsa_match[0] != '\0')
		ctl_add(rec, "SatisfiesLevels", "DANE");
	if (p->met >= TLS_LEV_VERIFY)
		ctl_add(rec, "SatisfiesLevels", "CertificateValidation");
	if (p->met >= TLS_LEV_SECURE)
		ctl_add(rec, "SatisfiesLevels", "DomainValidation");
}

/* Unix ms as "2025-01-31T23:59:59Z". */
static void
probe_time(char *out, size_t len, int64_t ms)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "?");
}
