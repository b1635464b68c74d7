# hubd-lib.sh - helpers for the tests that run hubd itself (sourced after
# lib.sh): a connector store written with hubsh, hubd started in the
# foreground on a free loopback port with its control socket in the
# test's directory, submission with swaks, requests on the control
# channel with ctl.py, and the spool's tracking log read with Python's
# sqlite3 module.
#
# Every hubd runs with short retry intervals (1 s for the queue's
# schedule and for a message the next hop answered 4xx, set with hubsh's
# Set-TransportService in the test's store) so deferrals can be watched
# within a test; nothing here sets timing assertions.

: "${abs_top_builddir:=$top_srcdir/build}"
: "${HUBSH:=$abs_top_builddir/hubsh}"
: "${HUBD:=$abs_top_builddir/hubd}"
SERVER=EX01
STORE=$tap_tmp/hubsh.db
STATE=$tap_tmp/state
CONTROL=$tap_tmp/run/hubd.sock
export HUBSH_STORE=$STORE

[ -x "$HUBSH" ] || tap_bail "hubsh not built ($HUBSH)"
[ -x "$HUBD" ] || tap_bail "hubd not built ($HUBD)"

tt_hubsh_n=0

# hubsh_run TEXT: run TEXT with hubsh on the test store; its output is in
# $HUBSH_LOG, its status is hubsh's.
hubsh_run() {
	tt_hubsh_n=$((tt_hubsh_n + 1))
	HUBSH_LOG=$tap_tmp/hubsh.$tt_hubsh_n.log
	"$HUBSH" --server "$SERVER" -Command "$1" >"$HUBSH_LOG" 2>&1
	local rc=$?
	[ $rc -eq 0 ] || tap_diag - <"$HUBSH_LOG"
	return $rc
}

# connector NAME SPACE HOST PORT [parameters...]: a Custom send
# connector NAME for address space SPACE through smart host [HOST]:PORT.
connector() {
	local name=$1 space=$2 host=$3 port=$4
	shift 4
	hubsh_run "New-SendConnector -Name $name -Usage Custom \
	    -AddressSpaces '$space' -SmartHosts '[$host]' \
	    -DNSRoutingEnabled \$false -Port $port $* | Out-Null"
}

# settings TEXT WANT: Set-TransportService TEXT, then wait (10 s) until
# hubd has logged taking up WANT (a "transport settings:" line).
settings() {
	hubsh_run "Set-TransportService -Identity $SERVER $1" &&
	    wait_for 10 grep -q "transport settings: $2" "$HUBD_LOG"
}

# hubd_fast_retries: retry intervals of one second for $SERVER in the
# test's store (Set-TransportService).
hubd_fast_retries() {
	hubsh_run "Set-TransportService -Identity $SERVER \
	    -TransientFailureRetryInterval 00:00:01 \
	    -OutboundConnectionFailureRetryInterval 00:00:01 \
	    -MessageRetryInterval 00:00:01"
}

