/*
 * extype.c - Exchange data types: parsing and printing.
 *
 * Every parser returns 0, or -1 with *cause set to the inner message
 * Exchange gives (the binder adds the "Cannot bind parameter" frame).
 * Where the reference has no exact string, these texts were chosen:
 *
 *   Fqdn		"x" isn't a valid FQDN.
 *   IPAddress		"x" isn't a valid IP address.
 *   size, syntax	"x" isn't a valid size. Valid values are a number,
 *			optionally followed by B, KB, MB, GB or TB, or
 *			Unlimited.  (ByteQuantifiedSize, which has no
 *			Unlimited, ends at TB.)
 *   size, range	The value "x" is out of range. The valid range is
 *			from MIN to MAX.  (MIN and MAX printed as sizes)
 *   time span, syntax	"x" isn't a valid time span.
 *   time span, range	The value "x" is out of range. The valid range is
 *			from MIN to MAX.  (MIN and MAX printed as time spans)
 *   time span, frac	The value "x" must be a whole number of seconds.
 *
 * Behaviour taken from Exchange's AddressSpace class: the type is the text
 * before the first ':'; the cost is after the last ';' (a trailing ';' on
 * an X400 space belongs to the space); the cost is checked before the
 * domain; non-SMTP spaces are lower-cased, and for types other than SMTP
 * and X400 "(a)" is read as '@' and '@' printed as "(a)".  Sizes are
 * rounded up to a whole KB because Exchange stores MaxMessageSize in KB.
 * One deliberate difference: Exchange reads ":x" as "smtp:x"; here it is
 * refused with "The address space type can't be empty."
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "extype.h"
#include "xmalloc.h"

#define EX_LOCAL_MSG	"\"%s\" is not a valid address space because the " \
    "use of \"Local:\" in an address space is not supported. Instead, use " \
    "the IsScopedConnector parameter to create a scoped connector."
#define EX_X509_MSG	"The format you provided, \"%s\", is unknown. The " \
    "correct format is \"X509:<I>CN=Issuer<S>CN=Subject\". Note that the " \
    "issuer part or subject part, which can't be empty, must contain an " \
    "X500 distinguished name."
#define EX_SIZE_MSG	"\"%s\" isn't a valid size. Valid values are a " \
    "number, optionally followed by B, KB, MB, GB or TB, or Unlimited."
#define EX_BYTES_MSG	"\"%s\" isn't a valid size. Valid values are a " \
    "number, optionally followed by B, KB, MB, GB or TB."
#define EX_RANGE_MSG	"The value \"%s\" is out of range. The valid " \
    "range is from %s to %s."
/* .NET Framework's Guid.Parse message. */
#define EX_GUID_MSG	"Guid should contain 32 digits with 4 dashes " \
    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)."

static char	*ex_buf_take(struct buf *);
static int	 ex_fail(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	 ex_is_space(int);
static int	 ex_is_alnum(int);
static char	*ex_trim(const char *);
static int	 ex_blank(const char *, size_t);
static int	 ex_host_valid(const char *, size_t);
static int	 ex_int_parse(const char *, int *);
static int	 ex_ip_canon(const char *, char **, unsigned char *);
static int	 ex_as_cost(const char *, const char *, char **, int *,
		    char **);
static int	 ex_as_space(const char *, char **, char **);
static int	 ex_x400_valid(const char *);
static int	 ex_prefix_valid(const char *);
static char	*ex_replace(const char *, const char *, const char *);
static int	 ex_size_number(const char **, double *);
static int	 ex_size_unit(const char **, double *);
static int	 ex_size_long(const char *, double *);
static int	 ex_size_value(const char *, double *);
static int	 ex_size_range(const char *, int64_t, int64_t, char **);
static void	 ex_g4(struct buf *, double);
static int	 ex_ts_field(const char **, int, int64_t *);
static int	 ex_ts_scan(const char *, int64_t *, int *);

/* The buffer's string; the buffer itself is released. */
static char *
ex_buf_take(struct buf *b)
{
	char	*s;

	s = buf_detach(b);
	buf_free(b);
	return (s);
}

/* Set *cause (if wanted) and return -1. */
static int
ex_fail(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		xvasprintf(cause, fmt, ap);
		va_end(ap);
	}
	return (-1);
}

