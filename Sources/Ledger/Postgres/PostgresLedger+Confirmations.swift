import Foundation
import MimamoriCore

extension PostgresLedger: ConfirmationStore {
    public func confirmationTarget(_ code: ConfirmationCode) async throws(LedgerError) -> ConfirmationTarget? {
        try await read { transaction in try await Self.confirmationTarget(code, in: transaction) }
    }

    public func recordConfirmation(
        _ confirmation: Confirmation, code: ConfirmationCode, at: Date, via source: ConfirmationSource, by: String?
    ) async throws(LedgerError) -> ConfirmationOutcome {
        try await write { transaction in
            guard let target = try await Self.confirmationTarget(code, in: transaction) else { return .unknown }
            guard target.kind.confirmations.contains(confirmation) else { return .notAsked(target) }
            guard target.recorded(confirmation) == nil else { return .alreadyRecorded(target) }
            let time = at.ledgerMillis
            var covered = 0
            switch confirmation {
            case .received:
                covered = try await transaction.execute(
                    "UPDATE deliveries SET received_at = ?, confirmed_via = ? WHERE id = ? AND received_at IS NULL",
                    [time, source.rawValue, target.delivery.rawValue])
            case .destroyed:
                // Whoever destroyed the papers had received them.
                try await transaction.execute(
                    "UPDATE deliveries SET received_at = ? WHERE id = ? AND received_at IS NULL", [time, target.delivery.rawValue])
                covered = try await transaction.execute(
                    """
                    UPDATE deliveries SET destroyed_at = ?, confirmed_via = ?
                    WHERE case_id = ? AND recipient_id = ? AND channel != 'radio' AND destroyed_at IS NULL
                    """,
                    [time, source.rawValue, target.caseID.rawValue, target.recipient.rawValue])
            }
            try await Self.audit(
                transaction, at: at, case: target.caseID, event: "confirm.\(confirmation.rawValue)",
                detail: Ledger.confirmationDetail(target, via: source, covered: covered, by: by))
            return .recorded(target.recording(confirmation, at: at), covered: covered)
        }
    }

    /// The delivery of `code` in an unpurged case (`Ledger.confirmationTarget`).
    static func confirmationTarget(_ code: ConfirmationCode, in transaction: PostgresTransaction) async throws -> ConfirmationTarget? {
        guard
            let row = try await transaction.row(
                """
                SELECT d.id, d.case_id, d.recipient_id, d.channel, d.kind, d.received_at, d.destroyed_at, c.drill
                FROM deliveries d JOIN cases c ON c.id = d.case_id
                WHERE d.confirmation = ? AND c.purged_at IS NULL
                """,
                [code.rawValue]),
            let channel = Channel(rawValue: try row["channel"]), let kind = NoticeKind(rawValue: try row["kind"])
        else { return nil }
        return ConfirmationTarget(
            code: code, delivery: DeliveryID(rawValue: try row["id"]), caseID: CaseID(try row["case_id"] as String),
            recipient: RecipientID(try row["recipient_id"] as String), channel: channel, kind: kind, drill: try row["drill"],
            receivedAt: (try row["received_at"] as Int64?).map(Date.init(ledgerMillis:)),
            destroyedAt: (try row["destroyed_at"] as Int64?).map(Date.init(ledgerMillis:)))
    }
}
