import Foundation
import Ledger
import MimamoriCore
import Testing

@Suite("Ledger FAX line: transmitted kept apart from accepted, an engaged number dialled again minutes later")
struct LedgerFaxLineTests {
    static let spacing = FaxLineSpacing()
    static let caseID = CaseID("KN-0042")

    /// One FAX of the alert claimed and accepted by the service at `t0 + 10 s` as job `job`.
    static func accepted(_ ledger: any CaseLedger, fax: Int = 1, job: String = "fx-1") async throws -> DeliveryJob {
        _ = try await ledger.recordIntake(makeIntake(fax: fax, email: 0, radio: false))
        let claimed = try await ledger.claimDue(now: t0, channel: .fax, limit: 1)
        let first = try #require(claimed.first)
        try await ledger.recordFaxJob(job, for: first.id)
        try await ledger.record(.delivered(at: t0.addingTimeInterval(10)), for: first.id)
        return first
    }

    static func line(_ ledger: any CaseLedger, _ id: DeliveryID) async throws -> ReportLine {
        try #require(try await ledger.report(case: caseID).first { $0.deliveryID == id })
    }

    @Test("transmitted: recorded beside the acceptance, once; the report line shows both", arguments: LedgerBackend.all)
    func transmitted(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let job = try await Self.accepted(ledger)
        #expect(try await ledger.faxJobsAwaitingOutcome(limit: 10).map(\.job) == ["fx-1"])
        let report = FaxLineReport(job: .job("fx-1"), outcome: .transmitted, pages: 1, at: t0.addingTimeInterval(70))
        guard case .transmitted(let target) = try await ledger.recordFaxLine(report, spacing: Self.spacing, now: t0.addingTimeInterval(75))
        else {
            Issue.record("not recorded as transmitted")
            return
        }
        #expect(target.delivery == job.id && target.recipient == job.recipient)
        let line = try await Self.line(ledger, job.id)
        #expect(line.state == .delivered)
        #expect(line.acceptedAt == t0.addingTimeInterval(10))
        #expect(line.transmission == "transmitted")
        #expect(line.transmittedAt == t0.addingTimeInterval(70))
        #expect(try await ledger.faxJobsAwaitingOutcome(limit: 10).isEmpty)

        // The same report again, by job or by key, changes nothing.
        let again = try await ledger.recordFaxLine(report, spacing: Self.spacing, now: t0.addingTimeInterval(90))
        #expect(again == .alreadyRecorded(target))
        let byKey = FaxLineReport(job: .idempotencyKey(job.idempotencyKey), outcome: .busy)
        #expect(try await ledger.recordFaxLine(byKey, spacing: Self.spacing, now: t0.addingTimeInterval(95)) == .alreadyRecorded(target))
        #expect(try await Self.line(ledger, job.id) == line)
        let audit = try await ledger.audit(case: Self.caseID).filter { $0.event.hasPrefix("fax.") }
        #expect(audit.map(\.event) == ["fax.transmitted"])
        #expect(audit.allSatisfy { !$0.detail.contains("0736") })
    }

    @Test("unknown key or job: nothing found, nothing changed", arguments: LedgerBackend.all)
    func unknown(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await Self.accepted(ledger)
        for job in [FaxJobReference.job("fx-2"), .idempotencyKey("KN-9999/1/alert/x/fax")] {
            let record = try await ledger.recordFaxLine(
                FaxLineReport(job: job, outcome: .transmitted), spacing: Self.spacing, now: t0)
            #expect(record == .unknown)
        }
        // An email's key is not a FAX job.
        _ = try await ledger.recordIntake(makeIntake(messageID: "m2", fax: 0, email: 1, radio: false))
        let email = try #require(try await ledger.claimDue(now: t0, channel: .email, limit: 1).first)
        let record = try await ledger.recordFaxLine(
            FaxLineReport(job: .idempotencyKey(email.idempotencyKey), outcome: .transmitted), spacing: Self.spacing, now: t0)
        #expect(record == .unknown)
    }

