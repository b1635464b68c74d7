/*
 * store_int.h - private definitions shared by the files of store/.
 *
 * Nothing outside store/ includes this header: it is where the SQLite
 * handle lives and where store.c, store_connector.c, store_crypt.c and
 * spool.c share their helpers.
 */
#ifndef HUBSH_STORE_INT_H
#define HUBSH_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

#define STORE_KEY_LEN		32	/* AES-256 */
#define STORE_NONCE_LEN		12	/* GCM nonce */
#define STORE_TAG_LEN		16	/* GCM tag */

struct store {
	sqlite3		*db;
	char		*path;
	char		*server;
	sqlite3_stmt	*gen_stmt;	/* reads the generation counter */

	/* Prepared statements kept for reuse, keyed by their SQL text. */
	struct store_cached {
		char		*sql;
		sqlite3_stmt	*st;
		int		 busy;
	}		*cache;
	size_t		 ncache;

	int		 have_key;
	unsigned char	 key[STORE_KEY_LEN];
};

/* One migration step: run in one transaction, ends at version. */
struct store_migration {
	int		 version;
	const char	*sql;
};

/* A database's schema: steps[v] takes version v to v + 1. */
struct store_schema {
	int				 version;	/* current */
	const struct store_migration	*steps;
	size_t				 nsteps;
};

/* How store_txn_enter() opened its scope, for store_txn_leave(). */
enum store_txn {
	STORE_TXN_OWN,		/* BEGIN: no transaction was open */
	STORE_TXN_SAVEPOINT	/* SAVEPOINT inside the caller's one */
};

/* store.c */
struct store *store_open_file(const char *, const struct store_schema *,
	     char **);
struct store *store_open_file_ro(const char *, const struct store_schema *,
	     char **);
int	 store_fail(struct store *, char **, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	 store_exec(struct store *, const char *, char **);
int	 store_run(struct store *, const char *, char **);
int	 store_prepare(struct store *, sqlite3_stmt **, const char *,
	     char **);
void	 store_release(struct store *, sqlite3_stmt *);
void	 store_cache_free(struct store *);
int	 store_txn_enter(struct store *, int, enum store_txn *, char **);
int	 store_txn_leave(struct store *, enum store_txn, int, char **);

/* spool.c; the SQL text of a tracking query, for its unit test. */
char	*spool_track_sql(const struct track_query *, unsigned *);

/* store_crypt.c */
int	 store_crypt_encrypt(struct store *, const char *, const char *,
	     unsigned char **, size_t *, char **);
int	 store_crypt_decrypt(struct store *, const char *,
	     const unsigned char *, size_t, char **, char **);
void	 store_crypt_forget(struct store *);
int	 store_crypt_uuid(char [37], char **);

#endif
