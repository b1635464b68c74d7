/*
 * cmd_testconnector.c - Test-SendConnector.
 *
 * Test-SendConnector (hubsh's own, beyond Exchange): would mail for a
 * recipient or domain leave, and how?
 *
 * The routing part runs here, on the store the shell edits, with the
 * selection code hubd routes with: route_table_build() and
 * route_explain() of store/route.c.  It gives one Hubsh.SendConnectorTest
 * object: the connector routing picks (or the one named by -Identity),
 * the address space that matched and its cost, and Candidates, one line
 * per connector of the store saying why it was chosen, lost or skipped.
 *
 * Unless -RoutingOnly, hubd then probes that connector's next hops
 * ("op probe", probe.c): for each address it connects, says EHLO, starts
 * TLS when offered and checks the connector's policy, never sending
 * mail.  One Hubsh.SendConnectorHop object per address, with the
 * verdict (Result Pass or Fail) and the Response a delivery would get.
 *
 * With -Server, routing is that server's (the connectors whose
 * SourceTransportServers include it) and its own hubd probes, reached as
 * Get-Queue -Server reaches it: the local one on its control socket,
 * another registered one at its TLS control endpoint.
 *
 * Failures are non-terminating errors, so that $? is false and a batch
 * exits 1 (cron): a hop that fails, no connector for the domain
 * (Unreachable queue), or none admitting -MessageSize.  The routing
 * object is a list; the hop objects' own view is a table (Host, Address,
 * StartTlsOffered, TlsProtocol, ChainValid, Result, Response), which
 * shows when they are formatted alone; after the routing object,
 * Out-Default lists them too, as PowerShell does with a second type.
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
#include "queueviewer.h"
#include "route.h"
#include "shell.h"
#include "store.h"
#include "xmalloc.h"

#define TSC_TYPE_NAME	"Hubsh.SendConnectorTest"
#define TSC_HOP_TYPE	"Hubsh.SendConnectorHop"
#define TSC_TN_SIZE	"Microsoft.Exchange.Data.ByteQuantifiedSize"
#define TSC_TN_ADDRESS	"Microsoft.Exchange.Data.SmtpAddress"
#define TSC_TN_DOMAIN	"Microsoft.Exchange.Data.SmtpDomain"

#define TSC_MSG_ONE	"Specify either -Recipient or -Domain."
#define TSC_MSG_BADVAL	"Cannot bind parameter '%s'. Cannot convert value " \
    "\"%s\" to type \"%s\". Error: \"%s\""
#define TSC_MSG_NOTFOUND "The operation couldn't be performed because " \
    "object '%s' couldn't be found on '%s'."
#define TSC_MSG_STORE	"The store operation failed: %s"
#define TSC_MSG_NOROUTE	"No Send connector routes mail for %s: it would " \
    "wait in the Unreachable queue."
#define TSC_MSG_TOOBIG	"No Send connector for %s admits a message of %s: " \
    "it would be returned with 550 5.3.4."
#define TSC_MSG_FAIL	"%s would not get mail: %s"

/* The probe record's fields (ctl.h "op probe"), in their order. */
static const struct rec_field tsc_hop_fields[] = {
	{ "Connector", REC_STRING },
	{ "Domain", REC_STRING },
	{ "Host", REC_STRING },
	{ "Preference", REC_INT },
	{ "Address", REC_STRING },
	{ "Dnssec", REC_STRING },
	{ "Dane", REC_STRING },
	{ "Tlsa", REC_LIST },
	{ "TlsaMatched", REC_STRING },
	{ "MtaSts", REC_STRING },
	{ "MtaStsMx", REC_LIST },
	{ "MtaStsAllowed", REC_BOOL },
	{ "Connected", REC_BOOL },
	{ "Error", REC_STRING },
	{ "Banner", REC_STRING },
	{ "StartTlsOffered", REC_BOOL },
	{ "TlsProtocol", REC_STRING },
	{ "TlsCipher", REC_STRING },
	{ "CertificateSubject", REC_STRING },
	{ "CertificateIssuer", REC_STRING },
	{ "CertificateNotBefore", REC_DATE },
	{ "CertificateNotAfter", REC_DATE },
	{ "CertificateNames", REC_LIST },
	{ "Chain", REC_LIST },
	{ "ChainValid", REC_BOOL },
	{ "ChainError", REC_STRING },
	{ "MatchedName", REC_STRING },
	{ "SatisfiesLevels", REC_LIST },
	{ "Policy", REC_STRING },
	{ "Result", REC_STRING },
	{ "Response", REC_STRING }
};
#define TSC_NHOP	(sizeof tsc_hop_fields / sizeof tsc_hop_fields[0])

