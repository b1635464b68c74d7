#!/usr/bin/env bash
# bench/startup.sh - hubsh start-up: whole-process time of hubsh -Command
# from spawn to its first byte of output and to its exit, against
# /bin/true, /bin/echo and the sqlite3 CLI as anchors; then the
# instructions each one runs (callgrind), how many of them the dynamic
# loader runs, and its relocation counts (LD_DEBUG=statistics).
#
#   bench/startup.sh
#
# Environment:
#   HUBSH         binary to measure (default: build/hubsh of this checkout)
#   HUBSH_BEFORE  a second hubsh, e.g. a build of an older commit: its
#                 rows are measured in the same rounds, for a before/after
#   RUNS          timed rounds; each round runs every command once, in
#                 turn (default 500, after 20 untimed)
#   CALLGRIND=0   skip the instruction counts (they need valgrind)
#   BENCH_TMP     directory for the scratch stores (default $TMPDIR or /tmp)
#   KEEP=1        keep the scratch directory (stores, raw timings)
#
# The commands, all with standard input and error on /dev/null:
#   hubsh -Command "'hello'"  --store names a file that does not exist:
#                 the store is opened on first use only, so this never
#                 creates it (checked after the runs)
#   hubsh -Command '(Get-SendConnector).Count'  on an empty store that
#                 exists: start-up plus opening the store, prints 0
#   sqlite3 :memory: 'select 1', /bin/echo hello, /bin/true
#
# The timer is bench/startup_time.c, compiled here with cc.  Output:
# machine and versions, then Markdown tables.  Nothing here opens a
# socket; scratch files are removed on exit.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
HUBSH=${HUBSH:-$top/build/hubsh}
HUBSH_BEFORE=${HUBSH_BEFORE:-}
RUNS=${RUNS:-500}
WARMUP=20
CALLGRIND=${CALLGRIND:-1}

die() { printf 'startup.sh: %s\n' "$*" >&2; exit 1; }
case $RUNS in ''|*[!0-9]*|0) die "RUNS must be a positive integer";; esac
[ -x "$HUBSH" ] || die "no hubsh binary at $HUBSH (build it, or set HUBSH)"
[ -z "$HUBSH_BEFORE" ] || [ -x "$HUBSH_BEFORE" ] ||
    die "no hubsh binary at $HUBSH_BEFORE (HUBSH_BEFORE)"
command -v sqlite3 >/dev/null || die "the sqlite3 CLI is required"
command -v cc >/dev/null || die "cc is required (to build the timer)"
if [ "$CALLGRIND" = 1 ] && ! command -v valgrind >/dev/null; then
	echo "startup.sh: no valgrind: instruction counts skipped" >&2
	CALLGRIND=0
fi

. "$top/bench/lib/bench.sh"
bench_scratch hubsh-startup

cc -O2 -Wall -Wextra -o "$work/startup_time" "$top/bench/startup_time.c" ||
    die "cannot build bench/startup_time.c"

# ---------------------------------------------------------------------
# The commands: name, then argv (absolute paths: the timer does not
# search PATH).

sqlite3_bin=$(command -v sqlite3)
names=() ; declare -A argv_of expect_of
add() {	# add NAME EXPECTED-OUTPUT CMD [ARG ...]
	names+=("$1")
	expect_of[$1]=$2
	argv_of[$1]=$(printf '%q ' "${@:3}")
}
hubsh_cmds() {	# hubsh_cmds LABEL BINARY
	local d="$work/$1"
	mkdir -p "$d"
	"$2" --store "$d/empty.db" --server HUB1 -Command 'Get-SendConnector' \
	    </dev/null >/dev/null 2>&1 ||
	    die "$2 cannot create an empty store"
	add "$1 -Command \"'hello'\", no store file" hello \
	    "$2" --store "$d/none.db" --server HUB1 -Command "'hello'"
	add "$1 -Command '(Get-SendConnector).Count', empty store" 0 \
	    "$2" --store "$d/empty.db" --server HUB1 \
	    -Command '(Get-SendConnector).Count'
}
hubsh_cmds hubsh "$HUBSH"
[ -z "$HUBSH_BEFORE" ] || hubsh_cmds "hubsh (before)" "$HUBSH_BEFORE"
add "sqlite3 :memory: 'select 1'" 1 "$sqlite3_bin" :memory: 'select 1'
add "/bin/echo hello" hello /bin/echo hello
add "/bin/true" "" /bin/true

# Every command once, untimed: it must succeed, say what it should and
# write nothing to standard error.
for n in "${names[@]}"; do
	eval "set -- ${argv_of[$n]}"
	out=$("$@" </dev/null 2>"$work/err") || die "failed: $n"
	[ "$out" = "${expect_of[$n]}" ] || die "$n printed '$out'"
	[ -s "$work/err" ] && { sed 5q "$work/err" >&2; die "stderr: $n"; }
done

# The timer's argument list: RUNS NAME CMD... -- NAME CMD... ...
timer_args() {
	local n first=1
	local -a argv
	for n in "${names[@]}"; do
		[ $first = 1 ] || printf '%s\0' --
		first=0
		printf '%s\0' "$n"
		eval "argv=(${argv_of[$n]})"
		printf '%s\0' "${argv[@]}"
	done
}
timer_args >"$work/args"

# ---------------------------------------------------------------------
# Machine.

needed() {	# the libraries a binary names, in order
	if command -v readelf >/dev/null; then
		readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
		    paste -sd' ' -
	else
		echo "(no readelf)"
	fi
}

