/*
 * dotnet.c - the .NET types of hubsh's PowerShell: the type table, the
 * dispatch of members, conversions (casts, -as, -is) and the errors
 * .NET and PowerShell give.
 *
 * dn_types[] has one row per type: its full name and accelerators
 * ("System.String", "string"), its base type, its static and instance
 * members (the tables of dotnet_*.c) and how a value becomes one.  A
 * type is found by its full name, an accelerator, or its full name
 * without "System." ([IO.Path]), with [] for arrays ([int[]]) and [T]
 * for List[T].  A member is found on the value's type, then its base
 * types up to System.Object, whose ToString(), GetType() and Equals()
 * every value has.
 *
 * Values stay hubsh's: a string is a V_STRING, a date a V_DATE; objects
 * that are property bags in .NET too (Guid, Match, the type objects)
 * are V_OBJECTs with their .NET type name, and found again by it.
 * Everything is in the invariant culture but for what PowerShell itself
 * shows in the current one (a date's ToString(), en-US as in the EMS).
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dotnet.h"
#include "xmalloc.h"

#define DN_MSCORLIB	", mscorlib, Version=4.0.0.0, Culture=neutral, " \
			"PublicKeyToken=b77a5c561934e089"

static struct value	*dn_same(const struct dn_tref *, struct value *,
			    struct dn_error *);
static struct value	*dn_to_string(const struct dn_tref *, struct value *,
			    struct dn_error *);
static struct value	*dn_to_bool(const struct dn_tref *, struct value *,
			    struct dn_error *);
static struct value	*dn_to_void(const struct dn_tref *, struct value *,
			    struct dn_error *);
static struct value	*dn_to_psobject(const struct dn_tref *,
			    struct value *, struct dn_error *);
static struct value	*dn_to_type(const struct dn_tref *, struct value *,
			    struct dn_error *);
static bool		 dn_is_psobject(const struct dn_tref *,
			    const struct value *);
static bool		 dn_is_enumerable(const struct dn_tref *,
			    const struct value *);
static bool		 dn_is_list(const struct dn_tref *,
			    const struct value *);
static bool		 dn_is_dict(const struct dn_tref *,
			    const struct value *);
static const struct dn_type *dn_find_row(const char *, size_t);
static bool		 dn_resolve_n(const char *, size_t,
			    struct dn_tref *);
static const char	*dn_intern(char *);
static const char	*dn_shortname(const struct dn_tref *);
static const struct dn_member *dn_lookup(const struct dn_type *,
			    const char *, int, size_t, bool, bool *);
static struct value	*dn_call_member(const struct dn_member *,
			    const struct dn_tref *, struct value *,
			    struct value **, size_t, struct dn_error *);
static struct value	*dn_type_prop(const struct value *, const char *);
static struct value	*dn_enumerate(struct value *, const char *);
static struct value	*dn_invoke_each(struct value *, const char *,
			    struct value **, size_t, struct dn_error *);
static struct value	*dn_no_method(struct dn_error *, struct value *,
			    const char *);
static struct value	*dn_no_overload(struct dn_error *, const char *,
			    size_t);
static struct value	*dn_type_not_found(struct dn_error *, const char *);
static struct value	*dn_obj_tostring(struct dn_call *);
static struct value	*dn_obj_gettype(struct dn_call *);
static struct value	*dn_obj_equals(struct dn_call *);
static struct value	*dn_obj_hashcode(struct dn_call *);

/*
 * Accelerators: the short names PowerShell knows a type by.  A full name
 * may always be written without its leading "System.".
 */
static const char *const dn_a_object[] = { "object", NULL };
static const char *const dn_a_string[] = { "string", NULL };
static const char *const dn_a_char[] = { "char", NULL };
static const char *const dn_a_bool[] = { "bool", NULL };
static const char *const dn_a_byte[] = { "byte", NULL };
static const char *const dn_a_int32[] = { "int", "int32", NULL };
static const char *const dn_a_int64[] = { "long", "int64", NULL };
static const char *const dn_a_double[] = { "double", "float", "single",
    "System.Single", "decimal", "System.Decimal", NULL };
static const char *const dn_a_date[] = { "datetime", NULL };
static const char *const dn_a_span[] = { "timespan", NULL };
static const char *const dn_a_guid[] = { "guid", NULL };
static const char *const dn_a_array[] = { "array", NULL };
static const char *const dn_a_list[] = {
    "System.Collections.Generic.List", NULL };
static const char *const dn_a_hash[] = { "hashtable", NULL };
static const char *const dn_a_ordered[] = { "ordered", NULL };
static const char *const dn_a_psobject[] = { "psobject", "pscustomobject",
    NULL };
static const char *const dn_a_script[] = { "scriptblock", NULL };
static const char *const dn_a_secure[] = { "securestring", NULL };
static const char *const dn_a_cred[] = { "pscredential", NULL };
static const char *const dn_a_switch[] = { "switch", NULL };
static const char *const dn_a_void[] = { "void", NULL };
static const char *const dn_a_type[] = { "type", NULL };
static const char *const dn_a_math[] = { "math", NULL };
static const char *const dn_a_convert[] = { "convert", NULL };
static const char *const dn_a_env[] = { "environment", NULL };
static const char *const dn_a_regex[] = { "regex", NULL };
static const char *const dn_a_culture[] = { "cultureinfo", NULL };

/*
 * The types.  [decimal] and [float] are System.Double: hubsh computes
 * in doubles, and a double's text is the same for the amounts scripts
 * handle.
 */
