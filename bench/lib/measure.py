#!/usr/bin/python3
"""measure.py - one timed run of bench/transport.sh: load a running relay
through smtpload.py, wait until the sink has every message, and append
one JSON line of figures.

    measure.py --relay NAME --kind hubd|postfix --port PORT
               --relay-root PID --relay-log FILE
               --sink-roots PID[,PID...] --sink-counter FILE
               --sink-log FILE --dump DIR
               -n N -c C [--size BYTES] [--warmup W] [--timeout S]
               [--rate R] [--rep R] [--out FILE.jsonl] [--latencies FILE]
               [--queues Q] [--scrape-log FILE] [--rcpt ADDR]
               [--spool DB --verdict TEXT [--verdict TEXT...]]

The relay runs already, relaying to the sink; the sink is a Postfix
smtpd whose smtpd_proxy_filter is smtp-sink, which writes every message
it receives to a file of its own in DIR (smtp-sink -d) and keeps a
running "mesg=" counter on its standard output (smtp-sink -c, FILE).

1. Warm-up, untimed: W messages at concurrency C; wait until the sink
   has them, remove their files, wait 1 s.
2. Timed run: N messages (X-Load-Seq 1..N) at concurrency C with
   smtpload.py, which notes the time of each 250; as fast as C sessions
   go, or with --rate at R messages per second (open loop, at most C
   sessions at once).  Then wait until the
   sink's counter shows all N (at most --timeout seconds).
3. Figures:
   - wall: from just before the first connection to the last message's
     arrival at the sink (when smtp-sink closed its file, from inotify);
     msgs_per_s = N / wall.  accept_s: to the last 250.
   - latency of each message: arrival at the sink - its 250 at the load
     generator; p50, p99, max.
   - CPU (user + system, from /proc/PID/stat) of the relay's process
     tree (the root and all descendants, reaped children included through
     cutime/cstime), of the sink's trees, of the load generator and of
     this script; machine busy and steal from /proc/stat; "other": busy
     CPU time not accounted to any of these (anything else running).
   - memory: every second the Pss of every process in the relay's tree
     (smaps_rollup), summed; the peak of that sum and the number of
     processes then; the largest VmHWM of any one relay process.
   - sessions at the sink (its smtpd log: "connect from"), TLS sessions
     resumed there ("Reusing old session", smtpd_tls_loglevel with
     "cache"), the relay's own session count when it logs one, and
     deferrals logged by the relay.
   - with --queues (transport.sh's SCRAPE_QUEUES): the MX lookups hubd
     logged (none is expected: its Q queues were tried before the run),
     and the CPU of hubd's metrics thread, where a scrape is answered;
     with --scrape-log, what queues.py's scraper logged for the scrapes
     that began in the timed run (count, failures, wall time), a run
     with a failed scrape being incomplete.
   - with --spool (transport.sh's DANE variant): the recipients hubd's
     tracking log has delivered, warm-up included, how many of them carry
     one of the TLS verdicts given with --verdict, and how many each
     verdict found (track.py); a run where any was delivered under
     another verdict, or one is missing, is incomplete.

--rcpt: the recipient of every message (default rcpt@dest.test).
"""

import argparse
import ctypes
import json
import math
import os
import re
import resource
import select
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ left in the checkout
import queues                   # noqa: E402
import track                    # noqa: E402
TCK = os.sysconf("SC_CLK_TCK")


def die(msg):
    sys.stderr.write("measure.py: %s\n" % msg)
    sys.exit(1)


# --- /proc ------------------------------------------------------------------

def proc_stat(pid):
    """(ppid, utime+stime, cutime+cstime) in ticks, or None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    f = s[s.rindex(")") + 2:].split()
    # after ")": state ppid pgrp session tty tpgid flags minflt cminflt
    # majflt cmajflt utime stime cutime cstime ...
    return int(f[1]), int(f[11]) + int(f[12]), int(f[13]) + int(f[14])


def tree(roots):
    """The pids of roots and all their descendants, with their stat."""
    kids, stats = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        st = proc_stat(int(d))
        if st is None:
            continue
        stats[int(d)] = st
        kids.setdefault(st[0], []).append(int(d))
    out, todo = {}, [r for r in roots if r in stats]
    while todo:
        p = todo.pop()
        if p in out:
            continue
        out[p] = stats[p]
        todo.extend(kids.get(p, []))
    return out


def tree_cpu(roots):
    """CPU seconds of the tree: own time of every member plus the reaped
    children each one waited for."""
    return sum(s[1] + s[2] for s in tree(roots).values()) / TCK


def machine():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    total = sum(v[:8])
    idle = v[3] + v[4]
    return total, idle, v[7]


def smaps_pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def status_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sampler(threading.Thread):
    """Peak summed Pss of the relay's tree, sampled every second."""

    def __init__(self, roots):
        super().__init__(daemon=True)
        self.roots = roots
        self.stop = threading.Event()
        self.peak_kb, self.peak_procs, self.max_procs = 0, 0, 0
        self.hwm_kb = 0
        self.samples = 0

    def sample(self):
        pids = list(tree(self.roots))
        pss = sum(smaps_pss_kb(p) for p in pids)
        self.samples += 1
        self.max_procs = max(self.max_procs, len(pids))
        if pss > self.peak_kb:
            self.peak_kb, self.peak_procs = pss, len(pids)
        for p in pids:
            self.hwm_kb = max(self.hwm_kb, status_kb(p, "VmHWM"))

    def run(self):
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(1.0)


