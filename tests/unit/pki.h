/*
 * pki.h - certificates made at test time, for the unit tests that run
 * real TLS handshakes (tls_test, probe_test): a CA or a server
 * certificate with a CN, optional subjectAltName, and validity in days
 * from now (negative: in the past).
 */
#ifndef HUBSH_TEST_PKI_H
#define HUBSH_TEST_PKI_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define PKI_DAY		(24L * 3600)

static long	pki_serial = 1;

/* Add one extension given in openssl.cnf syntax. */
static inline int
pki_ext_add(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION	*ext;
	int		 ok;

	if ((ext = X509V3_EXT_conf_nid(NULL, v3, nid, value)) == NULL)
		return (0);
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return (ok);
}

/* A certificate for key, signed by ca/cakey (or itself); eku NULL: a CA. */
static inline X509 *
pki_cert(EVP_PKEY *key, const char *cn, const char *san, const char *eku,
    long from, long to, X509 *ca, EVP_PKEY *cakey)
{
	X509		*x = X509_new();
	X509_NAME	*name;
	X509V3_CTX	 v3;
	int		 ok;

	name = X509_get_subject_name(x);
	ok = X509_set_version(x, X509_VERSION_3) &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), pki_serial++) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), from * PKI_DAY) != NULL &&
	    X509_gmtime_adj(X509_getm_notAfter(x), to * PKI_DAY) != NULL &&
	    X509_set_pubkey(x, key) &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) &&
	    X509_set_issuer_name(x, ca != NULL ? X509_get_subject_name(ca) :
	    name);
	X509V3_set_ctx(&v3, ca != NULL ? ca : x, x, NULL, NULL, 0);
	if (eku == NULL) {
		ok = ok && pki_ext_add(x, &v3, NID_basic_constraints,
		    "critical,CA:TRUE") && pki_ext_add(x, &v3, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
	} else {
		ok = ok && pki_ext_add(x, &v3, NID_basic_constraints, "CA:FALSE") &&
		    pki_ext_add(x, &v3, NID_ext_key_usage, eku);
	}
	if (san != NULL)
		ok = ok && pki_ext_add(x, &v3, NID_subject_alt_name, san);
	ok = ok && X509_sign(x, ca != NULL ? cakey : key, EVP_sha256()) > 0;
	if (!ok) {
		X509_free(x);
		return (NULL);
	}
	return (x);
}

#endif
