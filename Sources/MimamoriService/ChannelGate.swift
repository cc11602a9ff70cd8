import Foundation
import Synchronization

/// Whether a channel's server can be reached and will work for us, as its sends find out. When a
/// send finds the server unreachable (connection refused, DNS, TLS handshake) or refusing the
/// channel itself (greeting, AUTH, MAIL FROM, HTTP 401/403/429/5xx) the channel pauses instead
/// of trying every pending delivery against a closed port or a refusing relay: each such try would cost the delivery a retry and its
/// backoff (minutes after a long outage) and the journal a line. After the pause one delivery
/// probes; the first success opens the channel again, a failure pauses it longer.
final class ChannelGate: Sendable {
    /// The pauses after consecutive unreachable probes; the last one repeats. Short enough that
    /// the channel is back within seconds of the server's return.
    static let pauses: [TimeInterval] = [1, 2, 4, 8, 15]

    private struct State {
        var failures = 0
        var pausedUntil: Date?
        var downSince: Date?
        var cause: String?
    }
    private let state = Mutex(State())

    /// While paused: when the next probe may start (nil: open).
    var pausedUntil: Date? { state.withLock { $0.pausedUntil } }

    /// While paused: what paused it (`unreachable`, `smtp-530 at mail-from`, `http-401`), for
    /// `/healthz`.
    var pauseCause: String? { state.withLock { $0.pausedUntil == nil ? nil : $0.cause } }

    /// A send found the server unreachable. Returns the pause, and whether the channel was open
    /// until now (the moment to say so in the journal). A send that failed while the pause
    /// runs had started before it: the pause already covers it, only a failed probe lengthens it.
    func unreachable(at now: Date, cause: String = "unreachable") -> (pause: TimeInterval, wasOpen: Bool) {
        state.withLock { state in
            if let until = state.pausedUntil, now < until { return (until.timeIntervalSince(now), false) }
            state.cause = cause
            let wasOpen = state.pausedUntil == nil
            let pause = Self.pauses[min(state.failures, Self.pauses.count - 1)]
            state.failures += 1
            state.pausedUntil = now.addingTimeInterval(pause)
            if wasOpen { state.downSince = now }
            return (pause, wasOpen)
        }
    }

    /// A send reached the server. Returns how long the channel was paused, if it was.
    func reachable(at now: Date) -> TimeInterval? {
        state.withLock { state in
            guard state.pausedUntil != nil else { return nil }
            let down = state.downSince.map { now.timeIntervalSince($0) } ?? 0
            state = State()
            return down
        }
    }
}
