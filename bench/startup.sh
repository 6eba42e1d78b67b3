#!/usr/bin/env bash
# Benchmark (issue 2): time from launching `culprit up` to the first sample readable on
# culprit.samples.interface, and the RSS of the `up` process then; median of N runs.
# Baseline in the same run: `culprit broker` alone, launch to "ready" (the embedded broker's
# share of the start-up). Usage: bench/startup.sh [runs=5] [extra up flags, e.g. --interval 1s]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"; shift || true
extra=("$@")
./culprit --version >/dev/null   # builds the jar once, outside the measurement
ms() { date +%s%3N; }
results=()
for i in $(seq 1 "$runs"); do
  d=$(mktemp -d /tmp/culprit-bench-XXXXXX)
  # Baseline: the broker alone.
  t0=$(ms)
  ./culprit broker --port 0 --data-dir "$d/b" >/dev/null 2>"$d/b.err" & bpid=$!
  until grep -q "ready on" "$d/b.err" 2>/dev/null; do sleep 0.02; done
  tb=$(( $(ms) - t0 ))
  kill "$bpid"; wait "$bpid" 2>/dev/null || true
  # culprit up: the first sample's producer timestamp (CreateTime) is when it became readable.
  t0=$(ms)
  ./culprit up --port 0 --data-dir "$d/u" --json "${extra[@]}" >/dev/null 2>"$d/u.err" & upid=$!
  until [ -f "$d/u/bootstrap-servers" ]; do sleep 0.02; done
  first=$(./culprit tail interface --data-dir "$d/u" --from-beginning --max 1 --timeout 60s --with-metadata \
          | python3 -c 'import sys,json; print(json.loads(sys.stdin.readline())["timestamp"])')
  rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$upid/status")
  kill "$upid"; wait "$upid" 2>/dev/null || true
  tu=$(( first - t0 ))
  echo "run $i: up→first sample ${tu} ms, RSS $((rss_kb / 1024)) MiB; broker alone→ready ${tb} ms" >&2
  results+=("$tu $((rss_kb / 1024)) $tb")
  rm -rf "$d"
done
printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics as st
rows=[list(map(int,l.split())) for l in sys.stdin if l.strip()]
up=st.median(r[0] for r in rows); rss=st.median(r[1] for r in rows); br=st.median(r[2] for r in rows)
print(f"median of {len(rows)}: up→first interface sample {up:.0f} ms; RSS {rss:.0f} MiB;"
      f" broker alone→ready {br:.0f} ms; ratio up/broker {up/br:.2f}")'
