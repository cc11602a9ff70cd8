import Foundation
import MimamoriCore

extension PostgresLedger: IntakeStore {
    /// Records one decided event and all it changes in one transaction (`Ledger.recordIntake`).
    public func recordIntake(_ intake: Intake) async throws(LedgerError) -> IntakeOutcome {
        try await write { transaction in
            if try await Self.knows(message: intake.messageID, in: transaction) { return .duplicate }
            return try await Self.recordIntake(intake, in: transaction)
        }
    }

    /// Decides and records one event in one transaction: the reading and the writing hold the
    /// writers' lock throughout, so no claim slips in between (`Ledger.recordIntake(case:…)`).
    public func recordIntake<Decided: Sendable>(
        case caseID: CaseID, messageID: String, at: Date,
        deciding decide: @escaping @Sendable (IntakeReading) throws -> (entry: IntakeEntry, decided: Decided)
    ) async throws(LedgerError) -> (outcome: IntakeOutcome, decided: Decided) {
        try await write { transaction in
            let reading = IntakeReading(
                stored: try await transaction.row("SELECT * FROM cases WHERE id = ?", [caseID.rawValue]).map(StoredCase.init(postgres:)),
                messageRecorded: try await Self.knows(message: messageID, in: transaction),
                holders: try await Self.personalDataHolders(of: caseID, in: transaction))
            let (entry, decided) = try decide(reading)
            switch entry {
            case .record(let intake):
                return (try await Self.recordIntake(intake, in: transaction), decided)
            case .ignore(let auditMessageID, let reason):
                try await Self.audit(
                    transaction, at: at, case: caseID, event: "intake.ignored", messageID: auditMessageID ?? "-", detail: "reason=\(reason)"
                )
                return (.audited, decided)
            case .reject(let auditMessageID, let reason):
                try await Self.audit(
                    transaction, at: at, case: caseID, event: "intake.rejected", messageID: auditMessageID, detail: "reason=\(reason)")
                return (.audited, decided)
            }
        }
    }

    /// Deliveries per INSERT, largest first (the last is one row): 12 values a row keeps the
    /// largest chunk far below PostgreSQL's limit of 65,535 bound values.
    static let deliveryChunks = [512, 64, 8, 1]

    static func insertDeliveries(rows: Int) -> String {
        let row = "(?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?, ?, ?, ?, ?)"
        return """
            INSERT INTO deliveries (case_id, revision, recipient_id, address, channel, kind, state,
                attempts, not_before, next_attempt_at, deadline_at, idempotency_key, created_at, confirmation)
            VALUES \(repeatElement(row, count: rows).joined(separator: ", "))
            """
    }

    /// Inserts planned deliveries by the chunk, a statement per chunk instead of per row; returns
    /// the rows inserted (fewer than given only when `keepingExisting`: a delivery already there,
    /// the same idempotency key, stays as it is).
    static func insertDeliveries(
        _ deliveries: ArraySlice<Intake.Delivery>, created: Int64, keepingExisting: Bool = false, in transaction: PostgresTransaction
    ) async throws -> Int {
        var inserted = 0
        var rows = deliveries
        while !rows.isEmpty {
            let size = deliveryChunks.first { $0 <= rows.count } ?? 1
            let chunk = rows.prefix(size)
            rows = rows.dropFirst(chunk.count)
            var values: [(any PostgresArgument)?] = []
            values.reserveCapacity(chunk.count * 12)
            for delivery in chunk { values += deliveryValues(delivery, at: created) }
            inserted += try await transaction.execute(
                insertDeliveries(rows: chunk.count) + (keepingExisting ? " ON CONFLICT DO NOTHING" : ""), values)
        }
        return inserted
    }

