import Foundation
import Ledger
import Logging
import MimamoriCore
import ServiceLifecycle

/// Article 14 and design 4.1: personal data leaves the ledger `retention` after a case closed.
/// Runs at start and then every `interval`; ids, counts and times stay for the audit.
public struct RetentionService: Service {
    private let ledger: Ledger
    private let retention: @Sendable () -> Duration
    private let interval: Duration
    private let logger: Logger
    /// Personal data outside the ledger that goes with the case (the radio spool's files):
    /// returns how many files went and how many could not be removed.
    private let removeFiles: @Sendable (CaseID) -> (removed: Int, failed: Int)

    public init(
        ledger: Ledger, retention: @escaping @Sendable () -> Duration, interval: Duration = .seconds(3600), logger: Logger,
        removeFiles: @escaping @Sendable (CaseID) -> (removed: Int, failed: Int) = { _ in (0, 0) }
    ) {
        self.ledger = ledger
        self.retention = retention
        self.interval = interval
        self.logger = logger
        self.removeFiles = removeFiles
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
                let files = removeFiles(caseID)
                logger.notice(
                    "case.purged", metadata: .keys([.case: "\(caseID)", .count: "\(outcome.events)", .files: "\(files.removed)"]))
                if files.failed > 0 {
                    logger.error(
                        "purge.files-left",
                        metadata: .keys([
                            .case: "\(caseID)", .count: "\(files.failed)",
                            .reason: "radio spool files of the case could not be removed: check the spool folder's permissions and remove them by hand",
                        ]))
                }
            }
        } catch {
            logger.error("purge.failed", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
        }
    }
}
