#!/usr/bin/env bash
# Runs the JMH suite (bench/src/main/java/io/portgate/bench/jmh) in a configuration that fits in about 8 minutes
# on a 2-core machine: one fork, 2 warm-up iterations of 1s, 3 measured iterations of 2s per benchmark and parameter
# set (40 in all). Writes the text and JSON results with the machine, JDK, commit and exact command beside them.
#
#   bench/run-jmh.sh [--out DIR] [--prof-gc] [REGEX] [-- more JMH options]
#
# REGEX selects benchmarks (default: the whole suite, io.portgate.bench.jmh). The annotations' own settings
# (longer) apply when the jar is run without these options: java -jar bench/target/benchmarks.jar
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
OUT=""
REGEX="io.portgate.bench.jmh"
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift ;;
    --prof-gc) EXTRA+=(-prof gc) ;;
    --) shift; EXTRA+=("$@"); break ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) REGEX=$1 ;;
  esac
  shift
done

JDK=$("$ROOT/mvnw" --java-home) || { echo "run-jmh.sh: no JDK >= 22 found" >&2; exit 2; }
JAR="$ROOT/bench/target/benchmarks.jar"
if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT/bench/src/main" "$ROOT/core/src/main" -newer "$JAR" -name '*.java' | head -1)" ]; then
  echo "run-jmh.sh: building $JAR ..." >&2
  (cd "$ROOT" && ./mvnw -B -q -DskipTests -pl bench -am package) || exit 2
fi
if ! unzip -l "$JAR" META-INF/BenchmarkList >/dev/null 2>&1; then
  echo "run-jmh.sh: $JAR has no META-INF/BenchmarkList: the JMH annotation processor did not run" >&2; exit 2
fi

OUT=${OUT:-"$ROOT/perf-results/$(date -u +%Y-%m-%d)/jmh"}
mkdir -p "$OUT"
CMD=("$JDK/bin/java" -jar "$JAR" -f 1 -wi 2 -i 3 -w 1s -r 2s -foe false -rf json -rff "$OUT/results.json"
     "${EXTRA[@]}" "$REGEX")
{
  echo "# JMH run"
  echo
  echo "- date (UTC): $(date -u '+%Y-%m-%d %H:%M:%S')"
  echo "- nproc: $(nproc); CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1); kernel: $(uname -srm)"
  echo "- JDK: $("$JDK/bin/java" -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "- commit: $(git -C "$ROOT" rev-parse HEAD)$(git -C "$ROOT" diff --quiet HEAD -- core src bench/src || echo ' (with local changes)')"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
  echo "- command: ${CMD[*]}"
} > "$OUT/machine.md"
echo "run-jmh.sh: results go to $OUT" >&2
"${CMD[@]}" 2>&1 | tee "$OUT/results.txt"
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.md"
