#!/usr/bin/env bash
# Install what the tests need (Debian packages and Python packages) and run
# them. Run as root: the ICMP tests build network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(fping prometheus dnsmasq-base tcpdump nftables iproute2 procps snmpd snmp)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if ((${#missing[@]})); then
    apt-get update -qq
    # policy-rc.d keeps the packages' own services (prometheus, snmpd) from
    # starting: the tests start the servers they need themselves.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        || { rm -f /usr/sbin/policy-rc.d; exit 1; }
    rm -f /usr/sbin/policy-rc.d
fi

PANTAU_EXTRAS="[test]" bash scripts/install.sh
.venv/bin/ruff check monitor probes tests bench
.venv/bin/python -m pytest "$@"
