# Write-Error from a script: non-terminating, shown as Windows PowerShell
# 5.1 shows it (the script, not Write-Error, starts the first line; no
# position; the FullyQualifiedErrorId ends in the script's name), $? is
# False afterwards, and the batch run exits 1.
Write-Error 'Partner file is missing'
$?
'still running'
Write-Error -Message 'Bad address space' -Category InvalidArgument -ErrorId BadSpace -TargetObject 'contoso'
Write-Error 'Port out of range' -TargetObject 70000 -CategoryReason RangeCheck
Write-Error -Exception 'Connection refused' -Message 'Cannot reach smart host'
Write-Error -Exception 'Connection refused'
Write-Error 'Check the CSV' -RecommendedAction 'Fix the Domain column.'
Write-Error 'Named target' -CategoryTargetName 'EX01\Internet' -CategoryTargetType 'SendConnector' -CategoryActivity 'Set-SendConnector'
'a.example', 'b.example' | ForEach-Object { Write-Error "No MX for $_" }
'c.example' | Write-Error
Write-Error 'not shown' -ErrorAction SilentlyContinue
$?
$Error[0] -like '*not shown*'
Write-Error 'ignored' -ErrorAction Ignore
$Error[0] -like '*ignored*'
Write-Error
Write-Error 'Stopping here' -ErrorAction Stop
'never printed'
