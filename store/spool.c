/*
 * spool.c - hubd's queue database: messages, bodies, recipients, tracking.
 *
 * The spool is a SQLite file of its own (<state-dir>/queue.db), opened by
 * the same helper as the connector store (mode 0600, WAL, synchronous=FULL,
 * foreign keys, busy timeout, migrations keyed on user_version) with its
 * own schema.  A struct spool wraps one struct store, so one connection
 * and its prepared-statement cache; it is used by one thread at a time.
 *
 * Every write here is atomic by itself: a savepoint inside the caller's
 * transaction, or a transaction of its own outside spool_begin().  hubd's
 * committer groups many jobs (each a savepoint, spool_job_enter/leave)
 * into one transaction so that one disk sync covers them all; delivery
 * workers read bodies through their own connections meanwhile (WAL).
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ctl.h"
#include "xmalloc.h"
#include "store_int.h"

/* PRAGMA application_id of a spool: 0x68756271, "hubq". */
#define SPOOL_APP_ID	1752523377
#define SPOOL_STR(x)	SPOOL_STR1(x)
#define SPOOL_STR1(x)	#x

#define BOOLCOL(c)	c " INTEGER NOT NULL CHECK (" c " IN (0, 1)),"

struct spool {
	struct store	*s;
	int		 txn;	/* inside spool_begin() */
	int		 job;	/* inside spool_job_enter() */
};

/*
 * Bodies live in message_body, apart from messages, so that reading the
 * queue never pages through them.  track keeps its rows after the message
 * is gone; its indexes serve Get-MessageTrackingLog's filters (doc/store.md).
 */
static const char spool_schema_v1[] =
	"CREATE TABLE messages ("
	" id INTEGER PRIMARY KEY,"
	" sender TEXT NOT NULL,"
	" envid TEXT,"
	BOOLCOL("ret_hdrs")
	" received INTEGER NOT NULL,"
	" size INTEGER NOT NULL CHECK (size >= 0),"
	" message_id TEXT,"
	" subject TEXT,"
	" source TEXT NOT NULL CHECK (source IN ('SMTP', 'PICKUP', 'DSN')),"
	" client_ip TEXT,"
	" client_helo TEXT) STRICT;"
	"CREATE TABLE message_body ("
	" msg_id INTEGER PRIMARY KEY"
	"  REFERENCES messages (id) ON DELETE CASCADE,"
	" body BLOB NOT NULL) STRICT;"
	"CREATE TABLE recipients ("
	" id INTEGER PRIMARY KEY,"
	" msg_id INTEGER NOT NULL"
	"  REFERENCES messages (id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL CHECK (seq >= 0),"
	" addr TEXT NOT NULL CHECK (addr <> ''),"
	" orcpt TEXT,"
	" notify INTEGER NOT NULL CHECK (notify >= 0 AND (notify & ~15) = 0"
	"  AND ((notify & 1) = 0 OR notify = 1)),"
	" state INTEGER NOT NULL CHECK (state IN (0, 1, 2)),"
	" retry_count INTEGER NOT NULL CHECK (retry_count >= 0),"
	" next_attempt INTEGER NOT NULL CHECK (next_attempt >= 0),"
	" last_error TEXT,"
	BOOLCOL("delay_notified")
	" UNIQUE (msg_id, seq)) STRICT;"
	"CREATE TABLE track ("
	" id INTEGER PRIMARY KEY,"
	" timestamp_ms INTEGER NOT NULL,"
	" event_id TEXT NOT NULL COLLATE NOCASE CHECK (event_id <> ''),"
	" source TEXT NOT NULL COLLATE NOCASE CHECK (source <> ''),"
	" source_context TEXT,"
	" internal_message_id INTEGER NOT NULL"
	"  CHECK (internal_message_id >= 0),"
	" message_id TEXT COLLATE NOCASE,"
	" sender TEXT COLLATE NOCASE,"
	" message_subject TEXT,"
	" connector_id TEXT COLLATE NOCASE,"
	" server_hostname TEXT,"
	" server_ip TEXT,"
	" client_hostname TEXT,"
	" client_ip TEXT,"
	" total_bytes INTEGER NOT NULL CHECK (total_bytes >= 0),"
	" reference TEXT,"
	" tls_protocol TEXT,"
	" tls_cipher TEXT,"
	" tls_verify TEXT) STRICT;"
	"CREATE INDEX track_time ON track (timestamp_ms);"
	"CREATE INDEX track_event ON track (event_id, timestamp_ms);"
	"CREATE INDEX track_sender ON track (sender, timestamp_ms);"
	"CREATE INDEX track_message_id ON track (message_id);"
	"CREATE INDEX track_internal_id ON track (internal_message_id);"
	"CREATE TABLE track_rcpt ("
	" track_id INTEGER NOT NULL"
	"  REFERENCES track (id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL CHECK (seq >= 0),"
	" addr TEXT NOT NULL COLLATE NOCASE CHECK (addr <> ''),"
	" status TEXT,"
	" PRIMARY KEY (track_id, seq)) STRICT, WITHOUT ROWID;"
	"CREATE INDEX track_rcpt_addr ON track_rcpt (addr);"
	"PRAGMA application_id = " SPOOL_STR(SPOOL_APP_ID) ";"
	"PRAGMA user_version = 1;";

/*
 * Version 2: Suspend-Message's flag, and an index for the ConnectorId
 * filter (every exact filter of a tracking query has one).
 */
/*
 * v2: Suspend-Message's flag; an index for tracking by connector; and
 * message ids that are never given twice (spool_seq), so that a tracking
 * record's InternalMessageId and a Get-Message identity name one message
 * for good.  SQLite's plain rowid reuses the highest id once that message
 * is deleted.  The sequence starts above every id in messages and track.
 */
static const char spool_schema_v2[] =
	"ALTER TABLE messages ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0"
	" CHECK (suspended IN (0, 1));"
	"CREATE TABLE spool_seq ("
	" one INTEGER PRIMARY KEY CHECK (one = 1),"
	" last INTEGER NOT NULL CHECK (last >= 0)) STRICT;"
	"INSERT INTO spool_seq VALUES (1, max("
	" coalesce((SELECT max(id) FROM messages), 0),"
	" coalesce((SELECT max(internal_message_id) FROM track), 0)));"
	"CREATE TRIGGER messages_seq AFTER INSERT ON messages BEGIN"
	" UPDATE spool_seq SET last = NEW.id WHERE NEW.id > last; END;"
	"CREATE INDEX track_connector ON track (connector_id, timestamp_ms);"
	"PRAGMA user_version = 2;";

/*
 * v3: an index for Get-MessageTrackingLog -Reference, matched as
 * MessageId is, without case.
 */
static const char spool_schema_v3[] =
	"CREATE INDEX track_reference ON track (reference COLLATE NOCASE)"
	" WHERE reference IS NOT NULL;"
	"PRAGMA user_version = 3;";

/*
 * v4: the queues in alarm (alert.c), and what the certificate watch
 * (certwatch.c) last saw at each next hop, both kept across restarts.
 * A certificate's fields are the last one seen: a probe without TLS
 * leaves them, so that a change shows across a gap.
 */
static const char spool_schema_v4[] =
	"CREATE TABLE alarms ("
	" queue TEXT PRIMARY KEY,"
	" connector TEXT,"
	" next_hop TEXT NOT NULL,"
	" started INTEGER NOT NULL CHECK (started >= 0)) STRICT;"
	"CREATE TABLE cert_watch ("
	" connector_guid TEXT NOT NULL,"
	" domain TEXT NOT NULL,"
	" host TEXT NOT NULL,"
	" address TEXT NOT NULL,"
	" connector TEXT NOT NULL,"
	" checked INTEGER NOT NULL,"
	" connected INTEGER NOT NULL CHECK (connected IN (0, 1)),"
	" starttls INTEGER NOT NULL CHECK (starttls IN (0, 1)),"
	" tls INTEGER NOT NULL CHECK (tls IN (0, 1)),"
	" subject TEXT, issuer TEXT, names TEXT,"
	" not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,"
	" thumbprint TEXT, sha256 TEXT, key_sha256 TEXT,"
	" levels TEXT, result TEXT NOT NULL, error TEXT,"
	" findings INTEGER NOT NULL CHECK (findings >= 0),"
	" PRIMARY KEY (connector_guid, domain, host, address)) STRICT;"
	"PRAGMA user_version = 4;";

/*
 * v5: what a message's sender asked of TLS (RFC 8689): REQUIRETLS on
 * MAIL FROM, or "TLS-Required: No" in its header.
 */
static const char spool_schema_v5[] =
	"ALTER TABLE messages ADD COLUMN requiretls INTEGER NOT NULL DEFAULT 0"
	" CHECK (requiretls IN (0, 1));"
	"ALTER TABLE messages ADD COLUMN tls_optional INTEGER NOT NULL"
	" DEFAULT 0 CHECK (tls_optional IN (0, 1)"
	" AND (tls_optional = 0 OR requiretls = 0));"
	"PRAGMA user_version = 5;";

/*
 * v6: the MTA-STS policies (transport/mtasts.c) kept per domain, and the
 * last refresh that failed.  A policy's columns are all set or all NULL
 * (a domain whose first fetch failed has the failure alone); mx holds
 * the patterns with one space between.  The index serves the refresh
 * before expiry (spool_sts_due) and pruning.
 */
