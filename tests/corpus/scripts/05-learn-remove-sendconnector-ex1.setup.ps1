# The connector the example removes.
New-SendConnector -Name 'Contoso.com Send Connector' -AddressSpaces contoso.com | Out-Null
