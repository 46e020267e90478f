#!/usr/bin/env bash
# Install what the tests need (Debian packages and Python packages) and run
# them. Run as root: the ICMP tests build network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(fping prometheus prometheus-alertmanager dnsmasq-base tcpdump nftables iproute2 procps snmpd snmp systemd chromium fonts-dejavu-core)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if ((${#missing[@]})); then
    apt-get update -qq
    # policy-rc.d keeps the packages' own services (prometheus, snmpd) from
    # starting: the tests start the servers they need themselves.
    # A policy the machine already has is put back afterwards.
    policy=/usr/sbin/policy-rc.d
    saved_policy=""
    if [[ -e $policy ]]; then
        saved_policy=$(mktemp)
        cp -p "$policy" "$saved_policy"
    fi
    restore_policy() {
        if [[ -n $saved_policy ]]; then mv "$saved_policy" "$policy"; else rm -f "$policy"; fi
    }
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        || { restore_policy; exit 1; }
    restore_policy
fi

PANTAU_EXTRAS="[test]" bash scripts/install.sh
.venv/bin/ruff check monitor probes tests bench dashboards
.venv/bin/python -m pytest "$@"
