/*
 * tap.h - a tiny TAP producer for the unit tests.
 *
 * A test file defines an array of struct tap_case {name, fn} and calls
 * tap_run().  Each case prints "ok N - name" or "not ok N - name"; the
 * automake TAP driver counts every line, so one case is one test.
 * Inside a case, TAP_CHECK(cond) records a failure with file and line
 * and goes on; the case fails if any check failed.
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

static inline int
tap_run(const struct tap_case *cases, size_t n)
{
	size_t	i;
	int	failed = 0;

	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		tap_case_failed = 0;
		cases[i].fn();
		printf("%sok %zu - %s\n", tap_case_failed ? "not " : "",
		    i + 1, cases[i].name);
		fflush(stdout);
		failed |= tap_case_failed;
	}
	return (failed);
}

#define TAP_MAIN(cases)							\
int									\
main(void)								\
{									\
	return (tap_run(cases, sizeof(cases) / sizeof(cases[0])));	\
}

#endif
