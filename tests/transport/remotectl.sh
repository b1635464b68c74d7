#!/bin/bash
# remotectl.sh - the control channel over TCP with TLS: two hubds, EX01
# and EX02, share the test's store, each with a TLS control listener on
# loopback (control-listen) requiring client certificates of the test CA.
# hubsh, as EX01 on EX01's control socket, reaches EX02's queues, messages
# and tracking log with an admin certificate; without one, or with one
# of another CA, EX02 refuses and hubsh says so; Get-TransportService or
# Get-ExchangeServer piped into Get-Queue, Get-Message and
# Get-MessageTrackingLog, and Get-QueueDigest, ask every server; with
# EX02 stopped, EX01's queues still print and EX02 is one error.
# Certificates are made here (mkcerts.sh).

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_plan 27

make_certs || tap_bail "certificates"
for s in ex01 ex02; do
	make_leaf $s $s.hubd.test >>"$tap_tmp/mkcerts.log" 2>&1 ||
	    tap_bail "certificate $s"
done
make_leaf admin -no-eku admin.hubd.test >>"$tap_tmp/mkcerts.log" 2>&1 &&
    make_leaf rogueadmin -ca rogue -no-eku admin.hubd.test \
    >>"$tap_tmp/mkcerts.log" 2>&1 || tap_bail "client certificates"

# EX02 routes slow.test to a peer that answers 421: its message waits.
peer_start defer --reply 'CONNECT=421 4.3.2 Service not available' ||
    tap_bail "peer defer"
SERVER=EX02 connector Slow slow.test 127.0.0.1 "$PEER_PORT" ||
    tap_bail "connector"

# start_tls NAME STATE: hubd NAME with its TLS control listener.
start_tls() {
	local lc=${1,,} port
	port=$(free_port) || return 1
	SERVER=$1 STATE=$tap_tmp/$2
	hubd_start --hostname "$lc.hubd.test" \
	    --control-listen "127.0.0.1:$port" \
	    --control-cert "$CERTS/$lc.pem" --control-key "$CERTS/$lc.key" \
	    --control-ca "$CERTS/ca.pem"
}
start_tls EX01 state1 || tap_bail "hubd EX01"
LOG1=$HUBD_LOG PID1=$HUBD_PID CTL1=$HUBD_CONTROL PORT1=$HUBD_PORT
start_tls EX02 state2 || tap_bail "hubd EX02"
LOG2=$HUBD_LOG PID2=$HUBD_PID PORT2=$HUBD_PORT

# admin [--no-cert|--rogue] TEXT: hubsh as EX01 on EX01's control socket,
# with the admin certificate (or none, or the other CA's).
admin() {
	local cert=admin
	case $1 in
	--no-cert) cert= ; shift ;;
	--rogue) cert=rogueadmin; shift ;;
	esac
	tt_hubsh_n=$((tt_hubsh_n + 1))
	HUBSH_LOG=$tap_tmp/hubsh.$tt_hubsh_n.log
	HUBSH_CONTROL_CA=$CERTS/ca.pem \
	HUBSH_CONTROL_CERT=${cert:+$CERTS/$cert.pem} \
	HUBSH_CONTROL_KEY=${cert:+$CERTS/$cert.key} \
	    "$HUBSH" --server EX01 --control "$CTL1" -Command "$1" \
	    >"$HUBSH_LOG" 2>&1
}
# The registry's control endpoint of a server, from the store itself.
endpoint() {
	"$PYTHON" - "$STORE" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=10)
r = db.execute("SELECT control FROM servers WHERE name = ?",
    (sys.argv[2],)).fetchone()
print(r[0] if r else "none")
PY
}

e1=$(endpoint EX01) e2=$(endpoint EX02)
[[ $e1 == tls:127.0.0.1:* ]] && [[ $e2 == tls:127.0.0.1:* ]] &&
    [ "$e1" != "$e2" ]
tap_result $? "each hubd registers its TLS control endpoint" "$e1 $e2"

swaks_send 127.0.0.1 "$PORT2" --from a@src.test --to x@slow.test \
    >"$tap_tmp/swaks.log" 2>&1
tap_result $? "a message for slow.test is submitted to EX02" \
    "$(cat "$tap_tmp/swaks.log")"

