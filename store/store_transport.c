/*
 * store_transport.c - this server's transport settings (Get- and
 * Set-TransportService).
 *
 * One row of transport_service per server, one typed column per field of
 * struct transport_settings.  The columns are described once, in
 * TS_FIELDS, from which the SELECT and the upsert are made; every value is
 * bound.  A server without a row has Exchange's defaults.  Writing a row
 * fires the generation triggers, so hubd, which polls the generation,
 * reloads its settings as it does after a connector change.
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"
#include "store_int.h"

/*
 * exchange-semantics 7.4; durations in seconds.  MessageRetryInterval is
 * the 15 minutes of the TransportServer class and of a Mailbox server's
 * Get-TransportService (the current Set-TransportService page says 5);
 * the others are the page's and a Mailbox server's.
 */
#define TS_DEFAULT_RETRY_COUNT		6
#define TS_DEFAULT_RETRY_INTERVAL	300		/* 00:05:00 */
#define TS_DEFAULT_OUTBOUND_INTERVAL	600		/* 00:10:00 */
#define TS_DEFAULT_DELAY_NOTIFICATION	(4 * 3600)	/* 04:00:00 */
#define TS_DEFAULT_EXPIRATION		(2 * 86400)	/* 2.00:00:00 */
#define TS_DEFAULT_PER_DOMAIN		20
#define TS_DEFAULT_LOG_MAX_AGE		(30 * 86400)	/* 30.00:00:00 */
#define TS_DEFAULT_LOG_DIR_SIZE		(250 * 1048576LL)	/* 250 MB */
#define TS_DEFAULT_LOG_FILE_SIZE	(10 * 1048576LL)	/* 10 MB */
#define TS_DEFAULT_MESSAGE_RETRY	900		/* 00:15:00 */
#define TS_DEFAULT_QUEUE_IDLE		180		/* 00:03:00 */
#define TS_DEFAULT_OUTBOUND		1000
#define TS_DEFAULT_PICKUP_HEADER	65536		/* 64 KB */
#define TS_DEFAULT_PICKUP_RATE		100
#define TS_DEFAULT_PICKUP_RCPTS		100
#define TS_DEFAULT_ALERT_AGE		3600		/* 01:00:00 */

enum ts_ftype {
	TS_INT,
	TS_INT64,
	TS_BOOL,
	TS_STR
};

struct ts_field {
	const char	*col;
	enum ts_ftype	 type;
	size_t		 off;
};

/* The columns after server, in table order; when_changed comes last. */
#define TS_FIELDS(F)							\
	F(transient_failure_retry_count, TS_INT)			\
	F(transient_failure_retry_interval, TS_INT)			\
	F(outbound_connection_failure_retry_interval, TS_INT)		\
	F(delay_notification_timeout, TS_INT)				\
	F(message_expiration_timeout, TS_INT)				\
	F(max_per_domain_outbound_connections, TS_INT)			\
	F(external_delay_dsn_enabled, TS_BOOL)				\
	F(message_tracking_log_enabled, TS_BOOL)			\
	F(message_tracking_log_max_age, TS_INT)				\
	F(message_tracking_log_subject_logging_enabled, TS_BOOL)	\
	F(send_protocol_log_path, TS_STR)				\
	F(send_protocol_log_max_age, TS_INT)				\
	F(send_protocol_log_max_directory_size, TS_INT64)		\
	F(send_protocol_log_max_file_size, TS_INT64)			\
	F(message_retry_interval, TS_INT)				\
	F(queue_max_idle_time, TS_INT)					\
	F(max_outbound_connections, TS_INT)				\
	F(pickup_directory_max_header_size, TS_INT)			\
	F(pickup_directory_max_messages_per_minute, TS_INT)		\
	F(pickup_directory_max_recipients_per_message, TS_INT)		\
	F(queue_alert_age, TS_INT)					\
	F(queue_alert_message_count, TS_INT)				\
	F(tls_rpt_enabled, TS_BOOL)					\
	F(tls_rpt_organization_name, TS_STR)				\
	F(tls_rpt_contact_info, TS_STR)

