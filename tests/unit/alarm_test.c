/*
 * alarm_test.c - unit tests of transport/alert.c and certwatch.c,
 * offline: the alarm rule (raised once, recovered once, a flapping queue
 * kept in one alarm), the alert's text and JSON (escapes, bytes that are
 * not UTF-8, Unlimited thresholds as null), and what the certificate
 * watch alerts on.  tests/transport/alerts.sh and certwatch.sh run the
 * rest with hubd, real peers, a real command and a real webhook.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xmalloc.h"
#include "transport.h"

/* Step a through the seconds of over ("1" over, "0" under), from t0. */
static void
run(struct alarm *a, const char *over, int64_t t0, int hold,
    enum alarm_change *out)
{
	size_t	i;

	for (i = 0; over[i] != '\0'; i++)
		out[i] = alarm_step(a, over[i] == '1', t0 + (int64_t)i, hold);
}

/* How many of n changes are ch. */
static int
count(const enum alarm_change *v, size_t n, enum alarm_change ch)
{
	size_t	i;
	int	k = 0;

	for (i = 0; i < n; i++)
		k += v[i] == ch;
	return (k);
}

static void
test_raise_once_recover_once(void)
{
	struct alarm		a = { 0 };
	enum alarm_change	v[16];

	/* Under, then over for 5 s, then under for good (hold 3). */
	run(&a, "001111100000", 100, 3, v);
	TAP_CHECK(v[0] == ALARM_SAME && v[1] == ALARM_SAME);
	TAP_CHECK(v[2] == ALARM_RAISED);
	TAP_CHECK(a.started == 102);
	TAP_CHECK(count(v, 12, ALARM_RAISED) == 1);
	/* Under from 107: recovered once 3 s later, at 110. */
	TAP_CHECK(v[9] == ALARM_SAME && v[10] == ALARM_RECOVERED);
	TAP_CHECK(count(v, 12, ALARM_RECOVERED) == 1);
	TAP_CHECK(!a.raised);
}

static void
test_flapping_keeps_one_alarm(void)
{
	struct alarm		a = { 0 };
	enum alarm_change	v[32];

	/* Over and under every other second for 30 s: one alarm. */
	run(&a, "101010101010101010101010101010", 0, 5, v);
	TAP_CHECK(count(v, 30, ALARM_RAISED) == 1);
	TAP_CHECK(count(v, 30, ALARM_RECOVERED) == 0);
	TAP_CHECK(a.raised && a.started == 0);
	/* Under 5 s (from 29), over again: the hold starts over. */
	run(&a, "000010000001", 30, 5, v);
	TAP_CHECK(count(v, 10, ALARM_SAME) == 10);
	/* Under from 35 for 5 s: recovered at 40, once. */
	TAP_CHECK(v[10] == ALARM_RECOVERED);
	TAP_CHECK(count(v, 12, ALARM_RECOVERED) == 1);
	/* Over again after the recovery: a new alarm, started then. */
	TAP_CHECK(v[11] == ALARM_RAISED && a.started == 41);
}

static void
test_kept_alarm_not_raised_again(void)
{
	struct alarm		a = { .raised = true, .started = 50 };
	enum alarm_change	v[8];

	/* As loaded from the spool after a restart: still over. */
	run(&a, "1111", 1000, 2, v);
	TAP_CHECK(count(v, 4, ALARM_SAME) == 4);
	TAP_CHECK(a.started == 50);
	run(&a, "000", 1004, 2, v);
	TAP_CHECK(v[2] == ALARM_RECOVERED);
}

/* A hostile reply and an admin's name, as the command gets them. */
static void
test_json(void)
{
	struct hubd_conf	c;
	struct alert		al;
	char			*j, *t;

	conf_defaults(&c);
	env->conf = &c;
	env->server = "EX01";
	memset(&al, 0, sizeof al);
	al.kind = ALERT_RAISED;
	al.queue = "EX01\\7";
	al.next_hop = "partner.test";
	al.connector = "Caf\xc3\xa9 \"TLS\"";
	al.fail_class = fail_class_name(FAIL_NO_STARTTLS);
	al.last_error = "451 4.7.3 bad\\thing\r\n\x01\xff end";
	al.message_count = 3;
	al.oldest_age = 125;
	al.age_threshold = 120;
	al.count_threshold = ALERT_UNLIMITED;
	al.started = 1796515200;	/* 2026-12-06T00:00:00Z */
	al.at = al.started + 90061;
	j = alert_json(&al);
	TAP_CHECK(strncmp(j, "{\"event\":\"raised\",\"server\":\"EX01\","
	    "\"queue\":\"EX01\\\\7\",", 48) == 0);
	TAP_CHECK(strstr(j, "\"connector\":\"Caf\xc3\xa9 \\\"TLS\\\"\"") !=
	    NULL);
	TAP_CHECK(strstr(j, "\"last_error\":\"451 4.7.3 bad\\\\thing"
	    "\\u000d\\u000a\\u0001\\ufffd end\"") != NULL);
	TAP_CHECK(strstr(j, "\"failure_class\":\"StartTlsNotOffered\"") !=
	    NULL);
	TAP_CHECK(strstr(j, "\"queue_alert_age_seconds\":120,"
	    "\"queue_alert_message_count\":null") != NULL);
	TAP_CHECK(strstr(j, "\"started\":\"2026-12-06T00:00:00Z\","
	    "\"time\":\"2026-12-07T01:01:01Z\",\"duration_seconds\":90061")
	    != NULL);
	TAP_CHECK(strcmp(j + strlen(j) - 2, "}\n") == 0);
	t = alert_text(&al);
	TAP_STREQ(t, "queue EX01\\7 to partner.test (connector Caf\xc3\xa9 "
	    "\"TLS\") is in alarm: 3 messages, the oldest waiting 00:02:05; "
	    "StartTlsNotOffered: 451 4.7.3 bad\\thing???\xff end");
	free(t);
	free(j);

	al.kind = ALERT_RECOVERED;
	al.connector = NULL;
	al.fail_class = NULL;
	al.last_error = NULL;
	al.message_count = 0;
	j = alert_json(&al);
	TAP_CHECK(strstr(j, "\"event\":\"recovered\"") != NULL);
	TAP_CHECK(strstr(j, "\"connector\":null,\"failure_class\":null,"
	    "\"last_error\":null") != NULL);
	t = alert_text(&al);
	TAP_STREQ(t, "queue EX01\\7 to partner.test (connector none) has "
	    "recovered after 1.01:01:01 in alarm: 0 messages");
	free(t);
	free(j);
	conf_free(&c);
}

