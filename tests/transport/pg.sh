# pg.sh - a private PostgreSQL server for the tests (sourced after lib.sh,
# bash): the peer of the PostgreSQL store backend, started and stopped by
# the test itself.  Nothing of the system's own cluster is used or touched.
#
#   pg_start DIR    initdb a new cluster in DIR/data (replacing one left
#                   there) and start it, waiting (30 s at most) until it
#                   accepts connections on its socket and on TCP; status
#                   1, with the tail of its log as TAP comments, if it does
#                   not.  Call it directly, never inside $(...) or a
#                   pipeline: it records the server in this shell.  One
#                   server per script.
#   pg_stop         fast shutdown (SIGINT), waited for: 15 s, then an
#                   immediate shutdown (SIGQUIT), then SIGKILL.  Status 0
#                   also when nothing runs, so calling it twice is safe.
#                   Registered with at_exit: a test that fails or bails out
#                   still stops its server before lib.sh removes $tap_tmp.
#   pg_restart      pg_stop, then the same data directory on the same port.
#   pg_sql [-d DB] SQL
#                   run SQL with psql as the superuser "postgres" over the
#                   socket, in database DB (default hubsh); unaligned rows,
#                   fields joined by "|", stops at the first error.
#   pg_psql URI [psql options...]
#                   psql as a client: no password prompt, no ~/.psqlrc.
#
# What pg_start leaves in DIR (created when missing):
#   data/           the cluster (PGDATA), mode 0700
#   sock/           the UNIX socket directory (.s.PGSQL.PORT), mode 0700
#   postgres.log    the server's standard error: its log, across restarts
#   initdb.log      initdb's output
#
# The server listens on 127.0.0.1 only (listen_addresses), on a port free
# when it starts (lib.sh's free_port, which runs $PYTHON; a port taken
# meanwhile is retried with another), and on its socket.  fsync,
# synchronous_commit and full_page_writes are off: a test peer, not a
# database to keep (a clean restart loses nothing; a crash of the machine
# might).  With PG_DURABLE=1 set before pg_start, they are left at
# PostgreSQL's defaults (all three on: a commit returns once its WAL is
# flushed to disk), and initdb syncs its files: for the benchmarks
# (bench/store_pg.sh), which compare commits of equal durability.
# Authentication (pg_hba.conf, nothing else is allowed):
#   local  all all            trust           the socket: its directory is
#                                             0700, so only the user that
#                                             runs the server (and root)
#                                             reach it
#   host   all all 127.0.0.1/32 scram-sha-256 TCP: a password is needed;
#                                             "postgres" has none, so the
#                                             superuser cannot log in
#                                             over TCP
# The role hubsh (LOGIN, not a superuser) has a random password stored as
# SCRAM-SHA-256 and owns the database hubsh.
#
# Exported after pg_start:
#   PG_URI          postgresql://hubsh:PASSWORD@127.0.0.1:PORT/hubsh
#   PG_SOCKET_URI   postgresql:///hubsh?host=DIR/sock&port=PORT&user=hubsh
#   PG_PORT, PG_PASSWORD, PG_SOCKET_DIR (DIR/sock), PG_DATA (DIR/data),
#   PG_LOG (DIR/postgres.log), PG_PID (the postmaster), PG_USER (the
#   system user the server runs as), PG_BIN (its bin directory; set it
#   beforehand to choose another installation).
#
# Users.  initdb and postgres refuse to run as root.  When the suite runs
# as root (CI does), they run as the postgres system user that Debian's
# postgresql package creates (setpriv, which execs, so the postmaster is
# this shell's child and lib.sh's process tracking sees it): data/ and
# sock/ are chowned to postgres, and every directory from $tap_tmp down to
# DIR that postgres cannot enter (mktemp -d makes $tap_tmp 0700 root) gets
# group postgres with group search permission only (g+x: postgres may pass
# through, not list).  Above $tap_tmp nothing is changed: a directory
# there that postgres cannot enter is an error saying so.  When the suite
# runs as an ordinary user, the server runs as that user and no mode is
# changed.  The superuser is named "postgres" in both cases (initdb -U).
#
# libpq's environment (PGHOST, PGUSER, PGPASSWORD, PGSERVICE...) is
# cleared when this file is sourced, so that only the URIs and options
# given decide where a client connects; PGPASSFILE names a file that does
# not exist and PGCONNECT_TIMEOUT is 10 s.

unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGSERVICE \
    PGSERVICEFILE PGOPTIONS PGAPPNAME PGSSLMODE PGREQUIRESSL PGSSLCERT \
    PGSSLKEY PGSSLROOTCERT PGTARGETSESSIONATTRS PGDATA PGSYSCONFDIR \
    PGLOCALEDIR PGCLIENTENCODING PGTZ PGDATESTYLE
export PGPASSFILE=$tap_tmp/no-pgpass
export PGCONNECT_TIMEOUT=10

tt_pg_pid=
tt_pg_dir=
tt_pg_as=()

