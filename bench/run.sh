#!/usr/bin/env bash
# Ferry benchmark: `ferry proxy` against HAProxy (mode tcp, 1 thread) and nginx stream (1 worker),
# on this machine, in the same run, interleaved. Method and results: docs/benchmarks.md.
#
#   sudo bench/run.sh [--duration 8] [--reps 3] [--scenarios T1,T1x4,T2,T3,U1,U2]
#                     [--contenders haproxy,nginx,ferry] [--pin split|none] [--ferry-dir DIR] [--no-install]
#
# Loopback only (VIPs 127.0.0.10-12, backends on 127.0.0.1:90xx). Every load is bounded by --duration,
# every command by a timeout, and every process this script starts is killed by PID on exit.
set -uo pipefail

DURATION=8
REPS=3
SCENARIOS="T1,T1x4,T2,T3,U1,U2"
CONTENDERS="haproxy,nginx,ferry"
PIN=split
FERRY_DIR=""
INSTALL=1

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --scenarios) SCENARIOS="$2"; shift 2 ;;
    --contenders) CONTENDERS="$2"; shift 2 ;;
    --pin) PIN="$2"; shift 2 ;;
    --ferry-dir) FERRY_DIR="$2"; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage 2 ;;
  esac
done
case "$DURATION$REPS" in *[!0-9]*) echo "run.sh: --duration and --reps take whole numbers" >&2; exit 2 ;; esac
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 120 ] || { echo "run.sh: --duration must be 1..120" >&2; exit 2; }
[ "$REPS" -ge 1 ] && [ "$REPS" -le 20 ] || { echo "run.sh: --reps must be 1..20" >&2; exit 2; }
[ "$PIN" = split ] || [ "$PIN" = none ] || { echo "run.sh: --pin is split or none" >&2; exit 2; }

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS_DIR="$BENCH_DIR/results"
WORK=$(mktemp -d /tmp/ferry-bench.XXXXXX)
RAW="$WORK/raw.tsv"

# Addresses and ports. Each contender has its own VIP so TIME_WAIT of one never touches another.
declare -A VIP=([ferry]=127.0.0.10 [haproxy]=127.0.0.11 [nginx]=127.0.0.12)
IPERF_PORT=9010 WEB1_PORT=9001 WEB2_PORT=9002 ECHO_PORT=9021
CLIENT_CPU=0 BALANCER_CPU=1

log() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- process bookkeeping (kill by PID)
PIDS=()
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  PIDS=()
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_bg LOGFILE CPUSET CMD... : starts CMD in the background (pinned when CPUSET is not "-"), sets STARTED_PID.
start_bg() {
  local logfile=$1 cpus=$2; shift 2
  if [ "$cpus" = "-" ]; then "$@" >"$logfile" 2>&1 &
  else taskset -c "$cpus" "$@" >"$logfile" 2>&1 &
  fi
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}
# stop_started PID... : stops processes started with start_bg and forgets them.
stop_started() {
  local pid keep=() p
  for pid in "$@"; do stop_pid "$pid"; done
  for p in "${PIDS[@]}"; do
    case " $* " in *" $p "*) ;; *) keep+=("$p") ;; esac
  done
  PIDS=("${keep[@]}")
}

# cpu_ticks PID : utime+stime of PID and its children (nginx workers), in clock ticks.
cpu_ticks() {
  local total=0 p t
  for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
    t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

# wait_listening PROTO ADDR PORT [PID] : until a socket listens there (10 s at most, or until PID exits).
wait_listening() {
  local proto=$1 addr=$2 port=$3 pid=${4:-} i flag
  [ "$proto" = tcp ] && flag=-ltnH || flag=-lunH
  for i in $(seq 1 100); do
    ss "$flag" "src $addr and sport = :$port" 2>/dev/null | grep -q . && return 0
    [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && return 1
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------- tools
install_tools() {
  local need=() t
  for t in haproxy nginx iperf3 wrk sockperf jq taskset ss python3; do command -v "$t" >/dev/null || need+=("$t"); done
  [ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$INSTALL" -eq 0 ] || [ "$(id -u)" != 0 ]; then
    echo "run.sh: missing ${need[*]}; run as root without --no-install to install them" >&2; exit 1
  fi
  local pkgs=() n
  for n in "${need[@]}"; do
    case "$n" in ss) pkgs+=(iproute2) ;; taskset) pkgs+=(util-linux) ;; python3) pkgs+=(python3-minimal) ;; *) pkgs+=("$n") ;; esac
  done
  log "installing ${pkgs[*]} (Debian packages)"
  apt-get update -qq >/dev/null 2>&1 || true
  # The packages' own services (nginx on port 80, haproxy) must not start: deny service starts with a
  # policy-rc.d for the duration of the install, unless the system already has one.
  local policy=/usr/sbin/policy-rc.d ours=0 rc=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && ours=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null || rc=$?
  [ "$ours" = 1 ] && rm -f "$policy"
  [ "$rc" = 0 ] || { echo "run.sh: apt-get install failed" >&2; exit 1; }
}

