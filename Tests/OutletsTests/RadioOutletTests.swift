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
            identifier: "KN-0042.1.radio", sender: "sos@town.example.jp", sent: Samples.date,
            expires: Samples.date.addingTimeInterval(24 * 3600), kind: .alert, incident: "KN-0042",
            headline: "行方不明者の捜索協力のお願い <紀美野町> & 第1報", script: script,
            areaDescription: "和歌山県紀美野町全域", isDrill: drill, drillNote: "訓練 (drill): not to be broadcast as real",
            senderName: "紀美野町 保健福祉課",
            contact: "紀美野町役場 073-489-9960")
    }

    static func follow(_ kind: RadioBroadcast.Kind, of alert: RadioBroadcast, drill: Bool = false) -> RadioBroadcast {
        let sent = alert.sent.addingTimeInterval(3600)
        let over = kind == .allClear || kind == .cancel
        return RadioBroadcast(
            identifier: "KN-0042.\(kind == .allClear ? "closed" : kind == .cancel ? "retracted" : "2").radio", sender: alert.sender,
            sent: sent, expires: sent.addingTimeInterval(over ? 3600 : 24 * 3600), kind: kind, incident: alert.incident,
            references: [alert.reference],
            headline: over ? "行方不明者の捜索は終了しました" : "行方不明者の捜索（続報）",
            script: over
                ? "行方不明者の捜索は終了しました。ご協力ありがとうございました。"
                : "引き続き、捜索にご協力ください。",
            areaDescription: alert.areaDescription, isDrill: drill, drillNote: alert.drillNote)
    }

    static func validate(_ documents: [String]) throws -> [CAPValidator.Verdict] { try CAPValidator.validate(documents) }

    @Test func everyDocumentIsAcceptedByStrictCapTools() throws {
        let alert = Self.alert()
        let documents = try [
            alert, Self.follow(.update, of: alert), Self.follow(.allClear, of: alert), Self.alert(drill: true),
            Self.follow(.allClear, of: Self.alert(drill: true), drill: true), Self.follow(.cancel, of: alert),
        ].map { try CAPDocument($0).xml }
        let verdicts = try Self.validate(documents)
        for verdict in verdicts { #expect(verdict.ok, "\(verdict.error ?? "")") }
        // The end of a search is an all-clear Update; Cancel is only for a message sent in error.
        #expect(verdicts.map(\.msgType) == ["Alert", "Update", "Update", "Alert", "Update", "Cancel"])
        #expect(verdicts.map(\.responseType) == [[], [], ["AllClear"], [], ["AllClear"], ["None"]])
        #expect(verdicts.map(\.urgency) == ["Immediate", "Immediate", "Past", "Immediate", "Past", "Past"])
        #expect(verdicts.map(\.status) == ["Actual", "Actual", "Actual", "Exercise", "Exercise", "Actual"])
        // One incident ties every message of the case together; each message expires.
        #expect(verdicts.allSatisfy { $0.incidents == ["KN-0042"] })
        #expect(verdicts[0].expires == "2026-11-28T15:35:00+09:00")
        #expect(verdicts[1].expires == "2026-11-28T16:35:00+09:00", "an update renews the expiry")
        #expect(verdicts[2].expires == "2026-11-27T17:35:00+09:00", "the all-clear expires soon")
        #expect(verdicts[0].sent == "2026-11-27T15:35:00+09:00")
        #expect(verdicts[0].headline == alert.headline, "escaped and read back unchanged")
        #expect(verdicts[0].description == Self.script)
        #expect(verdicts[0].category == ["Rescue"] && verdicts[0].language == "ja-JP")
        // The all-clear names the alert exactly as CAP wants: sender,identifier,sent.
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
        var orphan = Self.follow(.allClear, of: Self.alert())
        orphan.references = []
        #expect(throws: OutletError.self) { try CAPDocument(orphan) }
        var spacedIncident = Self.alert()
        spacedIncident.incident = "KN 0042"
        #expect(throws: OutletError.self) { try CAPDocument(spacedIncident) }
        var expiredBeforeSent = Self.alert()
        expiredBeforeSent.expires = expiredBeforeSent.sent.addingTimeInterval(-1)
        #expect(throws: OutletError.self) { try CAPDocument(expiredBeforeSent) }
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
        _ = try await radio.send(Self.follow(.allClear, of: Self.alert()))
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
