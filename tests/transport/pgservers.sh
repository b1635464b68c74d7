#!/bin/bash
# pgservers.sh - two transport servers, SRV1 and SRV2, each with its own
# spool and port, sharing one configuration in a private PostgreSQL
# (pg.sh) over TCP with a password, as two machines would:
#
#   - both register; each listens for the changes the store announces;
#   - a connector with -SourceTransportServers SRV1,SRV2 delivers from
#     both; one for SRV2 alone is never used by SRV1;
#   - Set-SendConnector -RequireTls $true made while both run is
#     announced to both (not found by their poll) and the next delivery
#     on each is held for TLS; back to $false, the held mail leaves;
#   - PostgreSQL stopped: both keep delivering with the configuration
#     they have, each says so once, hubsh fails plainly and exits 1;
#   - PostgreSQL back: a change made right away reaches both, and later
#     changes are announced again on the new connections.
#
# Two hubsh writing one connector at once are pgstore.sh's.  How long a
# change takes to reach both is bench/'s (doc/bench.md); here it is only
# shown, never asserted.  A missing tool is an error, not a skip.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"
. "$tt_dir/pg.sh"

tap_need swaks aiosmtpd postgres psql
tap_plan 15

pg_start "$tap_tmp/pg" || tap_bail "PostgreSQL did not start"
STORE=$PG_URI
export HUBSH_STORE=$STORE HUBSH_KEY_FILE=$tap_tmp/pg.key

peer_start plain || tap_bail "peer plain"
PLAIN=$PEER_PORT
peer_start two --listen 127.0.0.3:0 || tap_bail "peer two"
TWO=$PEER_PORT

SERVER=SRV1
connector Partner partner.test 127.0.0.1 "$PLAIN" \
    -SourceTransportServers SRV1,SRV2 -WarningAction SilentlyContinue &&
    connector Only2 only2.test 127.0.0.3 "$TWO" \
    -SourceTransportServers SRV2 -WarningAction SilentlyContinue ||
    tap_bail "connectors"

SERVER=SRV1 STATE=$tap_tmp/state1
hubd_start || tap_bail "hubd SRV1"
LOG1=$HUBD_LOG PID1=$HUBD_PID PORT1=$HUBD_PORT
SERVER=SRV2 STATE=$tap_tmp/state2
hubd_start || tap_bail "hubd SRV2"
LOG2=$HUBD_LOG PID2=$HUBD_PID PORT2=$HUBD_PORT

# The store's generation, as PostgreSQL has it.
generation() { pg_sql "SELECT value FROM meta WHERE key = 'generation'"; }
# both_log TEXT [SECONDS]: wait until both hubd logs have a line with TEXT.
both_log() {
	wait_for "${2:-10}" grep -q -- "$1" "$LOG1" &&
	    wait_for "${2:-10}" grep -q -- "$1" "$LOG2"
}
# send PORT SUBJECT RCPT: one message to the hubd on PORT.
send() {
	swaks_send 127.0.0.1 "$1" --to "$3" --header "Subject: $2" ||
	    tap_diag - <"$SWAKS_LOG"
}
# subjects PEER: the subjects the peer received, sorted, one line.
subjects() {
	sed -n 's/^Subject: //p' "$(peer_dir "$1")"/msg/*.eml 2>/dev/null |
	    tr -d '\r' | sort | tr '\n' ' '
}
# held STATE RCPT: the recipient's last tracking event on that server
# is a DEFER whose text is about TLS.
held() {
	STATE=$1 wait_for 15 tt_held "$2"
}
tt_held() {
	[ "$(spool_sql "SELECT t.event_id || '|' || (r.status LIKE '%TLS%')
	    FROM track t JOIN track_rcpt r ON r.track_id = t.id
	    WHERE r.addr = '$1' ORDER BY t.id DESC LIMIT 1")" = "DEFER|1" ]
}
# ms_of LINE: the milliseconds of day of a hubd log line's time stamp.
ms_of() {
	local t=${1%%Z *}
	t=${t#*T}
	echo $(( (10#${t:0:2} * 3600 + 10#${t:3:2} * 60 + 10#${t:6:2}) * 1000 +
	    10#${t:9:3} ))
}

# --- registry ---------------------------------------------------------------

rows=$(pg_sql "SELECT name, fqdn, control <> '', heartbeat > 0 FROM servers
    WHERE fqdn IS NOT NULL ORDER BY name" | tr '\n' ' ')
[ "$rows" = "SRV1|relay.hubd.test|t|t SRV2|relay.hubd.test|t|t " ]
tap_result $? "both servers register in the shared store" "$rows"

grep -q 'reload: listening for changes the store announces' "$LOG1" &&
    grep -q 'reload: listening for changes the store announces' "$LOG2"
tap_result $? "each hubd listens for the changes PostgreSQL announces"

# --- which server uses which connector ----------------------------------------

send "$PORT1" via-SRV1 rcpt@partner.test && send "$PORT2" via-SRV2 rcpt@partner.test &&
    peer_wait_messages plain 2 15
tap_result $? "a connector for SRV1 and SRV2 delivers from both" \
    "received: $(subjects plain)"
[ "$(subjects plain)" = "via-SRV1 via-SRV2 " ]
tap_result $? "one message from each" "$(subjects plain)"

send "$PORT2" only-SRV2 rcpt@only2.test && send "$PORT1" only-SRV1 rcpt@only2.test &&
    peer_wait_messages two 1 15 &&
    HUBSH_CONTROL=$tap_tmp/run/state1.sock hubsh_run "Get-Queue | Where-Object { \$_.DeliveryType -eq 'Unreachable' } |
	ForEach-Object { \$_.MessageCount }" &&
    [ "$(tr -d '\r' <"$HUBSH_LOG")" = 1 ] && [ "$(subjects two)" = "only-SRV2 " ]
tap_result $? "a connector for SRV2 alone is not used by SRV1 (its message is Unreachable)" \
    "peer two: $(subjects two); SRV1's Unreachable: $(cat "$HUBSH_LOG")"

# --- a change while both run ---------------------------------------------------

SERVER=SRV1
t0=$(date -u +%s%3N)
hubsh_run 'Set-SendConnector Partner -RequireTls $true'
rc=$?
gen=$(generation)
[ $rc -eq 0 ] && both_log "reload: connector store generation $gen (announced)"
tap_result $? "Set-SendConnector -RequireTls \$true is announced to both hubds" \
    "exit $rc; generation $gen"
day0=$(( t0 % 86400000 ))
for log in "$LOG1" "$LOG2"; do
	line=$(grep "reload: connector store generation $gen " "$log")
	[ -n "$line" ] && tap_diag "taken up $(( $(ms_of "$line") - day0 )) ms" \
	    "after hubsh started (${log##*/})"
