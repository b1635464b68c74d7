/*
 * cmd_sendconnector.c - New-, Set-, Get- and Remove-SendConnector.
 *
 * One file for the noun, as tmux's cmd-set-option.c: the four verbs share
 * the connector parameter table (SC_SHARED_PARAMS), the identity lookup
 * and the object builder.  The binder has already converted every argument
 * by its ptype; exec functions only apply typed values to a struct
 * send_connector, run Exchange's checks in Exchange's order and call the
 * store.  Every write is one transaction; on any failure the transaction
 * is rolled back and the store is as it was.
 *
 * Order of work in New and Set (exchange-semantics.md §1.4, §3):
 *   2010-only parameters, usage parameters (New), apply the arguments,
 *   DNS routing rules, RequireTLS/IgnoreSTARTTLS, non-SMTP address
 *   spaces, source servers, then ValidateWrite rules 1-10 (all reported,
 *   except that rule 9 stops rule 10), then ShouldProcess, the New
 *   -Enabled $false ShouldContinue prompt, and the write.
 *
 * Error records (category / reason; the reason is also the fqid base):
 *   identity not found		NotSpecified / ManagementObjectNotFoundException
 *   ValidateWrite, lengths	NotSpecified / DataValidationException
 *   duplicate name		NotSpecified / ADObjectAlreadyExistsException
 *   task checks (§1.4, §3.2)	InvalidOperation / InvalidOperationException
 *   usage conflict, 2010-only,	InvalidArgument / ArgumentException
 *   empty name
 *   the store failed		WriteError / StoreException
 * All are non-terminating: with pipeline input the next object goes on.
 *
 * Texts hubsh chose where the reference has none: the 2010-only parameter
 * error, the unknown-server warning, the empty-name error, the
 * ShouldContinue layout, and the store failure text.  A Set that changes
 * nothing writes Exchange's "no settings ... have been modified" warning
 * and does not write.
 */

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "extype.h"
#include "shell.h"
#include "store.h"
#include "xmalloc.h"

#define SC_TYPE_NAME \
    "Microsoft.Exchange.Data.Directory.SystemConfiguration." \
    "SmtpSendConnectorConfig"
#define SC_CLASS_BASE \
    "Microsoft.Exchange.Management.SystemConfigurationTasks."
#define SC_ROUTING_GROUP "Exchange Routing Group (DWBGZMFD01QNBJR)"

/*
 * Distinguished names.  Exchange keeps Send connectors under the legacy
 * routing group of the first administrative group; the two bracketed
 * names are the fixed ones every Exchange 2007+ organisation has.  hubsh
 * has one organisation, "First Organization" (the setup default), in the
 * forest hubsh.local.
 */
#define SC_DN_SUFFIX	",CN=Connections,CN=" SC_ROUTING_GROUP \
    ",CN=Routing Groups,CN=Exchange Administrative Group (FYDIBOHF23SPDLT)" \
    ",CN=Administrative Groups,CN=First Organization,CN=Microsoft Exchange" \
    ",CN=Services,CN=Configuration,DC=hubsh,DC=local"
#define SC_OBJECT_CATEGORY "hubsh.local/Configuration/Schema/" \
    "ms-Exch-Routing-SMTP-Connector"

/* .NET type names for binder messages. */
#define TN_CREDENTIAL	"System.Management.Automation.PSCredential"
#define TN_RECVID	"Microsoft.Exchange.Configuration.Tasks." \
    "ReceiveConnectorIdParameter"
#define TN_TLSAUTH	"Microsoft.Exchange.Data.TlsAuthLevel"
#define TN_AUTHMECH \
    "Microsoft.Exchange.Data.Directory.SystemConfiguration." \
    "SmtpSendConnectorConfig+AuthMechanisms"
#define TN_LOGLEVEL	"Microsoft.Exchange.Data.ProtocolLoggingLevel"
#define TN_ALERT_AGE	"Microsoft.Exchange.Data.Unlimited`1[" \
    "Microsoft.Exchange.Data.EnhancedTimeSpan]"
#define TN_ERRPOL	"Microsoft.Exchange.Data.ErrorPolicies"
#define TN_CONNTYPE	"Microsoft.Exchange.Data.TenantConnectorType"
#define TN_DANE		"Microsoft.Exchange.Data.SmtpDaneMode"
#define TN_STS		"Microsoft.Exchange.Data.MtaStsMode"
#define TN_USAGE	SC_CLASS_BASE "NewSendConnector+UsageType"

/* Messages (exchange-semantics.md §3). */
#define SC_MSG_NOTFOUND	"The operation couldn't be performed because object " \
    "'%s' couldn't be found on '%s'."
#define SC_MSG_EXISTS	"Active Directory operation failed on %s. The object " \
    "'%s' already exists."
#define SC_MSG_LEGACY	"The %s parameter is only available in Exchange " \
    "2010; hubsh implements Exchange 2016/2019 Send connectors."
#define SC_MSG_USAGE	"At most one of the following parameters can be " \
    "specified: -usage, -internet, -internal, -partner, -custom."
#define SC_MSG_DNSHOSTS	"You must not set the DNSRoutingEnabled parameter " \
    "to $true if smart hosts are used."
#define SC_MSG_DNSAUTH	"You must set the DNSRoutingEnabled parameter to " \
    "$false to be able to specify SmartHostAuthMechanism. "
#define SC_MSG_TLSBOTH	"RequireTLS and IgnoreTLS can't both be set."
#define SC_MSG_NONSMTP	"The address space '%s' isn't an SMTP address " \
    "space. Non-SMTP address spaces aren't allowed on Send connectors."
#define SC_MSG_NOSERVER	"You must specify at least one source server."
#define SC_MSG_DUPSERVER "The source Transport servers list contains the " \
    "duplicate server: '%s'."
#define SC_MSG_UNKNOWN	"The server '%s' isn't known to this store: no " \
    "transport server of that name has opened it yet."
#define SC_MSG_NONAME	"The Name parameter can't be empty."
#define SC_MSG_TOOLONG	"The length of the property is too long. The " \
    "maximum length is %d and the length of the value provided is %zu."
#define SC_MSG_NOCHANGE	"The command completed successfully but no " \
    "settings of '%s' have been modified."
#define SC_MSG_STORE	"The store operation failed: %s"

#define SC_RULE1	"Did you forget the address space? Please identify " \
    "the domains to which this Send connector routes mail. Click Add, and " \
    "then type the domain name. You can identify a specific domain, such " \
    "as contoso.com, or you can include all domains in the specified " \
    "address space."
#define SC_RULE2	"You must specify a smart host if you are not using " \
    "DNS to route mails."
#define SC_RULE3	" The SourceIPAddress cannot be configured to a " \
    "multicast or a broadcast address."
#define SC_RULE4	"Credentials must be provided if the authentication " \
    "mechanism is set to Basic Authentication or Basic Authentication " \
    "over TLS."
#define SC_RULE5	"The DomainSecureEnabled parameter can't be set to " \
    "$True unless the DNSRoutingEnabled parameter is also set to $True."
#define SC_RULE6	"The DomainSecureEnabled parameter can't be set to " \
    "$True if the IgnoreSTARTTLS parameter is set to $True."
#define SC_RULE7	"The TLSAuthLevel parameter can't be set if the " \
    "RequireTLS parameter is set to $false."
#define SC_RULE8	"The TLSAuthLevel parameter can't be set if the " \
    "DomainSecureEnabled parameter is set to $true."
#define SC_RULE9	"The TLSDomain parameter can only be set if the " \
    "TLSAuthLevel parameter is set to DomainValidation."
#define SC_RULE10	"The TLSAuthLevel parameter can't be set to " \
    "DomainValidation on a smarthost Send connector without specifying a " \
    "valid TLS domain in the TLSDomain parameter."

#define SC_DISABLE_QUERY "If your Exchange 2010 organization is also " \
    "running Exchange 2003, disabling this connector may cause routing " \
    "loops. Exchange 2003 will not recognize that this connector is " \
    "disabled and may continue to route messages to it."
#define SC_CONTINUE_PROMPT "[Y] Yes  [N] No (default is \"Y\"): "

#define SC_NAME_MAX	64	/* AD cn of a connector */
#define SC_CRED_MAX	256	/* each half of AuthenticationCredential */

enum sc_err {
	SC_ERR_NOTFOUND,
	SC_ERR_VALIDATION,
	SC_ERR_EXISTS,
	SC_ERR_TASK,
	SC_ERR_ARGUMENT,
	SC_ERR_STORE
};

static const struct {
	const char	*category;
	const char	*reason;
} sc_errs[] = {
	{ "NotSpecified", "ManagementObjectNotFoundException" },
	{ "NotSpecified", "DataValidationException" },
	{ "NotSpecified", "ADObjectAlreadyExistsException" },
	{ "InvalidOperation", "InvalidOperationException" },
	{ "InvalidArgument", "ArgumentException" },
	{ "WriteError", "StoreException" }
};

/* A value made from a number, kept while the number repeats: sc_memo. */
struct sc_memo {
	struct value	*v;		/* NULL before first use */
	int64_t		 key;
};

enum sc_op {
	SC_OP_INSERT,
	SC_OP_UPDATE,
	SC_OP_DELETE
};

typedef void	(*sc_target_fn)(struct cmd_ctx *, struct store *,
		    struct send_connector *, const char *);
typedef bool	(*sc_same_fn)(const char *, const char *);

