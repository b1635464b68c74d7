#!/bin/bash
# preflight.sh - the first test: is everything the suite needs on this
# machine?  One case per need of tests/needs.sh, failing with the name of
# the Debian package to install, and one that quickstart installs every
# package named there.  quickstart runs it before anything else and stops
# when it fails, so a missing install step is one clear failure instead of
# forty in the tests that would trip over it.

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
. "$top_srcdir/tests/needs.sh"
export LC_ALL=C.UTF-8

names=$(need_names)
echo "1..$(($(echo "$names" | wc -l) + 1))"
n=0
failed=0
for name in $names; do
	n=$((n + 1))
	if need_check "$name"; then
		echo "ok $n - $(need_field "$name" 3)"
	else
		echo "not ok $n - $(need_missing "$name")"
		failed=1
	fi
done

# quickstart's lists: every package above must be in them.
pkgs=$(sed -n '/^[a-z_]*pkgs="/,/"/p' "$top_srcdir/quickstart" |
    sed 's/^[a-z_]*pkgs="//; s/".*//' | tr -s ' \t' '\n\n')
absent=
for name in $names; do
	p=$(need_field "$name" 2)
	echo "$pkgs" | grep -qx -- "$p" || absent="$absent $p"
done
n=$((n + 1))
if [ -z "$absent" ]; then
	echo "ok $n - quickstart installs every package the suite needs"
else
	echo "not ok $n - quickstart does not install:$absent"
	failed=1
fi
exit $failed
