# Instance members: strings, dates, time spans, arrays, hashtables and
# the lists scripts build, GetType(), and the errors a wrong call gets.
$s = 'Send connector: Internet'
$s.Length
$s.Substring(16)
$s.Substring(0, 4)
$s.Substring(40)
$s.Substring(1, 2, 3)
$s.Substring(-1)
'a,b;c'.Split(',;')
('mail--relay'.Split('--')).Count
'mail--relay'.Split([string[]]@('--'), 'None')
'a,,b'.Split(',', [StringSplitOptions]::RemoveEmptyEntries)
'a,b,c'.Split(',', 2)
'[' + '  padded  '.Trim() + ']'
'xxEX01xx'.Trim('x')
'--EX01--'.TrimStart('-')
'--EX01--'.TrimEnd('-')
'EX01.contoso.com'.Replace('.contoso.com', '')
'Mixed Case'.ToLower()
'Mixed Case'.ToUpper()
'Mixed Case'.ToUpperInvariant()
'Mixed Case'.ToLowerInvariant()
$s.StartsWith('Send')
$s.StartsWith('send')
$s.EndsWith('internet', 'OrdinalIgnoreCase')
$s.Contains('Internet')
$s.Contains('internet')
$s.IndexOf('n')
$s.LastIndexOf('n')
$s.IndexOf('z')
'7'.PadLeft(3, '0')
'ab'.PadRight(5, '.')
'EX01'.Insert(2, '-')
'contoso.com'.Remove(7)
'contoso.com'.Remove(0, 8)
'abc'.Equals('ABC')
'abc'.Equals('abc')
'apple'.CompareTo('banana')
'EX'.ToCharArray()
$s.ToString()
$s.GetType()
$s.GetType().Name
$s.GetType().FullName
$s.GetType().BaseType.FullName
$s.NoSuchProperty
$s.Foo()
$null.Foo()

# DateTime
$d = Get-Date -Date '2012-07-09 10:15:03'
(Get-Date).Year -gt 2000
$d.Year
$d.Month
$d.Day
$d.Hour
$d.Minute
$d.Second
$d.Millisecond
$d.DayOfWeek
$d.DayOfYear
$d.Date
$d.TimeOfDay.ToString()
$d.Ticks
$d.AddDays(1).ToString('yyyy-MM-dd')
$d.AddHours(-12).ToString('yyyy-MM-dd HH:mm')
$d.AddMinutes(45).ToString('HH:mm')
$d.AddSeconds(57).ToString('HH:mm:ss')
$d.AddMilliseconds(1500).ToString('HH:mm:ss.fff')
$d.AddMonths(7).ToString('yyyy-MM-dd')
$d.AddYears(-2).ToString('yyyy-MM-dd')
$d.Subtract((Get-Date -Date '2012-07-01')).ToString()
$d.Subtract([timespan]'01:00:00').ToString('HH:mm')
$d.ToString()
$d.ToString('yyyy-MM-ddTHH:mm:ss')
$d.ToShortDateString()
$d.ToLongDateString()
$d.ToShortTimeString()
$d.CompareTo((Get-Date -Date '2013-01-01'))
$d.ToUniversalTime().ToLocalTime() -eq $d
"$d"
$start = Get-Date -Date '2012-07-09 09:00'
$elapsed = $d - $start
$elapsed.GetType().Name
$elapsed.ToString()
($start + [timespan]'00:30:00').ToString('HH:mm')
$d.AddDays('x')

# TimeSpan
$t = [timespan]'1.02:03:04.5'
$t.Days
$t.Hours
$t.Minutes
$t.Seconds
$t.Milliseconds
$t.Ticks
$t.TotalDays
$t.TotalHours
$t.TotalMinutes
$t.TotalSeconds
$t.TotalMilliseconds
$t.ToString()
[timespan]'00:05:00' | ForEach-Object { $_.ToString() }
'{0:hh\:mm\:ss}' -f $t
$t
$t | ConvertTo-Json
[pscustomobject]@{ Connector = 'Internet'; Timeout = $t } | ConvertTo-Csv -NoTypeInformation

# Arrays and hashtables
$a = 'EX01', 'EX02', 'EX03'
$a.Count
$a.Length
$a.Contains('EX02')
$a.Contains('ex02')
$a.IndexOf('EX03')
$a.GetType().FullName
$a.ToUpper()
$a.Foo()
$h = @{ Name = 'Internet'; Cost = 1 }
$h.Count
$h.ContainsKey('name')
$h.ContainsValue(1)
$h.Add('Enabled', $true)
$h.Count
$h.Add('Cost', 5)
$h.Remove('Cost')
$h.Keys | Sort-Object
$h.Values.Count
$h.GetType().FullName
$h.Clear()
$h.Count

# ArrayList and List[T]: Add changes the list every variable holds.
$list = New-Object System.Collections.ArrayList
$list.Add('EX01')
[void]$list.Add('EX02')
$null = $list.Add('EX03')
$list.Count
$list
$same = $list
$same.Remove('EX02')
$list.Count
$list.AddRange(@('EX04', 'EX05'))
$list -join ','
$list.Insert(0, 'EX00')
$list[0]
$list.RemoveAt(10)
$list.GetType().FullName
$al = [System.Collections.ArrayList]@()
$al.Count
$gl = [System.Collections.Generic.List[string]]::new()
$gl.Add('one')
$gl.Add(2)
$gl.Count
$gl[1].GetType().Name
$gl.Remove('one')
$gl.Remove('none')
$gl.GetType().Name
$gl.GetType().FullName
$sl = New-Object 'System.Collections.Generic.List[string]'
$sl.Add('EX01')
$sl.Count
$nl = New-Object 'System.Collections.Generic.List[int]'
$nl.Add('7')
$nl.Add('x')
$nl
$list | ForEach-Object { $_.ToLower() }
'ex01', 'ex02' | ForEach-Object ToUpper
