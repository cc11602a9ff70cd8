// rabbitmq-c 0.11 (Debian 12) keeps its headers at the top of the include path.
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
