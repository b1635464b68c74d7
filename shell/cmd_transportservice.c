/*
 * cmd_transportservice.c - Get-TransportService and Set-TransportService.
 *
 * This server's transport settings, kept in the store (store_transport_get
 * / store_transport_set) and read by hubd at every reload.  The object is
 * Exchange 2013+'s TransportServer, every property in its declaration
 * order (ts_props[]); the parameters are every one of Exchange 2019's
 * Set-TransportService page, with its types and ranges (ts_set_params[],
 * alphabetical as the page lists them).
 *
 * Three kinds of property:
 *  - settings hubd honours, stored: the retry schedule, expiry, delay
 *    notices, the connection limits, QueueMaxIdleTime, the Pickup
 *    directory's limits, the message tracking log's switches and age, the
 *    send protocol log's directory, age and sizes;
 *  - settings without a meaning for hubd (Active Directory, mailboxes,
 *    agents, logs hubd does not write, ...): their parameters bind with
 *    Exchange's types, so that help shows them and a bad value gets the
 *    binder's error, and are then refused as a whole (TS_REFUSED leads
 *    their help line, and the rest of it is the reason the error gives);
 *    Get shows what hubd does in Exchange's terms: a log hubd does not
 *    write is off (Enabled $false, Path $null) with Exchange's ages and
 *    sizes, a feature it lacks is off, the rest Exchange's defaults, and
 *    the settings reserved for internal Microsoft use, whose defaults
 *    Exchange does not publish, are empty;
 *  - read-only properties, shown the same way.
 *
 * Identity is optional: Get lists every transport server, the local one
 * (--server, else the host name) and each whose hubd registered itself
 * in the store; Set changes the local one (the registry's servers, as
 * Get-ExchangeServer has them: exchangeserver_for_each).  Any other name
 * is Exchange's not-found error.  A Set reads the settings, applies the
 * arguments, and, if anything changed and ShouldProcess agrees, writes
 * them in one transaction that reads them again (so that a concurrent
 * Set of another setting is kept).  Ranges are checked by the binder: a
 * bad value changes nothing.
 *
 * hubsh's choices: ExternalDelayDsnEnabled, a Set-TransportConfig
 * setting in Exchange 2013+, is a setting of this object; Unlimited of
 * MaxOutboundConnections and MaxPerDomainOutboundConnections is stored
 * as 2147483647 (hubd needs a number) and shown as Unlimited;
 * SendProtocolLogPath $null is hubd's default, <state-dir>/log/SmtpSend
 * (Exchange's $null turns the log off); DomainController is accepted and
 * ignored, as by every Exchange cmdlet of hubsh.
 */
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "extype.h"
#include "shell.h"
#include "store.h"
#include "xmalloc.h"

#define TS_TYPE_NAME	"Microsoft.Exchange.Data.Directory.Management." \
    "TransportServer"
#define TS_CLASS_BASE	"Microsoft.Exchange.Management.SystemConfigurationTasks."
#define TS_TN_TASKS	"Microsoft.Exchange.Configuration.Tasks."
#define TS_TN_DATA	"Microsoft.Exchange.Data."

#define TS_MSG_NOCHANGE	"The command completed successfully but no " \
    "settings of '%s' have been modified."
#define TS_MSG_CONFIRM	"Configuring transport server \"%s\"."
#define TS_MSG_REFUSED	"The %s parameter isn't supported by hubsh: %s"
#define TS_MSG_TOOLONG	"The length of the property is too long. The " \
    "maximum length is %d and the length of the value provided is %zu."
#define TS_MSG_CONTROL	"The %s parameter can't contain control characters."
#define TS_TEXT_MAX	256	/* characters of a TLS-RPT text */

#define TS_UNLIMITED	2147483647	/* Max*OutboundConnections */
#define TS_AGE_MAX	2147483647	/* 24855.03:14:07 */
#define TS_LOG_MAX	999999999999999LL	/* protocol log sizes */
#define TS_MB		1048576LL

/* How a property is typed, stored and shown. */
enum ts_kind {
	/* A setting hubd honours, at off in struct transport_settings. */
	TS_K_INT,	/* int */
	TS_K_SPAN,	/* int seconds, shown as a time span */
	TS_K_BOOL,	/* bool */
	TS_K_UNLIMITED,	/* int, TS_UNLIMITED shown as Unlimited */
	TS_K_SPAN_UNLIMITED,	/* int seconds, or TS_UNLIMITED */
	TS_K_BYTES,	/* int bytes, shown as a size */
	TS_K_SIZE,	/* int64_t bytes, -1 shown as Unlimited */
	TS_K_PATH,	/* char *, NULL shown as $null */
	/* What hubd does in Exchange's terms: n or s. */
	TS_F_BOOL,
	TS_F_INT,
	TS_F_SPAN,	/* n seconds */
	TS_F_SIZE,	/* n bytes, -1 Unlimited */
	TS_F_TEXT,
	TS_F_NULL,
	TS_F_EMPTY,	/* an empty list */
	TS_F_STATE	/* s under hubd's state directory */
};

struct ts_prop {
	const char	*name;
	enum ts_kind	 kind;
	size_t		 off;
	int64_t		 n;
	const char	*s;
};

#define TS_STORED(k)	((k) < TS_F_BOOL)

#define TS_S(n, k, m) \
	{ n, k, offsetof(struct transport_settings, m), 0, NULL }
#define TS_FB(n, v)	{ n, TS_F_BOOL, 0, v, NULL }
#define TS_FI(n, v)	{ n, TS_F_INT, 0, v, NULL }
#define TS_FSPAN(n, v)	{ n, TS_F_SPAN, 0, v, NULL }
#define TS_FSIZE(n, v)	{ n, TS_F_SIZE, 0, v, NULL }
#define TS_FTEXT(n, v)	{ n, TS_F_TEXT, 0, 0, v }
#define TS_FNULL(n)	{ n, TS_F_NULL, 0, 0, NULL }
#define TS_FEMPTY(n)	{ n, TS_F_EMPTY, 0, 0, NULL }
#define TS_FSTATE(n, v)	{ n, TS_F_STATE, 0, 0, v }
/* A log hubd does not write: Exchange's age and sizes, no path. */
#define TS_LOG(f, age, dir, file) \
	TS_FSPAN(f "MaxAge", (age) * 86400), \
	TS_FSIZE(f "MaxDirectorySize", (dir) * TS_MB), \
	TS_FSIZE(f "MaxFileSize", (file) * TS_MB), TS_FNULL(f "Path")
