#!/usr/bin/env bash
# Side-by-side comparison: direct connections, portgate, HAProxy (TCP) and nginx stream (TCP and UDP), each balancer
# with one worker in front of the same three backends, everything on 127.0.0.1, every run bounded in time.
# Writes perf-results/<date>/ : raw output, machine facts, summary.md (every figure also as a ratio to direct)
# and latency.svg (the round-trip percentile curves). See bench/compare/README.md.
#
#   bench/compare/compare.sh [--quick] [--runs N] [--out DIR] [--targets LIST] [--only LIST] [--no-profile] [--reload]
#   (--targets: direct,portgate,portgate-splice,haproxy,nginx;
#    --only: tcp-rr,udp-rr,udp-oneway,bulk,iperf3,connect,syscalls,reload)
#   portgate runs the build's defaults (idle-strategy block, fast-paths.splice off: copying through a buffer);
#   portgate-splice is the same build with fast-paths.splice: on (TCP moved by splice(2)).
#
#   --reload (or reload in --only) adds the reload-under-load scenario, written to <out>/reload/ (with --only reload
#   alone, <out>/reload/ also gets its own machine.md and commands.log). For each balancer of --targets but direct
#   (one fresh process per run, RELOAD_RUNS runs, default 1) it runs the same load twice: "steady", no reload, then
#   "reload", with the configuration rewritten and reloaded every RELOAD_INTERVAL (default 0.5 s) for the whole run.
#   The loads, one after the other, each RELOAD_DURATION (default 10s) after a 1s warm-up: tcp-rr over
#   RR_CONNECTIONS long-lived connections at RR_RATE, udp-rr over UDP_FLOWS flows at RR_RATE, and udp-oneway at
#   RELOAD_ONEWAY_RATE (default 20000/s) into the three sinks (no UDP for HAProxy). The two configurations (config/reload/<balancer>.a
#   and .b) differ in the first target's weight of the tcp-echo, udp-echo and udp-sink pools and in a fourth target
#   of the unused iperf pool. Reloads: portgate `kill -HUP` (applied reloads counted from its `reload=N
#   result=applied` lines), HAProxy master-worker (-W) `kill -USR2` to the master (counted from its "Loading
#   success" lines), nginx `kill -HUP` to the master (counted from its "reconfiguring" lines). reload/summary.md
#   holds errors, timeouts, lost replies and datagrams, and reload/steady latency ratios, per balancer; for
#   portgate, raw/stat.*.txt keeps `portgate stat --once` after each load (counters since its start).
#
#   syscalls (only when --only names it) counts the system calls each balancer but direct makes, all its threads
#   (nginx: its worker), with `strace -c -f -p PID`: SYSCALL_IDLE seconds (default 10) idle, where the context
#   switches of all its threads are counted from /proc too, without strace attached, as wake-ups; then a fixed-rate
#   TCP round-trip load (`bench rr -c RR_CONNECTIONS --rate SYSCALL_RR_RATE`, default 1000/s) and a connect, 64-byte
#   echo, close load (`bench connect -c 1 --rate SYSCALL_CONNECT_RATE`, default 200/s), each SYSCALL_DURATION
#   (default 5s) with no warm-up, so that every unit done was traced. summary.md reports syscalls per round trip, per
#   connection and per idle second, per balancer and per syscall, against issue 12's targets; strace slows the
#   balancer down, so these runs measure counts, never time. nginx is left out when it is not installed.
#
# It installs nothing: a missing tool is named together with the apt package that provides it.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
HERE="$ROOT/bench/compare"

# ---- settings (environment overrides) -------------------------------------------------------------------------
RUNS=${RUNS:-2}
WARMUP=${WARMUP:-1s}
DURATION=${DURATION:-5s}            # measured time of one latency, bulk or connect run
ONEWAY_DURATION=${ONEWAY_DURATION:-3s}
RR_CONNECTIONS=${RR_CONNECTIONS:-4}
RR_RATE=${RR_RATE:-2000}            # round trips/s over all connections, constant rate (coordinated-omission corrected),
                                    # low enough that no path is saturated on a shared 2-vCPU machine
UDP_FLOWS=${UDP_FLOWS:-6}           # two flows per backend with round robin
ONEWAY_RATES=${ONEWAY_RATES:-"50000 100000 200000"}
CONNECT_CLIENTS=${CONNECT_CLIENTS:-8}
SIZE=${SIZE:-64}
CLIENT_CPU=${CLIENT_CPU:-0}         # the load generator (and the udp-oneway sink it runs)
BACKEND_CPU=${BACKEND_CPU:-1}       # the three backends of every pool
BALANCER_CPU=${BALANCER_CPU:-1}     # the balancer under test (one worker / thread / process)
PORT_BASE=${PORT_BASE:-21000}       # below the kernel's ephemeral range
TARGETS="direct,portgate,portgate-splice,haproxy,nginx"
ONLY=""
PROFILE=1
OUT=""
PORTGATE_JAR=${PORTGATE_JAR:-}      # the balancer under test; default: this checkout's src/target/portgate.jar
RELOAD=0                            # --reload: the reload-under-load scenario (see the usage text)
RELOAD_RUNS=${RELOAD_RUNS:-1}
RELOAD_DURATION=${RELOAD_DURATION:-10s}   # measured time of each of the three loads
RELOAD_INTERVAL=${RELOAD_INTERVAL:-0.5}   # seconds between two reloads
RELOAD_ONEWAY_RATE=${RELOAD_ONEWAY_RATE:-20000}
SYSCALL_DURATION=${SYSCALL_DURATION:-5s}  # each traced load of the syscalls scenario
SYSCALL_RR_RATE=${SYSCALL_RR_RATE:-1000}  # round trips/s over RR_CONNECTIONS connections while traced
SYSCALL_CONNECT_RATE=${SYSCALL_CONNECT_RATE:-200}   # connect/echo/close cycles per second while traced
SYSCALL_IDLE=${SYSCALL_IDLE:-10}          # seconds idle, counted untraced (wake-ups) and traced (syscalls)

usage() { sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) RUNS=1; DURATION=2s; ONEWAY_DURATION=2s; WARMUP=1s; PROFILE=0 ;;
    --runs) RUNS=$2; shift ;;
    --out) OUT=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --targets) TARGETS=$2; shift ;;
    --no-profile) PROFILE=0 ;;
    --reload) RELOAD=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
