# Source: https://learn.microsoft.com/exchange/mail-flow/transport-logs/search-message-tracking-logs
# Title: Search message tracking logs (Exchange Management Shell examples)
# Lines: the three concrete single-server example blocks, in page order (syntax blocks with <...> placeholders not included; the multi-server Get-ExchangeServer example is file 21)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/OfficeDocs-Exchange Legal Notices)
Get-MessageTrackingLog
Get-MessageTrackingLog -ResultSize Unlimited -Start "3/28/2015 8:00AM" -End "3/28/2015 5:00PM" -EventId "Fail" -Sender "pat@contoso.com"
Get-MessageTrackingLog -EventId Send | Format-List Send*,Recipient* | Set-Content -Path "D:\Send Search.txt"
