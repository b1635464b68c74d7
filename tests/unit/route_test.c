/*
 * route_test.c - unit tests of store/route.c: address space matching
 * and connector selection (exchange-semantics section 4) over a real
 * store in a temporary directory.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "fixture.h"
#include "tap.h"
#include "route.h"
#include "xmalloc.h"

#define SERVER	"EX01"

static char		*tdir;
static struct store	*st;

static void
setup(void)
{
	char	*path, *cause = NULL;

	tdir = fixture_tmpdir("hubd-route-test");
	path = xprintf("%s/hubsh.db", tdir);
	if (store_open(&st, path, SERVER, &cause) != 0) {
		printf("# store_open: %s\n", cause);
		exit(1);
	}
	free(path);
}

static void
teardown(void)
{
	store_close(st);
	st = NULL;
	fixture_rmtree(tdir);
	free(tdir);
}

/*
 * Add a connector: spaces is "dom;cost dom;cost ...", max is
 * MaxMessageSize in bytes (0 keeps the default).
 */
static void
add(const char *name, const char *spaces, int64_t max, int enabled,
    const char *server)
{
	struct send_connector	 sc;
	struct sc_address_space	*as;
	char			*copy, *p, *tok, *semi, *cause = NULL;

	send_connector_init(&sc, SC_USAGE_CUSTOM, server);
	sc.name = xstrdup(name);
	sc.enabled = enabled;
	if (max != 0)
		sc.max_message_size = max;
	copy = xstrdup(spaces);
	for (p = copy; (tok = strsep(&p, " ")) != NULL; ) {
		sc.address_spaces = xreallocarray(sc.address_spaces,
		    sc.n_address_spaces + 1, sizeof *sc.address_spaces);
		as = &sc.address_spaces[sc.n_address_spaces++];
		semi = strchr(tok, ';');
		as->cost = semi != NULL ? atoi(semi + 1) : 1;
		if (semi != NULL)
			*semi = '\0';
		if (strncmp(tok, "X400:", 5) == 0) {
			as->type = xstrdup("X400");
			as->domain = xstrdup(tok + 5);
		} else {
			as->type = xstrdup("SMTP");
			as->domain = xstrdup(tok);
		}
	}
	free(copy);
	if (store_begin(st, &cause) != 0 ||
	    store_connector_insert(st, &sc, &cause) != 0 ||
	    store_commit(st, &cause) != 0) {
		printf("# insert %s: %s\n", name, cause);
		exit(1);
	}
	send_connector_clear(&sc);
}

/* The name of the connector chosen, "-" for none, "TOOBIG" for size. */
static const char *
pick(const char *domain, int64_t size)
{
	static char		 name[128];
	struct route_table	*rt;
	struct route_choice	 rc;
	enum route_status	 rs;
	char			*cause = NULL;

	if (route_table_build(st, SERVER, &rt, &cause) != 0) {
		printf("# build: %s\n", cause);
		exit(1);
	}
	rs = route_select(rt, domain, size, &rc);
	if (rs == ROUTE_OK)
		snprintf(name, sizeof name, "%s", rc.sc->name);
	else
		snprintf(name, sizeof name, "%s",
		    rs == ROUTE_TOOBIG ? "TOOBIG" : "-");
	route_table_unref(rt);
	return (name);
}

static void
test_space_match(void)
{
	TAP_CHECK(route_space_match("*", "contoso.com") == 0);
	TAP_CHECK(route_space_match("contoso.com", "contoso.com") > 0);
	TAP_CHECK(route_space_match("contoso.com", "CONTOSO.COM") > 0);
	TAP_CHECK(route_space_match("contoso.com", "a.contoso.com") < 0);
	TAP_CHECK(route_space_match("*.contoso.com", "contoso.com") > 0);
	TAP_CHECK(route_space_match("*.contoso.com", "a.contoso.com") > 0);
	TAP_CHECK(route_space_match("*.contoso.com", "a.b.contoso.com") > 0);
	TAP_CHECK(route_space_match("*.contoso.com", "xcontoso.com") < 0);
	TAP_CHECK(route_space_match("*.contoso.com", "contoso.org") < 0);
	TAP_CHECK(route_space_match("contoso.com", "contoso.com.") > 0);
	/* Exact beats the wildcard of the same name. */
	TAP_CHECK(route_space_match("contoso.com", "contoso.com") >
	    route_space_match("*.contoso.com", "contoso.com"));
	/* A longer suffix beats a shorter one. */
	TAP_CHECK(route_space_match("*.m.contoso.com", "a.m.contoso.com") >
	    route_space_match("*.contoso.com", "a.m.contoso.com"));
}

