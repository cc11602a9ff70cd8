import Foundation
import MimamoriCore

extension PostgresLedger {
    /// Writes the kept chunks, one per transaction, oldest first (`Ledger.completePlans`).
    public func completePlans(afterEach: @escaping @Sendable () -> Void = {}) async throws(LedgerError) -> PlanCompletion {
        var completion = PlanCompletion()
        while let step = try await write({ transaction in try await Self.completeOldestChunk(in: transaction) }) {
            completion.written += step.written
            completion.existing += step.existing
            afterEach()
        }
        return completion
    }

    /// The oldest kept chunk written and let go; nil when none is kept. Under the writers' lock,
    /// so a standby's `resume` and this daemon's intake never write the same chunk.
    static func completeOldestChunk(in transaction: PostgresTransaction) async throws -> PlanCompletion? {
        guard
            let row = try await transaction.row(
                "DELETE FROM plan_remainders WHERE id = (SELECT min(id) FROM plan_remainders) RETURNING created_at, deliveries")
        else { return nil }
        let deliveries = try PlanRemainder.decode(try row["deliveries"])
        let written = try await insertDeliveries(deliveries[...], created: try row["created_at"], keepingExisting: true, in: transaction)
        return PlanCompletion(written: written, existing: deliveries.count - written)
    }

    /// Every kept chunk, in the calling transaction (`resume`).
    static func completeAllPlans(in transaction: PostgresTransaction) async throws -> PlanCompletion {
        var completion = PlanCompletion()
        while let step = try await completeOldestChunk(in: transaction) {
            completion.written += step.written
            completion.existing += step.existing
        }
        return completion
    }
}
