import Foundation
import MimamoriCore

// `backlog` and `oldestDue` (DeliveryBacklog) are in PostgresLedger+Deliveries.swift.
extension PostgresLedger: CaseReports {
    /// The status of one case, or nil if unknown.
    public func status(case caseID: CaseID) async throws(LedgerError) -> CaseStatus? {
        try await read { transaction in try await Self.statuses(transaction, where: "WHERE id = ?", [caseID.rawValue]).first }
    }

    /// The status of every case not yet purged, newest first.
    public func status() async throws(LedgerError) -> [CaseStatus] {
        try await read { transaction in try await Self.statuses(transaction, where: "WHERE purged_at IS NULL", []) }
    }

    static func statuses(_ transaction: PostgresTransaction, where clause: String, _ arguments: [String]) async throws -> [CaseStatus] {
        let rows = try await transaction.rows(
            """
            SELECT id, municipality, drill, state_name, last_sequence, opened_at, closed_at, purged_at, schema
            FROM cases \(clause) ORDER BY opened_at DESC, id
            """, arguments)
        var statuses: [CaseStatus] = []
        for row in rows {
            let id: String = try row["id"]
            var deliveries: [Channel: [DeliveryState: Int]] = [:]
            for count in try await transaction.rows(
                "SELECT channel, state, count(*) AS n FROM deliveries WHERE case_id = ? GROUP BY channel, state", [id])
            {
                if let channel = Channel(rawValue: try count["channel"]), let state = DeliveryState(rawValue: try count["state"]) {
                    deliveries[channel, default: [:]][state] = try count["n"]
                }
            }
            statuses.append(
                CaseStatus(
                    caseID: CaseID(id), municipality: try row["municipality"], drill: try row["drill"],
                    stateName: try row["state_name"], lastSequence: try row["last_sequence"],
                    openedAt: Date(ledgerMillis: try row["opened_at"]),
                    closedAt: (try row["closed_at"] as Int64?).map(Date.init(ledgerMillis:)),
                    purgedAt: (try row["purged_at"] as Int64?).map(Date.init(ledgerMillis:)),
                    deliveries: deliveries, schema: try row["schema"]))
        }
        return statuses
    }

    /// Every delivery of a case, by kind, channel and recipient. Addresses only when
    /// `withAddresses` (an operator's `--with-names`).
    public func report(case caseID: CaseID, withAddresses: Bool) async throws(LedgerError) -> [ReportLine] {
        try await read { transaction in
            try await transaction.rows(
                """
                SELECT id, recipient_id, channel, kind, revision, state, accepted_at, attempts,
                       last_error_code, last_error, address, created_at, not_before, received_at, destroyed_at,
                       confirmed_via, transmission, transmitted_at, confirmation
                FROM deliveries WHERE case_id = ? ORDER BY revision, kind, channel, recipient_id, id
                """,
                [caseID.rawValue]
            ).map { row in
                func date(_ column: String) throws -> Date? { (try row[column] as Int64?).map(Date.init(ledgerMillis:)) }
                return ReportLine(
                    deliveryID: DeliveryID(rawValue: try row["id"]), recipient: RecipientID(try row["recipient_id"] as String),
                    channel: Channel(rawValue: try row["channel"]) ?? .email, kind: NoticeKind(rawValue: try row["kind"]) ?? .alert,
                    revision: try row["revision"], state: DeliveryState(rawValue: try row["state"]) ?? .planned,
                    acceptedAt: try date("accepted_at"), attempts: try row["attempts"], lastErrorCode: try row["last_error_code"],
                    lastError: try row["last_error"], address: withAddresses ? try row["address"] : nil,
                    createdAt: try date("created_at"), notBefore: try date("not_before"), receivedAt: try date("received_at"),
                    destroyedAt: try date("destroyed_at"),
                    confirmedVia: (try row["confirmed_via"] as String?).flatMap(ConfirmationSource.init(rawValue:)),
                    transmission: try row["transmission"], transmittedAt: try date("transmitted_at"),
                    confirmation: (try row["confirmation"] as String?).flatMap(ConfirmationCode.init(rawValue:)))
            }
        }
    }

    /// The events recorded for a case, oldest first: ids, kinds and times only (they outlive
    /// the purge). `issuedAt` comes from the intake's audit row (`issued=`).
    public func events(case caseID: CaseID) async throws(LedgerError) -> [RecordedEvent] {
        try await read { transaction in
            try await transaction.rows(
                """
                SELECT e.sequence, e.kind, e.received_at,
                       (SELECT a.detail FROM audit a WHERE a.message_id = e.message_id AND a.case_id = e.case_id
                        ORDER BY a.id LIMIT 1) AS detail
                FROM events e WHERE e.case_id = ? ORDER BY e.sequence, e.received_at, e.message_id
                """,
                [caseID.rawValue]
            ).map { row in
                RecordedEvent(
                    sequence: try row["sequence"], kind: try row["kind"], recordedAt: Date(ledgerMillis: try row["received_at"]),
                    issuedAt: Ledger.issued(in: try row["detail"]))
            }
        }
    }

