#!/usr/bin/python3
"""report.py - the Markdown tables of bench/transport.sh from its JSON
lines (one per timed run, written by measure.py).

    report.py RESULTS.jsonl

Per relay and concurrency: medians over the repetitions, with min-max
for the throughput; then, per concurrency, hubd against Postfix (ratio
of the medians, and the range of the per-repetition ratios).  With the
SCRAPE_QUEUES variant, hubd scraped against hubd not scraped instead,
and every repetition's pair of runs; with the DANE variant, hubd-dane
against hubd, the same way.
"""

import json
import math
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
    if "hubd-scraped" in relays:
        scraped(allruns)
    if "hubd-dane" in relays:
        dane(allruns)
    incomplete = [r for r in allruns if not r["complete"]]
    for r in incomplete:
        print("- incomplete: %s C=%d rep %d: acked %d of %d, delivered %d, "
              "missing %d, load error: %s%s%s" % (
                  r["relay"], r["c"], r["rep"], r["acked"], r["n"],
                  r["delivered"], r["missing"], r["load_error"],
                  "; %d of %d scrapes failed" % (r["scrape_failures"],
                                                 r["scrapes"])
                  if "scrape_failures" in r else "",
                  "; tracked %d, %d of them under %s" % (
                      r["track_sent"], r["track_verdict"],
                      " or ".join('"%s"' % v for v in r["verdicts"]))
                  if "verdicts" in r else ""))
    return 0


def per_scrape(r):
    """The metrics thread's CPU per scrape of one run, in ms."""
    if not r.get("scrapes") or r.get("metrics_thread_cpu_ms") is None:
        return None
    return r["metrics_thread_cpu_ms"] / r["scrapes"]


def paired(allruns, variant):
    """The complete runs of hubd and of variant, by (rate, c, rep), and
    the keys that have both, in order."""
    pairs = {}
    for r in allruns:
        if r["relay"] in ("hubd", variant) and r["complete"]:
            pairs.setdefault((r["rate"], r["c"], r["rep"]), {})[
                r["relay"]] = r
    return pairs, sorted(k for k in pairs if len(pairs[k]) == 2)


def by_load(pairs, keys, variant):
    """Per (rate, c) of paired()'s keys: the pairs, hubd's msgs/s and
    variant's, and the ratios of variant over hubd, pair by pair."""
    for rate, c in sorted(set(k[:2] for k in keys)):
        ps = [pairs[k] for k in keys if k[:2] == (rate, c)]
        a = [p["hubd"]["msgs_per_s"] for p in ps]
        b = [p[variant]["msgs_per_s"] for p in ps]
        yield rate, c, ps, a, b, [y / x for x, y in zip(a, b)]


