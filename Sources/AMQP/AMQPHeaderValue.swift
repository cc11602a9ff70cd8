/// A value in a message's headers (an AMQP field table), as Swift sees it. Nested arrays and
/// tables are kept so that a dead-lettered message keeps RabbitMQ's own `x-death` history.
public enum AMQPHeaderValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case double(Double)
    case bytes([UInt8])
    /// AMQP timestamp: seconds since 1970.
    case timestamp(UInt64)
    case array([AMQPHeaderValue])
    case table([String: AMQPHeaderValue])
    case void

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}

extension AMQPHeaderValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
