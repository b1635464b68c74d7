#!/bin/bash
# queues.sh - the queues and messages of a running hubd, through its
# control channel (what Get-Queue, Retry-Queue, Suspend-Queue,
# Resume-Queue, Get-Message, Suspend-Message, Resume-Message and
# Remove-Message ask): a RequireTLS connector whose next hop refuses
# STARTTLS fills a queue in Retry, Retry-Queue drains it once the peer
# does TLS; queue numbers survive a connector change; suspended queues
# and messages hold their mail (a suspended message across a restart);
# Remove-Message with and without a non-delivery report, also for a
# recipient in flight; the Unreachable queue and Retry-Queue -Resubmit;
# unknown identities; MessageTrackingLogEnabled $false.
#
# Peers: "tlsp" on 127.0.0.2 (RequireTLS connector Secure), "home" on
# 127.0.0.1, .3 and .4 (connectors Home for the sender's domain, Hold,
# and Late, made during the test), "slow" on 127.0.0.5, which takes four
# seconds over each message and then answers 451.  Distinct addresses
# give every queue its own NextHopDomain.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd openssl
tap_plan 44

make_certs || tap_bail "certificates"
peer_start tlsp --listen 127.0.0.2:0 $(cert_opts valid) --starttls refuse ||
    tap_bail "peer tlsp"
TLSP=$PEER_PORT
peer_start home --listen 127.0.0.1:0 --listen 127.0.0.3 --listen 127.0.0.4 ||
    tap_bail "peer home"
HOME_PORT=$PEER_PORT
peer_start slow --listen 127.0.0.5:0 --delay EOM=4 \
    --reply 'EOM=451 4.3.0 Try again later' || tap_bail "peer slow"
SLOW=$PEER_PORT

connector Secure secure.test 127.0.0.2 $TLSP -RequireTLS \$true &&
    connector Home example.org 127.0.0.1 $HOME_PORT &&
    connector Hold hold.test 127.0.0.3 $HOME_PORT &&
    connector Slow slow.test 127.0.0.5 $SLOW || tap_bail "connectors"
hubd_start || tap_bail "hubd"

# Retries ten minutes apart from here on: only Retry-Queue tries again.
hubsh_run "Set-TransportService -Identity $SERVER \
    -TransientFailureRetryInterval 00:10:00 \
    -OutboundConnectionFailureRetryInterval 00:10:00" &&
    wait_for 10 grep -q 'OutboundConnectionFailureRetryInterval.*-> 00:10:00' \
    "$HUBD_LOG" || tap_bail "slow retries"

# --- helpers ---------------------------------------------------------------

# ask [name=value...]: one request; the answer in $OUT, the status in $RC.
ask() {
	OUT=$(ctl "$@")
	RC=$?
}

# field KEY VALUE NAME: the values of NAME in the records of $OUT whose
# KEY is VALUE, one per line.
field() {
	# awk -v would take the backslashes of identities as escapes.
	printf '%s\n' "$OUT" | K=$1 V=$2 N=$3 awk '
	BEGIN { k = ENVIRON["K"]; v = ENVIRON["V"]; n = ENVIRON["N"] }
	function flush(i) {
		if (hit)
			for (i = 0; i < c; i++)
				print vals[i]
		hit = 0
		c = 0
	}
	$0 == "-" || $0 == "." { flush(); next }
	{
		name = $1
		val = substr($0, length($1) + 2)
		if (name == k && val == v)
			hit = 1
		if (name == n)
			vals[c++] = val
	}
	END { flush() }'
}

# qfield HOP NAME: NAME of the queue whose NextHopDomain is HOP, now
# (used inside $(...), it leaves $OUT as it was).
qfield() {
	ask op=get-queue
	field NextHopDomain "$1" "$2"
}

# status_is KEY VALUE STATUS: (after ask) the record is in that status.
qstatus_is() { [ "$(qfield "$1" Status)" = "$2" ]; }
qcount_is() { [ "$(qfield "$1" MessageCount)" = "$2" ]; }

# reloads: how many connector store changes hubd has taken up;
# wait_reload N: until more than N.
reloads() { grep -c 'reload: connector store generation' "$HUBD_LOG"; }
wait_reload() { wait_for 10 tt_more_reloads "$1"; }
tt_more_reloads() { [ "$(reloads)" -gt "$1" ]; }

# msgid: the spool id of the message swaks just submitted.
msgid() { grep -o 'InternalId=[0-9]*' "$SWAKS_LOG" | tail -1 | cut -d= -f2; }

