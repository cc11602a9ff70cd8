import Crypto
import Foundation
import Ledger
import MimamoriCore
import Synchronization
import Testing

@Suite("Ledger second destruction reminder: decided once, only for those who have not confirmed, survives restart and purge")
struct LedgerSecondReminderTests {
    static let signer = ConfirmationSigner(key: SymmetricKey(data: Data(repeating: 9, count: 32)))
    static let caseID = CaseID("KN-0042")
    /// Thursday 2026-11-19, closed in the afternoon; the first reminder goes Friday morning.
    static let closedAt = Timestamp.parse("2026-11-19T16:00:00+09:00")!
    static let reminderAt = Timestamp.parse("2026-11-20T09:00:00+09:00")!

    /// A case alerted to 3 FAX and 3 email cooperators and the radio, closed, its reminders
    /// accepted on Friday morning. Returns the first reminders' codes by recipient.
    static func closedCase(_ ledger: any CaseLedger, signer: ConfirmationSigner? = Self.signer, accept: Bool = true) async throws
        -> [RecipientID: ConfirmationCode]
    {
        _ = try await ledger.recordIntake(
            makeIntake(fax: 3, email: 3, radio: true, at: closedAt.addingTimeInterval(-86400), confirmations: signer))
        _ = try await ledger.recordIntake(
            makeIntake(
                messageID: "close", sequence: 2, eventKind: "closed", kind: .destructionReminder, fax: 3, email: 3, radio: false,
                at: closedAt, notBefore: reminderAt, closed: true, confirmations: signer))
        var codes: [RecipientID: ConfirmationCode] = [:]
        for channel in [Channel.fax, .email] {
            for job in try await ledger.claimDue(now: reminderAt.addingTimeInterval(120), channel: channel, limit: 100) {
                if job.kind == .destructionReminder, let code = job.confirmation { codes[job.recipient] = code }
                if job.kind == .destructionReminder && !accept { continue }
                try await ledger.markDelivered(job.id, at: reminderAt.addingTimeInterval(120))
            }
        }
        return codes
    }

    /// The daemon's decision, with the core's business-day rule.
    static func decide(_ now: Date, seen: Seen? = nil) -> @Sendable (SecondReminderCase) throws -> SecondReminderDecision? {
        { candidate in
            seen?.cases.withLock { $0.append(candidate) }
            guard
                let sendAt = DestructionSecondReminder.sendAt(
                    firstReminderWentAt: candidate.firstReminderWentAt, reminders: Configuration.Reminders(), now: now)
            else { return nil }
            let deliveries = candidate.unconfirmed.map { holder in
                let planned = PlannedDelivery(
                    caseID: candidate.caseID, revision: candidate.revision, recipient: holder.recipient, channel: holder.channel,
                    kind: .destructionSecondReminder, notBefore: sendAt)
                return Intake.Delivery(
                    planned, address: holder.address, deadline: sendAt.addingTimeInterval(3600), confirmation: signer.code(for: planned))
            }
            let notices = Set(candidate.unconfirmed.map(\.channel)).map {
                Intake.Notice(revision: candidate.revision, kind: .destructionSecondReminder, channel: $0, content: Data("second".utf8))
            }
            return SecondReminderDecision(notices: notices, deliveries: deliveries)
        }
    }

