# lib.sh - helpers for the transport tests (sourced, bash): TAP output, a
# temporary directory, and real peers on loopback: SMTP servers (peer.py),
# a DNS server (dns.sh), test certificates (mkcerts.sh), swaks; pg.sh,
# sourced after this file, adds a private PostgreSQL server.
#
# Each test script prints TAP, plan first, one "ok"/"not ok" line per case,
# as the shell tests do.  A missing tool is "Bail out!" (an error in make
# check), never a skip.  Everything a script starts with peer_start or
# dns_start is killed when it exits (a PostgreSQL server of pg.sh is shut
# down first, by its at_exit function), and its temporary directory removed
# (kept, and its path printed, when HUBSH_TEST_KEEP is set).  Only loopback
# addresses (127.0.0.0/8, ::1) are ever used.
#
# peer_start and dns_start record the process they start in this shell:
# call them directly, never inside $(...) or a pipeline.
#
# Environment: top_srcdir as for the shell tests (defaults to this tree);
# PYTHON, the interpreter with Debian's aiosmtpd (default /usr/bin/python3).

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
tt_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${PYTHON:=/usr/bin/python3}"
export LC_ALL=C.UTF-8
# PATH gains /usr/sbin (unbound); need_check and need_missing.
. "$top_srcdir/tests/needs.sh"

# --- TAP -----------------------------------------------------------------

tap_n=0
tap_failed=0

# tap_plan N: the plan line.
tap_plan() { echo "1..$1"; }

# tap_result STATUS NAME [DETAIL]: one result; STATUS 0 is ok.  A
# failure shows DETAIL (any number of lines) as comments, and returns 1,
# so that "tap_result $? NAME || tap_diag ..." can say more.
tap_result() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
		return 0
	fi
	echo "not ok $tap_n - $2"
	[ $# -ge 3 ] && tap_diag - <<<"$3"
	tap_failed=1
	return 1
}

# tap_ok NAME CMD...: ok when CMD succeeds.
tap_ok() {
	local name=$1
	shift
	"$@"
	tap_result $? "$name"
}

# tap_fails NAME CMD...: ok when CMD fails.
tap_fails() {
	local name=$1
	shift
	! "$@"
	tap_result $? "$name"
}

# tap_diag TEXT...: comment lines (also each line of standard input with -).
tap_diag() {
	if [ "$1" = - ]; then
		sed 's/^/# /'
	else
		echo "# $*"
	fi
}

# tap_bail REASON: stop the whole script as an error.
tap_bail() {
	echo "Bail out! $*"
	exit 1
}

# tap_need NEED...: bail out unless every NEED is met: a name of
# tests/needs.sh (swaks-tls, aiosmtpd, namespaces...), saying which Debian
# package to install, or any other command, which must be on PATH.
tap_need() {
	local t
	for t in "$@"; do
		if [ -n "$(need_field "$t" 4)" ]; then
			need_check "$t" || tap_bail "$(need_missing "$t")"
		else
			command -v "$t" >/dev/null 2>&1 ||
			    tap_bail "$t not found"
		fi
	done
}

# --- temporary directory and cleanup ---------------------------------------

tap_tmp=$(mktemp -d "${TMPDIR:-/tmp}/hubd-test.XXXXXX")
declare -a tt_pids=() tt_exit_fns=()

