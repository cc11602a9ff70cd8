import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: CaseReports {
    public func status(case caseID: CaseID) async throws(LedgerError) -> CaseStatus? {
        throw PostgresLedger.notPorted(#function)
    }
    public func status() async throws(LedgerError) -> [CaseStatus] {
        throw PostgresLedger.notPorted(#function)
    }
    public func report(case caseID: CaseID, withAddresses: Bool) async throws(LedgerError) -> [ReportLine] {
        throw PostgresLedger.notPorted(#function)
    }
    public func events(case caseID: CaseID) async throws(LedgerError) -> [RecordedEvent] {
        throw PostgresLedger.notPorted(#function)
    }
    public func openCaseCount() async throws(LedgerError) -> Int {
        throw PostgresLedger.notPorted(#function)
    }
    public func audit(case caseID: CaseID?) async throws(LedgerError) -> [AuditEntry] {
        throw PostgresLedger.notPorted(#function)
    }
    public func resend(_ request: ResendRequest, now: Date, deadline: Date) async throws(LedgerError) -> ResendResult {
        throw PostgresLedger.notPorted(#function)
    }
}
