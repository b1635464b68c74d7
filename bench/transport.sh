#!/usr/bin/env bash
# bench/transport.sh - hubd against Postfix as outbound relays over verified
# TLS: N messages of about 4 KB submitted in plain SMTP on loopback, one
# connection per message, relayed to one STARTTLS sink that each relay must
# verify (hubd: RequireTLS, TlsAuthLevel DomainValidation, TlsDomain
# mx1.sink.test; Postfix: smtp_tls_security_level = secure, match=
# mx1.sink.test).  Both relays run in the same invocation, one at a time,
# alternating, at each concurrency; each reports messages/s, latency from
# acceptance to delivery, CPU and peak memory.
#
#   bench/transport.sh              TLS self-check, then the timed runs
#   bench/transport.sh --selftest   the TLS self-check alone: each relay
#                                   must deliver with the right name and
#                                   defer (nothing reaching the sink) with
#                                   a wrong name or an untrusted CA
#
# With SCRAPE_QUEUES=Q, the cost of being scraped: hubd alone, twice,
# alternating like the relays.  Every hubd has a metrics listener and,
# before its timed run, Q delivery queues that stay
# (bench/lib/queues.py: a DNS-routed connector for *.parked.test, a
# resolver where nothing answers, one recipient in each of Q domains;
# filled and tried once before the run, so no lookup is under way
# during it).  "hubd" is not scraped; "hubd-scraped" is scraped every
# SCRAPE_INTERVAL seconds through the whole run, by a client that
# checks every scrape (200, the whole text, Q queues) and counts them.
# Postfix does not run.
#
# With DANE=1, the cost of DANE (RFC 7672) with the TLSA records cached:
# hubd alone, twice, alternating like the relays.  Both route sink.test
# by MX (a DNS-routed connector, with the TLS settings above) through one
# unbound (tests/transport/dns.sh) serving the zone sink.test signed at
# the start of the run (ldns-signzone): MX 10 mx1.sink.test,
# mx1.sink.test A 127.0.0.1, and _PORT._tcp.mx1.sink.test TLSA 3 1 1 of
# the sink certificate's public key; both have that zone's key as their
# DNSSEC trust anchor, so both validate alike.  "hubd" has SmtpDaneMode
# None, "hubd-dane" Opportunistic: that is the only difference.  The
# warm-up before each timed run makes the run's one TLSA lookup (hubd is
# fresh), and libunbound's cache answers every later one.  The
# self-check: hubd-dane delivers with the right record, its tracking log
# saying "DomainValidation+DANE ok, TLSA 3 1 1", and defers with a wrong
# one (the zone signed again with the same keys and another key's
# record, served by a second unbound), nothing reaching the sink; "hubd"
# delivers with either, tracking "DomainValidation ok".  Every timed run
# counts the deliveries in hubd's tracking log (bench/lib/track.py), and
# is incomplete unless all of them carry its variant's verdict.  Postfix
# does not relay.
#
# Environment:
#   N          messages per timed run (default 10000)
#   REPS       repetitions (default 3); the relays alternate which goes
#              first from one repetition to the next
#   C_LIST     load generator concurrencies (default "10 50")
#   SIZE       message payload bytes (default 4096)
#   WARMUP     untimed messages before each timed run (default 50)
#   PACED_RATE after the runs at full speed, each repetition has one paced
#              run per relay: PACED_N messages (default 3000) opened at
#              PACED_RATE per second (default 100; 0: none), at most
#              PACED_C (default 50) at once: latency below saturation
#   RELAYS     relays to run, in the first repetition's order (default
#              "hubd postfix"; with SCRAPE_QUEUES or DANE, "hubd", the
#              only one)
#   SCRAPE_QUEUES    queues of the scrape variant (default 0: not run)
#   SCRAPE_INTERVAL  seconds between its scrapes (default 1)
#   DANE       1: the DANE variant (default 0: not run)
#   PORT_BASE  loopback ports PORT_BASE..+5: sink, sink back end, relay,
#              with SCRAPE_QUEUES hubd's metrics and the resolver where
#              nothing answers, with DANE the resolver (+4) and the
#              self-check's resolver with the wrong record (+5)
#              (default 25250)
#   TIMEOUT    seconds to wait for a run's deliveries (default 900)
#   HUBD HUBSH binaries (default build/hubd, build/hubsh of this checkout)
#   HUBD_WRAP  words put before hubd's command line, e.g. a profiler:
#              HUBD_WRAP='valgrind --tool=callgrind' (default: none)
#   OUT        results, JSON lines (default bench/results/transport-DATE.jsonl;
#              the Markdown report goes beside it as .md)
#   BENCH_TMP  scratch directory parent (default $TMPDIR or /tmp); on the
#              disk you want to measure, not tmpfs
#   KEEP=1     keep the scratch directory (configs, logs, per-message
#              latencies)
#
# Needs root (Postfix), Debian's postfix package (postfix, smtp-sink),
# openssl, python3; with DANE also unbound and ldnsutils (ldns-keygen,
# ldns-signzone).  Nothing here uses an address other than 127.0.0.1.
# The sink and every relay are fresh for each run, each in its own
# directories (postfix -c DIR, no chroot); all are stopped on exit.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
lib=$top/bench/lib
N=${N:-10000}
REPS=${REPS:-3}
C_LIST=${C_LIST:-10 50}
SIZE=${SIZE:-4096}
WARMUP=${WARMUP:-50}
PACED_RATE=${PACED_RATE:-100}
PACED_N=${PACED_N:-3000}
PACED_C=${PACED_C:-50}
SCRAPE_QUEUES=${SCRAPE_QUEUES:-0}
SCRAPE_INTERVAL=${SCRAPE_INTERVAL:-1}
DANE=${DANE:-0}
if [ "$SCRAPE_QUEUES" = 0 ] && [ "$DANE" = 0 ]; then
	RELAYS=${RELAYS:-hubd postfix}
