import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: ConcernCallbacks {
    public func callbacks(desk: String?, includeMade: Bool) async throws(LedgerError) -> [ConcernCallback] {
        throw PostgresLedger.notPorted(#function)
    }
    public func markCalledBack(report: CaseID, at: Date) async throws(LedgerError) -> Bool {
        throw PostgresLedger.notPorted(#function)
    }
}
