# needs.sh - what the test suite needs from the machine, and the Debian
# package that brings each (sourced, bash).
#
# tests/preflight.sh, the first test, checks every need and names the
# package of each one missing, so that a missing install step is one
# clear failure; tests/transport/lib.sh's tap_need bails out with the
# same words.  quickstart installs every package named here, and
# preflight.sh checks that it names them.
#
# One need a line: name|Debian package|what it is|a command that succeeds
# when the need is met (run by bash, output discarded).  PYTHON is the
# interpreter the transport tests run (default /usr/bin/python3, Debian's,
# which sees Debian's python3-* packages).

: "${PYTHON:=/usr/bin/python3}"
# unbound, ip and the account tools live in /usr/sbin, not on every PATH.
case :$PATH: in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/sbin:/sbin ;;
esac

needs_table='
python3|python3|Debian'"'"'s python3 with its sqlite3 and ssl modules|"$PYTHON" -c "import asyncio, sqlite3, ssl"
aiosmtpd|python3-aiosmtpd|aiosmtpd, the SMTP peer of the transport tests|"$PYTHON" -c "import aiosmtpd.smtp"
swaks|swaks|swaks, the SMTP client|command -v swaks
swaks-tls|libnet-ssleay-perl|swaks with TLS (swaks --support)|swaks --support 2>&1 | grep -q "^=== TLS supported"
openssl|openssl|openssl, which makes the test certificates|command -v openssl
unbound|unbound|unbound and unbound-checkconf, the DNS server of the tests|command -v unbound && command -v unbound-checkconf
ldns|ldnsutils|ldns-keygen and ldns-signzone, which sign the DNSSEC test zones|command -v ldns-keygen && command -v ldns-signzone
dig|bind9-dnsutils|dig, which checks the DNS server|command -v dig
tmux|tmux|tmux, the terminal of the interactive tests|command -v tmux
setpriv|util-linux|setpriv and unshare|command -v setpriv && command -v unshare
groupadd|passwd|groupadd, groupdel and gpasswd|command -v groupadd && command -v groupdel && command -v gpasswd
pgrep|procps|pgrep and ps|command -v pgrep && command -v ps
strace|strace|strace, which shows the order of writes to the store|command -v strace
ip|iproute2|ip, which brings up loopback in a network namespace|command -v ip
namespaces|util-linux|new mount and network namespaces (unshare -mn; -rmn when not root)|need_unshare true
sanitizers|build-essential|the C compiler with AddressSanitizer and UndefinedBehaviorSanitizer|need_link "${CC_SAN:-cc}" -fsanitize=address,undefined
clang|clang|clang, for the libFuzzer run|command -v clang
libfuzzer|libclang-rt-14-dev|clang with libFuzzer (-fsanitize=fuzzer)|need_link clang -fsanitize=fuzzer,address,undefined -DFUZZ
postgres|postgresql|PostgreSQL'"'"'s server (initdb and postgres in /usr/lib/postgresql/N/bin, and the postgres user it runs as under root), the store'"'"'s database peer|need_pg_bin initdb postgres && need_pg_user
promtool|prometheus|promtool, which checks the metrics hubd serves|command -v promtool
prometheus|prometheus|the Prometheus server, which scrapes hubd in the metrics test|command -v prometheus
psql|postgresql|psql and pg_isready, PostgreSQL'"'"'s clients (postgresql-client-N, which the package postgresql brings)|need_pg_bin psql pg_isready
'

# need_unshare CMD...: run CMD in new mount and network namespaces, as
# root, or in a user namespace of its own when not root.
need_unshare() {
	if [ "$(id -u)" = 0 ]; then
		unshare --mount --net "$@"
	else
		unshare --map-root-user --mount --net "$@"
	fi
}

# need_link CC FLAGS...: CC compiles and links a small program with FLAGS
# (-DFUZZ: a libFuzzer target, without main).
need_link() {
	local d rc
	d=$(mktemp -d "${TMPDIR:-/tmp}/needs.XXXXXX") || return 1
	cat >"$d/t.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef FUZZ
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (size > 1 && memcmp(data, "x", 1) == 0);
}
#else
int
main(int argc, char **argv)
{
	return (argc > 1 && strcmp(argv[1], "x") == 0);
}
#endif
EOF
	"$@" -o "$d/t" "$d/t.c" && "$d/t" -runs=1 >/dev/null 2>&1
	rc=$?
	rm -rf "$d"
	return $rc
}

# pg_bindir: the bin directory of the newest PostgreSQL server installed
# (Debian: /usr/lib/postgresql/N/bin, N from the package postgresql-N), or
# $PG_BIN when set; status 1 when there is none.
pg_bindir() {
	local d v best='' bestv=0
	if [ -n "${PG_BIN:-}" ]; then
		[ -x "$PG_BIN/postgres" ] && echo "$PG_BIN"
		return
	fi
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/postgres" ] || continue
		v=${d%/bin}
		v=${v##*/}
		v=${v%%.*}
		case $v in
		''|*[!0-9]*) continue ;;
		esac
		[ "$v" -gt "$bestv" ] || continue
		best=$d
		bestv=$v
	done
	[ -n "$best" ] && echo "$best"
}

# need_pg_bin TOOL...: every TOOL is in pg_bindir.
need_pg_bin() {
	local d t
	d=$(pg_bindir) || return 1
	for t in "$@"; do
		[ -x "$d/$t" ] || return 1
	done
}

# need_pg_user: not root, or the postgres system user exists (PostgreSQL's
# server refuses to run as root; tests/transport/pg.sh runs it as postgres).
need_pg_user() {
	[ "$(id -u)" != 0 ] || getent passwd postgres >/dev/null
}

# need_names: every need, in order.
need_names() {
	printf '%s\n' "$needs_table" | awk -F'|' 'NF >= 4 { print $1 }'
}

# need_field NAME N: field N of NAME's line (2 package, 3 what, 4 check).
need_field() {
	printf '%s\n' "$needs_table" |
	    awk -F'|' -v n="$1" -v f="$2" '$1 == n {
		s = $f; for (i = f + 1; f == 4 && i <= NF; i++) s = s "|" $i
		print s; exit }'
}

# need_check NAME: status 0 when NAME is met.
need_check() {
	local check
	check=$(need_field "$1" 4)
	[ -n "$check" ] || return 1
	eval "$check" >/dev/null 2>&1 </dev/null
}

# need_missing NAME: the words that say what is missing and what to
# install, for a failed check.
need_missing() {
	echo "$(need_field "$1" 3) is missing: install the Debian package" \
	    "$(need_field "$1" 2) (./quickstart test installs it as root)"
}
