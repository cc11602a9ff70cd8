#!/usr/bin/env bash
# Installs what building, testing and the demo need on Debian 12, only what is missing.
# Usage: deps.sh [bench]
set -euo pipefail
packages=(
    pkg-config librabbitmq-dev libcurl4-openssl-dev rabbitmq-server openssl
    libcairo2-dev libpango1.0-dev fonts-ipaexfont-gothic fonts-ipaexfont-mincho
    poppler-utils espeak-ng sox libsqlite3-dev python3-pip systemd libturbojpeg0-dev
)
[ "${1:-}" = bench ] && packages+=(postfix)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
        exit 1
    fi
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d keeps the Debian package from starting the system rabbitmq-server; we run our own.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
fi
# Test peers from PyPI: an SMTP server that keeps every message, an independent CAP 1.2 parser.
py=(aiosmtpd cap-tools)
[ "${1:-}" = bench ] && py+=(apprise)
need=()
for m in "${py[@]}"; do python3 -m pip show -q "$m" >/dev/null 2>&1 || need+=("$m"); done
if [ ${#need[@]} -gt 0 ]; then
    echo "deps: pip installing ${need[*]}"
    python3 -m pip install -q --disable-pip-version-check "${need[@]}"
fi
command -v swift >/dev/null || { echo "deps: swift is not on PATH (expected /opt/swift/usr/bin)" >&2; exit 1; }
