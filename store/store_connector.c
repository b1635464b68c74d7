/*
 * store_connector.c - Send connectors: defaults, copies and their rows.
 *
 * A connector is one row of send_connectors, with one typed column per
 * scalar property, plus ordered rows in address_spaces, smart_hosts and
 * source_servers.  The scalar columns are described once, in SC_FIELDS,
 * from which the SELECT, INSERT and UPDATE statements are made; every
 * value is bound, never written into the SQL.
 *
 * A listing reads each child table once for all connectors.  An update
 * writes only what the caller changed: the columns that differ from the
 * connector as the caller read it, and the child lists that differ.
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
_Static_assert(sizeof(enum sc_dane_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum sc_sts_mode) == sizeof(int), "enum size");

enum sc_ftype {
	FT_BOOL,
	FT_INT,		/* int or an enum */
	FT_I64,
	FT_STR
};

/* What an update does with a column. */
enum sc_upd {
	SCU_CHANGED,	/* written when it differs from the old value */
	SCU_NEVER,	/* when_created */
	SCU_ALWAYS,	/* when_changed */
	SCU_CREDENTIAL	/* written with the password, when either differs */
};

/* One scalar column of send_connectors and its struct member. */
struct sc_field {
	const char	*col;
	enum sc_ftype	 type;
	size_t		 off;
	const char	*null_as;	/* FT_STR: stored instead of NULL */
	enum sc_upd	 update;
};

/*
 * The scalar columns: member (and column), type, the text a NULL string
 * is stored as, and what an update does with it.  The one list gives both
 * sc_fields and the constant SELECT and INSERT texts below.
 */
#define SC_FIELDS(F)							\
	F(name, FT_STR, NULL, SCU_CHANGED)				\
	F(when_created, FT_I64, NULL, SCU_NEVER)			\
	F(when_changed, FT_I64, NULL, SCU_ALWAYS)			\
	F(usage, FT_INT, NULL, SCU_CHANGED)				\
	F(comment, FT_STR, "", SCU_CHANGED)				\
	F(cloud_services_mail_enabled, FT_BOOL, NULL, SCU_CHANGED)	\
	F(connector_type, FT_INT, NULL, SCU_CHANGED)			\
	F(connection_inactivity_timeout, FT_I64, NULL, SCU_CHANGED)	\
	F(domain_secure_enabled, FT_BOOL, NULL, SCU_CHANGED)		\
	F(enabled, FT_BOOL, NULL, SCU_CHANGED)				\
	F(error_policies, FT_INT, NULL, SCU_CHANGED)			\
	F(force_helo, FT_BOOL, NULL, SCU_CHANGED)			\
	F(fqdn, FT_STR, NULL, SCU_CHANGED)				\
	F(frontend_proxy_enabled, FT_BOOL, NULL, SCU_CHANGED)		\
	F(ignore_starttls, FT_BOOL, NULL, SCU_CHANGED)			\
	F(is_scoped_connector, FT_BOOL, NULL, SCU_CHANGED)		\
	F(max_message_size, FT_I64, NULL, SCU_CHANGED)			\
	F(port, FT_INT, NULL, SCU_CHANGED)				\
	F(protocol_logging_level, FT_INT, NULL, SCU_CHANGED)		\
	F(require_oorg, FT_BOOL, NULL, SCU_CHANGED)			\
	F(require_tls, FT_BOOL, NULL, SCU_CHANGED)			\
	F(smart_host_auth_mechanism, FT_INT, NULL, SCU_CHANGED)		\
	F(smtp_max_messages_per_connection, FT_INT, NULL, SCU_CHANGED)	\
	F(source_ip_address, FT_STR, "0.0.0.0", SCU_CHANGED)		\
	F(tls_auth_level, FT_INT, NULL, SCU_CHANGED)			\
	F(tls_certificate_name, FT_STR, NULL, SCU_CHANGED)		\
	F(tls_domain, FT_STR, NULL, SCU_CHANGED)			\
	F(use_external_dns_servers_enabled, FT_BOOL, NULL, SCU_CHANGED)	\
	F(queue_alert_age, FT_INT, NULL, SCU_CHANGED)			\
	F(queue_alert_message_count, FT_INT, NULL, SCU_CHANGED)		\
	F(smtp_dane_mode, FT_INT, NULL, SCU_CHANGED)			\
	F(mta_sts_mode, FT_INT, NULL, SCU_CHANGED)			\
	F(auth_username, FT_STR, NULL, SCU_CREDENTIAL)

