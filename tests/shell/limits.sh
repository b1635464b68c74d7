#!/bin/bash
# limits.sh - input at the edges of what hubsh takes: nesting past the
# limit of the lexer, the parser and the evaluator.  Every case must be an
# ordinary error (exit status 1, PowerShell's message), never a crash,
# also under the sanitizers.

. "${top_srcdir:-.}/tests/shell/lib.sh"

echo "1..9"
s="$tap_tmp/s.db"
complex='Processing was stopped because the script is too complex.'
overflow='The script failed due to call depth overflow.'

# rep TEXT N: TEXT N times (by doubling: bash copies a string per +=).
rep() {
	local out= piece=$1 n=$2
	while [ "$n" -gt 0 ]; do
		[ $((n & 1)) -eq 1 ] && out+=$piece
		piece+=$piece
		n=$((n >> 1))
	done
	printf '%s' "$out"
}

# deep NAME WANT-MESSAGE: run $tap_tmp/NAME.ps1; exit 1, the message on
# standard error, nothing from a sanitizer, no signal.
deep() {
	local out rc
	out=$(timeout 120 "$HUBSH" --store "$s" --server EX01 -NonInteractive \
	    -File "$tap_tmp/$1.ps1" 2>&1 </dev/null)
	rc=$?
	if [ $rc -ne 1 ] || ! grep -qF -- "$2" <<<"$out" ||
	    grep -qE 'Sanitizer|runtime error:' <<<"$out"; then
		echo "# $1: exit $rc"
		head -c 2000 <<<"$out" | grep -E 'Sanitizer|runtime error|Processing|overflow|Fully' | sed 's/^/# /'
		return 1
	fi
}

{ printf '1 -and '; rep '!' 50000; printf '1\n'; } >"$tap_tmp/unary.ps1"
deep unary "$complex"
tap_result $? "50,000 unary operators: too complex, no crash"

{ rep '[int]' 20000; printf '1\n'; } >"$tap_tmp/cast.ps1"
deep cast "$complex"
tap_result $? "20,000 casts: too complex, no crash"

{ rep '"$(' 5000; printf '1'; rep ')"' 5000; printf '\n'; } >"$tap_tmp/strings.ps1"
deep strings "$complex"
tap_result $? "5,000 nested \"\$( )\" strings: too complex, no crash"

{ printf '$a = @(1)\n$a'; rep '[0]' 100000; printf '\n'; } >"$tap_tmp/index.ps1"
deep index "$complex"
tap_result $? "100,000 indexes in a chain: too complex, no crash"

{ printf "'x'"; rep '.Length' 100000; printf '\n'; } >"$tap_tmp/member.ps1"
deep member "$complex"
tap_result $? "100,000 member accesses in a chain: too complex, no crash"

{ printf '1'; rep '+1' 100000; printf '\n'; } >"$tap_tmp/sum.ps1"
{ rep '$a = ' 50000; printf '1\n'; } >"$tap_tmp/assign.ps1"
deep sum "$complex" && deep assign "$complex"
tap_result $? "100,000 additions, 50,000 assignments: too complex, no crash"

{ rep 'if (' 20000; printf '1'; rep ') { 1 }' 20000; printf '\n'; } >"$tap_tmp/if.ps1"
{ rep '@{a=' 20000; printf '1'; rep '}' 20000; printf '\n'; } >"$tap_tmp/hash.ps1"
{ rep '1 | % {' 20000; rep '}' 20000; printf '\n'; } >"$tap_tmp/block.ps1"
deep if "$complex" && deep hash "$complex" && deep block "$complex"
tap_result $? "20,000 nested conditions, hashtables, script blocks: too complex"

printf '$s = { 1 | %% $s }\n1 | %% $s\n"not reached"\n' >"$tap_tmp/recurse.ps1"
deep recurse "$overflow" &&
    ! grep -q 'not reached' < <("$HUBSH" --store "$s" -NonInteractive -File "$tap_tmp/recurse.ps1" 2>/dev/null)
tap_result $? "a script block running itself: call depth overflow stops the script"

# Just below the limit everything still works.
{ rep '(' 199; printf '1'; rep ')' 199; printf '\n'; rep '"$(' 199; printf '2'; \
    rep ')"' 199; printf '\n$a = @(3)\n$a'; rep '[0]' 198; printf '\n'; } >"$tap_tmp/fine.ps1"
out=$(hub "$s" -File "$tap_tmp/fine.ps1" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$out" = "$(printf '1\n2\n3')" ]
tap_result $? "199 levels of parentheses, strings and indexes still run (exit $rc)"
exit 0
