# Casts, [type] alone, -is/-isnot/-as, the bitwise operators, $Matches
# with named groups, and typed assignment, with their errors.
[string]42
([string]1.5).GetType().Name
[int]'42'
[int]2.5
[int]3.5
[int]'2.5'
[int]' 0x1F '
[int]''
[int]$true
[int]'abc'
[int]'3000000000'
[long]'3000000000'
[double]'1.25'
[decimal]'10.5'
[bool]'False'
[bool]0
[bool]@()
[char]65
[char]'x'
[int][char]'A'
[char]'xy'
[datetime]'2012-07-09 10:15'
([datetime]'07/09/2012').ToString('yyyy-MM-dd')
[datetime]'July 9, 2012 2:30 PM' | ForEach-Object { $_.ToString('HH:mm') }
[datetime]'not a date'
[datetime]$null
[timespan]'00:10:00' | ForEach-Object { $_.TotalSeconds }
[timespan]'1.00:00:00' -eq [timespan]::FromDays(1)
[timespan]'25:00:00'
[guid]'0F8FAD5B-D9CB-469F-A165-70867728950E'
[guid]'nope'
([regex]'(?<host>\w+)\.contoso\.com').Match('mail.contoso.com').Groups['host'].Value
[array]'one' | ForEach-Object { "item $_" }
([object[]]('a', 'b')).GetType().FullName
([string[]](1, 2)).GetType().FullName
[int[]]('1', '2', '3') | ForEach-Object { $_ * 2 }
[int[]]('1', 'x')
[hashtable]@{ a = 1 } | ForEach-Object { $_.GetType().Name }
[hashtable]'x'
$o = [pscustomobject]@{ Name = 'Internet'; Cost = 1; Enabled = $true }
$o
$o.Name
$o.GetType().FullName
$o | Format-List
[pscustomobject]'text'
$od = [ordered]@{ Zulu = 1; Alpha = 2; Mike = 3 }
$od
$od.GetType().FullName
$od.Keys -join ','
[void]'discarded'
[void](1 + 1)
if ([switch]$false) { 'on' } else { 'off' }
[Foo]'x'
[System.Collections.ArrayList]'x' | ForEach-Object { $_.GetType().Name }

# [type] alone, and type names
[string]
[int[]]
[System.Collections.Generic.List[string]]
[datetime].FullName
(5).GetType().Name
(5.5).GetType().FullName
@{}.GetType().Name
$true.GetType()

# -is, -isnot, -as
5 -is [int]
5 -is [long]
5 -is [double]
5 -is [ValueType]
'a' -is [string]
'a' -isnot [string]
$null -is [object]
@(1) -is [array]
@{} -is [hashtable]
$o -is [pscustomobject]
@{} -is [pscustomobject]
(Get-Date) -is [datetime]
[timespan]::Zero -is [timespan]
'5' -is 'int'
'5' -as [int]
('x' -as [int]) -eq $null
'2012-07-09' -as [datetime] | ForEach-Object { $_.Day }
$x = 'EX01'
$x -is [Foo]

# Bitwise operators
6 -band 3
6 -bor 3
6 -bxor 3
-bnot 5
1 -shl 4
256 -shr 2
1 -shl 31
0x10 -bor 1
[int]'7' -band 2

# -match and $Matches, named groups included
'John.Smith@contoso.com' -match '^(?<first>\w+)\.(?<last>\w+)@(?<domain>.+)$'
$Matches.first
$Matches['domain']
$Matches[0]
$Matches
'Hello World' -match '(\w+) (\w+)'
$Matches
'EX01 EX02' -replace '(?<srv>EX\d+)', '[${srv}]'

# Arithmetic past Int64 is a double; dates and time spans add up
[long]::MaxValue + 1
([datetime]'2012-07-09' - [timespan]'1.00:00:00').ToString('yyyy-MM-dd')
([timespan]'01:00:00' + [timespan]'00:30:00').ToString()

# Typed assignment
[int]$n = '5'
$n + 1
[string[]]$servers = 'EX01'
$servers.GetType().Name
[int]$bad = 'five'
