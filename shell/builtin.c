/*
 * builtin.c - what the PowerShell built-in cmdlets share (cmd_where.c,
 * cmd_foreach.c, cmd_select.c, cmd_sort.c, cmd_format.c, cmd_output.c,
 * cmd_measure.c): their input, members of objects, script blocks and
 * calculated properties.
 *
 * Each built-in is an entry for cmdlet_table[] (cmdlet.c) with its
 * parameter table; the binder has converted the arguments before exec
 * runs.  Pipeline input is the whole, already flattened, output of the
 * command before, in ctx->input; without it, an explicit -InputObject is
 * used.  Everything emitted goes to ctx->out one item at a time (arrays
 * are unrolled, as PowerShell's pipeline does).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

static int		 builtin_calc_key(const char *, const char *const *);

/*
 * The objects to work on, as a new array (caller unrefs): the pipeline
 * input, else the -InputObject argument, unrolled when flatten is set
 * (PowerShell treats an explicit -InputObject as one object).
 */
struct value *
builtin_input(struct cmd_ctx *ctx, const char *param, bool flatten)
{
	struct value	*in, *v;
	size_t		 i;

	in = value_array();
	if (ctx->ninput > 0) {
		for (i = 0; i < ctx->ninput; i++)
			value_array_push(in, value_ref(ctx->input[i]));
	} else if ((v = bound_get(ctx->args, param)) != NULL) {
		if (flatten) {
			for (i = 0; i < value_count(v); i++)
				value_array_push(in,
				    value_ref(value_item(v, i)));
		} else if (v->type != V_NULL)
			value_array_push(in, value_ref(v));
	}
	return (in);
}

/*
 * A member of a value (new reference), or NULL when it has none: an
 * object's property, a hashtable's key, or a property of its .NET type
 * (a string's Length, a date's Year: dotnet.c).
 */
struct value *
builtin_member(const struct value *v, const char *name)
{
	return (dotnet_property(v, name));
}

/* Run a script block with $_ = item; its output array (caller unrefs). */
static struct value *
builtin_invoke(struct cmd_ctx *ctx, struct value *script, struct value *item,
    bool output)
{
	struct value	*out;
	bool		 failed = false;

	out = cmd_invoke_script(ctx, script, item, output, &failed);
	if (failed)
		ctx->failed = true;
	return (out);
}

struct value *
builtin_run(struct cmd_ctx *ctx, struct value *script, struct value *item)
{
	return (builtin_invoke(ctx, script, item, false));
}

struct value *
builtin_run_output(struct cmd_ctx *ctx, struct value *script,
    struct value *item)
{
	return (builtin_invoke(ctx, script, item, true));
}

/* Emit every item of v (unrolled); takes the reference to v. */
void
builtin_emit_items(struct cmd_ctx *ctx, struct value *v)
{
	size_t	i;

	for (i = 0; i < value_count(v); i++)
		cmd_emit(ctx, value_ref(value_item(v, i)));
	value_unref(v);
}

/*
 * Index of a hashtable key among names: an exact match or a unique
 * prefix, without case; -1 when it matches none or several.
 */
static int
builtin_calc_key(const char *key, const char *const *names)
{
	size_t	len = strlen(key);
	int	i, found = -1;

	if (len == 0)
		return (-1);
	for (i = 0; names[i] != NULL; i++) {
		if (strcasecmp(names[i], key) == 0)
			return (i);
		if (strncasecmp(names[i], key, len) == 0) {
			if (found != -1)
				return (-1);
			found = i;
		}
	}
	return (found);
}

/* Value of a calculated expression (a name or a script block). */
struct value *
builtin_eval_expr(struct cmd_ctx *ctx, struct value *expr,
    struct value *item)
{
	struct value	*v;
	char		*name;

	if (expr->type == V_SCRIPT)
		return (value_collapse(builtin_run(ctx, expr, item)));
	name = value_to_string(expr);
	v = builtin_member(item, name);
	free(name);
	return (v != NULL ? v : value_null());
}

/*
 * Read a calculated property @{Name=...;Expression=...}: the label (heap)
 * and the borrowed expression.  For Sort-Object, *dir is set to 1 or -1
 * by Ascending or Descending.  -1 after writing the error.
 */
int
builtin_calc(struct cmd_ctx *ctx, struct value *h, const char *const *keys,
    char **label, struct value **expr, int *dir)
{
	struct value	*val;
	char		*k;
	size_t		 i;
	int		 which;

	*label = NULL;
	*expr = NULL;
	*dir = 0;
	for (i = 0; i < h->u.hash.n; i++) {
		k = value_to_string(h->u.hash.e[i].key);
		val = h->u.hash.e[i].val;
		if ((which = builtin_calc_key(k, keys)) == -1) {
			cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
			    "NotSupportedException", "DictionaryKeyIllegalKey",
			    "The %s key is not valid.", k);
			free(k);
			free(*label);
			return (-1);
		}
		free(k);
		if (strcmp(keys[which], "Expression") == 0)
			*expr = val;
		else if (strcmp(keys[which], "Ascending") == 0)
			*dir = value_truthy(val) ? 1 : -1;
		else if (strcmp(keys[which], "Descending") == 0)
			*dir = value_truthy(val) ? -1 : 1;
		else {
			free(*label);
			*label = value_to_string(val);
		}
	}
	if (*expr == NULL) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "NotSupportedException", "DictionaryKeyMandatoryEntry",
		    "A mandatory entry for Expression is missing.");
		free(*label);
		return (-1);
	}
	if (*label == NULL)
		*label = (*expr)->type == V_SCRIPT ? xstrdup(
		    (*expr)->u.script.body->str != NULL ?
		    (*expr)->u.script.body->str : "") : value_to_string(*expr);
	return (0);
}
