/*
 * error.c - error records and their Windows PowerShell 5.1 layout.
 *
 * errrec_render produces what 5.1's NormalView error view prints:
 *
 *   Get-SendConnector : message
 *   At line:1 char:1
 *   + Get-SendConnector x
 *   + ~~~~~~~~~~~~~~~~~~~
 *       + CategoryInfo          : Category: (Target:Type) [Activity], Reason
 *       + FullyQualifiedErrorId : FQID
 *   (a line holding one space)
 *
 * The last line is there when the message is the exception's; a message
 * from ErrorDetails (Write-Error -Exception -Message) ends at the FQID.
 *
 * The CategoryInfo and FullyQualifiedErrorId lines are cut into chunks of
 * width - 6 characters, each chunk indented by four spaces and glued to
 * the previous one, and the whole text is then word-wrapped at width - 1
 * columns like everything the console writes.  That is what makes long
 * FQIDs continue on lines that start with three, then two spaces.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"
#include "xmalloc.h"

#define ERR_WINDOW	69	/* widest source excerpt */
#define ERR_BEFORE	12	/* context kept before the error */
#define ERR_AFTER	8	/* and after it */
#define ERR_ELLIPSIZE	40	/* longer CategoryInfo fields are cut */
#define ERR_HALF	15

/* The source line of a position, as code points. */
struct errline {
	uint32_t	*cp;
	size_t		 n;
	int		 line;
	int		 col;		/* 1-based, tabs not expanded */
	int		 before;	/* characters before the error */
	int		 len;		/* characters of the error */
};

static bool	 err_is_blank(uint32_t);
static void	 err_find_line(const struct source *, size_t, size_t *,
		     size_t *, int *);
static void	 err_load_line(const struct source *, struct extent,
		     struct errline *);
static void	 err_expand_tabs(struct errline *);
static void	 err_excerpt(struct buf *, struct errline *);
static char	*err_ellipsize(const char *);
static char	*err_category(const struct errrec *);
static void	 err_chunk(struct buf *, const char *, const char *, int);

struct errrec *
errrec_create(const char *message)
{
	struct errrec	*e;

	e = xcalloc(1, sizeof *e);
	e->kind = ERR_NONTERMINATING;
	e->message = xstrdup(message != NULL ? message : "");
	e->category = xstrdup("NotSpecified");
	e->reason = xstrdup("");
	e->activity = xstrdup("");
	e->fqid = xstrdup("");
	e->invocation = xstrdup("");
	return (e);
}

/*
 * An error record with its position: kind, category, reason (exception
 * name), FullyQualifiedErrorId (taken), the source extent, and the
 * message from a format.
 */
struct errrec *
errrec_vcreate(enum err_kind kind, const char *category, const char *reason,
    char *fqid, struct source *src, struct extent ext, const char *fmt,
    va_list ap)
{
	struct errrec	*e;
	char		*msg;

	xvasprintf(&msg, fmt, ap);
	e = errrec_create(msg);
	free(msg);
	e->kind = kind;
	errrec_set(&e->category, xstrdup(category));
	errrec_set(&e->reason, xstrdup(reason));
	errrec_set(&e->fqid, fqid);
	e->src = source_ref(src);
	e->ext = ext;
	e->has_position = true;
	return (e);
}

void
errrec_free(struct errrec *e)
{
	if (e == NULL)
		return;
	free(e->message);
	free(e->category);
	free(e->reason);
	free(e->activity);
	free(e->target);
	free(e->target_type);
	free(e->fqid);
	free(e->invocation);
	source_free(e->src);
	free(e);
}

/* String.TrimEnd() whitespace, the part of it source lines can hold. */
static bool
err_is_blank(uint32_t c)
{
	return (c == ' ' || c == '\t' || c == '\v' || c == '\f' ||
	    c == '\r' || c == '\n' || c == 0x85 || c == 0xa0 ||
	    c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
	    c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000);
}

/*
 * The line holding byte offset off: its bounds and its number.  Lines end
 * at LF, CR LF or a lone CR.
 */
static void
err_find_line(const struct source *src, size_t off, size_t *start,
    size_t *end, int *line)
{
	const char	*t = src->text;
	size_t		 i;

	*line = 1;
	*start = 0;
	for (i = 0; i < off; i++) {
		if (t[i] == '\n' || (t[i] == '\r' && t[i + 1] != '\n')) {
			(*line)++;
			*start = i + 1;
		}
	}
	for (i = *start; i < src->len && t[i] != '\n' && t[i] != '\r'; i++)
		;
	*end = i;
}

