/*
 * mtasts.c - the building blocks of MTA-STS (RFC 8461) for the delivery
 * path: the _mta-sts TXT record, the policy, its mx patterns, and the
 * fetch of the policy over HTTPS.
 *
 * A domain that publishes a TXT record "v=STSv1; id=..." at
 * _mta-sts.<domain> serves its policy at
 * https://mta-sts.<domain>/.well-known/mta-sts.txt: a mode (enforce,
 * testing, none), the MX hosts allowed (mx patterns) and how long a
 * sender keeps it (max_age).  The caller looks the record up with its
 * own resolver, picks the id (sts_record_pick), fetches the policy when
 * the id is not the cached one (sts_fetch), parses it
 * (sts_policy_parse), keeps it in the spool (spool_sts_put) and checks
 * each MX host against it (sts_mx_match).
 *
 * The parsers and the matcher are pure: no I/O, no clock.  sts_fetch is
 * libcurl, blocking, meant for a worker thread; each call has a handle of
 * its own and shares nothing.  Nothing here logs: every failure comes
 * back as a status and a cause, one printable line, for the log and for
 * Test-SendConnector.
 *
 * Invariants:
 *	- A policy is all or nothing: a line that is not "name: value", a
 *	  required field missing or twice, a value out of its grammar, a bad
 *	  mx pattern, a control character or a NUL, more than
 *	  STS_MX_MAX patterns or more than STS_BODY_MAX bytes refuse the
 *	  whole policy.  A policy half understood could only weaken what the
 *	  domain asked for; refused, the cached policy stays in force (RFC
 *	  8461 5.1) or the domain has none.
 *	- Field names and the values of version and mode are matched with
 *	  case, as RFC 8461's ABNF (%s) says; unknown fields are ignored.
 *	- max_age above STS_MAX_AGE_MAX (the RFC's maximum; its ABNF allows
 *	  ten digits) is taken as STS_MAX_AGE_MAX: the domain asked for a
 *	  long cache, and a year is the longest a sender may keep it.
 *	- The fetch goes only to mta-sts.<domain> (or the address the
 *	  caller gives for that name, name kept for SNI and the certificate
 *	  check), over HTTPS with TLS 1.2 or later, the certificate verified
 *	  for that name; never through a proxy from the environment; never
 *	  following a redirect; reading at most STS_BODY_MAX bytes, within
 *	  the caller's time limit.
 */
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <curl/curl.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "xmalloc.h"
#include "transport.h"

#define STS_PATH	"/.well-known/mta-sts.txt"
#define STS_HOST_MAX	253	/* bytes of a host name, no final dot */
#define STS_QUOTE_MAX	64	/* bytes of a remote value in a cause */
/* A quoted value: \xNN for each byte at worst, "..." and a NUL. */
#define STS_QUOTE_SIZE	(STS_QUOTE_MAX * 4 + 4)

/* What a policy's fields have been seen. */
#define STS_SEEN_VERSION	0x1
#define STS_SEEN_MODE		0x2
#define STS_SEEN_MAX_AGE	0x4

/* The write callback's state. */
struct sts_sink {
	struct buf	*body;
	bool		 over;		/* past STS_BODY_MAX */
};

static const char *const sts_modes[] = { "none", "testing", "enforce" };

static bool	 sts_wsp(int);
static bool	 sts_ldh_name(const char *, size_t);
static int	 sts_record_field(const char **, bool *, char *, size_t);
static int	 sts_policy_line(struct sts_policy *, unsigned *,
		     const char *, size_t, size_t, char **);
static int	 sts_policy_field(struct sts_policy *, unsigned *,
		     const char *, size_t, const char *, size_t, size_t,
		     char **);
static int	 sts_policy_mx(struct sts_policy *, const char *, size_t,
		     size_t, char **);
static int	 sts_policy_max_age(struct sts_policy *, const char *,
		     size_t, size_t, char **);
