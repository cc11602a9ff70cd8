#!/usr/bin/env bash
# Moves a broker set up by an earlier release to the per-town dead-letter routing, without
# redeclaring anything (a queue argument or an exchange type cannot change on a live broker: it
# answers 406 PRECONDITION_FAILED). Before: `mimamori.dead` (fanout) bound to every town's dead
# queue, so towns sharing a vhost received each other's rejects. After: `mimamori.dead` only
# forwards to `mimamori.dead-letters` (topic), which binds `mimamori.<town>.dead` to
# `case.<town>.#`. The case queues keep `x-dead-letter-exchange: mimamori.dead` (a policy
# cannot override a queue's own argument): what the broker dead-letters itself takes the
# forward.
# Run after importing the new definitions (they add the topic exchange, its bindings, the
# forward and the policy) and before or after restarting mimamorid; it only removes the old
# fanout's bindings to queues, and refuses while the forward is missing (nothing would reach
# the dead queues then). Running it again changes nothing.
# Usage: deploy/rabbitmq/migrate-dead-letters.sh [--vhost mimamori]
# RABBITMQCTL may name another rabbitmqctl (e.g. "scripts/rabbitmq-node.sh ctl" for the test node).
set -euo pipefail
vhost=mimamori
while [ $# -gt 0 ]; do
    case "$1" in
        --vhost) vhost=$2; shift 2 ;;
        *) echo "usage: $0 [--vhost V]" >&2; exit 2 ;;
    esac
done
ctl=${RABBITMQCTL:-rabbitmqctl}
bindings=$($ctl list_bindings -q --no-table-headers -p "$vhost" source_name destination_name destination_kind routing_key)
if ! printf '%s\n' "$bindings" | grep -q $'^mimamori\.dead\tmimamori\.dead-letters\texchange\t'; then
    echo "migrate-dead-letters: $vhost has no binding mimamori.dead → mimamori.dead-letters yet;" \
        "import the new definitions first (rabbitmqctl import_definitions /etc/rabbitmq/mimamori-definitions.json)" >&2
    exit 1
fi
removed=0
while IFS=$'\t' read -r source destination kind key; do
    [ "$source" = mimamori.dead ] && [ "$kind" = queue ] || continue
    # rabbitmqctl has no command to remove one binding (rabbitmqadmin needs the management
    # plugin): the broker's own function, as its CLI would call it. (Not from our stdin: that
    # is the list being read.)
    $ctl eval "rabbit_binding:remove({binding, rabbit_misc:r(<<\"$vhost\">>, exchange, <<\"mimamori.dead\">>), <<\"$key\">>, rabbit_misc:r(<<\"$vhost\">>, queue, <<\"$destination\">>), []}, <<\"mimamori-migration\">>)." </dev/null >/dev/null
    echo "migrate-dead-letters: $vhost: removed mimamori.dead → $destination"
    removed=$((removed + 1))
done <<< "$bindings"
echo "migrate-dead-letters: $vhost: $removed old binding(s) removed; rejects now reach only their town's dead queue"
