import Foundation
import GRDB
import MimamoriCore

extension Ledger {
    /// Atomically moves up to `limit` due planned deliveries of `channel` to `sending`, counts the
    /// attempt, and returns them with their address and notice content. Oldest due first.
    public func claimDue(now: Date, channel: Channel, limit: Int) async throws(LedgerError) -> [DeliveryJob] {
        guard limit > 0 else { return [] }
        return try await write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    UPDATE deliveries SET state = 'sending', attempts = attempts + 1
                    WHERE id IN (
                        SELECT id FROM deliveries
                        WHERE state = 'planned' AND channel = ? AND next_attempt_at <= ?
                        ORDER BY next_attempt_at, id LIMIT ?)
                    RETURNING id, case_id, revision, recipient_id, address, kind, idempotency_key,
                              attempts, not_before, deadline_at
                    """,
                arguments: [channel.rawValue, now.ledgerMillis, limit])
            guard !rows.isEmpty else { return [] }

            // Jobs of one notice share one content buffer: a 10,000-recipient fan-out holds the
            // rendered notice once.
            var contents: [String: Data] = [:]
            var drills: [String: Bool] = [:]
            let noticeStatement = try db.cachedStatement(
                sql: "SELECT content FROM notices WHERE case_id = ? AND revision = ? AND kind = ? AND channel = ?")
            let drillStatement = try db.cachedStatement(sql: "SELECT drill FROM cases WHERE id = ?")
            var jobs: [DeliveryJob] = []
            jobs.reserveCapacity(rows.count)
            for row in rows {
                let caseID: String = row["case_id"]
                let revision: Int = row["revision"]
                let kind: String = row["kind"]
                let noticeKey = "\(caseID)\u{0}\(revision)\u{0}\(kind)"
                let content: Data
                if let cached = contents[noticeKey] {
                    content = cached
                } else {
                    content = try Data.fetchOne(noticeStatement, arguments: [caseID, revision, kind, channel.rawValue]) ?? Data()
                    contents[noticeKey] = content
                }
                let drill: Bool
                if let cached = drills[caseID] {
                    drill = cached
                } else {
                    drill = try Bool.fetchOne(drillStatement, arguments: [caseID]) ?? false
                    drills[caseID] = drill
                }
                jobs.append(
                    DeliveryJob(
                        id: DeliveryID(rawValue: row["id"]), caseID: CaseID(caseID), revision: revision,
                        recipient: RecipientID(row["recipient_id"] as String), channel: channel,
                        kind: NoticeKind(rawValue: kind) ?? .alert, address: row["address"] ?? "",
                        idempotencyKey: row["idempotency_key"], attempt: row["attempts"],
                        notBefore: Date(ledgerMillis: row["not_before"]), deadline: Date(ledgerMillis: row["deadline_at"]),
                        drill: drill, content: content))
            }
            // RETURNING gives no order guarantee; hand jobs out oldest first.
            jobs.sort { ($0.notBefore, $0.id.rawValue) < ($1.notBefore, $1.id.rawValue) }
            return jobs
        }
    }

    /// Gives claimed deliveries that were never handed to an outlet back to `planned`, as if they
    /// had not been claimed (the attempt is not counted). The dispatcher claims ahead of its free
    /// slots; on a graceful stop it returns what it had not started.
    public func release(_ ids: [DeliveryID]) async throws(LedgerError) {
        guard !ids.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(
                sql: "UPDATE deliveries SET state = 'planned', attempts = attempts - 1 WHERE id = ? AND state = 'sending'")
            for id in ids { try statement.execute(arguments: [id.rawValue]) }
        }
    }

    /// The earliest `next_attempt_at` of a planned delivery of `channel`, if any: when the
    /// dispatcher should look again.
    public func nextDue(channel: Channel) async throws(LedgerError) -> Date? {
        try await read { db in
            try Int64.fetchOne(
                db, sql: "SELECT min(next_attempt_at) FROM deliveries WHERE state = 'planned' AND channel = ?",
                arguments: [channel.rawValue]
            ).map(Date.init(ledgerMillis:))
        }
    }

    /// At startup: deliveries a crash left in `sending` go back to `planned`, due at `now`. They
    /// are the in-flight window: each may reach its recipient twice (with the same idempotency
    /// key), never zero times. Returns how many were resumed.
    @discardableResult
    public func resumeAfterRestart(now: Date) async throws(LedgerError) -> Int {
        try await write { db in
            try db.execute(
                sql: "UPDATE deliveries SET state = 'planned', next_attempt_at = ? WHERE state = 'sending'",
                arguments: [now.ledgerMillis])
            let resumed = db.changesCount
            let planned = try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries WHERE state = 'planned'") ?? 0
            try Self.audit(db, at: now, case: nil, event: "ledger.resumed", detail: "in_flight=\(resumed) planned=\(planned)")
            return resumed
        }
    }
}
