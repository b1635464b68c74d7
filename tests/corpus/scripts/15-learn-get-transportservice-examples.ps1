# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/get-transportservice
# Title: Get-TransportService - Examples 1-2
# Lines: all (Examples 1, 2 code blocks, in page order)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Get-TransportService
Get-TransportService Mailbox1 | Format-List
