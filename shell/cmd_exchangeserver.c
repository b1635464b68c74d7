/*
 * cmd_exchangeserver.c - Get-ExchangeServer, and the server registry as
 * the Exchange cmdlets see it.
 *
 * Every hubd records itself in the store when it starts (name, FQDN,
 * version, control endpoint, first seen, started, heartbeat:
 * store_server_list); the local server (--server, else the host name) is
 * a server too before its hubd first started.  Get-ExchangeServer shows
 * each as Exchange 2019's ExchangeServer object, a hub transport server,
 * and the functions below give the same list to Get-TransportService and
 * Set-TransportService (es_servers, exchangeserver_for_each): a server is
 * named by its name, else its FQDN, any case, or a wildcard; any other
 * name is Exchange's not-found error, one that names several servers
 * (a wildcard for Set, an FQDN two servers share) its ambiguity error.
 *
 * The object has the properties of an Exchange 2019 server's
 * ExchangeServer (15.2 CU9, as Export-Clixml keeps them) in their order,
 * which `fl` shows (es_props[]): the server's own, then hubsh's
 * extensions, ControlEndpoint, WhenStarted and LastHeartbeatTime, so
 * that an admin sees whether a server's hubd is alive, then the
 * directory object's.
 *
 * hubsh's choices: ServerRole HubTransport (IsHubTransportServer $true,
 * every other role $false); Edition Standard, not a trial; the directory
 * names (Site, DistinguishedName, ExchangeLegacyDN, OrganizationalUnit)
 * are those of hubsh's one organisation, "First Organization" in the
 * forest hubsh.local, as the Send connectors' (cmd_sendconnector.c);
 * Domain is the DNS domain of the server's FQDN; AdminDisplayVersion
 * keeps Exchange's shape, "Version 0.1 (Build 0.0)" for hubsh 0.1.0
 * (es_version); WhenCreated is when the store first saw the server,
 * WhenChanged when its hubd last started (WhenCreated before that).  A
 * local server whose hubd never started has its name as Fqdn, the
 * shell's version, and no endpoint, start or heartbeat.  -Status
 * changes nothing: the domain controller properties it fills in
 * Exchange stay empty (hubsh has no directory); DomainController is
 * accepted and ignored.  The rest are Exchange's values for a server
 * without the feature, but MitigationsEnabled: $false, hubd having no
 * Emergency Mitigation service.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "shell.h"
#include "store.h"
#include "xmalloc.h"

#ifndef HUBSH_VERSION
#define HUBSH_VERSION		"0"
#endif

#define ES_TYPE_NAME	"Microsoft.Exchange.Data.Directory.Management." \
    "ExchangeServer"
#define ES_CLASS_NAME	"Microsoft.Exchange.Management." \
    "SystemConfigurationTasks.GetExchangeServer"
#define ES_TN_TASKS	"Microsoft.Exchange.Configuration.Tasks."

#define ES_MSG_NOTFOUND	"The operation couldn't be performed because object " \
    "'%s' couldn't be found on '%s'."
#define ES_MSG_AMBIGUOUS "The operation couldn't be performed because '%s' " \
    "matches multiple entries."
#define ES_MSG_STORE	"The store operation failed: %s"

/* hubsh's organisation (cmd_sendconnector.c's). */
#define ES_FOREST	"hubsh.local"
#define ES_ADMIN_GROUP	"Exchange Administrative Group (FYDIBOHF23SPDLT)"
#define ES_DN_SUFFIX	",CN=Servers,CN=" ES_ADMIN_GROUP \
    ",CN=Administrative Groups,CN=First Organization,CN=Microsoft Exchange" \
    ",CN=Services,CN=Configuration,DC=hubsh,DC=local"
#define ES_LEGACY_DN	"/o=First Organization/ou=" ES_ADMIN_GROUP \
    "/cn=Configuration/cn=Servers/cn="

/* How a property's value is made. */
enum es_kind {
	ES_TEXT,	/* s */
	ES_BOOL,	/* n */
	ES_INT,		/* n */
	ES_NULL,
	ES_EMPTY,	/* an empty list */
	ES_NAME,	/* the server's */
	ES_FQDN,
	ES_DOMAIN,	/* the FQDN's DNS domain */
	ES_DATAPATH,	/* the local server: hubd's state directory */
	ES_LEGACYDN,
	ES_OU,
	ES_VERSION,
	ES_DN,
	ES_CONTROL,	/* hubsh: the registered control endpoint */
	ES_DATE,	/* n: which date (enum es_date), s: "UTC" or NULL */
	ES_CLASS,	/* ObjectClass */
	ES_ORIGIN	/* OriginatingServer: the local server */
};

