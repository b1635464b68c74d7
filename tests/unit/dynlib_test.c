/*
 * dynlib_test.c - libraries loaded on first use (common/dynlib.c): a
 * table filled from libcrypto, which this test does not link, and called;
 * a missing symbol and a missing library, each with its cause, the same
 * on every call, and an empty table; many threads loading at once.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dynlib.h"
#include "xmalloc.h"
#include "tap.h"

#define NTHREADS	8

/* Declared for its type only: no library defines it. */
int	hubsh_no_such_symbol(void);

#define GOOD_SYMS(_)	_(OpenSSL_version_num) _(EVP_aes_256_gcm)
static struct {
	GOOD_SYMS(DYNLIB_PTR)
} good;
#define GOOD_SYM(sym)	DYNLIB_SYM(good, sym)
static const struct dynlib_sym good_syms[] = { GOOD_SYMS(GOOD_SYM) };

#define BAD_SYMS(_)	_(EVP_aes_256_gcm) _(hubsh_no_such_symbol)
static struct {
	BAD_SYMS(DYNLIB_PTR)
} bad;
#define BAD_SYM(sym)	DYNLIB_SYM(bad, sym)
static const struct dynlib_sym bad_syms[] = { BAD_SYMS(BAD_SYM) };

/* Static, as in the code that uses them: a failure's cause stays. */
static struct dynlib	good_lib = DYNLIB_INIT(HUBSH_LIBCRYPTO_SONAME,
			    good_syms, &good);
static struct dynlib	bad_lib = DYNLIB_INIT(HUBSH_LIBCRYPTO_SONAME,
			    bad_syms, &bad);
static struct dynlib	missing_lib = DYNLIB_INIT("libhubsh-no-such.so.0",
			    good_syms, &good);
static struct dynlib	threaded_lib = DYNLIB_INIT(HUBSH_LIBCRYPTO_SONAME,
			    good_syms, &good);

static void
test_load(void)
{
	struct dynlib	*lib = &good_lib;
	char		*cause = NULL;
	void		*first;

	TAP_CHECK(good.OpenSSL_version_num == NULL);
	TAP_CHECK(dynlib_load(lib, &cause) == 0);
	TAP_CHECK(cause == NULL);
	TAP_CHECK(good.OpenSSL_version_num != NULL &&
	    good.EVP_aes_256_gcm != NULL);
	if (good.OpenSSL_version_num == NULL || good.EVP_aes_256_gcm == NULL)
		return;
	/* The configured library is the one the headers describe. */
	TAP_CHECK(good.OpenSSL_version_num() >> 28 ==
	    OPENSSL_VERSION_NUMBER >> 28);
	TAP_CHECK(good.EVP_aes_256_gcm() != NULL);
	/* A second call loads nothing again. */
	first = (void *)good.EVP_aes_256_gcm;
	TAP_CHECK(dynlib_load(lib, &cause) == 0);
	TAP_CHECK((void *)good.EVP_aes_256_gcm == first);
}

static void
test_missing_symbol(void)
{
	struct dynlib	*lib = &bad_lib;
	char		*cause = NULL, *again = NULL;

	TAP_CHECK(dynlib_load(lib, &cause) == -1);
	TAP_CHECK(cause != NULL && strncmp(cause, "cannot load "
	    HUBSH_LIBCRYPTO_SONAME ": ", strlen("cannot load "
	    HUBSH_LIBCRYPTO_SONAME ": ")) == 0);
	TAP_CHECK(cause != NULL &&
	    strstr(cause, "hubsh_no_such_symbol") != NULL);
	/* The symbols found before the missing one are not left behind. */
	TAP_CHECK(bad.EVP_aes_256_gcm == NULL &&
	    bad.hubsh_no_such_symbol == NULL);
	TAP_CHECK(dynlib_load(lib, &again) == -1);
	TAP_STREQ(again, cause);
	free(cause);
	free(again);
}

static void
test_missing_library(void)
{
	struct dynlib	*lib = &missing_lib;
	char		*cause = NULL;

	memset(&good, 0, sizeof good);
	TAP_CHECK(dynlib_load(lib, &cause) == -1);
	TAP_STREQ(cause, "cannot load libhubsh-no-such.so.0: cannot open "
	    "shared object file: No such file or directory");
	TAP_CHECK(good.OpenSSL_version_num == NULL);
	free(cause);
}

static void *
load_thread(void *arg)
{
	char	*cause = NULL;

	(void)arg;
	if (dynlib_load(&threaded_lib, &cause) != 0) {
		free(cause);
		return ((void *)1);
	}
	return (NULL);
}

static void
test_threads(void)
{
	pthread_t	t[NTHREADS];
	void		*rc;
	int		 i, failed = 0;

	memset(&good, 0, sizeof good);
	for (i = 0; i < NTHREADS; i++)
		TAP_CHECK(pthread_create(&t[i], NULL, load_thread, NULL) == 0);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &rc);
		failed += rc != NULL;
	}
	TAP_CHECK(failed == 0);
	TAP_CHECK(threaded_lib.state == 1);
	TAP_CHECK(good.EVP_aes_256_gcm != NULL &&
	    good.EVP_aes_256_gcm() != NULL);
}

static const struct tap_case cases[] = {
	{ "libcrypto, not linked, is loaded by its soname and called",
	    test_load },
	{ "a missing symbol: its name in the cause, every time; table empty",
	    test_missing_symbol },
	{ "a missing library: a cause that names it", test_missing_library },
	{ "threads loading at once all get the library", test_threads },
};

TAP_MAIN(cases)
