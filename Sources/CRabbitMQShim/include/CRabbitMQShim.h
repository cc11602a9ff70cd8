#ifndef CRABBITMQ_SHIM_H
#define CRABBITMQ_SHIM_H
#include <amqp.h>

/// amqp_login is variadic (the SASL method picks the arguments); Swift cannot call it.
amqp_rpc_reply_t amqpshim_login_plain(amqp_connection_state_t state, const char *vhost,
                                           int channel_max, int frame_max, int heartbeat,
                                           const char *user, const char *password);

/// EXTERNAL login, used with a TLS client certificate.
amqp_rpc_reply_t amqpshim_login_external(amqp_connection_state_t state, const char *vhost,
                                              int channel_max, int frame_max, int heartbeat,
                                              const char *identity);

/// PLAIN (or EXTERNAL when `external` is non-zero, then `user` is the identity and `password`
/// is ignored) login that also announces `consumer_cancel_notify` and `connection.blocked`
/// and names the connection, so the broker tells us when it cancels a consumer (queue deleted,
/// quorum leader lost) and the management UI shows which daemon a connection belongs to.
amqp_rpc_reply_t amqpshim_login_named(amqp_connection_state_t state, const char *vhost,
                                           int channel_max, int frame_max, int heartbeat,
                                           int external, const char *user,
                                           const char *password, const char *connection_name);

/// A non-blocking, close-on-exec eventfd: the connection thread polls it next to the broker
/// socket so that submitting a job wakes it. (Swift's Glibc module does not export
/// <sys/eventfd.h>.) Returns -1 with errno set on failure.
int amqpshim_eventfd(void);
#endif
