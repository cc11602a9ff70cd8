import Foundation
import Testing

@testable import MimamoriCore

/// The intake's decisions as the daemon makes them, without the broker and the ledger:
/// size limit → signature → decode → `CaseState` with a `Planner` on the sample directory.
struct IntakePipeline {
    enum Outcome: Equatable, CustomStringConvertible {
        case rejected(String)
        case ignored(String)
        case planned(DeliveryPlan)

        var description: String {
            switch self {
            case .rejected(let reason): "rejected(\(reason))"
            case .ignored(let reason): "ignored(\(reason))"
            case .planned(let plan): "planned(\(plan.deliveries.count) deliveries)"
            }
        }
    }

    let keys: PublisherKeys
    let planner: Planner
    let limits = CaseEvent.Limits.default
    var states: [CaseID: CaseState] = [:]
    /// What the ledger would know of past deliveries, per case.
    var histories: [CaseID: DeliveryHistory] = [:]

    init() throws {
        keys = try HostileCorpus.publisherKeys()
        planner = try Sample.planner()
    }

    mutating func deliver(_ message: HostileMessage) -> Outcome {
        // The cheap check first: a 10 MiB body is not even hashed.
        guard message.body.count <= limits.maxBodyBytes else {
            return .rejected(CaseEventError.oversized(bytes: message.body.count, limit: limits.maxBodyBytes).reason)
        }
        do {
            _ = try keys.verify(body: message.body, headers: message.headers)
        } catch {
            return .rejected(error.reason)
        }
        let event: CaseEvent
        do {
            event = try CaseEvent.decode(message.body, limits: limits)
        } catch {
            return .rejected(error.reason)
        }
        var state = states[event.caseID]
        let history = histories[event.caseID] ?? .none
        let actions = CaseState.receive(event, state: &state, context: .init(planner: planner, history: history, now: Sample.now))
        var plan: DeliveryPlan?
        for action in actions {
            switch action {
            case .reject(let reason): return .rejected(reason.code)
            case .ignore(let reason): return .ignored(reason.code)
            case .plan(let p): plan = p
            case .cancelPending: break
            }
        }
        states[event.caseID] = state
        guard let plan else { return .rejected("pipeline.no-action") }
        var recipients = history.personalDataRecipients
        var radio = history.radioAnnounced
        for d in plan.deliveries where d.kind.carriesPersonalData {
            if d.recipient == .radio { radio = true } else { recipients[d.recipient] = d.channel }
        }
        histories[event.caseID] = DeliveryHistory(personalDataRecipients: recipients, radioAnnounced: radio)
        return .planned(plan)
    }
}

@Suite("Hostile input (issue 8)")
struct HostileInputTests {
    static let corpus = HostileCorpus.all()

    /// `field.missing:person.age`, `body.not-json`, `case.stale-sequence`, `field.type:clothing[1]`.
    static func isMachineReadable(_ reason: String) -> Bool {
        let parts = reason.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let code = parts[0]
        guard !code.isEmpty, code.contains("."), code.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") })
        else { return false }
        guard parts.count == 2 else { return true }
        return !parts[1].isEmpty && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._[]-".contains($0)) }
    }

    static func run(_ hostile: HostileCase) throws -> (IntakePipeline.Outcome, [IntakePipeline.Outcome]) {
        var pipeline = try IntakePipeline()
        let prelude = hostile.prelude.map { pipeline.deliver($0) }
        return (pipeline.deliver(hostile.message), prelude)
    }

    @Test func theCorpusIsLargeAndCoversEveryClass() {
        #expect(Self.corpus.count >= 200)
        let classes = Set(Self.corpus.map(\.hostileClass))
        for expected in ["valid-control", "malformed-json", "deep-nesting", "wrong-type", "unknown-schema", "oversized", "invalid-utf8",
                         "other-encoding", "consent", "signature", "replay", "stale-sequence", "unknown-case", "huge-array",
                         "long-string", "control-character", "bidi-override", "nul", "template-syntax", "number-range", "bad-date",
                         "case-id", "duplicate-key", "drill-flip", "other-municipality"] {
            #expect(classes.contains(expected), "no case of class \(expected)")
        }
        #expect(Set(Self.corpus.map(\.testDescription)).count == Self.corpus.count, "case names must be unique")
    }

