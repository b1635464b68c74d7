/*
 * store.h - the hubsh connector store, the public header of store/ (with
 * route.h, routing over the store).
 *
 * store/ is the one module that speaks SQL.  The shell writes Send
 * connectors through this API and the transport reads them; both share one
 * SQLite file (WAL, busy timeout) safely, or one PostgreSQL database that
 * several transport servers share.  Callers exchange plain C structs and
 * never see a statement.
 *
 * Conventions: functions return 0 on success and -1 on failure, with a heap
 * string in *cause (caller frees) describing the failure.  Structs returned
 * belong to the caller and are released with the matching _free function,
 * which accepts NULL.  Writes happen inside store_begin()/store_commit(); a
 * failed cmdlet calls store_rollback() and the store is as it was.
 */
#ifndef HUBSH_STORE_H
#define HUBSH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA_VERSION	8

/* Usage type chosen at creation (New-SendConnector only). */
enum sc_usage {
	SC_USAGE_CUSTOM = 0,
	SC_USAGE_INTERNAL,
	SC_USAGE_INTERNET,
	SC_USAGE_PARTNER
};

/* TlsAuthLevel; values as in Exchange.  NONE prints blank ($null). */
enum sc_tls_auth {
	SC_TLSAUTH_NONE = 0,
	SC_TLSAUTH_ENCRYPTION_ONLY = 1,
	SC_TLSAUTH_CERTIFICATE_VALIDATION = 2,
	SC_TLSAUTH_DOMAIN_VALIDATION = 4
};

/* SmartHostAuthMechanism; values as in Exchange. */
enum sc_auth_mech {
	SC_AUTH_NONE = 0,
	SC_AUTH_BASIC = 2,
	SC_AUTH_BASIC_REQUIRE_TLS = 4,
	SC_AUTH_EXCHANGE_SERVER = 8,
	SC_AUTH_EXTERNAL_AUTHORITATIVE = 16
};

enum sc_protocol_logging {
	SC_PROTOLOG_NONE = 0,
	SC_PROTOLOG_VERBOSE = 1
};

enum sc_connector_type {
	SC_CONNTYPE_DEFAULT = 0,
	SC_CONNTYPE_XPREMISES = 1
};

/* ErrorPolicies flags; Default is 0. */
#define SC_ERRPOL_DOWNGRADE_DNS		4
#define SC_ERRPOL_DOWNGRADE_CUSTOM	8
#define SC_ERRPOL_UPGRADE_CUSTOM	16

/*
 * SmtpDaneMode (Exchange Online's, on Send connectors here): DANE when
 * the next hop publishes TLSA records (the default), DANE required of
 * every host, or never.
 */
enum sc_dane_mode {
	SC_DANE_OPPORTUNISTIC = 0,
	SC_DANE_MANDATORY = 1,
	SC_DANE_NONE = 2
};

/*
 * MtaStsMode (Exchange Online's, on Send connectors here): the MTA-STS
 * policy (RFC 8461) a recipient domain publishes is applied (the
 * default), or never looked up.
 */
enum sc_sts_mode {
	SC_STS_OPPORTUNISTIC = 0,
	SC_STS_NONE = 1
};

/* MaxMessageSize value meaning "unlimited". */
#define SC_SIZE_UNLIMITED	(-1)

/*
 * Queue alert thresholds (hubsh's QueueAlertAge, QueueAlertMessageCount):
 * a connector's may be unset, meaning the server's; either may be
 * Unlimited, meaning never.
 */
#define ALERT_SERVER		(-1)
#define ALERT_UNLIMITED		2147483647

/* One address space: [type:]domain[;cost]. */
struct sc_address_space {
	char	*type;		/* as typed: "smtp", "SMTP", "X400", ... */
	char	*domain;	/* "contoso.com", "*.contoso.com", "*" */
	int	 cost;		/* 1..100 */
};

struct sc_strlist {
	char	**v;
	size_t	  n;
};

/*
 * A Send connector with every Exchange 2019 property.  Strings that
 * Exchange shows as $null are NULL here.
 */