else
	RELAYS=${RELAYS:-hubd}
fi
PORT_BASE=${PORT_BASE:-25250}
TIMEOUT=${TIMEOUT:-900}
HUBD=${HUBD:-$top/build/hubd}
HUBSH=${HUBSH:-$top/build/hubsh}
HUBD_WRAP=${HUBD_WRAP:-}
PYTHON=${PYTHON:-/usr/bin/python3}
SERVER=BENCH
SINK_NAME=mx1.sink.test
WRONG_NAME=mx2.sink.test
RCPT=rcpt@dest.test

SINK_PORT=$PORT_BASE
BACK_PORT=$((PORT_BASE + 1))
RELAY_PORT=$((PORT_BASE + 2))
METRICS_PORT=$((PORT_BASE + 3))
DNS_PORT=$((PORT_BASE + 4))
WRONG_DNS_PORT=$((PORT_BASE + 5))

die() { printf 'transport.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '%s\n' "$*" >&2; }

selftest_only=0
case ${1:-} in
--selftest) selftest_only=1 ;;
'') ;;
*) die "usage: bench/transport.sh [--selftest]" ;;
esac
for v in N REPS SIZE WARMUP PORT_BASE TIMEOUT PACED_RATE PACED_N PACED_C \
    SCRAPE_QUEUES DANE; do
	case ${!v} in ''|*[!0-9]*) die "$v must be a positive integer" ;; esac
done
ports="$SINK_PORT $BACK_PORT $RELAY_PORT"
if [ "$SCRAPE_QUEUES" != 0 ]; then
	[ "$RELAYS" = hubd ] || die "SCRAPE_QUEUES measures hubd alone (RELAYS=hubd)"
	awk -v i="$SCRAPE_INTERVAL" 'BEGIN { exit !(i ~ /^[0-9]*\.?[0-9]+$/ && i > 0) }' ||
	    die "SCRAPE_INTERVAL must be a positive number of seconds"
	ports="$ports $METRICS_PORT $DNS_PORT"
	# Nothing may answer there, over UDP either.
	[ -z "$(ss -Huln "sport = :$DNS_PORT")" ] || die "UDP port $DNS_PORT is in use (set PORT_BASE)"
fi
case $DANE in
0) ;;
1)
	[ "$SCRAPE_QUEUES" = 0 ] || die "DANE and SCRAPE_QUEUES are two variants: one at a time"
	[ "$RELAYS" = hubd ] || die "DANE measures hubd alone (RELAYS=hubd)"
	RCPT=rcpt@sink.test
	ports="$ports $DNS_PORT $WRONG_DNS_PORT"
	for p in $DNS_PORT $WRONG_DNS_PORT; do
		[ -z "$(ss -Huln "sport = :$p")" ] || die "UDP port $p is in use (set PORT_BASE)"
	done
	;;
*) die "DANE must be 0 or 1" ;;
esac
[ "$(id -u)" = 0 ] || die "must run as root (private Postfix instances)"
[ -x "$HUBD" ] || die "no hubd at $HUBD (build it, or set HUBD)"
[ -x "$HUBSH" ] || die "no hubsh at $HUBSH (build it, or set HUBSH)"
for t in postfix postconf smtp-sink openssl ss; do
	command -v "$t" >/dev/null || die "$t not found (Debian: postfix, openssl, iproute2)"
done
if [ "$DANE" = 1 ]; then
	PATH=$PATH:/usr/sbin
	for t in unbound unbound-checkconf ldns-keygen ldns-signzone; do
		command -v "$t" >/dev/null || die "$t not found (Debian: unbound, ldnsutils)"
	done
fi
[ -x /usr/lib/postfix/sbin/master ] || die "Postfix's master not found"
id postfix >/dev/null 2>&1 || die "no postfix user"
for p in $ports; do
	[ -z "$(ss -Htln "sport = :$p")" ] || die "port $p is in use (set PORT_BASE)"
