import Foundation
import MimamoriCore

extension PostgresLedger: FaxLineStore {
    public func recordFaxJob(_ job: String, for id: DeliveryID) async throws(LedgerError) {
        try await write { transaction in
            _ = try await transaction.execute(
                "UPDATE deliveries SET fax_job = ? WHERE id = ? AND channel = 'fax'", [job, id.rawValue])
        }
    }

    public func faxJobsAwaitingOutcome(limit: Int) async throws(LedgerError) -> [FaxJobAwaitingOutcome] {
        try await read { transaction in
            try await transaction.rows(
                """
                SELECT id, fax_job, accepted_at FROM deliveries
                WHERE channel = 'fax' AND state = 'delivered' AND fax_job IS NOT NULL AND transmission IS NULL
                ORDER BY accepted_at DESC, id DESC LIMIT ?
                """,
                [limit]
            ).map { row in
                FaxJobAwaitingOutcome(
                    delivery: DeliveryID(rawValue: try row["id"]), job: try row["fax_job"],
                    acceptedAt: Date(ledgerMillis: (try row["accepted_at"] as Int64?) ?? 0))
            }
        }
    }

    public func recordFaxLine(_ report: FaxLineReport, spacing: FaxLineSpacing, now: Date) async throws(LedgerError)
        -> FaxLineRecord
    {
        try await write { transaction in
            let row: PostgresLedgerRow?
            var sentTry: (resends: Int, lineTries: Int)?
            let columns = """
                d.id, d.case_id, d.recipient_id, d.kind, d.state, d.address, d.resends, d.line_tries, d.deadline_at,
                d.transmission
                """
            switch report.job {
            case .idempotencyKey(let sent):
                let parsed = FaxJobReference.parse(sent)
                sentTry = (parsed.resends, parsed.lineTries)
                row = try await transaction.row(
                    """
                    SELECT \(columns) FROM deliveries d JOIN cases c ON c.id = d.case_id
                    WHERE d.idempotency_key = ? AND d.channel = 'fax' AND c.purged_at IS NULL
                    """,
                    [parsed.key])
            case .job(let job):
                row = try await transaction.row(
                    """
                    SELECT \(columns) FROM deliveries d JOIN cases c ON c.id = d.case_id
                    WHERE d.fax_job = ? AND d.channel = 'fax' AND c.purged_at IS NULL
                    """,
                    [job])
            }
            guard let row else { return .unknown }
            let id: Int64 = try row["id"]
            let caseID = CaseID(try row["case_id"] as String)
            let lineTries: Int = try row["line_tries"]
            var target = FaxLineTarget(
                delivery: DeliveryID(rawValue: id), caseID: caseID, recipient: RecipientID(try row["recipient_id"] as String),
                kind: NoticeKind(rawValue: try row["kind"]) ?? .alert, lineTries: lineTries)
            if let sentTry, sentTry != (try row["resends"] as Int, lineTries) { return .superseded(target) }
            if (try row["transmission"] as String?) != nil { return .alreadyRecorded(target) }
            // Only a try in the service's hands has a line outcome; the outcome recorded by the
            // dispatcher may not be in yet (`sending`).
            guard ["delivered", "sending"].contains(try row["state"] as String) else { return .superseded(target) }

            let at = report.at ?? now
            let pages = report.pages.map(String.init) ?? "-"
            let recipient = target.recipient.rawValue
            func audit(_ event: String, _ detail: String) async throws {
                try await Self.audit(
                    transaction, at: now, case: caseID, event: event, detail: "recipient=\(recipient) delivery=\(id) \(detail)")
            }
            func fail(code: String, summary: String, target: FaxLineTarget) async throws -> FaxLineRecord {
                // alarmed_at stays NULL: the operator's alarm is owed like any failed delivery's.
                try await transaction.execute(
                    """
                    UPDATE deliveries SET state = 'failed', finished_at = ?, claims = 0, transmission = 'failed',
                        transmitted_at = ?, last_error_code = ?, last_error = ?
                    WHERE id = ?
                    """,
                    [now.ledgerMillis, at.ledgerMillis, code, summary, id])
                try await audit("fax.failed", "code=\(code) tries=\(lineTries + 1)")
                return .failed(target, code: code)
            }
            switch report.outcome {
            case .transmitted:
                try await transaction.execute(
                    "UPDATE deliveries SET transmission = 'transmitted', transmitted_at = ? WHERE id = ?", [at.ledgerMillis, id])
                try await audit("fax.transmitted", "pages=\(pages)")
                return .transmitted(target)
            case .failed:
                return try await fail(code: FaxLineCode.failed, summary: "the FAX service gave up on the number", target: target)
            case .busy, .noAnswer:
                let code = report.outcome == .busy ? FaxLineCode.busy : FaxLineCode.noAnswer
                let what = report.outcome == .busy ? "engaged" : "not answered"
                let booked = try await Self.bookedLine(
                    transaction, number: (try row["address"] as String?) ?? "", except: id, now: now, spacing: spacing)
                switch spacing.redial(
                    afterTry: lineTries + 1, now: now, deadline: Date(ledgerMillis: try row["deadline_at"]), booked: booked)
                {
                case .giveUp:
                    return try await fail(
                        code: code, summary: "the number was \(what) at each of \(lineTries + 1) tries; no redial left",
                        target: target)
                case .at(let next):
                    try await transaction.execute(
                        """
                        UPDATE deliveries SET state = 'planned', next_attempt_at = ?, line_tries = line_tries + 1,
                            fax_job = NULL, claims = 0, last_error_code = ?, last_error = ?
                        WHERE id = ?
                        """,
                        [
                            next.ledgerMillis, code, "the number was \(what) (try \(lineTries + 1)); dialled again later", id,
                        ])
                    target.lineTries += 1
                    try await audit("fax.redial", "code=\(code) tries=\(lineTries + 1) at=\(next.ledgerMillis)")
                    return .redialled(target, at: next)
                }
            }
        }
    }