# mstatus ID: the Status of message ID's (first) Get-Message record.
mstatus() {
	ask op=get-message id="$1"
	printf '%s\n' "$OUT" | sed -n 's/^Status //p' | head -1
}
mstatus_is() { [ "$(mstatus "$1")" = "$2" ]; }

# error_is CATEGORY MESSAGE: the last answer was that status error.
error_is() {
	[ "$RC" = 1 ] &&
	    printf '%s\n' "$OUT" | grep -qx "category $1" &&
	    printf '%s\n' "$OUT" | grep -qxF "message $2"
}

# tracked EVENT SOURCE RCPT: tracking records of EVENT from SOURCE.
tracked() {
	spool_sql "SELECT count(*) FROM track t JOIN track_rcpt r
	    ON r.track_id = t.id WHERE t.event_id = '$1' AND t.source = '$2'
	    AND r.addr = '$3'"
}
has_tracked() { [ "$(tracked "$@")" -ge 1 ]; }

# in_spool ID: how many messages with ID the spool holds (0 or 1);
# wait_gone ID: until it holds none (5 s).
in_spool() { spool_sql "SELECT count(*) FROM messages WHERE id = $1"; }
wait_gone() { wait_for 5 tt_gone "$1"; }
tt_gone() { [ "$(in_spool "$1")" = 0 ]; }

# report_is N TEXT: home's message N is a failure report containing TEXT.
report_is() {
	[ "$(peer_msg home "$1" mail_from)" = "<>" ] &&
	    grep -q '^Action: failed' "$(peer_msg_file home "$1")" &&
	    grep -q "$2" "$(peer_msg_file home "$1")"
}

# --- Retry: a RequireTLS next hop that refuses STARTTLS ----------------------

submit --to a@secure.test --header 'Subject: first' && A=$(msgid) &&
    submit --to b@secure.test --header 'Subject: second' && B=$(msgid)
tap_result $? "two messages for the RequireTLS connector are accepted"

wait_for 15 qcount_is '[127.0.0.2]' 2 &&
    wait_for 15 qstatus_is '[127.0.0.2]' Retry
tap_result $? "their queue fills and goes to Retry"
SQ=$(qfield '[127.0.0.2]' Identity)
ask op=get-queue
[[ $SQ =~ ^$SERVER\\[0-9]+$ ]] &&
    [ "$(field Identity "$SQ" DeliveryType)" = SmartHostConnectorDelivery ] &&
    [[ $(field Identity "$SQ" NextHopConnector) =~ ^[0-9a-f-]{36}$ ]] &&
    [ "$(field Identity "$SQ" NextHopCategory)" = External ] &&
    [ "$(field Identity "$SQ" QueueIdentity)" = "$SQ" ]
tap_result $? "the queue is $SQ, SmartHostConnectorDelivery, the connector's"

LE=$(field Identity "$SQ" LastError)
WANT='451 5.7.3 STARTTLS is required to send mail'
[[ $LE == '[{LRT='*'};{LED='*"$WANT"*'};{FQDN=[127.0.0.2]};{IP=127.0.0.2}]' ]]
tap_result $? "LastError in Exchange's form says 451 5.7.3"
[ -n "$LE" ] || tap_diag "LastError: $LE"

RC1=$(field Identity "$SQ" RetryCount)
NEXT=$(field Identity "$SQ" NextRetryTime)
NOW=$(( $(date +%s) * 1000 ))
[ "${RC1:-0}" -ge 1 ] && [ "${NEXT:-0}" -gt $((NOW + 60000)) ] &&
    [ -n "$(field Identity "$SQ" FirstRetryTime)" ]
tap_result $? "RetryCount $RC1, NextRetryTime minutes ahead"

OLDEST=$(field Identity "$SQ" OldestMessageReceived)
FAILS=$(field Identity "$SQ" ConsecutiveFailures)
[ "${OLDEST:-0}" -gt 0 ] && [ "$OLDEST" -le "$NOW" ] &&
    [ "$FAILS" = "StartTlsRefused=$RC1" ] &&
    [ -z "$(field Identity "$SQ" LastDeliveryTime)" ] &&
    HUBSH_CONTROL=$CONTROL hubsh_run "Get-Queue '$SQ' | ForEach-Object {
	\$_.OldestMessageAge.GetType().Name; \$_.OldestMessageAge -ge [timespan]0
	\$_.ConsecutiveFailures; \$_.LastDeliveryTime -eq \$null }" &&
    [ "$(tr -d '\r' <"$HUBSH_LOG" | tr '\n' ' ')" = "TimeSpan True StartTlsRefused=$RC1 True " ]