def scraped(allruns):
    """hubd scraped (hubd-scraped) against hubd not scraped (hubd), both
    with the same queues: per concurrency, then per repetition."""
    pairs, keys = paired(allruns, "hubd-scraped")
    if not keys:
        return
    q = pairs[keys[0]]["hubd"].get("queues")
    print("Scraped against not scraped, both with %s queues; the ratio is "
          "hubd-scraped over hubd (1.00: no difference)." % fmt(q))
    print()
    print("| C | rate | runs | msgs/s not scraped, median (min–max) | "
          "scraped | ratio of medians | per rep, median (min–max) | "
          "sink CPU per message, scraped over not, median | "
          "scrapes per run | "
          "failed | metrics thread CPU ms per scrape | "
          "relay CPU ms/msg, not / scraped | MX lookups |")
    print("|" + "---|" * 13)
    for rate, c, ps, a, b, per in by_load(pairs, keys, "hubd-scraped"):
        sc = [p["hubd-scraped"] for p in ps]
        cpus = [per_scrape(r) for r in sc]
        print("| %d | %s | %d | %s (%s–%s) | %s (%s–%s) | **%s** | "
              "**%s** (%s–%s) | %s | "
              "%s (%s–%s) | %d | **%s** (%s–%s) | %s / %s | %d |" % (
                  c, fmt(rate) if rate else "full", len(ps),
                  fmt(med(a)), fmt(min(a)), fmt(max(a)),
                  fmt(med(b)), fmt(min(b)), fmt(max(b)),
                  fmt(med(b) / med(a), 3), fmt(med(per), 3),
                  fmt(min(per), 3), fmt(max(per), 3),
                  fmt(med([sink_per_msg(p["hubd-scraped"]) /
                           sink_per_msg(p["hubd"]) for p in ps]), 3),
                  fmt(med([r["scrapes"] for r in sc])),
                  min(r["scrapes"] for r in sc),
                  max(r["scrapes"] for r in sc),
                  sum(r["scrape_failures"] for r in sc),
                  fmt(med(cpus), 1),
                  fmt(min(x for x in cpus if x is not None)
                      if any(x is not None for x in cpus) else None, 1),
                  fmt(max(x for x in cpus if x is not None)
                      if any(x is not None for x in cpus) else None, 1),
                  fmt(med([p["hubd"]["relay_cpu_ms_per_msg"] for p in ps]),
                      3),
                  fmt(med([r["relay_cpu_ms_per_msg"] for r in sc]), 3),
                  sum(p[k].get("relay_mx_lookups", 0) for p in ps
                      for k in p)))
    print()
    print("Metrics thread: libmicrohttpd's thread in hubd, where the text "
          "is made (its user + system CPU over the run, over the scrapes "
          "in it; 10 ms ticks).  Sink CPU per message: the sink does the "
          "same work in both variants, so its ratio is how much the "
          "machine itself sped up or slowed down between the two runs of "
          "a pair.  MX lookups: hubd's, during the timed runs (0: the "
          "queues were idle).")
    print()
    adjusted(pairs, keys, "hubd-scraped")
    threads_table(pairs, keys, "hubd-scraped", ("not scraped", "scraped"))
    pair_table(pairs, keys, "hubd-scraped", "not scraped",
               ("not", "scraped"),
               ["sink CPU/msg, scraped over not",
                "latency p50 / p99 ms, not", "scraped", "scrapes",
                "scrape wall ms p50 / max",
                "metrics thread ms, not / scraped"],
               lambda x, y: [
                   fmt(sink_per_msg(y) / sink_per_msg(x), 3),
                   latency(x), latency(y),
                   "%d" % y["scrapes"],
                   "%s / %s" % (fmt(y["scrape_wall_ms_p50"], 1),
                                fmt(y["scrape_wall_ms_max"], 1)),
                   "%s / %s" % (fmt(x.get("metrics_thread_cpu_ms")),
                                fmt(y.get("metrics_thread_cpu_ms")))])


# Student's t, two-sided 95 %, by degrees of freedom (1.96 past 30).
T95 = [12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.20,
       2.18, 2.16, 2.14, 2.13, 2.12, 2.11, 2.10, 2.09, 2.09, 2.08, 2.07,
       2.07, 2.06, 2.06, 2.06, 2.05, 2.05, 2.05, 2.04]


def adjusted(pairs, keys, variant):
    """The throughput ratio with the machine's own speed taken out: per
    full-speed pair, log(variant's msgs/s over hubd's) against log(the
    sink's CPU per message, variant's run over hubd's), fitted by least
    squares; the fit's value where the sink's ratio is 1 (the same
    machine speed in both runs) is the variant's own cost, given with its
    95 % interval."""
    ps = [pairs[k] for k in keys if not k[0]]
    if len(ps) < 4:
        return
    xs = [math.log(sink_per_msg(p[variant]) / sink_per_msg(p["hubd"]))
          for p in ps]
    ys = [math.log(p[variant]["msgs_per_s"] / p["hubd"]["msgs_per_s"])
          for p in ps]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    b = sxy / sxx
    a = my - b * mx
    resid = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    se = math.sqrt(resid / (n - 2) * (1.0 / n + mx * mx / sxx))
    t = T95[n - 3] if n - 2 <= len(T95) else 1.96
    print("Machine speed taken out (%d full-speed pairs): the throughput "
          "ratio against the sink's CPU-per-message ratio correlates at "
          "%s (slope %s on logs); where the sink's ratio is 1, the ratio "
          "is **%s** (95 %% interval %s–%s)." % (
              n, fmt(sxy / math.sqrt(sxx * syy), 2), fmt(b, 2),
              fmt(math.exp(a), 3), fmt(math.exp(a - t * se), 3),
              fmt(math.exp(a + t * se), 3)))
    print()


