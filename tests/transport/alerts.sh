#!/bin/bash
# alerts.sh - queue alarms and the alerts that say so: a RequireTLS
# connector (QueueAlertAge 2 s) whose next hop, an aiosmtpd peer, offers
# no STARTTLS holds its mail; once the oldest message has waited 2 s the
# alert command runs exactly once with the alert as JSON, the same JSON
# reaches an HTTPS webhook on 127.0.0.1, and a LOG_ALERT line is logged.
# It does not run again while the alarm lasts, nor after hubd restarts
# in the middle of it.  The peer started again with STARTTLS takes the
# mail; the recovery alert goes out once.  A connector with
# QueueAlertMessageCount 2 is in alarm with two messages, not one.  A
# webhook that never answers holds up no delivery.  Mail no connector
# takes puts the Unreachable queue in alarm on the server's threshold.
# hubd refuses a webhook URL that is not https:// without showing it.
#
# Nothing here asserts on timing: waits are bounded, and "exactly once"
# is checked again after the alarm has had time to fire twice.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd openssl
tap_plan 15

make_certs || tap_bail "certificates"
make_leaf hook 127.0.0.1 >/dev/null 2>&1 || tap_bail "webhook certificate"
peer_start partner || tap_bail "peer partner"
PARTNER=$PEER_PORT
peer_start plain || tap_bail "peer plain"
PLAIN=$PEER_PORT
connector Partner partner.test 127.0.0.1 "$PARTNER" -RequireTLS \$true \
    -QueueAlertAge 00:00:02 &&
    connector Counted counted.test 127.0.0.1 "$PARTNER" -RequireTLS \$true \
    -QueueAlertAge Unlimited -QueueAlertMessageCount 2 &&
    connector Plain plain.test 127.0.0.1 "$PLAIN" || tap_bail "connectors"

alert_command_make || tap_bail "alert command"

# webhook_start NAME MODE: webhook.py in $tap_tmp/hook-NAME; WPORT.
webhook_start() {
	local dir=$tap_tmp/hook-$1
	"$PYTHON" "$tt_dir/webhook.py" --dir "$dir" --mode "$2" \
	    --cert "$CERTS/hook.pem" --key "$CERTS/hook.key" \
	    >"$dir.log" 2>&1 &
	track_pid $!
	wait_file "$dir/ready" 10 || { tap_diag - <"$dir.log"; return 1; }
	WPORT=$(cat "$dir/ready")
}
webhook_start ok ok || tap_bail "webhook"
HOOK_OK=$WPORT

ALERT_OPTS=(--alert-command "$tap_tmp/alert-cmd" --alert-recovery-time 2
    --alert-webhook "https://127.0.0.1:$HOOK_OK/hooks/hubd?token=s3cret"
    --alert-webhook-ca "$CERTS/ca.pem")

