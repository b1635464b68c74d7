/*
 * transport.h - hubd, the hubsh transport service: the one header of
 * transport/, in sections per file.
 *
 * hubd accepts mail (ESMTP listener, pickup directory), makes it durable
 * in the spool before answering 250, routes each recipient by Send
 * connector (address space, cost, size), resolves the next hop by MX or
 * smart host and delivers with the connector's TLS policy.  Threads:
 *
 *	main		signals, reload, shutdown (hubd.c)
 *	listener	accepts; one session thread per client (smtpd.c)
 *	pickup		scans the pickup directory (pickup.c)
 *	committer	group commit of every spool write (commit.c)
 *	scheduler	queues, retries, routing, DSNs (queue.c)
 *	workers		a pool of SMTP client sessions (mta.c)
 *	control		an accept thread, one thread per connection (control.c)
 *	tlsrpt		flushes TLS-RPT counts, sends the reports (tlsrpt.c)
 *	metrics		libmicrohttpd's thread, when metrics-listen is set
 *
 * The files, by what they own:
 *
 *	hubd.c		the process's life: options, daemon, privileges,
 *			reload, pruning; nothing else calls into it
 *	env.c		what every thread shares (struct hubd_env): the
 *			routing slot, the protocol log directory in force
 *	conf.c, dirs.c	settings; the directories hubd makes and owns
 *	smtpd.c, pickup.c, rfc5322.c  intake, and the header, address
 *			and date rules both intakes apply
 *	commit.c	the group commit onto store/'s spool
 *	queue.c		the queue manager; queue_ctl.c its control verbs,
 *			both behind the private queue_int.h
 *	mta.c		the SMTP client; tls_policy.c what a connector
 *			requires and the verdict on what a host did; tls.c
 *			OpenSSL; io.c lines and deadlines; dns.c libunbound
 *	dsn.c		delivery status notifications
 *	control.c	the control socket and its table of operations
 *	probe.c		Test-SendConnector's probe of the next hops
 *	mtasts.c	MTA-STS (RFC 8461): the record, the policy and its
 *			mx patterns, the policy's fetch over HTTPS
 *	sts.c		the MTA-STS policy in force per domain: the cache
 *			(memory and spool), one fetch at a time, the refresh
 *	tlsrpt.c	TLS-RPT (RFC 8460): the sessions counted, the
 *			daily reports made and sent
 *	metrics.c	counters, and the Prometheus text on metrics-listen
 *	log.c		logging
 *
 * Only tls.c includes OpenSSL's ssl.h; everything else sees struct
 * tls_conn and the io.c line layer.  Only store/ speaks SQL.  The
 * connector choice and its snapshot are store/route.h's, which hubsh's
 * Test-SendConnector shares; no shell/ file includes this header.
 */
#ifndef HUBSH_TRANSPORT_H
#define HUBSH_TRANSPORT_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "ctl.h"
#include "route.h"
#include "store.h"

/* ------------------------------------------------------------------ */
/* conf.c: options and the optional configuration file. */

struct hubd_conf {
	char		*store_path;	/* connector store (as hubsh) */
	char		*key_file;	/* credential key; NULL: beside a file store */
	char		*server_name;	/* this transport server; NULL = host */
	char		*state_dir;	/* spool, pickup, logs */
	char		*listen;	/* "127.0.0.1:25" */
	char		*resolver;	/* "addr[:port]" or NULL = system */
	char		*trust_anchor;	/* DNSSEC; NULL: the system's root key */
	char		*ca_file;	/* trust store; NULL = system */
	char		*tls_cert;	/* server certificate for STARTTLS */
	char		*tls_key;
	char		*user;		/* drop privileges to this user */
	char		*hostname;	/* greeting / Received name */
	char		**relay_nets;	/* CIDRs allowed to relay */
	size_t		 nrelay_nets;
	bool		 foreground;
	bool		 log_stderr;
	int		 verbose;

	/* Intake limits. */
	int64_t		 max_message_size;	/* bytes */
	int		 max_recipients;
	int		 max_sessions;
	int		 max_sessions_per_client;
	int		 relay_reserved_sessions;	/* -1: max_sessions / 10 */
	int64_t		 max_data_memory;	/* bytes of DATA held at once */
	int		 command_timeout;	/* s, to read one command */
	int		 data_timeout;		/* s, for the whole DATA */

	/* Delivery (exchange-semantics 7.4 defaults). */
	int		 workers;
	int		 dest_concurrency;	/* sessions per next hop */
	int		 max_outbound;		/* sessions in all */
	int		 queue_max_idle;	/* s: QueueMaxIdleTime */
	int		 connect_timeout;	/* s */
	int		 transient_retry_count;
	int		 transient_retry_interval;	/* s */
	int		 outbound_retry_interval;	/* s */
	int		 message_retry_interval;	/* s: a 4xx reply */
	int		 delay_notification_timeout;	/* s */
	int		 message_expiration_timeout;	/* s */
	int		 reload_interval_ms;

	/*
	 * Transport settings kept in the store (Set-TransportService).  The
	 * retry, expiry and per-destination fields above are among them.
	 * hubd.c copies them here at start and at every reload; ints and
	 * bools are read without a lock (a stale value for one attempt is
	 * harmless).  The protocol log directory is a string: take it with
	 * env_protolog_dir().
	 */
	bool		 external_delay_dsn;
	bool		 tracking_enabled;
	bool		 tracking_subject;	/* log MessageSubject */
	int		 tracking_max_age;	/* s; 0 keeps forever */
	int		 protolog_max_age;	/* s; 0 keeps forever */
	int64_t		 protolog_max_file_size;	/* bytes; -1 none */
	int64_t		 protolog_max_dir_size;		/* bytes; -1 none */
	int		 pickup_max_header;	/* bytes of a file's header */
	int		 pickup_max_rcpts;	/* recipients of one file */
	int		 pickup_max_per_minute;	/* files taken a minute */

	/* Control channel. */
	char		*control_socket;
	char		*control_group;
	char		*control_listen;	/* TLS control: addr:port */
	char		*metrics_listen;	/* HTTP metrics: addr:port */
	char		*control_cert;	/* its certificate (tls-cert) */
	char		*control_key;
	char		*control_ca;	/* CA of the admins' certificates */

	/* Alerts (alert.c). */
	char		*alert_command;		/* run through /bin/sh */
	int		 alert_command_timeout;	/* s */
	char		*alert_webhook;		/* https:// URL */
	char		*alert_webhook_ca;	/* its trust store; NULL: system */
	int		 alert_webhook_timeout;	/* s, one try */
	int		 alert_recovery_time;	/* s under before recovered */
	int		 cert_watch_interval;	/* s between rounds; 0 off */
	int		 cert_watch_expiry_days; /* alert this close to expiry */
	int		 mta_sts_port;	/* MTA-STS policy fetches: 443 */
	int		 tlsrpt_period;	/* s: a TLS-RPT day (tests shorten it) */
	/* The server's thresholds (Set-TransportService), or ALERT_*. */
	int		 queue_alert_age;	/* s */
	int		 queue_alert_message_count;
};

void		 conf_defaults(struct hubd_conf *);
/* Set the setting called name (as the long option) from text. */
int		 conf_set(struct hubd_conf *, const char *name,
		     const char *value, char **cause);
/* The i-th setting's name, NULL past the end. */
const char	*conf_name(size_t);
/* The Set-TransportService parameter that replaced setting name, or NULL. */
const char	*conf_moved(const char *name);
int		 conf_load_file(struct hubd_conf *, const char *path,
		     char **cause);
/* Parse "1.2.3.4:25", "[::1]:25", "host:port"; port_default if absent. */
int		 conf_parse_hostport(const char *, char **host, int *port,
		     int port_default, char **cause);
/* Parse a "d.h:m:s" / "h:m:s" / "Ns" interval into seconds. */
int		 conf_parse_interval(const char *, int *secs, char **cause);
/* The same form written: "[d.]hh:mm:ss". */
void		 conf_format_interval(char *, size_t, int64_t secs);
void		 conf_free(struct hubd_conf *);

