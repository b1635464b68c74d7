# Source: https://learn.microsoft.com/exchange/mail-flow/queues/queue-procedures
# Title: Procedures for queues - view queue summary information on multiple Exchange servers (Get-QueueDigest)
# Lines: the two concrete Get-QueueDigest example blocks, in page order
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/OfficeDocs-Exchange Legal Notices)
Get-QueueDigest -Site FirstSite -Filter "MessageCount -gt 100"
Get-QueueDigest -Dag DAG01 -Filter "Status -eq 'Retry'"
