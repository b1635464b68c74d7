/*
 * mta.c - the SMTP client of hubd: one session to one destination (a Send
 * connector and a next-hop domain), with host failover, STARTTLS as the
 * connector's TLS policy decides, AUTH, and one or more messages per
 * connection.
 *
 * mta_open() takes the hosts from MX (DNS routing) or from the smart
 * hosts in order, and tries each address until one has greeted, answered
 * EHLO, met the TLS policy and accepted AUTH.  The policy and every
 * decision on what a host did in the STARTTLS exchange (not offered, a
 * refusal, a broken exchange, the handshake, the certificate, the
 * protocol) are tls_policy.c's; this file speaks the protocol, gathers
 * the facts (struct tls_facts) and carries out the verdict: fail the
 * host with its reply, go on in TLS or in clear.  mta_send() runs one mail
 * transaction on the open session; the caller may call it again until
 * mta_session_count() reaches SmtpMaxMessagesPerConnection.  The session
 * keeps dest->sc and dest->protolog: both must outlive it.
 *
 * Test-SendConnector (probe.c) goes through the same steps without
 * sending mail: mta_probe_hops() resolves as mta_open() does, and
 * mta_probe_hop() runs the connect, greeting, EHLO and TLS steps of one
 * attempt on one address, with the same policy verdict, then QUIT.
 *
 * Invariants:
 *	- When the connector requires TLS (RequireTLS, a TlsAuthLevel or
 *	  BasicAuthRequireTLS) no AUTH, MAIL, RCPT or DATA is ever sent in
 *	  plaintext: every path that did not establish TLS ends as a failure
 *	  of that host, and mta_tls_guard() checks again before a session is
 *	  handed out and before every MAIL FROM.
 *	- Nothing read before the TLS handshake survives it: bytes after the
 *	  220 to STARTTLS abort the host, the read buffer is dropped, and the
 *	  capabilities are replaced by those of the EHLO said over TLS.
 *	- Every bare CR or LF of a body is normalised before it is sent, so
 *	  the only end of DATA the next hop can see is ours.
 *	- Credentials are never logged nor traced, and the copies made to
 *	  send them are wiped.
 *	- A failure of one host is transient (4xx); only DNS's permanent
 *	  answers, a message over the server's SIZE and the server's own
 *	  replies to MAIL, RCPT and DATA can be permanent.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"
#include "transport.h"

#define MTA_LINE_MAX	4096		/* longest reply line taken */
#define MTA_REPLY_LINES	256		/* most lines in one reply */
#define MTA_MAX_HOPS	16		/* addresses tried per open */
#define MTA_CHUNK	65536		/* body bytes per write */
#define MTA_QUIT_MS	5000		/* QUIT is best effort */
#define MTA_BOGUS_TEXT	"DNSSEC validation failed (a bogus answer)"

#define MTA_AUTH_NONE	"451 5.7.3 Require basic authentication"
#define MTA_AUTH_CLEAR	"451 5.7.3 STARTTLS failed: basic authentication " \
			"credentials are not sent in clear"
#define MTA_AUTH_EXCH	"451 5.7.3 Cannot achieve Exchange Server " \
			"authentication"
#define MTA_SOCKET_ERR	"441 4.4.1 Error encountered while communicating " \
			"with primary target IP address: "
#define MTA_FAILOVER	"Attempted failover to alternate host, but that " \
			"did not succeed. Either there are no alternate " \
			"hosts, or delivery failed to all alternate hosts."

/* What the server said it can do in its last EHLO reply. */
struct mta_caps {
	bool		 starttls;
	bool		 pipelining;
	bool		 eightbit;
	bool		 dsn;
	bool		 enhanced;
	bool		 auth_plain;
	bool		 auth_login;
	bool		 size;
	int64_t		 size_max;	/* 0: no limit announced */
	bool		 requiretls;	/* RFC 8689 */
};

enum mta_fail_kind {
	MTA_FAIL_REPLY,		/* a reply, or a policy refusal */
	MTA_FAIL_SOCKET,	/* connect, I/O, timeout: no reply */
	MTA_FAIL_TLSNEG		/* opportunistic STARTTLS failed */
};

/* Why one host failed. */
struct mta_fail {
	enum mta_fail_kind	 kind;
	enum fail_class		 class;
	bool			 quit;	/* the stream can take QUIT */
	char			 text[320];
};

struct mta_reply {
	int		 code;
	char		 text[512];	/* lines joined, printable */
};

struct mta_session {
	const struct send_connector *sc;
	char			*domain;
	struct buf		*protolog;
	const char		*tag;		/* log prefix: "mta", "probe" */
	bool			 probe;		/* Test-SendConnector */
	int64_t			 deadline;	/* of every wait; INT64_MAX */
	struct tls_policy	 dest;		/* the connector's, this domain */
	struct tls_policy	 pol;		/* in force: the host's */
	bool			 relaxed;	/* TLS-Required: No: no DANE, STS */
	struct mta_hop		*hops;
	size_t			 nhops;
	/* MTA-STS: the policy domain's, when one applies (mta_sts). */
	char			*sts_domain;
	struct sts_view		 sts;
	bool			 sts_noted;	/* testing: the note is made */
	enum fail_class		 sts_would;	/* testing: what enforce would */
	/* The TLSA records of the last host looked up (mta_dane). */
	char			*tlsa_host;
	enum tls_dane		 dane;
	struct tlsa_set		 tlsa;

	struct io		 io;
	bool			 connected;
	bool			 broken;	/* unusable: close it */
	const char		*host;		/* connected to */
	char			 peer[64];	/* "ip:port" */
	struct mta_caps		 caps;
	bool			 offered_tls;	/* STARTTLS in the first EHLO */
	struct mta_tls		 tls;
	struct tls_info		 info;
	struct tls_facts	 facts;		/* what this host did so far */
	char			*sni;
	char			*cache_key;
	int			 cmd_ms;
	int			 count;
	char			 err[128];	/* last I/O failure */
	char			 banner[512];	/* the greeting */
	char			 tls_err[256];	/* why TLS failed, or "" */
	char			 dns_err[256];	/* why a lookup failed, or "" */

	struct buf		 line;		/* one reply line */
	struct buf		 lines;		/* a whole reply */
	struct buf		 out;		/* commands, body */
};

/* State of one recipient in a transaction. */
enum mta_rstate {
	MTA_R_PENDING,		/* RCPT to send or its reply to read */
	MTA_R_ACCEPTED,		/* RCPT took it; waits for end of DATA */
	MTA_R_DONE		/* rst[i] is final */
};

struct mta_txn {
	const struct spool_msg	 *msg;
	const char		 *body;
	size_t			  len;
	const char		**rcpts;
	size_t			  n;
	struct mta_status	 *rst;
	struct mta_status	 *st;
	enum mta_rstate		 *state;
	size_t			  accepted;
};

static struct mta_session *mta_session_new(const struct mta_dest *);
static void	 mta_session_free(struct mta_session *);
static int	 mta_policy(struct mta_session *, struct mta_status *);
static int	 mta_hops_mx(struct mta_session *, struct mta_status *);
static void	 mta_dns_perm(struct mta_session *, struct mta_status *,
		    const char *);
static int	 mta_hops_smart(struct mta_session *, struct mta_status *);
static int	 mta_hop_literal(struct mta_session *, const char *, int);
static void	 mta_hops_add(struct mta_session *, const struct hop_list *);
static int	 mta_failover(struct mta_session *, bool, struct mta_fail *);
static int	 mta_host_policy(struct mta_session *, const struct mta_hop *,
		    struct mta_fail *);
static enum tls_dane mta_dane(struct mta_session *, const struct mta_hop *);
static char	*mta_sts_domain(const struct mta_session *);
static void	 mta_sts(struct mta_session *);
static void	 mta_sts_note(struct mta_session *);
static void	 mta_tlsrpt(struct mta_session *, const struct mta_hop *,
		     bool, const struct mta_fail *);
static int	 mta_try(struct mta_session *, struct mta_hop *, bool,
		    struct mta_fail *);
static int	 mta_connect(struct mta_session *, struct mta_hop *,
		    struct mta_fail *);
static int	 mta_ready(struct mta_session *, struct mta_hop *, bool,
		    struct mta_fail *);
static int	 mta_source(const struct send_connector *,
		    struct sockaddr_storage *, socklen_t *);
static int	 mta_greeting(struct mta_session *, struct mta_fail *);
static int	 mta_hello(struct mta_session *, struct mta_fail *);
static void	 mta_caps_parse(struct mta_session *);
static void	 mta_caps_line(struct mta_caps *, char *);
static int	 mta_tls(struct mta_session *, struct mta_hop *, bool,
		    struct mta_fail *);
static int	 mta_starttls(struct mta_session *, struct mta_hop *,
		    struct mta_fail *);
static int	 mta_tls_abort(struct mta_session *, struct mta_fail *,
		    const char *);
static int	 mta_handshake(struct mta_session *, struct mta_hop *,
		    struct mta_fail *);
static enum tls_action mta_tls_decide(struct mta_session *, enum tls_at,
		    struct tls_verdict *);
static int	 mta_tls_verdict(const struct tls_verdict *,
		    struct mta_fail *);
static void	 mta_tls_host(struct mta_session *, struct mta_hop *,
		    struct tls_client_policy *);
static void	 mta_tls_record(struct mta_session *);
static int	 mta_tls_guard(struct mta_session *, struct mta_fail *);
static int	 mta_auth(struct mta_session *, const struct mta_hop *,
		    struct mta_fail *);
static int	 mta_auth_plain(struct mta_session *, struct mta_fail *);
static int	 mta_auth_login(struct mta_session *, struct mta_fail *);
static int	 mta_auth_done(struct mta_session *, struct mta_reply *,
		    struct mta_fail *);
