import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: ShelterStore {
    public func stay(case caseID: CaseID) async throws(LedgerError) -> StoredStay? {
        throw PostgresLedger.notPorted(#function)
    }
    public func stays() async throws(LedgerError) -> [StoredStay] {
        throw PostgresLedger.notPorted(#function)
    }
    public func recordShelterChange(_ change: ShelterChange, at: Date) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    @discardableResult
    public func raiseShelterReminders(remindAt: TimeOfDay, now: Date) async throws(LedgerError) -> [CaseID] {
        throw PostgresLedger.notPorted(#function)
    }
}
