import Foundation
import GRDB
import MimamoriCore

/// A radio broadcast that went out, or may have: what a later CAP `Update` or all-clear refers to.
public struct Announcement: Sendable, Hashable {
    public var idempotencyKey: String
    public var revision: Int
    public var kind: NoticeKind
    /// The instant the delivery was planned for: stable, so every message that refers to this
    /// one names the same CAP `sent`.
    public var notBefore: Date
}

extension Ledger {
    /// The radio alerts and updates of a case that were possibly sent (`PossiblySent`, the same
    /// rule that decides whether the radio announces the end), oldest first.
    public func announcements(case caseID: CaseID) async throws(LedgerError) -> [Announcement] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT idempotency_key, revision, kind, not_before FROM deliveries
                    WHERE case_id = ? AND channel = '\(Channel.radio.rawValue)' AND kind IN \(LedgerVocabulary.personalDataKinds)
                      AND \(LedgerVocabulary.possiblySent)
                    ORDER BY revision, id
                    """,
                arguments: [caseID.rawValue]
            ).map { row in
                Announcement(
                    idempotencyKey: row["idempotency_key"], revision: row["revision"],
                    kind: NoticeKind(rawValue: row["kind"]) ?? .alert, notBefore: Date(ledgerMillis: row["not_before"]))
            }
        }
    }
}
