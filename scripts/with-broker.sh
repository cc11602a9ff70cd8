#!/usr/bin/env bash
# Runs a command with the private RabbitMQ node up and its addresses in the environment, and
# stops the node afterwards whatever the command's outcome.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/rabbitmq-node.sh" start
trap '"$here/rabbitmq-node.sh" stop' EXIT
set -a
eval "$("$here/rabbitmq-node.sh" env)"
set +a
"$@"