/* ... with its switch, off, first or last. */
#define TS_LOG_E(f, age, dir, file) \
	TS_FB(f "Enabled", 0), TS_LOG(f, age, dir, file)
#define TS_LOG_L(f, age, dir, file) \
	TS_LOG(f, age, dir, file), TS_FB(f "Enabled", 0)
/* One reserved for internal Microsoft use: no defaults known, off. */
#define TS_LOG_N(f) \
	TS_FNULL(f "MaxAge"), TS_FNULL(f "MaxDirectorySize"), \
	TS_FNULL(f "MaxFileSize"), TS_FNULL(f "Path")
#define TS_LOG_R(f)	TS_LOG_N(f), TS_FB(f "Enabled", 0)

/*
 * The object's properties after RunspaceId, in TransportServer's
 * declaration order (Exchange 2013 CU23's, less what Exchange 2016
 * dropped; the logs 2016 added, RequestBroker and TransportHttp, after
 * the others of their kind), then hubsh's ExternalDelayDsnEnabled, its
 * queue alert thresholds and its TLS-RPT settings.
 */
static const struct ts_prop ts_props[] = {
	TS_FB("AntispamAgentsEnabled", 0),
	TS_LOG_E("ConnectivityLog", 30, 1000, 10),
	TS_S("DelayNotificationTimeout", TS_K_SPAN,
	    delay_notification_timeout),
	TS_FB("ExternalDNSAdapterEnabled", 1),
	TS_FTEXT("ExternalDNSAdapterGuid",
	    "00000000-0000-0000-0000-000000000000"),
	TS_FTEXT("ExternalDNSProtocolOption", "Any"),
	TS_FEMPTY("ExternalDNSServers"),
	TS_FNULL("ExternalIPAddress"),
	TS_FB("InternalDNSAdapterEnabled", 1),
	TS_FTEXT("InternalDNSAdapterGuid",
	    "00000000-0000-0000-0000-000000000000"),
	TS_FTEXT("InternalDNSProtocolOption", "Any"),
	TS_FEMPTY("InternalDNSServers"),
	TS_FI("MaxConcurrentMailboxDeliveries", 20),
	TS_FI("MaxConcurrentMailboxSubmissions", 20),
	TS_FI("MaxConnectionRatePerMinute", 1200),
	TS_S("MaxOutboundConnections", TS_K_UNLIMITED,
	    max_outbound_connections),
	TS_S("MaxPerDomainOutboundConnections", TS_K_UNLIMITED,
	    max_per_domain_outbound_connections),
	TS_S("MessageExpirationTimeout", TS_K_SPAN, message_expiration_timeout),
	TS_S("MessageRetryInterval", TS_K_SPAN, message_retry_interval),
	TS_S("MessageTrackingLogEnabled", TS_K_BOOL,
	    message_tracking_log_enabled),
	TS_S("MessageTrackingLogMaxAge", TS_K_SPAN,
	    message_tracking_log_max_age),
	TS_FSIZE("MessageTrackingLogMaxDirectorySize", 1000 * TS_MB),
	TS_FSIZE("MessageTrackingLogMaxFileSize", 10 * TS_MB),
	TS_FSTATE("MessageTrackingLogPath", "/queue.db"),
	TS_LOG_E("IrmLog", 30, 250, 10),
	TS_LOG("ActiveUserStatisticsLog", 30, 250, 10),
	TS_LOG("ServerStatisticsLog", 30, 250, 10),
	TS_S("MessageTrackingLogSubjectLoggingEnabled", TS_K_BOOL,
	    message_tracking_log_subject_logging_enabled),
	TS_S("OutboundConnectionFailureRetryInterval", TS_K_SPAN,
	    outbound_connection_failure_retry_interval),
	TS_FTEXT("IntraOrgConnectorProtocolLoggingLevel", "None"),
	TS_S("PickupDirectoryMaxHeaderSize", TS_K_BYTES,
	    pickup_directory_max_header_size),
	TS_S("PickupDirectoryMaxMessagesPerMinute", TS_K_INT,
	    pickup_directory_max_messages_per_minute),
	TS_S("PickupDirectoryMaxRecipientsPerMessage", TS_K_INT,
	    pickup_directory_max_recipients_per_message),
	TS_FSTATE("PickupDirectoryPath", "/pickup"),
	TS_FB("PipelineTracingEnabled", 0),
	TS_FB("ContentConversionTracingEnabled", 0),
	TS_FNULL("PipelineTracingPath"),
	TS_FNULL("PipelineTracingSenderAddress"),
	TS_FB("PoisonMessageDetectionEnabled", 0),
	TS_FI("PoisonThreshold", 2),
	TS_S("QueueMaxIdleTime", TS_K_SPAN, queue_max_idle_time),
	TS_LOG("ReceiveProtocolLog", 30, 250, 10),
	TS_FB("RecipientValidationCacheEnabled", 0),
	TS_FNULL("ReplayDirectoryPath"),
	TS_FNULL("RootDropDirectoryPath"),
	TS_FSPAN("RoutingTableLogMaxAge", 7 * 86400),
	TS_FSIZE("RoutingTableLogMaxDirectorySize", 50 * TS_MB),
	TS_FNULL("RoutingTableLogPath"),
	TS_S("SendProtocolLogMaxAge", TS_K_SPAN, send_protocol_log_max_age),
	TS_S("SendProtocolLogMaxDirectorySize", TS_K_SIZE,
	    send_protocol_log_max_directory_size),
	TS_S("SendProtocolLogMaxFileSize", TS_K_SIZE,
	    send_protocol_log_max_file_size),
	TS_S("SendProtocolLogPath", TS_K_PATH, send_protocol_log_path),
	TS_S("TransientFailureRetryCount", TS_K_INT,
	    transient_failure_retry_count),
	TS_S("TransientFailureRetryInterval", TS_K_SPAN,
	    transient_failure_retry_interval),
	TS_FB("AntispamUpdatesEnabled", 0),
	TS_FNULL("InternalTransportCertificateThumbprint"),
	TS_FB("TransportSyncEnabled", 0),
	TS_FB("TransportSyncPopEnabled", 0),
	TS_FB("WindowsLiveHotmailTransportSyncEnabled", 0),
	TS_FB("TransportSyncExchangeEnabled", 0),
	TS_FB("TransportSyncImapEnabled", 0),
	TS_FB("TransportSyncLogEnabled", 0),
	TS_FNULL("TransportSyncLogFilePath"),
	TS_FTEXT("TransportSyncLogLoggingLevel", "None"),
	TS_FNULL("TransportSyncLogMaxAge"),
	TS_FNULL("TransportSyncLogMaxDirectorySize"),
	TS_FNULL("TransportSyncLogMaxFileSize"),
	TS_FB("TransportSyncHubHealthLogEnabled", 0),
	TS_FNULL("TransportSyncHubHealthLogFilePath"),
	TS_FNULL("TransportSyncHubHealthLogMaxAge"),
	TS_FNULL("TransportSyncHubHealthLogMaxDirectorySize"),
	TS_FNULL("TransportSyncHubHealthLogMaxFileSize"),
	TS_FB("TransportSyncAccountsPoisonDetectionEnabled", 0),
	TS_FNULL("TransportSyncAccountsPoisonAccountThreshold"),
	TS_FNULL("TransportSyncAccountsPoisonItemThreshold"),
	TS_FNULL("TransportSyncAccountsSuccessivePoisonItemThreshold"),
	TS_FNULL("TransportSyncRemoteConnectionTimeout"),
	TS_FNULL("TransportSyncMaxDownloadSizePerItem"),
	TS_FNULL("TransportSyncMaxDownloadSizePerConnection"),
	TS_FNULL("TransportSyncMaxDownloadItemsPerConnection"),
	TS_FB("UseDowngradedExchangeServerAuth", 0),
	TS_FI("IntraOrgConnectorSmtpMaxMessagesPerConnection", 20),
	TS_LOG("QueueLog", 7, 200, 10),
	TS_LOG_N("WlmLog"),
	TS_LOG_L("AgentLog", 7, 250, 10),
	TS_LOG_R("FlowControlLog"),
	TS_LOG_R("ProcessingSchedulerLog"),
	TS_LOG_R("ResourceLog"),
	TS_LOG_L("DnsLog", 7, 100, 10),
	TS_LOG_R("JournalLog"),
	TS_LOG_R("TransportMaintenanceLog"),
	TS_LOG_R("RequestBrokerLog"),
	TS_LOG_R("TransportHttpLog"),
	TS_S("ExternalDelayDsnEnabled", TS_K_BOOL, external_delay_dsn_enabled),
	TS_S("QueueAlertAge", TS_K_SPAN_UNLIMITED, queue_alert_age),
	TS_S("QueueAlertMessageCount", TS_K_UNLIMITED,
	    queue_alert_message_count),
	TS_S("TlsRptEnabled", TS_K_BOOL, tls_rpt_enabled),
	TS_S("TlsRptOrganizationName", TS_K_PATH, tls_rpt_organization_name),
	TS_S("TlsRptContactInfo", TS_K_PATH, tls_rpt_contact_info)
};
#define TS_NPROPS	(sizeof ts_props / sizeof ts_props[0])

