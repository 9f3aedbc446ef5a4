#!/usr/bin/env python3
"""The syscalls scenario of bench/compare/compare.sh: syscalls per TCP round trip, per connection (connect, 64-byte
echo, close) and per idle second, and wake-ups per idle second, per balancer, from <out>/raw/syscalls/. Standard
library only. report.py adds its section to summary.md; alone it prints the section:

    python3 bench/compare/syscalls_report.py perf-results/<date>
"""
import glob
import json
import os
import sys

BALANCERS = ["portgate", "portgate-splice", "haproxy", "nginx"]
# Issue 12's targets, as ratios to HAProxy's count in the same run (idle wake-ups: an absolute figure).
TARGETS = [("tcp-rr", "syscalls per TCP round trip", 0.7), ("connect", "syscalls per TCP connection", 0.8)]
IDLE_WAKEUPS_LIMIT = 10.0
TOP = 12


def parse_strace(path):
    """{syscall: (calls, errors)} from a `strace -c -U name,calls,errors` table, or None."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    calls = {}
    for line in lines:
        parts = line.split()
        if len(parts) < 2 or parts[0] in ("syscall", "total") or parts[0].startswith("-"):
            continue
        try:
            calls[parts[0]] = (int(parts[1]), int(parts[2]) if len(parts) > 2 else 0)
        except ValueError:
            continue
    return calls


def units(path):
    try:
        with open(path) as f:
            return json.load(f).get("operations", 0)
    except (OSError, ValueError):
        return 0


def switches(path):
    """{tid: (name, count)} from a thread_switches snapshot."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    out[parts[0]] = (parts[1], int(parts[2]))
    except (OSError, ValueError):
        pass
    return out


def collect(raw):
    """data[balancer][run] = {load: {"units": n, "calls": {...}}, "idle": {...}}"""
    data = {}
    for path in sorted(glob.glob(os.path.join(raw, "syscalls", "*.strace"))):
        name = os.path.basename(path)[:-len(".strace")]
        balancer, load, run = name.rsplit(".", 2)
        calls = parse_strace(path)
        if calls is None:
            continue
        entry = data.setdefault(balancer, {}).setdefault(run, {})
        if load == "idle":
            base = os.path.join(raw, "syscalls", "%s.idle.%s" % (balancer, run))
            try:
                with open(base + ".seconds") as f:
                    seconds = float(f.read().strip())
            except (OSError, ValueError):
                continue
            before, after = switches(base + ".before"), switches(base + ".after")
            per_thread = {}
            for tid, (thread, count) in after.items():
                delta = count - before.get(tid, (thread, 0))[1]
                per_thread[thread] = per_thread.get(thread, 0) + delta
            entry["idle"] = {"seconds": seconds, "calls": calls, "wakeups": sum(per_thread.values()),
                             "threads": per_thread}
        else:
            n = units(os.path.join(raw, "syscalls", "%s.%s.%s.json" % (balancer, load, run)))
            if n > 0:
                entry[load] = {"units": n, "calls": calls}
    return data


def total(calls):
    return sum(c for c, _ in calls.values())


def per_unit(data, balancer, load):
    """Per run: syscalls per unit."""
    out = []
    for run in sorted(data.get(balancer, {})):
        entry = data[balancer][run].get(load)
        if entry:
            out.append(total(entry["calls"]) / entry["units"])
    return out


def idle_figure(data, balancer, key):
    out = []
    for run in sorted(data.get(balancer, {})):
        idle = data[balancer][run].get("idle")
        if idle:
            value = total(idle["calls"]) if key == "syscalls" else idle["wakeups"]
            out.append(value / idle["seconds"])
    return out


def cell(values, digits=1):
    if not values:
        return "n/a"
    mean = sum(values) / len(values)
    text = "%.*f" % (digits, mean)
    if len(values) > 1:
        text += " (%.*f-%.*f)" % (digits, min(values), digits, max(values))
    return text


