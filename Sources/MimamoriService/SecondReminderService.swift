import Foundation
import Ledger
import Logging
import MimamoriCore
import ServiceLifecycle

/// The second destruction reminder (要綱 第11条の3): once per closed case, to those its first
/// reminder went to who have not confirmed destruction, `reminders.second-after` business days
/// later (`DestructionSecondReminder.sendAt`). Looks every `interval`; each case is decided in
/// the ledger's transaction and marked there, so a restart, a second daemon pass or a crash
/// between passes never sends it twice, and a daemon down on the day sends it when it runs again.
///
/// Runs only with `confirm:` (the signer): without codes nobody could have confirmed.
public final class SecondReminderService: Service, Sendable {
    private let ledger: any SecondReminderStore
    private let settings: @Sendable () -> CaseIntake.Settings
    private let confirmations: ConfirmationSigner
    private let interval: Duration
    private let logger: Logger
    private let onPlanned: @Sendable () -> Void

    public init(
        ledger: any SecondReminderStore, settings: @escaping @Sendable () -> CaseIntake.Settings, confirmations: ConfirmationSigner,
        interval: Duration = .seconds(60), logger: Logger, onPlanned: @escaping @Sendable () -> Void
    ) {
        self.ledger = ledger
        self.settings = settings
        self.confirmations = confirmations
        self.interval = interval
        self.logger = logger
        self.onPlanned = onPlanned
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await look(now: Date())
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }

    /// One pass. Never throws: what fails is logged and tried again at the next pass.
    func look(now: Date) async {
        let settings = self.settings()
        // Settings reloaded without `confirm:` or with `second-after: 0`: nothing is decided, so
        // the cases wait, and go if the settings come back.
        guard settings.configuration.confirm != nil, settings.configuration.reminders.secondAfter > 0 else { return }
        let planner = settings.planner
        let reminders = settings.configuration.reminders
        let deadline = settings.configuration.retry.deadline
        let confirmations = self.confirmations
        let logger = self.logger
        do {
            let outcomes = try await ledger.planSecondReminders(now: now) { candidate in
                try Self.decide(
                    candidate, planner: planner, reminders: reminders, deadline: deadline, confirmations: confirmations, now: now,
                    logger: logger)
            }
            for outcome in outcomes {
                logger.notice(
                    "destruction.second-reminder",
                    metadata: .keys([.case: "\(outcome.caseID)", .planned: "\(outcome.planned)", .confirmed: "\(outcome.confirmed)"]))
            }
            if outcomes.contains(where: { $0.planned > 0 }) { onPlanned() }
        } catch {
            logger.error("ledger.error", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
        }
    }

    /// Inside the ledger's transaction: nil while not due; else the plan, empty when everyone
    /// confirmed (the case is then marked decided all the same).
    static func decide(
        _ candidate: SecondReminderCase, planner: Planner, reminders: Configuration.Reminders, deadline: Duration,
        confirmations: ConfirmationSigner, now: Date, logger: Logger
    ) throws -> SecondReminderDecision? {
        guard
            let sendAt = DestructionSecondReminder.sendAt(
                firstReminderWentAt: candidate.firstReminderWentAt, reminders: reminders, now: now)
        else { return nil }
        // The dates the first reminder named; a state this version cannot read still gets the
        // reminder, naming the closure's date for both.
        var documentsFrom = candidate.closedAt
        var documentsTo = candidate.closedAt
        if let state = try? candidate.state.decode(CaseState.self) {
            documentsFrom = state.openedAt
            documentsTo = state.lastDescribedAt
        } else {
            logger.warning(
                "destruction.second-reminder-dates", metadata: .keys([.case: "\(candidate.caseID)", .reason: "state-unreadable"]))
        }
        let plan = planner.destructionSecondReminder(
            caseID: candidate.caseID, revision: candidate.revision, drill: candidate.drill,
            recipients: candidate.unconfirmed.map { ($0.recipient, $0.channel) }, documentsFrom: documentsFrom,
            documentsTo: documentsTo, terminatedAt: candidate.closedAt, firstReminderAt: candidate.firstReminderWentAt, sendAt: sendAt)
        let rows = try CaseIntake.ledgerRows(
            plan, planner: planner, heldAddresses: candidate.unconfirmed, deadline: deadline, confirmations: confirmations)
        return SecondReminderDecision(notices: rows.notices, deliveries: rows.deliveries)
    }
}