/* Decode the line, trim it, and place the error on it in characters. */
static void
err_load_line(const struct source *src, struct extent ext,
    struct errline *l)
{
	size_t		 start, end, i, n;
	uint32_t	 c;
	int		 errend = -1;

	if (ext.start > src->len)
		ext.start = src->len;
	err_find_line(src, ext.start, &start, &end, &l->line);
	l->cp = xreallocarray(NULL, end - start + 1, sizeof *l->cp);
	l->n = 0;
	l->col = 1;
	for (i = start; i < end; i += n) {
		n = utf8_decode(src->text + i, end - i, &c);
		if (i < ext.start)
			l->col++;
		if (i == ext.end)
			errend = (int)l->n;
		/* A NUL (refused in scripts) shows as U+2400, not an end. */
		l->cp[l->n++] = c != 0 ? c : 0x2400;
	}
	if (ext.end == end)
		errend = (int)l->n;
	while (l->n > 0 && err_is_blank(l->cp[l->n - 1]))
		l->n--;
	l->before = l->col - 1;
	if (errend < 0 || errend > (int)l->n)
		errend = (int)l->n;
	l->len = errend - l->before;
	if (l->len < 0)
		l->len = 0;
}

/* Tabs become four spaces, before the window is chosen. */
static void
err_expand_tabs(struct errline *l)
{
	uint32_t	*cp;
	size_t		 i, n = 0;
	int		 before = l->before, len = l->len, k;

	cp = xreallocarray(NULL, l->n * 4 + 1, sizeof *cp);
	for (i = 0; i < l->n; i++) {
		if (l->cp[i] != '\t') {
			cp[n++] = l->cp[i];
			continue;
		}
		for (k = 0; k < 4; k++)
			cp[n++] = ' ';
		if ((int)i < l->before)
			before += 3;
		else if ((int)i < l->before + l->len)
			len += 3;
	}
	free(l->cp);
	l->cp = cp;
	l->n = n;
	l->before = before;
	l->len = len;
}

/*
 * "+ line\n+     ~~~~": a line over 69 characters is cut to a window
 * around the error (12 characters before it and 8 after, widened to the
 * left first), marked by "... " and " ..." where text was dropped.
 */
static void
err_excerpt(struct buf *b, struct errline *l)
{
	int	total = (int)l->n, spaces = l->before, len = l->len;
	int	prefix, suffix, tprefix, tsuffix, cand, from = 0, i;
	bool	predots = false, sufdots = false;

	if (total > ERR_WINDOW) {
		tprefix = spaces;
		prefix = tprefix < ERR_BEFORE ? tprefix : ERR_BEFORE;
		tsuffix = total - len - spaces;
		if (tsuffix < 0)
			tsuffix = 0;
		suffix = tsuffix < ERR_AFTER ? tsuffix : ERR_AFTER;
		cand = prefix + len + suffix;
		if (cand >= ERR_WINDOW) {
			if (prefix + len >= ERR_WINDOW)
				len = ERR_WINDOW - prefix;
			sufdots = true;
		} else {
			if (tprefix - prefix > 0) {
				prefix += tprefix - prefix < ERR_WINDOW - cand ?
				    tprefix - prefix : ERR_WINDOW - cand;
				cand = prefix + len + suffix;
			}
			if (cand < ERR_WINDOW && tsuffix > 0)
				suffix += tsuffix < ERR_WINDOW - cand ?
				    tsuffix : ERR_WINDOW - cand;
			sufdots = suffix < tsuffix;
		}
		predots = prefix < tprefix;
		from = spaces - prefix > 0 ? spaces - prefix : 0;
		total = from + ERR_WINDOW < total ? from + ERR_WINDOW : total;
		spaces = spaces < prefix ? spaces : prefix;
		len = len < ERR_WINDOW - spaces ? len : ERR_WINDOW - spaces;
	}
	buf_adds(b, predots ? "... " : "");
	for (i = from; i < total; i++)
		buf_add_utf8(b, l->cp[i]);
	buf_adds(b, sufdots ? " ...\n+ " : "\n+ ");
	buf_pad(b, ' ', (size_t)(spaces + (predots ? 4 : 0)));
	buf_pad(b, '~', (size_t)(len > 0 ? len : 1));
}

