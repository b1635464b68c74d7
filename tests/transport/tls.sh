#!/bin/bash
# tls.sh - hubd's TLS policy against real peers: every connector TLS
# setting against every peer behaviour, asserting delivered (and how),
# deferred with the right code, or plaintext fallback, and that nothing
# that had to be encrypted ever crossed in plaintext.  Then the Force TLS
# scenario (MX to a *.outlook-style certificate, DomainValidation with
# TlsDomain *.outlook.test), a peer injecting bytes after "220 Ready to
# start TLS", BasicAuthRequireTLS, session resumption, and a connector
# changed with Set-SendConnector while hubd runs.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks unbound aiosmtpd openssl dig

make_certs mx1.example.test mx2.example.test || tap_bail "certificates"
make_leaf outlook-all mail.protection.outlook.test \
    '*.protection.outlook.test' '*.outlook.test' >/dev/null ||
    tap_bail "certificate outlook-all"

# One peer per behaviour.
declare -A PORT
start() {	# start NAME peer.py options...
	local name=$1
	shift
	peer_start "$name" --hostname "$name.peer.test" "$@" ||
	    tap_bail "peer $name"
	PORT[$name]=$PEER_PORT
}
start nostarttls
start refuse $(cert_opts valid) --starttls refuse
start broken $(cert_opts valid) --starttls close
start selfsigned $(cert_opts selfsigned)
start expired $(cert_opts expired)
start wrongname $(cert_opts wrongname)
start wildcard $(cert_opts wildcard)
start deep $(cert_opts deep)
start cnonly $(cert_opts cnonly)
start valid $(cert_opts valid)
start inject $(cert_opts valid) --starttls inject
start auth $(cert_opts valid) --auth relayuser:S3cret-Pa55 --auth-tls-only
start authplain --auth relayuser:S3cret-Pa55
start authbroken $(cert_opts valid) --starttls close --auth relayuser:S3cret-Pa55
start authrefuse $(cert_opts valid) --starttls refuse --auth relayuser:S3cret-Pa55

# Settings: name, then the Set-SendConnector parameters.
declare -A SETTING=(
	[opp]=""
	[ign]="-IgnoreSTARTTLS \$true"
	[enc]="-RequireTLS \$true -TlsAuthLevel EncryptionOnly"
	[cert]="-RequireTLS \$true -TlsAuthLevel CertificateValidation"
	[dom]="-RequireTLS \$true -TlsAuthLevel DomainValidation -TlsDomain mx1.example.test"
	[domwild]="-RequireTLS \$true -TlsAuthLevel DomainValidation -TlsDomain '*.example.test'"
)

# The expected outcome of each pair: plain (delivered without TLS), tls
# (delivered inside TLS), 451 (451 5.7.3 STARTTLS is required) or 454
# (454 4.7.5 Certificate validation failure).
declare -A EXPECT
for p in nostarttls refuse broken; do
	EXPECT[opp,$p]=plain EXPECT[ign,$p]=plain
	for s in enc cert dom domwild; do EXPECT[$s,$p]=451; done
done
for p in selfsigned expired wrongname wildcard deep cnonly valid; do
	EXPECT[opp,$p]=tls EXPECT[ign,$p]=plain EXPECT[enc,$p]=tls
done
EXPECT[cert,selfsigned]=454 EXPECT[cert,expired]=454
EXPECT[cert,wrongname]=tls EXPECT[cert,wildcard]=tls EXPECT[cert,deep]=tls
EXPECT[cert,cnonly]=tls EXPECT[cert,valid]=tls
# TlsDomain mx1.example.test: a one-label wildcard and a CN-only
# certificate match (Exchange's rules), a wrong or deeper name does not.
EXPECT[dom,selfsigned]=454 EXPECT[dom,expired]=454 EXPECT[dom,wrongname]=454
EXPECT[dom,wildcard]=tls EXPECT[dom,deep]=454 EXPECT[dom,cnonly]=tls
EXPECT[dom,valid]=tls
# TlsDomain *.example.test: one label below (mx1.example.test) matches,
# two labels (mx1.deep.example.test) do not, nor *.example.test itself
# against a wildcard TlsDomain unless equal (it is).
EXPECT[domwild,selfsigned]=454 EXPECT[domwild,expired]=454
EXPECT[domwild,wrongname]=454 EXPECT[domwild,wildcard]=tls
EXPECT[domwild,deep]=454 EXPECT[domwild,cnonly]=tls EXPECT[domwild,valid]=tls

