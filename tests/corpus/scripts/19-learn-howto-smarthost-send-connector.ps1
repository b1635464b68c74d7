# Source: https://learn.microsoft.com/exchange/mail-flow/connectors/outbound-smart-host-routing
# Title: Create a Send connector to route outbound mail through a smart host (Exchange Management Shell example)
# Lines: the one concrete example block of the page (the syntax block with <Name> placeholders is not included)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/OfficeDocs-Exchange Legal Notices)
New-SendConnector -Name "Smart host to Internet" -AddressSpaces * -Custom -DNSRoutingEnabled $false -SmartHosts 192.168.3.2 -SmartHostAuthMechanism None
