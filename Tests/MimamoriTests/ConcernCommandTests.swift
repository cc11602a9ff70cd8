import AMQP
import Foundation
import Ledger
import MimamoriBroker
import MimamoriCore
import TestFixtures
import Testing

/// `mimamori concern report` and `concern resolve` as staff run them: the real binary, the test
/// broker, and for `resolve` the real daemon whose ledger it reads the report's sequence from.
@Suite("mimamori concern report / resolve with the real broker (and mimamorid)", .serialized)
struct ConcernCommandTests {
    /// What staff write after the phone call: no wire fields, a phone number YAML would read as a
    /// number, the Japanese yes and no.
    static let staffFile = """
        # 電話で受けた情報提供（12月2日 10時15分ごろ）
        subject:
          name: 美作 一郎
          address: 勝田のJA支所付近
          area: 勝田
        observation: ここ1週間ほど毎朝同じ服装で来店し、支払いの仕方がわからなくなっている様子。
        urgent: いいえ
        consent: はい
        reporter:
          organization: ほっとマート勝田店（架空）
          name: 作東 花子
          phone: 0868750000
          email: tenpo@hotmart.example.jp

        """

    @Test(
        "a staff member's YAML file becomes a signed mimamori.concern/1 report on the town's concerns queue, with a readable report id and the desks it reaches"
    )
    func reportPublishesASignedEvent() async throws {
        try await withConcernRig { rig, city in
            let file = rig.folder.directory.appendingPathComponent("report.yaml")
            try Self.staffFile.write(to: file, atomically: true, encoding: .utf8)
            let run = try rig.cliStatus(["concern", "report", file.path] + city.arguments)
            #expect(run.status == 0, "\(run)")

            let delivery = try await city.take(from: AMQPTopology.concernsQueue(municipality: rig.folder.municipality))
            #expect(delivery.routingKey == "concern.\(rig.folder.municipality).reported")
            var headers: [String: String] = [:]
            for (name, value) in delivery.headers { if case .string(let text) = value { headers[name] = text } }
            #expect(try city.keys.verify(body: delivery.body, headers: headers) == city.keyID)
            let event = try ConcernEvent.decode(delivery.body)
            #expect(event.kind == .reported && event.sequence == 1 && event.municipality == rig.folder.municipality)
            #expect(event.subject == ConcernEvent.Subject(name: "美作 一郎", address: "勝田のJA支所付近", area: "勝田"))
            #expect(event.reporter?.phone == "0868750000", "the phone number lost its leading zero")
            #expect(event.reporter?.email == "tenpo@hotmart.example.jp")
            #expect(!event.urgent && event.consent)
            #expect(abs(event.issuedAt.timeIntervalSinceNow) < 60)
            #expect(delivery.messageID == event.messageID.uuidString.lowercased())
            let upper = rig.folder.municipality.uppercased()
            #expect(event.reportID.rawValue.hasPrefix("\(upper)-C-"), "\(event.reportID)")
            #expect(run.stdout.contains("report \(event.reportID) (受付番号を付けました)"), "\(run.stdout)")
            // The desk depends on the hour the test runs; that a route was printed, by rule, it does not.
            #expect(run.stdout.contains("routed now to: ") && run.stdout.contains("rule="), "\(run.stdout)")

            // The JSON sample, which has every wire field, is published as it is.
            let sample = ServerProcess.repositoryRoot.appendingPathComponent("config/samples/concern-reported.json")
            let text = try String(contentsOf: sample, encoding: .utf8).replacingOccurrences(
                of: "\"municipality\": \"mimasaka\"", with: "\"municipality\": \"\(rig.folder.municipality)\"")
            let json = rig.folder.directory.appendingPathComponent("concern-reported.json")
            try text.write(to: json, atomically: true, encoding: .utf8)
            let again = try rig.cliStatus(["concern", "report", json.path] + city.arguments)
            #expect(again.status == 0, "\(again)")
            let second = try ConcernEvent.decode(
                try await city.take(from: AMQPTopology.concernsQueue(municipality: rig.folder.municipality)).body)
            let original = try ConcernEvent.decode(Array(text.utf8))
            #expect(second == original)
            #expect(again.stdout.contains("report MS-C-2026-0007 published"), "\(again.stdout)")
        }
    }

