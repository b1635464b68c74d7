/*
 * dsn_test.c - unit tests of transport/dsn.c: the structure and fields
 * of delivery status notifications, checked by string search and by
 * Python's email package (a real MIME parser).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "transport.h"
#include "xmalloc.h"

#define NOW		1700000000	/* Tue, 14 Nov 2023 22:13:20 +0000 */
#define RECEIVED	1699900000
#define PYTHON		"/usr/bin/python3"

static const char	orig_body[] =
	"From: Alice <alice@example.org>\r\n"
	"To: bob@example.net\r\n"
	"Subject: Quarterly report\r\n"
	"Message-ID: <abc.123@example.org>\r\n"
	"\r\n"
	"Hello Bob,\r\n"
	"SECRET-BODY-LINE\r\n";

static const char	long_diag[] =
	"451 4.4.0 Primary target IP address responded with: \"451 5.7.3 "
	"STARTTLS is required to send mail.\" Attempted failover to "
	"alternate host, but that did not succeed. Either there are no "
	"alternate hosts, or delivery failed to all alternate hosts. The "
	"last endpoint attempted was 192.0.2.25:25";

/*
 * Prints what the parser saw, one "key=value" per line.  No single
 * quotes: the script goes to the shell inside them.
 */
static const char	py_script[] =
	"import sys, email, email.policy\n"
	"m = email.message_from_bytes(open(sys.argv[1], \"rb\").read(),\n"
	"    policy=email.policy.default)\n"
	"print(\"type=\" + m.get_content_type())\n"
	"print(\"report=\" + str(m.get_param(\"report-type\")))\n"
	"print(\"subject=\" + str(m[\"subject\"]))\n"
	"print(\"bcc=\" + str(m[\"bcc\"]))\n"
	"print(\"defects=%d\" % sum(len(x.defects) for x in m.walk()))\n"
	"p = m.get_payload()\n"
	"print(\"parts=\" + \",\".join(x.get_content_type() for x in p))\n"
	"ds = p[1].get_payload()\n"
	"print(\"blocks=%d\" % len(ds))\n"
	"print(\"mta=\" + str(ds[0][\"Reporting-MTA\"]))\n"
	"for b in ds[1:]:\n"
	"    print(\"rcpt=%s|%s|%s\" % (b[\"Final-Recipient\"],\n"
	"        b[\"Action\"], b[\"Status\"]))\n"
	"    print(\"diag=\" + str(b[\"Diagnostic-Code\"]))\n"
	"if p[2].get_content_type() == \"message/rfc822\":\n"
	"    print(\"orig=\" + str(p[2].get_payload()[0][\"subject\"]))\n";

static void
init_msg(struct spool_msg *m)
{
	memset(m, 0, sizeof *m);
	m->sender = "alice@example.org";
	m->envid = "Q+2B42";
	m->received = RECEIVED;
	m->message_id = "<abc.123@example.org>";
	m->subject = "Quarterly report";
	m->source = "SMTP";
}

static void
init_rcpts(struct dsn_rcpt *r)
{
	memset(r, 0, 3 * sizeof *r);
	r[0].addr = "bob@example.net";
	r[0].orcpt = "rfc822;bob+2Btag@example.net";
	r[0].status = "4.4.7";
	r[0].diagnostic = "550 4.4.7 QUEUE.Expired; message expired";
	r[0].last_attempt = NOW - 60;
	r[0].retry_until = RECEIVED + 2 * 86400;
	r[1].addr = "carol@example.com";
	r[1].status = "5.7.3";
	r[1].diagnostic = long_diag;
	r[1].remote_mta = "mx.example.com";
	r[2].addr = "dave@example.com";
	r[2].orcpt = "dave@example.com";
	r[2].status = "2.0.0";
}

/* Build a report into a fresh string. */
static char *
build(enum dsn_action a, const struct spool_msg *m, const char *body,
    size_t len, const struct dsn_rcpt *r, size_t n)
{
	struct buf	out;

	buf_init(&out);
	dsn_build(&out, a, m, body, len, r, n, "hub.example.org", NOW, NULL);
	return (buf_detach(&out));
}

/* Is "line" a whole line of s? */
static int
has_line(const char *s, const char *line)
{
	size_t		 n = strlen(line);
	const char	*p = s;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == s || p[-1] == '\n') && strncmp(p + n, "\r\n", 2) == 0)
			return (1);
		p++;
	}
	return (0);
}