/* ------------------------------------------------------------------ */
/* log.c: syslog or stderr; never secrets. */

void		 log_init(bool to_stderr, int verbose);
void		 log_warnx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_info(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_debug(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 fatalx(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
/* An alert (LOG_ALERT): a queue in alarm or recovered. */
void		 log_alert(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

/*
 * Lines that a peer, a client or a full disk could repeat without end:
 * the first goes out, then at most one each secs seconds.
 */
struct log_limit {
	int		 secs;
	time_t		 last;		/* when one last went out; 0: never */
	uint64_t	 quiet;		/* held back since */
};
/* May a line go out now?  *quiet: how many were held back before it. */
bool		 log_limit(struct log_limit *, uint64_t *quiet);
/* Start again (the condition ended): the next line goes out at once. */
void		 log_limit_reset(struct log_limit *);

/* ------------------------------------------------------------------ */
/* dirs.c: hubd's directories, made when missing, never through a link. */

#define DIR_ADOPT	0x1	/* must belong to hubd's user; root's handed */

/* Open (making it, and its parents when at is AT_FDCWD) directory name. */
int		 dir_open(int at, const char *name, const char *shown,
		    const char *what, mode_t mode, uid_t uid, gid_t gid,
		    int flags, char **cause);

/* ------------------------------------------------------------------ */
/* tls.c: OpenSSL contexts, verification, name matching, session cache. */

/*
 * The oldest protocol that may carry mail that must be encrypted: TLS
 * 1.2, as the wire and OpenSSL number it (TLS1_2_VERSION).  tls.c sets
 * it as the floor of every server and every required client session;
 * tls_policy.c compares struct tls_info's proto with it.
 */
#define TLS_PROTO_FLOOR	0x0303

/* What the TLS layer must check, strongest last. */
enum tls_verify {
	TLS_VERIFY_NONE = 0,	/* opportunistic or EncryptionOnly */
	TLS_VERIFY_CHAIN,	/* CertificateValidation */
	TLS_VERIFY_NAME		/* DomainValidation: chain and a name */
};

/*
 * What tls.c checks for one host: the OpenSSL layer's share of a struct
 * tls_policy (tls_policy_client), plus what depends on the host (SNI,
 * the session cache key).  The policy itself, and the verdict on what
 * tls.c found, are tls_policy.c's.
 */
struct tlsa_set;
struct sts_policy;

struct tls_client_policy {
	enum tls_verify	  verify;
	bool		  required;	/* TLS_PROTO_FLOOR applies */
	const char *const *names;	/* DomainValidation patterns */
	size_t		  nnames;
	const char	 *sni;		/* server name to send, or NULL */
	const char	 *cache_key;	/* session cache key, or NULL */
	/* DANE: the host's TLSA records (NULL: none), and its names. */
	const struct tlsa_set *tlsa;
	const char	 *dane_base;	/* TLSA base domain: the host */
	const char	 *dane_name;	/* the next-hop domain, or NULL */
	/* MTA-STS: the MX host name the certificate must have, or NULL. */
	const char	 *sts_name;
};

/* What happened, for logs, tracking and Received. */
struct tls_info {
	int		 proto;		/* 0x0304 for TLS 1.3; 0: none */
	char		 version[16];	/* "TLSv1.3" */
	char		 cipher[64];	/* "TLS_AES_256_GCM_SHA384" */
	bool		 resumed;
	bool		 chain_ok;	/* chain verified against trust */
	bool		 expired;	/* the chain failed: a date passed */
	bool		 name_ok;	/* a policy name matched */
	bool		 dane;		/* TLSA records were given */
	int		 dane_usable;	/* of them, those OpenSSL can use */
	bool		 dane_ok;	/* a usable record matched the chain */
	bool		 dane_name_failed; /* DANE-TA matched, no name did */
	bool		 sts_name_ok;	/* sts_name is a name of the leaf */
	int		 dane_depth;	/* where (0: the leaf); -1 none */
	char		 dane_match[16]; /* "3 1 1": the record that did */
	char		 peer_cn[128];	/* certificate subject CN, for logs */
	char		 detail[160];	/* verification failure reason */
};

enum tls_result {
	TLS_OK = 0,
	TLS_HANDSHAKE_FAILED = -1,	/* no TLS session */
	TLS_VERIFY_FAILED = -2		/* session, but policy not met */
};

struct tls_ctx;
struct tls_conn;

/* Client context: ca_file NULL means the system trust store. */
int		 tls_client_ctx_create(struct tls_ctx **, const char *ca_file,
		     char **cause);
/* Server context for STARTTLS on the listener. */
int		 tls_server_ctx_create(struct tls_ctx **, const char *cert,
		     const char *key, char **cause);
/*
 * The control channel's context (control-listen): the server's
 * certificate, and a client certificate signed by ca_file required.
 */
int		 tls_control_ctx_create(struct tls_ctx **, const char *cert,
		     const char *key, const char *ca_file, char **cause);
void		 tls_ctx_free(struct tls_ctx *);
/*
 * Handshake on a connected fd as client and check the policy.  On
 * TLS_VERIFY_FAILED *connp is still set (the caller sends QUIT over it
 * and frees it); on TLS_HANDSHAKE_FAILED it is NULL.  info is always
 * filled as far as the handshake got.
 */
enum tls_result	 tls_client_start(struct tls_ctx *, int fd,
		     const struct tls_client_policy *, int timeout_ms,
		     struct tls_conn **connp, struct tls_info *info);
int		 tls_server_start(struct tls_ctx *, int fd, int timeout_ms,
		     struct tls_conn **, struct tls_info *, char **cause);
/*
 * Like read(2)/write(2) with a timeout bounding the whole call (< 0: none);
 * -1 on error or timeout (errno ETIMEDOUT).  tls_read returns 0 at the
 * end of the stream; tls_write writes everything or fails.
 */
ssize_t		 tls_read(struct tls_conn *, void *, size_t, int timeout_ms);
ssize_t		 tls_write(struct tls_conn *, const void *, size_t,
		     int timeout_ms);
/* Does the session hold decrypted bytes not read yet? */
bool		 tls_pending(struct tls_conn *);
/* The peer certificate's subject, printable (or "(none)"). */
void		 tls_conn_subject(struct tls_conn *, char *, size_t);
/* Close notify (best effort) and free; the fd stays open. */
void		 tls_conn_free(struct tls_conn *);
/* Drop every cached client session (reload, shutdown, tests). */
void		 tls_cache_clear(void);
/*
 * Exchange's certificate name rule (exchange-semantics 5.4): does the
 * pattern (TlsDomain or a derived name) match a certificate name?
 */
bool		 tls_name_match(const char *pattern, const char *certname);

/* One certificate of a peer's chain, for Test-SendConnector. */
struct tls_cert {
	char		*subject;	/* "CN=mx1.contoso.com, O=Contoso" */
	char		*issuer;
	int64_t		 not_before;	/* Unix ms */
	int64_t		 not_after;
};

/* The peer's certificate as a probe reports it (tls_conn_peer). */
struct tls_peer {
	struct tls_cert	 *chain;	/* as the peer sent it, leaf first */
	size_t		  nchain;
	char		**names;	/* leaf: SAN dNSNames, else the CN */
	size_t		  nnames;
	bool		  chain_ok;	/* verified against the trust store */
	char		  chain_error[160]; /* OpenSSL's reason, "" if ok */
	char		 *matched;	/* the pattern that matched, or NULL */
	/* The leaf's digests, upper-case hex ("" without a leaf). */
	char		  thumbprint[41];	/* SHA-1, as Exchange shows */
	char		  sha256[65];		/* the certificate's SHA-256 */
	char		  key_sha256[65];	/* its public key's (SPKI) */
};

/*
 * Describe the peer of an established client session: its chain, the
 * leaf's names, the trust store's verdict, and the first of the patterns
 * that matches the leaf by Exchange's rule (the rule tls_client_start
 * applies).  Printable ASCII only.  Clear with tls_peer_clear.
 */
void		 tls_conn_peer(struct tls_conn *, const char *const *patterns,
		     size_t npatterns, struct tls_peer *);
void		 tls_peer_clear(struct tls_peer *);

/* ------------------------------------------------------------------ */
/* tls_policy.c: a Send connector's TLS policy, and its verdict on what a
 * host did.  Pure: no I/O, no DNS, no OpenSSL, no clock.
 *
 * Words: the "policy" is struct tls_policy, what a connector requires of
 * every host of one destination; struct tls_client_policy (tls.c) is the
 * part of it the OpenSSL layer checks during one handshake. */

/*
 * Why a next hop took no mail, as queue health counts it (Get-Queue's
 * ConsecutiveFailures): fail_class_name() gives the name shown.
 */
enum fail_class {
	FAIL_NONE = 0,
	FAIL_CONNECT,		/* no connection, I/O error, timeout, DNS */
	FAIL_NO_STARTTLS,	/* TLS required, STARTTLS not offered */
	FAIL_STARTTLS_REFUSED,	/* STARTTLS answered with no 220 */
	FAIL_HANDSHAKE,		/* no TLS session, or one below the floor */
	FAIL_UNTRUSTED,		/* the chain did not verify */
	FAIL_EXPIRED,		/* the certificate has expired */
	FAIL_NAME,		/* no certificate name matched */
	FAIL_SMTP,		/* the host refused in SMTP */
	FAIL_TLSA_INVALID,	/* DANE: no usable TLSA record matched */
	FAIL_DNSSEC_INVALID,	/* DANE: the TLSA lookup failed or was bogus */
	FAIL_DANE_REQUIRED,	/* SmtpDaneMode Mandatory, no usable TLSA */
	FAIL_STS_MX,		/* MTA-STS enforce: the host is not its mx */
	FAIL_NCLASSES
};
const char	*fail_class_name(enum fail_class);

/*
 * The levels, ordered as Postfix's TLS_LEV_*, so that a test is a
 * comparison.  DANE sits between ENCRYPT and VERIFY, as in Postfix: it
 * demands TLS and a TLSA match, but no trust store; a connector's VERIFY
 * or SECURE under DANE stays its level, and demands both.
 */
enum tls_level {
	TLS_LEV_INVALID = -1,	/* settings that cannot be met: refuse */
	TLS_LEV_NONE = 0,	/* IgnoreSTARTTLS: never STARTTLS */
	TLS_LEV_MAY = 10,	/* opportunistic, the default */
	TLS_LEV_ENCRYPT = 20,	/* RequireTLS, BasicAuthRequireTLS */
	TLS_LEV_DANE = 30,	/* usable TLSA records: TLS and a match */
	TLS_LEV_VERIFY = 40,	/* CertificateValidation: the chain */
	TLS_LEV_SECURE = 50	/* DomainValidation: the chain and a name */
};

#define TLS_REQUIRED(l)		((l) >= TLS_LEV_ENCRYPT)
#define TLS_MUST_PKIX(l)	((l) >= TLS_LEV_VERIFY)
#define TLS_MUST_MATCH(l)	((l) >= TLS_LEV_SECURE)

/* The texts of a host that failed a required policy. */
#define TLS_POLICY_REQUIRED	"451 5.7.3 STARTTLS is required to send mail"
#define TLS_POLICY_AUTH_TLS	"451 5.7.3 Require STARTTLS to do basic " \
				"authentication"
#define TLS_POLICY_CERT_FAIL	"454 4.7.5 Certificate validation failure"

/*
 * The texts of a host that fails DANE: Exchange Online's, with a 4xx
 * code, since hubd retries until MessageExpirationTimeout.
 */
#define TLS_DANE_STARTTLS	"451 4.7.321 starttls-not-supported: " \
				"Destination mail server must support TLS " \
				"to receive mail."
#define TLS_DANE_TLSA		"454 4.7.323 tlsa-invalid: The domain " \
				"failed DANE validation"
#define TLS_DANE_DNSSEC		"451 4.7.324 dnssec-invalid: Destination " \
				"domain returned invalid DNSSEC records"
#define TLS_DANE_NAME		"454 4.7.325 certificate-host-mismatch: " \
				"Remote certificate MUST have a common name " \
				"or subject alternative name matching the " \
				"hostname (DANE)"
#define TLS_DANE_REQUIRED	"451 4.7.5 dane-required: SmtpDaneMode is " \
				"Mandatory and the host has no usable " \
				"DNSSEC-signed TLSA records"

/* What a host's DNS says for DANE (mta.c looks it up). */
enum tls_dane {
	TLS_DANE_NONE,		/* no DNSSEC-signed TLSA records */
	TLS_DANE_RECORDS,	/* signed TLSA records, usable or not */
	TLS_DANE_FAILED		/* the lookup failed or was bogus */
};

#define TLS_STS_MX		"451 4.7.5 mta-sts: %s is not an MX host " \
				"the MTA-STS policy of %s allows"
#define TLS_STS_WEBPKI		"454 4.7.5 sts-webpki-invalid: the " \
				"certificate of %s does not verify " \
				"(MTA-STS policy of %s)"
#define TLS_STS_NAME		"454 4.7.5 certificate-host-mismatch: no " \
				"name of the certificate is %s (MTA-STS " \
				"policy of %s)"

/*
 * What one host of the destination publishes besides the connector
 * (DANE, MTA-STS); tls_policy_host raises the connector's policy by it.
 */
struct tls_policy_ext {
	int			 dane_mode;	/* enum sc_dane_mode */
	enum tls_dane		 dane;
	const struct tlsa_set	*tlsa;		/* TLS_DANE_RECORDS */
	const char		*host;		/* the host: TLSA base domain */
	const char		*domain;	/* the next-hop domain, or NULL */
	/* MTA-STS: the policy domain's (testing or enforce), or NULL. */
	const struct sts_policy	*sts;
	const char		*sts_domain;
	bool			 sts_match;	/* host is one of its mx */
};

struct tls_policy {
	enum tls_level	 level;
	const char	*label;		/* logs, tracking: "DomainValidation" */
	const char	*fail;		/* reply of a host without TLS */
	const char	*unverified;	/* reply of a session below the level */
	/*
	 * The names DomainValidation matches (TlsDomain, or the domain and
	 * *.domain): enforced at TLS_LEV_SECURE only, shown by the probe
	 * at any level.
	 */
	const char	*names[2];
	size_t		 nnames;
	char		*wild;		/* "*.<domain>" */
	int		 refuse_code;	/* level INVALID: 421 or 451 */
	char		 refuse[160];	/* and the reply, else "" */
	enum fail_class	 refuse_class;	/* and why, for queue health */
	/* DANE (tls_policy_host): usable TLSA records must match. */
	bool		 dane;
	bool		 dane_required;	/* SmtpDaneMode Mandatory */
	const struct tlsa_set *tlsa;
	const char	*dane_base;	/* the host */
	const char	*dane_name;	/* the next-hop domain, or NULL */
	/*
	 * MTA-STS (tls_policy_host): enforce demands a chain the trust
	 * store verifies and sts_host among the certificate's names;
	 * testing only has what would fail noted.
	 */
	bool		 sts;
	bool		 sts_raised;	/* the level is STS's, not the connector's */
	bool		 sts_testing;
	bool		 sts_match;	/* the host is one of the policy's mx */
	const char	*sts_host;
	const char	*sts_domain;
};

/* How far a host's STARTTLS exchange got when a decision is asked. */
enum tls_at {
	TLS_AT_EHLO,		/* the EHLO reply: STARTTLS offered or not */
	TLS_AT_REPLY,		/* the reply to STARTTLS */
	TLS_AT_ABORT,		/* the server broke the exchange (injection) */
	TLS_AT_HANDSHAKE	/* the handshake and tls.c's checks */
};

/* What a host did, as far as it got. */
struct tls_facts {
	enum tls_at		 at;
	bool			 plain;		/* the plaintext pass */
	bool			 offered;	/* STARTTLS in the EHLO reply */
	bool			 client;	/* a client context to use */
	int			 reply;		/* code of the reply to STARTTLS */
	const char		*why;		/* TLS_AT_ABORT: what it did */
	enum tls_result		 result;	/* TLS_AT_HANDSHAKE: tls.c's */
	bool			 session;	/* a session, met or not */
	const struct tls_info	*info;		/* what tls.c found, or NULL */
};

enum tls_action {
	TLS_ACT_STARTTLS,	/* send STARTTLS */
	TLS_ACT_TLS,		/* go on inside TLS */
	TLS_ACT_PLAIN,		/* go on in plain text */
	TLS_ACT_FAIL		/* this host failed: the verdict says how */
};

enum tls_fail {
	TLS_FAIL_NONE,
	TLS_FAIL_POLICY,	/* a refusal of the policy: the next host */
	TLS_FAIL_NEGOTIATION	/* opportunistic STARTTLS failed: the next
				 * host, then a plaintext pass */
};

struct tls_verdict {
	enum tls_action	 action;
	enum tls_fail	 fail;
	enum fail_class	 class;		/* what went wrong, for queue health */
	bool		 quit;		/* the stream can still take QUIT */
	bool		 unverified;	/* a session, but below the level */
	int		 code;		/* of text; 0 if it is no reply */
	char		 text[320];	/* the host's failure */
};

/*
 * The policy of connector sc for mail to domain (no trailing dot; "" for
 * none).  -1: the settings cannot be met: level INVALID, refuse_code and
 * refuse hold the reply.
 * Clear with tls_policy_clear.
 */
int		 tls_policy_init(struct tls_policy *,
		     const struct send_connector *sc, const char *domain);
void		 tls_policy_clear(struct tls_policy *);
/*
 * The policy for one host: dest raised by what the host publishes (ext,
 * or NULL for nothing).  out shares dest's names and ext's records: it
 * lives no longer than they do and is never cleared.  -1: the host
 * cannot be used (out's refuse, refuse_code, refuse_class say why).
 */
int		 tls_policy_host(const struct tls_policy *dest,
		     const struct tls_policy_ext *ext, struct tls_policy *out);
/* The policy in words, for Test-SendConnector, refused or not. */
void		 tls_policy_words(const struct send_connector *,
		     const char *domain, char *out, size_t len);
/* What tls.c must check for it (verify, floor, names); no SNI, no key. */
void		 tls_policy_client(const struct tls_policy *,
		     struct tls_client_policy *);
/* The highest level a session meets (NONE: below TLS_PROTO_FLOOR). */
enum tls_level	 tls_level_met(int proto, bool chain_ok, bool name_ok);
/* What to do next with a host that did what facts say. */
enum tls_action	 tls_policy_decide(const struct tls_policy *,
		     const struct tls_facts *, struct tls_verdict *);

/* ------------------------------------------------------------------ */
/* io.c: a connected socket, plain or TLS, read by lines with timeouts. */

struct io {
	int		 fd;
	struct tls_conn	*tls;
	char		 rbuf[16384];
	size_t		 rlen;		/* bytes in rbuf */
	size_t		 roff;		/* next unread byte */
	int		 timeout_ms;	/* for each wait */
	int64_t		 deadline;	/* io_now_ms() for all; 0: none */
	struct buf	*trace;		/* protocol log, or NULL */
};

enum io_status {
	IO_OK = 0,
	IO_EOF = -1,
	IO_TIMEOUT = -2,
	IO_ERROR = -3,
	IO_TOOLONG = -4
};

/* Set up io over fd (made non-blocking); timeout_ms < 0 waits forever. */
void		 io_init(struct io *, int fd, int timeout_ms);
/* Free TLS and close the fd. */
void		 io_close(struct io *);
/*
 * Read one line (CRLF or LF stripped) of at most max bytes into line,
 * within timeout_ms for the whole line.  A longer line is consumed
 * through its LF and discarded: IO_TOOLONG, line empty, the next call
 * reads the next line.  On IO_EOF line holds any unterminated rest.
 */
enum io_status	 io_getline(struct io *, struct buf *line, size_t max);
/* Write everything; timeout_ms bounds each wait for the peer. */
enum io_status	 io_write(struct io *, const void *, size_t);
/* io_write that traces "> ****" instead of the data (AUTH). */
enum io_status	 io_write_secret(struct io *, const void *, size_t);
enum io_status	 io_printf(struct io *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* Bytes already read from the peer but not consumed. */
size_t		 io_pending(const struct io *);
/* Drop buffered input (STARTTLS: nothing from before TLS survives). */
void		 io_discard(struct io *);
/* Connect to addr with a timeout, from source (NULL = any). */
int		 io_connect(const struct sockaddr *, socklen_t,
		     const struct sockaddr *source, socklen_t,
		     int timeout_ms, char **cause);
/* A listening TCP socket on host:port ("" or "*": any); what names it. */
int		 io_listen(const char *what, const char *host, int port,
		     int backlog, char **cause);
/* The same for a setting "host:port"; port_default 0: a port is needed. */
int		 io_listen_at(const char *what, const char *listen,
		     int port_default, int backlog, char **cause);
/* Monotonic milliseconds; a deadline timeout_ms from now; ms left. */
int64_t		 io_now_ms(void);
int64_t		 io_deadline(int timeout_ms);
int		 io_remaining(int64_t deadline);

/*
 * A background thread's sleep that hubd's stop cuts short (the
 * certificate watch, the MTA-STS refresher, the TLS-RPT reporter).
 * stopping is also read without the lock, by loops that give up early.
 */
struct nap {
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	volatile bool	 stopping;
};
#define NAP_INITIALIZER \
	{ PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false }

/* Sleep secs, or until Unix time t; false once nap_stop was called. */
bool		 nap_for(struct nap *, int secs);
bool		 nap_until(struct nap *, int64_t t);
void		 nap_stop(struct nap *);

/* The calling thread's name, as ps -L shows it (15 characters). */
void		 thread_name(const char *);

/* ------------------------------------------------------------------ */
/* dns.c: MX and address lookups through libunbound. */

/*
 * How the DNS answers behind a hop were validated: not at all (no trust
 * anchor, or an address literal), insecure (no chain of trust reaches
 * them), or secure (the MX answer, when there was one, and the address
 * answer both validated).  A bogus answer gives no hop at all.
 */
enum dns_sec {
	DNSSEC_NONE = 0,
	DNSSEC_INSECURE,
	DNSSEC_SECURE
};
const char	*dns_sec_name(enum dns_sec);

/* One address to try, in order. */
struct hop {
	char			*name;		/* MX host or smart host */
	int			 pref;		/* MX preference, or order */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	enum dns_sec		 sec;
	enum dns_sec		 host_sec;	/* the address answer alone */
};

struct hop_list {
	struct hop	*v;
	size_t		 n;
};

enum dns_status {
	DNS_OK = 0,
	DNS_NULLMX,		/* RFC 7505: the domain takes no mail */
	DNS_NXDOMAIN,		/* the domain does not exist */
	DNS_NOHOST,		/* no MX and no address */
	DNS_TEMPFAIL,		/* SERVFAIL, timeout: try later */
	DNS_BOGUS		/* DNSSEC validation failed: try later */
};

struct dns;

/*
 * resolver "addr[:port]" forwards there; NULL uses /etc/resolv.conf.
 * trust_anchor: a file of DS or DNSKEY records (zone file format) that
 * DNSSEC validation starts from, or NULL for none (no validation).
 */
int		 dns_create(struct dns **, const char *resolver,
		     const char *trust_anchor, char **cause);
void		 dns_free(struct dns *);
/*
 * The hosts to try for mail to domain, each with its addresses, port set:
 * MX in preference order, equal preferences shuffled, implicit MX when
 * there is no MX.  Thread-safe.
 */
enum dns_status	 dns_mx(struct dns *, const char *domain, int port,
		     struct hop_list *, char **cause);
/* The addresses of one host (A and AAAA), port set. */
enum dns_status	 dns_host(struct dns *, const char *host, int port,
		     struct hop_list *, char **cause);
void		 hop_list_clear(struct hop_list *);

/* One TLSA record (RFC 6698) as DNS gave it; usable or not is tls.c's. */
struct tlsa_rr {
	uint8_t		 usage;		/* 2 DANE-TA, 3 DANE-EE */
	uint8_t		 selector;	/* 0 certificate, 1 public key */
	uint8_t		 mtype;		/* 0 full, 1 SHA2-256, 2 SHA2-512 */
	unsigned char	*data;
	size_t		 len;
};

struct tlsa_set {
	struct tlsa_rr	*v;
	size_t		 n;
};

/*
 * The TLSA records of _port._tcp.host: DNS_OK with at least one record
 * whose answer validated; DNS_NOHOST for none (no records, or an answer
 * that is not secure); DNS_BOGUS or DNS_TEMPFAIL (with *cause) when the
 * lookup failed.  Clear with tlsa_set_clear.
 */
enum dns_status	 dns_tlsa(struct dns *, const char *host, int port,
		     struct tlsa_set *, char **cause);
void		 tlsa_set_clear(struct tlsa_set *);
/*
 * Append the record as it is presented ("3 1 1 HEX", upper case), at
 * most max bytes of its data (then "..."), 0: all of it.
 */
void		 tlsa_rr_text(struct buf *, const struct tlsa_rr *, size_t max);
/*
 * The TXT records of name, each record's strings joined: DNS_OK with at
 * least one, DNS_NOHOST for none, DNS_BOGUS or DNS_TEMPFAIL (with
 * *cause) when the lookup failed.  Free with strv_free.
 */
enum dns_status	 dns_txt(struct dns *, const char *name, char ***txts,
		     size_t *n, char **cause);

/* ------------------------------------------------------------------ */
/* env.c: the environment every thread shares.  hubd.c fills it at
 * start (the process: options, privileges, reload, pruning) and puts each
 * new routing snapshot and protocol log directory in force. */

struct commit;
struct queue;
struct smtpd;
struct pickup;

struct hubd_env {
	struct hubd_conf	*conf;
	const char		*server;	/* transport server name */
	const char		*hostname;	/* greeting, Received, EHLO */
	char			*spool_path;	/* <state-dir>/queue.db */
	char			*pickup_dir;	/* <state-dir>/pickup */
	char			*log_dir;	/* <state-dir>/log */
	struct tls_ctx		*tls_client;
	struct tls_ctx		*tls_server;	/* NULL: no STARTTLS offered */
	struct dns		*dns;
	struct commit		*commit;
	struct queue		*queue;

	/* The routing snapshot in force: take it with env_routes(). */
	struct route_slot	 routes;
};

/* The process's one environment (never NULL). */
extern struct hubd_env	*env;

/* The current routing snapshot, referenced (route_table_unref it). */
struct route_table *env_routes(void);
/* The SmtpSend protocol log directory in force (caller frees). */
char		*env_protolog_dir(void);
/*
 * Put dir (copied) in force as the SmtpSend protocol log directory.
 * false when it was in force already; else true and *was, the one it
 * replaces (caller frees), or NULL when it is the first.
 */
bool		 env_protolog_set(const char *dir, char **was);
/* Drop the routing snapshot and the protocol log directory (shutdown). */
void		 env_clear(void);

/* ------------------------------------------------------------------ */
/* protolog.c: the SmtpSend protocol log (SEND<yyyymmdd>[-<n>].log). */

/* Append a session's trace (plog, emptied) for connector and domain. */
void		 protolog_write(const char *connector, const char *domain,
		     struct buf *plog);
/* Delete by SendProtocolLogMaxAge, then SendProtocolLogMaxDirectorySize. */
void		 protolog_prune(void);

/* ------------------------------------------------------------------ */
/* commit.c: group commit.  One thread owns the spool's write connection
 * and runs every job posted to it, many per transaction, one disk sync
 * per transaction. */

/* A job: runs inside a savepoint of the group transaction. */
typedef int	(*commit_fn)(struct spool *, void *arg, char **cause);

int		 commit_start(struct commit **, const char *spool_path,
		     char **cause);
/*
 * Run fn in the next group and wait until that group is durable (0), or
 * until fn or the commit failed (-1, *cause set; nothing of fn stays).
 */
int		 commit_run(struct commit *, commit_fn, void *arg,
		     char **cause);
/* Stop after the jobs already posted; joins the thread. */
void		 commit_stop(struct commit *);

/* ------------------------------------------------------------------ */
/* queue.c: messages in memory, delivery queues, retries, reports.  The
 * scheduler thread owns the queues; workers run SMTP client sessions. */

int		 queue_start(struct queue **, char **cause);
/*
 * Intake: make msg and its body durable (group commit), log RECEIVE and
 * queue it for delivery.  Returns 0 only once the message is on disk: the
 * caller may then say 250.  On success msg belongs to the queue (it may
 * be delivered and freed at once: do not touch it) and *idp is its
 * spool id; on failure the caller still owns msg.
 */
int		 queue_accept(struct queue *, struct spool_msg *,
		     const char *body, size_t len, int64_t *idp,
		     char **cause);
/* The connector store changed: new snapshot in env; route again. */
void		 queue_reroute(struct queue *);
/* Stop taking work, let deliveries in flight finish, join threads. */
void		 queue_stop(struct queue *);

/* ------------------------------------------------------------------ */
/* control.c: the control channel (common/ctl.h) for hubsh. */

struct control;

/*
 * Bind the socket at path (before privileges are dropped): mode 0660,
 * owned by user (NULL: unchanged) and group (NULL or unknown: hubd's
 * own group only).  A stale socket is replaced; a live hubd on it is an
 * error.
 */
int		 control_bind(struct control **, const char *path,
		     const char *user, const char *group, char **cause);
/*
 * Also listen on listen (addr:port) for TLS connections (before
 * privileges are dropped).  ctx (tls_control_ctx_create) requires a
 * client certificate; the control channel owns it from here on.
 */
int		 control_listen_tls(struct control *, const char *listen,
		     struct tls_ctx *ctx, char **cause);
/* Start answering (a thread per connection, bounded). */
int		 control_start(struct control *, char **cause);
/* Stop answering, wait for requests in progress, unlink the socket. */
void		 control_stop(struct control *);

/*
 * An operation of the control channel, as control.c's table runs it:
 * answer req with result records appended to out (ctl_encode, not last)
 * or, for an answer too long to build (op track), on the connection fd
 * itself, status record included.  arg is the table row's (suspend 1,
 * resume 0).  0 done; 1 refused, with *category and *message for the
 * status record (ctl_refuse; the caller frees them).
 */
typedef int	 control_fn(const struct ctl_rec *req, int arg, int fd,
		     struct buf *out, char **category, char **message);

/* ------------------------------------------------------------------ */
/* queue_ctl.c: the queue and message operations of the control channel
 * (Get-Queue, Get-Message and the verbs on them), on env->queue. */

control_fn	 queue_ctl_get_queue;
control_fn	 queue_ctl_get_message;
control_fn	 queue_ctl_retry;
control_fn	 queue_ctl_suspend_queue;	/* arg 1 suspend, 0 resume */
control_fn	 queue_ctl_suspend_message;	/* arg 1 suspend, 0 resume */
control_fn	 queue_ctl_remove_message;

/* ------------------------------------------------------------------ */
/* probe.c: Test-SendConnector's live check of a connector's next hops. */

/*
 * For req's connector (by name, from the routing snapshot in force) and
 * recipient domain: resolve the next hops as a delivery would, then for
 * each address connect, EHLO, STARTTLS when offered, EHLO again and
 * QUIT, never sending mail; record what the peer offered, the TLS
 * session, the certificate chain and names, and the verdict of the
 * connector's policy (RequireTLS, TlsAuthLevel, TlsDomain) with the
 * response a delivery would get.  One result record per hop, appended
 * to out.  0 done (whatever the hops said); 1 refused (no such
 * connector...), with *category and *message.
 */
int		 probe_ctl(const struct ctl_rec *req, struct buf *out,
		     char **category, char **message);

/* ------------------------------------------------------------------ */
/* smtpd.c: the ESMTP listener and its sessions (intake). */

/* Bind the listener (before privileges are dropped). */
int		 smtpd_bind(struct smtpd **, const char *listen, char **cause);
/* Start accepting; one thread per session, at most max_sessions. */
int		 smtpd_start(struct smtpd *, char **cause);
/* Stop accepting, wait for sessions to end (bounded), free. */
void		 smtpd_stop(struct smtpd *);
/* Is addr inside one of the configured relay networks? */
bool		 smtpd_relay_allowed(const struct sockaddr *);
/* A session on a connected fd, or a 421 and -1 when the limits say no. */
int		 smtpd_serve(struct smtpd *, int fd,
		     const struct sockaddr_storage *peer);
/* Sessions still running (the fuzzer waits for its one to end). */
int		 smtpd_sessions(struct smtpd *);

/* ------------------------------------------------------------------ */
/* rfc5322.c: mailbox syntax, the date, the header field scanner. */

/* Is addr a mailbox local@domain in RFC 5321 syntax (ASCII)? */
bool		 rfc5322_addr_valid(const char *addr);
/* Printable ASCII only, space included. */
bool		 rfc5322_printable(const char *);
/* t as an RFC 5322 date-time, local time, whatever the locale. */
void		 rfc5322_date(char *, size_t, time_t);

/* One header field, as found by rfc5322_hdr_next(). */
struct hdr_field {
	const char	*name;		/* not NUL-terminated */
	size_t		 namelen;
	const char	*value;		/* after the colon, folded, CRLF */
	size_t		 valuelen;
	size_t		 off;		/* the whole field, final CRLF too */
	size_t		 len;
};

/*
 * The next field of the CRLF header section h[0..len) at *pos: 0 and
 * *pos past it; 1 at the blank line or the end; -1 at a line that is not
 * a field.
 */
int		 rfc5322_hdr_next(const char *h, size_t len, size_t *pos,
		     struct hdr_field *);
/* The value unfolded and trimmed, controls as spaces (caller frees). */
char		*rfc5322_hdr_unfold(const struct hdr_field *);
/* Is f "TLS-Required: No" (RFC 8689 5; the value without case)? */
bool		 rfc5322_tls_required_no(const struct hdr_field *);

/* ------------------------------------------------------------------ */
/* pickup.c: the pickup directory (intake from files). */

int		 pickup_start(struct pickup **, const char *dir, char **cause);
void		 pickup_stop(struct pickup *);

/* ------------------------------------------------------------------ */
/* mta.c: the SMTP client.  One session goes to one destination (a
 * connector and a next-hop domain), tries its hosts in order with
 * failover, applies the connector's TLS policy, and sends one or more
 * messages. */

/* Where a session goes. */
struct mta_dest {
	const struct send_connector *sc;
	const char	*domain;	/* recipient domain (next hop) */
	struct buf	*protolog;	/* Verbose protocol log, or NULL */
	/*
	 * For messages that say "TLS-Required: No" (RFC 8689 5): what the
	 * destination publishes (DANE, MTA-STS) is set aside; the
	 * connector's own policy is not.
	 */
	bool		 relaxed;
};

/* How an attempt ended, for one recipient or the whole session. */
struct mta_status {
	int		 code;		/* SMTP basic code: 250, 451, 550 */
	char		 text[512];	/* full reply or Exchange-style text */
	enum fail_class	 class;		/* a session not opened: why */
};

/* TLS state of an open session, for tracking and logs. */
struct mta_tls {
	bool		 active;
	char		 version[16];
	char		 cipher[64];
	char		 verify[64];	/* "DomainValidation ok", "none" */
	char		 peer_cn[128];	/* the certificate's subject CN */
	char		 sts_testing[64]; /* MTA-STS testing: would fail */
};

struct mta_session;

/*
 * Open a session: resolve the hosts, connect, EHLO/HELO, STARTTLS as the
 * policy says, AUTH; fail over across hosts.  On failure *st tells why
 * (4xx: retry later; 5xx: fail the recipients).  Never plaintext when
 * the connector requires TLS.
 */
int		 mta_open(const struct mta_dest *, struct mta_session **,
		     struct mta_status *st);
/*
 * Send one message to rcpts (addresses); per-recipient results in
 * rst[i], whole-transaction result in *st.  Returns -1 when the session
 * is unusable afterwards (close it).
 */
int		 mta_send(struct mta_session *, const struct spool_msg *,
		     const char *body, size_t len, const char **rcpts,
		     size_t n, struct mta_status *rst, struct mta_status *st);
const struct mta_tls *mta_session_tls(const struct mta_session *);
/* The host:port the session is connected to ("127.0.0.1:2525"). */
const char	*mta_session_peer(const struct mta_session *);
/* How many messages this session has sent. */
int		 mta_session_count(const struct mta_session *);
/* Was it opened for "TLS-Required: No" messages (mta_dest relaxed)? */
bool		 mta_session_relaxed(const struct mta_session *);
/* QUIT (best effort) and free. */
void		 mta_close(struct mta_session *);

/* One address a session tries, in the order it tries them. */
struct mta_hop {
	char			*name;	/* host, or "[ip]" literal */
	bool			 literal;
	int			 pref;	/* MX preference; 0 for a smart host */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	bool			 tls_failed; /* STARTTLS did not work */
	enum dns_sec		 sec;	/* how its DNS answers validated */
	enum dns_sec		 host_sec; /* its address answer alone */
};

/* What mta_probe_hop found at one address (Test-SendConnector). */
struct mta_probe {
	char		 policy[256];	/* "RequireTLS, DomainValidation..." */
	char		 peer[64];	/* "ip:port" */
	bool		 connected;
	char		 error[512];	/* connect or protocol error, or "" */
	char		 banner[512];	/* the greeting, printable */
	bool		 starttls;	/* offered in the first EHLO */
	bool		 tls;		/* a TLS session was established */
	char		 version[16];	/* its protocol and cipher */
	char		 cipher[64];
	struct tls_peer	 cert;		/* the peer's chain, when tls */
	/* The level this session meets (names: TlsDomain, or the domain). */
	enum tls_level	 met;
	/* DANE: what DNS said ("Off", "NoRecords", "Records", "Failed"). */
	const char	*dane;
	char		**tlsa;		/* the records, "3 1 1 <hex>" */
	size_t		  ntlsa;
	char		 tlsa_match[16]; /* the one that matched, or "" */
	/* MTA-STS: the policy ("enforce, id X"), or "" for none. */
	char		 sts[96];
	char		**sts_mx;
	size_t		  nsts_mx;
	bool		  sts_allowed;	/* the host is among its mx */
	bool		 pass;		/* a delivery would go ahead here */
	char		 response[512];	/* its reply, or the TLS summary */
};

/*
 * The addresses a session for d would try, in order: the connector's
 * settings checked and the hosts resolved exactly as mta_open does.
 * p->policy gets the connector's TLS policy in words.  On -1 *hops is
 * NULL, p->response what a delivery would record and p->error why (the
 * lookup's reason, or the response).
 */
int		 mta_probe_hops(const struct mta_dest *, struct mta_hop **hops,
		     size_t *nhops, struct mta_probe *p);
void		 mta_hops_free(struct mta_hop *, size_t);
/*
 * Probe one address of mta_probe_hops as a delivery's attempt would go:
 * connect, greeting, EHLO, the connector's TLS policy (STARTTLS, EHLO
 * again, the same verdict), then QUIT; never AUTH or MAIL.  Every wait
 * ends by deadline (io_deadline).  Thread-safe; mta_probe_clear p.
 */
void		 mta_probe_hop(const struct mta_dest *, const struct mta_hop *,
		     int64_t deadline, struct mta_probe *p);
void		 mta_probe_clear(struct mta_probe *);
/* Probe hops[0..n) of d at once, against deadline, into res[0..n). */
void		 probe_hops(const struct mta_dest *, const struct mta_hop *,
		     size_t n, int64_t deadline, struct mta_probe *res);

/* ------------------------------------------------------------------ */
/* dsn.c: delivery status notifications (RFC 3464). */

enum dsn_action {
	DSN_FAILED,
	DSN_DELAYED,
	DSN_DELIVERED,
	DSN_RELAYED
};

struct dsn_rcpt {
	const char	*addr;		/* final recipient */
	const char	*orcpt;		/* ORCPT or NULL */
	const char	*status;	/* "5.7.3", "4.4.7" */
	const char	*diagnostic;	/* "451 4.4.0 Primary target ..." */
	const char	*remote_mta;	/* host or NULL */
	int64_t		 last_attempt;	/* Unix s or 0 */
	int64_t		 retry_until;	/* Unix s or 0 (delayed only) */
};

/*
 * Compose the report on msg for rcpts: a multipart/report message from
 * MAILER-DAEMON@reporting_mta to msg->sender, with a human-readable part
 * (Exchange-style text), the message/delivery-status part and the
 * original headers (or whole message without RET=HDRS) appended to out.
 */
void		 dsn_build(struct buf *out, enum dsn_action,
		     const struct spool_msg *msg, const char *body,
		     size_t len, const struct dsn_rcpt *, size_t nrcpts,
		     const char *reporting_mta, int64_t now,
		     char **message_id);

/* ------------------------------------------------------------------ */
/*
 * metrics.c: what the threads count, and the HTTP listener that shows it
 * with the queues' gauges (metrics-listen).
 */
struct metrics;

void		 metrics_accepted(const char *source);
void		 metrics_delivery(const char *outcome, const struct mta_tls *);
void		 metrics_conn_failure(enum fail_class);
void		 metrics_commit(int64_t usec);
void		 metrics_store_down(bool);
/* A label value, escaped as the text format wants. */
void		 metrics_label(struct buf *, const char *);
/* Bind (before privileges are dropped); *mp NULL when listen is unset. */
int		 metrics_listen(struct metrics **, const char *listen,
		     char **cause);
int		 metrics_start(struct metrics *, char **cause);
void		 metrics_stop(struct metrics *);
/* The gauges and counters of control.c and of the queues, for a scrape. */
void		 control_metrics(struct buf *);
void		 queue_metrics(struct queue *, struct buf *);

/* ------------------------------------------------------------------ */
/* alert.c: queue alarms, and alerts sent outside the mail path. */

/* One queue's alarm, as alarm_step() moves it. */
struct alarm {
	bool		 raised;
	int64_t		 started;	/* Unix s it was raised */
	int64_t		 under_since;	/* Unix s under again; 0: not */
};

enum alarm_change {
	ALARM_SAME,
	ALARM_RAISED,
	ALARM_RECOVERED
};

/* One second of an alarm: over, the queue is over a threshold now. */
enum alarm_change alarm_step(struct alarm *, bool over, int64_t now,
		     int hold);

enum alert_kind {
	ALERT_RAISED,		/* a queue is in alarm */
	ALERT_RECOVERED,	/* ... no more */
	ALERT_CERTIFICATE	/* the certificate watch found something */
};

/* What an alert says (alert_post() takes it). */
struct alert {
	enum alert_kind		 kind;
	char			*queue;		/* "SERVER\3" */
	char			*next_hop;
	char			*connector;	/* or NULL */
	const char		*fail_class;	/* fail_class_name(), or NULL */
	char			*last_error;	/* or NULL */
	int64_t			 message_count;
	int64_t			 oldest_age;	/* s */
	int			 age_threshold;	/* s, or ALERT_UNLIMITED */
	int			 count_threshold;
	int64_t			 started;	/* Unix s: the alarm's start */
	int64_t			 at;		/* Unix s: now */
	/* ALERT_CERTIFICATE: next_hop is the domain ("" for smart hosts). */
	char			*host;
	char			*address;
	unsigned		 findings;	/* CW_* */
	char			*subject, *issuer, *previous_issuer;
	char			*names, *thumbprint;
	int64_t			 not_after;	/* Unix s */
	TAILQ_ENTRY(alert)	 entry;
};

int		 alert_start(char **cause);
void		 alert_stop(void);
void		 alert_post(struct alert *);
void		 alert_free(struct alert *);
/* The alert in one line, and as the JSON object sent (caller frees). */
char		*alert_text(const struct alert *);
char		*alert_json(const struct alert *);
/*
 * s as a JSON string (null for NULL): JSON's escapes, and every byte
 * that is not well-formed UTF-8 as U+FFFD.
 */
void		 alert_json_str(struct buf *, const char *s);

/* One HTTPS POST (the alert webhook, TLS reports). */
struct https_post {
	const char	*what;		/* for the log: "alert webhook" */
	const char	*url;		/* https:// only */
	const char	*type;		/* its Content-Type */
	const void	*body;
	size_t		 len;
	const char	*ca_file;	/* trust store; NULL: the system's */
	int		 timeout;	/* s, one try */
	const volatile bool *stop;	/* give up once true */
};
/*
 * POST: no redirects, the peer verified; a transport error, 408, 429 or
 * 5xx tried again after 1 and 4 s.  0 on a 2xx answer, else -1 (logged,
 * naming the URL's host only).  Blocking.
 */
int		 https_post(const struct https_post *);

/* ------------------------------------------------------------------ */
/* certwatch.c: the partner certificate watch. */

/* What the watch alerts on: conditions, then changes. */
#define CW_EXPIRING	0x01	/* expires within cert-watch-expiry-days */
#define CW_TLSDOMAIN	0x02	/* its names do not satisfy TlsDomain */
#define CW_NOSTARTTLS	0x04	/* connected, no STARTTLS offered */
#define CW_ISSUER	0x08	/* another issuer than the last one's */
#define CW_KEY		0x10	/* another public key */
#define CW_ALL		0x1f

bool		 certwatch_wanted(const struct send_connector *);
unsigned	 certwatch_judge(const struct spool_cert *prev,
		     struct spool_cert *cur, bool tls_domain, bool name_ok,
		     int64_t now, int expiry_days);
const char	*certwatch_finding_name(unsigned bit);
int		 certwatch_start(char **cause);
void		 certwatch_stop(void);
/* The control channel's "op cert-watch": the spool's records. */
int		 certwatch_ctl(const struct ctl_rec *req, struct buf *out,
		     char **category, char **message);


/* ------------------------------------------------------------------ */
/*
 * mtasts.c: MTA-STS (RFC 8461): the _mta-sts TXT record, the policy and
 * its mx patterns, and the policy's fetch over HTTPS.  No logging: each
 * failure comes back as a cause for the caller to log.
 */

#define STS_ID_MAX	32		/* characters of a record's id */
#define STS_MX_MAX	64		/* mx patterns of one policy */
#define STS_MAX_AGE_MAX	31557600	/* s: the longest max_age */
#define STS_BODY_MAX	65536		/* bytes of a policy */
#define STS_TIMEOUT_MS	10000		/* a fetch, by default */
#define STS_CONNECT_MS	5000		/* its connection */

/* What a policy asks for, weakest first. */
enum sts_mode {
	STS_MODE_NONE,		/* the policy is withdrawn */
	STS_MODE_TESTING,	/* check and report, deliver anyway */
	STS_MODE_ENFORCE	/* only to matching MX hosts, verified */
};

struct sts_policy {
	enum sts_mode	 mode;
	int64_t		 max_age;	/* s, 0 to STS_MAX_AGE_MAX */
	char		**mx;		/* lower case, no final dot */
	size_t		 nmx;
};

/*
 * The id of one _mta-sts TXT record (its character-strings joined): 0,
 * or -1 when txt is not a valid STSv1 record.  idlen: at least
 * STS_ID_MAX + 1.
 */
int		 sts_record_parse(const char *txt, char *id, size_t idlen);
/*
 * The id from every record of the _mta-sts RRset: 0 when exactly one
 * begins with v=STSv1 and it is valid; -1 and *cause otherwise (none,
 * several, or the one invalid: the domain has no policy).
 */
int		 sts_record_pick(const char *const *txts, size_t n, char *id,
		     size_t idlen, char **cause);
/*
 * Parse a policy body (len bytes, NUL bytes refused) into p, 0; or -1
 * and *cause saying what was wrong, with p empty.  sts_policy_clear p.
 */
int		 sts_policy_parse(const char *body, size_t len,
		     struct sts_policy *p, char **cause);
void		 sts_policy_clear(struct sts_policy *);
/* Does host (any case, final dot or not) match one of p's mx patterns? */
bool		 sts_mx_match(const struct sts_policy *p, const char *host);
/* "enforce", "testing", "none"; and back: 0, or -1 for another name. */
const char	*sts_mode_name(enum sts_mode);
int		 sts_mode_from_name(const char *, enum sts_mode *);

/* How a fetch ended. */
enum sts_fetch_status {
	STS_FETCH_OK,		/* 200, text/plain, at most STS_BODY_MAX */
	STS_FETCH_ERROR,	/* no answer: name, connection, timeout,
				   handshake, or a local failure */
	STS_FETCH_CERT,		/* the certificate is not trusted or not
				   valid for mta-sts.<domain> */
	STS_FETCH_REDIRECT,	/* a 3xx: never followed */
	STS_FETCH_HTTP,		/* another status than 200 */
	STS_FETCH_TYPE,		/* not text/plain */
	STS_FETCH_TOO_LARGE	/* more than STS_BODY_MAX bytes */
};

struct sts_fetch_opts {
	const char	*ca_file;	/* trust store; NULL: the system's */
	/*
	 * The address (IPv4 or IPv6 literal) to connect to for
	 * mta-sts.<domain>, from hubd's resolver; NULL: libcurl resolves.
	 * The URL, SNI and the certificate check keep the name.
	 */
	const char	*connect_addr;
	int		 port;		/* HTTPS port; 0: 443 */
	int		 timeout_ms;	/* 0: STS_TIMEOUT_MS */
	int		 connect_ms;	/* 0: STS_CONNECT_MS (at most the
					   whole fetch's) */
	const volatile bool *stop;	/* give up once true; NULL: never */
};

/*
 * GET https://mta-sts.<domain>/.well-known/mta-sts.txt (domain lower
 * case, no final dot) into body (emptied first): STS_FETCH_OK, or
 * another status with *cause, body empty.  Blocking; thread-safe once
 * curl_global_init() has run (hubd runs it at start).  Goes nowhere
 * but where opts say; never follows a redirect.
 */
enum sts_fetch_status sts_fetch(const char *domain,
		     const struct sts_fetch_opts *opts, struct buf *body,
		     char **cause);
/* "OK", "FetchError", "CertificateInvalid", "Redirect", "HttpStatus"... */
const char	*sts_fetch_status_name(enum sts_fetch_status);

/* ------------------------------------------------------------------ */
/* sts.c: the MTA-STS policy in force for a domain (cache, fetch, refresh). */

/* What a session is to enforce for a policy domain. */
struct sts_view {
	bool			 have;	/* a policy: testing or enforce */
	char			 id[STS_ID_MAX + 1];
	struct sts_policy	 pol;	/* a copy: mode, mx patterns */
	int64_t			 expires;	/* Unix s */
	bool			 fetched;	/* fetched for this lookup */
	char			 why[256];	/* no policy, or a failed fetch */
};

/* Load the cache from the spool and start the refresher. */
int		 sts_start(char **cause);
void		 sts_stop(void);
/*
 * The policy of domain (lower case, no final dot), fetched when it is
 * new, changed or expired; waits for a fetch of the same domain under
 * way.  Thread-safe.  Clear with sts_view_clear.
 */
void		 sts_get(const char *domain, struct sts_view *);
void		 sts_view_clear(struct sts_view *);
/* op mta-sts (ctl.h): the cached policies, by domain. */
int		 sts_ctl(const struct ctl_rec *req, struct buf *out,
		     char **category, char **message);

/* ------------------------------------------------------------------ */
/*
 * tlsrpt.c: TLS-RPT (RFC 8460).  Each attempt with one host that got as
 * far as the TLS policy is counted per period, policy domain and policy;
 * a thread flushes the counts into the spool each minute and, once a
 * period has ended, sends each policy domain that publishes _smtp._tls
 * its report (https: POST, mailto: a message hubd queues itself).
 */

#define TLSRPT_ROWS_MAX		4096	/* (period, domain, policy) held */
#define TLSRPT_DETAILS_MAX	16384	/* failure rows held */
#define TLSRPT_RUA_MAX		8	/* rua URIs of one record */
#define TLSRPT_RECORD_MAX	2048	/* bytes of one record */

/* One attempt, as mta.c saw it. */
struct tlsrpt_attempt {
	const char		*domain;	/* the policy domain */
	const char		*type;		/* "tlsa", "sts", ... */
	const char		*policy;	/* its lines, "\n" between */
	const char		*mx;		/* the sts mx patterns */
	const char		*result;	/* NULL: the policy was met */
	const struct sockaddr	*local;		/* NULL: not connected */
	socklen_t		 locallen;
	const struct sockaddr	*remote;
	socklen_t		 remotelen;
	const char		*mx_host;	/* the host's name */
};

/* RFC 8460 4.3's result type for a failure; NULL: not a TLS failure. */
const char	*tlsrpt_result(enum fail_class);
/* Is TLS-RPT on (Set-TransportService -TlsRptEnabled)? */
bool		 tlsrpt_enabled(void);
/* Count one attempt in the current period (thread-safe, bounded). */
void		 tlsrpt_note(const struct tlsrpt_attempt *);
/* The settings of the store: the switch, organization, contact. */
void		 tlsrpt_settings(bool enabled, const char *org,
		     const char *contact);
int		 tlsrpt_start(char **cause);
/* Stop the thread (before the queue: it queues reports). */
void		 tlsrpt_stop(void);
/* Flush what the last sessions counted (after the queue stopped). */
void		 tlsrpt_close(void);

/* The policy strings (lines, "\n" between; caller frees). */
char		*tlsrpt_sts_policy(const struct sts_policy *, char **mx);
char		*tlsrpt_tlsa_policy(const struct tlsa_set *);
/*
 * The rua URIs of one _smtp._tls TXT record (its strings joined): 0 and
 * *ruas (mailto: and https: only, at most TLSRPT_RUA_MAX; free with
 * strv_free), or -1 and *cause when txt is not a valid TLSRPTv1
 * record or names no URI hubd can use.
 */
int		 tlsrpt_record_parse(const char *txt, char ***ruas,
		     size_t *n, char **cause);
/* From the whole RRset: exactly one record must begin v=TLSRPTv1. */
int		 tlsrpt_record_pick(const char *const *txts, size_t ntxts,
		     char ***ruas, size_t *n, char **cause);

/* What a report says besides the counts. */
struct tlsrpt_meta {
	const char	*org;		/* organization-name */
	const char	*contact;	/* contact-info, or NULL */
	const char	*report_id;
	const char	*submitter;	/* the filename's, the mail's */
};
/* The report on d as RFC 8460 4.4's JSON, appended to out. */
void		 tlsrpt_json(struct buf *out, const struct tlsrpt_meta *,
		     const struct spool_tlsrpt_day *d);
/* gzip (RFC 1952) of in, appended to out: 0, or -1 and *cause. */
int		 tlsrpt_gzip(const void *in, size_t len, struct buf *out,
		     char **cause);
/* RFC 8460 5.1: "submitter!domain!begin!end!id.json.gz" (caller frees). */
char		*tlsrpt_filename(const struct tlsrpt_meta *,
		     const struct spool_tlsrpt_day *d);
/*
 * RFC 8460 5.3's message carrying the report gz (gzlen bytes) to the
 * addresses to[0..n), appended to out; *message_id its Message-ID.
 */
void		 tlsrpt_mail(struct buf *out, const struct tlsrpt_meta *,
		     const struct spool_tlsrpt_day *d, const char *from,
		     const char *const *to, size_t n, const void *gz,
		     size_t gzlen, int64_t now, char **message_id);

#endif
