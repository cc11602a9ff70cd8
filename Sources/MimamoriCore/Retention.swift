import Foundation
import Timing

/// Design 4.1: "After closure and a configurable retention (default 30 days), personal data is
/// purged from the ledger; case id, counts and timestamps stay for the audit."
///
/// The one place that says when a case's personal data must go; the ledger's purge and the
/// retention sweep ask it, and the settings refuse a retention shorter than
/// `Configuration.minimumRetention`.
public enum Retention {
    /// A delivery of the case that is not finished: being sent, or planned until its deadline.
    public struct UnfinishedDelivery: Sendable, Hashable {
        /// Handed to an outlet (or claimed for one): its notice and address are in use.
        public var isSending: Bool
        /// After this instant a planned delivery is only expired, never sent.
        public var deadline: Date

        public init(isSending: Bool, deadline: Date) {
            self.isSending = isSending
            self.deadline = deadline
        }

        /// Whether it may still go out, and so needs the notice and the address.
        public func mayStillBeSent(now: Date) -> Bool { isSending || deadline > now }
    }

    /// Whether the personal data of a case must be purged now: it was closed more than
    /// `retention` ago, and nothing of it is left to send. A termination or destruction
    /// reminder still being sent, or planned within its deadline, needs its notice and address,
    /// so the case waits for it; one past its deadline will only expire, so a channel with no
    /// outlet cannot keep the data forever. An open case keeps its data (its open-case alarm
    /// asks the staff to have it closed).
    ///
    /// A case with an emergency temporary stay (緊急一時保護) keeps its data while the stay goes
    /// on (held or with the facility: the request, its amendments and the facility's
    /// destruction reminder need it), and its retention starts when the stay ended, if that is
    /// later than the closure; the facility's reminder is one of the unfinished deliveries.
    public static func isDueForPurge(
        closedAt: Date?, unfinished: [UnfinishedDelivery], stay: Stay? = nil, retention: Duration, now: Date
    ) -> Bool {
        guard var since = closedAt else { return false }
        switch stay {
        case nil: break
        case .ongoing?: return false
        case .ended(let at)?: since = max(since, at)
        }
        guard since.addingTimeInterval(retention.inSeconds) < now else { return false }
        return !unfinished.contains { $0.mayStillBeSent(now: now) }
    }

    /// Where a case's emergency temporary stay is, for the purge.
    public enum Stay: Sendable, Hashable {
        /// Held for the staff, or the person is at the facility.
        case ongoing
        case ended(at: Date)
    }

    /// Whether a case has been open too long (`open-case-alarm`, design 5a): opened more than
    /// `limit` ago and never closed, so its personal data stays and the staff are asked to have
    /// it closed. The alarm is raised once per case.
    public static func isOpenTooLong(openedAt: Date, closedAt: Date?, limit: Duration, now: Date) -> Bool {
        closedAt == nil && openedAt.addingTimeInterval(limit.inSeconds) < now
    }
}
