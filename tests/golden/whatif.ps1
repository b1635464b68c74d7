New-SendConnector -Name W -AddressSpaces 'contoso.com','fabrikam.com' -WhatIf
New-SendConnector -Name W -AddressSpaces w.example | Out-Null
Set-SendConnector W -Port 587 -WhatIf
Remove-SendConnector W -WhatIf
Get-SendConnector W | fl Name,Port
New-SendConnector -Name W2 -AddressSpaces w2.example | Out-Null
Get-SendConnector | Remove-SendConnector
"count=$(@(Get-SendConnector).Count)"
Get-SendConnector | Remove-SendConnector -Confirm:$false
Get-SendConnector
"count=$(@(Get-SendConnector).Count)"
