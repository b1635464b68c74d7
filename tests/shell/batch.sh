#!/bin/bash
# batch.sh - what one more cmdlet costs in a long batch run: page faults
# per New-SendConnector and per Set-SendConnector, from the difference
# between a batch of 30 and one of 300 (start-up and opening the store
# cancel out).  A New-SendConnector used to cost 11 to 18: SQLite's
# RETURNING built a temporary table per statement, and glibc gave the
# freed top of the heap back to the kernel after each cmdlet, to be
# faulted in again by the next one.  Under the sanitizers the allocator
# is ASan's, so the figures mean nothing there and the cases are skipped.

. "${top_srcdir:-.}/tests/shell/lib.sh"

LIMIT=3		# page faults per cmdlet; about 0.5 now, 11 to 18 before

echo "1..2"

# faults STORE SCRIPT: minor page faults of hubsh running SCRIPT.
faults() {
	/usr/bin/python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt)' \
	    "$HUBSH" --store "$1" --server EX01 -NonInteractive -File "$2"
}

if readelf -d "$HUBSH" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
	echo "ok 1 # SKIP New-SendConnector page faults: sanitizer build"
	echo "ok 2 # SKIP Set-SendConnector page faults: sanitizer build"
	exit 0
fi

declare -A new set
for n in 30 300; do
	awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "New-SendConnector -Name '\''c%d'\'' -AddressSpaces '\''c%d.example'\'' -SmartHosts '\''mx.c%d.example'\'' -DNSRoutingEnabled $false | Out-Null\n", i, i, i }' >"$tap_tmp/new$n.ps1"
	awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "Set-SendConnector '\''c%d'\'' -Port 2525 -RequireTLS $true -TlsAuthLevel EncryptionOnly\n", i }' >"$tap_tmp/set$n.ps1"
	new[$n]=$(faults "$tap_tmp/s$n.db" "$tap_tmp/new$n.ps1")
	set[$n]=$(faults "$tap_tmp/s$n.db" "$tap_tmp/set$n.ps1")
done
made=$(hub "$tap_tmp/s300.db" -Command '(Get-SendConnector | ? { $_.Port -eq 2525 }).Count')

per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 270 }'; }
p=$(per "${new[30]}" "${new[300]}")
[ "$made" = 300 ] && awk -v p="$p" -v l="$LIMIT" 'BEGIN { exit !(p <= l) }'
tap_result $? "New-SendConnector in a batch: $p page faults each (at most $LIMIT)"
p=$(per "${set[30]}" "${set[300]}")
[ "$made" = 300 ] && awk -v p="$p" -v l="$LIMIT" 'BEGIN { exit !(p <= l) }'
tap_result $? "Set-SendConnector in a batch: $p page faults each (at most $LIMIT)"

exit 0
