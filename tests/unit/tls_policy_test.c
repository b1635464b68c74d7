/*
 * tls_policy_test.c - unit tests of transport/tls_policy.c, offline: a
 * golden matrix of every connector TLS setting against every peer
 * behaviour, and the level order.
 *
 * Each cell drives tls_policy_decide() as mta.c does (after EHLO, on the
 * reply to STARTTLS, on a broken exchange, on the handshake), with what
 * tls.c would report for that policy filled in by hand, and prints one
 * line: what mta.c does with the host and the reply it fails with.  The
 * lines must equal tests/golden/tls_policy.txt (its '#' lines and blank
 * lines aside); the first that differs is printed.  A second matrix runs
 * some of the settings raised for one host by DANE (tls_policy_host), in
 * every SmtpDaneMode and TLSA state, against peers as tls.c sees them
 * under DANE.  No peer, no DNS, no
 * network.  With -p the lines are printed instead, to write the golden
 * file after a deliberate change of behaviour.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xmalloc.h"
#include "transport.h"

#define GOLDEN		"tests/golden/tls_policy.txt"
#define DOMAIN		"example.test"

/* A connector's TLS settings, and the destination. */
struct setting {
	const char		*name;
	bool			 smart;	/* a smart host, else DNS routing */
	bool			 ignore;	/* IgnoreSTARTTLS */
	bool			 require;	/* RequireTLS */
	enum sc_tls_auth	 level;
	const char		*tls_domain;
	enum sc_auth_mech	 mech;
	bool			 creds;
	const char		*domain;
};

static const struct setting settings[] = {
	{ "ign", true, true, false, SC_TLSAUTH_NONE, NULL, SC_AUTH_NONE,
	    false, DOMAIN },
	{ "opp", true, false, false, SC_TLSAUTH_NONE, NULL, SC_AUTH_NONE,
	    false, DOMAIN },
	{ "opp-dns", false, false, false, SC_TLSAUTH_NONE, NULL, SC_AUTH_NONE,
	    false, DOMAIN },
	{ "req", true, false, true, SC_TLSAUTH_NONE, NULL, SC_AUTH_NONE,
	    false, DOMAIN },
	{ "enc", true, false, true, SC_TLSAUTH_ENCRYPTION_ONLY, NULL,
	    SC_AUTH_NONE, false, DOMAIN },
	{ "cert", true, false, true, SC_TLSAUTH_CERTIFICATE_VALIDATION, NULL,
	    SC_AUTH_NONE, false, DOMAIN },
	{ "dom", true, false, true, SC_TLSAUTH_DOMAIN_VALIDATION,
	    "mx1.example.test", SC_AUTH_NONE, false, DOMAIN },
	{ "domwild", true, false, true, SC_TLSAUTH_DOMAIN_VALIDATION,
	    "*.example.test", SC_AUTH_NONE, false, DOMAIN },
	{ "dom-dns", false, false, true, SC_TLSAUTH_DOMAIN_VALIDATION, NULL,
	    SC_AUTH_NONE, false, DOMAIN },
	{ "dom-dns-wild", false, false, true, SC_TLSAUTH_DOMAIN_VALIDATION,
	    "*.outlook.test", SC_AUTH_NONE, false, "o365pilot.test" },
	{ "bart", true, false, false, SC_TLSAUTH_NONE, NULL,
	    SC_AUTH_BASIC_REQUIRE_TLS, true, DOMAIN },
	{ "basic", true, false, false, SC_TLSAUTH_NONE, NULL, SC_AUTH_BASIC,
	    true, DOMAIN },
	{ "req-bart", true, false, true, SC_TLSAUTH_NONE, NULL,
	    SC_AUTH_BASIC_REQUIRE_TLS, true, DOMAIN },
	{ "level-only", true, false, false, SC_TLSAUTH_CERTIFICATE_VALIDATION,
	    NULL, SC_AUTH_NONE, false, DOMAIN },
	{ "req-ign", true, true, true, SC_TLSAUTH_NONE, NULL, SC_AUTH_NONE,
	    false, DOMAIN },
	{ "tlsdomain-cert", true, false, true,
	    SC_TLSAUTH_CERTIFICATE_VALIDATION, "mx1.example.test",
	    SC_AUTH_NONE, false, DOMAIN },
	{ "tlsdomain-opp", true, false, false, SC_TLSAUTH_NONE,
	    "mx1.example.test", SC_AUTH_NONE, false, DOMAIN },
	{ "dom-smart", true, false, true, SC_TLSAUTH_DOMAIN_VALIDATION, NULL,
	    SC_AUTH_NONE, false, DOMAIN },
	{ "dom-dns-nodomain", false, false, true,
	    SC_TLSAUTH_DOMAIN_VALIDATION, NULL, SC_AUTH_NONE, false, "" },
	{ "unknown", true, false, true, (enum sc_tls_auth)3, NULL,
	    SC_AUTH_NONE, false, DOMAIN },
	{ "bart-nocreds", true, false, false, SC_TLSAUTH_NONE, NULL,
	    SC_AUTH_BASIC_REQUIRE_TLS, false, DOMAIN },
	{ "basic-nocreds", true, false, false, SC_TLSAUTH_NONE, NULL,
	    SC_AUTH_BASIC, false, DOMAIN },
};

