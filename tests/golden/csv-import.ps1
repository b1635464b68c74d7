# Import-Csv and ConvertFrom-Csv: the partner list an admin keeps in a
# spreadsheet becomes Send connectors.  Files are written under
# $env:TMPDIR (golden.sh's own directory); their names are never printed.
$tmp = $env:TMPDIR
if (-not $tmp) { $tmp = '/tmp' }
$f = Join-Path $tmp "csv-$(Get-Date -Format yyyyMMddHHmmssfff)"

Set-Content "$f-partners.csv" -Value 'Name,Domain,Cost', `
    'Contoso,contoso.com,1', '"Fabrikam",fabrikam.com,2', '', `
    'Tailspin,  tailspintoys.com,5'
Import-Csv "$f-partners.csv"
Import-Csv "$f-partners.csv" | ForEach-Object {
    New-SendConnector -Name $_.Name -AddressSpaces "SMTP:$($_.Domain);$($_.Cost)" -Usage Partner -DomainSecureEnabled $false
} | Out-Null
Get-SendConnector | ft Name, AddressSpaces -AutoSize
foreach ($row in Import-Csv "$f-partners.csv") { "$($row.Name) costs $($row.Cost)" }
$rows = Import-Csv "$f-partners.csv"
$rows.Count
$rows[1]
"$($rows[0])"
$rows | Where-Object { [int]$_.Cost -gt 1 } | Select-Object -ExpandProperty Domain

# RFC 4180 quoting: delimiters, doubled quotes and line breaks in quotes;
# short rows get $null, extra fields are dropped.
Set-Content "$f-quoted.csv" -Value 'Name,Comment,Port', `
    '"Relay, internal","Says ""hello""",25', `
    "`"Two`nlines`",x", 'Extra,y,587,ignored'
$q = Import-Csv "$f-quoted.csv"
$q | Format-List
$q[1].Port -eq $null
($q[1].Name -split "`n").Count

# #TYPE, -Header, -Delimiter, empty and duplicate header names.
Set-Content "$f-typed.csv" -Value '#TYPE Contoso.Partner', 'Name;Domain', 'Woodgrove;woodgrove.com'
Import-Csv "$f-typed.csv" -Delimiter ';'
Import-Csv "$f-typed.csv" -Delimiter ';' | ConvertTo-Csv -Delimiter ';'
Import-Csv "$f-typed.csv" -Delimiter ';' -Header 'A', 'B'
Set-Content "$f-empty.csv" -Value 'Name,,Domain', 'Litware,x,litware.com'
Import-Csv "$f-empty.csv"
Set-Content "$f-dup.csv" -Value 'Name,Domain,name', 'a,b,c'
Import-Csv "$f-dup.csv"
Import-Csv "$f-partners.csv" -Header 'Name', 'Name'

# ConvertFrom-Csv reads strings, one line each; the first is the header.
'Name,Port', 'Contoso,25', 'Fabrikam,587' | ConvertFrom-Csv
ConvertFrom-Csv -InputObject 'a,b' -Header 'X', 'Y'

# Errors: a file that is not there, both -Path and -LiteralPath, neither.
Import-Csv '/hubsh-golden-missing.csv'
Import-Csv '/hubsh-golden/partners.csv'
$?
Import-Csv -Path "$f-partners.csv" -LiteralPath "$f-partners.csv"
Import-Csv
Import-Csv "$f-partners.csv" -Encoding UTF16
Import-Csv "$f-partners.csv" -Delimiter ';;'
'done'