    @Test("three business days over a holiday; only those who did not confirm; once, across a restart", arguments: LedgerBackend.all)
    func onlyNonConfirmersOnce(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let codes = try await Self.closedCase(ledger)
        #expect(codes.count == 6)
        // Two confirm destruction through their reminder's code, one only receipt of the alert.
        for id in ["coop-fax-0", "coop-email-2"] {
            let outcome = try await ledger.recordConfirmation(
                .destroyed, code: try #require(codes[RecipientID(id)]), at: Self.reminderAt.addingTimeInterval(3600), via: .link)
            guard case .recorded = outcome else { throw Unexpected(String(describing: outcome)) }
        }

        // Monday 23rd is 勤労感謝の日: Wednesday is only the second business day.
        let seen = Seen()
        let early = try await ledger.planSecondReminders(
            now: Timestamp.parse("2026-11-25T17:00:00+09:00")!,
            decide: Self.decide(Timestamp.parse("2026-11-25T17:00:00+09:00")!, seen: seen))
        #expect(early.isEmpty)
        let candidate = try #require(seen.cases.withLock { $0.first })
        #expect(candidate.caseID == Self.caseID)
        #expect(candidate.revision == 2)
        #expect(candidate.confirmed == 2)
        #expect(candidate.unconfirmed.map(\.recipient.rawValue).sorted() == ["coop-email-0", "coop-email-1", "coop-fax-1", "coop-fax-2"])
        #expect(candidate.firstReminderWentAt == Self.reminderAt.addingTimeInterval(120))
        #expect(try await ledger.audit(case: Self.caseID).filter { $0.event == "reminder.second" }.isEmpty)

        let thursday = Timestamp.parse("2026-11-26T09:00:30+09:00")!
        let planned = try await ledger.planSecondReminders(now: thursday, decide: Self.decide(thursday))
        #expect(planned == [SecondReminderOutcome(caseID: Self.caseID, planned: 4, confirmed: 2)])
        let second = try await ledger.report(case: Self.caseID).filter { $0.kind == .destructionSecondReminder }
        #expect(second.map(\.recipient.rawValue).sorted() == ["coop-email-0", "coop-email-1", "coop-fax-1", "coop-fax-2"])
        #expect(second.allSatisfy { $0.state == .planned && $0.confirmation != nil })
        let audit = try await ledger.audit(case: Self.caseID).filter { $0.event == "reminder.second" }
        #expect(audit.map(\.detail) == ["planned=4 fax=2 email=2 confirmed=2"])

        // Its code records destruction like any other.
        let jobs = try await ledger.claimDue(now: thursday, channel: .fax, limit: 10)
        let job = try #require(jobs.first { $0.recipient == RecipientID("coop-fax-1") })
        guard
            case .recorded(_, let covered) = try await ledger.recordConfirmation(
                .destroyed, code: try #require(job.confirmation), at: thursday, via: .staff)
        else { throw Unexpected("second reminder's code") }
        #expect(covered >= 3)

        // A later pass, and one after a restart, decide nothing again.
        let friday = Timestamp.parse("2026-11-27T09:00:00+09:00")!
        #expect(try await ledger.planSecondReminders(now: friday, decide: Self.decide(friday)).isEmpty)
        let reopened = try await fixture.reopen()
        let seenAgain = Seen()
        #expect(try await reopened.planSecondReminders(now: friday, decide: Self.decide(friday, seen: seenAgain)).isEmpty)
        #expect(seenAgain.cases.withLock { $0.isEmpty })
        #expect(try await reopened.report(case: Self.caseID).filter { $0.kind == .destructionSecondReminder }.count == 4)
    }

    @Test("everyone confirmed: decided with nothing planned, and never again", arguments: LedgerBackend.all)
    func everyoneConfirmed(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        for code in try await Self.closedCase(ledger).values {
            _ = try await ledger.recordConfirmation(.destroyed, code: code, at: Self.reminderAt, via: .link)
        }
        let thursday = Timestamp.parse("2026-11-26T09:00:00+09:00")!
        #expect(
            try await ledger.planSecondReminders(now: thursday, decide: Self.decide(thursday)) == [
                SecondReminderOutcome(caseID: Self.caseID, planned: 0, confirmed: 6)
            ])
        let seen = Seen()
        #expect(try await ledger.planSecondReminders(now: thursday, decide: Self.decide(thursday, seen: seen)).isEmpty)
        #expect(seen.cases.withLock { $0.isEmpty })
    }

    @Test("no second reminder without codes, nor while a first one is still being sent", arguments: LedgerBackend.all)
    func notHanded(_ backend: LedgerBackend) async throws {
        let late = Timestamp.parse("2026-12-10T09:00:00+09:00")!
        do {
            let fixture = try await backend.open()
            defer { fixture.remove() }
            _ = try await Self.closedCase(fixture.ledger, signer: nil)
            let seen = Seen()
            #expect(try await fixture.ledger.planSecondReminders(now: late, decide: Self.decide(late, seen: seen)).isEmpty)
            #expect(seen.cases.withLock { $0.isEmpty })
        }
        do {
            let fixture = try await backend.open()
            defer { fixture.remove() }
            _ = try await Self.closedCase(fixture.ledger, accept: false)
            let seen = Seen()
            #expect(try await fixture.ledger.planSecondReminders(now: late, decide: Self.decide(late, seen: seen)).isEmpty)
            #expect(seen.cases.withLock { $0.isEmpty })
        }
    }

    @Test("purge keeps the counts and the decision: the report still says who confirmed", arguments: LedgerBackend.all)
    func purgeKeepsCounts(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let codes = try await Self.closedCase(ledger)
        _ = try await ledger.recordConfirmation(
            .destroyed, code: try #require(codes[RecipientID("coop-fax-0")]), at: Self.reminderAt, via: .link)
        let thursday = Timestamp.parse("2026-11-26T09:00:00+09:00")!
        _ = try await ledger.planSecondReminders(now: thursday, decide: Self.decide(thursday))
        for channel in [Channel.fax, .email] {
            for job in try await ledger.claimDue(now: thursday, channel: channel, limit: 100) {
                try await ledger.markDelivered(job.id, at: thursday)
            }
        }
        let later = Timestamp.parse("2027-01-20T09:00:00+09:00")!
        let purged = try await ledger.purge(retention: .seconds(86400), now: later)
        #expect(purged.cases == [Self.caseID])
        let lines = try await ledger.report(case: Self.caseID)
        #expect(lines.filter { $0.kind == .destructionSecondReminder }.count == 5)
        #expect(Set(lines.filter { $0.destroyedAt != nil }.map(\.recipient)) == [RecipientID("coop-fax-0")])
        #expect(lines.allSatisfy { $0.confirmation == nil })
        #expect(try await ledger.planSecondReminders(now: later, decide: Self.decide(later)).isEmpty)
    }
}

/// The cases a pass handed to its decision.
final class Seen: Sendable {
    let cases = Mutex<[SecondReminderCase]>([])
}

struct Unexpected: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
