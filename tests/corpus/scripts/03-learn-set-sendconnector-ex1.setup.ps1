# The connector the example changes.
New-SendConnector -Name 'Contoso.com Send Connector' -AddressSpaces contoso.com | Out-Null