/* What a peer does; the handshake's facts are what tls.c would see. */
struct peer {
	const char	*name;
	bool		 offered;	/* STARTTLS in EHLO */
	int		 reply;		/* to STARTTLS */
	bool		 inject;	/* bytes after the 220 */
	bool		 handshake;	/* it completes */
	int		 proto;
	bool		 chain_ok;
	bool		 name_ok;	/* a DomainValidation name matches */
	const char	*detail;	/* tls.c's reason */
	bool		 plain;		/* mta.c's plaintext pass */
	bool		 noclient;	/* no client context (trust store) */
	/* Under DANE: records OpenSSL can use, and its verdict. */
	int		 usable;
	bool		 dane_ok;
	bool		 dane_name_failed;
};

static const struct peer peers[] = {
	{ "nostarttls", false, 0, false, false, 0, false, false, "", false,
	    false, 0, false, false },
	{ "refuse454", true, 454, false, false, 0, false, false, "", false,
	    false, 0, false, false },
	{ "inject", true, 220, true, false, 0, false, false, "", false,
	    false, 0, false, false },
	{ "hsfail", true, 220, false, false, 0, false, false,
	    "unexpected eof while reading", false, false, 0, false, false },
	{ "untrusted", true, 220, false, true, 0x0304, false, true,
	    "self-signed certificate", false, false, 0, false, false },
	{ "expired", true, 220, false, true, 0x0304, false, true,
	    "certificate has expired", false, false, 0, false, false },
	{ "mismatch", true, 220, false, true, 0x0304, true, false,
	    "no certificate name matches", false, false, 0, false, false },
	{ "tls10", true, 220, false, true, 0x0301, true, true, "", false,
	    false, 0, false, false },
	{ "tls11", true, 220, false, true, 0x0302, true, true, "", false,
	    false, 0, false, false },
	{ "tls12", true, 220, false, true, 0x0303, true, true, "", false,
	    false, 0, false, false },
	{ "good", true, 220, false, true, 0x0304, true, true, "", false,
	    false, 0, false, false },
	{ "plainpass", true, 220, false, true, 0x0304, true, true, "", true,
	    false, 0, false, false },
	{ "noclient", true, 220, false, false, 0, false, false, "", false,
	    true, 0, false, false },
};

