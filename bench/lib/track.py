#!/usr/bin/python3
"""track.py - what hubd's tracking log says about the TLS of its
deliveries: bench/transport.sh's DANE variant checks with it that every
delivery was made under the policy of the variant measured.

    track.py SPOOL VERDICT...

SPOOL is hubd's spool database (STATE/queue.db), opened read only; each
VERDICT a TLS verdict a delivery may carry, as the tracking log records
it (column tls_verify), e.g. "DomainValidation ok" or
"DomainValidation+DANE ok, TLSA 3 1 1".  Prints "SENT MATCHED", the
recipients delivered (SEND events) and those of them under one of the
VERDICTs, then one line "COUNT<tab>VERDICT" for every verdict found,
expected or not (none: "-").  A run is right only when SENT and MATCHED
are equal and count every message sent.
"""

import sqlite3
import sys


def verdicts(spool):
    """{tls_verify: recipients} of the SEND events in SPOOL."""
    db = sqlite3.connect("file:%s?mode=ro" % spool, uri=True, timeout=10)
    try:
        rows = db.execute(
            "SELECT coalesce(t.tls_verify, '-'), count(*) "
            "FROM track t JOIN track_rcpt r ON r.track_id = t.id "
            "WHERE t.event_id = 'SEND' GROUP BY t.tls_verify").fetchall()
    finally:
        db.close()
    return dict(rows)


def count(found, want):
    """(sent, matched) of verdicts() against the verdicts in want."""
    return (sum(found.values()),
            sum(n for v, n in found.items() if v in want))


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: track.py SPOOL VERDICT...\n")
        return 2
    found = verdicts(sys.argv[1])
    print("%d %d" % count(found, sys.argv[2:]))
    for v in sorted(found):
        print("%d\t%s" % (found[v], v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
