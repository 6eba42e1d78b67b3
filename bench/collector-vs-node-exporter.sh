#!/usr/bin/env bash
# Benchmark (issue 3): CPU time per second and RSS of `culprit collect` at a 1 s interval, side by
# side in one run with Prometheus node_exporter (collectors netdev, netclass, netstat, conntrack,
# qdisc only) scraped once a second; for the host namespace alone, then with extra namespaces
# (culprit-b-N, a veth each, removed at the end).
#
# Processes measured together in each phase (CPU = utime+stime+cutime+cstime from /proc/PID/stat,
# so forked tc/ip/nsenter/iptables children count; RSS from /proc/PID/status):
#   node_exporter       the baseline, scraped at 1 Hz by a client outside the measurement
#   culprit net         culprit collect --sources interface,protocol,conntrack,qdisc (its signals)
#   culprit net, Java   the same, publishing through the Java Kafka client (a setting only it has)
#   culprit filter      culprit collect --sources filter (node_exporter has no firewall collector)
#   culprit filter/10   the same with --firewall-every 10 (rule listings every 10th cycle)
#   culprit net forking the same as "culprit net" with --no-netlink (the ip/tc/nsenter path)
#   run loop, no Kafka  the same sources and run loop publishing nothing (CollectLoop, test
#                       classes): what of "culprit net" is the Kafka producer and spool
# The collectors publish to a `culprit broker` (its CPU is not counted: it is not on the host).
#
# Usage (root, Linux): bench/collector-vs-node-exporter.sh [seconds=120] [warmup=180] [extra=10]...
#   e.g. bench/collector-vs-node-exporter.sh 120 180 10 20   # phases: 0, 10 and 20 namespaces
# The warm-up lets the JIT settle: at one cycle a second, C1 compiles the per-cycle code only
# after about two minutes.
# Env: NODE_EXPORTER (default /usr/bin/prometheus-node-exporter), BENCH_JAVA_OPTS (collector JVMs;
# default: the launcher's for `collect`), BENCH_RULES=0 to leave the extra namespaces without the
# one iptables rule each gets by default (what the filter source then has to list).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-120}"; warm="${2:-180}"; shift $(( $# < 2 ? $# : 2 ))
counts=(0 "${@:-10}")
ne="${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}"
rules="${BENCH_RULES:-1}"
# Empty: the launcher's own defaults for `culprit collect` (what a user gets).
jopts="${BENCH_JAVA_OPTS:-}"
[ "$(id -u)" = 0 ] || { echo "run as root (namespaces, nsenter, iptables)" >&2; exit 1; }
[ -x "$ne" ] || { echo "no node_exporter at $ne" >&2; exit 1; }
./culprit --version >/dev/null   # builds the jar once, outside the measurement
mvn -q -B -pl collector -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
tck=$(getconf CLK_TCK)
d=$(mktemp -d /tmp/culprit-bench-XXXXXX)
pids=()
maxns=0; for c in "${counts[@]}"; do [ "$c" -gt "$maxns" ] && maxns=$c; done

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for i in $(seq 1 "$maxns"); do ip netns del "culprit-b-$i" 2>/dev/null || true; done
  rm -rf "$d"
}
trap cleanup EXIT

# The launcher rebuilds the jar when a source file is newer: start everything from the jar it
# built, so an edit during the run cannot trigger a build under the measurement.
launcher_opts=$(sed -n 's/^  default_opts="\(.*\)"$/\1/p' culprit)
# The launcher archives the agent's classes (AppCDS) on its first `collect` after a build.
./culprit collect --help >/dev/null
[ -f app/target/culprit-collect.jsa ] && \
  launcher_opts="$launcher_opts -XX:SharedArchiveFile=app/target/culprit-collect.jsa -Xlog:cds*=off"
jar=app/target/culprit-collect.jar
java -XX:+UseSerialGC -Xmx768m -jar app/target/culprit.jar broker --port 0 --data-dir "$d/broker" >/dev/null 2>"$d/broker.err" & pids+=($!)
until [ -f "$d/broker/bootstrap-servers" ]; do sleep 0.1; done
bs=$(cat "$d/broker/bootstrap-servers")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ne" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
  --collector.netdev --collector.netclass --collector.netstat --collector.conntrack \
  --collector.qdisc >/dev/null 2>"$d/ne.err" & nepid=$!; pids+=($nepid)
# The scraper: one GET per wall-clock second, counted; its own CPU is not measured.
python3 - "$port" "$d/scrapes" <<'EOF' & pids+=($!)
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/metrics"; out = sys.argv[2]; n = 0
while True:
    time.sleep(1 - time.time() % 1)
    try:
        urllib.request.urlopen(url, timeout=2).read(); n += 1
    except Exception:
        pass
    with open(out, "w") as f: f.write(str(n))
EOF

collector() { # name, extra flags...
  local name=$1; shift
  # Only our namespaces: other namespaces on a shared machine would change the load under us.
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=2 java ${jopts:-$launcher_opts} -jar "$jar" collect --interval 1s --bootstrap-servers "$bs" \
    --data-dir "$d/$name" --spool-dir "$d/$name/spool" --netns-include 'culprit-b-*' "$@" \
    >/dev/null 2>"$d/$name.err" &
  pids+=($!); eval "pid_$name=$!"
}
collector net --sources interface,protocol,conntrack,qdisc
# A setting only the Java Kafka client has: the same agent, publishing through kafka-clients.
collector javaclient --sources interface,protocol,conntrack,qdisc \
  --producer-property client.dns.lookup=use_all_dns_ips