[[ ",$ONLY," == *",reload,"* ]] && RELOAD=1
MAIN=0   # any of the regular scenarios wanted
for s in tcp-rr udp-rr udp-oneway bulk iperf3 connect syscalls; do wanted "$s" && [ "$ONLY" != reload ] && MAIN=1; done
SYSCALLS=0   # the syscalls scenario runs only when --only names it
[[ ",$ONLY," == *",syscalls,"* ]] && SYSCALLS=1

# ---- tools: present, or say exactly what to install -----------------------------------------------------------
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (apt package: $2)"); }
need haproxy haproxy
if [ "$SYSCALLS" = 1 ] && ! command -v nginx >/dev/null 2>&1 && [ -z "$(echo ",$ONLY," | sed 's/,syscalls,/,/; s/,reload,/,/; s/^,*//')" ]; then
  # The syscalls scenario alone compares whichever peers are installed.
  TARGETS=$(echo ",$TARGETS," | sed 's/,nginx,/,/; s/^,//; s/,$//')
  echo "compare.sh: nginx is not installed: the syscalls scenario leaves it out" >&2
else
  need nginx nginx
fi
[ "$SYSCALLS" = 1 ] && need strace strace
need taskset util-linux
need python3 python3
need ss iproute2
need iperf3 iperf3
NGINX_STREAM_MODULE=""
for m in /usr/lib/nginx/modules/ngx_stream_module.so /usr/share/nginx/modules/ngx_stream_module.so; do
  [ -f "$m" ] && NGINX_STREAM_MODULE=$m && break
done
if command -v nginx >/dev/null 2>&1 && [ -z "$NGINX_STREAM_MODULE" ] && ! nginx -V 2>&1 | grep -q -- '--with-stream[^=_]'; then
  missing+=("nginx stream module (apt package: libnginx-mod-stream)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "compare.sh: missing tools; nothing was installed:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  echo "install them with:  sudo apt-get install -y haproxy nginx libnginx-mod-stream iperf3 util-linux iproute2 python3" >&2
  exit 2
fi
NPROC=$(nproc)
if [ "$NPROC" -lt 2 ]; then
  CLIENT_CPU=0; BACKEND_CPU=0; BALANCER_CPU=0
  echo "compare.sh: one CPU only: everything shares CPU 0" >&2
fi

JDK=$("$ROOT/mvnw" --java-home) || { echo "compare.sh: no JDK >= 22 found (see README)" >&2; exit 2; }
JAVA="$JDK/bin/java"
HARNESS_JAR="$ROOT/src/target/portgate.jar"
if [ ! -f "$HARNESS_JAR" ]; then
  echo "compare.sh: building $HARNESS_JAR ..." >&2
  (cd "$ROOT" && ./mvnw -B -q -DskipTests -pl src -am package) || exit 2
fi
PORTGATE_JAR=${PORTGATE_JAR:-$HARNESS_JAR}

# ---- output ---------------------------------------------------------------------------------------------------
DATE=$(date -u +%Y-%m-%d)
OUT=${OUT:-"$ROOT/perf-results/$DATE"}
# The reload scenario alone keeps its machine facts, commands and configurations in <out>/reload/, beside a
# comparison already in <out>.
[ "$MAIN" = 0 ] && OUT="$OUT/reload"
mkdir -p "$OUT/raw" "$OUT/config"
OUT=$(cd "$OUT" && pwd)   # absolute: nginx resolves a relative -c against its prefix
CONF_DIR=$OUT/config
RELOAD_DIR=$OUT/reload
[ "$MAIN" = 0 ] && RELOAD_DIR=$OUT
RUNTIME=$(mktemp -d /tmp/portgate-compare.XXXXXX)
LOG="$OUT/commands.log"
: > "$LOG"
note() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }

# ---- UDP loss accounting: where each lost datagram went --------------------------------------------------------
# The kernel's drop count of the UDP sockets bound to a local port (/proc/net/udp, last column), summed.
udp_drops() {
  awk -v port="$(printf '%04X' "$1")" 'FNR > 1 { split($2, a, ":"); if (a[2] == port) d += $NF } END { print d + 0 }' \
    /proc/net/udp /proc/net/udp6 2>/dev/null
}
# Before and after a one-way run through a balancer: the kernel's drops at the sinks' sockets and at the balancer's
# UDP listening port, and for portgate its own counters (`stat --format json`), so that udp_loss_report.py can tell
# what the balancer lost and whether it counted every datagram of it.
loss_accounting() { # target run-name before|after
  local t=$1 name=$2 when=$3 f="$OUT/raw/$2.loss-$3.txt"
  {
    echo "sink-drops $(( $(udp_drops "${UDP_SINK[0]}") + $(udp_drops "${UDP_SINK[1]}") + $(udp_drops "${UDP_SINK[2]}") ))"
    echo "listener-drops $(udp_drops "$(address "$t" udp-sink | sed 's/.*://')")"
  } > "$f"
  if [[ "$t" == portgate* ]]; then
    "$JAVA" -jar "$HARNESS_JAR" stat --once --format json --file "$RUNTIME/$t.metrics" > "$OUT/raw/$name.stat-$when.json" \
      2>/dev/null || true
  fi
}

