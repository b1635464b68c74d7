#!/bin/bash
# dane.sh - DANE (RFC 7672) per Send connector, SmtpDaneMode: zones
# signed at test time (ldns-keygen, ldns-signzone) with TLSA records made
# from the test certificates, served by unbound as an authoritative
# server on 127.0.0.1, validated by hubd's resolver from the test's trust
# anchor.  Each domain has its own connector (so its own port, the port
# of its TLSA owner name _PORT._tcp.mx.DOMAIN) and its own peer:
#
#   ee.test        TLSA 3 1 1 of the peer's key (a self-signed certificate):
#                  delivered, tracked "DANE ok, TLSA 3 1 1"
#   ta.test        TLSA 2 0 1 of the test CA, the peer sends its chain:
#                  delivered
#   bad.test       TLSA 3 1 1 of another key: waits, 454 4.7.323
#   unusable.test  TLSA 0 0 1 and 1 1 1 only: encrypted delivery to a
#                  self-signed certificate ("no usable TLSA")
#   plain.test     unsigned, a wrong TLSA record: ignored, delivered
#   ins.test       signed, MX in plain.test: the address is not secure, its
#                  TLSA is not looked up: delivered
#   bogus.test     the TLSA record changed after signing: waits, 4.7.324
#   sf.test        the TLSA query refused (SERVFAIL): waits, 4.7.324
#   nodane.test    signed, no TLSA, the connector Mandatory: waits, 4.7.5
#                  dane-required
# A message that says "TLS-Required: No" (RFC 8689) goes to bad.test all
# the same; with SmtpDaneMode None the wrong TLSA of bad.test is ignored.
# Nothing waiting is returned, and no byte of mail reaches a peer that
# failed DANE.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need openssl swaks aiosmtpd unbound ldns
tap_plan 13

make_certs mx.ta.test || tap_bail "certificates"
cat "$CERTS/valid.pem" "$CERTS/ca.pem" >"$CERTS/valid-chain.pem"
Z=$tap_tmp/zones
mkdir -p "$Z"
: >"$Z/anchors"

# spki FILE / certdigest FILE: SHA-256 of a certificate's public key
# (selector 1) or of the whole certificate (selector 0), in hex.
spki() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
	    sha256sum | cut -d' ' -f1
}
certdigest() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }

# Peers: each with the certificate its case needs.
peer_start ee --listen 127.0.0.1:0 $(cert_opts selfsigned) || tap_bail "peer ee"
peer_start ta --listen 127.0.0.1:0 --cert "$CERTS/valid-chain.pem" \
    --key "$CERTS/valid.key" || tap_bail "peer ta"
peer_start bad --listen 127.0.0.1:0 $(cert_opts selfsigned) || tap_bail "peer bad"
peer_start unusable --listen 127.0.0.1:0 $(cert_opts selfsigned) || tap_bail "peer"
peer_start plain --listen 127.0.0.1:0 $(cert_opts selfsigned) || tap_bail "peer"
peer_start bogus --listen 127.0.0.1:0 $(cert_opts selfsigned) || tap_bail "peer"
peer_start sf --listen 127.0.0.1:0 $(cert_opts selfsigned) || tap_bail "peer"
peer_start nodane --listen 127.0.0.1:0 $(cert_opts selfsigned) || tap_bail "peer"
port() { peer_port "$1"; }

SELF=$(spki "$CERTS/selfsigned.pem")
ROGUE=$(spki "$CERTS/rogue-ca.pem")
CA=$(certdigest "$CERTS/ca.pem")

# zone NAME signed|bogus|plain [RECORD...]: NAME's zone (MX 10 mx.NAME,
# mx.NAME A 127.0.0.1) with RECORDs added, signed with a KSK (its DNSKEY
# in $Z/anchors) and a ZSK; bogus: its TLSA data changed after signing.
zone() {
	local name=$1 kind=$2
	shift 2
	{
		cat <<EOF
\$ORIGIN $name.
\$TTL 60
@	IN SOA ns.$name. hostmaster.$name. 1 3600 600 86400 60
@	IN NS ns.$name.
ns	IN A 127.0.0.1
EOF
		[ "$name" = ins.test ] && echo "@	IN MX 10 mx.plain.test." ||
		    printf '@\tIN MX 10 mx.%s.\nmx\tIN A 127.0.0.1\n' "$name"
		printf '%s\n' "$@"
	} >"$Z/$name.zone"
	if [ "$kind" = plain ]; then
		cp "$Z/$name.zone" "$Z/$name.served"
		return
	fi
	zone_sign "$Z" "$name" || return 1
	if [ "$kind" = bogus ]; then
		sed -i -E "s/(TLSA[[:space:]]+3[[:space:]]+1[[:space:]]+1[[:space:]]+)[0-9a-fA-F]{8}/\\1DEADBEEF/" \
		    "$Z/$name.served"
		grep -q 'DEADBEEF' "$Z/$name.served" || return 1
	fi
}
tlsa() { echo "_$(port "$1")._tcp.mx IN TLSA $2"; }

