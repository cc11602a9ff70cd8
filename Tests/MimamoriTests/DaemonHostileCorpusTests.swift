import AMQP
import Foundation
import HostileCorpus
import MimamoriBroker
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The whole hostile-input corpus published to the real broker and consumed by one
/// real `mimamorid`: every message under test ends dead-lettered with its reason (the header
/// and the one log line agree), or acked and ignored with one log line, or recorded; nothing
/// stays in the queue; the daemon stays up; no log line holds personal data; template syntax
/// reaches the volunteers' mail literally; a photo with metadata is attached without it.
@Suite("mimamorid on the hostile-input corpus (real binary, broker, SMTP)", .serialized)
struct DaemonHostileCorpusTests {
    /// The header that ties a message (and its dead-letter copy) to its case of the corpus.
    static let caseHeader = "x-corpus-case"
    /// AMQP carries headers in one frame (frame_max, 128 KiB by default): a larger header cannot
    /// be published at all, so the broker is the first to refuse it.
    static let largestHeaders = 100_000

    @Test(
        "every case of the corpus through the broker and mimamorid: dead-lettered with x-mimamori-reason and one log line, ignored, or recorded; the queue drained, the daemon up, no personal data logged, template syntax mailed literally"
    )
    func theCorpusThroughTheDaemon() async throws {
        let corpus = HostileCorpus.all()
        // As long as the corpus's `kimino`, so that every size stays what the corpus made it.
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let municipality = "h" + String((0..<5).map { _ in alphabet.randomElement()! })
        let cooperators = DaemonFolder.cooperators(email: 2, fax: 0)
        try await withDaemonRig(options: .init(maxAge: "3650d", municipality: municipality), cooperators: cooperators) { rig in
            // The corpus's two police keys are the ones this town trusts.
            for (id, key) in [(HostileCorpus.trustedKeyID, HostileCorpus.trustedKey), (HostileCorpus.secondKeyID, HostileCorpus.secondKey)]
            {
                try PublisherKeys.keyFileContents(key.publicKey).write(
                    to: rig.folder.directory.appendingPathComponent("publishers/\(id).pub"), atomically: true, encoding: .utf8)
            }
            let daemon = try await rig.startConsuming()

            // Publish every case: its prelude, then the message under test.
            var published = 0
            var bodies: [String: [UInt8]] = [:]
            var unpublishable: [String] = []
            var isolated: [[HostileMessage]] = []
            for (index, hostile) in corpus.enumerated() {
                let messages = hostile.isolated(index: index, municipality: municipality)
                isolated.append(messages)
                let headerBytes = messages.map { $0.headers.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count } }.max() ?? 0
                if headerBytes > Self.largestHeaders {
                    unpublishable.append(hostile.label)
                    continue
                }
                for (k, message) in messages.enumerated() {
                    var headers = message.headers
                    headers[Self.caseHeader] = "\(index)"
                    try await rig.publisher.publish(message.body, messageID: "corpus-\(index)-\(k)", headers: headers)
                    published += 1
                    bodies["corpus-\(index)-\(k)"] = message.body
                }
            }
            #expect(unpublishable == ["signature/malformed: 1 MB"], "cases AMQP cannot carry")

            // Every message handled: one line each (recorded, ignored or rejected).
            let handledEvents = ["case.opened", "case.updated", "case.closed", "case.held", "intake.ignored", "intake.rejected"]
            func handled() -> Int { handledEvents.reduce(0) { $0 + daemon.lines(event: $1).count } }
            try await waitUntil(
                "mimamorid handled \(published) messages (has \(handled()))", timeout: .seconds(300), daemon: daemon,
                every: .milliseconds(200)
            ) {
                handled() >= published
            }
            #expect(handled() == published, "one intake line per message")
            #expect(daemon.exitStatus == nil, "mimamorid stopped: \(daemon.tail())")

            // The log line of each decision, by transport message id.
            var decisions: [String: HostileOutcome] = [:]
            for (event, make) in [("intake.rejected", HostileOutcome.rejected), ("intake.ignored", HostileOutcome.ignored)] {
                for line in daemon.lines(event: event) {
                    guard let msg = logField("msg", of: line), let reason = logField("reason", of: line) else {
                        Issue.record("no msg= or reason= in \(line)")
                        continue
                    }
                    #expect(decisions[msg] == nil, "two decisions for \(msg)")
                    decisions[msg] = make(reason)
                }
            }
            // The dead-letter queue holds each rejected message once, with the same reason.
            let rejected = decisions.filter { if case .rejected = $0.value { true } else { false } }
            let dead = try await rig.publisher.takeDead(rejected.count, timeout: .seconds(120))
            var deadReasons: [String: String] = [:]
            var dropped: [String: Int] = [:]
            var keptBodies = 0
            var keptReasons: [String: Int] = [:]
            for delivery in dead {
                let id = delivery.messageID ?? "-"
                #expect(deadReasons[id] == nil, "\(id) dead-lettered twice")
                deadReasons[id] = delivery.headers[DeadLetterHeaders.mimamori.reason]?.stringValue
                #expect(delivery.headers[Self.caseHeader]?.stringValue != nil, "\(id): the dead-letter copy lost its headers")
                // Unsigned, forged and oversized bodies are not kept: headers, size and SHA-256.
                let reason = deadReasons[id] ?? "-"
                if DeadLetterBody.isKept(reason: reason) {
                    #expect(
                        delivery.body == bodies[id] && delivery.headers[DeadLetterBody.sizeHeader] == nil,
                        "\(id) (\(reason)): body not kept as published")
                    keptReasons[reason, default: 0] += 1
                } else {
                    keptBodies += delivery.body.isEmpty ? 0 : 1
                    #expect(delivery.body.isEmpty, "\(id) (\(reason)): a \(delivery.body.count)-byte body was kept")
                    let size = delivery.headers[DeadLetterBody.sizeHeader]?.intValue
                    let digest = delivery.headers[DeadLetterBody.sha256Header]?.stringValue ?? ""
                    #expect(
                        size != nil && digest.count == 64, "\(id) (\(reason)): size \(size.map(String.init) ?? "none"), sha256 \(digest)")
                    if let size, let original = bodies[id] {
                        #expect(
                            Int(size) == original.count && digest == DeadLetterBody.sha256(original),
                            "\(id): size or digest not of the body published")
                    }
                    dropped[reason, default: 0] += 1
                }
            }
            #expect(keptBodies == 0)
            for reason in ["signature.missing", "signature.invalid", "signature.malformed", "body.oversized"] {
                #expect(
                    dropped[reason, default: 0] > 0, "no \(reason) case in the corpus reached the dead queue without its body: \(dropped)")
            }
            #expect(keptReasons["signature.unknown-key", default: 0] > 0, "no signature.unknown-key case kept its body: \(keptReasons)")
            print(
                "hostile-input | mimamorid | dead letters with their body: \(keptReasons.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
            )
            print(
                "hostile-input | mimamorid | dead letters without their body: \(dropped.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
            )
            for (msg, outcome) in rejected {
                guard case .rejected(let reason) = outcome else { continue }
                #expect(deadReasons[msg] == reason, "\(msg): logged \(reason), dead-lettered with \(deadReasons[msg] ?? "nothing")")
            }

            // Recorded events, from the ledger's audit: planned deliveries by message id.
            var planned: [String: Int] = [:]
            for row in try rig.sql(
                "SELECT message_id, detail FROM audit WHERE message_id IS NOT NULL AND event IN ('case.opened', 'case.updated', 'case.closed')"
            ) {
                let parts = row.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                let counts = ["fax", "email", "radio"].compactMap { logField($0, of: " " + parts[1]).flatMap(Int.init) }
                planned[parts[0]] = counts.reduce(0, +)
            }

            var tally = HostileTally()
            for (index, hostile) in corpus.enumerated() where !unpublishable.contains(hostile.label) {
                let messages = isolated[index]
                var outcomes: [HostileOutcome?] = []
                for (k, message) in messages.enumerated() {
                    if let decision = decisions["corpus-\(index)-\(k)"] {
                        outcomes.append(decision)
                    } else if let id = Self.eventMessageID(message.body), let count = planned[id] {
                        outcomes.append(.planned(count))
                    } else {
                        outcomes.append(nil)
                    }
                }
                for (k, outcome) in outcomes.dropLast().enumerated() {
                    if case .planned = outcome { continue }
                    Issue.record("\(hostile.label): prelude message \(k) was \(outcome.map(\.description) ?? "lost"), expected recorded")
                }
                guard let outcome = outcomes.last ?? nil else {
                    Issue.record("\(hostile.label): no decision and nothing recorded (lost)")
                    continue
                }
                for problem in hostile.problems(with: outcome) { Issue.record("\(hostile.label): \(problem)") }
                tally.add(hostile, outcome)
            }
            for line in tally.lines(suite: "mimamorid") { print(line) }
            print(
                "hostile-input | mimamorid | \(published) messages published, \(rejected.count) dead-lettered, \(unpublishable.count) refused by AMQP itself"
            )

            // Template syntax in the data reached the volunteers literally. (The destruction
            // reminders of the closed cases wait for 09:00 of the next business day.)
            let mails = try rig.sql(
                "SELECT count(*) FROM deliveries WHERE channel = 'email' AND kind != 'destruction-reminder' AND state != 'cancelled'")
            try await rig.waitForMail(Int(mails.first ?? "") ?? 0, daemon: daemon, timeout: .seconds(120))
            let received = try rig.smtp.received()
            for (index, hostile) in corpus.enumerated() where !hostile.literals.isEmpty {
                let caseID = "KN-H\(String(format: "%03d", index))-0042"
                // With a prelude (an alert first), the mail of the message under test: the update.
                let bodies = received.compactMap(\.decoded).filter { mail in
                    hostile.prelude.isEmpty || MailTally.kind(of: mail.subject) != "alert"
                }.compactMap(\.body).filter { $0.contains(caseID) }
                #expect(!bodies.isEmpty, "\(hostile.label): no mail for \(caseID)")
                for body in bodies {
                    for literal in hostile.literals where !body.contains(literal) {
                        Issue.record("\(hostile.label): \(literal.debugDescription) not in the mail literally")
                    }
                }
            }

            // Photos with metadata went out attached, without it; the ledger keeps none of it.
            for (index, hostile) in corpus.enumerated() where hostile.photoMetadata {
                let caseID = "KN-H\(String(format: "%03d", index))-0042"
                let mails = received.filter { $0.decoded?.body?.contains(caseID) == true }
                #expect(!mails.isEmpty, "\(hostile.label): no mail for \(caseID)")
                for mail in mails {
                    let attachments = try PhotoLeakCheck.attachments(of: mail.raw)
                    #expect(
                        attachments.filter { $0.contentType.hasPrefix("image/") }.count == 1,
                        "\(hostile.label): \(attachments.map(\.contentType))")
                    for attachment in attachments where !PhotoLeakCheck.markers(in: attachment.bytes).isEmpty {
                        Issue.record(
                            "\(hostile.label): \(PhotoLeakCheck.markers(in: attachment.bytes)) in the \(attachment.contentType) attachment")
                    }
                }
                let stored = try rig.sql(
                    "SELECT hex(body) FROM events WHERE case_id = '\(caseID)' UNION ALL SELECT hex(content) FROM notices WHERE case_id = '\(caseID)'"
                )
                #expect(stored.count >= 2, "\(hostile.label): the event and its notice")
                for row in stored where !PhotoLeakCheck.leaks(in: PhotoLeakCheck.unhex(row)).isEmpty {
                    Issue.record("\(hostile.label): \(PhotoLeakCheck.leaks(in: PhotoLeakCheck.unhex(row))) in the ledger")
                }
            }

            // No log line holds personal data (digits alone would match message ids).
            var personalData = Set(HostileCorpus.samplePersonalData)
            for hostile in corpus { personalData.formUnion(hostile.personalData) }
            personalData = personalData.filter { !$0.allSatisfy(\.isNumber) }
            let stderr = (try? String(contentsOfFile: daemon.stderrPath, encoding: .utf8)) ?? ""
            var leaks = 0
            for line in daemon.lines + stderr.split(separator: "\n").map(String.init) {
                for value in personalData where line.contains(value) {
                    leaks += 1
                    if leaks <= 5 { Issue.record("personal data \(value.debugDescription) in a log line: \(line.prefix(300))") }
                }
            }
            #expect(leaks == 0)
            #expect(daemon.lines.count < 4 * published, "one or two lines per message, not a flood: \(daemon.lines.count)")

            #expect(daemon.exitStatus == nil, "mimamorid stopped: \(daemon.tail())")
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    /// The event's `messageId` (lower case), when the body is a JSON object that has one.
    static func eventMessageID(_ body: [UInt8]) -> String? {
        let json = body.starts(with: [0xEF, 0xBB, 0xBF]) ? Data(body.dropFirst(3)) : Data(body)
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { return nil }
        return (object["messageId"] as? String)?.lowercased()
    }
}
