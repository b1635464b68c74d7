# The Force TLS scenario: a partner connector, then TLS with domain
# validation against *.outlook.com, then the curated Format-List.
New-SendConnector -Name "Mail to o365pilot.com" -AddressSpaces o365pilot.com -Usage Partner -DomainSecureEnabled $false | Out-Null
Set-SendConnector "Mail to o365pilot.com" -RequireTls $true -TlsAuthLevel DomainValidation -TlsDomain *.outlook.com
Get-SendConnector "EX01\Mail to o365pilot.com" | fl
Get-SendConnector "Mail to o365pilot.com" | fl *tls*, Name
