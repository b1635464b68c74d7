#!/usr/bin/env bash
# bench/tracking.sh - the message tracking log of hubd's spool at a million
# records: fill, Get-MessageTrackingLog's queries, and pruning by age, all
# through store/store.h (spool_track_add, spool_track_query,
# spool_track_prune) as hubd and hubsh call them.
#
# The helper bench/track_bench.c is compiled here with cc against a build
# directory's libstore.a and libcommon.a (it is not part of the Makefile).
#
#   bench/tracking.sh
#
# Environment:
#   BUILD       build directory with libstore.a, libcommon.a (default build/)
#   EVENTS      tracking events to write (default 1000000)
#   DAYS        days they are spread over (default 30)
#   RUNS        timed runs per query (default 7; the median is reported)
#   PRUNE_DAYS  prune everything older than the first PRUNE_DAYS days
#               (default 25) ...
#   BATCHES     ... this many events per transaction, once for each size
#               listed, each time on a fresh copy of the filled spool
#               (default "10000 1000")
#   OUT         results, JSON lines (default
#               bench/results/tracking-DATE.jsonl; the Markdown report goes
#               beside it as .md)
#   BENCH_TMP   scratch directory parent (default $TMPDIR or /tmp): on the
#               disk you want to measure, not tmpfs
#   KEEP=1      keep the scratch directory (the filled spool)
#
# Needs cc, pkg-config (sqlite3, libcrypto), python3 for the report, and
# about 1.5 GB of scratch space.  Nothing here uses the network.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
EVENTS=${EVENTS:-1000000}
DAYS=${DAYS:-30}
RUNS=${RUNS:-7}
PRUNE_DAYS=${PRUNE_DAYS:-25}
BATCHES=${BATCHES:-10000 1000}
BENCH_TMP=${BENCH_TMP:-${TMPDIR:-/tmp}}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$top/bench/results/tracking-$stamp.jsonl}
KEEP=${KEEP:-0}

die() { printf 'tracking.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '%s\n' "$*" >&2; }

[ -f "$BUILD/libstore.a" ] && [ -f "$BUILD/libcommon.a" ] ||
	die "no libstore.a and libcommon.a in $BUILD (set BUILD)"
work=$(mktemp -d "$BENCH_TMP/tracking-bench.XXXXXX")
cleanup() { [ "$KEEP" = 1 ] && say "kept $work" || rm -rf "$work"; }
trap cleanup EXIT

say "building the helper against $BUILD"
# shellcheck disable=SC2046
cc -O2 -g -Wall -Wextra -I"$top/store" -I"$top/common" \
	$(pkg-config --cflags sqlite3 libcrypto) \
	-o "$work/track_bench" "$top/bench/track_bench.c" \
	"$BUILD/libstore.a" "$BUILD/libcommon.a" \
	$(pkg-config --libs sqlite3 libcrypto) -lpthread

db=$work/state/queue.db
mkdir -p "$(dirname "$OUT")"
: > "$OUT"

# Size of the spool (with its WAL, if any) in bytes.
dbsize() {
	local n=0 f
	for f in "$db" "$db-wal"; do
		[ -f "$f" ] && n=$((n + $(stat -c %s "$f")))
	done
	echo "$n"
}

# Bytes per table and index, if the sqlite3 CLI has dbstat.
dbstat() {
	command -v sqlite3 > /dev/null || return 0
	sqlite3 -readonly "$db" "SELECT name || ' ' || sum(pgsize) FROM \
dbstat GROUP BY name ORDER BY sum(pgsize) DESC" 2> /dev/null || true
}

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
say "fill: $EVENTS events over $DAYS days"
"$work/track_bench" fill "$db" "$EVENTS" "$DAYS" >> "$OUT"
size_fill=$(dbsize)
dbstat > "$work/dbstat.txt"
printf '{"case": "size_after_fill", "bytes": %s}\n' "$size_fill" >> "$OUT"

say "plans"
"$work/track_bench" plan "$db" > "$work/plans.txt"

say "queries: $RUNS runs each"
"$work/track_bench" query "$db" "$RUNS" >> "$OUT"

# The helper closed the spool: its WAL is checkpointed and gone, so the
# file alone is a consistent copy.
mkdir -p "$work/prune"
for b in $BATCHES; do
	say "prune: older than day $PRUNE_DAYS, $b per transaction"
	cp "$db" "$work/prune/queue.db"
	"$work/track_bench" prune "$work/prune/queue.db" "$PRUNE_DAYS" "$b" \
		>> "$OUT"
done
size_prune=$(stat -c %s "$work/prune/queue.db")
printf '{"case": "size_after_prune", "bytes": %s}\n' "$size_prune" >> "$OUT"

loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)
md=${OUT%.jsonl}.md
rev=$(git -C "$top" rev-parse --short HEAD 2> /dev/null || echo unknown)
dirty=$(git -C "$top" status --porcelain -- store bench \
	':!bench/results' 2> /dev/null | wc -l)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
