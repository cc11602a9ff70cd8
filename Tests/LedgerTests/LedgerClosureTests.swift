import Foundation
import Ledger
import MimamoriCore
import Testing

@Suite("Ledger closure")
struct LedgerClosureTests {
    struct PlannerFailed: Error {}

    /// What the core's planner would do at closure: a termination to every holder, the radio end
    /// only if the radio announced.
    static func terminations(caseID: CaseID, at: Date) -> @Sendable (PersonalDataHolders) throws -> ([Intake.Notice], [Intake.Delivery]) {
        { holders in
            var channels = Set(holders.recipients.map(\.channel))
            if holders.radioAnnounced { channels.insert(.radio) }
            let notices = channels.map {
                Intake.Notice(revision: 2, kind: .termination, channel: $0, content: Data("終結 \(caseID)".utf8))
            }
            var deliveries = holders.recipients.map { holder in
                Intake.Delivery(
                    PlannedDelivery(
                        caseID: caseID, revision: 2, recipient: holder.recipient, channel: holder.channel,
                        kind: .termination, notBefore: at),
                    address: holder.address, deadline: at.addingTimeInterval(86400))
            }
            if holders.radioAnnounced && !holders.recipients.contains(where: { $0.channel == .radio }) {
                deliveries.append(
                    Intake.Delivery(
                        PlannedDelivery(
                            caseID: caseID, revision: 2, recipient: .radio, channel: .radio,
                            kind: .termination, notBefore: at),
                        address: "gateway", deadline: at.addingTimeInterval(86400)))
            }
            return (notices, deliveries)
        }
    }

    /// Records `closure` the way the intake does: deciding inside the transaction, from the
    /// holders as the ledger sees them there, the deliveries `planning` adds.
    static func record(
        _ closure: Intake, in ledger: any CaseLedger,
        planning: @escaping @Sendable (PersonalDataHolders) throws -> ([Intake.Notice], [Intake.Delivery])
    ) async throws -> IntakeOutcome {
        try await ledger.recordIntake(case: closure.caseID, messageID: closure.messageID, at: closure.receivedAt) { reading in
            var intake = closure
            let (notices, deliveries) = try planning(reading.holders)
            intake.notices += notices
            intake.deliveries += deliveries
            return (.record(intake), ())
        }.outcome
    }

    @Test("closure during a fan-out cancels what was not sent and terminates only those alerted", arguments: LedgerBackend.all)
    func closureDuringFanOut(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let caseID = CaseID("KN-0042")
        _ = try await ledger.recordIntake(makeIntake(fax: 2, email: 10, radio: true))
        let email = try await ledger.claimDue(now: t0, channel: .email, limit: 4)
        try await ledger.markDelivered(email[0].id, at: t0)
        try await ledger.markDelivered(email[1].id, at: t0)
        // email[2], email[3] are being sent right now.
        let radio = try await ledger.claimDue(now: t0, channel: .radio, limit: 1)
        try await ledger.markDelivered(radio[0].id, at: t0)

        let closedAt = t0.addingTimeInterval(600)
        let closure = makeIntake(
            messageID: "close", sequence: 2, eventKind: "closed", kind: .termination, fax: 0, email: 0, radio: false,
            at: closedAt, closed: true, cancel: [.alert, .update])
        let outcome = try await Self.record(closure, in: ledger, planning: Self.terminations(caseID: caseID, at: closedAt))
        #expect(outcome == .recorded(planned: 5, cancelled: 8))

        let report = try await ledger.report(case: caseID)
        let terminated = Set(report.filter { $0.kind == .termination }.map(\.recipient))
        #expect(terminated == Set(email.map(\.recipient) + [.radio]))
        #expect(report.filter { $0.kind == .termination && $0.channel == .fax }.isEmpty)
        #expect(report.filter { $0.kind == .alert && $0.state == .cancelled }.count == 8)
        let jobs = try await ledger.claimDue(now: closedAt, channel: .email, limit: 100)
        #expect(jobs.allSatisfy { $0.kind == .termination && $0.address.hasSuffix("@example.jp") })
        #expect(jobs.count == 4)
    }

    @Test("the radio ends only if it announced", arguments: LedgerBackend.all)
    func radioEndOnlyIfAnnounced(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let caseID = CaseID("KN-0042")
        _ = try await ledger.recordIntake(makeIntake(fax: 0, email: 1, radio: true))
        // The radio alert waits for quiet hours to end; the person is found before.
        let closure = makeIntake(
            messageID: "close", sequence: 2, eventKind: "closed", kind: .termination, fax: 0, email: 0, radio: false,
            closed: true, cancel: [.alert, .update])
        #expect(
            try await Self.record(closure, in: ledger, planning: Self.terminations(caseID: caseID, at: t0))
                == .recorded(planned: 0, cancelled: 2))
        #expect(try await ledger.report(case: caseID).allSatisfy { $0.kind == .alert && $0.state == .cancelled })
    }

    @Test("if the planner throws inside the closure, nothing is written", arguments: LedgerBackend.all)
    func plannerFailureRollsBack(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let caseID = CaseID("KN-0042")
        _ = try await ledger.recordIntake(makeIntake(fax: 0, email: 3, radio: false))
        let closure = makeIntake(
            messageID: "close", sequence: 2, eventKind: "closed", kind: .termination, fax: 0, email: 0, radio: false,
            closed: true, cancel: [.alert])
        await #expect {
            try await Self.record(closure, in: ledger) { _ in throw PlannerFailed() }
        } throws: { ($0 as? LedgerError)?.code == .caller }
        #expect(try await ledger.report(case: caseID).allSatisfy { $0.state == .planned })
        #expect(try await ledger.status(case: caseID)?.closedAt == nil)
        #expect(try await ledger.recordIntake(closure) == .recorded(planned: 0, cancelled: 3))
    }
}
