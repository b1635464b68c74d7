#!/bin/bash
# dnssec.sh - hubd's resolver validates DNSSEC from the trust anchor it is
# given: zones signed at test time (ldns-keygen, ldns-signzone), served by
# unbound as an authoritative server on 127.0.0.1, their keys the test's
# trust anchor (dnssec-trust-anchor).  A domain whose MX and addresses
# are signed shows Dnssec Secure in Test-SendConnector and takes its
# mail; an unsigned one shows Insecure and takes its mail too; a signed
# zone whose MX host's address was changed after signing is bogus: the
# probe fails with "DNSSEC validation failed" and the message waits (it
# is neither delivered nor returned).  Without an anchor nothing is
# validated (NotValidated), and an anchor file that cannot be read stops
# hubd at start.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd unbound ldns
tap_plan 8

peer_start mx --listen 127.0.0.1:0 || tap_bail "peer"
PORT=$PEER_PORT
Z=$tap_tmp/zones
mkdir -p "$Z"
: >"$Z/anchors"

# zone NAME [signed|bogus|plain]: NAME's zone file in $Z (MX 10
# mx.NAME, mx.NAME A 127.0.0.1); signed and bogus ones get a KSK and a
# ZSK, the KSK's DNSKEY going into $Z/anchors; a bogus one has its A
# record changed to 127.0.0.3 after signing.
zone() {
	local name=$1 kind=$2
	cat >"$Z/$name.zone" <<EOF
\$ORIGIN $name.
\$TTL 60
@	IN SOA ns.$name. hostmaster.$name. 1 3600 600 86400 60
@	IN NS ns.$name.
@	IN MX 10 mx.$name.
ns	IN A 127.0.0.1
mx	IN A 127.0.0.1
EOF
	if [ "$kind" = plain ]; then
		cp "$Z/$name.zone" "$Z/$name.served"
		return
	fi
	zone_sign "$Z" "$name" || return 1
	if [ "$kind" = bogus ]; then
		sed -i -E "s/^(mx\.$name\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+)127\.0\.0\.1/\\1127.0.0.3/" \
		    "$Z/$name.served"
		grep -q '127\.0\.0\.3' "$Z/$name.served" || return 1
	fi
}
zone secure.test signed && zone bogus.test bogus && zone plain.test plain ||
    tap_bail "zones: $(cat "$Z/ldns.log")"

dns_start "authzone:secure.test:$Z/secure.test.served" \
    "authzone:bogus.test:$Z/bogus.test.served" \
    "authzone:plain.test:$Z/plain.test.served" || tap_bail "DNS server"

hubsh_run "New-SendConnector -Name Dns -Usage Custom -AddressSpaces 'secure.test','bogus.test','plain.test' \
    -DNSRoutingEnabled \$true -Port $PORT | Out-Null" || tap_bail "connector"
hubd_start --dnssec-trust-anchor "$Z/anchors" || tap_bail "hubd"

# probe DOMAIN: Test-SendConnector's hops for DOMAIN, as Format-List.
probe() {
	HUBSH_CONTROL=$CONTROL hubsh_run "Test-SendConnector -Domain $1 |
	    Select-Object -Skip 1 | Format-List Host,Address,Dnssec,Result,Error" || true
}

grep -q "DNSSEC: validating from the trust anchor in $Z/anchors" "$HUBD_LOG" &&
    probe secure.test && grep -q '^Dnssec *: Secure$' "$HUBSH_LOG" &&
    grep -q '^Result *: Pass$' "$HUBSH_LOG"
tap_result $? "a signed MX and address: Dnssec Secure" "$(cat "$HUBSH_LOG"; tail -3 "$HUBD_LOG")"

probe plain.test && grep -q '^Dnssec *: Insecure$' "$HUBSH_LOG" &&
    grep -q '^Result *: Pass$' "$HUBSH_LOG"
tap_result $? "an unsigned zone: Dnssec Insecure" "$(cat "$HUBSH_LOG")"

probe bogus.test
grep -q 'DNSSEC validation failed' "$HUBSH_LOG" && ! grep -q '^Result *: Pass$' "$HUBSH_LOG"
tap_result $? "a zone changed after signing: the probe fails, DNSSEC validation failed" \
    "$(cat "$HUBSH_LOG")"

submit --to a@secure.test --header 'Subject: signed' &&
    submit --to b@plain.test --header 'Subject: unsigned' &&
    submit --to c@bogus.test --header 'Subject: bogus' &&
    peer_wait_messages mx 2 15
tap_result $? "mail to the signed and to the unsigned domain is delivered" "$(peer_count mx)"

HUBSH_CONTROL=$CONTROL hubsh_run "Get-Queue | Where-Object { \$_.NextHopDomain -eq 'bogus.test' } |
    Format-List MessageCount,Status,LastError" &&
    grep -q '^MessageCount *: 1$' "$HUBSH_LOG" && grep -q 'DNSSEC validation failed' "$HUBSH_LOG" &&
    [ "$(peer_count mx)" = 2 ] && [ "$(track_count FAIL)" = 0 ] 2>/dev/null
tap_result $? "mail to the bogus domain waits (not delivered, not returned), LastError says why" \
    "$(cat "$HUBSH_LOG"; peer_count mx)"
hubd_stop

hubd_start --dnssec-trust-anchor none || tap_bail "hubd without an anchor"
probe secure.test && grep -q '^Dnssec *: NotValidated$' "$HUBSH_LOG" &&
    grep -q 'DNSSEC: no trust anchor' "$HUBD_LOG"
tap_result $? "without a trust anchor nothing is validated: NotValidated" "$(cat "$HUBSH_LOG")"
hubd_stop

"$HUBD" -f --store "$STORE" --server "$SERVER" --listen "127.0.0.1:$(free_port)" \
    --state-dir "$tap_tmp/state2" --control-socket "$tap_tmp/run/x.sock" \
    --resolver "$DNS_ADDR:$DNS_PORT" \
    --dnssec-trust-anchor "$Z/missing" >"$tap_tmp/missing.out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "DNSSEC trust anchor $Z/missing" "$tap_tmp/missing.out"
tap_result $? "an anchor file that cannot be read stops hubd at start" "$(cat "$tap_tmp/missing.out")"

dig @"$DNS_ADDR" -p "$DNS_PORT" +dnssec +norec mx.secure.test A >"$tap_tmp/dig.out" 2>&1 &&
    grep -q 'RRSIG' "$tap_tmp/dig.out"
tap_result $? "the test server gives the signatures (the check is not vacuous)" \
    "$(cat "$tap_tmp/dig.out")"
