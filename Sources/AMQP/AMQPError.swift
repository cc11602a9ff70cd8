/// Every failure of the AMQP client: what happened, whether trying again can help, and what an
/// operator should look at. `Code` is a struct rather than an enum so that new codes do not
/// break callers that switch over the ones they care about.
public struct AMQPError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case invalidConfiguration, connectionRefused, authenticationFailed, accessRefused
            case tlsHandshake, timeout, connectionLost, connectionClosed, channelClosed
            case notFound, preconditionFailed, staleDeliveryTag, nacked, returned
            case consumerCancelled, closed, protocolError
        }
        fileprivate let base: Base
        public var description: String { base.rawValue }

        /// A URL or setting that cannot work; nothing was sent to the broker.
        public static let invalidConfiguration = Code(base: .invalidConfiguration)
        /// Nothing listens at the address (or it is unreachable).
        public static let connectionRefused = Code(base: .connectionRefused)
        /// The broker refused the user name and password (or the client certificate).
        public static let authenticationFailed = Code(base: .authenticationFailed)
        /// The user may not use the virtual host, exchange or queue (AMQP 403).
        public static let accessRefused = Code(base: .accessRefused)
        /// The TLS handshake failed: unknown CA, wrong host name, bad client certificate.
        public static let tlsHandshake = Code(base: .tlsHandshake)
        /// Connecting, logging in or a broker round trip did not finish in time.
        public static let timeout = Code(base: .timeout)
        /// The socket dropped or heartbeats stopped; in-flight work did not complete.
        public static let connectionLost = Code(base: .connectionLost)
        /// The broker closed the connection (e.g. 320 when it shuts down).
        public static let connectionClosed = Code(base: .connectionClosed)
        /// The broker closed a channel; `replyCode`/`replyText` say why.
        public static let channelClosed = Code(base: .channelClosed)
        /// An exchange or queue does not exist (AMQP 404).
        public static let notFound = Code(base: .notFound)
        /// A declaration disagrees with what exists, e.g. other queue arguments (AMQP 406).
        public static let preconditionFailed = Code(base: .preconditionFailed)
        /// The delivery came from a connection or channel that is gone; its message is back
        /// in the queue and will be redelivered, so acking it now would ack nothing (or the
        /// wrong message).
        public static let staleDeliveryTag = Code(base: .staleDeliveryTag)
        /// The broker refused responsibility for a published message (basic.nack).
        public static let nacked = Code(base: .nacked)
        /// A mandatory message could not be routed to any queue (basic.return).
        public static let returned = Code(base: .returned)
        /// The broker cancelled our consumer (queue deleted).
        public static let consumerCancelled = Code(base: .consumerCancelled)
        /// The connection was closed by us (`close()` or shutdown).
        public static let closed = Code(base: .closed)
        /// The broker or library sent something we did not expect.
        public static let protocolError = Code(base: .protocolError)
    }

    public var code: Code
    /// Whether the same operation may succeed later without anyone changing anything.
    public var isRetriable: Bool
    /// What happened, in one line, with the broker's own words where it gave any.
    public var message: String
    /// What an operator should check.
    public var operatorHint: String
    /// The AMQP reply code when the broker closed a channel or the connection (404, 406, 320…).
    public var replyCode: UInt16?
    public var replyText: String?

    public init(
        _ code: Code, _ message: String, isRetriable: Bool? = nil, operatorHint: String? = nil,
        replyCode: UInt16? = nil, replyText: String? = nil
    ) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable ?? Self.defaultRetriable(code)
        self.operatorHint = operatorHint ?? Self.defaultHint(code)
        self.replyCode = replyCode
        self.replyText = replyText
    }

    public var description: String {
        var text = "AMQP \(code) (\(isRetriable ? "retriable" : "not retriable")): \(message)"
        if let replyCode { text += " [reply \(replyCode)]" }
        if !operatorHint.isEmpty { text += "; \(operatorHint)" }
        return text
    }

    private static func defaultRetriable(_ code: Code) -> Bool {
        switch code {
        case .connectionRefused, .timeout, .connectionLost, .connectionClosed, .channelClosed,
            .nacked:
            return true
        default:
            return false
        }
    }

    private static func defaultHint(_ code: Code) -> String {
        switch code {
        case .invalidConfiguration: "check the broker URL"
        case .connectionRefused: "check the host and port of the broker URL and that RabbitMQ is running"
        case .authenticationFailed: "check the user and password given for the broker URL"
        case .accessRefused: "check the user's permissions on the virtual host in RabbitMQ"
        case .tlsHandshake: "check the TLS files (cacertfile, certfile, keyfile) and the host name of the amqps URL"
        case .timeout: "check that the broker is reachable and not overloaded"
        case .connectionLost, .connectionClosed: "the client reconnects by itself; check the broker's log if this repeats"
        case .notFound: "check that the exchange or queue is declared on the broker"
        case .preconditionFailed:
            "the existing exchange or queue was declared with other arguments; compare the broker's definitions with the declared topology"
        case .staleDeliveryTag: "none: the broker redelivers the message after a reconnect"
        case .returned: "no queue is bound for this routing key; check the topology"
        case .nacked: "the broker could not store the message; check its disk and memory alarms"
        case .consumerCancelled: "the queue was deleted or moved; check the topology"
        default: ""
        }
    }
}
