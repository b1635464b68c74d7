/*
 * dsn.c - delivery status notifications (RFC 3464 in RFC 6522's
 * multipart/report).
 *
 * dsn_build() writes one report from MAILER-DAEMON to the original
 * envelope sender: a text/plain part worded like Exchange's reports
 * (exchange-semantics 7.4, 7.5), the message/delivery-status part, and
 * the original message (message/rfc822) or its header section only
 * (text/rfc822-headers).  What it writes always holds that:
 *	- every line it composes ends in CRLF and has at most 998 octets
 *	  before it (RFC 5322 2.1.1); long values are folded at spaces, and
 *	  a word longer than a line is split; the original is copied as it
 *	  was spooled;
 *	- nothing taken from the original message or its envelope can add a
 *	  header or a field: every such value is copied without CR, LF or
 *	  other controls, white space runs made one space (dsn_clean);
 *	- a non-ASCII subject is sent as RFC 2047 encoded-words;
 *	- the MIME boundary occurs in none of the parts;
 *	- each Status field has the class its action requires (failed 5,
 *	  delayed 4, delivered and relayed 2);
 *	- nothing at all is written for a null sender (no report about a
 *	  report) or for no recipients.
 * A part holding octets over 127 (a UTF-8 address, an 8-bit original) is
 * labelled 8bit, and so is the report: it then needs BODY=8BITMIME.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "transport.h"

#define DSN_LINE_MAX	998		/* octets before CRLF */
#define DSN_FOLD	78		/* preferred header line length */
#define DSN_TEXT_WIDTH	76		/* human-readable part */
#define DSN_RETURN_MAX	(1024 * 1024)	/* larger originals: headers only */
#define DSN_EW_OCTETS	45		/* UTF-8 octets per encoded-word */

/* One recipient, its strings made header-safe (NULL: not given). */
struct dsn_rc {
	char		*addr;
	char		*orcpt;
	char		*status;
	char		*diag;
	char		*remote;
	int64_t		 last_attempt;
	int64_t		 retry_until;
};

/* Everything one report is built from. */
struct dsn_ctx {
	enum dsn_action		 action;
	const struct spool_msg	*msg;
	char			*mta;		/* reporting MTA */
	char			*sender;
	char			*subject;	/* "" when none */
	char			*envid;		/* NULL when none */
	char			*ref;		/* "<id>" of the original */
	char			*id;		/* the report's Message-ID */
	struct dsn_rc		*rc;
	size_t			 nrc;
	int64_t			 now;
	bool			 headers_only;	/* part 3: the header section */
	bool			 too_big;	/* ... as over DSN_RETURN_MAX */
};

/* The three parts, before the boundary is chosen. */
struct dsn_parts {
	struct buf	 text;
	struct buf	 status;
	struct buf	 orig;
};

static atomic_uint	dsn_seq;

static char	*dsn_clean(const char *);
static char	*dsn_clean_opt(const char *);
static char	*dsn_ref(const char *);
static void	 dsn_ctx_init(struct dsn_ctx *, enum dsn_action,
		    const struct spool_msg *, const struct dsn_rcpt *, size_t,
		    const char *, int64_t);
