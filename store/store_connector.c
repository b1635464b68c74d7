/*
 * store_connector.c - Send connectors: defaults, copies and their rows.
 *
 * A connector is one row of send_connectors, with one typed column per
 * scalar property, plus ordered rows in address_spaces, smart_hosts and
 * source_servers.  The scalar columns are described once, in sc_fields,
 * from which the SELECT, INSERT and UPDATE statements are built; every
 * value is bound, never written into the SQL.
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "xmalloc.h"
#include "store_int.h"

#define SC_DEFAULT_MAX_SIZE	36700160	/* 35 MB */
#define SC_DEFAULT_PORT		25
#define SC_DEFAULT_IDLE		600		/* 00:10:00 */
#define SC_DEFAULT_MAX_MSGS	20

_Static_assert(sizeof(enum sc_usage) == sizeof(int), "enum size");
_Static_assert(sizeof(enum sc_tls_auth) == sizeof(int), "enum size");
_Static_assert(sizeof(enum sc_auth_mech) == sizeof(int), "enum size");
_Static_assert(sizeof(enum sc_protocol_logging) == sizeof(int), "enum size");
_Static_assert(sizeof(enum sc_connector_type) == sizeof(int), "enum size");

enum sc_ftype {
	FT_BOOL,
	FT_INT,		/* int or an enum */
	FT_I64,
	FT_STR
};

/* One scalar column of send_connectors and its struct member. */
struct sc_field {
	const char	*col;
	enum sc_ftype	 type;
	size_t		 off;
	const char	*null_as;	/* FT_STR: stored instead of NULL */
	int		 fixed;		/* not changed by an update */
};

#define SCF(m, t, d) { #m, t, offsetof(struct send_connector, m), d, 0 }

static const struct sc_field sc_fields[] = {
	SCF(name, FT_STR, NULL),
	{ "when_created", FT_I64, offsetof(struct send_connector,
	    when_created), NULL, 1 },
	SCF(when_changed, FT_I64, NULL),
	SCF(usage, FT_INT, NULL),
	SCF(comment, FT_STR, ""),
	SCF(cloud_services_mail_enabled, FT_BOOL, NULL),
	SCF(connector_type, FT_INT, NULL),
	SCF(connection_inactivity_timeout, FT_I64, NULL),
	SCF(domain_secure_enabled, FT_BOOL, NULL),
	SCF(enabled, FT_BOOL, NULL),
	SCF(error_policies, FT_INT, NULL),
	SCF(force_helo, FT_BOOL, NULL),
	SCF(fqdn, FT_STR, NULL),
	SCF(frontend_proxy_enabled, FT_BOOL, NULL),
	SCF(ignore_starttls, FT_BOOL, NULL),
	SCF(is_scoped_connector, FT_BOOL, NULL),
	SCF(max_message_size, FT_I64, NULL),
	SCF(port, FT_INT, NULL),
	SCF(protocol_logging_level, FT_INT, NULL),
	SCF(require_oorg, FT_BOOL, NULL),
	SCF(require_tls, FT_BOOL, NULL),
	SCF(smart_host_auth_mechanism, FT_INT, NULL),
	SCF(smtp_max_messages_per_connection, FT_INT, NULL),
	SCF(source_ip_address, FT_STR, "0.0.0.0"),
	SCF(tls_auth_level, FT_INT, NULL),
	SCF(tls_certificate_name, FT_STR, NULL),
	SCF(tls_domain, FT_STR, NULL),
	SCF(use_external_dns_servers_enabled, FT_BOOL, NULL),
	SCF(auth_username, FT_STR, NULL),
};
#define SC_NFIELDS	(sizeof(sc_fields) / sizeof(sc_fields[0]))

/*
 * Statement layout: SELECT yields id, guid, the fields, auth_password;
 * INSERT and UPDATE bind guid as ?1, field i as ?(i + 2) and the
 * password blob last.
 */
#define SC_COL_FIELD(i)		((int)(i) + 2)
#define SC_COL_PASSWORD		SC_COL_FIELD(SC_NFIELDS)

enum sc_sql {
	SC_SQL_SELECT,
	SC_SQL_INSERT,
	SC_SQL_UPDATE
};

static char	*sc_build_sql(enum sc_sql, const char *);
static int	 sc_check(const struct send_connector *, char **);
static int	 sc_bind(sqlite3_stmt *, const struct send_connector *,
		     const unsigned char *, size_t);
