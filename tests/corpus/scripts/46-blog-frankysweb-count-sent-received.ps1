# Source: https://frankysweb.de/en/exchange-2010-anzahl-gesendete-oder-empfangene-nachrichten-zahlen/amp
# Title: Exchange 2010: Count number of sent or received messages (blog, FrankysWeb, English edition)
# Lines: both one-liners of the post, verbatim (German low-9 and high-6 quotation marks „ “ and dd.MM.yyyy dates as published)
# License: not stated
(Get-MessageTrackingLog -Start „03.10.2012 00:00:00“ -End „03.10.2012 23:59:00“ -EventId SEND).count
(Get-MessageTrackingLog -Start „03.10.2012 00:00:00“ -End „03.10.2012 23:59:00“ -EventId RECEIVE).count
