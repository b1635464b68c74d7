/*
 * bind.c - the table-driven parameter binder.
 *
 * Binds the evaluated elements of one command to the parameters of its
 * cmdlet_entry, the way PowerShell's binder does: names are matched
 * without case, by exact name or alias first and then by unique prefix
 * (declared parameters win over common ones); -Name:value binds exactly
 * the next element; switches take no argument; what is left binds by
 * position; each value is converted by its parameter type, through
 * ptype_table[] (one row per enum ptype: its .NET type and converter,
 * which help.c reads too) and the Exchange type parsers of extype.c;
 * then missing mandatory parameters are asked for on a terminal, or
 * reported.
 *
 * Every failure is written to the shell with PowerShell's text and error
 * id, framed as a statement-terminating error of the command.
 *
 * The exec functions read the result by name (bound_get and its kin); a
 * name the cmdlet does not declare is a bug in the cmdlet and aborts
 * with an internal error rather than reading as "not given".
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extype.h"
#include "shell.h"
#include "xmalloc.h"

struct binder {
	struct shell			*sh;
	const struct cmdlet_entry	*entry;
	const char			*invocation;
	struct node			*cmd;
	struct source			*src;
	struct bound			*b;
};

static const struct param_entry domain_controller_param =
	PARAM("DomainController", NULL, PT_FQDN, P_COMMON | P_NOTAB, 0, NULL,
	    0, 0, NULL, "Accepted for compatibility; hubsh has no domain "
	    "controllers.");

static void	bind_error(struct binder *, struct extent, const char *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
static struct extent bind_where(const struct binder *);
static int	conv_datetime(const struct param_entry *, struct value *,
		    struct value **, char **);
static int	conv_unlimited(const struct param_entry *, struct value *,
		    struct value **, char **);
static int	local_path_check(const char *, char **);
static int	conv_bool(const struct param_entry *, struct value *,
		    struct value **, char **);
static int	conv_int(const struct param_entry *, struct value *,
		    struct value **, char **);
static int	conv_enum(const struct param_entry *, struct value *,
		    struct value **, char **);
static int	conv_multi(const struct param_entry *, struct value *,
		    struct value **, char **);
static int	conv_checked(const struct param_entry *, struct value *,
		    struct value **, char **);
static int	conv_credential(const struct param_entry *, struct value *,
		    struct value **, char **);
static int	conv_identity(const struct param_entry *, struct value *,
		    struct value **, char **);
static int	conv_script(const struct param_entry *, struct value *,
		    struct value **, char **);
static int	conv_string(const struct param_entry *, struct value *,
		    struct value **, char **);
static int	conv_object(const struct param_entry *, struct value *,
		    struct value **, char **);
static size_t	bound_count(const struct param_entry *);
static bool	bound_in(const struct param_entry *, const char *);
static int	bound_find(const struct bound *, const char *);
static int	choice_find(const struct choice *, const char *);
static void	bound_undeclared(const struct bound *, const char *)
		    __attribute__((noreturn));

/*
 * The parameter types: the .NET type a message or help names when the
 * parameter gives none of its own (PT_ENUM and PT_FLAGS always do), and
 * the converter.  Indexed by enum ptype.
 */
#define EX_DATA(x)	"Microsoft.Exchange.Data." x
#define EX_MULTI(x)	EX_DATA("MultiValuedProperty`1[" x "]")
#define PS_AUTO(x)	"System.Management.Automation." x

const struct ptype_entry ptype_table[] = {
	[PT_STRING] = { "System.String", conv_string },
	[PT_BOOL] = { "System.Boolean", conv_bool },
	[PT_SWITCH] = { PS_AUTO("SwitchParameter"), conv_bool },
	[PT_INT] = { "System.Int32", conv_int },
	[PT_ENUM] = { NULL, conv_enum },
	[PT_FLAGS] = { NULL, conv_enum },
	[PT_SIZE] = { EX_DATA("Unlimited`1[" EX_DATA("ByteQuantifiedSize") "]"),
	    conv_checked },
	[PT_TIMESPAN] = { EX_DATA("EnhancedTimeSpan"), conv_checked },
	[PT_ADDRSPACE] = { EX_MULTI(EX_DATA("AddressSpace")), conv_multi },
	[PT_SMARTHOST] = { EX_MULTI(EX_DATA("SmartHost")), conv_multi },
	[PT_SERVER] = { EX_MULTI("Microsoft.Exchange.Configuration.Tasks."
	    "ServerIdParameter"), conv_multi },
	[PT_FQDN] = { EX_DATA("Fqdn"), conv_checked },
	[PT_IP] = { "System.Net.IPAddress", conv_checked },
	[PT_TLSDOMAIN] = { EX_DATA("SmtpDomainWithSubdomains"), conv_checked },
	[PT_X509] = { EX_DATA("SmtpX509Identifier"), conv_checked },
	[PT_CREDENTIAL] = { PS_AUTO("PSCredential"), conv_credential },
	[PT_IDENTITY] = { "Microsoft.Exchange.Configuration.Tasks."
	    "SendConnectorIdParameter", conv_identity },
	[PT_OBJECT] = { "System.Object", conv_object },
	[PT_SCRIPT] = { PS_AUTO("ScriptBlock"), conv_script },
	[PT_ACTIONPREF] = { PS_AUTO("ActionPreference"), conv_enum },
	[PT_STRINGS] = { "System.String[]", conv_multi },
	[PT_DATETIME] = { "System.DateTime", conv_datetime },
	[PT_UNLIMITED] = { EX_DATA("Unlimited`1[System.Int32]"),
	    conv_unlimited },
	[PT_LOCALPATH] = { EX_DATA("LocalLongFullPath"), conv_checked },
	[PT_BYTES] = { EX_DATA("ByteQuantifiedSize"), conv_checked },
	[PT_GUID] = { "System.Guid", conv_checked }
};

