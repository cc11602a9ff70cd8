/// Where a delivery is in its life.
///
/// ```
/// planned ──claim──► sending ──► delivered
///    ▲                  │ ├────► failed     (permanent error)
///    └──retry / restart─┘ └────► expired    (past its deadline)
/// planned ──closure──► cancelled
/// ```
public enum DeliveryState: String, Hashable, Sendable, Codable, CaseIterable {
    case planned
    case sending
    case delivered
    case failed
    case cancelled
    case expired

    /// No further attempt will be made.
    public var isFinal: Bool {
        switch self {
        case .planned, .sending: false
        case .delivered, .failed, .cancelled, .expired: true
        }
    }

    /// Ended without reaching the recipient, so the operator is owed an alarm (design 4.1: a
    /// permanent error is reported; a delivery still failing past its deadline is reported to
    /// the operator's alarm address). A cancelled one was meant not to go.
    public var owesAlarm: Bool {
        switch self {
        case .failed, .expired: true
        case .planned, .sending, .delivered, .cancelled: false
        }
    }
}

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
    public static let crashLoopCode = "crash-loop"

    public var code: String
    public var summary: String
    public init(code: String, summary: String) {
        self.code = code
        // Bounded, so a runaway message cannot bloat the file.
        self.summary = String(summary.prefix(200))
    }
}
