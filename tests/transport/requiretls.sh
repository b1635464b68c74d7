#!/bin/bash
# requiretls.sh - REQUIRETLS (RFC 8689) end to end.  hubd offers it on
# intake inside TLS only and takes "MAIL FROM:<...> REQUIRETLS" there; such
# a message goes only over TLS the connector authenticates
# (DomainValidation here; DANE too, doc/transport.md) to a next hop that
# offers REQUIRETLS, with the parameter passed on.  Otherwise it is
# returned at once: 5.7.30 when the next hop does not offer REQUIRETLS,
# 5.7.10 when the session is not authenticated TLS; the report carries
# the headers only.  The demand survives a restart.  "TLS-Required: No"
# never relaxes a connector that requires TLS.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks openssl aiosmtpd
tap_plan 9

make_certs relay.hubd.test mx1.example.test || tap_bail "certificates"
peer_start req $(cert_opts valid) --requiretls || tap_bail "peer req"
peer_start noreq $(cert_opts valid) || tap_bail "peer noreq"
peer_start opp $(cert_opts selfsigned) --requiretls || tap_bail "peer opp"
peer_start plain --starttls none || tap_bail "peer plain"
peer_start back || tap_bail "peer back"

# verified NAME DOMAIN: a DomainValidation connector to peer NAME.
verified() {
	echo "New-SendConnector -Name $1 -AddressSpaces '$2' -SmartHosts '[127.0.0.1]' \
	    -DNSRoutingEnabled \$false -Port $(peer_port "$1") -RequireTLS \$true \
	    -TlsAuthLevel DomainValidation -TlsDomain mx1.example.test | Out-Null"
}
hubsh_run "$(verified req req.test)
    $(verified noreq noreq.test)
    New-SendConnector -Name opp -AddressSpaces 'opp.test' -SmartHosts '[127.0.0.1]' \
	-DNSRoutingEnabled \$false -Port $(peer_port opp) | Out-Null
    New-SendConnector -Name plain -AddressSpaces 'plain.test' -SmartHosts '[127.0.0.1]' \
	-DNSRoutingEnabled \$false -Port $(peer_port plain) -RequireTLS \$true | Out-Null
    New-SendConnector -Name back -AddressSpaces 'back.test' -SmartHosts '[127.0.0.1]' \
	-DNSRoutingEnabled \$false -Port $(peer_port back) | Out-Null" ||
    tap_bail "connectors"
hubd_start --tls-cert "$CERTS/valid.pem" --tls-key "$CERTS/valid.key" || tap_bail "hubd"

# send TO [client.py options...]: one message from sender@back.test over
# STARTTLS with REQUIRETLS unless the options say otherwise.
send() {
	local to=$1
	shift
	smtp_client send 127.0.0.1 "$HUBD_PORT" --from sender@back.test --to "$to" "$@" \
	    >"$tap_tmp/client.out" 2>"$tap_tmp/client.err"
}

send x@req.test --starttls --messages 0 --show-ehlo &&
    sed -n 1p "$tap_tmp/client.out" | grep -q STARTTLS &&
    ! sed -n 1p "$tap_tmp/client.out" | grep -q REQUIRETLS &&
    sed -n 2p "$tap_tmp/client.out" | grep -q REQUIRETLS
tap_result $? "REQUIRETLS is offered inside TLS only" "$(cat "$tap_tmp/client.out")"

! send x@req.test --mail-option REQUIRETLS &&
    grep -q '530' "$tap_tmp/client.err" && grep -q '5.7.10' "$tap_tmp/client.err"
tap_result $? "MAIL FROM REQUIRETLS outside TLS: 530 5.7.10" "$(cat "$tap_tmp/client.err")"

send a@req.test --starttls --mail-option REQUIRETLS &&
    peer_wait_messages req 1 15 && [ "$(peer_msg req 1 tls)" = yes ] &&
    peer_msg req 1 mail_options | grep -qw REQUIRETLS &&
    wait_track SEND a@req.test
