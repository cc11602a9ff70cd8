import Foundation
import GRDB
import MimamoriCore

extension Ledger {
    /// Records one accepted event and all it changes in ONE transaction: the event (unless its
    /// message id is already known: then nothing changes), the case snapshot, the notices, the
    /// cancellations, the new deliveries and an audit row. Ack the broker message only after this
    /// returns.
    public func recordIntake(_ intake: Intake) async throws(LedgerError) -> IntakeOutcome {
        try await write { db in try Self.recordIntake(intake, in: db, completing: nil) }
    }

    /// Additions to an intake planned from who holds personal data.
    public typealias HolderPlan = (notices: [Intake.Notice], deliveries: [Intake.Delivery])

    /// Records a closure: like `recordIntake`, but after the cancellations, inside the same
    /// transaction, `plan` is given the recipients that hold (or may hold) personal data and
    /// whether the radio announced; the notices and deliveries it returns (terminations,
    /// destruction reminders, the radio end) are recorded with the rest. No claim can slip in
    /// between: a recipient whose alert goes out during the closure is either cancelled or
    /// counted as a holder, never neither. `plan` must be pure and quick (the core's planner);
    /// if it throws, nothing is written.
    public func recordIntake(
        _ intake: Intake, completing plan: @escaping @Sendable (PersonalDataHolders) throws -> HolderPlan
    ) async throws(LedgerError) -> IntakeOutcome {
        try await write { db in try Self.recordIntake(intake, in: db, completing: plan) }
    }

    static func recordIntake(
        _ intake: Intake, in db: Database, completing plan: (@Sendable (PersonalDataHolders) throws -> HolderPlan)?
    ) throws -> IntakeOutcome {
        var intake = intake
        if try knows(message: intake.messageID, in: db) { return .duplicate }

        let case_ = intake.caseID.rawValue
        let received = intake.receivedAt.ledgerMillis
        try db.execute(
            sql: """
                INSERT INTO cases (id, municipality, drill, state, state_name, last_sequence,
                                   opened_at, updated_at, closed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    state = excluded.state, state_name = excluded.state_name,
                    last_sequence = max(last_sequence, excluded.last_sequence),
                    updated_at = excluded.updated_at,
                    closed_at = coalesce(closed_at, excluded.closed_at),
                    -- New personal data on a purged case must be purged again.
                    purged_at = NULL
                """,
            arguments: [
                case_, intake.municipality, intake.drill, intake.state.data, intake.state.name,
                intake.sequence, received, received, intake.state.closedAt?.ledgerMillis,
            ])
        try db.execute(
            sql: "INSERT INTO events (message_id, case_id, sequence, kind, received_at, body) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [intake.messageID, case_, intake.sequence, intake.eventKind, received, intake.body])

        var cancelled = 0
        if !intake.cancelKinds.isEmpty {
            let kinds = intake.cancelKinds.map(\.rawValue).sorted()
            let marks = databaseQuestionMarks(count: kinds.count)
            try db.execute(
                sql: """
                    UPDATE deliveries SET state = 'cancelled', finished_at = ?
                    WHERE case_id = ? AND state = 'planned' AND kind IN (\(marks))
                    """,
                arguments: StatementArguments([received, case_] as [any DatabaseValueConvertible] + kinds))
            cancelled = db.changesCount
        }
        if let plan {
            let holders = PersonalDataHolders(
                recipients: try holders(of: intake.caseID, in: db), radioAnnounced: try radioAnnounced(intake.caseID, in: db))
            let added = try plan(holders)
            intake.notices += added.notices
            intake.deliveries += added.deliveries
        }

        let insertNotice = try db.cachedStatement(
            sql: """
                INSERT INTO notices (case_id, revision, kind, channel, content, created_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET content = excluded.content
                """)
        for notice in intake.notices {
            try insertNotice.execute(arguments: [
                case_, notice.revision, notice.kind.rawValue, notice.channel.rawValue, notice.content, received,
            ])
        }

        // One prepared statement for every row: 10,000 deliveries in one transaction.
        let insertDelivery = try db.cachedStatement(
            sql: """
                INSERT INTO deliveries (case_id, revision, recipient_id, address, channel, kind, state,
                    attempts, not_before, next_attempt_at, deadline_at, idempotency_key, created_at)
                VALUES (?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?, ?, ?, ?)
                """)
        var byChannel: [Channel: Int] = [:]
        for delivery in intake.deliveries {
            let p = delivery.planned
            let notBefore = p.notBefore.ledgerMillis
            insertDelivery.setUncheckedArguments([
                p.caseID.rawValue, p.revision, p.recipient.rawValue, delivery.address, p.channel.rawValue,
                p.kind.rawValue, notBefore, notBefore, delivery.deadline.ledgerMillis, p.idempotencyKey, received,
            ])
            try insertDelivery.execute()
            byChannel[p.channel, default: 0] += 1
        }

        let counts = Channel.allCases.map { "\($0.rawValue)=\(byChannel[$0] ?? 0)" }.joined(separator: " ")
        try audit(
            db, at: intake.receivedAt, case: intake.caseID, event: "case.\(intake.eventKind)",
            messageID: intake.messageID,
            detail: "seq=\(intake.sequence) \(counts) cancelled=\(cancelled)")
        for kind in intake.alarms {
            for audience in kind.audiences { try raise(kind, audience: audience, case: intake.caseID, at: intake.receivedAt, in: db) }
        }
        return .recorded(planned: intake.deliveries.count, cancelled: cancelled)
    }

    /// Whether an event with this message id was ever recorded (its row outlives the purge).
    public func knowsMessage(_ messageID: String) async throws(LedgerError) -> Bool {
        try await read { db in try Self.knows(message: messageID, in: db) }
    }

    static func knows(message messageID: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM events WHERE message_id = ?)", arguments: [messageID]) ?? false
    }

    /// Records that a message was acked without effect (a repeated message id, a stale sequence).
    public func recordIgnored(
        messageID: String, caseID: CaseID?, reason: String, at: Date
    ) async throws(LedgerError) {
        try await write { db in
            try Self.audit(db, at: at, case: caseID, event: "intake.ignored", messageID: messageID, detail: "reason=\(reason)")
        }
    }

    /// Records that a message was dead-lettered (it can never succeed). No body is kept.
    public func recordRejected(
        messageID: String?, caseID: CaseID?, reason: String, at: Date
    ) async throws(LedgerError) {
        try await write { db in
            try Self.audit(db, at: at, case: caseID, event: "intake.rejected", messageID: messageID, detail: "reason=\(reason)")
        }
    }

    static func audit(
        _ db: Database, at: Date, case caseID: CaseID?, event: String, messageID: String? = nil, detail: String
    ) throws {
        try db.execute(
            sql: "INSERT INTO audit (at, case_id, event, message_id, detail) VALUES (?, ?, ?, ?, ?)",
            arguments: [at.ledgerMillis, caseID?.rawValue, event, messageID, detail])
    }
}