static int	 sts_refuse(struct sts_policy *, char **, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 sts_quote(char *, size_t, const char *, size_t);
static char	*sts_host(const char *, char **);
static int	 sts_connect_to(const char *, const struct sts_fetch_opts *,
		     struct curl_slist **, char **);
static int	 sts_fetch_setup(CURL *, const char *,
		     const struct sts_fetch_opts *, struct curl_slist *,
		     struct sts_sink *, char *);
static size_t	 sts_write(char *, size_t, size_t, void *);
static int	 sts_progress(void *, curl_off_t, curl_off_t, curl_off_t,
		     curl_off_t);
static enum sts_fetch_status sts_fetch_result(CURL *, CURLcode,
		     const struct sts_sink *, const char *, const char *,
		     char **);
static bool	 sts_text_plain(const char *);
static enum sts_fetch_status sts_fail(enum sts_fetch_status, char **,
		     const char *, ...) __attribute__((format(printf, 3, 4)));

/* RFC 5234's WSP: space and horizontal tab. */
static bool
sts_wsp(int c)
{
	return (c == ' ' || c == '\t');
}

/*
 * A host name of len bytes (no final dot): labels of 1 to 63 letters,
 * digits and hyphens, no hyphen first or last, 253 bytes at most.  MX
 * hosts and the policy's host are host names; A-labels pass, U-labels
 * and underscores do not.
 */
static bool
sts_ldh_name(const char *s, size_t len)
{
	size_t	i, label = 0;

	if (len == 0 || len > STS_HOST_MAX)
		return (false);
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return (false);
			label = 0;
			continue;
		}
		if (!isascii((unsigned char)s[i]) ||
		    (!isalnum((unsigned char)s[i]) && s[i] != '-'))
			return (false);
		if (s[i] == '-' && label == 0)
			return (false);
		if (++label > 63)
			return (false);
	}
	return (label > 0 && s[len - 1] != '-');
}

/*
 * One field of a TXT record at *pp, "name=value" (RFC 8461 3.1): the
 * name a letter or digit then up to 31 of those, '_', '-' or '.', the
 * value printable ASCII but '=', ';' and space.  An id field (once
 * only, 1 to STS_ID_MAX letters and digits) goes to id.  0, *pp past
 * the field; -1 when it is not one.
 */
static int
sts_record_field(const char **pp, bool *have_id, char *id, size_t idlen)
{
	const char	*p = *pp, *name = p, *value;
	size_t		 namelen, len, i;

	if (!isascii((unsigned char)*p) || !isalnum((unsigned char)*p))
		return (-1);
	for (p++; isascii((unsigned char)*p) && (isalnum((unsigned char)*p)
	    || *p == '_' || *p == '-' || *p == '.'); p++)
		;
	if ((namelen = p - name) > 32 || *p != '=')
		return (-1);
	value = ++p;
	while (*p > 0x20 && *p < 0x7f && *p != '=' && *p != ';')
		p++;
	if ((len = p - value) == 0)
		return (-1);
	*pp = p;
	if (namelen != 2 || strncmp(name, "id", 2) != 0)
		return (0);
	if (*have_id || len > STS_ID_MAX || len >= idlen)
		return (-1);
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)value[i]))
			return (-1);
	}
	memcpy(id, value, len);
	id[len] = '\0';
	*have_id = true;
	return (0);
}

/*
 * A _mta-sts record (RFC 8461 3.1): "v=STSv1", then fields each after a
 * ';' with optional white space around it, an id among them, and
 * optionally a last ';'.  Other fields are ignored.
 */
