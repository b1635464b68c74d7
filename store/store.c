/*
 * store.c - opening the hubsh store, its transactions, its change counter
 * and the statement API the rest of store/ uses.
 *
 * The store is the configuration hubsh writes and hubd reads: a SQLite
 * file on one machine (store_sqlite.c), or a PostgreSQL database that
 * several transport servers share (store_pg.c), chosen by the location.
 * This file opens it through its backend, records the local transport
 * server, and gives the rest of store/ transactions (with savepoints),
 * the change counter ("generation") and the db_* statement calls, which
 * are the backend's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "xmalloc.h"
#include "store_int.h"

#ifndef HUBSH_DEFAULT_STORE
#define HUBSH_DEFAULT_STORE	"/var/lib/hubsh/hubsh.db"
#endif

static const struct store_backend *store_backend_for(const char *);
static char	*store_local_host(char **);
static int	 store_record_server(struct store *, char **);

const char *
store_default_path(void)
{
	return (HUBSH_DEFAULT_STORE);
}

char *
store_resolve_path(const char *explicit_path)
{
	const char	*env;

	if (explicit_path != NULL && *explicit_path != '\0')
		return (xstrdup(explicit_path));
	env = getenv("HUBSH_STORE");
	if (env != NULL && *env != '\0')
		return (xstrdup(env));
	return (xstrdup(store_default_path()));
}

bool
store_location_is_pg(const char *location)
{
	return (strncasecmp(location, "postgresql://", 13) == 0 ||
	    strncasecmp(location, "postgres://", 11) == 0);
}

/*
 * The password in a PostgreSQL URI's user part: *start and *len, or 0
 * when there is none.  The user part ends at the last @ before the
 * query, not at the first /: a password with an unencoded / or @ is
 * still one, and must not be shown (libpq would read its pieces as a
 * host or a port, and name them in its messages).
 */
int
store_uri_password(const char *location, const char **start, size_t *len)
{
	const char	*auth, *end, *at = NULL, *colon, *p;

	if (!store_location_is_pg(location))
		return (0);
	auth = strstr(location, "://") + 3;
	end = auth + strcspn(auth, "?");
	for (p = auth; p < end; p++) {
		if (*p == '@')
			at = p;
	}
	if (at == NULL ||
	    (colon = memchr(auth, ':', (size_t)(at - auth))) == NULL)
		return (0);
	*start = colon + 1;
	*len = (size_t)(at - *start);
	return (1);
}

/*
 * A location as it may be shown: a PostgreSQL URI without its password,
 * whether in the user part (postgresql://user:secret@host/db) or given
 * as a parameter (?password=secret).  A file path is shown as it is.
 */
char *
store_location_display(const char *location)
{
	struct buf	 b;
	const char	*pw, *p;
	size_t		 n;
	char		 sep = '?';

	if (!store_location_is_pg(location))
		return (xstrdup(location));
	buf_init(&b);
	if (store_uri_password(location, &pw, &n)) {
		buf_add(&b, location, (size_t)(pw - 1 - location));
		location = pw + n;
	}
	n = strcspn(location, "?");
	buf_add(&b, location, n);
	for (p = location + n; *p != '\0'; p += n) {
		p++;				/* the ? or & */
		n = strcspn(p, "&");
		if (n >= 9 && strncasecmp(p, "password=", 9) == 0)
			continue;
		buf_addc(&b, sep);
		buf_add(&b, p, n);
		sep = '&';
	}
	return (buf_detach(&b));
}

/* A PostgreSQL URI names the PostgreSQL backend; anything else a file. */
static const struct store_backend *
store_backend_for(const char *location)
{
	return (store_location_is_pg(location) ? &store_pg_backend :
	    &store_sqlite_backend);
}

int
store_open(struct store **sp, const char *location, const char *server_name,
    char **cause)
{
	struct store	*s;
	const char	*key;

	*sp = NULL;
	if (location == NULL || *location == '\0') {
		*cause = xstrdup("no store path given");
		return (-1);
	}
	s = xcalloc(1, sizeof *s);
	s->be = store_backend_for(location);
	if (s->be->open(s, location, cause) != 0) {
		store_close(s);
		return (-1);
	}
	if ((key = getenv("HUBSH_KEY_FILE")) != NULL && *key != '\0')
		store_set_key_file(s, key);
	if (server_name != NULL && *server_name != '\0')
		s->server = xstrdup(server_name);
	else if ((s->server = store_local_host(cause)) == NULL) {
		store_close(s);
		return (-1);
	}
	if (store_record_server(s, cause) != 0) {
		store_close(s);
		return (-1);
	}
	*sp = s;
	return (0);
}

/* The short host name: gethostname() cut at the first dot. */
static char *
store_local_host(char **cause)
{
	char	name[256], *p;

	if (gethostname(name, sizeof name) != 0) {
		xasprintf(cause, "cannot get host name: %s", strerror(errno));
		return (NULL);
	}
	name[sizeof name - 1] = '\0';
	if ((p = strchr(name, '.')) != NULL)
		*p = '\0';
	if (*name == '\0') {
		*cause = xstrdup("the host name is empty");
		return (NULL);
	}
	return (xstrdup(name));
}

