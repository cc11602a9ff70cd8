import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: FaxLineStore {
    public func recordFaxJob(_ job: String, for id: DeliveryID) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    public func recordFaxLine(_ report: FaxLineReport, spacing: FaxLineSpacing, now: Date) async throws(LedgerError) -> FaxLineRecord {
        throw PostgresLedger.notPorted(#function)
    }
    public func faxJobsAwaitingOutcome(limit: Int) async throws(LedgerError) -> [FaxJobAwaitingOutcome] {
        throw PostgresLedger.notPorted(#function)
    }
    public func claimDueFaxes(now: Date, limit: Int, spacing: FaxLineSpacing) async throws(LedgerError) -> [DeliveryJob] {
        throw PostgresLedger.notPorted(#function)
    }
}
