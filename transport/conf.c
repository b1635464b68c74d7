/*
 * conf.c - hubd's settings: defaults, one table of named settings shared
 * by the command line and the configuration file, and value parsers.
 *
 * A setting is named the same everywhere: `--max-sessions 200` on the
 * command line is `max-sessions = 200` in the file.  The command line
 * wins: hubd.c reads the file first, then applies the options again.
 *
 * The transport settings of Set-TransportService (retries, expiry,
 * per-destination connections, tracking and protocol logs) are not
 * here: they live in the store and hubd.c reads them at every reload.
 * Their former names are refused with the cmdlet parameter to use.  The
 * defaults set here are Exchange's (exchange-semantics 7.4) and hold
 * only until the store has been read.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "transport.h"

#ifndef HUBD_DEFAULT_CONTROL
#define HUBD_DEFAULT_CONTROL	"/run/hubsh/hubd.sock"
#endif

enum conf_type {
	CONF_STRING,
	CONF_INT,		/* plain integer */
	CONF_SIZE,		/* bytes, with KB/MB/GB suffixes */
	CONF_INTERVAL,		/* seconds, or [d.]hh:mm:ss */
	CONF_NETS		/* list of CIDRs */
};

struct conf_entry {
	const char	*name;
	enum conf_type	 type;
	size_t		 offset;
	int64_t		 min, max;
};

#define S(f)	CONF_STRING, offsetof(struct hubd_conf, f), 0, 0
#define I(f, lo, hi)	CONF_INT, offsetof(struct hubd_conf, f), lo, hi
#define T(f, lo, hi)	CONF_INTERVAL, offsetof(struct hubd_conf, f), lo, hi

static const struct conf_entry conf_table[] = {
	{ "store", S(store_path) },
	{ "key-file", S(key_file) },
	{ "server", S(server_name) },
	{ "state-dir", S(state_dir) },
	{ "listen", S(listen) },
	{ "resolver", S(resolver) },
	{ "dnssec-trust-anchor", S(trust_anchor) },
	{ "ca-file", S(ca_file) },
	{ "tls-cert", S(tls_cert) },
	{ "tls-key", S(tls_key) },
	{ "user", S(user) },
	{ "hostname", S(hostname) },
	{ "relay-networks", CONF_NETS, 0, 0, 0 },
	{ "max-message-size", CONF_SIZE,
	    offsetof(struct hubd_conf, max_message_size), 1, INT64_MAX },
	{ "max-recipients", I(max_recipients, 1, 100000) },
	{ "max-sessions", I(max_sessions, 1, 100000) },
	{ "max-sessions-per-client", I(max_sessions_per_client, 1, 100000) },
	{ "relay-reserved-sessions", I(relay_reserved_sessions, 0, 100000) },
	{ "max-data-memory", CONF_SIZE,
	    offsetof(struct hubd_conf, max_data_memory), 1048576, INT64_MAX },
	{ "command-timeout", T(command_timeout, 1, 86400) },
	{ "data-timeout", T(data_timeout, 1, 86400) },
	{ "workers", I(workers, 1, 4096) },
	{ "connect-timeout", T(connect_timeout, 1, 3600) },
	{ "control-socket", S(control_socket) },
	{ "control-group", S(control_group) },
	{ "control-listen", S(control_listen) },
	{ "metrics-listen", S(metrics_listen) },
	{ "control-cert", S(control_cert) },
	{ "control-key", S(control_key) },
	{ "control-ca", S(control_ca) },
	{ "alert-command", S(alert_command) },
	{ "alert-command-timeout", T(alert_command_timeout, 1, 3600) },
	{ "alert-webhook", S(alert_webhook) },
	{ "alert-webhook-ca", S(alert_webhook_ca) },
	{ "alert-webhook-timeout", T(alert_webhook_timeout, 1, 600) },
	{ "alert-recovery-time", T(alert_recovery_time, 1, 86400) },
	{ "cert-watch-interval", T(cert_watch_interval, 0, 7 * 86400) },
	{ "cert-watch-expiry-days", I(cert_watch_expiry_days, 1, 365) },
	{ "mta-sts-port", I(mta_sts_port, 1, 65535) },
	{ "tlsrpt-period", T(tlsrpt_period, 2, 86400) },
};