slow_waits() {
	admin 'Get-Queue -Server EX02 | ForEach-Object { "$($_.Identity) $($_.MessageCount) $($_.DeliveryType)" }'
	grep -Eq '^EX02\\[0-9]+ 1 SmartHostConnectorDelivery' "$HUBSH_LOG"
}
wait_for 30 slow_waits
tap_result $? "Get-Queue -Server EX02 shows EX02's queue over TLS" \
    "$(cat "$HUBSH_LOG")"
QID=$(grep -Eo '^EX02\\[0-9]+' "$HUBSH_LOG" | head -1)

grep -q "control: TLS connection from 127.0.0.1:[0-9]*, client certificate CN=admin.hubd.test" "$LOG2"
tap_result $? "EX02 logs the client certificate's subject" \
    "$(grep control: "$LOG2")"

# The error as one line (hubsh wraps it to the console's width).
joined() { tr -d '\n' <"$HUBSH_LOG"; }

admin --no-cert 'Get-Queue -Server EX02'
rc=$?
[ $rc -ne 0 ] && ! grep -q 'EX02\\' "$HUBSH_LOG" &&
    joined | grep -q "ex02.hubd.test.*refused the TLS session.*none was given" &&
    wait_for 10 grep -q "refused the TLS connection from 127.0.0.1:[0-9]*: .*certificate" "$LOG2"
tap_result $? "without a client certificate EX02 refuses, and hubsh says so (exit $rc)" \
    "$(cat "$HUBSH_LOG"; grep refused "$LOG2")"

n_refused=$(grep -c "refused the TLS connection" "$LOG2")
admin --rogue 'Get-Queue -Server EX02'
rc=$?
[ $rc -ne 0 ] && ! grep -q 'EX02\\' "$HUBSH_LOG" &&
    joined | grep -q "ex02.hubd.test.*refused the TLS session" &&
    wait_for 10 eval '[ "$(grep -c "refused the TLS connection" "$LOG2")" -gt "$n_refused" ]'
tap_result $? "a client certificate of another CA is refused as well (exit $rc)" \
    "$(cat "$HUBSH_LOG"; grep refused "$LOG2")"

# Server objects piped in: each server is asked, the remote one over TLS.
for servers in 'Get-TransportService' \
    'Get-ExchangeServer | Where-Object { $_.IsHubTransportServer -eq $true }'; do
	admin "$servers | Get-Queue | ForEach-Object { \$_.Identity }"
	rc=$?
	[ $rc -eq 0 ] && grep -q '^EX01\\Submission' "$HUBSH_LOG" &&
	    grep -q '^EX02\\Submission' "$HUBSH_LOG" &&
	    grep -Fqx "$QID" "$HUBSH_LOG"
	tap_result $? "${servers%% *} | Get-Queue prints both servers' queues (exit $rc)" \
	    "$(cat "$HUBSH_LOG")"
done

admin "Get-Queue -Identity '$QID' | Get-Message | ForEach-Object { \"\$(\$_.Identity) \$(\$_.FromAddress)\" }"
rc=$?
[ $rc -eq 0 ] && grep -Eq "^${QID//\\/\\\\}\\\\[0-9]+ a@src.test" "$HUBSH_LOG"
tap_result $? "Get-Queue $QID | Get-Message lists EX02's message (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

admin 'Get-Message -Server EX02 | ForEach-Object { $_.Identity }
Get-TransportService | Get-Message | ForEach-Object { $_.FromAddress }
Get-ExchangeServer | Get-Message | ForEach-Object { "es $($_.FromAddress)" }
Get-ExchangeServer ex02.hubd.test | Get-Message | ForEach-Object { "fqdn $($_.Identity)" }'
rc=$?
[ $rc -eq 0 ] && [ "$(grep -Ec '^EX02\\[0-9]+\\[0-9]+$' "$HUBSH_LOG")" = 1 ] &&
    [ "$(grep -c '^a@src.test$' "$HUBSH_LOG")" = 1 ] &&
    [ "$(grep -c '^es a@src.test$' "$HUBSH_LOG")" = 1 ] &&
    [ "$(grep -Ec '^fqdn EX02\\[0-9]+\\[0-9]+$' "$HUBSH_LOG")" = 1 ]
tap_result $? "Get-Message -Server EX02, and Get-TransportService, Get-ExchangeServer or Get-ExchangeServer EX02's-FQDN | Get-Message (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

