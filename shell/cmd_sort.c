/*
 * cmd_sort.c - Sort-Object: a stable sort on properties, script blocks
 * or calculated properties, each ascending or descending.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

/* One Sort-Object key. */
struct sort_spec {
	struct value	*expr;		/* name, script block, NULL: the item */
	bool		 descending;
};

struct sort_item {
	struct value	 *item;
	struct value	**keys;
};

struct sort_ctx {
	struct sort_spec *specs;
	size_t		  nspecs;
	bool		  cs;
};

static int		 cmd_sort_object_exec(struct cmd_ctx *);
static int		 sort_specs(struct cmd_ctx *, struct sort_ctx *);
static int		 sort_cmp(struct value *, struct value *, bool);
static int		 sort_item_cmp(const struct sort_item *,
			    const struct sort_item *, const struct sort_ctx *);
static void		 sort_merge(struct sort_item *, struct sort_item *,
			    size_t, const struct sort_ctx *);
static int		 sort_string_cmp(const char *, const char *, bool);

/*
 * Sort-Object.
 */
static const char *const sort_calc_keys[] = {
	"Expression", "Ascending", "Descending", NULL
};

static const struct param_entry sort_object_params[] = {
	PARAM("Property", NULL, PT_OBJECT, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.Object[]",
	  "Sort keys, most significant first: names, {script blocks} or "
	  "@{Expression=...;Descending=$true} hashtables."),
	PARAM("Descending", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Sorts from the largest value to the smallest."),
	PARAM("Unique", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Keeps one object of each run with equal sort keys."),
	PARAM("CaseSensitive", NULL, PT_SWITCH, 0, 0, NULL, 0, 0, NULL,
	  "Compares text with case (lower case sorts first)."),
	PARAM("InputObject", NULL, PT_OBJECT, P_PIPELINE, 0, NULL, 0, 0,
	  "System.Management.Automation.PSObject",
	  "The objects to sort; usually piped in."),
	PARAM_END
};

const struct cmdlet_entry cmd_sort_object_entry = {
	.name = "Sort-Object",
	.synopsis = "Sorts objects by property values.",
	.params = sort_object_params,
	.flags = 0,
	.class_name = PS_CLASS("SortObjectCommand"),
	.exec = cmd_sort_object_exec,
	.description = "Sort-Object outputs its input in order. Text is "
	    "compared without case, numbers by value, dates by time and "
	    "False before True; $null sorts first. The sort is stable: "
	    "objects with equal keys keep their order."
};

/*
 * Sort-Object.
 */
static int
cmd_sort_object_exec(struct cmd_ctx *ctx)
{
	struct sort_ctx		 sc;
	struct sort_item	*items, *tmp;
	struct value		*in;
	size_t			 n, i, k, last;

	if (sort_specs(ctx, &sc) != 0)
		return (0);
	in = builtin_input(ctx, "InputObject", false);
	n = in->u.arr.n;
	items = xcalloc(n + 1, sizeof *items);
	tmp = xcalloc(n + 1, sizeof *tmp);
	for (i = 0; i < n; i++) {
		items[i].item = in->u.arr.v[i];
		items[i].keys = xcalloc(sc.nspecs, sizeof *items[i].keys);
		for (k = 0; k < sc.nspecs; k++)
			items[i].keys[k] = sc.specs[k].expr == NULL ?
			    value_ref(items[i].item) : builtin_eval_expr(ctx,
			    sc.specs[k].expr, items[i].item);
	}
	sort_merge(items, tmp, n, &sc);
	for (i = 0, last = 0; i < n && !ctx->stop; i++) {
		if (i > 0 && bound_switch(ctx->args, "Unique") &&
		    sort_item_cmp(&items[last], &items[i], &sc) == 0)
			continue;
		cmd_emit(ctx, value_ref(items[i].item));
		last = i;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < sc.nspecs; k++)
			value_unref(items[i].keys[k]);
		free(items[i].keys);
	}
	free(items);
	free(tmp);
	free(sc.specs);
	value_unref(in);
	return (0);
}

/* The sort keys from -Property (the items themselves without it). */
static int
sort_specs(struct cmd_ctx *ctx, struct sort_ctx *sc)
{
	struct value	*props, *sel, *expr;
	char		*label;
	size_t		 i, n;
	bool		 desc;
	int		 dir;

	desc = bound_switch(ctx->args, "Descending");
	sc->cs = bound_switch(ctx->args, "CaseSensitive");
	props = bound_get(ctx->args, "Property");
	n = props != NULL ? value_count(props) : 0;
	sc->specs = xcalloc(n + 1, sizeof *sc->specs);
	sc->nspecs = n > 0 ? n : 1;
	sc->specs[0].descending = desc;
	for (i = 0; i < n; i++) {
		sel = value_item(props, i);
		sc->specs[i].expr = sel;
		sc->specs[i].descending = desc;
		if (sel->type != V_HASH)
			continue;
		if (builtin_calc(ctx, sel, sort_calc_keys, &label, &expr,
		    &dir) != 0) {
			free(sc->specs);
			return (-1);
		}
		free(label);
		sc->specs[i].expr = expr;
		if (dir != 0)
			sc->specs[i].descending = dir < 0;
	}
	return (0);
}

/* Order of two sort keys: $null first, numbers, dates, then text. */
static int
sort_cmp(struct value *a, struct value *b, bool cs)
{
	double	 ad, bd;
	int64_t	 ai, bi;
	bool	 aint, bint;
	char	*as, *bs;
	int	 c;

	if (a->type == V_NULL || b->type == V_NULL)
		return ((a->type != V_NULL) - (b->type != V_NULL));
	if ((a->type == V_INT || a->type == V_DOUBLE || a->type == V_BOOL) &&
	    (b->type == V_INT || b->type == V_DOUBLE || b->type == V_BOOL) &&
	    value_to_number(a, &ad, &ai, &aint) &&
	    value_to_number(b, &bd, &bi, &bint)) {
		if (aint && bint)
			return (ai < bi ? -1 : ai > bi);
		return (ad < bd ? -1 : ad > bd);
	}
	if (a->type == V_DATE && b->type == V_DATE)
		return (a->u.date < b->u.date ? -1 : a->u.date > b->u.date);
	as = value_to_string(a);
	bs = value_to_string(b);
	c = sort_string_cmp(as, bs, cs);
	free(as);
	free(bs);
	return (c);
}

static int
sort_item_cmp(const struct sort_item *a, const struct sort_item *b,
    const struct sort_ctx *sc)
{
	size_t	k;
	int	c;

	for (k = 0; k < sc->nspecs; k++) {
		c = sort_cmp(a->keys[k], b->keys[k], sc->cs);
		if (c != 0)
			return (sc->specs[k].descending ? -c : c);
	}
	return (0);
}

/* Stable merge sort of n items, tmp being scratch space of n items. */
static void
sort_merge(struct sort_item *v, struct sort_item *tmp, size_t n,
    const struct sort_ctx *sc)
{
	size_t	mid = n / 2, i = 0, j, k = 0;

	if (n < 2)
		return;
	sort_merge(v, tmp, mid, sc);
	sort_merge(v + mid, tmp, n - mid, sc);
	j = mid;
	while (i < mid && j < n) {
		if (sort_item_cmp(&v[j], &v[i], sc) < 0)
			tmp[k++] = v[j++];
		else
			tmp[k++] = v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof *v);
}

/*
 * Text order: without case, then (when cs) lower case before upper case,
 * as culture-aware comparison does.
 */
static int
sort_string_cmp(const char *a, const char *b, bool cs)
{
	int	c;

	c = strcasecmp_utf8(a, b);
	if (c == 0 && cs)
		c = -strcmp(a, b);
	return (c);
}
