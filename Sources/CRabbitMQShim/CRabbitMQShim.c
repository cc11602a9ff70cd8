#include "CRabbitMQShim.h"
#include <sys/eventfd.h>

amqp_rpc_reply_t amqpshim_login_plain(amqp_connection_state_t state, const char *vhost,
                                           int channel_max, int frame_max, int heartbeat,
                                           const char *user, const char *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat,
                      AMQP_SASL_METHOD_PLAIN, user, password);
}

amqp_rpc_reply_t amqpshim_login_external(amqp_connection_state_t state, const char *vhost,
                                              int channel_max, int frame_max, int heartbeat,
                                              const char *identity) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat,
                      AMQP_SASL_METHOD_EXTERNAL, identity);
}

static amqp_table_entry_t bool_entry(const char *key, int value) {
    amqp_table_entry_t entry;
    entry.key = amqp_cstring_bytes(key);
    entry.value.kind = AMQP_FIELD_KIND_BOOLEAN;
    entry.value.value.boolean = value;
    return entry;
}

amqp_rpc_reply_t amqpshim_login_named(amqp_connection_state_t state, const char *vhost,
                                           int channel_max, int frame_max, int heartbeat,
                                           int external, const char *user,
                                           const char *password, const char *connection_name) {
    // rabbitmq-c merges these with its own defaults (authentication_failure_close, which makes
    // a wrong password a connection.close 403 instead of a bare socket close).
    amqp_table_entry_t capabilities[3];
    capabilities[0] = bool_entry("consumer_cancel_notify", 1);
    capabilities[1] = bool_entry("connection.blocked", 1);
    capabilities[2] = bool_entry("publisher_confirms", 1);
    amqp_table_t capabilities_table = {3, capabilities};

    amqp_table_entry_t properties[2];
    properties[0].key = amqp_cstring_bytes("capabilities");
    properties[0].value.kind = AMQP_FIELD_KIND_TABLE;
    properties[0].value.value.table = capabilities_table;
    properties[1].key = amqp_cstring_bytes("connection_name");
    properties[1].value.kind = AMQP_FIELD_KIND_UTF8;
    properties[1].value.value.bytes = amqp_cstring_bytes(connection_name);
    amqp_table_t properties_table = {2, properties};

    if (external) {
        return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat,
                                          &properties_table, AMQP_SASL_METHOD_EXTERNAL, user);
    }
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat,
                                      &properties_table, AMQP_SASL_METHOD_PLAIN, user, password);
}

int amqpshim_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}