/* .NET white space, ASCII only. */
static int
ex_is_space(int c)
{
	return (c == ' ' || (c >= '\t' && c <= '\r'));
}

static int
ex_is_alnum(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'));
}

/* Copy of s without leading and trailing white space. */
static char *
ex_trim(const char *s)
{
	size_t	len;

	while (ex_is_space((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && ex_is_space((unsigned char)s[len - 1]))
		len--;
	return (xstrndup(s, len));
}

/* Is the first len bytes of s empty or all white space? */
static int
ex_blank(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (!ex_is_space((unsigned char)s[i]))
			return (0);
	}
	return (1);
}

/*
 * A DNS host name: dot-separated labels of letters, digits, '-' and '_',
 * 1 to 63 characters, not starting or ending with '-'; 255 at most; no
 * empty label, so no leading or trailing dot.
 */
static int
ex_host_valid(const char *s, size_t len)
{
	size_t	i, start = 0;

	if (len == 0 || len > 255)
		return (0);
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!ex_is_alnum((unsigned char)s[i]) &&
			    s[i] != '-' && s[i] != '_')
				return (0);
			continue;
		}
		if (i == start || i - start > 63)
			return (0);
		if (s[start] == '-' || s[i - 1] == '-')
			return (0);
		start = i + 1;
	}
	return (1);
}

/* Int32 as .NET int.TryParse reads it: [ws][sign]digits[ws]. */
static int
ex_int_parse(const char *s, int *out)
{
	int64_t	v = 0;
	int	neg = 0, digits = 0;

	while (ex_is_space((unsigned char)*s))
		s++;
	if (*s == '+' || *s == '-')
		neg = (*s++ == '-');
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		v = v * 10 + (*s - '0');
		if (v > (int64_t)INT32_MAX + 1)
			return (-1);
	}
	while (ex_is_space((unsigned char)*s))
		s++;
	if (digits == 0 || *s != '\0')
		return (-1);
	if (neg)
		v = -v;
	if (v > INT32_MAX)
		return (-1);
	*out = (int)v;
	return (0);
}

/*
 * Parse an IPv4 or IPv6 literal into its canonical text; addr (16 bytes)
 * receives the address.  Returns AF_INET, AF_INET6 or -1.
 */
static int
ex_ip_canon(const char *s, char **canonical, unsigned char *addr)
{
	char	out[INET6_ADDRSTRLEN];
	int	af;

	if (inet_pton(AF_INET, s, addr) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, s, addr) == 1)
		af = AF_INET6;
	else
		return (-1);
	if (inet_ntop(af, addr, out, sizeof out) == NULL)
		return (-1);
	if (canonical != NULL)
		*canonical = xstrdup(out);
	return (af);
}

/* Split rest ("space[;cost]") into the space and the cost. */
static int
ex_as_cost(const char *type, const char *rest, char **space, int *cost,
    char **cause)
{
	const char	*semi;

	*cost = 1;
	semi = strrchr(rest, ';');
	if (semi != NULL && semi[1] == '\0' && strcasecmp(type, "x400") == 0)
		semi = NULL;
	if (semi == NULL) {
		*space = xstrdup(rest);
		return (0);
	}
	if (semi[1] != '\0' && ex_int_parse(semi + 1, cost) != 0) {
		return (ex_fail(cause, "Cost value \"%s\" is not a valid "
		    "number.", semi + 1));
	}
	if (*cost < 1 || *cost > 100)
		return (ex_fail(cause, "Cost value must be from 1 through "
		    "100."));
	*space = xstrndup(rest, semi - rest);
	return (0);
}