# alerts [CONNECTOR]: how many alerts the command got (for CONNECTOR).
alerts() {
	local f n=0
	for f in "$ALERTS"/*.json; do
		[ -e "$f" ] || continue
		[ -z "${1:-}" ] || grep -q "\"connector\":\"$1\"" "$f" || continue
		n=$((n + 1))
	done
	echo "$n"
}
# alert_n N [CONNECTOR]: the N-th alert's JSON.
alert_n() {
	local f
	for f in "$ALERTS"/*.json; do
		[ -z "${2:-}" ] || grep -q "\"connector\":\"$2\"" "$f" || continue
		echo "$f"
	done | sed -n "${1}p" | xargs cat
}
# jq_check JSON PYTHON-EXPR: the expression holds for the parsed alert a.
jq_check() {
	"$PYTHON" -c 'import json, sys
a = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2"
}

hubd_start "${ALERT_OPTS[@]}" || tap_bail "hubd"

submit --to a@partner.test --header 'Subject: held'
wait_for 20 eval '[ "$(alerts Partner)" -ge 1 ]' &&
    A=$(alert_n 1 Partner) &&
    jq_check "$A" 'a["event"] == "raised" and a["server"] == "EX01"
        and a["connector"] == "Partner" and a["next_hop_domain"] == "[127.0.0.1]"
        and a["failure_class"] == "StartTlsNotOffered" and a["last_error"]
        and a["message_count"] == 1 and a["oldest_message_age_seconds"] >= 2
        and a["queue_alert_age_seconds"] == 2 and a["queue_alert_message_count"] is None
        and a["queue"].startswith("EX01\\") and a["text"].startswith("queue EX01\\")'
tap_result $? "the alert command gets the raise as JSON: connector, class, LastError, age" \
    "$(alert_n 1 Partner; tail -5 "$HUBD_LOG")"

grep -q 'alert: queue EX01\\[0-9]* to \[127.0.0.1\] (connector Partner) is in alarm: 1 messages' "$HUBD_LOG"
tap_result $? "hubd logs the alert at LOG_ALERT" "$(grep alert "$HUBD_LOG")"

H=$tap_tmp/hook-ok
wait_file "$H/001.json" 10 &&
    grep -qi '^Content-Type: application/json' "$H/001.headers" &&
    grep -q '^POST /hooks/hubd?token=s3cret HTTP/1.1' "$H/001.headers" &&
    jq_check "$(cat "$H/001.json")" 'a["event"] == "raised" and a["connector"] == "Partner"' &&
    ! grep -q s3cret "$HUBD_LOG"
tap_result $? "the webhook gets the same alert over HTTPS; the token is never logged" \
    "$(cat "$H"/001.* 2>&1)"

submit --to b@partner.test --header 'Subject: held 2' &&
    submit --to c@counted.test --header 'Subject: counted 1'
sleep 4
[ "$(alerts Partner)" = 1 ] && [ "$(alerts Counted)" = 0 ] &&
    [ "$(spool_sql 'SELECT count(*) FROM alarms')" = 1 ]
tap_result $? "one alert for the alarm however long it lasts; one message is under a count of 2" \
    "$(ls "$ALERTS"; spool_sql 'SELECT * FROM alarms')"

submit --to d@counted.test --header 'Subject: counted 2'
wait_for 15 eval '[ "$(alerts Counted)" -ge 1 ]' &&
    jq_check "$(alert_n 1 Counted)" 'a["event"] == "raised"
        and a["message_count"] == 2 and a["queue_alert_message_count"] == 2
        and a["queue_alert_age_seconds"] is None'
tap_result $? "QueueAlertMessageCount 2: the second message puts the queue in alarm" \
    "$(alert_n 1 Counted)"

hubd_stop
hubd_start "${ALERT_OPTS[@]}" || tap_bail "hubd again"
sleep 4
[ "$(alerts Partner)" = 1 ] && [ "$(alerts Counted)" = 1 ] &&
    grep -q 'connector Partner) is still in alarm' "$HUBD_LOG" &&
    ! grep -q 'alert: ' "$HUBD_LOG"
tap_result $? "hubd started again during the alarms alerts for neither again" \
    "$(ls "$ALERTS"; cat "$HUBD_LOG")"

# The partner learns STARTTLS: the held mail goes, the alarm recovers.
peer_stop partner
peer_start partner --listen "127.0.0.1:$PARTNER" $(cert_opts valid) ||
    tap_bail "peer partner with STARTTLS"
wait_for 20 eval '[ "$(alerts Partner)" -ge 2 ]' &&
    jq_check "$(alert_n 2 Partner)" 'a["event"] == "recovered"
        and a["message_count"] == 0 and a["duration_seconds"] >= 2
        and "has recovered after" in a["text"]' &&
    peer_wait_messages partner 4 5
tap_result $? "with STARTTLS the mail goes and the recovery alert follows" \
    "$(alert_n 2 Partner; peer_count partner)"

sleep 3
[ "$(alerts Partner)" = 2 ] && [ "$(alerts Counted)" = 2 ] &&
    [ "$(spool_sql 'SELECT count(*) FROM alarms')" = 0 ] &&
    [ "$(grep -c 'has recovered' "$HUBD_LOG")" = 2 ]
tap_result $? "each recovery is told once, and the spool keeps no alarm" \
    "$(ls "$ALERTS"; spool_sql 'SELECT * FROM alarms')"

wait_file "$H/004.json" 10 && [ ! -e "$H/005.json" ] &&
    jq_check "$(cat "$H/004.json")" 'a["event"] == "recovered"'
tap_result $? "the webhook got the four alerts, the last a recovery" "$(ls "$H")"
hubd_stop

# A webhook that never answers: deliveries go on.
webhook_start hang hang || tap_bail "hanging webhook"
peer_stop partner
peer_start partner --listen "127.0.0.1:$PARTNER" || tap_bail "peer partner again"
hubd_start --alert-recovery-time 2 --alert-webhook-timeout 60 \
    --alert-webhook "https://127.0.0.1:$WPORT/" \
    --alert-webhook-ca "$CERTS/ca.pem" --alert-command-timeout 1 \
    --alert-command 'cat >/dev/null; echo still here; sleep 30' ||
    tap_bail "hubd, hanging webhook"
submit --to e@partner.test --header 'Subject: held again'
wait_file "$tap_tmp/hook-hang/001.hanging" 20 &&
    grep -q 'alert command killed after 1 s: cat >/dev/null' "$HUBD_LOG"
tap_result $? "a command past its time is killed; the hanging webhook has the alert" \
    "$(ls "$tap_tmp/hook-hang"; grep alert "$HUBD_LOG")"

before=$(peer_count plain)
submit --to f@plain.test --header 'Subject: meanwhile' &&
    peer_wait_messages plain $((before + 1)) 15 &&
    [ ! -e "$tap_tmp/hook-hang/002.json" ] &&
    ! grep -q 'alert webhook to' "$HUBD_LOG"
tap_result $? "a message to another queue is delivered while the webhook hangs" \
    "$(peer_count plain; grep webhook "$HUBD_LOG")"

hubd_stop
tap_result $? "hubd stops while the webhook hangs"

# The Unreachable queue, on the server's threshold.
hubsh_run "Set-TransportService -Identity $SERVER -QueueAlertAge 00:00:02" &&
    hubd_start --alert-recovery-time 2 --alert-command "$tap_tmp/alert-cmd" ||
    tap_bail "hubd, server threshold"
before=$(alerts)
submit --to u@nowhere.test --header 'Subject: no route'
wait_for 20 eval '[ "$(alerts)" -gt "$before" ]' &&
    A=$(ls "$ALERTS"/*.json | tail -n 1 | xargs cat) &&
    jq_check "$A" 'a["event"] == "raised" and a["queue"] == "EX01\\Unreachable"
        and a["message_count"] == 1 and a["queue_alert_age_seconds"] == 2
        and a["connector"] is None'
tap_result $? "mail no connector takes: the Unreachable queue alarms on the server's QueueAlertAge" \
    "$(ls "$ALERTS"/*.json | tail -n 1 | xargs cat)"
hubd_stop

# A webhook URL that is not HTTPS, with a token in it: refused, unshown.
"$HUBD" -f --store "$STORE" --server "$SERVER" --listen "127.0.0.1:$(free_port)" \
    --state-dir "$tap_tmp/state2" --control-socket "$tap_tmp/run/x.sock" \
    --alert-webhook "http://127.0.0.1:1/?token=s3cret" >"$tap_tmp/plain.out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'alert-webhook: not an https:// URL' "$tap_tmp/plain.out" &&
    ! grep -q s3cret "$tap_tmp/plain.out"
tap_result $? "an http:// webhook is refused at start, the URL unshown" "$(cat "$tap_tmp/plain.out")"

HUBSH_CONTROL= hubsh_run "Get-SendConnector Partner | Format-List QueueAlert*;
    Get-TransportService EX01 | Format-List QueueAlert*" &&
    [ "$(grep -c '^QueueAlertAge *: 00:00:02$' "$HUBSH_LOG")" = 2 ] &&
    grep -q '^QueueAlertMessageCount *: Unlimited$' "$HUBSH_LOG"
tap_result $? "Get-SendConnector and Get-TransportService show the thresholds" \
    "$(cat "$HUBSH_LOG")"