static void	 mta_hangup(struct mta_session *, bool);
static int	 mta_cmd(struct mta_session *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	 mta_cmd_secret(struct mta_session *, const char *,
		    const char *, size_t, const char *);
static int	 mta_write(struct mta_session *);
static int	 mta_read(struct mta_session *, struct mta_reply *);
static int	 mta_reply_line(const char *, size_t, int *, bool *);
static void	 mta_reply_text(struct mta_reply *, const char *, size_t,
		    bool);
static int	 mta_ioerr(struct mta_session *, enum io_status);
static int	 mta_fail_io(struct mta_session *, struct mta_fail *);
static int	 mta_fail_reply(struct mta_fail *, const struct mta_reply *,
		    bool);
static int	 mta_fail_text(struct mta_fail *, enum mta_fail_kind, bool,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static void	 mta_status_set(struct mta_status *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 mta_status_reply(struct mta_status *,
		    const struct mta_reply *);
static void	 mta_status_failover(struct mta_status *,
		    const struct mta_fail *, const char *);
static void	 mta_trace_note(struct mta_session *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 mta_log_host(const struct mta_session *,
		    const struct mta_fail *);
static void	 mta_log_session(const struct mta_session *);
static void	 mta_peer_format(const struct sockaddr_storage *, char *,
		    size_t);
static char	*mta_strip_dot(const char *);
static bool	 mta_nonempty(const char *);
static int	 mta_ms(int64_t);
static void	 mta_xtext(struct buf *, const char *);
static bool	 mta_addr_ok(const char *);
static int	 mta_txn_check(struct mta_session *, struct mta_txn *);
static int	 mta_requiretls(struct mta_session *, struct mta_status *);
static int	 mta_txn_pipelined(struct mta_session *, struct mta_txn *);
static int	 mta_txn_serial(struct mta_session *, struct mta_txn *);
static void	 mta_mail_line(struct mta_session *, struct mta_txn *);
static void	 mta_rcpt_line(struct mta_session *, struct mta_txn *,
		    size_t);
static void	 mta_notify(struct buf *, int);
static const struct spool_rcpt *mta_msg_rcpt(const struct spool_msg *,
		    const char *);
static void	 mta_txn_rcpt(struct mta_txn *, size_t,
		    const struct mta_reply *);
static int	 mta_txn_data(struct mta_session *, struct mta_txn *,
		    const struct mta_reply *);
static int	 mta_txn_rset(struct mta_session *);
static void	 mta_txn_final(struct mta_txn *, const struct mta_reply *);
static void	 mta_txn_all(struct mta_txn *, const struct mta_status *);
static int	 mta_txn_lost(struct mta_session *, struct mta_txn *,
		    const struct mta_reply *);
static int	 mta_body(struct mta_session *, const char *, size_t);
static int	 mta_body_add(struct mta_session *, const char *, size_t);
static int	 mta_timeout(const struct mta_session *, int);
static void	 mta_clamp(struct mta_session *);
static int	 mta_probe_try(struct mta_session *, struct mta_hop *, bool,
		    struct mta_probe *, struct mta_fail *);
static void	 mta_probe_tls(struct mta_session *, struct mta_probe *);
static void	 mta_probe_dane(struct mta_session *, const struct mta_hop *,
		    struct mta_probe *);
static void	 mta_probe_sts(struct mta_session *, struct mta_probe *);
static void	 mta_probe_verdict(int, const struct mta_fail *,
		    struct mta_probe *);

/* ------------------------------------------------------------------ */
/* Opening a session. */

int
mta_open(const struct mta_dest *d, struct mta_session **sp,
    struct mta_status *st)
{
	struct mta_session	*s;
	struct mta_fail		 f;
	size_t			 i;
	int			 rc;

	*sp = NULL;
	st->class = FAIL_NONE;
	s = mta_session_new(d);
	rc = mta_policy(s, st);
	if (rc == 0 && (rc = SC_DNS_ROUTING(s->sc) ? mta_hops_mx(s, st) :
	    mta_hops_smart(s, st)) != 0)
		st->class = FAIL_CONNECT;	/* no address to connect to */
	if (rc != 0) {
		log_info("mta: connector \"%s\" domain %s: %s", s->sc->name,
		    s->domain, st->text);
		mta_session_free(s);
		return (-1);
	}
	rc = mta_failover(s, false, &f);
	/*
	 * Opportunistic TLS must not make mail undeliverable: when the
	 * handshake failed with a host and no host took the session, try
	 * those hosts again without STARTTLS, as Exchange does.  A required
	 * level never gets here (it never sets tls_failed).
	 */
	for (i = 0; i < s->nhops && !s->hops[i].tls_failed; i++)
		;
	if (rc != 0 && s->dest.level == TLS_LEV_MAY && i < s->nhops) {
		log_info("mta: connector \"%s\" domain %s: STARTTLS "
		    "negotiation failed. No more hosts to connect to. "
		    "Retrying without STARTTLS", s->sc->name, s->domain);
		rc = mta_failover(s, true, &f);
	}
	if (rc != 0) {
		mta_status_failover(st, &f, s->peer);
		log_info("mta: connector \"%s\" domain %s: %s", s->sc->name,
		    s->domain, st->text);
		mta_session_free(s);
		return (-1);
	}
	mta_status_set(st, 250, "250 2.0.0 Connected to %s", s->peer);
	*sp = s;
	return (0);
}

/* A session for d, not yet connected. */
static struct mta_session *
mta_session_new(const struct mta_dest *d)
{
	struct mta_session	*s;

	s = xcalloc(1, sizeof *s);
	s->sc = d->sc;
	s->domain = mta_strip_dot(d->domain);
	s->relaxed = d->relaxed;
	s->protolog = d->protolog;
	s->tag = "mta";
	s->deadline = INT64_MAX;
	s->cmd_ms = mta_ms(d->sc->connection_inactivity_timeout);
	s->io.fd = -1;
	s->host = "";
	snprintf(s->peer, sizeof s->peer, "(none)");
	buf_init(&s->line);
	buf_init(&s->lines);
	buf_init(&s->out);
	return (s);
}

static void
mta_session_free(struct mta_session *s)
{
	size_t	i;

	if (s->connected)
		io_close(&s->io);
	for (i = 0; i < s->nhops; i++)
		free(s->hops[i].name);
	free(s->hops);
	tls_policy_clear(&s->dest);
	sts_view_clear(&s->sts);
	free(s->sts_domain);
	tlsa_set_clear(&s->tlsa);
	free(s->tlsa_host);
	free(s->domain);
	free(s->sni);
	free(s->cache_key);
	buf_free(&s->line);
	buf_free(&s->lines);
	buf_free(&s->out);
	free(s);
}

/*
 * The connector's TLS and AUTH settings as one policy for this domain
 * (tls_policy.c); settings that cannot be met safely fail (4xx).
 */
static int
mta_policy(struct mta_session *s, struct mta_status *st)
{
	int	rc;

	rc = tls_policy_init(&s->dest, s->sc, s->domain);
	tls_policy_host(&s->dest, NULL, &s->pol);
	if (rc == 0) {
		mta_sts(s);
		return (0);
	}
	mta_status_set(st, s->dest.refuse_code, "%s", s->dest.refuse);
	return (-1);
}

/* The MX hosts of the domain; DNS's permanent answers fail for good. */
static int
mta_hops_mx(struct mta_session *s, struct mta_status *st)
{
	struct hop_list	 hl;
	enum dns_status	 ds;
	char		*cause = NULL;

	memset(&hl, 0, sizeof hl);
	ds = dns_mx(env->dns, s->domain, s->sc->port, &hl, &cause);
	if (ds == DNS_OK && hl.n == 0)
		ds = DNS_NOHOST;
	switch (ds) {
	case DNS_OK:
		mta_hops_add(s, &hl);
		break;
	case DNS_NULLMX:
		/* RFC 7505: the domain takes no mail; never downgraded. */
		mta_status_set(st, 550, "550 5.1.10 Recipient address has "
		    "null MX");
		break;
	case DNS_NXDOMAIN:
		mta_dns_perm(s, st, "nonexistent domain");
		break;
	case DNS_NOHOST:
		mta_dns_perm(s, st, "no MX or address records");
		break;
	case DNS_BOGUS:
		mta_status_set(st, 451, "451 4.4.3 DNS query failed. The "
		    "error was: " MTA_BOGUS_TEXT);
		break;
	default:
		mta_status_set(st, 451, "451 4.4.3 DNS query failed. The "
		    "error was: DNS query failed with error ErrorRetry");
		break;
	}
	if (ds != DNS_OK && cause != NULL) {
		log_info("%s: MX lookup for %s: %s", s->tag, s->domain, cause);
		snprintf(s->dns_err, sizeof s->dns_err, "%s", cause);
	}
	hop_list_clear(&hl);
	free(cause);
	return (ds == DNS_OK ? 0 : -1);
}

/*
 * A domain that does not exist or has no host: permanent, unless the
 * connector's ErrorPolicies say DowngradeDnsFailures (split or flaky
 * DNS), which makes it a retry.
 */
static void
mta_dns_perm(struct mta_session *s, struct mta_status *st, const char *why)
{
	if (s->sc->error_policies & SC_ERRPOL_DOWNGRADE_DNS)
		mta_status_set(st, 451, "451 4.4.0 DNS query failed. The "
		    "error was: SMTPSEND.DNS.NonExistentDomain; %s", why);
	else
		mta_status_set(st, 554, "554 5.4.4 "
		    "SMTPSEND.DNS.NonExistentDomain; %s", why);
}

/*
 * The smart hosts in order, literals as they are.  A smart host that
 * does not resolve is the connector's problem, not the recipient's: it
 * is always a retry.
 */
static int
mta_hops_smart(struct mta_session *s, struct mta_status *st)
{
	const struct send_connector	*sc = s->sc;
	struct hop_list			 hl;
	enum dns_status			 ds;
	const char			*why = NULL;
	char				*cause;
	size_t				 i;

	for (i = 0; i < sc->smart_hosts.n; i++) {
		if (mta_hop_literal(s, sc->smart_hosts.v[i], sc->port) == 0)
			continue;
		memset(&hl, 0, sizeof hl);
		cause = NULL;
		ds = dns_host(env->dns, sc->smart_hosts.v[i], sc->port, &hl,
		    &cause);
		if (ds == DNS_OK)
			mta_hops_add(s, &hl);
		else {
			why = ds == DNS_TEMPFAIL ?
			    "DNS query failed with error ErrorRetry" :
			    ds == DNS_BOGUS ? MTA_BOGUS_TEXT :
			    "SMTPSEND.DNS.NonExistentDomain; "
			    "nonexistent domain";
			log_info("%s: smart host %s: %s", s->tag,
			    sc->smart_hosts.v[i], cause != NULL ? cause : why);
			snprintf(s->dns_err, sizeof s->dns_err, "smart host "
			    "%s: %s", sc->smart_hosts.v[i],
			    cause != NULL ? cause : why);
		}
		hop_list_clear(&hl);
		free(cause);
	}
	if (s->nhops > 0)
		return (0);
	mta_status_set(st, 451, "451 4.4.0 DNS query failed. The error was: "
	    "%s", why != NULL ? why : "no smart host");
	return (-1);
}

/* Add "[1.2.3.4]", "[::1]", "[IPv6:...]" or a bare address; -1 if not. */
static int
mta_hop_literal(struct mta_session *s, const char *name, int port)
{
	struct mta_hop		 h;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&h.addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&h.addr;
	char			 ip[INET6_ADDRSTRLEN + 8];
	size_t			 len = strlen(name);

	if (len >= 2 && name[0] == '[' && name[len - 1] == ']')
		snprintf(ip, sizeof ip, "%.*s", (int)(len - 2), name + 1);
	else
		snprintf(ip, sizeof ip, "%s", name);
	memset(&h, 0, sizeof h);
	if (strncasecmp(ip, "IPv6:", 5) == 0 &&
	    inet_pton(AF_INET6, ip + 5, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		h.addrlen = sizeof *sin6;
	} else if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		h.addrlen = sizeof *sin;
	} else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		h.addrlen = sizeof *sin6;
	} else
		return (-1);
	if (s->nhops >= MTA_MAX_HOPS)
		return (0);
	h.name = xstrdup(name);
	h.literal = true;
	s->hops = xreallocarray(s->hops, s->nhops + 1, sizeof *s->hops);
	s->hops[s->nhops++] = h;
	return (0);
}

/*
 * Append the resolver's hosts in its order.  At most MTA_MAX_HOPS
 * addresses: one open must not hold a worker for ever behind hosts that
 * time out.
 */
static void
mta_hops_add(struct mta_session *s, const struct hop_list *hl)
{
	struct mta_hop	*h;
	size_t		 i;

	for (i = 0; i < hl->n && s->nhops < MTA_MAX_HOPS; i++) {
		if (hl->v[i].addrlen == 0 ||
		    hl->v[i].addrlen > sizeof hl->v[i].addr)
			continue;
		s->hops = xreallocarray(s->hops, s->nhops + 1,
		    sizeof *s->hops);
		h = &s->hops[s->nhops++];
		memset(h, 0, sizeof *h);
		h->name = xstrdup(hl->v[i].name != NULL ? hl->v[i].name : "");
		h->pref = hl->v[i].pref;
		memcpy(&h->addr, &hl->v[i].addr, hl->v[i].addrlen);
		h->addrlen = hl->v[i].addrlen;
		h->sec = hl->v[i].sec;
		h->host_sec = hl->v[i].host_sec;
	}
}

/*
 * Try the hosts in order until one is ready; plain: only those whose
 * STARTTLS failed, without STARTTLS.
 */
static int
mta_failover(struct mta_session *s, bool plain, struct mta_fail *f)
{
	size_t	i;

	mta_fail_text(f, MTA_FAIL_SOCKET, false, "no host to try");
	for (i = 0; i < s->nhops; i++) {
		if (plain && !s->hops[i].tls_failed)
			continue;
		if (mta_try(s, &s->hops[i], plain, f) == 0)
			return (0);
	}
	return (-1);
}

/*
 * One host: connect, the steps shared with the probe (greeting, EHLO,
 * the TLS policy, the catch-all check: all before AUTH, credentials are
 * the first secret to cross), AUTH.
 */
static int
mta_try(struct mta_session *s, struct mta_hop *h, bool plain,
    struct mta_fail *f)
{
	bool	opened = false;
	int	rc = -1;

	if (mta_host_policy(s, h, f) == 0 && mta_connect(s, h, f) == 0) {
		opened = true;
		if (mta_ready(s, h, plain, f) == 0 && mta_auth(s, h, f) == 0)
			rc = 0;
		else if (f->kind == MTA_FAIL_TLSNEG)
			h->tls_failed = true;
	}
	mta_tlsrpt(s, h, plain, rc == 0 ? NULL : f);
	if (rc == 0)
		return (0);
	mta_log_host(s, f);
	if (opened)
		mta_hangup(s, f->quit);
	return (-1);
}

/*
 * TLS-RPT: what the attempt on h did under the policy in force (f NULL:
 * it met it).  Not counted: probes, "TLS-Required: No" sessions (TLS
 * reports among them), the plaintext pass after a failed STARTTLS (the
 * failure is counted), and attempts that failed before the policy
 * (connection) or with it met (SMTP, AUTH: a TLS session counts as met).
 */
static void
mta_tlsrpt(struct mta_session *s, const struct mta_hop *h, bool plain,
    const struct mta_fail *f)
{
	struct tlsrpt_attempt	 a;
	struct sockaddr_storage	 local;
	socklen_t		 locallen = sizeof local;
	char			*policy = NULL, *mx = NULL;

	if (s->probe || s->relaxed || plain || !tlsrpt_enabled())
		return;
	memset(&a, 0, sizeof a);
	if (f != NULL && (a.result = tlsrpt_result(f->class)) == NULL &&
	    (!s->connected || !s->tls.active))
		return;
	/* Testing: what enforce would have refused is the result (8460 4.3). */
	if (f == NULL && s->pol.sts_testing && s->sts_would != FAIL_NONE)
		a.result = tlsrpt_result(s->sts_would);
	a.domain = s->sts_domain != NULL ? s->sts_domain :
	    SC_DNS_ROUTING(s->sc) ? s->domain : NULL;
	if (s->pol.dane) {
		a.type = "tlsa";
		policy = tlsrpt_tlsa_policy(&s->tlsa);
	} else if ((s->pol.sts || s->pol.sts_testing) && s->sts.have) {
		a.type = "sts";
		policy = tlsrpt_sts_policy(&s->sts.pol, &mx);
	} else
		a.type = "no-policy-found";
	a.policy = policy != NULL ? policy : "";
	a.mx = mx != NULL ? mx : "";
	if (s->connected && getsockname(s->io.fd, (struct sockaddr *)&local,
	    &locallen) == 0) {
		a.local = (struct sockaddr *)&local;
		a.locallen = locallen;
	}
	a.remote = (const struct sockaddr *)&h->addr;
	a.remotelen = h->addrlen;
	a.mx_host = h->name;
	tlsrpt_note(&a);
	free(policy);
	free(mx);
}

/*
 * The policy in force with host h: the connector's, raised by what h
 * publishes (DANE).  A host that cannot be used fails here, unconnected.
 */
static int
mta_host_policy(struct mta_session *s, const struct mta_hop *h,
    struct mta_fail *f)
{
	struct tls_policy_ext	ext;

	memset(&ext, 0, sizeof ext);
	/* RFC 8689 5: "TLS-Required: No" sets the destination's aside. */
	ext.dane_mode = s->relaxed ? SC_DANE_NONE : s->sc->smtp_dane_mode;
	ext.host = h->name;
	if ((ext.dane = mta_dane(s, h)) == TLS_DANE_RECORDS) {
		ext.tlsa = &s->tlsa;
		ext.host = s->tlsa_host;
	}
	ext.domain = SC_DNS_ROUTING(s->sc) ? s->domain : NULL;
	if (s->sts.have) {
		ext.sts = &s->sts.pol;
		ext.sts_domain = s->sts_domain;
		ext.sts_match = !h->literal && sts_mx_match(&s->sts.pol,
		    h->name);
	}
	s->sts_noted = false;
	s->sts_would = FAIL_NONE;
	s->host = h->name;
	if (tls_policy_host(&s->dest, &ext, &s->pol) == 0)
		return (0);
	mta_peer_format(&h->addr, s->peer, sizeof s->peer);
	mta_fail_text(f, MTA_FAIL_REPLY, false, "%s", s->pol.refuse);
	f->class = s->pol.refuse_class;
	return (-1);
}

/*
 * The MTA-STS policy domain: the recipient domain under DNS routing;
 * for smart hosts, as Exchange Online, the smart host's domain (its name
 * without the first label when it has more than two).  NULL: none (an
 * address literal).
 */
static char *
mta_sts_domain(const struct mta_session *s)
{
	const char	*h, *dot;
	size_t		 i, dots = 0;

	if (SC_DNS_ROUTING(s->sc))
		return (*s->domain != '\0' ? xstrdup(s->domain) : NULL);
	for (i = 0; i < s->sc->smart_hosts.n; i++) {
		h = s->sc->smart_hosts.v[i];
		if (*h == '[' || strspn(h, "0123456789.") == strlen(h) ||
		    strchr(h, ':') != NULL)
			continue;
		for (dot = h; (dot = strchr(dot, '.')) != NULL; dot++)
			dots++;
		if (dots < 1)
			continue;
		return (mta_strip_dot(dots >= 2 ? strchr(h, '.') + 1 : h));
	}
	return (NULL);
}

/*
 * The MTA-STS policy of the session's policy domain (sts.c: cached, or
 * fetched now), unless the connector's MtaStsMode is None or the
 * messages say "TLS-Required: No".
 */
static void
mta_sts(struct mta_session *s)
{
	if (s->sc->mta_sts_mode == SC_STS_NONE || s->relaxed ||
	    (s->sts_domain = mta_sts_domain(s)) == NULL)
		return;
	sts_get(s->sts_domain, &s->sts);
	if (s->sts.have)
		mta_trace_note(s, "MTA-STS: policy %s of %s, mode %s (%s)",
		    s->sts.id, s->sts_domain, sts_mode_name(s->sts.pol.mode),
		    s->sts.fetched ? "fetched" : "cached");
	else if (s->sts.why[0] != '\0')
		mta_trace_note(s, "MTA-STS: none for %s: %s", s->sts_domain,
		    s->sts.why);
}

/*
 * Under an MTA-STS policy in testing: say once per host what would have
 * failed under enforce (RFC 8461 5: deliver, and report).
 */
static void
mta_sts_note(struct mta_session *s)
{
	const char	*why;

	if (!s->pol.sts_testing || s->sts_noted)
		return;
	s->sts_noted = true;
	if (!s->pol.sts_match) {
		why = "not among its mx";
		s->sts_would = FAIL_STS_MX;
	} else if (s->io.tls == NULL || !s->tls.active) {
		why = "no TLS";
		s->sts_would = FAIL_NO_STARTTLS;
	} else if (!s->info.chain_ok) {
		why = "the certificate does not verify";
		s->sts_would = s->info.expired ? FAIL_EXPIRED : FAIL_UNTRUSTED;
	} else if (!s->info.sts_name_ok) {
		why = "no name of the certificate is the host";
		s->sts_would = FAIL_NAME;
	} else
		return;
	log_info("%s: mta-sts: %s (testing): %s [%s] would fail enforce: %s",
	    s->tag, s->sts_domain, s->host, s->peer, why);
	mta_trace_note(s, "MTA-STS testing: would fail enforce: %s", why);
	snprintf(s->tls.sts_testing, sizeof s->tls.sts_testing, "%s", why);
}

/*
 * The TLSA records of h (RFC 7672 2.2): looked up only for a host whose
 * address answer validated, and kept for the next address of the same
 * host.  SmtpDaneMode None looks up nothing.
 */
static enum tls_dane
mta_dane(struct mta_session *s, const struct mta_hop *h)
{
	char	*cause = NULL;

	if (s->sc->smtp_dane_mode == SC_DANE_NONE || s->relaxed ||
	    h->literal || h->host_sec != DNSSEC_SECURE)
		return (TLS_DANE_NONE);
	if (s->tlsa_host != NULL && strcmp(s->tlsa_host, h->name) == 0)
		return (s->dane);
	tlsa_set_clear(&s->tlsa);
	free(s->tlsa_host);
	s->tlsa_host = mta_strip_dot(h->name);
	switch (dns_tlsa(env->dns, s->tlsa_host, s->sc->port, &s->tlsa,
	    &cause)) {
	case DNS_OK:
		s->dane = TLS_DANE_RECORDS;
		mta_trace_note(s, "DANE: %zu TLSA record%s for _%d._tcp.%s",
		    s->tlsa.n, s->tlsa.n == 1 ? "" : "s", s->sc->port,
		    s->tlsa_host);
		break;
	case DNS_NOHOST:
		s->dane = TLS_DANE_NONE;
		break;
	default:
		s->dane = TLS_DANE_FAILED;
		log_info("%s: %s: %s", s->tag, h->name, cause);
		mta_trace_note(s, "DANE: %s", cause);
		break;
	}
	free(cause);
	return (s->dane);
}

/* Connect to h from SourceIPAddress; the stream traces when Verbose. */
static int
mta_connect(struct mta_session *s, struct mta_hop *h, struct mta_fail *f)
{
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	char			*cause = NULL;
	int			 fd;

	memset(&s->caps, 0, sizeof s->caps);
	memset(&s->tls, 0, sizeof s->tls);
	memset(&s->info, 0, sizeof s->info);
	snprintf(s->tls.verify, sizeof s->tls.verify, "none");
	s->offered_tls = false;
	s->banner[0] = '\0';
	s->tls_err[0] = '\0';
	s->host = h->name;
	mta_peer_format(&h->addr, s->peer, sizeof s->peer);
	if (mta_source(s->sc, &src, &srclen) != 0)
		return (mta_fail_text(f, MTA_FAIL_SOCKET, false, "invalid "
		    "SourceIPAddress %s", s->sc->source_ip_address));
	fd = io_connect((struct sockaddr *)&h->addr, h->addrlen,
	    srclen > 0 ? (struct sockaddr *)&src : NULL, srclen,
	    mta_timeout(s, mta_ms(env->conf->connect_timeout)), &cause);
	if (fd == -1) {
		mta_fail_text(f, MTA_FAIL_SOCKET, false, "%s",
		    cause != NULL ? cause : "connect failed");
		free(cause);
		return (-1);
	}
	io_init(&s->io, fd, s->cmd_ms);
	s->io.trace = s->protolog;
	s->connected = true;
	mta_trace_note(s, "connected to %s (%s)", s->peer, s->host);
	return (0);
}

/*
 * What every attempt on a connected host does, a delivery's and a
 * probe's alike: the greeting, EHLO, the connector's TLS policy and the
 * catch-all check.  The stream stays open either way (the caller says
 * QUIT or goes on); s->offered_tls keeps what the first EHLO said.
 */
static int
mta_ready(struct mta_session *s, struct mta_hop *h, bool plain,
    struct mta_fail *f)
{
	if (mta_greeting(s, f) != 0 || mta_hello(s, f) != 0)
		return (-1);
	s->offered_tls = s->caps.starttls;
	if (mta_tls(s, h, plain, f) != 0)
		return (-1);
	mta_sts_note(s);
	return (mta_tls_guard(s, f));
}

/* SourceIPAddress as a socket address; srclen 0 for any. */
static int
mta_source(const struct send_connector *sc, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*ip = sc->source_ip_address;

	memset(ss, 0, sizeof *ss);
	*len = 0;
	if (ip == NULL || *ip == '\0' || strcmp(ip, "0.0.0.0") == 0 ||
	    strcmp(ip, "::") == 0)
		return (0);
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		*len = sizeof *sin;
	} else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		*len = sizeof *sin6;
	} else
		return (-1);
	return (0);
}

/* The server's greeting: 220 or the host has failed. */
static int
mta_greeting(struct mta_session *s, struct mta_fail *f)
{
	struct mta_reply	r;

	if (mta_read(s, &r) != 0)
		return (mta_fail_io(s, f));
	snprintf(s->banner, sizeof s->banner, "%s", r.text);
	if (r.code != 220)
		return (mta_fail_reply(f, &r, true));
	return (0);
}

/*
 * EHLO with the connector's Fqdn (HELO when ForceHELO, or when EHLO is
 * refused with 5xx: RFC 5321 4.1.4); the capabilities are replaced by
 * what this reply says, never merged with an earlier one.
 */
static int
mta_hello(struct mta_session *s, struct mta_fail *f)
{
	struct mta_reply	 r;
	const char		*name = s->sc->fqdn;

	if (!mta_nonempty(name))
		name = env->hostname;
	if (!mta_nonempty(name))
		name = "localhost";
	memset(&s->caps, 0, sizeof s->caps);
	if (!s->sc->force_helo) {
		if (mta_cmd(s, "EHLO %s", name) != 0 || mta_read(s, &r) != 0)
			return (mta_fail_io(s, f));
		if (r.code / 100 == 2) {
			mta_caps_parse(s);
			return (0);
		}
		if (r.code / 100 != 5)
			return (mta_fail_reply(f, &r, true));
	}
	/* HELO: no extensions, so no STARTTLS, PIPELINING or AUTH. */
	if (mta_cmd(s, "HELO %s", name) != 0 || mta_read(s, &r) != 0)
		return (mta_fail_io(s, f));
	if (r.code / 100 != 2)
		return (mta_fail_reply(f, &r, true));
	return (0);
}

/* The EHLO keywords, one per line after the first. */
static void
mta_caps_parse(struct mta_session *s)
{
	char	*line, *next;
	bool	 first = true;

	for (line = s->lines.s; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (!first && strlen(line) > 4)
			mta_caps_line(&s->caps, line + 4);
		first = false;
		if (next == NULL)
			break;
	}
}

/* One EHLO line: a keyword and its parameters. */
static void
mta_caps_line(struct mta_caps *c, char *kw)
{
	char		*w, *last, *end;
	long long	 n;

	if ((w = strtok_r(kw, " \t", &last)) == NULL)
		return;
	if (strcasecmp(w, "STARTTLS") == 0)
		c->starttls = true;
	else if (strcasecmp(w, "PIPELINING") == 0)
		c->pipelining = true;
	else if (strcasecmp(w, "8BITMIME") == 0)
		c->eightbit = true;
	else if (strcasecmp(w, "DSN") == 0)
		c->dsn = true;
	else if (strcasecmp(w, "ENHANCEDSTATUSCODES") == 0)
		c->enhanced = true;
	else if (strcasecmp(w, "REQUIRETLS") == 0)
		c->requiretls = true;
	else if (strcasecmp(w, "SIZE") == 0) {
		c->size = true;
		if ((w = strtok_r(NULL, " \t", &last)) == NULL)
			return;
		errno = 0;
		n = strtoll(w, &end, 10);
		if (errno == 0 && *end == '\0' && n > 0)
			c->size_max = n;
	} else if (strcasecmp(w, "AUTH") == 0 ||
	    strncasecmp(w, "AUTH=", 5) == 0) {
		w = w[4] == '=' ? w + 5 : strtok_r(NULL, " \t", &last);
		for (; w != NULL; w = strtok_r(NULL, " \t", &last)) {
			if (strcasecmp(w, "PLAIN") == 0)
				c->auth_plain = true;
			else if (strcasecmp(w, "LOGIN") == 0)
				c->auth_login = true;
		}
	}
}

/* ------------------------------------------------------------------ */
/* TLS. */

/*
 * Apply the connector's TLS policy to this host, after EHLO: each step
 * gives tls_policy_decide() what the host did so far and carries out its
 * verdict.
 */
static int
mta_tls(struct mta_session *s, struct mta_hop *h, bool plain,
    struct mta_fail *f)
{
	struct tls_verdict	v;

	memset(&s->facts, 0, sizeof s->facts);
	s->facts.plain = plain;
	s->facts.offered = s->caps.starttls;
	s->facts.client = env->tls_client != NULL;
	s->facts.info = &s->info;
	if (mta_tls_decide(s, TLS_AT_EHLO, &v) != TLS_ACT_STARTTLS)
		return (mta_tls_verdict(&v, f));
	return (mta_starttls(s, h, f));
}

/* STARTTLS, the handshake and a new EHLO over TLS. */
static int
mta_starttls(struct mta_session *s, struct mta_hop *h, struct mta_fail *f)
{
	struct mta_reply	r;
	struct tls_verdict	v;

	/*
	 * STARTTLS goes alone and only into a quiet stream: anything the
	 * server sent unasked could be read as its reply.
	 */
	if (io_pending(&s->io) > 0)
		return (mta_tls_abort(s, f, "data before STARTTLS"));
	if (mta_cmd(s, "STARTTLS") != 0 || mta_read(s, &r) != 0)
		return (mta_fail_io(s, f));
	s->facts.reply = r.code;
	if (mta_tls_decide(s, TLS_AT_REPLY, &v) != TLS_ACT_STARTTLS) {
		if (v.action == TLS_ACT_PLAIN)
			log_info("%s: %s [%s]: STARTTLS refused: %s", s->tag,
			    s->host, s->peer, r.text);
		return (mta_tls_verdict(&v, f));
	}
	/*
	 * Bytes after the 220 were sent before the handshake and would be
	 * read as replies over TLS (response injection, CVE-2011-0411
	 * class): abort this host rather than drop them and go on.
	 */
	if (io_pending(&s->io) > 0)
		return (mta_tls_abort(s, f, "data after 220 to STARTTLS"));
	io_discard(&s->io);
	if (mta_handshake(s, h, f) != 0)
		return (-1);
	/* RFC 3207 4.2: forget what was said in clear and ask again. */
	return (mta_hello(s, f));
}

/*
 * The server broke the STARTTLS exchange: close without another word
 * (the verdict never says QUIT).
 */
static int
mta_tls_abort(struct mta_session *s, struct mta_fail *f, const char *why)
{
	struct tls_verdict	v;

	log_info("%s: %s [%s]: %s: session aborted", s->tag, s->host, s->peer,
	    why);
	mta_trace_note(s, "%s: session aborted", why);
	s->facts.why = why;
	mta_tls_decide(s, TLS_AT_ABORT, &v);
	return (mta_tls_verdict(&v, f));
}

/* The handshake with this host's checks, and the policy's verdict. */
static int
mta_handshake(struct mta_session *s, struct mta_hop *h, struct mta_fail *f)
{
	struct tls_client_policy	 tp;
	struct tls_conn			*conn = NULL;
	struct tls_verdict		 v;
	enum tls_result			 rc = TLS_HANDSHAKE_FAILED;
	const char			*what;

	mta_tls_host(s, h, &tp);
	if (env->tls_client != NULL)
		rc = tls_client_start(env->tls_client, s->io.fd, &tp,
		    mta_timeout(s, s->cmd_ms), &conn, &s->info);
	if (conn != NULL)
		s->io.tls = conn;
	s->facts.result = rc;
	s->facts.session = conn != NULL;
	if (mta_tls_decide(s, TLS_AT_HANDSHAKE, &v) == TLS_ACT_TLS) {
		mta_tls_record(s);
		return (0);
	}
	what = v.unverified ? "verification failed" : "handshake failed";
	snprintf(s->tls_err, sizeof s->tls_err, "TLS %s: %s", what,
	    s->info.detail);
	mta_trace_note(s, "%s", s->tls_err);
	log_info("%s: %s [%s]: TLS %s (%s): %s", s->tag, s->host, s->peer,
	    what, s->pol.label, s->info.detail);
	return (mta_tls_verdict(&v, f));
}

/* The policy's verdict on what this host did so far. */
static enum tls_action
mta_tls_decide(struct mta_session *s, enum tls_at at, struct tls_verdict *v)
{
	s->facts.at = at;
	return (tls_policy_decide(&s->pol, &s->facts, v));
}

/* Carry out a verdict that ends the step: 0 go on, -1 the host failed. */
static int
mta_tls_verdict(const struct tls_verdict *v, struct mta_fail *f)
{
	if (v->action != TLS_ACT_FAIL)
		return (0);
	mta_fail_text(f, v->fail == TLS_FAIL_NEGOTIATION ? MTA_FAIL_TLSNEG :
	    MTA_FAIL_REPLY, v->quit, "%s", v->text);
	f->class = v->class;
	return (-1);
}

/*
 * What tls.c checks with this host: the policy's share (verify, floor,
 * names), SNI and the session cache key.
 */
static void
mta_tls_host(struct mta_session *s, struct mta_hop *h,
    struct tls_client_policy *tp)
{
	const char	*td = s->sc->tls_domain;
	struct buf	 key;
	size_t		 i;

	tls_policy_client(&s->pol, tp);
	/*
	 * SNI: the TLSA base domain under DANE (RFC 7672 8.1); else
	 * TlsDomain when it names one host, else the host; no IPs.
	 */
	free(s->sni);
	s->sni = NULL;
	if (s->pol.dane)
		s->sni = xstrdup(s->pol.dane_base);
	else if (mta_nonempty(td) && strncmp(td, "*.", 2) != 0)
		s->sni = mta_strip_dot(td);
	else if (!h->literal && mta_nonempty(h->name))
		s->sni = mta_strip_dot(h->name);
	tp->sni = s->sni;
	/*
	 * A resumed session keeps the verdict of the handshake that made
	 * it, so the key holds everything that decides the policy: the
	 * session never crosses connectors, hosts, levels or names.
	 */
	buf_init(&key);
	buf_addf(&key, "%s|%s|%s|%d|%d|%s", s->sc->guid, h->name, s->peer,
	    (int)tp->verify, (int)tp->required, s->sni != NULL ? s->sni : "");
	for (i = 0; i < tp->nnames; i++)
		buf_addf(&key, "|%s", tp->names[i]);
	free(s->cache_key);
	s->cache_key = buf_detach(&key);
	/*
	 * A probe must see the certificate itself (a resumed session shows
	 * none), and its sessions are not a delivery's: no cache.
	 */
	tp->cache_key = s->probe ? NULL : s->cache_key;
}

/* Keep the session's TLS facts for tracking and the logs. */
static void
mta_tls_record(struct mta_session *s)
{
	struct mta_tls	*t = &s->tls;

	t->active = true;
	snprintf(t->version, sizeof t->version, "%s", s->info.version);
	snprintf(t->cipher, sizeof t->cipher, "%s", s->info.cipher);
	snprintf(t->peer_cn, sizeof t->peer_cn, "%s", s->info.peer_cn);
	/* Which policy decided, and under DANE the record that matched. */
	/*
	 * A resumed session was verified by DANE when it was made, with
	 * the same records (tls.c's cache key); OpenSSL no longer says
	 * which record matched.
	 */
	if (s->pol.dane && s->info.dane_ok)
		snprintf(t->verify, sizeof t->verify, "%s ok, %s%s",
		    s->pol.label, s->info.dane_match[0] != '\0' ? "TLSA " :
		    "resumed", s->info.dane_match);
	else if (s->pol.dane && !TLS_MUST_PKIX(s->pol.level))
		snprintf(t->verify, sizeof t->verify, "DANE, no usable TLSA");
	else if (s->pol.dane)
		snprintf(t->verify, sizeof t->verify, "%s ok, no usable TLSA",
		    s->pol.label);
	else if (!TLS_MUST_PKIX(s->pol.level))
		snprintf(t->verify, sizeof t->verify, "%s",
		    TLS_REQUIRED(s->pol.level) ? s->pol.label : "none");
	else
		snprintf(t->verify, sizeof t->verify, "%s ok", s->pol.label);
	mta_trace_note(s, "TLS %s %s%s, %s, certificate CN=%s",
	    t->version, t->cipher, s->info.resumed ? " (resumed)" : "",
	    t->verify, s->info.peer_cn);
}

/*
 * The catch-all: once TLS is required, no path may end in a plaintext
 * session.  Runs before a session is handed out and before every MAIL.
 */
static int
mta_tls_guard(struct mta_session *s, struct mta_fail *f)
{
	if (!TLS_REQUIRED(s->pol.level) ||
	    (s->io.tls != NULL && s->tls.active))
		return (0);
	log_warnx("mta: %s [%s]: TLS required but not active: refused",
	    s->host, s->peer);
	if (f != NULL)
		mta_fail_text(f, MTA_FAIL_REPLY, true, "%s", s->pol.fail);
	return (-1);
}

/* ------------------------------------------------------------------ */
/* AUTH. */

/* SmartHostAuthMechanism: AUTH PLAIN, else LOGIN, with the credential. */
static int
mta_auth(struct mta_session *s, const struct mta_hop *h, struct mta_fail *f)
{
	enum sc_auth_mech	mech = s->sc->smart_host_auth_mechanism;

	switch (mech) {
	case SC_AUTH_BASIC:
	case SC_AUTH_BASIC_REQUIRE_TLS:
		break;
	case SC_AUTH_EXCHANGE_SERVER:
		/* X-EXPS is Exchange's own and not spoken here. */
		return (mta_fail_text(f, MTA_FAIL_REPLY, true, "%s",
		    MTA_AUTH_EXCH));
	default:
		return (0);
	}
	/*
	 * BasicAuthRequireTLS: the password crosses only inside TLS.
	 * BasicAuth takes TLS when offered (opportunistic) and sends the
	 * password in clear only to a host that never offered STARTTLS, as
	 * Exchange does.  A host that offered it and then broke the
	 * handshake, or refused the command, gets no password in clear:
	 * that is what a man in the middle would arrange, and the plaintext
	 * pass that follows a failed handshake (or a second session that no
	 * longer sees STARTTLS: h->tls_failed) defers instead.
	 */
	if (mech == SC_AUTH_BASIC_REQUIRE_TLS && s->io.tls == NULL)
		return (mta_fail_text(f, MTA_FAIL_REPLY, true, "%s",
		    TLS_POLICY_AUTH_TLS));
	if (s->io.tls == NULL && (s->offered_tls || h->tls_failed))
		return (mta_fail_text(f, MTA_FAIL_REPLY, true, "%s",
		    MTA_AUTH_CLEAR));
	if (s->caps.auth_plain)
		return (mta_auth_plain(s, f));
	if (s->caps.auth_login)
		return (mta_auth_login(s, f));
	return (mta_fail_text(f, MTA_FAIL_REPLY, true, "%s", MTA_AUTH_NONE));
}

/* AUTH PLAIN with an initial response (RFC 4616). */
static int
mta_auth_plain(struct mta_session *s, struct mta_fail *f)
{
	const char		*u = s->sc->auth_username;
	const char		*p = s->sc->auth_password;
	size_t			 ul = strlen(u), pl = strlen(p);
	size_t			 len = ul + pl + 2;
	struct mta_reply	 r;
	char			*raw;
	int			 rc;

	raw = xmalloc(len);
	raw[0] = '\0';
	memcpy(raw + 1, u, ul);
	raw[ul + 1] = '\0';
	memcpy(raw + ul + 2, p, pl);
	rc = mta_cmd_secret(s, "AUTH PLAIN ", raw, len, "AUTH PLAIN ****");
	explicit_bzero(raw, len);
	free(raw);
	if (rc != 0 || mta_read(s, &r) != 0)
		return (mta_fail_io(s, f));
	return (mta_auth_done(s, &r, f));
}

/* AUTH LOGIN: user name and password, each after a 334. */
static int
mta_auth_login(struct mta_session *s, struct mta_fail *f)
{
	const char		*u = s->sc->auth_username;
	const char		*p = s->sc->auth_password;
	struct mta_reply	 r;

	if (mta_cmd(s, "AUTH LOGIN") != 0 || mta_read(s, &r) != 0)
		return (mta_fail_io(s, f));
	if (r.code != 334)
		return (mta_fail_reply(f, &r, true));
	if (mta_cmd_secret(s, "", u, strlen(u), "****") != 0 ||
	    mta_read(s, &r) != 0)
		return (mta_fail_io(s, f));
	if (r.code != 334)
		return (mta_auth_done(s, &r, f));
	if (mta_cmd_secret(s, "", p, strlen(p), "****") != 0 ||
	    mta_read(s, &r) != 0)
		return (mta_fail_io(s, f));
	return (mta_auth_done(s, &r, f));
}

/* 235 is success; a server still asking (334) is cancelled with "*". */
static int
mta_auth_done(struct mta_session *s, struct mta_reply *r, struct mta_fail *f)
{
	struct mta_reply	cancel;

	if (r->code == 235)
		return (0);
	if (r->code == 334 && (mta_cmd(s, "*") != 0 ||
	    mta_read(s, &cancel) != 0))
		return (mta_fail_io(s, f));
	return (mta_fail_reply(f, r, true));
}

/* ------------------------------------------------------------------ */
/* The line protocol. */

/* QUIT (best effort, briefly) when the stream allows it, and close. */
static void
mta_hangup(struct mta_session *s, bool quit)
{
	struct mta_reply	r;

	if (!s->connected)
		return;
	if (quit && !s->broken) {
		if (s->io.timeout_ms < 0 || s->io.timeout_ms > MTA_QUIT_MS)
			s->io.timeout_ms = MTA_QUIT_MS;
		if (mta_cmd(s, "QUIT") == 0)
			(void)mta_read(s, &r);
	}
	io_close(&s->io);
	s->connected = false;
	s->tls.active = false;
}

/* Send one command line. */
static int
mta_cmd(struct mta_session *s, const char *fmt, ...)
{
	va_list	ap;

	buf_reset(&s->out);
	va_start(ap, fmt);
	buf_vaddf(&s->out, fmt, ap);
	va_end(ap);
	buf_add(&s->out, "\r\n", 2);
	return (mta_write(s));
}

/*
 * Send prefix and the base64 of a secret in one line; the trace shows
 * only "shown".  The line is built in an exact-size buffer (no copy left
 * behind by a realloc) and wiped.
 */
static int
mta_cmd_secret(struct mta_session *s, const char *prefix, const char *raw,
    size_t rawlen, const char *shown)
{
	struct buf	*trace = s->io.trace;
	size_t		 plen = strlen(prefix);
	size_t		 blen = BASE64_LEN(rawlen);
	size_t		 len = plen + blen + 2;
	enum io_status	 ios;
	char		*line;

	line = xmalloc(len + 1);
	memcpy(line, prefix, plen);
	base64_encode(line + plen, raw, rawlen);
	memcpy(line + plen + blen, "\r\n", 3);
	s->io.trace = NULL;
	ios = io_write(&s->io, line, len);
	s->io.trace = trace;
	explicit_bzero(line, len + 1);
	free(line);
	if (trace != NULL)
		buf_addf(trace, "> %s\n", shown);
	return (ios == IO_OK ? 0 : mta_ioerr(s, ios));
}

/* Write s->out and empty it. */
static int
mta_write(struct mta_session *s)
{
	enum io_status	ios;

	mta_clamp(s);
	ios = io_write(&s->io, s->out.s, s->out.len);
	buf_reset(&s->out);
	return (ios == IO_OK ? 0 : mta_ioerr(s, ios));
}

/* Read one reply, every line of it (kept in s->lines); -1: s->err. */
static int
mta_read(struct mta_session *s, struct mta_reply *r)
{
	enum io_status	 ios;
	size_t		 nlines = 0;
	bool		 last = false;
	int		 code;

	buf_reset(&s->lines);
	r->code = 0;
	r->text[0] = '\0';
	while (!last) {
		mta_clamp(s);
		ios = io_getline(&s->io, &s->line, MTA_LINE_MAX);
		if (ios != IO_OK)
			return (mta_ioerr(s, ios));
		if (mta_reply_line(s->line.s, s->line.len, &code, &last) != 0 ||
		    (nlines > 0 && code != r->code) ||
		    ++nlines > MTA_REPLY_LINES) {
			snprintf(s->err, sizeof s->err, "malformed SMTP reply");
			return (-1);
		}
		r->code = code;
		buf_add(&s->lines, s->line.s, s->line.len);
		buf_addc(&s->lines, '\n');
		mta_reply_text(r, s->line.s, s->line.len, nlines == 1);
	}
	return (0);
}

/* "250-text", "250 text" or "250": the code and whether it is the last. */
static int
mta_reply_line(const char *l, size_t len, int *code, bool *last)
{
	if (len < 3 || l[0] < '2' || l[0] > '5' || l[1] < '0' ||
	    l[1] > '9' || l[2] < '0' || l[2] > '9')
		return (-1);
	if (len > 3 && l[3] != ' ' && l[3] != '-')
		return (-1);
	*code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	*last = len == 3 || l[3] == ' ';
	return (0);
}

/*
 * Join the lines: the first whole, the others' text after a space.  The
 * text comes from the peer and goes to logs and reports: printable
 * ASCII only.
 */
static void
mta_reply_text(struct mta_reply *r, const char *l, size_t len, bool first)
{
	size_t	n = strlen(r->text), i;

	if (!first) {
		if (len <= 4)
			return;
		l += 4;
		len -= 4;
		if (n + 1 < sizeof r->text)
			r->text[n++] = ' ';
	}
	for (i = 0; i < len && n + 1 < sizeof r->text; i++) {
		r->text[n++] = (unsigned char)l[i] < 0x20 ||
		    (unsigned char)l[i] > 0x7e ? '?' : l[i];
	}
	r->text[n] = '\0';
}

/* Name an I/O failure in s->err; returns -1. */
static int
mta_ioerr(struct mta_session *s, enum io_status ios)
{
	const char	*why;

	switch (ios) {
	case IO_EOF:
		why = "connection closed by the remote host";
		break;
	case IO_TIMEOUT:
		why = "timed out";
		break;
	case IO_TOOLONG:
		why = "reply line too long";
		break;
	default:
		why = "I/O error";
		break;
	}
	snprintf(s->err, sizeof s->err, "%s", why);
	return (-1);
}

static int
mta_fail_io(struct mta_session *s, struct mta_fail *f)
{
	return (mta_fail_text(f, MTA_FAIL_SOCKET, false, "%s", s->err));
}

static int
mta_fail_reply(struct mta_fail *f, const struct mta_reply *r, bool quit)
{
	return (mta_fail_text(f, MTA_FAIL_REPLY, quit, "%s", r->text));
}

/*
 * Fill f, its class from its kind (mta_tls_verdict sets the policy's);
 * returns -1 so failures read as "return (mta_fail_...)".
 */
static int
mta_fail_text(struct mta_fail *f, enum mta_fail_kind kind, bool quit,
    const char *fmt, ...)
{
	va_list	ap;

	f->kind = kind;
	f->class = kind == MTA_FAIL_SOCKET ? FAIL_CONNECT : kind ==
	    MTA_FAIL_TLSNEG ? FAIL_HANDSHAKE : FAIL_SMTP;
	f->quit = quit;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof f->text, fmt, ap);
	va_end(ap);
	return (-1);
}

