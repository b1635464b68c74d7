/*
 * dotnet_sys.c - System.Math, System.Environment, System.IO.Path,
 * System.Guid, the numbers (Int32, Int64, Byte, Double, Boolean) and
 * CultureInfo.
 *
 * The machine is hubsh's, not a Windows one: Environment's names are
 * the host's and its NewLine is "\n", the line end hubsh writes; Path
 * is POSIX (/ separates, a path is rooted at /, GetTempPath is $TMPDIR
 * or /tmp/).  Integers are V_INTs, Int32 or Int64 by their size, so
 * [long]5 is an Int32 to GetType(); conversions to them check their
 * own range.
 */
#include <sys/types.h>

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "dotnet.h"
#include "xmalloc.h"

static char		*dn_guid_parse(const char *);
static struct value	*dn_guid_object(const char *);

static struct value	*m_const(struct dn_call *);
static struct value	*m_round(struct dn_call *);
static struct value	*m_unary(struct dn_call *);
static struct value	*m_log(struct dn_call *);
static struct value	*m_pow(struct dn_call *);
static struct value	*m_abs(struct dn_call *);
static struct value	*m_minmax(struct dn_call *);
static struct value	*m_sign(struct dn_call *);
static struct value	*env_machine(struct dn_call *);
static struct value	*env_user(struct dn_call *);
static struct value	*env_newline(struct dn_call *);
static struct value	*env_cwd(struct dn_call *);
static struct value	*env_cpus(struct dn_call *);
static struct value	*env_64bit(struct dn_call *);
static struct value	*env_getvar(struct dn_call *);
static struct value	*path_combine(struct dn_call *);
static struct value	*path_filename(struct dn_call *);
static struct value	*path_basename(struct dn_call *);
static struct value	*path_extension(struct dn_call *);
static struct value	*path_dirname(struct dn_call *);
static struct value	*path_changeext(struct dn_call *);
static struct value	*path_temp(struct dn_call *);
static struct value	*path_rooted(struct dn_call *);
static struct value	*path_full(struct dn_call *);
static struct value	*path_sep(struct dn_call *);
static struct value	*guid_new(struct dn_call *);
static struct value	*guid_empty(struct dn_call *);
static struct value	*guid_parse(struct dn_call *);
static struct value	*guid_tostring(struct dn_call *);
static struct value	*int_limit(struct dn_call *);
static struct value	*int_parse(struct dn_call *);
static struct value	*dbl_const(struct dn_call *);
static struct value	*bool_const(struct dn_call *);
static struct value	*culture_get(struct dn_call *);

const struct dn_member dn_math_statics[] = {
	DN_PROP("PI", m_const),
	DN_PROP("E", m_const),
	DN_METHOD("Round", 1, 3, m_round),
	DN_METHOD("Floor", 1, 1, m_unary),
	DN_METHOD("Ceiling", 1, 1, m_unary),
	DN_METHOD("Truncate", 1, 1, m_unary),
	DN_METHOD("Sqrt", 1, 1, m_unary),
	DN_METHOD("Log10", 1, 1, m_unary),
	DN_METHOD("Exp", 1, 1, m_unary),
	DN_METHOD("Log", 1, 2, m_log),
	DN_METHOD("Pow", 2, 2, m_pow),
	DN_METHOD("Abs", 1, 1, m_abs),
	DN_METHOD("Max", 2, 2, m_minmax),
	DN_METHOD("Min", 2, 2, m_minmax),
	DN_METHOD("Sign", 1, 1, m_sign),
	DN_END
};

const struct dn_member dn_env_statics[] = {
	DN_PROP("MachineName", env_machine),
	DN_PROP("UserDomainName", env_machine),
	DN_PROP("UserName", env_user),
	DN_PROP("NewLine", env_newline),
	DN_PROP("CurrentDirectory", env_cwd),
	DN_PROP("ProcessorCount", env_cpus),
	DN_PROP("Is64BitProcess", env_64bit),
	DN_PROP("Is64BitOperatingSystem", env_64bit),
	DN_METHOD("GetEnvironmentVariable", 1, 2, env_getvar),
	DN_END
};

