/*
 * ctl.h - the control channel between hubsh and hubd.
 *
 * hubd listens on a UNIX stream socket (control-socket, default
 * HUBD_DEFAULT_CONTROL).  The socket is mode 0660, owned by hubd's user
 * and the control group; hubd also checks each client's credentials
 * (SO_PEERCRED): root, hubd's own user and members of the control group
 * get in, everyone else is told so and disconnected.
 * With control-listen, hubd also answers the same protocol over TCP
 * with TLS, to clients presenting a certificate its control-ca signed;
 * it registers that endpoint as "tls:HOST:PORT" (ctl_call_at).
 *
 * One connection carries one request and its answer.  Both are made of
 * records; a record is a list of fields, one per line:
 *
 *	name SP value LF	a field; the value runs to the end of the line
 *	"-" LF			end of a record, another follows
 *	"." LF			end of the last record
 *
 * Names are ASCII letters, digits and '-'.  In values, backslash, LF and
 * CR are written "\\", "\n" and "\r"; nothing else is escaped.  A name
 * may repeat (a list: one field per item, in order); a missing field is
 * $null.  Times are Unix milliseconds (UTC), counts are decimal.
 *
 * The request is one record whose first field is "op".  The answer is
 * zero or more result records, then a status record:
 *
 *	status ok
 *	status error			with fields
 *	    category <PowerShell ErrorCategory: ObjectNotFound, ...>
 *	    message <the text the shell shows>
 *
 * The status record is always the last one (ended by "."); results end
 * with "-".  A reader that meets the end of the stream before "." treats
 * the answer as lost.
 *
 * Operations and their fields (hubd's control.c answers them; the shell's
 * cmd_queue.c, cmd_message.c, cmd_tracking.c and cmd_testconnector.c
 * ask):
 *
 *   op ping
 *	-> server, version, pid
 *   op get-queue
 *	-> one record per queue (transport/queue_ctl.c): the delivery queues
 *	   by number, then Submission, then Unreachable when it holds
 *	   something or is suspended (Poison is always empty in hubd, and
 *	   not listed).  Fields, in this order, named as the Queue object's
 *	   properties (exchange-semantics 7.1); a field without a value is
 *	   left out:
 *	   Identity ("SERVER\3", "SERVER\Submission"), DeliveryType
 *	   (DnsConnectorDelivery, SmartHostConnectorDelivery, Unreachable,
 *	   Undefined), NextHopDomain, TlsDomain, NextHopConnector (guid;
 *	   zeros for Submission and Unreachable), Status (Active,
 *	   Connecting, Ready, Retry, Suspended), MessageCount, LastError
 *	   ("[{LRT=M/d/yyyy h:mm:ss tt};{LED=text};{FQDN=host};{IP=addr}]"
 *	   when host and address are known, else the text), RetryCount,
 *	   LastRetryTime, NextRetryTime, FirstRetryTime (Unix ms),
 *	   DeferredMessageCount, LockedMessageCount (0), RiskLevel
 *	   (Normal), OutboundIPPool (0), NextHopCategory (External,
 *	   Internal), IncomingRate, OutgoingRate, Velocity (messages a
 *	   second over the last minute, one decimal: "0.5"), QueueIdentity
 *	   (= Identity), Server
 *   op retry-queue / suspend-queue / resume-queue
 *	id <queue>, [resubmit 1] -> nothing.  A queue is named
 *	"[SERVER\]N", "[SERVER\]Submission|Unreachable|Poison" or
 *	"[SERVER\]<NextHopDomain>"; unknown: ObjectNotFound, "The queue
 *	"SERVER\N" could not be found."; a NextHopDomain of two queues:
 *	InvalidArgument.  Refused with InvalidOperation: retry-queue on
 *	Submission or Poison, or on Unreachable without resubmit 1;
 *	suspend-queue and resume-queue on Poison.
 *   op get-message [queue <queue>] [id <message>]
 *	-> one record per message and queue it has queued recipients in,
 *	   fields in this order, named as the Message object's properties
 *	   (7.2): Identity ("SERVER\queue\id", queue as in Get-Queue's
 *	   Identity), FromAddress ("<>" for the null sender), Status
 *	   (Ready, Retry, Active, Suspended, PendingSuspend,
 *	   PendingRemove), Size, Subject, DateReceived, ExpirationTime
 *	   (Unix ms), LastError, Queue, Recipients (repeated:
 *	   "address;status;last error"), RetryCount, SourceIP,
 *	   MessageSourceName (SMTP, Pickup, DSN), InternetMessageId,
 *	   Directionality (Originating)
 *   op suspend-message / resume-message / remove-message
 *	id <message>, [queue <queue>], [with-ndr 0|1] -> nothing.  A
 *	message is named "N", "QUEUE\N" or "SERVER\QUEUE\N" (QUEUE "*":
 *	any); queue, when given, wins over the one in id.  Unknown, or not
 *	in that queue: ObjectNotFound, "The message "SERVER\QUEUE\N" could
 *	not be found.".  with-ndr defaults to 1.
 *   op track
 *	start, end, sender, recipient (repeated), event-id, message-id,
 *	internal-message-id, subject, connector-id, reference, limit
 *	-> one record per event, named as Get-MessageTrackingLog's
 *	   properties (7.3): Timestamp, ClientIp, ClientHostname, ServerIp,
 *	   ServerHostname, SourceContext, ConnectorId, Source, EventId,
 *	   InternalMessageId, MessageId, Recipients (repeated),
 *	   RecipientStatus (repeated, parallel), TotalBytes, RecipientCount,
 *	   Reference, MessageSubject, Sender, TlsProtocol, TlsCipher,
 *	   TlsVerify
 *   op probe
 *	connector <name>, domain <recipient domain or user@domain; may be
 *	absent for a smart-host connector>
 *	-> one record per next-hop address, in the order a delivery tries
 *	   them (Test-SendConnector; transport.h, probe.c), fields named as
 *	   PowerShell properties: Connector, Domain, Host, Preference (MX
 *	   preference; absent for smart hosts), Address ("ip:port"),
 *	   Dnssec (Secure|Insecure|NotValidated: how the DNS answers that
 *	   led to the address validated; absent for an address literal),
 *	   Dane (Off: SmtpDaneMode None; NotSecure: the address did not
 *	   validate, so no TLSA lookup; NoRecords; Records; LookupFailed),
 *	   Tlsa (repeated: "usage selector mtype HEX", as published),
 *	   TlsaMatched ("3 1 1": the record the chain matched, or None;
 *	   only with Tlsa), MtaSts ("enforce, id ID (DOMAIN)": the MTA-STS
 *	   policy in force for the connector's policy domain; absent when
 *	   none), MtaStsMx (repeated: its mx patterns), MtaStsAllowed
 *	   (True|False: the host is among them), Connected (True|False), Error (connect, protocol or TLS error
 *	   text; absent when none), Banner, StartTlsOffered (True|False),
 *	   TlsProtocol, TlsCipher, CertificateSubject, CertificateIssuer,
 *	   CertificateNotBefore, CertificateNotAfter (Unix ms; the leaf's),
 *	   CertificateNames (repeated: SAN DNS names, else the CN), Chain
 *	   (repeated, one per certificate as sent, leaf first: "subject |
 *	   issuer | notAfter" with notAfter as yyyy-MM-ddTHH:mm:ssZ),
 *	   ChainValid (True|False), ChainError (OpenSSL's reason), MatchedName
 *	   (the TlsDomain, or domain / *.domain without one, that the leaf
 *	   matches), SatisfiesLevels (repeated: EncryptionOnly, DANE,
 *	   CertificateValidation, DomainValidation: those the session would
 *	   meet), Policy ("RequireTLS, DomainValidation, TlsDomain x",
 *	   "Opportunistic", ...), Result (Pass|Fail), Response (on Fail the
 *	   reply that ends a delivery's attempt there, e.g. "451 5.7.3
 *	   STARTTLS is required to send mail", "454 4.7.5 Certificate
 *	   validation failure", "441 4.4.1 Error encountered while
 *	   communicating with primary target IP address: "...."; on Pass
 *	   "TLSv1.3 <cipher>, DomainValidation ok" or "Plaintext
 *	   (opportunistic)").  TLS fields only when a TLS session was had.
 *	   When the next hops cannot be resolved (or the connector's
 *	   settings refuse), one record: Connector, Domain, Policy, Result
 *	   Fail, Error, Response (what a delivery would record).  Unknown
 *	   connector (not in hubd's routing snapshot): status error
 *	   ObjectNotFound.  Answers within the DNS lookups plus 31 s.
 *   op cert-watch
 *	[connector <name>]
 *	-> one record per next hop the certificate watch has probed
 *	   (Get-SendConnectorCertificate; certwatch.c), ordered by
 *	   connector, domain, host and address: Connector, Domain (absent
 *	   for a smart host), Host, Address, LastChecked (Unix ms),
 *	   Connected, StartTlsOffered (True|False), Result (Pass|Fail),
 *	   Error, and the last certificate seen there: Subject, Issuer,
 *	   NotBefore, NotAfter (Unix ms), CertificateDomains (repeated),
 *	   Thumbprint (SHA-1, hex), SatisfiesLevels (repeated:
 *	   EncryptionOnly, ...); Findings (repeated: CertificateExpiring,
 *	   TlsDomainNotSatisfied, StartTlsNotOffered, the conditions that
 *	   hold).  No record for a connector the watch has not reached.
 *   op mta-sts
 *	[domain <name>] (hubsh sends it in lower case, as the spool keeps it)
 *	-> one record per domain whose MTA-STS policy hubd has cached (or
 *	   whose first fetch failed), ordered by domain (Get-MtaStsPolicy;
 *	   mtasts.c): Domain, PolicyId, Mode (Enforce|Testing|None), Mx
 *	   (repeated: the patterns), MaxAge (s), Fetched (Unix ms), Expires
 *	   (Unix ms), LastFailure (text), LastFailureTime (Unix ms); a field
 *	   is absent when it has no value.  With domain and no such domain:
 *	   no record.
 */
