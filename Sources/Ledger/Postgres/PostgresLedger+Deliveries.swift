import Foundation
import MimamoriCore

extension PostgresLedger: DeliveryBacklog, DeliveryQueue {
    /// Deliveries not yet finished (planned or sending), by channel: the backlog metric.
    public func backlog() async throws(LedgerError) -> [Channel: Int] {
        try await read { transaction in
            var result: [Channel: Int] = Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, 0) })
            for row in try await transaction.rows(
                "SELECT channel, count(*) AS n FROM deliveries WHERE state IN \(LedgerVocabulary.unfinishedStates) GROUP BY channel")
            {
                if let channel = Channel(rawValue: try row["channel"]) { result[channel] = try row["n"] }
            }
            return result
        }
    }

    /// When the oldest planned delivery already due at `now` fell due, by channel (no entry when
    /// none is due). Deliveries waiting for their time are not due, so what this shows is work
    /// that could go out and has not.
    public func oldestDue(now: Date) async throws(LedgerError) -> [Channel: Date] {
        try await read { transaction in
            var result: [Channel: Date] = [:]
            for row in try await transaction.rows(
                """
                SELECT channel, min(next_attempt_at) AS due FROM deliveries
                WHERE state = 'planned' AND next_attempt_at <= ? GROUP BY channel
                """,
                [now.ledgerMillis])
            {
                if let channel = Channel(rawValue: try row["channel"]) { result[channel] = Date(ledgerMillis: try row["due"]) }
            }
            return result
        }
    }

    /// Atomically moves up to `limit` due planned deliveries of `channel` to `sending`, counts the
    /// attempt and the claim, and returns them with their address and notice content. Oldest due
    /// first.
    ///
    /// A delivery that came back from more than one crash without an outcome (`claims > 1`) is
    /// claimed alone, the one that came back most often first: were a delivery to kill the
    /// daemon, the deliveries claimed with it would come back as often as it does and share its
    /// fate (`Ledger.claimDue`).
    public func claimDue(now: Date, channel: Channel, limit: Int) async throws(LedgerError) -> [DeliveryJob] {
        guard limit > 0 else { return [] }
        let owner = leaseOwner.withLock { $0 }
        return try await write { transaction in
            try await Self.claimDue(transaction, now: now, channel: channel, limit: limit, owner: owner)
        }
    }

    static func claimDue(
        _ transaction: PostgresTransaction, now: Date, channel: Channel, limit: Int, owner: String?
    ) async throws -> [DeliveryJob] {
        try await requireLease(owner, in: transaction)
        let suspect = try await transaction.value(
            Int64.self,
            """
            SELECT id FROM deliveries
            WHERE state = 'planned' AND channel = ? AND next_attempt_at <= ? AND claims > 1
            ORDER BY claims DESC, next_attempt_at, id LIMIT 1
            """,
            [channel.rawValue, now.ledgerMillis])
        let rows = try await transaction.rows(
            """
            UPDATE deliveries SET state = 'sending', attempts = attempts + 1, claims = claims + 1, claimed_by = ?
            WHERE id IN (
                SELECT id FROM deliveries
                WHERE state = 'planned' AND channel = ? AND next_attempt_at <= ? AND claims <= 1
                    AND ?::bigint IS NULL
                ORDER BY next_attempt_at, id LIMIT ?)
                OR id = ?
            RETURNING id, case_id, revision, recipient_id, address, kind, idempotency_key,
                      attempts, not_before, deadline_at, resends, claims, confirmation, line_tries
            """,
            [owner, channel.rawValue, now.ledgerMillis, suspect, limit, suspect ?? -1])
        guard !rows.isEmpty else { return [] }

        // Jobs of one notice share one content buffer: a 10,000-recipient fan-out holds the
        // rendered notice once.
        var contents: [String: Data] = [:]
        var drills: [String: Bool] = [:]
        var jobs: [DeliveryJob] = []
        jobs.reserveCapacity(rows.count)
        for row in rows {
            let caseID: String = try row["case_id"]
            let revision: Int = try row["revision"]
            let kind: String = try row["kind"]
            let noticeKey = "\(caseID)\u{0}\(revision)\u{0}\(kind)"
            let content: Data
            if let cached = contents[noticeKey] {
                content = cached
            } else {
                content =
                    try await transaction.value(
                        Data.self, "SELECT content FROM notices WHERE case_id = ? AND revision = ? AND kind = ? AND channel = ?",
                        [caseID, revision, kind, channel.rawValue]) ?? Data()
                contents[noticeKey] = content
            }
            let drill: Bool
            if let cached = drills[caseID] {
                drill = cached
            } else {
                drill = try await transaction.value(Bool.self, "SELECT drill FROM cases WHERE id = ?", [caseID]) ?? false
                drills[caseID] = drill
            }
            jobs.append(
                DeliveryJob(
                    id: DeliveryID(rawValue: try row["id"]), caseID: CaseID(caseID), revision: revision,
                    recipient: RecipientID(try row["recipient_id"] as String), channel: channel,
                    kind: NoticeKind(rawValue: kind) ?? .alert, address: (try row["address"] as String?) ?? "",
                    idempotencyKey: try row["idempotency_key"], attempt: try row["attempts"],
                    notBefore: Date(ledgerMillis: try row["not_before"]), deadline: Date(ledgerMillis: try row["deadline_at"]),
                    drill: drill, content: content, resends: try row["resends"], claims: try row["claims"],
                    confirmation: (try row["confirmation"] as String?).flatMap(ConfirmationCode.init(rawValue:)),
                    lineTries: try row["line_tries"]))
        }
        // RETURNING gives no order guarantee; hand jobs out oldest first.
        jobs.sort { ($0.notBefore, $0.id.rawValue) < ($1.notBefore, $1.id.rawValue) }
        return jobs
    }

    /// Gives claimed deliveries that were never handed to an outlet back to `planned`, as if they
    /// had not been claimed (neither the attempt nor the claim is counted).
    public func release(_ ids: [DeliveryID]) async throws(LedgerError) {
        guard !ids.isEmpty else { return }
        try await write { transaction in
            for id in ids {
                try await transaction.execute(
                    """
                    UPDATE deliveries SET state = 'planned', attempts = attempts - 1, claims = GREATEST(claims - 1, 0)
                    WHERE id = ? AND state = 'sending'
                    """,
                    [id.rawValue])
            }
        }
    }

    /// The earliest `next_attempt_at` of a planned delivery of `channel`, if any: when the
    /// dispatcher should look again.
    public func nextDue(channel: Channel) async throws(LedgerError) -> Date? {
        try await read { transaction in
            try await transaction.value(
                Int64.self, "SELECT min(next_attempt_at) FROM deliveries WHERE state = 'planned' AND channel = ?",
                [channel.rawValue]
            ).map(Date.init(ledgerMillis:))
        }
    }

    /// At startup, in one transaction: a delivery that came back from more than
    /// `Ledger.crashLoopLimit` crashes is failed (`crash-loop`; it owes its alarm like any
    /// failure); the rest of `sending` goes back to `planned`, due `now` (`Ledger.resume`).
    public func resume(now: Date) async throws(LedgerError) -> Ledger.Resumption {
        try await write { transaction in
            let completed = try await Self.completeAllPlans(in: transaction)
            let looped = try await transaction.rows(
                """
                UPDATE deliveries SET state = 'failed', finished_at = ?, last_error_code = ?,
                    last_error = 'claimed ' || claims || ' times, and each time the daemon stopped before an outcome', claims = 0
                WHERE state = 'sending' AND claims > ?
                RETURNING id, case_id, recipient_id, channel, kind, attempts, finished_at, resends
                """,
                [now.ledgerMillis, DeliveryErrorRecord.crashLoopCode, Ledger.crashLoopLimit]
            ).compactMap { row -> PendingAlarm? in
                guard let channel = Channel(rawValue: try row["channel"]), let kind = NoticeKind(rawValue: try row["kind"]) else {
                    return nil
                }
                return PendingAlarm(
                    deliveryID: DeliveryID(rawValue: try row["id"]), caseID: CaseID(try row["case_id"] as String),
                    recipient: RecipientID(try row["recipient_id"] as String), channel: channel, kind: kind, state: .failed,
                    attempts: try row["attempts"], errorCode: DeliveryErrorRecord.crashLoopCode,
                    finishedAt: Date(ledgerMillis: try row["finished_at"]),
                    resends: try row["resends"])
            }.sorted { $0.deliveryID.rawValue < $1.deliveryID.rawValue }
            let resumed = try await transaction.execute(
                "UPDATE deliveries SET state = 'planned', next_attempt_at = ? WHERE state = 'sending'", [now.ledgerMillis])
            let planned = try await transaction.value(Int.self, "SELECT count(*) FROM deliveries WHERE state = 'planned'") ?? 0
            try await Self.audit(
                transaction, at: now, case: nil, event: "ledger.resumed",
                detail: Ledger.resumedDetail(resumed: resumed, planned: planned, crashLooped: looped.count, completed: completed))
            for failed in looped {
                try await Self.audit(
                    transaction, at: now, case: failed.caseID, event: "delivery.crash-loop",
                    detail: "delivery=\(failed.deliveryID) recipient=\(failed.recipient) channel=\(failed.channel.rawValue)")
            }
            return Ledger.Resumption(resumed: resumed, crashLooped: looped, completedPlans: completed)
        }
    }

    /// Records the outcome of an attempt on a `sending` delivery; returns once it is committed,
    /// in a transaction shared with the outcomes recorded meanwhile (`OutcomeGroupCommit`, as on
    /// SQLite): one writers' lock and one commit per batch instead of per delivery. An outcome
    /// for a delivery that is no longer `sending` is ignored; a failure or an expiry also
    /// finishes one still `planned`.
    public func record(_ outcome: DeliveryOutcome, for id: DeliveryID) async throws(LedgerError) {
        try await outcomes.record(outcome, for: id) { batch in
            do throws(LedgerError) {
                try await self.write { transaction in try await Self.apply(batch, in: transaction) }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
    }

    /// One batch of outcomes. The accepted ones (nearly all of a fan-out) are one statement: a
    /// statement per delivery was a round trip to the server each.
    static func apply(_ batch: [(DeliveryID, DeliveryOutcome)], in transaction: PostgresTransaction) async throws {
        let finish = """
            UPDATE deliveries SET state = ?, finished_at = ?, claims = 0,
                last_error_code = coalesce(?::text, last_error_code), last_error = coalesce(?::text, last_error)
            WHERE id = ? AND state IN ('sending', 'planned')
            """
        var accepted: (ids: [Int64], at: [Int64]) = ([], [])
        for (id, outcome) in batch {
            switch outcome {
            case .delivered(let at):
                accepted.ids.append(id.rawValue)
                accepted.at.append(at.ledgerMillis)
            case .retry(let error, _, let next):
                try await transaction.execute(
                    """
                    UPDATE deliveries SET state = 'planned', next_attempt_at = ?, last_error_code = ?, last_error = ?, claims = 0
                    WHERE id = ? AND state = 'sending'
                    """,
                    [next.ledgerMillis, error.code, error.summary, id.rawValue])
            case .failed(let error, let at):
                try await transaction.execute(finish, ["failed", at.ledgerMillis, error.code, error.summary, id.rawValue])
            case .expired(let error, let at):
                try await transaction.execute(finish, ["expired", at.ledgerMillis, error?.code, error?.summary, id.rawValue])
            }
        }
        guard !accepted.ids.isEmpty else { return }
        try await transaction.execute(
            """
            UPDATE deliveries AS d SET state = 'delivered', accepted_at = v.at, finished_at = v.at, claims = 0
            FROM unnest(?::bigint[], ?::bigint[]) AS v(id, at)
            WHERE d.id = v.id AND d.state = 'sending'
            """,
            [accepted.ids, accepted.at])
    }

    /// The server refused a notice's message itself (not one recipient): fails every planned
    /// delivery of that notice with the same error, as covered by the one alarm the delivery
    /// that found it raises (`alarmed_at` set). Deliveries being sent are left to their own
    /// outcome: one may still be accepted. Returns how many were failed.
    @discardableResult
    public func failNotice(
        case caseID: CaseID, revision: Int, kind: NoticeKind, channel: Channel, error: DeliveryErrorRecord, at: Date
    ) async throws(LedgerError) -> Int {
        try await write { transaction in
            try await transaction.execute(
                """
                UPDATE deliveries SET state = 'failed', finished_at = ?, alarmed_at = ?,
                    last_error_code = ?, last_error = ?
                WHERE case_id = ? AND revision = ? AND kind = ? AND channel = ? AND state = 'planned'
                """,
                [
                    at.ledgerMillis, at.ledgerMillis, error.code, error.summary, caseID.rawValue, revision,
                    kind.rawValue, channel.rawValue,
                ])
        }
    }

    /// The radio alerts and updates of a case that were possibly sent (`PossiblySent`), oldest
    /// first.
    public func announcements(case caseID: CaseID) async throws(LedgerError) -> [Announcement] {
        try await read { transaction in
            try await transaction.rows(
                """
                SELECT idempotency_key, revision, kind, not_before FROM deliveries
                WHERE case_id = ? AND channel = '\(Channel.radio.rawValue)' AND kind IN \(LedgerVocabulary.personalDataKinds)
                  AND \(LedgerVocabulary.possiblySent)
                ORDER BY revision, id
                """,
                [caseID.rawValue]
            ).map { row in
                Announcement(
                    idempotencyKey: try row["idempotency_key"], revision: try row["revision"],
                    kind: NoticeKind(rawValue: try row["kind"]) ?? .alert, notBefore: Date(ledgerMillis: try row["not_before"]))
            }
        }
    }
}
