#!/usr/bin/env python3
"""Summarises the reload-under-load scenario of bench/compare/compare.sh (--reload): summary.md and summary.json in
the scenario's directory, from raw/<load>.<balancer>.<steady|reload><run>.json and raw/reloads.*.txt. Every latency
of a reload run is also a ratio to the steady run of the same balancer, same process, measured just before it.
Standard library only.

    python3 bench/compare/reload_report.py perf-results/<date>/reload
"""
import glob
import json
import os
import re
import sys

ORDER = ["portgate", "portgate-splice", "haproxy", "nginx"]


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def key_values(path):
    values = {}
    try:
        with open(path) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                values[k] = v
    except OSError:
        pass
    return values


def sink_count(path):
    try:
        with open(path) as f:
            m = re.search(r"measured bench datagrams: (\d+) distinct, (\d+) duplicates", f.read())
            return (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    except OSError:
        return None


def runs_of(raw):
    """[(balancer, run)] in a stable order."""
    found = set()
    for path in glob.glob(os.path.join(raw, "reloads.*.txt")):
        parts = os.path.basename(path).split(".")  # reloads.<balancer>.<steady|reload><run>.txt
        if len(parts) != 4:
            continue
        balancer = parts[1]
        m = re.match(r"(steady|reload)(\d+)$", parts[2])
        if m:
            found.add((balancer, m.group(2)))
    return sorted(found, key=lambda br: (ORDER.index(br[0]) if br[0] in ORDER else 99, br[0], int(br[1])))


def latency(data, name="latency"):
    lat = (data or {}).get("latency", {}).get(name) or {}
    return {p: lat[p] / 1000.0 for p in ("p50", "p99", "p999") if p in lat} if lat.get("count") else {}


def rr(raw, kind, balancer, mode, run):
    data = load_json(os.path.join(raw, "%s.%s.%s%s.json" % (kind, balancer, mode, run)))
    if data is None:
        return None
    expected = data.get("requestedRate", 0) * data.get("measuredNanos", 0) / 1e9
    return {"operations": data.get("operations", 0), "expected": round(expected), "errors": data.get("errors", 0),
            "timeouts": data.get("timeouts", 0), "lateReplies": data.get("lateReplies", 0),
            "mismatches": data.get("mismatches", 0), "latency": latency(data),
            "errorMessages": data.get("errorMessages", [])}


def oneway(raw, balancer, mode, run):
    name = "udp-oneway.%s.%s%s" % (balancer, mode, run)
    data = load_json(os.path.join(raw, name + ".json"))
    if data is None:
        return None
    loss = data.get("loss") or {}
    received, duplicates = loss.get("received", 0), loss.get("duplicates", 0)
    for extra in (2, 3):
        got = sink_count(os.path.join(raw, "%s.sink%d.txt" % (name, extra)))
        if got:
            received += got[0]
            duplicates += got[1]
    sent = loss.get("sent", 0)
    return {"sent": sent, "received": received, "lost": max(0, sent - received), "duplicates": duplicates,
            "lossPercent": 100.0 * max(0, sent - received) / sent if sent else None, "errors": data.get("errors", 0),
            "errorMessages": data.get("errorMessages", [])}


def portgate_udp_sink(path):
    """(received datagrams, sent to targets, dropped by portgate) of the udp-sink listener, from `portgate stat`."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    header = re.search(r"^LISTENER +RECEIVED_BYTES .*RECEIVED_DATAGRAMS.*$", text, re.M)
    row = re.search(r"^udp-sink +\d+ .*$", text, re.M)
    if not header or not row:
        return None
    values = dict(zip(header.group(0).split(), row.group(0).split()))
    dropped = sum(int(v) for k, v in values.items() if k.startswith("DROPPED_DATAGRAMS"))
    targets = sum(int(m) for m in re.findall(r"^udp-sink +127\.0\.0\.1:\d+ +(?:\S+ +){9}(\d+)", text, re.M))
    return int(values["RECEIVED_DATAGRAMS"]), targets, dropped


def ratio(a, b):
    return "%.2fx" % (a / b) if a is not None and b else "-"


def us(v):
    return "-" if v is None else ("%.0f" % v if v >= 100 else "%.1f" % v)


def main():
    out_dir = sys.argv[1]
    raw = os.path.join(out_dir, "raw")
    rows = []
    for balancer, run in runs_of(raw):
        row = {"balancer": balancer, "run": run, "reloads": key_values(os.path.join(raw, "reloads.%s.reload%s.txt" %
                                                                                      (balancer, run)))}
        for mode in ("steady", "reload"):
            row[mode] = {"tcp-rr": rr(raw, "tcp-rr", balancer, mode, run),
                         "udp-rr": rr(raw, "udp-rr", balancer, mode, run),
                         "udp-oneway": oneway(raw, balancer, mode, run)}
        rows.append(row)

    md = ["# Reload under load", "",
          "Per balancer one process, the same load twice: `steady` (no reload), then `reload` (the configuration "
          "rewritten, alternating between two valid variants, and reloaded every interval for the whole run). "
          "Latency from the intended send time (constant rate, no coordinated omission); the ratios are reload "
          "over steady of the same balancer in the same process. Errors and timeouts include the 1 s warm-up.", ""]
    md += ["## Reloads", "", "| balancer | run | how | reload signals sent | reloads applied (balancer's log) |",
           "|---|---|---|---|---|"]
    for r in rows:
        rl = r["reloads"]
        md.append("| %s | %s | %s | %s | %s |" % (r["balancer"], r["run"], rl.get("method", "-"),
                                                 rl.get("signals", "-"), rl.get("applied", "-")))
    for kind, title in (("tcp-rr", "TCP round trips over long-lived connections"), ("udp-rr", "UDP round trips")):
        md += ["", "## " + title, "",
               "| balancer | run | replies steady / reload (expected) | errors steady / reload | timeouts "
               "(lost replies) steady / reload | p50 steady, reload (ratio) | p99 | p99.9 |",
               "|---|---|---|---|---|---|---|---|"]
        for r in rows:
            s, l = r["steady"][kind], r["reload"][kind]
            if not s or not l:
                continue
            cells = []
            for p in ("p50", "p99", "p999"):
                a, b = s["latency"].get(p), l["latency"].get(p)
                cells.append("%s, %s us (%s)" % (us(a), us(b), ratio(b, a)))
            md.append("| %s | %s | %d / %d (%d) | %d / %d | %d / %d | %s |" % (
                r["balancer"], r["run"], s["operations"], l["operations"], l["expected"], s["errors"], l["errors"],
                s["timeouts"] + s["lateReplies"], l["timeouts"] + l["lateReplies"], " | ".join(cells)))
    md += ["", "## UDP one way", "",
           "| balancer | run | sent steady / reload | lost steady / reload | loss steady / reload | duplicates "
           "steady / reload |", "|---|---|---|---|---|---|"]
    for r in rows:
        s, l = r["steady"]["udp-oneway"], r["reload"]["udp-oneway"]
        if not s or not l:
            continue
        md.append("| %s | %s | %d / %d | %d / %d | %.3f %% / %.3f %% | %d / %d |" % (
            r["balancer"], r["run"], s["sent"], l["sent"], s["lost"], l["lost"], s["lossPercent"] or 0,
            l["lossPercent"] or 0, s["duplicates"], l["duplicates"]))
    md += ["", "### Where portgate's one-way datagrams went (its own counters, `raw/stat.*.txt`)", "",
           "Differences of `portgate stat` between the end of the steady and of the reload loads, so the reload "
           "loads' warm-up is included: datagrams sent by the client = measured + 1 s of warm-up. \"Not read\": sent "
           "but never received by portgate, so lost in its listening socket's receive buffer (the worker did not "
           "read in time); \"dropped\": portgate's DROPPED_DATAGRAMS counters.", "",
           "| balancer | run | sent by the client | received by portgate | not read | forwarded to targets | "
           "dropped |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        if not r["balancer"].startswith("portgate"):
            continue
        a = portgate_udp_sink(os.path.join(raw, "stat.%s.steady%s.txt" % (r["balancer"], r["run"])))
        b = portgate_udp_sink(os.path.join(raw, "stat.%s.reload%s.txt" % (r["balancer"], r["run"])))
        data = load_json(os.path.join(raw, "udp-oneway.%s.reload%s.json" % (r["balancer"], r["run"])))
        if not a or not b or not data:
            continue
        sent = data.get("loss", {}).get("sent", 0) + round(data.get("requestedRate", 0) *
                                                           data.get("warmupNanos", 0) / 1e9)
        received, forwarded, dropped = (y - x for x, y in zip(a, b))
        r["portgate-udp-sink-reload"] = {"sent": sent, "received": received, "forwarded": forwarded,
                                         "dropped": dropped}
        md.append("| %s | %s | %d | %d | %d | %d | %d |" % (r["balancer"], r["run"], sent, received,
                                                           sent - received, forwarded, dropped))
    messages = []
    for r in rows:
        for mode in ("steady", "reload"):
            for kind, v in r[mode].items():
                for m in (v or {}).get("errorMessages", []):
                    messages.append("- %s %s%s %s: %s" % (r["balancer"], mode, r["run"], kind,
                                                          m if isinstance(m, str) else json.dumps(m)))
    md += ["", "## Error messages the load generator reported", ""] + (messages or ["none"]) + [""]
    machine = os.path.join(out_dir, "machine.md")
    if os.path.exists(machine):
        with open(machine) as f:
            md += [f.read()]
    with open(os.path.join(out_dir, "summary.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(rows, f, indent=2, sort_keys=True)
    print("\n".join(md[: len(md) - (1 if os.path.exists(machine) else 0)]))


if __name__ == "__main__":
    main()
