#!/bin/bash
# dirs.sh - the directories hubd keeps: the state directory with pickup
# and log, and the control socket's.  Made when missing (missing parents
# too) with their modes; what cannot be made is named with the reason;
# with --user they are handed to that user, and never through a
# symbolic link: that user may put a link where pickup or log was, and
# hubd, root when it starts, must not give it the link's target.  A state
# directory of somebody else's is refused.  Last, the systemd unit names
# the directories systemd makes for hubd.
#
# The --user cases need root (and the user nobody); without them they
# fail, saying so.

. "${top_srcdir:-.}/tests/transport/lib.sh"
. "$tt_dir/hubd-lib.sh"

tap_need setpriv
tap_plan 18

is_root=no
[ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && is_root=yes
me=$(id -un)

# hubd_fails [hubd options...]: start hubd in the foreground on the test
# store where it must not start: status 0 when it exited 1 within 10 s;
# its output is in $FAIL_LOG.
tt_fail_n=0
hubd_fails() {
	tt_fail_n=$((tt_fail_n + 1))
	FAIL_LOG=$tap_tmp/fail.$tt_fail_n.log
	timeout 10 "$HUBD" -f --store "$STORE" --server "$SERVER" \
	    --listen "127.0.0.1:$(free_port)" \
	    --control-socket "$tap_tmp/run-fail/hubd.sock" \
	    "$@" >"$FAIL_LOG" 2>&1 </dev/null
	local rc=$?
	[ $rc = 1 ] || { tap_diag "hubd exited $rc:"; tap_diag - <"$FAIL_LOG"; }
	[ $rc = 1 ]
}

# modes PATH...: "mode owner" of each PATH, one line each.
modes() { stat -c '%a %U' "$@"; }

# --- made when missing -------------------------------------------------------------

STATE=$tap_tmp/a/b/state CONTROL=$tap_tmp/c/d/run/hubd.sock hubd_start
tap_result $? "hubd starts where neither its state directory nor its control socket's directory exists, nor their parents"
[ "$(modes "$tap_tmp/a/b/state" "$tap_tmp/a/b/state/pickup" \
    "$tap_tmp/a/b/state/log" | sort -u)" = "700 $me" ] &&
    [ "$(modes "$tap_tmp/a" "$tap_tmp/a/b")" = "755 $me
755 $me" ]
tap_result $? "the state directory, pickup and log are made 0700, their parents 0755"
[ "$(modes "$tap_tmp/c/d/run")" = "755 $me" ] &&
    [ -S "$tap_tmp/c/d/run/hubd.sock" ]
tap_result $? "the control socket's directory is made 0755"
hubd_stop
tap_result $? "hubd stops"

: >"$tap_tmp/plain"
hubd_fails --state-dir "$tap_tmp/plain/state" &&
    grep -q "hubd: cannot create the state directory $tap_tmp/plain/state: Not a directory" "$FAIL_LOG"
tap_result $? "what cannot be made is named, with the reason (status 1)"
mkdir -p "$tap_tmp/locked" && chmod 555 "$tap_tmp/locked"
if [ $is_root = yes ]; then
	# nobody's own store (hubd makes it) and state directory.
	chmod 755 "$tap_tmp"
	mkdir -m 700 "$tap_tmp/nobody" "$tap_tmp/nobody/state"
	chown -R nobody:nogroup "$tap_tmp/nobody"
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	# nobody_fails STATE-DIR SOCKET: hubd as nobody must not start.
	nobody_fails() {
		tt_fail_n=$((tt_fail_n + 1))
		FAIL_LOG=$tap_tmp/fail.$tt_fail_n.log
		as_nobody "$HUBD" -f --store "$tap_tmp/nobody/hubsh.db" \
		    --listen "127.0.0.1:$(free_port)" --control-socket "$2" \
		    --state-dir "$1" >"$FAIL_LOG" 2>&1 </dev/null
		[ $? = 1 ]
	}
	nobody_fails "$tap_tmp/locked/state" "$tap_tmp/nobody/hubd.sock" &&
	    grep -q "hubd: cannot create the state directory $tap_tmp/locked/state: Permission denied" "$FAIL_LOG"
	tap_result $? "as another user than root: the directory it may not make is named (Permission denied)"
	nobody_fails "$tap_tmp/nobody/state" "$tap_tmp/locked/x/run/hubd.sock" &&
	    grep -q "hubd: cannot create $tap_tmp/locked/x (for the control socket's directory $tap_tmp/locked/x/run): Permission denied" "$FAIL_LOG"
	tap_result $? "a missing parent it may not make is named, with the directory it was for"
else
	tap_result 1 "as another user than root: the directory it may not make is named (needs root)"
	tap_result 1 "a missing parent it may not make is named (needs root)"
fi

# --- links and owners -------------------------------------------------------------------

mkdir "$tap_tmp/elsewhere"
ln -s "$tap_tmp/elsewhere" "$tap_tmp/state-link"
hubd_fails --state-dir "$tap_tmp/state-link" &&
    grep -q "the state directory $tap_tmp/state-link is a symbolic link" "$FAIL_LOG"
tap_result $? "a state directory that is a symbolic link is refused, and named"

if [ $is_root = yes ]; then
	# Two directories of root's that nobody must never get.
	mkdir -m 700 "$tap_tmp/root-a" "$tap_tmp/root-b"
	STATE=$tap_tmp/state-nobody
	mkdir -m 700 "$STATE"		# root's: handed over at start
	CONTROL=$tap_tmp/run-nobody/hubd.sock hubd_start --user nobody
	tap_result $? "started with --user nobody on a state directory of root's"
	[ "$(modes "$STATE" "$STATE/pickup" "$STATE/log" | sort -u)" = "700 nobody" ] &&
	    [ "$(stat -c %G "$STATE/pickup")" = nogroup ] &&
	    grep -q "the state directory $STATE handed over to its user" "$HUBD_LOG"
	tap_result $? "the state directory, pickup and log are handed to nobody (the handing over logged)"
	[ "$(modes "$tap_tmp/run-nobody")" = "755 nobody" ]
	tap_result $? "the control socket's directory it made belongs to nobody"
	hubd_stop
	# What nobody may do once it owns the state directory.
	as_nobody sh -c "rmdir '$STATE/pickup' '$STATE/log' &&
	    ln -s '$tap_tmp/root-a' '$STATE/pickup' &&
	    ln -s '$tap_tmp/root-b' '$STATE/log'"
	tap_result $? "nobody puts links to directories of root's where pickup and log were"
	hubd_fails --user nobody --state-dir "$STATE" &&
	    grep -q "hubd: the pickup directory $STATE/pickup is a symbolic link" "$FAIL_LOG"
	tap_result $? "the next start refuses the link, and names it"
	[ "$(modes "$tap_tmp/root-a" "$tap_tmp/root-b")" = "700 root
700 root" ]
	tap_result $? "the directories the links point to still belong to root"
	as_nobody sh -c "rm '$STATE/pickup' && mkdir '$STATE/pickup'" &&
	    hubd_fails --user nobody --state-dir "$STATE" &&
	    grep -q "hubd: the log directory $STATE/log is a symbolic link" "$FAIL_LOG" &&
	    [ "$(modes "$tap_tmp/root-b")" = "700 root" ]
	tap_result $? "so is a link where log was"
	mkdir -m 700 "$tap_tmp/daemon-state" && chown daemon "$tap_tmp/daemon-state"
	hubd_fails --user nobody --state-dir "$tap_tmp/daemon-state" &&
	    grep -q "the state directory $tap_tmp/daemon-state belongs to daemon, not to nobody, the user hubd runs as" "$FAIL_LOG" &&
	    [ "$(modes "$tap_tmp/daemon-state")" = "700 daemon" ]
	tap_result $? "a state directory of another user's is refused and left as it is"
else
	for t in "started with --user nobody" "handed to nobody" \
	    "socket directory of nobody" "links in place" "link refused" \
	    "targets kept" "log link refused" "another user's refused"; do
		tap_result 1 "$t (needs root and user nobody)"
	done
fi

# --- the systemd unit -----------------------------------------------------------------

unit=$(sh "$top_srcdir/transport/hubd-unit.sh" \
    "$top_srcdir/transport/hubd.service.in" /usr/sbin /etc /run /var)
grep -qx 'ExecStart=/usr/sbin/hubd --user hubd --config /etc/hubd.conf' <<<"$unit" &&
    grep -qx 'RuntimeDirectory=hubsh' <<<"$unit" &&
    grep -qx 'RuntimeDirectoryMode=0755' <<<"$unit" &&
    grep -qx 'StateDirectory=hubsh' <<<"$unit" &&
    ! grep -q '@' <<<"$unit"
tap_result $? "the unit for /run and /var has systemd make /run/hubsh (after every reboot) and /var/lib/hubsh"
unit=$(cat "$abs_top_builddir/transport/hubd.service" 2>/dev/null)
[ -n "$unit" ] && ! grep -q '@' <<<"$unit" &&
    { grep -qx 'RuntimeDirectory=hubsh' <<<"$unit" ||
      grep -q '^# .* is not under /run: hubd makes .*/hubsh\.$' <<<"$unit"; }
tap_result $? "the build's unit is complete, and says who makes the control socket's directory"

exit $tap_failed
