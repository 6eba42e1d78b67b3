# Shared by the bench scripts that start a `culprit broker` and add network namespaces; sourced
# (after `set -euo pipefail` and `cd` to the repository root).

# bench_start NAME NETNS COUNT...: a fresh directory $d (/tmp/culprit-NAME-XXXXXX), an empty PID
# list pids, maxns = the largest COUNT, and bench_cleanup on every exit.
bench_start() {
  d=$(mktemp -d "/tmp/culprit-$1-XXXXXX")
  bench_netns=$2
  shift 2
  pids=()
  bench_cgroup_dirs=()
  maxns=0; for c in "$@"; do [ "$c" -gt "$maxns" ] && maxns=$c; done
  trap bench_cleanup EXIT
  # A signal ends the script through exit, so the EXIT trap cleans up at once.
  trap 'exit 130' INT
  trap 'exit 143' TERM
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
  bench_remove_cgroups
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
  elif [ "$5" = mesh ]; then
    bench_mesh_rules "$ns"
  fi
}

# bench_mesh_rules NETNS: the 20 nat-table rules a service mesh's init container writes into a
# pod's namespace (Istio's istio-iptables: inbound TCP redirected to the sidecar's 15006, outbound
# to 15001, DNS to 15053, the proxy's own uid/gid 1337 exempt), in one iptables-restore.
bench_mesh_rules() {
  ip netns exec "$1" iptables-restore <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:ISTIO_INBOUND - [0:0]
:ISTIO_IN_REDIRECT - [0:0]
:ISTIO_OUTPUT - [0:0]
:ISTIO_REDIRECT - [0:0]
-A PREROUTING -p tcp -j ISTIO_INBOUND
-A OUTPUT -p tcp -j ISTIO_OUTPUT
-A OUTPUT -p udp -j ISTIO_OUTPUT
-A ISTIO_INBOUND -p tcp -m tcp --dport 15008 -j RETURN
-A ISTIO_INBOUND -p tcp -m tcp --dport 15090 -j RETURN
-A ISTIO_INBOUND -p tcp -m tcp --dport 15021 -j RETURN
-A ISTIO_INBOUND -p tcp -m tcp --dport 15020 -j RETURN
-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT
-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006
-A ISTIO_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN
-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT
-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN
-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT
-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -p udp -m udp --dport 53 -m owner --uid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -p udp -m udp --dport 53 -j REDIRECT --to-ports 15053
-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN
-A ISTIO_OUTPUT -j ISTIO_REDIRECT
-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001
COMMIT
RULES
}

# bench_containers N: N containers' cgroups as Docker's cgroupfs driver lays them out
# (.../docker/<64 hex id>, which the container source recognises), under culprit-bench-cg in the
# memory and cpu (and cpuacct) hierarchies on cgroup v1, or in the one v2 tree; each with a
# 256 MiB memory limit, a half-CPU quota and one `sleep` process (its PID in pids, so
# bench_cleanup stops it before bench_remove_cgroups removes the directories).
bench_containers() {
  local root=/sys/fs/cgroup top=culprit-bench-cg i id dirs dir sleeper
  if [ -f "$root/cgroup.controllers" ]; then
    bench_cgroup_dirs=("$root/$top")
    mkdir -p "$root/$top/docker"
    echo +memory +cpu >"$root/$top/cgroup.subtree_control"
    echo +memory +cpu >"$root/$top/docker/cgroup.subtree_control"
  else
    bench_cgroup_dirs=()
    for c in memory cpu cpuacct; do
      [ -f "$root/$c/cgroup.procs" ] || continue
      bench_cgroup_dirs+=("$root/$c/$top")
      mkdir -p "$root/$c/$top/docker"
    done
  fi
  for i in $(seq 1 "$1"); do
    id=$(printf 'c0ffee%058x' "$i")
    sleep infinity & sleeper=$!; pids+=("$sleeper")
    for dir in "${bench_cgroup_dirs[@]}"; do
      mkdir -p "$dir/docker/$id"
      [ -f "$dir/docker/$id/memory.limit_in_bytes" ] && echo 268435456 >"$dir/docker/$id/memory.limit_in_bytes"
      [ -f "$dir/docker/$id/memory.max" ] && echo 268435456 >"$dir/docker/$id/memory.max"
      [ -f "$dir/docker/$id/cpu.cfs_quota_us" ] && echo 50000 >"$dir/docker/$id/cpu.cfs_quota_us"
      [ -f "$dir/docker/$id/cpu.max" ] && echo "50000 100000" >"$dir/docker/$id/cpu.max"
      echo "$sleeper" >"$dir/docker/$id/cgroup.procs"
    done
  done
}

# Removes what bench_containers made (its processes must have ended: bench_cleanup waits for them).
bench_remove_cgroups() {
  local dir
  for dir in "${bench_cgroup_dirs[@]}"; do
    [ -d "$dir" ] || continue
    find "$dir" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
    rmdir "$dir" 2>/dev/null
  done
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
