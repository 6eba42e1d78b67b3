#!/usr/bin/env bash
# Memory and GC at a node's scale, two builds of the agent side by side (issue 17 §2): the jar
# BASE (e.g. one built from an earlier commit) and app/target/culprit-collect.jar on N namespaces
# (RULES: mesh, 1 or 0) and 100 containers, plus the latter sampling the host namespace only;
# each with its own trained class-data archive and the launcher's flags. Prints RSS every 30 s, then
# CPU, heap and RSS split per agent; AB_EXTRA adds JVM flags to all three (NMT, a GC log), and the
# NMT summaries and class histograms are left in OUT. BASE_EXTRA adds JVM flags to the BASE agent
# alone (with BASE=app/target/culprit-collect.jar: an A/B of the flags).
# Usage (root): BASE=/path/culprit-collect.jar [N=100] [RULES=mesh] [WARM=240] [SECS=120]
#   [OUT=/tmp/culprit-ab-out] [BASE_EXTRA=...] bench/agent-ab.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
: "${BASE:?set BASE to the path of the other build of culprit-collect.jar}"
OUT=${OUT:-/tmp/culprit-ab-out}; mkdir -p "$OUT"
N=${N:-100}; WARM=${WARM:-240}; SECS=${SECS:-120}; RULES=${RULES:-mesh}
bench_start ab culprit-b "$N"
[ -f app/target/culprit-collect.jar ] || mvn -q -B -DskipTests -pl app -am package >/dev/null
bench_containers 100
for i in $(seq 1 "$N"); do bench_namespace culprit-b cub 251 "$i" "$RULES"; done
opts=$(sed -n 's/^  default_opts="\(.*\)"$/\1/p' culprit)
bench_broker app/target "$d/broker"
bs=$(cat "$d/broker/bootstrap-servers"); login="$d/broker/kafka-client.properties"
mkdir -p "$d/base" "$d/new"
cp "$BASE" "$d/base/culprit-collect.jar"; cp app/target/culprit-collect.jar "$d/new/"
for v in base new; do
  rm -f $d/$v/culprit-collect.jsa
  timeout 120 java $opts -XX:ArchiveClassesAtExit=$d/$v/culprit-collect.jsa -Xlog:cds*=off -jar $d/$v/culprit-collect.jar collect --interval 1s \
    --bootstrap-servers "$bs" --kafka-config "$login" --data-dir "$d/train-$v" --spool-dir "$d/train-$v/spool" --netns-include 'culprit-b-*' --once >/dev/null 2>&1 || true
done
declare -A P
start() { # name jar include extra...
  local name=$1 v=$2 inc=$3 own=""; shift 3
  [ "$name" = base ] && own=${BASE_EXTRA:-}
  MALLOC_ARENA_MAX=2 java $opts $own -XX:SharedArchiveFile=$d/$v/culprit-collect.jsa -Xlog:cds*=off ${AB_EXTRA:-} -jar $d/$v/culprit-collect.jar collect \
    --bootstrap-servers "$bs" --kafka-config "$login" --data-dir "$d/$name" --spool-dir "$d/$name/spool" \
    --netns-include "$inc" "$@" >/dev/null 2>"$OUT/$name.err" &
  pids+=($!); P[$name]=$!
}
start base base 'culprit-b-*' --interval ${IVL:-1s}
start new new 'culprit-b-*' --interval ${IVL:-1s}
start newhost new 'culprit-none-*' --interval ${IVL:-1s}
echo "started ${!P[*]} ${P[*]} at $(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg)"
cpu() { awk '{ s = substr($0, index($0, ")") + 2); split(s, f, " "); print f[12] + f[13] + f[14] + f[15] }' "/proc/$1/stat"; }
rss() { awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
sleep "$WARM"
declare -A c0; for n in "${!P[@]}"; do c0[$n]=$(cpu ${P[$n]}); done; t0=$(date +%s%N)
for s in $(seq 1 $((SECS / 30))); do sleep 30; echo "t+$((s*30))s: $(for n in base new newhost; do printf '%s %s MiB  ' $n $(rss ${P[$n]}); done)"; done
t1=$(date +%s%N)
for n in base new newhost; do
  c1=$(cpu ${P[$n]})
  echo "$n: CPU $(python3 -c "print(round(($c1-${c0[$n]})*10/(($t1-$t0)/1e9),2))") ms/s, RSS $(rss ${P[$n]}) MiB (HWM $(awk '$1=="VmHWM:"{printf "%.1f",$2/1024}' /proc/${P[$n]}/status)), threads $(ls /proc/${P[$n]}/task | wc -l)"
  jcmd ${P[$n]} GC.heap_info 2>/dev/null | grep -E "tenured|def new" | sed "s/^/  $n /"
  if [ -n "${AB_EXTRA:-}" ]; then jcmd ${P[$n]} VM.native_memory summary > "$OUT/nmt-$n.txt" 2>&1 || true; fi
  jcmd ${P[$n]} GC.class_histogram > "$OUT/histo-$n.txt" 2>&1 || true
  grep -E "^(RssAnon|RssFile)" /proc/${P[$n]}/status | tr '\n' ' ' | sed "s/^/  $n /"; echo
done
echo "load at end $(cut -d' ' -f1-3 /proc/loadavg)"
