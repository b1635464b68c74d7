# A stand-in for CSS-Exchange's Shared/ScriptUpdateFunctions/
# Test-ScriptVersion.ps1, which looks for a newer release online: no
# update here.
function Test-ScriptVersion {
    param(
        [switch]$AutoUpdate
    )
    return $false
}
