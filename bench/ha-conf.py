#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Home-agent configuration for bench/run-ha.sh: N mobile nodes with
consecutive home addresses from FIRST, SPIs from SPI and each its own key:
the base key with its last four bytes XORed with the node's index (big
endian), exactly as bench/mip4-loadgen.c derives them.

usage: ha-conf.py N FIRST SPI BASEKEY HA_ADDR SOCKET STATEDB > conf
"""
import ipaddress
import sys


def main():
    n, first, spi, key, ha, sock, db = sys.argv[1:8]
    n, spi = int(n), int(spi, 0)
    first = int(ipaddress.IPv4Address(first))
    base = bytes.fromhex(key)
    if len(base) != 16:
        sys.exit("ha-conf.py: the base key must be 16 bytes")
    pre, tail = base[:12].hex(), int.from_bytes(base[12:], "big")
    out = [f"control-socket {sock}\nstate-db {db}\nhome-agent {{\n"
           f"\taddress {ha}\n\thome-network 10.64.0.0/10\n"
           "\tmax-lifetime 3600\n\thome-interface none\n"
           "\ttunnel-device mip-ha0\n"]
    for i in range(n):
        a = first + i
        out.append(f"\tmobile-node {a >> 24}.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}"
                   f" {{ spi {spi + i} key hex:{pre}{tail ^ i:08x} }}\n")
    out.append("}\n")
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