static void
mta_status_set(struct mta_status *st, int code, const char *fmt, ...)
{
	va_list	ap;

	st->code = code;
	va_start(ap, fmt);
	vsnprintf(st->text, sizeof st->text, fmt, ap);
	va_end(ap);
}

static void
mta_status_reply(struct mta_status *st, const struct mta_reply *r)
{
	st->code = r->code;
	snprintf(st->text, sizeof st->text, "%s", r->text);
}

/*
 * Every host failed: Exchange's failover text around the last reason.
 * A host's failure is always transient, even a 5xx greeting: another
 * host or a later try may do better, and only the server's answer to
 * the mail itself decides a recipient's fate.
 */
static void
mta_status_failover(struct mta_status *st, const struct mta_fail *f,
    const char *peer)
{
	st->class = f->class;
	if (f->kind == MTA_FAIL_SOCKET)
		mta_status_set(st, 441, "%s\"%.200s.\" %s The last endpoint "
		    "attempted was %s", MTA_SOCKET_ERR, f->text, MTA_FAILOVER,
		    peer);
	else
		mta_status_set(st, 451, "451 4.4.0 Primary target IP address "
		    "responded with: \"%.200s.\" %s The last endpoint "
		    "attempted was %s", f->text, MTA_FAILOVER, peer);
}

