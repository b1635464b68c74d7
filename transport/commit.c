/*
 * commit.c - group commit: one thread owns the spool's write connection
 * and runs every write job posted to it.
 *
 * Jobs that arrive while a transaction is being synced wait together and
 * go into the next transaction, so one disk sync covers every message
 * accepted meanwhile: acceptance is not capped at one message per fsync.
 * Each job runs inside its own savepoint; a job that fails is undone
 * alone and its caller told, the others still commit.  commit_run()
 * returns only when the transaction holding the job is durable (the
 * spool is WAL with synchronous=FULL), which is what lets smtpd say 250.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"
#include "transport.h"

/* Most jobs in one transaction; the rest wait for the next. */
#define COMMIT_MAX_GROUP	1024
/* A failing commit is logged at once, then at most this often (s). */
#define COMMIT_LOG_SECS		60

struct commit_job {
	commit_fn		 fn;
	void			*arg;
	bool			 done;
	int			 rc;
	char			*cause;
	struct commit_job	*next;
};

struct commit {
	struct spool		*spool;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* jobs posted or stopping */
	pthread_cond_t		 finished;	/* a group is done */
	struct commit_job	*head, *tail;
	bool			 stopping;
	uint64_t		 groups, jobs;
	struct log_limit	 failed_log;	/* failing commits */
	bool			 failing;
};

static void	*commit_main(void *);
static struct commit_job *commit_take(struct commit *);
static void	 commit_group(struct commit *, struct commit_job *);
static void	 commit_fail_all(struct commit_job *, const char *);
static void	 commit_log_failure(struct commit *, const char *);

/* Open the spool's write connection and start the committer. */
int
commit_start(struct commit **cp, const char *spool_path, char **cause)
{
	struct commit	*c;

	*cp = NULL;
	c = xcalloc(1, sizeof *c);
	c->failed_log.secs = COMMIT_LOG_SECS;
	if (spool_open(&c->spool, spool_path, cause) != 0) {
		free(c);
		return (-1);
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->work, NULL);
	pthread_cond_init(&c->finished, NULL);
	if (pthread_create(&c->thread, NULL, commit_main, c) != 0) {
		spool_close(c->spool);
		free(c);
		*cause = xstrdup("cannot start the commit thread");
		return (-1);
	}
	*cp = c;
	return (0);
}

/* Post a job and wait for the group that holds it to be durable. */
int
commit_run(struct commit *c, commit_fn fn, void *arg, char **cause)
{
	struct commit_job	job;
	struct timespec		t0, t1;

	memset(&job, 0, sizeof job);
	job.fn = fn;
	job.arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	pthread_mutex_lock(&c->lock);
	if (c->stopping) {
		pthread_mutex_unlock(&c->lock);
		*cause = xstrdup("the spool is shutting down");
		return (-1);
	}
	if (c->tail != NULL)
		c->tail->next = &job;
	else
		c->head = &job;
	c->tail = &job;
	pthread_cond_signal(&c->work);
	while (!job.done)
		pthread_cond_wait(&c->finished, &c->lock);
	pthread_mutex_unlock(&c->lock);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_commit((int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000);

	if (job.rc != 0) {
		*cause = job.cause;
		return (-1);
	}
	return (0);
}

/* Finish the jobs already posted, then stop and close the spool. */
void
commit_stop(struct commit *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	log_info("spool: %llu jobs in %llu transactions",
	    (unsigned long long)c->jobs, (unsigned long long)c->groups);
	spool_close(c->spool);
	pthread_cond_destroy(&c->work);
	pthread_cond_destroy(&c->finished);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void *
commit_main(void *arg)
{
	struct commit		*c = arg;
	struct commit_job	*group, *j;

	thread_name("commit");
	for (;;) {
		pthread_mutex_lock(&c->lock);
		while (c->head == NULL && !c->stopping)
			pthread_cond_wait(&c->work, &c->lock);
		if (c->head == NULL) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		group = commit_take(c);
		pthread_mutex_unlock(&c->lock);

		commit_group(c, group);

		pthread_mutex_lock(&c->lock);
		for (j = group; j != NULL; j = j->next)
			j->done = true;
		pthread_cond_broadcast(&c->finished);
		pthread_mutex_unlock(&c->lock);
	}
	return (NULL);
}

/* Detach up to COMMIT_MAX_GROUP jobs from the queue (lock held). */
static struct commit_job *
commit_take(struct commit *c)
{
	struct commit_job	*group = c->head, *last = c->head;
	size_t			 n = 1;

	while (last->next != NULL && n < COMMIT_MAX_GROUP) {
		last = last->next;
		n++;
	}
	c->head = last->next;
	if (c->head == NULL)
		c->tail = NULL;
	last->next = NULL;
	return (group);
}

/* Run a group of jobs in one transaction; record each job's outcome. */
static void
commit_group(struct commit *c, struct commit_job *group)
{
	struct commit_job	*j;
	char			*cause = NULL;

	if (spool_begin(c->spool, &cause) != 0) {
		commit_fail_all(group, cause);
		free(cause);
		return;
	}
	for (j = group; j != NULL; j = j->next) {
		c->jobs++;
		if (spool_job_enter(c->spool, &j->cause) != 0) {
			j->rc = -1;
			continue;
		}
		j->rc = j->fn(c->spool, j->arg, &j->cause);
		if (spool_job_leave(c->spool, j->rc == 0,
		    j->rc == 0 ? &j->cause : &cause) != 0) {
			j->rc = -1;
			free(cause);
			cause = NULL;
		}
	}
	c->groups++;
	if (spool_commit(c->spool, &cause) != 0) {
		/* Nothing of the group is on disk: every job failed. */
		spool_rollback(c->spool);
		commit_log_failure(c, cause);
		commit_fail_all(group, cause);
		free(cause);
	} else if (c->failing) {
		log_info("spool: commits succeed again");
		log_limit_reset(&c->failed_log);
		c->failing = false;
	}
}

/*
 * A failed commit: logged at once, then, while commits keep failing (a
 * full disk), once every COMMIT_LOG_SECS with the number not logged.
 */
static void
commit_log_failure(struct commit *c, const char *cause)
{
	uint64_t	quiet;

	c->failing = true;
	if (!log_limit(&c->failed_log, &quiet))
		return;
	if (quiet > 0)
		log_warnx("spool: commit failed: %s (and %llu more times "
		    "since the last report)", cause, (unsigned long long)quiet);
	else
		log_warnx("spool: commit failed: %s", cause);
}

/* Mark every job that had succeeded as failed, with why. */
static void
commit_fail_all(struct commit_job *group, const char *why)
{
	struct commit_job	*j;

	for (j = group; j != NULL; j = j->next) {
		if (j->rc != 0)
			continue;
		j->rc = -1;
		free(j->cause);
		j->cause = xstrdup(why);
	}
}
