/*
 * mtasts_test.c - unit tests of transport/mtasts.c's pure parts,
 * offline: the _mta-sts TXT record and the choice of one in an RRset,
 * the policy (every field, line ends, duplicates, bounds, bad mx
 * patterns), and the mx matcher (RFC 8461 4.1's examples, case, the
 * final dot).  Each row of a table is one test.
 * tests/transport/mtasts_fetch.sh runs the fetch against a real HTTPS
 * server.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xmalloc.h"
#include "transport.h"

/* A TXT record, and the id it gives (NULL: not a valid record). */
struct record_row {
	const char	*name;
	const char	*txt;
	const char	*id;
};

#define ID32	"abcdefghijklmnopqrstuvwxyz012345"

static const struct record_row record_rows[] = {
	{ "record: the RFC's example", "v=STSv1; id=20160831085700Z;",
	    "20160831085700Z" },
	{ "record: no final ';'", "v=STSv1; id=20160831085700Z",
	    "20160831085700Z" },
	{ "record: no white space", "v=STSv1;id=abc", "abc" },
	{ "record: spaces and tabs around ';' and at the end",
	    "v=STSv1 \t; \tid=abc\t ;  ", "abc" },
	{ "record: other fields before and after the id are ignored",
	    "v=STSv1; ext=val; id=abc; other_1.x-y=q!:", "abc" },
	{ "record: an id of 32 characters", "v=STSv1; id=" ID32, ID32 },
	{ "record: no id", "v=STSv1", NULL },
	{ "record: no id, another field", "v=STSv1; x=y", NULL },
	{ "record: an empty id", "v=STSv1; id=", NULL },
	{ "record: an id of 33 characters", "v=STSv1; id=" ID32 "6", NULL },
	{ "record: an id with a hyphen", "v=STSv1; id=abc-def", NULL },
	{ "record: an id with a space inside", "v=STSv1; id=abc def", NULL },
	{ "record: v= not first", "id=abc; v=STSv1", NULL },
	{ "record: white space before v=", " v=STSv1; id=abc", NULL },
	{ "record: STSv2", "v=STSv2; id=abc", NULL },
	{ "record: the version in lower case", "v=stsv1; id=abc", NULL },
	{ "record: v=STSv1x", "v=STSv1x; id=abc", NULL },
	{ "record: no ';' after the version", "v=STSv1 id=abc", NULL },
	{ "record: two ids", "v=STSv1; id=abc; id=def", NULL },
	{ "record: an empty field", "v=STSv1; id=abc;;", NULL },
	{ "record: '=' inside a value", "v=STSv1; ext=a=b; id=abc", NULL },
	{ "record: a field name not starting with a letter or digit",
	    "v=STSv1; id=abc; _x=1", NULL },
	{ "record: ID is not id", "v=STSv1; ID=abc", NULL },
};
#define NRECORDS	(sizeof record_rows / sizeof record_rows[0])

/* A policy, and what it gives: cause NULL for a policy taken. */
struct policy_row {
	const char	*name;
	const char	*body;
	const char	*cause;		/* a part of the cause */
	enum sts_mode	 mode;
	int64_t		 max_age;
	const char	*mx;		/* the patterns, ' ' between */
};

#define GOOD	"version: STSv1\nmode: enforce\nmx: mail.example.com\n" \
	"mx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800\n"
#define GOOD_MX	"mail.example.com *.example.net backupmx.example.com"
#define V	"version: STSv1\n"
#define VME	V "mode: enforce\nmx: mx.example.com\n"