struct send_connector {
	char			 guid[37];	/* lower-case 8-4-4-4-12 */
	char			*name;
	int64_t			 when_created;	/* Unix seconds, UTC */
	int64_t			 when_changed;	/* Unix seconds, UTC */
	enum sc_usage		 usage;

	struct sc_address_space	*address_spaces;
	size_t			 n_address_spaces;
	char			*comment;	/* "" when empty */
	bool			 cloud_services_mail_enabled;
	enum sc_connector_type	 connector_type;
	int64_t			 connection_inactivity_timeout;	/* s */
	bool			 domain_secure_enabled;
	bool			 enabled;
	int			 error_policies;
	bool			 force_helo;
	char			*fqdn;
	bool			 frontend_proxy_enabled;
	bool			 ignore_starttls;
	bool			 is_scoped_connector;
	int64_t			 max_message_size;	/* bytes or -1 */
	int			 port;
	enum sc_protocol_logging protocol_logging_level;
	bool			 require_oorg;
	bool			 require_tls;
	enum sc_auth_mech	 smart_host_auth_mechanism;
	struct sc_strlist	 smart_hosts;	/* "host" or "[1.2.3.4]" */
	int			 smtp_max_messages_per_connection;
	char			*source_ip_address;	/* "0.0.0.0" default */
	struct sc_strlist	 source_transport_servers;
	enum sc_tls_auth	 tls_auth_level;
	char			*tls_certificate_name;
	char			*tls_domain;
	bool			 use_external_dns_servers_enabled;
	/* hubsh's alert thresholds: s and messages, or ALERT_*. */
	int			 queue_alert_age;
	int			 queue_alert_message_count;
	enum sc_dane_mode	 smtp_dane_mode;
	enum sc_sts_mode	 mta_sts_mode;

	/* AuthenticationCredential; both NULL when there is none. */
	char			*auth_username;
	char			*auth_password;	/* plaintext in memory only */
};

/* DNSRoutingEnabled is not stored: it is "SmartHosts is empty". */
#define SC_DNS_ROUTING(sc)	((sc)->smart_hosts.n == 0)

struct store;

/* store.c */
/* Resolve the store path: explicit, else $HUBSH_STORE, else the default. */
const char	*store_default_path(void);
char		*store_resolve_path(const char *explicit_path);
/*
 * Open (creating and migrating if needed) the store at path: a SQLite
 * file, created mode 0600, or a PostgreSQL database named by a libpq URI
 * (postgresql://user@host/db).  server_name is this transport server's
 * name (NULL: the short host name); it is recorded as a known server.
 */
int		 store_open(struct store **, const char *path,
		     const char *server_name, char **cause);
/* Does a location name a PostgreSQL database (postgresql://...)? */
bool		 store_location_is_pg(const char *);
/* The location as it may be printed: never a password (caller frees). */
char		*store_location_display(const char *);
/* "SQLite" or "PostgreSQL". */
const char	*store_backend_name(struct store *);
/*
 * The credential key file (store_crypt.c): by default "<file>.key" beside
 * a SQLite store, none for PostgreSQL, where every server is given the
 * same one; $HUBSH_KEY_FILE, then this, override it.
 */
void		 store_set_key_file(struct store *, const char *path);
void		 store_close(struct store *);
const char	*store_path(struct store *);
const char	*store_server_name(struct store *);
/*
 * A write transaction: it locks out every other writer until
 * store_commit or store_rollback, so what is read in it stays as read,
 * and each write is a savepoint of its own, undone alone when it fails.
 */
int		 store_begin(struct store *, char **cause);
bool		 store_in_txn(struct store *);
int		 store_commit(struct store *, char **cause);
void		 store_rollback(struct store *);
/*
 * Change signal: a counter bumped by every committed configuration
 * change.  Cheap enough to poll several times a second.
 */
