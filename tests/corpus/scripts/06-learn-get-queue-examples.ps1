# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/get-queue
# Title: Get-Queue - Examples 1-4
# Lines: all (Examples 1, 2, 3, 4 code blocks, in page order, one per line)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Get-Queue | Format-List
Get-Queue -Filter "MessageCount -gt 100"
Get-Queue Server1\contoso.com | Format-List
Get-Queue -Exclude Internal
