#!/bin/bash
# corpus.sh - public admin scripts, run verbatim, against real components.
#
# Every tests/corpus/scripts/NN-name.ps1 is a script or one-liner copied
# unchanged from a public source (its header says which;
# tests/corpus/README.md says how the corpus is kept).  Each runs as a
# batch file in a directory of its own, W/x/y,
#
#	hubsh --store S --server SERVER --control C -NonInteractive -File NN-name.ps1 [args]
#
# on a fresh store S, and what it prints (both streams), "exit=N", the
# Send connectors it left in the store (Get-SendConnector | Sort-Object
# Name | Format-List with the settings scripts change), the queues and
# messages of its hubd when it acts on them, the transport settings
# when it uses Set-TransportService (or starts with Get-TransportService)
# and the files it wrote in W, each with its text, must equal NN-name.out
# after the filter below.  SERVER is the name the script uses (Server1,
# Mailbox01, EX1...; server_of below).
#
# What a script needs is made for real:
#   - connectors, settings, queue states: NN-name.setup.ps1, run by hubsh
#     on the same store and hubd first (it must print nothing, exit 0);
#   - a file that only defines functions runs through NN-name.call.ps1,
#     which dot-sources it and calls them as their help says;
#   - arguments: NN-name.args, one a line (@W@ stands for W); the
#     environment: NN-name.env, NAME=VALUE lines (HOME is W);
#   - files: the tree NN-name.files/, copied into W (helpers that a
#     script dot-sources from ..\Shared or ..\..\Helpers, directories for
#     the Windows paths it writes: "C:\x\y.csv" is the relative path
#     C:/x/y.csv to hubsh); a file whose name ends in ".utf16" is written
#     as UTF-16 LE with a byte order mark, under its name without it;
#   - queues, messages and tracking records: a real hubd on loopback for
#     each server name the queue scripts use (Server1, Mailbox01,
#     Server01; a script that names none talks to Server1's), each
#     started once for the whole test, with real traffic sent through it
#     by swaks and client.py: mail for contoso.com, fourthcoffee.com and
#     bulk.fabrikam.com (101 messages; DNS routed, unbound answering the
#     MX) goes to a peer that answers the greeting with 421, so it waits
#     in queues in Retry; mail for tailspintoys.com to one that accepts;
#     for adatum.com to one that refuses the recipient (FAIL, and a report
#     to the sender); for nowhere.test to no connector (Unreachable).
#     Retries are ten minutes apart: nothing moves unless a script moves
#     it.  Scripts run in order and see what earlier ones left in their
#     hubd.
#
# A script whose output is not yet what Windows PowerShell 5.1 and
# Exchange print has NN-name.xfail, whose first line says why and the
# rest where: its NN-name.out holds the output it must print (when that
# can be written yet; without one the result is "no expected output"),
# and its result is "not ok ... # TODO": a known failure, counted as
# XFAIL, and as an error (XPASS) once it passes, so the .xfail must then
# go.
#
# The filter (normalise below) replaces what changes from run to run:
# the script's directory by <W> (and its first 15 characters before
# "...", where a long path is shortened), the test's directory by <T>,
# the peers' ports by <accept>, <defer> and <refuse>; GUIDs (RunspaceId,
# NextHopConnector) by <guid>; dates and times ("12/5/2025 3:04:05 PM",
# a date in a file name) by <date>, a day's name and short date in a CSV
# line ("Sunday,11/29/2026,") by "<day>,<date>,"; the message rates of
# Get-Queue (IncomingRate, OutgoingRate, Velocity: messages a second over
# the last minute, which fall as the test goes on) by <rate>;
# MessageLatency by <latency>; a queue's OldestMessageAge by <age>.
#
# CORPUS_UPDATE=1 rewrites the .out of every script without .xfail from
# what it printed (then read every line); CORPUS_ONLY=NN[,NN...] runs
# only those scripts (the hubds are still all made).

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need swaks aiosmtpd unbound

dir=$top_srcdir/tests/corpus/scripts
scripts=()
for f in "$dir"/[0-9][0-9]-*.ps1; do
	case $f in *.setup.ps1|*.call.ps1) continue ;; esac
	if [ -n "${CORPUS_ONLY:-}" ]; then
		case ,$CORPUS_ONLY, in *,"$(basename "$f" | cut -c1-2)",*) ;;
		*) continue ;; esac
	fi
	scripts+=("$f")
