#!/bin/bash
# process.sh - hubd as a process: the configuration file, daemon mode
# (the parent exits 0 only once the daemon runs), SIGHUP, privileges
# dropped after binding (the control socket still made as root), a bad
# setting refused with status 64, a setting that moved to the store
# refused with the Set-TransportService parameter to use, every setting
# described in hubd(8), every thread named as hubd(8) lists it, and
# smart-host failover past a host where nothing listens.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd
tap_plan 20

tt_gone() { ! tt_alive "$1"; }

peer_start sink || tap_bail "peer"
# The first smart host has nothing listening at the connector's port.
hubsh_run "New-SendConnector -Name Sink -Usage Custom -AddressSpaces 'dest.test' \
    -SmartHosts '[127.0.0.9]','[127.0.0.1]' -DNSRoutingEnabled \$false \
    -Port $PEER_PORT | Out-Null" || tap_bail "connector"
hubd_fast_retries || tap_bail "transport settings"

# --- configuration file and daemon mode ------------------------------------------

port=$(free_port)
conf=$tap_tmp/hubd.conf
cat >"$conf" <<EOF
# hubd settings for the test
store = $STORE
server = $SERVER
state-dir = $STATE
listen = 127.0.0.1:$port    # loopback only
control-socket = $tap_tmp/daemon/hubd.sock
EOF
"$HUBD" --config "$conf"
tap_result $? "daemon mode: the parent exits 0 once hubd has started"
[ -S "$tap_tmp/daemon/hubd.sock" ] &&
    [ "$(stat -c %a "$tap_tmp/daemon")" = 755 ]
tap_result $? "the control socket is where the file says, its directory made 0755"
pid=$(pgrep -f -- "--config $conf" | head -1)
[ -n "$pid" ] && track_pid "$pid"
HUBD_PORT=$port
submit --to one@dest.test
peer_wait_messages sink 1 20
tap_result $? "settings from the file: listening where it says, delivering"
wait_track SEND one@dest.test &&
    [ "$(spool_sql "SELECT server_ip, server_hostname FROM track WHERE event_id = 'SEND'")" = "127.0.0.1|127.0.0.1:$PEER_PORT" ]
tap_result $? "failover: the second smart host took it, the first refused"

# Every thread has a name (ps -L, top -H), and hubd(8) lists each one.
documented=$(sed -n '/^\.Sh THREADS/,/^\.Sh SIGNALS/s/^\.It Li //p' \
    "$top_srcdir/doc/hubd.8" | tr -d ',' | tr ' ' '\n' | sort -u)
