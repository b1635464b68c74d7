#!/usr/bin/env bash
# bench/store_pg.sh - hubsh shell benchmark against PostgreSQL: batch
# throughput of New-SendConnector / Set-SendConnector under hubsh -File
# with a PostgreSQL store, side by side with psql running the same writes
# over the same connection with the same durability, one transaction per
# connector.
#
#   bench/store_pg.sh [N]    N connectors per batch (default 10000);
#                            `bench/store_pg.sh 1000` is a quick run
#
# The batches are shell.sh's (bench_batches): N New-SendConnector lines,
# then N Set-SendConnector lines, run with hubsh --store URI -File.
#
# The server is a private PostgreSQL started here with
# tests/transport/pg.sh (bench/lib/pg.sh), with PostgreSQL's durability
# defaults: fsync, synchronous_commit and full_page_writes on (pg.sh's
# PG_DURABLE=1), so every COMMIT waits for its WAL flush.  hubsh and psql
# reach it as a client elsewhere would: over TCP on 127.0.0.1 with the
# password URI (PG_URI, SCRAM), and, unless CONNS says otherwise, also
# over its UNIX socket (PG_SOCKET_URI).
#
# Three clients per connection kind, interleaved in each repetition, each
# on a database made afresh (DROP DATABASE, CREATE DATABASE, the schema
# made by hubsh, untimed):
#   hubsh    hubsh -File new.ps1, then hubsh -File set.ps1
#   psql     psql -X -q -v ON_ERROR_STOP=1 -f, one connection: per
#            connector the writes hubsh makes, in one transaction opened
#            as hubsh opens it (BEGIN; SET LOCAL lock_timeout = '5s';
#            SELECT pg_advisory_xact_lock(448311866217)), then COMMIT.
#            New: the connector row and its three child rows (4 INSERTs);
#            Set: one UPDATE of the columns Set-SendConnector changed.
#            This is the baseline of the target (hubsh within 2x).
#   replay   psql again, sending every statement hubsh sends (as read
#            from the server's log on a probe run: its savepoints, the
#            lookups before the write, SELECT lastval(), the id lookup
#            after the UPDATE), for where the time goes; informational
# A probe run with log_statement = 'all' counts the round trips and the
# statements of one New and of one Set, before anything is timed.
#
# Environment:
#   HUBSH      binary to measure (default: build/hubsh of this checkout)
#   REPS       repetitions of the batch measurements (default 3)
#   CONNS      connection kinds, any of "tcp socket" (default both)
#   REPLAY     0 to leave out the replay client (default 1)
#   TIMEOUT    seconds allowed to any one timed command (default 900)
#   BENCH_TMP  directory for the cluster and scratch files (default $TMPDIR
#              or /tmp); it must be on the disk you want to measure
#   KEEP=1     keep the scratch directory (cluster, its log, SQL files)
#   PG_BIN     the PostgreSQL bin directory (default: the newest in
#              /usr/lib/postgresql/N/bin)
#
# Output: machine and versions, then Markdown tables, then the load
# average before and after each timed run.  Nothing but 127.0.0.1 and the
# server's UNIX socket is used.  The server is stopped and the scratch
# directory removed on exit.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-10000}
REPS=${REPS:-3}
CONNS=${CONNS:-tcp socket}
REPLAY=${REPLAY:-1}
TIMEOUT=${TIMEOUT:-900}
HUBSH=${HUBSH:-$top/build/hubsh}
SERVER=HUB1
WRITE_LOCK=448311866217		# store_pg.c's PG_WRITE_LOCK

die() { printf 'store_pg.sh: %s\n' "$*" >&2; exit 1; }
case $N in ''|*[!0-9]*) die "N must be a positive integer";; esac
[ "$N" -ge 1 ] || die "N must be >= 1"
for c in $CONNS; do
	case $c in tcp|socket) ;; *) die "CONNS: tcp or socket, not $c";; esac
done
[ -x "$HUBSH" ] || die "no hubsh binary at $HUBSH (build it, or set HUBSH)"
command -v timeout >/dev/null || die "timeout(1) is required"
command -v getconf >/dev/null || die "getconf(1) is required"

. "$top/bench/lib/bench.sh"
. "$top/bench/lib/pg.sh"
bench_pg_need
export LC_ALL=C
bench_pg_start
PSQL=$PG_BIN/psql
tck=$(getconf CLK_TCK)

