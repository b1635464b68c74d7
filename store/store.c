/*
 * store.c - opening, migrating and transactions of the hubsh store.
 *
 * The store is one SQLite file in WAL mode shared by hubsh and the
 * transport daemon.  This file opens it (creating it mode 0600), brings
 * the schema up to STORE_SCHEMA_VERSION one transaction per step, records
 * the local transport server and provides the transaction and change
 * counter ("generation") primitives used by the rest of store/.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "xmalloc.h"
#include "store_int.h"

#ifndef HUBSH_DEFAULT_STORE
#define HUBSH_DEFAULT_STORE	"/var/lib/hubsh/hubsh.db"
#endif

#define STORE_BUSY_MS		5000

static int	 store_mkparent(const char *, char **);
static int	 store_mkdirs(char *, char **);
static int	 store_create(const char *, char **);
static int	 store_open_db(struct store *, const struct store_schema *,
		     char **);
static int	 store_pragmas(struct store *, char **);
static int	 store_user_version(struct store *, int *, char **);
static int	 store_open_immutable(struct store *, const char *);
static int	 store_migrate(struct store *, const struct store_schema *,
		     char **);
static int	 store_migrate_one(struct store *, const struct store_schema *,
		     int *, char **);
static char	*store_local_host(char **);
static int	 store_record_server(struct store *, char **);

#define GEN_TRIGGERS(t)							\
	"CREATE TRIGGER " t "_gen_ins AFTER INSERT ON " t " BEGIN "	\
	"UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;" \
	"CREATE TRIGGER " t "_gen_upd AFTER UPDATE ON " t " BEGIN "	\
	"UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;" \
	"CREATE TRIGGER " t "_gen_del AFTER DELETE ON " t " BEGIN "	\
	"UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;"

#define BOOLCOL(c)	c " INTEGER NOT NULL CHECK (" c " IN (0, 1)),"

static const char store_schema_v1[] =
	"CREATE TABLE meta ("
	" key TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL) STRICT;"
	"INSERT INTO meta (key, value) VALUES ('generation', 0);"
	"CREATE TABLE servers ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (name <> ''),"
	" first_seen INTEGER NOT NULL) STRICT;"
	"CREATE TABLE send_connectors ("
	" id INTEGER PRIMARY KEY,"
	" guid TEXT NOT NULL UNIQUE CHECK (length(guid) = 36),"
	" name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (name <> ''),"
	" when_created INTEGER NOT NULL,"
	" when_changed INTEGER NOT NULL,"
	" usage INTEGER NOT NULL CHECK (usage BETWEEN 0 AND 3),"
	" comment TEXT NOT NULL,"
	BOOLCOL("cloud_services_mail_enabled")
	" connector_type INTEGER NOT NULL CHECK (connector_type IN (0, 1)),"
	" connection_inactivity_timeout INTEGER NOT NULL"
	"  CHECK (connection_inactivity_timeout BETWEEN 1 AND 86400),"
	BOOLCOL("domain_secure_enabled")
	BOOLCOL("enabled")
	" error_policies INTEGER NOT NULL"
	"  CHECK (error_policies >= 0 AND (error_policies & ~28) = 0),"
	BOOLCOL("force_helo")
	" fqdn TEXT,"
	BOOLCOL("frontend_proxy_enabled")
	BOOLCOL("ignore_starttls")
	BOOLCOL("is_scoped_connector")
	" max_message_size INTEGER NOT NULL CHECK (max_message_size = -1 OR"
	"  max_message_size BETWEEN 0 AND 2147483647),"
	" port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),"
	" protocol_logging_level INTEGER NOT NULL"
	"  CHECK (protocol_logging_level IN (0, 1)),"
	BOOLCOL("require_oorg")
	BOOLCOL("require_tls")
	" smart_host_auth_mechanism INTEGER NOT NULL"
	"  CHECK (smart_host_auth_mechanism IN (0, 2, 4, 8, 16)),"
	" smtp_max_messages_per_connection INTEGER NOT NULL"
	"  CHECK (smtp_max_messages_per_connection BETWEEN 0 AND 2147483647),"
	" source_ip_address TEXT NOT NULL,"
	" tls_auth_level INTEGER NOT NULL"
	"  CHECK (tls_auth_level IN (0, 1, 2, 4)),"
	" tls_certificate_name TEXT,"
	" tls_domain TEXT,"
	BOOLCOL("use_external_dns_servers_enabled")
	" auth_username TEXT,"
	" auth_password BLOB,"
	" CHECK ((auth_username IS NULL) = (auth_password IS NULL))) STRICT;"
	"CREATE TABLE address_spaces ("
	" connector_id INTEGER NOT NULL"
	"  REFERENCES send_connectors (id) ON DELETE CASCADE,"
	" position INTEGER NOT NULL,"
	" type TEXT NOT NULL,"
	" domain TEXT NOT NULL CHECK (domain <> ''),"
	" cost INTEGER NOT NULL CHECK (cost BETWEEN 1 AND 100),"
	" PRIMARY KEY (connector_id, position)) STRICT;"
	"CREATE TABLE smart_hosts ("
	" connector_id INTEGER NOT NULL"
	"  REFERENCES send_connectors (id) ON DELETE CASCADE,"
	" position INTEGER NOT NULL,"
	" host TEXT NOT NULL CHECK (host <> ''),"
	" PRIMARY KEY (connector_id, position)) STRICT;"
	"CREATE TABLE source_servers ("
	" connector_id INTEGER NOT NULL"
	"  REFERENCES send_connectors (id) ON DELETE CASCADE,"
	" position INTEGER NOT NULL,"
	" server TEXT NOT NULL CHECK (server <> ''),"
	" PRIMARY KEY (connector_id, position)) STRICT;"
	GEN_TRIGGERS("send_connectors")
	GEN_TRIGGERS("address_spaces")
	GEN_TRIGGERS("smart_hosts")
	GEN_TRIGGERS("source_servers")
	"PRAGMA user_version = 1;";

/*
 * Version 2: Set-TransportService's settings, one row per server, with
 * Exchange's ranges (durations in seconds; 2147483647 is Exchange's
 * 24855.03:14:07, the largest TimeSpan it takes for the maximum ages).
 * A change bumps the generation, as a connector change does.
 */
