# -replace, -split and -f as admin scripts use them, and a statement
# that starts with a unary operator.
'a.b.c' -replace '\.', '-'
'451 4.4.0 DNS query failed' -match '^4\d\d (\d\.\d\.\d)'
$Matches[1]
'x-1.5' -replace '[\d.]+', 'N'
'Hello World' -replace '(\w+) (\w+)', '$2 $1'
'abc' -replace 'B'
'abc' -creplace 'B', 'x'
'mail.contoso.com', 'smtp.contoso.com' -replace '\.contoso\.com$', '.fabrikam.com'
('a,b,,c' -split ',').Count
'a,b,c' -split ',', 2
(-split '  red  green ').Count
-join ('a', 'b')
-not $true
'{0,-8}|{1,6}|' -f 'x', 42
'{0:N2} {1:N0} {2:F1}' -f 1234.5, 1234567, 2.25
'{0:D3} {1:X} {2:x4} {3:P1}' -f 7, 255, 255, 0.125
'{{{0}}} {1:0.00} {2:#,##0}' -f 5, 3.14159, 1234567
'{0:yyyy-MM-dd}' -f (Get-Date '2024-03-01')
$name='Partner'; $n=3
"{0} has {1} hosts" -f $name, $n
'{1}' -f 'a'
'x' -replace 'a', 'b', 'c'
