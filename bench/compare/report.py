#!/usr/bin/env python3
"""Summarises a bench/compare/compare.sh result directory: summary.md (every figure also as a ratio to direct,
measured in the same run), summary.json, and latency.svg (round-trip percentile curves), standard library only.

    python3 bench/compare/report.py perf-results/<date>
"""
import glob
import json
import math
import os
import re
import statistics
import sys

TARGETS = ["direct", "portgate", "portgate-splice", "haproxy", "nginx"]
PORTGATES = ["portgate", "portgate-splice"]
# Column headings: portgate measures the build's defaults, portgate-splice the one setting it changes.
LABELS = {"portgate": "portgate (defaults: block, copy)", "portgate-splice": "portgate-splice (block, splice on)"}
COLOURS = {"direct": "#444444", "portgate": "#d62728", "portgate-splice": "#ff7f0e", "haproxy": "#1f77b4",
           "nginx": "#2ca02c"}
CLOCK_TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")

# portgate's targets from issue 7, as ratios to direct in the same run.
GOALS = [
    # key, label, comparison, limit
    ("tcp-rr.p50", "TCP round trip p50", "<=", 1.9),
    ("tcp-rr.p99", "TCP round trip p99", "<=", 2.4),
    ("udp-rr.p50", "UDP round trip p50", "<=", 2.2),
    ("udp-oneway-100000.loss", "UDP one-way loss at 100k/s (%)", "<", 1.0),
    ("udp-oneway-200000.loss", "UDP one-way loss at 200k/s (%)", "<", 10.0),
    ("iperf3.mbps", "TCP bulk throughput (iperf3, 1 stream)", ">=", 0.75),
    ("connect.rate", "new connections/s, 8 concurrent clients", ">=", 0.6),
]


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def cpu_seconds(raw, name):
    try:
        with open(os.path.join(raw, name + ".cputicks")) as f:
            return int(f.read().strip()) * CLOCK_TICK_S
    except (OSError, ValueError):
        return None


def sink_count(path):
    try:
        with open(path) as f:
            m = re.search(r"measured bench datagrams: (\d+) distinct", f.read())
            return int(m.group(1)) if m else 0
    except OSError:
        return None


def collect(raw):
    """metrics[(scenario, metric)][target][run] = value; cpu[(scenario)][target][run] = balancer CPU us per op."""
    metrics, cpu = {}, {}

    def put(scenario, metric, target, run, value):
        if value is not None:
            metrics.setdefault((scenario, metric), {}).setdefault(target, {})[run] = value

    for path in sorted(glob.glob(os.path.join(raw, "*.json"))):
        name = os.path.basename(path)[:-5]
        parts = name.split(".")
        if len(parts) != 3 or parts[2] == "profile":
            continue
        scenario, target, run = parts
        data = load(path)
        if data is None:
            continue
        ops = None
        if scenario in ("tcp-rr", "udp-rr"):
            lat = data.get("latency", {}).get("latency") or {}
            if data.get("operations", 0) > 0 and lat.get("count", 0) > 0:
                put(scenario, "p50", target, run, lat["p50"] / 1000.0)
                put(scenario, "p99", target, run, lat["p99"] / 1000.0)
                put(scenario, "p999", target, run, lat["p999"] / 1000.0)
                put(scenario, "errors", target, run, data.get("errors", 0) + data.get("timeouts", 0))
                ops = data["operations"]
        elif scenario.startswith("udp-oneway-"):
            loss = data.get("loss") or {}
            sent = loss.get("sent", 0)
            received = loss.get("received", 0)
            if target != "direct":
                for extra in (2, 3):
                    n = sink_count(os.path.join(raw, "%s.sink%d.txt" % (name, extra)))
                    received += n or 0
            if sent > 0:
                put(scenario, "loss", target, run, 100.0 * max(0, sent - received) / sent)
                put(scenario, "delivered", target, run, received / (data["measuredNanos"] / 1e9))
                ops = received
        elif scenario == "bulk":
            if data.get("bytes", 0) > 0:
                put(scenario, "mbps", target, run, data["megabytesPerSecond"])
                ops = data["bytes"] / 1e6
        elif scenario == "iperf3":
            try:
                bps = data["end"]["sum_received"]["bits_per_second"]
                put(scenario, "mbps", target, run, bps / 8e6)
                ops = data["end"]["sum_received"]["bytes"] / 1e6
            except (KeyError, TypeError):
                pass
        elif scenario == "connect":
            if data.get("operations", 0) > 0:
                put(scenario, "rate", target, run, data["rate"])
                hs = data.get("latency", {}).get("handshake") or {}
                if hs.get("count"):
                    put(scenario, "handshake-p50", target, run, hs["p50"] / 1000.0)
                put(scenario, "errors", target, run, data.get("errors", 0))
                ops = data["operations"]
        secs = cpu_seconds(raw, name)
        if target != "direct" and ops and secs is not None:
            cpu.setdefault(scenario, {}).setdefault(target, {})[run] = secs * 1e6 / ops
    return metrics, cpu


