#!/usr/bin/env bash
# Rounds 15-22: TCP round trip only (direct and portgate: backoff, splice auto), alternating order each round.
set -u
JDK=$(/work/wt/i14-shape/mvnw --java-home)
cd /tmp/i14-bench
for round in 15 16 17 18 19 20 21 22; do
  if [ $((round % 2)) -eq 1 ]; then order="main mine"; else order="mine main"; fi
  for build in $order; do
    OUT=/tmp/i14-bench/rr-backoff/$build-$round
    mkdir -p $OUT
    echo "$(date -u '+%H:%M:%S') rr-backoff round $round $build load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/i14-bench/progress.log
    "$JDK/bin/java" -jar /tmp/i14-bench/$build.jar -f 1 -wi 2 -i 5 -w 1s -r 2s -foe false -p path=direct,portgate -rf json -rff $OUT/results.json 'io.portgate.bench.jmh.TcpRoundTripBenchmark' > $OUT/results.txt 2>&1
  done
done
echo FINISHED4 >> /tmp/i14-bench/progress.log
