import Foundation
import GRDB
import MimamoriCore

/// One case at a glance: for `mimamori status`.
public struct CaseStatus: Sendable, Hashable {
    public var caseID: CaseID
    public var municipality: String
    public var drill: Bool
    public var stateName: String
    public var lastSequence: Int
    public var openedAt: Date
    public var closedAt: Date?
    public var purgedAt: Date?
    /// Deliveries by channel, then by state.
    public var deliveries: [Channel: [DeliveryState: Int]]
    /// `mimamori.case/1`, or `mimamori.concern/1` for a concern report.
    public var schema: String = EventSchema.case.rawValue
}

/// One delivery in a case report: for `mimamori report CASE` and the drill report.
public struct ReportLine: Sendable, Hashable {
    public var deliveryID: DeliveryID
    public var recipient: RecipientID
    public var channel: Channel
    public var kind: NoticeKind
    public var revision: Int
    public var state: DeliveryState
    /// When the outlet accepted it.
    public var acceptedAt: Date?
    public var attempts: Int
    public var lastErrorCode: String?
    public var lastError: String?
    /// Only when asked for (`--with-names`), and nil once purged. Personal data.
    public var address: String?
    /// When the ledger planned it, and the earliest it could go (quiet hours, business mornings).
    public var createdAt: Date?
    public var notBefore: Date?
    /// When the recipient confirmed receipt, and destruction (`confirm:`).
    public var receivedAt: Date?
    public var destroyedAt: Date?
    /// How the last confirmation came.
    public var confirmedVia: ConfirmationSource?
    /// A FAX's transmission as the provider reported it (`transmitted` or `failed`) and when.
    public var transmission: String?
    public var transmittedAt: Date?
    /// The delivery's confirmation code, for staff recording a phone answer; nil when none was
    /// asked, and once the case is purged.
    public var confirmation: ConfirmationCode?
}

extension Ledger {
    /// The status of one case, or nil if unknown.
    public func status(case caseID: CaseID) async throws(LedgerError) -> CaseStatus? {
        try await read { db in try Self.statuses(db, where: "WHERE id = ?", [caseID.rawValue]).first }
    }

    /// The status of every case not yet purged, newest first.
    public func status() async throws(LedgerError) -> [CaseStatus] {
        try await read { db in try Self.statuses(db, where: "WHERE purged_at IS NULL", []) }
    }

