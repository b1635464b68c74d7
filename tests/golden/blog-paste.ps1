# Commands as pasted from blogs: typographic quotes and en dashes.
New-SendConnector –Name ‘Outbound to Contoso’ –AddressSpaces “contoso.com” –Usage Custom | Out-Null
Set-SendConnector “Outbound to Contoso” –RequireTLS $true –TlsAuthLevel DomainValidation –TlsDomain “*.mail.protection.outlook.com”
Set-SendConnector ‘Outbound to Contoso’ —MaxMessageSize 50MB –SmartHosts @{Add=‘[192.0.2.10]’} –DNSRoutingEnabled $false
Get-SendConnector | where {$_.RequireTLS –eq $true} | ft Name,TlsDomain,MaxMessageSize –AutoSize
Set-SendConnector ‘Outbound to Contoso’ –AddressSpaces @{Add=“fabrikam.com;2”; Remove=“contoso.com”}
(Get-SendConnector ‘Outbound to Contoso’).AddressSpaces
$c = Get-SendConnector 'Outbound to Contoso'; $c.RequireTLS; "$($c.Name) uses $($c.TlsDomain)"
$p = @{Name='Splatted'; AddressSpaces='SMTP:splat.example;3'; Usage='Internal'}
New-SendConnector @p | fl Name,AddressSpaces,MaxMessageSize
