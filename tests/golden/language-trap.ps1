# trap: continue, a typed trap, a trap that writes the error, break to the caller's trap.
trap { "trapped: $($_.Exception.Message)"; continue }
"one"
throw "boom"
"two"
Get-SendConnector nosuch -ErrorAction Stop
"three"
function f {
    trap [System.Management.Automation.RuntimeException] { "f trapped $_"; continue }
    "in f"; throw "inner"; "after inner"
}
f
function g { trap { "g trap, writing" } ; "g1"; throw "gerr"; "g2" }
g
$Error.Count
function h { trap { "h trap, break"; break }; "h1"; throw "herr"; "h2" }
h
"not reached"
# -is and -as with error records and exception types.
try { Get-Content "$env:TMPDIR/nonexistent.txt" -ErrorAction Stop } catch {
    $_ -is [System.Management.Automation.ErrorRecord]
    $_.Exception -is [System.Management.Automation.ItemNotFoundException]
    $_.Exception -is [System.Management.Automation.RuntimeException]
    $_.Exception -is [System.IO.IOException]
    ($_.Exception -as [Exception]).GetType().FullName
    'text' -is [Exception]
}
