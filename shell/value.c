/*
 * value.c - reference-counted runtime values.
 *
 * Every value the interpreter handles is a struct value: scalars,
 * strings, arrays, ordered case-insensitive hashtables, script blocks and
 * objects (ordered property bags, like the deserialized objects the
 * Exchange Management Shell receives), dates, time spans and characters.
 * Values are immutable once shared; builders (value_array_push,
 * object_add) are used only while a value is being made.  The exceptions
 * are .NET's mutable collections, which scripts change through their
 * methods (dotnet.c): an ArrayList or List[T] (a V_ARRAY of that kind)
 * and a hashtable are changed in place, and every holder sees it.  The
 * null value and the two booleans are shared static values, never
 * counted or freed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

#define VALUE_STATIC	(-1)	/* refs of a static value */

static struct value	value_null_singleton = { V_NULL, VALUE_STATIC, { 0 } };
static struct value	value_true = { V_BOOL, VALUE_STATIC, { .b = true } };
static struct value	value_false = { V_BOOL, VALUE_STATIC, { .b = false } };

static void	object_push(struct value *, const char *, struct value *,
		    bool);

struct source *
source_create(const char *name, const char *text, size_t len)
{
	struct source	*src;

	src = xcalloc(1, sizeof *src);
	src->name = xstrdup(name);
	src->text = xstrndup(text, len);
	src->len = len;
	src->refs = 1;
	return (src);
}

struct source *
source_ref(struct source *src)
{
	src->refs++;
	return (src);
}

void
source_free(struct source *src)
{
	if (src == NULL || --src->refs > 0)
		return;
	free(src->name);
	free(src->text);
	free(src->subexprs);
	free(src);
}

void
source_position(const struct source *src, size_t off, int *line, int *col)
{
	size_t		i, n;
	uint32_t	c;

	*line = 1;
	*col = 1;
	if (off > src->len)
		off = src->len;
	for (i = 0; i < off; i += n) {
		n = utf8_decode(src->text + i, src->len - i, &c);
		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if (c != '\r')
			(*col)++;
	}
}

static struct value *
value_new(enum vtype type)
{
	struct value	*v;

	v = xcalloc(1, sizeof *v);
	v->type = type;
	v->refs = 1;
	return (v);
}

struct value *
value_null(void)
{
	return (&value_null_singleton);
}

struct value *
value_bool(bool b)
{
	return (b ? &value_true : &value_false);
}

struct value *
value_int(int64_t i)
{
	struct value	*v = value_new(V_INT);

	v->u.i = i;
	return (v);
}

struct value *
value_double(double d)
{
	struct value	*v = value_new(V_DOUBLE);

	v->u.d = d;
	return (v);
}

/* A string value is one allocation: the text follows the struct. */
struct value *
value_string(const char *s)
{
	struct value	*v;
	size_t		 len = strlen(s);

	v = xmalloc(sizeof *v + len + 1);
	memset(v, 0, sizeof *v);
	v->type = V_STRING;
	v->refs = 1;
	v->u.s = memcpy(v + 1, s, len + 1);
	return (v);
}

struct value *
value_string_take(char *s)
{
	struct value	*v = value_string(s);

	free(s);
	return (v);
}

struct value *
value_secure(const char *s)
{
	struct value	*v = value_new(V_SECURE);

	v->u.s = xstrdup(s);
	return (v);
}

struct value *
value_date(int64_t usec)
{
	struct value	*v = value_new(V_DATE);

	v->u.date = usec;
	return (v);
}

struct value *
value_timespan(int64_t ticks)
{
	struct value	*v = value_new(V_TIMESPAN);

	v->u.ticks = ticks;
	return (v);
}

struct value *
value_char(uint32_t c)
{
	struct value	*v = value_new(V_CHAR);

	v->u.c = c;
	return (v);
}

struct value *
value_format(char *text, int entries)
{
	struct value	*v = value_new(V_FORMAT);

	v->u.fmt.text = text;
	v->u.fmt.entries = entries;
	return (v);
}

/*
 * What ToString gives for Format-List's or Format-Table's output: in
 * PowerShell it is a run of format objects, one FormatEntryData per
 * object between the start and end records, and Set-Content writes
 * each one's type name, one a line.
 */
