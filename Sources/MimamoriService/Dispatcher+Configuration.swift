import Foundation
import MimamoriCore
import Timing

extension Dispatcher {
    public struct Configuration: Sendable {
        /// Backoff, jitter and deadline of retries.
        public var retry: RetryPolicy
        /// On a graceful stop, how long in-flight sends may take to finish before they are
        /// cancelled (they are then resumed at the next start).
        public var shutdownGrace: Duration
        /// The longest a channel loop sleeps without looking at the ledger and beating the heart
        /// (keep it under the systemd watchdog interval).
        public var maximumIdle: Duration
        /// After a ledger error, how long a channel loop waits before trying again.
        public var ledgerErrorPause: Duration
        /// How often alarms still owed (a crash before the alarm, a relay that was down) are
        /// raised again; an alarm younger than this is left to the send that raised it.
        public var alarmRetryInterval: Duration
        /// The most messages per second a channel starts (`email.rate`); a channel not listed is
        /// unlimited.
        public var rates: [Channel: Double]
        /// FAXes to one number spread out (`fax.number-gap`), claimed through the ledger's
        /// `FaxLineStore`; nil claims FAXes as any other channel.
        public var faxLines: FaxLineSpacing?

        public init(
            retry: RetryPolicy = .default, shutdownGrace: Duration = .seconds(10), maximumIdle: Duration = .seconds(5),
            ledgerErrorPause: Duration = .seconds(1), alarmRetryInterval: Duration = .seconds(60),
            rates: [Channel: Double] = [:], faxLines: FaxLineSpacing? = nil
        ) {
            self.rates = rates
            self.faxLines = faxLines
            self.retry = retry
            self.shutdownGrace = shutdownGrace
            self.maximumIdle = maximumIdle
            self.ledgerErrorPause = ledgerErrorPause
            self.alarmRetryInterval = alarmRetryInterval
        }
    }
}

extension Date {
    func adding(_ duration: Duration) -> Date {
        addingTimeInterval(duration.inSeconds)
    }
}