/* How many times does needle occur in s? */
static int
count(const char *s, const char *needle)
{
	int	n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return (n);
}

/* Only CRLF line endings, and the report ends in one. */
static int
crlf_only(const char *s)
{
	size_t	i, len = strlen(s);

	for (i = 0; i < len; i++) {
		if (s[i] == '\r' && s[i + 1] != '\n')
			return (0);
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return (0);
	}
	return (len >= 2 && strcmp(s + len - 2, "\r\n") == 0);
}

/* The longest line, without its CRLF. */
static size_t
longest_line(const char *s)
{
	size_t		 max = 0, n;
	const char	*e;

	for (; *s != '\0'; s = e + 2) {
		if ((e = strstr(s, "\r\n")) == NULL)
			return (strlen(s) > max ? strlen(s) : max);
		n = (size_t)(e - s);
		if (n > max)
			max = n;
	}
	return (max);
}

/* The header section of the report (up to the empty line). */
static char *
top_headers(const char *s)
{
	const char	*e = strstr(s, "\r\n\r\n");

	return (xstrndup(s, e != NULL ? (size_t)(e - s) + 2 : strlen(s)));
}

/* The boundary parameter of the report's Content-Type. */
static char *
boundary_of(const char *s)
{
	const char	*p = strstr(s, "boundary=\""), *e;

	if (p == NULL)
		return (NULL);
	p += strlen("boundary=\"");
	if ((e = strchr(p, '"')) == NULL)
		return (NULL);
	return (xstrndup(p, (size_t)(e - p)));
}

/* The text of the part whose Content-Type line is ctype, or NULL. */
static char *
part_of(const char *s, const char *ctype)
{
	char		*b, *delim, *r = NULL;
	const char	*p, *e;

	if ((b = boundary_of(s)) == NULL)
		return (NULL);
	delim = xprintf("\r\n--%s", b);
	p = strstr(s, ctype);
	if (p != NULL && (p = strstr(p, "\r\n\r\n")) != NULL &&
	    (e = strstr(p + 4, delim)) != NULL)
		r = xstrndup(p + 4, (size_t)(e - p - 4));
	free(delim);
	free(b);
	return (r);
}

/* Join the lines of s (taken over) with spaces, to match wrapped text. */
static char *
unwrap(char *s)
{
	char	*p, *q;

	if (s == NULL)
		return (NULL);
	for (p = q = s; *p != '\0'; p++) {
		if (p[0] == '\r' && p[1] == '\n') {
			*q++ = ' ';
			p++;
		} else
			*q++ = *p;
	}
	*q = '\0';
	return (s);
}

