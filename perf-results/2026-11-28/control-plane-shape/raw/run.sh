#!/usr/bin/env bash
# Alternates main's and this branch's JMH jars on the same machine, same session.
set -u
JDK=$(/work/wt/i14-shape/mvnw --java-home)
REGEX='io.portgate.bench.jmh.(TcpRoundTripBenchmark|HandshakeBenchmark|UdpLossBenchmark)'
cd /tmp/i14-bench
for round in 1 2; do
  for build in main mine; do
    OUT=/tmp/i14-bench/$build-$round
    mkdir -p $OUT
    echo "$(date -u '+%H:%M:%S') round $round $build load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/i14-bench/progress.log
    "$JDK/bin/java" -jar /tmp/i14-bench/$build.jar -f 1 -wi 2 -i 3 -w 1s -r 2s -foe false -rf json -rff $OUT/results.json "$REGEX" > $OUT/results.txt 2>&1
    echo "$(date -u '+%H:%M:%S') done round $round $build load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/i14-bench/progress.log
  done
done
echo FINISHED >> /tmp/i14-bench/progress.log
