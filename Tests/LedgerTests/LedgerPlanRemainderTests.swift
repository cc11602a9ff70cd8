import Crypto
import Foundation
import Ledger
import MimamoriCore
import Synchronization
import Testing

@Suite("Ledger plan remainder: a large plan's first deliveries at once, the rest kept and written after, as planned")
struct LedgerPlanRemainderTests {
    static let signer = ConfirmationSigner(key: SymmetricKey(data: Data(repeating: 5, count: 32)))

    /// A town-wide case: more volunteers than the first transaction writes, each with a code.
    func largeIntake(email: Int = 2_600, firstCommit: Int? = 512, closed: Bool = false) -> Intake {
        var intake = makeIntake(
            messageID: closed ? "close" : UUID().uuidString, sequence: closed ? 2 : 1, eventKind: closed ? "closed" : "opened",
            kind: closed ? .termination : .alert, fax: 14, email: email, radio: true, closed: closed,
            confirmations: Self.signer)
        intake.firstCommit = firstCommit
        return intake
    }

    /// What the dispatcher would be handed of every planned delivery, by idempotency key.
    func claimedByKey(_ ledger: any CaseLedger) async throws -> [String: DeliveryJob] {
        var jobs: [String: DeliveryJob] = [:]
        for channel in Channel.allCases {
            for job in try await ledger.claimDue(now: t0, channel: channel, limit: 10_000) { jobs[job.idempotencyKey] = job }
        }
        return jobs
    }

    func expectAsPlanned(_ jobs: [String: DeliveryJob], _ intake: Intake) {
        #expect(jobs.count == intake.deliveries.count)
        for delivery in intake.deliveries {
            guard let job = jobs[delivery.planned.idempotencyKey] else {
                Issue.record("\(delivery.planned.idempotencyKey) was not written")
                continue
            }
            #expect(job.caseID == delivery.planned.caseID)
            #expect(job.revision == delivery.planned.revision)
            #expect(job.recipient == delivery.planned.recipient)
            #expect(job.channel == delivery.planned.channel)
            #expect(job.kind == delivery.planned.kind)
            #expect(job.address == delivery.address)
            #expect(job.notBefore == delivery.planned.notBefore)
            #expect(job.deadline == delivery.deadline)
            #expect(job.confirmation == delivery.confirmation)
            #expect(job.attempt == 1)
        }
    }

    @Test(
        "the event's transaction writes the first deliveries; completePlans writes the rest a chunk per commit, each as planned",
        arguments: LedgerBackend.all)
    func firstThenChunks(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let intake = largeIntake()
        #expect(intake.deliveries.count == 2_615)
        #expect(try await ledger.recordIntake(intake) == .recorded(planned: 2_615, cancelled: 0))
        // Only the first are there to claim; the audit row counts the whole plan.
        #expect(try await ledger.backlog().values.reduce(0, +) == 512)
        #expect(
            try await ledger.audit(case: intake.caseID).contains { $0.event == "case.opened" && $0.detail.contains("email=2600") })

        let commits = Counter()
        let completion = try await ledger.completePlans { commits.add() }
        #expect(completion == PlanCompletion(written: 2_103, existing: 0))
        // 2,103 kept: two chunks of 1,024 and one of 55, each its own commit.
        #expect(commits.value == 3)
        expectAsPlanned(try await claimedByKey(ledger), intake)
        // Nothing is left kept: a second call writes nothing.
        #expect(try await ledger.completePlans {} == PlanCompletion())
    }

    @Test("a plan no larger than the first transaction, or without a first commit, is written at once", arguments: LedgerBackend.all)
    func smallPlans(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let exactly = largeIntake(email: 497)
        #expect(exactly.deliveries.count == 512)
        _ = try await ledger.recordIntake(exactly)
        var whole = largeIntake(email: 1_500, firstCommit: nil)
        whole.caseID = CaseID("KN-0043")
        whole.deliveries = whole.deliveries.map {
            var d = $0
            d.planned = PlannedDelivery(
                caseID: whole.caseID, revision: d.planned.revision, recipient: d.planned.recipient, channel: d.planned.channel,
                kind: d.planned.kind, notBefore: d.planned.notBefore)
            d.confirmation = Self.signer.code(for: d.planned)
            return d
        }
        _ = try await ledger.recordIntake(whole)
        #expect(try await ledger.backlog().values.reduce(0, +) == 512 + 1_515)
        #expect(try await ledger.completePlans {} == PlanCompletion())
    }

    @Test(
        "stopped between two chunks: the next start completes the plan from what was kept, and says so in its audit row",
        arguments: LedgerBackend.all)
    func stopBetweenChunks(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let intake = largeIntake()
        _ = try await fixture.ledger.recordIntake(intake)
        // The daemon stops after the first kept chunk is committed: the next transaction is
        // never begun.
        let ledger = fixture.ledger
        let stopped = await Task {
            try await ledger.completePlans { withUnsafeCurrentTask { $0?.cancel() } }
        }.result
        guard case .failure(let error as LedgerError) = stopped else {
            Issue.record("completePlans went on after the stop: \(stopped)")
            return
        }
        #expect(error.code == .cancelled)
        #expect(try await ledger.backlog().values.reduce(0, +) == 512 + 1_024)

        let restarted = try await fixture.reopen()
        let resumption = try await restarted.resume(now: t0)
        #expect(resumption.completedPlans == PlanCompletion(written: 1_079, existing: 0))
        #expect(
            try await restarted.audit(case: nil).contains {
                $0.event == "ledger.resumed" && $0.detail.contains("plan_completed=1079 plan_existing=0")
            })
        expectAsPlanned(try await claimedByKey(restarted), intake)
        #expect(try await restarted.completePlans {} == PlanCompletion())
    }

    @Test("a plan that repeats an idempotency key is refused whole, as one transaction refuses it", arguments: LedgerBackend.all)
    func repeatedKey(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        var intake = largeIntake()
        intake.deliveries.append(intake.deliveries[3])
        await #expect(throws: LedgerError.self) { try await ledger.recordIntake(intake) }
        #expect(try await ledger.knowsMessage(intake.messageID) == false)
        #expect(try await ledger.backlog().values.reduce(0, +) == 0)
        #expect(try await ledger.completePlans {} == PlanCompletion())
    }

    @Test("a plan still kept when its case is purged goes with the purge", arguments: LedgerBackend.all)
    func purged(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(largeIntake(email: 1_000, closed: true))
        // Volunteer 900 is in the kept chunk only. PostgreSQL compresses the chunk, so only
        // SQLite's file shows it before; after, neither does.
        if backend.name == "sqlite" { #expect(fixture.hits(of: "volunteer900@example.jp") > 0) }
        let outcome = try await ledger.purge(retention: .seconds(86400), now: t0.addingTimeInterval(86400 + 1))
        #expect(outcome.cases == [CaseID("KN-0042")])
        #expect(fixture.hits(of: "volunteer900@example.jp") == 0)
        #expect(try await ledger.completePlans {} == PlanCompletion())
    }
}

/// Counts calls from any thread.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
