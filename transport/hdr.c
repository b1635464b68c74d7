/*
 * hdr.c - the RFC 5322 header field scanner that intake (smtpd.c, for
 * hops, Message-ID and Subject; pickup.c, for the envelope) and the
 * fuzzers share.  It reads CRLF header sections as the spool holds them
 * and never goes past len.
 */
#include <stddef.h>
#include <string.h>

#include "xmalloc.h"
#include "transport.h"

int
hdr_next(const char *h, size_t len, size_t *pos, struct hdr_field *f)
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
hdr_unfold(const struct hdr_field *f)
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
