#!/usr/bin/env bash
# A private RabbitMQ node for tests and the demo: its own ports, its data under .run/rabbitmq,
# never the system service. Usage: rabbitmq-node.sh start|stop|ctl ARGS…|env
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# MIMAMORI_RABBIT_INSTANCE=partner: a second node beside the first (its own name, ports and
# data), the partner town's broker of the two-town tests.
instance=${MIMAMORI_RABBIT_INSTANCE:-}
case "$instance" in
    "") suffix="" base_port=56720 ;;
    partner) suffix="-partner" base_port=56730 ;;
    # The three nodes of the cluster tests; they join with MIMAMORI_RABBIT_COOKIE in common.
    cluster-1 | cluster-2 | cluster-3) suffix="-$instance" base_port=$((56740 + 10 * (${instance#cluster-} - 1))) ;;
    *) echo "rabbitmq-node: MIMAMORI_RABBIT_INSTANCE is empty, partner or cluster-1…3" >&2; exit 2 ;;
esac
dir=${MIMAMORI_RABBIT_DIR:-$root/.run/rabbitmq$suffix}
# As root the node runs as the rabbitmq user, which must be able to reach the data folder; where
# the checkout's parents are closed to it, the data goes to a folder named after the checkout.
if [ "$(id -u)" = 0 ] && [ -z "${MIMAMORI_RABBIT_DIR:-}" ]; then
    mkdir -p "$root/.run"
    if ! runuser -u rabbitmq -- test -x "$root/.run"; then
        dir=/var/tmp/mimamori-rabbitmq$suffix-$(printf '%s' "$root" | md5sum | cut -c1-8)
    fi
fi
node=${MIMAMORI_RABBIT_NODE:-mimamori-test$suffix@localhost}
port=${MIMAMORI_RABBIT_PORT:-$base_port}
tls_port=${MIMAMORI_RABBIT_TLS_PORT:-$((base_port + 1))}
dist_port=${MIMAMORI_RABBIT_DIST_PORT:-$((base_port + 2))}
bin=/usr/lib/rabbitmq/bin

# Debian's scripts want to run as the rabbitmq user; as root we switch to it ourselves so that
# the environment below reaches the node unchanged.
as_broker() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u rabbitmq -- env "${broker_env[@]}" "$@"
    else
        env "${broker_env[@]}" "$@"
    fi
}

broker_env=(
    HOME="$dir/home"
    RABBITMQ_NODENAME="$node"
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT="$port"
    RABBITMQ_DIST_PORT="$dist_port"
    RABBITMQ_MNESIA_BASE="$dir/mnesia"
    RABBITMQ_LOG_BASE="$dir/log"
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    RABBITMQ_PID_FILE="$dir/rabbit.pid"
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
    RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
)

ctl() { as_broker "$bin/rabbitmqctl" -n "$node" "$@"; }

make_certs() {
    local t="$dir/tls"
    [ -f "$t/server.pem" ] && return 0
    mkdir -p "$t"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Mimamori Test CA" \
        -keyout "$t/ca.key" -out "$t/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$t/server.ext"
    openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial \
        -days 30 -extfile "$t/server.ext" -out "$t/server.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=mimamori" \
        -keyout "$t/client.key" -out "$t/client.csr" 2>/dev/null
    openssl x509 -req -in "$t/client.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial \
        -days 30 -out "$t/client.pem" 2>/dev/null
    chmod 644 "$t"/*.key
}

start() {
    if ctl status >/dev/null 2>&1; then echo "rabbitmq: $node already running on 127.0.0.1:$port"; return 0; fi
    # MIMAMORI_RABBIT_FRESH=1: no memory of an earlier run (a cluster node would wait for the
    # peers of its last cluster).
    if [ -n "${MIMAMORI_RABBIT_FRESH:-}" ]; then rm -rf "$dir/mnesia"; fi
    mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
    # Nodes join a cluster only with the same Erlang cookie, which each node (and its
    # rabbitmqctl) reads from its HOME.
    if [ -n "${MIMAMORI_RABBIT_COOKIE:-}" ]; then
        rm -f "$dir/home/.erlang.cookie"
        printf '%s' "$MIMAMORI_RABBIT_COOKIE" > "$dir/home/.erlang.cookie"
        chmod 400 "$dir/home/.erlang.cookie"
    fi
    make_certs
    # The shovel carries a town's forwards to its partner's broker (deploy/rabbitmq/partner-shovel.sh).
    echo '[rabbitmq_shovel].' > "$dir/enabled_plugins"
    echo '[].' > "$dir/advanced.config"
    : > "$dir/rabbitmq-env.conf"
    cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$port
listeners.ssl.default = 127.0.0.1:$tls_port
ssl_options.cacertfile = $dir/tls/ca.pem
ssl_options.certfile = $dir/tls/server.pem
ssl_options.keyfile = $dir/tls/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
loopback_users = none
log.console = false
log.file.level = warning
# Above deploy/rabbitmq/rabbitmq.conf's 5 MiB on purpose: the hostile corpus sends 10 MiB
# events to prove the daemon refuses them itself.
max_message_size = 16777216
CONF
    if [ "$(id -u)" = 0 ]; then chown -R rabbitmq:rabbitmq "$dir"; fi
    echo "rabbitmq: starting $node on 127.0.0.1:$port (TLS $tls_port), data in $dir"
    # The node outlives this script: it must not keep the caller's descriptors open (Foundation's
    # Process learns that a child ended when the socket it passes down closes, so a test that
    # starts a node would wait for the node to stop).
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd=${fd##*/}
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
        done
        as_broker "$bin/rabbitmq-server"
    ) >"$dir/log/stdout.log" 2>&1 </dev/null &
    local deadline=$((SECONDS + 120))
    # await_startup fails at once while the node is not up yet: poll it.
    until ctl await_startup >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            echo "rabbitmq: $node did not start in 120 s; see $dir/log" >&2
            tail -30 "$dir/log/stdout.log" >&2 || true
            exit 1
        fi
        sleep 1
    done
    ctl add_vhost mimamori >/dev/null 2>&1 || true
    ctl add_user mimamori mimamori-test >/dev/null 2>&1 || true
    ctl set_permissions -p mimamori mimamori '.*' '.*' '.*' >/dev/null
    ctl set_permissions -p / mimamori '.*' '.*' '.*' >/dev/null
    ctl set_permissions -p mimamori guest '.*' '.*' '.*' >/dev/null
    echo "rabbitmq: $node ready"
}

stop() {
    # ping, not status: a node whose app a test stopped (stop_app) is still a node to stop.
    if ctl ping >/dev/null 2>&1; then
        ctl stop "$dir/rabbit.pid" >/dev/null 2>&1 || ctl stop >/dev/null 2>&1 || true
        echo "rabbitmq: $node stopped"
    fi
}

env_lines() {
    cat <<ENV
MIMAMORI_TEST_AMQP_URL=amqp://mimamori:mimamori-test@127.0.0.1:$port/mimamori
MIMAMORI_TEST_AMQPS_URL=amqps://mimamori:mimamori-test@localhost:$tls_port/mimamori
MIMAMORI_TEST_TLS_DIR=$dir/tls
MIMAMORI_TEST_RABBIT_SCRIPT=$root/scripts/rabbitmq-node.sh
ENV
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    ctl) shift; ctl "$@" ;;
    env) env_lines ;;
    *) echo "usage: $0 start|stop|ctl ARGS…|env" >&2; exit 2 ;;
esac