/* Peers of hosts with TLSA records (usable ones unless "unusable"). */
static const struct peer dane_peers[] = {
	{ "nostarttls", false, 0, false, false, 0, false, false, "", false,
	    false, 0, false, false },
	{ "hsfail", true, 220, false, false, 0, false, false,
	    "unexpected eof while reading", false, false, 0, false, false },
	{ "ee-match", true, 220, false, true, 0x0304, false, false,
	    "self-signed certificate", false, false, 1, true, false },
	{ "ee-match-pkix", true, 220, false, true, 0x0304, true, true, "",
	    false, false, 1, true, false },
	{ "nomatch", true, 220, false, true, 0x0304, true, true,
	    "No matching DANE TLSA records", false, false, 1, false, false },
	{ "ta-name", true, 220, false, true, 0x0304, true, false,
	    "hostname mismatch", false, false, 1, false, true },
	{ "unusable", true, 220, false, true, 0x0304, false, false,
	    "self-signed certificate", false, false, 0, false, false },
	{ "tls11-match", true, 220, false, true, 0x0302, false, false,
	    "self-signed certificate", false, false, 1, true, false },
};

/* The settings of the DANE matrix (indexes into settings[]). */
static const size_t dane_settings[] = { 0, 2, 3, 5, 8, 10 };

/* What one host publishes: DANE, and its domain's MTA-STS policy. */
static const struct {
	const char	*name;
	int		 mode;
	enum tls_dane	 dane;
	int		 sts;		/* enum sts_mode, or -1: no policy */
	bool		 sts_match;	/* the host is among its mx */
} dane_exts[] = {
	{ "off", SC_DANE_NONE, TLS_DANE_RECORDS, -1, false },
	{ "none", SC_DANE_OPPORTUNISTIC, TLS_DANE_NONE, -1, false },
	{ "failed", SC_DANE_OPPORTUNISTIC, TLS_DANE_FAILED, -1, false },
	{ "tlsa", SC_DANE_OPPORTUNISTIC, TLS_DANE_RECORDS, -1, false },
	{ "mand-none", SC_DANE_MANDATORY, TLS_DANE_NONE, -1, false },
	{ "mand-tlsa", SC_DANE_MANDATORY, TLS_DANE_RECORDS, -1, false },
	{ "sts-enf", SC_DANE_OPPORTUNISTIC, TLS_DANE_NONE, STS_MODE_ENFORCE,
	    true },
	{ "sts-enf-nomx", SC_DANE_OPPORTUNISTIC, TLS_DANE_NONE,
	    STS_MODE_ENFORCE, false },
	{ "sts-test", SC_DANE_OPPORTUNISTIC, TLS_DANE_NONE, STS_MODE_TESTING,
	    false },
	{ "tlsa+sts-enf", SC_DANE_OPPORTUNISTIC, TLS_DANE_RECORDS,
	    STS_MODE_ENFORCE, true },
	{ "failed+sts-enf", SC_DANE_OPPORTUNISTIC, TLS_DANE_FAILED,
	    STS_MODE_ENFORCE, true },
	{ "off+sts-enf", SC_DANE_NONE, TLS_DANE_RECORDS, STS_MODE_ENFORCE,
	    true },
};

#define NSETTINGS	(sizeof settings / sizeof settings[0])
#define NPEERS		(sizeof peers / sizeof peers[0])
#define NDSETTINGS	(sizeof dane_settings / sizeof dane_settings[0])
#define NDEXTS		(sizeof dane_exts / sizeof dane_exts[0])
#define NDPEERS		(sizeof dane_peers / sizeof dane_peers[0])
#define NLINES		(NSETTINGS * (NPEERS + 1) + \
			    NDSETTINGS * NDEXTS * (NDPEERS + 1))

static const char	*golden_path;
static struct buf	 golden;	/* its lines, comments out */
static size_t		 golden_lines;

static void	 connector(struct send_connector *, const struct setting *);
static const char *level_name(enum tls_level);
static void	 policy_line(struct buf *, const struct setting *,
		    const struct send_connector *, const struct tls_policy *);
static void	 cell_line(struct buf *, const struct setting *,
		    const struct tls_policy *, const struct peer *);
