#!/usr/bin/env bash
# Benchmark (issues 3 and 15): CPU time per second and RSS of `culprit collect` at a 1 s interval,
# side by side in one run with Prometheus node_exporter (collectors netdev, netclass, netstat,
# conntrack, qdisc only) scraped once a second; for the host namespace alone, then with extra
# namespaces (culprit-b-N, a veth each, removed at the end).
#
# Processes measured together in each phase (CPU = utime+stime+cutime+cstime from /proc/PID/stat,
# so forked tc/ip/nsenter/iptables children count; RSS from /proc/PID/status):
#   node_exporter       the baseline, scraped at 1 Hz by a client outside the measurement
#   culprit net         culprit collect --sources interface,protocol,conntrack,qdisc (its signals)
#   culprit net+metrics the same with its Prometheus endpoint on, scraped at 1 Hz by the same client
#   culprit net, Java   the same, publishing through the Java Kafka client (a setting only it has)
#   culprit default     culprit collect without --sources: every source, what a user gets
#   culprit filter      culprit collect --sources filter (node_exporter has no firewall collector)
#   culprit filter/10   the same with --firewall-every 10 (rule listings every 10th cycle)
#   culprit net forking the same as "culprit net" with --no-netlink (the ip/tc/nsenter path)
#   run loop, no Kafka  the same sources and run loop publishing nothing (CollectLoop, bench
#                       module): what of "culprit net" is the Kafka producer and spool
# The collectors publish to a `culprit broker` (its CPU is not counted: it is not on the host),
# logging in with the SASL/SCRAM login it writes beside its address (--kafka-config). Every
# collector but "net+metrics" runs with --metrics-address none: they would all want port 9464.
#
# Usage (root, Linux): bench/collector-vs-node-exporter.sh [seconds=120] [warmup=180] [extra=10]...
#   e.g. bench/collector-vs-node-exporter.sh 120 180 10 20   # phases: 0, 10 and 20 namespaces
#        bench/collector-vs-node-exporter.sh 60 120 0        # two phases of the host namespace
# Each extra count is one more phase after the host phase (0 repeats the host phase, later).
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
# The agent's jars and the bench module (CollectLoop and its class path), outside the measurement.
mvn -q -B -DskipTests -pl app,bench -am package >/dev/null
./culprit --version >/dev/null   # the launcher rebuilds only if a source is newer than the jar
tck=$(getconf CLK_TCK)
. bench/lib.sh
bench_start bench culprit-b "${counts[@]}"

# The launcher rebuilds the jar when a source file is newer: start everything from the jar it
# built, so an edit during the run cannot trigger a build under the measurement.
launcher_opts=$(sed -n 's/^  default_opts="\(.*\)"$/\1/p' culprit)
jar=app/target/culprit-collect.jar
bench_broker app/target "$d/broker"
bs=$(cat "$d/broker/bootstrap-servers")
login="$d/broker/kafka-client.properties"
# The launcher archives the agent's classes (AppCDS) from one training cycle of the agents'
# configuration, as it does on a host's first `collect` after a build.
CULPRIT_CDS=train ./culprit collect --interval 1s --bootstrap-servers "$bs" --kafka-config "$login" \
  --data-dir "$d/train" --spool-dir "$d/train/spool" --netns-include 'culprit-b-*' 2>/dev/null
launcher_opts="$launcher_opts -XX:SharedArchiveFile=app/target/culprit-collect.jsa -Xlog:cds*=off"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
port=$(free_port)
mport=$(free_port)   # the metrics endpoint of the "net+metrics" collector
"$ne" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
  --collector.netdev --collector.netclass --collector.netstat --collector.conntrack \
  --collector.qdisc >/dev/null 2>"$d/ne.err" & nepid=$!; pids+=($nepid)
