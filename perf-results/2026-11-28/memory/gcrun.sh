#!/usr/bin/env bash
cd "$(dirname "$(readlink -f "$0")")/../../.."
OUT=perf-results/2026-11-28/memory
for v in "g1|-Xlog:gc*:file=/tmp/gcl-%p.log" "serial|-Xms64m -Xmx512m -XX:+UseSerialGC -Xlog:gc*:file=/tmp/gcl-%p.log" "zgc|-Xms64m -Xmx512m -XX:+UseZGC -Xlog:gc*:file=/tmp/gcl-%p.log"; do
  name=${v%%|*}; opts=${v#*|}
  rm -f /tmp/gcl-*.log
  echo "== $name: $opts"
  bench/reliability/run.sh --only tcp-connections,reload-storm --java-opts "$opts" --report /tmp/gc-$name.md 2>&1 | grep -E "PASS|FAIL|JVM options" | cut -c1-160
  cat /tmp/gcl-*.log > $OUT/gc-$name.log
  # Pauses, not forced by jcmd GC.run (the suite's own heap readings).
  grep -E "\[gc *\] .*Pause" $OUT/gc-$name.log | grep -v "Diagnostic Command" | grep -oE "[0-9.]+ms$" | sed 's/ms//' | sort -n | \
    awk '{a[NR]=$1; s+=$1} END {if (NR) printf "pauses (not forced): %d, median %.2f ms, max %.2f ms, total %.0f ms\n", NR, a[int((NR+1)/2)], a[NR], s}'
  grep -E "\[gc *\] .*Pause" $OUT/gc-$name.log | grep "Diagnostic Command" | grep -oE "[0-9.]+ms$" | sed 's/ms//' | sort -n | \
    awk '{a[NR]=$1} END {if (NR) printf "forced full collections (jcmd GC.run): %d, max %.2f ms\n", NR, a[NR]}'
done