static const char spool_schema_v6[] =
	"CREATE TABLE sts_policies ("
	" domain TEXT PRIMARY KEY"
	"  CHECK (domain <> '' AND domain = lower(domain)),"
	" policy_id TEXT CHECK (length(policy_id) BETWEEN 1 AND 32"
	"  AND policy_id NOT GLOB '*[^A-Za-z0-9]*'),"
	" mode TEXT CHECK (mode IN ('enforce', 'testing', 'none')),"
	" mx TEXT,"
	" max_age INTEGER CHECK (max_age BETWEEN 0 AND 31557600),"
	" fetched INTEGER CHECK (fetched >= 0),"
	" expires INTEGER,"
	" failure TEXT,"
	" failed INTEGER CHECK (failed >= 0),"
	" CHECK ((policy_id IS NULL) = (mode IS NULL)"
	"  AND (mode IS NULL) = (mx IS NULL)"
	"  AND (mx IS NULL) = (max_age IS NULL)"
	"  AND (max_age IS NULL) = (fetched IS NULL)"
	"  AND (fetched IS NULL) = (expires IS NULL)),"
	" CHECK ((failure IS NULL) = (failed IS NULL)),"
	" CHECK (policy_id IS NOT NULL OR failure IS NOT NULL)) STRICT;"
	"CREATE INDEX sts_expires ON sts_policies (expires);"
	"PRAGMA user_version = 6;";

/*
 * v7: TLS-RPT (RFC 8460, transport/tlsrpt.c).  The sessions of each
 * reporting period [begin, end) per policy domain and policy, and their
 * failures by kind and hosts, as hubd flushes what it counted; and the
 * reports made, one row per rua: a (domain, begin) there is never
 * counted or reported again.  policy and mx hold their lines joined by
 * "\n" ("" for none).
 */
static const char spool_schema_v7[] =
	"CREATE TABLE tlsrpt_policies ("
	" domain TEXT NOT NULL CHECK (domain <> ''),"
	" begin INTEGER NOT NULL CHECK (begin >= 0),"
	" end INTEGER NOT NULL CHECK (end > begin),"
	" type TEXT NOT NULL"
	"  CHECK (type IN ('tlsa', 'sts', 'no-policy-found')),"
	" policy TEXT NOT NULL,"
	" mx TEXT NOT NULL,"
	" success INTEGER NOT NULL CHECK (success >= 0),"
	" failure INTEGER NOT NULL CHECK (failure >= 0),"
	" PRIMARY KEY (domain, begin, type, policy)) STRICT;"
	"CREATE TABLE tlsrpt_failures ("
	" domain TEXT NOT NULL,"
	" begin INTEGER NOT NULL,"
	" type TEXT NOT NULL,"
	" policy TEXT NOT NULL,"
	" result TEXT NOT NULL CHECK (result <> ''),"
	" sending_ip TEXT NOT NULL,"
	" mx_host TEXT NOT NULL,"
	" receiving_ip TEXT NOT NULL,"
	" count INTEGER NOT NULL CHECK (count > 0),"
	" PRIMARY KEY (domain, begin, type, policy, result, sending_ip,"
	"  mx_host, receiving_ip)) STRICT;"
	"CREATE TABLE tlsrpt_sent ("
	" report_id TEXT NOT NULL CHECK (report_id <> ''),"
	" domain TEXT NOT NULL,"
	" begin INTEGER NOT NULL,"
	" end INTEGER NOT NULL,"
	" rua TEXT NOT NULL,"
	" outcome TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" PRIMARY KEY (report_id, rua)) STRICT;"
	"CREATE INDEX tlsrpt_sent_day ON tlsrpt_sent (domain, begin);"
	"PRAGMA user_version = 7;";

static const struct store_migration spool_migrations[] = {
	{ 1, spool_schema_v1 },
	{ 2, spool_schema_v2 },
	{ 3, spool_schema_v3 },
	{ 4, spool_schema_v4 },
	{ 5, spool_schema_v5 },
	{ 6, spool_schema_v6 },
	{ 7, spool_schema_v7 },
};

static const struct store_schema spool_schema = {
	SPOOL_SCHEMA_VERSION,
	spool_migrations,
	sizeof(spool_migrations) / sizeof(spool_migrations[0]),
	SPOOL_APP_ID,
	"hubd spool"
};

/* Messages that still have a recipient to deliver. */
#define SPOOL_QUEUED	"(SELECT msg_id FROM recipients WHERE state = 0)"

/*
 * The filters of a tracking query.  Each has its own parameter number,
 * the same in every SQL text, so that one text (and one prepared
 * statement in the cache) serves each combination of filters.
 */
#define TQ_START	0x001
#define TQ_END		0x002
#define TQ_SENDER	0x004
#define TQ_RCPTS	0x008
#define TQ_EVENT	0x010
#define TQ_MSGID	0x020
#define TQ_INTERNAL	0x040
#define TQ_SUBJECT	0x080
#define TQ_CONNECTOR	0x100
#define TQ_REFERENCE	0x200

static const struct {
	unsigned	 flag;
	const char	*sql;
} tq_filters[] = {
	{ TQ_START, "timestamp_ms >= ?1" },
	{ TQ_END, "timestamp_ms < ?2" },
	{ TQ_SENDER, "sender = ?3" },
	/* ?4 is a JSON array of the addresses, bound as text. */
	{ TQ_RCPTS, "id IN (SELECT track_id FROM track_rcpt WHERE addr IN "
	    "(SELECT value FROM json_each(?4)))" },
	{ TQ_EVENT, "event_id = ?5" },
	/* ?6 and ?7: the Message-ID without and with <>. */
	{ TQ_MSGID, "message_id IN (?6, ?7)" },
	{ TQ_INTERNAL, "internal_message_id = ?8" },
	/* lower() folds ASCII letters only. */
	{ TQ_SUBJECT, "instr(lower(message_subject), lower(?9)) > 0" },
	{ TQ_CONNECTOR, "connector_id = ?10" },
	/* ?12 and ?13: the reference without and with <>. */
	{ TQ_REFERENCE, "reference COLLATE NOCASE IN (?12, ?13)" },
};
#define TQ_NFILTERS	(sizeof(tq_filters) / sizeof(tq_filters[0]))

/* Column order of TQ_SELECT; the limit is ?11. */
#define TQ_SELECT	"SELECT id, timestamp_ms, event_id, source, "	\
	"source_context, internal_message_id, message_id, sender, "	\
	"message_subject, connector_id, server_hostname, server_ip, "	\
	"client_hostname, client_ip, total_bytes, reference, "		\
	"tls_protocol, tls_cipher, tls_verify FROM track"
#define TQ_ORDER	" ORDER BY timestamp_ms, id LIMIT ?11"

/* The strings tq_bind makes for a query's parameters. */
struct tq_binds {
	char	*json;		/* ?4 */
	char	*msgid[2];	/* ?6 and ?7: bare and in <> */
	char	*ref[2];	/* ?12 and ?13 */
};

/* The recipients of the current event, their strings in one buffer. */
struct tq_rcpts {
	struct track_rcpt	*v;
	size_t			*off;	/* 2 per recipient; SIZE_MAX: NULL */
	size_t			 n;
	size_t			 cap;
	struct buf		 strs;
};

static int	 spool_check_app_id(struct store *, char **);
static int	 spool_live(struct spool *, char **);
static int	 spool_scope_enter(struct spool *, int, enum store_txn *,
		     char **);
static int	 spool_job_undo(struct spool *, char **);
static int	 spool_msg_check(const struct spool_msg *, char **);
static int	 spool_insert_row(struct store *, const struct spool_msg *,
		     size_t, int64_t *, char **);
static int	 spool_insert_body(struct store *, int64_t, const void *,
		     size_t, char **);
static int	 spool_insert_rcpts(struct store *, int64_t,
		     struct spool_rcpt *, size_t, char **);
static void	 spool_bind_state(sqlite3_stmt *, const struct spool_rcpt *);
static int	 spool_load_msgs(struct store *, struct spool_msg ***,
		     size_t *, char **);
static int	 spool_load_rcpts(struct store *, struct spool_msg **,
		     size_t, char **);
static struct spool_msg *spool_msg_from_row(sqlite3_stmt *);
static void	 spool_rcpt_from_row(sqlite3_stmt *, struct spool_rcpt *);
static int	 spool_track_row(struct store *, const struct track_event *,
		     int64_t *, char **);
static int	 spool_track_rcpts(struct store *, int64_t,
		     const struct track_event *, char **);
static unsigned	 tq_mask(const struct track_query *);
static void	 tq_bind(sqlite3_stmt *, const struct track_query *,
		     unsigned, struct tq_binds *);
static char	*tq_json_list(const char **, size_t);
static void	 tq_msgid_forms(const char *, char **);
static int	 tq_run(struct store *, sqlite3_stmt *, track_fn, void *,
		     char **);
static int	 tq_load_rcpts(struct store *, sqlite3_stmt *, int64_t,
		     struct tq_rcpts *, char **);
static void	 tq_event_from_row(sqlite3_stmt *, struct track_event *);
static void	 spool_sts_from_row(sqlite3_stmt *, struct spool_sts *);
static int	 spool_tlsrpt_policies(struct store *, const char *, int64_t,
		     struct spool_tlsrpt_day *, char **);
