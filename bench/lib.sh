# Shared by the bench scripts that start a `culprit broker` and add network namespaces; sourced
# (after `set -euo pipefail` and `cd` to the repository root).

# bench_start NAME NETNS COUNT...: a fresh directory $d (/tmp/culprit-NAME-XXXXXX), an empty PID
# list pids, maxns = the largest COUNT, and bench_cleanup on every exit.
bench_start() {
  d=$(mktemp -d "/tmp/culprit-$1-XXXXXX")
  bench_netns=$2
  shift 2
  pids=()
  maxns=0; for c in "$@"; do [ "$c" -gt "$maxns" ] && maxns=$c; done
  trap bench_cleanup EXIT
}

# Runs on every exit, also after a failure or SIGINT/SIGTERM: stops what the script started (by
# PID), removes its namespaces NETNS-1..NETNS-maxns (their veths and rules go with them) and its
# directory. On a failure the end of every process's stderr is printed first, since the directory
# goes.
bench_cleanup() {
  local rc=$?
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  for i in $(seq 1 "$maxns"); do ip netns del "$bench_netns-$i" 2>/dev/null; done
  if [ "$rc" != 0 ]; then
    for f in "$d"/*.err; do
      [ -s "$f" ] && { echo "--- $(basename "$f") (last 20 lines)"; tail -n 20 "$f"; } >&2
    done
  fi
  rm -rf "$d"
}

# bench_namespace NETNS VETH NET I RULE: namespace NETNS-I joined to the host by a veth pair
# (VETH-I-h on the host, 10.NET.I.1/24; VETH-I-n inside, 10.NET.I.2/24); RULE=1 adds one iptables
# rule in it (the namespace then holds an iptables-nft table for the filter source to list).
bench_namespace() {
  local ns="$1-$4" h="$2-$4-h" n="$2-$4-n"
  ip netns add "$ns"
  ip link add "$h" type veth peer name "$n"
  ip link set "$n" netns "$ns"
  ip -n "$ns" addr add "10.$3.$4.2/24" dev "$n"
  ip -n "$ns" link set lo up
  ip -n "$ns" link set "$n" up
  ip addr add "10.$3.$4.1/24" dev "$h"
  ip link set "$h" up
  if [ "$5" = 1 ]; then
    ip netns exec "$ns" iptables -A INPUT -p tcp --dport 9 -j DROP
  fi
}

# bench_wait_for PID FILE WHAT: waits (up to 120 s) until FILE exists; exits if process PID ends
# first.
bench_wait_for() {
  local deadline=$((SECONDS + 120))
  until [ -e "$2" ]; do
    kill -0 "$1" 2>/dev/null || { echo "$3 exited before it was ready" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "$3 not ready after 120 s" >&2; exit 1; }
    sleep 0.1
  done
}

# bench_broker JARS DATA_DIR: starts `culprit broker` (JARS/culprit.jar) on a free port, its
# stderr in $d/broker.err, and waits until it is ready; its PID in broker. The broker writes its
# client login (DATA_DIR/kafka-client.properties), then its address (DATA_DIR/bootstrap-servers):
# both exist once the address does.
bench_broker() {
  java -XX:+UseSerialGC -Xmx768m -jar "$1/culprit.jar" broker --port 0 --data-dir "$2" \
    >/dev/null 2>"$d/broker.err" &
  broker=$!; pids+=($broker)
  bench_wait_for "$broker" "$2/bootstrap-servers" "culprit broker"
}
