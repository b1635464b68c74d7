#!/bin/bash
# mkcerts.sh - test certificates for the transport tests, made at test time
# with the openssl command (EC P-256 keys, PEM).
#
#   mkcerts.sh DIR [NAME...]
#       The standard set below.  NAME... are the DNS names of valid.pem
#       and noeku.pem (default: mx1.example.test mx2.example.test
#       mx.example.test).
#   mkcerts.sh DIR -leaf BASE [-ca ca|rogue|self] [-expired|-notyet|-days N]
#              [-cn-only] [-no-eku] NAME...
#       One more leaf, BASE.pem and BASE.key, in a DIR that already holds
#       the standard set.  The first NAME is the subject CN; all NAMEs are
#       SAN entries unless -cn-only: dNSName, or iPAddress for a dotted
#       IPv4 address.  -days N: valid until N days from now.
#
# Standard set.  Every certificate has its own key, FILE.key beside
# FILE.pem (PKCS#8, mode 0600).  Leaves are signed by ca.pem unless said
# otherwise; "names" are SAN dNSName entries and the subject CN is the
# first of them:
#   ca.pem             the test CA: the trust store the tests hand out
#   rogue-ca.pem       a second CA that nothing trusts
#   valid.pem          names NAME... (default mx1/mx2/mx.example.test)
#   selfsigned.pem     self-signed, names mx1.example.test mx2.example.test
#   untrusted.pem      signed by rogue-ca.pem, same names
#   expired.pem        valid 2020-01-01 to 2021-01-01, same names
#   notyet.pem         valid from 2099-01-01, same names
#   wrongname.pem      names mx.wrong.test only
#   wildcard.pem       names *.example.test (one label under example.test)
#   deep.pem           names mx1.deep.example.test (two labels under
#                      example.test: not covered by *.example.test)
#   outlook.pem        names mail.protection.outlook.test
#                      *.protection.outlook.test
#   outlook-wild.pem   names *.outlook.test
#   cnonly.pem         subject CN=mx1.example.test, no SAN extension
#   noeku.pem          names NAME..., extendedKeyUsage clientAuth only
#                      (no serverAuth)
# The CAs are valid from two days ago for ten years; leaves, unless noted,
# from one day ago for five years, with basicConstraints CA:FALSE,
# keyUsage digitalSignature and extendedKeyUsage serverAuth.
#
# Each issuer keeps an openssl ca database in DIR/.ca-ISSUER/.  openssl ca
# is used throughout because it is the one command of OpenSSL 3.0 that sets
# arbitrary start and end dates.
set -euo pipefail

die() { echo "mkcerts.sh: $*" >&2; exit 1; }
command -v openssl >/dev/null || die "openssl not found"

