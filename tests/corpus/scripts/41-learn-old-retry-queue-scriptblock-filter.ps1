# Source: https://github.com/MicrosoftDocs/office-docs-powershell/blob/0bb24dd40d16a608f5937b846f15be1c710ae797/exchange/exchange-ps/exchange/mail-flow/Retry-Queue.md
# Title: Retry-Queue - Example 1, older revision of the cmdlet page (scriptblock -Filter)
# Lines: all (Example 1 code block of that revision)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Retry-Queue -Filter {NextHopDomain -eq "contoso.com" -and Status -eq "Retry"}
