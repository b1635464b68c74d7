# Source: https://learn.microsoft.com/exchange/mail-flow/transport-logs/configure-message-tracking
# Title: Configure message tracking (Set-TransportService examples)
# Lines: every concrete example block, in page order (syntax blocks with <...> placeholders not included)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/OfficeDocs-Exchange Legal Notices)
Set-TransportService Mailbox01 -MessageTrackingLogPath "D:\Message Tracking Log" -MessageTrackingLogMaxFileSize 20MB -MessageTrackingLogMaxDirectorySize 1.5GB -MessageTrackingLogMaxAge 45.00:00:00
Set-TransportService Mailbox01 -MessageTrackingLogSubjectLoggingEnabled $false
Set-TransportService Mailbox01 -MessageTrackingLogEnabled $false
