#!/bin/bash
# queue.sh - the queue cmdlets against a running hubd: Get-Queue,
# Retry-, Suspend- and Resume-Queue, Get-Message, Suspend-, Resume- and
# Remove-Message, over hubd's control channel.
#
# A real peer on loopback, "secure" (the MX of secure.test, served by
# unbound), refuses STARTTLS while the connector Secure (secure.test, DNS
# routing) requires TLS: three messages fill its queue, which goes to
# Retry with LastError 451 5.7.3.  Retries are ten minutes apart,
# so nothing moves unless a cmdlet moves it.  Then: -Filter, the identity
# forms, the default table and fl, Get-Message and -IncludeRecipientInfo,
# a message suspended and resumed, two removed (one with a non-delivery
# report to the "home" peer, one without), the queue suspended and
# resumed; finally the peer accepts STARTTLS and Retry-Queue drains the
# queue at once.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd openssl unbound
tap_plan 43

: "${CONTROL:=$tap_tmp/run/hubd.sock}"
export HUBSH_CONTROL=$CONTROL

# hs TEXT: TEXT run by hubsh on the test store, never prompting; its
# output (both streams) on standard output, its status hubsh's.
hs() {
	"$HUBSH" --server "$SERVER" -NonInteractive -Command "$1" 2>&1 \
	    </dev/null
}

# has OUTPUT PATTERN: OUTPUT has a line matching PATTERN (grep -E); on
# failure OUTPUT goes out as TAP comments.
has() {
	grep -Eq -- "$2" <<<"$1" && return 0
	tap_diag "no line matches: $2"
	tap_diag - <<<"$1"
	return 1
}

make_certs >/dev/null || tap_bail "certificates"
peer_start secure $(cert_opts valid) --starttls refuse ||
    tap_bail "peer secure"
SECURE_PORT=$PEER_PORT
peer_start home || tap_bail "peer home"
HOME_PORT=$PEER_PORT

dns_start "secure.test. MX 10 mx1.example.test." \
    "mx1.example.test. A 127.0.0.1" || tap_bail "dns"
hubsh_run "New-SendConnector -Name Secure -Usage Custom \
    -AddressSpaces 'secure.test' -Port $SECURE_PORT -RequireTLS \$true | Out-Null
New-SendConnector -Name Home -Usage Custom -AddressSpaces 'example.org' \
    -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled \$false -Port $HOME_PORT | Out-Null" ||
    tap_bail "connectors"
hubd_start || tap_bail "hubd"
# Ten minutes between attempts: only Retry-Queue makes the next one soon.
hubsh_run "Set-TransportService -Identity $SERVER \
    -TransientFailureRetryInterval 00:10:00 \
    -OutboundConnectionFailureRetryInterval 00:10:00" ||
    tap_bail "retry intervals"
tt_slow() {
	grep -q 'OutboundConnectionFailureRetryInterval.* -> 00:10:00' \
	    "$HUBD_LOG"
}
wait_for 10 tt_slow || tap_diag "no reload of the retry intervals seen"

for n in 1 2 3; do
	submit --from "alice$n@example.org" --to "r$n@secure.test" \
	    --header "Subject: queued $n" >/dev/null || tap_bail "submit $n"
done

# --- the queue in Retry ----------------------------------------------------------