uri_of() { if [ "$1" = tcp ]; then echo "$PG_URI"; else echo "$PG_SOCKET_URI"; fi; }

hubsh_pg() {
	"$HUBSH" --store "$1" --server "$SERVER" "${@:2}" ||
	    die "hubsh failed (status $?): ${*:2}"
}

# fresh_store: an empty database hubsh with the schema hubsh makes.
fresh_store() {
	bench_pg_reset_db
	hubsh_pg "$PG_URI" -Command 'Get-SendConnector' >/dev/null
}

# CPU seconds of the server's exited backends so far (the postmaster's
# reaped children): a session's backend is counted once it has gone.
server_cpu_ticks() { awk '{ print $16 + $17 }' "/proc/$PG_PID/stat"; }
backends_gone() {
	[ "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'hubsh'")" = 0 ]
}

# run LABEL cmd...: timed (bench/lib/bench.sh) with the load average
# before and after, the server's CPU for the session (S_CPU).
run() {
	local label=$1 c0 c1
	shift
	wait_for 10 backends_gone || die "a session of user hubsh is still open"
	c0=$(server_cpu_ticks)
	printf '| %s | %s |' "$label" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/loads"
	timed "$@"
	printf ' %s |\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/loads"
	wait_for 10 backends_gone || die "the session of $label did not end"
	c1=$(server_cpu_ticks)
	S_CPU=$(calc '%.3f' "($c1 - $c0) / $tck")
}

psql_cmd=("$PSQL" -X -q -w -v ON_ERROR_STOP=1)

count() { pg_sql "$1"; }
check_new() {
	[ "$(count "SELECT (SELECT count(*) FROM send_connectors) || ' ' ||
	    (SELECT count(*) FROM address_spaces) || ' ' ||
	    (SELECT count(*) FROM smart_hosts) || ' ' ||
	    (SELECT count(*) FROM source_servers)")" = "$N $N $N $N" ] ||
	    die "$1: the New batch did not store $N connectors with their child rows"
}
check_set() {
	[ "$(count "SELECT count(*) FROM send_connectors WHERE port = 2525 AND require_tls = 1")" = "$N" ] ||
	    die "$1: the Set batch did not update $N connectors"
}
# What the store holds, without GUIDs, times and row ids.
content() {
	pg_sql "SELECT $cmp_cols FROM send_connectors ORDER BY name" &&
	pg_sql "SELECT c.name, a.position, a.type, a.domain, a.cost FROM address_spaces a JOIN send_connectors c ON c.id = a.connector_id ORDER BY 1, 2" &&
	pg_sql "SELECT c.name, h.position, h.host FROM smart_hosts h JOIN send_connectors c ON c.id = h.connector_id ORDER BY 1, 2" &&
	pg_sql "SELECT c.name, s.position, s.server FROM source_servers s JOIN send_connectors c ON c.id = s.connector_id ORDER BY 1, 2"
}

# ---------------------------------------------------------------------
# Machine, versions.