static struct send_connector *sc_from_row(sqlite3_stmt *);
static int	 sc_read_row(struct store *, sqlite3_stmt *,
		     struct send_connector **, char **);
static int	 sc_read_spaces(struct store *, int64_t,
		     struct send_connector *, char **);
static int	 sc_read_list(struct store *, const char *, int64_t,
		     struct sc_strlist *, char **);
static int	 sc_query(struct store *, const char *, const char *,
		     struct send_connector ***, size_t *, char **);
static int	 sc_query_rows(struct store *, const char *, const char *,
		     struct send_connector ***, size_t *, char **);
static int	 sc_query_one(struct store *, const char *, const char *,
		     struct send_connector **, char **);
static int	 sc_write(struct store *, struct send_connector *, int,
		     char **);
static int	 sc_write_row(struct store *, struct send_connector *, int,
		     int64_t *, char **);
static int	 sc_write_result(struct store *, sqlite3_stmt *,
		     const struct send_connector *, int64_t *, char **);
static int	 sc_write_children(struct store *, int64_t,
		     const struct send_connector *, int, char **);
static int	 sc_write_spaces(struct store *, int64_t,
		     const struct send_connector *, char **);
static int	 sc_write_list(struct store *, const char *, int64_t,
		     const struct sc_strlist *, char **);
static int	 sc_step_done(struct store *, sqlite3_stmt *, int,
		     const char *, char **);

void
send_connector_init(struct send_connector *sc, enum sc_usage usage,
    const char *local_server)
{
	memset(sc, 0, sizeof *sc);
	sc->usage = usage;
	sc->comment = xstrdup("");
	sc->connection_inactivity_timeout = SC_DEFAULT_IDLE;
	sc->enabled = true;
	if (usage == SC_USAGE_INTERNAL)
		sc->max_message_size = SC_SIZE_UNLIMITED;
	else
		sc->max_message_size = SC_DEFAULT_MAX_SIZE;
	if (usage == SC_USAGE_PARTNER)
		sc->domain_secure_enabled = true;
	sc->port = SC_DEFAULT_PORT;
	sc->smtp_max_messages_per_connection = SC_DEFAULT_MAX_MSGS;
	sc->source_ip_address = xstrdup("0.0.0.0");
	if (local_server != NULL)
		sc_strlist_add(&sc->source_transport_servers, local_server);
}

/* Free every member and zero the struct; the password is wiped first. */
void
send_connector_clear(struct send_connector *sc)
{
	size_t	i;

	free(sc->name);
	for (i = 0; i < sc->n_address_spaces; i++) {
		free(sc->address_spaces[i].type);
		free(sc->address_spaces[i].domain);
	}
	free(sc->address_spaces);
	free(sc->comment);
	free(sc->fqdn);
	sc_strlist_clear(&sc->smart_hosts);
	free(sc->source_ip_address);
	sc_strlist_clear(&sc->source_transport_servers);
	free(sc->tls_certificate_name);
	free(sc->tls_domain);
	free(sc->auth_username);
	if (sc->auth_password != NULL) {
		OPENSSL_cleanse(sc->auth_password, strlen(sc->auth_password));
		free(sc->auth_password);
	}
	memset(sc, 0, sizeof *sc);
}

void
send_connector_free(struct send_connector *sc)
{
	if (sc == NULL)
		return;
	send_connector_clear(sc);
	free(sc);
}

static char *
sc_strdup_or_null(const char *s)
{
	return (s == NULL ? NULL : xstrdup(s));
}