static int	 spool_tlsrpt_failures(struct store *, const char *, int64_t,
		     struct spool_tlsrpt_day *, char **);
static int	 spool_tlsrpt_forget(struct store *, const char *, int64_t,
		     char **);
static int	 spool_finish(struct store *, sqlite3_stmt *, int,
		     const char *, char **);
static char	*spool_strdup(const unsigned char *);

int
spool_open(struct spool **spp, const char *path, char **cause)
{
	struct store	*s;

	*spp = NULL;
	if (path == NULL || *path == '\0') {
		*cause = xstrdup("no spool path given");
		return (-1);
	}
	if ((s = store_open_file(path, &spool_schema, cause)) == NULL)
		return (-1);
	/*
	 * Savepoint journals in memory: nested savepoints (job, write,
	 * statement) copy each page they touch, and once that spilled to a
	 * temporary file it was two thirds of the cost of a spooled message.
	 */
	if (spool_check_app_id(s, cause) != 0 ||
	    store_exec(s, "PRAGMA temp_store = MEMORY", cause) != 0) {
		store_close(s);
		return (-1);
	}
	*spp = xcalloc(1, sizeof **spp);
	(*spp)->s = s;
	return (0);
}

/*
 * Open an existing spool read-only: creates, migrates and writes nothing
 * (hubsh's Get-MessageTrackingLog while hubd is down).  Only queries work
 * on it.
 */
int
spool_open_readonly(struct spool **spp, const char *path, char **cause)
{
	struct store	*s;

	*spp = NULL;
	if ((s = store_open_file_ro(path, &spool_schema, cause)) == NULL)
		return (-1);
	if (spool_check_app_id(s, cause) != 0) {
		store_close(s);
		return (-1);
	}
	*spp = xcalloc(1, sizeof **spp);
	(*spp)->s = s;
	return (0);
}

/* Refuse another SQLite file, such as the connector store. */
static int
spool_check_app_id(struct store *s, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, id = 0;

	if (store_prepare(s, &st, "PRAGMA application_id", cause) != 0)
		return (-1);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int(st, 0);
	if (spool_finish(s, st, rc == SQLITE_ROW, "cannot read spool", cause)
	    != 0)
		return (-1);
	if (id != SPOOL_APP_ID) {
		xasprintf(cause, "%s is not a hubd spool", store_path(s));
		return (-1);
	}
	return (0);
}

void
spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	store_close(sp->s);
	free(sp);
}

const char *
spool_path(struct spool *sp)
{
	return (store_path(sp->s));
}

int
spool_begin(struct spool *sp, char **cause)
{
	if (store_begin(sp->s, cause) != 0)
		return (-1);
	sp->txn = 1;
	sp->job = 0;
	return (0);
}

int
spool_commit(struct spool *sp, char **cause)
{
	sp->txn = sp->job = 0;
	return (store_commit(sp->s, cause));
}

void
spool_rollback(struct spool *sp)
{
	sp->txn = sp->job = 0;
	store_rollback(sp->s);
}

/*
 * Fail if spool_begin()'s transaction is gone: SQLite rolls a transaction
 * back by itself on some errors (disk full, I/O).  A write now would
 * commit on its own while spool_commit() reports the group as failed.
 */
static int
spool_live(struct spool *sp, char **cause)
{
	if (sp->txn && sqlite3_get_autocommit(sp->s->db)) {
		*cause = xstrdup("the spool transaction was rolled back");
		return (-1);
	}
	return (0);
}

static int
spool_scope_enter(struct spool *sp, int write, enum store_txn *how,
    char **cause)
{
	if (spool_live(sp, cause) != 0)
		return (-1);
	return (store_txn_enter(sp->s, write, how, cause));
}

int
spool_job_enter(struct spool *sp, char **cause)
{
	if (!sp->txn) {
		*cause = xstrdup("a spool job needs spool_begin()");
		return (-1);
	}
	if (sp->job) {
		*cause = xstrdup("a spool job is already open");
		return (-1);
	}
	if (spool_live(sp, cause) != 0 ||
	    store_run(sp->s, "SAVEPOINT spool_job", cause) != 0)
		return (-1);
	sp->job = 1;
	return (0);
}

/*
 * Keep the job's writes (ok) or undo them.  0: done as asked; -1: the
 * writes could not be kept (they are undone) or could not be undone.
 */
int
spool_job_leave(struct spool *sp, int ok, char **cause)
{
	char	*ignore = NULL;

	if (!sp->job) {
		*cause = xstrdup("no spool job is open");
		return (-1);
	}
	sp->job = 0;
	if (spool_live(sp, cause) != 0)
		return (-1);
	if (!ok)
		return (spool_job_undo(sp, cause));
	if (store_run(sp->s, "RELEASE spool_job", cause) == 0)
		return (0);
	spool_job_undo(sp, &ignore);
	free(ignore);
	return (-1);
}

static int
spool_job_undo(struct spool *sp, char **cause)
{
	if (store_run(sp->s, "ROLLBACK TO spool_job", cause) != 0)
		return (-1);
	return (store_run(sp->s, "RELEASE spool_job", cause));
}

int
spool_msg_insert(struct spool *sp, struct spool_msg *m, const void *body,
    size_t len, char **cause)
{
	enum store_txn	how;
	int64_t		id = 0;
	size_t		i;
	int		rc;

	if (spool_msg_check(m, cause) != 0 ||
	    spool_scope_enter(sp, 1, &how, cause) != 0)
		return (-1);
	rc = spool_insert_row(sp->s, m, len, &id, cause);
	if (rc == 0)
		rc = spool_insert_body(sp->s, id, body, len, cause);
	if (rc == 0)
		rc = spool_insert_rcpts(sp->s, id, m->rcpts, m->nrcpts, cause);
	if (store_txn_leave(sp->s, how, rc == 0, cause) != 0) {
		for (i = 0; i < m->nrcpts; i++)
			m->rcpts[i].id = 0;
		return (-1);
	}
	m->id = id;
	m->size = (int64_t)len;
	return (0);
}

/* What the schema cannot say clearly: NULLs where C allows them. */
static int
spool_msg_check(const struct spool_msg *m, char **cause)
{
	size_t	i;

	if (m->sender == NULL || m->source == NULL) {
		*cause = xstrdup("a spool message needs a sender and a source");
		return (-1);
	}
	if (m->nrcpts == 0) {
		*cause = xstrdup("a spool message needs a recipient");
		return (-1);
	}
	for (i = 0; i < m->nrcpts; i++) {
		if (m->rcpts[i].addr == NULL || *m->rcpts[i].addr == '\0') {
			*cause = xstrdup("a spool recipient needs an address");
			return (-1);
		}
	}
	return (0);
}

static int
spool_insert_row(struct store *s, const struct spool_msg *m, size_t len,
    int64_t *id, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_prepare(s, &st, "INSERT INTO messages (id, sender, envid, "
	    "ret_hdrs, received, size, message_id, subject, source, "
	    "client_ip, client_helo, suspended, requiretls, tls_optional) "
	    "VALUES ((SELECT last + 1 FROM spool_seq), ?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id", cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, m->sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->envid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, m->ret_hdrs ? 1 : 0);
	sqlite3_bind_int64(st, 4, m->received);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)len);
	sqlite3_bind_text(st, 6, m->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, m->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, m->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, m->client_ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, m->client_helo, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 11, m->suspended ? 1 : 0);
	sqlite3_bind_int(st, 12, m->requiretls ? 1 : 0);
	sqlite3_bind_int(st, 13, m->tls_optional ? 1 : 0);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	return (spool_finish(s, st, rc == SQLITE_ROW, "cannot spool message",
	    cause));
}

static int
spool_insert_body(struct store *s, int64_t id, const void *body,
    size_t len, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_prepare(s, &st, "INSERT INTO message_body (msg_id, body) "
	    "VALUES (?1, ?2)", cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, id);
	/* A NULL pointer would bind SQL NULL, not an empty body. */
	if (len == 0 || body == NULL)
		rc = sqlite3_bind_zeroblob(st, 2, 0);
	else
		rc = sqlite3_bind_blob64(st, 2, body, len, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot spool message body", cause));
}

/* Recipients in order (seq is the index); their ids are filled in. */
static int
spool_insert_rcpts(struct store *s, int64_t msg_id, struct spool_rcpt *r,
    size_t n, char **cause)
{
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc = SQLITE_ROW;

	if (store_prepare(s, &st, "INSERT INTO recipients (msg_id, seq, "
	    "addr, orcpt, notify, state, retry_count, next_attempt, "
	    "last_error, delay_notified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9, ?10) RETURNING id", cause) != 0)
		return (-1);
	for (i = 0; i < n && rc == SQLITE_ROW; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, msg_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, r[i].addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r[i].orcpt, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, r[i].notify);
		spool_bind_state(st, &r[i]);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			r[i].id = sqlite3_column_int64(st, 0);
	}
	return (spool_finish(s, st, rc == SQLITE_ROW,
	    "cannot spool recipient", cause));
}

