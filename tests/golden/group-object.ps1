# Group-Object over Send connectors and strings: first-seen order,
# GroupInfo's table (Count 5 wide and right-aligned, Name 25 wide, Group
# in the rest, cut with ...), names of several properties, script blocks,
# -NoElement, -CaseSensitive, -AsHashTable and its errors.
New-SendConnector -Name Internet -AddressSpaces 'SMTP:*;1' -Usage Internet | Out-Null
New-SendConnector -Name 'Partner TLS' -AddressSpaces 'partner.example' -RequireTLS $true -Port 587 | Out-Null
New-SendConnector -Name 'Fabrikam TLS' -AddressSpaces 'fabrikam.example' -RequireTLS $true | Out-Null
New-SendConnector -Name 'A connector with a name longer than twenty-five' -AddressSpaces 'long.example' -Enabled $false | Out-Null

Get-SendConnector | Group-Object RequireTLS
Get-SendConnector | group Port -NoElement
Get-SendConnector | Group-Object RequireTLS, Port | ft Count, Name -AutoSize
Get-SendConnector | Group-Object { $_.Name.Length -gt 12 } -NoElement
Get-SendConnector | Group-Object @{Expression = 'Enabled'} -NoElement
Get-SendConnector | Group-Object Enabled | Format-List

$g = Get-SendConnector | Group-Object RequireTLS
$g.Count
$g[0].Name
$g[0].Values
$g[1].Group | ForEach-Object { $_.Name }
($g | Where-Object { $_.Name -eq 'True' }).Count

# Strings group without case, in the order first seen.
'EX01', 'ex02', 'EX02', 'ex01', 'EX03', 'EX01' | Group-Object
'EX01', 'ex02', 'EX02', 'ex01' | Group-Object -CaseSensitive -NoElement
'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r' | Group-Object { 'all' }
$words = 1..40 | ForEach-Object { 'item{0:D2}' -f $_ }
$words | Group-Object Length

# -AsHashTable: one hashtable keyed by the value, or by the name.
$h = Get-SendConnector | Group-Object RequireTLS -AsHashTable -AsString
$h['True'] | ForEach-Object { $_.Name }
$h.Count
$t = Get-SendConnector | Group-Object Port -AsHashTable
$t[587] | ForEach-Object { $_.Name }
Get-SendConnector | Group-Object RequireTLS, Port -AsHashTable
'a', 'A' | Group-Object -CaseSensitive -AsHashTable
$?
Get-SendConnector | Group-Object @{Name = 'x'; Expression = 'Port'}
@() | Group-Object
'done'
