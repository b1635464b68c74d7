/*
 * dotnet_coll.c - arrays (System.Array, Object[], T[]), ArrayList,
 * List[T], Hashtable and [ordered] (OrderedDictionary).
 *
 * All are V_ARRAY or V_HASH values (shell.h, enum arr_kind).  ArrayList
 * and List[T] change in place: Add() on one changes the value every
 * variable holding it sees, as in .NET.  A list that holds itself, or
 * a hashtable it is in, is never freed before hubsh exits (reference
 * counting does not see cycles); nothing else leaks.  A list holds at
 * most DN_LIMIT items, which keeps a runaway loop from taking all
 * memory.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dotnet.h"
#include "xmalloc.h"

static int64_t		 dn_find_item(struct value *, struct value *);
static int		 dn_item(struct dn_call *, size_t, const char *,
			    struct value **);
static struct value	*dn_void(void);
static struct value	*dn_list_room(struct dn_call *, size_t);
static void		 dn_list_insert(struct value *, size_t,
			    struct value *);
static void		 dn_list_delete(struct value *, size_t);
static struct value	*dn_list_sort(struct dn_call *);
static void		 dn_reverse(struct value *);
static struct value	*dn_hash_copy(struct value *, bool);
static struct value	*dn_element_error(struct dn_error *, struct value *,
			    const struct dn_tref *);

static struct value	*arr_count(struct dn_call *);
static struct value	*arr_contains(struct dn_call *);
static struct value	*arr_indexof(struct dn_call *);
static struct value	*arr_clone(struct dn_call *);
static struct value	*arr_s_indexof(struct dn_call *);
static struct value	*arr_s_reverse(struct dn_call *);
static struct value	*lst_add(struct dn_call *);
static struct value	*lst_addrange(struct dn_call *);
static struct value	*lst_remove(struct dn_call *);
static struct value	*lst_removeat(struct dn_call *);
static struct value	*lst_insert(struct dn_call *);
static struct value	*lst_clear(struct dn_call *);
static struct value	*lst_reverse(struct dn_call *);
static struct value	*lst_toarray(struct dn_call *);
static struct value	*lst_s_new(struct dn_call *);
static struct value	*hsh_count(struct dn_call *);
static struct value	*hsh_keys(struct dn_call *);
static struct value	*hsh_values(struct dn_call *);
static struct value	*hsh_add(struct dn_call *);
static struct value	*hsh_remove(struct dn_call *);
static struct value	*hsh_clear(struct dn_call *);
static struct value	*hsh_containskey(struct dn_call *);
static struct value	*hsh_containsvalue(struct dn_call *);
static struct value	*hsh_clone(struct dn_call *);
static struct value	*hsh_enumerator(struct dn_call *);
static struct value	*hsh_s_new(struct dn_call *);

/* Object[] and T[], and the regex collections. */
const struct dn_member dn_array_members[] = {
	DN_PROP("Count", arr_count),
	DN_PROP("Length", arr_count),
	DN_METHOD("Contains", 1, 1, arr_contains),
	DN_METHOD("IndexOf", 1, 1, arr_indexof),
	DN_METHOD("Clone", 0, 0, arr_clone),
	DN_END
};

const struct dn_member dn_array_statics[] = {
	DN_METHOD("IndexOf", 2, 2, arr_s_indexof),
	DN_METHOD("Reverse", 1, 1, arr_s_reverse),
	DN_END
};

/*
 * ArrayList and List[T]: ArrayList's Add returns the new index and its
 * Remove nothing, List[T]'s Add nothing and its Remove whether it found
 * the item (the functions look at the list's kind).
 */
const struct dn_member dn_list_members[] = {
	DN_PROP("Count", arr_count),
	DN_METHOD("Add", 1, 1, lst_add),
	DN_METHOD("AddRange", 1, 1, lst_addrange),
	DN_METHOD("Remove", 1, 1, lst_remove),
	DN_METHOD("RemoveAt", 1, 1, lst_removeat),
	DN_METHOD("Insert", 2, 2, lst_insert),
	DN_METHOD("Contains", 1, 1, arr_contains),
	DN_METHOD("IndexOf", 1, 1, arr_indexof),
	DN_METHOD("Clear", 0, 0, lst_clear),
	DN_METHOD("Sort", 0, 0, dn_list_sort),
	DN_METHOD("Reverse", 0, 0, lst_reverse),
	DN_METHOD("ToArray", 0, 0, lst_toarray),
	DN_METHOD("Clone", 0, 0, arr_clone),
	DN_END
};

