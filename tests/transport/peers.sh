#!/bin/bash
# peers.sh - the transport test peers do what they claim: each certificate
# of mkcerts.sh, each behaviour of peer.py and the DNS server of dns.sh,
# driven by independent clients (openssl, swaks, dig, Python's smtplib and
# ssl).  A missing tool is an error, not a skip.

. "${top_srcdir:-.}/tests/transport/lib.sh"

tap_need openssl swaks swaks-tls unbound dig aiosmtpd
tap_plan 91

# --- certificates --------------------------------------------------------------

make_certs
tap_result $? "mkcerts.sh makes the standard set"

files_ok=0
for f in ca rogue-ca valid selfsigned untrusted expired notyet wrongname \
    wildcard deep outlook outlook-wild cnonly noeku; do
	[ -s "$CERTS/$f.pem" ] && [ -s "$CERTS/$f.key" ] &&
	    openssl x509 -in "$CERTS/$f.pem" -noout 2>/dev/null &&
	    [ "$(openssl x509 -in "$CERTS/$f.pem" -noout -pubkey | openssl sha256)" = \
	      "$(openssl pkey -in "$CERTS/$f.key" -pubout | openssl sha256)" ] &&
	    openssl pkey -in "$CERTS/$f.key" -noout -text 2>/dev/null |
	    grep -q 'NIST CURVE: P-256' || { files_ok=1; tap_diag "bad $f"; }
done
tap_result $files_ok "every certificate parses and matches its own P-256 key"

# verify CERT [HOST] [CA] [PURPOSE]: openssl verify's last line.
verify() {
	local host=()
	[ -n "${2:-}" ] && host=(-verify_hostname "$2")
	openssl verify -CAfile "$CERTS/${3:-ca}.pem" -purpose "${4:-sslserver}" \
	    "${host[@]}" "$CERTS/$1.pem" 2>&1
}
# verify_ok / verify_err ERROR CERT ...: success, or the given error.
verify_ok() { verify "$@" | grep -q ': OK$'; }
verify_err() {
	local want=$1 out
	shift
	out=$(verify "$@")
	! echo "$out" | grep -q ': OK$' && echo "$out" | grep -q "$want"
}
# names CERT: the SAN entries, one line.
names() {
	openssl x509 -in "$CERTS/$1.pem" -noout -ext subjectAltName 2>/dev/null |
	    sed -n '2p' | sed 's/^ *//'
}

verify_ok valid mx1.example.test && verify_ok valid mx2.example.test &&
    verify_ok valid mx.example.test
tap_result $? "valid.pem verifies for its names with ca.pem"
verify_err "hostname mismatch" valid mx1.other.test
tap_result $? "valid.pem fails for another name"
verify_err "self-signed certificate" selfsigned mx1.example.test
tap_result $? "selfsigned.pem does not verify with ca.pem"
verify_err "unable to get local issuer" untrusted mx1.example.test &&
    verify_ok untrusted mx1.example.test rogue-ca &&
    verify_err "unable to get local issuer" valid mx1.example.test rogue-ca
tap_result $? "untrusted.pem chains only to rogue-ca.pem, valid.pem only to ca.pem"
verify_err "certificate has expired" expired mx1.example.test &&
    [ "$(openssl x509 -in "$CERTS/expired.pem" -noout -enddate)" = \
      "notAfter=Jan  1 00:00:00 2021 GMT" ]
tap_result $? "expired.pem has expired (2021-01-01)"
verify_err "certificate is not yet valid" notyet mx1.example.test
tap_result $? "notyet.pem is not yet valid"
verify_ok wrongname && verify_err "hostname mismatch" wrongname mx1.example.test &&
    [ "$(names wrongname)" = "DNS:mx.wrong.test" ]
tap_result $? "wrongname.pem: trusted chain, only mx.wrong.test"
verify_ok wildcard a.example.test &&
    verify_err "hostname mismatch" wildcard a.b.example.test &&
    verify_err "hostname mismatch" wildcard example.test