# ---- processes: every one started here is remembered by pid and stopped by pid ---------------------------------
BG_PIDS=()
cleanup() {
  local pid
  for pid in "${BG_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${BG_PIDS[@]:-}"; do
    [ -n "$pid" ] && { stop_pid "$pid"; wait "$pid"; } 2>/dev/null || true
  done
  rm -rf "$RUNTIME"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CLIENT_JVM=(-XX:+UseSerialGC -Xms256m -Xmx256m -XX:+AlwaysPreTouch)
BACKEND_JVM=(-XX:+UseSerialGC -Xms128m -Xmx128m)
pg_bench() { taskset -c "$CLIENT_CPU" "$JAVA" "${CLIENT_JVM[@]}" -jar "$HARNESS_JAR" bench "$@"; }
start_bg() { # name cpu cmd...   -> pid in $LAST_PID, output in RUNTIME/name.log
  local name=$1 cpu=$2; shift 2
  echo "taskset -c $cpu $*" >> "$LOG"
  taskset -c "$cpu" "$@" > "$RUNTIME/$name.log" 2>&1 &
  LAST_PID=$!
  BG_PIDS+=("$LAST_PID")
}
stop_pid() {
  kill "$1" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
wait_tcp() { # port: until something listens
  for _ in $(seq 100); do
    ss -Hltn "sport = :$1" | grep -q . && return 0
    sleep 0.1
  done
  echo "compare.sh: nothing listens on 127.0.0.1:$1 after 10s" >&2; return 1
}
wait_udp() {
  for _ in $(seq 100); do
    ss -Hlun "sport = :$1" | grep -q . && return 0
    sleep 0.1
  done
  echo "compare.sh: nothing bound on udp 127.0.0.1:$1 after 10s" >&2; return 1
}
seconds() { local v=${1%s}; echo "$v"; }
cpu_ticks() { # utime+stime of a process and its children (nginx's worker), in clock ticks
  local total=0 p
  for p in $1 $(pgrep -P "$1" 2>/dev/null || true); do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

# ---- ports ----------------------------------------------------------------------------------------------------
P=$PORT_BASE
TCP_ECHO=($((P+1)) $((P+2)) $((P+3)))
TCP_SINK=($((P+11)) $((P+12)) $((P+13)))
UDP_ECHO=($((P+21)) $((P+22)) $((P+23)))
UDP_SINK=($((P+31)) $((P+32)) $((P+33)))   # the first is the sink the udp-oneway client runs itself
IPERF=($((P+41)) $((P+42)) $((P+43)))
front_port() { # target scenario-kind -> port
  local base
  case "$1" in portgate) base=$((P+100)) ;; haproxy) base=$((P+200)) ;; nginx) base=$((P+300)) ;;
    portgate-splice) base=$((P+400)) ;; esac
  case "$2" in tcp-echo) echo $((base+1)) ;; tcp-sink) echo $((base+2)) ;; udp-echo) echo $((base+3)) ;;
    udp-sink) echo $((base+4)) ;; iperf) echo $((base+5)) ;; esac
}
for port in "${TCP_ECHO[@]}" "${TCP_SINK[@]}" "${IPERF[@]}" $((P+101)) $((P+201)) $((P+301)) $((P+401)); do
  if ss -Hltn "sport = :$port" | grep -q .; then
    echo "compare.sh: port $port is taken; set PORT_BASE to another free block of 500 ports" >&2; exit 2
  fi
done

# ---- configurations -------------------------------------------------------------------------------------------
render() { # template -> output, substituting @NAME@ from the environment of this function
  python3 - "$1" "$2" <<'EOF'
import os, re, sys
text = open(sys.argv[1]).read()
text = re.sub(r'@([A-Z0-9_]+)@', lambda m: os.environ[m.group(1)], text)
open(sys.argv[2], 'w').write(text)
EOF
}
export TCP_ECHO1=${TCP_ECHO[0]} TCP_ECHO2=${TCP_ECHO[1]} TCP_ECHO3=${TCP_ECHO[2]}
export TCP_SINK1=${TCP_SINK[0]} TCP_SINK2=${TCP_SINK[1]} TCP_SINK3=${TCP_SINK[2]}
export UDP_ECHO1=${UDP_ECHO[0]} UDP_ECHO2=${UDP_ECHO[1]} UDP_ECHO3=${UDP_ECHO[2]}
export UDP_SINK1=${UDP_SINK[0]} UDP_SINK2=${UDP_SINK[1]} UDP_SINK3=${UDP_SINK[2]}
export IPERF1=${IPERF[0]} IPERF2=${IPERF[1]} IPERF3=${IPERF[2]}
export RUNTIME NGINX_STREAM_MODULE="${NGINX_STREAM_MODULE:-modules/ngx_stream_module.so}"
for t in portgate portgate-splice haproxy nginx; do
  up=$(echo "$t" | tr a-z- A-Z_)
  export "${up}_TCP_ECHO=$(front_port "$t" tcp-echo)" "${up}_TCP_SINK=$(front_port "$t" tcp-sink)" \
         "${up}_UDP_ECHO=$(front_port "$t" udp-echo)" "${up}_UDP_SINK=$(front_port "$t" udp-sink)" \
         "${up}_IPERF=$(front_port "$t" iperf)"
done
# PG_SETTINGS: what a variant sets beyond the defaults (nothing for portgate: it measures today's defaults).
declare -A PG_VARIANT_SETTINGS=([portgate]="" [portgate-splice]=$'fast-paths:\n  splice: on')
for name in portgate portgate-splice; do
  up=$(echo "$name" | tr a-z- A-Z_)
  for kind in TCP_ECHO TCP_SINK UDP_ECHO UDP_SINK IPERF; do v="${up}_$kind"; export "PG_$kind=${!v}"; done
  export PG_NAME=$name PG_SETTINGS=${PG_VARIANT_SETTINGS[$name]}
  render "$HERE/portgate.yaml.in" "$CONF_DIR/$name.yaml"
  sed '/# udp-begin/,/# udp-end/d' "$CONF_DIR/$name.yaml" > "$CONF_DIR/$name-tcp-only.yaml"
done
render "$HERE/haproxy.cfg.in" "$CONF_DIR/haproxy.cfg"
render "$HERE/nginx.conf.in" "$CONF_DIR/nginx.conf"

# ---- machine facts --------------------------------------------------------------------------------------------
{
  echo "# Machine and versions"
  echo
  echo "- date (UTC): $(date -u '+%Y-%m-%d %H:%M:%S')"
  echo "- nproc: $NPROC"
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "- kernel: $(uname -srm)"
  echo "- memory: $(free -m | awk '/Mem:/ {print $2 " MiB"}')"
  echo "- JDK: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "- haproxy: $(haproxy -v 2>&1 | head -1)"
  echo "- nginx: $(nginx -v 2>&1) (stream module: $NGINX_STREAM_MODULE)"
  echo "- iperf3: $(iperf3 -v 2>&1 | head -1)"
  echo "- portgate commit: $(git -C "$ROOT" rev-parse HEAD)$(git -C "$ROOT" diff --quiet HEAD -- core src bench/src || echo ' (with local changes)') branch $(git -C "$ROOT" rev-parse --abbrev-ref HEAD)"
  echo "- balancer jar: $PORTGATE_JAR"
  echo "- pinning (taskset): client and its udp-oneway sink on CPU $CLIENT_CPU, backends on CPU $BACKEND_CPU, balancer on CPU $BALANCER_CPU"
  [ "$MAIN" = 1 ] && echo "- settings: runs=$RUNS warmup=$WARMUP duration=$DURATION oneway-duration=$ONEWAY_DURATION size=$SIZE rr: -c $RR_CONNECTIONS --rate $RR_RATE; udp flows $UDP_FLOWS; one-way rates $ONEWAY_RATES; connect -c $CONNECT_CLIENTS"
  [ "$SYSCALLS" = 1 ] && echo "- syscalls scenario: $(strace -V | head -1); strace -c -f -U name,calls,errors -p PID over ${SYSCALL_IDLE}s idle, bench rr -c $RR_CONNECTIONS --rate $SYSCALL_RR_RATE -s $SIZE -w 0s -d $SYSCALL_DURATION, bench connect -c 1 --rate $SYSCALL_CONNECT_RATE -s $SIZE -w 0s -d $SYSCALL_DURATION; wake-ups: voluntary + involuntary context switches of all threads from /proc over ${SYSCALL_IDLE}s idle, untraced"
  [ "$RELOAD" = 1 ] && echo "- reload scenario (one load at a time): runs=$RELOAD_RUNS duration=$RELOAD_DURATION each interval=${RELOAD_INTERVAL}s size=$SIZE tcp-rr -c $RR_CONNECTIONS --rate $RR_RATE; udp-rr -c $UDP_FLOWS --rate $RR_RATE; udp-oneway -c $UDP_FLOWS --rate $RELOAD_ONEWAY_RATE"
  echo "- sysctl: $(sysctl -n net.ipv4.tcp_tw_reuse 2>/dev/null | sed 's/^/tcp_tw_reuse=/') $(sysctl -n net.core.rmem_default 2>/dev/null | sed 's/^/rmem_default=/') $(sysctl -n net.core.rmem_max 2>/dev/null | sed 's/^/rmem_max=/')"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other builds may run; raw/load.txt logs it per run)"
  echo "- script: bench/compare/compare.sh $([ "$RUNS" = 1 ] && echo '(runs=1)')$([ "$RELOAD" = 1 ] && echo ' (with the reload scenario)')"
} > "$OUT/machine.md"
note "results go to $OUT"