const struct dn_member dn_list_statics[] = {
	DN_METHOD("new", 0, 1, lst_s_new),
	DN_END
};

const struct dn_member dn_hash_members[] = {
	DN_PROP("Count", hsh_count),
	DN_PROP("Keys", hsh_keys),
	DN_PROP("Values", hsh_values),
	DN_METHOD("Add", 2, 2, hsh_add),
	DN_METHOD("Remove", 1, 1, hsh_remove),
	DN_METHOD("Clear", 0, 0, hsh_clear),
	DN_METHOD("ContainsKey", 1, 1, hsh_containskey),
	DN_METHOD("Contains", 1, 1, hsh_containskey),
	DN_METHOD("ContainsValue", 1, 1, hsh_containsvalue),
	DN_METHOD("Clone", 0, 0, hsh_clone),
	DN_METHOD("GetEnumerator", 0, 0, hsh_enumerator),
	DN_END
};

const struct dn_member dn_hash_statics[] = {
	DN_METHOD("new", 0, 1, hsh_s_new),
	DN_END
};

/* ------------------------------------------------------------------ */
/* Helpers */

/* Index of the first item equal to v, or -1. */
static int64_t
dn_find_item(struct value *a, struct value *v)
{
	size_t	i;

	for (i = 0; i < a->u.arr.n; i++) {
		if (dn_equals(a->u.arr.v[i], v))
			return ((int64_t)i);
	}
	return (-1);
}

/* Argument i as an item of the list: List[T] converts it to T. */
static int
dn_item(struct dn_call *c, size_t i, const char *param, struct value **out)
{
	const struct dn_type	*elem = c->self->u.arr.elem;

	if (c->self->u.arr.kind != ARR_LIST || elem == NULL ||
	    elem == DN(OBJECT)) {
		*out = value_ref(c->args[i]);
		return (0);
	}
	return (dn_arg(c, i, (enum dn_id)(elem - dn_types), param, out));
}

/* What a void method returns: no output at all. */
static struct value *
dn_void(void)
{
	return (value_array());
}

/* Room for n more items, or .NET's out of memory. */
static struct value *
dn_list_room(struct dn_call *c, size_t n)
{
	if (c->self->u.arr.n + n > DN_LIMIT)
		return (dn_throw(c, "OutOfMemoryException", "Array dimensions "
		    "exceeded supported range."));
	return (value_null());
}

/* Put v (the reference taken) at position at, moving the rest up. */
static void
dn_list_insert(struct value *a, size_t at, struct value *v)
{
	size_t	n = a->u.arr.n;

	value_array_push(a, v);
	memmove(&a->u.arr.v[at + 1], &a->u.arr.v[at],
	    (n - at) * sizeof *a->u.arr.v);
	a->u.arr.v[at] = v;
}

static void
dn_list_delete(struct value *a, size_t at)
{
	value_unref(a->u.arr.v[at]);
	memmove(&a->u.arr.v[at], &a->u.arr.v[at + 1],
	    (a->u.arr.n - at - 1) * sizeof *a->u.arr.v);
	a->u.arr.n--;
}

static void
dn_reverse(struct value *a)
{
	struct value	*t;
	size_t		 i, n = a->u.arr.n;

	for (i = 0; i < n / 2; i++) {
		t = a->u.arr.v[i];
		a->u.arr.v[i] = a->u.arr.v[n - 1 - i];
		a->u.arr.v[n - 1 - i] = t;
	}
}

/* A new empty ArrayList or List[T]. */
struct value *
dn_list_new(enum arr_kind kind, const struct dn_type *elem)
{
	struct value	*a = value_array();

	a->u.arr.kind = kind;
	a->u.arr.elem = elem;
	return (a);
}

/* ------------------------------------------------------------------ */
/* Conversions */

/*
 * [array], [object[]], [T[]]: the items of v (one item for a scalar or
 * a hashtable), each converted to T; $null stays $null.
 */
struct value *
dn_array_convert(const struct dn_tref *t, struct value *v,
    struct dn_error *err)
{
	const struct dn_type	*elem = t->elem;
	struct value		*a, *item;
	size_t			 i;