static int	 cmd_get_transportservice_exec(struct cmd_ctx *);
static int	 cmd_set_transportservice_exec(struct cmd_ctx *);
static int	 ts_refused(struct cmd_ctx *);
static int	 ts_text_check(struct cmd_ctx *);
static void	 ts_apply(struct cmd_ctx *, struct transport_settings *);
static void	 ts_copy(struct transport_settings *,
		    const struct transport_settings *);
static bool	 ts_equal(const struct transport_settings *,
		    const struct transport_settings *);
static struct value *ts_stored_value(const struct transport_settings *,
		    const struct ts_prop *);
static struct value *ts_fixed_value(const struct ts_prop *, const char *);
static struct value *ts_object(const struct transport_settings *,
		    const char *);
static void	 ts_get_one(struct cmd_ctx *, struct store *,
		    const struct server_info *);
static int	 ts_write(struct cmd_ctx *, struct store *, const char *);
static void	 ts_set_one(struct cmd_ctx *, struct store *,
		    const struct server_info *);

static const struct choice ts_unlimited_choice[] = {
	{ "Unlimited", 0 }, { NULL, 0 }
};
static const struct choice ts_protocol_option_choices[] = {
	{ "Any", 0 }, { "UseUdpOnly", 1 }, { "UseTcpOnly", 2 }, { NULL, 0 }
};
static const struct choice ts_logging_level_choices[] = {
	{ "None", 0 }, { "Verbose", 1 }, { NULL, 0 }
};
static const struct choice ts_sync_level_choices[] = {
	{ "None", 0 }, { "Error", 1 }, { "Information", 2 }, { "Verbose", 3 },
	{ "RawData", 4 }, { "Debugging", 5 }, { NULL, 0 }
};

/*
 * The help line of a parameter hubd has no use for: TS_REFUSED, then the
 * reason the refusal gives.
 */
#define TS_REFUSED		"Refused: "
#define TS_WHY_AGENTS		TS_REFUSED "hubd runs no transport agents."
#define TS_WHY_DNS		TS_REFUSED "hubd resolves through its own " \
    "resolver setting (hubd --resolver), not through a network adapter " \
    "or a list kept here."
#define TS_WHY_INTRAORG		TS_REFUSED "hubd has no intra-organization " \
    "Send connector: it sends through Send connectors only."
#define TS_WHY_MAILBOX		TS_REFUSED "hubd delivers to no mailboxes " \
    "and takes no mail from them."
#define TS_WHY_RESERVED		TS_REFUSED "it is reserved for internal " \
    "Microsoft use."
#define TS_WHY_SYNC		TS_REFUSED "hubd has no Transport Sync " \
    "(reserved for internal Microsoft use)."
#define TS_WHY_TRACKING		TS_REFUSED "hubd keeps the message tracking " \
    "log in its queue database (<state-dir>/queue.db), not in files; " \
    "MessageTrackingLogMaxAge prunes it."
#define TS_WHY_NOLOG(x)		TS_REFUSED "hubd writes no " x " log."