static const struct policy_row policy_rows[] = {
	{ "policy: the RFC's example, LF", GOOD, NULL, STS_MODE_ENFORCE,
	    604800, GOOD_MX },
	{ "policy: CRLF",
	    "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
	    "mx: *.example.net\r\nmx: backupmx.example.com\r\n"
	    "max_age: 604800\r\n", NULL, STS_MODE_ENFORCE, 604800, GOOD_MX },
	{ "policy: no line end after the last field",
	    "version: STSv1\nmode: testing\nmx: mx.example.com\n"
	    "max_age: 86400", NULL, STS_MODE_TESTING, 86400,
	    "mx.example.com" },
	{ "policy: white space around the colon and the line, a blank line",
	    "version:STSv1\r\n\r\n  mode :\ttesting \r\n \t\nmx:   "
	    "MX1.Example.COM.\nmax_age: 86400  \n", NULL, STS_MODE_TESTING,
	    86400, "mx1.example.com" },
	{ "policy: the fields in another order", "max_age: 1\nmx: a.test\n"
	    "mode: enforce\nversion: STSv1\n", NULL, STS_MODE_ENFORCE, 1,
	    "a.test" },
	{ "policy: mode none without mx", V "mode: none\nmax_age: 86400\n",
	    NULL, STS_MODE_NONE, 86400, "" },
	{ "policy: mode none with mx", V "mode: none\nmx: mx.example.com\n"
	    "max_age: 86400\n", NULL, STS_MODE_NONE, 86400,
	    "mx.example.com" },
	{ "policy: unknown fields are ignored", V "foo: bar baz\n"
	    "Mode: none\nmode: enforce\nx-ext: a value: with a colon\n"
	    "mx: mx.example.com\nmax_age: 60\n", NULL, STS_MODE_ENFORCE, 60,
	    "mx.example.com" },
	{ "policy: an mx given twice is kept twice",
	    VME "mx: mx.example.com\nmax_age: 60\n", NULL, STS_MODE_ENFORCE,
	    60, "mx.example.com mx.example.com" },
	{ "policy: max_age 0", VME "max_age: 0\n", NULL, STS_MODE_ENFORCE, 0,
	    "mx.example.com" },
	{ "policy: max_age 31557600", VME "max_age: 31557600\n", NULL,
	    STS_MODE_ENFORCE, 31557600, "mx.example.com" },
	{ "policy: max_age 31557601 is taken as 31557600",
	    VME "max_age: 31557601\n", NULL, STS_MODE_ENFORCE, 31557600,
	    "mx.example.com" },
	{ "policy: max_age of 10 digits is taken as 31557600",
	    VME "max_age: 9999999999\n", NULL, STS_MODE_ENFORCE, 31557600,
	    "mx.example.com" },
	{ "policy: max_age with leading zeros", VME "max_age: 0000000060\n",
	    NULL, STS_MODE_ENFORCE, 60, "mx.example.com" },
	{ "policy: max_age of 11 digits", VME "max_age: 10000000000\n",
	    "line 4: max_age \"10000000000\" is not a number", 0, 0, NULL },
	{ "policy: max_age negative", VME "max_age: -1\n",
	    "max_age \"-1\" is not", 0, 0, NULL },
	{ "policy: max_age 1e5", VME "max_age: 1e5\n",
	    "max_age \"1e5\" is not", 0, 0, NULL },
	{ "policy: max_age empty", VME "max_age:\n", "max_age \"\" is not",
	    0, 0, NULL },
	{ "policy: no version", "mode: enforce\nmx: a.test\nmax_age: 1\n",
	    "no version field", 0, 0, NULL },
	{ "policy: no mode", V "mx: a.test\nmax_age: 1\n", "no mode field",
	    0, 0, NULL },
	{ "policy: no max_age", VME, "no max_age field", 0, 0, NULL },
	{ "policy: enforce without mx", V "mode: enforce\nmax_age: 1\n",
	    "no mx field (mode enforce)", 0, 0, NULL },
	{ "policy: testing without mx", V "mode: testing\nmax_age: 1\n",
	    "no mx field (mode testing)", 0, 0, NULL },
	{ "policy: empty", "", "no version field", 0, 0, NULL },
	{ "policy: version twice", VME V "max_age: 1\n",
	    "line 4: a second version field", 0, 0, NULL },
	{ "policy: mode twice", VME "mode: enforce\nmax_age: 1\n",
	    "line 4: a second mode field", 0, 0, NULL },
	{ "policy: max_age twice", VME "max_age: 1\nmax_age: 1\n",
	    "line 5: a second max_age field", 0, 0, NULL },
	{ "policy: version STSv2", "version: STSv2\nmode: none\nmax_age: 1\n",
	    "line 1: version \"STSv2\" is not STSv1", 0, 0, NULL },
	{ "policy: the version in lower case",
	    "version: stsv1\nmode: none\nmax_age: 1\n",
	    "version \"stsv1\" is not STSv1", 0, 0, NULL },
	{ "policy: mode Enforce", V "mode: Enforce\nmx: a.test\nmax_age: 1\n",
	    "line 2: mode \"Enforce\" is not enforce, testing or none", 0, 0,
	    NULL },
	{ "policy: a line without a colon", VME "max_age 1\n",
	    "line 4: not a \"name: value\" field", 0, 0, NULL },
	{ "policy: a CR not followed by LF", V "mode: none\rmax_age: 1\n",
	    "line 2: a CR not followed by LF", 0, 0, NULL },
	{ "policy: a control character", V "mode: none\nmax_age: 1\x01\n",
	    "line 3: control character 0x01", 0, 0, NULL },
	{ "policy: mx *", V "mode: enforce\nmx: *\nmax_age: 1\n",
	    "line 3: mx \"*\" is not a host name", 0, 0, NULL },
	{ "policy: mx *.", V "mode: enforce\nmx: *.\nmax_age: 1\n",
	    "mx \"*.\" is not", 0, 0, NULL },
	{ "policy: mx empty", V "mode: enforce\nmx:\nmax_age: 1\n",
	    "mx \"\" is not", 0, 0, NULL },
	{ "policy: mx with a wildcard inside",
	    V "mode: enforce\nmx: a.*.example.com\nmax_age: 1\n",
	    "mx \"a.*.example.com\" is not", 0, 0, NULL },
	{ "policy: mx *example.com",
	    V "mode: enforce\nmx: *example.com\nmax_age: 1\n",
	    "mx \"*example.com\" is not", 0, 0, NULL },
	{ "policy: mx with an underscore",
	    V "mode: enforce\nmx: mail_1.example.com\nmax_age: 1\n",
	    "mx \"mail_1.example.com\" is not", 0, 0, NULL },
	{ "policy: mx with a label starting with a hyphen",
	    V "mode: enforce\nmx: -mx.example.com\nmax_age: 1\n",
	    "mx \"-mx.example.com\" is not", 0, 0, NULL },
	{ "policy: mx with a label ending with a hyphen",
	    V "mode: enforce\nmx: mx-.example.com\nmax_age: 1\n",
	    "mx \"mx-.example.com\" is not", 0, 0, NULL },
	{ "policy: mx with an empty label",
	    V "mode: enforce\nmx: mx..example.com\nmax_age: 1\n",
	    "mx \"mx..example.com\" is not", 0, 0, NULL },
	{ "policy: mx with a space inside",
	    V "mode: enforce\nmx: mx example.com\nmax_age: 1\n",
	    "mx \"mx example.com\" is not", 0, 0, NULL },
	{ "policy: mx as a U-label (UTF-8)",
	    V "mode: enforce\nmx: m\xc3\xa4il.example.com\nmax_age: 1\n",
	    "mx \"m\\xc3\\xa4il.example.com\" is not", 0, 0, NULL },
	{ "policy: mx with a label of 64 characters",
	    V "mode: enforce\nmx: " ID32 ID32 ".example.com\nmax_age: 1\n",
	    "is not a host name", 0, 0, NULL },
	{ "policy: mx with a label of 63 characters",
	    V "mode: enforce\nmx: " ID32 "abcdefghijklmnopqrstuvwxyz01234"
	    ".example.com\nmax_age: 1\n", NULL, STS_MODE_ENFORCE, 1,
	    ID32 "abcdefghijklmnopqrstuvwxyz01234.example.com" },
};
#define NPOLICIES	(sizeof policy_rows / sizeof policy_rows[0])