#define SCF_ENTRY(m, t, d, u) \
	{ #m, t, offsetof(struct send_connector, m), d, u },
#define SCF_COLUMN(m, t, d, u)	", " #m
#define SCF_PARAM(m, t, d, u)	", ?"

static const struct sc_field sc_fields[] = { SC_FIELDS(SCF_ENTRY) };
#define SC_NFIELDS	(sizeof(sc_fields) / sizeof(sc_fields[0]))

/*
 * Statement layout: SELECT yields id, guid, the fields, auth_password;
 * INSERT and UPDATE bind guid as ?1, field i as ?(i + 2) and the
 * password blob last.  A WHERE or ORDER BY clause follows SC_SELECT.
 */
#define SC_COL_FIELD(i)		((int)(i) + 2)
#define SC_COL_PASSWORD		SC_COL_FIELD(SC_NFIELDS)
#define SC_SELECT	"SELECT id, guid" SC_FIELDS(SCF_COLUMN) \
	", auth_password FROM send_connectors "
#define SC_INSERT	"INSERT INTO send_connectors (guid" \
	SC_FIELDS(SCF_COLUMN) ", auth_password) VALUES (?" \
	SC_FIELDS(SCF_PARAM) ", ?)"

/* A connector read from its row, and the row's id. */
struct sc_row {
	int64_t			 id;
	struct send_connector	*sc;
};

/*
 * A child list: the query for one connector (?1 = its id) and the one
 * for every connector at once; both yield connector_id first, then the
 * columns add() takes, in list order.
 */
struct sc_child {
	const char	*one;
	const char	*all;
	void		(*add)(struct send_connector *, struct store_stmt *);
};

#define SC_CHILD(cols, table, add) {					\
	"SELECT connector_id, " cols " FROM " table			\
	    " WHERE connector_id = ?1 ORDER BY position",		\
	"SELECT connector_id, " cols " FROM " table			\
	    " ORDER BY connector_id, position",				\
	add }

static void	 sc_add_space(struct send_connector *, struct store_stmt *);
static void	 sc_add_host(struct send_connector *, struct store_stmt *);
static void	 sc_add_server(struct send_connector *, struct store_stmt *);

static const struct sc_child sc_children[] = {
	SC_CHILD("type, domain, cost", "address_spaces", sc_add_space),
	SC_CHILD("host", "smart_hosts", sc_add_host),
	SC_CHILD("server", "source_servers", sc_add_server),
};

static int	 sc_check(const struct send_connector *, char **);
static bool	 sc_streq(const char *, const char *);
static bool	 sc_same_field(const struct sc_field *,
		     const struct send_connector *,
		     const struct send_connector *);
static bool	 sc_writes(const struct sc_field *,
		     const struct send_connector *,
		     const struct send_connector *, bool);
static void	 sc_bind_field(struct store_stmt *, size_t,
		     const struct send_connector *);
static struct send_connector *sc_from_row(struct store_stmt *);
static int	 sc_read_row(struct store *, struct store_stmt *,
		     struct send_connector **, char **);
static int	 sc_row_cmp(const void *, const void *);
static int	 sc_read_child(struct store *, const struct sc_child *,
		     const struct sc_row *, size_t, char **);
static int	 sc_query(struct store *, const char *, const char *,
		     struct send_connector ***, size_t *, char **);
static int	 sc_query_rows(struct store *, const char *, const char *,
		     struct send_connector ***, size_t *, char **);
static int	 sc_query_one(struct store *, const char *, const char *,
		     struct send_connector **, char **);
static int	 sc_write(struct store *, const struct send_connector *,
		     struct send_connector *, int, char **);
static int	 sc_insert_row(struct store *, struct send_connector *,
		     int64_t *, char **);
static int	 sc_update_row(struct store *, const struct send_connector *,
		     struct send_connector *, int64_t *, char **);
static int	 sc_write_result(struct store *, struct store_stmt *,
		     const struct send_connector *, int, int64_t *, char **);
static int	 sc_guid_id(struct store *, const char *, int64_t *, char **);
static int	 sc_write_children(struct store *, int64_t,
		     const struct send_connector *,
		     const struct send_connector *, int, char **);
