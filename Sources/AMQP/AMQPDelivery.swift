import Synchronization

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
    public var exchange: String
    public var routingKey: String
    /// The queue of the consumer this came through.
    public var queue: String
    /// 2 when the publisher asked for persistence.
    public var deliveryMode: UInt8
}

/// A delivery tag is only meaningful on the channel that delivered it; after a reconnect (or a
/// reopened channel) the same number names a different message. The generation makes an ack
/// for a dead channel a typed error instead of acking the wrong message.
public struct AMQPDeliveryTag: Sendable, Hashable, CustomStringConvertible {
    public let value: UInt64
    let generation: UInt64
    let connectionID: UInt64

    public var description: String { "\(value)@\(generation)" }
}

/// Process-wide unique numbers for connections and channel generations: a tag from a closed
/// connection can never match a newer one, even one allocated at the same address.
enum AMQPGeneration {
    private static let counter = Atomic<UInt64>(0)

    static func next() -> UInt64 {
        counter.add(1, ordering: .relaxed).newValue
    }
}