/* The rows of a NULL-terminated parameter table. */
static size_t
bound_count(const struct param_entry *p)
{
	size_t	n = 0;

	for (; p != NULL && p->name != NULL; p++)
		n++;
	return (n);
}

/*
 * One allocation holds the structure and its three arrays, sized for
 * the cmdlet (Set-TransportService takes well over a hundred): the
 * extents first, then the two arrays of pointers, all aligned as the
 * structure is.
 */
struct bound *
bound_create(const struct cmdlet_entry *ce)
{
	struct bound			*b;
	const struct param_entry	*p;
	size_t				 n;
	char				*mem;

	n = bound_count(ce->params) + bound_count(common_params) + 1;
	if (ce->flags & C_SHOULDPROCESS)
		n += bound_count(shouldprocess_params);
	mem = xcalloc(1, sizeof *b + n * (sizeof *b->ext + sizeof *b->p +
	    sizeof *b->v));
	b = (struct bound *)mem;
	b->ext = (struct extent *)(mem + sizeof *b);
	b->p = (const struct param_entry **)(b->ext + n);
	b->v = (struct value **)(b->p + n);
	b->entry = ce;
	for (p = ce->params; p != NULL && p->name != NULL; p++)
		b->p[b->np++] = p;
	for (p = common_params; p->name != NULL; p++)
		b->p[b->np++] = p;
	if (ce->flags & C_SHOULDPROCESS) {
		for (p = shouldprocess_params; p->name != NULL; p++)
			b->p[b->np++] = p;
	}
	if (ce->flags & C_EXCHANGE)
		b->p[b->np++] = &domain_controller_param;
	return (b);
}

void
bound_free(struct bound *b)
{
	size_t	i;

	if (b == NULL)
		return;
	for (i = 0; i < b->np; i++) {
		if (b->v[i] != NULL)
			value_unref(b->v[i]);
	}
	free(b);
}

/* Whether name is in a NULL-terminated parameter table. */
static bool
bound_in(const struct param_entry *p, const char *name)
{
	for (; p != NULL && p->name != NULL; p++) {
		if (strcasecmp(p->name, name) == 0)
			return (true);
	}
	return (false);
}

/*
 * A cmdlet looked up a parameter it has no business asking for: a
 * misspelt name in its exec function.  Never a user's error, so the
 * process stops here, always.
 */
static void
bound_undeclared(const struct bound *b, const char *name)
{
	fprintf(stderr, "hubsh: internal error: %s looks up parameter -%s, "
	    "which it does not declare\n", b->entry->name, name);
	fflush(stderr);
	abort();
}

/* Index of name in b, or -1: no check. */
static int
bound_find(const struct bound *b, const char *name)
{
	size_t	i;

	for (i = 0; i < b->np; i++) {
		if (strcasecmp(b->p[i]->name, name) == 0)
			return ((int)i);
	}
	return (-1);
}

int
bound_index(const struct bound *b, const char *name)
{
	int	i;

	/* Not in b: only -WhatIf, -Confirm and -DomainController may be. */
	if ((i = bound_find(b, name)) < 0 &&
	    !bound_in(shouldprocess_params, name) &&
	    strcasecmp(name, domain_controller_param.name) != 0)
		bound_undeclared(b, name);
	return (i);
}

struct value *
bound_get_opt(const struct bound *b, const char *name)
{
	size_t	i;
	int	k;

	if ((k = bound_find(b, name)) >= 0)
		return (b->v[k]);
	for (i = 0; cmdlet_table[i] != NULL; i++) {
		if (bound_in(cmdlet_table[i]->params, name))
			return (NULL);
	}
	return (bound_get(b, name));
}

struct value *
bound_get(const struct bound *b, const char *name)
{
	int	i = bound_index(b, name);

	return (i < 0 ? NULL : b->v[i]);
}

bool
bound_has(const struct bound *b, const char *name)
{
	return (bound_get(b, name) != NULL);
}

bool
bound_switch(const struct bound *b, const char *name)
{
	struct value	*v = bound_get(b, name);

	return (v != NULL && value_truthy(v));
}

static void
bind_error(struct binder *bd, struct extent ext, const char *id,
    const char *category, const char *fmt, ...)
{
	struct errrec	*e;
	va_list		 ap;

	va_start(ap, fmt);
	e = errrec_vcreate(ERR_STATEMENT, category, "ParameterBindingException",
	    xprintf("%s,%s", id, bd->entry->class_name != NULL ?
	    bd->entry->class_name : bd->entry->name), bd->src, ext, fmt, ap);
	va_end(ap);
	errrec_set(&e->activity, xstrdup(bd->entry->name));
	errrec_set(&e->invocation, xstrdup(bd->invocation));
	/* A script's own arguments (hubsh -File x.ps1 -A b) have no place. */
	e->has_position = bd->cmd != NULL;
	shell_report(bd->sh, e);
}

/* Where the command being bound is, for errors about it as a whole. */
static struct extent
bind_where(const struct binder *bd)
{
	struct extent	none = { 0, 0 };

	return (bd->cmd != NULL ? bd->cmd->ext : none);
}

