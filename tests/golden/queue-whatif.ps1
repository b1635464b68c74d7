# What the queue actions would do (-WhatIf), and what they say when hubd
# is not running (golden.sh points --control at a socket that does not
# exist).
Retry-Queue EX01\contoso.com -WhatIf
Retry-Queue contoso.com -Resubmit $true -WhatIf
Suspend-Queue EX01\Unreachable -WhatIf
Resume-Queue 3 -WhatIf
Resume-Queue -Filter "Status -eq 'Suspended'" -WhatIf
Suspend-Message EX01\3\12 -WhatIf
Resume-Message 3\12 -WhatIf
Remove-Message EX01\*\12 -WithNDR $false -WhatIf
Remove-Message -Filter "FromAddress -like '*@spam.example'" -WhatIf
'EX01\contoso.com', 'EX01\fabrikam.com' | Suspend-Queue -WhatIf
Get-Queue
"Get-Queue: $?"
Get-Message -Queue EX01\contoso.com
Retry-Queue EX01\contoso.com
Remove-Message EX01\3\12 -Confirm:$false
Suspend-Queue -Filter "MessageCount -gt 0" -Confirm:$false
"done"
