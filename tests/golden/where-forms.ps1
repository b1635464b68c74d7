# Where-Object as scripts write it: each form binds as in PowerShell,
# where a name given by name (-Property) takes its position and the next
# positional value goes to -Value.
New-SendConnector -Name A -AddressSpaces a.example -SmartHosts r.example -DNSRoutingEnabled $false | Out-Null
New-SendConnector -Name B -AddressSpaces b.example -SmartHosts r.example -DNSRoutingEnabled $false -Enabled $false | Out-Null
Get-SendConnector | Where-Object -Property Name -eq 'A' | ForEach-Object Name
Get-SendConnector | Where-Object Name -eq 'B' | ForEach-Object Name
Get-SendConnector | Where-Object -Property Name -Value A -EQ | ForEach-Object Name
Get-SendConnector | Where-Object -Property Enabled | ForEach-Object Name
Get-SendConnector | Where-Object -FilterScript { $_.Name -ne 'A' } | ForEach-Object Name
Get-SendConnector | ? Name -like '[AB]' | % Name
Get-SendConnector | Where-Object -Property Name -eq