static void	 sc_error(struct cmd_ctx *, enum sc_err, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 sc_store_failed(struct cmd_ctx *, char *);
static int	 sc_open(struct cmd_ctx *, struct store **);
static int	 sc_legacy(struct cmd_ctx *);
static char	*sc_flags_name(int);
static bool	 sc_streq(const char *, const char *);
static bool	 sc_has_cred(const struct send_connector *);
static bool	 sc_is_guid(const char *);
static char	*sc_dn(const char *);
static char	*sc_dn_name(const char *);
static int	 sc_lookup_guid(struct store *, const char *,
		    struct send_connector **, char **);
static int	 sc_lookup_server(struct store *, const char *, const char *,
		    struct send_connector **, char **);
static int	 sc_lookup(struct store *, const char *,
		    struct send_connector **, char **);
static int	 sc_resolve(struct cmd_ctx *, struct store *, const char *,
		    struct send_connector **);
static char	*sc_input_identity(struct value *);
static void	 sc_for_each(struct cmd_ctx *, struct store *, sc_target_fn,
		     bool);
static bool	 sc_same_text(const char *, const char *);
static bool	 sc_same_space(const char *, const char *);
static void	 sc_list_remove(struct sc_strlist *, const char *, sc_same_fn);
static void	 sc_list_edit(struct value *, struct sc_strlist *, sc_same_fn);
static void	 sc_list_apply(struct value *, struct sc_strlist *,
		    sc_same_fn);
static int	 sc_apply_spaces(struct cmd_ctx *, struct send_connector *,
		    struct value *);
static void	 sc_apply_bools(struct cmd_ctx *, struct send_connector *);
static void	 sc_apply_enums(struct cmd_ctx *, struct send_connector *);
static void	 sc_set_string(char **, struct value *, const char *);
static void	 sc_set_alert(int *, const struct value *);
static int	 sc_apply_name(struct cmd_ctx *, struct send_connector *);
static void	 sc_apply_scalars(struct cmd_ctx *, struct send_connector *);
static void	 sc_apply_credential(struct cmd_ctx *,
		    struct send_connector *);
static int	 sc_apply(struct cmd_ctx *, struct send_connector *);
static void	 sc_clear_credential(struct send_connector *);
static int	 sc_route(struct cmd_ctx *, struct send_connector *, bool *);
static int	 sc_checks(struct cmd_ctx *, const struct send_connector *,
		    bool);
static int	 sc_invalid(struct cmd_ctx *, const char *);
static int	 sc_too_long(struct cmd_ctx *, const char *, int);
static int	 sc_validate(struct cmd_ctx *, const struct send_connector *,
		    bool);
static void	 sc_warn_servers(struct cmd_ctx *, struct store *,
		    const struct send_connector *);
static int	 sc_prepare(struct cmd_ctx *, struct store *,
		    struct send_connector *, bool);
static bool	 sc_should_continue(struct cmd_ctx *, const char *);
static int	 sc_name_taken(struct cmd_ctx *, struct store *,
		    const struct send_connector *, const char *, char **);
static int	 sc_commit_op(struct cmd_ctx *, struct store *,
		    const struct send_connector *, struct send_connector *,
		    enum sc_op, char **);
static int	 sc_commit(struct cmd_ctx *, struct store *,
		    const struct send_connector *, struct send_connector *,
		    enum sc_op);
static bool	 sc_equal(const struct send_connector *,
		    const struct send_connector *);
static int	 sc_new_usage(struct cmd_ctx *, enum sc_usage *);
static bool	 sc_new_confirm(struct cmd_ctx *,
		    const struct send_connector *);
static void	 sc_set_one(struct cmd_ctx *, struct store *,
		    struct send_connector *, const char *);
static void	 sc_get_one(struct cmd_ctx *, struct store *,
		    struct send_connector *, const char *);
static void	 sc_remove_one(struct cmd_ctx *, struct store *,
		    struct send_connector *, const char *);
static int	 cmd_new_sendconnector_exec(struct cmd_ctx *);
static int	 cmd_set_sendconnector_exec(struct cmd_ctx *);
static int	 cmd_get_sendconnector_exec(struct cmd_ctx *);
static int	 cmd_remove_sendconnector_exec(struct cmd_ctx *);
static struct value *sc_str(const char *);
static struct value *sc_strlist_value(const struct sc_strlist *);
static struct value *sc_date(int64_t, bool);
static struct value *sc_tls_value(int64_t);
static struct value *sc_auth_value(int64_t);
static struct value *sc_log_value(int64_t);
static struct value *sc_conntype_value(int64_t);
static struct value *sc_dane_value(int64_t);
static struct value *sc_sts_value(int64_t);
static struct value *sc_errpol_value(int64_t);
static struct value *sc_timespan_value(int64_t);
static struct value *sc_size_value(int64_t);
static struct value *sc_memo(struct sc_memo *, int64_t,
		    struct value *(*)(int64_t));
static void	 sc_shared_init(void);
static void	 sc_object_smtp(struct value *, const struct send_connector *);
static void	 sc_object_tls(struct value *, const struct send_connector *);
static void	 sc_object_gateway(struct value *,
		    const struct send_connector *);
static void	 sc_object_ad(struct value *, const struct send_connector *);

/* Name of the local server, for messages and OriginatingServer. */
static char	*sc_server;

/* Values every connector object shares, made once (sc_shared_init). */
static struct {
	struct value	*empty;			/* "" */
	struct value	*runspace;		/* RunspaceId */
	struct value	*credential;		/* AuthenticationCredential */
	struct value	*no_domains;		/* ConnectedDomains */
	struct value	*routing_group;		/* SourceRoutingGroup */
	struct value	*home_mta;		/* HomeMTA */
	struct value	*version;		/* ExchangeVersion */
	struct value	*category;		/* ObjectCategory */
	struct value	*object_class;		/* ObjectClass */
	struct value	*unchanged;		/* ObjectState */
} sc_shared;

/* The last value of each property that sc_memo keeps. */
static struct {
	struct sc_memo	 tls_auth;
	struct sc_memo	 error_policies;
	struct sc_memo	 idle_timeout;
	struct sc_memo	 logging;
	struct sc_memo	 auth_mechanism;
	struct sc_memo	 connector_type;
	struct sc_memo	 dane_mode;
	struct sc_memo	 sts_mode;
	struct sc_memo	 size;
} sc_memos;

/* Properties of a connector object (sendconnector_object), to reserve. */
#define SC_NPROPS	57

/* Enumerations: each name with its Exchange value. */
static const struct choice sc_tls_choices[] = {
	{ "EncryptionOnly", SC_TLSAUTH_ENCRYPTION_ONLY },
	{ "CertificateValidation", SC_TLSAUTH_CERTIFICATE_VALIDATION },
	{ "DomainValidation", SC_TLSAUTH_DOMAIN_VALIDATION },
	{ NULL, 0 }
};
static const struct choice sc_auth_choices[] = {
	{ "None", SC_AUTH_NONE },
	{ "BasicAuth", SC_AUTH_BASIC },
	{ "BasicAuthRequireTLS", SC_AUTH_BASIC_REQUIRE_TLS },
	{ "ExchangeServer", SC_AUTH_EXCHANGE_SERVER },
	{ "ExternalAuthoritative", SC_AUTH_EXTERNAL_AUTHORITATIVE },
	{ NULL, 0 }
};
static const struct choice sc_log_choices[] = {
	{ "None", SC_PROTOLOG_NONE },
	{ "Verbose", SC_PROTOLOG_VERBOSE },
	{ NULL, 0 }
};
/*
 * SmtpDaneMode and MtaStsMode, in the order Exchange Online's
 * documentation lists them (a bad value's error names them so).
 */
static const struct choice sc_dane_choices[] = {
	{ "Opportunistic", SC_DANE_OPPORTUNISTIC },
	{ "Mandatory", SC_DANE_MANDATORY },
	{ "None", SC_DANE_NONE },
	{ NULL, 0 }
};
static const struct choice sc_sts_choices[] = {
	{ "Opportunistic", SC_STS_OPPORTUNISTIC },
	{ "None", SC_STS_NONE },
	{ NULL, 0 }
};
static const struct choice sc_errpol_choices[] = {
	{ "Default", 0 },
	{ "DowngradeDnsFailures", SC_ERRPOL_DOWNGRADE_DNS },
	{ "DowngradeCustomFailures", SC_ERRPOL_DOWNGRADE_CUSTOM },
	{ "UpgradeCustomFailures", SC_ERRPOL_UPGRADE_CUSTOM },
	{ NULL, 0 }
};
static const struct choice sc_usage_choices[] = {
	{ "Custom", SC_USAGE_CUSTOM },
	{ "Internal", SC_USAGE_INTERNAL },
	{ "Internet", SC_USAGE_INTERNET },
	{ "Partner", SC_USAGE_PARTNER },
	{ NULL, 0 }
};
static const struct choice sc_conntype_choices[] = {
	{ "Default", SC_CONNTYPE_DEFAULT },
	{ "XPremises", SC_CONNTYPE_XPREMISES },
	{ NULL, 0 }
};

static const struct choice sc_unlimited_choice[] = {
	{ "Unlimited", 0 },
	{ NULL, 0 }
};

static const char *const sc_legacy_params[] = {
	"IsCoexistenceConnector", "LinkedReceiveConnector", NULL
};

/*
 * Parameter table.  SC_SHARED_PARAMS are the connector properties that
 * New and Set both take, in alphabetical order as Exchange's help lists
 * them.
 */
#define SC_P(n, t, tn, h) \
	{ .name = n, .type = t, .type_name = tn, .help = h }
#define SC_PF(n, t, f, tn, h) \
	{ .name = n, .type = t, .flags = f, .type_name = tn, .help = h }
#define SC_PE(n, t, c, tn, h) \
	{ .name = n, .type = t, .choices = c, .type_name = tn, .help = h }
#define SC_PR(n, t, lo, hi, tn, h) \
	{ .name = n, .type = t, .min = lo, .max = hi, .type_name = tn, \
	  .help = h }
/* A hubsh alert threshold: Unlimited, or $null for the server's. */
#define SC_PA(n, t, tn, h) \
	{ .name = n, .type = t, .flags = P_NULLABLE, .min = 1, \
	  .max = ALERT_UNLIMITED - 1, .choices = sc_unlimited_choice, \
	  .type_name = tn, .help = h }
/* A bool stored as it is given, in the connector's member m. */
#define SC_PB(n, m, h) \
	{ .name = n, .type = PT_BOOL, .help = h, \
	  .member = offsetof(struct send_connector, m) }

#define SC_SHARED_PARAMS \
	SC_PF("AuthenticationCredential", PT_CREDENTIAL, P_SECRET, \
	    NULL, "User name and password for smart host " \
	    "authentication."), \
	SC_PB("CloudServicesMailEnabled", cloud_services_mail_enabled, \
	    "Keep X-MS-Exchange-Organization headers for hybrid mail flow."), \
	SC_P("Comment", PT_STRING, NULL, "Administrator's note."), \
	SC_PR("ConnectionInactivityTimeOut", PT_TIMESPAN, 1, 86400, \
	    NULL, "How long an idle connection stays open " \
	    "(00:00:01 to 1.00:00:00)."), \
	SC_PE("ConnectorType", PT_ENUM, sc_conntype_choices, TN_CONNTYPE, \
	    "Default, or XPremises for a hybrid connector."), \
	SC_P("DNSRoutingEnabled", PT_BOOL, NULL, "Route by MX lookup " \
	    "($true) or through the smart hosts ($false)."), \
	SC_PB("DomainSecureEnabled", domain_secure_enabled, "Use mutual TLS " \
	    "for domains in TLSSendDomainSecureList."), \
	SC_PB("Enabled", enabled, "Whether routing uses the connector."), \
	SC_PE("ErrorPolicies", PT_FLAGS, sc_errpol_choices, TN_ERRPOL, \
	    "How communication errors are treated (flags)."), \
	SC_P("Force", PT_SWITCH, NULL, "Suppress confirmation " \
	    "prompts."), \
	SC_PB("ForceHELO", force_helo, "Send HELO instead of EHLO."), \
	SC_P("Fqdn", PT_FQDN, NULL, "Name sent in HELO/EHLO; $null for " \
	    "the server's own name."), \
	SC_PB("FrontendProxyEnabled", frontend_proxy_enabled, "Send through " \
	    "the Front End Transport service."), \
	SC_PB("IgnoreSTARTTLS", ignore_starttls, "Never use STARTTLS."), \
	SC_PF("IsCoexistenceConnector", PT_BOOL, P_LEGACY, NULL, \
	    "Exchange 2010 only; not supported."), \
	SC_PB("IsScopedConnector", is_scoped_connector, "Visible only to " \
	    "servers in the same site."), \
	SC_PF("LinkedReceiveConnector", PT_STRING, P_LEGACY, TN_RECVID, \
	    "Exchange 2010 only; not supported."), \
	SC_PR("MaxMessageSize", PT_SIZE, 0, 2147483647, NULL, \
	    "Largest message the connector sends, or unlimited."), \
	SC_PE("MtaStsMode", PT_ENUM, sc_sts_choices, TN_STS, \
	    "Exchange Online's: honour the MTA-STS policy a recipient " \
	    "domain publishes (Opportunistic), or never look one up " \
	    "(None)."), \
	SC_PR("Port", PT_INT, 0, 65535, NULL, "Destination TCP port."), \
	SC_PE("ProtocolLoggingLevel", PT_ENUM, sc_log_choices, TN_LOGLEVEL, \
	    "SMTP send protocol logging: None or Verbose."), \
	SC_PA("QueueAlertAge", PT_TIMESPAN, TN_ALERT_AGE, "hubsh " \
	    "extension: how long the oldest message of a queue may wait " \
	    "before the queue is in alarm, or Unlimited; $null for the " \
	    "server's."), \
	SC_PA("QueueAlertMessageCount", PT_UNLIMITED, NULL, "hubsh " \
	    "extension: how many messages put a queue in alarm, or " \
	    "Unlimited; $null for the server's."), \
	SC_PB("RequireOorg", require_oorg, "Reserved for internal Microsoft " \
	    "use."), \
	SC_PB("RequireTLS", require_tls, "Send every message over TLS."), \
	SC_PE("SmartHostAuthMechanism", PT_ENUM, sc_auth_choices, \
	    TN_AUTHMECH, "Authentication against the smart hosts."), \
	SC_PF("SmartHosts", PT_SMARTHOST, P_MULTI, NULL, \
	    "Smart hosts (FQDNs or IP addresses) when DNS routing is off."), \
	SC_PE("SmtpDaneMode", PT_ENUM, sc_dane_choices, TN_DANE, \
	    "Exchange Online's: DANE when the destination publishes TLSA " \
	    "records (Opportunistic), always (Mandatory) or never (None)."), \
	SC_PR("SmtpMaxMessagesPerConnection", PT_INT, 0, 2147483647, NULL, \
	    "Most messages sent in one SMTP session."), \
	SC_P("SourceIPAddress", PT_IP, NULL, "Local address to send from; " \
	    "0.0.0.0 for any."), \
	SC_PF("SourceTransportServers", PT_SERVER, P_MULTI, NULL, \
	    "Transport servers that host the connector."), \
	SC_PE("TlsAuthLevel", PT_ENUM, sc_tls_choices, TN_TLSAUTH, \
	    "TLS check when RequireTLS is $true."), \
	SC_P("TlsCertificateName", PT_X509, NULL, "Local certificate, " \
	    "as <I>issuer<S>subject."), \
	SC_P("TlsDomain", PT_TLSDOMAIN, NULL, "Domain the remote " \
	    "certificate must match under DomainValidation."), \
	SC_PB("UseExternalDNSServersEnabled", \
	    use_external_dns_servers_enabled, "Use the server's external DNS " \
	    "servers.")

static const struct param_entry sc_new_params[] = {
	SC_PF("Name", PT_STRING, P_MANDATORY | P_POSITIONAL, NULL,
	    "Unique name of the connector."),
	SC_PF("AddressSpaces", PT_ADDRSPACE, P_MANDATORY | P_MULTI,
	    NULL, "Destination domains, as [type:]domain[;cost]."),
	SC_SHARED_PARAMS,
	SC_P("Custom", PT_SWITCH, NULL, "Usage type Custom (the "
	    "default)."),
	SC_P("Internal", PT_SWITCH, NULL, "Usage type Internal: no "
	    "size limit unless given."),
	SC_P("Internet", PT_SWITCH, NULL, "Usage type Internet."),
	SC_P("Partner", PT_SWITCH, NULL, "Usage type Partner: domain "
	    "security and DNS routing on."),
	SC_PE("Usage", PT_ENUM, sc_usage_choices, TN_USAGE, "Usage type: "
	    "Custom, Internal, Internet or Partner."),
	{ .name = NULL }
};

static const struct param_entry sc_set_params[] = {
	SC_PF("Identity", PT_IDENTITY, P_MANDATORY | P_POSITIONAL |
	    P_PIPELINE | P_BYNAME, NULL, "Connector name, GUID, DN "
	    "or Server\\Name."),
	SC_P("Name", PT_STRING, NULL, "New name for the connector."),
	SC_PF("AddressSpaces", PT_ADDRSPACE, P_MULTI, NULL,
	    "Destination domains, as [type:]domain[;cost]."),
	SC_SHARED_PARAMS,
	{ .name = NULL }
};

static const struct param_entry sc_get_params[] = {
	SC_PF("Identity", PT_IDENTITY, P_POSITIONAL | P_PIPELINE | P_BYNAME,
	    NULL, "Connector name, GUID, DN or Server\\Name; all "
	    "connectors when omitted."),
	{ .name = NULL }
};

static const struct param_entry sc_remove_params[] = {
	SC_PF("Identity", PT_IDENTITY, P_MANDATORY | P_POSITIONAL |
	    P_PIPELINE | P_BYNAME, NULL, "Connector name, GUID, DN "
	    "or Server\\Name."),
	{ .name = NULL }
};

const struct cmdlet_entry cmd_new_sendconnector_entry = {
	.name = "New-SendConnector",
	.synopsis = "Create a Send connector.",
	.params = sc_new_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS,
	.class_name = SC_CLASS_BASE "NewSendConnector",
	.exec = cmd_new_sendconnector_exec,
	.description = "Creates a Send connector that routes mail for its "
	    "address spaces, by DNS or through smart hosts, and writes the "
	    "new connector to the pipeline."
};

const struct cmdlet_entry cmd_set_sendconnector_entry = {
	.name = "Set-SendConnector",
	.synopsis = "Change a Send connector.",
	.params = sc_set_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS,
	.class_name = SC_CLASS_BASE "SetSendConnector",
	.exec = cmd_set_sendconnector_exec,
	.description = "Changes the given properties of a Send connector; "
	    "-Name renames it.  Multi-valued properties take a new list or "
	    "@{Add=...; Remove=...}."
};

const struct cmdlet_entry cmd_get_sendconnector_entry = {
	.name = "Get-SendConnector",
	.synopsis = "Show Send connectors.",
	.params = sc_get_params,
	.flags = C_EXCHANGE,
	.class_name = SC_CLASS_BASE "GetSendConnector",
	.exec = cmd_get_sendconnector_exec,
	.description = "Writes the Send connector given by -Identity, or "
	    "every Send connector ordered by name."
};

const struct cmdlet_entry cmd_remove_sendconnector_entry = {
	.name = "Remove-SendConnector",
	.synopsis = "Delete a Send connector.",
	.params = sc_remove_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS | C_CONFIRM,
	.class_name = SC_CLASS_BASE "RemoveSendConnector",
	.exec = cmd_remove_sendconnector_exec,
	.description = "Deletes a Send connector.  Asks for confirmation "
	    "unless -Confirm:$false is given."
};

/* Format-List (A) and default table columns; see sendconnector_object. */
static const char *const sc_table_columns[] = {
	"Identity", "AddressSpaces", "Enabled", NULL
};
static const char *const sc_list_props[] = {
	"AddressSpaces", "AuthenticationCredential",
	"CloudServicesMailEnabled", "Comment", "ConnectedDomains",
	"ConnectionInactivityTimeOut", "ConnectorType", "DNSRoutingEnabled",
	"DomainSecureEnabled", "Enabled", "ErrorPolicies", "ForceHELO",
	"Fqdn", "FrontendProxyEnabled", "HomeMTA", "HomeMtaServerId",
	"Identity", "IgnoreSTARTTLS", "IsScopedConnector", "IsSmtpConnector",
	"MaxMessageSize", "Name", "Port", "ProtocolLoggingLevel",
	"RequireOorg", "RequireTLS", "SmartHostAuthMechanism", "SmartHosts",
	"SmartHostsString", "SmtpMaxMessagesPerConnection",
	"SourceIPAddress", "SourceRoutingGroup", "SourceTransportServers",
	"TlsAuthLevel", "TlsCertificateName", "TlsDomain",
	"UseExternalDNSServersEnabled", "QueueAlertAge",
	"QueueAlertMessageCount", "MtaStsMode", "SmtpDaneMode", NULL
};
static const struct view sc_view = {
	.type_name = SC_TYPE_NAME,
	.shape = SHAPE_TABLE,
	.table = sc_table_columns,
	.list = sc_list_props
};

/* Write a non-terminating error of one of the kinds listed at the top. */
static void
sc_error(struct cmd_ctx *ctx, enum sc_err kind, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	cmd_error(ctx, ERR_NONTERMINATING, sc_errs[kind].category,
	    sc_errs[kind].reason, sc_errs[kind].reason, "%s", msg);
	free(msg);
}

/* Report a store failure; frees cause.  Returns -1. */
static int
sc_store_failed(struct cmd_ctx *ctx, char *cause)
{
	sc_error(ctx, SC_ERR_STORE, SC_MSG_STORE,
	    cause != NULL ? cause : "unknown error");
	free(cause);
	return (-1);
}

/* Open the store and remember the local server's name. */
static int
sc_open(struct cmd_ctx *ctx, struct store **st)
{
	if (shell_store(ctx->sh, st) != 0)
		return (-1);
	free(sc_server);
	sc_server = xstrdup(store_server_name(*st));
	return (0);
}

/* Refuse the Exchange 2010 parameters hubsh does not implement. */
static int
sc_legacy(struct cmd_ctx *ctx)
{
	const char *const	*p;

	for (p = sc_legacy_params; *p != NULL; p++) {
		if (bound_has(ctx->args, *p)) {
			sc_error(ctx, SC_ERR_ARGUMENT, SC_MSG_LEGACY, *p);
			return (-1);
		}
	}
	return (0);
}

/* ErrorPolicies as .NET prints a flags enum: "Default" or "A, B". */
static char *
sc_flags_name(int flags)
{
	struct buf	b;
	size_t		i;

	if (flags == 0)
		return (xstrdup("Default"));
	buf_init(&b);
	for (i = 1; sc_errpol_choices[i].name != NULL; i++) {
		if ((flags & sc_errpol_choices[i].code) == 0)
			continue;
		if (b.len != 0)
			buf_adds(&b, ", ");
		buf_adds(&b, sc_errpol_choices[i].name);
	}
	return (buf_detach(&b));
}

/* Strings equal, NULL equal only to NULL. */
static bool
sc_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* A credential exists only when both halves are non-empty (§9). */
static bool
sc_has_cred(const struct send_connector *sc)
{
	return (sc->auth_username != NULL && *sc->auth_username != '\0' &&
	    sc->auth_password != NULL && *sc->auth_password != '\0');
}

/* A GUID in the 8-4-4-4-12 form, optionally in braces. */
static bool
sc_is_guid(const char *s)
{
	size_t	i, len, off = 0;

	len = strlen(s);
	if (len == 38 && s[0] == '{' && s[37] == '}')
		off = 1;
	else if (len != 36)
		return (false);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[off + i] != '-')
				return (false);
		} else if (!isxdigit((unsigned char)s[off + i]))
			return (false);
	}
	return (true);
}

