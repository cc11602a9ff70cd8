import Foundation
import GRDB

/// The daemon's durable truth: cases, the events that changed them, the notices and deliveries
/// they planned, and an audit trail. The only writer of state; SQLite in WAL mode through GRDB.
///
/// Every method is one transaction: either all of it is on disk or none of it is.
public final class Ledger: Sendable {
    let pool: DatabasePool
    public let path: String
    public let configuration: Configuration
    /// Outcomes waiting for the next group commit (see `Ledger+Outcomes.swift`).
    let outcomes = OutcomeGroupCommit()

    /// Opens (creating if needed) and migrates the ledger at `path`.
    public init(path: String, configuration: Configuration = Configuration()) throws(LedgerError) {
        self.path = path
        self.configuration = configuration
        var config = GRDB.Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(configuration.busyTimeout)
        config.label = "ledger"
        config.prepareDatabase { db in
            // Freed pages and overwritten cells are zeroed, so purged personal data leaves the file
            // (the WAL is truncated after a purge as well).
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            // DatabasePool switches the writer to WAL and synchronous=NORMAL when it opens; set ours after.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(configuration.synchronous.rawValue)")
            }
            try Self.migrator.migrate(pool)
        } catch {
            var wrapped = LedgerError.wrapping(error, path: path)
            if wrapped.code == .database { wrapped.code = .cannotOpen }
            throw wrapped
        }
    }

    /// Runs a write transaction, mapping errors.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(LedgerError) -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw LedgerError.wrapping(error, path: path)
        }
    }

    /// Runs a read, mapping errors.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(LedgerError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw LedgerError.wrapping(error, path: path)
        }
    }

    /// The value of `PRAGMA synchronous` on the writer (0 off, 1 normal, 2 full, 3 extra).
    public func synchronousLevel() async throws(LedgerError) -> Int {
        do {
            return try await pool.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            }
        } catch {
            throw LedgerError.wrapping(error, path: path)
        }
    }
}