zone ee.test signed "$(tlsa ee "3 1 1 $SELF")" &&
    zone ta.test signed "$(tlsa ta "2 0 1 $CA")" &&
    zone bad.test signed "$(tlsa bad "3 1 1 $ROGUE")" &&
    zone unusable.test signed "$(tlsa unusable "0 0 1 $CA")" \
	"$(tlsa unusable "1 1 1 $SELF")" &&
    zone plain.test plain "$(tlsa plain "3 1 1 $ROGUE")" &&
    zone ins.test signed &&
    zone bogus.test bogus "$(tlsa bogus "3 1 1 $SELF")" &&
    zone sf.test signed "$(tlsa sf "3 1 1 $SELF")" &&
    zone nodane.test signed ||
    tap_bail "zones: $(cat "$Z/ldns.log")"

auth=()
for d in ee ta bad unusable plain ins bogus sf nodane; do
	auth+=("authzone:$d.test:$Z/$d.test.served")
done
dns_start "${auth[@]}" "refuse:_$(port sf)._tcp.mx.sf.test" ||
    tap_bail "DNS server"

# A connector per domain, at its peer's port (ins.test: plain's).
for d in ee ta bad unusable plain bogus sf; do
	hubsh_run "New-SendConnector -Name Dane-$d -AddressSpaces '$d.test' \
	    -DNSRoutingEnabled \$true -Port $(port $d) | Out-Null" ||
	    tap_bail "connector $d"
done
hubsh_run "New-SendConnector -Name Dane-ins -AddressSpaces 'ins.test' \
    -DNSRoutingEnabled \$true -Port $(port plain) | Out-Null
    New-SendConnector -Name Dane-nodane -AddressSpaces 'nodane.test' \
    -DNSRoutingEnabled \$true -Port $(port nodane) -SmtpDaneMode Mandatory |
    Out-Null" || tap_bail "connectors"
hubd_start --dnssec-trust-anchor "$Z/anchors" || tap_bail "hubd"

# probe DOMAIN: Test-SendConnector's hop for DOMAIN, as Format-List.
probe() {
	HUBSH_CONTROL=$CONTROL hubsh_run "Test-SendConnector -Domain $1 |
	    Select-Object -Skip 1 |
	    Format-List Host,Dnssec,Dane,Tlsa,TlsaMatched,Policy,Result,Response,Error" ||
	    true
}

probe ee.test && grep -q '^Dane *: Records$' "$HUBSH_LOG" &&
    grep -q "^Tlsa *: {3 1 1 ${SELF^^}}$" "$HUBSH_LOG" &&
    grep -q '^TlsaMatched *: 3 1 1$' "$HUBSH_LOG" &&
    grep -q '^Result *: Pass$' "$HUBSH_LOG" &&
    grep -q '^Response *: TLSv1.3 .*, DANE ok, TLSA 3 1 1$' "$HUBSH_LOG"
tap_result $? "Test-SendConnector: the TLSA record, and the self-signed peer matches it" \
    "$(cat "$HUBSH_LOG")"

submit --to a@ee.test --header 'Subject: dane-ee' &&
    peer_wait_messages ee 1 15 && [ "$(peer_msg ee 1 tls)" = yes ] &&
    [ "$(peer_msg ee 1 sni)" = mx.ee.test ] && wait_track SEND a@ee.test &&
    [ "$(track_verify a@ee.test)" = "DANE ok, TLSA 3 1 1" ]
tap_result $? "TLSA 3 1 1 matches: delivered over TLS, SNI the MX host, tracked as DANE" \
    "$(peer_count ee) $(track_verify a@ee.test); $(tail -5 "$HUBD_LOG")"

submit --to b@ta.test --header 'Subject: dane-ta' &&
    peer_wait_messages ta 1 15 && wait_track SEND b@ta.test &&
    [ "$(track_verify b@ta.test)" = "DANE ok, TLSA 2 0 1" ]
tap_result $? "TLSA 2 0 1 of the CA, a chain naming mx.ta.test: delivered" \
    "$(peer_count ta) $(track_verify b@ta.test); $(tail -5 "$HUBD_LOG")"

submit --to c@unusable.test --header 'Subject: unusable' &&
    submit --to d@plain.test --header 'Subject: insecure zone' &&
    submit --to e@ins.test --header 'Subject: insecure address' &&
    peer_wait_messages unusable 1 15 && peer_wait_messages plain 2 15 &&
    [ "$(peer_msg unusable 1 tls)" = yes ] && wait_track SEND c@unusable.test &&
    [ "$(track_verify c@unusable.test)" = "DANE, no usable TLSA" ] &&
    wait_track SEND d@plain.test && wait_track SEND e@ins.test &&
    [ "$(track_verify d@plain.test)" = none ] && [ "$(track_verify e@ins.test)" = none ]
