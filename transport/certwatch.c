/*
 * certwatch.c - the partner certificate watch: before a partner's
 * certificate stops mail, say so.
 *
 * Every cert-watch-interval (6 hours by default; 0 turns the watch off)
 * a thread of its own probes the next hops of every Send connector that
 * requires TLS or validates certificates, as Test-SendConnector does
 * (probe_hops, mta_probe_hop: connect, EHLO, STARTTLS, the connector's
 * verdict, QUIT; never mail).  A smart-host connector's hops are its
 * smart hosts; a DNS-routed connector's are the MX hosts of each of its
 * address spaces that names a domain ("contoso.com", "*.contoso.com"
 * as contoso.com; "*" names none).  The probes are connections of their
 * own, outside the delivery path.
 *
 * What each hop showed is kept in the spool (spool_cert_*): the result
 * and the last certificate seen, with its issuer, names, validity,
 * digests and the TlsAuthLevels it meets.  certwatch_judge() compares it
 * with what was there before and says what to alert on:
 *
 *	CertificateExpiring	expires within cert-watch-expiry-days
 *	TlsDomainNotSatisfied	its names do not satisfy the TlsDomain
 *	StartTlsNotOffered	the host answers without STARTTLS
 *	IssuerChanged		another issuer than the last certificate's
 *	KeyChanged		another public key than the last one's
 *
 * The first three are conditions: alerted once when they begin, again
 * only after they have ended.  The last two are changes: alerted once
 * each time.  All of a hop's findings of one round go in one alert
 * (alert.c), so a renewal by another CA is one message, not two.
 */
#include <sys/types.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "xmalloc.h"
#include "transport.h"

#define CW_DOMAINS_MAX	16	/* domains probed per DNS connector */
#define CW_PROBE_MS	30000	/* every hop of one target, together */
#define CW_FORGET	(7 * 86400)	/* a hop unseen this long is dropped */

static struct {
	struct nap	 nap;
	bool		 running;
	pthread_t	 thread;
} cw = {
	.nap = NAP_INITIALIZER
};

static void	*certwatch_main(void *);
static void	 certwatch_round(struct spool *);
static void	 certwatch_target(struct spool *,
		    const struct send_connector *, const char *);
static void	 certwatch_hop(struct spool *, const struct send_connector *,
		    const char *, const struct mta_hop *,
		    const struct mta_probe *, int64_t);
static void	 certwatch_fill(struct spool_cert *, const struct mta_probe *);
static void	 certwatch_alert(const struct spool_cert *,
		    const struct spool_cert *, unsigned, int64_t);

/* Does the watch look at sc's next hops? */
bool
certwatch_wanted(const struct send_connector *sc)
{
	return (!sc->ignore_starttls && (sc->require_tls ||
	    sc->tls_auth_level >= SC_TLSAUTH_CERTIFICATE_VALIDATION));
}

/*
 * What to alert on for a hop (see the top of the file): cur is what it
 * showed at t, prev what the spool had (NULL: never seen).  cur takes
 * the last certificate's fields from prev when it had no TLS now, and
 * cur->findings the conditions that hold.  name_ok: the certificate
 * names the connector's TlsDomain (only asked when tls_domain).
 */
unsigned
certwatch_judge(const struct spool_cert *prev, struct spool_cert *cur,
    bool tls_domain, bool name_ok, int64_t t, int expiry_days)
{
	unsigned	 was = prev != NULL ? prev->findings : 0, now = 0;
	unsigned	 changes = 0;
	bool		 known;

	if (!cur->tls && prev != NULL && prev->sha256 != NULL) {
		/* The last certificate seen stays the one on record. */
		cur->subject = prev->subject != NULL ?
		    xstrdup(prev->subject) : NULL;
		cur->issuer = prev->issuer != NULL ?
		    xstrdup(prev->issuer) : NULL;
		cur->names = prev->names != NULL ? xstrdup(prev->names) : NULL;
		cur->not_before = prev->not_before;
		cur->not_after = prev->not_after;
		cur->thumbprint = prev->thumbprint != NULL ?
		    xstrdup(prev->thumbprint) : NULL;
		cur->sha256 = xstrdup(prev->sha256);
		cur->key_sha256 = prev->key_sha256 != NULL ?
		    xstrdup(prev->key_sha256) : NULL;
	}
	known = cur->sha256 != NULL && *cur->sha256 != '\0';

	if (known && cur->not_after - t < (int64_t)expiry_days * 86400)
		now |= CW_EXPIRING;
	if (cur->tls)
		now |= tls_domain && !name_ok ? CW_TLSDOMAIN : 0;
	else
		now |= was & CW_TLSDOMAIN;
	if (cur->connected)
		now |= !cur->starttls ? CW_NOSTARTTLS : 0;
	else
		now |= was & CW_NOSTARTTLS;

	if (cur->tls && prev != NULL && prev->sha256 != NULL) {
		if (prev->issuer != NULL && cur->issuer != NULL &&
		    strcmp(prev->issuer, cur->issuer) != 0)
			changes |= CW_ISSUER;
		if (prev->key_sha256 != NULL && cur->key_sha256 != NULL &&
		    strcmp(prev->key_sha256, cur->key_sha256) != 0)
			changes |= CW_KEY;
	}
	cur->findings = now;
	return ((now & ~was) | changes);
}

