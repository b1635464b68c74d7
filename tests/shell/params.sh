#!/bin/bash
# params.sh - every parameter name an exec function looks up is one its
# cmdlet declares, found without running the cmdlet: params.awk reads
# the parameter tables as hubsh --dump-cmdlets prints them, and shell/*.c
# as one program: each call of bound_get, bound_has, bound_switch,
# bound_code, bound_index or bound_get_opt (directly, or through a
# function that passes a name on), from the exec functions that reach it.  A misspelt name would otherwise make the
# binder abort with an internal error (bind.c) the first time that code
# runs.
# Names taken from arrays at run time are left to that check.

. "${top_srcdir:-.}/tests/shell/lib.sh"

awk_prog="$top_srcdir/tests/shell/params.awk"
# The files that name a parameter in a lookup of their own; all of
# shell/ but the binder is read, for the helpers the cmdlets share.
files=()
all=()
for f in "$top_srcdir"/shell/*.c; do
	case $f in */bind.c) continue ;; esac
	all+=("$f")
	grep -q 'bound_[a-z_]*([^,]*, "' "$f" && files+=("$f")
done
echo "1..$((${#files[@]} + 3))"

"$HUBSH" --dump-cmdlets >"$tap_tmp/cmdlets.md"
[ "$(grep -cE '^\| `-' "$tap_tmp/cmdlets.md")" -gt 50 ]
tap_result $? "hubsh --dump-cmdlets lists the parameter tables"

awk -f "$awk_prog" "$tap_tmp/cmdlets.md" "${all[@]}" >"$tap_tmp/out"
total=$(grep -c '^lookup ' "$tap_tmp/out")
for f in "${files[@]}"; do
	n=$(grep -c "^lookup $f " "$tap_tmp/out")
	grep "^bad $f " "$tap_tmp/out" | sed 's/^/# /'
	! grep -q "^bad $f " "$tap_tmp/out" && [ "$n" -gt 0 ]
	tap_result $? "shell/$(basename "$f"): $n lookups, each declared"
done

# The check itself: a misspelt literal lookup and a misspelt name given
# through a function of the file must both be caught.
sed 's/bound_code(ctx->args, "TlsAuthLevel"/bound_code(ctx->args, "TlsAuthLevl"/' \
    "$top_srcdir/shell/cmd_sendconnector.c" >"$tap_tmp/sc.c"
sed 's/mt_arg(ctx, "Sender")/mt_arg(ctx, "Sendr")/' \
    "$top_srcdir/shell/cmd_tracking.c" >"$tap_tmp/mt.c"
! cmp -s "$tap_tmp/sc.c" "$top_srcdir/shell/cmd_sendconnector.c" &&
    ! cmp -s "$tap_tmp/mt.c" "$top_srcdir/shell/cmd_tracking.c" &&
    awk -f "$awk_prog" "$tap_tmp/cmdlets.md" "$tap_tmp/sc.c" |
    grep -q '^bad [^ ]* New-SendConnector .* -TlsAuthLevl$' &&
    awk -f "$awk_prog" "$tap_tmp/cmdlets.md" "$tap_tmp/mt.c" |
    grep -q '^bad [^ ]* Get-MessageTrackingLog .* -Sendr$'
tap_result $? "a misspelt name, literal or passed on, is caught"

[ "$total" -gt 100 ]
tap_result $? "$total lookups found in all"
exit 0
