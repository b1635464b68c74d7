# lib.sh - helpers for the shell-level tests (sourced, bash).
#
# Each test script prints TAP: plan first, then one "ok"/"not ok" line per
# case.  HUBSH, srcdir and top_srcdir come from the test environment set
# by Makefile.am; when run by hand they default to the build in build/.

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${HUBSH:=$top_srcdir/build/hubsh}"
export LC_ALL=C.UTF-8

tap_n=0
tap_failed=0

# ok COND-STATUS NAME: record one result.
tap_result() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=1
	fi
}

# A fresh store directory, removed at exit.
tap_tmp=$(mktemp -d "${TMPDIR:-/tmp}/hubsh-test.XXXXXX")
trap 'rm -rf "$tap_tmp"' EXIT

# hubsh on a given store, never prompting.
hub() {
	local store=$1
	shift
	"$HUBSH" --store "$store" --server EX01 -NonInteractive "$@" </dev/null
}