	if (v->type == V_NULL)
		return (value_null());
	if (t->type == DN(ARRAY) && v->type == V_ARRAY &&
	    (v->u.arr.kind == ARR_OBJECT || v->u.arr.kind == ARR_TYPED))
		return (value_ref(v));
	if (elem == NULL || elem == DN(OBJECT)) {
		if (v->type == V_ARRAY && v->u.arr.kind == ARR_OBJECT)
			return (value_ref(v));
		elem = NULL;
	} else if (v->type == V_ARRAY && v->u.arr.kind == ARR_TYPED &&
	    v->u.arr.elem == elem)
		return (value_ref(v));
	a = value_array();
	a->u.arr.kind = elem != NULL ? ARR_TYPED : ARR_OBJECT;
	a->u.arr.elem = elem;
	for (i = 0; i < value_count(v); i++) {
		item = value_item(v, i);
		if (elem != NULL) {
			struct dn_tref	et = { elem, NULL, NULL };

			if ((item = dn_convert(&et, item, err)) == NULL) {
				value_unref(a);
				return (dn_element_error(err, v, t));
			}
		} else
			item = value_ref(item);
		value_array_push(a, item);
	}
	return (a);
}

/*
 * An element that would not convert: PowerShell wraps its error in one
 * about the whole value (InvalidCastExceptionEnumerableToArray, or
 * ScalarToArray for a single value).
 */
static struct value *
dn_element_error(struct dn_error *err, struct value *v, const struct dn_tref *t)
{
	char	*inner;

	if (err == NULL)
		return (NULL);
	inner = err->message;
	err->message = NULL;
	dn_bad_value(err, v->type == V_ARRAY ?
	    "InvalidCastExceptionEnumerableToArray" :
	    "InvalidCastExceptionScalarToArray", v, dn_typestring(t), inner);
	free(inner);
	return (NULL);
}

/*
 * [System.Collections.ArrayList] and List[T]: a new list of the items.
 * An item List[T] cannot take fails the whole conversion, as .NET's
 * constructor does (ConvertToFinalInvalidCastException).
 */
struct value *
dn_list_convert(const struct dn_tref *t, struct value *v,
    struct dn_error *err)
{
	struct dn_tref	 et = { t->elem, NULL, NULL };
	struct value	*a, *item;
	size_t		 i;

	if (v->type == V_NULL)
		return (value_null());
	a = dn_list_new(t->type == DN(LIST) ? ARR_LIST : ARR_ARRAYLIST,
	    t->elem);
	for (i = 0; i < value_count(v); i++) {
		item = value_item(v, i);
		if (t->elem != NULL && t->elem != DN(OBJECT)) {
			if ((item = dn_convert(&et, item, NULL)) == NULL) {
				value_unref(a);
				return (dn_bad_cast(err, v, dn_typestring(t)));
			}
		} else
			item = value_ref(item);
		value_array_push(a, item);
	}
	return (a);
}

/* A copy of a hashtable, ordered or not. */
static struct value *
dn_hash_copy(struct value *h, bool ordered)
{
	struct value	*c = value_hash();
	size_t		 i;

	c->u.hash.ordered = ordered;
	c->u.hash.e = xreallocarray(NULL, h->u.hash.n + 1, sizeof *c->u.hash.e);
	for (i = 0; i < h->u.hash.n; i++) {
		c->u.hash.e[i].key = value_ref(h->u.hash.e[i].key);
		c->u.hash.e[i].val = value_ref(h->u.hash.e[i].val);
	}
	c->u.hash.n = h->u.hash.n;
	return (c);
}

/* [hashtable] and [ordered] of a hashtable. */
struct value *
dn_hash_convert(const struct dn_tref *t, struct value *v,
    struct dn_error *err)
{
	bool	ordered = t->type == DN(ORDERED);

	if (v->type == V_NULL)
		return (value_null());
	if (v->type != V_HASH)
		return (dn_bad_cast(err, v, t->type->name));
	if (v->u.hash.ordered == ordered)
		return (value_ref(v));
	return (dn_hash_copy(v, ordered));
}

/* ------------------------------------------------------------------ */
/* Arrays */

static struct value *
arr_count(struct dn_call *c)
{
	return (value_int((int64_t)c->self->u.arr.n));
}

static struct value *
arr_contains(struct dn_call *c)
{
	return (value_bool(dn_find_item(c->self, c->args[0]) >= 0));
}

static struct value *
arr_indexof(struct dn_call *c)
{
	return (value_int(dn_find_item(c->self, c->args[0])));
}