publish_ferry() {
  if [ -n "$FERRY_DIR" ]; then FERRY_BIN="$FERRY_DIR/ferry"; return; fi
  FERRY_DIR="$WORK/ferry"
  log "publishing ferry (Release) to $FERRY_DIR"
  if ! (cd "$REPO_DIR" && dotnet publish src/Ferry.Cli -c Release -o "$FERRY_DIR" >"$WORK/publish.log" 2>&1); then
    log "ferry publish failed (see below); its rows will say failed"; tail -5 "$WORK/publish.log" >&2
  fi
  FERRY_BIN="$FERRY_DIR/ferry"
}

render() { # render TEMPLATE VIP > file
  sed -e "s|@VIP@|$2|g" -e "s|@WORK@|$WORK|g" -e "s|@IPERF_PORT@|$IPERF_PORT|g" \
      -e "s|@WEB1_PORT@|$WEB1_PORT|g" -e "s|@WEB2_PORT@|$WEB2_PORT|g" -e "s|@ECHO_PORT@|$ECHO_PORT|g" "$BENCH_DIR/configs/$1"
}

# ---------------------------------------------------------------- contenders
# start_contender NAME CPUSET : sets BAL_PID, or returns 1.
start_contender() {
  local name=$1 cpus=$2 vip=${VIP[$1]}
  case "$name" in
    haproxy)
      render haproxy.cfg.in "$vip" >"$WORK/haproxy.cfg"
      start_bg "$WORK/haproxy.log" "$cpus" haproxy -db -f "$WORK/haproxy.cfg" ;;
    nginx)
      render nginx-stream.conf.in "$vip" >"$WORK/nginx-stream.conf"
      start_bg "$WORK/nginx-stream.log" "$cpus" nginx -c "$WORK/nginx-stream.conf" -p "$WORK" ;;
    ferry)
      [ -x "$FERRY_BIN" ] || return 1
      render ferry.yaml.in "$vip" >"$WORK/ferry.yaml"
      # Inline socket completions are worth 25-40 % CPU per request on one core (docs/performance-notes.md).
      start_bg "$WORK/ferry.log" "$cpus" env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$FERRY_BIN" proxy --config "$WORK/ferry.yaml" --log-level warning ;;
  esac
  BAL_PID=$STARTED_PID
}

# does CONTENDER serve SCENARIO? (HAProxy has no UDP proxying)
supports() { case "$1:$2" in haproxy:U*) return 1 ;; *) return 0 ;; esac; }

# ---------------------------------------------------------------- scenarios
# Each scenario: start backends, then (after the balancer is up) run the client, print "value<TAB>extra".
scenario_title() {
  case "$1" in
    T1) echo "T1 TCP throughput, 1 stream (iperf3), Gbit/s" ;;
    T1x4) echo "T1 TCP throughput, 4 streams (iperf3 -P 4), Gbit/s" ;;
    T2) echo "T2 new connections/s (wrk, Connection: close, pin none)" ;;
    T3) echo "T3 keep-alive requests/s (wrk --latency)" ;;
    U1) echo "U1 UDP packets/s delivered (iperf3 -u -b 0 -l 64)" ;;
    U2) echo "U2 UDP echo round trips/s (sockperf ping-pong, 64 B)" ;;
  esac
}
scenario_cpus() { # the scenario's pinning: "client balancer" CPU sets, "-" = unpinned
  if [ "$1" = T2 ] || [ "$PIN" = none ]; then echo "- -"; else echo "$CLIENT_CPU $BALANCER_CPU"; fi
}
scenario_socket() { # what must listen before the client starts
  case "$1" in T1|T1x4) echo "tcp 5201" ;; U1) echo "udp 5201" ;; T2|T3) echo "tcp 8080" ;; U2) echo "udp 5302" ;; esac
}

