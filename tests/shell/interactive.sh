#!/bin/bash
# interactive.sh - hubsh at a terminal, driven through tmux: tab
# completion from the cmdlet table, the ">> " continuation prompt,
# Ctrl-C (at the prompt and while a command runs), mandatory-parameter
# prompting, Get-Credential without echo,
# Read-Host, the confirmation prompt, secrets kept out of the history.  tmux is a test dependency; without it this
# test fails rather than pretending.

. "${top_srcdir:-.}/tests/shell/lib.sh"

echo "1..12"
if ! command -v tmux >/dev/null 2>&1; then
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do tap_result 1 "tmux is installed"; done
	exit 0
fi

sock="$tap_tmp/tmux.sock"
sess=hubsh$$
tmx() { tmux -S "$sock" "$@"; }
screen() { tmx capture-pane -t "$sess" -p; }
# wait_for TEXT: poll the screen for up to 5 s.
wait_for() {
	local i
	for i in $(seq 50); do
		screen | grep -qF -- "${@: -1}" && return 0
		sleep 0.1
	done
	return 1
}
keys() { tmx send-keys -t "$sess" "$@"; }

hub "$tap_tmp/s.db" -Command "New-SendConnector -Name 'Mail to o365pilot.com' -AddressSpaces o365pilot.com" >/dev/null 2>&1
tmx new-session -d -s "$sess" -x 130 -y 50 \
    "HOME='$tap_tmp' '$HUBSH' --store '$tap_tmp/s.db' --server EX01"
trap 'tmx kill-server 2>/dev/null; rm -rf "$tap_tmp"' EXIT
wait_for '[PS] hubsh>'

keys 'Set-SendConn' Tab
wait_for 'Set-SendConnector'
tap_result $? "Tab completes a cmdlet name"

keys "'Mail to o365pilot.com' -TlsAuthL" Tab
wait_for -- '-TlsAuthLevel'
tap_result $? "Tab completes a parameter name"

keys 'Domain' Tab
wait_for 'DomainValidation'
tap_result $? "Tab completes an enum value"

keys C-c
keys 'Get-SendConnector |' Enter
wait_for '>>'
r1=$?
keys '% { "n=" + $_.Name }' Enter
wait_for 'n=Mail to o365pilot.com'
tap_result $(( r1 | $? )) "unfinished input continues at >> (after Ctrl-C dropped a line)"

# Ctrl-C while a command runs stops it and gives the prompt back.
keys "Start-Sleep 60; 'slept-through'" Enter
sleep 0.5
start=$(date +%s)
keys C-c
keys "'back=' + 1" Enter
wait_for 'back=1'
r1=$?
! screen | grep -qx 'slept-through *' && [ $(( $(date +%s) - start )) -lt 10 ]
tap_result $(( r1 | $? )) "Ctrl-C stops Start-Sleep; the rest of the line does not run"

keys '$n = 0; while ($true) { $n++ }' Enter
sleep 0.5
keys C-c
keys "'looped=' + (\$n -gt 0)" Enter
wait_for 'looped=True'
tap_result $? "Ctrl-C stops an endless loop"

keys 'New-SendConnector -Name Q' Enter
wait_for 'AddressSpaces[0]:'
r1=$?
keys 'q.example' Enter
keys '' Enter
wait_for '{smtp:q.example;1}'
tap_result $(( r1 | $? )) "a missing mandatory parameter is asked for"

keys '$c = Get-Credential' Enter
wait_for 'User:'
keys 'relayuser' Enter
wait_for 'Password for user relayuser:'
keys 'Hidden-Pw-42' Enter
keys '$c.UserName' Enter
wait_for 'relayuser'
sleep 0.3
! screen | grep -q 'Hidden-Pw-42'
tap_result $? "Get-Credential reads the password without echo"

keys '$d = Read-Host "Partner domain"' Enter
wait_for 'Partner domain:'
r1=$?
keys 'contoso.example' Enter
keys '"got=" + $d' Enter
wait_for 'got=contoso.example'
tap_result $(( r1 | $? )) "Read-Host shows its prompt and returns the line"

keys 'Remove-SendConnector Q' Enter
wait_for 'Are you sure you want to perform this action?'
r1=$?
keys 'N' Enter
sleep 0.3
keys 'Get-SendConnector Q | % { "kept=" + $_.Name }' Enter
wait_for 'kept=Q'
tap_result $(( r1 | $? )) "Remove asks for confirmation; N keeps the connector"

# A line with a password runs but stays out of the history: up-arrow
# skips it, and the file written at exit does not have it.
keys "\$pw = ConvertTo-SecureString 'Hist-Pw-31' -AsPlainText -Force; 'made=' + (\$pw -ne \$null)" Enter
wait_for 'made=True'
r1=$?
keys "'plain=' + 7" Enter
wait_for 'plain=7'
r2=$?
keys Up
sleep 0.3
keys Up
sleep 0.3
last=$(screen | grep -F '[PS] hubsh>' | tail -1)
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] && grep -qF 'kept=' <<<"$last" &&
    ! screen | grep -F '[PS] hubsh>' | tail -1 | grep -q 'Hist-Pw-31'
tap_result $? "a line with -AsPlainText runs; up-arrow skips it (got: $last)"
keys C-c
keys 'exit' Enter
hist="$tap_tmp/.hubsh_history"
for i in $(seq 50); do
	[ -s "$hist" ] && ! tmx has-session -t "$sess" 2>/dev/null && break
	sleep 0.1
done
grep -qxF "'plain=' + 7" "$hist" && ! grep -q 'Hist-Pw-31' "$hist" &&
    ! grep -qi 'asplaintext' "$hist"
tap_result $? "the history file has the ordinary line, not the password"
exit 0
