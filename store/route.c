/*
 * route.c - routing over the connector store: which Send connector takes
 * mail for a recipient domain (exchange-semantics section 4), the
 * snapshot the choice is made on, and the slot holding hubd's snapshot
 * in force.
 *
 * route_table_build() reads every connector from the store once and
 * keeps the usable ones, with their SMTP address spaces flattened into
 * one array.  The table is immutable after the build and reference
 * counted: hubd puts a new one in its route_slot when the store's
 * generation changes, and whoever still holds the old one finishes with
 * it.
 *
 * Selection (route_select): among the address spaces that match the
 * domain, the most specific wins (exact name, then the longest *.suffix,
 * then *); within one specificity the lowest cost, then the connector
 * name (ordinal, case-insensitive).  The first connector in that order
 * whose MaxMessageSize admits the message is chosen; when none in the
 * most specific group does, less specific groups are tried.
 *
 * route_explain() runs the same selection and says, for every connector
 * of the store, why it was chosen or not (Test-SendConnector in hubsh,
 * on a snapshot of the store the shell edits).  The connectors routing
 * cannot use at all are kept in the snapshot for it, apart from the
 * usable ones.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"
#include "route.h"

/* One SMTP address space of one usable connector. */
struct route_entry {
	char			*space;		/* lower case, as matched */
	int			 cost;
	const struct send_connector *sc;
};

/* A connector routing cannot use, and why (route_explain). */
struct route_skip {
	struct send_connector	*sc;
	enum route_why		 why;
};

struct route_table {
	int			  refs;		/* under route_refs_lock */
	int64_t			  generation;
	struct send_connector	**sc;		/* usable */
	size_t			  nsc;
	struct route_entry	 *e;
	size_t			  ne;
	struct route_skip	 *skip;		/* the others */
	size_t			  nskip;
};

/* A match found by route_select, for sorting. */
struct route_match {
	int			 spec;
	const struct route_entry *e;
};

static pthread_mutex_t	route_refs_lock = PTHREAD_MUTEX_INITIALIZER;

static enum route_why route_usable(const struct send_connector *,
		    const char *);
static void	route_add_spaces(struct route_table *,
		    const struct send_connector *);
static int	route_match_cmp(const void *, const void *);
static size_t	route_matches(const struct route_table *, const char *,
		    struct route_match **);
static bool	route_fits(const struct send_connector *, int64_t);
static size_t	route_pick(const struct route_match *, size_t, int64_t);
static bool	route_traced(const struct route_trace *,
		    const struct send_connector *);
static struct route_candidate *route_trace_add(struct route_trace *,
		    const struct send_connector *, enum route_why);

/*
 * Build a snapshot of the connectors this server may use: enabled, with
 * at least one SMTP address space, and this server among the
 * SourceTransportServers.  The others are kept aside with the reason.
 */
int
route_table_build(struct store *st, const char *server,
    struct route_table **rtp, char **cause)
{
	struct route_table	 *rt;
	struct send_connector	**all;
	size_t			  n, i;
	int64_t			  gen;
	enum route_why		  why;

	*rtp = NULL;
	/* The generation first: a change after it is seen on the next poll. */
	if (store_generation(st, &gen, cause) != 0)
		return (-1);
	if (store_connector_list(st, &all, &n, cause) != 0)
		return (-1);

	rt = xcalloc(1, sizeof *rt);
	rt->refs = 1;
	rt->generation = gen;
	rt->sc = xcalloc(n == 0 ? 1 : n, sizeof *rt->sc);
	rt->skip = xcalloc(n == 0 ? 1 : n, sizeof *rt->skip);
	for (i = 0; i < n; i++) {
		if ((why = route_usable(all[i], server)) != ROUTE_WHY_NONE) {
			rt->skip[rt->nskip].sc = all[i];
			rt->skip[rt->nskip++].why = why;
			continue;
		}
		rt->sc[rt->nsc++] = all[i];
		route_add_spaces(rt, all[i]);
	}
	free(all);
	*rtp = rt;
	return (0);
}

/* Would this connector carry mail from this server at all?  If not, why. */
static enum route_why
route_usable(const struct send_connector *sc, const char *server)
{
	size_t	i;

	if (!sc->enabled)
		return (ROUTE_WHY_DISABLED);
	if (sc->n_address_spaces == 0)
		return (ROUTE_WHY_NO_SPACE);
	for (i = 0; i < sc->source_transport_servers.n; i++) {
		if (strcasecmp(sc->source_transport_servers.v[i],
		    server) == 0)
			return (ROUTE_WHY_NONE);
	}
	return (ROUTE_WHY_NOT_SOURCE);
}

/* Index the connector's SMTP address spaces; other types never match. */
static void
route_add_spaces(struct route_table *rt, const struct send_connector *sc)
{
	const struct sc_address_space	*as;
	struct route_entry		*e;
	size_t				 i;
	char				*p;

	for (i = 0; i < sc->n_address_spaces; i++) {
		as = &sc->address_spaces[i];
		if (as->type != NULL && strcasecmp(as->type, "smtp") != 0)
			continue;
		rt->e = xreallocarray(rt->e, rt->ne + 1, sizeof *rt->e);
		e = &rt->e[rt->ne++];
		e->space = xstrdup(as->domain);
		for (p = e->space; *p != '\0'; p++)
			*p = tolower((unsigned char)*p);
		e->cost = as->cost;
		e->sc = sc;
	}
}