static int	 cmd_test_sendconnector_exec(struct cmd_ctx *);
static void	 tsc_error(struct cmd_ctx *, const char *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static int	 tsc_domain(struct cmd_ctx *, char **, char **);
static int	 tsc_lookup(struct cmd_ctx *, struct store *,
		    struct send_connector **);
static char	*tsc_size(int64_t);
static char	*tsc_candidate(const struct route_candidate *, const char *,
		    const char *, int64_t);
static char	*tsc_server(struct cmd_ctx *, struct store *);
static struct value *tsc_object(const struct route_trace *, const char *,
		    const char *, const struct send_connector *, const char *,
		    const char *, int64_t);
static int	 tsc_hop(const struct ctl_rec *, void *);

static const char *const tsc_columns[] = {
	"Host", "Address", "StartTlsOffered", "TlsProtocol", "ChainValid",
	"Result", "Response", NULL
};
static const char *const tsc_hop_list[] = {
	"Connector", "Domain", "Host", "Preference", "Address", "Dnssec",
	"Dane", "Tlsa", "TlsaMatched", "MtaSts", "MtaStsMx", "MtaStsAllowed",
	"Connected", "Error", "StartTlsOffered", "TlsProtocol", "TlsCipher",
	"CertificateSubject", "CertificateNames", "ChainValid", "ChainError",
	"MatchedName", "Policy", "Result", "Response", NULL
};
static const struct view tsc_hop_view = {
	.type_name = TSC_HOP_TYPE,
	.shape = SHAPE_TABLE,
	.table = tsc_columns,
	.list = tsc_hop_list
};
static const struct view tsc_view = {
	.type_name = TSC_TYPE_NAME,
	.shape = SHAPE_LIST,
	.table = NULL,
	.list = NULL
};

static const struct param_entry tsc_params[] = {
	{ .name = "Recipient", .type = PT_STRING, .type_name = TSC_TN_ADDRESS,
	  .help = "A recipient address: its domain is routed." },
	{ .name = "Domain", .type = PT_STRING, .type_name = TSC_TN_DOMAIN,
	  .help = "A recipient domain to route." },
	{ .name = "Identity", .type = PT_IDENTITY, .flags = P_PIPELINE |
	  P_BYNAME, .help = "Test this connector instead of the one routing "
	  "picks (name or GUID)." },
	{ .name = "MessageSize", .type = PT_SIZE, .min = 0,
	  .max = INT64_MAX, .type_name = TSC_TN_SIZE, .help = "Route a "
	  "message of this size (MaxMessageSize applies); default 0." },
	{ .name = "RoutingOnly", .type = PT_SWITCH,
	  .help = "Explain the routing only; do not ask hubd to probe the "
	  "next hops." },
	{ .name = "Server", .type = PT_STRING, .type_name = TN_SERVERID,
	  .help = "The transport server whose routing to explain and whose "
	  "hubd probes: the local one (default), or another registered one "
	  "(its TLS control endpoint)." },
	{ .name = NULL }
};

const struct cmdlet_entry cmd_test_sendconnector_entry = {
	.name = "Test-SendConnector",
	.synopsis = "Explain routing to a domain and probe the next hops.",
	.params = tsc_params,
	.flags = C_EXCHANGE,
	.class_name = "Hubsh.Commands.TestSendConnector",
	.exec = cmd_test_sendconnector_exec,
	.description = "Explains which Send connector takes mail for "
	    "-Recipient or -Domain (every connector, with why it was chosen, "
	    "lost or skipped), then, unless -RoutingOnly, has hubd connect "
	    "to each next hop of that connector (or of -Identity) with its "
	    "TLS policy, sending no mail, and writes one object per hop "
	    "with Result Pass or Fail and the response a delivery would "
	    "get.  A Fail is an error: $? is false and a batch exits 1."
};

static void
tsc_error(struct cmd_ctx *ctx, const char *category, const char *reason,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	cmd_error(ctx, ERR_NONTERMINATING, category, reason, reason, "%s",
	    msg);
	free(msg);
}

/*
 * The domain to route: -Domain, or the domain of -Recipient; exactly one
 * of them.  *recipient is the address (or NULL).  0, or -1 after an
 * error.
 */
static int
tsc_domain(struct cmd_ctx *ctx, char **recipient, char **domain)
{
	struct value	*r, *d;
	const char	*at, *param, *tn, *text;
	char		*cause = NULL;

	*recipient = *domain = NULL;
	r = bound_get(ctx->args, "Recipient");
	d = bound_get(ctx->args, "Domain");
	if ((r == NULL || r->type == V_NULL) == (d == NULL ||
	    d->type == V_NULL)) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ParameterBindingException", "AmbiguousParameterSet",
		    TSC_MSG_ONE);
		return (-1);
	}
	if (r != NULL && r->type != V_NULL) {
		*recipient = value_to_string(r);
		at = strrchr(*recipient, '@');
		param = "Recipient";
		tn = TSC_TN_ADDRESS;
		text = *recipient;
		if (at == NULL || at == *recipient) {
			cause = xprintf("\"%s\" isn't a valid SMTP address.",
			    text);
			goto bad;
		}
		*domain = xstrdup(at + 1);
	} else {
		*domain = value_to_string(d);
		param = "Domain";
		tn = TSC_TN_DOMAIN;
		text = *domain;
	}
	if (strchr(*domain, '*') == NULL &&
	    ex_smtp_domain_check(*domain, false, &cause) == 0)
		return (0);
	if (cause == NULL)
		cause = xprintf("\"%s\" isn't a valid SMTP domain.", *domain);
