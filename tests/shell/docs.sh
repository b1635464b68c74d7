#!/bin/bash
# docs.sh - documentation generated from the cmdlet table stays true:
# doc/cmdlets.md is exactly what the table says, every parameter has a
# help line, and Get-Help answers for every cmdlet.

. "${top_srcdir:-.}/tests/shell/lib.sh"

echo "1..3"
"$HUBSH" --dump-cmdlets >"$tap_tmp/cmdlets.md"
if cmp -s "$tap_tmp/cmdlets.md" "$top_srcdir/doc/cmdlets.md"; then
	tap_result 0 "doc/cmdlets.md matches hubsh --dump-cmdlets"
else
	diff -u "$top_srcdir/doc/cmdlets.md" "$tap_tmp/cmdlets.md" |
	    head -20 | sed 's/^/# /'
	tap_result 1 "doc/cmdlets.md matches hubsh --dump-cmdlets (regenerate it)"
fi

undocumented=$(grep -E '^\| `-' "$tap_tmp/cmdlets.md" | grep -E '\|[[:space:]]*\|[[:space:]]*$')
[ -z "$undocumented" ] && [ "$(grep -cE '^\| `-' "$tap_tmp/cmdlets.md")" -gt 50 ]
tap_result $? "every parameter has a help line"
[ -n "$undocumented" ] && echo "$undocumented" | sed 's/^/# /'

bad=0
for c in $(hub "$tap_tmp/s.db" -Command 'Get-Command | where { $_.CommandType -eq "Cmdlet" } | % { $_.Name }'); do
	out=$(hub "$tap_tmp/s.db" -Command "Get-Help $c" 2>&1)
	if ! echo "$out" | grep -q "SYNTAX" || ! echo "$out" | grep -qF "$c"; then
		echo "# Get-Help $c failed"
		bad=1
	fi
done
[ $bad -eq 0 ] && [ -n "$c" ]
tap_result $? "Get-Help answers for every cmdlet"
exit 0
