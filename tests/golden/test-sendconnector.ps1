# Test-SendConnector -RoutingOnly: the transport's own routing explained
# over the connectors made here; then the probe's half without hubd.
New-SendConnector -Name Internet -AddressSpaces '*' | Out-Null
New-SendConnector -Name Contoso -AddressSpaces 'contoso.com;5', '*.contoso.com' | Out-Null
New-SendConnector -Name 'Contoso backup' -AddressSpaces 'contoso.com;10' | Out-Null
New-SendConnector -Name Alpha -AddressSpaces 'contoso.com;5' -MaxMessageSize 1MB | Out-Null
New-SendConnector -Name Off -AddressSpaces 'contoso.com' -Enabled $false -Force | Out-Null
New-SendConnector -Name Partners -AddressSpaces 'X400:c=US;a=;p=Contoso;o=Mail;1' -SmartHosts relay.example -DNSRoutingEnabled $false | Out-Null
New-SendConnector -Name Fabrikam -AddressSpaces 'fabrikam.com' -MaxMessageSize 64KB | Out-Null
Test-SendConnector -Domain contoso.com -RoutingOnly
Test-SendConnector -Recipient someone@mail.contoso.com -RoutingOnly
Test-SendConnector -Domain contoso.com -MessageSize 2MB -RoutingOnly
$t = Test-SendConnector -Recipient a@Contoso.com -RoutingOnly
"$($t.Connector) $($t.AddressSpace);$($t.Cost) $($t.Result)"
$t.Candidates[1]
Test-SendConnector -Domain contoso.com -Identity Internet -RoutingOnly | fl Connector,AddressSpace,Cost,Result
Get-SendConnector Fabrikam | Test-SendConnector -Domain contoso.com -RoutingOnly | fl Connector,AddressSpace,Result
Set-SendConnector Internet -Enabled $false
Test-SendConnector -Domain example.net -RoutingOnly
"unreachable: $?"
$t = Test-SendConnector -Domain fabrikam.com -MessageSize 1MB -RoutingOnly
$t | fl Connector,Result
Test-SendConnector -Domain contoso.com -Recipient a@contoso.com
Test-SendConnector -RoutingOnly
Test-SendConnector -Domain '*.contoso.com' -RoutingOnly
Test-SendConnector -Recipient nobody -RoutingOnly
Test-SendConnector -Domain contoso.com -Identity Nothing -RoutingOnly
$t = Test-SendConnector -Domain contoso.com
$t | fl Connector,Result
"probe: $?"