/* The delivery state is ?6 to ?10 in both INSERT and UPDATE. */
static void
spool_bind_state(sqlite3_stmt *st, const struct spool_rcpt *r)
{
	sqlite3_bind_int(st, 6, (int)r->state);
	sqlite3_bind_int(st, 7, r->retry_count);
	sqlite3_bind_int64(st, 8, r->next_attempt);
	sqlite3_bind_text(st, 9, r->last_error, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, r->delay_notified ? 1 : 0);
}

/*
 * Two queries in one snapshot, both ordered by message id: the messages,
 * then the recipients of those messages, merged in one pass.
 */
int
spool_msg_load(struct spool *sp, struct spool_msg ***out, size_t *n,
    char **cause)
{
	enum store_txn	how;
	int		rc;

	*out = NULL;
	*n = 0;
	if (spool_scope_enter(sp, 0, &how, cause) != 0)
		return (-1);
	rc = spool_load_msgs(sp->s, out, n, cause);
	if (rc == 0)
		rc = spool_load_rcpts(sp->s, *out, *n, cause);
	if (store_txn_leave(sp->s, how, rc == 0, cause) != 0) {
		spool_msg_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return (-1);
	}
	return (0);
}

static int
spool_load_msgs(struct store *s, struct spool_msg ***out, size_t *n,
    char **cause)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	if (store_prepare(s, &st, "SELECT id, sender, envid, ret_hdrs, "
	    "received, size, message_id, subject, source, client_ip, "
	    "client_helo, suspended, requiretls, tls_optional FROM messages "
	    "WHERE id IN " SPOOL_QUEUED
	    " ORDER BY id", cause) != 0)
		return (-1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		(*out)[(*n)++] = spool_msg_from_row(st);
	}
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot read spool messages", cause));
}

static int
spool_load_rcpts(struct store *s, struct spool_msg **v, size_t n,
    char **cause)
{
	sqlite3_stmt		*st;
	struct spool_msg	*m;
	size_t			 i = 0;
	int64_t			 msg_id;
	int			 rc;

	if (store_prepare(s, &st, "SELECT msg_id, id, addr, orcpt, notify, "
	    "state, retry_count, next_attempt, last_error, delay_notified "
	    "FROM recipients WHERE msg_id IN " SPOOL_QUEUED
	    " ORDER BY msg_id, seq", cause) != 0)
		return (-1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		msg_id = sqlite3_column_int64(st, 0);
		while (i < n && v[i]->id < msg_id)
			i++;
		if (i == n || v[i]->id != msg_id)
			continue;	/* not in one snapshot: cannot happen */
		m = v[i];
		m->rcpts = xreallocarray(m->rcpts, m->nrcpts + 1,
		    sizeof *m->rcpts);
		spool_rcpt_from_row(st, &m->rcpts[m->nrcpts++]);
	}
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot read spool recipients", cause));
}

static struct spool_msg *
spool_msg_from_row(sqlite3_stmt *st)
{
	struct spool_msg	*m;

	m = xcalloc(1, sizeof *m);
	m->id = sqlite3_column_int64(st, 0);
	m->sender = spool_strdup(sqlite3_column_text(st, 1));
	m->envid = spool_strdup(sqlite3_column_text(st, 2));
	m->ret_hdrs = sqlite3_column_int(st, 3) != 0;
	m->received = sqlite3_column_int64(st, 4);
	m->size = sqlite3_column_int64(st, 5);
	m->message_id = spool_strdup(sqlite3_column_text(st, 6));
	m->subject = spool_strdup(sqlite3_column_text(st, 7));
	m->source = spool_strdup(sqlite3_column_text(st, 8));
	m->client_ip = spool_strdup(sqlite3_column_text(st, 9));
	m->client_helo = spool_strdup(sqlite3_column_text(st, 10));
	m->suspended = sqlite3_column_int(st, 11) != 0;
	m->requiretls = sqlite3_column_int(st, 12) != 0;
	m->tls_optional = sqlite3_column_int(st, 13) != 0;
	return (m);
}

static void
spool_rcpt_from_row(sqlite3_stmt *st, struct spool_rcpt *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 1);
	r->addr = spool_strdup(sqlite3_column_text(st, 2));
	r->orcpt = spool_strdup(sqlite3_column_text(st, 3));
	r->notify = sqlite3_column_int(st, 4);
	r->state = (enum spool_rcpt_state)sqlite3_column_int(st, 5);
	r->retry_count = sqlite3_column_int(st, 6);
	r->next_attempt = sqlite3_column_int64(st, 7);
	r->last_error = spool_strdup(sqlite3_column_text(st, 8));
	r->delay_notified = sqlite3_column_int(st, 9) != 0;
}

void
spool_msg_free(struct spool_msg *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nrcpts; i++) {
		free(m->rcpts[i].addr);
		free(m->rcpts[i].orcpt);
		free(m->rcpts[i].last_error);
	}
	free(m->rcpts);
	free(m->sender);
	free(m->envid);
	free(m->message_id);
	free(m->subject);
	free(m->source);
	free(m->client_ip);
	free(m->client_helo);
	free(m);
}

void
spool_msg_list_free(struct spool_msg **v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		spool_msg_free(v[i]);
	free(v);
}

int
spool_body_get(struct spool *sp, int64_t msg_id, char **body, size_t *len,
    char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	const void	*p;
	int		 rc;

	*body = NULL;
	*len = 0;
	if (store_prepare(s, &st, "SELECT body FROM message_body "
	    "WHERE msg_id = ?1", cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, msg_id);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		store_release(s, st);
		return (1);
	}
	if (rc == SQLITE_ROW) {
		p = sqlite3_column_blob(st, 0);
		*len = (size_t)sqlite3_column_bytes(st, 0);
		if (p == NULL && *len > 0)	/* out of memory */
			rc = SQLITE_NOMEM;
		else {
			*body = xmalloc(*len + 1);
			if (*len > 0)
				memcpy(*body, p, *len);
			(*body)[*len] = '\0';
		}
	}
	if (rc != SQLITE_ROW)
		*len = 0;
	return (spool_finish(s, st, rc == SQLITE_ROW,
	    "cannot read message body", cause));
}

int
spool_rcpt_update(struct spool *sp, const struct spool_rcpt *r,
    char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "UPDATE recipients SET state = ?6, "
	    "retry_count = ?7, next_attempt = ?8, last_error = ?9, "
	    "delay_notified = ?10 WHERE id = ?1", cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, r->id);
	spool_bind_state(st, r);
	rc = sqlite3_step(st);
	if (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot update spool recipient", cause) != 0)
		return (-1);
	if (sqlite3_changes(s->db) == 0) {
		xasprintf(cause, "no recipient %lld in the spool",
		    (long long)r->id);
		return (-1);
	}
	return (0);
}

/* One statement: the foreign keys take recipients and body along. */
int
spool_msg_delete(struct spool *sp, int64_t msg_id, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "DELETE FROM messages WHERE id = ?1",
	    cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, msg_id);
	rc = sqlite3_step(st);
	if (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot delete spool message", cause) != 0)
		return (-1);
	if (sqlite3_changes(s->db) == 0) {
		xasprintf(cause, "no message %lld in the spool",
		    (long long)msg_id);
		return (-1);
	}
	return (0);
}

int
spool_msg_suspend(struct spool *sp, int64_t msg_id, bool suspended,
    char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "UPDATE messages SET suspended = ?2 "
	    "WHERE id = ?1", cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, msg_id);
	sqlite3_bind_int(st, 2, suspended ? 1 : 0);
	rc = sqlite3_step(st);
	if (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot suspend or resume spool message", cause) != 0)
		return (-1);
	if (sqlite3_changes(s->db) == 0) {
		xasprintf(cause, "no message %lld in the spool",
		    (long long)msg_id);
		return (-1);
	}
	return (0);
}

int
spool_alarm_set(struct spool *sp, const struct spool_alarm *a, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "INSERT OR REPLACE INTO alarms (queue, "
	    "connector, next_hop, started) VALUES (?1, ?2, ?3, ?4)",
	    cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, a->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->connector, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->next_hop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, a->started);
	rc = sqlite3_step(st);
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot record a queue alarm", cause));
}

int
spool_alarm_clear(struct spool *sp, const char *key, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "DELETE FROM alarms WHERE queue = ?1",
	    cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot clear a queue alarm", cause));
}

int
spool_alarm_load(struct spool *sp, struct spool_alarm **out, size_t *n,
    char **cause)
{
	struct store		*s = sp->s;
	struct spool_alarm	*v = NULL, *a;
	sqlite3_stmt		*st;
	size_t			 cap = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "SELECT queue, connector, next_hop, "
	    "started FROM alarms ORDER BY started, queue", cause) != 0)
		return (-1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		a = &v[(*n)++];
		a->key = spool_strdup(sqlite3_column_text(st, 0));
		a->connector = spool_strdup(sqlite3_column_text(st, 1));
		a->next_hop = spool_strdup(sqlite3_column_text(st, 2));
		a->started = sqlite3_column_int64(st, 3);
	}
	if (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot read the queue alarms", cause) != 0) {
		spool_alarm_list_free(v, *n);
		*n = 0;
		return (-1);
	}
	*out = v;
	return (0);
}

void
spool_alarm_list_free(struct spool_alarm *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].connector);
		free(v[i].next_hop);
	}
	free(v);
}

