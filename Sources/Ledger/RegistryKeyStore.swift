import Foundation
import GRDB
import MimamoriCore

/// The registrations' wrapped data keys, in a file of their own (`registry.keys`), apart from
/// the ledger: destroying a key here makes that registration unreadable in every copy of the
/// ledger, its backups included. Freed cells are zeroed and the WAL is truncated after every
/// write, so a destroyed key leaves neither file.
public final class RegistryKeyStore: Sendable {
    let pool: DatabasePool
    public let path: String

    public init(path: String) throws(LedgerError) {
        self.path = path
        var config = GRDB.Configuration()
        config.busyMode = .timeout(5)
        config.label = "registry-keys"
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE keys (
                            registration_id TEXT PRIMARY KEY NOT NULL,
                            wrapped BLOB NOT NULL,
                            created_at INTEGER NOT NULL -- ms since 1970: an orphan is swept only once it is old
                        ) STRICT, WITHOUT ROWID;
                        """)
            }
            try migrator.migrate(pool)
        } catch {
            var wrapped = LedgerError.wrapping(error, path: path)
            if wrapped.code == .database { wrapped.code = .cannotOpen }
            throw wrapped
        }
    }

    public func key(_ id: RegistrationID) async throws(LedgerError) -> Data? {
        do {
            return try await pool.read { db in
                try Data.fetchOne(db, sql: "SELECT wrapped FROM keys WHERE registration_id = ?", arguments: [id.rawValue])
            }
        } catch {
            throw LedgerError.wrapping(error, path: path)
        }
    }

    /// Every key, by registration id (one read for `registry list` and `find`).
    public func keys() async throws(LedgerError) -> [RegistrationID: Data] {
        do {
            return try await pool.read { db in
                var keys: [RegistrationID: Data] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT registration_id, wrapped FROM keys") {
                    keys[RegistrationID(row["registration_id"] as String)] = row["wrapped"]
                }
                return keys
            }
        } catch {
            throw LedgerError.wrapping(error, path: path)
        }
    }

    /// Stores a new registration's wrapped key; `.constraint` if the registration has one (a
    /// registration keeps its data key until it is removed).
    public func put(_ id: RegistrationID, wrapped: Data, at: Date) async throws(LedgerError) {
        try await writeAndTruncate { db in
            try db.execute(
                sql: "INSERT INTO keys (registration_id, wrapped, created_at) VALUES (?, ?, ?)",
                arguments: [id.rawValue, wrapped, at.ledgerMillis])
        }
    }

    /// The registrations whose key was stored before `before` (the sweep's candidates).
    public func ids(storedBefore before: Date) async throws(LedgerError) -> [RegistrationID] {
        do {
            return try await pool.read { db in
                try String.fetchAll(db, sql: "SELECT registration_id FROM keys WHERE created_at < ?", arguments: [before.ledgerMillis])
                    .map(RegistrationID.init(_:))
            }
        } catch {
            throw LedgerError.wrapping(error, path: path)
        }
    }

    /// Destroys the keys of these registrations.
    public func destroy(_ ids: [RegistrationID]) async throws(LedgerError) {
        guard !ids.isEmpty else { return }
        try await writeAndTruncate { db in
            for id in ids { try db.execute(sql: "DELETE FROM keys WHERE registration_id = ?", arguments: [id.rawValue]) }
        }
    }

    func writeAndTruncate(_ body: @escaping @Sendable (Database) throws -> Void) async throws(LedgerError) {
        do {
            try await pool.write(body)
            try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            throw LedgerError.wrapping(error, path: path)
        }
    }
}
