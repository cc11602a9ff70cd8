import Foundation
import GRDB
import MimamoriCore

/// Who holds personal data of a case, as seen inside the closure's transaction.
public struct PersonalDataHolders: Sendable, Hashable {
    public var recipients: [HoldingRecipient]
    public var radioAnnounced: Bool
}

/// A recipient that received, or may have received, personal data about a case.
public struct HoldingRecipient: Hashable, Sendable {
    public var recipient: RecipientID
    public var channel: Channel
    /// Personal data: never log it.
    public var address: String
}

extension Ledger {
    /// The recipients whose alert or update was delivered, or may have been: those in `sending`
    /// (possibly sent before a crash) and those whose attempts ended in a transient failure (a
    /// timeout after the data went out). Permanent failures (bad address, rejected) received
    /// nothing. These are the recipients that get the termination notice and the destruction
    /// reminder. One row per (recipient, channel).
    public func recipientsHoldingPersonalData(case caseID: CaseID) async throws(LedgerError) -> [HoldingRecipient] {
        try await read { db in try Self.holders(of: caseID, in: db) }
    }

    /// Whether the radio announced the search (an alert or update went out, or may have): only
    /// then does the radio announce its end.
    public func radioAnnounced(case caseID: CaseID) async throws(LedgerError) -> Bool {
        try await read { db in try Self.radioAnnounced(caseID, in: db) }
    }

    /// "Delivered, or may have been": delivered, sending, or tried and not permanently refused.
    /// A delivery given up as a crash loop was never refused: it may have gone out each time.
    static let possiblySent = """
        (state IN ('delivered', 'sending') OR (attempts > 0 AND state IN ('planned', 'cancelled', 'expired'))
         OR (state = 'failed' AND last_error_code = 'crash-loop'))
        """

    static func holders(of caseID: CaseID, in db: Database) throws -> [HoldingRecipient] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT recipient_id, channel, max(address) AS address FROM deliveries
                WHERE case_id = ? AND kind IN ('alert', 'update') AND \(possiblySent)
                GROUP BY recipient_id, channel
                ORDER BY channel, recipient_id
                """,
            arguments: [caseID.rawValue]
        ).map { row in
            HoldingRecipient(
                recipient: RecipientID(row["recipient_id"] as String),
                channel: Channel(rawValue: row["channel"]) ?? .email, address: row["address"] ?? "")
        }
    }

    static func radioAnnounced(_ caseID: CaseID, in db: Database) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM deliveries
                WHERE case_id = ? AND channel = 'radio' AND kind IN ('alert', 'update') AND \(possiblySent))
                """,
            arguments: [caseID.rawValue]) ?? false
    }

    /// The case's last recorded state, or nil if the case is unknown. Purged cases keep their
    /// name, sequence and times; their `data` is empty.
    public func caseSnapshot(case caseID: CaseID) async throws(LedgerError) -> StoredCase? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM cases WHERE id = ?", arguments: [caseID.rawValue])
                .map(StoredCase.init(row:))
        }
    }
}

/// A case as the ledger holds it.
public struct StoredCase: Sendable, Hashable {
    public var id: CaseID
    public var municipality: String
    public var drill: Bool
    public var snapshot: CaseSnapshot
    public var lastSequence: Int
    public var openedAt: Date
    public var updatedAt: Date
    public var purgedAt: Date?

    init(row: Row) {
        id = CaseID(row["id"] as String)
        municipality = row["municipality"]
        drill = row["drill"]
        snapshot = CaseSnapshot(
            name: row["state_name"], data: row["state"] ?? Data(),
            closedAt: (row["closed_at"] as Int64?).map(Date.init(ledgerMillis:)))
        lastSequence = row["last_sequence"]
        openedAt = Date(ledgerMillis: row["opened_at"])
        updatedAt = Date(ledgerMillis: row["updated_at"])
        purgedAt = (row["purged_at"] as Int64?).map(Date.init(ledgerMillis:))
    }
}
