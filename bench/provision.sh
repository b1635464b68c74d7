#!/usr/bin/env bash
# bench/provision.sh - a provisioning run: N partners (default 500) from a
# generated CSV file, one New-SendConnector each, made by
# bench/provision.ps1 under hubsh -File (a function, param, foreach over
# Import-Csv); against the sqlite3 CLI writing the same rows into the
# same schema with the same durability (hubsh's PRAGMAs: WAL,
# synchronous=FULL; one transaction per connector).  Target: hubsh within
# 1.5x of sqlite3.
#
#   bench/provision.sh [N]
#
# Environment:
#   HUBSH      binary to measure (default: build/hubsh of this checkout)
#   MODE       script: bench/provision.ps1 as it is;
#              literal: a generated script of N New-SendConnector lines,
#              the commands the function runs, with their values written
#              out (no function, no Import-Csv);
#              auto (default): both when this hubsh runs provision.ps1
#              (checked on a 2-row CSV first), else literal alone
#   REPS       repetitions, each mode and sqlite3 interleaved (default 5)
#   PROFILE=1  also run hubsh once under callgrind per mode and print the
#              functions that take the instructions (needs valgrind)
#   TIMEOUT    seconds allowed to any one timed command (default 600)
#   BENCH_TMP  directory for the scratch stores (default $TMPDIR or /tmp);
#              it must be on the disk you want to measure, not tmpfs
#   KEEP=1     keep the scratch directory
#
# Output: machine and versions, then a Markdown table.  The first
# repetition also checks that hubsh's store and the sqlite3 one hold the
# same connectors (GUIDs, times and row ids aside).  Nothing here opens a
# socket; scratch files are removed on exit.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-500}
MODE=${MODE:-auto}
REPS=${REPS:-5}
TIMEOUT=${TIMEOUT:-600}
HUBSH=${HUBSH:-$top/build/hubsh}
SERVER=HUB1

die() { printf 'provision.sh: %s\n' "$*" >&2; exit 1; }
case $N in ''|*[!0-9]*|0) die "N must be a positive integer";; esac
case $MODE in auto|script|literal) ;; *) die "MODE: auto, script or literal";; esac
[ -x "$HUBSH" ] || die "no hubsh binary at $HUBSH (build it, or set HUBSH)"
command -v sqlite3 >/dev/null || die "the sqlite3 CLI is required"
command -v timeout >/dev/null || die "timeout(1) is required"

. "$top/bench/lib/bench.sh"
. "$top/bench/lib/baseline.sh"
bench_scratch hubsh-provision

hubsh() { "$HUBSH" --store "$1" --server "$SERVER" "${@:2}"; }
count() { sqlite3 "$1" 'select count(*) from send_connectors'; }

# partners ROWS CSV: ROWS partners, as "name<TAB>domain<TAB>smart host"
# lines (the baseline's input) and as the script's CSV file.
partners() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "partner-%04d\tp%04d.example\tmx.p%04d.example\n", i, i, i }'
}
csv_of() {
	echo "Name,Domain"
	awk -F'\t' '{ print $1 "," $2 }' "$1"
}

# The script's directory: provision.ps1 and its partners.csv.
script_dir() {	# script_dir DIR ROWS
	mkdir -p "$1"
	cp "$top/bench/provision.ps1" "$1/"
	csv_of "$2" >"$1/partners.csv"
}

# A store as hubsh creates it (schema, meta and servers rows), untimed.
fresh_hubsh() {
	rm -f "$1" "$1-wal" "$1-shm"
	hubsh "$1" -Command 'Get-SendConnector' >/dev/null ||
	    die "hubsh cannot create a store"
}

# ---------------------------------------------------------------------
# Inputs, all made before anything is timed.

partners "$N" >"$work/rows"
script_dir "$work/script" "$work/rows"
# What New-PartnerConnector runs for each row, written out.
awk -F'\t' '{ printf "New-SendConnector -Name '\''%s'\'' -AddressSpaces '\''SMTP:%s;1'\'' -SmartHosts '\''%s'\'' -DNSRoutingEnabled $false -RequireTLS $true -TlsAuthLevel DomainValidation -TlsDomain '\''%s'\'' | Out-Null\n", $1, $2, $3, $2 }' \
    "$work/rows" >"$work/literal.ps1"

modes=
if [ "$MODE" = literal ]; then
	modes=literal
else
	partners 2 >"$work/rows2"
	script_dir "$work/check" "$work/rows2"
	fresh_hubsh "$work/check.db"
	if hubsh "$work/check.db" -File "$work/check/provision.ps1" \
	    >"$work/check.out" 2>&1 && [ "$(count "$work/check.db")" = 2 ]; then
		modes="script"
		[ "$MODE" = auto ] && modes="script literal"
	elif [ "$MODE" = script ]; then
		sed 5q "$work/check.out" >&2
		die "this hubsh cannot run bench/provision.ps1 (MODE=script)"
	else
		modes=literal
		script_note=$(grep -m1 -o "The term '[^']*' is not recognized" \
		    "$work/check.out" || sed 1q "$work/check.out")
	fi
fi

baseline_probe "New-SendConnector -Name 'probe' -AddressSpaces 'SMTP:probe.example;1' -SmartHosts 'mx.probe.example' -DNSRoutingEnabled \$false -RequireTLS \$true -TlsAuthLevel DomainValidation -TlsDomain 'probe.example' | Out-Null" probe.example
baseline_inserts "$work/rows" >"$work/insert.sql"

