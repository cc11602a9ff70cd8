import CRabbitMQ

/// Turning rabbitmq-c's status codes and RPC replies into `AMQPError`s.
extension AMQPError {
    /// A negative `amqp_status_enum` from a library call.
    static func status(_ status: Int32, _ context: String) -> AMQPError {
        let text = String(cString: amqp_error_string2(status))
        switch status {
        case AMQP_STATUS_TIMEOUT.rawValue:
            return AMQPError(.timeout, "\(context): \(text)")
        case AMQP_STATUS_SSL_ERROR.rawValue, AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue,
            AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue, AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue:
            return AMQPError(.tlsHandshake, "\(context): \(text)")
        case AMQP_STATUS_HEARTBEAT_TIMEOUT.rawValue:
            return AMQPError(.connectionLost, "\(context): heartbeats from the broker stopped")
        default:
            return AMQPError(.connectionLost, "\(context): \(text)")
        }
    }

    /// A failed TCP (or TLS) connect: nothing was exchanged with a broker yet.
    static func connect(_ status: Int32, _ configuration: AMQPConfiguration) -> AMQPError {
        let target = "\(configuration.host):\(configuration.port)"
        let text = String(cString: amqp_error_string2(status))
        switch status {
        case AMQP_STATUS_SSL_ERROR.rawValue, AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue,
            AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue, AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue:
            return AMQPError(.tlsHandshake, "TLS handshake with \(target) failed: \(text)")
        case AMQP_STATUS_TIMEOUT.rawValue:
            return AMQPError(
                .timeout, "connecting to \(target) timed out",
                operatorHint: "check the host and port of the broker URL and the firewall")
        case AMQP_STATUS_HOSTNAME_RESOLUTION_FAILED.rawValue:
            return AMQPError(.connectionRefused, "cannot resolve \(configuration.host)")
        case AMQP_STATUS_SOCKET_ERROR.rawValue:
            // rabbitmq-c does not keep the errno of its non-blocking connect.
            return AMQPError(.connectionRefused, "cannot connect to \(target): refused or unreachable (\(text))")
        default:
            return AMQPError(.connectionRefused, "cannot connect to \(target): \(text)")
        }
    }

    /// The broker's connection.close or channel.close, by AMQP reply code.
    static func broker(
        replyCode: UInt16, replyText: String, context: String, connectionLevel: Bool
    ) -> AMQPError {
        let message = "\(context): \(replyText)"
        switch replyCode {
        case 403:
            if replyText.contains("Login was refused") || replyText.contains("authentication") {
                return AMQPError(.authenticationFailed, message, replyCode: replyCode, replyText: replyText)
            }
            return AMQPError(.accessRefused, message, replyCode: replyCode, replyText: replyText)
        case 404:
            return AMQPError(.notFound, message, replyCode: replyCode, replyText: replyText)
        case 406:
            return AMQPError(.preconditionFailed, message, replyCode: replyCode, replyText: replyText)
        case 530 where replyText.contains("vhost"):
            return AMQPError(
                .accessRefused, message, isRetriable: false,
                operatorHint: "check the virtual host (the path) of the broker URL",
                replyCode: replyCode, replyText: replyText)
        default:
            return AMQPError(
                connectionLevel ? .connectionClosed : .channelClosed, message,
                replyCode: replyCode, replyText: replyText)
        }
    }
}
