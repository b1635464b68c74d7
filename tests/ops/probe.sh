#!/bin/bash
# probe.sh - Test-SendConnector against a running hubd and real peers on
# loopback, and its routing explanation.
#
# Three smart-host connectors, each requiring TLS, to three peers:
#   good.test   "good", a certificate of the test CA for mx1.example.test,
#               DomainValidation with TlsDomain mx1.example.test: Pass
#   self.test   "self", a self-signed certificate, CertificateValidation:
#               Fail with 454 4.7.5, exit status 1
#   plain.test  "plain", no STARTTLS: Fail with 451 5.7.3
# Then -RoutingOnly explains a choice among three connectors for
# choice.test (exact name, wildcard, *; two costs; a disabled one) and
# -Identity probes a connector that routing would not pick.  No mail is
# sent: the peers count no message.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need aiosmtpd openssl
tap_plan 25

: "${CONTROL:=$tap_tmp/run/hubd.sock}"
export HUBSH_CONTROL=$CONTROL

# hs TEXT: TEXT run by hubsh on the test store, never prompting; its
# output (both streams) on standard output, its status hubsh's.
hs() {
	"$HUBSH" --server "$SERVER" -NonInteractive -Command "$1" 2>&1 \
	    </dev/null
}

# has OUTPUT PATTERN: OUTPUT has a line matching PATTERN (grep -E); on
# failure OUTPUT goes out as TAP comments.
has() {
	grep -Eq -- "$2" <<<"$1" && return 0
	tap_diag "no line matches: $2"
	tap_diag - <<<"$1"
	return 1
}

make_certs >/dev/null || tap_bail "certificates"
peer_start good --hostname good.peer.test $(cert_opts valid) ||
    tap_bail "peer good"
GOOD=$PEER_PORT
peer_start self --hostname self.peer.test $(cert_opts selfsigned) ||
    tap_bail "peer self"
SELF=$PEER_PORT
peer_start plain --hostname plain.peer.test --starttls none ||
    tap_bail "peer plain"
PLAIN=$PEER_PORT

hubsh_run "New-SendConnector -Name Good -Usage Custom -AddressSpaces good.test \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $GOOD \
    -RequireTLS \$true -TlsAuthLevel DomainValidation \
    -TlsDomain mx1.example.test | Out-Null
New-SendConnector -Name Self -Usage Custom -AddressSpaces self.test \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $SELF \
    -RequireTLS \$true -TlsAuthLevel CertificateValidation | Out-Null
New-SendConnector -Name Plain -Usage Custom -AddressSpaces plain.test \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $PLAIN \
    -RequireTLS \$true | Out-Null
New-SendConnector -Name 'Choice exact' -Usage Custom \
    -AddressSpaces 'choice.test;10' -SmartHosts '[127.0.0.1]' \
    -DNSRoutingEnabled \$false -Port $GOOD | Out-Null
New-SendConnector -Name 'Choice cheap' -Usage Custom \
    -AddressSpaces 'choice.test;2' -SmartHosts '[127.0.0.1]' \
    -DNSRoutingEnabled \$false -Port $GOOD -MaxMessageSize 1MB | Out-Null
New-SendConnector -Name 'Choice wild' -Usage Custom \
    -AddressSpaces '*.test;1' -SmartHosts '[127.0.0.1]' \
    -DNSRoutingEnabled \$false -Port $SELF | Out-Null
New-SendConnector -Name 'Choice off' -Usage Custom \
    -AddressSpaces 'choice.test;1' -SmartHosts '[127.0.0.1]' \
    -DNSRoutingEnabled \$false -Port $GOOD -Enabled \$false -Force | Out-Null" ||
    tap_bail "connectors"
hubd_start || tap_bail "hubd"

# --- Pass: a good certificate under DomainValidation --------------------------------

