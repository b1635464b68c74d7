/*
 * store_test.c - unit tests of store/: files, schema, connectors, crypto.
 *
 * Every case works in its own temporary directory, removed at the end.
 *
 * With $HUBSH_TEST_PG set (tests/transport/pgstore.sh), the cases run
 * against PostgreSQL instead, each on a fresh database, made by that
 * helper program: "HELPER new NAME" creates database NAME and prints its
 * URI, then the URI as store_path() shows it (without the password);
 * "HELPER sql URI SQL" runs SQL in it and prints the rows, fields joined
 * by "|".  The credential key is then $HUBSH_KEY_FILE, in the case's
 * directory.  The cases about the SQLite file itself (file modes, the
 * WAL, frozen SQLite schemas) are not run, and one case is run only
 * there (PostgreSQL's frozen version 1 schema); those that edit the
 * database behind the store's back do it in SQL.
 */
/* readline's pkg-config flags may define these already. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "fixture.h"
#include "tap.h"
#include "xmalloc.h"

#define SECRET	"Pa55-w0rd-plaintext-XYZZY"
/* The stored blob is nonce || ciphertext || tag. */
#define STORE_NONCE_BYTES	12

static char	*tdir;
static char	*tpath;
static char	*tshown;	/* tpath as store_path() shows it */
static char	*tkey;		/* the credential key file */

static const char *pg_helper;	/* $HUBSH_TEST_PG, or NULL: SQLite */
static int	 pg_cases;

/*
 * Run pg_helper with args (NULL-terminated); its standard output, or NULL
 * if it failed.
 */
static char *
pg_run_helper(const char *const *args)
{
	char	*out = NULL, buf[4096];
	size_t	 len = 0;
	ssize_t	 n;
	pid_t	 pid;
	int	 fd[2], status;

	fflush(stdout);
	if (pipe(fd) != 0)
		return (NULL);
	if ((pid = fork()) == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execv(pg_helper, (char *const *)args);
		_exit(127);
	}
	close(fd[1]);
	out = xstrdup("");
	while (pid != -1 && (n = read(fd[0], buf, sizeof buf)) > 0) {
		out = xrealloc(out, len + n + 1);
		memcpy(out + len, buf, n);
		out[len += n] = '\0';
	}
	close(fd[0]);
	if (pid == -1 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("# %s %s failed\n", pg_helper, args[1]);
		free(out);
		return (NULL);
	}
	return (out);
}

static void
setup(void)
{
	const char	*args[4];
	char		*name, *out, *nl;

	tdir = fixture_tmpdir("hubsh-store-test");
	if (pg_helper == NULL) {
		tpath = xprintf("%s/sub/dir/hubsh.db", tdir);
		tshown = xstrdup(tpath);
		tkey = xprintf("%s.key", tpath);
		return;
	}
	tkey = xprintf("%s/pg.key", tdir);
	setenv("HUBSH_KEY_FILE", tkey, 1);
	name = xprintf("store_test_%d", ++pg_cases);
	args[0] = pg_helper;
	args[1] = "new";
	args[2] = name;
	args[3] = NULL;
	out = pg_run_helper(args);
	free(name);
	if (out == NULL || (nl = strchr(out, '\n')) == NULL) {
		printf("Bail out! cannot create a PostgreSQL database\n");
		exit(1);
	}
	tpath = xstrndup(out, nl - out);
	tshown = xstrndup(nl + 1, strcspn(nl + 1, "\n"));
	free(out);
}

static void
teardown(void)
{
	fixture_rmtree(tdir);
	free(tdir);
	free(tpath);
	free(tshown);
	free(tkey);
	tdir = tpath = tshown = tkey = NULL;
}

/* Run SQL in the case's PostgreSQL database; its rows, or NULL. */
static char *
pg_sql(const char *sql)
{
	const char	*args[5];

	args[0] = pg_helper;
	args[1] = "sql";
	args[2] = tpath;
	args[3] = sql;
	args[4] = NULL;
	return (pg_run_helper(args));
}

static struct store *
open_store(const char *server)
{
	struct store	*s = NULL;
	char		*cause = NULL;

	if (store_open(&s, tpath, server, &cause) != 0) {
		printf("# store_open: %s\n", cause);
		free(cause);
		tap_case_failed = 1;
		return (NULL);
	}
	return (s);
}

static mode_t
file_mode(const char *path)
{
	struct stat	sb;

	if (stat(path, &sb) != 0)
		return ((mode_t)-1);
	return (sb.st_mode & 07777);
}

static void
add_space(struct send_connector *sc, const char *type, const char *domain,
    int cost)
{
	struct sc_address_space	*as;

	sc->address_spaces = xreallocarray(sc->address_spaces,
	    sc->n_address_spaces + 1, sizeof *sc->address_spaces);
	as = &sc->address_spaces[sc->n_address_spaces++];
	as->type = xstrdup(type);
	as->domain = xstrdup(domain);
	as->cost = cost;
}

/* A connector with every property away from its default. */
static void
make_full(struct send_connector *sc, const char *name)
{
	send_connector_init(sc, SC_USAGE_INTERNET, "EX01");
	sc->name = xstrdup(name);
	add_space(sc, "SMTP", "zeta.example", 5);
	add_space(sc, "smtp", "*.alpha.example", 1);
	add_space(sc, "X400", "c=us;a=;p=org", 100);
	free(sc->comment);
	sc->comment = xstrdup("a comment, with ünïcode");
	sc->cloud_services_mail_enabled = true;
	sc->connector_type = SC_CONNTYPE_XPREMISES;
	sc->connection_inactivity_timeout = 86400;
	sc->domain_secure_enabled = true;
	sc->enabled = false;
	sc->error_policies = SC_ERRPOL_DOWNGRADE_DNS | SC_ERRPOL_UPGRADE_CUSTOM;
	sc->force_helo = true;
	sc->fqdn = xstrdup("mail.example.com");
	sc->frontend_proxy_enabled = true;
	sc->ignore_starttls = true;
	sc->is_scoped_connector = true;
	sc->max_message_size = 2147483647;
	sc->port = 587;
	sc->protocol_logging_level = SC_PROTOLOG_VERBOSE;
	sc->require_oorg = true;
	sc->require_tls = true;
	sc->smart_host_auth_mechanism = SC_AUTH_BASIC_REQUIRE_TLS;
	sc_strlist_add(&sc->smart_hosts, "relay2.example.com");
	sc_strlist_add(&sc->smart_hosts, "[10.1.1.1]");
	sc_strlist_add(&sc->smart_hosts, "relay1.example.com");
	sc->smtp_max_messages_per_connection = 0;
	free(sc->source_ip_address);
	sc->source_ip_address = xstrdup("192.0.2.7");
	sc_strlist_add(&sc->source_transport_servers, "EX03");
	sc_strlist_add(&sc->source_transport_servers, "EX02");
	sc->tls_auth_level = SC_TLSAUTH_DOMAIN_VALIDATION;
	sc->tls_certificate_name = xstrdup("<I>CN=Issuer<S>CN=mail");
	sc->tls_domain = xstrdup("*.example.com");
	sc->use_external_dns_servers_enabled = true;
	sc->smtp_dane_mode = SC_DANE_MANDATORY;
	sc->mta_sts_mode = SC_STS_NONE;
	sc->auth_username = xstrdup("relayuser");
	sc->auth_password = xstrdup(SECRET);
}

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

static int
list_eq(const struct sc_strlist *a, const struct sc_strlist *b)
{
	size_t	i;

	if (a->n != b->n)
		return (0);
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return (0);
	return (1);
}

static int
spaces_eq(const struct send_connector *a, const struct send_connector *b)
{
	size_t	i;

	if (a->n_address_spaces != b->n_address_spaces)
		return (0);
	for (i = 0; i < a->n_address_spaces; i++) {
		if (!str_eq(a->address_spaces[i].type,
		    b->address_spaces[i].type) ||
		    !str_eq(a->address_spaces[i].domain,
		    b->address_spaces[i].domain) ||
		    a->address_spaces[i].cost != b->address_spaces[i].cost)
			return (0);
	}
	return (1);
}

/* Check every property of b against a. */
static void
check_same(const struct send_connector *a, const struct send_connector *b)
{
	TAP_STREQ(b->guid, a->guid);
	TAP_STREQ(b->name, a->name);
	TAP_CHECK(b->when_created == a->when_created);
	TAP_CHECK(b->when_changed == a->when_changed);
	TAP_CHECK(b->usage == a->usage);
	TAP_CHECK(spaces_eq(a, b));
	TAP_STREQ(b->comment, a->comment);
	TAP_CHECK(b->cloud_services_mail_enabled ==
	    a->cloud_services_mail_enabled);
	TAP_CHECK(b->connector_type == a->connector_type);
	TAP_CHECK(b->connection_inactivity_timeout ==
	    a->connection_inactivity_timeout);
	TAP_CHECK(b->domain_secure_enabled == a->domain_secure_enabled);
	TAP_CHECK(b->enabled == a->enabled);
	TAP_CHECK(b->error_policies == a->error_policies);
	TAP_CHECK(b->force_helo == a->force_helo);
	TAP_CHECK(str_eq(b->fqdn, a->fqdn));
	TAP_CHECK(b->frontend_proxy_enabled == a->frontend_proxy_enabled);
	TAP_CHECK(b->ignore_starttls == a->ignore_starttls);
	TAP_CHECK(b->is_scoped_connector == a->is_scoped_connector);
	TAP_CHECK(b->max_message_size == a->max_message_size);
	TAP_CHECK(b->port == a->port);
	TAP_CHECK(b->protocol_logging_level == a->protocol_logging_level);
	TAP_CHECK(b->require_oorg == a->require_oorg);
	TAP_CHECK(b->require_tls == a->require_tls);
	TAP_CHECK(b->smart_host_auth_mechanism ==
	    a->smart_host_auth_mechanism);
	TAP_CHECK(list_eq(&b->smart_hosts, &a->smart_hosts));
	TAP_CHECK(b->smtp_max_messages_per_connection ==
	    a->smtp_max_messages_per_connection);
	TAP_STREQ(b->source_ip_address, a->source_ip_address);
	TAP_CHECK(list_eq(&b->source_transport_servers,
	    &a->source_transport_servers));
	TAP_CHECK(b->tls_auth_level == a->tls_auth_level);
	TAP_CHECK(str_eq(b->tls_certificate_name, a->tls_certificate_name));
	TAP_CHECK(str_eq(b->tls_domain, a->tls_domain));
	TAP_CHECK(b->use_external_dns_servers_enabled ==
	    a->use_external_dns_servers_enabled);
	TAP_CHECK(b->smtp_dane_mode == a->smtp_dane_mode);
	TAP_CHECK(b->mta_sts_mode == a->mta_sts_mode);
	TAP_CHECK(str_eq(b->auth_username, a->auth_username));
	TAP_CHECK(str_eq(b->auth_password, a->auth_password));
}

/* Insert sc in its own committed transaction. */
static int
insert_commit(struct store *s, struct send_connector *sc)
{
	char	*cause = NULL;

	if (store_begin(s, &cause) != 0 ||
	    store_connector_insert(s, sc, &cause) != 0 ||
	    store_commit(s, &cause) != 0) {
		printf("# insert: %s\n", cause);
		free(cause);
		store_rollback(s);
		return (-1);
	}
	return (0);
}

static int
insert_named(struct store *s, const char *name)
{
	struct send_connector	sc;
	int			rc;

	send_connector_init(&sc, SC_USAGE_CUSTOM, store_server_name(s));
	sc.name = xstrdup(name);
	add_space(&sc, "smtp", "example.com", 1);
	rc = insert_commit(s, &sc);
	send_connector_clear(&sc);
	return (rc);
}

static int64_t
generation(struct store *s)
{
	int64_t	 gen = -1;
	char	*cause = NULL;

	if (store_generation(s, &gen, &cause) != 0) {
		printf("# generation: %s\n", cause);
		free(cause);
	}
	return (gen);
}

