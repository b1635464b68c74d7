#!/bin/bash
# pgstore.sh - the PostgreSQL store backend against a private PostgreSQL
# server (pg.sh) on loopback, as the hubsh role over TCP with a password:
#
#   - the store unit tests (store_test with HUBSH_TEST_PG), each case on a
#     fresh database; the SQLite-file cases are not run;
#   - every golden script (golden.sh with HUBSH_GOLDEN_NEW_STORE), each on
#     a fresh database, with output identical to SQLite's;
#   - two hubsh processes at once: different properties of one connector
#     (no update lost, 20 rounds), the same new name (one gets Exchange's
#     "already exists");
#   - pg_restart between two hubsh runs, and inside one; PostgreSQL
#     stopped: a clear error, a non-zero status, nothing changed;
#   - the password of the URI in no output and no error.
#
# A missing tool is an error, not a skip.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/pg.sh"

: "${abs_top_builddir:=$top_srcdir/build}"
: "${HUBSH:=$abs_top_builddir/hubsh}"
STORE_TEST=$abs_top_builddir/tests/unit/store_test
[ -x "$HUBSH" ] || tap_bail "hubsh not built ($HUBSH)"
[ -x "$STORE_TEST" ] || tap_bail "store_test not built ($STORE_TEST)"
tap_need postgres psql

pg_start "$tap_tmp/pg" || tap_bail "PostgreSQL did not start"

# Every output of hubsh in this test, for the password check at the end.
ALL=$tap_tmp/all-output
: >"$ALL"
export HUBSH_KEY_FILE=$tap_tmp/pg.key

# The helper of store_test and golden.sh (see store_test.c):
#   new NAME     create database NAME; print its URI, then as shown
#   golden NAME  create database golden_NAME; print its URI
#   sql URI SQL  run SQL as the role hubsh; print the rows
HELPER=$tap_tmp/pghelper
cat >"$HELPER" <<EOF
#!/bin/bash
set -e
psql() { "$PG_BIN/psql" -X -w -q -A -t -v ON_ERROR_STOP=1 "\$@" </dev/null; }
admin() {
	psql -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres -c "\$1" >/dev/null
}
case \$1 in
new)
	admin "CREATE DATABASE \\"\$2\\" OWNER hubsh"
	echo "postgresql://hubsh:$PG_PASSWORD@127.0.0.1:$PG_PORT/\$2"
	echo "postgresql://hubsh@127.0.0.1:$PG_PORT/\$2"
	;;
golden)
	admin "CREATE DATABASE \\"golden_\$2\\" OWNER hubsh"
	echo "postgresql://hubsh:$PG_PASSWORD@127.0.0.1:$PG_PORT/golden_\$2"
	;;
sql)
	psql -d "\$2" -c "\$3"
	;;
*)
	exit 2
	;;
esac
EOF
chmod +x "$HELPER"

# newdb NAME: a fresh database; its URI (with the password).
newdb() { "$HELPER" new "$1" | head -n 1; }

# joined TEXT: TEXT without its line breaks (hubsh wraps error records).
joined() { tr -d '\n' <<<"$1"; }

# hub URI ARGS...: hubsh on the store at URI; output kept in $ALL too.
hub() {
	local uri=$1
	shift
	"$HUBSH" --store "$uri" --server EX01 -NonInteractive "$@" </dev/null \
	    2>&1 | tee -a "$ALL"
	return "${PIPESTATUS[0]}"
}

# relay PREFIX: the ok / not ok lines of a TAP stream as this test's
# results, comments as they are; status 1 if the stream bailed out.
relay() {
	local line st=0
	while IFS= read -r line; do
		case $line in
		"ok "*)
			tap_result 0 "$1: ${line#ok * - }" ;;
		"not ok "*)
			tap_result 1 "$1: ${line#not ok * - }" ;;
		"#"*)
			echo "$line" ;;
		"Bail out!"*)
			tap_diag "$line"
			st=1 ;;
		esac
	done
	return $st
}

# --- the store unit tests on PostgreSQL ------------------------------------