# ---- backends (all on BACKEND_CPU, for the whole comparison) ---------------------------------------------------
for i in 0 1 2; do
  start_bg "tcp-echo-$i" "$BACKEND_CPU" "$JAVA" "${BACKEND_JVM[@]}" -jar "$HARNESS_JAR" bench server -q --echo tcp --bind "127.0.0.1:${TCP_ECHO[$i]}"
  start_bg "tcp-sink-$i" "$BACKEND_CPU" "$JAVA" "${BACKEND_JVM[@]}" -jar "$HARNESS_JAR" bench server -q --sink tcp --bind "127.0.0.1:${TCP_SINK[$i]}"
  start_bg "udp-echo-$i" "$BACKEND_CPU" "$JAVA" "${BACKEND_JVM[@]}" -jar "$HARNESS_JAR" bench server -q --echo udp --bind "127.0.0.1:${UDP_ECHO[$i]}"
  start_bg "iperf3-$i" "$BACKEND_CPU" iperf3 -s -p "${IPERF[$i]}" --bind 127.0.0.1
done
for i in 0 1 2; do wait_tcp "${TCP_ECHO[$i]}"; wait_tcp "${TCP_SINK[$i]}"; wait_udp "${UDP_ECHO[$i]}"; wait_tcp "${IPERF[$i]}"; done
note "backends up: tcp echo ${TCP_ECHO[*]}, tcp sink ${TCP_SINK[*]}, udp echo ${UDP_ECHO[*]}, iperf3 ${IPERF[*]}"

# ---- balancers: all up side by side (idle ones cost nothing), so each scenario measures every target back to back
# and the machine's background noise falls on all of them alike -----------------------------------------------------
declare -A BAL_PID=()
PORTGATE_JFR=""
PORTGATE_UDP=1
# A build without the UDP engine ignores UDP listeners (or, in the first builds, fails on them): find out once.
probe_portgate_udp() {
  start_bg portgate-probe "$BALANCER_CPU" "$JAVA" -jar "$PORTGATE_JAR" run "$CONF_DIR/portgate.yaml"
  local pid=$LAST_PID ok=0
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    if ss -Hltn "sport = :$(front_port portgate tcp-echo)" | grep -q .; then
      # UDP listeners bind after the TCP ones: give them a moment.
      for _ in $(seq 30); do
        ss -Hlun "sport = :$(front_port portgate udp-echo)" | grep -q . && { ok=1; break; }
        sleep 0.1
      done
      break
    fi
    sleep 0.1
  done
  kill -INT "$pid" 2>/dev/null || true; stop_pid "$pid"
  cp "$RUNTIME/portgate-probe.log" "$OUT/raw/portgate-udp-probe.log"
  if [ "$ok" = 0 ]; then
    PORTGATE_UDP=0
    note "portgate does not serve UDP listeners in this build (raw/portgate-udp-probe.log): TCP-only configuration"
  fi
}
start_balancer() { # target
  case "$1" in
    direct) return 0 ;;
    portgate|portgate-splice)
      local jfr=() config=$1.yaml
      [ "$PORTGATE_UDP" = 1 ] || config=$1-tcp-only.yaml
      [ -n "$PORTGATE_JFR" ] && jfr=("-XX:StartFlightRecording=filename=$PORTGATE_JFR,settings=profile")
      start_bg "$1" "$BALANCER_CPU" "$JAVA" "${jfr[@]}" -jar "$PORTGATE_JAR" run "$CONF_DIR/$config" ;;
    haproxy)
      start_bg haproxy "$BALANCER_CPU" haproxy -db -f "$CONF_DIR/haproxy.cfg" ;;
    nginx)
      mkdir -p "$RUNTIME/nginx/logs"
      start_bg nginx "$BALANCER_CPU" nginx -p "$RUNTIME/nginx" -e "$RUNTIME/nginx/error.log" -c "$CONF_DIR/nginx.conf" ;;
  esac
  BAL_PID[$1]=$LAST_PID
  wait_tcp "$(front_port "$1" tcp-echo)"
}
stop_balancer() { # target
  local pid=${BAL_PID[$1]:-}
  [ -n "$pid" ] || return 0
  # portgate: SIGINT is its orderly stop (drain, then exit 0; a JFR recording is written on exit)
  kill -INT "$pid" 2>/dev/null || true
  stop_pid "$pid"
  cp "$RUNTIME/$1.log" "$OUT/raw/$1-${2:-}.log" 2>/dev/null || true
  [ "$1" = nginx ] && cp "$RUNTIME/nginx/error.log" "$OUT/raw/nginx-error-${2:-}.log" 2>/dev/null
  unset "BAL_PID[$1]"
  return 0
}
serves_udp() { # target
  case "$1" in
    direct|nginx) return 0 ;;
    haproxy) return 1 ;;  # the community edition has no generic UDP proxying
    portgate|portgate-splice) [ "$PORTGATE_UDP" = 1 ] ;;
  esac
}
address() { # target kind -> address:port the client uses
  if [ "$1" = direct ]; then
    case "$2" in tcp-echo) echo "127.0.0.1:${TCP_ECHO[0]}" ;; tcp-sink) echo "127.0.0.1:${TCP_SINK[0]}" ;;
      udp-echo) echo "127.0.0.1:${UDP_ECHO[0]}" ;; iperf) echo "127.0.0.1:${IPERF[0]}" ;; esac
  else
    echo "127.0.0.1:$(front_port "$1" "$2")"
  fi
}

