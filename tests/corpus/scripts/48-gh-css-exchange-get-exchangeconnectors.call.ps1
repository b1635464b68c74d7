# The file defines Get-ExchangeConnectors; Health Checker calls it with
# the server's name.
. .\48-gh-css-exchange-get-exchangeconnectors.ps1
Get-ExchangeConnectors -ComputerName Server1 -Verbose
