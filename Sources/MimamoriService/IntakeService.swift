import AMQP
import Foundation
import Ledger
import Logging
import MimamoriBroker
import MimamoriCore
import ServiceLifecycle
import Synchronization
import Timing

/// Consumes the municipality's case queue: each message goes through `CaseIntake`, and is acked
/// only after the ledger committed its consequences, dead-lettered when it can never succeed.
///
/// When the ledger cannot take a message (disk full, I/O error) the message stays unacked and
/// intake pauses, retrying the same message with backoff: nothing is acked that is not recorded,
/// and nothing valid is dead-lettered because of our own trouble.
public final class IntakeService: Service, Sendable {
    private let connection: AMQPConnection
    private let queue: String
    private let intake: CaseIntake
    private let settings: SettingsStore
    private let onRecorded: @Sendable () -> Void
    private let onUnreached: @Sendable (CaseID, Reach, String) -> Void
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let stalled = Mutex<String?>(nil)

    /// The ledger's error code while intake waits for the ledger (disk full, I/O error); nil
    /// while messages go through.
    public var stall: String? { stalled.withLock { $0 } }

    public init(
        connection: AMQPConnection, queue: String, intake: CaseIntake, settings: SettingsStore,
        metrics: DaemonMetrics, logger: Logger, onRecorded: @escaping @Sendable () -> Void,
        onUnreached: @escaping @Sendable (CaseID, Reach, String) -> Void = { _, _, _ in }
    ) {
        self.connection = connection
        self.queue = queue
        self.intake = intake
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.onRecorded = onRecorded
        self.onUnreached = onUnreached
    }

    /// Why an alert the family consented to reaches no cooperator, or nil when it reaches one
    /// (or consent was withheld, which is the family's choice and not a fault).
    public static func unreached(kind: String, reach: Reach) -> String? {
        guard kind == CaseEvent.Kind.opened.rawValue, reach.asked == 0, reach.count(.skippedConsent) == 0 else { return nil }
        if reach.active == 0 { return "no active cooperator of the municipality in the directory" }
        return
            "every active cooperator was skipped by area (skipped_area=\(reach.count(.skippedArea))); check the case's areas and areas: in mimamori.yaml"
    }

    public func run() async throws {
        let deliveries = try await connection.consume(queue: queue)
        logger.info("intake.consuming", metadata: .keys([.reason: .string(queue)]))
        for try await delivery in deliveries.cancelOnGracefulShutdown() {
            guard await handle(delivery) else { break }
        }
        logger.info("intake.stopped")
    }

    /// How long the intake waits before trying a message again while the ledger refuses it.
    static let stallBackoff = Backoff.exponential(initial: .milliseconds(200), maximum: .seconds(10))

    /// Returns false when shutdown began while the ledger was unavailable (the message stays
    /// with the broker).
    func handle(_ delivery: AMQPDelivery) async -> Bool {
        var headers: [String: String] = [:]
        for (key, value) in delivery.headers {
            if let text = value.stringValue { headers[key] = text }
        }
        var stalls = 0
        while true {
            let started = ContinuousClock.now
            let decision: CaseIntake.Decision
            do {
                decision = try await intake.process(
                    body: delivery.body, headers: headers, transportMessageID: delivery.messageID,
                    settings: settings.settings, now: Date())
            } catch {
                // A schema violation or a failure of our own planning inside the transaction is
                // about this message, not the disk: it would fail forever and hold the queue up.
                if error.code == .constraint || error.code == .caller {
                    await settle(
                        delivery, .rejected(caseID: CaseIntake.peekCaseID(delivery.body), reason: "ledger.\(error.code)"), started: started)
                    return true
                }
                stalls += 1
                guard await stall(on: error, delivery, stalls: stalls) else { return false }
                continue
            }
            stalled.withLock { $0 = nil }
            switch decision {
            case .recorded(_, _, _, _, _, _, let planKept):
                // Committed: the dispatcher may start on it while the rest of a large plan goes
                // in and the ack travels (sending never waits for the broker; the ack follows
                // the whole plan).
                onRecorded()
                if planKept, !(await completePlans(of: delivery)) { return false }
            case .concernRecorded:
                onRecorded()
            case .ignored, .rejected:
                break
            }
            await settle(delivery, decision, started: started)
            return true
        }
    }

    /// Writes the rest of a large plan (`IntakeStore.completePlans`), waking the dispatcher after
    /// each chunk. While the ledger refuses it the intake waits as for a message it cannot
    /// record; false when shutdown began meanwhile: the message stays with the broker, and the
    /// next start's `resume` completes the plan, so its redelivery is then acked as known.
    func completePlans(of delivery: AMQPDelivery) async -> Bool {
        var stalls = 0
        while true {
            do {
                let completion = try await intake.ledger.completePlans(afterEach: onRecorded)
                stalled.withLock { $0 = nil }
                if completion.existing > 0 {
                    // Nothing is lost (each such delivery is there already), but the plan was
                    // written over a delivery of its own, which no plan should do.
                    logger.warning(
                        "intake.plan-existing",
                        metadata: .keys([
                            .msg: .string(delivery.messageID ?? "-"), .count: "\(completion.existing)",
                            .reason: "a kept delivery was already in the ledger; report this as a bug",
                        ]))
                }
                return true
            } catch {
                stalls += 1
                guard await stall(on: error, delivery, stalls: stalls) else { return false }
            }
        }
    }