# One measured run; the balancer's CPU time over it is kept beside the result.
measure() { # name target cmd...
  local name=$1 t=$2; shift 2
  local before=0 after=0 pid=${BAL_PID[$t]:-}
  echo "$*" >> "$LOG"
  [ -n "$pid" ] && before=$(cpu_ticks "$pid")
  if ! "$@" > "$OUT/raw/$name.json" 2> "$OUT/raw/$name.err"; then
    note "  $name: failed, see raw/$name.err"
  fi
  [ -n "$pid" ] && after=$(cpu_ticks "$pid")
  echo "$((after - before))" > "$OUT/raw/$name.cputicks"
}

run_scenario() { # scenario target run
  local s=$1 t=$2 run=$3 name
  case "$s" in
    tcp-rr)
      name="tcp-rr.$t.$run"; note "  $name"
      measure "$name" "$t" pg_bench rr "$(address "$t" tcp-echo)" -q --format json -s "$SIZE" -c "$RR_CONNECTIONS" \
        -r "$RR_RATE" -w "$WARMUP" -d "$DURATION" --histogram-log "$OUT/raw/$name.hlog" ;;
    udp-rr)
      serves_udp "$t" || return 0
      name="udp-rr.$t.$run"; note "  $name"
      measure "$name" "$t" pg_bench udp-rr "$(address "$t" udp-echo)" -q --format json -s "$SIZE" -c "$UDP_FLOWS" \
        -r "$RR_RATE" -w "$WARMUP" -d "$DURATION" --histogram-log "$OUT/raw/$name.hlog" ;;
    udp-oneway-*)
      serves_udp "$t" || return 0
      local rate=${s#udp-oneway-}
      name="$s.$t.$run"; note "  $name"
      if [ "$t" = direct ]; then
        measure "$name" "$t" pg_bench udp-oneway -q --format json -s "$SIZE" -c "$UDP_FLOWS" -r "$rate" \
          -w "$WARMUP" -d "$ONEWAY_DURATION" --drain 300ms
      else
        # The client counts what reaches the first sink; the other two are standalone sinks that print their
        # counts when their duration ends. Flows stick to one backend, so each sink sees whole flows.
        local life sinks=() i
        life=$(( $(seconds "$WARMUP") + $(seconds "$ONEWAY_DURATION") + 4 ))
        for i in 1 2; do
          start_bg "udp-sink-$i" "$BACKEND_CPU" "$JAVA" "${BACKEND_JVM[@]}" -jar "$HARNESS_JAR" bench server -q \
            --sink udp --bind "127.0.0.1:${UDP_SINK[$i]}" -d "${life}s"
          sinks+=("$LAST_PID")
        done
        wait_udp "${UDP_SINK[1]}"; wait_udp "${UDP_SINK[2]}"
        loss_accounting "$t" "$name" before
        measure "$name" "$t" pg_bench udp-oneway "$(address "$t" udp-sink)" --sink "127.0.0.1:${UDP_SINK[0]}" -q \
          --format json -s "$SIZE" -c "$UDP_FLOWS" -r "$rate" -w "$WARMUP" -d "$ONEWAY_DURATION" --drain 300ms
        loss_accounting "$t" "$name" after
        for i in 0 1; do
          wait "${sinks[$i]}" || true
          cp "$RUNTIME/udp-sink-$((i + 1)).log" "$OUT/raw/$name.sink$((i + 2)).txt"
        done
      fi ;;
    bulk)
      name="bulk.$t.$run"; note "  $name"
      measure "$name" "$t" pg_bench bulk "$(address "$t" tcp-sink)" -q --format json -c 1 -w "$WARMUP" -d "$DURATION" ;;
    iperf3)
      name="iperf3.$t.$run"; note "  $name"
      local hostport secs
      hostport=$(address "$t" iperf); secs=$(( $(seconds "$WARMUP") + $(seconds "$DURATION") ))
      measure "$name" "$t" taskset -c "$CLIENT_CPU" iperf3 -c 127.0.0.1 -p "${hostport#*:}" -P 1 -t "$secs" \
        -O "$(seconds "$WARMUP")" -J ;;
    connect)
      name="connect.$t.$run"; note "  $name"
      measure "$name" "$t" pg_bench connect "$(address "$t" tcp-echo)" -q --format json -s "$SIZE" \
        -c "$CONNECT_CLIENTS" -w "$WARMUP" -d "$DURATION"
      # Let this run's TIME_WAIT sockets age a little before the next target's.
      sleep 2 ;;
    syscalls)
      [ "$t" = direct ] || syscall_scenario "$t" "$run" ;;
  esac
}

