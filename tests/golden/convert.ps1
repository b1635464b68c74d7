# ConvertTo-Json, ConvertTo-Csv and Export-Csv, laid out as Windows
# PowerShell 5.1 writes them.  (Export-Csv's files: tests/shell/cli.sh.)
New-SendConnector -Name Internet -AddressSpaces '*' -Usage Internet | Out-Null
New-SendConnector -Name 'Partner Relay' -AddressSpaces 'partner.example','b.example;5' -SmartHosts '[192.0.2.10]' -DNSRoutingEnabled $false -Comment 'Say "hi" & <bye>' | Out-Null

# One object is a JSON object, several an array; nested arrays are
# indented under their key, an empty one keeps its blank line.
Get-SendConnector Internet | select Name,AddressSpaces,Enabled,Port,SmartHosts,MaxMessageSize | ConvertTo-Json
Get-SendConnector | select Name,AddressSpaces,RequireTLS,Comment | ConvertTo-Json
Get-SendConnector | select Name,Port,SmartHosts | ConvertTo-Json -Compress
Get-SendConnector 'Partner Relay' | select SmartHosts,AuthenticationCredential | ConvertTo-Json

# Escaping: < > & ' as \u escapes, quotes, backslashes, control characters.
'<a href="x">Tom & Jerry''s</a>' | ConvertTo-Json
"tab`there`r`nnew line \ back" | ConvertTo-Json -Compress
@{'key "q"'=1; 'b<c'=@{d='e'}} | ConvertTo-Json

# -Depth: deeper objects become their text, deeper arrays their items.
$leaf = New-Object PSObject -Property @{Name='leaf'; List=1,2,3}
$mid = New-Object PSObject -Property @{Name='mid'; Child=$leaf}
$top = New-Object PSObject -Property @{Name='top'; Child=$mid}
$top | ConvertTo-Json
$top | ConvertTo-Json -Depth 1
$top | ConvertTo-Json -Depth 5 -Compress
$mid, $top | ConvertTo-Json -Compress

# Scalars, -InputObject, and what 5.1 refuses.
@{a=1; b=$null; c=$true; d=2.5; e='x'; f=-7} | ConvertTo-Json
ConvertTo-Json -InputObject @(1, 'two', $false)
42 | ConvertTo-Json
@{1='one'} | ConvertTo-Json
$top | ConvertTo-Json -Depth 0

# CSV: #TYPE, the header of the first object, every field quoted, a
# collection as System.Object[].
Get-SendConnector | select Name,AddressSpaces,Port,Comment | ConvertTo-Csv
Get-SendConnector | select Name,AddressSpaces,Port | ConvertTo-Csv -NoTypeInformation -Delimiter ';'
# The admin idiom: join the collection in a calculated property.
Get-SendConnector | select Name,@{n='AddressSpaces';e={$_.AddressSpaces -join ';'}} | ConvertTo-Csv -NoTypeInformation
Get-SendConnector | ConvertTo-Csv | select -First 2
# The first object fixes the columns; $null is an empty unquoted field.
$a = New-Object PSObject -Property @{Name='a'; Value=$null; Empty=''}
$b = New-Object PSObject -Property @{Value='b only'; Extra=1}
$a, $b | ConvertTo-Csv -NoTypeInformation
$a, $b | ConvertTo-Csv -NTI -Delimiter "`t"
# Not objects: the .NET properties 5.1 writes.
'text' | ConvertTo-Csv
@{a=1} | ConvertTo-Csv -NoTypeInformation
ConvertTo-Csv -InputObject @(1, 2) -NoTypeInformation
Get-SendConnector | ConvertTo-Csv -Delimiter ';;'

# Export-Csv without writing: -WhatIf, and the checks made first.
Get-SendConnector | select Name | Export-Csv connectors.csv -WhatIf
Get-SendConnector | epcsv -Path connectors.csv -WhatIf -NoTypeInformation
Get-SendConnector | Export-Csv
Get-SendConnector | Export-Csv connectors.csv -LiteralPath connectors.csv
Get-SendConnector | Export-Csv connectors.csv -Encoding UTF16
Get-SendConnector | Export-Csv connectors.csv -Encoding UTF7
Get-SendConnector | Export-Csv ''
