/*
 * format.c - Out-Default, Format-List, Format-Table and the text of values.
 *
 * The layouts are those of Windows PowerShell 5.1 on a 120-column buffer
 * (119 usable columns), blank lines included:
 *
 *   Format-List   "\n\n", then each object's "Label : value" lines and
 *                 one empty line, then "\n\n".  Labels are padded to the
 *                 longest label of that object; long values are
 *                 word-wrapped under the value column.
 *   Format-Table  "\n", header, dashes, rows, then "\n\n".  Every cell is
 *                 padded to its column width, the last one included.
 *
 * Column widths: 5.1 buffers table output for 300 ms and sizes the columns
 * on what it has; hubsh always has the whole pipeline by the time it
 * formats, so a table without explicit widths is sized over all its rows,
 * exactly as -AutoSize (and as 5.1 with a pipeline that completes within
 * the 300 ms).  Explicit widths (calculated properties with Width, and
 * the few built-in views that have them, such as the hashtable view) are
 * used as given, other columns sharing the rest of the screen.
 *
 * Out-Default locks its shape to the first object: a table for a view
 * that says so or for objects with at most four properties, else a list.
 * Objects of another type met later are written out of band as a list,
 * and scalars as plain lines, where they occur.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

enum fmt_align {
	FA_AUTO,
	FA_LEFT,
	FA_RIGHT,
	FA_CENTER
};

/* One resolved property selector: a list entry or a table column. */
struct fsel {
	char		*label;
	char		*name;		/* property to read or NULL */
	struct value	*script;	/* script block (borrowed) */
	int		 width;		/* explicit width or 0 */
	enum fmt_align	 align;
};

struct fsels {
	struct fsel	*v;
	size_t		 n;
};

/* The keys of a calculated property. */
struct fmt_calc {
	struct value	*expr;
	struct value	*label;
	int		 width;
	enum fmt_align	 align;
};

struct lines {
	char		**v;
	size_t		  n;
};

struct vlist {
	struct value	**v;
	size_t		  n;
};

/* A table row, or out-of-band text written between rows. */
struct titem {
	char		**cells;
	char		 *text;
};

struct ftable {
	struct fsels	 cols;
	int		*width;
	enum fmt_align	*align;
	struct titem	*items;
	size_t		 nitems;
};

/* A wildcard pattern, compiled to one token per character matched. */
enum wc_type {
	WC_LIT,
	WC_ONE,
	WC_STAR,
	WC_SET
};

struct wc_tok {
	enum wc_type	 type;
	uint32_t	 c;
	size_t		 set;		/* first range of a set */
	size_t		 nset;
};

struct wc_pat {
	struct wc_tok	*tok;
	size_t		 n;
	uint32_t	*lo;
	uint32_t	*hi;
	size_t		 nr;
};

static int	 fmt_screen(const struct shell *);
static void	 lines_add(struct lines *, char *);
static void	 lines_free(struct lines *);
static void	 fmt_split(const char *, struct lines *);
static void	 fmt_wrap_line(const char *, int, struct lines *);
static void	 fmt_wrap_word(struct buf *, const char *, int, int *,
		     struct lines *);
static void	 vlist_push(struct vlist *, struct value *);
static void	 vlist_free(struct vlist *);
static void	 fmt_expand(struct value *, struct vlist *);
static bool	 fmt_is_object(const struct value *);
static bool	 fmt_same_type(const struct value *, const struct value *);
static const struct prop *fmt_find_prop(const struct value *, const char *);
static int	 fmt_fixed_width(const char *, const char *,
		     enum fmt_align *);
static const char *fmt_script_text(const struct value *);
static void	 fsel_add(struct fsels *, const char *, const char *,
		     struct value *, int, enum fmt_align);
static void	 fsels_free(struct fsels *);
static void	 fmt_resolve(const struct value *, struct value *, bool,
		     struct fsels *);
static void	 fmt_resolve_default(const struct value *, bool,
		     struct fsels *);
static void	 fmt_resolve_name(const struct value *, const char *, bool,
		     struct fsels *);
static void	 fmt_calc_parse(struct value *, struct fmt_calc *);
static void	 fmt_resolve_hash(const struct value *, struct value *,
		     bool, struct fsels *);
static int	 fmt_hash_key(const char *);
static enum fmt_align fmt_parse_align(const struct value *);
static struct value *fmt_sel_value(struct shell *, const struct fsel *,
		     struct value *);
static char	*fmt_collection(const struct value *);
static char	*fmt_custom_text(const struct value *, int);
static void	 fmt_dates(struct buf *, struct value **, size_t);
static void	 fmt_scalar(struct buf *, const struct value *);
static void	 fmt_pad_label(struct buf *, const char *, int);
static void	 fmt_list_entry(struct buf *, const char *, const char *,
		     int, int);
static void	 fmt_list_object(struct shell *, struct buf *,
		     struct value *, struct value *, int);
static void	 fmt_list_run(struct shell *, struct buf *, struct value **,
		     size_t, struct value *);
static char	*fmt_table_text(const struct value *);
static char	**fmt_table_cells(struct shell *, struct ftable *,
		     struct value *, bool);
static void	 fmt_table_items(struct shell *, struct ftable *,
		     struct value **, size_t, bool, const struct value *, size_t);
static void	 fmt_table_widths(struct ftable *, bool, int);
static int	 fmt_table_total(const int *, size_t);
static void	 fmt_fit(int *, size_t, int);
static void	 fmt_field(struct buf *, const char *, int, enum fmt_align);
static void	 fmt_table_line(struct buf *, struct ftable *, char **);
static void	 fmt_table_render(struct buf *, struct ftable *, bool);
static void	 fmt_table_head(struct buf *, struct ftable *, bool);
static void	 fmt_error_record(struct shell *, struct buf *,
		     const struct value *);
static void	 fmt_table_rows(struct buf *, struct ftable *);
static void	 fmt_table_free(struct ftable *);
static void	 fmt_table_run(struct shell *, struct buf *, struct value **,
		     size_t, struct value *, bool, bool, bool);
static void	 fmt_context(struct shell *, struct buf *, struct value **,
		     size_t);
static uint32_t	 wc_fold(uint32_t, bool);
static void	 wc_add(struct wc_pat *, enum wc_type, uint32_t);
static size_t	 wc_set(struct wc_pat *, const uint32_t *, size_t, size_t);
static void	 wc_compile(struct wc_pat *, const char *);
static bool	 wc_tok_match(const struct wc_pat *, const struct wc_tok *,
		     uint32_t, bool);
static uint32_t	*wc_decode(const char *, size_t *);

/*
 * Column widths (and alignments) fixed by built-in views: the
 * hashtable's entries (their Name/Value view is dotnet.c's), Group-Object's
 * groups, and type objects ([string] alone).
 */
