import Foundation
import Ledger
import MimamoriCore
import Testing

@Suite("Ledger intake")
struct LedgerIntakeTests {
    @Test("an intake records the event, the case, the notices and every delivery", arguments: LedgerBackend.all)
    func recordsEverything(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let outcome = try await fixture.ledger.recordIntake(makeIntake())
        #expect(outcome == .recorded(planned: 82, cancelled: 0))
        let status = try #require(try await fixture.ledger.status(case: CaseID("KN-0042")))
        #expect(status.deliveries[.fax]?[.planned] == 14)
        #expect(status.deliveries[.email]?[.planned] == 67)
        #expect(status.deliveries[.radio]?[.planned] == 1)
        #expect(status.stateName == "opened")
        #expect(status.lastSequence == 1)
        let stored = try #require(try await fixture.ledger.caseSnapshot(case: CaseID("KN-0042")))
        #expect(!stored.snapshot.data.isEmpty)
        #expect(stored.municipality == "kimino")
        let audit = try await fixture.ledger.audit(case: CaseID("KN-0042"))
        #expect(audit.map(\.event) == ["case.opened"])
        #expect(audit.first?.detail == "seq=1 fax=14 email=67 radio=1 cancelled=0")
        #expect(try await fixture.ledger.openCaseCount() == 1)
        #expect(try await fixture.ledger.backlog() == [.fax: 14, .email: 67, .radio: 1])
    }

    @Test("a repeated message id changes nothing", arguments: LedgerBackend.all)
    func duplicateMessageID(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let intake = makeIntake(messageID: "msg-1")
        #expect(try await fixture.ledger.recordIntake(intake) == .recorded(planned: 82, cancelled: 0))
        let before = try await fixture.ledger.report(case: intake.caseID)
        let auditBefore = try await fixture.ledger.audit(case: nil)

        // The same message again, even with different content (it is the id that counts).
        var again = makeIntake(messageID: "msg-1", sequence: 2, email: 3, cancel: [.alert])
        again.state.name = "changed"
        #expect(try await fixture.ledger.recordIntake(again) == .duplicate)

        #expect(try await fixture.ledger.report(case: intake.caseID) == before)
        #expect(try await fixture.ledger.audit(case: nil) == auditBefore)
        #expect(try await fixture.ledger.status(case: intake.caseID)?.stateName == "opened")
    }

    @Test("a failure in the middle of an intake leaves nothing written", arguments: LedgerBackend.all)
    func atomic(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        // The last delivery repeats an idempotency key: the UNIQUE constraint fails after the
        // event, the case, the notices and 81 deliveries were inserted in the transaction.
        var intake = makeIntake(messageID: "msg-broken")
        var last = intake.deliveries[0]
        last.planned.recipient = RecipientID("coop-dup")
        intake.deliveries.append(last)
        await #expect {
            try await fixture.ledger.recordIntake(intake)
        } throws: { error in
            (error as? LedgerError)?.code == .constraint && (error as? LedgerError)?.isRetriable == false
        }
        #expect(try await fixture.ledger.caseSnapshot(case: intake.caseID) == nil)
        #expect(try await fixture.ledger.report(case: intake.caseID).isEmpty)
        #expect(try await fixture.ledger.audit(case: nil).isEmpty)
        #expect(try await fixture.ledger.backlog().values.reduce(0, +) == 0)

        // A delivery whose notice is missing fails on the foreign key: also nothing written.
        var orphan = makeIntake(messageID: "msg-orphan")
        orphan.notices.removeLast()
        await #expect(throws: LedgerError.self) { try await fixture.ledger.recordIntake(orphan) }
        #expect(try await fixture.ledger.caseSnapshot(case: orphan.caseID) == nil)

