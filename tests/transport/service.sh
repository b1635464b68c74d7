#!/bin/bash
# service.sh - the Set-TransportService settings hubd honours besides the
# retry schedule, each changed with hubsh while hubd runs and watched in
# what hubd does: the Pickup directory's limits (recipients, header
# size, files a minute), the send protocol log's file and directory
# sizes, QueueMaxIdleTime and MaxOutboundConnections.  Times are lower
# bounds, or "well before the default"; never tight windows.
#
# Peers: "sink" takes everything; "slow" (on 127.0.0.1 and 127.0.0.8)
# waits three seconds before answering each message.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd
tap_plan 11

peer_start sink || tap_bail "peer sink"
SINK=$PEER_PORT
peer_start slow --listen 127.0.0.1:0 --listen 127.0.0.8 --delay EOM=3 ||
    tap_bail "peer slow"
SLOW=$PEER_PORT
connector Sink example.org 127.0.0.1 $SINK -ProtocolLoggingLevel Verbose &&
    connector SlowA a.test 127.0.0.1 $SLOW &&
    connector SlowB b.test 127.0.0.8 $SLOW || tap_bail "connectors"
hubd_start || tap_bail "hubd"

# drop NAME RCPTS [HEADER]: a pickup file to RCPTS (comma separated),
# old enough to be taken at once; HEADER adds a header field.
drop() {
	{
		printf 'From: p@example.org\r\nTo: %s\r\nSubject: %s\r\n' \
		    "$2" "$1"
		[ -n "${3:-}" ] && printf '%s\r\n' "$3"
		printf '\r\nbody\r\n'
	} >"$STATE/pickup/$1.tmp-w"
	touch -d '-10 seconds' "$STATE/pickup/$1.tmp-w"
	mv "$STATE/pickup/$1.tmp-w" "$STATE/pickup/$1.eml"
}
# taken PATTERN: messages taken whose subject is LIKE PATTERN;
# taken_at_least PATTERN N: true once N are.
taken() {
	spool_sql "SELECT count(*) FROM track WHERE event_id = 'RECEIVE'
	    AND message_subject LIKE '$1'"
}
taken_at_least() { [ "$(taken "$1")" -ge "$2" ]; }

# --- the Pickup directory ----------------------------------------------------------

# First, while no file has been taken yet: a minute begins with the
# first file of these four.
settings "-PickupDirectoryMaxMessagesPerMinute 2" \
    'PickupDirectoryMaxMessagesPerMinute 100 -> 2' || tap_bail "settings"
for n in 1 2 3 4; do
	drop "rate$n" a@example.org
done
wait_for 10 taken_at_least 'rate%' 2
sleep 3
n=$(taken 'rate%') left=$(ls "$STATE/pickup" | grep -c '^rate.*\.eml$')
[ "$n" = 2 ] && [ "$left" = 2 ]
tap_result $? "PickupDirectoryMaxMessagesPerMinute 2: 2 of 4 files taken, $left wait" ||
    tap_diag - <"$HUBD_LOG"
grep -q 'pickup: 2 files taken this minute (PickupDirectoryMaxMessagesPerMinute): the others wait' "$HUBD_LOG"
tap_result $? "and hubd says the others wait"
settings "-PickupDirectoryMaxMessagesPerMinute 100" \
    'PickupDirectoryMaxMessagesPerMinute 2 -> 100' &&
    wait_for 10 taken_at_least 'rate%' 4
tap_result $? "raised to 100, the two waiting are taken well within the minute"

settings "-PickupDirectoryMaxRecipientsPerMessage 2 \
    -PickupDirectoryMaxHeaderSize 32KB" \
    'PickupDirectoryMaxHeaderSize 65536 -> 32768' || tap_bail "settings"
drop three 'a@example.org, b@example.org, c@example.org'
drop two 'a@example.org, b@example.org'
wait_file "$STATE/pickup/badmail/three.eml.reason" &&
    grep -q 'more than 2 recipients (PickupDirectoryMaxRecipientsPerMessage)' \
    "$STATE/pickup/badmail/three.eml.reason" &&
    wait_for 10 taken_at_least two 1
tap_result $? "PickupDirectoryMaxRecipientsPerMessage 2: three recipients go to badmail, two are taken"

