import Foundation
import GRDB
import MimamoriCore

/// A concern report whose reporter gave only a phone number: the desk calls back with the result.
public struct ConcernCallback: Sendable, Hashable {
    public var reportID: CaseID
    public var deskID: String
    /// When the result was recorded (the `resolved` event) and the call became owed.
    public var raisedAt: Date
    /// When staff recorded the call as made; nil while owed.
    public var calledAt: Date?
    /// The report's state, for the reporter's name and number on the staff's list; nil once
    /// purged. Personal data: the CLI shows it to staff, nothing logs it.
    public var snapshot: CaseSnapshot?
}

/// The call-back list (`mimamori concern callbacks`).
public protocol ConcernCallbacks: Sendable {
    /// Owed call-backs (or all of them), oldest first; of one desk when `desk` is set.
    func callbacks(desk: String?, includeMade: Bool) async throws(LedgerError) -> [ConcernCallback]
    /// Records the call as made; false if the report has no call-back owed.
    func markCalledBack(report: CaseID, at: Date) async throws(LedgerError) -> Bool
}

extension Ledger: ConcernCallbacks {
    public func callbacks(desk: String?, includeMade: Bool) async throws(LedgerError) -> [ConcernCallback] {
        try await read { db in
            var sql = """
                SELECT b.report_id, b.desk_id, b.raised_at, b.called_at, c.state, c.state_name, c.closed_at
                FROM concern_callbacks b JOIN cases c ON c.id = b.report_id
                """
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if !includeMade { conditions.append("b.called_at IS NULL") }
            if let desk {
                conditions.append("b.desk_id = ?")
                arguments.append(desk)
            }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY b.raised_at, b.report_id"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                ConcernCallback(
                    reportID: CaseID(row["report_id"] as String), deskID: row["desk_id"],
                    raisedAt: Date(ledgerMillis: row["raised_at"]),
                    calledAt: (row["called_at"] as Int64?).map(Date.init(ledgerMillis:)),
                    snapshot: (row["state"] as Data?).map {
                        CaseSnapshot(
                            name: row["state_name"], data: $0, closedAt: (row["closed_at"] as Int64?).map(Date.init(ledgerMillis:)))
                    })
            }
        }
    }

    public func markCalledBack(report: CaseID, at: Date) async throws(LedgerError) -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE concern_callbacks SET called_at = ? WHERE report_id = ? AND called_at IS NULL",
                arguments: [at.ledgerMillis, report.rawValue])
            guard db.changesCount > 0 else { return false }
            try Self.audit(db, at: at, case: report, event: "concern.called-back", detail: "")
            return true
        }
    }
}