# --- the sink ---------------------------------------------------------------

def sink_count(path):
    """smtp-sink's running counter: the last "mesg=N" in its output."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 256))
            tail = f.read()
    except OSError:
        return 0
    m = re.findall(rb"mesg=(\d+)", tail)
    return int(m[-1]) if m else 0


def wait_count(path, want, timeout):
    end = time.monotonic() + timeout
    while True:
        n = sink_count(path)
        if n >= want:
            return n
        if time.monotonic() > end:
            return n
        time.sleep(0.02)


class Arrivals(threading.Thread):
    """The time each message file in dump is closed (inotify
    IN_CLOSE_WRITE), read as the event arrives.  File modification times
    will not do: the kernel stamps new files from its coarse clock, one
    tick (4 ms here) of resolution, up to a tick early."""

    IN_CLOSE_WRITE = 0x00000008

    def __init__(self, dump):
        super().__init__(daemon=True)
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            die("inotify_init1: %s" % os.strerror(ctypes.get_errno()))
        if libc.inotify_add_watch(self.fd, os.fsencode(dump),
                                  self.IN_CLOSE_WRITE) < 0:
            die("inotify_add_watch %s: %s"
                % (dump, os.strerror(ctypes.get_errno())))
        self.times = {}
        self.overflow = False
        self.stop = threading.Event()

    def run(self):
        poll = select.poll()
        poll.register(self.fd, select.POLLIN)
        while True:
            if not poll.poll(100):
                if self.stop.is_set():
                    break
                continue
            try:
                buf = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                continue
            now = time.time()
            off = 0
            while off < len(buf):
                _, mask, _, n = struct.unpack_from("iIII", buf, off)
                name = buf[off + 16:off + 16 + n].rstrip(b"\0")
                off += 16 + n
                if mask & 0x4000:       # IN_Q_OVERFLOW
                    self.overflow = True
                elif name:
                    self.times.setdefault(name.decode(), now)
        os.close(self.fd)


SEQ = re.compile(rb"\nX-Load-Seq: (\d+)\r?\n")


def arrivals(dump, times):
    """{seq: [arrival time, ...]} from the sink's message files: the
    inotify time, or the file's mtime when no event was seen."""
    out, fallback, skew = {}, 0, []
    for e in os.scandir(dump):
        if not e.is_file():
            continue
        with open(e.path, "rb") as f:
            head = f.read(4096)
        m = SEQ.search(head)
        if m:
            t = times.get(e.name)
            mtime = e.stat().st_mtime
            if t is None:
                t = mtime
                fallback += 1
            else:
                skew.append(t - mtime)
            out.setdefault(int(m.group(1)), []).append(t)
    return out, fallback, sorted(skew)


def clear(dump):
    for e in os.scandir(dump):
        if e.is_file():
            os.unlink(e.path)


def log_from(path, offset):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def log_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def pct(sorted_v, p):
    """Nearest-rank percentile of a sorted list."""
    if not sorted_v:
        return None
    k = math.ceil(p / 100.0 * len(sorted_v)) - 1
    return sorted_v[min(len(sorted_v) - 1, max(0, k))]


# --- the run ------------------------------------------------------------------