struct send_connector *
send_connector_dup(const struct send_connector *sc)
{
	struct send_connector	*d;
	size_t			 i;

	d = xmalloc(sizeof *d);
	*d = *sc;
	d->name = sc_strdup_or_null(sc->name);
	d->address_spaces = xreallocarray(NULL, sc->n_address_spaces,
	    sizeof *d->address_spaces);
	for (i = 0; i < sc->n_address_spaces; i++) {
		d->address_spaces[i].type =
		    sc_strdup_or_null(sc->address_spaces[i].type);
		d->address_spaces[i].domain =
		    sc_strdup_or_null(sc->address_spaces[i].domain);
		d->address_spaces[i].cost = sc->address_spaces[i].cost;
	}
	d->comment = sc_strdup_or_null(sc->comment);
	d->fqdn = sc_strdup_or_null(sc->fqdn);
	memset(&d->smart_hosts, 0, sizeof d->smart_hosts);
	for (i = 0; i < sc->smart_hosts.n; i++)
		sc_strlist_add(&d->smart_hosts, sc->smart_hosts.v[i]);
	d->source_ip_address = sc_strdup_or_null(sc->source_ip_address);
	memset(&d->source_transport_servers, 0,
	    sizeof d->source_transport_servers);
	for (i = 0; i < sc->source_transport_servers.n; i++)
		sc_strlist_add(&d->source_transport_servers,
		    sc->source_transport_servers.v[i]);
	d->tls_certificate_name = sc_strdup_or_null(sc->tls_certificate_name);
	d->tls_domain = sc_strdup_or_null(sc->tls_domain);
	d->auth_username = sc_strdup_or_null(sc->auth_username);
	d->auth_password = sc_strdup_or_null(sc->auth_password);
	return (d);
}

