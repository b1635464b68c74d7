#!/bin/bash
# metrics.sh - hubd's metrics on metrics-listen, and queue health: a
# RequireTLS connector whose next hop (an aiosmtpd peer) offers no
# STARTTLS holds its mail; the queue's messages and oldest message's age
# show in the metrics, the failures are counted as StartTlsNotOffered,
# the text passes promtool's check, and a real Prometheus started here
# scrapes hubd and answers a query for the stalled queue's age; the
# example alerting rules of doc/monitoring-rules.yml check.  A plain
# connector to the same peer delivers, counted by outcome and TLS.  The
# listener answers GET and HEAD of /metrics only.
#
# Nothing here asserts on timing: waits are bounded, values are compared
# with what happened.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd promtool prometheus
tap_plan 12

peer_start plain || tap_bail "peer plain"
PLAIN=$PEER_PORT
connector Secure secure.test 127.0.0.1 "$PLAIN" -RequireTLS \$true &&
    connector Plain plain.test 127.0.0.1 "$PLAIN" || tap_bail "connectors"
MPORT=$(free_port) || tap_bail "port"
hubd_start --metrics-listen "127.0.0.1:$MPORT" || tap_bail "hubd"

# http METHOD PATH [PORT]: one request; "STATUS Content-Type" on the
# first line, then the body.
http() {
	"$PYTHON" - "$1" "$2" "${3:-$MPORT}" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[3]), timeout=10)
c.request(sys.argv[1], sys.argv[2])
r = c.getresponse()
print(r.status, r.getheader("Content-Type"), r.getheader("Allow") or "")
sys.stdout.write(r.read().decode())
PY
}
# metric LINE-START: the value of the sample whose line starts so.
metric() {
	http GET /metrics | awk -v p="$1" 'index($0, p) == 1 { print $NF }'
}
# at_least LINE-START N: that sample is N or more (for wait_for).
at_least() {
	local v
	v=$(metric "$1")
	[ -n "$v" ] && awk -v v="$v" -v n="$2" 'BEGIN { exit !(v >= n) }'
}

OUT=$(http GET /metrics)
head -1 <<<"$OUT" | grep -q '^200 text/plain; version=0.0.4; charset=utf-8' &&
    grep -qx 'hubsh_build_info{version="[^"]*",server="EX01"} 1' <<<"$OUT" &&
    grep -qx 'hubsh_store_up 1' <<<"$OUT" &&
    grep -q "metrics: answering on http://127.0.0.1:$MPORT/metrics" "$HUBD_LOG"
tap_result $? "GET /metrics: the text format, hubd's version and server" \
    "$(head -5 <<<"$OUT")"

submit --to a@secure.test --header 'Subject: held 1' &&
    submit --to b@secure.test --header 'Subject: held 2' &&
    submit --to c@plain.test --header 'Subject: plain'
tap_result $? "three messages accepted: two for the RequireTLS connector"

wait_for 15 at_least 'hubsh_deliveries_total{outcome="sent",tls="none",verification="none"}' 1 &&
    peer_wait_messages plain 1 5 && [ "$(metric 'hubsh_messages_accepted_total{source="smtp"}')" = 3 ]
tap_result $? "the plain delivery is counted as sent without TLS; 3 accepted" \
    "$(http GET /metrics | grep -E 'deliveries|accepted')"

wait_for 15 at_least 'hubsh_connection_failures_total{class="StartTlsNotOffered"}' 1 &&
    [ "$(metric 'hubsh_connection_failures_total{class="ConnectionFailed"}')" = 0 ]
tap_result $? "the RequireTLS next hop's failures are counted as StartTlsNotOffered" \
    "$(http GET /metrics | grep failures)"

SECURE='connector="Secure"}'
qline() { http GET /metrics | grep "^$1{.*$SECURE"; }
wait_for 10 eval '[ "$(qline hubsh_queue_messages | awk "{ print \$NF }")" = 2 ]' &&
    wait_for 10 eval '[ "$(qline hubsh_queue_oldest_message_age_seconds | awk "{ print \$NF }")" -ge 2 ]' &&
    qline hubsh_queue_messages | grep -q '^hubsh_queue_messages{queue="EX01\\\\[0-9]*",next_hop="\[127.0.0.1\]",'
tap_result $? "the held queue: 2 messages, its oldest waiting, labelled queue, next hop, connector" \
    "$(http GET /metrics | grep '^hubsh_queue')"

HUBSH_CONTROL=$CONTROL hubsh_run "Get-Queue | Where-Object { \$_.MessageCount -eq 2 } |
    ForEach-Object { \$_.ConsecutiveFailures; \$_.OldestMessageAge.TotalSeconds -ge 2 }" &&
    grep -q '^StartTlsNotOffered=[0-9]' "$HUBSH_LOG" && grep -qx True "$HUBSH_LOG"
tap_result $? "Get-Queue shows the same: StartTlsNotOffered, the oldest message's age" \
    "$(cat "$HUBSH_LOG")"

http GET /metrics | tail -n +2 >"$tap_tmp/metrics.txt"
promtool check metrics <"$tap_tmp/metrics.txt" >"$tap_tmp/promtool.out" 2>&1
tap_result $? "promtool check metrics accepts the text" "$(cat "$tap_tmp/promtool.out")"

promtool check rules "$top_srcdir/doc/monitoring-rules.yml" >"$tap_tmp/rules.out" 2>&1
tap_result $? "the alerting rules of doc/monitoring-rules.yml check" "$(cat "$tap_tmp/rules.out")"

OUT=$(http GET /other) && head -1 <<<"$OUT" | grep -q '^404 ' &&
    OUT=$(http POST /metrics) && head -1 <<<"$OUT" | grep -q '^405 .* GET, HEAD$' &&
    OUT=$(http HEAD /metrics) && head -1 <<<"$OUT" | grep -q '^200 '
tap_result $? "another path is 404, POST is 405 (Allow: GET, HEAD), HEAD is 200" "$OUT"

# A real Prometheus, scraping hubd every second.
PPORT=$(free_port) || tap_bail "port"
cat >"$tap_tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: hubd
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
prometheus --config.file="$tap_tmp/prometheus.yml" \
    --storage.tsdb.path="$tap_tmp/prometheus" \
    --web.listen-address="127.0.0.1:$PPORT" >"$tap_tmp/prometheus.log" 2>&1 &
PROM_PID=$!
track_pid $PROM_PID
prom_ready() { http GET /-/ready "$PPORT" 2>/dev/null | head -1 | grep -q '^200 '; }
wait_for 30 prom_ready
tap_result $? "Prometheus starts" "$(tail -5 "$tap_tmp/prometheus.log")"

# The query's answer: the value of the stalled queue's age, if any.
prom_age() {
	http GET "/api/v1/query?query=hubsh_queue_oldest_message_age_seconds%7Bconnector%3D%22Secure%22%7D" "$PPORT" |
	    tail -n +2 | "$PYTHON" -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")'
}
prom_stalled() { local v; v=$(prom_age); [ -n "$v" ] && [ "${v%.*}" -ge 2 ]; }
wait_for 30 prom_stalled
tap_result $? "Prometheus scrapes hubd and answers for the stalled queue's age ($(prom_age) s)" \
    "$(tail -5 "$tap_tmp/prometheus.log")"
kill "$PROM_PID" 2>/dev/null
wait "$PROM_PID" 2>/dev/null
untrack_pid "$PROM_PID"

hubd_stop && ! grep -q 'metrics: .*error' "$HUBD_LOG"
tap_result $? "hubd stops cleanly"