def ratios(values, target):
    """Per-run ratio target/direct, for the runs where both exist."""
    base = values.get("direct", {})
    mine = values.get(target, {})
    return [mine[r] / base[r] for r in sorted(mine) if r in base and base[r] > 0]


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "%":
        return "%.2f %%" % value
    if value >= 1000:
        return "%.0f %s" % (value, unit)
    if value >= 100:
        return "%.0f %s" % (value, unit)
    return "%.1f %s" % (value, unit)


def fmt_ratio(rs):
    if not rs:
        return ""
    if len(rs) == 1:
        return "%.2fx" % rs[0]
    return "%.2fx (%.2f-%.2f)" % (statistics.mean(rs), min(rs), max(rs))


ROWS = [
    ("tcp-rr", "p50", "TCP round trip p50", "us"),
    ("tcp-rr", "p99", "TCP round trip p99", "us"),
    ("tcp-rr", "p999", "TCP round trip p99.9", "us"),
    ("udp-rr", "p50", "UDP round trip p50", "us"),
    ("udp-rr", "p99", "UDP round trip p99", "us"),
    ("udp-oneway-50000", "loss", "UDP one-way loss at 50k/s", "%"),
    ("udp-oneway-100000", "loss", "UDP one-way loss at 100k/s", "%"),
    ("udp-oneway-200000", "loss", "UDP one-way loss at 200k/s", "%"),
    ("iperf3", "mbps", "TCP bulk, iperf3 1 stream", "MB/s"),
    ("bulk", "mbps", "TCP bulk, portgate bench bulk 1 stream", "MB/s"),
    ("connect", "rate", "new connections/s, 8 clients", "/s"),
    ("connect", "handshake-p50", "handshake p50 (connect to first byte)", "us"),
]


def table(metrics):
    lines = ["| scenario | " + " | ".join(LABELS.get(t, t) for t in TARGETS) + " |",
             "|---|" + "---|" * len(TARGETS)]
    for scenario, metric, label, unit in ROWS:
        values = metrics.get((scenario, metric))
        if not values:
            continue
        cells = []
        for t in TARGETS:
            runs = values.get(t)
            if not runs:
                cells.append("n/a")
                continue
            mean = statistics.mean(runs.values())
            if metric == "loss":
                # A loss ratio to a loss near zero means nothing: the ratio is of datagrams delivered per second.
                delivered = metrics.get((scenario, "delivered"), {})
                r = ratios(delivered, t)
                cell = fmt(mean, unit) + ("" if t == "direct" else " (delivered %s)" % fmt_ratio(r))
            else:
                r = ratios(values, t)
                cell = fmt(mean, unit) + ("" if t == "direct" else " (%s)" % fmt_ratio(r))
            cells.append(cell)
        lines.append("| %s | %s |" % (label, " | ".join(cells)))
    return "\n".join(lines)


def cpu_table(cpu):
    units = {"tcp-rr": "us/round trip", "udp-rr": "us/round trip", "bulk": "us/MB", "iperf3": "us/MB",
             "connect": "us/connection"}
    lines = ["| scenario | balancer CPU per unit | " + " | ".join(TARGETS[1:]) + " |",
             "|---|---|" + "---|" * (len(TARGETS) - 1)]
    for scenario in ["tcp-rr", "udp-rr", "udp-oneway-50000", "udp-oneway-100000", "udp-oneway-200000", "iperf3",
                     "bulk", "connect"]:
        if scenario not in cpu:
            continue
        cells = []
        for t in TARGETS[1:]:
            runs = cpu[scenario].get(t)
            cells.append("%.2f" % statistics.mean(runs.values()) if runs else "n/a")
        lines.append("| %s | %s | %s |" % (scenario, units.get(scenario, "us/datagram delivered"),
                                          " | ".join(cells)))
    return "\n".join(lines)


