#!/bin/bash
# delivery.sh - hubd end to end with real peers: swaks submits, peer.py
# receives, unbound answers MX queries, connectors come from hubsh.
# Routing by smart host and by MX, null MX, the Unreachable queue and a
# connector added while hubd runs, MaxMessageSize, reports to the sender,
# the tracking log, the Received header, the relay rule, the pickup
# directory, the protocol log and a clean stop.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks unbound aiosmtpd dig
tap_plan 23

# Two plain peers; the second answers on 127.0.0.2 for the MX tests.
peer_start smart || tap_bail "peer smart"
SMART=$PEER_PORT
peer_start mx --listen 127.0.0.2:0 || tap_bail "peer mx"
MXPORT=$PEER_PORT
dns_start "example.test. MX 10 mx1.example.test." \
    "mx1.example.test. A 127.0.0.2" \
    "nullmx.test. MX 0 ." \
    "implicit.test. A 127.0.0.2" || tap_bail "dns"

hubsh_run "New-SendConnector -Name 'Smart' -Usage Custom \
    -AddressSpaces 'SMTP:*.org;1','SMTP:big.test;1' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $SMART \
    -ProtocolLoggingLevel Verbose
New-SendConnector -Name 'MX' -Usage Custom \
    -AddressSpaces 'SMTP:*.test;5' -Port $MXPORT -MaxMessageSize 2MB" ||
    tap_bail "hubsh"
hubd_start || tap_bail "hubd"

# --- smart host ----------------------------------------------------------------

submit --to alice@example.org --header 'Subject: via smart host'
tap_result $? "swaks gets 250 from hubd"
grep -q '<-  250 2.6.0 .*Queued mail for delivery' "$SWAKS_LOG"
tap_result $? "the 250 says Queued mail for delivery, Exchange style"

peer_wait_messages smart 1
tap_result $? "the smart host received the message"
[ "$(peer_msg smart 1 rcpt)" = alice@example.org ] &&
    [ "$(peer_msg smart 1 mail_from)" = sender@example.org ]
tap_result $? "with the submitted envelope"
grep -q '^Received: from client.test (\[127.0.0.1\]) by relay.hubd.test with ESMTP id' \
    "$(peer_msg_file smart 1)"
tap_result $? "hubd added its Received header"

wait_track SEND alice@example.org
tap_result $? "tracking log: RECEIVE and SEND for the recipient"
[ "$(spool_sql "SELECT connector_id FROM track WHERE event_id = 'SEND'")" = Smart ]
tap_result $? "the SEND record names the connector"

ls "$STATE"/log/SmtpSend/SEND*.log >/dev/null 2>&1 &&
    grep -q ',Smart,.*> MAIL FROM:<sender@example.org>' \
    "$STATE"/log/SmtpSend/SEND*.log
tap_result $? "ProtocolLoggingLevel Verbose writes the protocol log"
[ "$(stat -c %a "$STATE"/log/SmtpSend/SEND*.log)" = 640 ] &&
    [ "$(stat -c %a "$STATE"/log/SmtpSend)" = 750 ]
tap_result $? "the protocol log is 0640, its directory 0750" ||
    stat -c '%n %a' "$STATE"/log/SmtpSend "$STATE"/log/SmtpSend/* | tap_diag -

# --- MX ------------------------------------------------------------------------

submit --to bob@example.test
peer_wait_messages mx 1
tap_result $? "routed by MX to mx1.example.test (127.0.0.2)"

submit --to carol@implicit.test
peer_wait_messages mx 2
tap_result $? "a domain without MX is delivered to its A record (implicit MX)"

submit --to dave@nullmx.test
wait_track FAIL dave@nullmx.test
tap_result $? "a null MX domain fails the recipient"
track_status FAIL dave@nullmx.test | grep -q '^550 5.1.10'
tap_result $? "with 550 5.1.10"
# The report goes back to sender@example.org, through the smart host.
wait_for 15 tt_has_messages smart 2 &&
    [ "$(peer_msg smart 2 mail_from)" = "<>" ] &&
    [ "$(peer_msg smart 2 rcpt)" = sender@example.org ] &&
    grep -q 'report-type=delivery-status' "$(peer_msg_file smart 2)" &&
    grep -q 'Final-Recipient: rfc822;dave@nullmx.test' "$(peer_msg_file smart 2)"
tap_result $? "a delivery status notification reaches the sender"

# --- size ------------------------------------------------------------------------

big=$tap_tmp/big.txt
head -c 3000000 /dev/zero | tr '\0' 'x' | fold -w 76 >"$big"
submit --to erin@example.test --body "$big"
wait_track FAIL erin@example.test
tap_result $? "a message over every matching MaxMessageSize fails"
track_status FAIL erin@example.test | grep -q '^550 5.3.4 ROUTING.SizeLimit'
tap_result $? "with 550 5.3.4 ROUTING.SizeLimit"

# --- Unreachable, then a connector added while hubd runs ------------------------

submit --to frank@later.net
sleep 1
before=$(peer_count smart)
[ "$(spool_sql "SELECT count(*) FROM recipients WHERE addr = 'frank@later.net' AND state = 0")" = 1 ]
tap_result $? "no connector matches: the recipient waits (Unreachable)"
hubsh_run "New-SendConnector -Name 'Later' -Usage Custom -AddressSpaces 'later.net' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $SMART"
peer_wait_messages smart $((before + 1)) &&
    [ "$(peer_msg smart $((before + 1)) rcpt)" = frank@later.net ]
tap_result $? "a connector added with hubsh delivers it, no restart"

# --- relay rule ----------------------------------------------------------------------

main_port=$HUBD_PORT main_pid=$HUBD_PID
STATE=$tap_tmp/state2 hubd_start --relay-networks 10.0.0.0/8 ||
    tap_bail "second hubd"
submit --to alice@example.org
grep -q '<\*\* *550 5.7.54' "$SWAKS_LOG"
tap_result $? "a client outside relay-networks cannot relay (550 5.7.54)"
hubd_stop
HUBD_PORT=$main_port HUBD_PID=$main_pid

# --- pickup directory ------------------------------------------------------------

before=$(peer_count smart)
printf 'From: Pick Up <pickup@example.org>\r\nTo: grace@example.org\r\nSubject: picked up\r\n\r\nbody\r\n' \
    >"$STATE/pickup/one.eml"
peer_wait_messages smart $((before + 1)) &&
    [ "$(peer_msg smart $((before + 1)) rcpt)" = grace@example.org ] &&
    [ ! -e "$STATE/pickup/one.eml" ]
tap_result $? "a file in the pickup directory is delivered and removed"
printf 'no header separator and no addresses' >"$STATE/pickup/bad.eml"
wait_file "$STATE/pickup/badmail/bad.eml.reason"
tap_result $? "a malformed pickup file is moved to badmail with a reason"

# --- stop ------------------------------------------------------------------------

hubd_stop
tap_result $? "SIGTERM: hubd drains and exits 0"
grep -q 'stopped$' "$HUBD_LOG"
tap_result $? "and says so in its log"

exit $tap_failed