/* The documented example: marketing.contoso.com, *.contoso.com, *. */
static void
test_most_specific(void)
{
	setup();
	add("All", "*;1", 0, 1, SERVER);
	add("Contoso", "*.contoso.com;1", 0, 1, SERVER);
	add("Marketing", "marketing.contoso.com;5", 0, 1, SERVER);
	TAP_CHECK(strcmp(pick("marketing.contoso.com", 10), "Marketing") == 0);
	TAP_CHECK(strcmp(pick("sales.contoso.com", 10), "Contoso") == 0);
	TAP_CHECK(strcmp(pick("contoso.com", 10), "Contoso") == 0);
	TAP_CHECK(strcmp(pick("a.marketing.contoso.com", 10),
	    "Contoso") == 0);
	TAP_CHECK(strcmp(pick("fabrikam.com", 10), "All") == 0);
	teardown();
}

/* Equal specificity: lower cost, then name (case-insensitive). */
static void
test_cost_then_name(void)
{
	setup();
	add("b-second", "*.contoso.com;5", 0, 1, SERVER);
	add("C-third", "*.contoso.com;5", 0, 1, SERVER);
	add("expensive", "*.contoso.com;9", 0, 1, SERVER);
	TAP_CHECK(strcmp(pick("x.contoso.com", 10), "b-second") == 0);
	add("A-first", "*.contoso.com;5", 0, 1, SERVER);
	TAP_CHECK(strcmp(pick("x.contoso.com", 10), "A-first") == 0);
	add("cheap", "*.contoso.com;2", 0, 1, SERVER);
	TAP_CHECK(strcmp(pick("x.contoso.com", 10), "cheap") == 0);
	teardown();
}

/* Exact contoso.com wins over *.contoso.com for contoso.com itself. */
static void
test_exact_over_wildcard(void)
{
	setup();
	add("Wild", "*.contoso.com;1", 0, 1, SERVER);
	add("Exact", "contoso.com;50", 0, 1, SERVER);
	TAP_CHECK(strcmp(pick("contoso.com", 10), "Exact") == 0);
	TAP_CHECK(strcmp(pick("mail.contoso.com", 10), "Wild") == 0);
	teardown();
}

/* Disabled, other servers' and non-SMTP connectors never match. */
static void
test_candidates(void)
{
	setup();
	add("Off", "contoso.com;1", 0, 0, SERVER);
	add("Elsewhere", "contoso.com;1", 0, 1, "EX02");
	add("X400", "X400:contoso.com;1", 0, 1, SERVER);
	TAP_CHECK(strcmp(pick("contoso.com", 10), "-") == 0);
	add("Catch", "*;100", 0, 1, SERVER);
	TAP_CHECK(strcmp(pick("contoso.com", 10), "Catch") == 0);
	teardown();
}

/* MaxMessageSize filters, falling back to less specific spaces. */
static void
test_size(void)
{
	setup();
	add("Small", "contoso.com;1", 1000, 1, SERVER);
	add("Medium", "*.contoso.com;1", 5000, 1, SERVER);
	TAP_CHECK(strcmp(pick("contoso.com", 500), "Small") == 0);
	TAP_CHECK(strcmp(pick("contoso.com", 1000), "Small") == 0);
	TAP_CHECK(strcmp(pick("contoso.com", 1001), "Medium") == 0);
	TAP_CHECK(strcmp(pick("contoso.com", 6000), "TOOBIG") == 0);
	add("Any", "*;1", 0, 1, SERVER);
	TAP_CHECK(strcmp(pick("contoso.com", 6000), "Any") == 0);
	teardown();
}

/* A snapshot keeps its connectors after the store changes. */
static void
test_snapshot(void)
{
	struct route_table	*rt, *rt2;
	struct route_choice	 rc;
	char			*cause = NULL;

	setup();
	add("One", "contoso.com;1", 0, 1, SERVER);
	TAP_CHECK(route_table_build(st, SERVER, &rt, &cause) == 0);
	add("Two", "fabrikam.com;1", 0, 1, SERVER);
	TAP_CHECK(route_select(rt, "fabrikam.com", 1, &rc) == ROUTE_NOMATCH);
	TAP_CHECK(route_table_build(st, SERVER, &rt2, &cause) == 0);
	TAP_CHECK(route_table_generation(rt2) > route_table_generation(rt));
	TAP_CHECK(route_select(rt2, "fabrikam.com", 1, &rc) == ROUTE_OK);
	route_table_ref(rt);
	route_table_unref(rt);
	TAP_CHECK(route_select(rt, "contoso.com", 1, &rc) == ROUTE_OK &&
	    strcmp(rc.sc->name, "One") == 0);
	route_table_unref(rt);
	route_table_unref(rt2);
	teardown();
}

static const struct tap_case cases[] = {
	{ "address space matching rules", test_space_match },
	{ "most specific address space wins", test_most_specific },
	{ "equal specificity: cost, then name", test_cost_then_name },
	{ "exact name beats its wildcard", test_exact_over_wildcard },
	{ "only enabled local SMTP connectors are candidates",
	    test_candidates },
	{ "MaxMessageSize filters with fallback", test_size },
	{ "a snapshot is immutable", test_snapshot },
};

TAP_MAIN(cases)