static int	 sc_write_spaces(struct store *, int64_t,
		     const struct send_connector *, char **);
static int	 sc_write_list(struct store *, const char *, int64_t,
		     const struct sc_strlist *, char **);
static int	 sc_step_done(struct store *, struct store_stmt *,
		     enum store_step, const char *, char **);

void
send_connector_init(struct send_connector *sc, enum sc_usage usage,
    const char *local_server)
{
	memset(sc, 0, sizeof *sc);
	sc->usage = usage;
	sc->comment = xstrdup("");
	sc->connection_inactivity_timeout = SC_DEFAULT_IDLE;
	sc->queue_alert_age = ALERT_SERVER;
	sc->queue_alert_message_count = ALERT_SERVER;
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
		explicit_bzero(sc->auth_password, strlen(sc->auth_password));
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

/* Strings equal, NULL equal only to NULL. */
static bool
sc_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* The field would be stored the same for a and b. */
static bool
sc_same_field(const struct sc_field *f, const struct send_connector *a,
    const struct send_connector *b)
{
	const char	*pa = (const char *)a + f->off;
	const char	*pb = (const char *)b + f->off;
	const char	*sa, *sb;

	switch (f->type) {
	case FT_BOOL:
		return (*(const bool *)pa == *(const bool *)pb);
	case FT_INT:
		return (*(const int *)pa == *(const int *)pb);
	case FT_I64:
		return (*(const int64_t *)pa == *(const int64_t *)pb);
	case FT_STR:
		if ((sa = *(char *const *)pa) == NULL)
			sa = f->null_as;
		if ((sb = *(char *const *)pb) == NULL)
			sb = f->null_as;
		return (sc_streq(sa, sb));
	}
	return (false);
}

/* Same address spaces, in the same order, as typed and stored. */
bool
send_connector_same_spaces(const struct send_connector *a,
    const struct send_connector *b)
{
	const struct sc_address_space	*x, *y;
	size_t				 i;

	if (a->n_address_spaces != b->n_address_spaces)
		return (false);
	for (i = 0; i < a->n_address_spaces; i++) {
		x = &a->address_spaces[i];
		y = &b->address_spaces[i];
		if (!sc_streq(x->type, y->type) ||
		    !sc_streq(x->domain, y->domain) || x->cost != y->cost)
			return (false);
	}
	return (true);
}

/* Same items in the same order (and the same case). */
bool
sc_strlist_equal(const struct sc_strlist *a, const struct sc_strlist *b)
{
	size_t	i;

	if (a->n != b->n)
		return (false);
	for (i = 0; i < a->n; i++) {
		if (strcmp(a->v[i], b->v[i]) != 0)
			return (false);
	}
	return (true);
}

/*
 * Does an update from old (NULL: unknown) to sc write field f?  cred says
 * whether the credential is written.
 */
static bool
sc_writes(const struct sc_field *f, const struct send_connector *old,
    const struct send_connector *sc, bool cred)
{
	switch (f->update) {
	case SCU_NEVER:
		return (false);
	case SCU_ALWAYS:
		return (true);
	case SCU_CREDENTIAL:
		return (cred);
	case SCU_CHANGED:
		break;
	}
	return (old == NULL || !sc_same_field(f, old, sc));
}

/* Bind field i of sc as parameter SC_COL_FIELD(i). */
static void
sc_bind_field(struct store_stmt *st, size_t i, const struct send_connector *sc)
{
	const struct sc_field	*f = &sc_fields[i];
	const char		*p = (const char *)sc + f->off, *str;
	int			 col = SC_COL_FIELD(i);

	switch (f->type) {
	case FT_BOOL:
		db_int(st, col, *(const bool *)p ? 1 : 0);
		break;
	case FT_INT:
		db_int(st, col, *(const int *)p);
		break;
	case FT_I64:
		db_int(st, col, *(const int64_t *)p);
		break;
	case FT_STR:
		if ((str = *(char *const *)p) == NULL)
			str = f->null_as;
		db_text(st, col, str);
		break;
	}
}

/* The scalar part of a connector from a SELECT row. */
static struct send_connector *
sc_from_row(struct store_stmt *st)
{
	struct send_connector	*sc;
	const struct sc_field	*f;
	const char		*str;
	char			*p;
	size_t			 i;
	int			 col;

	sc = xcalloc(1, sizeof *sc);
	p = (char *)sc;
	if ((str = db_col_text(st, 1)) != NULL)
		snprintf(sc->guid, sizeof sc->guid, "%s", str);
	for (i = 0; i < SC_NFIELDS; i++) {
		f = &sc_fields[i];
		col = SC_COL_FIELD(i);
		switch (f->type) {
		case FT_BOOL:
			*(bool *)(p + f->off) = db_col_int(st, col) != 0;
			break;
		case FT_INT:
			*(int *)(p + f->off) = (int)db_col_int(st, col);
			break;
		case FT_I64:
			*(int64_t *)(p + f->off) = db_col_int(st, col);
			break;
		case FT_STR:
			str = db_col_text(st, col);
			*(char **)(p + f->off) = sc_strdup_or_null(str);
			break;
		}
	}
	return (sc);
}

/* A connector's row and decrypted password; the child lists come later. */
static int
sc_read_row(struct store *s, struct store_stmt *st, struct send_connector **out,
    char **cause)
{
	struct send_connector	*sc;
	const unsigned char	*blob;
	size_t			 len;

	sc = sc_from_row(st);
	blob = db_col_blob(st, SC_COL_PASSWORD, &len);
	if (blob != NULL && store_crypt_decrypt(s, sc->guid, blob, len,
	    &sc->auth_password, cause) != 0) {
		send_connector_free(sc);
		return (-1);
	}
	*out = sc;
	return (0);
}

static void
sc_add_space(struct send_connector *sc, struct store_stmt *st)
{
	struct sc_address_space	*as;

	sc->address_spaces = xreallocarray(sc->address_spaces,
	    sc->n_address_spaces + 1, sizeof *sc->address_spaces);
	as = &sc->address_spaces[sc->n_address_spaces++];
	as->type = xstrdup(db_col_text(st, 1));
	as->domain = xstrdup(db_col_text(st, 2));
	as->cost = (int)db_col_int(st, 3);
}

static void
sc_add_host(struct send_connector *sc, struct store_stmt *st)
{
	sc_strlist_add(&sc->smart_hosts,
	    db_col_text(st, 1));
}

static void
sc_add_server(struct send_connector *sc, struct store_stmt *st)
{
	sc_strlist_add(&sc->source_transport_servers,
	    db_col_text(st, 1));
}

static int
sc_row_cmp(const void *a, const void *b)
{
	const struct sc_row	*x = a, *y = b;

	return (x->id < y->id ? -1 : x->id > y->id);
}

/*
 * Fill one child list of the n connectors in byid (sorted by id).  One
 * connector's rows are looked up by its id; for more, the whole table is
 * read once in connector order and merged, not queried per connector.
 */
static int
sc_read_child(struct store *s, const struct sc_child *c,
    const struct sc_row *byid, size_t n, char **cause)
{
	struct store_stmt	*st;
	enum store_step		 rc;
	int64_t			 id;
	size_t			 j = 0;

	if (db_prepare(s, &st, n == 1 ? c->one : c->all, cause) != 0)
		return (-1);
	if (n == 1)
		db_int(st, 1, byid[0].id);
	while ((rc = db_step(st)) == STORE_ROW) {
		id = db_col_int(st, 0);
		while (j < n && byid[j].id < id)
			j++;
		if (j == n) {
			rc = STORE_DONE;	/* the rest is no one's here */
			break;
		}
		if (byid[j].id == id)
			c->add(byid[j].sc, st);
	}
	return (sc_step_done(s, st, rc, "cannot read Send connector", cause));
}

/*
 * Connectors selected by sql (with ?1 = arg if not NULL), one snapshot.
 * In the caller's write transaction, they cannot change until it ends
 * (Set-SendConnector reads and writes under one lock: begin_write's).
 */
static int
sc_query(struct store *s, const char *sql, const char *arg,
    struct send_connector ***out, size_t *n, char **cause)
{
	enum store_txn	 how;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (store_txn_enter(s, 0, &how, cause) != 0)
		return (-1);
	rc = sc_query_rows(s, sql, arg, out, n, cause);
	if (store_txn_leave(s, how, rc == 0, cause) != 0) {
		store_connector_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return (-1);
	}
	return (0);
}

/*
 * The rows first, in the query's order, then each child list for all of
 * them: four queries however many connectors there are.
 */
static int
sc_query_rows(struct store *s, const char *sql, const char *arg,
    struct send_connector ***out, size_t *n, char **cause)
{
	struct store_stmt	*st;
	struct sc_row		*rows = NULL;
	enum store_step		 rc;
	size_t			 cap = 0, i;
	int			 ret;

	if (db_prepare(s, &st, sql, cause) != 0)
		return (-1);
	if (arg != NULL)
		db_text(st, 1, arg);
	while ((rc = db_step(st)) == STORE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof **out);
			rows = xreallocarray(rows, cap, sizeof *rows);
		}
		if (sc_read_row(s, st, &(*out)[*n], cause) != 0) {
			db_release(s, st);
			free(rows);
			return (-1);
		}
		rows[*n].id = db_col_int(st, 0);
		rows[*n].sc = (*out)[*n];
		(*n)++;
	}
	ret = sc_step_done(s, st, rc, "cannot read Send connectors", cause);
	if (ret == 0 && *n > 0) {
		qsort(rows, *n, sizeof *rows, sc_row_cmp);
		for (i = 0; i < sizeof sc_children / sizeof sc_children[0] &&
		    ret == 0; i++)
			ret = sc_read_child(s, &sc_children[i], rows, *n,
			    cause);
	}
	free(rows);
	return (ret);
}