tap_result $? "wildcard.pem (*.example.test) covers exactly one label"
verify_ok deep mx1.deep.example.test &&
    [ "$(names deep)" = "DNS:mx1.deep.example.test" ]
tap_result $? "deep.pem names mx1.deep.example.test only"
[ "$(names outlook)" = "DNS:mail.protection.outlook.test, DNS:*.protection.outlook.test" ] &&
    verify_ok outlook mail.protection.outlook.test &&
    verify_ok outlook eur01.protection.outlook.test
tap_result $? "outlook.pem names mail.protection.outlook.test and *.protection.outlook.test"
[ "$(names outlook-wild)" = "DNS:*.outlook.test" ] &&
    verify_ok outlook-wild protection.outlook.test
tap_result $? "outlook-wild.pem names *.outlook.test only"
! openssl x509 -in "$CERTS/cnonly.pem" -noout -text | grep -q 'Subject Alternative Name' &&
    openssl x509 -in "$CERTS/cnonly.pem" -noout -subject | grep -q 'CN *= *mx1.example.test$'
tap_result $? "cnonly.pem: subject CN mx1.example.test, no SAN extension"
verify_err "unsuitable certificate purpose" noeku mx1.example.test &&
    verify_ok noeku mx1.example.test ca any
tap_result $? "noeku.pem: trusted, but not for TLS servers"
make_leaf extra -ca rogue -expired extra.example.test &&
    verify_err "unable to get local issuer" extra &&
    verify_err "certificate has expired" extra extra.example.test rogue-ca
tap_result $? "mkcerts.sh -leaf adds a leaf with the options asked"

# --- a normal STARTTLS peer ------------------------------------------------------

peer_start tls $(cert_opts valid) --hostname mx1.example.test
tap_result $? "peer starts with a certificate"
p=$PEER_PORT
[[ "$p" =~ ^[0-9]+$ ]] && [ "$p" -gt 0 ] &&
    [ "$(cat "$(peer_dir tls)/stdout")" = "$p" ] &&
    [ "$(cat "$(peer_dir tls)/pid")" = "${tt_peer_pid[tls]}" ]
tap_result $? "ready file, standard output and pid file agree"

swaks_send 127.0.0.1 "$p" -tls --tls-verify --tls-ca-path "$CERTS/ca.pem" \
    --tls-sni mx1.example.test --header 'Subject: over TLS'
tap_result $? "swaks delivers over verified STARTTLS"
peer_wait_messages tls 1 &&
    [ "$(peer_msg tls 1 tls)" = yes ] &&
    [ "$(peer_msg tls 1 tls_version)" = TLSv1.3 ] &&
    [ -n "$(peer_msg tls 1 tls_cipher)" ] &&
    [ "$(peer_msg tls 1 sni)" = mx1.example.test ] &&
    [ "$(peer_msg tls 1 mail_from)" = sender@example.org ] &&
    [ "$(peer_msg tls 1 rcpt)" = rcpt@example.test ] &&
    [ "$(peer_msg tls 1 helo)" = client.test ] &&
    [ "$(peer_msg tls 1 conn)" = 1 ] && [ "$(peer_msg tls 1 seq)" = 1 ] &&
    grep -q '^Subject: over TLS' "$(peer_msg_file tls 1)" &&
    [ "$(peer_msg tls 1 size)" = "$(wc -c <"$(peer_msg_file tls 1)")" ]
tap_result $? "the message file records envelope, TLS version, cipher and SNI"
peer_commands tls | grep -q '^1 plain cmd STARTTLS$' &&
    peer_commands tls | grep -q '^1 tls cmd MAIL FROM:<sender@example.org>' &&
    peer_commands tls | grep -q '^1 tls data [0-9]* bytes$' &&
    [ -z "$(peer_plaintext_leaks tls)" ]
tap_result $? "commands.log: STARTTLS in plaintext, the transaction inside TLS"

swaks_send 127.0.0.1 "$p"
tap_result $? "the same peer takes a plaintext delivery"
[ "$(peer_msg tls 2 tls)" = no ] && [ "$(peer_msg tls 2 tls_version)" = "" ] &&
    peer_plaintext_leaks tls | grep -q '^2 plain cmd MAIL' &&
    peer_plaintext_leaks tls | grep -q '^2 plain data'
