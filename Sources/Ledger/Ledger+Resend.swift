import Foundation
import GRDB
import MimamoriCore

/// Which failed or expired deliveries of a case staff want planned again (`mimamori resend`).
public struct ResendRequest: Sendable, Hashable {
    public var caseID: CaseID
    /// Only this channel, or every channel.
    public var channel: Channel?
    /// Only this recipient, or every recipient.
    public var recipient: RecipientID?
    /// `failed`, `expired` or both; other states are never resent.
    public var states: Set<DeliveryState>
    /// Who asked (a login name, for the audit).
    public var requestedBy: String
    /// The directory's current address of each cooperator, by channel: a delivery resent to a
    /// recipient found here on the same channel goes to this address (the fix was often the
    /// address itself). Personal data: never logged.
    public var currentAddresses: [RecipientID: CurrentAddress]

    public struct CurrentAddress: Sendable, Hashable {
        public var channel: Channel
        public var address: String
        public init(channel: Channel, address: String) {
            self.channel = channel
            self.address = address
        }
    }

    public init(
        caseID: CaseID, channel: Channel? = nil, recipient: RecipientID? = nil,
        states: Set<DeliveryState> = [.failed, .expired], requestedBy: String,
        currentAddresses: [RecipientID: CurrentAddress] = [:]
    ) {
        self.caseID = caseID
        self.channel = channel
        self.recipient = recipient
        self.states = states.intersection([.failed, .expired])
        self.requestedBy = requestedBy
        self.currentAddresses = currentAddresses
    }
}

/// What `Ledger.resend` did.
public struct ResendResult: Sendable, Hashable {
    /// One delivery named in the result: ids only.
    public struct Line: Sendable, Hashable {
        public var deliveryID: DeliveryID
        public var recipient: RecipientID
        public var channel: Channel
        public var kind: NoticeKind
        public var state: DeliveryState
    }

    public enum CaseFound: Sendable, Hashable {
        case unknown
        /// Its personal data (addresses, notices) is gone: nothing can be sent again.
        case purged
        case open
        case closed
    }

    public var found: CaseFound
    /// Planned again, due now.
    public var resent: [Line] = []
    /// Of `resent`, those now going to a different address than before (the directory's).
    public var readdressed: [DeliveryID] = []
    /// Matched, but alerts and updates of a closed case: the termination and the reminder
    /// already went (or go) to those who hold the data, and nobody else may be sent it now.
    public var refusedClosed: [Line] = []
}

extension Ledger {
    /// Plans the failed and expired deliveries the request names again, in one transaction: due
    /// `now`, a new deadline (`deadline`), to the directory's current address when it changed,
    /// the attempt count kept, the claim count cleared, the
    /// resend count raised (a FAX API key changes with it; the email Message-ID does not), no
    /// alarm owed any more (a new failure owes a new one). An audit row names what was resent,
    /// by whom and when (ids only). Alerts and updates of a closed case are refused; its
    /// terminations and destruction reminders may be resent. Nothing of a purged case is.
    public func resend(_ request: ResendRequest, now: Date, deadline: Date) async throws(LedgerError) -> ResendResult {
        try await write { db in
            guard
                let caseRow = try Row.fetchOne(
                    db, sql: "SELECT closed_at, purged_at FROM cases WHERE id = ?", arguments: [request.caseID.rawValue])
            else { return ResendResult(found: .unknown) }
            if (caseRow["purged_at"] as Int64?) != nil { return ResendResult(found: .purged) }
            let closed = (caseRow["closed_at"] as Int64?) != nil
            var result = ResendResult(found: closed ? .closed : .open)
            var readdress: [DeliveryID: String] = [:]
            guard !request.states.isEmpty else { return result }

            let (sql, arguments) = request.selection
            for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) {
                guard let channel = Channel(rawValue: row["channel"]), let kind = NoticeKind(rawValue: row["kind"]),
                    let state = DeliveryState(rawValue: row["state"])
                else { continue }
                let line = ResendResult.Line(
                    deliveryID: DeliveryID(rawValue: row["id"]), recipient: RecipientID(row["recipient_id"] as String),
                    channel: channel, kind: kind, state: state)
                if closed && kind.carriesPersonalData {
                    result.refusedClosed.append(line)
                } else {
                    result.resent.append(line)
                    if let current = request.currentAddresses[line.recipient], current.channel == channel,
                        current.address != (row["address"] as String?)
                    {
                        readdress[line.deliveryID] = current.address
                    }
                }
            }
            guard !result.resent.isEmpty else { return result }

            let replan = try db.cachedStatement(
                sql: """
                    UPDATE deliveries SET state = 'planned', next_attempt_at = ?, deadline_at = ?, finished_at = NULL,
                        alarmed_at = NULL, claims = 0, resends = resends + 1, line_tries = 0, fax_job = NULL,
                        transmission = NULL, transmitted_at = NULL
                    WHERE id = ? AND state IN ('failed', 'expired')
                    """)
            for line in result.resent {
                try replan.execute(arguments: [now.ledgerMillis, deadline.ledgerMillis, line.deliveryID.rawValue])
            }
            let setAddress = try db.cachedStatement(sql: "UPDATE deliveries SET address = ? WHERE id = ?")
            for (id, address) in readdress.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try setAddress.execute(arguments: [address, id.rawValue])
                result.readdressed.append(id)
            }
            let byChannel = Dictionary(grouping: result.resent, by: \.channel)
            let counts = Channel.allCases.compactMap { c in byChannel[c].map { "\(c.rawValue)=\($0.count)" } }
            try Self.audit(
                db, at: now, case: request.caseID, event: "delivery.resent",
                detail: (["by=\(Self.auditToken(request.requestedBy))", "resent=\(result.resent.count)"] + counts
                    + [
                        "readdressed=\(result.readdressed.count)", "refused=\(result.refusedClosed.count)",
                        "deliveries=" + result.resent.map { "\($0.deliveryID)" }.joined(separator: ","),
                        "recipients=" + result.resent.map(\.recipient.rawValue).joined(separator: ","),
                    ])
                    .joined(separator: " "))
            return result
        }
    }

    /// A login name as one logfmt token (no spaces or quotes can break the audit line).
    static func auditToken(_ text: String) -> String {
        let token = String(
            text.unicodeScalars.filter { $0.properties.isAlphabetic || "0123456789._-@".unicodeScalars.contains($0) }.prefix(64))
        return token.isEmpty ? "-" : token
    }
}

extension ResendRequest {
    /// The deliveries the request names, as SQL with a `?` for each value, on either backend.
    var selection: (sql: String, arguments: [String]) {
        var sql = "SELECT id, recipient_id, channel, kind, state, address FROM deliveries WHERE case_id = ?"
        var arguments = [caseID.rawValue]
        let states = states.map(\.rawValue).sorted()
        sql += " AND state IN (\(repeatElement("?", count: states.count).joined(separator: ", ")))"
        arguments += states
        if let channel {
            sql += " AND channel = ?"
            arguments.append(channel.rawValue)
        }
        if let recipient {
            sql += " AND recipient_id = ?"
            arguments.append(recipient.rawValue)
        }
        return (sql + " ORDER BY channel, recipient_id, id", arguments)
    }
}