static const struct {
	const char	*type_name;
	const char	*column;
	int		 width;
	enum fmt_align	 align;
} fmt_widths[] = {
	{ "System.Collections.DictionaryEntry", "Name", 30, FA_LEFT },
	{ "Microsoft.PowerShell.Commands.GroupInfo", "Count", 5, FA_RIGHT },
	{ "Microsoft.PowerShell.Commands.GroupInfo", "Name", 25, FA_LEFT },
	{ "Microsoft.PowerShell.Commands.GroupInfoNoElement", "Count", 5,
	    FA_RIGHT },
	{ "Microsoft.PowerShell.Commands.GroupInfoNoElement", "Name", 25,
	    FA_LEFT },
	{ "System.RuntimeType", "IsPublic", 8, FA_LEFT },
	{ "System.RuntimeType", "IsSerial", 8, FA_LEFT },
	{ "System.RuntimeType", "Name", 40, FA_LEFT },
};

/* Nested custom objects shown in "@{...}" text, at most. */
#define FMT_CUSTOM_DEPTH	8

/* Keys of a calculated property, matched by unique prefix. */
enum {
	HK_EXPRESSION,
	HK_LABEL,
	HK_NAME,
	HK_WIDTH,
	HK_ALIGNMENT,
	HK_FORMATSTRING
};
static const char *const fmt_hash_keys[] = {
	"Expression", "Label", "Name", "Width", "Alignment", "FormatString",
	NULL
};

/* Usable columns: the buffer width less one. */
static int
fmt_screen(const struct shell *sh)
{
	if (sh == NULL || sh->width < 8)
		return (SHELL_WIDTH - 1);
	return (sh->width - 1);
}

static void
lines_add(struct lines *l, char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = s;
}

static void
lines_free(struct lines *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Split on LF, dropping CRs, as the 5.1 line writers do. */
static void
fmt_split(const char *s, struct lines *out)
{
	struct buf	b;

	buf_init(&b);
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			lines_add(out, buf_detach(&b));
		else if (*s != '\r')
			buf_addc(&b, *s);
	}
	lines_add(out, buf_detach(&b));
	buf_free(&b);
}

/*
 * Word-wrap one line (no LF) to width cells, the 5.1 way: words end at a
 * space, tab or soft hyphen and keep it; a word that does not fit starts
 * a new line; a word longer than a whole line is broken by character,
 * starting on the current line.
 */
static void
fmt_wrap_line(const char *s, int width, struct lines *out)
{
	struct buf	 cur, word;
	int		 room = width;
	size_t		 len = strlen(s), i = 0, n;
	uint32_t	 c;

	if (width < 1)
		width = room = 1;
	if ((int)utf8_width(s) <= width) {
		lines_add(out, xstrdup(s));
		return;
	}
	buf_init(&cur);
	buf_init(&word);
	while (i < len) {
		n = utf8_decode(s + i, len - i, &c);
		if (c == 0xad) {
			if ((int)utf8_width(word.s) + 1 == room)
				buf_addc(&word, '-');
		} else
			buf_add(&word, s + i, n);
		i += n;
		if (c == ' ' || c == '\t' || c == 0xad) {
			fmt_wrap_word(&cur, word.s, width, &room, out);
			buf_reset(&word);
		}
	}
	fmt_wrap_word(&cur, word.s, width, &room, out);
	lines_add(out, buf_detach(&cur));
	buf_free(&cur);
	buf_free(&word);
}

static void
fmt_wrap_word(struct buf *cur, const char *word, int width, int *room,
    struct lines *out)
{
	int		 w = (int)utf8_width(word);
	size_t		 len = strlen(word), i, n;
	uint32_t	 c;

	if (w <= *room) {
		buf_adds(cur, word);
		*room -= w;
	} else if (w <= width) {
		lines_add(out, buf_detach(cur));
		buf_adds(cur, word);
		*room = width - w;
	} else {
		for (i = 0; i < len; i += n) {
			n = utf8_decode(word + i, len - i, &c);
			if (*room < 1) {
				lines_add(out, buf_detach(cur));
				*room = width;
			}
			buf_add(cur, word + i, n);
			(*room)--;
		}
	}
}

/* Word-wrap text to width cells; every line of the result ends in LF. */
char *
format_wrap(const char *text, int width)
{
	struct lines	 in = { NULL, 0 }, out = { NULL, 0 };
	struct buf	 b;
	size_t		 i;
	char		*s;

	fmt_split(text, &in);
	for (i = 0; i < in.n; i++)
		fmt_wrap_line(in.v[i], width, &out);
	buf_init(&b);
	for (i = 0; i < out.n; i++) {
		buf_adds(&b, out.v[i]);
		buf_addc(&b, '\n');
	}
	lines_free(&in);
	lines_free(&out);
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

static void
vlist_push(struct vlist *l, struct value *v)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = v;
}

static void
vlist_free(struct vlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		value_unref(l->v[i]);
	free(l->v);
}

/*
 * What the formatter sees: arrays and lists are enumerated, hashtables
 * become their entries (Name, Key, Value), a TimeSpan the object of its
 * properties (dotnet_display).
 */
static void
fmt_expand(struct value *v, struct vlist *out)
{
	struct value	*o;
	size_t		 i;

	if (v == NULL)
		return;
	if (v->type == V_ARRAY) {
		for (i = 0; i < v->u.arr.n; i++)
			fmt_expand(v->u.arr.v[i], out);
		return;
	}
	if (v->type != V_HASH) {
		o = dotnet_display(v, false);
		vlist_push(out, o != NULL ? o : value_ref(v));
		return;
	}
	for (i = 0; i < v->u.hash.n; i++)
		vlist_push(out, dotnet_dict_entry(v->u.hash.e[i].key,
		    v->u.hash.e[i].val));
}

static bool
fmt_is_object(const struct value *v)
{
	return (v->type == V_OBJECT);
}

static bool
fmt_same_type(const struct value *a, const struct value *b)
{
	return (strcmp(a->u.obj->type_name, b->u.obj->type_name) == 0);
}

/* A property by name, without case. */
static const struct prop *
fmt_find_prop(const struct value *v, const char *name)
{
	size_t	i;

	if (v == NULL || v->type != V_OBJECT)
		return (NULL);
	for (i = 0; i < v->u.obj->nprops; i++) {
		if (strcasecmp_utf8(v->u.obj->props[i].name, name) == 0)
			return (&v->u.obj->props[i]);
	}
	return (NULL);
}

/* A view's width of a column (0: none), and its alignment in *align. */
static int
fmt_fixed_width(const char *type_name, const char *column,
    enum fmt_align *align)
{
	size_t	i;