tap_result $? "a plaintext delivery is recorded as such and shows as a leak"

out=$(openssl s_client -starttls smtp -connect "127.0.0.1:$p" -nocommands \
    -servername mx1.example.test -verify_hostname mx1.example.test \
    -CAfile "$CERTS/ca.pem" -verify_return_error </dev/null 2>&1)
echo "$out" | grep -q 'Verify return code: 0 (ok)'
tap_result $? "openssl s_client verifies the peer by name with ca.pem"
out=$(openssl s_client -starttls smtp -connect "127.0.0.1:$p" -nocommands \
    -CAfile "$CERTS/rogue-ca.pem" -verify_return_error </dev/null 2>&1)
! echo "$out" | grep -q 'Verify return code: 0 (ok)'
tap_result $? "... and not with the untrusted CA"
swaks_send 127.0.0.1 "$p" -tls --tls-verify --tls-ca-path "$CERTS/rogue-ca.pem"
[ $? -ne 0 ] && [ "$(peer_count tls)" = 2 ]
tap_result $? "swaks refuses the peer when verifying against the untrusted CA"

smtp_client send 127.0.0.1 "$p" --starttls --sni mx1.example.test \
    --ca "$CERTS/ca.pem" --connections 2 --messages 3 --resume \
    >"$tap_tmp/multi.out" 2>&1
tap_result $? "client.py sends 3 messages on each of 2 connections"
[ "$(peer_stat tls connections)" -ge 6 ] && [ "$(peer_stat tls messages)" = 8 ] &&
    [ "$(peer_msg tls 3 conn)" = "$(peer_msg tls 5 conn)" ] &&
    [ "$(peer_msg tls 5 seq)" = 3 ] &&
    [ "$(peer_msg tls 6 conn)" = "$(( $(peer_msg tls 5 conn) + 1 ))" ] &&
    [ "$(peer_msg tls 8 seq)" = 3 ]
tap_result $? "messages counted per peer and per connection (connection reuse)"
grep -q '^conn 2 tls=TLSv1.3 resumed=yes' "$tap_tmp/multi.out" &&
    [ "$(peer_msg tls 3 tls_resumed)" = no ] &&
    [ "$(peer_msg tls 6 tls_resumed)" = yes ] &&
    [ "$(peer_stat tls resumed)" = 1 ]
tap_result $? "TLS session resumption recorded"

smtp_client probe 127.0.0.1 "$p" --after 'MAIL FROM:<early@example.org>\r\n' \
    >"$tap_tmp/early.out" 2>&1
grep -q '^handshake: ok' "$tap_tmp/early.out" &&
    peer_commands tls | grep -q ' plain discarded MAIL FROM:<early@example.org>$' &&
    peer_plaintext_leaks tls | grep -q 'discarded MAIL FROM:<early'
tap_result $? "a command pipelined after STARTTLS is logged as discarded plaintext"

# --- certificate variants on the wire ------------------------------------------

# s_client_verify PORT NAME [s_client options]: verification result line.
s_client_verify() {
	local port=$1 name=$2
	shift 2
	openssl s_client -starttls smtp -connect "127.0.0.1:$port" -nocommands \
	    -verify_hostname "$name" -CAfile "$CERTS/ca.pem" "$@" </dev/null 2>&1 |
	    grep 'Verify return code'
}

peer_start expired $(cert_opts expired)
s_client_verify "$PEER_PORT" mx1.example.test -servername mx1.example.test |
    grep -q 'certificate has expired'
tap_result $? "expired peer: verification fails, certificate has expired"
swaks_send 127.0.0.1 "$PEER_PORT" -tls --tls-verify --tls-ca-path "$CERTS/ca.pem"
s1=$?
swaks_send 127.0.0.1 "$PEER_PORT" -tls
[ $s1 -ne 0 ] && [ $? -eq 0 ] && [ "$(peer_count expired)" = 1 ]
tap_result $? "expired peer: swaks fails verifying, delivers without"

