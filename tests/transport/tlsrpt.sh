#!/bin/bash
# tlsrpt.sh - TLS-RPT (RFC 8460): hubd counts what each delivery attempt
# did under the TLS policy in force and, once a period has ended, sends
# each policy domain that publishes _smtp._tls its report.  Real DNS
# (unbound, a zone file with the _smtp._tls and _mta-sts records), real
# MTA-STS policies (stsweb.py), real MX hosts (peer.py), a real HTTPS
# receiver (webhook.py); a period of 5 s (--tlsrpt-period) stands in for
# the UTC day.
#
#   sts.test   MTA-STS enforce, its MX host's certificate valid: delivered;
#              rua=https: the report is POSTed to webhook.py
#   bad.test   MTA-STS enforce, the MX host's certificate names another
#              host: the mail waits, each attempt a certificate-host-
#              mismatch; rua=mailto:tlsrpt@bad.test, whose mail goes to
#              that same host, "TLS-Required: No", and is not counted
#   none.test  no _smtp._tls record: counted, then dropped, never sent
#   dane.test  a signed zone (ldns-signzone), TLSA 3 1 1 of its MX host's
#              key: delivered under DANE; rua=https: a "tlsa" report
#   tst.test   MTA-STS testing, a self-signed MX host: delivered, and
#              reported as the failure enforce would have been

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need openssl aiosmtpd unbound swaks ldns
tap_plan 14

PERIOD=5
WEB=$tap_tmp/web
Z=$tap_tmp/zone
H=$tap_tmp/hook
mkdir -p "$WEB" "$Z"
make_certs mx.sts.test mx.none.test || tap_bail "certificates"
make_leaf web mta-sts.sts.test mta-sts.bad.test mta-sts.tst.test >/dev/null 2>&1 ||
    tap_bail "web certificate"
make_leaf hook 127.0.0.1 >/dev/null 2>&1 || tap_bail "receiver certificate"

peer_start good $(cert_opts valid) || tap_bail "peer good"
peer_start wrong $(cert_opts wrongname) || tap_bail "peer wrong"
peer_start dane $(cert_opts selfsigned) || tap_bail "peer dane"
SELF=$(openssl x509 -in "$CERTS/selfsigned.pem" -noout -pubkey |
    openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)

for d in sts bad tst; do
	mkdir -p "$WEB/mta-sts.$d.test"
	printf 'version: STSv1\r\nmode: %s\r\nmx: mx.%s.test\r\nmax_age: 86400\r\n' \
	    "$([ $d = tst ] && echo testing || echo enforce)" "$d" \
	    >"$WEB/mta-sts.$d.test/policy.txt"
done
stsweb_start WEB_PORT 127.0.0.1:0 || tap_bail "stsweb.py"

"$PYTHON" "$tt_dir/webhook.py" --dir "$H" --cert "$CERTS/hook.pem" \
    --key "$CERTS/hook.key" >"$tap_tmp/hook.err" 2>&1 </dev/null &
HOOK_PID=$!
track_pid $HOOK_PID
wait_for 10 tt_ready_or_dead "$H/ready" $HOOK_PID && [ -s "$H/ready" ] ||
    tap_bail "webhook.py: $(cat "$tap_tmp/hook.err")"
HOOK_PORT=$(cat "$H/ready")

{
	printf '$ORIGIN test.\n$TTL 1\n'
	printf '@ IN SOA ns.test. hostmaster.test. 1 3600 600 86400 1\n'
	printf '@ IN NS ns.test.\nns IN A 127.0.0.1\n'
	for d in sts bad none tst; do
		printf '%s IN MX 10 mx.%s.test.\nmx.%s IN A 127.0.0.1\n' \
		    "$d" "$d" "$d"
	done
	for d in sts bad tst; do
		printf 'mta-sts.%s IN A 127.0.0.1\n' "$d"
		printf '_mta-sts.%s IN TXT "v=STSv1; id=1"\n' "$d"
	done
	printf '_smtp._tls.sts IN TXT "v=TLSRPTv1; rua=https://127.0.0.1:%s/tlsrpt"\n' \
	    "$HOOK_PORT"
	printf '_smtp._tls.bad IN TXT "v=TLSRPTv1;" " rua=mailto:tlsrpt@bad.test"\n'
	printf '_smtp._tls.none IN TXT "v=spf1 -all"\n'
	printf '_smtp._tls.tst IN TXT "v=TLSRPTv1; rua=https://127.0.0.1:%s/tlsrpt"\n' \
	    "$HOOK_PORT"
} >"$Z/test.zone"
cat >"$Z/dane.test.zone" <<EOF
\$ORIGIN dane.test.
\$TTL 60
@	IN SOA ns.dane.test. hostmaster.dane.test. 1 3600 600 86400 60
@	IN NS ns.dane.test.
ns	IN A 127.0.0.1
@	IN MX 10 mx.dane.test.
mx	IN A 127.0.0.1
_$(peer_port dane)._tcp.mx	IN TLSA 3 1 1 $SELF
_smtp._tls	IN TXT "v=TLSRPTv1; rua=https://127.0.0.1:$HOOK_PORT/tlsrpt"
EOF
: >"$Z/anchors"
zone_sign "$Z" dane.test || tap_bail "signed zone: $(cat "$Z/ldns.log")"
dns_start "authzone:test:$Z/test.zone" \
    "authzone:dane.test:$Z/dane.test.served" || tap_bail "DNS server"

