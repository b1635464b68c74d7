# Get-QueueDigest before and when hubd is asked: parameter sets (Dag is
# the default one, and each set's parameter is mandatory), the
# enumerations, -Filter parsing (no server is asked after a bad filter),
# an unknown server, and -Dag and -Site, which hubsh reads as every
# registered server (here EX01 alone, whose hubd is not running).
Get-QueueDigest
Get-QueueDigest -Filter "MessageCount -gt 100"
Get-QueueDigest -Server EX01 -Forest
Get-QueueDigest -Dag DAG01 -Site FirstSite
Get-QueueDigest -Forest:$false
Get-QueueDigest -Server
Get-QueueDigest -Forest -GroupBy Domain
Get-QueueDigest -Forest -DetailsLevel Full
Get-QueueDigest -Forest -ResultSize -1
Get-QueueDigest -Forest -Timeout soon
Get-QueueDigest -Forest -Filter "Foo -eq 1"
Get-QueueDigest -Forest -Filter "MessageCount -gt"
Get-QueueDigest -Server EX02 -Filter "Status -eq Retri"
Get-QueueDigest -Server EX02, ex03.contoso.com -GroupBy ServerName
Get-QueueDigest -Server EX01 -DetailsLevel None -Timeout 00:00:30
Get-QueueDigest -Dag DAG01 -Verbose
Get-QueueDigest -Site FirstSite -Filter "MessageCount -gt 100" -Verbose
Get-QueueDigest -Forest -GroupBy nexthopcategory -ResultSize Unlimited -ErrorAction SilentlyContinue
"after: $($Error.Count) errors"