tap_result $? "over authenticated TLS to a host that offers it: delivered, REQUIRETLS passed on" \
    "$(cat "$tap_tmp/client.err"; peer_msg req 1 mail_options; tail -3 "$HUBD_LOG")"

send b@noreq.test --starttls --mail-option REQUIRETLS &&
    wait_track FAIL b@noreq.test &&
    track_status FAIL b@noreq.test | grep -q '^550 5.7.30 REQUIRETLS support required' &&
    [ "$(peer_count noreq)" = 0 ] && ! peer_commands noreq | grep -q 'MAIL FROM'
tap_result $? "a next hop that does not offer REQUIRETLS: returned with 5.7.30, no MAIL sent" \
    "$(track_status FAIL b@noreq.test; peer_commands noreq | tail -3)"

send c@opp.test --starttls --mail-option REQUIRETLS &&
    wait_track FAIL c@opp.test &&
    track_status FAIL c@opp.test | grep -q '^550 5.7.10 REQUIRETLS' &&
    [ "$(peer_count opp)" = 0 ]
tap_result $? "opportunistic TLS to a self-signed host: returned with 5.7.10" \
    "$(track_status FAIL c@opp.test)"

peer_wait_messages back 2 15 && f=$(peer_msg_file back 1) &&
    grep -q '5.7.30' "$f" && grep -q 'Content-Type: text/rfc822-headers' "$f" &&
    ! grep -q 'body of connection' "$f" &&
    ! peer_msg back 1 mail_options | grep -qw REQUIRETLS
tap_result $? "the report carries the headers only, and no REQUIRETLS" \
    "$(peer_count back); $(cat "$(peer_msg_file back 1)" 2>/dev/null | head -60)"

send d@plain.test --starttls --mail-option REQUIRETLS &&
    send e@plain.test --starttls --header 'TLS-Required: No' &&
    wait_for 15 grep -q 'STARTTLS is required' "$HUBD_LOG" && sleep 1 &&
    [ "$(spool_sql "SELECT requiretls, tls_optional FROM messages ORDER BY id" | tail -2 | tr '\n' ' ')" = "1|0 0|1 " ]
tap_result $? "the spool keeps REQUIRETLS and TLS-Required: No" \
    "$(spool_sql "SELECT id, requiretls, tls_optional FROM messages")"

[ "$(peer_count plain)" = 0 ] && ! peer_commands plain | grep -q 'MAIL FROM' &&
    [ "$(track_count SEND e@plain.test)" = 0 ]
tap_result $? "TLS-Required: No never relaxes a connector that requires TLS" \
    "$(peer_commands plain | tail -5)"

# req_options RCPT: the MAIL FROM options peer req recorded for RCPT.
req_options() {
	local i
	for i in $(seq 1 "$(peer_count req)"); do
		[ "$(peer_msg req "$i" rcpt)" = "$1" ] && peer_msg req "$i" mail_options
	done
}
hubd_stop && hubd_start --tls-cert "$CERTS/valid.pem" --tls-key "$CERTS/valid.key" &&
    [ "$(spool_sql "SELECT count(*) FROM messages WHERE requiretls = 1")" = 1 ] &&
    hubsh_run "Set-SendConnector plain -SmartHosts '[127.0.0.1]' -Port $(peer_port req) \
	-TlsAuthLevel DomainValidation -TlsDomain mx1.example.test" &&
    wait_track SEND d@plain.test 20 && wait_track SEND e@plain.test 20 &&
    req_options d@plain.test | grep -qw REQUIRETLS &&
    ! req_options e@plain.test | grep -qw REQUIRETLS
tap_result $? "after a restart the waiting REQUIRETLS message keeps its demand" \
    "$(spool_sql "SELECT id, requiretls FROM messages"); $(tail -5 "$HUBD_LOG")"