done

work=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/transport-bench.XXXXXX")
chmod 755 "$work"
cp "$top/tests/transport/mkcerts.sh" "$work/"

# --- cleanup: everything started here, by pid or by its own directory --------

declare -a pids=() pf_dirs=()
cleanup() {
	local d p
	for d in "${pf_dirs[@]}"; do
		postfix -c "$d" stop >/dev/null 2>&1 || true
	done
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	if [ "${KEEP:-0}" = 1 ]; then
		say "transport.sh: kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for SECONDS CMD...: every 50 ms until CMD succeeds; 1 on timeout.
wait_for() {
	local end=$(( $(date +%s%N) + $1 * 1000000000 ))
	shift
	until "$@"; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.05
	done
}
listening() { [ -n "$(ss -Htln "sport = :$1")" ]; }
not_listening() { ! listening "$1"; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# --- certificates ----------------------------------------------------------------

bash "$work/mkcerts.sh" "$work/certs" "$SINK_NAME" >"$work/mkcerts.log" 2>&1 ||
    { cat "$work/mkcerts.log" >&2; die "mkcerts.sh failed"; }
CA=$work/certs/ca.pem
ROGUE_CA=$work/certs/rogue-ca.pem
chmod 644 "$work/certs"/*.pem

# --- DANE: the signed zone and its resolvers ----------------------------------

# spki FILE: SHA-256 of a certificate's public key, in hex (TLSA 3 1 1).
spki() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
	    sha256sum | cut -d' ' -f1
}

# dane_zone NAME KEYHASH: $ZONES/NAME.served, the zone sink.test (MX 10
# mx1.sink.test, its address 127.0.0.1, its TLSA record 3 1 1 KEYHASH for
# the sink's port) signed with the keys of dane_setup.  An hour's TTL:
# nothing expires from libunbound's cache during a run.
dane_zone() {
	cat >"$ZONES/$1.zone" <<EOF
\$ORIGIN sink.test.
\$TTL 3600
@	IN SOA ns.sink.test. hostmaster.sink.test. 1 3600 600 86400 3600
@	IN NS ns.sink.test.
@	IN MX 10 $SINK_NAME.
ns	IN A 127.0.0.1
${SINK_NAME%%.*}	IN A 127.0.0.1
_$SINK_PORT._tcp.${SINK_NAME%%.*}	IN TLSA 3 1 1 $2
EOF
	(cd "$ZONES" && ldns-signzone -f "$1.served" "$1.zone" $ZONE_KEYS) \
	    >>"$ZONES/ldns.log" 2>&1 || die "ldns-signzone: $(cat "$ZONES/ldns.log")"
}

# dns_start PORT ZONE: unbound on 127.0.0.1:PORT, authoritative for
# sink.test from $ZONES/ZONE.served (tests/transport/dns.sh); DNS_PID.
dns_start() {
	local dir=$work/dns.$1
	bash "$top/tests/transport/dns.sh" "$dir" 127.0.0.1 "$1" \
	    "authzone:sink.test:$ZONES/$2.served" >"$work/dns.$1.err" 2>&1 </dev/null &
	DNS_PID=$!
	pids+=("$DNS_PID")
	wait_for 10 dns_up "$dir" || die "unbound on port $1 did not start: $(cat "$work/dns.$1.err" "$dir/unbound.log" 2>/dev/null)"
}
dns_up() {
	grep -q 'start of service' "$1/unbound.log" 2>/dev/null && return 0
	kill -0 "$DNS_PID" 2>/dev/null || die "unbound exited: $(cat "$1/unbound.log" 2>/dev/null)"
	return 1
}
dns_stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# dane_setup: a KSK and a ZSK for sink.test, the KSK's DNSKEY the trust
# anchor of every hubd ($ZONES/anchors); the zone with the sink's record
# ("right") served on DNS_PORT for the whole run, and signed with the
# same keys, the zone with the record of another key ("wrong", the
# rogue CA's), which the self-check serves on WRONG_DNS_PORT.
dane_setup() {
	local ksk zsk
	ZONES=$work/zones
	mkdir -p "$ZONES"
	ksk=$(cd "$ZONES" && ldns-keygen -a ECDSAP256SHA256 -k sink.test) &&
	    zsk=$(cd "$ZONES" && ldns-keygen -a ECDSAP256SHA256 sink.test) ||
	    die "ldns-keygen failed"
	ZONE_KEYS="$ksk $zsk"
	grep -v '^;' "$ZONES/$ksk.key" >"$ZONES/anchors"
	TLSA_RIGHT=$(spki "$work/certs/valid.pem")
	TLSA_WRONG=$(spki "$ROGUE_CA")
	dane_zone right "$TLSA_RIGHT"
	dane_zone wrong "$TLSA_WRONG"
	dns_start "$DNS_PORT" right
}
[ "$DANE" = 0 ] || dane_setup

# --- private Postfix instances ---------------------------------------------------

# pf_master ADDR:PORT: a master.cf with every service unchrooted and smtpd
# on ADDR:PORT only.
pf_master() {
	cat <<EOF
$1 inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# pf_common DIR: the main.cf lines every instance here has: its own queue,
# data and log file, loopback IPv4 only, no DNS, no peer name lookups;
# compatibility_level and alias_maps as in Debian's packaged main.cf.
pf_common() {
	cat <<EOF
compatibility_level = 3.6
alias_maps = hash:/etc/aliases
queue_directory = $1/queue
data_directory = $1/data
maillog_file = $1/maillog
maillog_file_prefixes = $1
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
EOF
}

# pf_start DIR PORT: start the instance in DIR, wait until it listens.
pf_start() {
	mkdir -p "$1/queue" "$1/data"
	chown postfix "$1/data"
	pf_dirs+=("$1")
	postfix -c "$1" start >"$1/start.log" 2>&1 ||
	    { cat "$1/start.log" "$1/maillog" >&2 2>/dev/null; die "postfix -c $1 start failed"; }
	wait_for 20 listening "$2" || { cat "$1/maillog" >&2; die "postfix -c $1: nothing on port $2"; }
}

pf_master_pid() { awk '{ print $1 }' "$1/queue/pid/master.pid"; }

# pf_stop DIR: stop it and wait for its master to exit.
pf_stop() {
	local pid
	pid=$(pf_master_pid "$1" 2>/dev/null || true)
	postfix -c "$1" stop >>"$1/start.log" 2>&1 || true
	[ -z "$pid" ] || wait_for 20 gone "$pid" || say "warning: postfix master $pid of $1 still runs"
	local d keep=()
	for d in "${pf_dirs[@]}"; do [ "$d" = "$1" ] || keep+=("$d"); done
	pf_dirs=("${keep[@]}")
}

# --- the sink ----------------------------------------------------------------------

# sink_start: a fresh sink.  A Postfix smtpd on SINK_PORT that requires
# STARTTLS (certificate for mx1.sink.test from the test CA), passing every
# transaction through smtpd_proxy_filter to smtp-sink on BACK_PORT, which
# writes each message to a file of its own in $SINK/dump and counts them
# on its standard output ($SINK/counter).
sink_n=0
sink_start() {
	sink_n=$((sink_n + 1))
	SINK=$work/sink.$sink_n
	mkdir -p "$SINK/dump"
	chown nobody "$SINK/dump"
	smtp-sink -4 -c -u nobody -m 1000 -d "$SINK/dump/%H%M%S." \
	    "127.0.0.1:$BACK_PORT" 1000 >"$SINK/counter" 2>"$SINK/smtp-sink.err" </dev/null &
	SINK_BACK_PID=$!
	pids+=("$SINK_BACK_PID")
	wait_for 10 listening "$BACK_PORT" || die "smtp-sink did not start: $(cat "$SINK/smtp-sink.err")"
	{
		pf_common "$SINK"
		cat <<EOF
myhostname = $SINK_NAME
mydestination =
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_tls_security_level = encrypt
smtpd_tls_cert_file = $work/certs/valid.pem
smtpd_tls_key_file = $work/certs/valid.key
smtpd_tls_loglevel = routine, cache
smtpd_proxy_filter = 127.0.0.1:$BACK_PORT
EOF
	} >"$SINK/main.cf"
	pf_master "127.0.0.1:$SINK_PORT" >"$SINK/master.cf"
	pf_start "$SINK" "$SINK_PORT"
	SINK_PID=$(pf_master_pid "$SINK")
}

sink_stop() {
	pf_stop "$SINK"
	kill -TERM "$SINK_BACK_PID" 2>/dev/null || true
	wait "$SINK_BACK_PID" 2>/dev/null || true
	wait_for 10 not_listening "$BACK_PORT" || true
}

# sink_count: messages the sink has received (smtp-sink's last "mesg=").
sink_count() {
	tr '\r' '\n' <"$SINK/counter" |
	    awk -F'mesg=' 'NF > 1 { n = $2 + 0 } END { print n + 0 }'
}

# --- the relays ------------------------------------------------------------------

# relay_start KIND [NAME [CA [DNS]]]: a fresh relay of KIND (hubd,
# hubd-dane or postfix) listening on RELAY_PORT, relaying dest.test to the
# sink with verified TLS: the certificate must chain to CA (default the
# test CA) and carry NAME (default mx1.sink.test).  Sets RELAY_DIR,
# RELAY_PID (root of its process tree) and RELAY_LOG.  With
# SCRAPE_QUEUES, hubd also has the connector of the queues that stay, its
# metrics listener and a resolver where nothing answers.  With DANE, hubd
# relays sink.test by MX instead, through the resolver on port DNS
# (default DNS_PORT) with the zone's trust anchor; hubd-dane is the same
# hubd with SmtpDaneMode Opportunistic.
relay_n=0
relay_start() {
	local kind=$1 name=${2:-$SINK_NAME} ca=${3:-$CA} dns=${4:-$DNS_PORT}
	local extra=() route="-AddressSpaces 'dest.test' -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false"
	relay_n=$((relay_n + 1))
	RELAY_DIR=$work/$kind.$relay_n
	mkdir -p "$RELAY_DIR"
	case $kind in
	hubd|hubd-dane)
		if [ "$DANE" = 1 ]; then
			route="-AddressSpaces 'sink.test' -DNSRoutingEnabled \$true -SmtpDaneMode $([ "$kind" = hubd ] && echo None || echo Opportunistic)"
			extra=(--resolver "127.0.0.1:$dns"
			    --dnssec-trust-anchor "$ZONES/anchors")
		fi
		"$HUBSH" --store "$RELAY_DIR/store.db" --server "$SERVER" -Command \
		    "New-SendConnector -Name Sink -Usage Custom $route -Port $SINK_PORT -RequireTLS \$true -TlsAuthLevel DomainValidation -TlsDomain $name | Out-Null" \
		    >"$RELAY_DIR/hubsh.log" 2>&1 || { cat "$RELAY_DIR/hubsh.log" >&2; die "hubsh failed"; }
		if [ "$SCRAPE_QUEUES" != 0 ]; then
			"$PYTHON" "$lib/queues.py" connector "$HUBSH" \
			    "$RELAY_DIR/store.db" "$SERVER" >>"$RELAY_DIR/hubsh.log" 2>&1 ||
			    { cat "$RELAY_DIR/hubsh.log" >&2; die "hubsh failed"; }
			extra=(--metrics-listen "127.0.0.1:$METRICS_PORT"
			    --resolver "127.0.0.1:$DNS_PORT")
		fi
		RELAY_LOG=$RELAY_DIR/hubd.log
		$HUBD_WRAP "$HUBD" -f --store "$RELAY_DIR/store.db" --server "$SERVER" \
		    --ca-file "$ca" --state-dir "$RELAY_DIR/state" \
		    --listen "127.0.0.1:$RELAY_PORT" --hostname relay.hubd.test \
		    "${extra[@]}" >"$RELAY_LOG" 2>&1 </dev/null &
		RELAY_PID=$!
		pids+=("$RELAY_PID")
		wait_for 20 hubd_up || { cat "$RELAY_LOG" >&2; die "hubd did not start"; }
		;;
	postfix)
		{
			pf_common "$RELAY_DIR"
			cat <<EOF
myhostname = relay.postfix.test
relayhost = [127.0.0.1]:$SINK_PORT
smtp_tls_security_level = secure
smtp_tls_policy_maps = inline:{ {[127.0.0.1]:$SINK_PORT = secure match=$name} }
smtp_tls_CAfile = $ca
smtp_tls_session_cache_database = btree:\${data_directory}/smtp_scache
smtp_tls_mandatory_protocols = >=TLSv1.2
smtp_tls_loglevel = 1
EOF
		} >"$RELAY_DIR/main.cf"
		pf_master "127.0.0.1:$RELAY_PORT" >"$RELAY_DIR/master.cf"
		RELAY_LOG=$RELAY_DIR/maillog
		pf_start "$RELAY_DIR" "$RELAY_PORT"
		RELAY_PID=$(pf_master_pid "$RELAY_DIR")
		;;
	*) die "unknown relay $kind" ;;
	esac
}
hubd_up() {
	grep -q ' started: ' "$RELAY_LOG" 2>/dev/null && return 0
	kill -0 "$RELAY_PID" 2>/dev/null || { cat "$RELAY_LOG" >&2; die "hubd exited"; }
	return 1
}

relay_stop() {
	case $1 in
	hubd|hubd-dane)
		kill -TERM "$RELAY_PID" 2>/dev/null || true
		local rc=0
		wait "$RELAY_PID" || rc=$?
		[ "$rc" = 0 ] || say "warning: hubd exited with status $rc (log: $RELAY_LOG)"
		;;
	postfix) pf_stop "$RELAY_DIR" ;;
	esac
	wait_for 10 not_listening "$RELAY_PORT" || true
}

# --- self-check: TLS really is verified ------------------------------------------

# send_few K: K messages to the relay (the bench's load generator).
send_few() {
	"$PYTHON" "$lib/smtpload.py" 127.0.0.1 "$RELAY_PORT" --messages "$1" \
	    --concurrency 1 --size 512 --first 800001 --to "$RCPT" \
	    >"$RELAY_DIR/send.out"
	grep -q "\"acked\": $1," "$RELAY_DIR/send.out" ||
	    die "$(cat "$RELAY_DIR/send.out"): the relay did not accept $1 messages"
}

# verdicts KIND: the TLS verdicts a delivery by a hubd of KIND may have,
# as its log and its tracking log (column tls_verify) say them, one a
# line, that of a full handshake first.  A DANE session that resumed
# says "resumed" instead of the record: its handshake verified nothing,
# so SSL_get0_dane_tlsa() names no record (doc/transport.md).
verdicts() {
	case $1 in
	hubd) echo "DomainValidation ok" ;;
	hubd-dane) printf '%s\n' "DomainValidation+DANE ok, TLSA 3 1 1" \
	    "DomainValidation+DANE ok, resumed" ;;
	esac
}
verdict() { verdicts "$1" | head -n 1; }

# Evidence in the relay's log: verified delivery, and a deferral for a
# certificate (or under DANE, a TLSA record) that does not verify.
verified_in_log() {
	case $1 in
	hubd|hubd-dane) grep -q "tls TLSv1\.[23] [A-Z0-9_]* $(verdict "$1") (" "$RELAY_LOG" ;;
	postfix) grep -q "Verified TLS connection established to" "$RELAY_LOG" ;;
	esac
}
deferred_in_log() {
	case $1 in
	hubd) grep -q "failed: 454 4\.7\.5 Certificate validation failure" "$RELAY_LOG" ;;
	hubd-dane) grep -q "failed: 454 4\.7\.323 tlsa-invalid" "$RELAY_LOG" ;;
	postfix) grep -q "status=deferred.*Server certificate not verified" "$RELAY_LOG" ;;
	esac
}
delivered() { [ "$(sink_count)" -ge "$1" ]; }

# tracked KIND K: hubd's tracking log has K deliveries, all of them under
# KIND's verdicts, at least one under the first (a full handshake's);
# TRACKED says what it has.
tracked() {
	local v out
	mapfile -t v < <(verdicts "$1")
	out=$("$PYTHON" "$lib/track.py" "$RELAY_DIR/state/queue.db" "${v[@]}" 2>&1) ||
	    { TRACKED=$out; return 1; }
	TRACKED=$(sed 1d <<<"$out" | awk -F'\t' '{ printf "%s%s \"%s\"", (NR > 1 ? ", " : ""), $1, $2 }')
	[ "$(head -n 1 <<<"$out")" = "$2 $2" ] &&
	    grep -q "^[1-9][0-9]*	${v[0]}\$" <<<"$out"
}

# check KIND CASE WANT NAME CA [DNS]: one self-check case, WANT deliver
# or defer, the relay made by relay_start KIND NAME CA DNS; prints a table
# row, and sets selftest_failed when the outcome is not the expected one.
# Under DANE a delivery also needs its verdict in hubd's tracking log.
selftest_failed=0
check() {
	local kind=$1 case=$2 name=$4 ca=$5 before after want got evidence ok=1
	before=$(sink_count)
	relay_start "$kind" "$name" "$ca" "${6:-}"
	send_few 3
	if [ "$3" = deliver ]; then
		want="3 delivered, verified"
		wait_for 30 delivered $((before + 3)) || ok=0
		wait_for 10 verified_in_log "$kind" || ok=0
		if [ "$DANE" = 1 ]; then
			want="$want, tracked \"$(verdict "$kind")\""
			[ "$kind" = hubd ] || want="$want (\"resumed\" if resumed)"
			wait_for 10 tracked "$kind" 3 || ok=0
		fi
	else
		want="deferred, 0 delivered"
		wait_for 30 deferred_in_log "$kind" || ok=0
		sleep 1
	fi
	after=$(sink_count)
	got="$((after - before)) delivered"
	[ -z "${TRACKED:-}" ] || got="$got, tracked $TRACKED"
	TRACKED=
	case $kind in
	hubd|hubd-dane) evidence=$(grep -Eo 'TLSv1\.[23] [A-Z0-9_]* DomainValidation(\+DANE)? ok(, TLSA [0-9 ]*[0-9])?|TLS verification failed.*|failed: 454 4\.7\.[0-9]* [^;]*' "$RELAY_LOG" | head -n 2 | paste -sd ';' || true) ;;
	postfix) evidence=$(grep -Eo 'Verified TLS connection established to [^ ]*: TLSv1\.[23]|verification failed for .*|dsn=4[^ ]* status=deferred \(Server certificate not verified\)' "$RELAY_LOG" | head -n 2 | paste -sd ';' || true) ;;
	esac
	[ "$3" = deliver ] || [ "$after" = "$before" ] || ok=0
	relay_stop "$kind"
	[ $ok = 1 ] || selftest_failed=1
	printf '| %s | %s | %s, %s%s | %s | %s; log: %s | %s |\n' "$kind" "$case" \
	    "$name" "$(basename "$ca")" \
	    "$([ "$DANE" = 0 ] || echo ", TLSA $([ "${6:-}" = "$WRONG_DNS_PORT" ] && echo "of the rogue CA's key" || echo "of the sink's key")")" \
	    "$want" "$got" "${evidence:-nothing}" \
	    "$([ $ok = 1 ] && echo ok || echo '**FAILED**')"
}

selftest() {
	local kind wrong_dns
	say "TLS self-check ..."
	sink_start
	echo "| relay | case | name required, trust store$([ "$DANE" = 0 ] || echo ", DNS") | want | got | |"
	echo "|---|---|---|---|---|---|"
	if [ "$DANE" = 1 ]; then
		dns_start "$WRONG_DNS_PORT" wrong
		wrong_dns=$DNS_PID
		check hubd-dane good deliver "$SINK_NAME" "$CA"
		check hubd-dane wrong-TLSA defer "$SINK_NAME" "$CA" "$WRONG_DNS_PORT"
		check hubd good deliver "$SINK_NAME" "$CA"
		check hubd wrong-TLSA deliver "$SINK_NAME" "$CA" "$WRONG_DNS_PORT"
		dns_stop "$wrong_dns"
	else
		for kind in $RELAYS; do
			check "$kind" good deliver "$SINK_NAME" "$CA"
			check "$kind" wrong-name defer "$WRONG_NAME" "$CA"
			check "$kind" untrusted-CA defer "$SINK_NAME" "$ROGUE_CA"
		done
	fi
	sink_stop
	echo
	[ $selftest_failed = 0 ] || die "TLS self-check failed (KEEP=1 keeps the logs)"
}

# --- machine and versions --------------------------------------------------------

header() {
	local dsync_s git_rev git_dirty= scrape= dane=
	dd if=/dev/zero of="$work/dsync" bs=4k count=300 oflag=dsync 2>"$work/dd" || die "dd failed"
	dsync_s=$(awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") print $(i - 1) }' "$work/dd")
	rm -f "$work/dsync"
	git_rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$top" status --porcelain --untracked-files=no 2>/dev/null | grep -q . &&
	    git_dirty=" (+ uncommitted changes)"
	if [ "$DANE" = 1 ]; then
		echo "# hubd with DANE and without: outbound relay by signed MX over verified TLS"
		dane=" DANE=1"
	elif [ "$SCRAPE_QUEUES" = 0 ]; then
		echo "# hubd against Postfix: outbound relay over verified TLS"
	else
		echo "# hubd with $SCRAPE_QUEUES queues, scraped and not: outbound relay over verified TLS"
		scrape=" SCRAPE_QUEUES=$SCRAPE_QUEUES SCRAPE_INTERVAL=$SCRAPE_INTERVAL"
	fi
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- command: N=$N REPS=$REPS C_LIST=\"$C_LIST\" SIZE=$SIZE WARMUP=$WARMUP PACED_RATE=$PACED_RATE PACED_N=$PACED_N PACED_C=$PACED_C RELAYS=\"$RELAYS\"$scrape$dane bench/transport.sh"
	echo "- machine: nproc $(nproc), CPU \"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)\", $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)"
	echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- scratch: $work on $(df -PT "$work" | awk 'NR == 2 { print $2 " (" $1 ")" }'); 4 KB O_DSYNC write $(awk -v s="$dsync_s" 'BEGIN { printf "%.3f", s * 1000 / 300 }') ms"
	echo "- hubd: $("$HUBD" --version 2>&1 | head -n 1) at $HUBD, built $(date -u -r "$HUBD" +%Y-%m-%dT%H:%M:%SZ), sha256 $(sha256sum "$HUBD" | cut -c1-16); checkout at git $git_rev$git_dirty; linked with $(ldd "$HUBD" | awk '/libssl|libsqlite3/ { printf "%s ", $1 }')"
	echo "- Postfix $(postconf -d -h mail_version); $(openssl version | cut -d' ' -f1-2); $("$PYTHON" --version)"
	if [ "$DANE" = 1 ]; then
		echo "- DNS: $(unbound -V | sed -n 's/^Version /unbound /p') on 127.0.0.1:$DNS_PORT, authoritative for sink.test, signed at the start of the run (ldns $(ldns-signzone -v 2>&1 | sed -n 's/.*ldns version \([^)]*\).*/\1/p'), ECDSAP256SHA256); _$SINK_PORT._tcp.$SINK_NAME TLSA 3 1 1 $TLSA_RIGHT; every hubd has the zone's key as its trust anchor"
		echo "- hubd: SmtpDaneMode None, hubd-dane: SmtpDaneMode Opportunistic; otherwise alike (sink.test by MX, RequireTLS, TlsAuthLevel DomainValidation, TlsDomain $SINK_NAME)"
		echo "- TLSA cached: each hubd is fresh; the first delivery of its warm-up ($WARMUP messages, untimed) makes the TLSA lookup, and libunbound's cache (TTL 3600 s) answers the rest of the run"
	fi
	echo
}

# --- main ------------------------------------------------------------------------

if [ $selftest_only = 1 ]; then
	selftest
	exit 0
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$top/bench/results/transport-$stamp.jsonl}
mkdir -p "$(dirname "$OUT")"
md=${OUT%.jsonl}.md
# Not in a pipeline: what selftest starts must be this shell's to clean up.
header >"$md"
printf '## TLS self-check\n\n' >>"$md"
selftest >>"$md"
cat "$md"