    static func recordIntake(_ intake: Intake, in transaction: PostgresTransaction) async throws -> IntakeOutcome {
        let case_ = intake.caseID.rawValue
        let received = intake.receivedAt.ledgerMillis
        try await transaction.execute(
            """
            INSERT INTO cases (id, municipality, drill, state, state_name, last_sequence,
                               opened_at, updated_at, closed_at, schema)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                state = excluded.state, state_name = excluded.state_name,
                last_sequence = GREATEST(cases.last_sequence, excluded.last_sequence),
                updated_at = excluded.updated_at,
                closed_at = coalesce(cases.closed_at, excluded.closed_at),
                -- New personal data on a purged case must be purged again.
                purged_at = NULL
            """,
            [
                case_, intake.municipality, intake.drill, intake.state.data, intake.state.name,
                intake.sequence, received, received, intake.state.closedAt?.ledgerMillis, intake.schema,
            ])
        try await transaction.execute(
            "INSERT INTO events (message_id, case_id, sequence, kind, received_at, body) VALUES (?, ?, ?, ?, ?, ?)",
            [intake.messageID, case_, intake.sequence, intake.eventKind, received, intake.body])

        var cancelled = 0
        if !intake.cancelKinds.isEmpty {
            let kinds = intake.cancelKinds.map(\.rawValue).sorted()
            cancelled = try await transaction.execute(
                """
                UPDATE deliveries SET state = 'cancelled', finished_at = ?
                WHERE case_id = ? AND state = 'planned' AND kind IN (\(placeholders(kinds.count)))
                """,
                [received, case_] + kinds)
        }
        for notice in intake.notices {
            try await insertNotice(notice, case: case_, at: received, in: transaction)
        }
        // A large plan's first deliveries go in here, the rest are kept (`Ledger.recordIntake`).
        let first = intake.firstCommit.map { min($0, intake.deliveries.count) } ?? intake.deliveries.count
        let kept = PlanRemainder.chunks(of: intake.deliveries, firstCommit: intake.firstCommit)
        if !kept.isEmpty {
            try PlanRemainder.checkUniqueKeys(intake.deliveries)
            for chunk in kept {
                try await transaction.execute(
                    "INSERT INTO plan_remainders (case_id, created_at, deliveries) VALUES (?, ?, ?)", [case_, received, chunk])
            }
        }
        _ = try await insertDeliveries(intake.deliveries[..<first], created: received, in: transaction)
        let byChannel = intake.deliveries.reduce(into: [Channel: Int]()) { $0[$1.planned.channel, default: 0] += 1 }

        if let desk = intake.callbackDesk {
            try await transaction.execute(
                "INSERT INTO concern_callbacks (report_id, desk_id, raised_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [case_, desk, received])
        }
        if let (stay, form) = intake.shelterStay {
            try await insertStay(stay, form: form, at: received, in: transaction)
        }
        try await insertForwards(intake, at: received, in: transaction)
        let entry = intake.auditEntry(planned: byChannel, cancelled: cancelled)
        try await audit(
            transaction, at: intake.receivedAt, case: intake.caseID, event: entry.event, messageID: intake.messageID, detail: entry.detail)
        for kind in intake.alarms {
            for audience in kind.audiences {
                try await raise(kind, audience: audience, case: intake.caseID, at: intake.receivedAt, in: transaction)
            }
        }
        return .recorded(planned: intake.deliveries.count, cancelled: cancelled)
    }

    static func insertNotice(_ notice: Intake.Notice, case caseID: String, at created: Int64, in transaction: PostgresTransaction)
        async throws
    {
        try await transaction.execute(
            """
            INSERT INTO notices (case_id, revision, kind, channel, content, created_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (case_id, revision, kind, channel) DO UPDATE SET content = excluded.content
            """,
            [caseID, notice.revision, notice.kind.rawValue, notice.channel.rawValue, notice.content, created])
    }

    /// A planned delivery's twelve values, in `insertDeliveries`' column order.
    static func deliveryValues(_ delivery: Intake.Delivery, at created: Int64) -> [(any PostgresArgument)?] {
        let p = delivery.planned
        let notBefore = p.notBefore.ledgerMillis
        return [
            p.caseID.rawValue, p.revision, p.recipient.rawValue, delivery.address, p.channel.rawValue,
            p.kind.rawValue, notBefore, notBefore, delivery.deadline.ledgerMillis, p.idempotencyKey, created,
            delivery.confirmation?.rawValue,
        ]
    }

    /// Notices and planned deliveries written beside an event or a staff's change
    /// (`Ledger.insertPlanned`).
    static func insertPlanned(
        case caseID: CaseID, notices: [Intake.Notice], deliveries: [Intake.Delivery], at: Date, in transaction: PostgresTransaction
    ) async throws {
        let created = at.ledgerMillis
        for notice in notices { try await insertNotice(notice, case: caseID.rawValue, at: created, in: transaction) }
        for delivery in deliveries {
            try await transaction.execute(insertDeliveries(rows: 1), deliveryValues(delivery, at: created))
        }
    }

    /// The stay a closure's `shelter` records (`Ledger.insertStay`).
    static func insertStay(_ stay: ShelterStay, form: Data, at created: Int64, in transaction: PostgresTransaction) async throws {
        try await transaction.execute(
            """
            INSERT INTO shelter_stays (case_id, facility_id, starts_on, days, approved_by, state, held_reason, amendments, revision,
                ended_at, reminded_for, drill, form, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                stay.caseID.rawValue, stay.facilityID, stay.startsOn.description, stay.days, stay.approvedBy, stay.state.rawValue,
                stay.holdReason?.rawValue, stay.amendments, stay.revision, stay.endedAt?.ledgerMillis, stay.remindedFor?.description,
                stay.drill, form, created, created,
            ])
    }

    /// Raises a case alarm once per case, kind and audience, with its audit row (`Ledger.raise`).
    static func raise(
        _ kind: CaseAlarm.Kind, audience: CaseAlarm.Audience, case caseID: CaseID, at: Date, in transaction: PostgresTransaction
    ) async throws {
        let raised = try await transaction.execute(
            "INSERT INTO case_alarms (case_id, kind, audience, raised_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [caseID.rawValue, kind.rawValue, audience.rawValue, at.ledgerMillis])
        if raised > 0 {
            try await audit(
                transaction, at: at, case: caseID, event: "alarm.raised", detail: "kind=\(kind.rawValue) to=\(audience.rawValue)")
        }
    }

    public func knowsMessage(_ messageID: String) async throws(LedgerError) -> Bool {
        try await read { transaction in try await Self.knows(message: messageID, in: transaction) }
    }

    static func knows(message messageID: String, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.row("SELECT 1 AS known FROM events WHERE message_id = ?", [messageID]) != nil
    }

    public func recordIgnored(messageID: String, caseID: CaseID?, reason: String, at: Date) async throws(LedgerError) {
        try await write { transaction in
            try await Self.audit(
                transaction, at: at, case: caseID, event: "intake.ignored", messageID: messageID, detail: "reason=\(reason)")
        }
    }

    public func recordRejected(messageID: String?, caseID: CaseID?, reason: String, at: Date) async throws(LedgerError) {
        try await write { transaction in
            try await Self.audit(
                transaction, at: at, case: caseID, event: "intake.rejected", messageID: messageID, detail: "reason=\(reason)")
        }
    }

    public func caseSnapshot(case caseID: CaseID) async throws(LedgerError) -> StoredCase? {
        try await read { transaction in
            try await transaction.row("SELECT * FROM cases WHERE id = ?", [caseID.rawValue]).map(StoredCase.init(postgres:))
        }
    }

    public func recipientsHoldingPersonalData(case caseID: CaseID) async throws(LedgerError) -> [HoldingRecipient] {
        try await read { transaction in try await Self.holders(of: caseID, in: transaction) }
    }

    public func radioAnnounced(case caseID: CaseID) async throws(LedgerError) -> Bool {
        try await read { transaction in try await Self.personalDataHolders(of: caseID, in: transaction).radioAnnounced }
    }

    /// The recipients whose alert or update was possibly sent, one row per (recipient, channel)
    /// (`Ledger.holders`).
    static func holders(of caseID: CaseID, in transaction: PostgresTransaction) async throws -> [HoldingRecipient] {
        try await transaction.rows(
            """
            SELECT recipient_id, channel, max(address) AS address FROM deliveries
            WHERE case_id = ? AND kind IN \(LedgerVocabulary.personalDataKinds) AND \(LedgerVocabulary.possiblySent)
            GROUP BY recipient_id, channel
            ORDER BY channel, recipient_id
            """,
            [caseID.rawValue]
        ).map { row in
            HoldingRecipient(
                recipient: RecipientID(try row["recipient_id"] as String),
                channel: Channel(rawValue: try row["channel"]) ?? .email, address: try row["address"] ?? "")
        }
    }

    static func personalDataHolders(of caseID: CaseID, in transaction: PostgresTransaction) async throws -> PersonalDataHolders {
        let possiblySent = try await holders(of: caseID, in: transaction)
        return PersonalDataHolders(
            recipients: possiblySent.filter { $0.channel != .radio }, radioAnnounced: possiblySent.contains { $0.channel == .radio })
    }

    public func latestDescription(case caseID: CaseID) async throws(LedgerError) -> Data? {
        try await read { transaction in
            try await transaction.value(
                Data.self,
                """
                SELECT body FROM events WHERE case_id = ? AND kind IN ('\(CaseEvent.Kind.opened.rawValue)', '\(CaseEvent.Kind.updated.rawValue)')
                AND body IS NOT NULL ORDER BY sequence DESC LIMIT 1
                """, [caseID.rawValue])
        }
    }

    public func heldCase(_ caseID: CaseID) async throws(LedgerError) -> HeldCase? {
        try await read { transaction in
            guard
                let row = try await transaction.row(
                    "SELECT * FROM cases WHERE id = ? AND state_name = '\(CaseState.Phase.held.rawValue)'", [caseID.rawValue]),
                let body = try await transaction.value(
                    Data.self, "SELECT body FROM events WHERE case_id = ? AND body IS NOT NULL ORDER BY sequence DESC LIMIT 1",
                    [caseID.rawValue])
            else { return nil }
            return HeldCase(stored: try StoredCase(postgres: row), body: body)
        }
    }

    public func recordRelease(
        _ caseID: CaseID, sequence: Int, state: CaseSnapshot, notices: [Intake.Notice], deliveries: [Intake.Delivery], at: Date
    ) async throws(LedgerError) -> Int {
        try await write { transaction in
            let released = try await transaction.execute(
                """
                UPDATE cases SET state = ?, state_name = ?, updated_at = ?
                WHERE id = ? AND state_name = '\(CaseState.Phase.held.rawValue)' AND last_sequence = ? AND purged_at IS NULL
                """,
                [state.data, state.name, at.ledgerMillis, caseID.rawValue, sequence])
            guard released == 1 else {
                throw LedgerError(
                    code: .notFound, isRetriable: true, operatorHint: "run the command again",
                    message: "case \(caseID) is no longer held at sequence \(sequence)")
            }
            try await Self.insertPlanned(case: caseID, notices: notices, deliveries: deliveries, at: at, in: transaction)
            try await Self.audit(
                transaction, at: at, case: caseID, event: "case.released", detail: "seq=\(sequence) planned=\(deliveries.count)")
            return deliveries.count
        }
    }
}

extension StoredCase {
    init(postgres row: PostgresLedgerRow) throws {
        id = CaseID(try row["id"] as String)
        municipality = try row["municipality"]
        drill = try row["drill"]
        snapshot = CaseSnapshot(
            name: try row["state_name"], data: try row["state"] ?? Data(),
            closedAt: (try row["closed_at"] as Int64?).map(Date.init(ledgerMillis:)))
        lastSequence = try row["last_sequence"]
        openedAt = Date(ledgerMillis: try row["opened_at"])
        updatedAt = Date(ledgerMillis: try row["updated_at"])
        purgedAt = (try row["purged_at"] as Int64?).map(Date.init(ledgerMillis:))
        schema = try row["schema"]
    }
}
