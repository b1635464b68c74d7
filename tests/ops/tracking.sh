#!/bin/bash
# tracking.sh - Get-MessageTrackingLog against a running hubd, and from
# hubd's spool once hubd has stopped.
#
# Real peers on loopback: "tls" (STARTTLS with a certificate of the
# test CA) for tls.test, "busy" (451 for busy@, 550 for gone@) for
# busy.test, "home" for example.org, where the reports go.  Three
# messages give RECEIVE, SEND over TLS, DEFER, FAIL and DSN records; once
# the busy recipient has expired the log stops growing, and hubsh reads
# it: the default table, fl (property order, ConnectorId, the TLS
# fields), every filter, the date forms (ISO, en-US with a time, a
# DateTime value, in two time zones), a bad date, the article's line with
# straight and with typographic quotes, and then, with hubd stopped, the
# same records read from the spool without creating any file.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd openssl
tap_plan 51

# hubd-lib.sh puts hubd's control socket at $CONTROL; if this one does
# not, the test does.
hubd_opts=()
if [ -z "${CONTROL:-}" ]; then
	CONTROL=$tap_tmp/run/hubd.sock
	hubd_opts=(--control-socket "$CONTROL")
fi

make_certs >/dev/null || tap_bail "certificates"
peer_start tls $(cert_opts valid) || tap_bail "peer tls"
TLS_PORT=$PEER_PORT
peer_start busy --reply 'RCPT:<busy@=451 4.3.2 Try again later' \
    --reply 'RCPT:<gone@=550 5.1.1 User unknown' || tap_bail "peer busy"
BUSY_PORT=$PEER_PORT
peer_start home || tap_bail "peer home"
HOME_PORT=$PEER_PORT

hubsh_run "New-SendConnector -Name Tls -Usage Custom -AddressSpaces 'tls.test' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $TLS_PORT | Out-Null
New-SendConnector -Name Busy -Usage Custom -AddressSpaces 'busy.test' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $BUSY_PORT | Out-Null
New-SendConnector -Name Home -Usage Custom -AddressSpaces 'example.org' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $HOME_PORT | Out-Null
Set-TransportService -MessageExpirationTimeout 00:00:06" ||
    tap_bail "connectors"
hubd_start "${hubd_opts[@]}" || tap_bail "hubd"

submit --from alice@example.org --to bob@tls.test \
    --header 'Subject: Quarterly Report One' \
    --header 'Message-Id: <m1.tracking@example.org>' >/dev/null ||
    tap_bail "submit m1"
submit --from carol@example.org --to busy@busy.test,gone@busy.test \
    --header 'Subject: Busy line' \
    --header 'Message-Id: <m2.tracking@example.org>' >/dev/null ||
    tap_bail "submit m2"
submit --from alice@example.org --to dave@tls.test \
    --header 'Subject: quarterly report two' \
    --header 'Message-Id: <m3.tracking@example.org>' >/dev/null ||
    tap_bail "submit m3"

# Quiet: both SENDs, gone@ failed, busy@ expired, both reports delivered.
tt_expired() { [ "$(track_count FAIL busy@busy.test)" -ge 1 ]; }
tt_reports_sent() { [ "$(track_count SEND carol@example.org)" -ge 2 ]; }
wait_track SEND dave@tls.test 20 && wait_track FAIL gone@busy.test 20 &&
    wait_for 30 tt_expired && peer_wait_messages home 2 20 &&
    wait_for 10 tt_reports_sent || tap_bail "the log did not settle"
sleep 1
TOTAL=$(spool_sql "SELECT count(*) FROM track")

# hs TEXT: TEXT in hubsh against this hubd; stdout in $OUT, stderr in
# $ERR, hubsh's status.
hs_n=0
hs() {
	hs_n=$((hs_n + 1))
	OUT=$tap_tmp/hs.$hs_n.out ERR=$tap_tmp/hs.$hs_n.err
	"$HUBSH" --server "$SERVER" --control "$CONTROL" --state-dir "$STATE" \
	    -NonInteractive -Command "$1" >"$OUT" 2>"$ERR"
}
# count FILTERS: the number of records Get-MessageTrackingLog FILTERS
# writes (-ResultSize Unlimited unless FILTERS has one).
count() {
	local rs=' -ResultSize Unlimited'
	case $1 in *ResultSize*) rs= ;; esac
	hs "@(Get-MessageTrackingLog $1$rs).Count" && cat "$OUT"
}
# diag_last: the last hubsh's output as TAP comments.
diag_last() { tap_diag - <"$OUT"; tap_diag - <"$ERR"; }
# check NAME CMD...: ok when CMD succeeds; else the last output too.
check() {
	local name=$1
	shift
	if "$@"; then
		tap_result 0 "$name"
	else
		tap_result 1 "$name"
		diag_last
	fi
}