/* "At line:1 char:19\n+ source line\n+ ~~~~" (TextForPositionMessage). */
char *
position_message(const struct source *src, struct extent ext)
{
	struct errline	 l;
	struct buf	 b;
	char		*s;

	if (src == NULL)
		return (xstrdup(""));
	err_load_line(src, ext, &l);
	buf_init(&b);
	buf_addf(&b, "At %s:%d char:%d\n+ ",
	    src->name != NULL && *src->name != '\0' ? src->name : "line",
	    l.line, l.col);
	if (l.n > 0) {
		err_expand_tabs(&l);
		err_excerpt(&b, &l);
	}
	free(l.cp);
	s = buf_detach(&b);
	buf_free(&b);
	return (s);
}

/* A CategoryInfo field over 40 characters: first 15 ... last 15. */
static char *
err_ellipsize(const char *s)
{
	size_t	n;

	if (s == NULL)
		return (xstrdup(""));
	n = utf8_width(s);
	if (n <= ERR_ELLIPSIZE)
		return (xstrdup(s));
	return (xprintf("%.*s...%s", (int)utf8_offset(s, ERR_HALF), s,
	    s + utf8_offset(s, n - ERR_HALF)));
}

/* "{Category}: ({TargetName}:{TargetType}) [{Activity}], {Reason}". */
static char *
err_category(const struct errrec *e)
{
	char	*target, *type, *activity, *s;

	target = err_ellipsize(e->target);
	type = err_ellipsize(e->target_type);
	activity = err_ellipsize(e->activity);
	s = xprintf("%s: (%s:%s) [%s], %s", e->category, target, type,
	    activity, e->reason);
	free(target);
	free(type);
	free(activity);
	return (s);
}

/* label + text in chunks of width characters, each indented by four. */
static void
err_chunk(struct buf *b, const char *label, const char *text, int width)
{
	char	*s, *p;
	size_t	 n;

	s = xprintf("%s%s", label, text);
	for (p = s; *p != '\0'; p += n) {
		n = utf8_offset(p, (size_t)width);
		buf_adds(b, "    ");
		buf_add(b, p, n);
	}
	free(s);
}

char *
errrec_render(const struct errrec *e, int width)
{
	struct buf	 b;
	char		*s;

	if (width < 16)
		width = SHELL_WIDTH;
	buf_init(&b);
	if (e->parse_error) {
		if (e->src != NULL) {
			s = position_message(e->src, e->ext);
			buf_adds(&b, s);
			buf_addc(&b, '\n');
			free(s);
		}
		buf_adds(&b, e->message);
	} else {
		if (e->invocation != NULL && *e->invocation != '\0')
			buf_addf(&b, "%s : ", e->invocation);
		buf_adds(&b, e->message);
		if (e->has_position && e->src != NULL) {
			s = position_message(e->src, e->ext);
			buf_addc(&b, '\n');
			buf_adds(&b, s);
			free(s);
		}
	}
	buf_addc(&b, '\n');
	s = err_category(e);
	err_chunk(&b, "+ CategoryInfo          : ", s, width - 6);
	free(s);
	buf_addc(&b, '\n');
	err_chunk(&b, "+ FullyQualifiedErrorId : ", e->fqid, width - 6);
	if (!e->details)
		buf_adds(&b, "\n ");
	s = format_wrap(b.s, width - 1);
	buf_free(&b);
	return (s);
}

/* A parse error as an error record: its position, PowerShell's framing. */
struct errrec *
errrec_parse(const struct parse_error *perr, struct source *src,
    enum err_kind kind)
{
	struct errrec	*e;

	e = errrec_create(perr->message);
	e->kind = kind;
	errrec_set(&e->category, xstrdup("ParserError"));
	errrec_set(&e->reason, xstrdup("ParentContainsErrorRecordException"));
	errrec_set(&e->fqid, xstrdup(perr->id));
	e->src = source_ref(src);
	e->ext = perr->ext;
	e->has_position = true;
	e->parse_error = true;
	return (e);
}

struct errrec *
errrec_dup(const struct errrec *e)
{
	struct errrec	*c;

	if (e == NULL)
		return (NULL);
	c = xcalloc(1, sizeof *c);
	*c = *e;
	c->message = xstrdup(e->message);
	c->category = xstrdup(e->category);
	c->reason = xstrdup(e->reason);
	c->activity = xstrdup(e->activity);
	c->target = e->target != NULL ? xstrdup(e->target) : NULL;
	c->target_type = e->target_type != NULL ? xstrdup(e->target_type) :
	    NULL;
	c->fqid = xstrdup(e->fqid);
	c->invocation = xstrdup(e->invocation);
	c->src = e->src != NULL ? source_ref(e->src) : NULL;
	return (c);
}

