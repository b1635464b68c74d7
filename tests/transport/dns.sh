#!/bin/bash
# dns.sh - a real DNS server for the transport tests: unbound on loopback
# answering from local data only.
#
#   dns.sh DIR ADDR PORT RECORD...
#
# Writes DIR/unbound.conf, checks it with unbound-checkconf, then runs
# unbound in the foreground in place of this script (same process id),
# listening on ADDR (a loopback address) at PORT, UDP and TCP, logging to
# DIR/unbound.log; "start of service" in that log means it is listening.
#
# RECORD is one resource record in unbound's local-data syntax,
# "OWNER [TTL] TYPE DATA", e.g.
#     "example.test. MX 10 mx1.example.test."
#     "mx1.example.test. A 127.0.0.2"      "mx1.example.test. AAAA ::1"
#     "nullmx.test. MX 0 ."                (RFC 7505 null MX)
# A record without a TTL gets $DNS_TTL (default 5 s) so tests that change
# the data and restart the server are not held up by caches.  A RECORD of
# the form "zone:NAME" only declares a zone; "authzone:NAME:FILE" serves
# the zone NAME from FILE, a zone file (signed, with its RRSIGs given to
# a query with the DO bit, as an authoritative server gives them);
# "refuse:NAME" answers REFUSED for NAME and below (a resolver that asks
# there gets a server failure).
#
# Zones: the last label of every owner name (and every zone:NAME) is
# served as an unbound "static" local zone with an SOA (negative TTL 1 s):
# a name there with no data at all is NXDOMAIN, a name with data but not
# of the asked type is NODATA (NOERROR, empty answer; e.g. the MX of a
# domain that has only an A record: implicit MX).  Everything outside those
# zones is REFUSED: there is no recursion, and as a second guard any
# recursion would be forwarded to 127.0.0.1 port 1, where nothing answers.
# Queries with RD set (as a forwarding stub resolver sends them) are
# answered like any other; answers carry AA and RA.
set -euo pipefail

die() { echo "dns.sh: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: dns.sh DIR ADDR PORT RECORD..."
dir=$1 addr=$2 port=$3
shift 3
case $addr in
127.*|::1) ;;
*) die "$addr: not a loopback address" ;;
esac
command -v unbound >/dev/null || die "unbound not found"
command -v unbound-checkconf >/dev/null || die "unbound-checkconf not found"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
ttl=${DNS_TTL:-5}

declare -A zones=()
data=()
auth=()
refuse=()
for rr in "$@"; do
	if [ "${rr#refuse:}" != "$rr" ]; then
		refuse+=("${rr#refuse:}")
		continue
	fi
	if [ "${rr#authzone:}" != "$rr" ]; then
		auth+=("${rr#authzone:}")
		continue
	fi
	if [ "${rr#zone:}" != "$rr" ]; then
		z=${rr#zone:}
		z=${z%.}
		zones[${z##*.}]=1
		continue
	fi
	read -r owner second rest <<<"$rr"
	[ -n "${rest:-}" ] || die "record '$rr': want OWNER [TTL] TYPE DATA"
	owner=${owner%.}.
	case $second in
	*[!0-9]*) rr="$owner $ttl $second $rest" ;;
	*) rr="$owner $second $rest" ;;
	esac
	tld=${owner%.}
	zones[${tld##*.}]=1
	data+=("$rr")
done

{
	printf '%s\n' 'server:' \
	    "	interface: $addr@$port" \
	    "	port: $port" \
	    '	do-daemonize: no' \
	    '	username: ""' \
	    '	chroot: ""' \
	    "	directory: \"$dir\"" \
	    '	pidfile: ""' \
	    '	use-syslog: no' \
	    "	logfile: \"$dir/unbound.log\"" \
	    '	log-time-ascii: yes' \
	    '	verbosity: 1' \
	    '	num-threads: 1' \
	    '	so-reuseport: no' \
	    '	access-control: 127.0.0.0/8 allow' \
	    '	access-control: ::1 allow' \
	    '	module-config: "iterator"' \
	    '	do-not-query-localhost: no' \
	    '	local-zone: "." refuse'
	for z in "${!zones[@]}"; do
		echo "	local-zone: \"$z.\" static"
		echo "	local-data: \"$z. $ttl IN SOA ns.$z. hostmaster.$z. 1 3600 600 86400 1\""
	done
	for rr in "${data[@]}"; do
		echo "	local-data: \"$rr\""
	done
	# An authoritative zone is let past the refusing "." zone.
	for a in "${auth[@]}"; do
		echo "	local-zone: \"${a%%:*}.\" transparent"
	done
	for r in "${refuse[@]}"; do
		echo "	local-zone: \"${r%.}.\" refuse"
	done
	for a in "${auth[@]}"; do
		printf '%s\n' 'auth-zone:' "	name: \"${a%%:*}.\"" \
		    "	zonefile: \"${a#*:}\"" '	for-downstream: yes' \
		    '	for-upstream: no' '	fallback-enabled: no'
	done
	printf '%s\n' 'forward-zone:' '	name: "."' \
	    '	forward-addr: 127.0.0.1@1' \
	    'remote-control:' '	control-enable: no'
} >"$dir/unbound.conf"

unbound-checkconf "$dir/unbound.conf" >"$dir/checkconf.log" 2>&1 ||
    die "unbound.conf: $(cat "$dir/checkconf.log")"
: >"$dir/unbound.log"
exec unbound -d -c "$dir/unbound.conf"
