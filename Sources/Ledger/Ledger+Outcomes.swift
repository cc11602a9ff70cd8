import Foundation
import GRDB
import Synchronization

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
    /// Records the outcome of an attempt on a `sending` delivery; returns once it is committed,
    /// in a transaction shared with the outcomes recorded meanwhile (`OutcomeGroupCommit`). With
    /// `synchronous=FULL` this turns one fsync per delivery into one per batch. An outcome for a
    /// delivery that is no longer `sending` is ignored.
    public func record(_ outcome: DeliveryOutcome, for id: DeliveryID) async throws(LedgerError) {
        try await outcomes.record(outcome, for: id) { batch in
            do {
                try await self.pool.write { db in try Self.apply(batch, in: db) }
                return .success(())
            } catch {
                return .failure(LedgerError.wrapping(error, path: self.path))
            }
        }
    }

    static func apply(_ batch: [(DeliveryID, DeliveryOutcome)], in db: Database) throws {
        let delivered = try db.cachedStatement(
            sql: """
                UPDATE deliveries SET state = 'delivered', accepted_at = ?, finished_at = ?, claims = 0
                WHERE id = ? AND state = 'sending'
                """)
        let retry = try db.cachedStatement(
            sql: """
                UPDATE deliveries SET state = 'planned', next_attempt_at = ?, last_error_code = ?, last_error = ?, claims = 0
                WHERE id = ? AND state = 'sending'
                """)
        let finish = try db.cachedStatement(
            sql: """
                UPDATE deliveries SET state = ?, finished_at = ?, claims = 0,
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

/// Group commit of delivery outcomes, for either backend: outcomes recorded concurrently share
/// transactions. The first caller to find no commit under way becomes the leader: it commits
/// everything queued so far in one transaction, then hands the lead to the first outcome that
/// arrived meanwhile (if any) and returns; the others just wait for the commit that carried
/// theirs, and cost no trip to the writer at all. If a batch fails to commit, every caller in it
/// gets the error (and may record again).
final class OutcomeGroupCommit: Sendable {
    private let queue = Mutex(OutcomeQueue())

    func record(
        _ outcome: DeliveryOutcome, for id: DeliveryID,
        commit: @Sendable ([(DeliveryID, DeliveryOutcome)]) async -> Result<Void, LedgerError>
    ) async throws(LedgerError) {
        let turn: OutcomeQueue.Turn = await withCheckedContinuation { continuation in
            let leads = queue.withLock { queue -> Bool in
                if queue.committing {
                    queue.entries.append(.init(id: id, outcome: outcome, waiter: continuation))
                    return false
                }
                queue.committing = true
                queue.entries.append(.init(id: id, outcome: outcome, waiter: nil))
                return true
            }
            if leads { continuation.resume(returning: .lead) }
        }
        switch turn {
        case .done(let result): try result.get()
        case .lead:
            // Lets the steps already queued on this thread run first: on a channel's thread they
            // are mostly other sends finishing, whose outcomes join this commit instead of
            // waiting for the next.
            await Task.yield()
            try await commitQueued(commit).get()
        }
    }

    /// The leader's part: one transaction for what is queued, then the lead passes on.
    private func commitQueued(
        _ commit: @Sendable ([(DeliveryID, DeliveryOutcome)]) async -> Result<Void, LedgerError>
    ) async -> Result<Void, LedgerError> {
        let batch = queue.withLock { queue in
            defer { queue.entries.removeAll(keepingCapacity: true) }
            return queue.entries
        }
        let result = await commit(batch.map { ($0.id, $0.outcome) })
        let next = queue.withLock { queue -> CheckedContinuation<OutcomeQueue.Turn, Never>? in
            guard !queue.entries.isEmpty else {
                queue.committing = false
                return nil
            }
            defer { queue.entries[0].waiter = nil }
            return queue.entries[0].waiter
        }
        for entry in batch { entry.waiter?.resume(returning: .done(result)) }
        next?.resume(returning: .lead)
        return result
    }
}

/// Outcomes waiting for the next group commit, and whether a leader is committing.
struct OutcomeQueue: Sendable {
    enum Turn: Sendable {
        /// The commit that carried this outcome is over.
        case done(Result<Void, LedgerError>)
        /// Commit what is queued (this outcome included).
        case lead
    }

    struct Entry: Sendable {
        var id: DeliveryID
        var outcome: DeliveryOutcome
        /// nil for the leader's own outcome.
        var waiter: CheckedContinuation<Turn, Never>?
    }

    var entries: [Entry] = []
    var committing = false
}
