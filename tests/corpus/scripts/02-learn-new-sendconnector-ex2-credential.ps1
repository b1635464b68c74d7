# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/new-sendconnector
# Title: New-SendConnector - Example 2 (Get-Credential, BasicAuth)
# Lines: all (Example 2 code block)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
$CredentialObject = Get-Credential

New-SendConnector -Name "Secure Email to Contoso.com" -AddressSpaces contoso.com -AuthenticationCredential $CredentialObject -SmartHostAuthMechanism BasicAuth