/* The connector's distinguished name; the name is escaped (RFC 4514). */
static char *
sc_dn(const char *name)
{
	struct buf	b;
	const char	*p;

	buf_init(&b);
	buf_adds(&b, "CN=");
	for (p = name; *p != '\0'; p++) {
		if (strchr(",+\"\\<>;=", *p) != NULL ||
		    (p == name && (*p == '#' || *p == ' ')) ||
		    (*p == ' ' && p[1] == '\0'))
			buf_addc(&b, '\\');
		buf_addc(&b, *p);
	}
	buf_adds(&b, SC_DN_SUFFIX);
	return (buf_detach(&b));
}

/* The connector name in a DN identity, or NULL if it is not one. */
static char *
sc_dn_name(const char *dn)
{
	struct buf	b;
	const char	*p;

	if (strncasecmp(dn, "CN=", 3) != 0)
		return (NULL);
	buf_init(&b);
	for (p = dn + 3; *p != '\0' && *p != ','; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		buf_addc(&b, *p);
	}
	if (b.len == 0 || strcasecmp(p, SC_DN_SUFFIX) != 0) {
		buf_free(&b);
		return (NULL);
	}
	return (buf_detach(&b));
}

/* Look a connector up by GUID text (any case, braces allowed). */
static int
sc_lookup_guid(struct store *st, const char *s, struct send_connector **scp,
    char **cause)
{
	char	guid[37];
	size_t	i;

	if (!sc_is_guid(s))
		return (1);
	if (*s == '{')
		s++;
	for (i = 0; i < 36; i++)
		guid[i] = tolower((unsigned char)s[i]);
	guid[36] = '\0';
	return (store_connector_get(st, guid, scp, cause));
}

