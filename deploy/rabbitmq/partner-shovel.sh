#!/usr/bin/env bash
# Declares the shovel that carries a town's forwarded cases to a partner town's broker (seed 004:
# the two towns' networks shared with the family's consent). RabbitMQ's shovel plugin does the
# moving, not code of ours: mimamorid publishes each consented event, exactly as the police
# signed it, to its own queue mimamori.<town>.to-<partner> (declared at its start when
# mimamori.yaml has `partners: { <partner>: own-daemon }`); the shovel moves it to the partner's
# exchange mimamori.cases with its routing key case.<partner>.<kind> unchanged, into the
# partner's own case queue, where the partner's mimamorid verifies the police signature itself.
#
# ack-mode on-confirm: a forward leaves this broker only once the partner's broker confirmed it,
# so nothing is lost when the link between the towns is down; it waits in the queue.
#
# Usage: deploy/rabbitmq/partner-shovel.sh --town kimino --partner kainan --dest-uri-file FILE
#            [--vhost mimamori]
#   FILE holds the partner broker's URL, one line, e.g.
#   amqps://kimino-shovel:PASSWORD@mq.kainan.example.jp:5671/mimamori?cacertfile=/etc/rabbitmq/tls/kainan-ca.pem&verify=verify_peer&server_name_indication=mq.kainan.example.jp
#   (a file, so the password is in no shell history and no process list; keep it mode 0600).
#   The partner gives that user write access to its mimamori.cases exchange only.
# Needs the plugin on this broker: rabbitmq-plugins enable rabbitmq_shovel
# RABBITMQCTL may name another rabbitmqctl (e.g. "scripts/rabbitmq-node.sh ctl" for the test node).
set -euo pipefail
vhost=mimamori town="" partner="" uri_file=""
while [ $# -gt 0 ]; do
    case "$1" in
        --vhost) vhost=$2; shift 2 ;;
        --town) town=$2; shift 2 ;;
        --partner) partner=$2; shift 2 ;;
        --dest-uri-file) uri_file=$2; shift 2 ;;
        *) echo "usage: $0 --town T --partner P --dest-uri-file FILE [--vhost V]" >&2; exit 2 ;;
    esac
done
for id in "$town" "$partner"; do
    [[ "$id" =~ ^[a-z0-9_-]+$ ]] || { echo "partner-shovel: --town and --partner are municipality ids, as in mimamori.yaml" >&2; exit 2; }
done
[ -r "$uri_file" ] || { echo "partner-shovel: --dest-uri-file $uri_file is not readable" >&2; exit 2; }
dest=$(head -n1 "$uri_file" | tr -d '\r\n')
[[ "$dest" =~ ^amqps?:// ]] || { echo "partner-shovel: $uri_file must hold an amqp:// or amqps:// URL" >&2; exit 2; }
name="mimamori-$town-to-$partner"
queue="mimamori.$town.to-$partner"
# JSON by hand (no python on a broker host): every value is checked to need no escaping.
case "$dest" in *'"'*|*'\'*|*' '*) echo "partner-shovel: the URL in $uri_file must not hold quotes, backslashes or spaces (percent-encode them)" >&2; exit 2 ;; esac
[[ "$vhost" =~ ^[A-Za-z0-9_.-]+$ || "$vhost" = / ]] || { echo "partner-shovel: --vhost must be / or letters, digits, '.', '_' or '-'" >&2; exit 2; }
# The local end is a direct connection inside this broker (no password); "/" is encoded.
local_vhost=${vhost//\//%2F}
definition=$(printf '{"src-protocol":"amqp091","src-uri":"amqp:///%s","src-queue":"%s","dest-protocol":"amqp091","dest-uri":"%s","dest-exchange":"mimamori.cases","ack-mode":"on-confirm","src-delete-after":"never","reconnect-delay":5}' \
    "$local_vhost" "$queue" "$dest")
${RABBITMQCTL:-rabbitmqctl} set_parameter -p "$vhost" shovel "$name" "$definition" >/dev/null
echo "partner-shovel: $vhost $queue → the partner's mimamori.cases (shovel $name); rabbitmqctl shovel_status shows it"