/* Settings that moved to the store, and what sets them now. */
static const struct {
	const char	*name;
	const char	*parameter;
} conf_moved_table[] = {
	{ "transient-retry-count", "TransientFailureRetryCount" },
	{ "transient-retry-interval", "TransientFailureRetryInterval" },
	{ "outbound-retry-interval",
	    "OutboundConnectionFailureRetryInterval" },
	{ "delay-notification-timeout", "DelayNotificationTimeout" },
	{ "message-expiration-timeout", "MessageExpirationTimeout" },
	{ "destination-concurrency", "MaxPerDomainOutboundConnections" },
};

#undef S
#undef I
#undef T

static const struct conf_entry *conf_find(const char *);
static int	 conf_parse_int(const char *, int64_t *);
static int	 conf_parse_size(const char *, int64_t *);
static int	 conf_parse_nets(struct hubd_conf *, const char *, char **);
static char	*conf_trim(char *);

/* Exchange-like defaults; loopback only for listening and relaying. */
void
conf_defaults(struct hubd_conf *c)
{
	memset(c, 0, sizeof *c);
	c->listen = xstrdup("127.0.0.1:25");
	c->max_message_size = 36700160;		/* 35 MB, as Exchange */
	c->max_recipients = 200;
	c->max_sessions = 500;
	c->max_sessions_per_client = 20;	/* MaxInboundConnectionPerSource */
	c->relay_reserved_sessions = -1;	/* a tenth of max_sessions */
	c->max_data_memory = 256 * 1048576;
	c->command_timeout = 300;		/* RFC 5321 4.5.3.2 */
	c->data_timeout = 600;
	c->workers = 100;
	c->dest_concurrency = 20;
	c->max_outbound = 1000;
	c->queue_max_idle = 180;
	c->connect_timeout = 30;
	c->alert_command_timeout = 30;
	c->alert_webhook_timeout = 10;
	c->alert_recovery_time = 300;
	c->cert_watch_interval = 6 * 3600;
	c->cert_watch_expiry_days = 14;
	c->mta_sts_port = 443;
	c->tlsrpt_period = 86400;
	c->queue_alert_age = 3600;
	c->queue_alert_message_count = ALERT_UNLIMITED;
	c->transient_retry_count = 6;
	c->transient_retry_interval = 300;
	c->outbound_retry_interval = 600;
	c->message_retry_interval = 900;
	c->delay_notification_timeout = 4 * 3600;
	c->message_expiration_timeout = 2 * 86400;
	c->external_delay_dsn = true;
	c->tracking_enabled = true;
	c->tracking_subject = true;
	c->tracking_max_age = 30 * 86400;
	c->protolog_max_age = 30 * 86400;
	c->protolog_max_file_size = 10 * 1048576;
	c->protolog_max_dir_size = 250 * 1048576;
	c->pickup_max_header = 65536;
	c->pickup_max_rcpts = 100;
	c->pickup_max_per_minute = 100;
	c->reload_interval_ms = 250;
	c->control_socket = xstrdup(HUBD_DEFAULT_CONTROL);
	c->control_group = xstrdup("hubsh");
	conf_parse_nets(c, "127.0.0.0/8, ::1/128", NULL);
}

/* The names every setting answers to, for hubd's usage message. */
const char *
conf_name(size_t i)
{
	if (i >= sizeof conf_table / sizeof conf_table[0])
		return (NULL);
	return (conf_table[i].name);
}

const char *
conf_moved(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof conf_moved_table / sizeof conf_moved_table[0];
	    i++) {
		if (strcmp(conf_moved_table[i].name, name) == 0)
			return (conf_moved_table[i].parameter);
	}
	return (NULL);
}

static const struct conf_entry *
conf_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof conf_table / sizeof conf_table[0]; i++) {
		if (strcmp(conf_table[i].name, name) == 0)
			return (&conf_table[i]);
	}
	return (NULL);
}

