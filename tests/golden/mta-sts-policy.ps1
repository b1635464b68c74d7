# Get-MtaStsPolicy (hubsh's own) without a hubd to answer, and its
# parameters refused before hubd is asked.
Get-MtaStsPolicy
Get-MtaStsPolicy contoso.com
Get-MtaStsPolicy -Domain CONTOSO.COM -Server EX01
Get-MtaStsPolicy -Domain $null -Server ex01.contoso.com
"after no hubd: $?"
Get-MtaStsPolicy -Server EX02
Get-MtaStsPolicy 'contoso com'
Get-MtaStsPolicy '*.contoso.com'
Get-MtaStsPolicy -Domain contoso.com.
Get-MtaStsPolicy contoso.com fabrikam.com
Get-MtaStsPolicy -Identity contoso.com
Get-MtaStsPolicy -Domain
Get-MtaStsPolicy -ErrorAction SilentlyContinue
"silently: $? $($Error.Count)"
