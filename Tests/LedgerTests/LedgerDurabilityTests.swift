import Foundation
import Ledger
import MimamoriCore
import Testing

/// The cost of synchronous=FULL against NORMAL on this machine (reported, not asserted).
@Suite("Ledger durability cost")
struct LedgerDurabilityTests {
    @Test("measure intake and per-delivery writes under NORMAL and FULL", arguments: Ledger.Synchronous.allCases)
    func measure(synchronous: Ledger.Synchronous) async throws {
        let fixture = try SQLiteLedgerFile(synchronous: synchronous)
        defer { fixture.remove() }
        let ledger = fixture.ledger
        #expect(try await ledger.synchronousLevel() == (synchronous == .full ? 2 : 1))
        let clock = ContinuousClock()
        let rounds = 30
        var start = clock.now
        for i in 0..<rounds {
            _ = try await ledger.recordIntake(
                makeIntake(case: CaseID("C-\(i)"), messageID: "m-\(i)", fax: 14, email: 67, radio: false))
        }
        let intake = (clock.now - start) / rounds

        let jobs = try await ledger.claimDue(now: t0, channel: .email, limit: 300)
        start = clock.now
        for job in jobs { try await ledger.markDelivered(job.id, at: t0) }
        let sequential = (clock.now - start) / jobs.count

        let more = try await ledger.claimDue(now: t0, channel: .email, limit: 1000)
        start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for job in more { group.addTask { try await ledger.markDelivered(job.id, at: t0) } }
            try await group.waitForAll()
        }
        let grouped = (clock.now - start) / more.count
        print(
            "figure: synchronous=\(synchronous.rawValue): intake of 81 deliveries \(intake) each; "
                + "markDelivered sequential \(sequential) each, concurrent (group commit) \(grouped) each")
    }
}