    /// Cases opened and not yet closed (concern reports not counted).
    public func openCaseCount() async throws(LedgerError) -> Int {
        try await read { transaction in
            try await transaction.value(
                Int.self, "SELECT count(*) FROM cases WHERE closed_at IS NULL AND schema = '\(EventSchema.case.rawValue)'") ?? 0
        }
    }

    /// The audit trail of a case (or of the whole ledger when nil), oldest first.
    public func audit(case caseID: CaseID?) async throws(LedgerError) -> [AuditEntry] {
        try await read { transaction in
            let sql = "SELECT at, case_id, event, message_id, detail FROM audit"
            let rows =
                if let caseID {
                    try await transaction.rows(sql + " WHERE case_id = ? ORDER BY id", [caseID.rawValue])
                } else {
                    try await transaction.rows(sql + " ORDER BY id")
                }
            return try rows.map { row in
                AuditEntry(
                    at: Date(ledgerMillis: try row["at"]), caseID: (try row["case_id"] as String?).map(CaseID.init(_:)),
                    event: try row["event"], messageID: try row["message_id"], detail: try row["detail"] ?? "")
            }
        }
    }

    /// Plans the failed and expired deliveries the request names again, in one transaction, as
    /// `Ledger.resend` does: due `now`, a new deadline, to the directory's current address when
    /// it changed, the claim count cleared, the resend count raised, no alarm owed any more.
    /// Alerts and updates of a closed case are refused; nothing of a purged case is resent.
    public func resend(_ request: ResendRequest, now: Date, deadline: Date) async throws(LedgerError) -> ResendResult {
        try await write { transaction in
            guard
                let caseRow = try await transaction.row(
                    "SELECT closed_at, purged_at FROM cases WHERE id = ?", [request.caseID.rawValue])
            else { return ResendResult(found: .unknown) }
            if (try caseRow["purged_at"] as Int64?) != nil { return ResendResult(found: .purged) }
            let closed = (try caseRow["closed_at"] as Int64?) != nil
            var result = ResendResult(found: closed ? .closed : .open)
            var readdress: [DeliveryID: String] = [:]
            guard !request.states.isEmpty else { return result }

            let (sql, arguments) = request.selection
            for row in try await transaction.rows(sql, arguments) {
                guard let channel = Channel(rawValue: try row["channel"]), let kind = NoticeKind(rawValue: try row["kind"]),
                    let state = DeliveryState(rawValue: try row["state"])
                else { continue }
                let line = ResendResult.Line(
                    deliveryID: DeliveryID(rawValue: try row["id"]), recipient: RecipientID(try row["recipient_id"] as String),
                    channel: channel, kind: kind, state: state)
                if closed && kind.carriesPersonalData {
                    result.refusedClosed.append(line)
                } else {
                    result.resent.append(line)
                    if let current = request.currentAddresses[line.recipient], current.channel == channel,
                        current.address != (try row["address"] as String?)
                    {
                        readdress[line.deliveryID] = current.address
                    }
                }
            }
            guard !result.resent.isEmpty else { return result }

            for line in result.resent {
                try await transaction.execute(
                    """
                    UPDATE deliveries SET state = 'planned', next_attempt_at = ?, deadline_at = ?, finished_at = NULL,
                        alarmed_at = NULL, claims = 0, resends = resends + 1, line_tries = 0, fax_job = NULL,
                        transmission = NULL, transmitted_at = NULL
                    WHERE id = ? AND state IN ('failed', 'expired')
                    """, [now.ledgerMillis, deadline.ledgerMillis, line.deliveryID.rawValue])
            }
            for (id, address) in readdress.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try await transaction.execute("UPDATE deliveries SET address = ? WHERE id = ?", [address, id.rawValue])
                result.readdressed.append(id)
            }
            let byChannel = Dictionary(grouping: result.resent, by: \.channel)
            let counts = Channel.allCases.compactMap { c in byChannel[c].map { "\(c.rawValue)=\($0.count)" } }
            try await Self.audit(
                transaction, at: now, case: request.caseID, event: "delivery.resent",
                detail: (["by=\(Ledger.auditToken(request.requestedBy))", "resent=\(result.resent.count)"] + counts
                    + [
                        "readdressed=\(result.readdressed.count)", "refused=\(result.refusedClosed.count)",
                        "deliveries=" + result.resent.map { "\($0.deliveryID)" }.joined(separator: ","),
                        "recipients=" + result.resent.map(\.recipient.rawValue).joined(separator: ","),
                    ])
                    .joined(separator: " "))
            return result
        }
    }
}