#define TSF_ENTRY(m, t) \
	{ #m, t, offsetof(struct transport_settings, m) },
#define TSF_COLUMN(m, t)	", " #m
#define TSF_PARAM(m, t)		", ?"
#define TSF_SET(m, t)		", " #m " = excluded." #m

static const struct ts_field ts_fields[] = { TS_FIELDS(TSF_ENTRY) };
#define TS_NFIELDS	(sizeof(ts_fields) / sizeof(ts_fields[0]))

/*
 * Statement layout: server is ?1 and column 0, field i is ?(i + 2) and
 * column i + 1, when_changed follows the fields.
 */
#define TS_COL_WHEN	((int)TS_NFIELDS + 1)
#define TS_SELECT	"SELECT server" TS_FIELDS(TSF_COLUMN)		\
	", when_changed FROM transport_service WHERE server = ?1"
#define TS_UPSERT	"INSERT INTO transport_service (server"		\
	TS_FIELDS(TSF_COLUMN) ", when_changed) VALUES (?1"		\
	TS_FIELDS(TSF_PARAM) ", ?) ON CONFLICT (server) DO UPDATE SET "	\
	"when_changed = excluded.when_changed" TS_FIELDS(TSF_SET)

static void	 ts_from_row(struct store_stmt *, struct transport_settings *);
static void	 ts_bind(struct store_stmt *, const struct transport_settings *,
		     int64_t);

void
transport_settings_init(struct transport_settings *ts, const char *server)
{
	memset(ts, 0, sizeof *ts);
	ts->server = server != NULL ? xstrdup(server) : NULL;
	ts->transient_failure_retry_count = TS_DEFAULT_RETRY_COUNT;
	ts->transient_failure_retry_interval = TS_DEFAULT_RETRY_INTERVAL;
	ts->outbound_connection_failure_retry_interval =
	    TS_DEFAULT_OUTBOUND_INTERVAL;
	ts->delay_notification_timeout = TS_DEFAULT_DELAY_NOTIFICATION;
	ts->message_expiration_timeout = TS_DEFAULT_EXPIRATION;
	ts->max_per_domain_outbound_connections = TS_DEFAULT_PER_DOMAIN;
	ts->external_delay_dsn_enabled = true;
	ts->message_tracking_log_enabled = true;
	ts->message_tracking_log_max_age = TS_DEFAULT_LOG_MAX_AGE;
	ts->message_tracking_log_subject_logging_enabled = true;
	ts->send_protocol_log_path = NULL;
	ts->send_protocol_log_max_age = TS_DEFAULT_LOG_MAX_AGE;
	ts->send_protocol_log_max_directory_size = TS_DEFAULT_LOG_DIR_SIZE;
	ts->send_protocol_log_max_file_size = TS_DEFAULT_LOG_FILE_SIZE;
	ts->message_retry_interval = TS_DEFAULT_MESSAGE_RETRY;
	ts->queue_max_idle_time = TS_DEFAULT_QUEUE_IDLE;
	ts->max_outbound_connections = TS_DEFAULT_OUTBOUND;
	ts->pickup_directory_max_header_size = TS_DEFAULT_PICKUP_HEADER;
	ts->pickup_directory_max_messages_per_minute = TS_DEFAULT_PICKUP_RATE;
	ts->pickup_directory_max_recipients_per_message =
	    TS_DEFAULT_PICKUP_RCPTS;
	ts->queue_alert_age = TS_DEFAULT_ALERT_AGE;
	ts->queue_alert_message_count = ALERT_UNLIMITED;
	ts->when_changed = 0;
}

void
transport_settings_clear(struct transport_settings *ts)
{
	if (ts == NULL)
		return;
	free(ts->server);
	free(ts->send_protocol_log_path);
	free(ts->tls_rpt_organization_name);
	free(ts->tls_rpt_contact_info);
	memset(ts, 0, sizeof *ts);
}

/*
 * Fill ts (overwritten, not freed) with the row of server, or with the
 * defaults and when_changed 0 when it has none.  NULL is this store's
 * server.
 */
int
store_transport_get(struct store *s, const char *server,
    struct transport_settings *ts, char **cause)
{
	struct store_stmt	*st;
	enum store_step		 rc;

	if (server == NULL)
		server = s->server;
	if (db_prepare(s, &st, TS_SELECT, cause) != 0)
		return (-1);
	db_text(st, 1, server);
	rc = db_step(st);
	if (rc == STORE_ROW)
		ts_from_row(st, ts);
	else if (rc == STORE_DONE)
		transport_settings_init(ts, server);
	db_release(s, st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return (store_fail(s, cause, "cannot read the transport "
		    "settings of %s", server));
	return (0);
}

static void
ts_from_row(struct store_stmt *st, struct transport_settings *ts)
{
	const struct ts_field	*f;
	const char		*text;
	char			*p;
	size_t			 i;

	memset(ts, 0, sizeof *ts);
	ts->server = xstrdup(db_col_text(st, 0));
	for (i = 0; i < TS_NFIELDS; i++) {
		f = &ts_fields[i];
		p = (char *)ts + f->off;
		switch (f->type) {
		case TS_INT:
			*(int *)p = (int)db_col_int(st, (int)i + 1);
			break;
		case TS_INT64:
			*(int64_t *)p = db_col_int(st, (int)i + 1);
			break;
		case TS_BOOL:
			*(bool *)p = db_col_int(st, (int)i + 1) != 0;
			break;
		case TS_STR:
			text = db_col_text(st, (int)i + 1);
			*(char **)p = text != NULL ? xstrdup(text) : NULL;
			break;
		}
	}
	ts->when_changed = db_col_int(st, TS_COL_WHEN);
}

/*
 * One statement, so one transaction (or savepoint) by itself: an insert
 * or an update of every column.  The CHECK constraints reject a value out
 * of Exchange's range, and nothing is written.
 */
int
store_transport_set(struct store *s, struct transport_settings *ts,
    char **cause)
{
	enum store_txn		 how;
	struct store_stmt	*st;
	int64_t			 now;
	int			 rc;

	if (ts->server == NULL || *ts->server == '\0') {
		*cause = xstrdup("transport settings need a server name");
		return (-1);
	}
	now = (int64_t)time(NULL);
	if (store_txn_enter(s, 1, &how, cause) != 0)
		return (-1);
	if ((rc = db_prepare(s, &st, TS_UPSERT, cause)) == 0) {
		ts_bind(st, ts, now);
		if (db_step(st) != STORE_DONE)
			rc = store_fail(s, cause, "cannot write the transport "
			    "settings of %s", ts->server);
		db_release(s, st);
	}
	if (store_txn_leave(s, how, rc == 0, cause) != 0)
		return (-1);
	ts->when_changed = now;
	return (0);
}

static void
ts_bind(struct store_stmt *st, const struct transport_settings *ts,
    int64_t now)
{
	const struct ts_field	*f;
	const char		*p;
	size_t			 i;

	db_text(st, 1, ts->server);
	for (i = 0; i < TS_NFIELDS; i++) {
		f = &ts_fields[i];
		p = (const char *)ts + f->off;
		switch (f->type) {
		case TS_INT:
			db_int(st, (int)i + 2, *(const int *)p);
			break;
		case TS_INT64:
			db_int(st, (int)i + 2, *(const int64_t *)p);
			break;
		case TS_BOOL:
			db_int(st, (int)i + 2, *(const bool *)p ? 1 : 0);
			break;
		case TS_STR:
			db_text(st, (int)i + 2, *(char *const *)p);
			break;
		}
	}
	db_int(st, (int)TS_NFIELDS + 2, now);
}
