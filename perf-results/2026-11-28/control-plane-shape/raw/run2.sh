#!/usr/bin/env bash
# Rounds 3-6: more iterations; the order alternates each round (main first, then this branch first).
set -u
JDK=$(/work/wt/i14-shape/mvnw --java-home)
REGEX='io.portgate.bench.jmh.(TcpRoundTripBenchmark|HandshakeBenchmark|UdpLossBenchmark)'
cd /tmp/i14-bench
for round in 3 4 5 6; do
  if [ $((round % 2)) -eq 1 ]; then order="main mine"; else order="mine main"; fi
  for build in $order; do
    OUT=/tmp/i14-bench/$build-$round
    mkdir -p $OUT
    echo "$(date -u '+%H:%M:%S') round $round $build load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/i14-bench/progress.log
    "$JDK/bin/java" -jar /tmp/i14-bench/$build.jar -f 1 -wi 2 -i 5 -w 1s -r 2s -foe false -rf json -rff $OUT/results.json "$REGEX" > $OUT/results.txt 2>&1
    echo "$(date -u '+%H:%M:%S') done round $round $build load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/i14-bench/progress.log
  done
done
echo FINISHED2 >> /tmp/i14-bench/progress.log