/* A line of our own in the protocol log ("* ..."). */
static void
mta_trace_note(struct mta_session *s, const char *fmt, ...)
{
	va_list	ap;

	if (s->protolog == NULL)
		return;
	buf_adds(s->protolog, "* ");
	va_start(ap, fmt);
	buf_vaddf(s->protolog, fmt, ap);
	va_end(ap);
	buf_addc(s->protolog, '\n');
}

/* One line per failed host: connector, host, address, reason. */
static void
mta_log_host(const struct mta_session *s, const struct mta_fail *f)
{
	log_info("mta: connector \"%s\" domain %s host %s [%s] tls %s: "
	    "failed: %s", s->sc->name, s->domain, s->host, s->peer,
	    s->pol.label, f->text);
}

/* One line per session, at its close. */
static void
mta_log_session(const struct mta_session *s)
{
	log_info("mta: connector \"%s\" domain %s host %s [%s] tls %s%s%s%s%s "
	    "(%s): %d transaction%s, %s", s->sc->name, s->domain, s->host,
	    s->peer, s->tls.active ? s->tls.version : "none",
	    s->tls.active ? " " : "", s->tls.active ? s->tls.cipher : "",
	    s->tls.active ? " " : "", s->tls.active ? s->tls.verify : "",
	    s->pol.label, s->count, s->count == 1 ? "" : "s",
	    s->broken ? "connection lost" : "closed");
}