int		 store_generation(struct store *, int64_t *gen, char **cause);
/*
 * Announced changes, for a reader that would rather wait than poll.
 * store_watch asks the store to announce every committed change, by
 * anyone (PostgreSQL: LISTEN): 0 when it will, 1 when this store cannot
 * (SQLite: poll the generation), -1 on failure.  Then store_watch_fd is
 * the descriptor that becomes readable when an announcement may have
 * come, or -1 while none can (the connection lost: poll until the next
 * operation connects again), and store_watch_changed reads what came,
 * without waiting: 1 for a change announced (or possibly missed while
 * reconnecting), 0 for none, -1 when the connection was lost.
 */
int		 store_watch(struct store *, char **cause);
int		 store_watch_fd(struct store *);
int		 store_watch_changed(struct store *);
/* 1 if the store has seen a transport server of that name, 0 if not. */
int		 store_server_known(struct store *, const char *name);

/*
 * The server registry: every transport server sharing the store, as its
 * hubd recorded itself.  A server only named by hubsh (--server) has no
 * FQDN, version, control endpoint or times.
 */
struct server_info {
	char		*name;
	char		*fqdn;		/* NULL: never started */
	char		*version;
	char		*control;	/* its control endpoint */
	int64_t		 first_seen;	/* Unix s */
	int64_t		 started;	/* 0: never */
	int64_t		 heartbeat;	/* 0: never */
};

/* hubd at start: this server's FQDN, version and control endpoint. */
int		 store_server_register(struct store *, const char *fqdn,
		     const char *version, const char *control, char **cause);
/* hubd while it runs: the heartbeat of this server, now. */
int		 store_server_heartbeat(struct store *, char **cause);
/* Every server, by name (case-insensitive); free with the next. */
int		 store_server_list(struct store *, struct server_info **,
		     size_t *, char **cause);
void		 server_info_free(struct server_info *, size_t);
int		 store_schema_version(struct store *);

/* store_crypt.c */
/*
 * Read the credential key ("<store>.key", made mode 0600 when missing)
 * into the store now, for a process about to lose the right to read the
 * file: hubd before it becomes --user.  The key is only ever read once.
 */
int		 store_key_preload(struct store *, char **cause);

/* store_connector.c */
/* Fill sc with a new connector's defaults for the usage type. */
void		 send_connector_init(struct send_connector *,
		     enum sc_usage, const char *local_server);
void		 send_connector_clear(struct send_connector *);
void		 send_connector_free(struct send_connector *);
struct send_connector *send_connector_dup(const struct send_connector *);
/* The same address spaces (type, space, cost) in the same order. */
bool		 send_connector_same_spaces(const struct send_connector *,
		     const struct send_connector *);
/* The same items in the same order (case-sensitive). */
bool		 sc_strlist_equal(const struct sc_strlist *,
		     const struct sc_strlist *);
void		 sc_strlist_add(struct sc_strlist *, const char *);
void		 sc_strlist_clear(struct sc_strlist *);

/* All connectors, ordered by name (case-insensitive). */
int		 store_connector_list(struct store *,
		     struct send_connector ***, size_t *, char **cause);
void		 store_connector_list_free(struct send_connector **, size_t);
/* Lookup by guid or name (case-insensitive); 0 found, 1 not found, -1. */
int		 store_connector_get(struct store *, const char *guid,
		     struct send_connector **, char **cause);
int		 store_connector_find(struct store *, const char *name,
		     struct send_connector **, char **cause);
/* Insert; assigns guid and timestamps. Fails on a duplicate name. */
int		 store_connector_insert(struct store *,
		     struct send_connector *, char **cause);
/*
 * Write the connector with sc->guid.  old is that connector as the caller
 * read it, or NULL: only the columns and child lists in which sc differs
 * from old are written, and when_changed; NULL writes every property.
 * What the caller did not change keeps the stored value, even if another
 * writer changed it after old was read.
 */
int		 store_connector_update(struct store *,
		     const struct send_connector *old, struct send_connector *,
		     char **cause);
int		 store_connector_delete(struct store *, const char *guid,
		     char **cause);