const struct dn_member dn_path_statics[] = {
	DN_PROP("DirectorySeparatorChar", path_sep),
	DN_PROP("AltDirectorySeparatorChar", path_sep),
	DN_PROP("PathSeparator", path_sep),
	DN_METHOD("Combine", 1, -1, path_combine),
	DN_METHOD("GetFileName", 1, 1, path_filename),
	DN_METHOD("GetFileNameWithoutExtension", 1, 1, path_basename),
	DN_METHOD("GetExtension", 1, 1, path_extension),
	DN_METHOD("GetDirectoryName", 1, 1, path_dirname),
	DN_METHOD("ChangeExtension", 2, 2, path_changeext),
	DN_METHOD("GetTempPath", 0, 0, path_temp),
	DN_METHOD("IsPathRooted", 1, 1, path_rooted),
	DN_METHOD("GetFullPath", 1, 1, path_full),
	DN_END
};

const struct dn_member dn_guid_statics[] = {
	DN_PROP("Empty", guid_empty),
	DN_METHOD("NewGuid", 0, 0, guid_new),
	DN_METHOD("Parse", 1, 1, guid_parse),
	DN_METHOD("new", 1, 1, guid_parse),
	DN_END
};

const struct dn_member dn_guid_members[] = {
	DN_METHOD("ToString", 0, 1, guid_tostring),
	DN_END
};

const struct dn_member dn_int32_statics[] = {
	DN_PROP("MaxValue", int_limit),
	DN_PROP("MinValue", int_limit),
	DN_METHOD("Parse", 1, 2, int_parse),
	DN_END
};

const struct dn_member dn_int64_statics[] = {
	DN_PROP("MaxValue", int_limit),
	DN_PROP("MinValue", int_limit),
	DN_METHOD("Parse", 1, 2, int_parse),
	DN_END
};

const struct dn_member dn_byte_statics[] = {
	DN_PROP("MaxValue", int_limit),
	DN_PROP("MinValue", int_limit),
	DN_METHOD("Parse", 1, 2, int_parse),
	DN_END
};

const struct dn_member dn_double_statics[] = {
	DN_PROP("MaxValue", dbl_const),
	DN_PROP("MinValue", dbl_const),
	DN_PROP("Epsilon", dbl_const),
	DN_PROP("NaN", dbl_const),
	DN_PROP("PositiveInfinity", dbl_const),
	DN_PROP("NegativeInfinity", dbl_const),
	DN_METHOD("Parse", 1, 2, dn_double_parse),
	DN_END
};

const struct dn_member dn_bool_statics[] = {
	DN_PROP("TrueString", bool_const),
	DN_PROP("FalseString", bool_const),
	DN_METHOD("Parse", 1, 1, dn_bool_parse),
	DN_END
};

const struct dn_member dn_culture_statics[] = {
	DN_PROP("InvariantCulture", culture_get),
	DN_PROP("CurrentCulture", culture_get),
	DN_PROP("CurrentUICulture", culture_get),
	DN_END
};

/* ------------------------------------------------------------------ */
/* Math */

static struct value *
m_const(struct dn_call *c)
{
	return (value_double(strcmp(c->m->name, "PI") == 0 ? M_PI : M_E));
}

/*
 * Round(x), Round(x, digits), Round(x, mode), Round(x, digits, mode):
 * to even unless the MidpointRounding is AwayFromZero, as .NET
 * Framework computes it (x scaled by 10^digits, rounded, scaled back).
 */
