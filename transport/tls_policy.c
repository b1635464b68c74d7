/*
 * tls_policy.c - the one place of hubd's outbound TLS policy: what a
 * Send connector requires of the hosts of one destination, and the
 * verdict on what a host did (exchange-semantics 5).
 *
 * tls_policy_init() reads the connector's settings (IgnoreSTARTTLS,
 * RequireTLS, TlsAuthLevel, TlsDomain, SmartHostAuthMechanism) and the
 * destination domain into a level, ordered as Postfix's TLS_LEV_*, the
 * names a certificate must match and the replies of a host that fails;
 * settings that cannot be met are refused with a 4xx before any host is
 * tried.  tls_policy_words() says the same in words, for
 * Test-SendConnector only.
 *
 * tls_policy_host() raises that policy for one host by what the host
 * and its domain publish (struct tls_policy_ext): DANE (RFC 7672), per
 * the connector's SmtpDaneMode, else MTA-STS (RFC 8461), per its
 * MtaStsMode.  The connector's policy is a floor: they add demands (TLS,
 * a TLSA match; a verified chain naming the MX host) and never take one
 * away.  A host whose TLSA lookup failed is not used (a failed lookup
 * must not pass for "no records"), nor under Mandatory is one without
 * usable records, nor under an enforced MTA-STS policy one that is not
 * among its mx.  Where DANE applies, MTA-STS does not (RFC 8461 2).
 *
 * tls_policy_decide() takes what a host did, as far as it got (STARTTLS
 * offered, the reply to it, the handshake, the protocol, the chain, the
 * names), and says what mta.c does next: send STARTTLS, go on in TLS, go
 * on in plain text, or fail this host with a reply, either a refusal of
 * the policy or a failed opportunistic negotiation that allows a
 * plaintext pass.  mta.c executes the verdict; probe.c reports it.
 *
 * Pure: no I/O, no DNS, no clock, no OpenSSL (tls.c does the handshake
 * and reports its facts in struct tls_info).  tests/unit/tls_policy_test
 * runs every setting against every peer behaviour offline.
 *
 * Invariants:
 *	- A required level never yields TLS_ACT_PLAIN: every path that did
 *	  not establish a session meeting the level fails the host.
 *	- A host policy's level is never below its destination's.
 *	- Stored settings that Exchange would refuse to save get the
 *	  stricter reading (fail closed) or a refusal, never a weaker level.
 *	- The TLS 1.2 floor is one fact, TLS_PROTO_FLOOR, compared as a
 *	  number here and set in OpenSSL by tls.c.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "transport.h"

#define TLS_POLICY_TLSNEG	"STARTTLS negotiation failed"

static int	 tls_policy_required(struct tls_policy *,
		    const struct send_connector *, const char *);
static void	 tls_policy_names(struct tls_policy *,
		    const struct send_connector *, const char *);
static int	 tls_policy_refuse(struct tls_policy *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static bool	 tls_policy_met(const struct tls_policy *,
		    const struct tls_info *);
static int	 tls_policy_sts(struct tls_policy *,
		    const struct tls_policy_ext *);
static enum tls_action tls_policy_handshake(const struct tls_policy *,
		    const struct tls_facts *, struct tls_verdict *);
static enum tls_action tls_verdict_fail(struct tls_verdict *,
		    enum tls_fail, bool, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static enum fail_class tls_fail_class(const struct tls_facts *);
static bool	 tls_nonempty(const char *);

int
tls_policy_init(struct tls_policy *p, const struct send_connector *sc,
    const char *domain)
{
	enum sc_auth_mech	mech = sc->smart_host_auth_mechanism;

	memset(p, 0, sizeof *p);
	p->level = sc->ignore_starttls ? TLS_LEV_NONE : TLS_LEV_MAY;
	p->label = sc->ignore_starttls ? "none" : "opportunistic";
	p->fail = TLS_POLICY_REQUIRED;
	p->unverified = TLS_POLICY_CERT_FAIL;
	tls_policy_names(p, sc, domain);
	/* Exchange checks these at run time too; the shell refuses them. */
	if (tls_nonempty(sc->tls_domain) &&
	    sc->tls_auth_level != SC_TLSAUTH_DOMAIN_VALIDATION)
		return (tls_policy_refuse(p, 421, "421 TLS Domain can only be "
		    "specified with TLSAuthLevel set to DomainValidation."));
	if ((mech == SC_AUTH_BASIC || mech == SC_AUTH_BASIC_REQUIRE_TLS) &&
	    (sc->auth_username == NULL || sc->auth_password == NULL))
		return (tls_policy_refuse(p, 451, "451 4.7.0 Credentials must "
		    "be provided if the authentication mechanism is set to "
		    "Basic Authentication or Basic Authentication over TLS."));
	/*
	 * Exchange refuses a TlsAuthLevel without RequireTLS, and RequireTLS
	 * with IgnoreSTARTTLS, when they are saved.  A store that has them
	 * anyway gets the stricter reading (fail closed): TLS is required,
	 * at the level set, and IgnoreSTARTTLS gives way.
	 */
	if (sc->require_tls || sc->tls_auth_level != SC_TLSAUTH_NONE)
		return (tls_policy_required(p, sc, domain));
	/* BasicAuthRequireTLS: AUTH comes after TLS, so TLS is mandatory. */
	if (mech == SC_AUTH_BASIC_REQUIRE_TLS) {
		p->level = TLS_LEV_ENCRYPT;
		p->label = "BasicAuthRequireTLS";
		p->fail = TLS_POLICY_AUTH_TLS;
	}
	return (0);
}