/* Set one named setting from its text; the same for options and file. */
int
conf_set(struct hubd_conf *c, const char *name, const char *value,
    char **cause)
{
	const struct conf_entry	*e;
	char			**sp;
	const char		*moved;
	int64_t			 v;
	int			 secs, rc;

	if ((moved = conf_moved(name)) != NULL) {
		xasprintf(cause, "%s is no longer a hubd setting: it is kept "
		    "in the store, set it with hubsh's Set-TransportService "
		    "-%s", name, moved);
		return (-1);
	}
	if ((e = conf_find(name)) == NULL) {
		xasprintf(cause, "unknown setting '%s'", name);
		return (-1);
	}
	switch (e->type) {
	case CONF_STRING:
		sp = (char **)((char *)c + e->offset);
		free(*sp);
		*sp = *value == '\0' ? NULL : xstrdup(value);
		return (0);
	case CONF_NETS:
		return (conf_parse_nets(c, value, cause));
	case CONF_INTERVAL:
		rc = conf_parse_interval(value, &secs, cause);
		v = secs;
		break;
	case CONF_SIZE:
		rc = conf_parse_size(value, &v);
		break;
	default:
		rc = conf_parse_int(value, &v);
		break;
	}
	if (rc != 0 || v < e->min || v > e->max) {
		if (rc == 0 || *cause == NULL)
			xasprintf(cause, "%s: '%s' is not a value between "
			    "%lld and %lld", name, value, (long long)e->min,
			    (long long)e->max);
		return (-1);
	}
	if (e->type == CONF_SIZE)
		*(int64_t *)((char *)c + e->offset) = v;
	else
		*(int *)((char *)c + e->offset) = (int)v;
	return (0);
}

/*
 * Read "name = value" lines; '#' starts a comment.  The first bad line
 * fails the whole file, with its line number.
 */
int
conf_load_file(struct hubd_conf *c, const char *path, char **cause)
{
	FILE	*f;
	char	*line = NULL, *name, *value, *eq, *why = NULL;
	size_t	 cap = 0;
	int	 lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		lineno++;
		if ((eq = strchr(line, '#')) != NULL)
			*eq = '\0';
		name = conf_trim(line);
		if (*name == '\0')
			continue;
		if ((eq = strchr(name, '=')) == NULL) {
			xasprintf(cause, "%s:%d: expected name = value", path,
			    lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		name = conf_trim(name);
		value = conf_trim(eq + 1);
		if (conf_set(c, name, value, &why) != 0) {
			xasprintf(cause, "%s:%d: %s", path, lineno, why);
			free(why);
			rc = -1;
		}
	}
	free(line);
	fclose(f);
	return (rc);
}

/* Strip leading and trailing blanks in place. */
static char *
conf_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return (s);
}

static int
conf_parse_int(const char *s, int64_t *v)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0)
		return (-1);
	*v = n;
	return (0);
}

/* "36700160", "35MB", "512KB", "unlimited" is not accepted here. */
static int
conf_parse_size(const char *s, int64_t *v)
{
	char		*end;
	long long	 n;
	int64_t		 mult = 1;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || errno != 0 || n < 0)
		return (-1);
	while (*end == ' ')
		end++;
	if (strcasecmp(end, "KB") == 0)
		mult = 1024;
	else if (strcasecmp(end, "MB") == 0)
		mult = 1024 * 1024;
	else if (strcasecmp(end, "GB") == 0)
		mult = 1024 * 1024 * 1024;
	else if (*end != '\0' && strcasecmp(end, "B") != 0)
		return (-1);
	if (n > INT64_MAX / mult)
		return (-1);
	*v = n * mult;
	return (0);
}

/* Seconds as Exchange writes a TimeSpan, [d.]hh:mm:ss; below 0 as 0. */
void
conf_format_interval(char *s, size_t len, int64_t secs)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 86400)
		snprintf(s, len, "%" PRId64 ".%02d:%02d:%02d", secs / 86400,
		    (int)(secs % 86400 / 3600), (int)(secs % 3600 / 60),
		    (int)(secs % 60));
	else
		snprintf(s, len, "%02d:%02d:%02d", (int)(secs / 3600),
		    (int)(secs % 3600 / 60), (int)(secs % 60));
}

/*
 * An interval as Exchange writes TimeSpans ("2.00:00:00", "04:00:00",
 * "00:05:00") or plain seconds with an optional s/m/h/d suffix.
 */