def sink_per_msg(r):
    """The sink's CPU seconds per delivered message of one run."""
    return r["sink_cpu_s"] / max(r["delivered"], 1)


def threads_table(pairs, keys, variant, names):
    """hubd's CPU by thread (the names hubd gives its threads), in ms per
    1,000 delivered messages, median over the full-speed runs of each
    variant; runs from before hubd named its threads have none."""
    runs = {v: [pairs[k][v] for k in keys if not k[0]
                and "relay_thread_cpu_ms" in pairs[k][v]]
            for v in ("hubd", variant)}
    if not runs["hubd"] or not runs[variant]:
        return
    per = {v: [{t: 1000.0 * ms / max(r["delivered"], 1)
                for t, ms in r["relay_thread_cpu_ms"].items()}
               for r in rs] for v, rs in runs.items()}
    every = sorted(set(t for v in per for d in per[v] for t in d))
    print("hubd's CPU by thread at full speed, ms per 1,000 messages, "
          "median of %d and %d runs (\"(short-lived)\": threads that "
          "came or went during the run: SMTP sessions, control "
          "connections):" % (len(runs["hubd"]), len(runs[variant])))
    print()
    print("| thread | %s | %s | difference |" % names)
    print("|---|---|---|---|")
    total = {v: 0.0 for v in per}
    for t in every:
        m = {v: med([d.get(t, 0.0) for d in per[v]]) for v in per}
        if not m["hubd"] and not m[variant]:
            continue
        for v in per:
            total[v] += m[v]
        print("| %s | %s | %s | %s |" % (t, fmt(m["hubd"]),
                                         fmt(m[variant]),
                                         fmt(m[variant] - m["hubd"])))
    print("| (sum of the medians) | %s | %s | %s |" % (
        fmt(total["hubd"]), fmt(total[variant]),
        fmt(total[variant] - total["hubd"])))
    print()


def latency(r):
    """A run's latency, "p50 / p99" in ms."""
    return "%s / %s" % (fmt(r["lat_p50_ms"], 1), fmt(r["lat_p99_ms"], 1))


def pair_table(pairs, keys, variant, xname, names, heads, middle):
    """A row for each pair of paired(), x hubd's run and y variant's:
    rep, C, rate, which went first (names), both rates (hubd's column
    called xname) and their ratio, the columns heads with the cells
    middle(x, y) gives, then the others' CPU, machine busy and the load
    at the end of each."""
    print("| rep | C | rate | first | msgs/s %s | %s | ratio | %s | "
          "other CPU s, %s / %s | machine busy, %s / %s | load at end |"
          % (xname, names[1], " | ".join(heads), names[0], names[1],
             names[0], names[1]))
    print("|" + "---|" * (10 + len(heads)))
    for k in keys:
        x, y = pairs[k]["hubd"], pairs[k][variant]
        cells = ["%d" % k[2], "%d" % k[1], fmt(k[0]) if k[0] else "full",
                 names[0] if x["time"] <= y["time"] else names[1],
                 fmt(x["msgs_per_s"]), fmt(y["msgs_per_s"]),
                 fmt(y["msgs_per_s"] / x["msgs_per_s"], 3)]
        cells += middle(x, y) + [
            "%s / %s" % (fmt(x["other_cpu_s"], 2), fmt(y["other_cpu_s"], 2)),
            "%s / %s %%" % (fmt(x["machine_busy_pct"]),
                            fmt(y["machine_busy_pct"])),
            "%s / %s" % (x["loadavg_end"], y["loadavg_end"])]
        print("| " + " | ".join(cells) + " |")
    print()


def tracked(r):
    """"matched of sent" from a run's tracking check, and how many of
    them had the verdict of a resumed session, the last one given."""
    s = "%s of %s" % (fmt(r["track_verdict"]), fmt(r["track_sent"]))
    if len(r["verdicts"]) > 1:
        s += " (%s unnamed)" % fmt(
            r["track_by_verdict"].get(r["verdicts"][-1], 0))
    return s


