#!/usr/bin/env bash
# Ferry benchmark: `ferry proxy` against HAProxy (mode tcp, 1 thread) and nginx stream (1 worker),
# on this machine, in the same run, interleaved. Method and results: docs/benchmarks.md.
#
#   sudo bench/run.sh [--duration 8] [--reps 3] [--scenarios T1,T1x4,T2,T3,U1,U2] [--topology loopback|netns]
#                     [--contenders haproxy,nginx,ferry] [--pin split|none] [--ferry-dir DIR] [--no-install]
#
# Contenders: haproxy, nginx, ferry (userspace), and direct (no balancer: the client talks to the backend;
# with netns the balancer namespace only routes); with --topology netns also ferry-kernel (`ferry proxy
# --data-plane kernel`). Default contenders: haproxy,nginx,ferry (loopback); direct,haproxy,nginx,ferry,
# ferry-kernel (netns).
#
# --topology loopback (default): VIPs 127.0.0.10-12, backends on 127.0.0.1:90xx.
# --topology netns: three namespaces ferry-bench-<pid>-{client,balancer,backends} joined by veth pairs
# (192.0.2.0/24 client side, 198.51.100.0/24 backend side, VIPs 203.0.113.10-13 on the balancer's lo),
# created at start and deleted on exit. Every load is bounded by --duration, every command by a timeout,
# and every process this script starts is killed by PID on exit.
set -uo pipefail

DURATION=8
REPS=3
SCENARIOS="T1,T1x4,T2,T3,U1,U2"
CONTENDERS=""
TOPOLOGY=loopback
PIN="split"
FERRY_DIR=""
INSTALL=1

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --scenarios) SCENARIOS="$2"; shift 2 ;;
    --contenders) CONTENDERS="$2"; shift 2 ;;
    --pin) PIN="$2"; shift 2 ;;
    --topology) TOPOLOGY="$2"; shift 2 ;;
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
[ "$TOPOLOGY" = loopback ] || [ "$TOPOLOGY" = netns ] || { echo "run.sh: --topology is loopback or netns" >&2; exit 2; }
if [ -z "$CONTENDERS" ]; then
  if [ "$TOPOLOGY" = netns ]; then CONTENDERS="direct,haproxy,nginx,ferry,ferry-kernel"; else CONTENDERS="haproxy,nginx,ferry"; fi
fi
for c in ${CONTENDERS//,/ }; do
  case "$c" in direct|haproxy|nginx|ferry|ferry-kernel) ;; *) echo "run.sh: unknown contender $c" >&2; exit 2 ;; esac
done
if [ "$TOPOLOGY" = netns ] && [ "$(id -u)" != 0 ]; then echo "run.sh: --topology netns needs root (ip netns)" >&2; exit 1; fi

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS_DIR="$BENCH_DIR/results"
WORK=$(mktemp -d /tmp/ferry-bench.XXXXXX)
RAW="$WORK/raw.tsv"

# Addresses and ports. Each contender has its own VIP so TIME_WAIT of one never touches another.
# "direct" has no VIP: its client targets the backend itself (see client_target).
if [ "$TOPOLOGY" = netns ]; then
  declare -A VIP=([ferry]=203.0.113.10 [haproxy]=203.0.113.11 [nginx]=203.0.113.12 [ferry-kernel]=203.0.113.13 [direct]=198.51.100.2)
  BACKEND_ADDR=198.51.100.2
  NS_PREFIX="ferry-bench-$$"
  declare -A NS=([client]="$NS_PREFIX-client" [balancer]="$NS_PREFIX-balancer" [backends]="$NS_PREFIX-backends")
else
  declare -A VIP=([ferry]=127.0.0.10 [haproxy]=127.0.0.11 [nginx]=127.0.0.12 [ferry-kernel]=127.0.0.13 [direct]=127.0.0.1)
  BACKEND_ADDR=127.0.0.1
  declare -A NS=([client]="" [balancer]="" [backends]="")
