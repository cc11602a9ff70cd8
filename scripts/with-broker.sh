#!/usr/bin/env bash
# Runs a command with the private RabbitMQ node and the private PostgreSQL server up and their
# addresses in the environment, and stops both afterwards whatever the command's outcome.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
trap '"$here/rabbitmq-node.sh" stop; "$here/postgres-node.sh" stop' EXIT
"$here/rabbitmq-node.sh" start
"$here/postgres-node.sh" start
set -a
eval "$("$here/rabbitmq-node.sh" env)"
eval "$("$here/postgres-node.sh" env)"
set +a
"$@"
