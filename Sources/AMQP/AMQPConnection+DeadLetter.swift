/// Dead-lettering with a reason. RabbitMQ's own dead-lettering (reject without requeue) cannot
/// say why; the operator reading the dead queue needs to. So the message is
/// republished, confirmed, and only then acked: a crash in between leaves a duplicate in the
/// dead queue, never a lost message.
/// The header names a dead-letter copy carries: its reason and where it was first published.
public struct DeadLetterHeaders: Sendable, Hashable {
    public var reason: String
    public var originalRoutingKey: String
    public var originalExchange: String

    public init(reason: String, originalRoutingKey: String, originalExchange: String) {
        self.reason = reason
        self.originalRoutingKey = originalRoutingKey
        self.originalExchange = originalExchange
    }
}

extension AMQPConnection {

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
    ///   - exchange: the dead-letter exchange; the copy keeps the message's routing key.
    ///   - names: the headers that carry the reason and the original exchange and routing key.
    public func deadLetter(
        _ delivery: AMQPDelivery, reason: String, exchange: String, names: DeadLetterHeaders,
        copy: DeadLetterCopy = .whole
    ) async throws(AMQPError) {
        let (body, headers) = Self.deadLetterContent(delivery, reason: reason, names: names, copy: copy)
        try await publish(
            exchange: exchange, routingKey: delivery.routingKey, body: body, headers: headers,
            messageID: delivery.messageID, contentType: delivery.contentType, persistent: true, mandatory: true)
        try await ack(delivery.tag)
    }

    static func deadLetterContent(
        _ delivery: AMQPDelivery, reason: String, names: DeadLetterHeaders, copy: DeadLetterCopy
    ) -> ([UInt8], [String: AMQPHeaderValue]) {
        var headers = delivery.headers
        headers[names.reason] = .string(reason)
        headers[names.originalRoutingKey] = .string(delivery.routingKey)
        headers[names.originalExchange] = .string(delivery.exchange)
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

    /// `deadLetter(_:reason:exchange:names:copy:)`, and when the copy is refused, a reject without requeue (or for
    /// a body-less copy, an ack) instead of leaving the message unacked: each such message
    /// would hold a prefetch slot until the connection closes, and a prefetch's worth of them
    /// stops intake. Throws only when neither the ack nor the reject reached the broker (the
    /// message then comes back after a reconnect).
    public func deadLetterOrReject(
        _ delivery: AMQPDelivery, reason: String, exchange: String, names: DeadLetterHeaders,
        copy: DeadLetterCopy = .whole
    ) async throws(AMQPError) -> DeadLetterRoute {
        let (body, headers) = Self.deadLetterContent(delivery, reason: reason, names: names, copy: copy)
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
