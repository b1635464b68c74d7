# A stand-in for CSS-Exchange's Helpers/Invoke-CatchActions.ps1, which
# keeps the error it is called for: this one shows it.
function Invoke-CatchActions {
    param(
        [object]$CurrentError = $Error[0]
    )
    Write-Host "Invoke-CatchActions: $CurrentError"
}