def goal_value(metrics, key, target):
    scenario, metric = key.rsplit(".", 1)
    values = metrics.get((scenario, metric), {})
    if metric == "loss":
        runs = values.get(target, {})
        return (max(runs.values()), list(runs.values())) if runs else (None, [])
    rs = ratios(values, target)
    return None if not rs else (max(rs) if key.endswith(("p50", "p99")) else min(rs)), rs


def verdict_of(got, op, limit, is_loss):
    if got is None:
        return "not measured"
    if {"<=": got <= limit, "<": got < limit, ">=": got >= limit}[op]:
        return "met"
    if is_loss:
        return "missed by %.1f points" % (got - limit)
    if op in ("<=", "<"):
        return "missed by %.0f %%" % (100.0 * (got - limit) / limit)
    return "missed by %.0f %%" % (100.0 * (limit - got) / limit)


def goals(metrics):
    lines = ["| target (issue 7) | limit | " + " | ".join("%s (worst run)" % t for t in PORTGATES) + " |",
             "|---|---|" + "---|" * len(PORTGATES)]
    verdicts = []
    for key, label, op, limit in GOALS:
        is_loss = key.endswith(".loss")
        limit_s = ("%s %g %%" if is_loss else "%s %gx direct") % (op, limit)
        cells = []
        for t in PORTGATES:
            got, runs = goal_value(metrics, key, t)
            verdict = verdict_of(got, op, limit, is_loss)
            if got is None:
                shown = "-"
            elif is_loss:
                shown = "%.2f %%" % got
            else:
                shown = "%.2fx" % got
            cells.append(shown + ("" if got is None else ": " + verdict))
            verdicts.append({"balancer": t, "target": label, "limit": limit_s, "worst": got, "runs": runs,
                             "verdict": verdict})
        lines.append("| %s | %s | %s |" % (label, limit_s, " | ".join(cells)))
    return "\n".join(lines), verdicts


# ---- SVG ---------------------------------------------------------------------------------------------------------

def read_curve(path):
    pts = []
    with open(path) as f:
        for line in f:
            p, v = line.split()
            p, v = float(p), float(v)
            if p >= 100.0:
                p = 99.9999
            pts.append((p, max(v, 1.0)))
    return pts


def svg(out_dir):
    raw = os.path.join(out_dir, "raw")
    panels = []
    for scenario, title in (("tcp-rr", "TCP round trip, 64 B"), ("udp-rr", "UDP round trip, 64 B")):
        curves = []
        for path in sorted(glob.glob(os.path.join(raw, scenario + ".*.hlog.curve.tsv"))):
            _, target, run = os.path.basename(path).split(".")[:3]
            if run == "profile":
                continue
            curves.append((target, run, read_curve(path)))
        if curves:
            panels.append((title, curves))
    if not panels:
        return None
    pw, ph, ml, mr, mt, mb = 520, 360, 70, 20, 40, 55
    width = pw * len(panels)
    height = ph + 40
    x_max = 5.0  # 99.999th percentile: log10(1/(1-p))
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
             'font-size="12">' % (width, height), '<rect width="100%" height="100%" fill="white"/>']
    for i, (title, curves) in enumerate(panels):
        ox = i * pw
        vals = [v for _, _, pts in curves for _, v in pts]
        y_lo = 10 ** math.floor(math.log10(min(vals)))
        y_hi = 10 ** math.ceil(math.log10(max(vals)))
        ly_lo, ly_hi = math.log10(y_lo), math.log10(y_hi)
        x0, x1, y0, y1 = ox + ml, ox + pw - mr, mt, ph - mb + mt - 20

        def sx(p):
            return x0 + (x1 - x0) * min(math.log10(1.0 / (1.0 - p / 100.0)), x_max) / x_max

        def sy(v):
            return y1 - (y1 - y0) * (math.log10(v) - ly_lo) / (ly_hi - ly_lo)

        parts.append('<text x="%d" y="22" font-size="14" font-weight="bold">%s: latency by percentile '
                     '(log-log)</text>' % (x0, title))
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>' %
                     (x0, y0, x1 - x0, y1 - y0))
        for p, label in ((0, "0"), (50, "50"), (90, "90"), (99, "99"), (99.9, "99.9"), (99.99, "99.99"),
                         (99.999, "99.999")):
            x = sx(p)
            parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>' % (x, y0, x, y1))
            parts.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (x, y1 + 15, label))
        parts.append('<text x="%d" y="%d" text-anchor="middle">percentile</text>' % ((x0 + x1) / 2, y1 + 32))
        d = ly_lo
        while d <= ly_hi + 1e-9:
            for m in (1, 2, 5):
                v = m * 10 ** d
                if y_lo <= v <= y_hi:
                    y = sy(v)
                    parts.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>' % (x0, y, x1, y))
                    parts.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (x0 - 4, y + 4, v))
            d += 1
        parts.append('<text x="%d" y="%d" transform="rotate(-90 %d %d)" text-anchor="middle">microseconds</text>' %
                     (ox + 16, (y0 + y1) / 2, ox + 16, (y0 + y1) / 2))
        for target, run, pts in curves:
            poly = " ".join("%.1f,%.1f" % (sx(p), sy(v)) for p, v in pts)
            dash = '' if run == "1" else ' stroke-dasharray="5,3"'
            parts.append('<polyline fill="none" stroke="%s" stroke-width="1.6"%s points="%s"><title>%s run %s'
                         '</title></polyline>' % (COLOURS.get(target, "#000"), dash, poly, target, run))
        ly = y0 + 10
        for target in TARGETS:
            if any(t == target for t, _, _ in curves):
                parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>' %
                             (x0 + 10, ly, x0 + 30, ly, COLOURS[target]))
                parts.append('<text x="%d" y="%d">%s</text>' % (x0 + 35, ly + 4, target))
                ly += 16
        parts.append('<text x="%d" y="%d" fill="#666">solid: run 1, dashed: run 2</text>' % (x0 + 10, ly + 4))
    parts.append('<text x="10" y="%d" fill="#666">Constant-rate load, coordinated-omission corrected '
                 '(portgate bench); same machine, same run.</text>' % (height - 8))
    parts.append("</svg>")
    path = os.path.join(out_dir, "latency.svg")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")
    return path


