#!/usr/bin/env bash
# Benchmark (issue 17 §2): the agent with its DEFAULT sources at a node's scale, side by side in
# one run with Prometheus node_exporter: the host namespace plus 0, 10, 50, 100 extra namespaces
# (culprit-b-N, a veth each; BENCH_RULES=mesh gives each the 20 nat-table rules of a service
# mesh's init container, 1 one filter rule, 0 none) and a node's containers (BENCH_CONTAINERS,
# default 100: cgroups laid out as Docker's cgroupfs driver does, memory + cpu limits, one process
# each; no engine), present in every phase.
#
# Processes measured together in each phase (CPU = utime+stime+cutime+cstime from /proc/PID/stat,
# so forked iptables-nft-save/nft children count; RSS from /proc/PID/status):
#   ne1        node_exporter (netdev, netclass, netstat, conntrack, qdisc), scraped once a second
#   ne5        the same, scraped every 5 s (the agent's default interval)
#   default1   culprit collect, default sources, --interval 1s
#   default5   culprit collect, default sources, default interval (5 s)
#   filter1    culprit collect --sources filter --interval 1s (node_exporter has no counterpart)
# At the end of each phase every agent's metrics endpoint is read once (cycles, overruns, skipped
# cycles, last cycle's duration): a cycle longer than its interval, or one that ended past the next
# tick (which is then skipped), is counted there.
# After the last phase, the container source against raw reads of the same cgroup files in one
# JVM (ContainerSourceBench with the cgroups made here).
#
# Usage (root, Linux): bench/agent-at-node-scale.sh [seconds=60] [warmup=120] [extra=10 50 100]...
#   e.g. bench/agent-at-node-scale.sh 60 120 10 50 100            # 0, 10, 50, 100 namespaces
#        BENCH_RULES=mesh bench/agent-at-node-scale.sh 60 120 10 50 100
# The agents run as the launcher runs `collect` (its JVM flags and trained AppCDS archive), and
# sample only the host and culprit-b-* (--netns-include). Namespaces and cgroups are removed on
# every exit (trap), also on SIGINT/SIGTERM.
# Env: NODE_EXPORTER (default /usr/bin/prometheus-node-exporter), BENCH_RULES (0, 1, mesh; default
# 0), BENCH_CONTAINERS (default 100), BENCH_JAVA_OPTS (collector JVMs; default: the launcher's),
# BENCH_BASELINE_JAR (another build's culprit-collect.jar, e.g. of a worktree at an earlier commit:
# it runs as a sixth process, base5, default sources at 5 s, with its own trained archive, so a
# change is measured against the build before it in the same run).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"; warm="${2:-120}"; shift $(( $# < 2 ? $# : 2 ))
if [ $# -eq 0 ]; then counts=(0 10 50 100); else counts=(0 "$@"); fi
ne="${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}"
rules="${BENCH_RULES:-0}"
containers="${BENCH_CONTAINERS:-100}"
jopts="${BENCH_JAVA_OPTS:-}"
[ "$(id -u)" = 0 ] || { echo "run as root (namespaces, cgroups, iptables)" >&2; exit 1; }
[ -x "$ne" ] || { echo "no node_exporter at $ne" >&2; exit 1; }
mvn -q -B -DskipTests -pl app,bench -am package >/dev/null
./culprit --version >/dev/null
tck=$(getconf CLK_TCK)
. bench/lib.sh
bench_start node-scale culprit-b "${counts[@]}"
bench_containers "$containers"

launcher_opts=$(sed -n 's/^  default_opts="\(.*\)"$/\1/p' culprit)
jar=app/target/culprit-collect.jar
bench_broker app/target "$d/broker"
bs=$(cat "$d/broker/bootstrap-servers")
login="$d/broker/kafka-client.properties"
CULPRIT_CDS=train ./culprit collect --interval 1s --bootstrap-servers "$bs" --kafka-config "$login" \
  --data-dir "$d/train" --spool-dir "$d/train/spool" --netns-include 'culprit-b-*' 2>/dev/null
base_opts="$launcher_opts"
launcher_opts="$launcher_opts -XX:SharedArchiveFile=app/target/culprit-collect.jsa -Xlog:cds*=off"
basejar="${BENCH_BASELINE_JAR:-}"
if [ -n "$basejar" ]; then
  [ -f "$basejar" ] || { echo "no baseline jar $basejar" >&2; exit 1; }
  # The baseline's archive, trained as the launcher trains one: a cycle with --once.
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=2 timeout 120 java $base_opts -XX:ArchiveClassesAtExit="$d/base.jsa" -Xlog:cds*=off \
    -jar "$basejar" collect --interval 1s --bootstrap-servers "$bs" --kafka-config "$login" \
    --data-dir "$d/basetrain" --spool-dir "$d/basetrain/spool" --netns-include 'culprit-b-*' --once \
    >/dev/null 2>&1 || true
  [ -s "$d/base.jsa" ] || { echo "the baseline's training run made no archive" >&2; exit 1; }
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
port1=$(free_port); port5=$(free_port)
for p in "$port1" "$port5"; do
  "$ne" --web.listen-address="127.0.0.1:$p" --collector.disable-defaults \
    --collector.netdev --collector.netclass --collector.netstat --collector.conntrack \
    --collector.qdisc >/dev/null 2>"$d/ne-$p.err" & pids+=($!)
  [ "$p" = "$port1" ] && pid_ne1=$! || pid_ne5=$!
done
# The scraper: node_exporter ne1 every wall-clock second, ne5 every fifth; counts what answered.
python3 - "$port1" "$port5" "$d/scrapes" <<'EOF' & pids+=($!)
import os, sys, time, urllib.request
p1, p5, out = sys.argv[1], sys.argv[2], sys.argv[3]
n = [0, 0]
while True:
    time.sleep(1 - time.time() % 1)
    for i, p in enumerate((p1, p5)):
        if i == 1 and int(time.time()) % 5:
            continue
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{p}/metrics", timeout=4).read(); n[i] += 1
        except Exception:
            pass
    with open(out + ".tmp", "w") as f: f.write(f"{n[0]} {n[1]}\n")
    os.replace(out + ".tmp", out)
EOF

declare -A mport=()
collector() { # name, flags...
  local name=$1; shift
  mport[$name]=$(free_port)
  local j=$jar o=${jopts:-$launcher_opts}
  if [ "$name" = base5 ]; then
    j=$basejar o="${jopts:-$base_opts -XX:SharedArchiveFile=$d/base.jsa -Xlog:cds*=off}"
  fi
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=2 java $o -jar "$j" collect \
    --bootstrap-servers "$bs" --kafka-config "$login" --metrics-address "127.0.0.1:${mport[$name]}" \
    --data-dir "$d/$name" --spool-dir "$d/$name/spool" --netns-include 'culprit-b-*' "$@" \
    >/dev/null 2>"$d/$name.err" &
  pids+=($!); eval "pid_$name=$!"
}
collector default1 --interval 1s
collector default5
collector filter1 --interval 1s --sources filter
agents=(default1 default5 filter1)
if [ -n "$basejar" ]; then collector base5; agents+=(base5); fi
deadline=$((SECONDS + 120))
for n in "${agents[@]}"; do
  until grep -q "culprit collect: publishing to" "$d/$n.err" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "collector $n did not start within 120 s" >&2; exit 1; }
    sleep 0.2
  done
