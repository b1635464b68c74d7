# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/get-messagetrackinglog
# Title: Get-MessageTrackingLog - Examples 1-2
# Lines: all (Examples 1, 2 code blocks, in page order)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Get-MessageTrackingLog -Server Mailbox01 -Start "03/13/2024 09:00:00" -End "03/15/2024 17:00:00" -Sender "john@contoso.com"
Get-MessageTrackingLog -Server Mailbox01 -Start "03/13/2024 09:00:00" -Recipients @("john@contoso.com","alice@contoso.com")