static enum tls_action cell(const struct tls_policy *, const struct peer *,
		    struct tls_verdict *, enum tls_at *);
static void	 tls_layer(const struct tls_policy *, const struct peer *,
		    struct tls_facts *, struct tls_info *);
static void	 matrix(struct buf *);
static void	 dane_matrix(struct buf *);
static int	 golden_read(const char *);

static void
connector(struct send_connector *sc, const struct setting *st)
{
	static char	*smart[] = { "[127.0.0.1]" };

	memset(sc, 0, sizeof *sc);
	sc->name = (char *)st->name;
	if (st->smart) {
		sc->smart_hosts.v = smart;
		sc->smart_hosts.n = 1;
	}
	sc->ignore_starttls = st->ignore;
	sc->require_tls = st->require;
	sc->tls_auth_level = st->level;
	sc->tls_domain = (char *)st->tls_domain;
	sc->smart_host_auth_mechanism = st->mech;
	if (st->creds) {
		sc->auth_username = "relayuser";
		sc->auth_password = "S3cret-Pa55";
	}
}

static const char *
level_name(enum tls_level l)
{
	switch (l) {
	case TLS_LEV_INVALID:
		return ("INVALID");
	case TLS_LEV_NONE:
		return ("NONE");
	case TLS_LEV_MAY:
		return ("MAY");
	case TLS_LEV_ENCRYPT:
		return ("ENCRYPT");
	case TLS_LEV_DANE:
		return ("DANE");
	case TLS_LEV_VERIFY:
		return ("VERIFY");
	case TLS_LEV_SECURE:
		return ("SECURE");
	}
	return ("?");
}

/* "policy NAME: LEVEL label, checks, names, fail or refusal, words". */
static void
policy_line(struct buf *b, const struct setting *st,
    const struct send_connector *sc, const struct tls_policy *p)
{
	static const char	*verify[] = { "none", "chain", "name" };
	struct tls_client_policy tp;
	size_t			 i;
	char			 words[256];

	tls_policy_words(sc, st->domain, words, sizeof words);
	buf_addf(b, "policy %s: %s", st->name, level_name(p->level));
	if (p->dane)
		buf_addf(b, " +tlsa%s (base %s, name %s)",
		    p->dane_required ? " required" : "", p->dane_base,
		    p->dane_name != NULL ? p->dane_name : "-");
	if (p->sts || p->sts_testing)
		buf_addf(b, " +mta-sts %s (host %s%s)", p->sts ? "enforce" :
		    "testing", p->sts_host, p->sts_match ? "" : ", not an mx");
	if (p->level == TLS_LEV_INVALID) {
		buf_addf(b, ", refused %d \"%s\"", p->refuse_code, p->refuse);
		buf_addf(b, ", words \"%s\"\n", words);
		return;
	}
	tls_policy_client(p, &tp);
	buf_addf(b, " %s, verify %s%s, names", p->label, verify[tp.verify],
	    tp.required ? " floor" : "");
	for (i = 0; i < p->nnames; i++)
		buf_addf(b, "%s%s", i > 0 ? "," : " ", p->names[i]);
	if (p->nnames == 0)
		buf_adds(b, " -");
	buf_addf(b, " (%s)", tp.nnames > 0 ? "enforced" : "shown");
	if (TLS_REQUIRED(p->level))
		buf_addf(b, ", fail \"%s\"", p->fail);
	buf_addf(b, ", words \"%s\"\n", words);
}

/*
 * "NAME PEER: TLS", "NAME PEER: PLAIN at STEP", "NAME PEER: FAIL at STEP,
 * policy|negotiation, CODE, quit|close, "TEXT"", "NAME PEER: REFUSED".
 */
