# Source: https://github.com/leemackie/Datto-RMM/blob/1d780d69bd7bf831dea9b48af8deb0bb7a2d4ccf/DRMM-ImprovedExchangeQueueMonitor.ps1
# Title: DRMM-ImprovedExchangeQueueMonitor.ps1 - RMM queue-length monitor (total MessageCount vs $env:maxQueueLength, exit 1 on alert)
# Lines: all
# License: not stated (no license file found for the repository in the stored copy)
# Exchange Message Queue Monitor
# version 1.1
# Lee Mackie: Added diagnostic step to get queue items

function Write-DRMMAlert ($message) {
    write-host '<-Start Result->'
    write-host "Alert=$message"
    write-host '<-End Result->'
}

$maxQueueLength = $env:maxQueueLength # Max Message Queue Length

Add-PSSnapin Microsoft.Exchange.Management.PowerShell.Admin -ErrorAction SilentlyContinue # Exchange 2007
Add-PSSnapin Microsoft.Exchange.Management.PowerShell.E2010 -ErrorAction SilentlyContinue # Exchange 2010/2013

$queueLength = Get-ExchangeServer | Where-Object { $_.IsHubTransportServer -eq $true } | Get-Queue | ForEach-Object -Begin { $messageCountTotal = 0 } -Process { $messageCountTotal += $_.MessageCount } -End { $messageCountTotal }

If ( $queueLength -gt $maxQueueLength ) {
    Write-DRMMAlert "Message queue length ($queueLength) is greater than maximum message queue length ($maxQueueLength)"

    Write-Host '<-Start Diagnostic->'
    Get-ExchangeServer | Where-Object { $_.IsHubTransportServer -eq $true } | Get-Queue | Get-Message | Select-Object FromAddress,Queue,Subject
    Write-Host '<-End Diagnostic->'
    Exit 1
}
