# hubsh's TLS-RPT settings (Set-TransportService): off by default, the
# report's organization name and contact, and what is refused.
Get-TransportService | Format-List TlsRpt*
Set-TransportService -TlsRptEnabled $true -TlsRptOrganizationName 'Contoso Ltd' -TlsRptContactInfo 'tls-reports@contoso.com'
Get-TransportService | Format-List TlsRpt*
(Get-TransportService).TlsRptEnabled.GetType().Name
# The same values again: nothing to change.
Set-TransportService -TlsRptEnabled $true
# $null: the FQDN again, no contact.
Set-TransportService -TlsRptOrganizationName $null -TlsRptContactInfo $null
Get-TransportService | Format-List TlsRpt*
# Refused, and nothing changes.
Set-TransportService -TlsRptContactInfo 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
Set-TransportService -TlsRptOrganizationName "Contoso`nLtd"
Get-TransportService | Format-List TlsRpt*
Set-TransportService -TlsRptEnabled $false
(Get-TransportService).TlsRptEnabled
