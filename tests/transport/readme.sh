#!/bin/bash
# readme.sh - the README's quick-start transport lines, verbatim, as a new
# user runs them from the top of a fresh build: hubd in the foreground
# makes the directories it needs (state directory, pickup, log, the
# control socket's directory, the store's), swaks submits, the message is
# accepted and queued, and the README's hubsh line shows it waiting.
#
# The lines run in new mount and network namespaces (tests/needs.sh:
# namespaces): /tmp and the build's localstatedir are empty there, as on a
# machine where nothing ran before; port 2525 is that namespace's own;
# and no packet can leave loopback (hubd looks example.com up and finds
# no network).  Nothing outside the namespaces is touched.

. "${top_srcdir:-.}/tests/transport/lib.sh"
: "${abs_top_builddir:=$top_srcdir/build}"

tap_need swaks ip namespaces
tap_plan 12

# --- the README's lines ------------------------------------------------------

# The indented lines of the quick start's transport paragraphs.
lines=$(awk '/^Start the transport/ { on = 1 } on && /^## / { exit }
    on && sub(/^    /, "") { print }' "$top_srcdir/README.md")
hubd_line=$(grep '^build/hubd ' <<<"$lines")
swaks_line=$(grep '^swaks ' <<<"$lines")
hubsh_line=$(grep '^build/hubsh ' <<<"$lines")
[ -n "$hubd_line" ] && [ -n "$swaks_line" ] && [ -n "$hubsh_line" ] &&
    [ "$(wc -l <<<"$lines")" = 3 ]
tap_result $? "README: the quick start shows build/hubd, swaks and build/hubsh lines"
[ -n "$hubd_line" ] || tap_bail "README.md has no build/hubd line"
# The paths the README's hubd uses, from its own line and the build.
state_dir=$(sed -n 's/.*--state-dir \([^ ]*\).*/\1/p' <<<"$hubd_line")
port=$(sed -n 's/.*--listen [0-9.]*:\([0-9]*\).*/\1/p' <<<"$hubd_line")
dirs=$(printf 'print-dirs:\n\t@echo "$(localstatedir)"; echo "$(runstatedir)"\n' |
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory \
    -C "$abs_top_builddir" -f Makefile -f - print-dirs 2>/dev/null)
localstatedir=$(sed -n 1p <<<"$dirs")
runstatedir=$(sed -n 2p <<<"$dirs")
case $localstatedir:$runstatedir:$state_dir:$port in
/?*:/?*:/tmp/?*:[0-9]*) ;;
*) tap_bail "cannot tell the paths (localstatedir '$localstatedir'," \
    "runstatedir '$runstatedir', state dir '$state_dir', port '$port')" ;;
esac

# --- in the namespaces ---------------------------------------------------------