/* "192.0.2.1:25" or "[2001:db8::1]:25". */
static void
mta_peer_format(const struct sockaddr_storage *ss, char *out, size_t len)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	char				 ip[INET6_ADDRSTRLEN];

	sin = (const struct sockaddr_in *)ss;
	sin6 = (const struct sockaddr_in6 *)ss;
	if (ss->ss_family == AF_INET &&
	    inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip) != NULL)
		snprintf(out, len, "%s:%u", ip, ntohs(sin->sin_port));
	else if (ss->ss_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof ip) != NULL)
		snprintf(out, len, "[%s]:%u", ip, ntohs(sin6->sin6_port));
	else
		snprintf(out, len, "(unknown address)");
}

/* A copy without the trailing dot of a rooted name. */
static char *
mta_strip_dot(const char *name)
{
	size_t	len;

	if (name == NULL)
		return (xstrdup(""));
	len = strlen(name);
	if (len > 1 && name[len - 1] == '.')
		len--;
	return (xstrndup(name, len));
}

static bool
mta_nonempty(const char *s)
{
	return (s != NULL && *s != '\0');
}

/* A timeout of ms, cut to what is left before the session's deadline. */
static int
mta_timeout(const struct mta_session *s, int ms)
{
	int	left;

	if (s->deadline == INT64_MAX)
		return (ms);
	left = io_remaining(s->deadline);
	return (ms < 0 || left < ms ? left : ms);
}

