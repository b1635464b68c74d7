#!/bin/bash
# fanout.sh - one message, several queues at once: 300 messages, each to
# four recipients whose domains go through four smart-host connectors
# (four queues, delivered by different workers at the same time).  Every
# recipient arrives once, every SEND is tracked, and every message
# leaves the spool: the outcome of one queue's delivery must not remove
# the message while another queue's outcome is still on its way to disk.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need aiosmtpd
tap_plan 5

N=300
peer_start sink || tap_bail "peer sink"
for d in a b c d; do
	hubsh_run "New-SendConnector -Name Fan-$d -Usage Custom \
	    -AddressSpaces '$d.test' -SmartHosts '[127.0.0.1]' \
	    -DNSRoutingEnabled \$false -Port $PEER_PORT | Out-Null" ||
	    tap_bail "connector $d"
done
hubd_start || tap_bail "hubd"

out=$("$PYTHON" "$tt_dir/load.py" 127.0.0.1 "$HUBD_PORT" --messages $N \
    --concurrency 10 --size 1024 \
    --to 'r{i}@a.test,r{i}@b.test,r{i}@c.test,r{i}@d.test')
[[ $out == "acked=$N failed=0 "* ]]
tap_result $? "$N messages to four queues each accepted ($out)"

peer_wait_messages sink $((4 * N)) 60
tap_result $? "the sink has all $((4 * N)) copies"

tt_settled() {
	[ "$(spool_sql 'SELECT count(*) FROM messages')" = 0 ] &&
	    [ "$(track_count SEND)" = $((4 * N)) ]
}
wait_for 20 tt_settled
tap_result $? "every recipient has one SEND record and no message is left in the spool"

! grep -E 'no recipient|queue: message [0-9]+:' "$HUBD_LOG"
tap_result $? "no outcome found its rows gone"

# Retries are one second apart here: a lost outcome would be sent again.
sleep 3
[ "$(peer_count sink)" = $((4 * N)) ]
tap_result $? "nothing is delivered twice afterwards"

hubd_stop
exit $tap_failed
