import Foundation
import Ledger
import MimamoriCore
import Testing

@Suite("Ledger crash loop: a delivery that keeps coming back from crashes is failed")
struct LedgerCrashLoopTests {
    /// A start after a crash: what a restarted daemon does first.
    func restart(_ fixture: LedgerFixture, at now: Date) async throws -> (any CaseLedger, Ledger.Resumption) {
        let ledger = try await fixture.reopen()
        return (ledger, try await ledger.resume(now: now))
    }

    @Test(
        "claimed and never finished through four crashes: failed crash-loop at the fifth start, owing its alarm; the others go on",
        arguments: LedgerBackend.all)
    func fourCrashes(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        _ = try await fixture.ledger.recordIntake(makeIntake(fax: 3, email: 0, radio: false))
        // The first FAX hangs (or kills the daemon) every time; the second is claimed with it and
        // never started; the third is delivered.
        var ledger = fixture.ledger
        var now = t0
        let first = try await ledger.claimDue(now: now, channel: .fax, limit: 3)
        #expect(first.count == 3)
        let culprit = first[0].id
        try await ledger.markDelivered(first[2].id, at: now)
        // Three more starts, each claiming it again, each ending in a crash: four claims, four
        // crashes, no outcome.
        for crash in 1...3 {
            now = now.addingTimeInterval(10)
            let (restarted, resumption) = try await restart(fixture, at: now)
            ledger = restarted
            #expect(resumption.crashLooped.isEmpty, "start after crash \(crash): failed too early")
            let claimed = try await ledger.claimDue(now: now, channel: .fax, limit: 3)
            #expect(claimed.first?.id == culprit, "start after crash \(crash): the culprit was not claimed first")
            // Back from more than one crash, it is claimed alone: the one claimed with it at
            // first is not sent into the next crash beside it.
            if crash >= 2 { #expect(claimed.count == 1) }
        }
        now = now.addingTimeInterval(10)
        let (restarted, resumption) = try await restart(fixture, at: now)
        #expect(resumption.crashLooped.map(\.deliveryID) == [culprit])
        #expect(resumption.crashLooped.first?.errorCode == "crash-loop")
        #expect(resumption.resumed == 0)
        // The rest of the channel goes on.
        let rest = try await restarted.claimDue(now: now, channel: .fax, limit: 3)
        #expect(rest.map(\.id) == [first[1].id])
        try await restarted.markDelivered(first[1].id, at: now)
        let report = try await restarted.report(case: CaseID("KN-0042"))
        #expect(report.first { $0.deliveryID == culprit }?.state == .failed)
        #expect(report.first { $0.deliveryID == culprit }?.lastErrorCode == "crash-loop")
        #expect(report.filter { $0.state == .delivered }.count == 2)
        #expect(try await restarted.pendingAlarms(finishedBefore: now.addingTimeInterval(1)).map(\.deliveryID) == [culprit])
        #expect(try await restarted.audit(case: CaseID("KN-0042")).contains { $0.event == "delivery.crash-loop" })
        // Given up as a crash loop, it may still have gone out: the termination goes to it.
        #expect(try await restarted.recipientsHoldingPersonalData(case: CaseID("KN-0042")).count == 3)
    }

    @Test(
        "an outcome clears the count; a graceful release gives the claim back; only one much-returned delivery per claim",
        arguments: LedgerBackend.all)
    func counting(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        _ = try await fixture.ledger.recordIntake(makeIntake(fax: 0, email: 6, radio: false))
        var ledger = fixture.ledger
        var now = t0
        // Claimed and released on a graceful stop, over and over: never counted.
        for _ in 1...5 {
            let jobs = try await ledger.claimDue(now: now, channel: .email, limit: 6)
            #expect(jobs.count == 6)
            try await ledger.release(jobs.map(\.id))
        }
        // A retry is an outcome: the count starts again.
        var jobs = try await ledger.claimDue(now: now, channel: .email, limit: 6)
        for job in jobs {
            try await ledger.markRetry(job.id, error: .init(code: "smtp.451", summary: "later"), at: now, nextAttemptAt: now)
        }
        // Two crashes with all six claimed: all six came back twice.
        for _ in 1...2 {
            jobs = try await ledger.claimDue(now: now, channel: .email, limit: 6)
            #expect(jobs.count == 6)
            now = now.addingTimeInterval(1)
            (ledger, _) = try await restart(fixture, at: now)
        }
        // Now a claim takes one of them at a time, so an innocent one is not sent into the next
        // crash with the culprit.
        jobs = try await ledger.claimDue(now: now, channel: .email, limit: 6)
        #expect(jobs.count == 1)
        try await ledger.markDelivered(jobs[0].id, at: now)
        #expect(try await ledger.claimDue(now: now, channel: .email, limit: 6).count == 1)
        // Once the rest of the channel is through, the last one is still only failed above the limit.
        now = now.addingTimeInterval(1)
        let (restarted, resumption) = try await restart(fixture, at: now)
        #expect(resumption.crashLooped.isEmpty, "three claims without an outcome are within the limit")
        #expect(try await restarted.claimDue(now: now, channel: .email, limit: 6).count == 1)
    }

    @Test("a ledger from before the claim count migrates: existing rows start at zero", arguments: LedgerBackend.all)
    func migration(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        _ = try await fixture.ledger.recordIntake(makeIntake(fax: 0, email: 2, radio: false))
        let reopened = try await fixture.reopen()
        let jobs = try await reopened.claimDue(now: t0, channel: .email, limit: 2)
        #expect(jobs.count == 2 && jobs.allSatisfy { $0.resends == 0 })
    }
}
