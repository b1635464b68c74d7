#!/usr/bin/env bash
# bench/mtasts.sh - what MTA-STS costs a delivery: hubd relays to K
# domains that each publish an MTA-STS policy in enforce mode (unbound
# serving their MX, A and _mta-sts records; stsweb.py serving their
# policies over HTTPS with a test-CA certificate; one peer.py as every
# MX host, its certificate valid for every MX name).  For each domain a
# first message goes, then M more: the time each takes is compared for
# the first messages
# (which wait for the policy fetch) and the others (which use the cache),
# each timed from before its submission until the MX host has it (one
# message at a time), and the policy server's log says how many fetches
# each domain cost.
# The same run with MtaStsMode None is the baseline.
#
#   bench/mtasts.sh [K [M]]     K domains (default 20), M messages after
#                               the first (default 4)
#
# Environment: HUBD HUBSH (default build/), HUBSH_TEST_KEEP=1 keeps the
# scratch directory.  Needs what tests/transport/mtasts.sh needs (unbound,
# python3-aiosmtpd, openssl, swaks).  Everything stays on 127.0.0.1.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
K=${1:-20}
M=${2:-4}
export top_srcdir=$top
: "${HUBD:=$top/build/hubd}"
: "${HUBSH:=$top/build/hubsh}"
export HUBD HUBSH
[ -x "$HUBD" ] && [ -x "$HUBSH" ] || {
	echo "mtasts.sh: build hubd and hubsh first (or set HUBD, HUBSH)" >&2
	exit 1
}

# The transport tests' helpers: peers, DNS, hubd, tracking queries.
. "$top/tests/transport/lib.sh"
. "$top/tests/transport/hubd-lib.sh"

WEB=$tap_tmp/web
Z=$tap_tmp/zone
mkdir -p "$WEB" "$Z"
names=() webnames=()
for i in $(seq 1 "$K"); do
	names+=("mx.d$i.test")
	webnames+=("mta-sts.d$i.test")
done
make_certs "${names[@]}" >/dev/null || tap_bail "certificates"
make_leaf web "${webnames[@]}" >/dev/null 2>&1 || tap_bail "web certificate"
peer_start mx $(cert_opts valid) || tap_bail "peer"
for i in $(seq 1 "$K"); do
	mkdir -p "$WEB/mta-sts.d$i.test"
	printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.d%s.test\r\nmax_age: 86400\r\n' \
	    "$i" >"$WEB/mta-sts.d$i.test/policy.txt"
done
stsweb_start WEB_PORT 127.0.0.1:0 || tap_bail "stsweb.py"
{
	printf '$ORIGIN test.\n$TTL 3600\n'
	printf '@ IN SOA ns.test. hostmaster.test. 1 3600 600 86400 1\n'
	printf '@ IN NS ns.test.\nns IN A 127.0.0.1\n'
	for i in $(seq 1 "$K"); do
		printf 'd%s IN MX 10 mx.d%s.test.\nmx.d%s IN A 127.0.0.1\n' "$i" "$i" "$i"
		printf 'mta-sts.d%s IN A 127.0.0.1\n' "$i"
		printf '_mta-sts.d%s IN TXT "v=STSv1; id=1"\n' "$i"
	done
} >"$Z/test.zone"
dns_start "authzone:test:$Z/test.zone" || tap_bail "DNS server"

# arrived RCPT: when peer mx got the message for RCPT (its envelope
# file's modification time, ns), or nothing yet.
arrived() {
	grep -l "^rcpt=$1\$" "$(peer_dir mx)"/msg/*.env 2>/dev/null |
	    head -1 | xargs -r stat -c %.9Y
}
has_arrived() { [ -n "$(arrived "$wanted")" ]; }
# one RCPT: ms from before the submission until the message reached the
# MX host.
one() {
	local t0 t1
	t0=$(date +%s.%N)
	submit --to "$1" --header "Subject: bench" >/dev/null ||
	    tap_bail "submit $1"
	wanted=$1
	wait_for 30 has_arrived ||
	    { cat "$HUBD_LOG" >&2; tap_bail "not delivered: $1"; }
	t1=$(arrived "$1")
	"$PYTHON" -c "print(round(($t1 - $t0) * 1000))"
}

# run MODE: a fresh hubd with MtaStsMode MODE; prints "first others
# fetches": the median ms from submission to arrival of the first
# message to each domain and of the next M, one after the other, and
# the policy fetches made.
run() {
	local mode=$1 i j before first=() others=()
	rm -rf "$tap_tmp/state" "$tap_tmp/store-$mode.db"
	STORE=$tap_tmp/store-$mode.db
	export HUBSH_STORE=$STORE
	hubsh_run "New-SendConnector -Name Bench -AddressSpaces '*.test' \
	    -DNSRoutingEnabled \$true -Port $(peer_port mx) -MtaStsMode $mode |
	    Out-Null" || tap_bail "connector"
	hubd_start --mta-sts-port "$WEB_PORT" || tap_bail "hubd"
	before=$(cat "$WEB/requests.log" 2>/dev/null | wc -l)
	for i in $(seq 1 "$K"); do
		first+=("$(one "first-$mode@d$i.test")")
		for j in $(seq 1 "$M"); do
			others+=("$(one "r$j-$mode@d$i.test")")
		done
	done
	"$PYTHON" -c 'import statistics, sys
a = sys.argv[1].split(); b = sys.argv[2].split()
print(statistics.median(map(int, a)), statistics.median(map(int, b)), end=" ")' \
	    "${first[*]}" "${others[*]}"
	echo $(( $(cat "$WEB/requests.log" 2>/dev/null | wc -l) - before ))
	hubd_stop
}

read -r f0 o0 n0 <<<"$(run None)"
read -r f1 o1 n1 <<<"$(run Opportunistic)"
cat <<EOF
$(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sr), $(nproc) CPUs; K=$K domains, 1 + $M messages each

| MtaStsMode | first message, median ms | next $M, median ms | policy fetches |
|---|---|---|---|
| None | $f0 | $o0 | $n0 |
| Opportunistic (enforce policies) | $f1 | $o1 | $n1 |
EOF