static void
cell_line(struct buf *b, const struct setting *st,
    const struct tls_policy *p, const struct peer *pe)
{
	static const char	*steps[] = { "ehlo", "reply", "abort",
				    "handshake" };
	struct tls_verdict	 v;
	enum tls_at		 at;

	buf_addf(b, "%s %s: ", st->name, pe->name);
	if (p->level == TLS_LEV_INVALID) {
		buf_adds(b, "REFUSED\n");
		return;
	}
	switch (cell(p, pe, &v, &at)) {
	case TLS_ACT_TLS:
		buf_adds(b, "TLS\n");
		break;
	case TLS_ACT_PLAIN:
		buf_addf(b, "PLAIN at %s\n", steps[at]);
		break;
	case TLS_ACT_FAIL:
		buf_addf(b, "FAIL at %s, %s, %d, %s, \"%s\", %s\n",
		    steps[at], v.fail == TLS_FAIL_POLICY ? "policy" :
		    "negotiation", v.code, v.quit ? "quit" : "close", v.text,
		    fail_class_name(v.class));
		break;
	default:
		buf_adds(b, "STARTTLS (never the last word)\n");
		break;
	}
}

/* The steps of mta_tls, mta_starttls, mta_tls_abort and mta_handshake. */
static enum tls_action
cell(const struct tls_policy *p, const struct peer *pe,
    struct tls_verdict *v, enum tls_at *at)
{
	struct tls_facts	f;
	struct tls_info		info;

	memset(&f, 0, sizeof f);
	memset(&info, 0, sizeof info);
	f.plain = pe->plain;
	f.offered = pe->offered;
	f.client = !pe->noclient;
	f.info = &info;
	f.at = *at = TLS_AT_EHLO;
	if (tls_policy_decide(p, &f, v) != TLS_ACT_STARTTLS)
		return (v->action);
	f.reply = pe->reply;
	f.at = *at = TLS_AT_REPLY;
	if (tls_policy_decide(p, &f, v) != TLS_ACT_STARTTLS)
		return (v->action);
	if (pe->inject) {
		f.why = "data after 220 to STARTTLS";
		f.at = *at = TLS_AT_ABORT;
		return (tls_policy_decide(p, &f, v));
	}
	tls_layer(p, pe, &f, &info);
	f.at = *at = TLS_AT_HANDSHAKE;
	return (tls_policy_decide(p, &f, v));
}

/*
 * What tls_client_start reports for this peer under the policy's checks
 * (tls_client_verify's rule).  The session of a peer below the floor is
 * one that tls.c let through: what tls_policy_decide must catch alone.
 */
static void
tls_layer(const struct tls_policy *p, const struct peer *pe,
    struct tls_facts *f, struct tls_info *info)
{
	struct tls_client_policy	tp;

	tls_policy_client(p, &tp);
	snprintf(info->detail, sizeof info->detail, "%s", pe->detail);
	if (pe->noclient || !pe->handshake) {
		f->result = TLS_HANDSHAKE_FAILED;
		f->session = false;
		return;
	}
	f->session = true;
	info->proto = pe->proto;
	info->chain_ok = pe->chain_ok;
	if (tp.tlsa != NULL) {
		info->dane = true;
		info->dane_usable = pe->usable;
		info->dane_ok = pe->usable > 0 && pe->dane_ok;
		info->dane_name_failed = pe->dane_name_failed;
	}
	/* The peers' certificates name the host exactly when they name
	 * a DomainValidation pattern. */
	info->sts_name_ok = tp.sts_name != NULL && pe->name_ok;
	/* tls.c sets it with X509_V_ERR_CERT_HAS_EXPIRED, whose text this is. */
	info->expired = strcmp(pe->detail, "certificate has expired") == 0;
	info->name_ok = pe->name_ok && tp.nnames > 0;
	if (info->dane_usable > 0 && !info->dane_ok)
		f->result = TLS_VERIFY_FAILED;
	else if (tp.verify == TLS_VERIFY_NONE)
		f->result = TLS_OK;
	else if (!info->chain_ok ||
	    (tp.verify == TLS_VERIFY_NAME && !info->name_ok))
		f->result = TLS_VERIFY_FAILED;
	else
		f->result = TLS_OK;
}