echo "# hubsh shell benchmark against PostgreSQL"
echo
echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- command: bench/store_pg.sh $N (REPS=$REPS CONNS=\"$CONNS\" REPLAY=$REPLAY)"
bench_machine
echo "- scratch dir and cluster: $work on $(df -PT "$work" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
echo "- 4 KB O_DSYNC write: $(bench_dsync_ms) ms (dd, 300 writes)"
echo "- hubsh: $("$HUBSH" --version) at $HUBSH (source checkout: $(bench_source "$top")), libpq $(ldconfig -p 2>/dev/null | awk '/libpq\.so\.5 / { print $NF; exit }')"
echo "- server: $("$PG_BIN/postgres" --version), private cluster (tests/transport/pg.sh, PG_DURABLE=1): $(bench_pg_durability)"
echo "- psql: $("$PSQL" --version)"
echo "- connections: TCP = $(echo "$PG_URI" | sed 's/:[^:@]*@/:PASSWORD@/') (SCRAM-SHA-256, no TLS); socket = $PG_SOCKET_URI (trust)"
echo

# ---------------------------------------------------------------------
# Inputs, all generated before anything is timed.

bench_batches "$N" "$work"

# A probe connector like the batch's, by hubsh, defines the baseline's
# rows; the same probe after the batch's Set defines its UPDATE.  The
# server logs every statement meanwhile: the round trips per cmdlet.
fresh_store
pg_sql "ALTER SYSTEM SET log_statement = 'all'" >/dev/null
pg_sql "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
log_from=$(($(stat -c %s "$PG_LOG") + 1))
cat >"$work/probe.ps1" <<'EOF'
New-SendConnector -Name 'probe' -AddressSpaces 'probe.example;1' -SmartHosts 'relayprobe.example' -DNSRoutingEnabled $false | Out-Null
Set-SendConnector 'probe' -Port 2525 -RequireTLS $true -TlsAuthLevel EncryptionOnly
EOF
hubsh_pg "$PG_URI" -File "$work/probe.ps1" >/dev/null
wait_for 10 backends_gone || die "the probe's session did not end"
pg_sql "ALTER SYSTEM RESET log_statement" >/dev/null
pg_sql "SELECT pg_reload_conf()" >/dev/null
tail -c +"$log_from" "$PG_LOG" |
    sed -n 's/^.* hubsh@hubsh LOG:  \(statement\|execute [^:]*\): //p' >"$work/probe.sql"
# One write transaction per cmdlet: from BEGIN...pg_advisory_xact_lock to
# COMMIT.  Round trips: one per logged line (a simple query with several
# statements is one); statements: each of them.
awk -v out="$work/probe" '
	/^BEGIN; SET LOCAL lock_timeout/ { k++ }
	k { print > (out "." k ".sql") }
	END { if (k != 2) exit 1 }' "$work/probe.sql" ||
    die "the probe did not show two write transactions (see $PG_LOG)"
rt_stats() {	# FILE: "R round trips, S statements"
	awk '{ r++; s += gsub(/;/, ";") + 1 } END { printf "%d round trips, %d statements", r, s }' "$1"
}
rt_list() {	# FILE: the statements, shortened, in order
	awk '{ t = $0; sub(/ FROM .*/, " FROM …", t); sub(/ \(.*/, " (…)", t)
	    sub(/ SET when_changed.*/, " SET … WHERE guid = $1", t)
	    sub(/^SELECT id, guid, .*/, "SELECT <connector> FROM send_connectors WHERE name = $1", t)
	    printf "%s%s", (NR > 1 ? " → " : ""), t }' "$1"
}
probe_sel=$(grep -m1 '^SELECT id, guid' "$work/probe.1.sql") ||
    die "no connector lookup in the probe's statements"
case $probe_sel in
*' WHERE name = $1'*'$2'*) die "the connector lookup has more than one parameter: update the replay" ;;
*' WHERE name = $1'*) ;;
*) die "the connector lookup is not by name: update the replay" ;;
esac

