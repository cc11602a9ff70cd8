import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: PartnerForwardOutbox {
    public func pendingForwards(limit: Int) async throws(LedgerError) -> [PartnerForward] {
        throw PostgresLedger.notPorted(#function)
    }
    public func markForwarded(_ forward: PartnerForward, at: Date) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    public func forwardBacklog() async throws(LedgerError) -> (count: Int, oldest: Date?) {
        throw PostgresLedger.notPorted(#function)
    }
}
