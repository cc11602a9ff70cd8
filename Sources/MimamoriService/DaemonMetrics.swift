import Foundation
import Ledger
import Metrics
import MimamoriCore

/// The daemon's own metrics beside the dispatcher's `mimamori_deliveries_total` and
/// `mimamori_delivery_duration_seconds`. Labels are channels and results, never people.
public struct DaemonMetrics: Sendable {
    public init() {}

    /// `mimamori_intake_total{result}`: recorded, ignored, rejected.
    public func intake(result: String) {
        Counter(label: "mimamori_intake_total", dimensions: [("result", result)]).increment()
    }

    /// `mimamori_intake_stalls_total`: the ledger could not take a message (it stays unacked).
    public func intakeStalled() {
        Counter(label: "mimamori_intake_stalls_total").increment()
    }

    /// `mimamori_intake_dead_letter_failed_total`: the dead-letter copy of a rejected message was
    /// refused (returned, nacked); the message was rejected without requeue instead.
    public func intakeDeadLetterFailed() {
        Counter(label: "mimamori_intake_dead_letter_failed_total").increment()
    }

    /// `mimamori_confirmations_total{confirmation,outcome}`: what the confirmation endpoint did
    /// with a request: recorded, repeated, unknown, not-asked, rate-limited (`confirmation` is
    /// received, destroyed, or page for a GET).
    public func confirmation(_ confirmation: String, outcome: String) {
        Counter(label: "mimamori_confirmations_total", dimensions: [("confirmation", confirmation), ("outcome", outcome)]).increment()
    }

    /// `mimamori_broker_connected`: 1 while the broker connection is up.
    /// Events of ours waiting to go to partner towns, and how long the oldest has waited.
    public func partnerForwards(waiting: Int, oldestSeconds: Double) {
        Gauge(label: "mimamori_partner_forwards_waiting").record(waiting)
        Gauge(label: "mimamori_partner_forwards_oldest_seconds").record(oldestSeconds)
    }

    public func partnerForwarded(partner: String, result: String) {
        Counter(label: "mimamori_partner_forwards_total", dimensions: [("partner", partner), ("result", result)]).increment()
    }

    public func brokerConnected(_ up: Bool) {
        Gauge(label: "mimamori_broker_connected").record(up ? 1 : 0)
    }

    /// `mimamori_ledger_backlog{channel}` (deliveries not yet settled),
    /// `mimamori_ledger_oldest_due_seconds{channel}` (how long the oldest due delivery has waited
    /// since it fell due, 0 when none is due) and `mimamori_cases_open`.
    public func ledger(backlog: [Channel: Int], oldestDue: [Channel: Date], now: Date, casesOpen: Int) {
        for channel in Channel.allCases {
            Gauge(label: "mimamori_ledger_backlog", dimensions: [("channel", channel.rawValue)])
                .record(backlog[channel] ?? 0)
            Gauge(label: "mimamori_ledger_oldest_due_seconds", dimensions: [("channel", channel.rawValue)])
                .record(oldestDue[channel].map { max(0, now.timeIntervalSince($0)) } ?? 0)
        }
        Gauge(label: "mimamori_cases_open").record(casesOpen)
    }
}
