import AMQP
import Foundation
import Ledger
import Logging
import MimamoriBroker
import MimamoriCore
import ServiceLifecycle
import Synchronization
import Timing

/// Publishes our cases' events to the partner towns' daemons (seed 004) from the ledger's
/// outbox: the exact signed body and its signature headers, to `mimamori.partners` with routing
/// key `case.<partner>.<kind>`, where the town's forwarding queue waits for the shovel that
/// carries it to the partner's broker. A forward is marked done only once the broker confirmed
/// it, so a crash, a lost connection or a missing queue means it is published again, in order,
/// never lost; the partner's ledger recognises a repeat by its message id.
///
/// It never does less quietly: every refusal is a line with the case, the partner and the reason,
/// and the waiting count and age are metrics (`/healthz` is degraded past `stuckAfter`).
public final class PartnerForwarder: Service, Sendable {
    private let connection: AMQPConnection
    private let ledger: any PartnerForwardOutbox
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let clock: any WallClock
    private let wakeSignal = WakeSignal()
    /// When the oldest forward still waiting was recorded, as of the last pass.
    private let oldestWaiting = Mutex<Date?>(nil)
    /// How long a forward may wait before `/healthz` says so: a pass, a reconnect, a retry.
    public static let stuckAfter: TimeInterval = 120
    /// Between passes when nothing wakes it, and the longest wait after a refusal.
    private let interval: Duration

    public init(
        connection: AMQPConnection, ledger: any PartnerForwardOutbox, metrics: DaemonMetrics, logger: Logger,
        interval: Duration = .seconds(30), clock: any WallClock = SystemWallClock()
    ) {
        self.connection = connection
        self.ledger = ledger
        self.metrics = metrics
        self.logger = logger
        self.interval = interval
        self.clock = clock
    }

    /// The intake recorded an event: forward what it owes now.
    public func wake() { wakeSignal.signal() }

    public func run() async throws {
        let backoff = Backoff.exponential(initial: .milliseconds(200), maximum: interval, jitter: 0.1)
        var refusals = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let finished = await forwardOwed()
            await recordBacklog()
            refusals = finished ? 0 : refusals + 1
            let pause = finished ? interval : backoff.delay(afterAttempt: refusals)
            await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    // After a refusal only the pause: a wake-up would retry at once, in a loop.
                    if finished { group.addTask { await self.wakeSignal.wait() } }
                    group.addTask { try? await Task.sleep(for: pause) }
                    await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    /// One pass over the outbox, oldest first. A partner whose forward the broker refuses gets
    /// nothing more in this pass, so its events never overtake one another; the other partners'
    /// forwards go on (a missing queue for one town holds up no other). True when nothing is left.
    func forwardOwed() async -> Bool {
        var refused = Set<String>()
        while true {
            let owed: [PartnerForward]
            do {
                owed = try await ledger.pendingForwards(limit: 32, excluding: refused)
            } catch {
                logger.error("ledger.error", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
                return false
            }
            if owed.isEmpty { return refused.isEmpty }
            for forward in owed where !refused.contains(forward.partner) {
                let keys: Logger.Metadata = .keys([
                    .case: "\(forward.caseID)", .seq: "\(forward.sequence)", .partner: .string(forward.partner),
                ])
                do {
                    try await connection.publish(
                        exchange: AMQPTopology.partnersExchange, routingKey: forward.routingKey, body: Array(forward.body),
                        headers: forward.headers.mapValues { .string($0) }, messageID: forward.messageID,
                        contentType: "application/json", persistent: true, mandatory: true)
                } catch {
                    metrics.partnerForwarded(partner: forward.partner, result: "refused")
                    logger.error(
                        "partner.unforwarded",
                        metadata: keys.merging(.keys([.code: "\(error.code)", .reason: .string(Self.hint(error))])) { a, _ in a })
                    // No queue for it, or its queue refused it: that partner's. A lost connection
                    // or a missing exchange refuses every partner alike: the next pass.
                    guard error.code == .returned || error.code == .nacked else { return false }
                    refused.insert(forward.partner)
                    continue
                }
                do {
                    try await ledger.markForwarded(forward, at: clock.now())
                } catch {
                    // Published but not marked: it goes again, and the partner ignores the repeat.
                    logger.error("ledger.error", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
                    return false
                }
                metrics.partnerForwarded(partner: forward.partner, result: "forwarded")
                logger.info("partner.forwarded", metadata: keys)
            }
        }
    }

    func recordBacklog() async {
        guard let backlog = try? await ledger.forwardBacklog() else { return }
        oldestWaiting.withLock { $0 = backlog.oldest }
        let age = backlog.oldest.map { max(0, clock.now().timeIntervalSince($0)) } ?? 0
        metrics.partnerForwards(waiting: backlog.count, oldestSeconds: age)
    }

    /// How long the oldest forward has waited, when that is longer than `stuckAfter`.
    public func stuckFor() -> TimeInterval? {
        guard let oldest = oldestWaiting.withLock({ $0 }) else { return nil }
        let waited = clock.now().timeIntervalSince(oldest)
        return waited > Self.stuckAfter ? waited : nil
    }

    /// What the operator should look at.
    static func hint(_ error: AMQPError) -> String {
        switch error.code {
        case .returned:
            "no queue takes it: declare the forwarding queue and its shovel (deploy/rabbitmq/partner-shovel.sh)"
        case .notFound:
            "the exchange \(AMQPTopology.partnersExchange) is missing: the daemon declares it at start; restart it"
        default:
            "the broker did not confirm it; it is published again when the connection is back"
        }
    }
}