peer_start self $(cert_opts selfsigned)
s_client_verify "$PEER_PORT" mx1.example.test | grep -q 'self-signed certificate'
tap_result $? "self-signed peer: verification fails"

peer_start wrong $(cert_opts wrongname)
s_client_verify "$PEER_PORT" mx1.example.test -servername mx1.example.test |
    grep -q 'hostname mismatch' &&
    s_client_verify "$PEER_PORT" mx.wrong.test | grep -q '0 (ok)'
tap_result $? "wrong-name peer: trusted chain, name mismatch"

peer_start sni $(cert_opts wrongname) --sni-cert "mx1.example.test=$CERTS/valid.pem:$CERTS/valid.key"
s_client_verify "$PEER_PORT" mx1.example.test -servername mx1.example.test |
    grep -q '0 (ok)' &&
    s_client_verify "$PEER_PORT" mx1.example.test -noservername |
    grep -q 'hostname mismatch'
tap_result $? "--sni-cert: the right certificate only when SNI names it"
peer_events sni | grep -q ' tls .*sni=mx1.example.test ' &&
    peer_events sni | grep -q ' tls .*sni= '
tap_result $? "events.log records the SNI sent, and its absence"

peer_start outlook $(cert_opts outlook)
s_client_verify "$PEER_PORT" mail.protection.outlook.test |
    grep -q '0 (ok)'
tap_result $? "outlook peer verifies as mail.protection.outlook.test"

peer_start old $(cert_opts valid) --tls-max 1.1
openssl s_client -starttls smtp -connect "127.0.0.1:$PEER_PORT" -nocommands \
    -tls1_2 </dev/null >"$tap_tmp/old12.out" 2>&1
s1=$?
openssl s_client -starttls smtp -connect "127.0.0.1:$PEER_PORT" -nocommands \
    -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null >"$tap_tmp/old11.out" 2>&1
[ $s1 -ne 0 ] && grep -q 'Protocol *: TLSv1.1' "$tap_tmp/old11.out"
tap_result $? "--tls-max 1.1: TLS 1.2 refused, TLS 1.1 spoken"
peer_start new $(cert_opts valid) --tls-min 1.3
openssl s_client -starttls smtp -connect "127.0.0.1:$PEER_PORT" -nocommands \
    -tls1_2 </dev/null >/dev/null 2>&1
tap_result $(( $? == 0 )) "--tls-min 1.3: TLS 1.2 refused"

# --- STARTTLS behaviours -------------------------------------------------------

peer_start none
swaks_send 127.0.0.1 "$PEER_PORT" -tls
s1=$?
! grep -q '^<-  250.STARTTLS' "$SWAKS_LOG" &&
    grep -q 'Host did not advertise STARTTLS' "$SWAKS_LOG" && [ $s1 -ne 0 ]
tap_result $? "no-STARTTLS peer: not advertised, swaks -tls fails"
smtp_client probe 127.0.0.1 "$PEER_PORT" >"$tap_tmp/none.out" 2>&1
grep -q "starttls-reply: b'500 " "$tap_tmp/none.out"
tap_result $? "no-STARTTLS peer: STARTTLS is an unknown command (500)"
swaks_send 127.0.0.1 "$PEER_PORT" && [ "$(peer_count none)" = 1 ]
tap_result $? "no-STARTTLS peer: plaintext delivery works"

peer_start refuse --starttls refuse
swaks_send 127.0.0.1 "$PEER_PORT" -tls
s1=$?
grep -q '^<-  250-STARTTLS' "$SWAKS_LOG" &&
    grep -q '^<\*\* 454 4.7.0 TLS not available' "$SWAKS_LOG" && [ $s1 -ne 0 ] &&
    [ "$(peer_count refuse)" = 0 ]
tap_result $? "454 peer: STARTTLS advertised, answered 454 4.7.0"
smtp_client probe 127.0.0.1 "$PEER_PORT" >"$tap_tmp/refuse.out" 2>&1
grep -qx "starttls-reply: b'454 4.7.0 TLS not available\\\\r\\\\n'" "$tap_tmp/refuse.out"
tap_result $? "454 peer: the reply is exactly the 454 line"

