/*
 * store_pg.c - the PostgreSQL backend of the configuration store.
 *
 * A location postgresql://... or postgres://... (any libpq connection
 * URI) keeps the connectors, the transport settings and the servers in a
 * PostgreSQL database that several transport servers share.  The rest of
 * store/ speaks the dialect of store_int.h; this file translates it:
 *
 *	- ?N becomes $N and a bare ? the number after the highest so far,
 *	  as SQLite numbers them, never inside quotes or comments;
 *	- every statement is prepared once per connection (PQprepare, under
 *	  a generated name) and kept, keyed by its SQL text;
 *	- integers go as decimal text, text as text, blobs as binary
 *	  parameters; results come back as text, bytea decoded;
 *	- a constraint's refusal is SQLSTATE class 23, and a UNIQUE
 *	  constraint is named <table>_<column>_key so that
 *	  unique_violation() can tell which one.
 *
 * libpq is not linked: it is loaded the first time a PostgreSQL location
 * is opened (dynlib.h), so that hubsh with a SQLite store starts as fast
 * as before.
 *
 * The schema is this file's own, the same tables, columns, CHECK
 * constraints, foreign keys and version numbers as SQLite's: names
 * compared without case are citext, integers BIGINT, the password blob
 * BYTEA, row ids identity columns.  meta holds 'generation' and
 * 'schema_version'; a statement-level trigger on every configuration
 * table bumps the generation and announces it (NOTIFY hubsh_store).  Each
 * migration step runs in one transaction under an advisory lock, so two
 * servers starting at once on a new database do not both migrate, and a
 * write transaction takes another first, so that writers take turns as
 * SQLite's BEGIN IMMEDIATE makes them.
 *
 * The location shown (s->path, every message) is the URI without its
 * password.  A connection lost between operations (the server restarted,
 * a primary switched) is reset once by the next operation, which then
 * goes on; one lost inside a transaction fails that transaction, which
 * the server has rolled back, until the caller's ROLLBACK.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "buf.h"
#include "dynlib.h"
#include "xmalloc.h"
#include "store_int.h"

#ifndef HUBSH_LIBPQ_SONAME
#error "HUBSH_LIBPQ_SONAME (libpq's soname) comes from configure"
#endif

/* The libpq functions used here; their types come from libpq-fe.h. */
#define PQ_SYMS(_) \
	_(PQconnectdbParams) _(PQconninfoParse) _(PQconninfoFree) \
	_(PQstatus) _(PQerrorMessage) _(PQfinish) _(PQreset) \
	_(PQsetNoticeProcessor) _(PQtransactionStatus) \
	_(PQhost) _(PQport) _(PQdb) \
	_(PQprepare) _(PQexecPrepared) _(PQexec) \
	_(PQresultStatus) _(PQresultErrorField) _(PQresultErrorMessage) \
	_(PQclear) _(PQntuples) _(PQgetvalue) _(PQgetisnull) \
	_(PQcmdTuples) _(PQunescapeBytea) _(PQfreemem) \
	_(PQsocket) _(PQconsumeInput) _(PQnotifies)

static struct {
	PQ_SYMS(DYNLIB_PTR)
} pq;

#define PQ_SYM(sym)	DYNLIB_SYM(pq, sym)
static const struct dynlib_sym pq_syms[] = { PQ_SYMS(PQ_SYM) };
static struct dynlib pq_lib = DYNLIB_INIT(HUBSH_LIBPQ_SONAME, pq_syms, &pq);

/* Seconds to wait for a connection when the URI does not say. */
#define PG_CONNECT_TIMEOUT	"5"

/* The advisory lock migrations hold: "hubsh" in ASCII. */
#define PG_MIGRATE_LOCK		"448311866216"

/*
 * The one a write transaction takes first, held to its end: writers take
 * turns, as SQLite's BEGIN IMMEDIATE makes them, so that what a cmdlet
 * reads in its transaction (is the name taken?) still holds when it
 * writes.  Waiting is bounded as SQLite's busy timeout is (5 s).
 */
#define PG_WRITE_LOCK		"448311866217"
#define PG_BEGIN_WRITE		"BEGIN; SET LOCAL lock_timeout = '5s'; " \
	"SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")"

/* The channel the generation is announced on. */
#define PG_CHANNEL		"hubsh_store"

/* TEXT's type oid, for a parameter the SQL never mentions. */
#define PG_TEXTOID		25

/* What a statement is doing. */
enum pg_state {
	PG_READY,		/* bound, not run yet */
	PG_ROWS,		/* run; rows being read */
	PG_FINISHED		/* done or failed; the next step runs it again */
};

/*
 * A statement: kept per connection, keyed by its SQL text, and reused
 * after release.  The db_* calls of store.c find the backend through be.
 */
struct store_stmt {
	const struct store_backend *be;	/* first, for store.c */
	struct store	*s;
	char		*sql;		/* as given: the key */
	char		*text;		/* with $N parameters */
	char		 name[16];	/* on the server */
	unsigned	 epoch;		/* connection prepared on; 0: none */
	int		 busy;

	int		 nparams;
	Oid		*types;		/* 0: the server infers it */
	const char	**values;
	int		*lengths;
	int		*formats;
	char		(*ints)[24];	/* integer values, as text */

	enum pg_state	 state;
	PGresult	*res;
	int		 row;
	unsigned char	*blob;		/* col_blob's value, PQfreemem */
};

struct store_pg {
	PGconn		*conn;
	char		*where;		/* HOST:PORT/DB, for messages */
	char		*password;	/* as libpq reads it, scrubbed */
	unsigned	 epoch;		/* bumped by each (re)connection */
	unsigned	 nextname;
	int		 lost;		/* lost inside a transaction */
	bool		 listening;	/* LISTEN PG_CHANNEL asked for */
	bool		 missed;	/* reconnected: a NOTIFY may be lost */

	struct store_stmt **stmts;
	size_t		 nstmts;

	char		*errmsg;	/* the last failure, one line */
	char		 sqlstate[6];
	char		*constraint;	/* its constraint, or NULL */
};