static size_t
count_connectors(struct store *s)
{
	struct send_connector	**v;
	size_t			  n = (size_t)-1;
	char			 *cause = NULL;

	if (store_connector_list(s, &v, &n, &cause) != 0) {
		printf("# list: %s\n", cause);
		free(cause);
		return ((size_t)-1);
	}
	store_connector_list_free(v, n);
	return (n);
}

/* 1 if the file at path contains needle. */
static int
file_contains(const char *path, const char *needle)
{
	FILE	*f;
	char	*data;
	long	 len;
	size_t	 nl = strlen(needle);
	long	 i;
	int	 found = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return (0);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	data = xmalloc(len + 1);
	len = (long)fread(data, 1, len, f);
	fclose(f);
	for (i = 0; i + (long)nl <= len && !found; i++)
		found = (memcmp(data + i, needle, nl) == 0);
	free(data);
	return (found);
}

static int64_t	raw_int(const char *);

/* Run one SQL statement on the file directly, bypassing store/. */
static int
raw_sql(const char *sql)
{
	sqlite3	*db;
	char	*out;
	int	 rc;

	if (pg_helper != NULL) {
		out = pg_sql(sql);
		free(out);
		return (out != NULL ? 0 : -1);
	}
	if (sqlite3_open(tpath, &db) != SQLITE_OK)
		return (-1);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return (rc == SQLITE_OK ? 0 : -1);
}

/* Flip one byte of the (only) stored password blob, bypassing store/. */
static int
raw_flip_password_byte(int at)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	unsigned char	*blob = NULL;
	char		*sql;
	int		 len = 0, rc = -1;

	if (pg_helper != NULL) {
		sql = xprintf("UPDATE send_connectors SET auth_password = "
		    "set_byte(auth_password, %d, get_byte(auth_password, %d) "
		    "# 1) WHERE length(auth_password) > %d", at, at, at);
		rc = raw_int(sql) == 1 ? 0 : -1;
		free(sql);
		return (rc);
	}
	if (sqlite3_open(tpath, &db) != SQLITE_OK)
		return (-1);
	if (sqlite3_prepare_v2(db, "SELECT auth_password FROM send_connectors",
	    -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW &&
		    (len = sqlite3_column_bytes(st, 0)) > at) {
			blob = xmalloc(len);
			memcpy(blob, sqlite3_column_blob(st, 0), len);
			blob[at] ^= 0x01;
		}
		sqlite3_finalize(st);
	}
	if (blob != NULL && sqlite3_prepare_v2(db, "UPDATE send_connectors "
	    "SET auth_password = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, blob, len, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_DONE)
			rc = 0;
		sqlite3_finalize(st);
	}
	free(blob);
	sqlite3_close(db);
	return (rc);
}

/* The integer result of one query on the file, bypassing store/. */
static int64_t
raw_int(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 v = -1;
	char		*out, *sql_pg;

	if (pg_helper != NULL) {
		/* An UPDATE counts its rows as its result. */
		if (strncmp(sql, "UPDATE", 6) == 0)
			sql_pg = xprintf("WITH u AS (%s RETURNING 1) "
			    "SELECT count(*) FROM u", sql);
		else
			sql_pg = xstrdup(sql);
		out = pg_sql(sql_pg);
		free(sql_pg);
		if (out != NULL && *out != '\0')
			v = strtoll(out, NULL, 10);
		free(out);
		return (v);
	}
	if (sqlite3_open(tpath, &db) != SQLITE_OK)
		return (-1);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return (v);
}

static void
test_resolve_path(void)
{
	char	*p;

	setenv("HUBSH_STORE", "/env/path.db", 1);
	p = store_resolve_path("/explicit.db");
	TAP_STREQ(p, "/explicit.db");
	free(p);
	p = store_resolve_path(NULL);
	TAP_STREQ(p, "/env/path.db");
	free(p);
	unsetenv("HUBSH_STORE");
	p = store_resolve_path(NULL);
	TAP_STREQ(p, store_default_path());
	free(p);
	TAP_CHECK(*store_default_path() == '/');
}

/* A location as messages show it: never a PostgreSQL password. */
static void
test_location_display(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} t[] = {
		{ "/var/lib/hubsh/hubsh.db", "/var/lib/hubsh/hubsh.db" },
		{ "postgresql://hubsh:s3cret@db.example:5432/hubsh",
		    "postgresql://hubsh@db.example:5432/hubsh" },
		{ "postgres://hubsh@db/hubsh", "postgres://hubsh@db/hubsh" },
		{ "postgresql://db/hubsh?user=hubsh&password=s3cret&"
		    "sslmode=verify-full",
		    "postgresql://db/hubsh?user=hubsh&sslmode=verify-full" },
		{ "postgresql://u:p@db/hubsh?password=x",
		    "postgresql://u@db/hubsh" },
		{ "POSTGRESQL://u:p:q@db", "POSTGRESQL://u@db" },
		/* Unencoded / and @: still the password, still hidden. */
		{ "postgresql://u:se/cr@et@db/hubsh?sslmode=require",
		    "postgresql://u@db/hubsh?sslmode=require" },
		{ "postgresql://db:5432/hubsh", "postgresql://db:5432/hubsh" },
	};
	struct store	*st = NULL;
	size_t		 i;
	char		*s, *cause = NULL;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		s = store_location_display(t[i].in);
		TAP_STREQ(s, t[i].out);
		free(s);
	}
	/* Refused before libpq could name a piece of it as a host. */
	TAP_CHECK(store_open(&st, "postgresql://u:Sec/ret@127.0.0.1:1/db",
	    "EX01", &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "%2F") != NULL &&
	    strstr(cause, "Sec") == NULL && strstr(cause, "ret@") == NULL);
	free(cause);
	TAP_CHECK(store_location_is_pg("postgresql://x"));
	TAP_CHECK(store_location_is_pg("postgres://x"));
	TAP_CHECK(!store_location_is_pg("/srv/postgresql://x.db"));
}

static void
test_open_modes(void)
{
	struct store		*s;
	struct send_connector	 sc;
	char			*dir, *key, *wal;

	setup();
	s = open_store("EX01");
	TAP_CHECK(s != NULL);
	TAP_CHECK(file_mode(tpath) == 0600);
	dir = xprintf("%s/sub/dir", tdir);
	TAP_CHECK(file_mode(dir) == 0700);
	key = xprintf("%s.key", tpath);
	wal = xprintf("%s-wal", tpath);
	TAP_CHECK(access(key, F_OK) != 0);	/* only on first need */
	if (s != NULL) {
		make_full(&sc, "Cred");
		TAP_CHECK(insert_commit(s, &sc) == 0);
		send_connector_clear(&sc);
		TAP_CHECK(file_mode(key) == 0600);
		TAP_CHECK(file_mode(wal) == 0600);
		store_close(s);
	}
	free(dir);
	free(key);
	free(wal);
	teardown();
}

static void
test_schema_version(void)
{
	struct store	*s;

	setup();
	if ((s = open_store("EX01")) != NULL) {
		TAP_CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
		store_close(s);
	}
	/* Reopening an up-to-date store migrates nothing. */
	if ((s = open_store("EX01")) != NULL) {
		TAP_CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
		TAP_CHECK(generation(s) == 0);
		store_close(s);
	}
	teardown();
}

static void
test_servers(void)
{
	struct store	*s;
	char		 host[256], *dot;

	setup();
	if ((s = open_store(NULL)) != NULL) {
		gethostname(host, sizeof host);
		host[sizeof host - 1] = '\0';
		if ((dot = strchr(host, '.')) != NULL)
			*dot = '\0';
		TAP_STREQ(store_server_name(s), host);
		TAP_CHECK(store_server_known(s, host) == 1);
		TAP_CHECK(store_server_known(s, "EX99") == 0);
		store_close(s);
	}
	if ((s = open_store("Ex02")) != NULL) {
		TAP_STREQ(store_server_name(s), "Ex02");
		TAP_CHECK(store_server_known(s, "EX02") == 1);
		TAP_CHECK(store_server_known(s, host) == 1);
		TAP_STREQ(store_path(s), tshown);
		store_close(s);
	}
	teardown();
}

static void
check_defaults(enum sc_usage usage, int64_t size, bool secure)
{
	struct send_connector	sc;

	send_connector_init(&sc, usage, "EX01");
	TAP_CHECK(sc.usage == usage);
	TAP_CHECK(sc.max_message_size == size);
	TAP_CHECK(sc.domain_secure_enabled == secure);
	TAP_CHECK(sc.port == 25);
	TAP_CHECK(sc.connection_inactivity_timeout == 600);
	TAP_CHECK(sc.enabled);
	TAP_CHECK(sc.smtp_max_messages_per_connection == 20);
	TAP_STREQ(sc.source_ip_address, "0.0.0.0");
	TAP_STREQ(sc.comment, "");
	TAP_CHECK(sc.source_transport_servers.n == 1);
	if (sc.source_transport_servers.n == 1)
		TAP_STREQ(sc.source_transport_servers.v[0], "EX01");
	TAP_CHECK(sc.name == NULL && sc.fqdn == NULL && sc.tls_domain == NULL);
	TAP_CHECK(sc.tls_certificate_name == NULL);
	TAP_CHECK(sc.auth_username == NULL && sc.auth_password == NULL);
	TAP_CHECK(sc.n_address_spaces == 0 && SC_DNS_ROUTING(&sc));
	TAP_CHECK(sc.tls_auth_level == SC_TLSAUTH_NONE);
	TAP_CHECK(sc.smart_host_auth_mechanism == SC_AUTH_NONE);
	TAP_CHECK(sc.error_policies == 0 && !sc.require_tls);
	TAP_CHECK(!sc.ignore_starttls && !sc.force_helo);
	TAP_CHECK(!sc.use_external_dns_servers_enabled);
	TAP_CHECK(sc.protocol_logging_level == SC_PROTOLOG_NONE);
	TAP_CHECK(sc.connector_type == SC_CONNTYPE_DEFAULT);
	TAP_CHECK(sc.smtp_dane_mode == SC_DANE_OPPORTUNISTIC);
	TAP_CHECK(sc.mta_sts_mode == SC_STS_OPPORTUNISTIC);
	send_connector_clear(&sc);
}

static void
test_defaults(void)
{
	struct send_connector	sc;

	check_defaults(SC_USAGE_CUSTOM, 36700160, false);
	check_defaults(SC_USAGE_INTERNET, 36700160, false);
	check_defaults(SC_USAGE_PARTNER, 36700160, true);
	check_defaults(SC_USAGE_INTERNAL, SC_SIZE_UNLIMITED, false);
	send_connector_init(&sc, SC_USAGE_CUSTOM, NULL);
	TAP_CHECK(sc.source_transport_servers.n == 0);
	send_connector_clear(&sc);
}

static void
test_dup(void)
{
	struct send_connector	 sc, *d;

	make_full(&sc, "Dup");
	d = send_connector_dup(&sc);
	check_same(&sc, d);
	TAP_CHECK(d->name != sc.name && d->smart_hosts.v != sc.smart_hosts.v);
	send_connector_clear(&sc);
	send_connector_free(d);
	send_connector_free(NULL);
}

static void
test_round_trip(void)
{
	struct store		 *s;
	struct send_connector	  sc, *got;
	struct send_connector	**v;
	size_t			  n;
	char			 *cause = NULL;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	make_full(&sc, "Full");
	TAP_CHECK(insert_commit(s, &sc) == 0);
	TAP_CHECK(strlen(sc.guid) == 36 && sc.guid[14] == '4');
	TAP_CHECK(sc.when_created > 0 && sc.when_created == sc.when_changed);
	TAP_CHECK(store_connector_get(s, sc.guid, &got, &cause) == 0);
	if (got != NULL)
		check_same(&sc, got);
	send_connector_free(got);
	TAP_CHECK(store_connector_find(s, "Full", &got, &cause) == 0);
	if (got != NULL)
		check_same(&sc, got);
	send_connector_free(got);
	TAP_CHECK(store_connector_list(s, &v, &n, &cause) == 0);
	TAP_CHECK(n == 1);
	if (n == 1)
		check_same(&sc, v[0]);
	store_connector_list_free(v, n);
	send_connector_clear(&sc);
	store_close(s);
out:
	teardown();
}

