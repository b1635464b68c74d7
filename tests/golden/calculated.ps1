# Calculated properties in Format-List, Format-Table and Select-Object:
# {script blocks} labelled with their text, @{Name/Label=...;
# Expression=...} hashtables; property names without case; -and inside a
# Where-Object script block; the same line with typographic quotes and
# dashes, as pasted from an article.
New-SendConnector -Name Internet -AddressSpaces '*' -Usage Internet | Out-Null
New-SendConnector -Name Partner -AddressSpaces 'partner.example','b.example;5' -Usage Partner | Out-Null

Get-SendConnector | fl Name,{$_.AddressSpaces},Enabled
Get-SendConnector | fl Name,{ $_.AddressSpaces.Count },@{Label='Spaces';Expression={$_.AddressSpaces -join ', '}},@{n='Next port';e={$_.Port + 1}}
Get-SendConnector | fl @{e='Name'},@{l='Cost';e={5}},@{Name='Domains';Expression='AddressSpaces'}
Get-SendConnector | ft Name,{$_.AddressSpaces},@{n='Count';e={$_.AddressSpaces.Count}} -AutoSize
Get-SendConnector | ft @{Label='Connector';Expression='Name';Width=12},@{l='TLS';e={$_.RequireTLS};Alignment='Left'},{$_.Port}
Get-SendConnector | select Name,@{n='Recipients';e={$_.AddressSpaces -join ';'}},@{Label='Cost';Expression={5}},{$_.Enabled} | fl

# Property names match without case; labels keep the object's spelling.
Get-SendConnector | select name,ADDRESSSPACES | ft -AutoSize
(Get-SendConnector Internet).addressSPACES
Get-SendConnector | where {$_.requiretls -eq $false -and $_.NAME -like 'p*'} | fl name

# Keys the cmdlet does not know, and a missing Expression.
Get-SendConnector | fl Name,@{n='x';e={1};Width=5}
Get-SendConnector | ft @{n='x'}
Get-SendConnector | select @{n='x';e={1};w=1}

# Message-tracking-like objects and the article's filter.
$m1 = New-Object PSObject -Property @{Timestamp=(Get-Date -Date '2012-07-09 10:15:03'); EventId='RECEIVE'; Sender='someone@example.com'; Recipients='a@example.org','b@example.org'; ConnectorId='EX01\Default EX01'}
$m2 = New-Object PSObject -Property @{Timestamp=(Get-Date -Date '2012-07-09 10:15:04'); EventId='SEND'; Sender='someone@example.com'; Recipients='a@example.org','b@example.org'; ConnectorId='Internet'}
$m3 = New-Object PSObject -Property @{Timestamp=(Get-Date -Date '2012-07-09 11:00:00'); EventId='SEND'; Sender='other@example.com'; Recipients='c@example.org'; ConnectorId='Internet'}
$log = $m1, $m2, $m3
$log | where {$_.Sender -eq "someone@example.com" -and $_.EventID -eq "SEND"} | fl Sender,{$_.Recipients},Timestamp,ConnectorId
$log | where {$_.Sender -eq “someone@example.com” –and $_.EventID -eq “SEND”} | fl Sender,{$_.Recipients},Timestamp,ConnectorId
$log | where {$_.Sender –eq ‘someone@example.com’ —and $_.EventID –eq ‘SEND’} | fl Sender,{$_.Recipients},Timestamp,ConnectorId
$log | where {$_.sender -eq "SOMEONE@example.com" -and $_.eventid -eq "send"} | ft EventId,{$_.Recipients},@{n='To';e={$_.Recipients -join ';'}} -AutoSize
$log | where {$_.EventID -eq "SEND" -and $_.Recipients -contains 'c@example.org'} | select Sender,@{n='Recipients';e={$_.Recipients -join ';'}} | ConvertTo-Csv -NoTypeInformation

# The article's line, straight and typographic, parses as one pipeline
# (a script block is parsed, not run: Get-MessageTrackingLog needs hubd).
$article = { Get-MessageTrackingLog -Resultsize Unlimited -Start 2012-07-09 -End 2012-07-10 | where {$_.Sender -eq "someone@example.com" -and $_.EventID -eq "SEND"} | fl Sender,{$_.Recipients},Timestamp,ConnectorId }
$pasted = { Get-MessageTrackingLog –Resultsize Unlimited –Start 2012-07-09 –End 2012-07-10 | where {$_.Sender -eq “someone@example.com” –and $_.EventID -eq “SEND”} | fl Sender,{$_.Recipients},Timestamp,ConnectorId }
"both forms parsed"