static struct value *
m_round(struct dn_call *c)
{
	double	 x, scale, frac, ip;
	int64_t	 digits = 0;
	char	*mode = NULL;
	bool	 away;

	if (dn_arg_double(c, 0, "value", &x) != 0)
		return (NULL);
	if (c->nargs == 3 || (c->nargs == 2 &&
	    c->args[1]->type == V_STRING))
		mode = dn_arg_str(c, c->nargs - 1);
	if ((c->nargs == 3 || (c->nargs == 2 && mode == NULL)) &&
	    dn_arg_int(c, 1, "digits", &digits) != 0) {
		free(mode);
		return (NULL);
	}
	away = mode != NULL && strcasecmp(mode, "AwayFromZero") == 0;
	if (mode != NULL && !away && strcasecmp(mode, "ToEven") != 0) {
		dn_fail(c->err, "MethodArgumentConversionInvalidCastArgument",
		    "NotSpecified", "MethodException", "Cannot convert "
		    "argument \"mode\", with value: \"%s\", for \"Round\" to type "
		    "\"System.MidpointRounding\": \"Cannot convert value "
		    "\"%s\" to type \"System.MidpointRounding\". Error: "
		    "\"Unable to match the identifier name %s to a valid "
		    "enumerator name. Specify one of the following enumerator "
		    "names and try again:\nToEven, AwayFromZero\"\"", mode,
		    mode, mode);
		free(mode);
		return (NULL);
	}
	free(mode);
	if (digits < 0 || digits > 15)
		return (dn_range(c, "digits", "Rounding digits must be between "
		    "0 and 15, inclusive."));
	if (fabs(x) >= 1e16)
		return (value_double(x));
	scale = pow(10, (double)digits);
	x *= scale;
	if (away) {
		frac = modf(x, &ip);
		x = fabs(frac) >= 0.5 ? ip + (frac < 0 ? -1 : 1) : ip;
	} else
		x = dn_round_even(x);
	return (value_double(x / scale));
}

/* Floor, Ceiling, Truncate, Sqrt, Log10, Exp: C's function of that name. */
static struct value *
m_unary(struct dn_call *c)
{
	static const struct {
		const char	*name;
		double		(*fn)(double);
	} fns[] = {
		{ "Floor", floor }, { "Ceiling", ceil }, { "Truncate", trunc },
		{ "Sqrt", sqrt }, { "Log10", log10 }, { "Exp", exp },
	};
	double	x;
	size_t	i;

	if (dn_arg_double(c, 0, "d", &x) != 0)
		return (NULL);
	for (i = 0; strcmp(fns[i].name, c->m->name) != 0; i++)
		continue;
	return (value_double(fns[i].fn(x)));
}

static struct value *
m_log(struct dn_call *c)
{
	double	x, b;

	if (dn_arg_double(c, 0, "a", &x) != 0)
		return (NULL);
	if (c->nargs == 1)
		return (value_double(log(x)));
	if (dn_arg_double(c, 1, "newBase", &b) != 0)
		return (NULL);
	return (value_double(log(x) / log(b)));
}

static struct value *
m_pow(struct dn_call *c)
{
	double	x, y;

	if (dn_arg_double(c, 0, "x", &x) != 0 ||
	    dn_arg_double(c, 1, "y", &y) != 0)
		return (NULL);
	return (value_double(pow(x, y)));
}

/* Are all the arguments integers (the Int32/Int64 overloads)? */
static bool
dn_all_ints(struct dn_call *c)
{
	size_t	i;

	for (i = 0; i < c->nargs; i++) {
		if (c->args[i]->type != V_INT)
			return (false);
	}
	return (true);
}

static struct value *
m_abs(struct dn_call *c)
{
	double	x;

	if (dn_all_ints(c)) {
		if (c->args[0]->u.i == INT32_MIN || c->args[0]->u.i ==
		    INT64_MIN)
			return (dn_throw(c, "OverflowException", "Negating the "
			    "minimum value of a twos complement number is "
			    "invalid."));
		return (value_int(llabs(c->args[0]->u.i)));
	}
	if (dn_arg_double(c, 0, "value", &x) != 0)
		return (NULL);
	return (value_double(fabs(x)));
}

static struct value *
m_minmax(struct dn_call *c)
{
	double	a, b;
	bool	max = strcmp(c->m->name, "Max") == 0;

	if (dn_all_ints(c))
		return (value_int(max == (c->args[0]->u.i > c->args[1]->u.i) ?
		    c->args[0]->u.i : c->args[1]->u.i));
	if (dn_arg_double(c, 0, "val1", &a) != 0 ||
	    dn_arg_double(c, 1, "val2", &b) != 0)
		return (NULL);
	if (isnan(a) || isnan(b))
		return (value_double(NAN));
	return (value_double(max == (a > b) ? a : b));
}