static const char store_schema_v2[] =
	"CREATE TABLE transport_service ("
	" server TEXT NOT NULL PRIMARY KEY COLLATE NOCASE"
	"  CHECK (server <> ''),"
	" transient_failure_retry_count INTEGER NOT NULL"
	"  CHECK (transient_failure_retry_count BETWEEN 0 AND 15),"
	" transient_failure_retry_interval INTEGER NOT NULL"
	"  CHECK (transient_failure_retry_interval BETWEEN 1 AND 43200),"
	" outbound_connection_failure_retry_interval INTEGER NOT NULL"
	"  CHECK (outbound_connection_failure_retry_interval"
	"  BETWEEN 1 AND 1728000),"
	" delay_notification_timeout INTEGER NOT NULL"
	"  CHECK (delay_notification_timeout BETWEEN 1 AND 2592000),"
	" message_expiration_timeout INTEGER NOT NULL"
	"  CHECK (message_expiration_timeout BETWEEN 5 AND 7776000),"
	" max_per_domain_outbound_connections INTEGER NOT NULL"
	"  CHECK (max_per_domain_outbound_connections"
	"  BETWEEN 1 AND 2147483647),"
	BOOLCOL("external_delay_dsn_enabled")
	BOOLCOL("message_tracking_log_enabled")
	" message_tracking_log_max_age INTEGER NOT NULL"
	"  CHECK (message_tracking_log_max_age BETWEEN 0 AND 2147483647),"
	BOOLCOL("message_tracking_log_subject_logging_enabled")
	" send_protocol_log_path TEXT,"
	" send_protocol_log_max_age INTEGER NOT NULL"
	"  CHECK (send_protocol_log_max_age BETWEEN 0 AND 2147483647),"
	" when_changed INTEGER NOT NULL CHECK (when_changed >= 0)) STRICT;"
	GEN_TRIGGERS("transport_service")
	"PRAGMA user_version = 2;";

