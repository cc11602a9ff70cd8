import Foundation
import GRDB
import MimamoriCore

extension Ledger {
    /// Atomically moves up to `limit` due planned deliveries of `channel` to `sending`, counts the
    /// attempt and the claim, and returns them with their address and notice content. Oldest due
    /// first.
    ///
    /// A delivery that came back from more than one crash without an outcome (`claims > 1`) is
    /// claimed alone, the one that came back most often first: were a delivery to kill the
    /// daemon, the deliveries claimed with it would come back as often as it does and share its
    /// fate. The dispatcher claims nothing more while it is in flight (`DeliveryJob.isSuspect`),
    /// so only the culprit keeps coming back, and `resume` fails it once it passes
    /// `crashLoopLimit`. Back from a single crash (a kill -9, a power cut) deliveries are claimed
    /// as usual.
    public func claimDue(now: Date, channel: Channel, limit: Int) async throws(LedgerError) -> [DeliveryJob] {
        guard limit > 0 else { return [] }
        return try await write { db in try Self.claimDue(db, now: now, channel: channel, limit: limit) }
    }

    static func claimDue(_ db: Database, now: Date, channel: Channel, limit: Int) throws -> [DeliveryJob] {
        // Cached: a fan-out claims many times over, and a statement parsed anew each time costs.
        let suspect = try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT id FROM deliveries
                    WHERE state = 'planned' AND channel = ? AND next_attempt_at <= ? AND claims > 1
                    ORDER BY claims DESC, next_attempt_at, id LIMIT 1
                    """),
            arguments: [channel.rawValue, now.ledgerMillis])
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    UPDATE deliveries SET state = 'sending', attempts = attempts + 1, claims = claims + 1
                    WHERE id IN (
                        SELECT id FROM deliveries
                        WHERE state = 'planned' AND channel = ? AND next_attempt_at <= ? AND claims <= 1
                            AND ? IS NULL
                        ORDER BY next_attempt_at, id LIMIT ?)
                        OR id = ?
                    RETURNING id, case_id, revision, recipient_id, address, kind, idempotency_key,
                              attempts, not_before, deadline_at, resends, claims, confirmation, line_tries
                    """),
            arguments: [channel.rawValue, now.ledgerMillis, suspect, limit, suspect ?? -1])
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
                    drill: drill, content: content, resends: row["resends"], claims: row["claims"],
                    confirmation: (row["confirmation"] as String?).flatMap(ConfirmationCode.init(rawValue:)),
                    lineTries: row["line_tries"]))
        }
        // RETURNING gives no order guarantee; hand jobs out oldest first.
        jobs.sort { ($0.notBefore, $0.id.rawValue) < ($1.notBefore, $1.id.rawValue) }
        return jobs
    }

    /// Gives claimed deliveries that were never handed to an outlet back to `planned`, as if they
    /// had not been claimed (neither the attempt nor the claim is counted). The dispatcher claims
    /// ahead of its free slots; on a graceful stop or a pause it returns what it had not started.
    public func release(_ ids: [DeliveryID]) async throws(LedgerError) {
        guard !ids.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(
                sql: """
                    UPDATE deliveries SET state = 'planned', attempts = attempts - 1, claims = max(claims - 1, 0)
                    WHERE id = ? AND state = 'sending'
                    """)
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

    /// A delivery claimed more often than this without an outcome is failed with `crash-loop`
    /// at the next start.
    public static let crashLoopLimit = 3

    /// What a start found left in `sending`.
    public struct Resumption: Sendable {
        /// Back to `planned`, due now.
        public var resumed: Int
        /// Failed with `crash-loop`: claimed more than `crashLoopLimit` times, and every time the
        /// daemon stopped before its outcome was recorded. Each owes its operator alarm.
        public var crashLooped: [PendingAlarm]
        /// Deliveries of plans a stop left partly written, written now (`completePlans`).
        public var completedPlans = PlanCompletion()
    }

    /// At startup, in one transaction: a delivery that came back from more than `crashLoopLimit`
    /// crashes is failed (`crash-loop`; it owes its alarm like any failure), so that one input
    /// that kills or hangs the daemon cannot hold its channel up forever; the rest of `sending`
    /// goes back to `planned` (`resume(now:)`).
    ///
    /// A claim is counted when it is made, not when the outlet starts: deliveries claimed ahead
    /// and never started count too (the ledger cannot tell them apart without a write per send).
    /// `claimDue` takes at most one delivery back from several crashes per claim, so those are
    /// cleared by their next outcome instead of following the culprit to its limit.
    ///
    /// First, a plan a stop left partly written is completed from what its event's transaction
    /// kept, as it was planned (`completePlans`).
    public func resume(now: Date) async throws(LedgerError) -> Resumption {
        try await write { db in
            let completed = try Self.completeAllPlans(in: db)
            let looped = try Row.fetchAll(
                db,
                sql: """
                    UPDATE deliveries SET state = 'failed', finished_at = ?, last_error_code = ?,
                        last_error = 'claimed ' || claims || ' times, and each time the daemon stopped before an outcome', claims = 0
                    WHERE state = 'sending' AND claims > ?
                    RETURNING id, case_id, recipient_id, channel, kind, attempts, finished_at, resends
                    """,
                arguments: [now.ledgerMillis, DeliveryErrorRecord.crashLoopCode, Self.crashLoopLimit]
            ).compactMap { row -> PendingAlarm? in
                guard let channel = Channel(rawValue: row["channel"]), let kind = NoticeKind(rawValue: row["kind"]) else {
                    return nil
                }
                return PendingAlarm(
                    deliveryID: DeliveryID(rawValue: row["id"]), caseID: CaseID(row["case_id"] as String),
                    recipient: RecipientID(row["recipient_id"] as String), channel: channel, kind: kind, state: .failed,
                    attempts: row["attempts"], errorCode: DeliveryErrorRecord.crashLoopCode,
                    finishedAt: Date(ledgerMillis: row["finished_at"]),
                    resends: row["resends"])
            }.sorted { $0.deliveryID.rawValue < $1.deliveryID.rawValue }
            try db.execute(
                sql: "UPDATE deliveries SET state = 'planned', next_attempt_at = ? WHERE state = 'sending'",
                arguments: [now.ledgerMillis])
            let resumed = db.changesCount
            let planned = try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries WHERE state = 'planned'") ?? 0
            try Self.audit(
                db, at: now, case: nil, event: "ledger.resumed",
                detail: Self.resumedDetail(resumed: resumed, planned: planned, crashLooped: looped.count, completed: completed))
            for failed in looped {
                try Self.audit(
                    db, at: now, case: failed.caseID, event: "delivery.crash-loop",
                    detail: "delivery=\(failed.deliveryID) recipient=\(failed.recipient) channel=\(failed.channel.rawValue)")
            }
            return Resumption(resumed: resumed, crashLooped: looped, completedPlans: completed)
        }
    }

    /// The `ledger.resumed` audit row's detail, on either backend.
    static func resumedDetail(resumed: Int, planned: Int, crashLooped: Int, completed: PlanCompletion) -> String {
        "in_flight=\(resumed) planned=\(planned) crash_loop=\(crashLooped)"
            + (completed == PlanCompletion() ? "" : " plan_completed=\(completed.written) plan_existing=\(completed.existing)")
    }
}