/*
 * store_transport.c - this server's transport settings (Get-TransportService
 * and Set-TransportService), kept in the store beside the connectors and
 * read by hubd at every reload.  Durations are seconds, sizes bytes.  A
 * server with no row has Exchange's defaults (exchange-semantics 7.4, and
 * for the rest the values a Mailbox server shows); the first Set writes
 * one.  Ranges are Exchange's and are checked by the shell; the store's
 * CHECK constraints repeat them.
 */
struct transport_settings {
	char		*server;			/* Name / Identity */
	int		 transient_failure_retry_count;	/* 6; 0..15 */
	int		 transient_failure_retry_interval; /* 300; 1..12 h */
	int		 outbound_connection_failure_retry_interval;
							/* 600; 1 s..20 d */
	int		 delay_notification_timeout;	/* 4 h; 1 s..30 d */
	int		 message_expiration_timeout;	/* 2 d; 5 s..90 d */
	/* 20; 1..2^31-1 */
	int		 max_per_domain_outbound_connections;
	bool		 external_delay_dsn_enabled;	/* true */
	bool		 message_tracking_log_enabled;	/* true */
	int		 message_tracking_log_max_age;	/* 30 d; 0 = keep */
	/* true */
	bool		 message_tracking_log_subject_logging_enabled;
	/* NULL: <state>/log/SmtpSend */
	char		*send_protocol_log_path;
	int		 send_protocol_log_max_age;	/* 30 d; 0 = keep */
	/* Bytes, -1 Unlimited; 1..999999999999999 */
	int64_t		 send_protocol_log_max_directory_size;	/* 250 MB */
	int64_t		 send_protocol_log_max_file_size;	/* 10 MB */
	int		 message_retry_interval;	/* 15 min; 1 s..1 d */
	int		 queue_max_idle_time;		/* 3 min; 5 s..1 h */
	/* 1000; 1..2^31-1, 2^31-1 stands for Unlimited */
	int		 max_outbound_connections;
	/* Bytes: 64 KB; 32768..2^31-1 */
	int		 pickup_directory_max_header_size;
	int		 pickup_directory_max_messages_per_minute; /* 100 */
	int		 pickup_directory_max_recipients_per_message; /* 100 */
	/* hubsh's: a queue's alarm thresholds, or ALERT_UNLIMITED */
	int		 queue_alert_age;		/* 1 h; 1 s.. */
	int		 queue_alert_message_count;	/* Unlimited */
	/* hubsh's: TLS-RPT (RFC 8460) reports, and what they say */
	bool		 tls_rpt_enabled;		/* false */
	char		*tls_rpt_organization_name;	/* NULL: the FQDN */
	char		*tls_rpt_contact_info;		/* NULL: none */
	int64_t		 when_changed;		/* Unix s; 0: never set */
};

/* Exchange's defaults for server (copied). */
void		 transport_settings_init(struct transport_settings *,
		     const char *server);
void		 transport_settings_clear(struct transport_settings *);
/*
 * The settings of server (NULL: store_server_name()): the stored row,
 * else the defaults with when_changed 0.  ts is overwritten, not freed.
 */
int		 store_transport_get(struct store *, const char *server,
		     struct transport_settings *, char **cause);
/*
 * Write the settings of ts->server (insert or replace), set
 * when_changed, and bump the generation: one transaction.
 */
int		 store_transport_set(struct store *,
		     struct transport_settings *, char **cause);

/*
 * spool.c - hubd's queue database (<state-dir>/queue.db), separate from the
 * connector store: accepted messages with their bodies, per-recipient
 * delivery state, and the message tracking log.  One struct spool is one
 * SQLite connection; use one per thread.  Writes are grouped by the
 * caller: spool_begin(), any number of writes, spool_commit(), so that one
 * disk sync covers many messages (group commit).  The file is WAL with
 * synchronous=FULL: a committed message survives kill -9 and power loss.
 * Readers on other connections see only committed data and never wait for
 * the writer.  Each write is atomic by itself; outside spool_begin() it is
 * a transaction (and a disk sync) of its own.  Nothing written since
 * spool_begin() is durable before spool_commit() returns 0; if it fails,
 * the whole group is gone and no job of it may be acknowledged.
 */