/* Cut the stream's timeout to the session's deadline, if it has one. */
static void
mta_clamp(struct mta_session *s)
{
	if (s->deadline != INT64_MAX)
		s->io.timeout_ms = mta_timeout(s, s->io.timeout_ms);
}

/* Seconds to a poll timeout: at least 1 s, at most a day. */
static int
mta_ms(int64_t secs)
{
	if (secs < 1)
		secs = 1;
	if (secs > 86400)
		secs = 86400;
	return ((int)secs * 1000);
}

/* xtext (RFC 3461 4): '+', '=', controls, space and 8-bit as +XX. */
static void
mta_xtext(struct buf *b, const char *s)
{
	unsigned char	c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c > ' ' && c < 0x7f && c != '+' && c != '=')
			buf_addc(b, (char)c);
		else
			buf_addf(b, "+%02X", c);
	}
}

/*
 * An address we put between < and > on a command line: no control
 * character (CR or LF would start a command of its own) and no angle
 * bracket.  Intake checks this too; this is the last line.
 */
static bool
mta_addr_ok(const char *a)
{
	const unsigned char	*p;

	if (a == NULL || strlen(a) > 1000)
		return (false);
	for (p = (const unsigned char *)a; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '<' || *p == '>')
			return (false);
	}
	return (true);
}

/* ------------------------------------------------------------------ */
/* Sending. */

/*
 * One transaction: MAIL, RCPT for each recipient, DATA.  rst[i] is final
 * for every recipient on return: 2xx delivered, 4xx retry, 5xx failed.
 * *st is the transaction's own outcome (2xx when the server took the
 * message for someone).  -1: the session is unusable, close it.  The
 * caller enforces SmtpMaxMessagesPerConnection: it closes the session
 * once mta_session_count() reaches it.
 */
int
mta_send(struct mta_session *s, const struct spool_msg *msg,
    const char *body, size_t len, const char **rcpts, size_t n,
    struct mta_status *rst, struct mta_status *st)
{
	struct mta_txn	t;
	int		rc;

	memset(&t, 0, sizeof t);
	t.msg = msg;
	t.body = body;
	t.len = len;
	t.rcpts = rcpts;
	t.n = n;
	t.rst = rst;
	t.st = st;
	t.state = xcalloc(n > 0 ? n : 1, sizeof *t.state);
	rc = mta_txn_check(s, &t);
	if (rc == 0) {
		s->count++;
		if (s->caps.pipelining)
			rc = mta_txn_pipelined(s, &t);
		else
			rc = mta_txn_serial(s, &t);
	}
	free(t.state);
	if (rc < 0) {
		s->broken = true;
		return (-1);
	}
	return (0);
}

/*
 * Before MAIL: the session is sound, TLS is there when required, the
 * server's SIZE allows the message, the addresses are safe to send.
 * 0: go on; 1: every recipient has its answer; -1: session unusable.
 */
static int
mta_txn_check(struct mta_session *s, struct mta_txn *t)
{
	struct mta_status	all;
	size_t			i, ok = 0;

	if (!s->connected || s->broken)
		mta_status_set(&all, 421, "421 4.4.2 Connection dropped");
	else if (mta_tls_guard(s, NULL) != 0)
		mta_status_set(&all, 451, "%s", s->pol.fail);
	else {
		for (i = 0; i < t->n; i++) {
			if (mta_addr_ok(t->rcpts[i]))
				ok++;
			else {
				mta_status_set(&t->rst[i], 550, "550 5.1.3 "
				    "Invalid recipient address");
				t->state[i] = MTA_R_DONE;
				*t->st = t->rst[i];
			}
		}
		if (s->caps.size_max > 0 && (int64_t)t->len > s->caps.size_max)
			mta_status_set(&all, 552, "552 5.3.4 Message size "
			    "exceeds fixed maximum message size");
		else if (t->msg->requiretls &&
		    mta_requiretls(s, &all) != 0)
			;	/* all says why */
		else if (!mta_addr_ok(t->msg->sender))
			mta_status_set(&all, 550, "550 5.1.7 Invalid sender "
			    "address");
		else
			return (ok > 0 ? 0 : 1);
		mta_txn_all(t, &all);
		return (1);
	}
	mta_txn_all(t, &all);
	return (-1);
}