    public func claimDueFaxes(now: Date, limit: Int, spacing: FaxLineSpacing) async throws(LedgerError) -> [DeliveryJob] {
        guard limit > 0 else { return [] }
        let owner = leaseOwner.withLock { $0 }
        return try await write { transaction in
            try await Self.spreadFaxLines(transaction, now: now, spacing: spacing)
            return try await Self.claimDue(transaction, now: now, channel: .fax, limit: limit, owner: owner)
        }
    }

    /// Moves each due FAX whose number is taken to the number's first free slot.
    static func spreadFaxLines(_ transaction: PostgresTransaction, now: Date, spacing: FaxLineSpacing) async throws {
        guard spacing.gap > .zero else { return }
        let due = try await transaction.rows(
            """
            SELECT id, address, next_attempt_at FROM deliveries
            WHERE state = 'planned' AND channel = 'fax' AND next_attempt_at <= ? AND address IS NOT NULL
            ORDER BY id
            """,
            [now.ledgerMillis]
        ).map { row in
            FaxLineSpacing.Waiting(
                id: try row["id"], number: try row["address"], due: Date(ledgerMillis: try row["next_attempt_at"]))
        }
        guard !due.isEmpty else { return }
        var booked: [String: [Date]] = [:]
        // FAXes planned later on the number do not hold back one that is due: they wait their
        // turn when they come due. Counting them would make two FAXes for one number, each found
        // due a little late, push each other past the other's slot at every look, for ever.
        for number in Set(due.map(\.number)) {
            booked[number] = try await bookedLine(
                transaction, number: number, except: nil, now: now, spacing: spacing, plannedLater: false)
        }
        // A FAX long overdue is not owed its old time: it goes now or at the first free slot.
        let waiting = due.map { FaxLineSpacing.Waiting(id: $0.id, number: $0.number, due: max($0.due, now)) }
        let moved = spacing.spread(waiting, booked: booked)
        for (id, time) in moved.sorted(by: { $0.key < $1.key }) {
            try await transaction.execute("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?", [time.ledgerMillis, id])
        }
    }

    /// When the number is taken, apart from delivery `except`: FAXes to it in flight (from
    /// `now`), handed over within the gap (from their acceptance), and, with `plannedLater`,
    /// those planned later (a redial keeps clear of them).
    static func bookedLine(
        _ transaction: PostgresTransaction, number: String, except: Int64?, now: Date, spacing: FaxLineSpacing,
        plannedLater: Bool = true
    ) async throws -> [Date] {
        let since = spacing.lineHeld(at: now)
        // Past every planned time when planned FAXes are not to count.
        let plannedAfter = plannedLater ? now.ledgerMillis : Int64.max
        return try await transaction.values(
            Int64.self,
            """
            SELECT CASE WHEN state = 'sending' THEN ?::bigint WHEN state = 'planned' THEN next_attempt_at ELSE accepted_at END
            FROM deliveries
            WHERE channel = 'fax' AND address = ? AND id != ?
                AND (state = 'sending' OR (state = 'planned' AND next_attempt_at > ?)
                    OR (state = 'delivered' AND accepted_at > ?))
            ORDER BY id
            """,
            [now.ledgerMillis, number, except ?? -1, plannedAfter, since.ledgerMillis]
        ).map(Date.init(ledgerMillis:))
    }
}