/*
 * Version 3: the rest of Set-TransportService that hubd honours, with
 * Exchange's defaults for the rows that exist and its ranges.
 * MaxOutboundConnections Unlimited is 2147483647, as for the per-domain
 * limit; the protocol log sizes are bytes, -1 for Unlimited.
 */
#define TS_COLUMN(c, d, check) \
	"ALTER TABLE transport_service ADD COLUMN " c " INTEGER NOT NULL" \
	" DEFAULT " d " CHECK (" c " " check ");"
#define TS_LOGSIZE_C	"BETWEEN 1 AND 999999999999999"

static const char store_schema_v3[] =
	TS_COLUMN("send_protocol_log_max_directory_size", "262144000",
	    "= -1 OR send_protocol_log_max_directory_size " TS_LOGSIZE_C)
	TS_COLUMN("send_protocol_log_max_file_size", "10485760",
	    "= -1 OR send_protocol_log_max_file_size " TS_LOGSIZE_C)
	TS_COLUMN("message_retry_interval", "900", "BETWEEN 1 AND 86400")
	TS_COLUMN("queue_max_idle_time", "180", "BETWEEN 5 AND 3600")
	TS_COLUMN("max_outbound_connections", "1000",
	    "BETWEEN 1 AND 2147483647")
	TS_COLUMN("pickup_directory_max_header_size", "65536",
	    "BETWEEN 32768 AND 2147483647")
	TS_COLUMN("pickup_directory_max_messages_per_minute", "100",
	    "BETWEEN 1 AND 20000")
	TS_COLUMN("pickup_directory_max_recipients_per_message", "100",
	    "BETWEEN 1 AND 10000")
	"PRAGMA user_version = 3;";

static const struct store_migration store_migrations[] = {
	{ 1, store_schema_v1 },
	{ 2, store_schema_v2 },
	{ 3, store_schema_v3 },
};
static const struct store_schema store_schema = {
	STORE_SCHEMA_VERSION,
	store_migrations,
	sizeof(store_migrations) / sizeof(store_migrations[0])
};

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

int
store_open(struct store **sp, const char *path, const char *server_name,
    char **cause)
{
	struct store	*s;

	*sp = NULL;
	if ((s = store_open_file(path, &store_schema, cause)) == NULL)
		return (-1);
	if (server_name != NULL && *server_name != '\0')
		s->server = xstrdup(server_name);
	else if ((s->server = store_local_host(cause)) == NULL) {
		store_close(s);
		return (-1);
	}
	if (store_record_server(s, cause) != 0 ||
	    store_prepare(s, &s->gen_stmt,
	    "SELECT value FROM meta WHERE key = 'generation'", cause) != 0) {
		store_close(s);
		return (-1);
	}
	*sp = s;
	return (0);
}

/*
 * Open the SQLite file at path (creating it mode 0600 and its missing
 * directories 0700) with the shared pragmas, and migrate it to schema's
 * version.  The connector store and the spool both open this way.
 */
struct store *
store_open_file(const char *path, const struct store_schema *schema,
    char **cause)
{
	struct store	*s;

	if (path == NULL || *path == '\0') {
		*cause = xstrdup("no store path given");
		return (NULL);
	}
	if (store_mkparent(path, cause) != 0 || store_create(path, cause) != 0)
		return (NULL);
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	if (store_open_db(s, schema, cause) != 0) {
		store_close(s);
		return (NULL);
	}
	return (s);
}

/*
 * Open an existing file read-only, for a reader that must change nothing
 * (hubsh reading hubd's spool while hubd is down): no directory or file
 * is created, no pragma is written and nothing is migrated; a schema
 * version other than schema's current one is refused.
 */