fi
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
NS_CREATED=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  PIDS=()
  teardown_netns
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# in_ns ROLE CMD... : runs CMD in the namespace of ROLE (client, balancer, backends); on loopback, here.
in_ns() {
  local role=$1; shift
  if [ -n "${NS[$role]}" ]; then ip netns exec "${NS[$role]}" "$@"; else "$@"; fi
}
# ns_prefix ROLE CPUSET : sets PREFIX to the command words that run a program in ROLE's namespace,
# pinned when CPUSET is not "-". Both ip netns exec and taskset exec the program, so its PID is theirs.
ns_prefix() {
  PREFIX=()
  [ -n "${NS[$1]}" ] && PREFIX+=(ip netns exec "${NS[$1]}")
  [ "$2" != "-" ] && PREFIX+=(taskset -c "$2")
  return 0
}

# start_bg LOGFILE ROLE CPUSET CMD... : starts CMD in the background in ROLE's namespace (pinned when
# CPUSET is not "-"), sets STARTED_PID.
start_bg() {
  local logfile=$1 role=$2 cpus=$3; shift 3
  ns_prefix "$role" "$cpus"
  "${PREFIX[@]}" "$@" >"$logfile" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# ---------------------------------------------------------------- network namespaces (--topology netns)
# client 192.0.2.2 --veth-- 192.0.2.1 balancer 198.51.100.1 --veth-- 198.51.100.2 backends;
# VIPs 203.0.113.10-13/32 on the balancer's lo. The client routes 203.0.113.0/24 and 198.51.100.0/24 via
# the balancer, the backends route 192.0.2.0/24 via the balancer, and the balancer forwards (ip_forward).
setup_netns() {
  local role name
  for role in client balancer backends; do
    name=${NS[$role]}
    if ip netns list | awk '{ print $1 }' | grep -qxF -- "$name"; then echo "run.sh: namespace $name exists already" >&2; exit 1; fi
    ip netns add "$name" || { echo "run.sh: ip netns add $name failed" >&2; exit 1; }
    NS_CREATED+=("$name")
    ip -n "$name" link set lo up || exit 1
  done
  local c=${NS[client]} b=${NS[balancer]} s=${NS[backends]}
  {
    ip link add to-bal netns "$c" type veth peer name to-cli netns "$b" &&
    ip link add to-bal netns "$s" type veth peer name to-srv netns "$b" &&
    ip -n "$c" addr add 192.0.2.2/24 dev to-bal && ip -n "$c" link set to-bal up &&
    ip -n "$b" addr add 192.0.2.1/24 dev to-cli && ip -n "$b" link set to-cli up &&
    ip -n "$b" addr add 198.51.100.1/24 dev to-srv && ip -n "$b" link set to-srv up &&
    ip -n "$s" addr add 198.51.100.2/24 dev to-bal && ip -n "$s" link set to-bal up &&
    ip -n "$b" addr add 203.0.113.10/32 dev lo && ip -n "$b" addr add 203.0.113.11/32 dev lo &&
    ip -n "$b" addr add 203.0.113.12/32 dev lo && ip -n "$b" addr add 203.0.113.13/32 dev lo &&
    ip -n "$c" route add 203.0.113.0/24 via 192.0.2.1 && ip -n "$c" route add 198.51.100.0/24 via 192.0.2.1 &&
    ip -n "$s" route add 192.0.2.0/24 via 198.51.100.1 &&
    ip netns exec "$b" sysctl -qw net.ipv4.ip_forward=1
  } || { echo "run.sh: setting up the namespaces failed" >&2; exit 1; }
  # Both directions must route through the balancer: the client reaches a backend only via 192.0.2.1.
  in_ns client timeout 5 ping -c 1 -W 2 -q 198.51.100.2 >/dev/null 2>&1 &&
    in_ns client timeout 5 ping -c 1 -W 2 -q 203.0.113.10 >/dev/null 2>&1 ||
    { echo "run.sh: the namespaces do not route (ping 198.51.100.2 / 203.0.113.10 from the client failed)" >&2; exit 1; }
  log "namespaces ${NS[client]}, ${NS[balancer]}, ${NS[backends]} up"
}
# Deletes the namespaces this run created, by name, after stopping any process still in them (all of
# them started by this script: nothing else enters these namespaces).
teardown_netns() {
  local name pid
  for name in "${NS_CREATED[@]}"; do
    for pid in $(ip netns pids "$name" 2>/dev/null); do stop_pid "$pid"; done
    ip netns del "$name" 2>/dev/null || echo "run.sh: could not delete namespace $name; delete it with: ip netns del $name" >&2
  done
  NS_CREATED=()
}
# set_rps CLIENT_CPUS BALANCER_CPUS : the netns counterpart of pinning. A veth hands each packet to the
# receiving namespace's stack on the sending CPU; receive packet steering (RPS) moves that work to the CPU
# of its namespace: the balancer's two veths to the balancer's CPU, the client's and the backends' veths
# to the client's CPU. "-" turns steering off (the kernel's default).
RPS_NOW=""
set_rps() {
  local want="$1 $2" client_mask=0 balancer_mask=0
  [ "$TOPOLOGY" = netns ] && [ "$RPS_NOW" != "$want" ] || return 0
  if [ "$1" != "-" ] && [ "$2" != "-" ]; then
    client_mask=$(printf '%x' $((1 << $1))); balancer_mask=$(printf '%x' $((1 << $2)))
  fi
  in_ns client sh -c "echo $client_mask >/sys/class/net/to-bal/queues/rx-0/rps_cpus" &&
  in_ns backends sh -c "echo $client_mask >/sys/class/net/to-bal/queues/rx-0/rps_cpus" &&
  in_ns balancer sh -c "echo $balancer_mask >/sys/class/net/to-cli/queues/rx-0/rps_cpus && echo $balancer_mask >/sys/class/net/to-srv/queues/rx-0/rps_cpus" ||
    log "could not set receive packet steering ($want)"
  RPS_NOW=$want
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

# stat_busy : busy clock ticks of all CPUs and of the balancer's CPU, from /proc/stat (not per
# namespace): user+nice+system+irq+softirq (guest time is inside user; idle, iowait and steal are not work).
stat_busy() {
  awk -v core="cpu$BALANCER_CPU" '$1 == "cpu" { all = $2 + $3 + $4 + $7 + $8 } $1 == core { one = $2 + $3 + $4 + $7 + $8 }
    END { print all + 0, one + 0 }' /proc/stat
}

# wait_listening ROLE PROTO ADDR PORT [PID] : until a socket listens there, in ROLE's namespace (10 s at
# most, or until PID exits).
wait_listening() {
  local role=$1 proto=$2 addr=$3 port=$4 pid=${5:-} i flag
  [ "$proto" = tcp ] && flag=-ltnH || flag=-lunH
  for i in $(seq 1 100); do
    in_ns "$role" ss "$flag" "src $addr and sport = :$port" 2>/dev/null | grep -q . && return 0
    [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && return 1
    sleep 0.1
  done
  return 1
}

# wait_kernel_rules VIP PID : until Ferry's nftables table in the balancer's namespace serves VIP (10 s at
# most, or until PID exits). The kernel plane applies the whole file in one transaction, so one address
# present means all of its listeners are.
wait_kernel_rules() {
  local vip=$1 pid=$2 i
  for i in $(seq 1 100); do
    in_ns balancer nft list table inet ferry 2>/dev/null | grep -qF -- "$vip" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------- tools
install_tools() {
  local need=() t
  for t in haproxy nginx iperf3 wrk sockperf jq taskset ss python3; do command -v "$t" >/dev/null || need+=("$t"); done
  [ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
  # netns: ping checks the routes; conntrack empties the balancer's connection tracking table after each
  # ferry-kernel measurement (the kernel plane's NAT fills it, T2 with ~100k entries in TIME_WAIT).
  if [ "$TOPOLOGY" = netns ]; then for t in ping conntrack nft; do command -v "$t" >/dev/null || need+=("$t"); done; fi
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$INSTALL" -eq 0 ] || [ "$(id -u)" != 0 ]; then
    echo "run.sh: missing ${need[*]}; run as root without --no-install to install them" >&2; exit 1
  fi
  local pkgs=() n
  for n in "${need[@]}"; do
    case "$n" in ss) pkgs+=(iproute2) ;; taskset) pkgs+=(util-linux) ;; python3) pkgs+=(python3-minimal) ;; ping) pkgs+=(iputils-ping) ;; nft) pkgs+=(nftables) ;; *) pkgs+=("$n") ;; esac
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
  sed -e "s|@VIP@|$2|g" -e "s|@BACKEND@|$BACKEND_ADDR|g" -e "s|@WORK@|$WORK|g" -e "s|@IPERF_PORT@|$IPERF_PORT|g" \
      -e "s|@WEB1_PORT@|$WEB1_PORT|g" -e "s|@WEB2_PORT@|$WEB2_PORT|g" -e "s|@ECHO_PORT@|$ECHO_PORT|g" "$BENCH_DIR/configs/$1"
}

