import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: DeliveryBacklog, DeliveryQueue {
    public func backlog() async throws(LedgerError) -> [Channel: Int] {
        throw PostgresLedger.notPorted(#function)
    }
    public func oldestDue(now: Date) async throws(LedgerError) -> [Channel: Date] {
        throw PostgresLedger.notPorted(#function)
    }
    public func claimDue(now: Date, channel: Channel, limit: Int) async throws(LedgerError) -> [DeliveryJob] {
        throw PostgresLedger.notPorted(#function)
    }
    public func release(_ ids: [DeliveryID]) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    public func nextDue(channel: Channel) async throws(LedgerError) -> Date? {
        throw PostgresLedger.notPorted(#function)
    }
    public func resume(now: Date) async throws(LedgerError) -> Ledger.Resumption {
        throw PostgresLedger.notPorted(#function)
    }
    public func record(_ outcome: DeliveryOutcome, for id: DeliveryID) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    @discardableResult
    public func failNotice( case caseID: CaseID, revision: Int, kind: NoticeKind, channel: Channel, error: DeliveryErrorRecord, at: Date ) async throws(LedgerError) -> Int {
        throw PostgresLedger.notPorted(#function)
    }
    public func announcements(case caseID: CaseID) async throws(LedgerError) -> [Announcement] {
        throw PostgresLedger.notPorted(#function)
    }
}
