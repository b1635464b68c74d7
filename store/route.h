/*
 * route.h - routing over the connector store (route.c): which Send
 * connector takes mail for a recipient domain, the immutable snapshot
 * the choice is made on, and the slot that holds the snapshot in force.
 *
 * hubd routes every recipient with route_select() on the snapshot in its
 * slot; hubsh's Test-SendConnector builds its own snapshot of the store
 * it edits and asks route_explain() why each connector was chosen or
 * not, so both make the same choice with the same code.  Nothing here
 * speaks SQL: the snapshot is built through store.h.
 */
#ifndef HUBSH_ROUTE_H
#define HUBSH_ROUTE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct route_table;

enum route_status {
	ROUTE_OK = 0,
	ROUTE_NOMATCH,		/* no connector: Unreachable queue */
	ROUTE_TOOBIG		/* every match too small: 5.3.4 NDR */
};

struct route_choice {
	const struct send_connector *sc;	/* valid while table held */
	const char	*space;		/* the matched address space */
};

/* Build an immutable snapshot of the enabled connectors of server. */
int		 route_table_build(struct store *, const char *server,
		     struct route_table **, char **cause);
struct route_table *route_table_ref(struct route_table *);
void		 route_table_unref(struct route_table *);
int64_t		 route_table_generation(const struct route_table *);
/* Select the connector for mail of size bytes to domain (section 4.3). */
enum route_status route_select(const struct route_table *,
		     const char *domain, int64_t size, struct route_choice *);
/* Does an address space pattern match a domain; its specificity. */
int		 route_space_match(const char *space, const char *domain);
/* The connector called name (case-insensitive), valid while held; NULL. */
const struct send_connector *route_find(const struct route_table *,
		     const char *name);
/* The connector whose GUID is guid, valid while held; NULL. */
const struct send_connector *route_find_guid(const struct route_table *,
		     const char *guid);
/* The i-th usable connector; NULL past the last. */
const struct send_connector *route_table_connector(
		     const struct route_table *, size_t i);

/*
 * The snapshot in force, shared by threads: whoever routes takes a
 * reference with route_slot_get() and drops it when done; a reload puts
 * a new snapshot in with route_slot_set(), and the old one is freed when
 * its last holder lets it go.
 */
struct route_slot {
	pthread_mutex_t		 lock;
	struct route_table	*rt;		/* NULL: none yet */
};

#define ROUTE_SLOT_INITIALIZER	{ PTHREAD_MUTEX_INITIALIZER, NULL }

/* An empty slot (or use ROUTE_SLOT_INITIALIZER). */
void		 route_slot_init(struct route_slot *);
/* The snapshot in force, referenced (route_table_unref it); NULL: none. */
struct route_table *route_slot_get(struct route_slot *);
/* The generation of the snapshot in force; -1 when there is none. */
int64_t		 route_slot_generation(struct route_slot *);
/* Put rt in force, with the caller's reference; drop the old one's. */
void		 route_slot_set(struct route_slot *, struct route_table *rt);
/* Drop the snapshot in force: the slot is empty again (shutdown). */
void		 route_slot_clear(struct route_slot *);

/* Why a connector was chosen or not, for Test-SendConnector. */
enum route_why {
	ROUTE_WHY_NONE = 0,	/* (internal: nothing against it) */
	ROUTE_WHY_CHOSEN,
	ROUTE_WHY_DISABLED,	/* Enabled $false */
	ROUTE_WHY_NO_SPACE,	/* no SMTP address space */
	ROUTE_WHY_NOT_SOURCE,	/* this server is not a source server */
	ROUTE_WHY_NO_MATCH,	/* no address space matches the domain */
	ROUTE_WHY_SIZE,		/* MaxMessageSize is below the message */
	ROUTE_WHY_SPECIFICITY,	/* a more specific address space won */
	ROUTE_WHY_COST,		/* as specific, but a lower cost won */
	ROUTE_WHY_NAME		/* as specific and cheap: name order lost */
};

/* One connector in a route_explain trace. */
struct route_candidate {
	const struct send_connector *sc;
	const char	*space;		/* its best matching space, or NULL */
	int		 spec;		/* that space's specificity, or -1 */
	int		 cost;		/* that space's cost */
	enum route_why	 why;
};

struct route_trace {
	struct route_candidate	*v;	/* every connector of the store */
	size_t			 n;
	struct route_choice	 choice;	/* as route_select's */
};

/*
 * route_select, with every connector of the store considered and the
 * reason it was chosen or not: matches in selection order, then the
 * usable connectors without a match, then the ones routing cannot use.
 * Valid while the table is held; route_trace_clear frees it.
 */
enum route_status route_explain(const struct route_table *,
		     const char *domain, int64_t size, struct route_trace *);
void		 route_trace_clear(struct route_trace *);

#endif
