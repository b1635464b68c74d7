/*
 * store_sqlite.c - SQLite: the store on one machine, and the spool.
 *
 * A SQLite database here is one file in WAL mode with synchronous=FULL
 * and foreign keys on, created mode 0600 (its missing directories 0700),
 * its schema brought up to date one transaction per step, its version in
 * PRAGMA user_version.  The connector store's backend (store_int.h) and
 * the spool (spool.c) both open their files this way and keep their
 * prepared statements here, by SQL text.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "xmalloc.h"
#include "store_int.h"

#define STORE_BUSY_MS		5000

static int	 store_mkparent(const char *, char **);
static int	 store_mkdirs(char *, char **);
static int	 store_create(const char *, char **);
static int	 store_open_db(struct store *, const struct store_schema *,
		     char **);
static int	 store_pragmas(struct store *, char **);
static int	 store_check_app(struct store *, const struct store_schema *,
		     char **);
static int	 store_user_version(struct store *, int *, char **);
static int	 store_open_immutable(struct store *, const char *);
static int	 store_migrate(struct store *, const struct store_schema *,
		     char **);
static int	 store_migrate_one(struct store *, const struct store_schema *,
		     int *, char **);
static struct store_cached *sl_cached(struct store *, const char *, char **);
static void	 sl_cache_free(struct store *);

/*
 * The connector store's schema in SQLite.  store_pg.c has the same
 * tables, columns, constraints and versions in PostgreSQL.
 */
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

/*
 * Version 4: the server registry.  Each hubd records its FQDN, version,
 * control endpoint and start time when it starts, and a heartbeat while
 * it runs; a server hubsh has only named has none of them.  Not counted
 * in the generation: a heartbeat is no configuration change.
 */
static const char store_schema_v4[] =
	"ALTER TABLE servers ADD COLUMN fqdn TEXT;"
	"ALTER TABLE servers ADD COLUMN version TEXT;"
	"ALTER TABLE servers ADD COLUMN control TEXT;"
	"ALTER TABLE servers ADD COLUMN started INTEGER"
	" CHECK (started IS NULL OR started >= 0);"
	"ALTER TABLE servers ADD COLUMN heartbeat INTEGER"
	" CHECK (heartbeat IS NULL OR heartbeat >= 0);"
	"PRAGMA user_version = 4;";

/*
 * Version 5: hubsh's queue alert thresholds.  A connector's -1 is "the
 * server's"; 2147483647 is Unlimited (never in alarm).
 */
#define ALERT_COLUMN(t, c, d, check) \
	"ALTER TABLE " t " ADD COLUMN " c " INTEGER NOT NULL DEFAULT " d \
	" CHECK (" check c " BETWEEN 1 AND 2147483647);"

static const char store_schema_v5[] =
	ALERT_COLUMN("send_connectors", "queue_alert_age", "-1",
	    "queue_alert_age = -1 OR ")
	ALERT_COLUMN("send_connectors", "queue_alert_message_count", "-1",
	    "queue_alert_message_count = -1 OR ")
	ALERT_COLUMN("transport_service", "queue_alert_age", "3600", "")
	ALERT_COLUMN("transport_service", "queue_alert_message_count",
	    "2147483647", "")
	"PRAGMA user_version = 5;";

/*
 * Version 6: SmtpDaneMode, Opportunistic (0) by default; Mandatory is 1,
 * None 2.
 */
static const char store_schema_v6[] =
	"ALTER TABLE send_connectors ADD COLUMN smtp_dane_mode INTEGER "
	"NOT NULL DEFAULT 0 CHECK (smtp_dane_mode BETWEEN 0 AND 2);"
	"PRAGMA user_version = 6;";

/* Version 7: MtaStsMode, Opportunistic (0) by default; None is 1. */
static const char store_schema_v7[] =
	"ALTER TABLE send_connectors ADD COLUMN mta_sts_mode INTEGER "
	"NOT NULL DEFAULT 0 CHECK (mta_sts_mode BETWEEN 0 AND 1);"
	"PRAGMA user_version = 7;";

/*
 * Version 8: hubsh's TLS-RPT switch (off), the organization-name (NULL:
 * the server's FQDN) and contact-info (NULL: none) of its reports.
 */