static void	 pg_quiet(void *, const char *);
static char	*pg_one_line(const char *);
static void	 pg_scrub(const struct store_pg *, char *);
static char	*pg_where(PGconn *);
static void	 pg_error(struct store *, const PGresult *);
static void	 pg_error_text(struct store *, const char *, const char *);
static void	 pg_conn_error(struct store *, const char *);
static int	 pg_reset(struct store *);
static int	 pg_ready(struct store *);
static bool	 pg_is_rollback(const char *);
static int	 pg_lost_after(struct store *, bool, int);
static char	*pg_translate(const char *, int *, Oid **);
static int	 pg_server_prepare(struct store_stmt *);
static PGresult	*pg_run(struct store_stmt *);
static void	 pg_stmt_clear(struct store_stmt *);
static void	 pg_stmt_free(struct store_stmt *);
static int	 pg_version(struct store *, int *, char **);
static int	 pg_migrate_one(struct store *, int *, char **);

static int	 pg_open(struct store *, const char *, char **);
static void	 pg_close(struct store *);
static int	 pg_prepare(struct store *, const char *, struct store_stmt **,
		     char **);
static void	 pg_release(struct store *, struct store_stmt *);
static void	 pg_bind_int(struct store_stmt *, int, int64_t);
static void	 pg_bind_text(struct store_stmt *, int, const char *);
static void	 pg_bind_blob(struct store_stmt *, int, const void *, size_t);
static enum store_step pg_step(struct store_stmt *);
static int64_t	 pg_col_int(struct store_stmt *, int);
static const char *pg_col_text(struct store_stmt *, int);
static const void *pg_col_blob(struct store_stmt *, int, size_t *);
static int64_t	 pg_changes(struct store_stmt *);
static int64_t	 pg_insert_id(struct store_stmt *);
static int	 pg_exec(struct store *, const char *, char **);
static bool	 pg_in_txn(struct store *);
static const char *pg_errmsg(struct store *);
static bool	 pg_unique_violation(struct store *, const char *,
		     const char *);
static int	 pg_schema_version(struct store *, int *, char **);
static int	 pg_watch(struct store *, char **);
static int	 pg_watch_fd(struct store *);
static int	 pg_watch_changed(struct store *);

const struct store_backend store_pg_backend = {
	.name = "PostgreSQL",
	.open = pg_open,
	.close = pg_close,
	.prepare = pg_prepare,
	.release = pg_release,
	.bind_int = pg_bind_int,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.step = pg_step,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.changes = pg_changes,
	.insert_id = pg_insert_id,
	.exec = pg_exec,
	.begin_write = PG_BEGIN_WRITE,
	.in_txn = pg_in_txn,
	.errmsg = pg_errmsg,
	.unique_violation = pg_unique_violation,
	.schema_version = pg_schema_version,
	.watch = pg_watch,
	.watch_fd = pg_watch_fd,
	.watch_changed = pg_watch_changed,
};

/* ---------------------------------------------------------------------
 * The schema.  Versions 1 to 4, as SQLite's (store_sqlite.c).
 * --------------------------------------------------------------------- */

#define PG_BOOL(c)	c " BIGINT NOT NULL CHECK (" c " IN (0, 1)),"
#define PG_ID		"id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"

/* Every statement that changes t bumps the generation, once. */
#define PG_GEN_TRIGGER(t)						\
	"CREATE TRIGGER " t "_generation"				\
	" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON " t		\
	" FOR EACH STATEMENT EXECUTE FUNCTION hubsh_generation_bump();"

static const char pg_schema_v1[] =
	"CREATE EXTENSION IF NOT EXISTS citext;"
	"CREATE TABLE meta ("
	" key TEXT PRIMARY KEY,"
	" value BIGINT NOT NULL);"
	"INSERT INTO meta (key, value) VALUES ('generation', 0),"
	" ('schema_version', 1);"
	"CREATE FUNCTION hubsh_generation_bump() RETURNS trigger"
	" LANGUAGE plpgsql AS $$"
	" DECLARE g BIGINT;"
	" BEGIN"
	"  UPDATE meta SET value = value + 1 WHERE key = 'generation'"
	"   RETURNING value INTO g;"
	"  PERFORM pg_notify('" PG_CHANNEL "', g::text);"
	"  RETURN NULL;"
	" END $$;"
	"CREATE TABLE servers ("
	" " PG_ID
	" name CITEXT NOT NULL CONSTRAINT servers_name_key UNIQUE"
	"  CHECK (name <> ''),"
	" first_seen BIGINT NOT NULL);"
	"CREATE TABLE send_connectors ("
	" " PG_ID
	" guid TEXT NOT NULL CONSTRAINT send_connectors_guid_key UNIQUE"
	"  CHECK (length(guid) = 36),"
	" name CITEXT NOT NULL CONSTRAINT send_connectors_name_key UNIQUE"
	"  CHECK (name <> ''),"
	" when_created BIGINT NOT NULL,"
	" when_changed BIGINT NOT NULL,"
	" usage BIGINT NOT NULL CHECK (usage BETWEEN 0 AND 3),"
	" comment TEXT NOT NULL,"
	PG_BOOL("cloud_services_mail_enabled")
	" connector_type BIGINT NOT NULL CHECK (connector_type IN (0, 1)),"
	" connection_inactivity_timeout BIGINT NOT NULL"
	"  CHECK (connection_inactivity_timeout BETWEEN 1 AND 86400),"
	PG_BOOL("domain_secure_enabled")
	PG_BOOL("enabled")
	" error_policies BIGINT NOT NULL"
	"  CHECK (error_policies >= 0 AND (error_policies & ~28) = 0),"
	PG_BOOL("force_helo")
	" fqdn TEXT,"
	PG_BOOL("frontend_proxy_enabled")
	PG_BOOL("ignore_starttls")
	PG_BOOL("is_scoped_connector")
	" max_message_size BIGINT NOT NULL CHECK (max_message_size = -1 OR"
	"  max_message_size BETWEEN 0 AND 2147483647),"
	" port BIGINT NOT NULL CHECK (port BETWEEN 0 AND 65535),"
	" protocol_logging_level BIGINT NOT NULL"
	"  CHECK (protocol_logging_level IN (0, 1)),"
	PG_BOOL("require_oorg")
	PG_BOOL("require_tls")
	" smart_host_auth_mechanism BIGINT NOT NULL"
	"  CHECK (smart_host_auth_mechanism IN (0, 2, 4, 8, 16)),"
	" smtp_max_messages_per_connection BIGINT NOT NULL"
	"  CHECK (smtp_max_messages_per_connection BETWEEN 0 AND 2147483647),"
	" source_ip_address TEXT NOT NULL,"
	" tls_auth_level BIGINT NOT NULL"
	"  CHECK (tls_auth_level IN (0, 1, 2, 4)),"
	" tls_certificate_name TEXT,"
	" tls_domain TEXT,"
	PG_BOOL("use_external_dns_servers_enabled")
	" auth_username TEXT,"
	" auth_password BYTEA,"
	" CHECK ((auth_username IS NULL) = (auth_password IS NULL)));"
	"CREATE TABLE address_spaces ("
	" connector_id BIGINT NOT NULL"
	"  REFERENCES send_connectors (id) ON DELETE CASCADE,"
	" position BIGINT NOT NULL,"
	" type TEXT NOT NULL,"
	" domain TEXT NOT NULL CHECK (domain <> ''),"
	" cost BIGINT NOT NULL CHECK (cost BETWEEN 1 AND 100),"
	" PRIMARY KEY (connector_id, position));"
	"CREATE TABLE smart_hosts ("
	" connector_id BIGINT NOT NULL"
	"  REFERENCES send_connectors (id) ON DELETE CASCADE,"
	" position BIGINT NOT NULL,"
	" host TEXT NOT NULL CHECK (host <> ''),"
	" PRIMARY KEY (connector_id, position));"
	"CREATE TABLE source_servers ("
	" connector_id BIGINT NOT NULL"
	"  REFERENCES send_connectors (id) ON DELETE CASCADE,"
	" position BIGINT NOT NULL,"
	" server TEXT NOT NULL CHECK (server <> ''),"
	" PRIMARY KEY (connector_id, position));"
	PG_GEN_TRIGGER("send_connectors")
	PG_GEN_TRIGGER("address_spaces")
	PG_GEN_TRIGGER("smart_hosts")
	PG_GEN_TRIGGER("source_servers");