#define SPOOL_SCHEMA_VERSION	7

/* Recipient state in the spool. */
enum spool_rcpt_state {
	SPOOL_RCPT_QUEUED = 0,	/* to be delivered (or retried) */
	SPOOL_RCPT_SENT,	/* next hop said 250 */
	SPOOL_RCPT_FAILED	/* failed for good; DSN sent or not wanted */
};

/* DSN NOTIFY flags (RFC 3461); 0 means not given (default behaviour). */
#define SPOOL_NOTIFY_NEVER	0x01
#define SPOOL_NOTIFY_SUCCESS	0x02
#define SPOOL_NOTIFY_FAILURE	0x04
#define SPOOL_NOTIFY_DELAY	0x08

struct spool_rcpt {
	int64_t			 id;		/* assigned on insert */
	char			*addr;
	char			*orcpt;		/* ORCPT= or NULL */
	int			 notify;	/* SPOOL_NOTIFY_* */
	enum spool_rcpt_state	 state;
	int			 retry_count;
	int64_t			 next_attempt;	/* Unix s; 0 = now */
	char			*last_error;	/* NULL or SMTP reply text */
	bool			 delay_notified; /* delay DSN sent */
};

struct spool_msg {
	int64_t			 id;		/* assigned on insert */
	char			*sender;	/* "" for <> */
	char			*envid;		/* ENVID= or NULL */
	bool			 ret_hdrs;	/* RET=HDRS */
	int64_t			 received;	/* Unix s, UTC */
	int64_t			 size;		/* body bytes */
	char			*message_id;	/* Message-ID header or NULL */
	char			*subject;	/* Subject header or NULL */
	char			*source;	/* "SMTP", "PICKUP", "DSN" */
	char			*client_ip;	/* NULL for pickup */
	char			*client_helo;
	bool			 suspended;	/* Suspend-Message */
	bool			 requiretls;	/* MAIL FROM REQUIRETLS (RFC 8689) */
	bool			 tls_optional;	/* "TLS-Required: No", no REQUIRETLS */
	struct spool_rcpt	*rcpts;
	size_t			 nrcpts;
};

/*
 * One message tracking log record (exchange-semantics section 7.3).
 * event_id and source are required; the other strings may be NULL.
 */
struct track_rcpt {
	const char	*addr;
	const char	*status;	/* RecipientStatus, may be NULL */
};

struct track_event {
	int64_t			 timestamp_ms;	/* Unix ms, UTC */
	const char		*event_id;	/* RECEIVE, SEND, DEFER, ... */
	const char		*source;	/* SMTP, PICKUP, ROUTING, DSN */
	const char		*source_context; /* free text or NULL */
	int64_t			 internal_message_id; /* spool id */
	const char		*message_id;
	const char		*sender;
	const char		*message_subject;
	const char		*connector_id;	/* Send connector name */
	const char		*server_hostname;
	const char		*server_ip;
	const char		*client_hostname;
	const char		*client_ip;
	int64_t			 total_bytes;
	const char		*reference;
	const char		*tls_protocol;	/* "TLSv1.3" or NULL */
	const char		*tls_cipher;
	const char		*tls_verify;	/* e.g. "DomainValidation ok" */
	const struct track_rcpt	*rcpts;
	size_t			 nrcpts;
};

struct spool;

/*
 * Open the spool at path, creating it (mode 0600, directories 0700) and
 * migrating it as needed; refuses any other SQLite file.
 */
int		 spool_open(struct spool **, const char *path, char **cause);
/*
 * Open an existing spool read-only for queries: nothing is created,
 * migrated or written; another schema version is refused.
 */
int		 spool_open_readonly(struct spool **, const char *path,
		     char **cause);
