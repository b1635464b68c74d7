# The example resumes a suspended queue for Fourthcoffee.com.
Suspend-Queue -Filter "NextHopDomain -eq 'fourthcoffee.com'" -Confirm:$false