start=$(date +%s)
n_before=$tap_n
HUBSH_TEST_PG=$HELPER "$STORE_TEST" >"$tap_tmp/store_test.out" 2>&1
st=$?
cat "$tap_tmp/store_test.out" >>"$ALL"
relay "PostgreSQL store_test" <"$tap_tmp/store_test.out"
n_pg=$((tap_n - n_before))
n_sqlite=$(env -u HUBSH_TEST_PG "$STORE_TEST" 2>/dev/null | grep -c '^\(not \)\?ok ')
[ $st = 0 ] && [ "$n_pg" -gt 0 ] && [ "$n_pg" = $((n_sqlite - 3 + 1)) ]
tap_result $? "store_test on PostgreSQL: $n_pg cases, all of SQLite's $n_sqlite but its 3 file cases, and PostgreSQL's migration ($(($(date +%s) - start)) s)" ||
    tap_diag "store_test status $st"

# --- the goldens on PostgreSQL ---------------------------------------------

start=$(date +%s)
n_before=$tap_n
HUBSH_GOLDEN_NEW_STORE="$HELPER golden" HUBSH_GOLDEN_UPDATE= \
    HUBSH_KEY_FILE=$tap_tmp/golden.key \
    bash "$top_srcdir/tests/shell/golden.sh" >"$tap_tmp/golden.out" 2>&1
