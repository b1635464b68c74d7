/*
 * store_crypt.c - encryption at rest of credential passwords, and GUIDs.
 *
 * A connector's AuthenticationCredential password is stored only as an
 * AES-256-GCM blob, nonce || ciphertext || tag, with the connector GUID as
 * additional authenticated data, so a blob copied to another connector
 * does not decrypt.  The key is 32 random bytes in "<store path>.key",
 * created mode 0600 the first time a password is stored.  No message made
 * here ever contains a password.
 *
 * libcrypto does the AES-GCM and nothing else, and is loaded the first
 * time a password is sealed or opened (dynlib.h): a hubsh run that
 * touches no credential never maps it, which was most of its start-up
 * time.  Random bytes (keys, nonces, GUIDs) come from getrandom(2), the
 * kernel generator OpenSSL's own RAND_bytes is seeded from, so that
 * New-SendConnector needs no library for its GUID.
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "dynlib.h"
#include "xmalloc.h"
#include "store_int.h"

#ifndef HUBSH_LIBCRYPTO_SONAME
#error "HUBSH_LIBCRYPTO_SONAME (libcrypto's soname) comes from configure"
#endif

/* The libcrypto functions used here; their types come from its headers. */
#define CRYPTO_SYMS(_) \
	_(EVP_CIPHER_CTX_new) _(EVP_CIPHER_CTX_free) _(EVP_CIPHER_CTX_ctrl) \
	_(EVP_aes_256_gcm) \
	_(EVP_EncryptInit_ex) _(EVP_EncryptUpdate) _(EVP_EncryptFinal_ex) \
	_(EVP_DecryptInit_ex) _(EVP_DecryptUpdate) _(EVP_DecryptFinal_ex) \
	_(ERR_clear_error)

static struct {
	CRYPTO_SYMS(DYNLIB_PTR)
} crypto;

#define CRYPTO_SYM(sym)	DYNLIB_SYM(crypto, sym)
static const struct dynlib_sym crypto_syms[] = { CRYPTO_SYMS(CRYPTO_SYM) };
static struct dynlib crypto_lib = DYNLIB_INIT(HUBSH_LIBCRYPTO_SONAME,
    crypto_syms, &crypto);

static int	store_key_load(struct store *, int, char **);
static int	store_key_read(struct store *, const char *, int, char **);
static int	store_key_create(struct store *, const char *, char **);
static int	store_random(void *, size_t);
static int	store_fsync_dir(const char *);
static int	store_gcm_seal(struct store *, const char *, const char *,
		    size_t, unsigned char *);
static int	store_gcm_open(struct store *, const char *,
		    const unsigned char *, size_t, unsigned char *);

/* Load the key into s, creating the key file if create is set. */
static int
store_key_load(struct store *s, int create, char **cause)
{
	const char	*path = s->key_path;
	int		 fd, rc;

	if (s->have_key)
		return (0);
	if (path == NULL) {
		*cause = xstrdup("no credential key file: a PostgreSQL store "
		    "needs one, the same file on every server (--key-file, "
		    "or HUBSH_KEY_FILE)");
		return (-1);
	}
	for (;;) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd != -1) {
			rc = store_key_read(s, path, fd, cause);
			close(fd);
			break;
		}
		if (errno != ENOENT || !create) {
			xasprintf(cause, "key file %s: %s", path,
			    strerror(errno));
			rc = -1;
			break;
		}
		if ((rc = store_key_create(s, path, cause)) != 1)
			break;		/* created (0) or failed (-1) */
	}
	return (rc);
}

