#!/bin/bash
# pgpeer.sh - the private PostgreSQL server of pg.sh does what it claims,
# checked with psql, ss and ps: the role hubsh logs in over TCP with its
# password and only with it, and over the socket; the server listens on
# 127.0.0.1 and its socket only, runs as the user pg.sh says, keeps its
# rows across pg_restart, and pg_stop (or the end of a failing test)
# leaves no process and no listener.  A server that cannot start is
# reported with its log.  A missing tool is an error, not a skip.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/pg.sh"

tap_need postgres psql python3 ss pgrep
tap_plan 21

# listeners PORT: the local address of every TCP socket listening on PORT.
listeners() { ss -ltnH "sport = :$1" | awk '{ print $4 }' | sort; }
# tcp_of PID: the local address of every TCP socket PID listens on.
tcp_of() { ss -ltnpH | awk -v p="pid=$1," 'index($0, p) { print $4 }' | sort; }
# family PID: PID and its descendants (the postmaster's backends and
# workers), one a line.
family() {
	local p
	echo "$1"
	for p in $(pgrep -P "$1"); do
		family "$p"
	done
}

# --- start ---------------------------------------------------------------------

pg_start "$tap_tmp/pg"
tap_result $? "pg_start starts a private PostgreSQL" ||
    tap_bail "PostgreSQL did not start"
