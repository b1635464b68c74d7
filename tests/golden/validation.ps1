# Exchange's validation rules, in Exchange's order and words; every
# failure leaves the store as it was.
New-SendConnector -Name Internet -AddressSpaces '*' | Out-Null
Set-SendConnector Internet -TlsAuthLevel EncryptionOnly
Set-SendConnector Internet -TlsDomain contoso.com
Set-SendConnector Internet -RequireTLS $true -IgnoreSTARTTLS $true
Set-SendConnector Internet -SmartHosts relay.example
Set-SendConnector Internet -SmartHostAuthMechanism BasicAuth
New-SendConnector -Name Partner -AddressSpaces partner.example -Partner -RequireTLS $true -TlsAuthLevel CertificateValidation
New-SendConnector -Name Internet -AddressSpaces 'other.example'
New-SendConnector -Name Both -AddressSpaces both.example -Internet -Partner
New-SendConnector -Name Smart -AddressSpaces smart.example -SmartHosts relay.example -DNSRoutingEnabled $false -RequireTLS $true -TlsAuthLevel DomainValidation
New-SendConnector -Name Auth -AddressSpaces auth.example -SmartHosts relay.example -DNSRoutingEnabled $false -SmartHostAuthMechanism BasicAuthRequireTLS
Set-SendConnector Internet -SourceTransportServers EX01,EX01
Get-SendConnector nosuch
Get-SendConnector | ft Name,RequireTLS,TlsAuthLevel,SmartHosts -AutoSize
