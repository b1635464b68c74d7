# Examples from the Exchange cmdlet pages and hybrid articles, as written.
New-SendConnector -Internet -Name MySendConnector -AddressSpaces contoso.com,fabrikam.com
$CredentialObject = New-Object System.Management.Automation.PSCredential('CONTOSO\relay', (ConvertTo-SecureString 'P@ssw0rd' -AsPlainText -Force))
New-SendConnector -Name "Secure Email to Contoso.com" -AddressSpaces contoso.com -AuthenticationCredential $CredentialObject -SmartHostAuthMechanism BasicAuth
New-SendConnector -Name "Outbound to Office 365" -AddressSpaces * -CloudServicesMailEnabled $true -Fqdn mail.contoso.com -RequireTLS $true -SmartHosts contoso-com.mail.protection.outlook.com -TlsAuthLevel CertificateValidation
Set-SendConnector "Outbound to Office 365" -TlsDomain mail.protection.outlook.com -TlsAuthLevel DomainValidation
Set-SendConnector MySendConnector -MaxMessageSize 10MB -ConnectionInactivityTimeOut 00:15:00
Set-SendConnector -Identity MySendConnector -Fqdn mail.contoso.com -Comment "Internet mail"
Get-SendConnector | ? {$_.AddressSpaces -like "*fabrikam*"} | select Name,MaxMessageSize,ConnectionInactivityTimeOut,Fqdn
Get-SendConnector | fl Name,RequireTLS,TlsAuthLevel,TlsDomain,SmartHosts
Remove-SendConnector MySendConnector
Get-SendConnector | sort Name -Descending | ft Name,Enabled -AutoSize
