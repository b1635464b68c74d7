#!/usr/bin/env bash
# bench/propagation.sh - change propagation through a PostgreSQL store:
# from hubsh's commit of a Set-SendConnector to both transport servers
# using the connector, p50 and p99 over CHANGES changes.
#
#   bench/propagation.sh [CHANGES]   changes measured (default 200);
#                                    `bench/propagation.sh 20` is quick
#
# A private PostgreSQL (tests/transport/pg.sh through bench/lib/pg.sh,
# durability defaults: fsync and synchronous_commit on) holds the store.
# Two hubd, --server SRV1 and --server SRV2, run in the foreground, each
# with its own --state-dir, --control-socket, key file and --listen
# 127.0.0.1:free port, both with --store PG_URI (TCP, password).  One
# connector, prop, has both as source servers.
#
# Each change: Set-SendConnector prop -Port 2525 or 2526 (alternating)
# with hubsh -Command over TCP with a password URI, as the role hubadm (a
# member of hubsh, the store's owner, with log_statement = 'all' set on
# it, so that the server logs hubsh's statements apart from hubd's);
# the time just before hubsh starts (t_start) and just after it exits
# (t_exit); the time stamp of the session's last COMMIT in the server's
# log (t_commit: when the server received it); the generation after it,
# read from the store (SELECT value FROM meta WHERE key = 'generation');
# then a wait (10 s at most) until each hubd's log has
# "reload: connector store generation G" (with " (announced)" after it
# when a NOTIFY woke hubd), whose millisecond UTC time stamp is when
# that hubd took the change up (t_used).  Then a random
# pause of 0-300 ms, so that the changes do not keep one phase against a
# poll.
#
#   latency, commit      = t_used - t_commit (the COMMIT's WAL flush,
#                          about 0.3 ms here, comes after t_commit)
#   latency, lower bound = t_used - t_exit   (the commit came before exit)
#   latency, upper bound = t_used - t_start  (it came after the start)
#
# WARMUP (default 5) untimed changes come first.  hubd takes a change up
# either by polling the generation (reload-interval, 250 ms) or, where
# hubd LISTENs for the store's NOTIFY hubsh_store, when told; the report
# says which: the server logs the statements of hubd's sessions (user
# hubsh) and the script looks for a LISTEN among them.
#
# Environment:
#   HUBSH, HUBD  binaries (default: build/hubsh, build/hubd of this checkout)
#   WARMUP       untimed changes first (default 5)
#   GAP_MS       greatest random pause between changes (default 300)
#   BENCH_TMP    directory for the cluster, state and logs (default $TMPDIR
#                or /tmp)
#   KEEP=1       keep the scratch directory (hubd and PostgreSQL logs, the
#                raw times in times.tsv)
#   PG_DURABLE=0 the tests' PostgreSQL (fsync and synchronous_commit off)
#
# Output: machine and versions, then a Markdown table.  Only 127.0.0.1
# and UNIX sockets are used; hubd delivers nothing (no mail is sent).
# Everything started here is stopped on exit and the scratch directory
# removed.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
CHANGES=${1:-200}
WARMUP=${WARMUP:-5}
GAP_MS=${GAP_MS:-300}
HUBSH=${HUBSH:-$top/build/hubsh}
HUBD=${HUBD:-$top/build/hubd}
SERVERS="SRV1 SRV2"
ADMIN=ADM

die() { printf 'propagation.sh: %s\n' "$*" >&2; exit 1; }
for v in "$CHANGES" "$WARMUP" "$GAP_MS"; do
	case $v in ''|*[!0-9]*) die "CHANGES, WARMUP and GAP_MS must be integers";; esac
done
[ "$CHANGES" -ge 1 ] || die "CHANGES must be >= 1"
[ -x "$HUBSH" ] || die "no hubsh binary at $HUBSH (build it, or set HUBSH)"
[ -x "$HUBD" ] || die "no hubd binary at $HUBD (build it, or set HUBD)"