static struct value *
m_sign(struct dn_call *c)
{
	double	x;

	if (dn_arg_double(c, 0, "value", &x) != 0)
		return (NULL);
	if (isnan(x))
		return (dn_throw(c, "ArithmeticException", "Function does not "
		    "accept floating point Not-a-Number values."));
	return (value_int(x > 0 ? 1 : x < 0 ? -1 : 0));
}

/* ------------------------------------------------------------------ */
/* Environment */

/* The host's name, up to its first dot. */
static struct value *
env_machine(struct dn_call *c)
{
	char	host[256];

	(void)c;
	if (gethostname(host, sizeof host) != 0)
		return (value_string("localhost"));
	host[sizeof host - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	return (value_string(host));
}

static struct value *
env_user(struct dn_call *c)
{
	struct passwd	*pw;
	const char	*u;

	(void)c;
	if ((pw = getpwuid(geteuid())) != NULL)
		return (value_string(pw->pw_name));
	u = getenv("USER");
	return (value_string(u != NULL ? u : ""));
}

static struct value *
env_newline(struct dn_call *c)
{
	(void)c;
	return (value_string("\n"));
}

static struct value *
env_cwd(struct dn_call *c)
{
	char	*cwd;

	(void)c;
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return (value_string("/"));
	return (value_string_take(cwd));
}

static struct value *
env_cpus(struct dn_call *c)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	(void)c;
	return (value_int(n > 0 ? n : 1));
}

static struct value *
env_64bit(struct dn_call *c)
{
	(void)c;
	return (value_bool(sizeof(void *) == 8));
}

static struct value *
env_getvar(struct dn_call *c)
{
	const char	*v;
	char		*name;

	name = dn_arg_str(c, 0);
	v = getenv(name);
	free(name);
	return (v != NULL ? value_string(v) : value_null());
}

/* ------------------------------------------------------------------ */
/* IO.Path (POSIX) */

static struct value *
path_sep(struct dn_call *c)
{
	return (value_char(strcmp(c->m->name, "PathSeparator") == 0 ? ':' :
	    '/'));
}

/* Combine: a rooted part starts over; parts are joined with one /. */
static struct value *
path_combine(struct dn_call *c)
{
	struct value	**v;
	struct buf	  b;
	size_t		  n, i;
	char		 *p;

	if (c->nargs == 1 && c->args[0]->type == V_ARRAY) {
		v = c->args[0]->u.arr.v;
		n = c->args[0]->u.arr.n;
	} else {
		v = c->args;
		n = c->nargs;
	}
	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < n; i++) {
		if (v[i]->type == V_NULL) {
			buf_free(&b);
			return (dn_throw(c, "ArgumentNullException", "Value "
			    "cannot be null.\nParameter name: paths"));
		}
		p = value_to_string(v[i]);
		if (*p == '/')
			buf_reset(&b);
		else if (*p != '\0' && b.len > 0 && b.s[b.len - 1] != '/')
			buf_addc(&b, '/');
		buf_adds(&b, p);
		free(p);
	}
	return (value_string_take(buf_detach(&b)));
}

/* The last part of a path (after its last /). */
static const char *
dn_path_file(const char *p)
{
	const char	*slash = strrchr(p, '/');

	return (slash != NULL ? slash + 1 : p);
}

static struct value *
path_filename(struct dn_call *c)
{
	char		*p;
	struct value	*r;

	if (c->args[0]->type == V_NULL)
		return (value_null());
	p = dn_arg_str(c, 0);
	r = value_string(dn_path_file(p));
	free(p);
	return (r);
}

/* The extension's dot in the file part, or NULL (none, or "x."). */
static const char *
dn_path_dot(const char *file)
{
	const char	*dot = strrchr(file, '.');

	return (dot != NULL && dot[1] != '\0' ? dot : NULL);
}