	for (i = 0; i < sizeof fmt_widths / sizeof fmt_widths[0]; i++) {
		if (strcmp(fmt_widths[i].type_name, type_name) == 0 &&
		    strcasecmp_utf8(fmt_widths[i].column, column) == 0) {
			*align = fmt_widths[i].align;
			return (fmt_widths[i].width);
		}
	}
	return (0);
}

/* The source text between a script block's braces. */
static const char *
fmt_script_text(const struct value *v)
{
	if (v->u.script.body == NULL || v->u.script.body->str == NULL)
		return ("");
	return (v->u.script.body->str);
}

static void
fsel_add(struct fsels *s, const char *label, const char *name,
    struct value *script, int width, enum fmt_align align)
{
	struct fsel	*f;

	s->v = xreallocarray(s->v, s->n + 1, sizeof *s->v);
	f = &s->v[s->n++];
	f->label = xstrdup(label);
	f->name = name != NULL ? xstrdup(name) : NULL;
	f->script = script;
	f->width = width;
	f->align = align;
}

static void
fsels_free(struct fsels *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].label);
		free(s->v[i].name);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/*
 * Resolve the selectors against an object.  A name that does not exist is
 * dropped from a list but kept as an empty column in a table.
 */
static void
fmt_resolve(const struct value *obj, struct value *props, bool table,
    struct fsels *out)
{
	struct value	*sel;
	char		*name;
	size_t		 i, n;

	if (props == NULL || props->type == V_NULL) {
		fmt_resolve_default(obj, table, out);
		return;
	}
	n = value_count(props);
	for (i = 0; i < n; i++) {
		sel = value_item(props, i);
		if (sel->type == V_SCRIPT)
			fsel_add(out, fmt_script_text(sel), NULL, sel, 0,
			    FA_AUTO);
		else if (sel->type == V_HASH)
			fmt_resolve_hash(obj, sel, table, out);
		else if (sel->type != V_NULL) {
			name = value_to_string(sel);
			fmt_resolve_name(obj, name, table, out);
			free(name);
		}
	}
}

/*
 * The view's columns or curated list, else every property in order.  A
 * view's columns are left-aligned unless it says otherwise; only
 * generated columns take their alignment from the first value.
 */
static void
fmt_resolve_default(const struct value *obj, bool table, struct fsels *out)
{
	const struct object	*o = obj->u.obj;
	const char *const	*names = NULL;
	const struct prop	*p;
	const char		*label;
	enum fmt_align		 align;
	size_t			 i;
	int			 w;

	if (o->view != NULL)
		names = table ? o->view->table : o->view->list;
	if (names == NULL) {
		for (i = 0; i < o->nprops; i++) {
			label = o->props[i].name;
			w = fmt_fixed_width(o->type_name, label, &align);
			fsel_add(out, label, label, NULL, w, FA_AUTO);
		}
		return;
	}
	for (; *names != NULL; names++) {
		p = fmt_find_prop(obj, *names);
		if (p == NULL && !table)
			continue;
		label = p != NULL ? p->name : *names;
		align = FA_LEFT;
		w = fmt_fixed_width(o->type_name, label, &align);
		fsel_add(out, label, label, NULL, w, align);
	}
}

/* A name or a wildcard; a wildcard lists matches once, in object order. */
static void
fmt_resolve_name(const struct value *obj, const char *name, bool table,
    struct fsels *out)
{
	const struct prop	*p;
	size_t			 first = out->n, i, j;

	if (!has_wildcard(name)) {
		if ((p = fmt_find_prop(obj, name)) != NULL)
			fsel_add(out, p->name, p->name, NULL, 0, FA_AUTO);
		else if (table)
			fsel_add(out, name, name, NULL, 0, FA_AUTO);
		return;
	}
	for (i = 0; i < obj->u.obj->nprops; i++) {
		p = &obj->u.obj->props[i];
		if (!wildcard_match(name, p->name, false))
			continue;
		for (j = first; j < out->n; j++) {
			if (strcasecmp_utf8(out->v[j].name, p->name) == 0)
				break;
		}
		if (j == out->n)
			fsel_add(out, p->name, p->name, NULL, 0, FA_AUTO);
	}
}

/* The keys of a calculated property, borrowed from its hashtable. */
static void
fmt_calc_parse(struct value *h, struct fmt_calc *c)
{
	struct value	*v;
	char		*key;
	double		 d;
	int64_t		 i64;
	bool		 is_int;
	size_t		 i;

	memset(c, 0, sizeof *c);
	c->align = FA_AUTO;
	for (i = 0; i < h->u.hash.n; i++) {
		v = h->u.hash.e[i].val;
		key = value_to_string(h->u.hash.e[i].key);
		switch (fmt_hash_key(key)) {
		case HK_EXPRESSION:
			c->expr = v;
			break;
		case HK_LABEL:
		case HK_NAME:
			c->label = v;
			break;
		case HK_WIDTH:
			if (value_to_number(v, &d, &i64, &is_int) && d >= 1)
				c->width = d > 1000 ? 1000 : (int)d;
			break;
		case HK_ALIGNMENT:
			c->align = fmt_parse_align(v);
			break;
		}
		free(key);
	}
}

/* A calculated property: @{Label=...; Expression=...; Width=...}. */
static void
fmt_resolve_hash(const struct value *obj, struct value *h, bool table,
    struct fsels *out)
{
	const struct prop	*p;
	struct fmt_calc		 c;
	char			*lbl, *name;

	fmt_calc_parse(h, &c);
	if (c.expr == NULL)
		return;
	lbl = c.label != NULL ? value_to_string(c.label) : NULL;
	if (c.expr->type == V_SCRIPT) {
		fsel_add(out, lbl != NULL ? lbl : fmt_script_text(c.expr), NULL,
		    c.expr, c.width, c.align);
	} else {
		name = value_to_string(c.expr);
		if ((p = fmt_find_prop(obj, name)) != NULL) {
			free(name);
			name = xstrdup(p->name);
		}
		if (p != NULL || table)
			fsel_add(out, lbl != NULL ? lbl : name, name, NULL,
			    c.width, c.align);
		free(name);
	}
	free(lbl);
}

/* Index of a calculated-property key by unique prefix, or -1. */
static int
fmt_hash_key(const char *key)
{
	size_t	len = strlen(key), i;
	int	found = -1;

	if (len == 0)
		return (-1);
	for (i = 0; fmt_hash_keys[i] != NULL; i++) {
		if (strcasecmp_utf8(fmt_hash_keys[i], key) == 0)
			return ((int)i);
		if (strlen(fmt_hash_keys[i]) > len &&
		    strncasecmp(fmt_hash_keys[i], key, len) == 0) {
			if (found != -1)
				return (-1);
			found = (int)i;
		}
	}
	return (found);
}