void
sc_strlist_add(struct sc_strlist *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

void
sc_strlist_clear(struct sc_strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Build a statement over every column of sc_fields; tail is appended. */
static char *
sc_build_sql(enum sc_sql kind, const char *tail)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	if (kind == SC_SQL_SELECT)
		buf_adds(&b, "SELECT id, guid");
	else if (kind == SC_SQL_INSERT)
		buf_adds(&b, "INSERT INTO send_connectors (guid");
	else
		buf_adds(&b, "UPDATE send_connectors SET guid = ?1");
	for (i = 0; i < SC_NFIELDS; i++) {
		if (kind != SC_SQL_UPDATE)
			buf_addf(&b, ", %s", sc_fields[i].col);
		else if (!sc_fields[i].fixed)
			buf_addf(&b, ", %s = ?%d", sc_fields[i].col,
			    SC_COL_FIELD(i));
	}
	if (kind == SC_SQL_SELECT)
		buf_adds(&b, ", auth_password FROM send_connectors");
	else if (kind == SC_SQL_INSERT) {
		buf_adds(&b, ", auth_password) VALUES (?1");
		for (i = 0; i < SC_NFIELDS + 1; i++)
			buf_addf(&b, ", ?%d", SC_COL_FIELD(i));
		buf_adds(&b, ")");
	} else
		buf_addf(&b, ", auth_password = ?%d", SC_COL_PASSWORD);
	buf_addf(&b, " %s", tail);
	return (buf_detach(&b));
}

static int
sc_check(const struct send_connector *sc, char **cause)
{
	if (sc->name == NULL || *sc->name == '\0') {
		*cause = xstrdup("a Send connector needs a name");
		return (-1);
	}
	if ((sc->auth_username == NULL) != (sc->auth_password == NULL)) {
		*cause = xstrdup("a credential needs both a user name and a "
		    "password");
		return (-1);
	}
	return (0);
}

/* Bind guid, every field and the password blob (may be NULL). */
static int
sc_bind(sqlite3_stmt *st, const struct send_connector *sc,
    const unsigned char *blob, size_t bloblen)
{
	const struct sc_field	*f;
	const char		*p = (const char *)sc, *str;
	size_t			 i;
	int			 rc, col;

	rc = sqlite3_bind_text(st, 1, sc->guid, -1, SQLITE_STATIC);
	for (i = 0; i < SC_NFIELDS && rc == SQLITE_OK; i++) {
		f = &sc_fields[i];
		col = SC_COL_FIELD(i);
		switch (f->type) {
		case FT_BOOL:
			rc = sqlite3_bind_int(st, col, *(const bool *)
			    (p + f->off) ? 1 : 0);
			break;
		case FT_INT:
			rc = sqlite3_bind_int(st, col,
			    *(const int *)(p + f->off));
			break;
		case FT_I64:
			rc = sqlite3_bind_int64(st, col,
			    *(const int64_t *)(p + f->off));
			break;
		case FT_STR:
			if ((str = *(char *const *)(p + f->off)) == NULL)
				str = f->null_as;
			rc = sqlite3_bind_text(st, col, str, -1, SQLITE_STATIC);
			break;
		}
	}
	if (rc == SQLITE_OK && blob != NULL)
		rc = sqlite3_bind_blob(st, SC_COL_PASSWORD, blob, (int)bloblen,
		    SQLITE_STATIC);
	return (rc == SQLITE_OK ? 0 : -1);
}

/* The scalar part of a connector from a SELECT row. */
static struct send_connector *
sc_from_row(sqlite3_stmt *st)
{
	struct send_connector	*sc;
	const struct sc_field	*f;
	const char		*str;
	char			*p;
	size_t			 i;
	int			 col;

	sc = xcalloc(1, sizeof *sc);
	p = (char *)sc;
	if ((str = (const char *)sqlite3_column_text(st, 1)) != NULL)
		snprintf(sc->guid, sizeof sc->guid, "%s", str);
	for (i = 0; i < SC_NFIELDS; i++) {
		f = &sc_fields[i];
		col = SC_COL_FIELD(i);
		switch (f->type) {
		case FT_BOOL:
			*(bool *)(p + f->off) = sqlite3_column_int(st, col);
			break;
		case FT_INT:
			*(int *)(p + f->off) = sqlite3_column_int(st, col);
			break;
		case FT_I64:
			*(int64_t *)(p + f->off) =
			    sqlite3_column_int64(st, col);
			break;
		case FT_STR:
			str = (const char *)sqlite3_column_text(st, col);
			*(char **)(p + f->off) = sc_strdup_or_null(str);
			break;
		}
	}
	return (sc);
}

/* A whole connector: row, child rows and decrypted password. */
static int
sc_read_row(struct store *s, sqlite3_stmt *st, struct send_connector **out,
    char **cause)
{
	struct send_connector	*sc;
	const unsigned char	*blob;
	int64_t			 id;
	int			 rc;

	sc = sc_from_row(st);
	id = sqlite3_column_int64(st, 0);
	rc = sc_read_spaces(s, id, sc, cause);
	if (rc == 0)
		rc = sc_read_list(s, "SELECT host FROM smart_hosts WHERE "
		    "connector_id = ?1 ORDER BY position", id,
		    &sc->smart_hosts, cause);
	if (rc == 0)
		rc = sc_read_list(s, "SELECT server FROM source_servers WHERE "
		    "connector_id = ?1 ORDER BY position", id,
		    &sc->source_transport_servers, cause);
	blob = sqlite3_column_blob(st, SC_COL_PASSWORD);
	if (rc == 0 && blob != NULL)
		rc = store_crypt_decrypt(s, sc->guid, blob,
		    sqlite3_column_bytes(st, SC_COL_PASSWORD),
		    &sc->auth_password, cause);
	if (rc != 0) {
		send_connector_free(sc);
		return (-1);
	}
	*out = sc;
	return (0);
}

static int
sc_read_spaces(struct store *s, int64_t id, struct send_connector *sc,
    char **cause)
{
	sqlite3_stmt		*st;
	struct sc_address_space	*as;
	int			 rc;

	if (store_prepare(s, &st, "SELECT type, domain, cost FROM "
	    "address_spaces WHERE connector_id = ?1 ORDER BY position",
	    cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sc->address_spaces = xreallocarray(sc->address_spaces,
		    sc->n_address_spaces + 1, sizeof *sc->address_spaces);
		as = &sc->address_spaces[sc->n_address_spaces++];
		as->type = xstrdup((const char *)sqlite3_column_text(st, 0));
		as->domain = xstrdup((const char *)sqlite3_column_text(st, 1));
		as->cost = sqlite3_column_int(st, 2);
	}
	return (sc_step_done(s, st, rc, "cannot read address spaces", cause));
}

static int
sc_read_list(struct store *s, const char *sql, int64_t id,
    struct sc_strlist *l, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_prepare(s, &st, sql, cause) != 0)
		return (-1);
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		sc_strlist_add(l, (const char *)sqlite3_column_text(st, 0));
	return (sc_step_done(s, st, rc, "cannot read Send connector", cause));
}

/* Connectors matching tail (with ?1 = arg if not NULL), one snapshot. */
static int
sc_query(struct store *s, const char *tail, const char *arg,
    struct send_connector ***out, size_t *n, char **cause)
{
	enum store_txn	how;
	int		rc;

	*out = NULL;
	*n = 0;
	if (store_txn_enter(s, 0, &how, cause) != 0)
		return (-1);
	rc = sc_query_rows(s, tail, arg, out, n, cause);
	if (store_txn_leave(s, how, rc == 0, cause) != 0) {
		store_connector_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return (-1);
	}
	return (0);
}

static int
sc_query_rows(struct store *s, const char *tail, const char *arg,
    struct send_connector ***out, size_t *n, char **cause)
{
	sqlite3_stmt		*st;
	struct send_connector	*sc;
	char			*sql;
	int			 rc;

	sql = sc_build_sql(SC_SQL_SELECT, tail);
	rc = store_prepare(s, &st, sql, cause);
	free(sql);
	if (rc != 0)
		return (-1);
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sc_read_row(s, st, &sc, cause) != 0) {
			store_release(s, st);
			return (-1);
		}
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = sc;
	}
	return (sc_step_done(s, st, rc, "cannot read Send connectors", cause));
}

