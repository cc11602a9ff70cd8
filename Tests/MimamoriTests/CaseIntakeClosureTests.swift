import Foundation
import HostileCorpus
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Testing

/// Termination only to those alerted, on every channel they were alerted on: through the
/// daemon's own intake and a real ledger file.
@Suite("CaseIntake closure")
struct CaseIntakeClosureTests {
    static let now = CaseIntakeHostileInputTests.now
    static let caseID = CaseID("KN-2026-0042")

    /// The corpus's settings with a directory of one cooperator, reached by `channel`.
    static func settings(_ channel: Channel) throws -> CaseIntake.Settings {
        let base = try CaseIntakeHostileInputTests.settings()
        let cooperator = Cooperator(
            id: RecipientID("coop-1"), name: "協力者", channel: channel,
            address: channel == .fax ? "+81734890101" : "coop1@example.jp", municipality: base.configuration.municipality)
        return CaseIntake.Settings(
            configuration: base.configuration,
            planner: Planner(configuration: base.configuration, directory: CooperatorDirectory([cooperator])),
            publisherKeys: base.publisherKeys)
    }

    func deliverAll(_ ledger: Ledger, _ channel: Channel) async throws -> Int {
        let jobs = try await ledger.claimDue(now: Self.now, channel: channel, limit: 100)
        for job in jobs { try await ledger.record(.delivered(at: Self.now), for: job.id) }
        return jobs.count
    }

    @Test(
        "a recipient the directory moved from FAX to email got the alert by FAX and the update by email: the termination and the reminder go on both, each at the address its data went to"
    )
    func terminationOnEveryChannelItWasSentOn() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let intake = CaseIntake(ledger: file.ledger)
        let steps: [(HostileMessage, Channel)] = [
            (HostileCorpus.Draft.opened(1).message, .fax),
            (HostileCorpus.Draft.updated(2, sequence: 2).message, .email),
        ]
        for (message, channel) in steps {
            let decision = try await intake.process(
                body: message.body, headers: message.headers, transportMessageID: nil, settings: try Self.settings(channel), now: Self.now)
            guard case .recorded(_, _, _, let planned, _, _, _) = decision else {
                Issue.record("expected recorded, got \(decision)")
                return
            }
            #expect(planned[channel] == 1)
            #expect(try await deliverAll(file.ledger, channel) == 1)
        }

        let closed = HostileCorpus.Draft.closed(3, sequence: 3).message
        let decision = try await intake.process(
            body: closed.body, headers: closed.headers, transportMessageID: nil, settings: try Self.settings(.email), now: Self.now)
        guard case .recorded(_, _, _, let planned, _, _, _) = decision else {
            Issue.record("expected recorded, got \(decision)")
            return
        }
        #expect(planned[.fax] == 2 && planned[.email] == 2, "a termination and a reminder on each channel: \(planned)")
        let report = try await file.ledger.report(case: Self.caseID)
        let ends = report.filter { $0.kind == .termination && $0.recipient == RecipientID("coop-1") }.map(\.channel)
        #expect(Set(ends) == [.fax, .email] && ends.count == 2)
        let faxJobs = try await file.ledger.claimDue(now: Self.now, channel: .fax, limit: 10)
        let emailJobs = try await file.ledger.claimDue(now: Self.now, channel: .email, limit: 10)
        #expect(faxJobs.map(\.kind) == [.termination] && faxJobs.allSatisfy { $0.address == "+81734890101" })
        #expect(emailJobs.map(\.kind) == [.termination] && emailJobs.allSatisfy { $0.address == "coop1@example.jp" })
    }
}