/* Parse s with Python's email package; its key=value report, or NULL. */
static char *
py_parse(const char *s)
{
	char		 path[] = "/tmp/hubd-dsn-test.XXXXXX", *cmd, line[4096];
	struct buf	 res;
	FILE		*f;
	int		 fd;

	if ((fd = mkstemp(path)) == -1)
		return (NULL);
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		close(fd);
		unlink(path);
		return (NULL);
	}
	close(fd);
	cmd = xprintf("%s -c '%s' %s", PYTHON, py_script, path);
	buf_init(&res);
	if ((f = popen(cmd, "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			buf_adds(&res, line);
		if (pclose(f) != 0)
			buf_adds(&res, "exit=failed\n");
	}
	unlink(path);
	free(cmd);
	return (buf_detach(&res));
}

/* Does the parser's report hold the line "key=value"? */
static int
py_has(const char *res, const char *kv)
{
	char	*l = xprintf("%s\n", kv);
	int	 found;

	found = strncmp(res, l, strlen(l)) == 0 || strstr(res, l) != NULL;
	if (!found)
		printf("# python: no \"%s\" in:\n# %s\n", kv, res);
	free(l);
	return (found);
}

static int
have_python(void)
{
	if (access(PYTHON, X_OK) == 0)
		return (1);
	printf("# %s not found: parser checks skipped\n", PYTHON);
	return (0);
}

static void
test_structure(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *h, *b, *open, *close;

	init_msg(&m);
	init_rcpts(r);
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 2);
	TAP_CHECK(crlf_only(s));
	TAP_CHECK(longest_line(s) <= 998);
	h = top_headers(s);
	TAP_CHECK(has_line(h, "From: Mail Delivery System "
	    "<MAILER-DAEMON@hub.example.org>"));
	TAP_CHECK(has_line(h, "To: <alice@example.org>"));
	TAP_CHECK(has_line(h, "Date: Tue, 14 Nov 2023 22:13:20 +0000"));
	TAP_CHECK(strstr(h, "\r\nMessage-ID: <1700000000.") != NULL);
	TAP_CHECK(strstr(h, "@hub.example.org>\r\n") != NULL);
	TAP_CHECK(has_line(h, "Subject: Undeliverable: Quarterly report"));
	TAP_CHECK(has_line(h, "In-Reply-To: <abc.123@example.org>"));
	TAP_CHECK(has_line(h, "References: <abc.123@example.org>"));
	TAP_CHECK(has_line(h, "MIME-Version: 1.0"));
	TAP_CHECK(strstr(h, "Content-Type: multipart/report; "
	    "report-type=delivery-status;") != NULL);
	TAP_CHECK(has_line(h, "Auto-Submitted: auto-replied"));
	TAP_CHECK(strstr(h, "Content-Transfer-Encoding") == NULL);
	b = boundary_of(h);
	TAP_CHECK(b != NULL);
	if (b != NULL) {
		open = xprintf("--%s", b);
		close = xprintf("--%s--", b);
		TAP_CHECK(count(s, open) == 4);
		TAP_CHECK(has_line(s, close));
		TAP_CHECK(count(s, close) == 1);
		TAP_CHECK(strlen(s) > strlen(close) + 2 &&
		    strncmp(s + strlen(s) - strlen(close) - 2, close,
		    strlen(close)) == 0);
		free(open);
		free(close);
	}
	TAP_CHECK(strstr(s, "\r\nContent-Type: text/plain; charset=utf-8\r\n")
	    != NULL);
	TAP_CHECK(strstr(s, "\r\nContent-Type: message/delivery-status\r\n")
	    != NULL);
	TAP_CHECK(strstr(s, "\r\nContent-Type: message/rfc822\r\n") != NULL);
	free(b);
	free(h);
	free(s);
}

static void
test_failed_fields(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *ds;

	init_msg(&m);
	init_rcpts(r);
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 2);
	ds = part_of(s, "message/delivery-status");
	TAP_CHECK(ds != NULL);
	if (ds == NULL)
		ds = xstrdup("");
	TAP_CHECK(strncmp(ds, "Reporting-MTA: dns; hub.example.org\r\n",
	    37) == 0);
	TAP_CHECK(has_line(ds, "Original-Envelope-Id: Q+42"));
	TAP_CHECK(has_line(ds, "Arrival-Date: Mon, 13 Nov 2023 18:26:40 "
	    "+0000"));
	TAP_CHECK(count(ds, "\r\n\r\n") == 2);
	TAP_CHECK(has_line(ds, "Final-Recipient: rfc822;bob@example.net"));
	TAP_CHECK(has_line(ds, "Final-Recipient: rfc822;carol@example.com"));
	TAP_CHECK(count(ds, "Action: failed\r\n") == 2);
	TAP_CHECK(has_line(ds, "Status: 5.4.7"));
	TAP_CHECK(has_line(ds, "Status: 5.7.3"));
	TAP_CHECK(has_line(ds, "Diagnostic-Code: smtp; 550 4.4.7 "
	    "QUEUE.Expired; message expired"));
	TAP_CHECK(strstr(ds, "Diagnostic-Code: smtp; 451 4.4.0 Primary "
	    "target") != NULL);
	TAP_CHECK(has_line(ds, "Remote-MTA: dns; mx.example.com"));
	TAP_CHECK(count(ds, "Remote-MTA:") == 1);
	TAP_CHECK(has_line(ds, "Last-Attempt-Date: Tue, 14 Nov 2023 "
	    "22:12:20 +0000"));
	TAP_CHECK(count(ds, "Last-Attempt-Date:") == 1);
	TAP_CHECK(strstr(ds, "Will-Retry-Until") == NULL);
	/* Fields precede in RFC 3464 order within a block. */
	TAP_CHECK(strstr(ds, "Original-Recipient") <
	    strstr(ds, "Final-Recipient"));
	TAP_CHECK(strstr(ds, "Final-Recipient") < strstr(ds, "Action"));
	TAP_CHECK(strstr(ds, "Action") < strstr(ds, "Status"));
	TAP_CHECK(strstr(ds, "Status") < strstr(ds, "Diagnostic-Code"));
	free(ds);
	free(s);
}