static void	 dsn_ctx_free(struct dsn_ctx *);
static bool	 dsn_8bit(const char *, size_t);
static bool	 dsn_contains(const struct buf *, const char *);
static void	 dsn_date(char *, size_t, int64_t);
static uint64_t	 dsn_random(void);
static size_t	 dsn_wrap(struct buf *, const char *, size_t, size_t, bool);
static void	 dsn_header(struct buf *, const char *, const char *);
static void	 dsn_headerf(struct buf *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 dsn_line(struct buf *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 dsn_utf8_fix(struct buf *, const char *);
static void	 dsn_encode_words(struct buf *, const char *);
static void	 dsn_xtext(struct buf *, const char *);
static const char *dsn_action_name(enum dsn_action);
static const char *dsn_subject_prefix(enum dsn_action);
static void	 dsn_subject(struct buf *, const struct dsn_ctx *);
static void	 dsn_status_code(char *, size_t, enum dsn_action,
		    const char *);
static void	 dsn_text_intro(struct buf *, const struct dsn_ctx *);
static void	 dsn_text_diag(struct buf *, const struct dsn_ctx *);
static void	 dsn_text(struct buf *, const struct dsn_ctx *);
static void	 dsn_orcpt(struct buf *, const char *);
static void	 dsn_status_rcpt(struct buf *, const struct dsn_ctx *,
		    const struct dsn_rc *);
static void	 dsn_status(struct buf *, const struct dsn_ctx *);
static size_t	 dsn_header_section(const char *, size_t);
static void	 dsn_boundary(char *, size_t, const struct dsn_parts *);
static void	 dsn_top(struct buf *, const struct dsn_ctx *, const char *,
		    bool);
static void	 dsn_part(struct buf *, const char *, const char *,
		    const struct buf *);
static void	 dsn_parts_build(struct dsn_parts *, struct dsn_ctx *,
		    const char *, size_t);
static void	 dsn_emit(struct buf *, const struct dsn_ctx *,
		    const struct dsn_parts *);

/*
 * Compose the report.  Callers never ask for one about a message with a
 * null sender (RFC 5321: reports go out from <> and none is sent about
 * them, so that two servers cannot bounce a report back and forth); if
 * they do, nothing is appended.  *message_id, unless message_id is NULL,
 * is the report's Message-ID with its <> (caller frees), or NULL when no
 * report was made.
 */
void
dsn_build(struct buf *out, enum dsn_action action,
    const struct spool_msg *msg, const char *body, size_t len,
    const struct dsn_rcpt *rcpts, size_t nrcpts, const char *reporting_mta,
    int64_t now, char **message_id)
{
	struct dsn_ctx		 c;
	struct dsn_parts	 p;

	if (message_id != NULL)
		*message_id = NULL;
	if (msg->sender == NULL || nrcpts == 0)
		return;
	dsn_ctx_init(&c, action, msg, rcpts, nrcpts, reporting_mta, now);
	if (*c.sender != '\0') {
		dsn_parts_build(&p, &c, body, len);
		dsn_emit(out, &c, &p);
		buf_free(&p.text);
		buf_free(&p.status);
		buf_free(&p.orig);
		if (message_id != NULL) {
			*message_id = c.id;
			c.id = NULL;
		}
	}
	dsn_ctx_free(&c);
}

/*
 * The three parts.  The original comes back whole (message/rfc822) but
 * for RET=HDRS, delay reports, and originals over DSN_RETURN_MAX: those
 * get the header section (text/rfc822-headers).
 */
static void
dsn_parts_build(struct dsn_parts *p, struct dsn_ctx *c, const char *body,
    size_t len)
{
	/*
	 * RFC 8689 5: the report on a REQUIRETLS message goes without the
	 * demand, so it carries the original's headers only.
	 */
	c->headers_only = c->msg->ret_hdrs || c->msg->requiretls ||
	    c->action == DSN_DELAYED || len > DSN_RETURN_MAX;
	c->too_big = !c->msg->ret_hdrs && !c->msg->requiretls &&
	    c->action != DSN_DELAYED && len > DSN_RETURN_MAX;
	buf_init(&p->text);
	buf_init(&p->status);
	buf_init(&p->orig);
	dsn_text(&p->text, c);
	dsn_status(&p->status, c);
	if (body != NULL)
		buf_add(&p->orig, body, c->headers_only ?
		    dsn_header_section(body, len) : len);
}

/* Write the report: headers, preamble, the parts, the close delimiter. */
static void
dsn_emit(struct buf *out, const struct dsn_ctx *c,
    const struct dsn_parts *p)
{
	char	boundary[64];
	bool	eightbit;

	dsn_boundary(boundary, sizeof boundary, p);
	eightbit = dsn_8bit(p->text.s, p->text.len) ||
	    dsn_8bit(p->status.s, p->status.len) ||
	    dsn_8bit(p->orig.s, p->orig.len);
	dsn_top(out, c, boundary, eightbit);
	buf_adds(out, "This is a delivery status notification in MIME "
	    "format.\r\n");
	dsn_part(out, boundary, "text/plain; charset=utf-8", &p->text);
	dsn_part(out, boundary, "message/delivery-status", &p->status);
	dsn_part(out, boundary, c->headers_only ? "text/rfc822-headers" :
	    "message/rfc822", &p->orig);
	buf_addf(out, "\r\n--%s--\r\n", boundary);
}

/*
 * A copy of s safe in a header: controls (CR and LF among them) and runs
 * of white space become one space, none at either end.
 */
static char *
dsn_clean(const char *s)
{
	char		*out, *o;
	unsigned char	 ch;
	bool		 space = false;

	if (s == NULL)
		s = "";
	o = out = xmalloc(strlen(s) + 1);
	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if (ch <= ' ' || ch == 0x7f) {
			space = (o != out);
			continue;
		}
		if (space)
			*o++ = ' ';
		space = false;
		*o++ = (char)ch;
	}
	*o = '\0';
	return (out);
}

/* Like dsn_clean, but NULL for a value that is absent or empty. */
static char *
dsn_clean_opt(const char *s)
{
	char	*c;

	if (s == NULL)
		return (NULL);
	c = dsn_clean(s);
	if (*c == '\0') {
		free(c);
		return (NULL);
	}
	return (c);
}

/* The original's Message-ID as "<id>" for In-Reply-To, or NULL. */
static char *
dsn_ref(const char *mid)
{
	char	*c, *lt, *gt, *r = NULL;

	if ((c = dsn_clean_opt(mid)) == NULL)
		return (NULL);
	if ((lt = strchr(c, '<')) != NULL) {
		gt = strchr(lt, '>');
		if (gt != NULL && gt > lt + 1 &&
		    strcspn(lt, " ") > (size_t)(gt - lt))
			r = xstrndup(lt, gt - lt + 1);
	} else if (strcspn(c, " >") == strlen(c))
		r = xprintf("<%s>", c);
	free(c);
	return (r);
}

/* Gather the header-safe copies of everything the report quotes. */
static void
dsn_ctx_init(struct dsn_ctx *c, enum dsn_action action,
    const struct spool_msg *msg, const struct dsn_rcpt *rcpts, size_t n,
    const char *mta, int64_t now)
{
	size_t	i;

	memset(c, 0, sizeof *c);
	c->action = action;
	c->msg = msg;
	c->now = now;
	c->mta = dsn_clean(mta);
	if (*c->mta == '\0') {
		free(c->mta);
		c->mta = xstrdup("localhost");
	}
	c->sender = dsn_clean(msg->sender);
	c->subject = dsn_clean(msg->subject);
	c->envid = dsn_clean_opt(msg->envid);
	c->ref = dsn_ref(msg->message_id);
	c->id = xprintf("<%lld.%u.%016llx@%s>", (long long)now,
	    atomic_fetch_add(&dsn_seq, 1), (unsigned long long)dsn_random(),
	    c->mta);
	c->rc = xcalloc(n, sizeof *c->rc);
	c->nrc = n;
	for (i = 0; i < n; i++) {
		c->rc[i].addr = dsn_clean(rcpts[i].addr);
		c->rc[i].orcpt = dsn_clean_opt(rcpts[i].orcpt);
		c->rc[i].status = dsn_clean_opt(rcpts[i].status);
		c->rc[i].diag = dsn_clean_opt(rcpts[i].diagnostic);
		c->rc[i].remote = dsn_clean_opt(rcpts[i].remote_mta);
		c->rc[i].last_attempt = rcpts[i].last_attempt;
		c->rc[i].retry_until = rcpts[i].retry_until;
	}
}

/* Free what dsn_ctx_init made. */
static void
dsn_ctx_free(struct dsn_ctx *c)
{
	size_t	i;

	for (i = 0; i < c->nrc; i++) {
		free(c->rc[i].addr);
		free(c->rc[i].orcpt);
		free(c->rc[i].status);
		free(c->rc[i].diag);
		free(c->rc[i].remote);
	}
	free(c->rc);
	free(c->mta);
	free(c->sender);
	free(c->subject);
	free(c->envid);
	free(c->ref);
	free(c->id);
}

/* Does p hold an octet outside US-ASCII? */
static bool
dsn_8bit(const char *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] >= 0x80)
			return (true);
	return (false);
}

