#!/bin/bash
# files.sh - the file cmdlets on real files, for what a golden transcript
# cannot show: byte order marks and encodings byte for byte, CR LF, that
# Set-Content's file is whole after a kill and to a reader at any moment,
# -WhatIf touching nothing, unreadable files, lines and files over the
# limits, and the Import-Csv to New-SendConnector flow leaving its
# connectors in the store.

. "${top_srcdir:-.}/tests/shell/lib.sh"

echo "1..19"
s="$tap_tmp/s.db"
d="$tap_tmp/files"
mkdir "$d"

# hubsh in the files directory.
hf() {
	(cd "$d" && hub "$s" "$@")
}

# has TEXT: the output in $out holds TEXT, lines joined first (hubsh
# wraps messages at 119 columns, after a blank, so joining restores them).
has() {
	printf '%s' "$out" | tr -d '\n' | grep -qF -- "$1"
}

# hex FILE [N]: the first N (all) bytes of FILE as hex.
hex() {
	if [ -n "${2:-}" ]; then
		od -An -tx1 -N"$2" "$1" | tr -d ' \n'
	else
		od -An -tx1 "$1" | tr -d ' \n'
	fi
}

# Reading: every byte order mark is taken and dropped, and the text is
# decoded; without one, -Encoding says how.
printf '\xef\xbb\xbfZo\xc3\xab\r\nline 2\n' >"$d/u8.txt"
printf 'Zo\xc3\xab\r\nline 2\n' | iconv -f UTF-8 -t UTF-16LE |
    { printf '\xff\xfe'; cat; } >"$d/u16le.txt"
printf 'Zo\xc3\xab\r\nline 2\n' | iconv -f UTF-8 -t UTF-16BE |
    { printf '\xfe\xff'; cat; } >"$d/u16be.txt"
printf 'Zo\xc3\xab\r\nline 2\n' | iconv -f UTF-8 -t UTF-32LE |
    { printf '\xff\xfe\x00\x00'; cat; } >"$d/u32.txt"
printf 'Zo\xc3\xab\r\nline 2\n' | iconv -f UTF-8 -t UTF-16LE >"$d/nobom16.txt"
out=$(hf -Command 'foreach ($f in "u8.txt", "u16le.txt", "u16be.txt", "u32.txt") { (Get-Content $f) -join "|" }; (Get-Content nobom16.txt -Encoding Unicode) -join "|"' 2>&1)
[ "$out" = "$(for i in 1 2 3 4 5; do printf 'Zo\xc3\xab|line 2\n'; done)" ]
tap_result $? "UTF-8, UTF-16 LE and BE, UTF-32 byte order marks are read and dropped"

out=$(hf -Command 'Get-Content nobom16.txt' 2>&1); rc=$?
has "holds a NUL character (U+0000), which hubsh cannot keep in a string; a UTF-16 file without a byte order mark needs -Encoding Unicode." &&
    has 'NulCharacter,Microsoft.PowerShell.Commands.GetContentCommand' &&
    [ $rc -eq 1 ]
tap_result $? "UTF-16 without a byte order mark read as UTF-8: a clear NUL error"

printf 'caf\xe9 \xff\n' >"$d/latin1.txt"
out=$(hf -Command 'Get-Content latin1.txt -Encoding Ascii' 2>&1)
[ "$out" = 'caf? ?' ] && [ "$(hf -Command 'Get-Content latin1.txt' | od -An -tx1 | tr -d ' \n')" = "636166efbfbd20efbfbd0a" ]
tap_result $? "bytes that are not UTF-8 become U+FFFD; ASCII makes them ?"

# CR LF, lone CR and LF line ends; Import-Csv keeps no CR either.
printf 'a\r\nb\rc\n\r\nd' >"$d/crlf.txt"
printf 'Name,Domain\r\n"X, Y",x.example\r\n"multi\r\nline",y.example\r\n' >"$d/crlf.csv"
out=$(hf -Command '(Get-Content crlf.txt) -join "|"; (Get-Content crlf.txt).Count; $r = Import-Csv crlf.csv; $r[0].Domain.Length; $r[0].Name; $r[1].Name.Length' 2>&1)
[ "$out" = "$(printf 'a|b|c||d\n5\n9\nX, Y\n11')" ]
tap_result $? "CR LF, CR and LF end lines; a CR LF inside quotes stays in the field"

