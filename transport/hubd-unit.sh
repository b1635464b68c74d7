#!/bin/sh
# hubd-unit.sh - write the systemd unit for hubd from its template.
#
#   hubd-unit.sh TEMPLATE SBINDIR SYSCONFDIR RUNSTATEDIR LOCALSTATEDIR
#
# systemd makes RuntimeDirectory= under /run and StateDirectory= under
# /var/lib: the unit names them when the configured directories are
# there (./configure --runstatedir=/run --localstatedir=/var); for any
# other layout it says that hubd makes its directories itself, which it
# does at every start.
set -eu
[ $# -eq 5 ] || { echo "usage: hubd-unit.sh TEMPLATE SBINDIR SYSCONFDIR RUNSTATEDIR LOCALSTATEDIR" >&2; exit 64; }
template=$1 sbindir=$2 sysconfdir=$3 runstatedir=$4 localstatedir=$5

case $runstatedir in
/run|/var/run)
	rt='RuntimeDirectory=hubsh\
RuntimeDirectoryMode=0755' ;;
*)
	rt="# $runstatedir is not under \\/run: hubd makes $runstatedir\\/hubsh." ;;
esac
case $localstatedir in
/var)
	st='StateDirectory=hubsh\
StateDirectoryMode=0755' ;;
*)
	st="# $localstatedir is not \\/var: hubd makes $localstatedir\\/lib\\/hubsh." ;;
esac
sed -e "s|@sbindir@|$sbindir|g" \
    -e "s|@sysconfdir@|$sysconfdir|g" \
    -e "s|@runstatedir@|$runstatedir|g" \
    -e "s|@localstatedir@|$localstatedir|g" \
    -e "s|^@runtime_directory@\$|$rt|" \
    -e "s|^@state_directory@\$|$st|" "$template"