# run_one NAME C N RATE REP: a fresh sink and relay, one measure.py run.
# NAME is a relay, hubd-dane, or hubd-scraped: hubd, scraped through the
# run.  Under DANE, every delivery's verdict is checked in the tracking
# log.
run_one() {
	local name=$1 c=$2 n=$3 rate=$4 rep=$5 rc=0 tag relay=${1%-scraped}
	local scraper= variant_opts=() secs kind v
	kind=${relay%-dane}
	tag="$name.c$c.r$rate.rep$rep"
	say "rep $rep/$REPS $name C=$c N=$n$([ "$rate" = 0 ] || echo " at $rate/s") ..."
	sink_start
	relay_start "$relay"
	if [ "$DANE" = 1 ]; then
		variant_opts=(--spool "$RELAY_DIR/state/queue.db")
		while IFS= read -r v; do
			variant_opts+=(--verdict "$v")
		done < <(verdicts "$relay")
	fi
	if [ "$SCRAPE_QUEUES" != 0 ]; then
		secs=$("$PYTHON" "$lib/queues.py" fill "$RELAY_PORT" \
		    "$METRICS_PORT" "$SCRAPE_QUEUES") || die "$tag: no queues"
		say "  $SCRAPE_QUEUES queues, tried once, after $secs s"
		variant_opts=(--queues "$SCRAPE_QUEUES")
	fi
	if [ "$name" != "$relay" ]; then
		"$PYTHON" "$lib/queues.py" scrape "$METRICS_PORT" \
		    "$SCRAPE_INTERVAL" "$SCRAPE_QUEUES" "$work/scrapes.$tag" &
		scraper=$!
		pids+=("$scraper")
		variant_opts+=(--scrape-log "$work/scrapes.$tag")
	fi
	"$PYTHON" "$lib/measure.py" --relay "$name" --kind "$kind" \
	    --port "$RELAY_PORT" --relay-root "$RELAY_PID" \
	    --relay-log "$RELAY_LOG" --sink-roots "$SINK_PID,$SINK_BACK_PID" \
	    --sink-counter "$SINK/counter" --sink-log "$SINK/maillog" \
	    --dump "$SINK/dump" -n "$n" -c "$c" --size "$SIZE" --rate "$rate" \
	    --warmup "$WARMUP" --timeout "$TIMEOUT" --rep "$rep" --rcpt "$RCPT" \
	    --out "$OUT" --tmp "$work" --latencies "$work/latency.$tag" \
	    "${variant_opts[@]}" >"$work/last.json" || rc=$?
	if [ -n "$scraper" ]; then
		kill -TERM "$scraper" 2>/dev/null || true
		wait "$scraper" || { status=1; say "$tag: the scraper failed"; }
	fi
	if [ $rc != 0 ]; then
		status=1
		say "$tag: incomplete run (status $rc): $(cat "$work/last.json")"
		say "  relay log tail:"
		tail -n 20 "$RELAY_LOG" >&2 || true
		cp "$RELAY_LOG" "$work/failed.$tag.log" 2>/dev/null || true
	fi
	relay_stop "$relay"
	sink_stop
}

say "timed runs: N=$N REPS=$REPS C_LIST=\"$C_LIST\" PACED_RATE=$PACED_RATE; results in $OUT"
if [ "$SCRAPE_QUEUES" != 0 ]; then
	order=(hubd hubd-scraped)
elif [ "$DANE" = 1 ]; then
	order=(hubd hubd-dane)
else
	read -r -a order <<<"$RELAYS"
fi
status=0
for rep in $(seq 1 "$REPS"); do
	for c in $C_LIST; do
		for kind in "${order[@]}"; do
			run_one "$kind" "$c" "$N" 0 "$rep"
		done
	done
	if [ "$PACED_RATE" != 0 ]; then
		for kind in "${order[@]}"; do
			run_one "$kind" "$PACED_C" "$PACED_N" "$PACED_RATE" "$rep"
		done
	fi
	# Alternate: the relay (or variant) that went first goes last next
	# time.
	order=("${order[@]:1}" "${order[0]}")
done

printf '## Results\n\n' >>"$md"
"$PYTHON" "$lib/report.py" "$OUT" >>"$md"
sed -n '/^## Results/,$p' "$md"
say "results: $OUT, $md"
exit $status