enum es_date {
	ES_D_CREATED,
	ES_D_STARTED,
	ES_D_HEARTBEAT,
	ES_D_CHANGED		/* started, else created */
};

struct es_prop {
	const char	*name;
	enum es_kind	 kind;
	int64_t		 n;
	const char	*s;
};

#define ES_P(n, k)	{ n, k, 0, NULL }
#define ES_B(n, v)	{ n, ES_BOOL, v, NULL }
#define ES_T(n, v)	{ n, ES_TEXT, 0, v }
#define ES_D(n, d, u)	{ n, ES_DATE, d, u }

/*
 * After RunspaceId, in the order of an Exchange 2019 server's object:
 * ExchangeServer's own, hubsh's, the directory object's.
 */
static const struct es_prop es_props[] = {
	ES_P("Name", ES_NAME),
	ES_P("DataPath", ES_DATAPATH),
	ES_P("Domain", ES_DOMAIN),
	ES_T("Edition", "Standard"),
	ES_P("ExchangeLegacyDN", ES_LEGACYDN),
	{ "ExchangeLegacyServerRole", ES_INT, 0, NULL },
	ES_P("Fqdn", ES_FQDN),
	ES_P("CustomerFeedbackEnabled", ES_NULL),
	ES_P("InternetWebProxy", ES_NULL),
	ES_P("InternetWebProxyBypassList", ES_NULL),
	ES_B("IsHubTransportServer", 1),
	ES_B("IsClientAccessServer", 0),
	ES_B("IsExchange2007OrLater", 1),
	ES_B("IsEdgeServer", 0),
	ES_B("IsMailboxServer", 0),
	ES_B("IsE14OrLater", 1),
	ES_B("IsE15OrLater", 1),
	ES_B("IsProvisionedServer", 0),
	ES_B("IsUnifiedMessagingServer", 0),
	ES_B("IsFrontendTransportServer", 0),
	ES_P("NetworkAddress", ES_EMPTY),
	ES_P("OrganizationalUnit", ES_OU),
	ES_P("AdminDisplayVersion", ES_VERSION),
	ES_T("Site", ES_FOREST "/Configuration/Sites/Default-First-Site-Name"),
	ES_T("ServerRole", "HubTransport"),
	ES_P("ErrorReportingEnabled", ES_NULL),
	ES_B("MitigationsEnabled", 0),
	ES_P("StaticDomainControllers", ES_EMPTY),
	ES_P("StaticGlobalCatalogs", ES_EMPTY),
	ES_T("StaticConfigDomainController", ""),
	ES_P("StaticExcludedDomainControllers", ES_EMPTY),
	ES_T("MonitoringGroup", ""),
	ES_P("CurrentDomainControllers", ES_EMPTY),
	ES_P("CurrentGlobalCatalogs", ES_EMPTY),
	ES_T("CurrentConfigDomainController", ""),
	ES_T("ProductID", ""),
	ES_B("IsExchangeTrialEdition", 0),
	ES_B("IsExpiredExchangeTrialEdition", 0),
	ES_P("MailboxProvisioningAttributes", ES_NULL),
	ES_T("RemainingTrialPeriod", "00:00:00"),
	ES_P("MitigationsApplied", ES_NULL),
	ES_P("MitigationsBlocked", ES_NULL),
	ES_B("DataCollectionEnabled", 0),
	/* hubsh's */
	ES_P("ControlEndpoint", ES_CONTROL),
	ES_D("WhenStarted", ES_D_STARTED, NULL),
	ES_D("LastHeartbeatTime", ES_D_HEARTBEAT, NULL),
	/* the directory object's */
	ES_P("Identity", ES_NAME),
	ES_B("IsValid", 1),
	ES_T("ExchangeVersion", "0.1 (8.0.535.0)"),
	ES_P("DistinguishedName", ES_DN),
	ES_T("Guid", "00000000-0000-0000-0000-000000000000"),
	ES_T("ObjectCategory", ES_FOREST
	    "/Configuration/Schema/ms-Exch-Exchange-Server"),
	ES_P("ObjectClass", ES_CLASS),
	ES_D("WhenChanged", ES_D_CHANGED, NULL),
	ES_D("WhenCreated", ES_D_CREATED, NULL),
	ES_D("WhenChangedUTC", ES_D_CHANGED, "UTC"),
	ES_D("WhenCreatedUTC", ES_D_CREATED, "UTC"),
	ES_T("OrganizationId", ""),
	ES_P("Id", ES_NAME),
	ES_P("OriginatingServer", ES_ORIGIN),
	ES_T("ObjectState", "Unchanged")
};
#define ES_NPROPS	(sizeof es_props / sizeof es_props[0])

