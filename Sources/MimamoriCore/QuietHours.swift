import Foundation

/// Hours in which the disaster radio should not broadcast (night), and what to do then.
/// `from` after `to` spans midnight (21:00–07:00); `from == to` means no quiet hours.
public struct QuietHours: Sendable, Hashable, Codable {
    public enum Policy: String, Sendable, Hashable, Codable, CaseIterable {
        /// Hold the broadcast until the quiet hours end.
        case `defer`
        /// Broadcast anyway: a missing person at night may not wait for morning.
        case broadcast
    }

    public var from: TimeOfDay
    public var to: TimeOfDay
    public var policy: Policy

    public init(from: TimeOfDay, to: TimeOfDay, policy: Policy) {
        self.from = from
        self.to = to
        self.policy = policy
    }

    public static let none = QuietHours(from: TimeOfDay(hour: 0, minute: 0), to: TimeOfDay(hour: 0, minute: 0), policy: .broadcast)

    /// Whether the wall-clock time falls inside the quiet hours (`from` inclusive, `to` exclusive).
    public func contains(_ time: TimeOfDay) -> Bool {
        if from == to { return false }
        return from < to ? (from <= time && time < to) : (time >= from || time < to)
    }

    /// When a broadcast planned at `now` may go out under this policy.
    public func earliestBroadcast(at now: Date) -> Date {
        let time = JapaneseCalendar.timeOfDay(of: now)
        guard policy == .defer, contains(time) else { return now }
        let today = JapaneseCalendar.localDate(of: now)
        // Before `to` on the clock: it ends today; otherwise (evening part) tomorrow.
        let endDay = time < to ? today : today.adding(days: 1)
        return JapaneseCalendar.instant(endDay, to)
    }
}