/*
 * Resolve a typed parameter name: exact name or alias, then unique
 * prefix, preferring declared parameters.  -1 with an error otherwise.
 */
static int
bind_resolve(struct binder *bd, const char *typed, struct extent ext)
{
	struct bound	*b = bd->b;
	struct buf	 list;
	size_t		 i, len = strlen(typed), nmatch = 0, ndecl = 0;
	int		 match = -1, decl = -1;

	for (i = 0; i < b->np; i++) {
		if (strcasecmp(b->p[i]->name, typed) == 0 ||
		    param_alias_match(b->p[i], typed, true))
			return ((int)i);
	}
	for (i = 0; i < b->np; i++) {
		if (strncasecmp(b->p[i]->name, typed, len) != 0 &&
		    !param_alias_match(b->p[i], typed, false))
			continue;
		nmatch++;
		match = (int)i;
		if (!(b->p[i]->flags & P_COMMON)) {
			ndecl++;
			decl = (int)i;
		}
	}
	if (nmatch == 1)
		return (match);
	if (ndecl == 1)
		return (decl);
	if (nmatch == 0) {
		bind_error(bd, ext, "NamedParameterNotFound", "InvalidArgument",
		    "A parameter cannot be found that matches parameter name "
		    "'%s'.", typed);
		return (-1);
	}
	buf_init(&list);
	for (i = 0; i < b->np; i++) {
		if (strncasecmp(b->p[i]->name, typed, len) == 0 ||
		    param_alias_match(b->p[i], typed, false))
			buf_addf(&list, " -%s", b->p[i]->name);
	}
	bind_error(bd, ext, "AmbiguousParameter", "InvalidArgument",
	    "Parameter cannot be processed because the parameter name '%s' "
	    "is ambiguous. Possible matches include:%s.", typed, list.s);
	buf_free(&list);
	return (-1);
}

/*
 * Is typed one of a parameter's aliases (a list like "First, Head"), or
 * unless exact the start of one?
 */
bool
param_alias_match(const struct param_entry *p, const char *typed, bool exact)
{
	const char	*a, *end;
	size_t		 len = strlen(typed), n;

	for (a = p->alias; a != NULL && *a != '\0'; a = end) {
		n = strcspn(a, ",");
		end = a + n;
		if ((exact ? n == len : n >= len) &&
		    strncasecmp(a, typed, len) == 0)
			return (true);
		end += strspn(end, ", ");
	}
	return (false);
}

/* Index of the choice named s exactly (any case), or -1. */
static int
choice_find(const struct choice *choices, const char *s)
{
	size_t	i;

	for (i = 0; choices[i].name != NULL; i++) {
		if (strcasecmp(choices[i].name, s) == 0)
			return ((int)i);
	}
	return (-1);
}

const char *
choice_name(const struct choice *choices, int code)
{
	for (; choices->name != NULL; choices++) {
		if (choices->code == code)
			return (choices->name);
	}
	return (NULL);
}

int
bound_code(const struct bound *b, const char *name, int cur, int dflt)
{
	const struct param_entry	*p;
	struct value			*v;
	char				*copy, *word, *next;
	int				 i, k, code = 0;

	if ((i = bound_index(b, name)) < 0 || (v = b->v[i]) == NULL)
		return (cur);
	p = b->p[i];
	if (v->type != V_STRING)
		return (dflt);
	if (p->type != PT_FLAGS) {
		k = choice_find(p->choices, v->u.s);
		return (k < 0 ? dflt : p->choices[k].code);
	}
	copy = xstrdup(v->u.s);
	for (next = copy; (word = strsep(&next, ",")) != NULL; /* nothing */) {
		word += strspn(word, " \t");
		word[strcspn(word, " \t")] = '\0';
		if ((k = choice_find(p->choices, word)) >= 0)
			code |= p->choices[k].code;
	}
	free(copy);
	return (code);
}

/* Unique-prefix match of an enumerator name; index or -1 with cause. */
int
choice_match(const struct choice *choices, const char *s, char **cause,
    const char *type_name)
{
	struct buf	 all, hits;
	size_t		 i, len = strlen(s), n = 0;
	int		 found;

	(void)type_name;
	if ((found = choice_find(choices, s)) >= 0)
		return (found);
	buf_init(&all);
	buf_init(&hits);
	for (i = 0; choices[i].name != NULL; i++) {
		buf_addf(&all, "%s%s", i > 0 ? ", " : "", choices[i].name);
		if (len > 0 && strncasecmp(choices[i].name, s, len) == 0) {
			buf_addf(&hits, "%s%s", n > 0 ? ", " : "",
			    choices[i].name);
			found = (int)i;
			n++;
		}
	}
	if (n == 1)
		goto out;
	found = -1;
	if (n == 0)
		xasprintf(cause, "Unable to match the identifier name %s to a "
		    "valid enumerator name. Specify one of the following "
		    "enumerator names and try again:\n%s", s, all.s);
	else
		xasprintf(cause, "The identifier name %s cannot be processed "
		    "because it is either too similar or identical to the "
		    "following enumerator names: %s. Use a more specific "
		    "identifier name.", s, hits.s);
out:
	buf_free(&all);
	buf_free(&hits);
	return (found);
}

/* "Cannot bind parameter 'X'. Cannot convert value ..." */
static char *
conv_message(const struct param_entry *p, const char *text,
    const char *inner)
{
	return (xprintf("Cannot bind parameter '%s'. Cannot convert value "
	    "\"%s\" to type \"%s\". Error: \"%s\"", p->name, text,
	    param_type_name(p), inner));
}