st=$?
relay "PostgreSQL" <"$tap_tmp/golden.out"
n_golden=$((tap_n - n_before))
n_scripts=$(ls "$top_srcdir"/tests/golden/*.ps1 | wc -l)
[ $st = 0 ] && [ "$n_golden" = "$n_scripts" ] &&
    ! grep -q '^not ok' "$tap_tmp/golden.out"
tap_result $? "the $n_scripts golden scripts on PostgreSQL: byte for byte SQLite's ($(($(date +%s) - start)) s)"
cat "$tap_tmp/golden.out" >>"$ALL"

# --- two writers at once ---------------------------------------------------

U=$(newdb concurrent)
hub "$U" -Command "New-SendConnector -Name Shared -AddressSpaces shared.example | Out-Null" >/dev/null
tap_result $? "New-SendConnector on a new PostgreSQL database"

lost=0 failed=0
for i in $(seq 1 20); do
	hub "$U" -Command "Set-SendConnector Shared -Port $((1000 + i))" \
	    >"$tap_tmp/a.out" &
	a=$!
	hub "$U" -Command "Set-SendConnector Shared -Comment 'round $i'" \
	    >"$tap_tmp/b.out" &
	b=$!
	wait $a || failed=$((failed + 1))
	wait $b || failed=$((failed + 1))
	[ -s "$tap_tmp/a.out" ] || [ -s "$tap_tmp/b.out" ] &&
	    failed=$((failed + 1))
	got=$(hub "$U" -Command '$c = Get-SendConnector Shared; "$($c.Port)|$($c.Comment)"')
	[ "$got" = "$((1000 + i))|round $i" ] || {
		lost=$((lost + 1))
		tap_diag "round $i: $got"
	}
done
[ $lost = 0 ] && [ $failed = 0 ]
tap_result $? "two processes set Port and Comment of one connector at once, 20 rounds: no update lost" ||
    tap_diag "$lost rounds lost an update, $failed runs failed"

ok=0 exists=0
for i in $(seq 1 5); do
	hub "$U" -Command "New-SendConnector -Name 'Twin $i' -AddressSpaces twin$i.example | Out-Null" \
	    >"$tap_tmp/a.out" &
	a=$!
	hub "$U" -Command "New-SendConnector -Name 'TWIN $i' -AddressSpaces twin$i.example | Out-Null" \
	    >"$tap_tmp/b.out" &
	b=$!
	wait $a; sa=$?
	wait $b; sb=$?
	[ $sa = 0 ] && ok=$((ok + 1))
	[ $sb = 0 ] && ok=$((ok + 1))
	if cat "$tap_tmp/a.out" "$tap_tmp/b.out" | tr -d '\n' |
	    grep -q "The object 'CN=[Tt][Ww][Ii][Nn] $i,CN=Connections,.*' already exists\."; then
		exists=$((exists + 1))
	else
		tap_diag "round $i ($sa, $sb): $(cat "$tap_tmp/a.out" "$tap_tmp/b.out")"
	fi
done
n=$(hub "$U" -Command "(Get-SendConnector | Where-Object { \$_.Name -like 'twin*' }).Count")
[ $ok = 5 ] && [ $exists = 5 ] && [ "$n" = 5 ]
tap_result $? "the same new name from two processes at once: one is made, the other gets Exchange's 'already exists' (5 rounds)" ||
    tap_diag "made $ok, already exists $exists, connectors $n"

# --- restarts and a stopped server -----------------------------------------

R=$(newdb restart)
hub "$R" -Command "New-SendConnector -Name Kept -AddressSpaces kept.example -Port 2525 | Out-Null" >/dev/null
st=$?
pg_restart || tap_bail "PostgreSQL did not come back"
out=$(hub "$R" -Command '(Get-SendConnector Kept).Port')
[ $st = 0 ] && [ "$out" = 2525 ]
tap_result $? "after pg_restart the next hubsh finds the connector" ||
    tap_diag "status $st: $out"

# One process across a restart: its next statement resets the connection.
authorized() { grep -c "hubsh@restart LOG:  connection authorized" "$PG_LOG"; }
more_than() { [ "$(authorized)" -gt "$1" ]; }
n0=$(authorized)
hub "$R" -Command '(Get-SendConnector Kept).Port; Start-Sleep -Seconds 4; Set-SendConnector Kept -Port 2526; (Get-SendConnector Kept).Port' \
    >"$tap_tmp/across.out" &
h=$!
wait_for 10 more_than "$n0" && sleep 0.5
pg_restart || tap_bail "PostgreSQL did not come back"
wait $h
st=$?
[ $st = 0 ] && [ "$(cat "$tap_tmp/across.out")" = $'2525\n2526' ]
tap_result $? "one hubsh across pg_restart: its next cmdlet reconnects and goes on" ||
    tap_diag "status $st: $(cat "$tap_tmp/across.out")"

pg_stop
start=$(date +%s%N)
out=$(hub "$R" -Command "Set-SendConnector Kept -Port 25")
st=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $st != 0 ] &&
    joined "$out" | grep -q "cannot connect to PostgreSQL at 127\.0\.0\.1:$PG_PORT/restart: .*Connection refused" &&
    [ $ms -lt 10000 ]
tap_result $? "PostgreSQL stopped: hubsh fails at once (${ms} ms), status $st, saying it cannot connect" ||
    tap_diag "status $st: $out"
pg_restart || tap_bail "PostgreSQL did not come back"
out=$(hub "$R" -Command '(Get-SendConnector Kept).Port')
[ "$out" = 2526 ]
tap_result $? "... and changed nothing" || tap_diag "$out"

# --- the password ----------------------------------------------------------

bad=${R%/restart}/nosuchdb
out=$(hub "$bad" -Command 'Get-SendConnector')
joined "$out" | grep -q "cannot connect to PostgreSQL at 127\.0\.0\.1:$PG_PORT/nosuchdb: .*database \"nosuchdb\" does not exist" &&
    joined "$out" | grep -q "The connector store 'postgresql://hubsh@127\.0\.0\.1:$PG_PORT/nosuchdb'"
tap_result $? "a database that does not exist: named, without the password" ||
    tap_diag "$out"
out=$(hub "${R/$PG_PASSWORD/not-the-password}" -Command 'Get-SendConnector')
joined "$out" | grep -q 'password authentication failed for user "hubsh"'
tap_result $? "a wrong password is refused, and said so" || tap_diag "$out"
hub "postgresql://hubsh@127.0.0.1:$PG_PORT/restart?password=$PG_PASSWORD&connect_timeout=3" \
    -Command 'Get-SendConnector Kept | Format-List Name; Get-SendConnector Nope; Set-SendConnector Kept -Port 99999 -Verbose' >/dev/null
! grep -qF "$PG_PASSWORD" "$ALL" && [ -s "$ALL" ]
tap_result $? "the URI's password is in no output or error ($(wc -l <"$ALL") lines)" ||
    grep -F "$PG_PASSWORD" "$ALL" | head -5 | tap_diag -

tap_plan "$tap_n"
exit 0