# --- the default table and fl ----------------------------------------------

hs 'Get-MessageTrackingLog -MessageId "<m1.tracking@example.org>"'
check "default output is a table: EventId Source Sender Recipients MessageSubject" \
    grep -Eq '^EventId +Source +Sender +Recipients +MessageSubject *$' "$OUT"
check "a RECEIVE row with the recipient in braces" \
    grep -Eq '^RECEIVE +SMTP +alice@example.org +\{bob@tls.test\} +Quarterly Report One' "$OUT"
check "and a SEND row" \
    grep -Eq '^SEND +SMTP +alice@example.org +\{bob@tls.test\}' "$OUT"

hs 'Get-MessageTrackingLog -MessageId "<m1.tracking@example.org>" -EventId SEND | fl'
want='RunspaceId Timestamp ClientIp ClientHostname ServerIp ServerHostname SourceContext ConnectorId Source EventId InternalMessageId MessageId NetworkMessageId Recipients RecipientStatus TotalBytes RecipientCount RelatedRecipientAddress Reference MessageSubject Sender ReturnPath Directionality TenantId OriginalClientIp OriginalServerIp MessageInfo MessageLatency MessageLatencyType EventData TlsProtocol TlsCipher TlsVerify'
got=$(sed -n 's/^\([A-Za-z]*\) *:.*/\1/p' "$OUT" | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ]
check "fl lists Exchange's properties in order, then TlsProtocol, TlsCipher, TlsVerify" test $? = 0
field() { sed -n "s/^$1 *: \(.*\)/\1/p" "$OUT" | sed 's/ *$//'; }
check "SEND: ConnectorId is the Send connector" test "$(field ConnectorId)" = Tls
check "SEND over TLS: TlsProtocol" grep -Eq '^TlsProtocol +: TLSv1\.[23]' "$OUT"
check "SEND over TLS: TlsCipher and TlsVerify are filled" \
    test -n "$(field TlsCipher)" -a -n "$(field TlsVerify)"
check "SEND: ServerIp, RecipientStatus 250, RecipientCount 1" \
    test "$(field ServerIp)" = 127.0.0.1 -a "$(field RecipientCount)" = 1 \
    -a -n "$(field RecipientStatus | grep '{250')"
check "Timestamp is a local date and time" \
    grep -Eq '^Timestamp +: [0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{1,2}:[0-9]{2}:[0-9]{2} [AP]M$' "$OUT"
check "ReturnPath is the envelope sender; TotalBytes a number" \
    test "$(field ReturnPath)" = alice@example.org -a \
    -n "$(field TotalBytes | grep -E '^[0-9]+$')"

# --- every event, with its connector ---------------------------------------

hs 'Get-MessageTrackingLog -ResultSize Unlimited | % { "$($_.EventId)|$($_.Source)|$($_.ConnectorId)|$($_.Recipients -join ",")|$($_.RecipientStatus -join ",")" }'
has() { grep -Eq "$1" "$OUT"; }
check "RECEIVE records have no connector (hubd has no Receive connectors)" \
    has '^RECEIVE\|SMTP\|\|busy@busy.test,gone@busy.test\|$'
check "SEND through Tls" has '^SEND\|SMTP\|Tls\|dave@tls.test\|250'
check "DEFER through Busy with the 451" \
    has '^DEFER\|SMTP\|Busy\|busy@busy.test\|451 4.3.2 Try again later'
check "FAIL through Busy with the 550" \
    has '^FAIL\|SMTP\|Busy\|gone@busy.test\|550 5.1.1 User unknown'
check "FAIL after expiry with 550 4.4.7" \
    has '^FAIL\|SMTP\|(Busy)?\|busy@busy.test\|550 4.4.7 QUEUE.Expired'
check "DSN records to the sender, Source DSN" has '^DSN\|DSN\|Busy\|carol@example.org\|'
check "the reports' SENDs through Home" has '^SEND\|SMTP\|Home\|carol@example.org\|250'
check "Unlimited returns every record of the log ($TOTAL)" \
    test "$(wc -l <"$OUT")" -eq "$TOTAL"

# --- filters -------------------------------------------------------------

check "-Sender (exact, any case)" test "$(count '-Sender ALICE@example.org')" = 4
check "-Sender matches whole addresses only" test "$(count '-Sender alice@example')" = 0
check "-Recipients, one address" test "$(count '-Recipients dave@tls.test')" = 2
check "-Recipients, any of several" \
    test "$(count '-Recipients dave@tls.test,bob@tls.test')" = 4