bad:
	cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
	    "ParameterBindingException", "CannotConvertArgumentNoMessage",
	    TSC_MSG_BADVAL, param, text, tn, cause);
	free(cause);
	free(*recipient);
	free(*domain);
	*recipient = *domain = NULL;
	return (-1);
}

/*
 * The connector of -Identity (pipeline object, GUID or name), or NULL
 * in *scp when none was given.  0, or -1 after an error.
 */
static int
tsc_lookup(struct cmd_ctx *ctx, struct store *st, struct send_connector **scp)
{
	struct value	*v;
	char		*id, *cause = NULL;
	const char	*key;
	int		 r;

	*scp = NULL;
	v = ctx->ninput > 0 ? ctx->input[0] : bound_get(ctx->args,
	    "Identity");
	if (v == NULL || v->type == V_NULL)
		return (0);
	if (v->type == V_OBJECT && v->u.obj->key != NULL)
		id = xprintf("guid:%s", v->u.obj->key);
	else
		id = value_to_string(v);
	key = strncasecmp(id, "guid:", 5) == 0 ? id + 5 : id;
	if ((r = store_connector_get(st, key, scp, &cause)) == 1)
		r = store_connector_find(st, key, scp, &cause);
	if (r == -1)
		tsc_error(ctx, "WriteError", "StoreException", TSC_MSG_STORE,
		    cause);
	else if (r == 1)
		tsc_error(ctx, "NotSpecified",
		    "ManagementObjectNotFoundException", TSC_MSG_NOTFOUND,
		    key, store_server_name(st));
	free(cause);
	free(id);
	return (r == 0 ? 0 : -1);
}

/* A size as Exchange's short text: "10 MB" (no byte count). */
static char *
tsc_size(int64_t n)
{
	char	*s;

	s = ex_size_format(n);
	s[strcspn(s, "(")] = '\0';
	if (*s != '\0' && s[strlen(s) - 1] == ' ')
		s[strlen(s) - 1] = '\0';
	return (s);
}

/*
 * One line of Candidates: "name: space;cost (chosen)", "(lost on
 * specificity|cost|name)", or "name: skipped (reason)".
 */
static char *
tsc_candidate(const struct route_candidate *c, const char *domain,
    const char *server, int64_t size)
{
	const char	*why;
	char		*limit, *msg, *s;

	switch (c->why) {
	case ROUTE_WHY_CHOSEN:
		why = "chosen";
		break;
	case ROUTE_WHY_SPECIFICITY:
		why = "lost on specificity";
		break;
	case ROUTE_WHY_COST:
		why = "lost on cost";
		break;
	case ROUTE_WHY_NAME:
		why = "lost on name";
		break;
	case ROUTE_WHY_SIZE:
		limit = tsc_size(c->sc->max_message_size);
		msg = tsc_size(size);
		s = xprintf("%s: skipped (MaxMessageSize %s is below the "
		    "message's %s)", c->sc->name, limit, msg);
		free(limit);
		free(msg);
		return (s);
	case ROUTE_WHY_DISABLED:
		return (xprintf("%s: skipped (disabled)", c->sc->name));
	case ROUTE_WHY_NO_SPACE:
		return (xprintf("%s: skipped (no SMTP address space)",
		    c->sc->name));
	case ROUTE_WHY_NOT_SOURCE:
		return (xprintf("%s: skipped (%s is not a source server)",
		    c->sc->name, server));
	case ROUTE_WHY_NO_MATCH:
	default:
		return (xprintf("%s: skipped (no address space matches %s)",
		    c->sc->name, domain));
	}
	return (xprintf("%s: %s;%d (%s)", c->sc->name, c->space, c->cost,
	    why));
}

