#!/usr/bin/env bash
# bench/metrics.sh - what a scrape of hubd's metrics costs with many
# delivery queues: hubd with a DNS-routed connector for *.parked.test,
# its resolver a loopback port where nothing answers (every MX lookup
# times out, so every recipient waits in its domain's queue), is given Q
# recipients in Q domains (bench/lib/queues.py: messages of 200
# recipients over plain SMTP on loopback); once its metrics show Q
# queues that have each been tried once, SCRAPES scrapes are timed, one
# after the other: wall time per scrape at the client, and hubd's CPU
# (user + system, /proc/PID/stat) over all of them.  The same with no
# queue is the baseline.
#
#   bench/metrics.sh [Q]      Q queues (default 10000); `bench/metrics.sh
#                             1000` is a quick run
#
# Environment:
#   SCRAPES    timed scrapes (default 200), after 5 untimed
#   HUBD HUBSH binaries (default build/hubd, build/hubsh of this checkout)
#   BENCH_TMP  scratch directory parent (default $TMPDIR or /tmp)
#   KEEP=1     keep the scratch directory
#
# Output: machine and versions, then a Markdown table.  Everything stays
# on 127.0.0.1; no mail leaves hubd.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
Q=${1:-10000}
SCRAPES=${SCRAPES:-200}
HUBD=${HUBD:-$top/build/hubd}
HUBSH=${HUBSH:-$top/build/hubsh}
PYTHON=${PYTHON:-/usr/bin/python3}

die() { printf 'metrics.sh: %s\n' "$*" >&2; exit 1; }
case $Q in ''|*[!0-9]*) die "Q must be a positive integer";; esac
[ -x "$HUBD" ] || die "no hubd at $HUBD (build it, or set HUBD)"
[ -x "$HUBSH" ] || die "no hubsh at $HUBSH (build it, or set HUBSH)"

. "$top/bench/lib/bench.sh"
queues=$top/bench/lib/queues.py
bench_scratch hubsh-metrics

# free_port: a TCP port nothing listens on now.
free_port() {
	"$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

hubd_pid=
stop_hubd() {
	[ -n "$hubd_pid" ] || return 0
	kill -TERM "$hubd_pid" 2>/dev/null || true
	wait "$hubd_pid" 2>/dev/null || true
	hubd_pid=
}
trap 'stop_hubd; [ "${KEEP:-0}" = 1 ] || rm -rf "$work"' EXIT

# run_hubd DIR: hubd on a fresh store and spool in DIR; SMTP and metrics
# ports in $SPORT and $MPORT.
run_hubd() {
	local dir=$1 dns
	mkdir -p "$dir"
	"$PYTHON" "$queues" connector "$HUBSH" "$dir/s.db" BENCH ||
	    die "no connector"
	SPORT=$(free_port) MPORT=$(free_port) dns=$(free_port)
	"$HUBD" -f --store "$dir/s.db" --server BENCH \
	    --listen "127.0.0.1:$SPORT" --state-dir "$dir/state" \
	    --control-socket "$dir/ctl.sock" --resolver "127.0.0.1:$dns" \
	    --metrics-listen "127.0.0.1:$MPORT" >"$dir/hubd.log" 2>&1 &
	hubd_pid=$!
	for _ in $(seq 100); do
		grep -q ' started: ' "$dir/hubd.log" && return 0
		kill -0 "$hubd_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/hubd.log" >&2
	die "hubd did not start"
}

echo "# hubd metrics scrape benchmark"
echo
echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- command: bench/metrics.sh $Q (SCRAPES=$SCRAPES)"
bench_machine
echo "- hubd: $("$HUBSH" --version) at $HUBD (source checkout: $(bench_source "$top"))"
echo

rows=()
for q in 0 "$Q"; do
	printf 'queues %d ...\n' "$q" >&2
	run_hubd "$work/q$q"
	if [ "$q" -gt 0 ]; then
		"$PYTHON" "$queues" fill "$SPORT" "$MPORT" "$q" >/dev/null ||
		    die "the queues did not appear"
	fi
	rows+=("$("$PYTHON" "$queues" time "$MPORT" "$hubd_pid" \
	    "$SCRAPES" "$q queues")") || die "the scrapes failed"
	stop_hubd
done

echo "| run | queues in the text | bytes | wall ms, median | p99 | max | hubd CPU ms per scrape |"
echo "|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do
	IFS='|' read -r what nq bytes med p99 max cpu <<<"$r"
	echo "| $what | $nq | $bytes | $med | $p99 | $max | $cpu |"
done
echo
echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