static int
store_key_read(struct store *s, const char *path, int fd, char **cause)
{
	struct stat	sb;
	ssize_t		n;
	size_t		got = 0;

	if (fstat(fd, &sb) != 0) {
		xasprintf(cause, "key file %s: %s", path, strerror(errno));
		return (-1);
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size != STORE_KEY_LEN) {
		xasprintf(cause, "key file %s has the wrong size (%lld bytes, "
		    "expected %d)", path, (long long)sb.st_size, STORE_KEY_LEN);
		return (-1);
	}
	while (got < STORE_KEY_LEN) {
		n = read(fd, s->key + got, STORE_KEY_LEN - got);
		if (n <= 0) {
			xasprintf(cause, "key file %s: %s", path,
			    n == 0 ? "short read" : strerror(errno));
			explicit_bzero(s->key, sizeof s->key);
			return (-1);
		}
		got += n;
	}
	s->have_key = 1;
	return (0);
}

/* Create a new key file; 1 means another process just made one. */
static int
store_key_create(struct store *s, const char *path, char **cause)
{
	int	fd, ok;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return (1);
		xasprintf(cause, "cannot create key file %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (store_random(s->key, sizeof s->key) != 0) {
		close(fd);
		unlink(path);
		xasprintf(cause, "cannot create key file %s: no randomness",
		    path);
		return (-1);
	}
	ok = (write(fd, s->key, sizeof s->key) == (ssize_t)sizeof s->key &&
	    fsync(fd) == 0);
	if (close(fd) != 0)
		ok = 0;
	/*
	 * The name too must be on disk before a password is stored with the
	 * key: after a power loss, a store with a blob and no key file has
	 * lost the password.
	 */
	if (ok && store_fsync_dir(path) != 0)
		ok = 0;
	if (!ok) {
		xasprintf(cause, "cannot write key file %s: %s", path,
		    strerror(errno));
		unlink(path);
		explicit_bzero(s->key, sizeof s->key);
		return (-1);
	}
	s->have_key = 1;
	return (0);
}

/* Sync the directory holding path (its new entry). */
static int
store_fsync_dir(const char *path)
{
	const char	*slash;
	char		*dir;
	int		 fd, rc = 0;

	if ((slash = strrchr(path, '/')) == NULL)
		dir = xstrdup(".");
	else
		dir = xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(fd) != 0)
		rc = -1;
	if (fd != -1)
		close(fd);
	free(dir);
	return (rc);
}

int
store_key_preload(struct store *s, char **cause)
{
	return (store_key_load(s, 1, cause));
}

void
store_crypt_forget(struct store *s)
{
	explicit_bzero(s->key, sizeof s->key);
	s->have_key = 0;
}

/* len bytes from the kernel's generator; -1 if it fails. */
static int
store_random(void *out, size_t len)
{
	ssize_t	n;
	size_t	got = 0;

	while (got < len) {
		n = getrandom((char *)out + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		got += (size_t)n;
	}
	return (0);
}

/* Encrypt len bytes of pw into out (nonce already in out). */
static int
store_gcm_seal(struct store *s, const char *guid, const char *pw,
    size_t len, unsigned char *out)
{
	EVP_CIPHER_CTX	*ctx;
	unsigned char	*ct = out + STORE_NONCE_LEN;
	int		 n, ok;

	if ((ctx = crypto.EVP_CIPHER_CTX_new()) == NULL)
		return (-1);
	ok = crypto.EVP_EncryptInit_ex(ctx, crypto.EVP_aes_256_gcm(), NULL,
	    s->key, out) == 1 &&
	    crypto.EVP_EncryptUpdate(ctx, NULL, &n,
	    (const unsigned char *)guid, (int)strlen(guid)) == 1 &&
	    crypto.EVP_EncryptUpdate(ctx, ct, &n, (const unsigned char *)pw,
	    (int)len) == 1 &&
	    crypto.EVP_EncryptFinal_ex(ctx, ct + n, &n) == 1 &&
	    crypto.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
	    STORE_TAG_LEN, ct + len) == 1;
	crypto.EVP_CIPHER_CTX_free(ctx);
	return (ok ? 0 : -1);
}

