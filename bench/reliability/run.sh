#!/usr/bin/env bash
# The reliability suite (issue 15): real ./portgate run processes and real clients on 127.0.0.1, one scenario at a
# time, each bounded in time and count, each reporting a figure and a verdict (README, "Reliability suite").
#
#   bench/reliability/run.sh [--quick] [--only NAME,...] [--report FILE] [--java-opts OPTS] [--list]
#
# The full run (about 2 minutes here) writes perf-results/<date>/reliability.md; --quick (about 1 minute, what CI
# runs) writes bench/target/reliability/reliability-quick.md. Exit status: 0 when every required scenario passed,
# 1 when one did not, 2 on a bad command line or a failed build. Scenarios whose fix has not landed are not required:
# they report FAIL with their figure and leave the exit status alone (--list says which).
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
case "${1:-}" in
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

JDK=$("$ROOT/mvnw" --java-home) || { echo "reliability: no JDK >= 22 found" >&2; exit 2; }
SUITE_JAR="$ROOT/bench/target/benchmarks.jar"
PORTGATE_JAR="$ROOT/src/target/portgate.jar"
stale() {
  [ -f "$SUITE_JAR" ] && [ -f "$PORTGATE_JAR" ] || return 0
  [ -n "$(find "$ROOT/pom.xml" "$ROOT/core" "$ROOT/bench" "$ROOT/src" \( -path '*/target' -prune \) -o \
      \( -type f \( -name '*.java' -o -name 'pom.xml' -o -path '*/resources/*' \) \
         \( -newer "$SUITE_JAR" -o -newer "$PORTGATE_JAR" \) -print \) 2>/dev/null | head -n 1)" ]
}
if stale; then
  echo "reliability: building portgate.jar and the suite..." >&2
  (cd "$ROOT" && ./mvnw -B -q -DskipTests -Dmaven.javadoc.skip=true -pl src,bench -am package) || exit 2
  touch "$PORTGATE_JAR"
fi

# 10,000 connections need about 20,000 descriptors in the suite and as many in the balancer: raise the limit where
# this user may (root may raise the hard limit too); the scenarios scale down and say so where it stays lower.
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt 65536 ]; then
  ulimit -Hn 65536 2>/dev/null || true
fi
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true

cd "$ROOT"
exec "$JDK/bin/java" --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
  -Xmx1g -cp "$SUITE_JAR" io.portgate.bench.reliability.ReliabilitySuite --root "$ROOT" "$@"
