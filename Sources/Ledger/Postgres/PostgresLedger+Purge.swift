import Foundation
import MimamoriCore

extension PostgresLedger: RetentionStore {
    /// Removes the personal data of every case `Retention.isDueForPurge` says must go, as
    /// `Ledger.purge` does, in one write transaction: event bodies, rendered notices,
    /// cooperators' addresses and confirmation codes, the stay's request form, unforwarded
    /// partner copies and the state snapshot. Ids, counts, states and times stay for the audit.
    ///
    /// PostgreSQL has no `secure_delete`: an UPDATE leaves the old row version, personal data and
    /// all, in the table's file, and a plain VACUUM only marks its space free. So after the commit
    /// every table the purge touched is rewritten into new files (`truncateWAL`). The purge is
    /// committed either way; a rewrite that could not run is reported in `walKept` and owed.
    /// Safe to repeat: a second call finds nothing more to do.
    @discardableResult
    public func purge(retention: Duration, now: Date) async throws(LedgerError) -> PurgeOutcome {
        var outcome: PurgeOutcome = try await write { transaction in
            // Every case whose data is still here; the core decides which of them must lose it.
            let candidates = try await transaction.rows(
                """
                SELECT c.id, c.closed_at, s.state AS stay_state, s.ended_at AS stay_ended_at
                FROM cases c LEFT JOIN shelter_stays s ON s.case_id = c.id
                WHERE c.purged_at IS NULL ORDER BY c.closed_at, c.id
                """)
            var ids: [String] = []
            for row in candidates {
                let id: String = try row["id"]
                let left = try await transaction.rows(
                    "SELECT state, deadline_at FROM deliveries WHERE case_id = ? AND state IN \(LedgerVocabulary.unfinishedStates)",
                    [id]
                ).map { delivery in
                    Retention.UnfinishedDelivery(
                        isSending: try delivery["state"] == DeliveryState.sending.rawValue,
                        deadline: Date(ledgerMillis: try delivery["deadline_at"]))
                }
                let closedAt = (try row["closed_at"] as Int64?).map(Date.init(ledgerMillis:))
                var stay: Retention.Stay?
                if (try row["stay_state"] as String?) != nil {
                    stay = (try row["stay_ended_at"] as Int64?).map { .ended(at: Date(ledgerMillis: $0)) } ?? .ongoing
                }
                if Retention.isDueForPurge(closedAt: closedAt, unfinished: left, stay: stay, retention: retention, now: now) {
                    ids.append(id)
                }
            }
            var result = PurgeOutcome(cases: ids.map(CaseID.init(_:)), events: 0, notices: 0, addresses: 0)
            for id in ids {
                let events = try await transaction.execute(
                    "UPDATE events SET body = NULL WHERE case_id = ? AND body IS NOT NULL", [id])
                let notices = try await transaction.execute(
                    "UPDATE notices SET content = NULL WHERE case_id = ? AND content IS NOT NULL", [id])
                let addresses = try await transaction.execute(
                    "UPDATE deliveries SET address = NULL WHERE case_id = ? AND address IS NOT NULL", [id])
                // The codes expire with the case: the times and counts stay for the report.
                try await transaction.execute(
                    "UPDATE deliveries SET confirmation = NULL WHERE case_id = ? AND confirmation IS NOT NULL", [id])
                let stays = try await transaction.execute(
                    "UPDATE shelter_stays SET form = NULL WHERE case_id = ? AND form IS NOT NULL", [id])
                // A forward still waiting at the end of the retention goes too: the case is over.
                let forwards = try await transaction.execute(
                    "UPDATE partner_forwards SET body = NULL, headers = NULL WHERE case_id = ? AND body IS NOT NULL", [id])
                // A plan still kept (a daemon stopped since) is the case's too.
                try await transaction.execute("DELETE FROM plan_remainders WHERE case_id = ?", [id])
                try await transaction.execute("UPDATE cases SET state = NULL, purged_at = ? WHERE id = ?", [now.ledgerMillis, id])
                try await Self.audit(
                    transaction, at: now, case: CaseID(id), event: "case.purged",
                    detail: Ledger.purgedDetail(events: events, notices: notices, addresses: addresses, stays: stays, forwards: forwards))
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

    /// Makes sure no old row version of purged data is left in any file of the database: the
    /// tables the purge touches are rewritten (VACUUM FULL), then a CHECKPOINT writes the new
    /// files out and lets the server drop the old ones. This is what the retention service
    /// retries when a purge's `walKept` says the rewrite could not run, so it does the whole
    /// rewrite, not only the checkpoint.
    ///
    /// The write-ahead log is the server's, shared by every database on it: its segments keep the
    /// old bytes until the server recycles them after later checkpoints, and no client can
    /// force that (nor clear a WAL archive or a standby's copy). The CHECKPOINT is the nearest a
    /// client comes; it needs the `pg_checkpoint` role (or a superuser).
    public func truncateWAL() async throws(LedgerError) {
        try await rewrite(tables: Self.purgedTables)
    }

    /// Which of these case ids are purged: files outside the ledger that belong to them must go.
    public func purgedCases(among ids: Set<String>) async throws(LedgerError) -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let all = Array(ids)
        return try await read { transaction in
            var purged = Set<String>()
            // Chunks keep each statement far below the bound-value limit.
            for start in stride(from: 0, to: all.count, by: 500) {
                let chunk = Array(all[start..<min(start + 500, all.count)])
                purged.formUnion(
                    try await transaction.values(
                        String.self,
                        "SELECT id FROM cases WHERE purged_at IS NOT NULL AND id IN (\(Self.placeholders(chunk.count)))",
                        chunk))
            }
            return purged
        }
    }

    /// Raises the open-case alarm (once per case, ever) for every case `Retention.isOpenTooLong`
    /// says has been open longer than `limit`. Returns the cases newly raised.
    @discardableResult
    public func raiseOpenCaseAlarms(openFor limit: Duration, now: Date) async throws(LedgerError) -> [CaseID] {
        try await write { transaction in
            // Cases with data and no open-case alarm yet; the core decides which are open too long.
            let rows = try await transaction.rows(
                """
                SELECT id, opened_at, closed_at FROM cases c WHERE purged_at IS NULL
                AND NOT EXISTS (SELECT 1 FROM case_alarms a WHERE a.case_id = c.id AND a.kind = ?)
                ORDER BY opened_at, id
                """,
                [CaseAlarm.Kind.openCase.rawValue])
            var ids: [CaseID] = []
            for row in rows {
                let tooLong = Retention.isOpenTooLong(
                    openedAt: Date(ledgerMillis: try row["opened_at"]),
                    closedAt: (try row["closed_at"] as Int64?).map(Date.init(ledgerMillis:)), limit: limit, now: now)
                if tooLong { ids.append(CaseID(try row["id"] as String)) }
            }
            for id in ids {
                try await Self.raise(.openCase, audience: .staff, case: id, at: now, in: transaction)
            }
            return ids
        }
    }
}

extension PostgresLedger {
    /// Every table whose columns `purge` clears (the state snapshot is in `cases`), and
    /// `registrations`: a removal whose own rewrite had to wait is taken by the next purge's.
    /// `plan_remainders` too: its rows go when they are written, and their dead versions hold
    /// the addresses until a rewrite.
    static let purgedTables = [
        "cases", "events", "notices", "deliveries", "shelter_stays", "partner_forwards", "registrations", "plan_remainders",
    ]

    /// The columns `purge` clears, as `table.column`: the planner's samples of them
    /// (`pg_statistic`) may hold their values.
    static let purgedColumns = [
        "cases.state", "events.body", "notices.content", "deliveries.address", "deliveries.confirmation",
        "shelter_stays.form", "partner_forwards.body", "partner_forwards.headers", "registrations.record",
        "plan_remainders.deliveries",
    ]

    /// How long the rewrite waits for older snapshots and for its locks, as SQLite's busy
    /// timeout waits for readers before a checkpoint gives up.
    static let rewriteWait: Duration = .seconds(5)

    /// Rewrites `tables` into new files so that no dead row version is left in the old ones.
    ///
    /// VACUUM FULL copies a row version another transaction may still see, so it runs only once
    /// no transaction holds a snapshot from before it was called; while one does, this fails
    /// `.busy` after `rewriteWait`. Its locks wait at most as long: a reader left open must not
    /// stall every writer queued behind the rewrite's lock. Where the planner has sampled the
    /// purged columns (autovacuum's ANALYZE), the samples are taken again and `pg_statistic` is
    /// rewritten the same way; that needs the database's owner (or a superuser), else
    /// PostgreSQL skips it with a warning.
    func rewrite(tables: [String]) async throws(LedgerError) {
        let logger = logger
        let location = location
        do {
            try await client.withConnection { connection in
                let session = PostgresTransaction(connection: connection, logger: logger)
                try await Self.waitForOlderSnapshots(session, location: location)
                let sampled =
                    try await session.value(
                        Int.self,
                        """
                        SELECT count(*) FROM pg_stats WHERE schemaname = current_schema()
                        AND tablename || '.' || attname IN (\(Self.purgedColumns.map { "'\($0)'" }.joined(separator: ", ")))
                        """) ?? 0
                try await session.execute("SET lock_timeout = \(Self.rewriteWait.components.seconds * 1000)")
                do {
                    try await session.execute(
                        (sampled > 0 ? "VACUUM (FULL, ANALYZE) " : "VACUUM FULL ") + tables.joined(separator: ", "))
                    if sampled > 0 {
                        // The replaced samples are dead row versions of pg_statistic now.
                        try await Self.waitForOlderSnapshots(session, location: location)
                        try await session.execute("VACUUM FULL pg_statistic")
                    }
                } catch {
                    // The connection goes back to the pool: its writers wait for their lock as long as needed.
                    _ = try? await session.execute("RESET lock_timeout")
                    throw error
                }
                try await session.execute("RESET lock_timeout")
                try await session.execute("CHECKPOINT")
            }
        } catch {
            throw LedgerError.wrapping(postgres: error, location: location)
        }
    }

    /// Waits until no transaction of the server (nor a prepared transaction, nor a standby's
    /// feedback through a replication slot) still holds a snapshot taken before now: until then
    /// a row version that is dead now may still be visible to it. Backends of other roles count
    /// only where the ledger's role may see them (`pg_read_all_stats`).
    static func waitForOlderSnapshots(_ session: PostgresTransaction, location: String) async throws {
        // A transaction id of its own, committed at once: every snapshot older than it is counted.
        guard let now = try await session.value(String.self, "SELECT pg_current_xact_id()::xid::text") else { return }
        let clock = ContinuousClock()
        let giveUp = clock.now.advanced(by: rewriteWait)
        while true {
            let holders =
                try await session.value(
                    Int.self,
                    """
                    SELECT (SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()
                            AND (age(backend_xmin) >= age(?::text::xid) OR age(backend_xid) >= age(?::text::xid)))
                         + (SELECT count(*) FROM pg_replication_slots
                            WHERE age(xmin) >= age(?::text::xid) OR age(catalog_xmin) >= age(?::text::xid))
                         + (SELECT count(*) FROM pg_prepared_xacts WHERE age(transaction) >= age(?::text::xid))
                    """, [now, now, now, now, now]) ?? 0
            if holders == 0 { return }
            guard clock.now < giveUp else {
                throw LedgerError(
                    code: .busy, isRetriable: true,
                    operatorHint:
                        "a transaction on \(location) (a long report, a backup, a standby's query) holds an old snapshot; the rewrite of purged data is tried again at the next pass",
                    message: "purged row versions are still visible to another transaction")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
