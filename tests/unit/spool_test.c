/*
 * spool_test.c - unit tests of store/spool.c: hubd's queue database.
 *
 * Every case works in its own temporary directory, removed at the end.
 * Raw checks of the file go through a separate SQLite connection.
 */
#ifndef _XOPEN_SOURCE		/* the readline flags may set both */
#define _XOPEN_SOURCE 700
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "store.h"
#include "store_int.h"		/* spool_track_sql() */
#include "fixture.h"
#include "tap.h"
#include "xmalloc.h"

#define BIG_BODY	70000		/* spans SQLite overflow pages */
#define T_GROUPS	20		/* thread test: groups ... */
#define T_JOBS		10		/* ... of this many messages */
#define T_DAY		86400000LL	/* ms */
#define T_BASE		1712300000000LL	/* tracking test's first event */
#define T_MAXEV		32		/* events one query test records */

static char	*tdir;
static char	*tpath;

static void
setup(void)
{

	tdir = fixture_tmpdir("hubsh-spool-test");
	tpath = xprintf("%s/state/queue.db", tdir);
}

static void
teardown(void)
{
	fixture_rmtree(tdir);
	free(tdir);
	free(tpath);
	tdir = tpath = NULL;
}

static struct spool *
open_spool(void)
{
	struct spool	*sp = NULL;
	char		*cause = NULL;

	if (spool_open(&sp, tpath, &cause) != 0) {
		printf("# spool_open: %s\n", cause);
		free(cause);
		tap_case_failed = 1;
		return (NULL);
	}
	return (sp);
}

/* Record a failed call's cause; return whether it succeeded. */
static int
ok_call(int rc, char *cause, const char *what)
{
	if (rc != 0) {
		printf("# %s: %s\n", what, cause != NULL ? cause : "?");
		tap_case_failed = 1;
	}
	free(cause);
	return (rc == 0);
}

static mode_t
file_mode(const char *path)
{
	struct stat	sb;

	if (stat(path, &sb) != 0)
		return ((mode_t)-1);
	return (sb.st_mode & 07777);
}

static off_t
file_size(const char *path)
{
	struct stat	sb;

	if (stat(path, &sb) != 0)
		return (-1);
	return (sb.st_size);
}

