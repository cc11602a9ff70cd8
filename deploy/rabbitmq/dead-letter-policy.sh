#!/usr/bin/env bash
# Sets the broker policy that bounds every town's dead-letter queue (mimamori.<town>.dead): a TTL
# equal to the ledger's retention (dead letters are personal data too) and a maximum length. A
# policy, not queue arguments: it changes on a live broker without redeclaring anything, and
# `rabbitmqctl list_queues name policy` shows where it applies. Run it again after changing
# `retention:` in mimamori.yaml.
# Usage: deploy/rabbitmq/dead-letter-policy.sh [--vhost mimamori] [--retention 30d]
#            [--max-length 10000] [--max-bytes 268435456]
# RABBITMQCTL may name another rabbitmqctl (e.g. "scripts/rabbitmq-node.sh ctl" for the test node).
set -euo pipefail
vhost=mimamori retention=30d max_length=10000 max_bytes=268435456
while [ $# -gt 0 ]; do
    case "$1" in
        --vhost) vhost=$2; shift 2 ;;
        --retention) retention=$2; shift 2 ;;
        --max-length) max_length=$2; shift 2 ;;
        --max-bytes) max_bytes=$2; shift 2 ;;
        *) echo "usage: $0 [--vhost V] [--retention 30d|12h|90s] [--max-length N] [--max-bytes N]" >&2; exit 2 ;;
    esac
done
# The same duration forms as mimamori.yaml: s, m, h, d.
case "$retention" in
    *d) ms=$(( ${retention%d} * 86400000 )) ;;
    *h) ms=$(( ${retention%h} * 3600000 )) ;;
    *m) ms=$(( ${retention%m} * 60000 )) ;;
    *s) ms=$(( ${retention%s} * 1000 )) ;;
    *) echo "dead-letter-policy: --retention must look like 30d, 12h, 15m or 90s" >&2; exit 2 ;;
esac
[[ "$max_length" =~ ^[0-9]+$ && "$max_bytes" =~ ^[0-9]+$ ]] || { echo "dead-letter-policy: lengths are whole numbers" >&2; exit 2; }
# overflow reject-publish: a flood of forged messages cannot push out the dead letters already
# kept (a genuine alert signed with a key not yet installed); the daemon logs each refused copy
# (intake.dead-letter-failed). Priority 10: above a policy someone sets ad hoc with the default 0.
definition=$(printf '{"message-ttl":%s,"max-length":%s,"max-length-bytes":%s,"overflow":"reject-publish"}' "$ms" "$max_length" "$max_bytes")
${RABBITMQCTL:-rabbitmqctl} set_policy -p "$vhost" --apply-to queues --priority 10 \
    mimamori-dead-letters '^mimamori\.[^.]+\.dead$' "$definition"
echo "dead-letter-policy: $vhost mimamori.<town>.dead: $definition"
