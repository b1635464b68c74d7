#!/bin/bash
# msgretry.sh - the two retry schedules: a message the next hop answered
# 4xx over a good session waits MessageRetryInterval, alone; a session
# that cannot be had puts the queue in Retry, on
# TransientFailureRetryInterval.  Each half sets the other schedule far
# longer than the test waits, so the retry it sees can only come from the
# setting it is about.  Timings are asserted as lower bounds on the
# tracking log's timestamps (whole seconds, from the same clock), and as
# "well before the other interval"; never as tight windows.
#
# Peers: "later" answers 451 to the first RCPT for later@ and takes
# everything after; nothing listens where the Down connector points.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd
tap_plan 8

peer_start later --reply 'RCPT:<later@#1=451 4.3.2 Try again later' ||
    tap_bail "peer later"
LATER=$PEER_PORT
DOWN=$(free_port 127.0.0.6) || tap_bail "no free port"
connector Later later.test 127.0.0.1 $LATER &&
    connector Down down.test 127.0.0.6 $DOWN || tap_bail "connectors"
hubd_start || tap_bail "hubd"

# schedules MSG QUEUE: MessageRetryInterval MSG, both of the queues'
# retry intervals QUEUE; wait until hubd has taken them up.
schedules() {
	settings "-MessageRetryInterval $1 \
	    -TransientFailureRetryInterval $2 \
	    -OutboundConnectionFailureRetryInterval $2" \
	    "OutboundConnectionFailureRetryInterval [^ ]* -> $2\$" &&
	    grep -q "transport settings: MessageRetryInterval [^ ]* -> $1\$" \
	    "$HUBD_LOG"
}
# stamps EVENT RCPT: the tracking timestamps (Unix ms) of EVENT for RCPT,
# oldest first, one per line.
stamps() {
	spool_sql "SELECT t.timestamp_ms FROM track t JOIN track_rcpt r
	    ON r.track_id = t.id WHERE t.event_id = '$1' AND r.addr = '$2'
	    ORDER BY t.id"
}
# statuses OP: the Status values of op=OP's records, counted.
statuses() { ctl --count Status op="$1"; }

# --- a 451 to RCPT: MessageRetryInterval -------------------------------------

schedules 00:00:05 00:10:00 || tap_bail "settings"

submit --from a@example.org --to later@later.test \
    --header 'Subject: answered 451' >/dev/null || tap_bail "submit"
wait_track DEFER later@later.test 15
tap_result $? "the next hop's 451 to RCPT defers the message" ||
    tap_diag - <"$HUBD_LOG"

# The retry is at least five seconds away: there is time to look.
q=$(statuses get-queue) m=$(statuses get-message)
! grep -q '^Status=Retry ' <<<"$q" && grep -q '^Status=Retry 1$' <<<"$m"
tap_result $? "meanwhile the message is in Retry, its queue is not (the session was good)" ||
    tap_diag "queues: $q / messages: $m"

wait_track SEND later@later.test 60
tap_result $? "it is sent again well before the queue's ten minutes"
defer=$(stamps DEFER later@later.test) send=$(stamps SEND later@later.test)
[ "$(wc -l <<<"$defer")" = 1 ] && [ -n "$send" ] &&
    [ $((send - defer)) -ge 5000 ]
tap_result $? "and not before MessageRetryInterval: DEFER at $defer, SEND at $send" 
[ "$(peer_count later)" = 1 ] &&
    [ "$(grep -c 'cmd RCPT TO:<later@later.test>' "$(peer_dir later)/commands.log")" = 2 ]
tap_result $? "the peer saw two RCPTs for it and took the message once"

# --- a connection refused: the queue's schedule -------------------------------

schedules 1.00:00:00 00:00:03 || tap_bail "settings"

submit --from a@example.org --to x@down.test \
    --header 'Subject: nobody there' >/dev/null || tap_bail "submit"
wait_track DEFER x@down.test 15 && grep -q '^Status=Retry 1$' <<<"$(statuses get-queue)"
tap_result $? "a connection refused puts the queue in Retry"
two_defers() { [ "$(stamps DEFER x@down.test | wc -l)" -ge 2 ]; }
wait_for 60 two_defers
tap_result $? "it is tried again well before MessageRetryInterval's day"
set -- $(stamps DEFER x@down.test)
[ $# -ge 2 ] && [ $(($2 - $1)) -ge 3000 ]
tap_result $? "and not before TransientFailureRetryInterval: DEFERs at $1 and $2"

exit $tap_failed