/*
 * The routing object.  forced is the -Identity connector (or NULL);
 * result says how routing ended.
 */
static struct value *
tsc_object(const struct route_trace *tr, const char *recipient,
    const char *domain, const struct send_connector *forced,
    const char *server, const char *result, int64_t size)
{
	const struct route_candidate	*c = NULL;
	const struct send_connector	*sc;
	struct value			*v, *a;
	size_t				 i;

	sc = forced != NULL ? forced : tr->choice.sc;
	a = value_array();
	for (i = 0; i < tr->n; i++) {
		value_array_push(a, value_string_take(tsc_candidate(&tr->v[i],
		    domain, server, size)));
		if (sc != NULL && tr->v[i].sc->guid[0] != '\0' &&
		    strcmp(tr->v[i].sc->guid, sc->guid) == 0)
			c = &tr->v[i];
	}
	v = value_object(TSC_TYPE_NAME, &tsc_view);
	object_add_const(v, "Recipient", recipient != NULL ?
	    value_string(recipient) : value_null());
	object_add_const(v, "Domain", value_string(domain));
	object_add_const(v, "Connector", sc != NULL ? value_string(sc->name) :
	    value_null());
	object_add_const(v, "AddressSpace", c != NULL && c->space != NULL ?
	    value_string(c->space) : value_null());
	object_add_const(v, "Cost", c != NULL && c->space != NULL ?
	    value_int(c->cost) : value_null());
	object_add_const(v, "Candidates", a);
	object_add_const(v, "Result", value_string(result));
	v->u.obj->text = xprintf("%s via %s", domain, sc != NULL ? sc->name :
	    "(none)");
	return (v);
}

/*
 * An object of type with the record's fields, typed as fields says, in
 * that order; its text is the field text_field (shared with
 * Get-SendConnectorCertificate and Get-MtaStsPolicy).
 */
struct value *
rec_object(const struct ctl_rec *r, const struct rec_field *fields,
    size_t n, const char *type, const struct view *view,
    const char *text_field)
{
	struct value	*v, *a;
	const char	*s, *name;
	size_t		 i, j;
	int64_t		 secs;

	v = value_object(type, view);
	object_reserve(v, n);
	for (i = 0; i < n; i++) {
		name = fields[i].name;
		s = ctl_get(r, name);
		switch (fields[i].kind) {
		case REC_LIST:
			a = value_array();
			for (j = 0; (s = ctl_get_nth(r, name, j)) != NULL; j++)
				value_array_push(a, value_string(s));
			object_add_const(v, name, a);
			continue;
		case REC_INT:
			object_add_const(v, name, s != NULL ?
			    value_int(ctl_get_int(r, name, 0)) : value_null());
			continue;
		case REC_BOOL:
			object_add_const(v, name, s != NULL ? value_bool(
			    strcasecmp(s, "True") == 0) : value_null());
			continue;
		case REC_DATE:
			object_add_const(v, name, s != NULL ? value_date(
			    ctl_get_int(r, name, 0) * 1000) : value_null());
			continue;
		case REC_SPAN:
			/* 100 ns ticks; what TimeSpan cannot hold is $null. */
			secs = ctl_get_int(r, name, -1);
			object_add_const(v, name, secs >= 0 && secs <=
			    INT64_MAX / 10000000 ? value_timespan(secs *
			    10000000) : value_null());
			continue;
		case REC_STRING:
			object_add_const(v, name, s != NULL ? value_string(s) :
			    value_null());
			continue;
		}
	}
	s = ctl_get(r, text_field);
	v->u.obj->text = xstrdup(s != NULL ? s : "");
	return (v);
}

