# [type]::Member: the static members of the .NET types admin scripts
# call, their output as Windows PowerShell 5.1 shows it, and their
# errors.  Values that change from run to run (a new GUID, now, the
# machine) are checked, not printed.
$names = 'EX01', 'EX02', 'EX03'
[string]::Join('|', $names)
[string]::Join(', ', 'a', 'b')
[string]::IsNullOrEmpty('')
[string]::IsNullOrEmpty($null)
[string]::IsNullOrEmpty(' ')
[string]::IsNullOrWhiteSpace(" `t")
[string]::Format('{0} has {1:N0} messages', 'EX01', 12345)
'[' + [string]::Empty + ']'
[String]::Concat('smtp', ':', 'contoso.com')
[string]::Compare('a', 'B')
[string]::Equals('a', 'A')
[string]::Format('{0} {1}', 'only one')

# Math: banker's rounding by default.
[math]::Round(2.5)
[math]::Round(3.5)
[math]::Round(-2.5)
[math]::Round(2.567, 2)
[math]::Round(2.5, [MidpointRounding]::AwayFromZero)
[math]::Round(2.5, 'AwayFromZero')
[math]::Round(1.23456, 16)
[math]::Floor(2.7)
[math]::Ceiling(2.1)
[math]::Max(3, 7)
[math]::Min(2.5, 1)
[math]::Abs(-4)
[math]::Pow(2, 10)
[math]::Sqrt(2)
[math]::Truncate(-2.7)
[math]::PI
[math]::Round([math]::PI, 4)
[math]::Max(1)
[math]::Foo(1)
[math]::NoSuchProperty

# Guid
$g = [guid]::NewGuid()
$g.Guid -match '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
$g.ToString() -eq $g.Guid
$g.GetType().FullName
[guid]::Empty
[guid]::Empty.ToString('N')
[guid]::Parse('{0F8FAD5B-D9CB-469F-A165-70867728950E}').Guid
[guid]::Parse('not-a-guid')

# Regular expressions
$m = [regex]::Match('Sent to john@contoso.com', '(?<user>\w+)@(?<domain>[\w.]+)')
$m
$m.Success
$m.Value
$m.Index
$m.Groups['domain'].Value
$m.Groups[1].Value
[regex]::Match('abc', 'x').Success
[regex]::Matches('a1b22c333', '\d+') | ForEach-Object { $_.Value }
([regex]::Matches('a1b22c333', '\d+')).Count
[regex]::Replace('EX01-EX02', 'EX(\d+)', 'MBX$1')
[regex]::Escape('smtp.contoso.com (1)')
[regex]::IsMatch('ABC', 'b')
[regex]::IsMatch('ABC', 'b', 'IgnoreCase')
[regex]::Split('a1b2c', '\d')

# Paths (POSIX)
[System.IO.Path]::Combine('/var/log', 'hubsh', 'send.log')
[IO.Path]::Combine('/var/log', '/tmp/x')
[IO.Path]::GetFileName('/var/log/hubsh/send.log')
[IO.Path]::GetFileNameWithoutExtension('/var/log/hubsh/send.log')
[IO.Path]::GetExtension('/var/log/hubsh/send.log')
[IO.Path]::GetDirectoryName('/var/log/hubsh/send.log')
[IO.Path]::GetTempPath().EndsWith('/')

# DateTime and TimeSpan
$now = [datetime]::Now
$now -is [datetime]
([datetime]::Today -le $now) -and ($now.Date -eq [datetime]::Today)
[datetime]::UtcNow -is [datetime]
[datetime]::Parse('2012-07-09 10:15:03')
[datetime]::ParseExact('09.07.2012 10:15', 'dd.MM.yyyy HH:mm', $null).ToString('yyyy-MM-dd HH:mm')
[datetime]::ParseExact('2012-07-09', 'yyyyMMdd', [Globalization.CultureInfo]::InvariantCulture)
[DateTime]::MinValue
[DateTime]::MaxValue.Year
[datetime]::DaysInMonth(2024, 2)
[datetime]::Parse('not a date')
[timespan]::FromDays(1.5).ToString()
[timespan]::FromHours(2).ToString()
[timespan]::FromMinutes(5)
[timespan]::FromSeconds(90).ToString()
[timespan]::Parse('1.02:03:04').TotalHours
[timespan]::Zero.ToString()
[timespan]::Parse('x')

# Numbers, the environment, Convert
[int]::MaxValue
[int]::MinValue
[int]::Parse('42') + 1
[int]::Parse('4.2')
[long]::MaxValue
[double]::Parse('1.5') * 2
[Environment]::MachineName.Length -gt 0
[System.Environment]::UserName.Length -gt 0
[Environment]::NewLine -eq "`n"
[convert]::ToInt32('ff', 16)
[convert]::ToInt32(2.5)
[convert]::ToString(255, 2)
$bytes = [Text.Encoding]::UTF8.GetBytes('hubsh')
$bytes.GetType().FullName
[convert]::ToBase64String($bytes)
[Text.Encoding]::UTF8.GetString([convert]::FromBase64String('aHVic2g='))
[convert]::ToInt32('12abc')
[Foo]::Bar