static int
sc_query_one(struct store *s, const char *sql, const char *arg,
    struct send_connector **out, char **cause)
{
	struct send_connector	**v;
	size_t			  n;

	*out = NULL;
	if (arg == NULL)
		return (1);
	if (sc_query(s, sql, arg, &v, &n, cause) != 0)
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
	return (sc_query(s, SC_SELECT "ORDER BY name, id", NULL, out, n,
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
	return (sc_query_one(s, SC_SELECT "WHERE guid = lower(?1)", guid, out,
	    cause));
}

int
store_connector_find(struct store *s, const char *name,
    struct send_connector **out, char **cause)
{
	return (sc_query_one(s, SC_SELECT "WHERE name = ?1",
	    name, out, cause));
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
	if (sc_write(s, NULL, &tmp, 0, cause) != 0)
		return (-1);
	memcpy(sc->guid, tmp.guid, sizeof sc->guid);
	sc->when_created = tmp.when_created;
	sc->when_changed = tmp.when_changed;
	return (0);
}

int
store_connector_update(struct store *s, const struct send_connector *old,
    struct send_connector *sc, char **cause)
{
	struct send_connector	tmp;

	if (sc_check(sc, cause) != 0)
		return (-1);
	tmp = *sc;
	tmp.when_changed = (int64_t)time(NULL);
	if (sc_write(s, old, &tmp, 1, cause) != 0)
		return (-1);
	sc->when_changed = tmp.when_changed;
	return (0);
}

int
store_connector_delete(struct store *s, const char *guid, char **cause)
{
	struct store_stmt	*st;
	enum store_step		 rc;
	int64_t			 changed;

	if (db_prepare(s, &st, "DELETE FROM send_connectors WHERE "
	    "guid = lower(?1)", cause) != 0)
		return (-1);
	db_text(st, 1, guid);
	rc = db_step(st);
	changed = rc == STORE_DONE ? db_changes(st) : 0;
	db_release(s, st);
	if (rc != STORE_DONE)
		return (store_fail(s, cause, "cannot remove Send connector "
		    "%s", guid));
	if (changed == 0) {
		xasprintf(cause, "no Send connector has GUID %s", guid);
		return (-1);
	}
	return (0);
}

/*
 * Insert sc, or update it from old (NULL: every property), with its child
 * rows, atomically.
 */
static int
sc_write(struct store *s, const struct send_connector *old,
    struct send_connector *sc, int update, char **cause)
{
	enum store_txn	how;
	int64_t		id = -1;
	int		rc;

	if (store_txn_enter(s, 1, &how, cause) != 0)
		return (-1);
	if (update)
		rc = sc_update_row(s, old, sc, &id, cause);
	else
		rc = sc_insert_row(s, sc, &id, cause);
	if (rc == 0)
		rc = sc_write_children(s, id, old, sc, update, cause);
	return (store_txn_leave(s, how, rc == 0, cause));
}

static int
sc_insert_row(struct store *s, struct send_connector *sc, int64_t *id,
    char **cause)
{
	struct store_stmt	*st;
	unsigned char		*blob = NULL;
	size_t			 bloblen = 0, i;
	int			 rc;

	if (sc->auth_password != NULL && store_crypt_encrypt(s, sc->guid,
	    sc->auth_password, &blob, &bloblen, cause) != 0)
		return (-1);
	if ((rc = db_prepare(s, &st, SC_INSERT, cause)) == 0) {
		db_text(st, 1, sc->guid);
		for (i = 0; i < SC_NFIELDS; i++)
			sc_bind_field(st, i, sc);
		if (blob != NULL)
			db_blob(st, SC_COL_PASSWORD, blob, bloblen);
		else
			db_text(st, SC_COL_PASSWORD, NULL);
		rc = sc_write_result(s, st, sc, 0, id, cause);
		db_release(s, st);
	}
	free(blob);
	return (rc);
}

/*
 * UPDATE only the columns in which sc differs from old, and when_changed;
 * the statement text names just those columns, so one is kept per
 * combination in use (a Set usually changes the same few).
 */
static int
sc_update_row(struct store *s, const struct send_connector *old,
    struct send_connector *sc, int64_t *id, char **cause)
{
	struct store_stmt	*st;
	struct buf		 b;
	unsigned char		*blob = NULL;
	const char		*sep = "";
	size_t			 bloblen = 0, i;
	bool			 cred;
	int			 rc;

	cred = old == NULL || !sc_streq(old->auth_username,
	    sc->auth_username) || !sc_streq(old->auth_password,
	    sc->auth_password);
	if (cred && sc->auth_password != NULL && store_crypt_encrypt(s,
	    sc->guid, sc->auth_password, &blob, &bloblen, cause) != 0)
		return (-1);
	buf_init(&b);
	buf_adds(&b, "UPDATE send_connectors SET");
	for (i = 0; i < SC_NFIELDS; i++) {
		if (!sc_writes(&sc_fields[i], old, sc, cred))
			continue;
		buf_addf(&b, "%s %s = ?%d", sep, sc_fields[i].col,
		    SC_COL_FIELD(i));
		sep = ",";
	}
	if (cred)
		buf_addf(&b, ", auth_password = ?%d", SC_COL_PASSWORD);
	buf_adds(&b, " WHERE guid = ?1");
	rc = db_prepare(s, &st, b.s, cause);
	buf_free(&b);
	if (rc == 0) {
		db_text(st, 1, sc->guid);
		for (i = 0; i < SC_NFIELDS; i++) {
			if (sc_writes(&sc_fields[i], old, sc, cred))
				sc_bind_field(st, i, sc);
		}
		if (cred && blob != NULL)
			db_blob(st, SC_COL_PASSWORD, blob, bloblen);
		else if (cred)
			db_text(st, SC_COL_PASSWORD, NULL);
		rc = sc_write_result(s, st, sc, 1, id, cause);
		db_release(s, st);
	}
	free(blob);
	return (rc);
}

/*
 * Step the INSERT or UPDATE and explain a failure; *id is the row's id.
 * Not "RETURNING id": SQLite gathers RETURNING rows in a temporary table,
 * with a pager and a page cache of its own (some 90 KB) built and freed
 * for every statement, which made most of a New-SendConnector's page
 * faults.  An insert's id is the backend's last one; an update's is
 * looked up by the GUID the statement matched.
 */
static int
sc_write_result(struct store *s, struct store_stmt *st,
    const struct send_connector *sc, int update, int64_t *id, char **cause)
{
	enum store_step	rc;

	if ((rc = db_step(st)) == STORE_DONE) {
		if (!update) {
			*id = db_insert_id(st);
			return (0);
		}
		/* Rows the UPDATE itself changed, not its triggers. */
		if (db_changes(st) > 0)
			return (sc_guid_id(s, sc->guid, id, cause));
		xasprintf(cause, "no Send connector has GUID %s", sc->guid);
		return (-1);
	}
	if (rc == STORE_CONSTRAINT && s->be->unique_violation(s,
	    "send_connectors", "name")) {
		xasprintf(cause, "a Send connector named \"%s\" already exists",
		    sc->name);
		return (-1);
	}
	return (store_fail(s, cause, "cannot store Send connector %s",
	    sc->name));
}

/* The row id of the connector with this GUID. */
static int
sc_guid_id(struct store *s, const char *guid, int64_t *id, char **cause)
{
	struct store_stmt	*st;
	enum store_step		 rc;

	if (db_prepare(s, &st, "SELECT id FROM send_connectors "
	    "WHERE guid = ?1", cause) != 0)
		return (-1);
	db_text(st, 1, guid);
	if ((rc = db_step(st)) == STORE_ROW) {
		*id = db_col_int(st, 0);
		db_release(s, st);
		return (0);
	}
	if (rc == STORE_DONE) {
		db_release(s, st);
		xasprintf(cause, "no Send connector has GUID %s", guid);
		return (-1);
	}
	return (sc_step_done(s, st, rc, "cannot read Send connector", cause));
}

/*
 * Write the child lists of a new connector, or on update replace those
 * that differ from old (NULL: all of them).  An unchanged list is not
 * touched, so its rows keep firing no generation triggers.
 */
static int
sc_write_children(struct store *s, int64_t id,
    const struct send_connector *old, const struct send_connector *sc,
    int update, char **cause)
{
	if (old == NULL || !send_connector_same_spaces(old, sc)) {
		if (update && sc_write_list(s, "DELETE FROM address_spaces "
		    "WHERE connector_id = ?1", id, NULL, cause) != 0)
			return (-1);
		if (sc_write_spaces(s, id, sc, cause) != 0)
			return (-1);
	}
	if (old == NULL || !sc_strlist_equal(&old->smart_hosts,
	    &sc->smart_hosts)) {
		if (update && sc_write_list(s, "DELETE FROM smart_hosts "
		    "WHERE connector_id = ?1", id, NULL, cause) != 0)
			return (-1);
		if (sc_write_list(s, "INSERT INTO smart_hosts (connector_id, "
		    "position, host) VALUES (?1, ?2, ?3)", id,
		    &sc->smart_hosts, cause) != 0)
			return (-1);
	}
	if (old == NULL || !sc_strlist_equal(&old->source_transport_servers,
	    &sc->source_transport_servers)) {
		if (update && sc_write_list(s, "DELETE FROM source_servers "
		    "WHERE connector_id = ?1", id, NULL, cause) != 0)
			return (-1);
		if (sc_write_list(s, "INSERT INTO source_servers "
		    "(connector_id, position, server) VALUES (?1, ?2, ?3)", id,
		    &sc->source_transport_servers, cause) != 0)
			return (-1);
	}
	return (0);
}

static int
sc_write_spaces(struct store *s, int64_t id,
    const struct send_connector *sc, char **cause)
{
	const struct sc_address_space	*as;
	struct store_stmt		*st;
	enum store_step			 rc = STORE_DONE;
	size_t				 i;

	if (db_prepare(s, &st, "INSERT INTO address_spaces (connector_id, "
	    "position, type, domain, cost) VALUES (?1, ?2, ?3, ?4, ?5)",
	    cause) != 0)
		return (-1);
	for (i = 0; i < sc->n_address_spaces && rc == STORE_DONE; i++) {
		as = &sc->address_spaces[i];
		db_int(st, 1, id);
		db_int(st, 2, (int64_t)i);
		db_text(st, 3, as->type != NULL ? as->type : "smtp");
		db_text(st, 4, as->domain);
		db_int(st, 5, as->cost);
		rc = db_step(st);
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
	struct store_stmt	*st;
	enum store_step		 rc = STORE_DONE;
	size_t			 i, n = (l == NULL ? 1 : l->n);

	if (db_prepare(s, &st, sql, cause) != 0)
		return (-1);
	for (i = 0; i < n && rc == STORE_DONE; i++) {
		db_int(st, 1, id);
		if (l != NULL) {
			db_int(st, 2, (int64_t)i);
			db_text(st, 3, l->v[i]);
		}
		rc = db_step(st);
	}
	return (sc_step_done(s, st, rc, "cannot store Send connector",
	    cause));
}

/* Release st; fail unless its last step (rc) finished the statement. */
static int
sc_step_done(struct store *s, struct store_stmt *st, enum store_step rc,
    const char *what, char **cause)
{
	int	ret = 0;

	if (rc != STORE_DONE)
		ret = store_fail(s, cause, "%s", what);
	db_release(s, st);
	return (ret);
}