tap_result $? "queue health: the oldest message's age, StartTlsRefused=$RC1, no delivery yet" ||
    tap_diag "oldest $OLDEST, failures $FAILS; $(cat "$HUBSH_LOG")"

ask op=get-message queue="$SQ"
[ "$(field Identity "$SQ\\$A" Status)" = Retry ] &&
    [ "$(field Identity "$SQ\\$A" Queue)" = "$SQ" ] &&
    [ "$(field Identity "$SQ\\$A" FromAddress)" = sender@example.org ] &&
    [ "$(field Identity "$SQ\\$A" Subject)" = first ] &&
    field Identity "$SQ\\$A" Recipients |
    grep -q '^a@secure.test;Retry;451 4.4.0 ' &&
    [ -n "$(field Identity "$SQ\\$B" Identity)" ]
tap_result $? "Get-Message shows both, Status Retry, with the recipient's error"

CONNS=$(peer_stat tlsp connections)
ask op=retry-queue id="$SQ"
more_retries() { [ "$(qfield '[127.0.0.2]' RetryCount)" -gt "$RC1" ]; }
[ "$RC" = 0 ] && wait_for 10 more_retries &&
    [ "$(peer_stat tlsp connections)" -gt "$CONNS" ]
tap_result $? "Retry-Queue connects at once (RetryCount grows)"

# A connector change while the messages wait: same queue, same state.
GEN=$(reloads)
hubsh_run "Set-SendConnector Secure -Comment 'changed while mail waits'" &&
    wait_reload "$GEN"
sleep 1
ask op=get-queue
[ "$(field NextHopDomain '[127.0.0.2]' Identity)" = "$SQ" ] &&
    [ "$(field Identity "$SQ" MessageCount)" = 2 ] &&
    [ "$(field Identity "$SQ" RetryCount)" -gt "$RC1" ]
tap_result $? "after Set-SendConnector the queue keeps its identity and state"

# Unknown identities, and what Retry-Queue refuses.
ask op=retry-queue id="$SERVER\\999"
error_is ObjectNotFound "The queue \"$SERVER\\999\" could not be found."
tap_result $? "an unknown queue: ObjectNotFound"
ask op=suspend-message id=999999
error_is ObjectNotFound "The message \"$SERVER\\*\\999999\" could not be found."
tap_result $? "an unknown message: ObjectNotFound"
ask op=remove-message id="$A" queue="$SERVER\\Submission"
error_is ObjectNotFound \
    "The message \"$SERVER\\Submission\\$A\" could not be found."
tap_result $? "a message asked for in a queue it is not in: ObjectNotFound"
ask op=retry-queue id="OTHER\\Submission"
error_is ObjectNotFound "The queue \"OTHER\\Submission\" could not be found."
tap_result $? "another server's queue: ObjectNotFound"
ask op=retry-queue id="$SERVER\\Submission"
[ "$RC" = 1 ] && printf '%s\n' "$OUT" | grep -qx 'category InvalidOperation'
tap_result $? "Retry-Queue on Submission: InvalidOperation"

# The peer learns TLS: Retry-Queue drains the queue.
peer_stop tlsp
peer_start tlsp --listen "127.0.0.2:$TLSP" $(cert_opts valid) ||
    tap_bail "peer tlsp again"
ask op=retry-queue id="$SQ"
[ "$RC" = 0 ] && wait_for 10 qcount_is '[127.0.0.2]' 0 &&
    peer_wait_messages tlsp 2 5 &&
    [ "$(peer_msg tlsp 1 tls)" = yes ] && [ "$(peer_msg tlsp 2 tls)" = yes ]
tap_result $? "after Retry-Queue the queue drains within seconds, over TLS"
ask op=get-queue
TLSW=$(field Identity "$SQ" LastDeliveryTls)
[ "$(field Identity "$SQ" LastDeliveryTime)" -ge "$NOW" ] &&
    [[ $TLSW == "TLSv1."[23]", EncryptionOnly, CN=mx1.example.test, 127.0.0.2:$TLSP" ]] &&
    [ -z "$(field Identity "$SQ" ConsecutiveFailures)" ] &&
    [ -z "$(field Identity "$SQ" OldestMessageReceived)" ]
tap_result $? "queue health: the last delivery and its TLS, failures over" ||
    tap_diag - <<<"$OUT"
ask op=get-queue
[ "$(field Identity "$SQ" RetryCount)" = 0 ] &&
    [ -z "$(field Identity "$SQ" NextRetryTime)" ] &&
    field Identity "$SQ" LastError | grep -q '451 5.7.3'
tap_result $? "the queue is out of Retry; its LastError stays visible"