/* An X.400 space, loosely: "key=value" parts separated by ';'. */
static int
ex_x400_valid(const char *s)
{
	const char	*p, *end, *eq;
	int		 parts = 0;

	for (p = s; *p != '\0'; p = (*end == '\0') ? end : end + 1) {
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if (end == p)
			continue;
		eq = memchr(p, '=', end - p);
		if (eq == NULL || eq == p)
			return (0);
		parts++;
	}
	return (parts > 0);
}

/* A proxy-address prefix: 1 to 9 ASCII characters, not all blank. */
static int
ex_prefix_valid(const char *s)
{
	size_t	len = strlen(s), i;

	if (len == 0 || len > 9 || ex_blank(s, len))
		return (0);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return (0);
	}
	return (1);
}

/* Copy of s with every from replaced by to. */
static char *
ex_replace(const char *s, const char *from, const char *to)
{
	struct buf	 b;
	const char	*p;
	size_t		 flen = strlen(from);

	buf_init(&b);
	while ((p = strstr(s, from)) != NULL) {
		buf_add(&b, s, p - s);
		buf_adds(&b, to);
		s = p + flen;
	}
	buf_adds(&b, s);
	return (ex_buf_take(&b));
}

/* Check and normalise the space part for its type. */
static int
ex_as_space(const char *type, char **space, char **cause)
{
	char	*p, *s = *space;

	if (strcasecmp(type, "smtp") == 0)
		return (ex_smtp_domain_check(s, true, cause));
	for (p = s; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	}
	if (strcasecmp(type, "x400") == 0) {
		if (!ex_x400_valid(s)) {
			return (ex_fail(cause, "\"%s\" isn't a valid X.400 "
			    "address space.", s));
		}
		return (0);
	}
	if (*s == '\0')
		return (ex_fail(cause, "Invalid address space"));
	if (!ex_prefix_valid(type))
		return (ex_fail(cause, "Invalid address space type '%s'.",
		    type));
	*space = ex_replace(s, "(a)", "@");
	free(s);
	return (0);
}

int
ex_address_space_parse(const char *s, struct sc_address_space *as,
    char **cause)
{
	const char	*colon, *rest = s;
	char		*type, *space = NULL;
	int		 cost;

	memset(as, 0, sizeof *as);
	if (*s == '\0')
		return (ex_fail(cause, "Invalid address space"));
	if (strncasecmp(s, "Local:", 6) == 0)
		return (ex_fail(cause, EX_LOCAL_MSG, s));
	if ((colon = strchr(s, ':')) == s)
		return (ex_fail(cause, "The address space type can't be "
		    "empty."));
	if (colon == NULL)
		type = xstrdup("smtp");
	else {
		type = xstrndup(s, colon - s);
		rest = colon + 1;
	}
	if (ex_as_cost(type, rest, &space, &cost, cause) != 0 ||
	    ex_as_space(type, &space, cause) != 0) {
		free(type);
		free(space);
		return (-1);
	}
	as->type = type;
	as->domain = space;
	as->cost = cost;
	return (0);
}

char *
ex_address_space_format(const struct sc_address_space *as)
{
	char	*space, *out;

	if (as->type == NULL || as->domain == NULL)
		return (xstrdup(""));
	if (strcasecmp(as->type, "smtp") == 0 ||
	    strcasecmp(as->type, "x400") == 0)
		space = xstrdup(as->domain);
	else
		space = ex_replace(as->domain, "@", "(a)");
	out = xprintf("%s:%s;%d", as->type, space, as->cost);
	free(space);
	return (out);
}

bool
ex_address_space_is_smtp(const struct sc_address_space *as)
{
	return (as->type != NULL && strcasecmp(as->type, "smtp") == 0);
}

void
ex_address_space_clear(struct sc_address_space *as)
{
	free(as->type);
	free(as->domain);
	memset(as, 0, sizeof *as);
}

bool
ex_address_space_same(const struct sc_address_space *a,
    const struct sc_address_space *b)
{
	if (a->type == NULL || b->type == NULL || a->domain == NULL ||
	    b->domain == NULL)
		return (false);
	return (strcasecmp(a->type, b->type) == 0 &&
	    strcasecmp(a->domain, b->domain) == 0);
}

