#!/usr/bin/env bash
# bench/shell.sh - hubsh shell benchmark: batch throughput of
# New-SendConnector / Set-SendConnector under hubsh -File, the same rows
# written by the sqlite3 CLI (same schema, same durability, one transaction
# per connector), and whole-process latency of hubsh -Command
# 'Get-SendConnector' on a store of 1,000 connectors.
#
#   bench/shell.sh [N]       N connectors per batch (default 10000);
#                            `bench/shell.sh 1000` is a quick run
#
# Environment:
#   HUBSH      binary to measure (default: build/hubsh of this checkout)
#   REPS       repetitions of the batch measurements (default 3)
#   GET_N      connectors in the store for Get-SendConnector (default 1000)
#   GET_RUNS   timed Get-SendConnector runs, after 3 untimed (default 30)
#   TIMEOUT    seconds allowed to any one timed command (default 600)
#   BENCH_TMP  directory for the scratch stores (default $TMPDIR or /tmp);
#              it must be on the disk you want to measure, not tmpfs
#   KEEP=1     keep the scratch directory (scripts, SQL files, stores)
#
# Output: machine and versions, then a Markdown table.  Everything runs
# locally on files; nothing here opens a socket.  Scratch files are removed
# on exit.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-10000}
REPS=${REPS:-3}
GET_N=${GET_N:-1000}
GET_RUNS=${GET_RUNS:-30}
TIMEOUT=${TIMEOUT:-600}
HUBSH=${HUBSH:-$top/build/hubsh}
SERVER=HUB1

die() { printf 'shell.sh: %s\n' "$*" >&2; exit 1; }
case $N in ''|*[!0-9]*) die "N must be a positive integer";; esac
[ "$N" -ge 1 ] || die "N must be >= 1"
[ -x "$HUBSH" ] || die "no hubsh binary at $HUBSH (build it, or set HUBSH)"
command -v sqlite3 >/dev/null || die "the sqlite3 CLI is required"
command -v timeout >/dev/null || die "timeout(1) is required"

. "$top/bench/lib/bench.sh"
. "$top/bench/lib/baseline.sh"
bench_scratch hubsh-bench

hubsh() {
	"$HUBSH" --store "$1" --server "$SERVER" "${@:2}" ||
	    die "hubsh failed (status $?): ${*:2}"
}

# Microseconds of wall time for one run of cmd..., output discarded.
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
latency_us() {
	local t0 t1
	t0=$(now_us)
	"$@" >/dev/null 2>"$work/err" || die "failed: $*"
	t1=$(now_us)
	[ -s "$work/err" ] && { sed 5q "$work/err" >&2; die "stderr: $*"; }
	echo $((t1 - t0))
}

count() { sqlite3 "$1" "$2"; }

# ---------------------------------------------------------------------
# Machine, versions, disk calibration.

hubsh_sqlite=$(ldd "$HUBSH" 2>/dev/null | awk '/libsqlite3/ { print $3 }')

echo "# hubsh shell benchmark"
echo
echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- command: bench/shell.sh $N (REPS=$REPS GET_N=$GET_N GET_RUNS=$GET_RUNS)"
bench_machine
echo "- scratch dir: $work on $(df -PT "$work" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
echo "- 4 KB O_DSYNC write: $(bench_dsync_ms) ms (dd, 300 writes)"
echo "- hubsh: $("$HUBSH" --version) at $HUBSH (source checkout: $(bench_source "$top")), linked with ${hubsh_sqlite:-static sqlite}"
echo "- sqlite3 CLI: $(sqlite3 --version | cut -d' ' -f1-2)"
echo

# ---------------------------------------------------------------------
# Inputs, all generated before anything is timed.

# hubsh batch files.
bench_batches "$N" "$work"

# The sqlite3 baseline (bench/lib/baseline.sh): a probe connector like
# the batch's defines the rows; the same probe, after the batch's
# Set-SendConnector, defines the UPDATE.
baseline_probe "New-SendConnector -Name 'probe' -AddressSpaces 'probe.example;1' -SmartHosts 'relayprobe.example' -DNSRoutingEnabled \$false | Out-Null" probe.example
hubsh "$work/probe.db" -Command "Set-SendConnector 'probe' -Port 2525 -RequireTLS \$true -TlsAuthLevel EncryptionOnly"
set_cols=$(sqlite3 "$work/probe.db" "select 'port = ' || port || ', require_tls = ' || require_tls || ', tls_auth_level = ' || tls_auth_level from send_connectors")

awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
    printf "bench-%d\tb%d.example\trelay%d.example\n", i, i, i }' >"$work/rows"
baseline_inserts "$work/rows" >"$work/insert.sql"
ts=$(date +%s)
{
	echo "PRAGMA synchronous = FULL;"
	echo "PRAGMA foreign_keys = ON;"
	awk -v n="$N" -v ts="$ts" -v set="$set_cols" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "BEGIN IMMEDIATE;\nUPDATE send_connectors SET %s, when_changed = %d WHERE name = '\''bench-%d'\'';\nCOMMIT;\n", set, ts + 1, i
	}'
} >"$work/update.sql"

# A store as hubsh creates it (schema, meta and servers rows), untimed.
fresh_hubsh() { rm -f "$1" "$1-wal" "$1-shm"; hubsh "$1" -Command 'Get-SendConnector' >/dev/null; }

# ---------------------------------------------------------------------
# 1 + 2: batch throughput, hubsh and sqlite3 interleaved in each rep.

declare -a hn hs qn qs hn_cpu hs_cpu qn_cpu qs_cpu rn rs
for r in $(seq 1 "$REPS"); do
	printf 'rep %d/%d ...\n' "$r" "$REPS" >&2

	fresh_hubsh "$work/h.db"
	timed "$HUBSH" --store "$work/h.db" --server "$SERVER" -File "$work/new.ps1"
	hn+=("$T_REAL"); hn_cpu+=("$T_CPU")
	[ "$(count "$work/h.db" 'select count(*) from send_connectors')" = "$N" ] ||
	    die "hubsh New-SendConnector batch did not store $N connectors"
	timed "$HUBSH" --store "$work/h.db" --server "$SERVER" -File "$work/set.ps1"
	hs+=("$T_REAL"); hs_cpu+=("$T_CPU")
	[ "$(count "$work/h.db" 'select count(*) from send_connectors where port = 2525 and require_tls = 1')" = "$N" ] ||
	    die "hubsh Set-SendConnector batch did not update $N connectors"

	baseline_fresh "$work/q.db"
	TIMED_IN="$work/insert.sql" timed sqlite3 -bail "$work/q.db"
	qn+=("$T_REAL"); qn_cpu+=("$T_CPU")
	TIMED_IN="$work/update.sql" timed sqlite3 -bail "$work/q.db"
	qs+=("$T_REAL"); qs_cpu+=("$T_CPU")
	[ "$(count "$work/q.db" 'select count(*) from send_connectors where port = 2525 and require_tls = 1')" = "$N" ] ||
	    die "sqlite3 baseline did not store and update $N connectors"

	rn+=("$(calc '%.2f' "${hn[-1]} / ${qn[-1]}")")
	rs+=("$(calc '%.2f' "${hs[-1]} / ${qs[-1]}")")

	# The baseline must hold what hubsh holds (GUIDs and times aside).
	if [ "$r" = 1 ]; then
		baseline_content "$work/h.db" >"$work/h.txt"
		baseline_content "$work/q.db" >"$work/q.txt"
		cmp -s "$work/h.txt" "$work/q.txt" ||
		    die "sqlite3 baseline rows differ from hubsh's: diff $work/h.txt $work/q.txt"
	fi
done

# ---------------------------------------------------------------------
# 3: Get-SendConnector latency on a store of GET_N connectors.

printf 'Get-SendConnector x %d ...\n' "$GET_RUNS" >&2
fresh_hubsh "$work/g.db"
awk -v n="$GET_N" 'BEGIN { for (i = 1; i <= n; i++)
    printf "New-SendConnector -Name '\''get-%d'\'' -AddressSpaces '\''g%d.example;1'\'' -SmartHosts '\''relay%d.example'\'' -DNSRoutingEnabled $false | Out-Null\n", i, i, i }' >"$work/get.ps1"