#define TS_P(n, t, f, lo, hi, ch, tn, h) \
	{ .name = n, .type = t, .flags = f, .min = lo, .max = hi, \
	  .choices = ch, .type_name = tn, .help = h }
#define TS_P_BOOL(n, h)		TS_P(n, PT_BOOL, 0, 0, 0, NULL, NULL, h)
#define TS_P_INT(n, lo, hi, h)	TS_P(n, PT_INT, 0, lo, hi, NULL, NULL, h)
#define TS_P_SPAN(n, lo, hi, h)	TS_P(n, PT_TIMESPAN, 0, lo, hi, NULL, NULL, h)
#define TS_P_AGE(n, h)		TS_P_SPAN(n, 0, TS_AGE_MAX, h)
#define TS_P_PATH(n, h)		TS_P(n, PT_LOCALPATH, 0, 0, 0, NULL, NULL, h)
#define TS_P_SIZE(n, hi, h)	TS_P(n, PT_SIZE, 0, 1, hi, NULL, NULL, h)
#define TS_P_BYTES(n, lo, hi, h) TS_P(n, PT_BYTES, 0, lo, hi, NULL, NULL, h)
#define TS_P_ENUM(n, ch, tn, h)	TS_P(n, PT_ENUM, 0, 0, 0, ch, TS_TN_DATA tn, h)
#define TS_P_IPS(n, h)		TS_P(n, PT_IP, P_MULTI, 0, 0, NULL, \
	TS_TN_DATA "MultiValuedProperty`1[System.Net.IPAddress]", h)
#define TS_P_UNLIMITED(n, h)	TS_P(n, PT_UNLIMITED, 0, 1, 2147483647, \
	ts_unlimited_choice, NULL, h)
#define TS_P_IDENTITY(tn) \
	{ .name = "Identity", .type = PT_STRING, .flags = P_POSITIONAL | \
	  P_PIPELINE | P_BYNAME, .position = 0, .type_name = TS_TN_TASKS tn, \
	  .help = "The server: its name or FQDN, or a wildcard; without " \
	  "it, Get shows every server and Set changes the local one." }
#define TS_P_DC \
	TS_P("DomainController", PT_FQDN, 0, 0, 0, NULL, NULL, "Accepted " \
	    "and ignored: hubsh keeps these settings in its store, not in " \
	    "Active Directory.")
/* A log hubd does not write, as its parameters come in the page's order. */
#define TS_P_NOLOG(f, dir, file, hi, h) \
	TS_P_AGE(f "MaxAge", h), TS_P(f "MaxDirectorySize", dir, 0, 1, hi, \
	    NULL, NULL, h), TS_P(f "MaxFileSize", file, 0, 1, hi, NULL, NULL, \
	    h), TS_P_PATH(f "Path", h)
#define TS_P_NOLOG_E(f, dir, file, hi, h) \
	TS_P_BOOL(f "Enabled", h), TS_P_NOLOG(f, dir, file, hi, h)
#define TS_P_SYNCLOG(f, h) \
	TS_P_BOOL(f "Enabled", h), TS_P_PATH(f "FilePath", h)
#define TS_P_SYNCLOG_SIZES(f, h) \
	TS_P_AGE(f "MaxAge", h), \
	TS_P_BYTES(f "MaxDirectorySize", 1, INT64_MAX, h), \
	TS_P_BYTES(f "MaxFileSize", 1, INT64_MAX, h)

static const struct param_entry ts_get_params[] = {
	TS_P_IDENTITY("TransportServerIdParameter"),
	TS_P_DC,
	{ .name = NULL }
};

