import Foundation
import Ledger
import MimamoriCore
import Testing

/// The partner-town outbox (`partner_forwards`): written with the event, handed out in order,
/// and the signed body gone once the broker confirmed it, or with the purge.
@Suite("Ledger: forwards to partner towns")
struct LedgerForwardTests {
    static let signature = ["x-mimamori-key-id": "police-2026", "x-mimamori-signature": "c2lnbmVk"]

    static func forwarding(_ intake: Intake, to partners: [String] = ["kainan"]) -> Intake {
        var intake = intake
        let body = Data("{\"signed\":\"\(Person.name) \(intake.sequence)\"}".utf8)
        intake.forwards = partners.map {
            Intake.Forward(partner: $0, routingKey: "case.\($0).\(intake.eventKind)", body: body, headers: signature)
        }
        return intake
    }

    @Test("a forward is kept with the event, handed out oldest first, and loses its body when marked", arguments: LedgerBackend.all)
    func outbox(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        _ = try await ledger.recordIntake(Self.forwarding(makeIntake(messageID: "m1")))
        _ = try await ledger.recordIntake(
            Self.forwarding(makeIntake(messageID: "m2", sequence: 2, eventKind: "updated", kind: .update), to: ["kainan", "yuasa"]))
        let pending = try await ledger.pendingForwards(limit: 10)
        #expect(pending.map(\.routingKey) == ["case.kainan.opened", "case.kainan.updated", "case.yuasa.updated"])
        #expect(pending.map(\.messageID) == ["m1", "m2", "m2"])
        #expect(pending[0].headers == Self.signature)
        #expect(String(decoding: pending[0].body, as: UTF8.self) == "{\"signed\":\"\(Person.name) 1\"}")
        #expect(try await ledger.forwardBacklog().count == 3)
        #expect(try await ledger.forwardBacklog().oldest == t0)
        #expect(try await ledger.pendingForwards(limit: 1).map(\.messageID) == ["m1"])
        // A partner the broker refused this pass: the others' forwards still come.
        #expect(try await ledger.pendingForwards(limit: 10, excluding: ["kainan"]).map(\.routingKey) == ["case.yuasa.updated"])
        #expect(try await ledger.pendingForwards(limit: 10, excluding: ["kainan", "yuasa"]).isEmpty)

        try await ledger.markForwarded(pending[0], at: t0.addingTimeInterval(1))
        // Marked twice (a publish confirmed after a crash before the mark): one audit row.
        try await ledger.markForwarded(pending[0], at: t0.addingTimeInterval(2))
        #expect(try await ledger.pendingForwards(limit: 10).map(\.id) == [pending[1].id, pending[2].id])
        let audit = try await ledger.audit(case: CaseID("KN-0042")).filter { $0.event == "case.forwarded" }
        #expect(audit.count == 1)
        #expect(audit.first?.detail == "seq=1 partner=kainan")
        for forward in pending.dropFirst() { try await ledger.markForwarded(forward, at: t0.addingTimeInterval(3)) }
        #expect(try await ledger.pendingForwards(limit: 10).isEmpty)
        #expect(try await ledger.forwardBacklog().count == 0)
        _ = try await fixture.reopen()
        // The needle is in the notices still (not purged yet); none of it in partner_forwards.
        #expect(try await ledger.pendingForwards(limit: 10).isEmpty)
    }

    @Test("a forward still waiting when the case is purged goes with the purge", arguments: LedgerBackend.all)
    func purgeTakesUnforwarded(_ backend: LedgerBackend) async throws {
        let fixture = try await backend.open()
        defer { fixture.remove() }
        let ledger = fixture.ledger
        let marker = "転送待ちの本文"
        var intake = makeIntake(fax: 0, email: 1, radio: false)
        intake.forwards = [
            Intake.Forward(partner: "kainan", routingKey: "case.kainan.opened", body: Data(marker.utf8), headers: Self.signature)
        ]
        _ = try await ledger.recordIntake(intake)
        for job in try await ledger.claimDue(now: t0, channel: .email, limit: 10) { try await ledger.markDelivered(job.id, at: t0) }
        let closedAt = t0.addingTimeInterval(60)
        _ = try await ledger.recordIntake(
            makeIntake(
                messageID: "close", sequence: 2, eventKind: "closed", kind: .termination, fax: 0, email: 1, radio: false, at: closedAt,
                closed: true))
        #expect(fixture.hits(of: marker) > 0)
        let outcome = try await ledger.purge(retention: .seconds(86400), now: closedAt.addingTimeInterval(86400 + 1))
        #expect(outcome.cases == [CaseID("KN-0042")])
        #expect(fixture.hits(of: marker) == 0)
        #expect(fixture.hits(of: "c2lnbmVk") == 0)
        #expect(try await ledger.pendingForwards(limit: 10).isEmpty)
        let purged = try await ledger.audit(case: CaseID("KN-0042")).first { $0.event == "case.purged" }
        #expect(purged?.detail.contains("unforwarded=1") == true)
    }
}
