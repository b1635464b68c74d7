/*
 * xmalloc.h - allocation helpers that never return NULL.
 *
 * Every function aborts the process when memory is exhausted, so callers
 * never test the result.  Used by every module of hubsh and hubd.
 */
#ifndef HUBSH_XMALLOC_H
#define HUBSH_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/* Like xasprintf but returns the string. */
char	*xprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Free n strings and the array that holds them. */
void	 strv_free(char **, size_t);

#endif
