# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/remove-message
# Title: Remove-Message - Example 1
# Lines: all (Example 1 code block)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Remove-Message -Server Server1 -Filter "FromAddress -eq 'Kweku@contoso.com'" -WithNDR $false