static struct value *
path_basename(struct dn_call *c)
{
	const char	*file, *dot;
	char		*p;
	struct value	*r;

	if (c->args[0]->type == V_NULL)
		return (value_null());
	p = dn_arg_str(c, 0);
	file = dn_path_file(p);
	dot = strrchr(file, '.');
	r = value_string_take(xstrndup(file, dot != NULL ?
	    (size_t)(dot - file) : strlen(file)));
	free(p);
	return (r);
}

static struct value *
path_extension(struct dn_call *c)
{
	const char	*dot;
	char		*p;
	struct value	*r;

	if (c->args[0]->type == V_NULL)
		return (value_null());
	p = dn_arg_str(c, 0);
	dot = dn_path_dot(dn_path_file(p));
	r = value_string(dot != NULL ? dot : "");
	free(p);
	return (r);
}

/* GetDirectoryName: the path up to its last /; "/" for a file in /,
 * $null for / itself and for no path, "" for a name alone. */
static struct value *
path_dirname(struct dn_call *c)
{
	const char	*slash;
	char		*p;
	struct value	*r;
	size_t		 n;

	if (c->args[0]->type == V_NULL)
		return (value_null());
	p = dn_arg_str(c, 0);
	if (*p == '\0') {
		free(p);
		return (dn_throw(c, "ArgumentException", "The path is not of "
		    "a legal form."));
	}
	if (strcmp(p, "/") == 0) {
		free(p);
		return (value_null());
	}
	if ((slash = strrchr(p, '/')) == NULL)
		r = value_string("");
	else {
		for (n = (size_t)(slash - p); n > 1 && p[n - 1] == '/'; n--)
			continue;
		r = value_string_take(xstrndup(p, n == 0 ? 1 : n));
	}
	free(p);
	return (r);
}

static struct value *
path_changeext(struct dn_call *c)
{
	const char	*dot;
	char		*p, *e, *r;

	if (c->args[0]->type == V_NULL)
		return (value_null());
	p = dn_arg_str(c, 0);
	if ((dot = strrchr(dn_path_file(p), '.')) != NULL)
		p[dot - p] = '\0';
	if (c->args[1]->type == V_NULL)
		return (value_string_take(p));
	e = dn_arg_str(c, 1);
	r = xprintf("%s%s%s", p, *e == '.' ? "" : ".", e);
	free(p);
	free(e);
	return (value_string_take(r));
}

static struct value *
path_temp(struct dn_call *c)
{
	const char	*t = getenv("TMPDIR");

	(void)c;
	if (t == NULL || *t == '\0')
		t = "/tmp";
	return (value_string_take(xprintf("%s%s", t,
	    t[strlen(t) - 1] == '/' ? "" : "/")));
}

static struct value *
path_rooted(struct dn_call *c)
{
	char	*p;
	bool	 r;

	p = dn_arg_str(c, 0);
	r = *p == '/';
	free(p);
	return (value_bool(r));
}

/* GetFullPath: from the current directory, . and .. resolved. */
static struct value *
path_full(struct dn_call *c)
{
	struct buf	 b;
	char		*p, *cwd, *all, *seg, *save;

	p = dn_arg_str(c, 0);
	if (*p == '\0') {
		free(p);
		return (dn_throw(c, "ArgumentException", "The path is not of "
		    "a legal form."));
	}
	cwd = *p == '/' ? xstrdup("") : getcwd(NULL, 0);
	all = xprintf("%s/%s", cwd != NULL ? cwd : "", p);
	free(cwd);
	free(p);
	buf_init(&b);
	buf_adds(&b, "");
	for (seg = strtok_r(all, "/", &save); seg != NULL;
	    seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			while (b.len > 0 && b.s[--b.len] != '/')
				continue;
			b.s[b.len] = '\0';
			continue;
		}
		buf_addc(&b, '/');
		buf_adds(&b, seg);
	}
	free(all);
	if (b.len == 0)
		buf_addc(&b, '/');
	return (value_string_take(buf_detach(&b)));
}