const struct dn_type dn_types[DN_NTYPES] = {
	[DN_OBJECT] = { "System.Object", dn_a_object, DN_OBJECT, DT_SERIAL,
	    NULL, dn_object_members, dn_same, NULL },
	[DN_VALUETYPE] = { "System.ValueType", NULL, DN_OBJECT, DT_SERIAL,
	    NULL, NULL, NULL, NULL },
	[DN_STRING] = { "System.String", dn_a_string, DN_OBJECT, DT_SERIAL,
	    dn_string_statics, dn_string_members, dn_to_string, NULL },
	[DN_CHAR] = { "System.Char", dn_a_char, DN_VALUETYPE,
	    DT_SERIAL | DT_VALUE, dn_char_statics, NULL, dn_char_convert,
	    NULL },
	[DN_BOOLEAN] = { "System.Boolean", dn_a_bool, DN_VALUETYPE,
	    DT_SERIAL | DT_VALUE, dn_bool_statics, NULL, dn_to_bool, NULL },
	[DN_BYTE] = { "System.Byte", dn_a_byte, DN_VALUETYPE,
	    DT_SERIAL | DT_VALUE, dn_byte_statics, NULL, dn_int_convert,
	    NULL },
	[DN_INT32] = { "System.Int32", dn_a_int32, DN_VALUETYPE,
	    DT_SERIAL | DT_VALUE, dn_int32_statics, NULL, dn_int_convert,
	    NULL },
	[DN_INT64] = { "System.Int64", dn_a_int64, DN_VALUETYPE,
	    DT_SERIAL | DT_VALUE, dn_int64_statics, NULL, dn_int_convert,
	    NULL },
	[DN_DOUBLE] = { "System.Double", dn_a_double, DN_VALUETYPE,
	    DT_SERIAL | DT_VALUE, dn_double_statics, NULL, dn_double_convert,
	    NULL },
	[DN_DATETIME] = { "System.DateTime", dn_a_date, DN_VALUETYPE,
	    DT_SERIAL | DT_VALUE, dn_date_statics, dn_date_members,
	    dn_date_convert, NULL },
	[DN_TIMESPAN] = { "System.TimeSpan", dn_a_span, DN_VALUETYPE,
	    DT_SERIAL | DT_VALUE, dn_span_statics, dn_span_members,
	    dn_span_convert, NULL },
	[DN_GUID] = { "System.Guid", dn_a_guid, DN_VALUETYPE,
	    DT_SERIAL | DT_VALUE, dn_guid_statics, dn_guid_members,
	    dn_guid_convert, NULL },
	[DN_ARRAY] = { "System.Array", dn_a_array, DN_OBJECT, DT_SERIAL,
	    dn_array_statics, dn_array_members, dn_array_convert, NULL },
	[DN_ARRAYOF] = { "System.Object[]", NULL, DN_ARRAY, DT_SERIAL,
	    NULL, NULL, dn_array_convert, NULL },
	[DN_ARRAYLIST] = { "System.Collections.ArrayList", NULL, DN_OBJECT,
	    DT_SERIAL, dn_list_statics, dn_list_members, dn_list_convert,
	    NULL },
	[DN_LIST] = { "System.Collections.Generic.List`1", dn_a_list,
	    DN_OBJECT, DT_SERIAL | DT_GENERIC, dn_list_statics,
	    dn_list_members, dn_list_convert, NULL },
	[DN_HASHTABLE] = { "System.Collections.Hashtable", dn_a_hash,
	    DN_OBJECT, DT_SERIAL, dn_hash_statics, dn_hash_members,
	    dn_hash_convert, NULL },
	[DN_ORDERED] = { "System.Collections.Specialized.OrderedDictionary",
	    dn_a_ordered, DN_OBJECT, DT_SERIAL, dn_hash_statics,
	    dn_hash_members, dn_hash_convert, NULL },
	[DN_DICTENTRY] = { "System.Collections.DictionaryEntry", NULL,
	    DN_VALUETYPE, DT_SERIAL | DT_VALUE, NULL, NULL, NULL, NULL },
	[DN_IENUMERABLE] = { "System.Collections.IEnumerable", NULL,
	    DN_OBJECT, DT_INTERFACE, NULL, NULL, NULL, dn_is_enumerable },
	[DN_ICOLLECTION] = { "System.Collections.ICollection", NULL,
	    DN_OBJECT, DT_INTERFACE, NULL, NULL, NULL, dn_is_list },
	[DN_ILIST] = { "System.Collections.IList", NULL, DN_OBJECT,
	    DT_INTERFACE, NULL, NULL, NULL, dn_is_list },
	[DN_IDICTIONARY] = { "System.Collections.IDictionary", NULL,
	    DN_OBJECT, DT_INTERFACE, NULL, NULL, NULL, dn_is_dict },
	[DN_PSOBJECT] = { "System.Management.Automation.PSObject",
	    dn_a_psobject, DN_OBJECT, 0, NULL, NULL, dn_to_psobject,
	    dn_is_psobject },
	[DN_PSCUSTOMOBJECT] = {
	    "System.Management.Automation.PSCustomObject", NULL, DN_OBJECT,
	    0, NULL, NULL, NULL, NULL },
	[DN_SCRIPTBLOCK] = { "System.Management.Automation.ScriptBlock",
	    dn_a_script, DN_OBJECT, 0, NULL, NULL, NULL, NULL },
	[DN_SECURESTRING] = { "System.Security.SecureString", dn_a_secure,
	    DN_OBJECT, 0, NULL, NULL, NULL, NULL },
	[DN_PSCREDENTIAL] = { CRED_TYPE, dn_a_cred, DN_OBJECT, DT_SERIAL,
	    NULL, NULL, NULL, NULL },
	[DN_SWITCH] = { "System.Management.Automation.SwitchParameter",
	    dn_a_switch, DN_VALUETYPE, DT_VALUE, NULL, NULL, dn_to_bool,
	    NULL },
	[DN_VOID] = { "System.Void", dn_a_void, DN_VALUETYPE, DT_VALUE,
	    NULL, NULL, dn_to_void, NULL },
	[DN_TYPE] = { "System.Type", dn_a_type, DN_OBJECT, 0, NULL, NULL,
	    dn_to_type, NULL },
	[DN_RUNTIMETYPE] = { "System.RuntimeType", NULL, DN_TYPE, DT_SERIAL,
	    NULL, NULL, dn_to_type, NULL },
	[DN_MATH] = { "System.Math", dn_a_math, DN_OBJECT, 0,
	    dn_math_statics, NULL, NULL, NULL },
	[DN_CONVERT] = { "System.Convert", dn_a_convert, DN_OBJECT, 0,
	    dn_convert_statics, NULL, NULL, NULL },
	[DN_ENVIRONMENT] = { "System.Environment", dn_a_env, DN_OBJECT, 0,
	    dn_env_statics, NULL, NULL, NULL },
	[DN_PATH] = { "System.IO.Path", NULL, DN_OBJECT, 0,
	    dn_path_statics, NULL, NULL, NULL },
	[DN_REGEX] = { "System.Text.RegularExpressions.Regex", dn_a_regex,
	    DN_OBJECT, DT_SERIAL, dn_regex_statics, dn_regex_members,
	    dn_regex_convert, NULL },
	[DN_CAPTURE] = { "System.Text.RegularExpressions.Capture", NULL,
	    DN_OBJECT, DT_SERIAL, NULL, NULL, NULL, NULL },
	[DN_GROUP] = { "System.Text.RegularExpressions.Group", NULL,
	    DN_CAPTURE, DT_SERIAL, NULL, NULL, NULL, NULL },
	[DN_MATCH] = { "System.Text.RegularExpressions.Match", NULL,
	    DN_GROUP, DT_SERIAL, NULL, NULL, NULL, NULL },
	[DN_GROUPCOLL] = { "System.Text.RegularExpressions.GroupCollection",
	    NULL, DN_OBJECT, DT_SERIAL, NULL, dn_array_members, NULL, NULL },
	[DN_MATCHCOLL] = { "System.Text.RegularExpressions.MatchCollection",
	    NULL, DN_OBJECT, DT_SERIAL, NULL, dn_array_members, NULL, NULL },
	[DN_ENCODING] = { "System.Text.Encoding", NULL, DN_OBJECT, DT_SERIAL,
	    dn_encoding_statics, dn_encoding_members, NULL, NULL },
	[DN_UTF8ENCODING] = { "System.Text.UTF8Encoding", NULL, DN_ENCODING,
	    DT_SERIAL, NULL, NULL, NULL, NULL },
	[DN_ASCIIENCODING] = { "System.Text.ASCIIEncoding", NULL,
	    DN_ENCODING, DT_SERIAL, NULL, NULL, NULL, NULL },
	[DN_UNICODEENCODING] = { "System.Text.UnicodeEncoding", NULL,
	    DN_ENCODING, DT_SERIAL, NULL, NULL, NULL, NULL },
	[DN_CULTUREINFO] = { "System.Globalization.CultureInfo", dn_a_culture,
	    DN_OBJECT, DT_SERIAL, dn_culture_statics, NULL, NULL, NULL },
	[DN_CAPTURECOLL] = {
	    "System.Text.RegularExpressions.CaptureCollection", NULL,
	    DN_OBJECT, DT_SERIAL, NULL, dn_array_members, NULL, NULL },
	/* Enumerations: their values are their names, as strings. */
	[DN_SPLITOPTIONS] = { "System.StringSplitOptions", NULL,
	    DN_VALUETYPE, DT_SERIAL | DT_VALUE, dn_splitopt_statics, NULL,
	    dn_to_string, NULL },
	[DN_REGEXOPTIONS] = {
	    "System.Text.RegularExpressions.RegexOptions", NULL,
	    DN_VALUETYPE, DT_SERIAL | DT_VALUE, dn_regexopt_statics, NULL,
	    dn_to_string, NULL },
	[DN_COMPARISON] = { "System.StringComparison", NULL, DN_VALUETYPE,
	    DT_SERIAL | DT_VALUE, dn_comparison_statics, NULL, dn_to_string,
	    NULL },
	[DN_MIDPOINT] = { "System.MidpointRounding", NULL, DN_VALUETYPE,
	    DT_SERIAL | DT_VALUE, dn_midpoint_statics, NULL, dn_to_string,
	    NULL },
};

