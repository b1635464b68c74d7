/*
 * cmd_format.c - the Format-List and Format-Table cmdlets; format.c lays
 * the objects out.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

static int		 cmd_format_list_exec(struct cmd_ctx *);
static int		 format_check(struct cmd_ctx *, const char *const *);
static int		 cmd_format_table_exec(struct cmd_ctx *);

/*
 * Format-List and Format-Table.  The keys their calculated properties
 * may have (Label and Name are one key), matched by unique prefix.
 */
static const char *const format_list_keys[] = {
	"Expression", "Label", "Name", "FormatString", NULL
};

static const char *const format_table_keys[] = {
	"Expression", "Label", "Name", "FormatString", "Width", "Alignment",
	NULL
};

static const struct param_entry format_list_params[] = {
	PARAM("Property", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Object[]",
	  "Properties to show: names, wildcards, {script blocks} or "
	  "@{Name=...;Expression=...} hashtables."),
	PARAM("InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to format; usually piped in."),
	PARAM_END
};

const struct cmdlet_entry cmd_format_list_entry = {
	.name = "Format-List",
	.synopsis = "Formats the output as a list of properties in which "
	    "each property appears on a new line.",
	.params = format_list_params,
	.flags = 0,
	.class_name = PS_CLASS("FormatListCommand"),
	.exec = cmd_format_list_exec,
	.description = "Format-List shows each object as a list of "
	    "\"Label : value\" lines, one line per property, with a blank "
	    "line between objects. Without -Property it shows the "
	    "properties the object's type chooses for lists; -Property * "
	    "shows all of them."
};

static const struct param_entry format_table_params[] = {
	PARAM("Property", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Object[]",
	  "Columns to show: names, wildcards, {script blocks} or "
	  "@{Name=...;Expression=...;Width=...} hashtables."),
	PARAM("AutoSize", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Sizes the columns to the widest value over all the objects."),
	PARAM("HideTableHeaders", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Leaves out the column headings and their underlines."),
	PARAM("Wrap", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Accepted for compatibility; long values are cut with ..."),
	PARAM("InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to format; usually piped in."),
	PARAM_END
};

const struct cmdlet_entry cmd_format_table_entry = {
	.name = "Format-Table",
	.synopsis = "Formats the output as a table.",
	.params = format_table_params,
	.flags = 0,
	.class_name = PS_CLASS("FormatTableCommand"),
	.exec = cmd_format_table_exec,
	.description = "Format-Table shows the objects as a table, one row "
	    "per object and one column per property. Without -Property the "
	    "columns are the ones the object's type chooses for tables."
};

/*
 * Format-List and Format-Table: one V_FORMAT value for the whole input.
 */
static int
cmd_format_list_exec(struct cmd_ctx *ctx)
{
	struct value	*in;
	char		*text;

	if (format_check(ctx, format_list_keys) != 0)
		return (0);
	in = builtin_input(ctx, "InputObject", true);
	if (in->u.arr.n > 0) {
		text = format_list(ctx->sh, in->u.arr.v, in->u.arr.n,
		    bound_get(ctx->args, "Property"));
		cmd_emit(ctx, value_format(text, (int)in->u.arr.n));
	}
	value_unref(in);
	return (0);
}

static int
cmd_format_table_exec(struct cmd_ctx *ctx)
{
	struct value	*in;
	char		*text;

	if (format_check(ctx, format_table_keys) != 0)
		return (0);
	in = builtin_input(ctx, "InputObject", true);
	if (in->u.arr.n > 0) {
		text = format_table(ctx->sh, in->u.arr.v, in->u.arr.n,
		    bound_get(ctx->args, "Property"),
		    bound_switch(ctx->args, "AutoSize"),
		    bound_switch(ctx->args, "HideTableHeaders"));
		cmd_emit(ctx, value_format(text, (int)in->u.arr.n));
	}
	value_unref(in);
	return (0);
}

/*
 * The calculated properties of -Property checked before anything is
 * formatted, as 5.1 checks them: only the cmdlet's keys, and an
 * Expression in each.  -1 after writing the error.
 */
static int
format_check(struct cmd_ctx *ctx, const char *const *keys)
{
	struct value	*props, *sel, *expr;
	char		*label;
	size_t		 i;
	int		 dir;

	if ((props = bound_get(ctx->args, "Property")) == NULL)
		return (0);
	for (i = 0; i < value_count(props); i++) {
		sel = value_item(props, i);
		if (sel->type != V_HASH)
			continue;
		if (builtin_calc(ctx, sel, keys, &label, &expr, &dir) != 0)
			return (-1);
		free(label);
	}
	return (0);
}
