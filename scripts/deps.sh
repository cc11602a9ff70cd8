#!/usr/bin/env bash
# Installs what building, testing and the demo need on Debian 12, only what is missing.
# Usage: deps.sh [bench]
set -euo pipefail
packages=(
    pkg-config librabbitmq-dev libcurl4-openssl-dev rabbitmq-server openssl
    libcairo2-dev libpango1.0-dev fonts-ipaexfont-gothic fonts-ipaexfont-mincho
    poppler-utils espeak-ng sox libsqlite3-dev python3-pip systemd libturbojpeg0-dev
    libqrencode-dev zbar-tools fonts-dejavu-core
    open-jtalk open-jtalk-mecab-naist-jdic
    python3-pika python3-cryptography python3-jsonschema prometheus
    lintian chromium postgresql
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
    # policy-rc.d keeps the Debian packages from starting the system rabbitmq-server and PostgreSQL
    # cluster; we run our own.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
fi
# Test peers from PyPI: an SMTP server that keeps every message, an independent CAP 1.2 parser.
py=(aiosmtpd cap-tools)
# The bench publishes as the reference publisher does (pika, cryptography), from the same python3.
[ "${1:-}" = bench ] && py+=(apprise pika cryptography)
need=()
for m in "${py[@]}"; do python3 -m pip show -q "$m" >/dev/null 2>&1 || need+=("$m"); done
if [ ${#need[@]} -gt 0 ]; then
    echo "deps: pip installing ${need[*]}"
    python3 -m pip install -q --disable-pip-version-check "${need[@]}"
fi
# Open JTalk's voice: Debian's HTS voice package is not always reachable, so the MMDAgent "Mei"
# voice (CC BY 3.0, Nagoya Institute of Technology) comes from the pyopenjtalk source package, which
# carries it as a data file. Only the download is wanted: building that package needs cmake and a
# C++ toolchain, so its metadata step is left to fail (no cmake) and the voice is taken from the kept
# source tree, or from the saved archive where that step did pass.
voice_dir=/usr/local/share/hts-voice/mei
voice_sum=f3be49a6838904a6c218790b64e07c3e83c1886e995dca284b413caab19184de
if ! echo "$voice_sum  $voice_dir/mei_normal.htsvoice" | sha256sum -c --status 2>/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "deps: the Open JTalk voice is missing (run as root to install $voice_dir)" >&2; exit 1; }
    echo "deps: installing the Open JTalk voice into $voice_dir"
    work=$(mktemp -d)
    TMPDIR=$work python3 -m pip download -q --disable-pip-version-check --no-deps --no-build-isolation \
        --no-binary :all: --no-clean -d "$work/dl" pyopenjtalk==0.4.1 >/dev/null 2>&1 || true
    found=$(find "$work" -path '*/htsvoice/mei_normal.htsvoice' -print -quit)
    # Where the metadata step did succeed (cmake installed), the archive itself was saved.
    if [ -z "$found" ] && sdist=$(find "$work/dl" -name 'pyopenjtalk-*.tar.gz' -print -quit 2>/dev/null) && [ -n "$sdist" ]; then
        mkdir -p "$work/x" && tar -xzf "$sdist" -C "$work/x" --wildcards '*/htsvoice/*' 2>/dev/null || true
        found=$(find "$work/x" -path '*/htsvoice/mei_normal.htsvoice' -print -quit)
    fi
    if [ -z "$found" ] || ! echo "$voice_sum  $found" | sha256sum -c --status; then
        rm -rf "$work"
        echo "deps: could not get mei_normal.htsvoice from the pyopenjtalk source package" >&2
        exit 1
    fi
    install -d "$voice_dir"
    install -m 0644 "$found" "$voice_dir/mei_normal.htsvoice"
    install -m 0644 "$(dirname "$found")/LICENSE_mei_normal.htsvoice" "$voice_dir/LICENSE"
    rm -rf "$work"
fi
command -v swift >/dev/null || { echo "deps: swift is not on PATH (expected /opt/swift/usr/bin)" >&2; exit 1; }