admin 'Get-MessageTrackingLog -Server EX02 -Recipients x@slow.test -EventId RECEIVE | ForEach-Object { "EX02 $($_.Sender)" }
Get-TransportService | Get-MessageTrackingLog -Recipients x@slow.test -EventId RECEIVE | ForEach-Object { "all $($_.Sender)" }
Get-ExchangeServer | Get-MessageTrackingLog -Recipients x@slow.test -EventId RECEIVE | ForEach-Object { "es $($_.Sender)" }'
rc=$?
[ $rc -eq 0 ] && [ "$(grep -cx 'EX02 a@src.test' "$HUBSH_LOG")" = 1 ] &&
    [ "$(grep -cx 'all a@src.test' "$HUBSH_LOG")" = 1 ] &&
    [ "$(grep -cx 'es a@src.test' "$HUBSH_LOG")" = 1 ]
tap_result $? "Get-MessageTrackingLog -Server EX02, and from every server, reads EX02's log (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

admin "Retry-Queue '$QID'"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$HUBSH_LOG" ]
tap_result $? "Retry-Queue $QID works remotely (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

admin "Retry-Queue 'EX02\\987654'"
rc=$?
[ $rc -ne 0 ] && grep -q 'EX02\\987654' "$HUBSH_LOG"
tap_result $? "and EX02's own refusal comes back (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

# hold NAME PORT ADDR...: one TCP connection from each ADDR to the TLS
# control port PORT, that never says a word, kept open in the background
# (HOLD_PID); $tap_tmp/NAME says "ready" once all are open.  Touching
# $tap_tmp/NAME.check makes it write how many the server has not closed
# yet to $tap_tmp/NAME.open.
hold() {
	local name=$tap_tmp/$1
	shift
	"$PYTHON" - "$name" "$@" <<'PY' &
import os, socket, sys, time
name, port, addrs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
held = []
for a in addrs:
    s = socket.socket()
    s.bind((a, 0))
    s.connect(("127.0.0.1", port))
    held.append(s)
open(name, "w").write("ready\n")
for _ in range(600):
    if os.path.exists(name + ".check"):
        n = 0
        for s in held:
            try:
                n += s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
            except BlockingIOError:
                n += 1
        open(name + ".open", "w").write("%d\n" % n)
        break
    time.sleep(0.1)
time.sleep(30)
PY
	HOLD_PID=$!
	track_pid "$HOLD_PID"
	wait_for 10 grep -qs ready "$name"
}
# unhold NAME: stop holding.
unhold() { kill "$HOLD_PID" 2>/dev/null; wait "$HOLD_PID" 2>/dev/null; untrack_pid "$HOLD_PID"; }
# closed_at_once PORT ADDR: a connection from ADDR is closed by the
# server before the handshake's 10 s would run out.
closed_at_once() {
	"$PYTHON" - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket()
s.bind((sys.argv[2], 0))
s.connect(("127.0.0.1", int(sys.argv[1])))
s.settimeout(8)
try:
    sys.exit(0 if s.recv(1) == b"" else 1)
except (socket.timeout, ConnectionResetError) as e:
    sys.exit(0 if isinstance(e, ConnectionResetError) else 1)
PY
}

hold four "${e2##*:}" 127.0.0.2 127.0.0.2 127.0.0.2 127.0.0.2 &&
    closed_at_once "${e2##*:}" 127.0.0.2 &&
    wait_for 10 grep -q "control: refused a TLS connection from 127.0.0.2:[0-9]*: 4 from that address are open already" "$LOG2"
tap_result $? "a fifth silent connection from one address is refused at once, and logged" \
    "$(grep 'control: refused' "$LOG2")"
admin 'Get-Queue -Server EX02 | ForEach-Object { $_.Identity }'
rc=$?
[ $rc -eq 0 ] && grep -Fqx "$QID" "$HUBSH_LOG"
tap_result $? "meanwhile an admin from another address is answered (exit $rc)" \
    "$(cat "$HUBSH_LOG")"
unhold

addrs=()
for a in 2 3 4 5; do addrs+=(127.0.0.$a 127.0.0.$a 127.0.0.$a 127.0.0.$a); done
hold sixteen "${e1##*:}" "${addrs[@]}" &&
    admin 'Get-Queue | ForEach-Object { $_.Identity }' &&
    grep -q '^EX01\\Submission' "$HUBSH_LOG" &&
    touch "$tap_tmp/sixteen.check" && wait_for 10 test -s "$tap_tmp/sixteen.open" &&
    [ "$(cat "$tap_tmp/sixteen.open")" = 16 ]
