#!/bin/bash
# intake.sh - hubd's ESMTP listener against hostile and careless clients:
# commands pipelined after STARTTLS are discarded (CVE-2011-0411), DATA
# ends only at CRLF.CRLF (SMTP smuggling), limits on recipients and
# size, and a Received header that records the client's TLS.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks swaks-tls aiosmtpd openssl
tap_plan 9

make_certs relay.hubd.test || tap_bail "certificates"
peer_start sink || tap_bail "peer"
hubsh_run "New-SendConnector -Name Sink -Usage Custom -AddressSpaces 'dest.test' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $PEER_PORT | Out-Null" ||
    tap_bail "connector"
hubd_start --tls-cert "$CERTS/valid.pem" --tls-key "$CERTS/valid.key" \
    --max-recipients 3 --max-message-size 20000 || tap_bail "hubd"

# raw STEP...: a raw client; each STEP is bytes to send in one write
# (backslash escapes), "TLS" to start TLS, or "READ" to read replies.
# Prints every reply line received.
raw() {
	"$PYTHON" - "$HUBD_PORT" "$@" <<'PY'
import socket, ssl, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
def read():
    time.sleep(0.3)
    s.settimeout(2)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
            if len(b) < 65536:
                break
    except (socket.timeout, ssl.SSLError):
        pass
    sys.stdout.write(out.decode("latin-1"))
read()
for step in sys.argv[2:]:
    if step == "TLS":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s, server_hostname="relay.hubd.test")
    elif step == "READ":
        read()
    else:
        s.sendall(step.encode().decode("unicode_escape").encode("latin-1"))
s.close()
PY
}

# --- STARTTLS: nothing from before the handshake runs after it ----------------

out=$(raw 'EHLO x\r\n' READ 'STARTTLS\r\nMAIL FROM:<a@example.org>\r\n' READ TLS \
    'EHLO x\r\n' READ 'RCPT TO:<r@dest.test>\r\n' READ 'QUIT\r\n' READ)
echo "$out" | grep -q '^250-STARTTLS' && echo "$out" | grep -q '^220 2.0.0'
tap_result $? "STARTTLS is offered and accepted"
echo "$out" | grep -q '^503 5.5.2 Need mail command'
tap_result $? "a MAIL pipelined after STARTTLS was discarded, not run inside TLS"

# --- smuggling --------------------------------------------------------------------

n0=$(peer_count sink)
raw 'EHLO x\r\n' READ 'MAIL FROM:<a@example.org>\r\n' READ \
    'RCPT TO:<r1@dest.test>\r\n' READ 'DATA\r\n' READ \
    'Subject: one\r\n\r\nfirst\n.\nMAIL FROM:<evil@example.org>\nRCPT TO:<r2@dest.test>\nDATA\n\nsmuggled\r\n.\r\n' \
    READ 'QUIT\r\n' READ >"$tap_tmp/smuggle.out"
[ "$(grep -c '^250 2.6.0' "$tap_tmp/smuggle.out")" = 1 ]
tap_result $? "LF.LF does not end DATA: one message accepted, not two"
peer_wait_messages sink $((n0 + 1)) && sleep 1 &&
    [ "$(peer_count sink)" = $((n0 + 1)) ] &&
    [ "$(peer_msg sink $((n0 + 1)) rcpt)" = r1@dest.test ]
tap_result $? "the next hop receives exactly that one message"
f=$(peer_msg_file sink $((n0 + 1)))
! "$PYTHON" -c 'import re,sys; d=open(sys.argv[1],"rb").read(); sys.exit(0 if re.search(rb"(?<!\r)\n|\r(?!\n)", d) else 1)' "$f"
tap_result $? "and it carries no bare CR or LF"

# --- limits --------------------------------------------------------------------------

out=$(raw 'EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<a@dest.test>\r\nRCPT TO:<b@dest.test>\r\nRCPT TO:<c@dest.test>\r\nRCPT TO:<d@dest.test>\r\nQUIT\r\n' READ)
echo "$out" | grep -q '^452 4.5.3 Too many recipients'
tap_result $? "max-recipients: 452 4.5.3 Too many recipients"
out=$(raw 'EHLO x\r\nMAIL FROM:<a@example.org> SIZE=30000\r\nQUIT\r\n' READ)
echo "$out" | grep -q '^552 5.3.4'
tap_result $? "max-message-size: SIZE over the limit gets 552 5.3.4"

# --- Received with TLS -----------------------------------------------------------

n0=$(peer_count sink)
submit --to tls@dest.test -tls
peer_wait_messages sink $((n0 + 1))
tap_result $? "a message submitted over STARTTLS is relayed"
grep -Eq '^Received: from client.test \(\[127.0.0.1\]\) by relay.hubd.test with ESMTPS \(version=TLSv1\.[23] cipher=[A-Z0-9_-]+\)' \
    "$(peer_msg_file sink $((n0 + 1)))"
tap_result $? "its Received header records the TLS version and cipher"

exit $tap_failed
