import Foundation
import Ledger
import MimamoriCore
import Testing

@Suite("Ledger events: the drill report's chain of times, kept past the purge")
struct LedgerEventsTests {
    @Test("each event's sequence, kind, record time and publication; the publication outlives the purge", arguments: LedgerBackend.all)
    func eventsAndTheirPublication(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        var alert = makeIntake(fax: 1, email: 1, radio: false, at: t0.addingTimeInterval(3))
        alert.issuedAt = t0
        _ = try await ledger.recordIntake(alert)
        // An event recorded without its publication (before the audit row kept it).
        let update = makeIntake(
            sequence: 2, eventKind: "updated", kind: .update, fax: 1, email: 0, radio: false, at: t0.addingTimeInterval(60))
        _ = try await ledger.recordIntake(update)
        var closure = makeIntake(
            sequence: 3, eventKind: "closed", kind: .termination, fax: 1, email: 1, radio: false, at: t0.addingTimeInterval(7202),
            closed: true)
        closure.issuedAt = t0.addingTimeInterval(7200.25)
        _ = try await ledger.recordIntake(closure)

        let expected = [
            RecordedEvent(sequence: 1, kind: "opened", recordedAt: t0.addingTimeInterval(3), issuedAt: t0),
            RecordedEvent(sequence: 2, kind: "updated", recordedAt: t0.addingTimeInterval(60), issuedAt: nil),
            RecordedEvent(sequence: 3, kind: "closed", recordedAt: t0.addingTimeInterval(7202), issuedAt: t0.addingTimeInterval(7200.25)),
        ]
        #expect(try await ledger.events(case: CaseID("KN-0042")) == expected)
        #expect(
            try await ledger.audit(case: CaseID("KN-0042")).first?.detail.hasSuffix(" issued=\(Int64(t0.timeIntervalSince1970 * 1000))")
                == true)
        #expect(try await ledger.events(case: CaseID("KN-NONE")).isEmpty)

        for channel in Channel.allCases {
            for job in try await ledger.claimDue(now: t0.addingTimeInterval(8000), channel: channel, limit: 100) {
                try await ledger.markDelivered(job.id, at: t0.addingTimeInterval(8000))
            }
        }
        _ = try await ledger.purge(retention: .seconds(86_400), now: t0.addingTimeInterval(3 * 86_400))
        #expect(try await ledger.status(case: CaseID("KN-0042"))?.purgedAt != nil)
        #expect(try await ledger.events(case: CaseID("KN-0042")) == expected, "ids, kinds and times are no personal data")
    }
}
