import CRabbitMQ
import CRabbitMQShim

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One live broker connection: the rabbitmq-c state, its socket and three channels. Lives and
/// dies on the connection thread (not Sendable); `deinit` frees the C state, so dropping the
/// session is how a dead connection is cleaned up.
///
/// Channels are split by job so that a failure on one does not cost the others: a refused
/// declaration (404/406 closes its channel) must not return the consumer's unacked messages or
/// fail the publisher's pending confirms.
final class AMQPSession {
    static let consumerChannel: amqp_channel_t = 1
    static let publisherChannel: amqp_channel_t = 2
    static let rpcChannel: amqp_channel_t = 3

    let state: amqp_connection_state_t
    /// Seconds, as negotiated at login: the broker may ask for less than we offered.
    var heartbeat: Int { Int(amqp_get_heartbeat(state)) }
    /// Set once the connection itself failed (socket error, timeout, connection.close); the
    /// engine then drops this session and reconnects. A closed channel does not break it.
    private(set) var isBroken = false
    private var openChannels: Set<amqp_channel_t> = []

    private init(state: amqp_connection_state_t) {
        self.state = state
    }

    deinit {
        // Closes the socket too; a connection.close handshake, if wanted, happened before.
        amqp_destroy_connection(state)
    }

    var socketFD: Int32 { amqp_get_sockfd(state) }

    /// Connects, logs in and opens the channels. Blocks for at most the connect timeout plus
    /// the handshake and a few RPC timeouts.
    static func open(_ configuration: AMQPConfiguration) throws(AMQPError) -> AMQPSession {
        guard let state = amqp_new_connection() else {
            throw AMQPError(.connectionLost, "rabbitmq-c could not allocate a connection")
        }
        let session = AMQPSession(state: state)
        try session.connect(configuration)
        return session
    }

    private func connect(_ configuration: AMQPConfiguration) throws(AMQPError) {
        let socket: OpaquePointer
        if let tls = configuration.tls {
            guard let s = amqp_ssl_socket_new(state) else {
                throw AMQPError(.tlsHandshake, "rabbitmq-c could not create a TLS socket")
            }
            socket = s
            // Without a CA file, the system's bundle (Debian's path), as a browser would.
            let systemBundle = "/etc/ssl/certs/ca-certificates.crt"
            if let ca = tls.caFile ?? (access(systemBundle, R_OK) == 0 ? systemBundle : nil) {
                let rc = amqp_ssl_socket_set_cacert(socket, ca)
                guard rc == AMQP_STATUS_OK.rawValue else {
                    throw AMQPError(
                        .tlsHandshake, "cannot read CA file \(ca): \(String(cString: amqp_error_string2(rc)))",
                        isRetriable: false, operatorHint: "check the cacertfile parameter of the amqps URL")
                }
            }
            if let cert = tls.certificateFile, let key = tls.keyFile {
                let rc = amqp_ssl_socket_set_key(socket, cert, key)
                guard rc == AMQP_STATUS_OK.rawValue else {
                    throw AMQPError(
                        .tlsHandshake, "cannot read client certificate \(cert) or key \(key)",
                        isRetriable: false, operatorHint: "check the certfile and keyfile parameters of the amqps URL")
                }
            }
            amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
            amqp_ssl_socket_set_verify_hostname(socket, tls.verifyHostname ? 1 : 0)
        } else {
            guard let s = amqp_tcp_socket_new(state) else {
                throw AMQPError(.connectionLost, "rabbitmq-c could not create a socket")
            }
            socket = s
        }

        var connectTimeout = Self.timeval(configuration.connectTimeout)
        let rc = amqp_socket_open_noblock(socket, configuration.host, Int32(configuration.port), &connectTimeout)
        guard rc == AMQP_STATUS_OK.rawValue else { throw AMQPError.connect(rc, configuration) }

        var handshake = Self.timeval(configuration.connectTimeout)
        _ = amqp_set_handshake_timeout(state, &handshake)
        var rpc = Self.timeval(configuration.rpcTimeout)
        _ = amqp_set_rpc_timeout(state, &rpc)

        let reply = configuration.virtualHost.withCString { vhost in
            configuration.user.withCString { user in
                configuration.password.withCString { password in
                    configuration.connectionName.withCString { name in
                        amqpshim_login_named(
                            state, vhost, 0, Int32(configuration.frameMax), Int32(configuration.heartbeat),
                            configuration.authentication == .external ? 1 : 0, user, password, name)
                    }
                }
            }
        }
        try check(
            reply, "login to \(configuration.host):\(configuration.port) as \(configuration.user)", channel: 0,
            login: true)

        for channel in [Self.consumerChannel, Self.publisherChannel, Self.rpcChannel] {
            try openChannel(channel)
        }
        try setUpConsumerChannel(prefetch: configuration.prefetch)
        try setUpPublisherChannel()
    }