collector filter --sources filter
collector filter10 --sources filter --firewall-every 10
collector fork --sources interface,protocol,conntrack,qdisc --no-netlink
# shellcheck disable=SC2086
MALLOC_ARENA_MAX=2 java ${jopts:-$launcher_opts} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "collector/target/test-classes:collector/target/classes:$(cat collector/target/test-classpath.txt)" \
  dev.culprit.bench.collector.CollectLoop publisher=none 'netns=culprit-b-*' \
  >/dev/null 2>"$d/loop.err" & pids+=($!); pid_loop=$!

cpu() {
  if [ ! -r "/proc/$1/stat" ]; then
    keep=$(mktemp -d /tmp/culprit-bench-logs-XXXXXX)
    cp "$d"/*.err "$keep"/ 2>/dev/null || true
    echo "process $1 exited during the run; stderr of every process kept in $keep" >&2
    exit 1
  fi
  awk '{ s = substr($0, index($0, ")") + 2); split(s, f, " "); print f[12] + f[13] + f[14] + f[15] }' "/proc/$1/stat"
}
rss() { awk -v k="$2" '$1 == k":" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

add_namespaces() { # from, to
  for i in $(seq "$1" "$2"); do
    ip netns add "culprit-b-$i"
    ip link add "cub-$i-h" type veth peer name "cub-$i-n"
    ip link set "cub-$i-n" netns "culprit-b-$i"
    ip -n "culprit-b-$i" addr add "10.251.$i.2/24" dev "cub-$i-n"
    ip -n "culprit-b-$i" link set lo up
    ip -n "culprit-b-$i" link set "cub-$i-n" up
    ip addr add "10.251.$i.1/24" dev "cub-$i-h"
    ip link set "cub-$i-h" up
    if [ "$rules" = 1 ]; then
      # One iptables rule: the namespace then holds an iptables-nft table to list every cycle.
      ip netns exec "culprit-b-$i" iptables -A INPUT -p tcp --dport 9 -j DROP
    fi
  done
}

names=(ne net javaclient filter filter10 fork loop)
declare -A label=([ne]="node_exporter (netdev, netclass, netstat, conntrack, qdisc)"
  [net]="culprit collect: interface, protocol, conntrack, qdisc (netlink)"
  [javaclient]="the same, publishing through the Java Kafka client"
  [filter]="culprit collect: filter only"
  [filter10]="culprit collect: filter only, --firewall-every 10"
  [fork]="culprit collect: interface, protocol, conntrack, qdisc (--no-netlink)"
  [loop]="run loop with the same sources, publishing nothing")
declare -A pid=([ne]=$nepid [net]=$pid_net [javaclient]=$pid_javaclient [filter]=$pid_filter [filter10]=$pid_filter10
  [fork]=$pid_fork [loop]=$pid_loop)
have=0
results="$d/results"
for count in "${counts[@]}"; do
  [ "$count" -gt "$have" ] && add_namespaces $((have + 1)) "$count" && have=$count
  echo "phase: host + $count extra namespaces; warm-up ${warm}s, then ${secs}s measured" >&2
  sleep "$warm"
  declare -A c0=(); for n in "${names[@]}"; do c0[$n]=$(cpu "${pid[$n]}"); done
  s0=$(cat "$d/scrapes"); t0=$(date +%s%N)
  sleep "$secs"
  t1=$(date +%s%N); s1=$(cat "$d/scrapes")
  for n in "${names[@]}"; do
    c1=$(cpu "${pid[$n]}")
    echo "$count $n $(( c1 - c0[$n] )) $(( t1 - t0 )) $(( s1 - s0 )) $(rss "${pid[$n]}" VmRSS) $(rss "${pid[$n]}" VmHWM)" >>"$results"
  done
done

echo
echo "node_exporter $("$ne" --version 2>&1 | head -1 | awk '{print $3}'), kernel $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "collector JVMs: ${jopts:-$launcher_opts} (MALLOC_ARENA_MAX=2)"
echo
echo "| extra netns | process | CPU ms/s | ratio to node_exporter | ms per cycle/scrape | RSS MiB (peak) |"
echo "|---:|---|---:|---:|---:|---:|"
python3 - "$results" "$tck" <<'EOF'
import sys
tck = int(sys.argv[2]); rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
label = {"ne": "node_exporter", "net": "culprit net (netlink)",
         "javaclient": "culprit net, Java Kafka client", "filter": "culprit filter",
         "filter10": "culprit filter, every 10th cycle",
         "fork": "culprit net (--no-netlink)", "loop": "run loop, no Kafka"}
by = {}
for count, name, ticks, ns, scrapes, rss, hwm in rows:
    secs = int(ns) / 1e9
    ms_per_s = int(ticks) * 1000 / tck / secs
    by[(count, name)] = ms_per_s
    per = int(ticks) * 1000 / tck / (int(scrapes) if name == "ne" else secs)
    base = by.get((count, "ne"))
    ratio = f"{ms_per_s / base:.2f}" if base and name != "ne" else "1.00"
    print(f"| {count} | {label[name]} | {ms_per_s:.2f} | {ratio} | {per:.2f} | {rss} ({hwm}) |")
counts = sorted({int(c) for c, _ in by})
if len(counts) > 1:
    lo, hi = str(counts[0]), str(counts[-1])
    print()
    for name in ("ne", "net", "javaclient", "filter", "filter10", "fork", "loop"):
        grow = (by[(hi, name)] - by[(lo, name)]) / (int(hi) - int(lo))
        print(f"- {label[name]}: +{grow:.3f} ms/s per extra namespace")
EOF