tap_result $? "16 silent TLS connections do not keep an admin off the control socket" \
    "$(cat "$HUBSH_LOG"; cat "$tap_tmp/sixteen.open" 2>/dev/null) still open"
unhold

# Get-QueueDigest: nine more messages make slow.test's queue on EX02 one
# of ten, which the digest shows; one for nowhere.test waits in EX01's
# Unreachable queue, which it shows from one message.
for i in 1 2 3 4 5 6 7 8 9; do
	swaks_send 127.0.0.1 "$PORT2" --from a@src.test --to x@slow.test ||
	    break
done >"$tap_tmp/swaks.log" 2>&1 &&
    swaks_send 127.0.0.1 "$PORT1" --from a@src.test --to y@nowhere.test \
    >>"$tap_tmp/swaks.log" 2>&1
tap_result $? "nine more messages for slow.test to EX02, one for nowhere.test to EX01" \
    "$(cat "$tap_tmp/swaks.log")"

digest_by_server() {
	admin 'Get-QueueDigest -Forest -GroupBy ServerName | ForEach-Object { "$($_.GroupByValue) $($_.MessageCount) $($_.StaleMessageCount) $($_.Details -join ",")" }'
}
digest_ready() {
	digest_by_server && [ "$(sed -n 1p "$HUBSH_LOG")" = "EX02 10 0 $QID" ] &&
	    [ "$(sed -n 2p "$HUBSH_LOG")" = 'EX01 1 0 EX01\Unreachable' ] &&
	    [ "$(wc -l <"$HUBSH_LOG")" = 2 ]
}
wait_for 30 digest_ready
tap_result $? "Get-QueueDigest -Forest -GroupBy ServerName sums up both servers, largest first" \
    "$(cat "$HUBSH_LOG")"

admin 'Get-QueueDigest -Server EX01,EX02 -Filter "MessageCount -ge 10" -DetailsLevel Verbose | ForEach-Object { $_.Details | ForEach-Object { "$($_.QueueIdentity) $($_.ServerIdentity) $($_.MessageCount) $($_.Status) $($_.DeliveryType)" } }
Get-QueueDigest -Server ex01 | ForEach-Object { $_.Details | ForEach-Object { "$($_.QueueIdentity) $($_.ServerIdentity) $($_.MessageCount) [$($_.Status)]" } }
Get-QueueDigest -Server ex01 -DetailsLevel None | ForEach-Object { "$($_.GroupByValue) $($_.MessageCount) $($_.Details.Count)" }
Get-QueueDigest -Forest -GroupBy ServerName -ResultSize 1 | ForEach-Object { $_.GroupByValue }
Get-QueueDigest -Server EX02, ex02.hubd.test, ex02 -GroupBy ServerName | ForEach-Object { "$($_.GroupByValue) $($_.MessageCount)" }'
rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$HUBSH_LOG")" = 5 ] &&
    printf '%s\n' "$QID EX02 10 Retry SmartHostConnectorDelivery" \
    'EX01\Unreachable EX01 1 []' 'Unreachable Domain 1 0' EX02 'EX02 10' |
    cmp -s - "$HUBSH_LOG"
tap_result $? "-Server (each server once), -Filter, -DetailsLevel and -ResultSize select the queues, their details and the groups (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

cat >"$tap_tmp/groups.want" <<'EOF'
NextHopCategory 10 External
NextHopCategory 1 Internal
DeliveryType 10 SmartHostConnectorDelivery
DeliveryType 1 Unreachable
Status 10 Retry
Status 1 Ready
NextHopKey 10 SmartHostConnectorDelivery:[127.0.0.1]:<guid>
NextHopKey 1 Unreachable:Unreachable Domain:<guid>
RiskLevel 11 Normal
OutboundIPPool 11 0
EOF
# groups: every -GroupBy at once, as wanted.  With one-second retries a
# queue is Connecting for a moment now and then: asked again, the ten
# queues are in Retry together.
groups() {
	admin 'foreach ($g in "NextHopCategory", "DeliveryType", "Status", "NextHopKey", "RiskLevel", "OutboundIPPool", "LastError") {
	Get-QueueDigest -Forest -GroupBy $g | ForEach-Object { "$g $($_.MessageCount) $($_.GroupByValue)" } }'
	rc=$?
	grep -v '^LastError ' "$HUBSH_LOG" >"$tap_tmp/groups"
	[ $rc -eq 0 ] && sed -E 's/[0-9a-f-]{36}/<guid>/' "$tap_tmp/groups" |
	    cmp -s - "$tap_tmp/groups.want" &&
	    grep -Fqx 'LastError 10 451 4.4.0 Primary target IP address responded with: "421 4.3.2 Service not available." Attempted fai' "$HUBSH_LOG" &&
	    grep -qx 'LastError 1 ' "$HUBSH_LOG"
}
wait_for 15 groups
tap_result $? "-GroupBy groups by each queue property, queues alike in one group (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

