import Foundation
import GRDB

/// The result of one attempt at a delivery.
public enum DeliveryOutcome: Hashable, Sendable {
    /// The outlet accepted it (SMTP 250, fax API 2xx, radio gateway ack).
    case delivered(at: Date)
    /// A transient failure: try again at `nextAttemptAt`.
    case retry(DeliveryErrorRecord, at: Date, nextAttemptAt: Date)
    /// A permanent failure: no retry can help.
    case failed(DeliveryErrorRecord, at: Date)
    /// Past its deadline: no more attempts; the operator is told.
    case expired(DeliveryErrorRecord?, at: Date)
}

extension Ledger {
    public func markDelivered(_ id: DeliveryID, at: Date) async throws(LedgerError) {
        try await record(.delivered(at: at), for: id)
    }

    public func markRetry(_ id: DeliveryID, error: DeliveryErrorRecord, at: Date, nextAttemptAt: Date) async throws(LedgerError) {
        try await record(.retry(error, at: at, nextAttemptAt: nextAttemptAt), for: id)
    }

    public func markFailed(_ id: DeliveryID, error: DeliveryErrorRecord, at: Date) async throws(LedgerError) {
        try await record(.failed(error, at: at), for: id)
    }

    public func markExpired(_ id: DeliveryID, error: DeliveryErrorRecord?, at: Date) async throws(LedgerError) {
        try await record(.expired(error, at: at), for: id)
    }

    /// Records the outcome of an attempt on a `sending` delivery; returns once it is committed.
    ///
    /// Group commit: outcomes recorded concurrently share transactions. Each call queues its
    /// outcome, then asks the (serial) writer to commit whatever is queued; by the time a call's
    /// own write runs, its outcome was committed either by that write or by an earlier one. With
    /// `synchronous=FULL` this turns one fsync per delivery into one per batch.
    /// An outcome for a delivery that is no longer `sending` is ignored.
    public func record(_ outcome: DeliveryOutcome, for id: DeliveryID) async throws(LedgerError) {
        pendingOutcomes.withLock { $0.append((id, outcome)) }
        do {
            try await pool.writeWithoutTransaction { db in
                let batch = self.pendingOutcomes.withLock { pending in
                    defer { pending.removeAll(keepingCapacity: true) }
                    return pending
                }
                guard !batch.isEmpty else { return }
                do {
                    try db.inTransaction {
                        try Self.apply(batch, in: db)
                        return .commit
                    }
                } catch {
                    // Put them back for the next writer; this caller reports the error.
                    self.pendingOutcomes.withLock { $0.insert(contentsOf: batch, at: 0) }
                    throw error
                }
            }
        } catch {
            throw LedgerError.wrapping(error, path: path)
        }
    }

    static func apply(_ batch: [(DeliveryID, DeliveryOutcome)], in db: Database) throws {
        let delivered = try db.cachedStatement(
            sql: """
                UPDATE deliveries SET state = 'delivered', accepted_at = ?, finished_at = ?
                WHERE id = ? AND state = 'sending'
                """)
        let retry = try db.cachedStatement(
            sql: """
                UPDATE deliveries SET state = 'planned', next_attempt_at = ?, last_error_code = ?, last_error = ?
                WHERE id = ? AND state = 'sending'
                """)
        let finish = try db.cachedStatement(
            sql: """
                UPDATE deliveries SET state = ?, finished_at = ?,
                    last_error_code = coalesce(?, last_error_code), last_error = coalesce(?, last_error)
                WHERE id = ? AND state IN ('sending', 'planned')
                """)
        for (id, outcome) in batch {
            switch outcome {
            case .delivered(let at):
                try delivered.execute(arguments: [at.ledgerMillis, at.ledgerMillis, id.rawValue])
            case .retry(let error, _, let next):
                try retry.execute(arguments: [next.ledgerMillis, error.code, error.summary, id.rawValue])
            case .failed(let error, let at):
                try finish.execute(arguments: ["failed", at.ledgerMillis, error.code, error.summary, id.rawValue])
            case .expired(let error, let at):
                try finish.execute(arguments: ["expired", at.ledgerMillis, error?.code, error?.summary, id.rawValue])
            }
        }
    }
}
