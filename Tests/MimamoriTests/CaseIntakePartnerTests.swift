import Foundation
import HostileCorpus
import Ledger
import MimamoriCore
import MimamoriService
import Testing

/// A partner town's case through the daemon's own intake and a real ledger file.
@Suite("CaseIntake: a partner town's case")
struct CaseIntakePartnerTests {
    static let now = CaseIntakeHostileInputTests.now

    /// Kainan's intake: the corpus's settings as Kainan's, Kimino a partner with its own daemon.
    static func kainan() throws -> CaseIntake.Settings {
        let base = try CaseIntakeHostileInputTests.settings()
        var configuration = base.configuration
        configuration.municipality = "kainan"
        configuration.partners = ["kimino": .ownDaemon]
        return CaseIntake.Settings(
            configuration: configuration, planner: Planner(configuration: configuration, directory: base.planner.directory),
            publisherKeys: base.publisherKeys)
    }

    @Test("a Kimino case whose id is already one of Kainan's own is dead-lettered, never merged into it")
    func collidingIDIsRefused() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let intake = CaseIntake(ledger: file.ledger)
        let own = HostileCorpus.Draft.opened(1).setting("municipality", "kainan").message
        let first = try await intake.process(
            body: own.body, headers: own.headers, transportMessageID: nil, settings: try Self.kainan(), now: Self.now)
        guard case .recorded = first else {
            Issue.record("Kainan's own case: \(first)")
            return
        }
        let partner = HostileCorpus.Draft.opened(2, sequence: 2).setting("consent.partnerTowns", true).message
        let second = try await intake.process(
            body: partner.body, headers: partner.headers, transportMessageID: nil, settings: try Self.kainan(), now: Self.now)
        #expect(second == .rejected(caseID: CaseID("KN-2026-0042"), reason: "case.id-of-another-town"))
        let stored = try #require(try await file.ledger.caseSnapshot(case: CaseID("KN-2026-0042")))
        #expect(stored.municipality == "kainan" && stored.lastSequence == 1)
    }

    @Test("a consented Kimino case is planned against Kainan's directory and never forwarded again")
    func partnerCaseIsPlanned() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let intake = CaseIntake(ledger: file.ledger)
        let partner = HostileCorpus.Draft.opened(1).setting("consent.partnerTowns", true).message
        let decision = try await intake.process(
            body: partner.body, headers: partner.headers, transportMessageID: nil, settings: try Self.kainan(), now: Self.now)
        guard case .recorded(_, _, _, let planned, _, _, _) = decision else {
            Issue.record("expected recorded, got \(decision)")
            return
        }
        #expect(planned.values.reduce(0, +) > 0)
        #expect(try await file.ledger.pendingForwards(limit: 10).isEmpty)
        let unconsented = HostileCorpus.Draft.opened(3).setting("caseId", "KN-2026-0043").message
        let refused = try await intake.process(
            body: unconsented.body, headers: unconsented.headers, transportMessageID: nil, settings: try Self.kainan(), now: Self.now)
        #expect(refused == .rejected(caseID: CaseID("KN-2026-0043"), reason: "case.partner-without-consent"))
    }
}