tap_result $? "unusable records only: encrypted delivery; TLSA behind insecure DNS: ignored" \
    "$(track_verify c@unusable.test) / $(track_verify d@plain.test) / $(track_verify e@ins.test)"

probe plain.test && grep -q '^Dnssec *: Insecure$' "$HUBSH_LOG" &&
    grep -q '^Dane *: NotSecure$' "$HUBSH_LOG" && grep -q '^Tlsa *: {}$' "$HUBSH_LOG"
tap_result $? "the probe: an insecure address gets no TLSA lookup" "$(cat "$HUBSH_LOG")"

submit --to f@bad.test --header 'Subject: mismatch' &&
    submit --to g@bogus.test --header 'Subject: bogus' &&
    submit --to h@sf.test --header 'Subject: servfail' &&
    submit --to i@nodane.test --header 'Subject: mandatory' &&
    wait_for 20 grep -q 'tlsa-invalid' "$HUBD_LOG" &&
    wait_for 20 grep -q 'dane-required' "$HUBD_LOG" && sleep 2
queue_lasterror bad.test | grep -q '454 4.7.323 tlsa-invalid: The domain failed DANE validation'
tap_result $? "a TLSA record that does not match: the message waits, 454 4.7.323" \
    "$(cat "$HUBSH_LOG"; grep -i dane "$HUBD_LOG" | tail -5)"

queue_lasterror bogus.test | grep -q '451 4.7.324 dnssec-invalid' &&
    grep -q 'TLSA lookup: DNSSEC validation failed' "$HUBD_LOG"
tap_result $? "a TLSA record changed after signing: waits, 451 4.7.324 dnssec-invalid" \
    "$(cat "$HUBSH_LOG"; grep -i tlsa "$HUBD_LOG" | tail -5)"

queue_lasterror sf.test | grep -q '451 4.7.324 dnssec-invalid'
tap_result $? "a TLSA lookup that fails (SERVFAIL): waits, never read as no records" \
    "$(cat "$HUBSH_LOG"; grep -i tlsa "$HUBD_LOG" | tail -5)"

queue_lasterror nodane.test | grep -q '451 4.7.5 dane-required'
tap_result $? "SmtpDaneMode Mandatory and no TLSA: waits, 451 4.7.5 dane-required" \
    "$(cat "$HUBSH_LOG")"

for d in bad bogus sf nodane; do
	[ "$(peer_count $d)" = 0 ] || break
done
[ "$(peer_count bad)" = 0 ] && [ "$(peer_count bogus)" = 0 ] &&
    [ "$(peer_count sf)" = 0 ] && [ "$(peer_count nodane)" = 0 ] &&
    [ "$(track_count FAIL)" = 0 ] && [ "$(track_count DSN)" = 0 ] &&
    ! peer_commands bad | grep -q 'MAIL FROM' &&
    peer_commands bad | grep -q 'cmd STARTTLS'
tap_result $? "nothing waiting was returned; the mismatched peer got STARTTLS and no MAIL" \
    "$(track_count FAIL) $(track_count DSN); $(peer_commands bad | tail -5)"

HUBSH_CONTROL=$CONTROL hubsh_run "Get-Queue | Where-Object { \$_.NextHopDomain -eq 'bad.test' } |
    Select-Object -ExpandProperty ConsecutiveFailures" &&
    grep -q 'TlsaInvalid' "$HUBSH_LOG"
tap_result $? "Get-Queue counts the failure class TlsaInvalid" "$(cat "$HUBSH_LOG")"

# RFC 8689 5: a message that says "TLS-Required: No" sets DANE aside,
# in a session of its own; the other mail to bad.test keeps waiting.
submit --to j@bad.test --header 'TLS-Required: No' --header 'Subject: optional' &&
    peer_wait_messages bad 1 20 && wait_track SEND j@bad.test &&
    [ "$(track_count SEND f@bad.test)" = 0 ] && [ "$(peer_count bad)" = 1 ]
tap_result $? "TLS-Required: No: delivered despite the TLSA mismatch; the rest still waits" \
    "$(peer_count bad) $(track_count SEND f@bad.test); $(tail -5 "$HUBD_LOG")"

# SmtpDaneMode None: the wrong record of bad.test no longer counts.
hubsh_run "Set-SendConnector Dane-bad -SmtpDaneMode None" &&
    HUBSH_CONTROL=$CONTROL hubsh_run "Retry-Queue -Filter \"NextHopDomain -eq 'bad.test'\"" &&
    peer_wait_messages bad 2 20 && wait_track SEND f@bad.test &&
    [ "$(track_verify f@bad.test)" = none ]
tap_result $? "SmtpDaneMode None: the TLSA record is ignored, the waiting message goes" \
    "$(track_verify f@bad.test); $(cat "$HUBSH_LOG"; tail -5 "$HUBD_LOG")"