/* The columns of cert_watch, in table order, as struct spool_cert's. */
#define CERT_COLUMNS "connector_guid, domain, host, address, connector, " \
	"checked, connected, starttls, tls, subject, issuer, names, " \
	"not_before, not_after, thumbprint, sha256, key_sha256, levels, " \
	"result, error, findings"

static void
spool_cert_from_row(sqlite3_stmt *st, struct spool_cert *c)
{
	c->connector_guid = spool_strdup(sqlite3_column_text(st, 0));
	c->domain = spool_strdup(sqlite3_column_text(st, 1));
	c->host = spool_strdup(sqlite3_column_text(st, 2));
	c->address = spool_strdup(sqlite3_column_text(st, 3));
	c->connector = spool_strdup(sqlite3_column_text(st, 4));
	c->checked = sqlite3_column_int64(st, 5);
	c->connected = sqlite3_column_int(st, 6) != 0;
	c->starttls = sqlite3_column_int(st, 7) != 0;
	c->tls = sqlite3_column_int(st, 8) != 0;
	c->subject = spool_strdup(sqlite3_column_text(st, 9));
	c->issuer = spool_strdup(sqlite3_column_text(st, 10));
	c->names = spool_strdup(sqlite3_column_text(st, 11));
	c->not_before = sqlite3_column_int64(st, 12);
	c->not_after = sqlite3_column_int64(st, 13);
	c->thumbprint = spool_strdup(sqlite3_column_text(st, 14));
	c->sha256 = spool_strdup(sqlite3_column_text(st, 15));
	c->key_sha256 = spool_strdup(sqlite3_column_text(st, 16));
	c->levels = spool_strdup(sqlite3_column_text(st, 17));
	c->result = spool_strdup(sqlite3_column_text(st, 18));
	c->error = spool_strdup(sqlite3_column_text(st, 19));
	c->findings = (unsigned)sqlite3_column_int(st, 20);
}

int
spool_cert_get(struct spool *sp, const char *guid, const char *domain,
    const char *host, const char *address, struct spool_cert *c,
    char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	memset(c, 0, sizeof *c);
	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "SELECT " CERT_COLUMNS " FROM cert_watch "
	    "WHERE connector_guid = ?1 AND domain = ?2 AND host = ?3 AND "
	    "address = ?4", cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, address, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		spool_cert_from_row(st, c);
	if (spool_finish(s, st, rc == SQLITE_ROW || rc == SQLITE_DONE,
	    "cannot read the certificate watch", cause) != 0)
		return (-1);
	return (rc == SQLITE_ROW ? 1 : 0);
}

int
spool_cert_put(struct spool *sp, const struct spool_cert *c, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "INSERT OR REPLACE INTO cert_watch ("
	    CERT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
	    cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, c->connector_guid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->address, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->connector, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, c->checked);
	sqlite3_bind_int(st, 7, c->connected);
	sqlite3_bind_int(st, 8, c->starttls);
	sqlite3_bind_int(st, 9, c->tls);
	sqlite3_bind_text(st, 10, c->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, c->issuer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, c->names, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, c->not_before);
	sqlite3_bind_int64(st, 14, c->not_after);
	sqlite3_bind_text(st, 15, c->thumbprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, c->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 17, c->key_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 18, c->levels, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 19, c->result, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 20, c->error, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 21, (int)c->findings);
	rc = sqlite3_step(st);
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot record the certificate watch", cause));
}

int
spool_cert_list(struct spool *sp, const char *connector,
    int (*fn)(const struct spool_cert *, void *), void *arg, char **cause)
{
	struct store		*s = sp->s;
	struct spool_cert	 c;
	sqlite3_stmt		*st;
	int			 rc, stop = 0;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "SELECT " CERT_COLUMNS " FROM cert_watch "
	    "WHERE ?1 IS NULL OR connector = ?1 COLLATE NOCASE "
	    "ORDER BY connector COLLATE NOCASE, domain, host, address",
	    cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, connector, -1, SQLITE_STATIC);
	while (stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		spool_cert_from_row(st, &c);
		stop = fn(&c, arg);
		spool_cert_clear(&c);
	}
	return (spool_finish(s, st, stop != 0 || rc == SQLITE_DONE,
	    "cannot read the certificate watch", cause));
}

/* Forget the hops not checked since before: gone from the watch. */
int
spool_cert_prune(struct spool *sp, int64_t before, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "DELETE FROM cert_watch WHERE checked < ?1",
	    cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, before);
	rc = sqlite3_step(st);
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot prune the certificate watch", cause));
}

void
spool_cert_clear(struct spool_cert *c)
{
	free(c->connector_guid);
	free(c->domain);
	free(c->host);
	free(c->address);
	free(c->connector);
	free(c->subject);
	free(c->issuer);
	free(c->names);
	free(c->thumbprint);
	free(c->sha256);
	free(c->key_sha256);
	free(c->levels);
	free(c->result);
	free(c->error);
	memset(c, 0, sizeof *c);
}

/* The columns of sts_policies, in table order, as struct spool_sts's. */
#define STS_COLUMNS "domain, policy_id, mode, mx, max_age, fetched, " \
	"expires, failure, failed"

static void
spool_sts_from_row(sqlite3_stmt *st, struct spool_sts *p)
{
	const char	*mx, *sp;
	size_t		 n;

	memset(p, 0, sizeof *p);
	p->domain = spool_strdup(sqlite3_column_text(st, 0));
	p->id = spool_strdup(sqlite3_column_text(st, 1));
	p->mode = spool_strdup(sqlite3_column_text(st, 2));
	/* The patterns, one space between (spool_sts_put). */
	mx = (const char *)sqlite3_column_text(st, 3);
	while (mx != NULL && *mx != '\0') {
		n = (sp = strchr(mx, ' ')) != NULL ? (size_t)(sp - mx) :
		    strlen(mx);
		p->mx = xreallocarray(p->mx, p->nmx + 1, sizeof *p->mx);
		p->mx[p->nmx++] = xstrndup(mx, n);
		mx += n + (sp != NULL);
	}
	p->max_age = sqlite3_column_int64(st, 4);
	p->fetched = sqlite3_column_int64(st, 5);
	p->expires = sqlite3_column_int64(st, 6);
	p->failure = spool_strdup(sqlite3_column_text(st, 7));
	p->failed = sqlite3_column_int64(st, 8);
}

int
spool_sts_get(struct spool *sp, const char *domain, struct spool_sts *p,
    char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	memset(p, 0, sizeof *p);
	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "SELECT " STS_COLUMNS " FROM sts_policies "
	    "WHERE domain = ?1", cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		spool_sts_from_row(st, p);
	if (spool_finish(s, st, rc == SQLITE_ROW || rc == SQLITE_DONE,
	    "cannot read the MTA-STS policies", cause) != 0)
		return (-1);
	return (rc == SQLITE_ROW ? 1 : 0);
}

/*
 * A policy fetched: it replaces the domain's row whole, so a failure
 * recorded before it is gone too.  The patterns go into one column with
 * a space between, so none may be empty or hold white space.
 */
int
spool_sts_put(struct spool *sp, const struct spool_sts *p, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	struct buf	 mx;
	size_t		 i;
	int		 rc;

	buf_init(&mx);
	buf_adds(&mx, "");
	for (i = 0; i < p->nmx; i++) {
		if (*p->mx[i] == '\0' || strpbrk(p->mx[i], " \t\r\n") !=
		    NULL) {
			xasprintf(cause, "cannot record the MTA-STS policy of "
			    "%s: an mx pattern is empty or holds white space",
			    p->domain);
			buf_free(&mx);
			return (-1);
		}
		buf_addf(&mx, "%s%s", i > 0 ? " " : "", p->mx[i]);
	}
	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "INSERT OR REPLACE INTO sts_policies ("
	    STS_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6 + ?5, NULL, "
	    "NULL)", cause) != 0) {
		buf_free(&mx);
		return (-1);
	}
	sqlite3_bind_text(st, 1, p->domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, mx.s, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, p->max_age);
	sqlite3_bind_int64(st, 6, p->fetched);
	rc = sqlite3_step(st);
	rc = spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot record an MTA-STS policy", cause);
	buf_free(&mx);
	return (rc);
}

/*
 * A refresh of domain failed at when: recorded beside the policy, which
 * stays as it was (RFC 8461 5.1: an unexpired policy stays in force);
 * for a domain with none, a row with the failure alone.
 */
int
spool_sts_fail(struct spool *sp, const char *domain, const char *failure,
    int64_t when, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "INSERT INTO sts_policies (domain, failure, "
	    "failed) VALUES (?1, ?2, ?3) ON CONFLICT (domain) DO UPDATE SET "
	    "failure = excluded.failure, failed = excluded.failed",
	    cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, failure, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, when);
	rc = sqlite3_step(st);
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot record an MTA-STS failure", cause));
}

int
spool_sts_list(struct spool *sp, int (*fn)(const struct spool_sts *, void *),
    void *arg, char **cause)
{
	struct store		*s = sp->s;
	struct spool_sts	 p;
	sqlite3_stmt		*st;
	int			 rc, stop = 0;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "SELECT " STS_COLUMNS " FROM sts_policies "
	    "ORDER BY domain", cause) != 0)
		return (-1);
	while (stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		spool_sts_from_row(st, &p);
		stop = fn(&p, arg);
		spool_sts_clear(&p);
	}
	return (spool_finish(s, st, stop != 0 || rc == SQLITE_DONE,
	    "cannot read the MTA-STS policies", cause));
}

