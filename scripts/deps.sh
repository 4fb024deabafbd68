#!/usr/bin/env bash
# Install every Debian package that mip4d's build, tests and lab need.
# Idempotent: packages already present are left alone, apt is only
# consulted when something is missing.
set -euo pipefail

pkgs=(
  # build
  build-essential cmake pkg-config clang llvm libclang-rt-14-dev
  # libraries
  libssl-dev libmnl-dev libevent-dev libsqlite3-dev libcap-ng-dev
  libpcap-dev libcmocka-dev libjson-c-dev libseccomp-dev libsystemd-dev
  # eBPF data plane: libbpf, bpftool (skeletons); ethtool for its tests
  libbpf-dev bpftool ethtool
  # tests and interop oracle
  tshark tcpdump python3 iproute2 nftables iputils-ping
  # home agent redundancy: the etcd store's cluster (tests/ha/ha_etcd.sh)
  etcd-server etcd-client
  python3-prometheus-client
  # lab
  strongswan-charon strongswan-swanctl libcharon-extra-plugins
  libstrongswan-standard-plugins isc-dhcp-client dnsmasq-base iperf3 gnuplot-nox
  # static analysis
  cppcheck clang-tidy
  # packaging and installing (tests/pkg): make deb, lintian, systemd-analyze
  # and a systemd to run the units, man for the installed pages
  debhelper dpkg-dev fakeroot lintian systemd man-db adduser
)

# `deps.sh vpn` adds the other VPN products of the lab (lab/mip4-lab --vpn,
# the tests: scripts/test.sh); the default demo (strongSwan) needs none.
if [[ ${1:-} == vpn ]]; then
  pkgs+=(openvpn ocserv openconnect wireguard-go wireguard-tools)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "deps: all ${#pkgs[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "deps: missing packages (${missing[*]}); run as root" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
