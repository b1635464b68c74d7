# Two connectors to export: one to the internet, one through a smart host
# with TLS.
New-SendConnector -Name 'To internet' -AddressSpaces * -Internet | Out-Null
New-SendConnector -Name 'Smart host' -AddressSpaces contoso.com,fabrikam.com -Custom -DNSRoutingEnabled $false -SmartHosts relay1.contoso.com,192.168.3.2 -RequireTLS $true -TlsAuthLevel DomainValidation -TlsDomain relay.contoso.com | Out-Null