/* The finding's name, as the alert and Get-SendConnectorCertificate say. */
const char *
certwatch_finding_name(unsigned bit)
{
	switch (bit) {
	case CW_EXPIRING:
		return ("CertificateExpiring");
	case CW_TLSDOMAIN:
		return ("TlsDomainNotSatisfied");
	case CW_NOSTARTTLS:
		return ("StartTlsNotOffered");
	case CW_ISSUER:
		return ("IssuerChanged");
	case CW_KEY:
		return ("KeyChanged");
	}
	return ("?");
}

int
certwatch_start(char **cause)
{
	int	error;

	if (env->conf->cert_watch_interval == 0)
		return (0);
	if ((error = pthread_create(&cw.thread, NULL, certwatch_main,
	    NULL)) != 0) {
		xasprintf(cause, "cannot start the certificate watch: %s",
		    strerror(error));
		return (-1);
	}
	cw.running = true;
	return (0);
}

/* Stop: a round under way finishes its probes (bounded) first. */
void
certwatch_stop(void)
{
	if (!cw.running)
		return;
	nap_stop(&cw.nap);
	pthread_join(cw.thread, NULL);
	cw.running = false;
}

static void *
certwatch_main(void *arg)
{
	struct spool	*sp = NULL;
	char		*cause = NULL;
	int		 first;

	(void)arg;
	thread_name("certwatch");
	if (spool_open(&sp, env->spool_path, &cause) != 0) {
		log_warnx("certificate watch: off: %s", cause);
		free(cause);
		return (NULL);
	}
	/* The first round soon after the start, then on the interval. */
	first = env->conf->cert_watch_interval < 60 ?
	    env->conf->cert_watch_interval : 60;
	if (nap_for(&cw.nap, first)) {
		do
			certwatch_round(sp);
		while (nap_for(&cw.nap, env->conf->cert_watch_interval));
	}
	spool_close(sp);
	return (NULL);
}

/* One round: every watched connector's targets, one after the other. */
static void
certwatch_round(struct spool *sp)
{
	struct route_table		*rt;
	const struct send_connector	*sc;
	const struct sc_address_space	*as;
	char				*cause = NULL, *dom;
	const char			*d;
	size_t				 i, k, n;
	int64_t				 start = time(NULL);

	if ((rt = env_routes()) == NULL)
		return;
	for (i = 0; (sc = route_table_connector(rt, i)) != NULL &&
	    !cw.nap.stopping; i++) {
		if (!certwatch_wanted(sc))
			continue;
		if (!SC_DNS_ROUTING(sc)) {
			/* Its smart hosts; its first domain names them. */
			d = "";
			for (k = 0; k < sc->n_address_spaces; k++) {
				as = &sc->address_spaces[k];
				if (strchr(as->domain, '*') == NULL) {
					d = as->domain;
					break;
				}
			}
			certwatch_target(sp, sc, d);
			continue;
		}
		for (k = n = 0; k < sc->n_address_spaces &&
		    n < CW_DOMAINS_MAX && !cw.nap.stopping; k++) {
			as = &sc->address_spaces[k];
			if (strcmp(as->domain, "*") == 0)
				continue;
			dom = xstrdup(strncmp(as->domain, "*.", 2) == 0 ?
			    as->domain + 2 : as->domain);
			if (strchr(dom, '*') == NULL) {
				certwatch_target(sp, sc, dom);
				n++;
			}
			free(dom);
		}
	}
	route_table_unref(rt);
	if (!cw.nap.stopping && spool_cert_prune(sp, start - CW_FORGET,
	    &cause) != 0) {
		log_warnx("certificate watch: %s", cause);
		free(cause);
	}
}