/* ------------------------------------------------------------------ */
/* Guid */

/*
 * A GUID's text in the D form (lower case), from the D, N, B or P
 * forms, or NULL.
 */
static char *
dn_guid_parse(const char *s)
{
	char	hex[33], *out;
	size_t	len, i, n = 0;
	bool	dashes;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 38 && ((s[0] == '{' && s[37] == '}') || (s[0] == '(' &&
	    s[37] == ')'))) {
		s++;
		len -= 2;
	}
	if (len != 36 && len != 32)
		return (NULL);
	dashes = len == 36;
	for (i = 0; i < len; i++) {
		if (dashes && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-')
				return (NULL);
			continue;
		}
		if (!isxdigit((unsigned char)s[i]))
			return (NULL);
		hex[n++] = (char)tolower((unsigned char)s[i]);
	}
	hex[n] = '\0';
	out = xprintf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	    hex + 16, hex + 20);
	return (out);
}

/* A Guid: one property, Guid, the table PowerShell shows; its text. */
static struct value *
dn_guid_object(const char *text)
{
	struct value	*o;

	o = value_object(DN(GUID)->name, NULL);
	object_add_const(o, "Guid", value_string(text));
	o->u.obj->text = xstrdup(text);
	return (o);
}

/*
 * A random (version 4) GUID, lower case 8-4-4-4-12.  An identifier, not
 * a secret: without the kernel's randomness it makes do with random().
 */
void
dotnet_guid_text(char out[37])
{
	unsigned char	b[16];
	size_t		i;

	if (getentropy(b, sizeof b) != 0) {
		srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());
		for (i = 0; i < sizeof b; i++)
			b[i] = random() & 0xff;
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	    b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]);
}

static struct value *
guid_new(struct dn_call *c)
{
	char	text[37];

	(void)c;
	dotnet_guid_text(text);
	return (dn_guid_object(text));
}

static struct value *
guid_empty(struct dn_call *c)
{
	(void)c;
	return (dn_guid_object("00000000-0000-0000-0000-000000000000"));
}

#define DN_BADGUID	"Guid should contain 32 digits with 4 dashes " \
			"(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)."

static struct value *
guid_parse(struct dn_call *c)
{
	struct value	*o;
	char		*s, *g;

	s = dn_arg_str(c, 0);
	g = dn_guid_parse(s);
	free(s);
	if (g == NULL)
		return (dn_throw(c, "FormatException", DN_BADGUID));
	o = dn_guid_object(g);
	free(g);
	return (o);
}

/* ToString(): D; ToString("N"), "B", "P", "D". */
static struct value *
guid_tostring(struct dn_call *c)
{
	const char	*g = c->self->u.obj->text;
	char		*f, *r;

	if (c->nargs == 0)
		return (value_string(g));
	f = dn_arg_str(c, 0);
	if (*f == '\0' || strcasecmp(f, "D") == 0)
		r = xstrdup(g);
	else if (strcasecmp(f, "N") == 0)
		r = xprintf("%.8s%.4s%.4s%.4s%.12s", g, g + 9, g + 14, g + 19,
		    g + 24);
	else if (strcasecmp(f, "B") == 0)
		r = xprintf("{%s}", g);
	else if (strcasecmp(f, "P") == 0)
		r = xprintf("(%s)", g);
	else {
		free(f);
		return (dn_throw(c, "FormatException", "Format String can be "
		    "only \"D\", \"d\", \"N\", \"n\", \"P\", \"p\", \"B\", "
		    "\"b\", \"X\" or \"x\"."));
	}
	free(f);
	return (value_string_take(r));
}

struct value *
dn_guid_convert(const struct dn_tref *t, struct value *v,
    struct dn_error *err)
{
	struct value	*o;
	char		*g;