# --- Suspend-Queue, Resume-Queue ---------------------------------------------

submit --to first@hold.test && peer_wait_messages home 1 10
HQ=$(qfield '[127.0.0.3]' Identity)
tap_result $? "mail to hold.test flows through queue $HQ"
N=$(peer_count home)
ask op=suspend-queue id="$HQ"
[ "$RC" = 0 ] && submit --to h1@hold.test && submit --to h2@hold.test &&
    wait_for 10 qcount_is '[127.0.0.3]' 2 && sleep 2 &&
    [ "$(peer_count home)" = "$N" ] && qstatus_is '[127.0.0.3]' Suspended
tap_result $? "a suspended queue holds its mail (Status Suspended, 2 messages)"
ask op=resume-queue id="$HQ"
[ "$RC" = 0 ] && peer_wait_messages home $((N + 2)) 10 &&
    wait_for 5 qcount_is '[127.0.0.3]' 0
tap_result $? "Resume-Queue delivers them"

# --- Suspend-Message, Resume-Message (and a restart) --------------------------

ask op=suspend-queue id="$HQ"
submit --to m1@hold.test --header 'Subject: held' && M=$(msgid) &&
    submit --to m2@hold.test
ask op=suspend-message id="$M"
[ "$RC" = 0 ] && mstatus_is "$M" Suspended
tap_result $? "Suspend-Message: message $M is Suspended"
ask op=suspend-message id="$SERVER\\$(echo "$HQ" | cut -d\\ -f2)\\$M"
[ "$RC" = 0 ]
tap_result $? "suspending it again by its full identity is not an error"
N=$(peer_count home)
ask op=resume-queue id="$HQ"
peer_wait_messages home $((N + 1)) 10 && sleep 2 &&
    [ "$(peer_count home)" = $((N + 1)) ] && mstatus_is "$M" Suspended
tap_result $? "the queue resumed delivers the other message, not that one"

hubd_stop
tap_result $? "hubd stops with a suspended message in the spool"
hubd_start && sleep 2
[ "$(spool_sql "SELECT suspended FROM messages WHERE id = $M")" = 1 ] &&
    mstatus_is "$M" Suspended && [ "$(peer_count home)" = $((N + 1)) ]
tap_result $? "after a restart the message is still suspended, not delivered"
# hubd_start set one-second retries again: that is fine from here on.
ask op=resume-message id="$M"
[ "$RC" = 0 ] && peer_wait_messages home $((N + 2)) 10 &&
    wait_gone "$M"
tap_result $? "Resume-Message delivers it"

# --- Remove-Message -----------------------------------------------------------

HQ=$(qfield '[127.0.0.3]' Identity)	# numbers start again at a restart
ask op=suspend-queue id="$HQ"
N=$(peer_count home)
submit --to r1@hold.test --header 'Subject: remove me' && R1=$(msgid)
ask op=remove-message id="$R1"
[ "$RC" = 0 ] && wait_gone "$R1"
tap_result $? "Remove-Message takes message $R1 out of the spool"
wait_track FAIL r1@hold.test 10 && has_tracked FAIL ADMIN r1@hold.test &&
    track_status FAIL r1@hold.test |
    grep -qx '550 4.3.2 QUEUE.Admin; message deleted by administrative action'
tap_result $? "a FAIL record, Source ADMIN, 550 4.3.2 QUEUE.Admin"
peer_wait_messages home $((N + 1)) 10 && report_is $((N + 1)) 'QUEUE.Admin'
tap_result $? "the sender gets a report (WithNDR defaults to \$true)"

N=$(peer_count home)
submit --to r2@hold.test && R2=$(msgid)
ask op=remove-message id="$R2" with-ndr=0
[ "$RC" = 0 ] && wait_track FAIL r2@hold.test 10 &&
    has_tracked FAIL ADMIN r2@hold.test && [ "$(in_spool "$R2")" = 0 ] &&
    sleep 2 && [ "$(peer_count home)" = "$N" ]
tap_result $? "with-ndr 0: removed and tracked, no report"
ask op=resume-queue id="$HQ"

# A recipient in flight: PendingRemove, removed when its attempt fails.
N=$(peer_count home)
submit --to s@slow.test && S=$(msgid)
wait_for 10 mstatus_is "$S" Active
tap_result $? "a message being sent is Active"
ask op=remove-message id="$S"
[ "$RC" = 0 ] && mstatus_is "$S" PendingRemove
tap_result $? "removing it makes it PendingRemove"
wait_track FAIL s@slow.test 15 && has_tracked FAIL ADMIN s@slow.test &&
    has_tracked DEFER SMTP s@slow.test && [ "$(in_spool "$S")" = 0 ] &&
    peer_wait_messages home $((N + 1)) 10 && report_is $((N + 1)) 'QUEUE.Admin'