        // The message id was not consumed: the corrected message records normally.
        #expect(try await fixture.ledger.recordIntake(makeIntake(messageID: "msg-broken")) == .recorded(planned: 82, cancelled: 0))
    }

    @Test("ignored and rejected input is audited with its reason and no body", arguments: LedgerBackend.all)
    func ignoredAndRejected(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        try await fixture.ledger.recordIgnored(messageID: "m-1", caseID: CaseID("KN-1"), reason: "stale-sequence", at: t0)
        try await fixture.ledger.recordRejected(messageID: "m-2", caseID: nil, reason: "bad-signature", at: t0)
        let audit = try await fixture.ledger.audit(case: nil)
        #expect(audit.map(\.event) == ["intake.ignored", "intake.rejected"])
        #expect(audit.map(\.detail) == ["reason=stale-sequence", "reason=bad-signature"])
        #expect(audit.map(\.messageID) == ["m-1", "m-2"])
    }

    @Test(
        "an intake decided inside the transaction sees the stored case, whether the message id is known and who holds data; an ignored or rejected one leaves only its audit row",
        arguments: LedgerBackend.all)
    func decidedInsideTheTransaction(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let intake = makeIntake(messageID: "msg-1", fax: 1, email: 1, radio: false)
        let (first, unknown) = try await ledger.recordIntake(case: intake.caseID, messageID: "msg-1", at: t0) { reading in
            (.record(intake), reading.stored == nil && !reading.messageRecorded && reading.holders.recipients.isEmpty)
        }
        #expect(first == .recorded(planned: 2, cancelled: 0) && unknown)
        let email = try await ledger.claimDue(now: t0, channel: .email, limit: 1)
        try await ledger.markDelivered(email[0].id, at: t0)

        let (again, seen) = try await ledger.recordIntake(case: intake.caseID, messageID: "msg-1", at: t0) { reading in
            (
                .ignore(messageID: "transport-2", reason: "case.repeated-message"),
                (reading.stored?.lastSequence, reading.messageRecorded, reading.holders.recipients.map(\.channel))
            )
        }
        #expect(again == .audited)
        #expect(seen.0 == 1 && seen.1 && seen.2 == [.email])
        let (rejected, _) = try await ledger.recordIntake(case: intake.caseID, messageID: "msg-2", at: t0) { _ in
            (.reject(messageID: nil, reason: "case.drill-mismatch"), ())
        }
        #expect(rejected == .audited)
        let audit = try await ledger.audit(case: intake.caseID)
        #expect(audit.map(\.event) == ["case.opened", "intake.ignored", "intake.rejected"])
        #expect(audit.dropFirst().map(\.detail) == ["reason=case.repeated-message", "reason=case.drill-mismatch"])
        #expect(try await ledger.report(case: intake.caseID).count == 2, "nothing but the audit was written")
    }

    @Test("closure cancels only planned deliveries of the given kinds", arguments: LedgerBackend.all)
    func cancellation(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let caseID = CaseID("KN-0042")
        _ = try await ledger.recordIntake(makeIntake(fax: 0, email: 10, radio: false))
        // 3 go out and are delivered, 2 are in flight, 5 are still planned.
        let first = try await ledger.claimDue(now: t0, channel: .email, limit: 5)
        for job in first.prefix(3) { try await ledger.markDelivered(job.id, at: t0) }

        let closure = makeIntake(
            messageID: "close", sequence: 2, eventKind: "closed", kind: .termination, fax: 0, email: 0, radio: false,
            at: t0.addingTimeInterval(60), closed: true, cancel: [.alert, .update])
        #expect(try await ledger.recordIntake(closure) == .recorded(planned: 0, cancelled: 5))

        let states = try await ledger.report(case: caseID).map(\.state)
        #expect(states.filter { $0 == .delivered }.count == 3)
        #expect(states.filter { $0 == .sending }.count == 2)
        #expect(states.filter { $0 == .cancelled }.count == 5)
        // The two in flight finish normally after the closure.
        for job in first.suffix(2) { try await ledger.markDelivered(job.id, at: t0) }
        #expect(try await ledger.report(case: caseID).filter { $0.state == .delivered }.count == 5)
        #expect(try await ledger.status(case: caseID)?.closedAt == t0.addingTimeInterval(60))
        #expect(try await ledger.openCaseCount() == 0)
    }

    @Test(
        "plans of every chunk mix go in whole: each delivery once, with its own address and key",
        arguments: LedgerBackend.all, [1, 9, 72, 513, 1_100])
    func chunkedInsert(_ backend: LedgerBackend, recipients: Int) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let intake = makeIntake(fax: 0, email: recipients, radio: false)
        #expect(try await fixture.ledger.recordIntake(intake) == .recorded(planned: recipients, cancelled: 0))
        let jobs = try await fixture.ledger.claimDue(now: t0, channel: .email, limit: recipients + 10)
        #expect(jobs.count == recipients)
        let planned = Dictionary(uniqueKeysWithValues: intake.deliveries.map { ($0.planned.recipient, $0) })
        #expect(Set(jobs.map(\.recipient)) == Set(planned.keys))
        for job in jobs {
            let delivery = try #require(planned[job.recipient])
            #expect(job.address == delivery.address)
            #expect(job.idempotencyKey == delivery.planned.idempotencyKey)
        }
    }

    @Test("intake of 81 and 10,000 deliveries (timing reported, not asserted)", arguments: LedgerBackend.all, [81, 10_000])
    func intakeTiming(_ backend: LedgerBackend, recipients: Int) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        // Warm up: open, migrate, first transaction.
        _ = try await fixture.ledger.recordIntake(makeIntake(case: CaseID("warm"), fax: 1, email: 1))
        let intake = makeIntake(fax: min(14, recipients), email: recipients - min(14, recipients), radio: false)
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = try await fixture.ledger.recordIntake(intake)
        let elapsed = clock.now - start
        #expect(outcome == .recorded(planned: recipients, cancelled: 0))
        print("figure: intake of \(recipients) deliveries committed in \(elapsed) (synchronous=FULL)")
    }
}
