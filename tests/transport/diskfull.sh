#!/bin/bash
# diskfull.sh - a spool that cannot take delivery outcomes: the state
# directory is a small tmpfs, filled to the last byte while 100 messages
# wait for a partner that then comes back.  Their deferrals meanwhile
# cannot be written and must not hold them back; each message must be
# sent once (the partner said 250; the outcome waits in memory while hubd
# retries only the write), the condition must be logged once rather than
# for every attempt, and once there is room again every outcome reaches
# the spool and the messages leave it.  Then the same for expiry: an
# expiry whose write fails is kept too, not tried again in a loop.
#
# The test runs in a mount namespace of its own (tests/needs.sh:
# namespaces) so that it can mount the tmpfs; the network is the host's
# loopback, as for the other tests.

if [ -z "${HUBSH_TEST_MOUNTNS:-}" ]; then
	. "${top_srcdir:-.}/tests/needs.sh"
	if ! need_check namespaces; then
		echo "Bail out! $(need_missing namespaces)"
		exit 1
	fi
	export HUBSH_TEST_MOUNTNS=1
	if [ "$(id -u)" = 0 ]; then
		exec unshare --mount bash "$0" "$@"
	else
		exec unshare --map-root-user --mount bash "$0" "$@"
	fi
fi

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd
tap_plan 14

N=100
mkdir -p "$STATE"
mount -t tmpfs -o size=24m,mode=0700 hubsh-test "$STATE" ||
    tap_bail "cannot mount a tmpfs on $STATE"

# fill: empty the spool's write-ahead log (a TRUNCATE checkpoint) and
# hold a read transaction open, so that SQLite can neither reuse the log
# file's space nor start it again: every write must grow it.  Then write
# a file in the state directory until the disk is full.  unfill: the
# reader goes, and so does the file.
fill() {
	rm -f "$tap_tmp/reading"
	"$PYTHON" - "$STATE/queue.db" "$tap_tmp/reading" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
for _ in range(100):
    if db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0:
        break
    time.sleep(0.05)
else:
    sys.exit("the write-ahead log stays busy")
db.execute("BEGIN")
db.execute("SELECT count(*) FROM messages").fetchone()
open(sys.argv[2], "w").close()
while os.path.exists(sys.argv[2]):
    time.sleep(0.1)
PY
	reader=$!
	track_pid $reader
	wait_file "$tap_tmp/reading" || return 1
	dd if=/dev/zero of="$STATE/filler" bs=64k >/dev/null 2>&1
	[ "$(df --output=avail -B1 "$STATE" | tail -1)" -lt 65536 ]
}
unfill() {
	rm -f "$tap_tmp/reading" "$STATE/filler"
	wait $reader
	untrack_pid $reader
}
msgs_in_spool() { spool_sql "SELECT count(*) FROM messages"; }
events() { spool_sql "SELECT count(*) FROM track WHERE event_id = '$1'"; }

# --- deliveries whose outcome the spool cannot take ---------------------------

port=$(free_port)
hubsh_run "New-SendConnector -Name Full -Usage Custom -AddressSpaces 'full.test' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $port | Out-Null" ||
    tap_bail "connector"
hubd_start || tap_bail "hubd"
"$PYTHON" "$tt_dir/load.py" 127.0.0.1 "$HUBD_PORT" --messages $N \
    --concurrency 4 --size 2000 --to 'r{i}@full.test' \
    >"$tap_tmp/load.out" 2>&1
grep -q "acked=$N failed=0" "$tap_tmp/load.out"
tap_result $? "$N messages accepted while nothing listens at the partner's port"
tt_all_deferred() { [ "$(events DEFER)" -ge $N ]; }
wait_for 30 tt_all_deferred
tap_result $? "every one deferred (connection refused)"

fill
tap_result $? "the state directory's disk is full"
# A few retry intervals with the partner still away: their deferrals
# cannot be written, and must not keep the messages from going once it
# is back.
sleep 3
peer_start sink --listen "127.0.0.1:$port" || tap_bail "peer"
peer_wait_messages sink $N 60
tap_result $? "the partner is back and takes all $N"
# Ten retry intervals (one second each) with the disk still full: time
# enough for every message to go again had its outcome been dropped.
sleep 10
[ "$(peer_count sink)" = $N ] && [ -z "$(peer_message_ids sink | sort | uniq -d)" ]
tap_result $? "while the disk stays full, no message goes twice" ||
    tap_diag "$(peer_count sink) received, $(peer_message_ids sink | sort | uniq -d | wc -l) twice or more"
n_in=$(msgs_in_spool 2>&1)
[ "$n_in" = $N ]
tap_result $? "the spool still has them all: their outcomes are in memory only" ||
    tap_diag "in the spool: $n_in"
[ "$(grep -c 'the spool cannot take delivery outcomes' "$HUBD_LOG")" = 1 ] &&
    [ "$(grep -c 'commit failed' "$HUBD_LOG")" -le 3 ] &&
    [ "$(grep -c 'warning' "$HUBD_LOG")" -le 6 ]
tap_result $? "the condition is logged once, not for every attempt" ||
    tap_diag "$(grep -c 'warning' "$HUBD_LOG") warnings, $(grep -c 'commit failed' "$HUBD_LOG") of them commit failures"

unfill
tt_spool_empty() { [ "$(msgs_in_spool)" = 0 ]; }
wait_for 60 tt_spool_empty
tap_result $? "with room again, the outcomes are written and the messages leave the spool"
[ "$(events SEND)" = $N ] && [ "$(peer_count sink)" = $N ]
tap_result $? "one SEND record for each, and still one copy of each at the partner"
grep -q 'the spool took the [0-9]* delivery outcomes kept in memory' "$HUBD_LOG"
tap_result $? "the recovery is logged"

# --- an expiry the spool cannot take ---------------------------------------------

# No connector covers nowhere.test: the messages wait in Unreachable, with
# no attempt and so no write, until they expire with the disk full.  The
# null sender: no report to queue afterwards.
hubsh_run "Set-TransportService -Identity $SERVER -MessageExpirationTimeout 00:00:10" ||
    tap_bail "expiry"
"$PYTHON" "$tt_dir/load.py" 127.0.0.1 "$HUBD_PORT" --messages 10 \
    --concurrency 2 --size 2000 --to 'x{i}@nowhere.test' \
    --from '' >"$tap_tmp/load2.out" 2>&1
grep -q "acked=10 failed=0" "$tap_tmp/load2.out" && fill
tap_result $? "10 messages wait in Unreachable, and the disk is full again"
lines=$(wc -l <"$HUBD_LOG")
tt_expiry_kept() { [ "$(grep -c 'the spool cannot take delivery outcomes' "$HUBD_LOG")" = 2 ]; }
wait_for 30 tt_expiry_kept && sleep 5 &&
    [ $(($(wc -l <"$HUBD_LOG") - lines)) -lt 50 ]
tap_result $? "they expire with the disk full; the expiry is kept, not tried again in a loop" ||
    tap_diag "$(($(wc -l <"$HUBD_LOG") - lines)) log lines since"
unfill
wait_for 60 tt_spool_empty && [ "$(events FAIL)" = 10 ]
tap_result $? "with room again, the 10 expiries are written (FAIL) and the messages leave"
hubd_stop
tap_result $? "hubd stops cleanly"
umount "$STATE"

exit $tap_failed