/* A hop as a probe showed it: tls with a certificate, or not. */
static void
hop(struct spool_cert *c, bool connected, bool starttls, const char *issuer,
    const char *key, int64_t not_after)
{
	memset(c, 0, sizeof *c);
	c->connected = connected;
	c->starttls = starttls;
	c->tls = issuer != NULL;
	if (issuer == NULL)
		return;
	c->issuer = xstrdup(issuer);
	c->subject = xstrdup("CN=mx1.partner.test");
	c->sha256 = xprintf("%s/%s", issuer, key);
	c->key_sha256 = xstrdup(key);
	c->not_after = not_after;
}

static void
test_certwatch_judge(void)
{
	struct spool_cert	prev, cur;
	int64_t			t = 1796515200, year = 365 * 86400;

	/* First sight: a certificate for a year, names fine. */
	hop(&cur, true, true, "CA1", "K1", t + year);
	TAP_CHECK(certwatch_judge(NULL, &cur, true, true, t, 14) == 0);
	TAP_CHECK(cur.findings == 0);
	prev = cur;

	/* Two weeks to go: expiring, once. */
	hop(&cur, true, true, "CA1", "K1", t + 13 * 86400);
	TAP_CHECK(certwatch_judge(&prev, &cur, true, true, t, 14) ==
	    CW_EXPIRING);
	spool_cert_clear(&prev);
	prev = cur;
	hop(&cur, true, true, "CA1", "K1", t + 13 * 86400);
	TAP_CHECK(certwatch_judge(&prev, &cur, true, true, t + 60, 14) == 0);
	TAP_CHECK(cur.findings == CW_EXPIRING);
	spool_cert_clear(&prev);
	prev = cur;

	/* STARTTLS gone: the last certificate stays on record. */
	hop(&cur, true, false, NULL, NULL, 0);
	TAP_CHECK(certwatch_judge(&prev, &cur, true, true, t + 120, 14) ==
	    CW_NOSTARTTLS);
	TAP_CHECK(cur.findings == (CW_EXPIRING | CW_NOSTARTTLS));
	TAP_STREQ(cur.issuer, "CA1");
	spool_cert_clear(&prev);
	prev = cur;

	/* Unreachable: nothing known changes, nothing is alerted. */
	hop(&cur, false, false, NULL, NULL, 0);
	TAP_CHECK(certwatch_judge(&prev, &cur, true, true, t + 180, 14) == 0);
	TAP_CHECK(cur.findings == (CW_EXPIRING | CW_NOSTARTTLS));
	spool_cert_clear(&prev);
	prev = cur;

	/* Back, renewed by another CA without the TlsDomain's name. */
	hop(&cur, true, true, "CA2", "K2", t + year);
	TAP_CHECK(certwatch_judge(&prev, &cur, true, false, t + 240, 14) ==
	    (CW_TLSDOMAIN | CW_ISSUER | CW_KEY));
	TAP_CHECK(cur.findings == CW_TLSDOMAIN);
	spool_cert_clear(&prev);
	prev = cur;

	/* Without a TlsDomain, the names are not judged. */
	hop(&cur, true, true, "CA2", "K2", t + year);
	TAP_CHECK(certwatch_judge(&prev, &cur, false, false, t + 300, 14) ==
	    0);
	TAP_CHECK(cur.findings == 0);
	spool_cert_clear(&prev);
	spool_cert_clear(&cur);
	TAP_STREQ(certwatch_finding_name(CW_TLSDOMAIN),
	    "TlsDomainNotSatisfied");
}

static const struct tap_case cases[] = {
	{ "an alarm is raised once and recovers once",
	    test_raise_once_recover_once },
	{ "a flapping queue keeps one alarm", test_flapping_keeps_one_alarm },
	{ "an alarm kept over a restart is not raised again",
	    test_kept_alarm_not_raised_again },
	{ "the alert's JSON and text", test_json },
	{ "the certificate watch's findings", test_certwatch_judge },
};

TAP_MAIN(cases)