/* The members every value has (System.Object's). */
const struct dn_member dn_object_members[] = {
	DN_METHOD("ToString", 0, 1, dn_obj_tostring),
	DN_METHOD("GetType", 0, 0, dn_obj_gettype),
	DN_METHOD("Equals", 1, 1, dn_obj_equals),
	DN_METHOD("GetHashCode", 0, 0, dn_obj_hashcode),
	DN_END
};

/* ------------------------------------------------------------------ */
/* Type names */

/* The row named name (len bytes): full name, accelerator, or without
 * "System.". */
static const struct dn_type *
dn_find_row(const char *name, size_t len)
{
	const struct dn_type	*t;
	const char		*const *a;
	size_t			 i;

	for (i = 0; i < DN_NTYPES; i++) {
		t = &dn_types[i];
		if (i == DN_ARRAYOF)
			continue;
		if ((strlen(t->name) == len &&
		    strncasecmp(t->name, name, len) == 0) ||
		    (strlen(t->name) == len + 7 &&
		    strncasecmp(t->name, "System.", 7) == 0 &&
		    strncasecmp(t->name + 7, name, len) == 0))
			return (t);
	}
	for (i = 0; i < DN_NTYPES; i++) {
		for (a = dn_types[i].aliases; a != NULL && *a != NULL; a++) {
			if ((strlen(*a) == len &&
			    strncasecmp(*a, name, len) == 0) ||
			    (strlen(*a) == len + 7 &&
			    strncasecmp(*a, "System.", 7) == 0 &&
			    strncasecmp(*a + 7, name, len) == 0))
				return (&dn_types[i]);
		}
	}
	return (NULL);
}

/* A type written in a script: name, name[], name[T]; false if unknown. */
bool
dn_resolve(const char *name, struct dn_tref *t)
{
	size_t	len = strlen(name);

	while (len > 0 && isspace((unsigned char)name[len - 1]))
		len--;
	while (len > 0 && isspace((unsigned char)*name)) {
		name++;
		len--;
	}
	return (dn_resolve_n(name, len, t));
}

static bool
dn_resolve_n(const char *name, size_t len, struct dn_tref *t)
{
	struct dn_tref	 e;
	const char	*open;

	memset(t, 0, sizeof *t);
	if (len > 2 && name[len - 2] == '[' && name[len - 1] == ']') {
		if (!dn_resolve_n(name, len - 2, &e) || e.elem != NULL)
			return (false);
		t->type = DN(ARRAYOF);
		t->elem = e.type;
		return (true);
	}
	open = memchr(name, '[', len);
	if (open != NULL && name[len - 1] == ']') {
		t->type = dn_find_row(name, (size_t)(open - name));
		if (t->type == NULL || !(t->type->flags & DT_GENERIC))
			return (false);
		len -= (size_t)(open - name) + 2;
		name = open + 1;
		/* List`1[[System.String, mscorlib, ...]]: a FullName. */
		if (len > 2 && *name == '[' && name[len - 1] == ']') {
			name++;
			len = strcspn(name, ",]");
		}
		while (len > 0 && isspace((unsigned char)*name)) {
			name++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)name[len - 1]))
			len--;
		if (!dn_resolve_n(name, len, &e) || e.elem != NULL)
			return (false);
		t->elem = e.type;
		return (true);
	}
	t->type = dn_find_row(name, len);
	return (t->type != NULL);
}

/* The row of an object that is a .NET type of the table, or NULL. */
static const struct dn_type *
dn_object_row(const struct value *v)
{
	static const enum dn_id rows[] = {
		DN_GUID, DN_REGEX, DN_MATCH, DN_GROUP, DN_CAPTURE,
		DN_RUNTIMETYPE, DN_PSCUSTOMOBJECT, DN_DICTENTRY,
		DN_PSCREDENTIAL, DN_CULTUREINFO, DN_UTF8ENCODING,
		DN_ASCIIENCODING, DN_UNICODEENCODING
	};
	size_t	i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (strcmp(v->u.obj->type_name, dn_types[rows[i]].name) == 0)
			return (&dn_types[rows[i]]);
	}
	return (NULL);
}

