#!/usr/bin/python3
"""queues.py - hubd with many delivery queues that stay, and its metrics
scraped: what bench/metrics.sh and bench/transport.sh's SCRAPE_QUEUES
variant share.

    queues.py connector HUBSH STORE SERVER
    queues.py fill SMTP_PORT METRICS_PORT Q
    queues.py time METRICS_PORT PID SCRAPES LABEL
    queues.py scrape METRICS_PORT INTERVAL Q LOG

How the queues stay: "connector" adds a DNS-routed connector, Parked,
for *.parked.test to the store; hubd is started with --resolver on a
loopback port where nothing answers.  "fill" sends Q recipients, one in
each of the domains d000000.parked.test ..., 200 to a message over plain
SMTP: each domain is its own next hop, so its own delivery queue, and
every MX lookup times out (about 17 s; then the resolver is marked down
and the rest fail at once), so every recipient waits for its retry.  It
returns once the metrics show Q queues of Parked that have each failed
once: from then on no lookup is under way, and the next one is
TransientFailureRetryInterval (5 minutes) away.  Seconds taken on
standard output.

"time": metrics.sh's measurement, SCRAPES scrapes one after the other
(after 5 untimed): one line "LABEL|queues|bytes|median ms|p99 ms|max
ms|hubd CPU ms per scrape", the CPU being all of hubd's (user + system
from /proc/PID/stat) over all the scrapes.

"scrape": Prometheus's part in transport.sh: a scrape every INTERVAL
seconds on a fixed schedule (a slot missed by a slow scrape is skipped,
not made up) until SIGTERM.  Each scrape must answer 200 with the whole
text (it ends with hubsh_metrics_scrapes_total) and Q queues of Parked;
one line per scrape goes to LOG at once, "start end ok bytes queues
cpu" (start and end wall clock, ok 1 or 0, the scraper's own CPU
seconds for it), read back by scrapes().
"""

import http.client
import os
import signal
import smtplib
import subprocess
import sys
import time

SUFFIX = "parked.test"
CONNECTOR = ("New-SendConnector -Name Parked -Usage Custom "
             "-AddressSpaces '*.%s' | Out-Null" % SUFFIX)
PER_MESSAGE = 200               # hubd's default max-recipients
SETTLE_S = 300
TCK = os.sysconf("SC_CLK_TCK")

PARKED = b'connector="Parked"} '
LAST = b"\nhubsh_metrics_scrapes_total "


def die(msg):
    sys.stderr.write("queues.py: %s\n" % msg)
    sys.exit(1)