static void
test_failed_text(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *t;

	init_msg(&m);
	init_rcpts(r);
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 2);
	t = part_of(s, "text/plain");
	TAP_CHECK(t != NULL);
	if (t == NULL)
		t = xstrdup("");
	TAP_CHECK(strncmp(t, "Delivery has failed to these recipients or "
	    "groups:\r\n\r\nbob@example.net\r\ncarol@example.com\r\n", 84) ==
	    0);
	TAP_CHECK(has_line(t, "Diagnostic information for administrators:"));
	TAP_CHECK(has_line(t, "Generating server: hub.example.org"));
	TAP_CHECK(has_line(t, "Remote Server returned '550 4.4.7 "
	    "QUEUE.Expired; message expired'"));
	TAP_CHECK(has_line(t, "mx.example.com"));
	TAP_CHECK(has_line(t, "mx.example.com"));
	TAP_CHECK(strstr(t, "\r\nRemote Server returned '451 4.4.0 Primary "
	    "target IP address responded with: \"451 5.7.3 STARTTLS is "
	    "required to send mail.\" Attempted failover to alternate host,")
	    != NULL);
	TAP_CHECK(strstr(t, "delayed") == NULL);
	free(t);
	free(s);
}

static void
test_status_mapping(void)
{
	static const struct {
		enum dsn_action	 a;
		const char	*in, *out;
	} cases[] = {
		{ DSN_FAILED, "4.4.7", "Status: 5.4.7" },
		{ DSN_FAILED, "5.7.3", "Status: 5.7.3" },
		{ DSN_FAILED, "4.7.500", "Status: 5.7.500" },
		{ DSN_FAILED, NULL, "Status: 5.0.0" },
		{ DSN_FAILED, "550", "Status: 5.0.0" },
		{ DSN_FAILED, "4.4.7 expired", "Status: 5.0.0" },
		{ DSN_FAILED, "3.1.1", "Status: 5.0.0" },
		{ DSN_DELAYED, "4.4.7", "Status: 4.4.7" },
		{ DSN_DELAYED, "5.1.1", "Status: 4.1.1" },
		{ DSN_DELIVERED, "2.0.0", "Status: 2.0.0" },
		{ DSN_DELIVERED, NULL, "Status: 2.0.0" },
		{ DSN_RELAYED, "2.1.5", "Status: 2.1.5" },
		{ DSN_RELAYED, "4.1.5", "Status: 2.1.5" }
	};
	struct spool_msg	 m;
	struct dsn_rcpt		 r;
	char			*s;
	size_t			 i;

	init_msg(&m);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&r, 0, sizeof r);
		r.addr = "bob@example.net";
		r.status = cases[i].in;
		s = build(cases[i].a, &m, orig_body, strlen(orig_body), &r, 1);
		if (!has_line(s, cases[i].out)) {
			printf("# case %zu: no \"%s\"\n", i, cases[i].out);
			tap_case_failed = 1;
		}
		free(s);
	}
}

static void
test_actions(void)
{
	static const struct {
		enum dsn_action	 a;
		const char	*subject, *action, *intro;
	} cases[] = {
		{ DSN_FAILED, "Undeliverable: Quarterly report",
		    "Action: failed", "Delivery has failed" },
		{ DSN_DELAYED, "Delivery delayed: Quarterly report",
		    "Action: delayed", "Delivery is delayed" },
		{ DSN_DELIVERED, "Delivered: Quarterly report",
		    "Action: delivered", "Your message has been delivered" },
		{ DSN_RELAYED, "Relayed: Quarterly report",
		    "Action: relayed", "Delivery to these recipients or "
		    "groups is complete" }
	};
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *subj;
	size_t			 i;

	init_msg(&m);
	init_rcpts(r);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = build(cases[i].a, &m, orig_body, strlen(orig_body), r, 1);
		subj = xprintf("Subject: %s", cases[i].subject);
		TAP_CHECK(has_line(s, subj));
		TAP_CHECK(has_line(s, cases[i].action));
		TAP_CHECK(strstr(s, cases[i].intro) != NULL);
		free(subj);
		free(s);
	}
}