tap_result $? "when its attempt comes back 451 it is removed, with a report"

# --- Unreachable, and Retry-Queue -Resubmit -----------------------------------

ask op=suspend-queue id=Unreachable
submit --to u@nowhere.test --header 'Subject: no route' && U=$(msgid)
ask op=get-queue
[ "$(field Identity "$SERVER\\Unreachable" MessageCount)" = 1 ] &&
    [ "$(field Identity "$SERVER\\Unreachable" DeliveryType)" = Unreachable ] &&
    [ "$(field Identity "$SERVER\\Unreachable" NextHopDomain)" = \
    'Unreachable Domain' ] &&
    [ "$(field Identity "$SERVER\\Unreachable" Status)" = Suspended ]
tap_result $? "mail for a domain without a connector waits in Unreachable"
ask op=get-message queue=Unreachable
[ "$(field Identity "$SERVER\\Unreachable\\$U" Subject)" = 'no route' ]
tap_result $? "Get-Message -Queue Unreachable lists it"

N=$(peer_count home)
GEN=$(reloads)
connector Late nowhere.test 127.0.0.4 $HOME_PORT && wait_reload "$GEN"
sleep 2
[ "$(peer_count home)" = "$N" ]
tap_result $? "a suspended Unreachable queue stays put on a connector change"
ask op=retry-queue id="$SERVER\\Unreachable"
[ "$RC" = 1 ] && printf '%s\n' "$OUT" | grep -qx 'category InvalidOperation'
tap_result $? "Retry-Queue on Unreachable without Resubmit: InvalidOperation"
ask op=retry-queue id="$SERVER\\Unreachable" resubmit=1
[ "$RC" = 0 ] && peer_wait_messages home $((N + 1)) 10 &&
    [ "$(peer_msg home $((N + 1)) rcpt)" = u@nowhere.test ] &&
    [ "$(qfield '[127.0.0.4]' MessageCount)" = 0 ]
tap_result $? "Retry-Queue -Resubmit routes it with the new connector"
ask op=resume-queue id="$SERVER\\Unreachable"
ask op=get-queue
[ -z "$(field Identity "$SERVER\\Unreachable" Identity)" ] &&
    [ "$(field Identity "$SERVER\\Submission" MessageCount)" = 0 ] &&
    [ "$(field Identity "$SERVER\\Submission" DeliveryType)" = Undefined ]
tap_result $? "an empty Unreachable queue is not listed; Submission always is"

# Suspend-Queue on Poison is refused; Submission can be suspended.
ask op=suspend-queue id=Poison
[ "$RC" = 1 ] && printf '%s\n' "$OUT" | grep -qx 'category InvalidOperation'
tap_result $? "Suspend-Queue on Poison: InvalidOperation"
N=$(peer_count home)
ask op=suspend-queue id=Submission
submit --to sub@hold.test && SU=$(msgid) && sleep 1
ask op=get-queue
[ "$(field Identity "$SERVER\\Submission" MessageCount)" = 1 ] &&
    [ "$(field Identity "$SERVER\\Submission" Status)" = Suspended ] &&
    mstatus_is "$SU" Ready
tap_result $? "a suspended Submission queue keeps new mail unrouted"
ask op=resume-queue id=Submission
peer_wait_messages home $((N + 1)) 10
tap_result $? "Resume-Queue Submission routes and delivers it"

# --- Rates and tracking off -----------------------------------------------

ask op=get-queue
Q=$HQ awk '$1 == "Identity" { id = $2 }
    id == ENVIRON["Q"] && $1 == "OutgoingRate" &&
    $2 ~ /^[0-9]+\.[0-9]$/ && $2 > 0 { ok = 1 }
    END { exit !ok }' <<<"$OUT"
tap_result $? "OutgoingRate counts the messages sent in the last minute"

hubsh_run "Set-TransportService -Identity $SERVER \
    -MessageTrackingLogEnabled \$false" &&
    wait_for 10 grep -q 'MessageTrackingLogEnabled' "$HUBD_LOG"
ROWS=$(spool_sql "SELECT count(*) FROM track")
N=$(peer_count home)
submit --to quiet@hold.test && peer_wait_messages home $((N + 1)) 10 &&
    sleep 1 &&
    [ "$(spool_sql "SELECT count(*) FROM track")" = "$ROWS" ]
tap_result $? "MessageTrackingLogEnabled \$false: mail flows, untracked"

exit $tap_failed