/* The hops of sc for domain (resolved as a delivery would), probed. */
static void
certwatch_target(struct spool *sp, const struct send_connector *sc,
    const char *domain)
{
	struct mta_dest		 d;
	struct mta_hop		*hops = NULL;
	struct mta_probe	 fail, *res;
	size_t			 nhops = 0, i;
	int64_t			 t = time(NULL);

	memset(&d, 0, sizeof d);
	d.sc = sc;
	d.domain = domain;
	if (mta_probe_hops(&d, &hops, &nhops, &fail) != 0) {
		log_info("certificate watch: connector \"%s\" domain %s: %s",
		    sc->name, *domain != '\0' ? domain : "(none)",
		    fail.response);
		return;
	}
	res = xcalloc(nhops == 0 ? 1 : nhops, sizeof *res);
	probe_hops(&d, hops, nhops, io_deadline(CW_PROBE_MS), res);
	for (i = 0; i < nhops; i++) {
		certwatch_hop(sp, sc, domain, &hops[i], &res[i], t);
		mta_probe_clear(&res[i]);
	}
	free(res);
	mta_hops_free(hops, nhops);
}

/* One hop's result: judged against the spool's, kept, alerted on. */
static void
certwatch_hop(struct spool *sp, const struct send_connector *sc,
    const char *domain, const struct mta_hop *h, const struct mta_probe *p,
    int64_t t)
{
	struct spool_cert	 prev, cur;
	char			*cause = NULL;
	unsigned		 fire;
	int			 found;

	memset(&cur, 0, sizeof cur);
	cur.connector_guid = xstrdup(sc->guid);
	cur.domain = xstrdup(domain);
	cur.host = xstrdup(h->name);
	cur.address = xstrdup(p->peer[0] != '\0' ? p->peer : "?");
	cur.connector = xstrdup(sc->name);
	cur.checked = t;
	certwatch_fill(&cur, p);

	if ((found = spool_cert_get(sp, cur.connector_guid, cur.domain,
	    cur.host, cur.address, &prev, &cause)) < 0) {
		log_warnx("certificate watch: %s", cause);
		free(cause);
		spool_cert_clear(&cur);
		return;
	}
	fire = certwatch_judge(found ? &prev : NULL, &cur,
	    sc->tls_domain != NULL && *sc->tls_domain != '\0',
	    p->cert.matched != NULL, t, env->conf->cert_watch_expiry_days);
	if (spool_cert_put(sp, &cur, &cause) != 0) {
		log_warnx("certificate watch: %s", cause);
		free(cause);
	}
	log_debug("certificate watch: connector \"%s\" host %s [%s]: %s",
	    sc->name, cur.host, cur.address, cur.result);
	if (fire != 0)
		certwatch_alert(found ? &prev : NULL, &cur, fire, t);
	if (found)
		spool_cert_clear(&prev);
	spool_cert_clear(&cur);
}

/* The probe's facts in a record. */
static void
certwatch_fill(struct spool_cert *c, const struct mta_probe *p)
{
	const struct tls_peer	*pc = &p->cert;
	struct buf		 b;
	size_t			 i;

	c->connected = p->connected;
	c->starttls = p->starttls;
	c->tls = p->tls;
	c->result = xstrdup(p->pass ? "Pass" : "Fail");
	c->error = p->pass ? NULL : xstrdup(p->response[0] != '\0' ?
	    p->response : p->error);
	if (!p->tls || pc->nchain == 0)
		return;
	c->subject = xstrdup(pc->chain[0].subject);
	c->issuer = xstrdup(pc->chain[0].issuer);
	c->not_before = pc->chain[0].not_before / 1000;
	c->not_after = pc->chain[0].not_after / 1000;
	c->thumbprint = xstrdup(pc->thumbprint);
	c->sha256 = xstrdup(pc->sha256);
	c->key_sha256 = xstrdup(pc->key_sha256);
	buf_init(&b);
	for (i = 0; i < pc->nnames; i++)
		buf_addf(&b, "%s%s", i > 0 ? ", " : "", pc->names[i]);
	c->names = buf_detach(&b);
	buf_init(&b);
	if (p->met >= TLS_LEV_ENCRYPT)
		buf_adds(&b, "EncryptionOnly");
	if (p->met >= TLS_LEV_VERIFY)
		buf_adds(&b, ", CertificateValidation");
	if (p->met >= TLS_LEV_SECURE)
		buf_adds(&b, ", DomainValidation");
	c->levels = b.len > 0 ? buf_detach(&b) : NULL;
	buf_free(&b);
}

