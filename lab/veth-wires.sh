# SPDX-License-Identifier: BSD-2-Clause
# Sourced by lab/mip4-lab and the namespace tests: make veth links behave
# like wires between separate hosts.
#
# Why: veth hands a packet to its peer as the sender left it.  A packet
# whose checksum the sender left to "the NIC" (CHECKSUM_PARTIAL) and a GSO
# super-packet (up to 64 KiB, segmented "by the NIC") cross veth, and the
# routers behind it, unfinished: the next host's stack accepts them as
# local, but a raw socket there reads the bytes as they are, with a
# checksum field that holds only the pseudo-header sum and an IP length
# above the link MTU.  A real NIC (or the kernel's software fallback before
# a NIC without those offloads) finishes both before the wire.  The eBPF
# data plane encapsulates in tc, so what it sends keeps the inner packet's
# state; a userspace tunnel end (the FA and MN roles read tunnels on raw
# sockets) in another namespace would then deliver inner packets with bad
# checksums or larger than its link.  Turning transmit checksum offload off
# on a veth makes the kernel finish the checksum and segment (TSO goes off
# with it) before the peer sees the packet: exactly what leaves a NIC.

# veth_wire NS DEV: one end of a veth, as a wire (set both ends)
veth_wire() { ip netns exec "$1" ethtool -K "$2" tx off >/dev/null; }

# veth_wires NS...: every veth in these namespaces, as a wire
veth_wires() {
  local ns dev
  for ns; do
    for dev in $(ip -n "$ns" -o link show type veth |
		 sed -n 's/^[0-9]*: \([^@:]*\).*/\1/p'); do
      veth_wire "$ns" "$dev" || return 1
    done
  done
}