check "-EventId (any case)" test "$(count '-EventId send -Sender alice@example.org')" = 2
check "-MessageId with <>" test "$(count '-MessageId "<m3.tracking@example.org>"')" = 2
check "-MessageId without <>" test "$(count '-MessageId m3.tracking@example.org')" = 2
check "-MessageSubject is a part of the subject, any case" \
    test "$(count '-MessageSubject "QUARTERLY REPORT"')" = 4

# Reference links a report and its original, both ways.
hs '$d = @(Get-MessageTrackingLog -EventId DSN -Reference "<m2.tracking@example.org>")
$o = (Get-MessageTrackingLog -MessageId m2.tracking@example.org -EventId RECEIVE).InternalMessageId
$d | % { "$($_.MessageId)|$($_.Sender)|$($_.InternalMessageId -ne $o)|$($_.Reference)|$($_.Recipients)" }'
check "-Reference with <>: m2's two reports, each its own message from <>, naming m2" \
    test "$(grep -c '^<[^|]*>||True|<m2.tracking@example.org>|carol@example.org$' "$OUT")" = 2
ids=$(cut -d'|' -f1 "$OUT" | sort)
check "their MessageIds are those of the reports the sender got" \
    test -n "$ids" -a "$ids" = "$(peer_message_ids home | grep -Fx "$ids" | sort)"
check "-Reference without <> finds them too" \
    test "$(count '-Reference m2.tracking@example.org')" = 2
first=$(head -1 <<<"$ids")
hs "Get-MessageTrackingLog -Reference '$first' | % { \"\$(\$_.EventId)|\$(\$_.MessageId)\" }"
check "a report's id finds the FAIL it was made for, and only it" \
    test "$(cat "$OUT")" = 'FAIL|<m2.tracking@example.org>'
hs '$id = (Get-MessageTrackingLog -MessageId m3.tracking@example.org -EventId RECEIVE).InternalMessageId
$all = @(Get-MessageTrackingLog -ResultSize Unlimited | where { $_.InternalMessageId -eq $id }).Count
$got = @(Get-MessageTrackingLog -ResultSize Unlimited -InternalMessageId $id).Count
$other = @(Get-MessageTrackingLog -ResultSize Unlimited -InternalMessageId $id | where { $_.InternalMessageId -ne $id }).Count
"$all|$got|$other"'
check "-InternalMessageId: exactly the records with that number" \
    grep -Eqx '([1-9][0-9]*)\|\1\|0' "$OUT"
check "-ResultSize 1: one record, the oldest" \
    test "$(count '-ResultSize 1')" = 1
hs '(Get-MessageTrackingLog -ResultSize 1).MessageId'
check "the oldest is m1's RECEIVE" grep -q 'm1.tracking@example.org' "$OUT"
hs '@(Get-MessageTrackingLog).Count'
check "the default ResultSize (1000) returns them all here" \
    test "$(cat "$OUT")" = "$TOTAL"

# Start inclusive, End exclusive: around the SEND of m3.
hs '$t = (Get-MessageTrackingLog -MessageId m3.tracking@example.org -EventId SEND).Timestamp
$a = @(Get-MessageTrackingLog -MessageId m3.tracking@example.org -EventId SEND -Start $t).Count
$b = @(Get-MessageTrackingLog -MessageId m3.tracking@example.org -EventId SEND -End $t).Count
"$a|$b"'
check "-Start is inclusive, -End exclusive" grep -qx '1|0' "$OUT"

# --- date forms ------------------------------------------------------------

today=$(date +%Y-%m-%d) tomorrow=$(date -d tomorrow +%Y-%m-%d)
check "-Start $today -End $tomorrow (ISO dates)" \
    test "$(count "-Start $today -End $tomorrow")" = "$TOTAL"
check "-End $today: nothing before today" \
    test "$(count "-End $today")" = 0
hour_ago=$(date -d '-1 hour' '+%m/%d/%Y %H:%M')
in_an_hour=$(date -d '+1 hour' '+%m/%d/%Y %H:%M')
check "-Start '$hour_ago' (en-US with a time)" \
    test "$(count "-Start '$hour_ago'")" = "$TOTAL"
check "-Start '$in_an_hour': nothing" test "$(count "-Start '$in_an_hour'")" = 0
check "-Start (Get-Date).AddHours(-1)" \
    test "$(count '-Start (Get-Date).AddHours(-1)')" = "$TOTAL"
check "-Start (Get-Date).AddHours(1): nothing" \
    test "$(count '-Start (Get-Date).AddHours(1)')" = 0