/* Does b (which may hold NULs) contain the string s? */
static bool
dsn_contains(const struct buf *b, const char *s)
{
	size_t		 n = strlen(s);
	const char	*p = b->s, *end = b->s + b->len;

	while ((size_t)(end - p) >= n) {
		p = memchr(p, s[0], end - p - n + 1);
		if (p == NULL)
			return (false);
		if (memcmp(p, s, n) == 0)
			return (true);
		p++;
	}
	return (false);
}

/* An RFC 5322 date in UTC, in English whatever the locale. */
static void
dsn_date(char *d, size_t len, int64_t t)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
				    "Fri", "Sat" };
	static const char	*months[] = { "Jan", "Feb", "Mar", "Apr",
				    "May", "Jun", "Jul", "Aug", "Sep", "Oct",
				    "Nov", "Dec" };
	time_t			 tt = (time_t)t;
	struct tm		 tm;

	if (gmtime_r(&tt, &tm) == NULL) {
		tt = 0;
		gmtime_r(&tt, &tm);
	}
	snprintf(d, len, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* 64 random bits for identifiers; weaker but distinct without entropy. */
static uint64_t
dsn_random(void)
{
	uint64_t	r;

	if (getentropy(&r, sizeof r) == 0)
		return (r);
	r = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
	    (uint64_t)clock();
	return (r * 0x9e3779b97f4a7c15ULL);
}

/*
 * Append s from column col, breaking at spaces so that lines stay within
 * width where the words allow, and splitting a word so that no line
 * passes DSN_LINE_MAX.  A header fold keeps the space at the start of the
 * next line; a text break drops it.  Returns the column reached.
 */
static size_t
dsn_wrap(struct buf *out, const char *s, size_t col, size_t width,
    bool fold)
{
	size_t	sp, n, room;

	while (*s != '\0') {
		sp = strspn(s, " ");
		n = strcspn(s + sp, " ");
		if (sp > 0 && col > 0 && col + sp + n > width) {
			buf_add(out, "\r\n", 2);
			col = 0;
			if (!fold) {
				s += sp;
				sp = 0;
			}
		}
		buf_add(out, s, sp);
		col += sp;
		s += sp;
		while (col + n > DSN_LINE_MAX) {
			room = DSN_LINE_MAX - col;
			while (room > 0 && (s[room] & 0xc0) == 0x80)
				room--;
			buf_add(out, s, room);
			buf_adds(out, fold ? "\r\n " : "\r\n");
			col = fold ? 1 : 0;
			s += room;
			n -= room;
		}
		buf_add(out, s, n);
		col += n;
		s += n;
	}
	return (col);
}

/* Append "name: value" CRLF, folded; value is already header-safe. */
static void
dsn_header(struct buf *out, const char *name, const char *value)
{
	buf_adds(out, name);
	buf_adds(out, ": ");
	dsn_wrap(out, value, strlen(name) + 2, DSN_FOLD, true);
	buf_add(out, "\r\n", 2);
}

/* dsn_header with a formatted value. */
static void
dsn_headerf(struct buf *out, const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	*v;

	va_start(ap, fmt);
	xvasprintf(&v, fmt, ap);
	va_end(ap);
	dsn_header(out, name, v);
	free(v);
}

/*
 * Append one line of the human-readable part, wrapped at width: prose at
 * DSN_TEXT_WIDTH, addresses and replies only past DSN_LINE_MAX so that
 * they can be copied whole.
 */
static void
dsn_line(struct buf *out, size_t width, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	dsn_wrap(out, s, 0, width, false);
	buf_add(out, "\r\n", 2);
	free(s);
}

/* Append s as valid UTF-8: each invalid octet becomes U+FFFD. */
static void
dsn_utf8_fix(struct buf *out, const char *s)
{
	static const uint32_t	 least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t			 len = strlen(s), i = 0, n;
	uint32_t		 cp;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if ((n == 1 && (unsigned char)s[i] < 0x80) || (n > 1 &&
		    cp >= least[n] && cp <= 0x10ffff &&
		    (cp < 0xd800 || cp > 0xdfff)))
			buf_add(out, s + i, n);
		else {
			buf_add_utf8(out, 0xfffd);
			n = 1;
		}
		i += n;
	}
}

