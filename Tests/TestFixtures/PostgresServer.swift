import Foundation

/// The private PostgreSQL server the ledger tests use, as `scripts/postgres-node.sh` (and so
/// `make test`) describes it in the environment. No fallback and no skip: without it every
/// PostgreSQL test fails with a message that says how to run it.
public struct PostgresServer: Sendable {
    /// `postgres://mimamori:…@127.0.0.1:PORT/mimamori`: the server's administrative database.
    public let url: String
    /// The server's data folder (its files are read to check what a purge left behind).
    public let dataDirectory: String

    public static func fromEnvironment() throws -> PostgresServer {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["MIMAMORI_TEST_POSTGRES_URL"], !url.isEmpty,
            let data = environment["MIMAMORI_TEST_POSTGRES_DATA"], !data.isEmpty
        else {
            throw FixtureError(
                "MIMAMORI_TEST_POSTGRES_URL is not set: the PostgreSQL tests need the private server; run them with "
                    + "`make test` or `scripts/with-broker.sh swift test …`")
        }
        return PostgresServer(url: url, dataDirectory: data)
    }

    /// One fresh, empty database of the server, for one test.
    public struct Database: Sendable {
        public let server: PostgresServer
        public let name: String
        /// Its folder under `base/`.
        public let oid: String
        /// The ledger's URL of this database.
        public var url: String { server.url(database: name) }

        /// Every byte of the database's files, after a checkpoint has written what the server
        /// holds in memory (the write-ahead log is the server's, shared by all databases, and
        /// is not among them).
        public func storedBytes() -> [Data] {
            _ = try? server.psql("CHECKPOINT")
            let folder = URL(fileURLWithPath: server.dataDirectory).appendingPathComponent("base/\(oid)")
            let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            return files.compactMap { FileManager.default.contents(atPath: $0.path) }
        }

        /// Drops the database, closing whatever is still connected to it.
        public func drop() {
            _ = try? server.psql("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
        }
    }

    public func createDatabase() throws -> Database {
        let name = "ledger_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql("CREATE DATABASE \"\(name)\"")
        let oid = try psql("SELECT oid FROM pg_database WHERE datname = '\(name)'").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !oid.isEmpty else { throw FixtureError("created database \(name) has no oid") }
        return Database(server: self, name: name, oid: oid)
    }

    /// The URL of another database of this server.
    public func url(database: String) -> String {
        guard let slash = url.lastIndex(of: "/") else { return url }
        return url[...slash] + database
    }

    /// Runs one statement with psql on the administrative database; its output, unaligned.
    @discardableResult
    public func psql(_ sql: String, database: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", database.map(url(database:)) ?? url, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw FixtureError("psql \(sql) exited \(process.terminationStatus): \(text)")
        }
        return text
    }
}