/*
 * The domains whose policy expires before before, and whose last
 * refresh did not fail since failed_before: soonest first, at most max
 * (0: all).  Free with strv_free.
 */
int
spool_sts_due(struct spool *sp, int64_t before, int64_t failed_before,
    size_t max, char ***out, size_t *n, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	char		**v = NULL;
	size_t		 cap = 0;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "SELECT domain FROM sts_policies WHERE "
	    "expires < ?1 AND (failed IS NULL OR failed < ?2) "
	    "ORDER BY expires, domain LIMIT ?3", cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, failed_before);
	sqlite3_bind_int64(st, 3, max > 0 && max < INT64_MAX ?
	    (int64_t)max : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[(*n)++] = spool_strdup(sqlite3_column_text(st, 0));
	}
	if (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot read the MTA-STS policies", cause) != 0) {
		strv_free(v, *n);
		*n = 0;
		return (-1);
	}
	*out = v;
	return (0);
}

/* Forget domain's policy and failure: 0, or 1 when there was none. */
int
spool_sts_delete(struct spool *sp, const char *domain, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "DELETE FROM sts_policies WHERE domain = ?1",
	    cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot forget an MTA-STS policy", cause) != 0)
		return (-1);
	return (sqlite3_changes(s->db) == 0 ? 1 : 0);
}

/*
 * Forget the policies that expired before before, and the failures of
 * domains without a policy recorded before it.
 */
int
spool_sts_prune(struct spool *sp, int64_t before, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "DELETE FROM sts_policies WHERE expires < ?1 "
	    "OR (policy_id IS NULL AND failed < ?1)", cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, before);
	rc = sqlite3_step(st);
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot prune the MTA-STS policies", cause));
}

void
spool_sts_clear(struct spool_sts *p)
{
	size_t	i;

	free(p->domain);
	free(p->id);
	free(p->mode);
	for (i = 0; i < p->nmx; i++)
		free(p->mx[i]);
	free(p->mx);
	free(p->failure);
	memset(p, 0, sizeof *p);
}
/*
 * TLS-RPT.  Counts come as increments (transport/tlsrpt.c flushes what
 * it gathered since the last flush); a day already reported takes none.
 */
#define TLSRPT_UNREPORTED "NOT EXISTS (SELECT 1 FROM tlsrpt_sent " \
	"WHERE domain = ?1 AND begin = ?2)"

int
spool_tlsrpt_add(struct spool *sp, const struct spool_tlsrpt_policy *p,
    char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "INSERT INTO tlsrpt_policies (domain, "
	    "begin, end, type, policy, mx, success, failure) SELECT ?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8 WHERE " TLSRPT_UNREPORTED " ON CONFLICT "
	    "(domain, begin, type, policy) DO UPDATE SET success = success + "
	    "excluded.success, failure = failure + excluded.failure",
	    cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, p->domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, p->begin);
	sqlite3_bind_int64(st, 3, p->end);
	sqlite3_bind_text(st, 4, p->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->policy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, p->mx, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, p->success);
	sqlite3_bind_int64(st, 8, p->failure);
	rc = sqlite3_step(st);
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot record TLS-RPT counts", cause));
}

int
spool_tlsrpt_fail_add(struct spool *sp, const struct spool_tlsrpt_failure *f,
    char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "INSERT INTO tlsrpt_failures (domain, "
	    "begin, type, policy, result, sending_ip, mx_host, receiving_ip, "
	    "count) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE "
	    TLSRPT_UNREPORTED " ON CONFLICT (domain, begin, type, policy, "
	    "result, sending_ip, mx_host, receiving_ip) DO UPDATE SET count = "
	    "count + excluded.count", cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, f->domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, f->begin);
	sqlite3_bind_text(st, 3, f->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->policy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->result, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, f->sending_ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f->mx_host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, f->receiving_ip, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, f->count);
	rc = sqlite3_step(st);
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot record TLS-RPT failures", cause));
}

/* The periods that ended by before, with their domains: keys only. */
int
spool_tlsrpt_due(struct spool *sp, int64_t before,
    struct spool_tlsrpt_day **out, size_t *n, char **cause)
{
	struct store		*s = sp->s;
	struct spool_tlsrpt_day	*v = NULL, *d;
	sqlite3_stmt		*st;
	size_t			 cap = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "SELECT domain, begin, max(end) FROM "
	    "tlsrpt_policies WHERE end <= ?1 GROUP BY domain, begin "
	    "ORDER BY begin, domain", cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		d = &v[(*n)++];
		memset(d, 0, sizeof *d);
		d->domain = spool_strdup(sqlite3_column_text(st, 0));
		d->begin = sqlite3_column_int64(st, 1);
		d->end = sqlite3_column_int64(st, 2);
	}
	if (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot read the TLS-RPT counts", cause) != 0) {
		spool_tlsrpt_days_free(v, *n);
		*n = 0;
		return (-1);
	}
	*out = v;
	return (0);
}

/* Fill d (domain and begin set) with its policies and failures. */
int
spool_tlsrpt_load(struct spool *sp, struct spool_tlsrpt_day *d, char **cause)
{
	if (spool_live(sp, cause) != 0 ||
	    spool_tlsrpt_policies(sp->s, d->domain, d->begin, d, cause) != 0 ||
	    spool_tlsrpt_failures(sp->s, d->domain, d->begin, d, cause) != 0)
		return (-1);
	return (0);
}

static int
spool_tlsrpt_policies(struct store *s, const char *domain, int64_t begin,
    struct spool_tlsrpt_day *d, char **cause)
{
	struct spool_tlsrpt_policy	*p;
	sqlite3_stmt			*st;
	int				 rc;

	if (store_prepare(s, &st, "SELECT end, type, policy, mx, success, "
	    "failure FROM tlsrpt_policies WHERE domain = ?1 AND begin = ?2 "
	    "ORDER BY type, policy", cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, begin);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d->pol = xreallocarray(d->pol, d->npol + 1, sizeof *d->pol);
		p = &d->pol[d->npol++];
		memset(p, 0, sizeof *p);
		p->domain = xstrdup(domain);
		p->begin = begin;
		p->end = sqlite3_column_int64(st, 0);
		p->type = spool_strdup(sqlite3_column_text(st, 1));
		p->policy = spool_strdup(sqlite3_column_text(st, 2));
		p->mx = spool_strdup(sqlite3_column_text(st, 3));
		p->success = sqlite3_column_int64(st, 4);
		p->failure = sqlite3_column_int64(st, 5);
	}
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot read the TLS-RPT counts", cause));
}

static int
spool_tlsrpt_failures(struct store *s, const char *domain, int64_t begin,
    struct spool_tlsrpt_day *d, char **cause)
{
	struct spool_tlsrpt_failure	*f;
	sqlite3_stmt			*st;
	int				 rc;

	if (store_prepare(s, &st, "SELECT type, policy, result, sending_ip, "
	    "mx_host, receiving_ip, count FROM tlsrpt_failures WHERE domain = "
	    "?1 AND begin = ?2 ORDER BY type, policy, result, mx_host, "
	    "receiving_ip, sending_ip", cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, begin);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d->fail = xreallocarray(d->fail, d->nfail + 1,
		    sizeof *d->fail);
		f = &d->fail[d->nfail++];
		memset(f, 0, sizeof *f);
		f->domain = xstrdup(domain);
		f->begin = begin;
		f->type = spool_strdup(sqlite3_column_text(st, 0));
		f->policy = spool_strdup(sqlite3_column_text(st, 1));
		f->result = spool_strdup(sqlite3_column_text(st, 2));
		f->sending_ip = spool_strdup(sqlite3_column_text(st, 3));
		f->mx_host = spool_strdup(sqlite3_column_text(st, 4));
		f->receiving_ip = spool_strdup(sqlite3_column_text(st, 5));
		f->count = sqlite3_column_int64(st, 6);
	}
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot read the TLS-RPT failures", cause));
}

/*
 * The report report_id on d is made: its counts go, and each rua gets a
 * row, outcome "pending" until spool_tlsrpt_outcome.  Without a rua (the
 * domain publishes no record) the counts go and nothing is kept.
 */
int
spool_tlsrpt_reported(struct spool *sp, const struct spool_tlsrpt_day *d,
    const char *report_id, const char *const *ruas, size_t n, int64_t at,
    char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    spool_tlsrpt_forget(s, d->domain, d->begin, cause) != 0)
		return (-1);
	for (i = 0; i < n; i++) {
		if (store_prepare(s, &st, "INSERT INTO tlsrpt_sent (report_id, "
		    "domain, begin, end, rua, outcome, at) VALUES (?1, ?2, ?3, "
		    "?4, ?5, 'pending', ?6)", cause) != 0)
			return (-1);
		sqlite3_bind_text(st, 1, report_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, d->domain, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, d->begin);
		sqlite3_bind_int64(st, 4, d->end);
		sqlite3_bind_text(st, 5, ruas[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, at);
		rc = sqlite3_step(st);
		if (spool_finish(s, st, rc == SQLITE_DONE,
		    "cannot record a TLS report", cause) != 0)
			return (-1);
	}
	return (0);
}