static const struct param_entry ts_set_params[] = {
	TS_P_IDENTITY("ServerIdParameter"),
	TS_P_AGE("ActiveUserStatisticsLogMaxAge",
	    TS_WHY_NOLOG("per-user activity statistics")),
	TS_P_BYTES("ActiveUserStatisticsLogMaxDirectorySize", 1, INT64_MAX,
	    TS_WHY_NOLOG("per-user activity statistics")),
	TS_P_BYTES("ActiveUserStatisticsLogMaxFileSize", 1, INT64_MAX,
	    TS_WHY_NOLOG("per-user activity statistics")),
	TS_P_PATH("ActiveUserStatisticsLogPath",
	    TS_WHY_NOLOG("per-user activity statistics")),
	TS_P_NOLOG_E("AgentLog", PT_SIZE, PT_SIZE, INT64_MAX, TS_WHY_AGENTS),
	TS_P_BOOL("AntispamAgentsEnabled", TS_WHY_AGENTS),
	TS_P_NOLOG_E("ConnectivityLog", PT_SIZE, PT_SIZE, INT64_MAX,
	    TS_WHY_NOLOG("connectivity")),
	TS_P_BOOL("ContentConversionTracingEnabled", TS_REFUSED "hubd "
	    "converts no message content."),
	TS_P_SPAN("DelayNotificationTimeout", 1, 30 * 86400, "When a delay "
	    "notice goes to the sender (00:00:01 to 30.00:00:00)."),
	TS_P_NOLOG_E("DnsLog", PT_SIZE, PT_SIZE, INT64_MAX,
	    TS_WHY_NOLOG("DNS")),
	TS_P_DC,
	TS_P_BOOL("ExternalDelayDsnEnabled", "Send delay notices at all."),
	TS_P_BOOL("ExternalDNSAdapterEnabled", TS_WHY_DNS),
	TS_P("ExternalDNSAdapterGuid", PT_GUID, 0, 0, 0, NULL, NULL,
	    TS_WHY_DNS),
	TS_P_ENUM("ExternalDNSProtocolOption", ts_protocol_option_choices,
	    "ProtocolOption", TS_WHY_DNS),
	TS_P_IPS("ExternalDNSServers", TS_WHY_DNS),
	TS_P("ExternalIPAddress", PT_IP, 0, 0, 0, NULL, NULL, TS_REFUSED
	    "hubd names no address of its own in the Received header field."),
	TS_P_BOOL("InternalDNSAdapterEnabled", TS_WHY_DNS),
	TS_P("InternalDNSAdapterGuid", PT_GUID, 0, 0, 0, NULL, NULL,
	    TS_WHY_DNS),
	TS_P_ENUM("InternalDNSProtocolOption", ts_protocol_option_choices,
	    "ProtocolOption", TS_WHY_DNS),
	TS_P_IPS("InternalDNSServers", TS_WHY_DNS),
	TS_P_ENUM("IntraOrgConnectorProtocolLoggingLevel",
	    ts_logging_level_choices, "ProtocolLoggingLevel", TS_WHY_INTRAORG),
	TS_P_INT("IntraOrgConnectorSmtpMaxMessagesPerConnection", 0,
	    2147483647, TS_WHY_INTRAORG),
	TS_P_BOOL("IrmLogEnabled", TS_WHY_NOLOG("Information Rights "
	    "Management")),
	TS_P_AGE("IrmLogMaxAge", TS_WHY_NOLOG("Information Rights "
	    "Management")),
	TS_P_SIZE("IrmLogMaxDirectorySize", INT64_MAX,
	    TS_WHY_NOLOG("Information Rights Management")),
	TS_P_BYTES("IrmLogMaxFileSize", 1, INT64_MAX,
	    TS_WHY_NOLOG("Information Rights Management")),
	TS_P_PATH("IrmLogPath", TS_WHY_NOLOG("Information Rights "
	    "Management")),
	TS_P_INT("MaxConcurrentMailboxDeliveries", 1, 256, TS_WHY_MAILBOX),
	TS_P_INT("MaxConcurrentMailboxSubmissions", 1, 256, TS_WHY_MAILBOX),
	TS_P_INT("MaxConnectionRatePerMinute", 1, 2147483647, TS_REFUSED
	    "hubd's intake limits are its own settings (max-sessions, "
	    "max-sessions-per-client)."),
	TS_P_UNLIMITED("MaxOutboundConnections", "Most outbound sessions "
	    "open at a time (1 to 2147483647, or Unlimited)."),
	TS_P_UNLIMITED("MaxPerDomainOutboundConnections", "Most sessions to "
	    "one destination at a time (1 to 2147483647, or Unlimited)."),
	TS_P_SPAN("MessageExpirationTimeout", 5, 90 * 86400, "When an "
	    "undelivered message expires (00:00:05 to 90.00:00:00)."),
	TS_P_SPAN("MessageRetryInterval", 1, 86400, "When a message the "
	    "next hop answered 4xx is tried again (00:00:01 to 1.00:00:00)."),
	TS_P_BOOL("MessageTrackingLogEnabled", "Write the message tracking "
	    "log."),
	TS_P_AGE("MessageTrackingLogMaxAge", "Age at which tracking records "
	    "are removed; 00:00:00 keeps them."),
	TS_P_SIZE("MessageTrackingLogMaxDirectorySize", INT64_MAX,
	    TS_WHY_TRACKING),
	TS_P_BYTES("MessageTrackingLogMaxFileSize", 1, 4294967296LL,
	    TS_WHY_TRACKING),
	TS_P_PATH("MessageTrackingLogPath", TS_WHY_TRACKING),
	TS_P_BOOL("MessageTrackingLogSubjectLoggingEnabled", "Record "
	    "subjects in the tracking log."),
	TS_P_SPAN("OutboundConnectionFailureRetryInterval", 1, 20 * 86400,
	    "Retry interval after the transient retries (00:00:01 to "
	    "20.00:00:00)."),
	TS_P_BYTES("PickupDirectoryMaxHeaderSize", 32768, 2147483647,
	    "Largest header section of a Pickup file (32 KB to 2 GB)."),
	TS_P_INT("PickupDirectoryMaxMessagesPerMinute", 1, 20000, "Pickup "
	    "files taken a minute (1 to 20000)."),
	TS_P_INT("PickupDirectoryMaxRecipientsPerMessage", 1, 10000, "Most "
	    "recipients of a Pickup file (1 to 10000)."),
	TS_P_PATH("PickupDirectoryPath", TS_REFUSED "hubd's Pickup directory "
	    "is the one under its state directory (hubd --state-dir)."),
	TS_P_BOOL("PipelineTracingEnabled", TS_WHY_AGENTS),
	TS_P_PATH("PipelineTracingPath", TS_WHY_AGENTS),
	TS_P("PipelineTracingSenderAddress", PT_STRING, 0, 0, 0, NULL,
	    TS_TN_DATA "SmtpAddress", TS_WHY_AGENTS),
	TS_P_BOOL("PoisonMessageDetectionEnabled", TS_REFUSED "hubd has no "
	    "poison message detection; its Poison queue stays empty."),
	TS_P_INT("PoisonThreshold", 1, 10, TS_REFUSED "hubd has no poison "
	    "message detection; its Poison queue stays empty."),
	TS_P_NOLOG("QueueLog", PT_SIZE, PT_SIZE, INT64_MAX,
	    TS_WHY_NOLOG("queue")),
	TS_P("QueueAlertAge", PT_TIMESPAN, 0, 1, TS_UNLIMITED - 1,
	    ts_unlimited_choice, TS_TN_DATA "Unlimited`1[" TS_TN_DATA
	    "EnhancedTimeSpan]", "hubsh extension: how long the oldest "
	    "message of a queue may wait before the queue is in alarm, or "
	    "Unlimited; a Send connector's QueueAlertAge overrides it."),
	TS_P("QueueAlertMessageCount", PT_UNLIMITED, 0, 1, TS_UNLIMITED - 1,
	    ts_unlimited_choice, NULL, "hubsh extension: how many messages "
	    "put a queue in alarm, or Unlimited; a Send connector's "
	    "QueueAlertMessageCount overrides it."),
	TS_P_SPAN("QueueMaxIdleTime", 5, 3600, "How long an empty delivery "
	    "queue is kept (00:00:05 to 01:00:00)."),
	TS_P_NOLOG("ReceiveProtocolLog", PT_SIZE, PT_SIZE, TS_LOG_MAX,
	    TS_WHY_NOLOG("receive protocol")),
	TS_P_BOOL("RecipientValidationCacheEnabled", TS_WHY_AGENTS),
	TS_P_PATH("ReplayDirectoryPath", TS_REFUSED "hubd has no Replay "
	    "directory."),
	TS_P_NOLOG_E("RequestBrokerLog", PT_SIZE, PT_SIZE, INT64_MAX,
	    TS_WHY_RESERVED),
	TS_P_NOLOG_E("ResourceLog", PT_SIZE, PT_SIZE, INT64_MAX,
	    TS_WHY_RESERVED),
	TS_P("RootDropDirectoryPath", PT_STRING, 0, 0, 0, NULL, NULL,
	    TS_REFUSED "hubd has no Foreign connectors."),
	TS_P_AGE("RoutingTableLogMaxAge", TS_WHY_NOLOG("routing table")),
	TS_P_SIZE("RoutingTableLogMaxDirectorySize", INT64_MAX,
	    TS_WHY_NOLOG("routing table")),
	TS_P_PATH("RoutingTableLogPath", TS_WHY_NOLOG("routing table")),
	TS_P_AGE("SendProtocolLogMaxAge", "Age at which send protocol logs "
	    "are removed; 00:00:00 keeps them."),
	TS_P_SIZE("SendProtocolLogMaxDirectorySize", TS_LOG_MAX, "Largest "
	    "the send protocol logs grow together, or Unlimited."),
	TS_P_SIZE("SendProtocolLogMaxFileSize", TS_LOG_MAX, "Size at which "
	    "a send protocol log file is followed by a new one, or "
	    "Unlimited."),
	TS_P_PATH("SendProtocolLogPath", "Directory of the send protocol "
	    "log; $null for <state-dir>/log/SmtpSend."),
	TS_P_AGE("ServerStatisticsLogMaxAge", TS_WHY_NOLOG("server "
	    "statistics")),
	TS_P_BYTES("ServerStatisticsLogMaxDirectorySize", 1, INT64_MAX,
	    TS_WHY_NOLOG("server statistics")),
	TS_P_BYTES("ServerStatisticsLogMaxFileSize", 1, INT64_MAX,
	    TS_WHY_NOLOG("server statistics")),
	TS_P_PATH("ServerStatisticsLogPath", TS_WHY_NOLOG("server "
	    "statistics")),
	TS_P("TlsRptContactInfo", PT_STRING, 0, 0, 0, NULL, NULL, "hubsh "
	    "extension: the contact-info of the TLS-RPT reports, an address "
	    "or a URL; $null for none."),
	TS_P_BOOL("TlsRptEnabled", "hubsh extension: send a daily TLS-RPT "
	    "report (RFC 8460) to every domain that asks for one in its "
	    "_smtp._tls record ($false by default)."),
	TS_P("TlsRptOrganizationName", PT_STRING, 0, 0, 0, NULL, NULL, "hubsh "
	    "extension: the organization-name of the TLS-RPT reports; $null "
	    "for the server's FQDN."),
	TS_P_INT("TransientFailureRetryCount", 0, 15, "Quick retries after a "
	    "connection failure (0 to 15)."),
	TS_P_SPAN("TransientFailureRetryInterval", 1, 12 * 3600, "Interval "
	    "of the quick retries (00:00:01 to 12:00:00)."),
	TS_P_NOLOG_E("TransportHttpLog", PT_SIZE, PT_SIZE, INT64_MAX,
	    TS_WHY_RESERVED),
	TS_P_NOLOG_E("TransportMaintenanceLog", PT_SIZE, PT_SIZE, INT64_MAX,
	    TS_WHY_RESERVED),
	TS_P_INT("TransportSyncAccountsPoisonAccountThreshold", 0, 0,
	    TS_WHY_SYNC),
	TS_P_BOOL("TransportSyncAccountsPoisonDetectionEnabled", TS_WHY_SYNC),
	TS_P_INT("TransportSyncAccountsPoisonItemThreshold", 0, 0,
	    TS_WHY_SYNC),
	TS_P_INT("TransportSyncAccountsSuccessivePoisonItemThreshold", 0, 0,
	    TS_WHY_SYNC),
	TS_P_BOOL("TransportSyncEnabled", TS_WHY_SYNC),
	TS_P_BOOL("TransportSyncExchangeEnabled", TS_WHY_SYNC),
	TS_P_SYNCLOG("TransportSyncHubHealthLog", TS_WHY_SYNC),
	TS_P_SYNCLOG_SIZES("TransportSyncHubHealthLog", TS_WHY_SYNC),
	TS_P_BOOL("TransportSyncImapEnabled", TS_WHY_SYNC),
	TS_P_SYNCLOG("TransportSyncLog", TS_WHY_SYNC),
	TS_P_ENUM("TransportSyncLogLoggingLevel", ts_sync_level_choices,
	    "SyncLoggingLevel", TS_WHY_SYNC),
	TS_P_SYNCLOG_SIZES("TransportSyncLog", TS_WHY_SYNC),
	TS_P_INT("TransportSyncMaxDownloadItemsPerConnection", 0, 0,
	    TS_WHY_SYNC),
	TS_P_BYTES("TransportSyncMaxDownloadSizePerConnection", 0, INT64_MAX,
	    TS_WHY_SYNC),
	TS_P_BYTES("TransportSyncMaxDownloadSizePerItem", 0, INT64_MAX,
	    TS_WHY_SYNC),
	TS_P_BOOL("TransportSyncPopEnabled", TS_WHY_SYNC),
	TS_P_AGE("TransportSyncRemoteConnectionTimeout", TS_WHY_SYNC),
	TS_P_BOOL("UseDowngradedExchangeServerAuth", TS_REFUSED "hubd offers "
	    "no Exchange Server authentication."),
	TS_P_BOOL("WindowsLiveHotmailTransportSyncEnabled", TS_WHY_SYNC),
	TS_P_NOLOG("WlmLog", PT_SIZE, PT_SIZE, INT64_MAX, TS_WHY_RESERVED),
	{ .name = NULL }
};