done
tap_plan ${#scripts[@]}

# --- the mail world: peers, DNS, a hubd per server name -------------------------

peer_start accept || tap_bail "peer accept"
ACCEPT=$PEER_PORT
peer_start defer --listen 127.0.0.2:0 \
    --reply 'CONNECT=421 4.3.2 Service not available' ||
    tap_bail "peer defer"
DEFER=$PEER_PORT
peer_start refuse --listen 127.0.0.3:0 \
    --reply 'RCPT=550 5.1.1 User unknown' ||
    tap_bail "peer refuse"
REFUSE=$PEER_PORT
dns_start "contoso.com. MX 10 mail.contoso.com." \
    "mail.contoso.com. A 127.0.0.2" \
    "fourthcoffee.com. MX 10 mail.fourthcoffee.com." \
    "mail.fourthcoffee.com. A 127.0.0.2" \
    "bulk.fabrikam.com. MX 10 mail.fabrikam.com." \
    "mail.fabrikam.com. A 127.0.0.2" || tap_bail "dns"

declare -A w_control=() w_state=() w_port=()

# world NAME: a store with the world's connectors, hubd as server NAME
# (retries ten minutes apart, one session per destination), and the
# traffic every world gets.  The connectors of the domains that wait are
# off while the mail comes in, so that all of it waits in the Unreachable
# queue; turned on one after the other, each takes its messages to its
# queue at once, in one attempt (a queue in Retry tries again whenever a
# message arrives: one by one, the attempts, RetryCount and the order of
# the DEFER records would depend on timing).  Message numbers are those
# of arrival: 3 is the one for nowhere.test, which stays Unreachable.
world() {
	local c
	SERVER=$1
	STORE=$tap_tmp/world-$1.db
	STATE=$tap_tmp/state-$1
	CONTROL=$tap_tmp/run/$1.sock
	export HUBSH_STORE=$STORE
	hubsh_run "New-SendConnector -Name Contoso -Usage Custom \
	    -AddressSpaces contoso.com -Port $DEFER -Enabled \$false | Out-Null
New-SendConnector -Name Coffee -Usage Custom -AddressSpaces fourthcoffee.com \
    -Port $DEFER -Enabled \$false | Out-Null
New-SendConnector -Name Bulk -Usage Custom -AddressSpaces bulk.fabrikam.com \
    -Port $DEFER -Enabled \$false | Out-Null
New-SendConnector -Name Partners -Usage Custom \
    -AddressSpaces tailspintoys.com,example.org -SmartHosts '[127.0.0.1]' \
    -DNSRoutingEnabled \$false -Port $ACCEPT | Out-Null
New-SendConnector -Name Adatum -Usage Custom -AddressSpaces adatum.com \
    -SmartHosts '[127.0.0.3]' -DNSRoutingEnabled \$false -Port $REFUSE | Out-Null" ||
	    return 1
	hubd_start || return 1
	hubsh_run "Set-TransportService -Identity $SERVER \
	    -TransientFailureRetryInterval 00:10:00 \
	    -OutboundConnectionFailureRetryInterval 00:10:00 \
	    -MaxPerDomainOutboundConnections 1" || return 1
	wait_for 10 grep -q 'OutboundConnectionFailureRetryInterval.*-> 00:10:00' \
	    "$HUBD_LOG" || return 1
	w_control[$1]=$HUBD_CONTROL
	w_state[$1]=$STATE
	w_port[$1]=$HUBD_PORT
	w_mail "$1" pat@contoso.com sales@adatum.com "Order 1138" &&
	    wait_for 10 w_count "$1" Unreachable 1 &&
	    w_mail "$1" pat@contoso.com x@nowhere.test "Lunch on Friday" &&
	    w_mail "$1" kweku@contoso.com ben@contoso.com "Quarterly figures" &&
	    w_mail "$1" kweku@contoso.com ana@fourthcoffee.com "Coffee order" &&
	    w_mail "$1" john@contoso.com alice@tailspintoys.com "Hello" &&
	    w_mail "$1" lottery@tailspintoys.com ben@contoso.com "Win Big" ||
	    return 1
	smtp_client send 127.0.0.1 "$HUBD_PORT" \
	    --messages 101 --from news@fabrikam.com \
	    --to list@bulk.fabrikam.com >/dev/null || return 1
	wait_for 20 w_count "$1" Unreachable 106 || return 1
	for c in Contoso:103 Coffee:102 Bulk:1; do
		hubsh_run "Set-SendConnector ${c%:*} -Enabled \$true" &&
		    wait_for 20 w_count "$1" Unreachable "${c#*:}" &&
		    w_settle "$1" || return 1
	done
}

# w_hs WORLD TEXT: TEXT run by hubsh against WORLD's hubd.
w_hs() {
	"$HUBSH" --server "$1" --control "${w_control[$1]}" \
	    --store "$tap_tmp/world-$1.db" -NonInteractive -Command "$2" \
	    </dev/null 2>&1
}

# w_count WORLD QUEUE N: QUEUE of WORLD holds N messages.
w_count() {
	[ "$(w_hs "$1" "(Get-Queue $2).MessageCount")" = "$3" ]
}

w_n=0

# w_mail WORLD FROM TO SUBJECT: one message to WORLD's hubd with swaks.
w_mail() {
	w_n=$((w_n + 1))
	swaks_send 127.0.0.1 "${w_port[$1]}" --from "$2" --to "$3" \
	    --header "Subject: $4" \
	    --header "Message-Id: <corpus.$w_n@$(echo "$2" | cut -d@ -f2)>" \
	    >/dev/null || { tap_diag - <"$SWAKS_LOG"; return 1; }
}

# w_settle WORLD: wait until no queue of WORLD is being delivered.
w_settle() {
	wait_for 20 w_quiet "$1"
}
w_quiet() {
	[ "$(w_hs "$1" '@(Get-Queue | where { $_.Status -eq "Active" -or $_.Status -eq "Connecting" }).Count')" = 0 ]
}

for w in Server1 Mailbox01 Server01; do
	if ! world $w; then
		tap_diag - <"$HUBD_LOG"
		w_hs $w 'Get-Queue' | tap_diag -
		tap_bail "world $w"
	fi
done

# --- one script ----------------------------------------------------------------

# The server a script names (hubsh's --server and the hubd it talks to).
server_of() {
	case $1 in
	10) echo Server01 ;;
	14|16|22|24|25|51) echo Mailbox01 ;;
	15) echo Mailbox1 ;;
	27) echo EX1 ;;
	30) echo EX01 ;;
	45) echo EXCHANGE01 ;;
	55) echo DEX ;;
	*) echo Server1 ;;
	esac
}

