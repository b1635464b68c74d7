# Source: https://github.com/billreed72/Exchange2010Goodies/blob/969e1bf8c8f8ec3b32d2884896c6e8f83f3ea97e/buildGoogleAppsSendConnector.ps1
# Title: buildGoogleAppsSendConnector.ps1 - smart host Send connector to smtp.gmail.com (parameters on separate lines WITHOUT line-continuation backticks, as published)
# Lines: all (trailing spaces at line ends kept)
# License: not stated

new-SendConnector 
  -Name 'GoogleApps Sending' 
  -Usage 'Internal' 
  -AddressSpaces 'SMTP:*;1' 
  -IsScopedConnector $false 
  -DNSRoutingEnabled $false 
  -SmartHosts 'smtp.gmail.com' 
  -SmartHostAuthMechanism 'BasicAuthRequireTLS' 
  -UseExternalDNSServersEnabled $false 
  -AuthenticationCredential 'System.Management.Automation.PSCredential' 
  -SourceTransportServers 'DEX'


