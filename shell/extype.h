/*
 * extype.h - Exchange data types: parsing and printing.
 *
 * Each parser takes the text a user typed and either fills a canonical
 * value or returns -1 with *cause set to Exchange's own message (the inner
 * "Error:" text of a binding failure, e.g. "\"*contoso.com\" isn't a
 * valid SMTP domain.").  The binder wraps that message in PowerShell's
 * "Cannot bind parameter ..." frame.  Printers return heap strings in the
 * format Exchange's ToString() uses.  No I/O, no global state.
 */
#ifndef HUBSH_EXTYPE_H
#define HUBSH_EXTYPE_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/* AddressSpace: "[type:]space[;cost]"; a bare domain gets type "smtp". */
int	 ex_address_space_parse(const char *, struct sc_address_space *,
	    char **cause);
char	*ex_address_space_format(const struct sc_address_space *);
bool	 ex_address_space_is_smtp(const struct sc_address_space *);
void	 ex_address_space_clear(struct sc_address_space *);
/* Two spaces denote the same destination (type and domain, no case). */
bool	 ex_address_space_same(const struct sc_address_space *,
	    const struct sc_address_space *);

/* SmtpDomainWithSubdomains: "contoso.com" or "*.contoso.com"; "*" only
 * when allow_star. */
int	 ex_smtp_domain_check(const char *, bool allow_star, char **cause);
/* TlsDomain: SmtpDomainWithSubdomains where a bare "*" is refused. */
int	 ex_tls_domain_check(const char *, char **cause);

/* SmartHost: a host name or an IP literal; canonical IPs are "[a.b.c.d]"
 * or "[v6]".  "[0.0.0.0]" is refused. */
int	 ex_smart_host_parse(const char *, char **canonical, char **cause);

/* Fqdn: a DNS host name. */
int	 ex_fqdn_check(const char *, char **cause);

/* IPAddress: canonical textual form. */
int	 ex_ip_parse(const char *, char **canonical, char **cause);
bool	 ex_ip_is_multicast_or_broadcast(const char *);

/*
 * Unlimited<ByteQuantifiedSize>: "35MB", "35 MB", "1.5GB", "36700160"
 * (bytes, rounded up to a whole KB), "unlimited".  *bytes is -1 for
 * unlimited.  The range check uses min..max bytes.
 */
int	 ex_size_parse(const char *, int64_t min, int64_t max,
	    int64_t *bytes, char **cause);
/* ByteQuantifiedSize: the same without Unlimited. */
int	 ex_bytes_parse(const char *, int64_t min, int64_t max,
	    int64_t *bytes, char **cause);
/* "35 MB (36,700,160 bytes)", "Unlimited". */
char	*ex_size_format(int64_t bytes);

/* EnhancedTimeSpan: "00:10:00", "1.00:00:00", "d.hh:mm:ss", whole seconds
 * only; the range check uses min..max seconds. */
int	 ex_timespan_parse(const char *, int64_t min, int64_t max,
	    int64_t *secs, char **cause);
/* .NET TimeSpan ToString(): "00:10:00", "1.00:00:00". */
char	*ex_timespan_format(int64_t secs);

/* SmtpX509Identifier: "<I>issuer<S>subject" (optionally "X509:" first). */
int	 ex_x509_identifier_check(const char *, char **cause);

/* Guid: N, D, B or P form; canonical is D in lower case. */
int	 ex_guid_parse(const char *, char **canonical, char **cause);

/* "1,234,567" (en-US digit grouping). */
char	*ex_group_digits(int64_t);

#endif
