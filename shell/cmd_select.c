/*
 * cmd_select.c - Select-Object: properties by name, wildcard, script
 * block or calculated property, -ExpandProperty, -First, -Last, -Skip
 * and -Unique.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

static int		 cmd_select_object_exec(struct cmd_ctx *);
static struct value	*select_slice(struct cmd_ctx *, struct value *);
static struct value	*select_project(struct cmd_ctx *, struct value *,
			    struct value *);
static void		 select_name(struct value *, struct value *,
			    const char *);
static void		 select_add(struct value *, const char *,
			    struct value *);
static void		 select_expand(struct cmd_ctx *, struct value *,
			    const char *, struct value *);
static struct value	*select_unique(struct value *);
static char		*select_identity(const struct value *);

/*
 * Select-Object.
 */
static const char *const select_calc_keys[] = {
	"Name", "Label", "Expression", NULL
};

static const struct param_entry select_object_params[] = {
	PARAM("Property", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Object[]",
	  "Properties to keep: names, wildcards, {script blocks} or "
	  "@{Name=...;Expression=...} hashtables."),
	PARAM("ExpandProperty", NULL, PT_STRING, 0, 0, NULL, 0, 0,
	  NULL,
	  "Outputs the value of this property instead of an object; "
	  "collections are unrolled."),
	PARAM("First", NULL, PT_INT, 0, 0, NULL, 0, INT32_MAX, NULL,
	  "Keeps only this many objects from the start."),
	PARAM("Last", NULL, PT_INT, 0, 0, NULL, 0, INT32_MAX, NULL,
	  "Keeps only this many objects from the end."),
	PARAM("Skip", NULL, PT_INT, 0, 0, NULL, 0, INT32_MAX, NULL,
	  "Leaves out this many objects from the start."),
	PARAM("Unique", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Drops objects identical to one already output (case-sensitive)."),
	PARAM("InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to select from; usually piped in."),
	PARAM_END
};

const struct cmdlet_entry cmd_select_object_entry = {
	.name = "Select-Object",
	.synopsis = "Selects objects or object properties.",
	.params = select_object_params,
	.flags = 0,
	.class_name = PS_CLASS("SelectObjectCommand"),
	.exec = cmd_select_object_exec,
	.description = "Select-Object makes new objects holding only the "
	    "properties named by -Property, outputs the value of one "
	    "property with -ExpandProperty, or keeps some of the objects "
	    "with -First, -Last, -Skip and -Unique."
};

/*
 * Select-Object.
 */
static int
cmd_select_object_exec(struct cmd_ctx *ctx)
{
	struct value	*in, *out, *props, *expand, *o, *item;
	char		*name = NULL;
	size_t		 i;

	in = builtin_input(ctx, "InputObject", false);
	in = select_slice(ctx, in);
	props = bound_get(ctx->args, "Property");
	if ((expand = bound_get(ctx->args, "ExpandProperty")) != NULL)
		name = value_to_string(expand);
	out = value_array();
	for (i = 0; i < in->u.arr.n && !ctx->stop; i++) {
		item = in->u.arr.v[i];
		if (name != NULL)
			select_expand(ctx, item, name, out);
		else if (props != NULL) {
			if ((o = select_project(ctx, item, props)) == NULL)
				break;
			value_array_push(out, o);
		} else
			value_array_push(out, value_ref(item));
	}
	free(name);
	value_unref(in);
	if (bound_switch(ctx->args, "Unique"))
		out = select_unique(out);
	builtin_emit_items(ctx, out);
	return (0);
}

/* Apply -Skip, -First and -Last; takes in, returns a new array. */
static struct value *
select_slice(struct cmd_ctx *ctx, struct value *in)
{
	struct value	*v, *out;
	size_t		 n = in->u.arr.n, skip = 0, first, last = 0, i;
	bool		 has_first, has_last;

	if ((v = bound_get(ctx->args, "Skip")) != NULL && v->type == V_INT)
		skip = (size_t)v->u.i;
	has_first = (v = bound_get(ctx->args, "First")) != NULL &&
	    v->type == V_INT;
	first = has_first ? (size_t)v->u.i : 0;
	has_last = (v = bound_get(ctx->args, "Last")) != NULL &&
	    v->type == V_INT;
	if (has_last)
		last = (size_t)v->u.i;
	if (skip == 0 && !has_first && !has_last)
		return (in);
	out = value_array();
	for (i = skip; i < n; i++) {
		if ((has_first && i - skip < first) ||
		    (has_last && n - i <= last) || (!has_first && !has_last))
			value_array_push(out, value_ref(in->u.arr.v[i]));
	}
	value_unref(in);
	return (out);
}

/* A new "Selected." object with the chosen properties; NULL on error. */
static struct value *
select_project(struct cmd_ctx *ctx, struct value *item, struct value *props)
{
	struct value	*o, *sel, *expr, *v;
	char		*type, *label;
	size_t		 i;
	int		 which;

	type = xprintf("Selected.%s", value_type_name(item));
	o = value_object(type, NULL);
	free(type);
	for (i = 0; i < value_count(props) && !ctx->stop; i++) {
		sel = value_item(props, i);
		if (sel->type == V_SCRIPT) {
			v = builtin_eval_expr(ctx, sel, item);
			select_add(o, sel->u.script.body->str != NULL ?
			    sel->u.script.body->str : "", v);
		} else if (sel->type == V_HASH) {
			if (builtin_calc(ctx, sel, select_calc_keys, &label,
			    &expr, &which) != 0) {
				value_unref(o);
				return (NULL);
			}
			select_add(o, label, builtin_eval_expr(ctx, expr,
			    item));
			free(label);
		} else {
			label = value_to_string(sel);
			select_name(o, item, label);
			free(label);
		}
	}
	return (o);
}

/*
 * A property selected by name or wildcard.  The label is the property's
 * own spelling; a name the object lacks gives an empty property.
 */
static void
select_name(struct value *o, struct value *item, const char *name)
{
	struct object	*obj;
	struct value	*v;
	char		*key;
	size_t		 i;

	if (has_wildcard(name)) {
		if (item->type == V_OBJECT) {
			obj = item->u.obj;
			for (i = 0; i < obj->nprops; i++) {
				if (wildcard_match(name, obj->props[i].name,
				    false))
					select_add(o, obj->props[i].name,
					    value_ref(obj->props[i].val));
			}
		} else if (item->type == V_HASH) {
			for (i = 0; i < item->u.hash.n; i++) {
				key = value_to_string(item->u.hash.e[i].key);
				if (wildcard_match(name, key, false))
					select_add(o, key, value_ref(
					    item->u.hash.e[i].val));
				free(key);
			}
		}
		return;
	}
	for (i = 0; item->type == V_OBJECT && i < item->u.obj->nprops; i++) {
		if (strcasecmp(item->u.obj->props[i].name, name) == 0) {
			select_add(o, item->u.obj->props[i].name,
			    value_ref(item->u.obj->props[i].val));
			return;
		}
	}
	v = builtin_member(item, name);
	select_add(o, name, v != NULL ? v : value_null());
}

/* Add a property unless the object has one of that name already. */
static void
select_add(struct value *o, const char *name, struct value *v)
{
	if (object_get(o, name) != NULL) {
		value_unref(v);
		return;
	}
	object_add(o, name, v);
}

/* -ExpandProperty: the property's value, a collection unrolled. */
static void
select_expand(struct cmd_ctx *ctx, struct value *item, const char *name,
    struct value *out)
{
	struct value	*v;
	size_t		 i;

	if ((v = builtin_member(item, name)) == NULL) {
		cmd_error(ctx, ERR_NONTERMINATING, "InvalidArgument",
		    "PSArgumentException", "ExpandPropertyNotFound",
		    "Property \"%s\" cannot be found.", name);
		return;
	}
	for (i = 0; i < value_count(v); i++)
		value_array_push(out, value_ref(value_item(v, i)));
	value_unref(v);
}

/* -Unique: drop items identical to an earlier one; takes out. */
static struct value *
select_unique(struct value *out)
{
	struct value	*u;
	char		**ids;
	size_t		 i, j, n = out->u.arr.n;

	ids = xcalloc(n + 1, sizeof *ids);
	u = value_array();
	for (i = 0; i < n; i++) {
		ids[i] = select_identity(out->u.arr.v[i]);
		for (j = 0; j < i; j++) {
			if (ids[j] != NULL && strcmp(ids[j], ids[i]) == 0)
				break;
		}
		if (j < i) {
			free(ids[i]);
			ids[i] = NULL;
		} else
			value_array_push(u, value_ref(out->u.arr.v[i]));
	}
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	value_unref(out);
	return (u);
}

/* Text that is equal for identical values (compared with case). */
static char *
select_identity(const struct value *v)
{
	struct buf	 b;
	char		*s;
	size_t		 i;

	buf_init(&b);
	if (v->type != V_OBJECT) {
		s = value_to_string(v);
		buf_addf(&b, "%d:%s", (int)v->type, s);
		free(s);
		s = buf_detach(&b);
		buf_free(&b);
		return (s);
	}
	buf_adds(&b, v->u.obj->type_name);
	for (i = 0; i < v->u.obj->nprops; i++) {
		s = format_cell(v->u.obj->props[i].val);
		buf_addf(&b, "\n%s=%s", v->u.obj->props[i].name, s);
		free(s);
	}
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}
