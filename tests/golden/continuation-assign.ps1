# Published scripts assign without blanks and continue lines with a
# backtick right after a variable or a word; both must read as they do
# in PowerShell (an array variable stays an array).
$x=5
$x
$n=1; $n+=2; $n
$name='Partner'
$h="relay.partner.example"
$spaces='partner.example','partner.test'
New-SendConnector -Name $name -AddressSpaces $spaces -SmartHosts $h`
  -DNSRoutingEnabled $false | Out-Null
New-SendConnector -Name Second -AddressSpaces second.example -SmartHosts relay.second.example`
  -DNSRoutingEnabled $false -RequireTLS $true | Out-Null
Get-SendConnector | Format-Table Name,AddressSpaces,DNSRoutingEnabled,RequireTLS,SmartHosts -AutoSize
