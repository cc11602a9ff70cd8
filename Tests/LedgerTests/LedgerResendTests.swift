import Foundation
import Ledger
import MimamoriCore
import Testing

@Suite("Ledger resend: failed and expired deliveries planned again")
struct LedgerResendTests {
    static let refused = DeliveryErrorRecord(code: "smtp.550", summary: "mailbox unavailable")
    static let slow = DeliveryErrorRecord(code: "smtp.451", summary: "try again later")

    /// An open case with 4 email deliveries: 0 delivered, 1 failed, 2 expired (after two
    /// attempts), 3 failed; and a FAX that failed.
    func openCase(_ ledger: any CaseLedger) async throws -> [DeliveryJob] {
        _ = try await ledger.recordIntake(makeIntake(fax: 1, email: 4, radio: false))
        let jobs = try await ledger.claimDue(now: t0, channel: .email, limit: 4)
        try await ledger.markDelivered(jobs[0].id, at: t0)
        try await ledger.markFailed(jobs[1].id, error: Self.refused, at: t0)
        try await ledger.markRetry(jobs[2].id, error: Self.slow, at: t0, nextAttemptAt: t0)
        _ = try await ledger.claimDue(now: t0, channel: .email, limit: 1)
        try await ledger.markExpired(jobs[2].id, error: Self.slow, at: t0)
        try await ledger.markFailed(jobs[3].id, error: Self.refused, at: t0)
        let fax = try await ledger.claimDue(now: t0, channel: .fax, limit: 1)
        try await ledger.markFailed(fax[0].id, error: .init(code: "fax.http-400", summary: "bad number"), at: t0)
        return jobs + fax
    }

    @Test(
        "by state, channel and recipient: planned again due now, attempts kept, a new deadline, one audit row", arguments: LedgerBackend.all
    )
    func filters(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let jobs = try await openCase(ledger)
        let caseID = CaseID("KN-0042")
        let now = t0.addingTimeInterval(3600)
        let deadline = now.addingTimeInterval(6 * 3600)

        // Expired only, email: the one that expired.
        var result = try await ledger.resend(
            ResendRequest(caseID: caseID, channel: .email, states: [.expired], requestedBy: "tanaka"), now: now, deadline: deadline)
        #expect(result.found == .open)
        #expect(result.resent.map(\.deliveryID) == [jobs[2].id])
        #expect(result.refusedClosed.isEmpty)
        let again = try await ledger.claimDue(now: now, channel: .email, limit: 10)
        #expect(again.map(\.id) == [jobs[2].id])
        #expect(again.first?.attempt == 3, "the attempt count is kept: two before, this is the third")
        #expect(again.first?.deadline == deadline)
        #expect(again.first?.resends == 1)
        #expect(again.first?.idempotencyKey == jobs[2].idempotencyKey, "the email Message-ID stays the same")
        try await ledger.markDelivered(jobs[2].id, at: now)

        // One recipient, default states: only that failed one.
        result = try await ledger.resend(
            ResendRequest(caseID: caseID, recipient: jobs[3].recipient, requestedBy: "tanaka"), now: now, deadline: deadline)
        #expect(result.resent.map(\.deliveryID) == [jobs[3].id])
        // Everything failed that is left: the other email and the FAX; the delivered ones never.
        result = try await ledger.resend(ResendRequest(caseID: caseID, requestedBy: "sato"), now: now, deadline: deadline)
        #expect(Set(result.resent.map(\.deliveryID)) == [jobs[1].id, jobs[4].id])
        #expect(Set(result.resent.map(\.channel)) == [.email, .fax])
        // Nothing left to resend: all planned now.
        result = try await ledger.resend(ResendRequest(caseID: caseID, requestedBy: "sato"), now: now, deadline: deadline)
        #expect(result.found == .open && result.resent.isEmpty && result.refusedClosed.isEmpty)

        let report = try await ledger.report(case: caseID)
        #expect(report.filter { $0.state == .planned }.count == 3)
        #expect(report.first { $0.deliveryID == jobs[0].id }?.state == .delivered)

        let audit = try await ledger.audit(case: caseID).filter { $0.event == "delivery.resent" }
        #expect(audit.count == 3, "one row per resend that planned something")
        #expect(audit.allSatisfy { $0.at == now })
        #expect(audit[0].detail.contains("by=tanaka") && audit[0].detail.contains("email=1"))
        #expect(audit[0].detail.contains("recipients=\(jobs[2].recipient.rawValue)"))
        #expect(audit[0].detail.contains("deliveries=\(jobs[2].id)"))
        #expect(audit[2].detail.contains("by=sato") && audit[2].detail.contains("fax=1") && audit[2].detail.contains("email=1"))
        for row in audit { #expect(!row.detail.contains("@example.jp") && !row.detail.contains(Person.name)) }
    }

    @Test("a resent delivery owes no alarm; failing again it owes a new one, named by its resend", arguments: LedgerBackend.all)
    func alarms(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let jobs = try await openCase(ledger)
        let later = t0.addingTimeInterval(60)
        #expect(
            Set(try await ledger.pendingAlarms(finishedBefore: later).map(\.deliveryID))
                == Set([jobs[1], jobs[2], jobs[3], jobs[4]].map(\.id)))
        try await ledger.markAlarmed(jobs[1].id, at: t0)

        _ = try await ledger.resend(
            ResendRequest(caseID: CaseID("KN-0042"), channel: .email, requestedBy: "tanaka"), now: later,
            deadline: later.addingTimeInterval(3600))
        // Resent: no longer owing the old alarm (whether it had gone out or not).
        #expect(try await ledger.pendingAlarms(finishedBefore: later.addingTimeInterval(1)).map(\.deliveryID) == [jobs[4].id])

        let again = try await ledger.claimDue(now: later, channel: .email, limit: 10)
        #expect(Set(again.map(\.id)) == Set([jobs[1], jobs[2], jobs[3]].map(\.id)))
        try await ledger.markFailed(jobs[1].id, error: Self.refused, at: later)
        let owed = try await ledger.pendingAlarms(finishedBefore: later.addingTimeInterval(1))
        #expect(Set(owed.map(\.deliveryID)) == [jobs[1].id, jobs[4].id])
        #expect(owed.first { $0.deliveryID == jobs[1].id }?.resends == 1)
    }

