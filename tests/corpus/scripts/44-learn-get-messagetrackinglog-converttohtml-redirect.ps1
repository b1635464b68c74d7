# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/get-messagetrackinglog
# Title: Get-MessageTrackingLog - description example: write results to a file with ConvertTo-Html and > redirection
# Lines: the inline code example of the DESCRIPTION section (between the backticks)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Get-MessageTrackingLog -Start "03/13/2020 09:00:00" -End "03/13/2020 09:10:00" | ConvertTo-Html > "C:\My Documents\message track.html"