. "$top/bench/lib/bench.sh"
. "$top/bench/lib/pg.sh"
bench_pg_need
export LC_ALL=C
bench_pg_start

hubsh_pg() {
	"$HUBSH" --store "$PG_URI" --server "$ADMIN" "$@" >"$work/hubsh.out" 2>&1 || {
		sed 5q "$work/hubsh.out" >&2
		die "hubsh failed: $*"
	}
}
generation() { pg_sql "SELECT value FROM meta WHERE key = 'generation'"; }
now_ms() { local t=$EPOCHREALTIME; t=${t/./}; echo "${t:0:-3}"; }

# ---------------------------------------------------------------------
# The store, the two hubd.

hubsh_pg -Command 'Get-SendConnector'	# the schema, owned by hubsh
# hubsh's changes are made as hubadm, whose statements the server logs.
pg_sql -d postgres "CREATE ROLE hubadm LOGIN PASSWORD '$PG_PASSWORD' IN ROLE hubsh" >/dev/null &&
    pg_sql -d postgres "ALTER ROLE hubadm SET log_statement = 'all'" >/dev/null &&
    pg_sql "ALTER SYSTEM SET log_timezone = 'UTC'" >/dev/null &&
    pg_sql "SELECT pg_reload_conf()" >/dev/null ||
    die "cannot make the role hubadm"
ADMIN_URI=${PG_URI/hubsh:/hubadm:}
declare -A hubd_log hubd_pid
start_hubd() {	# NAME: start hubd --server NAME, wait (10 s) until started
	local name=$1 dir=$work/$1 try port pid
	mkdir -p "$dir/state" "$dir/run"
	head -c 32 /dev/urandom >"$dir/key"
	chmod 600 "$dir/key"
	for try in 1 2 3; do
		port=$(free_port 127.0.0.1) || die "no free port"
		: >"$dir/hubd.log"
		"$HUBD" -f --store "$PG_URI" --server "$name" \
		    --listen "127.0.0.1:$port" --state-dir "$dir/state" \
		    --control-socket "$dir/run/hubd.sock" --key-file "$dir/key" \
		    --hostname "$name.prop.test" \
		    >"$dir/hubd.log" 2>&1 </dev/null &
		pid=$!
		track_pid "$pid"
		if wait_for 10 hubd_up "$dir/hubd.log" "$pid" &&
		    grep -q ' started: ' "$dir/hubd.log"; then
			hubd_log[$name]=$dir/hubd.log
			hubd_pid[$name]=$pid
			return 0
		fi
		wait "$pid" 2>/dev/null || :
		untrack_pid "$pid"
		grep -q 'Address already in use' "$dir/hubd.log" || break
	done
	sed 20q "$dir/hubd.log" >&2
	die "hubd $name did not start"
}
hubd_up() { grep -q ' started: ' "$1" 2>/dev/null || ! tt_alive "$2"; }
# At exit, before PostgreSQL stops: each hubd, SIGTERM, waited for.
stop_hubds() {
	local s
	for s in "${!hubd_pid[@]}"; do
		kill -TERM "${hubd_pid[$s]}" 2>/dev/null
		wait "${hubd_pid[$s]}" 2>/dev/null
		untrack_pid "${hubd_pid[$s]}"
	done
	hubd_pid=()
}
at_exit stop_hubds
# The statements of the sessions hubd opens now are logged: does hubd
# LISTEN?  (Reset once both have started; their sessions keep it.)
pg_sql "ALTER ROLE hubsh SET log_statement = 'all'" >/dev/null ||
    die "cannot set log_statement for hubsh"
for s in $SERVERS; do
	start_hubd "$s"
done
pg_sql "ALTER ROLE hubsh RESET log_statement" >/dev/null