def dane(allruns):
    """hubd with DANE (hubd-dane) against the same hubd without it
    (hubd): per concurrency, then per repetition, then the median of
    the full-speed ratios."""
    pairs, keys = paired(allruns, "hubd-dane")
    if not keys:
        return
    print("DANE against no DANE; the ratio is hubd-dane over hubd "
          "(1.00: no difference; the target is 0.90 or more).")
    print()
    print("| C | rate | pairs | msgs/s hubd, median (min–max) | "
          "hubd-dane | ratio of medians | per rep, median (min–max) | "
          "relay CPU ms/msg, hubd / hubd-dane | CPU ratio, median | "
          "sink sessions (TLS resumed), hubd / hubd-dane |")
    print("|" + "---|" * 10)
    for rate, c, ps, a, b, per in by_load(pairs, keys, "hubd-dane"):
        ca = [p["hubd"]["relay_cpu_ms_per_msg"] for p in ps]
        cb = [p["hubd-dane"]["relay_cpu_ms_per_msg"] for p in ps]
        print("| %d | %s | %d | %s (%s–%s) | %s (%s–%s) | **%s** | "
              "**%s** (%s–%s) | %s / %s | %s | %s (%s) / %s (%s) |" % (
                  c, fmt(rate) if rate else "full", len(ps),
                  fmt(med(a)), fmt(min(a)), fmt(max(a)),
                  fmt(med(b)), fmt(min(b)), fmt(max(b)),
                  fmt(med(b) / med(a), 3), fmt(med(per), 3),
                  fmt(min(per), 3), fmt(max(per), 3),
                  fmt(med(ca), 3), fmt(med(cb), 3),
                  fmt(med([y / x for x, y in zip(ca, cb)]), 3),
                  fmt(med([p["hubd"]["sink_sessions"] for p in ps])),
                  fmt(med([p["hubd"]["sink_tls_resumed"] for p in ps])),
                  fmt(med([p["hubd-dane"]["sink_sessions"] for p in ps])),
                  fmt(med([p["hubd-dane"]["sink_tls_resumed"]
                           for p in ps]))))
    print()
    pair_table(pairs, keys, "hubd-dane", "hubd", ("hubd", "hubd-dane"),
               ["relay CPU ms/msg, hubd / hubd-dane",
                "latency p50 / p99 ms, hubd", "hubd-dane",
                "tracked under the verdict, hubd / hubd-dane",
                "sink TLS resumed, hubd / hubd-dane"],
               lambda x, y: [
                   "%s / %s" % (fmt(x["relay_cpu_ms_per_msg"], 3),
                                fmt(y["relay_cpu_ms_per_msg"], 3)),
                   latency(x), latency(y),
                   "%s / %s" % (tracked(x), tracked(y)),
                   "%s / %s" % (fmt(x["sink_tls_resumed"]),
                                fmt(y["sink_tls_resumed"]))])
    full = [pairs[k]["hubd-dane"]["msgs_per_s"]
            / pairs[k]["hubd"]["msgs_per_s"] for k in keys if not k[0]]
    if full:
        print("**Median ratio hubd-dane / hubd over the %d full-speed "
              "pairs: %s** (min %s, max %s; %d of %d below 0.90).  "
              "Tracked: deliveries (warm-up included) whose tracking "
              "record carries the variant's verdict (%s), of all it "
              "tracked, and of those how many did not name the record "
              "that matched (\"%s\", a resumed session); \"first\": "
              "the variant that ran first in the pair."
              % (len(full), fmt(med(full), 3), fmt(min(full), 3),
                 fmt(max(full), 3), sum(1 for v in full if v < 0.9),
                 len(full), " and ".join(
                     "%s \"%s\"" % (r, pairs[keys[0]][r]["verdicts"][0])
                     for r in ("hubd", "hubd-dane")),
                 pairs[keys[0]]["hubd-dane"]["verdicts"][-1]))
        print()


if __name__ == "__main__":
    sys.exit(main())
