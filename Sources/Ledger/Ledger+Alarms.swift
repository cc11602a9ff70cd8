import Foundation
import GRDB
import MimamoriCore

/// A failed or expired delivery whose operator alarm has not gone out yet.
public struct PendingAlarm: Sendable, Hashable {
    public var deliveryID: DeliveryID
    public var caseID: CaseID
    public var recipient: RecipientID
    public var channel: Channel
    public var kind: NoticeKind
    public var state: DeliveryState
    public var attempts: Int
    public var errorCode: String?
    public var finishedAt: Date
    /// How many times staff resent it (`mimamori resend`): each resend's failure is its own alarm.
    public var resends = 0
}

extension Ledger {
    /// Failed and expired deliveries still owed an alarm that ended before `finishedBefore`,
    /// oldest first.
    public func pendingAlarms(finishedBefore: Date, limit: Int) async throws(LedgerError) -> [PendingAlarm] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, case_id, recipient_id, channel, kind, state, attempts, last_error_code, finished_at, resends
                    FROM deliveries
                    WHERE alarmed_at IS NULL AND state IN \(LedgerVocabulary.alarmStates) AND finished_at < ?
                    ORDER BY finished_at LIMIT ?
                    """,
                arguments: [finishedBefore.ledgerMillis, limit]
            ).compactMap { row -> PendingAlarm? in
                guard let channel = Channel(rawValue: row["channel"]), let kind = NoticeKind(rawValue: row["kind"]),
                    let state = DeliveryState(rawValue: row["state"])
                else { return nil }
                return PendingAlarm(
                    deliveryID: DeliveryID(rawValue: row["id"]), caseID: CaseID(row["case_id"] as String),
                    recipient: RecipientID(row["recipient_id"] as String), channel: channel, kind: kind, state: state,
                    attempts: row["attempts"], errorCode: row["last_error_code"],
                    finishedAt: Date(ledgerMillis: row["finished_at"]), resends: row["resends"])
            }
        }
    }

    /// The delivery's alarm went out (or was handed to the journal): not owed any more.
    public func markAlarmed(_ id: DeliveryID, at: Date) async throws(LedgerError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE deliveries SET alarmed_at = ? WHERE id = ? AND alarmed_at IS NULL",
                arguments: [at.ledgerMillis, id.rawValue])
        }
    }
}
