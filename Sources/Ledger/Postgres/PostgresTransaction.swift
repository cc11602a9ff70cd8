import Foundation
import Logging
import PostgresNIO

/// One transaction on the PostgreSQL ledger. Its SQL is written as the SQLite ledger writes it,
/// with a `?` for each value, so the two backends read alike; `?` become `$1`, `$2`, … here.
struct PostgresTransaction: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs one statement; returns the rows it changed (INSERT, UPDATE, DELETE), else 0.
    @discardableResult
    func execute(_ sql: String, _ arguments: [(any PostgresArgument)?] = []) async throws -> Int {
        let result = try await connection.query(Self.query(sql, arguments), logger: logger).get()
        return result.metadata.rows ?? 0
    }

    func rows(_ sql: String, _ arguments: [(any PostgresArgument)?] = []) async throws -> [PostgresLedgerRow] {
        let result = try await connection.query(Self.query(sql, arguments), logger: logger).get()
        return result.rows.map { PostgresLedgerRow(cells: $0.makeRandomAccess()) }
    }

    func row(_ sql: String, _ arguments: [(any PostgresArgument)?] = []) async throws -> PostgresLedgerRow? {
        try await rows(sql, arguments).first
    }

    /// The first column of the first row; nil when there is no row or the value is NULL.
    func value<Value: PostgresColumn>(
        _ type: Value.Type, _ sql: String, _ arguments: [(any PostgresArgument)?] = []
    ) async throws -> Value? {
        guard let row = try await row(sql, arguments) else { return nil }
        return try Value?.decode(from: row.cells[0])
    }

    /// The first column of every row (NULLs left out).
    func values<Value: PostgresColumn>(
        _ type: Value.Type, _ sql: String, _ arguments: [(any PostgresArgument)?] = []
    ) async throws -> [Value] {
        try await rows(sql, arguments).compactMap { try Value?.decode(from: $0.cells[0]) }
    }

    /// `sql` with its `?` numbered, and the values bound. A `?` inside a quoted literal or a
    /// comment is left alone.
    static func query(_ sql: String, _ arguments: [(any PostgresArgument)?]) throws -> PostgresQuery {
        var numbered = ""
        numbered.reserveCapacity(sql.utf8.count + arguments.count * 2)
        var placeholders = 0
        var quoted = false
        var comment = false
        var previous: Character = " "
        for character in sql {
            if comment {
                if character == "\n" { comment = false }
            } else if character == "'" {
                quoted.toggle()
            } else if !quoted, character == "-", previous == "-" {
                comment = true
            } else if !quoted, character == "?" {
                placeholders += 1
                numbered.append("$\(placeholders)")
                previous = character
                continue
            }
            numbered.append(character)
            previous = character
        }
        guard placeholders == arguments.count else {
            throw LedgerError(
                code: .database, isRetriable: false, operatorHint: "report this as a bug",
                message: "a statement has \(placeholders) placeholders and \(arguments.count) values")
        }
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            if let argument { argument.append(to: &bindings) } else { bindings.appendNull() }
        }
        return PostgresQuery(unsafeSQL: numbered, binds: bindings)
    }
}

/// A value bound to a `?`. Integers and flags go in as `bigint` (the schema's only integer
/// type; a flag is 0 or 1, as in SQLite), bytes as `bytea`.
protocol PostgresArgument: Sendable {
    func append(to bindings: inout PostgresBindings)
}

extension Int: PostgresArgument {
    func append(to bindings: inout PostgresBindings) { bindings.append(Int64(self)) }
}
extension Int64: PostgresArgument {
    func append(to bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Bool: PostgresArgument {
    func append(to bindings: inout PostgresBindings) { bindings.append(Int64(self ? 1 : 0)) }
}
extension Double: PostgresArgument {
    func append(to bindings: inout PostgresBindings) { bindings.append(self) }
}
extension String: PostgresArgument {
    func append(to bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Data: PostgresArgument {
    func append(to bindings: inout PostgresBindings) {
        // Data's encoder can throw only for a type it was not given; bytea always takes bytes.
        bindings.append(ByteBuffer(bytes: self))
    }
}
extension [Int64]: PostgresArgument {
    func append(to bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Optional: PostgresArgument where Wrapped: PostgresArgument {
    func append(to bindings: inout PostgresBindings) {
        if let self { self.append(to: &bindings) } else { bindings.appendNull() }
    }
}

/// A row read from the PostgreSQL ledger: `try row["column"]`, typed by what it is assigned to.
struct PostgresLedgerRow: Sendable {
    let cells: PostgresRandomAccessRow

    subscript<Value: PostgresColumn>(_ column: String) -> Value {
        get throws {
            guard cells.contains(column) else {
                throw LedgerError(
                    code: .database, isRetriable: false, operatorHint: "report this as a bug",
                    message: "no column \(column) in the row")
            }
            return try Value.decode(from: cells[column])
        }
    }
}

/// A column value as the ledger reads it.
protocol PostgresColumn {
    static func decode(from cell: PostgresCell) throws -> Self
}

extension PostgresColumn {
    static func mismatch(_ cell: PostgresCell) -> LedgerError {
        LedgerError(
            code: .database, isRetriable: false, operatorHint: "report this as a bug",
            message: "column \(cell.columnName) is \(cell.dataType), not \(Self.self)")
    }
}

extension Int64: PostgresColumn {
    static func decode(from cell: PostgresCell) throws -> Int64 {
        guard cell.bytes != nil else { throw mismatch(cell) }
        // sum() of bigint is numeric in PostgreSQL; a count is never fractional.
        if cell.dataType == .numeric {
            guard let text = try? cell.decode(String.self), let value = Int64(text) else { throw mismatch(cell) }
            return value
        }
        do { return try cell.decode(Int64.self) } catch { throw mismatch(cell) }
    }
}
extension Int: PostgresColumn {
    static func decode(from cell: PostgresCell) throws -> Int { Int(try Int64.decode(from: cell)) }
}
extension Bool: PostgresColumn {
    static func decode(from cell: PostgresCell) throws -> Bool {
        if cell.dataType == .bool {
            do { return try cell.decode(Bool.self) } catch { throw mismatch(cell) }
        }
        return try Int64.decode(from: cell) != 0
    }
}
extension Double: PostgresColumn {
    static func decode(from cell: PostgresCell) throws -> Double {
        do { return try cell.decode(Double.self) } catch { throw mismatch(cell) }
    }
}
extension String: PostgresColumn {
    static func decode(from cell: PostgresCell) throws -> String {
        do { return try cell.decode(String.self) } catch { throw mismatch(cell) }
    }
}
extension Data: PostgresColumn {
    static func decode(from cell: PostgresCell) throws -> Data {
        guard let bytes = cell.bytes else { throw mismatch(cell) }
        return Data(bytes.readableBytesView)
    }
}
extension Optional: PostgresColumn where Wrapped: PostgresColumn {
    static func decode(from cell: PostgresCell) throws -> Wrapped? {
        guard cell.bytes != nil else { return nil }
        return try Wrapped.decode(from: cell)
    }
}