    static func statuses(_ db: Database, where clause: String, _ args: [String]) throws -> [CaseStatus] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, municipality, drill, state_name, last_sequence, opened_at, closed_at, purged_at, schema
                FROM cases \(clause) ORDER BY opened_at DESC
                """, arguments: StatementArguments(args))
        let counts = try db.cachedStatement(
            sql: "SELECT channel, state, count(*) AS n FROM deliveries WHERE case_id = ? GROUP BY channel, state")
        return try rows.map { row in
            let id: String = row["id"]
            var deliveries: [Channel: [DeliveryState: Int]] = [:]
            for count in try Row.fetchAll(counts, arguments: [id]) {
                if let channel = Channel(rawValue: count["channel"]), let state = DeliveryState(rawValue: count["state"]) {
                    deliveries[channel, default: [:]][state] = count["n"]
                }
            }
            return CaseStatus(
                caseID: CaseID(id), municipality: row["municipality"], drill: row["drill"],
                stateName: row["state_name"], lastSequence: row["last_sequence"],
                openedAt: Date(ledgerMillis: row["opened_at"]),
                closedAt: (row["closed_at"] as Int64?).map(Date.init(ledgerMillis:)),
                purgedAt: (row["purged_at"] as Int64?).map(Date.init(ledgerMillis:)),
                deliveries: deliveries, schema: row["schema"])
        }
    }

    /// Every delivery of a case, by kind, channel and recipient. Addresses only when
    /// `withAddresses` (an operator's `--with-names`).
    public func report(case caseID: CaseID, withAddresses: Bool) async throws(LedgerError) -> [ReportLine] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, recipient_id, channel, kind, revision, state, accepted_at, attempts,
                           last_error_code, last_error, address, created_at, not_before, received_at, destroyed_at,
                           confirmed_via, transmission, transmitted_at, confirmation
                    FROM deliveries WHERE case_id = ? ORDER BY revision, kind, channel, recipient_id
                    """,
                arguments: [caseID.rawValue]
            ).map { row in
                ReportLine(
                    deliveryID: DeliveryID(rawValue: row["id"]), recipient: RecipientID(row["recipient_id"] as String),
                    channel: Channel(rawValue: row["channel"]) ?? .email, kind: NoticeKind(rawValue: row["kind"]) ?? .alert,
                    revision: row["revision"], state: DeliveryState(rawValue: row["state"]) ?? .planned,
                    acceptedAt: (row["accepted_at"] as Int64?).map(Date.init(ledgerMillis:)),
                    attempts: row["attempts"], lastErrorCode: row["last_error_code"], lastError: row["last_error"],
                    address: withAddresses ? row["address"] : nil,
                    createdAt: (row["created_at"] as Int64?).map(Date.init(ledgerMillis:)),
                    notBefore: (row["not_before"] as Int64?).map(Date.init(ledgerMillis:)),
                    receivedAt: (row["received_at"] as Int64?).map(Date.init(ledgerMillis:)),
                    destroyedAt: (row["destroyed_at"] as Int64?).map(Date.init(ledgerMillis:)),
                    confirmedVia: (row["confirmed_via"] as String?).flatMap(ConfirmationSource.init(rawValue:)),
                    transmission: row["transmission"], transmittedAt: (row["transmitted_at"] as Int64?).map(Date.init(ledgerMillis:)),
                    confirmation: (row["confirmation"] as String?).flatMap(ConfirmationCode.init(rawValue:)))
            }
        }
    }

    /// The events recorded for a case, oldest first: ids, kinds and times only (they outlive
    /// the purge). `issuedAt` comes from the intake's audit row (`issued=`); nil for an event
    /// recorded before it kept one.
    public func events(case caseID: CaseID) async throws(LedgerError) -> [RecordedEvent] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.sequence, e.kind, e.received_at,
                           (SELECT a.detail FROM audit a WHERE a.message_id = e.message_id AND a.case_id = e.case_id
                            ORDER BY a.id LIMIT 1) AS detail
                    FROM events e WHERE e.case_id = ? ORDER BY e.sequence, e.received_at
                    """,
                arguments: [caseID.rawValue]
            ).map { row in
                RecordedEvent(
                    sequence: row["sequence"], kind: row["kind"], recordedAt: Date(ledgerMillis: row["received_at"]),
                    issuedAt: Self.issued(in: row["detail"]))
            }
        }
    }

    /// The `issued=<ms>` of an intake's audit detail.
    static func issued(in detail: String?) -> Date? {
        guard let detail else { return nil }
        for field in detail.split(separator: " ") where field.hasPrefix("issued=") {
            if let millis = Int64(field.dropFirst("issued=".count)) { return Date(ledgerMillis: millis) }
        }
        return nil
    }

    /// Deliveries not yet finished (planned or sending), by channel: the backlog metric.
    public func backlog() async throws(LedgerError) -> [Channel: Int] {
        try await read { db in
            var result: [Channel: Int] = Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(
                db,
                sql: "SELECT channel, count(*) AS n FROM deliveries WHERE state IN \(LedgerVocabulary.unfinishedStates) GROUP BY channel")
            {
                if let channel = Channel(rawValue: row["channel"]) { result[channel] = row["n"] }
            }
            return result
        }
    }

    /// When the oldest planned delivery already due at `now` fell due, by channel (no entry when
    /// none is due). Deliveries waiting for their time (quiet hours, the next business morning)
    /// are not due, so what this shows is work that could go out and has not.
    public func oldestDue(now: Date) async throws(LedgerError) -> [Channel: Date] {
        try await read { db in
            var result: [Channel: Date] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT channel, min(next_attempt_at) AS due FROM deliveries
                    WHERE state = 'planned' AND next_attempt_at <= ? GROUP BY channel
                    """,
                arguments: [now.ledgerMillis])
            {
                if let channel = Channel(rawValue: row["channel"]) { result[channel] = Date(ledgerMillis: row["due"]) }
            }
            return result
        }
    }

    /// Cases opened and not yet closed (concern reports not counted).
    public func openCaseCount() async throws(LedgerError) -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM cases WHERE closed_at IS NULL AND schema = '\(EventSchema.case.rawValue)'") ?? 0
        }
    }

    /// The audit trail of a case (or of the whole ledger when nil), oldest first.
    public func audit(case caseID: CaseID?) async throws(LedgerError) -> [AuditEntry] {
        try await read { db in
            let sql = "SELECT at, case_id, event, message_id, detail FROM audit"
            let rows =
                if let caseID {
                    try Row.fetchAll(db, sql: sql + " WHERE case_id = ? ORDER BY id", arguments: [caseID.rawValue])
                } else {
                    try Row.fetchAll(db, sql: sql + " ORDER BY id")
                }
            return rows.map { row in
                AuditEntry(
                    at: Date(ledgerMillis: row["at"]), caseID: (row["case_id"] as String?).map(CaseID.init(_:)),
                    event: row["event"], messageID: row["message_id"], detail: row["detail"] ?? "")
            }
        }
    }
}

/// One event of a case as the ledger recorded it: for the drill report's chain of times.
public struct RecordedEvent: Sendable, Hashable {
    public var sequence: Int
    /// `opened`, `updated`, `closed`.
    public var kind: String
    public var recordedAt: Date
    /// The event's own `issuedAt` (its publication).
    public var issuedAt: Date?

    public init(sequence: Int, kind: String, recordedAt: Date, issuedAt: Date?) {
        self.sequence = sequence
        self.kind = kind
        self.recordedAt = recordedAt
        self.issuedAt = issuedAt
    }
}

/// One line of the audit trail: ids and counts only.
public struct AuditEntry: Sendable, Hashable {
    public var at: Date
    public var caseID: CaseID?
    public var event: String
    public var messageID: String?
    public var detail: String
}
