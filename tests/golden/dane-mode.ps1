# SmtpDaneMode (Exchange Online's Outbound connector parameter) on Send
# connectors: Opportunistic by default, Mandatory, None; a bad value is
# refused and the connector stays as it was.
New-SendConnector -Name 'Partner DANE' -AddressSpaces 'contoso.com' | Out-Null
Get-SendConnector 'Partner DANE' | Format-List Name,SmtpDaneMode
Set-SendConnector 'Partner DANE' -SmtpDaneMode Mandatory
(Get-SendConnector 'Partner DANE').SmtpDaneMode
Set-SendConnector 'Partner DANE' -SmtpDaneMode none
Get-SendConnector | Format-Table Name,SmtpDaneMode -AutoSize
Set-SendConnector 'Partner DANE' -SmtpDaneMode Required
(Get-SendConnector 'Partner DANE').SmtpDaneMode
New-SendConnector -Name 'Mandatory' -AddressSpaces 'fabrikam.com' -SmtpDaneMode Mandatory | Format-List Name,SmtpDaneMode
Get-SendConnector | Where-Object { $_.SmtpDaneMode -ne 'Opportunistic' } | ForEach-Object { $_.Name }