static void
test_ret_hdrs(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *o;

	init_msg(&m);
	init_rcpts(r);
	m.ret_hdrs = true;
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1);
	TAP_CHECK(strstr(s, "Content-Type: text/rfc822-headers\r\n") != NULL);
	TAP_CHECK(strstr(s, "message/rfc822") == NULL);
	TAP_CHECK(strstr(s, "SECRET-BODY-LINE") == NULL);
	TAP_CHECK(strstr(s, "Hello Bob") == NULL);
	o = part_of(s, "text/rfc822-headers");
	TAP_CHECK(o != NULL);
	if (o != NULL)
		TAP_STREQ(o, "From: Alice <alice@example.org>\r\n"
		    "To: bob@example.net\r\n"
		    "Subject: Quarterly report\r\n"
		    "Message-ID: <abc.123@example.org>\r\n");
	free(o);
	free(s);

	/* Without RET=HDRS the whole message comes back. */
	m.ret_hdrs = false;
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1);
	o = part_of(s, "message/rfc822");
	TAP_CHECK(o != NULL);
	if (o != NULL)
		TAP_STREQ(o, orig_body);
	free(o);
	free(s);
}

static void
test_delayed(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *t, *ds;

	init_msg(&m);
	init_rcpts(r);
	r[0].status = "4.4.7";
	r[0].diagnostic = "400 4.4.7 Message delayed";
	s = build(DSN_DELAYED, &m, orig_body, strlen(orig_body), r, 1);
	TAP_CHECK(crlf_only(s));
	TAP_CHECK(strstr(s, "Content-Type: text/rfc822-headers\r\n") != NULL);
	TAP_CHECK(strstr(s, "SECRET-BODY-LINE") == NULL);
	TAP_CHECK(has_line(s, "Subject: Delivery delayed: Quarterly report"));
	ds = part_of(s, "message/delivery-status");
	TAP_CHECK(ds != NULL && has_line(ds, "Action: delayed"));
	TAP_CHECK(ds != NULL && has_line(ds, "Status: 4.4.7"));
	TAP_CHECK(ds != NULL && has_line(ds,
	    "Will-Retry-Until: Wed, 15 Nov 2023 18:26:40 +0000"));
	TAP_CHECK(ds != NULL && has_line(ds,
	    "Diagnostic-Code: smtp; 400 4.4.7 Message delayed"));
	t = unwrap(part_of(s, "text/plain"));
	TAP_CHECK(t != NULL && strncmp(t, "Delivery is delayed to these "
	    "recipients or groups:  ", 52) == 0);
	TAP_CHECK(t != NULL && strstr(t, "This message hasn't been "
	    "delivered yet. Delivery will continue to be attempted.") !=
	    NULL);
	TAP_CHECK(t != NULL && strstr(t, "The server will keep trying to "
	    "deliver this message until Wed, 15 Nov 2023 18:26:40 +0000.")
	    != NULL);
	free(t);
	free(ds);
	free(s);

	/* Will-Retry-Until is for delayed reports only. */
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1);
	TAP_CHECK(strstr(s, "Will-Retry-Until") == NULL);
	TAP_CHECK(strstr(s, "keep trying") == NULL);
	free(s);
}

static void
test_orcpt(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s;

	init_msg(&m);
	init_rcpts(r);
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 3);
	TAP_CHECK(has_line(s,
	    "Original-Recipient: rfc822;bob+tag@example.net"));
	TAP_CHECK(has_line(s, "Original-Recipient: rfc822;dave@example.com"));
	TAP_CHECK(strstr(s, "rfc822;rfc822") == NULL);
	TAP_CHECK(count(s, "Original-Recipient:") == 2);
	free(s);

	/* Another address type is kept; a +HH that is no xtext stays. */
	r[0].orcpt = "utf-8; x+2By+zz@example.net";
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1);
	TAP_CHECK(has_line(s,
	    "Original-Recipient: utf-8;x+y+zz@example.net"));
	free(s);
}