/* A host, and whether MATCH_MX matches it. */
struct match_row {
	const char	*host;
	bool		 match;
};

#define MATCH_MX	"mx: mx1.example.org\nmx: *.example.com\n"

static const struct match_row match_rows[] = {
	{ "mx1.example.com", true },
	{ "example.com", false },
	{ "a.b.example.com", false },
	{ "MX1.EXAMPLE.COM", true },
	{ "mx1.example.com.", true },
	{ "mx1.example.org", true },
	{ "MX1.Example.Org.", true },
	{ "mx2.example.org", false },
	{ "example.org", false },
	{ "a.mx1.example.org", false },
	{ ".example.com", false },
	{ "xexample.com", false },
	{ "mx1.notexample.com", false },
	{ "mx1.example.com.evil.test", false },
	{ "mx1.example.org.x", false },
	{ "", false },
	{ ".", false },
};
#define NMATCHES	(sizeof match_rows / sizeof match_rows[0])

static void
record_row(const struct record_row *r)
{
	char	id[STS_ID_MAX + 1];
	int	rc;

	memset(id, 'x', sizeof id);
	rc = sts_record_parse(r->txt, id, sizeof id);
	if (r->id == NULL) {
		TAP_CHECK(rc == -1);
		TAP_CHECK(id[0] == '\0');
	} else {
		TAP_CHECK(rc == 0);
		TAP_STREQ(id, r->id);
	}
}

