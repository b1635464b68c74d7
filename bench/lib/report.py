#!/usr/bin/python3
"""report.py - the Markdown tables of bench/transport.sh from its JSON
lines (one per timed run, written by measure.py).

    report.py RESULTS.jsonl

Per relay and concurrency: medians over the repetitions, with min-max
for the throughput; then, per concurrency, hubd against Postfix (ratio
of the medians, and the range of the per-repetition ratios).
"""

import json
import statistics
import sys


def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def fmt(x, nd=0):
    if x is None:
        return "–"
    return "{:,.{}f}".format(x, nd)


def main():
    allruns = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    runs = [r for r in allruns if not r.get("rate")]
    paced = [r for r in allruns if r.get("rate")]
    if not allruns:
        print("(no runs)")
        return 1
    relays, cs = [], []
    for r in allruns:
        if r["relay"] not in relays:
            relays.append(r["relay"])
        if r["c"] not in cs:
            cs.append(r["c"])
    group = {}
    for r in runs:
        group.setdefault((r["relay"], r["c"]), []).append(r)

    print("| relay | C | runs | msgs/s median (min–max) | wall s | "
          "accepted/s | latency p50 ms | latency p99 ms | relay CPU s | "
          "relay CPU ms/msg | relay peak PSS MB (procs) | largest VmHWM MB | "
          "sink sessions | TLS resumed | sink CPU s | load gen CPU s | "
          "other CPU s | machine busy |")
    print("|" + "---|" * 18)
    for c in sorted(set(r["c"] for r in runs), key=cs.index):
        for relay in relays:
            g = group.get((relay, c))
            if not g:
                continue
            ok = [r for r in g if r["complete"]]
            bad = len(g) - len(ok)
            tp = [r["msgs_per_s"] for r in ok]
            m = lambda k: med([r[k] for r in ok])
            pss = m("relay_peak_pss_mb")
            procs = m("relay_procs_at_peak")
            print("| %s | %d | %d%s | **%s** (%s–%s) | %s | %s | %s | %s | "
                  "%s | **%s** | %s (%s) | %s | %s | %s | %s | %s | %s | "
                  "%s %% |" % (
                      relay, c, len(ok),
                      " (+%d incomplete)" % bad if bad else "",
                      fmt(med(tp)), fmt(min(tp) if tp else None),
                      fmt(max(tp) if tp else None),
                      fmt(m("wall_s"), 2), fmt(m("accept_per_s")),
                      fmt(m("lat_p50_ms"), 0 if (m("lat_p50_ms") or 0) >= 100
                          else 1),
                      fmt(m("lat_p99_ms"), 0 if (m("lat_p99_ms") or 0) >= 100
                          else 1),
                      fmt(m("relay_cpu_s"), 2),
                      fmt(m("relay_cpu_ms_per_msg"), 2),
                      fmt(pss, 0 if (pss or 0) >= 10 else 1), fmt(procs),
                      fmt(m("relay_max_vmhwm_mb"), 0),
                      fmt(m("sink_sessions")), fmt(m("sink_tls_resumed")),
                      fmt(m("sink_cpu_s"), 2), fmt(m("loadgen_cpu_s"), 2),
                      fmt(m("other_cpu_s"), 2), fmt(m("machine_busy_pct"))))
    print()
    print("msgs/s: N over first connection to last arrival at the sink; "
          "accepted/s: N over first connection to last 250.  Latency: "
          "arrival at the sink minus the 250 to the load generator.  CPU: "
          "user + system of each process tree (reaped children included).  "
          "Other CPU: machine busy time minus everything accounted here "
          "(anything else running; approximate, a few CPU-s either way).")
    print()

    if "hubd" in relays and "postfix" in relays:
        print("| C | hubd / Postfix: msgs/s | per rep | "
              "CPU ms/msg | per rep | latency p50 | latency p99 |")
        print("|---|---|---|---|---|---|---|")
        for c in sorted(set(r["c"] for r in runs), key=cs.index):
            h = {r["rep"]: r for r in group.get(("hubd", c), [])
                 if r["complete"]}
            p = {r["rep"]: r for r in group.get(("postfix", c), [])
                 if r["complete"]}
            if not h or not p:
                continue

            def ratio(k):
                a = med([r[k] for r in h.values()])
                b = med([r[k] for r in p.values()])
                per = [h[i][k] / p[i][k] for i in h if i in p and p[i][k]]
                return (a / b if a is not None and b else None,
                        min(per) if per else None,
                        max(per) if per else None)
            t, tlo, thi = ratio("msgs_per_s")
            u, ulo, uhi = ratio("relay_cpu_ms_per_msg")
            l50 = ratio("lat_p50_ms")[0]
            l99 = ratio("lat_p99_ms")[0]
            print("| %d | **%s×** | %s–%s | **%s×** | %s–%s | %s× | %s× |"
                  % (c, fmt(t, 2), fmt(tlo, 2), fmt(thi, 2), fmt(u, 2),
                     fmt(ulo, 2), fmt(uhi, 2), fmt(l50, 2), fmt(l99, 2)))
        print()
    if paced:
        print("Paced: the load generator opens message k at k/rate seconds "
              "(open loop, at most C sessions at once).")
        print()
        print("| relay | rate msgs/s | C cap | runs | latency p50 ms | "
              "latency p99 ms | latency max ms | relay CPU ms/msg | "
              "relay peak PSS MB | sink sessions | TLS resumed | "
              "late starts |")
        print("|" + "---|" * 12)
        pg = {}
        for r in paced:
            pg.setdefault((r["rate"], r["c"], r["relay"]), []).append(r)
        for (rate, c, relay) in sorted(pg, key=lambda k: (
                k[0], k[1], relays.index(k[2]) if k[2] in relays else 9)):
            ok = [r for r in pg[(rate, c, relay)] if r["complete"]]
            m = lambda k: med([r[k] for r in ok])
            print("| %s | %s | %d | %d | **%s** | **%s** | %s | %s | %s | "
                  "%s | %s | %s |" % (
                      relay, fmt(rate), c, len(ok), fmt(m("lat_p50_ms"), 1),
                      fmt(m("lat_p99_ms"), 1), fmt(m("lat_max_ms"), 1),
                      fmt(m("relay_cpu_ms_per_msg"), 2),
                      fmt(m("relay_peak_pss_mb"), 0),
                      fmt(m("sink_sessions")), fmt(m("sink_tls_resumed")),
                      fmt(m("late_starts"))))
        print()
    incomplete = [r for r in allruns if not r["complete"]]
    for r in incomplete:
        print("- incomplete: %s C=%d rep %d: acked %d of %d, delivered %d, "
              "missing %d, load error: %s" % (
                  r["relay"], r["c"], r["rep"], r["acked"], r["n"],
                  r["delivered"], r["missing"], r["load_error"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
