# What scripts use to find their files and to talk to the admin:
# $PSScriptRoot, Join-Path, Test-Path, Write-Warning, Write-Verbose,
# Start-Sleep, and Read-Host, which a batch run refuses.
$csv = Join-Path $PSScriptRoot 'paths-streams.ps1'
Test-Path $csv
Test-Path $csv -PathType Container
Test-Path $PSScriptRoot -PathType Container
Test-Path (Join-Path $PSScriptRoot 'no-such-file.csv')
Test-Path 'paths-*.ps1'
Test-Path -LiteralPath 'paths-*.ps1'
$PSScriptRoot.EndsWith('/golden')
Join-Path 'conf/' '/partners.csv'
'a', 'b/' | Join-Path -ChildPath 'c'
Write-Warning "Partner $($csv.Length -gt 0) checked"
Write-Verbose 'not shown without -Verbose'
Write-Verbose 'shown' -Verbose
$VerbosePreference = 'Continue'
'piped' | Write-Verbose
$out = Write-Warning 'warnings are not output'
$null -eq $out
Start-Sleep -Milliseconds 20
'slept'
Read-Host 'Partner domain'
# Split-Path splits at / and at \, so a published script's paths split too.
Split-Path 'C:\Scripts\Logs\today.log' -Leaf
Split-Path 'C:\Scripts\Logs\today.log'
Split-Path '/var/log/hubsh/' -Parent
Split-Path '/x'
"[$(Split-Path 'file.txt')]"
Split-Path '/etc/hubsh', 'relative/dir' -IsAbsolute
(Split-Path -Leaf $PSCommandPath) -eq $MyInvocation.MyCommand.Name
# Test-Path takes .\ and backslashes as the file cmdlets do.
Test-Path .\paths-streams.ps1
Test-Path "$PSScriptRoot\paths-streams.ps1"