static int
conv_bool(const struct param_entry *p, struct value *v, struct value **out,
    char **cause)
{
	switch (v->type) {
	case V_BOOL:
		*out = value_ref(v);
		return (0);
	case V_INT:
	case V_DOUBLE:
	case V_NULL:
		*out = value_bool(value_truthy(v));
		return (0);
	default:
		xasprintf(cause, "Cannot convert '%s' to the type '%s' "
		    "required by parameter '%s'. ", value_type_name(v),
		    ptype_table[p->type].type_name, p->name);
		return (-1);
	}
}

static int
conv_int(const struct param_entry *p, struct value *v, struct value **out,
    char **cause)
{
	double	 d;
	int64_t	 i;
	bool	 is_int;
	char	*s;

	if (!value_to_number(v, &d, &i, &is_int) || v->type == V_NULL ||
	    (!is_int && d != (double)(int64_t)d)) {
		s = value_to_string(v);
		*cause = conv_message(p, s, "Input string was not in a "
		    "correct format.");
		free(s);
		return (-1);
	}
	if (!is_int)
		i = (int64_t)d;
	if (p->max > p->min && (i < p->min || i > p->max)) {
		xasprintf(cause, "Cannot validate argument on parameter '%s'. "
		    "The %lld argument is %s than the %s allowed range of "
		    "%lld. Supply an argument that is %s than or equal to "
		    "%lld and then try the command again.", p->name,
		    (long long)i, i < p->min ? "less" : "greater",
		    i < p->min ? "minimum" : "maximum",
		    (long long)(i < p->min ? p->min : p->max),
		    i < p->min ? "greater" : "less",
		    (long long)(i < p->min ? p->min : p->max));
		return (-1);
	}
	*out = value_int(i);
	return (0);
}

static int
conv_enum(const struct param_entry *p, struct value *v, struct value **out,
    char **cause)
{
	struct buf	 b;
	char		*s, *inner = NULL, *tok, *save, *copy;
	size_t		 i;
	int		 k;

	if (v->type == V_NULL && p->type == PT_ENUM) {
		/* Nullable enums (TlsAuthLevel): $null clears. */
		*out = value_null();
		return (0);
	}
	buf_init(&b);
	for (i = 0; i < value_count(v); i++) {
		s = value_to_string(value_item(v, i));
		copy = xstrdup(s);
		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			k = choice_match(p->choices, tok, &inner, p->type_name);
			if (k < 0) {
				*cause = conv_message(p, s, inner);
				free(inner);
				free(copy);
				free(s);
				buf_free(&b);
				return (-1);
			}
			buf_addf(&b, "%s%s", b.len > 0 ? ", " : "",
			    p->choices[k].name);
			if (p->type == PT_ENUM || p->type == PT_ACTIONPREF)
				break;
		}
		free(copy);
		free(s);
	}
	if (b.len == 0 && (p->type == PT_ENUM || p->type == PT_ACTIONPREF)) {
		*cause = conv_message(p, "", "Cannot convert null to an "
		    "enumeration value.");
		buf_free(&b);
		return (-1);
	}
	*out = value_string_take(buf_detach(&b));
	return (0);
}

/* One element of a multi-valued Exchange property: canonical text. */
static int
conv_element(const struct param_entry *p, const char *s, char **canon,
    char **cause)
{
	struct sc_address_space	 as;
	char			*inner = NULL;
	int			 r = 0;

	switch (p->type) {
	case PT_ADDRSPACE:
		if ((r = ex_address_space_parse(s, &as, &inner)) == 0) {
			*canon = ex_address_space_format(&as);
			ex_address_space_clear(&as);
		}
		break;
	case PT_SMARTHOST:
		r = ex_smart_host_parse(s, canon, &inner);
		break;
	case PT_IP:
		r = ex_ip_parse(s, canon, &inner);
		break;
	default:
		if (*s == '\0') {
			inner = xstrdup("The value can't be empty.");
			r = -1;
		} else
			*canon = xstrdup(s);
		break;
	}
	if (r != 0) {
		*cause = conv_message(p, s, inner);
		free(inner);
	}
	return (r);
}

/* A list value: array or scalar, each element converted. */
static int
conv_list(const struct param_entry *p, struct value *v, struct value **out,
    char **cause)
{
	struct value	*a;
	char		*s, *canon, *tok, *save;
	size_t		 i;

	a = value_array();
	for (i = 0; i < value_count(v); i++) {
		s = value_to_string(value_item(v, i));
		tok = NULL;
		for (tok = p->type == PT_SMARTHOST ? strtok_r(s, ",;",
		    &save) : s; tok != NULL; tok = p->type == PT_SMARTHOST ?
		    strtok_r(NULL, ",;", &save) : NULL) {
			if (conv_element(p, tok, &canon, cause) != 0) {
				free(s);
				value_unref(a);
				return (-1);
			}
			value_array_push(a, value_string_take(canon));
		}
		free(s);
	}
	*out = a;
	return (0);
}

