New-SendConnector -Name W -AddressSpaces 'contoso.com','fabrikam.com' -WhatIf
New-SendConnector -Name W -AddressSpaces w.example | Out-Null
Set-SendConnector W -Port 587 -WhatIf
Remove-SendConnector W -WhatIf
Get-SendConnector W | fl Name,Port
Get-SendConnector | Remove-SendConnector -Confirm:$false
Get-SendConnector
"count=$(@(Get-SendConnector).Count)"