# normalise W: the filter of the header, on standard input.
normalise() {
	sed -E \
	    -e "s|$1|<W>|g; s|${1:0:15}\\.\\.\\.|<W>...|g; s|$tap_tmp|<T>|g" \
	    -e "s/:$ACCEPT\\b/:<accept>/g; s/:$DEFER\\b/:<defer>/g" \
	    -e "s/:$REFUSE\\b/:<refuse>/g" \
	    -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<guid>/g' \
	    -e 's#[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{1,2}:[0-9]{2}:[0-9]{2} [AP]M#<date>#g' \
	    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{2}-[0-9]{2}-[0-9]{2}/<date>/g' \
	    -e 's#\b(Sun|Mon|Tues|Wednes|Thurs|Fri|Satur)day,[0-9]{1,2}/[0-9]{1,2}/[0-9]{4},#<day>,<date>,#g' \
	    -e 's/^((IncomingRate|OutgoingRate|Velocity) +: ).*/\1<rate>/' \
	    -e 's/^(MessageLatency +: ).+/\1<latency>/' \
	    -e 's/^(OldestMessageAge +: ).+/\1<age>/' |
	awk '
	# The Velocity column of a Get-Queue table: its cells become <rate>,
	# padded to the column.
	/^Identity +DeliveryType +Status +MessageCount +Velocity / {
		vs = index($0, "Velocity"); ve = index($0, "RiskLevel")
	}
	/^$/ { vs = 0 }
	vs && !/^Identity / && !/^-/ {
		cell = sprintf("%-" (ve - vs - 1) "s", "<rate>")
		$0 = substr($0, 1, vs - 1) cell substr($0, ve - 1)
	}
	{ print }'
}

# The files a script wrote in W (those not in NN-name.files), each with
# its encoding (by its byte order mark) and its text.
files_written() {
	local w=$1 f bom
	(cd "$w" && find . -type f | sort) |
	while read -r f; do
		grep -qxF "$f" "$w.before" && continue
		bom=$(head -c 3 "$w/$f" | od -An -tx1 | tr -d ' ')
		case $bom in
		efbbbf)
			echo "--- file ${f#./} (UTF-8 with a byte order mark)"
			tail -c +4 "$w/$f" ;;
		fffe*)
			echo "--- file ${f#./} (UTF-16 LE, shown here in UTF-8)"
			tail -c +3 "$w/$f" | iconv -f UTF-16LE -t UTF-8 ;;
		*)
			echo "--- file ${f#./}"
			cat "$w/$f" ;;
		esac
		echo "--- end"
	done
}