	(void)t;
	if (v->type == V_OBJECT && strcmp(v->u.obj->type_name,
	    DN(GUID)->name) == 0)
		return (value_ref(v));
	if (v->type == V_NULL)
		return (dn_bad_null(err, DN(GUID)->name));
	if (v->type != V_STRING)
		return (dn_bad_cast(err, v, DN(GUID)->name));
	if ((g = dn_guid_parse(v->u.s)) == NULL)
		return (dn_bad_value(err, "InvalidCastParseTargetInvocation", v,
		    DN(GUID)->name, DN_BADGUID));
	o = dn_guid_object(g);
	free(g);
	return (o);
}

/* ------------------------------------------------------------------ */
/* Numbers */

/* The range of an integer type and the word its overflow names. */
static void
dn_int_range(enum dn_id id, int64_t *lo, int64_t *hi, const char **word)
{
	if (id == DN_BYTE) {
		*lo = 0;
		*hi = 255;
		*word = "an unsigned byte";
	} else if (id == DN_INT32) {
		*lo = INT32_MIN;
		*hi = INT32_MAX;
		*word = "an Int32";
	} else {
		*lo = INT64_MIN;
		*hi = INT64_MAX;
		*word = "an Int64";
	}
}

/*
 * [int], [long], [byte]: numbers rounded half to even, text read as a
 * number ("" is 0), booleans and characters their value; the range of
 * the type checked.
 */
struct value *
dn_int_convert(const struct dn_tref *t, struct value *v,
    struct dn_error *err)
{
	enum dn_id	 id = (enum dn_id)(t->type - dn_types);
	const char	*word, *fqid = "InvalidCastIConvertible";
	int64_t		 lo, hi, n;
	double		 d;
	bool		 isint;
	char		*why;

	dn_int_range(id, &lo, &hi, &word);
	switch (v->type) {
	case V_ARRAY:
		if (v->u.arr.n == 1)
			return (dn_int_convert(t, v->u.arr.v[0], err));
		return (dn_bad_cast(err, v, t->type->name));
	case V_STRING:
		fqid = "InvalidCastFromStringToInteger";
		if (!dn_parse_number(v->u.s, &d, &n, &isint))
			return (dn_bad_value(err, fqid, v, t->type->name,
			    "Input string was not in a correct format."));
		break;
	case V_NULL: case V_BOOL: case V_INT: case V_CHAR: case V_DOUBLE:
		value_to_number(v, &d, &n, &isint);
		break;
	default:
		return (dn_bad_cast(err, v, t->type->name));
	}
	if (!isint) {
		d = dn_round_even(d);
		isint = d >= -9.2e18 && d <= 9.2e18;
		n = isint ? (int64_t)d : 0;
	}
	if (!isint || n < lo || n > hi) {
		why = xprintf("Value was either too large or too small for "
		    "%s.", word);
		dn_bad_value(err, fqid, v, t->type->name, why);
		free(why);
		return (NULL);
	}
	return (value_int(n));
}

/* [double] (and [decimal], [float]). */
struct value *
dn_double_convert(const struct dn_tref *t, struct value *v,
    struct dn_error *err)
{
	double	 d;
	int64_t	 n;
	bool	 isint;

	switch (v->type) {
	case V_ARRAY:
		if (v->u.arr.n == 1)
			return (dn_double_convert(t, v->u.arr.v[0], err));
		return (dn_bad_cast(err, v, t->type->name));
	case V_STRING:
		/* Double.Parse: no 0x hex (that is the integers' converter). */
		if (!dn_parse_number(v->u.s, &d, &n, &isint) ||
		    strpbrk(v->u.s, "xX") != NULL)
			return (dn_bad_value(err,
			    "InvalidCastFromStringToDoubleOrSingle", v,
			    t->type->name, "Input string was not in a correct "
			    "format."));
		return (value_double(d));
	case V_NULL: case V_BOOL: case V_INT: case V_CHAR: case V_DOUBLE:
		value_to_number(v, &d, &n, &isint);
		return (value_double(d));
	default:
		return (dn_bad_cast(err, v, t->type->name));
	}
}

static struct value *
int_limit(struct dn_call *c)
{
	const char	*word;
	int64_t		 lo, hi;

	dn_int_range((enum dn_id)(c->t->type - dn_types), &lo, &hi, &word);
	return (value_int(strcmp(c->m->name, "MaxValue") == 0 ? hi : lo));
}