int
conf_parse_interval(const char *s, int *secs, char **cause)
{
	unsigned	 d = 0, h, m, sec;
	char		*end, tail;
	long		 n;
	int64_t		 total;

	*cause = NULL;
	if (strchr(s, ':') != NULL) {
		if (sscanf(s, "%u.%u:%u:%u%c", &d, &h, &m, &sec, &tail) != 4 &&
		    (d = 0, sscanf(s, "%u:%u:%u%c", &h, &m, &sec, &tail) != 3))
			goto bad;
		if (h > 23 || m > 59 || sec > 59 || d > 3650)
			goto bad;
		total = (int64_t)d * 86400 + h * 3600 + m * 60 + sec;
	} else {
		errno = 0;
		n = strtol(s, &end, 10);
		if (end == s || errno != 0 || n < 0)
			goto bad;
		total = n;
		if (strcmp(end, "m") == 0)
			total *= 60;
		else if (strcmp(end, "h") == 0)
			total *= 3600;
		else if (strcmp(end, "d") == 0)
			total *= 86400;
		else if (*end != '\0' && strcmp(end, "s") != 0)
			goto bad;
	}
	if (total > INT_MAX)
		goto bad;
	*secs = (int)total;
	return (0);
bad:
	xasprintf(cause, "'%s' is not a time interval (d.hh:mm:ss or N[smhd])",
	    s);
	return (-1);
}

/* A comma or blank separated list of CIDRs; replaces the old list. */
static int
conf_parse_nets(struct hubd_conf *c, const char *value, char **cause)
{
	char	*copy, *p, *tok;
	size_t	 i;

	for (i = 0; i < c->nrelay_nets; i++)
		free(c->relay_nets[i]);
	free(c->relay_nets);
	c->relay_nets = NULL;
	c->nrelay_nets = 0;

	copy = xstrdup(value);
	for (p = copy; (tok = strsep(&p, ", \t")) != NULL; ) {
		if (*tok == '\0')
			continue;
		if (strspn(tok, "0123456789abcdefABCDEF.:/") != strlen(tok)) {
			if (cause != NULL)
				xasprintf(cause, "'%s' is not a network "
				    "(address/prefix)", tok);
			free(copy);
			return (-1);
		}
		c->relay_nets = xreallocarray(c->relay_nets,
		    c->nrelay_nets + 1, sizeof *c->relay_nets);
		c->relay_nets[c->nrelay_nets++] = xstrdup(tok);
	}
	free(copy);
	return (0);
}

/*
 * Split "host:port", "[v6]:port" or "host" (port_default).  A bare IPv6
 * address without brackets has no port.
 */
int
conf_parse_hostport(const char *s, char **host, int *port, int port_default,
    char **cause)
{
	const char	*colon, *end;
	char		*p;
	long		 n;

	*host = NULL;
	*port = port_default;
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL)
			goto bad;
		*host = xstrndup(s + 1, end - s - 1);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (colon == NULL && end[1] != '\0')
			goto bad;
	} else if ((colon = strrchr(s, ':')) != NULL &&
	    strchr(s, ':') == colon)
		*host = xstrndup(s, colon - s);
	else {
		*host = xstrdup(s);
		colon = NULL;
	}
	if (colon != NULL) {
		n = strtol(colon + 1, &p, 10);
		if (p == colon + 1 || *p != '\0' || n < 1 || n > 65535)
			goto bad;
		*port = (int)n;
	}
	if (**host == '\0')
		goto bad;
	return (0);
bad:
	free(*host);
	*host = NULL;
	xasprintf(cause, "'%s' is not an address (host:port or [ipv6]:port)",
	    s);
	return (-1);
}

void
conf_free(struct hubd_conf *c)
{
	size_t	i;

	free(c->store_path);
	free(c->key_file);
	free(c->server_name);
	free(c->state_dir);
	free(c->listen);
	free(c->resolver);
	free(c->trust_anchor);
	free(c->ca_file);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->user);
	free(c->hostname);
	free(c->control_socket);
	free(c->control_group);
	free(c->control_listen);
	free(c->metrics_listen);
	free(c->control_cert);
	free(c->control_key);
	free(c->control_ca);
	free(c->alert_command);
	free(c->alert_webhook);
	free(c->alert_webhook_ca);
	for (i = 0; i < c->nrelay_nets; i++)
		free(c->relay_nets[i]);
	free(c->relay_nets);
}
