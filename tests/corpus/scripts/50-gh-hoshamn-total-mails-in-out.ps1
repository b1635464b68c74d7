# Source: https://github.com/hoshamn/Exchange-PowerShell-Scripts/blob/63d2e917c52875f86d9273e028e671228bca7221/Total%20Inbound%20and%20outbound%20emails/total_mails_In_Out.ps1
# Title: total_mails_In_Out.ps1 - count sent/received messages per mailbox from the tracking log
# Lines: all (CRLF line endings as in the source file)
# License: not stated
$From = "4/20/2022"
 $To = "4/24/2022"
    
 $intSent = 0
 $intRec = 0
    
 $Mailboxes = Get-Mailbox -ResultSize unlimited  | where {$_.RecipientTypeDetails -eq "UserMailbox"}
    
 foreach ($Mailbox in $Mailboxes){
 Get-TransportService | Get-MessageTrackingLog -Sender $Mailbox.PrimarySmtpAddress -ResultSize Unlimited -Start $From -End $To | ForEach {
     If ($_.EventId -eq "RECEIVE" -and $_.Source -eq "SMTP") {
         $intSent ++
     }
 }
    
 Get-TransportService | Get-MessageTrackingLog -Recipients $Mailbox.PrimarySmtpAddress -ResultSize Unlimited -Start $From -End $To | ForEach {
     If ($_.EventId -eq "DELIVER") {
         $intRec ++
     }
 }
 }
    
 Write-Host "`nResult:`n--------------------`n"
 Write-Host "Total Sent:"$intSent""
 Write-Host "Total Receive:"$intRec""
 Write-Host "`n--------------------`n"
