#!/usr/bin/env bash
# One reliability-suite run per JVM option set, for perf-results/2026-11-28/memory.md.
set -u
cd "$(dirname "$(readlink -f "$0")")/../../.."
OUT=perf-results/2026-11-28/memory
run() {
  local name=$1 only=$2 opts=$3
  echo "== $name: ${opts:-launcher defaults}" | tee -a $OUT/runs.log
  if [ -n "$opts" ]; then
    bench/reliability/run.sh --only "$only" --java-opts "$opts" --report "$OUT/$name.md" 2>&1 | grep -v '^\[' | tee -a $OUT/runs.log
  else
    bench/reliability/run.sh --only "$only" --report "$OUT/$name.md" 2>&1 | grep -v '^\[' | tee -a $OUT/runs.log
  fi
}
: > $OUT/runs.log
ALL=tcp-connections,tcp-memory,udp-flows,reload-storm,malformed-admin
MEM=tcp-connections,tcp-memory,udp-flows
run defaults "$ALL" ""
run jvm-defaults "$ALL" "-XX:MaxRAMPercentage=25 -XX:+UseG1GC"
run g1-256m "$MEM" "-Xms64m -Xmx256m -XX:+UseG1GC"
run serial-512m "$MEM" "-Xms64m -Xmx512m -XX:+UseSerialGC"
run parallel-512m "$MEM" "-Xms64m -Xmx512m -XX:+UseParallelGC"
run zgc-512m "$MEM" "-Xms64m -Xmx512m -XX:+UseZGC"
