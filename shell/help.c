/*
 * help.c - Get-Help, Get-Command, syntax lines and doc/cmdlets.md.
 *
 * Nothing here is written by hand per cmdlet: every text is built from
 * cmdlet_table[] (cmdlet.c), each entry's parameter table, the common
 * and ShouldProcess parameter tables, alias_table[] and, for a type a
 * parameter does not name itself, ptype_table[] (bind.c).  A parameter
 * marked P_NOTAB is hidden everywhere; P_LEGACY parameters (Exchange 2010
 * only, refused with an explanation) are left out of the syntax and the
 * parameter lists and only named in doc/cmdlets.md.
 *
 * help_syntax() gives PowerShell's syntax line: positional parameters in
 * position order, then mandatory named ones, then the rest in table
 * order, then -WhatIf/-Confirm and [<CommonParameters>].
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extype.h"
#include "shell.h"
#include "xmalloc.h"

#define HELP_LABEL	29	/* width of "Accept pipeline input?" labels */
#define HELP_CLASS(x)	"Microsoft.PowerShell.Commands." x

static bool	 help_visible(const struct param_entry *);
static char	*help_type(const struct param_entry *);
static void	 help_syntax_param(struct buf *, const struct param_entry *,
		     bool);
static size_t	 help_word(const char *, bool);
static void	 help_wrap(struct buf *, const char *, size_t, size_t, bool);
static char	*help_choices(const struct param_entry *, const char *);
static char	*help_range(const struct param_entry *);
static const char *help_pipeline(const struct param_entry *);
static void	 help_attr(struct buf *, size_t, const char *, const char *);
static void	 help_param_block(struct buf *, const struct param_entry *,
		     size_t, size_t, bool);
static char	*help_common_names(void);
static void	 help_parameters(struct buf *, const struct cmdlet_entry *,
		     size_t, bool);
static char	*help_text(const struct cmdlet_entry *, size_t, bool, bool,
		     bool);
static const struct cmdlet_entry *help_find(const char *);
static size_t	 help_width(struct cmd_ctx *);
static int	 cmd_get_help_exec(struct cmd_ctx *);
static void	 help_overview(struct cmd_ctx *);
static void	 help_list(struct cmd_ctx *, const char *);
static void	 help_parameter(struct cmd_ctx *, const struct cmdlet_entry *,
		     const char *);
static int	 cmd_get_command_exec(struct cmd_ctx *);
static bool	 command_match(const char *, const char *, const char *,
		     const char *);
static int	 command_cmp(const void *, const void *);
static struct value *command_cmdlet(const struct cmdlet_entry *);
static struct value *command_alias(const struct alias_entry *);
static void	 command_exact(struct cmd_ctx *, const char *, bool);
static void	 md_escape(FILE *, const char *);
static const char *md_pipeline(const struct param_entry *);
static void	 md_param_row(FILE *, const struct param_entry *, bool);
static void	 md_cmdlet(FILE *, const struct cmdlet_entry *);
static void	 md_anchor(FILE *, const char *);

/*
 * Get-Help and Get-Command.
 */
