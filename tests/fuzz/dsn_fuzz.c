/*
 * dsn_fuzz.c - libFuzzer target for header parsing and report building:
 * rfc5322_hdr_next() and rfc5322_hdr_unfold() over a message, then
 * dsn_build() on it with a sender, recipients and diagnostics taken from
 * the input.
 *
 * The input: one byte of flags (the report's action, RET=HDRS, a second
 * recipient), then lines: the envelope sender, the recipient, its ORCPT,
 * its diagnostic, the remote MTA, and the rest is the original message.
 * The original is first made what the spool holds (smtpd's rules: CRLF
 * line ends, a bare CR a space, lines of at most 998 octets), and then
 * what dsn_build() promises is checked: an unfolded header value holds
 * no CR or LF; the report, when there is one, ends every line in CRLF,
 * has no other CR or LF and no line over 998 octets, and its header
 * section holds the fields dsn_top() writes, each once, and nothing else:
 * no sender, subject or Message-ID from the input can add a field.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"
#include "transport.h"

#define LINE_MAX_OCTETS	998

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The next line of p[*off..len) as a new string (without its LF). */
static char *
take_line(const uint8_t *p, size_t len, size_t *off)
{
	const uint8_t	*nl;
	size_t		 n;
	char		*s;

	if (*off >= len)
		return (xstrdup(""));
	nl = memchr(p + *off, '\n', len - *off);
	n = nl != NULL ? (size_t)(nl - (p + *off)) : len - *off;
	s = xstrndup((const char *)p + *off, n);
	*off += n + (nl != NULL);
	return (s);
}

/* The original as the spool holds it: smtpd's line rules. */
static void
spooled(struct buf *out, const uint8_t *p, size_t len)
{
	size_t	i, col = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '\n' || col == LINE_MAX_OCTETS) {
			buf_add(out, "\r\n", 2);
			col = 0;
			if (p[i] == '\n')
				continue;
		}
		buf_addc(out, p[i] == '\r' ? ' ' : (char)p[i]);
		col++;
	}
	if (col > 0)
		buf_add(out, "\r\n", 2);
}

/* What dsn_build() promises of every line it writes. */
static void
check_lines(const char *s, size_t len)
{
	size_t	i, col = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			if (i + 1 >= len || s[i + 1] != '\n')
				abort();
			i++;
			col = 0;
			continue;
		}
		if (s[i] == '\n' || ++col > LINE_MAX_OCTETS)
			abort();
	}
	if (col != 0)
		abort();
}

/* The report's own header section: dsn_top()'s fields, once each. */
static void
check_top(const char *s, size_t len)
{
	static const char *const names[] = { "From", "To", "Date",
	    "Message-ID", "Subject", "In-Reply-To", "References",
	    "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
	    "Auto-Submitted" };
	struct hdr_field	f;
	size_t			pos = 0, i, n = sizeof names / sizeof names[0];
	bool			seen[sizeof names / sizeof names[0]];
	int			rc;

	memset(seen, 0, sizeof seen);
	while ((rc = rfc5322_hdr_next(s, len, &pos, &f)) == 0) {
		for (i = 0; i < n; i++) {
			if (strlen(names[i]) == f.namelen &&
			    strncasecmp(names[i], f.name, f.namelen) == 0)
				break;
		}
		if (i == n || seen[i])
			abort();
		seen[i] = true;
	}
	/* It ends at the empty line, and nowhere else. */
	if (rc != 1 || pos + 2 > len || memcmp(s + pos, "\r\n", 2) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spool_msg	 msg;
	struct dsn_rcpt		 rc[2];
	struct hdr_field	 f;
	struct buf		 body, out;
	size_t			 off = 1, pos = 0;
	char			*sender, *rcpt, *orcpt, *diag, *remote, *v;
	uint8_t			 flags;

	if (size < 1)
		return (0);
	flags = data[0];
	sender = take_line(data, size, &off);
	rcpt = take_line(data, size, &off);
	orcpt = take_line(data, size, &off);
	diag = take_line(data, size, &off);
	remote = take_line(data, size, &off);
	buf_init(&body);
	spooled(&body, data + off, size - off);

	memset(&msg, 0, sizeof msg);
	msg.sender = sender;
	msg.ret_hdrs = (flags & 0x04) != 0;
	msg.received = 1764931200;
	msg.size = (int64_t)body.len;
	while (rfc5322_hdr_next(body.s, body.len, &pos, &f) == 0) {
		v = rfc5322_hdr_unfold(&f);
		if (strpbrk(v, "\r\n") != NULL)
			abort();
		if (f.namelen == 7 && strncasecmp(f.name, "Subject", 7) == 0 &&
		    msg.subject == NULL)
			msg.subject = v;
		else if (f.namelen == 10 && msg.message_id == NULL &&
		    strncasecmp(f.name, "Message-ID", 10) == 0)
			msg.message_id = v;
		else
			free(v);
	}

	memset(rc, 0, sizeof rc);
	rc[0].addr = rcpt;
	rc[0].orcpt = *orcpt != '\0' ? orcpt : NULL;
	rc[0].status = (flags & 0x03) == DSN_DELAYED ? "4.4.7" : "5.7.3";
	rc[0].diagnostic = diag;
	rc[0].remote_mta = *remote != '\0' ? remote : NULL;
	rc[0].last_attempt = 1764931260;
	rc[0].retry_until = 1765104000;
	rc[1] = rc[0];
	rc[1].addr = remote;
	buf_init(&out);
	dsn_build(&out, (enum dsn_action)(flags & 0x03), &msg, body.s,
	    body.len, rc, (flags & 0x08) ? 2 : 1, "relay.fuzz.test",
	    1764931300, NULL);
	if (out.len > 0) {
		check_lines(out.s, out.len);
		check_top(out.s, out.len);
	}

	buf_free(&out);
	buf_free(&body);
	free(msg.subject);
	free(msg.message_id);
	free(sender);
	free(rcpt);
	free(orcpt);
	free(diag);
	free(remote);
	return (0);
}