static int
sc_query_one(struct store *s, const char *tail, const char *arg,
    struct send_connector **out, char **cause)
{
	struct send_connector	**v;
	size_t			  n;

	*out = NULL;
	if (arg == NULL)
		return (1);
	if (sc_query(s, tail, arg, &v, &n, cause) != 0)
		return (-1);
	if (n == 0) {
		free(v);
		return (1);
	}
	*out = v[0];
	v[0] = NULL;		/* send_connector_free(NULL) is a no-op */
	store_connector_list_free(v, n);
	return (0);
}

int
store_connector_list(struct store *s, struct send_connector ***out,
    size_t *n, char **cause)
{
	return (sc_query(s, "ORDER BY name COLLATE NOCASE, id", NULL, out, n,
	    cause));
}

void
store_connector_list_free(struct send_connector **v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		send_connector_free(v[i]);
	free(v);
}

int
store_connector_get(struct store *s, const char *guid,
    struct send_connector **out, char **cause)
{
	return (sc_query_one(s, "WHERE guid = lower(?1)", guid, out, cause));
}

int
store_connector_find(struct store *s, const char *name,
    struct send_connector **out, char **cause)
{
	return (sc_query_one(s, "WHERE name = ?1 COLLATE NOCASE", name, out,
	    cause));
}

int
store_connector_insert(struct store *s, struct send_connector *sc,
    char **cause)
{
	struct send_connector	tmp;

	if (sc_check(sc, cause) != 0)
		return (-1);
	tmp = *sc;
	if (store_crypt_uuid(tmp.guid, cause) != 0)
		return (-1);
	tmp.when_created = tmp.when_changed = (int64_t)time(NULL);
	if (sc_write(s, &tmp, 0, cause) != 0)
		return (-1);
	memcpy(sc->guid, tmp.guid, sizeof sc->guid);
	sc->when_created = tmp.when_created;
	sc->when_changed = tmp.when_changed;
	return (0);
}

int
store_connector_update(struct store *s, struct send_connector *sc,
    char **cause)
{
	struct send_connector	tmp;

	if (sc_check(sc, cause) != 0)
		return (-1);
	tmp = *sc;
	tmp.when_changed = (int64_t)time(NULL);
	if (sc_write(s, &tmp, 1, cause) != 0)
		return (-1);
	sc->when_changed = tmp.when_changed;
	return (0);
}

int
store_connector_delete(struct store *s, const char *guid, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_prepare(s, &st, "DELETE FROM send_connectors WHERE "
	    "guid = lower(?1)", cause) != 0)
		return (-1);
	sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	store_release(s, st);
	if (rc != SQLITE_DONE)
		return (store_fail(s, cause, "cannot remove Send connector "
		    "%s", guid));
	if (sqlite3_changes(s->db) == 0) {
		xasprintf(cause, "no Send connector has GUID %s", guid);
		return (-1);
	}
	return (0);
}

/* Insert or update sc and its child rows, atomically. */
static int
sc_write(struct store *s, struct send_connector *sc, int update,
    char **cause)
{
	enum store_txn	how;
	int64_t		id = -1;
	int		rc;

	if (store_txn_enter(s, 1, &how, cause) != 0)
		return (-1);
	rc = sc_write_row(s, sc, update, &id, cause);
	if (rc == 0)
		rc = sc_write_children(s, id, sc, update, cause);
	return (store_txn_leave(s, how, rc == 0, cause));
}