int
sts_record_parse(const char *txt, char *id, size_t idlen)
{
	const char	*p;
	bool		 have_id = false;

	if (idlen == 0)
		return (-1);
	id[0] = '\0';
	if (strncmp(txt, "v=STSv1", 7) != 0)
		return (-1);
	for (p = txt + 7;;) {
		while (sts_wsp(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p++ != ';')
			goto bad;
		while (sts_wsp(*p))
			p++;
		if (*p == '\0')
			break;
		if (sts_record_field(&p, &have_id, id, idlen) != 0)
			goto bad;
	}
	if (have_id)
		return (0);
bad:
	id[0] = '\0';
	return (-1);
}

/*
 * The id of the one record of the RRset that begins with v=STSv1 (then
 * white space, ';' or its end): records that do not are another
 * protocol's and are discarded (RFC 8461 3.1).  None, or more than one,
 * and the domain has no policy.
 */
int
sts_record_pick(const char *const *txts, size_t n, char *id, size_t idlen,
    char **cause)
{
	const char	*one = NULL;
	char		 q[STS_QUOTE_SIZE];
	size_t		 i, found = 0;
	char		 c;

	for (i = 0; i < n; i++) {
		if (strncmp(txts[i], "v=STSv1", 7) != 0)
			continue;
		c = txts[i][7];
		if (c != '\0' && c != ';' && !sts_wsp(c))
			continue;
		one = txts[i];
		found++;
	}
	if (found == 0) {
		*cause = xstrdup("no v=STSv1 record");
		return (-1);
	}
	if (found > 1) {
		xasprintf(cause, "%zu records begin with v=STSv1, not one",
		    found);
		return (-1);
	}
	if (sts_record_parse(one, id, idlen) != 0) {
		sts_quote(q, sizeof q, one, strlen(one));
		xasprintf(cause, "not a valid STSv1 record: \"%s\"", q);
		return (-1);
	}
	return (0);
}

/* Empty p and fail with a cause. */
static int
sts_refuse(struct sts_policy *p, char **cause, const char *fmt, ...)
{
	va_list	ap;

	sts_policy_clear(p);
	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
	return (-1);
}

/*
 * A remote value for a cause: at most STS_QUOTE_MAX bytes, each byte
 * that is not printable ASCII escaped as \xNN, '"' and '\' escaped.
 * out: STS_QUOTE_SIZE bytes ("..." when cut).
 */
static void
sts_quote(char *out, size_t size, const char *s, size_t len)
{
	size_t	i, o = 0;

	for (i = 0; i < len && i < STS_QUOTE_MAX && o + 5 < size; i++) {
		if (s[i] == '"' || s[i] == '\\')
			o += snprintf(out + o, size - o, "\\%c", s[i]);
		else if ((unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f)
			o += snprintf(out + o, size - o, "\\x%02x",
			    (unsigned char)s[i]);
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	if (i < len && o + 4 <= size)
		memcpy(out + o, "...", 4);
}

/*
 * A policy (RFC 8461 3.2): lines ending in LF or CRLF (the last may
 * have neither), each "name: value" with white space allowed around the
 * colon and at either end.  Blank lines are passed over.  version
 * (STSv1), mode and max_age once each; mx once or more unless the mode
 * is none.
 */
int
sts_policy_parse(const char *body, size_t len, struct sts_policy *p,
    char **cause)
{
	const char	*s, *nl, *end = body + len;
	unsigned	 seen = 0;
	size_t		 line = 0, n;

	memset(p, 0, sizeof *p);
	if (len > STS_BODY_MAX)
		return (sts_refuse(p, cause, "policy larger than %d bytes",
		    STS_BODY_MAX));
	if (memchr(body, '\0', len) != NULL)
		return (sts_refuse(p, cause, "policy holds a NUL byte"));
	for (s = body; s < end; s = nl + 1) {
		line++;
		if ((nl = memchr(s, '\n', end - s)) == NULL)
			nl = end;
		n = nl - s;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (sts_policy_line(p, &seen, s, n, line, cause) != 0)
			return (-1);
	}
	if (~seen & STS_SEEN_VERSION)
		return (sts_refuse(p, cause, "no version field"));
	if (~seen & STS_SEEN_MODE)
		return (sts_refuse(p, cause, "no mode field"));
	if (~seen & STS_SEEN_MAX_AGE)
		return (sts_refuse(p, cause, "no max_age field"));
	if (p->nmx == 0 && p->mode != STS_MODE_NONE)
		return (sts_refuse(p, cause, "no mx field (mode %s)",
		    sts_mode_name(p->mode)));
	return (0);
}

/* One line of a policy, s[0..n) without its end, number line. */
static int
sts_policy_line(struct sts_policy *p, unsigned *seen, const char *s,
    size_t n, size_t line, char **cause)
{
	const char	*colon, *v;
	size_t		 i, klen, vlen;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r')
			return (sts_refuse(p, cause, "line %zu: a CR not "
			    "followed by LF", line));
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f)
			return (sts_refuse(p, cause, "line %zu: control "
			    "character 0x%02x", line, (unsigned char)s[i]));
	}
	while (n > 0 && sts_wsp(*s)) {
		s++;
		n--;
	}
	while (n > 0 && sts_wsp(s[n - 1]))
		n--;
	if (n == 0)
		return (0);
	if ((colon = memchr(s, ':', n)) == NULL)
		return (sts_refuse(p, cause, "line %zu: not a \"name: value\" "
		    "field", line));
	for (klen = colon - s; klen > 0 && sts_wsp(s[klen - 1]); klen--)
		;
	v = colon + 1;
	vlen = n - (v - s);
	while (vlen > 0 && sts_wsp(*v)) {
		v++;
		vlen--;
	}
	return (sts_policy_field(p, seen, s, klen, v, vlen, line, cause));
}

/* One field, name[0..klen) and v[0..vlen), both trimmed. */
static int
sts_policy_field(struct sts_policy *p, unsigned *seen, const char *name,
    size_t klen, const char *v, size_t vlen, size_t line, char **cause)
{
	char		 q[STS_QUOTE_SIZE];
	size_t		 i;
	unsigned	 bit;

#define STS_IS(s)	(klen == sizeof(s) - 1 && memcmp(name, s, klen) == 0)
	if (STS_IS("mx"))
		return (sts_policy_mx(p, v, vlen, line, cause));
	if (STS_IS("version"))
		bit = STS_SEEN_VERSION;
	else if (STS_IS("mode"))
		bit = STS_SEEN_MODE;
	else if (STS_IS("max_age"))
		bit = STS_SEEN_MAX_AGE;
	else
		return (0);
#undef STS_IS
	if (*seen & bit)
		return (sts_refuse(p, cause, "line %zu: a second %.*s field",
		    line, (int)klen, name));
	*seen |= bit;
	if (bit == STS_SEEN_MAX_AGE)
		return (sts_policy_max_age(p, v, vlen, line, cause));
	if (bit == STS_SEEN_VERSION) {
		if (vlen == 5 && memcmp(v, "STSv1", 5) == 0)
			return (0);
		sts_quote(q, sizeof q, v, vlen);
		return (sts_refuse(p, cause, "line %zu: version \"%s\" is not "
		    "STSv1", line, q));
	}
	for (i = 0; i < sizeof sts_modes / sizeof sts_modes[0]; i++) {
		if (strlen(sts_modes[i]) == vlen &&
		    memcmp(v, sts_modes[i], vlen) == 0) {
			p->mode = (enum sts_mode)i;
			return (0);
		}
	}
	sts_quote(q, sizeof q, v, vlen);
	return (sts_refuse(p, cause, "line %zu: mode \"%s\" is not enforce, "
	    "testing or none", line, q));
}

/* max_age: 1 to 10 digits (RFC 8461's ABNF), STS_MAX_AGE_MAX at most. */
static int
sts_policy_max_age(struct sts_policy *p, const char *v, size_t vlen,
    size_t line, char **cause)
{
	char		q[STS_QUOTE_SIZE];
	int64_t		n = 0;
	size_t		i;

	for (i = 0; i < vlen && i <= 10; i++) {
		if (!isdigit((unsigned char)v[i]))
			break;
		n = n * 10 + (v[i] - '0');
	}
	if (vlen == 0 || vlen > 10 || i != vlen) {
		sts_quote(q, sizeof q, v, vlen);
		return (sts_refuse(p, cause, "line %zu: max_age \"%s\" is not "
		    "a number of seconds (1 to 10 digits)", line, q));
	}
	p->max_age = n > STS_MAX_AGE_MAX ? STS_MAX_AGE_MAX : n;
	return (0);
}

/*
 * An mx pattern: a host name, or "*." and a host name; lower-cased and
 * kept without a final dot.
 */
static int
sts_policy_mx(struct sts_policy *p, const char *v, size_t vlen,
    size_t line, char **cause)
{
	char	 q[STS_QUOTE_SIZE], *mx;
	size_t	 skip = 0, i, n = vlen;

	if (p->nmx == STS_MX_MAX)
		return (sts_refuse(p, cause, "more than %d mx patterns",
		    STS_MX_MAX));
	if (n >= 2 && v[0] == '*' && v[1] == '.')
		skip = 2;
	if (n > skip && v[n - 1] == '.')
		n--;
	if (!sts_ldh_name(v + skip, n - skip)) {
		sts_quote(q, sizeof q, v, vlen);
		return (sts_refuse(p, cause, "line %zu: mx \"%s\" is not a "
		    "host name or *. and a host name", line, q));
	}
	mx = xstrndup(v, n);
	for (i = 0; i < n; i++)
		mx[i] = tolower((unsigned char)mx[i]);
	p->mx = xreallocarray(p->mx, p->nmx + 1, sizeof *p->mx);
	p->mx[p->nmx++] = mx;
	return (0);
}

void
sts_policy_clear(struct sts_policy *p)
{
	size_t	i;

	for (i = 0; i < p->nmx; i++)
		free(p->mx[i]);
	free(p->mx);
	memset(p, 0, sizeof *p);
}

/*
 * RFC 8461 4.1: an MX host matches a pattern equal to it, without case,
 * or "*.suffix" when it is exactly one label more than suffix:
 * *.example.com matches mx1.example.com, not example.com nor
 * a.b.example.com.
 */
bool
sts_mx_match(const struct sts_policy *p, const char *host)
{
	const char	*pat;
	size_t		 i, len, plen, label;

	len = strlen(host);
	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0)
		return (false);
	for (i = 0; i < p->nmx; i++) {
		pat = p->mx[i];
		plen = strlen(pat);
		if (pat[0] != '*') {
			if (plen == len && strncasecmp(host, pat, len) == 0)
				return (true);
			continue;
		}
		/* "*.suffix": compare ".suffix" with host's end. */
		pat++;
		plen--;
		if (len <= plen ||
		    strncasecmp(host + len - plen, pat, plen) != 0)
			continue;
		label = len - plen;
		if (memchr(host, '.', label) == NULL)
			return (true);
	}
	return (false);
}