# tt_pg_urlencode TEXT: TEXT percent-encoded for a URI's query (all but
# letters, digits and -._~/).
tt_pg_urlencode() {
	local s=$1 out='' c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~/-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	echo "$out"
}

# tt_pg_as_server CMD...: run CMD as the user that runs the server.
tt_pg_as_server() { "${tt_pg_as[@]}" "$@"; }

# tt_pg_enter DIR: make DIR reachable by the postgres user (see the
# header): g+x with group postgres on the directories from $tap_tmp down
# to DIR that it cannot enter.  Status 1, with a diagnostic, when a
# directory outside $tap_tmp stops it.
tt_pg_enter() {
	local dir=$1 top rel p part
	top=$(cd "$tap_tmp" && pwd -P) || return 1
	tt_pg_as_server test -x "$dir" && return 0
	case $dir/ in
	"$top"/*) ;;
	*)
		tap_diag "pg_start: user postgres cannot enter $dir, which is" \
		    "outside this test's directory $top"
		return 1
		;;
	esac
	# Above $tap_tmp is not ours to change (search permission on the
	# parent means on every directory of its path).
	p=${top%/*}
	tt_pg_as_server test -x "${p:-/}" || {
		tap_diag "pg_start: user postgres cannot enter ${p:-/}"
		return 1
	}
	rel=${dir#"$top"}
	p=$top
	while :; do
		if ! tt_pg_as_server test -x "$p"; then
			chgrp postgres "$p" && chmod g+x "$p" || return 1
		fi
		[ -n "$rel" ] || break
		rel=${rel#/}
		part=${rel%%/*}
		rel=${rel#"$part"}
		p=$p/$part
	done
	tt_pg_as_server test -x "$dir" || {
		tap_diag "pg_start: user postgres still cannot enter $dir"
		return 1
	}
}

# tt_pg_fail WHAT: say that the server did not start, with the logs' tails.
tt_pg_fail() {
	tap_diag "PostgreSQL $1; the end of $PG_LOG:"
	tail -n 25 "$PG_LOG" 2>/dev/null | tap_diag -
}

# tt_pg_up: the server accepts connections on its socket and on TCP, or
# it has exited (the caller tells which).
tt_pg_up() {
	tt_alive "$tt_pg_pid" || return 0
	"$PG_BIN/pg_isready" -q -t 2 -h "$PG_SOCKET_DIR" -p "$PG_PORT" \
	    -U postgres -d postgres </dev/null &&
	    "$PG_BIN/pg_isready" -q -t 2 -h 127.0.0.1 -p "$PG_PORT" \
	    -U postgres -d postgres </dev/null
}

# tt_pg_run: start postgres on $PG_DATA and $PG_PORT and wait (30 s)
# until it accepts connections.  Status 1 if it exited (the caller says
# so: it may try another port), 2 if it did not answer in time (said here;
# the server is stopped).
tt_pg_run() {
	printf '# pg.sh: postgres -D %s -p %s\n' "$PG_DATA" "$PG_PORT" >>"$PG_LOG"
	# A simple command, not a function: the background job is setpriv (or
	# env), which execs postgres, so $! is the postmaster itself.
	"${tt_pg_as[@]}" "$PG_BIN/postgres" -D "$PG_DATA" -p "$PG_PORT" \
	    >>"$PG_LOG" 2>&1 </dev/null &
	tt_pg_pid=$!
	track_pid "$tt_pg_pid"
	if wait_for 30 tt_pg_up && tt_alive "$tt_pg_pid"; then
		PG_PID=$tt_pg_pid
		export PG_PID
		return 0
	fi
	if tt_alive "$tt_pg_pid"; then
		tt_pg_fail "did not accept connections within 30 s"
		pg_stop
		return 2
	fi
	wait "$tt_pg_pid" 2>/dev/null
	untrack_pid "$tt_pg_pid"
	tt_pg_pid=
	return 1
}

# pg_start DIR: see the header.
pg_start() {
	local dir=$1 try pw rc nosync durability
	[ -z "$tt_pg_pid" ] || { tap_diag "pg_start: PostgreSQL runs already"; return 1; }
	at_exit pg_stop
	PG_BIN=$(pg_bindir) || {
		tap_diag "pg_start: $(need_missing postgres)"
		return 1
	}
	export PG_BIN
	mkdir -p "$dir" && dir=$(cd "$dir" && pwd -P) || return 1
	tt_pg_dir=$dir
	PG_DATA=$dir/data
	PG_SOCKET_DIR=$dir/sock
	PG_LOG=$dir/postgres.log
	export PG_DATA PG_SOCKET_DIR PG_LOG
	# The socket's path must fit in sun_path (107 bytes).
	if [ $(( ${#PG_SOCKET_DIR} + 17 )) -gt 107 ]; then
		tap_diag "pg_start: $PG_SOCKET_DIR is too long for a socket path"
		return 1
	fi
	rm -rf "$PG_DATA" "$PG_SOCKET_DIR"
	mkdir -m 0700 "$PG_DATA" "$PG_SOCKET_DIR" || return 1
	: >"$PG_LOG"
	if [ "$(id -u)" = 0 ]; then
		PG_USER=postgres
		need_pg_user || {
			tap_diag "pg_start: $(need_missing postgres)"
			return 1
		}
		tt_pg_as=(setpriv --reuid=postgres --regid=postgres --init-groups
		    --reset-env)
		chown postgres:postgres "$PG_DATA" "$PG_SOCKET_DIR" &&
		    tt_pg_enter "$dir" || return 1
	else
		PG_USER=$(id -un)
		tt_pg_as=(env)
	fi
	export PG_USER

	nosync=--no-sync
	durability="fsync = off
synchronous_commit = off
full_page_writes = off"
	if [ "${PG_DURABLE:-0}" = 1 ]; then
		nosync=
		durability="# PG_DURABLE=1: fsync, synchronous_commit and
# full_page_writes at their defaults (on)."
	fi
	if ! tt_pg_as_server "$PG_BIN/initdb" -D "$PG_DATA" -U postgres \
	    -E UTF8 --locale=C --auth=trust $nosync --no-instructions \
	    >"$dir/initdb.log" 2>&1 </dev/null; then
		tap_diag "pg_start: initdb failed:"
		tail -n 25 "$dir/initdb.log" | tap_diag -
		return 1
	fi
	# Appended last, so these win over initdb's lines; the port is given
	# on the command line (pg_restart reuses it).
	cat >>"$PG_DATA/postgresql.conf" <<EOF

# tests/transport/pg.sh: a private test peer.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCKET_DIR'
unix_socket_permissions = 0700
password_encryption = scram-sha-256
ssl = off
$durability
max_connections = 50
shared_buffers = 32MB
logging_collector = off
log_destination = 'stderr'
log_line_prefix = '%m [%p] %q%u@%d '
log_connections = on
log_disconnections = on
EOF
	cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# tests/transport/pg.sh: the socket (a 0700 directory) trusts its users;
# TCP on 127.0.0.1 needs a SCRAM password; everything else is refused.
local	all	all			trust
host	all	all	127.0.0.1/32	scram-sha-256
EOF

	for try in 1 2 3; do
		PG_PORT=$(free_port 127.0.0.1) || return 1
		export PG_PORT
		tt_pg_run
		rc=$?
		[ $rc = 0 ] && break
		[ $rc = 1 ] || return 1
		# A port taken meanwhile is worth another try; anything else not.
		if [ $try = 3 ] || ! tail -n 20 "$PG_LOG" |
		    grep -q 'could not create any TCP/IP sockets'; then
			tt_pg_fail "exited at start"
			return 1
		fi
	done

	pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	[ ${#pw} = 32 ] || return 1
	PG_PASSWORD=$pw
	pg_sql -d postgres "CREATE ROLE hubsh LOGIN PASSWORD '$PG_PASSWORD'" \
	    >/dev/null &&
	    pg_sql -d postgres "CREATE DATABASE hubsh OWNER hubsh" >/dev/null ||
	    { tap_diag "pg_start: creating the role and database hubsh failed"
	      return 1; }
	PG_URI=postgresql://hubsh:$PG_PASSWORD@127.0.0.1:$PG_PORT/hubsh
	PG_SOCKET_URI="postgresql:///hubsh?host=$(tt_pg_urlencode "$PG_SOCKET_DIR")&port=$PG_PORT&user=hubsh"
	export PG_PASSWORD PG_URI PG_SOCKET_URI
}

# pg_stop: see the header.
pg_stop() {
	local pid=$tt_pg_pid
	[ -n "$pid" ] || return 0
	kill -INT "$pid" 2>/dev/null
	if ! wait_for 15 tt_pg_gone "$pid"; then
		tap_diag "pg_stop: no fast shutdown within 15 s; immediate shutdown"
		kill -QUIT "$pid" 2>/dev/null
		wait_for 5 tt_pg_gone "$pid" || kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	untrack_pid "$pid"
	tt_pg_pid=
	return 0
}
tt_pg_gone() { ! tt_alive "$1"; }

# pg_restart: see the header.
pg_restart() {
	[ -n "$tt_pg_dir" ] && [ -s "$PG_DATA/PG_VERSION" ] || {
		tap_diag "pg_restart: no PostgreSQL was started"
		return 1
	}
	pg_stop
	tt_pg_run
	case $? in
	0) ;;
	1) tt_pg_fail "exited at restart"; return 1 ;;
	*) return 1 ;;
	esac
}

# pg_sql [-d DB] SQL: see the header.
pg_sql() {
	local db=hubsh
	if [ "${1:-}" = -d ]; then
		db=$2
		shift 2
	fi
	"$PG_BIN/psql" -X -w -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" \
	    -p "$PG_PORT" -U postgres -d "$db" -c "$1" </dev/null
}

# pg_psql URI [psql options...]: see the header.
pg_psql() {
	local uri=$1
	shift
	"$PG_BIN/psql" -X -w -q -A -t -v ON_ERROR_STOP=1 -d "$uri" "$@" </dev/null
}