# used_at NAME GEN: the log time stamp of NAME's taking up GEN (a line
# "reload: connector store generation GEN", with " (announced)" after it
# where hubd was told by a NOTIFY); empty while it has not.
used_at() {
	awk -v g="$2" '
	    / reload: connector store generation / {
		for (i = 1; i < NF; i++)
			if ($i == "generation" && $(i + 1) == g) { print $1; exit }
	    }' "${hubd_log[$1]}"
}
# announced NAME GEN: 1 if NAME's line for GEN says "(announced)", else 0.
announced() {
	awk -v g="$2" '
	    / reload: connector store generation / {
		for (i = 1; i < NF; i++)
			if ($i == "generation" && $(i + 1) == g) {
				print ($(i + 2) == "(announced)") ? 1 : 0; exit
			}
	    }' "${hubd_log[$1]}"
}
both_used() {
	local s
	for s in $SERVERS; do
		[ -n "$(used_at "$s" "$1")" ] || return 1
	done
}
iso_ms() {	# 2026-12-06T07:02:48.519Z -> epoch ms
	local t=$1 sec
	sec=$(date -u -d "${t%.*}Z" +%s) || die "bad time stamp $t"
	t=${t##*.}
	echo "$sec${t%Z}"
}

# The connector both servers use.
hubsh_pg -Command "New-SendConnector -Name 'prop' -AddressSpaces 'prop.example;1' -SmartHosts 'relay.prop.example' -DNSRoutingEnabled \$false -SourceTransportServers SRV1,SRV2 | Out-Null"
gen=$(generation)
wait_for 10 both_used "$gen" ||
    die "the hubd did not take up the new connector (generation $gen)"

# ---------------------------------------------------------------------
# The changes.

listen_re=' hubsh@hubsh LOG:  (statement|execute [^:]*): LISTEN'
nlisten=$(grep -Ec "$listen_re" "$PG_LOG" || :)
if [ "$nlisten" -gt 0 ]; then
	mechanism="LISTEN: the server's log shows $nlisten LISTEN statements of user hubsh ($(grep -Em1 "$listen_re" "$PG_LOG" | sed 's/.*: LISTEN/LISTEN/'))"
else
	mechanism="poll: no LISTEN in the server's log"
fi

echo "# hubsh change propagation through PostgreSQL"
echo
echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- command: bench/propagation.sh $CHANGES (WARMUP=$WARMUP GAP_MS=$GAP_MS)"
bench_machine
echo "- hubsh, hubd: $("$HUBSH" --version), $("$HUBD" --version) (source checkout: $(bench_source "$top"))"
echo "- server: $("$PG_BIN/postgres" --version), private cluster (tests/transport/pg.sh, PG_DURABLE=$PG_DURABLE): $(bench_pg_durability)"
echo "- store URI: $(echo "$PG_URI" | sed 's/:[^:@]*@/:PASSWORD@/') (TCP, SCRAM) for both hubd; hubsh the same as hubadm"
echo "- how hubd took changes up: $mechanism"
echo

port=2525
printf 'i\tgen\tt_start\tt_exit\tt_commit' >"$work/times.tsv"
for s in $SERVERS; do printf '\t%s' "$s" >>"$work/times.tsv"; done
echo >>"$work/times.tsv"
total=$((WARMUP + CHANGES))
for i in $(seq 1 "$total"); do
	if [ "$port" = 2525 ]; then port=2526; else port=2525; fi
	t0=$(now_ms)
	log_from=$(($(stat -c %s "$PG_LOG") + 1))
	"$HUBSH" --store "$ADMIN_URI" --server "$ADMIN" \
	    -Command "Set-SendConnector prop -Port $port" \
	    >"$work/hubsh.out" 2>&1 || {
		sed 5q "$work/hubsh.out" >&2
		die "hubsh Set-SendConnector failed (change $i)"
	}
	t1=$(now_ms)
	tc=$(tail -c +"$log_from" "$PG_LOG" |
	    awk '/ hubadm@hubsh LOG:  statement: COMMIT$/ { t = $1 "T" $2 } END { print t }')
	[ -n "$tc" ] || die "change $i: no COMMIT of hubadm in $PG_LOG"
	g=$(generation)
	wait_for 10 both_used "$g" ||
	    die "change $i (generation $g): not taken up by both hubd within 10 s"
	if [ "$i" -gt "$WARMUP" ]; then
		printf '%d\t%d\t%s\t%s\t%s' $((i - WARMUP)) "$g" "$t0" "$t1" \
		    "$(iso_ms "${tc}Z")" >>"$work/times.tsv"
		for s in $SERVERS; do
			printf '\t%s' "$(iso_ms "$(used_at "$s" "$g")")" >>"$work/times.tsv"
			announced "$s" "$g" >>"$work/announced.$s"
		done
		echo >>"$work/times.tsv"
	fi
	[ $((i % 50)) = 0 ] && printf 'change %d/%d ...\n' "$i" "$total" >&2
	sleep "$(calc '%.3f' "$((RANDOM % (GAP_MS + 1))) / 1000")"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
steal=$(bench_steal)

# ---------------------------------------------------------------------
# Report.

# pct P FILE: the P-th percentile (nearest rank) of the numbers in FILE.
pct() {
	sort -g "$2" | awk -v p="$1" '{ v[NR] = $1 }
	    END { k = int(p / 100 * NR + 0.999999); if (k < 1) k = 1; print v[k] }'
}
echo "- steal time during the run: $steal %; load average at end: $load_end"
echo
echo "| server | bound | changes | p50 ms | p99 ms | max ms | min ms | over 1 s | taken up when announced |"
echo "|---|---|---|---|---|---|---|---|---|"
col=6
for s in $SERVERS; do
	awk -F'\t' -v c=$col 'NR > 1 { print $c - $5 }' "$work/times.tsv" >"$work/commit.$s"
	awk -F'\t' -v c=$col 'NR > 1 { print $c - $4 }' "$work/times.tsv" >"$work/lo.$s"
	awk -F'\t' -v c=$col 'NR > 1 { print $c - $3 }' "$work/times.tsv" >"$work/hi.$s"
	for b in commit lo hi; do
		case $b in
		commit) bn="**commit** (t_used − COMMIT in the server log)" ;;
		lo) bn="lower (t_used − hubsh exit)" ;;
		hi) bn="upper (t_used − hubsh start)" ;;
		esac
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$s" "$bn" \
		    "$(wc -l <"$work/$b.$s")" "$(pct 50 "$work/$b.$s")" \
		    "$(pct 99 "$work/$b.$s")" "$(pct 100 "$work/$b.$s")" \
		    "$(sort -g "$work/$b.$s" | head -1)" \
		    "$(awk '$1 > 1000 { n++ } END { print n + 0 }' "$work/$b.$s")" \
		    "$(awk '{ n += $1 } END { print n + 0 }' "$work/announced.$s")"
	done
	col=$((col + 1))
done
awk -F'\t' 'NR > 1 { print $4 - $3 }' "$work/times.tsv" >"$work/hubsh_ms"
awk -F'\t' 'NR > 1 { d = $6 - $7; print (d < 0 ? -d : d) }' "$work/times.tsv" >"$work/skew_ms"
awk -F'\t' 'NR > 1 { print $4 - $5 }' "$work/times.tsv" >"$work/tail_ms"
echo
echo "- hubsh -Command 'Set-SendConnector' (process start to exit): p50 $(pct 50 "$work/hubsh_ms") ms, p99 $(pct 99 "$work/hubsh_ms") ms"
echo "- hubsh's COMMIT to its exit: p50 $(pct 50 "$work/tail_ms") ms, max $(pct 100 "$work/tail_ms") ms"
echo "- |SRV1 − SRV2| per change: p50 $(pct 50 "$work/skew_ms") ms, max $(pct 100 "$work/skew_ms") ms"
