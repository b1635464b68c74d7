# The thread's connector, MX to EOP (CertificateValidation), and an
# ordinary one for the first command's Get-SendConnector.
New-SendConnector -Name 'MX to EOP' -AddressSpaces * -Custom -DNSRoutingEnabled $false -SmartHosts contoso-com.mail.protection.outlook.com -RequireTLS $true -TlsAuthLevel CertificateValidation | Out-Null
New-SendConnector -Name 'Partners' -AddressSpaces fabrikam.com -Partner -DomainSecureEnabled $false | Out-Null
