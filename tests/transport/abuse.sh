#!/bin/bash
# abuse.sh - what a hostile or careless client cannot do to hubd's intake:
# hold every session (max-sessions-per-client, and a reserve of sessions
# for the relay networks), keep a session by trickling a byte at a time
# (command-timeout and data-timeout bound the whole command and the whole
# DATA, not each read), fill memory with concurrent messages
# (max-data-memory: 452 4.3.1), smuggle a parameter past a NUL byte;
# how hop counting reads a header section with a malformed line; and a
# pickup writer that uses a file name again.
#
# Clients come from several loopback addresses (hostile.py binds to
# them); only 127.0.0.1 is in the relay networks here.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd
tap_plan 18

hostile() { "$PYTHON" "$tt_dir/hostile.py" "$@"; }

hubd_start --max-sessions 30 --max-sessions-per-client 5 \
    --relay-reserved-sessions 10 --command-timeout 3 --data-timeout 4 \
    --max-data-memory 1MB --relay-networks 127.0.0.1/32
tap_result $? "hubd starts with the intake limits" || tap_bail "hubd"
P=$HUBD_PORT

# hold SOURCE COUNT NAME: COUNT sessions from SOURCE, kept until release;
# the greetings go to $tap_tmp/NAME.out.  Waits until all are answered.
declare -a holders=()
hold() {
	local out=$tap_tmp/$3.out
	touch "$tap_tmp/holding"
	hostile hold 127.0.0.1 $P --source "$1" --count "$2" \
	    --until "$tap_tmp/holding" >"$out" 2>&1 &
	holders+=($!)
	track_pid $!
	wait_for 20 tt_greeted "$out" "$2"
}
tt_greeted() { [ "$(grep -c '^greeting' "$1" 2>/dev/null)" -ge "$2" ]; }
release() {
	local pid
	rm -f "$tap_tmp/holding"
	for pid in "${holders[@]}"; do
		wait "$pid"
		untrack_pid "$pid"
	done
	holders=()
}
ok220() { [ "$(grep -c '^greeting [0-9]*: 220 ' "$tap_tmp/$1.out")" = "$2" ]; }
refused() {
	grep -q "^greeting $2: 421 4.3.2 The maximum number of concurrent connections has exceeded a limit" \
	    "$tap_tmp/$1.out"
}

# --- sessions: per client, and the relay networks' reserve ---------------------

hold 127.0.0.3 6 a
ok220 a 5 && refused a 6
tap_result $? "a sixth session from one client: 421 4.3.2 (max-sessions-per-client 5)" ||
    tap_diag - <"$tap_tmp/a.out"
hold 127.0.0.4 5 b && hold 127.0.0.5 5 c && hold 127.0.0.6 5 d
ok220 b 5 && ok220 c 5 && ok220 d 5
tap_result $? "other clients still get theirs (20 sessions outside the relay networks)"
hold 127.0.0.7 1 e
refused e 1
tap_result $? "past max-sessions less the reserve, a new client outside the relay networks gets 421" ||
    tap_diag - <"$tap_tmp/e.out"
swaks_send 127.0.0.1 $P --to reserve@dest.test &&
    grep -q '^<-  250 ' "$SWAKS_LOG"
tap_result $? "a relay-networks client still sends its message, in the reserve"
hold 127.0.0.1 8 f
ok220 f 8
tap_result $? "relay-networks clients are not held to max-sessions-per-client (8 at once)" ||
    tap_diag - <"$tap_tmp/f.out"
release
hold 127.0.0.9 5 g
qpids=()
for i in $(seq 30); do
	hostile say 127.0.0.1 $P --source 127.0.0.9 QUIT >"$tap_tmp/q.$i.out" 2>&1 &
	qpids+=($!)
done
wait "${qpids[@]}"
[ "$(cat "$tap_tmp"/q.*.out | grep -c '^QUIT -> (closed)$')" = 30 ] &&
    [ "$(grep -c 'refused: ' "$HUBD_LOG")" -le 3 ]
tap_result $? "30 more from a client at its limit are refused, and logged once in a while, not once each" ||
    grep 'refused: ' "$HUBD_LOG" | tap_diag -
release

# --- trickling: the whole command, the whole DATA --------------------------------

out=$(hostile trickle 127.0.0.1 $P --source 127.0.0.3 --text 'NOOP NOOP\r\n' --every 1)
case $out in "closed after "[1-5]" bytes: 421 4.4.2 "*"Connection timed out") true ;; *) false ;; esac
tap_result $? "a command trickled a byte a second: 421 4.4.2 after command-timeout (3 s) in all" ||
    tap_diag "$out"
out=$(hostile trickle 127.0.0.1 $P --data --text 'Subject: slow\r\n\r\nline\r\nline\r\nline\r\n' --every 1)
case $out in "closed after "[1-6]" bytes: 421 4.4.2 "*"Connection timed out") true ;; *) false ;; esac
tap_result $? "a message trickled a byte a second: 421 4.4.2 after data-timeout (4 s) in all" ||
    tap_diag "$out"

# --- memory: max-data-memory across sessions -----------------------------------------

