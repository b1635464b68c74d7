/*
 * tlsrpt_test.c - unit tests of transport/tlsrpt.c's pure parts,
 * offline: the _smtp._tls record (RFC 8460 3) and the choice of one in
 * an RRset, the result types, the policy strings, the report's JSON
 * (exact text), its gzip (inflated back), its filename (5.1) and the
 * mail that carries it (5.3).  tests/transport/tlsrpt.sh runs hubd.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "tap.h"
#include "xmalloc.h"
#include "transport.h"

/* A record, and the ruas it gives, "," between (NULL: refused). */
struct record_row {
	const char	*name;
	const char	*txt;
	const char	*ruas;
};

static const struct record_row record_rows[] = {
	{ "record: the RFC's mailto example",
	    "v=TLSRPTv1;rua=mailto:reports@example.com",
	    "mailto:reports@example.com" },
	{ "record: the RFC's https example",
	    "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt",
	    "https://reporting.example.com/v1/tlsrpt" },
	{ "record: two URIs, white space around ',' and ';', a final ';'",
	    "v=TLSRPTv1 ; rua=mailto:a@example.com , https://r.example.net/x"
	    " ;", "mailto:a@example.com,https://r.example.net/x" },
	{ "record: extension fields are ignored",
	    "v=TLSRPTv1; ext=1; rua=mailto:a@example.com; other=x",
	    "mailto:a@example.com" },
	{ "record: a URI hubd cannot use is skipped",
	    "v=TLSRPTv1; rua=http://r.example.net/x,mailto:a@example.com",
	    "mailto:a@example.com" },
	{ "record: no rua", "v=TLSRPTv1; ext=1", NULL },
	{ "record: only URIs hubd cannot use",
	    "v=TLSRPTv1; rua=http://r.example.net/,ftp://x", NULL },
	{ "record: another version", "v=TLSRPTv2; rua=mailto:a@example.com",
	    NULL },
	{ "record: the version glued to more",
	    "v=TLSRPTv1x; rua=mailto:a@example.com", NULL },
	{ "record: two rua fields",
	    "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com",
	    NULL },
	{ "record: a mailto: that is no address",
	    "v=TLSRPTv1; rua=mailto:nobody", NULL },
};

static void
record_row(const struct record_row *r)
{
	struct buf		 got;
	char			**v = NULL, *cause = NULL;
	size_t			 i, n = 0;
	int			 rc;

	rc = tlsrpt_record_parse(r->txt, &v, &n, &cause);
	if (r->ruas == NULL) {
		TAP_CHECK(rc == -1 && cause != NULL && n == 0 && v == NULL);
		free(cause);
		return;
	}
	TAP_CHECK(rc == 0);
	buf_init(&got);
	buf_adds(&got, "");
	for (i = 0; i < n; i++)
		buf_addf(&got, "%s%s", i > 0 ? "," : "", v[i]);
	TAP_STREQ(got.s, r->ruas);
	buf_free(&got);
	strv_free(v, n);
	free(cause);
}

static void
test_pick(void)
{
	const char	*one[] = { "v=spf1 -all",
			    "v=TLSRPTv1; rua=mailto:a@example.com" };
	const char	*two[] = { "v=TLSRPTv1; rua=mailto:a@example.com",
			    "v=TLSRPTv1; rua=mailto:b@example.com" };
	char		**v = NULL, *cause = NULL;
	size_t		 n = 0;

	TAP_CHECK(tlsrpt_record_pick(one, 2, &v, &n, &cause) == 0 && n == 1);
	if (n == 1)
		TAP_STREQ(v[0], "mailto:a@example.com");
	strv_free(v, n);
	TAP_CHECK(tlsrpt_record_pick(two, 2, &v, &n, &cause) == -1);
	TAP_STREQ(cause, "more than one TLSRPTv1 record");
	free(cause);
	cause = NULL;
	TAP_CHECK(tlsrpt_record_pick(one, 1, &v, &n, &cause) == -1);
	TAP_STREQ(cause, "no TLSRPTv1 record");
	free(cause);
}

static void
test_results(void)
{
	TAP_STREQ(tlsrpt_result(FAIL_NO_STARTTLS), "starttls-not-supported");
	TAP_STREQ(tlsrpt_result(FAIL_STARTTLS_REFUSED),
	    "starttls-not-supported");
	TAP_STREQ(tlsrpt_result(FAIL_NAME), "certificate-host-mismatch");
	TAP_STREQ(tlsrpt_result(FAIL_EXPIRED), "certificate-expired");
	TAP_STREQ(tlsrpt_result(FAIL_UNTRUSTED), "certificate-not-trusted");
	TAP_STREQ(tlsrpt_result(FAIL_TLSA_INVALID), "tlsa-invalid");
	TAP_STREQ(tlsrpt_result(FAIL_DNSSEC_INVALID), "dnssec-invalid");
	TAP_STREQ(tlsrpt_result(FAIL_DANE_REQUIRED), "dane-required");
	TAP_STREQ(tlsrpt_result(FAIL_STS_MX), "validation-failure");
	TAP_STREQ(tlsrpt_result(FAIL_HANDSHAKE), "validation-failure");
	TAP_CHECK(tlsrpt_result(FAIL_CONNECT) == NULL);
	TAP_CHECK(tlsrpt_result(FAIL_SMTP) == NULL);
	TAP_CHECK(tlsrpt_result(FAIL_NONE) == NULL);
}

