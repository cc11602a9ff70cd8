/// Dead-lettering with a reason. RabbitMQ's own dead-lettering (reject without requeue) cannot
/// say why; the operator reading `mimamori.<town>.dead` needs to. So the message is
/// republished, confirmed, and only then acked: a crash in between leaves a duplicate in the
/// dead queue, never a lost message.
extension AMQPConnection {
    public static let reasonHeader = "x-mimamori-reason"
    public static let originalRoutingKeyHeader = "x-mimamori-original-routing-key"
    public static let originalExchangeHeader = "x-mimamori-original-exchange"

    /// What the dead-letter copy carries.
    public enum DeadLetterCopy: Sendable, Equatable {
        /// The message as it came, body and headers.
        case whole
        /// The headers, these added, and an empty body: for messages whose body must not be kept.
        /// When the broker refuses such a copy the message is acked (dropped) rather than
        /// rejected, since the broker's own dead-lettering would keep the body.
        case withoutBody(adding: [String: AMQPHeaderValue])
    }

    /// - Parameters:
    ///   - reason: short, without personal data (it is a header operators read and logs show).
    ///   - exchange: the dead-letter exchange (`mimamori.dead-letters`, a topic exchange bound per town).
    public func deadLetter(
        _ delivery: AMQPDelivery, reason: String, exchange: String = AMQPTopology.deadLettersExchange,
        copy: DeadLetterCopy = .whole
    ) async throws(AMQPError) {
        let (body, headers) = Self.deadLetterContent(delivery, reason: reason, copy: copy)
        try await publish(
            exchange: exchange, routingKey: delivery.routingKey, body: body, headers: headers,
            messageID: delivery.messageID, contentType: delivery.contentType, persistent: true, mandatory: true)
        try await ack(delivery.tag)
    }

    static func deadLetterContent(
        _ delivery: AMQPDelivery, reason: String, copy: DeadLetterCopy
    ) -> ([UInt8], [String: AMQPHeaderValue]) {
        var headers = delivery.headers
        headers[Self.reasonHeader] = .string(reason)
        headers[Self.originalRoutingKeyHeader] = .string(delivery.routingKey)
        headers[Self.originalExchangeHeader] = .string(delivery.exchange)
        switch copy {
        case .whole:
            return (delivery.body, headers)
        case .withoutBody(let added):
            headers.merge(added) { _, new in new }
            return ([], headers)
        }
    }
}

extension AMQPConnection {
    /// How a message that can never succeed left the case queue.
    public enum DeadLetterRoute: Sendable {
        /// Republished to the dead-letter exchange with its reason, then acked.
        case republished
        /// The broker would not take the copy (returned, nacked, or the publish failed): the
        /// message was rejected without requeue, so the queue's own `x-dead-letter-exchange`
        /// takes it, without the reason header.
        case rejected(AMQPError)
        /// The broker would not take a body-less copy: the message was acked, so its body is
        /// nowhere in the broker (a reject would have dead-lettered it whole).
        case dropped(AMQPError)
    }

    /// `deadLetter(_:reason:)`, and when the copy is refused, a reject without requeue (or for
    /// a body-less copy, an ack) instead of leaving the message unacked: each such message
    /// would hold a prefetch slot until the connection closes, and a prefetch's worth of them
    /// stops intake. Throws only when neither the ack nor the reject reached the broker (the
    /// message then comes back after a reconnect).
    public func deadLetterOrReject(
        _ delivery: AMQPDelivery, reason: String, exchange: String = AMQPTopology.deadLettersExchange,
        copy: DeadLetterCopy = .whole
    ) async throws(AMQPError) -> DeadLetterRoute {
        let (body, headers) = Self.deadLetterContent(delivery, reason: reason, copy: copy)
        do {
            try await publish(
                exchange: exchange, routingKey: delivery.routingKey, body: body, headers: headers,
                messageID: delivery.messageID, contentType: delivery.contentType, persistent: true, mandatory: true)
        } catch {
            if case .withoutBody = copy {
                try await ack(delivery.tag)
                return .dropped(error)
            }
            try await reject(delivery.tag, requeue: false)
            return .rejected(error)
        }
        try await ack(delivery.tag)
        return .republished
    }
}