peer_start close --starttls close
smtp_client probe 127.0.0.1 "$PEER_PORT" >"$tap_tmp/close.out" 2>&1
grep -qx "starttls-reply: b'220 Ready to start TLS\\\\r\\\\n'" "$tap_tmp/close.out" &&
    grep -q '^handshake: failed' "$tap_tmp/close.out"
tap_result $? "close peer: 220, then the handshake fails"
swaks_send 127.0.0.1 "$PEER_PORT" -tls
s1=$?
grep -q '^<-  220 Ready to start TLS' "$SWAKS_LOG" && [ $s1 -ne 0 ] &&
    [ "$(peer_stat close tls_failed)" = 2 ] && [ "$(peer_stat close tls)" = 0 ]
tap_result $? "close peer: swaks -tls fails after 220; failures counted"
swaks_send 127.0.0.1 "$PEER_PORT" && [ "$(peer_msg close 1 tls)" = no ]
tap_result $? "close peer: a new plaintext connection still delivers"

peer_start garbage --starttls garbage
smtp_client probe 127.0.0.1 "$PEER_PORT" >"$tap_tmp/garbage.out" 2>&1
grep -qx "starttls-reply: b'220 Ready to start TLS\\\\r\\\\n'" "$tap_tmp/garbage.out" &&
    grep -q '^handshake: failed.*WRONG_VERSION_NUMBER' "$tap_tmp/garbage.out"
tap_result $? "garbage peer: 220, then bytes that are not TLS"
swaks_send 127.0.0.1 "$PEER_PORT" -tls
tap_result $(( $? == 0 )) "garbage peer: swaks -tls fails"

peer_start inject $(cert_opts valid) --starttls inject
smtp_client probe 127.0.0.1 "$PEER_PORT" >"$tap_tmp/inject.out" 2>&1
grep -qx "starttls-reply: b'220 Ready to start TLS\\\\r\\\\n250 injected before TLS\\\\r\\\\n'" \
    "$tap_tmp/inject.out" && grep -q '^handshake: ok' "$tap_tmp/inject.out"
tap_result $? "inject peer: extra bytes in the same read as 220, then TLS works"
peer_start inject2 $(cert_opts valid) --starttls inject --inject '250-a\r\n250 b\r\n'
smtp_client probe 127.0.0.1 "$PEER_PORT" >"$tap_tmp/inject2.out" 2>&1
grep -qx "starttls-reply: b'220 Ready to start TLS\\\\r\\\\n250-a\\\\r\\\\n250 b\\\\r\\\\n'" \
    "$tap_tmp/inject2.out" && peer_events inject2 | grep -q ' inject bytes=14$'
tap_result $? "inject peer: --inject chooses the bytes"

peer_start reqtls $(cert_opts valid) --require-tls
swaks_send 127.0.0.1 "$PEER_PORT"
s1=$?
grep -q '^<\*\* 530 Must issue a STARTTLS command first' "$SWAKS_LOG" && [ $s1 -ne 0 ] &&
    swaks_send 127.0.0.1 "$PEER_PORT" -tls && [ "$(peer_count reqtls)" = 1 ]
tap_result $? "--require-tls: 530 in plaintext, delivery over TLS"

# --- AUTH ------------------------------------------------------------------------

peer_start auth $(cert_opts valid) --auth relayuser:S3cret
swaks_send 127.0.0.1 "$PEER_PORT" -tls -a PLAIN -au relayuser -ap S3cret &&
    [ "$(peer_msg auth 1 auth_user)" = relayuser ] &&
    [ "$(peer_msg auth 1 auth_tls)" = yes ] && [ -z "$(peer_plaintext_leaks auth)" ]
tap_result $? "AUTH PLAIN inside TLS: recorded with auth_tls=yes"
swaks_send 127.0.0.1 "$PEER_PORT" -a LOGIN -au relayuser -ap S3cret &&
    [ "$(peer_msg auth 2 auth_tls)" = no ] &&
    peer_events auth | grep -q ' auth user=relayuser tls=no mechanism=LOGIN$' &&
    peer_plaintext_leaks auth | grep -q '^2 plain cmd AUTH LOGIN' &&
    peer_plaintext_leaks auth | grep -q '^2 plain auth '
