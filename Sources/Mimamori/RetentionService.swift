import Foundation
import Ledger
import Logging
import ServiceLifecycle

/// Article 14 and design 4.1: personal data leaves the ledger `retention` after a case closed.
/// Runs at start and then every `interval`; ids, counts and times stay for the audit.
public struct RetentionService: Service {
    private let ledger: Ledger
    private let retention: @Sendable () -> Duration
    private let interval: Duration
    private let logger: Logger

    public init(ledger: Ledger, retention: @escaping @Sendable () -> Duration, interval: Duration = .seconds(3600), logger: Logger) {
        self.ledger = ledger
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await purgeOnce(now: Date())
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }

    func purgeOnce(now: Date) async {
        let seconds = Double(retention().components.seconds)
        do {
            let outcome = try await ledger.purge(closedBefore: now.addingTimeInterval(-seconds), now: now)
            for caseID in outcome.cases {
                logger.notice("case.purged", metadata: .keys([.case: "\(caseID)", .count: "\(outcome.events)"]))
            }
        } catch {
            logger.error("purge.failed", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
        }
    }
}
