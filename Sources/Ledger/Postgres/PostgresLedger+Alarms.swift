import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: AlarmOutbox {
    public func pendingAlarms(finishedBefore: Date, limit: Int) async throws(LedgerError) -> [PendingAlarm] {
        throw PostgresLedger.notPorted(#function)
    }
    public func markAlarmed(_ id: DeliveryID, at: Date) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    public func owedCaseAlarms() async throws(LedgerError) -> [CaseAlarm] {
        throw PostgresLedger.notPorted(#function)
    }
    public func markCaseAlarmSent(_ alarm: CaseAlarm, at: Date) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
}
