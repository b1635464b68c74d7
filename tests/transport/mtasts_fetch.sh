#!/bin/bash
# mtasts_fetch.sh - transport/mtasts.c's fetch of MTA-STS policies
# (sts_fetch) against a real HTTPS server, stsweb.py on loopback, through
# the driver tests/transport/sts-fetch.  Each host of the server is a
# domain's policy site, mta-sts.<domain>, with a behaviour of its own.
#
# A good policy is fetched and parsed, for a domain in any case with a
# final dot too, over IPv4 and IPv6, and with libcurl resolving the name
# itself (mta-sts.localhost, which libcurl keeps on loopback); a policy
# of exactly 64 KiB is taken.  Refused: a redirect (the site it names is
# never asked), a certificate for another name, a certificate from a CA
# not trusted (and the test CA when the system's store is used), a body
# over 64 KiB with and without Content-Length, a Content-Type other than
# text/plain, a 404 and a 500, a server that never answers (ended by the
# time limit), a port where nothing listens, and a policy the parser
# refuses.  Every request the server got is in its requests.log: the test
# compares it with the requests made, one by one, with SNI, Host, method,
# path, User-Agent and the address each came in on.
#
# Nothing here asserts on timing but the hanging server's: its fetch must
# end by the limit given (1.5 s), well within 10 s.

. "${top_srcdir:-.}/tests/transport/lib.sh"
: "${abs_top_builddir:=$top_srcdir/build}"
: "${STS_FETCH:=$abs_top_builddir/tests/transport/sts-fetch}"

tap_need openssl
[ -x "$STS_FETCH" ] || tap_bail "sts-fetch not built ($STS_FETCH)"
tap_plan 22

WEB=$tap_tmp/web
PATH_TXT=/.well-known/mta-sts.txt
make_certs || tap_bail "certificates"
# One certificate for every host that has none of its own.
hosts=(good redirect other big bignolen exact html typeparam notype
    missing status hang bad localhost)
names=()
for h in "${hosts[@]}"; do
	names+=("mta-sts.$h.test")