void
tls_policy_clear(struct tls_policy *p)
{
	free(p->wild);
	p->wild = NULL;
	p->nnames = 0;
}

int
tls_policy_host(const struct tls_policy *dest,
    const struct tls_policy_ext *ext, struct tls_policy *p)
{
	*p = *dest;
	p->wild = NULL;		/* dest's: p shares its names */
	if (dest->level == TLS_LEV_INVALID)
		return (-1);
	if (ext == NULL)
		return (0);
	if (ext->dane_mode == SC_DANE_NONE ||
	    (ext->dane == TLS_DANE_NONE && ext->dane_mode != SC_DANE_MANDATORY))
		return (ext->sts != NULL ? tls_policy_sts(p, ext) : 0);
	switch (ext->dane) {
	case TLS_DANE_FAILED:
		/* RFC 7672 2.2: never read a failed lookup as none. */
		p->refuse_class = FAIL_DNSSEC_INVALID;
		return (tls_policy_refuse(p, 451, "%s", TLS_DANE_DNSSEC));
	case TLS_DANE_NONE:
		p->refuse_class = FAIL_DANE_REQUIRED;
		return (tls_policy_refuse(p, 451, "%s", TLS_DANE_REQUIRED));
	case TLS_DANE_RECORDS:
		break;
	}
	p->dane = true;
	p->dane_required = ext->dane_mode == SC_DANE_MANDATORY;
	p->tlsa = ext->tlsa;
	p->dane_base = ext->host;
	p->dane_name = ext->domain;
	if (p->level >= TLS_LEV_VERIFY) {
		p->label = p->level == TLS_LEV_VERIFY ?
		    "CertificateValidation+DANE" : "DomainValidation+DANE";
		return (0);
	}
	/* Opportunistic, IgnoreSTARTTLS, EncryptionOnly: raised to DANE. */
	if (p->level < TLS_LEV_ENCRYPT)
		p->fail = TLS_DANE_STARTTLS;
	p->level = TLS_LEV_DANE;
	p->label = "DANE";
	return (0);
}

/*
 * MTA-STS for a host without DANE: under enforce only a host among the
 * policy's mx, over TLS with a chain the trust store verifies and the
 * host's name in the certificate (RFC 8461 4.1, 4.2); under testing the
 * connector's policy, with what would have failed noted by mta.c.
 */
