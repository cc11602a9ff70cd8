import Foundation
import Logging
import MimamoriCore
import PostgresNIO
import Synchronization

/// The ledger on PostgreSQL: the same roles as `Ledger` (SQLite), for a town that runs an active
/// and a standby daemon on one database, or a prefecture that keeps its towns' ledgers on its own
/// server. The schema and the SQL are the SQLite ledger's, row for row.
///
/// Writers are serialized, as SQLite serializes them: every write transaction first takes one
/// transaction-scoped advisory lock, so two daemons on one database never interleave their
/// writes and each transaction sees everything committed before it. Reads run in a read-only
/// snapshot (REPEATABLE READ), as a SQLite read transaction does.
public final class PostgresLedger: Sendable {
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger
    /// `host:port/database`, for messages (never the password).
    public let location: String
    /// The owner this ledger took the active lease for (`takeLease`); claims require it.
    let leaseOwner = Mutex<String?>(nil)
    /// Outcomes waiting for the next group commit.
    let outcomes = OutcomeGroupCommit()

    /// The advisory lock every write transaction holds ("mimamori" in ASCII).
    static let writerLock: Int64 = 0x6D69_6D61_6D6F_7269

    /// Connects, and creates or migrates the schema. `password` (from the credential file) is
    /// used when the URL carries none.
    public init(url: String, password: String? = nil, logger: Logger = Logger(label: "mimamori.ledger")) async throws(LedgerError) {
        let settings = try PostgresLedgerURL(url)
        location = settings.location
        self.logger = logger
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.user,
            password: settings.password ?? password, database: settings.database, tls: settings.tls)
        configuration.options.maximumConnections = 4
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.connectionIdleTimeout = .seconds(300)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
        do {
            try await migrate()
        } catch {
            runner.cancel()
            var wrapped = error
            if wrapped.code != .cancelled { wrapped.code = .cannotOpen }
            throw wrapped
        }
    }

    deinit { runner.cancel() }

    /// Closes the connections; the ledger cannot be used afterwards.
    public func close() { runner.cancel() }

    /// Runs one write transaction, serialized with every other writer of this database.
    func write<T: Sendable>(_ body: @escaping @Sendable (PostgresTransaction) async throws -> T) async throws(LedgerError) -> T {
        let logger = logger
        do {
            return try await client.withConnection { connection in
                try await connection.withTransaction(logger: logger) { connection in
                    let transaction = PostgresTransaction(connection: connection, logger: logger)
                    try await transaction.execute("SELECT pg_advisory_xact_lock(?)", [Self.writerLock])
                    return try await body(transaction)
                }
            }
        } catch {
            throw LedgerError.wrapping(postgres: error, location: location)
        }
    }

    /// Runs a read in one snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresTransaction) async throws -> T) async throws(LedgerError) -> T {
        let logger = logger
        do {
            return try await client.withConnection { connection in
                let transaction = PostgresTransaction(connection: connection, logger: logger)
                try await transaction.execute("START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                do {
                    let value = try await body(transaction)
                    try await transaction.execute("COMMIT")
                    return value
                } catch {
                    _ = try? await transaction.execute("ROLLBACK")
                    throw error
                }
            }
        } catch {
            throw LedgerError.wrapping(postgres: error, location: location)
        }
    }
}

/// `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`.
struct PostgresLedgerURL {
    var user: String
    var password: String?
    var host: String
    var port: Int
    var database: String
    var tls: PostgresClient.Configuration.TLS

    var location: String { "\(host):\(port)/\(database)" }

    init(_ text: String) throws(LedgerError) {
        func invalid(_ why: String) -> LedgerError {
            LedgerError(
                code: .cannotOpen, isRetriable: false,
                operatorHint: "ledger.url must read postgres://USER@HOST[:PORT]/DATABASE",
                message: "ledger.url \(why)")
        }
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql" else {
            throw invalid("is not a postgres:// URL")
        }
        guard let host = url.host, !host.isEmpty else { throw invalid("names no host") }
        guard let user = url.user, !user.isEmpty else { throw invalid("names no user") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw invalid("names no database") }
        self.user = user
        self.password = url.password
        self.host = host
        self.port = url.port ?? 5432
        self.database = database
        switch url.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer" {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-full": tls = .require(.makeClientConfiguration())
        case let other: throw invalid("has sslmode=\(other) (disable, prefer or require)")
        }
    }
}

extension PostgresLedger {
    /// One audit row (counts and ids only), as `Ledger.audit` writes it.
    static func audit(
        _ transaction: PostgresTransaction, at: Date, case caseID: CaseID?, event: String, messageID: String? = nil,
        detail: String
    ) async throws {
        try await transaction.execute(
            "INSERT INTO audit (at, case_id, event, message_id, detail) VALUES (?, ?, ?, ?, ?)",
            [at.ledgerMillis, caseID?.rawValue, event, messageID, detail])
    }

    /// `?, ?, …`: the placeholders of an `IN (…)` list.
    static func placeholders(_ count: Int) -> String {
        repeatElement("?", count: count).joined(separator: ", ")
    }
}