done
started=$SECONDS
load0=$(cut -d' ' -f1-3 /proc/loadavg)

cpu() {
  [ -r "/proc/$1/stat" ] || { echo "process $1 exited during the run" >&2; exit 1; }
  awk '{ s = substr($0, index($0, ")") + 2); split(s, f, " "); print f[12] + f[13] + f[14] + f[15] }' "/proc/$1/stat"
}
rss() { awk -v k="$2" '$1 == k":" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
# name: cycles, overruns + skipped cycles, last cycle's seconds, from the agent's endpoint
agent_metrics() {
  curl -fsS "http://127.0.0.1:${mport[$1]}/metrics" | awk '
    $1 == "culprit_collector_cycles_total" { c = $2 }
    $1 == "culprit_collector_cycle_overruns_total" { o += $2 }
    $1 == "culprit_collector_skipped_cycles_total" { o += $2 }
    $1 == "culprit_collector_cycle_duration_seconds" { s = $2 }
    END { printf "%d %d %.3f", c, o, s }'
}

names=(ne1 ne5 default1 default5 filter1)
declare -A pid=([ne1]=$pid_ne1 [ne5]=$pid_ne5 [default1]=$pid_default1 [default5]=$pid_default5
  [filter1]=$pid_filter1)
if [ -n "$basejar" ]; then names+=(base5); pid[base5]=$pid_base5; fi
have=0
results="$d/results"
for count in "${counts[@]}"; do
  if [ "$count" -gt "$have" ]; then
    for i in $(seq $((have + 1)) "$count"); do bench_namespace culprit-b cub 251 "$i" "$rules"; done
    have=$count
  fi
  echo "phase: host + $count extra namespaces, $containers containers; warm-up ${warm}s, then ${secs}s measured" >&2
  sleep "$warm"
  declare -A c0=() m0=(); for n in "${names[@]}"; do c0[$n]=$(cpu "${pid[$n]}"); done
  for n in "${agents[@]}"; do m0[$n]=$(agent_metrics "$n"); done
  read -r s0 f0 <"$d/scrapes"; t0=$(date +%s%N)
  sleep "$secs"
  t1=$(date +%s%N); read -r s1 f1 <"$d/scrapes"
  for n in "${names[@]}"; do
    c1=$(cpu "${pid[$n]}")
    case $n in
      ne1) extra="$(( s1 - s0 )) 0 0 0";;
      ne5) extra="$(( f1 - f0 )) 0 0 0";;
      *) read -r cy0 ov0 _ <<<"${m0[$n]}"; read -r cy1 ov1 last <<<"$(agent_metrics "$n")"
         extra="$(( cy1 - cy0 )) $(( ov1 - ov0 )) $ov1 $last";;
    esac
    echo "$count $n $(( c1 - c0[$n] )) $(( t1 - t0 )) $extra $(rss "${pid[$n]}" VmRSS) $(rss "${pid[$n]}" VmHWM) $(( SECONDS - started ))" >>"$results"
  done