def main():
    out_dir = sys.argv[1]
    raw = os.path.join(out_dir, "raw")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import syscalls_report
    syscalls_md, syscalls_summary = syscalls_report.section(out_dir)
    metrics, cpu = collect(raw)
    if not metrics and syscalls_md:
        # compare.sh --only syscalls: that section alone.
        with open(os.path.join(out_dir, "summary.md"), "w") as f:
            machine = ""
            if os.path.exists(os.path.join(out_dir, "machine.md")):
                with open(os.path.join(out_dir, "machine.md")) as m:
                    machine = m.read()
            f.write("# System calls: portgate, HAProxy, nginx stream\n\n" + syscalls_md + "\n" + machine)
        with open(os.path.join(out_dir, "summary.json"), "w") as f:
            json.dump({"syscalls": syscalls_summary}, f, indent=2, sort_keys=True)
        print(syscalls_md)
        return
    goals_md, verdicts = goals(metrics)
    picture = svg(out_dir)
    machine = ""
    if os.path.exists(os.path.join(out_dir, "machine.md")):
        with open(os.path.join(out_dir, "machine.md")) as f:
            machine = f.read()
    md = ["# Comparison: direct, portgate, HAProxy, nginx stream", "",
          "Each cell: the mean over runs, and in brackets its ratio to direct measured in the same run (mean, and "
          "the range over runs). Loss cells carry the ratio of datagrams delivered per second instead. `n/a`: the "
          "balancer does not serve that protocol (HAProxy has no UDP; portgate only when its build serves UDP "
          "listeners). `portgate` runs the build's defaults (`idle-strategy: block`, sleeping in epoll_wait as HAProxy "
          "and nginx do, and `fast-paths.splice: off`, copying through a buffer); `portgate-splice` the same build "
          "with `fast-paths.splice: on`.", "", table(metrics), "", "## portgate against its targets", "", goals_md, "",
          "## Balancer CPU time per unit of work", "",
          "utime + stime of the balancer process (and nginx's worker) from /proc over warm-up and measured time, "
          "divided by the measured units: comparable between balancers, a little above the absolute cost.", "",
          cpu_table(cpu), ""]
    if picture:
        md += ["## Latency percentiles", "", "![latency percentile curves](latency.svg)", ""]
    if syscalls_md:
        md += [syscalls_md]
    md += [machine]
    with open(os.path.join(out_dir, "summary.md"), "w") as f:
        f.write("\n".join(md))
    summary = {"metrics": {"%s.%s" % k: v for k, v in metrics.items()}, "cpu_us_per_unit": cpu,
               "targets": verdicts, "syscalls": syscalls_summary}
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    print(table(metrics))
    print()
    print(goals_md)


if __name__ == "__main__":
    main()
