# A prime where a quote was meant: the whole script is refused before
# anything runs, and the error names the character and its column.
New-SendConnector -Name Fine -AddressSpaces fine.example
New-SendConnector -Name ′Primes′ -AddressSpaces x.example