# ---------------------------------------------------------------- contenders
# start_contender NAME CPUSET : sets BAL_PID, or returns 1. (direct has no process: BAL_PID stays empty.)
start_contender() {
  local name=$1 cpus=$2 vip=${VIP[$1]}
  case "$name" in
    direct) return 0 ;;
    haproxy)
      render haproxy.cfg.in "$vip" >"$WORK/haproxy.cfg"
      start_bg "$WORK/haproxy.log" balancer "$cpus" haproxy -db -f "$WORK/haproxy.cfg" ;;
    nginx)
      render nginx-stream.conf.in "$vip" >"$WORK/nginx-stream.conf"
      start_bg "$WORK/nginx-stream.log" balancer "$cpus" nginx -c "$WORK/nginx-stream.conf" -p "$WORK" ;;
    ferry)
      [ -x "$FERRY_BIN" ] || return 1
      render ferry.yaml.in "$vip" >"$WORK/ferry.yaml"
      # Inline socket completions are worth 25-40 % CPU per request on one core (docs/performance-notes.md).
      # A ferry with --data-plane defaults to auto, which as root is the kernel plane: ask for userspace.
      local plane=(); [ "$KERNEL_FLAG" = yes ] && plane=(--data-plane userspace)
      start_bg "$WORK/ferry.log" balancer "$cpus" env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$FERRY_BIN" proxy --config "$WORK/ferry.yaml" "${plane[@]}" --log-level warning ;;
    ferry-kernel)
      [ -x "$FERRY_BIN" ] || return 1
      render ferry.yaml.in "$vip" >"$WORK/ferry-kernel.yaml"
      # The same file; nftables DNAT in the balancer's namespace does the forwarding, in softirq.
      start_bg "$WORK/ferry-kernel.log" balancer "$cpus" "$FERRY_BIN" proxy --config "$WORK/ferry-kernel.yaml" --data-plane kernel --log-level warning ;;
  esac
  BAL_PID=$STARTED_PID
}
# wait_contender NAME PROTO PORT : until the contender serves its VIP (a listening socket; for the kernel
# plane, its nftables rules).
wait_contender() {
  case "$1" in
    direct) return 0 ;;
    ferry-kernel) wait_kernel_rules "${VIP[$1]}" "$BAL_PID" ;;
    *) wait_listening balancer "$2" "${VIP[$1]}" "$3" "$BAL_PID" ;;
  esac
}