# hubd_start [hubd options...]: start hubd on 127.0.0.1 at a free port
# (HUBD_PORT) with one-second retries and its control socket at
# $CONTROL (HUBD_CONTROL; a hubd with another STATE than the default gets
# $tap_tmp/run/<state>.sock instead, so two can run at once), using
# $DNS_ADDR:$DNS_PORT as resolver when a DNS server runs and
# $CERTS/ca.pem as trust store when certificates exist; wait (10 s)
# until it has started.  Its log is $HUBD_LOG.  The certificate watch is
# off (its probes would add sessions that tests count) and DNSSEC
# validation has no trust anchor (whether the machine has a root key
# must not matter), unless the options say otherwise.
hubd_start() {
	local try opts=(--cert-watch-interval 0 --dnssec-trust-anchor none)
	[ -n "${DNS_PORT:-}" ] && opts+=(--resolver "$DNS_ADDR:$DNS_PORT")
	[ -n "${CERTS:-}" ] && opts+=(--ca-file "$CERTS/ca.pem")
	HUBD_CONTROL=$CONTROL
	[ "$STATE" != "$tap_tmp/state" ] &&
	    [ "$CONTROL" = "$tap_tmp/run/hubd.sock" ] &&
	    HUBD_CONTROL=$tap_tmp/run/${STATE##*/}.sock
	hubd_fast_retries || return 1
	for try in 1 2 3; do
		HUBD_PORT=$(free_port) || return 1
		HUBD_LOG=$tap_tmp/hubd.$HUBD_PORT.log
		"$HUBD" -f --store "$STORE" --server "$SERVER" \
		    --listen "127.0.0.1:$HUBD_PORT" --state-dir "$STATE" \
		    --control-socket "$HUBD_CONTROL" \
		    --hostname relay.hubd.test \
		    "${opts[@]}" "$@" >"$HUBD_LOG" 2>&1 </dev/null &
		HUBD_PID=$!
		track_pid $HUBD_PID
		if wait_for 10 tt_hubd_up; then
			grep -q ' started: ' "$HUBD_LOG" && return 0
		fi
		wait $HUBD_PID 2>/dev/null
		grep -q 'Address already in use' "$HUBD_LOG" || break
	done
	tap_diag "hubd did not start:"
	tap_diag - <"$HUBD_LOG"
	return 1
}
tt_hubd_up() {
	grep -q ' started: ' "$HUBD_LOG" 2>/dev/null || ! tt_alive "$HUBD_PID"
}

# hubd_stop: SIGTERM and wait; status 0 when hubd exited 0.
hubd_stop() {
	local rc
	kill -TERM "$HUBD_PID" 2>/dev/null
	wait "$HUBD_PID"
	rc=$?
	untrack_pid "$HUBD_PID"
	return $rc
}

# alert_command_make: $tap_tmp/alert-cmd, an alert command (hubd's
# --alert-command) that keeps each alert it is given as
# $ALERTS/<nanoseconds>.json, in the order given.
alert_command_make() {
	ALERTS=$tap_tmp/alerts
	mkdir -p "$ALERTS" || return 1
	cat >"$tap_tmp/alert-cmd" <<EOF
#!/bin/sh
f=$ALERTS/\$(date +%s%N)
cat >"\$f.tmp" && mv "\$f.tmp" "\$f.json"
EOF
	chmod +x "$tap_tmp/alert-cmd"
}

# submit [swaks options...]: one message to hubd with swaks.
submit() { swaks_send 127.0.0.1 "$HUBD_PORT" "$@"; }

# ctl [ctl.py options] [name=value...]: one request on the control
# channel of the hubd started last; the answer on standard output,
# status 0 for "status ok", 1 for "status error", 2 when the channel
# failed.
ctl() { "$PYTHON" "$tt_dir/ctl.py" "${HUBD_CONTROL:-$CONTROL}" "$@"; }

# spool_sql SQL: run SQL on the spool (read only); rows as "a|b|c".
spool_sql() {
	"$PYTHON" - "$STATE/queue.db" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=10)
for row in db.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
}

# track_count EVENT [RCPT]: tracking records of EVENT (for RCPT).
track_count() {
	spool_sql "SELECT count(*) FROM track t JOIN track_rcpt r
	    ON r.track_id = t.id WHERE t.event_id = '$1'
	    ${2:+AND r.addr = '$2'}"
}

# track_status EVENT RCPT: the last RecipientStatus of EVENT for RCPT.
track_status() {
	spool_sql "SELECT r.status FROM track t JOIN track_rcpt r
	    ON r.track_id = t.id WHERE t.event_id = '$1' AND r.addr = '$2'
	    ORDER BY t.id DESC LIMIT 1"
}

# track_verify RCPT: the TLS verdict tracked with the delivery to RCPT.
track_verify() {
	spool_sql "SELECT t.tls_verify FROM track t JOIN track_rcpt r
	    ON r.track_id = t.id WHERE t.event_id = 'SEND' AND r.addr = '$1'"
}

# queue_lasterror DOMAIN: the LastError of DOMAIN's queue (Get-Queue).
queue_lasterror() {
	HUBSH_CONTROL=$CONTROL hubsh_run "(Get-Queue | Where-Object {
	    \$_.NextHopDomain -eq '$1' }).LastError" && cat "$HUBSH_LOG"
}

# wait_track EVENT RCPT [SECONDS]: wait for a record of EVENT for RCPT.
wait_track() { wait_for "${3:-15}" tt_has_track "$1" "$2"; }
tt_has_track() { [ "$(track_count "$1" "$2" 2>/dev/null)" -ge 1 ]; }