int
ex_smtp_domain_check(const char *s, bool allow_star, char **cause)
{
	const char	*d = s;

	if (strcmp(s, "*") == 0) {
		if (allow_star)
			return (0);
		return (ex_fail(cause, "\"%s\" isn't a valid SMTP domain.", s));
	}
	if (strncmp(d, "*.", 2) == 0)
		d += 2;
	if (!ex_host_valid(d, strlen(d)))
		return (ex_fail(cause, "\"%s\" isn't a valid SMTP domain.", s));
	return (0);
}

int
ex_tls_domain_check(const char *s, char **cause)
{
	if (strcmp(s, "*") == 0) {
		return (ex_fail(cause, "You can't specify the "
		    "SmtpDomainWithSubdomains for property value \"%s\" to be "
		    "'*'.", s));
	}
	return (ex_smtp_domain_check(s, false, cause));
}

int
ex_smart_host_parse(const char *s, char **canonical, char **cause)
{
	unsigned char	 addr[16];
	char		*t, *inner, *ip = NULL;
	size_t		 len;
	int		 af, rc = 0;

	*canonical = NULL;
	t = ex_trim(s);
	len = strlen(t);
	if (len >= 2 && t[0] == '[' && t[len - 1] == ']')
		inner = xstrndup(t + 1, len - 2);
	else
		inner = xstrdup(t);
	if ((af = ex_ip_canon(inner, &ip, addr)) == AF_INET &&
	    memcmp(addr, "\0\0\0\0", 4) == 0) {
		rc = ex_fail(cause, "You can't use [0.0.0.0] as the smart host "
		    "IP address.");
	} else if (af != -1 && strcmp(ip, "::") != 0)
		*canonical = xprintf("[%s]", ip);
	else if (af == -1 && strcmp(inner, t) == 0 && ex_host_valid(t, len))
		*canonical = xstrdup(t);
	else {
		rc = ex_fail(cause, "\"%s\" is not a valid IP address or host "
		    "name.", s);
	}
	free(ip);
	free(inner);
	free(t);
	return (rc);
}

int
ex_fqdn_check(const char *s, char **cause)
{
	if (!ex_host_valid(s, strlen(s)))
		return (ex_fail(cause, "\"%s\" isn't a valid FQDN.", s));
	return (0);
}

int
ex_ip_parse(const char *s, char **canonical, char **cause)
{
	unsigned char	addr[16];

	*canonical = NULL;
	if (ex_ip_canon(s, canonical, addr) == -1)
		return (ex_fail(cause, "\"%s\" isn't a valid IP address.", s));
	return (0);
}

bool
ex_ip_is_multicast_or_broadcast(const char *s)
{
	unsigned char	addr[16];

	switch (ex_ip_canon(s, NULL, addr)) {
	case AF_INET:
		if ((addr[0] & 0xf0) == 0xe0)
			return (true);
		return (memcmp(addr, "\377\377\377\377", 4) == 0);
	case AF_INET6:
		return (addr[0] == 0xff);
	}
	return (false);
}

/*
 * The number part of a size: [sign]digits[,digits...][.digits], at most
 * 15 characters and ending in a digit (as Exchange's pattern).
 */
static int
ex_size_number(const char **pp, double *v)
{
	const char	*p = *pp;
	char		 num[32];
	size_t		 n = 0, len = 0;
	int		 digits = 0, dot = 0;

	if (*p == '+' || *p == '-')
		num[n++] = p[len++];
	for (; len < 16; len++) {
		if (p[len] >= '0' && p[len] <= '9') {
			num[n++] = p[len];
			digits++;
		} else if (p[len] == ',' && !dot && digits > 0)
			continue;
		else if (p[len] == '.' && !dot) {
			num[n++] = p[len];
			dot = 1;
		} else
			break;
	}
	if (digits == 0 || len > 15 || p[len - 1] < '0' || p[len - 1] > '9')
		return (-1);
	num[n] = '\0';
	*v = strtod(num, NULL);
	*pp = p + len;
	return (0);
}