    @Test("a file with a typo or a wrong value is refused before anything is published, in Japanese with the field's path")
    func badFileIsRefused() async throws {
        try await withConcernRig { rig, city in
            let cases: [(String, String, [String])] = [
                (
                    "a letter in the phone number",
                    Self.staffFile.replacingOccurrences(of: "phone: 0868750000", with: "phone: 0868-75-00OO"),
                    ["reporter.phone（電話番号）", "数字とハイフン"]
                ),
                (
                    "a misspelt key", Self.staffFile.replacingOccurrences(of: "  email:", with: "  emial:"),
                    ["reporter.emial", "この項目名は使えません"]
                ),
                (
                    "urgent left out", Self.staffFile.replacingOccurrences(of: "urgent: いいえ\n", with: ""),
                    ["urgent（緊急対応の有無）", "必ず書いてください"]
                ),
                (
                    "consent as a word the reader does not know",
                    Self.staffFile.replacingOccurrences(of: "consent: はい", with: "consent: たぶん"), ["consent（情報提供同意有無）"]
                ),
                (
                    "another town", "municipality: elsewhere\n" + Self.staffFile, ["municipality（市町村）", "設定ファイルの市町村"]
                ),
                ("not YAML", "subject: [美作\n  :", ["YAML として読めません"]),
            ]
            for (label, text, expected) in cases {
                let file = rig.folder.directory.appendingPathComponent("bad.yaml")
                try text.write(to: file, atomically: true, encoding: .utf8)
                let run = try rig.cliStatus(["concern", "report", file.path] + city.arguments)
                #expect(run.status != 0, "\(label): \(run)")
                for words in expected + ["送信していません"] {
                    #expect(run.stderr.contains(words), "\(label): \(run.stderr)")
                }
                // Never the value that was wrong: stderr may end up in a ticket.
                #expect(!run.stderr.contains("00OO") && !run.stderr.contains("作東"), "\(label): \(run.stderr)")
            }
            let counts = try await rig.broker.ctl("list_queues", "-p", rig.broker.virtualHost, "name", "messages")
            let line = counts.split(separator: "\n").first {
                $0.hasPrefix(AMQPTopology.concernsQueue(municipality: rig.folder.municipality))
            }
            #expect(line?.split(whereSeparator: \.isWhitespace).last == "0", "\(counts)")
        }
    }

    @Test(
        "resolve picks the sequence after the ledger's last one, refuses an unknown report and a resolved one; the daemon records the result"
    )
    func resolveFollowsTheLedger() async throws {
        try await withConcernRig(declare: false) { rig, city in
            let daemon = try await rig.startConsuming()
            let file = rig.folder.directory.appendingPathComponent("report.yaml")
            try ("reportId: T-C-0001\n" + Self.staffFile).write(to: file, atomically: true, encoding: .utf8)
            let report = try rig.cliStatus(["concern", "report", file.path] + city.arguments)
            #expect(report.status == 0, "\(report)")
            #expect(report.stdout.contains("report T-C-0001 published"), "\(report.stdout)")
            let ledger = try rig.ledger()
            try await waitUntil("the daemon recorded T-C-0001", daemon: daemon, every: .milliseconds(100)) {
                try await ledger.status(case: CaseID("T-C-0001"))?.lastSequence == 1
            }

            let unknown = try rig.cliStatus(["concern", "resolve", "T-C-9999", "--result", "訪問しました。"] + city.arguments)
            #expect(unknown.status != 0 && unknown.stderr.contains("no such concern report"), "\(unknown)")

            let resultFile = rig.folder.directory.appendingPathComponent("result.txt")
            try "12月3日に勝田地域ステーションの職員が訪問し、\nご本人とお話ししました。ご連絡ありがとうございました。\n".write(
                to: resultFile, atomically: true, encoding: .utf8)
            let resolve = try rig.cliStatus(["concern", "resolve", "T-C-0001", "--result-file", resultFile.path] + city.arguments)
            #expect(resolve.status == 0, "\(resolve)")
            #expect(resolve.stdout.contains("resolved (sequence 2)"), "\(resolve.stdout)")
            try await waitUntil("the daemon recorded the result", daemon: daemon, every: .milliseconds(100)) {
                try await ledger.status(case: CaseID("T-C-0001"))?.lastSequence == 2
            }
            let status = try #require(try await ledger.status(case: CaseID("T-C-0001")))
            #expect(status.stateName == "resolved" && status.schema == EventSchema.concern.rawValue)

            let twice = try rig.cliStatus(["concern", "resolve", "T-C-0001", "--result", "もう一度"] + city.arguments)
            #expect(twice.status != 0 && twice.stderr.contains("already resolved"), "\(twice)")
            let both = try rig.cliStatus(["concern", "resolve", "T-C-0001"] + city.arguments)
            #expect(both.status != 0 && both.stderr.contains("--result"), "\(both)")
        }
    }
}

