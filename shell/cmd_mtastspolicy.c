/*
 * cmd_mtastspolicy.c - Get-MtaStsPolicy (hubsh's own; Exchange has
 * none): the MTA-STS policies (RFC 8461) that hubd keeps, one per
 * recipient domain, as its spool holds them (control channel
 * "op mta-sts", common/ctl.h; transport/mtasts.c).
 *
 * One object per domain whose policy hubd has fetched, or whose first
 * fetch failed: the policy's id, mode (Enforce, Testing or None), mx
 * patterns, max_age (a TimeSpan), when it was fetched and when it
 * expires, and the last refresh that failed, which leaves the policy it
 * had in force.  Server is the server that answered.  -Domain names one
 * domain, without case; none kept for it is Exchange's object-not-found
 * error, worded and categorized as Get-SendConnector's for a name it
 * does not know.  -Server asks another registered server's hubd, as
 * Get-Queue -Server does.
 *
 * The domain is checked here, before hubd is asked: it must be a domain
 * name (SmtpDomain's rules, no wildcard), so that what reaches the
 * control channel is bounded and a typing slip gets its own error rather
 * than "couldn't be found".
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extype.h"
#include "queueviewer.h"
#include "shell.h"
#include "xmalloc.h"

#define STS_TYPE_NAME	"Hubsh.MtaStsPolicy"

/* The record's fields (ctl.h "op mta-sts"), in their order. */
static const struct rec_field sts_fields[] = {
	{ "Domain", REC_STRING },
	{ "PolicyId", REC_STRING },
	{ "Mode", REC_STRING },
	{ "Mx", REC_LIST },
	{ "MaxAge", REC_SPAN },
	{ "Fetched", REC_DATE },
	{ "Expires", REC_DATE },
	{ "LastFailure", REC_STRING },
	{ "LastFailureTime", REC_DATE }
};
#define STS_NFIELDS	(sizeof sts_fields / sizeof sts_fields[0])

/* The table Out-Default shows; `fl` shows every property, in order. */
static const char *const sts_columns[] = {
	"Domain", "Mode", "PolicyId", "Expires", NULL
};
static const struct view sts_view = {
	.type_name = STS_TYPE_NAME,
	.shape = SHAPE_TABLE,
	.table = sts_columns,
	.list = NULL
};

static const struct param_entry sts_params[] = {
	PARAM("Domain", NULL, PT_STRING, P_POSITIONAL, 0, NULL, 0, 0, NULL,
	    "A recipient domain (without case); every domain hubd keeps a "
	    "policy for when omitted."),
	PARAM("Server", NULL, PT_STRING, 0, 0, NULL, 0, 0, TN_SERVERID,
	    "The transport server whose policies to read; the local one "
	    "(its control socket), or another registered one (its TLS "
	    "control endpoint)."),
	PARAM_END
};

/* What the callback counts and for whom. */
struct sts_get {
	struct cmd_ctx	*ctx;
	size_t		 n;
};

static int	 cmd_get_mtastspolicy_exec(struct cmd_ctx *);
static int	 sts_domain(struct cmd_ctx *, char **);
static int	 sts_one(const struct ctl_rec *, void *);

const struct cmdlet_entry cmd_get_mtastspolicy_entry = {
	.name = "Get-MtaStsPolicy",
	.synopsis = "Show the MTA-STS policies hubd keeps, per domain.",
	.params = sts_params,
	.flags = C_EXCHANGE | C_NOINPUT,
	.class_name = "Hubsh.Commands.GetMtaStsPolicy",
	.exec = cmd_get_mtastspolicy_exec,
	.description = "hubsh's own.  Writes, for each recipient domain "
	    "whose MTA-STS policy (RFC 8461) hubd has fetched, or whose "
	    "first fetch failed, the policy it keeps: PolicyId, Mode "
	    "(Enforce, Testing or None), Mx (the patterns the MX hosts must "
	    "match), MaxAge, Fetched and Expires, with LastFailure and "
	    "LastFailureTime when a refresh failed, and the Server that "
	    "answered."
};

/*
 * -Domain, when given: a domain name, else a statement-terminating
 * error.  *domain is NULL without it (caller frees).  0, or -1.
 */
static int
sts_domain(struct cmd_ctx *ctx, char **domain)
{
	struct value	*v;
	char		*cause = NULL;

	*domain = NULL;
	if ((v = bound_get(ctx->args, "Domain")) == NULL || v->type == V_NULL)
		return (0);
	*domain = value_to_string(v);
	if (strchr(*domain, '*') == NULL &&
	    ex_smtp_domain_check(*domain, false, &cause) == 0)
		return (0);
	free(cause);
	cmd_error(ctx, ERR_STATEMENT, "InvalidData",
	    "ParameterBindingValidationException",
	    "ParameterArgumentValidationError", "Cannot validate argument on "
	    "parameter 'Domain'. \"%s\" isn't a valid SMTP domain.", *domain);
	free(*domain);
	*domain = NULL;
	return (-1);
}

/* ctl_call's callback: one domain's policy. */
static int
sts_one(const struct ctl_rec *r, void *arg)
{
	struct sts_get	*g = arg;
	struct value	*v;

	v = rec_object(r, sts_fields, STS_NFIELDS, STS_TYPE_NAME, &sts_view,
	    "Domain");
	object_add_const(v, "Server", value_string(q_server(g->ctx)));
	cmd_emit(g->ctx, v);
	g->n++;
	return (0);
}

static int
cmd_get_mtastspolicy_exec(struct cmd_ctx *ctx)
{
	struct sts_get	 g = { ctx, 0 };
	struct ctl_rec	 req;
	char		*domain, *lower = NULL;
	size_t		 i;

	if (sts_domain(ctx, &domain) != 0)
		return (-1);
	if (q_target_value(ctx, bound_get(ctx->args, "Server")) != 0) {
		free(domain);
		return (-1);
	}
	/* hubd keeps domains in lower case (the spool's CHECK says so). */
	if (domain != NULL) {
		lower = xstrdup(domain);
		for (i = 0; lower[i] != '\0'; i++)
			lower[i] = tolower((unsigned char)lower[i]);
	}
	ctl_rec_init(&req);
	ctl_add(&req, "op", "mta-sts");
	ctl_add(&req, "domain", lower);
	if (cmd_ctl(ctx, &req, sts_one, &g) == 0 && domain != NULL &&
	    g.n == 0)
		q_not_found(ctx, domain);
	ctl_rec_clear(&req);
	free(lower);
	free(domain);
	return (ctx->failed ? -1 : 0);
}
