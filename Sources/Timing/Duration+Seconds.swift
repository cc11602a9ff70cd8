/// The one conversion of a `Duration` to seconds, milliseconds, microseconds and nanoseconds, keeping the
/// part below a second (a pause of 1.5 s is 1.5, not 1).
extension Duration {
    /// Seconds with their fraction, for `TimeInterval` and `Date.addingTimeInterval`.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }

    /// Whole milliseconds, for `ms=` in log lines and millisecond APIs.
    public var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }

    /// Whole microseconds, for `us=` in log lines.
    public var microseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }

    /// Whole nanoseconds, for metrics timers.
    public var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
