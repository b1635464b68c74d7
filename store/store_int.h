/*
 * store_int.h - private definitions shared by the files of store/.
 *
 * Nothing outside store/ includes this header.  It holds the backends'
 * interface, the statement API the rest of store/ speaks through it, and
 * the SQLite helpers the spool and the SQLite backend share.
 *
 * Backends.  The configuration store (connectors, transport settings,
 * servers) lives in SQLite (store_sqlite.c: a file on this machine) or
 * PostgreSQL (store_pg.c: a database several transport servers share),
 * chosen by the location store_open() is given.  store.c, the connector,
 * transport and credential files use one SQL dialect that both accept:
 *
 *	- parameters ?N, and a bare ? for the one after the highest so far,
 *	  as SQLite numbers them;
 *	- integers as 64-bit values; booleans as 0 and 1;
 *	- names compared without case by their column's type (COLLATE
 *	  NOCASE in SQLite, citext in PostgreSQL), so "name = ?1" and
 *	  "ORDER BY name" need no collation of their own;
 *	- INSERT ... ON CONFLICT (col) DO UPDATE/NOTHING for upserts;
 *	- SAVEPOINT, RELEASE and ROLLBACK TO inside a transaction.
 *
 * The schema, its migrations and the change counter (the triggers that
 * bump meta.generation, which PostgreSQL also announces with NOTIFY) are
 * each backend's own, with the same tables, columns, constraints and
 * version numbers.  The spool (spool.c) is SQLite only and uses the
 * SQLite helpers below directly.
 */
#ifndef HUBSH_STORE_INT_H
#define HUBSH_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

#define STORE_KEY_LEN		32	/* AES-256 */
#define STORE_NONCE_LEN		12	/* GCM nonce */
#define STORE_TAG_LEN		16	/* GCM tag */

struct store_backend;
struct store_stmt;
struct store_pg;

struct store {
	const struct store_backend *be;
	char		*path;		/* the file, or the URI shown */
	char		*server;

	/* SQLite: the connection and its prepared statements, by SQL. */
	sqlite3		*db;
	struct store_cached {
		char		*sql;
		sqlite3_stmt	*st;
		int		 busy;
		struct store_stmt *wrap;	/* its store_stmt, or NULL */
	}		**cache;
	size_t		 ncache;

	/* PostgreSQL (store_pg.c). */
	struct store_pg	*pg;

	char		*key_path;	/* the credential key file */
	int		 have_key;
	unsigned char	 key[STORE_KEY_LEN];
};

/* What a step of a statement gave. */
enum store_step {
	STORE_ROW,		/* a row to read */
	STORE_DONE,		/* finished */
	STORE_CONSTRAINT,	/* refused by a constraint; see errmsg */
	STORE_ERROR		/* failed; see errmsg */
};

/*
 * A backend.  Statements are prepared once per connection and kept
 * (release hands one back for reuse); a statement's text values are the
 * caller's until its last step, and binding a value after a step starts
 * the statement over, to run again with the new values.  Each backend defines struct store_stmt
 * for itself, beginning with a pointer to its backend, by which the db_*
 * calls find it.
 */
