# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/retry-queue
# Title: Retry-Queue - Example 1 (note: the page nests double quotes inside the -Filter string)
# Lines: all (Example 1 code block)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Retry-Queue -Filter "NextHopDomain -eq "contoso.com" -and Status -eq 'Retry'"
