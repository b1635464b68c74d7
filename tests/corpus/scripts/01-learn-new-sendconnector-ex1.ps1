# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/new-sendconnector
# Title: New-SendConnector - Example 1
# Lines: all (Example 1 code block)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
New-SendConnector -Internet -Name MySendConnector -AddressSpaces contoso.com,fabrikam.com