    func openChannel(_ channel: amqp_channel_t) throws(AMQPError) {
        _ = amqp_channel_open(state, channel)
        try check(amqp_get_rpc_reply(state), "opening channel \(channel)", channel: channel)
        openChannels.insert(channel)
    }

    func setUpConsumerChannel(prefetch: UInt16) throws(AMQPError) {
        _ = amqp_basic_qos(state, Self.consumerChannel, 0, prefetch, 0)
        try check(amqp_get_rpc_reply(state), "basic.qos", channel: Self.consumerChannel)
    }

    func setUpPublisherChannel() throws(AMQPError) {
        _ = amqp_confirm_select(state, Self.publisherChannel)
        try check(amqp_get_rpc_reply(state), "confirm.select", channel: Self.publisherChannel)
    }

    /// The broker closed `channel` (outside an RPC): acknowledge, as the protocol requires.
    func acknowledgeChannelClose(_ channel: amqp_channel_t) throws(AMQPError) {
        openChannels.remove(channel)
        var ok = amqp_channel_close_ok_t(dummy: 0)
        let rc = amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD_ID, &ok)
        guard rc == AMQP_STATUS_OK.rawValue else { throw failure(rc, "channel.close-ok") }
    }

    /// A library call returned a negative status: the connection is unusable.
    func failure(_ status: Int32, _ context: String) -> AMQPError {
        isBroken = true
        return AMQPError.status(status, context)
    }

    func isOpen(_ channel: amqp_channel_t) -> Bool { openChannels.contains(channel) }

    func acknowledgeConnectionClose() {
        isBroken = true
        var ok = amqp_connection_close_ok_t(dummy: 0)
        _ = amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD_ID, &ok)
    }

    /// Orderly goodbye: closing the consumer channel returns its unacked messages at once
    /// (instead of when the broker notices the socket is gone).
    func close() {
        guard !isBroken else { return }  // nobody to say goodbye to; deinit closes the socket
        for channel in openChannels.sorted() {
            _ = amqp_channel_close(state, channel, Int32(AMQP_REPLY_SUCCESS))
        }
        openChannels.removeAll()
        _ = amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS))
    }

    /// Turns an RPC reply into success or a typed error. A channel or connection the broker
    /// closed is acknowledged here, so the session stays protocol-correct.
    func check(
        _ reply: amqp_rpc_reply_t, _ context: String, channel: amqp_channel_t, login: Bool = false
    ) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_NONE:
            isBroken = true
            throw AMQPError(.protocolError, "\(context): no reply from rabbitmq-c")
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            isBroken = true
            if login && reply.library_error == AMQP_STATUS_CONNECTION_CLOSED.rawValue {
                throw AMQPError(
                    .authenticationFailed, "\(context): the broker closed the connection during login",
                    isRetriable: false)
            }
            throw AMQPError.status(reply.library_error, context)
        default:  // AMQP_RESPONSE_SERVER_EXCEPTION
            if reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD_ID {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                acknowledgeConnectionClose()
                throw AMQPError.broker(
                    replyCode: close.reply_code, replyText: AMQPDecode.string(close.reply_text),
                    context: context, connectionLevel: true)
            }
            if reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD_ID {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                try acknowledgeChannelClose(channel)
                throw AMQPError.broker(
                    replyCode: close.reply_code, replyText: AMQPDecode.string(close.reply_text),
                    context: context, connectionLevel: false)
            }
            isBroken = true
            throw AMQPError(.protocolError, "\(context): unexpected method \(reply.reply.id)")
        }
    }

    static func timeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