const char *
sts_mode_name(enum sts_mode mode)
{
	if ((size_t)mode >= sizeof sts_modes / sizeof sts_modes[0])
		return ("?");
	return (sts_modes[mode]);
}

int
sts_mode_from_name(const char *name, enum sts_mode *mode)
{
	size_t	i;

	for (i = 0; i < sizeof sts_modes / sizeof sts_modes[0]; i++) {
		if (strcmp(name, sts_modes[i]) == 0) {
			*mode = (enum sts_mode)i;
			return (0);
		}
	}
	return (-1);
}

const char *
sts_fetch_status_name(enum sts_fetch_status st)
{
	static const char *const names[] = { "OK", "FetchError",
	    "CertificateInvalid", "Redirect", "HttpStatus", "ContentType",
	    "TooLarge" };

	if ((size_t)st >= sizeof names / sizeof names[0])
		return ("?");
	return (names[st]);
}

/* mta-sts.<domain>, lower case, or NULL and *cause when domain is not one. */
static char *
sts_host(const char *domain, char **cause)
{
	char	 q[STS_QUOTE_SIZE], *host;
	size_t	 len = strlen(domain), i;

	if (len > 0 && domain[len - 1] == '.')
		len--;
	/* "mta-sts." is 8 more. */
	if (!sts_ldh_name(domain, len) || len + 8 > STS_HOST_MAX) {
		sts_quote(q, sizeof q, domain, strlen(domain));
		xasprintf(cause, "\"%s\" is not a domain name", q);
		return (NULL);
	}
	xasprintf(&host, "mta-sts.%.*s", (int)len, domain);
	for (i = 0; host[i] != '\0'; i++)
		host[i] = tolower((unsigned char)host[i]);
	return (host);
}

