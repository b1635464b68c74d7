# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/get-sendconnector
# Title: Get-SendConnector - Example 1
# Lines: all (Example 1 code block)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Get-SendConnector "Contoso.com Send Connector" | Format-List
