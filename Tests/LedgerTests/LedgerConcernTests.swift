import Foundation
import Ledger
import MimamoriCore
import Testing

/// Concern reports share the ledger's tables with cases: their rows say so, open reports are not
/// open cases, the call-back list keeps ids and times, and the purge takes their personal data
/// as it takes a case's.
@Suite("Ledger concern reports: schema, call-backs, purge")
struct LedgerConcernTests {
    static let report = CaseID("MS-C-2026-0007")

    static func concernIntake(
        sequence: Int, eventKind: String, kind: NoticeKind, at: Date, closed: Bool = false, callback: String? = nil
    ) -> Intake {
        var intake = makeIntake(
            case: report, sequence: sequence, eventKind: eventKind, kind: kind, fax: kind == .concernReport ? 1 : 0,
            email: kind == .concernReport ? 2 : 0, radio: false, at: at, closed: closed)
        intake.schema = EventSchema.concern.rawValue
        intake.callbackDesk = callback
        return intake
    }

    @Test("a report's row is a concern's; an open report is no open case; audit names it concern.*", arguments: LedgerBackend.all)
    func reportRowsAreConcerns(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(Self.concernIntake(sequence: 1, eventKind: "reported", kind: .concernReport, at: t0))
        _ = try await ledger.recordIntake(makeIntake(fax: 1, email: 1, radio: false))
        #expect(try await ledger.caseSnapshot(case: Self.report)?.schema == EventSchema.concern.rawValue)
        #expect(try await ledger.caseSnapshot(case: CaseID("KN-0042"))?.schema == EventSchema.case.rawValue)
        #expect(try await ledger.status(case: Self.report)?.schema == EventSchema.concern.rawValue)
        #expect(try await ledger.openCaseCount() == 1)
        #expect(try await ledger.audit(case: Self.report).map(\.event) == ["concern.reported"])
        #expect(try await ledger.report(case: Self.report).map(\.kind) == [.concernReport, .concernReport, .concernReport])
    }

    @Test(
        "the call-back list: raised once by the result, listed by desk, made once; the purge keeps it without the reporter",
        arguments: LedgerBackend.all)
    func callBacks(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(Self.concernIntake(sequence: 1, eventKind: "reported", kind: .concernReport, at: t0))
        #expect(try await ledger.callbacks(desk: nil, includeMade: true).isEmpty)
        let resolvedAt = t0.addingTimeInterval(86400)
        _ = try await ledger.recordIntake(
            Self.concernIntake(sequence: 2, eventKind: "resolved", kind: .concernResult, at: resolvedAt, closed: true, callback: "shoda"))

        let owed = try await ledger.callbacks(desk: nil, includeMade: false)
        #expect(owed.map(\.reportID) == [Self.report] && owed.first?.deskID == "shoda" && owed.first?.raisedAt == resolvedAt)
        #expect(owed.first?.snapshot != nil, "the reporter's number is there for the call")
        #expect(try await ledger.callbacks(desk: "centre", includeMade: false).isEmpty)
        #expect(try await ledger.callbacks(desk: "shoda", includeMade: false).count == 1)

        let called = resolvedAt.addingTimeInterval(3600)
        #expect(try await ledger.markCalledBack(report: Self.report, at: called))
        #expect(try await !ledger.markCalledBack(report: Self.report, at: called.addingTimeInterval(60)), "made once")
        #expect(try await ledger.callbacks(desk: nil, includeMade: false).isEmpty)
        #expect(try await ledger.callbacks(desk: nil, includeMade: true).first?.calledAt == called)
        #expect(try await ledger.audit(case: Self.report).map(\.event) == ["concern.reported", "concern.resolved", "concern.called-back"])

        #expect(fixture.hits(of: Person.name) > 0)
        let outcome = try await ledger.purge(retention: .seconds(30 * 86400), now: resolvedAt.addingTimeInterval(30 * 86400 + 1))
        #expect(outcome.cases == [Self.report])
        #expect(fixture.hits(of: Person.name) == 0)
        let kept = try await ledger.callbacks(desk: nil, includeMade: true)
        #expect(kept.count == 1 && kept.first?.snapshot == nil && kept.first?.calledAt == called)
    }
}
