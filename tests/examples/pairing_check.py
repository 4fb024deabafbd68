#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The shipped example configurations pair up (#11 item 5).

etc/mip4d-ha.conf and etc/mip4d-fa.conf describe one home agent and one
foreign agent that share an FA-HA security association.  The HA names the
FA by its care-of address (the source of relayed requests, RFC 5944
§3.7.2.2), the FA names the HA by its address, and both hold the same SPI
and key.  A reader who copies the two files gets a working pair.

usage: pairing_check.py ETC_DIR
"""
import re
import sys


def read(path):
    with open(path, encoding="utf-8") as f:
        # drop comments: the examples explain themselves in them
        return "\n".join(line.split("#", 1)[0] for line in f)


def sa(text, kind):
    """{address: (spi, key)} of the `kind ADDR { spi S key K }` entries."""
    out = {}
    for m in re.finditer(kind + r"\s+([0-9.]+)\s*\{([^}]*)\}", text):
        spi = re.search(r"\bspi\s+(\S+)", m.group(2))
        key = re.search(r"\bkey\s+(\S+)", m.group(2))
        out[m.group(1)] = (int(spi.group(1), 0), key.group(1))
    return out


def main():
    etc = sys.argv[1]
    ha = read(f"{etc}/mip4d-ha.conf")
    fa = read(f"{etc}/mip4d-fa.conf")
    ha_addr = re.search(r"home-agent\s*\{[^{]*?\baddress\s+([0-9.]+)", ha, re.S).group(1)
    coa = re.search(r"\bcare-of-address\s+([0-9.]+)", fa).group(1)
    fa_link = re.search(r"foreign-agent\s*\{[^{]*?\baddress\s+([0-9.]+)", fa, re.S)
    ha_side = sa(ha, "foreign-agent")
    fa_side = sa(fa, "home-agent")
    bad = []
    if coa not in ha_side:
        bad.append(f"HA example has no foreign-agent entry for the FA's care-of "
                   f"address {coa} (entries: {sorted(ha_side)})")
    if fa_link and fa_link.group(1) in ha_side and fa_link.group(1) != coa:
        bad.append(f"HA example names the FA's link address {fa_link.group(1)}")
    if ha_addr not in fa_side:
        bad.append(f"FA example has no home-agent entry for {ha_addr}")
    if coa in ha_side and ha_addr in fa_side and ha_side[coa] != fa_side[ha_addr]:
        bad.append(f"SPI/key differ: HA side {ha_side[coa]}, FA side {fa_side[ha_addr]}")
    for b in bad:
        print("pairing_check: FAIL", b)
    if not bad:
        print(f"pairing_check: ok (HA {ha_addr} <-> FA care-of {coa}, "
              f"SPI {ha_side[coa][0]:#x})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