/// The city's side of a concern test: its key (trusted by the folder's daemon), how the CLI
/// reaches the broker, and a connection to read what it published.
struct ConcernCity {
    let keyID = "city-e2e"
    let keyPath: String
    let passwordFile: String
    let keys: PublisherKeys
    let connection: AMQPConnection

    var arguments: [String] { ["--key", keyPath, "--password-file", passwordFile] }

    /// The next message of `queue`, acked.
    func take(from queue: String, timeout: Duration = .seconds(20)) async throws -> AMQPDelivery {
        let deliveries = try await connection.consume(queue: queue)
        let taken = try await withThrowingTaskGroup(of: AMQPDelivery?.self) { group in
            group.addTask {
                for try await delivery in deliveries {
                    try await connection.ack(delivery)
                    return delivery
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let taken else { throw FixtureError("no message on \(queue) within \(timeout)") }
        return taken
    }
}

/// A daemon folder whose settings take concern reports (Mimasaka's desks, in a town of its own
/// with the areas 勝田 and 大原), a city key the daemon trusts, and the concerns topology
/// declared (unless the daemon is to declare it).
func withConcernRig(declare: Bool = true, _ body: (DaemonRig, ConcernCity) async throws -> Void) async throws {
    var options = DaemonFolder.Options()
    options.town = "美作市"
    options.areas = "{ 美作市: [勝田, 大原] }"
    try await withDaemonRig(options: options, cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
        let folder = rig.folder
        try """
        concerns:
          centre: centre
          after-hours: duty
          desks:
            - { id: centre, name: 美作市総合相談支援センター, phone: 0868-73-0330, email: sodan@city.mimasaka.example.jp }
            - { id: shoda, name: 勝田地域ステーション, phone: 0868-75-3601, email: shoda@shakyo.mimasaka.example.jp, areas: [勝田] }
            - { id: duty, name: 美作市役所（日直）, phone: 0868-72-1111, email: nicchoku@city.mimasaka.example.jp }

        """.appendLine(toFile: folder.settingsPath)
        let pair = EventSigner.generate(name: "city-e2e")
        let keyPath = folder.directory.appendingPathComponent("keys/city-e2e.key").path
        try pair.privateKey.write(toFile: keyPath, atomically: true, encoding: .utf8)
        try pair.publicKey.write(
            to: folder.directory.appendingPathComponent("publishers/city-e2e.pub"), atomically: true, encoding: .utf8)
        var keys = PublisherKeys()
        try keys.add(keyID: "city-e2e", fileContents: pair.publicKey)
        let connection = try await AMQPConnection.connect(
            try rig.broker.configuration(),
            topology: declare ? .mimamori(municipality: folder.municipality, concerns: true) : nil,
            logger: Broker.logger("concern-city"))
        let city = ConcernCity(
            keyPath: keyPath, passwordFile: folder.credentialsDirectory.appendingPathComponent("broker-password").path, keys: keys,
            connection: connection)
        do {
            try await body(rig, city)
        } catch {
            try? await connection.delete(queue: AMQPTopology.concernsQueue(municipality: folder.municipality))
            await connection.close()
            throw error
        }
        try? await connection.delete(queue: AMQPTopology.concernsQueue(municipality: folder.municipality))
        await connection.close()
    }
}

extension String {
    fileprivate func appendLine(toFile path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n" + self).utf8))
    }
}
