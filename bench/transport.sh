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
#              "hubd postfix"; with SCRAPE_QUEUES, "hubd", the only one)
#   SCRAPE_QUEUES    queues of the scrape variant (default 0: not run)
#   SCRAPE_INTERVAL  seconds between its scrapes (default 1)
#   PORT_BASE  loopback ports PORT_BASE..+4: sink, sink back end, relay,
#              and with SCRAPE_QUEUES hubd's metrics and the resolver
#              where nothing answers (default 25250)
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
# openssl, python3.  Nothing here uses an address other than 127.0.0.1.
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
if [ "$SCRAPE_QUEUES" = 0 ]; then
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

SINK_PORT=$PORT_BASE
BACK_PORT=$((PORT_BASE + 1))
RELAY_PORT=$((PORT_BASE + 2))
METRICS_PORT=$((PORT_BASE + 3))
DNS_PORT=$((PORT_BASE + 4))

die() { printf 'transport.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '%s\n' "$*" >&2; }

selftest_only=0
case ${1:-} in
--selftest) selftest_only=1 ;;
'') ;;
*) die "usage: bench/transport.sh [--selftest]" ;;
esac
for v in N REPS SIZE WARMUP PORT_BASE TIMEOUT PACED_RATE PACED_N PACED_C \
    SCRAPE_QUEUES; do
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
[ "$(id -u)" = 0 ] || die "must run as root (private Postfix instances)"
[ -x "$HUBD" ] || die "no hubd at $HUBD (build it, or set HUBD)"
[ -x "$HUBSH" ] || die "no hubsh at $HUBSH (build it, or set HUBSH)"
for t in postfix postconf smtp-sink openssl ss; do
	command -v "$t" >/dev/null || die "$t not found (Debian: postfix, openssl, iproute2)"
done
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

# relay_start KIND [NAME [CA]]: a fresh relay of KIND (hubd or postfix)
# listening on RELAY_PORT, relaying dest.test to the sink with verified
# TLS: the certificate must chain to CA (default the test CA) and carry
# NAME (default mx1.sink.test).  Sets RELAY_DIR, RELAY_PID (root of its
# process tree) and RELAY_LOG.  With SCRAPE_QUEUES, hubd also has the
# connector of the queues that stay, its metrics listener and a resolver
# where nothing answers.
relay_n=0
relay_start() {
	local kind=$1 name=${2:-$SINK_NAME} ca=${3:-$CA} extra=()
	relay_n=$((relay_n + 1))
	RELAY_DIR=$work/$kind.$relay_n
	mkdir -p "$RELAY_DIR"
	case $kind in
	hubd)
		"$HUBSH" --store "$RELAY_DIR/store.db" --server "$SERVER" -Command \
		    "New-SendConnector -Name Sink -Usage Custom -AddressSpaces 'dest.test' -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $SINK_PORT -RequireTLS \$true -TlsAuthLevel DomainValidation -TlsDomain $name | Out-Null" \
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
	hubd)
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
	    --concurrency 1 --size 512 --first 800001 >"$RELAY_DIR/send.out"
	grep -q "\"acked\": $1," "$RELAY_DIR/send.out" ||
	    die "$(cat "$RELAY_DIR/send.out"): the relay did not accept $1 messages"
}

# Evidence in the relay's log: verified delivery, and a deferral for a
# certificate that does not verify.
verified_in_log() {
	case $1 in
	hubd) grep -q "tls TLSv1\.[23] .* DomainValidation ok" "$RELAY_LOG" ;;
	postfix) grep -q "Verified TLS connection established to" "$RELAY_LOG" ;;
	esac
}
deferred_in_log() {
	case $1 in
	hubd) grep -q "failed: 454 4\.7\.5 Certificate validation failure" "$RELAY_LOG" ;;
	postfix) grep -q "status=deferred.*Server certificate not verified" "$RELAY_LOG" ;;
	esac
}
delivered() { [ "$(sink_count)" -ge "$1" ]; }

# check KIND CASE NAME CA: one self-check case; prints a table row, and
# sets selftest_failed when the outcome is not the expected one.
selftest_failed=0
check() {
	local kind=$1 case=$2 name=$3 ca=$4 before after want got evidence ok=1
	before=$(sink_count)
	relay_start "$kind" "$name" "$ca"
	send_few 3
	if [ "$case" = good ]; then
		want="3 delivered, verified"
		wait_for 30 delivered $((before + 3)) || ok=0
		wait_for 10 verified_in_log "$kind" || ok=0
	else
		want="deferred, 0 delivered"
		wait_for 30 deferred_in_log "$kind" || ok=0
		sleep 1
	fi
	after=$(sink_count)
	got="$((after - before)) delivered"
	case $kind in
	hubd) evidence=$(grep -Eo 'TLSv1\.[23] [A-Z0-9_]* DomainValidation ok|TLS verification failed.*|failed: 454 4\.7\.5 [^;]*' "$RELAY_LOG" | head -n 2 | paste -sd ';' || true) ;;
	postfix) evidence=$(grep -Eo 'Verified TLS connection established to [^ ]*: TLSv1\.[23]|verification failed for .*|dsn=4[^ ]* status=deferred \(Server certificate not verified\)' "$RELAY_LOG" | head -n 2 | paste -sd ';' || true) ;;
	esac
	[ "$case" = good ] || [ "$after" = "$before" ] || ok=0
	relay_stop "$kind"
	[ $ok = 1 ] || selftest_failed=1
	printf '| %s | %s | %s, %s | %s | %s; log: %s | %s |\n' "$kind" "$case" \
	    "$name" "$(basename "$ca")" "$want" "$got" "${evidence:-nothing}" \
	    "$([ $ok = 1 ] && echo ok || echo '**FAILED**')"
}