struct store *
store_open_file_ro(const char *path, const struct store_schema *schema,
    char **cause)
{
	struct store	*s;
	struct stat	 sb;
	char		*wal;
	int		 v, rc;

	/*
	 * Without a -wal file (the writer closed cleanly) the database is
	 * whole in its main file: open it immutable, or SQLite would leave
	 * -wal and -shm files behind, owned by this user, that the writer
	 * may then be unable to open.  With one (the writer is running, or
	 * was killed), read it through the existing -wal and -shm.
	 */
	xasprintf(&wal, "%s-wal", path);
	rc = stat(wal, &sb);
	free(wal);
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	if (rc != 0)
		rc = store_open_immutable(s, path);
	else
		rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		if (s->db == NULL)
			xasprintf(cause, "cannot open %s", path);
		else
			store_fail(s, cause, "cannot open %s", path);
		store_close(s);
		return (NULL);
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (store_user_version(s, &v, cause) != 0) {
		store_close(s);
		return (NULL);
	}
	if (v != schema->version) {
		xasprintf(cause, "%s has schema version %d; this program reads "
		    "version %d", path, v, schema->version);
		store_close(s);
		return (NULL);
	}
	return (s);
}

/* Open path read-only and immutable, as a URI ("%", "?", "#" escaped). */
static int
store_open_immutable(struct store *s, const char *path)
{
	struct buf	 uri;
	const char	*p;
	int		 rc;

	buf_init(&uri);
	buf_adds(&uri, "file:");
	for (p = path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			buf_addf(&uri, "%%%02X", (unsigned char)*p);
		else
			buf_addc(&uri, *p);
	}
	buf_adds(&uri, "?immutable=1");
	rc = sqlite3_open_v2(uri.s, &s->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI, NULL);
	buf_free(&uri);
	return (rc);
}

/* Create the missing directories above path, mode 0700. */
static int
store_mkparent(const char *path, char **cause)
{
	char	*dir, *p;
	int	 rc = 0;

	dir = xstrdup(path);
	if ((p = strrchr(dir, '/')) != NULL) {
		*p = '\0';
		rc = store_mkdirs(dir, cause);
	}
	free(dir);
	return (rc);
}

/* Like mkdir -p with mode 0700; dir is modified and restored. */
static int
store_mkdirs(char *dir, char **cause)
{
	struct stat	 sb;
	char		*p, c;

	if (*dir == '\0' || stat(dir, &sb) == 0)
		return (0);
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			xasprintf(cause, "cannot create directory %s: %s",
			    dir, strerror(errno));
			*p = c;
			return (-1);
		}
		*p = c;
		if (c == '\0')
			return (0);
	}
}

/*
 * Create path mode 0600 if it is missing; SQLite gives the -wal and -shm
 * files the database's mode.  Not umask(2): it is one per process, and
 * hubd opens spool connections from several threads at once.
 */
static int
store_create(const char *path, char **cause)
{
	struct stat	sb;
	int		fd;

	/*
	 * Only when missing: closing any descriptor of a file drops every
	 * POSIX lock this process holds on it, SQLite's included, and
	 * another thread may have the database open already.
	 */
	if (stat(path, &sb) == 0)
		return (0);
	if ((fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		xasprintf(cause, "cannot create %s: %s", path, strerror(errno));
		return (-1);
	}
	close(fd);
	return (0);
}

static int
store_open_db(struct store *s, const struct store_schema *schema,
    char **cause)
{
	int	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
		if (s->db == NULL) {
			xasprintf(cause, "cannot open store %s", s->path);
			return (-1);
		}
		return (store_fail(s, cause, "cannot open store %s",
		    s->path));
	}
	sqlite3_extended_result_codes(s->db, 1);
	if (store_pragmas(s, cause) != 0)
		return (-1);
	return (store_migrate(s, schema, cause));
}

static int
store_pragmas(struct store *s, char **cause)
{
	sqlite3_stmt	*st;
	const char	*mode;
	int		 ok;

	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (store_prepare(s, &st, "PRAGMA journal_mode = WAL", cause) != 0)
		return (-1);
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_release(s, st);
		return (store_fail(s, cause, "cannot open store %s",
		    s->path));
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	ok = (mode != NULL && strcmp(mode, "wal") == 0);
	store_release(s, st);
	if (!ok) {
		xasprintf(cause, "store %s: cannot enable WAL journal mode",
		    s->path);
		return (-1);
	}
	return (store_exec(s, "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;", cause));
}

static int
store_user_version(struct store *s, int *version, char **cause)
{
	sqlite3_stmt	*st;

	if (store_prepare(s, &st, "PRAGMA user_version", cause) != 0)
		return (-1);
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_release(s, st);
		return (store_fail(s, cause, "store %s: cannot read schema "
		    "version", s->path));
	}
	*version = sqlite3_column_int(st, 0);
	store_release(s, st);
	return (0);
}

