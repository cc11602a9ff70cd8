import Foundation
import GRDB
import MimamoriCore

/// Which FAX a status report is about, as the service names it.
public enum FaxJobReference: Sendable, Hashable {
    /// The `Idempotency-Key` we sent with the job (`FaxDelivery.apiIdempotencyKey`): the
    /// delivery's key, `.rN` after the N-th resend, `.tM` for the M-th redial of an engaged number.
    case idempotencyKey(String)
    /// The job id the service answered when it accepted the job (HTTP API, HylaFAX).
    case job(String)

    /// The delivery's key and the try a sent key names.
    static func parse(_ sent: String) -> (key: String, resends: Int, lineTries: Int) {
        var key = Substring(sent)
        var resends = 0
        var lineTries = 0
        if let match = key.firstMatch(of: /\.t([0-9]{1,6})$/), let value = Int(match.1) {
            lineTries = value
            key = key[..<match.range.lowerBound]
        }
        if let match = key.firstMatch(of: /\.r([0-9]{1,6})$/), let value = Int(match.1) {
            resends = value
            key = key[..<match.range.lowerBound]
        }
        return (String(key), resends, lineTries)
    }
}

/// The error codes of a FAX that failed on the line, as the ledger keeps them.
public enum FaxLineCode {
    /// The number was engaged at every try.
    public static let busy = "fax-busy"
    /// Nobody answered at the last try (engaged or unanswered before).
    public static let noAnswer = "fax-no-answer"
    /// The service gave up on the number.
    public static let failed = "fax-failed"
    public static let all: Set<String> = [busy, noAnswer, failed]
}

/// One status report of the FAX service about one job.
public struct FaxLineReport: Sendable, Hashable {
    public var job: FaxJobReference
    public var outcome: FaxLineOutcome
    /// Pages sent, when the service says.
    public var pages: Int?
    /// When the line came to this outcome, by the service's clock; the ledger's `now` when it
    /// does not say.
    public var at: Date?

    public init(job: FaxJobReference, outcome: FaxLineOutcome, pages: Int? = nil, at: Date? = nil) {
        self.job = job
        self.outcome = outcome
        self.pages = pages
        self.at = at
    }
}

/// The delivery a status report named: ids only.
public struct FaxLineTarget: Sendable, Hashable {
    public var delivery: DeliveryID
    public var caseID: CaseID
    public var recipient: RecipientID
    public var kind: NoticeKind
    /// Redials of an engaged or unanswered number so far (after this report).
    public var lineTries: Int
}

/// What recording a status report did.
public enum FaxLineRecord: Sendable, Hashable {
    /// Transmitted: recorded beside its acceptance.
    case transmitted(FaxLineTarget)
    /// Engaged or unanswered: planned again, to be dialled at this instant.
    case redialled(FaxLineTarget, at: Date)
    /// The service gave up, or the redials are spent: the delivery failed and owes its operator
    /// alarm, as any failed delivery does.
    case failed(FaxLineTarget, code: String)
    /// This try's outcome was recorded before (a report sent twice): nothing changed.
    case alreadyRecorded(FaxLineTarget)
    /// About an earlier try (before a redial or a resend), or a delivery not handed to the
    /// service in this try: nothing changed.
    case superseded(FaxLineTarget)
    /// No FAX of ours has this key or job id (or its case was purged).
    case unknown
}

/// A FAX handed to HylaFAX whose outcome is not known yet: what `faxstat` is asked about.
public struct FaxJobAwaitingOutcome: Sendable, Hashable {
    public var delivery: DeliveryID
    public var job: String
    public var acceptedAt: Date
}

/// The FAX line: the service's job ids, what its status reports say, and FAXes to one number
/// spread out (`FaxLineSpacing`).
public protocol FaxLineStore: Sendable {
    /// Keeps the job id the service answered for a delivery's current try.
    func recordFaxJob(_ job: String, for id: DeliveryID) async throws(LedgerError)
    /// Records what the service reports about a job, once: a repeat changes nothing.
    func recordFaxLine(_ report: FaxLineReport, spacing: FaxLineSpacing, now: Date) async throws(LedgerError) -> FaxLineRecord
    /// Accepted FAXes with a job id and no outcome yet, newest first, at most `limit` (jobs the
    /// service forgot before reporting stay without an outcome: they must not crowd out new ones).
    func faxJobsAwaitingOutcome(limit: Int) async throws(LedgerError) -> [FaxJobAwaitingOutcome]
    /// Claims due FAXes as `claimDue` does, after moving those whose number is taken (a FAX to
    /// it in flight, handed over within the gap, or due before them) to the first free slot.
    func claimDueFaxes(now: Date, limit: Int, spacing: FaxLineSpacing) async throws(LedgerError) -> [DeliveryJob]
}

