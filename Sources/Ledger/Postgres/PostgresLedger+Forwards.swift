import Foundation
import MimamoriCore

extension PostgresLedger: PartnerForwardOutbox {
    /// The event's forwards to partner towns, written with it (`Ledger.insertForwards`).
    static func insertForwards(_ intake: Intake, at received: Int64, in transaction: PostgresTransaction) async throws {
        guard !intake.forwards.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for forward in intake.forwards {
            let headers = String(decoding: try encoder.encode(forward.headers), as: UTF8.self)
            try await transaction.execute(
                """
                INSERT INTO partner_forwards (case_id, message_id, sequence, partner, routing_key, body, headers, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    intake.caseID.rawValue, intake.messageID, intake.sequence, forward.partner, forward.routingKey, forward.body, headers,
                    received,
                ])
        }
    }

    public func pendingForwards(limit: Int, excluding: Set<String>) async throws(LedgerError) -> [PartnerForward] {
        let excluded = excluding.sorted()
        // `NOT IN ()` is no SQL: with nothing excluded, a partner name no town has.
        let names: [(any PostgresArgument)?] = excluded.isEmpty ? [""] : excluded
        return try await read { transaction in
            try await transaction.rows(
                """
                SELECT id, case_id, message_id, sequence, partner, routing_key, body, headers, recorded_at
                FROM partner_forwards WHERE forwarded_at IS NULL AND body IS NOT NULL
                AND partner NOT IN (\(Self.placeholders(names.count))) ORDER BY id LIMIT ?
                """,
                names + [limit]
            ).map { row in
                let headers = (try row["headers"] as String?).flatMap {
                    try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
                }
                return PartnerForward(
                    id: try row["id"], caseID: CaseID(try row["case_id"] as String), messageID: try row["message_id"],
                    sequence: try row["sequence"], partner: try row["partner"], routingKey: try row["routing_key"],
                    body: try row["body"], headers: headers ?? [:], recordedAt: Date(ledgerMillis: try row["recorded_at"]))
            }
        }
    }

    /// The broker confirmed the forward: the body and headers go, the row stays as the record
    /// that it went, with an audit row.
    public func markForwarded(_ forward: PartnerForward, at: Date) async throws(LedgerError) {
        try await write { transaction in
            let marked = try await transaction.execute(
                "UPDATE partner_forwards SET forwarded_at = ?, body = NULL, headers = NULL WHERE id = ? AND forwarded_at IS NULL",
                [at.ledgerMillis, forward.id])
            guard marked > 0 else { return }
            try await Self.audit(
                transaction, at: at, case: forward.caseID, event: "case.forwarded", messageID: forward.messageID,
                detail: "seq=\(forward.sequence) partner=\(forward.partner)")
        }
    }

    public func forwardBacklog() async throws(LedgerError) -> (count: Int, oldest: Date?) {
        try await read { transaction in
            let row = try await transaction.row(
                """
                SELECT count(*) AS n, min(recorded_at) AS oldest FROM partner_forwards
                WHERE forwarded_at IS NULL AND body IS NOT NULL
                """)
            return (try row?["n"] ?? 0, (try row?["oldest"] as Int64?).map(Date.init(ledgerMillis:)))
        }
    }
}