static void
test_policy_strings(void)
{
	struct sts_policy	 p;
	struct tlsa_set		 t;
	struct tlsa_rr		 rr[2];
	unsigned char		 d0[] = { 0xab, 0x01 }, d1[] = { 0x0f };
	char			*mxs[] = { "mx1.example.net", "*.example.net" };
	char			*s, *mx;

	memset(&p, 0, sizeof p);
	p.mode = STS_MODE_ENFORCE;
	p.max_age = 604800;
	p.mx = mxs;
	p.nmx = 2;
	s = tlsrpt_sts_policy(&p, &mx);
	TAP_STREQ(s, "version: STSv1\nmode: enforce\nmx: mx1.example.net\n"
	    "mx: *.example.net\nmax_age: 604800");
	TAP_STREQ(mx, "mx1.example.net\n*.example.net");
	free(s);
	free(mx);

	memset(rr, 0, sizeof rr);
	rr[0].usage = 3;
	rr[0].selector = 1;
	rr[0].mtype = 1;
	rr[0].data = d0;
	rr[0].len = sizeof d0;
	rr[1].usage = 2;
	rr[1].data = d1;
	rr[1].len = sizeof d1;
	t.v = rr;
	t.n = 2;
	s = tlsrpt_tlsa_policy(&t);
	TAP_STREQ(s, "3 1 1 AB01\n2 0 0 0F");
	free(s);
}

/* A day of two policies, one with failures, as the spool gives it. */
static void
sample_day(struct spool_tlsrpt_day *d, struct spool_tlsrpt_policy *p,
    struct spool_tlsrpt_failure *f)
{
	memset(d, 0, sizeof *d);
	memset(p, 0, 2 * sizeof *p);
	memset(f, 0, sizeof *f);
	d->domain = "example.net";
	d->begin = 1796515200;		/* 2026-12-06T00:00:00Z */
	d->end = d->begin + 86400;
	p[0].domain = d->domain;
	p[0].type = "no-policy-found";
	p[0].policy = "";
	p[0].mx = "";
	p[0].success = 2;
	p[0].failure = 1;
	p[1].domain = d->domain;
	p[1].type = "sts";
	p[1].policy = "version: STSv1\nmode: testing\nmx: mx.example.net\n"
	    "max_age: 86400";
	p[1].mx = "mx.example.net";
	p[1].success = 5;
	f[0].type = "no-policy-found";
	f[0].policy = "";
	f[0].result = "certificate-expired";
	f[0].sending_ip = "192.0.2.9";
	f[0].mx_host = "mx.example.net";
	f[0].receiving_ip = "192.0.2.1";
	f[0].count = 1;
	d->pol = p;
	d->npol = 2;
	d->fail = f;
	d->nfail = 1;
}

