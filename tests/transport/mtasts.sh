#!/bin/bash
# mtasts.sh - MTA-STS (RFC 8461) per Send connector: each test domain
# publishes its _mta-sts TXT record through a real DNS server (unbound,
# a zone file) and its policy on a real HTTPS server (stsweb.py, test-CA
# certificates made now), and hubd enforces what it says:
#
#   enf.test    enforce, mx mx.enf.test: delivered, tracked "MTA-STS ok";
#               fetched once, the next message uses the cache
#   out.test    enforce, an mx that is not the MX host: waits (4.7.5),
#               no connection made
#   name.test   enforce, the MX host's certificate names another host:
#               waits, 454 4.7.5 certificate-host-mismatch
#   tst.test    testing, a self-signed MX host: delivered, the tracking
#               log says what enforce would have refused
#   non.test    none: delivered, nothing noted
#   redir.test  the policy site redirects: not followed, no policy
#   rogue.test  the policy site's certificate is from a CA not trusted
#   big.test    a policy over 64 KiB: refused, no policy
#   hang.test   the policy site never answers: mail to enf.test goes
#               meanwhile
#   exp.test    max_age 2: fetched again once expired
# then enf.test's id changes (a new policy whose mx no longer allows its
# host: mail waits), a restart keeps the cache (no fetch),
# Get-MtaStsPolicy shows the cache, and MtaStsMode None lets the waiting
# message go.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need openssl aiosmtpd unbound swaks
tap_plan 16

WEB=$tap_tmp/web
Z=$tap_tmp/zone
mkdir -p "$WEB" "$Z"
make_certs mx.enf.test mx.exp.test mx.hang.test mx.out.test || tap_bail "certificates"
domains=(enf out name tst non redir rogue big hang exp)
webnames=()
for d in "${domains[@]}"; do
	webnames+=("mta-sts.$d.test")
done
make_leaf web "${webnames[@]}" >/dev/null 2>&1 || tap_bail "web certificate"
make_leaf rogueweb -ca rogue mta-sts.rogue.test >/dev/null 2>&1 ||
    tap_bail "rogue certificate"

peer_start good $(cert_opts valid) || tap_bail "peer good"
peer_start self $(cert_opts selfsigned) || tap_bail "peer self"
peer_start wrong $(cert_opts wrongname) || tap_bail "peer wrong"

# policy DOMAIN MODE MAX_AGE MX...: DOMAIN's policy on the web server.
policy() {
	local d=$1 mode=$2 age=$3 mx
	shift 3
	mkdir -p "$WEB/mta-sts.$d"
	{
		printf 'version: STSv1\r\nmode: %s\r\n' "$mode"
		for mx in "$@"; do
			printf 'mx: %s\r\n' "$mx"
		done
		printf 'max_age: %s\r\n' "$age"
	} >"$WEB/mta-sts.$d/policy.txt"
}
policy enf.test enforce 86400 mx.enf.test
policy out.test enforce 86400 mx.elsewhere.test
policy name.test enforce 86400 mx.name.test
policy tst.test testing 86400 mx.tst.test
policy non.test none 86400
policy redir.test enforce 86400 mx.nowhere.test
echo "https://mta-sts.enf.test/.well-known/mta-sts.txt" >"$WEB/mta-sts.redir.test/redirect"
policy rogue.test enforce 86400 mx.nowhere.test
cp "$CERTS/rogueweb.pem" "$WEB/mta-sts.rogue.test/cert.pem"
cp "$CERTS/rogueweb.key" "$WEB/mta-sts.rogue.test/key.pem"
policy big.test enforce 86400 mx.nowhere.test
: >"$WEB/mta-sts.big.test/oversize"
policy hang.test enforce 86400 mx.hang.test
: >"$WEB/mta-sts.hang.test/hang"
policy exp.test enforce 2 mx.exp.test

stsweb_start WEB_PORT 127.0.0.1:0 || tap_bail "stsweb.py"

# zone ENF_ID: the zone of test. (one TTL second): every domain's MX,
# its host and policy site on 127.0.0.1, and its _mta-sts record; id 1
# but enf.test's, ENF_ID.
zone() {
	{
		printf '$ORIGIN test.\n$TTL 1\n'
		printf '@ IN SOA ns.test. hostmaster.test. 1 3600 600 86400 1\n'
		printf '@ IN NS ns.test.\nns IN A 127.0.0.1\n'
		for d in "${domains[@]}"; do
			printf '%s IN MX 10 mx.%s.test.\n' "$d" "$d"
			printf 'mx.%s IN A 127.0.0.1\n' "$d"
			printf 'mta-sts.%s IN A 127.0.0.1\n' "$d"
			printf '_mta-sts.%s IN TXT "v=STSv1; id=%s"\n' "$d" \
			    "$([ "$d" = enf ] && echo "$1" || echo 1)"
		done
	} >"$Z/test.zone"
}
zone 1
dns_start "authzone:test:$Z/test.zone" || tap_bail "DNS server"

