/*
 * cmd_foreach.c - ForEach-Object: -Begin, -Process and -End script
 * blocks, or a -MemberName.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

static int		 cmd_foreach_object_exec(struct cmd_ctx *);
static bool		 foreach_run(struct cmd_ctx *, struct value *,
			    struct value *);

/*
 * ForEach-Object.
 */
static const struct param_entry foreach_object_params[] = {
	PARAM("Process", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Management.Automation.ScriptBlock",
	  "Script block run for each object, with $_ set to it; a name "
	  "instead outputs that property of each object (% Name), or calls "
	  "that method (% ToUpper)."),
	PARAM("Begin", NULL, PT_SCRIPT, 0, 0, NULL, 0, 0,
	  NULL,
	  "Script block run once before the first object."),
	PARAM("End", NULL, PT_SCRIPT, 0, 0, NULL, 0, 0,
	  NULL,
	  "Script block run once after the last object."),
	PARAM("InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to process; usually piped in."),
	PARAM_END
};

const struct cmdlet_entry cmd_foreach_object_entry = {
	.name = "ForEach-Object",
	.synopsis = "Performs an operation against each item in a "
	    "collection of input objects.",
	.params = foreach_object_params,
	.flags = 0,
	.class_name = PS_CLASS("ForEachObjectCommand"),
	.exec = cmd_foreach_object_exec,
	.description = "ForEach-Object runs the -Process script block once "
	    "for every input object, with $_ set to the object, and passes "
	    "on whatever the block outputs."
};

/*
 * ForEach-Object.
 */
static int
cmd_foreach_object_exec(struct cmd_ctx *ctx)
{
	struct value	*in, *begin, *process, *end;
	size_t		 i;

	begin = bound_get(ctx->args, "Begin");
	process = bound_get(ctx->args, "Process");
	end = bound_get(ctx->args, "End");
	if (begin != NULL && !foreach_run(ctx, begin, value_null()))
		return (0);
	in = builtin_input(ctx, "InputObject", false);
	for (i = 0; i < in->u.arr.n && process != NULL; i++) {
		if (!foreach_run(ctx, process, in->u.arr.v[i]))
			break;
	}
	value_unref(in);
	if (end != NULL && !ctx->stop)
		foreach_run(ctx, end, value_null());
	return (0);
}

/*
 * Run one block and pass its output on; false once the script stops.
 * A name instead of a block is the -MemberName form: the property's
 * value, unrolled, or else the method of that name called (% ToUpper);
 * a name that is neither gives nothing, as in PowerShell.
 */
static bool
foreach_run(struct cmd_ctx *ctx, struct value *script, struct value *item)
{
	struct dn_error	 err;
	struct value	*v;
	char		*name;

	if (script->type == V_SCRIPT) {
		builtin_emit_items(ctx, builtin_run_output(ctx, script, item));
		return (!ctx->stop);
	}
	name = value_to_string(script);
	memset(&err, 0, sizeof err);
	if ((v = builtin_member(item, name)) != NULL ||
	    (item->type != V_NULL &&
	    (v = dotnet_invoke(item, name, NULL, 0, &err)) != NULL))
		builtin_emit_items(ctx, v);
	else if (err.id != NULL && strcmp(err.id, "MethodNotFound") != 0)
		cmd_error(ctx, ERR_NONTERMINATING, err.category, err.reason,
		    err.id, "%s", err.message);
	dn_error_clear(&err);
	free(name);
	return (true);
}