/*
 * The exceptions hubsh's errors carry (errrec.reason), with the type
 * each derives from and its namespace: what catch [Type] matches and
 * what $_.Exception.GetType() names.  A reason not listed is taken as
 * a direct System.Exception.
 */
static const struct {
	const char	*name;
	const char	*base;
	const char	*ns;
} exceptions[] = {
#define SMA	"System.Management.Automation."
#define EXD	"Microsoft.Exchange.Data."
	{ "Exception", NULL, "System." },
	{ "SystemException", "Exception", "System." },
	{ "ApplicationException", "Exception", "System." },
	{ "ArgumentException", "SystemException", "System." },
	{ "ArgumentNullException", "ArgumentException", "System." },
	{ "ArgumentOutOfRangeException", "ArgumentException", "System." },
	{ "FormatException", "SystemException", "System." },
	{ "InvalidCastException", "SystemException", "System." },
	{ "InvalidOperationException", "SystemException", "System." },
	{ "NotSupportedException", "SystemException", "System." },
	{ "NullReferenceException", "SystemException", "System." },
	{ "IndexOutOfRangeException", "SystemException", "System." },
	{ "DivideByZeroException", "ArithmeticException", "System." },
	{ "ArithmeticException", "SystemException", "System." },
	{ "OverflowException", "ArithmeticException", "System." },
	{ "UnauthorizedAccessException", "SystemException", "System." },
	{ "TimeoutException", "SystemException", "System." },
	{ "IOException", "SystemException", "System.IO." },
	{ "FileNotFoundException", "IOException", "System.IO." },
	{ "DirectoryNotFoundException", "IOException", "System.IO." },
	{ "RuntimeException", "SystemException", SMA },
	{ "ParentContainsErrorRecordException", "SystemException", SMA },
	{ "ParseException", "RuntimeException", SMA },
	{ "CommandNotFoundException", "RuntimeException", SMA },
	{ "ParameterBindingException", "RuntimeException", SMA },
	{ "ParameterBindingValidationException",
	    "ParameterBindingException", SMA },
	{ "ParameterBindingArgumentTransformationException",
	    "ParameterBindingException", SMA },
	{ "ActionPreferenceStopException", "RuntimeException", SMA },
	{ "MethodException", "RuntimeException", SMA },
	{ "MethodInvocationException", "MethodException", SMA },
	{ "SessionStateException", "RuntimeException", SMA },
	{ "ItemNotFoundException", "SessionStateException", SMA },
	{ "PSArgumentException", "ArgumentException", SMA },
	{ "PSArgumentOutOfRangeException", "ArgumentOutOfRangeException",
	    SMA },
	{ "PSInvalidOperationException", "InvalidOperationException", SMA },
	{ "PSInvalidCastException", "InvalidCastException", SMA },
	{ "PSNotSupportedException", "NotSupportedException", SMA },
	{ "HostException", "RuntimeException", SMA },
	{ "HelpNotFoundException", "SystemException", SMA },
	{ "WriteErrorException", "SystemException",
	    "Microsoft.PowerShell.Commands." },
	{ "LocalizedException", "Exception", "Microsoft.Exchange.Data.Common." },
	{ "DataValidationException", "LocalizedException", EXD },
	{ "ManagementObjectNotFoundException", "LocalizedException",
	    "Microsoft.Exchange.Configuration.Tasks." },
	{ "ManagementObjectAmbiguousException", "LocalizedException",
	    "Microsoft.Exchange.Configuration.Tasks." },
	{ "ADObjectAlreadyExistsException", "LocalizedException",
	    EXD "Directory." },
	{ "StoreException", "LocalizedException", "Hubsh." },
	{ "StoreUnavailableException", "StoreException", "Hubsh." },
	{ "TransportException", "LocalizedException", "Hubsh." },
	{ "TransportServiceException", "TransportException", "Hubsh." },
#undef SMA
#undef EXD
};

static int
exception_find(const char *name)
{
	const char	*dot;
	size_t		 i;

	/* System.IO.IOException and IOException name the same type. */
	if ((dot = strrchr(name, '.')) != NULL)
		name = dot + 1;
	for (i = 0; i < sizeof exceptions / sizeof exceptions[0]; i++) {
		if (strcasecmp(exceptions[i].name, name) == 0)
			return ((int)i);
	}
	return (-1);
}