/* ctl_call's callback: write the hop; a Fail is an error. */
static int
tsc_hop(const struct ctl_rec *r, void *arg)
{
	struct cmd_ctx	*ctx = arg;
	const char	*res, *who, *resp;

	cmd_emit(ctx, rec_object(r, tsc_hop_fields, TSC_NHOP, TSC_HOP_TYPE,
	    &tsc_hop_view, "Host"));
	if ((res = ctl_get(r, "Result")) == NULL ||
	    strcasecmp(res, "Fail") != 0)
		return (0);
	if ((who = ctl_get(r, "Host")) == NULL &&
	    (who = ctl_get(r, "Domain")) == NULL)
		who = "The next hop";
	if ((resp = ctl_get(r, "Response")) == NULL &&
	    (resp = ctl_get(r, "Error")) == NULL)
		resp = "no response";
	tsc_error(ctx, "InvalidResult", "SendConnectorTestFailed",
	    TSC_MSG_FAIL, who, resp);
	return (0);
}

/*
 * The server of -Server (the local one without it), with the control
 * channel's target set to it (caller frees); NULL after the error.
 * -RoutingOnly needs the server to be in the registry, not its hubd to
 * be reachable.
 */
static char *
tsc_server(struct cmd_ctx *ctx, struct store *st)
{
	struct value	*v = bound_get(ctx->args, "Server");
	char		*name;

	if (v == NULL || !bound_switch(ctx->args, "RoutingOnly")) {
		if (q_target_value(ctx, v) != 0)
			return (NULL);
		return (xstrdup(ctx->ctl_name != NULL ? ctx->ctl_name :
		    store_server_name(st)));
	}
	name = value_to_string(v);
	if (store_server_known(st, name) == 1)
		return (name);
	q_not_found(ctx, name);
	free(name);
	return (NULL);
}

/* Test-SendConnector. */
static int
cmd_test_sendconnector_exec(struct cmd_ctx *ctx)
{
	struct store		*st;
	struct route_table	*rt = NULL;
	struct route_trace	 tr;
	struct send_connector	*forced = NULL;
	const struct send_connector *sc;
	struct ctl_rec		 req;
	struct value		*v;
	enum route_status	 rs;
	const char		*result;
	char			*recipient, *domain, *cause = NULL, *size_text;
	char			*server = NULL;
	int64_t			 size = 0;

	if (ctx->piped && ctx->ninput == 0)
		return (0);
	if (tsc_domain(ctx, &recipient, &domain) != 0)
		return (-1);
	memset(&tr, 0, sizeof tr);
	if (shell_store(ctx->sh, &st) != 0 || tsc_lookup(ctx, st,
	    &forced) != 0 || (server = tsc_server(ctx, st)) == NULL)
		goto out;
	if ((v = bound_get(ctx->args, "MessageSize")) != NULL &&
	    v->type == V_INT)
		size = v->u.i;
	if (route_table_build(st, server, &rt, &cause) != 0) {
		tsc_error(ctx, "WriteError", "StoreException", TSC_MSG_STORE,
		    cause);
		goto out;
	}
	rs = route_explain(rt, domain, size, &tr);
	if (forced != NULL)
		result = tr.choice.sc != NULL && strcmp(tr.choice.sc->guid,
		    forced->guid) == 0 ? "Routed" : "Overridden";
	else
		result = rs == ROUTE_OK ? "Routed" : rs == ROUTE_TOOBIG ?
		    "TooLarge" : "Unreachable";
	cmd_emit(ctx, tsc_object(&tr, recipient, domain, forced, server,
	    result, size));
	if (forced == NULL && rs == ROUTE_NOMATCH)
		tsc_error(ctx, "ObjectNotFound", "NoRouteException",
		    TSC_MSG_NOROUTE, domain);
	else if (forced == NULL && rs == ROUTE_TOOBIG) {
		size_text = tsc_size(size);
		tsc_error(ctx, "LimitsExceeded", "MessageTooLargeException",
		    TSC_MSG_TOOBIG, domain, size_text);
		free(size_text);
	}
	sc = forced != NULL ? forced : tr.choice.sc;
	if (sc == NULL || bound_switch(ctx->args, "RoutingOnly"))
		goto out;
	ctl_rec_init(&req);
	ctl_add(&req, "op", "probe");
	ctl_add(&req, "connector", sc->name);
	ctl_add(&req, "domain", domain);
	cmd_ctl(ctx, &req, tsc_hop, ctx);
	ctl_rec_clear(&req);
out:
	route_trace_clear(&tr);
	route_table_unref(rt);
	if (forced != NULL)
		send_connector_free(forced);
	free(cause);
	free(server);
	free(recipient);
	free(domain);
	return (ctx->failed ? -1 : 0);
}