/*
 * Version 2: Set-TransportService's settings, one row per server.  Each
 * CHECK constraint is named <column>_check: PostgreSQL's own name would be
 * cut at 63 bytes, and the message of a refused value names the column.
 */
#define PG_TS(c, check) \
	" " c " BIGINT NOT NULL CONSTRAINT " c "_check CHECK (" c " " check "),"
#define PG_TS_BOOL(c)	PG_TS(c, "IN (0, 1)")

static const char pg_schema_v2[] =
	"CREATE TABLE transport_service ("
	" server CITEXT NOT NULL"
	"  CONSTRAINT transport_service_server_key PRIMARY KEY"
	"  CONSTRAINT server_check CHECK (server <> ''),"
	PG_TS("transient_failure_retry_count", "BETWEEN 0 AND 15")
	PG_TS("transient_failure_retry_interval", "BETWEEN 1 AND 43200")
	PG_TS("outbound_connection_failure_retry_interval",
	    "BETWEEN 1 AND 1728000")
	PG_TS("delay_notification_timeout", "BETWEEN 1 AND 2592000")
	PG_TS("message_expiration_timeout", "BETWEEN 5 AND 7776000")
	PG_TS("max_per_domain_outbound_connections", "BETWEEN 1 AND 2147483647")
	PG_TS_BOOL("external_delay_dsn_enabled")
	PG_TS_BOOL("message_tracking_log_enabled")
	PG_TS("message_tracking_log_max_age", "BETWEEN 0 AND 2147483647")
	PG_TS_BOOL("message_tracking_log_subject_logging_enabled")
	" send_protocol_log_path TEXT,"
	PG_TS("send_protocol_log_max_age", "BETWEEN 0 AND 2147483647")
	" when_changed BIGINT NOT NULL"
	"  CONSTRAINT when_changed_check CHECK (when_changed >= 0));"
	PG_GEN_TRIGGER("transport_service")
	"UPDATE meta SET value = 2 WHERE key = 'schema_version';";

/* Version 3: the rest of Set-TransportService, with Exchange's defaults. */
#define PG_TS_COLUMN(c, d, check) \
	"ALTER TABLE transport_service ADD COLUMN " c " BIGINT NOT NULL" \
	" DEFAULT " d " CONSTRAINT " c "_check CHECK (" c " " check ");"
#define PG_TS_LOGSIZE	"BETWEEN 1 AND 999999999999999"

static const char pg_schema_v3[] =
	PG_TS_COLUMN("send_protocol_log_max_directory_size", "262144000",
	    "= -1 OR send_protocol_log_max_directory_size " PG_TS_LOGSIZE)
	PG_TS_COLUMN("send_protocol_log_max_file_size", "10485760",
	    "= -1 OR send_protocol_log_max_file_size " PG_TS_LOGSIZE)
	PG_TS_COLUMN("message_retry_interval", "900", "BETWEEN 1 AND 86400")
	PG_TS_COLUMN("queue_max_idle_time", "180", "BETWEEN 5 AND 3600")
	PG_TS_COLUMN("max_outbound_connections", "1000",
	    "BETWEEN 1 AND 2147483647")
	PG_TS_COLUMN("pickup_directory_max_header_size", "65536",
	    "BETWEEN 32768 AND 2147483647")
	PG_TS_COLUMN("pickup_directory_max_messages_per_minute", "100",
	    "BETWEEN 1 AND 20000")
	PG_TS_COLUMN("pickup_directory_max_recipients_per_message", "100",
	    "BETWEEN 1 AND 10000")
	"UPDATE meta SET value = 3 WHERE key = 'schema_version';";

/*
 * Version 4: the server registry, what each hubd records of itself.  Not
 * counted in the generation: a heartbeat is no configuration change.
 */
