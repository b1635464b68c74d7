/*
 * tap.h - a tiny TAP producer for the unit tests.
 *
 * A test file defines an array of struct tap_case {name, fn} and calls
 * tap_run().  Each case prints "ok N - name" or "not ok N - name"; the
 * automake TAP driver counts every line, so one case is one test.
 * Inside a case, TAP_CHECK(cond) records a failure with file and line
 * and goes on; the case fails if any check failed.
 *
 * A test with cases of its own making (rows of a table) prints its
 * plan with tap_plan(), runs each and reports it with tap_report(), and
 * may run a case array after them with tap_cases().
 */
#ifndef HUBSH_TAP_H
#define HUBSH_TAP_H

#include <stdio.h>
#include <string.h>

struct tap_case {
	const char	*name;
	void		(*fn)(void);
};

static int tap_case_failed;

#define TAP_CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: check failed: %s\n", __FILE__,		\
		    __LINE__, #cond);					\
		tap_case_failed = 1;					\
	}								\
} while (0)

#define TAP_STREQ(a, b) do {						\
	const char *tap_a_ = (a), *tap_b_ = (b);			\
	if (tap_a_ == NULL || tap_b_ == NULL ||				\
	    strcmp(tap_a_, tap_b_) != 0) {				\
		printf("# %s:%d: expected \"%s\", got \"%s\"\n",	\
		    __FILE__, __LINE__, tap_b_ ? tap_b_ : "(null)",	\
		    tap_a_ ? tap_a_ : "(null)");			\
		tap_case_failed = 1;					\
	}								\
} while (0)

static int	tap_failed;	/* any case so far */
static size_t	tap_n;		/* cases reported so far */

/* The plan: how many cases will be reported. */
static inline void
tap_plan(size_t n)
{
	printf("1..%zu\n", n);
}

/* Report the case just run, then start the next one clean. */
static inline void
tap_report(const char *name)
{
	printf("%sok %zu - %s\n", tap_case_failed ? "not " : "", ++tap_n,
	    name);
	fflush(stdout);
	tap_failed |= tap_case_failed;
	tap_case_failed = 0;
}

/* Run and report cases, after a plan that counts them; 1 if any failed. */
static inline int
tap_cases(const struct tap_case *cases, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		tap_case_failed = 0;
		cases[i].fn();
		tap_report(cases[i].name);
	}
	return (tap_failed);
}

static inline int
tap_run(const struct tap_case *cases, size_t n)
{
	tap_plan(n);
	return (tap_cases(cases, n));
}

#define TAP_MAIN(cases)							\
int									\
main(void)								\
{									\
	return (tap_run(cases, sizeof(cases) / sizeof(cases[0])));	\
}

#endif
