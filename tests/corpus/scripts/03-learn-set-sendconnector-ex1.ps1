# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/set-sendconnector
# Title: Set-SendConnector - Example 1
# Lines: all (Example 1 code block)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Set-SendConnector "Contoso.com Send Connector" -MaxMessageSize 10MB -ConnectionInactivityTimeOut 00:15:00