/* A shallow copy of the same kind. */
static struct value *
arr_clone(struct dn_call *c)
{
	struct value	*a;
	size_t		 i;

	a = dn_list_new(c->self->u.arr.kind == ARR_COLLECTION ? ARR_OBJECT :
	    c->self->u.arr.kind, c->self->u.arr.elem);
	for (i = 0; i < c->self->u.arr.n; i++)
		value_array_push(a, value_ref(c->self->u.arr.v[i]));
	return (a);
}

static struct value *
arr_s_indexof(struct dn_call *c)
{
	if (c->args[0]->type != V_ARRAY)
		return (dn_throw(c, "RankException", "Only single dimension "
		    "arrays are supported here."));
	return (value_int(dn_find_item(c->args[0], c->args[1])));
}

/* [array]::Reverse($a): in place, as .NET's arrays are shared. */
static struct value *
arr_s_reverse(struct dn_call *c)
{
	if (c->args[0]->type != V_ARRAY)
		return (dn_throw(c, "ArgumentNullException", "Value cannot be "
		    "null.\nParameter name: array"));
	dn_reverse(c->args[0]);
	return (dn_void());
}

/* ------------------------------------------------------------------ */
/* ArrayList and List[T] */

/* Add: ArrayList returns the new item's index, List[T] nothing. */
static struct value *
lst_add(struct dn_call *c)
{
	struct value	*v;

	if (dn_list_room(c, 1) == NULL || dn_item(c, 0, "item", &v) != 0)
		return (NULL);
	value_array_push(c->self, v);
	if (c->self->u.arr.kind == ARR_LIST)
		return (dn_void());
	return (value_int((int64_t)c->self->u.arr.n - 1));
}

static struct value *
lst_addrange(struct dn_call *c)
{
	struct dn_tref	 et = { c->self->u.arr.elem, NULL, NULL };
	struct value	*src = c->args[0], *items, *v;
	size_t		 i, n;

	if (src->type == V_NULL)
		return (dn_throw(c, "ArgumentNullException", "Value cannot be "
		    "null.\nParameter name: collection"));
	n = value_count(src);
	if (dn_list_room(c, n) == NULL)
		return (NULL);
	/* Converted first: a failure adds nothing; $l.AddRange($l) works. */
	items = value_array();
	for (i = 0; i < n; i++) {
		v = value_item(src, i);
		if (c->self->u.arr.kind == ARR_LIST && et.type != NULL &&
		    et.type != DN(OBJECT))
			v = dn_convert(&et, v, c->err);
		else
			v = value_ref(v);
		if (v == NULL) {
			value_unref(items);
			return (NULL);
		}
		value_array_push(items, v);
	}
	for (i = 0; i < items->u.arr.n; i++)
		value_array_push(c->self, value_ref(items->u.arr.v[i]));
	value_unref(items);
	return (dn_void());
}

static struct value *
lst_remove(struct dn_call *c)
{
	int64_t	at = dn_find_item(c->self, c->args[0]);

	if (at >= 0)
		dn_list_delete(c->self, (size_t)at);
	if (c->self->u.arr.kind == ARR_LIST)
		return (value_bool(at >= 0));
	return (dn_void());
}

static struct value *
lst_removeat(struct dn_call *c)
{
	int64_t	at;

	if (dn_arg_int(c, 0, "index", &at) != 0)
		return (NULL);
	if (at < 0 || at >= (int64_t)c->self->u.arr.n)
		return (dn_range(c, "index", "Index was out of range. Must be "
		    "non-negative and less than the size of the collection."));
	dn_list_delete(c->self, (size_t)at);
	return (dn_void());
}

static struct value *
lst_insert(struct dn_call *c)
{
	struct value	*v;
	int64_t		 at;

	if (dn_arg_int(c, 0, "index", &at) != 0)
		return (NULL);
	if (at < 0 || at > (int64_t)c->self->u.arr.n)
		return (dn_range(c, "index", c->self->u.arr.kind == ARR_LIST ?
		    "Index must be within the bounds of the List." :
		    "Insertion index was out of range. Must be non-negative "
		    "and less than or equal to size."));
	if (dn_list_room(c, 1) == NULL || dn_item(c, 1, "item", &v) != 0)
		return (NULL);
	dn_list_insert(c->self, (size_t)at, v);
	return (dn_void());
}

static struct value *
lst_clear(struct dn_call *c)
{
	while (c->self->u.arr.n > 0)
		dn_list_delete(c->self, c->self->u.arr.n - 1);
	return (dn_void());
}

/* Two items in the default order: numbers by value, text as a culture
 * compares it (case last). */
