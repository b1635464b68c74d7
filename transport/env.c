/*
 * env.c - the environment every thread of hubd shares: the settings,
 * names, contexts and services hubd.c sets up at start, the routing
 * snapshot in force and the SmtpSend protocol log directory in force.
 *
 * hubd.c fills the environment before any thread starts and, at each
 * reload, puts in a new snapshot (route_slot_set) and a new protocol log
 * directory (env_protolog_set); the threads take the ones in force with
 * env_routes() and env_protolog_dir().  Nothing here depends on hubd.c,
 * so the threads' files and the unit tests link without it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "transport.h"

static struct hubd_env	 hubd_env = { .routes = ROUTE_SLOT_INITIALIZER };
struct hubd_env		*env = &hubd_env;

/* The SmtpSend protocol log directory in force (env_protolog_dir). */
static pthread_mutex_t	 protolog_lock = PTHREAD_MUTEX_INITIALIZER;
static char		*protolog_dir;

struct route_table *
env_routes(void)
{
	return (route_slot_get(&env->routes));
}

char *
env_protolog_dir(void)
{
	char	*dir;

	pthread_mutex_lock(&protolog_lock);
	if (protolog_dir != NULL)
		dir = xstrdup(protolog_dir);
	else
		xasprintf(&dir, "%s/SmtpSend", env->log_dir);
	pthread_mutex_unlock(&protolog_lock);
	return (dir);
}

bool
env_protolog_set(const char *dir, char **was)
{
	bool	changed = false;

	*was = NULL;
	pthread_mutex_lock(&protolog_lock);
	if (protolog_dir == NULL || strcmp(protolog_dir, dir) != 0) {
		*was = protolog_dir;
		protolog_dir = xstrdup(dir);
		changed = true;
	}
	pthread_mutex_unlock(&protolog_lock);
	return (changed);
}

void
env_clear(void)
{
	route_slot_clear(&env->routes);
	pthread_mutex_lock(&protolog_lock);
	free(protolog_dir);
	protolog_dir = NULL;
	pthread_mutex_unlock(&protolog_lock);
}