[ $# -ge 1 ] ||
    die "usage: mkcerts.sh DIR [NAME...] | DIR -leaf BASE [options] NAME..."
dir=$1
shift
mkdir -p "$dir"
cd "$dir"

# UTC times in the form openssl ca takes.
utc() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# A private key: EC P-256, PKCS#8 PEM, mode 0600.
newkey() {
	(umask 077; openssl genpkey -algorithm EC \
	    -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
}

# issue BASE ISSUER CN START END EXTFILE: a new key BASE.key and a
# certificate BASE.pem for it with the extensions in EXTFILE, signed by
# ISSUER (the BASE of a CA made here, or "self").
issue() {
	local base=$1 issuer=$2 cn=$3 start=$4 end=$5 ext=$6
	local db=".ca-$issuer" key="$issuer.key" self=()
	if [ "$issuer" = self ]; then
		db=".ca-self-$base" key="$base.key" self=(-selfsign)
	fi
	newkey "$base.key"
	openssl req -new -key "$base.key" -out "$base.csr" \
	    -subj "/O=hubsh tests/CN=$cn" 2>/dev/null
	if [ ! -d "$db" ]; then
		mkdir "$db"
		: >"$db/index.txt"
		openssl rand -hex 8 >"$db/serial"
		printf '%s\n' '[ ca ]' 'default_ca = this' '[ this ]' \
		    "database = $db/index.txt" "new_certs_dir = $db" \
		    "serial = $db/serial" "certificate = $issuer.pem" \
		    'default_md = sha256' 'policy = anything' \
		    'email_in_dn = no' 'unique_subject = no' \
		    '[ anything ]' 'organizationName = optional' \
		    'commonName = supplied' >"$db/ca.cnf"
	fi
	openssl ca -batch -notext -config "$db/ca.cnf" -keyfile "$key" \
	    "${self[@]}" -startdate "$start" -enddate "$end" -extfile "$ext" \
	    -in "$base.csr" -out "$base.pem" >"$db/last.log" 2>&1 ||
	    die "$base: openssl ca failed: $(tail -n 3 "$db/last.log")"
	rm -f "$base.csr" "$ext"
	[ "$issuer" != self ] || rm -rf "$db"
	[ -s "$base.pem" ] || die "$base: no certificate"
}

# mkca BASE CN: a self-signed CA.
mkca() {
	printf '%s\n' "basicConstraints = critical,CA:TRUE" \
	    "keyUsage = critical,keyCertSign,cRLSign" \
	    "subjectKeyIdentifier = hash" >"$1.ext"
	issue "$1" self "$2" "$(utc '2 days ago')" "$(utc '10 years')" "$1.ext"
}

# leaf BASE [-ca ca|rogue|self] [-expired|-notyet|-days N] [-cn-only]
#      [-no-eku] NAME...
leaf() {
	local base=$1 issuer=ca start end cnonly=0 eku=serverAuth
	shift
	start=$(utc '1 day ago')
	end=$(utc '5 years')
	while [ $# -gt 0 ]; do
		case $1 in
		-ca) issuer=$2; shift 2 ;;
		-expired) start=20200101000000Z end=20210101000000Z; shift ;;
		-notyet) start=20990101000000Z end=20991231000000Z; shift ;;
		-days) end=$(utc "$2 days"); shift 2 ;;
		-cn-only) cnonly=1; shift ;;
		-no-eku) eku=clientAuth; shift ;;
		-*) die "leaf: unknown option $1" ;;
		*) break ;;
		esac
	done
	[ $# -ge 1 ] || die "leaf $base: no names"
	case $issuer in
	ca|self) ;;
	rogue) issuer=rogue-ca ;;
	*) die "leaf $base: unknown issuer $issuer" ;;
	esac
	local san="" n
	for n in "$@"; do
		case $n in
		*[!0-9.]*) san="${san:+$san,}DNS:$n" ;;
		*) san="${san:+$san,}IP:$n" ;;	# a dotted IPv4 address
		esac
	done
	{
		echo "basicConstraints = critical,CA:FALSE"
		echo "keyUsage = critical,digitalSignature"
		echo "extendedKeyUsage = $eku"
		echo "subjectKeyIdentifier = hash"
		[ "$issuer" = self ] || echo "authorityKeyIdentifier = keyid"
		[ $cnonly = 1 ] || echo "subjectAltName = $san"
	} >"$base.ext"
	issue "$base" "$issuer" "$1" "$start" "$end" "$base.ext"
}

if [ "${1:-}" = -leaf ]; then
	[ $# -ge 3 ] ||
	    die "usage: mkcerts.sh DIR -leaf BASE [options] NAME..."
	[ -f ca.pem ] && [ -f rogue-ca.pem ] || die "$dir: no standard set yet"
	shift
	leaf "$@"
	exit 0
fi

[ $# -gt 0 ] || set -- mx1.example.test mx2.example.test mx.example.test
same=(mx1.example.test mx2.example.test)

mkca ca "hubsh test CA"
mkca rogue-ca "hubsh untrusted CA"
leaf valid "$@"
leaf selfsigned -ca self "${same[@]}"
leaf untrusted -ca rogue "${same[@]}"
leaf expired -expired "${same[@]}"
leaf notyet -notyet "${same[@]}"
leaf wrongname mx.wrong.test
leaf wildcard '*.example.test'
leaf deep mx1.deep.example.test
leaf outlook mail.protection.outlook.test '*.protection.outlook.test'
leaf outlook-wild '*.outlook.test'
leaf cnonly -cn-only mx1.example.test
leaf noeku -no-eku "$@"