/* SERVER\Name: the name must match and SERVER be a source server. */
static int
sc_lookup_server(struct store *st, const char *id, const char *slash,
    struct send_connector **scp, char **cause)
{
	struct send_connector	*sc;
	size_t			 i, len = slash - id;
	int			 r;

	if ((r = store_connector_find(st, slash + 1, &sc, cause)) != 0)
		return (r);
	for (i = 0; i < sc->source_transport_servers.n; i++) {
		if (strlen(sc->source_transport_servers.v[i]) == len &&
		    strncasecmp(sc->source_transport_servers.v[i], id,
		    len) == 0) {
			*scp = sc;
			return (0);
		}
	}
	send_connector_free(sc);
	return (1);
}

/*
 * Resolve an identity (§6): "guid:<guid>" from a pipeline object, a GUID,
 * a name (any case), a distinguished name, or SERVER\Name.  No wildcards.
 * 0 found, 1 not found, -1 with *cause.
 */
static int
sc_lookup(struct store *st, const char *id, struct send_connector **scp,
    char **cause)
{
	const char	*slash;
	char		*name;
	int		 r;

	if (strncasecmp(id, "guid:", 5) == 0)
		return (sc_lookup_guid(st, id + 5, scp, cause));
	if ((r = sc_lookup_guid(st, id, scp, cause)) != 1)
		return (r);
	if ((r = store_connector_find(st, id, scp, cause)) != 1)
		return (r);
	if ((name = sc_dn_name(id)) != NULL) {
		r = store_connector_find(st, name, scp, cause);
		free(name);
		return (r);
	}
	if ((slash = strchr(id, '\\')) != NULL)
		return (sc_lookup_server(st, id, slash, scp, cause));
	return (1);
}

/* Resolve an identity, reporting failures.  0 found, else not. */
static int
sc_resolve(struct cmd_ctx *ctx, struct store *st, const char *id,
    struct send_connector **scp)
{
	char	*cause = NULL;
	int	 r;

	if ((r = sc_lookup(st, id, scp, &cause)) == -1)
		return (sc_store_failed(ctx, cause));
	if (r == 1) {
		if (strncasecmp(id, "guid:", 5) == 0)
			id += 5;
		sc_error(ctx, SC_ERR_NOTFOUND, SC_MSG_NOTFOUND, id,
		    store_server_name(st));
	}
	return (r);
}

/* The identity text of one pipeline input, or NULL to skip it. */
static char *
sc_input_identity(struct value *v)
{
	struct value	*id;

	if (v == NULL || v->type == V_NULL)
		return (NULL);
	if (v->type == V_OBJECT) {
		if (v->u.obj->key != NULL)
			return (xprintf("guid:%s", v->u.obj->key));
		if ((id = object_get(v, "Identity")) != NULL &&
		    id->type != V_NULL)
			return (value_to_string(id));
	}
	return (value_to_string(v));
}

/*
 * Call fn for each connector named by the pipeline input, or else by
 * -Identity.  The label is the identity as typed, or the connector's name
 * when it came from a pipeline object (Exchange prints Identity.ToString).
 * With txn, each connector is read, checked and written in one write
 * transaction, its row locked from the read on: what fn checks is what
 * another server's hubsh may have just written, not an older copy.
 */
static void
sc_for_each(struct cmd_ctx *ctx, struct store *st, sc_target_fn fn, bool txn)
{
	char	*cause = NULL;

	struct send_connector	*sc;
	struct value		*v;
	char			*id, *label;
	size_t			 i, n;

	/* Piped but nothing came down the pipe: nothing to do. */
	if (ctx->piped && ctx->ninput == 0 &&
	    bound_get(ctx->args, "Identity") == NULL)
		return;
	n = ctx->ninput > 0 ? ctx->ninput : 1;
	for (i = 0; i < n && !ctx->stop; i++) {
		if (ctx->ninput > 0)
			id = sc_input_identity(ctx->input[i]);
		else {
			v = bound_get(ctx->args, "Identity");
			id = sc_input_identity(v);
		}
		if (id == NULL)
			continue;
		if (txn && store_begin(st, &cause) != 0) {
			sc_store_failed(ctx, cause);
			free(id);
			return;
		}
		if (sc_resolve(ctx, st, id, &sc) == 0) {
			/* A copy: a rename frees sc->name. */
			label = xstrdup(strncasecmp(id, "guid:", 5) == 0 ?
			    sc->name : id);
			fn(ctx, st, sc, label);
			free(label);
			send_connector_free(sc);
		}
		/* A failed write undid itself (a savepoint): keep the rest. */
		if (txn && store_commit(st, &cause) != 0) {
			sc_store_failed(ctx, cause);
			cause = NULL;
		}
		free(id);
	}
}

/* List equality for names and smart hosts. */
static bool
sc_same_text(const char *a, const char *b)
{
	return (strcasecmp_utf8(a, b) == 0);
}

/* List equality for address spaces: same type and domain, any cost. */
static bool
sc_same_space(const char *a, const char *b)
{
	struct sc_address_space	x, y;
	bool			same = false;

	memset(&x, 0, sizeof x);
	memset(&y, 0, sizeof y);
	if (ex_address_space_parse(a, &x, NULL) == 0 &&
	    ex_address_space_parse(b, &y, NULL) == 0)
		same = ex_address_space_same(&x, &y);
	ex_address_space_clear(&x);
	ex_address_space_clear(&y);
	return (same);
}

/* Remove every item equal to s. */
static void
sc_list_remove(struct sc_strlist *l, const char *s, sc_same_fn same)
{
	size_t	i = 0;

	while (i < l->n) {
		if (!same(l->v[i], s)) {
			i++;
			continue;
		}
		free(l->v[i]);
		memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
		l->n--;
	}
}

