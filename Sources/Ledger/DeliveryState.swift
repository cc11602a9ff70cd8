import MimamoriCore

/// The row id of a delivery; safe to log.
public struct DeliveryID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// Why an attempt failed, as kept in the ledger: a stable code and a short text with no personal
/// data (no address, no server reply that quotes one).
public struct DeliveryErrorRecord: Hashable, Sendable, Codable {
    /// The code of a delivery given up because it came back from more than
    /// `Ledger.crashLoopLimit` crashes: it may have gone out each time, so it still counts as
    /// possibly sent.
    public static let crashLoopCode = DeliveryState.crashLoopCode

    public var code: String
    public var summary: String
    public init(code: String, summary: String) {
        self.code = code
        // Bounded, so a runaway message cannot bloat the file.
        self.summary = String(summary.prefix(200))
    }
}
