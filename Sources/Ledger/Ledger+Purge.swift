import Foundation
import GRDB
import MimamoriCore

/// What `purge` removed.
public struct PurgeOutcome: Sendable {
    public var cases: [CaseID]
    public var events: Int
    public var notices: Int
    public var addresses: Int
    /// Why the WAL could not be truncated after the commit (a reader holding an old snapshot),
    /// or nil when it was (or nothing was purged). The purge itself is committed either way;
    /// the truncation is owed and tried again at the next pass.
    public var walKept: LedgerError?
}

extension Ledger {
    /// Removes the personal data of every case `Retention.isDueForPurge` says must go (closed
    /// longer than `retention` ago, nothing of it left to send, its emergency temporary stay
    /// ended): event bodies, rendered notices, cooperators' addresses, the stay's request fields
    /// and the state snapshot. Ids, counts, states and times stay for the
    /// audit.
    ///
    /// The bytes really leave the file: `secure_delete` zeroes the freed cells and pages, and the
    /// WAL, which still holds old page images, is checkpointed into the database and truncated.
    /// Safe to repeat: a second call finds nothing more to do.
    @discardableResult
    public func purge(retention: Duration, now: Date) async throws(LedgerError) -> PurgeOutcome {
        var outcome: PurgeOutcome = try await write { db in
            // Every case whose data is still here; the core decides which of them must lose it.
            let candidates = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, c.closed_at, s.state AS stay_state, s.ended_at AS stay_ended_at
                    FROM cases c LEFT JOIN shelter_stays s ON s.case_id = c.id
                    WHERE c.purged_at IS NULL ORDER BY c.closed_at, c.id
                    """)
            let unfinished = try db.cachedStatement(
                sql: "SELECT state, deadline_at FROM deliveries WHERE case_id = ? AND state IN \(LedgerVocabulary.unfinishedStates)")
            var ids: [String] = []
            for row in candidates {
                let id: String = row["id"]
                let left = try Row.fetchAll(unfinished, arguments: [id]).map { delivery in
                    Retention.UnfinishedDelivery(
                        isSending: delivery["state"] == DeliveryState.sending.rawValue,
                        deadline: Date(ledgerMillis: delivery["deadline_at"]))
                }
                let closedAt = (row["closed_at"] as Int64?).map(Date.init(ledgerMillis:))
                var stay: Retention.Stay?
                if (row["stay_state"] as String?) != nil {
                    stay = (row["stay_ended_at"] as Int64?).map { .ended(at: Date(ledgerMillis: $0)) } ?? .ongoing
                }
                if Retention.isDueForPurge(closedAt: closedAt, unfinished: left, stay: stay, retention: retention, now: now) {
                    ids.append(id)
                }
            }
            var result = PurgeOutcome(cases: ids.map(CaseID.init(_:)), events: 0, notices: 0, addresses: 0)
            for id in ids {
                try db.execute(sql: "UPDATE events SET body = NULL WHERE case_id = ? AND body IS NOT NULL", arguments: [id])
                let events = db.changesCount
                try db.execute(sql: "UPDATE notices SET content = NULL WHERE case_id = ? AND content IS NOT NULL", arguments: [id])
                let notices = db.changesCount
                try db.execute(sql: "UPDATE deliveries SET address = NULL WHERE case_id = ? AND address IS NOT NULL", arguments: [id])
                let addresses = db.changesCount
                // The codes expire with the case: the times and counts stay for the report.
                try db.execute(
                    sql: "UPDATE deliveries SET confirmation = NULL WHERE case_id = ? AND confirmation IS NOT NULL", arguments: [id])
                try db.execute(sql: "UPDATE shelter_stays SET form = NULL WHERE case_id = ? AND form IS NOT NULL", arguments: [id])
                let stays = db.changesCount
                // A forward still waiting at the end of the retention goes too: the case is over.
                try db.execute(
                    sql: "UPDATE partner_forwards SET body = NULL, headers = NULL WHERE case_id = ? AND body IS NOT NULL",
                    arguments: [id])
                let forwards = db.changesCount
                // A plan still kept (a daemon stopped since) is the case's too.
                try db.execute(sql: "DELETE FROM plan_remainders WHERE case_id = ?", arguments: [id])
                try db.execute(
                    sql: "UPDATE cases SET state = NULL, purged_at = ? WHERE id = ?", arguments: [now.ledgerMillis, id])
                try Self.audit(
                    db, at: now, case: CaseID(id), event: "case.purged",
                    detail: Self.purgedDetail(events: events, notices: notices, addresses: addresses, stays: stays, forwards: forwards))
                result.events += events
                result.notices += notices
                result.addresses += addresses
            }
            return result
        }
        // Committed: what follows must not make the purge look failed.
        if !outcome.cases.isEmpty {
            do {
                try await truncateWAL()
            } catch {
                outcome.walKept = error
            }
        }
        return outcome
    }

    /// Copies the WAL into the database and truncates it to zero bytes, so old page images (which
    /// may hold purged data) are gone. Waits for readers through the busy timeout, then fails
    /// with `.busy` while one still holds a snapshot older than the purge.
    public func truncateWAL() async throws(LedgerError) {
        do {
            try await pool.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
            }
        } catch {
            throw LedgerError.wrapping(error, path: path)
        }
    }

    /// Which of these case ids are purged: files outside the ledger that belong to them must go.
    public func purgedCases(among ids: Set<String>) async throws(LedgerError) -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let all = Array(ids)
        return try await read { db in
            var purged = Set<String>()
            // SQLite's bound-parameter limit is far above this; chunks keep each statement small.
            for start in stride(from: 0, to: all.count, by: 500) {
                let chunk = Array(all[start..<min(start + 500, all.count)])
                let rows = try String.fetchAll(
                    db,
                    sql: "SELECT id FROM cases WHERE purged_at IS NOT NULL AND id IN (\(databaseQuestionMarks(count: chunk.count)))",
                    arguments: StatementArguments(chunk))
                purged.formUnion(rows)
            }
            return purged
        }
    }
}

extension Ledger {
    /// The `case.purged` audit row's counts, on either backend.
    static func purgedDetail(events: Int, notices: Int, addresses: Int, stays: Int, forwards: Int) -> String {
        "events=\(events) notices=\(notices) addresses=\(addresses)" + (stays > 0 ? " stay=1" : "")
            + (forwards > 0 ? " unforwarded=\(forwards)" : "")
    }
}