static const char pg_schema_v4[] =
	"ALTER TABLE servers ADD COLUMN fqdn TEXT;"
	"ALTER TABLE servers ADD COLUMN version TEXT;"
	"ALTER TABLE servers ADD COLUMN control TEXT;"
	"ALTER TABLE servers ADD COLUMN started BIGINT"
	" CHECK (started IS NULL OR started >= 0);"
	"ALTER TABLE servers ADD COLUMN heartbeat BIGINT"
	" CHECK (heartbeat IS NULL OR heartbeat >= 0);"
	"UPDATE meta SET value = 4 WHERE key = 'schema_version';";

/* Version 5: hubsh's queue alert thresholds, as in SQLite. */
#define PG_ALERT_COLUMN(t, c, d, check) \
	"ALTER TABLE " t " ADD COLUMN " c " BIGINT NOT NULL DEFAULT " d \
	" CONSTRAINT " t "_" c "_check CHECK (" check c \
	" BETWEEN 1 AND 2147483647);"

static const char pg_schema_v5[] =
	PG_ALERT_COLUMN("send_connectors", "queue_alert_age", "-1",
	    "queue_alert_age = -1 OR ")
	PG_ALERT_COLUMN("send_connectors", "queue_alert_message_count", "-1",
	    "queue_alert_message_count = -1 OR ")
	PG_ALERT_COLUMN("transport_service", "queue_alert_age", "3600", "")
	PG_ALERT_COLUMN("transport_service", "queue_alert_message_count",
	    "2147483647", "")
	"UPDATE meta SET value = 5 WHERE key = 'schema_version';";

/* Version 6: SmtpDaneMode, as in SQLite. */
static const char pg_schema_v6[] =
	"ALTER TABLE send_connectors ADD COLUMN smtp_dane_mode INTEGER "
	"NOT NULL DEFAULT 0 CONSTRAINT send_connectors_smtp_dane_mode_check "
	"CHECK (smtp_dane_mode BETWEEN 0 AND 2);"
	"UPDATE meta SET value = 6 WHERE key = 'schema_version';";

/* Version 7: MtaStsMode, as in SQLite. */
static const char pg_schema_v7[] =
	"ALTER TABLE send_connectors ADD COLUMN mta_sts_mode INTEGER "
	"NOT NULL DEFAULT 0 CONSTRAINT send_connectors_mta_sts_mode_check "
	"CHECK (mta_sts_mode BETWEEN 0 AND 1);"
	"UPDATE meta SET value = 7 WHERE key = 'schema_version';";

/* Version 8: hubsh's TLS-RPT settings, as in SQLite. */
static const char pg_schema_v8[] =
	"ALTER TABLE transport_service ADD COLUMN tls_rpt_enabled BIGINT "
	"NOT NULL DEFAULT 0 CONSTRAINT tls_rpt_enabled_check "
	"CHECK (tls_rpt_enabled IN (0, 1));"
	"ALTER TABLE transport_service ADD COLUMN tls_rpt_organization_name "
	"TEXT CONSTRAINT tls_rpt_organization_name_check "
	"CHECK (length(tls_rpt_organization_name) <= 256);"
	"ALTER TABLE transport_service ADD COLUMN tls_rpt_contact_info TEXT "
	"CONSTRAINT tls_rpt_contact_info_check "
	"CHECK (length(tls_rpt_contact_info) <= 256);"
	"UPDATE meta SET value = 8 WHERE key = 'schema_version';";

/* pg_steps[v] takes version v to v + 1. */
static const char *const pg_steps[] = {
	pg_schema_v1,
	pg_schema_v2,
	pg_schema_v3,
	pg_schema_v4,
	pg_schema_v5,
	pg_schema_v6,
	pg_schema_v7,
	pg_schema_v8,
};
#define PG_NSTEPS	(sizeof pg_steps / sizeof pg_steps[0])
_Static_assert(PG_NSTEPS == STORE_SCHEMA_VERSION,
    "store_pg.c needs a migration step for each schema version");

/* ---------------------------------------------------------------------
 * Messages.
 * --------------------------------------------------------------------- */

