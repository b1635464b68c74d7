#!/bin/bash
# pgfailover.sh - a primary switch under a running hubd: the store is a
# libpq URI with two hosts and target_session_attrs=read-write, a primary
# (pg.sh's server) and a streaming standby made here from it
# (pg_basebackup).  hubd and hubsh start on the primary; the primary is
# stopped and the standby promoted; hubsh's next change goes to the new
# primary, and the same hubd, not restarted, takes it up and delivers
# with it.  pg.sh runs one server; the standby is this script's own,
# run as pg.sh runs the primary (tt_pg_as, tt_pg_enter).  A missing tool
# is an error, not a skip.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"
. "$tt_dir/pg.sh"

tap_need swaks aiosmtpd postgres psql
tap_plan 7

pg_start "$tap_tmp/pg" || tap_bail "PostgreSQL did not start"
A_PORT=$PG_PORT A_SOCK=$PG_SOCKET_DIR

# The standby: a base backup of the primary over its socket, with its
# own socket directory and port, streaming from the primary.
B=$tap_tmp/pgb
B_DATA=$B/data B_SOCK=$B/sock B_LOG=$B/postgres.log
standby_pid=
standby_stop() {
	[ -n "$standby_pid" ] || return 0
	kill -INT "$standby_pid" 2>/dev/null
	wait_for 15 eval '! tt_alive "$standby_pid"' ||
	    kill -KILL "$standby_pid" 2>/dev/null
	wait "$standby_pid" 2>/dev/null
	untrack_pid "$standby_pid"
	standby_pid=
}
at_exit standby_stop
standby_ready() {
	"$PG_BIN/pg_isready" -q -t 2 -h "$B_SOCK" -p "$B_PORT" -U postgres \
	    -d postgres </dev/null
}
standby_sql() {
	"$PG_BIN/psql" -X -w -q -A -t -v ON_ERROR_STOP=1 -h "$B_SOCK" \
	    -p "$B_PORT" -U postgres -d "${2:-hubsh}" -c "$1" </dev/null
}
make_standby() {
	mkdir -p "$B" && mkdir -m 0700 "$B_DATA" "$B_SOCK" || return 1
	: >"$B_LOG"
	if [ "$(id -u)" = 0 ]; then
		chown postgres:postgres "$B_DATA" "$B_SOCK" &&
		    tt_pg_enter "$B" || return 1
	fi
	printf 'local\treplication\tall\t\t\ttrust\n' >>"$PG_DATA/pg_hba.conf" &&
	    pg_sql -d postgres "SELECT pg_reload_conf()" >/dev/null &&
	    tt_pg_as_server "$PG_BIN/pg_basebackup" -h "$A_SOCK" -p "$A_PORT" \
	    -U postgres -D "$B_DATA" -R -X stream -c fast >"$B/basebackup.log" 2>&1 \
	    </dev/null || { tap_diag - <"$B/basebackup.log"; return 1; }
	B_PORT=$(free_port 127.0.0.1) || return 1
	printf "unix_socket_directories = '%s'\n" "$B_SOCK" \
	    >>"$B_DATA/postgresql.conf"
	"${tt_pg_as[@]}" "$PG_BIN/postgres" -D "$B_DATA" -p "$B_PORT" \
	    >>"$B_LOG" 2>&1 </dev/null &
	standby_pid=$!
	track_pid "$standby_pid"
	wait_for 30 standby_ready &&
	    [ "$(standby_sql 'SELECT pg_is_in_recovery()' postgres)" = t ]
}
make_standby
tap_result $? "a streaming standby of the store's database runs" \
    "$(tail -n 20 "$B_LOG" 2>/dev/null)"

STORE="postgresql://hubsh:$PG_PASSWORD@127.0.0.1:$A_PORT,127.0.0.1:$B_PORT/hubsh?target_session_attrs=read-write"
export HUBSH_STORE=$STORE HUBSH_KEY_FILE=$tap_tmp/pg.key

peer_start sink || tap_bail "peer sink"
connector Partner partner.test 127.0.0.1 "$PEER_PORT" || tap_bail "connector"
hubd_start || tap_bail "hubd"
PID=$HUBD_PID

submit --to a@partner.test --header 'Subject: before' &&
    peer_wait_messages sink 1 15
tap_result $? "hubd delivers with the store on the primary"

# The switch: the primary goes, the standby is promoted.
pg_stop
tt_pg_as_server "$PG_BIN/pg_ctl" promote -w -D "$B_DATA" \
    >"$B/promote.log" 2>&1 </dev/null &&
    wait_for 30 eval '[ "$(standby_sql "SELECT pg_is_in_recovery()" postgres)" = f ]'
tap_result $? "the primary stops and the standby is promoted" \
    "$(cat "$B/promote.log")"

hubsh_run "New-SendConnector -Name Later -Usage Custom -AddressSpaces later.test \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $PEER_PORT | Out-Null"
rc=$?
[ $rc -eq 0 ] && [ "$(standby_sql "SELECT count(*) FROM send_connectors WHERE name = 'Later'")" = 1 ]
tap_result $? "hubsh writes to the new primary through the same URI (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

gen=$(standby_sql "SELECT value FROM meta WHERE key = 'generation'")
wait_for 60 grep -q "reload: connector store generation $gen " "$HUBD_LOG"
tap_result $? "the same hubd takes up the change from the new primary (generation $gen)" \
    "$(grep 'reload:' "$HUBD_LOG")"

submit --to b@partner.test --header 'Subject: after' &&
    submit --to c@later.test --header 'Subject: later' &&
    peer_wait_messages sink 3 20 && [ "$HUBD_PID" = "$PID" ] && tt_alive "$PID"
tap_result $? "it delivers on both connectors, never restarted" \
    "sink has $(peer_count sink)"

hubd_stop
tap_result $? "hubd stops cleanly"
