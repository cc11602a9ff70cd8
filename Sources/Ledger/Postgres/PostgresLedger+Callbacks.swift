import Foundation
import MimamoriCore

extension PostgresLedger: ConcernCallbacks {
    public func callbacks(desk: String?, includeMade: Bool) async throws(LedgerError) -> [ConcernCallback] {
        try await read { transaction in
            var sql = """
                SELECT b.report_id, b.desk_id, b.raised_at, b.called_at, c.state, c.state_name, c.closed_at
                FROM concern_callbacks b JOIN cases c ON c.id = b.report_id
                """
            var conditions: [String] = []
            var arguments: [(any PostgresArgument)?] = []
            if !includeMade { conditions.append("b.called_at IS NULL") }
            if let desk {
                conditions.append("b.desk_id = ?")
                arguments.append(desk)
            }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY b.raised_at, b.report_id"
            return try await transaction.rows(sql, arguments).map { row in
                let closedAt = (try row["closed_at"] as Int64?).map(Date.init(ledgerMillis:))
                let name: String = try row["state_name"]
                return ConcernCallback(
                    reportID: CaseID(try row["report_id"] as String), deskID: try row["desk_id"],
                    raisedAt: Date(ledgerMillis: try row["raised_at"]),
                    calledAt: (try row["called_at"] as Int64?).map(Date.init(ledgerMillis:)),
                    snapshot: (try row["state"] as Data?).map { CaseSnapshot(name: name, data: $0, closedAt: closedAt) })
            }
        }
    }

    public func markCalledBack(report: CaseID, at: Date) async throws(LedgerError) -> Bool {
        try await write { transaction in
            let changed = try await transaction.execute(
                "UPDATE concern_callbacks SET called_at = ? WHERE report_id = ? AND called_at IS NULL",
                [at.ledgerMillis, report.rawValue])
            guard changed > 0 else { return false }
            try await Self.audit(transaction, at: at, case: report, event: "concern.called-back", detail: "")
            return true
        }
    }
}
