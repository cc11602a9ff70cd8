import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: RetentionStore {
    @discardableResult
    public func purge(retention: Duration, now: Date) async throws(LedgerError) -> PurgeOutcome {
        throw PostgresLedger.notPorted(#function)
    }
    public func truncateWAL() async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    public func purgedCases(among ids: Set<String>) async throws(LedgerError) -> Set<String> {
        throw PostgresLedger.notPorted(#function)
    }
    @discardableResult
    public func raiseOpenCaseAlarms(openFor limit: Duration, now: Date) async throws(LedgerError) -> [CaseID] {
        throw PostgresLedger.notPorted(#function)
    }
}
