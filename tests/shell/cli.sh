#!/bin/bash
# cli.sh - the hubsh program as scripts and cron jobs use it: input forms,
# exit status, transactions, store file safety, credentials, and the files
# Export-Csv writes.

. "${top_srcdir:-.}/tests/shell/lib.sh"

echo "1..35"
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

# The key file's name is on disk (its directory synced) before the store
# takes a password sealed with it: strace shows the order.
ks=$tap_tmp/keyed/hubsh.db
mkdir -p "$tap_tmp/keyed"
strace -f -e trace=openat,fsync -o "$tap_tmp/key.trace" \
    "$HUBSH" --store "$ks" --server EX01 -NonInteractive -File "$tap_tmp/cred.ps1" \
    >/dev/null 2>&1 </dev/null
awk -v key="\"$ks.key\"" -v dir="\"$tap_tmp/keyed\"" '
    /openat\(/ && index($0, key) && /O_CREAT/ { split($0, a, "= "); kfd = a[2] + 0; next }
    kfd && !kdone && index($0, "fsync(" kfd ")") { kdone = 1; next }
    kdone && /openat\(/ && index($0, dir) && /O_DIRECTORY/ { split($0, a, "= "); dfd = a[2] + 0; next }
    dfd && index($0, "fsync(" dfd ")") && / = 0$/ { print "ok"; exit }' \
    "$tap_tmp/key.trace" | grep -qx ok
tap_result $? "a new key file is synced, and then its directory"

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

# ConvertTo-Json and Export-Csv: files, encodings, dates, failures.
x="$tap_tmp/export"
mkdir "$x"
exp() {	# hubsh in the export directory
	(cd "$x" && hub "$s" "$@")
}

exp -Command 'Get-SendConnector | sort Name | select Name,Port,AddressSpaces,Comment | Export-Csv out.csv' >/dev/null 2>&1; rc=$?
cat >"$tap_tmp/want.csv" <<'CSV'
#TYPE Selected.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig
"Name","Port","AddressSpaces","Comment"
"Internet","25","System.Object[]",""
"Relay","25","System.Object[]",""
"X","25","System.Object[]",""
CSV
cmp -s "$x/out.csv" "$tap_tmp/want.csv" && [ $rc -eq 0 ] &&
    [ "$(stat -c %a "$x/out.csv")" = "$(printf '%o' $(( 0666 & ~$(umask) )))" ] &&
    [ "$(ls -A "$x")" = out.csv ]
tap_result $? "Export-Csv writes #TYPE, the header and quoted rows; no temporary file left"

cp "$x/out.csv" "$tap_tmp/before.csv"
out=$(exp -Command 'Get-SendConnector | select Name | Export-Csv out.csv -NoClobber' 2>&1); rc=$?
exp -Command 'Get-SendConnector X | select Name | Export-Csv new.csv -NoClobber -NoTypeInformation' >/dev/null 2>&1
cmp -s "$x/out.csv" "$tap_tmp/before.csv" && [ $rc -ne 0 ] &&
    echo "$out" | grep -q "File out.csv already exists and NoClobber was specified." &&
    [ "$(cat "$x/new.csv")" = "$(printf '"Name"\n"X"')" ]
tap_result $? "-NoClobber refuses an existing file and leaves it as it was"

exp -Command 'Get-SendConnector X | select Comment,Name,Enabled,Port,AddressSpaces | Export-Csv out.csv -Append' >/dev/null 2>&1; rc=$?
{ cat "$tap_tmp/before.csv"; echo '"X","25","System.Object[]",""'; } >"$tap_tmp/want.csv"
cmp -s "$x/out.csv" "$tap_tmp/want.csv" && [ $rc -eq 0 ]
tap_result $? "-Append writes rows in the file's columns, without a second header"

cp "$x/out.csv" "$tap_tmp/before.csv"
out=$(exp -Command 'Get-SendConnector X | select Name | Export-Csv out.csv -Append' 2>&1); rc=$?
cmp -s "$x/out.csv" "$tap_tmp/before.csv" && [ $rc -ne 0 ] &&
    echo "$out" | grep -q 'corresponds to the following column: Port'
r1=$?
exp -Command 'Get-SendConnector X | select Name | Export-Csv out.csv -Append -Force' >/dev/null 2>&1
[ $r1 -eq 0 ] && [ "$(tail -1 "$x/out.csv")" = '"X",,,' ]
tap_result $? "-Append refuses missing columns (file unchanged); -Force leaves them empty"

chmod 444 "$x/out.csv"
cp -p "$x/out.csv" "$tap_tmp/before.csv"
out=$(exp -Command 'Get-SendConnector | select Name | Export-Csv out.csv' 2>&1); rc=$?
cmp -s "$x/out.csv" "$tap_tmp/before.csv" && [ $rc -ne 0 ] &&
    echo "$out" | grep -q "Access to the path '$x/out.csv' is denied."
r1=$?
exp -Command 'Get-SendConnector X | select Name | Export-Csv out.csv -Force -NoTypeInformation' >/dev/null 2>&1; rc=$?
[ $r1 -eq 0 ] && [ $rc -eq 0 ] && [ "$(stat -c %a "$x/out.csv")" = 444 ] &&
    [ "$(cat "$x/out.csv")" = "$(printf '"Name"\n"X"')" ]
tap_result $? "a read-only file needs -Force, and stays read-only"

printf '1..5000 | %% { New-Object PSObject -Property @{N=$_; Text=%s} } | Export-Csv big.csv\n' \
    "'$(printf '%0200d' 0)'" >"$tap_tmp/big.ps1"
exp -File "$tap_tmp/big.ps1" >/dev/null 2>&1
cp "$x/big.csv" "$tap_tmp/before.csv"
out=$( (cd "$x" && trap '' XFSZ && ulimit -f 200 && hub "$s" -File "$tap_tmp/big.ps1") 2>&1); rc=$?
[ "$(wc -l <"$tap_tmp/before.csv")" -eq 5002 ] && [ $rc -ne 0 ] &&
    cmp -s "$x/big.csv" "$tap_tmp/before.csv" &&
    echo "$out" | grep -q 'File too large' && [ -z "$(ls -A "$x" | grep '^\.')" ]
tap_result $? "an export that fails half-way leaves the existing file unchanged"

out=$(exp -Command 'Get-SendConnector X | select Name | Export-Csv /dev/stdout -NoTypeInformation; "after"' 2>&1 | cat)
[ "$out" = "$(printf '"Name"\n"X"\nafter')" ]
tap_result $? "Export-Csv to /dev/stdout writes in place"

exp -Command 'New-Object PSObject -Property @{Name="Zoë"} | Export-Csv u8.csv -Encoding UTF8 -NoTypeInformation; New-Object PSObject -Property @{Name="Zoë"} | Export-Csv u16.csv -Encoding Unicode -NoTypeInformation; New-Object PSObject -Property @{Name="Åsa"} | Export-Csv u16.csv -Append; New-Object PSObject -Property @{Name="Zoë"} | Export-Csv a.csv -Encoding ASCII -NoTypeInformation' >/dev/null 2>&1
[ "$(od -An -tx1 -N3 "$x/u8.csv" | tr -d ' ')" = efbbbf ] &&
    [ "$(iconv -f UTF-16 -t UTF-8 "$x/u16.csv")" = "$(printf '"Name"\n"Zoë"\n"Åsa"')" ] &&
    [ "$(od -An -tx1 -N2 "$x/u16.csv" | tr -d ' ')" = fffe ] &&
    [ "$(cat "$x/a.csv")" = "$(printf '"Name"\n"Zo?"')" ]
tap_result $? "-Encoding UTF8/Unicode write a byte order mark; -Append keeps UTF-16; ASCII writes ?"

out=$(TZ=UTC hub "$s" -Command "\$o = New-Object PSObject -Property @{When=(Get-Date -Date '2012-07-09 10:15:03')}; \$o | ConvertTo-Json -Compress; \$o | ConvertTo-Csv -NoTypeInformation" 2>&1)
[ "$out" = "$(printf '%s\n%s\n%s' '{"When":"\/Date(1341828903000)\/"}' '"When"' '"7/9/2012 10:15:03 AM"')" ]
tap_result $? "dates: \\/Date(ms)\\/ in JSON, en-US text in CSV"

hub "$s" -Command 'Get-SendConnector | ConvertTo-Json' >"$tap_tmp/all.json" 2>&1
hub "$s" -Command 'Get-SendConnector X | fl *' >"$tap_tmp/x.txt" 2>&1
python3 - "$tap_tmp/all.json" "$tap_tmp/x.txt" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
objs = json.loads(text)
x = [o for o in objs if o["Name"] == "X"][0]
fl = re.findall(r"^(\w+) +: ", open(sys.argv[2]).read(), re.M)
assert len(objs) == 3 and list(x) == fl, (list(x), fl)
assert re.fullmatch(r"/Date\(\d+\)/", x["WhenCreated"])
assert x["AddressSpaces"] == ["smtp:x.example;1"], x["AddressSpaces"]
assert '"WhenCreated":  "\\/Date(' in text
PY
tap_result $? "Get-SendConnector | ConvertTo-Json is valid JSON with every property"

# A non-terminating error in one command of a pipeline: the next command
# still runs on what was written, $? is false and the batch exits 1.
out=$(hub "$s" -Command "'X','nosuch' | Get-SendConnector | ft Name -HideTableHeaders; \$?" 2>/dev/null)
rc=$?
[ $rc = 1 ] &&
    [ "$(printf '%s' "$out" | sed 's/ *$//' | grep -v '^$')" = "$(printf 'X\nFalse')" ]
tap_result $? "after an error in Get-SendConnector, ft still formats what it wrote (exit $rc)"
# A script's param block takes the arguments after -File, named or by
# position, switches included; a missing mandatory one is an error that
# runs nothing.
d="$tap_tmp/scripts"
mkdir -p "$d/lib"
cat >"$d/partner.ps1" <<'PS1'
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$Domain,
    [int]$Cost = 5,
    [switch]$Force
)
. "$PSScriptRoot\lib\common.ps1"
"domain=$Domain cost=$Cost force=$Force $(Get-Greeting)"
PS1
printf 'function Get-Greeting { "from lib" }\n' >"$d/lib/common.ps1"
out=$(hub "$s" -File "$d/partner.ps1" -Domain contoso.com -Force 2>&1); rc=$?
[ "$out" = "domain=contoso.com cost=5 force=True from lib" ] && [ $rc = 0 ]
tap_result $? "-File script.ps1 -Domain x -Force binds the param block (got: $out)"

out=$(hub "$s" -File "$d/partner.ps1" fabrikam.com -Cost:9 2>&1); rc=$?
[ "$out" = "domain=fabrikam.com cost=9 force=False from lib" ] && [ $rc = 0 ]
tap_result $? "positional and -Name:value script arguments (got: $out)"

out=$(cd "$d" && hub "$s" -NonInteractive -File partner.ps1 -Cost 1 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "^partner.ps1 : Cannot process command because of one or more missing mandatory parameters: Domain.$" &&
    ! echo "$out" | grep -q domain=
tap_result $? "a missing mandatory script parameter stops the script, exit 1"

out=$(hub "$s" -File "$d/partner.ps1" -Domain a.com -Colour red 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "A parameter cannot be found that matches parameter name 'Colour'"
tap_result $? "an unknown script parameter is refused"
# > and >> write what would have been printed; 2> writes the errors.
r="$tap_tmp/redir"
mkdir -p "$r"
hub "$s" -Command "Get-SendConnector Internet | select Name > '$r/out.txt'; 'more' >> '$r/out.txt'; Get-SendConnector Gone 2> '$r/err.txt'; 'x' > '$r/err2.txt'" >"$r/stdout" 2>&1
rc=$?
[ ! -s "$r/stdout" ] && [ $rc = 0 ] &&
    grep -q '^Internet' "$r/out.txt" && [ "$(tail -1 "$r/out.txt")" = more ] &&
    grep -q "^Get-SendConnector : .*'Gone'" "$r/err.txt" &&
    [ "$(cat "$r/err2.txt")" = x ]
tap_result $? "> file, >> file and 2> file; nothing on the terminal (exit $rc)"
exit 0