const struct cmdlet_entry cmd_get_transportservice_entry = {
	.name = "Get-TransportService",
	.synopsis = "Show the transport settings of this server.",
	.params = ts_get_params,
	.flags = C_EXCHANGE,
	.class_name = TS_CLASS_BASE "GetTransportService",
	.exec = cmd_get_transportservice_exec,
	.description = "Writes this server's TransportServer object: the "
	    "settings hubd honours (retries, expiry, delay notices, "
	    "connection limits, the Pickup directory, the message tracking "
	    "log and the send protocol log), and Exchange's other settings "
	    "as they stand for hubd."
};

const struct cmdlet_entry cmd_set_transportservice_entry = {
	.name = "Set-TransportService",
	.synopsis = "Change the transport settings of this server.",
	.params = ts_set_params,
	.flags = C_EXCHANGE | C_SHOULDPROCESS,
	.class_name = TS_CLASS_BASE "SetTransportService",
	.exec = cmd_set_transportservice_exec,
	.description = "Changes the given transport settings of this server "
	    "in one transaction; hubd applies them at its next reload.  A "
	    "value out of Exchange's range changes nothing, and so does a "
	    "parameter hubd has no use for (its help line says why): the "
	    "command is refused."
};

static const char *const ts_table_columns[] = {
	"Name", "TransientFailureRetryCount", "TransientFailureRetryInterval",
	"MessageExpirationTimeout", "MessageTrackingLogEnabled", NULL
};
static const struct view ts_view = {
	.type_name = TS_TYPE_NAME,
	.shape = SHAPE_TABLE,
	.table = ts_table_columns,
	.list = NULL
};