extension Ledger: FaxLineStore {
    public func recordFaxJob(_ job: String, for id: DeliveryID) async throws(LedgerError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE deliveries SET fax_job = ? WHERE id = ? AND channel = 'fax'", arguments: [job, id.rawValue])
        }
    }

    public func faxJobsAwaitingOutcome(limit: Int) async throws(LedgerError) -> [FaxJobAwaitingOutcome] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, fax_job, accepted_at FROM deliveries
                    WHERE channel = 'fax' AND state = 'delivered' AND fax_job IS NOT NULL AND transmission IS NULL
                    ORDER BY accepted_at DESC, id DESC LIMIT ?
                    """,
                arguments: [limit]
            ).map { row in
                FaxJobAwaitingOutcome(
                    delivery: DeliveryID(rawValue: row["id"]), job: row["fax_job"],
                    acceptedAt: Date(ledgerMillis: row["accepted_at"] ?? 0))
            }
        }
    }

    public func recordFaxLine(_ report: FaxLineReport, spacing: FaxLineSpacing, now: Date) async throws(LedgerError)
        -> FaxLineRecord
    {
        try await write { db in
            let row: Row?
            var sentTry: (resends: Int, lineTries: Int)?
            let columns = """
                d.id, d.case_id, d.recipient_id, d.kind, d.state, d.address, d.resends, d.line_tries, d.deadline_at,
                d.transmission
                """
            switch report.job {
            case .idempotencyKey(let sent):
                let parsed = FaxJobReference.parse(sent)
                sentTry = (parsed.resends, parsed.lineTries)
                row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT \(columns) FROM deliveries d JOIN cases c ON c.id = d.case_id
                        WHERE d.idempotency_key = ? AND d.channel = 'fax' AND c.purged_at IS NULL
                        """,
                    arguments: [parsed.key])
            case .job(let job):
                row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT \(columns) FROM deliveries d JOIN cases c ON c.id = d.case_id
                        WHERE d.fax_job = ? AND d.channel = 'fax' AND c.purged_at IS NULL
                        """,
                    arguments: [job])
            }
            guard let row else { return .unknown }
            let id: Int64 = row["id"]
            let caseID = CaseID(row["case_id"] as String)
            let lineTries: Int = row["line_tries"]
            var target = FaxLineTarget(
                delivery: DeliveryID(rawValue: id), caseID: caseID, recipient: RecipientID(row["recipient_id"] as String),
                kind: NoticeKind(rawValue: row["kind"]) ?? .alert, lineTries: lineTries)
            if let sentTry, sentTry != (row["resends"] as Int, lineTries) { return .superseded(target) }
            if (row["transmission"] as String?) != nil { return .alreadyRecorded(target) }
            // Only a try in the service's hands has a line outcome; the outcome recorded by the
            // dispatcher may not be in yet (`sending`).
            guard ["delivered", "sending"].contains(row["state"] as String) else { return .superseded(target) }

            let at = report.at ?? now
            let pages = report.pages.map(String.init) ?? "-"
            func audit(_ event: String, _ detail: String) throws {
                try Self.audit(
                    db, at: now, case: caseID, event: event,
                    detail: "recipient=\(target.recipient.rawValue) delivery=\(id) \(detail)")
            }
            func fail(code: String, summary: String) throws -> FaxLineRecord {
                // alarmed_at stays NULL: the operator's alarm is owed like any failed delivery's.
                try db.execute(
                    sql: """
                        UPDATE deliveries SET state = 'failed', finished_at = ?, claims = 0, transmission = 'failed',
                            transmitted_at = ?, last_error_code = ?, last_error = ?
                        WHERE id = ?
                        """,
                    arguments: [now.ledgerMillis, at.ledgerMillis, code, summary, id])
                try audit("fax.failed", "code=\(code) tries=\(lineTries + 1)")
                return .failed(target, code: code)
            }
            switch report.outcome {
            case .transmitted:
                try db.execute(
                    sql: "UPDATE deliveries SET transmission = 'transmitted', transmitted_at = ? WHERE id = ?",
                    arguments: [at.ledgerMillis, id])
                try audit("fax.transmitted", "pages=\(pages)")
                return .transmitted(target)
            case .failed:
                return try fail(code: FaxLineCode.failed, summary: "the FAX service gave up on the number")
            case .busy, .noAnswer:
                let code = report.outcome == .busy ? FaxLineCode.busy : FaxLineCode.noAnswer
                let what = report.outcome == .busy ? "engaged" : "not answered"
                let booked = try Self.bookedLine(db, number: row["address"] ?? "", except: id, now: now, spacing: spacing)
                switch spacing.redial(
                    afterTry: lineTries + 1, now: now, deadline: Date(ledgerMillis: row["deadline_at"]), booked: booked)
                {
                case .giveUp:
                    return try fail(
                        code: code, summary: "the number was \(what) at each of \(lineTries + 1) tries; no redial left")
                case .at(let next):
                    try db.execute(
                        sql: """
                            UPDATE deliveries SET state = 'planned', next_attempt_at = ?, line_tries = line_tries + 1,
                                fax_job = NULL, claims = 0, last_error_code = ?, last_error = ?
                            WHERE id = ?
                            """,
                        arguments: [
                            next.ledgerMillis, code, "the number was \(what) (try \(lineTries + 1)); dialled again later", id,
                        ])
                    target.lineTries += 1
                    try audit("fax.redial", "code=\(code) tries=\(lineTries + 1) at=\(next.ledgerMillis)")
                    return .redialled(target, at: next)
                }
            }
        }
    }

    public func claimDueFaxes(now: Date, limit: Int, spacing: FaxLineSpacing) async throws(LedgerError) -> [DeliveryJob] {
        guard limit > 0 else { return [] }
        return try await write { db in
            try Self.spreadFaxLines(db, now: now, spacing: spacing)
            return try Self.claimDue(db, now: now, channel: .fax, limit: limit)
        }
    }

    /// Moves each due FAX whose number is taken to the number's first free slot.
    static func spreadFaxLines(_ db: Database, now: Date, spacing: FaxLineSpacing) throws {
        guard spacing.gap > .zero else { return }
        let due = try Row.fetchAll(
            db,
            sql: """
                SELECT id, address, next_attempt_at FROM deliveries
                WHERE state = 'planned' AND channel = 'fax' AND next_attempt_at <= ? AND address IS NOT NULL
                """,
            arguments: [now.ledgerMillis]
        ).map { row in
            FaxLineSpacing.Waiting(id: row["id"], number: row["address"], due: Date(ledgerMillis: row["next_attempt_at"]))
        }
        guard !due.isEmpty else { return }
        var booked: [String: [Date]] = [:]
        // FAXes planned later on the number do not hold back one that is due: they wait their
        // turn when they come due. Counting them would make two FAXes for one number, each found
        // due a little late, push each other past the other's slot at every look, for ever.
        for number in Set(due.map(\.number)) {
            booked[number] = try bookedLine(db, number: number, except: nil, now: now, spacing: spacing, plannedLater: false)
        }
        // A FAX long overdue is not owed its old time: it goes now or at the first free slot.
        let waiting = due.map { FaxLineSpacing.Waiting(id: $0.id, number: $0.number, due: max($0.due, now)) }
        let moved = spacing.spread(waiting, booked: booked)
        let statement = try db.cachedStatement(sql: "UPDATE deliveries SET next_attempt_at = ? WHERE id = ?")
        for (id, time) in moved.sorted(by: { $0.key < $1.key }) {
            try statement.execute(arguments: [time.ledgerMillis, id])
        }
    }

    /// When the number is taken, apart from delivery `except`: FAXes to it in flight (from
    /// `now`), handed over within the gap (from their acceptance), and, with `plannedLater`,
    /// those planned later (a redial keeps clear of them).
    static func bookedLine(
        _ db: Database, number: String, except: Int64?, now: Date, spacing: FaxLineSpacing, plannedLater: Bool = true
    ) throws -> [Date] {
        let since = spacing.lineHeld(at: now)
        // Past every planned time when planned FAXes are not to count.
        let plannedAfter = plannedLater ? now.ledgerMillis : Int64.max
        return try Int64.fetchAll(
            db,
            sql: """
                SELECT CASE WHEN state = 'sending' THEN ? WHEN state = 'planned' THEN next_attempt_at ELSE accepted_at END
                FROM deliveries
                WHERE channel = 'fax' AND address = ? AND id != ?
                    AND (state = 'sending' OR (state = 'planned' AND next_attempt_at > ?)
                        OR (state = 'delivered' AND accepted_at > ?))
                """,
            arguments: [now.ledgerMillis, number, except ?? -1, plannedAfter, since.ledgerMillis]
        ).map(Date.init(ledgerMillis:))
    }
}
