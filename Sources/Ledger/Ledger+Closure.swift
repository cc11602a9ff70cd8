import Foundation
import GRDB
import MimamoriCore

/// Who holds personal data of a case, as seen inside the intake's transaction.
public struct PersonalDataHolders: Sendable, Hashable {
    /// One per (recipient, channel); the radio holds no documents and is not among them.
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
    /// The recipients whose alert or update was possibly sent (`PossiblySent`): those that get
    /// the termination notice and the destruction reminder. One row per (recipient, channel): a
    /// recipient reached by FAX and, after the directory moved it, by email holds the data twice.
    public func recipientsHoldingPersonalData(case caseID: CaseID) async throws(LedgerError) -> [HoldingRecipient] {
        try await read { db in try Self.holders(of: caseID, in: db) }
    }

    /// Whether the radio announced the search (an alert or update went out, or may have): only
    /// then does the radio announce its end.
    public func radioAnnounced(case caseID: CaseID) async throws(LedgerError) -> Bool {
        try await read { db in try Self.personalDataHolders(of: caseID, in: db).radioAnnounced }
    }

    static func holders(of caseID: CaseID, in db: Database) throws -> [HoldingRecipient] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT recipient_id, channel, max(address) AS address FROM deliveries
                    WHERE case_id = ? AND kind IN \(LedgerVocabulary.personalDataKinds) AND \(LedgerVocabulary.possiblySent)
                    GROUP BY recipient_id, channel
                    ORDER BY channel, recipient_id
                    """),
            arguments: [caseID.rawValue]
        ).map { row in
            HoldingRecipient(
                recipient: RecipientID(row["recipient_id"] as String),
                channel: Channel(rawValue: row["channel"]) ?? .email, address: row["address"] ?? "")
        }
    }

    /// Who holds the case's personal data and whether the radio announced it, from the one
    /// query: the radio announced when its alert or update was possibly sent.
    static func personalDataHolders(of caseID: CaseID, in db: Database) throws -> PersonalDataHolders {
        let possiblySent = try holders(of: caseID, in: db)
        return PersonalDataHolders(
            recipients: possiblySent.filter { $0.channel != .radio }, radioAnnounced: possiblySent.contains { $0.channel == .radio })
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
    /// The event schema the row belongs to (`mimamori.case/1`, `mimamori.concern/1`).
    public var schema: String

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
        schema = row["schema"]
    }
}