# Writing: each encoding's bytes, byte order marks where 5.1 writes them.
hf -Command '
Set-Content d.txt -Value "Zoë"
Set-Content u8.txt -Value "Zoë" -Encoding UTF8
Set-Content u16.txt -Value "Zoë" -Encoding Unicode
Set-Content be.txt -Value "Zoë" -Encoding BigEndianUnicode
Set-Content u32.txt -Value "Zoë" -Encoding UTF32
Set-Content a.txt -Value "Zoë" -Encoding Ascii
"Zoë" | Out-File o.txt
"Zoë" | Out-File o16.txt -Encoding unicode' >/dev/null 2>&1
[ "$(hex "$d/d.txt")" = 5a6fc3ab0a ] && [ "$(hex "$d/u8.txt")" = efbbbf5a6fc3ab0a ] &&
    [ "$(hex "$d/u16.txt")" = fffe5a006f00eb000a00 ] &&
    [ "$(hex "$d/be.txt")" = feff005a006f00eb000a ] &&
    [ "$(hex "$d/u32.txt")" = fffe00005a0000006f000000eb0000000a000000 ] &&
    [ "$(hex "$d/a.txt")" = 5a6f3f0a ] && [ "$(hex "$d/o.txt")" = 5a6fc3ab0a ] &&
    [ "$(hex "$d/o16.txt")" = fffe5a006f00eb000a00 ]
tap_result $? "Set-Content and Out-File: UTF-8 without a BOM by default, 5.1's BOMs with -Encoding"

hf -Command 'Add-Content u16.txt "Åsa"; Add-Content u8.txt "Åsa"; "x" | Out-File o16.txt -Append; Add-Content new.txt "one" -Encoding UTF8; Add-Content new.txt "two" -Encoding UTF8' >/dev/null 2>&1
[ "$(iconv -f UTF-16 -t UTF-8 "$d/u16.txt")" = "$(printf 'Zo\xc3\xab\n\xc3\x85sa')" ] &&
    [ "$(hex "$d/u8.txt")" = efbbbf5a6fc3ab0ac38573610a ] &&
    [ "$(iconv -f UTF-16 -t UTF-8 "$d/o16.txt")" = "$(printf 'Zo\xc3\xab\nx')" ] &&
    [ "$(hex "$d/new.txt")" = efbbbf6f6e650a74776f0a ]
tap_result $? "appends keep the encoding of the file's BOM and write a BOM only into a new file"

# Set-Content replaces atomically: a reader never sees a part of a file,
# and a kill right after leaves it whole, with no temporary file.
awk 'BEGIN { for (i = 0; i < 20000; i++) print "old line " i }' >"$d/big.txt"
awk 'BEGIN { for (i = 0; i < 20000; i++) print "new line " i }' >"$tap_tmp/new.txt"
awk 'BEGIN { for (i = 0; i < 20000; i++) print "old line " i }' >"$tap_tmp/old.txt"
sum_old=$(md5sum <"$tap_tmp/old.txt"); sum_new=$(md5sum <"$tap_tmp/new.txt")
cat >"$tap_tmp/rewrite.ps1" <<EOF
\$old = Get-Content '$tap_tmp/old.txt'
\$new = Get-Content '$tap_tmp/new.txt'
foreach (\$i in 1..30) { Set-Content big.txt -Value \$new; Set-Content big.txt -Value \$old }
EOF
(cd "$d" && hub "$s" -File "$tap_tmp/rewrite.ps1" >/dev/null 2>&1) &
pid=$!
reads=0 bad=0
while kill -0 $pid 2>/dev/null; do
	sum=$(md5sum <"$d/big.txt")
	reads=$((reads + 1))
	[ "$sum" = "$sum_old" ] || [ "$sum" = "$sum_new" ] || bad=$((bad + 1))
done
wait $pid; rc=$?
echo "# $reads reads while Set-Content rewrote the file 60 times, $bad partial"
[ $rc -eq 0 ] && [ $bad -eq 0 ] && [ $reads -gt 0 ] &&
    [ "$(md5sum <"$d/big.txt")" = "$sum_old" ] && [ -z "$(ls -A "$d" | grep '^\.')" ]
tap_result $? "a reader sees the old file or the new one, never a part"

cat >"$tap_tmp/kill.ps1" <<EOF
Set-Content big.txt -Value (Get-Content '$tap_tmp/new.txt')
'written'
Start-Sleep -Seconds 30
EOF
(cd "$d" && exec "$HUBSH" --store "$s" --server EX01 -NonInteractive \
    -File "$tap_tmp/kill.ps1" >"$tap_tmp/kill.out" 2>&1 </dev/null) &
