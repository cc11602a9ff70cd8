import Foundation
import Ledger

/// The tests' shorthand for one outcome; the daemon records outcomes through `record(_:for:)`.
extension Ledger {
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