/* @{Add=...; Remove=...} for a multi-valued parameter. */
static int
conv_edit(const struct param_entry *p, struct value *v, struct value **out,
    char **cause)
{
	struct value	*h, *conv;
	char		*key;
	size_t		 i;

	h = value_hash();
	for (i = 0; i < v->u.hash.n; i++) {
		key = value_to_string(v->u.hash.e[i].key);
		if (strcasecmp(key, "Add") != 0 &&
		    strcasecmp(key, "Remove") != 0) {
			xasprintf(cause, "Cannot bind parameter '%s'. The hash "
			    "table key '%s' isn't valid: use Add or Remove to "
			    "edit a multi-valued property.", p->name, key);
			free(key);
			value_unref(h);
			return (-1);
		}
		if (conv_list(p, v->u.hash.e[i].val, &conv, cause) != 0) {
			free(key);
			value_unref(h);
			return (-1);
		}
		value_hash_set(h, value_string(strcasecmp(key, "Add") == 0 ?
		    "Add" : "Remove"), conv);
		free(key);
	}
	*out = h;
	return (0);
}

/*
 * LocalLongFullPath: Exchange accepts a full local path (drive and
 * directories); on hubd's system that is an absolute path.  The wording
 * is hubsh's: the reference does not give Exchange's text.
 */
static int
local_path_check(const char *s, char **cause)
{
	if (*s != '/') {
		xasprintf(cause, "\"%s\" isn't a valid local full path. "
		    "Specify an absolute path, beginning with \"/\".", s);
		return (-1);
	}
	if (strlen(s) >= PATH_MAX) {
		xasprintf(cause, "The path \"%s\" is too long: the limit is %d "
		    "bytes.", s, PATH_MAX - 1);
		return (-1);
	}
	return (0);
}

/*
 * A DateTime parameter: a date value as it is, text read by
 * bind_date_parse (local time), anything else by its text.
 */
static int
conv_datetime(const struct param_entry *p, struct value *v,
    struct value **out, char **cause)
{
	int64_t	 usec;
	char	*s;

	if (v->type == V_DATE) {
		*out = value_ref(v);
		return (0);
	}
	if (v->type == V_NULL) {
		xasprintf(cause, "Cannot bind parameter '%s'. Cannot convert "
		    "null to type \"%s\".", p->name, param_type_name(p));
		return (-1);
	}
	s = value_to_string(v);
	if (bind_date_parse(s, &usec) != 0) {
		*cause = conv_message(p, s, "String was not recognized as a "
		    "valid DateTime.");
		free(s);
		return (-1);
	}
	free(s);
	*out = value_date(usec);
	return (0);
}

/*
 * Unlimited<int>: the word Unlimited (any case) becomes the string
 * "Unlimited", anything else an integer in min..max.
 */
static int
conv_unlimited(const struct param_entry *p, struct value *v,
    struct value **out, char **cause)
{
	if (v->type == V_STRING && strcasecmp(v->u.s, "Unlimited") == 0) {
		*out = value_string("Unlimited");
		return (0);
	}
	if (v->type == V_NULL && (p->flags & P_NULLABLE)) {
		*out = value_null();
		return (0);
	}
	return (conv_int(p, v, out, cause));
}

/*
 * bind_date_parse: DateTime's parser of dotnet.c, which reads what a
 * cast reads; the en-US forms of the EMS ("7/9/2012 2:00 PM", month
 * first) are the invariant culture's too.
 */
int
bind_date_parse(const char *s, int64_t *usec)
{
	return (dotnet_date_parse(s, usec));
}

/* A scalar Exchange string type checked by its extype parser. */
static int
conv_checked(const struct param_entry *p, struct value *v,
    struct value **out, char **cause)
{
	char	*s, *inner = NULL, *canon = NULL;
	int64_t	 n;
	int	 r = 0;

	if (p->flags & P_MULTI)
		return (conv_multi(p, v, out, cause));
	if (v->type == V_NULL) {
		*out = value_null();
		return (0);
	}
	s = value_to_string(v);
	switch (p->type) {
	case PT_FQDN:
		r = ex_fqdn_check(s, &inner);
		break;
	case PT_IP:
		r = ex_ip_parse(s, &canon, &inner);
		break;
	case PT_TLSDOMAIN:
		r = ex_tls_domain_check(s, &inner);
		break;
	case PT_X509:
		r = ex_x509_identifier_check(s, &inner);
		break;
	case PT_SIZE:
		r = ex_size_parse(s, p->min, p->max, &n, &inner);
		if (r == 0)
			*out = value_int(n);
		break;
	case PT_BYTES:
		r = ex_bytes_parse(s, p->min, p->max, &n, &inner);
		if (r == 0)
			*out = value_int(n);
		break;
	case PT_GUID:
		r = ex_guid_parse(s, &canon, &inner);
		break;
	case PT_TIMESPAN:
		/* With choices, Unlimited<EnhancedTimeSpan>. */
		if (p->choices != NULL && strcasecmp(s, "Unlimited") == 0) {
			*out = value_string("Unlimited");
			break;
		}
		r = ex_timespan_parse(s, p->min, p->max, &n, &inner);
		if (r == 0)
			*out = value_int(n);
		break;
	case PT_LOCALPATH:
		r = local_path_check(s, &inner);
		break;
	default:
		break;
	}
	if (r != 0)
		*cause = conv_message(p, s, inner);
	else if (p->type != PT_SIZE && p->type != PT_BYTES &&
	    p->type != PT_TIMESPAN)
		*out = canon != NULL ? value_string_take(canon) :
		    value_string(s);
	free(inner);
	free(s);
	return (r);
}

