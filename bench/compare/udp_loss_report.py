#!/usr/bin/env python3
"""Where the datagrams of compare.sh's udp-oneway runs went: udp-loss.md from <out>/raw.

For each run through a balancer: sent (the client), received (the three sinks: the client's own and the two
standalone ones), dropped by the kernel at the sinks' sockets (not the balancer's doing), and so lost in the balancer;
then, for portgate, what it counted (portgate_dropped_datagrams_total of its udp-sink listener, by reason, between
`stat` snapshots taken before and after the run) and the kernel's drops at its listening socket (/proc/net/udp).

    python3 bench/compare/udp_loss_report.py OUT [> udp-loss-table.md]
"""
import json
import os
import re
import sys


def read_kv(path):
    values = {}
    if os.path.exists(path):
        for line in open(path):
            parts = line.split()
            if len(parts) == 2:
                values[parts[0]] = int(parts[1])
    return values


def sink_count(path):
    # "portgate bench server: N datagrams, ...; measured bench datagrams: M distinct, ..."
    if not os.path.exists(path):
        return 0
    m = re.search(r"measured bench datagrams: (\d+) distinct", open(path).read())
    return int(m.group(1)) if m else 0


def dropped(path):
    by_reason = {}
    if not os.path.exists(path):
        return None
    try:
        stat = json.load(open(path))
    except ValueError:
        return None
    for s in stat.get("samples", []):
        labels = s.get("labels", {})
        if s.get("metric") == "portgate_dropped_datagrams_total" and labels.get("listener") == "udp-sink":
            reason = labels.get("reason", "")
            by_reason[reason] = by_reason.get(reason, 0) + s.get("value", 0)
    return by_reason


def main(out):
    raw = os.path.join(out, "raw")
    rows = []
    for name in sorted(os.listdir(raw)):
        m = re.match(r"(udp-oneway-(\d+))\.([a-z-]+)\.(\d+)\.json$", name)
        if not m or m.group(3) == "direct":
            continue
        base = name[:-len(".json")]
        result = json.load(open(os.path.join(raw, name)))
        loss = result["loss"]
        sent = loss["sent"]
        received = loss["received"] + sink_count(os.path.join(raw, base + ".sink2.txt")) + \
            sink_count(os.path.join(raw, base + ".sink3.txt"))
        before = read_kv(os.path.join(raw, base + ".loss-before.txt"))
        after = read_kv(os.path.join(raw, base + ".loss-after.txt"))
        sink_drops = after.get("sink-drops", 0) - before.get("sink-drops", 0)
        listener_drops = after.get("listener-drops", 0) - before.get("listener-drops", 0)
        if listener_drops < 0:
            # /proc/net/udp is read in chunks: a socket can be missed while others are opened or closed meanwhile.
            listener_drops = None
        lost = sent - received - sink_drops
        counted_before = dropped(os.path.join(raw, base + ".stat-before.json"))
        counted_after = dropped(os.path.join(raw, base + ".stat-after.json"))
        counted = None
        reasons = ""
        if counted_before is not None and counted_after is not None:
            delta = {r: counted_after.get(r, 0) - counted_before.get(r, 0) for r in counted_after}
            counted = sum(delta.values())
            reasons = ", ".join("%s %d" % (r, v) for r, v in sorted(delta.items()) if v)
        rows.append((int(m.group(2)), m.group(3), int(m.group(4)), sent, received, sink_drops, lost,
                     listener_drops, counted, reasons))
    print("| rate | balancer | run | sent | received | kernel drops at the sinks | lost in the balancer | "
          "loss | kernel drops at its listening socket | counted by the balancer | by reason |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for rate, target, run, sent, received, sink_drops, lost, listener_drops, counted, reasons in sorted(rows):
        print("| %dk/s | %s | %d | %d | %d | %d | %d | %.2f %% | %s | %s | %s |" % (
            rate // 1000, target, run, sent, received, sink_drops, lost, 100.0 * lost / max(1, sent),
            "n/a" if listener_drops is None else listener_drops, "-" if counted is None else counted, reasons or "-"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
