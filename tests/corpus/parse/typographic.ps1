New-SendConnector –Name ‘Contoso’ –AddressSpaces “contoso.com” –SmartHosts @{Add=“a.b.c”}
$c = Get-SendConnector x; $c.AddressSpaces += "y.com"