/* Int32.Parse and its kin: digits only, no fraction, no hex. */
struct value *
dn_int_parse(struct dn_call *c, enum dn_id id)
{
	const char	*word;
	int64_t		 lo, hi, n;
	double		 d;
	bool		 isint;
	char		*s;

	dn_int_range(id, &lo, &hi, &word);
	s = dn_arg_str(c, 0);
	if (!dn_parse_number(s, &d, &n, &isint) || !isint || *s == '\0' ||
	    strpbrk(s, "xX") != NULL) {
		free(s);
		return (dn_throw(c, "FormatException", "Input string was not "
		    "in a correct format."));
	}
	free(s);
	if (n < lo || n > hi || fabs(d) >= 9.2e18)
		return (dn_throw(c, "OverflowException", "Value was either "
		    "too large or too small for %s.", word));
	return (value_int(n));
}

static struct value *
int_parse(struct dn_call *c)
{
	return (dn_int_parse(c, (enum dn_id)(c->t->type - dn_types)));
}

static struct value *
dbl_const(struct dn_call *c)
{
	static const struct {
		const char	*name;
		double		 v;
	} k[] = {
		{ "MaxValue", 1.7976931348623157e308 },
		{ "MinValue", -1.7976931348623157e308 },
		{ "Epsilon", 4.9406564584124654e-324 },
		{ "NaN", NAN }, { "PositiveInfinity", INFINITY },
		{ "NegativeInfinity", -INFINITY },
	};
	size_t	i;

	for (i = 0; strcmp(k[i].name, c->m->name) != 0; i++)
		continue;
	return (value_double(k[i].v));
}

struct value *
dn_double_parse(struct dn_call *c)
{
	double	 d;
	int64_t	 n;
	bool	 isint;
	char	*s;

	s = dn_arg_str(c, 0);
	if (!dn_parse_number(s, &d, &n, &isint) || *s == '\0') {
		free(s);
		return (dn_throw(c, "FormatException", "Input string was not "
		    "in a correct format."));
	}
	free(s);
	return (value_double(d));
}

static struct value *
bool_const(struct dn_call *c)
{
	return (value_string(strcmp(c->m->name, "TrueString") == 0 ? "True" :
	    "False"));
}

struct value *
dn_bool_parse(struct dn_call *c)
{
	char	*s, *t;
	size_t	 len;
	bool	 r;

	s = dn_arg_str(c, 0);
	for (t = s; isspace((unsigned char)*t); t++)
		continue;
	len = strlen(t);
	while (len > 0 && isspace((unsigned char)t[len - 1]))
		t[--len] = '\0';
	if (strcasecmp(t, "True") != 0 && strcasecmp(t, "False") != 0) {
		free(s);
		return (dn_throw(c, "FormatException", "String was not "
		    "recognized as a valid Boolean."));
	}
	r = strcasecmp(t, "True") == 0;
	free(s);
	return (value_bool(r));
}

/* The view of a culture: LCID, Name, DisplayName. */
static const char *const dn_culture_table[] = {
	"LCID", "Name", "DisplayName", NULL
};
static const struct view dn_culture_view = {
	"System.Globalization.CultureInfo", SHAPE_TABLE, dn_culture_table,
	NULL
};

/* InvariantCulture, or the EMS's current culture, en-US. */
static struct value *
culture_get(struct dn_call *c)
{
	struct value	*o;
	bool		 inv = strcmp(c->m->name, "InvariantCulture") == 0;

	o = value_object(DN(CULTUREINFO)->name, &dn_culture_view);
	object_add_const(o, "LCID", value_int(inv ? 127 : 1033));
	object_add_const(o, "Name", value_string(inv ? "" : "en-US"));
	object_add_const(o, "DisplayName", value_string(inv ?
	    "Invariant Language (Invariant Country)" :
	    "English (United States)"));
	o->u.obj->text = xstrdup(inv ? "" : "en-US");
	return (o);
}