static int	 cmd_get_exchangeserver_exec(struct cmd_ctx *);
static struct server_info *es_servers(struct cmd_ctx *, struct store *,
		    size_t *);
static size_t	 es_find(const struct server_info *, size_t, const char *,
		    bool *);
static char	*es_input_identity(struct value *);
static void	 es_each_named(struct cmd_ctx *, struct store *,
		    struct server_info *, size_t, server_fn, bool);
static const char *es_domain(const struct server_info *);
static char	*es_version(const char *);
static struct value *es_value(struct cmd_ctx *, struct store *,
		    const struct server_info *, const struct es_prop *);
static struct value *es_object(struct cmd_ctx *, struct store *,
		    const struct server_info *);
static void	 es_get_one(struct cmd_ctx *, struct store *,
		    const struct server_info *);

#define ES_SET_IDENTITY	0x1
#define ES_SET_DOMAIN	0x2
static const char *const es_sets[] = { "Identity", "Domain", NULL };

static const struct param_entry es_params[] = {
	{ .name = "Identity", .type = PT_STRING, .flags = P_POSITIONAL |
	  P_PIPELINE | P_BYNAME, .position = 0, .sets = ES_SET_IDENTITY,
	  .type_name = ES_TN_TASKS "ServerIdParameter",
	  .help = "The server: its name or FQDN, or a wildcard (every "
	  "server it matches); every server when omitted." },
	{ .name = "Domain", .type = PT_FQDN, .flags = P_MANDATORY,
	  .sets = ES_SET_DOMAIN,
	  .help = "Only the servers whose FQDN is in this DNS domain." },
	{ .name = "DomainController", .type = PT_FQDN,
	  .help = "Accepted and ignored: hubsh's server registry is in its "
	  "store, not in Active Directory." },
	{ .name = "Status", .type = PT_SWITCH,
	  .help = "Accepted; changes nothing: the domain controller "
	  "properties it fills in Exchange stay empty (hubsh has no "
	  "directory)." },
	{ .name = NULL }
};

const struct cmdlet_entry cmd_get_exchangeserver_entry = {
	.name = "Get-ExchangeServer",
	.synopsis = "Show the servers of the organisation.",
	.params = es_params,
	.flags = C_EXCHANGE,
	.class_name = ES_CLASS_NAME,
	.exec = cmd_get_exchangeserver_exec,
	.set_names = es_sets,
	.default_set = ES_SET_IDENTITY,
	.description = "Writes an ExchangeServer object for the local server "
	    "and for every server whose hubd registered itself in the store: "
	    "each a hub transport server, with its FQDN and version as its "
	    "hubd recorded them.  hubsh extensions (not in Exchange): "
	    "ControlEndpoint, where its hubd takes control requests; "
	    "WhenStarted, when that hubd last started; LastHeartbeatTime, "
	    "when it last said it was alive.  Piped into Get-Queue, "
	    "Get-Message or Get-MessageTrackingLog, each object names its "
	    "server."
};

static const char *const es_table_columns[] = {
	"Name", "Site", "ServerRole", "Edition", "AdminDisplayVersion", NULL
};
static const struct view es_view = {
	.type_name = ES_TYPE_NAME,
	.shape = SHAPE_TABLE,
	.table = es_table_columns,
	.list = NULL
};

int
exchangeserver_store_failed(struct cmd_ctx *ctx, char *cause)
{
	cmd_error(ctx, ERR_NONTERMINATING, "WriteError", "StoreException",
	    "StoreException", ES_MSG_STORE, cause != NULL ? cause :
	    "unknown error");
	free(cause);
	return (-1);
}

/*
 * The servers: the local one and every server whose hubd registered
 * itself, by name; a registered server that never started (a store
 * being made) is left out.  NULL after the error.
 */
static struct server_info *
es_servers(struct cmd_ctx *ctx, struct store *st, size_t *n)
{
	struct server_info	*all, *v;
	char			*cause = NULL;
	size_t			 i, k = 0;
	bool			 local = false;

	if (store_server_list(st, &all, n, &cause) != 0) {
		exchangeserver_store_failed(ctx, cause);
		return (NULL);
	}
	v = xcalloc(*n + 1, sizeof *v);
	for (i = 0; i < *n; i++) {
		if (strcasecmp(all[i].name, store_server_name(st)) == 0)
			local = true;
		else if (all[i].started == 0)
			continue;
		v[k++] = all[i];
		memset(&all[i], 0, sizeof all[i]);
	}
	if (!local) {		/* not recorded yet: a store being made */
		memmove(v + 1, v, k * sizeof *v);
		memset(v, 0, sizeof *v);
		v[0].name = xstrdup(store_server_name(st));
		k++;
	}
	server_info_free(all, *n);
	*n = k;
	return (v);
}