# The scraper: one GET of each endpoint per wall-clock second, each counted when it answered
# (file: node_exporter's count, culprit's count); its own CPU is not measured.
python3 - "$port" "$mport" "$d/scrapes" <<'EOF' & pids+=($!)
import sys, time, urllib.request
urls = [f"http://127.0.0.1:{p}/metrics" for p in sys.argv[1:3]]; out = sys.argv[3]
n = [0, 0]
while True:
    time.sleep(1 - time.time() % 1)
    for i, url in enumerate(urls):
        try:
            urllib.request.urlopen(url, timeout=2).read(); n[i] += 1
        except Exception:
            pass
    with open(out + ".tmp", "w") as f: f.write(f"{n[0]} {n[1]}\n")
    import os; os.replace(out + ".tmp", out)
EOF

collector() { # name, --metrics-address value, extra flags...
  local name=$1 metrics=$2; shift 2
  # Only our namespaces: other namespaces on a shared machine would change the load under us.
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=2 java ${jopts:-$launcher_opts} -jar "$jar" collect --interval 1s \
    --bootstrap-servers "$bs" --kafka-config "$login" --metrics-address "$metrics" \
    --data-dir "$d/$name" --spool-dir "$d/$name/spool" --netns-include 'culprit-b-*' "$@" \
    >/dev/null 2>"$d/$name.err" &
  pids+=($!); eval "pid_$name=$!"
}
net_sources=interface,protocol,conntrack,qdisc
collector net none --sources "$net_sources"
collector metrics "127.0.0.1:$mport" --sources "$net_sources"
# A setting only the Java Kafka client has: the same agent, publishing through kafka-clients.
collector javaclient none --sources "$net_sources" \
  --producer-property client.dns.lookup=use_all_dns_ips
collector default none
collector filter none --sources filter
collector filter10 none --sources filter --firewall-every 10
collector fork none --sources "$net_sources" --no-netlink
# Its spool directory (unused: it publishes nothing) goes to java.io.tmpdir: keep it in $d.
mkdir -p "$d/loop-tmp"
# shellcheck disable=SC2086
MALLOC_ARENA_MAX=2 java ${jopts:-$launcher_opts} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Djava.io.tmpdir="$d/loop-tmp" -cp "bench/target/classes:$(cat bench/target/bench.classpath)" \
  dev.culprit.bench.collector.CollectLoop publisher=none "sources=$net_sources" \
  'netns=culprit-b-*' >/dev/null 2>"$d/loop.err" & pids+=($!); pid_loop=$!

# Which client carries each agent's records: the built-in one (SASL/SCRAM over plain TCP) says
# nothing, the Java client says why it was chosen. A wrong one would measure the other row.
transport_check() {
  local deadline=$((SECONDS + 120)) n
  for n in net metrics javaclient default filter filter10 fork; do
    until grep -q "culprit collect: publishing to" "$d/$n.err" 2>/dev/null; do
      [ "$SECONDS" -lt "$deadline" ] || { echo "collector $n did not start within 120 s" >&2; exit 1; }
      sleep 0.2
    done
  done
  grep -q "the Java client carries the records" "$d/javaclient.err" \
    || { echo "the Java-client collector is not on the Java client" >&2; exit 1; }
  for n in net metrics default filter filter10 fork; do
    if grep -q "the Java client carries the records" "$d/$n.err"; then
      echo "collector $n publishes through the Java client, not the built-in one:" >&2
      grep "the Java client carries" "$d/$n.err" >&2
      exit 1
    fi
  done
}
started=$SECONDS
transport_check
load0=$(cut -d' ' -f1-3 /proc/loadavg)