pairs=()
for s in opp ign enc cert dom domwild; do
	for p in nostarttls refuse broken selfsigned expired wrongname \
	    wildcard deep cnonly valid; do
		pairs+=("$s,$p")
	done
done
tap_plan $(( ${#pairs[@]} * 2 + 22 ))

# A connector per pair: smart host [127.0.0.1] at the peer's port, for
# the address space <setting>-<peer>.test.
script=$tap_tmp/connectors.ps1
: >"$script"
for pair in "${pairs[@]}"; do
	s=${pair%,*} p=${pair#*,}
	echo "New-SendConnector -Name '$s-$p' -Usage Custom -AddressSpaces '$s-$p.test' -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port ${PORT[$p]} ${SETTING[$s]} | Out-Null" >>"$script"
done
"$HUBSH" --server "$SERVER" -File "$script" >"$tap_tmp/connectors.log" 2>&1 ||
    { tap_diag - <"$tap_tmp/connectors.log"; tap_bail "connectors"; }

dns_start "o365pilot.test. MX 10 o365pilot-test.mail.protection.outlook.test." \
    "o365pilot-test.mail.protection.outlook.test. A 127.0.0.3" ||
    tap_bail "dns"
hubd_start || tap_bail "hubd"

# --- the matrix ----------------------------------------------------------------

for pair in "${pairs[@]}"; do
	s=${pair%,*} p=${pair#*,}
	submit --from "s-$s-$p@example.org" --to "r@$s-$p.test" >/dev/null ||
	    tap_diag "submit $pair failed"
done

# received_as PEER SENDER: "tls" or "plain" for the message from SENDER,
# "" when there is none.
received_as() {
	local f
	for f in "$(peer_dir "$1")"/msg/*.env; do
		[ -e "$f" ] || continue
		grep -qx "mail_from=$2" "$f" || continue
		grep -qx 'tls=yes' "$f" && echo tls || echo plain
		return
	done
}
has_received() { [ -n "$(received_as "$1" "$2")" ]; }
# leaked PEER SENDER: lines of that transaction sent in plaintext.
leaked() { peer_plaintext_leaks "$1" | grep -F "$2"; }

for pair in "${pairs[@]}"; do
	s=${pair%,*} p=${pair#*,} want=${EXPECT[$pair]}
	from=s-$s-$p@example.org rcpt=r@$s-$p.test
	case $want in
	tls|plain)
		wait_for 20 has_received "$p" "$from"
		got=$(received_as "$p" "$from")
		[ "$got" = "$want" ]
		tap_result $? "$s against $p: delivered ($want)"
		if [ "$want" = tls ]; then
			[ -z "$(leaked "$p" "$from")" ]
		else
			wait_track SEND "$rcpt"
		fi
		tap_result $? "$s against $p: ${want/tls/nothing in plaintext}${want/plain/ and tracked as SEND}"
		;;
	451|454)
		wait_track DEFER "$rcpt" 20
		status=$(track_status DEFER "$rcpt")
		case $want in
		451) echo "$status" | grep -q '"451 5.7.3 STARTTLS is required to send mail\.\?"' ;;
		454) echo "$status" | grep -q '"454 4.7.5 Certificate validation failure\.\?"' ;;
		esac
		tap_result $? "$s against $p: deferred with $want"
		[ -z "$(received_as "$p" "$from")" ] &&
		    [ -z "$(leaked "$p" "$from")" ]
		tap_result $? "$s against $p: nothing delivered, nothing in plaintext"
		[ -n "$status" ] || tap_diag "no DEFER for $rcpt"
		;;
	esac
done

# --- Force TLS: MX to an Exchange Online-style certificate -------------------------

start outlook --listen 127.0.0.3:0 $(cert_opts outlook-all)
start outlook-nowild --listen 127.0.0.4:0 $(cert_opts outlook)
hubsh_run "New-SendConnector -Name 'Mail to o365pilot.test' -Usage Custom \
    -AddressSpaces 'o365pilot.test' -Port ${PORT[outlook]} | Out-Null
Set-SendConnector 'Mail to o365pilot.test' -RequireTls \$true \
    -TlsAuthLevel DomainValidation -TlsDomain *.outlook.test" ||
    tap_bail "force tls connector"
sleep 1
submit --from force@example.org --to admin@o365pilot.test
peer_wait_messages outlook 1 20 && [ "$(received_as outlook force@example.org)" = tls ]
tap_result $? "Force TLS: MX delivery to *.outlook.test with DomainValidation"
[ "$(peer_msg outlook 1 sni)" = o365pilot-test.mail.protection.outlook.test ] ||
    [ "$(peer_msg outlook 1 sni)" = outlook.test ]
tap_result $? "Force TLS: SNI names the host (got '$(peer_msg outlook 1 sni)')"
[ "$(spool_sql "SELECT tls_protocol FROM track WHERE event_id = 'SEND' AND sender = 'force@example.org'")" = TLSv1.3 ]
tap_result $? "Force TLS: the SEND record has the TLS protocol"

# The same connector to a certificate without *.outlook.test: a wildcard
# TlsDomain matches a wildcard name only when equal (Exchange's rule).
hubsh_run "Set-SendConnector 'Mail to o365pilot.test' -SmartHosts '[127.0.0.4]' \
    -DNSRoutingEnabled \$false -Port ${PORT[outlook-nowild]}" || tap_diag "set"
sleep 1
submit --from force2@example.org --to admin2@o365pilot.test
wait_track DEFER admin2@o365pilot.test 20 &&
    track_status DEFER admin2@o365pilot.test | grep -q '454 4.7.5'
tap_result $? "Force TLS: *.protection.outlook.test alone does not match *.outlook.test"

# --- injection after 220 Ready to start TLS ----------------------------------------

hubsh_run "New-SendConnector -Name inj -Usage Custom -AddressSpaces 'inj.test' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port ${PORT[inject]} \
    -RequireTLS \$true | Out-Null" || tap_diag "inj"
sleep 1
submit --from inj@example.org --to r@inj.test
wait_track DEFER r@inj.test 20
tap_result $? "bytes after 220 Ready to start TLS: the attempt is abandoned"
[ -z "$(received_as inject inj@example.org)" ] && [ "$(peer_stat inject tls)" = 0 ]
tap_result $? "no handshake and no mail on that session"
[ -z "$(leaked inject inj@example.org)" ]
tap_result $? "nothing sent in plaintext"

# --- BasicAuthRequireTLS -------------------------------------------------------------

cat >"$tap_tmp/auth.ps1" <<PS
\$pw = ConvertTo-SecureString 'S3cret-Pa55' -AsPlainText -Force
\$cred = New-Object System.Management.Automation.PSCredential('relayuser', \$pw)
New-SendConnector -Name authtls -Usage Custom -AddressSpaces 'auth.test' -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port ${PORT[auth]} -SmartHostAuthMechanism BasicAuthRequireTLS -AuthenticationCredential \$cred | Out-Null
New-SendConnector -Name authplain -Usage Custom -AddressSpaces 'authplain.test' -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port ${PORT[authplain]} -SmartHostAuthMechanism BasicAuthRequireTLS -AuthenticationCredential \$cred | Out-Null
New-SendConnector -Name basicclear -Usage Custom -AddressSpaces 'basicclear.test' -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port ${PORT[authplain]} -SmartHostAuthMechanism BasicAuth -AuthenticationCredential \$cred | Out-Null
New-SendConnector -Name basicbroken -Usage Custom -AddressSpaces 'basicbroken.test' -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port ${PORT[authbroken]} -SmartHostAuthMechanism BasicAuth -AuthenticationCredential \$cred | Out-Null
New-SendConnector -Name basicrefuse -Usage Custom -AddressSpaces 'basicrefuse.test' -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port ${PORT[authrefuse]} -SmartHostAuthMechanism BasicAuth -AuthenticationCredential \$cred | Out-Null
PS
"$HUBSH" --server "$SERVER" -File "$tap_tmp/auth.ps1" >"$tap_tmp/auth.log" 2>&1 ||
    tap_diag - <"$tap_tmp/auth.log"
sleep 1
submit --from a1@example.org --to r@auth.test
peer_wait_messages auth 1 20 && [ "$(peer_msg auth 1 auth_user)" = relayuser ] &&
    [ "$(peer_msg auth 1 auth_tls)" = yes ]
tap_result $? "BasicAuthRequireTLS: AUTH inside TLS, then delivered"
submit --from a2@example.org --to r@authplain.test
wait_track DEFER r@authplain.test 20 &&
    track_status DEFER r@authplain.test | grep -q '451 5.7.3 Require STARTTLS to do basic authentication'
tap_result $? "BasicAuthRequireTLS without STARTTLS: 451 5.7.3 Require STARTTLS to do basic authentication"
! grep -q ' auth ' "$(peer_dir authplain)/commands.log" 2>/dev/null &&
    ! grep -qi 'plain AUTH\|cmd AUTH' "$(peer_dir authplain)/commands.log"
tap_result $? "no AUTH ever sent to it"

# BasicAuth: in clear only to a host that never offered STARTTLS (as
# Exchange); a host that offered it and then broke the handshake, or
# refused it, gets no password in clear (the plaintext retry defers).
submit --from a3@example.org --to r@basicclear.test
wait_for 20 has_received authplain a3@example.org &&
    [ "$(received_as authplain a3@example.org)" = plain ] &&
    [ -n "$(leaked authplain 'AUTH')" ]
tap_result $? "BasicAuth to a host without STARTTLS: AUTH in clear, delivered (as Exchange)"
for p in broken refuse; do
	submit --from "a-$p@example.org" --to "r@basic$p.test"
	wait_track DEFER "r@basic$p.test" 20 &&
	    track_status DEFER "r@basic$p.test" |
	    grep -q '451 5.7.3 STARTTLS failed: basic authentication credentials are not sent in clear'
	tap_result $? "BasicAuth, STARTTLS $p: deferred with 451 5.7.3, credentials not sent in clear" ||
	    track_status DEFER "r@basic$p.test" | tap_diag -
	! grep -qi 'auth' "$(peer_dir auth$p)/commands.log"
	tap_result $? "no AUTH reached the $p peer, in clear or otherwise" ||
	    grep -i auth "$(peer_dir auth$p)/commands.log" | tap_diag -
done
! grep -rq 'S3cret-Pa55' "$tap_tmp"/hubd.*.log "$STATE/log" 2>/dev/null
tap_result $? "the password is in no log"

# --- resumption --------------------------------------------------------------------

hubsh_run "Set-SendConnector opp-valid -SmtpMaxMessagesPerConnection 1" ||
    tap_diag set
sleep 1
n0=$(peer_stat valid messages)
for i in 1 2 3; do submit --from "res$i@example.org" --to r@opp-valid.test; done
peer_wait_messages valid $((n0 + 3)) 20
tap_result $? "three messages, one per connection"
[ "${n0:-0}" -ge 0 ] && [ "$(peer_stat valid resumed)" -ge 1 ]
tap_result $? "later connections resume the TLS session ($(peer_stat valid resumed) resumed)"

# --- a change while hubd runs ----------------------------------------------------

hubsh_run "New-SendConnector -Name live -Usage Custom -AddressSpaces 'live.test' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port ${PORT[nostarttls]} | Out-Null"
sleep 1
submit --from live1@example.org --to r@live.test
wait_for 20 has_received nostarttls live1@example.org
[ "$(received_as nostarttls live1@example.org)" = plain ]
tap_result $? "before: opportunistic delivery in plaintext to a peer without STARTTLS"
hubsh_run "Set-SendConnector live -RequireTls \$true"
sleep 1
submit --from live2@example.org --to r2@live.test
wait_track DEFER r2@live.test 20 &&
    track_status DEFER r2@live.test | grep -q '451 5.7.3 STARTTLS is required'
tap_result $? "after Set-SendConnector -RequireTls \$true: the next message is deferred"
[ -z "$(received_as nostarttls live2@example.org)" ] &&
    [ -z "$(leaked nostarttls live2@example.org)" ]
tap_result $? "and nothing of it crossed in plaintext"

hubd_stop
tap_result $? "hubd stops cleanly"

exit $tap_failed