tt_three() {
	[ "$(hs "(Get-Queue -Filter \"NextHopDomain -eq 'secure.test'\").MessageCount")" = 3 ] &&
	    [ "$(track_count DEFER r3@secure.test)" -ge 1 ]
}
wait_for 20 tt_three
tap_result $? "three messages wait in the Secure queue"

out=$(hs 'Get-Queue -Filter "MessageCount -gt 0" | fl')
has "$out" '^Status +: Retry$' && has "$out" '^MessageCount +: 3$' &&
    has "$(hs '(Get-Queue -Filter "MessageCount -gt 0").LastError')" \
    '451 5\.7\.3 STARTTLS is required to send mail'
tap_result $? "Get-Queue | fl: Status Retry, LastError 451 5.7.3, MessageCount 3"
has "$out" '^RunspaceId +: [0-9a-f-]{36}$' &&
    has "$out" '^DeliveryType +: DnsConnectorDelivery$' &&
    has "$out" '^NextHopDomain +: secure.test$' &&
    has "$out" '^NextHopCategory +: External$' &&
    has "$out" '^MessageCountsPerPriority +: \{0, 3, 0, 0\}$' &&
    has "$out" '^PriorityDescriptions +: \{High, Normal, Low, None\}$' &&
    has "$out" '^IsValid +: True$' && has "$out" '^ObjectState +: New$' &&
    has "$out" '^NextRetryTime +: [0-9]+/[0-9]+/[0-9]{4} '
tap_result $? "Get-Queue | fl: the other properties, dates as dates"
order=$(awk -F' *:' '/^[A-Za-z]/ { printf "%s,", $1 }' <<<"$out")
want="RunspaceId,DeliveryType,NextHopDomain,TlsDomain,NextHopConnector,"
want+="Status,MessageCount,LastError,RetryCount,LastRetryTime,NextRetryTime,"
want+="FirstRetryTime,DeferredMessageCount,LockedMessageCount,"
want+="MessageCountsPerPriority,DeferredMessageCountsPerPriority,RiskLevel,"
want+="OutboundIPPool,NextHopCategory,IncomingRate,OutgoingRate,Velocity,"
want+="OverrideSource,QueueIdentity,PriorityDescriptions,"
# hubsh's queue health (doc/operations.md), then Exchange's last three.
want+="OldestMessageAge,LastDeliveryTime,LastDeliveryTls,ConsecutiveFailures,"
want+="Identity,IsValid,ObjectState,"
[ "$order" = "$want" ]
tap_result $? "Get-Queue | fl: the 2013+ property order (got $order)"

qid=$(hs '(Get-Queue -Filter "MessageCount -gt 0").Identity')
qnum=${qid##*\\}
[[ $qid =~ ^EX01\\[0-9]+$ ]]
tap_result $? "a delivery queue's identity is SERVER\\number ($qid)"

out=$(hs 'Get-Queue')
has "$out" '^Identity +DeliveryType +Status +MessageCount +Velocity +RiskLevel +OutboundIPPool +NextHopDomain *$' &&
    has "$out" "^EX01\\\\$qnum +DnsConnectorDelivery +Retry +3 .* secure.test *\$" &&
    has "$out" '^EX01\\Submission +Undefined +Ready +0 '
tap_result $? "Get-Queue: the default table, delivery queue first, then Submission"

# -Filter: the combination of the task, then others.
f="MessageCount -gt 0 -and Status -eq 'Retry'"
[ "$(hs "@(Get-Queue -Filter \"$f\").Identity")" = "$qid" ]
tap_result $? "Get-Queue -Filter \"$f\": that queue"
f="MessageCount -gt 3 -or Status -eq 'Suspended'"
[ "$(hs "@(Get-Queue -Filter \"$f\").Count")" = 0 ]
tap_result $? "Get-Queue -Filter with -or: none"
f="-not(DeliveryType -eq 'Undefined') -and LastError -like '*5.7.3*'"
[ "$(hs "@(Get-Queue -Filter \"$f\").Identity; @(Get-Queue -Filter {MessageCount -ge 3}).Identity")" = "$qid
$qid" ]
tap_result $? "Get-Queue -Filter with -not and -like; a script block filter"
[ "$(hs '@(Get-Queue -Exclude Empty).Count; @(Get-Queue -Include Internal).Identity')" = "1
EX01\\Submission" ]
tap_result $? "Get-Queue -Exclude Empty, -Include Internal"
out=$(hs "(Get-Queue -SortOrder '-MessageCount')[0].Identity; (Get-Queue -SortOrder +MessageCount -ResultSize 1).Identity")
has "$out" "^EX01\\\\$qnum\$" && has "$out" '^EX01\\Submission$' &&
    has "$out" '^WARNING: There are more results available than are currently displayed\. To view them, increase the value for the ResultSize parameter\.$' &&
    [ "$(wc -l <<<"$out")" = 3 ]
tap_result $? "Get-Queue -SortOrder, -ResultSize with Exchange's warning"

# Identity forms.
[ "$(hs "(Get-Queue EX01\\$qnum).MessageCount; (Get-Queue $qnum).MessageCount; (Get-Queue EX01\\secure.test).MessageCount; (Get-Queue -Identity ex01\\submission).Identity; @(Get-Queue 'EX01\\*').Count")" = "3
3
3
EX01\\Submission
2" ]
tap_result $? "Get-Queue identities: number, without server, next-hop domain, Submission, *"
out=$(hs 'Get-Queue EX02\Submission')
[ $? -ne 0 ] && has "$out" "object 'EX02\\\\Submission' couldn't be found on 'EX01'"
tap_result $? "Get-Queue of another server: not found, status 1"
out=$(hs 'Get-Queue EX01\none.test; "n=$(@(Get-Queue EX01\none.test).Count)"')
[ "$out" = "n=0" ]
tap_result $? "Get-Queue of a queue that does not exist: nothing"

# --- messages --------------------------------------------------------------------

out=$(hs "Get-Message -Queue EX01\\$qnum")
has "$out" '^Identity +FromAddress +Status +Queue +Subject *$' &&
    [ "$(grep -c "^EX01\\\\$qnum\\\\[0-9]* *alice[123]@example.org *Retry *EX01\\\\$qnum *queued [123]" <<<"$out")" = 3 ]
tap_result $? "Get-Message -Queue: the default table, three messages in Retry"
mids=($(hs "(Get-Message -Queue EX01\\$qnum -SortOrder +Subject).Identity"))
m1=${mids[0]} m2=${mids[1]} m3=${mids[2]}
[ ${#mids[@]} = 3 ] && [[ $m1 =~ ^EX01\\$qnum\\[0-9]+$ ]]
tap_result $? "message identities are SERVER\\queue\\number ($m1 $m2 $m3)"

out=$(hs "Get-Message $m1 | fl")
has "$out" '^FromAddress +: alice1@example.org$' &&
    has "$out" '^Subject +: queued 1$' && has "$out" '^Size +: [0-9.]+ [KB]+ \([0-9,]+ bytes\)$' &&
    has "$out" "^Queue +: EX01\\\\$qnum\$" &&
    has "$out" '^Recipients +: \{\}$' &&
    has "$out" '^LastError +: .*451 5\.7\.3'
tap_result $? "Get-Message | fl: the message, Recipients empty without -IncludeRecipientInfo"
order=$(awk -F' *:' '/^[A-Za-z]/ { printf "%s,", $1 }' <<<"$out")
want="RunspaceId,FromAddress,Status,Size,SCL,Subject,DateReceived,"
want+="ExpirationTime,LastError,Queue,Recipients,RetryCount,SourceIP,"
want+="MessageSourceName,InternetMessageId,DeferReason,Directionality,"
want+="Priority,MessageLatency,OriginalFromAddress,Identity,IsValid,"
want+="ObjectState,"
[ "$order" = "$want" ]
tap_result $? "Get-Message | fl: the property order (got $order)"
out=$(hs "Get-Message $m1 -IncludeRecipientInfo | fl Recipients")
has "$out" '^Recipients : \{r1@secure.test;Retry;.*451 5\.7\.3'
tap_result $? "Get-Message -IncludeRecipientInfo: address, status and last error"
out=$(hs "(Get-Message -Filter \"Subject -eq 'queued 2'\").Identity; (Get-Queue EX01\\$qnum | Get-Message -SortOrder '-Subject')[0].Subject; @(Get-Message -Filter \"FromAddress -like 'alice*' -and Size -gt 100\").Count; @(Get-Message -Filter 'Size -gt 1MB').Count")
[ "$out" = "$m2
queued 3
3
0" ] || { tap_diag - <<<"$out"; false; }
tap_result $? "Get-Message -Filter, Get-Queue | Get-Message, -SortOrder"
out=$(hs "Get-Message EX01\\$qnum\\999999")
[ $? -ne 0 ] && has "$out" 'Get-Message : The message "EX01\\'"$qnum"'\\999999" could not be found'
tap_result $? "Get-Message of a message that does not exist: hubd's error"

# Suspend-Message asks for confirmation by default, as Exchange.
out=$(hs "Suspend-Message $m1")
[ $? -ne 0 ] && has "$out" 'Confirmation is required' &&
    [ "$(hs "(Get-Message $m1).Status")" = Retry ]
tap_result $? "Suspend-Message without -Confirm:\$false: refused, nothing suspended"
out=$(hs "Suspend-Message $m1 -Confirm:\$false")
[ $? = 0 ] && [ -z "$out" ] && [ "$(hs "(Get-Message $m1).Status")" = Suspended ]
tap_result $? "Suspend-Message: silent, the message is Suspended"
out=$(hs "Get-Message $m1 | Resume-Message")
[ $? = 0 ] && [ -z "$out" ] && [ "$(hs "(Get-Message $m1).Status")" = Retry ]
tap_result $? "Get-Message | Resume-Message: back in Retry"

out=$(hs "Remove-Message $m2 -WhatIf")
[ "$out" = "What if: Removing message \"$m2\"." ] &&
    [ "$(hs "@(Get-Message $m2).Count")" = 1 ]
tap_result $? "Remove-Message -WhatIf: says so, removes nothing"
out=$(hs "Remove-Message $m2 -Confirm:\$false")
[ $? = 0 ] && [ -z "$out" ]
tap_result $? "Remove-Message (WithNDR by default): silent"
out=$(hs "Remove-Message -Identity $m3 -WithNDR \$false -Confirm:\$false")
[ $? = 0 ] && [ -z "$out" ]
tap_result $? "Remove-Message -WithNDR \$false: silent"
tt_removed() { [ "$(hs "(Get-Queue EX01\\$qnum).MessageCount")" = 1 ]; }
wait_for 10 tt_removed
tap_result $? "the queue holds one message after the removals"
peer_wait_messages home 1 15 &&
    [ "$(peer_msg home 1 mail_from)" = "<>" ] &&
    [ "$(peer_msg home 1 rcpt)" = alice2@example.org ]
tap_result $? "the sender of the message removed with an NDR gets it"
sleep 1
[ "$(peer_count home)" = 1 ]
tap_result $? "the sender of the one removed without gets nothing"

# --- the queue -----------------------------------------------------------------

out=$(hs "Suspend-Queue EX01\\$qnum")
[ $? -ne 0 ] && has "$out" 'Confirmation is required' &&
    [ "$(hs "(Get-Queue EX01\\$qnum).Status")" = Retry ]
tap_result $? "Suspend-Queue without -Confirm:\$false: refused"
out=$(hs "Suspend-Queue -Identity EX01\\$qnum -Confirm:\$false")
[ $? = 0 ] && [ -z "$out" ] && [ "$(hs "(Get-Queue EX01\\$qnum).Status")" = Suspended ]
tap_result $? "Suspend-Queue: silent, the queue is Suspended"
[ "$(hs '(Get-Queue -Filter "Status -eq ''Suspended''").Identity')" = "$qid" ]
tap_result $? "Get-Queue -Filter finds the suspended queue"
out=$(hs 'Resume-Queue -Filter "Status -eq ''Suspended''"')
[ $? = 0 ] && [ -z "$out" ] && [ "$(hs "(Get-Queue EX01\\$qnum).Status")" = Retry ]
tap_result $? "Resume-Queue -Filter: silent, the queue is back in Retry"
out=$(hs 'Get-Queue -Filter "MessageCount -gt 0" | Suspend-Queue -Confirm:$false; (Get-Queue secure.test).Status; Resume-Queue -Identity '"$qnum"'; (Get-Queue secure.test).Status')
[ "$out" = "Suspended
Retry" ] || { tap_diag - <<<"$out"; false; }
tap_result $? "Get-Queue | Suspend-Queue, Resume-Queue without the server"
out=$(hs 'Retry-Queue EX01\none.test')
[ $? -ne 0 ] && has "$out" 'Retry-Queue : The queue "EX01\\none.test" could not be found\.'
tap_result $? "Retry-Queue of a queue that does not exist: hubd's error"
out=$(hs 'Retry-Queue EX01\*')
[ $? -ne 0 ] && has "$out" "The identity 'EX01\\\\\\*' matches more than one queue"
tap_result $? "Retry-Queue of a wildcard that matches two queues: refused"

# --- the peer accepts: Retry-Queue drains the queue ---------------------------------

peer_stop secure
peer_start secure --listen "127.0.0.1:$SECURE_PORT" $(cert_opts valid) ||
    tap_bail "peer secure again"
[ "$(peer_count secure)" = 0 ] && [ "$(hs "(Get-Queue EX01\\$qnum).Status")" = Retry ]
tap_result $? "nothing is delivered before Retry-Queue (next retry in ten minutes)"
out=$(hs "Retry-Queue -Identity EX01\\$qnum")
[ $? = 0 ] && [ -z "$out" ]
tap_result $? "Retry-Queue: silent"
peer_wait_messages secure 1 15 && [ "$(peer_msg secure 1 tls)" = yes ] &&
    [ "$(peer_msg secure 1 rcpt)" = r1@secure.test ]
tap_result $? "the message left at once, inside TLS"
tt_drained() { [ "$(hs '@(Get-Message).Count')" = 0 ]; }
wait_for 10 tt_drained
tap_result $? "the queue is empty"

hubd_stop
tap_result $? "hubd stops cleanly"
out=$(hs 'Get-Queue')
[ $? -ne 0 ] && has "$out" "The transport service \\(hubd\\) isn't running"
tap_result $? "with hubd stopped, Get-Queue says hubd isn't running"
exit 0