static void
test_injection(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *h, *res;

	init_msg(&m);
	init_rcpts(r);
	m.subject = "a\r\nBcc: x@y";
	m.message_id = "<id@x>\r\nX-Evil: 1";
	r[0].diagnostic = "550 5.1.1 bad\r\nX-Injected: yes";
	r[0].addr = "bob@example.net\r\nAction: delivered";
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1);
	h = top_headers(s);
	TAP_CHECK(has_line(h, "Subject: Undeliverable: a Bcc: x@y"));
	TAP_CHECK(strstr(s, "\nBcc:") == NULL);
	TAP_CHECK(strstr(s, "\nX-Evil:") == NULL);
	TAP_CHECK(strstr(s, "\nX-Injected:") == NULL);
	TAP_CHECK(count(s, "\nAction:") == 1);
	TAP_CHECK(has_line(h, "In-Reply-To: <id@x>"));
	TAP_CHECK(crlf_only(s));
	if (have_python()) {
		res = py_parse(s);
		TAP_CHECK(res != NULL && py_has(res, "bcc=None"));
		TAP_CHECK(res != NULL && py_has(res,
		    "subject=Undeliverable: a Bcc: x@y"));
		TAP_CHECK(res != NULL && py_has(res, "blocks=2"));
		free(res);
	}
	free(h);
	free(s);
}

static void
test_null_sender(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	struct buf		 out;
	char			*id, *hdr;

	init_msg(&m);
	init_rcpts(r);
	m.sender = "";
	buf_init(&out);
	buf_adds(&out, "kept");
	id = (char *)1;
	dsn_build(&out, DSN_FAILED, &m, orig_body, strlen(orig_body), r, 3,
	    "hub.example.org", NOW, &id);
	TAP_STREQ(out.s, "kept");
	TAP_CHECK(id == NULL);
	m.sender = "\r\n";
	dsn_build(&out, DSN_FAILED, &m, orig_body, strlen(orig_body), r, 3,
	    "hub.example.org", NOW, &id);
	TAP_STREQ(out.s, "kept");
	TAP_CHECK(id == NULL);
	/* No recipients: nothing to report. */
	m.sender = "alice@example.org";
	dsn_build(&out, DSN_FAILED, &m, orig_body, strlen(orig_body), r, 0,
	    "hub.example.org", NOW, &id);
	TAP_STREQ(out.s, "kept");
	TAP_CHECK(id == NULL);
	/* A report is appended after what out holds; its id is handed back. */
	dsn_build(&out, DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1,
	    "hub.example.org", NOW, &id);
	TAP_CHECK(strncmp(out.s, "keptFrom: ", 10) == 0);
	TAP_CHECK(id != NULL && id[0] == '<' && strstr(id,
	    "@hub.example.org>") != NULL);
	if (id != NULL) {
		hdr = xprintf("\r\nMessage-ID: %s\r\n", id);
		TAP_CHECK(strstr(out.s, hdr) != NULL);
		free(hdr);
	}
	free(id);
	buf_free(&out);
}

static void
test_multiple_rcpts_parsed(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *res;

	init_msg(&m);
	init_rcpts(r);
	r[2].status = "5.1.1";
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 3);
	TAP_CHECK(count(s, "Final-Recipient: ") == 3);
	if (!have_python()) {
		free(s);
		return;
	}
	res = py_parse(s);
	TAP_CHECK(res != NULL);
	if (res != NULL) {
		TAP_CHECK(py_has(res, "type=multipart/report"));
		TAP_CHECK(py_has(res, "report=delivery-status"));
		TAP_CHECK(py_has(res, "defects=0"));
		TAP_CHECK(py_has(res, "parts=text/plain,"
		    "message/delivery-status,message/rfc822"));
		TAP_CHECK(py_has(res, "blocks=4"));
		TAP_CHECK(py_has(res, "mta=dns; hub.example.org"));
		TAP_CHECK(py_has(res,
		    "rcpt=rfc822;bob@example.net|failed|5.4.7"));
		TAP_CHECK(py_has(res,
		    "rcpt=rfc822;carol@example.com|failed|5.7.3"));
		TAP_CHECK(py_has(res,
		    "rcpt=rfc822;dave@example.com|failed|5.1.1"));
		TAP_CHECK(strstr(res, long_diag) != NULL);
		TAP_CHECK(py_has(res, "orig=Quarterly report"));
		TAP_CHECK(py_has(res, "subject=Undeliverable: Quarterly "
		    "report"));
		free(res);
	}
	free(s);
}

static void
test_delayed_parsed(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *res;

	if (!have_python())
		return;
	init_msg(&m);
	init_rcpts(r);
	s = build(DSN_DELAYED, &m, orig_body, strlen(orig_body), r, 2);
	res = py_parse(s);
	TAP_CHECK(res != NULL);
	if (res != NULL) {
		TAP_CHECK(py_has(res, "type=multipart/report"));
		TAP_CHECK(py_has(res, "defects=0"));
		TAP_CHECK(py_has(res, "parts=text/plain,"
		    "message/delivery-status,text/rfc822-headers"));
		TAP_CHECK(py_has(res, "blocks=3"));
		TAP_CHECK(py_has(res,
		    "rcpt=rfc822;carol@example.com|delayed|4.7.3"));
		free(res);
	}
	free(s);
}