/*
 * May a REQUIRETLS message (RFC 8689 4.2) go over this session?  Only
 * over TLS that was authenticated: DANE matched, or the connector
 * validates certificates (CertificateValidation, DomainValidation); and
 * only to a host that takes the demand on (REQUIRETLS in its EHLO).
 * Else the message is returned: -1 with *st the reason.
 */
static int
mta_requiretls(struct mta_session *s, struct mta_status *st)
{
	if (!s->tls.active ||
	    !(s->info.dane_ok || TLS_MUST_PKIX(s->pol.level))) {
		mta_status_set(st, 550, "550 5.7.10 REQUIRETLS: the session "
		    "with %s is not authenticated TLS (DANE, MTA-STS enforce, "
		    "or a connector that validates certificates)", s->host);
		return (-1);
	}
	if (!s->caps.requiretls) {
		mta_status_set(st, 550, "550 5.7.30 REQUIRETLS support "
		    "required: %s does not offer REQUIRETLS", s->host);
		return (-1);
	}
	return (0);
}

/*
 * RFC 2920: MAIL, every RCPT and DATA in one write, the replies read in
 * order.  STARTTLS never comes here: it was sent alone.
 */
static int
mta_txn_pipelined(struct mta_session *s, struct mta_txn *t)
{
	struct mta_reply	mail, r;
	size_t			i;

	buf_reset(&s->out);
	mta_mail_line(s, t);
	for (i = 0; i < t->n; i++) {
		if (t->state[i] == MTA_R_PENDING)
			mta_rcpt_line(s, t, i);
	}
	buf_add(&s->out, "DATA\r\n", 6);
	if (mta_write(s) != 0 || mta_read(s, &mail) != 0)
		return (mta_txn_lost(s, t, NULL));
	if (mail.code == 421)
		return (mta_txn_lost(s, t, &mail));
	if (mail.code / 100 != 2)
		mta_status_reply(t->st, &mail);
	for (i = 0; i < t->n; i++) {
		if (t->state[i] != MTA_R_PENDING)
			continue;
		if (mta_read(s, &r) != 0)
			return (mta_txn_lost(s, t, NULL));
		if (r.code == 421)
			return (mta_txn_lost(s, t, &r));
		/* MAIL refused: its reply is every recipient's. */
		mta_txn_rcpt(t, i, mail.code / 100 == 2 ? &r : &mail);
	}
	if (mta_read(s, &r) != 0)
		return (mta_txn_lost(s, t, NULL));
	if (r.code == 421)
		return (mta_txn_lost(s, t, &r));
	return (mta_txn_data(s, t, &r));
}

/* Without PIPELINING: each command waits for its reply. */
static int
mta_txn_serial(struct mta_session *s, struct mta_txn *t)
{
	struct mta_reply	r;
	size_t			i;

	buf_reset(&s->out);
	mta_mail_line(s, t);
	if (mta_write(s) != 0 || mta_read(s, &r) != 0)
		return (mta_txn_lost(s, t, NULL));
	if (r.code == 421)
		return (mta_txn_lost(s, t, &r));
	if (r.code / 100 != 2) {
		mta_txn_final(t, &r);
		return (0);
	}
	for (i = 0; i < t->n; i++) {
		if (t->state[i] != MTA_R_PENDING)
			continue;
		buf_reset(&s->out);
		mta_rcpt_line(s, t, i);
		if (mta_write(s) != 0 || mta_read(s, &r) != 0)
			return (mta_txn_lost(s, t, NULL));
		if (r.code == 421)
			return (mta_txn_lost(s, t, &r));
		mta_txn_rcpt(t, i, &r);
	}
	if (t->accepted == 0)
		return (mta_txn_rset(s));
	if (mta_cmd(s, "DATA") != 0 || mta_read(s, &r) != 0)
		return (mta_txn_lost(s, t, NULL));
	if (r.code == 421)
		return (mta_txn_lost(s, t, &r));
	return (mta_txn_data(s, t, &r));
}

/* MAIL FROM with SIZE, BODY and the DSN parameters the server takes. */
static void
mta_mail_line(struct mta_session *s, struct mta_txn *t)
{
	const struct spool_msg	*m = t->msg;

	buf_addf(&s->out, "MAIL FROM:<%s>", m->sender);
	if (s->caps.size)
		buf_addf(&s->out, " SIZE=%zu", t->len);
	if (s->caps.eightbit)
		buf_adds(&s->out, " BODY=8BITMIME");
	if (s->caps.dsn && m->ret_hdrs)
		buf_adds(&s->out, " RET=HDRS");
	if (s->caps.dsn && mta_nonempty(m->envid)) {
		buf_adds(&s->out, " ENVID=");
		mta_xtext(&s->out, m->envid);
	}
	if (m->requiretls)
		buf_adds(&s->out, " REQUIRETLS");
	buf_add(&s->out, "\r\n", 2);
}

/* RCPT TO with NOTIFY and ORCPT when the server takes DSN. */
static void
mta_rcpt_line(struct mta_session *s, struct mta_txn *t, size_t i)
{
	const struct spool_rcpt	*r;
	const char		*semi;

	buf_addf(&s->out, "RCPT TO:<%s>", t->rcpts[i]);
	if (s->caps.dsn && (r = mta_msg_rcpt(t->msg, t->rcpts[i])) != NULL) {
		if (r->notify & (SPOOL_NOTIFY_NEVER | SPOOL_NOTIFY_SUCCESS |
		    SPOOL_NOTIFY_FAILURE | SPOOL_NOTIFY_DELAY))
			mta_notify(&s->out, r->notify);
		/* ORCPT is kept decoded ("rfc822;addr"): xtext it. */
		if (mta_nonempty(r->orcpt) &&
		    (semi = strchr(r->orcpt, ';')) != NULL &&
		    semi > r->orcpt && mta_addr_ok(r->orcpt)) {
			buf_addf(&s->out, " ORCPT=%.*s;",
			    (int)(semi - r->orcpt), r->orcpt);
			mta_xtext(&s->out, semi + 1);
		}
	}
	buf_add(&s->out, "\r\n", 2);
}

/* " NOTIFY=NEVER" or " NOTIFY=SUCCESS,FAILURE,DELAY" (a subset). */
static void
mta_notify(struct buf *b, int nf)
{
	const char	*sep = "=";

	buf_adds(b, " NOTIFY");
	if (nf & SPOOL_NOTIFY_NEVER) {
		buf_adds(b, "=NEVER");
		return;
	}
	if (nf & SPOOL_NOTIFY_SUCCESS) {
		buf_addf(b, "%sSUCCESS", sep);
		sep = ",";
	}
	if (nf & SPOOL_NOTIFY_FAILURE) {
		buf_addf(b, "%sFAILURE", sep);
		sep = ",";
	}
	if (nf & SPOOL_NOTIFY_DELAY)
		buf_addf(b, "%sDELAY", sep);
}

/* The spool's recipient of that address, for its DSN parameters. */
static const struct spool_rcpt *
mta_msg_rcpt(const struct spool_msg *m, const char *addr)
{
	size_t	i;

	for (i = 0; i < m->nrcpts; i++) {
		if (m->rcpts[i].addr != NULL &&
		    strcmp(m->rcpts[i].addr, addr) == 0)
			return (&m->rcpts[i]);
	}
	return (NULL);
}

/* Record the reply to recipient i's RCPT. */
static void
mta_txn_rcpt(struct mta_txn *t, size_t i, const struct mta_reply *r)
{
	mta_status_reply(&t->rst[i], r);
	if (r->code / 100 == 2) {
		t->state[i] = MTA_R_ACCEPTED;
		t->accepted++;
	} else {
		t->state[i] = MTA_R_DONE;
		*t->st = t->rst[i];
	}
}

/* After the reply to DATA: the body, or no body and RSET. */
static int
mta_txn_data(struct mta_session *s, struct mta_txn *t,
    const struct mta_reply *data)
{
	struct mta_reply	r;

	if (t->accepted == 0) {
		/*
		 * Nobody to send to, yet the server said 354 (pipelining):
		 * end the DATA at once with a lone dot (RFC 2920 3.1).
		 */
		if (data->code == 354 &&
		    (mta_cmd(s, ".") != 0 || mta_read(s, &r) != 0))
			return (mta_txn_lost(s, t, NULL));
		return (mta_txn_rset(s));
	}
	if (data->code != 354) {
		mta_txn_final(t, data);
		return (mta_txn_rset(s));
	}
	if (mta_body(s, t->body, t->len) != 0 || mta_read(s, &r) != 0)
		return (mta_txn_lost(s, t, NULL));
	mta_txn_final(t, &r);
	if (r.code == 421)
		return (-1);
	return (0);
}

/* End a transaction that sent no message; 0, or -1 if the stream broke. */
static int
mta_txn_rset(struct mta_session *s)
{
	struct mta_reply	r;

	if (mta_cmd(s, "RSET") != 0 || mta_read(s, &r) != 0)
		return (-1);
	return (r.code / 100 == 2 ? 0 : -1);
}

/* Every recipient still open takes reply r; so does the transaction. */
static void
mta_txn_final(struct mta_txn *t, const struct mta_reply *r)
{
	size_t	i;

	for (i = 0; i < t->n; i++) {
		if (t->state[i] == MTA_R_DONE)
			continue;
		mta_status_reply(&t->rst[i], r);
		t->state[i] = MTA_R_DONE;
	}
	mta_status_reply(t->st, r);
}

static void
mta_txn_all(struct mta_txn *t, const struct mta_status *st)
{
	size_t	i;

	for (i = 0; i < t->n; i++) {
		if (t->state[i] == MTA_R_DONE)
			continue;
		t->rst[i] = *st;
		t->state[i] = MTA_R_DONE;
	}
	*t->st = *st;
}

/*
 * The session ended under the transaction (421, I/O error, timeout):
 * every recipient without an answer gets a 4xx and is retried.  After
 * the final dot the message may have arrived all the same (RFC 5321
 * 4.1.1.4): a retry can then duplicate it, which is better than a loss.
 */
static int
mta_txn_lost(struct mta_session *s, struct mta_txn *t,
    const struct mta_reply *r)
{
	struct mta_status	st;

	if (r != NULL)
		mta_status_reply(&st, r);
	else
		mta_status_set(&st, 421, "421 4.4.2 Connection dropped: %s "
		    "(%s)", s->err, s->peer);
	mta_txn_all(t, &st);
	return (-1);
}

