import MimamoriCore

extension Ledger {
    /// The ledger the settings name, behind its roles: PostgreSQL when `ledger.url` is set (its
    /// password is the `ledger-password` credential), else the SQLite file at `ledger.path`. The
    /// backend is chosen here and nowhere else, so neither the daemon nor the CLI names one.
    public static func open(_ settings: MimamoriCore.Configuration.Ledger, password: String? = nil) async throws(LedgerError)
        -> any CaseLedger
    {
        if let url = settings.url { return try await PostgresLedger(url: url, password: password) }
        return try Ledger(path: settings.path)
    }
}

extension MimamoriCore.Configuration.Ledger {
    /// Where the ledger is, for messages: the file, or PostgreSQL's host, port and database
    /// (never a password).
    public var location: String {
        guard let url else { return path }
        return (try? PostgresLedgerURL(url).location).map { "postgres \($0)" } ?? "postgres"
    }
}