static void
test_subject_encoding(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *h, *res;

	init_msg(&m);
	init_rcpts(r);
	m.subject = "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln: "
	    "\xe2\x82\xac 100 f\xc3\xbcr die Bahnfahrt, "
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6"
	    "\xe5\x90\x8d\xe3\x81\xa7\xe3\x81\x99";
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1);
	h = top_headers(s);
	TAP_CHECK(strstr(h, "Subject: Undeliverable:\r\n =?UTF-8?B?") !=
	    NULL);
	TAP_CHECK(count(h, "=?UTF-8?B?") >= 2);
	TAP_CHECK(strspn(h, "\t\r\n !\"#$%&'()*+,-./0123456789:;<=>?@"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz"
	    "{|}~") == strlen(h));
	TAP_CHECK(longest_line(h) <= 78);
	if (have_python()) {
		res = py_parse(s);
		TAP_CHECK(res != NULL && py_has(res, "subject=Undeliverable: "
		    "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln: \xe2\x82\xac 100 "
		    "f\xc3\xbcr die Bahnfahrt, \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa"
		    "\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d\xe3\x81\xa7\xe3"
		    "\x81\x99"));
		free(res);
	}
	free(h);
	free(s);

	/* Invalid UTF-8 (Latin-1) becomes U+FFFD, still encoded. */
	m.subject = "caf\xe9";
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1);
	TAP_CHECK(has_line(s, "Subject: Undeliverable: =?UTF-8?B?Y2Fm77+9?="));
	free(s);

	/* No subject: the prefix alone. */
	m.subject = NULL;
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1);
	TAP_CHECK(has_line(s, "Subject: Undeliverable"));
	free(s);
	m.subject = " \r\n ";
	s = build(DSN_DELAYED, &m, orig_body, strlen(orig_body), r, 1);
	TAP_CHECK(has_line(s, "Subject: Delivery delayed"));
	free(s);
}

static void
test_long_lines(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	struct buf		 d;
	char			*s, *res;
	size_t			 i;

	init_msg(&m);
	init_rcpts(r);
	buf_init(&d);
	buf_adds(&d, "550 5.0.0 ");
	for (i = 0; i < 3000; i++)
		buf_addc(&d, (char)('a' + i % 26));
	for (i = 0; i < 200; i++)
		buf_adds(&d, " word");
	r[0].diagnostic = d.s;
	s = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1);
	TAP_CHECK(crlf_only(s));
	TAP_CHECK(longest_line(s) <= 998);
	TAP_CHECK(strstr(s, "Diagnostic-Code: smtp; 550 5.0.0\r\n abc") !=
	    NULL);
	if (have_python()) {
		res = py_parse(s);
		TAP_CHECK(res != NULL && py_has(res, "defects=0"));
		TAP_CHECK(res != NULL && py_has(res, "blocks=2"));
		TAP_CHECK(res != NULL &&
		    strstr(res, "diag=smtp; 550 5.0.0 abc") != NULL);
		free(res);
	}
	buf_free(&d);
	free(s);
}

static void
test_large_original(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	struct buf		 big;
	char			*s;

	init_msg(&m);
	init_rcpts(r);
	buf_init(&big);
	buf_adds(&big, "Subject: big\r\n\r\n");
	while (big.len <= 1024 * 1024)
		buf_adds(&big, "0123456789012345678901234567890123456789"
		    "012345678901234567890123456789012345678\r\n");
	s = build(DSN_FAILED, &m, big.s, big.len, r, 1);
	TAP_CHECK(strstr(s, "Content-Type: text/rfc822-headers\r\n") != NULL);
	TAP_CHECK(strstr(s, "0123456789") == NULL);
	TAP_CHECK(strstr(s, "over 1 MiB: only its headers are attached") !=
	    NULL);
	TAP_CHECK(strlen(s) < 8192);
	free(s);
	/* At the limit the whole message still comes back. */
	big.len = 1024 * 1024;
	s = build(DSN_FAILED, &m, big.s, big.len, r, 1);
	TAP_CHECK(strstr(s, "Content-Type: message/rfc822\r\n") != NULL);
	TAP_CHECK(strstr(s, "headers are attached") == NULL);
	free(s);
	buf_free(&big);
}

