import AMQP

extension DeadLetterHeaders {
    /// The headers operators and `mimamori dead-letters` read on every dead letter.
    public static let mimamori = DeadLetterHeaders(
        reason: "x-mimamori-reason", originalRoutingKey: "x-mimamori-original-routing-key",
        originalExchange: "x-mimamori-original-exchange")
}

extension AMQPConnection {
    /// A case message that can never succeed, to the town's dead queue through
    /// `mimamori.dead-letters` with its reason.
    public func deadLetter(_ delivery: AMQPDelivery, reason: String, copy: DeadLetterCopy = .whole)
        async throws(AMQPError)
    {
        try await deadLetter(
            delivery, reason: reason, exchange: AMQPTopology.deadLettersExchange, names: .mimamori, copy: copy)
    }

    /// `deadLetter(_:reason:copy:)`, or a reject (a drop for a body-less copy) when the broker
    /// refuses the copy.
    public func deadLetterOrReject(_ delivery: AMQPDelivery, reason: String, copy: DeadLetterCopy = .whole)
        async throws(AMQPError) -> DeadLetterRoute
    {
        try await deadLetterOrReject(
            delivery, reason: reason, exchange: AMQPTopology.deadLettersExchange, names: .mimamori, copy: copy)
    }
}