/* Every line: a policy line per setting, then its cells. */
static void
matrix(struct buf *b)
{
	struct send_connector	sc;
	struct tls_policy	p;
	size_t			i, j;

	for (i = 0; i < NSETTINGS; i++) {
		connector(&sc, &settings[i]);
		tls_policy_init(&p, &sc, settings[i].domain);
		policy_line(b, &settings[i], &sc, &p);
		for (j = 0; j < NPEERS; j++)
			cell_line(b, &settings[i], &p, &peers[j]);
		tls_policy_clear(&p);
	}
	dane_matrix(b);
}

/*
 * The DANE matrix: "policy NAME/EXT: ..." for the host's policy, then a
 * cell per peer, named "NAME/EXT PEER".  The records themselves are
 * tls.c's business; here they are one dummy record.
 */
static void
dane_matrix(struct buf *b)
{
	static unsigned char	 digest[32];
	static struct tlsa_rr	 rr = { 3, 1, 1, digest, sizeof digest };
	static const struct tlsa_set set = { &rr, 1 };
	static char		*mx[] = { "mx1.example.test" };
	struct sts_policy	 sts;
	const struct setting	*st;
	struct send_connector	 sc;
	struct tls_policy	 dest, p;
	struct tls_policy_ext	 ext;
	struct setting		 named;
	char			 name[64];
	size_t			 i, k, j;

	for (i = 0; i < NDSETTINGS; i++) {
		st = &settings[dane_settings[i]];
		connector(&sc, st);
		tls_policy_init(&dest, &sc, st->domain);
		for (k = 0; k < NDEXTS; k++) {
			memset(&ext, 0, sizeof ext);
			ext.dane_mode = dane_exts[k].mode;
			ext.dane = dane_exts[k].dane;
			ext.tlsa = &set;
			ext.host = "mx1.example.test";
			ext.domain = st->smart ? NULL : st->domain;
			if (dane_exts[k].sts >= 0) {
				memset(&sts, 0, sizeof sts);
				sts.mode = (enum sts_mode)dane_exts[k].sts;
				sts.mx = mx;
				sts.nmx = 1;
				sts.max_age = 86400;
				ext.sts = &sts;
				ext.sts_domain = "example.test";
				ext.sts_match = dane_exts[k].sts_match;
			}
			tls_policy_host(&dest, &ext, &p);
			snprintf(name, sizeof name, "%s/%s", st->name,
			    dane_exts[k].name);
			named = *st;
			named.name = name;
			policy_line(b, &named, &sc, &p);
			for (j = 0; j < NDPEERS; j++)
				cell_line(b, &named, &p, &dane_peers[j]);
		}
		tls_policy_clear(&dest);
	}
}

/* The golden file's lines, comments and blank lines out; -1 if none. */
static int
golden_read(const char *path)
{
	FILE	*fp;
	char	 line[1024];

	buf_init(&golden);
	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof line, fp) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		buf_adds(&golden, line);
		golden_lines++;
	}
	fclose(fp);
	return (0);
}

static void
test_golden_file(void)
{
	TAP_CHECK(golden_read(golden_path) == 0);
	TAP_CHECK(golden_lines == NLINES);
	printf("# %s: %zu lines\n", golden_path, golden_lines);
}

static void
test_matrix(void)
{
	struct buf	 got;
	const char	*g, *w, *ge, *we;
	size_t		 n = 0, bad = 0;

	buf_init(&got);
	matrix(&got);
	g = got.s;
	w = golden.s != NULL ? golden.s : "";
	while (*g != '\0' || *w != '\0') {
		ge = strchr(g, '\n');
		we = strchr(w, '\n');
		ge = ge != NULL ? ge : g + strlen(g);
		we = we != NULL ? we : w + strlen(w);
		n++;
		if (ge - g != we - w || strncmp(g, w, ge - g) != 0) {
			if (bad++ < 20) {
				printf("# line %zu differs\n", n);
				printf("#  want: %.*s\n", (int)(we - w), w);
				printf("#  got:  %.*s\n", (int)(ge - g), g);
			}
		}
		g = *ge != '\0' ? ge + 1 : ge;
		w = *we != '\0' ? we + 1 : we;
	}
	if (bad > 0)
		printf("# %zu of %zu lines differ\n", bad, n);
	TAP_CHECK(bad == 0);
	buf_free(&got);
}