cols=$(pg_sql "SELECT string_agg(key, ', ' ORDER BY n) FROM send_connectors c,
    json_each_text(row_to_json(c)) WITH ORDINALITY AS j(key, value, n)
    WHERE c.name = 'probe' AND key <> 'id'")
vals=$(pg_sql "SELECT string_agg(CASE key
    WHEN 'guid' THEN '''@GUID@''' WHEN 'name' THEN '''@NAME@'''
    WHEN 'when_created' THEN '@TS@' WHEN 'when_changed' THEN '@TS@'
    ELSE quote_nullable(value) END, ', ' ORDER BY n)
    FROM send_connectors c, json_each_text(row_to_json(c)) WITH ORDINALITY AS j(key, value, n)
    WHERE c.name = 'probe' AND key <> 'id'")
as_tc=$(pg_sql "SELECT quote_literal(type) || ', ' || cost FROM address_spaces")
set_cols=$(pg_sql "SELECT 'port = ' || port || ', require_tls = ' || require_tls || ', tls_auth_level = ' || tls_auth_level FROM send_connectors")
cmp_cols=$(echo "$cols" | sed 's/guid, //; s/when_created, //; s/when_changed, //')
[ -n "$cols" ] && [ -n "$vals" ] && [ -n "$as_tc" ] && [ -n "$set_cols" ] ||
    die "cannot read the probe connector"

# The psql scripts.  GUIDs random version 4, like hubsh's, the same in
# the New and the Set script; row ids 1..N (a fresh database).
# mode: new | set | replay-new | replay-set.
baseline_sql() {
	awk -v n="$N" -v ts="$(date +%s)" -v mode="$1" -v cols="$cols" \
	    -v vals="$vals" -v as="$as_tc" -v srv="$SERVER" -v set="$set_cols" \
	    -v lock="$WRITE_LOCK" -v sel="$probe_sel" '
	function h(k,   s, i) {
		s = ""
		for (i = 0; i < k; i++) s = s sprintf("%x", int(rand() * 16))
		return s
	}
	BEGIN {
		srand(12345)
		replay = mode ~ /^replay/
		for (i = 1; i <= n; i++) {
			g = h(8) "-" h(4) "-4" h(3) "-" substr("89ab", int(rand() * 4) + 1, 1) h(3) "-" h(12)
			name = "bench-" i
			print "BEGIN;"
			print "SET LOCAL lock_timeout = '\''5s'\'';"
			printf "SELECT pg_advisory_xact_lock(%s);\n", lock
			if (replay) {
				print "SAVEPOINT store_op;"
				q = sel
				sub(/\$1/, "'\''" name "'\''", q)
				print q ";"
			}
			if (mode ~ /set$/ && replay) {
				printf "SELECT connector_id, type, domain, cost FROM address_spaces WHERE connector_id = %d ORDER BY position;\n", i
				printf "SELECT connector_id, host FROM smart_hosts WHERE connector_id = %d ORDER BY position;\n", i
				printf "SELECT connector_id, server FROM source_servers WHERE connector_id = %d ORDER BY position;\n", i
			}
			if (replay) {
				print "RELEASE store_op;"
				print "SAVEPOINT store_op;"
			}
			if (mode ~ /new$/) {
				v = vals
				gsub(/@GUID@/, g, v); gsub(/@NAME@/, name, v); gsub(/@TS@/, ts, v)
				printf "INSERT INTO send_connectors (%s) VALUES (%s);\n", cols, v
				id = "lastval()"
				if (replay) {
					print "SELECT lastval();"
					id = i
				}
				printf "INSERT INTO address_spaces (connector_id, position, type, domain, cost) VALUES (%s, 0, %s, '\''b%d.example'\'', %s);\n", id, substr(as, 1, index(as, ",") - 1), i, substr(as, index(as, ",") + 2)
				printf "INSERT INTO smart_hosts (connector_id, position, host) VALUES (%s, 0, '\''relay%d.example'\'');\n", id, i
				printf "INSERT INTO source_servers (connector_id, position, server) VALUES (%s, 0, '\''%s'\'');\n", id, srv
			} else {
				printf "UPDATE send_connectors SET when_changed = %d, %s WHERE guid = '\''%s'\'';\n", ts + 1, set, g
				if (replay)
					printf "SELECT id FROM send_connectors WHERE guid = '\''%s'\'';\n", g
			}
			if (replay)
				print "RELEASE store_op;"
			print "COMMIT;"
		}
	}'
}
for m in new set replay-new replay-set; do
	baseline_sql "$m" >"$work/$m.sql"
done
rt_file() {	# SQL FILE: round trips and statements per connector (psql: one each)
	awk -v n="$N" '/;$/ { s++ } END { printf "%d round trips, %d statements", s / n, s / n }' "$1"
}

# ---------------------------------------------------------------------
# Batch throughput, the clients interleaved in each rep.

clients="hubsh psql"
[ "$REPLAY" = 1 ] && clients="$clients replay"
declare -A wall cpu scpu ratio
add() { local k=$1 v=$2; wall[$k]="${wall[$k]:-} $v"; }
: >"$work/loads"
checked=
for r in $(seq 1 "$REPS"); do
	for conn in $CONNS; do
		uri=$(uri_of "$conn")
		for cl in $clients; do
			printf 'rep %d/%d %s %s ...\n' "$r" "$REPS" "$conn" "$cl" >&2
			fresh_store
			for b in new set; do
				k="$conn.$cl.$b"
				case $cl in
				hubsh) run "rep $r $conn $cl $b" "$HUBSH" --store "$uri" --server "$SERVER" -File "$work/$b.ps1" ;;
				psql) run "rep $r $conn $cl $b" "${psql_cmd[@]}" -d "$uri" -f "$work/$b.sql" ;;
				replay) run "rep $r $conn $cl $b" "${psql_cmd[@]}" -d "$uri" -f "$work/replay-$b.sql" ;;
				esac
				wall[$k]="${wall[$k]:-} $T_REAL"
				cpu[$k]="${cpu[$k]:-} $T_CPU"
				scpu[$k]="${scpu[$k]:-} $S_CPU"
				"check_$b" "$conn $cl"
			done
			# The first pass: every client must leave the same rows.
			[ -n "$checked" ] || content >"$work/content.$cl"
		done
		if [ -z "$checked" ]; then
			for cl in $clients; do
				[ "$cl" = hubsh ] && continue
				cmp -s "$work/content.hubsh" "$work/content.$cl" ||
				    die "$cl's rows differ from hubsh's: diff $work/content.hubsh $work/content.$cl"
			done
			checked=1
		fi
		for b in new set; do
			set -- ${wall[$conn.hubsh.$b]}
			h=${!#}
			set -- ${wall[$conn.psql.$b]}
			q=${!#}
			ratio[$conn.$b]="${ratio[$conn.$b]:-} $(calc '%.2f' "$h / $q")"
		done
	done
done
set --
steal=$(bench_steal)

# ---------------------------------------------------------------------
# Report.

row() {	# LABEL KEY: median (min-max) s, ms per command, commands/s, CPU
	local label=$1 k=$2 m lo hi
	# shellcheck disable=SC2086
	m=$(agg med ${wall[$k]}); lo=$(agg lo ${wall[$k]}); hi=$(agg hi ${wall[$k]})
	# shellcheck disable=SC2086
	printf '| %s | %s | %.3f (%.3f–%.3f) | %s | %.0f (%.0f–%.0f) | %.3f | %.3f |\n' \
	    "$label" "$(echo ${wall[$k]} | wc -w)" "$m" "$lo" "$hi" \
	    "$(calc '%.3f' "1000 * $m / $N")" \
	    "$(calc '%.6f' "$N / $m")" "$(calc '%.6f' "$N / $hi")" "$(calc '%.6f' "$N / $lo")" \
	    "$(agg med ${cpu[$k]})" "$(agg med ${scpu[$k]})"
}
ratio_row() {	# LABEL CONN BATCH
	local k=$2.$3
	# shellcheck disable=SC2086
	printf '| **%s** | %s | **%.2f×** (per rep %s) | | | | |\n' "$1" \
	    "$(echo ${ratio[$k]} | wc -w)" \
	    "$(calc '%.6f' "$(agg med ${wall[$2.hubsh.$3]}) / $(agg med ${wall[$2.psql.$3]})")" \
	    "$(echo ${ratio[$k]} | sed 's/ /, /g')"
}

echo "- steal time during the run: $steal %; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Round trips per cmdlet (server log, log_statement = 'all', probe run; statements prepared once per connection, so a Parse is not counted):"
echo
echo "- hubsh New-SendConnector: $(rt_stats "$work/probe.1.sql"): $(rt_list "$work/probe.1.sql")"
echo "- hubsh Set-SendConnector: $(rt_stats "$work/probe.2.sql"): $(rt_list "$work/probe.2.sql")"
echo "- psql baseline: New $(rt_file "$work/new.sql"); Set $(rt_file "$work/set.sql")"
[ "$REPLAY" = 1 ] &&
    echo "- psql replay of hubsh's statements: New $(rt_file "$work/replay-new.sql"); Set $(rt_file "$work/replay-set.sql")"
echo
echo "| measurement | runs | wall s, median (min–max) | ms per command | commands/s, median (min–max) | client CPU s (user+sys), median | server CPU s (backend), median |"
echo "|---|---|---|---|---|---|---|"
for conn in $CONNS; do
	if [ "$conn" = tcp ]; then cn="TCP 127.0.0.1"; else cn="UNIX socket"; fi
	for b in new set; do
		if [ "$b" = new ]; then
			what="New-SendConnector"
			base="(BEGIN; SET LOCAL; advisory lock; 4 INSERT; COMMIT)"
		else
			what="Set-SendConnector"
			base="(BEGIN; SET LOCAL; advisory lock; UPDATE; COMMIT)"
		fi
		row "hubsh -File, $cn: $N × $what" "$conn.hubsh.$b"
		row "psql -f, $cn: $N × $base" "$conn.psql.$b"
		[ "$REPLAY" = 1 ] &&
		    row "psql -f, $cn: $N × hubsh's statements for a $what (replay)" "$conn.replay.$b"
		ratio_row "${what%%-*}, $cn: hubsh / psql (target ≤ 2×)" "$conn" "$b"
	done
done
echo
echo "Load average (1, 5, 15 min) before and after each timed run:"
echo
echo "| run | before | after |"
echo "|---|---|---|"
cat "$work/loads"