void		 spool_close(struct spool *);
const char	*spool_path(struct spool *);
int		 spool_begin(struct spool *, char **cause);
int		 spool_commit(struct spool *, char **cause);
void		 spool_rollback(struct spool *);
/*
 * Savepoints inside spool_begin()/spool_commit(), so one failed job of a
 * group does not undo the others: spool_job_leave(ok=0) rolls back to it.
 * Jobs do not nest.  spool_job_leave() returns 0 when it did as asked, -1
 * when the job could not be kept (it is undone) or could not be undone.
 */
int		 spool_job_enter(struct spool *, char **cause);
int		 spool_job_leave(struct spool *, int ok, char **cause);

/*
 * Insert message, recipients (seq = array order) and body; fills in the
 * ids, and size from len.  The ids are final once spool_commit() succeeds.
 */
int		 spool_msg_insert(struct spool *, struct spool_msg *,
		     const void *body, size_t len, char **cause);
/*
 * Every message with a QUEUED recipient, by id, with all its recipients
 * (every state, in order) but not its body.  One consistent snapshot.
 */
int		 spool_msg_load(struct spool *, struct spool_msg ***,
		     size_t *, char **cause);
void		 spool_msg_free(struct spool_msg *);
void		 spool_msg_list_free(struct spool_msg **, size_t);
/*
 * The body (caller frees; a NUL follows the len bytes); 1 if the message
 * no longer exists.
 */
int		 spool_body_get(struct spool *, int64_t msg_id, char **body,
		     size_t *len, char **cause);
/*
 * Write back state, retry_count, next_attempt, last_error and
 * delay_notified of the recipient with r->id; fails if it is gone.
 */
int		 spool_rcpt_update(struct spool *, const struct spool_rcpt *,
		     char **cause);
/* Remove a message, its recipients and body; fails if it is gone. */
int		 spool_msg_delete(struct spool *, int64_t msg_id, char **cause);
int		 spool_track_add(struct spool *, const struct track_event *,
		     char **cause);
/*
 * Suspend (Suspend-Message) or resume a message: a suspended message is
 * kept but not delivered, expired or reported on until resumed.  The flag
 * survives restarts (spool_msg_load fills spool_msg.suspended).  Fails if
 * the message is gone.
 */
int		 spool_msg_suspend(struct spool *, int64_t msg_id,
		     bool suspended, char **cause);

/*
 * The queues in alarm, so that a restart neither alerts again for the
 * same alarm nor forgets to say when it ends.  key is the queue's own
 * ("<connector guid>|<domain>"); connector and next hop are kept for
 * the recovery alert of a queue that is gone by then.
 */
struct spool_alarm {
	char		*key;
	char		*connector;	/* or NULL */
	char		*next_hop;
	int64_t		 started;	/* Unix s */
};
int		 spool_alarm_set(struct spool *, const struct spool_alarm *,
		     char **cause);
int		 spool_alarm_clear(struct spool *, const char *key,
		     char **cause);
/* Every alarm, in the order raised; free with spool_alarm_list_free. */
int		 spool_alarm_load(struct spool *, struct spool_alarm **,
		     size_t *, char **cause);
void		 spool_alarm_list_free(struct spool_alarm *, size_t);

/*
 * What the certificate watch last saw at one next hop of a connector:
 * the probe's result, and the last certificate seen there (kept when a
 * later probe had no TLS).  findings: the conditions alerted on that
 * still hold (certwatch.c's CW_* bits).
 */
struct spool_cert {
	char		*connector_guid;
	char		*domain;	/* "" for a smart host */
	char		*host;
	char		*address;	/* "ip:port" */
	char		*connector;	/* its name when checked */
	int64_t		 checked;	/* Unix s */
	bool		 connected, starttls, tls;
	char		*subject, *issuer, *names;	/* names: ", " */
	int64_t		 not_before, not_after;		/* Unix s; 0 none */
	char		*thumbprint, *sha256, *key_sha256;
	char		*levels;	/* "EncryptionOnly, ..." or NULL */
	char		*result;	/* "Pass" or "Fail" */
	char		*error;		/* why it failed, or NULL */
	unsigned	 findings;
};
/* 1 found (c filled), 0 none, -1 failed. */
int		 spool_cert_get(struct spool *, const char *guid,
		     const char *domain, const char *host,
		     const char *address, struct spool_cert *, char **cause);