/* Fail with a cause, control characters and non-ASCII shown as '?'. */
static enum sts_fetch_status
sts_fail(enum sts_fetch_status st, char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
	for (p = *cause; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	}
	return (st);
}

/* libcurl's write callback: keep the body, STS_BODY_MAX bytes at most. */
static size_t
sts_write(char *data, size_t size, size_t n, void *arg)
{
	struct sts_sink	*sink = arg;
	size_t		 len = size * n;

	if (len > STS_BODY_MAX - sink->body->len) {
		sink->over = true;
		return (0);	/* != len: libcurl stops the transfer */
	}
	buf_add(sink->body, data, len);
	return (len);
}

/* libcurl's progress callback: give up when the caller says so. */
static int
sts_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	const volatile bool	*stop = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return (stop != NULL && *stop ? 1 : 0);
}

/*
 * Is the Content-Type text/plain?  The media type without case,
 * parameters (charset...) allowed (RFC 8461 3.3 asks senders to check
 * it: a server that lets users host files must not serve a policy by
 * accident).
 */
static bool
sts_text_plain(const char *ct)
{
	if (ct == NULL)
		return (false);
	while (sts_wsp(*ct))
		ct++;
	if (strncasecmp(ct, "text/plain", 10) != 0)
		return (false);
	ct += 10;
	return (*ct == '\0' || *ct == ';' || sts_wsp(*ct));
}