/* The patterns of p, ' ' between (caller frees). */
static char *
join_mx(const struct sts_policy *p)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < p->nmx; i++)
		buf_addf(&b, "%s%s", i > 0 ? " " : "", p->mx[i]);
	return (buf_detach(&b));
}

static void
policy_row(const struct policy_row *r)
{
	struct sts_policy	 p;
	char			*cause = NULL, *mx;
	int			 rc;

	rc = sts_policy_parse(r->body, strlen(r->body), &p, &cause);
	if (r->cause != NULL) {
		TAP_CHECK(rc == -1);
		TAP_CHECK(cause != NULL && strstr(cause, r->cause) != NULL);
		if (cause != NULL && strstr(cause, r->cause) == NULL)
			printf("# cause: %s\n", cause);
		/* A refused policy is empty. */
		TAP_CHECK(p.mx == NULL && p.nmx == 0);
		free(cause);
		return;
	}
	TAP_CHECK(rc == 0);
	if (rc != 0) {
		printf("# cause: %s\n", cause);
		free(cause);
		return;
	}
	TAP_CHECK(p.mode == r->mode);
	TAP_CHECK(p.max_age == r->max_age);
	mx = join_mx(&p);
	TAP_STREQ(mx, r->mx);
	free(mx);
	sts_policy_clear(&p);
	TAP_CHECK(p.mx == NULL && p.nmx == 0);
}

static void
match_row(const struct sts_policy *p, const struct match_row *r)
{
	TAP_CHECK(sts_mx_match(p, r->host) == r->match);
}

/* An RRset: the one STSv1 record among others, or not one. */
static void
test_pick(void)
{
	const char	*spf[] = { "v=spf1 -all", "v=STSv1; id=one" };
	const char	*two[] = { "v=STSv1; id=a", "v=STSv1; id=b" };
	const char	*other[] = { "v=STSv1x; id=b", "v=STSv1; id=a" };
	const char	*bad[] = { "v=STSv1 ; id=a-b", "hello" };
	const char	*none[] = { "v=spf1 -all" };
	char		 id[STS_ID_MAX + 1], *cause = NULL;

	TAP_CHECK(sts_record_pick(spf, 2, id, sizeof id, &cause) == 0);
	TAP_STREQ(id, "one");
	TAP_CHECK(sts_record_pick(other, 2, id, sizeof id, &cause) == 0);
	TAP_STREQ(id, "a");

	TAP_CHECK(sts_record_pick(two, 2, id, sizeof id, &cause) == -1);
	TAP_STREQ(cause, "2 records begin with v=STSv1, not one");
	free(cause);
	cause = NULL;
	TAP_CHECK(sts_record_pick(none, 1, id, sizeof id, &cause) == -1);
	TAP_STREQ(cause, "no v=STSv1 record");
	free(cause);
	cause = NULL;
	TAP_CHECK(sts_record_pick(none, 0, id, sizeof id, &cause) == -1);
	TAP_STREQ(cause, "no v=STSv1 record");
	free(cause);
	cause = NULL;
	TAP_CHECK(sts_record_pick(bad, 2, id, sizeof id, &cause) == -1);
	TAP_STREQ(cause, "not a valid STSv1 record: \"v=STSv1 ; id=a-b\"");
	free(cause);
}

