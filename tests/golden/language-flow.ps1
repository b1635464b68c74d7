# Loops, switch, break and continue, as admin scripts use them.
$i = 0
while ($i -lt 3) { $i++; "while $i" }
do { $i-- } until ($i -le 0)
"after do-until: $i"
do { $i += 2 } while ($i -lt 5)
"after do-while: $i"
for ($j = 0; $j -lt 5; $j++) {
    if ($j -eq 1) { continue }
    if ($j -eq 3) { break }
    "for $j"
}
$total = 0
foreach ($n in 1..10) { if ($n % 2) { continue }; $total += $n }
"sum of evens: $total"
:outer foreach ($a in 1..3) {
    foreach ($b in 1..3) {
        if ($b -eq 2) { continue outer }
        if ($a -eq 3) { break outer }
        "pair $a,$b"
    }
}
# A break inside ForEach-Object leaves the loop around it.
foreach ($x in 'a', 'b') { 1..5 | ForEach-Object { if ($_ -eq 3) { break }; "$x$_" } }
"after break in ForEach-Object"
# return in a ForEach-Object block goes on with the next item.
1..4 | ForEach-Object { if ($_ -eq 2) { return }; "item $_" }
# switch: every matching clause runs; default when none did.
switch (3) { 1 { 'one' } 3 { 'three' } { $_ -gt 2 } { 'more than two' } default { 'none' } }
switch -Wildcard ('mail.contoso.com', 'relay.fabrikam.net', 'other') {
    '*.contoso.com' { "contoso: $_" }
    '*.net' { "net: $_"; continue }
    'relay*' { "not reached for $_" }
    default { "no match: $_" }
}
switch -Regex ('SMTP:partner.com;5') {
    '^smtp:([^;]+);(\d+)$' { "domain $($Matches[1]) cost $($Matches[2])" }
}
switch -CaseSensitive ('ABC') { 'abc' { 'lower' } 'ABC' { 'upper' } }
switch ('a', 'b', 'c') { 'b' { 'found b'; break } default { "other $_" } }
$k = 10
$k *= 3; $k -= 5; $k /= 5; $k %= 3
"k = $k"
$h = @{}; $h['first'] = 1; $h.second = 2
"keys: $(($h.Keys | Sort-Object) -join ',')"
$list = 1, 2, 3; $list[0] = 'x'; $list[-1] = 'z'
$list -join ' '