/*
 * The servers id names: the one of that name, else those of that FQDN,
 * any case; with wildcards, every server whose name or FQDN matches.
 * match[i] is set for each; returns how many.
 */
static size_t
es_find(const struct server_info *v, size_t n, const char *id, bool *match)
{
	size_t	i, k = 0;
	bool	wild = has_wildcard(id);

	for (i = 0; i < n; i++) {
		match[i] = wild ? wildcard_match(id, v[i].name, false) ||
		    (v[i].fqdn != NULL && wildcard_match(id, v[i].fqdn,
		    false)) : strcasecmp(id, v[i].name) == 0;
		if (match[i])
			k++;
	}
	if (k > 0 || wild)
		return (k);
	for (i = 0; i < n; i++) {
		match[i] = v[i].fqdn != NULL && strcasecmp(id, v[i].fqdn) == 0;
		if (match[i])
			k++;
	}
	return (k);
}

/* The identity text of one pipeline input or argument, or NULL. */
static char *
es_input_identity(struct value *v)
{
	struct value	*id;

	if (v == NULL || v->type == V_NULL)
		return (NULL);
	if (v->type == V_OBJECT &&
	    (((id = object_get(v, "Identity")) != NULL && id->type != V_NULL) ||
	    ((id = object_get(v, "Name")) != NULL && id->type != V_NULL)))
		return (value_to_string(id));
	return (value_to_string(v));
}

/*
 * fn for each server the pipeline input names, else -Identity; a $null
 * is the local server, an unknown name Exchange's not-found error, a
 * name of several servers its ambiguity error unless all (a Get, where
 * a wildcard names every server it matches).
 */
static void
es_each_named(struct cmd_ctx *ctx, struct store *st, struct server_info *v,
    size_t n, server_fn fn, bool all)
{
	char	*id;
	bool	*match;
	size_t	 i, j, k, nid;

	match = xcalloc(n + 1, sizeof *match);
	nid = ctx->ninput > 0 ? ctx->ninput : 1;
	for (i = 0; i < nid && !ctx->stop; i++) {
		id = es_input_identity(ctx->ninput > 0 ? ctx->input[i] :
		    bound_get(ctx->args, "Identity"));
		if (id == NULL && ctx->ninput > 0)
			continue;
		if (id == NULL)
			id = xstrdup(store_server_name(st));
		if ((k = es_find(v, n, id, match)) == 0)
			cmd_error(ctx, ERR_NONTERMINATING, "NotSpecified",
			    "ManagementObjectNotFoundException",
			    "ManagementObjectNotFoundException",
			    ES_MSG_NOTFOUND, id, store_server_name(st));
		else if (k > 1 && (!all || !has_wildcard(id)))
			cmd_error(ctx, ERR_NONTERMINATING, "NotSpecified",
			    "ManagementObjectAmbiguousException",
			    "ManagementObjectAmbiguousException",
			    ES_MSG_AMBIGUOUS, id);
		else {
			for (j = 0; j < n && !ctx->stop; j++) {
				if (match[j])
					fn(ctx, st, &v[j]);
			}
		}
		free(id);
	}
	free(match);
}

void
exchangeserver_for_each(struct cmd_ctx *ctx, struct store *st, server_fn fn,
    bool all)
{
	struct server_info	*v;
	size_t			 i, n;

	if (ctx->piped && ctx->ninput == 0 &&
	    bound_get(ctx->args, "Identity") == NULL)
		return;
	if ((v = es_servers(ctx, st, &n)) == NULL)
		return;
	if (ctx->ninput > 0 || bound_get(ctx->args, "Identity") != NULL ||
	    !all)
		es_each_named(ctx, st, v, n, fn, all);
	else {
		for (i = 0; i < n && !ctx->stop; i++)
			fn(ctx, st, &v[i]);
	}
	server_info_free(v, n);
}

struct value *
exchangeserver_date(int64_t secs, bool utc)
{
	struct tm	tm;
	time_t		t = (time_t)secs;

	if (secs == 0)
		return (value_null());
	if (utc && localtime_r(&t, &tm) != NULL)
		secs -= tm.tm_gmtoff;
	return (value_date(secs * 1000000));
}

/* The DNS domain of the server's FQDN ("" when it has none). */
static const char *
es_domain(const struct server_info *si)
{
	const char	*dot;

	if (si->fqdn == NULL || (dot = strchr(si->fqdn, '.')) == NULL)
		return ("");
	return (dot + 1);
}

