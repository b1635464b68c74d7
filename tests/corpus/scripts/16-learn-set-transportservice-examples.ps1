# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/set-transportservice
# Title: Set-TransportService - Examples 1-3
# Lines: all (Examples 1, 2, 3 code blocks, in page order)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Set-TransportService Mailbox01 -DelayNotificationTimeout 13:00:00
Set-TransportService Mailbox01 -TransientFailureRetryCount 3 -TransientFailureRetryInterval 00:00:30
Set-TransportService Mailbox01 -ReceiveProtocolLogPath "C:\SMTP Protocol Logs\Receive.log"