/*
 * The type of a value.  An object of a type hubsh does not model (the
 * Exchange objects) is a PSObject, as the deserialized objects of the
 * Exchange Management Shell are.
 */
void
dn_typeof(const struct value *v, struct dn_tref *t)
{
	static const enum dn_id scalar[] = {
		[V_BOOL] = DN_BOOLEAN, [V_DOUBLE] = DN_DOUBLE,
		[V_STRING] = DN_STRING, [V_SCRIPT] = DN_SCRIPTBLOCK,
		[V_SECURE] = DN_SECURESTRING, [V_DATE] = DN_DATETIME,
		[V_FORMAT] = DN_OBJECT, [V_TIMESPAN] = DN_TIMESPAN,
		[V_CHAR] = DN_CHAR
	};

	memset(t, 0, sizeof *t);
	switch (v->type) {
	case V_NULL:
		return;
	case V_INT:
		t->type = v->u.i >= INT32_MIN && v->u.i <= INT32_MAX ?
		    DN(INT32) : DN(INT64);
		return;
	case V_ARRAY:
		switch (v->u.arr.kind) {
		case ARR_OBJECT:
		case ARR_TYPED:
			t->type = DN(ARRAYOF);
			t->elem = v->u.arr.elem != NULL ? v->u.arr.elem :
			    DN(OBJECT);
			return;
		case ARR_ARRAYLIST:
			t->type = DN(ARRAYLIST);
			return;
		case ARR_LIST:
			t->type = DN(LIST);
			t->elem = v->u.arr.elem;
			return;
		case ARR_COLLECTION:
			t->type = v->u.arr.elem;
			return;
		}
		return;
	case V_HASH:
		t->type = v->u.hash.ordered ? DN(ORDERED) : DN(HASHTABLE);
		return;
	case V_OBJECT:
		if ((t->type = dn_object_row(v)) != NULL)
			return;
		t->type = DN(PSOBJECT);
		if (v->u.obj->clr) {
			/* An ErrorRecord or an exception: its own name. */
			t->type = DN(OBJECT);
			t->name = v->u.obj->type_name;
		}
		return;
	default:
		t->type = &dn_types[scalar[v->type]];
		return;
	}
}

/*
 * Names made once and kept for the session: the full names of T[] and
 * List[T] (value_type_name hands out const strings).
 */
static const char *
dn_intern(char *s)
{
	static char	**names;
	static size_t	  n;
	size_t		  i;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], s) == 0) {
			free(s);
			return (names[i]);
		}
	}
	names = xreallocarray(names, n + 1, sizeof *names);
	names[n] = s;
	return (names[n++]);
}

/* System.String, System.String[], System.Collections.Generic.List`1[[...]] */
const char *
dn_fullname(const struct dn_tref *t)
{
	if (t->name != NULL)
		return (t->name);
	if (t->type == DN(ARRAYOF))
		return (dn_intern(xprintf("%s[]", t->elem->name)));
	if (t->type == DN(LIST))
		return (dn_intern(xprintf("%s[[%s%s]]", t->type->name,
		    t->elem->name, DN_MSCORLIB)));
	return (t->type->name);
}

/*
 * The name .NET's Type.ToString() gives, which PowerShell's conversion
 * messages quote: System.Collections.Generic.List`1[System.String].
 */
const char *
dn_typestring(const struct dn_tref *t)
{
	if (t->type == DN(LIST))
		return (dn_intern(xprintf("%s[%s]", t->type->name,
		    t->elem->name)));
	return (dn_fullname(t));
}

/* The name after the namespace: String, String[], List`1. */
static const char *
dn_shortname(const struct dn_tref *t)
{
	const char	*dot;

	if (t->name != NULL) {
		dot = strrchr(t->name, '.');
		return (dot != NULL ? dot + 1 : t->name);
	}
	if (t->type == DN(ARRAYOF)) {
		dot = strrchr(t->elem->name, '.');
		return (dn_intern(xprintf("%s[]", dot != NULL ? dot + 1 :
		    t->elem->name)));
	}
	dot = strrchr(t->type->name, '.');
	return (dot != NULL ? dot + 1 : t->type->name);
}

const char *
dotnet_type_name(const struct value *v)
{
	struct dn_tref	t;

	dn_typeof(v, &t);
	return (t.type != NULL ? dn_fullname(&t) : "System.Object");
}

/* The view of a type object: PowerShell's table, Name 40 wide. */
static const char *const dn_type_table[] = {
	"IsPublic", "IsSerial", "Name", "BaseType", NULL
};
static const struct view dn_type_view = {
	"System.RuntimeType", SHAPE_TABLE, dn_type_table, NULL
};

/*
 * A System.RuntimeType object: what GetType() and [type] alone give.
 * Its text (ToString) is the full name, which dn_resolve reads back
 * (-is, -as).
 */
struct value *
dn_type_object(const struct dn_tref *t)
{
	struct dn_tref	 base = { NULL, NULL, NULL };
	struct value	*o;
	const char	*full = dn_fullname(t), *dot, *ns;

	o = value_object(DN(RUNTIMETYPE)->name, &dn_type_view);
	object_add_const(o, "IsPublic", value_bool(true));
	object_add_const(o, "IsSerial",
	    value_bool((t->type->flags & DT_SERIAL) != 0));
	object_add_const(o, "Name", value_string(dn_shortname(t)));
	if (t->name != NULL) {
		base.type = t->type;	/* what the named type derives from */
		object_add_const(o, "BaseType", dn_type_object(&base));
	} else if (t->type != DN(OBJECT) &&
	    !(t->type->flags & DT_INTERFACE)) {
		base.type = &dn_types[t->type->base];
		object_add_const(o, "BaseType", dn_type_object(&base));
	} else
		object_add_const(o, "BaseType", value_null());
	object_add_const(o, "FullName", value_string(full));
	ns = t->name != NULL ? t->name : t->type->name;
	dot = strrchr(ns, '.');
	object_add_const(o, "Namespace", value_string_take(xstrndup(ns,
	    dot != NULL ? (size_t)(dot - ns) : 0)));
	object_add_const(o, "IsArray", value_bool(t->type == DN(ARRAYOF)));
	object_add_const(o, "IsValueType",
	    value_bool((t->type->flags & DT_VALUE) != 0));
	object_add_const(o, "IsGenericType", value_bool(t->elem != NULL &&
	    t->type != DN(ARRAYOF)));
	o->u.obj->text = xstrdup(full);
	return (o);
}