pw='[0-9a-f]{32}'
[[ "$PG_PORT" =~ ^[0-9]+$ ]] && [ "$PG_PORT" -gt 0 ] &&
    [[ "$PG_URI" =~ ^postgresql://hubsh:$pw@127\.0\.0\.1:$PG_PORT/hubsh$ ]] &&
    [ "$PG_URI" = "postgresql://hubsh:$PG_PASSWORD@127.0.0.1:$PG_PORT/hubsh" ] &&
    [ "$PG_SOCKET_DIR" = "$(cd "$tap_tmp" && pwd -P)/pg/sock" ] &&
    [ "$PG_SOCKET_URI" = \
      "postgresql:///hubsh?host=$PG_SOCKET_DIR&port=$PG_PORT&user=hubsh" ]
tap_result $? "PG_URI, PG_SOCKET_URI and PG_PORT have the documented form" ||
    tap_diag "PG_URI=$PG_URI PG_SOCKET_URI=$PG_SOCKET_URI"
ver=$(pg_sql "SHOW server_version_num")
[ -n "$ver" ] && [ "$ver" -ge 150000 ] &&
    "$PG_BIN/postgres" --version | grep -q "^postgres (PostgreSQL) $((ver / 10000))\."
tap_result $? "PostgreSQL 15 or later, the one in PG_BIN ($PG_BIN)" ||
    tap_diag "server_version_num: $ver"

if [ "$(id -u)" = 0 ]; then want=postgres; else want=$(id -un); fi
[ "$PG_USER" = "$want" ] &&
    [ "$(ps -o user= -p "$PG_PID")" = "$want" ] &&
    [ "$(stat -c '%U %a' "$PG_DATA")" = "$want 700" ] &&
    [ "$(stat -c '%U %a' "$PG_SOCKET_DIR")" = "$want 700" ] &&
    [ "$(pg_sql "SHOW data_directory")" = "$PG_DATA" ]
tap_result $? "the server runs as $want on $PG_DATA; data and socket directories are its own, 0700" ||
    tap_diag "PG_USER=$PG_USER; ps: $(ps -o user=,args= -p "$PG_PID")"

# --- authentication ------------------------------------------------------------

out=$(pg_psql "$PG_URI" -F ' ' -c "SELECT current_user, current_database(),
    inet_server_addr(), inet_server_port(), pg_backend_pid()" 2>&1)
read -r u d a p bpid <<<"$out"
[ "$u $d $a $p" = "hubsh hubsh 127.0.0.1 $PG_PORT" ] &&
    wait_for 5 grep -q "\[$bpid\] hubsh@hubsh LOG:  connection authenticated: identity=\"hubsh\" method=scram-sha-256" "$PG_LOG"
tap_result $? "PG_URI: hubsh logs in over TCP on 127.0.0.1 with its password (SCRAM)" ||
    tap_diag "psql: $out"

bad=postgresql://hubsh:wrong$PG_PASSWORD@127.0.0.1:$PG_PORT/hubsh
out=$(pg_psql "$bad" -c "SELECT 1" 2>&1)
st=$?
[ $st -ne 0 ] && [[ "$out" == *'password authentication failed for user "hubsh"'* ]]
tap_result $? "a wrong password is refused" || tap_diag "psql ($st): $out"
out=$(pg_psql "postgresql://hubsh@127.0.0.1:$PG_PORT/hubsh" -c "SELECT 1" 2>&1)
st=$?
[ $st -ne 0 ] && [[ "$out" == *'no password supplied'* ]]
tap_result $? "no password over TCP is refused" || tap_diag "psql ($st): $out"
out=$(pg_psql "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" \
    -c "SELECT 1" 2>&1)
st=$?
[ $st -ne 0 ] && [[ "$out" == *'no password supplied'* ]]
tap_result $? "the superuser cannot log in over TCP" || tap_diag "psql ($st): $out"

[ "$(pg_sql "SELECT rolsuper, rolcanlogin, left(rolpassword, 14)
    FROM pg_authid WHERE rolname = 'hubsh'")" = 'f|t|SCRAM-SHA-256$' ] &&
    [ "$(pg_sql "SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding)
    FROM pg_database WHERE datname = 'hubsh'")" = 'hubsh|UTF8' ]
tap_result $? "hubsh: a login role, not a superuser, SCRAM password; owns database hubsh (UTF8)"

out=$(pg_psql "$PG_SOCKET_URI" -c "SELECT current_user, current_database(),
    inet_server_addr() IS NULL" 2>&1)
[ "$out" = 'hubsh|hubsh|t' ] && [ -S "$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT" ]
tap_result $? "PG_SOCKET_URI: hubsh logs in over the UNIX socket in $PG_SOCKET_DIR" ||
    tap_diag "psql: $out"

[ "$(pg_sql "SELECT current_user, rolsuper FROM pg_roles
    WHERE rolname = current_user")" = 'postgres|t' ] &&
    [ "$(pg_sql -d postgres "SELECT current_database()")" = postgres ] &&
    ! pg_sql "SELECT no_such_column FROM pg_class" 2>/dev/null
tap_result $? "pg_sql runs SQL as the superuser, in hubsh or the database asked; fails on an error"

# --- listening -----------------------------------------------------------------

[ "$(listeners "$PG_PORT")" = "127.0.0.1:$PG_PORT" ] &&
    [ "$(tcp_of "$PG_PID")" = "127.0.0.1:$PG_PORT" ] &&
    [ "$(pg_sql "SHOW listen_addresses")" = 127.0.0.1 ]
tap_result $? "the server listens on 127.0.0.1:$PG_PORT only (ss -ltn)" || {
	tap_diag "on port $PG_PORT: $(listeners "$PG_PORT" | tr '\n' ' ')"
	tap_diag "of pid $PG_PID: $(tcp_of "$PG_PID" | tr '\n' ' ')"
}

# --- restart -------------------------------------------------------------------

pg_psql "$PG_URI" -c "CREATE TABLE kept (n int PRIMARY KEY, t text);
    INSERT INTO kept SELECT i, 'row ' || i FROM generate_series(1, 100) i" &&
    pg_psql "$PG_SOCKET_URI" -c "INSERT INTO kept VALUES (101, 'é, over the socket')" &&
    [ "$(pg_psql "$PG_URI" -c "SELECT count(*), sum(n) FROM kept")" = '101|5151' ]
tap_result $? "hubsh creates a table in its database and writes 101 rows"

old_pid=$PG_PID old_port=$PG_PORT
started=$(pg_sql "SELECT pg_postmaster_start_time()")
pg_restart
tap_result $? "pg_restart" || tap_bail "PostgreSQL did not come back"
[ "$PG_PID" != "$old_pid" ] && ! kill -0 "$old_pid" 2>/dev/null &&
    [ "$PG_PORT" = "$old_port" ] &&
    [ "$(listeners "$PG_PORT")" = "127.0.0.1:$PG_PORT" ] &&
    [ "$(pg_sql "SELECT pg_postmaster_start_time() > '$started'")" = t ] &&
    grep -q 'received fast shutdown request' "$PG_LOG"
tap_result $? "a new postmaster on the same port, after a fast shutdown"
[ "$(pg_psql "$PG_URI" -c "SELECT count(*), sum(n) FROM kept")" = '101|5151' ] &&
    [ "$(pg_psql "$PG_SOCKET_URI" -c "SELECT t FROM kept WHERE n = 101")" = 'é, over the socket' ]
tap_result $? "the rows are kept across the restart, over TCP and the socket"

# --- stop ----------------------------------------------------------------------

pid=$PG_PID port=$PG_PORT
fam=$(family "$pid")
start=$(date +%s%N)
pg_stop
st=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
alive=
for p in $fam; do
	kill -0 "$p" 2>/dev/null && alive="$alive $p"
done
[ $st = 0 ] && [ "$(echo "$fam" | wc -l)" -ge 4 ] && [ -z "$alive" ] &&
    [ -z "$(pgrep -f -- "-D $PG_DATA")" ] && [ $ms -lt 15000 ] &&
    tail -n 1 "$PG_LOG" | grep -q 'database system is shut down'
tap_result $? "pg_stop: the postmaster and its $(( $(echo "$fam" | wc -l) - 1 )) children are gone (${ms} ms)" ||
    tap_diag "status $st; still alive:$alive"
[ -z "$(listeners "$port")" ] && [ ! -e "$PG_SOCKET_DIR/.s.PGSQL.$port" ] &&
    [ ! -e "$PG_DATA/postmaster.pid" ] &&
    ! pg_psql "$PG_URI" -c "SELECT 1" 2>/dev/null
tap_result $? "after pg_stop the port is closed and the socket removed"
pg_stop && pg_stop
tap_result $? "pg_stop again does nothing and succeeds"

# --- failures --------------------------------------------------------------------

# A script (run as a test would be) that starts a server, stops it, finds
# its port taken by another listener, so that pg_restart fails; then frees
# the port, restarts, opens a session and exits with a failure without
# calling pg_stop.
cat >"$tap_tmp/sub.sh" <<'EOF'
. "$1/lib.sh"
. "$1/pg.sh"
pg_start "$tap_tmp/pg" || exit 2
pg_stop
# SO_REUSEADDR: the port may still have connections in TIME_WAIT.
"$PYTHON" -c 'import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
open(sys.argv[2], "w").write("listening\n")
time.sleep(30)' "$PG_PORT" "$tap_tmp/squatting" &
squatter=$!
track_pid $squatter
wait_for 10 test -s "$tap_tmp/squatting" || exit 4
echo "port $PG_PORT taken"
pg_restart
echo "restart status $?"
kill $squatter
wait $squatter 2>/dev/null
untrack_pid $squatter
pg_restart || exit 3
"$PG_BIN/psql" -X -w -d "$PG_URI" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
track_pid $!
wait_for 10 grep -q 'hubsh@hubsh LOG:  connection authorized' "$PG_LOG"
echo "left $tap_tmp $PG_PID $PG_PORT"
exit 1
EOF
start=$(date +%s%N)
bash "$tap_tmp/sub.sh" "$tt_dir" >"$tap_tmp/sub.out" 2>&1
st=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q '^port [0-9]* taken$' "$tap_tmp/sub.out" &&
    grep -q '^restart status 1$' "$tap_tmp/sub.out" &&
    grep -q '^# PostgreSQL exited at restart; the end of .*/postgres.log:$' "$tap_tmp/sub.out" &&
    grep -q '^# .*could not bind IPv4 address "127.0.0.1": Address already in use' "$tap_tmp/sub.out"
tap_result $? "a server that cannot start: pg_restart fails, with the log's tail" ||
    tap_diag - <"$tap_tmp/sub.out"
read -r word subdir subpid subport < <(grep '^left ' "$tap_tmp/sub.out")
[ $st = 1 ] && [ "${word:-}" = left ] && [ -n "$subpid" ] &&
    ! kill -0 "$subpid" 2>/dev/null && [ -z "$(listeners "$subport")" ] &&
    [ ! -e "$subdir" ] && [ $ms -lt 30000 ]
tap_result $? "a failing test that leaves its server and a session running: stopped at exit, directory removed" ||
    tap_diag "status $st: $(cat "$tap_tmp/sub.out")"

exit 0
