#!/bin/bash
# control.sh - hubd's control channel (common/ctl.h) and what it serves:
# ping, malformed and unknown requests, who may connect (the socket's
# mode and group, then SO_PEERCRED: a real group made with groupadd and
# clients run as nobody with setpriv), at most 16 requests answered at
# once, the tracking log streamed (20,000 records of 10,000 messages
# sent through hubd to four domains), transport settings changed with
# Set-TransportService while hubd runs, pruning of the tracking log and
# the protocol logs by their maximum ages, a second hubd refused, the
# socket removed at stop and a stale one replaced after kill -9.
#
# The access cases need root (groupadd, setpriv); without it they fail,
# saying so.  Requests go through ctl.py, as hubsh's cmdlets would send
# them.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd setpriv groupadd groupdel gpasswd
tap_plan 35

NCLIENTS=4		# clients at once, each to a domain of its own
NEACH=2500		# messages per client
NMSGS=$((NCLIENTS * NEACH))
is_root=no
[ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && is_root=yes

# A control group of the test's own, removed at exit.
GROUP=hubctl$$
if [ $is_root = yes ]; then
	groupadd "$GROUP" || tap_bail "groupadd $GROUP"
	trap 'groupdel "$GROUP" 2>/dev/null; tt_cleanup' EXIT
	GID=$(getent group "$GROUP" | cut -d: -f3)
	NOBODY_GID=$(id -g nobody)
	# nobody must reach the socket's directory and the client.
	chmod 755 "$tap_tmp"
	cp "$tt_dir/ctl.py" "$tap_tmp/ctl.py"
	chmod 644 "$tap_tmp/ctl.py"
fi

# as_nobody SETPRIV-GROUP-OPTION [ctl.py arguments...]: ctl.py as nobody.
as_nobody() {
	local groups=$1
	shift
	setpriv --reuid nobody --regid "$NOBODY_GID" $groups \
	    "$PYTHON" "$tap_tmp/ctl.py" "$CONTROL" "$@"
}

# track_n [name=value...]: how many tracking records match (all of them).
track_n() {
	ctl --count EventId op=track limit=0 "$@" | sed -n 's/^records //p'
}

peer_start sink --reply 'EOM=250 2.0.0 Queued' || tap_bail "peer sink"
SINK=$PEER_PORT
peer_start busy --reply 'RCPT:<busy@=451 4.3.2 Try again later' ||
    tap_bail "peer busy"
BUSY=$PEER_PORT
{
	for i in $(seq $NCLIENTS); do
		echo "New-SendConnector -Name C$i -Usage Custom" \
		    "-AddressSpaces 'd$i.test' -SmartHosts '[127.0.0.1]'" \
		    "-DNSRoutingEnabled \$false -Port $SINK | Out-Null"
	done
	echo "New-SendConnector -Name Busy -Usage Custom" \
	    "-AddressSpaces 'busy.test' -SmartHosts '[127.0.0.1]'" \
	    "-DNSRoutingEnabled \$false -Port $BUSY | Out-Null"
} >"$tap_tmp/connectors.ps1"
hubsh_run "$(cat "$tap_tmp/connectors.ps1")" || tap_bail "connectors"
hubd_start --control-group "$GROUP" || tap_bail "hubd"

# --- the protocol ------------------------------------------------------------

out=$(ctl op=ping)
[ $? -eq 0 ] && grep -qx 'status ok' <<<"$out" &&
    grep -qx "server $SERVER" <<<"$out" && grep -qx "pid $HUBD_PID" <<<"$out"
tap_result $? "op ping: status ok, with the server's name and hubd's pid"

out=$(printf 'garbage\n.\n' | ctl --raw)
[ $? -eq 1 ] && grep -qx 'status error' <<<"$out" &&
    grep -qx 'category ProtocolError' <<<"$out"
tap_result $? "a malformed request: status error (ProtocolError)"

out=$(ctl op=reboot)
[ $? -eq 1 ] && grep -qx 'category InvalidOperation' <<<"$out" &&
    grep -q "^message .*'reboot'" <<<"$out"
tap_result $? "an unknown operation: status error (InvalidOperation)"

# --- who may connect -------------------------------------------------------

if [ $is_root = yes ]; then
	[ "$(stat -c '%a %U %G' "$CONTROL")" = "660 root $GROUP" ] &&
	    [ "$(stat -c %a "$(dirname "$CONTROL")")" = 755 ]
	tap_result $? "the socket is 0660, root's and the control group's; its directory was made 0755"

	as_nobody --clear-groups op=ping >/dev/null 2>"$tap_tmp/nobody.err"
	[ $? -eq 2 ] && grep -q '^EACCES' "$tap_tmp/nobody.err"
	tap_result $? "outside the group: the kernel refuses the connection (EACCES)"

	# With the file opened to everyone, hubd's own check still holds.
	chmod 666 "$CONTROL"
	out=$(as_nobody --clear-groups op=ping)
	rc=$?
	[ $rc -eq 1 ] && grep -qx 'category PermissionDenied' <<<"$out" &&
	    grep -qxF "message Access denied: user nobody (uid 65534) is not root, hubd's user or a member of the control group $GROUP." <<<"$out" &&
	    ! grep -q '^pid ' <<<"$out"
	tap_result $? "socket opened to all: SO_PEERCRED refuses nobody with PermissionDenied"
	grep -q 'control: refused user nobody (uid 65534)' "$HUBD_LOG"
	tap_result $? "and the refusal is logged with the user and uid"
	for i in $(seq 30); do
		as_nobody --clear-groups op=ping >/dev/null
	done
	[ "$(grep -c 'control: refused user' "$HUBD_LOG")" -le 2 ]
	tap_result $? "30 more refusals at once: logged once in a while, not once each" ||
	    tap_diag "$(grep -c 'control: refused user' "$HUBD_LOG") lines"

	chmod 660 "$CONTROL"
	out=$(as_nobody "--groups $GID" op=ping)
	[ $? -eq 0 ] && grep -qx "pid $HUBD_PID" <<<"$out"
	tap_result $? "a process holding the control group is admitted"

	# A member by the group database, whose process lacks the group.
	gpasswd -a nobody "$GROUP" >/dev/null && chmod 666 "$CONTROL" &&
	    as_nobody --clear-groups op=ping >/dev/null
	tap_result $? "a member of the control group by the group database is admitted"
	gpasswd -d nobody "$GROUP" >/dev/null
	chmod 660 "$CONTROL"
else
	for t in "the socket's mode and group" \
	    "outside the group: refused by the kernel" \
	    "socket opened to all: refused by SO_PEERCRED" \
	    "30 refusals logged once in a while" \
	    "the refusal is logged" "a process holding the group is admitted" \
	    "a member by the group database is admitted"; do
		tap_result 1 "$t (needs root and user nobody: run the tests as root)"
	done
fi

# --- at most 16 requests at once -----------------------------------------------

# The 17th connects once the 16 have (the listen backlog is first come,
# first served), however slowly they start.
holders=()
for i in $(seq 16); do
	ctl --hold 6 op=ping >/dev/null 2>"$tap_tmp/hold.$i.err" &
	holders+=($!)
done
tt_held() { [ "$(cat "$tap_tmp"/hold.*.err 2>/dev/null | grep -c '^connected$')" = 16 ]; }
wait_for 20 tt_held
ctl op=ping >"$tap_tmp/17.out" &
p17=$!
sleep 1.5
tt_alive $p17
tap_result $? "16 requests in progress: a 17th waits in the listen backlog"
wait $p17
rc=$?
hold_rc=0
for p in "${holders[@]}"; do
	wait "$p" || hold_rc=1
done
[ $rc -eq 0 ] && [ $hold_rc -eq 0 ] && grep -qx 'status ok' "$tap_tmp/17.out"
tap_result $? "and is answered once a slot is free; the 16 were answered too"

# --- requests bounded in time and size -------------------------------------------

# 16 clients trickle a ping, a byte every 2 s (20 s in all): each is cut
# off when its request has taken 10 s, so a ping sent meanwhile is
# answered once they are.
holders=()
for i in $(seq 16); do
	ctl --trickle 2 op=ping >"$tap_tmp/trickle.$i.out" 2>&1 &
	holders+=($!)
done
sleep 1
ctl op=ping >"$tap_tmp/17.out"
rc=$?
cut=0
for i in $(seq 16); do
	wait "${holders[$((i - 1))]}"
	[ $? = 1 ] && grep -qx 'category ProtocolError' "$tap_tmp/trickle.$i.out" &&
	    grep -q '^message .*not complete within 10 seconds' "$tap_tmp/trickle.$i.out" &&
	    cut=$((cut + 1))
done
[ $rc = 0 ] && [ $cut = 16 ]
tap_result $? "16 requests trickled a byte at a time are cut off after 10 s in all (ProtocolError); a ping meanwhile is answered" ||
    tap_diag "ping status $rc; $cut of 16 cut off: $(cat "$tap_tmp/trickle.1.out")"

out=$("$PYTHON" -c 'import sys
sys.stdout.write("op ping\n" + "".join("f%d %s\n" % (i, "v" * 60000) for i in range(20)) + ".\n")' |
    ctl --raw)
[ $? = 1 ] && grep -qx 'category ProtocolError' <<<"$out" &&
    grep -q '^message .*the request is larger than 1048576 bytes' <<<"$out"
tap_result $? "a request of more than 1 MiB, every line within bounds: ProtocolError" ||
    tap_diag "$(head -c 300 <<<"$out")"
long_line() { "$PYTHON" -c 'import sys
sys.stdout.write("op ping\nx " + "v" * (int(sys.argv[1]) - 2) + "\n.\n")' "$1"; }
out=$(long_line 65537 | ctl --raw)
[ $? = 1 ] && grep -q '^message .*line too long' <<<"$out" &&
    long_line 65536 | ctl --raw >/dev/null
tap_result $? "a line of 65,537 bytes arriving at once is too long; one of 65,536 is not" ||
    tap_diag "$(head -c 300 <<<"$out")"

# --- op track: the tracking log, streamed ------------------------------------------

pids=()
for i in $(seq $NCLIENTS); do
	smtp_client send 127.0.0.1 "$HUBD_PORT" --messages $NEACH \
	    --from bulk@src.test --to "r@d$i.test" >"$tap_tmp/bulk.$i.out" 2>&1 &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done
tap_result $rc "$NMSGS messages from $NCLIENTS clients at once accepted"
all_sent() {
	[ "$(track_n event-id=SEND sender=bulk@src.test)" = $NMSGS ]
}
wait_for 300 all_sent
tap_result $? "delivered through $NCLIENTS connectors: $(track_n event-id=SEND sender=bulk@src.test) SEND records"
bulk_done=$(date +%s)

ctl --count EventId op=track limit=0 sender=bulk@src.test >"$tap_tmp/all.out"
printf 'records %d\nEventId=RECEIVE %d\nEventId=SEND %d\nstatus ok\n' \
    $((2 * NMSGS)) $NMSGS $NMSGS | cmp -s - "$tap_tmp/all.out"
tap_result $? "limit 0 (Unlimited) streams all $((2 * NMSGS)) records: RECEIVE $NMSGS, SEND $NMSGS"
[ "$(ctl --count EventId op=track | sed -n 1p)" = "records 1000" ]
tap_result $? "without a limit, 1000 records (ResultSize's default)"

# One recipient's SEND records, field by field.
ctl op=track limit=0 event-id=SEND recipient=r@d3.test >"$tap_tmp/d3.out"
awk -v want=$NEACH '
	/^Timestamp / { if ($2 < last) bad = "order"; last = $2 }
	/^ConnectorId / && $2 != "C3" { bad = "connector " $2 }
	/^Recipients / && $2 != "r@d3.test" { bad = "recipient " $2 }
	/^RecipientStatus / && $2 != "250" { bad = "status " $2 }
	/^RecipientCount / && $2 != 1 { bad = "count " $2 }
	/^Sender / && $2 != "bulk@src.test" { bad = "sender " $2 }
	/^EventId / && $2 != "SEND" { bad = "event " $2 }
	/^ServerIp / && $2 != "127.0.0.1" { bad = "server " $2 }
	$0 == "-" { n++ }
	END { if (bad != "" || n != want) { print bad, n; exit 1 } }
' "$tap_tmp/d3.out" && tail -2 "$tap_tmp/d3.out" | head -1 | grep -qx 'status ok'
tap_result $? "filtered by event and recipient: $NEACH records in time order, each with its connector, 250 status and sender"

out=$(ctl op=track limit=x)
[ $? -eq 1 ] && grep -qx 'category InvalidArgument' <<<"$out"
tap_result $? "a limit that is not a number: InvalidArgument"

# --- transport settings, live ------------------------------------------------------

defers() { track_n event-id=DEFER recipient=busy@busy.test; }
more_defers() { [ "$(defers)" -ge "$1" ]; }
submit --from busy@src.test --to busy@busy.test
wait_for 20 more_defers 3
tap_result $? "with one-second retries a 451 is tried again and again: $(defers) DEFER records"

hubsh_run "Set-TransportService -Identity $SERVER \
    -MessageRetryInterval 00:00:30"
logged() { grep -q "$1" "$HUBD_LOG"; }
wait_for 5 logged 'transport settings: MessageRetryInterval 00:00:01 -> 00:00:30'
tap_result $? "Set-TransportService while hubd runs: the change is logged"
# The retry already scheduled (within a second) still happens.
sleep 2
n=$(defers)
sleep 4
[ "$(defers)" = "$n" ]
tap_result $? "and the next retry waits the new interval (still $n DEFER records 4 s later)"

# --- pruning -------------------------------------------------------------------------

# Records older than MessageTrackingLogMaxAge go, newer ones stay.
submit --from fresh@src.test --to f@d1.test
fresh_sent() { [ "$(track_n event-id=SEND recipient=f@d1.test)" = 1 ]; }
wait_for 15 fresh_sent || tap_diag "the fresh message was not sent"
while [ $(($(date +%s) - bulk_done)) -lt 9 ]; do
	sleep 0.5
done
plogs=$STATE/log/SmtpSend
mkdir -p "$plogs"
today=SEND$(date -u +%Y%m%d).log
for f in SEND20200101.log "$today" SEND.log notes.txt; do
	echo "x" >"$plogs/$f"
done
hubsh_run "Set-TransportService -Identity $SERVER \
    -MessageTrackingLogMaxAge 00:00:08 -SendProtocolLogMaxAge 00:00:08"
bulk_gone() { [ "$(track_n sender=bulk@src.test)" = 0 ]; }
wait_for 30 bulk_gone
tap_result $? "MessageTrackingLogMaxAge 00:00:08: the older records are deleted"
[ "$(track_n sender=fresh@src.test)" = 2 ]
tap_result $? "the newer ones are kept (RECEIVE and SEND of a fresh message)"
[ "$(sed -n 's/.*tracking log: deleted \([0-9]*\) records.*/\1/p' "$HUBD_LOG" |
    awk '{ s += $1 } END { print s + 0 }')" -ge $((2 * NMSGS)) ]
tap_result $? "the log says how many records went"
[ ! -e "$plogs/SEND20200101.log" ]
tap_result $? "SendProtocolLogMaxAge: an older SEND<yyyymmdd>.log is deleted"
[ -e "$plogs/$today" ] && [ -e "$plogs/SEND.log" ] && [ -e "$plogs/notes.txt" ]
tap_result $? "today's protocol log and files not named by a date are kept"

# --- one hubd per socket; the socket's life ---------------------------------------------

"$HUBD" -f --store "$STORE" --server "$SERVER" --state-dir "$tap_tmp/state2" \
    --listen "127.0.0.1:$(free_port)" --control-socket "$CONTROL" \
    >"$tap_tmp/second.out" 2>&1 </dev/null
rc=$?
[ $rc -eq 1 ] &&
    grep -q "another hubd (pid $HUBD_PID) is running: it answers on the control socket $CONTROL" "$tap_tmp/second.out"
tap_result $? "a second hubd on the same control socket refuses to start, naming the first"
ctl op=ping >/dev/null
tap_result $? "and the first one still answers on it"

hubd_stop && [ ! -e "$CONTROL" ]
tap_result $? "SIGTERM: hubd stops and removes its control socket"

hubd_start --control-group "$GROUP" || tap_bail "hubd again"
kill -KILL "$HUBD_PID"
wait "$HUBD_PID" 2>/dev/null
untrack_pid "$HUBD_PID"
[ -S "$CONTROL" ]
tap_result $? "kill -9 leaves the socket behind"
hubd_start --control-group "$GROUP" &&
    grep -q "control: replaced the stale socket $CONTROL" "$HUBD_LOG" &&
    ctl op=ping >/dev/null
tap_result $? "the next start replaces the stale socket and answers on it"
hubd_stop
tap_result $? "and stops cleanly"

exit $tap_failed
