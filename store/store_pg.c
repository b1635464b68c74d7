/*
 * store_pg.c - the PostgreSQL backend of the store: not built yet.  A
 * postgresql:// location is refused plainly until it is.
 */
#include "xmalloc.h"
#include "store_int.h"

static int
pg_open(struct store *s, const char *location, char **cause)
{
	(void)s;
	(void)location;
	*cause = xstrdup("this hubsh has no PostgreSQL store backend");
	return (-1);
}

static void
pg_close(struct store *s)
{
	(void)s;
}

static bool
pg_in_txn(struct store *s)
{
	(void)s;
	return (false);
}

const struct store_backend store_pg_backend = {
	.name = "PostgreSQL",
	.open = pg_open,
	.close = pg_close,
	.in_txn = pg_in_txn,
};