static int
spool_tlsrpt_forget(struct store *s, const char *domain, int64_t begin,
    char **cause)
{
	static const char *const sql[] = {
		"DELETE FROM tlsrpt_policies WHERE domain = ?1 AND begin = ?2",
		"DELETE FROM tlsrpt_failures WHERE domain = ?1 AND begin = ?2"
	};
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		if (store_prepare(s, &st, sql[i], cause) != 0)
			return (-1);
		sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, begin);
		rc = sqlite3_step(st);
		if (spool_finish(s, st, rc == SQLITE_DONE,
		    "cannot forget TLS-RPT counts", cause) != 0)
			return (-1);
	}
	return (0);
}

/* How the report went to one rua ("delivered", "queued", "failed: ..."). */
int
spool_tlsrpt_outcome(struct spool *sp, const char *report_id,
    const char *rua, const char *outcome, int64_t at, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "UPDATE tlsrpt_sent SET outcome = ?3, at = "
	    "?4 WHERE report_id = ?1 AND rua = ?2", cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, report_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rua, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	rc = sqlite3_step(st);
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot record a TLS report's outcome", cause));
}

/* Forget the reports made before before (Unix s). */
int
spool_tlsrpt_prune(struct spool *sp, int64_t before, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "DELETE FROM tlsrpt_sent WHERE end < ?1",
	    cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, before);
	rc = sqlite3_step(st);
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot prune the TLS reports", cause));
}

void
spool_tlsrpt_day_clear(struct spool_tlsrpt_day *d)
{
	size_t	i;

	for (i = 0; i < d->npol; i++) {
		free(d->pol[i].domain);
		free(d->pol[i].type);
		free(d->pol[i].policy);
		free(d->pol[i].mx);
	}
	for (i = 0; i < d->nfail; i++) {
		free(d->fail[i].domain);
		free(d->fail[i].type);
		free(d->fail[i].policy);
		free(d->fail[i].result);
		free(d->fail[i].sending_ip);
		free(d->fail[i].mx_host);
		free(d->fail[i].receiving_ip);
	}
	free(d->pol);
	free(d->fail);
	free(d->domain);
	memset(d, 0, sizeof *d);
}

void
spool_tlsrpt_days_free(struct spool_tlsrpt_day *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		spool_tlsrpt_day_clear(&v[i]);
	free(v);
}


int
spool_track_add(struct spool *sp, const struct track_event *ev,
    char **cause)
{
	enum store_txn	how;
	int64_t		id = 0;
	int		rc;

	if (ev->event_id == NULL || ev->source == NULL) {
		*cause = xstrdup("a tracking event needs an EventId and a "
		    "Source");
		return (-1);
	}
	if (spool_scope_enter(sp, 1, &how, cause) != 0)
		return (-1);
	rc = spool_track_row(sp->s, ev, &id, cause);
	if (rc == 0)
		rc = spool_track_rcpts(sp->s, id, ev, cause);
	return (store_txn_leave(sp->s, how, rc == 0, cause));
}