/* Apply migration steps until the schema is current. */
static int
store_migrate(struct store *s, const struct store_schema *schema,
    char **cause)
{
	int	done = 0;

	while (!done) {
		if (store_migrate_one(s, schema, &done, cause) != 0)
			return (-1);
	}
	return (0);
}

/*
 * One step in one write transaction.  The version is read inside the
 * transaction so that two processes opening a new store do not both run
 * the same step.
 */
static int
store_migrate_one(struct store *s, const struct store_schema *schema,
    int *done, char **cause)
{
	const struct store_migration	*m;
	int				 v, after;

	if (store_exec(s, "BEGIN IMMEDIATE", cause) != 0)
		return (-1);
	if (store_user_version(s, &v, cause) != 0)
		goto fail;
	if (v > schema->version) {
		xasprintf(cause, "store %s has schema version %d, newer than "
		    "the version %d this program supports", s->path, v,
		    schema->version);
		goto fail;
	}
	if (v == schema->version || (size_t)v >= schema->nsteps) {
		*done = 1;
		return (store_exec(s, "COMMIT", cause));
	}
	m = &schema->steps[v];
	if (store_exec(s, m->sql, cause) != 0 ||
	    store_user_version(s, &after, cause) != 0)
		goto fail;
	if (after != m->version) {
		xasprintf(cause, "store %s: migration to version %d left "
		    "version %d", s->path, m->version, after);
		goto fail;
	}
	return (store_exec(s, "COMMIT", cause));

fail:
	store_rollback(s);
	return (-1);
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

static int
store_record_server(struct store *s, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_server_known(s, s->server) == 1)
		return (0);
	if (store_prepare(s, &st, "INSERT OR IGNORE INTO servers "
	    "(name, first_seen) VALUES (?1, ?2)", cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, s->server, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(st);
	store_release(s, st);
	if (rc != SQLITE_DONE)
		return (store_fail(s, cause, "cannot record server %s",
		    s->server));
	return (0);
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->db != NULL) {
		if (!sqlite3_get_autocommit(s->db))
			store_rollback(s);
		store_cache_free(s);	/* gen_stmt is one of them */
		sqlite3_close(s->db);
	}
	store_crypt_forget(s);
	free(s->path);
	free(s->server);
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

int
store_begin(struct store *s, char **cause)
{
	if (!sqlite3_get_autocommit(s->db)) {
		*cause = xstrdup("a store transaction is already open");
		return (-1);
	}
	return (store_run(s, "BEGIN IMMEDIATE", cause));
}

int
store_commit(struct store *s, char **cause)
{
	if (store_run(s, "COMMIT", cause) != 0) {
		store_rollback(s);
		return (-1);
	}
	return (0);
}

void
store_rollback(struct store *s)
{
	sqlite3_stmt	*st;

	if (s == NULL || s->db == NULL || sqlite3_get_autocommit(s->db))
		return;
	if (sqlite3_prepare_v2(s->db, "ROLLBACK", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_step(st);
	sqlite3_finalize(st);
}

int
store_generation(struct store *s, int64_t *gen, char **cause)
{
	int	rc;

	rc = sqlite3_step(s->gen_stmt);
	if (rc == SQLITE_ROW)
		*gen = sqlite3_column_int64(s->gen_stmt, 0);
	sqlite3_reset(s->gen_stmt);
	if (rc != SQLITE_ROW)
		return (store_fail(s, cause, "cannot read store generation"));
	return (0);
}

int
store_server_known(struct store *s, const char *name)
{
	sqlite3_stmt	*st;
	char		*cause = NULL;
	int		 rc;

	if (name == NULL ||
	    store_prepare(s, &st, "SELECT 1 FROM servers WHERE name = ?1",
	    &cause) != 0) {
		free(cause);
		return (0);
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	store_release(s, st);
	return (rc == SQLITE_ROW);
}

int
store_schema_version(struct store *s)
{
	char	*cause = NULL;
	int	 v;

	if (store_user_version(s, &v, &cause) != 0) {
		free(cause);
		return (-1);
	}
	return (v);
}

/* Set *cause to the formatted message and SQLite's error; return -1. */
int
store_fail(struct store *s, char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (s != NULL && s->db != NULL) {
		xasprintf(cause, "%s: %s", msg, sqlite3_errmsg(s->db));
		free(msg);
	} else
		*cause = msg;
	return (-1);
}

/*
 * A prepared statement for sql, reset and unbound.  Statements are kept
 * for reuse: compiling SQL is most of the cost of a small write.  A
 * statement still in use (nested) is not shared: a fresh one is made.
 * Hand it back with store_release().
 */
int
store_prepare(struct store *s, sqlite3_stmt **st, const char *sql,
    char **cause)
{
	struct store_cached	*c;
	size_t			 i;

	for (i = 0; i < s->ncache; i++) {
		c = &s->cache[i];
		if (!c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = 1;
			*st = c->st;
			return (0);
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK) {
		*st = NULL;
		return (store_fail(s, cause, "store %s", s->path));
	}
	s->cache = xreallocarray(s->cache, s->ncache + 1, sizeof *s->cache);
	c = &s->cache[s->ncache++];
	c->sql = xstrdup(sql);
	c->st = *st;
	c->busy = 1;
	return (0);
}

/* Give a statement from store_prepare() back for reuse. */
void
store_release(struct store *s, sqlite3_stmt *st)
{
	size_t	i;

	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (i = 0; i < s->ncache; i++) {
		if (s->cache[i].st == st) {
			s->cache[i].busy = 0;
			return;
		}
	}
	sqlite3_finalize(st);
}

void
store_cache_free(struct store *s)
{
	size_t	i;

	for (i = 0; i < s->ncache; i++) {
		sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	free(s->cache);
	s->cache = NULL;
	s->ncache = 0;
}

/* Run constant SQL (one or more statements, no values). */
int
store_exec(struct store *s, const char *sql, char **cause)
{
	sqlite3_stmt	*st;
	const char	*tail;
	int		 rc;

	while (*sql != '\0') {
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, &tail) !=
		    SQLITE_OK)
			return (store_fail(s, cause, "store %s", s->path));
		if (st == NULL)		/* only whitespace or comments */
			break;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return (store_fail(s, cause, "store %s", s->path));
		sql = tail;
	}
	return (0);
}

/*
 * Run one constant statement (no values, no rows wanted), kept prepared:
 * the transaction statements run several times per write, and compiling
 * them each time cost as much as a small UPDATE.
 */
int
store_run(struct store *s, const char *sql, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_prepare(s, &st, sql, cause) != 0)
		return (-1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	store_release(s, st);
	if (rc != SQLITE_DONE)
		return (store_fail(s, cause, "store %s", s->path));
	return (0);
}

/*
 * Open an atomic scope for one store operation: a transaction of its own
 * (BEGIN IMMEDIATE when writing) if none is open, else a savepoint inside
 * the caller's transaction, so a failed operation undoes only itself.
 */
int
store_txn_enter(struct store *s, int write, enum store_txn *how,
    char **cause)
{
	if (sqlite3_get_autocommit(s->db)) {
		*how = STORE_TXN_OWN;
		return (store_run(s, write ? "BEGIN IMMEDIATE" : "BEGIN",
		    cause));
	}
	*how = STORE_TXN_SAVEPOINT;
	return (store_run(s, "SAVEPOINT store_op", cause));
}

/*
 * Close the scope: keep its work if ok, else undo it.  Returns 0 only when
 * the work was kept; *cause is set here only if keeping it failed.
 */
int
store_txn_leave(struct store *s, enum store_txn how, int ok, char **cause)
{
	char	*ignore = NULL;

	if (ok && store_run(s, how == STORE_TXN_OWN ? "COMMIT" :
	    "RELEASE store_op", cause) == 0)
		return (0);
	if (how == STORE_TXN_OWN)
		store_rollback(s);
	else if (!sqlite3_get_autocommit(s->db)) {
		store_exec(s, "ROLLBACK TO store_op; RELEASE store_op",
		    &ignore);
		free(ignore);
	}
	return (-1);
}