static int
dn_sort_cmp(const void *a, const void *b)
{
	struct value	*x = *(struct value *const *)a;
	struct value	*y = *(struct value *const *)b;
	bool		 ok;
	int		 r;

	if ((r = value_compare(x, y, false, &ok)) == 0 && x->type ==
	    V_STRING && y->type == V_STRING)
		r = -strcmp(x->u.s, y->u.s);
	return (r);
}

static struct value *
dn_list_sort(struct dn_call *c)
{
	if (c->self->u.arr.n > 1)
		qsort(c->self->u.arr.v, c->self->u.arr.n,
		    sizeof *c->self->u.arr.v, dn_sort_cmp);
	return (dn_void());
}

static struct value *
lst_reverse(struct dn_call *c)
{
	dn_reverse(c->self);
	return (dn_void());
}

/* ToArray: Object[] of an ArrayList, T[] of a List[T]. */
static struct value *
lst_toarray(struct dn_call *c)
{
	struct value	*a;
	size_t		 i;

	a = value_array();
	if (c->self->u.arr.kind == ARR_LIST && c->self->u.arr.elem != NULL &&
	    c->self->u.arr.elem != DN(OBJECT)) {
		a->u.arr.kind = ARR_TYPED;
		a->u.arr.elem = c->self->u.arr.elem;
	}
	for (i = 0; i < c->self->u.arr.n; i++)
		value_array_push(a, value_ref(c->self->u.arr.v[i]));
	return (a);
}

/* new ArrayList(), (capacity), (collection); List[T] the same. */
static struct value *
lst_s_new(struct dn_call *c)
{
	struct value	*a;
	int64_t		 cap;

	if (c->nargs == 1 && (c->args[0]->type == V_INT ||
	    c->args[0]->type == V_DOUBLE)) {
		if (dn_arg_int(c, 0, "capacity", &cap) != 0)
			return (NULL);
		if (cap < 0)
			return (dn_range(c, "capacity", "Non-negative number "
			    "required."));
	} else if (c->nargs == 1)
		return (dn_list_convert(c->t, c->args[0], c->err));
	a = dn_list_new(c->t->type == DN(LIST) ? ARR_LIST : ARR_ARRAYLIST,
	    c->t->elem);
	return (a);
}

/* ------------------------------------------------------------------ */
/* Hashtable and OrderedDictionary */

static struct value *
hsh_count(struct dn_call *c)
{
	return (value_int((int64_t)c->self->u.hash.n));
}

static struct value *
hsh_keys(struct dn_call *c)
{
	struct value	*a = value_array();
	size_t		 i;

	for (i = 0; i < c->self->u.hash.n; i++)
		value_array_push(a, value_ref(c->self->u.hash.e[i].key));
	return (a);
}

static struct value *
hsh_values(struct dn_call *c)
{
	struct value	*a = value_array();
	size_t		 i;

	for (i = 0; i < c->self->u.hash.n; i++)
		value_array_push(a, value_ref(c->self->u.hash.e[i].val));
	return (a);
}

/* Add: a key already there is .NET's ArgumentException. */
static struct value *
hsh_add(struct dn_call *c)
{
	char	*k, *have;
	size_t	 i;

	if (c->args[0]->type == V_NULL)
		return (dn_throw(c, "ArgumentNullException", "Key cannot be "
		    "null.\nParameter name: key"));
	k = value_to_string(c->args[0]);
	for (i = 0; i < c->self->u.hash.n; i++) {
		have = value_to_string(c->self->u.hash.e[i].key);
		if (strcasecmp(have, k) == 0) {
			dn_throw(c, "ArgumentException", "Item has already "
			    "been added. Key in dictionary: '%s'  Key being "
			    "added: '%s'", have, k);
			free(have);
			free(k);
			return (NULL);
		}
		free(have);
	}
	free(k);
	value_hash_set(c->self, value_ref(c->args[0]), value_ref(c->args[1]));
	return (dn_void());
}

static struct value *
hsh_remove(struct dn_call *c)
{
	struct value	*h = c->self;
	char		*k, *have;
	size_t		 i;

	k = value_to_string(c->args[0]);
	for (i = 0; i < h->u.hash.n; i++) {
		have = value_to_string(h->u.hash.e[i].key);
		if (strcasecmp(have, k) == 0) {
			free(have);
			value_unref(h->u.hash.e[i].key);
			value_unref(h->u.hash.e[i].val);
			memmove(&h->u.hash.e[i], &h->u.hash.e[i + 1],
			    (h->u.hash.n - i - 1) * sizeof *h->u.hash.e);
			h->u.hash.n--;
			break;
		}
		free(have);
	}
	free(k);
	return (dn_void());
}