/* A list parameter: a list, $null (empty) or @{Add; Remove} (P_MULTI). */
static int
conv_multi(const struct param_entry *p, struct value *v, struct value **out,
    char **cause)
{
	if (v->type == V_HASH && (p->flags & P_MULTI))
		return (conv_edit(p, v, out, cause));
	if (v->type == V_NULL) {
		*out = value_array();
		return (0);
	}
	return (conv_list(p, v, out, cause));
}

static int
conv_credential(const struct param_entry *p, struct value *v,
    struct value **out, char **cause)
{
	char	*s;

	if (v->type == V_NULL || (v->type == V_OBJECT && strcmp(
	    v->u.obj->type_name, ptype_table[PT_CREDENTIAL].type_name) == 0)) {
		*out = value_ref(v);
		return (0);
	}
	s = value_to_string(v);
	xasprintf(cause, "Cannot process argument transformation on "
	    "parameter '%s'. A command that prompts the user failed "
	    "because the value \"%s\" is not a PSCredential; pass "
	    "(Get-Credential) or a PSCredential object.", p->name, s);
	free(s);
	return (-1);
}

static int
conv_identity(const struct param_entry *p, struct value *v,
    struct value **out, char **cause)
{
	if (v->type == V_OBJECT && v->u.obj->key != NULL)
		*out = value_string_take(xprintf("guid:%s", v->u.obj->key));
	else if (v->type == V_ARRAY) {
		xasprintf(cause, "Cannot convert 'System.Object[]' to the type "
		    "'%s' required by parameter '%s'. Specified method is not "
		    "supported.", param_type_name(p), p->name);
		return (-1);
	} else
		*out = value_string_take(value_to_string(v));
	return (0);
}

static int
conv_script(const struct param_entry *p, struct value *v, struct value **out,
    char **cause)
{
	char	*s;

	if (v->type != V_SCRIPT) {
		s = value_to_string(v);
		*cause = conv_message(p, s, "Invalid cast from 'System.String' "
		    "to 'System.Management.Automation.ScriptBlock'.");
		free(s);
		return (-1);
	}
	*out = value_ref(v);
	return (0);
}

static int
conv_string(const struct param_entry *p, struct value *v, struct value **out,
    char **cause)
{
	(void)p;
	(void)cause;
	*out = v->type == V_NULL ? value_null() :
	    value_string_take(value_to_string(v));
	return (0);
}

static int
conv_object(const struct param_entry *p, struct value *v, struct value **out,
    char **cause)
{
	(void)p;
	(void)cause;
	*out = value_ref(v);
	return (0);
}

const char *
param_type_name(const struct param_entry *p)
{
	return (p->type_name != NULL ? p->type_name :
	    ptype_table[p->type].type_name);
}

int
bind_convert(const struct param_entry *p, struct value *v,
    struct value **out, char **cause)
{
	*out = NULL;
	return (ptype_table[p->type].convert(p, v, out, cause));
}

/* Store a converted value for parameter i; false after an error. */
static bool
bind_set(struct binder *bd, int i, struct value *v, struct extent ext)
{
	const struct param_entry	*p = bd->b->p[i];
	struct value			*conv;
	char				*cause = NULL;

	if (bd->b->v[i] != NULL) {
		bind_error(bd, ext, "ParameterAlreadyBound", "InvalidArgument",
		    "Cannot bind parameter because parameter '%s' is specified "
		    "more than once. To provide multiple values to parameters "
		    "that can accept multiple values, use the array syntax. "
		    "For example, \"-parameter value1,value2,value3\".",
		    p->name);
		return (false);
	}
	if (bind_convert(p, v, &conv, &cause) != 0) {
		bind_error(bd, ext, p->type == PT_BOOL || p->type == PT_SWITCH ?
		    "CannotConvertArgument" : "CannotConvertArgumentNoMessage",
		    "InvalidArgument", "%s", cause);
		free(cause);
		return (false);
	}
	bd->b->v[i] = conv;
	bd->b->ext[i] = ext;
	return (true);
}

/* The parameter sets a parameter is in: all of them when it names none. */
static unsigned
param_sets(const struct param_entry *p)
{
	return (p->sets != 0 ? p->sets : ~0u);
}

/*
 * Parameter sets, resolved as PowerShell does: each parameter bound by
 * name leaves only the sets it is in, and none left is an error of the
 * command as a whole.  Positional values then go only to parameters of
 * the sets still possible: Retry-Queue -Filter x y finds no place for y
 * (the Filter set has no positional parameter) instead of taking it as
 * the -Identity of the other set.
 */
static bool
bind_narrow(struct binder *bd)
{
	struct bound	*b = bd->b;
	size_t		 i;

	b->sets = ~0u;
	for (i = 0; i < b->np; i++) {
		if (b->v[i] != NULL)
			b->sets &= param_sets(b->p[i]);
	}
	if (b->sets != 0)
		return (true);
	bind_error(bd, bind_where(bd), "AmbiguousParameterSet",
	    "InvalidArgument", "Parameter set cannot be resolved using the "
	    "specified named parameters.");
	return (false);
}

/* The bits of the sets a cmdlet declares (set_names). */
static unsigned
entry_sets(const struct cmdlet_entry *ce)
{
	unsigned	all = 0;
	size_t		i;

	for (i = 0; ce->set_names != NULL && ce->set_names[i] != NULL &&
	    i < 32; i++)
		all |= 1u << i;
	return (all);
}