/* libpq's notices (NOTICE, WARNING) are not for hubsh's users. */
static void
pg_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* msg on one line: each run of white space made one space, trimmed. */
static char *
pg_one_line(const char *msg)
{
	struct buf	 b;
	const char	*p;
	int		 space = 0;

	buf_init(&b);
	for (p = msg != NULL ? msg : ""; *p != '\0'; p++) {
		if (isspace((unsigned char)*p)) {
			space = 1;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		buf_addc(&b, *p);
	}
	if (b.len == 0)
		buf_adds(&b, "unknown error");
	return (buf_detach(&b));
}

/* Replace every copy of the password in msg (in place) with x's. */
static void
pg_scrub(const struct store_pg *pg, char *msg)
{
	size_t	 n;
	char	*p;

	if (pg == NULL || pg->password == NULL || msg == NULL ||
	    (n = strlen(pg->password)) == 0)
		return;
	while ((p = strstr(msg, pg->password)) != NULL)
		memset(p, 'x', n);
}

/* HOST:PORT/DB of a connection (made or not), for messages. */
static char *
pg_where(PGconn *conn)
{
	const char	*host, *port, *db;

	host = pq.PQhost(conn);
	port = pq.PQport(conn);
	db = pq.PQdb(conn);
	return (xprintf("%s:%s/%s", host != NULL && *host != '\0' ? host :
	    "localhost", port != NULL && *port != '\0' ? port : "5432",
	    db != NULL ? db : ""));
}

static void
pg_error_text(struct store *s, const char *sqlstate, const char *msg)
{
	struct store_pg	*pg = s->pg;

	free(pg->errmsg);
	pg->errmsg = pg_one_line(msg);
	pg_scrub(pg, pg->errmsg);
	strncpy(pg->sqlstate, sqlstate != NULL ? sqlstate : "", 5);
	pg->sqlstate[5] = '\0';
	free(pg->constraint);
	pg->constraint = NULL;
}

/* Keep res's error: its message, SQLSTATE and constraint. */
static void
pg_error(struct store *s, const PGresult *res)
{
	const char	*msg, *state, *cons;

	if (res == NULL) {
		pg_conn_error(s, NULL);
		return;
	}
	msg = pq.PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (msg == NULL)
		msg = pq.PQresultErrorMessage(res);
	if (msg == NULL || *msg == '\0')
		msg = pq.PQerrorMessage(s->pg->conn);
	state = pq.PQresultErrorField(res, PG_DIAG_SQLSTATE);
	pg_error_text(s, state, msg);
	cons = pq.PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	if (cons != NULL)
		s->pg->constraint = xstrdup(cons);
}

/* The connection's own error, prefixed by what (or not). */
static void
pg_conn_error(struct store *s, const char *what)
{
	char	*msg;

	if (what != NULL) {
		msg = xprintf("%s: %s", what, pq.PQerrorMessage(s->pg->conn));
		pg_error_text(s, "08006", msg);
		free(msg);
	} else
		pg_error_text(s, "08006", pq.PQerrorMessage(s->pg->conn));
}

/* ---------------------------------------------------------------------
 * The connection.
 * --------------------------------------------------------------------- */

/*
 * Connect again (the server went away): the server's prepared
 * statements are gone with the old session, so each is prepared again
 * when next run, and so is a LISTEN, after which the watcher is told
 * that it may have missed an announcement.
 */
static int
pg_reset(struct store *s)
{
	struct store_pg	*pg = s->pg;
	char		*what;

	pq.PQreset(pg->conn);
	pg->epoch++;
	if (pq.PQstatus(pg->conn) == CONNECTION_OK) {
		if (pg->listening) {
			pq.PQclear(pq.PQexec(pg->conn, "LISTEN " PG_CHANNEL));
			pg->missed = true;
		}
		return (0);
	}
	what = xprintf("cannot connect to PostgreSQL at %s", pg->where);
	pg_conn_error(s, what);
	free(what);
	return (-1);
}

/* Before an operation: the connection is usable, reset if it was lost. */
static int
pg_ready(struct store *s)
{
	struct store_pg	*pg = s->pg;

	if (pg->lost) {
		pg_error_text(s, "08006", "the connection to PostgreSQL was "
		    "lost inside a transaction, which was rolled back");
		return (-1);
	}
	if (pq.PQstatus(pg->conn) == CONNECTION_OK)
		return (0);
	return (pg_reset(s));
}

/* sql is a ROLLBACK of the whole transaction (not ROLLBACK TO). */
static bool
pg_is_rollback(const char *sql)
{
	const char	*p = sql;

	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "ROLLBACK", 8) != 0)
		return (false);
	for (p += 8; isspace((unsigned char)*p) || *p == ';'; p++)
		;
	return (*p == '\0');
}

/*
 * After a failed operation: 1 if the connection was lost and the
 * operation may be tried again (first try, no transaction was open:
 * nothing of the caller's was lost), else 0.  A connection lost inside a
 * transaction fails everything until the caller rolls back.
 */
static int
pg_lost_after(struct store *s, bool idle, int try)
{
	struct store_pg	*pg = s->pg;

	if (pq.PQstatus(pg->conn) != CONNECTION_BAD)
		return (0);
	if (!idle) {
		pg->lost = 1;
		return (0);
	}
	return (try == 0);
}

static int
pg_open(struct store *s, const char *location, char **cause)
{
	static const char *const keys[] = {
		"connect_timeout", "fallback_application_name", "dbname", NULL
	};
	const char		*values[4];
	struct store_pg		*pg;
	PQconninfoOption	*opts, *o;
	const char		*pw;
	char			*err = NULL, *line;
	size_t			 pwlen;
	int			 done = 0;

	if (dynlib_load(&pq_lib, cause) != 0)
		return (-1);
	s->pg = pg = xcalloc(1, sizeof *pg);
	if (s->path == NULL)
		s->path = store_location_display(location);

	/*
	 * A password libpq would not read as one (an unencoded / ? # or @)
	 * would be taken for a host, a port or a database, and named in
	 * its messages: refuse it before libpq sees it.
	 */
	if (store_uri_password(location, &pw, &pwlen) &&
	    strcspn(pw, "/?#@") < pwlen) {
		xasprintf(cause, "invalid PostgreSQL location %s: the password "
		    "has a character a URI does not allow there; write / as "
		    "%%2F, ? as %%3F, # as %%23 and @ as %%40", s->path);
		return (-1);
	}

	/* The password as libpq reads it, to keep it out of messages. */
	if ((opts = pq.PQconninfoParse(location, &err)) == NULL) {
		line = pg_one_line(err != NULL ? err : "out of memory");
		pq.PQfreemem(err);
		xasprintf(cause, "invalid PostgreSQL location %s: %s", s->path,
		    line);
		free(line);
		return (-1);
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    *o->val != '\0')
			pg->password = xstrdup(o->val);
	}
	pq.PQconninfoFree(opts);

	/* Keywords before dbname are defaults the URI may override. */
	values[0] = PG_CONNECT_TIMEOUT;
	values[1] = "hubsh";
	values[2] = location;
	values[3] = NULL;
	pg->conn = pq.PQconnectdbParams(keys, values, 1);
	if (pg->conn == NULL) {
		*cause = xstrdup("cannot connect to PostgreSQL: out of memory");
		return (-1);
	}
	pg->where = pg_where(pg->conn);
	pg_scrub(pg, pg->where);
	if (pq.PQstatus(pg->conn) != CONNECTION_OK) {
		line = pg_one_line(pq.PQerrorMessage(pg->conn));
		pg_scrub(pg, line);
		xasprintf(cause, "cannot connect to PostgreSQL at %s: %s",
		    pg->where, line);
		free(line);
		return (-1);
	}
	pq.PQsetNoticeProcessor(pg->conn, pg_quiet, NULL);
	pg->epoch = 1;

	while (!done) {
		if (pg_migrate_one(s, &done, cause) != 0)
			return (-1);
	}
	return (0);
}

static void
pg_close(struct store *s)
{
	struct store_pg	*pg = s->pg;
	size_t		 i;

	if (pg == NULL)
		return;
	for (i = 0; i < pg->nstmts; i++)
		pg_stmt_free(pg->stmts[i]);
	free(pg->stmts);
	if (pg->conn != NULL)
		pq.PQfinish(pg->conn);	/* an open transaction rolls back */
	free(pg->where);
	if (pg->password != NULL) {
		explicit_bzero(pg->password, strlen(pg->password));
		free(pg->password);
	}
	free(pg->errmsg);
	free(pg->constraint);
	free(pg);
	s->pg = NULL;
}