# Local time: half an hour ago in Tokyo is 8.5 hours ahead in UTC, half an
# hour ahead in New York 4.5 hours behind.
tokyo=$(TZ=Asia/Tokyo date -d '-30 minutes' '+%m/%d/%Y %l:%M %p' | tr -s ' ')
n=$(TZ=Asia/Tokyo count "-Start '$tokyo'")
ny=$(TZ=America/New_York date -d '+30 minutes' '+%Y-%m-%dT%H:%M:%S')
m=$(TZ=America/New_York count "-Start $ny")
check "dates are local time (TZ): '$tokyo' in Tokyo, $ny in New York" \
    test "$n" = "$TOTAL" -a "$m" = 0

hs 'Get-MessageTrackingLog -Start "07/33/2012"'
rc=$?
# The message is wrapped at 120 columns: compare it unwrapped.
msg=$(tr '\n' ' ' <"$ERR" | tr -s ' ')
check "a bad date: binding error, exit 1" test $rc = 1 -a -n "$(echo "$msg" |
    grep -F "Cannot bind parameter 'Start'. Cannot convert value \"07/33/2012\" to type \"System.DateTime\". Error: \"String was not recognized as a valid DateTime.\"")"

# --- the article's line ----------------------------------------------------

printf '%s\n' "Get-MessageTrackingLog -Resultsize Unlimited -Start $today -End $tomorrow | where {\$_.Sender -eq \"alice@example.org\" -and \$_.EventID -eq \"SEND\"} | fl Sender,{\$_.Recipients},Timestamp,ConnectorId" \
    >"$tap_tmp/article.ps1"
printf '%s\n' "Get-MessageTrackingLog –Resultsize Unlimited –Start $today –End $tomorrow | where {\$_.Sender –eq “alice@example.org” –and \$_.EventID –eq “SEND”} | fl Sender,{\$_.Recipients},Timestamp,ConnectorId" \
    >"$tap_tmp/article-typo.ps1"
run_file() {
	"$HUBSH" --server "$SERVER" --control "$CONTROL" --state-dir "$STATE" \
	    -NonInteractive -File "$1" >"$2" 2>&1
}
run_file "$tap_tmp/article.ps1" "$tap_tmp/article.out"
rc=$?
OUT=$tap_tmp/article.out ERR=/dev/null
check "the article's line: two SEND records of alice, with ConnectorId Tls" \
    test $rc = 0 -a "$(grep -c '^ConnectorId *: Tls$' "$OUT")" = 2 -a \
    "$(grep -c '^Sender *: alice@example.org$' "$OUT")" = 2
check "its script block column shows the recipients" \
    grep -Eq '^\$_\.Recipients *: \{?dave@tls.test\}?$' "$OUT"
run_file "$tap_tmp/article-typo.ps1" "$tap_tmp/article-typo.out"
cmp -s "$tap_tmp/article.out" "$tap_tmp/article-typo.out"
check "typographic quotes and dashes give the same output" test $? = 0

# --- hubd stopped: the spool --------------------------------------------------

hs 'Get-MessageTrackingLog -ResultSize Unlimited | fl'
sed '/^RunspaceId/d' "$OUT" >"$tap_tmp/running.fl"
hubd_stop || tap_diag "hubd did not exit 0"
ls -la "$STATE" | awk '{ print $1, $NF }' >"$tap_tmp/state.before"
hs 'Get-MessageTrackingLog -ResultSize Unlimited | fl'
rc=$?
sed '/^RunspaceId/d' "$OUT" >"$tap_tmp/stopped.fl"
check "hubd stopped: the records are read from the spool, as hubd gave them" \
    test $rc = 0 -a -s "$tap_tmp/stopped.fl" -a \
    -z "$(diff "$tap_tmp/running.fl" "$tap_tmp/stopped.fl")"
ls -la "$STATE" | awk '{ print $1, $NF }' >"$tap_tmp/state.after"
cmp -s "$tap_tmp/state.before" "$tap_tmp/state.after"
check "reading the spool left the state directory as it was" test $? = 0
check "and with filters: -EventId DSN -Recipients carol@example.org" \
    test "$(count '-EventId DSN -Recipients carol@example.org')" = 2
check "and -Reference" test "$(count '-Reference "<m2.tracking@example.org>"')" = 2

"$HUBSH" --server "$SERVER" --control "$CONTROL" \
    --state-dir "$tap_tmp/no-such-dir" -NonInteractive \
    -Command 'Get-MessageTrackingLog' >"$tap_tmp/nostate.out" 2>&1
rc=$?
check "no hubd and no spool: hubd isn't running, exit 1, nothing created" \
    test $rc = 1 -a ! -e "$tap_tmp/no-such-dir" -a \
    -n "$(grep "isn't running" "$tap_tmp/nostate.out")"

exit $tap_failed