static enum fmt_align
fmt_parse_align(const struct value *v)
{
	static const char *const names[] = { "Left", "Right", "Center" };
	static const enum fmt_align aligns[] = { FA_LEFT, FA_RIGHT,
	    FA_CENTER };
	enum fmt_align	 a = FA_AUTO;
	char		*s;
	size_t		 i, len;

	s = value_to_string(v);
	len = strlen(s);
	for (i = 0; i < 3 && len > 0; i++) {
		if (strncasecmp(names[i], s, len) == 0)
			a = aligns[i];
	}
	free(s);
	return (a);
}

/* The value of a selector for an object; the caller unrefs it. */
static struct value *
fmt_sel_value(struct shell *sh, const struct fsel *f, struct value *obj)
{
	const struct prop	*p;
	struct value		*v;

	if (f->script != NULL) {
		if (sh == NULL)
			return (value_null());
		v = shell_eval_script(sh, f->script, obj);
		return (v != NULL ? v : value_null());
	}
	if (f->name != NULL && (p = fmt_find_prop(obj, f->name)) != NULL)
		return (value_ref(p->val));
	return (value_null());
}

/* "{a, b, c}", at most $FormatEnumerationLimit items then "...". */
static char *
fmt_collection(const struct value *v)
{
	struct buf	 b;
	struct value	*e;
	char		*s;
	size_t		 i;

	buf_init(&b);
	buf_addc(&b, '{');
	for (i = 0; i < v->u.arr.n; i++) {
		if (i == SHELL_ENUM_LIMIT) {
			buf_adds(&b, "...");
			break;
		}
		if (i > 0)
			buf_adds(&b, ", ");
		e = v->u.arr.v[i];
		if (e->type == V_ARRAY)
			buf_adds(&b, value_type_name(e));
		else {
			s = format_cell(e);
			buf_adds(&b, s);
			free(s);
		}
	}
	buf_addc(&b, '}');
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

/*
 * A PSCustomObject: New-Object PSObject's, Select-Object's ("Selected.")
 * and Import-Csv's ("CSV:").
 */
bool
format_is_custom(const struct value *v)
{
	const char	*t;

	if (v->type != V_OBJECT || v->u.obj->text != NULL)
		return (false);
	t = v->u.obj->type_name;
	return (strcmp(t, PSOBJECT_TYPE) == 0 ||
	    strncmp(t, "Selected.", 9) == 0 || strncmp(t, "CSV:", 4) == 0);
}

/*
 * A PSCustomObject's text, "@{Name=value; ...}" as PowerShell shows one
 * inside a collection or a string: each value's ToString(), a collection
 * its type name.  Deeper than FMT_CUSTOM_DEPTH, the type name.
 */
static char *
fmt_custom_text(const struct value *v, int depth)
{
	const struct value	*pv;
	struct buf		 b;
	char			*s;
	size_t			 i;

	if (depth >= FMT_CUSTOM_DEPTH)
		return (xstrdup(v->u.obj->type_name));
	buf_init(&b);
	buf_adds(&b, "@{");
	for (i = 0; i < v->u.obj->nprops; i++) {
		pv = v->u.obj->props[i].val;
		buf_addf(&b, "%s%s=", i > 0 ? "; " : "",
		    v->u.obj->props[i].name);
		if (pv->type == V_ARRAY || pv->type == V_HASH)
			s = xstrdup(value_type_name(pv));
		else if (format_is_custom(pv))
			s = fmt_custom_text(pv, depth + 1);
		else
			s = format_cell(pv);
		buf_adds(&b, s);
		free(s);
	}
	buf_addc(&b, '}');
	return (buf_detach(&b));
}

char *
format_cell(const struct value *v)
{
	if (v == NULL)
		return (xstrdup(""));
	switch (v->type) {
	case V_NULL:
		return (xstrdup(""));
	case V_ARRAY:
		return (fmt_collection(v));
	case V_HASH:
		return (xstrdup("System.Collections.Hashtable"));
	case V_OBJECT:
		if (v->u.obj->text != NULL)
			return (xstrdup(v->u.obj->text));
		if (format_is_custom(v))
			return (fmt_custom_text(v, 0));
		return (xstrdup(v->u.obj->type_name));
	case V_SCRIPT:
		return (xstrdup(fmt_script_text(v)));
	case V_DATE:
		/* en-US, local time: 7/9/2012 10:15:03 AM. */
		return (date_format(v->u.date, "G"));
	case V_FORMAT:
		return (xstrdup(v->u.fmt.text));
	default:
		return (value_to_string(v));
	}
}

/* A scalar on its own line; $null prints nothing. */
static void
fmt_scalar(struct buf *b, const struct value *v)
{
	char	*s;

	if (v->type == V_NULL)
		return;
	if (v->type == V_FORMAT) {
		buf_adds(b, v->u.fmt.text);
		return;
	}
	s = format_cell(v);
	buf_adds(b, s);
	buf_addc(b, '\n');
	free(s);
}

/* A label cut or padded to width cells. */
static void
fmt_pad_label(struct buf *b, const char *label, int width)
{
	int	w = (int)utf8_width(label);

	if (w > width) {
		buf_add(b, label, utf8_offset(label, (size_t)width));
		return;
	}
	buf_adds(b, label);
	buf_pad(b, ' ', (size_t)(width - w));
}

/* One "Label : value" entry, value lines wrapped under the value column. */
static void
fmt_list_entry(struct buf *b, const char *label, const char *text, int lw,
    int screen)
{
	struct lines	in = { NULL, 0 }, out;
	size_t		i, j;

	fmt_pad_label(b, label, lw);
	buf_adds(b, " : ");
	fmt_split(text, &in);
	for (i = 0; i < in.n; i++) {
		out.v = NULL;
		out.n = 0;
		fmt_wrap_line(in.v[i], screen - (lw + 3), &out);
		for (j = 0; j < out.n; j++) {
			if (i > 0 || j > 0)
				buf_pad(b, ' ', (size_t)lw + 3);
			buf_adds(b, out.v[j]);
			buf_addc(b, '\n');
		}
		lines_free(&out);
	}
	lines_free(&in);
}

/* The entries of one object; the label width is this object's own. */
static void
fmt_list_object(struct shell *sh, struct buf *b, struct value *obj,
    struct value *props, int screen)
{
	struct fsels	 sels = { NULL, 0 };
	struct value	*v;
	char		*text;
	size_t		 i;
	int		 lw = 0, w;

	fmt_resolve(obj, props, false, &sels);
	for (i = 0; i < sels.n; i++) {
		w = (int)utf8_width(sels.v[i].label);
		if (w > lw)
			lw = w;
	}
	if (lw > screen - 4)
		lw = screen - 4;
	for (i = 0; i < sels.n; i++) {
		v = fmt_sel_value(sh, &sels.v[i], obj);
		text = format_cell(v);
		value_unref(v);
		fmt_list_entry(b, sels.v[i].label, text, lw, screen);
		free(text);
	}
	fsels_free(&sels);
}

/* 2 blank lines, each object and a blank line, 2 more blank lines. */
static void
fmt_list_run(struct shell *sh, struct buf *b, struct value **v, size_t n,
    struct value *props)
{
	struct buf	body;
	size_t		i;

	buf_init(&body);
	for (i = 0; i < n; i++) {
		if (fmt_is_object(v[i])) {
			fmt_list_object(sh, &body, v[i], props,
			    fmt_screen(sh));
			buf_addc(&body, '\n');
		} else
			fmt_scalar(&body, v[i]);
	}
	if (body.len > 0) {
		buf_adds(b, "\n\n");
		buf_add(b, body.s, body.len);
		buf_adds(b, "\n\n");
	}
	buf_free(&body);
}

char *
format_list(struct shell *sh, struct value **vals, size_t n,
    struct value *props)
{
	struct vlist	 l = { NULL, 0 };
	struct buf	 b;
	char		*s;
	size_t		 i;

	for (i = 0; i < n; i++)
		fmt_expand(vals[i], &l);
	buf_init(&b);
	fmt_list_run(sh, &b, l.v, l.n, props);
	vlist_free(&l);
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

/* A cell's text: cut at the first line break, which becomes "...". */
static char *
fmt_table_text(const struct value *v)
{
	char	*s;
	size_t	 n;

	s = format_cell(v);
	n = strcspn(s, "\r\n");
	if (s[n] != '\0') {
		s[n] = '\0';
		s = xrealloc(s, n + 4);
		memcpy(s + n, "...", 4);
	}
	return (s);
}

/* The cells of one row; the first row decides automatic alignment. */
static char **
fmt_table_cells(struct shell *sh, struct ftable *t, struct value *obj,
    bool first)
{
	struct value	*v;
	char		**cells;
	size_t		 i;

	cells = xcalloc(t->cols.n, sizeof *cells);
	for (i = 0; i < t->cols.n; i++) {
		v = fmt_sel_value(sh, &t->cols.v[i], obj);
		cells[i] = fmt_table_text(v);
		if (first && t->align[i] == FA_AUTO) {
			switch (v->type) {
			case V_INT:
			case V_DOUBLE:
			case V_BOOL:
			case V_SECURE:
				t->align[i] = FA_RIGHT;
				break;
			default:
				t->align[i] = FA_LEFT;
				break;
			}
		}
		value_unref(v);
	}
	return (cells);
}

/*
 * Rows for the objects, in order.  With oob (Out-Default), objects of
 * another type than the first are written out of band as lists.
 */
static void
fmt_table_items(struct shell *sh, struct ftable *t, struct value **v,
    size_t n, bool oob, const struct value *shape, size_t first)
{
	struct titem	*it;
	struct buf	 b;
	size_t		 i;

	t->items = xcalloc(n, sizeof *t->items);
	for (i = 0; i < n; i++) {
		it = &t->items[t->nitems];
		if (v[i]->type == V_NULL)
			continue;
		t->nitems++;
		buf_init(&b);
		if (!fmt_is_object(v[i]))
			fmt_scalar(&b, v[i]);
		else if (oob && !fmt_same_type(v[i], shape)) {
			buf_addc(&b, '\n');
			fmt_list_object(sh, &b, v[i], NULL, fmt_screen(sh));
			buf_addc(&b, '\n');
		} else {
			it->cells = fmt_table_cells(sh, t, v[i], i == first);
			buf_free(&b);
			continue;
		}
		it->text = buf_detach(&b);
		buf_free(&b);
	}
}

/*
 * Explicit widths are used as given unless -AutoSize; otherwise a column
 * is as wide as its label or its widest cell.
 */
static void
fmt_table_widths(struct ftable *t, bool autosize, int screen)
{
	size_t	i, j;
	bool	fixed = false;
	int	w;

	for (i = 0; i < t->cols.n; i++) {
		if (t->cols.v[i].width > 0)
			fixed = true;
	}
	for (i = 0; i < t->cols.n; i++) {
		if (fixed && !autosize) {
			t->width[i] = t->cols.v[i].width;
			continue;
		}
		t->width[i] = (int)utf8_width(t->cols.v[i].label);
		for (j = 0; j < t->nitems; j++) {
			if (t->items[j].cells == NULL)
				continue;
			w = (int)utf8_width(t->items[j].cells[i]);
			if (w > t->width[i])
				t->width[i] = w;
		}
		if (t->width[i] < 1)
			t->width[i] = 1;
	}
	fmt_fit(t->width, t->cols.n, screen);
}

/* Width of the visible columns and the separators between them. */
static int
fmt_table_total(const int *w, size_t n)
{
	size_t	i;
	int	total = 0, visible = 0;

	for (i = 0; i < n; i++) {
		if (w[i] > 0) {
			total += w[i];
			visible++;
		}
	}
	return (visible > 0 ? total + visible - 1 : 0);
}

/*
 * ColumnWidthManager: columns without a width get one cell, then the
 * spare width round-robin; a table too wide loses width from its last
 * visible column, which is hidden when it would drop below one cell.
 */
static void
fmt_fit(int *w, size_t n, int screen)
{
	bool	*open;
	size_t	 i, nopen = 0;
	int	 avail, last;

	open = xcalloc(n, sizeof *open);
	for (i = 0; i < n; i++) {
		if (w[i] <= 0) {
			open[i] = true;
			w[i] = 1;
			nopen++;
		}
	}
	avail = screen - fmt_table_total(w, n);
	for (i = 0; nopen > 0 && avail > 0; i = (i + 1) % n) {
		if (open[i]) {
			w[i]++;
			avail--;
		}
	}
	free(open);
	while ((avail = fmt_table_total(w, n) - screen) > 0) {
		for (last = (int)n - 1; last >= 0 && w[last] <= 0; last--)
			;
		if (last < 0)
			break;
		w[last] = avail < w[last] ? w[last] - avail : 0;
	}
}

/* A cell padded (or cut, with "...") to width, aligned. */
static void
fmt_field(struct buf *b, const char *s, int width, enum fmt_align align)
{
	int	w = (int)utf8_width(s), pad, keep;

	if (w <= width) {
		pad = width - w;
		if (align == FA_RIGHT)
			buf_pad(b, ' ', (size_t)pad);
		else if (align == FA_CENTER)
			buf_pad(b, ' ', (size_t)(pad / 2));
		buf_adds(b, s);
		if (align == FA_CENTER)
			buf_pad(b, ' ', (size_t)(pad - pad / 2));
		else if (align != FA_RIGHT)
			buf_pad(b, ' ', (size_t)pad);
		return;
	}
	keep = width > 3 ? width - 3 : width;
	if (align == FA_RIGHT) {
		if (width > 3)
			buf_adds(b, "...");
		buf_adds(b, s + utf8_offset(s, (size_t)(w - keep)));
		return;
	}
	buf_add(b, s, utf8_offset(s, (size_t)keep));
	if (width > 3)
		buf_adds(b, "...");
}

static void
fmt_table_line(struct buf *b, struct ftable *t, char **cells)
{
	size_t	i;
	bool	any = false;

	for (i = 0; i < t->cols.n; i++) {
		if (t->width[i] <= 0)
			continue;
		if (any)
			buf_addc(b, ' ');
		fmt_field(b, cells[i], t->width[i], t->align[i]);
		any = true;
	}
	buf_addc(b, '\n');
}

/* "\n", header and dashes, the rows, "\n\n". */
static void
fmt_table_render(struct buf *b, struct ftable *t, bool hide_headers)
{
	fmt_table_head(b, t, hide_headers);
	fmt_table_rows(b, t);
	buf_adds(b, "\n\n");
}

/* The blank line and the header of a table. */
static void
fmt_table_head(struct buf *b, struct ftable *t, bool hide_headers)
{
	char	**row;
	size_t	 i;
	int	 w;

	buf_addc(b, '\n');
	if (!hide_headers) {
		row = xcalloc(t->cols.n, sizeof *row);
		for (i = 0; i < t->cols.n; i++)
			row[i] = t->cols.v[i].label;
		fmt_table_line(b, t, row);
		for (i = 0; i < t->cols.n; i++) {
			w = (int)utf8_width(t->cols.v[i].label);
			if (w == 0 || w > t->width[i])
				w = t->width[i];
			if (w < 0)
				w = 0;
			row[i] = xmalloc((size_t)w + 1);
			memset(row[i], '-', (size_t)w);
			row[i][w] = '\0';
		}
		fmt_table_line(b, t, row);
		for (i = 0; i < t->cols.n; i++)
			free(row[i]);
		free(row);
	}
}

/* A table's rows, and the objects shown out of band between them. */
static void
fmt_table_rows(struct buf *b, struct ftable *t)
{
	size_t	i;

	for (i = 0; i < t->nitems; i++) {
		if (t->items[i].cells != NULL)
			fmt_table_line(b, t, t->items[i].cells);
		else
			buf_adds(b, t->items[i].text);
	}
}

static void
fmt_table_free(struct ftable *t)
{
	size_t	i, j;

	for (i = 0; i < t->nitems; i++) {
		if (t->items[i].cells != NULL) {
			for (j = 0; j < t->cols.n; j++)
				free(t->items[i].cells[j]);
			free(t->items[i].cells);
		}
		free(t->items[i].text);
	}
	free(t->items);
	free(t->width);
	free(t->align);
	fsels_free(&t->cols);
}

/* A table whose columns are fixed by the first object. */
static void
fmt_table_run(struct shell *sh, struct buf *b, struct value **v, size_t n,
    struct value *props, bool autosize, bool hide_headers, bool oob)
{
	struct ftable	t;
	size_t		i, first;

	for (first = 0; first < n && !fmt_is_object(v[first]); first++)
		;
	if (first == n) {
		for (i = 0; i < n; i++)
			fmt_scalar(b, v[i]);
		return;
	}
	memset(&t, 0, sizeof t);
	fmt_resolve(v[first], props, true, &t.cols);
	if (t.cols.n == 0) {
		fsels_free(&t.cols);
		return;
	}
	t.width = xcalloc(t.cols.n, sizeof *t.width);
	t.align = xcalloc(t.cols.n, sizeof *t.align);
	for (i = 0; i < t.cols.n; i++)
		t.align[i] = t.cols.v[i].align;
	fmt_table_items(sh, &t, v, n, oob, v[first], first);
	fmt_table_widths(&t, autosize, fmt_screen(sh));
	fmt_table_render(b, &t, hide_headers);
	fmt_table_free(&t);
}

char *
format_table(struct shell *sh, struct value **vals, size_t n,
    struct value *props, bool autosize, bool hide_headers)
{
	struct vlist	 l = { NULL, 0 };
	struct buf	 b;
	char		*s;
	size_t		 i;

	for (i = 0; i < n; i++)
		fmt_expand(vals[i], &l);
	buf_init(&b);
	fmt_table_run(sh, &b, l.v, l.n, props, autosize, hide_headers,
	    false);
	vlist_free(&l);
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

/*
 * Out-Default from the first object up to the next formatter output: the
 * first object chooses table or list for all of it.
 */
static void
fmt_context(struct shell *sh, struct buf *b, struct value **vals, size_t n)
{
	struct vlist		 l = { NULL, 0 };
	const struct object	*o;
	size_t			 i;
	bool			 table;

	for (i = 0; i < n; i++)
		fmt_expand(vals[i], &l);
	for (i = 0; i < l.n && !fmt_is_object(l.v[i]); i++)
		fmt_scalar(b, l.v[i]);
	if (i < l.n) {
		o = l.v[i]->u.obj;
		if (o->view != NULL)
			table = o->view->shape == SHAPE_TABLE;
		else
			table = o->nprops <= 4;
		if (table)
			fmt_table_run(sh, b, l.v + i, l.n - i, NULL, false,
			    false, true);
		else
			fmt_list_run(sh, b, l.v + i, l.n - i, NULL);
	}
	vlist_free(&l);
}

/*
 * Dates on their own: DateTime's view, the long date and time (en-US)
 * one per line, a blank line before them and two after.
 */
static void
fmt_dates(struct buf *b, struct value **vals, size_t n)
{
	char	*s;
	size_t	 i;

	buf_addc(b, '\n');
	for (i = 0; i < n; i++) {
		s = date_format(vals[i]->u.date,
		    "dddd, MMMM d, yyyy h:mm:ss tt");
		buf_adds(b, s);
		buf_addc(b, '\n');
		free(s);
	}
	buf_adds(b, "\n\n");
}

char *
format_default(struct shell *sh, struct value **vals, size_t n)
{
	struct buf	 b;
	char		*s;
	size_t		 i, j;

	buf_init(&b);
	for (i = 0; i < n; i = j) {
		j = i + 1;
		if (vals[i]->type == V_DATE) {
			while (j < n && vals[j]->type == V_DATE)
				j++;
			fmt_dates(&b, vals + i, j - i);
			continue;
		}
		if (vals[i]->type != V_OBJECT && vals[i]->type != V_HASH &&
		    vals[i]->type != V_ARRAY && vals[i]->type != V_TIMESPAN) {
			fmt_scalar(&b, vals[i]);
			continue;
		}
		if (vals[i]->type == V_OBJECT && vals[i]->u.obj->err != NULL) {
			fmt_error_record(sh, &b, vals[i]);
			continue;
		}
		while (j < n && vals[j]->type != V_FORMAT)
			j++;
		fmt_context(sh, &b, vals + i, j - i);
	}
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

/* An ErrorRecord in the output shows as the error it holds. */
static void
fmt_error_record(struct shell *sh, struct buf *b, const struct value *v)
{
	char	*text;

	text = errrec_render(v->u.obj->err, fmt_screen(sh) + 1);
	buf_adds(b, text);
	free(text);
}

/*
 * Out-Default for a whole script or command line: one formatter for the
 * output of every statement, as in PowerShell.  The first object chooses
 * the shape (its view, else a table for four properties or fewer); the
 * objects of its type that follow, from any later statement, go on in
 * that shape, a table under one header; an object of another type is
 * shown out of band as a list, strings and numbers as their text.
 *
 * PowerShell sizes a table's columns on the rows that arrive in its
 * first 300 ms.  hubsh holds a table's rows instead until something else
 * is written (other output, an error, a warning, Write-Host, a prompt,
 * Start-Sleep; shell_flush) or the script ends, and sizes the columns
 * on them: the same table for a script's quick run of New-SendConnector
 * lines, with no dependence on timing.  Rows after that keep the widths.
 */
struct fmt_stream {
	struct value	*shape;		/* the object that chose it */
	bool		 dates;		/* DateTime's view: one long date a line */
	bool		 table;
	bool		 sized;		/* header written, widths fixed */
	struct ftable	 t;		/* table: columns, widths, held rows */
	size_t		 cap;		/* allocated t.items */
};

static void
stream_hold(struct fmt_stream *st, char **cells, char *text)
{
	if (st->t.nitems == st->cap) {
		st->cap = st->cap == 0 ? 16 : st->cap * 2;
		st->t.items = xreallocarray(st->t.items, st->cap,
		    sizeof *st->t.items);
	}
	st->t.items[st->t.nitems].cells = cells;
	st->t.items[st->t.nitems].text = text;
	st->t.nitems++;
}

/* Write the rows a table holds, its header first if not yet written. */
static void
stream_flush(struct shell *sh, struct fmt_stream *st, struct buf *b)
{
	size_t	i, j;

	if (st->shape == NULL || !st->table || st->t.nitems == 0)
		return;
	if (!st->sized) {
		fmt_table_widths(&st->t, false, fmt_screen(sh));
		fmt_table_head(b, &st->t, false);
		st->sized = true;
	}
	fmt_table_rows(b, &st->t);
	for (i = 0; i < st->t.nitems; i++) {
		if (st->t.items[i].cells != NULL) {
			for (j = 0; j < st->t.cols.n; j++)
				free(st->t.items[i].cells[j]);
			free(st->t.items[i].cells);
		}
		free(st->t.items[i].text);
	}
	free(st->t.items);
	st->t.items = NULL;
	st->t.nitems = 0;
	st->cap = 0;
}

static void
stream_close(struct shell *sh, struct fmt_stream *st, struct buf *b)
{
	if (st->dates) {
		buf_adds(b, "\n\n");
		st->dates = false;
		return;
	}
	if (st->shape == NULL)
		return;
	stream_flush(sh, st, b);
	buf_adds(b, "\n\n");
	value_unref(st->shape);
	if (st->table)
		fmt_table_free(&st->t);
	memset(st, 0, sizeof *st);
}

/* The first object: choose the shape and a table's columns. */
static void
stream_open(struct fmt_stream *st, struct buf *b, struct value *first)
{
	const struct object	*o = first->u.obj;
	size_t			 i;

	st->shape = value_ref(first);
	st->table = o->view != NULL ? o->view->shape == SHAPE_TABLE :
	    o->nprops <= 4;
	if (st->table) {
		memset(&st->t, 0, sizeof st->t);
		fmt_resolve(first, NULL, true, &st->t.cols);
		st->table = st->t.cols.n > 0;
	}
	if (!st->table) {
		fsels_free(&st->t.cols);
		buf_adds(b, "\n\n");
		return;
	}
	st->t.width = xcalloc(st->t.cols.n, sizeof *st->t.width);
	st->t.align = xcalloc(st->t.cols.n, sizeof *st->t.align);
	for (i = 0; i < st->t.cols.n; i++)
		st->t.align[i] = st->t.cols.v[i].align;
}

/* One object of the stream. */
static void
stream_object(struct shell *sh, struct fmt_stream *st, struct buf *b,
    struct value *v)
{
	struct buf	oob;

	if (st->shape == NULL)
		stream_open(st, b, v);
	if (!st->table) {
		fmt_list_object(sh, b, v, NULL, fmt_screen(sh));
		buf_addc(b, '\n');
		return;
	}
	if (fmt_same_type(v, st->shape)) {
		stream_hold(st, fmt_table_cells(sh, &st->t, v, !st->sized &&
		    st->t.nitems == 0), NULL);
		return;
	}
	buf_init(&oob);
	buf_addc(&oob, '\n');
	fmt_list_object(sh, &oob, v, NULL, fmt_screen(sh));
	buf_addc(&oob, '\n');
	if (st->sized)
		stream_flush(sh, st, b);
	if (st->sized)
		buf_add(b, oob.s, oob.len);
	else
		stream_hold(st, NULL, buf_detach(&oob));
	buf_free(&oob);
}

char *
format_stream(struct shell *sh, struct value **vals, size_t n)
{
	struct fmt_stream	*st;
	struct vlist		 l = { NULL, 0 };
	struct buf		 b;
	char			*s;
	size_t			 i;

	if (sh->fmt == NULL)
		sh->fmt = xcalloc(1, sizeof *sh->fmt);
	st = sh->fmt;
	for (i = 0; i < n; i++) {
		if (vals[i]->type == V_FORMAT)
			vlist_push(&l, value_ref(vals[i]));
		else
			fmt_expand(vals[i], &l);
	}
	buf_init(&b);
	for (i = 0; i < l.n; i++) {
		if (l.v[i]->type == V_NULL)
			continue;
		if (l.v[i]->type == V_FORMAT)
			stream_close(sh, st, &b);
		if (l.v[i]->type == V_DATE) {
			/*
			 * DateTime's view, the long date: a run of dates when
			 * they come first, else each on its own, out of band.
			 */
			if (st->shape == NULL && !st->dates) {
				buf_addc(&b, '\n');
				st->dates = true;
			} else if (!st->dates) {
				stream_flush(sh, st, &b);
				fmt_dates(&b, &l.v[i], 1);
				continue;
			}
			s = date_format(l.v[i]->u.date,
			    "dddd, MMMM d, yyyy h:mm:ss tt");
			buf_adds(&b, s);
			buf_addc(&b, '\n');
			free(s);
			continue;
		}
		if (st->dates && fmt_is_object(l.v[i]))
			stream_close(sh, st, &b);
		if (l.v[i]->type == V_OBJECT && l.v[i]->u.obj->err != NULL) {
			stream_flush(sh, st, &b);
			fmt_error_record(sh, &b, l.v[i]);
		} else if (fmt_is_object(l.v[i]))
			stream_object(sh, st, &b, l.v[i]);
		else {
			stream_flush(sh, st, &b);
			fmt_scalar(&b, l.v[i]);
		}
	}
	vlist_free(&l);
	return (buf_detach(&b));
}

/* What the stream holds, before something else is written. */
char *
format_stream_flush(struct shell *sh)
{
	struct buf	b;

	buf_init(&b);
	if (sh->fmt != NULL)
		stream_flush(sh, sh->fmt, &b);
	return (buf_detach(&b));
}

/* The end of the script or line: close the shape that is open. */
char *
format_stream_end(struct shell *sh)
{
	struct buf	b;

	buf_init(&b);
	if (sh->fmt != NULL) {
		stream_close(sh, sh->fmt, &b);
		free(sh->fmt);
		sh->fmt = NULL;
	}
	return (buf_detach(&b));
}

/*
 * Wildcards (WildcardPattern): * any run, ? one character, [abc] and
 * [a-c] sets, ` escapes the next character; the whole string must match.
 * Case folding is ASCII only.
 */
static uint32_t
wc_fold(uint32_t c, bool cs)
{
	if (!cs && c >= 'A' && c <= 'Z')
		return (c + ('a' - 'A'));
	return (c);
}

static void
wc_add(struct wc_pat *p, enum wc_type type, uint32_t c)
{
	p->tok = xreallocarray(p->tok, p->n + 1, sizeof *p->tok);
	p->tok[p->n].type = type;
	p->tok[p->n].c = c;
	p->tok[p->n].set = p->nr;
	p->tok[p->n].nset = 0;
	p->n++;
}

/*
 * A set starting after the '[' at cp[i]; returns the index after its ']'
 * or 0 when the set is not closed.
 */
static size_t
wc_set(struct wc_pat *p, const uint32_t *cp, size_t n, size_t i)
{
	uint32_t	lo, hi;

	wc_add(p, WC_SET, 0);
	while (i < n && cp[i] != ']') {
		if (cp[i] == '`' && i + 1 < n)
			i++;
		lo = hi = cp[i++];
		if (i + 1 < n && cp[i] == '-' && cp[i + 1] != ']') {
			i++;
			if (cp[i] == '`' && i + 1 < n)
				i++;
			hi = cp[i++];
		}
		p->lo = xreallocarray(p->lo, p->nr + 1, sizeof *p->lo);
		p->hi = xreallocarray(p->hi, p->nr + 1, sizeof *p->hi);
		p->lo[p->nr] = lo;
		p->hi[p->nr++] = hi;
		p->tok[p->n - 1].nset++;
	}
	if (i == n) {
		p->nr = p->tok[--p->n].set;
		return (0);
	}
	return (i + 1);
}

static void
wc_compile(struct wc_pat *p, const char *pattern)
{
	uint32_t	*cp;
	size_t		 n, i, next;

	cp = wc_decode(pattern, &n);
	for (i = 0; i < n; i++) {
		switch (cp[i]) {
		case '`':
			wc_add(p, WC_LIT, i + 1 < n ? cp[++i] : '`');
			break;
		case '*':
			if (p->n == 0 || p->tok[p->n - 1].type != WC_STAR)
				wc_add(p, WC_STAR, 0);
			break;
		case '?':
			wc_add(p, WC_ONE, 0);
			break;
		case '[':
			if ((next = wc_set(p, cp, n, i + 1)) == 0)
				wc_add(p, WC_LIT, '[');
			else
				i = next - 1;
			break;
		default:
			wc_add(p, WC_LIT, cp[i]);
			break;
		}
	}
	free(cp);
}

static bool
wc_tok_match(const struct wc_pat *p, const struct wc_tok *t, uint32_t c,
    bool cs)
{
	size_t	i;

	switch (t->type) {
	case WC_ONE:
		return (true);
	case WC_LIT:
		return (wc_fold(t->c, cs) == wc_fold(c, cs));
	case WC_SET:
		for (i = t->set; i < t->set + t->nset; i++) {
			if (wc_fold(c, cs) >= wc_fold(p->lo[i], cs) &&
			    wc_fold(c, cs) <= wc_fold(p->hi[i], cs))
				return (true);
		}
		return (false);
	default:
		return (false);
	}
}

static uint32_t *
wc_decode(const char *s, size_t *np)
{
	uint32_t	*cp;
	size_t		 len = strlen(s), i = 0, n = 0;

	cp = xreallocarray(NULL, len + 1, sizeof *cp);
	while (i < len)
		i += utf8_decode(s + i, len - i, &cp[n++]);
	*np = n;
	return (cp);
}

bool
wildcard_match(const char *pattern, const char *s, bool cs)
{
	struct wc_pat	 p = { NULL, 0, NULL, NULL, 0 };
	uint32_t	*cp;
	size_t		 n, i = 0, t = 0, star = SIZE_MAX, mark = 0;
	bool		 ok;

	wc_compile(&p, pattern);
	cp = wc_decode(s, &n);
	while (i < n) {
		if (t < p.n && p.tok[t].type == WC_STAR) {
			star = t++;
			mark = i;
		} else if (t < p.n && wc_tok_match(&p, &p.tok[t], cp[i], cs)) {
			t++;
			i++;
		} else if (star != SIZE_MAX) {
			t = star + 1;
			i = ++mark;
		} else
			break;
	}
	while (t < p.n && p.tok[t].type == WC_STAR)
		t++;
	ok = i == n && t == p.n;
	free(cp);
	free(p.tok);
	free(p.lo);
	free(p.hi);
	return (ok);
}

bool
has_wildcard(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '`') {
			if (*++s == '\0')
				break;
			continue;
		}
		if (*s == '*' || *s == '?' || *s == '[' || *s == ']')
			return (true);
	}
	return (false);
}

/* Compare without case; ASCII letters fold, other bytes compare as is. */
int
strcasecmp_utf8(const char *a, const char *b)
{
	const unsigned char	*x = (const unsigned char *)a;
	const unsigned char	*y = (const unsigned char *)b;
	int			 ca, cb;

	for (;; x++, y++) {
		ca = *x >= 'A' && *x <= 'Z' ? *x + ('a' - 'A') : *x;
		cb = *y >= 'A' && *y <= 'Z' ? *y + ('a' - 'A') : *y;
		if (ca != cb || ca == '\0')
			return (ca - cb);
	}
}