/*
 * Append s as RFC 2047 encoded-words (UTF-8, B), each at most 75
 * characters and holding whole characters, separated by spaces (which
 * readers drop between encoded-words).
 */
static void
dsn_encode_words(struct buf *out, const char *s)
{
	struct buf	u;
	size_t		i, n;

	buf_init(&u);
	dsn_utf8_fix(&u, s);
	for (i = 0; i < u.len; i += n) {
		n = u.len - i;
		if (n > DSN_EW_OCTETS) {
			n = DSN_EW_OCTETS;
			while ((u.s[i + n] & 0xc0) == 0x80)
				n--;
		}
		if (i > 0)
			buf_addc(out, ' ');
		buf_adds(out, "=?UTF-8?B?");
		buf_add_base64(out, u.s + i, n);
		buf_adds(out, "?=");
	}
	buf_free(&u);
}

/*
 * Append an RFC 3461 xtext value decoded: "+HH" becomes the character
 * when it is printable ASCII; anything else is kept as it is.
 */
static void
dsn_xtext(struct buf *out, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const char		*h1, *h2;
	int			 ch;

	for (; *s != '\0'; s++) {
		if (s[0] == '+' && s[1] != '\0' && s[2] != '\0' &&
		    (h1 = strchr(hex, s[1])) != NULL &&
		    (h2 = strchr(hex, s[2])) != NULL) {
			ch = (int)(h1 - hex) * 16 + (int)(h2 - hex);
			if (ch > ' ' && ch < 0x7f) {
				buf_addc(out, (char)ch);
				s += 2;
				continue;
			}
		}
		buf_addc(out, *s);
	}
}

