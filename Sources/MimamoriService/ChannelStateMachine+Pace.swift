import Foundation
import Timing

extension ChannelStateMachine {
    /// How fast a channel may start sends: at most the configured messages per second (a token
    /// bucket holding one second's worth, so a fan-out starts with that many at once and is then
    /// spread evenly), and slower for a while after the relay answered "too many".
    ///
    /// A relay that caps messages per second answers the messages above its cap with a 421 or a
    /// 451: trying again at the same pace would cost each delivery a retry and its backoff. So the
    /// pace halves and holds every start briefly; after `recoveryInterval` without another such
    /// answer it doubles again, until it is back at the configured rate (or unlimited). Pure: every
    /// decision takes the `now` it is given.
    struct Pace: Sendable, Equatable {
        /// How long every start waits after a "too many", so the relay's window can pass.
        static let slowDownHold: Duration = .seconds(1)
        /// How long the pace must go without a "too many" before it doubles again.
        static let recoveryInterval: Duration = .seconds(10)
        /// The slowest the pace falls to: one message every ten seconds.
        static let slowest = 0.1

        /// The configured rate (`email.rate`), messages per second; nil: unlimited.
        private(set) var configured: Double?
        /// The rate in force: the configured one, or lower after a "too many".
        private(set) var current: Double?
        /// While slowed: the rate it climbs back to (the configured one, or where an unlimited
        /// channel was first slowed from).
        private var ceiling: Double?
        /// No start before this (the hold after a "too many").
        private(set) var heldUntil: Date?
        private var tokens: Double
        private var countedAt: Date?
        private var steppedAt: Date?

        init(perSecond rate: Double?) {
            configured = rate
            current = rate
            tokens = Self.burst(rate)
        }

        /// One second's worth of starts, one at least.
        static func burst(_ rate: Double?) -> Double { max(1, (rate ?? 1).rounded(.down)) }

        /// Whether the relay's "too many" has lowered the pace below the configured rate.
        var isSlowed: Bool { ceiling != nil }

        /// A new configured rate (a reload): in force at once, and any slow-down forgotten.
        mutating func apply(perSecond rate: Double?) {
            guard rate != configured else { return }
            configured = rate
            current = rate
            ceiling = nil
            heldUntil = nil
            tokens = min(tokens, Self.burst(rate))
        }

        /// Of `wanted` starts at `now`, how many may begin; when fewer, the instant the next may.
        mutating func take(_ wanted: Int, now: Date) -> (allowed: Int, next: Date?) {
            if let held = heldUntil {
                if now < held { return (0, wanted > 0 ? held : nil) }
                heldUntil = nil
                tokens = 1
                countedAt = held
            }
            guard let rate = current, wanted > 0 else { return (wanted, nil) }
            if let since = countedAt {
                tokens = min(Self.burst(rate), tokens + max(0, now.timeIntervalSince(since)) * rate)
            }
            countedAt = now
            // A hair below a whole token (instants are stored to a tenth of a microsecond or so)
            // counts as one.
            let allowed = min(wanted, Int((tokens + 1e-6).rounded(.down)))
            tokens = max(0, tokens - Double(allowed))
            guard allowed < wanted else { return (allowed, nil) }
            return (allowed, now.addingTimeInterval(max(0, 1 - tokens) / rate))
        }

        /// The relay answered "too many" at `now`: the pace halves (an unlimited channel first falls
        /// to half its `concurrency` per second) and every start waits `slowDownHold`. Returns the
        /// new rate; nil when the answer came during the hold (a send that started before it).
        mutating func slowDown(now: Date, concurrency: Int) -> Double? {
            if let held = heldUntil, now < held { return nil }
            let base = current ?? Double(max(1, concurrency))
            if ceiling == nil { ceiling = configured ?? base }
            let slowed = max(Self.slowest, base / 2)
            current = slowed
            heldUntil = now.addingTimeInterval(Self.slowDownHold.inSeconds)
            tokens = 0
            countedAt = now
            steppedAt = now
            return slowed
        }

        /// What a step back up came to.
        enum Raise: Equatable, Sendable {
            /// Doubled, still below the rate it climbs back to.
            case to(Double)
            /// Back at the configured rate (nil: unlimited).
            case restored(Double?)
        }

        /// A send got through at `now`: a slowed pace that went `recoveryInterval` without a "too
        /// many" doubles, or comes back to the configured rate.
        mutating func sentThrough(now: Date) -> Raise? {
            guard let top = ceiling, let rate = current, let stepped = steppedAt,
                now >= stepped.addingTimeInterval(Self.recoveryInterval.inSeconds)
            else { return nil }
            steppedAt = now
            let raised = rate * 2
            guard raised < top else {
                current = configured
                ceiling = nil
                return .restored(configured)
            }
            current = raised
            return .to(raised)
        }
    }
}
