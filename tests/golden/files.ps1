# Get-Content, Set-Content, Add-Content and Out-File, on files under
# $env:TMPDIR (golden.sh sets it to the test's own directory; their names
# are never printed).
$tmp = $env:TMPDIR
if (-not $tmp) { $tmp = '/tmp' }
$f = Join-Path $tmp "files-$(Get-Date -Format yyyyMMddHHmmssfff)"

# Set-Content replaces, Add-Content appends; a string per line.
Set-Content "$f.txt" -Value 'smtp.contoso.com', 'smtp.fabrikam.com'
Add-Content "$f.txt" 'relay.example.org'
Get-Content "$f.txt"
(Get-Content "$f.txt").Count
gc "$f.txt" -TotalCount 2
Get-Content "$f.txt" -Head 1
Get-Content "$f.txt" -Tail 1
Get-Content "$f.txt" -Last 2
Get-Content "$f.txt" -First 0
$hosts = Get-Content "$f.txt"
$hosts[-1]
(Get-Content "$f.txt" -Raw).Contains('fabrikam')
(Get-Content "$f.txt" -ReadCount 0).Count
Get-Content "$f.txt" -ReadCount 2 | ForEach-Object { $_ -join ' + ' }
Get-Content "$f.txt" -Delimiter '.' -TotalCount 2
Set-Content "$f.txt" 'only line'
Get-Content "$f.txt"

# Piped values; -PassThru outputs them; -NoNewline leaves the line open.
'one', 2, $true | Set-Content "$f.txt" -PassThru
Get-Content "$f.txt"
Set-Content "$f.txt" 'Partner: ' -NoNewline
Add-Content "$f.txt" 'Contoso'
Add-Content "$f.txt" 'next line'
Get-Content "$f.txt"

# Encodings: UTF8 writes a byte order mark, which Get-Content drops;
# Byte reads the bytes as numbers.
Set-Content "$f.txt" -Value 'Zoë' -Encoding UTF8
Get-Content "$f.txt"
Get-Content "$f.txt" -Encoding Byte -TotalCount 3
Set-Content "$f.txt" -Value 'Åsa' -Encoding Unicode
Add-Content "$f.txt" 'Zoë'
Get-Content "$f.txt"
Set-Content "$f.txt" -Value 72, 105 -Encoding Byte
Get-Content "$f.txt"

# Out-File writes what the console shows.
'Partner A', 'Partner B' | Out-File "$f.out"
Get-Content "$f.out"
Out-File "$f.out" -InputObject 'third' -Append
(Get-Content "$f.out").Count
# -FilePath and -LiteralPath are two parameter sets; a positional value
# has no place in ByLiteralPath.
'x' | Out-File -FilePath "$f.x" -LiteralPath "$f.y"
'x' | Out-File -LiteralPath "$f.y" extra.txt
Test-Path "$f.x", "$f.y"
New-Object PSObject -Property @{Name='Contoso'} | Out-File "$f.out"
Get-Content "$f.out"
'x' | Out-File /dev/null -NoClobber

# -WhatIf says what would be written and writes nothing.
Set-Content '/hubsh-golden/hosts.txt' -Value 'x' -WhatIf
Add-Content '/hubsh-golden/hosts.txt' -Value 'x' -WhatIf
'x' | Out-File '/hubsh-golden/out.txt' -WhatIf
Get-Content "$f.out"

# Paths that do not exist: a non-terminating error each; $? is False.
Get-Content '/hubsh-golden/hosts.txt'
$?
Get-Content '/hubsh-golden/a.txt', "$f.txt"
Set-Content '/hubsh-golden/hosts.txt' -Value 'x'
Add-Content '/hubsh-golden/hosts.txt' -Value 'x'
'x' | Out-File '/hubsh-golden/out.txt'
Get-Content -Path "$f.txt" -LiteralPath "$f.txt"
Get-Content "$f.txt" -TotalCount 1 -Tail 1
Get-Content "$f.txt" -Encoding UTF16
'done'