def get(port, timeout=30):
    """(status, body) of one GET /metrics."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", "/metrics")
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def family(body, name):
    """The samples of one metric in a scrape's text: from its TYPE line
    to the next HELP."""
    i = body.find(b"# TYPE %s " % name)
    if i < 0:
        return b""
    j = body.find(b"# HELP ", i)
    return body[i:j if j >= 0 else len(body)]


def parked(body):
    """Queues of Parked in a scrape's text.  Counted, not parsed: the
    scraper runs beside the relay it measures, and should cost little
    (well under a millisecond for 10,000 queues)."""
    return family(body, b"hubsh_queue_messages").count(PARKED)


def settled(body):
    """Queues of Parked that have failed at least once."""
    f = family(body, b"hubsh_queue_connection_retries")
    return f.count(PARKED) - f.count(PARKED + b"0\n")


def whole(body):
    """Whether the text is all there: it ends with the scrape counter."""
    return body.endswith(b"\n") and body.rfind(
        LAST, max(0, len(body) - 4096)) >= 0


def cpu(pid):
    """Seconds of CPU (user + system) of a process, or of one thread as
    "PID/task/TID"."""
    with open("/proc/%s/stat" % pid) as f:
        s = f.read()
    f = s[s.rindex(")") + 2:].split()
    return (int(f[11]) + int(f[12])) / TCK


def connector(hubsh, store, server):
    if subprocess.run([hubsh, "--store", store, "--server", server,
                       "-Command", CONNECTOR]).returncode != 0:
        die("hubsh failed: %s" % CONNECTOR)


def fill(sport, mport, q):
    t0 = time.monotonic()
    s = smtplib.SMTP("127.0.0.1", sport, timeout=60)
    s.ehlo("bench.test")
    for first in range(0, q, PER_MESSAGE):
        rcpts = ["u@d%06d.%s" % (i, SUFFIX)
                 for i in range(first, min(q, first + PER_MESSAGE))]
        s.sendmail("sender@bench.test", rcpts,
                   "Subject: queues bench\r\n\r\nbody\r\n")
    s.quit()
    while True:
        status, body = get(mport)
        if status != 200:
            die("scrape: status %d" % status)
        n, done = parked(body), settled(body)
        if n >= q and done >= q:
            break
        if time.monotonic() - t0 > SETTLE_S:
            die("after %d s: %d queues, %d of them tried" % (SETTLE_S, n,
                                                              done))
        time.sleep(0.5)
    print("%.1f" % (time.monotonic() - t0))


def timed(mport, pid, n, label):
    for _ in range(5):
        get(mport)
    walls = []
    c0 = cpu(pid)
    for _ in range(n):
        t = time.perf_counter()
        status, body = get(mport)
        walls.append((time.perf_counter() - t) * 1000)
        if status != 200 or not whole(body):
            die("scrape: status %d, %d bytes" % (status, len(body)))
    c1 = cpu(pid)
    walls.sort()
    print("%s|%d|%d|%.2f|%.2f|%.2f|%.2f" % (
        label, parked(body), len(body), walls[len(walls) // 2],
        walls[min(len(walls) - 1, int(len(walls) * 0.99))], walls[-1],
        (c1 - c0) * 1000 / n))


def scrape_loop(mport, interval, q, log):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    out = open(log, "a", buffering=1)
    start = time.monotonic()
    k = 0
    while not stop:
        t0, c0 = time.time(), time.process_time()
        try:
            status, body = get(mport, timeout=max(interval, 1))
        except (OSError, http.client.HTTPException):
            status, body = 0, b""
        t1 = time.time()
        nq = parked(body)
        ok = status == 200 and whole(body) and nq >= q
        out.write("%.6f %.6f %d %d %d %.6f\n" % (
            t0, t1, ok, len(body), nq, time.process_time() - c0))
        # The next slot that has not begun.
        k = max(k + 1, int((time.monotonic() - start) / interval) + 1)
        delay = start + k * interval - time.monotonic()
        if delay > 0 and not stop:
            time.sleep(delay)
    out.close()


def scrapes(log, t_from, t_to):
    """What the scrapes that began in [t_from, t_to] did: a dict of
    count, failures, wall time median and maximum in ms, bytes, and the
    scraper's CPU seconds."""
    rows = []
    with open(log) as f:
        for line in f:
            t0, t1, ok, nbytes, _, c = line.split()
            if t_from <= float(t0) <= t_to:
                rows.append((float(t1) - float(t0), int(ok), int(nbytes),
                             float(c)))
    walls = sorted(r[0] * 1000 for r in rows)
    return {
        "scrapes": len(rows),
        "scrape_failures": sum(1 for r in rows if not r[1]),
        "scrape_wall_ms_p50": round(walls[len(walls) // 2], 2)
        if walls else None,
        "scrape_wall_ms_max": round(walls[-1], 2) if walls else None,
        "scrape_bytes": max((r[2] for r in rows), default=0),
        "scraper_cpu_s": round(sum(r[3] for r in rows), 3),
    }


def task_names(pid):
    """{TID: name} of every thread of a process alive now (hubd names
    its threads: delivery, smtpd, commit, MHD-single...)."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for t in tids:
        try:
            with open("/proc/%d/task/%s/comm" % (pid, t)) as f:
                out[t] = f.read().strip()
        except OSError:
            continue
    return out


def threads(pid):
    """{TID: (name, CPU seconds)} of every thread of a process alive
    now."""
    out = {}
    for t, name in task_names(pid).items():
        try:
            out[t] = (name, cpu("%d/task/%s" % (pid, t)))
        except OSError:
            continue
    return out


def threads_delta(before, after, total):
    """CPU milliseconds by thread name between two threads() snapshots,
    over the threads alive at both; what the process used besides (total
    seconds) went to threads that came or went in between, under
    "(short-lived)": hubd's SMTP sessions, control connections, probes."""
    by = {}
    for t, (name, c1) in after.items():
        if t in before:
            by[name] = by.get(name, 0.0) + c1 - before[t][1]
    by["(short-lived)"] = total - sum(by.values())
    return {k: round(1000 * v) for k, v in sorted(by.items())}


def metrics_thread(pid):
    """The "PID/task/TID" of libmicrohttpd's thread in hubd (it names
    it MHD-single), where a scrape's text is made; None without one."""
    for t, name in task_names(pid).items():
        if name == "MHD-single":
            return "%d/task/%s" % (pid, t)
    return None


def main():
    a = sys.argv[1:]
    try:
        if a[0] == "connector" and len(a) == 4:
            connector(a[1], a[2], a[3])
        elif a[0] == "fill" and len(a) == 4:
            fill(int(a[1]), int(a[2]), int(a[3]))
        elif a[0] == "time" and len(a) == 5:
            timed(int(a[1]), int(a[2]), int(a[3]), a[4])
        elif a[0] == "scrape" and len(a) == 5:
            scrape_loop(int(a[1]), float(a[2]), int(a[3]), a[4])
        else:
            raise IndexError
    except (IndexError, ValueError):
        die("usage: see the top of %s" % __file__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
