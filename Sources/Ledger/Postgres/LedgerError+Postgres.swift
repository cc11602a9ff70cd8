import PostgresNIO

extension LedgerError {
    /// Maps what postgres-nio threw. Only the SQLSTATE and the names of the table and the
    /// constraint are kept: the server's message and detail can quote a value, which may be
    /// personal data.
    static func wrapping(postgres error: any Error, location: String) -> LedgerError {
        if let error = error as? LedgerError { return error }
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError { return wrapping(postgres: inner, location: location) }
            if let inner = transaction.commitError { return wrapping(postgres: inner, location: location) }
        }
        if error is CancellationError { return .cancelledBeforeTransaction }
        guard let psql = error as? PSQLError else {
            return LedgerError(
                code: .caller, isRetriable: false, operatorHint: "report this as a bug",
                message: "\(type(of: error)) thrown inside the transaction; nothing was written")
        }
        guard let state = psql.serverInfo?[.sqlState] else {
            // Not an answer from the server: it could not be reached, or the connection broke.
            return LedgerError(
                code: .storage, isRetriable: true,
                operatorHint: "check that PostgreSQL at \(location) runs and is reachable from this host",
                message: "PostgreSQL connection: \(psql.code)")
        }
        var message = "PostgreSQL \(state)"
        if let table = psql.serverInfo?[.tableName] { message += " on \(table)" }
        if let constraint = psql.serverInfo?[.constraintName] { message += " (\(constraint))" }
        switch state.prefix(2) {
        case "23":
            return LedgerError(code: .constraint, isRetriable: false, operatorHint: "report this as a bug", message: message)
        case "40", "55":
            // Serialization failure, deadlock, lock not available: another transaction won.
            return LedgerError(
                code: .busy, isRetriable: true,
                operatorHint: "another client holds \(location) longer than expected", message: message)
        case "08", "57", "53", "58":
            return LedgerError(
                code: .storage, isRetriable: true,
                operatorHint: "check PostgreSQL at \(location): running, disk space, connection limit", message: message)
        case "28", "3D":
            return LedgerError(
                code: .cannotOpen, isRetriable: false,
                operatorHint: "check ledger.url's user and database and the password file", message: message)
        case "XX":
            return LedgerError(
                code: .corrupt, isRetriable: false,
                operatorHint: "check the PostgreSQL server log at \(location); restore from backup if data is damaged",
                message: message)
        default:
            return LedgerError(code: .database, isRetriable: false, operatorHint: "report this as a bug", message: message)
        }
    }
}
