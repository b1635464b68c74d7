# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/get-message
# Title: Get-Message - Examples 1-3
# Lines: all (Examples 1, 2, 3 code blocks, in page order)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Get-Message -Filter "FromAddress -like '*@contoso.com'" | Format-List
Get-Message -Filter "FromAddress -like '*@contoso.com' -and SCL -gt 3"
Get-Message -Server Server01.contoso.com -SortOrder: +FromAddress,-Size