selftest() {
	local kind
	say "TLS self-check ..."
	sink_start
	echo "| relay | case | name required, trust store | want | got | |"
	echo "|---|---|---|---|---|---|"
	for kind in $RELAYS; do
		check "$kind" good "$SINK_NAME" "$CA"
		check "$kind" wrong-name "$WRONG_NAME" "$CA"
		check "$kind" untrusted-CA "$SINK_NAME" "$ROGUE_CA"
	done
	sink_stop
	echo
	[ $selftest_failed = 0 ] || die "TLS self-check failed (KEEP=1 keeps the logs)"
}

# --- machine and versions --------------------------------------------------------

header() {
	local dsync_s git_rev git_dirty= scrape=
	dd if=/dev/zero of="$work/dsync" bs=4k count=300 oflag=dsync 2>"$work/dd" || die "dd failed"
	dsync_s=$(awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") print $(i - 1) }' "$work/dd")
	rm -f "$work/dsync"
	git_rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$top" status --porcelain --untracked-files=no 2>/dev/null | grep -q . &&
	    git_dirty=" (+ uncommitted changes)"
	if [ "$SCRAPE_QUEUES" = 0 ]; then
		echo "# hubd against Postfix: outbound relay over verified TLS"
	else
		echo "# hubd with $SCRAPE_QUEUES queues, scraped and not: outbound relay over verified TLS"
		scrape=" SCRAPE_QUEUES=$SCRAPE_QUEUES SCRAPE_INTERVAL=$SCRAPE_INTERVAL"
	fi
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- command: N=$N REPS=$REPS C_LIST=\"$C_LIST\" SIZE=$SIZE WARMUP=$WARMUP PACED_RATE=$PACED_RATE PACED_N=$PACED_N PACED_C=$PACED_C RELAYS=\"$RELAYS\"$scrape bench/transport.sh"
	echo "- machine: nproc $(nproc), CPU \"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)\", $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)"
	echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- scratch: $work on $(df -PT "$work" | awk 'NR == 2 { print $2 " (" $1 ")" }'); 4 KB O_DSYNC write $(awk -v s="$dsync_s" 'BEGIN { printf "%.3f", s * 1000 / 300 }') ms"
	echo "- hubd: $("$HUBD" --version 2>&1 | head -n 1) at $HUBD, built $(date -u -r "$HUBD" +%Y-%m-%dT%H:%M:%SZ), sha256 $(sha256sum "$HUBD" | cut -c1-16); checkout at git $git_rev$git_dirty; linked with $(ldd "$HUBD" | awk '/libssl|libsqlite3/ { printf "%s ", $1 }')"
	echo "- Postfix $(postconf -d -h mail_version); $(openssl version | cut -d' ' -f1-2); $("$PYTHON" --version)"
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
# NAME is a relay, or hubd-scraped: hubd, scraped through the run.
run_one() {
	local name=$1 c=$2 n=$3 rate=$4 rep=$5 rc=0 tag kind=${1%-scraped}
	local scraper= scrape_opts=() secs
	tag="$name.c$c.r$rate.rep$rep"
	say "rep $rep/$REPS $name C=$c N=$n$([ "$rate" = 0 ] || echo " at $rate/s") ..."
	sink_start
	relay_start "$kind"
	if [ "$SCRAPE_QUEUES" != 0 ]; then
		secs=$("$PYTHON" "$lib/queues.py" fill "$RELAY_PORT" \
		    "$METRICS_PORT" "$SCRAPE_QUEUES") || die "$tag: no queues"
		say "  $SCRAPE_QUEUES queues, tried once, after $secs s"
		scrape_opts=(--queues "$SCRAPE_QUEUES")
	fi
	if [ "$name" != "$kind" ]; then
		"$PYTHON" "$lib/queues.py" scrape "$METRICS_PORT" \
		    "$SCRAPE_INTERVAL" "$SCRAPE_QUEUES" "$work/scrapes.$tag" &
		scraper=$!
		pids+=("$scraper")
		scrape_opts+=(--scrape-log "$work/scrapes.$tag")
	fi
	"$PYTHON" "$lib/measure.py" --relay "$name" --kind "$kind" \
	    --port "$RELAY_PORT" --relay-root "$RELAY_PID" \
	    --relay-log "$RELAY_LOG" --sink-roots "$SINK_PID,$SINK_BACK_PID" \
	    --sink-counter "$SINK/counter" --sink-log "$SINK/maillog" \
	    --dump "$SINK/dump" -n "$n" -c "$c" --size "$SIZE" --rate "$rate" \
	    --warmup "$WARMUP" --timeout "$TIMEOUT" --rep "$rep" \
	    --out "$OUT" --tmp "$work" --latencies "$work/latency.$tag" \
	    "${scrape_opts[@]}" >"$work/last.json" || rc=$?
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
	relay_stop "$kind"
	sink_stop
}

say "timed runs: N=$N REPS=$REPS C_LIST=\"$C_LIST\" PACED_RATE=$PACED_RATE; results in $OUT"
if [ "$SCRAPE_QUEUES" != 0 ]; then
	order=(hubd hubd-scraped)
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
