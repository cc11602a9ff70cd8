/// One message the broker pushed to a consumer. Everything is copied out of rabbitmq-c's
/// buffers, so a delivery can travel to any task.
public struct AMQPDelivery: Sendable {
    public var body: [UInt8]
    public var headers: [String: AMQPHeaderValue]
    /// Pass to `AMQPConnection.ack` / `reject`; remembers which channel it came from.
    public var tag: AMQPDeliveryTag
    /// The broker delivered this message before (to us or another consumer) without an ack.
    public var redelivered: Bool
    public var messageID: String?
    public var contentType: String?
    /// The publisher's broker user, when it set `user_id` (RabbitMQ refuses a `user_id` that is
    /// not the user the publisher logged in as, so this names who published).
    public var userID: String?
    public var exchange: String
    public var routingKey: String
    /// The queue of the consumer this came through.
    public var queue: String
    /// 2 when the publisher asked for persistence.
    public var deliveryMode: UInt8
}