/* Apply @{Add=...; Remove=...}: Add skips values already present. */
static void
sc_list_edit(struct value *h, struct sc_strlist *l, sc_same_fn same)
{
	struct hash_entry	*e;
	char			*s, *key;
	size_t			 i, j, k;

	for (i = 0; i < h->u.hash.n; i++) {
		e = &h->u.hash.e[i];
		key = value_to_string(e->key);
		for (j = 0; e->val->type != V_NULL &&
		    j < value_count(e->val); j++) {
			s = value_to_string(value_item(e->val, j));
			if (strcasecmp(key, "Remove") == 0)
				sc_list_remove(l, s, same);
			else if (strcasecmp(key, "Add") == 0) {
				for (k = 0; k < l->n; k++) {
					if (same(l->v[k], s))
						break;
				}
				if (k == l->n)
					sc_strlist_add(l, s);
			}
			free(s);
		}
		free(key);
	}
}

/* A multi-valued argument: $null clears, a hash edits, a list replaces. */
static void
sc_list_apply(struct value *v, struct sc_strlist *l, sc_same_fn same)
{
	char	*s;
	size_t	 i;

	if (v->type == V_HASH) {
		sc_list_edit(v, l, same);
		return;
	}
	sc_strlist_clear(l);
	if (v->type == V_NULL)
		return;
	for (i = 0; i < value_count(v); i++) {
		s = value_to_string(value_item(v, i));
		sc_strlist_add(l, s);
		free(s);
	}
}

/* AddressSpaces: edit as text, then parse back into the struct. */
static int
sc_apply_spaces(struct cmd_ctx *ctx, struct send_connector *sc,
    struct value *v)
{
	struct sc_strlist	 l = { NULL, 0 };
	struct sc_address_space	*as;
	char			*s, *cause = NULL;
	size_t			 i;

	for (i = 0; i < sc->n_address_spaces; i++) {
		s = ex_address_space_format(&sc->address_spaces[i]);
		sc_strlist_add(&l, s);
		free(s);
	}
	sc_list_apply(v, &l, sc_same_space);
	as = xcalloc(l.n + 1, sizeof *as);
	for (i = 0; i < l.n; i++) {
		if (ex_address_space_parse(l.v[i], &as[i], &cause) != 0)
			break;
	}
	if (i != l.n) {
		sc_error(ctx, SC_ERR_ARGUMENT, "%s", cause);
		free(cause);
		while (i-- > 0)
			ex_address_space_clear(&as[i]);
		free(as);
		sc_strlist_clear(&l);
		return (-1);
	}
	for (i = 0; i < sc->n_address_spaces; i++)
		ex_address_space_clear(&sc->address_spaces[i]);
	free(sc->address_spaces);
	sc->address_spaces = as;
	sc->n_address_spaces = l.n;
	sc_strlist_clear(&l);
	return (0);
}

/* Boolean properties. */
static void
sc_apply_bools(struct cmd_ctx *ctx, struct send_connector *sc)
{
	const struct param_entry	*p;
	struct value			*v;

	for (p = ctx->entry->params; p->name != NULL; p++) {
		if (p->member == 0 ||
		    (v = bound_get(ctx->args, p->name)) == NULL)
			continue;
		*(bool *)((char *)sc + p->member) = value_truthy(v);
	}
}

/* Enumerations and flags. */
static void
sc_apply_enums(struct cmd_ctx *ctx, struct send_connector *sc)
{
	sc->tls_auth_level = bound_code(ctx->args, "TlsAuthLevel",
	    sc->tls_auth_level, SC_TLSAUTH_NONE);
	sc->smart_host_auth_mechanism = bound_code(ctx->args,
	    "SmartHostAuthMechanism", sc->smart_host_auth_mechanism,
	    SC_AUTH_NONE);
	sc->protocol_logging_level = bound_code(ctx->args,
	    "ProtocolLoggingLevel", sc->protocol_logging_level,
	    SC_PROTOLOG_NONE);
	sc->connector_type = bound_code(ctx->args, "ConnectorType",
	    sc->connector_type, SC_CONNTYPE_DEFAULT);
	sc->error_policies = bound_code(ctx->args, "ErrorPolicies",
	    sc->error_policies, 0);
	sc->smtp_dane_mode = bound_code(ctx->args, "SmtpDaneMode",
	    sc->smtp_dane_mode, SC_DANE_OPPORTUNISTIC);
	sc->mta_sts_mode = bound_code(ctx->args, "MtaStsMode",
	    sc->mta_sts_mode, SC_STS_OPPORTUNISTIC);
}

/* Replace a string property; $null gives dflt (which may be NULL). */
static void
sc_set_string(char **field, struct value *v, const char *dflt)
{
	if (v == NULL)
		return;
	free(*field);
	if (v->type == V_NULL)
		*field = dflt != NULL ? xstrdup(dflt) : NULL;
	else
		*field = value_to_string(v);
}

/* -Name: required to be non-empty. */
static int
sc_apply_name(struct cmd_ctx *ctx, struct send_connector *sc)
{
	struct value	*v;
	char		*s;

	if ((v = bound_get(ctx->args, "Name")) == NULL)
		return (0);
	s = v->type == V_NULL ? xstrdup("") : value_to_string(v);
	if (*s == '\0') {
		free(s);
		sc_error(ctx, SC_ERR_ARGUMENT, SC_MSG_NONAME);
		return (-1);
	}
	free(sc->name);
	sc->name = s;
	return (0);
}

/* An alert threshold: a number, Unlimited, or $null (the server's). */
static void
sc_set_alert(int *field, const struct value *v)
{
	if (v == NULL)
		return;
	*field = v->type == V_INT ? (int)v->u.i : v->type == V_NULL ?
	    ALERT_SERVER : ALERT_UNLIMITED;
}

/* Numbers, sizes, time spans and strings. */
static void
sc_apply_scalars(struct cmd_ctx *ctx, struct send_connector *sc)
{
	struct bound	*b = ctx->args;
	struct value	*v;

	if ((v = bound_get(b, "Port")) != NULL && v->type == V_INT)
		sc->port = (int)v->u.i;
	if ((v = bound_get(b, "SmtpMaxMessagesPerConnection")) != NULL &&
	    v->type == V_INT)
		sc->smtp_max_messages_per_connection = (int)v->u.i;
	if ((v = bound_get(b, "ConnectionInactivityTimeOut")) != NULL &&
	    v->type == V_INT)
		sc->connection_inactivity_timeout = v->u.i;
	if ((v = bound_get(b, "MaxMessageSize")) != NULL && v->type == V_INT)
		sc->max_message_size = v->u.i;
	sc_set_alert(&sc->queue_alert_age, bound_get(b, "QueueAlertAge"));
	sc_set_alert(&sc->queue_alert_message_count,
	    bound_get(b, "QueueAlertMessageCount"));
	sc_set_string(&sc->comment, bound_get(b, "Comment"), "");
	sc_set_string(&sc->fqdn, bound_get(b, "Fqdn"), NULL);
	sc_set_string(&sc->source_ip_address, bound_get(b, "SourceIPAddress"),
	    "0.0.0.0");
	sc_set_string(&sc->tls_domain, bound_get(b, "TlsDomain"), NULL);
	sc_set_string(&sc->tls_certificate_name,
	    bound_get(b, "TlsCertificateName"), NULL);
}

/* Forget the credential; the password is wiped before it is freed. */
static void
sc_clear_credential(struct send_connector *sc)
{
	free(sc->auth_username);
	if (sc->auth_password != NULL) {
		explicit_bzero(sc->auth_password, strlen(sc->auth_password));
		free(sc->auth_password);
	}
	sc->auth_username = sc->auth_password = NULL;
}

/*
 * AuthenticationCredential: $null clears it; a credential with an empty
 * password is ignored, as Exchange's setter returns early (§9).
 */
static void
sc_apply_credential(struct cmd_ctx *ctx, struct send_connector *sc)
{
	struct value	*v, *user, *pass;

	if ((v = bound_get(ctx->args, "AuthenticationCredential")) == NULL)
		return;
	if (v->type == V_NULL) {
		sc_clear_credential(sc);
		return;
	}
	if (v->type != V_OBJECT)
		return;
	user = object_get(v, "UserName");
	pass = object_get(v, "Password");
	if (pass == NULL || (pass->type != V_SECURE &&
	    pass->type != V_STRING) || *pass->u.s == '\0')
		return;
	sc_clear_credential(sc);
	sc->auth_username = user != NULL && user->type != V_NULL ?
	    value_to_string(user) : xstrdup("");
	sc->auth_password = xstrdup(pass->u.s);
}

/* Apply every connector argument to sc. */
static int
sc_apply(struct cmd_ctx *ctx, struct send_connector *sc)
{
	struct value	*v;

	if (sc_apply_name(ctx, sc) != 0)
		return (-1);
	if ((v = bound_get(ctx->args, "AddressSpaces")) != NULL &&
	    sc_apply_spaces(ctx, sc, v) != 0)
		return (-1);
	if ((v = bound_get(ctx->args, "SmartHosts")) != NULL)
		sc_list_apply(v, &sc->smart_hosts, sc_same_text);
	if ((v = bound_get(ctx->args, "SourceTransportServers")) != NULL)
		sc_list_apply(v, &sc->source_transport_servers, sc_same_text);
	sc_apply_bools(ctx, sc);
	sc_apply_enums(ctx, sc);
	sc_apply_scalars(ctx, sc);
	sc_apply_credential(ctx, sc);
	return (0);
}

/*
 * DNS routing (§1.4).  *dns comes in as the default (New: Partner or no
 * smart hosts; Set: the stored mode) and leaves as the final mode.  A
 * DNS-routed result loses its smart hosts, mechanism and credential.
 */
static int
sc_route(struct cmd_ctx *ctx, struct send_connector *sc, bool *dns)
{
	struct value	*v;
	bool		 given;

	if ((given = (v = bound_get(ctx->args, "DNSRoutingEnabled")) != NULL))
		*dns = value_truthy(v);
	if (!*dns)
		return (0);
	if (bound_has(ctx->args, "SmartHosts") && sc->smart_hosts.n != 0) {
		sc_error(ctx, SC_ERR_TASK, SC_MSG_DNSHOSTS);
		return (-1);
	}
	if (!given && bound_has(ctx->args, "SmartHostAuthMechanism") &&
	    sc->smart_host_auth_mechanism != SC_AUTH_NONE) {
		sc_error(ctx, SC_ERR_TASK, SC_MSG_DNSAUTH);
		return (-1);
	}
	sc_strlist_clear(&sc->smart_hosts);
	sc->smart_host_auth_mechanism = SC_AUTH_NONE;
	sc_clear_credential(sc);
	return (0);
}