/* ------------------------------------------------------------------ */
/* -is and conversions */

/* Is v an instance of t: its own type or one of its bases, or t says. */
bool
dn_is(const struct dn_tref *t, const struct value *v)
{
	struct dn_tref		 vt;
	const struct dn_type	*r;

	if (v->type == V_NULL)
		return (false);
	if (t->type->is != NULL)
		return (t->type->is(t, v));
	dn_typeof(v, &vt);
	for (r = vt.type;; r = &dn_types[r->base]) {
		if (r == t->type) {
			/* T[] is U[] when T is U, or U is Object. */
			return (t->elem == NULL || vt.elem == t->elem ||
			    (r == DN(ARRAYOF) && t->elem == DN(OBJECT)));
		}
		if (r == DN(OBJECT))
			return (false);
	}
}

/* [pscustomobject] and [psobject] are PSObject: every object is one. */
static bool
dn_is_psobject(const struct dn_tref *t, const struct value *v)
{
	(void)t;
	return (v->type == V_OBJECT);
}

/* IEnumerable: what PowerShell enumerates, and strings. */
static bool
dn_is_enumerable(const struct dn_tref *t, const struct value *v)
{
	return (v->type == V_STRING || dn_is_list(t, v) || dn_is_dict(t, v));
}

static bool
dn_is_list(const struct dn_tref *t, const struct value *v)
{
	(void)t;
	return (v->type == V_ARRAY);
}

static bool
dn_is_dict(const struct dn_tref *t, const struct value *v)
{
	(void)t;
	return (v->type == V_HASH);
}

/* v as type t: the row's conversion, else v itself if it is one. */
struct value *
dn_convert(const struct dn_tref *t, struct value *v, struct dn_error *err)
{
	if (t->type->convert != NULL)
		return (t->type->convert(t, v, err));
	if (dn_is(t, v))
		return (value_ref(v));
	return (dn_bad_cast(err, v, dn_typestring(t)));
}

struct value *
dn_convert_to(enum dn_id id, struct value *v, struct dn_error *err)
{
	struct dn_tref	t = { &dn_types[id], NULL, NULL };

	return (dn_convert(&t, v, err));
}

/* Object: anything goes, unchanged. */
static struct value *
dn_same(const struct dn_tref *t, struct value *v, struct dn_error *err)
{
	(void)t;
	(void)err;
	return (value_ref(v));
}

/* [string]: PowerShell's text of the value ($OFS-joined for arrays). */
static struct value *
dn_to_string(const struct dn_tref *t, struct value *v, struct dn_error *err)
{
	(void)t;
	(void)err;
	if (v->type == V_STRING)
		return (value_ref(v));
	return (value_string_take(value_to_string(v)));
}

/* [bool] and [switch]: PowerShell's truth of the value. */
static struct value *
dn_to_bool(const struct dn_tref *t, struct value *v, struct dn_error *err)
{
	(void)t;
	(void)err;
	return (value_bool(value_truthy(v)));
}

/*
 * [void]: $null, which prints nothing.  (PowerShell's is no output at
 * all, so @([void]1) is empty there and holds $null here.)
 */
static struct value *
dn_to_void(const struct dn_tref *t, struct value *v, struct dn_error *err)
{
	(void)t;
	(void)v;
	(void)err;
	return (value_null());
}

/*
 * [pscustomobject]@{...}: an object with the keys as properties, in the
 * literal's order; anything else is left as it is.
 */
static struct value *
dn_to_psobject(const struct dn_tref *t, struct value *v,
    struct dn_error *err)
{
	struct value	*o;
	char		*k;
	size_t		 i;

	(void)t;
	(void)err;
	if (v->type != V_HASH)
		return (value_ref(v));
	o = value_object(DN(PSCUSTOMOBJECT)->name, NULL);
	object_reserve(o, v->u.hash.n);
	for (i = 0; i < v->u.hash.n; i++) {
		k = value_to_string(v->u.hash.e[i].key);
		object_add(o, k, value_ref(v->u.hash.e[i].val));
		free(k);
	}
	return (o);
}

/* [type]'name': the type object. */
static struct value *
dn_to_type(const struct dn_tref *t, struct value *v, struct dn_error *err)
{
	struct dn_tref	 r, type = { DN(TYPE), NULL, NULL };
	char		*s;

	if (t == NULL)
		t = &type;
	if (v->type == V_NULL || (v->type == V_OBJECT &&
	    strcmp(v->u.obj->type_name, DN(RUNTIMETYPE)->name) == 0))
		return (value_ref(v));
	if (v->type != V_STRING)
		return (dn_bad_cast(err, v, dn_fullname(t)));
	s = value_to_string(v);
	if (dn_resolve(s, &r)) {
		free(s);
		return (dn_type_object(&r));
	}
	free(s);
	dn_bad_cast(err, v, dn_fullname(t));
	if (err != NULL)
		err->id = "InvalidCastFromStringToType";
	return (NULL);
}

/* ------------------------------------------------------------------ */
/* Errors */

void
dn_error_clear(struct dn_error *err)
{
	free(err->message);
	free(err->target);
	memset(err, 0, sizeof *err);
}

struct value *
dn_fail(struct dn_error *err, const char *id, const char *category,
    const char *reason, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return (NULL);
	dn_error_clear(err);
	err->id = id;
	err->category = category;
	err->reason = reason;
	va_start(ap, fmt);
	xvasprintf(&err->message, fmt, ap);
	va_end(ap);
	return (NULL);
}

struct value *
dn_throw(struct dn_call *c, const char *exception, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	dn_fail(c->err, exception, "NotSpecified",
	    "MethodInvocationException", "Exception calling \"%s\" with "
	    "\"%zu\" argument(s): \"%s\"", strcmp(c->m->name, "new") == 0 ?
	    ".ctor" : c->m->name, c->nargs, msg);
	free(msg);
	return (NULL);
}

/*
 * .NET Framework's ArgumentOutOfRangeException message ends in a line
 * "Parameter name: x", after a CR LF; hubsh writes an LF.
 */
struct value *
dn_range(struct dn_call *c, const char *param, const char *message)
{
	return (dn_throw(c, "ArgumentOutOfRangeException",
	    "%s\nParameter name: %s", message, param));
}

/* A value text as the messages quote it. */
static char *
dn_value_text(struct value *v)
{
	if (v->type == V_ARRAY || v->type == V_HASH)
		return (xstrdup(value_type_name(v)));
	return (value_to_string(v));
}