#ifndef HUBSH_CTL_H
#define HUBSH_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

#define CTL_LINE_MAX	65536	/* longest field line accepted */
#define CTL_FIELDS_MAX	4096	/* most fields in one record */
#define CTL_REQUEST_MAX	(1024 * 1024)	/* hubd: most bytes of a request */

struct ctl_field {
	char	*name;
	char	*value;
};

struct ctl_rec {
	struct ctl_field	*f;
	size_t			 n;
	size_t			 cap;
};

void		 ctl_rec_init(struct ctl_rec *);
void		 ctl_rec_clear(struct ctl_rec *);
/* Append a field (copies both); a NULL value adds nothing. */
void		 ctl_add(struct ctl_rec *, const char *name, const char *value);
void		 ctl_addf(struct ctl_rec *, const char *name, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
void		 ctl_add_int(struct ctl_rec *, const char *name, int64_t);
/* The first value of name, or NULL. */
const char	*ctl_get(const struct ctl_rec *, const char *name);
/* The i-th value of name (0-based), or NULL. */
const char	*ctl_get_nth(const struct ctl_rec *, const char *name,
		     size_t i);
/* The first value of name as an integer; dflt when absent or not one. */
int64_t		 ctl_get_int(const struct ctl_rec *, const char *name,
		     int64_t dflt);

/*
 * A refusal, for the status record hubd ends its answer with: *category
 * and *message (the caller frees both).  Returns 1, what an operation
 * that refused returns.
 */
int		 ctl_refuse(char **category, char **message, const char *cat,
		     const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/* Append rec to out, ended by "-" (last false) or "." (last true). */
void		 ctl_encode(struct buf *out, const struct ctl_rec *, bool last);

/*
 * Reading records from a stream socket.  ctl_read fills rec (cleared
 * first) and *last; 0 on success, -1 on a read error, a malformed line,
 * or the end of the stream before a record ended (*cause says which).
 */
struct ctl_reader {
	int		 fd;
	struct buf	 in;
	size_t		 off;
	int		 timeout_ms;	/* per read; -1 waits forever */
	int64_t		 start;		/* ctl_reader_limit(), and when */
	int64_t		 deadline;	/* ms, CLOCK_MONOTONIC, for all; 0 */
	size_t		 max_bytes;	/* most bytes read in all; 0 */
	size_t		 nread;
	/* Reads through this instead of fd when set (ctl_tls_read). */
	ssize_t		(*read_fn)(void *, void *, size_t, int, char **);
	void		*read_arg;
	bool		 read_failed;	/* read_fn said why, in full */
};

void		 ctl_reader_init(struct ctl_reader *, int fd, int timeout_ms);
/*
 * Bound all that is read from now: no more than max_bytes, and nothing
 * after total_ms (a peer trickling bytes cannot stretch it).  hubd reads
 * requests this way.
 */
void		 ctl_reader_limit(struct ctl_reader *, size_t max_bytes,
		     int total_ms);
void		 ctl_reader_free(struct ctl_reader *);
int		 ctl_read(struct ctl_reader *, struct ctl_rec *, bool *last,
		     char **cause);
/* Write all of b to fd (restarting on EINTR); -1 with *cause. */
int		 ctl_write_all(int fd, const char *, size_t, char **cause);

/*
 * The client side (hubsh).  ctl_call connects to path, sends req, and
 * hands each result record to fn (return non-zero to stop reading);
 * the status record's error, if any, comes back as *err_category and
 * *err_message (caller frees) with a return of 1.  Returns 0 on status
 * ok, -1 when the channel failed (*cause: "hubd is not running", access
 * denied, timeout...).
 */
typedef int	(*ctl_result_fn)(const struct ctl_rec *, void *arg);

int		 ctl_call(const char *path, const struct ctl_rec *req,
		     ctl_result_fn fn, void *arg, char **err_category,
		     char **err_message, char **cause);
/*
 * ctl_call at an endpoint: a UNIX socket path, or "tls:HOST:PORT" (a
 * hubd's control-listen, as the server registry holds it), reached over
 * TLS with the client certificate of ctl_tls_config and the server's
 * certificate checked against name (the server's registered FQDN).
 */
int		 ctl_call_at(const char *endpoint, const char *name,
		     const struct ctl_rec *req, ctl_result_fn fn, void *arg,
		     char **err_category, char **err_message, char **cause);

/*
 * ctl_tls.c: the client side over TLS.  ctl_tls_config sets the client
 * certificate, its key and the CA that signed the servers' certificates
 * (NULL or "": none; copied).
 */
struct ctl_tls;

void		 ctl_tls_config(const char *cert, const char *key,
		     const char *ca);
struct ctl_tls	*ctl_tls_open(const char *endpoint, const char *name,
		     char **cause);
ssize_t		 ctl_tls_read(void *, void *, size_t, int timeout_ms,
		     char **cause);
int		 ctl_tls_write(struct ctl_tls *, const char *, size_t,
		     char **cause);
void		 ctl_tls_close(struct ctl_tls *);

#endif
