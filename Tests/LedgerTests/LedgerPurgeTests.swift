import Foundation
import Ledger
import MimamoriCore
import Testing

@Suite("Ledger purge: Retention.isDueForPurge decides, the bytes leave the storage")
struct LedgerPurgeTests {
    @Test("purge removes personal data from the file's bytes; ids, counts and times stay", arguments: LedgerBackend.all)
    func purgeBytes(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let caseID = CaseID("KN-0042")
        _ = try await ledger.recordIntake(makeIntake(fax: 14, email: 67, radio: true))
        for channel in Channel.allCases {
            for job in try await ledger.claimDue(now: t0, channel: channel, limit: 100) {
                try await ledger.markDelivered(job.id, at: t0)
            }
        }
        let closedAt = t0.addingTimeInterval(3600)
        _ = try await ledger.recordIntake(
            makeIntake(
                messageID: "close", sequence: 2, eventKind: "closed", kind: .termination, at: closedAt,
                closed: true, cancel: [.alert, .update]))
        // The needles are there before (so the search does find them).
        let needles = [Person.name, Person.description, "volunteer17@example.jp", "0736-05-1005"]
        for needle in needles { #expect(fixture.hits(of: needle) > 0, "\(needle) before purge") }

        // Not yet past retention: nothing purged.
        #expect(try await ledger.purge(retention: .zero, now: closedAt).cases.isEmpty)

        let now = closedAt.addingTimeInterval(30 * 86400 + 1)
        let outcome = try await ledger.purge(retention: .seconds(30 * 86400), now: now)
        #expect(outcome.cases == [caseID])
        #expect(outcome.events == 2)
        #expect(outcome.notices == 6)
        #expect(outcome.addresses == 164)

        for needle in needles { #expect(fixture.hits(of: needle) == 0, "\(needle) after purge") }

        // What stays: the case, its counts, states and times; the audit.
        let status = try #require(try await ledger.status(case: caseID))
        #expect(status.purgedAt == now)
        #expect(status.closedAt == closedAt)
        #expect(status.deliveries[.email]?[.delivered] == 67)
        #expect(status.deliveries[.email]?[.planned] == 67)  // the terminations, not yet sent
        #expect(try await ledger.report(case: caseID, withAddresses: true).allSatisfy { $0.address == nil })
        #expect(try await ledger.audit(case: caseID).map(\.event) == ["case.opened", "case.closed", "case.purged"])
        #expect(try await ledger.caseSnapshot(case: caseID)?.snapshot.data.isEmpty == true)
        // A second purge finds nothing more to do.
        #expect(try await ledger.purge(retention: .zero, now: now).cases.isEmpty)
        // And after reopening the file, still nothing.
        _ = try await fixture.reopen()
        for needle in needles { #expect(fixture.hits(of: needle) == 0) }
    }

    @Test("personal data recorded for a case after its purge is purged again", arguments: LedgerBackend.all)
    func lateEventPurgedAgain(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(fax: 0, email: 2, radio: false, closed: true))
        let later = t0.addingTimeInterval(31 * 86400)
        #expect(try await ledger.purge(retention: .zero, now: later).cases.count == 1)
        #expect(fixture.hits(of: Person.name) == 0)

        // A late message for the same case carries the name again.
        _ = try await ledger.recordIntake(
            makeIntake(messageID: "late", sequence: 3, eventKind: "updated", fax: 0, email: 0, radio: false, at: later))
        #expect(try await ledger.status(case: CaseID("KN-0042"))?.purgedAt == nil)
        #expect(fixture.hits(of: Person.name) > 0)
        #expect(try await ledger.purge(retention: .zero, now: later).cases.count == 1)
        #expect(fixture.hits(of: Person.name) == 0)
    }

    @Test(
        "a closed case waits for its destruction reminders: not purged while one is planned, purged once it is delivered; one failed or expired counts as done",
        arguments: LedgerBackend.all)
    func purgeWaitsForReminders(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        // Two cases, each alerted to two volunteers and closed an hour later, with a reminder
        // the next morning (deadline 4 h after it).
        let closedAt = t0.addingTimeInterval(3600)
        let morning = t0.addingTimeInterval(20 * 3600)
        for caseID in [CaseID("KN-0042"), CaseID("KN-0043")] {
            _ = try await ledger.recordIntake(makeIntake(case: caseID, fax: 0, email: 2, radio: false))
            _ = try await ledger.recordIntake(
                makeIntake(
                    case: caseID, messageID: "close-\(caseID)", sequence: 2, eventKind: "closed",
                    kind: .destructionReminder, fax: 0, email: 2, radio: false, at: closedAt, notBefore: morning,
                    closed: true, cancel: [.alert, .update]))
        }
        // A (too) short retention is over before the morning: nothing goes while reminders wait.
        let beforeMorning = morning.addingTimeInterval(-60)
        #expect(try await ledger.purge(retention: .zero, now: beforeMorning).cases.isEmpty)
        #expect(fixture.hits(of: Person.name) > 0)

        // The morning: KN-0042's reminders go out, one of KN-0043's fails for good, the other is sending.
        let jobs = try await ledger.claimDue(now: morning, channel: .email, limit: 10)
        #expect(jobs.count == 4)
        var sending: [DeliveryJob] = []
        for job in jobs {
            if job.caseID == CaseID("KN-0042") {
                try await ledger.markDelivered(job.id, at: morning)
            } else if sending.isEmpty {
                try await ledger.markFailed(job.id, error: DeliveryErrorRecord(code: "rejected", summary: "550"), at: morning)
                sending.append(job)
            } else {
                sending.append(job)
            }
        }
        let later = morning.addingTimeInterval(60)
        #expect(try await ledger.purge(retention: .zero, now: later).cases == [CaseID("KN-0042")])
        #expect(try await ledger.status(case: CaseID("KN-0043"))?.purgedAt == nil, "a reminder still sending holds the purge")

        // The last one expires (a planned one past its deadline would too, once the deadline passed).
        try await ledger.markExpired(sending[1].id, error: nil, at: later)
        #expect(try await ledger.purge(retention: .zero, now: later).cases == [CaseID("KN-0043")])
        #expect(fixture.hits(of: Person.name) == 0)
    }

    @Test(
        "a planned delivery past its deadline does not hold the purge: a channel without an outlet must not keep data forever",
        arguments: LedgerBackend.all)
    func plannedPastDeadlineDoesNotHold(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let closedAt = t0.addingTimeInterval(3600)
        _ = try await ledger.recordIntake(makeIntake(fax: 1, email: 0, radio: false))
        _ = try await ledger.recordIntake(
            makeIntake(
                messageID: "close", sequence: 2, eventKind: "closed", kind: .destructionReminder, fax: 1, email: 0,
                radio: false, at: closedAt, notBefore: closedAt, deadline: 3600, closed: true, cancel: [.alert, .update]))
        let withinDeadline = closedAt.addingTimeInterval(1800)
        #expect(try await ledger.purge(retention: .zero, now: withinDeadline).cases.isEmpty)
        let pastDeadline = closedAt.addingTimeInterval(3601)
        #expect(try await ledger.purge(retention: .zero, now: pastDeadline).cases == [CaseID("KN-0042")])
    }
}