/* Task checks of §3.2 that stop at the first failure. */
static int
sc_checks(struct cmd_ctx *ctx, const struct send_connector *sc, bool dns)
{
	const struct sc_strlist	*l = &sc->source_transport_servers;
	char			*s;
	size_t			 i, j;

	if (sc->require_tls && sc->ignore_starttls) {
		sc_error(ctx, SC_ERR_TASK, SC_MSG_TLSBOTH);
		return (-1);
	}
	for (i = 0; dns && i < sc->n_address_spaces; i++) {
		if (ex_address_space_is_smtp(&sc->address_spaces[i]))
			continue;
		s = ex_address_space_format(&sc->address_spaces[i]);
		sc_error(ctx, SC_ERR_TASK, SC_MSG_NONSMTP, s);
		free(s);
		return (-1);
	}
	if (l->n == 0) {
		sc_error(ctx, SC_ERR_TASK, SC_MSG_NOSERVER);
		return (-1);
	}
	for (i = 1; i < l->n; i++) {
		for (j = 0; j < i; j++) {
			if (sc_same_text(l->v[i], l->v[j])) {
				sc_error(ctx, SC_ERR_TASK, SC_MSG_DUPSERVER,
				    l->v[i]);
				return (-1);
			}
		}
	}
	return (0);
}

/* Report one validation failure; returns 1 to count it. */
static int
sc_invalid(struct cmd_ctx *ctx, const char *msg)
{
	sc_error(ctx, SC_ERR_VALIDATION, "%s", msg);
	return (1);
}

/* Schema length constraint; returns 1 when violated. */
static int
sc_too_long(struct cmd_ctx *ctx, const char *s, int max)
{
	size_t	len;

	if (s == NULL || (len = utf8_width(s)) <= (size_t)max)
		return (0);
	sc_error(ctx, SC_ERR_VALIDATION, SC_MSG_TOOLONG, max, len);
	return (1);
}

/*
 * ValidateWrite (§3.1): schema lengths, then rules 1-10, every failure
 * reported; rule 9 stops rule 10.
 */
static int
sc_validate(struct cmd_ctx *ctx, const struct send_connector *sc, bool dns)
{
	bool	tlsdom, basic;
	int	n = 0;

	n += sc_too_long(ctx, sc->name, SC_NAME_MAX);
	n += sc_too_long(ctx, sc->auth_username, SC_CRED_MAX);
	n += sc_too_long(ctx, sc->auth_password, SC_CRED_MAX);
	tlsdom = sc->tls_domain != NULL && *sc->tls_domain != '\0';
	basic = sc->smart_host_auth_mechanism == SC_AUTH_BASIC ||
	    sc->smart_host_auth_mechanism == SC_AUTH_BASIC_REQUIRE_TLS;
	if (sc->n_address_spaces == 0)
		n += sc_invalid(ctx, SC_RULE1);
	if (!dns && sc->smart_hosts.n == 0)
		n += sc_invalid(ctx, SC_RULE2);
	if (sc->source_ip_address != NULL &&
	    ex_ip_is_multicast_or_broadcast(sc->source_ip_address))
		n += sc_invalid(ctx, SC_RULE3);
	if (basic && !sc_has_cred(sc))
		n += sc_invalid(ctx, SC_RULE4);
	if (sc->domain_secure_enabled && !dns)
		n += sc_invalid(ctx, SC_RULE5);
	if (sc->domain_secure_enabled && sc->ignore_starttls)
		n += sc_invalid(ctx, SC_RULE6);
	if (sc->tls_auth_level != SC_TLSAUTH_NONE && !sc->require_tls)
		n += sc_invalid(ctx, SC_RULE7);
	if (sc->tls_auth_level != SC_TLSAUTH_NONE && sc->domain_secure_enabled)
		n += sc_invalid(ctx, SC_RULE8);
	if (tlsdom && sc->tls_auth_level != SC_TLSAUTH_DOMAIN_VALIDATION)
		n += sc_invalid(ctx, SC_RULE9);
	else if (!tlsdom && !dns &&
	    sc->tls_auth_level == SC_TLSAUTH_DOMAIN_VALIDATION)
		n += sc_invalid(ctx, SC_RULE10);
	return (n == 0 ? 0 : -1);
}

/* Warn about given source servers no transport server has registered. */
static void
sc_warn_servers(struct cmd_ctx *ctx, struct store *st,
    const struct send_connector *sc)
{
	size_t	i;

	if (!bound_has(ctx->args, "SourceTransportServers"))
		return;
	for (i = 0; i < sc->source_transport_servers.n; i++) {
		if (store_server_known(st, sc->source_transport_servers.v[i])
		    == 0)
			cmd_warning(ctx, SC_MSG_UNKNOWN,
			    sc->source_transport_servers.v[i]);
	}
}

/* Everything between applying the arguments and ShouldProcess. */
static int
sc_prepare(struct cmd_ctx *ctx, struct store *st, struct send_connector *sc,
    bool dns)
{
	if (sc_route(ctx, sc, &dns) != 0)
		return (-1);
	if (sc_checks(ctx, sc, dns) != 0)
		return (-1);
	if (sc_validate(ctx, sc, dns) != 0)
		return (-1);
	sc_warn_servers(ctx, st, sc);
	return (0);
}

/*
 * ShouldContinue.  Without a terminal to ask, hubsh goes ahead: scripts
 * run unattended, and -Force is the documented way to skip the question.
 * End of input answers No.
 */
static bool
sc_should_continue(struct cmd_ctx *ctx, const char *query)
{
	struct shell	*sh = ctx->sh;
	char		*line, *p;
	int		 answer = -1;

	if (!sh->can_prompt || sh->read_line == NULL)
		return (true);
	shell_flush(sh);
	fprintf(sh->out, "\nConfirm\n%s\n", query);
	fflush(sh->out);
	while (answer == -1) {
		if ((line = sh->read_line(sh, SC_CONTINUE_PROMPT,
		    false)) == NULL)
			return (false);
		for (p = line; isspace((unsigned char)*p); p++)
			/* nothing */;
		if (*p == '\0' || *p == 'y' || *p == 'Y')
			answer = 1;
		else if (*p == 'n' || *p == 'N')
			answer = 0;
		free(line);
	}
	return (answer == 1);
}

/*
 * Inside the transaction: is sc's name used by another connector?  0 no;
 * -1 yes (reported) or a store failure (*cause set).
 */
static int
sc_name_taken(struct cmd_ctx *ctx, struct store *st,
    const struct send_connector *sc, const char *self, char **cause)
{
	struct send_connector	*other;
	char			*dn;
	int			 r;

	if ((r = store_connector_find(st, sc->name, &other, cause)) == 1)
		return (0);
	if (r == -1)
		return (-1);
	r = 0;
	if (self == NULL || strcmp(other->guid, self) != 0) {
		dn = sc_dn(sc->name);
		sc_error(ctx, SC_ERR_EXISTS, SC_MSG_EXISTS,
		    store_server_name(st), dn);
		free(dn);
		r = -1;
	}
	send_connector_free(other);
	return (r);
}

/* The store call of one write; old is the connector before a Set. */
static int
sc_commit_op(struct cmd_ctx *ctx, struct store *st,
    const struct send_connector *old, struct send_connector *sc,
    enum sc_op op, char **cause)
{
	switch (op) {
	case SC_OP_INSERT:
		if (sc_name_taken(ctx, st, sc, NULL, cause) != 0)
			return (-1);
		return (store_connector_insert(st, sc, cause));
	case SC_OP_UPDATE:
		/* Only a rename can collide (the store's UNIQUE agrees). */
		if (bound_get_opt(ctx->args, "Name") != NULL &&
		    sc_name_taken(ctx, st, sc, sc->guid, cause) != 0)
			return (-1);
		return (store_connector_update(st, old, sc, cause));
	case SC_OP_DELETE:
		return (store_connector_delete(st, sc->guid, cause));
	}
	return (-1);
}

/*
 * One write in one transaction; on failure the store is unchanged.  A Set
 * passes the connector as it was read (old), so that only what it changed
 * is written.
 */
static int
sc_commit(struct cmd_ctx *ctx, struct store *st,
    const struct send_connector *old, struct send_connector *sc,
    enum sc_op op)
{
	char	*cause = NULL;
	bool	 own;

	cmd_verbose(ctx, "%s Send connector \"%s\" in %s.",
	    op == SC_OP_DELETE ? "Removing" : "Saving", sc->name,
	    store_path(st));
	/* Set-SendConnector's write joins the transaction it read in. */
	own = !store_in_txn(st);
	if (own && store_begin(st, &cause) != 0)
		return (sc_store_failed(ctx, cause));
	if (sc_commit_op(ctx, st, old, sc, op, &cause) == 0 &&
	    (!own || store_commit(st, &cause) == 0))
		return (0);
	if (own)
		store_rollback(st);
	if (cause != NULL)
		return (sc_store_failed(ctx, cause));
	return (-1);
}