static void
test_list_order(void)
{
	struct store		 *s;
	struct send_connector	**v;
	size_t			  n = 0;
	char			 *cause = NULL;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	TAP_CHECK(insert_named(s, "charlie") == 0);
	TAP_CHECK(insert_named(s, "Alpha") == 0);
	TAP_CHECK(insert_named(s, "bravo") == 0);
	TAP_CHECK(store_connector_list(s, &v, &n, &cause) == 0);
	TAP_CHECK(n == 3);
	if (n == 3) {
		TAP_STREQ(v[0]->name, "Alpha");
		TAP_STREQ(v[1]->name, "bravo");
		TAP_STREQ(v[2]->name, "charlie");
	}
	store_connector_list_free(v, n);
	store_close(s);
out:
	teardown();
}

/* Change every property of sc, reversing list orders. */
static void
change_all(struct send_connector *sc)
{
	struct send_connector	new;

	send_connector_init(&new, SC_USAGE_INTERNET, NULL);
	memcpy(new.guid, sc->guid, sizeof new.guid);
	new.when_created = sc->when_created;
	new.when_changed = sc->when_changed;
	new.name = xstrdup("Renamed");
	add_space(&new, "smtp", "*", 7);
	add_space(&new, "SMTP", "zeta.example", 5);
	sc_strlist_add(&new.smart_hosts, "relay1.example.com");
	sc_strlist_add(&new.smart_hosts, "[10.1.1.1]");
	sc_strlist_add(&new.source_transport_servers, "EX02");
	sc_strlist_add(&new.source_transport_servers, "EX03");
	sc_strlist_add(&new.source_transport_servers, "EX01");
	new.max_message_size = SC_SIZE_UNLIMITED;
	new.auth_username = xstrdup("other");
	new.auth_password = xstrdup("n3w-secret");
	send_connector_clear(sc);
	*sc = new;
}

static void
test_update(void)
{
	struct store		*s;
	struct send_connector	 sc, *got = NULL;
	char			*cause = NULL;
	int64_t			 created;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	make_full(&sc, "Full");
	TAP_CHECK(insert_commit(s, &sc) == 0);
	created = sc.when_created;
	change_all(&sc);
	sc.when_created = 1;	/* must not be written */
	TAP_CHECK(store_connector_update(s, NULL, &sc, &cause) == 0);
	sc.when_created = created;
	TAP_CHECK(sc.when_changed >= created);
	TAP_CHECK(store_connector_find(s, "full", &got, &cause) == 1);
	TAP_CHECK(store_connector_get(s, sc.guid, &got, &cause) == 0);
	if (got != NULL)
		check_same(&sc, got);
	send_connector_free(got);
	/* Removing the credential and every list entry. */
	free(sc.auth_username);
	free(sc.auth_password);
	sc.auth_username = sc.auth_password = NULL;
	sc_strlist_clear(&sc.smart_hosts);
	sc_strlist_clear(&sc.source_transport_servers);
	TAP_CHECK(store_connector_update(s, NULL, &sc, &cause) == 0);
	TAP_CHECK(store_connector_get(s, sc.guid, &got, &cause) == 0);
	if (got != NULL)
		check_same(&sc, got);
	send_connector_free(got);
	send_connector_clear(&sc);
	store_close(s);
out:
	teardown();
}

/*
 * An update finds its connector's row by GUID: the child rows it writes
 * are its own even when another connector was inserted after it (whose
 * row the last insert's id would name).
 */
static void
test_update_not_last(void)
{
	struct store		*s;
	struct send_connector	 sc, *got = NULL;
	char			*cause = NULL;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	make_full(&sc, "First");
	TAP_CHECK(insert_commit(s, &sc) == 0);
	TAP_CHECK(insert_named(s, "Last") == 0);
	change_all(&sc);
	TAP_CHECK(store_connector_update(s, NULL, &sc, &cause) == 0);
	TAP_CHECK(store_connector_get(s, sc.guid, &got, &cause) == 0);
	if (got != NULL)
		check_same(&sc, got);
	send_connector_free(got);
	got = NULL;
	TAP_CHECK(store_connector_find(s, "Last", &got, &cause) == 0);
	TAP_CHECK(got != NULL && got->n_address_spaces == 1 &&
	    strcmp(got->address_spaces[0].domain, "example.com") == 0 &&
	    got->smart_hosts.n == 0);
	send_connector_free(got);
	send_connector_clear(&sc);
	store_close(s);
out:
	teardown();
}

/*
 * The generation bumps a write costs: SQLite's triggers fire per row,
 * PostgreSQL's per statement (a DELETE of three rows is one).
 */
#define BUMPS(sqlite, pg)	(pg_helper != NULL ? (pg) : (sqlite))

/* Update sc from old in its own transaction; the generation it cost. */
static int64_t
update_from(struct store *s, const struct send_connector *old,
    struct send_connector *sc)
{
	char	*cause = NULL;
	int64_t	 before;

	before = generation(s);
	if (store_connector_update(s, old, sc, &cause) != 0) {
		printf("# update: %s\n", cause);
		free(cause);
		return (-1);
	}
	return (generation(s) - before);
}

/* A stored full connector, as read back (the caller's "old"). */
static struct send_connector *
stored_full(struct store *s, const char *name)
{
	struct send_connector	 sc, *got = NULL;
	char			*cause = NULL;

	make_full(&sc, name);
	if (insert_commit(s, &sc) == 0 &&
	    store_connector_get(s, sc.guid, &got, &cause) != 0) {
		printf("# get: %s\n", cause);
		free(cause);
		got = NULL;
	}
	send_connector_clear(&sc);
	return (got);
}

/* sc as the store now holds it matches want. */
static void
check_stored(struct store *s, const struct send_connector *want)
{
	struct send_connector	*got = NULL;
	char			*cause = NULL;

	TAP_CHECK(store_connector_get(s, want->guid, &got, &cause) == 0);
	if (got != NULL)
		check_same(want, got);
	send_connector_free(got);
}

static void
test_update_scalar(void)
{
	struct store		*s;
	struct send_connector	*old, *sc;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	if ((old = stored_full(s, "Partial")) == NULL)
		goto close;
	sc = send_connector_dup(old);
	sc->port = 2525;
	sc->require_tls = false;
	/* One UPDATE of the row: no child row deleted or inserted. */
	TAP_CHECK(update_from(s, old, sc) == 1);
	TAP_CHECK(sc->when_changed >= old->when_changed);
	check_stored(s, sc);
	TAP_CHECK(raw_int("SELECT count(*) FROM address_spaces") == 3);
	TAP_CHECK(raw_int("SELECT count(*) FROM smart_hosts") == 3);
	TAP_CHECK(raw_int("SELECT count(*) FROM source_servers") == 3);
	/* Nothing changed: when_changed alone, still one bump. */
	send_connector_free(old);
	old = send_connector_dup(sc);
	TAP_CHECK(update_from(s, old, sc) == 1);
	check_stored(s, sc);
	send_connector_free(old);
	send_connector_free(sc);
close:
	store_close(s);
out:
	teardown();
}

static void
test_update_lists(void)
{
	struct store		*s;
	struct send_connector	*old, *sc;
	char			*tmp;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	if ((old = stored_full(s, "Lists")) == NULL)
		goto close;
	sc = send_connector_dup(old);
	/* Reversed smart hosts: 3 rows out, 3 in, plus the row update. */
	tmp = sc->smart_hosts.v[0];
	sc->smart_hosts.v[0] = sc->smart_hosts.v[2];
	sc->smart_hosts.v[2] = tmp;
	TAP_CHECK(update_from(s, old, sc) == BUMPS(7, 1 + 1 + 3));
	check_stored(s, sc);
	TAP_CHECK(raw_int("SELECT count(*) FROM address_spaces") == 3);
	/* Address spaces cut to one, and a case-only server change. */
	send_connector_free(old);
	old = send_connector_dup(sc);
	while (sc->n_address_spaces > 1) {
		sc->n_address_spaces--;
		free(sc->address_spaces[sc->n_address_spaces].type);
		free(sc->address_spaces[sc->n_address_spaces].domain);
	}
	free(sc->source_transport_servers.v[2]);
	sc->source_transport_servers.v[2] = xstrdup("ex02");	/* EX02 */
	TAP_CHECK(update_from(s, old, sc) ==
	    BUMPS(1 + 3 + 1 + 3 + 3, 1 + 1 + 1 + 1 + 3));
	check_stored(s, sc);
	TAP_CHECK(raw_int("SELECT count(*) FROM smart_hosts") == 3);
	/* Emptied lists. */
	send_connector_free(old);
	old = send_connector_dup(sc);
	sc_strlist_clear(&sc->smart_hosts);
	TAP_CHECK(update_from(s, old, sc) == BUMPS(1 + 3, 1 + 1));
	check_stored(s, sc);
	send_connector_free(old);
	send_connector_free(sc);
close:
	store_close(s);
out:
	teardown();
}

static void
test_update_credential(void)
{
	struct store		*s;
	struct send_connector	*old, *sc;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	if ((old = stored_full(s, "Cred")) == NULL)
		goto close;
	sc = send_connector_dup(old);
	free(sc->auth_password);
	sc->auth_password = xstrdup("n3w-secret");
	TAP_CHECK(update_from(s, old, sc) == 1);
	check_stored(s, sc);
	send_connector_free(old);
	old = send_connector_dup(sc);
	free(sc->auth_username);
	free(sc->auth_password);
	sc->auth_username = sc->auth_password = NULL;
	TAP_CHECK(update_from(s, old, sc) == 1);
	check_stored(s, sc);
	TAP_CHECK(raw_int("SELECT count(*) FROM send_connectors WHERE "
	    "auth_username IS NULL AND auth_password IS NULL") == 1);
	send_connector_free(old);
	send_connector_free(sc);
close:
	store_close(s);
out:
	teardown();
}

/* What the caller did not change keeps what another writer stored. */
static void
test_update_keeps_others(void)
{
	struct store		*s;
	struct send_connector	*old, *sc;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	if ((old = stored_full(s, "Shared")) == NULL)
		goto close;
	TAP_CHECK(raw_sql("UPDATE send_connectors SET comment = 'theirs'; "
	    "DELETE FROM smart_hosts WHERE position = 2") == 0);
	sc = send_connector_dup(old);
	sc->port = 2526;
	TAP_CHECK(update_from(s, old, sc) == 1);
	free(sc->comment);
	sc->comment = xstrdup("theirs");
	sc->smart_hosts.n--;
	free(sc->smart_hosts.v[sc->smart_hosts.n]);
	check_stored(s, sc);
	send_connector_free(old);
	send_connector_free(sc);
close:
	store_close(s);
out:
	teardown();
}

static void
test_update_partial_fails(void)
{
	struct store		*s;
	struct send_connector	*old, *sc;
	char			*cause = NULL;
	int64_t			 gen;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	if ((old = stored_full(s, "Checked")) == NULL)
		goto close;
	gen = generation(s);
	sc = send_connector_dup(old);
	sc->port = 65536;
	sc_strlist_clear(&sc->smart_hosts);
	TAP_CHECK(store_connector_update(s, old, sc, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "port") != NULL);
	free(cause);
	TAP_CHECK(generation(s) == gen);
	check_stored(s, old);
	send_connector_free(old);
	send_connector_free(sc);
close:
	store_close(s);
out:
	teardown();
}

