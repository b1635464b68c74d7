# PowerShell's binder errors, as PowerShell words them.
New-SendConnector -Name B -AddressSpaces b.example | Out-Null
Set-SendConnector B -Re $true
Set-SendConnector B -Bogus 1
Set-SendConnector B -RequireTLS true
Set-SendConnector B -TlsAuthLevel Domain
Set-SendConnector B -TlsAuthLevel x
Set-SendConnector B -Port 70000
Set-SendConnector B -AddressSpaces '*contoso.com'
Set-SendConnector B -AddressSpaces 'contoso.com;101'
Set-SendConnector B -MaxMessageSize 35XB
Set-SendConnector B -Name
Remove-SendConnector -Confirm $false
New-SendConnector -Name C
Get-SendConector
Set-SendConnector B -ProtocolLoggingLevel verb -Comment:'prefix and colon forms'
Get-SendConnector B | fl ProtocolLoggingLevel,Comment