/* Set the handle up for one fetch; -1 when an option is refused. */
static int
sts_fetch_setup(CURL *h, const char *url, const struct sts_fetch_opts *o,
    struct curl_slist *connect_to, struct sts_sink *sink, char *err)
{
	long	 total = o->timeout_ms > 0 ? o->timeout_ms : STS_TIMEOUT_MS;
	long	 conn = o->connect_ms > 0 ? o->connect_ms : STS_CONNECT_MS;
	int	 rc = 0;

	if (conn > total)
		conn = total;
#define STS_SET(opt, v) do {					\
	if (rc == 0 && curl_easy_setopt(h, opt, v) != CURLE_OK)	\
		rc = -1;						\
} while (0)
	STS_SET(CURLOPT_ERRORBUFFER, err);
	STS_SET(CURLOPT_URL, url);
	STS_SET(CURLOPT_PROTOCOLS_STR, "https");
	STS_SET(CURLOPT_FOLLOWLOCATION, 0L);
	STS_SET(CURLOPT_PROXY, "");
	STS_SET(CURLOPT_NOSIGNAL, 1L);
	STS_SET(CURLOPT_HTTPGET, 1L);
	STS_SET(CURLOPT_USERAGENT, "hubd/" PACKAGE_VERSION);
	STS_SET(CURLOPT_TIMEOUT_MS, total);
	STS_SET(CURLOPT_CONNECTTIMEOUT_MS, conn);
	STS_SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	STS_SET(CURLOPT_SSL_VERIFYPEER, 1L);
	STS_SET(CURLOPT_SSL_VERIFYHOST, 2L);
	/* A trust store given is the only one: no default directory too. */
	if (o->ca_file != NULL) {
		STS_SET(CURLOPT_CAINFO, o->ca_file);
		STS_SET(CURLOPT_CAPATH, NULL);
	}
	if (connect_to != NULL)
		STS_SET(CURLOPT_CONNECT_TO, connect_to);
	/* A Content-Length over the cap ends it before the body. */
	STS_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)STS_BODY_MAX);
	STS_SET(CURLOPT_WRITEFUNCTION, sts_write);
	STS_SET(CURLOPT_WRITEDATA, sink);
	STS_SET(CURLOPT_NOPROGRESS, 0L);
	STS_SET(CURLOPT_XFERINFOFUNCTION, sts_progress);
	STS_SET(CURLOPT_XFERINFODATA, (void *)o->stop);
#undef STS_SET
	return (rc);
}

/*
 * "mta-sts.<domain>:443:ADDR:PORT" for CURLOPT_CONNECT_TO: connect
 * there for the URL's name and port, which stay the name checked.  An
 * empty ADDR keeps the name (to be resolved); NULL when neither address
 * nor port changes anything.  -1 for an address that is not a literal.
 */
static int
sts_connect_to(const char *host, const struct sts_fetch_opts *o,
    struct curl_slist **list, char **cause)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	const char	*a = o->connect_addr;
	char		*s, q[STS_QUOTE_SIZE];
	int		 port = o->port > 0 ? o->port : 443;

	*list = NULL;
	if (o->port < 0 || o->port > 65535) {
		xasprintf(cause, "port %d is not a TCP port", o->port);
		return (-1);
	}
	if (a == NULL && port == 443)
		return (0);
	if (a == NULL)
		xasprintf(&s, "%s:443::%d", host, port);
	else if (inet_pton(AF_INET, a, &a4) == 1)
		xasprintf(&s, "%s:443:%s:%d", host, a, port);
	else if (inet_pton(AF_INET6, a, &a6) == 1)
		xasprintf(&s, "%s:443:[%s]:%d", host, a, port);
	else {
		sts_quote(q, sizeof q, a, strlen(a));
		xasprintf(cause, "\"%s\" is not an IPv4 or IPv6 address", q);
		return (-1);
	}
	*list = curl_slist_append(NULL, s);
	free(s);
	if (*list == NULL) {
		*cause = xstrdup("out of memory");
		return (-1);
	}
	return (0);
}

