# Get-MessageTrackingLog's binding: dates that are not dates, ResultSize,
# another server, a Reference without its value.  Nothing here reaches
# hubd.
Get-MessageTrackingLog -Start 'yesterday'
Get-MessageTrackingLog -Start 2012-02-30
Get-MessageTrackingLog -End '07/09/2012 25:00'
Get-MessageTrackingLog -Start $null
Get-MessageTrackingLog -ResultSize -1
Get-MessageTrackingLog -ResultSize many
Get-MessageTrackingLog -Server EX02 -Start 2012-07-09
Get-MessageTrackingLog -ResultSize 0
Get-MessageTrackingLog -InternalMessageId 'not-a-number'
Get-MessageTrackingLog -Reference
"done"
# -Server from the pipeline: a name, or a server object, once each.
'EX02', 'EX03' | Get-MessageTrackingLog -EventId Send
