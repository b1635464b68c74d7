#!/bin/bash
# startup.sh - what hubsh does, and does not do, before a cmdlet needs it:
# it links neither libcrypto nor libreadline and loads each when a
# credential is sealed or opened, or a session starts at a terminal; a
# -Command that needs no store creates none.  With either library broken
# (an empty file of its soname first on LD_LIBRARY_PATH), batch runs
# work, and what needs the library fails with an error that names it and
# leaves the store as it was.

. "${top_srcdir:-.}/tests/shell/lib.sh"

# The sonames hubsh loads: from make check, else from the build's Makefile.
build_var() {
	sed -n "s/^$1 = //p" "$(dirname "$HUBSH")/Makefile" 2>/dev/null
}
: "${LIBCRYPTO_SONAME:=$(build_var LIBCRYPTO_SONAME)}"
: "${READLINE_SONAME:=$(build_var READLINE_SONAME)}"

echo "1..12"
s="$tap_tmp/s.db"

# hubsh with a library replaced by an empty file, which dlopen refuses.
broken="$tap_tmp/broken"
mkdir -p "$broken"
: >"$broken/$LIBCRYPTO_SONAME"
: >"$broken/$READLINE_SONAME"
hub_broken() {
	LD_LIBRARY_PATH="$broken${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
	    hub "$@"
}

needed=$(readelf -d "$HUBSH" 2>&1 | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$LIBCRYPTO_SONAME" ] && [ -n "$READLINE_SONAME" ] &&
    echo "$needed" | grep -q '^libc\.so' &&
    ! echo "$needed" | grep -Eq '^(libcrypto|libreadline|libtinfo|libpq)\.'
tap_result $? "hubsh needs neither libcrypto, libreadline nor libpq at start-up (${needed//$'\n'/ })"

mkdir "$tap_tmp/none"
out=$(hub "$tap_tmp/none/s.db" -Command "'hello'; 1 + 1" 2>&1); rc=$?
[ "$out" = "hello"$'\n'"2" ] && [ $rc = 0 ] &&
    [ -z "$(ls -A "$tap_tmp/none")" ]
tap_result $? "a -Command that needs no store creates no file"

out=$(hub "$tap_tmp/none/s.db" -Command '(Get-SendConnector).Count' 2>&1)
rc=$?
[ "$out" = 0 ] && [ $rc = 0 ] && [ -f "$tap_tmp/none/s.db" ] &&
    [ ! -e "$tap_tmp/none/s.db.key" ]
tap_result $? "the first cmdlet that reads the store creates it (no key file)"

cat >"$tap_tmp/cred.ps1" <<'PS'
$pw = ConvertTo-SecureString 'S3cret-Pa55' -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential('relayuser', $pw)
New-SendConnector -Name Relay -AddressSpaces 'relay.example' -SmartHosts '[127.0.0.1]' -DNSRoutingEnabled $false -SmartHostAuthMechanism BasicAuth -AuthenticationCredential $cred | Out-Null
PS
hub "$s" -File "$tap_tmp/cred.ps1" >/dev/null 2>&1; rc=$?
out=$(hub "$s" -Command 'Get-SendConnector Relay | fl AuthenticationCredential' 2>&1)
[ $rc = 0 ] && [ -f "$s.key" ] && echo "$out" |
    grep -q '^AuthenticationCredential : System.Management.Automation.PSCredential$'

tap_result $? "a credential is sealed, then opened by another run"

# Opening is real: with another key the same blob no longer opens.
cp "$s.key" "$tap_tmp/key.saved"
head -c 32 /dev/urandom >"$s.key"
out=$(hub "$s" -Command 'Get-SendConnector Relay' 2>&1); rc=$?
cp "$tap_tmp/key.saved" "$s.key"
[ $rc = 1 ] && echo "$out" | grep -q 'wrong key or damaged data'
tap_result $? "a credential under another key does not open"

out=$(hub_broken "$tap_tmp/none/s.db" -Command "'hello'" 2>&1); rc=$?
out2=$(echo "'piped'" | LD_LIBRARY_PATH="$broken" "$HUBSH" \
    --store "$tap_tmp/none/s.db" --server EX01 2>&1); rc2=$?
[ "$out" = hello ] && [ $rc = 0 ] && [ "$out2" = piped ] && [ $rc2 = 0 ]
tap_result $? "with both libraries broken, -Command and standard input run"

out=$(hub_broken "$s" -Command "New-SendConnector -Name Plain -AddressSpaces plain.example | Out-Null; (Get-SendConnector Plain).Name" 2>&1)
rc=$?
[ "$out" = Plain ] && [ $rc = 0 ]
tap_result $? "with libcrypto broken, a connector without a credential is made"

snapshot() {	# everything the store holds, as text
	hub "$1" -Command 'Get-SendConnector | fl *' 2>&1 |
	    grep -v '^RunspaceId'
}
before=$(snapshot "$s")
sed 's/Name Relay/Name Relay2/' "$tap_tmp/cred.ps1" >"$tap_tmp/cred2.ps1"
out=$(hub_broken "$s" -File "$tap_tmp/cred2.ps1" 2>&1); rc=$?
after=$(snapshot "$s")
[ $rc = 1 ] && [ "$before" = "$after" ] && echo "$out" | tr -d '\n' |
    grep -q "cannot encrypt the credential of connector .*: cannot load $LIBCRYPTO_SONAME: .*file too short"
tap_result $? "with libcrypto broken, a credential is refused by name; store unchanged"

rm "$s.key"
hub_broken "$s" -File "$tap_tmp/cred2.ps1" >/dev/null 2>&1; rc=$?
[ $rc = 1 ] && [ ! -e "$s.key" ]
tap_result $? "... and no key file is created for it"
cp "$tap_tmp/key.saved" "$s.key"

out=$(hub_broken "$s" -Command 'Get-SendConnector Relay' 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | tr -d '\n' |
    grep -q "cannot decrypt the credential of connector .*: cannot load $LIBCRYPTO_SONAME: .*file too short"
tap_result $? "with libcrypto broken, reading a credential fails by name"

# At a terminal (script(1) gives hubsh one).
out=$(LD_LIBRARY_PATH="$broken" HOME="$tap_tmp" script -qec \
    "'$HUBSH' --store '$s' --server EX01" /dev/null </dev/null 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "^hubsh: cannot load $READLINE_SONAME: .*file too short; an interactive session needs GNU readline"
tap_result $? "with libreadline broken, a session at a terminal says so, exit 1"

out=$(printf 'exit 3\r' | HOME="$tap_tmp" script -qec \
    "'$HUBSH' --store '$s' --server EX01" /dev/null 2>&1); rc=$?
[ $rc = 3 ] && echo "$out" | grep -qF '[PS] hubsh>'
tap_result $? "a session at a terminal loads readline: prompt, exit 3"

exit 0