/* An optional " " and unit B, KB, MB, GB or TB (any case). */
static int
ex_size_unit(const char **pp, double *mult)
{
	static const char	*units = "KMGT";
	const char		*p = *pp, *u;
	int			 i;

	*mult = 1;
	if (*p == '\0')
		return (0);
	if (*p == ' ')
		p++;
	if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
		u = strchr(units, *p & ~0x20);
	else
		u = NULL;
	if (u != NULL) {
		for (i = 0; i <= u - units; i++)
			*mult *= 1024;
		p++;
	}
	if (*p != 'B' && *p != 'b')
		return (-1);
	*pp = p + 1;
	return (0);
}

/* The optional " (N bytes)" of the printed form; N wins. */
static int
ex_size_long(const char *p, double *v)
{
	char	num[32];
	size_t	n = 0;

	if (strncmp(p, " (", 2) != 0)
		return (-1);
	for (p += 2; (*p >= '0' && *p <= '9') || *p == ','; p++) {
		if (*p != ',' && n < sizeof num - 1)
			num[n++] = *p;
	}
	if (n == 0 || strcmp(p, " bytes)") != 0)
		return (-1);
	num[n] = '\0';
	*v = strtod(num, NULL);
	return (0);
}

/* Bytes (not yet rounded) of a trimmed size expression. */
static int
ex_size_value(const char *s, double *v)
{
	double	mult;

	if (ex_size_number(&s, v) != 0)
		return (-1);
	if (*s == '\0')
		return (0);
	if (ex_size_unit(&s, &mult) != 0)
		return (-1);
	*v *= mult;
	if (*s == '\0')
		return (0);
	return (ex_size_long(s, v));
}

static int
ex_size_range(const char *s, int64_t min, int64_t max, char **cause)
{
	char	*lo, *hi;

	lo = ex_size_format(min);
	hi = ex_size_format(max);
	ex_fail(cause, EX_RANGE_MSG, s, lo, hi);
	free(lo);
	free(hi);
	return (-1);
}

int
ex_size_parse(const char *s, int64_t min, int64_t max, int64_t *bytes,
    char **cause)
{
	char	*t;
	double	 v;
	int64_t	 b;
	int	 rc;

	t = ex_trim(s);
	if (strcasecmp(t, "unlimited") == 0) {
		free(t);
		*bytes = SC_SIZE_UNLIMITED;
		return (0);
	}
	rc = ex_size_value(t, &v);
	free(t);
	if (rc != 0)
		return (ex_fail(cause, EX_SIZE_MSG, s));
	if (v < 0 || v >= 9223372036854774784.0)
		return (ex_size_range(s, min, max, cause));
	b = (int64_t)v;
	b = (b + 1023) / 1024 * 1024;
	if (b < min || b > max)
		return (ex_size_range(s, min, max, cause));
	*bytes = b;
	return (0);
}

int
ex_bytes_parse(const char *s, int64_t min, int64_t max, int64_t *bytes,
    char **cause)
{
	char	*t;
	int	 unlimited;

	t = ex_trim(s);
	unlimited = strcasecmp(t, "unlimited") == 0;
	free(t);
	if (unlimited)
		return (ex_fail(cause, EX_BYTES_MSG, s));
	if (ex_size_parse(s, min, max, bytes, cause) != 0) {
		if (cause != NULL && strncmp(*cause, "The value ", 10) != 0) {
			free(*cause);
			ex_fail(cause, EX_BYTES_MSG, s);
		}
		return (-1);
	}
	return (0);
}

/*
 * Guid: 32 hex digits as Guid.Parse takes them, bare (N), with dashes
 * (D), and D in braces (B) or parentheses (P); printed as D in lower
 * case.
 */
