import Ledger
import Metrics
import MimamoriCore
import Synchronization
import Timing

extension DeliveryOutcome {
    /// The `result` dimension of the delivery metrics.
    var result: String {
        switch self {
        case .delivered: "delivered"
        case .retry: "retry"
        case .failed: "failed"
        case .expired: "expired"
        }
    }
}

extension Dispatcher {
    /// `mimamori_deliveries_total{channel,result}` and `mimamori_delivery_duration_seconds{channel}`
    /// (the time the outlet took, whatever the result).
    func countMetrics(_ outcome: DeliveryOutcome, channel: Channel, elapsed: Duration?) {
        let (counter, timer) = meters.handles(channel: channel, result: outcome.result)
        counter.increment()
        if let elapsed {
            timer.recordNanoseconds(elapsed.nanoseconds)
        }
    }
}

/// The dispatcher's metric handles, made on first use and kept: asking the metrics factory for a
/// handle on every delivery (a registry lookup by label and dimensions under its lock) cost more
/// than counting.
final class DispatcherMeters: Sendable {
    private struct Key: Hashable {
        var channel: Channel
        var result: String
    }
    private let handles = Mutex<[Key: (Counter, Metrics.Timer)]>([:])

    func handles(channel: Channel, result: String) -> (Counter, Metrics.Timer) {
        let key = Key(channel: channel, result: result)
        return handles.withLock { handles in
            if let hit = handles[key] { return hit }
            let made = (
                Counter(label: "mimamori_deliveries_total", dimensions: [("channel", channel.rawValue), ("result", result)]),
                Metrics.Timer(label: "mimamori_delivery_duration_seconds", dimensions: [("channel", channel.rawValue)])
            )
            handles[key] = made
            return made
        }
    }
}