static int
tls_policy_sts(struct tls_policy *p, const struct tls_policy_ext *ext)
{
	p->sts_host = ext->host;
	p->sts_domain = ext->sts_domain;
	p->sts_match = ext->sts_match;
	if (ext->sts->mode != STS_MODE_ENFORCE) {
		p->sts_testing = ext->sts->mode == STS_MODE_TESTING;
		return (0);
	}
	if (!ext->sts_match) {
		p->refuse_class = FAIL_STS_MX;
		return (tls_policy_refuse(p, 451, TLS_STS_MX, ext->host,
		    ext->sts_domain));
	}
	p->sts = true;
	if (p->level >= TLS_LEV_VERIFY) {
		p->label = p->level == TLS_LEV_VERIFY ?
		    "CertificateValidation+MTA-STS" : "DomainValidation+MTA-STS";
		return (0);
	}
	if (p->level < TLS_LEV_ENCRYPT)
		p->fail = TLS_DANE_STARTTLS;
	p->sts_raised = true;
	p->level = TLS_LEV_VERIFY;
	p->label = "MTA-STS";
	return (0);
}

/* The level of a required policy (TlsAuthLevel) and its names. */
static int
tls_policy_required(struct tls_policy *p, const struct send_connector *sc,
    const char *domain)
{
	switch (sc->tls_auth_level) {
	case SC_TLSAUTH_NONE:
	case SC_TLSAUTH_ENCRYPTION_ONLY:
		p->level = TLS_LEV_ENCRYPT;
		p->label = "EncryptionOnly";
		return (0);
	case SC_TLSAUTH_CERTIFICATE_VALIDATION:
		p->level = TLS_LEV_VERIFY;
		p->label = "CertificateValidation";
		return (0);
	case SC_TLSAUTH_DOMAIN_VALIDATION:
		break;
	default:
		/* An unknown level cannot be met: never guess a weaker one. */
		return (tls_policy_refuse(p, 421, "421 4.7.0 Unknown "
		    "TLSAuthLevel %d", (int)sc->tls_auth_level));
	}
	/*
	 * Without TlsDomain the names come from the recipient domain, not
	 * from the MX (insecure DNS must not choose what is verified); a
	 * smart host has no such domain, so Exchange refuses it.
	 */
	if (!tls_nonempty(sc->tls_domain) &&
	    (!SC_DNS_ROUTING(sc) || *domain == '\0'))
		return (tls_policy_refuse(p, 421, "421 TLSAuthLevel cannot be "
		    "DomainValidation with out a valid TLS Domain."));
	p->level = TLS_LEV_SECURE;
	p->label = "DomainValidation";
	return (0);
}

/*
 * The names DomainValidation takes: TlsDomain, else the domain and
 * *.domain.  Set at every level, so that a probe shows what a peer would
 * meet; only TLS_LEV_SECURE hands them to tls.c.
 */
static void
tls_policy_names(struct tls_policy *p, const struct send_connector *sc,
    const char *domain)
{
	if (tls_nonempty(sc->tls_domain)) {
		p->names[p->nnames++] = sc->tls_domain;
		return;
	}
	if (*domain == '\0')
		return;
	xasprintf(&p->wild, "*.%s", domain);
	p->names[p->nnames++] = domain;
	p->names[p->nnames++] = p->wild;
}

/*
 * The policy of sc for domain in words, as the settings read, refused or
 * not (Test-SendConnector's Policy); only the probe asks for them.
 */
