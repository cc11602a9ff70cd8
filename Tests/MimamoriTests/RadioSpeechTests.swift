import Foundation
import Logging
import MimamoriCore
import Outlets
import TestFixtures
import Testing

/// The radio speaks Japanese: the sample case's alert script, rendered with the sample settings,
/// is spoken by Open JTalk through `deploy/open-jtalk-tts` as the daemon's radio spool runs it,
/// and Open JTalk's own text analysis (`-ot`) shows how it read the town's name.
///
/// Needs Debian's open-jtalk and open-jtalk-mecab-naist-jdic and the voice scripts/deps.sh
/// installs; a machine without them fails here (nothing is skipped).
@Suite(.serialized) struct RadioSpeechTests {
    static let root = ServerProcess.repositoryRoot
    static let wrapper = root.appendingPathComponent("deploy/open-jtalk-tts").path

    /// The alert's radio script as the daemon renders it from the sample settings.
    static func sampleAlertScript() throws -> String {
        let yaml = try String(contentsOf: root.appendingPathComponent("config/mimamori.yaml"), encoding: .utf8)
        let configuration = try Configuration.parse(yaml: yaml)
        let event = try CaseEvent.decode(try Data(contentsOf: root.appendingPathComponent("config/samples/case-opened.json")))
        let planner = Planner(configuration: configuration, directory: CooperatorDirectory())
        let notice = planner.renderer.description(.alert, event: event, photo: nil, sentAt: event.issuedAt)
        return try #require(notice.radio?.text)
    }

    /// Open JTalk's trace: each `[Text analysis result]` block's rows (surface, part of speech …,
    /// reading, pronunciation, accent), one block per piece spoken.
    static func analysis(_ trace: String) -> [[[String]]] {
        var blocks: [[[String]]] = []
        var inBlock = false
        for line in trace.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "[Text analysis result]" {
                blocks.append([])
                inBlock = true
            } else if line.isEmpty || line.hasPrefix("[") {
                inBlock = false
            } else if inBlock {
                blocks[blocks.count - 1].append(line.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
            }
        }
        return blocks
    }

    /// The readings (katakana) of a block's words, joined.
    static func reading(_ block: [[String]]) -> String { block.map { $0.count > 8 ? $0[8] : "" }.joined() }

    static func requireOpenJTalk() throws {
        try #require(
            ["/usr/bin/open_jtalk", "/usr/local/bin/open_jtalk"].contains { FileManager.default.isExecutableFile(atPath: $0) },
            "open_jtalk is not installed: scripts/deps.sh installs open-jtalk, its dictionary and voice")
    }

    @Test func theAlertIsSpokenWithTheTownsReading() async throws {
        try Self.requireOpenJTalk()
        let script = try Self.sampleAlertScript()
        #expect(script.hasPrefix("こちらは、きみのちょう役場です。\n"))

        let spool = try ServerProcess.temporaryDirectory("speech")
        defer { try? FileManager.default.removeItem(at: spool) }
        let trace = spool.appendingPathComponent("analysis.trace").path
        let outlet = try RadioOutlet(
            configuration: .init(
                spool: RadioSpool(
                    directory: spool.path, ttsCommand: [Self.wrapper, "-t", trace, "{text}", "{wav}"],
                    ttsTimeout: .seconds(300))),
            logger: Logger(label: "test.speech"))
        let receipt = try await outlet.send(
            RadioBroadcast(
                identifier: "KN-2026-0042.1.radio", sender: "sos@town.example.jp", sent: Date(),
                expires: Date().addingTimeInterval(86400), kind: .alert, incident: "KN-2026-0042",
                headline: "行方不明の方のお知らせ", script: script, areaDescription: "紀美野町", isDrill: false))
        await outlet.shutdown()
        let wav = try #require(receipt.spooledFiles.first { $0.hasSuffix(".wav") })
        #expect(FileManager.default.contents(atPath: wav)?.prefix(4) == Data("RIFF".utf8))

        let blocks = Self.analysis(try String(contentsOfFile: trace, encoding: .utf8))
        // Sentence by sentence: every sentence of the script was analysed, none cut off.
        #expect(blocks.count == script.filter { $0 == "。" }.count)
        let first = try #require(blocks.first)
        #expect(Self.reading(first).contains("キミノチョウ"), "read as \(Self.reading(first))")
        let all = blocks.map(Self.reading).joined(separator: "／")
        #expect(!all.contains("キミノマチ"))
        #expect(Self.reading(try #require(blocks.last)).hasPrefix("ゴキョウリョクヲ、オネガイシマス"))
    }

    /// Without a reading Open JTalk's dictionary says キミノマチ: the reason the script carries kana.
    @Test func withoutTheReadingOpenJTalkSaysKiminomachi() throws {
        try Self.requireOpenJTalk()
        let folder = try ServerProcess.temporaryDirectory("speech")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("script.txt")
        try Data("こちらは、紀美野町役場です。\n".utf8).write(to: text)
        let trace = folder.appendingPathComponent("analysis.trace").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.wrapper)
        process.arguments = ["-t", trace, text.path, folder.appendingPathComponent("out.wav").path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let blocks = Self.analysis(try String(contentsOfFile: trace, encoding: .utf8))
        #expect(blocks.count == 1)
        #expect(Self.reading(try #require(blocks.first)).contains("キミノマチ"))
    }
}