# A connector per domain, at the port of the peer that plays its MX.
mx_peer() {
	case $1 in
	enf|exp|hang|out) echo good ;;
	name) echo wrong ;;
	*) echo self ;;
	esac
}
cmds=
for d in "${domains[@]}"; do
	cmds+="New-SendConnector -Name Sts-$d -AddressSpaces '$d.test' \
	    -DNSRoutingEnabled \$true -Port $(peer_port "$(mx_peer "$d")") | Out-Null
"
done
hubsh_run "$cmds" || tap_bail "connectors"
hubd_start --mta-sts-port "$WEB_PORT" || tap_bail "hubd"

# fetches DOMAIN: the policy requests the web server got for DOMAIN.
fetches() { grep -c "	mta-sts.$1	GET" "$WEB/requests.log" 2>/dev/null; }
# delivered PEER RCPT: PEER received a message for RCPT.
delivered() {
	local i
	for i in $(seq 1 "$(peer_count "$1")"); do
		[ "$(peer_msg "$1" "$i" rcpt)" = "$2" ] && return 0
	done
	return 1
}

submit --to a@hang.test --header 'Subject: hang' &&
    submit --to b@enf.test --header 'Subject: enforce' &&
    wait_track SEND b@enf.test 8 && [ "$(track_count SEND a@hang.test)" = 0 ]
tap_result $? "a policy site that hangs holds up no other domain's mail" \
    "$(track_count SEND b@enf.test) $(track_count SEND a@hang.test); $(tail -5 "$HUBD_LOG")"

delivered good b@enf.test && [ "$(track_verify b@enf.test)" = "MTA-STS ok" ] &&
    [ "$(fetches enf.test)" = 1 ] &&
    grep -q 'mta-sts: enf.test: policy 1 fetched: mode enforce' "$HUBD_LOG"
tap_result $? "enforce: the MX host in the policy, its certificate valid for it: delivered" \
    "$(track_verify b@enf.test) $(fetches enf.test); $(grep mta-sts "$HUBD_LOG")"

submit --to c@enf.test --header 'Subject: cached' && wait_track SEND c@enf.test &&
    [ "$(fetches enf.test)" = 1 ]
tap_result $? "the next message to the domain uses the cached policy: no fetch" \
    "$(fetches enf.test)"

HUBSH_CONTROL=$CONTROL hubsh_run "Test-SendConnector -Domain enf.test | Select-Object -Skip 1 |
    Format-List Host,MtaSts,MtaStsMx,MtaStsAllowed,Result" &&
    grep -q '^MtaSts *: enforce, id 1 (enf.test)$' "$HUBSH_LOG" &&
    grep -q '^MtaStsMx *: {mx.enf.test}$' "$HUBSH_LOG" &&
    grep -q '^MtaStsAllowed *: True$' "$HUBSH_LOG" && grep -q '^Result *: Pass$' "$HUBSH_LOG"
tap_result $? "Test-SendConnector shows the policy and that the host is allowed" \
    "$(cat "$HUBSH_LOG")"

submit --to d@out.test --header 'Subject: out' &&
    submit --to e@name.test --header 'Subject: name' &&
    submit --to f@tst.test --header 'Subject: testing' &&
    submit --to g@non.test --header 'Subject: none' &&
    wait_track SEND f@tst.test && wait_track SEND g@non.test &&
    wait_for 15 grep -q 'certificate-host-mismatch' "$HUBD_LOG" && sleep 1
queue_lasterror out.test | grep -q '451 4.7.5 mta-sts: mx.out.test is not an MX host the MTA-STS policy of out.test allows' &&
    ! peer_commands good | grep -q "RCPT TO:<d@out.test>"
tap_result $? "enforce: an MX host the policy does not list gets no mail, nor a connection" \
    "$(cat "$HUBSH_LOG")"

queue_lasterror name.test | grep -q '454 4.7.5 certificate-host-mismatch: no name of the certificate is mx.name.test' &&
    [ "$(peer_count wrong)" = 0 ]
tap_result $? "enforce: a certificate that does not name the MX host: waits" "$(cat "$HUBSH_LOG")"

delivered self f@tst.test &&
    [ "$(track_verify f@tst.test)" = "none; MTA-STS testing would fail: the certificate does not verify" ] &&
    grep -q 'mta-sts: tst.test (testing): mx.tst.test .* would fail enforce' "$HUBD_LOG"
tap_result $? "testing: delivered; what enforce would refuse is logged and tracked" \
    "$(track_verify f@tst.test)"

delivered self g@non.test && [ "$(track_verify g@non.test)" = none ]
tap_result $? "mode none: delivered as the connector says" "$(track_verify g@non.test)"

submit --to h@redir.test --header 'Subject: redirect' &&
    submit --to i@rogue.test --header 'Subject: rogue' &&
    submit --to j@big.test --header 'Subject: big' &&
    wait_track SEND h@redir.test && wait_track SEND i@rogue.test &&
    wait_track SEND j@big.test &&
    grep -q 'mta-sts: redir.test: policy not fetched: .*redirect.*not followed' "$HUBD_LOG" &&
    [ "$(fetches enf.test)" = 1 ] && [ "$(fetches redir.test)" = 1 ]