    @Test("busy: planned again 3 minutes later under a new key; the old key's reports are superseded", arguments: LedgerBackend.all)
    func busyRedialled(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let job = try await Self.accepted(ledger)
        let now = t0.addingTimeInterval(60)
        let record = try await ledger.recordFaxLine(
            FaxLineReport(job: .idempotencyKey(job.idempotencyKey), outcome: .busy), spacing: Self.spacing, now: now)
        guard case .redialled(let target, let at) = record else {
            Issue.record("busy: \(record)")
            return
        }
        #expect(at == now.addingTimeInterval(180))
        #expect(target.lineTries == 1)
        let line = try await Self.line(ledger, job.id)
        #expect(line.state == .planned)
        #expect(line.lastErrorCode == "fax-busy")
        #expect(line.transmission == nil)
        #expect(try await ledger.nextDue(channel: .fax) == at)
        #expect(try await ledger.claimDue(now: at.addingTimeInterval(-1), channel: .fax, limit: 5).isEmpty)

        // The same report again: the try it names is over.
        let repeated = try await ledger.recordFaxLine(
            FaxLineReport(job: .idempotencyKey(job.idempotencyKey), outcome: .busy), spacing: Self.spacing, now: now)
        guard case .superseded = repeated else {
            Issue.record("repeated busy: \(repeated)")
            return
        }
        #expect(try await ledger.nextDue(channel: .fax) == at)

        // The redial is claimed with its try, and only its key's reports count.
        let redial = try #require(try await ledger.claimDue(now: at, channel: .fax, limit: 5).first)
        #expect(redial.id == job.id && redial.lineTries == 1 && redial.attempt == 2)
        try await ledger.record(.delivered(at: at.addingTimeInterval(5)), for: redial.id)
        let stale = try await ledger.recordFaxLine(
            FaxLineReport(job: .idempotencyKey(job.idempotencyKey), outcome: .transmitted), spacing: Self.spacing, now: at)
        guard case .superseded = stale else {
            Issue.record("stale key: \(stale)")
            return
        }
        let current = try await ledger.recordFaxLine(
            FaxLineReport(job: .idempotencyKey(job.idempotencyKey + ".t1"), outcome: .transmitted), spacing: Self.spacing,
            now: at.addingTimeInterval(80))
        guard case .transmitted = current else {
            Issue.record("current key: \(current)")
            return
        }
        #expect(try await Self.line(ledger, job.id).transmission == "transmitted")
    }

    @Test("engaged at every try: after the last redial the FAX fails and owes its alarm", arguments: LedgerBackend.all)
    func redialsSpent(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let job = try await Self.accepted(ledger)
        var now = t0.addingTimeInterval(60)
        var waits: [TimeInterval] = []
        for tries in 0..<3 {
            let key = job.idempotencyKey + (tries == 0 ? "" : ".t\(tries)")
            let record = try await ledger.recordFaxLine(
                FaxLineReport(job: .idempotencyKey(key), outcome: tries == 1 ? .noAnswer : .busy), spacing: Self.spacing, now: now)
            guard case .redialled(_, let at) = record else {
                Issue.record("try \(tries + 1): \(record)")
                return
            }
            waits.append(at.timeIntervalSince(now))
            let claimed = try #require(try await ledger.claimDue(now: at, channel: .fax, limit: 1).first)
            #expect(claimed.lineTries == tries + 1)
            try await ledger.record(.delivered(at: at), for: claimed.id)
            now = at.addingTimeInterval(60)
        }
        #expect(waits == [180, 300, 600])
        #expect(try await ledger.pendingAlarms(finishedBefore: now.addingTimeInterval(3600)).isEmpty)
        let last = try await ledger.recordFaxLine(
            FaxLineReport(job: .idempotencyKey(job.idempotencyKey + ".t3"), outcome: .busy), spacing: Self.spacing, now: now)
        guard case .failed(_, let code) = last else {
            Issue.record("fourth engaged line: \(last)")
            return
        }
        #expect(code == "fax-busy")
        let line = try await Self.line(ledger, job.id)
        #expect(line.state == .failed && line.transmission == "failed")
        let alarms = try await ledger.pendingAlarms(finishedBefore: now.addingTimeInterval(1))
        #expect(alarms.map(\.deliveryID) == [job.id])
        #expect(alarms.first?.errorCode == "fax-busy")
        let audit = try await ledger.audit(case: Self.caseID).filter { $0.event.hasPrefix("fax.") }.map(\.event)
        #expect(audit == ["fax.redial", "fax.redial", "fax.redial", "fax.failed"])

        // Staff resend it: a fresh start on the line, transmission unknown again.
        let resent = try await ledger.resend(
            ResendRequest(caseID: Self.caseID, channel: .fax, requestedBy: "tanaka"), now: now, deadline: now.addingTimeInterval(3600))
        #expect(resent.resent.count == 1)
        let again = try #require(try await ledger.claimDue(now: now, channel: .fax, limit: 1).first)
        #expect(again.lineTries == 0 && again.resends == 1)
        #expect(try await Self.line(ledger, job.id).transmission == nil)
    }