done
warnings=$(for n in "${agents[@]}"; do
  printf '%s %s; ' "$n" "$(grep -c -E 'WARN|ERROR' "$d/$n.err" || true)"; done)
# Keep the agents' logs of the run for a look afterwards (the directory goes).
mkdir -p /tmp/culprit-node-scale-logs && cp "$d"/*.err /tmp/culprit-node-scale-logs/ 2>/dev/null || true
load1=$(cut -d' ' -f1-3 /proc/loadavg)
# The measured processes stop before the container-source bench, which runs alone.
for p in "${pid[@]}"; do kill "$p" 2>/dev/null || true; done
for p in "${pid[@]}"; do wait "$p" 2>/dev/null || true; done
cs=$(bench/run ContainerSourceBench 0 200 /culprit-bench-cg/docker 2>/dev/null || echo "ContainerSourceBench failed")

echo
echo "node_exporter $("$ne" --version 2>&1 | head -1 | awk '{print $3}'), kernel $(uname -r), $(nproc) CPUs, rules per namespace: $rules, containers: $containers, load at start $load0, at end $load1"
echo "collector JVMs: ${jopts:-$launcher_opts} (MALLOC_ARENA_MAX=2)"
echo "WARN/ERROR lines per agent: $warnings"
echo
echo "| extra netns | process | CPU ms/s | ratio to node_exporter | cycles (scrapes) | overruns + skipped (total) | last cycle s | RSS MiB (peak) | s after start |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
python3 - "$results" "$tck" <<'EOF'
import sys
tck = int(sys.argv[2]); rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
label = {"ne1": "node_exporter, scraped every 1 s", "ne5": "node_exporter, scraped every 5 s",
         "default1": "culprit default sources, 1 s", "default5": "culprit default sources, 5 s (default)",
         "filter1": "culprit filter only, 1 s",
         "base5": "culprit default sources, 5 s, baseline build (BENCH_BASELINE_JAR)"}
base = {"default1": "ne1", "default5": "ne5", "filter1": "ne1", "base5": "ne5"}
by = {}
for count, name, ticks, ns, cycles, over, overall, last, rss, hwm, after in rows:
    ms_per_s = int(ticks) * 1000 / tck / (int(ns) / 1e9)
    by[(count, name)] = ms_per_s
    b = by.get((count, base.get(name)))
    ratio = f"{ms_per_s / b:.2f}" if b and name in base else "1.00"
    ov = f"{over} ({overall})" if name in base else ""
    ls = last if name in base else ""
    print(f"| {count} | {label[name]} | {ms_per_s:.2f} | {ratio} | {cycles} | {ov} | {ls} | {rss} ({hwm}) | {after} |")
counts = sorted({int(c) for c, _ in by})
if len(counts) > 1:
    print()
    for name in [n for n in label if (str(counts[0]), n) in by]:
        steps = []
        for lo, hi in zip(counts, counts[1:]):
            steps.append(f"{lo}→{hi}: {(by[(str(hi), name)] - by[(str(lo), name)]) / (hi - lo):+.3f}")
        whole = (by[(str(counts[-1]), name)] - by[(str(counts[0]), name)]) / (counts[-1] - counts[0])
        print(f"- {label[name]}: {whole:+.3f} ms/s per extra namespace ({', '.join(steps)})")
EOF
echo
echo "container source against raw reads of the same cgroup files (ContainerSourceBench, alone):"
echo "$cs"
