#!/bin/bash
# limits.sh - input at the edges of what hubsh takes: nesting past the
# limit of the lexer, the parser and the evaluator, and NUL characters,
# which hubsh's strings cannot hold.  Every case must be an ordinary error
# (exit status 1, a message with the position), never a crash or a
# silently shortened string, also under the sanitizers.

. "${top_srcdir:-.}/tests/shell/lib.sh"

echo "1..13"
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
# Values nested deep at run time: an array inside an array 100,000 times
# is freed and made a string without recursion; an inner array is its
# type name in a string, as in PowerShell.
printf '$a = 1\n1..100000 | %% { $a = $a, 1 }\n"$a"\n$x = @(@(1, 2), 3); "$x"\n' \
    >"$tap_tmp/nested.ps1"
out=$(timeout 120 "$HUBSH" --store "$s" --server EX01 -NonInteractive \
    -File "$tap_tmp/nested.ps1" 2>&1 </dev/null); rc=$?
[ $rc -eq 0 ] && [ "$out" = "System.Object[] 1
System.Object[] 3" ]
tap_result $? "an array nested 100,000 deep becomes a string and is freed (exit $rc)"

# NUL: refused with its line and column, before anything runs.
nulmsg='The character NUL (U+0000) is not allowed in a hubsh script'
printf "'first'\n\$x = 'a\0b'\n\$x.Length\n" >"$tap_tmp/nul.ps1"
out=$(hub "$s" -File "$tap_tmp/nul.ps1" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -qF "$nulmsg" <<<"$out" &&
    grep -qF "At $tap_tmp/nul.ps1:2 char:8" <<<"$out" &&
    ! grep -qx 'first' <<<"$out" && ! grep -qx '1' <<<"$out"
tap_result $? "a NUL byte in a quoted string of a -File script is refused at line 2 char 8 (exit $rc)"

out=$("$HUBSH" --store "$s" --server EX01 2>&1 <"$tap_tmp/nul.ps1"); rc=$?
[ $rc -eq 1 ] && grep -qF "$nulmsg" <<<"$out" &&
    grep -qF 'At line:2 char:8' <<<"$out" && ! grep -qx '1' <<<"$out"
tap_result $? "the same script on standard input is refused (exit $rc)"

out=$(hub "$s" -Command '"ok"; "x`0y".Length; Write-Output a`0b' 2>&1); rc=$?
[ $rc -eq 1 ] && grep -qF 'The escape sequence `0 makes a NUL character (U+0000)' <<<"$out" &&
    grep -qF 'At line:1 char:9' <<<"$out" && ! grep -qx 'ok' <<<"$out"
tap_result $? "the escape \`0 is refused at its column (exit $rc)"
exit 0
