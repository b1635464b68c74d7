/*
 * cmd_measure.c - Measure-Object: Count, Sum, Average, Maximum and Minimum.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

static int		 cmd_measure_object_exec(struct cmd_ctx *);
static void		 measure_add(struct cmd_ctx *, struct value *,
			    double *);

static const struct param_entry measure_object_params[] = {
	PARAM("Property", NULL, PT_STRING, P_POSITIONAL, 0, NULL, 0, 0,
	  NULL, "Property to measure instead of the objects "
	  "themselves."),
	PARAM("Sum", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Adds up the values."),
	PARAM("Average", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Averages the values."),
	PARAM("Maximum", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Finds the largest value."),
	PARAM("Minimum", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Finds the smallest value."),
	PARAM("InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to measure; usually piped in."),
	PARAM_END
};

const struct cmdlet_entry cmd_measure_object_entry = {
	.name = "Measure-Object",
	.synopsis = "Calculates the numeric properties of objects.",
	.params = measure_object_params,
	.flags = 0,
	.class_name = PS_CLASS("MeasureObjectCommand"),
	.exec = cmd_measure_object_exec,
	.description = "Measure-Object counts its input objects and, with "
	    "-Sum, -Average, -Maximum or -Minimum, computes those over the "
	    "values (of -Property when given)."
};

/*
 * Measure-Object: Count, and Sum, Average, Maximum, Minimum on demand.
 */
static int
cmd_measure_object_exec(struct cmd_ctx *ctx)
{
	struct value	*in, *pv, *v, *o;
	char		*prop = NULL;
	double		 st[4] = { 0, 0, 0, 0 };	/* count sum max min */
	size_t		 i;

	in = builtin_input(ctx, "InputObject", false);
	if ((pv = bound_get(ctx->args, "Property")) != NULL)
		prop = value_to_string(pv);
	for (i = 0; i < in->u.arr.n && !ctx->stop; i++) {
		v = prop != NULL ? builtin_member(in->u.arr.v[i], prop) :
		    value_ref(in->u.arr.v[i]);
		if (v != NULL)
			measure_add(ctx, v, st);
		value_unref(v);
	}
	if (prop != NULL && st[0] == 0 && in->u.arr.n > 0)
		cmd_error(ctx, ERR_NONTERMINATING, "InvalidArgument",
		    "PSArgumentException", "GenericMeasurePropertyNotFound",
		    "The property \"%s\" cannot be found in the input for any "
		    "objects.", prop);
	value_unref(in);
	o = value_object("Microsoft.PowerShell.Commands.GenericMeasureInfo",
	    NULL);
	object_add(o, "Count", value_int((int64_t)st[0]));
	object_add(o, "Average", bound_switch(ctx->args, "Average") &&
	    st[0] > 0 ? value_double(st[1] / st[0]) : value_null());
	object_add(o, "Sum", bound_switch(ctx->args, "Sum") ?
	    value_double(st[1]) : value_null());
	object_add(o, "Maximum", bound_switch(ctx->args, "Maximum") &&
	    st[0] > 0 ? value_double(st[2]) : value_null());
	object_add(o, "Minimum", bound_switch(ctx->args, "Minimum") &&
	    st[0] > 0 ? value_double(st[3]) : value_null());
	object_add(o, "Property", prop != NULL ? value_string_take(prop) :
	    value_null());
	cmd_emit(ctx, o);
	return (0);
}

/* Count one value and, when statistics are asked for, add it in. */
static void
measure_add(struct cmd_ctx *ctx, struct value *v, double *st)
{
	double	d;
	int64_t	i;
	bool	is_int;
	char	*s;

	st[0]++;
	if (!bound_switch(ctx->args, "Sum") &&
	    !bound_switch(ctx->args, "Average") &&
	    !bound_switch(ctx->args, "Maximum") &&
	    !bound_switch(ctx->args, "Minimum"))
		return;
	if (!value_to_number(v, &d, &i, &is_int)) {
		s = value_to_string(v);
		cmd_error(ctx, ERR_NONTERMINATING, "InvalidType",
		    "PSInvalidOperationException", "NonNumericInputObject",
		    "Input object \"%s\" is not numeric.", s);
		free(s);
		st[0]--;
		return;
	}
	st[1] += d;
	if (st[0] == 1 || d > st[2])
		st[2] = d;
	if (st[0] == 1 || d < st[3])
		st[3] = d;
}