/*
 * Refuse the parameters hubd has no use for, naming the first one given
 * and the reason its help line gives after TS_REFUSED: a setting that
 * means nothing here must not look taken.  0 when none was given.
 */
static int
ts_refused(struct cmd_ctx *ctx)
{
	const struct param_entry	*p;
	size_t				 len = strlen(TS_REFUSED);

	for (p = ts_set_params; p->name != NULL; p++) {
		if (strncmp(p->help, TS_REFUSED, len) != 0 ||
		    !bound_has(ctx->args, p->name))
			continue;
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ArgumentException", "ArgumentException", TS_MSG_REFUSED,
		    p->name, p->help + len);
		return (-1);
	}
	return (0);
}

/*
 * The TLS-RPT texts go into every report: printable, at most TS_TEXT_MAX
 * characters (the store's CHECK repeats the length).
 */
static int
ts_text_check(struct cmd_ctx *ctx)
{
	static const char *const names[] = { "TlsRptOrganizationName",
	    "TlsRptContactInfo" };
	struct value	*v;
	char		*s;
	const char	*c;
	size_t		 i, len;
	int		 rc = 0;

	for (i = 0; i < sizeof names / sizeof names[0] && rc == 0; i++) {
		if ((v = bound_get(ctx->args, names[i])) == NULL ||
		    v->type == V_NULL)
			continue;
		s = value_to_string(v);
		if ((len = utf8_width(s)) > TS_TEXT_MAX) {
			cmd_error(ctx, ERR_STATEMENT, "NotSpecified",
			    "DataValidationException",
			    "DataValidationException", TS_MSG_TOOLONG,
			    TS_TEXT_MAX, len);
			rc = -1;
		}
		for (c = s; rc == 0 && *c != '\0'; c++) {
			if ((unsigned char)*c >= 0x20 && *c != 0x7f)
				continue;
			cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
			    "ArgumentException", "ArgumentException",
			    TS_MSG_CONTROL, names[i]);
			rc = -1;
		}
		free(s);
	}
	return (rc);
}

/* Apply every setting argument to ts (the binder checked the ranges). */
static void
ts_apply(struct cmd_ctx *ctx, struct transport_settings *ts)
{
	const struct ts_prop	*tp;
	struct value		*v;
	char			*p, **s;

	for (tp = ts_props; tp < ts_props + TS_NPROPS; tp++) {
		if (!TS_STORED(tp->kind) ||
		    (v = bound_get(ctx->args, tp->name)) == NULL)
			continue;
		p = (char *)ts + tp->off;
		switch (tp->kind) {
		case TS_K_BOOL:
			*(bool *)p = value_truthy(v);
			break;
		case TS_K_UNLIMITED:
		case TS_K_SPAN_UNLIMITED:
			/* A number, or "Unlimited"; $null changes nothing. */
			if (v->type == V_INT)
				*(int *)p = (int)v->u.i;
			else if (v->type == V_STRING)
				*(int *)p = TS_UNLIMITED;
			break;
		case TS_K_SIZE:
			if (v->type == V_INT)
				*(int64_t *)p = v->u.i;
			break;
		case TS_K_PATH:
			s = (char **)p;
			free(*s);
			*s = v->type == V_NULL ? NULL : value_to_string(v);
			break;
		default:
			if (v->type == V_INT)
				*(int *)p = (int)v->u.i;
			break;
		}
	}
}

/* dst becomes a copy of src (dst is overwritten, not freed). */
static void
ts_copy(struct transport_settings *dst, const struct transport_settings *src)
{
	*dst = *src;
	dst->server = src->server != NULL ? xstrdup(src->server) : NULL;
	dst->send_protocol_log_path = src->send_protocol_log_path != NULL ?
	    xstrdup(src->send_protocol_log_path) : NULL;
	dst->tls_rpt_organization_name = src->tls_rpt_organization_name !=
	    NULL ? xstrdup(src->tls_rpt_organization_name) : NULL;
	dst->tls_rpt_contact_info = src->tls_rpt_contact_info != NULL ?
	    xstrdup(src->tls_rpt_contact_info) : NULL;
}

/* The same settings (Exchange's IsChanged). */
static bool
ts_equal(const struct transport_settings *a,
    const struct transport_settings *b)
{
	const struct ts_prop	*tp;
	const char		*pa, *pb, *sa, *sb;
	bool			 same;

	for (tp = ts_props; tp < ts_props + TS_NPROPS; tp++) {
		if (!TS_STORED(tp->kind))
			continue;
		pa = (const char *)a + tp->off;
		pb = (const char *)b + tp->off;
		switch (tp->kind) {
		case TS_K_BOOL:
			same = *(const bool *)pa == *(const bool *)pb;
			break;
		case TS_K_SIZE:
			same = *(const int64_t *)pa == *(const int64_t *)pb;
			break;
		case TS_K_PATH:
			sa = *(char *const *)pa;
			sb = *(char *const *)pb;
			same = (sa == NULL) == (sb == NULL) &&
			    (sa == NULL || strcmp(sa, sb) == 0);
			break;
		default:
			same = *(const int *)pa == *(const int *)pb;
			break;
		}
		if (!same)
			return (false);
	}
	return (true);
}

