import Logging

/// The only metadata keys the outlets log with: the delivery's key, codes and protocol numbers,
/// never an address, a recipient's name or a server's reply text (which may quote either).
enum OutletLogKey: String, Sendable {
    case delivery
    case code
    case retriable
    case http
    case smtp
    case stage
    case scope
    case job
}

extension Logger.Metadata {
    /// Builds metadata from `OutletLogKey`s only.
    static func keys(_ pairs: KeyValuePairs<OutletLogKey, Logger.MetadataValue>) -> Logger.Metadata {
        var metadata = Logger.Metadata()
        for (key, value) in pairs { metadata[key.rawValue] = value }
        return metadata
    }
}