void
tls_policy_words(const struct send_connector *sc, const char *domain,
    char *out, size_t len)
{
	const char	*level;
	struct buf	 b;

	buf_init(&b);
	if (sc->require_tls || sc->tls_auth_level != SC_TLSAUTH_NONE) {
		switch (sc->tls_auth_level) {
		case SC_TLSAUTH_NONE:
		case SC_TLSAUTH_ENCRYPTION_ONLY:
			level = "EncryptionOnly";
			break;
		case SC_TLSAUTH_CERTIFICATE_VALIDATION:
			level = "CertificateValidation";
			break;
		case SC_TLSAUTH_DOMAIN_VALIDATION:
			level = "DomainValidation";
			break;
		default:
			level = "unknown TlsAuthLevel";
			break;
		}
		buf_addf(&b, "RequireTLS, %s", level);
		if (sc->tls_auth_level == SC_TLSAUTH_DOMAIN_VALIDATION &&
		    !tls_nonempty(sc->tls_domain) && SC_DNS_ROUTING(sc) &&
		    *domain != '\0')
			buf_addf(&b, ", names %s, *.%s", domain, domain);
	} else if (sc->smart_host_auth_mechanism == SC_AUTH_BASIC_REQUIRE_TLS)
		buf_adds(&b, "BasicAuthRequireTLS");
	else if (sc->ignore_starttls)
		buf_adds(&b, "IgnoreSTARTTLS");
	else
		buf_adds(&b, "Opportunistic");
	if (tls_nonempty(sc->tls_domain))
		buf_addf(&b, ", TlsDomain %s", sc->tls_domain);
	snprintf(out, len, "%s", b.s);
	buf_free(&b);
}

/* Settings that cannot be met; returns -1. */
static int
tls_policy_refuse(struct tls_policy *p, int code, const char *fmt, ...)
{
	va_list	ap;

	p->level = TLS_LEV_INVALID;
	p->label = "invalid";
	p->refuse_code = code;
	va_start(ap, fmt);
	vsnprintf(p->refuse, sizeof p->refuse, fmt, ap);
	va_end(ap);
	return (-1);
}

void
tls_policy_client(const struct tls_policy *p, struct tls_client_policy *tp)
{
	memset(tp, 0, sizeof *tp);
	if (TLS_MUST_MATCH(p->level))
		tp->verify = TLS_VERIFY_NAME;
	else if (TLS_MUST_PKIX(p->level))
		tp->verify = TLS_VERIFY_CHAIN;
	else
		tp->verify = TLS_VERIFY_NONE;
	tp->required = TLS_REQUIRED(p->level);
	tp->names = p->names;
	tp->nnames = TLS_MUST_MATCH(p->level) ? p->nnames : 0;
	if (p->dane) {
		tp->tlsa = p->tlsa;
		tp->dane_base = p->dane_base;
		tp->dane_name = p->dane_name;
	}
	/* Under testing too: what would fail is a fact to note. */
	if (p->sts || p->sts_testing)
		tp->sts_name = p->sts_host;
}

enum tls_level
tls_level_met(int proto, bool chain_ok, bool name_ok)
{
	if (proto < TLS_PROTO_FLOOR)
		return (TLS_LEV_NONE);
	if (!chain_ok)
		return (TLS_LEV_ENCRYPT);
	if (!name_ok)
		return (TLS_LEV_VERIFY);
	return (TLS_LEV_SECURE);
}

enum tls_action
tls_policy_decide(const struct tls_policy *p, const struct tls_facts *f,
    struct tls_verdict *v)
{
	bool	must = TLS_REQUIRED(p->level);