def section(out_dir):
    raw = os.path.join(out_dir, "raw")
    data = collect(raw)
    if not data:
        return None, {}
    present = [b for b in BALANCERS if b in data]
    md = ["## System calls per unit of work (strace -c -f)", "",
          "All threads of each balancer (nginx: its worker), attached with `strace -c -f -p PID`; the loads start "
          "after strace attached and take no warm-up, so every round trip and connection done was traced. strace "
          "makes every syscall slow, so these runs count syscalls and nothing else. Wake-ups: voluntary and "
          "involuntary context switches of all threads over the idle period, read from /proc with no strace "
          "attached. Cells: mean (range over runs).", "",
          "| balancer | syscalls per TCP round trip | syscalls per connection (connect, 64 B echo, close) | "
          "syscalls per idle second | wake-ups per idle second |",
          "|---|---|---|---|---|"]
    summary = {}
    for b in present:
        rr, conn = per_unit(data, b, "tcp-rr"), per_unit(data, b, "connect")
        idle_calls, wakeups = idle_figure(data, b, "syscalls"), idle_figure(data, b, "wakeups")
        summary[b] = {"per_round_trip": rr, "per_connection": conn, "idle_syscalls_per_s": idle_calls,
                      "idle_wakeups_per_s": wakeups}
        md.append("| %s | %s | %s | %s | %s |" % (b, cell(rr, 2), cell(conn, 1), cell(idle_calls, 1),
                                                 cell(wakeups, 1)))
    md += ["", "### portgate against issue 12's targets", "",
           "| target | limit | " + " | ".join(b for b in present if b.startswith("portgate")) + " |",
           "|---|---|" + "---|" * len([b for b in present if b.startswith("portgate")])]
    verdicts = {}
    for load, label, limit in TARGETS:
        ha = per_unit(data, "haproxy", load)
        row = "| %s | <= %.1fx HAProxy's (%s) |" % (label, limit, cell(ha, 2))
        for b in present:
            if not b.startswith("portgate"):
                continue
            mine = per_unit(data, b, load)
            if not mine or not ha:
                row += " n/a |"
                continue
            ratio = (sum(mine) / len(mine)) / (sum(ha) / len(ha))
            ok = ratio <= limit
            verdicts["%s.%s" % (b, load)] = {"ratio": ratio, "limit": limit, "met": ok}
            row += " %.2fx: %s |" % (ratio, "met" if ok else "missed by %.0f%%" % (100 * (ratio / limit - 1)))
        md.append(row)
    row = "| wake-ups per idle second, all threads | <= %.0f |" % IDLE_WAKEUPS_LIMIT
    for b in present:
        if not b.startswith("portgate"):
            continue
        w = idle_figure(data, b, "wakeups")
        if not w:
            row += " n/a |"
            continue
        worst = max(w)
        verdicts["%s.idle" % b] = {"value": worst, "limit": IDLE_WAKEUPS_LIMIT, "met": worst <= IDLE_WAKEUPS_LIMIT}
        row += " %.1f (worst run): %s |" % (worst, "met" if worst <= IDLE_WAKEUPS_LIMIT else "missed")
    md.append(row)
    for load, label in (("tcp-rr", "per TCP round trip"), ("connect", "per connection")):
        md += ["", "### Syscalls %s, by call (calls / errors per unit, mean over runs)" % label, ""]
        names = {}
        for b in present:
            for run, entry in data[b].items():
                if load in entry:
                    for name, (c, _) in entry[load]["calls"].items():
                        names[name] = max(names.get(name, 0), c / entry[load]["units"])
        top = sorted(names, key=lambda n: -names[n])[:TOP]
        md += ["| syscall | " + " | ".join(present) + " |", "|---|" + "---|" * len(present)]
        for name in top:
            cells = []
            for b in present:
                vals, errs = [], []
                for run, entry in data[b].items():
                    if load in entry:
                        c, e = entry[load]["calls"].get(name, (0, 0))
                        vals.append(c / entry[load]["units"])
                        errs.append(e / entry[load]["units"])
                if not vals:
                    cells.append("n/a")
                    continue
                v, e = sum(vals) / len(vals), sum(errs) / len(errs)
                cells.append("%.2f" % v + (" / %.2f" % e if e >= 0.005 else ""))
            md.append("| %s | %s |" % (name, " | ".join(cells)))
    md += ["", "### Idle wake-ups by thread (per second, over the idle period, untraced)", ""]
    for b in present:
        threads = {}
        runs = 0
        for run, entry in data[b].items():
            idle = entry.get("idle")
            if idle:
                runs += 1
                for thread, n in idle["threads"].items():
                    threads[thread] = threads.get(thread, 0) + n / idle["seconds"]
        busy = sorted(((n / runs, t) for t, n in threads.items() if n > 0), reverse=True) if runs else []
        md.append("- %s: %s" % (b, ", ".join("%s %.1f" % (t, n) for n, t in busy[:8]) or "none"))
    return "\n".join(md) + "\n", {"balancers": summary, "targets": verdicts}


if __name__ == "__main__":
    text, _ = section(sys.argv[1])
    print(text or "no syscalls results in %s/raw/syscalls" % sys.argv[1])
