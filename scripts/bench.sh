#!/usr/bin/env bash
# make bench: fan-out speed beside this machine's limit and beside a peer, measured in one run.
# Prints one table and writes it as JSON under bench/results/. Timings are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building release"
swift build -c release 2>&1 | grep -E 'error|Build complete' | tail -2
bin=$(swift build -c release --show-bin-path)
scripts/rabbitmq-node.sh start
trap 'scripts/rabbitmq-node.sh stop' EXIT
eval "$(scripts/rabbitmq-node.sh env)"
export MIMAMORI_TEST_AMQP_URL
python3 bench/bench.py --bin "$bin" --out bench/results "$@"
