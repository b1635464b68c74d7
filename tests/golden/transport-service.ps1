# Get-TransportService and Set-TransportService: defaults, a Set and the
# Get that shows it, Exchange's range errors (nothing changes), -WhatIf,
# the no-change warning, another server, and pipeline input.
Get-TransportService
Get-TransportService | fl Name,DelayNotificationTimeout,ExternalDelayDsnEnabled,MaxPerDomainOutboundConnections,MessageExpirationTimeout,MessageTrackingLog*,OutboundConnectionFailureRetryInterval,SendProtocolLog*,TransientFailure*,Identity,WhenChanged*,IsValid,ObjectState
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
