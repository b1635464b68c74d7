#!/bin/bash
# durability.sh - nothing acknowledged is lost: hubd is killed with
# SIGKILL in the middle of a 2,000-message load, started again on the
# same state, and every message it had answered 250 must reach the next
# hop.  Copies delivered twice (a crash between the next hop's 250 and
# the spool's record of it) are counted and reported, not failed: SMTP
# relays are at-least-once.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need aiosmtpd
tap_plan 6

N=${DURABILITY_MESSAGES:-2000}
peer_start sink || tap_bail "peer"
hubsh_run "New-SendConnector -Name Sink -Usage Custom -AddressSpaces 'dest.test' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $PEER_PORT | Out-Null" ||
    tap_bail "connector"
hubd_start || tap_bail "hubd"

acked=$tap_tmp/acked
: >"$acked"
"$PYTHON" "$tt_dir/load.py" 127.0.0.1 "$HUBD_PORT" --messages "$N" \
    --concurrency 20 --acked "$acked" >"$tap_tmp/load.out" 2>&1 &
load=$!
track_pid $load

# Kill once a quarter of the load is acknowledged.
acked_at_least() { [ "$(wc -l <"$acked")" -ge "$1" ]; }
wait_for 60 acked_at_least $((N / 4))
tap_result $? "load running: $(wc -l <"$acked") messages acknowledged"
kill -KILL "$HUBD_PID"
wait "$HUBD_PID" 2>/dev/null
untrack_pid "$HUBD_PID"
killed_at=$(wc -l <"$acked")
tap_diag "hubd killed with SIGKILL after $killed_at acknowledgements"
wait $load
tap_diag "load: $(cat "$tap_tmp/load.out")"
total=$(sort -u "$acked" | wc -l)
[ "$total" -ge "$killed_at" ] && [ "$total" -lt "$N" ]
tap_result $? "the kill cut the load short ($total of $N acknowledged)"

hubd_start || tap_bail "restart"
grep -q 'queue: [0-9]* messages waiting in the spool' "$HUBD_LOG"
tap_result $? "restarted on the same spool: $(sed -n 's/.*queue: \([0-9]*\) messages waiting.*/\1/p' "$HUBD_LOG") messages waiting"

# seqs: the X-Load-Seq of every message the sink received, one per copy.
seqs() {
	cat "$(peer_dir sink)"/msg/*.eml 2>/dev/null |
	    sed -n 's/^X-Load-Seq: \([0-9]*\)\r\{0,1\}$/\1/p'
}
all_delivered() {
	[ -z "$(comm -23 <(sort -u "$acked") <(seqs | sort -u))" ]
}
wait_for 120 all_delivered
tap_result $? "every acknowledged message was delivered"
missing=$(comm -23 <(sort -u "$acked") <(seqs | sort -u) | wc -l)
[ "$missing" -eq 0 ] || tap_diag "$missing acknowledged messages missing"

dups=$(seqs | sort | uniq -d | wc -l)
tap_diag "duplicates: $dups messages delivered more than once"
echo "durability: acked=$total duplicates=$dups" >"$tap_tmp/result"
[ "$dups" -lt "$total" ]
tap_result $? "duplicates counted ($dups), fewer than the messages"

hubd_stop
tap_result $? "hubd stops cleanly after the recovery"

exit $tap_failed
