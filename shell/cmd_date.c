/*
 * cmd_date.c - Get-Date, and the current time (date_now) that eval.c
 * uses too.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "shell.h"
#include "xmalloc.h"

static int		 cmd_get_date_exec(struct cmd_ctx *);
static void		 date_format_token(struct buf *, const struct tm *,
			    int64_t, char, int);

/*
 * Get-Date.
 */
static const struct param_entry get_date_params[] = {
	PARAM("Date", NULL, PT_STRING, P_POSITIONAL, 0, NULL, 0, 0,
	  "System.DateTime",
	  "The date to output instead of now: 2012-07-09, "
	  "2012-07-09 14:00 or 7/9/2012 2:00 PM (local time)."),
	PARAM("Format", NULL, PT_STRING, 0, 0, NULL, 0, 0, NULL,
	  "Outputs text in this .NET format, e.g. yyyy-MM-dd or o."),
	PARAM_END
};

const struct cmdlet_entry cmd_get_date_entry = {
	.name = "Get-Date",
	.synopsis = "Gets the current date and time.",
	.params = get_date_params,
	.flags = C_NOINPUT,
	.class_name = PS_CLASS("GetDateCommand"),
	.exec = cmd_get_date_exec,
	.description = "Get-Date outputs the current date and time, or the "
	    "date given by -Date, as a DateTime; with -Format it outputs "
	    "the formatted text instead."
};

/*
 * Get-Date.  Dates are microseconds since the epoch (UTC); text is read
 * and written as local time.
 */
static int
cmd_get_date_exec(struct cmd_ctx *ctx)
{
	struct value	*v;
	int64_t		 usec;
	char		*s;

	if ((v = bound_get(ctx->args, "Date")) != NULL) {
		if (v->type == V_DATE)
			usec = v->u.date;
		else {
			s = value_to_string(v);
			if (bind_date_parse(s, &usec) != 0) {
				cmd_error(ctx, ERR_STATEMENT, "InvalidArgument",
				    "ParameterBindingException",
				    "CannotConvertArgumentNoMessage",
				    "Cannot bind parameter 'Date'. Cannot "
				    "convert value \"%s\" to type "
				    "\"System.DateTime\". Error: \"String was "
				    "not recognized as a valid DateTime.\"", s);
				free(s);
				return (0);
			}
			free(s);
		}
	} else
		usec = date_now();
	if ((v = bound_get(ctx->args, "Format")) != NULL) {
		s = value_to_string(v);
		cmd_emit(ctx, value_string_take(date_format(usec, s)));
		free(s);
	} else
		cmd_emit(ctx, value_date(usec));
	return (0);
}

int64_t
date_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/*
 * The custom pattern of a .NET standard date format (o, s, u, d, D, t,
 * T, g, G, f, F, M, Y: en-US, as the EMS), or fmt itself.
 */
const char *
date_pattern(const char *fmt)
{
	static const char *const std[] = {
		"o", "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz",
		"O", "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz",
		"s", "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
		"u", "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
		"d", "M/d/yyyy", "D", "dddd, MMMM d, yyyy",
		"t", "h:mm tt", "T", "h:mm:ss tt",
		"g", "M/d/yyyy h:mm tt", "G", "M/d/yyyy h:mm:ss tt",
		"f", "dddd, MMMM d, yyyy h:mm tt",
		"F", "dddd, MMMM d, yyyy h:mm:ss tt",
		"M", "MMMM d", "m", "MMMM d",
		"Y", "MMMM yyyy", "y", "MMMM yyyy", NULL
	};
	size_t	i;

	for (i = 0; std[i] != NULL; i += 2) {
		if (strcmp(fmt, std[i]) == 0)
			return (std[i + 1]);
	}
	return (fmt);
}

/*
 * A .NET date format: the standard one-letter forms (date_pattern) and
 * custom patterns such as yyyy-MM-dd HH:mm.
 */
char *
date_format(int64_t usec, const char *fmt)
{
	struct buf	 b;
	struct tm	 tm;
	time_t		 t;
	const char	*p;
	char		*s, q;
	size_t		 n;

	fmt = date_pattern(fmt);
	t = (time_t)(usec >= 0 ? usec / 1000000 : -((-usec + 999999) /
	    1000000));
	localtime_r(&t, &tm);
	buf_init(&b);
	for (p = fmt; *p != '\0'; p += n) {
		n = 1;
		if (*p == '\'' || *p == '"') {
			q = *p;
			while (p[n] != '\0' && p[n] != q)
				buf_addc(&b, p[n++]);
			if (p[n] == q)
				n++;
		} else if (*p == '\\' && p[1] != '\0') {
			buf_addc(&b, p[1]);
			n = 2;
		} else if (strchr("yMdHhmsfFtz", *p) != NULL) {
			while (p[n] == *p)
				n++;
			date_format_token(&b, &tm, usec, *p, (int)n);
		} else
			buf_addc(&b, *p);
	}
	s = buf_detach(&b);
	buf_free(&b);
	return (s != NULL ? s : xstrdup(""));
}

/* One run of n pattern letters c. */
static void
date_format_token(struct buf *b, const struct tm *tm, int64_t usec, char c,
    int n)
{
	static const char *const months[] = { "January", "February",
	    "March", "April", "May", "June", "July", "August", "September",
	    "October", "November", "December" };
	static const char *const days[] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };
	long	off = tm->tm_gmtoff;
	int	v, frac;

	switch (c) {
	case 'y':
		if (n <= 2)
			buf_addf(b, n == 1 ? "%d" : "%02d", tm->tm_year % 100);
		else
			buf_addf(b, "%0*d", n, tm->tm_year + 1900);
		return;
	case 'M':
		if (n >= 3)
			buf_addf(b, "%.*s", n == 3 ? 3 : 16,
			    months[tm->tm_mon]);
		else
			buf_addf(b, n == 1 ? "%d" : "%02d", tm->tm_mon + 1);
		return;
	case 'd':
		if (n >= 3)
			buf_addf(b, "%.*s", n == 3 ? 3 : 16,
			    days[tm->tm_wday]);
		else
			buf_addf(b, n == 1 ? "%d" : "%02d", tm->tm_mday);
		return;
	case 'f':
	case 'F':
		frac = (int)(((usec % 1000000) + 1000000) % 1000000) * 10;
		for (v = 1000000; n-- > 0 && v > 0; v /= 10)
			buf_addc(b, (char)('0' + (frac / v) % 10));
		return;
	case 't':
		buf_adds(b, tm->tm_hour < 12 ? (n == 1 ? "A" : "AM") :
		    (n == 1 ? "P" : "PM"));
		return;
	case 'z':
		buf_addc(b, off < 0 ? '-' : '+');
		off = off < 0 ? -off : off;
		buf_addf(b, n == 1 ? "%ld" : "%02ld", off / 3600);
		if (n >= 3)
			buf_addf(b, ":%02ld", (off % 3600) / 60);
		return;
	}
	v = c == 'H' ? tm->tm_hour : c == 'm' ? tm->tm_min : c == 's' ?
	    tm->tm_sec : (tm->tm_hour % 12 == 0 ? 12 : tm->tm_hour % 12);
	buf_addf(b, n == 1 ? "%d" : "%02d", v);
}