echo "# hubsh provisioning benchmark"
echo
echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- command: bench/provision.sh $N (MODE=$MODE REPS=$REPS)"
bench_machine
echo "- scratch dir: $work on $(df -PT "$work" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
echo "- 4 KB O_DSYNC write: $(bench_dsync_ms) ms (dd, 300 writes)"
echo "- hubsh: $("$HUBSH" --version) at $HUBSH (source checkout: $(bench_source "$top"))"
echo "- sqlite3 CLI: $(sqlite3 --version | cut -d' ' -f1-2)"
echo "- modes measured: $modes"
[ -z "${script_note:-}" ] ||
    echo "- bench/provision.ps1 does not run on this hubsh yet ($script_note), so the literal script stands in for it"

# ---------------------------------------------------------------------
# Timed repetitions: each mode, then sqlite3, in every repetition.

declare -A wall cpu
for r in $(seq 1 "$REPS"); do
	printf 'rep %d/%d ...\n' "$r" "$REPS" >&2
	for m in $modes; do
		fresh_hubsh "$work/h.db"
		if [ "$m" = script ]; then
			timed "$HUBSH" --store "$work/h.db" --server "$SERVER" \
			    -File "$work/script/provision.ps1"
		else
			timed "$HUBSH" --store "$work/h.db" --server "$SERVER" \
			    -File "$work/literal.ps1"
		fi
		wall[$m]+="$T_REAL "; cpu[$m]+="$T_CPU "
		[ "$(count "$work/h.db")" = "$N" ] ||
		    die "hubsh ($m) did not store $N connectors"
		[ "$r" = 1 ] && baseline_content "$work/h.db" >"$work/h-$m.txt"
	done

	baseline_fresh "$work/q.db"
	TIMED_IN="$work/insert.sql" timed sqlite3 -bail "$work/q.db"
	wall[sqlite3]+="$T_REAL "; cpu[sqlite3]+="$T_CPU "
	[ "$(count "$work/q.db")" = "$N" ] ||
	    die "sqlite3 did not store $N connectors"

	# The baseline must hold what hubsh holds (GUIDs and times aside).
	if [ "$r" = 1 ]; then
		baseline_content "$work/q.db" >"$work/q.txt"
		for m in $modes; do
			cmp -s "$work/h-$m.txt" "$work/q.txt" ||
			    die "sqlite3 rows differ from hubsh's ($m): diff $work/h-$m.txt $work/q.txt"
		done
	fi
done
steal=$(bench_steal)

# ---------------------------------------------------------------------
# Report.

label() {
	case $1 in
	script)	echo "hubsh -File provision.ps1: function + foreach over Import-Csv" ;;
	literal) echo "hubsh -File: $N literal New-SendConnector lines" ;;
	sqlite3) echo "sqlite3 CLI: $N × (BEGIN IMMEDIATE; 4 INSERT; COMMIT)" ;;
	esac
}
echo "- steal time during the run: $steal %; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| measurement | runs | wall s, median (min–max) | ms per connector | CPU s (user+sys), median | × sqlite3 (target ≤ 1.5×) |"
echo "|---|---|---|---|---|---|"
# The lists of figures are split into agg's arguments on purpose.
# shellcheck disable=SC2086
q=$(agg med ${wall[sqlite3]})
# shellcheck disable=SC2086
for m in $modes sqlite3; do
	w=$(agg med ${wall[$m]})
	printf '| %s | %s | %.3f (%.3f–%.3f) | %.3f | %.3f | %s |\n' \
	    "$(label "$m")" "$REPS" "$w" "$(agg lo ${wall[$m]})" \
	    "$(agg hi ${wall[$m]})" "$(calc '%.6f' "1000 * $w / $N")" \
	    "$(agg med ${cpu[$m]})" \
	    "$([ "$m" = sqlite3 ] || calc '**%.2f×**' "$w / $q")"
done

# ---------------------------------------------------------------------
# Where hubsh's instructions go (PROFILE=1).

[ "${PROFILE:-0}" = 1 ] || exit 0
command -v valgrind >/dev/null || die "PROFILE=1 needs valgrind"
for m in $modes; do
	fresh_hubsh "$work/h.db"
	if [ "$m" = script ]; then
		set -- -File "$work/script/provision.ps1"
	else
		set -- -File "$work/literal.ps1"
	fi
	valgrind -q --tool=callgrind --callgrind-out-file="$work/cg.$m" \
	    "$HUBSH" --store "$work/h.db" --server "$SERVER" "$@" \
	    >/dev/null 2>&1 || die "callgrind failed ($m)"
	total=$(awk '/^summary:/ { print $2 }' "$work/cg.$m")
	echo
	echo "callgrind, $(label "$m"): $(calc '%.1f' "$total / 1e6") M instructions, $(calc '%.0f' "$total / $N / 1000") k per connector; inclusive, top functions:"
	echo
	echo '```'
	# One line per function (the ones naming their object), from main
	# down, paths cut to their last component.
	callgrind_annotate --inclusive=yes "$work/cg.$m" 2>/dev/null |
	    awk 'match($0, /^ *[0-9,]+ \( *[0-9.]+%\)  /) && /\]$/ &&
		!/below main|ld-linux|libc-start/ {
		    cost = substr($0, 1, RLENGTH); rest = substr($0, RLENGTH + 1)
		    split(rest, w, " \\[")
		    n = split(w[1], f, "/"); m = split(w[2], o, "/")
		    printf "%s%s [%s\n", cost, f[n], o[m] }' |
	    head -n 25
	echo '```'
done
