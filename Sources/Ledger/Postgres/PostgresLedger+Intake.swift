import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: IntakeStore {
    public func recordIntake(_ intake: Intake) async throws(LedgerError) -> IntakeOutcome {
        throw PostgresLedger.notPorted(#function)
    }
    public func recordIntake<Decided: Sendable>( case caseID: CaseID, messageID: String, at: Date, deciding decide: @escaping @Sendable (IntakeReading) throws -> (entry: IntakeEntry, decided: Decided) ) async throws(LedgerError) -> (outcome: IntakeOutcome, decided: Decided) {
        throw PostgresLedger.notPorted(#function)
    }
    public func knowsMessage(_ messageID: String) async throws(LedgerError) -> Bool {
        throw PostgresLedger.notPorted(#function)
    }
    public func recordIgnored(messageID: String, caseID: CaseID?, reason: String, at: Date) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    public func recordRejected(messageID: String?, caseID: CaseID?, reason: String, at: Date) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    public func caseSnapshot(case caseID: CaseID) async throws(LedgerError) -> StoredCase? {
        throw PostgresLedger.notPorted(#function)
    }
    public func recipientsHoldingPersonalData(case caseID: CaseID) async throws(LedgerError) -> [HoldingRecipient] {
        throw PostgresLedger.notPorted(#function)
    }
    public func radioAnnounced(case caseID: CaseID) async throws(LedgerError) -> Bool {
        throw PostgresLedger.notPorted(#function)
    }
    public func latestDescription(case caseID: CaseID) async throws(LedgerError) -> Data? {
        throw PostgresLedger.notPorted(#function)
    }
    public func heldCase(_ caseID: CaseID) async throws(LedgerError) -> HeldCase? {
        throw PostgresLedger.notPorted(#function)
    }
    public func recordRelease( _ caseID: CaseID, sequence: Int, state: CaseSnapshot, notices: [Intake.Notice], deliveries: [Intake.Delivery], at: Date ) async throws(LedgerError) -> Int {
        throw PostgresLedger.notPorted(#function)
    }
}
