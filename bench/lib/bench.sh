# bench/lib/bench.sh - helpers of the shell-side benchmarks, sourced by
# bench/shell.sh, bench/provision.sh, bench/startup.sh, bench/store_pg.sh
# and bench/propagation.sh (bash): timing a command, medians and
# percentiles, the machine and the checkout in the report's header, steal
# time over a run, the connector batches of the shell benchmarks.
#
# The caller defines die(); bench_scratch makes $work, its scratch
# directory; timed() also reads $TIMEOUT.

# bench_scratch NAME: $work, a new directory NAME.XXXXXX in $BENCH_TMP
# (default $TMPDIR or /tmp), removed on exit unless KEEP=1.
bench_scratch() {
	work=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/$1.XXXXXX") ||
	    die "cannot make a scratch directory"
	if [ "${KEEP:-0}" = 1 ]; then
		trap 'echo "${0##*/}: kept $work" >&2' EXIT
	else
		trap 'rm -rf "$work"' EXIT
	fi
}

# timed cmd...: run cmd (stdin from $TIMED_IN or /dev/null, stdout
# discarded), fail on a non-zero status or on anything written to stderr;
# sets T_REAL, T_CPU (user + system) in seconds.
timed() {
	local TIMEFORMAT='%3R %3U %3S' u s
	if ! { time timeout "$TIMEOUT" "$@" <"${TIMED_IN:-/dev/null}" \
	    >/dev/null 2>"$work/err"; } 2>"$work/time"; then
		sed 5q "$work/err" >&2
		die "failed or timed out: $*"
	fi
	if [ -s "$work/err" ]; then
		sed 5q "$work/err" >&2
		die "wrote to stderr: $*"
	fi
	read -r T_REAL u s <"$work/time"
	T_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.3f", u + s }')
}

# agg med|lo|hi|p90 NUMBER...: the median, the least, the greatest, or
# the 90th percentile (nearest rank) of the numbers.
agg() {
	printf '%s\n' "${@:2}" | sort -g | awk -v what="$1" '
	    { v[NR] = $1 }
	    END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		p = int(0.9 * NR + 0.999999)
		if (what == "med") print m
		else if (what == "lo") print v[1]
		else if (what == "p90") print v[p < 1 ? 1 : p]
		else print v[NR]
	    }'
}
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# bench_machine: the header's machine and load lines; steal time is
# counted from here (bench_steal).
bench_machine() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	read -r _ b_user b_nice b_sys b_idle b_iow b_irq b_sirq b_steal _ \
	    </proc/stat
	echo "- machine: nproc $(nproc), CPU \"$cpu\", $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)"
	echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# bench_steal: steal time since bench_machine, in % of all CPU time.
bench_steal() {
	local e_user e_nice e_sys e_idle e_iow e_irq e_sirq e_steal
	read -r _ e_user e_nice e_sys e_idle e_iow e_irq e_sirq e_steal _ \
	    </proc/stat
	calc '%.1f' "100 * ($e_steal - $b_steal) / (($e_user + $e_nice + $e_sys + $e_idle + $e_iow + $e_irq + $e_sirq + $e_steal) - ($b_user + $b_nice + $b_sys + $b_idle + $b_iow + $b_irq + $b_sirq + $b_steal) + 0.000001)"
}

# bench_dsync_ms: milliseconds of one 4 KB O_DSYNC write in $work (dd,
# 300 writes): what a commit's sync costs on this disk.
bench_dsync_ms() {
	local s
	dd if=/dev/zero of="$work/dsync" bs=4k count=300 oflag=dsync \
	    2>"$work/dd" || die "dd failed"
	s=$(awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") print $(i - 1) }' "$work/dd")
	rm -f "$work/dsync"
	calc '%.3f' "$s * 1000 / 300"
}

# bench_source DIR: the checkout a binary was built from, as
# "git REV" with " (+ uncommitted changes)" when the tree differs.
bench_source() {
	local rev
	rev=$(git -C "$1" rev-parse --short HEAD 2>/dev/null || echo unknown)
	if git -C "$1" status --porcelain --untracked-files=no 2>/dev/null |
	    grep -q .; then
		echo "git $rev (+ uncommitted changes)"
	else
		echo "git $rev"
	fi
}

# bench_batches N DIR: the hubsh batch files of the shell benchmarks,
# DIR/new.ps1 (N New-SendConnector lines, connectors bench-1..bench-N,
# address space bI.example, smart host relayI.example) and DIR/set.ps1
# (N Set-SendConnector lines, -Port 2525 -RequireTLS $true -TlsAuthLevel
# EncryptionOnly on each).
bench_batches() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "New-SendConnector -Name '\''bench-%d'\'' -AddressSpaces '\''b%d.example;1'\'' -SmartHosts '\''relay%d.example'\'' -DNSRoutingEnabled $false | Out-Null\n", i, i, i }' >"$2/new.ps1"
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "Set-SendConnector '\''bench-%d'\'' -Port 2525 -RequireTLS $true -TlsAuthLevel EncryptionOnly\n", i }' >"$2/set.ps1"
}
