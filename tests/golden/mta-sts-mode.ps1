# MtaStsMode (Exchange Online's Outbound connector parameter) on Send
# connectors: Opportunistic by default, None, and back; a bad value is
# refused and the connector stays as it was.
New-SendConnector -Name 'Partner STS' -AddressSpaces 'contoso.com' | Out-Null
Get-SendConnector 'Partner STS' | Format-List Name,MtaStsMode,SmtpDaneMode
Set-SendConnector 'Partner STS' -MtaStsMode None
(Get-SendConnector 'Partner STS').MtaStsMode
Set-SendConnector 'Partner STS' -MtaStsMode opportunistic
Get-SendConnector | Format-Table Name,MtaStsMode -AutoSize
Set-SendConnector 'Partner STS' -MtaStsMode None -SmtpDaneMode None
Set-SendConnector 'Partner STS' -MtaStsMode Enforce -SmtpDaneMode Mandatory
"after the refusal: $?"
Get-SendConnector 'Partner STS' | Format-List Name,MtaStsMode,SmtpDaneMode
Set-SendConnector 'Partner STS' -MtaStsMode None
New-SendConnector -Name 'No STS' -AddressSpaces 'fabrikam.com' -MtaStsMode None | Format-List Name,MtaStsMode
New-SendConnector -Name 'Default STS' -AddressSpaces 'tailspintoys.com' | Out-Null
Get-SendConnector | Where-Object { $_.MtaStsMode -eq 'None' } | ForEach-Object { $_.Name }
Get-SendConnector | Where-Object MtaStsMode -ne None | Select-Object -ExpandProperty Name