# ---- syscalls: strace -c -f on the balancer, idle and under two fixed loads ----------------------------------------
syscall_pids() { # target -> the processes to trace: the balancer, or nginx's worker(s)
  case "$1" in
    nginx) pgrep -P "${BAL_PID[$1]}" | tr '\n' ' ' ;;
    *) echo "${BAL_PID[$1]}" ;;
  esac
}
thread_switches() { # pids... -> one line per thread: tid, name, voluntary + involuntary context switches so far
  local p f
  for p in "$@"; do
    for f in /proc/"$p"/task/*; do
      [ -r "$f/status" ] || continue
      echo "$(basename "$f") $(tr ' ' '_' < "$f/comm" 2>/dev/null) $(awk '/ctxt_switches/ {s += $2} END {print s + 0}' "$f/status" 2>/dev/null)"
    done
  done
}
strace_start() { # output pids...: attaches to every thread of each, then returns
  local out=$1 args=() p; shift
  for p in "$@"; do args+=(-p "$p"); done
  echo "strace -c -f -U name,calls,errors -o $out ${args[*]}" >> "$LOG"
  strace -c -f -U name,calls,errors -o "$out" "${args[@]}" 2> "$out.attach" &
  STRACE_PID=$!
  BG_PIDS+=("$STRACE_PID")
  for _ in $(seq 100); do grep -q attached "$out.attach" 2>/dev/null && break; sleep 0.1; done
  sleep 0.5   # every thread of a JVM
}
strace_stop() { # the summary table is written to the output file as strace detaches
  kill -INT "$STRACE_PID" 2>/dev/null || true
  wait "$STRACE_PID" 2>/dev/null || true
}
syscall_scenario() { # target run
  local t=$1 run=$2 dir=$OUT/raw/syscalls pids load
  mkdir -p "$dir"
  pids=$(syscall_pids "$t")
  # Untraced, not kept: the connect path's first connections (class loading, compilation) are not what is counted.
  pg_bench connect "$(address "$t" tcp-echo)" -q -s "$SIZE" -c 1 -r "$SYSCALL_CONNECT_RATE" -w 0s -d 2s \
    > /dev/null 2>&1 || true
  note "  syscalls.$t.$run: ${SYSCALL_IDLE}s idle, untraced (wake-ups), then traced"
  sleep 2   # the previous load's connections close
  thread_switches $pids > "$dir/$t.idle.$run.before"
  sleep "$SYSCALL_IDLE"
  thread_switches $pids > "$dir/$t.idle.$run.after"
  echo "$SYSCALL_IDLE" > "$dir/$t.idle.$run.seconds"
  strace_start "$dir/$t.idle.$run.strace" $pids
  sleep "$SYSCALL_IDLE"
  strace_stop
  for load in tcp-rr connect; do
    note "  syscalls.$t.$run: $load, traced"
    strace_start "$dir/$t.$load.$run.strace" $pids
    case "$load" in
      tcp-rr) set -- rr "$(address "$t" tcp-echo)" -c "$RR_CONNECTIONS" -r "$SYSCALL_RR_RATE" ;;
      connect) set -- connect "$(address "$t" tcp-echo)" -c 1 -r "$SYSCALL_CONNECT_RATE" ;;
    esac
    echo "pg_bench $* -q --format json -s $SIZE -w 0s -d $SYSCALL_DURATION" >> "$LOG"
    pg_bench "$@" -q --format json -s "$SIZE" -w 0s -d "$SYSCALL_DURATION" > "$dir/$t.$load.$run.json" \
      2> "$dir/$t.$load.$run.err" || note "  syscalls.$t.$run: the $load client failed, see raw/syscalls/$t.$load.$run.err"
    sleep 1   # the last connection's close, still traced
    strace_stop
  done
}

SCENARIOS="tcp-rr udp-rr"
for rate in $ONEWAY_RATES; do SCENARIOS="$SCENARIOS udp-oneway-$rate"; done
SCENARIOS="$SCENARIOS iperf3 bulk connect"
[ "$SYSCALLS" = 1 ] && SCENARIOS="$SCENARIOS syscalls"
scenario_wanted() { wanted "$1" || { [[ "$1" == udp-oneway-* ]] && wanted udp-oneway; }; }

# ---- reload under load (--reload): the same load with and without a reload every RELOAD_INTERVAL ------------------
# Two valid configurations per balancer, a and b: b weighs the first target of the tcp-echo, udp-echo and udp-sink
# pools 2 and adds a fourth target (nothing listens there) to the iperf pool, which the load does not use. Every
# target the load uses stays in both, so a reload has no reason to cut a connection or lose a datagram.
reload_configs() {
  local dir=$RELOAD_DIR/config/reload spare=$((P+44))
  mkdir -p "$dir"
  python3 - "$CONF_DIR" "$dir" "$spare" "$RUNTIME" <<'PY'
import re, sys
src, dst, spare, runtime = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def write(name, text):
    with open("%s/%s" % (dst, name), "w") as f:
        f.write(text)
for name in ("portgate", "portgate-splice"):
    pg = open("%s/%s.yaml" % (src, name)).read()
    write(name + ".a.yaml", pg)
    b = pg
    for pool in ("tcp-echo", "udp-echo", "udp-sink"):
        b = re.sub(r"(  %s:\n    balance: [a-z-]+\n    targets: \[)(127\.0\.0\.1:\d+)" % pool,
                   r"\1{address: \2, weight: 2}", b)
    b = re.sub(r"(  iperf:\n    balance: [a-z-]+\n    targets: \[[^\]]*)\]", r"\1, 127.0.0.1:%s]" % spare, b)
    assert b.count("weight: 2") == 3 and b.count(spare) == 1, "portgate.yaml.in changed: fix reload_configs"
    write(name + ".b.yaml", b)
ha = open(src + "/haproxy.cfg").read()
write("haproxy.a.cfg", ha)
b = re.sub(r"(    server e1 127\.0\.0\.1:\d+)", r"\1 weight 2", ha)
b = re.sub(r"(    server i3 127\.0\.0\.1:\d+\n)", r"\1    server i4 127.0.0.1:%s\n" % spare, b)
assert b.count("weight 2") == 1 and b.count(spare) == 1, "haproxy.cfg.in changed: fix reload_configs"
write("haproxy.b.cfg", b)
ng = open(src + "/nginx.conf").read()
# notice: the level of nginx's "reconfiguring" lines, which count the reloads
ng = re.sub(r"(error_log \S+) warn;", r"\1 notice;", ng)
write("nginx.a.conf", ng)
b = ng
for pool in ("tcp-echo", "udp-echo", "udp-sink"):
    b = re.sub(r"(upstream %s \{ server 127\.0\.0\.1:\d+)" % pool, r"\1 weight=2", b)
b = re.sub(r"(upstream iperf \{[^}]*)\}", r"\1server 127.0.0.1:%s; }" % spare, b)
assert b.count("weight=2") == 3 and b.count(spare) == 1, "nginx.conf.in changed: fix reload_configs"
write("nginx.b.conf", b)
PY
}
reload_config_file() { # target -> the live configuration file the balancer reads
  case "$1" in portgate*) echo "$RUNTIME/reload/$1.yaml" ;; haproxy) echo "$RUNTIME/reload/haproxy.cfg" ;;
    nginx) echo "$RUNTIME/reload/nginx.conf" ;; esac
}
reload_put_config() { # target a|b: replaced by a rename, so a reader never sees half a file
  local live src
  live=$(reload_config_file "$1")
  case "$1" in portgate*) src=$1.$2.yaml ;; haproxy) src=haproxy.$2.cfg ;; nginx) src=nginx.$2.conf ;; esac
  cp "$RELOAD_DIR/config/reload/$src" "$live.tmp" && mv -f "$live.tmp" "$live"
}
reload_start_balancer() { # target: a fresh process on configuration a
  mkdir -p "$RUNTIME/reload"
  reload_put_config "$1" a
  local live
  live=$(reload_config_file "$1")
  # env --default-signal=HUP: a script started under nohup (or by a supervisor that ignores SIGHUP) passes the
  # ignored SIGHUP on, and the JVM does not install a handler for an ignored SIGHUP: portgate would ignore every
  # reload without a word. nginx and HAProxy install their handlers whatever they inherit.
  case "$1" in
    portgate*)
      start_bg "reload-$1" "$BALANCER_CPU" env --default-signal=HUP "$JAVA" -jar "$PORTGATE_JAR" run "$live" ;;
    haproxy)
      # -W: master-worker; USR2 to the master re-executes it and starts a new worker, old workers finish
      # their connections (soft stop). -db keeps the master in the foreground.
      start_bg reload-haproxy "$BALANCER_CPU" env --default-signal=HUP haproxy -W -db -f "$live" ;;
    nginx)
      mkdir -p "$RUNTIME/nginx/logs"; : > "$RUNTIME/nginx/error.log"
      start_bg reload-nginx "$BALANCER_CPU" env --default-signal=HUP nginx -p "$RUNTIME/nginx" \
        -e "$RUNTIME/nginx/error.log" -c "$live" ;;
  esac
  BAL_PID[$1]=$LAST_PID
  wait_tcp "$(front_port "$1" tcp-echo)"
  if serves_udp "$1"; then wait_udp "$(front_port "$1" udp-echo)"; wait_udp "$(front_port "$1" udp-sink)"; fi
}
reload_log() { # target -> the file whose lines count the applied reloads
  case "$1" in nginx) echo "$RUNTIME/nginx/error.log" ;; *) echo "$RUNTIME/reload-$1.log" ;; esac
}
reload_applied() { # target -> applied reloads so far, from the balancer's own log
  local pattern
  case "$1" in portgate*) pattern='reload=[0-9]* result=applied' ;; haproxy) pattern='Loading success' ;;
    nginx) pattern=': reconfiguring$' ;; esac   # not the "signal 1 (SIGHUP) received ..., reconfiguring" line
  grep -c "$pattern" "$(reload_log "$1")" 2>/dev/null || true
}
reload_signal() { # target
  local pid=${BAL_PID[$1]}
  case "$1" in haproxy) kill -USR2 "$pid" ;; *) kill -HUP "$pid" ;; esac
}
# Reloads every RELOAD_INTERVAL, alternating b and a, from the end of the warm-up while the load runs.
reloader() { # target load-pid signal-log
  local t=$1 load=$2 log=$3 n=0 variant
  sleep $(( $(seconds "$WARMUP") + 1 ))   # the clients' JVM start and warm-up
  while kill -0 "$load" 2>/dev/null; do
    n=$((n + 1))
    variant=a
    cmp -s "$(reload_config_file "$t")" "$RELOAD_DIR/config/reload/$(basename "$(reload_config_file "$t")" | sed 's/\./.a./')" \
      && variant=b   # whatever runs now, the other one
    reload_put_config "$t" "$variant"
    reload_signal "$t"
    echo "$(date -u +%H:%M:%S.%N) reload $n: configuration $variant" >> "$log"
    sleep "$RELOAD_INTERVAL"
  done
}
# One load at a time: the rr clients spin while their next send is under a millisecond away, so two of them on
# CLIENT_CPU would measure each other's time slices. The reloader runs for as long as each load does.
reload_client() { # target mode kind tag duration -> the client runs in the background, pid in LAST_CLIENT
  local t=$1 mode=$2 kind=$3 tag=$4 duration=$5 raw=$RELOAD_DIR/raw args
  case "$kind" in
    tcp-rr) args=(rr "$(address "$t" tcp-echo)" -c "$RR_CONNECTIONS" -r "$RR_RATE" --histogram-log "$raw/$kind.$tag.hlog") ;;
    udp-rr) args=(udp-rr "$(address "$t" udp-echo)" -c "$UDP_FLOWS" -r "$RR_RATE" --histogram-log "$raw/$kind.$tag.hlog") ;;
    udp-oneway) args=(udp-oneway "$(address "$t" udp-sink)" --sink "127.0.0.1:${UDP_SINK[0]}" -c "$UDP_FLOWS"
                      -r "$RELOAD_ONEWAY_RATE" --drain 300ms) ;;
  esac
  echo "pg_bench ${args[*]} -q --format json -s $SIZE -w $WARMUP -d $duration" >> "$LOG"
  pg_bench "${args[@]}" -q --format json -s "$SIZE" -w "$WARMUP" -d "$duration" \
    > "$raw/$kind.$tag.json" 2> "$raw/$kind.$tag.err" &
  LAST_CLIENT=$!
}
reload_load() { # target mode run [duration]: tcp-rr, then udp-rr, then udp-oneway (with reloads in mode reload)
  local t=$1 mode=$2 run=$3 duration=${4:-$RELOAD_DURATION} raw=$RELOAD_DIR/raw tag kind sinks life i
  local before reloader_pid signals=0
  tag="$t.$mode$run"
  note "  reload scenario: $tag"
  echo "run $run reload $tag: load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$raw/load.txt"
  before=$(reload_applied "$t")
  [ "$mode" = reload ] && : > "$raw/reloads.$tag.log"
  for kind in tcp-rr udp-rr udp-oneway; do
    [ "$kind" = tcp-rr ] || serves_udp "$t" || continue
    sinks=()
    if [ "$kind" = udp-oneway ]; then
      life=$(( $(seconds "$WARMUP") + $(seconds "$duration") + 5 ))
      for i in 1 2; do
        start_bg "reload-sink-$i" "$BACKEND_CPU" "$JAVA" "${BACKEND_JVM[@]}" -jar "$HARNESS_JAR" bench server -q \
          --sink udp --bind "127.0.0.1:${UDP_SINK[$i]}" -d "${life}s"
        sinks+=("$LAST_PID")
      done
      wait_udp "${UDP_SINK[1]}"; wait_udp "${UDP_SINK[2]}"
    fi
    reload_client "$t" "$mode" "$kind" "$tag" "$duration"
    reloader_pid=""
    if [ "$mode" = reload ]; then
      reloader "$t" "$LAST_CLIENT" "$raw/reloads.$tag.log" &
      reloader_pid=$!
      BG_PIDS+=("$reloader_pid")
    fi
    wait "$LAST_CLIENT" || note "  $tag: the $kind client failed, see raw/$kind.$tag.err"
    [ -n "$reloader_pid" ] && wait "$reloader_pid"
    for i in "${!sinks[@]}"; do
      wait "${sinks[$i]}" || true
      cp "$RUNTIME/reload-sink-$((i + 1)).log" "$raw/$kind.$tag.sink$((i + 2)).txt"
    done
  done
  sleep 1   # the last reload's log line
  # portgate's own counters (cumulative since its start): where datagrams or connections went
  case "$t" in portgate*)
    "$JAVA" -jar "$HARNESS_JAR" stat --once --file "$RUNTIME/$t.metrics" > "$raw/stat.$tag.txt" 2>&1 || true ;;
  esac
  [ "$mode" = reload ] && signals=$(grep -c . "$raw/reloads.$tag.log")
  {
    echo "balancer=$t"
    echo "mode=$mode"
    echo "signals=$signals"
    echo "applied=$(( $(reload_applied "$t") - before ))"
    case "$t" in portgate*) echo "method=kill -HUP (portgate run re-reads its file)" ;;
      haproxy) echo "method=master-worker (-W), kill -USR2 to the master" ;;
      nginx) echo "method=kill -HUP to the master (as nginx -s reload)" ;; esac
  } > "$raw/reloads.$tag.txt"
}
run_reload_scenario() {
  mkdir -p "$RELOAD_DIR/raw"
  reload_configs
  note "reload under load: $RELOAD_RUNS run(s) of $RELOAD_DURATION per balancer and mode, a reload every ${RELOAD_INTERVAL}s"
  local t run
  for run in $(seq 1 "$RELOAD_RUNS"); do
    for t in ${TARGETS//,/ }; do
      [ "$t" = direct ] && continue
      reload_start_balancer "$t"
      # The same loads for 2 s each, not measured: the JIT of the balancer (all three paths) and the backends.
      reload_load "$t" warmup "$run" 2s
      rm -f "$RELOAD_DIR"/raw/*."$t".warmup"$run".*
      reload_load "$t" steady "$run"
      reload_load "$t" reload "$run"
      stop_balancer "$t" "reload$run"
      cp "$RUNTIME/reload-$t.log" "$RELOAD_DIR/raw/$t.reload$run.log" 2>/dev/null || true
      [ "$t" = nginx ] && mv "$OUT/raw/nginx-error-reload$run.log" "$RELOAD_DIR/raw/nginx-error.reload$run.log" 2>/dev/null
    done
  done
  return 0
}

[[ ",$TARGETS," == *",portgate"* ]] && probe_portgate_udp
if [ "$MAIN" = 1 ]; then
  for t in ${TARGETS//,/ }; do start_balancer "$t"; done
  note "balancers up: ${TARGETS}"
  # Warm-up pass, not measured: the JIT of the Java backends and of portgate compiles the paths the runs take.
  note "warm-up pass (not measured)"
  for t in ${TARGETS//,/ }; do
    pg_bench rr "$(address "$t" tcp-echo)" -q -c "$RR_CONNECTIONS" -r "$RR_RATE" -w 0s -d 2s > /dev/null 2>&1 || true
    if serves_udp "$t"; then
      pg_bench udp-rr "$(address "$t" udp-echo)" -q -c "$UDP_FLOWS" -r "$RR_RATE" -w 0s -d 2s > /dev/null 2>&1 || true
    fi
  done
  for RUN in $(seq 1 "$RUNS"); do
    for s in $SCENARIOS; do
      scenario_wanted "$s" || continue
      note "run $RUN: $s"
      echo "run $RUN $s: load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/raw/load.txt"
      for t in ${TARGETS//,/ }; do run_scenario "$s" "$t" "$RUN"; done
    done
  done
  for t in ${TARGETS//,/ }; do stop_balancer "$t" measured; done
fi

[ "$RELOAD" = 1 ] && run_reload_scenario

# ---- a profile of portgate under the same load (JFR, separate from the measured runs) --------------------------
if [ "$MAIN" = 1 ] && [ "$PROFILE" = 1 ] && [[ ",$TARGETS," == *",portgate"* ]]; then
  note "profiling portgate with JFR (not part of the measured runs)"
  mkdir -p "$OUT/profile"
  for job in portgate:tcp-rr portgate:connect portgate:iperf3 portgate-splice:iperf3 portgate-splice:connect \
             portgate:udp-rr portgate:udp-oneway-200000; do
    t=${job%%:*} s=${job#*:}
    serves_udp "$t" || [[ "$s" != udp-* ]] || continue
    [[ ",$TARGETS," == *",$t,"* ]] && scenario_wanted "$s" || continue
    PORTGATE_JFR="$RUNTIME/$t.$s.jfr"
    start_balancer "$t"
    run_scenario "$s" "$t" profile
    stop_balancer "$t" "profile-$s"
    mv "$OUT"/raw/"$s.$t".profile.* "$OUT/profile/" 2>/dev/null || true
    if [ -s "$PORTGATE_JFR" ]; then
      "$JDK/bin/jfr" view --width 160 hot-methods "$PORTGATE_JFR" > "$OUT/profile/$t.$s.hot-methods.txt" 2>&1 || true
      "$JDK/bin/jfr" view --width 160 allocation-by-site "$PORTGATE_JFR" > "$OUT/profile/$t.$s.allocation-by-site.txt" 2>&1 || true
      "$JDK/bin/jfr" print --events jdk.ExecutionSample,jdk.NativeMethodSample --stack-depth 12 "$PORTGATE_JFR" \
        | python3 "$HERE/jfr_top.py" > "$OUT/profile/$t.$s.top-frames.txt" || true
    fi
    PORTGATE_JFR=""
  done
fi

# ---- curves, table, picture -------------------------------------------------------------------------------------
logs=("$OUT"/raw/tcp-rr.*.hlog)
[ -e "${logs[0]}" ] && "$JAVA" -cp "$HARNESS_JAR" "$HERE/HistogramCurve.java" latency "${logs[@]}" || true
logs=("$OUT"/raw/udp-rr.*.hlog)
[ -e "${logs[0]}" ] && "$JAVA" -cp "$HARNESS_JAR" "$HERE/HistogramCurve.java" latency "${logs[@]}" || true
if [ "$MAIN" = 1 ]; then
  python3 "$HERE/report.py" "$OUT"
  note "done: $OUT/summary.md, $OUT/latency.svg"
fi
if [ "$RELOAD" = 1 ]; then
  python3 "$HERE/reload_report.py" "$RELOAD_DIR"
  note "done: $RELOAD_DIR/summary.md"
fi
