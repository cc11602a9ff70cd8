import Foundation
import GRDB
import MimamoriCore

/// An event of ours to forward to a partner town's daemon, exactly as the police signed it.
public struct PartnerForward: Sendable, Hashable {
    public var id: Int64
    public var caseID: CaseID
    /// The event's `messageId`: the partner's ledger recognises a repeat by it.
    public var messageID: String
    public var sequence: Int
    public var partner: String
    /// `case.<partner>.<kind>`: the partner's queue binding, kept by the shovel.
    public var routingKey: String
    /// The signed body, byte for byte (personal data: gone once forwarded, and with the purge).
    public var body: Data
    /// The signature headers it came with.
    public var headers: [String: String]
    public var recordedAt: Date
}

extension Intake {
    /// One forward of the event to a partner (recorded with the event, published from the ledger).
    public struct Forward: Sendable, Hashable {
        public var partner: String
        public var routingKey: String
        public var body: Data
        public var headers: [String: String]
        public init(partner: String, routingKey: String, body: Data, headers: [String: String]) {
            self.partner = partner
            self.routingKey = routingKey
            self.body = body
            self.headers = headers
        }
    }
}

extension Ledger {
    static func insertForwards(_ intake: Intake, at received: Int64, in db: Database) throws {
        guard !intake.forwards.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO partner_forwards (case_id, message_id, sequence, partner, routing_key, body, headers, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for forward in intake.forwards {
            let headers = String(decoding: try encoder.encode(forward.headers), as: UTF8.self)
            try insert.execute(arguments: [
                intake.caseID.rawValue, intake.messageID, intake.sequence, forward.partner, forward.routingKey, forward.body, headers,
                received,
            ])
        }
    }

    /// Forwards not yet confirmed by the broker, oldest first: a case's events in their order.
    public func pendingForwards(limit: Int, excluding: Set<String>) async throws(LedgerError) -> [PartnerForward] {
        let excluded = excluding.sorted()
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, case_id, message_id, sequence, partner, routing_key, body, headers, recorded_at
                    FROM partner_forwards INDEXED BY partner_forwards_pending
                    WHERE forwarded_at IS NULL AND body IS NOT NULL
                        AND partner NOT IN (\(databaseQuestionMarks(count: excluded.count))) ORDER BY id LIMIT ?
                    """,
                arguments: StatementArguments(excluded + [limit] as [any DatabaseValueConvertible])
            ).map { row in
                let headers = (row["headers"] as String?).flatMap {
                    try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
                }
                return PartnerForward(
                    id: row["id"], caseID: CaseID(row["case_id"] as String), messageID: row["message_id"], sequence: row["sequence"],
                    partner: row["partner"], routingKey: row["routing_key"], body: row["body"], headers: headers ?? [:],
                    recordedAt: Date(ledgerMillis: row["recorded_at"]))
            }
        }
    }

    /// The broker confirmed the forward: the body and headers go (the partner's ledger has its
    /// own copy now), the row stays as the record that it went, with an audit row.
    public func markForwarded(_ forward: PartnerForward, at: Date) async throws(LedgerError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE partner_forwards SET forwarded_at = ?, body = NULL, headers = NULL WHERE id = ? AND forwarded_at IS NULL",
                arguments: [at.ledgerMillis, forward.id])
            guard db.changesCount > 0 else { return }
            try Self.audit(
                db, at: at, case: forward.caseID, event: "case.forwarded", messageID: forward.messageID,
                detail: "seq=\(forward.sequence) partner=\(forward.partner)")
        }
    }

    /// How many forwards wait, and since when the oldest does (the metric and `/healthz`).
    public func forwardBacklog() async throws(LedgerError) -> (count: Int, oldest: Date?) {
        try await read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS n, min(recorded_at) AS oldest FROM partner_forwards INDEXED BY partner_forwards_pending
                    WHERE forwarded_at IS NULL AND body IS NOT NULL
                    """)
            return (row?["n"] ?? 0, (row?["oldest"] as Int64?).map(Date.init(ledgerMillis:)))
        }
    }
}
