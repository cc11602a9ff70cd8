import Foundation
import Ledger
import MimamoriCore
import TestFixtures
import Testing

/// Two daemons on one PostgreSQL ledger: one lease, on the database's clock, decides which one
/// acts. (The SQLite ledger is one daemon's file and has no lease.)
@Suite("Ledger lease: active and standby on one PostgreSQL ledger")
struct LedgerLeaseTests {
    @Test("one holder at a time; the other takes over only once it expired; a lost lease claims nothing; a release hands over at once")
    func handover() async throws {
        let database = try PostgresServer.fromEnvironment().createDatabase()
        defer { database.drop() }
        let first = try await PostgresLedger(url: database.url)
        let second = try await PostgresLedger(url: database.url)
        defer {
            first.close()
            second.close()
        }
        _ = try await first.recordIntake(makeIntake(fax: 0, email: 4, radio: false))

        guard case .held = try await first.takeLease(owner: "host-a", for: .seconds(10)) else {
            Issue.record("the first daemon did not get the free lease")
            return
        }
        guard case .held = try await first.takeLease(owner: "host-a", for: .seconds(10)) else {
            Issue.record("the holder could not renew its own lease")
            return
        }
        guard case .heldBy(let holder, _) = try await second.takeLease(owner: "host-b", for: .seconds(10)) else {
            Issue.record("the standby took a lease that had not expired")
            return
        }
        #expect(holder == "host-a")
        let claimedByFirst = try await first.claimDue(now: t0, channel: .email, limit: 2)
        #expect(claimedByFirst.count == 2)

        // Its last renewal, then it stops renewing (killed): after the expiry the standby takes
        // over, and the one that lost it can no longer claim.
        guard case .held = try await first.takeLease(owner: "host-a", for: .milliseconds(300)) else {
            Issue.record("the holder could not renew its own lease")
            return
        }
        try await Task.sleep(for: .milliseconds(600))
        guard case .held = try await second.takeLease(owner: "host-b", for: .seconds(5)) else {
            Issue.record("the standby did not take the expired lease")
            return
        }
        await #expect(throws: LedgerError.self) { try await first.claimDue(now: t0, channel: .email, limit: 2) }
        #expect(try await second.claimDue(now: t0, channel: .email, limit: 10).count == 2)

        // A graceful stop gives the lease up: no wait for its expiry.
        try await second.releaseLease(owner: "host-b")
        guard case .held = try await first.takeLease(owner: "host-a", for: .seconds(5)) else {
            Issue.record("the lease was not free after its release")
            return
        }
        let events = try await first.audit(case: nil).map(\.event).filter { $0.hasPrefix("lease.") }
        #expect(events == ["lease.taken", "lease.taken", "lease.released", "lease.taken"], "\(events)")
    }
}
