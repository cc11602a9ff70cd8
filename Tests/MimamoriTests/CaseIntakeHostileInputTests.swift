import Foundation
import HostileCorpus
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Testing

/// The hostile-input corpus through the daemon's own intake (`CaseIntake`) and a real ledger
/// file: the decisions `mimamorid` takes, without the broker around them (the daemon-level run
/// of the same corpus is `DaemonHostileCorpusTests`).
@Suite("CaseIntake on the hostile-input corpus (real ledger)")
struct CaseIntakeHostileInputTests {
    /// The sample settings (紀美野町, 81 cooperators) with the corpus's two police keys.
    static func settings() throws -> CaseIntake.Settings {
        let fixtures = HostileCorpus.fixturesDirectory
        let configuration = try Configuration.parse(
            yaml: String(decoding: try Data(contentsOf: fixtures.appendingPathComponent("mimamori.yaml")), as: UTF8.self))
        let directory = try CooperatorDirectory.load(csv: try Data(contentsOf: fixtures.appendingPathComponent("cooperators.csv")))
            .directory
        return CaseIntake.Settings(
            configuration: configuration, planner: Planner(configuration: configuration, directory: directory),
            publisherKeys: try HostileCorpus.publisherKeys())
    }

    /// 2026-11-27 (Friday) 16:05 JST, the corpus's afternoon.
    static let now = Date(timeIntervalSince1970: 1_795_763_100)

    static func outcome(_ decision: CaseIntake.Decision) -> HostileOutcome {
        switch decision {
        case .recorded(_, _, _, let planned, _, _, _): .planned(planned.values.reduce(0, +))
        case .concernRecorded(_, _, _, let planned, _, _, _): .planned(planned.values.reduce(0, +))
        case .ignored(_, let reason): .ignored(reason)
        case .rejected(_, let reason): .rejected(reason)
        }
    }