int
ex_guid_parse(const char *s, char **canonical, char **cause)
{
	static const int	 dash[] = { 8, 13, 18, 23 };
	char			*t, *p, hex[33];
	size_t			 len, i, k, n = 0;
	int			 dashes;

	*canonical = NULL;
	t = ex_trim(s);
	p = t;
	len = strlen(p);
	if (len == 38 && ((p[0] == '{' && p[37] == '}') ||
	    (p[0] == '(' && p[37] == ')'))) {
		p++;
		len -= 2;
	}
	dashes = len == 36;
	if (len != 32 && !dashes) {
		free(t);
		return (ex_fail(cause, EX_GUID_MSG));
	}
	for (i = 0, k = 0; i < len; i++) {
		if (dashes && k < 4 && (int)i == dash[k]) {
			if (p[i] != '-')
				break;
			k++;
			continue;
		}
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')))
			break;
		hex[n++] = p[i] >= 'A' && p[i] <= 'F' ? p[i] + ('a' - 'A') :
		    p[i];
	}
	free(t);
	if (i != len || n != 32)
		return (ex_fail(cause, EX_GUID_MSG));
	hex[32] = '\0';
	xasprintf(canonical, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
	    hex + 12, hex + 16, hex + 20);
	return (0);
}

/*
 * .NET "G4" of a positive double, as .NET Framework does it: the value
 * is first taken to 15 significant digits, then rounded half away from
 * zero to 4; trailing zeros go; exponent form only past 4 digits.
 */
static void
ex_g4(struct buf *b, double v)
{
	char	tmp[64], dig[16];
	int	exp, n, i;

	snprintf(tmp, sizeof tmp, "%.14e", v);
	dig[0] = tmp[0];
	memcpy(dig + 1, tmp + 2, 14);
	exp = atoi(strchr(tmp, 'e') + 1);
	if (dig[4] >= '5') {
		for (i = 3; i >= 0 && dig[i] == '9'; i--)
			dig[i] = '0';
		if (i >= 0)
			dig[i]++;
		else {
			dig[0] = '1';
			exp++;
		}
	}
	for (n = 4; n > 1 && dig[n - 1] == '0'; n--)
		/* nothing */;
	if (v == 0)
		buf_addc(b, '0');
	else if (exp >= 4 || exp < -5) {
		buf_addc(b, dig[0]);
		if (n > 1)
			buf_addf(b, ".%.*s", n - 1, dig + 1);
		buf_addf(b, "E%c%02d", exp < 0 ? '-' : '+', abs(exp));
	} else if (exp >= 0) {
		for (i = 0; i <= exp; i++)
			buf_addc(b, i < n ? dig[i] : '0');
		if (n > exp + 1)
			buf_addf(b, ".%.*s", n - exp - 1, dig + exp + 1);
	} else {
		buf_adds(b, "0.");
		for (i = 0; i < -exp - 1; i++)
			buf_addc(b, '0');
		buf_add(b, dig, n);
	}
}

char *
ex_size_format(int64_t bytes)
{
	static const char	*units[] = { "B", "KB", "MB", "GB", "TB" };
	struct buf		 b;
	char			*grouped;
	double			 div = 1;
	int			 u = 0;

	if (bytes < 0)
		return (xstrdup("Unlimited"));
	while (u < 4 && (bytes >> (10 * (u + 1))) > 0) {
		u++;
		div *= 1024;
	}
	buf_init(&b);
	ex_g4(&b, (double)bytes / div);
	grouped = ex_group_digits(bytes);
	buf_addf(&b, " %s (%s bytes)", units[u], grouped);
	free(grouped);
	return (ex_buf_take(&b));
}

/* Read 1 to maxd digits. */
static int
ex_ts_field(const char **pp, int maxd, int64_t *v)
{
	const char	*p = *pp;
	int		 n;

	*v = 0;
	for (n = 0; p[n] >= '0' && p[n] <= '9'; n++) {
		if (n == maxd)
			return (-1);
		*v = *v * 10 + (p[n] - '0');
	}
	if (n == 0)
		return (-1);
	*pp = p + n;
	return (0);
}

/*
 * .NET TimeSpan forms: d, hh:mm, hh:mm:ss, d.hh:mm[:ss], d:hh:mm:ss, each
 * with optional "-" and ".fffffff" after the seconds.  *frac is set when
 * the fraction is not zero.
 */