#define SAMPLE_JSON "{\"organization-name\":\"Contoso \\\"Mail\\\"\"," \
	"\"date-range\":{\"start-datetime\":\"2026-12-06T00:00:00Z\"," \
	"\"end-datetime\":\"2026-12-06T23:59:59Z\"}," \
	"\"contact-info\":\"tls@contoso.com\"," \
	"\"report-id\":\"id-1\",\"policies\":[" \
	"{\"policy\":{\"policy-type\":\"no-policy-found\"," \
	"\"policy-domain\":\"example.net\"}," \
	"\"summary\":{\"total-successful-session-count\":2," \
	"\"total-failure-session-count\":1}," \
	"\"failure-details\":[{\"result-type\":\"certificate-expired\"," \
	"\"sending-mta-ip\":\"192.0.2.9\"," \
	"\"receiving-mx-hostname\":\"mx.example.net\"," \
	"\"receiving-ip\":\"192.0.2.1\",\"failed-session-count\":1}]}," \
	"{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":" \
	"[\"version: STSv1\",\"mode: testing\",\"mx: mx.example.net\"," \
	"\"max_age: 86400\"],\"policy-domain\":\"example.net\"," \
	"\"mx-host\":[\"mx.example.net\"]}," \
	"\"summary\":{\"total-successful-session-count\":5," \
	"\"total-failure-session-count\":0}}]}"

static void
test_json(void)
{
	struct spool_tlsrpt_day		d;
	struct spool_tlsrpt_policy	p[2];
	struct spool_tlsrpt_failure	f[1];
	struct tlsrpt_meta		m = { "Contoso \"Mail\"",
					    "tls@contoso.com", "id-1",
					    "hub.contoso.com" };
	struct buf			b;
	char				*name;

	sample_day(&d, p, f);
	buf_init(&b);
	tlsrpt_json(&b, &m, &d);
	TAP_STREQ(b.s, SAMPLE_JSON);
	buf_free(&b);
	/* No contact: the field is left out. */
	m.contact = NULL;
	buf_init(&b);
	tlsrpt_json(&b, &m, &d);
	TAP_CHECK(strstr(b.s, "contact-info") == NULL);
	buf_free(&b);
	name = tlsrpt_filename(&m, &d);
	TAP_STREQ(name, "hub.contoso.com!example.net!1796515200!1796601599!"
	    "id-1.json.gz");
	free(name);
}

static void
test_gzip(void)
{
	struct buf	 gz;
	z_stream	 z;
	char		*cause = NULL, out[sizeof SAMPLE_JSON + 16];
	int		 rc;

	buf_init(&gz);
	TAP_CHECK(tlsrpt_gzip(SAMPLE_JSON, strlen(SAMPLE_JSON), &gz,
	    &cause) == 0);
	/* RFC 1952's magic, and smaller than the text. */
	TAP_CHECK(gz.len > 10 && (unsigned char)gz.s[0] == 0x1f &&
	    (unsigned char)gz.s[1] == 0x8b);
	TAP_CHECK(gz.len < strlen(SAMPLE_JSON));
	memset(&z, 0, sizeof z);
	TAP_CHECK(inflateInit2(&z, 16 + MAX_WBITS) == Z_OK);
	z.next_in = (unsigned char *)gz.s;
	z.avail_in = (uInt)gz.len;
	z.next_out = (unsigned char *)out;
	z.avail_out = sizeof out - 1;
	rc = inflate(&z, Z_FINISH);
	TAP_CHECK(rc == Z_STREAM_END);
	out[sizeof out - 1 - z.avail_out] = '\0';
	inflateEnd(&z);
	TAP_STREQ(out, SAMPLE_JSON);
	buf_free(&gz);
}

static void
test_mail(void)
{
	struct spool_tlsrpt_day		d;
	struct spool_tlsrpt_policy	p[2];
	struct spool_tlsrpt_failure	f[1];
	struct tlsrpt_meta		m = { "Contoso", NULL, "id-1",
					    "hub.contoso.com" };
	const char			*to[] = { "a@example.net",
					    "b@example.net" };
	struct buf			b;
	char				*mid = NULL;

	sample_day(&d, p, f);
	buf_init(&b);
	tlsrpt_mail(&b, &m, &d, "postmaster@hub.contoso.com", to, 2,
	    "\x1f\x8b\x08\x00", 4, d.end + 60, &mid);
	TAP_CHECK(mid != NULL && mid[0] == '<' &&
	    strstr(mid, "@hub.contoso.com>") != NULL);
	TAP_CHECK(strncmp(b.s, "From: postmaster@hub.contoso.com\r\n",
	    34) == 0);
	TAP_CHECK(strstr(b.s, "\r\nTo: <a@example.net>,\r\n <b@example.net>"
	    "\r\n") != NULL);
	TAP_CHECK(strstr(b.s, "\r\nSubject: Report Domain: example.net "
	    "Submitter: hub.contoso.com Report-ID: <id-1>\r\n") != NULL);
	TAP_CHECK(strstr(b.s, "\r\nTLS-Report-Domain: example.net\r\n"
	    "TLS-Report-Submitter: hub.contoso.com\r\n") != NULL);
	TAP_CHECK(strstr(b.s, "\r\nTLS-Required: No\r\n") != NULL);
	TAP_CHECK(strstr(b.s, "Content-Type: multipart/report; "
	    "report-type=\"tlsrpt\";") != NULL);
	TAP_CHECK(strstr(b.s, "Content-Type: application/tlsrpt+gzip;\r\n"
	    "\tname=\"hub.contoso.com!example.net!1796515200!1796601599!"
	    "id-1.json.gz\"") != NULL);
	/* 1f 8b 08 00 in base64. */
	TAP_CHECK(strstr(b.s, "\r\n\r\nH4sIAA==\r\n") != NULL);
	TAP_CHECK(strstr(b.s, "\r\n\r\n\r\n") == NULL);
	buf_free(&b);
	free(mid);
}

#define NRECORDS	(sizeof record_rows / sizeof record_rows[0])

static const struct tap_case cases[] = {
	{ "record: exactly one TLSRPTv1 record of the RRset", test_pick },
	{ "result types: RFC 8460 4.3's, from hubd's fail classes; none "
	    "for connection and SMTP failures", test_results },
	{ "policy strings: the STS policy's lines and mx, the TLSA records",
	    test_policy_strings },
	{ "report: RFC 8460 4.4's JSON, escaped, fields left out when "
	    "empty; 5.1's filename", test_json },
	{ "report: gzip that inflates back to the JSON", test_gzip },
	{ "report mail: RFC 8460 5.3's headers and parts", test_mail },
};
#define NCASES	(sizeof cases / sizeof cases[0])

int
main(void)
{
	size_t	i;

	tap_plan(NRECORDS + NCASES);
	for (i = 0; i < NRECORDS; i++) {
		tap_case_failed = 0;
		record_row(&record_rows[i]);
		tap_report(record_rows[i].name);
	}
	return (tap_cases(cases, NCASES));
}
