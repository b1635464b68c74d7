# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/resume-message
# Title: Resume-Message - Example 1
# Lines: all (Example 1 code block)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Resume-Message -Server Server1 -Filter "FromAddress -eq 'kweku@contoso.com' -and ExpirationTime -lt '1/5/2018 3:00 PM'"
