import Foundation
import Ledger
import MimamoriCore
import Testing

@Suite("Ledger: a notice refused by its server fails once")
struct LedgerNoticeFailureTests {
    @Test(
        "failNotice fails the planned deliveries of that notice on that channel only, as alarmed; those being sent keep their own outcome",
        arguments: LedgerBackend.all)
    func failNoticeTouchesOnlyThePlannedOnesOfTheNotice(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(fax: 2, email: 6, radio: false))
        // Another notice of the same case on the same channel (a later revision).
        _ = try await ledger.recordIntake(
            makeIntake(messageID: "update", sequence: 2, eventKind: "updated", kind: .update, fax: 0, email: 3, radio: false))
        let inHand = try await ledger.claimDue(now: t0, channel: .email, limit: 2).filter { $0.kind == .alert }
        #expect(inHand.count == 2)
        let error = DeliveryErrorRecord(code: "smtp-554", summary: "smtp 554: refused at the end of DATA")

        let failed = try await ledger.failNotice(
            case: CaseID("KN-0042"), revision: 1, kind: .alert, channel: .email, error: error, at: t0)
        #expect(failed == 4)
        // Again: nothing left to fail.
        #expect(try await ledger.failNotice(case: CaseID("KN-0042"), revision: 1, kind: .alert, channel: .email, error: error, at: t0) == 0)

        let report = try await ledger.report(case: CaseID("KN-0042"))
        let alerts = report.filter { $0.kind == .alert && $0.channel == .email }
        #expect(alerts.filter { $0.state == .failed }.count == 4)
        #expect(alerts.filter { $0.state == .sending }.count == 2)
        #expect(report.filter { $0.channel == .fax }.allSatisfy { $0.state == .planned })
        #expect(report.filter { $0.kind == .update }.allSatisfy { $0.state == .planned })
        // Covered by the alarm of the delivery that met the refusal: none owed.
        #expect(try await ledger.pendingAlarms(finishedBefore: t0.addingTimeInterval(1)).isEmpty)
        // A delivery in hand still records its own outcome (it may have been accepted).
        try await ledger.markDelivered(inHand[0].id, at: t0)
        #expect(try await ledger.report(case: CaseID("KN-0042")).first { $0.deliveryID == inHand[0].id }?.state == .delivered)
    }
}