# Run as: inner WORK BUILD LOCALSTATEDIR RUNSTATEDIR STATE HUBD SWAKS HUBSH.
# Everything it writes goes to WORK, bound again at its own path once
# /tmp is covered.
inner='
set -u
work=$1 build=$2 lsd=$3 rsd=$4 state=$5 hubd_line=$6 swaks_line=$7 hubsh_line=$8
cd "$work" || exit 1
mkdir build && mount --bind "$build" build || exit 1
ip link set lo up || exit 1
# An empty tmpfs over the nearest existing ancestor of DIR (never /).
cover() {
	local d=$1
	while [ ! -d "$d" ]; do d=${d%/*}; done
	[ -n "$d" ] && [ "$d" != / ] && mount -t tmpfs hubsh-test "$d"
}
cover /tmp && cover "$lsd" || exit 1
case $rsd in "$lsd"/*) ;; *) cover "$rsd" || exit 1 ;; esac
# WORK again where its path leads, for the programs that go by $PWD.
mkdir -p "$work" && mount --no-canonicalize --rbind . "$work" &&
    cd "$work" || exit 1
unset HUBSH_STORE HUBSH_SERVER HUBSH_CONTROL
ls -d "$state" "$rsd/hubsh" "$lsd/lib/hubsh" >before.txt 2>&1

# hubd_up LOG: wait (10 s) for hubd to have started, or to be gone.
hubd_up() {
	local i
	for i in $(seq 200); do
		grep -q " started: " "$1" && return 0
		kill -0 $pid 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
(eval "exec $hubd_line") >hubd.log 2>&1 </dev/null &
pid=$!
hubd_up hubd.log && echo started >hubd.status
stat -c "%n %a %U %F" "$state" "$state/pickup" "$state/log" \
    "$rsd/hubsh" "$rsd/hubsh/hubd.sock" "$lsd/lib/hubsh/hubsh.db" \
    >stat.txt 2>&1
(eval "$swaks_line") >swaks.log 2>&1 </dev/null
echo $? >swaks.rc
for i in $(seq 100); do
	grep -q "queued id=" hubd.log && break
	sleep 0.05
done
(eval "$hubsh_line") >hubsh.log 2>&1 </dev/null
echo $? >hubsh.rc
kill -TERM $pid
wait $pid
echo $? >hubd.rc
ls "$rsd/hubsh" >after-stop.txt 2>&1

# The same line again: the directories are there now, the message too.
(eval "exec $hubd_line") >hubd2.log 2>&1 </dev/null &
pid=$!
hubd_up hubd2.log && echo started >hubd2.status
(eval "$hubsh_line") >hubsh2.log 2>&1 </dev/null
kill -TERM $pid
wait $pid
echo $? >hubd2.rc
'
work=$tap_tmp/work
mkdir -p "$work"
need_unshare bash -c "$inner" inner "$work" "$abs_top_builddir" \
    "$localstatedir" "$runstatedir" "$state_dir" "$hubd_line" \
    "$swaks_line" "$hubsh_line" >"$tap_tmp/inner.log" 2>&1 </dev/null ||
    tap_diag - <"$tap_tmp/inner.log"

# result NAME FILE...: one result from the status of the command before;
# when it failed, the files of WORK it concerns go out as TAP comments.
result() {
	local rc=$? name=$1 f
	shift
	tap_result $rc "$name"
	[ $rc = 0 ] && return
	for f; do
		tap_diag "$f:"
		tap_diag - <"$work/$f" 2>/dev/null
	done
}

# --- what happened -------------------------------------------------------------

[ "$(grep -c 'No such file or directory' "$work/before.txt" 2>/dev/null)" = 3 ]
result "in the namespace, $state_dir, $runstatedir/hubsh and $localstatedir/lib/hubsh do not exist yet" before.txt

[ -f "$work/hubd.status" ]
result "hubd starts from the README's line: $hubd_line" hubd.log

user=$(id -un)
[ "$(id -u)" = 0 ] || user=root		# in its own user namespace
grep -qx "$state_dir 700 $user directory" "$work/stat.txt" &&
    grep -qx "$state_dir/pickup 700 $user directory" "$work/stat.txt" &&
    grep -qx "$state_dir/log 700 $user directory" "$work/stat.txt"
result "hubd made the state directory, pickup and log, 0700" stat.txt

grep -qx "$runstatedir/hubsh 755 $user directory" "$work/stat.txt" &&
    grep -qx "$runstatedir/hubsh/hubd.sock 660 $user socket" "$work/stat.txt" &&
    grep -qx "$localstatedir/lib/hubsh/hubsh.db 600 $user regular file" "$work/stat.txt"
result "hubd made its control socket's directory (socket 0660) and the default store" stat.txt

[ "$(cat "$work/swaks.rc" 2>/dev/null)" = 0 ] &&
    grep -q '^<-  250 .*Queued mail for delivery' "$work/swaks.log"
result "swaks, as the README says, gets 250 for its message: $swaks_line" swaks.log

grep -q 'queued id=1 from=<.*> rcpts=1 ' "$work/hubd.log"
result "hubd logs the message queued" hubd.log

qline() { grep '\\Unreachable ' "$work/$1"; }
[ "$(cat "$work/hubsh.rc" 2>/dev/null)" = 0 ] &&
    [ "$(qline hubsh.log | awk '{ print $2, $4 }')" = "Unreachable 1" ]
result "the README's hubsh line shows it in the Unreachable queue: $hubsh_line" hubsh.log

[ "$(cat "$work/hubd.rc" 2>/dev/null)" = 0 ] && [ ! -s "$work/after-stop.txt" ]
result "SIGTERM: hubd exits 0 and removes its socket" hubd.log after-stop.txt

[ -f "$work/hubd2.status" ] &&
    ! grep -v 'the control group' "$work/hubd2.log" | grep -q 'warning'
result "started again on the directories it made, hubd has nothing to say about them" hubd2.log

[ "$(qline hubsh2.log | awk '{ print $4 }')" = 1 ]
result "the message is still queued after the restart" hubsh2.log

[ "$(cat "$work/hubd2.rc" 2>/dev/null)" = 0 ]
result "the second hubd stops cleanly too" hubd2.log

exit $tap_failed
