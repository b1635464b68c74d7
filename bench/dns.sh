#!/usr/bin/env bash
# bench/dns.sh - the CPU that hubd's DNS lookups cost when libunbound's
# cache answers: one DNS-routed delivery's lookups with DANE and MTA-STS
# (MX, A, AAAA, TLSA, the _mta-sts TXT), through transport/dns.c of each
# build directory given, so that two builds (the synchronous ub_resolve()
# of an older dns.c, the asynchronous one of a newer) compare on the same
# resolver in one invocation.
#
#   bench/dns.sh [BUILD...]        (default: build)
#
# The helper bench/dns_bench.c is compiled here with cc against each
# build's libtransport.a, libstore.a and libcommon.a (it is not part of
# the Makefile).  One unbound on loopback (tests/transport/dns.sh) serves
# bench.test: MX 10 mx1.bench.test, its A and AAAA, a TLSA record of
# _25._tcp.mx1 and _mta-sts.bench.test's TXT, all with a TTL of an hour,
# unsigned.  Each build's helper runs REPS times, the builds taking turns.
#
# Environment:
#   ROUNDS     timed rounds per run (default 2000)
#   REPS       runs per build (default 5; the median is reported)
#   PORT       the resolver's loopback port (default 25350)
#   OUT        results, JSON lines (default bench/results/dns-DATE.jsonl;
#              the Markdown report goes beside it as .md)
#   BENCH_TMP  scratch directory parent (default $TMPDIR or /tmp)
#
# Needs cc, pkg-config, unbound, python3.  Nothing here uses an address
# other than 127.0.0.1.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-2000}
REPS=${REPS:-5}
PORT=${PORT:-25350}
BENCH_TMP=${BENCH_TMP:-${TMPDIR:-/tmp}}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$top/bench/results/dns-$stamp.jsonl}
[ $# -gt 0 ] || set -- build

say() { printf '%s\n' "$*" >&2; }
die() { say "dns.sh: $*"; exit 1; }

for t in cc pkg-config unbound python3; do
	command -v "$t" >/dev/null || die "$t not found"
done
work=$(mktemp -d "$BENCH_TMP/dns-bench.XXXXXX")
dns_pid=
cleanup() {
	[ -z "$dns_pid" ] || kill "$dns_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

i=0
for b in "$@"; do
	b=$(cd "$b" 2>/dev/null && pwd) || die "$b: no such build directory"
	for lib in libtransport.a libstore.a libcommon.a; do
		[ -f "$b/$lib" ] || die "no $lib in $b (make it there first)"
	done
	say "building the helper against $b"
	# shellcheck disable=SC2046
	cc -O2 -g -Wall -Wextra -I"$top/transport" -I"$top/store" \
	    -I"$top/common" \
	    $(pkg-config --cflags libunbound sqlite3 openssl libmicrohttpd \
	    libcurl zlib) \
	    -o "$work/dns_bench.$i" "$top/bench/dns_bench.c" \
	    "$b/libtransport.a" "$b/libstore.a" "$b/libcommon.a" \
	    $(pkg-config --libs libunbound sqlite3 openssl libmicrohttpd \
	    libcurl zlib) -lpthread -ldl -lm
	printf '%s\n' "$b" >"$work/build.$i"
	i=$((i + 1))
done
nbuilds=$i

cat >"$work/bench.zone" <<EOF
\$ORIGIN bench.test.
\$TTL 3600
@ IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 3600
@ IN NS ns
ns IN A 127.0.0.1
@ IN MX 10 mx1
mx1 IN A 127.0.0.1
mx1 IN AAAA ::1
_25._tcp.mx1 IN TLSA 3 1 1 $(printf '%064d' 0)
_mta-sts IN TXT "v=STSv1; id=20261206"
EOF
bash "$top/tests/transport/dns.sh" "$work/dns" 127.0.0.1 "$PORT" \
    "authzone:bench.test:$work/bench.zone" >"$work/dns.err" 2>&1 &
dns_pid=$!
for _ in $(seq 100); do
	grep -q 'start of service' "$work/dns/unbound.log" 2>/dev/null && break
	kill -0 "$dns_pid" 2>/dev/null ||
	    die "unbound exited: $(cat "$work/dns.err" "$work/dns/unbound.log" 2>/dev/null)"
	sleep 0.1
done
grep -q 'start of service' "$work/dns/unbound.log" || die "unbound did not start"

mkdir -p "$(dirname "$OUT")"
: >"$OUT"
for rep in $(seq "$REPS"); do
	for k in $(seq 0 $((nbuilds - 1))); do
		# The builds take turns; the first goes last in the next rep.
		j=$(( (k + rep - 1) % nbuilds ))
		say "rep $rep/$REPS $(cat "$work/build.$j")"
		line=$("$work/dns_bench.$j" "127.0.0.1:$PORT" bench.test 25 \
		    "$ROUNDS") || die "the helper failed"
		python3 -c 'import json, sys
r = json.loads(sys.argv[1])
r.update(build=sys.argv[2], rep=int(sys.argv[3]))
print(json.dumps(r))' "$line" "$(cat "$work/build.$j")" "$rep" >>"$OUT"
	done
done

md=${OUT%.jsonl}.md
{
	echo "# bench/dns.sh, $stamp"
	echo
	echo "- ROUNDS=$ROUNDS REPS=$REPS; a round: dns_mx (MX, A, AAAA), dns_tlsa, dns_txt"
	echo "- machine: nproc $(nproc), kernel $(uname -r), load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	python3 - "$OUT" <<'EOF'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
builds = []
for r in runs:
    if r["build"] not in builds:
        builds.append(r["build"])
print("| build | runs | CPU ms per round, median (min–max) | minor faults per round | wall ms per round |")
print("|---|---|---|---|---|")
for b in builds:
    rs = [r for r in runs if r["build"] == b]
    c = [r["cpu_ms_per_round"] for r in rs]
    print("| %s | %d | %.3f (%.3f–%.3f) | %.1f | %.3f |" % (
        b, len(rs), statistics.median(c), min(c), max(c),
        statistics.median(r["minflt_per_round"] for r in rs),
        statistics.median(r["wall_ms_per_round"] for r in rs)))
EOF
} >"$md"
cat "$md"
say "results: $OUT, $md"
