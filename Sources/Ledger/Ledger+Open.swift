import MimamoriCore

extension Ledger {
    /// The ledger the settings name, behind its roles. Today it is always the SQLite file at
    /// `ledger.path`; a second backend is chosen here and nowhere else, so neither the daemon
    /// nor the CLI names a backend.
    public static func open(_ settings: MimamoriCore.Configuration.Ledger) throws(LedgerError) -> any CaseLedger {
        try Ledger(path: settings.path)
    }
}