struct value *
dn_bad_value(struct dn_error *err, const char *id, struct value *v,
    const char *type, const char *why)
{
	char	*s;

	if (err == NULL)
		return (NULL);
	s = dn_value_text(v);
	dn_fail(err, id, "InvalidArgument", "RuntimeException", "Cannot "
	    "convert value \"%s\" to type \"%s\". Error: \"%s\"", s, type,
	    why);
	free(s);
	return (NULL);
}

struct value *
dn_bad_cast(struct dn_error *err, struct value *v, const char *type)
{
	char	*s;

	if (err == NULL)
		return (NULL);
	s = dn_value_text(v);
	dn_fail(err, "ConvertToFinalInvalidCastException", "InvalidArgument",
	    "RuntimeException", "Cannot convert the \"%s\" value of type "
	    "\"%s\" to type \"%s\".", s, value_type_name(v), type);
	free(s);
	return (NULL);
}

/* $null to a value type: .NET has no null DateTime. */
struct value *
dn_bad_null(struct dn_error *err, const char *type)
{
	return (dn_fail(err, "nullToObjectInvalidCast", "InvalidArgument",
	    "RuntimeException", "Cannot convert null to type \"%s\".", type));
}

static struct value *
dn_type_not_found(struct dn_error *err, const char *name)
{
	if (err == NULL)
		return (NULL);
	dn_fail(err, "TypeNotFound", "InvalidOperation", "RuntimeException",
	    "Unable to find type [%s].", name);
	err->target = xstrdup(name);
	err->target_type = "TypeName";
	err->at_type = true;
	return (NULL);
}

static struct value *
dn_no_method(struct dn_error *err, struct value *self, const char *name)
{
	struct dn_tref	 t;
	const char	*type;

	dn_typeof(self, &t);
	type = self->type == V_OBJECT && t.type == DN(PSOBJECT) ?
	    self->u.obj->type_name : dn_fullname(&t);
	return (dn_fail(err, "MethodNotFound", "InvalidOperation",
	    "RuntimeException", "Method invocation failed because [%s] does "
	    "not contain a method named '%s'.", type, name));
}

static struct value *
dn_no_overload(struct dn_error *err, const char *name, size_t nargs)
{
	return (dn_fail(err, "MethodCountCouldNotFindBest", "NotSpecified",
	    "MethodException", "Cannot find an overload for \"%s\" and the "
	    "argument count: \"%zu\".", name, nargs));
}

/* ------------------------------------------------------------------ */
/* Arguments and numbers */

/*
 * Argument i converted to a type: -1 after PowerShell's error naming
 * the parameter, the method and the conversion's own message.
 */
int
dn_arg(struct dn_call *c, size_t i, enum dn_id id, const char *param,
    struct value **out)
{
	struct dn_error	 inner;
	char		*s;

	memset(&inner, 0, sizeof inner);
	if ((*out = dn_convert_to(id, c->args[i], &inner)) != NULL)
		return (0);
	s = dn_value_text(c->args[i]);
	dn_fail(c->err, "MethodArgumentConversionInvalidCastArgument",
	    "NotSpecified", "MethodException", "Cannot convert argument "
	    "\"%s\", with value: \"%s\", for \"%s\" to type \"%s\": \"%s\"",
	    param, s, c->m->name, dn_types[id].name, inner.message);
	free(s);
	dn_error_clear(&inner);
	return (-1);
}

int
dn_arg_int(struct dn_call *c, size_t i, const char *param, int64_t *n)
{
	struct value	*v;

	if (dn_arg(c, i, DN_INT32, param, &v) != 0)
		return (-1);
	*n = v->u.i;
	value_unref(v);
	return (0);
}

int
dn_arg_double(struct dn_call *c, size_t i, const char *param, double *d)
{
	struct value	*v;

	if (dn_arg(c, i, DN_DOUBLE, param, &v) != 0)
		return (-1);
	*d = v->u.d;
	value_unref(v);
	return (0);
}

char *
dn_arg_str(struct dn_call *c, size_t i)
{
	return (value_to_string(c->args[i]));
}

/* The blanks .NET's Trim() and number parsing skip. */
bool
dn_is_blank(uint32_t c)
{
	return (c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000);
}

/*
 * A number as PowerShell reads one from a string: blanks around it, a
 * sign, decimal digits with a fraction and an exponent, or 0x hex; ""
 * is 0.  *is_int when it has no fraction, no exponent and fits a long.
 */
bool
dn_parse_number(const char *s, double *d, int64_t *i, bool *is_int)
{
	char		*end;
	const char	*p;
	size_t		 len;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || (s[len - 1] >= '\t' &&
	    s[len - 1] <= '\r')))
		len--;
	*is_int = true;
	*i = 0;
	*d = 0;
	if (len == 0)
		return (true);
	p = s + (*s == '-' || *s == '+');
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		if (len <= (size_t)(p - s) + 2 || len > (size_t)(p - s) + 18)
			return (false);
		*i = (int64_t)strtoull(p + 2, &end, 16);
		if ((size_t)(end - s) != len)
			return (false);
		*i = *s == '-' ? -*i : *i;
		*d = (double)*i;
		return (true);
	}
	if (!isdigit((unsigned char)*p) && !(*p == '.' &&
	    isdigit((unsigned char)p[1])))
		return (false);
	*d = strtod(s, &end);
	if ((size_t)(end - s) != len)
		return (false);
	if (strcspn(s, ".eE") < len || fabs(*d) >= 9.2e18) {
		*is_int = false;
		*i = (int64_t)*d;
	} else
		*i = strtoll(s, NULL, 10);
	return (true);
}

/* Math.Round's default: to the nearest, halves to the even neighbour. */
double
dn_round_even(double d)
{
	return (rint(d));
}

char *
dotnet_double_text(double d)
{
	char	tmp[64];

	if (isnan(d))
		return (xstrdup("NaN"));
	if (isinf(d))
		return (xstrdup(d > 0 ? "Infinity" : "-Infinity"));
	if (d == 0)
		return (xstrdup("0"));
	/* C's %G switches to an exponent where .NET's "G" does. */
	snprintf(tmp, sizeof tmp, "%.15G", d);
	return (xstrdup(tmp));
}

/* ------------------------------------------------------------------ */
/* Members */

/*
 * The member name of kind (DM_PROP, DM_METHOD) for nargs arguments, in
 * the type's table and up its bases (statics: the type's own table).
 * *named says a member of that name and kind exists at all.
 */
