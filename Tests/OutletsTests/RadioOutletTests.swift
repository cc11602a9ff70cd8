import Foundation
import Logging
import TestFixtures
import Testing

@testable import Outlets

@Suite(.serialized) struct RadioOutletTests {
    let logger = Logger(label: "test.radio")

    static let script = """
        こちらは、きみのちょう、ぼうさいぎょうせいむせんです。\
        行方不明者の捜索にご協力ください。きょう午後3時ごろ、しもささ付近で、80代の男性が行方不明になりました。\
        身長は165センチくらい、紺色のジャンパーに灰色のズボンです。\
        見かけた方は、町役場、073-489-9960まで、ご連絡ください。
        """

    static func alert(drill: Bool = false) -> RadioBroadcast {
        RadioBroadcast(
            identifier: "KN-0042.1.radio", sender: "sos@town.example.jp", sent: Samples.date, kind: .alert,
            headline: "行方不明者の捜索協力のお願い <紀美野町> & 第1報", script: script,
            areaDescription: "和歌山県紀美野町全域", isDrill: drill, senderName: "紀美野町 保健福祉課",
            contact: "紀美野町役場 073-489-9960")
    }

    static func follow(_ kind: RadioBroadcast.Kind, of alert: RadioBroadcast, drill: Bool = false) -> RadioBroadcast {
        RadioBroadcast(
            identifier: "KN-0042.\(kind == .cancel ? "closed" : "2").radio", sender: alert.sender,
            sent: alert.sent.addingTimeInterval(3600), kind: kind, references: [alert.reference],
            headline: kind == .cancel ? "行方不明者の捜索は終了しました" : "行方不明者の捜索（続報）",
            script: kind == .cancel
                ? "きょう行方不明になっていた男性は、無事に見つかりました。ご協力ありがとうございました。"
                : "引き続き、捜索にご協力ください。",
            areaDescription: alert.areaDescription, isDrill: drill)
    }

    struct Verdict: Decodable {
        var file: String
        var ok: Bool
        var error: String?
        var identifier: String?
        var sender: String?
        var sent: String?
        var status: String?
        var msgType: String?
        var references: [String]?
        var headline: String?
        var description: String?
        var category: [String]?
        var language: String?
    }

    /// Runs `Tests/Servers/validate_cap.py` (cap-tools, strict) on each document.
    static func validate(_ documents: [String]) throws -> [Verdict] {
        let directory = try ServerProcess.temporaryDirectory("cap")
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for (index, document) in documents.enumerated() {
            let url = directory.appendingPathComponent("\(index).xml")
            try document.write(to: url, atomically: true, encoding: .utf8)
            files.append(url.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Samples.repositoryFile("Tests/Servers/validate_cap.py").path] + files
        let pipe = Pipe()
        process.standardOutput = pipe
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let verdicts = try String(decoding: output, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Verdict.self, from: Data($0.utf8))
        }
        guard verdicts.count == documents.count else {
            throw FixtureError("validate_cap.py did not answer (cap-tools installed?): \(String(decoding: stderr, as: UTF8.self))")
        }
        return verdicts
    }