/*
 * One write of this server's row in the registry: sql with ?1 its name,
 * ?2 now and ?3.. the n texts that follow (each may be NULL).  what says
 * what failed.
 */
static int
store_server_write(struct store *s, const char *sql, const char *what,
    char **cause, int n, ...)
{
	struct store_stmt	*st;
	enum store_step		 rc;
	va_list			 ap;
	int			 i;

	if (db_prepare(s, &st, sql, cause) != 0)
		return (-1);
	db_text(st, 1, s->server);
	db_int(st, 2, (int64_t)time(NULL));
	va_start(ap, n);
	for (i = 0; i < n; i++)
		db_text(st, 3 + i, va_arg(ap, const char *));
	va_end(ap);
	rc = db_step(st);
	db_release(s, st);
	if (rc != STORE_DONE)
		return (store_fail(s, cause, "cannot %s server %s", what,
		    s->server));
	return (0);
}

static int
store_record_server(struct store *s, char **cause)
{
	if (store_server_known(s, s->server) == 1)
		return (0);
	return (store_server_write(s, "INSERT INTO servers (name, first_seen) "
	    "VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING", "record", cause,
	    0));
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->be != NULL) {
		store_rollback(s);
		s->be->close(s);
	}
	store_crypt_forget(s);
	free(s->path);
	free(s->server);
	free(s->key_path);
	free(s);
}

const char *
store_path(struct store *s)
{
	return (s->path);
}

const char *
store_server_name(struct store *s)
{
	return (s->server);
}

void
store_set_key_file(struct store *s, const char *path)
{
	free(s->key_path);
	s->key_path = xstrdup(path);
}

const char *
store_backend_name(struct store *s)
{
	return (s->be->name);
}

bool
store_in_txn(struct store *s)
{
	return (s->be->in_txn(s));
}

int
store_begin(struct store *s, char **cause)
{
	if (s->be->in_txn(s)) {
		*cause = xstrdup("a store transaction is already open");
		return (-1);
	}
	return (db_exec(s, s->be->begin_write, cause));
}

int
store_commit(struct store *s, char **cause)
{
	if (db_exec(s, "COMMIT", cause) != 0) {
		store_rollback(s);
		return (-1);
	}
	return (0);
}

void
store_rollback(struct store *s)
{
	char	*ignore = NULL;

	if (s == NULL || s->be == NULL || !s->be->in_txn(s))
		return;
	if (db_exec(s, "ROLLBACK", &ignore) != 0)
		free(ignore);
}

int
store_generation(struct store *s, int64_t *gen, char **cause)
{
	struct store_stmt	*st;
	enum store_step		 rc;

	if (db_prepare(s, &st, "SELECT value FROM meta WHERE key = "
	    "'generation'", cause) != 0)
		return (-1);
	if ((rc = db_step(st)) == STORE_ROW)
		*gen = db_col_int(st, 0);
	db_release(s, st);
	if (rc != STORE_ROW)
		return (store_fail(s, cause, "cannot read store generation"));
	return (0);
}

int
store_watch(struct store *s, char **cause)
{
	if (s->be->watch == NULL)
		return (1);
	return (s->be->watch(s, cause));
}

int
store_watch_fd(struct store *s)
{
	if (s->be->watch_fd == NULL)
		return (-1);
	return (s->be->watch_fd(s));
}

int
store_watch_changed(struct store *s)
{
	if (s->be->watch_changed == NULL)
		return (0);
	return (s->be->watch_changed(s));
}

int
store_server_known(struct store *s, const char *name)
{
	struct store_stmt	*st;
	char			*cause = NULL;
	enum store_step		 rc;

	if (name == NULL || db_prepare(s, &st, "SELECT 1 FROM servers "
	    "WHERE name = ?1", &cause) != 0) {
		free(cause);
		return (0);
	}
	db_text(st, 1, name);
	rc = db_step(st);
	db_release(s, st);
	return (rc == STORE_ROW);
}

int
store_server_register(struct store *s, const char *fqdn, const char *version,
    const char *control, char **cause)
{
	return (store_server_write(s, "UPDATE servers SET started = ?2, "
	    "heartbeat = ?2, fqdn = ?3, version = ?4, control = ?5 "
	    "WHERE name = ?1", "register", cause, 3, fqdn, version,
	    control));
}

int
store_server_heartbeat(struct store *s, char **cause)
{
	return (store_server_write(s, "UPDATE servers SET heartbeat = ?2 "
	    "WHERE name = ?1", "record the heartbeat of", cause, 0));
}

/* A text column, copied; NULL stays NULL. */
static char *
store_col_dup(struct store_stmt *st, int col)
{
	const char	*v = db_col_text(st, col);

	return (v != NULL ? xstrdup(v) : NULL);
}