tap_result $? "AUTH LOGIN in plaintext: recorded with auth_tls=no and as a leak"
swaks_send 127.0.0.1 "$PEER_PORT" -tls -a PLAIN -au relayuser -ap wrong
s1=$?
grep -q '^<~\* 535 ' "$SWAKS_LOG" && [ $s1 -ne 0 ] && [ "$(peer_count auth)" = 2 ] &&
    [ "$(peer_stat auth auth)" = 2 ]
tap_result $? "a wrong password gets 535"

peer_start authtls $(cert_opts valid) --auth relayuser:S3cret --auth-tls-only --auth-required
swaks_send 127.0.0.1 "$PEER_PORT" -tls -a PLAIN -au relayuser -ap S3cret
s1=$?
! grep -q '^<-  250-AUTH' <(sed -n '1,/^ -> STARTTLS/p' "$SWAKS_LOG") &&
    grep -q '^<~  250-AUTH LOGIN PLAIN' "$SWAKS_LOG" && [ $s1 -eq 0 ]
tap_result $? "--auth-tls-only: AUTH offered only inside TLS"
swaks_send 127.0.0.1 "$PEER_PORT" -tls
s1=$?
grep -q '^<~\* 530 5.7.0 Authentication required' "$SWAKS_LOG" && [ $s1 -ne 0 ]
tap_result $? "--auth-required: MAIL without AUTH gets 530"
peer_start noauth
swaks_send 127.0.0.1 "$PEER_PORT" -a PLAIN -au u -ap p
s1=$?
! grep -q 'AUTH' <(grep '^<-  250' "$SWAKS_LOG") && [ $s1 -ne 0 ]
tap_result $? "without --auth, AUTH is not offered"

# --- injected replies --------------------------------------------------------------

peer_start rules --reply 'RCPT:bad@=550 5.1.1 no such user' \
    --reply 'DATA#1=452 4.3.1 out of space' --reply 'EOM#1=451 4.3.0 try again' \
    --reply 'RCPT:drop@=close'
r=$PEER_PORT
swaks_send 127.0.0.1 "$r" --to bad@example.test
s1=$?
grep -q '^<\*\* 550 5.1.1 no such user' "$SWAKS_LOG" && [ $s1 -ne 0 ]
tap_result $? "--reply RCPT:MATCH: 550 for that recipient"
swaks_send 127.0.0.1 "$r" --to good@example.test,bad@example.test
s1=$?
grep -q '^<\*\* 452 4.3.1 out of space' "$SWAKS_LOG" && [ $s1 -ne 0 ]
tap_result $? "--reply DATA#1: 452 to the first DATA"
swaks_send 127.0.0.1 "$r" --to good@example.test,bad@example.test
s1=$?
grep -q '^<\*\* 451 4.3.0 try again' "$SWAKS_LOG" && [ $s1 -ne 0 ] &&
    [ "$(peer_count rules)" = 0 ]
tap_result $? "--reply EOM#1: 451 after the final dot, message not recorded"
swaks_send 127.0.0.1 "$r" --to good@example.test,bad@example.test &&
    [ "$(peer_count rules)" = 1 ] && [ "$(peer_msg rules 1 rcpt)" = good@example.test ]
tap_result $? "after #1 rules are used up, delivery to the accepted recipient"
swaks_send 127.0.0.1 "$r" --to drop@example.test
s1=$?
grep -q 'Remote host closed connection unexpectedly' "$SWAKS_LOG" && [ $s1 -ne 0 ] &&
    peer_events rules | grep -q ' rule cmd=RCPT reply=close$'
tap_result $? "--reply ...=close drops the connection"
[ "$(peer_stat rules rejected)" = 7 ]
tap_result $? "rule answers counted in stats"

