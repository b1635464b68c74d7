/*
 * cmd_group.c - Group-Object: objects with the same values of the given
 * properties, as Windows PowerShell 5.1 groups them.
 *
 * Each input object's key is the list of its -Property values (property
 * names, script blocks, @{Expression=...} hashtables), or the object
 * itself without -Property.  Two keys are the same when their values are
 * the same text, without case unless -CaseSensitive (so 25 and "25" are
 * one group).  Groups come out in the order their first object came in,
 * as GroupInfo objects: Count, Name (the values' text joined by ", ", a
 * collection as "{a, b}", $null left out), Group (the objects) and Values
 * (the key's values).  The default view is 5.1's table: Count (5 wide,
 * right-aligned), Name (25 wide) and Group in the rest of the line.
 *
 * -NoElement makes GroupInfoNoElement objects without the objects;
 * -AsHashTable outputs one hashtable of the groups instead, keyed by the
 * value (by the Name with -AsString).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

#define GROUP_TYPE	"Microsoft.PowerShell.Commands.GroupInfo"
#define GROUP_NOELEMENT	"Microsoft.PowerShell.Commands.GroupInfoNoElement"
#define GROUP_DUPLICATE	"The objects grouped by this property cannot be " \
			"expanded because there is a key duplication. " \
			"Provide a valid value for the property, and then " \
			"try again."

/* One group while the input is read. */
struct group {
	char		*key;		/* the values as compared */
	struct value	*values;	/* the key's values (array) */
	struct value	*items;		/* the objects (array) */
	size_t		 next;		/* the bucket's next group, + 1 */
};

/* The groups, in order, with a hash of their keys. */
struct groups {
	struct group	*v;
	size_t		 n;
	size_t		*bucket;	/* index + 1 of a chain's head */
	size_t		 nbucket;
};

static int		 cmd_group_object_exec(struct cmd_ctx *);
static int		 group_exprs(struct cmd_ctx *, struct value **);
static struct value	*group_values(struct cmd_ctx *, struct value *,
			    struct value *);
static char		*group_key(const struct value *, bool);
static size_t		 group_hash(const char *);
static void		 group_rehash(struct groups *);
static void		 group_add(struct groups *, char *, struct value *,
			    struct value *);
static char		*group_name(const struct value *);
static void		 group_emit(struct cmd_ctx *, struct groups *, bool);
static void		 group_table(struct cmd_ctx *, struct groups *, bool,
			    bool);
static void		 groups_free(struct groups *);

static const char *const group_calc_keys[] = { "Expression", NULL };

static const char *const group_table_cols[] = {
	"Count", "Name", "Group", NULL
};
static const char *const group_list_props[] = {
	"Name", "Count", "Group", "Values", NULL
};
static const struct view group_view = {
	GROUP_TYPE, SHAPE_TABLE, group_table_cols, group_list_props
};

static const char *const group_noelement_cols[] = { "Count", "Name", NULL };
static const char *const group_noelement_props[] = {
	"Name", "Count", "Values", NULL
};
static const struct view group_noelement_view = {
	GROUP_NOELEMENT, SHAPE_TABLE, group_noelement_cols,
	group_noelement_props
};

