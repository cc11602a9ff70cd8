import AMQP
import Foundation
import Ledger
import Logging
import MimamoriBroker
import MimamoriCore
import ServiceLifecycle
import Synchronization

/// Tells the upstream how a case is going: `status.<municipality>.<caseId>` on `mimamori.status`
/// with planned / delivered / failed counts per channel and whether closure is done. Cases are
/// marked as they change and published at most once a second each, with confirms; the gauges
/// (backlog, its age, cases open) are refreshed on the same beat.
public final class StatusPublisher: Service, Sendable {
    private let connection: AMQPConnection
    private let ledger: any CaseReports
    private let municipality: String
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let interval: Duration
    private let clock: any WallClock
    private let dirty = Mutex<Set<CaseID>>([])

    public init(
        connection: AMQPConnection, ledger: any CaseReports, municipality: String, metrics: DaemonMetrics, logger: Logger,
        interval: Duration = .seconds(1), clock: any WallClock = SystemWallClock()
    ) {
        self.connection = connection
        self.ledger = ledger
        self.municipality = municipality
        self.metrics = metrics
        self.logger = logger
        self.interval = interval
        self.clock = clock
    }

    public func changed(_ caseID: CaseID) { dirty.withLock { _ = $0.insert(caseID) } }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            await publishChanges()
        }
        await publishChanges()
    }

    func publishChanges() async {
        let cases = dirty.withLock { set in
            defer { set.removeAll() }
            return set
        }
        do {
            let now = clock.now()
            metrics.ledger(
                backlog: try await ledger.backlog(), oldestDue: try await ledger.oldestDue(now: now), now: now,
                casesOpen: try await ledger.openCaseCount())
        } catch {
            logger.warning("status.ledger-unavailable", metadata: .keys([.code: "\(error.code)"]))
        }
        for caseID in cases.sorted(by: { $0.rawValue < $1.rawValue }) {
            do {
                guard let status = try await ledger.status(case: caseID) else { continue }
                let body = try Self.encode(status)
                try await connection.publish(
                    exchange: AMQPTopology.statusExchange, routingKey: "status.\(municipality).\(caseID.rawValue)",
                    body: body, messageID: nil, contentType: "application/json", persistent: true, mandatory: false)
            } catch {
                // Status is advisory: keep the case marked and try on the next beat.
                changed(caseID)
                logger.warning("status.unpublished", metadata: .keys([.case: "\(caseID)"]))
            }
        }
    }

    /// `{"caseId":…,"state":…,"closureComplete":…,"channels":{"email":{"planned":…,"delivered":…,"failed":…}}}`:
    /// ids and counts only.
    static func encode(_ status: CaseStatus) throws -> [UInt8] {
        struct Counts: Encodable { var planned = 0, inFlight = 0, delivered = 0, failed = 0, cancelled = 0 }
        struct Body: Encodable {
            var schema = "mimamori.status/1"
            var caseId: String
            var drill: Bool
            var state: String
            var lastSequence: Int
            var closureComplete: Bool
            var channels: [String: Counts]
        }
        var channels: [String: Counts] = [:]
        var outstanding = 0
        for (channel, states) in status.deliveries {
            var counts = Counts()
            for (state, n) in states {
                switch state {
                case .planned:
                    counts.planned += n
                    outstanding += n
                case .sending:
                    counts.inFlight += n
                    outstanding += n
                case .delivered: counts.delivered += n
                case .failed, .expired: counts.failed += n
                case .cancelled: counts.cancelled += n
                }
            }
            channels[channel.rawValue] = counts
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = Body(
            caseId: status.caseID.rawValue, drill: status.drill, state: status.stateName, lastSequence: status.lastSequence,
            closureComplete: status.closedAt != nil && outstanding == 0, channels: channels)
        return Array(try encoder.encode(body))
    }
}