    @Test(
        "a closed case: alerts and updates refused, terminations and reminders resent; unknown and purged cases named",
        arguments: LedgerBackend.all)
    func closedCase(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let caseID = CaseID("KN-0042")
        let jobs = try await openCase(ledger)
        // The closure: a termination to the one who got the alert; it fails.
        _ = try await ledger.recordIntake(
            makeIntake(
                messageID: "closed", sequence: 2, eventKind: "closed", kind: .termination, fax: 0, email: 1, radio: false,
                at: t0.addingTimeInterval(10), closed: true))
        let termination = try await ledger.claimDue(now: t0.addingTimeInterval(10), channel: .email, limit: 5)
        #expect(termination.count == 1 && termination[0].kind == .termination)
        try await ledger.markFailed(termination[0].id, error: Self.refused, at: t0.addingTimeInterval(10))

        let now = t0.addingTimeInterval(3600)
        let result = try await ledger.resend(ResendRequest(caseID: caseID, requestedBy: "tanaka"), now: now, deadline: now)
        #expect(result.found == .closed)
        #expect(result.resent.map(\.deliveryID) == [termination[0].id])
        #expect(Set(result.refusedClosed.map(\.deliveryID)) == Set([jobs[1], jobs[2], jobs[3], jobs[4]].map(\.id)))
        #expect(result.refusedClosed.allSatisfy { $0.kind == .alert })
        let states = Dictionary(uniqueKeysWithValues: try await ledger.report(case: caseID).map { ($0.deliveryID, $0.state) })
        #expect(states[jobs[1].id] == .failed, "a refused alert stays as it was")
        #expect(states[termination[0].id] == .planned)

        // Only alerts asked for: nothing resent, all refused.
        let alertsOnly = try await ledger.resend(
            ResendRequest(caseID: caseID, recipient: jobs[1].recipient, requestedBy: "tanaka"), now: now, deadline: now)
        #expect(alertsOnly.resent.isEmpty && alertsOnly.refusedClosed.map(\.deliveryID) == [jobs[1].id])

        #expect(
            try await ledger.resend(ResendRequest(caseID: CaseID("KN-9999"), requestedBy: "x"), now: now, deadline: now).found == .unknown)
        _ = try await ledger.purge(retention: .seconds(-1), now: now)
        #expect(try await ledger.resend(ResendRequest(caseID: caseID, requestedBy: "x"), now: now, deadline: now).found == .purged)
    }

    @Test(
        "a corrected address in the directory is used for the resend (same channel only); the audit counts it, without the address",
        arguments: LedgerBackend.all)
    func readdressed(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let jobs = try await openCase(ledger)
        let now = t0.addingTimeInterval(60)
        let result = try await ledger.resend(
            ResendRequest(
                caseID: CaseID("KN-0042"), requestedBy: "tanaka",
                currentAddresses: [
                    jobs[1].recipient: .init(channel: .email, address: "corrected@example.jp"),
                    jobs[3].recipient: .init(channel: .email, address: jobs[3].address),
                    // The FAX recipient moved to email meanwhile: its FAX goes to the old number.
                    jobs[4].recipient: .init(channel: .email, address: "moved@example.jp"),
                ]),
            now: now, deadline: now.addingTimeInterval(3600))
        #expect(result.resent.count == 4)
        #expect(result.readdressed == [jobs[1].id])
        let claimed = try await ledger.claimDue(now: now, channel: .email, limit: 10)
        let addresses = Dictionary(uniqueKeysWithValues: claimed.map { ($0.id, $0.address) })
        #expect(addresses[jobs[1].id] == "corrected@example.jp")
        #expect(addresses[jobs[3].id] == jobs[3].address)
        #expect(try await ledger.claimDue(now: now, channel: .fax, limit: 10).first?.address == jobs[4].address)
        let audit = try #require(try await ledger.audit(case: CaseID("KN-0042")).last { $0.event == "delivery.resent" })
        #expect(audit.detail.contains("readdressed=1") && !audit.detail.contains("@"))
    }
}