static const struct param_entry get_help_params[] = {
	PARAM("Name", NULL, PT_STRING, P_POSITIONAL, 0, NULL, 0, 0,
	  NULL,
	  "The cmdlet or alias to describe; wildcards list the matches."),
	PARAM("Full", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Shows every parameter with its attributes."),
	PARAM("Detailed", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Adds the parameter descriptions."),
	PARAM("Examples", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Shows the name and synopsis only (hubsh's help has no "
	  "examples; see doc/cmdlets.md)."),
	PARAM("Parameter", NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "Shows only the parameters matching this name or wildcard."),
	PARAM(NULL, NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL, NULL)
};

const struct cmdlet_entry cmd_get_help_entry = {
	.name = "Get-Help",
	.synopsis = "Displays information about hubsh cmdlets.",
	.params = get_help_params,
	.flags = C_NOINPUT,
	.class_name = HELP_CLASS("GetHelpCommand"),
	.exec = cmd_get_help_exec,
	.description = "Get-Help shows a cmdlet's synopsis, syntax and "
	    "description; -Detailed adds its parameters and -Full their "
	    "attributes. All of it is generated from the cmdlet table, so "
	    "it always matches what the binder accepts."
};

static const struct param_entry get_command_params[] = {
	PARAM("Name", NULL, PT_STRING, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.String[]",
	  "Command or alias name; wildcards such as *SendConnector* are "
	  "allowed."),
	PARAM("Verb", NULL, PT_STRING, 0, 0, NULL, 0, 0, "System.String[]",
	  "Only cmdlets with this verb (wildcards allowed), e.g. Get."),
	PARAM("Noun", NULL, PT_STRING, 0, 0, NULL, 0, 0, "System.String[]",
	  "Only cmdlets with this noun (wildcards allowed), e.g. "
	  "SendConnector."),
	PARAM("Syntax", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Outputs the syntax line of each cmdlet instead of an object."),
	PARAM(NULL, NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL, NULL)
};

const struct cmdlet_entry cmd_get_command_entry = {
	.name = "Get-Command",
	.synopsis = "Gets all commands.",
	.params = get_command_params,
	.flags = C_NOINPUT,
	.class_name = HELP_CLASS("GetCommandCommand"),
	.exec = cmd_get_command_exec,
	.description = "Get-Command lists the cmdlets and aliases hubsh has, "
	    "optionally only those matching a name, verb or noun."
};

static const char *const command_columns[] = {
	"CommandType", "Name", "Version", "Source", NULL
};

static const struct view command_view = {
	"System.Management.Automation.CommandInfo", SHAPE_TABLE,
	command_columns, NULL
};

static const char *const helpinfo_columns[] = {
	"Name", "Category", "Module", "Synopsis", NULL
};

static const struct view helpinfo_view = {
	"HelpInfoShort", SHAPE_TABLE, helpinfo_columns, NULL
};

/*
 * Building blocks.
 */

/* Shown in syntax lines and parameter lists. */
static bool
help_visible(const struct param_entry *p)
{
	return (!(p->flags & (P_NOTAB | P_COMMON | P_LEGACY)));
}

/*
 * The short type of a parameter: the last dotted component of its .NET
 * type without generic arguments ("MultiValuedProperty"), the inner type
 * of a Nullable ("Boolean"), "[]" kept for plain arrays.
 */
static char *
help_type(const struct param_entry *p)
{
	const char	*t, *end, *start;
	bool		 array;

	t = param_type_name(p);
	if (strncmp(t, "System.Nullable", 15) == 0 &&
	    (start = strchr(t, '[')) != NULL)
		t = start + 1;
	end = t + strcspn(t, "`[<,]");
	array = end[0] == '[' && end[1] == ']';
	for (start = end; start > t && start[-1] != '.' && start[-1] != '+';
	    start--)
		/* nothing */;
	return (xprintf("%.*s%s", (int)(end - start), start,
	    array ? "[]" : ""));
}

/* " [-Name] <Type>", bracketed when optional. */
static void
help_syntax_param(struct buf *b, const struct param_entry *p, bool optional)
{
	char	*type;

	type = help_type(p);
	buf_addc(b, ' ');
	if (optional)
		buf_addc(b, '[');
	if (p->flags & P_POSITIONAL)
		buf_addf(b, "[-%s]", p->name);
	else
		buf_addf(b, "-%s", p->name);
	if (p->type != PT_SWITCH)
		buf_addf(b, " <%s>", type);
	if (optional)
		buf_addc(b, ']');
	free(type);
}

/* Is p in parameter set bit (0: every parameter)? */
static bool
help_in_set(const struct param_entry *p, unsigned set)
{
	return (set == 0 || p->sets == 0 || (p->sets & set) != 0);
}

/* The syntax line of one parameter set, or of all parameters (set 0). */
static char *
help_syntax_set(const struct cmdlet_entry *ce, unsigned set)
{
	const struct param_entry	*p;
	struct buf			 b;
	char				*s;
	int				 pos, maxpos = -1;

	buf_init(&b);
	buf_adds(&b, ce->name);
	for (p = ce->params; p != NULL && p->name != NULL; p++) {
		if (help_visible(p) && help_in_set(p, set) &&
		    (p->flags & P_POSITIONAL) && p->position > maxpos)
			maxpos = p->position;
	}
	for (pos = 0; pos <= maxpos; pos++) {
		for (p = ce->params; p->name != NULL; p++) {
			if (help_visible(p) && help_in_set(p, set) &&
			    (p->flags & P_POSITIONAL) && p->position == pos)
				help_syntax_param(&b, p,
				    !(p->flags & P_MANDATORY));
		}
	}
	for (p = ce->params; p != NULL && p->name != NULL; p++) {
		if (help_visible(p) && help_in_set(p, set) &&
		    !(p->flags & P_POSITIONAL) && (p->flags & P_MANDATORY))
			help_syntax_param(&b, p, false);
	}
	for (p = ce->params; p != NULL && p->name != NULL; p++) {
		if (help_visible(p) && help_in_set(p, set) &&
		    !(p->flags & P_POSITIONAL) && !(p->flags & P_MANDATORY))
			help_syntax_param(&b, p, true);
	}
	for (p = shouldprocess_params; (ce->flags & C_SHOULDPROCESS) &&
	    p->name != NULL; p++) {
		if (!(p->flags & P_NOTAB))
			help_syntax_param(&b, p, true);
	}
	buf_adds(&b, " [<CommonParameters>]");
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

/* How many parameter sets a cmdlet names; 0 when it has one. */
static size_t
help_nsets(const struct cmdlet_entry *ce)
{
	size_t	n = 0;

	while (ce->set_names != NULL && ce->set_names[n] != NULL && n < 32)
		n++;
	return (n);
}

/*
 * PowerShell's syntax: a line for each parameter set (of the parameters
 * in that set and in every set), separated by a blank line.
 */
char *
help_syntax(const struct cmdlet_entry *ce)
{
	struct buf	 b;
	char		*s;
	size_t		 i, n = help_nsets(ce);

	if (n == 0)
		return (help_syntax_set(ce, 0));
	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_adds(&b, "\n\n");
		s = help_syntax_set(ce, 1u << i);
		buf_adds(&b, s);
		free(s);
	}
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

/*
 * Length of the word at s.  In a syntax line a word runs to the next
 * parameter, so "[-Enabled <Boolean>]" is never split.
 */
static size_t
help_word(const char *s, bool syntax)
{
	size_t	n = 0;

	for (;;) {
		n += strcspn(s + n, " \n");
		if (!syntax || s[n] != ' ' || s[n + 1] == '[' ||
		    s[n + 1] == '-')
			return (n);
		n++;
	}
}

/*
 * Word-wrap text into lines of at most width columns, each indented;
 * a newline in text starts a new line.
 */
static void
help_wrap(struct buf *b, const char *text, size_t indent, size_t width,
    bool syntax)
{
	const char	*p = text, *w;
	size_t		 col = 0, len, avail, cells, i;

	avail = width > indent + 20 ? width - indent : 20;
	while (*p != '\0') {
		if (*p == '\n') {
			buf_addc(b, '\n');
			col = 0;
			p++;
			continue;
		}
		if (*p == ' ') {
			p++;
			continue;
		}
		w = p;
		len = help_word(w, syntax);
		for (i = 0, cells = 0; i < len; i++)
			cells += ((unsigned char)w[i] & 0xc0) != 0x80;
		if (col > 0 && col + 1 + cells > avail) {
			buf_addc(b, '\n');
			col = 0;
		}
		if (col == 0)
			buf_pad(b, ' ', indent);
		else {
			buf_addc(b, ' ');
			col++;
		}
		buf_add(b, w, len);
		col += cells;
		p = w + len;
	}
	if (col > 0)
		buf_addc(b, '\n');
}

/* "a, b, c" for an enum's choices, each framed by q; NULL if none. */
static char *
help_choices(const struct param_entry *p, const char *q)
{
	struct buf	 b;
	char		*s;
	size_t		 i;

	if ((p->type != PT_ENUM && p->type != PT_FLAGS) || p->choices == NULL)
		return (NULL);
	buf_init(&b);
	for (i = 0; p->choices[i].name != NULL; i++)
		buf_addf(&b, "%s%s%s%s", i > 0 ? ", " : "", q,
		    p->choices[i].name, q);
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

/* "1 to 100" for a ranged number, size or time span; NULL if none. */
static char *
help_range(const struct param_entry *p)
{
	char	*lo, *hi, *s;

	if (p->min >= p->max)
		return (NULL);
	switch (p->type) {
	case PT_INT:
		return (xprintf("%lld to %lld", (long long)p->min,
		    (long long)p->max));
	case PT_SIZE:
	case PT_BYTES:
		lo = ex_size_format(p->min);
		hi = ex_size_format(p->max);
		break;
	case PT_TIMESPAN:
		lo = ex_timespan_format(p->min);
		hi = ex_timespan_format(p->max);
		break;
	default:
		return (NULL);
	}
	s = xprintf("%s to %s", lo, hi);
	free(lo);
	free(hi);
	return (s);
}

static const char *
help_pipeline(const struct param_entry *p)
{
	if ((p->flags & P_PIPELINE) && (p->flags & P_BYNAME))
		return ("true (ByValue, ByPropertyName)");
	if (p->flags & P_PIPELINE)
		return ("true (ByValue)");
	if (p->flags & P_BYNAME)
		return ("true (ByPropertyName)");
	return ("false");
}

/* One "Label?                value" line of a parameter block. */
static void
help_attr(struct buf *b, size_t indent, const char *label, const char *v)
{
	buf_pad(b, ' ', indent);
	buf_adds(b, label);
	buf_pad(b, ' ', HELP_LABEL > strlen(label) ? HELP_LABEL -
	    strlen(label) : 1);
	buf_adds(b, v);
	buf_addc(b, '\n');
}

/* "-Name <Type>", its help, and with full its attributes. */
static void
help_param_block(struct buf *b, const struct param_entry *p, size_t indent,
    size_t width, bool full)
{
	char	*type, *s, pos[16];

	type = help_type(p);
	buf_pad(b, ' ', indent);
	if (p->type == PT_SWITCH)
		buf_addf(b, "-%s [<%s>]\n", p->name, type);
	else
		buf_addf(b, "-%s <%s>\n", p->name, type);
	free(type);
	help_wrap(b, p->help != NULL ? p->help : "", indent + 4, width,
	    false);
	if (full) {
		buf_addc(b, '\n');
		snprintf(pos, sizeof pos, "%d", p->position);
		help_attr(b, indent + 4, "Required?",
		    (p->flags & P_MANDATORY) ? "true" : "false");
		help_attr(b, indent + 4, "Position?",
		    (p->flags & P_POSITIONAL) ? pos : "named");
		help_attr(b, indent + 4, "Accept pipeline input?",
		    help_pipeline(p));
		if (p->alias != NULL)
			help_attr(b, indent + 4, "Aliases", p->alias);
		if ((s = help_choices(p, "")) != NULL)
			help_attr(b, indent + 4, "Accepted values", s);
		free(s);
		if ((s = help_range(p)) != NULL)
			help_attr(b, indent + 4, "Valid range", s);
		free(s);
	}
	buf_addc(b, '\n');
}

/* "Verbose, Debug, ..., and PipelineVariable" from common_params[]. */
static char *
help_common_names(void)
{
	const struct param_entry	*p;
	struct buf			 b;
	char				*s;
	size_t				 n = 0, i = 0;

	for (p = common_params; p->name != NULL; p++)
		n += !(p->flags & P_NOTAB);
	buf_init(&b);
	for (p = common_params; p->name != NULL; p++) {
		if (p->flags & P_NOTAB)
			continue;
		if (i > 0)
			buf_adds(&b, i + 1 == n ? ", and " : ", ");
		buf_adds(&b, p->name);
		i++;
	}
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

/* The PARAMETERS section. */
static void
help_parameters(struct buf *b, const struct cmdlet_entry *ce, size_t width,
    bool full)
{
	const struct param_entry	*p;
	char				*names, *s;

	buf_adds(b, "PARAMETERS\n");
	for (p = ce->params; p != NULL && p->name != NULL; p++) {
		if (help_visible(p))
			help_param_block(b, p, 4, width, full);
	}
	for (p = shouldprocess_params; (ce->flags & C_SHOULDPROCESS) &&
	    p->name != NULL; p++) {
		if (!(p->flags & P_NOTAB))
			help_param_block(b, p, 4, width, full);
	}
	names = help_common_names();
	s = xprintf("This cmdlet supports the common parameters: %s. For "
	    "more information, see about_CommonParameters.", names);
	buf_adds(b, "    <CommonParameters>\n");
	help_wrap(b, s, 8, width, false);
	buf_addc(b, '\n');
	free(s);
	free(names);
}

/* The whole help text of one cmdlet (heap). */
static char *
help_text(const struct cmdlet_entry *ce, size_t width, bool detailed,
    bool full, bool examples)
{
	struct buf	 b;
	char		*s;
	size_t		 i, nsets = help_nsets(ce);

	buf_init(&b);
	buf_addf(&b, "\nNAME\n    %s\n\nSYNOPSIS\n", ce->name);
	help_wrap(&b, ce->synopsis != NULL ? ce->synopsis : "", 4, width,
	    false);
	if (examples) {
		buf_adds(&b, "\n    hubsh's help has no examples; "
		    "doc/shell.md has some.\n\n");
		s = buf_detach(&b);
		buf_free(&b);
		return (s);
	}
	buf_adds(&b, "\n\nSYNTAX\n");
	for (i = 0; i < (nsets > 0 ? nsets : 1); i++) {
		if (i > 0)
			buf_addc(&b, '\n');
		s = help_syntax_set(ce, nsets > 0 ? 1u << i : 0);
		help_wrap(&b, s, 4, width, true);
		free(s);
	}
	buf_adds(&b, "\n\nDESCRIPTION\n");
	help_wrap(&b, ce->description != NULL ? ce->description :
	    (ce->synopsis != NULL ? ce->synopsis : ""), 4, width, false);
	buf_adds(&b, "\n\n");
	if (detailed || full)
		help_parameters(&b, ce, width, full);
	buf_addf(&b, "REMARKS\n    For more information, type: \"get-help %s "
	    "-detailed\".\n    For technical information, type: \"get-help "
	    "%s -full\".\n\n", ce->name, ce->name);
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

/* A cmdlet by name or alias, or NULL. */
static const struct cmdlet_entry *
help_find(const char *name)
{
	const char	*real;

	if ((real = alias_resolve(name)) != NULL)
		name = real;
	return (cmdlet_find(name));
}

static size_t
help_width(struct cmd_ctx *ctx)
{
	return (ctx->sh->width > 41 ? (size_t)ctx->sh->width - 1 : 40);
}

/*
 * Get-Help.
 */
static int
cmd_get_help_exec(struct cmd_ctx *ctx)
{
	const struct cmdlet_entry	*ce;
	struct value			*v;
	char				*name, *param = NULL;

	if ((v = bound_get(ctx->args, "Name")) == NULL) {
		help_overview(ctx);
		return (0);
	}
	name = value_to_string(v);
	if (has_wildcard(name)) {
		help_list(ctx, name);
		free(name);
		return (0);
	}
	if ((ce = help_find(name)) == NULL) {
		cmd_error(ctx, ERR_NONTERMINATING, "ResourceUnavailable",
		    "HelpNotFoundException", "HelpNotFound", "Get-Help could "
		    "not find %s in a help file in this session. Type "
		    "Get-Command to list the cmdlets and aliases hubsh has.",
		    name);
		free(name);
		return (0);
	}
	free(name);
	if ((v = bound_get(ctx->args, "Parameter")) != NULL) {
		param = value_to_string(v);
		help_parameter(ctx, ce, param);
		free(param);
		return (0);
	}
	cmd_emit(ctx, value_format(help_text(ce, help_width(ctx),
	    bound_switch(ctx->args, "Detailed"),
	    bound_switch(ctx->args, "Full"),
	    bound_switch(ctx->args, "Examples")), -1));
	return (0);
}

/* Get-Help without a name. */
static void
help_overview(struct cmd_ctx *ctx)
{
	struct buf	 b;
	char		*s;

	buf_init(&b);
	buf_adds(&b, "\nTOPIC\n    hubsh help\n\nSHORT DESCRIPTION\n");
	help_wrap(&b, "Displays help about the cmdlets of hubsh, an "
	    "Exchange Management Shell for Send connectors.", 4,
	    help_width(ctx), false);
	buf_adds(&b, "\nLONG DESCRIPTION\n");
	help_wrap(&b, "Get-Help <cmdlet> shows a cmdlet's synopsis, syntax "
	    "and description. Add -Detailed for the parameters, -Full for "
	    "their attributes, or -Parameter <name> for one of them. "
	    "Get-Command lists every cmdlet and alias; Get-Command "
	    "*SendConnector* lists the Send connector cmdlets.",
	    4, help_width(ctx), false);
	buf_adds(&b, "\n    Get-Help New-SendConnector -Full\n"
	    "    Get-Help Set-SendConnector -Parameter Tls*\n"
	    "    Get-Command -Noun SendConnector\n\n");
	s = buf_detach(&b);
	buf_free(&b);
	cmd_emit(ctx, value_format(s, -1));
}

/* Get-Help with a wildcard: one cmdlet's help, or a table of matches. */
static void
help_list(struct cmd_ctx *ctx, const char *pattern)
{
	const struct cmdlet_entry	*ce, *only = NULL;
	struct value			*o, *out;
	size_t				 i;

	out = value_array();
	for (i = 0; (ce = cmdlet_table[i]) != NULL; i++) {
		if (!wildcard_match(pattern, ce->name, false))
			continue;
		only = ce;
		o = value_object("HelpInfoShort", &helpinfo_view);
		object_add(o, "Name", value_string(ce->name));
		object_add(o, "Category", value_string("Cmdlet"));
		object_add(o, "Module", value_string("hubsh"));
		object_add(o, "Synopsis", value_string(ce->synopsis != NULL ?
		    ce->synopsis : ""));
		value_array_push(out, o);
	}
	if (out->u.arr.n == 1)
		cmd_emit(ctx, value_format(help_text(only, help_width(ctx),
		    bound_switch(ctx->args, "Detailed"),
		    bound_switch(ctx->args, "Full"),
		    bound_switch(ctx->args, "Examples")), -1));
	else if (out->u.arr.n > 1) {
		for (i = 0; i < out->u.arr.n; i++)
			cmd_emit(ctx, value_ref(out->u.arr.v[i]));
	} else
		cmd_error(ctx, ERR_NONTERMINATING, "ResourceUnavailable",
		    "HelpNotFoundException", "HelpNotFound", "Get-Help could "
		    "not find %s in a help file in this session. Type "
		    "Get-Command to list the cmdlets and aliases hubsh has.",
		    pattern);
	value_unref(out);
}

/* Get-Help X -Parameter P: the matching parameter blocks. */
static void
help_parameter(struct cmd_ctx *ctx, const struct cmdlet_entry *ce,
    const char *pattern)
{
	const struct param_entry	*p;
	struct buf			 b;
	size_t				 i;

	buf_init(&b);
	for (i = 0; i < 2; i++) {
		p = i == 0 ? ce->params : shouldprocess_params;
		if (p == NULL || (i == 1 && !(ce->flags & C_SHOULDPROCESS)))
			continue;
		for (; p->name != NULL; p++) {
			if ((i == 0 && !help_visible(p)) ||
			    (p->flags & P_NOTAB) ||
			    !wildcard_match(pattern, p->name, false))
				continue;
			if (b.len == 0)
				buf_addc(&b, '\n');
			help_param_block(&b, p, 0, help_width(ctx), true);
		}
	}
	if (b.len == 0)
		cmd_error(ctx, ERR_NONTERMINATING, "InvalidArgument",
		    "PSArgumentException", "NoParmsFound",
		    "No parameter matches criteria %s.", pattern);
	else
		cmd_emit(ctx, value_format(buf_detach(&b), -1));
	buf_free(&b);
}

/*
 * Get-Command.
 */
static int
cmd_get_command_exec(struct cmd_ctx *ctx)
{
	const struct cmdlet_entry	**ces;
	const struct alias_entry	**as;
	struct value			*v;
	char				*name = NULL, *verb = NULL;
	char				*noun = NULL;
	size_t				 n = 0, na = 0, i;
	bool				 syntax;

	syntax = bound_switch(ctx->args, "Syntax");
	if ((v = bound_get(ctx->args, "Name")) != NULL)
		name = value_to_string(v);
	if ((v = bound_get(ctx->args, "Verb")) != NULL)
		verb = value_to_string(v);
	if ((v = bound_get(ctx->args, "Noun")) != NULL)
		noun = value_to_string(v);
	if (name != NULL && !has_wildcard(name) && verb == NULL &&
	    noun == NULL) {
		command_exact(ctx, name, syntax);
		free(name);
		return (0);
	}
	for (i = 0; cmdlet_table[i] != NULL; i++)
		n++;
	for (i = 0; alias_table[i].alias != NULL; i++)
		na++;
	ces = xcalloc(n + 1, sizeof *ces);
	as = xcalloc(na + 1, sizeof *as);
	for (i = 0, n = 0; cmdlet_table[i] != NULL; i++) {
		if (command_match(cmdlet_table[i]->name, name, verb, noun))
			ces[n++] = cmdlet_table[i];
	}
	for (i = 0, na = 0; alias_table[i].alias != NULL; i++) {
		if (verb == NULL && noun == NULL && (name == NULL ||
		    wildcard_match(name, alias_table[i].alias, false)))
			as[na++] = &alias_table[i];
	}
	qsort(ces, n, sizeof *ces, command_cmp);
	qsort(as, na, sizeof *as, command_cmp);
	for (i = 0; i < na && !syntax; i++)
		cmd_emit(ctx, command_alias(as[i]));
	for (i = 0; i < n; i++)
		cmd_emit(ctx, syntax ? value_string_take(help_syntax(ces[i])) :
		    command_cmdlet(ces[i]));
	free(ces);
	free(as);
	free(name);
	free(verb);
	free(noun);
	return (0);
}

/* A cmdlet name against the -Name, -Verb and -Noun patterns. */
static bool
command_match(const char *cmd, const char *name, const char *verb,
    const char *noun)
{
	const char	*dash;
	char		*v;
	bool		 ok;

	if (name != NULL && !wildcard_match(name, cmd, false))
		return (false);
	if ((dash = strchr(cmd, '-')) == NULL)
		return (verb == NULL && noun == NULL);
	if (noun != NULL && !wildcard_match(noun, dash + 1, false))
		return (false);
	if (verb == NULL)
		return (true);
	v = xstrndup(cmd, (size_t)(dash - cmd));
	ok = wildcard_match(verb, v, false);
	free(v);
	return (ok);
}

/* qsort: both element kinds start with their name pointer. */
static int
command_cmp(const void *a, const void *b)
{
	const char *const *const *x = a, *const *const *y = b;

	return (strcasecmp(**x, **y));
}

static struct value *
command_cmdlet(const struct cmdlet_entry *ce)
{
	struct value	*o;

	o = value_object(command_view.type_name, &command_view);
	object_add(o, "CommandType", value_string("Cmdlet"));
	object_add(o, "Name", value_string(ce->name));
	object_add(o, "Version", value_string((ce->flags & C_EXCHANGE) ?
	    "15.2" : "3.1.0.0"));
	object_add(o, "Source", value_string("hubsh"));
	object_add(o, "Definition", value_string_take(help_syntax(ce)));
	o->u.obj->text = xstrdup(ce->name);
	return (o);
}

/* An alias shows as "where -> Where-Object", as PowerShell lists it. */
static struct value *
command_alias(const struct alias_entry *a)
{
	struct value	*o;

	o = value_object(command_view.type_name, &command_view);
	object_add(o, "CommandType", value_string("Alias"));
	object_add(o, "Name", value_string_take(xprintf("%s -> %s",
	    a->alias, a->name)));
	object_add(o, "Version", value_string(""));
	object_add(o, "Source", value_string(""));
	object_add(o, "ResolvedCommandName", value_string(a->name));
	object_add(o, "Definition", value_string(a->name));
	o->u.obj->text = xstrdup(a->alias);
	return (o);
}

/* Get-Command with a plain name: that alias or cmdlet, or an error. */
static void
command_exact(struct cmd_ctx *ctx, const char *name, bool syntax)
{
	const struct cmdlet_entry	*ce;
	size_t				 i;

	for (i = 0; alias_table[i].alias != NULL; i++) {
		if (strcasecmp(alias_table[i].alias, name) != 0)
			continue;
		if (syntax && (ce = cmdlet_find(alias_table[i].name)) != NULL)
			cmd_emit(ctx, value_string_take(help_syntax(ce)));
		else
			cmd_emit(ctx, command_alias(&alias_table[i]));
		return;
	}
	if ((ce = cmdlet_find(name)) != NULL) {
		cmd_emit(ctx, syntax ? value_string_take(help_syntax(ce)) :
		    command_cmdlet(ce));
		return;
	}
	cmd_error(ctx, ERR_NONTERMINATING, "ObjectNotFound",
	    "CommandNotFoundException", "CommandNotFoundException",
	    "The term '%s' is not recognized as the name of a cmdlet, "
	    "function, script file, or operable program. Check the spelling "
	    "of the name, or if a path was included, verify that the path "
	    "is correct and try again.", name);
}

/*
 * doc/cmdlets.md.
 */

/*
 * Text for Markdown: characters Markdown would read as markup escaped,
 * angle brackets as entities (<I>issuer<S>subject is not HTML), newlines
 * as spaces (table cells are one line).
 */
static void
md_escape(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '<')
			fputs("&lt;", fp);
		else if (*s == '>')
			fputs("&gt;", fp);
		else if (strchr("|*_\\[]", *s) != NULL)
			fprintf(fp, "\\%c", *s);
		else if (*s == '\n')
			fputc(' ', fp);
		else
			fputc(*s, fp);
	}
}

/* GitHub's anchor for a heading: lower case, spaces as dashes. */
static void
md_anchor(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ' ')
			fputc('-', fp);
		else if ((*s >= 'A' && *s <= 'Z'))
			fputc(*s - 'A' + 'a', fp);
		else if ((*s >= 'a' && *s <= 'z') || (*s >= '0' &&
		    *s <= '9') || *s == '-' || *s == '_')
			fputc(*s, fp);
	}
}

static const char *
md_pipeline(const struct param_entry *p)
{
	if ((p->flags & P_PIPELINE) && (p->flags & P_BYNAME))
		return ("by value, by name");
	if (p->flags & P_PIPELINE)
		return ("by value");
	if (p->flags & P_BYNAME)
		return ("by name");
	return ("no");
}

static void
md_param_row(FILE *fp, const struct param_entry *p, bool attrs)
{
	const char	*a;
	char		*type, *s;

	type = help_type(p);
	fprintf(fp, "| `-%s` | %s |", p->name, type);
	free(type);
	if (attrs) {
		fprintf(fp, " %s | ", (p->flags & P_MANDATORY) ? "yes" : "no");
		if (p->flags & P_POSITIONAL)
			fprintf(fp, "%d", p->position);
		else
			fputs("named", fp);
		fprintf(fp, " | %s |", md_pipeline(p));
	}
	fputc(' ', fp);
	md_escape(fp, p->help != NULL ? p->help : "");
	if ((s = help_choices(p, "`")) != NULL)
		fprintf(fp, " Values: %s%s.", s, p->type == PT_FLAGS ?
		    " (several, comma-separated)" : "");
	free(s);
	if ((s = help_range(p)) != NULL)
		fprintf(fp, " Range: %s.", s);
	free(s);
	if (p->alias != NULL) {
		fputs(strchr(p->alias, ',') != NULL ? " Aliases: `-" :
		    " Alias: `-", fp);
		for (a = p->alias; *a != '\0'; a++) {
			if (*a == ',')
				fputs("`, `-", fp);
			else if (*a != ' ')
				fputc(*a, fp);
		}
		fputs("`.", fp);
	}
	fputs(" |\n", fp);
}

static void
md_cmdlet(FILE *fp, const struct cmdlet_entry *ce)
{
	const struct param_entry	*p;
	char				*s;
	bool				 any = false;

	fprintf(fp, "## %s\n\n", ce->name);
	md_escape(fp, ce->synopsis != NULL ? ce->synopsis : "");
	fputs("\n\n", fp);
	if (ce->description != NULL) {
		md_escape(fp, ce->description);
		fputs("\n\n", fp);
	}
	s = help_syntax(ce);
	fprintf(fp, "```\n%s\n```\n\n", s);
	free(s);
	for (p = ce->params; p != NULL && p->name != NULL; p++) {
		if (!help_visible(p))
			continue;
		if (!any)
			fputs("| Parameter | Type | Required | Position | "
			    "Pipeline | Description |\n|---|---|---|---|---|"
			    "---|\n", fp);
		any = true;
		md_param_row(fp, p, true);
	}
	if (any)
		fputc('\n', fp);
	if (ce->flags & C_SHOULDPROCESS)
		fprintf(fp, "Supports `-WhatIf` and `-Confirm`%s.\n\n",
		    (ce->flags & C_CONFIRM) ? "; asks for confirmation unless "
		    "`-Confirm:$false` is given" : "");
	for (p = ce->params, any = false; p != NULL && p->name != NULL; p++) {
		if (!(p->flags & P_LEGACY) || (p->flags & P_NOTAB))
			continue;
		fprintf(fp, "%s`-%s`", any ? ", " : "Exchange 2010 "
		    "parameters, refused with an explanation: ", p->name);
		any = true;
	}
	if (any)
		fputs(".\n\n", fp);
}

void
help_dump_markdown(FILE *fp)
{
	const struct param_entry	*p;
	size_t				 i;

	fputs("<!-- Generated by `hubsh --dump-cmdlets` from the cmdlet "
	    "table (shell/cmdlet.c and\n     the parameter tables of "
	    "shell/cmd_*.c). Do not edit by hand: change the\n     tables "
	    "and regenerate. -->\n\n# hubsh cmdlet reference\n\n"
	    "This file is generated from hubsh's cmdlet table and must not "
	    "be edited by hand.\nRegenerate it with `hubsh --dump-cmdlets "
	    ">doc/cmdlets.md`.\n\n| Cmdlet | Synopsis |\n|---|---|\n", fp);
	for (i = 0; cmdlet_table[i] != NULL; i++) {
		fprintf(fp, "| [%s](#", cmdlet_table[i]->name);
		md_anchor(fp, cmdlet_table[i]->name);
		fputs(") | ", fp);
		md_escape(fp, cmdlet_table[i]->synopsis != NULL ?
		    cmdlet_table[i]->synopsis : "");
		fputs(" |\n", fp);
	}
	fputc('\n', fp);
	for (i = 0; cmdlet_table[i] != NULL; i++)
		md_cmdlet(fp, cmdlet_table[i]);
	fputs("## Aliases\n\n| Alias | Cmdlet |\n|---|---|\n", fp);
	for (i = 0; alias_table[i].alias != NULL; i++)
		fprintf(fp, "| `%s` | %s |\n", alias_table[i].alias,
		    alias_table[i].name);
	fputs("\n## Common parameters\n\nEvery cmdlet accepts these.\n\n"
	    "| Parameter | Type | Description |\n|---|---|---|\n", fp);
	for (p = common_params; p->name != NULL; p++) {
		if (!(p->flags & P_NOTAB))
			md_param_row(fp, p, false);
	}
	fputs("\nCmdlets that change things also accept these "
	    "(ShouldProcess):\n\n| Parameter | Type | Description |\n"
	    "|---|---|---|\n", fp);
	for (p = shouldprocess_params; p->name != NULL; p++) {
		if (!(p->flags & P_NOTAB))
			md_param_row(fp, p, false);
	}
}
