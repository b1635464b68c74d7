/*
 * dynlib.h - a shared library loaded on first use, by its soname.
 *
 * hubsh starts for every cron job and every -Command, and most of its
 * start-up time went to the dynamic loader binding libcrypto and
 * libreadline, which a batch run rarely or never calls.  Those two are
 * therefore not linked: the code that needs them loads them here, the
 * first time it needs them, by the exact soname configure found for the
 * library it compiled against (so the ABI is the one the headers
 * described), and calls them through a table of pointers.
 *
 * The table is a struct of pointers whose types come from the library's
 * own header (__typeof__), so every call is still checked by the
 * compiler.  One list of names makes both the struct and the symbols to
 * look up, so the two cannot drift apart:
 *
 *	#define Z_SYMS(_)	_(deflate) _(zlibVersion)
 *	static struct { Z_SYMS(DYNLIB_PTR) } z;
 *	#define Z_SYM(sym)	DYNLIB_SYM(z, sym)
 *	static const struct dynlib_sym z_syms[] = { Z_SYMS(Z_SYM) };
 *	static struct dynlib z_lib = DYNLIB_INIT("libz.so.1", z_syms, &z);
 *	...
 *	if (dynlib_load(&z_lib, &cause) != 0) ...
 *	z.deflate(...);
 */
#ifndef HUBSH_DYNLIB_H
#define HUBSH_DYNLIB_H

#include <stddef.h>

struct dynlib_sym {
	const char	*name;
	size_t		 offset;	/* of its pointer in the table */
};

/* A member of a table: a pointer typed like the library's sym. */
#define DYNLIB_PTR(sym)		__typeof__(sym) *sym;

/* An entry of a syms list: sym, and its pointer's place in table. */
#define DYNLIB_SYM(table, sym) \
	{ #sym, offsetof(__typeof__(table), sym) },

struct dynlib {
	const char		*soname;
	const struct dynlib_sym	*syms;
	size_t			 nsyms;
	void			*table;

	int			 state;		/* 0 untried, 1 loaded, -1 failed */
	char			*error;		/* why it failed, kept */
};

#define DYNLIB_INIT(soname, syms, table) \
	{ (soname), (syms), sizeof (syms) / sizeof (syms)[0], (table), 0, NULL }

/*
 * Load the library and fill its table, once per process; safe to call
 * from any thread.  On failure *cause says which library and why (the
 * same words on every later call), and the table is left empty.
 */
int	dynlib_load(struct dynlib *, char **);

#endif