/* The Action field's value. */
static const char *
dsn_action_name(enum dsn_action action)
{
	switch (action) {
	case DSN_FAILED:
		return ("failed");
	case DSN_DELAYED:
		return ("delayed");
	case DSN_DELIVERED:
		return ("delivered");
	case DSN_RELAYED:
		return ("relayed");
	}
	return ("failed");
}

/* Exchange's subject prefix for a report. */
static const char *
dsn_subject_prefix(enum dsn_action action)
{
	switch (action) {
	case DSN_FAILED:
		return ("Undeliverable");
	case DSN_DELAYED:
		return ("Delivery delayed");
	case DSN_DELIVERED:
		return ("Delivered");
	case DSN_RELAYED:
		return ("Relayed");
	}
	return ("Undeliverable");
}

/*
 * "Undeliverable: <subject>"; the prefix alone when the original had no
 * subject; a non-ASCII subject as encoded-words.
 */
static void
dsn_subject(struct buf *out, const struct dsn_ctx *c)
{
	struct buf	v;

	buf_init(&v);
	buf_adds(&v, dsn_subject_prefix(c->action));
	if (*c->subject != '\0') {
		buf_adds(&v, ": ");
		if (dsn_8bit(c->subject, strlen(c->subject)))
			dsn_encode_words(&v, c->subject);
		else
			buf_adds(&v, c->subject);
	}
	dsn_header(out, "Subject", v.s);
	buf_free(&v);
}

/*
 * The Status field (RFC 3464 2.3.4): status when its class suits the
 * action (failed 5, delayed 4, delivered and relayed 2), else the same
 * subject and detail in that class, so the expiry of a transient
 * condition, "550 4.4.7 QUEUE.Expired", fails with 5.4.7.  A missing or
 * malformed status becomes class.0.0.
 */
static void
dsn_status_code(char *out, size_t len, enum dsn_action action,
    const char *status)
{
	char		 cls;
	size_t		 a = 0, b = 0;

	cls = action == DSN_FAILED ? '5' : action == DSN_DELAYED ? '4' : '2';
	if (status != NULL && status[0] != '\0' &&
	    strchr("245", status[0]) != NULL && status[1] == '.') {
		a = strspn(status + 2, "0123456789");
		if (status[2 + a] == '.')
			b = strspn(status + 3 + a, "0123456789");
	}
	if (a < 1 || a > 3 || b < 1 || b > 3 || status[3 + a + b] != '\0') {
		snprintf(out, len, "%c.0.0", cls);
		return;
	}
	snprintf(out, len, "%c%s", cls, status + 1);
}

