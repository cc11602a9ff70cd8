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
                            wrapped BLOB NOT NULL
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

    /// Stores (or replaces) a registration's wrapped key; the replaced key is destroyed with it.
    public func put(_ id: RegistrationID, wrapped: Data) async throws(LedgerError) {
        try await writeAndTruncate { db in
            try db.execute(
                sql:
                    "INSERT INTO keys (registration_id, wrapped) VALUES (?, ?) ON CONFLICT(registration_id) DO UPDATE SET wrapped = excluded.wrapped",
                arguments: [id.rawValue, wrapped])
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