/* Is exception name (or a type it derives from) type? */
static bool
exception_is_a(const char *name, const char *type)
{
	const char	*want;
	int		 i, guard;

	if (strrchr(name, '.') != NULL)
		name = strrchr(name, '.') + 1;
	want = strrchr(type, '.') != NULL ? strrchr(type, '.') + 1 : type;
	for (guard = 0; name != NULL && guard < 16; guard++) {
		if (strcasecmp(name, want) == 0)
			return (true);
		if ((i = exception_find(name)) < 0)
			return (strcasecmp(want, "Exception") == 0);
		name = exceptions[i].base;
	}
	return (false);
}

bool
errrec_is_a(const struct errrec *e, const char *type)
{
	return (exception_is_a(e->reason[0] != '\0' ? e->reason :
	    "RuntimeException", type));
}

int
errrec_type_match(const struct value *v, const char *type)
{
	const char	*last;
	bool		 record;

	last = strrchr(type, '.') != NULL ? strrchr(type, '.') + 1 : type;
	record = strcasecmp(last, "ErrorRecord") == 0;
	if (!record && exception_find(last) < 0)
		return (-1);
	if (v->type != V_OBJECT || !v->u.obj->clr)
		return (0);
	if (record)
		return (v->u.obj->err != NULL);
	return (v->u.obj->err == NULL && exception_find(
	    v->u.obj->type_name) >= 0 && exception_is_a(v->u.obj->type_name,
	    type));
}

/* An error's exception as PowerShell shows it: type and Message. */
static struct value *
errrec_exception(const struct errrec *e)
{
	struct value	*x;
	const char	*name = e->reason[0] != '\0' ? e->reason :
			    "RuntimeException";
	char		*full;
	int		 i;

	i = exception_find(name);
	full = i >= 0 ? xprintf("%s%s", exceptions[i].ns, exceptions[i].name) :
	    xprintf("System.%s", name);
	x = value_object(full, NULL);
	x->u.obj->clr = true;
	object_add_const(x, "Message", value_string(e->message));
	object_add_const(x, "InnerException", value_null());
	x->u.obj->text = xprintf("%s: %s", full, e->message);
	free(full);
	return (x);
}

/* Where an error happened, as $_.InvocationInfo has it. */
static struct value *
errrec_invocation(const struct errrec *e)
{
	struct value	*v, *cmd;
	size_t		 start, end;
	int		 line = 0;

	v = value_object("System.Management.Automation.InvocationInfo", NULL);
	cmd = value_object("System.Management.Automation.CmdletInfo", NULL);
	object_add_const(cmd, "Name", value_string(e->activity));
	cmd->u.obj->text = xstrdup(e->activity);
	object_add_const(v, "MyCommand", cmd);
	object_add_const(v, "InvocationName", value_string(e->invocation));
	if (e->has_position && e->src != NULL) {
		err_find_line(e->src, e->ext.start, &start, &end, &line);
		object_add_const(v, "ScriptName", value_string(
		    strcmp(e->src->name, "line") != 0 ? e->src->name : ""));
		object_add_const(v, "ScriptLineNumber", value_int(line));
		object_add_const(v, "OffsetInLine", value_int(
		    (int64_t)(e->ext.start - start) + 1));
		object_add_const(v, "Line", value_string_take(xstrndup(
		    e->src->text + start, end - start)));
		object_add_const(v, "PositionMessage", value_string_take(
		    position_message(e->src, e->ext)));
	}
	return (v);
}

struct value *
errrec_value(const struct errrec *e)
{
	struct value	*v, *ci;

	v = value_object("System.Management.Automation.ErrorRecord", NULL);
	v->u.obj->clr = true;
	object_add_const(v, "Exception", errrec_exception(e));
	object_add_const(v, "TargetObject", e->target != NULL ?
	    value_string(e->target) : value_null());
	ci = value_object("System.Management.Automation.ErrorCategoryInfo",
	    NULL);
	object_add_const(ci, "Category", value_string(e->category));
	object_add_const(ci, "Activity", value_string(e->activity));
	object_add_const(ci, "Reason", value_string(e->reason));
	object_add_const(ci, "TargetName", value_string(e->target != NULL ?
	    e->target : ""));
	object_add_const(ci, "TargetType", value_string(e->target_type !=
	    NULL ? e->target_type : ""));
	ci->u.obj->text = err_category(e);
	object_add_const(v, "CategoryInfo", ci);
	object_add_const(v, "FullyQualifiedErrorId", value_string(e->fqid));
	object_add_const(v, "ErrorDetails", value_null());
	object_add_const(v, "InvocationInfo", errrec_invocation(e));
	v->u.obj->text = xstrdup(e->message);
	v->u.obj->err = errrec_dup(e);
	return (v);
}
