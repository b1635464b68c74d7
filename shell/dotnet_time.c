/*
 * dotnet_time.c - System.DateTime and System.TimeSpan.
 *
 * A DateTime is a V_DATE: microseconds since the epoch, shown and taken
 * apart in local time (TZ), which is what a .NET DateTime of kind Local
 * is.  hubsh keeps no Kind: UtcNow and ToUniversalTime() give the UTC
 * wall clock as such a date, and ToLocalTime() shifts back.  Arithmetic
 * is on the wall clock, as .NET's: AddDays(1) is the same time of day
 * tomorrow across a daylight saving change.
 *
 * A TimeSpan is a V_TIMESPAN of ticks (100 ns), as in .NET; dates have
 * microseconds, so a date's Ticks end in a 0.  Text is read as the
 * invariant culture reads it ([datetime]'2024-01-15 10:30',
 * [timespan]'1.02:03:04') and written as the EMS's en-US culture writes
 * it, but for TimeSpan's ToString(), which is the same everywhere.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dotnet.h"
#include "xmalloc.h"

#define TICKS_MS	10000LL
#define TICKS_S		10000000LL
#define TICKS_MIN	(60 * TICKS_S)
#define TICKS_H		(60 * TICKS_MIN)
#define TICKS_DAY	(24 * TICKS_H)
/* Ticks from 0001-01-01 to 1970-01-01, and the largest DateTime tick. */
#define TICKS_EPOCH	621355968000000000LL
#define TICKS_MAXDATE	3155378975999999999LL

#define DN_BADDATE	"String was not recognized as a valid DateTime."
#define DN_BADSPAN	"String was not recognized as a valid TimeSpan."
#define DN_UNREP	"The added or subtracted value results in an " \
			"un-representable DateTime."
#define DN_SPANLONG	"TimeSpan overflowed because the duration is too " \
			"long."

/* A date taken apart, in local time. */
struct dn_tm {
	int	year, month, day, hour, minute, second;
	int	usec;		/* 0..999999 */
	int	wday, yday;
	long	gmtoff;
};