    @Test func everyDocumentIsAcceptedByStrictCapTools() throws {
        let alert = Self.alert()
        let documents = try [
            alert, Self.follow(.update, of: alert), Self.follow(.cancel, of: alert), Self.alert(drill: true),
            Self.follow(.cancel, of: Self.alert(drill: true), drill: true),
        ].map { try CAPDocument($0).xml }
        let verdicts = try Self.validate(documents)
        for verdict in verdicts { #expect(verdict.ok, "\(verdict.error ?? "")") }
        #expect(verdicts.map(\.msgType) == ["Alert", "Update", "Cancel", "Alert", "Cancel"])
        #expect(verdicts.map(\.status) == ["Actual", "Actual", "Actual", "Exercise", "Exercise"])
        #expect(verdicts[0].sent == "2026-11-27T15:35:00+09:00")
        #expect(verdicts[0].headline == alert.headline, "escaped and read back unchanged")
        #expect(verdicts[0].description == Self.script)
        #expect(verdicts[0].category == ["Rescue"] && verdicts[0].language == "ja-JP")
        // The cancel names the alert exactly as CAP wants: sender,identifier,sent.
        #expect(verdicts[2].references == ["sos@town.example.jp,KN-0042.1.radio,2026-11-27T15:35:00+09:00"])
        #expect(verdicts[2].references?.first == "\(verdicts[0].sender!),\(verdicts[0].identifier!),\(verdicts[0].sent!)")
    }

    @Test func theValidatorRejectsAMissingSenderAndABadMsgType() throws {
        let good = try CAPDocument(Self.alert()).xml
        let noSender = good.split(separator: "\n").filter { !$0.contains("<sender>") }.joined(separator: "\n")
        let badType = good.replacingOccurrences(of: "<msgType>Alert</msgType>", with: "<msgType>Alarm</msgType>")
        let unknown = good.replacingOccurrences(of: "<scope>Public</scope>", with: "<scope>Public</scope><x>1</x>")
        let verdicts = try Self.validate([good, noSender, badType, unknown])
        #expect(verdicts.map(\.ok) == [true, false, false, false])
        #expect(verdicts[1].error?.contains("sender") == true, "\(verdicts[1].error ?? "")")
        #expect(verdicts[2].error?.contains("MsgType") == true, "\(verdicts[2].error ?? "")")
    }

    @Test func unusableBroadcastsAreRejectedBeforeSending() {
        var spaced = Self.alert()
        spaced.identifier = "KN 0042"
        #expect(throws: OutletError.self) { try CAPDocument(spaced) }
        var orphan = Self.follow(.cancel, of: Self.alert())
        orphan.references = []
        #expect(throws: OutletError.self) { try CAPDocument(orphan) }
    }

    @Test func capIsPostedAsApplicationCapXML() async throws {
        let receiver = try HTTPReceiver()
        defer { receiver.stop() }
        let radio = try RadioOutlet(
            configuration: .init(capURL: receiver.url("/cap"), capHeaders: ["Authorization: Bearer r"]), logger: logger)
        let receipt = try await radio.send(Self.alert())
        await radio.shutdown()
        #expect(receipt.httpStatus == 200)
        let requests = try receiver.requests()
        try #require(requests.count == 1)
        #expect(requests[0].path == "/cap")
        #expect(requests[0].headers["content-type"] == "application/cap+xml")
        #expect(requests[0].headers["authorization"] == "Bearer r")
        #expect(String(decoding: requests[0].body, as: UTF8.self) == (try CAPDocument(Self.alert()).xml))
    }

    @Test func gatewayErrorsAreTransientOrPermanent() async throws {
        let receiver = try HTTPReceiver(.init(status: 202, statuses: [503, 400]))
        defer { receiver.stop() }
        let radio = try RadioOutlet(configuration: .init(capURL: receiver.url("/cap")), logger: logger)
        var errors: [OutletError] = []
        for _ in 0..<2 {
            do { _ = try await radio.send(Self.alert()) } catch { errors.append(error) }
        }
        #expect(errors.map(\.isRetriable) == [true, false])
        #expect(try await radio.send(Self.alert()).httpStatus == 202)
        await radio.shutdown()
    }

    @Test func spoolGetsScriptCAPAndAWavThatSoxiReads() async throws {
        let spool = try ServerProcess.temporaryDirectory("spool")
        defer { try? FileManager.default.removeItem(at: spool) }
        let radio = try RadioOutlet(
            configuration: .init(
                spool: RadioSpool(
                    directory: spool.path, ttsCommand: ["espeak-ng", "-v", "ja", "-w", "{wav}", "-f", "{text}"])), logger: logger)
        let alert = Self.alert(drill: true)
        let receipt = try await radio.send(alert)
        let names = try FileManager.default.contentsOfDirectory(atPath: spool.path).sorted()
        #expect(names == ["KN-0042.1.radio.txt", "KN-0042.1.radio.wav", "KN-0042.1.radio.xml"], "no temporary files left")
        #expect(receipt.spooledFiles.count == 3)
        #expect(try String(contentsOf: spool.appendingPathComponent("KN-0042.1.radio.txt"), encoding: .utf8) == Self.script + "\n")
        #expect(try Self.validate([String(contentsOf: spool.appendingPathComponent("KN-0042.1.radio.xml"), encoding: .utf8)])[0].ok)

        let soxi = Process()
        soxi.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        soxi.arguments = ["soxi", "-D", spool.appendingPathComponent("KN-0042.1.radio.wav").path]
        let pipe = Pipe()
        soxi.standardOutput = pipe
        try soxi.run()
        let duration =
            Double(
                String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        soxi.waitUntilExit()
        #expect(soxi.terminationStatus == 0)
        #expect(duration > 3, "seconds of speech: \(duration)")

        // A retry (e.g. after a failed POST) leaves the spooled files alone.
        let before = try FileManager.default.attributesOfItem(atPath: spool.appendingPathComponent("KN-0042.1.radio.txt").path)
        _ = try await radio.send(alert)
        let after = try FileManager.default.attributesOfItem(atPath: spool.appendingPathComponent("KN-0042.1.radio.txt").path)
        #expect(before[.systemFileNumber] as? Int == after[.systemFileNumber] as? Int)
        await radio.shutdown()
    }

    @Test func spoolWithoutTTSAndBadSpoolSettings() async throws {
        let spool = try ServerProcess.temporaryDirectory("spool")
        defer { try? FileManager.default.removeItem(at: spool) }
        let radio = try RadioOutlet(configuration: .init(spool: RadioSpool(directory: spool.path)), logger: logger)
        _ = try await radio.send(Self.follow(.cancel, of: Self.alert()))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: spool.path).sorted()
                == ["KN-0042.closed.radio.txt", "KN-0042.closed.radio.xml"])
        #expect(throws: OutletError.self) {
            try RadioOutlet(configuration: .init(spool: RadioSpool(directory: "/nonexistent/spool")), logger: logger)
        }
        #expect(throws: OutletError.self) {
            try RadioOutlet(
                configuration: .init(spool: RadioSpool(directory: spool.path, ttsCommand: ["no-such-tts", "{wav}"])), logger: logger)
        }
        #expect(throws: OutletError.self) { try RadioOutlet(configuration: .init(), logger: logger) }
    }

    @Test func failingTTSIsReportedAndLeavesNothingBehind() async throws {
        let spool = try ServerProcess.temporaryDirectory("spool")
        defer { try? FileManager.default.removeItem(at: spool) }
        let radio = try RadioOutlet(
            configuration: .init(
                spool: RadioSpool(
                    directory: spool.path, ttsCommand: ["sh", "-c", "echo partial > \"$0\"; exit 3", "{wav}"])), logger: logger)
        await #expect {
            _ = try await radio.send(Self.alert())
        } throws: { error in
            (error as? OutletError)?.code == .subprocessFailed
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path).isEmpty)
    }
}
