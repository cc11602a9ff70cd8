import Foundation
import GRDB
import MimamoriCore

/// The delivery a confirmation code belongs to, as the endpoint and `mimamori confirm` see it:
/// ids, kinds and times only, nothing of the person.
public struct ConfirmationTarget: Sendable, Hashable {
    public var code: ConfirmationCode
    public var delivery: DeliveryID
    public var caseID: CaseID
    public var recipient: RecipientID
    public var channel: Channel
    public var kind: NoticeKind
    public var drill: Bool
    public var receivedAt: Date?
    public var destroyedAt: Date?

    /// When `confirmation` was recorded for this delivery; nil while it was not.
    public func recorded(_ confirmation: Confirmation) -> Date? {
        switch confirmation {
        case .received: receivedAt
        case .destroyed: destroyedAt
        }
    }
}

/// How a confirmation reached the ledger.
public enum ConfirmationSource: String, Sendable, Hashable, CaseIterable {
    /// The cooperator's own link or QR code, on the endpoint.
    case link
    /// Told to staff by phone or FAX, recorded with `mimamori confirm`.
    case staff
}

/// What recording a confirmation did.
public enum ConfirmationOutcome: Sendable, Hashable {
    /// Recorded now; `covered` deliveries of the recipient in the case were marked (a
    /// 処分しました covers every document of the case the recipient holds).
    case recorded(ConfirmationTarget, covered: Int)
    /// Recorded before (a second click, a replayed request): nothing changed.
    case alreadyRecorded(ConfirmationTarget)
    /// The code's notice does not ask for this (受け取りました on a termination).
    case notAsked(ConfirmationTarget)
    /// No such code: never issued, mistyped, or its case purged.
    case unknown
}

/// Receipts and destruction confirmations (`confirm:`).
public protocol ConfirmationStore: Sendable {
    /// The delivery of `code`, or nil when the ledger holds no such code.
    func confirmationTarget(_ code: ConfirmationCode) async throws(LedgerError) -> ConfirmationTarget?
    /// Records `confirmation` for `code` at `at`, once: a repeat changes nothing. `by`: the staff
    /// member who took the call or the FAX (a login, written into the audit row as `by=`).
    func recordConfirmation(
        _ confirmation: Confirmation, code: ConfirmationCode, at: Date, via source: ConfirmationSource, by: String?
    ) async throws(LedgerError) -> ConfirmationOutcome
}

extension ConfirmationStore {
    /// A confirmation that names no staff member (the cooperator's own link).
    public func recordConfirmation(
        _ confirmation: Confirmation, code: ConfirmationCode, at: Date, via source: ConfirmationSource
    ) async throws(LedgerError) -> ConfirmationOutcome {
        try await recordConfirmation(confirmation, code: code, at: at, via: source, by: nil)
    }
}

extension Ledger: ConfirmationStore {
    public func confirmationTarget(_ code: ConfirmationCode) async throws(LedgerError) -> ConfirmationTarget? {
        try await read { db in try Self.confirmationTarget(code, in: db) }
    }

    public func recordConfirmation(
        _ confirmation: Confirmation, code: ConfirmationCode, at: Date, via source: ConfirmationSource, by: String?
    ) async throws(LedgerError) -> ConfirmationOutcome {
        try await write { db in
            guard let target = try Self.confirmationTarget(code, in: db) else { return .unknown }
            guard target.kind.confirmations.contains(confirmation) else { return .notAsked(target) }
            guard target.recorded(confirmation) == nil else { return .alreadyRecorded(target) }
            let time = at.ledgerMillis
            var covered = 0
            switch confirmation {
            case .received:
                try db.execute(
                    sql: "UPDATE deliveries SET received_at = ?, confirmed_via = ? WHERE id = ? AND received_at IS NULL",
                    arguments: [time, source.rawValue, target.delivery.rawValue])
                covered = db.changesCount
            case .destroyed:
                // Whoever destroyed the papers had received them.
                try db.execute(
                    sql: "UPDATE deliveries SET received_at = ? WHERE id = ? AND received_at IS NULL",
                    arguments: [time, target.delivery.rawValue])
                try db.execute(
                    sql: """
                        UPDATE deliveries SET destroyed_at = ?, confirmed_via = ?
                        WHERE case_id = ? AND recipient_id = ? AND channel != 'radio' AND destroyed_at IS NULL
                        """,
                    arguments: [time, source.rawValue, target.caseID.rawValue, target.recipient.rawValue])
                covered = db.changesCount
            }
            try Self.audit(
                db, at: at, case: target.caseID, event: "confirm.\(confirmation.rawValue)",
                detail: Self.confirmationDetail(target, via: source, covered: covered, by: by))
            return .recorded(target.recording(confirmation, at: at), covered: covered)
        }
    }

    static func confirmationTarget(_ code: ConfirmationCode, in db: Database) throws -> ConfirmationTarget? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT d.id, d.case_id, d.recipient_id, d.channel, d.kind, d.received_at, d.destroyed_at, c.drill
                    FROM deliveries d JOIN cases c ON c.id = d.case_id
                    WHERE d.confirmation = ? AND c.purged_at IS NULL
                    """,
                arguments: [code.rawValue]),
            let channel = Channel(rawValue: row["channel"]), let kind = NoticeKind(rawValue: row["kind"])
        else { return nil }
        return ConfirmationTarget(
            code: code, delivery: DeliveryID(rawValue: row["id"]), caseID: CaseID(row["case_id"] as String),
            recipient: RecipientID(row["recipient_id"] as String), channel: channel, kind: kind, drill: row["drill"],
            receivedAt: (row["received_at"] as Int64?).map(Date.init(ledgerMillis:)),
            destroyedAt: (row["destroyed_at"] as Int64?).map(Date.init(ledgerMillis:)))
    }
}

extension Ledger {
    /// The `confirm.*` audit row's ids and count, on either backend.
    static func confirmationDetail(_ target: ConfirmationTarget, via source: ConfirmationSource, covered: Int, by: String?) -> String {
        "recipient=\(target.recipient.rawValue) delivery=\(target.delivery.rawValue) via=\(source.rawValue) covered=\(covered)"
            + (by.map { " by=\(auditToken($0))" } ?? "")
    }
}

extension ConfirmationTarget {
    /// The target once `confirmation` is recorded at `at`: whoever destroyed the papers had
    /// received them.
    func recording(_ confirmation: Confirmation, at: Date) -> ConfirmationTarget {
        var updated = self
        switch confirmation {
        case .received: updated.receivedAt = at
        case .destroyed:
            updated.destroyedAt = at
            updated.receivedAt = updated.receivedAt ?? at
        }
        return updated
    }
}