/* ---------------------------------------------------------------------
 * Migrations.
 * --------------------------------------------------------------------- */

/* The schema version in meta; 0 when there is no meta yet. */
static int
pg_version(struct store *s, int *version, char **cause)
{
	struct store_stmt	*st;
	enum store_step		 rc;
	int			 have;

	*version = 0;
	/* Not a failing SELECT: it would abort the migration's transaction. */
	if (pg_prepare(s, "SELECT to_regclass('meta') IS NOT NULL", &st,
	    cause) != 0)
		return (-1);
	rc = pg_step(st);
	have = rc == STORE_ROW && pg_col_int(st, 0) == 1;
	pg_release(s, st);
	if (rc == STORE_ROW && !have)
		return (0);
	if (rc == STORE_ROW) {
		if (pg_prepare(s, "SELECT value FROM meta WHERE key = "
		    "'schema_version'", &st, cause) != 0)
			return (-1);
		rc = pg_step(st);
		if (rc == STORE_ROW)
			*version = (int)pg_col_int(st, 0);
		pg_release(s, st);
		if (rc == STORE_ROW || rc == STORE_DONE)
			return (0);
	}
	xasprintf(cause, "store %s: cannot read schema version: %s", s->path,
	    pg_errmsg(s));
	return (-1);
}

/*
 * One step in one transaction, under the advisory lock: the version is
 * read after taking it, so that a server that waited sees the step the
 * other just made.
 */
