#!/usr/bin/env bash
# make bench: fan-out speed beside this machine's limit and beside a peer, measured in one run.
# Prints one table and writes it as JSON under bench/results/. Timings are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
# The binaries as the package ships them (scripts/deb.sh: the Swift runtime linked in), not the
# runtime loaded from the toolchain's shared libraries, which starts slower and holds more.
flags=(-c release --static-swift-stdlib --disable-local-rpath)
echo "== building release (static Swift runtime, as make deb)"
swift build "${flags[@]}" 2>&1 | grep -E 'error|Build complete' | tail -2
bin=$(swift build "${flags[@]}" --show-bin-path)
scripts/rabbitmq-node.sh start
trap 'scripts/rabbitmq-node.sh stop' EXIT
eval "$(scripts/rabbitmq-node.sh env)"
export MIMAMORI_TEST_AMQP_URL
python3 bench/bench.py --bin "$bin" --out bench/results "$@"
