# Source: https://abhimessagingblog.blogspot.com/2015/01/message-tracking.html
# Title: Message Tracking (blog, 2015-01-20) - "How to group message tracking logs by Sender" one-liners
# Lines: the first two command blocks of the post, verbatim (curly quotes, "SelectTimestamp" and "Export-CSVC:\Temp\..." missing spaces, and the day-first date 13/3/2009 are as published); the rest of the post (a Get-Mailbox based report) is not included
# License: not stated
Get-MessageTrackingLog -start “10/22/2011 00:00:00” -end “11/21/2011 11:59:00” | group-object -Property Sender


Get-MessageTrackingLog -Server EXCHANGE01 -EventID SEND -Sender john@example.com -Recipients bill@example.net -Start 12/3/2009 -End 13/3/2009 | SelectTimestamp, ClientIp, ClientHostname, ServerIp, ServerHostname, SourceContext,ConnectorId, Source, EventId, InternalMessageId, MessageId, {$_.Recipients}, {$_.RecipientStatus}, TotalBytes, RecipientCount, RelatedRecipientAddress, {$_.Reference}, MessageSubject, Sender, ReturnPath, MessageInfo | Export-CSVC:\Temp\SearchResults.csv
