/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 */
#ifndef HUBSH_BUF_H
#define HUBSH_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char	*s;		/* NUL-terminated; NULL after buf_detach */
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_add_utf8(struct buf *, uint32_t);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vaddf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
void	 buf_pad(struct buf *, char, size_t);
/* The capacity the buffer will have once n more bytes are added. */
size_t	 buf_cap_after(const struct buf *, size_t);
/* Hand the string to the caller; the buffer is left empty, freed. */
char	*buf_detach(struct buf *);

/*
 * Base64 (RFC 4648 4: padded, no line breaks).  base64_encode writes
 * exactly BASE64_LEN(len) bytes to out, no NUL, and leaves no copy of
 * the input's bits behind (it carries credentials); buf_add_base64
 * appends the same to a buffer.
 */
#define BASE64_LEN(n)	(4 * (((n) + 2) / 3))
void	 base64_encode(char *, const void *, size_t);
void	 buf_add_base64(struct buf *, const void *, size_t);

/* UTF-8 helpers. */
/* Decode one code point at s (len bytes left); returns bytes used (>= 1). */
size_t	 utf8_decode(const char *, size_t, uint32_t *);
/* Number of code points (display cells, approximated) in s. */
size_t	 utf8_width(const char *);
/* Byte offset of the first n code points of s. */
size_t	 utf8_offset(const char *, size_t);

#endif
