# Get-ExchangeServer: the default table, the whole Exchange 2019 object
# (the local server, whose hubd never started: no FQDN, start, heartbeat
# or control endpoint yet), one server by name and by pipeline, a
# filtered pipeline as the corpus scripts use it, -Domain, -Status and
# -DomainController, the not-found error (a wildcard too), and the object piped into Get-Queue (no hubd
# here: the local server's is asked, and is not running).  RunspaceId,
# the dates (the store's first sight of the server) and hubsh's version
# vary.
function Show { process { $_ -replace '^(RunspaceId +: ).*$', '$1<guid>' -replace '^(When(Created|Changed)(UTC)? +: ).+$', '$1<date>' -replace 'Version \d+\.\d+ \(Build \d+\.\d+\)', 'Version <v>' } }
Get-ExchangeServer | Out-String -Stream | Show
Get-ExchangeServer | fl | Out-String -Stream | Show
"version=$((Get-ExchangeServer).AdminDisplayVersion -match '^Version \d+\.\d+ \(Build \d+\.\d+\)$')"
$s = Get-ExchangeServer
"created=$($s.WhenCreated -ne $null) changed=$($s.WhenChanged -eq $s.WhenCreated) started=$($s.WhenStarted -eq $null)"
Get-ExchangeServer ex01 | fl Name,Fqdn,ServerRole,IsHubTransportServer,IsMailboxServer,ControlEndpoint,WhenStarted,LastHeartbeatTime
"EX01" | Get-ExchangeServer | ft Name,Edition
$Servers = Get-ExchangeServer; $Servers | where {$_.isHubTransportServer -eq $true -or $_.isMailboxServer -eq $true} | ForEach-Object { $_.Name }
(Get-ExchangeServer | Where-Object { $_.IsMailboxServer -eq $true } | Measure-Object).Count
Get-ExchangeServer -Status -DomainController dc01.hubsh.local | fl Name,CurrentDomainControllers,CurrentConfigDomainController
Get-ExchangeServer -Domain contoso.com
Get-ExchangeServer EX09
"ok=$?"
Get-ExchangeServer e* | ForEach-Object { "wildcard: $($_.Name)" }
Get-ExchangeServer zz*
Get-ExchangeServer EX01 -Domain contoso.com
Get-ExchangeServer | Get-Queue