static char *
value_format_names(const struct value *v)
{
	struct buf	b;
	int		i;

	if (v->u.fmt.entries < 0)
		return (xstrdup(v->u.fmt.text));
#define FMT_NS	"Microsoft.PowerShell.Commands.Internal.Format."
	buf_init(&b);
	buf_adds(&b, FMT_NS "FormatStartData\n" FMT_NS "GroupStartData");
	for (i = 0; i < v->u.fmt.entries; i++)
		buf_adds(&b, "\n" FMT_NS "FormatEntryData");
	buf_adds(&b, "\n" FMT_NS "GroupEndData\n" FMT_NS "FormatEndData");
#undef FMT_NS
	return (buf_detach(&b));
}

struct value *
value_array(void)
{
	return (value_new(V_ARRAY));
}

/* Append, taking the caller's reference. */
void
value_array_push(struct value *a, struct value *v)
{
	if (a->u.arr.n == a->u.arr.cap) {
		a->u.arr.cap = a->u.arr.cap == 0 ? 8 : a->u.arr.cap * 2;
		a->u.arr.v = xreallocarray(a->u.arr.v, a->u.arr.cap,
		    sizeof *a->u.arr.v);
	}
	a->u.arr.v[a->u.arr.n++] = v;
}

struct value *
value_hash(void)
{
	return (value_new(V_HASH));
}

/* Set key (case-insensitive on its text), taking both references. */
void
value_hash_set(struct value *h, struct value *key, struct value *val)
{
	char	*k, *e;
	size_t	 i;

	k = value_to_string(key);
	for (i = 0; i < h->u.hash.n; i++) {
		e = value_to_string(h->u.hash.e[i].key);
		if (strcasecmp(e, k) == 0) {
			free(e);
			free(k);
			value_unref(key);
			value_unref(h->u.hash.e[i].val);
			h->u.hash.e[i].val = val;
			return;
		}
		free(e);
	}
	free(k);
	h->u.hash.e = xreallocarray(h->u.hash.e, h->u.hash.n + 1,
	    sizeof *h->u.hash.e);
	h->u.hash.e[h->u.hash.n].key = key;
	h->u.hash.e[h->u.hash.n].val = val;
	h->u.hash.n++;
}

/* Borrowed value for key, or NULL. */
struct value *
value_hash_get(const struct value *h, const char *key)
{
	struct value	*found = NULL;
	char		*e;
	size_t		 i;

	if (h == NULL || h->type != V_HASH)
		return (NULL);
	for (i = 0; i < h->u.hash.n && found == NULL; i++) {
		e = value_to_string(h->u.hash.e[i].key);
		if (strcasecmp(e, key) == 0)
			found = h->u.hash.e[i].val;
		free(e);
	}
	return (found);
}

struct value *
value_script(struct node *body, struct source *src)
{
	struct value	*v = value_new(V_SCRIPT);

	v->u.script.body = body;
	v->u.script.src = source_ref(src);
	return (v);
}

struct value *
value_object(const char *type_name, const struct view *view)
{
	struct value	*v = value_new(V_OBJECT);

	v->u.obj = xcalloc(1, sizeof *v->u.obj);
	v->u.obj->type_name = xstrdup(type_name);
	v->u.obj->view = view;
	return (v);
}

void
object_reserve(struct value *o, size_t n)
{
	struct object	*obj = o->u.obj;

	if (n <= obj->propcap)
		return;
	obj->props = xreallocarray(obj->props, n, sizeof *obj->props);
	obj->propcap = n;
}

static void
object_push(struct value *o, const char *name, struct value *val,
    bool const_name)
{
	struct object	*obj = o->u.obj;
	struct prop	*p;

	if (obj->nprops == obj->propcap)
		object_reserve(o, obj->propcap == 0 ? 8 : obj->propcap * 2);
	p = &obj->props[obj->nprops++];
	p->name = const_name ? name : xstrdup(name);
	p->val = val;
	p->const_name = const_name;
}

/* Add a property, taking the reference to val. */
void
object_add(struct value *o, const char *name, struct value *val)
{
	object_push(o, name, val, false);
}

