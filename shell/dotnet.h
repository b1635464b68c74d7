/*
 * dotnet.h - the .NET type table and what its files share.
 *
 * dotnet.c holds the table (dn_types[]: one row per type, indexed by
 * enum dn_id), type names, the dispatch of members, conversions and the
 * type operators.  The members themselves live with their family:
 * dotnet_string.c (String, Char, Regex and its Match, Encoding, Convert),
 * dotnet_time.c (DateTime, TimeSpan), dotnet_coll.c (arrays, ArrayList,
 * List[T], Hashtable, [ordered]) and dotnet_sys.c (Math, Environment,
 * IO.Path, Guid, the numbers, CultureInfo).  Only these files include
 * this header; the rest of the shell sees shell.h's dotnet_* functions.
 */
#ifndef HUBSH_DOTNET_H
#define HUBSH_DOTNET_H

#include "shell.h"

/* Every row of dn_types[]; DN(STRING) is the row of System.String. */
enum dn_id {
	DN_OBJECT,
	DN_VALUETYPE,
	DN_STRING,
	DN_CHAR,
	DN_BOOLEAN,
	DN_BYTE,
	DN_INT32,
	DN_INT64,
	DN_DOUBLE,
	DN_DATETIME,
	DN_TIMESPAN,
	DN_GUID,
	DN_ARRAY,		/* System.Array, [array] */
	DN_ARRAYOF,		/* T[]: elem T (Object[]: elem Object) */
	DN_ARRAYLIST,
	DN_LIST,		/* List`1 */
	DN_HASHTABLE,
	DN_ORDERED,
	DN_DICTENTRY,
	DN_IENUMERABLE,
	DN_ICOLLECTION,
	DN_ILIST,
	DN_IDICTIONARY,
	DN_PSOBJECT,
	DN_PSCUSTOMOBJECT,
	DN_SCRIPTBLOCK,
	DN_SECURESTRING,
	DN_PSCREDENTIAL,
	DN_SWITCH,
	DN_VOID,
	DN_TYPE,
	DN_RUNTIMETYPE,
	DN_MATH,
	DN_CONVERT,
	DN_ENVIRONMENT,
	DN_PATH,
	DN_REGEX,
	DN_CAPTURE,
	DN_GROUP,
	DN_MATCH,
	DN_GROUPCOLL,
	DN_MATCHCOLL,
	DN_ENCODING,
	DN_UTF8ENCODING,
	DN_ASCIIENCODING,
	DN_UNICODEENCODING,
	DN_CULTUREINFO,
	DN_CAPTURECOLL,
	DN_SPLITOPTIONS,
	DN_REGEXOPTIONS,
	DN_COMPARISON,
	DN_MIDPOINT,
	DN_NTYPES
};

#define DN(x)		(&dn_types[DN_##x])

/*
 * The most items a list, and characters a string a method pads or
 * repeats, may have: past it .NET's OutOfMemoryException, rather than
 * a runaway script taking all memory.
 */
#define DN_LIMIT	(16 * 1024 * 1024)

/* A member call: the instance (NULL for a static), its arguments. */
struct dn_call {
	struct value		 *self;
	struct value		**args;
	size_t			  nargs;
	const struct dn_member	 *m;
	const struct dn_tref	 *t;		/* the type called on */
	struct dn_error		 *err;
};

typedef struct value	*(*dn_fn)(struct dn_call *);

#define DM_PROP		0x0	/* a property: no arguments */
#define DM_METHOD	0x1	/* a method: min..max arguments */

/*
 * A member.  A name may have several rows (overloads by argument
 * count); the first whose count fits is called.
 */
struct dn_member {
	const char	*name;
	int		 flags;
	int		 min;
	int		 max;		/* -1: any number */
	dn_fn		 fn;
};

#define DN_PROP(n, f)		{ (n), DM_PROP, 0, 0, (f) }
#define DN_METHOD(n, lo, hi, f)	{ (n), DM_METHOD, (lo), (hi), (f) }
#define DN_END			{ NULL, 0, 0, 0, NULL }

/* A type and, for T[] and List[T], its element type. */
struct dn_tref {
	const struct dn_type	*type;
	const struct dn_type	*elem;
	const char		*name;	/* an object's own .NET type (clr),
					   of which type is the base */
};

#define DT_SERIAL	0x01	/* IsSerial (the RuntimeType table) */
#define DT_VALUE	0x02	/* a value type: never $null */
#define DT_GENERIC	0x04	/* takes [T] */
#define DT_INTERFACE	0x08	/* -is only: no values of its own */

struct dn_type {
	const char		*name;		/* full name */
	const char		*const *aliases; /* accelerators, or NULL */
	enum dn_id		 base;		/* Object's is itself */
	int			 flags;
	const struct dn_member	*statics;
	const struct dn_member	*members;
	/* v as this type, or NULL (and *err unless err is NULL). */
	struct value		*(*convert)(const struct dn_tref *,
				    struct value *, struct dn_error *);
	/* Is v one of these, beyond the base chain?  NULL: the chain. */
	bool			(*is)(const struct dn_tref *,
				    const struct value *);
};

extern const struct dn_type	dn_types[DN_NTYPES];