pid=$!
for i in $(seq 100); do
	grep -q written "$tap_tmp/kill.out" 2>/dev/null && break
	sleep 0.1
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
[ "$(md5sum <"$d/big.txt")" = "$sum_new" ] && [ -z "$(ls -A "$d" | grep '^\.')" ]
tap_result $? "killed right after Set-Content: the new file is whole, nothing left behind"

cp "$d/big.txt" "$tap_tmp/before.txt"
out=$( (cd "$d" && trap '' XFSZ && ulimit -f 100 && hub "$s" -Command "Set-Content big.txt -Value (Get-Content '$tap_tmp/old.txt')") 2>&1); rc=$?
cmp -s "$d/big.txt" "$tap_tmp/before.txt" && [ $rc -eq 1 ] &&
    has 'File too large' && has 'GetContentWriterIOError' &&
    [ -z "$(ls -A "$d" | grep '^\.')" ]
tap_result $? "a Set-Content that fails half-way leaves the old file as it was"

# -WhatIf writes nothing, creates nothing.
cp -p "$d/d.txt" "$tap_tmp/d.before"
out=$(hf -Command 'Set-Content d.txt -Value x -WhatIf; Add-Content d.txt -Value x -WhatIf; "x" | Out-File d.txt -WhatIf; Set-Content never.txt -Value x -WhatIf; "x" | Out-File never2.txt -WhatIf; Add-Content never3.txt x -WhatIf' 2>&1); rc=$?
cmp -s "$d/d.txt" "$tap_tmp/d.before" && [ "$(stat -c %Y "$d/d.txt")" = "$(stat -c %Y "$tap_tmp/d.before")" ] &&
    [ ! -e "$d/never.txt" ] && [ ! -e "$d/never2.txt" ] && [ ! -e "$d/never3.txt" ] &&
    [ "$(echo "$out" | grep -c '^What if: ')" -eq 6 ] && [ $rc -eq 0 ]
tap_result $? "-WhatIf on Set-Content, Add-Content and Out-File touches no file"

# Read-only files: refused without -Force; with it written and still
# read-only.
printf 'ro\n' >"$d/ro.txt"
chmod 444 "$d/ro.txt"
out=$(hf -Command 'Set-Content ro.txt x; Add-Content ro.txt y; "z" | Out-File ro.txt' 2>&1)
r1=$([ "$(cat "$d/ro.txt")" = ro ] && [ "$(echo "$out" | grep -c "Access to the path '$d/ro.txt' is denied.")" -eq 3 ]; echo $?)
hf -Command 'Set-Content ro.txt x -Force; Add-Content ro.txt y -Force' >/dev/null 2>&1
[ "$r1" -eq 0 ] && [ "$(cat "$d/ro.txt")" = "$(printf 'x\ny')" ] &&
    [ "$(stat -c %a "$d/ro.txt")" = 444 ]
tap_result $? "a read-only file needs -Force, and stays read-only"

# A file that cannot be read: PowerShell's access error for Get-Content
# (non-terminating) and Import-Csv; as root, run as nobody.
printf 'Name\nx\n' >"$d/secret.csv"
chmod 000 "$d/secret.csv"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	chmod 711 "$tap_tmp" "$d"
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi
out=$(cd "$d" && "${as_user[@]}" "$HUBSH" --store "$d/none.db" -NonInteractive -Command 'Get-Content secret.csv; "next"; Import-Csv secret.csv' 2>&1 </dev/null); rc=$?
has "Get-Content : Access to the path '$d/secret.csv' is denied." &&
    has "PermissionDenied: ($d/secret.csv:String) [Get-Content]" &&
    has 'GetContentReaderUnauthorizedAccessError' &&
    echo "$out" | grep -q '^next$' &&
    has "Import-Csv : Access to the path '$d/secret.csv' is denied." &&
    has 'OpenError: (:) [Import-Csv], UnauthorizedAccessException' &&
    [ $rc -eq 1 ]
tap_result $? "an unreadable file: access denied, in PowerShell's words"
chmod 600 "$d/secret.csv"

out=$(hf -Command 'Get-Content .; Set-Content . -Value x' 2>&1)
has "Get-Content : Access to the path '$d' is denied." &&
    has "Set-Content : Access to the path '$d' is denied."
tap_result $? "a directory is no file to read or write"

