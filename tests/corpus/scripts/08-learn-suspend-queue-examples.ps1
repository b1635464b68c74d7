# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/suspend-queue
# Title: Suspend-Queue - Examples 1-2 (note: Example 1 nests double quotes inside the -Filter string)
# Lines: all (Examples 1, 2 code blocks, in page order)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Suspend-Queue -Filter "NextHopDomain -eq "contoso.com" -and Status -eq 'Retry'"
Suspend-Queue -Server Server1.contoso.com -Filter "MessageCount -gt 100"