struct route_table *
route_table_ref(struct route_table *rt)
{
	pthread_mutex_lock(&route_refs_lock);
	rt->refs++;
	pthread_mutex_unlock(&route_refs_lock);
	return (rt);
}

void
route_table_unref(struct route_table *rt)
{
	size_t	i;
	int	refs;

	if (rt == NULL)
		return;
	pthread_mutex_lock(&route_refs_lock);
	refs = --rt->refs;
	pthread_mutex_unlock(&route_refs_lock);
	if (refs > 0)
		return;
	for (i = 0; i < rt->ne; i++)
		free(rt->e[i].space);
	free(rt->e);
	for (i = 0; i < rt->nsc; i++)
		send_connector_free(rt->sc[i]);
	free(rt->sc);
	for (i = 0; i < rt->nskip; i++)
		send_connector_free(rt->skip[i].sc);
	free(rt->skip);
	free(rt);
}

int64_t
route_table_generation(const struct route_table *rt)
{
	return (rt->generation);
}

void
route_slot_init(struct route_slot *rs)
{
	pthread_mutex_init(&rs->lock, NULL);
	rs->rt = NULL;
}

struct route_table *
route_slot_get(struct route_slot *rs)
{
	struct route_table	*rt = NULL;

	pthread_mutex_lock(&rs->lock);
	if (rs->rt != NULL)
		rt = route_table_ref(rs->rt);
	pthread_mutex_unlock(&rs->lock);
	return (rt);
}

int64_t
route_slot_generation(struct route_slot *rs)
{
	int64_t	gen = -1;

	pthread_mutex_lock(&rs->lock);
	if (rs->rt != NULL)
		gen = rs->rt->generation;
	pthread_mutex_unlock(&rs->lock);
	return (gen);
}

void
route_slot_set(struct route_slot *rs, struct route_table *rt)
{
	struct route_table	*old;

	pthread_mutex_lock(&rs->lock);
	old = rs->rt;
	rs->rt = rt;
	pthread_mutex_unlock(&rs->lock);
	route_table_unref(old);
}

void
route_slot_clear(struct route_slot *rs)
{
	route_slot_set(rs, NULL);
}

/* A connector of the snapshot by name (Test-SendConnector). */
const struct send_connector *
route_find(const struct route_table *rt, const char *name)
{
	size_t	i;

	for (i = 0; i < rt->nsc; i++) {
		if (strcasecmp(rt->sc[i]->name, name) == 0)
			return (rt->sc[i]);
	}
	return (NULL);
}

const struct send_connector *
route_find_guid(const struct route_table *rt, const char *guid)
{
	size_t	i;

	for (i = 0; i < rt->nsc; i++) {
		if (strcasecmp(rt->sc[i]->guid, guid) == 0)
			return (rt->sc[i]);
	}
	return (NULL);
}

const struct send_connector *
route_table_connector(const struct route_table *rt, size_t i)
{
	return (i < rt->nsc ? rt->sc[i] : NULL);
}

/*
 * How specifically space matches domain: -1 for no match, 0 for "*",
 * 2 * length of the suffix for "*.x" (which also matches x itself), and
 * 2 * length + 1 for an exact name, so that contoso.com beats
 * *.contoso.com for the domain contoso.com.
 */
int
route_space_match(const char *space, const char *domain)
{
	size_t	sl, dl;

	if (strcmp(space, "*") == 0)
		return (0);
	dl = strlen(domain);
	if (dl > 0 && domain[dl - 1] == '.')
		dl--;
	if (space[0] == '*' && space[1] == '.') {
		space += 2;
		sl = strlen(space);
		if (sl == dl && strncasecmp(space, domain, dl) == 0)
			return ((int)(2 * sl));
		if (dl > sl + 1 && domain[dl - sl - 1] == '.' &&
		    strncasecmp(space, domain + dl - sl, sl) == 0)
			return ((int)(2 * sl));
		return (-1);
	}
	sl = strlen(space);
	if (sl == dl && strncasecmp(space, domain, dl) == 0)
		return ((int)(2 * sl + 1));
	return (-1);
}

/* Most specific first, then cost, then connector name. */
static int
route_match_cmp(const void *a, const void *b)
{
	const struct route_match	*x = a, *y = b;
	int				 c;

	if (x->spec != y->spec)
		return (x->spec > y->spec ? -1 : 1);
	if (x->e->cost != y->e->cost)
		return (x->e->cost < y->e->cost ? -1 : 1);
	if ((c = strcasecmp(x->e->sc->name, y->e->sc->name)) != 0)
		return (c);
	/* Two spaces of one connector in one group: keep table order. */
	return (x->e < y->e ? -1 : x->e > y->e);
}

/*
 * Every address space that matches domain, in selection order (*mp, to
 * free); their number.
 */