done

send "$PORT1" tls-SRV1 tls1@partner.test && send "$PORT2" tls-SRV2 tls2@partner.test &&
    STATE=$tap_tmp/state1 held "$tap_tmp/state1" tls1@partner.test &&
    held "$tap_tmp/state2" tls2@partner.test && [ "$(peer_count plain)" = 2 ]
tap_result $? "the next delivery on each server is held for TLS" \
    "peer plain has $(peer_count plain)"

hubsh_run 'Set-SendConnector Partner -RequireTls $false' &&
    gen=$(generation) &&
    both_log "reload: connector store generation $gen (announced)" &&
    peer_wait_messages plain 4 20
tap_result $? "RequireTls \$false again: both take it up and the held mail leaves" \
    "peer plain: $(subjects plain)"

# --- PostgreSQL stopped ------------------------------------------------------

pg_stop
send "$PORT1" down-SRV1 rcpt@partner.test && send "$PORT2" down-SRV2 rcpt@partner.test &&
    peer_wait_messages plain 6 20 &&
    send "$PORT2" down2-SRV2 rcpt@only2.test && peer_wait_messages two 2 20
tap_result $? "PostgreSQL stopped: both keep delivering with the connectors they have" \
    "peer plain: $(subjects plain); peer two: $(subjects two)"

sleep 4
n1=$(grep -c 'connector store does not answer' "$LOG1")
n2=$(grep -c 'connector store does not answer' "$LOG2")
[ "$n1" = 1 ] && [ "$n2" = 1 ]
tap_result $? "each hubd says once that the store does not answer" \
    "SRV1: $n1, SRV2: $n2"

hubsh_run 'Set-SendConnector Partner -Port 2526'
rc=$?
[ $rc -eq 1 ] && tr -d '\n' <"$HUBSH_LOG" |
    grep -q "cannot connect to PostgreSQL at *127.0.0.1:$PG_PORT/hubsh" &&
    ! grep -q "$PG_PASSWORD" "$HUBSH_LOG"
tap_result $? "hubsh fails plainly, exit 1, no password shown" \
    "exit $rc; $(cat "$HUBSH_LOG")"

# --- PostgreSQL back ---------------------------------------------------------

pg_restart || tap_bail "PostgreSQL did not start again"
connector Later later.test 127.0.0.1 "$PLAIN" -SourceTransportServers SRV1,SRV2 \
    -WarningAction SilentlyContinue
rc=$?
[ $rc -eq 0 ] && [ "$(pg_sql "SELECT port FROM send_connectors
    WHERE name = 'Partner'")" = "$PLAIN" ]
tap_result $? "PostgreSQL back: hubsh works; the refused change had changed nothing" \
    "exit $rc"

both_log 'the connector store answers again' 40 &&
    send "$PORT1" later-SRV1 rcpt@later.test && send "$PORT2" later-SRV2 rcpt@later.test &&
    peer_wait_messages plain 8 20 &&
    [ "$(subjects plain | grep -o 'later-SRV[12]' | tr '\n' ' ')" = "later-SRV1 later-SRV2 " ]
tap_result $? "a connector made when PostgreSQL came back reaches both" \
    "peer plain: $(subjects plain)"

hubsh_run 'Set-SendConnector Later -Enabled $false' &&
    gen=$(generation) &&
    both_log "reload: connector store generation $gen (announced)"
tap_result $? "later changes are announced on the new connections" "generation $gen"

HUBD_PID=$PID1 hubd_stop && HUBD_PID=$PID2 hubd_stop
tap_result $? "both hubds stop cleanly"