echo "# hubsh start-up benchmark"
echo
echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- command: bench/startup.sh (RUNS=$RUNS, after $WARMUP untimed rounds)"
bench_machine
echo "- hubsh: $HUBSH (source checkout: $(bench_source "$top")); needs: $(needed "$HUBSH")"
[ -z "$HUBSH_BEFORE" ] ||
    echo "- hubsh (before): $HUBSH_BEFORE; needs: $(needed "$HUBSH_BEFORE")"
echo "- sqlite3 CLI: $(sqlite3 --version | cut -d' ' -f1-2); needs: $(needed "$sqlite3_bin")"

# ---------------------------------------------------------------------
# Timed rounds.

printf 'warm-up: %d rounds ...\n' "$WARMUP" >&2
xargs -0 "$work/startup_time" "$WARMUP" <"$work/args" >/dev/null
printf 'timed: %d rounds of %d commands ...\n' "$RUNS" "${#names[@]}" >&2
xargs -0 "$work/startup_time" "$RUNS" <"$work/args" >"$work/runs.tsv"

steal=$(bench_steal)
echo "- steal time during the timed rounds: $steal %; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
for d in "$work/hubsh" "$work/hubsh (before)"; do
	[ -d "$d" ] || continue
	if [ -e "$d/none.db" ]; then
		echo "- ${d##*/} -Command \"'hello'\" created the store file"
	else
		echo "- ${d##*/} -Command \"'hello'\" left the store file uncreated"
	fi
done
echo

# stats NAME COLUMN: median and 90th percentile of one command's column,
# in ms.
stats() {
	local v
	v=$(awk -F'\t' -v n="$1" -v c="$2" '$1 == n { print $c / 1000 }' \
	    "$work/runs.tsv")
	# shellcheck disable=SC2086
	printf '%.2f %.2f\n' "$(agg med $v)" "$(agg p90 $v)"
}

bad=$(awk -F'\t' '$6 != 0 { print $1 }' "$work/runs.tsv" | sort -u)
[ -z "$bad" ] || die "non-zero exit status in the timed runs: $bad"

echo "| command | runs | first output, median ms | p90 ms | exit, median ms | p90 ms | CPU ms (user+sys), median |"
echo "|---|---|---|---|---|---|---|"
for n in "${names[@]}"; do
	read -r fm fp < <(stats "$n" 3)
	read -r em ep < <(stats "$n" 4)
	read -r cm _ < <(stats "$n" 5)
	runs=$(awk -F'\t' -v n="$n" '$1 == n' "$work/runs.tsv" | wc -l)
	[ -n "${expect_of[$n]}" ] || { fm=—; fp=—; }
	echo "| $n | $runs | $fm | $fp | $em | $ep | $cm |"
done

# ---------------------------------------------------------------------
# Instructions (callgrind: the whole process, one run; valgrind's own
# start-up is not counted) and the dynamic loader's statistics.

[ "$CALLGRIND" = 1 ] || exit 0

# Instructions per object from a callgrind file: the self cost of every
# function, summed by the object it is in ("ob="; "cob=" may name an
# object first).  The cost line after "calls=" is a call's inclusive
# cost, already counted in the callee, so it is skipped.
cg_objects() {
	awk '
	function obname(l,   id, rest) {
		sub(/^c?ob=/, "", l)
		if (match(l, /^\([0-9]+\)/)) {
			id = substr(l, 1, RLENGTH)
			rest = substr(l, RLENGTH + 2)
			if (rest != "")
				names[id] = rest
			return names[id]
		}
		return l
	}
	/^ob=/ { ob = obname($0); next }
	/^cob=/ { obname($0); next }
	/^calls=/ { skip = 1; next }
	/^[0-9+*-]/ {
		if (skip) { skip = 0; next }
		self[ob] += $2
	}
	END { for (o in self) printf "%d\t%s\n", self[o], o }' "$1"
}

echo
echo "| command | instructions | in ld.so | symbol relocations before main (from cache) | relative relocations |"
echo "|---|---|---|---|---|"
i=0
for n in "${names[@]}"; do
	i=$((i + 1))
	eval "set -- ${argv_of[$n]}"
	valgrind -q --tool=callgrind --callgrind-out-file="$work/cg.$i" \
	    "$@" </dev/null >/dev/null 2>&1 || die "callgrind failed: $n"
	cg_objects "$work/cg.$i" >"$work/cg.$i.obj"
	total=$(awk -F'\t' '{ t += $1 } END { print t + 0 }' "$work/cg.$i.obj")
	ld=$(awk -F'\t' '$2 ~ /\/ld-linux[^\/]*$/ { t += $1 } END { print t + 0 }' "$work/cg.$i.obj")
	LD_DEBUG=statistics "$@" </dev/null >/dev/null 2>"$work/ld.$i" ||
	    die "LD_DEBUG failed: $n"
	# The first block of statistics: what ld.so did before main().
	rel=$(awk '/ number of relocations:/ && r == "" { r = $NF }
	    / number of relocations from cache:/ && c == "" { c = $NF }
	    / number of relative relocations:/ && x == "" { x = $NF }
	    END { printf "%s (%s)\t%s\n", r, c, x }' "$work/ld.$i")
	printf '| %s | %s | %s (%s %%) | %s | %s |\n' "$n" \
	    "$(awk -v t="$total" 'BEGIN { printf "%.2f M", t / 1e6 }')" \
	    "$(awk -v t="$ld" 'BEGIN { printf "%.2f M", t / 1e6 }')" \
	    "$(awk -v l="$ld" -v t="$total" 'BEGIN { printf "%.0f", t ? 100 * l / t : 0 }')" \
	    "${rel%%$'\t'*}" "${rel##*$'\t'}"
done