def load(a, n, first, times=None, rate=0.0):
    cmd = [sys.executable, os.path.join(HERE, "smtpload.py"), "127.0.0.1",
           str(a.port), "--messages", str(n), "--concurrency", str(a.c),
           "--size", str(a.size), "--first", str(first), "--to", a.rcpt]
    if times:
        cmd += ["--times", times]
    if rate:
        cmd += ["--rate", str(rate)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = status
    try:
        res = json.loads(out)
    except ValueError:
        die("smtpload.py printed no result (status %d)" % status)
    res["cpu_s"] = ru.ru_utime + ru.ru_stime
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--relay", required=True)
    ap.add_argument("--kind", choices=("hubd", "postfix"), required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--relay-root", type=int, required=True)
    ap.add_argument("--relay-log", required=True)
    ap.add_argument("--sink-roots", required=True)
    ap.add_argument("--sink-counter", required=True)
    ap.add_argument("--sink-log", required=True)
    ap.add_argument("--dump", required=True)
    ap.add_argument("-n", type=int, required=True)
    ap.add_argument("-c", type=int, required=True)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--rate", type=float, default=0.0)
    ap.add_argument("--rep", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--latencies")
    ap.add_argument("--tmp", default="/tmp")
    ap.add_argument("--queues", type=int, default=0)
    ap.add_argument("--scrape-log")
    ap.add_argument("--rcpt", default="rcpt@dest.test")
    ap.add_argument("--spool")
    ap.add_argument("--verdict", action="append")
    a = ap.parse_args()
    if (a.spool is None) != (a.verdict is None):
        die("--spool and --verdict go together")
    sink_roots = [int(x) for x in a.sink_roots.split(",")]
    relay_roots = [a.relay_root]

    # 1. Warm-up.
    base = sink_count(a.sink_counter)
    if a.warmup > 0:
        w = load(a, a.warmup, 900001)
        if w["acked"] != a.warmup:
            die("warm-up: %d of %d acknowledged (%s)"
                % (w["acked"], a.warmup, w["error"]))
        got = wait_count(a.sink_counter, base + a.warmup, 60)
        if got < base + a.warmup:
            die("warm-up: the sink has %d of %d after 60 s"
                % (got - base, a.warmup))
        time.sleep(1.0)
        clear(a.dump)
    base = sink_count(a.sink_counter)

    # 2. Timed run.
    times_file = os.path.join(a.tmp, "accept.%d" % os.getpid())
    sink_off, relay_off = log_size(a.sink_log), log_size(a.relay_log)
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    m0 = machine()
    r0, s0 = tree_cpu(relay_roots), tree_cpu(sink_roots)
    mthread = queues.metrics_thread(a.relay_root) if a.queues else None
    mt0 = queues.cpu(mthread) if mthread else 0.0
    th0 = queues.threads(a.relay_root) if a.kind == "hubd" else {}
    watch = Arrivals(a.dump)
    watch.start()
    sampler = Sampler(relay_roots)
    sampler.start()
    res = load(a, a.n, 1, times_file, a.rate)
    got = wait_count(a.sink_counter, base + res["acked"], a.timeout)
    t_done = time.time()
    sampler.stop.set()
    sampler.join()
    r1, s1 = tree_cpu(relay_roots), tree_cpu(sink_roots)
    mt1 = queues.cpu(mthread) if mthread else 0.0
    th1 = queues.threads(a.relay_root) if a.kind == "hubd" else {}
    m1 = machine()
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    hubd_hwm = status_kb(a.relay_root, "VmHWM") if a.kind == "hubd" else 0
    time.sleep(0.2)                 # the last file's close
    watch.stop.set()
    watch.join()

    # 3. Figures.
    accepted = {}
    with open(times_file) as f:
        for line in f:
            i, t = line.split()
            accepted[int(i)] = float(t)
    os.unlink(times_file)
    arr, fallback, skew = arrivals(a.dump, watch.times)
    timed = {s: v for s, v in arr.items() if 1 <= s <= a.n}
    dups = sum(len(v) - 1 for v in timed.values())
    missing = [s for s in accepted if s not in timed]
    lat = sorted(min(timed[s]) - accepted[s] for s in accepted if s in timed)
    last = max((max(v) for v in timed.values()), default=t_done)
    wall = last - res["start"]
    if a.latencies:
        with open(a.latencies, "w") as f:
            for s in sorted(accepted):
                if s in timed:
                    f.write("%d %.6f %.6f\n" % (s, accepted[s],
                                                min(timed[s])))

    sink_log = log_from(a.sink_log, sink_off)
    relay_log = log_from(a.relay_log, relay_off)
    if a.kind == "hubd":
        relay_sessions = len(re.findall(r" mta: connector .* transactions?,",
                                        relay_log))
        deferrals = len(re.findall(r" mta: .*failed: ", relay_log))
    else:
        relay_sessions = None
        deferrals = len(re.findall(r"status=deferred", relay_log))

    dt = m1[0] - m0[0]
    busy = 1.0 - (m1[1] - m0[1]) / dt if dt else 0.0
    steal = (m1[2] - m0[2]) / dt if dt else 0.0
    ncpu = os.cpu_count()
    span = dt / TCK / ncpu          # seconds of the measurement window
    relay_cpu, sink_cpu = r1 - r0, s1 - s0
    harness_cpu = ((self1.ru_utime + self1.ru_stime)
                   - (self0.ru_utime + self0.ru_stime))
    busy_cpu = busy * span * ncpu
    n_ok = len(lat)
    rec = {
        "relay": a.relay, "c": a.c, "n": a.n, "size": a.size,
        "rate": a.rate, "late_starts": res.get("late", 0),
        "rep": a.rep, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                            time.gmtime(res["start"])),
        "acked": res["acked"], "failed": res["failed"],
        "load_error": res["error"], "delivered": len(timed),
        "missing": len(missing), "duplicates": dups,
        "arrival_from_mtime": fallback, "inotify_overflow": watch.overflow,
        "inotify_minus_mtime_ms": [round(1000 * pct(skew, p), 2)
                                   for p in (1, 50, 99)] if skew else None,
        "complete": got >= base + res["acked"] and not missing
        and res["acked"] == a.n,
        "wall_s": round(wall, 3),
        "msgs_per_s": round(n_ok / wall, 1) if wall > 0 else None,
        "accept_s": round(res["end"] - res["start"], 3),
        "accept_per_s": round(res["acked"] / (res["end"] - res["start"]), 1),
        "lat_p50_ms": round(pct(lat, 50) * 1000, 1) if lat else None,
        "lat_p99_ms": round(pct(lat, 99) * 1000, 1) if lat else None,
        "lat_max_ms": round(lat[-1] * 1000, 1) if lat else None,
        "relay_cpu_s": round(relay_cpu, 2),
        "relay_cpu_ms_per_msg": round(1000 * relay_cpu / n_ok, 3)
        if n_ok else None,
        "relay_peak_pss_mb": round(sampler.peak_kb / 1024, 1),
        "relay_procs_at_peak": sampler.peak_procs,
        "relay_max_procs": sampler.max_procs,
        "relay_max_vmhwm_mb": round(max(sampler.hwm_kb, hubd_hwm) / 1024, 1),
        "mem_samples": sampler.samples,
        "sink_cpu_s": round(sink_cpu, 2),
        "loadgen_cpu_s": round(res["cpu_s"], 2),
        "harness_cpu_s": round(harness_cpu, 2),
        "other_cpu_s": round(busy_cpu - relay_cpu - sink_cpu - res["cpu_s"]
                             - harness_cpu, 2),
        "machine_busy_pct": round(100 * busy, 1),
        "steal_pct": round(100 * steal, 2),
        "sink_sessions": len(re.findall(r"\]: connect from ", sink_log)),
        "sink_tls": len(re.findall(r"TLS connection established from ",
                                   sink_log)),
        "sink_tls_resumed": len(re.findall(r"Reusing old session",
                                           sink_log)),
        "relay_sessions": relay_sessions,
        "relay_deferrals": deferrals,
        "loadavg_end": open("/proc/loadavg").read().split()[0],
    }
    if a.kind == "hubd":
        rec["relay_thread_cpu_ms"] = queues.threads_delta(th0, th1,
                                                          relay_cpu)
    if a.queues:
        rec["queues"] = a.queues
        rec["relay_mx_lookups"] = len(re.findall(r" mta: MX lookup for ",
                                                 relay_log))
        rec["metrics_thread_cpu_ms"] = (round(1000 * (mt1 - mt0))
                                        if mthread else None)
        rec["scrapes"] = 0
    if a.spool:
        # hubd tracks a delivery once the sink has answered it: the last
        # rows may follow the sink's counter by a moment.
        want = a.warmup + a.n
        end = time.monotonic() + 10
        found = track.verdicts(a.spool)
        while sum(found.values()) < want and time.monotonic() < end:
            time.sleep(0.1)
            found = track.verdicts(a.spool)
        sent, matched = track.count(found, a.verdict)
        rec["verdicts"] = a.verdict
        rec["track_sent"], rec["track_verdict"] = sent, matched
        rec["track_by_verdict"] = found
        if sent != want or matched != want:
            rec["complete"] = False
    if a.scrape_log:
        rec.update(queues.scrapes(a.scrape_log, res["start"], t_done))
        if rec["scrapes"] == 0 or rec["scrape_failures"]:
            rec["complete"] = False
    line = json.dumps(rec)
    if a.out:
        with open(a.out, "a") as f:
            f.write(line + "\n")
    print(line)
    clear(a.dump)
    return 0 if rec["complete"] else 2


if __name__ == "__main__":
    sys.exit(main())
