import Foundation
import Ledger
import Logging
import MimamoriCore
import ServiceLifecycle

/// The staff's reminder on the morning an emergency temporary stay's period ends
/// (`shelter.remind-at`): raised in the ledger (`case_alarms`, kind `shelter.ends`) once per last
/// day, and mailed by `CaseAlarmService`. Looks every `interval`, so a daemon down at that hour
/// sends it when it runs again.
public final class ShelterReminderService: Service, Sendable {
    private let ledger: any ShelterStore
    private let remindAt: @Sendable () -> TimeOfDay?
    private let interval: Duration
    private let logger: Logger
    private let onRaised: @Sendable () -> Void

    /// `remindAt`: the settings' `shelter.remind-at` in force, nil without `shelter:` (no stay
    /// is then reminded: a stay recorded before the section was removed waits for its return).
    public init(
        ledger: any ShelterStore, remindAt: @escaping @Sendable () -> TimeOfDay?, interval: Duration = .seconds(60), logger: Logger,
        onRaised: @escaping @Sendable () -> Void
    ) {
        self.ledger = ledger
        self.remindAt = remindAt
        self.interval = interval
        self.logger = logger
        self.onRaised = onRaised
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await look(now: Date())
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }

    func look(now: Date) async {
        guard let remindAt = remindAt() else { return }
        do {
            let raised = try await ledger.raiseShelterReminders(remindAt: remindAt, now: now)
            for caseID in raised { logger.notice("shelter.ends-today", metadata: .keys([.case: "\(caseID)"])) }
            if !raised.isEmpty { onRaised() }
        } catch {
            logger.error("ledger.error", metadata: .keys([.code: "\(error.code)", .reason: .string(error.operatorHint)]))
        }
    }
}
