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

    /// The failure code of a delivery given up because it came back from more than the
    /// crash-loop limit of crashes: it may have gone out each time.
    public static let crashLoopCode = "crash-loop"

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

/// "Possibly sent": a delivery that may have reached the person. Who holds a case's personal
/// data (and so gets its termination and destruction reminder, Article 11, 11-3) and whether the
/// radio announced it (so announces its end, Article 11-2) both ask this, and nothing else.
///
/// The ledger's queries are built from these sets, so the SQL cannot say otherwise.
public enum PossiblySent {
    /// May have reached the person whatever the attempts: accepted, or handed to an outlet with
    /// no answer yet (a crash in between leaves it here).
    public static let always: Set<DeliveryState> = [.delivered, .sending]
    /// May have, once an attempt was made: a transient failure (a timeout after the data went
    /// out) leaves it planned for the retry, cancelled by a closure, or expired.
    public static let onceAttempted: Set<DeliveryState> = [.planned, .cancelled, .expired]
    /// A failed delivery was refused and received nothing, except one failed with these codes:
    /// a crash loop was never refused, it may have gone out each time.
    public static let failedYetPossiblySent: Set<String> = [DeliveryState.crashLoopCode]

    public static func includes(_ state: DeliveryState, attempts: Int, lastErrorCode: String?) -> Bool {
        if always.contains(state) { return true }
        if attempts > 0 && onceAttempted.contains(state) { return true }
        return state == .failed && lastErrorCode.map(failedYetPossiblySent.contains) == true
    }
}
