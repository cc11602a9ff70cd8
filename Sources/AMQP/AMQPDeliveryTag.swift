/// A delivery tag is only meaningful on the channel that delivered it; after a reconnect (or a
/// reopened channel) the same number names a different message. The generation makes an ack
/// for a dead channel a typed error instead of acking the wrong message.
public struct AMQPDeliveryTag: Sendable, Hashable, CustomStringConvertible {
    public let value: UInt64
    let generation: UInt64
    let connectionID: UInt64

    public var description: String { "\(value)@\(generation)" }
}