enum sts_fetch_status
sts_fetch(const char *domain, const struct sts_fetch_opts *opts,
    struct buf *body, char **cause)
{
	struct curl_slist	*connect_to = NULL;
	struct sts_sink		 sink = { .body = body };
	enum sts_fetch_status	 st;
	CURLcode		 rc;
	CURL			*h;
	char			*host, *url, err[CURL_ERROR_SIZE];

	buf_reset(body);
	if ((host = sts_host(domain, cause)) == NULL)
		return (STS_FETCH_ERROR);
	if (sts_connect_to(host, opts, &connect_to, cause) != 0) {
		free(host);
		return (STS_FETCH_ERROR);
	}
	xasprintf(&url, "https://%s" STS_PATH, host);
	err[0] = '\0';
	if ((h = curl_easy_init()) == NULL)
		st = sts_fail(STS_FETCH_ERROR, cause, "%s: cannot make a "
		    "libcurl handle", host);
	else if (sts_fetch_setup(h, url, opts, connect_to, &sink, err) != 0)
		st = sts_fail(STS_FETCH_ERROR, cause, "%s: libcurl refused "
		    "an option (HTTPS, TLS 1.2)", host);
	else {
		rc = curl_easy_perform(h);
		st = sts_fetch_result(h, rc, &sink, err, host, cause);
	}
	if (st != STS_FETCH_OK)
		buf_reset(body);
	curl_easy_cleanup(h);
	curl_slist_free_all(connect_to);
	free(url);
	free(host);
	return (st);
}

/*
 * What a finished transfer was.  The status line first: a redirect or
 * another status than 200 says more than a body cut short, and the
 * body of neither is a policy.
 */
static enum sts_fetch_status
sts_fetch_result(CURL *h, CURLcode rc, const struct sts_sink *sink,
    const char *err, const char *host, char **cause)
{
	char	*ct = NULL, *loc = NULL;
	long	 code = 0;
	bool	 big;

	big = (rc == CURLE_WRITE_ERROR && sink->over) ||
	    rc == CURLE_FILESIZE_EXCEEDED;
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return (sts_fail(STS_FETCH_ERROR, cause, "%s: stopped "
		    "before the end", host));
	if (rc != CURLE_OK && !big) {
		if (rc == CURLE_PEER_FAILED_VERIFICATION ||
		    rc == CURLE_SSL_ISSUER_ERROR)
			return (sts_fail(STS_FETCH_CERT, cause, "%s: %s", host,
			    *err != '\0' ? err : curl_easy_strerror(rc)));
		return (sts_fail(STS_FETCH_ERROR, cause, "%s: %s", host,
		    *err != '\0' ? err : curl_easy_strerror(rc)));
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 300 && code <= 399) {
		curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
		return (sts_fail(STS_FETCH_REDIRECT, cause, "%s: HTTP status "
		    "%ld, a redirect%s%.200s%s: not followed", host, code,
		    loc != NULL ? " to " : "", loc != NULL ? loc : "",
		    loc != NULL && strlen(loc) > 200 ? "..." : ""));
	}
	if (code != 200)
		return (sts_fail(STS_FETCH_HTTP, cause, "%s: HTTP status %ld, "
		    "not 200", host, code));
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
	if (!sts_text_plain(ct))
		return (sts_fail(STS_FETCH_TYPE, cause, "%s: Content-Type "
		    "%s%.100s%s, not text/plain", host, ct != NULL ? "\"" : "",
		    ct != NULL ? ct : "missing", ct != NULL ? "\"" : ""));
	if (big)
		return (sts_fail(STS_FETCH_TOO_LARGE, cause, "%s: policy "
		    "larger than %d bytes", host, STS_BODY_MAX));
	return (STS_FETCH_OK);
}