static const struct dn_member *
dn_lookup(const struct dn_type *t, const char *name, int kind, size_t nargs,
    bool statics, bool *named)
{
	const struct dn_member	*m;

	*named = false;
	for (;;) {
		m = statics ? t->statics : t->members;
		for (; m != NULL && m->name != NULL; m++) {
			if ((m->flags & DM_METHOD) != kind ||
			    strcasecmp(m->name, name) != 0)
				continue;
			*named = true;
			if (kind == DM_PROP || ((size_t)m->min <= nargs &&
			    (m->max < 0 || nargs <= (size_t)m->max)))
				return (m);
		}
		if (statics || t == DN(OBJECT) || *named)
			return (NULL);
		t = &dn_types[t->base];
	}
}

/* The first row of a member of that name (the name as .NET spells it). */
static const char *
dn_member_name(const struct dn_type *t, const char *name, bool statics)
{
	const struct dn_member	*m;

	for (;;) {
		m = statics ? t->statics : t->members;
		for (; m != NULL && m->name != NULL; m++) {
			if (strcasecmp(m->name, name) == 0)
				return (m->name);
		}
		if (statics || t == DN(OBJECT))
			return (name);
		t = &dn_types[t->base];
	}
}

static struct value *
dn_call_member(const struct dn_member *m, const struct dn_tref *t,
    struct value *self, struct value **args, size_t nargs,
    struct dn_error *err)
{
	struct dn_call	c;

	c.self = self;
	c.args = args;
	c.nargs = nargs;
	c.m = m;
	c.t = t;
	c.err = err;
	return (m->fn(&c));
}

/* A property of the value's type (not an object's own), or NULL. */
static struct value *
dn_type_prop(const struct value *v, const char *name)
{
	const struct dn_member	*m;
	struct dn_tref		 t;
	struct dn_error		 err;
	struct value		*r;
	bool			 named;

	dn_typeof(v, &t);
	if (t.type == NULL || (m = dn_lookup(t.type, name, DM_PROP, 0, false,
	    &named)) == NULL)
		return (NULL);
	memset(&err, 0, sizeof err);
	r = dn_call_member(m, &t, (struct value *)v, NULL, 0, &err);
	dn_error_clear(&err);
	return (r != NULL ? r : value_null());
}

struct value *
dotnet_property(const struct value *v, const char *name)
{
	struct value	*m;

	if (v->type == V_OBJECT && (m = object_get(v, name)) != NULL)
		return (value_ref(m));
	if (v->type == V_HASH && (m = value_hash_get(v, name)) != NULL)
		return (value_ref(m));
	return (dn_type_prop(v, name));
}

/*
 * How deep member enumeration has gone into arrays inside arrays: past
 * SHELL_MAX_DEPTH an array has no members, so a value nested 100,000
 * deep ($a = $a, 'x' in a loop) cannot take the C stack with it.
 */
static int	dn_depth;

/* Member enumeration (PowerShell 3+): each element's member, flattened. */
static struct value *
dn_enumerate(struct value *a, const char *name)
{
	struct value	*out, *m;
	size_t		 i, j;

	if (dn_depth >= SHELL_MAX_DEPTH)
		return (value_null());
	dn_depth++;
	out = value_array();
	for (i = 0; i < a->u.arr.n; i++) {
		m = dotnet_member(a->u.arr.v[i], name);
		if (m->type == V_ARRAY) {
			for (j = 0; j < m->u.arr.n; j++)
				value_array_push(out, value_ref(m->u.arr.v[j]));
		} else
			value_array_push(out, value_ref(m));
		value_unref(m);
	}
	dn_depth--;
	return (value_collapse(out));
}

struct value *
dotnet_member(struct value *obj, const char *name)
{
	struct value	*v;

	if ((v = dotnet_property(obj, name)) != NULL)
		return (v);
	if (obj->type == V_ARRAY)
		return (dn_enumerate(obj, name));
	/* Every value has Count and Length (PowerShell 3+). */
	if (strcasecmp(name, "Count") == 0 || strcasecmp(name, "Length") == 0)
		return (value_int(obj->type == V_NULL ? 0 : 1));
	return (value_null());
}

/*
 * A method the array lacks, called on each element (PowerShell 3+):
 * the results flattened; an element without it is the error.
 */
static struct value *
dn_invoke_each(struct value *a, const char *name, struct value **args,
    size_t nargs, struct dn_error *err)
{
	struct value	*out, *r;
	size_t		 i, j;

	out = value_array();
	dn_depth++;
	for (i = 0; i < a->u.arr.n; i++) {
		if ((r = dotnet_invoke(a->u.arr.v[i], name, args, nargs,
		    err)) == NULL) {
			dn_depth--;
			value_unref(out);
			return (NULL);
		}
		for (j = 0; j < value_count(r); j++)
			value_array_push(out, value_ref(value_item(r, j)));
		value_unref(r);
	}
	dn_depth--;
	return (value_collapse(out));
}

/* Does some element of the array have a method of that name? */
static bool
dn_any_has(struct value *a, const char *name)
{
	struct dn_tref	t;
	size_t		i;
	bool		named;

	for (i = 0; i < a->u.arr.n; i++) {
		dn_typeof(a->u.arr.v[i], &t);
		if (t.type != NULL && (dn_lookup(t.type, name, DM_METHOD, 0,
		    false, &named) != NULL || named))
			return (true);
	}
	return (false);
}

struct value *
dotnet_invoke(struct value *obj, const char *name, struct value **args,
    size_t nargs, struct dn_error *err)
{
	const struct dn_member	*m;
	struct dn_tref		 t;
	bool			 named;

	if (obj->type == V_NULL)
		return (dn_fail(err, "InvokeMethodOnNull", "InvalidOperation",
		    "RuntimeException", "You cannot call a method on a "
		    "null-valued expression."));
	dn_typeof(obj, &t);
	if ((m = dn_lookup(t.type, name, DM_METHOD, nargs, false,
	    &named)) != NULL)
		return (dn_call_member(m, &t, obj, args, nargs, err));
	if (named)
		return (dn_no_overload(err, dn_member_name(t.type, name,
		    false), nargs));
	if (obj->type == V_ARRAY && obj->u.arr.kind == ARR_OBJECT &&
	    dn_depth < SHELL_MAX_DEPTH && dn_any_has(obj, name))
		return (dn_invoke_each(obj, name, args, nargs, err));
	return (dn_no_method(err, obj, name));
}

struct value *
dotnet_static(const char *type, const char *name, bool call,
    struct value **args, size_t nargs, struct dn_error *err)
{
	const struct dn_member	*m;
	struct dn_tref		 t;
	bool			 named;

