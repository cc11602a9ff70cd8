import Foundation
import Ledger
import MimamoriCore
import Testing

@Suite("Ledger claim, outcomes and restart")
struct LedgerDeliveryTests {
    @Test("claim moves due deliveries to sending, counts the attempt and carries address and content", arguments: LedgerBackend.all)
    func claim(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(fax: 3, email: 5, radio: true))
        // A later notice is not due yet.
        _ = try await ledger.recordIntake(
            makeIntake(
                messageID: "later", sequence: 2, eventKind: "updated", kind: .update, fax: 0, email: 2,
                radio: false, at: t0, notBefore: t0.addingTimeInterval(3600)))

        let jobs = try await ledger.claimDue(now: t0, channel: .email, limit: 4)
        #expect(jobs.count == 4)
        #expect(jobs.allSatisfy { $0.attempt == 1 && $0.channel == .email && $0.kind == .alert })
        #expect(jobs.allSatisfy { $0.address.hasSuffix("@example.jp") })
        #expect(jobs.allSatisfy { String(decoding: $0.content, as: UTF8.self).hasPrefix("email: ") })
        #expect(Set(jobs.map(\.idempotencyKey)).count == 4)
        // The rest: one more due alert; the updates are not due.
        #expect(try await ledger.claimDue(now: t0, channel: .email, limit: 10).count == 1)
        #expect(try await ledger.claimDue(now: t0, channel: .email, limit: 10).isEmpty)
        #expect(try await ledger.nextDue(channel: .email) == t0.addingTimeInterval(3600))
        #expect(try await ledger.claimDue(now: t0.addingTimeInterval(3600), channel: .email, limit: 10).count == 2)
        #expect(try await ledger.nextDue(channel: .email) == nil)
        // Other channels untouched.
        #expect(try await ledger.backlog() == [.fax: 3, .email: 7, .radio: 1])
        #expect(try await ledger.claimDue(now: t0, channel: .fax, limit: 0).isEmpty)
    }

    @Test(
        "the oldest due delivery: by channel, from its due time, none for work that waits for its time or is in flight",
        arguments: LedgerBackend.all)
    func oldestDue(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(fax: 2, email: 3, radio: false))
        _ = try await ledger.recordIntake(
            makeIntake(
                messageID: "later", sequence: 2, eventKind: "updated", kind: .update, fax: 0, email: 2,
                radio: true, at: t0, notBefore: t0.addingTimeInterval(3600)))

        #expect(try await ledger.oldestDue(now: t0.addingTimeInterval(-1)).isEmpty, "nothing is due before its time")
        #expect(try await ledger.oldestDue(now: t0.addingTimeInterval(60)) == [.fax: t0, .email: t0])
        // Claimed (sending) is not waiting; a retry waits again from its next attempt.
        let jobs = try await ledger.claimDue(now: t0.addingTimeInterval(60), channel: .email, limit: 9)
        #expect(jobs.count == 3)
        #expect(try await ledger.oldestDue(now: t0.addingTimeInterval(60)) == [.fax: t0])
        let transient = DeliveryErrorRecord(code: "smtp.421", summary: "service not available")
        try await ledger.markRetry(jobs[0].id, error: transient, at: t0.addingTimeInterval(61), nextAttemptAt: t0.addingTimeInterval(120))
        try await ledger.markDelivered(jobs[1].id, at: t0.addingTimeInterval(61))
        try await ledger.markDelivered(jobs[2].id, at: t0.addingTimeInterval(61))
        #expect(try await ledger.oldestDue(now: t0.addingTimeInterval(90)) == [.fax: t0])
        #expect(try await ledger.oldestDue(now: t0.addingTimeInterval(130))[.email] == t0.addingTimeInterval(120))
        // The update and the radio fall due at their time.
        #expect(
            try await ledger.oldestDue(now: t0.addingTimeInterval(3700))
                == [.fax: t0, .email: t0.addingTimeInterval(120), .radio: t0.addingTimeInterval(3600)])
    }

    @Test("delivered, retry, failed and expired are recorded with attempts and the error", arguments: LedgerBackend.all)
    func outcomes(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let caseID = CaseID("KN-0042")
        _ = try await ledger.recordIntake(makeIntake(fax: 0, email: 4, radio: false))
        let jobs = try await ledger.claimDue(now: t0, channel: .email, limit: 4)
        let transient = DeliveryErrorRecord(code: "smtp.421", summary: "service not available")
        let permanent = DeliveryErrorRecord(code: "smtp.550", summary: "mailbox unavailable")
        try await ledger.markDelivered(jobs[0].id, at: t0.addingTimeInterval(1))
        try await ledger.markRetry(jobs[1].id, error: transient, at: t0, nextAttemptAt: t0.addingTimeInterval(30))
        try await ledger.markFailed(jobs[2].id, error: permanent, at: t0)
        try await ledger.markExpired(jobs[3].id, error: transient, at: t0)

        var report = Dictionary(uniqueKeysWithValues: try await ledger.report(case: caseID).map { ($0.deliveryID, $0) })
        #expect(report[jobs[0].id]?.state == .delivered)
        #expect(report[jobs[0].id]?.acceptedAt == t0.addingTimeInterval(1))
        #expect(report[jobs[1].id]?.state == .planned)
        #expect(report[jobs[1].id]?.lastErrorCode == "smtp.421")
        #expect(report[jobs[2].id]?.state == .failed)
        #expect(report[jobs[2].id]?.lastError == "mailbox unavailable")
        #expect(report[jobs[3].id]?.state == .expired)
        #expect(report.values.allSatisfy { $0.address == nil })

        // The retry is due at its time, as attempt 2; then it is delivered.
        #expect(try await ledger.claimDue(now: t0.addingTimeInterval(29), channel: .email, limit: 9).isEmpty)
        let retry = try await ledger.claimDue(now: t0.addingTimeInterval(30), channel: .email, limit: 9)
        #expect(retry.map(\.id) == [jobs[1].id])
        #expect(retry.first?.attempt == 2)
        try await ledger.markDelivered(jobs[1].id, at: t0.addingTimeInterval(31))
        report = Dictionary(uniqueKeysWithValues: try await ledger.report(case: caseID).map { ($0.deliveryID, $0) })
        #expect(report[jobs[1].id]?.state == .delivered)
        #expect(report[jobs[1].id]?.attempts == 2)

        // An outcome for a delivery no longer sending changes nothing.
        try await ledger.markFailed(jobs[0].id, error: permanent, at: t0)
        #expect(try await ledger.report(case: caseID).first { $0.deliveryID == jobs[0].id }?.state == .delivered)
        #expect(try await ledger.backlog().values.reduce(0, +) == 0)
    }

    @Test("concurrent outcomes are all recorded (group commit)", arguments: LedgerBackend.all)
    func concurrentOutcomes(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(fax: 0, email: 500, radio: false))
        let jobs = try await ledger.claimDue(now: t0, channel: .email, limit: 500)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for job in jobs { group.addTask { try await ledger.markDelivered(job.id, at: t0) } }
            try await group.waitForAll()
        }
        #expect(try await ledger.status(case: CaseID("KN-0042"))?.deliveries[.email] == [.delivered: 500])
    }

    @Test("after a restart, in-flight deliveries are planned again and due at once", arguments: LedgerBackend.all)
    func resume(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        _ = try await fixture.ledger.recordIntake(makeIntake(fax: 2, email: 6, radio: false))
        let inFlight = try await fixture.ledger.claimDue(now: t0, channel: .email, limit: 4)
        try await fixture.ledger.markDelivered(inFlight[0].id, at: t0)
        // A retry scheduled far ahead stays where it is.
        let fax = try await fixture.ledger.claimDue(now: t0, channel: .fax, limit: 1)
        try await fixture.ledger.markRetry(
            fax[0].id, error: .init(code: "fax.busy", summary: "line busy"), at: t0, nextAttemptAt: t0.addingTimeInterval(600))

        // Reopen the file as a restarted daemon would.
        let restarted = try await fixture.reopen()
        let later = t0.addingTimeInterval(120)
        #expect(try await restarted.resumeAfterRestart(now: later) == 3)
        let again = try await restarted.claimDue(now: later, channel: .email, limit: 10)
        #expect(again.count == 5)  // 3 resumed + 2 never claimed
        #expect(again.filter { $0.attempt == 2 }.count == 3)
        #expect(try await restarted.claimDue(now: later, channel: .fax, limit: 10).count == 1)
        #expect(try await restarted.nextDue(channel: .fax) == t0.addingTimeInterval(600))
        #expect(try await restarted.audit(case: nil).last?.event == "ledger.resumed")
    }

    @Test("termination goes to those who hold personal data; the radio ends only if it announced", arguments: LedgerBackend.all)
    func holdersAndRadio(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let caseID = CaseID("KN-0042")
        _ = try await ledger.recordIntake(makeIntake(fax: 1, email: 6, radio: true))
        #expect(try await ledger.radioAnnounced(case: caseID) == false)
        let jobs = try await ledger.claimDue(now: t0, channel: .email, limit: 5)
        try await ledger.markDelivered(jobs[0].id, at: t0)  // delivered
        // jobs[1]: still sending (possibly sent)
        try await ledger.markRetry(
            jobs[2].id, error: .init(code: "smtp.timeout", summary: "timeout after DATA"), at: t0,
            nextAttemptAt: t0.addingTimeInterval(60))  // possibly sent
        try await ledger.markFailed(jobs[3].id, error: .init(code: "smtp.550", summary: "no such user"), at: t0)
        try await ledger.markExpired(jobs[4].id, error: nil, at: t0)  // tried: possibly sent
        // email-5 and the fax were never tried.

        let holders = try await ledger.recipientsHoldingPersonalData(case: caseID)
        #expect(Set(holders.map(\.recipient)) == Set([jobs[0], jobs[1], jobs[2], jobs[4]].map(\.recipient)))
        #expect(holders.allSatisfy { $0.channel == .email && $0.address.hasSuffix("@example.jp") })

        let radio = try await ledger.claimDue(now: t0, channel: .radio, limit: 1)
        #expect(try await ledger.radioAnnounced(case: caseID) == true)  // sending: possibly announced
        try await ledger.markFailed(radio[0].id, error: .init(code: "radio.rejected", summary: "bad CAP"), at: t0)
        #expect(try await ledger.radioAnnounced(case: caseID) == false)
    }
}
