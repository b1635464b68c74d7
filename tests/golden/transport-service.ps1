# Get-TransportService and Set-TransportService: the whole Exchange 2019
# object with its defaults, a Set and the Get that shows it, Exchange's
# range errors (nothing changes), -WhatIf, the no-change warning, another
# server, and pipeline input; then the settings hubd honours besides the
# retries, and the parameters hubd has no use for, refused with the store
# unchanged.
Get-TransportService
# Every property in order; RunspaceId is new in every session.
Get-TransportService | fl | Out-String -Stream | % { $_ -replace '^(RunspaceId +: ).*$', '$1<guid>' }
"runspace=$((Get-TransportService).RunspaceId -match '^[0-9a-f]{8}-[0-9a-f]{4}-4')"
Set-TransportService -TransientFailureRetryCount 3 -TransientFailureRetryInterval 00:00:30 -MessageExpirationTimeout 3.00:00:00 -DelayNotificationTimeout 13:00:00 -MaxPerDomainOutboundConnections Unlimited -SendProtocolLogPath /var/log/hubd/send -MessageTrackingLogMaxAge 00:00:00 -ExternalDelayDsnEnabled $false
Get-TransportService | fl TransientFailure*,MessageExpirationTimeout,DelayNotificationTimeout,MaxPerDomain*,SendProtocolLog*,MessageTrackingLogMaxAge,ExternalDelayDsnEnabled
"changed=$((Get-TransportService).WhenChanged -ne $null)"
Set-TransportService EX01 -TransientFailureRetryCount 3
Set-TransportService -MessageExpirationTimeout 1.00:00:00 -TransientFailureRetryCount 16
Set-TransportService -MessageExpirationTimeout 90.00:00:01
Set-TransportService -MessageExpirationTimeout 00:00:04
Set-TransportService -OutboundConnectionFailureRetryInterval 20.00:00:01
Set-TransportService -DelayNotificationTimeout 0
Set-TransportService -TransientFailureRetryInterval 12:00:01
Set-TransportService -MessageTrackingLogMaxAge -1
Set-TransportService -MaxPerDomainOutboundConnections 0
Set-TransportService -MaxPerDomainOutboundConnections lots
Set-TransportService -SendProtocolLogPath log/send
Set-TransportService -TransientFailureRetryCount true
Set-TransportService -DelayNotificationTimeout 1.00:00:00 -WhatIf
Get-TransportService | fl TransientFailureRetryCount,MessageExpirationTimeout,DelayNotificationTimeout
Set-TransportService EX02 -TransientFailureRetryCount 1
Get-TransportService ex02
Get-TransportService | Set-TransportService -MaxPerDomainOutboundConnections 40 -SendProtocolLogPath $null
Get-TransportService ex01 | fl Name,MaxPerDomainOutboundConnections,SendProtocolLogPath
"count=$(@(Get-TransportService).Count)"

# The other settings hubd honours: their values, then their ranges.
Set-TransportService -MessageRetryInterval 00:05:00 -QueueMaxIdleTime 00:00:30 -MaxOutboundConnections 100 -PickupDirectoryMaxHeaderSize 128KB -PickupDirectoryMaxMessagesPerMinute 500 -PickupDirectoryMaxRecipientsPerMessage 1000 -SendProtocolLogMaxDirectorySize 1GB -SendProtocolLogMaxFileSize unlimited
Get-TransportService | fl MessageRetryInterval,QueueMaxIdleTime,MaxOutboundConnections,PickupDirectoryMax*,SendProtocolLogMax*
Set-TransportService -MessageRetryInterval 1.00:00:01
Set-TransportService -MessageRetryInterval 00:00:00
Set-TransportService -QueueMaxIdleTime 00:00:04
Set-TransportService -QueueMaxIdleTime 01:00:01
Set-TransportService -MaxOutboundConnections 0
Set-TransportService -PickupDirectoryMaxHeaderSize 16KB
Set-TransportService -PickupDirectoryMaxHeaderSize unlimited
Set-TransportService -PickupDirectoryMaxMessagesPerMinute 20001
Set-TransportService -PickupDirectoryMaxRecipientsPerMessage 0
Set-TransportService -SendProtocolLogMaxFileSize 0
Set-TransportService -SendProtocolLogMaxDirectorySize '1000TB'

# Exchange's settings that mean nothing to hubd bind with their types,
# then are refused, and nothing is written: not even the valid setting
# given with them, nor with -WhatIf or -Confirm:$false.
$before = Get-TransportService
Set-TransportService -AgentLogEnabled $false -MessageRetryInterval 00:01:00
Set-TransportService -ExternalDNSServers 192.168.1.10,192.168.1.11
Set-TransportService -ExternalDNSServers 192.168.1.10,dns01
Set-TransportService -ExternalDNSAdapterGuid 'not-a-guid'
Set-TransportService -ExternalDNSProtocolOption UseTcp
Set-TransportService -ExternalDNSProtocolOption Tcp
Set-TransportService -MessageTrackingLogPath /var/log/hubd/tracking
Set-TransportService -MessageTrackingLogMaxFileSize 5GB
Set-TransportService -PoisonThreshold 11
Set-TransportService -WlmLogMaxAge 1.00:00:00 -WhatIf
Set-TransportService -TransportSyncLogLoggingLevel Verbose -Confirm:$false
$after = Get-TransportService
"unchanged=$($before.WhenChanged -eq $after.WhenChanged -and $after.MessageRetryInterval -eq '00:05:00')"
Set-TransportService -DomainController dc01.contoso.com -QueueMaxIdleTime 00:00:30
Get-TransportService -DomainController dc01.contoso.com | fl Name,QueueMaxIdleTime