	if (!dn_resolve(type, &t))
		return (dn_type_not_found(err, type));
	m = dn_lookup(t.type, name, call ? DM_METHOD : DM_PROP, nargs, true,
	    &named);
	if (m != NULL)
		return (dn_call_member(m, &t, NULL, args, nargs, err));
	if (!call)
		return (value_null());
	if (named)
		return (dn_no_overload(err, dn_member_name(t.type, name, true),
		    nargs));
	return (dn_fail(err, "MethodNotFound", "InvalidOperation",
	    "RuntimeException", "Method invocation failed because [%s] does "
	    "not contain a method named '%s'.", dn_fullname(&t), name));
}

struct value *
dotnet_new(const char *type, struct value **args, size_t nargs,
    struct dn_error *err)
{
	const struct dn_member	*m;
	struct dn_tref		 t;
	bool			 named;

	if (!dn_resolve(type, &t)) {
		dn_fail(err, "TypeNotFound", "InvalidType",
		    "PSArgumentException", "Cannot find type [%s]: verify "
		    "that the assembly containing this type is loaded.", type);
		return (NULL);
	}
	m = dn_lookup(t.type, "new", DM_METHOD, nargs, true, &named);
	if (m != NULL)
		return (dn_call_member(m, &t, NULL, args, nargs, err));
	if (named)
		return (dn_fail(err, "ConstructorInvokedThrowException",
		    "InvalidOperation", "MethodException", "Cannot find an "
		    "overload for \"%s\" and the argument count: \"%zu\".",
		    dn_shortname(&t), nargs));
	return (dn_fail(err, "CannotFindAppropriateCtor", "ObjectNotFound",
	    "PSArgumentException", "A constructor was not found. Cannot find "
	    "an appropriate constructor for type %s.", dn_fullname(&t)));
}

struct value *
dotnet_cast(const char *type, struct value *v, struct dn_error *err)
{
	struct dn_tref	t;

	if (!dn_resolve(type, &t))
		return (dn_type_not_found(err, type));
	return (dn_convert(&t, v, err));
}

struct value *
dotnet_type_value(const char *type, struct dn_error *err)
{
	struct dn_tref	t;

	if (!dn_resolve(type, &t))
		return (dn_type_not_found(err, type));
	return (dn_type_object(&t));
}

/*
 * The right operand of -is and -as: a type object or a type's name (a
 * name of no type is the error of converting it to System.Type).
 */
static bool
dn_operand_type(struct value *tv, struct dn_tref *t, struct dn_error *err)
{
	char	*s;
	bool	 ok;

	if (tv->type == V_OBJECT && tv->u.obj->text != NULL &&
	    strcmp(tv->u.obj->type_name, DN(RUNTIMETYPE)->name) == 0)
		return (dn_resolve(tv->u.obj->text, t));
	s = value_to_string(tv);
	if (!(ok = dn_resolve(s, t)))
		dn_to_type(NULL, tv, err);
	free(s);
	return (ok);
}

struct value *
dotnet_typeop(enum op op, struct value *v, struct value *tv,
    struct dn_error *err)
{
	struct dn_tref	 t;
	struct value	*r;

	if (!dn_operand_type(tv, &t, err))
		return (NULL);
	if (op == OP_AS) {
		r = dn_convert(&t, v, NULL);
		return (r != NULL ? r : value_null());
	}
	return (value_bool(dn_is(&t, v) == (op == OP_IS)));
}

struct value *
dotnet_arith(enum op op, struct value *l, struct value *r,
    struct dn_error *err)
{
	return (dn_date_arith(op, l, r, err));
}

struct value *
dotnet_index(struct value *v, struct value *idx)
{
	return (dn_coll_index(v, idx));
}

struct value *
dotnet_display(const struct value *v, bool json)
{
	if (v->type == V_TIMESPAN)
		return (dn_span_object(v->u.ticks, json));
	return (NULL);
}

/* ------------------------------------------------------------------ */
/* System.Object */

/*
 * ToString(), and ToString(format) of a number: the format as -f takes
 * it ("N2", "0.00", "D3").
 */
static struct value *
dn_obj_tostring(struct dn_call *c)
{
	struct value	*fmt, *r;
	const char	*id;
	char		*f, *msg;

	if (c->nargs == 0 || (c->self->type != V_INT &&
	    c->self->type != V_DOUBLE))
		return (value_string_take(value_to_string(c->self)));
	f = dn_arg_str(c, 0);
	fmt = value_string_take(xprintf("{0:%s}", f));
	free(f);
	r = strop_format(fmt, c->self, &id, &msg);
	value_unref(fmt);
	if (r == NULL) {
		dn_throw(c, "FormatException", "Format specifier was "
		    "invalid.");
		free(msg);
	}
	return (r);
}

static struct value *
dn_obj_gettype(struct dn_call *c)
{
	return (dn_type_object(c->t));
}

static struct value *
dn_obj_equals(struct dn_call *c)
{
	return (value_bool(dn_equals(c->self, c->args[0])));
}

/*
 * Object.Equals: the same type and value (numbers of either kind by
 * value); strings compare ordinally (case counts); collections and
 * objects are equal only to themselves, but for the value types hubsh
 * keeps as objects (Guid), equal by their text.
 */
bool
dn_equals(struct value *a, struct value *b)
{
	char	*x, *y;
	bool	 eq;

	if (a->type == V_NULL || b->type == V_NULL)
		return (a->type == b->type);
	if (a->type != b->type && !((a->type == V_INT ||
	    a->type == V_DOUBLE) && (b->type == V_INT || b->type == V_DOUBLE)))
		return (false);
	if (a->type == V_DATE)
		return (a->u.date == b->u.date);
	if (a->type == V_TIMESPAN)
		return (a->u.ticks == b->u.ticks);
	if (a->type == V_OBJECT && a->u.obj->text != NULL &&
	    b->u.obj->text != NULL)
		return (strcmp(a->u.obj->type_name, b->u.obj->type_name) ==
		    0 && strcmp(a->u.obj->text, b->u.obj->text) == 0);
	if (a->type == V_ARRAY || a->type == V_HASH || a->type == V_OBJECT)
		return (a == b);
	x = value_to_string(a);
	y = value_to_string(b);
	eq = strcmp(x, y) == 0;
	free(x);
	free(y);
	return (eq);
}

/* A hash code: stable for equal values in one session, like .NET's. */
static struct value *
dn_obj_hashcode(struct dn_call *c)
{
	uint32_t	 h = 2166136261u;
	char		*s, *p;

	s = value_to_string(c->self);
	for (p = s; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	free(s);
	return (value_int((int32_t)h));
}