peer_start slow --reply 'MAIL:slow@=250 ok, slowly' --delay MAIL=1
start=$(date +%s%N)
swaks_send 127.0.0.1 "$PEER_PORT" --from slow@example.org --quit-after MAIL
end=$(date +%s%N)
grep -q '^<-  250 ok, slowly' "$SWAKS_LOG" && [ $(( (end - start) / 1000000 )) -ge 1000 ]
tap_result $? "--delay MAIL=1 and a 2xx --reply"

peer_start greet --reply 'CONNECT#1=421 4.3.2 busy, try later'
swaks_send 127.0.0.1 "$PEER_PORT"
s1=$?
grep -q '421 4.3.2 busy' "$SWAKS_LOG" && [ $s1 -ne 0 ] &&
    swaks_send 127.0.0.1 "$PEER_PORT" && [ "$(peer_stat greet connections)" = 2 ]
tap_result $? "--reply CONNECT#1: a 421 greeting once, then 220"

peer_start pipe
swaks_send 127.0.0.1 "$PEER_PORT" --pipeline --to a@example.test,b@example.test &&
    grep -q '^<-  250-PIPELINING' "$SWAKS_LOG" && [ "$(peer_msg pipe 1 rcpt | wc -l)" = 2 ]
tap_result $? "PIPELINING advertised and a pipelined transaction delivered"
peer_start nopipe --no-pipelining
swaks_send 127.0.0.1 "$PEER_PORT" && ! grep -q 'PIPELINING' "$SWAKS_LOG"
tap_result $? "--no-pipelining: not advertised"

# --- addresses and lifecycle -------------------------------------------------------

peer_start multi --listen 127.0.0.2:0 --listen 127.0.0.3
m=$PEER_PORT
swaks_send 127.0.0.2 "$m" && swaks_send 127.0.0.3 "$m" &&
    [ "$(peer_msg multi 1 local)" = "127.0.0.2:$m" ] &&
    [ "$(peer_msg multi 2 local)" = "127.0.0.3:$m" ]
tap_result $? "one peer on 127.0.0.2 and 127.0.0.3, same port; local address recorded"
peer_start multi2 --listen "127.0.0.4:$m"
swaks_send 127.0.0.4 "$m" && [ "$(peer_count multi2)" = 1 ] &&
    [ "$(peer_count multi)" = 2 ]
tap_result $? "a second peer on the same port at another address"
peer_start v6 --listen '[::1]:0'
smtp_client send ::1 "$PEER_PORT" >/dev/null 2>&1 &&
    [ "$(peer_msg v6 1 local)" = "[::1]:$PEER_PORT" ]
tap_result $? "a peer on ::1"
peer_start public --listen 0.0.0.0:0 2>/dev/null
s1=$?
[ $s1 -ne 0 ] && grep -q 'not a loopback address' "$(peer_dir public)/stderr"
tap_result $? "a non-loopback listen address is refused"
peer_start badrule --reply 'FOO=250 x' 2>/dev/null
tap_result $(( $? == 0 )) "an unknown command in --reply is refused"

[ "$(peer_message_ids tls | wc -l)" = 8 ] && [ -z "$(peer_message_ids tls | sort | uniq -d)" ]
tap_result $? "peer_message_ids: one Message-ID per message, no duplicates"

pid=${tt_peer_pid[tls]}
peer_stop tls && ! kill -0 "$pid" 2>/dev/null &&
    ! swaks_send 127.0.0.1 "$p"
tap_result $? "peer_stop stops a peer"
conns=$(peer_stat tls connections)
peer_start tls $(cert_opts valid) --listen "127.0.0.1:$p" &&
    [ "$PEER_PORT" = "$p" ] &&
    swaks_send 127.0.0.1 "$p" --header 'Message-Id: <dup@client.test>' &&
    swaks_send 127.0.0.1 "$p" --header 'Message-Id: <dup@client.test>' &&
    [ "$(peer_stat tls messages)" = 10 ] && [ "$(peer_msg tls 9 conn)" = $((conns + 1)) ] &&
    [ "$(peer_message_ids tls | sort | uniq -d)" = "<dup@client.test>" ]