    @Test("the service gave up: failed at once, alarm owed", arguments: LedgerBackend.all)
    func serviceFailed(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let job = try await Self.accepted(ledger)
        let now = t0.addingTimeInterval(60)
        let record = try await ledger.recordFaxLine(
            FaxLineReport(job: .job("fx-1"), outcome: .failed, at: now), spacing: Self.spacing, now: now)
        guard case .failed(_, "fax-failed") = record else {
            Issue.record("failed: \(record)")
            return
        }
        #expect(try await ledger.pendingAlarms(finishedBefore: now.addingTimeInterval(1)).map(\.deliveryID) == [job.id])
        #expect(
            try await ledger.recordFaxLine(
                FaxLineReport(job: .job("fx-1"), outcome: .failed, at: now), spacing: Self.spacing, now: now) != record)
    }

    @Test("a redial past the deadline fails instead", arguments: LedgerBackend.all)
    func redialPastDeadline(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(fax: 1, email: 0, radio: false, deadline: 120))
        let job = try #require(try await ledger.claimDue(now: t0, channel: .fax, limit: 1).first)
        try await ledger.record(.delivered(at: t0), for: job.id)
        let record = try await ledger.recordFaxLine(
            FaxLineReport(job: .idempotencyKey(job.idempotencyKey), outcome: .noAnswer), spacing: Self.spacing, now: t0)
        guard case .failed(_, "fax-no-answer") = record else {
            Issue.record("past the deadline: \(record)")
            return
        }
    }

    @Test("FAXes to one number are claimed one gap apart; other numbers go at once", arguments: LedgerBackend.all)
    func oneNumberSpread(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        // The alert and an update to the same two institutions, due together.
        _ = try await ledger.recordIntake(makeIntake(fax: 2, email: 0, radio: false))
        _ = try await ledger.recordIntake(
            makeIntake(messageID: "u", sequence: 2, eventKind: "updated", kind: .update, fax: 2, email: 0, radio: false))
        let first = try await ledger.claimDueFaxes(now: t0, limit: 10, spacing: Self.spacing)
        #expect(first.count == 2)
        #expect(Set(first.map(\.address)).count == 2)
        #expect(first.allSatisfy { $0.kind == .alert })
        #expect(try await ledger.nextDue(channel: .fax) == t0.addingTimeInterval(180))
        for job in first { try await ledger.record(.delivered(at: t0.addingTimeInterval(5)), for: job.id) }
        // The gap counts from the handover.
        #expect(try await ledger.claimDueFaxes(now: t0.addingTimeInterval(180), limit: 10, spacing: Self.spacing).isEmpty)
        #expect(try await ledger.nextDue(channel: .fax) == t0.addingTimeInterval(185))
        let second = try await ledger.claimDueFaxes(now: t0.addingTimeInterval(185), limit: 10, spacing: Self.spacing)
        #expect(second.count == 2 && second.allSatisfy { $0.kind == .update })

        // Without a gap, all go at once.
        _ = try await ledger.recordIntake(
            makeIntake(case: CaseID("KN-0043"), messageID: "o", fax: 2, email: 0, radio: false, at: t0.addingTimeInterval(200)))
        _ = try await ledger.recordIntake(
            makeIntake(
                case: CaseID("KN-0043"), messageID: "o2", sequence: 2, eventKind: "updated", kind: .update, fax: 2, email: 0,
                radio: false, at: t0.addingTimeInterval(200)))
        let all = try await ledger.claimDueFaxes(
            now: t0.addingTimeInterval(200), limit: 10, spacing: FaxLineSpacing(gap: .zero))
        #expect(all.count == 4)
    }

    /// The dispatcher looks a little after a FAX's slot; the FAX planned after it must not then
    /// count against it (each pushed past the other at every look, neither ever dialled).
    @Test("three FAXes to one number, looked for late each time: each goes in its turn", arguments: LedgerBackend.all)
    func lateLooksTakeTurns(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(fax: 1, email: 0, radio: false))
        for (sequence, id) in [(2, "u2"), (3, "u3")] {
            _ = try await ledger.recordIntake(
                makeIntake(messageID: id, sequence: sequence, eventKind: "updated", kind: .update, fax: 1, email: 0, radio: false))
        }
        var now = t0
        var sent: [DeliveryID: TimeInterval] = [:]
        for _ in 0..<3 {
            let claimed = try await ledger.claimDueFaxes(now: now, limit: 10, spacing: Self.spacing)
            #expect(claimed.count == 1, "at \(now.timeIntervalSince(t0)) s: \(claimed.map(\.id))")
            for job in claimed {
                try await ledger.record(.delivered(at: now), for: job.id)
                sent[job.id] = now.timeIntervalSince(t0)
            }
            guard let next = try await ledger.nextDue(channel: .fax) else { break }
            // The next look comes a few milliseconds after the next slot, as a real loop's does.
            now = next.addingTimeInterval(0.003)
        }
        #expect(sent.count == 3)
        #expect(sent.values.sorted().last ?? .infinity < 2 * 180 + 1, "\(sent): the third one gap after the second")
    }
}