hostile data 127.0.0.1 $P --bytes 600000 --hold "$tap_tmp/go" >"$tap_tmp/m1.out" 2>&1 &
m1=$!
track_pid $m1
sleep 1
hostile data 127.0.0.1 $P --bytes 600000 --hold "$tap_tmp/go" >"$tap_tmp/m2.out" 2>&1 &
m2=$!
track_pid $m2
sleep 2
touch "$tap_tmp/go"
wait $m1 $m2
untrack_pid $m1
untrack_pid $m2
finals=$(cat "$tap_tmp/m1.out" "$tap_tmp/m2.out" | sort)
[ "$(sed -n 1p <<<"$finals" | cut -c1-11)" = "final: 250 " ] &&
    [ "$(sed -n 2p <<<"$finals")" = "final: 452 4.3.1 Insufficient system resources" ]
tap_result $? "two messages of 600 KB at once under max-data-memory 1MB: one 250, the other 452 4.3.1" ||
    tap_diag "$finals"
out=$(hostile data 127.0.0.1 $P --bytes 600000)
case $out in "final: 250 "*) true ;; *) false ;; esac
tap_result $? "the memory is given back: the next one is taken" || tap_diag "$out"
grep -q 'message refused with 452 4.3.1: the sessions hold [0-9]* bytes of DATA (max-data-memory 1048576)' "$HUBD_LOG"
tap_result $? "the refusal is logged with the limit"

# --- NUL in a command --------------------------------------------------------------------

out=$(hostile say 127.0.0.1 $P 'EHLO nul.test' 'MAIL FROM:<a@nul.test>\x00 SIZE=999999999999' \
    'MAIL FROM:<a@nul.test> SIZE=999999999999')
grep -q '\\x00 SIZE=999999999999 -> 501 5.5.2 Syntax error: NUL character in command$' <<<"$out" &&
    grep -q '> SIZE=999999999999 -> 552 ' <<<"$out"
tap_result $? "MAIL FROM with a NUL before SIZE: 501, not a MAIL without SIZE" || tap_diag "$out"

# --- hop counting and a malformed header line ---------------------------------------------

# message N M: N Received fields, a line that is no header field, then M
# Received fields (the body, as the header section ended).
message() {
	local i f=$tap_tmp/hops.$1.$2.eml
	{
		for i in $(seq "$1"); do
			printf 'Received: from hop%d.test by relay.test; Thu, 3 Dec 2026 10:00:00 +0000\r\n' "$i"
		done
		printf 'This line is not a header field\r\n'
		for i in $(seq "$2"); do
			printf 'Received: from below%d.test; Thu, 3 Dec 2026 10:00:00 +0000\r\n' "$i"
		done
		printf 'Subject: hops\r\n\r\nbody\r\n'
	} >"$f"
	echo "$f"
}
swaks_send 127.0.0.1 $P --to loop@dest.test --data "$(message 30 0)"
grep -q '^<\*\* 554 5.4.6 Hop count exceeded - possible mail loop' "$SWAKS_LOG"
tap_result $? "30 Received fields above a malformed line: a loop, 554 5.4.6 (hubd's own makes 31)" ||
    tap_diag - <"$SWAKS_LOG"
swaks_send 127.0.0.1 $P --to loop@dest.test --data "$(message 29 5)"
grep -q '^<-  250 ' "$SWAKS_LOG"
tap_result $? "29 above and 5 below it: the header section ended at the malformed line, 250" ||
    tap_diag - <"$SWAKS_LOG"
hubd_stop
tap_result $? "hubd stops"

# --- pickup: a name used again --------------------------------------------------------------

STATE=$tap_tmp/state2
mkdir -p "$STATE/pickup"
pmsg() {
	printf 'From: p@pickup.test\r\nTo: r@dest.test\r\nSubject: %s\r\nMessage-ID: <%s@pickup.test>\r\n\r\n%s\r\n' \
	    "$1" "$1" "$1" >"$STATE/pickup/$2"
	touch -d '-10 seconds' "$STATE/pickup/$2"
}
# As after a crash: b.eml.tmp was being taken when hubd died, and the
# writer has dropped a new b.eml since; the same the other way round.
pmsg first-b b.eml.tmp
pmsg second-b b.eml
pmsg second-c c.eml
pmsg first-c c.eml.tmp
hubd_start || tap_bail "hubd (pickup)"
tt_picked() { [ "$(spool_sql 'SELECT count(*) FROM messages' 2>/dev/null)" = 4 ]; }
wait_for 20 tt_picked &&
    [ "$(spool_sql 'SELECT message_id FROM messages ORDER BY message_id' | tr '\n' ' ')" = \
      "<first-b@pickup.test> <first-c@pickup.test> <second-b@pickup.test> <second-c@pickup.test> " ] &&
    [ -z "$(ls -A "$STATE/pickup")" ]
tap_result $? "a leftover <name>.tmp and a new <name>: both messages are taken, neither replaces the other" ||
    { spool_sql 'SELECT message_id FROM messages' | tap_diag -; ls -la "$STATE/pickup" | tap_diag -; }
hubd_stop
tap_result $? "hubd stops again"

exit $tap_failed
