# Redirection: 2>$null hides a command's errors (the script goes on, $?
# still says it failed), 2>&1 makes them output, > $null drops output.
Get-SendConnector 'No Such Partner' 2>$null
"after 2>`$null: `$? = $?"
$all = Get-SendConnector 'No Such Partner' 2>&1
"captured: $($all.Exception.Message)"
New-SendConnector -Name Partner -AddressSpaces 'SMTP:partner.com;1' > $null
Get-SendConnector Partner | Select-Object -ExpandProperty Name
function Test-Quiet { Write-Warning 'a warning'; Write-Host 'host text'; Get-SendConnector Missing; 'output' }
Test-Quiet *>$null
'--- warnings only hidden'
Test-Quiet 3>$null 2>$null
'--- everything merged'
Test-Quiet 2>&1 | ForEach-Object { "merged: $_" }
# A command that is not there is found missing before anything runs,
# redirections included: 2>$null does not hide that.
Get-NoSuchThing -Name x 2>$null
"after a missing command: `$? = $?"
