import Foundation

// Times are stored as integer milliseconds since 1970 UTC: exact, cheap to compare and index,
// and readable with `datetime(x / 1000, 'unixepoch')` in the sqlite3 shell.
extension Date {
    var ledgerMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(ledgerMillis: Int64) { self.init(timeIntervalSince1970: Double(ledgerMillis) / 1000) }
}
