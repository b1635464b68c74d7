#!/bin/bash
# golden.sh - script in, exact output out.
#
# For every tests/golden/NAME.ps1, hubsh runs the script as a batch file
# on a fresh store (server EX01) with stdout and stderr together, then
# "exit=N" is appended; the result must equal tests/golden/NAME.out byte
# for byte.  HUBSH_GOLDEN_UPDATE=1 rewrites the .out files instead.  The
# control socket named does not exist: cmdlets that ask hubd say it is
# not running.  Neither does the state directory, given so that what
# names it (Get-TransportService's PickupDirectoryPath) does not depend
# on the prefix hubsh was built for, and so that no spool is found.
# Scripts that write files put them under $env:TMPDIR, the test's own
# temporary directory.
#
# HUBSH_GOLDEN_NEW_STORE=CMD runs each script on the store location that
# "CMD NAME" prints instead (tests/transport/pgstore.sh: a fresh
# PostgreSQL database per script); the output must be the same.

. "${top_srcdir:-.}/tests/shell/lib.sh"

dir="$top_srcdir/tests/golden"
scripts=("$dir"/*.ps1)
echo "1..${#scripts[@]}"
for f in "${scripts[@]}"; do
	name=$(basename "$f" .ps1)
	store="$tap_tmp/$name.db"
	if [ -n "${HUBSH_GOLDEN_NEW_STORE:-}" ] &&
	    ! store=$($HUBSH_GOLDEN_NEW_STORE "$name"); then
		tap_result 1 "golden $name (no store)"
		continue
	fi
	out="$tap_tmp/$name.out"
	(cd "$dir" && TMPDIR="$tap_tmp" "$HUBSH" --store "$store" \
	    --server EX01 --control no-hubd.sock \
	    --state-dir /nonexistent/hubsh/hubd \
	    -NonInteractive -File "$name.ps1" </dev/null >"$out" 2>&1
	echo "exit=$?" >>"$out")
	if [ -n "${HUBSH_GOLDEN_UPDATE:-}" ]; then
		cp "$out" "$dir/$name.out"
	fi
	if cmp -s "$out" "$dir/$name.out"; then
		tap_result 0 "golden $name"
	else
		diff -u "$dir/$name.out" "$out" | sed 's/^/# /' | head -40
		tap_result 1 "golden $name"
	fi
done
exit 0