# hs ARGS...: hubsh on the script's store, server and hubd, in its
# directory, with its environment (run_script's variables; the .env is
# read before the cd, $dir being relative under make check).
hs() {
	local envs
	envs=$(cat "$dir/$name.env" 2>/dev/null)
	(cd "$w/x/y" && HOME=$w env $envs \
	    "$HUBSH" --store "$w.db" --server "$server" \
	    --control "$control" --state-dir "$state" \
	    -NonInteractive "$@" </dev/null 2>&1)
}

# run_script NN-name: the output of the script and what it left, in $OUT.
run_script() {
	local name=$1 n=${1%%-*} server w world control state run args=()
	local line
	server=$(server_of "$n")
	world=$server
	[ -n "${w_control[$world]:-}" ] || world=Server1
	control=${w_control[$world]} state=${w_state[$world]}
	w=$tap_tmp/w/$n
	mkdir -p "$w/x/y"
	if [ -d "$dir/$name.files" ]; then
		cp -R "$dir/$name.files/." "$w/"
		find "$w" -name '*.utf16' | while read -r line; do
			{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE "$line"; } \
			    >"${line%.utf16}" && rm "$line"
		done
	fi
	(cd "$w" && find . -type f | sort) >"$w.before"
	cp "$dir/$name.ps1" "$w/x/y/$name.ps1"
	echo "./x/y/$name.ps1" >>"$w.before"
	if [ -f "$dir/$name.args" ]; then
		while IFS= read -r line; do
			args+=("${line//@W@/$w}")
		done <"$dir/$name.args"
	fi
	if [ -f "$dir/$name.setup.ps1" ]; then
		cp "$dir/$name.setup.ps1" "$w/x/y/setup.ps1"
		echo "./x/y/setup.ps1" >>"$w.before"
		line=$(hs -File setup.ps1)
		if [ $? -ne 0 ] || [ -n "$line" ]; then
			tap_diag "$name.setup.ps1 failed:"
			tap_diag - <<<"$line"
			return 1
		fi
	fi
	run=$name.ps1
	if [ -f "$dir/$name.call.ps1" ]; then
		run=$name.call.ps1
		cp "$dir/$run" "$w/x/y/$run"
		echo "./x/y/$run" >>"$w.before"
	fi
	{
		hs -File "$run" "${args[@]}"
		echo "exit=$?"
		echo "--- Send connectors in the store"
		hs -Command 'Get-SendConnector | Sort-Object Name | Format-List Name,AddressSpaces,SmartHosts,RequireTLS,TlsAuthLevel,TlsDomain,Enabled,Fqdn,DNSRoutingEnabled,SmartHostAuthMechanism,MaxMessageSize,ConnectionInactivityTimeOut,CloudServicesMailEnabled,SourceTransportServers'
		if grep -Eq 'Retry-Queue|(Suspend|Resume)-(Queue|Message)|Remove-Message' \
		    "$dir/$name.ps1"; then
			w_settle "$world"
			echo "--- queues and messages in hubd"
			hs -Command 'Get-Queue | Format-Table Identity,DeliveryType,Status,MessageCount,NextHopDomain -AutoSize
Get-Message -Filter "FromAddress -ne '"'news@fabrikam.com'"'" | Format-Table Identity,FromAddress,Status,Subject -AutoSize
"Bulk messages suspended: $(@(Get-Message -Filter "FromAddress -eq '"'news@fabrikam.com'"' -and Status -eq '"'Suspended'"'").Count)"'
		fi
		if grep -Eq '^Get-TransportService|Set-TransportService' \
		    "$dir/$name.ps1"; then
			echo "--- Get-TransportService | fl"
			hs -Command 'Get-TransportService | Format-List'
		fi
		files_written "$w"
	} | normalise "$w" >"$w.out"
	OUT=$w.out
}

for f in "${scripts[@]}"; do
	name=$(basename "$f" .ps1)
	todo=
	[ -f "$dir/$name.xfail" ] && todo=" # TODO $(head -1 "$dir/$name.xfail")"
	if ! run_script "$name"; then
		tap_result 1 "$name: setup$todo"
		continue
	fi
	if [ -n "${CORPUS_UPDATE:-}" ] && [ -z "$todo" ]; then
		cp "$OUT" "$dir/$name.out"
	fi
	if [ ! -f "$dir/$name.out" ]; then
		tap_diag "$name.out is missing; the output was:"
		tap_diag - <"$OUT"
		tap_result 1 "$name: no expected output$todo"
	elif cmp -s "$OUT" "$dir/$name.out"; then
		tap_result 0 "$name$todo"
	else
		diff -u "$dir/$name.out" "$OUT" | head -60 | tap_diag -
		tap_result 1 "$name$todo"
	fi
done
exit 0
