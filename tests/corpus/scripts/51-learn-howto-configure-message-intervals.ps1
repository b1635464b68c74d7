# Source: https://learn.microsoft.com/exchange/mail-flow/queues/configure-message-intervals
# Title: Configure message retry, resubmit, and expiration intervals in Exchange Server (Set-/Get-TransportService examples)
# Lines: every concrete Set-TransportService example and Get-TransportService verification block, in page order (syntax blocks with <...> placeholders, and the Set-FrontEndTransportService / Set-TransportConfig / Get-TransportConfig / Get-FrontEndTransportService blocks, are not included)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/OfficeDocs-Exchange Legal Notices)
Set-TransportService -Identity Mailbox01 -TransientFailureRetryCount 8 -TransientFailureRetryInterval 00:01:00 -OutboundConnectionFailureRetryInterval 00:45:00
Get-TransportService | Format-List Name,TransientFailureRetry*,OutboundConnectionFailureRetryInterval
Set-TransportService -Identity Mailbox01 -MessageRetryInterval 00:20:00
Get-TransportService | Format-List Name,MessageRetryInterval
Set-TransportService -Identity Mailbox01 -DelayNotificationTimeout 06:00:00
Get-TransportService | Format-List Name,DelayNotificationTimeout
Set-TransportService -Identity Mailbox01 -MessageExpirationTimeout 4.00:00:00
Get-TransportService | Format-List Name,MessageExpirationTimeout