/* The opening of the human-readable part: what happened, to whom. */
static void
dsn_text_intro(struct buf *out, const struct dsn_ctx *c)
{
	static const char	*intro[] = {
		"Delivery has failed to these recipients or groups:",
		"Delivery is delayed to these recipients or groups:",
		"Your message has been delivered to the following "
		    "recipients:",
		"Delivery to these recipients or groups is complete, but no "
		    "delivery notification was sent by the destination server:"
	};
	char			 date[64];
	int64_t			 until = 0;
	size_t			 i;

	dsn_line(out, DSN_TEXT_WIDTH, "%s", intro[c->action]);
	buf_add(out, "\r\n", 2);
	for (i = 0; i < c->nrc; i++) {
		dsn_line(out, DSN_LINE_MAX, "%s", c->rc[i].addr);
		if (c->rc[i].retry_until > until)
			until = c->rc[i].retry_until;
	}
	buf_add(out, "\r\n", 2);
	if (c->action != DSN_DELAYED)
		return;
	dsn_line(out, DSN_TEXT_WIDTH, "This message hasn't been delivered "
	    "yet. Delivery will continue to be attempted.");
	buf_add(out, "\r\n", 2);
	if (until == 0)
		return;
	dsn_date(date, sizeof date, until);
	dsn_line(out, DSN_TEXT_WIDTH, "The server will keep trying to "
	    "deliver this message until %s. You'll be notified if the "
	    "message can't be delivered by that time.", date);
	buf_add(out, "\r\n", 2);
}

/* "Diagnostic information for administrators", one block per recipient. */
static void
dsn_text_diag(struct buf *out, const struct dsn_ctx *c)
{
	const struct dsn_rc	*r;
	size_t			 i;

	dsn_line(out, DSN_TEXT_WIDTH, "Diagnostic information for "
	    "administrators:");
	buf_add(out, "\r\n", 2);
	dsn_line(out, DSN_LINE_MAX, "Generating server: %s", c->mta);
	for (i = 0; i < c->nrc; i++) {
		r = &c->rc[i];
		buf_add(out, "\r\n", 2);
		dsn_line(out, DSN_LINE_MAX, "%s", r->addr);
		if (r->remote != NULL)
			dsn_line(out, DSN_LINE_MAX, "%s", r->remote);
		if (r->diag != NULL)
			dsn_line(out, DSN_LINE_MAX, "Remote Server returned "
			    "'%s'", r->diag);
	}
}

/* The human-readable part. */
static void
dsn_text(struct buf *out, const struct dsn_ctx *c)
{
	dsn_text_intro(out, c);
	dsn_text_diag(out, c);
	if (c->too_big) {
		buf_add(out, "\r\n", 2);
		dsn_line(out, DSN_TEXT_WIDTH, "The original message is over "
		    "%d MiB: only its headers are attached.",
		    DSN_RETURN_MAX / (1024 * 1024));
	}
}

/*
 * Original-Recipient from ORCPT ("addr-type;xtext", RFC 3461 4.2): the
 * type kept, the address decoded; a bare address is taken as rfc822.
 */
static void
dsn_orcpt(struct buf *out, const char *orcpt)
{
	struct buf	 v;
	const char	*semi, *addr;
	size_t		 tlen;

	buf_init(&v);
	if ((semi = strchr(orcpt, ';')) == NULL) {
		buf_adds(&v, "rfc822;");
		buf_adds(&v, orcpt);
	} else {
		tlen = semi - orcpt;
		while (tlen > 0 && orcpt[tlen - 1] == ' ')
			tlen--;
		addr = semi + 1 + strspn(semi + 1, " ");
		if (tlen == 0)
			buf_adds(&v, "rfc822");
		else
			buf_add(&v, orcpt, tlen);
		buf_addc(&v, ';');
		dsn_xtext(&v, addr);
	}
	dsn_header(out, "Original-Recipient", v.s);
	buf_free(&v);
}