    /// Every case ends as expected: dead-lettered with a machine-readable reason free of personal
    /// data, ignored with a reason, or planned (the controls, consent withheld, template syntax).
    /// Prints one line per class for the issue's closing table.
    @Test func everyCaseEndsAsExpected() throws {
        struct Tally { var count = 0, rejected = 0, ignored = 0, planned = 0, plannedNothing = 0; var reasons: [String: Int] = [:] }
        var tallies: [String: Tally] = [:]
        for hostile in Self.corpus {
            let (outcome, prelude) = try Self.run(hostile)
            let label = hostile.testDescription
            for (i, earlier) in prelude.enumerated() {
                guard case .planned = earlier else {
                    Issue.record("\(label): prelude message \(i) was \(earlier), expected planned")
                    continue
                }
            }
            var tally = tallies[hostile.hostileClass, default: Tally()]
            tally.count += 1
            switch (outcome, hostile.expected) {
            case (.rejected(let reason), .rejected(let allowed)):
                tally.rejected += 1
                tally.reasons[reason, default: 0] += 1
                #expect(allowed.contains(reason), "\(label): rejected with \(reason), expected one of \(allowed)")
            case (.ignored(let reason), .ignored(let expected)):
                tally.ignored += 1
                tally.reasons[reason, default: 0] += 1
                #expect(reason == expected, "\(label): ignored with \(reason), expected \(expected)")
            case (.planned(let plan), .planned):
                tally.planned += 1
                #expect(!plan.deliveries.isEmpty && !plan.notices.isEmpty, "\(label): planned nothing")
            case (.planned(let plan), .plannedNothing):
                tally.plannedNothing += 1
                #expect(plan.deliveries.isEmpty, "\(label): planned \(plan.deliveries.count) deliveries without consent")
            default:
                Issue.record("\(label): \(outcome), expected \(hostile.expected)")
            }
            switch outcome {
            case .rejected(let reason), .ignored(let reason):
                #expect(Self.isMachineReadable(reason), "\(label): reason \(reason.debugDescription) is not machine-readable")
                for value in hostile.personalData where reason.contains(value) {
                    Issue.record("\(label): reason \(reason.debugDescription) contains personal data")
                }
            case .planned:
                break
            }
            tallies[hostile.hostileClass] = tally
        }
        print("hostile-input: \(Self.corpus.count) cases in \(tallies.count) classes")
        for (name, t) in tallies.sorted(by: { $0.key < $1.key }) {
            var outcomes: [String] = []
            if t.rejected > 0 { outcomes.append("rejected \(t.rejected)") }
            if t.ignored > 0 { outcomes.append("ignored \(t.ignored)") }
            if t.planned > 0 { outcomes.append("planned \(t.planned)") }
            if t.plannedNothing > 0 { outcomes.append("planned-nothing \(t.plannedNothing)") }
            let reasons = t.reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            print("hostile-input | \(name) | \(t.count) | \(outcomes.joined(separator: ", ")) | \(reasons)")
        }
    }

    /// Template syntax in event data is data: every notice shows it literally, nothing from the
    /// context leaks in through it, and the notices still render completely.
    @Test func templateSyntaxRendersLiterally() throws {
        let cases = Self.corpus.filter { !$0.literals.isEmpty }
        #expect(cases.count >= 20)
        for hostile in cases {
            let (outcome, _) = try Self.run(hostile)
            guard case .planned(let plan) = outcome else {
                Issue.record("\(hostile.testDescription): \(outcome)")
                continue
            }
            for notice in plan.notices {
                let parts = [notice.email.subject, notice.email.body, notice.fax.plainText, notice.radio?.text ?? ""]
                let all = parts.joined(separator: "\n")
                for literal in hostile.literals {
                    #expect(all.contains(literal), "\(hostile.testDescription): \(literal.debugDescription) not shown literally")
                }
                #expect(notice.email.body.contains(notice.caseID.rawValue), "\(hostile.testDescription): email body incomplete")
                #expect(!notice.fax.rows.isEmpty && !notice.fax.title.isEmpty, "\(hostile.testDescription): fax page incomplete")
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
