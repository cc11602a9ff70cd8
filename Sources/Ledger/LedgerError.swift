import GRDB

/// A ledger operation that failed. Says what happened, whether trying again can help, and what an
/// operator should check. Never carries personal data: SQLite's messages name tables and columns,
/// not values, and only the code and that message are kept.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// The database file could not be opened or migrated.
        public static let cannotOpen = Code(name: "cannotOpen")
        /// Another connection held the database longer than the busy timeout.
        public static let busy = Code(name: "busy")
        /// The disk is full or read-only, or an I/O error occurred.
        public static let storage = Code(name: "storage")
        /// The records violate the schema (a bug in the caller or the ledger).
        public static let constraint = Code(name: "constraint")
        /// The file is not a ledger or is damaged.
        public static let corrupt = Code(name: "corrupt")
        /// The delivery does not exist or is not in the state the operation needs.
        public static let notFound = Code(name: "notFound")
        /// A function the caller ran inside the transaction threw (the transaction was rolled back).
        public static let caller = Code(name: "caller")
        /// The task was cancelled before the operation ran; nothing was written.
        public static let cancelled = Code(name: "cancelled")
        /// Anything else SQLite reported.
        public static let database = Code(name: "database")
    }

    public var code: Code
    /// Whether the same operation may succeed if tried again later.
    public var isRetriable: Bool
    /// What an operator should check.
    public var operatorHint: String
    /// A short technical message with no personal data.
    public var message: String

    public init(code: Code, isRetriable: Bool, operatorHint: String, message: String) {
        self.code = code
        self.isRetriable = isRetriable
        self.operatorHint = operatorHint
        self.message = message
    }

    public var description: String {
        "ledger \(code): \(message) (\(isRetriable ? "retriable" : "permanent"); \(operatorHint))"
    }

    /// The task was cancelled before the transaction ran (either backend).
    static let cancelledBeforeTransaction = LedgerError(
        code: .cancelled, isRetriable: true, operatorHint: "none: the daemon is stopping",
        message: "cancelled before the transaction ran")

    /// Maps whatever GRDB threw.
    static func wrapping(_ error: any Error, path: String) -> LedgerError {
        if let error = error as? LedgerError { return error }
        if error is CancellationError { return .cancelledBeforeTransaction }
        guard let db = error as? DatabaseError else {
            return LedgerError(
                code: .caller, isRetriable: false, operatorHint: "report this as a bug",
                message: "\(type(of: error)) thrown inside the transaction; nothing was written")
        }
        let message = "SQLite \(db.resultCode.primaryResultCode.rawValue): \(db.message ?? "")"
        switch db.resultCode.primaryResultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return LedgerError(
                code: .busy, isRetriable: true,
                operatorHint: "another process holds \(path); only one mimamorid may run", message: message)
        case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return LedgerError(
                code: .storage, isRetriable: true,
                operatorHint: "check free space and permissions of \(path) (StateDirectory)", message: message)
        case .SQLITE_CONSTRAINT:
            return LedgerError(
                code: .constraint, isRetriable: false, operatorHint: "report this as a bug", message: message)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return LedgerError(
                code: .corrupt, isRetriable: false,
                operatorHint: "restore \(path) from backup; keep the damaged file for analysis", message: message)
        default:
            return LedgerError(
                code: .database, isRetriable: false, operatorHint: "report this as a bug", message: message)
        }
    }
}
