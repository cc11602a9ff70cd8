#ifndef CRABBITMQ_SHIM_H
#define CRABBITMQ_SHIM_H
#include <amqp.h>

/// amqp_login is variadic (the SASL method picks the arguments); Swift cannot call it.
amqp_rpc_reply_t mimamori_amqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                           int channel_max, int frame_max, int heartbeat,
                                           const char *user, const char *password);

/// EXTERNAL login, used with a TLS client certificate.
amqp_rpc_reply_t mimamori_amqp_login_external(amqp_connection_state_t state, const char *vhost,
                                              int channel_max, int frame_max, int heartbeat,
                                              const char *identity);
#endif