# does CONTENDER serve SCENARIO? (HAProxy has no UDP proxying; the kernel plane runs in the netns
# topology only, where it programs the balancer namespace's nftables and not this host's.)
supports() {
  case "$1:$2" in haproxy:U*) return 1 ;; ferry-kernel:*) [ "$TOPOLOGY" = netns ] ;; *) return 0 ;; esac
}
# KERNEL_FLAG: yes when this ferry has `proxy --data-plane` (set once after publishing), else no.
KERNEL_FLAG=no
check_ferry_flags() {
  [ -x "${FERRY_BIN:-}" ] && "$FERRY_BIN" proxy --help 2>&1 | grep -q -- '--data-plane' && KERNEL_FLAG=yes
  return 0
}
# is CONTENDER skipped in this run? sets SKIP_REASON. ferry-kernel needs a ferry with --data-plane.
skipped() {
  SKIP_REASON=""
  [ "$1" = ferry-kernel ] && [ -x "${FERRY_BIN:-}" ] || return 1
  if [ "$KERNEL_FLAG" = no ]; then
    SKIP_REASON="this ferry build has no 'proxy --data-plane' option yet (the kernel data plane's CLI flag); ferry-kernel skipped"
    return 0
  fi
  return 1
}

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
client_target() { # client_target SCENARIO CONTENDER : "address port" the client sends to
  if [ "$2" = direct ]; then
    case "$1" in T1|T1x4|U1) echo "$BACKEND_ADDR $IPERF_PORT" ;; T2|T3) echo "$BACKEND_ADDR $WEB1_PORT" ;; U2) echo "$BACKEND_ADDR $ECHO_PORT" ;; esac
  else
    case "$1" in T1|T1x4|U1) echo "${VIP[$2]} 5201" ;; T2|T3) echo "${VIP[$2]} 8080" ;; U2) echo "${VIP[$2]} 5302" ;; esac
  fi
}