static void
test_update_missing(void)
{
	struct store		*s;
	struct send_connector	 sc;
	char			*cause = NULL;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	send_connector_init(&sc, SC_USAGE_CUSTOM, NULL);
	sc.name = xstrdup("Ghost");
	strcpy(sc.guid, "00000000-0000-4000-8000-000000000000");
	TAP_CHECK(store_connector_update(s, NULL, &sc, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, sc.guid) != NULL);
	free(cause);
	send_connector_clear(&sc);
	store_close(s);
out:
	teardown();
}

static void
test_delete(void)
{
	struct store		*s;
	struct send_connector	 sc, *got = NULL;
	char			*cause = NULL;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	make_full(&sc, "Doomed");
	TAP_CHECK(insert_commit(s, &sc) == 0);
	TAP_CHECK(insert_named(s, "Survivor") == 0);
	TAP_CHECK(store_connector_delete(s, sc.guid, &cause) == 0);
	TAP_CHECK(store_connector_get(s, sc.guid, &got, &cause) == 1);
	TAP_CHECK(got == NULL);
	TAP_CHECK(count_connectors(s) == 1);
	TAP_CHECK(store_connector_delete(s, sc.guid, &cause) == -1);
	free(cause);
	store_close(s);
	/* The child rows went with it. */
	TAP_CHECK(raw_int("SELECT count(*) FROM address_spaces") == 1);
	TAP_CHECK(raw_int("SELECT count(*) FROM smart_hosts") == 0);
	TAP_CHECK(raw_int("SELECT count(*) FROM source_servers") == 1);
	send_connector_clear(&sc);
out:
	teardown();
}

static void
test_duplicate_name(void)
{
	struct store		*s;
	struct send_connector	 sc;
	char			*cause = NULL;
	int64_t			 gen;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	TAP_CHECK(insert_named(s, "Internet") == 0);
	gen = generation(s);
	TAP_CHECK(store_begin(s, &cause) == 0);
	make_full(&sc, "First");
	TAP_CHECK(store_connector_insert(s, &sc, &cause) == 0);
	send_connector_clear(&sc);
	send_connector_init(&sc, SC_USAGE_CUSTOM, NULL);
	sc.name = xstrdup("INTERNET");
	TAP_CHECK(store_connector_insert(s, &sc, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "already exists") != NULL);
	free(cause);
	store_rollback(s);
	TAP_CHECK(count_connectors(s) == 1);
	TAP_CHECK(generation(s) == gen);
	send_connector_clear(&sc);
	store_close(s);
out:
	teardown();
}

static void
test_find_nocase(void)
{
	struct store		*s;
	struct send_connector	*got = NULL;
	char			*cause = NULL;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	TAP_CHECK(insert_named(s, "To Contoso") == 0);
	TAP_CHECK(store_connector_find(s, "to CONTOSO", &got, &cause) == 0);
	if (got != NULL)
		TAP_STREQ(got->name, "To Contoso");
	send_connector_free(got);
	TAP_CHECK(store_connector_find(s, "To Contoso2", &got, &cause) == 1);
	TAP_CHECK(got == NULL);
	store_close(s);
out:
	teardown();
}

static void
test_generation(void)
{
	struct store		*s;
	struct send_connector	 sc;
	char			*cause = NULL;
	int64_t			 g0, g1;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	g0 = generation(s);
	TAP_CHECK(g0 >= 0);
	TAP_CHECK(insert_named(s, "One") == 0);
	g1 = generation(s);
	TAP_CHECK(g1 > g0);
	TAP_CHECK(store_begin(s, &cause) == 0);
	send_connector_init(&sc, SC_USAGE_CUSTOM, NULL);
	sc.name = xstrdup("Two");
	TAP_CHECK(store_connector_insert(s, &sc, &cause) == 0);
	store_rollback(s);
	TAP_CHECK(generation(s) == g1);
	TAP_CHECK(count_connectors(s) == 1);
	send_connector_clear(&sc);
	store_close(s);
out:
	teardown();
}

static void
test_second_connection(void)
{
	struct store		*a, *b;
	struct send_connector	*got = NULL;
	char			*cause = NULL;
	int64_t			 before;

	setup();
	a = open_store("EX01");
	b = open_store("EX02");
	if (a == NULL || b == NULL)
		goto out;
	TAP_CHECK(store_server_known(a, "EX02") == 1);
	before = generation(b);
	TAP_CHECK(insert_named(a, "Shared") == 0);
	TAP_CHECK(generation(b) > before);
	TAP_CHECK(store_connector_find(b, "shared", &got, &cause) == 0);
	send_connector_free(got);
out:
	store_close(a);
	store_close(b);
	teardown();
}

/*
 * What the watcher has been told, waiting up to ms for its descriptor
 * when nothing came yet: the first non-zero answer of
 * store_watch_changed, or 0.
 */
static int
watch_wait(struct store *s, int ms)
{
	struct pollfd	 pfd;
	int		 rc, tries;

	for (tries = 0; tries < 5; tries++) {
		if ((rc = store_watch_changed(s)) != 0)
			return (rc);
		if ((pfd.fd = store_watch_fd(s)) == -1)
			return (-2);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ms) != 1)
			return (0);
	}
	return (store_watch_changed(s));
}

static void
test_watch(void)
{
	struct store	*a, *b;
	char		*cause = NULL, *rows;
	int64_t		 gen;

	setup();
	a = open_store("EX01");
	b = open_store("EX02");
	if (a == NULL || b == NULL)
		goto out;
	if (pg_helper == NULL) {
		/* SQLite announces nothing: readers poll. */
		TAP_CHECK(store_watch(a, &cause) == 1);
		TAP_CHECK(store_watch_fd(a) == -1);
		TAP_CHECK(store_watch_changed(a) == 0);
		goto out;
	}
	TAP_CHECK(store_watch(a, &cause) == 0);
	TAP_CHECK(store_watch_fd(a) >= 0);
	TAP_CHECK(store_watch_changed(a) == 0);

	/* Another connection's commit is announced, once. */
	TAP_CHECK(insert_named(b, "One") == 0);
	TAP_CHECK(watch_wait(a, 5000) == 1);
	TAP_CHECK(store_watch_changed(a) == 0);

	/* A heartbeat is not a configuration change. */
	TAP_CHECK(store_server_heartbeat(b, &cause) == 0);
	TAP_CHECK(watch_wait(a, 300) == 0);

	/* One that came with the answer to the watcher's own query. */
	TAP_CHECK(insert_named(b, "Two") == 0);
	gen = generation(a);
	TAP_CHECK(gen > 0);
	TAP_CHECK(watch_wait(a, 5000) == 1);

	/* The connection lost: said, then mended by the next operation,
	 * which listens again and reports what may have been missed. */
	rows = pg_sql("SELECT count(pg_terminate_backend(pid)) FROM "
	    "pg_stat_activity WHERE datname = current_database() AND "
	    "pid <> pg_backend_pid()");
	TAP_CHECK(rows != NULL && atoi(rows) == 2);
	free(rows);
	TAP_CHECK(watch_wait(a, 5000) == -1);
	TAP_CHECK(store_watch_fd(a) == -1);
	TAP_CHECK(insert_named(b, "Three") == 0);
	TAP_CHECK(generation(a) > gen);
	TAP_CHECK(store_watch_fd(a) >= 0);
	TAP_CHECK(store_watch_changed(a) == 1);
	TAP_CHECK(store_watch_changed(a) == 0);
	TAP_CHECK(insert_named(b, "Four") == 0);
	TAP_CHECK(watch_wait(a, 5000) == 1);
out:
	free(cause);
	store_close(a);
	store_close(b);
	teardown();
}

static void
test_password_not_plain(void)
{
	struct store		*s;
	struct send_connector	 sc;
	char			*wal;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	make_full(&sc, "Secret");
	TAP_CHECK(insert_commit(s, &sc) == 0);
	if (pg_helper != NULL) {
		/* The stored values themselves: the probe works. */
		TAP_CHECK(raw_int("SELECT count(*) FROM send_connectors WHERE "
		    "auth_username = 'relayuser'") == 1);
		TAP_CHECK(raw_int("SELECT count(*) FROM send_connectors WHERE "
		    "position(convert_to('" SECRET "', 'UTF8') IN "
		    "auth_password) > 0 OR auth_username LIKE '%" SECRET "%'")
		    == 0);
		store_close(s);
		send_connector_clear(&sc);
		goto out;
	}
	wal = xprintf("%s-wal", tpath);
	TAP_CHECK(file_contains(wal, "relayuser"));	/* the probe works */
	TAP_CHECK(!file_contains(wal, SECRET));
	TAP_CHECK(!file_contains(tpath, SECRET));
	store_close(s);		/* checkpoints the WAL into the file */
	TAP_CHECK(!file_contains(tpath, SECRET));
	TAP_CHECK(!file_contains(wal, SECRET));
	free(wal);
	send_connector_clear(&sc);
out:
	teardown();
}

static void
test_wrong_key(void)
{
	struct store		*s;
	struct send_connector	 sc, *got = NULL;
	char			*cause = NULL, *key;
	unsigned char		 other[32];
	int			 fd;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	make_full(&sc, "Locked");
	TAP_CHECK(insert_commit(s, &sc) == 0);
	store_close(s);
	key = xstrdup(tkey);
	memset(other, 0x5a, sizeof other);
	fd = open(key, O_WRONLY | O_TRUNC);
	TAP_CHECK(fd != -1 && write(fd, other, sizeof other) == 32);
	close(fd);
	if ((s = open_store("EX01")) != NULL) {
		TAP_CHECK(store_connector_get(s, sc.guid, &got, &cause) == -1);
		TAP_CHECK(cause != NULL && strstr(cause, SECRET) == NULL);
		free(cause);
		store_close(s);
	}
	/* A key file of the wrong size is refused. */
	fd = open(key, O_WRONLY | O_TRUNC);
	TAP_CHECK(fd != -1 && write(fd, other, 31) == 31);
	close(fd);
	if ((s = open_store("EX01")) != NULL) {
		cause = NULL;
		TAP_CHECK(store_connector_get(s, sc.guid, &got, &cause) == -1);
		TAP_CHECK(cause != NULL && strstr(cause, "size") != NULL);
		free(cause);
		store_close(s);
	}
	free(key);
	send_connector_clear(&sc);
out:
	teardown();
}

static void
test_tampered_blob(void)
{
	struct store		*s;
	struct send_connector	 sc, *got = NULL;
	char			*cause = NULL;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	make_full(&sc, "Tampered");
	TAP_CHECK(insert_commit(s, &sc) == 0);
	store_close(s);
	TAP_CHECK(raw_flip_password_byte(STORE_NONCE_BYTES) == 0);
	if ((s = open_store("EX01")) != NULL) {
		TAP_CHECK(store_connector_get(s, sc.guid, &got, &cause) == -1);
		TAP_CHECK(cause != NULL && strstr(cause, SECRET) == NULL);
		free(cause);
		send_connector_free(got);
		store_close(s);
	}
	send_connector_clear(&sc);
out:
	teardown();
}

static void
test_moved_blob(void)
{
	struct store		*s;
	struct send_connector	 a, b, *got = NULL;
	char			*cause = NULL;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	make_full(&a, "A");
	make_full(&b, "B");
	free(b.auth_password);
	b.auth_password = xstrdup("other-password");
	TAP_CHECK(insert_commit(s, &a) == 0 && insert_commit(s, &b) == 0);
	store_close(s);
	TAP_CHECK(raw_sql("UPDATE send_connectors SET auth_password = "
	    "(SELECT auth_password FROM send_connectors WHERE name = 'A') "
	    "WHERE name = 'B'") == 0);
	if ((s = open_store("EX01")) != NULL) {
		TAP_CHECK(store_connector_get(s, b.guid, &got, &cause) == -1);
		free(cause);
		send_connector_free(got);
		TAP_CHECK(store_connector_get(s, a.guid, &got, &cause) == 0);
		TAP_CHECK(got != NULL && str_eq(got->auth_password, SECRET));
		send_connector_free(got);
		store_close(s);
	}
	send_connector_clear(&a);
	send_connector_clear(&b);
out:
	teardown();
}