cpu() {
  if [ ! -r "/proc/$1/stat" ]; then
    echo "process $1 exited during the run (its stderr follows)" >&2
    exit 1
  fi
  awk '{ s = substr($0, index($0, ")") + 2); split(s, f, " "); print f[12] + f[13] + f[14] + f[15] }' "/proc/$1/stat"
}
rss() { awk -v k="$2" '$1 == k":" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

add_namespaces() { # from, to
  for i in $(seq "$1" "$2"); do bench_namespace culprit-b cub 251 "$i" "$rules"; done
}

names=(ne net metrics javaclient default filter filter10 fork loop)
declare -A pid=([ne]=$nepid [net]=$pid_net [metrics]=$pid_metrics [javaclient]=$pid_javaclient
  [default]=$pid_default [filter]=$pid_filter [filter10]=$pid_filter10 [fork]=$pid_fork
  [loop]=$pid_loop)
have=0
results="$d/results"
for count in "${counts[@]}"; do
  [ "$count" -gt "$have" ] && add_namespaces $((have + 1)) "$count" && have=$count
  echo "phase: host + $count extra namespaces; warm-up ${warm}s, then ${secs}s measured" >&2
  sleep "$warm"
  declare -A c0=(); for n in "${names[@]}"; do c0[$n]=$(cpu "${pid[$n]}"); done
  read -r s0 m0 <"$d/scrapes"; t0=$(date +%s%N)
  sleep "$secs"
  t1=$(date +%s%N); read -r s1 m1 <"$d/scrapes"
  for n in "${names[@]}"; do
    c1=$(cpu "${pid[$n]}")
    case $n in ne) scrapes=$(( s1 - s0 ));; metrics) scrapes=$(( m1 - m0 ));; *) scrapes=0;; esac
    echo "$count $n $(( c1 - c0[$n] )) $(( t1 - t0 )) $scrapes $(rss "${pid[$n]}" VmRSS) $(rss "${pid[$n]}" VmHWM) $(( SECONDS - started ))" >>"$results"
  done
done

# Did the agents reach the broker? The endpoint's spool backlog and publish errors, and every
# agent's warnings (a refused login or an unreachable broker would be there).
delivery=$(curl -fsS "http://127.0.0.1:$mport/metrics" \
  | awk '/^culprit_collector_(spool_records|publish_errors_total|cycles_total)[ {]/ { printf "%s ", $0 }' \
  || true)
warnings=$(for n in net metrics javaclient default filter filter10 fork; do
  printf '%s %s; ' "$n" "$(grep -c -E 'WARN|ERROR' "$d/$n.err" || true)"; done)

echo
echo "node_exporter $("$ne" --version 2>&1 | head -1 | awk '{print $3}'), kernel $(uname -r), $(nproc) CPUs, load at start $load0, at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "collector JVMs: ${jopts:-$launcher_opts} (MALLOC_ARENA_MAX=2)"
echo "net+metrics endpoint at the end: ${delivery:-no answer}"
echo "WARN/ERROR lines per agent: $warnings"
echo
echo "| extra netns | process | CPU ms/s | ratio to node_exporter | ms per cycle/scrape | RSS MiB (peak) | s after start |"
echo "|---:|---|---:|---:|---:|---:|---:|"
python3 - "$results" "$tck" <<'EOF'
import sys
tck = int(sys.argv[2]); rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
label = {"ne": "node_exporter", "net": "culprit net (netlink)",
         "metrics": "culprit net + metrics endpoint (scraped at 1 Hz)",
         "javaclient": "culprit net, Java Kafka client",
         "default": "culprit default sources",
         "filter": "culprit filter", "filter10": "culprit filter, every 10th cycle",
         "fork": "culprit net (--no-netlink)", "loop": "run loop, no Kafka"}
by = {}
for count, name, ticks, ns, scrapes, rss, hwm, after in rows:
    secs = int(ns) / 1e9
    ms_per_s = int(ticks) * 1000 / tck / secs
    by[(count, name)] = ms_per_s
    per = int(ticks) * 1000 / tck / (int(scrapes) if name == "ne" else secs)
    base = by.get((count, "ne"))
    ratio = f"{ms_per_s / base:.2f}" if base and name != "ne" else "1.00"
    note = f" ({scrapes} scrapes in {secs:.0f} s)" if name in ("ne", "metrics") else ""
    print(f"| {count} | {label[name]}{note} | {ms_per_s:.2f} | {ratio} | {per:.2f} | {rss} ({hwm}) | {after} |")
counts = sorted({int(c) for c, _ in by})
if len(counts) > 1:
    lo, hi = str(counts[0]), str(counts[-1])
    print()
    for name in label:
        grow = (by[(hi, name)] - by[(lo, name)]) / (int(hi) - int(lo))
        print(f"- {label[name]}: +{grow:.3f} ms/s per extra namespace")
EOF
