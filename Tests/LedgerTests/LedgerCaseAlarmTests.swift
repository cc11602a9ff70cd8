import Foundation
import Ledger
import MimamoriCore
import Testing

@Suite("Ledger case alarms: raised once, owed until sent")
struct LedgerCaseAlarmTests {
    @Test(
        "a case open longer than the limit raises its open-case alarm once, to the staff; a closed one none", arguments: LedgerBackend.all)
    func openCaseAlarm(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(makeIntake(case: CaseID("KN-0042"), fax: 0, email: 1, radio: false))
        _ = try await ledger.recordIntake(makeIntake(case: CaseID("KN-0043"), fax: 0, email: 1, radio: false, closed: true))
        let limit = Duration.seconds(14 * 86400)
        #expect(try await ledger.raiseOpenCaseAlarms(openFor: limit, now: t0.addingTimeInterval(14 * 86400)).isEmpty)
        let later = t0.addingTimeInterval(15 * 86400)
        #expect(try await ledger.raiseOpenCaseAlarms(openFor: limit, now: later) == [CaseID("KN-0042")])
        #expect(try await ledger.raiseOpenCaseAlarms(openFor: limit, now: later).isEmpty, "once per case")

        let owed = try await ledger.owedCaseAlarms()
        #expect(owed.map(\.caseID) == [CaseID("KN-0042")])
        #expect(owed.first?.kind == .openCase && owed.first?.audience == .staff && owed.first?.openedAt == t0)
        try await ledger.markCaseAlarmSent(try #require(owed.first), at: later)
        #expect(try await ledger.owedCaseAlarms().isEmpty)
        #expect(
            try await ledger.raiseOpenCaseAlarms(openFor: limit, now: later.addingTimeInterval(86400)).isEmpty, "sent is not raised again")
        #expect(try await ledger.audit(case: CaseID("KN-0042")).filter { $0.event == "alarm.raised" }.count == 1)
    }

    @Test("an intake's held-stale alarm is owed to the staff and the operator", arguments: LedgerBackend.all)
    func heldStaleAlarm(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        var intake = makeIntake(fax: 0, email: 0, radio: false)
        intake.alarms = [.heldStale]
        _ = try await fixture.ledger.recordIntake(intake)
        let owed = try await fixture.ledger.owedCaseAlarms()
        #expect(Set(owed.map(\.audience)) == [.staff, .operator] && owed.allSatisfy { $0.kind == .heldStale })
    }
}
