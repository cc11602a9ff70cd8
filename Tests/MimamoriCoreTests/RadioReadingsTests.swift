import Foundation
import Testing

@testable import MimamoriCore

@Suite("Radio readings")
struct RadioReadingsTests {
    static func settings(town reading: String? = nil, areas: String = "") -> String {
        """
        municipality: kimino
        town: { name: 紀美野町, department: 保健福祉課, phone: 073-489-9960\(reading.map { ", reading: \($0)" } ?? "") }
        email: { from: "sos@town.example.jp" }
        \(areas)
        """
    }

    static let areas = """
        areas:
          紀美野町: [野上, 美里]
          野上: [下佐々]
          美里: [野中]
          aliases: { 野上町: 野上 }
          readings: { 野上: のかみ, 下佐々: しもささ, 野中: のなか }
        """

    @Test func townReadingIsTheRootsReading() throws {
        let c = try Configuration.parse(yaml: Self.settings(town: "きみのちょう", areas: Self.areas))
        #expect(c.town.reading == "きみのちょう")
        #expect(c.areas.reading(of: c.areas.root) == "きみのちょう")
        // Given in areas.readings only, it is the town's reading too.
        let fromAreas = try Configuration.parse(yaml: Self.settings(areas: "areas: { readings: { 紀美野町: キミノチョウ } }"))
        #expect(fromAreas.town.reading == "キミノチョウ")
        // The same reading twice is no mistake.
        _ = try Configuration.parse(yaml: Self.settings(town: "きみのちょう", areas: "areas: { readings: { 紀美野町: きみのちょう } }"))
    }

    @Test func aReadingIsKanaAndGivenOnce() throws {
        #expect {
            try Configuration.parse(yaml: Self.settings(town: "Kimino-cho"))
        } throws: { error in
            (error as? ConfigurationError)?.problems.map(\.path) == ["town.reading"]
        }
        #expect {
            try Configuration.parse(yaml: Self.settings(town: "きみのちょう", areas: "areas: { readings: { 紀美野町: きみのまち } }"))
        } throws: { error in
            let problems = (error as? ConfigurationError)?.problems ?? []
            return problems.map(\.path) == ["town.reading"] && problems[0].message.contains("きみのまち")
        }
    }

    @Test func longestNameFirstAndReadingsAreNotScannedAgain() {
        var tree = AreaTree(root: "紀美野町")
        try? tree.add(children: ["紀美野", "野上"], under: "紀美野町")
        try? tree.add(reading: "きみのちょう", for: "紀美野町")
        try? tree.add(reading: "きみの", for: "紀美野")
        // A reading that holds another written name: replaced once, never again.
        try? tree.add(reading: "野上", for: "野上")
        let readings = RadioReadings(tree)
        #expect(readings.spoken("紀美野町の紀美野と野上") == "きみのちょうのきみのと野上")
        #expect(RadioReadings(AreaTree(root: "紀美野町")).spoken("紀美野町") == "紀美野町")
    }

    /// The sample case with readings: the radio says them, email and FAX keep the written names.
    @Test func onlyTheRadioScriptCarriesTheReadings() throws {
        let c = try Configuration.parse(yaml: Self.settings(town: "きみのちょう", areas: Self.areas))
        let planner = Planner(configuration: c, directory: CooperatorDirectory())
        let plain = Planner(configuration: try Configuration.parse(yaml: Self.settings()), directory: CooperatorDirectory())
        let event = try Sample.opened()
        let alert = planner.renderer.description(.alert, event: event, photo: nil, sentAt: Sample.now)
        let written = plain.renderer.description(.alert, event: event, photo: nil, sentAt: Sample.now)
        let radio = try #require(alert.radio?.text)
        #expect(radio.hasPrefix("こちらは、きみのちょう役場です。\n"))
        #expect(radio.contains("きみのちょうしもささの県道沿いで見かけられた"))
        #expect(!radio.contains("紀美野町") && !radio.contains("下佐々"))
        // Nothing else of the script changed.
        let back = radio.replacingOccurrences(of: "きみのちょう", with: "紀美野町").replacingOccurrences(of: "しもささ", with: "下佐々")
        #expect(back == written.radio?.text)
        #expect(alert.email == written.email)
        #expect(alert.fax == written.fax)
        #expect(alert.email.body.contains("紀美野町下佐々の県道沿い"))
        // The termination's script is the town's too.
        let termination = planner.renderer.termination(
            caseID: event.caseID, revision: 2, drill: false, firstNoticeAt: Sample.now, sentAt: Sample.now)
        #expect(termination.radio?.text.hasPrefix("こちらは、きみのちょう役場です。") == true)
    }
}