static void
test_check_port(void)
{
	struct store		*s;
	struct send_connector	*got = NULL;
	char			*cause = NULL;
	int64_t			 gen;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	TAP_CHECK(insert_named(s, "Ported") == 0);
	TAP_CHECK(store_connector_find(s, "Ported", &got, &cause) == 0);
	if (got == NULL)
		goto close;
	gen = generation(s);
	got->port = 65536;
	sc_strlist_add(&got->smart_hosts, "relay.example.com");
	TAP_CHECK(store_connector_update(s, NULL, got, &cause) == -1);
	TAP_CHECK(cause != NULL && strstr(cause, "port") != NULL);
	free(cause);
	send_connector_free(got);
	got = NULL;
	TAP_CHECK(store_connector_find(s, "Ported", &got, &cause) == 0);
	TAP_CHECK(got != NULL && got->port == 25 && got->smart_hosts.n == 0);
	TAP_CHECK(generation(s) == gen);
	send_connector_free(got);
close:
	store_close(s);
out:
	teardown();
}

static void
test_newer_schema(void)
{
	struct store	*s = NULL;
	char		*cause = NULL;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	store_close(s);
	TAP_CHECK(raw_sql(pg_helper != NULL ? "UPDATE meta SET value = 99 "
	    "WHERE key = 'schema_version'" : "PRAGMA user_version = 99") == 0);
	s = NULL;
	TAP_CHECK(store_open(&s, tpath, "EX01", &cause) == -1);
	TAP_CHECK(s == NULL);
	TAP_CHECK(cause != NULL && strstr(cause, "newer") != NULL);
	free(cause);
out:
	teardown();
}

/*
 * A server and a connector with one row in each child table (four
 * writes that move the generation), as a version 1 store held them, in
 * either backend's version 1 schema.
 */
static const char store_v1_rows[] =
	"INSERT INTO servers (name, first_seen) VALUES "
	"('EX01', 1700000000);"
	"INSERT INTO send_connectors (guid, name, when_created, "
	"when_changed, usage, comment, cloud_services_mail_enabled, "
	"connector_type, connection_inactivity_timeout, "
	"domain_secure_enabled, enabled, error_policies, force_helo, "
	"fqdn, frontend_proxy_enabled, ignore_starttls, "
	"is_scoped_connector, max_message_size, port, "
	"protocol_logging_level, require_oorg, require_tls, "
	"smart_host_auth_mechanism, smtp_max_messages_per_connection, "
	"source_ip_address, tls_auth_level, tls_certificate_name, "
	"tls_domain, use_external_dns_servers_enabled) VALUES ("
	"'0f8fad5b-d9cb-469f-a165-70867728950e', 'Legacy', 1700000000, "
	"1700000001, 2, 'from v1', 0, 0, 600, 0, 1, 0, 0, NULL, 0, 0, 0, "
	"36700160, 587, 0, 0, 1, 0, 20, '0.0.0.0', 1, NULL, NULL, 0);"
	"INSERT INTO address_spaces VALUES (1, 0, 'SMTP', '*', 1);"
	"INSERT INTO smart_hosts VALUES (1, 0, 'relay.example.com');"
	"INSERT INTO source_servers VALUES (1, 0, 'EX01');";

/*
 * A version 1 store as hubsh first wrote it, the starting point of the
 * migration test: a frozen copy, never to be changed.
 */
#define V1_BOOL(c)	c " INTEGER NOT NULL CHECK (" c " IN (0, 1)),"
#define V1_TRIGGERS(t)							\
	"CREATE TRIGGER " t "_gen_ins AFTER INSERT ON " t " BEGIN "	\
	"UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;" \
	"CREATE TRIGGER " t "_gen_upd AFTER UPDATE ON " t " BEGIN "	\
	"UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;" \
	"CREATE TRIGGER " t "_gen_del AFTER DELETE ON " t " BEGIN "	\
	"UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;"
static const char store_v1[] =
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
	V1_BOOL("cloud_services_mail_enabled")
	" connector_type INTEGER NOT NULL CHECK (connector_type IN (0, 1)),"
	" connection_inactivity_timeout INTEGER NOT NULL"
	"  CHECK (connection_inactivity_timeout BETWEEN 1 AND 86400),"
	V1_BOOL("domain_secure_enabled")
	V1_BOOL("enabled")
	" error_policies INTEGER NOT NULL"
	"  CHECK (error_policies >= 0 AND (error_policies & ~28) = 0),"
	V1_BOOL("force_helo")
	" fqdn TEXT,"
	V1_BOOL("frontend_proxy_enabled")
	V1_BOOL("ignore_starttls")
	V1_BOOL("is_scoped_connector")
	" max_message_size INTEGER NOT NULL CHECK (max_message_size = -1 OR"
	"  max_message_size BETWEEN 0 AND 2147483647),"
	" port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),"
	" protocol_logging_level INTEGER NOT NULL"
	"  CHECK (protocol_logging_level IN (0, 1)),"
	V1_BOOL("require_oorg")
	V1_BOOL("require_tls")
	" smart_host_auth_mechanism INTEGER NOT NULL"
	"  CHECK (smart_host_auth_mechanism IN (0, 2, 4, 8, 16)),"
	" smtp_max_messages_per_connection INTEGER NOT NULL"
	"  CHECK (smtp_max_messages_per_connection BETWEEN 0 AND 2147483647),"
	" source_ip_address TEXT NOT NULL,"
	" tls_auth_level INTEGER NOT NULL"
	"  CHECK (tls_auth_level IN (0, 1, 2, 4)),"
	" tls_certificate_name TEXT,"
	" tls_domain TEXT,"
	V1_BOOL("use_external_dns_servers_enabled")
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
	V1_TRIGGERS("send_connectors")
	V1_TRIGGERS("address_spaces")
	V1_TRIGGERS("smart_hosts")
	V1_TRIGGERS("source_servers")
	"PRAGMA user_version = 1;";

/* Every field of b against a. */
static void
check_transport(const struct transport_settings *a,
    const struct transport_settings *b)
{
	TAP_CHECK(str_eq(b->server, a->server));
	TAP_CHECK(b->transient_failure_retry_count ==
	    a->transient_failure_retry_count);
	TAP_CHECK(b->transient_failure_retry_interval ==
	    a->transient_failure_retry_interval);
	TAP_CHECK(b->outbound_connection_failure_retry_interval ==
	    a->outbound_connection_failure_retry_interval);
	TAP_CHECK(b->delay_notification_timeout ==
	    a->delay_notification_timeout);
	TAP_CHECK(b->message_expiration_timeout ==
	    a->message_expiration_timeout);
	TAP_CHECK(b->max_per_domain_outbound_connections ==
	    a->max_per_domain_outbound_connections);
	TAP_CHECK(b->external_delay_dsn_enabled ==
	    a->external_delay_dsn_enabled);
	TAP_CHECK(b->message_tracking_log_enabled ==
	    a->message_tracking_log_enabled);
	TAP_CHECK(b->message_tracking_log_max_age ==
	    a->message_tracking_log_max_age);
	TAP_CHECK(b->message_tracking_log_subject_logging_enabled ==
	    a->message_tracking_log_subject_logging_enabled);
	TAP_CHECK(str_eq(b->send_protocol_log_path,
	    a->send_protocol_log_path));
	TAP_CHECK(b->send_protocol_log_max_age == a->send_protocol_log_max_age);
	TAP_CHECK(b->send_protocol_log_max_directory_size ==
	    a->send_protocol_log_max_directory_size);
	TAP_CHECK(b->send_protocol_log_max_file_size ==
	    a->send_protocol_log_max_file_size);
	TAP_CHECK(b->message_retry_interval == a->message_retry_interval);
	TAP_CHECK(b->queue_max_idle_time == a->queue_max_idle_time);
	TAP_CHECK(b->max_outbound_connections == a->max_outbound_connections);
	TAP_CHECK(b->pickup_directory_max_header_size ==
	    a->pickup_directory_max_header_size);
	TAP_CHECK(b->pickup_directory_max_messages_per_minute ==
	    a->pickup_directory_max_messages_per_minute);
	TAP_CHECK(b->pickup_directory_max_recipients_per_message ==
	    a->pickup_directory_max_recipients_per_message);
	TAP_CHECK(b->when_changed == a->when_changed);
}

/* Exchange's defaults (exchange-semantics 7.4), in seconds. */
static void
check_transport_defaults(const struct transport_settings *ts,
    const char *server)
{
	TAP_CHECK(str_eq(ts->server, server));
	TAP_CHECK(ts->transient_failure_retry_count == 6);
	TAP_CHECK(ts->transient_failure_retry_interval == 300);
	TAP_CHECK(ts->outbound_connection_failure_retry_interval == 600);
	TAP_CHECK(ts->delay_notification_timeout == 4 * 3600);
	TAP_CHECK(ts->message_expiration_timeout == 2 * 86400);
	TAP_CHECK(ts->max_per_domain_outbound_connections == 20);
	TAP_CHECK(ts->external_delay_dsn_enabled);
	TAP_CHECK(ts->message_tracking_log_enabled);
	TAP_CHECK(ts->message_tracking_log_max_age == 30 * 86400);
	TAP_CHECK(ts->message_tracking_log_subject_logging_enabled);
	TAP_CHECK(ts->send_protocol_log_path == NULL);
	TAP_CHECK(ts->send_protocol_log_max_age == 30 * 86400);
	TAP_CHECK(ts->send_protocol_log_max_directory_size == 262144000);
	TAP_CHECK(ts->send_protocol_log_max_file_size == 10485760);
	TAP_CHECK(ts->message_retry_interval == 900);
	TAP_CHECK(ts->queue_max_idle_time == 180);
	TAP_CHECK(ts->max_outbound_connections == 1000);
	TAP_CHECK(ts->pickup_directory_max_header_size == 65536);
	TAP_CHECK(ts->pickup_directory_max_messages_per_minute == 100);
	TAP_CHECK(ts->pickup_directory_max_recipients_per_message == 100);
	TAP_CHECK(ts->when_changed == 0);
}

static int
transport_get(struct store *s, const char *server,
    struct transport_settings *ts)
{
	char	*cause = NULL;

	memset(ts, 0, sizeof *ts);
	if (store_transport_get(s, server, ts, &cause) != 0) {
		printf("# store_transport_get: %s\n", cause);
		free(cause);
		tap_case_failed = 1;
		return (0);
	}
	return (1);
}

static int
transport_set(struct store *s, struct transport_settings *ts)
{
	char	*cause = NULL;

	if (store_transport_set(s, ts, &cause) != 0) {
		printf("# store_transport_set: %s\n", cause);
		free(cause);
		tap_case_failed = 1;
		return (0);
	}
	return (1);
}

/* A server without a row reads as the defaults; reading writes nothing. */
static void
test_transport_defaults(void)
{
	struct store			*s;
	struct transport_settings	 ts;
	int64_t				 gen;

	transport_settings_init(&ts, "EX09");
	check_transport_defaults(&ts, "EX09");
	transport_settings_clear(&ts);
	TAP_CHECK(ts.server == NULL);
	transport_settings_clear(NULL);
	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	gen = generation(s);
	if (transport_get(s, NULL, &ts))
		check_transport_defaults(&ts, "EX01");
	transport_settings_clear(&ts);
	if (transport_get(s, "EX02", &ts))
		check_transport_defaults(&ts, "EX02");
	transport_settings_clear(&ts);
	TAP_CHECK(raw_int("SELECT count(*) FROM transport_service") == 0);
	TAP_CHECK(generation(s) == gen);
	store_close(s);
out:
	teardown();
}