fs=$(df -T "$work" | awk 'NR == 2 { print $2 " (" $1 ")" }')
sqlv=$(pkg-config --modversion sqlite3)

python3 - "$OUT" "$work/plans.txt" "$work/dbstat.txt" > "$md" <<EOF
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {r["case"]: r for r in rows}
print("# Message tracking: $EVENTS events over $DAYS days")
print()
print("- date: $stamp")
print("- command: BUILD=$BUILD EVENTS=$EVENTS DAYS=$DAYS RUNS=$RUNS "
      "PRUNE_DAYS=$PRUNE_DAYS BATCHES=\"$BATCHES\" bench/tracking.sh")
print("- machine: nproc $(nproc), CPU \"$cpu\", $mem, kernel $(uname -r)")
print("- load average at start: $loadavg; at the end: $loadavg_end")
print("- scratch: $work on $fs")
print("- libstore.a of $BUILD, checkout at git $rev"
      + (" (uncommitted changes in store/ or bench/: $dirty files)"
         if $dirty else "") + "; SQLite $sqlv")
print()
f = by["fill"]
mb = lambda b: b / 1048576
print("Fill: %d events (%d messages) in %.1f s, %.0f events/s, in "
      "transactions of 2,000 events.  Spool size: %.0f MB (%.0f bytes "
      "per event)." % (f["events"], f["messages"], f["ms"] / 1000,
      f["events"] / (f["ms"] / 1000), mb(by["size_after_fill"]["bytes"]),
      by["size_after_fill"]["bytes"] / f["events"]))
print()
print("| query | runs | median ms | min–max ms | median CPU ms | events | "
      "recipients |")
print("|---|---|---|---|---|---|---|")
names = {
    "day": "one day (Start/End), ResultSize Unlimited",
    "day_sender": "one day, -Sender",
    "day_recipients": "one day, -Recipients (one address)",
    "day_eventid_send": "one day, -EventId SEND",
    "day_messageid": "one day, -MessageId",
    "day_subject": "one day, -MessageSubject 'invoice'",
    "day_resultsize_1000": "one day, ResultSize 1000",
    "all_sender": "all days, -Sender",
    "all_recipients": "all days, -Recipients (one address)",
    "all_messageid": "all days, -MessageId",
    "all_subject": "all days, -MessageSubject 'invoice' (no index)",
}
for r in rows:
    if r["case"] not in names:
        continue
    print("| %s | %d | **%.2f** | %.2f–%.2f | %.2f | %d | %d |" % (
        names[r["case"]], r["runs"], r["median_ms"], r["min_ms"],
        r["max_ms"], r["median_cpu_ms"], r["events"], r["recipients"]))
print()
print("Prune: every event older than day $PRUNE_DAYS, oldest first, one "
      "transaction (BEGIN IMMEDIATE, spool_track_prune, COMMIT) per batch, "
      "each batch size on a fresh copy of the filled spool.")
print()
print("| batch | events deleted | transactions | total s | events/s | "
      "median transaction ms | longest transaction ms |")
print("|---|---|---|---|---|---|---|")
for p in rows:
    if p["case"] != "prune":
        continue
    print("| %d | %d | %d | %.1f | %.0f | %.1f | **%.1f** |" % (
        p["batch"], p["deleted"], p["batches"], p["total_ms"] / 1000,
        p["deleted"] / (p["total_ms"] / 1000), p["median_batch_ms"],
        p["longest_batch_ms"]))
print()
print("Spool size after the prune: %.0f MB (freed pages stay in the file "
      "for reuse)." % mb(by["size_after_prune"]["bytes"]))
print()
stat = [l.split() for l in open(sys.argv[3]) if l.strip()]
if stat:
    print("Space by table and index after the fill (dbstat):")
    print()
    print("| table or index | MB |")
    print("|---|---|")
    for name, b in stat:
        print("| %s | %.1f |" % (name, mb(int(b))))
    print()
print("Wall time of spool_track_query() alone, in the helper's process, "
      "on a warm page cache; CPU: user and system time of the process "
      "during the call.")
print()
print("Query plans (EXPLAIN QUERY PLAN of spool_track_query's SQL):")
print()
print("\`\`\`")
print(open(sys.argv[2]).read().rstrip())
print("\`\`\`")
EOF
say "results: $OUT, $md"
cat "$md"
