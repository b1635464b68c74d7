# Source: https://github.com/MicrosoftDocs/office-docs-powershell/blob/0ef1916ce2e1264489ab32f47064480f6d33bf00/exchange/exchange-ps/exchange/mail-flow/Suspend-Message.md
# Title: Suspend-Message - Example 1, older revision of the cmdlet page (scriptblock -Filter)
# Lines: all (Example 1 code block of that revision)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Suspend-Message -Server Server1 -Filter {FromAddress -eq "kweku@contoso.com"}