/* An id buffer too small for the id is no id. */
static void
test_record_idlen(void)
{
	char	id[4];

	TAP_CHECK(sts_record_parse("v=STSv1; id=abc", id, sizeof id) == 0);
	TAP_STREQ(id, "abc");
	TAP_CHECK(sts_record_parse("v=STSv1; id=abcd", id, sizeof id) == -1);
}

/*
 * The size bound: a policy of exactly STS_BODY_MAX bytes is taken, one
 * byte more is refused; a NUL anywhere is refused.
 */
static void
test_policy_size(void)
{
	struct sts_policy	 p;
	struct buf		 b;
	char			*cause = NULL;

	buf_init(&b);
	buf_adds(&b, GOOD);
	while (b.len + 80 < STS_BODY_MAX)
		buf_adds(&b, "padding: an unknown field, ignored whatever its "
		    "number, 80 bytes a line\n");
	buf_adds(&b, "z:");
	buf_pad(&b, 'x', STS_BODY_MAX - b.len - 1);
	buf_addc(&b, '\n');
	TAP_CHECK(b.len == STS_BODY_MAX);
	TAP_CHECK(sts_policy_parse(b.s, b.len, &p, &cause) == 0);
	TAP_CHECK(p.nmx == 3 && p.max_age == 604800);
	sts_policy_clear(&p);

	buf_addc(&b, '\n');
	TAP_CHECK(sts_policy_parse(b.s, b.len, &p, &cause) == -1);
	TAP_STREQ(cause, "policy larger than 65536 bytes");
	free(cause);
	cause = NULL;

	b.s[10] = '\0';
	TAP_CHECK(sts_policy_parse(b.s, 100, &p, &cause) == -1);
	TAP_STREQ(cause, "policy holds a NUL byte");
	TAP_CHECK(p.mx == NULL);
	free(cause);
	buf_free(&b);
}

/* STS_MX_MAX patterns are taken, one more is refused. */
static void
test_policy_mx_max(void)
{
	struct sts_policy	 p;
	struct buf		 b;
	char			*cause = NULL;
	int			 i;

	buf_init(&b);
	buf_adds(&b, V "mode: enforce\nmax_age: 60\n");
	for (i = 0; i < STS_MX_MAX; i++)
		buf_addf(&b, "mx: mx%d.example.com\n", i);
	TAP_CHECK(sts_policy_parse(b.s, b.len, &p, &cause) == 0);
	TAP_CHECK(p.nmx == STS_MX_MAX);
	TAP_CHECK(sts_mx_match(&p, "mx63.example.com"));
	sts_policy_clear(&p);
	buf_adds(&b, "mx: one-more.example.com\n");
	TAP_CHECK(sts_policy_parse(b.s, b.len, &p, &cause) == -1);
	TAP_STREQ(cause, "more than 64 mx patterns");
	TAP_CHECK(p.mx == NULL && p.nmx == 0);
	free(cause);
	buf_free(&b);
}

/* A remote value in a cause is cut and escaped. */
static void
test_policy_cause_quoted(void)
{
	struct sts_policy	 p;
	struct buf		 b;
	char			*cause = NULL;

	buf_init(&b);
	buf_adds(&b, "version: \"\\");
	buf_pad(&b, 'v', 200);
	buf_adds(&b, "\nmode: none\nmax_age: 1\n");
	TAP_CHECK(sts_policy_parse(b.s, b.len, &p, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "version \"\\\"\\\\vvv") !=
	    NULL);
	TAP_CHECK(cause != NULL && strstr(cause, "vvv...\" is not STSv1") !=
	    NULL);
	TAP_CHECK(cause != NULL && strlen(cause) < 120);
	free(cause);
	buf_free(&b);
}