# ex02_down TEXT EX01 EX02 TITLE: hubsh runs TEXT, which fails; a line
# matches EX01 (a grep pattern), none EX02, and one names EX02's FQDN.
ex02_down() {
	admin "$1"
	rc=$?
	[ $rc -ne 0 ] && grep -q "$2" "$HUBSH_LOG" &&
	    ! grep -q "$3" "$HUBSH_LOG" &&
	    [ "$(grep -c 'ex02.hubd.test' "$HUBSH_LOG")" = 1 ]
	tap_result $? "$4 (exit $rc)" "$(cat "$HUBSH_LOG")"
}
admin 'Test-SendConnector -Domain slow.test -RoutingOnly | ForEach-Object { $_.Result }
Test-SendConnector -Domain slow.test -Server ex02 -RoutingOnly | ForEach-Object { $_.Result }'
[ "$(grep -x 'Unreachable\|Routed' "$HUBSH_LOG" | tr '\n' ' ')" = "Unreachable Routed " ]
tap_result $? "Test-SendConnector -Server EX02 -RoutingOnly routes as EX02 (EX01 has no connector)" \
    "$(cat "$HUBSH_LOG")"

admin 'Test-SendConnector -Domain slow.test -Server EX02 | Where-Object { $_.Address } | ForEach-Object { "$($_.Result) $($_.Response)" }'
rc=$?
[ $rc -ne 0 ] && grep -q '^Fail .*421 4.3.2 Service not available' "$HUBSH_LOG"
tap_result $? "Test-SendConnector -Server EX02 has EX02's hubd probe the next hop, over TLS (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

HUBD_PID=$PID2 hubd_stop
ex02_down 'Get-TransportService | Get-Queue | ForEach-Object { $_.Identity }' \
    '^EX01\\Submission' '^EX02\\' \
    "with EX02 stopped, EX01's queues print and EX02 is one error"
ex02_down 'Get-QueueDigest -Forest -GroupBy ServerName | ForEach-Object { "$($_.GroupByValue) $($_.MessageCount)" }' \
    '^EX01 1$' '^EX02 ' \
    "with EX02 stopped, Get-QueueDigest sums up EX01 and EX02 is one error"

# EX03 shows a certificate for another name than the FQDN it registers.
port=$(free_port) || tap_bail "port"
SERVER=EX03 STATE=$tap_tmp/state3
hubd_start --hostname ex03.hubd.test --control-listen "127.0.0.1:$port" \
    --control-cert "$CERTS/ex01.pem" --control-key "$CERTS/ex01.key" \
    --control-ca "$CERTS/ca.pem" || tap_bail "hubd EX03"
PID3=$HUBD_PID
admin 'Get-Queue -Server EX03'
rc=$?
[ $rc -ne 0 ] && ! grep -q 'EX03\\' "$HUBSH_LOG" &&
    joined | grep -q "ex03.hubd.test .* can't be trusted: .*hostname mismatch"
tap_result $? "a server whose certificate does not name its registered FQDN is not trusted (exit $rc)" \
    "$(cat "$HUBSH_LOG")"
HUBD_PID=$PID3 hubd_stop

# EX04 registers its control socket only.
SERVER=EX04 STATE=$tap_tmp/state4
hubd_start --hostname ex04.hubd.test || tap_bail "hubd EX04"
PID4=$HUBD_PID
admin 'Get-Queue -Server EX04; Get-Queue -Server EX01 | ForEach-Object { $_.Identity }'
rc=$?
[ $rc -ne 0 ] && joined | grep -q "EX04 can't be reached from EX01: it registered no TLS control endpoint" &&
    grep -q '^EX01\\Submission' "$HUBSH_LOG"
tap_result $? "a server with no TLS control endpoint is an error for it alone (exit $rc)" \
    "$(cat "$HUBSH_LOG")"
HUBD_PID=$PID4 hubd_stop

HUBD_PID=$PID1 hubd_stop
tap_result $? "EX01 stops cleanly"
