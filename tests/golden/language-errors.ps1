# try/catch/finally, throw and the error preference, as scripts handle
# a partner's connector that is not there.
try {
    Get-SendConnector 'Missing Partner' -ErrorAction Stop
    'not reached'
} catch {
    "caught: $($_.Exception.Message)"
    "id: $($_.FullyQualifiedErrorId)"
    "category: $($_.CategoryInfo.Category)"
} finally {
    'finally runs'
}
# A non-terminating error is not caught; the script goes on.
try { Get-SendConnector 'Missing Partner' } catch { 'not caught' }
'after a non-terminating error'
# Typed catch clauses: the first that matches runs.
try { throw 'plain text' }
catch [System.IO.IOException] { 'io' }
catch [System.Management.Automation.RuntimeException] { "runtime: $_" }
catch { 'any' }
try { New-SendConnector -Name Bad -AddressSpaces 'SMTP:x.com;1' -TlsDomain x.com -ErrorAction Stop }
catch [Microsoft.Exchange.Data.Common.LocalizedException] { 'exchange error' }
catch { 'other' }
try { $zero = 0; 1 / $zero } catch { "zero: $($_.Exception.Message)" }
# $ErrorActionPreference = 'Stop' inside a function makes its errors
# terminating there alone.
function Get-Strict {
    $ErrorActionPreference = 'Stop'
    try { Get-SendConnector 'Nope'; 'not reached' } catch { 'strict caught' }
}
Get-Strict
"preference here: $ErrorActionPreference"
# An error thrown in a function reaches the caller's catch; finally runs
# on the way out.
function Invoke-Inner { try { throw 'deep failure' } finally { 'inner finally' } }
function Invoke-Outer { Invoke-Inner; 'not reached' }
try { Invoke-Outer } catch { "outer caught: $_" }
# Rethrow, and $Error keeps what was caught.
try { try { throw 'first' } catch { throw $_ } } catch { "rethrown: $($_.Exception.Message)" }
"errors recorded: $($Error.Count -ge 4)"
# A break in a finally-protected loop still runs the finally.
foreach ($n in 1..3) { try { if ($n -eq 2) { break }; "n $n" } finally { "finally $n" } }
# A statement-terminating error ends its statement: neither branch runs.
if ('abc'.Substring(9) -eq $null) { 'then' } else { 'else' }
'after the if'
# The exception's .NET type, as scripts log it.
try { Get-SendConnector 'Nope' -ErrorAction Stop } catch { "$($_.GetType().Name): $($_.Exception.GetType().FullName)" }
try { throw 'x' } catch [Exception] { $_.Exception.GetType().Name }
# An uncaught throw stops the script.
throw "Partner $('contoso.com') has no TLS"
'never printed'
