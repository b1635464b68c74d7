# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/get-queuedigest
# Title: Get-QueueDigest - Examples 1-2
# Lines: all (Examples 1, 2 code blocks, in page order)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Get-QueueDigest -Forest
Get-QueueDigest -Dag DAG01
