/*
 * cmd_connectorcert.c - Get-SendConnectorCertificate (hubsh's own; not
 * an Exchange cmdlet): what hubd's certificate watch last saw at each
 * next hop of the Send connectors that require TLS or validate
 * certificates, as its spool keeps it (control channel "op cert-watch",
 * common/ctl.h; transport/certwatch.c).
 *
 * One object per connector, domain, host and address, in that order:
 * when it was checked, whether it answered and offered STARTTLS, the
 * probe's Result, and the last certificate seen there (subject, issuer,
 * validity, names, SHA-1 thumbprint as Exchange shows one, the
 * TlsAuthLevels it meets), with Findings: the conditions the watch has
 * alerted on that still hold.  -Identity names a connector; -Server asks
 * another registered server's hubd, as Get-Queue does.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queueviewer.h"
#include "shell.h"
#include "xmalloc.h"

#define CC_TYPE_NAME	"Hubsh.SendConnectorCertificate"

/* The record's fields (ctl.h "op cert-watch"), in their order. */
static const struct rec_field cc_fields[] = {
	{ "Connector", REC_STRING },
	{ "Domain", REC_STRING },
	{ "Host", REC_STRING },
	{ "Address", REC_STRING },
	{ "LastChecked", REC_DATE },
	{ "Connected", REC_BOOL },
	{ "StartTlsOffered", REC_BOOL },
	{ "Result", REC_STRING },
	{ "Error", REC_STRING },
	{ "Subject", REC_STRING },
	{ "Issuer", REC_STRING },
	{ "NotBefore", REC_DATE },
	{ "NotAfter", REC_DATE },
	{ "CertificateDomains", REC_LIST },
	{ "Thumbprint", REC_STRING },
	{ "SatisfiesLevels", REC_LIST },
	{ "Findings", REC_LIST }
};
#define CC_NFIELDS	(sizeof cc_fields / sizeof cc_fields[0])

static const char *const cc_columns[] = {
	"Connector", "Host", "Result", "NotAfter", "Findings", NULL
};
static const struct view cc_view = {
	.type_name = CC_TYPE_NAME,
	.shape = SHAPE_TABLE,
	.table = cc_columns,
	.list = NULL
};

static const struct param_entry cc_params[] = {
	{ .name = "Identity", .type = PT_STRING, .flags = P_POSITIONAL |
	  P_PIPELINE | P_BYNAME, .position = 0,
	  .type_name = "Microsoft.Exchange.Configuration.Tasks."
	  "SendConnectorIdParameter",
	  .help = "A Send connector's name; every watched connector when "
	  "omitted." },
	{ .name = "Server", .type = PT_STRING, .type_name = TN_SERVERID,
	  .help = "The transport server whose watch to read; the local one "
	  "(its control socket), or another registered one (its TLS "
	  "control endpoint)." },
	PARAM_END
};

static int	 cmd_get_connectorcert_exec(struct cmd_ctx *);
static int	 cc_one(const struct ctl_rec *, void *);

const struct cmdlet_entry cmd_get_connectorcert_entry = {
	.name = "Get-SendConnectorCertificate",
	.synopsis = "Show what the certificate watch saw at each next hop.",
	.params = cc_params,
	.flags = C_EXCHANGE,
	.class_name = "Hubsh.Commands.GetSendConnectorCertificate",
	.exec = cmd_get_connectorcert_exec,
	.description = "hubsh's own.  Writes, for each next hop of the Send "
	    "connectors that require TLS or validate certificates, what "
	    "hubd's certificate watch last saw there: whether it offered "
	    "STARTTLS, the probe's Result, and the last certificate seen "
	    "(Subject, Issuer, NotBefore, NotAfter, CertificateDomains, "
	    "Thumbprint, SatisfiesLevels), with Findings: "
	    "CertificateExpiring, TlsDomainNotSatisfied or "
	    "StartTlsNotOffered while they hold."
};

/* ctl_call's callback: one hop. */
static int
cc_one(const struct ctl_rec *r, void *arg)
{
	struct cmd_ctx	*ctx = arg;

	cmd_emit(ctx, rec_object(r, cc_fields, CC_NFIELDS, CC_TYPE_NAME,
	    &cc_view, "Host"));
	return (0);
}

static int
cmd_get_connectorcert_exec(struct cmd_ctx *ctx)
{
	struct ctl_rec	 req;
	struct value	*v;
	char		*name = NULL;

	if (ctx->piped && ctx->ninput == 0)
		return (0);
	if (q_target_value(ctx, bound_get(ctx->args, "Server")) != 0)
		return (-1);
	if ((v = bound_get(ctx->args, "Identity")) != NULL &&
	    v->type != V_NULL)
		name = value_to_string(v);
	ctl_rec_init(&req);
	ctl_add(&req, "op", "cert-watch");
	ctl_add(&req, "connector", name);
	cmd_ctl(ctx, &req, cc_one, ctx);
	ctl_rec_clear(&req);
	free(name);
	return (ctx->failed ? -1 : 0);
}