/* Add a property whose name is a constant (a string literal). */
void
object_add_const(struct value *o, const char *name, struct value *val)
{
	object_push(o, name, val, true);
}

/* Borrowed property value (case-insensitive name), or NULL. */
struct value *
object_get(const struct value *o, const char *name)
{
	size_t	i;

	if (o == NULL || o->type != V_OBJECT)
		return (NULL);
	for (i = 0; i < o->u.obj->nprops; i++) {
		if (strcasecmp(o->u.obj->props[i].name, name) == 0)
			return (o->u.obj->props[i].val);
	}
	return (NULL);
}

struct value *
value_ref(struct value *v)
{
	if (v == NULL)
		return (value_null());
	if (v->refs != VALUE_STATIC)
		v->refs++;
	return (v);
}

/* Values whose last reference went, waiting to be taken apart. */
struct value_dead {
	struct value	**v;
	size_t		  n, cap;
};

/* Drop a reference; the value joins dead when it was the last. */
static void
value_drop(struct value *v, struct value_dead *dead)
{
	if (v == NULL || v->refs == VALUE_STATIC || --v->refs > 0)
		return;
	if (dead->n == dead->cap) {
		dead->cap = dead->cap == 0 ? 16 : dead->cap * 2;
		dead->v = xreallocarray(dead->v, dead->cap, sizeof *dead->v);
	}
	dead->v[dead->n++] = v;
}

/* Free v; what it held is dropped into dead, not freed here. */
static void
value_destroy(struct value *v, struct value_dead *dead)
{
	struct prop	*p;
	size_t		 i;

	switch (v->type) {
	case V_STRING:		/* the text is part of v */
		break;
	case V_FORMAT:
		free(v->u.fmt.text);
		break;
	case V_SECURE:
		explicit_bzero(v->u.s, strlen(v->u.s));
		free(v->u.s);
		break;
	case V_ARRAY:
		for (i = 0; i < v->u.arr.n; i++)
			value_drop(v->u.arr.v[i], dead);
		free(v->u.arr.v);
		break;
	case V_HASH:
		for (i = 0; i < v->u.hash.n; i++) {
			value_drop(v->u.hash.e[i].key, dead);
			value_drop(v->u.hash.e[i].val, dead);
		}
		free(v->u.hash.e);
		break;
	case V_SCRIPT:
		source_free(v->u.script.src);
		break;
	case V_OBJECT:
		for (i = 0; i < v->u.obj->nprops; i++) {
			p = &v->u.obj->props[i];
			if (!p->const_name)
				free((char *)p->name);
			value_drop(p->val, dead);
		}
		free(v->u.obj->props);
		free(v->u.obj->type_name);
		free(v->u.obj->text);
		free(v->u.obj->key);
		errrec_free(v->u.obj->err);
		free(v->u.obj);
		break;
	default:
		break;
	}
	free(v);
}

/*
 * Release a reference.  A value freed takes apart what only it held, in
 * a loop rather than by recursion: an array nested 100,000 deep ($a =
 * $a, 1 in a loop) must not take the C stack with it.
 */
void
value_unref(struct value *v)
{
	struct value_dead	dead = { NULL, 0, 0 };

	value_drop(v, &dead);
	while (dead.n > 0)
		value_destroy(dead.v[--dead.n], &dead);
	free(dead.v);
}

size_t
value_count(const struct value *v)
{
	if (v == NULL || v->type == V_NULL)
		return (0);
	if (v->type == V_ARRAY)
		return (v->u.arr.n);
	return (1);
}

/* Borrowed i-th element of the flattened value. */
struct value *
value_item(const struct value *v, size_t i)
{
	if (v->type == V_ARRAY)
		return (v->u.arr.v[i]);
	return ((struct value *)v);
}

bool
value_truthy(const struct value *v)
{
	switch (v->type) {
	case V_NULL:
		return (false);
	case V_BOOL:
		return (v->u.b);
	case V_INT:
		return (v->u.i != 0);
	case V_DOUBLE:
		return (v->u.d != 0);
	case V_STRING:
		return (v->u.s[0] != '\0');
	case V_CHAR:
		return (v->u.c != 0);
	case V_ARRAY:
		if (v->u.arr.n == 0)
			return (false);
		if (v->u.arr.n == 1)
			return (value_truthy(v->u.arr.v[0]));
		return (true);
	default:
		return (true);
	}
}

