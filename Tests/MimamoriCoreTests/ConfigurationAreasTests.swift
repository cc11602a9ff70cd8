import Testing

@testable import MimamoriCore

@Suite("Configuration areas")
struct ConfigurationAreasTests {
    static func settings(_ areas: String) -> String {
        """
        municipality: kimino
        town: { name: 紀美野町, department: 保健福祉課, phone: 073-489-9960 }
        email: { from: "sos@town.example.jp" }
        \(areas)
        """
    }

    @Test func theSampleTreeWithAliasesAndReadings() throws {
        let c = try Configuration.parse(
            yaml: Self.settings(
                """
                areas:
                  紀美野町: [野上, 美里]
                  野上: [下佐々]
                  aliases: { 野上町: 野上 }
                  readings: { 紀美野町: きみのちょう, 野上: のかみ }
                """))
        guard case .known(let area) = c.areas.place("野上町下佐々") else {
            Issue.record("the alias and the child should resolve")
            return
        }
        #expect(c.areas.name(of: area) == "下佐々")
        #expect(c.areas.reading(of: c.areas.root) == "きみのちょう")
        #expect(c.areas.areas.count == 4)
    }

    @Test func withoutAreasTheTreeIsTheTownAlone() throws {
        let c = try Configuration.parse(yaml: Self.settings(""))
        #expect(c.areas.areas.count == 1 && c.areas.name(of: c.areas.root) == "紀美野町")
    }

    @Test func everyMistakeIsReportedWithItsPath() throws {
        #expect {
            try Configuration.parse(
                yaml: Self.settings(
                    """
                    areas:
                      紀美野町: [野上, 美里]
                      美里: [野上]
                      野中: 一つだけ
                      aliases: { 野上町: 大阪 }
                      readings: { 野上: Nokami }
                    """))
        } throws: { error in
            let paths = (error as? ConfigurationError)?.problems.map(\.path) ?? []
            return paths == ["areas.美里", "areas.野中", "areas.aliases.野上町", "areas.readings.野上"]
        }
    }
}
