#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How long to wait before trying again after the n-th failed try: either doubling (or any
/// multiplier) from a first delay up to a cap, or an explicit list of steps whose last one
/// repeats. Part of each delay may be random (`jitter`) so that many callers failing together
/// do not try again together. Pure: the caller supplies the random `unit`.
public struct Backoff: Hashable, Sendable {
    public enum Schedule: Hashable, Sendable {
        /// `initial × multiplier^(n-1)`, capped at `maximum`, to the millisecond.
        case exponential(initial: Duration, multiplier: Double, maximum: Duration)
        /// The n-th delay is the n-th step; past the end, the last step repeats.
        case steps([Duration])
    }

    public var schedule: Schedule
    /// 0 … 1: the part of each delay that is random. 0.2 waits between 80 % and 100 % of the step.
    public var jitter: Double

    public init(_ schedule: Schedule, jitter: Double = 0) {
        if case .steps(let steps) = schedule { precondition(!steps.isEmpty, "a backoff needs a step") }
        self.schedule = schedule
        self.jitter = min(1, max(0, jitter))
    }

    public static func exponential(
        initial: Duration, multiplier: Double = 2, maximum: Duration, jitter: Double = 0
    ) -> Backoff {
        Backoff(.exponential(initial: initial, multiplier: max(1, multiplier), maximum: max(maximum, initial)), jitter: jitter)
    }

    public static func steps(_ steps: [Duration], jitter: Double = 0) -> Backoff {
        Backoff(.steps(steps), jitter: jitter)
    }

    /// The wait after try number `attempt` (1: the first try failed), `unit` in 0 … 1 from the
    /// random source (1: the whole step).
    public func delay(afterAttempt attempt: Int, unit: Double = 1) -> Duration {
        let unit = min(max(unit, 0), 1)
        switch schedule {
        case .steps(let steps):
            let step = steps[min(max(attempt, 1), steps.count) - 1]
            return jitter == 0 ? step : step * (1 - jitter + jitter * unit)
        case .exponential(let initial, let multiplier, let maximum):
            let exponent = Double(max(0, attempt - 1))
            // pow overflows to +inf for huge exponents; min() caps it.
            let step = min(maximum.inSeconds, initial.inSeconds * pow(multiplier, exponent))
            let wait = step * (1 - jitter + jitter * unit)
            return .milliseconds(Int64((wait * 1000).rounded()))
        }
    }
}
