import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: SecondReminderStore {
    public func planSecondReminders( now: Date, decide: @escaping @Sendable (SecondReminderCase) throws -> SecondReminderDecision? ) async throws(LedgerError) -> [SecondReminderOutcome] {
        throw PostgresLedger.notPorted(#function)
    }
}