/* Every field round-trips; a second Set replaces the row. */
static void
test_transport_round_trip(void)
{
	struct store			*s;
	struct transport_settings	 ts, got, other;
	char				*cause = NULL;
	time_t				 t0;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	transport_settings_init(&ts, "EX01");
	ts.transient_failure_retry_count = 0;
	ts.transient_failure_retry_interval = 43200;
	ts.outbound_connection_failure_retry_interval = 1;
	ts.delay_notification_timeout = 2592000;
	ts.message_expiration_timeout = 7776000;
	ts.max_per_domain_outbound_connections = 2147483647;
	ts.external_delay_dsn_enabled = false;
	ts.message_tracking_log_enabled = false;
	ts.message_tracking_log_max_age = 0;
	ts.message_tracking_log_subject_logging_enabled = false;
	ts.send_protocol_log_path = xstrdup("/var/log/hubsh/SmtpSend");
	ts.send_protocol_log_max_age = 2147483647;
	ts.send_protocol_log_max_directory_size = 999999999999999LL;
	ts.send_protocol_log_max_file_size = -1;
	ts.message_retry_interval = 86400;
	ts.queue_max_idle_time = 5;
	ts.max_outbound_connections = 2147483647;
	ts.pickup_directory_max_header_size = 32768;
	ts.pickup_directory_max_messages_per_minute = 20000;
	ts.pickup_directory_max_recipients_per_message = 1;
	t0 = time(NULL);
	TAP_CHECK(transport_set(s, &ts));
	TAP_CHECK(ts.when_changed >= t0 && ts.when_changed <= time(NULL));
	if (transport_get(s, "ex01", &got))	/* the name without case */
		check_transport(&ts, &got);
	transport_settings_clear(&got);
	/* Upsert: the same row, every column written again. */
	ts.transient_failure_retry_count = 15;
	free(ts.send_protocol_log_path);
	ts.send_protocol_log_path = NULL;
	ts.external_delay_dsn_enabled = true;
	TAP_CHECK(transport_set(s, &ts));
	if (transport_get(s, NULL, &got))
		check_transport(&ts, &got);
	transport_settings_clear(&got);
	TAP_CHECK(raw_int("SELECT count(*) FROM transport_service") == 1);
	/* Another server's row is its own. */
	transport_settings_init(&other, "EX02");
	other.max_per_domain_outbound_connections = 3;
	TAP_CHECK(transport_set(s, &other));
	TAP_CHECK(raw_int("SELECT count(*) FROM transport_service") == 2);
	if (transport_get(s, "EX01", &got))
		check_transport(&ts, &got);
	transport_settings_clear(&got);
	if (transport_get(s, "EX02", &got))
		check_transport(&other, &got);
	transport_settings_clear(&got);
	/* Without a server name nothing is written. */
	free(other.server);
	other.server = NULL;
	TAP_CHECK(store_transport_set(s, &other, &cause) == -1);
	TAP_CHECK(cause != NULL);
	free(cause);
	transport_settings_clear(&other);
	transport_settings_clear(&ts);
	store_close(s);
out:
	teardown();
}

/* A Set bumps the generation once it commits, and only then. */
static void
test_transport_generation(void)
{
	struct store			*a = NULL, *b = NULL;
	struct transport_settings	 ts, got;
	char				*cause = NULL;
	int64_t				 g0, g1;

	setup();
	if ((a = open_store("EX01")) == NULL ||
	    (b = open_store("EX01")) == NULL)
		goto out;
	g0 = generation(b);
	transport_settings_init(&ts, "EX01");
	ts.message_expiration_timeout = 3600;
	TAP_CHECK(transport_set(a, &ts));
	g1 = generation(b);
	TAP_CHECK(g1 > g0);
	if (transport_get(b, NULL, &got))
		TAP_CHECK(got.message_expiration_timeout == 3600);
	transport_settings_clear(&got);
	/* Rolled back: neither the value nor the generation moves. */
	TAP_CHECK(store_begin(a, &cause) == 0);
	ts.message_expiration_timeout = 7200;
	TAP_CHECK(transport_set(a, &ts));
	store_rollback(a);
	TAP_CHECK(generation(b) == g1);
	if (transport_get(b, NULL, &got))
		TAP_CHECK(got.message_expiration_timeout == 3600);
	transport_settings_clear(&got);
	/* An update of the same values still signals a change. */
	ts.message_expiration_timeout = 3600;
	TAP_CHECK(transport_set(a, &ts));
	TAP_CHECK(generation(b) > g1);
	transport_settings_clear(&ts);
out:
	store_close(a);
	store_close(b);
	teardown();
}

/* One out-of-range value, its column, and the nearest value in range. */
struct ts_range {
	size_t		 off;
	int		 bad;
	int		 good;
	const char	*col;
};

#define TSR(m, bad, good) \
	{ offsetof(struct transport_settings, m), bad, good, #m }

/* The CHECK constraints hold Exchange's ranges at both ends. */
static void
test_transport_check(void)
{
	static const struct ts_range ranges[] = {
		TSR(transient_failure_retry_count, -1, 0),
		TSR(transient_failure_retry_count, 16, 15),
		TSR(transient_failure_retry_interval, 0, 1),
		TSR(transient_failure_retry_interval, 43201, 43200),
		TSR(outbound_connection_failure_retry_interval, 0, 1),
		TSR(outbound_connection_failure_retry_interval, 1728001,
		    1728000),
		TSR(delay_notification_timeout, 0, 1),
		TSR(delay_notification_timeout, 2592001, 2592000),
		TSR(message_expiration_timeout, 4, 5),
		TSR(message_expiration_timeout, 7776001, 7776000),
		TSR(max_per_domain_outbound_connections, 0, 1),
		TSR(max_per_domain_outbound_connections, -1, 2147483647),
		TSR(message_tracking_log_max_age, -1, 0),
		TSR(message_tracking_log_max_age, -1, 2147483647),
		TSR(send_protocol_log_max_age, -1, 0),
		TSR(send_protocol_log_max_age, -1, 2147483647),
		TSR(message_retry_interval, 0, 1),
		TSR(message_retry_interval, 86401, 86400),
		TSR(queue_max_idle_time, 4, 5),
		TSR(queue_max_idle_time, 3601, 3600),
		TSR(max_outbound_connections, 0, 1),
		TSR(max_outbound_connections, -1, 2147483647),
		TSR(pickup_directory_max_header_size, 32767, 32768),
		TSR(pickup_directory_max_header_size, -1, 2147483647),
		TSR(pickup_directory_max_messages_per_minute, 0, 1),
		TSR(pickup_directory_max_messages_per_minute, 20001, 20000),
		TSR(pickup_directory_max_recipients_per_message, 0, 1),
		TSR(pickup_directory_max_recipients_per_message, 10001, 10000),
	};
	/* The protocol log sizes are 64-bit: -1 (Unlimited) or 1..10^15-1. */
	static const struct {
		size_t		 off;
		int64_t		 bad, good;
		const char	*col;
	} sizes[] = {
		{ offsetof(struct transport_settings,
		    send_protocol_log_max_directory_size), 0, -1,
		    "send_protocol_log_max_directory_size" },
		{ offsetof(struct transport_settings,
		    send_protocol_log_max_directory_size), -2, 1,
		    "send_protocol_log_max_directory_size" },
		{ offsetof(struct transport_settings,
		    send_protocol_log_max_file_size), 1000000000000000LL,
		    999999999999999LL, "send_protocol_log_max_file_size" },
	};
	int64_t				*wide;
	struct store			*s;
	struct send_connector		 sc;
	struct transport_settings	 ts, got;
	char				*cause = NULL;
	int64_t				 gen;
	size_t				 i;
	int				*field;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	for (i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		transport_settings_init(&ts, "EX01");
		field = (int *)((char *)&ts + ranges[i].off);
		*field = ranges[i].bad;
		gen = generation(s);
		cause = NULL;
		if (store_transport_set(s, &ts, &cause) != -1) {
			printf("# %s = %d was accepted\n", ranges[i].col,
			    ranges[i].bad);
			TAP_CHECK(0);
		} else if (cause == NULL ||
		    strstr(cause, ranges[i].col) == NULL) {
			printf("# %s = %d: %s\n", ranges[i].col,
			    ranges[i].bad, cause != NULL ? cause : "no cause");
			TAP_CHECK(0);
		}
		free(cause);
		TAP_CHECK(generation(s) == gen);
		*field = ranges[i].good;
		TAP_CHECK(transport_set(s, &ts));
		if (transport_get(s, NULL, &got))
			TAP_CHECK(*(int *)((char *)&got + ranges[i].off) ==
			    ranges[i].good);
		transport_settings_clear(&got);
		transport_settings_clear(&ts);
	}
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		transport_settings_init(&ts, "EX01");
		wide = (int64_t *)((char *)&ts + sizes[i].off);
		*wide = sizes[i].bad;
		cause = NULL;
		TAP_CHECK(store_transport_set(s, &ts, &cause) == -1);
		TAP_CHECK(cause != NULL && strstr(cause, sizes[i].col) != NULL);
		free(cause);
		*wide = sizes[i].good;
		TAP_CHECK(transport_set(s, &ts));
		if (transport_get(s, NULL, &got))
			TAP_CHECK(*(int64_t *)((char *)&got + sizes[i].off) ==
			    sizes[i].good);
		transport_settings_clear(&got);
		transport_settings_clear(&ts);
	}
	/* Booleans are 0 or 1. */
	TAP_CHECK(raw_sql("UPDATE transport_service SET "
	    "external_delay_dsn_enabled = 2") == -1);
	TAP_CHECK(raw_sql("UPDATE transport_service SET "
	    "message_tracking_log_enabled = 1") == 0);
	/* In a cmdlet's transaction a failed Set undoes only itself. */
	TAP_CHECK(store_begin(s, &cause) == 0);
	send_connector_init(&sc, SC_USAGE_CUSTOM, "EX01");
	sc.name = xstrdup("Kept");
	TAP_CHECK(store_connector_insert(s, &sc, &cause) == 0);
	transport_settings_init(&ts, "EX01");
	ts.transient_failure_retry_count = 99;
	TAP_CHECK(store_transport_set(s, &ts, &cause) == -1);
	free(cause);
	cause = NULL;
	TAP_CHECK(store_commit(s, &cause) == 0);
	TAP_CHECK(count_connectors(s) == 1);
	if (transport_get(s, NULL, &got))
		TAP_CHECK(got.transient_failure_retry_count == 6);
	transport_settings_clear(&got);
	transport_settings_clear(&ts);
	send_connector_clear(&sc);
	store_close(s);
out:
	teardown();
}

/* SQL of every table, index and trigger, in name order. */
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
 * The transport_service table as version 2 made it: a frozen copy for
 * the migration test, never to be changed.
 */
static const char store_v2_transport[] =
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
	V1_BOOL("external_delay_dsn_enabled")
	V1_BOOL("message_tracking_log_enabled")
	" message_tracking_log_max_age INTEGER NOT NULL"
	"  CHECK (message_tracking_log_max_age BETWEEN 0 AND 2147483647),"
	V1_BOOL("message_tracking_log_subject_logging_enabled")
	" send_protocol_log_path TEXT,"
	" send_protocol_log_max_age INTEGER NOT NULL"
	"  CHECK (send_protocol_log_max_age BETWEEN 0 AND 2147483647),"
	" when_changed INTEGER NOT NULL CHECK (when_changed >= 0)) STRICT;"
	V1_TRIGGERS("transport_service")
	"PRAGMA user_version = 2;";

/*
 * A version 2 store with a transport settings row: the migration keeps
 * every value and gives the settings it adds Exchange's defaults.
 */
