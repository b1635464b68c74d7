# The connector the example shows.
New-SendConnector -Name 'Contoso.com Send Connector' -AddressSpaces contoso.com -Custom -DNSRoutingEnabled $false -SmartHosts mail.contoso.com -RequireTLS $true -TlsAuthLevel EncryptionOnly | Out-Null