static const char store_schema_v8[] =
	"ALTER TABLE transport_service ADD COLUMN tls_rpt_enabled INTEGER "
	"NOT NULL DEFAULT 0 CHECK (tls_rpt_enabled IN (0, 1));"
	"ALTER TABLE transport_service ADD COLUMN tls_rpt_organization_name "
	"TEXT CHECK (length(tls_rpt_organization_name) <= 256);"
	"ALTER TABLE transport_service ADD COLUMN tls_rpt_contact_info "
	"TEXT CHECK (length(tls_rpt_contact_info) <= 256);"
	"PRAGMA user_version = 8;";

static const struct store_migration store_migrations[] = {
	{ 1, store_schema_v1 },
	{ 2, store_schema_v2 },
	{ 3, store_schema_v3 },
	{ 4, store_schema_v4 },
	{ 5, store_schema_v5 },
	{ 6, store_schema_v6 },
	{ 7, store_schema_v7 },
	{ 8, store_schema_v8 },
};
static const struct store_schema store_schema = {
	STORE_SCHEMA_VERSION,
	store_migrations,
	sizeof(store_migrations) / sizeof(store_migrations[0]),
	0,
	NULL
};

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
	s->be = &store_sqlite_backend;
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
	s->be = &store_sqlite_backend;
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
	if (store_pragmas(s, cause) != 0 || store_check_app(s, schema,
	    cause) != 0)
		return (-1);
	return (store_migrate(s, schema, cause));
}

/*
 * An existing database of another kind (the connector store given as a
 * spool) is refused before its schema version is even looked at.
 */
static int
store_check_app(struct store *s, const struct store_schema *schema,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 v, id = 0;

	if (schema->app_id == 0 || store_user_version(s, &v, cause) != 0)
		return (schema->app_id == 0 ? 0 : -1);
	if (v == 0)
		return (0);		/* new: the first step sets it */
	if (store_prepare(s, &st, "PRAGMA application_id", cause) != 0)
		return (-1);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int(st, 0);
	store_release(s, st);
	if (id == schema->app_id)
		return (0);
	xasprintf(cause, "%s is not a %s", s->path, schema->what);
	return (-1);
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

	if ((c = sl_cached(s, sql, cause)) == NULL) {
		*st = NULL;
		return (-1);
	}
	*st = c->st;
	return (0);
}

/* A free cached statement for sql, made when there is none; busy now. */
static struct store_cached *
sl_cached(struct store *s, const char *sql, char **cause)
{
	struct store_cached	*c;
	sqlite3_stmt		*st;
	size_t			 i;

	for (i = 0; i < s->ncache; i++) {
		c = s->cache[i];
		if (!c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = 1;
			return (c);
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		store_fail(s, cause, "store %s", s->path);
		return (NULL);
	}
	s->cache = xreallocarray(s->cache, s->ncache + 1, sizeof *s->cache);
	c = s->cache[s->ncache++] = xcalloc(1, sizeof *c);
	c->sql = xstrdup(sql);
	c->st = st;
	c->busy = 1;
	return (c);
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
		if (s->cache[i]->st == st) {
			s->cache[i]->busy = 0;
			return;
		}
	}
	sqlite3_finalize(st);
}