static struct value *
hsh_clear(struct dn_call *c)
{
	struct value	*h = c->self;

	while (h->u.hash.n > 0) {
		h->u.hash.n--;
		value_unref(h->u.hash.e[h->u.hash.n].key);
		value_unref(h->u.hash.e[h->u.hash.n].val);
	}
	return (dn_void());
}

static struct value *
hsh_containskey(struct dn_call *c)
{
	char	*k;
	bool	 r;

	k = value_to_string(c->args[0]);
	r = value_hash_get(c->self, k) != NULL;
	free(k);
	return (value_bool(r));
}

static struct value *
hsh_containsvalue(struct dn_call *c)
{
	size_t	i;

	for (i = 0; i < c->self->u.hash.n; i++) {
		if (dn_equals(c->self->u.hash.e[i].val, c->args[0]))
			return (value_bool(true));
	}
	return (value_bool(false));
}

static struct value *
hsh_clone(struct dn_call *c)
{
	return (dn_hash_copy(c->self, c->self->u.hash.ordered));
}

/* GetEnumerator: the entries, as DictionaryEntry objects. */
static struct value *
hsh_enumerator(struct dn_call *c)
{
	struct value	*a = value_array();
	size_t		 i;

	for (i = 0; i < c->self->u.hash.n; i++)
		value_array_push(a, dotnet_dict_entry(c->self->u.hash.e[i].key,
		    c->self->u.hash.e[i].val));
	return (a);
}

static struct value *
hsh_s_new(struct dn_call *c)
{
	struct value	*h = value_hash();
	int64_t		 cap;

	h->u.hash.ordered = c->t->type == DN(ORDERED);
	if (c->nargs == 1 && c->args[0]->type == V_HASH) {
		value_unref(h);
		return (dn_hash_copy(c->args[0], c->t->type == DN(ORDERED)));
	}
	if (c->nargs == 1 && dn_arg_int(c, 0, "capacity", &cap) != 0) {
		value_unref(h);
		return (NULL);
	}
	return (h);
}

/* The view of an entry: Name and Value, as PowerShell shows them. */
static const char *const dn_entry_table[] = { "Name", "Value", NULL };
static const struct view dn_entry_view = {
	"System.Collections.DictionaryEntry", SHAPE_TABLE, dn_entry_table,
	NULL
};

/* A DictionaryEntry: Name (PowerShell's alias of Key), Key, Value. */
struct value *
dotnet_dict_entry(struct value *key, struct value *val)
{
	struct value	*o;

	o = value_object(dn_entry_view.type_name, &dn_entry_view);
	object_add_const(o, "Name", value_ref(key));
	object_add_const(o, "Key", value_ref(key));
	object_add_const(o, "Value", value_ref(val));
	return (o);
}

/* ------------------------------------------------------------------ */
/* Indexing */

/*
 * $s[i] of a string is its i-th character (from the end when negative;
 * $null past it); $m.Groups['name'] a group by its name.  NULL for what
 * the evaluator indexes itself.
 */
struct value *
dn_coll_index(struct value *v, struct value *idx)
{
	struct value	*n, *name;
	int64_t		 i, len;
	size_t		 off, k;
	uint32_t	 c;
	char		*key;

	if (v->type == V_STRING && (n = dn_convert_to(DN_INT32, idx,
	    NULL)) != NULL) {
		i = n->u.i;
		value_unref(n);
		len = (int64_t)dn_u16_len(v->u.s);
		if (i < 0)
			i += len;
		if (i < 0 || i >= len)
			return (value_null());
		off = dn_u16_offset(v->u.s, (size_t)i);
		utf8_decode(v->u.s + off, strlen(v->u.s) - off, &c);
		return (value_char(c));
	}
	if (v->type != V_ARRAY || v->u.arr.kind != ARR_COLLECTION ||
	    idx->type != V_STRING)
		return (NULL);
	key = value_to_string(idx);
	for (k = 0; k < v->u.arr.n; k++) {
		name = object_get(v->u.arr.v[k], "Name");
		if (name != NULL && name->type == V_STRING &&
		    strcmp(name->u.s, key) == 0) {
			free(key);
			return (value_ref(v->u.arr.v[k]));
		}
	}
	free(key);
	return (value_null());
}