/*
 * AdminDisplayVersion: hubsh's MAJOR.MINOR.PATCH in Exchange's shape,
 * "Version MAJOR.MINOR (Build PATCH.0)"; another text after "Version ".
 */
static char *
es_version(const char *ver)
{
	unsigned	maj, min, patch;
	int		len = 0;

	if (sscanf(ver, "%u.%u.%u%n", &maj, &min, &patch, &len) == 3 &&
	    ver[len] == '\0' && isdigit((unsigned char)ver[0]))
		return (xprintf("Version %u.%u (Build %u.0)", maj, min, patch));
	return (xprintf("Version %s", ver));
}

/* One property's value for server si. */
static struct value *
es_value(struct cmd_ctx *ctx, struct store *st, const struct server_info *si,
    const struct es_prop *p)
{
	const int64_t	 dates[] = { si->first_seen, si->started,
			    si->heartbeat, si->started != 0 ? si->started :
			    si->first_seen };
	const char	*s;
	struct value	*a;

	switch (p->kind) {
	case ES_TEXT:
		return (value_string(p->s));
	case ES_BOOL:
		return (value_bool(p->n != 0));
	case ES_INT:
		return (value_int(p->n));
	case ES_EMPTY:
		return (value_array());
	case ES_NAME:
		return (value_string(si->name));
	case ES_FQDN:
		return (value_string(si->fqdn != NULL ? si->fqdn : si->name));
	case ES_DOMAIN:
		return (value_string(es_domain(si)));
	case ES_DATAPATH:
		s = ctx->sh->state_dir;
		return (strcasecmp(si->name, store_server_name(st)) == 0 &&
		    s != NULL && *s != '\0' ? value_string(s) :
		    value_null());
	case ES_LEGACYDN:
		return (value_string_take(xprintf("%s%s", ES_LEGACY_DN,
		    si->name)));
	case ES_OU:
		return (value_string_take(xprintf("%s/%s", ES_FOREST,
		    si->name)));
	case ES_VERSION:
		return (value_string_take(es_version(si->version != NULL ?
		    si->version : HUBSH_VERSION)));
	case ES_DN:
		return (value_string_take(xprintf("CN=%s%s", si->name,
		    ES_DN_SUFFIX)));
	case ES_CONTROL:
		return (si->control != NULL && *si->control != '\0' ?
		    value_string(si->control) : value_null());
	case ES_DATE:
		return (exchangeserver_date(dates[p->n], p->s != NULL));
	case ES_CLASS:
		a = value_array();
		value_array_push(a, value_string("top"));
		value_array_push(a, value_string("server"));
		value_array_push(a, value_string("msExchExchangeServer"));
		return (a);
	case ES_ORIGIN:
		return (value_string(store_server_name(st)));
	default:
		return (value_null());
	}
}

/* The ExchangeServer object of si. */
static struct value *
es_object(struct cmd_ctx *ctx, struct store *st, const struct server_info *si)
{
	const struct es_prop	*p;
	struct value		*v;

	v = value_object(ES_TYPE_NAME, &es_view);
	object_reserve(v, ES_NPROPS + 1);
	v->u.obj->text = xstrdup(si->name);
	object_add_const(v, "RunspaceId", value_string(shell_runspace_id()));
	for (p = es_props; p < es_props + ES_NPROPS; p++)
		object_add_const(v, p->name, es_value(ctx, st, si, p));
	return (v);
}

/* Get-ExchangeServer on one server. */
static void
es_get_one(struct cmd_ctx *ctx, struct store *st,
    const struct server_info *si)
{
	cmd_emit(ctx, es_object(ctx, st, si));
}

static int
cmd_get_exchangeserver_exec(struct cmd_ctx *ctx)
{
	struct server_info	*v;
	struct store		*st;
	struct value		*d;
	char			*domain;
	size_t			 i, n;

	if (shell_store(ctx->sh, &st) != 0)
		return (-1);
	if ((d = bound_get(ctx->args, "Domain")) == NULL) {
		exchangeserver_for_each(ctx, st, es_get_one, true);
		return (ctx->failed ? -1 : 0);
	}
	if ((v = es_servers(ctx, st, &n)) == NULL)
		return (-1);
	domain = value_to_string(d);
	for (i = 0; i < n && !ctx->stop; i++) {
		if (strcasecmp(es_domain(&v[i]), domain) == 0)
			es_get_one(ctx, st, &v[i]);
	}
	free(domain);
	server_info_free(v, n);
	return (ctx->failed ? -1 : 0);
}