/* An integer from sql over a separate connection; -1 on error. */
static int64_t
raw_int(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	if (sqlite3_open(tpath, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return (-1);
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return (v);
}

static int
raw_sql(const char *sql)
{
	sqlite3	*db;
	int	 rc;

	if (sqlite3_open(tpath, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return (-1);
	}
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return (rc == SQLITE_OK ? 0 : -1);
}

/* Does the plan of sql mention an index of that name? */
static int
raw_plan_uses(const char *sql, const char *index)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		*q;
	const char	*detail;
	int		 found = 0;

	if (sqlite3_open(tpath, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return (0);
	}
	q = xprintf("EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			detail = (const char *)sqlite3_column_text(st, 3);
			if (detail != NULL && strstr(detail, index) != NULL)
				found = 1;
		}
		sqlite3_finalize(st);
	}
	if (!found)
		printf("# no %s in the plan of %s\n", index, sql);
	free(q);
	sqlite3_close(db);
	return (found);
}

/* A message from sender with n recipients rcptN@example.net, queued. */
static struct spool_msg *
msg_new(const char *sender, size_t n)
{
	struct spool_msg	*m;
	size_t			 i;

	m = xcalloc(1, sizeof *m);
	m->sender = xstrdup(sender);
	m->source = xstrdup("SMTP");
	m->received = 1700000000;
	m->rcpts = xcalloc(n, sizeof *m->rcpts);
	m->nrcpts = n;
	for (i = 0; i < n; i++)
		m->rcpts[i].addr = xprintf("rcpt%zu@example.net", i);
	return (m);
}

/* Every field set, recipients in each state. */
static struct spool_msg *
msg_full(void)
{
	struct spool_msg	*m;
	struct spool_rcpt	*r;

	m = msg_new("alice@example.com", 3);
	m->envid = xstrdup("ENV-1+2B");
	m->ret_hdrs = true;
	m->received = 1712345678;
	m->message_id = xstrdup("<abc@example.com>");
	m->subject = xstrdup("Quarterly report \xc3\xbc");
	free(m->source);
	m->source = xstrdup("PICKUP");
	m->client_ip = xstrdup("192.0.2.1");
	m->client_helo = xstrdup("client.example.com");
	m->suspended = true;
	r = &m->rcpts[0];
	r->orcpt = xstrdup("rfc822;Bob@example.net");
	r->notify = SPOOL_NOTIFY_SUCCESS | SPOOL_NOTIFY_FAILURE |
	    SPOOL_NOTIFY_DELAY;
	r = &m->rcpts[1];
	r->notify = SPOOL_NOTIFY_NEVER;
	r->state = SPOOL_RCPT_SENT;
	r->last_error = xstrdup("250 2.0.0 OK");
	r = &m->rcpts[2];
	r->state = SPOOL_RCPT_QUEUED;
	r->retry_count = 4;
	r->next_attempt = 1712349999;
	r->last_error = xstrdup("451 4.4.0 DNS query failed");
	r->delay_notified = true;
	return (m);
}

/* The other side of every NULL: empty strings, and NULLs elsewhere. */
static struct spool_msg *
msg_sparse(void)
{
	struct spool_msg	*m;

	m = msg_new("", 2);
	m->envid = xstrdup("");
	m->subject = xstrdup("");
	free(m->source);
	m->source = xstrdup("DSN");
	m->client_helo = xstrdup("");
	m->rcpts[0].orcpt = xstrdup("");
	m->rcpts[1].last_error = xstrdup("");
	m->rcpts[1].state = SPOOL_RCPT_FAILED;
	return (m);
}

static int
str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

static void
check_rcpt(const struct spool_rcpt *got, const struct spool_rcpt *want)
{
	TAP_CHECK(got->id == want->id);
	TAP_CHECK(str_same(got->addr, want->addr));
	TAP_CHECK(str_same(got->orcpt, want->orcpt));
	TAP_CHECK(got->notify == want->notify);
	TAP_CHECK(got->state == want->state);
	TAP_CHECK(got->retry_count == want->retry_count);
	TAP_CHECK(got->next_attempt == want->next_attempt);
	TAP_CHECK(str_same(got->last_error, want->last_error));
	TAP_CHECK(got->delay_notified == want->delay_notified);
}

static void
check_msg(const struct spool_msg *got, const struct spool_msg *want)
{
	size_t	i;

	TAP_CHECK(got->id == want->id);
	TAP_CHECK(str_same(got->sender, want->sender));
	TAP_CHECK(str_same(got->envid, want->envid));
	TAP_CHECK(got->ret_hdrs == want->ret_hdrs);
	TAP_CHECK(got->received == want->received);
	TAP_CHECK(got->size == want->size);
	TAP_CHECK(str_same(got->message_id, want->message_id));
	TAP_CHECK(str_same(got->subject, want->subject));
	TAP_CHECK(str_same(got->source, want->source));
	TAP_CHECK(str_same(got->client_ip, want->client_ip));
	TAP_CHECK(str_same(got->client_helo, want->client_helo));
	TAP_CHECK(got->suspended == want->suspended);
	TAP_CHECK(got->nrcpts == want->nrcpts);
	for (i = 0; i < got->nrcpts && i < want->nrcpts; i++)
		check_rcpt(&got->rcpts[i], &want->rcpts[i]);
}

static int
insert(struct spool *sp, struct spool_msg *m, const char *body)
{
	char	*cause = NULL;
	int	 rc;

	rc = spool_msg_insert(sp, m, body, strlen(body), &cause);
	return (ok_call(rc, cause, "spool_msg_insert"));
}

static int
load(struct spool *sp, struct spool_msg ***v, size_t *n)
{
	char	*cause = NULL;
	int	 rc;

	rc = spool_msg_load(sp, v, n, &cause);
	return (ok_call(rc, cause, "spool_msg_load"));
}

/* Is the body of id exactly want? */
static int
body_is(struct spool *sp, int64_t id, const char *want, size_t wlen)
{
	char	*body = NULL, *cause = NULL;
	size_t	 len = 0;
	int	 rc, same;

	rc = spool_body_get(sp, id, &body, &len, &cause);
	if (rc != 0) {
		printf("# spool_body_get(%lld): %d %s\n", (long long)id, rc,
		    cause != NULL ? cause : "");
		free(cause);
		return (0);
	}
	same = (len == wlen && memcmp(body, want, len) == 0 &&
	    body[len] == '\0');
	free(body);
	return (same);
}

static void
test_open(void)
{
	struct spool		*sp;
	struct spool_msg	*m;
	char			*dir, *wal, *shm;
	mode_t			 old;

	setup();
	old = umask(022);
	sp = open_spool();
	umask(old);
	if (sp == NULL)
		goto out;
	dir = xprintf("%s/state", tdir);
	wal = xprintf("%s-wal", tpath);
	shm = xprintf("%s-shm", tpath);
	TAP_STREQ(spool_path(sp), tpath);
	TAP_CHECK(file_mode(dir) == 0700);
	TAP_CHECK(file_mode(tpath) == 0600);
	m = msg_new("a@example.com", 1);
	TAP_CHECK(insert(sp, m, "x"));
	TAP_CHECK(file_mode(wal) == 0600);
	TAP_CHECK(file_mode(shm) == 0600);
	TAP_CHECK(raw_int("PRAGMA user_version") == SPOOL_SCHEMA_VERSION);
	TAP_CHECK(raw_int("SELECT count(*) FROM pragma_journal_mode() "
	    "WHERE journal_mode = 'wal'") == 1);
	spool_msg_free(m);
	spool_close(sp);
	free(dir);
	free(wal);
	free(shm);
out:
	teardown();
}

static void
test_round_trip(void)
{
	struct spool		*sp;
	struct spool_msg	*a, *b, **v = NULL;
	size_t			 n = 0;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	a = msg_full();
	b = msg_sparse();
	b->size = 999;		/* size comes from the body's length */
	TAP_CHECK(insert(sp, a, "Subject: x\r\n\r\nbody\r\n"));
	TAP_CHECK(insert(sp, b, ""));
	TAP_CHECK(a->id > 0 && b->id > a->id);
	TAP_CHECK(a->size == 20 && b->size == 0);
	TAP_CHECK(a->rcpts[0].id > 0 && a->rcpts[1].id > a->rcpts[0].id &&
	    a->rcpts[2].id > a->rcpts[1].id);
	if (load(sp, &v, &n) && n == 2) {
		check_msg(v[0], a);
		check_msg(v[1], b);
	} else
		TAP_CHECK(n == 2);
	spool_msg_list_free(v, n);
	spool_msg_free(a);
	spool_msg_free(b);
	spool_close(sp);
out:
	teardown();
}

static void
test_body(void)
{
	struct spool		*sp;
	struct spool_msg	*m1, *m2, *m3;
	unsigned char		*big;
	char			*cause = NULL;
	size_t			 i;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	big = xmalloc(BIG_BODY);
	for (i = 0; i < BIG_BODY; i++)
		big[i] = (unsigned char)(i * 7 % 256);	/* NULs included */
	m1 = msg_new("a@example.com", 1);
	m2 = msg_new("b@example.com", 1);
	m3 = msg_new("c@example.com", 1);
	TAP_CHECK(ok_call(spool_msg_insert(sp, m1, big, BIG_BODY, &cause),
	    cause, "insert big"));
	cause = NULL;
	TAP_CHECK(ok_call(spool_msg_insert(sp, m2, NULL, 0, &cause), cause,
	    "insert empty"));
	cause = NULL;
	TAP_CHECK(ok_call(spool_msg_insert(sp, m3, "\0a\0", 3, &cause),
	    cause, "insert NULs"));
	TAP_CHECK(m1->size == BIG_BODY);
	TAP_CHECK(body_is(sp, m1->id, (const char *)big, BIG_BODY));
	TAP_CHECK(body_is(sp, m2->id, "", 0));
	TAP_CHECK(body_is(sp, m3->id, "\0a\0", 3));
	free(big);
	spool_msg_free(m1);
	spool_msg_free(m2);
	spool_msg_free(m3);
	spool_close(sp);
out:
	teardown();
}

static void
test_body_missing(void)
{
	struct spool	*sp;
	char		*body = NULL, *cause = NULL;
	size_t		 len = 42;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	TAP_CHECK(spool_body_get(sp, 12345, &body, &len, &cause) == 1);
	TAP_CHECK(body == NULL && len == 0 && cause == NULL);
	spool_close(sp);
out:
	teardown();
}

/* One job of a group: insert m; then fail on purpose if bad. */
static int
run_job(struct spool *sp, struct spool_msg *m, int bad)
{
	struct spool_rcpt	 ghost;
	char			*cause = NULL;
	int			 rc;

	if (!ok_call(spool_job_enter(sp, &cause), cause, "job_enter"))
		return (-1);
	cause = NULL;
	rc = spool_msg_insert(sp, m, "body", 4, &cause);
	free(cause);
	cause = NULL;
	if (rc == 0 && bad) {
		memset(&ghost, 0, sizeof ghost);
		ghost.id = 999999;
		rc = spool_rcpt_update(sp, &ghost, &cause);
		TAP_CHECK(rc == -1 && cause != NULL &&
		    strstr(cause, "999999") != NULL);
		free(cause);
		cause = NULL;
	}
	TAP_CHECK(ok_call(spool_job_leave(sp, rc == 0, &cause), cause,
	    "job_leave"));
	return (rc);
}

static void
test_group(void)
{
	struct spool		*sp;
	struct spool_msg	*a, *b, *c, *d, **v = NULL;
	char			*cause = NULL;
	size_t			 n = 0;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	a = msg_new("a@example.com", 1);
	b = msg_new("b@example.com", 2);
	c = msg_new("c@example.com", 1);
	d = msg_new("d@example.com", 2);
	d->rcpts[1].state = 7;		/* CHECK fails on the 2nd recipient */
	TAP_CHECK(ok_call(spool_begin(sp, &cause), cause, "begin"));
	TAP_CHECK(run_job(sp, a, 0) == 0);
	TAP_CHECK(run_job(sp, b, 1) == -1);	/* inserted, then undone */
	TAP_CHECK(run_job(sp, d, 0) == -1);	/* insert itself fails */
	TAP_CHECK(d->rcpts[0].id == 0 && d->id == 0);
	TAP_CHECK(run_job(sp, c, 0) == 0);
	cause = NULL;
	TAP_CHECK(ok_call(spool_commit(sp, &cause), cause, "commit"));
	TAP_CHECK(raw_int("SELECT count(*) FROM messages") == 2);
	TAP_CHECK(raw_int("SELECT count(*) FROM recipients") == 2);
	TAP_CHECK(raw_int("SELECT count(*) FROM message_body") == 2);
	if (load(sp, &v, &n) && n == 2) {
		TAP_CHECK(v[0]->id == a->id && v[1]->id == c->id);
		TAP_STREQ(v[1]->sender, "c@example.com");
	} else
		TAP_CHECK(n == 2);
	spool_msg_list_free(v, n);
	spool_msg_free(a);
	spool_msg_free(b);
	spool_msg_free(c);
	spool_msg_free(d);
	spool_close(sp);
out:
	teardown();
}

static void
test_job_misuse(void)
{
	struct spool	*sp;
	char		*cause = NULL;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	TAP_CHECK(spool_job_enter(sp, &cause) == -1 && cause != NULL);
	free(cause);
	cause = NULL;
	TAP_CHECK(spool_job_leave(sp, 1, &cause) == -1 && cause != NULL);
	free(cause);
	cause = NULL;
	TAP_CHECK(ok_call(spool_begin(sp, &cause), cause, "begin"));
	cause = NULL;
	TAP_CHECK(ok_call(spool_job_enter(sp, &cause), cause, "job_enter"));
	cause = NULL;
	TAP_CHECK(spool_job_enter(sp, &cause) == -1 && cause != NULL);
	free(cause);
	cause = NULL;
	TAP_CHECK(ok_call(spool_job_leave(sp, 0, &cause), cause, "leave"));
	spool_rollback(sp);
	spool_close(sp);
out:
	teardown();
}

/* A failed insert outside any transaction leaves nothing behind. */
static void
test_insert_atomic(void)
{
	struct spool		*sp;
	struct spool_msg	*m;
	char			*cause = NULL;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	m = msg_new("a@example.com", 3);
	m->rcpts[2].retry_count = -1;
	TAP_CHECK(spool_msg_insert(sp, m, "body", 4, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "CHECK") != NULL);
	free(cause);
	cause = NULL;
	TAP_CHECK(m->id == 0 && m->rcpts[0].id == 0);
	TAP_CHECK(raw_int("SELECT count(*) FROM messages") == 0);
	TAP_CHECK(raw_int("SELECT count(*) FROM recipients") == 0);
	TAP_CHECK(raw_int("SELECT count(*) FROM message_body") == 0);
	free(m->sender);
	m->sender = NULL;
	TAP_CHECK(spool_msg_insert(sp, m, "body", 4, &cause) == -1);
	free(cause);
	spool_msg_free(m);
	spool_close(sp);
out:
	teardown();
}

static void
test_rcpt_update(void)
{
	struct spool		*sp;
	struct spool_msg	*m, **v = NULL;
	struct spool_rcpt	*r;
	char			*cause = NULL;
	size_t			 n = 0;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	m = msg_new("a@example.com", 2);
	TAP_CHECK(insert(sp, m, "body"));
	r = &m->rcpts[0];
	r->state = SPOOL_RCPT_SENT;
	r->last_error = xstrdup("250 2.0.0 OK queued");
	TAP_CHECK(ok_call(spool_rcpt_update(sp, r, &cause), cause, "upd 0"));
	r = &m->rcpts[1];
	r->retry_count = 3;
	r->next_attempt = 1712340000;
	r->last_error = xstrdup("451 4.4.0 Primary target IP address "
	    "responded with: \"421 busy\"");
	r->delay_notified = true;
	cause = NULL;
	TAP_CHECK(ok_call(spool_rcpt_update(sp, r, &cause), cause, "upd 1"));
	/* A bad state is refused and changes nothing. */
	r->state = 5;
	cause = NULL;
	TAP_CHECK(spool_rcpt_update(sp, r, &cause) == -1 && cause != NULL);
	free(cause);
	r->state = SPOOL_RCPT_QUEUED;
	if (load(sp, &v, &n) && n == 1)
		check_msg(v[0], m);
	else
		TAP_CHECK(n == 1);
	spool_msg_list_free(v, n);
	spool_msg_free(m);
	spool_close(sp);
out:
	teardown();
}

static void
test_delete(void)
{
	struct spool		*sp;
	struct spool_msg	*a, *b;
	struct track_event	 ev;
	char			*cause = NULL, *body = NULL;
	size_t			 len;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	a = msg_new("a@example.com", 3);
	b = msg_new("b@example.com", 1);
	TAP_CHECK(insert(sp, a, "body a"));
	TAP_CHECK(insert(sp, b, "body b"));
	memset(&ev, 0, sizeof ev);
	ev.event_id = "RECEIVE";
	ev.source = "SMTP";
	ev.internal_message_id = a->id;
	TAP_CHECK(ok_call(spool_track_add(sp, &ev, &cause), cause, "track"));
	cause = NULL;
	TAP_CHECK(ok_call(spool_msg_delete(sp, a->id, &cause), cause,
	    "delete"));
	TAP_CHECK(raw_int("SELECT count(*) FROM messages") == 1);
	TAP_CHECK(raw_int("SELECT count(*) FROM recipients") == 1);
	TAP_CHECK(raw_int("SELECT count(*) FROM message_body") == 1);
	TAP_CHECK(raw_int("SELECT count(*) FROM track") == 1);
	cause = NULL;
	TAP_CHECK(spool_body_get(sp, a->id, &body, &len, &cause) == 1);
	TAP_CHECK(body_is(sp, b->id, "body b", 6));
	TAP_CHECK(spool_msg_delete(sp, a->id, &cause) == -1 && cause != NULL);
	free(cause);
	spool_msg_free(a);
	spool_msg_free(b);
	spool_close(sp);
out:
	teardown();
}

static void
test_load_filter(void)
{
	struct spool		*sp;
	struct spool_msg	*done, *half, *all, **v = NULL;
	size_t			 n = 0;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	done = msg_new("done@example.com", 2);
	done->rcpts[0].state = SPOOL_RCPT_SENT;
	done->rcpts[1].state = SPOOL_RCPT_FAILED;
	half = msg_new("half@example.com", 3);
	half->rcpts[0].state = SPOOL_RCPT_SENT;
	half->rcpts[2].state = SPOOL_RCPT_FAILED;
	all = msg_new("all@example.com", 2);
	TAP_CHECK(insert(sp, done, "1"));
	TAP_CHECK(insert(sp, half, "2"));
	TAP_CHECK(insert(sp, all, "3"));
	if (load(sp, &v, &n) && n == 2) {
		check_msg(v[0], half);
		check_msg(v[1], all);
	} else
		TAP_CHECK(n == 2);
	spool_msg_list_free(v, n);
	spool_msg_free(done);
	spool_msg_free(half);
	spool_msg_free(all);
	spool_close(sp);
out:
	teardown();
}

static void
test_track(void)
{
	static const struct track_rcpt rcpts[] = {
		{ "bob@example.net", "250 2.1.5 Recipient OK" },
		{ "Carol@Example.NET", NULL },
		{ "dave@example.org", "550 4.4.7 QUEUE.Expired;expired" },
	};
	struct spool		*sp;
	struct track_event	 ev;
	char			*cause = NULL;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	memset(&ev, 0, sizeof ev);
	ev.timestamp_ms = 1712345678123LL;
	ev.event_id = "SEND";
	ev.source = "SMTP";
	ev.source_context = "session 42";
	ev.internal_message_id = 7;
	ev.message_id = "<abc@example.com>";
	ev.sender = "Alice@Example.COM";
	ev.message_subject = "Quarterly report";
	ev.connector_id = "Internet";
	ev.server_hostname = "EX01";
	ev.server_ip = "192.0.2.10";
	ev.client_hostname = "mx.example.net";
	ev.client_ip = "198.51.100.7";
	ev.total_bytes = 4096;
	ev.reference = "<ref@example.com>";
	ev.tls_protocol = "TLSv1.3";
	ev.tls_cipher = "TLS_AES_256_GCM_SHA384";
	ev.tls_verify = "DomainValidation ok";
	ev.rcpts = rcpts;
	ev.nrcpts = 3;
	TAP_CHECK(ok_call(spool_track_add(sp, &ev, &cause), cause, "track"));
	memset(&ev, 0, sizeof ev);
	ev.timestamp_ms = 1712345679000LL;
	ev.event_id = "RECEIVE";
	ev.source = "PICKUP";
	cause = NULL;
	TAP_CHECK(ok_call(spool_track_add(sp, &ev, &cause), cause,
	    "sparse track"));
	ev.event_id = NULL;
	cause = NULL;
	TAP_CHECK(spool_track_add(sp, &ev, &cause) == -1 && cause != NULL);
	free(cause);

	TAP_CHECK(raw_int("SELECT count(*) FROM track") == 2);
	TAP_CHECK(raw_int("SELECT count(*) FROM track WHERE "
	    "timestamp_ms = 1712345678123 AND event_id = 'SEND' AND "
	    "source = 'SMTP' AND source_context = 'session 42' AND "
	    "internal_message_id = 7 AND message_id = '<abc@example.com>' "
	    "AND message_subject = 'Quarterly report' AND "
	    "connector_id = 'Internet' AND server_hostname = 'EX01' AND "
	    "server_ip = '192.0.2.10' AND client_hostname = "
	    "'mx.example.net' AND client_ip = '198.51.100.7' AND "
	    "total_bytes = 4096 AND reference = '<ref@example.com>' AND "
	    "tls_protocol = 'TLSv1.3' AND tls_cipher = "
	    "'TLS_AES_256_GCM_SHA384' AND tls_verify = "
	    "'DomainValidation ok'") == 1);
	TAP_CHECK(raw_int("SELECT count(*) FROM track WHERE "
	    "event_id = 'RECEIVE' AND sender IS NULL AND message_id IS NULL "
	    "AND client_ip IS NULL AND tls_protocol IS NULL") == 1);
	/* Recipients in order, RecipientStatus kept or NULL. */
	TAP_CHECK(raw_int("SELECT count(*) FROM track_rcpt") == 3);
	TAP_CHECK(raw_int("SELECT count(*) FROM track_rcpt WHERE seq = 1 AND "
	    "addr = 'Carol@Example.NET' AND status IS NULL") == 1);
	TAP_CHECK(raw_int("SELECT count(*) FROM track_rcpt WHERE seq = 2 AND "
	    "status = '550 4.4.7 QUEUE.Expired;expired'") == 1);
	/* Sender and Recipients match without case, as in the shell. */
	TAP_CHECK(raw_int("SELECT count(*) FROM track WHERE "
	    "sender = 'alice@example.com'") == 1);
	TAP_CHECK(raw_int("SELECT count(*) FROM track_rcpt WHERE "
	    "addr = 'carol@example.net'") == 1);
	spool_close(sp);
out:
	teardown();
}

/* The schema is ready for Get-MessageTrackingLog's filters. */
static void
test_track_indexes(void)
{
	struct spool	*sp;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	TAP_CHECK(raw_plan_uses("SELECT id FROM track WHERE timestamp_ms >= ?1 "
	    "AND timestamp_ms < ?2 ORDER BY timestamp_ms", "track_time"));
	TAP_CHECK(raw_plan_uses("SELECT id FROM track WHERE sender = ?1 AND "
	    "timestamp_ms >= ?2 ORDER BY timestamp_ms", "track_sender"));
	TAP_CHECK(raw_plan_uses("SELECT id FROM track WHERE event_id = ?1",
	    "track_event"));
	TAP_CHECK(raw_plan_uses("SELECT id FROM track WHERE message_id = ?1",
	    "track_message_id"));
	TAP_CHECK(raw_plan_uses("SELECT id FROM track WHERE "
	    "internal_message_id = ?1", "track_internal_id"));
	TAP_CHECK(raw_plan_uses("SELECT t.id FROM track t WHERE t.id IN "
	    "(SELECT track_id FROM track_rcpt WHERE addr = ?1)",
	    "track_rcpt_addr"));
	spool_close(sp);
out:
	teardown();
}

static void
test_reopen(void)
{
	struct spool		*sp;
	struct spool_msg	*m, **v = NULL;
	size_t			 n = 0;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	m = msg_full();
	TAP_CHECK(insert(sp, m, "persistent body"));
	spool_close(sp);
	if ((sp = open_spool()) == NULL) {
		spool_msg_free(m);
		goto out;
	}
	if (load(sp, &v, &n) && n == 1)
		check_msg(v[0], m);
	else
		TAP_CHECK(n == 1);
	TAP_CHECK(body_is(sp, m->id, "persistent body", 15));
	TAP_CHECK(raw_int("PRAGMA user_version") == SPOOL_SCHEMA_VERSION);
	spool_msg_list_free(v, n);
	spool_msg_free(m);
	spool_close(sp);
out:
	teardown();
}

/* A reader is not blocked by the writer and sees only commits. */
static void
test_two_connections(void)
{
	struct spool		*w, *r = NULL;
	struct spool_msg	*a, *b, **v = NULL;
	char			*cause = NULL, *body = NULL;
	size_t			 n = 0, len;
	time_t			 t0;

	setup();
	if ((w = open_spool()) == NULL || (r = open_spool()) == NULL) {
		spool_close(w);
		goto out;
	}
	a = msg_new("a@example.com", 1);
	b = msg_new("b@example.com", 1);
	TAP_CHECK(insert(w, a, "committed"));
	TAP_CHECK(ok_call(spool_begin(w, &cause), cause, "begin"));
	TAP_CHECK(insert(w, b, "pending"));
	t0 = time(NULL);
	TAP_CHECK(body_is(r, a->id, "committed", 9));
	TAP_CHECK(spool_body_get(r, b->id, &body, &len, &cause) == 1);
	if (load(r, &v, &n))
		TAP_CHECK(n == 1 && v[0]->id == a->id);
	spool_msg_list_free(v, n);
	TAP_CHECK(time(NULL) - t0 < 2);		/* no busy wait */
	cause = NULL;
	TAP_CHECK(ok_call(spool_commit(w, &cause), cause, "commit"));
	TAP_CHECK(body_is(r, b->id, "pending", 7));
	spool_msg_free(a);
	spool_msg_free(b);
	spool_close(w);
	spool_close(r);
out:
	teardown();
}

/* Writer thread state for test_threads. */
struct writer {
	pthread_mutex_t	 lock;
	int64_t		 ids[T_GROUPS * T_JOBS];
	size_t		 ncommitted;
	int		 done;
	int		 failed;
};

static void
thread_body(size_t i, char *buf, size_t size)
{
	snprintf(buf, size, "message %zu\r\n\r\n%0*zu\r\n", i,
	    (int)(i % 500) + 1, i);
}

/* Group after group of jobs, publishing ids once committed. */
static void *
writer_main(void *arg)
{
	struct writer		*wr = arg;
	struct spool		*sp;
	struct spool_msg	*m;
	int64_t			 ids[T_JOBS];
	char			*cause = NULL, buf[600];
	size_t			 g, j;
	int			 bad = 0;

	if (spool_open(&sp, tpath, &cause) != 0) {
		free(cause);
		bad = 1;
	}
	for (g = 0; !bad && g < T_GROUPS; g++) {
		bad = spool_begin(sp, &cause) != 0;
		for (j = 0; !bad && j < T_JOBS; j++) {
			thread_body(g * T_JOBS + j, buf, sizeof buf);
			m = msg_new("w@example.com", 1);
			if (spool_job_enter(sp, &cause) != 0 ||
			    spool_msg_insert(sp, m, buf, strlen(buf),
			    &cause) != 0 ||
			    spool_job_leave(sp, 1, &cause) != 0)
				bad = 1;
			ids[j] = m->id;
			spool_msg_free(m);
		}
		if (!bad && spool_commit(sp, &cause) != 0)
			bad = 1;
		pthread_mutex_lock(&wr->lock);
		for (j = 0; !bad && j < T_JOBS; j++)
			wr->ids[wr->ncommitted++] = ids[j];
		pthread_mutex_unlock(&wr->lock);
	}
	if (bad)
		printf("# writer: %s\n", cause != NULL ? cause : "?");
	free(cause);
	spool_close(sp);
	pthread_mutex_lock(&wr->lock);
	wr->done = 1;
	wr->failed = bad;
	pthread_mutex_unlock(&wr->lock);
	return (NULL);
}

static void
test_threads(void)
{
	struct writer	 wr;
	struct spool	*sp;
	pthread_t	 t;
	char		 buf[600];
	size_t		 i, k, reads = 0, wrong = 0;
	int64_t		 id;
	int		 done;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	memset(&wr, 0, sizeof wr);
	pthread_mutex_init(&wr.lock, NULL);
	if (pthread_create(&t, NULL, writer_main, &wr) != 0) {
		TAP_CHECK(0);
		spool_close(sp);
		goto out;
	}
	do {
		pthread_mutex_lock(&wr.lock);
		done = wr.done;
		k = wr.ncommitted;
		id = k > 0 ? wr.ids[k - 1] : 0;
		pthread_mutex_unlock(&wr.lock);
		if (k == 0)
			continue;
		thread_body(k - 1, buf, sizeof buf);
		if (!body_is(sp, id, buf, strlen(buf)))
			wrong++;
		reads++;
	} while (!done);
	pthread_join(t, NULL);
	TAP_CHECK(!wr.failed && wr.ncommitted == T_GROUPS * T_JOBS);
	for (i = 0; i < wr.ncommitted; i++) {
		thread_body(i, buf, sizeof buf);
		if (!body_is(sp, wr.ids[i], buf, strlen(buf)))
			wrong++;
	}
	printf("# %zu reads during the writes\n", reads);
	TAP_CHECK(wrong == 0);
	pthread_mutex_destroy(&wr.lock);
	spool_close(sp);
out:
	teardown();
}

/*
 * The child commits one message and dies at once: by _exit() (no close,
 * no checkpoint) or, after telling the parent, by SIGKILL.
 */
static void
crash_child(int killed, int fd)
{
	struct spool		*sp;
	struct spool_msg	*m;
	char			*cause = NULL;

	if (spool_open(&sp, tpath, &cause) != 0)
		_exit(2);
	m = msg_new("crash@example.com", 2);
	if (spool_begin(sp, &cause) != 0 ||
	    spool_msg_insert(sp, m, "survives\0!", 10, &cause) != 0 ||
	    spool_commit(sp, &cause) != 0)
		_exit(3);
	if (!killed)
		_exit(0);
	if (write(fd, "c", 1) != 1)
		_exit(4);
	for (;;)
		pause();
}

static void
crash_test(int killed)
{
	struct spool		*sp;
	struct spool_msg	**v = NULL;
	char			*wal, c;
	size_t			 n = 0;
	pid_t			 pid;
	int			 fds[2], status;

	setup();
	wal = xprintf("%s-wal", tpath);
	if (pipe(fds) != 0) {
		TAP_CHECK(0);
		goto out;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		crash_child(killed, fds[1]);
	}
	close(fds[1]);
	TAP_CHECK(pid > 0);
	if (killed && pid > 0) {
		TAP_CHECK(read(fds[0], &c, 1) == 1);
		kill(pid, SIGKILL);
	}
	close(fds[0]);
	if (pid > 0 && waitpid(pid, &status, 0) == pid) {
		if (killed)
			TAP_CHECK(WIFSIGNALED(status) &&
			    WTERMSIG(status) == SIGKILL);
		else
			TAP_CHECK(WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0);
	}
	/* The message is only in the WAL: reopening must recover it. */
	TAP_CHECK(file_size(wal) > 0);
	if ((sp = open_spool()) == NULL)
		goto out;
	if (load(sp, &v, &n) && n == 1) {
		TAP_STREQ(v[0]->sender, "crash@example.com");
		TAP_CHECK(v[0]->nrcpts == 2 && v[0]->size == 10);
		TAP_CHECK(body_is(sp, v[0]->id, "survives\0!", 10));
	} else
		TAP_CHECK(n == 1);
	spool_msg_list_free(v, n);
	spool_close(sp);
out:
	free(wal);
	teardown();
}

static void
test_crash_exit(void)
{
	crash_test(0);
}

static void
test_crash_kill(void)
{
	crash_test(1);
}

static void
test_newer_schema(void)
{
	struct spool	*sp;
	char		*cause = NULL;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	spool_close(sp);
	TAP_CHECK(raw_sql("PRAGMA user_version = 99") == 0);
	sp = NULL;
	TAP_CHECK(spool_open(&sp, tpath, &cause) == -1 && sp == NULL);
	TAP_CHECK(cause != NULL && strstr(cause, "newer") != NULL);
	free(cause);
out:
	teardown();
}

static void
test_not_a_spool(void)
{
	struct store	*s = NULL;
	struct spool	*sp = NULL;
	char		*cause = NULL;

	setup();
	if (store_open(&s, tpath, "EX01", &cause) != 0) {
		TAP_CHECK(ok_call(-1, cause, "store_open"));
		goto out;
	}
	store_close(s);
	TAP_CHECK(spool_open(&sp, tpath, &cause) == -1 && sp == NULL);
	TAP_CHECK(cause != NULL && strstr(cause, "not a hubd spool") != NULL);
	free(cause);
out:
	teardown();
}

/*
 * A version 1 spool as hubd first wrote it, the starting point of the
 * migration test: a frozen copy, never to be changed.
 */
#define V1_BOOL(c)	c " INTEGER NOT NULL CHECK (" c " IN (0, 1)),"
static const char spool_v1[] =
	"CREATE TABLE messages ("
	" id INTEGER PRIMARY KEY,"
	" sender TEXT NOT NULL,"
	" envid TEXT,"
	V1_BOOL("ret_hdrs")
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
	V1_BOOL("delay_notified")
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
	"PRAGMA application_id = 1752523377;"
	"PRAGMA user_version = 1;";

/* Suspend-Message's flag is written, read back and survives reopening. */
static void
test_suspend(void)
{
	struct spool		*sp;
	struct spool_msg	*a, *b, **v = NULL;
	char			*cause = NULL;
	size_t			 n = 0;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	a = msg_new("a@example.com", 1);
	b = msg_new("b@example.com", 1);
	b->suspended = true;
	TAP_CHECK(insert(sp, a, "a"));
	TAP_CHECK(insert(sp, b, "b"));
	TAP_CHECK(raw_int("SELECT count(*) FROM messages WHERE "
	    "suspended = 1") == 1);
	TAP_CHECK(ok_call(spool_msg_suspend(sp, a->id, true, &cause), cause,
	    "suspend"));
	cause = NULL;
	TAP_CHECK(ok_call(spool_msg_suspend(sp, b->id, false, &cause), cause,
	    "resume"));
	/* Again, in the state it is in already: still found. */
	cause = NULL;
	TAP_CHECK(ok_call(spool_msg_suspend(sp, b->id, false, &cause), cause,
	    "resume again"));
	cause = NULL;
	TAP_CHECK(spool_msg_suspend(sp, b->id + 100, true, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "no message") != NULL);
	free(cause);
	/* Undone with the group it was in. */
	cause = NULL;
	TAP_CHECK(ok_call(spool_begin(sp, &cause), cause, "begin"));
	cause = NULL;
	TAP_CHECK(ok_call(spool_msg_suspend(sp, b->id, true, &cause), cause,
	    "suspend in group"));
	spool_rollback(sp);
	spool_close(sp);
	a->suspended = true;
	b->suspended = false;
	if ((sp = open_spool()) == NULL)
		goto free;
	if (load(sp, &v, &n) && n == 2) {
		check_msg(v[0], a);
		check_msg(v[1], b);
	} else
		TAP_CHECK(n == 2);
	spool_msg_list_free(v, n);
	spool_close(sp);
free:
	spool_msg_free(a);
	spool_msg_free(b);
out:
	teardown();
}

/*
 * The tracking fixture: events inserted out of time order (the next
 * day's first), each tagged with its place in time order in total_bytes.
 */
struct fx_event {
	int64_t		 at;		/* ms after T_BASE */
	const char	*event_id;
	const char	*source;
	const char	*message_id;
	const char	*sender;
	const char	*subject;
	const char	*connector;
	int64_t		 internal;
	int64_t		 tag;
	struct track_rcpt rcpts[2];
	size_t		 nrcpts;
};

static const struct fx_event fx_events[] = {
	{ T_DAY, "RECEIVE", "SMTP", "<c@x.example>", "alice@example.com",
	    "Re: quarterly REPORT", NULL, 4, 7,
	    { { "bob@example.net", NULL } }, 1 },
	{ 0, "RECEIVE", "SMTP", "<a@x.example>", "alice@example.com",
	    "Quarterly Report", NULL, 1, 1,
	    { { "bob@example.net", NULL }, { "carol@example.net", NULL } }, 2 },
	{ 1000, "SEND", "SMTP", "<a@x.example>", "alice@example.com",
	    "Quarterly Report", "Internet", 1, 2,
	    { { "bob@example.net", "250 2.0.0 OK" } }, 1 },
	{ 1000, "DEFER", "SMTP", "<a@x.example>", "Alice@Example.com",
	    "Quarterly Report", "Internet", 1, 3,
	    { { "carol@example.net", "451 4.4.0 busy" } }, 1 },
	{ 2000, "RECEIVE", "SMTP", "b@y.example", "Dave@Example.ORG",
	    "lunch?", NULL, 2, 4,
	    { { "Erin@example.net", NULL } }, 1 },
	{ 3000, "FAIL", "QUEUE", "b@y.example", "dave@example.org",
	    "lunch?", "Partner", 2, 5,
	    { { "erin@example.net", "550 4.4.7 QUEUE.Expired;expired" } }, 1 },
	{ 4000, "DSN", "DSN", NULL, "", NULL, NULL, 3, 6,
	    { { "dave@example.org", NULL },
	    { "\"q\\\"uo\\\\te\"@example.net", NULL } }, 2 },
	{ T_DAY + 5, "RECEIVE", "PICKUP", NULL, NULL, NULL, NULL, 5, 8,
	    { { NULL, NULL } }, 0 },
};
#define FX_N	(sizeof(fx_events) / sizeof(fx_events[0]))

static int
fx_fill(struct spool *sp)
{
	const struct fx_event	*f;
	struct track_event	 ev;
	char			*cause = NULL;
	size_t			 i;

	for (i = 0; i < FX_N; i++) {
		f = &fx_events[i];
		memset(&ev, 0, sizeof ev);
		ev.timestamp_ms = T_BASE + f->at;
		ev.event_id = f->event_id;
		ev.source = f->source;
		ev.source_context = "ctx";
		ev.internal_message_id = f->internal;
		ev.message_id = f->message_id;
		ev.sender = f->sender;
		ev.message_subject = f->subject;
		ev.connector_id = f->connector;
		ev.server_hostname = "EX01";
		ev.server_ip = "192.0.2.10";
		ev.client_ip = f->tag == 8 ? NULL : "198.51.100.7";
		ev.total_bytes = f->tag;
		if (strcmp(f->event_id, "SEND") == 0) {
			ev.client_hostname = "mx.example.net";
			ev.reference = "<ref@x.example>";
			ev.tls_protocol = "TLSv1.3";
			ev.tls_cipher = "TLS_AES_256_GCM_SHA384";
			ev.tls_verify = "DomainValidation ok";
		}
		/* A report names its original, as hubd's DSN records do. */
		if (strcmp(f->event_id, "DSN") == 0)
			ev.reference = "<b@y.example>";
		ev.rcpts = f->rcpts;
		ev.nrcpts = f->nrcpts;
		if (spool_track_add(sp, &ev, &cause) != 0)
			return (ok_call(-1, cause, "spool_track_add"));
	}
	return (1);
}

/* What a query's callback saw. */
struct seen {
	char	tags[128];	/* "1 2 3" */
	char	rcpts[9][160];	/* by tag: "addr=status addr=-" */
	size_t	calls;
	size_t	stop_after;	/* 0: never */
};

static void
seen_add(char *buf, size_t size, const char *fmt, const char *a,
    const char *b)
{
	size_t	len = strlen(buf);

	snprintf(buf + len, size - len, fmt, a, b);
}

/* Record the event; check every field of two of them. */
static int
seen_event(const struct track_event *ev, void *arg)
{
	struct seen	*sn = arg;
	char		 tag[24];
	size_t		 i;

	snprintf(tag, sizeof tag, "%lld", (long long)ev->total_bytes);
	seen_add(sn->tags, sizeof sn->tags, "%s%s", *sn->tags ? " " : "", tag);
	if (ev->total_bytes >= 1 && ev->total_bytes <= 8) {
		for (i = 0; i < ev->nrcpts; i++)
			seen_add(sn->rcpts[ev->total_bytes],
			    sizeof sn->rcpts[0], i ? " %s=%s" : "%s=%s",
			    ev->rcpts[i].addr, ev->rcpts[i].status != NULL ?
			    ev->rcpts[i].status : "-");
	}
	if (ev->total_bytes == 2) {
		TAP_CHECK(ev->timestamp_ms == T_BASE + 1000);
		TAP_STREQ(ev->event_id, "SEND");
		TAP_STREQ(ev->source, "SMTP");
		TAP_STREQ(ev->source_context, "ctx");
		TAP_CHECK(ev->internal_message_id == 1);
		TAP_STREQ(ev->message_id, "<a@x.example>");
		TAP_STREQ(ev->sender, "alice@example.com");
		TAP_STREQ(ev->message_subject, "Quarterly Report");
		TAP_STREQ(ev->connector_id, "Internet");
		TAP_STREQ(ev->server_hostname, "EX01");
		TAP_STREQ(ev->server_ip, "192.0.2.10");
		TAP_STREQ(ev->client_hostname, "mx.example.net");
		TAP_STREQ(ev->client_ip, "198.51.100.7");
		TAP_STREQ(ev->reference, "<ref@x.example>");
		TAP_STREQ(ev->tls_protocol, "TLSv1.3");
		TAP_STREQ(ev->tls_cipher, "TLS_AES_256_GCM_SHA384");
		TAP_STREQ(ev->tls_verify, "DomainValidation ok");
	}
	if (ev->total_bytes == 8) {
		TAP_STREQ(ev->source, "PICKUP");
		TAP_CHECK(ev->sender == NULL && ev->message_id == NULL &&
		    ev->message_subject == NULL && ev->connector_id == NULL &&
		    ev->client_ip == NULL && ev->tls_protocol == NULL);
		TAP_CHECK(ev->nrcpts == 0);
	}
	sn->calls++;
	return (sn->stop_after != 0 && sn->calls >= sn->stop_after);
}

/* Run q; the tags it returned, in order, must be want. */
static void
query_is(struct spool *sp, const struct track_query *q, const char *want,
    const char *what)
{
	struct seen	 sn;
	char		*cause = NULL;

	memset(&sn, 0, sizeof sn);
	if (!ok_call(spool_track_query(sp, q, seen_event, &sn, &cause), cause,
	    what))
		return;
	if (strcmp(sn.tags, want) != 0) {
		printf("# %s: want \"%s\", got \"%s\"\n", what, want, sn.tags);
		tap_case_failed = 1;
	}
}

#define QUERY(set, want) do {						\
	track_query_init(&q);						\
	set;								\
	query_is(sp, &q, want, #set);					\
} while (0)

/* Every filter alone, then together; End is exclusive. */
static void
test_track_query(void)
{
	static const char *bob[] = { "BOB@example.net" };
	static const char *two[] = { NULL, "erin@EXAMPLE.net",
	    "dave@example.org" };
	static const char *odd[] = { "\"q\\\"uo\\\\te\"@example.net" };
	static const char *nobody[] = { "nobody@example.net" };
	static const char *carol[] = { "carol@example.net" };
	struct spool		*sp;
	struct track_query	 q;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	if (!fx_fill(sp))
		goto close;
	QUERY((void)0, "1 2 3 4 5 6 7 8");
	QUERY(q.start_ms = T_BASE + 1000, "2 3 4 5 6 7 8");
	QUERY(q.end_ms = T_BASE + 3000, "1 2 3 4");
	QUERY((q.start_ms = T_BASE + 1000, q.end_ms = T_BASE + 3000),
	    "2 3 4");
	QUERY((q.start_ms = T_BASE, q.end_ms = T_BASE + T_DAY), "1 2 3 4 5 6");
	QUERY((q.start_ms = T_BASE + 3000, q.end_ms = T_BASE + 3000), "");
	QUERY(q.sender = "ALICE@example.com", "1 2 3 7");
	QUERY(q.sender = "", "6");
	QUERY((q.recipients = bob, q.nrecipients = 1), "1 2 7");
	QUERY((q.recipients = two, q.nrecipients = 3), "4 5 6");
	QUERY((q.recipients = odd, q.nrecipients = 1), "6");
	QUERY((q.recipients = nobody, q.nrecipients = 1), "");
	QUERY(q.event_id = "send", "2");
	QUERY(q.event_id = "RECEIVE", "1 4 7 8");
	QUERY(q.message_id = "a@x.example", "1 2 3");
	QUERY(q.message_id = "<a@x.example>", "1 2 3");
	QUERY(q.message_id = "<A@X.example>", "1 2 3");
	QUERY(q.message_id = "b@y.example", "4 5");
	QUERY(q.message_id = "<b@y.example>", "4 5");
	QUERY(q.message_id = "<b@y.example", "");
	QUERY(q.internal_message_id = 2, "4 5");
	QUERY(q.internal_message_id = 0, "");
	QUERY(q.subject = "REPORT", "1 2 3 7");
	QUERY(q.subject = "Lunch", "4 5");
	QUERY(q.subject = "", "1 2 3 4 5 6 7 8");
	QUERY(q.subject = "%", "");
	QUERY(q.connector_id = "internet", "2 3");
	QUERY(q.reference = "ref@x.example", "2");
	QUERY(q.reference = "<REF@x.example>", "2");
	QUERY(q.reference = "b@y.example", "6");
	QUERY(q.reference = "<b@y.example>", "6");
	QUERY(q.reference = "b@y", "");
	QUERY(q.reference = "", "");
	/* Combined. */
	QUERY((q.sender = "alice@example.com", q.event_id = "RECEIVE"),
	    "1 7");
	QUERY((q.sender = "alice@example.com", q.event_id = "RECEIVE",
	    q.end_ms = T_BASE + T_DAY), "1");
	QUERY((q.recipients = bob, q.nrecipients = 1, q.event_id = "SEND"),
	    "2");
	QUERY((q.recipients = carol, q.nrecipients = 1, q.subject = "rep"),
	    "1 3");
	QUERY((q.reference = "b@y.example", q.event_id = "DSN",
	    q.sender = ""), "6");
	QUERY((q.reference = "b@y.example", q.event_id = "FAIL"), "");
	QUERY((q.start_ms = T_BASE + 1000, q.end_ms = T_BASE + 1001,
	    q.sender = "alice@example.com", q.recipients = bob,
	    q.nrecipients = 1, q.event_id = "SEND",
	    q.message_id = "a@x.example", q.internal_message_id = 1,
	    q.subject = "quarterly", q.connector_id = "INTERNET"), "2");
	QUERY((q.start_ms = T_BASE + 1001, q.sender = "alice@example.com",
	    q.recipients = bob, q.nrecipients = 1, q.event_id = "SEND"), "");
	/* ResultSize. */
	QUERY(q.limit = 2, "1 2");
	QUERY(q.limit = 0, "1 2 3 4 5 6 7 8");
	QUERY((q.sender = "alice@example.com", q.limit = 3), "1 2 3");
	QUERY(q.limit = 100, "1 2 3 4 5 6 7 8");
close:
	spool_close(sp);
out:
	teardown();
}

/* Recipients in order with their status; the callback can stop early. */
static void
test_track_query_rcpts(void)
{
	struct spool		*sp;
	struct track_query	 q;
	struct seen		 sn;
	char			*cause = NULL;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	if (!fx_fill(sp))
		goto close;
	track_query_init(&q);
	memset(&sn, 0, sizeof sn);
	TAP_CHECK(ok_call(spool_track_query(sp, &q, seen_event, &sn, &cause),
	    cause, "query"));
	TAP_STREQ(sn.rcpts[1], "bob@example.net=- carol@example.net=-");
	TAP_STREQ(sn.rcpts[2], "bob@example.net=250 2.0.0 OK");
	TAP_STREQ(sn.rcpts[5],
	    "erin@example.net=550 4.4.7 QUEUE.Expired;expired");
	TAP_STREQ(sn.rcpts[6],
	    "dave@example.org=- \"q\\\"uo\\\\te\"@example.net=-");
	TAP_STREQ(sn.rcpts[8], "");
	TAP_CHECK(sn.calls == 8);
	/* Stop after three: no more calls, and not an error. */
	memset(&sn, 0, sizeof sn);
	sn.stop_after = 3;
	cause = NULL;
	TAP_CHECK(ok_call(spool_track_query(sp, &q, seen_event, &sn, &cause),
	    cause, "stopped query"));
	TAP_STREQ(sn.tags, "1 2 3");
	TAP_CHECK(sn.calls == 3);
	/* The connection is usable afterwards: no transaction left open. */
	cause = NULL;
	TAP_CHECK(ok_call(spool_begin(sp, &cause), cause, "begin after"));
	cause = NULL;
	TAP_CHECK(ok_call(spool_commit(sp, &cause), cause, "commit after"));
	/* Inside the writer's transaction it reads what the group wrote. */
	cause = NULL;
	TAP_CHECK(ok_call(spool_begin(sp, &cause), cause, "begin"));
	track_query_init(&q);
	q.sender = "";
	query_is(sp, &q, "6", "inside a group");
	spool_rollback(sp);
close:
	spool_close(sp);
out:
	teardown();
}

/*
 * The plan of sql: 0 if it scans track or track_rcpt whole, else 1 and,
 * when index is not NULL, only if it names that index.
 */
static int
plan_ok(const char *sql, const char *index)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		*q;
	const char	*d;
	int		 scan = 0, found = (index == NULL);

	if (sqlite3_open(tpath, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return (0);
	}
	q = xprintf("EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		printf("# %s: %s\n", sql, sqlite3_errmsg(db));
	else {
		while (sqlite3_step(st) == SQLITE_ROW) {
			d = (const char *)sqlite3_column_text(st, 3);
			if (d == NULL)
				continue;
			if (strncmp(d, "SCAN track", 10) == 0)
				scan = 1;
			if (index != NULL && strstr(d, index) != NULL)
				found = 1;
		}
		sqlite3_finalize(st);
	}
	if (scan || !found)
		printf("# plan of %s: %s%s%s\n", sql, scan ? "full scan" : "",
		    !found ? " no index " : "", !found ? index : "");
	free(q);
	sqlite3_close(db);
	return (!scan && found);
}

/* spool_track_query's SQL for q: the plan is checked against index. */
static int
query_plan_ok(const struct track_query *q, const char *index)
{
	char	*sql;
	int	 ok;

	sql = spool_track_sql(q, NULL);
	ok = plan_ok(sql, index);
	free(sql);
	return (ok);
}

#define PLAN(set, index) do {						\
	track_query_init(&q);						\
	set;								\
	TAP_CHECK(query_plan_ok(&q, index));				\
} while (0)

#define DAY(q)	((q).start_ms = T_BASE, (q).end_ms = T_BASE + T_DAY)

/* A one-day window and every exact filter are served by an index. */
static void
test_track_query_plans(void)
{
	static const char *rc[] = { "a@example.net", "b@example.net" };
	struct spool		*sp;
	struct track_query	 q;
	char			*a, *b;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	PLAN(DAY(q), "track_time");
	PLAN((DAY(q), q.limit = 1000), "track_time");
	PLAN(q.start_ms = T_BASE, "track_time");
	PLAN((DAY(q), q.sender = "a@example.com"), "track_sender");
	PLAN((DAY(q), q.recipients = rc, q.nrecipients = 2),
	    "track_rcpt_addr");
	PLAN((DAY(q), q.event_id = "SEND"), "track_event");
	PLAN((DAY(q), q.message_id = "<a@x>"), "track_message_id");
	PLAN((DAY(q), q.internal_message_id = 7), "track_internal_id");
	PLAN((DAY(q), q.subject = "report"), "track_time");
	PLAN((DAY(q), q.connector_id = "Internet"), "track_connector");
	PLAN((DAY(q), q.reference = "<a@x>"), "track_reference");
	PLAN((DAY(q), q.sender = "a@example.com", q.recipients = rc,
	    q.nrecipients = 2, q.event_id = "SEND", q.message_id = "<a@x>",
	    q.internal_message_id = 7, q.subject = "r",
	    q.connector_id = "Internet", q.reference = "<b@x>"), NULL);
	/* Without a window. */
	PLAN(q.sender = "a@example.com", "track_sender");
	PLAN((q.recipients = rc, q.nrecipients = 2), "track_rcpt_addr");
	PLAN(q.event_id = "SEND", "track_event");
	PLAN(q.message_id = "<a@x>", "track_message_id");
	PLAN(q.internal_message_id = 7, "track_internal_id");
	PLAN(q.connector_id = "Internet", "track_connector");
	PLAN(q.reference = "a@x", "track_reference");
	/* One text per combination of filters, whatever the values. */
	track_query_init(&q);
	q.sender = "x@example.com";
	q.recipients = rc;
	q.nrecipients = 1;
	a = spool_track_sql(&q, NULL);
	q.sender = "y@example.com";
	q.nrecipients = 2;
	q.limit = 5;
	b = spool_track_sql(&q, NULL);
	TAP_STREQ(a, b);
	TAP_CHECK(strstr(a, "example") == NULL);
	free(a);
	free(b);
	spool_close(sp);
out:
	teardown();
}

/* Add n events a second apart from T_BASE, each with two recipients. */
static int
prune_fill(struct spool *sp, int n)
{
	struct track_rcpt	 r[2] = { { "a@example.net", NULL },
				    { "b@example.net", "250 OK" } };
	struct track_event	 ev;
	char			*cause = NULL;
	int			 i;

	memset(&ev, 0, sizeof ev);
	ev.event_id = "RECEIVE";
	ev.source = "SMTP";
	ev.rcpts = r;
	ev.nrcpts = 2;
	for (i = n - 1; i >= 0; i--) {		/* newest first */
		ev.timestamp_ms = T_BASE + (int64_t)i * 1000;
		ev.total_bytes = i;
		if (spool_track_add(sp, &ev, &cause) != 0)
			return (ok_call(-1, cause, "spool_track_add"));
	}
	return (1);
}

static int64_t
prune(struct spool *sp, int64_t before, int64_t max)
{
	char	*cause = NULL;
	int64_t	 n = -1;

	if (!ok_call(spool_track_prune(sp, before, max, &n, &cause), cause,
	    "spool_track_prune"))
		return (-1);
	return (n);
}

/* Oldest first, in batches, with the recipients; inside a group too. */
static void
test_track_prune(void)
{
	struct spool	*sp;
	char		*cause = NULL;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	if (!prune_fill(sp, 25))
		goto close;
	/* Events 0..9 are older than T_BASE + 10 s. */
	TAP_CHECK(prune(sp, T_BASE + 10000, 4) == 4);
	TAP_CHECK(raw_int("SELECT min(total_bytes) FROM track") == 4);
	TAP_CHECK(raw_int("SELECT count(*) FROM track") == 21);
	TAP_CHECK(raw_int("SELECT count(*) FROM track_rcpt") == 42);
	TAP_CHECK(prune(sp, T_BASE + 10000, 4) == 4);
	TAP_CHECK(prune(sp, T_BASE + 10000, 4) == 2);
	TAP_CHECK(prune(sp, T_BASE + 10000, 4) == 0);
	TAP_CHECK(raw_int("SELECT min(total_bytes) FROM track") == 10);
	TAP_CHECK(raw_int("SELECT count(*) FROM track_rcpt WHERE track_id "
	    "NOT IN (SELECT id FROM track)") == 0);
	TAP_CHECK(raw_int("SELECT count(*) FROM track_rcpt") == 30);
	/* In a group: undone by a rollback, kept by a commit. */
	TAP_CHECK(ok_call(spool_begin(sp, &cause), cause, "begin"));
	TAP_CHECK(prune(sp, T_BASE + 20000, 3) == 3);
	spool_rollback(sp);
	TAP_CHECK(raw_int("SELECT count(*) FROM track") == 15);
	cause = NULL;
	TAP_CHECK(ok_call(spool_begin(sp, &cause), cause, "begin"));
	cause = NULL;
	TAP_CHECK(ok_call(spool_job_enter(sp, &cause), cause, "job"));
	TAP_CHECK(prune(sp, T_BASE + 20000, 3) == 3);
	cause = NULL;
	TAP_CHECK(ok_call(spool_job_leave(sp, 1, &cause), cause, "leave"));
	TAP_CHECK(prune(sp, T_BASE + 20000, 3) == 3);
	cause = NULL;
	TAP_CHECK(ok_call(spool_commit(sp, &cause), cause, "commit"));
	TAP_CHECK(raw_int("SELECT count(*) FROM track") == 9);
	TAP_CHECK(raw_int("SELECT min(total_bytes) FROM track") == 16);
	/* No limit. */
	TAP_CHECK(prune(sp, T_BASE + 100000, 0) == 9);
	TAP_CHECK(raw_int("SELECT count(*) FROM track") == 0);
	TAP_CHECK(raw_int("SELECT count(*) FROM track_rcpt") == 0);
close:
	spool_close(sp);
out:
	teardown();
}

/* SQL of every table and index, in name order: the schema's fingerprint. */
static char *
raw_schema(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		*out = NULL, *tmp;
	const char	*sql;

	if (sqlite3_open(path, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return (xstrdup("?"));
	}
	if (sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master "
	    "ORDER BY name", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			sql = (const char *)sqlite3_column_text(st, 1);
			tmp = xprintf("%s%s: %s\n", out != NULL ? out : "",
			    sqlite3_column_text(st, 0), sql != NULL ? sql : "");
			free(out);
			out = tmp;
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return (out != NULL ? out : xstrdup(""));
}

/*
 * The spool at tpath, migrated, has the schema of a spool created at the
 * current version (made beside it), the latest steps' objects included.
 */
static void
same_schema_as_fresh(void)
{
	struct spool	*sp;
	char		*migrated, *fresh, *path;

	migrated = raw_schema(tpath);
	path = tpath;
	tpath = xprintf("%s/fresh/queue.db", tdir);
	if ((sp = open_spool()) != NULL)
		spool_close(sp);
	fresh = raw_schema(tpath);
	TAP_STREQ(migrated, fresh);
	TAP_CHECK(strstr(fresh, "track_connector") != NULL);
	TAP_CHECK(strstr(fresh, "track_reference") != NULL);
	TAP_CHECK(strstr(fresh, "cert_watch") != NULL);
	TAP_CHECK(strstr(fresh, "sts_policies") != NULL);
	TAP_CHECK(strstr(fresh, "sts_expires") != NULL);
	free(tpath);
	tpath = path;
	free(migrated);
	free(fresh);
}

/* A version 1 spool is brought to the current version and keeps its data. */
static void
test_migrate_v1(void)
{
	struct spool		*sp;
	struct spool_msg	**v = NULL;
	struct track_query	 q;
	char			*dir;
	size_t			 n = 0;

	setup();
	dir = xprintf("%s/state", tdir);
	TAP_CHECK(mkdir(dir, 0700) == 0);
	TAP_CHECK(raw_sql(spool_v1) == 0);
	TAP_CHECK(raw_sql("INSERT INTO messages (id, sender, ret_hdrs, "
	    "received, size, source) VALUES (5, 'old@example.com', 0, "
	    "1700000000, 3, 'SMTP');"
	    "INSERT INTO message_body VALUES (5, x'414243');"
	    "INSERT INTO recipients (msg_id, seq, addr, notify, state, "
	    "retry_count, next_attempt, delay_notified) VALUES "
	    "(5, 0, 'r@example.net', 0, 0, 2, 1700000600, 1);"
	    "INSERT INTO track (timestamp_ms, event_id, source, "
	    "internal_message_id, connector_id, total_bytes) VALUES "
	    "(1700000000000, 'RECEIVE', 'SMTP', 5, 'Internet', 3);"
	    "INSERT INTO track_rcpt VALUES (1, 0, 'r@example.net', NULL);")
	    == 0);
	TAP_CHECK(raw_int("PRAGMA user_version") == 1);
	if ((sp = open_spool()) == NULL)
		goto out;
	TAP_CHECK(raw_int("PRAGMA user_version") == SPOOL_SCHEMA_VERSION);
	if (load(sp, &v, &n) && n == 1) {
		TAP_CHECK(v[0]->id == 5 && !v[0]->suspended);
		TAP_STREQ(v[0]->sender, "old@example.com");
		TAP_CHECK(v[0]->nrcpts == 1 && v[0]->rcpts[0].retry_count == 2
		    && v[0]->rcpts[0].delay_notified);
	} else
		TAP_CHECK(n == 1);
	spool_msg_list_free(v, n);
	TAP_CHECK(body_is(sp, 5, "ABC", 3));
	track_query_init(&q);
	q.connector_id = "internet";
	query_is(sp, &q, "3", "migrated tracking log");
	spool_close(sp);
	same_schema_as_fresh();
out:
	free(dir);
	teardown();
}

/*
 * Versions 2 to 4 as hubd wrote them, after spool_v1: with it, the
 * starting point of the version 4 migration test.  A frozen copy, never
 * to be changed.
 */
static const char spool_v2_to_v4[] =
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
	"PRAGMA user_version = 2;"
	"CREATE INDEX track_reference ON track (reference COLLATE NOCASE)"
	" WHERE reference IS NOT NULL;"
	"PRAGMA user_version = 3;"
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

/* A period's counts as spool_tlsrpt_add takes them. */
static void
tlsrpt_count(struct spool_tlsrpt_policy *p, const char *domain,
    int64_t begin, const char *type, int64_t success, int64_t failure)
{
	memset(p, 0, sizeof *p);
	p->domain = (char *)domain;
	p->begin = begin;
	p->end = begin + 86400;
	p->type = (char *)type;
	p->policy = (char *)(strcmp(type, "sts") == 0 ? "version: STSv1\n"
	    "mode: enforce\nmx: mx.example.net\nmax_age: 86400" : "");
	p->mx = (char *)(strcmp(type, "sts") == 0 ? "mx.example.net" : "");
	p->success = success;
	p->failure = failure;
}

/*
 * A version 4 spool (messages, an alarm and a certificate watch record)
 * is brought to version 7: everything is kept, a message has asked
 * nothing of TLS (version 5), the MTA-STS policies (version 6) and the
 * TLS-RPT counts (version 7) work, and the schema is that of a spool
 * created at the current version.
 */
static void
test_migrate_v4(void)
{
	struct spool		*sp;
	struct spool_msg	**v = NULL;
	struct spool_alarm	*al = NULL;
	struct spool_cert	 c;
	struct spool_sts	 p;
	struct spool_tlsrpt_policy tp;
	char			*dir, *cause = NULL;
	char			*mx[] = { "mx.example.net" };
	size_t			 n = 0;

	setup();
	dir = xprintf("%s/state", tdir);
	TAP_CHECK(mkdir(dir, 0700) == 0);
	TAP_CHECK(raw_sql(spool_v1) == 0);
	TAP_CHECK(raw_sql(spool_v2_to_v4) == 0);
	TAP_CHECK(raw_sql("INSERT INTO messages (id, sender, ret_hdrs, "
	    "received, size, source, suspended) VALUES (7, 'old@example.com', "
	    "0, 1700000000, 3, 'SMTP', 1);"
	    "INSERT INTO message_body VALUES (7, x'414243');"
	    "INSERT INTO recipients (msg_id, seq, addr, notify, state, "
	    "retry_count, next_attempt, delay_notified) VALUES "
	    "(7, 0, 'r@example.net', 0, 0, 1, 1700000600, 0);"
	    "INSERT INTO alarms VALUES ('g|example.net', 'Internet', "
	    "'example.net', 1700000100);"
	    "INSERT INTO cert_watch VALUES ('g', 'example.net', "
	    "'mx.example.net', '192.0.2.1:25', 'Internet', 1700000200, 1, 1, "
	    "1, 'CN=mx', 'CN=CA', 'mx.example.net', 1, 2, 'AB', 'CD', 'EF', "
	    "'EncryptionOnly', 'Pass', NULL, 0);") == 0);
	TAP_CHECK(raw_int("PRAGMA user_version") == 4);
	if ((sp = open_spool()) == NULL)
		goto out;
	TAP_CHECK(raw_int("PRAGMA user_version") == SPOOL_SCHEMA_VERSION);
	TAP_CHECK(SPOOL_SCHEMA_VERSION == 7);
	if (load(sp, &v, &n) && n == 1) {
		TAP_CHECK(v[0]->id == 7 && v[0]->suspended);
		TAP_CHECK(!v[0]->requiretls && !v[0]->tls_optional);
		TAP_CHECK(v[0]->nrcpts == 1 && v[0]->rcpts[0].retry_count == 1);
	} else
		TAP_CHECK(n == 1);
	spool_msg_list_free(v, n);
	TAP_CHECK(body_is(sp, 7, "ABC", 3));
	TAP_CHECK(ok_call(spool_alarm_load(sp, &al, &n, &cause), cause,
	    "alarm load"));
	TAP_CHECK(n == 1 && al != NULL && al[0].started == 1700000100);
	spool_alarm_list_free(al, n);
	cause = NULL;
	TAP_CHECK(spool_cert_get(sp, "g", "example.net", "mx.example.net",
	    "192.0.2.1:25", &c, &cause) == 1);
	TAP_STREQ(c.levels, "EncryptionOnly");
	spool_cert_clear(&c);

	memset(&p, 0, sizeof p);
	p.domain = "example.net";
	p.id = "v4to5";
	p.mode = "testing";
	p.mx = mx;
	p.nmx = 1;
	p.max_age = 60;
	p.fetched = 1700000300;
	TAP_CHECK(ok_call(spool_sts_put(sp, &p, &cause), cause, "sts put"));
	cause = NULL;
	TAP_CHECK(spool_sts_get(sp, "example.net", &p, &cause) == 1);
	TAP_STREQ(p.id, "v4to5");
	TAP_CHECK(p.expires == 1700000360);
	spool_sts_clear(&p);
	tlsrpt_count(&tp, "example.net", 1700000000, "sts", 2, 1);
	TAP_CHECK(ok_call(spool_tlsrpt_add(sp, &tp, &cause), cause,
	    "tlsrpt add"));
	TAP_CHECK(raw_int("SELECT success FROM tlsrpt_policies") == 2);
	spool_close(sp);
	same_schema_as_fresh();
out:
	free(dir);
	teardown();
}

/* A failure as spool_tlsrpt_fail_add takes it. */
static void
tlsrpt_fail(struct spool_tlsrpt_failure *f, const char *domain,
    int64_t begin, const char *result, const char *ip, int64_t count)
{
	memset(f, 0, sizeof *f);
	f->domain = (char *)domain;
	f->begin = begin;
	f->type = (char *)"no-policy-found";
	f->policy = (char *)"";
	f->result = (char *)result;
	f->sending_ip = (char *)"192.0.2.9";
	f->mx_host = (char *)"mx.example.org";
	f->receiving_ip = (char *)ip;
	f->count = count;
}

static void
test_tlsrpt_counts(void)
{
	struct spool			*sp;
	struct spool_tlsrpt_policy	 p;
	struct spool_tlsrpt_failure	 f;
	struct spool_tlsrpt_day		*v = NULL;
	char				*cause = NULL;
	size_t				 n = 0;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	tlsrpt_count(&p, "example.net", 86400, "sts", 3, 0);
	TAP_CHECK(ok_call(spool_tlsrpt_add(sp, &p, &cause), cause, "add"));
	tlsrpt_count(&p, "example.net", 86400, "sts", 1, 2);
	TAP_CHECK(ok_call(spool_tlsrpt_add(sp, &p, &cause), cause, "add"));
	tlsrpt_count(&p, "example.org", 86400, "no-policy-found", 0, 4);
	TAP_CHECK(ok_call(spool_tlsrpt_add(sp, &p, &cause), cause, "add"));
	tlsrpt_count(&p, "example.org", 2 * 86400, "no-policy-found", 5, 0);
	TAP_CHECK(ok_call(spool_tlsrpt_add(sp, &p, &cause), cause, "add"));
	tlsrpt_fail(&f, "example.org", 86400, "certificate-expired",
	    "192.0.2.1", 3);
	TAP_CHECK(ok_call(spool_tlsrpt_fail_add(sp, &f, &cause), cause,
	    "fail add"));
	tlsrpt_fail(&f, "example.org", 86400, "certificate-expired",
	    "192.0.2.1", 1);
	TAP_CHECK(ok_call(spool_tlsrpt_fail_add(sp, &f, &cause), cause,
	    "fail add"));
	tlsrpt_fail(&f, "example.org", 86400, "certificate-expired",
	    "192.0.2.2", 1);
	TAP_CHECK(ok_call(spool_tlsrpt_fail_add(sp, &f, &cause), cause,
	    "fail add"));
	TAP_CHECK(raw_int("SELECT count(*) FROM tlsrpt_policies") == 3);

	/* Only the first period has ended by 2 * 86400. */
	TAP_CHECK(ok_call(spool_tlsrpt_due(sp, 2 * 86400, &v, &n, &cause),
	    cause, "due"));
	TAP_CHECK(n == 2);
	if (n == 2) {
		TAP_STREQ(v[0].domain, "example.net");
		TAP_STREQ(v[1].domain, "example.org");
		TAP_CHECK(v[0].begin == 86400 && v[0].end == 2 * 86400);
		TAP_CHECK(ok_call(spool_tlsrpt_load(sp, &v[0], &cause),
		    cause, "load"));
		TAP_CHECK(v[0].npol == 1 && v[0].nfail == 0);
		if (v[0].npol == 1) {
			TAP_CHECK(v[0].pol[0].success == 4 &&
			    v[0].pol[0].failure == 2);
			TAP_STREQ(v[0].pol[0].mx, "mx.example.net");
		}
		TAP_CHECK(ok_call(spool_tlsrpt_load(sp, &v[1], &cause),
		    cause, "load"));
		TAP_CHECK(v[1].npol == 1 && v[1].nfail == 2);
		if (v[1].nfail == 2) {
			TAP_STREQ(v[1].fail[0].receiving_ip, "192.0.2.1");
			TAP_CHECK(v[1].fail[0].count == 4);
			TAP_CHECK(v[1].fail[1].count == 1);
			TAP_STREQ(v[1].fail[1].result, "certificate-expired");
		}
	}
	spool_tlsrpt_days_free(v, n);
	/* The schema refuses a type RFC 8460 does not have. */
	tlsrpt_count(&p, "example.net", 86400, "dane", 1, 0);
	TAP_CHECK(spool_tlsrpt_add(sp, &p, &cause) == -1 && cause != NULL);
	free(cause);
	spool_close(sp);
out:
	teardown();
}

static void
test_tlsrpt_reported(void)
{
	struct spool			*sp;
	struct spool_tlsrpt_policy	 p;
	struct spool_tlsrpt_day		*v = NULL;
	const char			*ruas[] = { "mailto:r@example.net",
					    "https://r.example.net/v1" };
	char				*cause = NULL;
	size_t				 n = 0;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	tlsrpt_count(&p, "example.net", 0, "tlsa", 2, 0);
	TAP_CHECK(ok_call(spool_tlsrpt_add(sp, &p, &cause), cause, "add"));
	tlsrpt_count(&p, "example.com", 0, "tlsa", 2, 0);
	TAP_CHECK(ok_call(spool_tlsrpt_add(sp, &p, &cause), cause, "add"));
	TAP_CHECK(ok_call(spool_tlsrpt_due(sp, 86400, &v, &n, &cause),
	    cause, "due"));
	TAP_CHECK(n == 2);
	if (n == 2) {
		TAP_CHECK(ok_call(spool_tlsrpt_reported(sp, &v[1], "r1", ruas,
		    2, 90000, &cause), cause, "reported"));
		/* example.com: no record, the counts are dropped. */
		TAP_CHECK(ok_call(spool_tlsrpt_reported(sp, &v[0], "r0", NULL,
		    0, 90000, &cause), cause, "dropped"));
	}
	spool_tlsrpt_days_free(v, n);
	TAP_CHECK(raw_int("SELECT count(*) FROM tlsrpt_policies") == 0);
	TAP_CHECK(raw_int("SELECT count(*) FROM tlsrpt_sent WHERE "
	    "outcome = 'pending' AND domain = 'example.net'") == 2);

	/* A late increment for the reported period is not kept. */
	tlsrpt_count(&p, "example.net", 0, "tlsa", 1, 0);
	TAP_CHECK(ok_call(spool_tlsrpt_add(sp, &p, &cause), cause, "add"));
	TAP_CHECK(raw_int("SELECT count(*) FROM tlsrpt_policies") == 0);
	TAP_CHECK(ok_call(spool_tlsrpt_due(sp, 86400, &v, &n, &cause),
	    cause, "due"));
	TAP_CHECK(n == 0);
	spool_tlsrpt_days_free(v, n);

	TAP_CHECK(ok_call(spool_tlsrpt_outcome(sp, "r1", ruas[1], "delivered",
	    90010, &cause), cause, "outcome"));
	TAP_CHECK(raw_int("SELECT at FROM tlsrpt_sent WHERE outcome = "
	    "'delivered'") == 90010);
	TAP_CHECK(ok_call(spool_tlsrpt_prune(sp, 86400, &cause), cause,
	    "prune"));
	TAP_CHECK(raw_int("SELECT count(*) FROM tlsrpt_sent") == 2);
	TAP_CHECK(ok_call(spool_tlsrpt_prune(sp, 86401, &cause), cause,
	    "prune"));
	TAP_CHECK(raw_int("SELECT count(*) FROM tlsrpt_sent") == 0);
	spool_close(sp);
out:
	teardown();
}

/* A policy as spool_sts_put takes it (the strings are the caller's). */
static void
sts_policy(struct spool_sts *p, const char *domain, const char *id,
    const char *mode, char **mx, size_t nmx, int64_t max_age,
    int64_t fetched)
{
	memset(p, 0, sizeof *p);
	p->domain = (char *)domain;
	p->id = (char *)id;
	p->mode = (char *)mode;
	p->mx = mx;
	p->nmx = nmx;
	p->max_age = max_age;
	p->fetched = fetched;
}

static int
sts_put(struct spool *sp, const struct spool_sts *p)
{
	char	*cause = NULL;

	return (ok_call(spool_sts_put(sp, p, &cause), cause, "sts put"));
}

static int
sts_fail(struct spool *sp, const char *domain, const char *failure,
    int64_t when)
{
	char	*cause = NULL;

	return (ok_call(spool_sts_fail(sp, domain, failure, when, &cause),
	    cause, "sts fail"));
}

/* Join strings with ' ' (caller frees). */
static char *
sts_join(char **v, size_t n)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s%s", i > 0 ? " " : "", v[i]);
	return (buf_detach(&b));
}

/*
 * A policy round-trips; a failed refresh is kept beside it and leaves
 * it as it was; the next policy fetched clears the failure; a domain
 * whose first fetch failed has the failure alone; mode none without mx.
 * A read-only open reads them.
 */
static void
test_sts_policies(void)
{
	struct spool		*sp, *ro = NULL;
	struct spool_sts	 in, p;
	char			*mx[] = { "mx1.example.com",
				    "*.example.net" };
	char			*cause = NULL, *got;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	TAP_CHECK(spool_sts_get(sp, "example.com", &p, &cause) == 0);
	TAP_CHECK(p.domain == NULL && p.nmx == 0);
	sts_policy(&in, "example.com", "20160831085700Z", "enforce", mx, 2,
	    86400, 1000);
	TAP_CHECK(sts_put(sp, &in));
	TAP_CHECK(spool_sts_get(sp, "example.com", &p, &cause) == 1);
	TAP_STREQ(p.domain, "example.com");
	TAP_STREQ(p.id, "20160831085700Z");
	TAP_STREQ(p.mode, "enforce");
	got = sts_join(p.mx, p.nmx);
	TAP_STREQ(got, "mx1.example.com *.example.net");
	free(got);
	TAP_CHECK(p.max_age == 86400 && p.fetched == 1000 &&
	    p.expires == 87400);
	TAP_CHECK(p.failure == NULL && p.failed == 0);
	spool_sts_clear(&p);

	/* A refresh fails: the policy stays, the failure is beside it. */
	TAP_CHECK(sts_fail(sp, "example.com", "mta-sts.example.com: HTTP "
	    "status 500, not 200", 2000));
	TAP_CHECK(spool_sts_get(sp, "example.com", &p, &cause) == 1);
	TAP_STREQ(p.id, "20160831085700Z");
	TAP_CHECK(p.nmx == 2 && p.expires == 87400);
	TAP_STREQ(p.failure, "mta-sts.example.com: HTTP status 500, not 200");
	TAP_CHECK(p.failed == 2000);
	spool_sts_clear(&p);

	/* The next fetch replaces the policy and clears the failure. */
	sts_policy(&in, "example.com", "2", "testing", mx, 1, 60, 3000);
	TAP_CHECK(sts_put(sp, &in));
	TAP_CHECK(spool_sts_get(sp, "example.com", &p, &cause) == 1);
	TAP_STREQ(p.id, "2");
	TAP_STREQ(p.mode, "testing");
	TAP_CHECK(p.nmx == 1 && p.expires == 3060);
	TAP_CHECK(p.failure == NULL && p.failed == 0);
	spool_sts_clear(&p);

	/* A first fetch that failed: the failure alone. */
	TAP_CHECK(sts_fail(sp, "new.example", "no answer", 4000));
	TAP_CHECK(spool_sts_get(sp, "new.example", &p, &cause) == 1);
	TAP_CHECK(p.id == NULL && p.mode == NULL && p.nmx == 0 &&
	    p.expires == 0);
	TAP_STREQ(p.failure, "no answer");
	TAP_CHECK(p.failed == 4000);
	spool_sts_clear(&p);

	/* Mode none, no mx. */
	sts_policy(&in, "none.example", "n0", "none", NULL, 0, 0, 5000);
	TAP_CHECK(sts_put(sp, &in));
	TAP_CHECK(spool_sts_get(sp, "none.example", &p, &cause) == 1);
	TAP_STREQ(p.mode, "none");
	TAP_CHECK(p.nmx == 0 && p.mx == NULL && p.expires == 5000);
	spool_sts_clear(&p);
	spool_close(sp);

	TAP_CHECK(ok_call(spool_open_readonly(&ro, tpath, &cause), cause,
	    "open read-only"));
	cause = NULL;
	if (ro != NULL) {
		TAP_CHECK(spool_sts_get(ro, "example.com", &p, &cause) == 1);
		TAP_STREQ(p.id, "2");
		spool_sts_clear(&p);
		TAP_CHECK(spool_sts_fail(ro, "example.com", "x", 1, &cause) ==
		    -1);
		free(cause);
		spool_close(ro);
	}
out:
	teardown();
}

/* Collects the domains spool_sts_list hands over, stopping after max. */
struct sts_seen {
	char	names[256];
	int	n, max;
};

static int
sts_seen(const struct spool_sts *p, void *arg)
{
	struct sts_seen	*seen = arg;
	size_t		 len = strlen(seen->names);

	snprintf(seen->names + len, sizeof seen->names - len, "%s%s:%s",
	    len > 0 ? " " : "", p->domain, p->id != NULL ? p->mode : "-");
	return (++seen->n == seen->max);
}

/* spool_sts_due with these bounds, as one string. */
static char *
sts_due(struct spool *sp, int64_t before, int64_t failed_before, size_t max)
{
	char	**v = NULL, *cause = NULL, *s;
	size_t	  n = 0;

	if (!ok_call(spool_sts_due(sp, before, failed_before, max, &v, &n,
	    &cause), cause, "sts due"))
		return (xstrdup("?"));
	s = sts_join(v, n);
	strv_free(v, n);
	return (s);
}

/*
 * The list is by domain and stops when asked; the refresh list is the
 * policies expiring before a time, soonest first, without those whose
 * refresh failed lately, at most so many; delete and prune forget.
 */
static void
test_sts_due(void)
{
	struct spool		*sp;
	struct spool_sts	 in, p;
	struct sts_seen		 seen;
	char			*mx[] = { "mx.example" };
	char			*cause = NULL, *s;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	/* Expiring at 1100, 1500, 2000 and 9000. */
	sts_policy(&in, "c.example", "c", "enforce", mx, 1, 1000, 100);
	TAP_CHECK(sts_put(sp, &in));
	sts_policy(&in, "a.example", "a", "testing", mx, 1, 500, 1000);
	TAP_CHECK(sts_put(sp, &in));
	sts_policy(&in, "b.example", "b", "enforce", mx, 1, 1000, 1000);
	TAP_CHECK(sts_put(sp, &in));
	sts_policy(&in, "d.example", "d", "none", NULL, 0, 8000, 1000);
	TAP_CHECK(sts_put(sp, &in));
	TAP_CHECK(sts_fail(sp, "e.example", "refused", 1200));

	memset(&seen, 0, sizeof seen);
	seen.max = -1;
	TAP_CHECK(ok_call(spool_sts_list(sp, sts_seen, &seen, &cause), cause,
	    "list"));
	cause = NULL;
	TAP_STREQ(seen.names, "a.example:testing b.example:enforce "
	    "c.example:enforce d.example:none e.example:-");
	memset(&seen, 0, sizeof seen);
	seen.max = 2;
	TAP_CHECK(ok_call(spool_sts_list(sp, sts_seen, &seen, &cause), cause,
	    "list, stopped"));
	cause = NULL;
	TAP_STREQ(seen.names, "a.example:testing b.example:enforce");

	s = sts_due(sp, 2001, 0, 0);
	TAP_STREQ(s, "c.example a.example b.example");
	free(s);
	s = sts_due(sp, 2000, 0, 0);
	TAP_STREQ(s, "c.example a.example");
	free(s);
	s = sts_due(sp, 10000, 0, 2);
	TAP_STREQ(s, "c.example a.example");
	free(s);
	/* a's refresh failed at 1600: not again before failed_before. */
	TAP_CHECK(sts_fail(sp, "a.example", "timed out", 1600));
	s = sts_due(sp, 10000, 1600, 0);
	TAP_STREQ(s, "c.example b.example d.example");
	free(s);
	s = sts_due(sp, 10000, 1601, 0);
	TAP_STREQ(s, "c.example a.example b.example d.example");
	free(s);
	s = sts_due(sp, 1100, 0, 0);
	TAP_STREQ(s, "");
	free(s);

	/* Prune at 1600: c (expired 1100), a (1500), e's lone failure. */
	TAP_CHECK(ok_call(spool_sts_prune(sp, 1600, &cause), cause,
	    "prune"));
	cause = NULL;
	memset(&seen, 0, sizeof seen);
	seen.max = -1;
	TAP_CHECK(ok_call(spool_sts_list(sp, sts_seen, &seen, &cause), cause,
	    "list after prune"));
	cause = NULL;
	TAP_STREQ(seen.names, "b.example:enforce d.example:none");

	TAP_CHECK(spool_sts_delete(sp, "b.example", &cause) == 0);
	TAP_CHECK(spool_sts_delete(sp, "b.example", &cause) == 1);
	TAP_CHECK(spool_sts_get(sp, "b.example", &p, &cause) == 0);
	TAP_CHECK(raw_int("SELECT count(*) FROM sts_policies") == 1);
	spool_close(sp);
out:
	teardown();
}

/*
 * What the table refuses, leaving it as it was: a domain not in lower
 * case, an id out of bounds, an unknown mode, max_age out of range, an
 * mx pattern with a space, a policy without an id.
 */
static void
test_sts_refused(void)
{
	struct spool		*sp;
	struct spool_sts	 in, p;
	char			*mx[] = { "mx.example" };
	char			*bad[] = { "a b" };
	char			*empty[] = { "" }, *cause = NULL;
	const struct {
		const char	*domain, *id, *mode;
		char		**mx;
		int64_t		 max_age;
	} rows[] = {
		{ "Example.com", "a", "enforce", mx, 60 },
		{ "", "a", "enforce", mx, 60 },
		{ "x.example", "", "enforce", mx, 60 },
		{ "x.example", "abc-d", "enforce", mx, 60 },
		{ "x.example", "abcdefghijklmnopqrstuvwxyz0123456", "enforce",
		    mx, 60 },
		{ "x.example", "a", "strict", mx, 60 },
		{ "x.example", "a", "Enforce", mx, 60 },
		{ "x.example", "a", "enforce", mx, -1 },
		{ "x.example", "a", "enforce", mx, 31557601 },
		{ "x.example", "a", "enforce", bad, 60 },
		{ "x.example", "a", "enforce", empty, 60 },
		{ "x.example", NULL, "enforce", mx, 60 },
		{ "x.example", "a", NULL, mx, 60 },
	};
	size_t			 i;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	sts_policy(&in, "x.example", "kept", "enforce", mx, 1, 60, 1000);
	TAP_CHECK(sts_put(sp, &in));
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		sts_policy(&in, rows[i].domain, rows[i].id, rows[i].mode,
		    rows[i].mx, 1, rows[i].max_age, 2000);
		if (spool_sts_put(sp, &in, &cause) != -1) {
			printf("# row %zu was taken\n", i);
			tap_case_failed = 1;
		}
		free(cause);
		cause = NULL;
	}
	TAP_CHECK(spool_sts_fail(sp, "Upper.example", "x", 1, &cause) == -1);
	free(cause);
	cause = NULL;
	TAP_CHECK(raw_int("SELECT count(*) FROM sts_policies") == 1);
	TAP_CHECK(spool_sts_get(sp, "x.example", &p, &cause) == 1);
	TAP_STREQ(p.id, "kept");
	TAP_CHECK(p.fetched == 1000);
	spool_sts_clear(&p);
	spool_close(sp);
out:
	teardown();
}

/*
 * Message ids are never given twice, even after the newest message is
 * deleted (plain rowids would reuse it): InternalMessageId in tracking
 * and Get-Message identities name one message for good.
 */
static void
test_ids_not_reused(void)
{
	struct spool		*sp;
	struct spool_msg	*a, *b, *c;
	char			*cause = NULL;
	int64_t			 first;

	setup();
	if ((sp = open_spool()) == NULL)
		goto out;
	a = msg_new("a@example.com", 1);
	b = msg_new("b@example.com", 1);
	c = msg_new("c@example.com", 1);
	TAP_CHECK(insert(sp, a, "a"));
	TAP_CHECK(insert(sp, b, "b"));
	first = b->id;
	TAP_CHECK(ok_call(spool_msg_delete(sp, b->id, &cause), cause,
	    "delete"));
	spool_close(sp);
	if ((sp = open_spool()) == NULL)
		goto out2;
	TAP_CHECK(insert(sp, c, "c"));
	TAP_CHECK(c->id > first);
	spool_close(sp);
out2:
	spool_msg_free(a);
	spool_msg_free(b);
	spool_msg_free(c);
out:
	teardown();
}

static int
count_event(const struct track_event *ev, void *arg)
{
	(void)ev;
	(*(int *)arg)++;
	return (0);
}

/*
 * spool_open_readonly: a missing file is an error and stays missing; an
 * existing spool is read, a write through it fails, and no -wal or
 * -shm file is left behind.
 */
static void
test_open_readonly(void)
{
	struct spool		*sp, *ro = NULL;
	struct spool_msg	*a;
	struct track_query	 q;
	struct track_event	 ev;
	char			*cause = NULL, *wal, *shm;
	int			 n = 0;

	setup();
	TAP_CHECK(spool_open_readonly(&ro, tpath, &cause) == -1);
	TAP_CHECK(ro == NULL && file_size(tpath) == -1);
	free(cause);
	cause = NULL;
	if ((sp = open_spool()) == NULL)
		goto out;
	a = msg_new("a@example.com", 1);
	TAP_CHECK(insert(sp, a, "a"));
	memset(&ev, 0, sizeof ev);
	ev.timestamp_ms = 1000;
	ev.event_id = "RECEIVE";
	ev.source = "SMTP";
	ev.internal_message_id = a->id;
	TAP_CHECK(ok_call(spool_track_add(sp, &ev, &cause), cause, "track"));
	cause = NULL;
	spool_close(sp);
	TAP_CHECK(ok_call(spool_open_readonly(&ro, tpath, &cause), cause,
	    "open read-only"));
	if (ro != NULL) {
		track_query_init(&q);
		cause = NULL;
		TAP_CHECK(ok_call(spool_track_query(ro, &q, count_event, &n,
		    &cause), cause, "query"));
		TAP_CHECK(n == 1);
		cause = NULL;
		TAP_CHECK(spool_msg_suspend(ro, a->id, true, &cause) == -1);
		free(cause);
		spool_close(ro);
	}
	/* The writer had closed cleanly: no -wal or -shm is left behind. */
	wal = xprintf("%s-wal", tpath);
	shm = xprintf("%s-shm", tpath);
	TAP_CHECK(file_size(wal) == -1 && file_size(shm) == -1);
	free(wal);
	free(shm);
	TAP_CHECK(raw_int("SELECT count(*) FROM messages WHERE "
	    "suspended = 1") == 0);
	spool_msg_free(a);
out:
	teardown();
}

static const struct tap_case cases[] = {
	{ "open creates the spool 0600 in a 0700 directory, WAL, "
	    "schema version", test_open },
	{ "insert then load returns every field, NULL apart from \"\"",
	    test_round_trip },
	{ "binary bodies (NULs, empty, overflow pages) round-trip",
	    test_body },
	{ "spool_body_get of a missing message returns 1",
	    test_body_missing },
	{ "a failed job of a group is undone, the others commit",
	    test_group },
	{ "jobs need spool_begin() and do not nest", test_job_misuse },
	{ "a failed insert leaves no row behind", test_insert_atomic },
	{ "rcpt_update writes back the delivery state", test_rcpt_update },
	{ "delete cascades to recipients and body, keeps tracking",
	    test_delete },
	{ "load skips messages without a QUEUED recipient, keeps all "
	    "recipients of the others", test_load_filter },
	{ "track_add stores every field and the recipients in order",
	    test_track },
	{ "tracking filters are served by indexes", test_track_indexes },
	{ "reopen after close keeps the data", test_reopen },
	{ "a reader is not blocked by an open write transaction",
	    test_two_connections },
	{ "a reader thread reads bodies while a writer commits groups",
	    test_threads },
	{ "a message committed before _exit() is there on reopen",
	    test_crash_exit },
	{ "a message committed before SIGKILL is there on reopen",
	    test_crash_kill },
	{ "a spool with a newer schema version is refused",
	    test_newer_schema },
	{ "the connector store is not taken for a spool", test_not_a_spool },
	{ "the suspended flag is written, read and survives reopening",
	    test_suspend },
	{ "message ids are never given twice", test_ids_not_reused },
	{ "a read-only open creates, migrates and writes nothing",
	    test_open_readonly },
	{ "tracking query: each filter alone and combined, End exclusive, "
	    "ResultSize", test_track_query },
	{ "tracking query: recipients in order, the callback stops it",
	    test_track_query_rcpts },
	{ "tracking query: one text per filter set, served by indexes",
	    test_track_query_plans },
	{ "tracking prune: oldest first in batches, recipients too, in a "
	    "group or alone", test_track_prune },
	{ "a version 1 spool migrates to the current version and keeps its "
	    "data",
	    test_migrate_v1 },
	{ "a version 4 spool migrates to version 7, keeps its data and takes "
	    "MTA-STS policies and TLS-RPT counts", test_migrate_v4 },
	{ "MTA-STS policies: round trip, a failed refresh kept beside the "
	    "policy, a failure alone, mode none", test_sts_policies },
	{ "MTA-STS policies: list, due for refresh, prune, delete",
	    test_sts_due },
	{ "MTA-STS policies: what the table refuses leaves it as it was",
	    test_sts_refused },
	{ "TLS-RPT: increments add up per period and policy, failures by "
	    "kind and hosts; due periods; loaded", test_tlsrpt_counts },
	{ "TLS-RPT: a period reported takes no more counts and is never "
	    "due again; outcomes per rua; prune", test_tlsrpt_reported },
};

TAP_MAIN(cases)
