import Foundation
import Ledger
import Logging
import MimamoriCore
import Outlets
import ServiceLifecycle
import Synchronization

/// With `fax.method: hylafax`: every `interval`, reads HylaFAX's queues (`faxstat -s -d`) and
/// records what became of each FAX handed to it and not yet known, as the HTTP service's status
/// webhook does: done is transmitted, a job HylaFAX gave up on an engaged or unanswered line is
/// dialled again with `FaxLineSpacing`, any other given-up job failed (the operator is alarmed).
/// Jobs HylaFAX still holds (it redials by itself) are looked at again next time.
public final class HylaFAXStatusService: Service, Sendable {
    private let ledger: any FaxLineStore
    private let queues: @Sendable () async throws(OutletError) -> [HylaFAXJobStatus]
    private let spacing: FaxLineSpacing
    private let interval: Duration
    private let logger: Logger
    /// Whether the last look failed: one warning when faxstat starts failing, one notice when it
    /// works again, not a line a minute.
    private let failing = Mutex(false)
    /// Jobs already said to be gone from the listing.
    private let unlistedJobs = Mutex<Set<String>>([])

    public convenience init(
        ledger: any FaxLineStore, outlet: FaxOutlet, spacing: FaxLineSpacing, interval: Duration = .seconds(60),
        logger: Logger = Logger(label: "mimamori.fax")
    ) {
        self.init(
            ledger: ledger, queues: { () async throws(OutletError) in try await outlet.hylaFAXJobs() ?? [] }, spacing: spacing,
            interval: interval, logger: logger)
    }

    /// `queues`: what `faxstat -s -d` lists.
    public init(
        ledger: any FaxLineStore, queues: @escaping @Sendable () async throws(OutletError) -> [HylaFAXJobStatus],
        spacing: FaxLineSpacing, interval: Duration = .seconds(60), logger: Logger = Logger(label: "mimamori.fax")
    ) {
        self.ledger = ledger
        self.queues = queues
        self.spacing = spacing
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await look(now: Date())
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }

    /// The outcome HylaFAX's words stand for.
    static func outcome(_ outcome: HylaFAXJobStatus.Outcome) -> FaxLineOutcome {
        switch outcome {
        case .transmitted: .transmitted
        case .busy: .busy
        case .noAnswer: .noAnswer
        case .failed: .failed
        }
    }

    /// One look: returns how many outcomes were recorded.
    @discardableResult
    public func look(now: Date) async -> Int {
        let awaiting: [FaxJobAwaitingOutcome]
        do throws(LedgerError) {
            awaiting = try await ledger.faxJobsAwaitingOutcome(limit: 500)
        } catch {
            logger.error("ledger.error", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
            return 0
        }
        guard !awaiting.isEmpty else { return 0 }
        let listed: [String: HylaFAXJobStatus]
        do throws(OutletError) {
            listed = Dictionary(try await queues().map { ($0.job, $0) }, uniquingKeysWith: { _, last in last })
            let wasFailing = failing.withLock { failing in
                defer { failing = false }
                return failing
            }
            if wasFailing { logger.notice("fax.faxstat.resumed") }
        } catch {
            let wasFailing = failing.withLock { failing in
                defer { failing = true }
                return failing
            }
            if !wasFailing {
                logger.warning(
                    "fax.faxstat.failed",
                    metadata: .keys([.code: "\(error.code)", .count: "\(awaiting.count)", .reason: .string(error.operatorHint)]))
            }
            return 0
        }
        var recorded = 0
        var unlisted = 0
        for fax in awaiting {
            guard let status = listed[fax.job] else {
                if unlistedJobs.withLock({ $0.insert(fax.job).inserted }) { unlisted += 1 }
                continue
            }
            guard let outcome = status.outcome else { continue }
            let report = FaxLineReport(job: .job(fax.job), outcome: Self.outcome(outcome), pages: status.pagesSent)
            do throws(LedgerError) {
                let record = try await ledger.recordFaxLine(report, spacing: spacing, now: now)
                if case .unknown = record { continue }
                recorded += 1
                var metadata: Logger.Metadata = .keys([
                    .delivery: "\(fax.delivery)", .job: .string(fax.job), .state: .string(outcome.rawValue),
                ])
                switch record {
                case .failed(let target, let code):
                    metadata[LogKey.case.rawValue] = "\(target.caseID)"
                    metadata[LogKey.code.rawValue] = .string(code)
                    logger.error("fax.status", metadata: metadata)
                case .redialled(let target, let at):
                    metadata[LogKey.case.rawValue] = "\(target.caseID)"
                    metadata[LogKey.delayMs.rawValue] = "\(Int((at.timeIntervalSince(now) * 1000).rounded()))"
                    logger.notice("fax.status", metadata: metadata)
                default:
                    logger.info("fax.status", metadata: metadata)
                }
            } catch {
                logger.error("ledger.error", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
                return recorded
            }
        }
        // HylaFAX's faxcron clears the done queue after some days: a job accepted and gone from
        // the listing before its outcome was read stays without one. Said, not hidden.
        if unlisted > 0 { logger.notice("fax.faxstat.unlisted", metadata: .keys([.count: "\(unlisted)"])) }
        return recorded
    }
}
