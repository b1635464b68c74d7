# Functions, param blocks, scopes and pipeline input, as published admin
# scripts write them.
function Get-Square { param([int]$Number = 4) $Number * $Number }
Get-Square
Get-Square 5
Get-Square -Number 6
Get-Square -N 7
function Join-Words($First, $Second = 'world') { "$First $Second" }
Join-Words hello
Join-Words -Second there -First hi
# A simple function puts what it does not declare in $args.
function Show-Args { "args: $($args.Count) [$($args -join '|')]" }
Show-Args a b -Flag c
function Show-Rest($a, $b) { "a=$a b=$b args=$args" }
Show-Rest -a 1 2 3
function New-PartnerConnector {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [string]$Domain,
        [ValidateSet('EncryptionOnly', 'CertificateValidation', 'DomainValidation')]
        [string]$Level = 'DomainValidation',
        [ValidateRange(1, 100)]
        [int]$Cost = 10,
        [switch]$Disabled
    )
    $name = "TLS to $Domain"
    New-SendConnector -Name $name -AddressSpaces "SMTP:$Domain;$Cost" -RequireTLS $true -TlsAuthLevel $Level -Enabled (-not $Disabled)
    Write-Verbose "created $name"
}
New-PartnerConnector partner.com
function Show-Verbose { [CmdletBinding()] param() Write-Verbose 'shown with -Verbose' }
Show-Verbose
Show-Verbose -Verbose
New-PartnerConnector -Domain other.net -Level EncryptionOnly -Disabled
New-PartnerConnector bad.org -Level Strict
New-PartnerConnector bad.org -Cost 500
New-PartnerConnector
New-PartnerConnector -Domain x.org -Colour blue
Get-SendConnector | Sort-Object Name | ForEach-Object { "$($_.Name): $($_.TlsAuthLevel) $($_.Enabled)" }
# Scopes: a function reads its caller's variables; its own stay inside.
$who = 'script'
function Show-Who { "sees $who"; $who = 'function'; "now $who" }
Show-Who
"after: $who"
$script:count = 0
function Add-One { $script:count++ }
Add-One; Add-One; Add-One
"count $count"
function Set-Global { $global:g = 'set' }
Set-Global
"global $g"
# return leaves the function; its earlier output stays.
function Find-First { param($Items) foreach ($i in $Items) { if ($i -gt 2) { return $i } }; 'none' }
Find-First 1, 5, 7
Find-First 1, 2
# Pipeline input: process runs once per item.
function Get-Domain {
    param([Parameter(ValueFromPipeline = $true)][string]$Address)
    begin { $n = 0 }
    process { $n++; ($Address -split '@')[1] }
    end { "$n addresses" }
}
'a@contoso.com', 'b@fabrikam.com' | Get-Domain
function Get-Cost { param([Parameter(ValueFromPipelineByPropertyName = $true)]$Name) process { "name=$Name" } }
Get-SendConnector | Sort-Object Name | Get-Cost
filter Get-Upper { $_.ToUpper() }
'x', 'y' | Get-Upper
$PSBoundParametersSeen = $null
function Show-Bound { param($A, $B) $PSBoundParameters.Keys -join ',' }
Show-Bound -B 1
# Script blocks called with & get their own scope; dot-sourced ones do not.
$sb = { param($p) $inner = "in $p"; $inner }
& $sb one
"inner after &: [$inner]"
. $sb two
"inner after .: [$inner]"
# $MyInvocation says what a function was called as.
function Show-Invocation { param($Server) "$($MyInvocation.MyCommand.Name) called as $($MyInvocation.InvocationName) with $($MyInvocation.BoundParameters.Keys)" }
Show-Invocation -Server EX01
