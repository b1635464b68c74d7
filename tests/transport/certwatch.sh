#!/bin/bash
# certwatch.sh - the partner certificate watch: hubd probes the smart
# host of a RequireTLS DomainValidation connector (TlsDomain
# mx1.example.test) every second, outside the delivery path, and alerts
# through the alert command when the peer's certificate expires within
# 7 days (one made to expire in 3), when its key changes (a renewal),
# when its issuer changes (a certificate from another CA), when its names
# no longer satisfy the TlsDomain, and when STARTTLS disappears; each
# once.  Get-SendConnectorCertificate shows what the watch last saw,
# with the SHA-1 thumbprint openssl computes for the same certificate.
# hubd started again alerts for nothing it alerted for already.
#
# Nothing here asserts on timing: waits are bounded, and "once" is
# checked again after several more rounds.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd openssl
tap_plan 10

make_certs || tap_bail "certificates"
make_leaf soon -days 3 mx1.example.test >/dev/null 2>&1 ||
    tap_bail "a certificate that expires in 3 days"
peer_start partner --listen 127.0.0.1:0 $(cert_opts soon) || tap_bail "peer"
PORT=$PEER_PORT
connector Watched watched.test 127.0.0.1 "$PORT" -RequireTLS \$true \
    -TlsAuthLevel DomainValidation -TlsDomain mx1.example.test ||
    tap_bail "connector"

alert_command_make || tap_bail "alert command"
WATCH_OPTS=(--cert-watch-interval 1 --cert-watch-expiry-days 7
    --alert-command "$tap_tmp/alert-cmd")

# cert_alerts: the certificate alerts so far, one JSON a line.
cert_alerts() { cat "$ALERTS"/*.json 2>/dev/null | grep '"event":"certificate"'; }
ncert() { cert_alerts | wc -l; }
# last_alert: the last certificate alert.
last_alert() { cert_alerts | tail -n 1; }
# check PYTHON-EXPR: the expression holds for the last alert a.
check() {
	"$PYTHON" -c 'import json, sys
a = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$(last_alert)" "$1"
}
# repeer CERT-OPTIONS...: the partner again on its port.
repeer() {
	peer_stop partner
	peer_start partner --listen "127.0.0.1:$PORT" "$@"
}

hubd_start "${WATCH_OPTS[@]}" || tap_bail "hubd"

wait_for 20 eval '[ "$(ncert)" -ge 1 ]' &&
    check 'a["findings"] == ["CertificateExpiring"] and a["days_left"] in (2, 3)
        and a["connector"] == "Watched" and a["host"] == "[127.0.0.1]"
        and a["address"] == "127.0.0.1:'"$PORT"'" and "CN=mx1.example.test" in a["subject"]
        and "hubsh test CA" in a["issuer"] and a["domain"] == "watched.test"'
tap_result $? "a certificate that expires in 3 days is alerted on" "$(cert_alerts)"

SHA1=$(openssl x509 -in "$CERTS/soon.pem" -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')
HUBSH_CONTROL=$CONTROL hubsh_run "Get-SendConnectorCertificate Watched | Format-List" &&
    grep -q '^Result *: Pass$' "$HUBSH_LOG" &&
    grep -q '^StartTlsOffered *: True$' "$HUBSH_LOG" &&
    grep -q "^Thumbprint *: $SHA1\$" "$HUBSH_LOG" &&
    grep -q '^SatisfiesLevels *: {EncryptionOnly, CertificateValidation, DomainValidation}$' "$HUBSH_LOG" &&
    grep -q '^Findings *: {CertificateExpiring}$' "$HUBSH_LOG" &&
    grep -q '^CertificateDomains *: {mx1.example.test}$' "$HUBSH_LOG"
tap_result $? "Get-SendConnectorCertificate: the hop, its levels, openssl's thumbprint" \
    "$(cat "$HUBSH_LOG")"

sleep 3
[ "$(ncert)" = 1 ]
tap_result $? "the expiring certificate is alerted on once over several rounds" "$(cert_alerts)"

# A renewal: same CA, same names, a new key, five years.
repeer $(cert_opts valid) || tap_bail "peer, renewed"
wait_for 20 eval '[ "$(ncert)" -ge 2 ]' && check 'a["findings"] == ["KeyChanged"]'
tap_result $? "a renewal with a new key: KeyChanged, and no longer expiring" "$(last_alert)"

# Another CA: the issuer changes (and the key).
repeer $(cert_opts untrusted) || tap_bail "peer, other CA"
wait_for 20 eval '[ "$(ncert)" -ge 3 ]' &&
    check 'a["findings"] == ["IssuerChanged", "KeyChanged"]
        and "hubsh test CA" in a["previous_issuer"] and "untrusted CA" in a["issuer"]'
tap_result $? "a certificate from another CA: IssuerChanged, with the previous issuer" \
    "$(last_alert)"

# The names no longer satisfy the TlsDomain.
repeer $(cert_opts wrongname) || tap_bail "peer, wrong name"
wait_for 20 eval '[ "$(ncert)" -ge 4 ]' &&
    check '"TlsDomainNotSatisfied" in a["findings"] and a["names"] == "mx.wrong.test"'
tap_result $? "a certificate without the TlsDomain's name: TlsDomainNotSatisfied" \
    "$(last_alert)"

# STARTTLS gone.
repeer || tap_bail "peer, no STARTTLS"
wait_for 20 eval '[ "$(ncert)" -ge 5 ]' && check 'a["findings"] == ["StartTlsNotOffered"]'
tap_result $? "STARTTLS no longer offered: StartTlsNotOffered" "$(last_alert)"

HUBSH_CONTROL=$CONTROL hubsh_run "Get-SendConnectorCertificate | Format-List" &&
    grep -q '^StartTlsOffered *: False$' "$HUBSH_LOG" &&
    grep -q '^Subject *: CN=mx.wrong.test' "$HUBSH_LOG" &&
    grep -q '^Findings *: {TlsDomainNotSatisfied, StartTlsNotOffered}$' "$HUBSH_LOG" &&
    grep -q '^Result *: Fail$' "$HUBSH_LOG"
tap_result $? "the watch keeps the last certificate seen; both conditions hold" \
    "$(cat "$HUBSH_LOG")"

hubd_stop
T0=$(date +%s)
sleep 1
hubd_start "${WATCH_OPTS[@]}" || tap_bail "hubd again"
checked_since() { [ "$(spool_sql 'SELECT min(checked) FROM cert_watch')" -gt "$T0" ]; }
wait_for 15 checked_since && sleep 2 &&
    [ "$(ncert)" = 5 ] && ! grep -q 'alert: ' "$HUBD_LOG"
tap_result $? "hubd started again alerts for none of the conditions that still hold" \
    "$(spool_sql 'SELECT checked, findings FROM cert_watch'; tail -5 "$HUBD_LOG")"

hubd_stop
tap_result $? "hubd stops with the watch running"