start_backends() { # start_backends SCENARIO CPUSET : sets BACKEND_PIDS
  local cpus=$2
  BACKEND_PIDS=()
  case "$1" in
    T1|T1x4|U1)
      start_bg "$WORK/iperf3-server.log" backends "$cpus" iperf3 -s -B "$BACKEND_ADDR" -p "$IPERF_PORT"; BACKEND_PIDS+=("$STARTED_PID")
      wait_listening backends tcp "$BACKEND_ADDR" "$IPERF_PORT" ;;
    T2|T3)
      mkdir -p "$WORK/logs"; render nginx-backend.conf.in - >"$WORK/nginx-backend.conf"
      start_bg "$WORK/nginx-backend.log" backends "$cpus" nginx -c "$WORK/nginx-backend.conf" -p "$WORK"; BACKEND_PIDS+=("$STARTED_PID")
      wait_listening backends tcp "$BACKEND_ADDR" "$WEB1_PORT" && wait_listening backends tcp "$BACKEND_ADDR" "$WEB2_PORT" ;;
    U2)
      start_bg "$WORK/sockperf-server.log" backends "$cpus" sockperf server -i "$BACKEND_ADDR" -p "$ECHO_PORT"; BACKEND_PIDS+=("$STARTED_PID")
      wait_listening backends udp "$BACKEND_ADDR" "$ECHO_PORT" ;;
  esac
}

# run_client SCENARIO ADDRESS PORT CPUSET OUTFILE : runs the load (bounded) in the client's namespace,
# prints "value<TAB>extra" or fails.
run_client() {
  local s=$1 vip=$2 port=$3 cpus=$4 out=$5 pin
  ns_prefix client "$cpus"; pin=("${PREFIX[@]}")
  local limit=$((DURATION + 20))
  case "$s" in
    T1|T1x4)
      local streams=1; [ "$s" = T1x4 ] && streams=4
      timeout "$limit" "${pin[@]}" iperf3 -c "$vip" -p "$port" -t "$DURATION" -P "$streams" -J >"$out" 2>&1 || return 1
      jq -er '.end.sum_received.bits_per_second / 1e9 | tostring + "\t"' "$out" ;;
    U1)
      timeout "$limit" "${pin[@]}" iperf3 -c "$vip" -p "$port" -u -b 0 -l 64 -t "$DURATION" -J >"$out" 2>&1 || return 1
      jq -er '.end.sum as $s | (($s.packets - $s.lost_packets) / $s.seconds | tostring) + "\tlost=" + ($s.lost_percent | floor | tostring) + "%"' "$out" ;;
    T2)
      timeout "$limit" "${pin[@]}" wrk -t2 -c64 -d"${DURATION}s" -H 'Connection: close' "http://$vip:$port/" >"$out" 2>&1 || return 1
      parse_wrk "$out" ;;
    T3)
      timeout "$limit" "${pin[@]}" wrk -t1 -c32 -d"${DURATION}s" --latency "http://$vip:$port/" >"$out" 2>&1 || return 1
      parse_wrk "$out" ;;
    U2)
      timeout "$limit" "${pin[@]}" sockperf ping-pong -i "$vip" -p "$port" -t "$DURATION" -m 64 >"$out" 2>&1 || return 1
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