int		 spool_cert_put(struct spool *, const struct spool_cert *,
		     char **cause);
/* Every hop (of connector, when not NULL) to fn, which stops with != 0. */
int		 spool_cert_list(struct spool *, const char *connector,
		     int (*fn)(const struct spool_cert *, void *), void *,
		     char **cause);
/* Forget the hops not checked since before (Unix s). */
int		 spool_cert_prune(struct spool *, int64_t before,
		     char **cause);
void		 spool_cert_clear(struct spool_cert *);

/*
 * An MTA-STS policy kept for a domain (transport/mtasts.c), and the last
 * refresh that failed since it was fetched.  A domain whose first fetch
 * failed has the failure alone (id NULL).  A failure leaves the policy
 * as it was: until it expires it stays in force (RFC 8461 5.1).
 */
struct spool_sts {
	char		*domain;	/* lower case, no final dot */
	char		*id;		/* _mta-sts's id; NULL: none */
	char		*mode;		/* "enforce", "testing", "none" */
	char		**mx;		/* the patterns, in order */
	size_t		 nmx;
	int64_t		 max_age;	/* s, 0 to 31557600 */
	int64_t		 fetched;	/* Unix s */
	int64_t		 expires;	/* fetched + max_age */
	char		*failure;	/* the last refresh's, or NULL */
	int64_t		 failed;	/* its time, Unix s; 0: none */
};
/* 1 found (p filled), 0 none, -1 failed. */
int		 spool_sts_get(struct spool *, const char *domain,
		     struct spool_sts *p, char **cause);
/* A policy fetched (domain to fetched): replaces the row, failure too. */
int		 spool_sts_put(struct spool *, const struct spool_sts *,
		     char **cause);
/* A refresh failed at when; the policy, if any, stays as it is. */
int		 spool_sts_fail(struct spool *, const char *domain,
		     const char *failure, int64_t when, char **cause);
/* Every domain's row, by domain, to fn, which stops with != 0. */
int		 spool_sts_list(struct spool *,
		     int (*fn)(const struct spool_sts *, void *), void *,
		     char **cause);
/*
 * The domains whose policy expires before before (Unix s) and whose
 * refresh has not failed since failed_before, soonest first, at most
 * max (0: all): those to refresh now.  Free with strv_free.
 */
int		 spool_sts_due(struct spool *, int64_t before,
		     int64_t failed_before, size_t max, char ***domains,
		     size_t *n, char **cause);
/* Forget a domain's row: 0, or 1 when it had none. */
int		 spool_sts_delete(struct spool *, const char *domain,
		     char **cause);
/* Forget policies expired before before, and older lone failures. */
int		 spool_sts_prune(struct spool *, int64_t before,
		     char **cause);
void		 spool_sts_clear(struct spool_sts *);

/*
 * TLS-RPT (RFC 8460, transport/tlsrpt.c): the sessions of one reporting
 * period [begin, end) (Unix s) to one policy domain under one policy,
 * and the failures among them by kind and hosts.  policy and mx: lines
 * joined by "\n", "" for none.
 */
struct spool_tlsrpt_policy {
	char		*domain;	/* the policy domain, lower case */
	int64_t		 begin;
	int64_t		 end;
	char		*type;		/* "tlsa", "sts", "no-policy-found" */
	char		*policy;	/* the policy-string lines */
	char		*mx;		/* the mx-host patterns (sts) */
	int64_t		 success;
	int64_t		 failure;
};

struct spool_tlsrpt_failure {
	char		*domain;
	int64_t		 begin;
	char		*type;		/* of the policy it failed */
	char		*policy;
	char		*result;	/* "certificate-expired"... */
	char		*sending_ip;
	char		*mx_host;	/* receiving-mx-hostname */
	char		*receiving_ip;
	int64_t		 count;
};

