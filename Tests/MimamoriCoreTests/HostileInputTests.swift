import Foundation
import HostileCorpus
import Testing

@testable import MimamoriCore

@Suite("Hostile input")
struct HostileInputTests {
    static let corpus = HostileCorpus.all()

    /// The notices the core plans for the case's last message, its prelude taken first with the
    /// history a ledger would keep (who holds personal data). The decisions of the whole corpus
    /// through the real intake and ledger: `CaseIntakeHostileInputTests` (MimamoriTests).
    static func plan(_ hostile: HostileCase) throws -> DeliveryPlan? {
        let planner = try Sample.planner()
        var state: CaseState?
        var history = DeliveryHistory.none
        var plan: DeliveryPlan?
        for message in hostile.prelude + [hostile.message] {
            let event = try CaseEvent.decode(message.body)
            plan = nil
            for case .plan(let p) in CaseState.receive(
                event, state: &state, context: .init(planner: planner, history: history, now: Sample.now))
            {
                plan = p
            }
            var recipients = history.personalDataRecipients
            var radio = history.radioAnnounced
            for d in plan?.deliveries ?? [] where d.kind.carriesPersonalData {
                if d.recipient == .radio { radio = true } else { recipients[d.recipient, default: []].insert(d.channel) }
            }
            history = DeliveryHistory(personalDataRecipients: recipients, radioAnnounced: radio)
        }
        return plan
    }

    @Test func theCorpusIsLargeAndCoversEveryClass() {
        #expect(Self.corpus.count >= 200)
        let classes = Set(Self.corpus.map(\.hostileClass))
        for expected in [
            "valid-control", "malformed-json", "deep-nesting", "wrong-type", "unknown-schema", "oversized", "invalid-utf8",
            "other-encoding", "consent", "signature", "replay", "stale-sequence", "unknown-case", "huge-array",
            "long-string", "control-character", "bidi-override", "nul", "template-syntax", "number-range", "bad-date",
            "case-id", "duplicate-key", "drill-flip", "other-municipality", "photo",
        ] {
            #expect(classes.contains(expected), "no case of class \(expected)")
        }
        #expect(Set(Self.corpus.map(\.label)).count == Self.corpus.count, "case names must be unique")
    }

    /// Template syntax in event data is data: every notice shows it literally, nothing from the
    /// context leaks in through it, and the notices still render completely.
    @Test func templateSyntaxRendersLiterally() throws {
        let cases = Self.corpus.filter { !$0.literals.isEmpty }
        #expect(cases.count >= 20)
        for hostile in cases {
            guard let plan = try Self.plan(hostile) else {
                Issue.record("\(hostile.label): planned nothing")
                continue
            }
            for notice in plan.notices {
                let parts = [notice.email.subject, notice.email.body, notice.fax.plainText, notice.radio?.text ?? ""]
                let all = parts.joined(separator: "\n")
                for literal in hostile.literals {
                    #expect(all.contains(literal), "\(hostile.label): \(literal.debugDescription) not shown literally")
                }
                #expect(notice.email.body.contains(notice.caseID.rawValue), "\(hostile.label): email body incomplete")
                #expect(!notice.fax.rows.isEmpty && !notice.fax.title.isEmpty, "\(hostile.label): fax page incomplete")
            }
        }
    }

    /// `MIMAMORI_HOSTILE_CORPUS_OUT=DIR` writes the corpus for other suites (the daemon-level
    /// hostile suite) and for the fuzzer's seeds: `DIR/<class>/<nnn>/<k>.body` and
    /// `<k>.headers.json`, k in delivery order (the last one is the case under test), plus
    /// `expected.txt`. Without the variable it does nothing.
    @Test func writesTheCorpus() throws {
        guard let out = ProcessInfo.processInfo.environment["MIMAMORI_HOSTILE_CORPUS_OUT"], !out.isEmpty else { return }
        let root = URL(fileURLWithPath: out)
        try? FileManager.default.removeItem(at: root)
        for (n, hostile) in Self.corpus.enumerated() {
            let folder = root.appendingPathComponent(hostile.hostileClass).appendingPathComponent(String(format: "%03d", n))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (k, message) in (hostile.prelude + [hostile.message]).enumerated() {
                try Data(message.body).write(to: folder.appendingPathComponent("\(k).body"))
                let headers = try JSONSerialization.data(withJSONObject: message.headers, options: [.sortedKeys])
                try headers.write(to: folder.appendingPathComponent("\(k).headers.json"))
            }
            try Data("\(hostile.name)\n\(hostile.expected)\n".utf8).write(to: folder.appendingPathComponent("expected.txt"))
        }
    }
}
