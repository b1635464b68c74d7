/*
 * rfc5322.c - what intake needs of the message format, shared by smtpd.c
 * and pickup.c (and the fuzzers): mailbox syntax (RFC 5321 4.1.2, for
 * envelope and header addresses alike), the date-time of RFC 5322 3.3,
 * and the header field scanner, which reads CRLF header sections as the
 * spool holds them and never goes past len.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "xmalloc.h"
#include "transport.h"

static bool	 local_valid(const char *, size_t);
static bool	 domain_valid(const char *, size_t);

/* Printable ASCII only, space included. */
bool
rfc5322_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 32 || (unsigned char)*s > 126)
			return (false);
	return (true);
}

bool
rfc5322_addr_valid(const char *addr)
{
	const char	*at, *p;
	bool		 quoted = false;

	if (strlen(addr) > 254 || !rfc5322_printable(addr))
		return (false);
	/* The @ that ends the local part: outside a quoted string. */
	for (p = addr, at = NULL; *p != '\0' && at == NULL; p++) {
		if (*p == '\\' && quoted && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '@' && !quoted)
			at = p;
	}
	if (at == NULL || at == addr)
		return (false);
	return (local_valid(addr, (size_t)(at - addr)) &&
	    domain_valid(at + 1, strlen(at + 1)));
}

/* A dot-atom or a quoted string of at most 64 octets (RFC 5321 4.1.2). */
static bool
local_valid(const char *l, size_t n)
{
	static const char	atext[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~";
	size_t			i;

	if (n > 64)
		return (false);
	if (l[0] == '"') {
		for (i = 1; i < n - 1; i++) {
			if (l[i] == '\\')
				i++;
			else if (l[i] == '"')
				return (false);
		}
		return (n >= 2 && i == n - 1 && l[n - 1] == '"');
	}
	for (i = 0; i < n; i++) {
		if (l[i] == '.') {
			if (i == 0 || i == n - 1 || l[i - 1] == '.')
				return (false);
		} else if (strchr(atext, l[i]) == NULL)
			return (false);
	}
	return (true);
}

/* A host name (LDH labels) or an address literal [a.b.c.d]/[IPv6:..]. */
static bool
domain_valid(const char *d, size_t n)
{
	char	lit[INET6_ADDRSTRLEN + 8];
	uint8_t	a[16];
	size_t	i, label = 0;

	if (n == 0 || n > 253)
		return (false);
	if (d[0] == '[') {
		if (d[n - 1] != ']' || n - 2 >= sizeof lit)
			return (false);
		snprintf(lit, sizeof lit, "%.*s", (int)(n - 2), d + 1);
		if (strncasecmp(lit, "IPv6:", 5) == 0)
			return (inet_pton(AF_INET6, lit + 5, a) == 1);
		return (inet_pton(AF_INET, lit, a) == 1);
	}
	for (i = 0; i <= n; i++) {
		if (i == n || d[i] == '.') {
			if (label == 0 || label > 63 || d[i - 1] == '-')
				return (false);
			label = 0;
		} else if ((d[i] >= 'a' && d[i] <= 'z') ||
		    (d[i] >= 'A' && d[i] <= 'Z') ||
		    (d[i] >= '0' && d[i] <= '9') ||
		    (d[i] == '-' && label > 0))
			label++;
		else
			return (false);
	}
	return (true);
}

void
rfc5322_date(char *out, size_t len, time_t t)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char	*months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm		 tm;
	long			 off;

	/* By hand: strftime's names would follow the locale. */
	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(out, len, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

int
rfc5322_hdr_next(const char *h, size_t len, size_t *pos, struct hdr_field *f)
{
	const char	*p = h + *pos, *end = h + len, *lf, *colon;
	size_t		 n;

	if (p >= end || *p == '\r' || *p == '\n')
		return (1);
	if (*p == ' ' || *p == '\t')
		return (-1);
	/* The field: this line and every line that starts with WSP. */
	for (lf = p; ; ) {
		if ((lf = memchr(lf, '\n', (size_t)(end - lf))) == NULL)
			return (-1);
		if (lf + 1 == end || (lf[1] != ' ' && lf[1] != '\t'))
			break;
		lf++;
	}
	n = (size_t)(lf + 1 - p);
	if ((colon = memchr(p, ':', n)) == NULL || memchr(p, '\n',
	    (size_t)(colon - p)) != NULL)
		return (-1);
	f->name = p;
	for (f->namelen = (size_t)(colon - p); f->namelen > 0 &&
	    (p[f->namelen - 1] == ' ' || p[f->namelen - 1] == '\t');
	    f->namelen--)
		continue;
	if (f->namelen == 0)
		return (-1);
	for (n = 0; n < f->namelen; n++)
		if ((unsigned char)p[n] < 33 || (unsigned char)p[n] > 126)
			return (-1);
	f->value = colon + 1;
	f->valuelen = (size_t)(lf + 1 - f->value);
	f->off = *pos;
	f->len = (size_t)(lf + 1 - p);
	*pos += f->len;
	return (0);
}

char *
rfc5322_hdr_unfold(const struct hdr_field *f)
{
	struct buf	b;
	size_t		i, start, end;
	unsigned char	c;

	buf_init(&b);
	for (i = 0; i < f->valuelen; i++) {
		c = (unsigned char)f->value[i];
		if (c == '\r' || c == '\n')
			continue;
		buf_addc(&b, c < 32 || c == 127 ? ' ' : (char)c);
	}
	for (start = 0; start < b.len && b.s[start] == ' '; start++)
		continue;
	for (end = b.len; end > start && b.s[end - 1] == ' '; end--)
		continue;
	memmove(b.s, b.s + start, end - start);
	b.len = end - start;
	b.s[b.len] = '\0';
	return (buf_detach(&b));
}

bool
rfc5322_tls_required_no(const struct hdr_field *f)
{
	char	*v = rfc5322_hdr_unfold(f);
	bool	 no = strcasecmp(v, "No") == 0;

	free(v);
	return (no);
}