	memset(v, 0, sizeof *v);
	/* Never reached by mta.c, which refuses first; fail closed. */
	if (p->level == TLS_LEV_INVALID)
		return (tls_verdict_fail(v, TLS_FAIL_POLICY, true, "%s",
		    p->refuse));
	switch (f->at) {
	case TLS_AT_EHLO:
		if (p->level == TLS_LEV_NONE)
			return (v->action = TLS_ACT_PLAIN);
		/* Opportunistic: no STARTTLS offered, go on in clear. */
		if (!must && (f->plain || !f->offered || !f->client))
			return (v->action = TLS_ACT_PLAIN);
		/*
		 * STARTTLS missing (stripped, never offered, or HELO) fails
		 * this host: going on in plaintext is exactly the downgrade
		 * a required policy exists to stop.
		 */
		if (must && !f->offered) {
			v->class = FAIL_NO_STARTTLS;
			return (tls_verdict_fail(v, TLS_FAIL_POLICY, true, "%s",
			    p->fail));
		}
		return (v->action = TLS_ACT_STARTTLS);
	case TLS_AT_REPLY:
		if (f->reply == 220)
			return (v->action = TLS_ACT_STARTTLS);
		v->class = FAIL_STARTTLS_REFUSED;
		if (must)
			return (tls_verdict_fail(v, TLS_FAIL_POLICY, true, "%s",
			    p->fail));
		/*
		 * Opportunistic and refused: the server stays in its
		 * pre-TLS state (RFC 3207 4), so go on in clear here.
		 */
		return (v->action = TLS_ACT_PLAIN);
	case TLS_AT_ABORT:
		/*
		 * Required: this host failed.  Opportunistic: count it as a
		 * failed handshake, so the plaintext pass may come back to
		 * this host; in clear there is no STARTTLS for injected
		 * bytes to attack.
		 */
		v->class = FAIL_HANDSHAKE;
		if (must)
			return (tls_verdict_fail(v, TLS_FAIL_POLICY, false,
			    "%s", p->fail));
		return (tls_verdict_fail(v, TLS_FAIL_NEGOTIATION, false,
		    "%s: %s", TLS_POLICY_TLSNEG, f->why));
	case TLS_AT_HANDSHAKE:
		break;
	}
	return (tls_policy_handshake(p, f, v));
}

/* The verdict on the handshake and on what tls.c found. */
static enum tls_action
tls_policy_handshake(const struct tls_policy *p, const struct tls_facts *f,
    struct tls_verdict *v)
{
	const struct tls_info	*i = f->info;
	enum tls_result		 rc = f->result;
	bool			 must = TLS_REQUIRED(p->level);

	/* Do not take the TLS layer's word alone for a required policy. */
	if (rc == TLS_OK && must && (i == NULL || !tls_policy_met(p, i)))
		rc = TLS_VERIFY_FAILED;
	v->unverified = rc == TLS_VERIFY_FAILED;
	if (rc == TLS_OK && f->session)
		return (v->action = TLS_ACT_TLS);
	v->class = tls_fail_class(f);
	/* DANE's own failures, in its own words (TLS-RPT's classes). */
	if (rc == TLS_VERIFY_FAILED && f->session && p->dane && i != NULL &&
	    i->proto >= TLS_PROTO_FLOOR && !i->dane_ok &&
	    (i->dane_usable > 0 || p->dane_required)) {
		v->class = i->dane_name_failed ? FAIL_NAME : FAIL_TLSA_INVALID;
		return (tls_verdict_fail(v, TLS_FAIL_POLICY, true, "%s",
		    i->dane_name_failed ? TLS_DANE_NAME : TLS_DANE_TLSA));
	}
	/* MTA-STS's, where its level stands alone (RFC 8460's words). */
	if (rc == TLS_VERIFY_FAILED && f->session && p->sts_raised &&
	    i != NULL && i->proto >= TLS_PROTO_FLOOR &&
	    (!i->chain_ok || !i->sts_name_ok)) {
		if (i->chain_ok)
			v->class = FAIL_NAME;
		return (tls_verdict_fail(v, TLS_FAIL_POLICY, true,
		    i->chain_ok ? TLS_STS_NAME : TLS_STS_WEBPKI, p->sts_host,
		    p->sts_domain));
	}
	/*
	 * A session that does not meet the policy is judged before EHLO,
	 * AUTH or MAIL: QUIT over it and try the next host (RFC 3207 4.1).
	 */
	if (rc == TLS_VERIFY_FAILED && f->session) {
		if (must)
			return (tls_verdict_fail(v, TLS_FAIL_POLICY, true, "%s",
			    p->unverified));
		return (tls_verdict_fail(v, TLS_FAIL_NEGOTIATION, true, "%s",
		    TLS_POLICY_TLSNEG));
	}
	if (must)
		return (tls_verdict_fail(v, TLS_FAIL_POLICY, false, "%s",
		    p->fail));
	return (tls_verdict_fail(v, TLS_FAIL_NEGOTIATION, false, "%s: %s",
	    TLS_POLICY_TLSNEG, i != NULL ? i->detail : ""));
}

