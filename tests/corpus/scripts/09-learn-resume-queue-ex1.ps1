# Source: https://learn.microsoft.com/powershell/module/exchangepowershell/resume-queue
# Title: Resume-Queue - Example 1
# Lines: all (Example 1 code block)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/office-docs-powershell Legal Notices)
Resume-Queue -Server Server1.contoso.com -Filter "NextHopDomain -eq 'Fourthcoffee.com'"
