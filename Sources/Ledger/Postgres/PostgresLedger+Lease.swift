import Foundation
import MimamoriCore

/// Who may act on a ledger two daemons share: one lease row with an owner and an expiry, on the
/// database's clock. Only the holder consumes the broker's queue and claims deliveries; the
/// other waits as the standby and takes the lease once it has expired. A lease, not a session
/// advisory lock: a dead host's connection can hold such a lock for as long as TCP keepalive
/// takes to notice, a lease ends at its expiry.
public protocol ActiveLease: Sendable {
    /// Takes the lease for `owner` (or extends it, if `owner` holds it) until `ttl` from now;
    /// tells who holds it when another owner does and it has not expired.
    func takeLease(owner: String, for ttl: Duration) async throws(LedgerError) -> LeaseState
    /// Gives the lease up at once, if `owner` holds it (a graceful stop: the standby need not
    /// wait for the expiry).
    func releaseLease(owner: String) async throws(LedgerError)
}

public enum LeaseState: Sendable, Hashable {
    /// `owner` holds the lease until this instant (the database's clock).
    case held(until: Date)
    /// Another daemon holds it.
    case heldBy(owner: String, until: Date)
}

extension PostgresLedger: ActiveLease {
    static let leaseName = "active"
    static let databaseNow = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint"

    public func takeLease(owner: String, for ttl: Duration) async throws(LedgerError) -> LeaseState {
        let ttlMillis = Int64(ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000)
        let state: LeaseState = try await write { transaction in
            let now = try await transaction.value(Int64.self, Self.databaseNow) ?? 0
            let taken = try await transaction.row(
                """
                INSERT INTO ledger_lease (name, owner, acquired_at, expires_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET
                    acquired_at = CASE WHEN ledger_lease.owner = excluded.owner THEN ledger_lease.acquired_at ELSE excluded.acquired_at END,
                    owner = excluded.owner, expires_at = excluded.expires_at
                WHERE ledger_lease.owner = excluded.owner OR ledger_lease.expires_at <= excluded.acquired_at
                RETURNING owner, acquired_at
                """,
                [Self.leaseName, owner, now, now + ttlMillis])
            if let taken {
                let acquired: Int64 = try taken["acquired_at"]
                if acquired == now {
                    try await Self.audit(
                        transaction, at: Date(ledgerMillis: now), case: nil, event: "lease.taken", detail: "owner=\(owner)")
                }
                return .held(until: Date(ledgerMillis: now + ttlMillis))
            }
            let holder = try await transaction.row("SELECT owner, expires_at FROM ledger_lease WHERE name = ?", [Self.leaseName])
            return .heldBy(owner: try holder?["owner"] ?? "?", until: Date(ledgerMillis: try holder?["expires_at"] ?? now))
        }
        leaseOwner.withLock { $0 = owner }
        return state
    }

    public func releaseLease(owner: String) async throws(LedgerError) {
        try await write { transaction in
            let released = try await transaction.execute(
                "DELETE FROM ledger_lease WHERE name = ? AND owner = ?", [Self.leaseName, owner])
            if released > 0 {
                let now = try await transaction.value(Int64.self, Self.databaseNow) ?? 0
                try await Self.audit(transaction, at: Date(ledgerMillis: now), case: nil, event: "lease.released", detail: "owner=\(owner)")
            }
        }
    }

    /// Inside a claim's transaction: fails unless the owner this ledger took the lease for
    /// still holds it, so a daemon that lost its lease (cut off from the database longer than
    /// the lease, then back) claims nothing the new holder may claim too. A ledger that never
    /// took a lease (one daemon, or a command) claims freely.
    static func requireLease(_ owner: String?, in transaction: PostgresTransaction) async throws {
        guard let owner else { return }
        let holds = try await transaction.row(
            "SELECT 1 AS held FROM ledger_lease WHERE name = ? AND owner = ? AND expires_at > (\(databaseNow))",
            [leaseName, owner])
        guard holds != nil else {
            throw LedgerError(
                code: .busy, isRetriable: true,
                operatorHint: "this daemon no longer holds the active lease; it stops and comes back as the standby",
                message: "the active lease is not held by \(owner)")
        }
    }
}