int
store_server_list(struct store *s, struct server_info **out, size_t *n,
    char **cause)
{
	struct store_stmt	*st;
	struct server_info	*si;
	enum store_step		 rc;

	*out = NULL;
	*n = 0;
	if (db_prepare(s, &st, "SELECT name, fqdn, version, control, "
	    "first_seen, started, heartbeat FROM servers ORDER BY name",
	    cause) != 0)
		return (-1);
	while ((rc = db_step(st)) == STORE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		si = &(*out)[(*n)++];
		si->name = store_col_dup(st, 0);
		si->fqdn = store_col_dup(st, 1);
		si->version = store_col_dup(st, 2);
		si->control = store_col_dup(st, 3);
		si->first_seen = db_col_int(st, 4);
		si->started = db_col_int(st, 5);
		si->heartbeat = db_col_int(st, 6);
	}
	db_release(s, st);
	if (rc != STORE_DONE) {
		server_info_free(*out, *n);
		*out = NULL;
		*n = 0;
		return (store_fail(s, cause, "cannot read the servers"));
	}
	return (0);
}

void
server_info_free(struct server_info *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].fqdn);
		free(v[i].version);
		free(v[i].control);
	}
	free(v);
}

int
store_schema_version(struct store *s)
{
	char	*cause = NULL;
	int	 v;

	if (s->be->schema_version(s, &v, &cause) != 0) {
		free(cause);
		return (-1);
	}
	return (v);
}

/* Set *cause to the formatted message and the backend's error; -1. */
int
store_fail(struct store *s, char **cause, const char *fmt, ...)
{
	va_list		 ap;
	const char	*why;
	char		*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (s != NULL && s->be != NULL && (why = s->be->errmsg(s)) != NULL &&
	    *why != '\0') {
		xasprintf(cause, "%s: %s", msg, why);
		free(msg);
	} else
		*cause = msg;
	return (-1);
}

/*
 * Open an atomic scope for one store operation: a transaction of its own
 * (a write transaction when writing) if none is open, else a savepoint
 * inside the caller's transaction, so a failed operation undoes only
 * itself.
 */
int
store_txn_enter(struct store *s, int write, enum store_txn *how,
    char **cause)
{
	if (!s->be->in_txn(s)) {
		*how = STORE_TXN_OWN;
		return (db_exec(s, write ? s->be->begin_write : "BEGIN",
		    cause));
	}
	/*
	 * A read changes nothing a failure would have to undo, and on
	 * PostgreSQL a SAVEPOINT and its RELEASE are two round trips.
	 */
	if (!write) {
		*how = STORE_TXN_NONE;
		return (0);
	}
	*how = STORE_TXN_SAVEPOINT;
	return (db_exec(s, "SAVEPOINT store_op", cause));
}

/*
 * Close the scope: keep its work if ok, else undo it.  Returns 0 only when
 * the work was kept; *cause is set here only if keeping it failed.
 */
int
store_txn_leave(struct store *s, enum store_txn how, int ok, char **cause)
{
	char	*ignore = NULL;

	if (how == STORE_TXN_NONE)
		return (ok ? 0 : -1);
	if (ok && db_exec(s, how == STORE_TXN_OWN ? "COMMIT" :
	    "RELEASE store_op", cause) == 0)
		return (0);
	if (how == STORE_TXN_OWN)
		store_rollback(s);
	else if (s->be->in_txn(s) && db_exec(s, "ROLLBACK TO store_op; "
	    "RELEASE store_op", &ignore) != 0)
		free(ignore);
	return (-1);
}

/*
 * The statement API: each call is the backend's.
 */
int
db_prepare(struct store *s, struct store_stmt **st, const char *sql,
    char **cause)
{
	return (s->be->prepare(s, sql, st, cause));
}

void
db_release(struct store *s, struct store_stmt *st)
{
	if (st != NULL)
		s->be->release(s, st);
}

/* A statement's backend: the first member of every store_stmt. */
#define DB_BE(st)	(*(const struct store_backend *const *)(st))

void
db_int(struct store_stmt *st, int i, int64_t v)
{
	DB_BE(st)->bind_int(st, i, v);
}

void
db_text(struct store_stmt *st, int i, const char *v)
{
	DB_BE(st)->bind_text(st, i, v);
}

void
db_blob(struct store_stmt *st, int i, const void *v, size_t len)
{
	DB_BE(st)->bind_blob(st, i, v, len);
}

enum store_step
db_step(struct store_stmt *st)
{
	return (DB_BE(st)->step(st));
}

int64_t
db_col_int(struct store_stmt *st, int col)
{
	return (DB_BE(st)->col_int(st, col));
}

const char *
db_col_text(struct store_stmt *st, int col)
{
	return (DB_BE(st)->col_text(st, col));
}

const void *
db_col_blob(struct store_stmt *st, int col, size_t *len)
{
	return (DB_BE(st)->col_blob(st, col, len));
}

int64_t
db_changes(struct store_stmt *st)
{
	return (DB_BE(st)->changes(st));
}

int64_t
db_insert_id(struct store_stmt *st)
{
	return (DB_BE(st)->insert_id(st));
}

int
db_exec(struct store *s, const char *sql, char **cause)
{
	return (s->be->exec(s, sql, cause));
}