/* Are the mandatory parameters of set bit all given (or piped)? */
static bool
bind_set_complete(const struct bound *b, unsigned bit, bool piped)
{
	size_t	i;

	for (i = 0; i < b->np; i++) {
		if ((b->p[i]->flags & P_MANDATORY) && b->v[i] == NULL &&
		    (param_sets(b->p[i]) & bit) != 0 && !(piped &&
		    (b->p[i]->flags & (P_PIPELINE | P_BYNAME))))
			return (false);
	}
	return (true);
}

/*
 * After binding, several of the cmdlet's sets may still be possible.
 * As in PowerShell: the default set when it is one of them, else the one
 * set whose mandatory parameters are all given; more than one such set
 * is AmbiguousParameterSet.  When none is complete they all stay, and a
 * mandatory parameter is asked for only if every one of them needs it.
 */
static bool
bind_choose_set(struct binder *bd, bool piped)
{
	struct bound	*b = bd->b;
	unsigned	 left, bit, complete = 0;

	if ((left = b->sets & entry_sets(bd->entry)) == 0 ||
	    (left & (left - 1)) == 0) {
		if (left != 0)
			b->sets = left;
		return (true);
	}
	if ((left & bd->entry->default_set) != 0) {
		b->sets = bd->entry->default_set;
		return (true);
	}
	for (bit = 1; bit != 0 && bit <= left; bit <<= 1) {
		if ((left & bit) && bind_set_complete(b, bit, piped))
			complete |= bit;
	}
	if (complete == 0) {
		b->sets = left;
		return (true);
	}
	if ((complete & (complete - 1)) == 0) {
		b->sets = complete;
		return (true);
	}
	bind_error(bd, bind_where(bd), "AmbiguousParameterSet",
	    "InvalidArgument", "Parameter set cannot be resolved using the "
	    "specified named parameters.");
	return (false);
}

const char *
bound_set_name(const struct bound *b)
{
	const struct cmdlet_entry	*ce = b->entry;
	size_t				 i;

	for (i = 0; ce->set_names != NULL && ce->set_names[i] != NULL &&
	    i < 32; i++) {
		if (b->sets & (1u << i))
			return (ce->set_names[i]);
	}
	return ("__AllParameterSets");
}

/*
 * Is a parameter at position pos bound already?  Parameters that share
 * a position belong to different parameter sets (Where-Object's
 * -FilterScript and -Property): one bound by name takes the position, so
 * the next positional value goes on to the next position, as in
 * PowerShell (where -Property Name -eq 'A' binds 'A' to -Value).
 */
static bool
bind_position_taken(struct binder *bd, int pos)
{
	size_t	i;

	for (i = 0; i < bd->b->np; i++) {
		if ((bd->b->p[i]->flags & P_POSITIONAL) &&
		    bd->b->p[i]->position == pos && bd->b->v[i] != NULL)
			return (true);
	}
	return (false);
}

/* Positional parameters of the sets still possible, in position order. */
static int
bind_next_positional(struct binder *bd, int after_pos)
{
	size_t	i;
	int	best = -1;

	for (i = 0; i < bd->b->np; i++) {
		const struct param_entry *p = bd->b->p[i];

		if (!(p->flags & P_POSITIONAL) || bd->b->v[i] != NULL ||
		    p->position <= after_pos ||
		    (param_sets(p) & bd->b->sets) == 0 ||
		    bind_position_taken(bd, p->position))
			continue;
		if (best < 0 || p->position < bd->b->p[best]->position)
			best = (int)i;
	}
	return (best);
}

/*
 * ValueFromRemainingArguments: the positional values from k on, that no
 * position takes, join the parameter's value in one list (after the
 * value its own position gave it), as Write-Host "Total:" $n prints
 * "Total: 5".  False when the cmdlet has no such parameter.
 */
static bool
bind_remaining(struct binder *bd, struct value **v, struct extent *ext,
    size_t k, size_t n, bool *ok)
{
	struct value	*a;
	struct extent	 first = ext[k];
	size_t		 i;
	int		 r = -1;

	for (i = 0; i < bd->b->np && r < 0; i++) {
		if (bd->b->p[i]->flags & P_REMAINING)
			r = (int)i;
	}
	if (r < 0)
		return (false);
	a = value_array();
	if (bd->b->v[r] != NULL) {
		value_array_push(a, bd->b->v[r]);
		bd->b->v[r] = NULL;
	}
	for (; k < n; k++)
		value_array_push(a, value_ref(v[k]));
	*ok = bind_set(bd, r, a, first);
	value_unref(a);
	return (true);
}

static bool
bind_positionals(struct binder *bd, struct value **v, struct extent *ext,
    size_t n)
{
	char	*s;
	size_t	 k;
	int	 i, pos = -1;
	bool	 ok;

	for (k = 0; k < n; k++) {
		i = bind_next_positional(bd, pos);
		if (i < 0 && bind_remaining(bd, v, ext, k, n, &ok))
			return (ok);
		if (i < 0) {
			s = v[k]->type == V_ARRAY ? xstrdup("System.Object[]") :
			    value_to_string(v[k]);
			/* The whole command, as 5.1 underlines it. */
			bind_error(bd, bind_where(bd),
			    "PositionalParameterNotFound",
			    "InvalidArgument", "A positional parameter cannot be "
			    "found that accepts argument '%s'.", s);
			free(s);
			return (false);
		}
		pos = bd->b->p[i]->position;
		if (!bind_set(bd, i, v[k], ext[k]))
			return (false);
		bd->b->sets &= param_sets(bd->b->p[i]);
	}
	return (true);
}