done
names[${#names[@]} - 1]=mta-sts.localhost
make_leaf web "${names[@]}" >/dev/null 2>&1 || tap_bail "web certificate"
make_leaf wrongname mta-sts.other.test >/dev/null 2>&1 ||
    tap_bail "wrong-name certificate"
make_leaf rogue -ca rogue mta-sts.rogue.test >/dev/null 2>&1 ||
    tap_bail "rogue certificate"

# site DOMAIN: the directory of mta-sts.DOMAIN, made.
site() {
	mkdir -p "$WEB/mta-sts.$1"
	echo "$WEB/mta-sts.$1"
}

POLICY='version: STSv1
mode: enforce
mx: mx1.good.test
mx: *.Good.Test.
max_age: 604800'
printf '%s\r\n' "$POLICY" >"$(site good.test)/policy.txt"
printf '%s\n' "$POLICY" >"$(site other.test)/policy.txt"
printf '%s\n' "$POLICY" >"$(site localhost)/policy.txt"
echo https://mta-sts.other.test$PATH_TXT >"$(site redirect.test)/redirect"
printf '%s\n' "$POLICY" >"$(site redirect.test)/policy.txt"
: >"$(site big.test)/oversize"
: >"$(site bignolen.test)/oversize"
: >"$(site bignolen.test)/no-length"
d=$(site exact.test)
{
	printf '%s\n' "$POLICY"
	for i in $(seq 780); do
		printf 'x-padding: %070d\n' "$i"
	done
} >"$d/policy.txt"
size=$(stat -c %s "$d/policy.txt")
[ "$size" -lt 65536 ] || tap_bail "exact.test's padding"
printf 'z: %*s\n' $((65536 - size - 4)) x | tr ' ' y >>"$d/policy.txt"
[ "$(stat -c %s "$d/policy.txt")" = 65536 ] || tap_bail "exact.test: not 64 KiB"
printf '%s\n' "$POLICY" >"$(site html.test)/policy.txt"
echo text/html >"$(site html.test)/content-type"
printf '%s\n' "$POLICY" >"$(site typeparam.test)/policy.txt"
echo 'TEXT/PLAIN; charset=utf-8' >"$(site typeparam.test)/content-type"
printf '%s\n' "$POLICY" >"$(site notype.test)/policy.txt"
: >"$(site notype.test)/content-type"
site missing.test >/dev/null
echo 500 >"$(site status.test)/status"
: >"$(site hang.test)/hang"
printf 'version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1\n' \
    >"$(site bad.test)/policy.txt"
d=$(site wrongname.test)
printf '%s\n' "$POLICY" >"$d/policy.txt"
cp "$CERTS/wrongname.pem" "$d/cert.pem"
cp "$CERTS/wrongname.key" "$d/key.pem"
d=$(site rogue.test)
printf '%s\n' "$POLICY" >"$d/policy.txt"
cp "$CERTS/rogue.pem" "$d/cert.pem"
cp "$CERTS/rogue.key" "$d/key.pem"

stsweb_start PORT 127.0.0.1:0 || tap_bail "stsweb.py"
stsweb_start PORT6 '[::1]:0' || tap_bail "stsweb.py on ::1"

# fetch NAME DOMAIN [sts-fetch options...]: one fetch from 127.0.0.1 and
# the server's port, trusting the test CA, within 5 s unless options say
# otherwise; its output is in $OUT, its status in $RC, the requests the
# server logged meanwhile in $REQS.
n_fetch=0
fetch() {
	local before
	n_fetch=$((n_fetch + 1))
	OUT=$tap_tmp/fetch.$n_fetch.$1
	local domain=$2
	shift 2
	before=$(cat "$WEB/requests.log" 2>/dev/null | wc -l)
	"$STS_FETCH" -c "$CERTS/ca.pem" -a 127.0.0.1 -p "$PORT" -t 5000 \
	    "$@" "$domain" >"$OUT" 2>&1
	RC=$?
	REQS=$(tail -n +$((before + 1)) "$WEB/requests.log" 2>/dev/null |
	    cut -f 2-6)
	EXPECT_LOG+=${REQS:+$REQS$'\n'}
}
EXPECT_LOG=

# line KEY: the line of $OUT that starts with KEY, without it.
line() { sed -n "s/^$1 //p" "$OUT"; }

# req HOST: the request the server should log for mta-sts.HOST.
req() {
	printf 'mta-sts.%s\tmta-sts.%s\tGET\t%s\t' "$1" "$1" "$PATH_TXT"
}

show() { cat "$OUT"; echo "requests: $REQS"; }

# --- policies taken ----------------------------------------------------------

fetch good good.test -b
[ $RC = 0 ] && [ "$(line status)" = OK ] &&
    [ "$(line policy)" = "enforce 604800 mx1.good.test *.good.test" ] &&
    [ "$(line bytes)" = "$(stat -c %s "$WEB/mta-sts.good.test/policy.txt")" ] &&
    sed '1,/^body$/d' "$OUT" | cmp -s - "$WEB/mta-sts.good.test/policy.txt" &&
    [ "$(wc -l <<<"$REQS")" = 1 ] &&
    [[ $REQS == "$(req good.test)"hubd/[0-9]* ]] &&
    ! grep -q '^cause' "$OUT"
tap_result $? "a good policy: fetched whole with SNI, Host and User-Agent hubd/VERSION, and parsed" "$(show)"

fetch upper Good.TEST.
[ $RC = 0 ] && [ "$(line policy)" = "enforce 604800 mx1.good.test *.good.test" ] &&
    [[ $REQS == "$(req good.test)"* ]] && [ "$(wc -l <<<"$REQS")" = 1 ]
tap_result $? "the domain in any case with a final dot: mta-sts.good.test is asked" "$(show)"

fetch v6 good.test -a ::1 -p "$PORT6"
[ $RC = 0 ] && [ "$(line policy)" = "enforce 604800 mx1.good.test *.good.test" ] &&
    [[ $REQS == "$(req good.test)"* ]] &&
    [ "$(tail -n 1 "$WEB/requests.log" | cut -f 7)" = ::1 ]
tap_result $? "the address given as IPv6 (::1): the name kept for SNI and Host" "$(show)"

# No address: libcurl resolves mta-sts.localhost itself (to loopback,
# whatever DNS says); only the port is given.
n_fetch=$((n_fetch + 1))
OUT=$tap_tmp/fetch.$n_fetch.localhost
before=$(wc -l <"$WEB/requests.log")
"$STS_FETCH" -c "$CERTS/ca.pem" -p "$PORT" -t 5000 localhost >"$OUT" 2>&1
RC=$?
REQS=$(tail -n +$((before + 1)) "$WEB/requests.log" | cut -f 2-6)
EXPECT_LOG+=${REQS:+$REQS$'\n'}
[ $RC = 0 ] && [ "$(line status)" = OK ] && [[ $REQS == "$(req localhost)"* ]]
tap_result $? "no address given: libcurl resolves mta-sts.<domain> itself" "$(show)"

fetch exact exact.test
[ $RC = 0 ] && [ "$(line bytes)" = 65536 ] &&
    [ "$(line policy)" = "enforce 604800 mx1.good.test *.good.test" ]
tap_result $? "a policy of exactly 65536 bytes is taken" "$(show)"

fetch typeparam typeparam.test
[ $RC = 0 ] && [ "$(line status)" = OK ]
tap_result $? "Content-Type TEXT/PLAIN with a charset is text/plain" "$(show)"

# --- refused -----------------------------------------------------------------

fetch redirect redirect.test
[ $RC = 1 ] && [ "$(line status)" = Redirect ] &&
    [ "$(line cause)" = "mta-sts.redirect.test: HTTP status 301, a redirect to https://mta-sts.other.test$PATH_TXT: not followed" ] &&
    [ "$(line bytes)" = 0 ] && [ "$(wc -l <<<"$REQS")" = 1 ] &&
    [[ $REQS == "$(req redirect.test)"* ]] &&
    ! grep -q mta-sts.other.test "$WEB/requests.log"
tap_result $? "a redirect is not followed: the site it names is never asked" "$(show)"

fetch wrongname wrongname.test
[ $RC = 1 ] && [ "$(line status)" = CertificateInvalid ] &&
    line cause | grep -q "^mta-sts.wrongname.test: .*mta-sts.wrongname.test" &&
    [ -z "$REQS" ]
tap_result $? "a certificate for another name is refused before any request" "$(show)"

fetch rogue rogue.test
[ $RC = 1 ] && [ "$(line status)" = CertificateInvalid ] &&
    line cause | grep -qi "^mta-sts.rogue.test: .*certificate" &&
    [ -z "$REQS" ]
tap_result $? "a certificate from a CA not trusted is refused before any request" "$(show)"

# The system's trust store does not hold the test CA.
n_fetch=$((n_fetch + 1))
OUT=$tap_tmp/fetch.$n_fetch.system
before=$(wc -l <"$WEB/requests.log")
"$STS_FETCH" -a 127.0.0.1 -p "$PORT" -t 5000 good.test >"$OUT" 2>&1
RC=$?
REQS=$(tail -n +$((before + 1)) "$WEB/requests.log" | cut -f 2-6)
[ $RC = 1 ] && [ "$(line status)" != OK ] && [ -z "$REQS" ]
tap_result $? "without a CA file the system's store is used: the test CA is not in it" "$(show)"

fetch big big.test
[ $RC = 1 ] && [ "$(line status)" = TooLarge ] &&
    [ "$(line cause)" = "mta-sts.big.test: policy larger than 65536 bytes" ] &&
    [ "$(line bytes)" = 0 ] && [ "$(wc -l <<<"$REQS")" = 1 ]
tap_result $? "a body over 64 KiB (Content-Length 70000) is refused" "$(show)"

fetch bignolen bignolen.test
[ $RC = 1 ] && [ "$(line status)" = TooLarge ] &&
    [ "$(line cause)" = "mta-sts.bignolen.test: policy larger than 65536 bytes" ] &&
    [ "$(line bytes)" = 0 ]
tap_result $? "a body over 64 KiB without Content-Length is cut and refused" "$(show)"

fetch html html.test
[ $RC = 1 ] && [ "$(line status)" = ContentType ] &&
    [ "$(line cause)" = 'mta-sts.html.test: Content-Type "text/html", not text/plain' ] &&
    [ "$(line bytes)" = 0 ]
tap_result $? "Content-Type text/html is refused" "$(show)"

fetch notype notype.test
[ $RC = 1 ] && [ "$(line status)" = ContentType ] &&
    [ "$(line cause)" = "mta-sts.notype.test: Content-Type missing, not text/plain" ]
tap_result $? "no Content-Type is refused" "$(show)"

fetch missing missing.test
[ $RC = 1 ] && [ "$(line status)" = HttpStatus ] &&
    [ "$(line cause)" = "mta-sts.missing.test: HTTP status 404, not 200" ] &&
    [ "$(line bytes)" = 0 ] && [[ $REQS == "$(req missing.test)"* ]]
tap_result $? "a 404 is refused, with its status" "$(show)"

fetch status status.test
[ $RC = 1 ] && [ "$(line status)" = HttpStatus ] &&
    [ "$(line cause)" = "mta-sts.status.test: HTTP status 500, not 200" ]
tap_result $? "a 500 is refused, with its status" "$(show)"

start=$(date +%s%N)
fetch hang hang.test -t 1500
ms=$((($(date +%s%N) - start) / 1000000))
[ $RC = 1 ] && [ "$(line status)" = FetchError ] &&
    line cause | grep -q "^mta-sts.hang.test: .*[Tt]imed out" &&
    [ "$ms" -lt 10000 ] && [[ $REQS == "$(req hang.test)"* ]]
tap_result $? "a server that never answers: the fetch ends by its time limit (${ms} ms)" "$(show)"

closed=$(free_port) || tap_bail "a free port"
[ "$closed" != "$PORT" ] || tap_bail "free_port gave the server's port"
fetch closed good.test -p "$closed"
[ $RC = 1 ] && [ "$(line status)" = FetchError ] &&
    line cause | grep -q "^mta-sts.good.test: " && [ -z "$REQS" ]
tap_result $? "a port where nothing listens: a fetch error" "$(show)"

fetch bad bad.test
[ $RC = 1 ] && [ "$(line status)" = OK ] &&
    [ "$(line refused)" = 'line 2: mode "strict" is not enforce, testing or none' ]
tap_result $? "a policy fetched but wrong is refused by the parser, with the line" "$(show)"

fetch notadomain 'good.test/../x'
[ $RC = 1 ] && [ "$(line status)" = FetchError ] &&
    [ "$(line cause)" = '"good.test/../x" is not a domain name' ] && [ -z "$REQS" ]
tap_result $? "a name that is not a domain: nothing is asked" "$(show)"

# --- the server's log --------------------------------------------------------

# Every request the server got, in order, was one a fetch above made;
# fetches refused before a request (certificates, the closed port, the
# bad name) added none.
logged=$(cut -f 2-6 "$WEB/requests.log")
[ "$logged" = "${EXPECT_LOG%$'\n'}" ] &&
    [ "$(wc -l <"$WEB/requests.log")" = 15 ] &&
    ! cut -f 5 "$WEB/requests.log" | grep -qv "^$PATH_TXT\$" &&
    ! cut -f 4 "$WEB/requests.log" | grep -qv '^GET$' &&
    [ "$(cut -f 7 "$WEB/requests.log" | grep -c '^127\.0\.0\.1$')" = 14 ]
tap_result $? "requests.log holds exactly the 15 requests made, each a GET of $PATH_TXT, all on 127.0.0.1 but the one to ::1" \
    "$(cat "$WEB/requests.log")"

# The hosts asked, from the log alone: never the redirect's target.
hosts_asked=$(cut -f 3 "$WEB/requests.log" | sort | uniq -c |
    awk '{ print $2 "=" $1 }' | tr '\n' ' ')
[ "$hosts_asked" = "mta-sts.bad.test=1 mta-sts.big.test=1 mta-sts.bignolen.test=1 mta-sts.exact.test=1 mta-sts.good.test=3 mta-sts.hang.test=1 mta-sts.html.test=1 mta-sts.localhost=1 mta-sts.missing.test=1 mta-sts.notype.test=1 mta-sts.redirect.test=1 mta-sts.status.test=1 mta-sts.typeparam.test=1 " ]
tap_result $? "the hosts asked, and how often" "$hosts_asked"

exit $tap_failed