/* The members, by family (NULL-named last row). */
extern const struct dn_member	dn_object_members[];
extern const struct dn_member	dn_string_members[], dn_string_statics[];
extern const struct dn_member	dn_char_statics[];
extern const struct dn_member	dn_regex_members[], dn_regex_statics[];
extern const struct dn_member	dn_encoding_members[];
extern const struct dn_member	dn_encoding_statics[];
extern const struct dn_member	dn_convert_statics[];
extern const struct dn_member	dn_date_members[], dn_date_statics[];
extern const struct dn_member	dn_span_members[], dn_span_statics[];
extern const struct dn_member	dn_array_members[], dn_array_statics[];
extern const struct dn_member	dn_list_members[], dn_list_statics[];
extern const struct dn_member	dn_hash_members[], dn_hash_statics[];
extern const struct dn_member	dn_math_statics[], dn_env_statics[];
extern const struct dn_member	dn_path_statics[], dn_guid_members[];
extern const struct dn_member	dn_guid_statics[], dn_int32_statics[];
extern const struct dn_member	dn_int64_statics[], dn_byte_statics[];
extern const struct dn_member	dn_double_statics[], dn_bool_statics[];
extern const struct dn_member	dn_culture_statics[];
extern const struct dn_member	dn_splitopt_statics[];
extern const struct dn_member	dn_regexopt_statics[];
extern const struct dn_member	dn_comparison_statics[];
extern const struct dn_member	dn_midpoint_statics[];

/* dotnet.c: types. */
bool		 dn_resolve(const char *, struct dn_tref *);
void		 dn_typeof(const struct value *, struct dn_tref *);
const char	*dn_fullname(const struct dn_tref *);
const char	*dn_typestring(const struct dn_tref *);
struct value	*dn_type_object(const struct dn_tref *);
bool		 dn_is(const struct dn_tref *, const struct value *);
bool		 dn_equals(struct value *, struct value *);
struct value	*dn_convert(const struct dn_tref *, struct value *,
		     struct dn_error *);
struct value	*dn_convert_to(enum dn_id, struct value *,
		     struct dn_error *);

/* dotnet.c: errors.  Each returns NULL, for `return (dn_fail(...))`. */
struct value	*dn_fail(struct dn_error *, const char *id,
		     const char *category, const char *reason,
		     const char *fmt, ...)
		     __attribute__((format(printf, 5, 6)));
/* A .NET exception from a method: 'Exception calling "M" with ...'. */
struct value	*dn_throw(struct dn_call *, const char *exception,
		     const char *fmt, ...)
		     __attribute__((format(printf, 3, 4)));
/* An ArgumentOutOfRangeException with its "Parameter name:" line. */
struct value	*dn_range(struct dn_call *, const char *param,
		     const char *message);
/* 'Cannot convert value "v" to type "T". Error: "why"'. */
struct value	*dn_bad_value(struct dn_error *, const char *id,
		     struct value *, const char *type, const char *why);
/* 'Cannot convert null to type "T".' */
struct value	*dn_bad_null(struct dn_error *, const char *type);
/* 'Cannot convert the "v" value of type "A" to type "T".' */
struct value	*dn_bad_cast(struct dn_error *, struct value *,
		     const char *type);

/* dotnet.c: arguments, converted for parameter param of the member. */
int		 dn_arg(struct dn_call *, size_t, enum dn_id, const char *,
		     struct value **);
int		 dn_arg_int(struct dn_call *, size_t, const char *,
		     int64_t *);
int		 dn_arg_double(struct dn_call *, size_t, const char *,
		     double *);
char		*dn_arg_str(struct dn_call *, size_t);

/* dotnet.c: numbers. */
bool		 dn_parse_number(const char *, double *, int64_t *, bool *);
double		 dn_round_even(double);
bool		 dn_is_blank(uint32_t);

/* dotnet_string.c: UTF-16 positions, as .NET counts characters. */
size_t		 dn_u16_len(const char *);
size_t		 dn_u16_offset(const char *, size_t);
uint32_t	 dn_fold(uint32_t, bool upper);
struct value	*dn_char_convert(const struct dn_tref *, struct value *,
		     struct dn_error *);
struct value	*dn_regex_convert(const struct dn_tref *, struct value *,
		     struct dn_error *);

/* dotnet_time.c. */
struct value	*dn_date_convert(const struct dn_tref *, struct value *,
		     struct dn_error *);
struct value	*dn_span_convert(const struct dn_tref *, struct value *,
		     struct dn_error *);
struct value	*dn_span_object(int64_t ticks, bool json);
struct value	*dn_date_arith(enum op, struct value *, struct value *,
		     struct dn_error *);

/* dotnet_coll.c. */
struct value	*dn_list_new(enum arr_kind, const struct dn_type *elem);
struct value	*dn_array_convert(const struct dn_tref *, struct value *,
		     struct dn_error *);
struct value	*dn_list_convert(const struct dn_tref *, struct value *,
		     struct dn_error *);
struct value	*dn_hash_convert(const struct dn_tref *, struct value *,
		     struct dn_error *);
struct value	*dn_coll_index(struct value *, struct value *);

/* dotnet_sys.c. */
struct value	*dn_guid_convert(const struct dn_tref *, struct value *,
		     struct dn_error *);
struct value	*dn_int_convert(const struct dn_tref *, struct value *,
		     struct dn_error *);
struct value	*dn_double_convert(const struct dn_tref *, struct value *,
		     struct dn_error *);
/* Int32.Parse (Int64, Byte), Double.Parse, Boolean.Parse of args[0]. */
struct value	*dn_int_parse(struct dn_call *, enum dn_id);
struct value	*dn_double_parse(struct dn_call *);
struct value	*dn_bool_parse(struct dn_call *);

#endif