/*
 * The body after 354, then the end of DATA.  Line endings are made
 * canonical before dot-stuffing so that no bare CR or LF can end the
 * DATA phase at a lenient next hop (SMTP smuggling): CRLF stays, a bare
 * LF becomes CRLF (a Unix file's line end), a bare CR becomes a space
 * (Postfix's cleanup_replace_stray_cr_lf).  A line starting with "." is
 * stuffed.  Written in large chunks; the protocol log gets one note.
 */
static int
mta_body(struct mta_session *s, const char *body, size_t len)
{
	struct buf	*trace = s->io.trace;
	size_t		 i = 0, j;
	bool		 bol = true;
	int		 rc = 0;

	s->io.trace = NULL;
	buf_reset(&s->out);
	while (rc == 0 && i < len) {
		for (j = i; j < len && body[j] != '\r' && body[j] != '\n'; j++)
			;
		if (j > i) {
			if (bol && body[i] == '.')
				rc = mta_body_add(s, ".", 1);
			if (rc == 0)
				rc = mta_body_add(s, body + i, j - i);
			bol = false;
		}
		if (rc != 0 || j == len)
			break;
		if (body[j] == '\r' && (j + 1 == len || body[j + 1] != '\n')) {
			rc = mta_body_add(s, " ", 1);
			bol = false;
			i = j + 1;
		} else {
			rc = mta_body_add(s, "\r\n", 2);
			bol = true;
			i = j + (body[j] == '\r' ? 2 : 1);
		}
	}
	if (rc == 0 && !bol)
		rc = mta_body_add(s, "\r\n", 2);
	if (rc == 0)
		rc = mta_body_add(s, ".\r\n", 3);
	if (rc == 0 && s->out.len > 0)
		rc = mta_write(s);
	s->io.trace = trace;
	mta_trace_note(s, "<message body, %zu bytes>", len);
	if (trace != NULL && rc == 0)
		buf_adds(trace, "> .\n");
	return (rc);
}

/* Queue body bytes; a full chunk (or a long line) goes out at once. */
static int
mta_body_add(struct mta_session *s, const char *p, size_t n)
{
	enum io_status	ios;

	if (s->out.len + n > MTA_CHUNK && s->out.len > 0 && mta_write(s) != 0)
		return (-1);
	if (n >= MTA_CHUNK) {
		ios = io_write(&s->io, p, n);
		return (ios == IO_OK ? 0 : mta_ioerr(s, ios));
	}
	buf_add(&s->out, p, n);
	return (0);
}

/* ------------------------------------------------------------------ */
/* Test-SendConnector: the next hops as a delivery meets them. */

int
mta_probe_hops(const struct mta_dest *d, struct mta_hop **hops,
    size_t *nhops, struct mta_probe *p)
{
	struct mta_session	*s;
	struct mta_status	 st;
	int			 rc;

	*hops = NULL;
	*nhops = 0;
	memset(p, 0, sizeof *p);
	s = mta_session_new(d);
	s->tag = "probe";
	s->probe = true;
	rc = mta_policy(s, &st);
	tls_policy_words(s->sc, s->domain, p->policy, sizeof p->policy);
	if (rc == 0)
		rc = SC_DNS_ROUTING(s->sc) ? mta_hops_mx(s, &st) :
		    mta_hops_smart(s, &st);
	if (rc == 0) {
		*hops = s->hops;
		*nhops = s->nhops;
		s->hops = NULL;
		s->nhops = 0;
	} else {
		snprintf(p->response, sizeof p->response, "%s", st.text);
		snprintf(p->error, sizeof p->error, "%s",
		    s->dns_err[0] != '\0' ? s->dns_err : st.text);
	}
	mta_session_free(s);
	return (rc);
}

void
mta_hops_free(struct mta_hop *hops, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(hops[i].name);
	free(hops);
}

void
mta_probe_hop(const struct mta_dest *d, const struct mta_hop *hop,
    int64_t deadline, struct mta_probe *p)
{
	struct mta_session	*s;
	struct mta_status	 st;
	struct mta_fail		 f;
	struct mta_hop		 h = *hop;
	int			 rc;

	memset(p, 0, sizeof *p);
	s = mta_session_new(d);
	s->tag = "probe";
	s->probe = true;
	s->deadline = deadline;
	rc = mta_policy(s, &st);
	tls_policy_words(s->sc, s->domain, p->policy, sizeof p->policy);
	mta_peer_format(&h.addr, p->peer, sizeof p->peer);
	if (rc != 0) {
		snprintf(p->response, sizeof p->response, "%s", st.text);
		mta_session_free(s);
		return;
	}
	h.tls_failed = false;
	rc = mta_probe_try(s, &h, false, p, &f);
	/*
	 * mta_open's plaintext pass: after an opportunistic handshake
	 * failed, a delivery comes back to this host without STARTTLS.
	 */
	if (rc != 0 && f.kind == MTA_FAIL_TLSNEG &&
	    s->dest.level == TLS_LEV_MAY)
		rc = mta_probe_try(s, &h, true, p, &f);
	mta_probe_verdict(rc, &f, p);
	mta_session_free(s);
}

void
mta_probe_clear(struct mta_probe *p)
{
	size_t	i;

	tls_peer_clear(&p->cert);
	for (i = 0; i < p->ntlsa; i++)
		free(p->tlsa[i]);
	free(p->tlsa);
	p->tlsa = NULL;
	p->ntlsa = 0;
	for (i = 0; i < p->nsts_mx; i++)
		free(p->sts_mx[i]);
	free(p->sts_mx);
	p->sts_mx = NULL;
	p->nsts_mx = 0;
}

/* The MTA-STS policy in force for the host's domain, and its verdict. */
static void
mta_probe_sts(struct mta_session *s, struct mta_probe *p)
{
	size_t	i;

	if (!s->sts.have || p->nsts_mx > 0)
		return;
	snprintf(p->sts, sizeof p->sts, "%s, id %s (%s)",
	    sts_mode_name(s->sts.pol.mode), s->sts.id, s->sts_domain);
	p->sts_mx = xcalloc(s->sts.pol.nmx > 0 ? s->sts.pol.nmx : 1,
	    sizeof *p->sts_mx);
	for (i = 0; i < s->sts.pol.nmx; i++)
		p->sts_mx[p->nsts_mx++] = xstrdup(s->sts.pol.mx[i]);
	p->sts_allowed = s->pol.sts_match;
}

/* What DNS said of h for DANE, and its TLSA records in presentation. */
static void
mta_probe_dane(struct mta_session *s, const struct mta_hop *h,
    struct mta_probe *p)
{
	struct buf		 b;
	size_t			 i;

	if (s->sc->smtp_dane_mode == SC_DANE_NONE) {
		p->dane = "Off";
		return;
	}
	if (h->literal || h->host_sec != DNSSEC_SECURE) {
		p->dane = "NotSecure";
		return;
	}
	p->dane = s->dane == TLS_DANE_RECORDS ? "Records" :
	    s->dane == TLS_DANE_FAILED ? "LookupFailed" : "NoRecords";
	if (s->dane != TLS_DANE_RECORDS || p->ntlsa > 0)
		return;
	p->tlsa = xcalloc(s->tlsa.n, sizeof *p->tlsa);
	for (i = 0; i < s->tlsa.n; i++) {
		buf_init(&b);
		tlsa_rr_text(&b, &s->tlsa.v[i], 64);
		p->tlsa[p->ntlsa++] = buf_detach(&b);
	}
}

/*
 * One attempt as mta_try makes it, but for AUTH: connect and the shared
 * steps; then what the probe reports is taken before QUIT ends it.
 */
static int
mta_probe_try(struct mta_session *s, struct mta_hop *h, bool plain,
    struct mta_probe *p, struct mta_fail *f)
{
	int	rc;

	rc = mta_host_policy(s, h, f);
	mta_probe_dane(s, h, p);
	mta_probe_sts(s, p);
	if (rc != 0 || mta_connect(s, h, f) != 0) {
		snprintf(p->error, sizeof p->error, "%s", f->text);
		return (-1);
	}
	p->connected = true;
	rc = mta_ready(s, h, plain, f);
	snprintf(p->banner, sizeof p->banner, "%s", s->banner);
	if (!plain)
		p->starttls = s->offered_tls;
	/* Established, even if the policy then refused it. */
	if (s->io.tls != NULL)
		mta_probe_tls(s, p);
	if (rc != 0)
		snprintf(p->error, sizeof p->error, "%s",
		    s->tls_err[0] != '\0' ? s->tls_err : f->text);
	else if (s->tls.active)
		snprintf(p->response, sizeof p->response, "%s %s, %s",
		    s->tls.version, s->tls.cipher,
		    strcmp(s->tls.verify, "none") == 0 ? "opportunistic" :
		    s->tls.verify);
	else
		snprintf(p->response, sizeof p->response, "Plaintext (%s)",
		    s->pol.level == TLS_LEV_NONE ? "IgnoreSTARTTLS" :
		    "opportunistic");
	mta_hangup(s, rc == 0 || f->quit);
	return (rc);
}

/*
 * The session's TLS, its certificate, and the level it would meet with
 * the names DomainValidation would take, whatever the connector's level.
 */
static void
mta_probe_tls(struct mta_session *s, struct mta_probe *p)
{
	tls_peer_clear(&p->cert);
	p->tls = true;
	snprintf(p->version, sizeof p->version, "%s", s->info.version);
	snprintf(p->cipher, sizeof p->cipher, "%s", s->info.cipher);
	tls_conn_peer(s->io.tls, s->pol.names, s->pol.nnames, &p->cert);
	p->met = tls_level_met(s->info.proto, p->cert.chain_ok,
	    p->cert.matched != NULL);
	if (s->info.dane_ok)
		snprintf(p->tlsa_match, sizeof p->tlsa_match, "%s",
		    s->info.dane_match);
}

/*
 * Pass or fail, and the reply that ended the attempt: the text a
 * delivery quotes in its failover LastError for this host.
 */
static void
mta_probe_verdict(int rc, const struct mta_fail *f, struct mta_probe *p)
{
	p->pass = rc == 0;
	if (rc == 0)
		return;
	if (f->kind == MTA_FAIL_SOCKET)
		snprintf(p->response, sizeof p->response, "%s\"%.200s.\"",
		    MTA_SOCKET_ERR, f->text);
	else
		snprintf(p->response, sizeof p->response, "%s", f->text);
	/* A refusal of the policy's own is said by the response alone. */
	if (strcmp(p->error, p->response) == 0)
		p->error[0] = '\0';
}

/* ------------------------------------------------------------------ */
/* The rest of the interface. */

const struct mta_tls *
mta_session_tls(const struct mta_session *s)
{
	return (&s->tls);
}

const char *
mta_session_peer(const struct mta_session *s)
{
	return (s->peer);
}

bool
mta_session_relaxed(const struct mta_session *s)
{
	return (s->relaxed);
}

int
mta_session_count(const struct mta_session *s)
{
	return (s->count);
}

/*
 * QUIT if the session is sound, one log line, and free.  The QUIT is
 * not traced: the caller may have written out (and freed) the protocol
 * log of its last message already.
 */
void
mta_close(struct mta_session *s)
{
	if (s == NULL)
		return;
	if (s->connected) {
		mta_log_session(s);
		s->io.trace = NULL;
		mta_hangup(s, !s->broken);
	}
	mta_session_free(s);
}