static int
spool_track_row(struct store *s, const struct track_event *ev, int64_t *id,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_prepare(s, &st, "INSERT INTO track (timestamp_ms, "
	    "event_id, source, source_context, internal_message_id, "
	    "message_id, sender, message_subject, connector_id, "
	    "server_hostname, server_ip, client_hostname, client_ip, "
	    "total_bytes, reference, tls_protocol, tls_cipher, tls_verify) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15, ?16, ?17, ?18) RETURNING id", cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, ev->timestamp_ms);
	sqlite3_bind_text(st, 2, ev->event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ev->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ev->source_context, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ev->internal_message_id);
	sqlite3_bind_text(st, 6, ev->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, ev->sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, ev->message_subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, ev->connector_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, ev->server_hostname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, ev->server_ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, ev->client_hostname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, ev->client_ip, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, ev->total_bytes);
	sqlite3_bind_text(st, 15, ev->reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, ev->tls_protocol, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 17, ev->tls_cipher, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 18, ev->tls_verify, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	return (spool_finish(s, st, rc == SQLITE_ROW,
	    "cannot add tracking event", cause));
}

static int
spool_track_rcpts(struct store *s, int64_t track_id,
    const struct track_event *ev, char **cause)
{
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc = SQLITE_DONE;

	if (ev->nrcpts == 0)
		return (0);
	if (store_prepare(s, &st, "INSERT INTO track_rcpt (track_id, seq, "
	    "addr, status) VALUES (?1, ?2, ?3, ?4)", cause) != 0)
		return (-1);
	for (i = 0; i < ev->nrcpts && rc == SQLITE_DONE; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, track_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, ev->rcpts[i].addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, ev->rcpts[i].status, -1,
		    SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	return (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot add tracking recipient", cause));
}

void
track_query_init(struct track_query *q)
{
	memset(q, 0, sizeof *q);
	q->start_ms = INT64_MIN;
	q->end_ms = INT64_MAX;
	q->internal_message_id = -1;
	q->limit = 0;
}

/*
 * Get-MessageTrackingLog: the SQL text for q's filters (from the cache of
 * prepared statements after its first use), its values bound, run in one
 * read transaction; the events are handed to fn in order.
 */
int
spool_track_query(struct spool *sp, const struct track_query *q,
    track_fn fn, void *arg, char **cause)
{
	struct tq_binds	 b;
	enum store_txn	 how;
	sqlite3_stmt	*st;
	char		*sql;
	unsigned	 mask;
	int		 rc;

	sql = spool_track_sql(q, &mask);
	if (spool_scope_enter(sp, 0, &how, cause) != 0) {
		free(sql);
		return (-1);
	}
	memset(&b, 0, sizeof b);
	if ((rc = store_prepare(sp->s, &st, sql, cause)) == 0) {
		tq_bind(st, q, mask, &b);
		rc = tq_run(sp->s, st, fn, arg, cause);
		store_release(sp->s, st);
	}
	free(sql);
	free(b.json);
	free(b.msgid[0]);
	free(b.msgid[1]);
	free(b.ref[0]);
	free(b.ref[1]);
	return (store_txn_leave(sp->s, how, rc == 0, cause));
}

/* Which filters q sets. */
static unsigned
tq_mask(const struct track_query *q)
{
	unsigned	mask = 0;
	size_t		i;

	if (q->start_ms != INT64_MIN)
		mask |= TQ_START;
	if (q->end_ms != INT64_MAX)
		mask |= TQ_END;
	if (q->sender != NULL)
		mask |= TQ_SENDER;
	for (i = 0; i < q->nrecipients; i++) {
		if (q->recipients[i] != NULL)
			mask |= TQ_RCPTS;
	}
	if (q->event_id != NULL)
		mask |= TQ_EVENT;
	if (q->message_id != NULL)
		mask |= TQ_MSGID;
	if (q->internal_message_id >= 0)
		mask |= TQ_INTERNAL;
	if (q->subject != NULL && *q->subject != '\0')
		mask |= TQ_SUBJECT;
	if (q->connector_id != NULL)
		mask |= TQ_CONNECTOR;
	if (q->reference != NULL)
		mask |= TQ_REFERENCE;
	return (mask);
}

/*
 * The SQL text of q (caller frees) and, in *maskp, its filters.  Only the
 * filters' fixed texts go in; the values are parameters.
 */
char *
spool_track_sql(const struct track_query *q, unsigned *maskp)
{
	struct buf	b;
	unsigned	mask;
	size_t		i;
	int		first = 1;

	mask = tq_mask(q);
	buf_init(&b);
	buf_adds(&b, TQ_SELECT);
	for (i = 0; i < TQ_NFILTERS; i++) {
		if ((mask & tq_filters[i].flag) == 0)
			continue;
		buf_adds(&b, first ? " WHERE " : " AND ");
		buf_adds(&b, tq_filters[i].sql);
		first = 0;
	}
	buf_adds(&b, TQ_ORDER);
	if (maskp != NULL)
		*maskp = mask;
	return (buf_detach(&b));
}

/* Bind q's values; the strings made for it, in b, are the caller's. */
static void
tq_bind(sqlite3_stmt *st, const struct track_query *q, unsigned mask,
    struct tq_binds *b)
{
	if (mask & TQ_START)
		sqlite3_bind_int64(st, 1, q->start_ms);
	if (mask & TQ_END)
		sqlite3_bind_int64(st, 2, q->end_ms);
	if (mask & TQ_SENDER)
		sqlite3_bind_text(st, 3, q->sender, -1, SQLITE_STATIC);
	if (mask & TQ_RCPTS) {
		b->json = tq_json_list(q->recipients, q->nrecipients);
		sqlite3_bind_text(st, 4, b->json, -1, SQLITE_STATIC);
	}
	if (mask & TQ_EVENT)
		sqlite3_bind_text(st, 5, q->event_id, -1, SQLITE_STATIC);
	if (mask & TQ_MSGID) {
		tq_msgid_forms(q->message_id, b->msgid);
		sqlite3_bind_text(st, 6, b->msgid[0], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, b->msgid[1], -1, SQLITE_STATIC);
	}
	if (mask & TQ_INTERNAL)
		sqlite3_bind_int64(st, 8, q->internal_message_id);
	if (mask & TQ_SUBJECT)
		sqlite3_bind_text(st, 9, q->subject, -1, SQLITE_STATIC);
	if (mask & TQ_CONNECTOR)
		sqlite3_bind_text(st, 10, q->connector_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, q->limit > 0 ? q->limit : -1);
	if (mask & TQ_REFERENCE) {
		tq_msgid_forms(q->reference, b->ref);
		sqlite3_bind_text(st, 12, b->ref[0], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 13, b->ref[1], -1, SQLITE_STATIC);
	}
}

/*
 * A JSON array of the strings (NULLs left out), for json_each(): one
 * parameter whatever the number of addresses.  Bytes from 0x80 up pass
 * as they are.
 */
static char *
tq_json_list(const char **v, size_t n)
{
	struct buf		 b;
	const unsigned char	*p;
	size_t			 i;
	int			 first = 1;

	buf_init(&b);
	buf_addc(&b, '[');
	for (i = 0; i < n; i++) {
		if (v[i] == NULL)
			continue;
		buf_adds(&b, first ? "\"" : ",\"");
		for (p = (const unsigned char *)v[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\') {
				buf_addc(&b, '\\');
				buf_addc(&b, (char)*p);
			} else if (*p < 0x20)
				buf_addf(&b, "\\u%04x", *p);
			else
				buf_addc(&b, (char)*p);
		}
		buf_addc(&b, '"');
		first = 0;
	}
	buf_addc(&b, ']');
	return (buf_detach(&b));
}

/* A Message-ID without its surrounding <> (forms[0]) and with them. */
static void
tq_msgid_forms(const char *id, char **forms)
{
	size_t	len = strlen(id);

	if (len >= 2 && id[0] == '<' && id[len - 1] == '>')
		forms[0] = xstrndup(id + 1, len - 2);
	else
		forms[0] = xstrdup(id);
	forms[1] = xprintf("<%s>", forms[0]);
}

/* Step st, hand each event with its recipients to fn. */
static int
tq_run(struct store *s, sqlite3_stmt *st, track_fn fn, void *arg,
    char **cause)
{
	struct track_event	 ev;
	struct tq_rcpts		 r;
	sqlite3_stmt		*rst;
	int			 rc, stop = 0;

	if (store_prepare(s, &rst, "SELECT addr, status FROM track_rcpt "
	    "WHERE track_id = ?1 ORDER BY seq", cause) != 0)
		return (-1);
	memset(&r, 0, sizeof r);
	buf_init(&r.strs);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (tq_load_rcpts(s, rst, sqlite3_column_int64(st, 0), &r,
		    cause) != 0)
			break;
		tq_event_from_row(st, &ev);
		ev.rcpts = r.v;
		ev.nrcpts = r.n;
		stop = fn(&ev, arg) != 0;
	}
	store_release(s, rst);
	free(r.v);
	free(r.off);
	buf_free(&r.strs);
	if (stop)
		return (0);
	if (rc == SQLITE_ROW)		/* tq_load_rcpts failed */
		return (-1);
	if (rc != SQLITE_DONE)
		return (store_fail(s, cause, "cannot read the tracking log"));
	return (0);
}

/* The recipients of event id, in order, into r (reused). */
static int
tq_load_rcpts(struct store *s, sqlite3_stmt *rst, int64_t id,
    struct tq_rcpts *r, char **cause)
{
	const unsigned char	*text;
	size_t			 i, k;
	int			 rc, col;

	r->n = 0;
	buf_reset(&r->strs);
	sqlite3_reset(rst);
	sqlite3_bind_int64(rst, 1, id);
	while ((rc = sqlite3_step(rst)) == SQLITE_ROW) {
		if (r->n == r->cap) {
			r->cap = r->cap == 0 ? 4 : r->cap * 2;
			r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
			r->off = xreallocarray(r->off, r->cap,
			    2 * sizeof *r->off);
		}
		for (col = 0; col < 2; col++) {
			k = 2 * r->n + (size_t)col;
			if ((text = sqlite3_column_text(rst, col)) == NULL) {
				r->off[k] = SIZE_MAX;
				continue;
			}
			r->off[k] = r->strs.len;
			buf_add(&r->strs, text,
			    (size_t)sqlite3_column_bytes(rst, col) + 1);
		}
		r->n++;
	}
	if (rc != SQLITE_DONE)
		return (store_fail(s, cause, "cannot read tracking "
		    "recipients"));
	/* Pointers only now: the buffer may have moved while it grew. */
	for (i = 0; i < r->n; i++) {
		r->v[i].addr = r->strs.s + r->off[2 * i];
		r->v[i].status = r->off[2 * i + 1] == SIZE_MAX ? NULL :
		    r->strs.s + r->off[2 * i + 1];
	}
	return (0);
}

/* The event's strings point into st's row: valid until the next step. */
static void
tq_event_from_row(sqlite3_stmt *st, struct track_event *ev)
{
#define TQ_TEXT(i)	((const char *)sqlite3_column_text(st, (i)))
	memset(ev, 0, sizeof *ev);
	ev->timestamp_ms = sqlite3_column_int64(st, 1);
	ev->event_id = TQ_TEXT(2);
	ev->source = TQ_TEXT(3);
	ev->source_context = TQ_TEXT(4);
	ev->internal_message_id = sqlite3_column_int64(st, 5);
	ev->message_id = TQ_TEXT(6);
	ev->sender = TQ_TEXT(7);
	ev->message_subject = TQ_TEXT(8);
	ev->connector_id = TQ_TEXT(9);
	ev->server_hostname = TQ_TEXT(10);
	ev->server_ip = TQ_TEXT(11);
	ev->client_hostname = TQ_TEXT(12);
	ev->client_ip = TQ_TEXT(13);
	ev->total_bytes = sqlite3_column_int64(st, 14);
	ev->reference = TQ_TEXT(15);
	ev->tls_protocol = TQ_TEXT(16);
	ev->tls_cipher = TQ_TEXT(17);
	ev->tls_verify = TQ_TEXT(18);
#undef TQ_TEXT
}

/*
 * One DELETE of the oldest rows, through index track_time; the foreign
 * key (on in every connection, store_open_file()) takes their track_rcpt
 * rows along.  Atomic by itself, inside spool_begin() or not.
 */
int
spool_track_prune(struct spool *sp, int64_t before_ms, int64_t max,
    int64_t *deleted, char **cause)
{
	struct store	*s = sp->s;
	sqlite3_stmt	*st;
	int		 rc;

	*deleted = 0;
	if (spool_live(sp, cause) != 0 ||
	    store_prepare(s, &st, "DELETE FROM track WHERE id IN (SELECT id "
	    "FROM track WHERE timestamp_ms < ?1 ORDER BY timestamp_ms, id "
	    "LIMIT ?2)", cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, before_ms);
	sqlite3_bind_int64(st, 2, max > 0 ? max : -1);
	rc = sqlite3_step(st);
	if (spool_finish(s, st, rc == SQLITE_DONE,
	    "cannot prune the tracking log", cause) != 0)
		return (-1);
	*deleted = (int64_t)sqlite3_changes64(s->db);
	return (0);
}

/* Release st; unless ok, fail with what and SQLite's error first. */
static int
spool_finish(struct store *s, sqlite3_stmt *st, int ok, const char *what,
    char **cause)
{
	int	ret = 0;

	if (!ok)
		ret = store_fail(s, cause, "%s", what);
	store_release(s, st);
	return (ret);
}

static char *
spool_strdup(const unsigned char *s)
{
	return (s == NULL ? NULL : xstrdup((const char *)s));
}

/*
 * A tracking event as the control channel's record (common/ctl.h, "op
 * track"), appended to r: hubd answers Get-MessageTrackingLog with it,
 * and hubsh builds the same record when it reads the spool itself.
 */
void
track_event_rec(const struct track_event *ev, struct ctl_rec *r)
{
	size_t	i;

	ctl_add_int(r, "Timestamp", ev->timestamp_ms);
	ctl_add(r, "ClientIp", ev->client_ip);
	ctl_add(r, "ClientHostname", ev->client_hostname);
	ctl_add(r, "ServerIp", ev->server_ip);
	ctl_add(r, "ServerHostname", ev->server_hostname);
	ctl_add(r, "SourceContext", ev->source_context);
	ctl_add(r, "ConnectorId", ev->connector_id);
	ctl_add(r, "Source", ev->source);
	ctl_add(r, "EventId", ev->event_id);
	ctl_add_int(r, "InternalMessageId", ev->internal_message_id);
	ctl_add(r, "MessageId", ev->message_id);
	for (i = 0; i < ev->nrcpts; i++)
		ctl_add(r, "Recipients", ev->rcpts[i].addr != NULL ?
		    ev->rcpts[i].addr : "");
	for (i = 0; i < ev->nrcpts; i++)
		ctl_add(r, "RecipientStatus", ev->rcpts[i].status != NULL ?
		    ev->rcpts[i].status : "");
	ctl_add_int(r, "TotalBytes", ev->total_bytes);
	ctl_add_int(r, "RecipientCount", (int64_t)ev->nrcpts);
	ctl_add(r, "Reference", ev->reference);
	ctl_add(r, "MessageSubject", ev->message_subject);
	ctl_add(r, "Sender", ev->sender);
	ctl_add(r, "TlsProtocol", ev->tls_protocol);
	ctl_add(r, "TlsCipher", ev->tls_cipher);
	ctl_add(r, "TlsVerify", ev->tls_verify);
}