static const struct param_entry group_object_params[] = {
	PARAM("Property", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Object[]", "What to group by: property names, {script "
	  "blocks} or @{Expression=...} hashtables; several make one key."),
	PARAM("NoElement", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Leaves the objects out of the groups: Count and Name only."),
	PARAM("AsHashTable", "AHT", PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Outputs one hashtable: each key's value is the objects of its "
	  "group."),
	PARAM("AsString", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "With -AsHashTable, makes the keys the groups' names (text)."),
	PARAM("InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to group; usually piped in."),
	PARAM("Culture", NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "Accepted for compatibility; text is compared in en-US."),
	PARAM("CaseSensitive", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Puts values that differ only in case in different groups."),
	PARAM_END
};

const struct cmdlet_entry cmd_group_object_entry = {
	.name = "Group-Object",
	.synopsis = "Groups objects that contain the same value for "
	    "specified properties.",
	.params = group_object_params,
	.flags = 0,
	.class_name = PS_CLASS("GroupObjectCommand"),
	.exec = cmd_group_object_exec,
	.description = "Group-Object outputs a GroupInfo object per distinct "
	    "value of the properties (Count, Name, Group, Values), in the "
	    "order the values first appear; text is compared without case."
};

static int
cmd_group_object_exec(struct cmd_ctx *ctx)
{
	struct groups	 gs;
	struct value	*in, *exprs, *vals, *item;
	char		*key;
	size_t		 i;
	bool		 cs;

	if (group_exprs(ctx, &exprs) != 0)
		return (0);
	cs = bound_switch(ctx->args, "CaseSensitive");
	memset(&gs, 0, sizeof gs);
	in = builtin_input(ctx, "InputObject", false);
	for (i = 0; i < in->u.arr.n && !ctx->stop; i++) {
		item = in->u.arr.v[i];
		if (item->type == V_NULL)
			continue;
		vals = group_values(ctx, exprs, item);
		key = group_key(vals, cs);
		group_add(&gs, key, vals, item);
	}
	value_unref(in);
	if (!ctx->stop && gs.n > 0) {
		if (bound_switch(ctx->args, "AsHashTable"))
			group_table(ctx, &gs, exprs != NULL &&
			    exprs->u.arr.n > 1,
			    bound_switch(ctx->args, "NoElement"));
		else
			group_emit(ctx, &gs,
			    bound_switch(ctx->args, "NoElement"));
	}
	groups_free(&gs);
	if (exprs != NULL)
		value_unref(exprs);
	return (0);
}

/*
 * The key expressions of -Property (NULL without it): names and script
 * blocks as given, a hashtable's Expression.  -1 after a bad hashtable.
 */
static int
group_exprs(struct cmd_ctx *ctx, struct value **out)
{
	struct value	*props, *sel, *expr;
	char		*label;
	size_t		 i;
	int		 dir;

	*out = NULL;
	if ((props = bound_get(ctx->args, "Property")) == NULL ||
	    props->type == V_NULL)
		return (0);
	*out = value_array();
	for (i = 0; i < value_count(props); i++) {
		sel = value_item(props, i);
		if (sel->type != V_HASH) {
			value_array_push(*out, value_ref(sel));
			continue;
		}
		if (builtin_calc(ctx, sel, group_calc_keys, &label, &expr,
		    &dir) != 0) {
			value_unref(*out);
			*out = NULL;
			return (-1);
		}
		free(label);
		value_array_push(*out, value_ref(expr));
	}
	return (0);
}

/* An object's key values (new array): the object itself without exprs. */
static struct value *
group_values(struct cmd_ctx *ctx, struct value *exprs, struct value *item)
{
	struct value	*vals;
	size_t		 i;

	vals = value_array();
	if (exprs == NULL) {
		value_array_push(vals, value_ref(item));
		return (vals);
	}
	for (i = 0; i < exprs->u.arr.n; i++)
		value_array_push(vals, builtin_eval_expr(ctx,
		    exprs->u.arr.v[i], item));
	return (vals);
}

/*
 * The key as compared: each value's text (ASCII letters folded unless
 * cs), separated by U+001F; $null is U+001E, apart from any text.
 */
static char *
group_key(const struct value *vals, bool cs)
{
	struct buf	 b;
	char		*s, *p;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < vals->u.arr.n; i++) {
		if (vals->u.arr.v[i]->type == V_NULL) {
			buf_adds(&b, "\x1e\x1f");
			continue;
		}
		s = value_to_string(vals->u.arr.v[i]);
		for (p = s; !cs && *p != '\0'; p++) {
			if (*p >= 'A' && *p <= 'Z')
				*p += 'a' - 'A';
		}
		buf_adds(&b, s);
		buf_addc(&b, '\x1f');
		free(s);
	}
	return (buf_detach(&b));
}

/* FNV-1a. */
static size_t
group_hash(const char *s)
{
	size_t	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h);
}

static void
group_rehash(struct groups *gs)
{
	size_t	i, b;

	free(gs->bucket);
	gs->nbucket = gs->nbucket == 0 ? 64 : gs->nbucket * 2;
	gs->bucket = xcalloc(gs->nbucket, sizeof *gs->bucket);
	for (i = 0; i < gs->n; i++) {
		b = group_hash(gs->v[i].key) % gs->nbucket;
		gs->v[i].next = gs->bucket[b];
		gs->bucket[b] = i + 1;
	}
}

/* Put item in its key's group, a new one at the end if none; takes key
 * and vals. */
static void
group_add(struct groups *gs, char *key, struct value *vals,
    struct value *item)
{
	struct group	*g;
	size_t		 b, i;

	if (gs->nbucket > 0) {
		b = group_hash(key) % gs->nbucket;
		for (i = gs->bucket[b]; i != 0; i = gs->v[i - 1].next) {
			if (strcmp(gs->v[i - 1].key, key) != 0)
				continue;
			value_array_push(gs->v[i - 1].items, value_ref(item));
			free(key);
			value_unref(vals);
			return;
		}
	}
	gs->v = xreallocarray(gs->v, gs->n + 1, sizeof *gs->v);
	g = &gs->v[gs->n++];
	g->key = key;
	g->values = vals;
	g->items = value_array();
	value_array_push(g->items, value_ref(item));
	if (gs->n > gs->nbucket / 2)
		group_rehash(gs);
	else {
		b = group_hash(key) % gs->nbucket;
		g->next = gs->bucket[b];
		gs->bucket[b] = gs->n;
	}
}

/*
 * GroupInfo.Name: each value's ToString() joined by ", ", a collection
 * as "{a, b}"; $null values are left out.
 */
static char *
group_name(const struct value *vals)
{
	const struct value	*v;
	struct buf		 b;
	char			*s;
	size_t			 i, j;

	buf_init(&b);
	for (i = 0; i < vals->u.arr.n; i++) {
		v = vals->u.arr.v[i];
		if (v->type == V_NULL)
			continue;
		if (b.len > 0)
			buf_adds(&b, ", ");
		if (v->type != V_ARRAY) {
			s = value_to_string(v);
			buf_adds(&b, s);
			free(s);
			continue;
		}
		buf_addc(&b, '{');
		for (j = 0; j < v->u.arr.n; j++) {
			s = value_to_string(v->u.arr.v[j]);
			buf_addf(&b, "%s%s", j > 0 ? ", " : "", s);
			free(s);
		}
		buf_addc(&b, '}');
	}
	if (b.len == 0) {
		buf_free(&b);
		return (xstrdup(""));
	}
	return (buf_detach(&b));
}

/* One GroupInfo (or GroupInfoNoElement) per group, in order. */
static void
group_emit(struct cmd_ctx *ctx, struct groups *gs, bool noelement)
{
	struct group	*g;
	struct value	*o;
	size_t		 i;

	for (i = 0; i < gs->n; i++) {
		g = &gs->v[i];
		o = value_object(noelement ? GROUP_NOELEMENT : GROUP_TYPE,
		    noelement ? &group_noelement_view : &group_view);
		o->u.obj->text = xstrdup(noelement ? GROUP_NOELEMENT :
		    GROUP_TYPE);
		object_reserve(o, 4);
		object_add_const(o, "Values", value_ref(g->values));
		object_add_const(o, "Count",
		    value_int((int64_t)g->items->u.arr.n));
		object_add_const(o, "Group", noelement ? value_array() :
		    value_ref(g->items));
		object_add_const(o, "Name", value_string_take(
		    group_name(g->values)));
		cmd_emit(ctx, o);
	}
}

/*
 * -AsHashTable: the groups in one hashtable.  More than one property
 * needs -AsString; a key met twice (values that differ only in case,
 * with -CaseSensitive: the table's keys are not) is 5.1's error, whose
 * message is its error id too, and nothing is output.
 */
static void
group_table(struct cmd_ctx *ctx, struct groups *gs, bool several,
    bool noelement)
{
	struct value	*h, *key;
	size_t		 i;
	bool		 as_string;

	as_string = bound_switch(ctx->args, "AsString");
	if (several && !as_string) {
		cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
		    "ArgumentException", "ArgumentException", "The command "
		    "cannot be run because using the AsHashTable parameter "
		    "with more than one property requires adding the "
		    "AsString parameter.");
		return;
	}
	h = value_hash();
	for (i = 0; i < gs->n; i++) {
		key = as_string ? value_string_take(group_name(
		    gs->v[i].values)) : value_ref(gs->v[i].values->u.arr.v[0]);
		value_hash_set(h, key, noelement ? value_array() :
		    value_ref(gs->v[i].items));
		if (h->u.hash.n == i + 1)
			continue;
		cmd_error(ctx, ERR_NONTERMINATING, "InvalidArgument",
		    "Exception", GROUP_DUPLICATE, "%s", GROUP_DUPLICATE);
		value_unref(h);
		return;
	}
	cmd_emit(ctx, h);
}

static void
groups_free(struct groups *gs)
{
	size_t	i;

	for (i = 0; i < gs->n; i++) {
		free(gs->v[i].key);
		value_unref(gs->v[i].values);
		value_unref(gs->v[i].items);
	}
	free(gs->v);
	free(gs->bucket);
}
