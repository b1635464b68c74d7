# Write-Host and Write-Output take every positional value left over
# (ValueFromRemainingArguments), as published scripts count on.
$intSent = 5
Write-Host "Total Sent:"$intSent""
Write-Host "Total" "Receive:" 0
Write-Host a b c -Separator ', '
Write-Output one two | ForEach-Object { "[$_]" }
Write-Output 1,2 3 | ForEach-Object { "[$_]" }
# A cmdlet without such a parameter: PowerShell underlines the command.
Get-SendConnector -Identity a b
Set-SendConnector x -Port 25 extra