static void
test_migrate_v2(void)
{
	struct store			*s;
	struct transport_settings	 ts;
	char				*dir;

	setup();
	dir = xprintf("%s/sub", tdir);
	TAP_CHECK(mkdir(dir, 0700) == 0);
	free(dir);
	dir = xprintf("%s/sub/dir", tdir);
	TAP_CHECK(mkdir(dir, 0700) == 0);
	free(dir);
	TAP_CHECK(raw_sql(store_v1) == 0);
	TAP_CHECK(raw_sql(store_v2_transport) == 0);
	TAP_CHECK(raw_sql("INSERT INTO transport_service VALUES ('EX01', "
	    "3, 30, 60, 3600, 86400, 40, 0, 1, 0, 0, '/var/log/send', 7, "
	    "1700000000)") == 0);
	TAP_CHECK(raw_int("PRAGMA user_version") == 2);
	if ((s = open_store("EX01")) == NULL)
		goto out;
	TAP_CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
	if (transport_get(s, NULL, &ts)) {
		TAP_CHECK(ts.transient_failure_retry_count == 3);
		TAP_CHECK(ts.transient_failure_retry_interval == 30);
		TAP_CHECK(ts.outbound_connection_failure_retry_interval == 60);
		TAP_CHECK(ts.delay_notification_timeout == 3600);
		TAP_CHECK(ts.message_expiration_timeout == 86400);
		TAP_CHECK(ts.max_per_domain_outbound_connections == 40);
		TAP_CHECK(!ts.external_delay_dsn_enabled);
		TAP_CHECK(ts.message_tracking_log_enabled);
		TAP_CHECK(ts.message_tracking_log_max_age == 0);
		TAP_CHECK(!ts.message_tracking_log_subject_logging_enabled);
		TAP_CHECK(str_eq(ts.send_protocol_log_path, "/var/log/send"));
		TAP_CHECK(ts.send_protocol_log_max_age == 7);
		TAP_CHECK(ts.when_changed == 1700000000);
		TAP_CHECK(ts.send_protocol_log_max_directory_size ==
		    262144000);
		TAP_CHECK(ts.send_protocol_log_max_file_size == 10485760);
		TAP_CHECK(ts.message_retry_interval == 900);
		TAP_CHECK(ts.queue_max_idle_time == 180);
		TAP_CHECK(ts.max_outbound_connections == 1000);
		TAP_CHECK(ts.pickup_directory_max_header_size == 65536);
		TAP_CHECK(ts.pickup_directory_max_messages_per_minute == 100);
		TAP_CHECK(ts.pickup_directory_max_recipients_per_message ==
		    100);
	}
	transport_settings_clear(&ts);
	store_close(s);
out:
	teardown();
}

/*
 * A store of store_v1_rows at generation gen, just migrated: at the
 * current version, the generation kept, the connector whole, the
 * transport settings Exchange's defaults and writable (a write moves the
 * generation).
 */
static void
check_v1_migrated(struct store *s, int64_t gen)
{
	struct send_connector		*got = NULL;
	struct transport_settings	 ts;
	char				*cause = NULL;

	TAP_CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
	TAP_CHECK(generation(s) == gen);
	TAP_CHECK(store_connector_find(s, "LEGACY", &got, &cause) == 0);
	free(cause);
	if (got != NULL) {
		TAP_STREQ(got->guid, "0f8fad5b-d9cb-469f-a165-70867728950e");
		TAP_STREQ(got->comment, "from v1");
		TAP_CHECK(got->port == 587 && got->require_tls);
		TAP_CHECK(got->usage == SC_USAGE_INTERNET);
		TAP_CHECK(got->n_address_spaces == 1 &&
		    got->smart_hosts.n == 1 &&
		    got->source_transport_servers.n == 1);
		if (got->smart_hosts.n == 1)
			TAP_STREQ(got->smart_hosts.v[0], "relay.example.com");
		TAP_CHECK(got->smtp_dane_mode == SC_DANE_OPPORTUNISTIC);
		TAP_CHECK(got->mta_sts_mode == SC_STS_OPPORTUNISTIC);
	}
	send_connector_free(got);
	if (transport_get(s, NULL, &ts))
		check_transport_defaults(&ts, "EX01");
	ts.transient_failure_retry_count = 3;
	TAP_CHECK(transport_set(s, &ts));
	TAP_CHECK(generation(s) > gen);
	transport_settings_clear(&ts);
}

/* A version 1 store migrates to the current version; its connectors
 * survive. */
static void
test_migrate_v1(void)
{
	struct store			*s;
	char				*dir, *migrated, *fresh;
	char				*path;
	int64_t				 gen;

	setup();
	dir = xprintf("%s/sub", tdir);
	TAP_CHECK(mkdir(dir, 0700) == 0);
	free(dir);
	dir = xprintf("%s/sub/dir", tdir);
	TAP_CHECK(mkdir(dir, 0700) == 0);
	TAP_CHECK(raw_sql(store_v1) == 0);
	TAP_CHECK(raw_sql(store_v1_rows) == 0);
	TAP_CHECK(raw_int("PRAGMA user_version") == 1);
	gen = raw_int("SELECT value FROM meta WHERE key = 'generation'");
	TAP_CHECK(gen == 4);
	if ((s = open_store("EX01")) == NULL)
		goto out;
	TAP_CHECK(raw_int("SELECT count(*) FROM transport_service") == 0);
	check_v1_migrated(s, gen);
	store_close(s);
	/* The same schema as a store created at version 2. */
	migrated = raw_schema(tpath);
	path = tpath;
	tpath = xprintf("%s/fresh.db", tdir);
	if ((s = open_store("EX01")) != NULL)
		store_close(s);
	fresh = raw_schema(tpath);
	TAP_STREQ(migrated, fresh);
	TAP_CHECK(strstr(fresh, "transport_service_gen_upd") != NULL);
	free(tpath);
	tpath = path;
	free(migrated);
	free(fresh);
out:
	free(dir);
	teardown();
}

/* Take the columns of version 8 away: what version 7 wrote. */
static int
drop_v8(void)
{
	return (raw_sql("ALTER TABLE transport_service DROP COLUMN "
	    "tls_rpt_enabled") == 0 && raw_sql("ALTER TABLE "
	    "transport_service DROP COLUMN tls_rpt_organization_name") == 0 &&
	    raw_sql("ALTER TABLE transport_service DROP COLUMN "
	    "tls_rpt_contact_info") == 0 ? 0 : -1);
}

/*
 * A version 7 store, in either backend, with transport settings: version
 * 8 gives it TLS-RPT off, no organization name or contact, and keeps the
 * rest; the new columns take the settings and hold their lengths.
 */
static void
test_migrate_v7(void)
{
	struct store			*s;
	struct transport_settings	 ts;
	char				 longer[300], *sql;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	transport_settings_init(&ts, "EX01");
	ts.queue_alert_age = 120;
	TAP_CHECK(transport_set(s, &ts));
	transport_settings_clear(&ts);
	store_close(s);
	TAP_CHECK(drop_v8() == 0);
	TAP_CHECK(raw_sql(pg_helper != NULL ? "UPDATE meta SET value = 7 "
	    "WHERE key = 'schema_version'" : "PRAGMA user_version = 7") == 0);
	if ((s = open_store("EX01")) == NULL)
		goto out;
	TAP_CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
	TAP_CHECK(STORE_SCHEMA_VERSION == 8);
	if (transport_get(s, "EX01", &ts)) {
		TAP_CHECK(ts.queue_alert_age == 120);
		TAP_CHECK(!ts.tls_rpt_enabled);
		TAP_CHECK(ts.tls_rpt_organization_name == NULL);
		TAP_CHECK(ts.tls_rpt_contact_info == NULL);
		ts.tls_rpt_enabled = true;
		ts.tls_rpt_organization_name = xstrdup("Contoso");
		ts.tls_rpt_contact_info = xstrdup("tls@contoso.com");
		TAP_CHECK(transport_set(s, &ts));
		transport_settings_clear(&ts);
	}
	if (transport_get(s, "EX01", &ts)) {
		TAP_CHECK(ts.tls_rpt_enabled);
		TAP_STREQ(ts.tls_rpt_organization_name, "Contoso");
		TAP_STREQ(ts.tls_rpt_contact_info, "tls@contoso.com");
		transport_settings_clear(&ts);
	}
	store_close(s);
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	TAP_CHECK(raw_sql("UPDATE transport_service SET tls_rpt_enabled = 2")
	    == -1);
	sql = xprintf("UPDATE transport_service SET tls_rpt_contact_info = "
	    "'%s'", longer);
	TAP_CHECK(raw_sql(sql) == -1);
	free(sql);
out:
	teardown();
}

/*
 * A version 6 store, in either backend, with a connector whose DANE mode
 * is Mandatory: version 7 gives it MtaStsMode Opportunistic and keeps the
 * rest.  Version 7 only adds send_connectors.mta_sts_mode (and version 8
 * the TLS-RPT settings), so a current store without those columns,
 * marked version 6, is what version 6 wrote.
 */
static void
test_migrate_v6(void)
{
	struct store		*s;
	struct send_connector	 sc, *got = NULL;
	char			*cause = NULL;

	setup();
	if ((s = open_store("EX01")) == NULL)
		goto out;
	make_full(&sc, "Partner");
	sc.mta_sts_mode = SC_STS_OPPORTUNISTIC;
	TAP_CHECK(insert_commit(s, &sc) == 0);
	store_close(s);
	TAP_CHECK(raw_sql("ALTER TABLE send_connectors "
	    "DROP COLUMN mta_sts_mode") == 0);
	TAP_CHECK(drop_v8() == 0);
	TAP_CHECK(raw_sql(pg_helper != NULL ? "UPDATE meta SET value = 6 "
	    "WHERE key = 'schema_version'" : "PRAGMA user_version = 6") == 0);
	TAP_CHECK(raw_int(pg_helper != NULL ? "SELECT value FROM meta "
	    "WHERE key = 'schema_version'" : "PRAGMA user_version") == 6);
	if ((s = open_store("EX01")) == NULL)
		goto clear;
	TAP_CHECK(store_schema_version(s) == STORE_SCHEMA_VERSION);
	TAP_CHECK(store_connector_find(s, "Partner", &got, &cause) == 0);
	free(cause);
	if (got != NULL) {
		TAP_CHECK(got->mta_sts_mode == SC_STS_OPPORTUNISTIC);
		TAP_CHECK(got->smtp_dane_mode == SC_DANE_MANDATORY);
		check_same(&sc, got);
	}
	send_connector_free(got);
	store_close(s);
	/* The new column holds MtaStsMode's range. */
	TAP_CHECK(raw_sql("UPDATE send_connectors SET mta_sts_mode = 1") == 0);
	TAP_CHECK(raw_sql("UPDATE send_connectors SET mta_sts_mode = 2") == -1);
clear:
	send_connector_clear(&sc);
out:
	teardown();
}

/*
 * PostgreSQL's schema version 1, as store_pg.c first made it: a frozen
 * copy for the migration test, never to be changed.
 */
