#!/bin/bash
# cli.sh - the hubsh program as scripts and cron jobs use it: input forms,
# exit status, transactions, store file safety, credentials.

. "${top_srcdir:-.}/tests/shell/lib.sh"

echo "1..18"
s="$tap_tmp/s.db"

snapshot() {	# everything the store holds, as text
	hub "$1" -Command 'Get-SendConnector | fl *' 2>&1 |
	    grep -v '^RunspaceId'
}

out=$(hub "$s" -Command 'Get-SendConnector' 2>&1); rc=$?
tap_result $(( rc != 0 || ${#out} != 0 )) "empty store: no output, exit 0"

hub "$s" -Command "New-SendConnector -Name 'Internet' -AddressSpaces '*' -Usage Internet" >/dev/null 2>&1
rc=$?
out=$(hub "$s" -Command 'Get-SendConnector' 2>&1)
echo "$out" | grep -q '^Internet  *{smtp:\*;1}  *True' 
tap_result $(( rc != 0 || $? != 0 )) "New-SendConnector then the default table"

before=$(snapshot "$s")
hub "$s" -Command "Set-SendConnector Internet -TlsAuthLevel DomainValidation" >/dev/null 2>&1
rc=$?
after=$(snapshot "$s")
[ $rc -ne 0 ] && [ "$before" = "$after" ]
tap_result $? "a failed Set exits non-zero and leaves the store as it was"

printf '\xef\xbb\xbfGet-SendConnector Internet | select Name\r\nexit 7\r\n' >"$tap_tmp/bom.ps1"
out=$(hub "$s" -File "$tap_tmp/bom.ps1" 2>&1); rc=$?
echo "$out" | grep -q '^Internet' && [ $rc -eq 7 ]
tap_result $? "UTF-8 BOM and CRLF script; exit N is the exit status"

out=$(printf 'Get-SendConnector | %% { $_.Name }\n' | "$HUBSH" --store "$s" --server EX01 2>&1); rc=$?
[ "$out" = "Internet" ] && [ $rc -eq 0 ]
tap_result $? "script on standard input"

mode=$(stat -c %a "$s")
[ "$mode" = 600 ]
tap_result $? "store file is mode 0600 (got $mode)"

cat >"$tap_tmp/cred.ps1" <<'PS'
$pw = ConvertTo-SecureString 'S3cret-Pa55' -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential('relayuser', $pw)
New-SendConnector -Name Relay -AddressSpaces 'relay.example' -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled $false -SmartHostAuthMechanism BasicAuth -AuthenticationCredential $cred
Get-SendConnector Relay | fl *
$cred
"$cred"
PS
out=$(hub "$s" -File "$tap_tmp/cred.ps1" 2>&1); rc=$?
echo "$out" | grep -q 'AuthenticationCredential *: System.Management.Automation.PSCredential' &&
    ! echo "$out" | grep -q 'S3cret-Pa55' && [ $rc -eq 0 ]
tap_result $? "credential stored; the password is never printed"

! grep -qa 'S3cret-Pa55' "$s" "$s-wal" 2>/dev/null && [ -f "$s.key" ] &&
    [ "$(stat -c %a "$s.key")" = 600 ]
tap_result $? "password encrypted at rest; key file beside the store, 0600"

cat >"$tap_tmp/stop.ps1" <<'PS'
Get-SendConnector nosuch -ErrorAction Stop
New-SendConnector -Name After -AddressSpaces 'after.example'
PS
hub "$s" -File "$tap_tmp/stop.ps1" >/dev/null 2>&1; rc=$?
out=$(hub "$s" -Command 'Get-SendConnector After' 2>&1)
[ $rc -ne 0 ] && echo "$out" | grep -q "couldn't be found"
tap_result $? "-ErrorAction Stop ends the script"

cat >"$tap_tmp/cont.ps1" <<'PS'
Get-SendConnector nosuch
"ok=$?"
New-SendConnector -Name After -AddressSpaces 'after.example'
PS
out=$(hub "$s" -File "$tap_tmp/cont.ps1" 2>&1); rc=$?
echo "$out" | grep -q '^ok=False' && [ $rc -eq 1 ] &&
    hub "$s" -Command 'Get-SendConnector After' >/dev/null 2>&1
tap_result $? "non-terminating error: \$? is False, the script goes on, exit 1"

out=$(hub "$s" -Command 'Remove-SendConnector After' 2>&1); rc=$?
hub "$s" -Command 'Get-SendConnector After' >/dev/null 2>&1; still=$?
[ $rc -ne 0 ] && [ $still -eq 0 ] && echo "$out" | grep -q 'Confirm:\$false'
tap_result $? "Remove in batch mode without -Confirm:\$false removes nothing"

hub "$s" -Command 'Remove-SendConnector After -Confirm:$false' >/dev/null 2>&1; rc=$?
hub "$s" -Command 'Get-SendConnector After' >/dev/null 2>&1; still=$?
[ $rc -eq 0 ] && [ $still -ne 0 ]
tap_result $? "Remove-SendConnector -Confirm:\$false removes"

hub "$s" -Command 'Get-SendConnector | Set-SendConnector -Enabled $false' >/dev/null 2>&1; rc=$?
out=$(hub "$s" -Command 'Get-SendConnector | where {$_.Enabled} | measure | % { $_.Count }' 2>&1)
[ $rc -eq 0 ] && [ "$out" = 0 ]
tap_result $? "pipeline binding: Get | Set -Enabled \$false (enabled left: $out)"

before=$(snapshot "$s")
out=$(hub "$s" -Command 'Remove-SendConnector Internet -WhatIf' 2>&1); rc=$?
after=$(snapshot "$s")
[ "$out" = 'What if: Removing Send connector "Internet".' ] && [ "$before" = "$after" ]
tap_result $? "-WhatIf prints and changes nothing"

"$HUBSH" --bogus >/dev/null 2>&1
tap_result $(( $? != 64 )) "unknown option exits 64"

HUBSH_STORE="$tap_tmp/env.db" "$HUBSH" --server EX01 -Command "New-SendConnector -Name E -AddressSpaces e.example" >/dev/null 2>&1
[ -f "$tap_tmp/env.db" ]
tap_result $? "HUBSH_STORE chooses the store"

out=$(hub "$s" -Command 'New-SendConnector -Name X -AddressSpaces x.example -SourceTransportServers EX01,EX99' 2>&1); rc=$?
echo "$out" | grep -q '^WARNING: .*EX99' && [ $rc -eq 0 ]
tap_result $? "an unknown source server is a warning, not an error"

out=$(hub "$s" -Command 'New-SendConnector -Name Y' 2>&1); rc=$?
echo "$out" | grep -q 'missing mandatory parameters: AddressSpaces' && [ $rc -ne 0 ]
tap_result $? "missing mandatory parameter in batch mode is an error"
exit 0