# measure SCENARIO REP CONTENDER : one measurement, appended to $RAW as scenario, rep, contender, status,
# value, the contender's process CPU utilisation, extra, system-wide CPU utilisation (all CPUs), and the
# balancer CPU's utilisation (CPU-seconds per wall second; empty when not measured).
measure() {
  local s=$1 rep=$2 c=$3 cpus client_cpus balancer_cpus proto port addr tport
  read -r client_cpus balancer_cpus <<<"$(scenario_cpus "$s")"
  read -r proto port <<<"$(scenario_socket "$s")"
  read -r addr tport <<<"$(client_target "$s" "$c")"
  if ! supports "$c" "$s"; then printf '%s\t%s\t%s\tn/a\t\t\t\t\t\n' "$s" "$rep" "$c" >>"$RAW"; return; fi
  if skipped "$c"; then printf '%s\t%s\t%s\tskipped\t\t\t\t\t\n' "$s" "$rep" "$c" >>"$RAW"; log "$s rep $rep $c: $SKIP_REASON"; return; fi
  set_rps "$client_cpus" "$balancer_cpus"

  start_backends "$s" "$client_cpus" || { log "$s: backends did not start"; }
  local status=failed value="" extra="" util="" sys_util="" core_util=""
  BAL_PID=""
  if start_contender "$c" "$balancer_cpus" && wait_contender "$c" "$proto" "$port"; then
    sleep 0.3
    local t0 c0 t1 c1 result all0 core0 all1 core1 hz
    hz=$(getconf CLK_TCK)
    t0=$(date +%s.%N); [ -n "$BAL_PID" ] && c0=$(cpu_ticks "$BAL_PID"); read -r all0 core0 <<<"$(stat_busy)"
    if result=$(run_client "$s" "$addr" "$tport" "$client_cpus" "$WORK/client-$s-$c-$rep.out"); then
      t1=$(date +%s.%N); [ -n "$BAL_PID" ] && c1=$(cpu_ticks "$BAL_PID"); read -r all1 core1 <<<"$(stat_busy)"
      value=${result%%$'\t'*}; extra=${result#*$'\t'}
      [ -n "$BAL_PID" ] && util=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" 'BEGIN { printf "%.4f", (b - a) / hz / (t1 - t0) }')
      sys_util=$(awk -v a="$all0" -v b="$all1" -v t0="$t0" -v t1="$t1" -v hz="$hz" 'BEGIN { printf "%.4f", (b - a) / hz / (t1 - t0) }')
      # The balancer's CPU holds the balancer's whole work (process and, with netns, its packets' softirq)
      # only when pinned; otherwise it is just one of the CPUs.
      [ "$balancer_cpus" != "-" ] && core_util=$(awk -v a="$core0" -v b="$core1" -v t0="$t0" -v t1="$t1" -v hz="$hz" 'BEGIN { printf "%.4f", (b - a) / hz / (t1 - t0) }')
      status=ok
    else
      log "$s rep $rep $c: the client failed: $(tail -c 300 "$WORK/client-$s-$c-$rep.out" 2>/dev/null | tr '\n' ' ')"
    fi
  else
    log "$s rep $rep $c: the balancer did not serve ${VIP[$c]}:$port/$proto: $(tail -c 400 "$WORK/$c.log" 2>/dev/null | tr '\n' ' ')"
  fi
  [ -n "${BAL_PID:-}" ] && stop_started "$BAL_PID"; BAL_PID=""
  stop_started "${BACKEND_PIDS[@]}"
  if [ "$c" = ferry-kernel ]; then
    # The kernel plane deletes its table on a clean stop; after a kill it may remain. Its NAT's connection
    # tracking entries outlive it (TIME_WAIT: 120 s): count them, then empty the table for the next run.
    local tracked
    tracked=$(in_ns balancer cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null)
    [ -n "$tracked" ] && [ "$status" = ok ] && extra="${extra:+$extra }conntrack=$tracked"
    in_ns balancer nft delete table inet ferry 2>/dev/null
    in_ns balancer conntrack -F >/dev/null 2>&1
  fi
  if [ "$TOPOLOGY" = netns ]; then
    # Every contender reaches the backends from the balancer's one address, and the backends close first
    # (T2), so they hold TIME_WAIT (60 s) for tuples the next contender reuses: a SYN that meets one is
    # refused unless its timestamp is newer, which another stack's (or the NAT'd client's) often is not,
    # and the connect waits out a 1 s retransmit. Measured: T2 through the kernel plane fell from 17.7k to
    # 0.5k/s after the proxies, and the proxies to 0.6-1.1k after it. Each contender starts clean.
    local ns
    for ns in client balancer backends; do in_ns "$ns" ss -K -tan state time-wait >/dev/null 2>&1; done
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$rep" "$c" "$status" "$value" "$util" "$extra" "$sys_util" "$core_util" >>"$RAW"
  log "$s rep $rep $c: $status ${value:+value=$value} ${util:+cpu=$util} ${sys_util:+system=$sys_util} ${core_util:+cpu$BALANCER_CPU=$core_util} $extra"
}

# ---------------------------------------------------------------- main
install_tools
IFS=, read -r -a SCENARIO_LIST <<<"$SCENARIOS"
IFS=, read -r -a CONTENDER_LIST <<<"$CONTENDERS"
case ",$CONTENDERS," in *,ferry,*|*,ferry-kernel,*) publish_ferry; check_ferry_flags ;; esac
[ "$(nproc)" -ge 2 ] || { log "fewer than 2 CPUs: using --pin none"; PIN=none; }
[ "$TOPOLOGY" = netns ] && setup_netns
for c in "${CONTENDER_LIST[@]}"; do
  if [ "$c" = ferry-kernel ] && [ "$TOPOLOGY" != netns ]; then log "ferry-kernel runs with --topology netns only: its cells are n/a"; fi
  if skipped "$c"; then log "$SKIP_REASON"; fi
