import Logging

/// The only metadata keys the AMQP client logs with: the broker's names and numbers, never a
/// message's body or headers.
enum AMQPLogKey: String, Sendable {
    case queue
    case hint
    case method
    case channel
    case error
    case broker
    case attempt
    case delayMs = "delay_ms"
    case downtimeMs = "downtime_ms"
    /// One node of a cluster, `host:port`.
    case node
}

extension Logger.Metadata {
    /// Builds metadata from `AMQPLogKey`s only.
    static func keys(_ pairs: KeyValuePairs<AMQPLogKey, Logger.MetadataValue>) -> Logger.Metadata {
        var metadata = Logger.Metadata()
        for (key, value) in pairs { metadata[key.rawValue] = value }
        return metadata
    }
}
