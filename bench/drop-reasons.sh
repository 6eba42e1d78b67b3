#!/usr/bin/env bash
# Benchmark (issue 16 §4): what `culprit collect --drop-reasons` costs the agent, at 0, 10,000 and
# 100,000 drops a second, against the same agent without it in the same run at the same rate.
#
# Two agents run side by side for the whole run, at a 1 s interval (the most cycles, so the most
# ring reads, a user can ask for), host namespace only, publishing to a `culprit broker` (its CPU
# is not counted):
#   baseline   culprit collect --sources protocol,softnet
#   reasons    the same with --drop-reasons (its ftrace instance, 8 KiB per CPU, read every cycle)
# Drops: a paced UDP sender in the host namespace floods port 9 of namespace culprit-bdr-1 (over a
# veth) where an iptables rule DROPs it; the achieved rate is that rule's packet counter over the
# measured span. CPU = utime+stime of each agent from /proc/PID/stat; RSS from /proc/PID/status.
# The kernel writes each tracepoint record in the context of whatever dropped the packet (here the
# sender's softirq), which no agent's CPU time includes: this measures the agent, not the kernel.
#
# Usage (root, Linux): bench/drop-reasons.sh [seconds=60] [warmup=60] [rates=0 10000 100000]...
# Env: BENCH_NO_BUILD=1 to skip building app/target/culprit-collect.jar first.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"; warm="${2:-60}"; shift $(( $# < 2 ? $# : 2 ))
rates=("$@"); [ ${#rates[@]} -eq 0 ] && rates=(0 10000 100000)
[ "$(id -u)" = 0 ] || { echo "run as root (namespaces, iptables, tracefs)" >&2; exit 1; }
# The agent's jar, outside the measurement (BENCH_NO_BUILD=1: use the one app/target has).
[ "${BENCH_NO_BUILD:-0}" = 1 ] || mvn -q -B -o -DskipTests -pl app -am package >/dev/null
tck=$(getconf CLK_TCK)
. bench/lib.sh
bench_start dropreasons culprit-bdr 1
bench_namespace culprit-bdr cubdr 252 1 0
ip netns exec culprit-bdr-1 iptables -A INPUT -p udp --dport 9 -j DROP
launcher_opts=$(sed -n 's/^  default_opts="\(.*\)"$/\1/p' culprit)
jar=app/target/culprit-collect.jar
bench_broker app/target "$d/broker"
bs=$(cat "$d/broker/bootstrap-servers")
login="$d/broker/kafka-client.properties"

collector() { # name, extra flags...
  local name=$1; shift
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=2 java $launcher_opts -jar "$jar" collect --interval 1s \
    --bootstrap-servers "$bs" --kafka-config "$login" --metrics-address none \
    --data-dir "$d/$name" --spool-dir "$d/$name/spool" --netns-include 'culprit-bdr-none' \
    --sources protocol,softnet "$@" >"$d/$name.out" 2>"$d/$name.err" &
  pids+=($!); eval "pid_$name=$!"
}
collector baseline
collector reasons --drop-reasons

sender=""
start_sender() { # rate: packets a second, paced per millisecond; 0 = none
  [ -n "$sender" ] && { kill "$sender"; wait "$sender" 2>/dev/null || true; sender=""; }
  [ "$1" = 0 ] && return
  python3 - "$1" 10.252.1.2 <<'PY' & sender=$!; pids+=($sender)
import socket, sys, time
rate, dst = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
batch, payload = max(1, rate // 1000), b"x" * 16
t, n = time.perf_counter(), 0
while True:
    for _ in range(batch):
        s.sendto(payload, (dst, 9))
    n += batch
    wait = t + n / rate - time.perf_counter()
    if wait > 0:
        time.sleep(wait)
PY
}
dropped() {
  ip netns exec culprit-bdr-1 iptables -nvxL INPUT | awk '$3 == "DROP" { print $1; exit }'
}
cpu() {
  [ -r "/proc/$1/stat" ] || { echo "process $1 exited during the run" >&2; exit 1; }
  awk '{ s = substr($0, index($0, ")") + 2); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"
}
rss() { awk -v k="$2" '$1 == k":" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
results="$d/results"
for rate in "${rates[@]}"; do
  start_sender "$rate"
  echo "phase: $rate drops/s asked; warm-up ${warm}s, then ${secs}s measured" >&2
  sleep "$warm"
  b0=$(cpu "$pid_baseline"); r0=$(cpu "$pid_reasons"); k0=$(dropped); t0=$(date +%s%N)
  sleep "$secs"
  b1=$(cpu "$pid_baseline"); r1=$(cpu "$pid_reasons"); k1=$(dropped); t1=$(date +%s%N)
  echo "$rate $(( k1 - k0 )) $(( t1 - t0 )) $(( b1 - b0 )) $(( r1 - r0 ))" \
    "$(rss "$pid_baseline" VmRSS) $(rss "$pid_reasons" VmRSS)" \
    "$(rss "$pid_baseline" VmHWM) $(rss "$pid_reasons" VmHWM)" >>"$results"
done
start_sender 0

# The agent with --drop-reasons must have traced (no NO_DATA for its source) for the row to count.
nodata=$(grep -c "dropreasons.*NO_DATA\|NO_DATA.*dropreasons" "$d/reasons.err" || true)
echo
echo "kernel $(uname -r), $(nproc) CPUs, load at start $load0, at end $(cut -d' ' -f1-3 /proc/loadavg);" \
  "agents: $launcher_opts, --interval 1s; dropreasons NO_DATA lines: $nodata"
echo
echo "| drops/s asked | drops/s achieved | baseline CPU ms/s | --drop-reasons CPU ms/s | ratio | RSS MiB baseline / --drop-reasons (peak) |"
echo "|---:|---:|---:|---:|---:|---|"
python3 - "$results" "$tck" <<'PY'
import sys
tck = int(sys.argv[2])
for line in open(sys.argv[1]):
    rate, drops, ns, b, r, brss, rrss, bhwm, rhwm = line.split()
    s = int(ns) / 1e9
    bms, rms = int(b) * 1000 / tck / s, int(r) * 1000 / tck / s
    print(f"| {int(rate):,} | {int(drops) / s:,.0f} | {bms:.2f} | {rms:.2f} | "
          f"{rms / bms if bms else float('nan'):.2f}x | {brss} / {rrss} ({bhwm} / {rhwm}) |")
PY