    /// The ledger refused the message's writing: one line with the code and the pause, and the
    /// pause. False when shutdown began meanwhile.
    private func stall(on error: LedgerError, _ delivery: AMQPDelivery, stalls: Int) async -> Bool {
        let pause = Self.stallBackoff.delay(afterAttempt: stalls)
        metrics.intakeStalled()
        stalled.withLock { $0 = "\(error.code)" }
        logger.error(
            "intake.stalled",
            metadata: .keys([
                .code: "\(error.code)", .reason: .string(error.message), .delayMs: "\(pause.milliseconds)",
                .msg: .string(delivery.messageID ?? "-"),
            ]))
        logger.error("intake.hint", metadata: .keys([.reason: .string(error.operatorHint)]))
        do {
            try await Task.sleep(for: pause)
        } catch {
            return false
        }
        return !(Task.isCancelled || Task.isShuttingDownGracefully)
    }

    /// `ms=` on the case line is the whole intake: verify, decode, plan, commit and ack.
    private func settle(_ delivery: AMQPDelivery, _ decision: CaseIntake.Decision, started: ContinuousClock.Instant) async {
        do {
            switch decision {
            case .recorded(let caseID, let sequence, let kind, let planned, let cancelled, let reach, _):
                try await connection.ack(delivery)
                let took = ContinuousClock.now - started
                metrics.intake(result: "recorded")
                // Reach is stated on every case line: who was asked, and who not and why.
                var line: Logger.Metadata = .keys([
                    .case: "\(caseID)", .seq: "\(sequence)", .fax: "\(planned[.fax] ?? 0)",
                    .email: "\(planned[.email] ?? 0)", .radio: "\(planned[.radio] ?? 0)",
                    .active: "\(reach.active)", .asked: "\(reach.asked)",
                    .skippedInactive: "\(reach.count(.skippedInactive))", .skippedArea: "\(reach.count(.skippedArea))",
                    .skippedConsent: "\(reach.count(.skippedConsent))", .unknownArea: "\(reach.count(.askedUnknownArea))",
                    .cancelled: "\(cancelled)", .ms: "\(took.milliseconds)", .us: "\(took.microseconds)",
                ])
                let partnerRows = reach.count(.partnerDaemon)
                if partnerRows > 0 { line[LogKey.partnerDaemon.rawValue] = "\(partnerRows)" }
                logger.info("case.\(kind)", metadata: line)
                if let unreached = Self.unreached(kind: kind, reach: reach) {
                    logger.warning(
                        "case.unreached",
                        metadata: .keys([
                            .case: "\(caseID)", .seq: "\(sequence)", .active: "\(reach.active)", .reason: .string(unreached),
                        ]))
                    onUnreached(caseID, reach, unreached)
                }
            case .concernRecorded(let reportID, let sequence, let kind, let planned, let desks, let rule, let callback):
                try await connection.ack(delivery)
                let took = ContinuousClock.now - started
                metrics.intake(result: "recorded")
                // Ids and counts only: the desks by id, never the subject or the reporter.
                var keys: [LogKey: Logger.MetadataValue] = [
                    .report: "\(reportID)", .seq: "\(sequence)", .fax: "\(planned[.fax] ?? 0)", .email: "\(planned[.email] ?? 0)",
                    .ms: "\(took.milliseconds)",
                ]
                if !desks.isEmpty {
                    keys[.desks] = .string(desks.joined(separator: ","))
                    keys[.rule] = .string(rule)
                }
                if let callback { keys[.callback] = .string(callback) }
                logger.info("concern.\(kind)", metadata: .keys(keys))
            case .ignored(let caseID, let reason):
                try await connection.ack(delivery)
                metrics.intake(result: "ignored")
                logger.notice(
                    "intake.ignored",
                    metadata: .keys([
                        .case: .string(caseID?.rawValue ?? "-"), .reason: .string(reason), .msg: .string(delivery.messageID ?? "-"),
                    ]))
            case .rejected(let caseID, let reason):
                switch try await connection.deadLetterOrReject(
                    delivery, reason: reason, copy: DeadLetterBody.copy(reason: reason, body: delivery.body))
                {
                case .republished: break
                case .rejected(let error):
                    deadLetterFailed(delivery, caseID: caseID, reason: reason, error: error, state: "rejected")
                case .dropped(let error):
                    deadLetterFailed(delivery, caseID: caseID, reason: reason, error: error, state: "dropped")
                }
                metrics.intake(result: "rejected")
                logger.warning(
                    "intake.rejected",
                    metadata: .keys([
                        .case: .string(caseID?.rawValue ?? "-"), .reason: .string(reason), .msg: .string(delivery.messageID ?? "-"),
                    ]))
            }
        } catch {
            // The broker connection went away between commit and ack: the message comes back,
            // its message id is found in the ledger, and it is acked then with nothing changed.
            logger.warning("intake.ack-failed", metadata: .keys([.code: "\(error.code)", .msg: .string(delivery.messageID ?? "-")]))
        }
    }

    /// The dead-letter copy was refused (dead queue full, unbound, broker alarm): the message was
    /// rejected without requeue instead (`state=rejected`), or for a reason whose body is not
    /// kept, acked (`state=dropped`), so intake goes on.
    private func deadLetterFailed(_ delivery: AMQPDelivery, caseID: CaseID?, reason: String, error: AMQPError, state: String) {
        metrics.intakeDeadLetterFailed()
        logger.error(
            "intake.dead-letter-failed",
            metadata: .keys([
                .case: .string(caseID?.rawValue ?? "-"), .msg: .string(delivery.messageID ?? "-"), .reason: .string(reason),
                .code: "\(error.code)", .state: .string(state),
            ]))
    }
}
