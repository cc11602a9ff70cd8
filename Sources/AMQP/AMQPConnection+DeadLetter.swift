/// Dead-lettering with a reason. RabbitMQ's own dead-lettering (reject without requeue) cannot
/// say why; the operator reading `mimamori.<town>.dead` needs to. So the message is
/// republished, confirmed, and only then acked: a crash in between leaves a duplicate in the
/// dead queue, never a lost message.
extension AMQPConnection {
    public static let reasonHeader = "x-mimamori-reason"
    public static let originalRoutingKeyHeader = "x-mimamori-original-routing-key"
    public static let originalExchangeHeader = "x-mimamori-original-exchange"

    /// - Parameters:
    ///   - reason: short, without personal data (it is a header operators read and logs show).
    ///   - exchange: the dead-letter exchange (design 3.2: `mimamori.dead`).
    public func deadLetter(
        _ delivery: AMQPDelivery, reason: String, exchange: String = AMQPTopology.deadExchange
    ) async throws(AMQPError) {
        var headers = delivery.headers
        headers[Self.reasonHeader] = .string(reason)
        headers[Self.originalRoutingKeyHeader] = .string(delivery.routingKey)
        headers[Self.originalExchangeHeader] = .string(delivery.exchange)
        try await publish(
            exchange: exchange, routingKey: delivery.routingKey, body: delivery.body, headers: headers,
            messageID: delivery.messageID, contentType: delivery.contentType, persistent: true, mandatory: true)
        try await ack(delivery.tag)
    }
}
