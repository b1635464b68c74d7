# Source: https://github.com/MicrosoftDocs/office-docs-powershell/blob/0bb24dd40d16a608f5937b846f15be1c710ae797/exchange/exchange-ps/exchange/mail-flow/Resume-Message.md
# Title: Resume-Message - Example 1, older revision of the cmdlet page (scriptblock -Filter with a date comparison)
# Lines: all (Example 1 code block of that revision)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Resume-Message -Server Server1 -Filter {FromAddress -eq "kweku@contoso.com" -and ExpirationTime -lt "1/5/2013 3:00 PM"}