/* Ask for a missing mandatory value on the terminal; NULL if none. */
static struct value *
bind_prompt(struct binder *bd, const struct param_entry *p)
{
	struct value	*a;
	char		*line, *prompt;
	size_t		 k;

	if (!(p->flags & P_MULTI) && p->type != PT_STRINGS) {
		prompt = xprintf("%s: ", p->name);
		line = bd->sh->read_line(bd->sh, prompt, false);
		free(prompt);
		return (line != NULL ? value_string_take(line) : NULL);
	}
	a = value_array();
	for (k = 0;; k++) {
		prompt = xprintf("%s[%zu]: ", p->name, k);
		line = bd->sh->read_line(bd->sh, prompt, false);
		free(prompt);
		if (line == NULL || *line == '\0') {
			free(line);
			break;
		}
		value_array_push(a, value_string_take(line));
	}
	return (a);
}

static bool
bind_mandatory(struct binder *bd, bool piped)
{
	struct bound	*b = bd->b;
	struct buf	 missing;
	struct value	*v;
	size_t		 i;
	bool		 ok = true, header = false;

	buf_init(&missing);
	for (i = 0; i < b->np; i++) {
		if (!(b->p[i]->flags & P_MANDATORY) || b->v[i] != NULL ||
		    (b->sets & ~param_sets(b->p[i])) != 0)
			continue;
		if (piped && (b->p[i]->flags & (P_PIPELINE | P_BYNAME)))
			continue;
		if (!bd->sh->can_prompt || bd->sh->read_line == NULL) {
			buf_addf(&missing, " %s", b->p[i]->name);
			continue;
		}
		if (!header) {
			shell_flush(bd->sh);
			fprintf(bd->sh->out, "\ncmdlet %s at command pipeline "
			    "position %d\nSupply values for the following "
			    "parameters:\n", bd->entry->name, 1);
			fflush(bd->sh->out);
			header = true;
		}
		if ((v = bind_prompt(bd, b->p[i])) == NULL) {
			ok = false;
			break;
		}
		if (value_count(v) == 0 && v->type == V_ARRAY) {
			bind_error(bd, bind_where(bd),
			    "ParameterArgumentValidationErrorEmptyCollection"
			    "NotAllowed", "InvalidData", "Cannot bind argument "
			    "to parameter '%s' because it is an empty "
			    "collection.", b->p[i]->name);
			value_unref(v);
			ok = false;
			break;
		}
		ok = bind_set(bd, (int)i, v, bind_where(bd));
		value_unref(v);
		if (!ok)
			break;
	}
	if (ok && missing.len > 0) {
		bind_error(bd, bind_where(bd), "MissingMandatoryParameter",
		    "InvalidArgument", "Cannot process command because of one "
		    "or more missing mandatory parameters:%s.", missing.s);
		ok = false;
	}
	buf_free(&missing);
	return (ok);
}

/* Bind one named element; *k advances past a separate argument. */
static bool
bind_named(struct binder *bd, const struct bind_arg *args, size_t nargs,
    size_t *k)
{
	const struct param_entry	*p;
	struct value			*t;
	bool				 ok;
	int				 i;

	const struct bind_arg		*a = &args[*k];

	if ((i = bind_resolve(bd, a->name, a->ext)) < 0)
		return (false);
	p = bd->b->p[i];
	if (a->colon)
		return (bind_set(bd, i, a->v, a->ext));
	if (p->type == PT_SWITCH) {
		t = value_bool(true);
		ok = bind_set(bd, i, t, a->ext);
		value_unref(t);
		return (ok);
	}
	if (*k + 1 >= nargs || args[*k + 1].name != NULL) {
		bind_error(bd, a->ext, "MissingArgument", "InvalidArgument",
		    "Missing an argument for parameter '%s'. Specify a "
		    "parameter of type '%s' and try again.", p->name,
		    param_type_name(p));
		return (false);
	}
	(*k)++;
	return (bind_set(bd, i, args[*k].v, args[*k].ext));
}

struct bound *
bind_command(struct shell *sh, const struct bind_call *call,
    enum exec_status *st)
{
	const struct bind_arg	 *args = call->args;
	size_t			  nargs = call->nargs;
	struct binder	  bd;
	struct value	**pos;
	struct extent	 *pos_ext;
	size_t		  k, npos = 0;
	bool		  ok = true;

	*st = EXEC_OK;
	memset(&bd, 0, sizeof bd);
	bd.sh = sh;
	bd.entry = call->entry;
	bd.invocation = call->invocation;
	bd.cmd = call->cmd;
	bd.src = call->src;
	bd.b = bound_create(call->entry);
	pos = xcalloc(nargs + 1, sizeof *pos);
	pos_ext = xcalloc(nargs + 1, sizeof *pos_ext);
	for (k = 0; k < nargs && ok; k++) {
		if (args[k].name == NULL) {
			pos[npos] = args[k].v;
			pos_ext[npos++] = args[k].ext;
			continue;
		}
		ok = bind_named(&bd, args, nargs, &k);
	}
	if (ok)
		ok = bind_narrow(&bd);
	if (ok)
		ok = bind_positionals(&bd, pos, pos_ext, npos);
	if (ok)
		ok = bind_choose_set(&bd, call->pipeline_input);
	if (ok)
		ok = bind_mandatory(&bd, call->pipeline_input);
	free(pos);
	free(pos_ext);
	if (!ok) {
		bound_free(bd.b);
		*st = EXEC_FAILED;
		return (NULL);
	}
	return (bd.b);
}