char *
value_to_string(const struct value *v)
{
	struct buf	b;
	char		*s;
	size_t		 i;

	switch (v->type) {
	case V_NULL:
		return (xstrdup(""));
	case V_BOOL:
		return (xstrdup(v->u.b ? "True" : "False"));
	case V_INT:
		return (xprintf("%lld", (long long)v->u.i));
	case V_DOUBLE:
		return (dotnet_double_text(v->u.d));
	case V_STRING:
		return (xstrdup(v->u.s));
	case V_FORMAT:
		return (value_format_names(v));
	case V_CHAR:
		buf_init(&b);
		buf_add_utf8(&b, v->u.c);
		return (buf_detach(&b));
	case V_TIMESPAN:
		return (dotnet_timespan_text(v->u.ticks));
	case V_DATE:
		/* The invariant culture, as PowerShell converts to text. */
		return (date_format(v->u.date, "MM/dd/yyyy HH:mm:ss"));
	case V_SECURE:
		return (xstrdup("System.Security.SecureString"));
	case V_ARRAY:
		/*
		 * Elements joined by spaces; an element that is an array
		 * itself is its type name, as PowerShell converts
		 * @(@(1, 2), 3) to "System.Object[] 3".  No recursion.
		 */
		buf_init(&b);
		for (i = 0; i < v->u.arr.n; i++) {
			if (i > 0)
				buf_addc(&b, ' ');
			if (v->u.arr.v[i]->type == V_ARRAY) {
				buf_adds(&b, value_type_name(v->u.arr.v[i]));
				continue;
			}
			s = value_to_string(v->u.arr.v[i]);
			buf_adds(&b, s);
			free(s);
		}
		s = buf_detach(&b);
		buf_free(&b);
		return (s);
	default:
		return (format_cell(v));
	}
}

const char *
value_type_name(const struct value *v)
{
	switch (v->type) {
	case V_NULL:
		return ("null");
	case V_BOOL:
		return ("System.Boolean");
	case V_INT:
		return (v->u.i >= INT32_MIN && v->u.i <= INT32_MAX ?
		    "System.Int32" : "System.Int64");
	case V_DOUBLE:
		return ("System.Double");
	case V_STRING:
		return ("System.String");
	case V_ARRAY:
	case V_HASH:
		return (dotnet_type_name(v));
	case V_SCRIPT:
		return ("System.Management.Automation.ScriptBlock");
	case V_SECURE:
		return ("System.Security.SecureString");
	case V_DATE:
		return ("System.DateTime");
	case V_TIMESPAN:
		return ("System.TimeSpan");
	case V_CHAR:
		return ("System.Char");
	case V_FORMAT:
		return ("Microsoft.PowerShell.Commands.Internal.Format."
		    "FormatEntryData");
	case V_OBJECT:
		return (v->u.obj->type_name);
	}
	return ("System.Object");
}

/*
 * The value as a number: ints stay ints, strings are parsed (invariant
 * culture, hex and multipliers not included).
 */
bool
value_to_number(const struct value *v, double *d, int64_t *i, bool *is_int)
{
	char	*end;

	switch (v->type) {
	case V_NULL:
		*d = 0;
		*i = 0;
		*is_int = true;
		return (true);
	case V_BOOL:
		*i = v->u.b;
		*d = v->u.b;
		*is_int = true;
		return (true);
	case V_INT:
		*i = v->u.i;
		*d = (double)v->u.i;
		*is_int = true;
		return (true);
	case V_CHAR:
		*i = v->u.c;
		*d = v->u.c;
		*is_int = true;
		return (true);
	case V_DOUBLE:
		*d = v->u.d;
		*i = (int64_t)v->u.d;
		*is_int = false;
		return (true);
	case V_STRING:
		if (v->u.s[0] == '\0')
			return (false);
		*i = strtoll(v->u.s, &end, 10);
		if (*end == '\0') {
			*d = (double)*i;
			*is_int = true;
			return (true);
		}
		*d = strtod(v->u.s, &end);
		if (*end != '\0')
			return (false);
		*i = (int64_t)*d;
		*is_int = false;
		return (true);
	default:
		return (false);
	}
}

