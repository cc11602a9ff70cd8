import Foundation
import Timing

/// When to try a failed delivery again: capped exponential backoff with jitter, bounded by a
/// deadline. Pure: the caller supplies `now` and the random source, so tests pin both.
///
/// The n-th retry waits `initialDelay × multiplier^(n-1)`, capped at `maximumDelay`, of which the
/// fraction `jitter` is random (so a thousand deliveries failing together do not retry together).
/// A permanent failure stops at once; a retry that would fall after the deadline gives up, and the
/// caller alarms the operator.
public struct RetryPolicy: Hashable, Sendable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var multiplier: Double
    /// 0 … 1: the part of each delay that is random. 0.2 waits between 80 % and 100 % of the step.
    public var jitter: Double
    /// How long after a delivery becomes due it may still be tried.
    public var deadline: Duration

    public init(
        initialDelay: Duration = .seconds(5), maximumDelay: Duration = .seconds(600),
        multiplier: Double = 2, jitter: Double = 0.2, deadline: Duration = .seconds(4 * 3600)
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = max(maximumDelay, initialDelay)
        self.multiplier = max(1, multiplier)
        self.jitter = min(1, max(0, jitter))
        self.deadline = deadline
    }

    public static let `default` = RetryPolicy()

    /// `retry:` of mimamori.yaml.
    public init(_ settings: Configuration.Retry) {
        self.init(initialDelay: settings.initial, maximumDelay: settings.max, deadline: settings.deadline)
    }

    /// What to do after a failed attempt.
    public enum Decision: Hashable, Sendable {
        /// Transient: try again at this instant.
        case retry(at: Date)
        /// Permanent: no retry can help; report once and stop.
        case stop
        /// Transient, but the next try would fall past the deadline: give up and alarm the operator.
        case giveUp
    }

    /// The deadline of a delivery that becomes due at `due`.
    public func deadline(from due: Date) -> Date {
        due.addingTimeInterval(deadline.inSeconds)
    }

    /// The schedule of the waits between tries.
    public var backoff: Backoff {
        .exponential(initial: initialDelay, multiplier: multiplier, maximum: maximumDelay, jitter: jitter)
    }

    /// The wait after attempt number `attempt` (1 = the first try failed), `unit` in 0 ..< 1 from
    /// the random source.
    public func delay(afterAttempt attempt: Int, unit: Double) -> Duration {
        backoff.delay(afterAttempt: attempt, unit: unit)
    }

    /// Decides after attempt number `attempt` failed at `now`.
    public func decide(attempt: Int, isRetriable: Bool, now: Date, deadline: Date, unit: Double) -> Decision {
        guard isRetriable else { return .stop }
        let next = now.addingTimeInterval(delay(afterAttempt: attempt, unit: unit).inSeconds)
        return next > deadline ? .giveUp : .retry(at: next)
    }

    /// Decides after attempt number `attempt` failed at `now`, drawing the jitter from `generator`.
    public func decide<G: RandomNumberGenerator>(
        attempt: Int, isRetriable: Bool, now: Date, deadline: Date, using generator: inout G
    ) -> Decision {
        decide(
            attempt: attempt, isRetriable: isRetriable, now: now, deadline: deadline,
            unit: Double.random(in: 0..<1, using: &generator))
    }
}