hubsh_run "New-SendConnector -Name Sts -AddressSpaces 'sts.test','none.test' \
	-DNSRoutingEnabled \$true -Port $(peer_port good) | Out-Null
    New-SendConnector -Name Bad -AddressSpaces 'bad.test' \
	-DNSRoutingEnabled \$true -Port $(peer_port wrong) | Out-Null
    New-SendConnector -Name Dane -AddressSpaces 'dane.test','tst.test' \
	-DNSRoutingEnabled \$true -Port $(peer_port dane) | Out-Null
    Set-TransportService -TlsRptEnabled \$true \
	-TlsRptOrganizationName 'Hub Test' -TlsRptContactInfo 'tls@hubd.test'" ||
    tap_bail "connectors"
hubd_start --mta-sts-port "$WEB_PORT" --tlsrpt-period $PERIOD \
    --dnssec-trust-anchor "$Z/anchors" || tap_bail "hubd"

# reports: every report received so far, one JSON line each:
# {"via": "https"|"mailto", "file", "subject", "type", "json"}, the
# mail's parts checked on the way (a mail that is not RFC 8460 5.3's is
# a line {"via": "mailto", "error": ...}).
reports() {
	"$PYTHON" - "$H" "$(peer_dir wrong)/msg" <<'PY'
import email, glob, gzip, json, os, sys
from email import policy
hook, msgs = sys.argv[1], sys.argv[2]
for f in sorted(glob.glob(os.path.join(hook, "*.json"))):
    hdr = open(f[:-5] + ".headers").read().lower()
    body = gzip.decompress(open(f, "rb").read())
    print(json.dumps({"via": "https", "type":
        "application/tlsrpt+gzip" if "content-type: application/tlsrpt+gzip"
        in hdr else hdr, "json": json.loads(body)}))
for f in sorted(glob.glob(os.path.join(msgs, "*.eml"))):
    m = email.message_from_binary_file(open(f, "rb"), policy=policy.default)
    if not m.get("Subject", "").startswith("Report Domain:"):
        continue
    out = {"via": "mailto", "subject": m["Subject"],
        "domain": m["TLS-Report-Domain"], "tlsreq": m["TLS-Required"],
        "ctype": m.get_content_type(),
        "rtype": m.get_param("report-type")}
    parts = list(m.iter_parts()) if m.is_multipart() else []
    if len(parts) != 2 or parts[0].get_content_type() != "text/plain" or \
            parts[1].get_content_type() != "application/tlsrpt+gzip":
        out["error"] = "parts: %r" % [p.get_content_type() for p in parts]
    else:
        out["file"] = parts[1].get_filename()
        out["json"] = json.loads(gzip.decompress(parts[1].get_content()))
    print(json.dumps(out))
PY
}
# check PYTHON-EXPR: true when the expression holds of R, the list of
# reports (each a dict as reports prints it); says why not otherwise.
check() {
	reports >"$tap_tmp/reports.json" || return 1
	"$PYTHON" - "$tap_tmp/reports.json" "$1" <<'PY'
import json, sys
R = [json.loads(l) for l in open(sys.argv[1])]
def of(domain):
    return [r for r in R if "json" in r and
        r["json"]["policies"][0]["policy"]["policy-domain"] == domain]
def pol(r):
    return r["json"]["policies"]
ok = eval("(" + sys.argv[2] + ")")
if not ok:
    print("# not so: %s" % sys.argv[2])
    for r in R:
        print("# %s" % json.dumps(r)[:600])
sys.exit(0 if ok else 1)
PY
}
nposts() { ls "$H"/*.json 2>/dev/null | wc -l; }
has_report() { check "len(of('$1')) >= ${2:-1}" >/dev/null; }

submit --to a@sts.test --header 'Subject: sts' &&
    submit --to b@bad.test --header 'Subject: bad' &&
    submit --to c@none.test --header 'Subject: none' &&
    submit --to e@dane.test --header 'Subject: dane' &&
    submit --to f@tst.test --header 'Subject: testing' &&
    wait_track SEND a@sts.test && wait_track SEND c@none.test &&
    wait_track SEND e@dane.test && wait_track SEND f@tst.test &&
    wait_for 15 grep -q 'certificate-host-mismatch' "$HUBD_LOG"
tap_result $? "deliveries: sts.test, none.test and dane.test delivered, bad.test waits" \
    "$(tail -5 "$HUBD_LOG")"

wait_for 30 has_report sts.test && wait_for 30 has_report bad.test
check "all(r['via'] == 'https' for r in of('sts.test')) and
    all(r['via'] == 'mailto' for r in of('bad.test'))"
tap_result $? "a report to each rua: sts.test's by HTTPS, bad.test's by mail" \
    "$(ls "$H"); $(grep tls-rpt "$HUBD_LOG")"

check "all(r['type'] == 'application/tlsrpt+gzip' for r in R
    if r['via'] == 'https') and
    sum(p['summary']['total-successful-session-count']
        for r in of('sts.test') for p in pol(r)) == 1 and
    all(p['summary']['total-failure-session-count'] == 0 and
        p['policy']['policy-type'] == 'sts' and
        p['policy']['policy-string'] == ['version: STSv1', 'mode: enforce',
            'mx: mx.sts.test', 'max_age: 86400'] and
        p['policy']['mx-host'] == ['mx.sts.test']
        for r in of('sts.test') for p in pol(r))"
tap_result $? "sts.test's report: application/tlsrpt+gzip, JSON, one successful session under its sts policy" ""

wait_for 30 has_report dane.test
check "len(of('dane.test')) == 1 and
    all(r['via'] == 'https' and len(pol(r)) == 1 and
        pol(r)[0]['policy']['policy-type'] == 'tlsa' and
        pol(r)[0]['policy']['policy-string'] == ['3 1 1 ${SELF^^}'] and
        'mx-host' not in pol(r)[0]['policy'] and
        pol(r)[0]['summary']['total-successful-session-count'] == 1 and
        pol(r)[0]['summary']['total-failure-session-count'] == 0
        for r in of('dane.test'))"
tap_result $? "dane.test's report: one successful session under its tlsa policy, the record as policy string" ""

wait_for 30 has_report tst.test
check "len(of('tst.test')) == 1 and
    all(len(pol(r)) == 1 and
        pol(r)[0]['policy']['policy-type'] == 'sts' and
        'mode: testing' in pol(r)[0]['policy']['policy-string'] and
        pol(r)[0]['summary']['total-successful-session-count'] == 0 and
        pol(r)[0]['summary']['total-failure-session-count'] == 1 and
        pol(r)[0]['failure-details'][0]['result-type'] ==
            'certificate-not-trusted'
        for r in of('tst.test'))"
tap_result $? "tst.test (testing): delivered, reported as the failure enforce would have been" ""

check "all(r['json']['organization-name'] == 'Hub Test' and
    r['json']['contact-info'] == 'tls@hubd.test' and
    r['json']['report-id'] != '' and
    r['json']['date-range']['start-datetime'].endswith('Z')
    for r in R if 'json' in r)" &&
    check "all((lambda s, e: e - s == $PERIOD - 1 and s % $PERIOD == 0)(
        __import__('calendar').timegm(__import__('time').strptime(
        r['json']['date-range']['start-datetime'], '%Y-%m-%dT%H:%M:%SZ')),
        __import__('calendar').timegm(__import__('time').strptime(
        r['json']['date-range']['end-datetime'], '%Y-%m-%dT%H:%M:%SZ')))
        for r in R if 'json' in r)"
tap_result $? "every report: organization, contact, report-id, a date range of one period" ""

check "sum(p['summary']['total-failure-session-count']
        for r in of('bad.test') for p in pol(r)) >= 1 and
    all(p['policy']['policy-type'] == 'sts' and
        p['summary']['total-successful-session-count'] == 0 and
        all(f['result-type'] == 'certificate-host-mismatch' and
            f['receiving-mx-hostname'] == 'mx.bad.test' and
            f['receiving-ip'] == '127.0.0.1' and
            f['sending-mta-ip'] == '127.0.0.1'
            for f in p['failure-details']) and
        sum(f['failed-session-count'] for f in p['failure-details']) ==
            p['summary']['total-failure-session-count']
        for r in of('bad.test') for p in pol(r))"
tap_result $? "bad.test's report: its failures, certificate-host-mismatch, with the hosts" ""

check "all('error' not in r and r['ctype'] == 'multipart/report' and
    r['rtype'] == 'tlsrpt' and r['tlsreq'] == 'No' and
    r['domain'] == 'bad.test' and
    r['subject'].startswith('Report Domain: bad.test Submitter: relay.hubd.test Report-ID: <') and
    r['subject'] == 'Report Domain: bad.test Submitter: relay.hubd.test Report-ID: <%s>' % r['json']['report-id'] and
    r['file'].startswith('relay.hubd.test!bad.test!') and
    r['file'].endswith('!%s.json.gz' % r['json']['report-id'])
    for r in R if r['via'] == 'mailto')"
tap_result $? "the report mail: multipart/report, RFC 8460's Subject, headers and attachment name" ""

# The report mail went to bad.test's MX host despite its failing policy,
# and was never counted: bad.test's reports count no success at all.
wait_for 20 has_report bad.test 2 &&
    check "all(sum(p['summary']['total-successful-session-count']
        for p in pol(r)) == 0 for r in of('bad.test'))" &&
    [ "$(peer_count wrong)" -ge 2 ] &&
    [ "$(track_count SEND tlsrpt@bad.test)" -ge 2 ]
tap_result $? "the report mail is delivered despite the failing policy, and not counted in the next report" \
    "$(peer_count wrong) $(track_count SEND tlsrpt@bad.test)"

sleep $((PERIOD * 2))
[ "$(spool_sql "SELECT count(*) FROM tlsrpt_sent WHERE domain = 'none.test'")" = 0 ] &&
    [ "$(spool_sql "SELECT count(*) FROM tlsrpt_policies WHERE domain = 'none.test'")" = 0 ] &&
    ! check "len(of('none.test')) > 0" >/dev/null &&
    grep -q 'tls-rpt: none.test: no report: no TLSRPTv1 record' "$HUBD_LOG"
tap_result $? "a domain without a TLSRPT record: its counts are dropped, nothing is sent" \
    "$(grep 'none.test' "$HUBD_LOG" | tail -3)"

unique="len(set((r['json']['policies'][0]['policy']['policy-domain'],
    r['json']['date-range']['start-datetime']) for r in R if 'json' in r))
    == len([r for r in R if 'json' in r])"
check "$unique" &&
    [ "$(spool_sql "SELECT count(*) FROM tlsrpt_sent WHERE rua LIKE 'https:%'
	AND outcome = 'delivered'")" = "$(nposts)" ] &&
    [ "$(spool_sql "SELECT count(*) FROM tlsrpt_sent WHERE domain = 'bad.test'
	AND outcome LIKE 'queued <%@relay.hubd.test>'")" -ge 2 ]
tap_result $? "one report per policy domain per period; each recorded with its outcome" \
    "$(spool_sql "SELECT domain, begin, rua, outcome FROM tlsrpt_sent")"

# A restart in the middle of it all: no period is reported twice.
before=$(spool_sql "SELECT count(*) FROM tlsrpt_sent")
hubd_stop && hubd_start --mta-sts-port "$WEB_PORT" \
    --tlsrpt-period $PERIOD --dnssec-trust-anchor "$Z/anchors" &&
    wait_for 30 eval '[ "$(spool_sql "SELECT count(*) FROM tlsrpt_sent")" -gt "$before" ]' &&
    sleep $PERIOD && check "$unique"
tap_result $? "a restart sends no period twice" \
    "$(spool_sql "SELECT domain, begin, rua, outcome FROM tlsrpt_sent")"

# Switched off: nothing more is counted nor sent.
settings "-TlsRptEnabled \$false" "TlsRptEnabled False" && sleep $((PERIOD + 1)) &&
    n=$(spool_sql "SELECT count(*) FROM tlsrpt_sent") &&
    submit --to d@sts.test --header 'Subject: off' && wait_track SEND d@sts.test &&
    sleep $((PERIOD * 2 + 1)) &&
    [ "$(spool_sql "SELECT count(*) FROM tlsrpt_sent")" = "$n" ] &&
    [ "$(spool_sql "SELECT count(*) FROM tlsrpt_policies WHERE begin >
	strftime('%s', 'now') - $PERIOD * 2")" = 0 ]
tap_result $? "TlsRptEnabled \$false: nothing is counted nor sent" \
    "$(spool_sql "SELECT domain, begin, rua, outcome FROM tlsrpt_sent")"

hubd_stop
tap_result $? "hubd stops cleanly" "$(tail -3 "$HUBD_LOG")"