/* A new array or object with the same members (for += and edits). */
struct value *
value_copy_shallow(const struct value *v)
{
	const struct prop	*p;
	struct value		*c;
	size_t			 i;

	if (v->type == V_ARRAY) {
		c = value_array();
		for (i = 0; i < v->u.arr.n; i++)
			value_array_push(c, value_ref(v->u.arr.v[i]));
		return (c);
	}
	if (v->type == V_OBJECT) {
		c = value_object(v->u.obj->type_name, v->u.obj->view);
		object_reserve(c, v->u.obj->nprops);
		for (i = 0; i < v->u.obj->nprops; i++) {
			p = &v->u.obj->props[i];
			object_push(c, p->name, value_ref(p->val),
			    p->const_name);
		}
		if (v->u.obj->text != NULL)
			c->u.obj->text = xstrdup(v->u.obj->text);
		if (v->u.obj->key != NULL)
			c->u.obj->key = xstrdup(v->u.obj->key);
		if (v->u.obj->err != NULL)
			c->u.obj->err = errrec_dup(v->u.obj->err);
		c->u.obj->clr = v->u.obj->clr;
		return (c);
	}
	return (value_ref((struct value *)v));
}

/*
 * A date or time span against the right operand made one (a string is
 * parsed as a cast would); *ok false when it cannot be.
 */
static int
value_compare_time(struct value *l, struct value *r, bool *ok)
{
	struct value	*c;
	int64_t		 a, b;

	if ((c = dotnet_cast(value_type_name(l), r, NULL)) == NULL) {
		*ok = false;
		return (1);
	}
	a = l->type == V_DATE ? l->u.date : l->u.ticks;
	b = c->type == V_DATE ? c->u.date : c->u.ticks;
	value_unref(c);
	return (a < b ? -1 : a > b);
}

/*
 * Scalar comparison with PowerShell's conversion rules: the right
 * operand is converted to the left operand's kind.  Returns <0, 0, >0;
 * *ok is false when the two cannot be ordered (null handling aside).
 */
int
value_compare(struct value *l, struct value *r, bool cs, bool *ok)
{
	double	 ld, rd;
	int64_t	 li, ri;
	bool	 lint, rint;
	char	*ls, *rs;
	int	 c;

	*ok = true;
	if (l->type == V_NULL || r->type == V_NULL) {
		if (l->type == V_NULL && r->type == V_NULL)
			return (0);
		return (l->type == V_NULL ? -1 : 1);
	}
	if (l->type == V_BOOL)
		return ((int)l->u.b - (int)value_truthy(r));
	if ((l->type == V_INT || l->type == V_DOUBLE) &&
	    value_to_number(l, &ld, &li, &lint)) {
		if (!value_to_number(r, &rd, &ri, &rint)) {
			*ok = false;
			return (1);
		}
		if (lint && rint)
			return (li < ri ? -1 : li > ri);
		return (ld < rd ? -1 : ld > rd);
	}
	if (l->type == V_DATE || l->type == V_TIMESPAN)
		return (value_compare_time(l, r, ok));
	if (l->type == V_CHAR && (r->type == V_INT || r->type == V_DOUBLE) &&
	    value_to_number(r, &rd, &ri, &rint))
		return (l->u.c < rd ? -1 : l->u.c > rd);
	ls = value_to_string(l);
	rs = value_to_string(r);
	c = cs ? strcmp(ls, rs) : strcasecmp(ls, rs);
	free(ls);
	free(rs);
	return (c);
}

/*
 * An output array as one value, taking the reference to out: $null when
 * empty, its only item, or the array itself.
 */
struct value *
value_collapse(struct value *out)
{
	struct value	*v;

	if (out->u.arr.n == 0)
		v = value_null();
	else if (out->u.arr.n == 1)
		v = value_ref(out->u.arr.v[0]);
	else
		v = value_ref(out);
	value_unref(out);
	return (v);
}
