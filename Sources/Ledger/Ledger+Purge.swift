import Foundation
import GRDB
import MimamoriCore

/// What `purge` removed.
public struct PurgeOutcome: Hashable, Sendable {
    public var cases: [CaseID]
    public var events: Int
    public var notices: Int
    public var addresses: Int
}

extension Ledger {
    /// Removes the personal data of every case closed before `closedBefore` and not yet purged:
    /// event bodies, rendered notices, cooperators' addresses and the state snapshot. Ids, counts,
    /// states and times stay for the audit.
    ///
    /// The bytes really leave the file: `secure_delete` zeroes the freed cells and pages, and the
    /// WAL, which still holds old page images, is checkpointed into the database and truncated.
    @discardableResult
    public func purge(closedBefore cutoff: Date, now: Date) async throws(LedgerError) -> PurgeOutcome {
        let outcome: PurgeOutcome = try await write { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM cases WHERE closed_at IS NOT NULL AND closed_at < ? AND purged_at IS NULL",
                arguments: [cutoff.ledgerMillis])
            var result = PurgeOutcome(cases: ids.map(CaseID.init(_:)), events: 0, notices: 0, addresses: 0)
            for id in ids {
                try db.execute(sql: "UPDATE events SET body = NULL WHERE case_id = ? AND body IS NOT NULL", arguments: [id])
                let events = db.changesCount
                try db.execute(sql: "UPDATE notices SET content = NULL WHERE case_id = ? AND content IS NOT NULL", arguments: [id])
                let notices = db.changesCount
                try db.execute(sql: "UPDATE deliveries SET address = NULL WHERE case_id = ? AND address IS NOT NULL", arguments: [id])
                let addresses = db.changesCount
                try db.execute(
                    sql: "UPDATE cases SET state = NULL, purged_at = ? WHERE id = ?", arguments: [now.ledgerMillis, id])
                try Self.audit(
                    db, at: now, case: CaseID(id), event: "case.purged",
                    detail: "events=\(events) notices=\(notices) addresses=\(addresses)")
                result.events += events
                result.notices += notices
                result.addresses += addresses
            }
            return result
        }
        if !outcome.cases.isEmpty { try await truncateWAL() }
        return outcome
    }

    /// Copies the WAL into the database and truncates it to zero bytes, so old page images (which
    /// may hold purged data) are gone. Waits for readers through the busy timeout.
    public func truncateWAL() async throws(LedgerError) {
        do {
            try await pool.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
            }
        } catch {
            throw LedgerError.wrapping(error, path: path)
        }
    }
}
