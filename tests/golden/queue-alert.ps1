# hubsh's queue alert thresholds: a connector's own, Unlimited, or $null
# for the server's (Set-TransportService), and what is refused.
New-SendConnector -Name 'Partner' -AddressSpaces 'contoso.com' -RequireTLS $true -QueueAlertAge 00:30:00 | Format-List Name,QueueAlert*
Set-SendConnector Partner -QueueAlertMessageCount 50
Get-SendConnector Partner | Format-List QueueAlert*
Set-SendConnector Partner -QueueAlertAge Unlimited -QueueAlertMessageCount $null
Get-SendConnector Partner | Format-List QueueAlert*
Set-SendConnector Partner -QueueAlertAge $null
Get-SendConnector | Format-Table Name,QueueAlertAge,QueueAlertMessageCount -AutoSize
# Refused, and nothing changes.
Set-SendConnector Partner -QueueAlertAge 00:00:00
Set-SendConnector Partner -QueueAlertMessageCount 0
Set-SendConnector Partner -QueueAlertMessageCount lots
(Get-SendConnector Partner).QueueAlertAge -eq $null
# The server's defaults, then changed.
Get-TransportService | Format-List QueueAlert*
Set-TransportService -QueueAlertAge 02:00:00 -QueueAlertMessageCount 1000
Get-TransportService | Format-List QueueAlert*
# $null is no value for the server's: nothing changes.
Set-TransportService -QueueAlertAge $null
(Get-TransportService).QueueAlertAge
Set-TransportService -QueueAlertAge Unlimited
(Get-TransportService).QueueAlertAge