start_backends() { # start_backends SCENARIO CPUSET : sets BACKEND_PIDS
  local cpus=$2
  BACKEND_PIDS=()
  case "$1" in
    T1|T1x4|U1)
      start_bg "$WORK/iperf3-server.log" "$cpus" iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT"; BACKEND_PIDS+=("$STARTED_PID")
      wait_listening tcp 127.0.0.1 "$IPERF_PORT" ;;
    T2|T3)
      mkdir -p "$WORK/logs"; render nginx-backend.conf.in - >"$WORK/nginx-backend.conf"
      start_bg "$WORK/nginx-backend.log" "$cpus" nginx -c "$WORK/nginx-backend.conf" -p "$WORK"; BACKEND_PIDS+=("$STARTED_PID")
      wait_listening tcp 127.0.0.1 "$WEB1_PORT" && wait_listening tcp 127.0.0.1 "$WEB2_PORT" ;;
    U2)
      start_bg "$WORK/sockperf-server.log" "$cpus" sockperf server -i 127.0.0.1 -p "$ECHO_PORT"; BACKEND_PIDS+=("$STARTED_PID")
      wait_listening udp 127.0.0.1 "$ECHO_PORT" ;;
  esac
}

# run_client SCENARIO VIP CPUSET OUTFILE : runs the load (bounded), prints "value<TAB>extra" or fails.
run_client() {
  local s=$1 vip=$2 cpus=$3 out=$4 pin=()
  [ "$cpus" != "-" ] && pin=(taskset -c "$cpus")
  local limit=$((DURATION + 20))
  case "$s" in
    T1|T1x4)
      local streams=1; [ "$s" = T1x4 ] && streams=4
      timeout "$limit" "${pin[@]}" iperf3 -c "$vip" -p 5201 -t "$DURATION" -P "$streams" -J >"$out" 2>&1 || return 1
      jq -er '.end.sum_received.bits_per_second / 1e9 | tostring + "\t"' "$out" ;;
    U1)
      timeout "$limit" "${pin[@]}" iperf3 -c "$vip" -p 5201 -u -b 0 -l 64 -t "$DURATION" -J >"$out" 2>&1 || return 1
      jq -er '.end.sum as $s | (($s.packets - $s.lost_packets) / $s.seconds | tostring) + "\tlost=" + ($s.lost_percent | floor | tostring) + "%"' "$out" ;;
    T2)
      timeout "$limit" "${pin[@]}" wrk -t2 -c64 -d"${DURATION}s" -H 'Connection: close' "http://$vip:8080/" >"$out" 2>&1 || return 1
      parse_wrk "$out" ;;
    T3)
      timeout "$limit" "${pin[@]}" wrk -t1 -c32 -d"${DURATION}s" --latency "http://$vip:8080/" >"$out" 2>&1 || return 1
      parse_wrk "$out" ;;
    U2)
      timeout "$limit" "${pin[@]}" sockperf ping-pong -i "$vip" -p 5302 -t "$DURATION" -m 64 >"$out" 2>&1 || return 1
      # "[Valid Duration] RunTime=7.550 sec; SentMessages=...; ReceivedMessages=N"
      sed 's/\x1b\[[0-9;]*m//g' "$out" | awk -F'[=; ]+' '/Valid Duration/ {
          for (i = 1; i <= NF; i++) { if ($i == "RunTime") t = $(i+1); if ($i == "ReceivedMessages") n = $(i+1) }
        }
        /percentile 50.000/ { p50 = $NF } /percentile 99.000/ { p99 = $NF }
        END { if (t > 0 && n > 0) printf "%f\tp50=%sus p99=%sus\n", n / t, p50, p99; else exit 1 }' ;;
  esac
}

# wrk output -> "req/s<TAB>p50=..ms p99=..ms errors=N"; fails when most requests failed.
parse_wrk() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /requests in/ { total = $1 }
    /Socket errors:/ { gsub(",", ""); errors = $4 + $6 + $8 + $10 }
    /Non-2xx/ { bad = $NF }
    END {
      if (rps <= 0 || (total > 0 && (errors + bad) > total / 2)) exit 1
      extra = sprintf("errors=%d", errors + bad)
      if (p50 != "") extra = sprintf("p50=%.2fms p99=%.2fms %s", p50, p99, extra)
      printf "%s\t%s\n", rps, extra
    }' "$1"
}