tap_result $? "a redirect is not followed: no policy, and the site named is never asked" \
    "$(grep 'mta-sts' "$HUBD_LOG" | tail -5)"

grep -q 'mta-sts: rogue.test: policy not fetched: .*certificate' "$HUBD_LOG" &&
    grep -q 'mta-sts: big.test: policy not fetched: .*larger than 65536' "$HUBD_LOG"
tap_result $? "a policy site with an untrusted certificate, an oversize policy: refused" \
    "$(grep 'mta-sts' "$HUBD_LOG" | tail -5)"

submit --to k@exp.test --header 'Subject: exp 1' && wait_track SEND k@exp.test &&
    sleep 3 && submit --to l@exp.test --header 'Subject: exp 2' &&
    wait_track SEND l@exp.test && [ "$(fetches exp.test)" = 2 ]
tap_result $? "an expired policy is fetched again" "$(fetches exp.test)"

# A new id, and a policy whose mx no longer includes enf.test's host.
policy enf.test enforce 86400 mx.other.test
dns_stop && zone 2 && for try in 1 2 3; do
	bash "$tt_dir/dns.sh" "$tap_tmp/dns" "$DNS_ADDR" "$DNS_PORT" \
	    "authzone:test:$Z/test.zone" >"$tap_tmp/dns2.err" 2>&1 </dev/null &
	tt_dns_pid=$!
	track_pid $tt_dns_pid
	wait_for 10 tt_dns_up "$tap_tmp/dns" $tt_dns_pid && tt_alive $tt_dns_pid && break
done
sleep 2
submit --to m@enf.test --header 'Subject: new id' &&
    wait_for 15 grep -q 'mta-sts: enf.test: policy 2 fetched' "$HUBD_LOG" && sleep 1 &&
    [ "$(fetches enf.test)" = 2 ] && [ "$(track_count SEND m@enf.test)" = 0 ] &&
    queue_lasterror enf.test | grep -q 'not an MX host the MTA-STS policy of enf.test allows' &&
    [ "$(spool_sql "SELECT policy_id, mx FROM sts_policies WHERE domain = 'enf.test'")" = "2|mx.other.test" ]
tap_result $? "a changed id fetches the new policy, which applies at once" \
    "$(fetches enf.test); $(grep 'mta-sts' "$HUBD_LOG" | tail -3); $(cat "$HUBSH_LOG")"

hubd_stop && hubd_start --mta-sts-port "$WEB_PORT" &&
    { HUBSH_CONTROL=$CONTROL hubsh_run "Test-SendConnector -Domain enf.test |
    Select-Object -Skip 1 | Format-List MtaSts,MtaStsAllowed"; true; } &&
    grep -q '^MtaSts *: enforce, id 2 (enf.test)$' "$HUBSH_LOG" &&
    grep -q '^MtaStsAllowed *: False$' "$HUBSH_LOG" && [ "$(fetches enf.test)" = 2 ]
tap_result $? "a restart keeps the cache: the policy is in force without a fetch" \
    "$(fetches enf.test); $(cat "$HUBSH_LOG")"

HUBSH_CONTROL=$CONTROL hubsh_run "Get-MtaStsPolicy enf.test |
    Format-List Domain,PolicyId,Mode,Mx,MaxAge
    Get-MtaStsPolicy | Where-Object { \$_.Domain -eq 'rogue.test' } |
    Format-List Domain,PolicyId,LastFailure" &&
    grep -q '^PolicyId *: 2$' "$HUBSH_LOG" && grep -q '^Mode *: Enforce$' "$HUBSH_LOG" &&
    grep -q '^Mx *: {mx.other.test}$' "$HUBSH_LOG" &&
    grep -q '^MaxAge *: 1.00:00:00$' "$HUBSH_LOG" &&
    grep -q '^Domain *: rogue.test$' "$HUBSH_LOG" &&
    grep -q '^LastFailure *: .*certificate' "$HUBSH_LOG"
tap_result $? "Get-MtaStsPolicy shows the cached policies and the failed fetches" \
    "$(cat "$HUBSH_LOG")"

hubsh_run "Set-SendConnector Sts-enf -MtaStsMode None" &&
    HUBSH_CONTROL=$CONTROL hubsh_run "Retry-Queue -Filter \"NextHopDomain -eq 'enf.test'\"" &&
    wait_track SEND m@enf.test 20 && delivered good m@enf.test &&
    [ "$(track_verify m@enf.test)" = none ]
tap_result $? "MtaStsMode None: the policy is not applied, the waiting message goes" \
    "$(track_verify m@enf.test); $(tail -3 "$HUBD_LOG")"

[ "$(track_count FAIL)" = 0 ] && [ "$(track_count DSN)" = 0 ]
tap_result $? "nothing was returned: MTA-STS failures wait" "$(track_count FAIL)"