static size_t
route_matches(const struct route_table *rt, const char *domain,
    struct route_match **mp)
{
	struct route_match	*m;
	size_t			 i, n = 0;
	int			 spec;

	m = xcalloc(rt->ne == 0 ? 1 : rt->ne, sizeof *m);
	for (i = 0; i < rt->ne; i++) {
		if ((spec = route_space_match(rt->e[i].space, domain)) < 0)
			continue;
		m[n].spec = spec;
		m[n++].e = &rt->e[i];
	}
	qsort(m, n, sizeof *m, route_match_cmp);
	*mp = m;
	return (n);
}

/* Does the connector's MaxMessageSize admit size bytes? */
static bool
route_fits(const struct send_connector *sc, int64_t size)
{
	return (sc->max_message_size == SC_SIZE_UNLIMITED ||
	    sc->max_message_size >= size);
}

/* The first match whose connector admits size bytes; n when none does. */
static size_t
route_pick(const struct route_match *m, size_t n, int64_t size)
{
	size_t	i;

	for (i = 0; i < n && !route_fits(m[i].e->sc, size); i++)
		/* nothing */;
	return (i);
}

/* Choose the connector for a message of size bytes to domain. */
enum route_status
route_select(const struct route_table *rt, const char *domain, int64_t size,
    struct route_choice *rc)
{
	struct route_match	*m;
	size_t			 i, n;
	enum route_status	 rs;

	memset(rc, 0, sizeof *rc);
	n = route_matches(rt, domain, &m);
	if ((i = route_pick(m, n, size)) < n) {
		rc->sc = m[i].e->sc;
		rc->space = m[i].e->space;
		rs = ROUTE_OK;
	} else
		rs = n == 0 ? ROUTE_NOMATCH : ROUTE_TOOBIG;
	free(m);
	return (rs);
}

/* Is sc in the trace already? */
static bool
route_traced(const struct route_trace *tr, const struct send_connector *sc)
{
	size_t	i;

	for (i = 0; i < tr->n; i++) {
		if (tr->v[i].sc == sc)
			return (true);
	}
	return (false);
}

/* Append sc to the trace with no matching space. */
static struct route_candidate *
route_trace_add(struct route_trace *tr, const struct send_connector *sc,
    enum route_why why)
{
	struct route_candidate	*c;

	c = &tr->v[tr->n++];
	c->sc = sc;
	c->space = NULL;
	c->spec = -1;
	c->cost = 0;
	c->why = why;
	return (c);
}

/*
 * route_select for domain and size, with the reason for every connector:
 * first those with a matching address space, in selection order, each at
 * its best match (a connector's size limit holds for all its spaces, so
 * the chosen one is met first at the match that chose it); then the
 * usable ones without a match; then those routing cannot use.  The trace
 * points into rt: valid while rt is held.
 */
enum route_status
route_explain(const struct route_table *rt, const char *domain, int64_t size,
    struct route_trace *tr)
{
	struct route_match	*m;
	struct route_candidate	*c;
	const struct route_match *won;
	size_t			 i, j, n, pick;
	enum route_status	 rs;

	memset(tr, 0, sizeof *tr);
	tr->v = xcalloc(rt->nsc + rt->nskip + 1, sizeof *tr->v);
	n = route_matches(rt, domain, &m);
	pick = route_pick(m, n, size);
	won = pick < n ? &m[pick] : NULL;
	for (i = 0; i < n; i++) {
		if (route_traced(tr, m[i].e->sc))
			continue;
		c = route_trace_add(tr, m[i].e->sc, ROUTE_WHY_CHOSEN);
		c->space = m[i].e->space;
		c->spec = m[i].spec;
		c->cost = m[i].e->cost;
		if (!route_fits(m[i].e->sc, size))
			c->why = ROUTE_WHY_SIZE;
		else if (i == pick)
			c->why = ROUTE_WHY_CHOSEN;
		else if (m[i].spec < won->spec)
			c->why = ROUTE_WHY_SPECIFICITY;
		else if (m[i].e->cost > won->e->cost)
			c->why = ROUTE_WHY_COST;
		else
			c->why = ROUTE_WHY_NAME;
	}
	for (i = 0; i < rt->nsc; i++) {
		if (route_traced(tr, rt->sc[i]))
			continue;
		for (j = 0; j < rt->ne && rt->e[j].sc != rt->sc[i]; j++)
			/* nothing */;
		route_trace_add(tr, rt->sc[i], j < rt->ne ?
		    ROUTE_WHY_NO_MATCH : ROUTE_WHY_NO_SPACE);
	}
	for (i = 0; i < rt->nskip; i++)
		route_trace_add(tr, rt->skip[i].sc, rt->skip[i].why);
	if (won != NULL) {
		tr->choice.sc = won->e->sc;
		tr->choice.space = won->e->space;
		rs = ROUTE_OK;
	} else
		rs = n == 0 ? ROUTE_NOMATCH : ROUTE_TOOBIG;
	free(m);
	return (rs);
}

void
route_trace_clear(struct route_trace *tr)
{
	free(tr->v);
	memset(tr, 0, sizeof *tr);
}