# Limits: a line over 1 MB, a file over 64 MB; clear errors, no crash.
{ printf 'Name,Data\nok,'; head -c 1100000 /dev/zero | tr '\0' x; printf '\nafter,1\n'; } >"$d/huge.csv"
out=$(hf -Command '(Get-Content huge.csv -Raw).Length; Get-Content huge.csv | Select-Object -First 1; Import-Csv huge.csv | Select-Object -First 1' 2>&1); rc=$?
echo "$out" | head -1 | grep -qx 1100022 &&
    has "Get-Content : The file '$d/huge.csv' holds a line longer than 1048576 bytes, the longest hubsh reads." &&
    has "Import-Csv : The file '$d/huge.csv' holds a line longer than 1048576 bytes, the longest hubsh reads." &&
    has 'LimitsExceeded: (:) [Import-Csv], InvalidDataException' &&
    ! has 'Sanitizer' && ! has 'runtime error' && [ $rc -eq 1 ]
tap_result $? "a line over 1 MB: Get-Content and Import-Csv refuse it; -Raw reads it"

truncate -s 65M "$d/sparse.txt"
out=$(hf -Command 'Get-Content sparse.txt; Import-Csv sparse.txt' 2>&1); rc=$?
has "Get-Content : The file '$d/sparse.txt' is larger than 64 MB, the most hubsh reads." &&
    has "Import-Csv : The file '$d/sparse.txt' is larger than 64 MB, the most hubsh reads." &&
    has 'FileTooLarge,Microsoft.PowerShell.Commands.ImportCsvCommand' && [ $rc -eq 1 ]
tap_result $? "a file over 64 MB is refused by name, not read"
rm -f "$d/sparse.txt"

# Out-File lays tables out for its width: 120 columns by default.
note=$(printf 'n%.0s' $(seq 200))
out=$(hf -Command "1..3 | % { New-Object PSObject -Property @{Name=\"Partner \$_\"; Note='$note'} } | Out-File w.txt; 1..3 | % { New-Object PSObject -Property @{Name=\"P\$_\"; Note='$note'} } | Out-File w60.txt -Width 60" 2>&1)
[ "$(awk '{ print length }' "$d/w.txt" | sort -n | tail -1)" -eq 120 ] &&
    [ "$(awk '{ print length }' "$d/w60.txt" | sort -n | tail -1)" -eq 60 ] &&
    grep -q '\.\.\.$' "$d/w60.txt"
tap_result $? "Out-File lines are 120 columns wide, or -Width"

# The whole flow: a partner list in, connectors in the store, seen by the
# next hubsh.
cat >"$d/partners.csv" <<'CSV'
Name,Domain,Cost,RequireTLS
Contoso,contoso.com,1,True
"Fabrikam, Inc",fabrikam.com,2,False

Woodgrove,woodgrove.example,3,True
CSV
out=$(hf -Command 'Import-Csv .\partners.csv | ForEach-Object { New-SendConnector -Name ($_.Name -replace ",", "") -AddressSpaces "SMTP:$($_.Domain);$($_.Cost)" -RequireTLS ($_.RequireTLS -eq "True") } | Out-Null' 2>&1); rc=$?
[ -n "$out" ] && echo "$out" | sed 's/^/# /'
out=$(hub "$s" -Command 'Get-SendConnector | sort Name | % { "$($_.Name)|$($_.AddressSpaces)|$($_.RequireTLS)" }' 2>&1)
[ $rc -eq 0 ] &&
    [ "$out" = "$(printf 'Contoso|SMTP:contoso.com;1|True\nFabrikam Inc|SMTP:fabrikam.com;2|False\nWoodgrove|SMTP:woodgrove.example;3|True')" ]
tap_result $? "Import-Csv | New-SendConnector: the store holds the connectors afterwards"

out=$(hf -Command 'foreach ($row in Import-Csv partners.csv) { $row.Domain }; $x = Get-Content partners.csv | ConvertFrom-Csv; $x.Count' 2>&1)
[ "$out" = "$(printf 'contoso.com\nfabrikam.com\nwoodgrove.example\n3')" ]
tap_result $? "foreach over Import-Csv; Get-Content | ConvertFrom-Csv reads the same rows"

# Write-Error in a batch: the exit status says it; with Stop, it ends the
# script there.
out=$(hf -Command '$ErrorActionPreference = "Stop"; Write-Error "bad partner"; "not reached"' 2>&1); rc=$?
! echo "$out" | grep -qx 'not reached' && has '$ErrorActionPreference = "Stop"; Write-Error "bad partner"; "not reached" : bad partner' &&
    has 'FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException ' && [ $rc -eq 1 ]
r1=$?
out=$(hf -Command 'Write-Error "bad" -ErrorAction SilentlyContinue; "went on"' 2>&1); rc=$?
[ $r1 -eq 0 ] && [ "$out" = "went on" ] && [ $rc -eq 0 ]
tap_result $? "Write-Error: \$ErrorActionPreference Stop ends the script; silenced, it does not count"
exit 0