static int
pg_migrate_one(struct store *s, int *done, char **cause)
{
	int	v, after;

	if (pg_exec(s, "BEGIN", cause) != 0)
		return (-1);
	if (pg_exec(s, "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK
	    ")", cause) != 0 || pg_version(s, &v, cause) != 0)
		goto fail;
	if (v > STORE_SCHEMA_VERSION) {
		xasprintf(cause, "store %s has schema version %d, newer than "
		    "the version %d this program supports", s->path, v,
		    STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (v == STORE_SCHEMA_VERSION || (size_t)v >= PG_NSTEPS) {
		*done = 1;
		return (pg_exec(s, "COMMIT", cause));
	}
	if (pg_exec(s, pg_steps[v], cause) != 0) {
		free(*cause);
		xasprintf(cause, "store %s: cannot migrate to schema version "
		    "%d: %s", s->path, v + 1, pg_errmsg(s));
		goto fail;
	}
	if (pg_version(s, &after, cause) != 0)
		goto fail;
	if (after != v + 1) {
		xasprintf(cause, "store %s: migration to version %d left "
		    "version %d", s->path, v + 1, after);
		goto fail;
	}
	return (pg_exec(s, "COMMIT", cause));

fail:
	if (pq.PQstatus(s->pg->conn) == CONNECTION_OK)
		pq.PQclear(pq.PQexec(s->pg->conn, "ROLLBACK"));
	s->pg->lost = 0;
	return (-1);
}

static int
pg_schema_version(struct store *s, int *version, char **cause)
{
	return (pg_version(s, version, cause));
}

/* ---------------------------------------------------------------------
 * Statements.
 * --------------------------------------------------------------------- */

/*
 * sql with $N parameters: ?N is $N, a bare ? the one after the highest
 * so far; quoted text, quoted names and comments are copied as they
 * are.  *types has a slot per parameter: 0 (the server infers it) for
 * those the SQL uses, TEXT for the others, which PostgreSQL could not
 * type.
 */
static char *
pg_translate(const char *sql, int *nparams, Oid **types)
{
	struct buf	 b;
	const char	*p = sql, *end;
	unsigned char	*used = NULL;
	long		 n;
	int		 max = 0, i;
	char		 q;

	buf_init(&b);
	while (*p != '\0') {
		if (*p == '\'' || *p == '"') {
			/* To the closing quote; a doubled one is inside. */
			q = *p;
			end = p + 1;
			for (;;) {
				if (*end == '\0')
					break;
				if (*end == q && end[1] == q) {
					end += 2;
					continue;
				}
				if (*end++ == q)
					break;
			}
			buf_add(&b, p, end - p);
			p = end;
		} else if (p[0] == '-' && p[1] == '-') {
			end = p + strcspn(p, "\n");
			buf_add(&b, p, end - p);
			p = end;
		} else if (p[0] == '/' && p[1] == '*') {
			end = strstr(p + 2, "*/");
			end = end != NULL ? end + 2 : p + strlen(p);
			buf_add(&b, p, end - p);
			p = end;
		} else if (*p == '?') {
			p++;
			if (isdigit((unsigned char)*p)) {
				n = strtol(p, (char **)&end, 10);
				p = end;
				if (n < 1 || n > 32766)
					n = 32766;
			} else
				n = max + 1;
			if (n > max) {
				used = xrealloc(used, n);
				memset(used + max, 0, n - max);
				max = n;
			}
			used[n - 1] = 1;
			buf_addf(&b, "$%ld", n);
		} else
			buf_addc(&b, *p++);
	}
	*nparams = max;
	*types = NULL;
	if (max > 0) {
		*types = xcalloc(max, sizeof **types);
		for (i = 0; i < max; i++)
			(*types)[i] = used[i] ? 0 : PG_TEXTOID;
	}
	free(used);
	return (buf_detach(&b));
}

/* Prepare st on the server (again, after a reset), trying once more. */
static int
pg_server_prepare(struct store_stmt *st)
{
	struct store	*s = st->s;
	struct store_pg	*pg = s->pg;
	PGresult	*res;
	bool		 idle;
	int		 try;

	for (try = 0; ; try++) {
		if (pg_ready(s) != 0)
			return (-1);
		if (st->epoch == pg->epoch)
			return (0);
		idle = pq.PQtransactionStatus(pg->conn) == PQTRANS_IDLE;
		res = pq.PQprepare(pg->conn, st->name, st->text, st->nparams,
		    st->types);
		if (res != NULL && pq.PQresultStatus(res) == PGRES_COMMAND_OK) {
			pq.PQclear(res);
			st->epoch = pg->epoch;
			return (0);
		}
		pg_error(s, res);
		pq.PQclear(res);
		if (!pg_lost_after(s, idle, try))
			return (-1);
	}
}

/* Run st with its values; its result, or NULL with the error kept. */
static PGresult *
pg_run(struct store_stmt *st)
{
	struct store	*s = st->s;
	struct store_pg	*pg = s->pg;
	PGresult	*res;
	ExecStatusType	 status;
	bool		 idle;
	int		 try;

	for (try = 0; ; try++) {
		if (pg_server_prepare(st) != 0)
			return (NULL);
		idle = pq.PQtransactionStatus(pg->conn) == PQTRANS_IDLE;
		res = pq.PQexecPrepared(pg->conn, st->name, st->nparams,
		    st->values, st->lengths, st->formats, 0);
		status = res != NULL ? pq.PQresultStatus(res) :
		    PGRES_FATAL_ERROR;
		if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
			return (res);
		pg_error(s, res);
		pq.PQclear(res);
		if (!pg_lost_after(s, idle, try))
			return (NULL);
	}
}

static int
pg_prepare(struct store *s, const char *sql, struct store_stmt **stp,
    char **cause)
{
	struct store_pg		*pg = s->pg;
	struct store_stmt	*st;
	size_t			 i;
	int			 n;

	*stp = NULL;
	for (i = 0; i < pg->nstmts; i++) {
		st = pg->stmts[i];
		if (!st->busy && strcmp(st->sql, sql) == 0) {
			st->busy = 1;
			*stp = st;
			return (0);
		}
	}
	st = xcalloc(1, sizeof *st);
	st->be = &store_pg_backend;
	st->s = s;
	st->sql = xstrdup(sql);
	st->text = pg_translate(sql, &st->nparams, &st->types);
	snprintf(st->name, sizeof st->name, "hubsh_%u", ++pg->nextname);
	if ((n = st->nparams) > 0) {
		st->values = xcalloc(n, sizeof *st->values);
		st->lengths = xcalloc(n, sizeof *st->lengths);
		st->formats = xcalloc(n, sizeof *st->formats);
		st->ints = xcalloc(n, sizeof *st->ints);
	}
	/* A lost transaction's ROLLBACK needs no server. */
	if (!(pg->lost && pg_is_rollback(sql)) &&
	    pg_server_prepare(st) != 0) {
		pg_stmt_free(st);
		return (store_fail(s, cause, "store %s", s->path));
	}
	st->busy = 1;
	pg->stmts = xreallocarray(pg->stmts, pg->nstmts + 1,
	    sizeof *pg->stmts);
	pg->stmts[pg->nstmts++] = st;
	*stp = st;
	return (0);
}

/* Forget st's result and values: it is ready to be bound and run. */
static void
pg_stmt_clear(struct store_stmt *st)
{
	if (st->res != NULL)
		pq.PQclear(st->res);
	st->res = NULL;
	if (st->blob != NULL)
		pq.PQfreemem(st->blob);
	st->blob = NULL;
	st->state = PG_READY;
	st->row = -1;
}

static void
pg_stmt_free(struct store_stmt *st)
{
	if (st == NULL)
		return;
	pg_stmt_clear(st);
	free(st->sql);
	free(st->text);
	free(st->types);
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->ints);
	free(st);
}

static void
pg_release(struct store *s, struct store_stmt *st)
{
	(void)s;
	if (st == NULL)
		return;
	pg_stmt_clear(st);
	if (st->nparams > 0) {
		memset(st->values, 0, st->nparams * sizeof *st->values);
		memset(st->lengths, 0, st->nparams * sizeof *st->lengths);
		memset(st->formats, 0, st->nparams * sizeof *st->formats);
	}
	st->busy = 0;
}

/*
 * Binding after a run starts the statement over, as sqlite3_reset()
 * then a bind does: the earlier values stay unless bound again.
 */
static int
pg_bind_slot(struct store_stmt *st, int i)
{
	if (st->state != PG_READY)
		pg_stmt_clear(st);
	if (i < 1 || i > st->nparams)
		return (-1);
	return (i - 1);
}

static void
pg_bind_int(struct store_stmt *st, int i, int64_t v)
{
	if ((i = pg_bind_slot(st, i)) < 0)
		return;
	snprintf(st->ints[i], sizeof st->ints[i], "%lld", (long long)v);
	st->values[i] = st->ints[i];
	st->lengths[i] = 0;
	st->formats[i] = 0;
}

static void
pg_bind_text(struct store_stmt *st, int i, const char *v)
{
	if ((i = pg_bind_slot(st, i)) < 0)
		return;
	st->values[i] = v;
	st->lengths[i] = 0;
	st->formats[i] = 0;
}

static void
pg_bind_blob(struct store_stmt *st, int i, const void *v, size_t len)
{
	if ((i = pg_bind_slot(st, i)) < 0)
		return;
	/* An empty blob is a zero-length value, not NULL. */
	st->values[i] = v != NULL ? v : (len == 0 ? "" : NULL);
	st->lengths[i] = (int)len;
	st->formats[i] = 1;
}

/*
 * The first step runs the statement; each step then gives one row and
 * the last STORE_DONE.  A step after the end runs it again, as SQLite
 * does.
 */
static enum store_step
pg_step(struct store_stmt *st)
{
	struct store_pg	*pg = st->s->pg;

	if (st->state == PG_FINISHED)
		pg_stmt_clear(st);
	if (st->state == PG_READY) {
		if (pg->lost && pg_is_rollback(st->sql)) {
			/* The server rolled back when the connection went. */
			pg->lost = 0;
			st->state = PG_FINISHED;
			return (STORE_DONE);
		}
		if ((st->res = pg_run(st)) == NULL) {
			st->state = PG_FINISHED;
			if (strncmp(pg->sqlstate, "23", 2) == 0)
				return (STORE_CONSTRAINT);
			return (STORE_ERROR);
		}
		st->state = PG_ROWS;
		st->row = -1;
	}
	if (st->blob != NULL) {
		pq.PQfreemem(st->blob);
		st->blob = NULL;
	}
	if (++st->row < pq.PQntuples(st->res))
		return (STORE_ROW);
	st->state = PG_FINISHED;
	return (STORE_DONE);
}

/* The value of column i of the current row, or NULL. */
static const char *
pg_value(struct store_stmt *st, int i)
{
	if (st->res == NULL || st->state != PG_ROWS || st->row < 0 ||
	    st->row >= pq.PQntuples(st->res) ||
	    pq.PQgetisnull(st->res, st->row, i))
		return (NULL);
	return (pq.PQgetvalue(st->res, st->row, i));
}

static int64_t
pg_col_int(struct store_stmt *st, int i)
{
	const char	*v;

	if ((v = pg_value(st, i)) == NULL)
		return (0);
	if (*v == 't')			/* a boolean */
		return (1);
	if (*v == 'f')
		return (0);
	return ((int64_t)strtoll(v, NULL, 10));
}

static const char *
pg_col_text(struct store_stmt *st, int i)
{
	return (pg_value(st, i));
}

static const void *
pg_col_blob(struct store_stmt *st, int i, size_t *len)
{
	const char	*v;

	*len = 0;
	if ((v = pg_value(st, i)) == NULL)
		return (NULL);
	if (st->blob != NULL)
		pq.PQfreemem(st->blob);
	st->blob = pq.PQunescapeBytea((const unsigned char *)v, len);
	if (st->blob == NULL)
		*len = 0;
	return (st->blob);
}

static int64_t
pg_changes(struct store_stmt *st)
{
	const char	*n;

	if (st->res == NULL || (n = pq.PQcmdTuples(st->res)) == NULL)
		return (0);
	return ((int64_t)strtoll(n, NULL, 10));
}

/* The identity an INSERT just took: lastval() in the same session. */
static int64_t
pg_insert_id(struct store_stmt *st)
{
	struct store		*s = st->s;
	struct store_stmt	*lv;
	char			*cause = NULL;
	int64_t			 id = 0;

	if (pg_prepare(s, "SELECT lastval()", &lv, &cause) != 0) {
		free(cause);
		return (0);
	}
	if (pg_step(lv) == STORE_ROW)
		id = pg_col_int(lv, 0);
	pg_release(s, lv);
	return (id);
}

/* Constant SQL, one statement or several (PQexec), no rows wanted. */
static int
pg_exec(struct store *s, const char *sql, char **cause)
{
	struct store_pg	*pg = s->pg;
	PGresult	*res;
	ExecStatusType	 status;
	bool		 idle = false;
	int		 try;

	if (pg->lost && pg_is_rollback(sql)) {
		pg->lost = 0;
		return (0);
	}
	for (try = 0; ; try++) {
		if (pg_ready(s) != 0)
			break;
		idle = pq.PQtransactionStatus(pg->conn) == PQTRANS_IDLE;
		res = pq.PQexec(pg->conn, sql);
		status = res != NULL ? pq.PQresultStatus(res) :
		    PGRES_FATAL_ERROR;
		if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ||
		    status == PGRES_EMPTY_QUERY) {
			pq.PQclear(res);
			return (0);
		}
		pg_error(s, res);
		pq.PQclear(res);
		if (!pg_lost_after(s, idle, try))
			break;
	}
	/* SQL that began a transaction and failed leaves none open. */
	if (idle && pq.PQstatus(pg->conn) == CONNECTION_OK &&
	    pq.PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
		pq.PQclear(pq.PQexec(pg->conn, "ROLLBACK"));
	return (store_fail(s, cause, "store %s", s->path));
}

static bool
pg_in_txn(struct store *s)
{
	struct store_pg	*pg = s->pg;

	if (pg == NULL || pg->conn == NULL)
		return (false);
	if (pg->lost)
		return (true);
	switch (pq.PQtransactionStatus(pg->conn)) {
	case PQTRANS_ACTIVE:
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		return (true);
	default:
		return (false);
	}
}

static const char *
pg_errmsg(struct store *s)
{
	if (s->pg == NULL || s->pg->errmsg == NULL)
		return ("not an error");
	return (s->pg->errmsg);
}

/* SQLSTATE 23505 on the constraint named <table>_<column>_key. */
static bool
pg_unique_violation(struct store *s, const char *table, const char *column)
{
	struct store_pg	*pg = s->pg;
	size_t		 t;

	if (pg == NULL || strcmp(pg->sqlstate, "23505") != 0 ||
	    pg->constraint == NULL)
		return (false);
	t = strlen(table);
	return (strncmp(pg->constraint, table, t) == 0 &&
	    pg->constraint[t] == '_' &&
	    strncmp(pg->constraint + t + 1, column, strlen(column)) == 0 &&
	    strcmp(pg->constraint + t + 1 + strlen(column), "_key") == 0);
}

/* ---------------------------------------------------------------------
 * Announced changes: LISTEN on the channel the triggers NOTIFY.
 * --------------------------------------------------------------------- */

static int
pg_watch(struct store *s, char **cause)
{
	if (pg_exec(s, "LISTEN " PG_CHANNEL, cause) != 0)
		return (-1);
	s->pg->listening = true;
	return (0);
}

/* The socket, while the connection lives; -1 once it is lost. */
static int
pg_watch_fd(struct store *s)
{
	struct store_pg	*pg = s->pg;

	if (!pg->listening || pq.PQstatus(pg->conn) != CONNECTION_OK)
		return (-1);
	return (pq.PQsocket(pg->conn));
}

/*
 * Read what the server sent, without waiting: notifications that came
 * with the answers to other statements are already queued in libpq.
 */
static int
pg_watch_changed(struct store *s)
{
	struct store_pg	*pg = s->pg;
	PGnotify	*n;
	bool		 changed = pg->missed;

	if (!pg->listening)
		return (0);
	if (pq.PQstatus(pg->conn) != CONNECTION_OK ||
	    pq.PQconsumeInput(pg->conn) == 0)
		return (-1);
	pg->missed = false;
	while ((n = pq.PQnotifies(pg->conn)) != NULL) {
		changed = true;
		pq.PQfreemem(n);
	}
	return (changed ? 1 : 0);
}
