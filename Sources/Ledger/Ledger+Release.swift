import Foundation
import GRDB
import MimamoriCore

/// A case held as stale, as `mimamori release` needs it.
public struct HeldCase: Sendable {
    public var stored: StoredCase
    /// The newest event of the case (what is held). Personal data.
    public var body: Data
}

extension Ledger {
    /// The case if it is held (`held.stale`), with its newest event; nil if it is not held.
    public func heldCase(_ caseID: CaseID) async throws(LedgerError) -> HeldCase? {
        try await read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM cases WHERE id = ? AND state_name = '\(CaseState.Phase.held.rawValue)'",
                    arguments: [caseID.rawValue]),
                let body = try Data.fetchOne(
                    db, sql: "SELECT body FROM events WHERE case_id = ? AND body IS NOT NULL ORDER BY sequence DESC LIMIT 1",
                    arguments: [caseID.rawValue])
            else { return nil }
            return HeldCase(stored: StoredCase(row: row), body: body)
        }
    }

    /// Releases a held case in one transaction: the new state, the alert's notices and
    /// deliveries (the running daemon's dispatcher finds them in the ledger), an audit row.
    /// Fails with `.notFound` if the case is no longer held at `sequence` (released meanwhile,
    /// or an event arrived after it was read): read it again.
    public func recordRelease(
        _ caseID: CaseID, sequence: Int, state: CaseSnapshot, notices: [Intake.Notice], deliveries: [Intake.Delivery], at: Date
    ) async throws(LedgerError) -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE cases SET state = ?, state_name = ?, updated_at = ?
                    WHERE id = ? AND state_name = '\(CaseState.Phase.held.rawValue)' AND last_sequence = ? AND purged_at IS NULL
                    """,
                arguments: [state.data, state.name, at.ledgerMillis, caseID.rawValue, sequence])
            guard db.changesCount == 1 else {
                throw LedgerError(
                    code: .notFound, isRetriable: true, operatorHint: "run the command again",
                    message: "case \(caseID) is no longer held at sequence \(sequence)")
            }
            try Self.insertPlanned(case: caseID, notices: notices, deliveries: deliveries, at: at, in: db)
            try Self.audit(db, at: at, case: caseID, event: "case.released", detail: "seq=\(sequence) planned=\(deliveries.count)")
            return deliveries.count
        }
    }
}
