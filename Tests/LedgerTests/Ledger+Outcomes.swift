import Foundation
import Ledger

/// The tests' shorthand for one outcome; the daemon records outcomes through `record(_:for:)`
/// and resumes through `resume(now:)`.
extension DeliveryQueue {
    /// After a restart: `resume`, counting what went back to `planned`.
    @discardableResult
    func resumeAfterRestart(now: Date) async throws(LedgerError) -> Int {
        try await resume(now: now).resumed
    }

    func markDelivered(_ id: DeliveryID, at: Date) async throws(LedgerError) {
        try await record(.delivered(at: at), for: id)
    }

    func markRetry(_ id: DeliveryID, error: DeliveryErrorRecord, at: Date, nextAttemptAt: Date) async throws(LedgerError) {
        try await record(.retry(error, at: at, nextAttemptAt: nextAttemptAt), for: id)
    }

    func markFailed(_ id: DeliveryID, error: DeliveryErrorRecord, at: Date) async throws(LedgerError) {
        try await record(.failed(error, at: at), for: id)
    }

    func markExpired(_ id: DeliveryID, error: DeliveryErrorRecord?, at: Date) async throws(LedgerError) {
        try await record(.expired(error, at: at), for: id)
    }
}
