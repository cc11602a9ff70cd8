import Foundation
import GRDB
import MimamoriCore

/// What `completePlans` wrote.
public struct PlanCompletion: Sendable, Equatable {
    /// Deliveries written from kept chunks.
    public var written: Int
    /// Deliveries of kept chunks already in the ledger (the same idempotency key), left as they were.
    public var existing: Int

    public init(written: Int = 0, existing: Int = 0) {
        self.written = written
        self.existing = existing
    }
}

extension Ledger {
    /// Keeps a large plan's remainder beside its event (`PlanRemainder`).
    static func keep(_ chunks: [Data], case caseID: CaseID, at created: Int64, in db: Database) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO plan_remainders (case_id, created_at, deliveries) VALUES (?, ?, ?)")
        for chunk in chunks { try insert.execute(arguments: [caseID.rawValue, created, chunk]) }
    }

    /// Writes the kept chunks, one per transaction, oldest first, and calls `afterEach` after each
    /// commit (the dispatcher may start on it); returns once none is left. A stop in between
    /// leaves the rest kept, and `resume` completes it at the next start.
    public func completePlans(afterEach: @escaping @Sendable () -> Void = {}) async throws(LedgerError) -> PlanCompletion {
        var completion = PlanCompletion()
        while let step = try await write({ db in try Self.completeOldestChunk(in: db) }) {
            completion.written += step.written
            completion.existing += step.existing
            afterEach()
        }
        return completion
    }

    /// The oldest kept chunk written and let go; nil when none is kept.
    static func completeOldestChunk(in db: Database) throws -> PlanCompletion? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, created_at, deliveries FROM plan_remainders ORDER BY id LIMIT 1"))
        else { return nil }
        let deliveries = try PlanRemainder.decode(row["deliveries"])
        let written = try insertDeliveries(deliveries[...], created: row["created_at"], keepingExisting: true, in: db)
        try db.cachedStatement(sql: "DELETE FROM plan_remainders WHERE id = ?").execute(arguments: [row["id"] as Int64])
        return PlanCompletion(written: written, existing: deliveries.count - written)
    }

    /// Every kept chunk, in the calling transaction (`resume`).
    static func completeAllPlans(in db: Database) throws -> PlanCompletion {
        var completion = PlanCompletion()
        while let step = try completeOldestChunk(in: db) {
            completion.written += step.written
            completion.existing += step.existing
        }
        return completion
    }
}
