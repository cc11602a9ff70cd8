import Ledger
import Metrics
import MimamoriCore

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
        Counter(label: "mimamori_deliveries_total", dimensions: [("channel", channel.rawValue), ("result", outcome.result)])
            .increment()
        if let elapsed {
            let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
            Metrics.Timer(label: "mimamori_delivery_duration_seconds", dimensions: [("channel", channel.rawValue)])
                .recordNanoseconds(nanoseconds)
        }
    }
}