static const char *const dn_months[] = { "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December" };
static const char *const dn_days[] = { "Sunday", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday" };

static void		 dn_split_date(int64_t, struct dn_tm *);
static int		 dn_make_date(int, int, int, int, int, int, int,
			    int64_t *);
static int64_t		 dn_wall(int64_t);
static bool		 dn_unwall(int64_t, int64_t *);
static int		 dn_days_in(int, int);
static int		 dn_parse_year(const char **, const char *, int *);
static struct value	*dn_date_add(struct dn_call *, int64_t,
			    const char *);
static int		 dn_date_exact(const char *, const char *, int64_t *);
static int		 dn_span_parse(const char *, int64_t *);
static char		*dn_span_format(int64_t, const char *);

static struct value	*dt_part(struct dn_call *);
static struct value	*dt_dayofweek(struct dn_call *);
static struct value	*dt_date(struct dn_call *);
static struct value	*dt_timeofday(struct dn_call *);
static struct value	*dt_ticks(struct dn_call *);
static struct value	*dt_kind(struct dn_call *);
static struct value	*dt_addunit(struct dn_call *);
static struct value	*dt_addticks(struct dn_call *);
static struct value	*dt_addmonths(struct dn_call *);
static struct value	*dt_addyears(struct dn_call *);
static struct value	*dt_add(struct dn_call *);
static struct value	*dt_subtract(struct dn_call *);
static struct value	*dt_tostring(struct dn_call *);
static struct value	*dt_pattern(struct dn_call *);
static struct value	*dt_universal(struct dn_call *);
static struct value	*dt_local(struct dn_call *);
static struct value	*dt_compareto(struct dn_call *);
static struct value	*dt_isdst(struct dn_call *);
static struct value	*dt_s_now(struct dn_call *);
static struct value	*dt_s_limit(struct dn_call *);
static struct value	*dt_s_parse(struct dn_call *);
static struct value	*dt_s_parseexact(struct dn_call *);
static struct value	*dt_s_daysinmonth(struct dn_call *);
static struct value	*dt_s_isleapyear(struct dn_call *);
static struct value	*dt_s_new(struct dn_call *);
static struct value	*ts_part(struct dn_call *);
static struct value	*ts_total(struct dn_call *);
static struct value	*ts_add(struct dn_call *);
static struct value	*ts_negate(struct dn_call *);
static struct value	*ts_duration(struct dn_call *);
static struct value	*ts_tostring(struct dn_call *);
static struct value	*ts_compareto(struct dn_call *);
static struct value	*ts_s_from(struct dn_call *);
static struct value	*ts_s_fromticks(struct dn_call *);
static struct value	*ts_s_parse(struct dn_call *);
static struct value	*ts_s_limit(struct dn_call *);
static struct value	*ts_s_new(struct dn_call *);

const struct dn_member dn_date_members[] = {
	DN_PROP("Year", dt_part),
	DN_PROP("Month", dt_part),
	DN_PROP("Day", dt_part),
	DN_PROP("Hour", dt_part),
	DN_PROP("Minute", dt_part),
	DN_PROP("Second", dt_part),
	DN_PROP("Millisecond", dt_part),
	DN_PROP("DayOfWeek", dt_dayofweek),
	DN_PROP("DayOfYear", dt_part),
	DN_PROP("Date", dt_date),
	DN_PROP("TimeOfDay", dt_timeofday),
	DN_PROP("Ticks", dt_ticks),
	DN_PROP("Kind", dt_kind),
	DN_METHOD("AddDays", 1, 1, dt_addunit),
	DN_METHOD("AddHours", 1, 1, dt_addunit),
	DN_METHOD("AddMinutes", 1, 1, dt_addunit),
	DN_METHOD("AddSeconds", 1, 1, dt_addunit),
	DN_METHOD("AddMilliseconds", 1, 1, dt_addunit),
	DN_METHOD("AddTicks", 1, 1, dt_addticks),
	DN_METHOD("AddMonths", 1, 1, dt_addmonths),
	DN_METHOD("AddYears", 1, 1, dt_addyears),
	DN_METHOD("Add", 1, 1, dt_add),
	DN_METHOD("Subtract", 1, 1, dt_subtract),
	DN_METHOD("ToString", 0, 2, dt_tostring),
	DN_METHOD("ToShortDateString", 0, 0, dt_pattern),
	DN_METHOD("ToLongDateString", 0, 0, dt_pattern),
	DN_METHOD("ToShortTimeString", 0, 0, dt_pattern),
	DN_METHOD("ToLongTimeString", 0, 0, dt_pattern),
	DN_METHOD("ToUniversalTime", 0, 0, dt_universal),
	DN_METHOD("ToLocalTime", 0, 0, dt_local),
	DN_METHOD("CompareTo", 1, 1, dt_compareto),
	DN_METHOD("IsDaylightSavingTime", 0, 0, dt_isdst),
	DN_END
};

const struct dn_member dn_date_statics[] = {
	DN_PROP("Now", dt_s_now),
	DN_PROP("UtcNow", dt_s_now),
	DN_PROP("Today", dt_s_now),
	DN_PROP("MinValue", dt_s_limit),
	DN_PROP("MaxValue", dt_s_limit),
	DN_METHOD("Parse", 1, 3, dt_s_parse),
	DN_METHOD("ParseExact", 3, 4, dt_s_parseexact),
	DN_METHOD("DaysInMonth", 2, 2, dt_s_daysinmonth),
	DN_METHOD("IsLeapYear", 1, 1, dt_s_isleapyear),
	DN_METHOD("new", 1, 1, dt_s_new),
	DN_METHOD("new", 3, 3, dt_s_new),
	DN_METHOD("new", 6, 7, dt_s_new),
	DN_END
};

const struct dn_member dn_span_members[] = {
	DN_PROP("Days", ts_part),
	DN_PROP("Hours", ts_part),
	DN_PROP("Minutes", ts_part),
	DN_PROP("Seconds", ts_part),
	DN_PROP("Milliseconds", ts_part),
	DN_PROP("Ticks", ts_part),
	DN_PROP("TotalDays", ts_total),
	DN_PROP("TotalHours", ts_total),
	DN_PROP("TotalMinutes", ts_total),
	DN_PROP("TotalSeconds", ts_total),
	DN_PROP("TotalMilliseconds", ts_total),
	DN_METHOD("Add", 1, 1, ts_add),
	DN_METHOD("Subtract", 1, 1, ts_add),
	DN_METHOD("Negate", 0, 0, ts_negate),
	DN_METHOD("Duration", 0, 0, ts_duration),
	DN_METHOD("ToString", 0, 1, ts_tostring),
	DN_METHOD("CompareTo", 1, 1, ts_compareto),
	DN_END
};

const struct dn_member dn_span_statics[] = {
	DN_PROP("Zero", ts_s_limit),
	DN_PROP("MaxValue", ts_s_limit),
	DN_PROP("MinValue", ts_s_limit),
	DN_METHOD("FromDays", 1, 1, ts_s_from),
	DN_METHOD("FromHours", 1, 1, ts_s_from),
	DN_METHOD("FromMinutes", 1, 1, ts_s_from),
	DN_METHOD("FromSeconds", 1, 1, ts_s_from),
	DN_METHOD("FromMilliseconds", 1, 1, ts_s_from),
	DN_METHOD("FromTicks", 1, 1, ts_s_fromticks),
	DN_METHOD("Parse", 1, 2, ts_s_parse),
	DN_METHOD("new", 1, 1, ts_s_new),
	DN_METHOD("new", 3, 5, ts_s_new),
	DN_END
};

/* ------------------------------------------------------------------ */
/* Dates taken apart and put together */

static void
dn_split_date(int64_t usec, struct dn_tm *d)
{
	struct tm	tm;
	time_t		t;
	int64_t		frac;

	frac = ((usec % 1000000) + 1000000) % 1000000;
	t = (time_t)((usec - frac) / 1000000);
	memset(&tm, 0, sizeof tm);
	localtime_r(&t, &tm);
	d->year = tm.tm_year + 1900;
	d->month = tm.tm_mon + 1;
	d->day = tm.tm_mday;
	d->hour = tm.tm_hour;
	d->minute = tm.tm_min;
	d->second = tm.tm_sec;
	d->usec = (int)frac;
	d->wday = tm.tm_wday;
	d->yday = tm.tm_yday + 1;
	d->gmtoff = tm.tm_gmtoff;
}

static bool
dn_leap(int y)
{
	return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

static int
dn_days_in(int y, int m)
{
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return (m == 2 && dn_leap(y) ? 29 : mdays[m - 1]);
}

/*
 * A local date from its parts (checked as .NET checks them): 0, or -1
 * for a date that does not exist.
 */
static int
dn_make_date(int y, int mo, int d, int h, int mi, int s, int usec,
    int64_t *out)
{
	struct tm	tm;
	time_t		t;

	if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > dn_days_in(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    s < 0 || s > 59 || usec < 0 || usec > 999999)
		return (-1);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	*out = (int64_t)t * 1000000 + usec;
	return (0);
}

/* The local wall clock of a date, as microseconds since the epoch. */
static int64_t
dn_wall(int64_t usec)
{
	struct dn_tm	d;

	dn_split_date(usec, &d);
	return (usec + (int64_t)d.gmtoff * 1000000);
}

/* The date whose wall clock that is; false past .NET's range. */
static bool
dn_unwall(int64_t wall, int64_t *usec)
{
	struct tm	tm;
	time_t		t;
	int64_t		frac, ticks = wall * 10 + TICKS_EPOCH;

	if (wall < -TICKS_EPOCH / 10 || ticks > TICKS_MAXDATE)
		return (false);
	frac = ((wall % 1000000) + 1000000) % 1000000;
	t = (time_t)((wall - frac) / 1000000);
	gmtime_r(&t, &tm);
	tm.tm_isdst = -1;
	*usec = (int64_t)mktime(&tm) * 1000000 + frac;
	return (true);
}

/* A date as .NET ticks (of its wall clock). */
static int64_t
dn_date_ticks(int64_t usec)
{
	return (dn_wall(usec) * 10 + TICKS_EPOCH);
}

/* ------------------------------------------------------------------ */
/* Parsing dates */

/* A month or day name (or its first three letters) at s: 1-based. */
static int
dn_name(const char *s, const char *const *names, int n, size_t *len)
{
	int	i;

	for (i = 0; i < n; i++) {
		*len = strlen(names[i]);
		if (strncasecmp(s, names[i], *len) == 0 &&
		    !isalpha((unsigned char)s[*len]))
			return (i + 1);
		*len = 3;
		if (strncasecmp(s, names[i], 3) == 0 &&
		    !isalpha((unsigned char)s[3]))
			return (i + 1);
	}
	return (0);
}

/* Digits at *s (at most max): the number, or -1 when none. */
static int
dn_digits(const char **s, int max, int *ndigits)
{
	int	v = 0, n = 0;

	while (n < max && isdigit((unsigned char)**s)) {
		v = v * 10 + (*(*s)++ - '0');
		n++;
	}
	if (ndigits != NULL)
		*ndigits = n;
	return (n > 0 ? v : -1);
}

/* A two-digit year as .NET's calendar reads it (up to 2029). */
static int
dn_year(int y, int ndigits)
{
	if (ndigits > 2)
		return (y);
	return (y <= 29 ? 2000 + y : 1900 + y);
}

/*
 * The date part: yyyy-M-d, yyyy/M/d, M/d/yyyy, Month d[,] yyyy,
 * d Month yyyy; none (time only) is today.  0, or -1.
 */
static int
dn_parse_day(const char **sp, int *y, int *mo, int *d)
{
	const char	*s = *sp;
	size_t		 len;
	int		 a, b, c, na, nc;
	char		 sep;

	if ((*mo = dn_name(s, dn_months, 12, &len)) > 0) {
		s += len;
		while (*s == ' ' || *s == '-')
			s++;
		if ((*d = dn_digits(&s, 2, NULL)) < 0)
			return (-1);
		return (dn_parse_year(sp, s, y));
	}
	if ((a = dn_digits(&s, 4, &na)) < 0)
		return (-1);
	if (*s == ':')
		return (1);		/* a time: no date */
	while (*s == ' ' || (*s == '-' && isalpha((unsigned char)s[1])))
		s++;
	if ((*mo = dn_name(s, dn_months, 12, &len)) > 0) {
		*d = a;
		return (dn_parse_year(sp, s + len, y));
	}
	if ((sep = *s) != '-' && sep != '/' && sep != '.')
		return (-1);
	s++;
	if ((b = dn_digits(&s, 2, NULL)) < 0 || *s++ != sep ||
	    (c = dn_digits(&s, 4, &nc)) < 0)
		return (-1);
	*y = na == 4 ? a : dn_year(c, nc);
	*mo = na == 4 ? b : a;
	*d = na == 4 ? c : b;
	*sp = s;
	return (0);
}

/* The year after a month's name and day ("January 15, 2024"). */
static int
dn_parse_year(const char **sp, const char *s, int *y)
{
	int	c, nc;

	while (*s == ',' || *s == ' ' || *s == '-')
		s++;
	if ((c = dn_digits(&s, 4, &nc)) < 0)
		return (-1);
	*y = dn_year(c, nc);
	*sp = s;
	return (0);
}

/* H:mm[:ss[.fffffff]] [AM|PM] at *sp; 0, or -1. */
static int
dn_parse_clock(const char **sp, int *h, int *mi, int *se, int *usec)
{
	const char	*s = *sp;
	int		 n, scale;

	*se = *usec = 0;
	if ((*h = dn_digits(&s, 2, NULL)) < 0 || *s++ != ':' ||
	    (*mi = dn_digits(&s, 2, NULL)) < 0)
		return (-1);
	if (*s == ':') {
		s++;
		if ((*se = dn_digits(&s, 2, NULL)) < 0)
			return (-1);
		if (*s == '.' && isdigit((unsigned char)s[1])) {
			s++;
			for (scale = 100000, n = 0; isdigit((unsigned char)*s);
			    s++, n++) {
				*usec += (*s - '0') * scale;
				scale /= 10;
			}
			if (n > 7)
				return (-1);
		}
	}
	while (*s == ' ')
		s++;
	if ((toupper((unsigned char)*s) == 'A' ||
	    toupper((unsigned char)*s) == 'P') &&
	    toupper((unsigned char)s[1]) == 'M') {
		if (*h < 1 || *h > 12)
			return (-1);
		*h = *h % 12 + (toupper((unsigned char)*s) == 'P' ? 12 : 0);
		s += 2;
	}
	*sp = s;
	return (0);
}

/* Z or +hh[:mm] / -hh[:mm] at *sp: the offset in seconds, or 0. */
static int
dn_parse_zone(const char **sp, long *off, bool *has)
{
	const char	*s = *sp;
	int		 h, m = 0, sign;

	*has = false;
	*off = 0;
	if (*s == 'Z' || *s == 'z') {
		*has = true;
		*sp = s + 1;
		return (0);
	}
	if (*s != '+' && *s != '-')
		return (0);
	sign = *s++ == '-' ? -1 : 1;
	if ((h = dn_digits(&s, 2, NULL)) < 0)
		return (-1);
	if (*s == ':')
		s++;
	if (isdigit((unsigned char)*s) && (m = dn_digits(&s, 2, NULL)) < 0)
		return (-1);
	*off = sign * (h * 3600L + m * 60L);
	*has = true;
	*sp = s;
	return (0);
}

/*
 * DateTime.Parse in the invariant culture, as a cast reads text and the
 * binder a DateTime parameter: a date (dn_parse_day), a time, or both,
 * separated by a blank or T, with Z or an offset (converted to local
 * time).  0, or -1.
 */
int
dotnet_date_parse(const char *s, int64_t *usec)
{
	struct dn_tm	 now;
	size_t		 len;
	long		 off;
	int		 y, mo, d, h = 0, mi = 0, se = 0, us = 0, r;
	bool		 zone;

	while (dn_is_blank((unsigned char)*s))
		s++;
	if (dn_name(s, dn_days, 7, &len) > 0) {
		s += len;
		while (*s == ',' || *s == ' ')
			s++;
	}
	if ((r = dn_parse_day(&s, &y, &mo, &d)) < 0)
		return (-1);
	if (r == 1) {
		dn_split_date(date_now(), &now);
		y = now.year;
		mo = now.month;
		d = now.day;
	}
	if (*s == 'T' || *s == ' ')
		s += r == 0 ? 1 : 0;
	while (*s == ' ')
		s++;
	if (isdigit((unsigned char)*s) && dn_parse_clock(&s, &h, &mi, &se,
	    &us) != 0)
		return (-1);
	if (dn_parse_zone(&s, &off, &zone) != 0)
		return (-1);
	while (dn_is_blank((unsigned char)*s))
		s++;
	if (*s != '\0' || dn_make_date(y, mo, d, h, mi, se, us, usec) != 0)
		return (-1);
	if (zone)
		*usec = dn_wall(*usec) - (int64_t)off * 1000000;
	return (0);
}

/* The parts ParseExact fills. */
struct dn_exact {
	int	y, mo, d, h, mi, se, us, pm;
	long	off;
	bool	zone;
};

/* One run of n pattern letters c against *sp; 0, or -1. */
static int
dn_exact_token(const char **sp, char c, int n, struct dn_exact *e)
{
	const char	*s = *sp;
	size_t		 len;
	int		 v, nd, scale, i;

	switch (c) {
	case 'y':
		v = dn_digits(&s, n <= 2 ? 2 : n < 4 ? 4 : n, &nd);
		e->y = n <= 2 ? dn_year(v, nd) : v;
		break;
	case 'M':
		v = n >= 3 ? dn_name(s, dn_months, 12, &len) : dn_digits(&s,
		    2, NULL);
		if (n >= 3)
			s += v > 0 ? len : 0;
		e->mo = v;
		break;
	case 'd':
		if (n >= 3) {
			v = dn_name(s, dn_days, 7, &len);
			s += v > 0 ? len : 0;
		} else
			v = e->d = dn_digits(&s, 2, NULL);
		break;
	case 'H': case 'h':
		v = e->h = dn_digits(&s, 2, NULL);
		break;
	case 'm':
		v = e->mi = dn_digits(&s, 2, NULL);
		break;
	case 's':
		v = e->se = dn_digits(&s, 2, NULL);
		break;
	case 'f': case 'F':
		for (i = 0, scale = 100000, v = 0; i < n &&
		    isdigit((unsigned char)*s); i++, s++, scale /= 10)
			v += (*s - '0') * scale;
		e->us = v;
		v = i == n || c == 'F' ? 0 : -1;
		break;
	case 't':
		v = toupper((unsigned char)*s) == 'A' ? 1 :
		    toupper((unsigned char)*s) == 'P' ? 2 : -1;
		e->pm = v;
		s += n == 1 ? 1 : toupper((unsigned char)s[1]) == 'M' ? 2 : 0;
		break;
	case 'z': case 'K':
		v = dn_parse_zone(&s, &e->off, &e->zone);
		break;
	default:
		v = -1;
		break;
	}
	*sp = s;
	return (v < 0 ? -1 : 0);
}

/* DateTime.ParseExact(s, format): the whole of s in the pattern. */
static int
dn_date_exact(const char *s, const char *fmt, int64_t *usec)
{
	struct dn_exact	 e = { 1, 1, 1, 0, 0, 0, 0, 0, 0, false };
	const char	*p;
	size_t		 n;
	char		 q;

	for (p = date_pattern(fmt); *p != '\0'; p += n) {
		n = 1;
		if (*p == '\'' || *p == '"') {
			for (q = *p; p[n] != '\0' && p[n] != q; n++)
				if (*s++ != p[n])
					return (-1);
			n += p[n] == q;
		} else if (*p == '\\' && p[1] != '\0') {
			if (*s++ != p[1])
				return (-1);
			n = 2;
		} else if (strchr("yMdHhmsfFtzK", *p) != NULL) {
			while (p[n] == *p)
				n++;
			if (dn_exact_token(&s, *p, (int)n, &e) != 0)
				return (-1);
		} else if (*s++ != *p)
			return (-1);
	}
	if (*s != '\0' || (e.pm > 0 && (e.h < 1 || e.h > 12)))
		return (-1);
	if (e.pm > 0)
		e.h = e.h % 12 + (e.pm == 2 ? 12 : 0);
	if (dn_make_date(e.y, e.mo, e.d, e.h, e.mi, e.se, e.us, usec) != 0)
		return (-1);
	if (e.zone)
		*usec = dn_wall(*usec) - (int64_t)e.off * 1000000;
	return (0);
}

/* [datetime]v: a date, text (DateTime.Parse), or ticks. */
struct value *
dn_date_convert(const struct dn_tref *t, struct value *v,
    struct dn_error *err)
{
	int64_t	usec;

	(void)t;
	if (v->type == V_DATE)
		return (value_ref(v));
	if (v->type == V_NULL)
		return (dn_bad_null(err, DN(DATETIME)->name));
	if (v->type == V_ARRAY && v->u.arr.n == 1)
		return (dn_date_convert(t, v->u.arr.v[0], err));
	if (v->type == V_STRING) {
		if (dotnet_date_parse(v->u.s, &usec) != 0)
			return (dn_bad_value(err,
			    "InvalidCastParseTargetInvocation", v,
			    DN(DATETIME)->name, DN_BADDATE));
		return (value_date(usec));
	}
	if (v->type == V_INT && v->u.i >= 0 && v->u.i <= TICKS_MAXDATE &&
	    dn_unwall((v->u.i - TICKS_EPOCH) / 10, &usec))
		return (value_date(usec));
	return (dn_bad_cast(err, v, DN(DATETIME)->name));
}

/* ------------------------------------------------------------------ */
/* DateTime members */

/* Year, Month, Day, Hour, Minute, Second, Millisecond, DayOfYear. */
static struct value *
dt_part(struct dn_call *c)
{
	struct dn_tm	 d;
	const char	*m = c->m->name;

	dn_split_date(c->self->u.date, &d);
	switch (m[0]) {
	case 'Y':
		return (value_int(d.year));
	case 'H':
		return (value_int(d.hour));
	case 'S':
		return (value_int(d.second));
	}
	if (strcmp(m, "Month") == 0)
		return (value_int(d.month));
	if (strcmp(m, "Day") == 0)
		return (value_int(d.day));
	if (strcmp(m, "Minute") == 0)
		return (value_int(d.minute));
	if (strcmp(m, "Millisecond") == 0)
		return (value_int(d.usec / 1000));
	return (value_int(d.yday));
}

/* DayOfWeek is an enumeration; hubsh gives its name. */
static struct value *
dt_dayofweek(struct dn_call *c)
{
	struct dn_tm	d;

	dn_split_date(c->self->u.date, &d);
	return (value_string(dn_days[d.wday]));
}

static struct value *
dt_date(struct dn_call *c)
{
	struct dn_tm	d;
	int64_t		usec;

	dn_split_date(c->self->u.date, &d);
	dn_make_date(d.year, d.month, d.day, 0, 0, 0, 0, &usec);
	return (value_date(usec));
}

static struct value *
dt_timeofday(struct dn_call *c)
{
	struct dn_tm	d;

	dn_split_date(c->self->u.date, &d);
	return (value_timespan(d.hour * TICKS_H + d.minute * TICKS_MIN +
	    d.second * TICKS_S + (int64_t)d.usec * 10));
}

static struct value *
dt_ticks(struct dn_call *c)
{
	return (value_int(dn_date_ticks(c->self->u.date)));
}

static struct value *
dt_kind(struct dn_call *c)
{
	(void)c;
	return (value_string("Local"));
}

/* The date ticks later on the wall clock, or .NET's range error. */
static struct value *
dn_date_add(struct dn_call *c, int64_t ticks, const char *param)
{
	int64_t	wall, usec;

	wall = dn_wall(c->self->u.date);
	if ((ticks > 0 && wall > INT64_MAX / 20 - ticks / 10) ||
	    !dn_unwall(wall + ticks / 10, &usec))
		return (dn_range(c, param, DN_UNREP));
	return (value_date(usec));
}

/*
 * AddDays and the others: .NET rounds the value to a whole millisecond
 * (half away from zero) before adding it.
 */
static struct value *
dt_addunit(struct dn_call *c)
{
	static const struct {
		const char	*name;
		double		 ms;
	} units[] = {
		{ "AddDays", 86400000.0 }, { "AddHours", 3600000.0 },
		{ "AddMinutes", 60000.0 }, { "AddSeconds", 1000.0 },
		{ "AddMilliseconds", 1.0 },
	};
	double	value, ms;
	size_t	i;

	if (dn_arg_double(c, 0, "value", &value) != 0)
		return (NULL);
	for (i = 0; strcmp(units[i].name, c->m->name) != 0; i++)
		continue;
	ms = value * units[i].ms;
	ms = ms >= 0 ? floor(ms + 0.5) : -floor(-ms + 0.5);
	if (isnan(ms) || fabs(ms) >= 315537897600000.0)
		return (dn_range(c, "value", "Value to add was out of range."));
	return (dn_date_add(c, (int64_t)ms * TICKS_MS, "value"));
}

static struct value *
dt_addticks(struct dn_call *c)
{
	struct value	*v;
	int64_t		 n;

	if (dn_arg(c, 0, DN_INT64, "value", &v) != 0)
		return (NULL);
	n = v->u.i;
	value_unref(v);
	if (n > TICKS_MAXDATE || n < -TICKS_MAXDATE)
		return (dn_range(c, "value", DN_UNREP));
	return (dn_date_add(c, n, "value"));
}

/* months added, the day cut to the last of the month. */
static struct value *
dn_add_months(struct dn_call *c, int64_t months, const char *param)
{
	struct dn_tm	d;
	int64_t		usec, m;
	int		y, mo;

	dn_split_date(c->self->u.date, &d);
	m = (int64_t)d.year * 12 + d.month - 1 + months;
	if (months < -120000 || months > 120000 || m < 12 || m >= 120000)
		return (dn_range(c, param, DN_UNREP));
	y = (int)(m / 12);
	mo = (int)(m % 12) + 1;
	if (d.day > dn_days_in(y, mo))
		d.day = dn_days_in(y, mo);
	if (dn_make_date(y, mo, d.day, d.hour, d.minute, d.second, d.usec,
	    &usec) != 0)
		return (dn_range(c, param, DN_UNREP));
	return (value_date(usec));
}

static struct value *
dt_addmonths(struct dn_call *c)
{
	int64_t	n;

	if (dn_arg_int(c, 0, "months", &n) != 0)
		return (NULL);
	if (n < -120000 || n > 120000)
		return (dn_range(c, "months", "Months value must be between "
		    "+/-120000."));
	return (dn_add_months(c, n, "months"));
}

static struct value *
dt_addyears(struct dn_call *c)
{
	int64_t	n;

	if (dn_arg_int(c, 0, "value", &n) != 0)
		return (NULL);
	if (n < -10000 || n > 10000)
		return (dn_range(c, "years", "Years value must be between "
		    "+/-10000."));
	return (dn_add_months(c, n * 12, "months"));
}

static struct value *
dt_add(struct dn_call *c)
{
	struct value	*ts;
	int64_t		 n;

	if (dn_arg(c, 0, DN_TIMESPAN, "value", &ts) != 0)
		return (NULL);
	n = ts->u.ticks;
	value_unref(ts);
	return (dn_date_add(c, n, "value"));
}

/* Subtract(DateTime) is a TimeSpan; Subtract(TimeSpan) a DateTime. */
static struct value *
dt_subtract(struct dn_call *c)
{
	struct value	*ts;
	int64_t		 n;

	if (c->args[0]->type == V_DATE)
		return (value_timespan(dn_date_ticks(c->self->u.date) -
		    dn_date_ticks(c->args[0]->u.date)));
	if (dn_arg(c, 0, DN_TIMESPAN, "value", &ts) != 0)
		return (NULL);
	n = ts->u.ticks;
	value_unref(ts);
	return (dn_date_add(c, -n, "value"));
}

/* ToString(): en-US, "1/15/2024 10:30:00 AM"; ToString(format). */
static struct value *
dt_tostring(struct dn_call *c)
{
	char	*f, *s;

	if (c->nargs == 0 || c->args[0]->type == V_NULL)
		return (value_string_take(date_format(c->self->u.date, "G")));
	f = dn_arg_str(c, 0);
	s = date_format(c->self->u.date, *f != '\0' ? f : "G");
	free(f);
	return (value_string_take(s));
}

/* ToShortDateString and its kin: the en-US d, D, t and T patterns. */
static struct value *
dt_pattern(struct dn_call *c)
{
	const char	*m = c->m->name + 2, *f;

	if (strcmp(m, "ShortDateString") == 0)
		f = "d";
	else if (strcmp(m, "LongDateString") == 0)
		f = "D";
	else if (strcmp(m, "ShortTimeString") == 0)
		f = "t";
	else
		f = "T";
	return (value_string_take(date_format(c->self->u.date, f)));
}

static struct value *
dt_universal(struct dn_call *c)
{
	int64_t	usec = c->self->u.date;

	return (value_date(usec - (dn_wall(usec) - usec)));
}

static struct value *
dt_local(struct dn_call *c)
{
	return (value_date(dn_wall(c->self->u.date)));
}

static struct value *
dt_compareto(struct dn_call *c)
{
	struct value	*o;
	int64_t		 a = c->self->u.date, b;

	if (c->args[0]->type == V_NULL)
		return (value_int(1));
	if (dn_arg(c, 0, DN_DATETIME, "value", &o) != 0)
		return (NULL);
	b = o->u.date;
	value_unref(o);
	return (value_int(a < b ? -1 : a > b));
}

static struct value *
dt_isdst(struct dn_call *c)
{
	struct tm	tm;
	time_t		t = (time_t)(c->self->u.date / 1000000);

	localtime_r(&t, &tm);
	return (value_bool(tm.tm_isdst > 0));
}

/* ------------------------------------------------------------------ */
/* DateTime statics */

static struct value *
dt_s_now(struct dn_call *c)
{
	struct dn_tm	d;
	int64_t		now = date_now(), usec;

	if (strcmp(c->m->name, "UtcNow") == 0)
		return (value_date(now - (dn_wall(now) - now)));
	if (strcmp(c->m->name, "Now") == 0)
		return (value_date(now));
	dn_split_date(now, &d);
	dn_make_date(d.year, d.month, d.day, 0, 0, 0, 0, &usec);
	return (value_date(usec));
}

/* MinValue 1/1/0001 00:00:00, MaxValue 12/31/9999 23:59:59.999999. */
static struct value *
dt_s_limit(struct dn_call *c)
{
	int64_t	usec;

	if (strcmp(c->m->name, "MinValue") == 0)
		dn_make_date(1, 1, 1, 0, 0, 0, 0, &usec);
	else
		dn_make_date(9999, 12, 31, 23, 59, 59, 999999, &usec);
	return (value_date(usec));
}

static struct value *
dt_s_parse(struct dn_call *c)
{
	int64_t	 usec;
	char	*s;
	int	 rc;

	s = dn_arg_str(c, 0);
	rc = dotnet_date_parse(s, &usec);
	free(s);
	if (rc != 0)
		return (dn_throw(c, "FormatException", DN_BADDATE));
	return (value_date(usec));
}

/* ParseExact(s, format or formats, provider[, styles]). */
static struct value *
dt_s_parseexact(struct dn_call *c)
{
	int64_t	 usec;
	char	*s, *f;
	size_t	 i;
	int	 rc = -1;

	s = dn_arg_str(c, 0);
	for (i = 0; rc != 0 && i < value_count(c->args[1]); i++) {
		f = value_to_string(value_item(c->args[1], i));
		rc = dn_date_exact(s, f, &usec);
		free(f);
	}
	free(s);
	if (rc != 0)
		return (dn_throw(c, "FormatException", DN_BADDATE));
	return (value_date(usec));
}

static struct value *
dt_s_daysinmonth(struct dn_call *c)
{
	int64_t	y, m;

	if (dn_arg_int(c, 0, "year", &y) != 0 ||
	    dn_arg_int(c, 1, "month", &m) != 0)
		return (NULL);
	if (m < 1 || m > 12)
		return (dn_range(c, "month", "Month must be between one and "
		    "twelve."));
	if (y < 1 || y > 9999)
		return (dn_range(c, "year", "Year must be between 1 and "
		    "9999."));
	return (value_int(dn_days_in((int)y, (int)m)));
}

static struct value *
dt_s_isleapyear(struct dn_call *c)
{
	int64_t	y;

	if (dn_arg_int(c, 0, "year", &y) != 0)
		return (NULL);
	if (y < 1 || y > 9999)
		return (dn_range(c, "year", "Year must be between 1 and "
		    "9999."));
	return (value_bool(dn_leap((int)y)));
}

/* new DateTime(ticks), (y, m, d), (y, m, d, h, mi, s[, ms]). */
static struct value *
dt_s_new(struct dn_call *c)
{
	static const char *const names[] = { "year", "month", "day", "hour",
	    "minute", "second", "millisecond" };
	struct value	*v;
	int64_t		 p[7] = { 0, 0, 0, 0, 0, 0, 0 }, usec;
	size_t		 i;

	if (c->nargs == 1) {
		if (dn_arg(c, 0, DN_INT64, "ticks", &v) != 0)
			return (NULL);
		usec = v->u.i;
		value_unref(v);
		if (usec < 0 || usec > TICKS_MAXDATE ||
		    !dn_unwall((usec - TICKS_EPOCH) / 10, &usec))
			return (dn_range(c, "ticks", "Ticks must be between "
			    "DateTime.MinValue.Ticks and "
			    "DateTime.MaxValue.Ticks."));
		return (value_date(usec));
	}
	for (i = 0; i < c->nargs; i++) {
		if (dn_arg_int(c, i, names[i], &p[i]) != 0)
			return (NULL);
	}
	if (p[0] < 1 || p[0] > 9999 || p[1] < 1 || p[1] > 12 || p[2] < 1 ||
	    p[2] > dn_days_in((int)p[0], (int)p[1]))
		return (dn_throw(c, "ArgumentOutOfRangeException", "Year, "
		    "Month, and Day parameters describe an un-representable "
		    "DateTime."));
	if (p[3] < 0 || p[3] > 23 || p[4] < 0 || p[4] > 59 || p[5] < 0 ||
	    p[5] > 59)
		return (dn_throw(c, "ArgumentOutOfRangeException", "Hour, "
		    "Minute, and Second parameters describe an "
		    "un-representable DateTime."));
	if (p[6] < 0 || p[6] > 999)
		return (dn_range(c, "millisecond", "Valid values are between "
		    "0 and 999, inclusive."));
	dn_make_date((int)p[0], (int)p[1], (int)p[2], (int)p[3], (int)p[4],
	    (int)p[5], (int)p[6] * 1000, &usec);
	return (value_date(usec));
}

/* ------------------------------------------------------------------ */
/* TimeSpan */

/* The "c" format: [-][d.]hh:mm:ss[.fffffff]. */
char *
dotnet_timespan_text(int64_t ticks)
{
	uint64_t	 u = ticks < 0 ? -(uint64_t)ticks : (uint64_t)ticks;
	struct buf	 b;

	buf_init(&b);
	if (ticks < 0)
		buf_addc(&b, '-');
	if (u >= (uint64_t)TICKS_DAY)
		buf_addf(&b, "%llu.", (unsigned long long)(u / TICKS_DAY));
	buf_addf(&b, "%02u:%02u:%02u", (unsigned)(u / TICKS_H % 24),
	    (unsigned)(u / TICKS_MIN % 60), (unsigned)(u / TICKS_S % 60));
	if (u % TICKS_S != 0)
		buf_addf(&b, ".%07u", (unsigned)(u % TICKS_S));
	return (buf_detach(&b));
}

/* The g and G formats: [-][d:]h:mm:ss[.FFFFFFF], -d:hh:mm:ss.fffffff. */
static char *
dn_span_general(int64_t ticks, bool big)
{
	uint64_t	 u = ticks < 0 ? -(uint64_t)ticks : (uint64_t)ticks;
	unsigned	 frac = (unsigned)(u % TICKS_S);
	struct buf	 b;

	buf_init(&b);
	buf_addf(&b, "%s", ticks < 0 ? "-" : "");
	if (u >= (uint64_t)TICKS_DAY || big)
		buf_addf(&b, "%llu:", (unsigned long long)(u / TICKS_DAY));
	buf_addf(&b, big ? "%02u:%02u:%02u" : "%u:%02u:%02u",
	    (unsigned)(u / TICKS_H % 24), (unsigned)(u / TICKS_MIN % 60),
	    (unsigned)(u / TICKS_S % 60));
	if (big || frac != 0) {
		buf_addf(&b, ".%07u", frac);
		while (!big && b.s[b.len - 1] == '0')
			b.s[--b.len] = '\0';
	}
	return (buf_detach(&b));
}

/*
 * One run of n pattern letters c of a custom TimeSpan format, for the
 * time span u (its magnitude); -1 for one .NET refuses.
 */
static int
dn_span_token(struct buf *b, uint64_t u, char c, size_t n)
{
	unsigned	frac = (unsigned)(u % TICKS_S), k, digits;

	switch (c) {
	case 'd':
		if (n > 8)
			return (-1);
		buf_addf(b, "%0*llu", (int)n, (unsigned long long)(u /
		    TICKS_DAY));
		return (0);
	case 'h': case 'm': case 's':
		if (n > 2)
			return (-1);
		buf_addf(b, n == 2 ? "%02u" : "%u", c == 'h' ?
		    (unsigned)(u / TICKS_H % 24) : c == 'm' ?
		    (unsigned)(u / TICKS_MIN % 60) :
		    (unsigned)(u / TICKS_S % 60));
		return (0);
	case 'f': case 'F':
		if (n > 7)
			return (-1);
		for (k = 1000000, digits = 0; digits < n; digits++, k /= 10)
			buf_addc(b, (char)('0' + frac / k % 10));
		while (c == 'F' && digits-- > 0 && b->s[b->len - 1] == '0')
			b->s[--b->len] = '\0';
		return (0);
	default:
		return (-1);
	}
}

/*
 * A custom TimeSpan format (d, hh, mm, ss, f, F, 'text', \c) or c, g
 * and G; NULL for one .NET refuses.  Literals must be quoted or
 * escaped: "hh\:mm".
 */
static char *
dn_span_format(int64_t ticks, const char *fmt)
{
	uint64_t	 u = ticks < 0 ? -(uint64_t)ticks : (uint64_t)ticks;
	struct buf	 b;
	const char	*p;
	size_t		 n;
	char		 q;

	if (*fmt == '\0' || strcmp(fmt, "c") == 0 || strcmp(fmt, "t") == 0 ||
	    strcmp(fmt, "T") == 0)
		return (dotnet_timespan_text(ticks));
	if (strcmp(fmt, "g") == 0 || strcmp(fmt, "G") == 0)
		return (dn_span_general(ticks, *fmt == 'G'));
	buf_init(&b);
	buf_adds(&b, "");
	for (p = fmt; *p != '\0'; p += n) {
		n = 1;
		if (*p == '\'' || *p == '"') {
			for (q = *p; p[n] != '\0' && p[n] != q; n++)
				buf_addc(&b, p[n]);
			if (p[n++] != q)
				break;
		} else if (*p == '\\' && p[1] != '\0') {
			buf_addc(&b, p[1]);
			n = 2;
		} else {
			while (p[n] == *p)
				n++;
			if (dn_span_token(&b, u, *p, n) != 0)
				break;
		}
	}
	if (*p == '\0')
		return (buf_detach(&b));
	buf_free(&b);
	return (NULL);
}

char *
dotnet_timespan_format(int64_t ticks, const char *fmt)
{
	return (dn_span_format(ticks, fmt));
}

/* One number of a time span's text: digits, at most max of them. */
static int
dn_span_field(const char **sp, int max, int64_t *v)
{
	int	n = 0;

	*v = 0;
	while (isdigit((unsigned char)**sp)) {
		if (++n > max)
			return (-1);
		*v = *v * 10 + (*(*sp)++ - '0');
	}
	return (n > 0 ? 0 : -1);
}

/*
 * TimeSpan.Parse, invariant: [-]d, [-][d.]hh:mm[:ss[.fffffff]] or
 * [-]d:hh:mm:ss[.fffffff]; 0, -1 for bad text, -2 for a part out of
 * range (OverflowException).
 */
static int
dn_span_parse(const char *s, int64_t *ticks)
{
	int64_t	 d = 0, f = 0, p[4] = { 0, 0, 0, 0 };
	int	 n = 1, digits;
	bool	 neg;
	const char *start;

	while (dn_is_blank((unsigned char)*s))
		s++;
	if ((neg = *s == '-'))
		s++;
	if (dn_span_field(&s, 8, &p[0]) != 0)
		return (-1);
	if (*s == '.' && isdigit((unsigned char)s[1])) {
		s++;
		d = p[0];
		if (dn_span_field(&s, 2, &p[0]) != 0 || *s != ':')
			return (-1);
	}
	while (*s == ':' && n < 4) {
		s++;
		if (dn_span_field(&s, 2, &p[n++]) != 0)
			return (-1);
	}
	if (*s == '.' && n >= 3) {
		start = ++s;
		if (dn_span_field(&s, 7, &f) != 0)
			return (-1);
		for (digits = (int)(s - start); digits < 7; digits++)
			f *= 10;
	}
	while (dn_is_blank((unsigned char)*s))
		s++;
	if (*s != '\0' || (n == 4 && d != 0))
		return (-1);
	/* d alone is days; d:h:m:s has days first; else h:m[:s]. */
	if (n == 1 || n == 4) {
		d = p[0];
		memmove(p, p + 1, 3 * sizeof *p);
		p[3] = 0;
	}
	if (d > 10675199 || p[0] > 23 || p[1] > 59 || p[2] > 59)
		return (-2);
	*ticks = d * TICKS_DAY + p[0] * TICKS_H + p[1] * TICKS_MIN +
	    p[2] * TICKS_S + f;
	if (neg)
		*ticks = -*ticks;
	return (0);
}

/* [timespan]v: a time span, text (TimeSpan.Parse), or ticks. */
struct value *
dn_span_convert(const struct dn_tref *t, struct value *v,
    struct dn_error *err)
{
	int64_t	ticks;
	int	rc;

	(void)t;
	if (v->type == V_TIMESPAN)
		return (value_ref(v));
	if (v->type == V_NULL)
		return (dn_bad_null(err, DN(TIMESPAN)->name));
	if (v->type == V_ARRAY && v->u.arr.n == 1)
		return (dn_span_convert(t, v->u.arr.v[0], err));
	if (v->type == V_INT)
		return (value_timespan(v->u.i));
	if (v->type == V_STRING) {
		if ((rc = dn_span_parse(v->u.s, &ticks)) == 0)
			return (value_timespan(ticks));
		return (dn_bad_value(err, "InvalidCastParseTargetInvocation", v,
		    DN(TIMESPAN)->name, rc == -2 ? "The TimeSpan could not be "
		    "parsed because at least one of the numeric components is "
		    "out of range or contains too many digits." : DN_BADSPAN));
	}
	return (dn_bad_cast(err, v, DN(TIMESPAN)->name));
}

/* Days, Hours, Minutes, Seconds, Milliseconds, Ticks. */
static struct value *
ts_part(struct dn_call *c)
{
	int64_t		 t = c->self->u.ticks;
	const char	*m = c->m->name;

	if (strcmp(m, "Days") == 0)
		return (value_int(t / TICKS_DAY));
	if (strcmp(m, "Hours") == 0)
		return (value_int(t / TICKS_H % 24));
	if (strcmp(m, "Minutes") == 0)
		return (value_int(t / TICKS_MIN % 60));
	if (strcmp(m, "Seconds") == 0)
		return (value_int(t / TICKS_S % 60));
	if (strcmp(m, "Milliseconds") == 0)
		return (value_int(t / TICKS_MS % 1000));
	return (value_int(t));
}

static struct value *
ts_total(struct dn_call *c)
{
	static const struct {
		const char	*name;
		double		 ticks;
	} units[] = {
		{ "TotalDays", (double)TICKS_DAY }, { "TotalHours",
		(double)TICKS_H }, { "TotalMinutes", (double)TICKS_MIN },
		{ "TotalSeconds", (double)TICKS_S },
		{ "TotalMilliseconds", (double)TICKS_MS },
	};
	size_t	i;

	for (i = 0; strcmp(units[i].name, c->m->name) != 0; i++)
		continue;
	return (value_double((double)c->self->u.ticks / units[i].ticks));
}

/* Add and Subtract. */
static struct value *
ts_add(struct dn_call *c)
{
	struct value	*o;
	int64_t		 a = c->self->u.ticks, b, r;
	bool		 over;

	if (dn_arg(c, 0, DN_TIMESPAN, "ts", &o) != 0)
		return (NULL);
	b = o->u.ticks;
	value_unref(o);
	if (strcmp(c->m->name, "Subtract") == 0)
		over = __builtin_sub_overflow(a, b, &r);
	else
		over = __builtin_add_overflow(a, b, &r);
	if (over)
		return (dn_throw(c, "OverflowException", DN_SPANLONG));
	return (value_timespan(r));
}

static struct value *
ts_negate(struct dn_call *c)
{
	if (c->self->u.ticks == INT64_MIN)
		return (dn_throw(c, "OverflowException", "Negating the minimum "
		    "value of a twos complement number is invalid."));
	return (value_timespan(-c->self->u.ticks));
}

static struct value *
ts_duration(struct dn_call *c)
{
	if (c->self->u.ticks == INT64_MIN)
		return (dn_throw(c, "OverflowException", "The duration cannot "
		    "be returned for TimeSpan.MinValue because the absolute "
		    "value of TimeSpan.MinValue exceeds the value of "
		    "TimeSpan.MaxValue."));
	return (value_timespan(c->self->u.ticks < 0 ? -c->self->u.ticks :
	    c->self->u.ticks));
}

static struct value *
ts_tostring(struct dn_call *c)
{
	char	*f, *s;

	if (c->nargs == 0)
		return (value_string_take(dotnet_timespan_text(
		    c->self->u.ticks)));
	f = dn_arg_str(c, 0);
	s = dn_span_format(c->self->u.ticks, f);
	free(f);
	if (s == NULL)
		return (dn_throw(c, "FormatException", "Input string was not "
		    "in a correct format."));
	return (value_string_take(s));
}

static struct value *
ts_compareto(struct dn_call *c)
{
	struct value	*o;
	int64_t		 a = c->self->u.ticks, b;

	if (c->args[0]->type == V_NULL)
		return (value_int(1));
	if (dn_arg(c, 0, DN_TIMESPAN, "value", &o) != 0)
		return (NULL);
	b = o->u.ticks;
	value_unref(o);
	return (value_int(a < b ? -1 : a > b));
}

/*
 * FromDays and the others: .NET Framework rounds to a whole millisecond
 * (half away from zero).
 */
static struct value *
ts_s_from(struct dn_call *c)
{
	static const struct {
		const char	*name;
		double		 ms;
	} units[] = {
		{ "FromDays", 86400000.0 }, { "FromHours", 3600000.0 },
		{ "FromMinutes", 60000.0 }, { "FromSeconds", 1000.0 },
		{ "FromMilliseconds", 1.0 },
	};
	double	v, ms;
	size_t	i;

	if (dn_arg_double(c, 0, "value", &v) != 0)
		return (NULL);
	if (isnan(v))
		return (dn_throw(c, "ArgumentException", "TimeSpan does not "
		    "accept floating point Not-a-Number values."));
	for (i = 0; strcmp(units[i].name, c->m->name) != 0; i++)
		continue;
	ms = v * units[i].ms;
	ms = ms >= 0 ? floor(ms + 0.5) : -floor(-ms + 0.5);
	if (fabs(ms) > 922337203685477.0)
		return (dn_throw(c, "OverflowException", DN_SPANLONG));
	return (value_timespan((int64_t)ms * TICKS_MS));
}

static struct value *
ts_s_fromticks(struct dn_call *c)
{
	struct value	*v;
	int64_t		 n;

	if (dn_arg(c, 0, DN_INT64, "value", &v) != 0)
		return (NULL);
	n = v->u.i;
	value_unref(v);
	return (value_timespan(n));
}

static struct value *
ts_s_parse(struct dn_call *c)
{
	int64_t	 ticks;
	char	*s;
	int	 rc;

	s = dn_arg_str(c, 0);
	rc = dn_span_parse(s, &ticks);
	free(s);
	if (rc == -2)
		return (dn_throw(c, "OverflowException", "The TimeSpan could "
		    "not be parsed because at least one of the numeric "
		    "components is out of range or contains too many "
		    "digits."));
	if (rc != 0)
		return (dn_throw(c, "FormatException", DN_BADSPAN));
	return (value_timespan(ticks));
}

static struct value *
ts_s_limit(struct dn_call *c)
{
	if (strcmp(c->m->name, "Zero") == 0)
		return (value_timespan(0));
	return (value_timespan(strcmp(c->m->name, "MaxValue") == 0 ?
	    INT64_MAX : INT64_MIN));
}

/* new TimeSpan(ticks), (h, m, s), (d, h, m, s), (d, h, m, s, ms). */
static struct value *
ts_s_new(struct dn_call *c)
{
	static const char *const names[] = { "days", "hours", "minutes",
	    "seconds", "milliseconds" };
	int64_t		 p[5] = { 0, 0, 0, 0, 0 }, v;
	size_t		 i, first;
	double		 total;

	if (c->nargs == 1)
		return (ts_s_fromticks(c));
	first = c->nargs == 3 ? 1 : 0;
	for (i = 0; i < c->nargs; i++) {
		if (dn_arg_int(c, i, names[first + i], &v) != 0)
			return (NULL);
		p[first + i] = v;
	}
	total = (((double)p[0] * 24 + (double)p[1]) * 60 + (double)p[2]) *
	    60 + (double)p[3] + (double)p[4] / 1000;
	if (fabs(total) > 922337203685.0)
		return (dn_range(c, c->nargs == 3 ? "hours" : "days",
		    "TimeSpan overflowed because the duration is too long."));
	return (value_timespan(p[0] * TICKS_DAY + p[1] * TICKS_H +
	    p[2] * TICKS_MIN + p[3] * TICKS_S + p[4] * TICKS_MS));
}

/*
 * The formatter's view of a TimeSpan: PowerShell's list (Days ...
 * TotalMilliseconds), or for JSON the properties in .NET's order.
 */
struct value *
dn_span_object(int64_t ticks, bool json)
{
	static const char *const list[] = { "Days", "Hours", "Minutes",
	    "Seconds", "Milliseconds", "Ticks", "TotalDays", "TotalHours",
	    "TotalMinutes", "TotalSeconds", "TotalMilliseconds", NULL };
	static const char *const reflected[] = { "Ticks", "Days", "Hours",
	    "Milliseconds", "Minutes", "Seconds", "TotalDays", "TotalHours",
	    "TotalMilliseconds", "TotalMinutes", "TotalSeconds", NULL };
	static const struct view view = { "System.TimeSpan", SHAPE_LIST,
	    NULL, NULL };
	const char *const *name;
	struct value	*o, *ts;

	ts = value_timespan(ticks);
	o = value_object(DN(TIMESPAN)->name, &view);
	for (name = json ? reflected : list; *name != NULL; name++)
		object_add_const(o, *name, dotnet_property(ts, *name));
	o->u.obj->text = dotnet_timespan_text(ticks);
	value_unref(ts);
	return (o);
}

/*
 * Operators: date - date is a TimeSpan, date +/- TimeSpan a date, and
 * time spans add and subtract; NULL for anything else, NULL and .NET's
 * exception from op_Addition or op_Subtraction past the range.
 */
struct value *
dn_date_arith(enum op op, struct value *l, struct value *r,
    struct dn_error *err)
{
	static const struct dn_member add = DN_METHOD("op_Addition", 2, 2,
	    NULL), sub = DN_METHOD("op_Subtraction", 2, 2, NULL);
	struct dn_call	 c = { NULL, NULL, 2, op == OP_PLUS ? &add : &sub,
	    NULL, err };
	struct value	*rs;
	int64_t		 usec, t, sum;

	if (op != OP_PLUS && op != OP_MINUS)
		return (NULL);
	if (l->type == V_DATE && r->type == V_DATE && op == OP_MINUS)
		return (value_timespan(dn_date_ticks(l->u.date) -
		    dn_date_ticks(r->u.date)));
	if ((l->type != V_DATE && l->type != V_TIMESPAN) ||
	    (rs = dn_convert_to(DN_TIMESPAN, r, NULL)) == NULL)
		return (NULL);
	t = rs->u.ticks;
	value_unref(rs);
	if (l->type == V_TIMESPAN) {
		if (op == OP_PLUS ? __builtin_add_overflow(l->u.ticks, t, &sum) :
		    __builtin_sub_overflow(l->u.ticks, t, &sum))
			return (dn_throw(&c, "OverflowException", DN_SPANLONG));
		return (value_timespan(sum));
	}
	if (t == INT64_MIN || !dn_unwall(dn_wall(l->u.date) +
	    (op == OP_PLUS ? t : -t) / 10, &usec))
		return (dn_range(&c, "t", DN_UNREP));
	return (value_date(usec));
}
