#!/bin/bash
# boundaries.sh - module boundary checks (TAP; one line per rule).
#
#   store/     the only module that includes <sqlite3.h> or calls sqlite3_*
#   transport/tls*, common/ctl_tls.c  the only files that include
#              <openssl/ssl.h> (ctl_tls.c for types: it loads libssl)
#   store/, transport/, common/ctl_tls.c  the only ones that include any
#              OpenSSL header (store/ for its crypto: evp, rand, ...;
#              never ssl.h)
#   shell/     the only module that includes readline
#   shell/     never includes transport.h: hubsh links no transport
#              object (Test-SendConnector routes with store/route.h)
#   shell/ and transport/ never include each other's headers
#
# Scans the C sources of every top-level module directory (tests, bench,
# docs and build directories excluded).  Run from the build tree by
# `make check` (top_srcdir set) or directly from the source tree.

shopt -s extglob

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}

n=0
failed=0
ok() {	# ok CONDITION-STATUS DESCRIPTION [OFFENDERS]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		printf '%s\n' "$3" | sed 's/^/#   /'
		failed=1
	fi
}

# The source files, as paths relative to top_srcdir.
files=()
for d in "$top_srcdir"/*/; do
	d=${d%/}
	m=${d##*/}
	case $m in
	tests|bench|doc|build|build-*|_build|_inst|autom4te.cache|build-aux|\
	    hubsh-*|m4)
		continue ;;
	esac
	while IFS= read -r f; do
		files+=("${f#"$top_srcdir"/}")
	done < <(find "$d" -type f \( -name '*.c' -o -name '*.h' \) | sort)
done

echo "1..7"

ok "$([ ${#files[@]} -gt 0 ]; echo $?)" \
    "found the C sources (${#files[@]} files under $top_srcdir)"

# grep_files REGEX: print "file:line: text" for each matching line,
# comment-only lines excluded.
grep_files() {
	local f
	for f in "${files[@]}"; do
		grep -nE -- "$1" "$top_srcdir/$f" 2>/dev/null |
		    grep -vE '^[0-9]+:[[:space:]]*(/?\*|//)' |
		    sed "s|^|$f:|"
	done
}

# Keep only the lines whose file does not match the allowed pattern.
outside() {
	local allow=$1 line
	while IFS= read -r line; do
		case ${line%%:*} in
		$allow) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
}

inc='^[[:space:]]*#[[:space:]]*include[[:space:]]*'

bad=$( { grep_files "${inc}[<\"]sqlite3\.h[>\"]";
	 grep_files '(^|[^A-Za-z0-9_])sqlite3_[A-Za-z0-9_]+[[:space:]]*\('; } |
    outside 'store/*')
ok "$([ -z "$bad" ]; echo $?)" \
    "only store/ includes <sqlite3.h> or calls sqlite3_*" "$bad"

bad=$(grep_files "${inc}[<\"]openssl/ssl\.h[>\"]" | outside '@(transport/tls*|common/ctl_tls.c)')
ok "$([ -z "$bad" ]; echo $?)" \
    "only transport/tls* and common/ctl_tls.c include <openssl/ssl.h>" "$bad"

bad=$(grep_files "${inc}[<\"]openssl/" | outside '@(store/*|transport/*|common/ctl_tls.c)')
ok "$([ -z "$bad" ]; echo $?)" \
    "only store/, transport/ and common/ctl_tls.c include OpenSSL headers" "$bad"

bad=$(grep_files "${inc}[<\"](readline/|editline/|histedit\.h)" |
    outside 'shell/*')
ok "$([ -z "$bad" ]; echo $?)" "only shell/ includes readline" "$bad"

# Keep only the lines whose file matches the pattern.
inside() {
	local only=$1 line
	while IFS= read -r line; do
		case ${line%%:*} in
		$only) printf '%s\n' "$line" ;;
		esac
	done
}

bad=$(grep_files "${inc}[<\"]([^>\"]*/)?transport\.h[>\"]" | inside 'shell/*')
ok "$([ -z "$bad" ]; echo $?)" "no shell/ file includes transport.h" "$bad"

# Headers of each side, by base name, as an ERE alternation.
headers_of() {
	local h names=
	for h in "$top_srcdir/$1"/*.h; do
		[ -e "$h" ] || continue
		h=${h##*/}
		names="$names${names:+|}${h//./\\.}"
	done
	printf '%s' "$names"
}
cross=
sh_h=$(headers_of shell)
tr_h=$(headers_of transport)
if [ -n "$tr_h" ]; then
	cross=$(grep_files "${inc}[<\"]([^>\"]*/)?($tr_h)[>\"]" |
	    inside 'shell/*')
fi
cross2=
if [ -n "$sh_h" ]; then
	cross2=$(grep_files "${inc}[<\"]([^>\"]*/)?($sh_h)[>\"]" |
	    inside 'transport/*')
fi
# Paths naming the other module explicitly ("../transport/x.h").
cross3=$( { grep_files "${inc}[<\"][^>\"]*transport/" | inside 'shell/*';
	    grep_files "${inc}[<\"][^>\"]*shell/" | inside 'transport/*'; } )
bad=$(printf '%s\n%s\n%s\n' "$cross" "$cross2" "$cross3" | sed '/^$/d' | sort -u)
ok "$([ -z "$bad" ]; echo $?)" \
    "shell/ and transport/ do not include each other's headers" "$bad"

exit 0