static void
certwatch_alert(const struct spool_cert *prev, const struct spool_cert *cur,
    unsigned fire, int64_t t)
{
	struct alert	*al;

	al = xcalloc(1, sizeof *al);
	al->kind = ALERT_CERTIFICATE;
	al->connector = xstrdup(cur->connector);
	al->next_hop = xstrdup(cur->domain);
	al->host = xstrdup(cur->host);
	al->address = xstrdup(cur->address);
	al->findings = fire;
	al->subject = cur->subject != NULL ? xstrdup(cur->subject) : NULL;
	al->issuer = cur->issuer != NULL ? xstrdup(cur->issuer) : NULL;
	al->previous_issuer = prev != NULL && prev->issuer != NULL &&
	    (fire & CW_ISSUER) ? xstrdup(prev->issuer) : NULL;
	al->names = cur->names != NULL ? xstrdup(cur->names) : NULL;
	al->thumbprint = cur->thumbprint != NULL ?
	    xstrdup(cur->thumbprint) : NULL;
	al->not_after = cur->not_after;
	al->started = al->at = t;
	alert_post(al);
}

/* A ", "-joined list as a repeated field. */
static void
certwatch_list(struct ctl_rec *rec, const char *name, const char *list)
{
	char	*copy, *p, *next;

	if (list == NULL)
		return;
	copy = xstrdup(list);
	for (p = copy; p != NULL; p = next) {
		if ((next = strstr(p, ", ")) != NULL) {
			*next = '\0';
			next += 2;
		}
		if (*p != '\0')
			ctl_add(rec, name, p);
	}
	free(copy);
}

/* One hop's record, as ctl.h's "op cert-watch" gives it. */
static int
certwatch_rec(const struct spool_cert *c, void *arg)
{
	struct buf	*out = arg;
	struct ctl_rec	 rec;
	unsigned	 bit;

	ctl_rec_init(&rec);
	ctl_add(&rec, "Connector", c->connector);
	ctl_add(&rec, "Domain", *c->domain != '\0' ? c->domain : NULL);
	ctl_add(&rec, "Host", c->host);
	ctl_add(&rec, "Address", c->address);
	ctl_add_int(&rec, "LastChecked", c->checked * 1000);
	ctl_add(&rec, "Connected", c->connected ? "True" : "False");
	ctl_add(&rec, "StartTlsOffered", c->starttls ? "True" : "False");
	ctl_add(&rec, "Result", c->result);
	ctl_add(&rec, "Error", c->error);
	ctl_add(&rec, "Subject", c->subject);
	ctl_add(&rec, "Issuer", c->issuer);
	if (c->sha256 != NULL) {
		ctl_add_int(&rec, "NotBefore", c->not_before * 1000);
		ctl_add_int(&rec, "NotAfter", c->not_after * 1000);
	}
	certwatch_list(&rec, "CertificateDomains", c->names);
	ctl_add(&rec, "Thumbprint", c->thumbprint);
	certwatch_list(&rec, "SatisfiesLevels", c->levels);
	for (bit = 1; bit <= CW_ALL; bit <<= 1) {
		if (c->findings & bit)
			ctl_add(&rec, "Findings", certwatch_finding_name(bit));
	}
	ctl_encode(out, &rec, false);
	ctl_rec_clear(&rec);
	return (0);
}

/* "op cert-watch" [connector=NAME]: the spool's records, one per hop. */
int
certwatch_ctl(const struct ctl_rec *req, struct buf *out, char **category,
    char **message)
{
	struct spool	*sp = NULL;
	const char	*name = ctl_get(req, "connector");
	char		*cause = NULL;
	int		 rc;

	if (name != NULL && *name == '\0')
		name = NULL;
	if (spool_open(&sp, env->spool_path, &cause) != 0) {
		rc = ctl_refuse(category, message, "ReadError", "%s", cause);
		free(cause);
		return (rc);
	}
	if (spool_cert_list(sp, name, certwatch_rec, out, &cause) != 0) {
		rc = ctl_refuse(category, message, "ReadError", "%s", cause);
		free(cause);
		spool_close(sp);
		return (rc);
	}
	spool_close(sp);
	return (0);
}
