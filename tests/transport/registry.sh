#!/bin/bash
# registry.sh - several transport servers, one store: each hubd records
# itself (FQDN, version, control endpoint, start time, heartbeat), hubsh
# lists every registered server with Get-TransportService, shows one by
# name, and Set-TransportService -Identity changes that server's
# settings, which its hubd (and only it) takes up; Get-ExchangeServer
# shows each server with what its hubd recorded.  Two hubds, EX01 and
# EX02, share the test's SQLite store; hubsh runs as the admin host ADM.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_plan 12

SERVER=EX01 STATE=$tap_tmp/state1
hubd_start || tap_bail "hubd EX01"
LOG1=$HUBD_LOG PID1=$HUBD_PID
SERVER=EX02 STATE=$tap_tmp/state2
hubd_start || tap_bail "hubd EX02"
LOG2=$HUBD_LOG PID2=$HUBD_PID

admin() {
	tt_hubsh_n=$((tt_hubsh_n + 1))
	HUBSH_LOG=$tap_tmp/hubsh.$tt_hubsh_n.log
	"$HUBSH" --server ADM -Command "$1" >"$HUBSH_LOG" 2>&1
}
# The registry's row of a server, from the store itself.
row() {
	"$PYTHON" - "$STORE" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=10)
r = db.execute("SELECT fqdn, version, control, started > 0, heartbeat > 0 "
    "FROM servers WHERE name = ?", (sys.argv[2],)).fetchone()
print("|".join(str(v) for v in r) if r else "none")
PY
}

r1=$(row EX01) r2=$(row EX02)
[ "${r1%%|*}" = relay.hubd.test ] &&
    [ "$(cut -d'|' -f3 <<<"$r1")" = "$tap_tmp/run/state1.sock" ] &&
    [ "$(cut -d'|' -f3- <<<"$r2")" = "$tap_tmp/run/state2.sock|1|1" ] &&
    grep -q "|$("$HUBSH" --version | cut -d' ' -f2)|" <<<"$r1"
tap_result $? "each hubd registers its FQDN, version, control socket, start and heartbeat" \
    "EX01: $r1; EX02: $r2"

admin 'Get-TransportService | ForEach-Object { $_.Name }'
[ "$(tr -d '\r' <"$HUBSH_LOG")" = "$(printf 'ADM\nEX01\nEX02')" ]
tap_result $? "Get-TransportService lists the local server and every registered one, by name" \
    "$(cat "$HUBSH_LOG")"

admin 'Get-TransportService EX02 | Format-List Name,MessageRetryInterval'
grep -q '^Name *: EX02' "$HUBSH_LOG" &&
    grep -q '^MessageRetryInterval *: 00:00:01' "$HUBSH_LOG"
tap_result $? "Get-TransportService EX02 shows that server's settings" \
    "$(cat "$HUBSH_LOG")"

IFS=. read -r vmaj vmin vpatch <<<"$("$HUBSH" --version | cut -d' ' -f2)"
admin 'Get-ExchangeServer | ForEach-Object { "$($_.Name)|$($_.Fqdn)|$($_.Domain)|$($_.AdminDisplayVersion)|$($_.ServerRole)|$($_.ControlEndpoint)|$($_.WhenStarted -ne $null)|$($_.LastHeartbeatTime -ne $null)|$(if ($_.WhenStarted) { $_.WhenChanged -eq $_.WhenStarted } else { $_.WhenChanged -eq $_.WhenCreated })" }'
[ "$(tr -d '\r' <"$HUBSH_LOG")" = "$(printf '%s\n' \
    "ADM|ADM||Version $vmaj.$vmin (Build $vpatch.0)|HubTransport||False|False|True" \
    "EX01|relay.hubd.test|hubd.test|Version $vmaj.$vmin (Build $vpatch.0)|HubTransport|$tap_tmp/run/state1.sock|True|True|True" \
    "EX02|relay.hubd.test|hubd.test|Version $vmaj.$vmin (Build $vpatch.0)|HubTransport|$tap_tmp/run/state2.sock|True|True|True")" ]
tap_result $? "Get-ExchangeServer shows each server as its hubd registered it" \
    "$(cat "$HUBSH_LOG")"

# Both hubds run on this host: their FQDN names the two of them.
admin 'Get-ExchangeServer ex0* | ForEach-Object { $_.Name }
Get-ExchangeServer -Domain hubd.test | Measure-Object | ForEach-Object { $_.Count }
Get-ExchangeServer EX09
Get-ExchangeServer relay.hubd.test'
rc=$?
[ $rc -ne 0 ] && [ "$(head -3 "$HUBSH_LOG" | tr -d '\r')" = "$(printf 'EX01\nEX02\n2')" ] &&
    grep -q "object 'EX09' couldn't be found on 'ADM'" "$HUBSH_LOG" &&
    grep -q "because 'relay.hubd.test' matches multiple entries" "$HUBSH_LOG"
tap_result $? "Get-ExchangeServer: a wildcard, -Domain, EX09 not found, an FQDN of two servers (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

admin 'Set-TransportService EX0* -MessageRetryInterval 00:06:00'
rc=$?
[ $rc -ne 0 ] && grep -q "because 'EX0\*' matches multiple entries" \
    "$HUBSH_LOG"
tap_result $? "Set-TransportService of a wildcard naming two servers changes neither (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

admin 'Get-TransportService EX09'
rc=$?
[ $rc -ne 0 ] && grep -q "object 'EX09' couldn't be found on 'ADM'" \
    "$HUBSH_LOG"
tap_result $? "a server that never registered is not found (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

admin 'Set-TransportService -Identity ex02 -MessageRetryInterval 00:07:00'
rc=$?
[ $rc -eq 0 ] && wait_for 10 grep -q \
    "transport settings: MessageRetryInterval 00:00:01 -> 00:07:00" "$LOG2"
tap_result $? "Set-TransportService -Identity EX02 is taken up by EX02's hubd" \
    "exit $rc; $(cat "$HUBSH_LOG")"

sleep 1
! grep -q "MessageRetryInterval 00:00:01 -> 00:07:00" "$LOG1"
tap_result $? "and not by EX01's"

admin 'Get-TransportService EX02 | ForEach-Object { $_.MessageRetryInterval.ToString() }
Get-TransportService EX01 | ForEach-Object { $_.MessageRetryInterval.ToString() }'
[ "$(tr -d '\r' <"$HUBSH_LOG")" = "$(printf '00:07:00\n00:00:01')" ]
tap_result $? "each server keeps its own settings" "$(cat "$HUBSH_LOG")"

admin "New-SendConnector -Name Shared -AddressSpaces shared.example -SourceTransportServers EX01,EX02,EX77 -WarningAction Continue | Out-Null"
rc=$?
[ $rc -eq 0 ] && grep -q "EX77" "$HUBSH_LOG" && ! grep -q "EX01\|EX02" \
    "$HUBSH_LOG"
tap_result $? "a SourceTransportServers name never registered only warns (exit $rc)" \
    "$(cat "$HUBSH_LOG")"

HUBD_PID=$PID1 hubd_stop && HUBD_PID=$PID2 hubd_stop
tap_result $? "both hubds stop cleanly"
