#!/usr/bin/env bash
# Benchmark (issue 17 §3): what the samples cost on the Kafka log — bytes per namespace per cycle,
# per sample topic and in total — as the real agent writes them to a real broker.
#
# Starts a `culprit broker` (its own data dir, a free port), adds EXTRA namespaces culprit-l-N (a
# veth each with an address, and one iptables rule, so that the interface, qdisc and filter sources
# have something to say), runs `culprit collect --interval 1s` with the default sources for the
# host namespace and those (--netns-include 'culprit-l-*': other namespaces on a shared machine
# would change the count) for about CYCLES cycles, stops it (it flushes its spool), and then reads
# the broker's log segments (*.log of every culprit.samples.* partition) record batch by record
# batch: bytes on disk, batches, records. Cycles = records on culprit.samples.collector (one
# health record per cycle); namespaces = 1 + EXTRA.
#
#   bytes/ns/cycle (topic) = bytes of the topic's segments / cycles / namespaces
#
# The host namespace's share depends on the machine (how many interfaces and qdiscs it has).
#
# Usage (root, Linux): bench/bytes-on-the-log.sh [cycles=60] [extra=4]...
#   e.g. bench/bytes-on-the-log.sh 60 0 4 9   # three runs: 1, 5 and 10 namespaces
# Each EXTRA is one run with a fresh broker. Env: BENCH_AGENT_ARGS, more `collect` flags (e.g.
# "--producer-property compression.type=none"); BENCH_JARS, a directory with a culprit.jar and a
# culprit-collect.jar to run instead of building app/target's (e.g. copies of an older build, to
# compare before and after while the sources change).
set -euo pipefail
cd "$(dirname "$0")/.."
cycles="${1:-60}"; shift || true
counts=("${@:-4}")
[ "$(id -u)" = 0 ] || { echo "run as root (namespaces)" >&2; exit 1; }
jars="${BENCH_JARS:-app/target}"
[ -n "${BENCH_JARS:-}" ] || mvn -q -B -DskipTests -pl app -am package >/dev/null
. bench/lib.sh
bench_start bytes culprit-l "${counts[@]}"

have=0
add_namespaces() { # up to
  for i in $(seq $((have + 1)) "$1"); do bench_namespace culprit-l cul 252 "$i" 1; done
  have=$1
}

for extra in "${counts[@]}"; do
  [ "$extra" -gt "$have" ] && add_namespaces "$extra"
  run="$d/run-$extra"
  mkdir -p "$run"
  bench_broker "$jars" "$run/broker"
  # shellcheck disable=SC2086
  java -XX:+UseSerialGC -Xmx64m -jar "$jars/culprit-collect.jar" collect --interval 1s \
    --bootstrap-servers "$(cat "$run/broker/bootstrap-servers")" \
    --kafka-config "$run/broker/kafka-client.properties" --metrics-address none \
    --data-dir "$run/agent" --spool-dir "$run/agent/spool" --netns-include 'culprit-l-*' \
    ${BENCH_AGENT_ARGS:-} >/dev/null 2>"$d/agent.err" & agent=$!; pids+=($agent)
  echo "run: host + $extra extra namespaces, ${cycles} cycles of 1 s ..." >&2
  sleep "$cycles"
  kill "$agent"; wait "$agent" || true   # SIGTERM: the agent delivers its spool, then exits
  python3 - "$run/broker" "$((extra + 1))" <<'EOF'
import os, struct, sys
root, namespaces = sys.argv[1], int(sys.argv[2])
topics = {}
for dirpath, _, files in os.walk(root):
    base = os.path.basename(dirpath)
    if not base.startswith("culprit.samples."):
        continue
    topic = base.rsplit("-", 1)[0]
    t = topics.setdefault(topic, [0, 0, 0])  # bytes, batches, records
    for f in files:
        if not f.endswith(".log"):
            continue
        with open(os.path.join(dirpath, f), "rb") as fh:
            data = fh.read()
        at = 0
        while at + 61 <= len(data):
            (length,) = struct.unpack_from(">i", data, at + 8)
            if length <= 0:
                break
            (count,) = struct.unpack_from(">i", data, at + 57)
            t[0] += 12 + length; t[1] += 1; t[2] += count
            at += 12 + length
cycles = topics.get("culprit.samples.collector", [0, 0, 0])[2]
if cycles == 0:
    sys.exit("no health records on culprit.samples.collector: the agent published nothing")
print(f"namespaces {namespaces}, cycles {cycles}")
seen = topics.get("culprit.samples.protocol", [0, 0, 0])[2] / cycles
if abs(seen - namespaces) > 0.2 * namespaces:
    print(f"WARNING: {seen:.1f} protocol records per cycle, not {namespaces}: the agent saw other"
          " namespaces or missed some; the per-namespace figures are off")
print(f"{'topic':<28} {'records':>8} {'rec/batch':>9} {'B/record':>9} {'B/ns/cycle':>10}")
total = 0
for name in sorted(topics):
    b, n, r = topics[name]
    if r == 0:
        continue
    total += b
    print(f"{name.removeprefix('culprit.samples.'):<28} {r:>8} {r / n:>9.1f} {b / r:>9.0f}"
          f" {b / cycles / namespaces:>10.0f}")
print(f"{'total':<28} {'':>8} {'':>9} {'':>9} {total / cycles / namespaces:>10.0f}")
EOF
  kill "$broker"; wait "$broker" || true
done