names=$(cat /proc/"$pid"/task/*/comm 2>/dev/null | sort -u)
unlisted=$(comm -23 <(printf '%s\n' "$names") <(printf '%s\n' "$documented"))
absent=
for want in hubd smtpd-accept commit queue-sched delivery dns unbound \
    control-accept prune; do
	printf '%s\n' "$names" | grep -qx "$want" || absent="$absent $want"
done
[ -z "$unlisted" ] && [ -z "$absent" ]
tap_result $? "each of hubd's threads is named, with a name hubd(8) lists" ||
    tap_diag "threads: $(echo $names); not in hubd(8): $(echo $unlisted); not running:$absent"

kill -HUP "$pid" 2>/dev/null
sleep 1
kill -0 "$pid" 2>/dev/null
tap_result $? "SIGHUP: hubd re-reads the store and keeps running"

# A snapshot that cannot be built (a damaged store: a table gone) leaves
# the old one in force: mail still goes out by the old connectors.
store_sql() {
	"$PYTHON" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.executescript(sys.argv[2])
db.commit()' "$STORE" "$1"
}
store_sql "ALTER TABLE smart_hosts RENAME TO smart_hosts_away;
    UPDATE meta SET value = value + 1 WHERE key = 'generation';"
sleep 1
submit --to two@dest.test
peer_wait_messages sink 2 20
tap_result $? "a store that cannot be read: the previous connectors stay in force"
store_sql "ALTER TABLE smart_hosts_away RENAME TO smart_hosts;
    UPDATE meta SET value = value + 1 WHERE key = 'generation';"
kill -TERM "$pid"
wait_for 20 tt_gone "$pid"
tap_result $? "SIGTERM: the daemon exits"
untrack_pid "$pid"
[ ! -e "$tap_tmp/daemon/hubd.sock" ]
tap_result $? "and removes its control socket"

# --- bad settings ----------------------------------------------------------------------

"$HUBD" -f --max-sessions 0 >"$tap_tmp/bad.out" 2>&1
[ $? -eq 64 ] && grep -q "max-sessions" "$tap_tmp/bad.out"
tap_result $? "a bad setting: status 64 and the setting named"
printf 'listen 127.0.0.1:1\n' >"$tap_tmp/bad.conf"
"$HUBD" -f --config "$tap_tmp/bad.conf" >"$tap_tmp/bad.out" 2>&1
[ $? -eq 64 ] && grep -q 'bad.conf:1' "$tap_tmp/bad.out"
tap_result $? "a bad configuration line: status 64 with file and line"

# The transport settings of Set-TransportService live in the store; their
# former hubd names are refused with the parameter that replaced them.
printf '# old\ntransient-retry-interval = 00:00:01\n' >"$tap_tmp/old.conf"
"$HUBD" -f --config "$tap_tmp/old.conf" >"$tap_tmp/old.out" 2>&1
[ $? -eq 64 ] && grep -q 'old.conf:2: transient-retry-interval is no longer a hubd setting' "$tap_tmp/old.out" &&
    grep -q 'Set-TransportService -TransientFailureRetryInterval' "$tap_tmp/old.out"
tap_result $? "a setting moved to the store, in the file: status 64 and the Set-TransportService parameter"
"$HUBD" -f --destination-concurrency 5 >"$tap_tmp/old.out" 2>&1
[ $? -eq 64 ] && grep -q 'Set-TransportService -MaxPerDomainOutboundConnections' "$tap_tmp/old.out"
tap_result $? "on the command line too"

# Every setting hubd knows is in its manual page.
missing=
for name in $("$HUBD" -h | sed -n '/^settings:/,$p' | tail -n +2); do
	grep -q "Fl -$name\b" "$top_srcdir/doc/hubd.8" || missing="$missing $name"
done
[ -z "$missing" ] && [ -n "$name" ]
tap_result $? "every setting of hubd -h is described in hubd(8)" ||
    tap_diag "not in doc/hubd.8:$missing"

# --- privileges --------------------------------------------------------------------------

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$tap_tmp"
	CONTROL=$tap_tmp/run-nobody/hubd.sock STATE=$tap_tmp/state-nobody \
	    hubd_start --user nobody
	tap_result $? "started with --user nobody"
	[ "$(ps -o user= -p "$HUBD_PID" | tr -d ' ')" = nobody ]
	tap_result $? "after binding, hubd runs as nobody"
	[ "$(stat -c '%a %U' "$tap_tmp/run-nobody/hubd.sock")" = "660 nobody" ]
	tap_result $? "its control socket, made as root, belongs to nobody (0660)"
	hubd_stop && [ ! -e "$tap_tmp/run-nobody/hubd.sock" ]
	tap_result $? "as nobody it still removes its control socket when it stops"

	# A connector with a password: the key file is root's 0600, so
	# hubd reads it before it becomes nobody.
	peer_start authsink --auth relayuser:S3cret-Pa55 || tap_bail "peer"
	cat >"$tap_tmp/auth.ps1" <<PS
\$pw = ConvertTo-SecureString 'S3cret-Pa55' -AsPlainText -Force
\$cred = New-Object System.Management.Automation.PSCredential('relayuser', \$pw)
New-SendConnector -Name AuthSink -Usage Custom -AddressSpaces 'auth.test' -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $PEER_PORT -SmartHostAuthMechanism BasicAuth -AuthenticationCredential \$cred | Out-Null
PS
	"$HUBSH" --server "$SERVER" -File "$tap_tmp/auth.ps1" >"$tap_tmp/auth.log" 2>&1 &&
	    [ "$(stat -c '%a %U' "$STORE.key")" = "600 root" ]
	tap_result $? "a BasicAuth connector; the key file is root's, 0600" ||
	    tap_diag - <"$tap_tmp/auth.log"
	CONTROL=$tap_tmp/run-nobody/hubd.sock STATE=$tap_tmp/state-nobody \
	    hubd_start --user nobody &&
	    submit --to r@auth.test && peer_wait_messages authsink 1 20 &&
	    [ "$(peer_msg authsink 1 auth_user)" = relayuser ]
	tap_result $? "hubd --user nobody delivers with the password (AUTH as relayuser)" ||
	    tap_diag - <"$HUBD_LOG"
	hubd_stop
else
	# Without root there is nothing to drop: that is a failure of the
	# environment, and says so.
	tap_result 1 "started with --user nobody (needs root and user nobody)"
	tap_result 1 "after binding, hubd runs as nobody"
	tap_result 1 "its control socket belongs to nobody (needs root)"
	tap_result 1 "as nobody it removes its control socket (needs root)"
	tap_result 1 "a BasicAuth connector (needs root)"
	tap_result 1 "hubd --user nobody delivers with the password (needs root)"
fi

exit $tap_failed