out=$(hs 'Test-SendConnector -Recipient someone@good.test')
rc=$?
[ $rc = 0 ]
tap_result $? "a connector that would deliver: status 0 (got $rc)"
has "$out" '^Connector +: Good$' && has "$out" '^AddressSpace +: good.test$' &&
    has "$out" '^Result +: Routed$' &&
    has "$out" '^Candidates +: \{Good: good.test;1 \(chosen\)'
tap_result $? "the routing object names Good, good.test;1"
has "$out" '^Host +: \[127.0.0.1\]$' &&
    has "$out" "^Address +: 127.0.0.1:$GOOD\$" &&
    has "$out" '^StartTlsOffered +: True$' &&
    has "$out" '^TlsProtocol +: TLSv1\.[23]$' &&
    has "$out" '^ChainValid +: True$' &&
    has "$out" '^MatchedName +: mx1.example.test$'
tap_result $? "the hop: STARTTLS offered, TLS, chain valid, name matched"
has "$out" '^Result +: Pass$' &&
    has "$out" '^Response +: TLSv1\.[23] .*DomainValidation'
tap_result $? "the hop passes, with the session a delivery would have"
out=$(hs '$r = @(Test-SendConnector -Domain good.test); $r.Count; $r[0].Result; $r[1].Result; $r[1].CertificateNames -contains "mx1.example.test"')
[ "$out" = "2
Routed
Pass
True" ] || { tap_diag - <<<"$out"; false; }
tap_result $? "objects: the routing object and one hop"
out=$(hs '@(Test-SendConnector -Domain good.test)[1] | ft')
has "$out" '^Host +Address +StartTlsOffered +TlsProtocol +ChainValid +Result +Response *$' &&
    has "$out" "^\\[127.0.0.1\\] +127.0.0.1:$GOOD +True +TLSv1\\.[23] +True +Pass "
tap_result $? "a hop's default table"

# --- Fail: a self-signed certificate under CertificateValidation -------------------

out=$(hs 'Test-SendConnector -Domain self.test')
rc=$?
[ $rc = 1 ]
tap_result $? "a connector that would not deliver: status 1 (got $rc)"
has "$out" '^Result +: Fail$' &&
    has "$out" '^Response +: 454 4\.7\.5 Certificate validation failure' &&
    has "$out" '^ChainValid +: False$'
tap_result $? "self-signed under CertificateValidation: Fail, 454 4.7.5"
has "$out" '^Test-SendConnector : \[127.0.0.1\] would not get mail: 454 4\.7\.5 Certificate validation failure' &&
    has "$out" 'CategoryInfo +: InvalidResult: .*SendConnectorTestFailed'
tap_result $? "and a non-terminating error naming the host and the response"
out=$(hs 'Test-SendConnector -Domain self.test -ErrorAction SilentlyContinue | Out-Null; "ok=$?"; Test-SendConnector -Domain good.test | Out-Null; "ok=$?"')
[ "$out" = "ok=False
ok=True" ] || { tap_diag - <<<"$out"; false; }
tap_result $? "\$? is false after a Fail, true after a Pass"
f=$tap_tmp/check.ps1
printf 'Test-SendConnector -Domain good.test | Out-Null\nTest-SendConnector -Domain self.test | Out-Null\n"still running"\n' >"$f"
out=$("$HUBSH" --server "$SERVER" -NonInteractive -File "$f" 2>/dev/null </dev/null)
rc=$?
[ $rc = 1 ] && [ "$out" = "still running" ]
tap_result $? "a batch file with a Fail runs on and exits 1 (cron), got $rc"

# --- Fail: no STARTTLS under RequireTLS ---------------------------------------------

out=$(hs 'Test-SendConnector -Domain plain.test')
rc=$?
[ $rc = 1 ] && has "$out" '^StartTlsOffered +: False$' &&
    has "$out" '^Result +: Fail$' &&
    has "$out" '^Response +: 451 5\.7\.3 STARTTLS is required to send mail'
tap_result $? "no STARTTLS under RequireTLS: Fail, 451 5.7.3, status 1"
has "$out" 'would not get mail: 451 5\.7\.3 STARTTLS is required to send mail'
tap_result $? "and the error says so"

# --- routing explained among three connectors ----------------------------------------

out=$(hs 'Test-SendConnector -Domain choice.test -RoutingOnly')
rc=$?
[ $rc = 0 ] && has "$out" '^Connector +: Choice cheap$' &&
    has "$out" '^AddressSpace +: choice.test$' && has "$out" '^Cost +: 2$'
tap_result $? "-RoutingOnly: exact name, lowest cost wins (Choice cheap, 2)"
out=$(hs '(Test-SendConnector -Domain choice.test -RoutingOnly).Candidates')
[ "$out" = "Choice cheap: choice.test;2 (chosen)
Choice exact: choice.test;10 (lost on cost)
Choice wild: *.test;1 (lost on specificity)
Good: skipped (no address space matches choice.test)
Plain: skipped (no address space matches choice.test)
Self: skipped (no address space matches choice.test)
Choice off: skipped (disabled)" ] || { tap_diag - <<<"$out"; false; }
tap_result $? "Candidates: chosen, lost on cost, lost on specificity, skipped"
out=$(hs '$c = (Test-SendConnector -Domain choice.test -MessageSize 2MB -RoutingOnly).Candidates; $c[0]; $c[1]')
[ "$out" = "Choice cheap: skipped (MaxMessageSize 1 MB is below the message's 2 MB)
Choice exact: choice.test;10 (chosen)" ] || { tap_diag - <<<"$out"; false; }
tap_result $? "-MessageSize: a connector too small is skipped, the next chosen"
out=$(hs '(Test-SendConnector -Domain other.test -RoutingOnly).Connector')
[ "$out" = "Choice wild" ]
tap_result $? "another domain falls to the wildcard"
before_good=$(peer_stat good connections)
hs 'Test-SendConnector -Domain choice.test -RoutingOnly | Out-Null' >/dev/null
[ "$(peer_stat good connections)" = "$before_good" ]
tap_result $? "-RoutingOnly asks hubd nothing: no connection to the peer"

# --- -Identity: the connector given, not the one routing picks -------------------------

out=$(hs 'Test-SendConnector -Domain choice.test -Identity Self')
rc=$?
[ $rc = 1 ] && has "$out" '^Connector +: Self$' &&
    has "$out" '^AddressSpace +: *$' &&
    has "$out" '^Result +: Overridden$' && has "$out" '^Response +: 454 4\.7\.5'
tap_result $? "-Identity: a connector routing would not pick (Self) is probed"
out=$(hs 'Get-SendConnector Good | Test-SendConnector -Domain choice.test')
rc=$?
[ $rc = 0 ] && has "$out" '^Connector +: Good$' && has "$out" '^Result +: Pass$'
tap_result $? "Get-SendConnector | Test-SendConnector probes that connector"
out=$(hs 'Test-SendConnector -Domain choice.test -Identity "Choice off"')
[ $? = 1 ] && has "$out" 'Test-SendConnector : '
tap_result $? "a disabled connector is not in hubd's routing: an error"

# --- nothing was sent ---------------------------------------------------------------

[ "$(peer_count good)" = 0 ] && [ "$(peer_count self)" = 0 ] &&
    [ "$(peer_count plain)" = 0 ]
tap_result $? "no peer received a message"
[ -z "$(peer_commands good | awk '{ print toupper($4) }' | grep -E '^(MAIL|RCPT|DATA)$')" ]
tap_result $? "no MAIL, RCPT or DATA was sent"

hubd_stop
tap_result $? "hubd stops cleanly"
out=$(hs 'Test-SendConnector -Domain good.test')
[ $? = 1 ] && has "$out" "The transport service \\(hubd\\) isn't running" &&
    has "$out" '^Connector +: Good$'
tap_result $? "without hubd: the routing object, then hubd isn't running"
exit 0
