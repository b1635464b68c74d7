# Source: https://learn.microsoft.com/exchange/mail-flow/connectors/internet-mail-send-connectors
# Title: Create a Send connector in Exchange Server to send mail to the internet (Exchange Management Shell example)
# Lines: the one concrete example block of the page (the syntax block with <Name> placeholders is not included)
# License: CC-BY-4.0 for the documentation text, MIT for code (MicrosoftDocs/OfficeDocs-Exchange Legal Notices)
New-SendConnector -Name "To internet" -AddressSpaces * -Internet