# Run every at_exit function (last registered first), kill every process
# started here (TERM, then KILL after 3 s), then remove the temporary
# directory.
tt_cleanup() {
	local pid i alive
	for ((i = ${#tt_exit_fns[@]} - 1; i >= 0; i--)); do
		"${tt_exit_fns[i]}"
	done
	for pid in "${tt_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for i in $(seq 30); do
		alive=0
		for pid in "${tt_pids[@]}"; do
			tt_alive "$pid" && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for pid in "${tt_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	[ ${#tt_pids[@]} = 0 ] || wait "${tt_pids[@]}" 2>/dev/null
	if [ -n "${HUBSH_TEST_KEEP:-}" ]; then
		echo "# kept $tap_tmp"
	else
		rm -rf "$tap_tmp"
	fi
}
trap tt_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# track_pid PID: kill PID, a child of this shell, at exit (for anything a
# test starts itself); untrack_pid PID once it has been waited for.
track_pid() { tt_pids+=("$1"); }
untrack_pid() {
	local keep=() pid
	for pid in "${tt_pids[@]}"; do
		[ "$pid" = "$1" ] || keep+=("$pid")
	done
	tt_pids=("${keep[@]}")
}

# at_exit FUNCTION: call FUNCTION (no arguments) at exit, before the
# tracked processes are killed: for a server that has its own orderly stop
# (pg_stop).  Registered once per name.
at_exit() {
	local f
	for f in "${tt_exit_fns[@]}"; do
		[ "$f" = "$1" ] && return 0
	done
	tt_exit_fns+=("$1")
}

# tt_alive PID: running (not gone, not a zombie waiting to be reaped).
tt_alive() {
	[ -e "/proc/$1" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

# --- waiting -----------------------------------------------------------------

# wait_for SECONDS CMD...: run CMD every 50 ms until it succeeds; status 1
# if it has not within SECONDS.
wait_for() {
	local end=$(( $(date +%s%N) + ${1%.*} * 1000000000 ))
	shift
	until "$@"; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# wait_file PATH [SECONDS]: wait until PATH exists (default 10 s).
wait_file() { wait_for "${2:-10}" test -e "$1"; }

# free_port [ADDR]: a TCP and UDP port free on ADDR (default 127.0.0.1)
# when asked, from the kernel (bind to port 0).  Another process may still
# take it before it is used: prefer starting a server on port 0 and reading
# the port it got, as peer_start does.
free_port() {
	"$PYTHON" - "${1:-127.0.0.1}" <<'PY'
import socket, sys
addr = sys.argv[1]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
for _ in range(50):
    t = socket.socket(fam, socket.SOCK_STREAM)
    t.bind((addr, 0))
    port = t.getsockname()[1]
    u = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        u.bind((addr, port))
    except OSError:
        continue
    print(port)
    sys.exit(0)
sys.exit(1)
PY
}

# --- certificates ------------------------------------------------------------

# make_certs [NAME...]: the standard set of mkcerts.sh in $tap_tmp/certs;
# CERTS is that directory.  make_leaf BASE [options] NAME...: one more.
make_certs() {
	CERTS=$tap_tmp/certs
	bash "$tt_dir/mkcerts.sh" "$CERTS" "$@" >"$tap_tmp/mkcerts.log" 2>&1 || {
		tap_diag - <"$tap_tmp/mkcerts.log"
		return 1
	}
}
make_leaf() { bash "$tt_dir/mkcerts.sh" "$CERTS" -leaf "$@"; }

# cert_opts NAME: the peer.py options presenting $CERTS/NAME.pem.
cert_opts() { echo "--cert $CERTS/$1.pem --key $CERTS/$1.key"; }

# --- SMTP peers ----------------------------------------------------------------

declare -A tt_peer_pid=() tt_peer_port=()

# peer_start NAME [peer.py options...]: start peer.py with its files in
# $tap_tmp/peer-NAME and wait (10 s) until it listens.  Default listener:
# 127.0.0.1 on a port from the kernel.  PEER_PORT is the port it got (also
# peer_port NAME).  On failure its standard error goes out as TAP comments
# and the status is 1.  Started again after peer_stop, a peer carries on
# in the same directory (give --listen ADDR:$(peer_port NAME) to keep the
# port).
peer_start() {
	local name=$1 dir="$tap_tmp/peer-$1" pid
	shift
	[ -z "${tt_peer_pid[$name]:-}" ] || { tap_diag "peer $name runs already"; return 1; }
	mkdir -p "$dir"
	rm -f "$dir/ready" "$dir/pid"
	"$PYTHON" "$tt_dir/peer.py" --dir "$dir" "$@" \
	    >"$dir/stdout" 2>"$dir/stderr" </dev/null &
	pid=$!
	track_pid $pid
	tt_peer_pid[$name]=$pid
	if ! wait_for 10 tt_ready_or_dead "$dir/ready" $pid ||
	    [ ! -s "$dir/ready" ]; then
		tap_diag "peer $name did not start:"
		tap_diag - <"$dir/stderr"
		return 1
	fi
	PEER_PORT=$(cat "$dir/ready")
	tt_peer_port[$name]=$PEER_PORT
}

# stsweb_start NAME LISTEN: stsweb.py, the MTA-STS policy sites, on
# LISTEN serving $WEB with $CERTS/web.pem, and wait (10 s) until it
# listens; its port in the variable NAME.  On failure its standard error
# goes out as TAP comments and the status is 1.
stsweb_start() {
	local dir=$tap_tmp/stsweb-$1 pid
	mkdir -p "$dir"
	"$PYTHON" "$tt_dir/stsweb.py" --dir "$WEB" --cert "$CERTS/web.pem" \
	    --key "$CERTS/web.key" --listen "$2" >"$dir/stderr" 2>&1 \
	    </dev/null &
	pid=$!
	track_pid $pid
	rm -f "$WEB/ready"
	if ! wait_for 10 tt_ready_or_dead "$WEB/ready" $pid ||
	    [ ! -s "$WEB/ready" ]; then
		tap_diag - <"$dir/stderr"
		return 1
	fi
	printf -v "$1" %s "$(cat "$WEB/ready")"
}

# True once FILE exists or process PID has gone.
tt_ready_or_dead() { [ -s "$1" ] || ! tt_alive "$2"; }

# peer_stop NAME: stop a peer (TERM) and wait for it.
peer_stop() {
	local pid=${tt_peer_pid[$1]:-}
	[ -n "$pid" ] || return 1
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	untrack_pid "$pid"
	unset "tt_peer_pid[$1]"
	return 0
}

peer_port() { echo "${tt_peer_port[$1]}"; }
peer_dir() { echo "$tap_tmp/peer-$1"; }

# peer_stat NAME KEY: a counter from the peer's stats file (connections,
# messages, tls, resumed, tls_failed, auth, rejected).
peer_stat() {
	sed -n "s/^$2=//p" "$(peer_dir "$1")/stats"
}

# peer_count NAME: messages received so far.
peer_count() {
	local f n=0
	for f in "$(peer_dir "$1")"/msg/*.env; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo $n
}

# peer_wait_messages NAME N [SECONDS]: wait until NAME has received at
# least N messages (default 10 s).
peer_wait_messages() { wait_for "${3:-10}" tt_has_messages "$1" "$2"; }
tt_has_messages() { [ "$(peer_count "$1")" -ge "$2" ]; }

# peer_msg NAME N KEY: the KEY value(s) of message N (1 = the first it
# received), one per line (rcpt may have several).
peer_msg() {
	local f
	f=$(printf '%s/msg/%06d.env' "$(peer_dir "$1")" "$2")
	[ -f "$f" ] || return 1
	sed -n "s/^$3=//p" "$f"
}

# peer_msg_file NAME N: the path of message N's content (.eml).
peer_msg_file() { printf '%s/msg/%06d.eml\n' "$(peer_dir "$1")" "$2"; }

# peer_message_ids NAME: the Message-ID of every message received, in
# order, one per line (duplicates: peer_message_ids NAME | sort | uniq -d).
peer_message_ids() {
	local f
	for f in "$(peer_dir "$1")"/msg/*.env; do
		[ -e "$f" ] || continue
		awk '/^\r?$/ { exit }
		    tolower($1) == "message-id:" { sub(/\r$/, ""); print $2; exit }' \
		    "${f%.env}.eml"
	done
}

# peer_events NAME: the peer's events.log; peer_commands NAME: commands.log.
peer_events() { cat "$(peer_dir "$1")/events.log"; }
peer_commands() { cat "$(peer_dir "$1")/commands.log"; }

# peer_plaintext_leaks NAME: every line in NAME's commands.log that carried
# something that must be encrypted (MAIL, RCPT, DATA, BDAT, AUTH and
# message or AUTH content) but crossed in plaintext.  Empty: none.
peer_plaintext_leaks() {
	awk '$2 == "plain" && ($3 == "data" || $3 == "auth" ||
	    toupper($4) ~ /^(MAIL|RCPT|DATA|BDAT|AUTH)$/)' \
	    "$(peer_dir "$1")/commands.log"
}

# --- swaks -------------------------------------------------------------------

tt_swaks_n=0

# swaks_send HOST PORT [swaks options...]: one message with swaks (from
# sender@example.org to rcpt@example.test, HELO client.test, 20 s timeout;
# later options override these).  The transcript is in $SWAKS_LOG; the
# status is swaks's.
swaks_send() {
	local host=$1 port=$2
	shift 2
	tt_swaks_n=$((tt_swaks_n + 1))
	SWAKS_LOG=$tap_tmp/swaks.$tt_swaks_n.log
	swaks --server "$host" --port "$port" --from sender@example.org \
	    --to rcpt@example.test --helo client.test --timeout 20 \
	    "$@" >"$SWAKS_LOG" 2>&1 </dev/null
}

# smtp_client ARGS...: client.py (several messages per connection, session
# resumption, STARTTLS probe); see its header.
smtp_client() { "$PYTHON" "$tt_dir/client.py" "$@"; }

# --- DNS ---------------------------------------------------------------------

# dns_start RECORD...: a DNS server (dns.sh: unbound) on 127.0.0.1 at a
# free port serving RECORD... (see dns.sh), started and waited for (10 s).
# DNS_ADDR, DNS_PORT: where it listens; DNS_SERVER is "127.0.0.1@PORT"
# (libunbound's forwarder syntax).  Status 1 if it does not start.
dns_start() {
	local dir="$tap_tmp/dns" try pid
	[ -z "${tt_dns_pid:-}" ] || { tap_diag "DNS server runs already"; return 1; }
	for try in 1 2 3; do
		rm -rf "$dir"
		DNS_ADDR=127.0.0.1
		DNS_PORT=$(free_port "$DNS_ADDR") || return 1
		mkdir -p "$dir"
		bash "$tt_dir/dns.sh" "$dir" "$DNS_ADDR" "$DNS_PORT" "$@" \
		    >"$dir/stderr" 2>&1 </dev/null &
		pid=$!
		track_pid $pid
		wait_for 10 tt_dns_up "$dir" $pid
		if grep -q 'start of service' "$dir/unbound.log" 2>/dev/null &&
		    tt_alive $pid; then
			tt_dns_pid=$pid
			DNS_SERVER="$DNS_ADDR@$DNS_PORT"
			return 0
		fi
		kill $pid 2>/dev/null
		wait $pid 2>/dev/null
		untrack_pid $pid
		# A port taken meanwhile is worth another try; anything else not.
		grep -q 'bind' "$dir/unbound.log" "$dir/stderr" 2>/dev/null ||
		    break
	done
	tap_diag "DNS server did not start:"
	cat "$dir/stderr" "$dir/unbound.log" 2>/dev/null | tap_diag -
	return 1
}
tt_dns_up() {
	grep -q 'start of service' "$1/unbound.log" 2>/dev/null ||
	    ! tt_alive "$2"
}

# dns_stop: stop the DNS server.
dns_stop() {
	[ -n "${tt_dns_pid:-}" ] || return 1
	kill -TERM "$tt_dns_pid" 2>/dev/null
	wait "$tt_dns_pid" 2>/dev/null
	untrack_pid "$tt_dns_pid"
	tt_dns_pid=
}

# dns_query NAME TYPE [dig options...]: dig +short at the test server.
dns_query() {
	local name=$1 type=$2
	shift 2
	dig @"$DNS_ADDR" -p "$DNS_PORT" +time=2 +tries=2 +short "$@" \
	    "$name" "$type"
}

# dns_status NAME TYPE: the response code (NOERROR, NXDOMAIN, REFUSED...).
dns_status() {
	dig @"$DNS_ADDR" -p "$DNS_PORT" +time=2 +tries=2 "$1" "$2" |
	    sed -n 's/.*status: \([A-Z]*\).*/\1/p'
}

# zone_sign DIR NAME: sign DIR/NAME.zone into DIR/NAME.served with a new
# KSK and ZSK (ECDSA P-256, ldns-keygen, ldns-signzone), the KSK's DNSKEY
# appended to DIR/anchors, the trust anchor a test gives hubd; the tools'
# output goes to DIR/ldns.log.
zone_sign() {
	local dir=$1 name=$2
	(cd "$dir" && ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$name") &&
	    zsk=$(ldns-keygen -a ECDSAP256SHA256 "$name") &&
	    ldns-signzone -f "$name.served" "$name.zone" "$ksk" "$zsk" &&
	    grep -v '^;' "$ksk.key" >>anchors) >>"$dir/ldns.log" 2>&1
}
