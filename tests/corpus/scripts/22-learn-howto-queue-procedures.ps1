# Source: https://learn.microsoft.com/exchange/mail-flow/queues/queue-procedures
# Title: Procedures for queues (view, retry, resubmit, suspend, resume; Exchange Management Shell examples)
# Lines: every concrete example block of the page, in page order (syntax blocks with <...> placeholders and the Get-QueueDigest examples, which are in file 17's family, are not included)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/OfficeDocs-Exchange Legal Notices)
Get-Queue -Server Mailbox01 -Exclude Empty
Get-Queue -Filter "MessageCount -gt 100" | Format-List
Retry-Queue -Filter "Status -eq 'Retry'"
Retry-Queue -Identity Mailbox01\contoso.com
Retry-Queue -Filter "Status -eq 'Retry'" -Server Mailbox01 -Resubmit $true
Retry-Queue -Identity Mailbox01\Unreachable -Resubmit $true
Get-Message -Queue Poison | Format-Table Identity
Resume-Message 222
Get-Message -Queue Poison
Suspend-Queue -Filter "MessageCount -ge 1000 -and Status -eq 'Retry'"
Suspend-Queue -Identity Mailbox01\contoso.com
Resume-Queue -Filter "Status -eq 'Suspended'"
Resume-Queue -Identity Mailbox01\contoso.com
