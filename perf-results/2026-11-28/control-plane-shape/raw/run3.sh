#!/usr/bin/env bash
# Rounds 7-14: TCP round trip only (direct and portgate-block), alternating order each round.
set -u
JDK=$(/work/wt/i14-shape/mvnw --java-home)
cd /tmp/i14-bench
for round in 7 8 9 10 11 12 13 14; do
  if [ $((round % 2)) -eq 1 ]; then order="main mine"; else order="mine main"; fi
  for build in $order; do
    OUT=/tmp/i14-bench/rr/$build-$round
    mkdir -p $OUT
    echo "$(date -u '+%H:%M:%S') rr round $round $build load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/i14-bench/progress.log
    "$JDK/bin/java" -jar /tmp/i14-bench/$build.jar -f 1 -wi 2 -i 5 -w 1s -r 2s -foe false -p path=direct,portgate-block -rf json -rff $OUT/results.json 'io.portgate.bench.jmh.TcpRoundTripBenchmark' > $OUT/results.txt 2>&1
  done
done
echo FINISHED3 >> /tmp/i14-bench/progress.log