pad=$(printf 'X-Pad: %0400d' 0)
big=$(for i in $(seq 100); do printf '%s\r\n' "$pad"; done)
drop big a@example.org "${big%$'\r'}"
wait_file "$STATE/pickup/badmail/big.eml.reason" &&
    grep -q 'header section larger than 32768 bytes (PickupDirectoryMaxHeaderSize)' \
    "$STATE/pickup/badmail/big.eml.reason" && [ "$(taken big)" = 0 ]
tap_result $? "PickupDirectoryMaxHeaderSize 32KB: a 40 KB header goes to badmail"

# --- the send protocol log's sizes -------------------------------------------------

plogs=$STATE/log/SmtpSend
settings "-SendProtocolLogMaxFileSize 1KB" \
    'SendProtocolLogMaxFileSize 10485760 bytes -> 1024 bytes' ||
    tap_bail "settings"
before=$(peer_count sink)
for n in 1 2 3 4; do
	submit --from a@example.org --to "log$n@example.org" >/dev/null &&
	    peer_wait_messages sink $((before + n)) 10 || tap_bail "log $n"
done
files=$(ls "$plogs" | grep -c '^SEND[0-9]\{8\}\(-[0-9]*\)\?\.log$')
mails=$(cat "$plogs"/SEND*.log | grep -c 'RCPT TO:<log[1-4]@example.org>')
[ "$files" -ge 2 ] && [ "$mails" = 4 ]
tap_result $? "SendProtocolLogMaxFileSize 1KB: the sessions go on in new files ($files), none lost" ||
    ls -l "$plogs" | tap_diag -
newest=$(ls "$plogs" | grep '^SEND' | sort -t- -k2n | tail -1)

echo notes >"$plogs/notes.txt"
settings "-SendProtocolLogMaxDirectorySize 2KB" \
    'SendProtocolLogMaxDirectorySize 262144000 bytes -> 2048 bytes' ||
    tap_bail "settings"
logs_fit() {
	[ "$(cat "$plogs"/SEND*.log | wc -c)" -le 2048 ] ||
	    [ "$(ls "$plogs" | grep -c '^SEND')" = 1 ]
}
wait_for 15 logs_fit && [ -e "$plogs/$newest" ] && [ -e "$plogs/notes.txt" ]
tap_result $? "SendProtocolLogMaxDirectorySize 2KB: the oldest files go, the newest ($newest) and other files stay" ||
    ls -l "$plogs" | tap_diag -
grep -q 'protocol log: deleted the [0-9]* oldest files in .* (SendProtocolLogMaxDirectorySize)' "$HUBD_LOG"
tap_result $? "and hubd says how many went"

# --- QueueMaxIdleTime --------------------------------------------------------------

settings "-QueueMaxIdleTime 00:00:05" 'QueueMaxIdleTime 00:03:00 -> 00:00:05' ||
    tap_bail "settings"
slow_queues() { ctl --count NextHopDomain op=get-queue | grep -c '^NextHopDomain=\[127\.0\.0\.[18]\] '; }
submit --from a@example.org --to idle@a.test >/dev/null
wait_track SEND idle@a.test 15 && [ "$(slow_queues)" -ge 1 ]
tap_result $? "a delivered message's queue is still there"
no_slow_queue() { [ "$(slow_queues)" = 0 ]; }
wait_for 30 no_slow_queue
tap_result $? "QueueMaxIdleTime 00:00:05: it is gone well before the default three minutes"

# --- MaxOutboundConnections --------------------------------------------------------

settings "-MaxOutboundConnections 1" 'MaxOutboundConnections 1000 -> 1' ||
    tap_bail "settings"
submit --from a@example.org --to one@a.test >/dev/null &&
    submit --from a@example.org --to two@b.test >/dev/null ||
    tap_bail "submit"
wait_track SEND one@a.test 30 && wait_track SEND two@b.test 30
sent_at() {
	spool_sql "SELECT t.timestamp_ms FROM track t JOIN track_rcpt r
	    ON r.track_id = t.id WHERE t.event_id = 'SEND' AND r.addr = '$1'"
}
a=$(sent_at one@a.test) b=$(sent_at two@b.test)
gap=$((a > b ? a - b : b - a))
[ -n "$a" ] && [ -n "$b" ] && [ "$gap" -ge 3000 ]
tap_result $? "MaxOutboundConnections 1: two destinations are served one after the other (${gap} ms apart, each session takes 3 s)"

exit $tap_failed