int
store_crypt_encrypt(struct store *s, const char *guid, const char *pw,
    unsigned char **blob, size_t *bloblen, char **cause)
{
	unsigned char	*out;
	size_t		 len = strlen(pw);
	char		*why;

	*blob = NULL;
	if (len > INT_MAX / 2) {
		*cause = xstrdup("the credential password is too long");
		return (-1);
	}
	/* The library before the key: a failure leaves no key file. */
	if (dynlib_load(&crypto_lib, &why) != 0) {
		xasprintf(cause, "cannot encrypt the credential of connector "
		    "%s: %s", guid, why);
		free(why);
		return (-1);
	}
	if (store_key_load(s, 1, cause) != 0)
		return (-1);
	out = xmalloc(STORE_NONCE_LEN + len + STORE_TAG_LEN);
	if (store_random(out, STORE_NONCE_LEN) != 0 ||
	    store_gcm_seal(s, guid, pw, len, out) != 0) {
		crypto.ERR_clear_error();
		free(out);
		xasprintf(cause, "cannot encrypt the credential of connector "
		    "%s", guid);
		return (-1);
	}
	*blob = out;
	*bloblen = STORE_NONCE_LEN + len + STORE_TAG_LEN;
	return (0);
}

/* Decrypt and authenticate blob into pt (ciphertext length bytes). */
static int
store_gcm_open(struct store *s, const char *guid, const unsigned char *blob,
    size_t len, unsigned char *pt)
{
	EVP_CIPHER_CTX	*ctx;
	unsigned char	 tag[STORE_TAG_LEN];
	size_t		 ctlen = len - STORE_NONCE_LEN - STORE_TAG_LEN;
	int		 n, ok;

	memcpy(tag, blob + len - STORE_TAG_LEN, sizeof tag);
	if ((ctx = crypto.EVP_CIPHER_CTX_new()) == NULL)
		return (-1);
	ok = crypto.EVP_DecryptInit_ex(ctx, crypto.EVP_aes_256_gcm(), NULL,
	    s->key, blob) == 1 &&
	    crypto.EVP_DecryptUpdate(ctx, NULL, &n,
	    (const unsigned char *)guid, (int)strlen(guid)) == 1 &&
	    crypto.EVP_DecryptUpdate(ctx, pt, &n, blob + STORE_NONCE_LEN,
	    (int)ctlen) == 1 &&
	    crypto.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
	    STORE_TAG_LEN, tag) == 1 &&
	    crypto.EVP_DecryptFinal_ex(ctx, pt + n, &n) == 1;
	crypto.EVP_CIPHER_CTX_free(ctx);
	return (ok ? 0 : -1);
}

int
store_crypt_decrypt(struct store *s, const char *guid,
    const unsigned char *blob, size_t len, char **pw, char **cause)
{
	unsigned char	*pt;
	size_t		 ctlen;
	char		*why;

	*pw = NULL;
	if (len < STORE_NONCE_LEN + STORE_TAG_LEN || len > INT_MAX / 2) {
		xasprintf(cause, "the credential of connector %s is corrupt",
		    guid);
		return (-1);
	}
	if (dynlib_load(&crypto_lib, &why) != 0 ||
	    store_key_load(s, 0, &why) != 0) {
		xasprintf(cause, "cannot decrypt the credential of connector "
		    "%s: %s", guid, why);
		free(why);
		return (-1);
	}
	ctlen = len - STORE_NONCE_LEN - STORE_TAG_LEN;
	pt = xmalloc(ctlen + 1);
	if (store_gcm_open(s, guid, blob, len, pt) != 0) {
		crypto.ERR_clear_error();
		explicit_bzero(pt, ctlen + 1);
		free(pt);
		xasprintf(cause, "cannot decrypt the credential of connector "
		    "%s: wrong key or damaged data", guid);
		return (-1);
	}
	pt[ctlen] = '\0';
	*pw = (char *)pt;
	return (0);
}

/* A random (version 4) GUID, lower-case 8-4-4-4-12. */
int
store_crypt_uuid(char out[37], char **cause)
{
	unsigned char	b[16];

	if (store_random(b, sizeof b) != 0) {
		*cause = xstrdup("cannot generate a GUID: no randomness");
		return (-1);
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return (0);
}
