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
trap 'scripts/rabbitmq-node.sh stop; scripts/postgres-node.sh stop' EXIT
scripts/rabbitmq-node.sh start
scripts/postgres-node.sh start
eval "$(scripts/rabbitmq-node.sh env)"
eval "$(scripts/postgres-node.sh env)"
export MIMAMORI_TEST_AMQP_URL MIMAMORI_TEST_POSTGRES_URL
python3 bench/bench.py --bin "$bin" --out bench/results "$@"