static void
sl_cache_free(struct store *s)
{
	size_t	i;

	for (i = 0; i < s->ncache; i++) {
		sqlite3_finalize(s->cache[i]->st);
		free(s->cache[i]->sql);
		free(s->cache[i]->wrap);
		free(s->cache[i]);
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
 * The SQLite backend of the configuration store.
 */

/* Its statement: a cached sqlite3_stmt. */
struct store_stmt {
	const struct store_backend	*be;	/* first: see store_int.h */
	struct store			*s;
	struct store_cached		*c;
	bool				 stepped;	/* reset before binding */
};

/* A statement about to be bound again: reset it first. */
static sqlite3_stmt *
sl_rebind(struct store_stmt *st)
{
	if (st->stepped) {
		sqlite3_reset(st->c->st);
		st->stepped = false;
	}
	return (st->c->st);
}

static int
sl_open(struct store *s, const char *path, char **cause)
{
	if (store_mkparent(path, cause) != 0 || store_create(path, cause) != 0)
		return (-1);
	s->path = xstrdup(path);
	s->key_path = xprintf("%s.key", path);
	return (store_open_db(s, &store_schema, cause));
}

static void
sl_close(struct store *s)
{
	if (s->db == NULL)
		return;
	sl_cache_free(s);
	sqlite3_close(s->db);
	s->db = NULL;
}

static int
sl_prepare(struct store *s, const char *sql, struct store_stmt **st,
    char **cause)
{
	struct store_cached	*c;

	if ((c = sl_cached(s, sql, cause)) == NULL) {
		*st = NULL;
		return (-1);
	}
	if (c->wrap == NULL) {
		c->wrap = xcalloc(1, sizeof *c->wrap);
		c->wrap->be = &store_sqlite_backend;
		c->wrap->s = s;
		c->wrap->c = c;
	}
	*st = c->wrap;
	return (0);
}

static void
sl_release(struct store *s, struct store_stmt *st)
{
	st->stepped = false;
	store_release(s, st->c->st);
}

static void
sl_bind_int(struct store_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(sl_rebind(st), i, (sqlite3_int64)v);
}

static void
sl_bind_text(struct store_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(sl_rebind(st), i);
	else
		sqlite3_bind_text(sl_rebind(st), i, v, -1, SQLITE_STATIC);
}

static void
sl_bind_blob(struct store_stmt *st, int i, const void *v, size_t len)
{
	sqlite3_bind_blob64(sl_rebind(st), i, v, (sqlite3_uint64)len,
	    SQLITE_STATIC);
}

static enum store_step
sl_step(struct store_stmt *st)
{
	st->stepped = true;
	switch (sqlite3_step(st->c->st)) {
	case SQLITE_ROW:
		return (STORE_ROW);
	case SQLITE_DONE:
		return (STORE_DONE);
	case SQLITE_CONSTRAINT:
		return (STORE_CONSTRAINT);
	default:
		/* Extended codes: SQLITE_CONSTRAINT_UNIQUE and its kin. */
		if ((sqlite3_extended_errcode(st->s->db) & 0xff) ==
		    SQLITE_CONSTRAINT)
			return (STORE_CONSTRAINT);
		return (STORE_ERROR);
	}
}

static int64_t
sl_col_int(struct store_stmt *st, int col)
{
	return ((int64_t)sqlite3_column_int64(st->c->st, col));
}

static const char *
sl_col_text(struct store_stmt *st, int col)
{
	return ((const char *)sqlite3_column_text(st->c->st, col));
}

static const void *
sl_col_blob(struct store_stmt *st, int col, size_t *len)
{
	const void	*p = sqlite3_column_blob(st->c->st, col);

	*len = (size_t)sqlite3_column_bytes(st->c->st, col);
	return (p);
}

static int64_t
sl_changes(struct store_stmt *st)
{
	return ((int64_t)sqlite3_changes(st->s->db));
}

static int64_t
sl_insert_id(struct store_stmt *st)
{
	return ((int64_t)sqlite3_last_insert_rowid(st->s->db));
}

static bool
sl_in_txn(struct store *s)
{
	return (s->db != NULL && !sqlite3_get_autocommit(s->db));
}

static const char *
sl_errmsg(struct store *s)
{
	return (s->db != NULL ? sqlite3_errmsg(s->db) : NULL);
}

/* SQLite names the column: "UNIQUE constraint failed: table.column". */
static bool
sl_unique_violation(struct store *s, const char *table, const char *column)
{
	const char	*msg;
	char		*want;
	bool		 hit;

	if (s->db == NULL || sqlite3_extended_errcode(s->db) !=
	    SQLITE_CONSTRAINT_UNIQUE || (msg = sqlite3_errmsg(s->db)) == NULL)
		return (false);
	want = xprintf("%s.%s", table, column);
	hit = strstr(msg, want) != NULL;
	free(want);
	return (hit);
}

const struct store_backend store_sqlite_backend = {
	.name = "SQLite",
	.open = sl_open,
	.close = sl_close,
	.prepare = sl_prepare,
	.release = sl_release,
	.bind_int = sl_bind_int,
	.bind_text = sl_bind_text,
	.bind_blob = sl_bind_blob,
	.step = sl_step,
	.col_int = sl_col_int,
	.col_text = sl_col_text,
	.col_blob = sl_col_blob,
	.changes = sl_changes,
	.insert_id = sl_insert_id,
	.exec = store_exec,
	.begin_write = "BEGIN IMMEDIATE",
	.in_txn = sl_in_txn,
	.errmsg = sl_errmsg,
	.unique_violation = sl_unique_violation,
	.schema_version = store_user_version,
};