/*
 * Does a session meet a required policy?  Under DANE the usable records
 * must have matched (Mandatory: and there must be some); records that
 * are all unusable demand encryption only (RFC 7672 2.2); and the
 * connector's own level stands: a trust store chain and names for
 * VERIFY and SECURE, TLS_PROTO_FLOOR for all.
 */
static bool
tls_policy_met(const struct tls_policy *p, const struct tls_info *i)
{
	enum tls_level	floor = p->level;

	if (p->dane) {
		if (i->dane_usable > 0 ? !i->dane_ok : p->dane_required)
			return (false);
		if (floor == TLS_LEV_DANE)
			floor = TLS_LEV_ENCRYPT;
	}
	if (p->sts && !(i->chain_ok && i->sts_name_ok))
		return (false);
	return (tls_level_met(i->proto, i->chain_ok, i->name_ok) >= floor);
}

/*
 * Why a handshake's session was not taken: the chain (expired or
 * untrusted), then the names, else the handshake itself (none, or one
 * below TLS_PROTO_FLOOR).
 */
static enum fail_class
tls_fail_class(const struct tls_facts *f)
{
	const struct tls_info	*i = f->info;

	if (!f->session || i == NULL || i->proto < TLS_PROTO_FLOOR)
		return (FAIL_HANDSHAKE);
	if (!i->chain_ok)
		return (i->expired ? FAIL_EXPIRED : FAIL_UNTRUSTED);
	if (!i->name_ok)
		return (FAIL_NAME);
	return (FAIL_HANDSHAKE);
}

const char *
fail_class_name(enum fail_class c)
{
	static const char *const names[FAIL_NCLASSES] = {
		[FAIL_NONE] = "None",
		[FAIL_CONNECT] = "ConnectionFailed",
		[FAIL_NO_STARTTLS] = "StartTlsNotOffered",
		[FAIL_STARTTLS_REFUSED] = "StartTlsRefused",
		[FAIL_HANDSHAKE] = "HandshakeFailed",
		[FAIL_UNTRUSTED] = "ChainUntrusted",
		[FAIL_EXPIRED] = "CertificateExpired",
		[FAIL_NAME] = "NameMismatch",
		[FAIL_SMTP] = "SmtpRefused",
		[FAIL_TLSA_INVALID] = "TlsaInvalid",
		[FAIL_DNSSEC_INVALID] = "DnssecInvalid",
		[FAIL_DANE_REQUIRED] = "DaneRequired",
		[FAIL_STS_MX] = "StsMxNotAllowed",
	};

	if ((int)c < 0 || c >= FAIL_NCLASSES)
		return ("None");
	return (names[c]);
}

/* Fail this host; a refusal's code is its reply's. */
static enum tls_action
tls_verdict_fail(struct tls_verdict *v, enum tls_fail fail, bool quit,
    const char *fmt, ...)
{
	va_list	ap;

	v->action = TLS_ACT_FAIL;
	v->fail = fail;
	v->quit = quit;
	va_start(ap, fmt);
	vsnprintf(v->text, sizeof v->text, fmt, ap);
	va_end(ap);
	v->code = fail == TLS_FAIL_POLICY ? atoi(v->text) : 0;
	return (TLS_ACT_FAIL);
}

static bool
tls_nonempty(const char *s)
{
	return (s != NULL && *s != '\0');
}
