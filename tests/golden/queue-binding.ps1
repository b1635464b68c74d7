# The queue cmdlets before hubd is asked: parameter sets, identities,
# -Filter and -SortOrder parsing.  Nothing here reaches hubd.
Get-Queue EX01\contoso.com -Filter "MessageCount -gt 0"
Get-Queue -Identity EX01\3 -Server EX01
Get-Queue -Identity EX02\contoso.com
Get-Queue -Server ex02.contoso.com
Get-Queue -Identity 'EX01\'
Get-Queue -Identity 'EX01\Shadow\3'
Get-Queue -Include Internl
Get-Queue -ResultSize 0
Get-Queue -SortOrder '+MessageCount,-Foo'
Get-Queue -Filter "Foo -eq 1"
Get-Queue -Filter "MessageCount -gt"
Get-Queue -Filter "MessageCount -gt 'many'"
Get-Queue -Filter "Status -eq Retri"
Get-Queue -Filter "(Status -eq 'Retry'"
Get-Queue -Filter "Status -eq 'Retry')"
Get-Queue -Filter "Status -match 'Retry'"
Get-Queue -Filter "LastRetryTime -gt 'yesterday'"
Get-Queue -Filter "NextHopDomain -eq 'unterminated"
Get-Message -Identity EX01\3\12\1
Resume-Message 222
Get-Message -Identity contoso.com\5
Get-Message -Identity EX01\3\x
Get-Message -Identity EX02\3\12
Get-Message EX01\3\1 -Queue EX01\3
Get-Message -Queue EX01\3 -Server EX01
Get-Message -Filter "Size -gt tenMB"
Get-Message -SortOrder '-Foo'
Retry-Queue
Retry-Queue -Server EX01
Suspend-Queue -Identity EX01\3 -Filter "Status -eq 'Retry'"
Resume-Queue EX02\3
Remove-Message -Identity EX01\3\12 -Filter "Subject -like '*'"
Remove-Message EX01\3\12
"done: $?"