tap_result $? "restarted on its port, a peer carries on; duplicates show"

wait_file "$tap_tmp/never" 1
tap_result $(( $? == 0 )) "wait_file gives up after its timeout"

# A test script that starts a peer and exits leaves nothing behind.
sub=$(bash -c '. "$1"; peer_start x >/dev/null; echo "$tap_tmp ${tt_peer_pid[x]}"' \
    _ "$tt_dir/lib.sh")
subdir=${sub% *} subpid=${sub#* }
sleep 0.2
[ -n "$subpid" ] && ! kill -0 "$subpid" 2>/dev/null && [ ! -e "$subdir" ]
tap_result $? "cleanup at exit kills the peers and removes the directory"

# --- DNS ---------------------------------------------------------------------

dns_start "example.test. MX 10 mx1.example.test." \
    "example.test. MX 10 mx2.example.test." \
    "mx1.example.test. A 127.0.0.2" "mx1.example.test. AAAA ::1" \
    "mx2.example.test. A 127.0.0.3" \
    "nullmx.test. MX 0 ." "implicit.test. A 127.0.0.4" \
    "o365pilot.test. MX 0 o365pilot-test.mail.protection.outlook.test." \
    "o365pilot-test.mail.protection.outlook.test. 30 A 127.0.0.5" \
    zone:invalid-tld
tap_result $? "unbound starts on a free port"
[ "$(dns_query example.test MX | sort)" = "$(printf '10 mx1.example.test.\n10 mx2.example.test.')" ]
tap_result $? "an equal-preference MX pair"
[ "$(dns_query mx1.example.test A)" = 127.0.0.2 ] &&
    [ "$(dns_query mx1.example.test AAAA)" = ::1 ] &&
    [ "$(dns_query mx2.example.test A)" = 127.0.0.3 ]
tap_result $? "A and AAAA records"
[ "$(dns_query nullmx.test MX)" = "0 ." ]
tap_result $? "a null MX (0 .)"
[ "$(dns_status implicit.test MX)" = NOERROR ] && [ -z "$(dns_query implicit.test MX)" ] &&
    [ "$(dns_query implicit.test A)" = 127.0.0.4 ]
tap_result $? "no MX but an A record (implicit MX)"
[ "$(dns_status nx.test MX)" = NXDOMAIN ] && [ "$(dns_status nx.invalid-tld A)" = NXDOMAIN ]
tap_result $? "NXDOMAIN for a name without data"
[ "$(dns_status example.com A)" = REFUSED ]
tap_result $? "no recursion: REFUSED outside the test zones"
flags=$(dig @"$DNS_ADDR" -p "$DNS_PORT" +rec example.test MX | grep '^;; flags:')
echo "$flags" | grep -q ' rd' && echo "$flags" | grep -q ' ra' && echo "$flags" | grep -q ' aa'
tap_result $? "a query with RD set is answered (rd ra aa)"
[ "$(dns_query example.test MX +tcp | wc -l)" = 2 ]
tap_result $? "over TCP as well"
dig @"$DNS_ADDR" -p "$DNS_PORT" example.test MX | grep -q '^example.test\.[[:space:]]*5[[:space:]]' &&
    dig @"$DNS_ADDR" -p "$DNS_PORT" o365pilot-test.mail.protection.outlook.test A |
    grep -q '[[:space:]]30[[:space:]]*IN[[:space:]]*A[[:space:]]*127.0.0.5'
tap_result $? "TTL 5 s unless the record gives one"
[ "$(dns_query o365pilot.test MX)" = "0 o365pilot-test.mail.protection.outlook.test." ]
tap_result $? "the Force TLS domain's MX"
bash "$tt_dir/dns.sh" "$tap_tmp/dns-bad" 192.0.2.1 5353 "a.test. A 127.0.0.1" 2>/dev/null
tap_result $(( $? == 0 )) "dns.sh refuses a non-loopback address"
dns_stop && [ -z "$(dns_query example.test MX +tries=1 +time=1 2>/dev/null | grep -v '^;')" ]
tap_result $? "dns_stop stops it"

exit 0