/* One domain's period: what spool_tlsrpt_due lists, load fills. */
struct spool_tlsrpt_day {
	char				*domain;
	int64_t				 begin;
	int64_t				 end;
	struct spool_tlsrpt_policy	*pol;
	size_t				 npol;
	struct spool_tlsrpt_failure	*fail;
	size_t				 nfail;
};

/*
 * Add counts (increments) to a period's row; a period already reported
 * (spool_tlsrpt_reported) takes none: the call succeeds and adds nothing.
 */
int		 spool_tlsrpt_add(struct spool *,
		     const struct spool_tlsrpt_policy *, char **cause);
int		 spool_tlsrpt_fail_add(struct spool *,
		     const struct spool_tlsrpt_failure *, char **cause);
/* The (domain, period) pairs ended by before, oldest first: keys only. */
int		 spool_tlsrpt_due(struct spool *, int64_t before,
		     struct spool_tlsrpt_day **, size_t *n, char **cause);
/* Fill d's policies and failures (d's domain and begin set). */
int		 spool_tlsrpt_load(struct spool *, struct spool_tlsrpt_day *d,
		     char **cause);
/*
 * Report report_id on d made: d's counts are forgotten, and each rua
 * recorded with outcome "pending"; n 0 forgets the counts alone.
 */
int		 spool_tlsrpt_reported(struct spool *,
		     const struct spool_tlsrpt_day *d, const char *report_id,
		     const char *const *ruas, size_t n, int64_t at,
		     char **cause);
/* How the report went to rua. */
int		 spool_tlsrpt_outcome(struct spool *, const char *report_id,
		     const char *rua, const char *outcome, int64_t at,
		     char **cause);
/* Forget the reports on periods that ended before before. */
int		 spool_tlsrpt_prune(struct spool *, int64_t before,
		     char **cause);
void		 spool_tlsrpt_day_clear(struct spool_tlsrpt_day *);
void		 spool_tlsrpt_days_free(struct spool_tlsrpt_day *, size_t);

/*
 * Get-MessageTrackingLog.  Every filter is optional; the records that
 * match all of them, oldest first (timestamp_ms, then insertion order),
 * at most limit of them (0: all), are handed to fn one at a time.  The
 * event and its strings live only during the call.  fn returns 0 to go
 * on, non-zero to stop (spool_track_query then returns 0).  A read
 * transaction: a consistent snapshot, never waiting for the writer.
 */
struct track_query {
	int64_t		 start_ms;	/* >=; INT64_MIN: no bound */
	int64_t		 end_ms;	/* <, exclusive; INT64_MAX: none */
	const char	*sender;	/* exact, case-insensitive */
	const char	**recipients;	/* any of them, case-insensitive;
					   NULL items are skipped */
	size_t		 nrecipients;
	const char	*event_id;	/* exact, case-insensitive */
	const char	*message_id;	/* exact (with or without <>) */
	int64_t		 internal_message_id;	/* -1: any */
	const char	*subject;	/* substring, ASCII case folded;
					   NULL or "": any */
	const char	*connector_id;	/* exact, case-insensitive */
	const char	*reference;	/* exact (with or without <>),
					   case-insensitive */
	int64_t		 limit;		/* ResultSize; 0: Unlimited */
};

typedef int	(*track_fn)(const struct track_event *, void *arg);

struct ctl_rec;
/*
 * The event as the control channel's record (common/ctl.h, "op track"),
 * fields named as Get-MessageTrackingLog's properties, appended to r.
 */
void		 track_event_rec(const struct track_event *, struct ctl_rec *);

void		 track_query_init(struct track_query *);
int		 spool_track_query(struct spool *, const struct track_query *,
		     track_fn, void *arg, char **cause);
/*
 * Delete at most max (<= 0: no limit) tracking records older than
 * before_ms (oldest first), with their recipients; *deleted says how many
 * went.  Meant to run in small batches inside the writer's group
 * transaction; outside one it is a transaction of its own.
 */
int		 spool_track_prune(struct spool *, int64_t before_ms,
		     int64_t max, int64_t *deleted, char **cause);

#endif