static int
ex_ts_scan(const char *p, int64_t *secs, int *frac)
{
	int64_t	d = 0, h, m, s = 0, f = 0, t;
	int	neg = 0, days = 0, have_s = 0;

	if ((neg = (*p == '-')))
		p++;
	if (ex_ts_field(&p, 8, &h) != 0)
		return (-1);
	if (*p == '\0') {
		d = h;
		h = 0;
		m = 0;
	} else {
		if (*p == '.') {
			p++;
			d = h;
			days = 1;
			if (ex_ts_field(&p, 2, &h) != 0)
				return (-1);
		}
		if (*p++ != ':' || ex_ts_field(&p, 2, &m) != 0)
			return (-1);
		if (*p == ':') {
			p++;
			if (ex_ts_field(&p, 2, &s) != 0)
				return (-1);
			have_s = 1;
		}
		if (*p == ':' && !days) {
			p++;
			d = h;
			h = m;
			m = s;
			if (ex_ts_field(&p, 2, &s) != 0)
				return (-1);
		}
		if (*p == '.' && have_s) {
			p++;
			if (ex_ts_field(&p, 7, &f) != 0)
				return (-1);
		}
	}
	if (*p != '\0' || d > 10675199 || h > 23 || m > 59 || s > 59)
		return (-1);
	t = ((d * 24 + h) * 60 + m) * 60 + s;
	*secs = neg ? -t : t;
	*frac = (f != 0);
	return (0);
}

int
ex_timespan_parse(const char *s, int64_t min, int64_t max, int64_t *secs,
    char **cause)
{
	char	*t, *lo, *hi;
	int64_t	 v;
	int	 frac, rc;

	t = ex_trim(s);
	rc = ex_ts_scan(t, &v, &frac);
	free(t);
	if (rc != 0)
		return (ex_fail(cause, "\"%s\" isn't a valid time span.", s));
	if (frac) {
		return (ex_fail(cause, "The value \"%s\" must be a whole "
		    "number of seconds.", s));
	}
	if (v < min || v > max) {
		lo = ex_timespan_format(min);
		hi = ex_timespan_format(max);
		ex_fail(cause, EX_RANGE_MSG, s, lo, hi);
		free(lo);
		free(hi);
		return (-1);
	}
	*secs = v;
	return (0);
}

char *
ex_timespan_format(int64_t secs)
{
	uint64_t	u;
	const char	*sign = "";

	if (secs < 0) {
		sign = "-";
		u = -(uint64_t)secs;
	} else
		u = secs;
	if (u >= 86400) {
		return (xprintf("%s%" PRIu64 ".%02u:%02u:%02u", sign, u / 86400,
		    (unsigned)(u % 86400 / 3600), (unsigned)(u % 3600 / 60),
		    (unsigned)(u % 60)));
	}
	return (xprintf("%s%02u:%02u:%02u", sign, (unsigned)(u / 3600),
	    (unsigned)(u % 3600 / 60), (unsigned)(u % 60)));
}

int
ex_x509_identifier_check(const char *s, char **cause)
{
	const char	*p = s, *q;

	if (strncasecmp(p, "X509:", 5) == 0)
		p += 5;
	if (strncasecmp(p, "<I>", 3) != 0)
		return (ex_fail(cause, EX_X509_MSG, s));
	p += 3;
	q = strchr(p, '<');
	if (q == NULL || strncasecmp(q, "<S>", 3) != 0 ||
	    ex_blank(p, q - p) || ex_blank(q + 3, strlen(q + 3)))
		return (ex_fail(cause, EX_X509_MSG, s));
	return (0);
}

char *
ex_group_digits(int64_t v)
{
	char		 digits[32];
	struct buf	 b;
	uint64_t	 u;
	size_t		 len, i;

	u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	len = snprintf(digits, sizeof digits, "%" PRIu64, u);
	buf_init(&b);
	if (v < 0)
		buf_addc(&b, '-');
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf_addc(&b, ',');
		buf_addc(&b, digits[i]);
	}
	return (ex_buf_take(&b));
}