timed "$HUBSH" --store "$work/g.db" --server "$SERVER" -File "$work/get.ps1"
get_cmd=("$HUBSH" --store "$work/g.db" --server "$SERVER" -Command 'Get-SendConnector')
fresh_hubsh "$work/e.db"
empty_cmd=("$HUBSH" --store "$work/e.db" --server "$SERVER" -Command 'Get-SendConnector')
get_lines=$("${get_cmd[@]}" | wc -l)
[ "$get_lines" -ge "$GET_N" ] || die "Get-SendConnector printed $get_lines lines for $GET_N connectors"
sql_get="SELECT c.*, a.type, a.domain, a.cost, h.host, s.server FROM send_connectors c
    LEFT JOIN address_spaces a ON a.connector_id = c.id
    LEFT JOIN smart_hosts h ON h.connector_id = c.id
    LEFT JOIN source_servers s ON s.connector_id = c.id ORDER BY c.name"
declare -a gl el ql tl
for _ in 1 2 3; do		# warm-up: page cache, dynamic loader
	latency_us "${get_cmd[@]}" >/dev/null
	latency_us "${empty_cmd[@]}" >/dev/null
	latency_us sqlite3 "$work/g.db" "$sql_get" >/dev/null
	latency_us /bin/true >/dev/null
done
for _ in $(seq 1 "$GET_RUNS"); do	# interleaved
	gl+=("$(latency_us "${get_cmd[@]}")")
	el+=("$(latency_us "${empty_cmd[@]}")")
	ql+=("$(latency_us sqlite3 "$work/g.db" "$sql_get")")
	tl+=("$(latency_us /bin/true)")
done

steal=$(bench_steal)

# ---------------------------------------------------------------------
# Report.

row() {	# label runs wall[] cpu[] : median (min-max) s, ops/s, cpu
	local label=$1 n=$2; shift 2
	local -n w=$1 c=$2
	local m lo hi
	m=$(agg med "${w[@]}"); lo=$(agg lo "${w[@]}"); hi=$(agg hi "${w[@]}")
	printf '| %s | %s | %.3f (%.3f–%.3f) | %s | %.0f (%.0f–%.0f) | %.3f |\n' \
	    "$label" "${#w[@]}" "$m" "$lo" "$hi" "$(calc '%.3f' "1000 * $m / $n")" \
	    "$(calc '%.6f' "$n / $m")" "$(calc '%.6f' "$n / $hi")" "$(calc '%.6f' "$n / $lo")" \
	    "$(agg med "${c[@]}")"
}
ratio() {
	local -n a=$2 b=$3 per=$4
	printf '| **%s** | %s | **%.2f×** (per rep %.2f–%.2f) | | | |\n' "$1" \
	    "${#per[@]}" "$(calc '%.6f' "$(agg med "${a[@]}") / $(agg med "${b[@]}")")" \
	    "$(agg lo "${per[@]}")" "$(agg hi "${per[@]}")"
}
lrow() {
	local -n l=$2
	printf '| %s | %s | %.2f ms (%.2f–%.2f) | | | |\n' "$1" "${#l[@]}" \
	    "$(calc '%.6f' "$(agg med "${l[@]}") / 1000")" \
	    "$(calc '%.6f' "$(agg lo "${l[@]}") / 1000")" \
	    "$(calc '%.6f' "$(agg hi "${l[@]}") / 1000")"
}

echo "- steal time during the run: $steal %; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| measurement | runs | wall s, median (min–max) | ms per command | commands/s, median (min–max) | CPU s (user+sys), median |"
echo "|---|---|---|---|---|---|"
row "hubsh -File: $N × New-SendConnector (fresh store)" "$N" hn hn_cpu
row "sqlite3 CLI: $N × (BEGIN; 4 INSERT; COMMIT)" "$N" qn qn_cpu
ratio "New: hubsh / sqlite3 (target ≤ 2×)" hn qn rn
row "hubsh -File: $N × Set-SendConnector" "$N" hs hs_cpu
row "sqlite3 CLI: $N × (BEGIN; UPDATE; COMMIT)" "$N" qs qs_cpu
ratio "Set: hubsh / sqlite3 (target ≤ 2×)" hs qs rs
echo
echo "| whole-process wall time, output to /dev/null, $GET_N connectors unless noted | runs | median (min–max) | | | |"
echo "|---|---|---|---|---|---|"
lrow "**hubsh -Command 'Get-SendConnector'** (target < 20 ms)" gl
lrow "hubsh -Command 'Get-SendConnector' on an empty store (fixed cost)" el
lrow "sqlite3 CLI: SELECT connectors ⋈ 3 child tables" ql
lrow "/bin/true (process start floor)" tl