/* Set changed nothing (Exchange's IsChanged). */
static bool
sc_equal(const struct send_connector *a, const struct send_connector *b)
{
	const struct param_entry	*p;

	for (p = sc_set_params; p->name != NULL; p++) {
		if (p->member != 0 && *(const bool *)((const char *)a +
		    p->member) != *(const bool *)((const char *)b + p->member))
			return (false);
	}
	return (sc_streq(a->name, b->name) && send_connector_same_spaces(a, b) &&
	    sc_strlist_equal(&a->smart_hosts, &b->smart_hosts) &&
	    sc_strlist_equal(&a->source_transport_servers,
	    &b->source_transport_servers) &&
	    sc_streq(a->comment, b->comment) && sc_streq(a->fqdn, b->fqdn) &&
	    sc_streq(a->source_ip_address, b->source_ip_address) &&
	    sc_streq(a->tls_domain, b->tls_domain) &&
	    sc_streq(a->tls_certificate_name, b->tls_certificate_name) &&
	    sc_streq(a->auth_username, b->auth_username) &&
	    sc_streq(a->auth_password, b->auth_password) &&
	    a->connector_type == b->connector_type &&
	    a->connection_inactivity_timeout ==
	    b->connection_inactivity_timeout &&
	    a->error_policies == b->error_policies &&
	    a->max_message_size == b->max_message_size &&
	    a->port == b->port &&
	    a->protocol_logging_level == b->protocol_logging_level &&
	    a->smart_host_auth_mechanism == b->smart_host_auth_mechanism &&
	    a->smtp_max_messages_per_connection ==
	    b->smtp_max_messages_per_connection &&
	    a->queue_alert_age == b->queue_alert_age &&
	    a->queue_alert_message_count == b->queue_alert_message_count &&
	    a->smtp_dane_mode == b->smtp_dane_mode &&
	    a->mta_sts_mode == b->mta_sts_mode &&
	    a->tls_auth_level == b->tls_auth_level);
}

/* The usage type of New: -Usage or one switch, at most one of them. */
static int
sc_new_usage(struct cmd_ctx *ctx, enum sc_usage *usage)
{
	size_t	i, count = 0;

	*usage = SC_USAGE_CUSTOM;
	for (i = 0; sc_usage_choices[i].name != NULL; i++) {
		if (bound_switch(ctx->args, sc_usage_choices[i].name)) {
			*usage = sc_usage_choices[i].code;
			count++;
		}
	}
	if (bound_has(ctx->args, "Usage")) {
		*usage = bound_code(ctx->args, "Usage", *usage,
		    SC_USAGE_CUSTOM);
		count++;
	}
	if (count > 1) {
		sc_error(ctx, SC_ERR_ARGUMENT, SC_MSG_USAGE);
		return (-1);
	}
	return (0);
}

/* ShouldProcess for New, then the -Enabled $false question. */
static bool
sc_new_confirm(struct cmd_ctx *ctx, const struct send_connector *sc)
{
	struct buf	 b;
	struct value	*v;
	char		*s;
	size_t		 i;
	bool		 go;

	buf_init(&b);
	buf_addf(&b, "Creating Send Connector \"%s\", Address Spaces \"",
	    sc->name);
	for (i = 0; i < sc->n_address_spaces; i++) {
		s = ex_address_space_format(&sc->address_spaces[i]);
		buf_addf(&b, "%s'%s'", i == 0 ? "" : ", ", s);
		free(s);
	}
	buf_adds(&b, "\".");
	go = cmd_should_process(ctx, b.s);
	buf_free(&b);
	if (!go)
		return (false);
	v = bound_get(ctx->args, "Enabled");
	if (v != NULL && !value_truthy(v) && !bound_switch(ctx->args, "Force"))
		return (sc_should_continue(ctx, SC_DISABLE_QUERY));
	return (true);
}

/* New-SendConnector. */
static int
cmd_new_sendconnector_exec(struct cmd_ctx *ctx)
{
	struct store		*st;
	struct send_connector	 sc;
	enum sc_usage		 usage;
	bool			 dns;
	int			 r = -1;

	if (sc_legacy(ctx) != 0 || sc_new_usage(ctx, &usage) != 0)
		return (-1);
	if (sc_open(ctx, &st) != 0)
		return (-1);
	/* Usage defaults (§1.3: Internal unlimited, Partner domain secure)
	 * come from send_connector_init; given arguments override them. */
	send_connector_init(&sc, usage, store_server_name(st));
	if (sc_apply(ctx, &sc) != 0)
		goto out;
	dns = usage == SC_USAGE_PARTNER || sc.smart_hosts.n == 0;
	if (sc_prepare(ctx, st, &sc, dns) != 0)
		goto out;
	r = 0;
	if (!sc_new_confirm(ctx, &sc))
		goto out;
	if ((r = sc_commit(ctx, st, NULL, &sc, SC_OP_INSERT)) == 0)
		cmd_emit(ctx, sendconnector_object(&sc));
out:
	send_connector_clear(&sc);
	return (r);
}

/* Set-SendConnector on one connector. */
static void
sc_set_one(struct cmd_ctx *ctx, struct store *st, struct send_connector *sc,
    const char *label)
{
	struct send_connector	*old;
	char			*desc;

	old = send_connector_dup(sc);
	if (sc_apply(ctx, sc) != 0 ||
	    sc_prepare(ctx, st, sc, SC_DNS_ROUTING(old)) != 0)
		goto out;
	if (sc_equal(old, sc)) {
		cmd_warning(ctx, SC_MSG_NOCHANGE, label);
		goto out;
	}
	desc = xprintf("Configuring Send connector \"%s\".", label);
	if (cmd_should_process(ctx, desc))
		sc_commit(ctx, st, old, sc, SC_OP_UPDATE);
	free(desc);
out:
	send_connector_free(old);
}

/* Set-SendConnector. */
static int
cmd_set_sendconnector_exec(struct cmd_ctx *ctx)
{
	struct store	*st;

	if (sc_legacy(ctx) != 0 || sc_open(ctx, &st) != 0)
		return (-1);
	sc_for_each(ctx, st, sc_set_one, true);
	return (ctx->failed ? -1 : 0);
}

/* Get-SendConnector on one connector. */
static void
sc_get_one(struct cmd_ctx *ctx, __attribute__((unused)) struct store *st,
    struct send_connector *sc, __attribute__((unused)) const char *label)
{
	cmd_emit(ctx, sendconnector_object(sc));
}

/* Get-SendConnector: one connector, or all ordered by name. */
static int
cmd_get_sendconnector_exec(struct cmd_ctx *ctx)
{
	struct store		 *st;
	struct send_connector	**list;
	struct value		 *id;
	char			 *cause = NULL;
	size_t			  i, n;

	if (sc_open(ctx, &st) != 0)
		return (-1);
	id = bound_get(ctx->args, "Identity");
	if (ctx->piped && ctx->ninput == 0 && id == NULL)
		return (0);
	if (ctx->ninput > 0 || (id != NULL && id->type != V_NULL)) {
		sc_for_each(ctx, st, sc_get_one, false);
		return (ctx->failed ? -1 : 0);
	}
	if (store_connector_list(st, &list, &n, &cause) != 0)
		return (sc_store_failed(ctx, cause));
	/* Each connector is freed once made an object: less memory held. */
	for (i = 0; i < n; i++) {
		cmd_emit(ctx, sendconnector_object(list[i]));
		send_connector_free(list[i]);
		list[i] = NULL;
	}
	store_connector_list_free(list, n);
	return (0);
}

/* Remove-SendConnector on one connector. */
static void
sc_remove_one(struct cmd_ctx *ctx, struct store *st, struct send_connector *sc,
    const char *label)
{
	char	*desc;

	desc = xprintf("Removing Send connector \"%s\".", label);
	if (cmd_should_process(ctx, desc))
		sc_commit(ctx, st, NULL, sc, SC_OP_DELETE);
	free(desc);
}

/* Remove-SendConnector. */
static int
cmd_remove_sendconnector_exec(struct cmd_ctx *ctx)
{
	struct store	*st;

	if (sc_open(ctx, &st) != 0)
		return (-1);
	sc_for_each(ctx, st, sc_remove_one, false);
	return (ctx->failed ? -1 : 0);
}

/*
 * RunspaceId: one random version 4 GUID per process, on every object of
 * the session (the queue and tracking objects too).
 */
const char *
shell_runspace_id(void)
{
	static char	id[37];

	if (id[0] == '\0')
		dotnet_guid_text(id);
	return (id);
}

/* A string value, or $null. */
static struct value *
sc_str(const char *s)
{
	return (s != NULL ? value_string(s) : value_null());
}

/* A string list as an array. */
static struct value *
sc_strlist_value(const struct sc_strlist *l)
{
	struct value	*a;
	size_t		 i;

	a = value_array();
	for (i = 0; i < l->n; i++)
		value_array_push(a, value_string(l->v[i]));
	return (a);
}

/*
 * A date.  V_DATE has no DateTimeKind: it is an instant shown in local
 * time.  A .NET DateTime of kind Utc shows (and compares by) the UTC wall
 * clock, so the *UTC properties are shifted by the local offset.
 */
static struct value *
sc_date(int64_t secs, bool utc)
{
	struct tm	tm;
	time_t		t = (time_t)secs;

	if (utc && localtime_r(&t, &tm) != NULL)
		secs -= tm.tm_gmtoff;
	return (value_date(secs * 1000000));
}

/* An enumeration's name, or $null: made for sc_memo. */
static struct value *
sc_tls_value(int64_t v)
{
	return (sc_str(choice_name(sc_tls_choices, (int)v)));
}

static struct value *
sc_auth_value(int64_t v)
{
	return (sc_str(choice_name(sc_auth_choices, (int)v)));
}

static struct value *
sc_log_value(int64_t v)
{
	return (sc_str(choice_name(sc_log_choices, (int)v)));
}

static struct value *
sc_conntype_value(int64_t v)
{
	return (sc_str(choice_name(sc_conntype_choices, (int)v)));
}

static struct value *
sc_dane_value(int64_t v)
{
	return (sc_str(choice_name(sc_dane_choices, (int)v)));
}

static struct value *
sc_sts_value(int64_t v)
{
	return (sc_str(choice_name(sc_sts_choices, (int)v)));
}

static struct value *
sc_errpol_value(int64_t v)
{
	return (value_string_take(sc_flags_name((int)v)));
}

static struct value *
sc_timespan_value(int64_t v)
{
	return (value_string_take(ex_timespan_format(v)));
}

static struct value *
sc_size_value(int64_t v)
{
	return (value_string_take(ex_size_format(v)));
}

/*
 * The value made from key, kept for the next connector: most connectors
 * share their size limit, time-out and enumeration settings, and making
 * these texts was a large part of building an object.  Sharing is safe
 * because values are immutable.
 */
static struct value *
sc_memo(struct sc_memo *m, int64_t key, struct value *(*make)(int64_t))
{
	if (m->v == NULL || m->key != key) {
		value_unref(m->v);
		m->v = make(key);
		m->key = key;
	}
	return (value_ref(m->v));
}

