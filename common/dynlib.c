/*
 * dynlib.c - a shared library loaded on first use (dynlib.h).
 *
 * A library is loaded at most once per process and stays loaded: its
 * table is a process-wide static of the caller's, and the pointers in it
 * must stay valid.  A failure is kept too, so that every later call gives
 * the same cause without trying again (a batch of 500 connectors with
 * credentials reports one reason, not 500 different dlerror strings).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dynlib.h"
#include "xmalloc.h"

static pthread_mutex_t	dynlib_lock = PTHREAD_MUTEX_INITIALIZER;

static int	dynlib_open(struct dynlib *);

/* Open the library and resolve every symbol; sets state and error. */
static int
dynlib_open(struct dynlib *dl)
{
	const struct dynlib_sym	*sym;
	const char		*why;
	void			*h, *p;
	size_t			 i, j, n;

	dlerror();
	/*
	 * RTLD_LOCAL: its symbols serve our table only, never a later
	 * lookup by another object.  RTLD_NOW: a library that lacks a
	 * symbol it needs fails here, with a reason, not in the middle of
	 * a cmdlet.
	 */
	if ((h = dlopen(dl->soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		/* glibc's reason starts with the name we gave it. */
		n = strlen(dl->soname);
		if (why != NULL && strncmp(why, dl->soname, n) == 0 &&
		    strncmp(why + n, ": ", 2) == 0)
			why += n + 2;
		dl->error = xprintf("cannot load %s: %s", dl->soname,
		    why != NULL ? why : "unknown error");
		return (-1);
	}
	for (i = 0; i < dl->nsyms; i++) {
		sym = &dl->syms[i];
		dlerror();
		p = dlsym(h, sym->name);
		if ((why = dlerror()) != NULL || p == NULL) {
			dl->error = xprintf("cannot load %s: %s", dl->soname,
			    why != NULL ? why : "a symbol is NULL");
			for (j = 0; j < i; j++)
				memset((char *)dl->table + dl->syms[j].offset,
				    0, sizeof p);
			dlclose(h);
			return (-1);
		}
		/* POSIX's own idiom for a function pointer from dlsym. */
		memcpy((char *)dl->table + sym->offset, &p, sizeof p);
	}
	return (0);
}

int
dynlib_load(struct dynlib *dl, char **cause)
{
	int	rc;

	pthread_mutex_lock(&dynlib_lock);
	if (dl->state == 0)
		dl->state = dynlib_open(dl) == 0 ? 1 : -1;
	rc = dl->state == 1 ? 0 : -1;
	if (rc != 0)
		*cause = xstrdup(dl->error);
	pthread_mutex_unlock(&dynlib_lock);
	return (rc);
}
