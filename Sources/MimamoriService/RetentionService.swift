import Foundation
import Ledger
import Logging
import MimamoriCore
import Outlets
import ServiceLifecycle
import Synchronization
import Timing

/// Article 14 and design 4.1: personal data leaves the ledger `retention` after a case closed,
/// and the radio spool's files of the case with it. Runs at start and then every `interval`;
/// ids, counts and times stay for the audit.
///
/// Each pass is a sweep that is safe to repeat, so whatever one pass could not finish the next
/// one does: the purge of every due case (one that has nothing left to send), the WAL truncate
/// (a reader holding an old snapshot makes it fail; it stays owed), the spool files of every
/// purged case still there, and temporary spool files a crashed write left. It also raises the
/// open-case alarm of cases never closed (`open-case-alarm`), which `CaseAlarmService` mails.
public final class RetentionService: Service, Sendable {
    public struct Limits: Sendable {
        public var retention: Duration
        public var openCaseAlarm: Duration
        public init(retention: Duration, openCaseAlarm: Duration) {
            self.retention = retention
            self.openCaseAlarm = openCaseAlarm
        }
    }

    /// The limits in force: the settings', unless the test-only environment variables
    /// `MIMAMORI_TEST_RETENTION` / `MIMAMORI_TEST_OPEN_CASE_ALARM` (whole seconds) shorten them,
    /// as `MIMAMORI_PURGE_INTERVAL` shortens the pass: the settings refuse less than a day.
    public static func limits(_ configuration: Configuration, environment: [String: String]) -> Limits {
        Limits(
            retention: environment["MIMAMORI_TEST_RETENTION"].flatMap(Int.init).map { .seconds($0) } ?? configuration.retention,
            openCaseAlarm: environment["MIMAMORI_TEST_OPEN_CASE_ALARM"].flatMap(Int.init).map { .seconds($0) }
                ?? configuration.openCaseAlarm)
    }

    private let ledger: any RetentionStore
    private let limits: @Sendable () -> Limits
    private let interval: Duration
    private let logger: Logger
    /// The radio spool, whose files of a purged case are personal data (the script).
    private let spool: RadioSpool?
    private let onAlarmsRaised: @Sendable () -> Void
    /// Until a truncate succeeds after a purge, page images of purged data may sit in the WAL.
    /// True at start: a crash may have left it owed.
    private let truncateOwed = Mutex(true)
    /// A temporary spool file untouched this long belongs to a write that will never finish.
    static let temporaryAge: TimeInterval = 10 * 60

    public init(
        ledger: any RetentionStore, limits: @escaping @Sendable () -> Limits, interval: Duration = .seconds(3600), logger: Logger,
        spool: RadioSpool? = nil, onAlarmsRaised: @escaping @Sendable () -> Void = {}
    ) {
        self.ledger = ledger
        self.limits = limits
        self.interval = interval
        self.logger = logger
        self.spool = spool
        self.onAlarmsRaised = onAlarmsRaised
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sweep(now: Date())
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }

    /// One pass. Never throws: what fails is logged and done again at the next pass.
    func sweep(now: Date) async {
        let limits = self.limits()
        var purged: [CaseID] = []
        do {
            let outcome = try await ledger.purge(retention: limits.retention, now: now)
            purged = outcome.cases
            if !purged.isEmpty { truncateOwed.withLock { $0 = true } }
            if let error = outcome.walKept {
                logger.warning(
                    "purge.wal-kept",
                    metadata: .keys([
                        .code: "\(error.code)",
                        .reason: "a reader holds an old snapshot; the WAL is truncated at the next pass",
                    ]))
            } else if !purged.isEmpty {
                truncateOwed.withLock { $0 = false }
            }
        } catch {
            logger.error("purge.failed", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
        }
        if purged.isEmpty, truncateOwed.withLock({ $0 }) { await retryTruncate() }

        let files = await sweepFiles(now: now)
        for caseID in purged {
            logger.notice(
                "case.purged", metadata: .keys([.case: "\(caseID)", .files: "\(files.removed[caseID.rawValue] ?? 0)"]))
        }
        for (caseID, count) in files.removed.sorted(by: { $0.key < $1.key }) where !purged.contains(CaseID(caseID)) {
            logger.notice("purge.files-swept", metadata: .keys([.case: .string(caseID), .files: "\(count)"]))
        }
        for (caseID, count) in files.failed.sorted(by: { $0.key < $1.key }) {
            logger.error(
                "purge.files-left",
                metadata: .keys([
                    .case: .string(caseID), .count: "\(count)",
                    .reason:
                        "radio spool files of the case could not be removed: check the spool folder's permissions; tried again at the next pass",
                ]))
        }

        do {
            let raised = try await ledger.raiseOpenCaseAlarms(openFor: limits.openCaseAlarm, now: now)
            for caseID in raised { logger.warning("case.open-too-long", metadata: .keys([.case: "\(caseID)"])) }
            if !raised.isEmpty { onAlarmsRaised() }
        } catch {
            logger.error("purge.failed", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
        }
    }

    private func retryTruncate() async {
        do {
            try await ledger.truncateWAL()
            truncateOwed.withLock { $0 = false }
        } catch {
            logger.warning(
                "purge.wal-kept",
                metadata: .keys([.code: "\(error.code)", .reason: "a reader holds an old snapshot; tried again at the next pass"]))
        }
    }

    /// The spool's files of purged cases, and stale temporaries.
    private func sweepFiles(now: Date) async -> (removed: [String: Int], failed: [String: Int]) {
        guard let spool else { return ([:], [:]) }
        var removed: [String: Int] = [:]
        var failed: [String: Int] = [:]
        let temporaries = spool.removeStaleTemporaries(modifiedBefore: now.addingTimeInterval(-Self.temporaryAge))
        if temporaries.removed > 0 { logger.notice("purge.temporaries-swept", metadata: .keys([.files: "\(temporaries.removed)"])) }
        if temporaries.failed > 0 { failed["-", default: 0] += temporaries.failed }
        let present = spool.caseIDsWithFiles()
        guard !present.isEmpty else { return (removed, failed) }
        let purged: Set<String>
        do {
            purged = try await ledger.purgedCases(among: present)
        } catch {
            logger.error("purge.failed", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
            return (removed, failed)
        }
        for caseID in purged {
            let outcome = spool.removeFiles(ofCase: caseID)
            if outcome.removed > 0 { removed[caseID] = outcome.removed }
            if outcome.failed > 0 { failed[caseID] = outcome.failed }
        }
        return (removed, failed)
    }
}