/* Make the values every connector object shares, once. */
static void
sc_shared_init(void)
{
	struct value	*a;

	if (sc_shared.empty != NULL)
		return;
	sc_shared.empty = value_string("");
	sc_shared.runspace = value_string(shell_runspace_id());
	sc_shared.credential = value_string(TN_CREDENTIAL);
	sc_shared.no_domains = value_array();
	sc_shared.routing_group = value_string(SC_ROUTING_GROUP);
	sc_shared.home_mta = value_string("Microsoft MTA");
	sc_shared.version = value_string("0.1 (8.0.535.0)");
	sc_shared.category = value_string(SC_OBJECT_CATEGORY);
	a = value_array();
	value_array_push(a, value_string("top"));
	value_array_push(a, value_string("mailGateway"));
	value_array_push(a, value_string("msExchRoutingSMTPConnector"));
	sc_shared.object_class = a;
	sc_shared.unchanged = value_string("Unchanged");
}

/* SmtpSendConnectorConfig's own properties, first half. */
static void
sc_object_smtp(struct value *v, const struct send_connector *sc)
{
	object_add_const(v, "DNSRoutingEnabled",
	    value_bool(SC_DNS_ROUTING(sc)));
	object_add_const(v, "TlsDomain", sc_str(sc->tls_domain));
	object_add_const(v, "TlsAuthLevel", sc_memo(&sc_memos.tls_auth,
	    sc->tls_auth_level, sc_tls_value));
	object_add_const(v, "ErrorPolicies", sc_memo(&sc_memos.error_policies,
	    sc->error_policies, sc_errpol_value));
	object_add_const(v, "SmartHosts", sc_strlist_value(&sc->smart_hosts));
	object_add_const(v, "Port", value_int(sc->port));
	object_add_const(v, "ConnectionInactivityTimeOut",
	    sc_memo(&sc_memos.idle_timeout, sc->connection_inactivity_timeout,
	    sc_timespan_value));
	object_add_const(v, "ForceHELO", value_bool(sc->force_helo));
	object_add_const(v, "FrontendProxyEnabled",
	    value_bool(sc->frontend_proxy_enabled));
	object_add_const(v, "IgnoreSTARTTLS", value_bool(sc->ignore_starttls));
	object_add_const(v, "CloudServicesMailEnabled",
	    value_bool(sc->cloud_services_mail_enabled));
	object_add_const(v, "Fqdn", sc_str(sc->fqdn));
	object_add_const(v, "TlsCertificateName",
	    sc_str(sc->tls_certificate_name));
	object_add_const(v, "RequireTLS", value_bool(sc->require_tls));
	object_add_const(v, "RequireOorg", value_bool(sc->require_oorg));
	object_add_const(v, "Enabled", value_bool(sc->enabled));
}

/* SmtpSendConnectorConfig's own properties, second half. */
static void
sc_object_tls(struct value *v, const struct send_connector *sc)
{
	struct buf	b;
	size_t		i;

	object_add_const(v, "ProtocolLoggingLevel", sc_memo(&sc_memos.logging,
	    sc->protocol_logging_level, sc_log_value));
	object_add_const(v, "SmartHostAuthMechanism",
	    sc_memo(&sc_memos.auth_mechanism, sc->smart_host_auth_mechanism,
	    sc_auth_value));
	object_add_const(v, "AuthenticationCredential", sc_has_cred(sc) ?
	    value_ref(sc_shared.credential) : value_null());
	object_add_const(v, "UseExternalDNSServersEnabled",
	    value_bool(sc->use_external_dns_servers_enabled));
	object_add_const(v, "DomainSecureEnabled",
	    value_bool(sc->domain_secure_enabled));
	object_add_const(v, "SourceIPAddress", sc_str(sc->source_ip_address));
	object_add_const(v, "SmtpMaxMessagesPerConnection",
	    value_int(sc->smtp_max_messages_per_connection));
	buf_init(&b);
	for (i = 0; i < sc->smart_hosts.n; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		buf_adds(&b, sc->smart_hosts.v[i]);
	}
	object_add_const(v, "SmartHostsString",
	    value_string_take(buf_detach(&b)));
	object_add_const(v, "ConnectorType", sc_memo(&sc_memos.connector_type,
	    sc->connector_type, sc_conntype_value));
	object_add_const(v, "QueueAlertAge", sc->queue_alert_age ==
	    ALERT_SERVER ? value_null() : sc->queue_alert_age ==
	    ALERT_UNLIMITED ? value_string("Unlimited") :
	    sc_timespan_value(sc->queue_alert_age));
	object_add_const(v, "QueueAlertMessageCount",
	    sc->queue_alert_message_count == ALERT_SERVER ? value_null() :
	    sc->queue_alert_message_count == ALERT_UNLIMITED ?
	    value_string("Unlimited") :
	    value_int(sc->queue_alert_message_count));
	object_add_const(v, "MtaStsMode", sc_memo(&sc_memos.sts_mode,
	    sc->mta_sts_mode, sc_sts_value));
	object_add_const(v, "SmtpDaneMode", sc_memo(&sc_memos.dane_mode,
	    sc->smtp_dane_mode, sc_dane_value));
}

/* MailGateway and SendConnector properties. */
static void
sc_object_gateway(struct value *v, const struct send_connector *sc)
{
	struct value	*a;
	size_t		 i;

	a = value_array();
	for (i = 0; i < sc->n_address_spaces; i++) {
		value_array_push(a, value_string_take(
		    ex_address_space_format(&sc->address_spaces[i])));
	}
	object_add_const(v, "AddressSpaces", a);
	object_add_const(v, "ConnectedDomains",
	    value_ref(sc_shared.no_domains));
	object_add_const(v, "IsScopedConnector",
	    value_bool(sc->is_scoped_connector));
	object_add_const(v, "IsSmtpConnector", value_bool(true));
	object_add_const(v, "Comment", sc->comment != NULL &&
	    *sc->comment != '\0' ? value_string(sc->comment) :
	    value_ref(sc_shared.empty));
	object_add_const(v, "SourceRoutingGroup",
	    value_ref(sc_shared.routing_group));
	object_add_const(v, "SourceTransportServers",
	    sc_strlist_value(&sc->source_transport_servers));
	object_add_const(v, "HomeMTA", value_ref(sc_shared.home_mta));
	object_add_const(v, "HomeMtaServerId", sc_str(
	    sc->source_transport_servers.n > 0 ?
	    sc->source_transport_servers.v[0] : NULL));
	object_add_const(v, "MaxMessageSize", sc_memo(&sc_memos.size,
	    sc->max_message_size, sc_size_value));
}

/* ADObject and ConfigurableObject properties. */
static void
sc_object_ad(struct value *v, const struct send_connector *sc)
{
	struct value	*name;
	const char	*origin;

	origin = sc_server;
	if (origin == NULL && sc->source_transport_servers.n > 0)
		origin = sc->source_transport_servers.v[0];
	name = value_string(sc->name);
	object_add_const(v, "AdminDisplayName", value_null());
	object_add_const(v, "ExchangeVersion", value_ref(sc_shared.version));
	object_add_const(v, "Name", name);
	object_add_const(v, "DistinguishedName",
	    value_string_take(sc_dn(sc->name)));
	object_add_const(v, "Identity", value_ref(name));
	object_add_const(v, "Guid", value_string(sc->guid));
	object_add_const(v, "ObjectCategory", value_ref(sc_shared.category));
	object_add_const(v, "ObjectClass", value_ref(sc_shared.object_class));
	object_add_const(v, "WhenChanged", sc_date(sc->when_changed, false));
	object_add_const(v, "WhenCreated", sc_date(sc->when_created, false));
	object_add_const(v, "WhenChangedUTC", sc_date(sc->when_changed, true));
	object_add_const(v, "WhenCreatedUTC", sc_date(sc->when_created, true));
	object_add_const(v, "OrganizationId", value_ref(sc_shared.empty));
	object_add_const(v, "Id", value_ref(name));
	object_add_const(v, "OriginatingServer", value_string(origin != NULL ?
	    origin : ""));
	object_add_const(v, "IsValid", value_bool(true));
	object_add_const(v, "ObjectState", value_ref(sc_shared.unchanged));
}

/*
 * The shell object of a connector (§2).  Properties are added in the full
 * declaration order (B) of §2.3, which `fl *` shows; the view's list is
 * the curated order (A) that plain `fl` shows.
 *
 * Choices where the reference is silent:
 *  - (A) for 2016/2019 is the 2010 list minus IsCoexistenceConnector and
 *    LinkedReceiveConnector, plus CloudServicesMailEnabled after
 *    AuthenticationCredential, ConnectorType after
 *    ConnectionInactivityTimeOut, FrontendProxyEnabled after Fqdn, and
 *    TlsCertificateName between TlsAuthLevel and TlsDomain (alphabetical).
 *  - In (B), ConnectorType (new in 2016) is appended to the class's own
 *    properties, after SmartHostsString; CertificateSubject is left out.
 *  - hubsh's own QueueAlertAge and QueueAlertMessageCount, then
 *    MtaStsMode and SmtpDaneMode (Exchange Online's Outbound connectors
 *    have them, in that order), come after Exchange's properties in (A)
 *    and after ConnectorType in (B), so that Exchange's order is kept up
 *    to them.
 *  - Sizes and time spans are strings, as in the deserialized objects the
 *    EMS returns.  OriginatingServer is the local server (Exchange shows
 *    the DC it read from, which hubsh does not have).
 *
 * A Get of many connectors builds many objects: property names are
 * constants, not copies, and values that repeat are shared (sc_shared,
 * sc_memo).
 */
struct value *
sendconnector_object(const struct send_connector *sc)
{
	struct value	*v;

	sc_shared_init();
	v = value_object(SC_TYPE_NAME, &sc_view);
	object_reserve(v, SC_NPROPS);
	v->u.obj->key = xstrdup(sc->guid);
	v->u.obj->text = xstrdup(sc->name);
	object_add_const(v, "RunspaceId", value_ref(sc_shared.runspace));
	sc_object_smtp(v, sc);
	sc_object_tls(v, sc);
	sc_object_gateway(v, sc);
	sc_object_ad(v, sc);
	return (v);
}
