New-SendConnector -Name 'TLS' -Usage Custom -AddressSpaces 'SMTP:*;1' -RequireTLS $true
Set-SendConnector "Mail to o365pilot.com" -RequireTls $true -TlsAuthLevel DomainValidation -TlsDomain *.outlook.com
Get-SendConnector "EX01\Mail to o365pilot.com" | fl
Get-SendConnector | where {$_.RequireTLS -eq $true -and $_.Enabled} | ft Name,AddressSpaces -AutoSize