static const char store_pg_v1[] =
	"CREATE EXTENSION IF NOT EXISTS citext;"
	"CREATE TABLE meta ( key TEXT PRIMARY KEY, value BIGINT NOT"
	" NULL);"
	"INSERT INTO meta (key, value) VALUES ('generation', 0),"
	" ('schema_version', 1);"
	"CREATE FUNCTION hubsh_generation_bump() RETURNS trigger"
	" LANGUAGE plpgsql AS $$ DECLARE g BIGINT;"
	" BEGIN  UPDATE meta SET value = value + 1 WHERE key ="
	" 'generation'   RETURNING value INTO g;"
	"  PERFORM pg_notify('hubsh_store', g::text);"
	"  RETURN NULL;"
	" END $$;"
	"CREATE TABLE servers ( id BIGINT GENERATED BY DEFAULT AS"
	" IDENTITY PRIMARY KEY, name CITEXT NOT NULL CONSTRAINT"
	" servers_name_key UNIQUE  CHECK (name <> ''), first_seen BIGINT"
	" NOT NULL);"
	"CREATE TABLE send_connectors ( id BIGINT GENERATED BY DEFAULT"
	" AS IDENTITY PRIMARY KEY, guid TEXT NOT NULL CONSTRAINT"
	" send_connectors_guid_key UNIQUE  CHECK (length(guid) = 36),"
	" name CITEXT NOT NULL CONSTRAINT send_connectors_name_key"
	" UNIQUE  CHECK (name <> ''), when_created BIGINT NOT NULL,"
	" when_changed BIGINT NOT NULL, usage BIGINT NOT NULL CHECK"
	" (usage BETWEEN 0 AND 3), comment TEXT NOT"
	" NULL,cloud_services_mail_enabled BIGINT NOT NULL CHECK"
	" (cloud_services_mail_enabled IN (0, 1)), connector_type BIGINT"
	" NOT NULL CHECK (connector_type IN (0, 1)),"
	" connection_inactivity_timeout BIGINT NOT NULL  CHECK"
	" (connection_inactivity_timeout BETWEEN 1 AND"
	" 86400),domain_secure_enabled BIGINT NOT NULL CHECK"
	" (domain_secure_enabled IN (0, 1)),enabled BIGINT NOT NULL"
	" CHECK (enabled IN (0, 1)), error_policies BIGINT NOT NULL "
	" CHECK (error_policies >= 0 AND (error_policies & ~28) ="
	" 0),force_helo BIGINT NOT NULL CHECK (force_helo IN (0, 1)),"
	" fqdn TEXT,frontend_proxy_enabled BIGINT NOT NULL CHECK"
	" (frontend_proxy_enabled IN (0, 1)),ignore_starttls BIGINT NOT"
	" NULL CHECK (ignore_starttls IN (0, 1)),is_scoped_connector"
	" BIGINT NOT NULL CHECK (is_scoped_connector IN (0, 1)),"
	" max_message_size BIGINT NOT NULL CHECK (max_message_size = -1"
	" OR  max_message_size BETWEEN 0 AND 2147483647), port BIGINT"
	" NOT NULL CHECK (port BETWEEN 0 AND 65535),"
	" protocol_logging_level BIGINT NOT NULL  CHECK"
	" (protocol_logging_level IN (0, 1)),require_oorg BIGINT NOT"
	" NULL CHECK (require_oorg IN (0, 1)),require_tls BIGINT NOT"
	" NULL CHECK (require_tls IN (0, 1)), smart_host_auth_mechanism"
	" BIGINT NOT NULL  CHECK (smart_host_auth_mechanism IN (0, 2, 4,"
	" 8, 16)), smtp_max_messages_per_connection BIGINT NOT NULL "
	" CHECK (smtp_max_messages_per_connection BETWEEN 0 AND"
	" 2147483647), source_ip_address TEXT NOT NULL, tls_auth_level"
	" BIGINT NOT NULL  CHECK (tls_auth_level IN (0, 1, 2, 4)),"
	" tls_certificate_name TEXT, tls_domain"
	" TEXT,use_external_dns_servers_enabled BIGINT NOT NULL CHECK"
	" (use_external_dns_servers_enabled IN (0, 1)), auth_username"
	" TEXT, auth_password BYTEA, CHECK ((auth_username IS NULL) ="
	" (auth_password IS NULL)));"
	"CREATE TABLE address_spaces ( connector_id BIGINT NOT NULL "
	" REFERENCES send_connectors (id) ON DELETE CASCADE, position"
	" BIGINT NOT NULL, type TEXT NOT NULL, domain TEXT NOT NULL"
	" CHECK (domain <> ''), cost BIGINT NOT NULL CHECK (cost BETWEEN"
	" 1 AND 100), PRIMARY KEY (connector_id, position));"
	"CREATE TABLE smart_hosts ( connector_id BIGINT NOT NULL "
	" REFERENCES send_connectors (id) ON DELETE CASCADE, position"
	" BIGINT NOT NULL, host TEXT NOT NULL CHECK (host <> ''),"
	" PRIMARY KEY (connector_id, position));"
	"CREATE TABLE source_servers ( connector_id BIGINT NOT NULL "
	" REFERENCES send_connectors (id) ON DELETE CASCADE, position"
	" BIGINT NOT NULL, server TEXT NOT NULL CHECK (server <> ''),"
	" PRIMARY KEY (connector_id, position));"
	"CREATE TRIGGER send_connectors_generation AFTER INSERT OR"
	" UPDATE OR DELETE OR TRUNCATE ON send_connectors FOR EACH"
	" STATEMENT EXECUTE FUNCTION hubsh_generation_bump();"
	"CREATE TRIGGER address_spaces_generation AFTER INSERT OR UPDATE"
	" OR DELETE OR TRUNCATE ON address_spaces FOR EACH STATEMENT"
	" EXECUTE FUNCTION hubsh_generation_bump();"
	"CREATE TRIGGER smart_hosts_generation AFTER INSERT OR UPDATE OR"
	" DELETE OR TRUNCATE ON smart_hosts FOR EACH STATEMENT EXECUTE"
	" FUNCTION hubsh_generation_bump();"
	"CREATE TRIGGER source_servers_generation AFTER INSERT OR UPDATE"
	" OR DELETE OR TRUNCATE ON source_servers FOR EACH STATEMENT"
	" EXECUTE FUNCTION hubsh_generation_bump();";

/* Every column, constraint and trigger of the case's database, sorted. */
static char *
pg_schema_text(void)
{
	return (pg_sql("SELECT string_agg(x, E'\\n' ORDER BY x) FROM ("
	    "SELECT 'column ' || table_name || '.' || column_name || ' ' || "
	    "data_type || ' ' || is_nullable || ' ' || "
	    "coalesce(column_default, '') || ' ' || "
	    "coalesce(identity_generation, '') AS x "
	    "FROM information_schema.columns "
	    "WHERE table_schema = current_schema() "
	    "UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || "
	    "conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
	    "WHERE connamespace = current_schema()::regnamespace "
	    "UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || "
	    "tgname FROM pg_trigger WHERE NOT tgisinternal) s"));
}

/*
 * A PostgreSQL store at version 1 migrates to the current one, keeping
 * its connectors, and ends with the schema a new store has.
 */
static void
test_migrate_pg_v1(void)
{
	struct store			*s;
	const char			*args[4];
	char				*cause = NULL, *migrated = NULL;
	char				*fresh = NULL, *out, *path;
	int64_t				 gen;

	setup();
	TAP_CHECK(raw_sql(store_pg_v1) == 0);
	TAP_CHECK(raw_sql(store_v1_rows) == 0);
	TAP_CHECK(raw_int("SELECT value FROM meta WHERE key = "
	    "'schema_version'") == 1);
	gen = raw_int("SELECT value FROM meta WHERE key = 'generation'");
	TAP_CHECK(gen == 4);
	if ((s = open_store("EX01")) == NULL)
		goto out;
	check_v1_migrated(s, gen);
	TAP_CHECK(store_server_register(s, "ex01.example", "1", "/run/x",
	    &cause) == 0);
	store_close(s);

	/* The same schema as a store created at the current version. */
	migrated = pg_schema_text();
	args[0] = pg_helper;
	args[1] = "new";
	args[2] = "store_test_fresh";
	args[3] = NULL;
	if ((out = pg_run_helper(args)) == NULL)
		goto out;
	path = tpath;
	tpath = xstrndup(out, strcspn(out, "\n"));
	free(out);
	if ((s = open_store("EX01")) != NULL)
		store_close(s);
	fresh = pg_schema_text();
	free(tpath);
	tpath = path;
	TAP_CHECK(migrated != NULL && fresh != NULL &&
	    strstr(fresh, "servers.heartbeat") != NULL);
	if (migrated != NULL && fresh != NULL)
		TAP_STREQ(migrated, fresh);
out:
	free(cause);
	free(migrated);
	free(fresh);
	teardown();
}

static const struct tap_case cases[] = {
	{ "store path: explicit, then $HUBSH_STORE, then default",
	    test_resolve_path },
	{ "a PostgreSQL location is shown without its password",
	    test_location_display },
	{ "open creates the store 0600 and the key file 0600 on first "
	    "credential", test_open_modes },
	{ "schema version is STORE_SCHEMA_VERSION", test_schema_version },
	{ "open records the server (default: short host name)",
	    test_servers },
	{ "defaults per usage type", test_defaults },
	{ "send_connector_dup copies every property", test_dup },
	{ "insert then get/find/list returns every property",
	    test_round_trip },
	{ "list is ordered by name, case-insensitively", test_list_order },
	{ "update replaces every property and child list", test_update },
	{ "update writes its own child rows, not the last inserted one's",
	    test_update_not_last },
	{ "update from old: a scalar change leaves the child rows alone",
	    test_update_scalar },
	{ "update from old: a changed list is replaced, in order",
	    test_update_lists },
	{ "update from old: the credential alone", test_update_credential },
	{ "update from old keeps what another writer changed",
	    test_update_keeps_others },
	{ "update from old that fails a CHECK changes nothing",
	    test_update_partial_fails },
	{ "update of an unknown guid fails", test_update_missing },
	{ "delete removes the connector and its child rows", test_delete },
	{ "duplicate name fails; rollback leaves the store unchanged",
	    test_duplicate_name },
	{ "find is case-insensitive", test_find_nocase },
	{ "generation increments on commit, not on rollback",
	    test_generation },
	{ "a second connection sees the change and the generation bump",
	    test_second_connection },
	{ "changes another connection commits are announced (PostgreSQL)",
	    test_watch },
	{ "the password is not in the database or WAL file",
	    test_password_not_plain },
	{ "a wrong or bad-sized key fails to decrypt, no password in cause",
	    test_wrong_key },
	{ "a tampered credential blob fails to decrypt", test_tampered_blob },
	{ "a credential blob moved to another connector does not decrypt",
	    test_moved_blob },
	{ "CHECK constraint rejects a bad port; update is undone",
	    test_check_port },
	{ "a store with a newer schema version is refused",
	    test_newer_schema },
	{ "transport settings: a server without a row has the defaults",
	    test_transport_defaults },
	{ "transport settings: every field round-trips; Set replaces the "
	    "row", test_transport_round_trip },
	{ "transport settings: Set bumps the generation on commit only",
	    test_transport_generation },
	{ "transport settings: CHECK constraints hold Exchange's ranges",
	    test_transport_check },
	{ "a version 1 store migrates to the current one; connectors "
	    "survive", test_migrate_v1 },
	{ "a version 2 store keeps its transport settings; the new ones "
	    "take Exchange's defaults", test_migrate_v2 },
	{ "a PostgreSQL version 1 store migrates to the current one; "
	    "connectors survive", test_migrate_pg_v1 },
	{ "a version 7 store's transport settings take TLS-RPT off; the new "
	    "columns round-trip and hold their ranges", test_migrate_v7 },
	{ "a version 6 store's connectors take MtaStsMode Opportunistic",
	    test_migrate_v6 },
};

/* The cases about the SQLite file itself, not run against PostgreSQL. */
static bool
sqlite_only(void (*fn)(void))
{
	return (fn == test_open_modes || fn == test_migrate_v1 ||
	    fn == test_migrate_v2);
}

/* And those about PostgreSQL's own schema. */
static bool
pg_only(void (*fn)(void))
{
	return (fn == test_migrate_pg_v1);
}

int
main(void)
{
	struct tap_case	run[sizeof cases / sizeof cases[0]];
	size_t		i, n = 0;

	pg_helper = getenv("HUBSH_TEST_PG");
	if (pg_helper != NULL && *pg_helper == '\0')
		pg_helper = NULL;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (pg_helper == NULL ? !pg_only(cases[i].fn) :
		    !sqlite_only(cases[i].fn))
			run[n++] = cases[i];
	}
	return (tap_run(run, n));
}
