# Source: https://github.com/microsoft/CSS-Exchange/issues/1999
# Title: [Issue] - Health Checker throwing a warning for TlsDomain, but unable to change (Q&A thread, 2024-02-15)
# Lines: the two commands quoted in the thread (issue description and first reply by dzampino); both fail in Exchange with "The TLSDomain parameter can only be set if the TLSAuthLevel parameter is set to DomainValidation." when the connector's TlsAuthLevel is CertificateValidation
# License: not stated (GitHub issue text)
Get-SendConnector | Set-SendConnector -TlsDomain 'mail.protection.outlook.com'
Set-SendConnector -Identity "MX to EOP" -TlsDomain 'mail.protection.outlook.com'
