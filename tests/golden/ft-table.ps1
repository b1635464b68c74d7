New-SendConnector -Name Internet -AddressSpaces 'SMTP:*;1' -Usage Internet | Out-Null
New-SendConnector -Name 'Relay to partner' -AddressSpaces 'partner.example;5','*.partner.example;5' -SmartHosts relay1.partner.example,'[192.0.2.25]' -DNSRoutingEnabled $false -Port 2525 | Out-Null
Get-SendConnector
Get-SendConnector | ft Name,RequireTLS,Port,MaxMessageSize -AutoSize
Get-SendConnector | ft Name,SmartHosts
Get-SendConnector | select Name,SmartHostsString,DNSRoutingEnabled
Get-SendConnector 'Relay to partner' | fl AddressSpaces,SmartHosts,{$_.AddressSpaces.Count}
