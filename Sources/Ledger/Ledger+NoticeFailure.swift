import Foundation
import GRDB
import MimamoriCore

extension Ledger {
    /// The server refused a notice's message itself (not one recipient): fails every planned
    /// delivery of that notice (case, revision, kind, channel) with the same error, as covered by
    /// the one alarm the delivery that found it raises (`alarmed_at` set). Deliveries being sent
    /// are left to their own outcome: one may still be accepted. Returns how many were failed.
    @discardableResult
    public func failNotice(
        case caseID: CaseID, revision: Int, kind: NoticeKind, channel: Channel, error: DeliveryErrorRecord, at: Date
    ) async throws(LedgerError) -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE deliveries SET state = 'failed', finished_at = ?, alarmed_at = ?,
                        last_error_code = ?, last_error = ?
                    WHERE case_id = ? AND revision = ? AND kind = ? AND channel = ? AND state = 'planned'
                    """,
                arguments: [
                    at.ledgerMillis, at.ledgerMillis, error.code, error.summary, caseID.rawValue, revision,
                    kind.rawValue, channel.rawValue,
                ])
            return db.changesCount
        }
    }
}