/* One per-recipient block of the delivery-status part. */
static void
dsn_status_rcpt(struct buf *out, const struct dsn_ctx *c,
    const struct dsn_rc *r)
{
	char	code[32], date[64];

	buf_add(out, "\r\n", 2);
	if (r->orcpt != NULL)
		dsn_orcpt(out, r->orcpt);
	dsn_headerf(out, "Final-Recipient", "rfc822;%s", r->addr);
	dsn_header(out, "Action", dsn_action_name(c->action));
	dsn_status_code(code, sizeof code, c->action, r->status);
	dsn_header(out, "Status", code);
	if (r->remote != NULL)
		dsn_headerf(out, "Remote-MTA", "dns; %s", r->remote);
	if (r->diag != NULL)
		dsn_headerf(out, "Diagnostic-Code", "smtp; %s", r->diag);
	if (r->last_attempt != 0) {
		dsn_date(date, sizeof date, r->last_attempt);
		dsn_header(out, "Last-Attempt-Date", date);
	}
	if (c->action == DSN_DELAYED && r->retry_until != 0) {
		dsn_date(date, sizeof date, r->retry_until);
		dsn_header(out, "Will-Retry-Until", date);
	}
}

/* The message/delivery-status part (RFC 3464 2.2, 2.3). */
static void
dsn_status(struct buf *out, const struct dsn_ctx *c)
{
	struct buf	envid;
	char		date[64];
	size_t		i;

	dsn_headerf(out, "Reporting-MTA", "dns; %s", c->mta);
	if (c->envid != NULL) {
		buf_init(&envid);
		dsn_xtext(&envid, c->envid);
		dsn_header(out, "Original-Envelope-Id", envid.s);
		buf_free(&envid);
	}
	if (c->msg->received != 0) {
		dsn_date(date, sizeof date, c->msg->received);
		dsn_header(out, "Arrival-Date", date);
	}
	for (i = 0; i < c->nrc; i++)
		dsn_status_rcpt(out, c, &c->rc[i]);
}

/*
 * Length of the header section of a message, through the CRLF ending its
 * last header (without the empty line); all of it when there is no body.
 */
static size_t
dsn_header_section(const char *body, size_t len)
{
	size_t	i;

	if (len >= 2 && body[0] == '\r' && body[1] == '\n')
		return (0);
	for (i = 0; i + 3 < len; i++)
		if (memcmp(body + i, "\r\n\r\n", 4) == 0)
			return (i + 2);
	return (len);
}

/* A boundary found in none of the parts. */
static void
dsn_boundary(char *b, size_t len, const struct dsn_parts *p)
{
	do {
		snprintf(b, len, "=_hubd_%016llx_%u",
		    (unsigned long long)dsn_random(),
		    atomic_fetch_add(&dsn_seq, 1));
	} while (dsn_contains(&p->text, b) || dsn_contains(&p->status, b) ||
	    dsn_contains(&p->orig, b));
}

/* The report's header section and the empty line after it. */
static void
dsn_top(struct buf *out, const struct dsn_ctx *c, const char *boundary,
    bool eightbit)
{
	char	date[64];

	dsn_date(date, sizeof date, c->now);
	dsn_headerf(out, "From", "Mail Delivery System <MAILER-DAEMON@%s>",
	    c->mta);
	dsn_headerf(out, "To", "<%s>", c->sender);
	dsn_header(out, "Date", date);
	dsn_header(out, "Message-ID", c->id);
	dsn_subject(out, c);
	if (c->ref != NULL) {
		dsn_header(out, "In-Reply-To", c->ref);
		dsn_header(out, "References", c->ref);
	}
	dsn_header(out, "MIME-Version", "1.0");
	dsn_headerf(out, "Content-Type", "multipart/report; "
	    "report-type=delivery-status; boundary=\"%s\"", boundary);
	if (eightbit)
		dsn_header(out, "Content-Transfer-Encoding", "8bit");
	dsn_header(out, "Auto-Submitted", "auto-replied");
	buf_add(out, "\r\n", 2);
}

/* One body part: delimiter, its headers, an empty line, the content. */
static void
dsn_part(struct buf *out, const char *boundary, const char *type,
    const struct buf *content)
{
	buf_addf(out, "\r\n--%s\r\n", boundary);
	dsn_header(out, "Content-Type", type);
	dsn_header(out, "Content-Transfer-Encoding",
	    dsn_8bit(content->s, content->len) ? "8bit" : "7bit");
	buf_add(out, "\r\n", 2);
	buf_add(out, content->s, content->len);
}