/* The order that makes policy tests comparisons. */
static void
test_levels(void)
{
	TAP_CHECK(TLS_LEV_INVALID < TLS_LEV_NONE);
	TAP_CHECK(TLS_LEV_NONE < TLS_LEV_MAY);
	TAP_CHECK(TLS_LEV_MAY < TLS_LEV_ENCRYPT);
	TAP_CHECK(TLS_LEV_ENCRYPT < TLS_LEV_DANE);
	TAP_CHECK(TLS_LEV_DANE < TLS_LEV_VERIFY);
	TAP_CHECK(TLS_REQUIRED(TLS_LEV_DANE) && !TLS_MUST_PKIX(TLS_LEV_DANE));
	TAP_CHECK(TLS_LEV_VERIFY < TLS_LEV_SECURE);
	TAP_CHECK(!TLS_REQUIRED(TLS_LEV_MAY) && TLS_REQUIRED(TLS_LEV_ENCRYPT));
	TAP_CHECK(!TLS_MUST_PKIX(TLS_LEV_ENCRYPT) &&
	    TLS_MUST_PKIX(TLS_LEV_VERIFY));
	TAP_CHECK(!TLS_MUST_MATCH(TLS_LEV_VERIFY) &&
	    TLS_MUST_MATCH(TLS_LEV_SECURE));
	TAP_CHECK(!TLS_REQUIRED(TLS_LEV_INVALID));
}

/* What a session meets, as the probe's SatisfiesLevels say it. */
static void
test_met(void)
{
	TAP_CHECK(tls_level_met(0, true, true) == TLS_LEV_NONE);
	TAP_CHECK(tls_level_met(0x0301, true, true) == TLS_LEV_NONE);
	TAP_CHECK(tls_level_met(0x0302, true, true) == TLS_LEV_NONE);
	TAP_CHECK(tls_level_met(TLS_PROTO_FLOOR, false, true) ==
	    TLS_LEV_ENCRYPT);
	TAP_CHECK(tls_level_met(0x0304, true, false) == TLS_LEV_VERIFY);
	TAP_CHECK(tls_level_met(0x0304, true, true) == TLS_LEV_SECURE);
	/* A name without a chain is worth nothing. */
	TAP_CHECK(tls_level_met(0x0304, false, true) == TLS_LEV_ENCRYPT);
}

static const struct tap_case cases[] = {
	{ "the golden matrix: " GOLDEN, test_golden_file },
	{ "every setting against every peer: as the golden matrix says",
	    test_matrix },
	{ "levels are ordered; TLS_REQUIRED, TLS_MUST_PKIX, TLS_MUST_MATCH",
	    test_levels },
	{ "tls_level_met: the floor, the chain, a name", test_met },
};

int
main(int argc, char **argv)
{
	struct buf	 b;
	const char	*dir;
	char		*path;
	int		 rc;

	if (argc > 1 && strcmp(argv[1], "-p") == 0) {
		buf_init(&b);
		matrix(&b);
		fputs(b.s, stdout);
		buf_free(&b);
		return (0);
	}
	if ((dir = getenv("srcdir")) == NULL)
		dir = ".";
	xasprintf(&path, "%s/%s", dir, GOLDEN);
	golden_path = path;
	rc = tap_run(cases, sizeof cases / sizeof cases[0]);
	buf_free(&golden);
	free(path);
	return (rc);
}
