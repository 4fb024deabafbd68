# SPDX-License-Identifier: BSD-2-Clause
# The etcd store's lab (tests/ha/ha_etcd.sh, bench/run-etcd.sh): a bridge in
# netns $SW; the HA ($HA, $HA_ADDR), the load generator ($MN, $MN_ADDR) and
# three etcd members (${E[i]}, ${E_ADDR[i]}, client port 2379) on it, /24.
# The caller sets SW HA MN E E_ADDR HA_ADDR MN_ADDR TMP and EPIDS=(); HA2,
# a second HA's namespace, is deleted too when set.

# etcd_link NS IF ADDR PEER: a veth from NS to the bridge (PEER its end there)
etcd_link() {
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$SW"
  ip netns exec "$SW" ip link set "$4" master br0 up
  ip netns exec "$1" ip addr add "$3/24" dev "$2"
  ip netns exec "$1" ip link set "$2" up
  ip netns exec "$1" ip link set lo up
}

# start_etcd I: member I (again: it rejoins with its data directory);
# its PID in EPIDS[I], its log in $TMP/etcdI.log
start_etcd() {
  local i=$1 a=${E_ADDR[$1]} cluster=
  for j in 0 1 2; do cluster+=${cluster:+,}e$j=http://${E_ADDR[$j]}:2380; done
  ip netns exec "${E[$i]}" etcd --name "e$i" --data-dir "$TMP/etcd$i" \
    --listen-peer-urls "http://$a:2380" --initial-advertise-peer-urls "http://$a:2380" \
    --listen-client-urls "http://$a:2379" --advertise-client-urls "http://$a:2379" \
    --initial-cluster "$cluster" --initial-cluster-token "t-$$" \
    --initial-cluster-state new --log-outputs stderr >> "$TMP/etcd$i.log" 2>&1 &
  EPIDS[$i]=$!
}

# etcd_ok I: a linearizable read through member I succeeds (a quorum is there)
etcd_ok() {
  ip netns exec "$MN" etcdctl --endpoints "${E_ADDR[$1]}:2379" --command-timeout=1s get /x >/dev/null
}

# etcd_lab_up: the namespaces, the links, the three members started
etcd_lab_up() {
  ip netns add "$SW"
  ip netns exec "$SW" ip link add br0 type bridge
  ip netns exec "$SW" ip link set br0 up
  for ns in "$HA" "$MN" "${E[@]}"; do ip netns add "$ns"; done
  etcd_link "$HA" h0 "$HA_ADDR" p-ha
  etcd_link "$MN" m0 "$MN_ADDR" p-mn
  for i in 0 1 2; do etcd_link "${E[$i]}" e0 "${E_ADDR[$i]}" "p-e$i"; done
  for i in 0 1 2; do start_etcd "$i"; done
}

# etcd_lab_down: the members stopped, whatever else runs in the namespaces
# killed, the namespaces and $TMP gone (the callers' EXIT traps)
etcd_lab_down() {
  local p ns
  for p in "${EPIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${EPIDS[@]}"; do wait "$p" 2>/dev/null; done
  for ns in "$HA" ${HA2:+"$HA2"} "$MN" "${E[@]}" "$SW"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$TMP"
}