static void
test_unique_ids(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s1, *s2, *b1, *b2, *id1, *id2;

	init_msg(&m);
	init_rcpts(r);
	s1 = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1);
	s2 = build(DSN_FAILED, &m, orig_body, strlen(orig_body), r, 1);
	b1 = boundary_of(s1);
	b2 = boundary_of(s2);
	TAP_CHECK(b1 != NULL && b2 != NULL && strcmp(b1, b2) != 0);
	id1 = strstr(s1, "Message-ID: ");
	id2 = strstr(s2, "Message-ID: ");
	TAP_CHECK(id1 != NULL && id2 != NULL &&
	    strcspn(id1, "\r") == strcspn(id2, "\r") &&
	    strncmp(id1, id2, strcspn(id1, "\r")) != 0);
	free(b1);
	free(b2);
	free(s1);
	free(s2);
}

static void
test_edge_originals(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *o;
	const char		*nobody = "Subject: x\r\nFrom: a@b\r\n";
	const char		*noheaders = "\r\nbody only\r\n";

	init_msg(&m);
	init_rcpts(r);
	m.ret_hdrs = true;
	m.message_id = NULL;
	s = build(DSN_FAILED, &m, nobody, strlen(nobody), r, 1);
	o = part_of(s, "text/rfc822-headers");
	TAP_CHECK(o != NULL);
	if (o != NULL)
		TAP_STREQ(o, nobody);
	TAP_CHECK(strstr(s, "In-Reply-To") == NULL);
	TAP_CHECK(strstr(s, "References") == NULL);
	free(o);
	free(s);
	s = build(DSN_FAILED, &m, noheaders, strlen(noheaders), r, 1);
	o = part_of(s, "text/rfc822-headers");
	TAP_CHECK(o != NULL);
	if (o != NULL)
		TAP_STREQ(o, "");
	TAP_CHECK(strstr(s, "body only") == NULL);
	free(o);
	free(s);
	/* A Message-ID without angle brackets gets them. */
	m.message_id = "bare@example.org";
	s = build(DSN_FAILED, &m, nobody, strlen(nobody), r, 1);
	TAP_CHECK(has_line(s, "In-Reply-To: <bare@example.org>"));
	free(s);
}

static void
test_eightbit_original(void)
{
	struct spool_msg	 m;
	struct dsn_rcpt		 r[3];
	char			*s, *h;
	const char		*body = "Subject: x\r\n\r\nK\xc3\xb6ln\r\n";

	init_msg(&m);
	init_rcpts(r);
	s = build(DSN_FAILED, &m, body, strlen(body), r, 1);
	h = top_headers(s);
	TAP_CHECK(has_line(h, "Content-Transfer-Encoding: 8bit"));
	TAP_CHECK(strstr(s, "Content-Type: message/rfc822\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n") != NULL);
	TAP_CHECK(strstr(s, "Content-Type: message/delivery-status\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n") != NULL);
	free(h);
	free(s);
}

static const struct tap_case cases[] = {
	{ "report structure and headers", test_structure },
	{ "failed: delivery-status fields", test_failed_fields },
	{ "failed: human-readable part", test_failed_text },
	{ "status class follows the action", test_status_mapping },
	{ "subjects, actions and intros", test_actions },
	{ "RET=HDRS returns headers only", test_ret_hdrs },
	{ "delayed: headers and Will-Retry-Until", test_delayed },
	{ "ORCPT becomes Original-Recipient once", test_orcpt },
	{ "header injection is neutralised", test_injection },
	{ "null sender: nothing, and no Message-ID handed back; a report's "
	    "is the one in its header", test_null_sender },
	{ "multiple recipients, parsed by Python", test_multiple_rcpts_parsed },
	{ "delayed report parsed by Python", test_delayed_parsed },
	{ "non-ASCII subject as RFC 2047", test_subject_encoding },
	{ "long values stay within 998 octets", test_long_lines },
	{ "large original: headers only", test_large_original },
	{ "Message-ID and boundary are unique", test_unique_ids },
	{ "originals without body or headers", test_edge_originals },
	{ "8-bit original is labelled 8bit", test_eightbit_original }
};

TAP_MAIN(cases)
