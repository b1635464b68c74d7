/*
 * buf.c - growable byte buffer and small UTF-8 helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

void
buf_init(struct buf *b)
{
	b->cap = 64;
	b->s = xmalloc(b->cap);
	b->s[0] = '\0';
	b->len = 0;
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	if (b->s == NULL)
		buf_init(b);
	b->len = 0;
	b->s[0] = '\0';
}

size_t
buf_cap_after(const struct buf *b, size_t n)
{
	size_t	cap = b->s == NULL ? 64 : b->cap;

	while (b->len + n + 1 > cap)
		cap *= 2;
	return (cap);
}

static void
buf_grow(struct buf *b, size_t n)
{
	if (b->s == NULL)
		buf_init(b);
	if (b->len + n + 1 <= b->cap)
		return;
	b->cap = buf_cap_after(b, n);
	b->s = xrealloc(b->s, b->cap);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_add_utf8(struct buf *b, uint32_t c)
{
	char	u[4];

	if (c < 0x80) {
		buf_addc(b, (char)c);
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 4);
	}
}

void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;

	/* Spelled out for gcc -fsanitize, which otherwise warns below. */
	if (fmt == NULL)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n <= 0)
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
buf_pad(struct buf *b, char c, size_t n)
{
	buf_grow(b, n);
	memset(b->s + b->len, c, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
base64_encode(char *out, const void *in, size_t len)
{
	static const char	 b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*p = in;
	uint32_t		 v;
	size_t			 i;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*out++ = b64[v >> 18];
		*out++ = b64[(v >> 12) & 63];
		*out++ = b64[(v >> 6) & 63];
		*out++ = b64[v & 63];
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		*out++ = b64[v >> 18];
		*out++ = b64[(v >> 12) & 63];
		*out++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		*out = '=';
	}
	explicit_bzero(&v, sizeof v);
}

void
buf_add_base64(struct buf *b, const void *in, size_t len)
{
	buf_grow(b, BASE64_LEN(len));
	base64_encode(b->s + b->len, in, len);
	b->len += BASE64_LEN(len);
	b->s[b->len] = '\0';
}

/* The buffer is left empty and holds no memory; buf_free is optional. */
char *
buf_detach(struct buf *b)
{
	char	*s = b->s != NULL ? b->s : xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return (s);
}

size_t
utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n, i;
	uint32_t		 c;

	if (len == 0) {
		*cp = 0;
		return (1);
	}
	if (u[0] < 0x80) {
		*cp = u[0];
		return (1);
	}
	if ((u[0] & 0xe0) == 0xc0) {
		n = 2;
		c = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		n = 3;
		c = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		n = 4;
		c = u[0] & 0x07;
	} else {
		*cp = 0xfffd;
		return (1);
	}
	if (n > len) {
		*cp = 0xfffd;
		return (1);
	}
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return (1);
		}
		c = (c << 6) | (u[i] & 0x3f);
	}
	*cp = c;
	return (n);
}

size_t
utf8_width(const char *s)
{
	size_t	 n = 0, len = strlen(s), i = 0;
	uint32_t cp;

	while (i < len) {
		i += utf8_decode(s + i, len - i, &cp);
		n++;
	}
	return (n);
}

size_t
utf8_offset(const char *s, size_t ncp)
{
	size_t	 len = strlen(s), i = 0;
	uint32_t cp;

	while (i < len && ncp > 0) {
		i += utf8_decode(s + i, len - i, &cp);
		ncp--;
	}
	return (i);
}
