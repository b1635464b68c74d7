# Source: https://learn.microsoft.com/exchange/mail-flow/transport-logs/search-message-tracking-logs
# Title: Search message tracking logs - search for message entries on multiple servers
# Lines: the concrete example block of section "search the message tracking logs for message entries on multiple servers" (the syntax block with <MessageID> placeholders is not included)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/OfficeDocs-Exchange Legal Notices)
$Servers = Get-ExchangeServer; $Servers | where {$_.isHubTransportServer -eq $true -or $_.isMailboxServer -eq $true} | Get-MessageTrackingLog -MessageId ba18339e-8151-4ff3-aeea-87ccf5fc9796@mailbox01.contoso.com | Select-Object Timestamp,ServerHostname,ClientHostname,Source,EventId,Recipients | Sort-Object -Property Timestamp
