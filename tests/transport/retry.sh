#!/bin/bash
# retry.sh - retries, the delay notice and expiry, with the Exchange
# timeouts shortened in the store (Set-TransportService): a next hop that
# answers 451 to every RCPT is tried again and again (DEFER records), the
# sender gets one delay notice after DelayNotificationTimeout, and after
# MessageExpirationTimeout the recipient fails with 550 4.4.7
# QUEUE.Expired and a non-delivery report.  A 5xx fails at once.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd
tap_plan 9

peer_start busy --reply 'RCPT:<busy@=451 4.3.2 Try again later' \
    --reply 'RCPT:<gone@=550 5.1.1 User unknown' || tap_bail "peer busy"
BUSY=$PEER_PORT
peer_start home || tap_bail "peer home"
HOME_PORT=$PEER_PORT
hubsh_run "New-SendConnector -Name Busy -Usage Custom -AddressSpaces 'busy.test' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $BUSY | Out-Null
New-SendConnector -Name Home -Usage Custom -AddressSpaces 'example.org' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $HOME_PORT | Out-Null" ||
    tap_bail "connectors"
hubsh_run "Set-TransportService -Identity $SERVER \
    -DelayNotificationTimeout 00:00:03 -MessageExpirationTimeout 00:00:08" ||
    tap_bail "transport settings"
hubd_start || tap_bail "hubd"

submit --to busy@busy.test --header 'Subject: keeps failing'
tap_result $? "accepted"

# Several attempts, one second apart (the test's retry intervals).
defers() { [ "$(track_count DEFER busy@busy.test)" -ge "$1" ]; }
wait_for 15 defers 2
tap_result $? "a 451 is retried: $(track_count DEFER busy@busy.test) DEFER records"
track_status DEFER busy@busy.test | grep -q '451 4.3.2 Try again later'
tap_result $? "the DEFER record carries the next hop's reply"

# report_to N ACTION: the home peer's message N is a report with ACTION.
report_is() {
	local f
	f=$(peer_msg_file home "$1")
	[ "$(peer_msg home "$1" mail_from)" = "<>" ] &&
	    grep -q "^Action: $2" "$f"
}
peer_wait_messages home 1 15 && report_is 1 delayed
tap_result $? "after DelayNotificationTimeout the sender gets a delay notice"

wait_track FAIL busy@busy.test 20
tap_result $? "after MessageExpirationTimeout the recipient fails"
track_status FAIL busy@busy.test | grep -q '^550 4.4.7 QUEUE.Expired; message expired'
tap_result $? "with 550 4.4.7 QUEUE.Expired; message expired"
peer_wait_messages home 2 15 && report_is 2 failed &&
    grep -q '^Status: 5.4.7' "$(peer_msg_file home 2)"
tap_result $? "and the sender gets a non-delivery report (Status 5.4.7)"

# A 5xx fails at once, with a report.
n=$(peer_count home)
submit --to gone@busy.test
wait_track FAIL gone@busy.test 10 &&
    track_status FAIL gone@busy.test | grep -q '550 5.1.1 User unknown'
tap_result $? "a 550 from the next hop fails the recipient at once"
peer_wait_messages home $((n + 1)) 10 && report_is $((n + 1)) failed
tap_result $? "and the sender gets a non-delivery report for it"

exit $tap_failed
