# The file defines Get-ExchangeSendConnector.  The call is the example of
# its help, then the function alone.
. .\29-gh-posh365-get-exchangesendconnector.ps1
Get-ExchangeSendConnector | Export-Csv c:\scripts\RecCons.csv -notypeinformation -encoding UTF8
Get-ExchangeSendConnector