/* The names of the modes, both ways, and the statuses'. */
static void
test_names(void)
{
	enum sts_mode	m = STS_MODE_NONE;

	TAP_STREQ(sts_mode_name(STS_MODE_ENFORCE), "enforce");
	TAP_STREQ(sts_mode_name(STS_MODE_TESTING), "testing");
	TAP_STREQ(sts_mode_name(STS_MODE_NONE), "none");
	TAP_CHECK(sts_mode_from_name("testing", &m) == 0 &&
	    m == STS_MODE_TESTING);
	TAP_CHECK(sts_mode_from_name("enforce", &m) == 0 &&
	    m == STS_MODE_ENFORCE);
	TAP_CHECK(sts_mode_from_name("Enforce", &m) == -1 &&
	    m == STS_MODE_ENFORCE);
	TAP_CHECK(STS_MODE_NONE < STS_MODE_TESTING &&
	    STS_MODE_TESTING < STS_MODE_ENFORCE);
	TAP_STREQ(sts_fetch_status_name(STS_FETCH_OK), "OK");
	TAP_STREQ(sts_fetch_status_name(STS_FETCH_CERT),
	    "CertificateInvalid");
	TAP_STREQ(sts_fetch_status_name(STS_FETCH_TOO_LARGE), "TooLarge");
}

/* A fetch for a name that is not a domain goes nowhere. */
static void
test_fetch_refuses(void)
{
	struct sts_fetch_opts	 o = { .port = 1 };
	struct buf		 b;
	char			*cause = NULL;

	buf_init(&b);
	buf_adds(&b, "old");
	TAP_CHECK(sts_fetch("evil.test/x?", &o, &b, &cause) ==
	    STS_FETCH_ERROR);
	TAP_STREQ(cause, "\"evil.test/x?\" is not a domain name");
	TAP_CHECK(b.len == 0);
	free(cause);
	cause = NULL;
	TAP_CHECK(sts_fetch("a@b.test", &o, &b, &cause) == STS_FETCH_ERROR);
	free(cause);
	cause = NULL;
	o.connect_addr = "localhost";
	TAP_CHECK(sts_fetch("sts.test", &o, &b, &cause) == STS_FETCH_ERROR);
	TAP_STREQ(cause, "\"localhost\" is not an IPv4 or IPv6 address");
	free(cause);
	cause = NULL;
	o.connect_addr = "127.0.0.1";
	o.port = 65536;
	TAP_CHECK(sts_fetch("sts.test", &o, &b, &cause) == STS_FETCH_ERROR);
	TAP_STREQ(cause, "port 65536 is not a TCP port");
	free(cause);
	buf_free(&b);
}

static const struct tap_case cases[] = {
	{ "the one STSv1 record of an RRset, or none", test_pick },
	{ "an id longer than the buffer is refused", test_record_idlen },
	{ "policy: 65536 bytes taken, 65537 and a NUL refused",
	    test_policy_size },
	{ "policy: 64 mx patterns taken, 65 refused", test_policy_mx_max },
	{ "policy: a remote value in a cause is escaped and cut",
	    test_policy_cause_quoted },
	{ "mode and status names", test_names },
	{ "fetch: a name that is not a domain, an address that is not one, "
	    "a port out of range", test_fetch_refuses },
};
#define NCASES	(sizeof cases / sizeof cases[0])

int
main(void)
{
	struct sts_policy	 p;
	char			*cause = NULL, *name;
	size_t			 i;

	tap_plan(NRECORDS + NPOLICIES + NMATCHES + NCASES);
	for (i = 0; i < NRECORDS; i++) {
		record_row(&record_rows[i]);
		tap_report(record_rows[i].name);
	}
	for (i = 0; i < NPOLICIES; i++) {
		policy_row(&policy_rows[i]);
		tap_report(policy_rows[i].name);
	}
	if (sts_policy_parse(V "mode: enforce\n" MATCH_MX "max_age: 1\n",
	    strlen(V "mode: enforce\n" MATCH_MX "max_age: 1\n"), &p,
	    &cause) != 0) {
		printf("# %s\n", cause);
		free(cause);
		tap_case_failed = 1;
	}
	for (i = 0; i < NMATCHES; i++) {
		match_row(&p, &match_rows[i]);
		xasprintf(&name, "match: \"%s\" %s mx1.example.org, "
		    "*.example.com", match_rows[i].host, match_rows[i].match ?
		    "matches" : "does not match");
		tap_report(name);
		free(name);
	}
	sts_policy_clear(&p);
	return (tap_cases(cases, NCASES));
}
