#!/usr/bin/env python3
"""Reads `jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample` from stdin and prints where the samples
are: per thread, the top frames (self), and the top frames anywhere in the (truncated) stack (inclusive).
Java samples are taken in Java code only; native samples are threads blocked or working in native code
(epoll_wait, read, write, splice...), so both are counted and kept apart."""
import collections
import re
import sys

FRAME = re.compile(r"^\s+([\w$.<>/]+\([^)]*\))")


def main():
    events = []
    kind = thread = None
    stack = []
    in_stack = False
    for line in sys.stdin:
        s = line.strip()
        if s.startswith("jdk.ExecutionSample") or s.startswith("jdk.NativeMethodSample"):
            kind = "java" if s.startswith("jdk.ExecutionSample") else "native"
            thread, stack, in_stack = None, [], False
        elif s.startswith("sampledThread"):
            m = re.search(r'"([^"]*)"', s)
            thread = m.group(1) if m else s
        elif s.startswith("stackTrace = ["):
            in_stack = True
        elif in_stack and s == "]":
            in_stack = False
        elif in_stack and s != "...":
            m = FRAME.match(line)
            if m:
                stack.append(m.group(1))
        elif s == "}" and kind:
            events.append((kind, thread or "?", stack))
            kind = None
    by_thread = collections.Counter((k, t) for k, t, _ in events)
    print("samples: %d (java %d, native %d)" % (len(events), sum(1 for e in events if e[0] == "java"),
                                                sum(1 for e in events if e[0] == "native")))
    print("\nsamples per thread:")
    for (k, t), n in by_thread.most_common(15):
        print("  %6d  %-6s %s" % (n, k, t))
    for k in ("java", "native"):
        selected = [s for kk, t, s in events if kk == k and s]
        if not selected:
            continue
        total = len(selected)
        print("\n%s samples, top frames (self), %d samples:" % (k, total))
        for frame, n in collections.Counter(s[0] for s in selected).most_common(25):
            print("  %5.1f %%  %s" % (100.0 * n / total, frame))
        print("\n%s samples, frames anywhere in the top of the stack (inclusive):" % k)
        inclusive = collections.Counter()
        for s in selected:
            for frame in set(s):
                inclusive[frame] += 1
        for frame, n in inclusive.most_common(25):
            print("  %5.1f %%  %s" % (100.0 * n / total, frame))


if __name__ == "__main__":
    main()
