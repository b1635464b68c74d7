# Advanced functions: parameter sets, $PSCmdlet, ShouldProcess.
function Set-PartnerTls {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'ByDomain')]
    param(
        [Parameter(ParameterSetName = 'ByDomain', Position = 0)][string]$Domain,
        [Parameter(ParameterSetName = 'ByFile', Mandatory = $true)][string]$CsvPath,
        [switch]$Force
    )
    "set: $($PSCmdlet.ParameterSetName)"
    if ($PSCmdlet.ShouldProcess($Domain, 'Require TLS')) { "changed $Domain" }
    if ($PSCmdlet.ShouldProcess("connector for $Domain")) { 'changed the connector' }
    $PSCmdlet.WriteVerbose("done with $Domain")
}
Set-PartnerTls contoso.com
Set-PartnerTls -CsvPath partners.csv
Set-PartnerTls contoso.com -WhatIf
Set-PartnerTls fabrikam.com -Verbose
# Two sets named, or a value no position of the chosen set takes.
Set-PartnerTls -Domain contoso.com -CsvPath partners.csv
Set-PartnerTls -CsvPath partners.csv contoso.com
# No default set and nothing to choose by: PowerShell cannot choose.
function Get-Either {
    [CmdletBinding()]
    param([Parameter(ParameterSetName = 'A')]$First, [Parameter(ParameterSetName = 'B')]$Second)
    $PSCmdlet.ParameterSetName
}
Get-Either -First 1
Get-Either -Second 2
Get-Either
# The set whose mandatory parameters are given is the one chosen.
function Get-Needs {
    [CmdletBinding()]
    param([Parameter(ParameterSetName = 'A', Mandatory = $true)]$Name,
        [Parameter(ParameterSetName = 'B')]$Other)
    $PSCmdlet.ParameterSetName
}
Get-Needs -Name x
Get-Needs
# -WhatIf and -Confirm:$false reach the cmdlets the function runs.
function Remove-Partner {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param([string]$Name)
    Remove-SendConnector $Name
}
New-SendConnector -Name Partner -AddressSpaces partner.example | Out-Null
Remove-Partner Partner -WhatIf
Remove-Partner Partner -Confirm:$false
(Get-SendConnector).Count
$PSCmdlet -eq $null
# Output streams as it is made, between host writes and warnings.
function Show-Steps { 'step 1'; Write-Host 'host 1'; 'step 2'; Write-Warning 'warn 2' }
Show-Steps
foreach ($i in 1..2) { "item $i"; Write-Host "after $i" }
1..2 | ForEach-Object { "piped $_"; Write-Host "host $_" }
# An assignment's value is what it assigned.
[Int64] $sent = $received = 0
"sent=$sent received=$received"
$a = $b += 5
"a=$a b=$b"
# Format-List output is format objects: Set-Content writes their type names.
New-SendConnector -Name Listed -AddressSpaces listed.example | Out-Null
Get-SendConnector Listed | Format-List Name | Set-Content -Path "$env:TMPDIR/fl.txt"
Get-Content "$env:TMPDIR/fl.txt"
(Get-SendConnector Listed | Format-List Name | Out-String).Trim()