/* A stored setting of ts as a property value. */
static struct value *
ts_stored_value(const struct transport_settings *ts, const struct ts_prop *tp)
{
	const char	*p = (const char *)ts + tp->off;
	const char	*s;
	int		 n;

	switch (tp->kind) {
	case TS_K_BOOL:
		return (value_bool(*(const bool *)p));
	case TS_K_SPAN:
		return (value_string_take(ex_timespan_format(*(const int *)p)));
	case TS_K_UNLIMITED:
		n = *(const int *)p;
		return (n == TS_UNLIMITED ? value_string("Unlimited") :
		    value_int(n));
	case TS_K_SPAN_UNLIMITED:
		n = *(const int *)p;
		return (n == TS_UNLIMITED ? value_string("Unlimited") :
		    value_string_take(ex_timespan_format(n)));
	case TS_K_BYTES:
		return (value_string_take(ex_size_format(*(const int *)p)));
	case TS_K_SIZE:
		return (value_string_take(ex_size_format(
		    *(const int64_t *)p)));
	case TS_K_PATH:
		s = *(char *const *)p;
		return (s != NULL ? value_string(s) : value_null());
	default:
		return (value_int(*(const int *)p));
	}
}

/* A property hubd has no setting for: its value, state_dir for paths. */
static struct value *
ts_fixed_value(const struct ts_prop *tp, const char *state_dir)
{
	switch (tp->kind) {
	case TS_F_BOOL:
		return (value_bool(tp->n != 0));
	case TS_F_INT:
		return (value_int(tp->n));
	case TS_F_SPAN:
		return (value_string_take(ex_timespan_format(tp->n)));
	case TS_F_SIZE:
		return (value_string_take(ex_size_format(tp->n)));
	case TS_F_TEXT:
		return (value_string(tp->s));
	case TS_F_EMPTY:
		return (value_array());
	case TS_F_STATE:
		if (state_dir != NULL && *state_dir != '\0')
			return (value_string_take(xprintf("%s%s", state_dir,
			    tp->s)));
		/* FALLTHROUGH */
	default:
		return (value_null());
	}
}

/*
 * The TransportServer object of ts; state_dir is hubd's state directory,
 * where the Pickup directory and the tracking log are.
 */
static struct value *
ts_object(const struct transport_settings *ts, const char *state_dir)
{
	const struct ts_prop	*tp;
	struct value		*v, *name;

	v = value_object(TS_TYPE_NAME, &ts_view);
	object_reserve(v, TS_NPROPS + 8);
	v->u.obj->text = xstrdup(ts->server);
	name = value_string(ts->server);
	object_add_const(v, "RunspaceId", value_string(shell_runspace_id()));
	object_add_const(v, "Name", name);
	for (tp = ts_props; tp < ts_props + TS_NPROPS; tp++)
		object_add_const(v, tp->name, TS_STORED(tp->kind) ?
		    ts_stored_value(ts, tp) : ts_fixed_value(tp, state_dir));
	object_add_const(v, "Identity", value_ref(name));
	object_add_const(v, "WhenChanged",
	    exchangeserver_date(ts->when_changed, false));
	object_add_const(v, "WhenChangedUTC",
	    exchangeserver_date(ts->when_changed, true));
	object_add_const(v, "IsValid", value_bool(true));
	object_add_const(v, "ObjectState", value_string("Unchanged"));
	return (v);
}

/* Get-TransportService on one server. */
static void
ts_get_one(struct cmd_ctx *ctx, struct store *st,
    const struct server_info *si)
{
	struct transport_settings	 ts;
	char				*cause = NULL;

	if (store_transport_get(st, si->name, &ts, &cause) != 0) {
		exchangeserver_store_failed(ctx, cause);
		return;
	}
	cmd_emit(ctx, ts_object(&ts, ctx->sh->state_dir));
	transport_settings_clear(&ts);
}

static int
cmd_get_transportservice_exec(struct cmd_ctx *ctx)
{
	struct store	*st;

	if (shell_store(ctx->sh, &st) != 0)
		return (-1);
	exchangeserver_for_each(ctx, st, ts_get_one, true);
	return (ctx->failed ? -1 : 0);
}

/*
 * The write: in one transaction, read the settings again, apply the
 * arguments and write them.  On failure the store is unchanged.
 */
static int
ts_write(struct cmd_ctx *ctx, struct store *st, const char *server)
{
	struct transport_settings	 ts;
	char				*cause = NULL;
	int				 rc = -1;

	cmd_verbose(ctx, "Saving the transport settings of \"%s\" in %s.",
	    server, store_path(st));
	if (store_begin(st, &cause) != 0)
		return (exchangeserver_store_failed(ctx, cause));
	if (store_transport_get(st, server, &ts, &cause) == 0) {
		ts_apply(ctx, &ts);
		if (store_transport_set(st, &ts, &cause) == 0 &&
		    store_commit(st, &cause) == 0)
			rc = 0;
		transport_settings_clear(&ts);
	}
	if (rc != 0) {
		store_rollback(st);
		return (exchangeserver_store_failed(ctx, cause));
	}
	return (0);
}

/* Set-TransportService on one server. */
static void
ts_set_one(struct cmd_ctx *ctx, struct store *st,
    const struct server_info *si)
{
	struct transport_settings	 old, ts;
	char				*cause = NULL, *desc;
	const char			*label = si->name;

	if (store_transport_get(st, label, &old, &cause) != 0) {
		exchangeserver_store_failed(ctx, cause);
		return;
	}
	ts_copy(&ts, &old);
	ts_apply(ctx, &ts);
	if (ts_equal(&old, &ts))
		cmd_warning(ctx, TS_MSG_NOCHANGE, label);
	else {
		desc = xprintf(TS_MSG_CONFIRM, label);
		if (cmd_should_process(ctx, desc))
			ts_write(ctx, st, label);
		free(desc);
	}
	transport_settings_clear(&old);
	transport_settings_clear(&ts);
}

static int
cmd_set_transportservice_exec(struct cmd_ctx *ctx)
{
	struct store	*st;

	if (ts_refused(ctx) != 0 || ts_text_check(ctx) != 0 ||
	    shell_store(ctx->sh, &st) != 0)
		return (-1);
	exchangeserver_for_each(ctx, st, ts_set_one, false);
	return (ctx->failed ? -1 : 0);
}