    @Test(
        "every case of the corpus ends as expected: dead-lettered with a machine-readable reason free of personal data, ignored, or planned; one ledger for all of them"
    )
    func everyCaseEndsAsExpected() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let intake = CaseIntake(ledger: file.ledger)
        let settings = try Self.settings()
        let corpus = HostileCorpus.all()
        var tally = HostileTally()
        var transport = 0
        for (index, hostile) in corpus.enumerated() {
            let messages = hostile.isolated(index: index, municipality: "kimino")
            var decisions: [CaseIntake.Decision] = []
            for message in messages {
                transport += 1
                decisions.append(
                    try await intake.process(
                        body: message.body, headers: message.headers, transportMessageID: "corpus-\(transport)",
                        settings: settings, now: Self.now))
            }
            for (i, decision) in decisions.dropLast().enumerated() {
                guard case .recorded = decision else {
                    Issue.record("\(hostile.label): prelude message \(i) was \(decision), expected recorded")
                    continue
                }
            }
            let outcome = Self.outcome(decisions.last!)
            for problem in hostile.problems(with: outcome) { Issue.record("\(hostile.label): \(problem)") }
            tally.add(hostile, outcome)
        }
        #expect(tally.cases == corpus.count)
        for line in tally.lines(suite: "CaseIntake") { print(line) }
    }

    @Test(
        "after the retention purge the case keeps refusing: a replay of its alert and a late update are acked as ignored, not a stalled queue"
    )
    func purgedCaseIgnoresLateEvents() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let intake = CaseIntake(ledger: file.ledger)
        let settings = try Self.settings()
        let opened = HostileCorpus.Draft.opened(1).message
        let closed = HostileCorpus.Draft.closed(2, sequence: 2).message
        for message in [opened, closed] {
            let decision = try await intake.process(
                body: message.body, headers: message.headers, transportMessageID: nil, settings: settings, now: Self.now)
            guard case .recorded = decision else {
                Issue.record("expected recorded, got \(decision)")
                return
            }
        }
        let alerts = try await file.ledger.report(case: CaseID("KN-2026-0042")).filter { $0.kind == .alert }.count
        #expect(alerts > 0)
        let later = Self.now.addingTimeInterval(31 * 86400)
        let purge = try await file.ledger.purge(retention: .seconds(30 * 86400), now: later)
        #expect(purge.cases == [CaseID("KN-2026-0042")])

        let lateUpdate = HostileCorpus.Draft.updated(3, sequence: 3).message
        let replayedClosure = HostileCorpus.Draft.closed(4, sequence: 9).message
        for (message, reason) in [
            (opened, "case.repeated-message"), (lateUpdate, "case.after-closure"), (replayedClosure, "case.after-closure"),
        ] {
            let decision = try await intake.process(
                body: message.body, headers: message.headers, transportMessageID: nil, settings: settings, now: later)
            #expect(decision == .ignored(caseID: CaseID("KN-2026-0042"), reason: reason))
        }
        // Nothing was planned again, and the purged case holds no personal data again.
        let report = try await file.ledger.report(case: CaseID("KN-2026-0042"))
        #expect(report.filter { $0.kind == .alert }.count == alerts)
        #expect(try await file.ledger.status(case: CaseID("KN-2026-0042"))?.purgedAt == later)
    }

    @Test(
        "a photo no notice may use (a PNG header declaring 0xFFFFFFFF², random bytes labelled JPEG): the case is planned, every stored notice is without it and says so"
    )
    func photoLeftOut() async throws {
        let corpus = HostileCorpus.all().filter { $0.hostileClass == "photo" && !$0.photoMetadata }
        #expect(corpus.count == 2)
        for (index, hostile) in corpus.enumerated() {
            let file = try LedgerFile()
            defer { file.remove() }
            let intake = CaseIntake(ledger: file.ledger)
            let message = hostile.isolated(index: index, municipality: "kimino").last!
            let decision = try await intake.process(
                body: message.body, headers: message.headers, transportMessageID: nil, settings: try Self.settings(), now: Self.now)
            guard case .recorded(let caseID, _, _, let planned, _, _, _) = decision else {
                Issue.record("\(hostile.label): \(decision)")
                continue
            }
            #expect(planned[.fax, default: 0] > 0 && planned[.email, default: 0] > 0, "\(hostile.label)")
            for channel in [Channel.email, .fax] {
                let job = try #require(try await file.ledger.claimDue(now: Self.now, channel: channel, limit: 1).first)
                let notice = try JSONDecoder().decode(RenderedNotice.self, from: job.content)
                #expect(notice.caseID == caseID)
                #expect(notice.photo == nil && !notice.fax.photoAttached, "\(hostile.label): the photo is still in the notice")
                #expect(notice.email.body.contains("ご本人の写真は、データに不備があるため添付していません。"), "\(hostile.label)")
                #expect(notice.fax.paragraphs.contains("（ご本人の写真は、データに不備があるため掲載していません。）"), "\(hostile.label)")
            }
        }
    }

    @Test(
        "a photo with metadata (EXIF GPS, PNG text chunks): the case is planned, every stored notice attaches the photo, with none of its metadata"
    )
    func photoMetadataStripped() async throws {
        let corpus = HostileCorpus.all().filter(\.photoMetadata)
        #expect(corpus.count == 2)
        for (index, hostile) in corpus.enumerated() {
            let file = try LedgerFile()
            defer { file.remove() }
            let intake = CaseIntake(ledger: file.ledger)
            let message = hostile.isolated(index: index, municipality: "kimino").last!
            #expect(!PhotoLeakCheck.leaks(in: message.body).isEmpty, "\(hostile.label): the sample carries metadata")
            let decision = try await intake.process(
                body: message.body, headers: message.headers, transportMessageID: nil, settings: try Self.settings(), now: Self.now)
            guard case .recorded = decision else {
                Issue.record("\(hostile.label): \(decision)")
                continue
            }
            for channel in [Channel.email, .fax] {
                let job = try #require(try await file.ledger.claimDue(now: Self.now, channel: channel, limit: 1).first)
                let notice = try JSONDecoder().decode(RenderedNotice.self, from: job.content)
                #expect(notice.photo != nil && notice.fax.photoAttached, "\(hostile.label): the photo is not in the notice")
                let leaks = PhotoLeakCheck.leaks(in: [UInt8](job.content))
                #expect(leaks.isEmpty, "\(hostile.label): \(leaks) in the \(channel) notice")
            }
        }
    }
}
