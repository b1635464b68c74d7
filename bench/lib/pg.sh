# bench/lib/pg.sh - a private PostgreSQL server for the benchmarks
# (sourced at the top level of a bench script, bash, never inside a
# function): tests/transport/lib.sh and tests/transport/pg.sh, so that
# the benchmarks start, reach and stop the server exactly as the tests
# do (pg_start, pg_stop, pg_sql, pg_psql, PG_URI, PG_SOCKET_URI, PG_BIN...;
# see pg.sh's header).
#
# The caller defines $top (the source tree).  After sourcing:
#   $work        the scratch directory: lib.sh's $tap_tmp, made in
#                $BENCH_TMP (default $TMPDIR or /tmp), which must be on
#                the disk to measure, not tmpfs
#   cleanup      at exit, by lib.sh's tt_cleanup: the server is shut down
#                (pg_stop), every process registered with track_pid is
#                killed, then $work is removed (kept with KEEP=1)
#   PG_DURABLE   1 (exported): pg_start keeps PostgreSQL's durability
#                defaults (fsync, synchronous_commit, full_page_writes
#                on) unless the caller set PG_DURABLE=0 beforehand
# Do not set another EXIT trap (bench_scratch): add to lib.sh's with
# at_exit FUNCTION.

export TMPDIR=${BENCH_TMP:-${TMPDIR:-/tmp}}
[ "${KEEP:-0}" = 1 ] && export HUBSH_TEST_KEEP=1
export PG_DURABLE=${PG_DURABLE:-1}
top_srcdir=$top
# shellcheck source=../../tests/transport/lib.sh
. "$top/tests/transport/lib.sh"
# shellcheck source=../../tests/transport/pg.sh
. "$top/tests/transport/pg.sh"
work=$tap_tmp
# lib.sh's cleanup is not written for set -e (a killed process's status
# from wait would stop it before $work is removed).
trap 'set +e; tt_cleanup' EXIT

# bench_pg_need: fail loudly unless PostgreSQL's server and psql are
# installed (Debian: postgresql, postgresql-client) and Python runs
# (free_port).
bench_pg_need() {
	need_check postgres || die "$(need_missing postgres)"
	need_check psql || die "$(need_missing psql)"
	[ -x "$PYTHON" ] || die "$PYTHON is required (lib.sh's free_port)"
}

# bench_pg_start: pg_start in $work/pg, or die with the server's log.
bench_pg_start() {
	pg_start "$work/pg" >&2 || die "PostgreSQL did not start (see above)"
}

# bench_pg_durability: the server's durability settings, one line.
bench_pg_durability() {
	pg_sql "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name)
	    FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit',
	    'full_page_writes', 'wal_sync_method', 'shared_buffers')"
}

# bench_pg_reset_db: an empty database hubsh, owned by hubsh (dropped
# and made again: a fresh store for hubsh or for the baseline).
bench_pg_reset_db() {
	pg_sql -d postgres "DROP DATABASE IF EXISTS hubsh WITH (FORCE)" >/dev/null &&
	    pg_sql -d postgres "CREATE DATABASE hubsh OWNER hubsh" >/dev/null ||
	    die "cannot make the database hubsh afresh"
}