done

log "work dir $WORK; topology $TOPOLOGY; duration ${DURATION}s x $REPS rep(s); scenarios $SCENARIOS; contenders $CONTENDERS; pin $PIN"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
IDLE_BUSY=""
if [ "$TOPOLOGY" = netns ]; then
  # What the machine does without us: the floor under every system-wide CPU figure.
  read -r idle_a _ <<<"$(stat_busy)"; sleep 2; read -r idle_b _ <<<"$(stat_busy)"
  IDLE_BUSY=$(awk -v a="$idle_a" -v b="$idle_b" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (b - a) / hz / 2 * 100 }')
fi
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
  if [ "$TOPOLOGY" = netns ]; then
    echo "- Topology: netns (client 192.0.2.2 → balancer namespace → backends 198.51.100.2 over veth pairs, MTU 1500; VIPs 203.0.113.10-13); system CPU busy before the run, 2 s idle sample: ${IDLE_BUSY} % of one CPU"
    echo "- Command: \`bench/run.sh --topology netns --duration $DURATION --reps $REPS --scenarios $SCENARIOS --contenders $CONTENDERS --pin $PIN\`"
    echo
    python3 "$BENCH_DIR/report.py" --topology netns "$RAW" "$CONTENDERS"
  else
    echo "- Command: \`bench/run.sh --duration $DURATION --reps $REPS --scenarios $SCENARIOS --contenders $CONTENDERS --pin $PIN\`"
    echo
    python3 "$BENCH_DIR/report.py" "$RAW" "$CONTENDERS"
  fi
} | tee "$RESULTS_DIR/$STAMP.md"
cp "$RAW" "$RESULTS_DIR/$STAMP.tsv"
log "written $RESULTS_DIR/$STAMP.md (raw: $STAMP.tsv)"
