import Logging

/// The only metadata keys a log line may carry: ids, counts, durations and reasons.
/// A name, description, address or phone number has no key here, so it has no way into the journal.
public enum LogKey: String, Sendable {
    case caseID = "case"
    case sequence = "seq"
    case messageID = "msg"
    case recipient
    case channel
    case kind
    case attempt
    case milliseconds = "ms"
    case reason
    case count
    case fax
    case email
    case radio
    case state
    case file
    case version
    case error
    case code
    case delayMilliseconds = "delay_ms"
    case deliveryID = "delivery"
}

extension Logger.Metadata {
    /// Builds metadata from `LogKey`s: `Logger.Metadata(.caseID, "KN-1", .count, 3)`.
    public static func keyed(_ pairs: KeyValuePairs<LogKey, any CustomStringConvertible & Sendable>) -> Logger.Metadata {
        var metadata = Logger.Metadata()
        for (key, value) in pairs { metadata[key.rawValue] = .stringConvertible(value) }
        return metadata
    }
}