static int
sc_write_row(struct store *s, struct send_connector *sc, int update,
    int64_t *id, char **cause)
{
	sqlite3_stmt	*st;
	unsigned char	*blob = NULL;
	size_t		 bloblen = 0;
	char		*sql;
	int		 rc;

	if (sc->auth_password != NULL && store_crypt_encrypt(s, sc->guid,
	    sc->auth_password, &blob, &bloblen, cause) != 0)
		return (-1);
	sql = sc_build_sql(update ? SC_SQL_UPDATE : SC_SQL_INSERT,
	    update ? "WHERE guid = ?1 RETURNING id" : "RETURNING id");
	rc = store_prepare(s, &st, sql, cause);
	free(sql);
	if (rc == 0) {
		if (sc_bind(st, sc, blob, bloblen) != 0)
			rc = store_fail(s, cause, "cannot bind values");
		else
			rc = sc_write_result(s, st, sc, id, cause);
		store_release(s, st);
	}
	free(blob);
	return (rc);
}

/* Step the INSERT or UPDATE ... RETURNING id and explain a failure. */
static int
sc_write_result(struct store *s, sqlite3_stmt *st,
    const struct send_connector *sc, int64_t *id, char **cause)
{
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		*id = sqlite3_column_int64(st, 0);
		return (0);
	case SQLITE_DONE:
		xasprintf(cause, "no Send connector has GUID %s", sc->guid);
		return (-1);
	}
	if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE &&
	    strstr(sqlite3_errmsg(s->db), "send_connectors.name") != NULL) {
		xasprintf(cause, "a Send connector named \"%s\" already exists",
		    sc->name);
		return (-1);
	}
	return (store_fail(s, cause, "cannot store Send connector %s",
	    sc->name));
}

static int
sc_write_children(struct store *s, int64_t id,
    const struct send_connector *sc, int update, char **cause)
{
	static const char *const clear[] = {
		"DELETE FROM address_spaces WHERE connector_id = ?1",
		"DELETE FROM smart_hosts WHERE connector_id = ?1",
		"DELETE FROM source_servers WHERE connector_id = ?1",
	};
	size_t	i;

	for (i = 0; update && i < sizeof clear / sizeof clear[0]; i++) {
		if (sc_write_list(s, clear[i], id, NULL, cause) != 0)
			return (-1);
	}
	if (sc_write_spaces(s, id, sc, cause) != 0)
		return (-1);
	if (sc_write_list(s, "INSERT INTO smart_hosts (connector_id, "
	    "position, host) VALUES (?1, ?2, ?3)", id, &sc->smart_hosts,
	    cause) != 0)
		return (-1);
	return (sc_write_list(s, "INSERT INTO source_servers (connector_id, "
	    "position, server) VALUES (?1, ?2, ?3)", id,
	    &sc->source_transport_servers, cause));
}

static int
sc_write_spaces(struct store *s, int64_t id,
    const struct send_connector *sc, char **cause)
{
	const struct sc_address_space	*as;
	sqlite3_stmt			*st;
	size_t				 i;
	int				 rc = SQLITE_DONE;

	if (store_prepare(s, &st, "INSERT INTO address_spaces (connector_id, "
	    "position, type, domain, cost) VALUES (?1, ?2, ?3, ?4, ?5)",
	    cause) != 0)
		return (-1);
	for (i = 0; i < sc->n_address_spaces && rc == SQLITE_DONE; i++) {
		as = &sc->address_spaces[i];
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, as->type != NULL ? as->type : "smtp",
		    -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, as->domain, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, as->cost);
		rc = sqlite3_step(st);
	}
	return (sc_step_done(s, st, rc, "cannot store address space", cause));
}

/*
 * Run sql with ?1 = id, once if l is NULL, else once per item of l with
 * ?2 = its position and ?3 = the item.
 */
static int
sc_write_list(struct store *s, const char *sql, int64_t id,
    const struct sc_strlist *l, char **cause)
{
	sqlite3_stmt	*st;
	size_t		 i, n = (l == NULL ? 1 : l->n);
	int		 rc = SQLITE_DONE;

	if (store_prepare(s, &st, sql, cause) != 0)
		return (-1);
	for (i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		if (l != NULL) {
			sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
			sqlite3_bind_text(st, 3, l->v[i], -1, SQLITE_STATIC);
		}
		rc = sqlite3_step(st);
	}
	return (sc_step_done(s, st, rc, "cannot store Send connector",
	    cause));
}

/* Finalize st; fail unless its last step (rc) finished the statement. */
static int
sc_step_done(struct store *s, sqlite3_stmt *st, int rc, const char *what,
    char **cause)
{
	int	ret = 0;

	if (rc != SQLITE_DONE)
		ret = store_fail(s, cause, "%s", what);
	store_release(s, st);
	return (ret);
}