# measure SCENARIO REP CONTENDER : one measurement, appended to $RAW.
measure() {
  local s=$1 rep=$2 c=$3 vip=${VIP[$3]} cpus client_cpus balancer_cpus proto port
  read -r client_cpus balancer_cpus <<<"$(scenario_cpus "$s")"
  read -r proto port <<<"$(scenario_socket "$s")"
  if ! supports "$c" "$s"; then printf '%s\t%s\t%s\tn/a\t\t\t\n' "$s" "$rep" "$c" >>"$RAW"; return; fi

  start_backends "$s" "$client_cpus" || { log "$s: backends did not start"; }
  local status=failed value="" extra="" util=""
  BAL_PID=""
  if start_contender "$c" "$balancer_cpus" && wait_listening "$proto" "$vip" "$port" "$BAL_PID"; then
    sleep 0.3
    local t0 c0 t1 c1 result
    t0=$(date +%s.%N); c0=$(cpu_ticks "$BAL_PID")
    if result=$(run_client "$s" "$vip" "$client_cpus" "$WORK/client-$s-$c-$rep.out"); then
      t1=$(date +%s.%N); c1=$(cpu_ticks "$BAL_PID")
      value=${result%%$'\t'*}; extra=${result#*$'\t'}
      util=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.4f", (b - a) / hz / (t1 - t0) }')
      status=ok
    else
      log "$s rep $rep $c: the client failed: $(tail -c 300 "$WORK/client-$s-$c-$rep.out" 2>/dev/null | tr '\n' ' ')"
    fi
  else
    log "$s rep $rep $c: the balancer did not listen on $vip:$port/$proto: $(tail -c 400 "$WORK/$c.log" 2>/dev/null | tr '\n' ' ')"
  fi
  [ -n "${BAL_PID:-}" ] && stop_started "$BAL_PID"; BAL_PID=""
  stop_started "${BACKEND_PIDS[@]}"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$rep" "$c" "$status" "$value" "$util" "$extra" >>"$RAW"
  log "$s rep $rep $c: $status ${value:+value=$value} ${util:+cpu=$util} $extra"
}

# ---------------------------------------------------------------- main
install_tools
IFS=, read -r -a SCENARIO_LIST <<<"$SCENARIOS"
IFS=, read -r -a CONTENDER_LIST <<<"$CONTENDERS"
case ",$CONTENDERS," in *,ferry,*) publish_ferry ;; esac
[ "$(nproc)" -ge 2 ] || { log "fewer than 2 CPUs: using --pin none"; PIN=none; }

log "work dir $WORK; duration ${DURATION}s x $REPS rep(s); scenarios $SCENARIOS; contenders $CONTENDERS; pin $PIN"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$RAW"
for s in "${SCENARIO_LIST[@]}"; do
  for rep in $(seq 1 "$REPS"); do
    # Rotate the order each rep so no contender always runs first (warm caches, thermal state).
    n=${#CONTENDER_LIST[@]}
    for i in $(seq 0 $((n - 1))); do
      measure "$s" "$rep" "${CONTENDER_LIST[$(((i + rep - 1) % n))]}"
    done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$RESULTS_DIR"
{
  echo "# Ferry benchmark $STAMP"
  echo
  echo "- Host: $(uname -srm), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); load average before $LOAD_BEFORE, after $LOAD_AFTER"
  echo "- Versions: $(haproxy -v 2>/dev/null | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1); iperf3 $(iperf3 -v 2>/dev/null | head -1 | cut -d' ' -f2); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); sockperf $(sockperf -v 2>&1 | grep -o '[0-9][0-9.]*' | head -1); ferry $([ -x "${FERRY_BIN:-}" ] && "$FERRY_BIN" version 2>/dev/null | cut -d' ' -f2- || echo 'not built')"
  echo "- Command: \`bench/run.sh --duration $DURATION --reps $REPS --scenarios $SCENARIOS --contenders $CONTENDERS --pin $PIN\`"
  echo
  python3 "$BENCH_DIR/report.py" "$RAW" "$CONTENDERS"
} | tee "$RESULTS_DIR/$STAMP.md"
cp "$RAW" "$RESULTS_DIR/$STAMP.tsv"
log "written $RESULTS_DIR/$STAMP.md (raw: $STAMP.tsv)"
