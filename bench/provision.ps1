# provision.ps1 - one Send connector per partner, read from a CSV file
# and made through a function, as an admin's provisioning script does.
# Run by bench/provision.sh (hubsh -File), which writes partners.csv
# beside this script: a Name,Domain header, then one partner a row.
#
# Each New-SendConnector is one committed transaction: a script stopped
# half-way leaves the partners it finished, each one whole.

function New-PartnerConnector {
	param([string]$Name, [string]$Domain)

	New-SendConnector -Name $Name -AddressSpaces "SMTP:$Domain;1" `
	    -SmartHosts "mx.$Domain" -DNSRoutingEnabled $false `
	    -RequireTLS $true -TlsAuthLevel DomainValidation `
	    -TlsDomain $Domain | Out-Null
}

$csv = Join-Path $PSScriptRoot 'partners.csv'
foreach ($row in Import-Csv $csv) {
	New-PartnerConnector -Name $row.Name -Domain $row.Domain
}
