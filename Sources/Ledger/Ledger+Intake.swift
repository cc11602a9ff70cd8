import Foundation
import GRDB
import MimamoriCore

extension Ledger {
    /// Records one decided event and all it changes in ONE transaction: the event (unless its
    /// message id is already known: then nothing changes), the case snapshot, the notices, the
    /// cancellations, the new deliveries and an audit row. Ack the broker message only after this
    /// returns.
    public func recordIntake(_ intake: Intake) async throws(LedgerError) -> IntakeOutcome {
        try await write { db in
            if try Self.knows(message: intake.messageID, in: db) { return .duplicate }
            return try Self.recordIntake(intake, in: db)
        }
    }

    /// Decides and records one event in ONE transaction: `decide` is given what the ledger holds
    /// of the case (its stored state, whether the message id was recorded, who holds personal
    /// data and whether the radio announced) and returns what to write; then it is written. No
    /// claim can slip in between the reading and the writing: a recipient whose alert goes out meanwhile is either cancelled
    /// or counted as a holder, never neither. `decide` must be pure and quick (the core's state
    /// machine and planner); if it throws, nothing is written. `Decided` is whatever the caller
    /// wants back of the decision.
    public func recordIntake<Decided: Sendable>(
        case caseID: CaseID, messageID: String, at: Date,
        deciding decide: @escaping @Sendable (IntakeReading) throws -> (entry: IntakeEntry, decided: Decided)
    ) async throws(LedgerError) -> (outcome: IntakeOutcome, decided: Decided) {
        try await write { db in
            let reading = IntakeReading(
                stored: try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM cases WHERE id = ?"), arguments: [caseID.rawValue]
                )
                .map(StoredCase.init(row:)),
                messageRecorded: try Self.knows(message: messageID, in: db),
                holders: try Self.personalDataHolders(of: caseID, in: db))
            let (entry, decided) = try decide(reading)
            switch entry {
            case .record(let intake):
                return (try Self.recordIntake(intake, in: db), decided)
            case .ignore(let auditMessageID, let reason):
                try Self.audit(
                    db, at: at, case: caseID, event: "intake.ignored", messageID: auditMessageID ?? "-", detail: "reason=\(reason)")
                return (.audited, decided)
            case .reject(let auditMessageID, let reason):
                try Self.audit(db, at: at, case: caseID, event: "intake.rejected", messageID: auditMessageID, detail: "reason=\(reason)")
                return (.audited, decided)
            }
        }
    }

    /// Deliveries per INSERT and its SQL, largest first (the last is one row): 12 values a row
    /// keeps the largest chunk far below SQLite's limit of 32,766 bound values.
    static let deliveryInserts = [512, 64, 8, 1].map { (rows: $0, sql: insertDeliveries(rows: $0)) }
    /// The same for a kept plan's chunks: a delivery already there (the same idempotency key)
    /// stays as it is.
    static let deliveryInsertsKeepingExisting = [512, 64, 8, 1].map {
        (rows: $0, sql: insertDeliveries(rows: $0) + " ON CONFLICT DO NOTHING")
    }
    static let deliveryInsertColumns = 12

    /// `INSERT INTO deliveries … VALUES (…), (…)` for `rows` rows (each `planned`, no attempt yet).
    static func insertDeliveries(rows: Int) -> String {
        let row = "(?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?, ?, ?, ?, ?)"
        return """
            INSERT INTO deliveries (case_id, revision, recipient_id, address, channel, kind, state,
                attempts, not_before, next_attempt_at, deadline_at, idempotency_key, created_at, confirmation)
            VALUES \(repeatElement(row, count: rows).joined(separator: ", "))
            """
    }

    /// Inserts planned deliveries by the chunk, a statement step per chunk instead of per row. A
    /// few chunk sizes only, so the connection keeps a few prepared statements, not one per plan
    /// size. Returns the rows inserted (fewer than given only when `keepingExisting`).
    static func insertDeliveries(
        _ deliveries: ArraySlice<Intake.Delivery>, created: Int64, keepingExisting: Bool = false, in db: Database
    ) throws -> Int {
        let inserts = keepingExisting ? deliveryInsertsKeepingExisting : deliveryInserts
        var inserted = 0
        var rows = deliveries
        while !rows.isEmpty {
            let chunkInsert = inserts.first { $0.rows <= rows.count } ?? inserts[inserts.count - 1]
            let chunk = rows.prefix(chunkInsert.rows)
            rows = rows.dropFirst(chunk.count)
            let insert = try db.cachedStatement(sql: chunkInsert.sql)
            var values: [(any DatabaseValueConvertible)?] = []
            values.reserveCapacity(chunk.count * Self.deliveryInsertColumns)
            for delivery in chunk {
                let p = delivery.planned
                let notBefore = p.notBefore.ledgerMillis
                values += [
                    p.caseID.rawValue, p.revision, p.recipient.rawValue, delivery.address, p.channel.rawValue,
                    p.kind.rawValue, notBefore, notBefore, delivery.deadline.ledgerMillis, p.idempotencyKey, created,
                    delivery.confirmation?.rawValue,
                ]
            }
            insert.setUncheckedArguments(StatementArguments(values))
            try insert.execute()
            inserted += db.changesCount
        }
        return inserted
    }

    static func recordIntake(_ intake: Intake, in db: Database) throws -> IntakeOutcome {
        let case_ = intake.caseID.rawValue
        let received = intake.receivedAt.ledgerMillis
        // Cached statements: every intake runs these, and parsing them again each time was a
        // good part of a small case's intake.
        try db.cachedStatement(
            sql: """
                INSERT INTO cases (id, municipality, drill, state, state_name, last_sequence,
                                   opened_at, updated_at, closed_at, schema)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    state = excluded.state, state_name = excluded.state_name,
                    last_sequence = max(last_sequence, excluded.last_sequence),
                    updated_at = excluded.updated_at,
                    closed_at = coalesce(closed_at, excluded.closed_at),
                    -- New personal data on a purged case must be purged again.
                    purged_at = NULL
                """
        ).execute(
            arguments: [
                case_, intake.municipality, intake.drill, intake.state.data, intake.state.name,
                intake.sequence, received, received, intake.state.closedAt?.ledgerMillis, intake.schema,
            ])
        try db.cachedStatement(
            sql: "INSERT INTO events (message_id, case_id, sequence, kind, received_at, body) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [intake.messageID, case_, intake.sequence, intake.eventKind, received, intake.body])

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

        // A large plan's first deliveries go in here, the rest are kept in this same transaction
        // and written by `completePlans`; the audit row counts the whole plan.
        let first = intake.firstCommit.map { min($0, intake.deliveries.count) } ?? intake.deliveries.count
        let kept = PlanRemainder.chunks(of: intake.deliveries, firstCommit: intake.firstCommit)
        if !kept.isEmpty {
            try PlanRemainder.checkUniqueKeys(intake.deliveries)
            try keep(kept, case: intake.caseID, at: received, in: db)
        }
        _ = try insertDeliveries(intake.deliveries[..<first], created: received, in: db)
        let byChannel = intake.deliveries.reduce(into: [Channel: Int]()) { $0[$1.planned.channel, default: 0] += 1 }

        if let desk = intake.callbackDesk {
            try db.execute(
                sql: "INSERT INTO concern_callbacks (report_id, desk_id, raised_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [case_, desk, received])
        }
        if let (stay, form) = intake.shelterStay {
            try insertStay(stay, form: form, at: received, in: db)
        }
        try insertForwards(intake, at: received, in: db)
        let entry = intake.auditEntry(planned: byChannel, cancelled: cancelled)
        try audit(db, at: intake.receivedAt, case: intake.caseID, event: entry.event, messageID: intake.messageID, detail: entry.detail)
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
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM events WHERE message_id = ?)"), arguments: [messageID]) ?? false
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
        try db.cachedStatement(sql: "INSERT INTO audit (at, case_id, event, message_id, detail) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [at.ledgerMillis, caseID?.rawValue, event, messageID, detail])
    }
}

extension Intake {
    /// The intake's audit row, on either backend: `case.opened`, `concern.…`, `shelter.…`, with
    /// the planned deliveries by channel, ids and times.
    func auditEntry(planned byChannel: [Channel: Int], cancelled: Int) -> (event: String, detail: String) {
        let counts = Channel.allCases.map { "\($0.rawValue)=\(byChannel[$0] ?? 0)" }.joined(separator: " ")
        let subject =
            switch schema {
            case EventSchema.concern.rawValue: "concern"
            case ShelterStay.recordSchema: "shelter"
            default: "case"
            }
        let detail =
            "seq=\(sequence) \(counts) cancelled=\(cancelled)" + (recordedBy.map { " by=\(Ledger.auditToken($0))" } ?? "")
            + (issuedAt.map { " issued=\($0.ledgerMillis)" } ?? "")
            + (forwards.isEmpty ? "" : " forward=\(forwards.map(\.partner).joined(separator: ","))")
        return ("\(subject).\(eventKind)", detail)
    }
}
