# Source: https://learn.microsoft.com/exchange/mail-flow/queues/message-procedures
# Title: Procedures for messages in queues (remove, suspend, resume; Exchange Management Shell examples)
# Lines: every concrete Remove-/Suspend-/Resume-Message example block, in page order (syntax blocks with <...> placeholders and the Redirect-Message example are not included); text as of the 2018 revision of the page
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/OfficeDocs-Exchange Legal Notices)
Remove-Message -Filter {Subject -eq "Win Big"} -WithNDR $false
Remove-Message -Identity Mailbox01\Unreachable\3 -WithNDR $true
Suspend-Message -Identity Mailbox01\Unreachable\3
Suspend-Message -Filter {FromAddress -like "*contoso.com"}
Get-Queue Mailbox01\contoso.com | Get-Message | Suspend-Message
Get-Queue | Get-Message | Suspend-Message
Resume-Message -Filter {FromAddress -like "*contoso.com"}
Resume-Message -Identity Mailbox01\Unreachable\3
Get-Queue