struct store_backend {
	const char	*name;		/* "SQLite", "PostgreSQL" */
	/* Connect to location, create or migrate the schema. */
	int		 (*open)(struct store *, const char *location,
			    char **cause);
	void		 (*close)(struct store *);
	int		 (*prepare)(struct store *, const char *sql,
			    struct store_stmt **, char **cause);
	void		 (*release)(struct store *, struct store_stmt *);
	void		 (*bind_int)(struct store_stmt *, int, int64_t);
	/* NULL binds SQL NULL. */
	void		 (*bind_text)(struct store_stmt *, int, const char *);
	void		 (*bind_blob)(struct store_stmt *, int, const void *,
			    size_t);
	enum store_step	 (*step)(struct store_stmt *);
	int64_t		 (*col_int)(struct store_stmt *, int);
	/* NULL for SQL NULL; valid until the next step. */
	const char	*(*col_text)(struct store_stmt *, int);
	const void	*(*col_blob)(struct store_stmt *, int, size_t *);
	/* Rows the last statement itself changed (not its triggers'). */
	int64_t		 (*changes)(struct store_stmt *);
	/* The row id an INSERT gave (after STORE_DONE). */
	int64_t		 (*insert_id)(struct store_stmt *);
	/* Constant SQL, one or more statements, no rows wanted. */
	int		 (*exec)(struct store *, const char *sql, char **cause);
	/*
	 * The statement that opens a write transaction, which locks out
	 * every other writer until it ends (SQLite's BEGIN IMMEDIATE, the
	 * file's write lock; PostgreSQL's advisory PG_WRITE_LOCK, which
	 * every writer takes first): what a cmdlet reads in it cannot
	 * change before it writes, with no row lock of its own.
	 */
	const char	*begin_write;
	bool		 (*in_txn)(struct store *);
	/* The last error's text, for store_fail. */
	const char	*(*errmsg)(struct store *);
	/* Did the last failure violate table.column's uniqueness? */
	bool		 (*unique_violation)(struct store *, const char *table,
			    const char *column);
	int		 (*schema_version)(struct store *, int *, char **cause);
	/*
	 * Changes announced (store_watch() in store.h); NULL where the
	 * backend announces none and readers poll the generation.
	 */
	int		 (*watch)(struct store *, char **cause);
	int		 (*watch_fd)(struct store *);
	int		 (*watch_changed)(struct store *);
};

extern const struct store_backend store_sqlite_backend;
extern const struct store_backend store_pg_backend;

/* store.c: the statement API, through s->be. */
int	 db_prepare(struct store *, struct store_stmt **, const char *,
	     char **);
void	 db_release(struct store *, struct store_stmt *);
void	 db_int(struct store_stmt *, int, int64_t);
void	 db_text(struct store_stmt *, int, const char *);
void	 db_blob(struct store_stmt *, int, const void *, size_t);
enum store_step db_step(struct store_stmt *);
int64_t	 db_col_int(struct store_stmt *, int);
const char *db_col_text(struct store_stmt *, int);
const void *db_col_blob(struct store_stmt *, int, size_t *);
int64_t	 db_changes(struct store_stmt *);
int64_t	 db_insert_id(struct store_stmt *);
int	 db_exec(struct store *, const char *, char **);

/* store.c: where a PostgreSQL URI's user part has a password. */
int	 store_uri_password(const char *, const char **, size_t *);

int	 store_fail(struct store *, char **, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* How store_txn_enter() opened its scope, for store_txn_leave(). */
enum store_txn {
	STORE_TXN_OWN,		/* BEGIN: no transaction was open */
	STORE_TXN_SAVEPOINT,	/* SAVEPOINT inside the caller's one */
	STORE_TXN_NONE		/* a read inside the caller's one */
};

int	 store_txn_enter(struct store *, int, enum store_txn *, char **);
int	 store_txn_leave(struct store *, enum store_txn, int, char **);

/*
 * store_sqlite.c: SQLite connections, for the SQLite backend and the
 * spool.
 */

/* One migration step: run in one transaction, ends at version. */
struct store_migration {
	int		 version;
	const char	*sql;
};

/*
 * A database's schema: steps[v] takes version v to v + 1.  With app_id,
 * an existing file whose PRAGMA application_id differs is refused before
 * anything is migrated ("x is not a <what>").
 */
struct store_schema {
	int				 version;	/* current */
	const struct store_migration	*steps;
	size_t				 nsteps;
	int				 app_id;	/* 0: not checked */
	const char			*what;
};

struct store *store_open_file(const char *, const struct store_schema *,
	     char **);
struct store *store_open_file_ro(const char *, const struct store_schema *,
	     char **);
int	 store_exec(struct store *, const char *, char **);
int	 store_run(struct store *, const char *, char **);
int	 store_prepare(struct store *, sqlite3_stmt **, const char *,
	     char **);
void	 store_release(struct store *, sqlite3_stmt *);

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
