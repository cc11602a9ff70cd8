import Foundation
import MimamoriCore
import Testing

@Suite("registry: and shelter: settings")
struct RegistrySettingsTests {
    static let base = """
        municipality: kimino
        town: { name: 紀美野町, department: 保健福祉課, phone: 073-489-5901 }
        email: { from: "sos@town.example.jp" }

        """

    static func problems(_ yaml: String) -> [String] { Configuration.problems(parsing: base + yaml) }

    @Test("the shipped settings turn both on, with the facility of 別表第1")
    func shipped() throws {
        let url = Files.testsDirectory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "config/mimamori.yaml")
        let c = try Configuration.parse(yaml: try String(contentsOf: url, encoding: .utf8))
        let registry = try #require(c.registry)
        #expect(registry.remindDays == 30 && registry.grace == .seconds(60 * 86400) && registry.remindAt == TimeOfDay(hour: 9, minute: 0))
        let facility = try #require(c.shelter?.facility("yasuragi"))
        #expect(facility.name == "介護老人福祉施設やすらぎ園" && facility.address == "海草郡紀美野町下佐々1408番地7")
    }

    @Test("absent: off; `registry: {}`: on with the defaults")
    func defaults() throws {
        #expect(try Configuration.parse(yaml: Self.base).registry == nil)
        #expect(try Configuration.parse(yaml: Self.base).shelter == nil)
        let on = try #require(try Configuration.parse(yaml: Self.base + "registry: {}\n").registry)
        #expect(on == Configuration.Registry())
        #expect(on.keys == "/var/lib/mimamori/registry-keys.sqlite")
    }

    @Test(
        "each wrong value named by its path",
        arguments: [
            ("registry: { remind-days: 0 }", "registry.remind-days"),
            ("registry: { grace: 2h }", "registry.grace: must be at least 1d"),
            ("registry: { remind-at: 9時 }", "registry.remind-at"),
            ("registry: { reminder: 30 }", "registry"),
            ("shelter: { facilities: [] }", "shelter.facilities: required"),
            (
                "shelter: { facilities: [{ id: Yasuragi, name: やすらぎ園, fax: 073-489-5551, phone: 073-489-5550 }] }",
                "shelter.facilities[0].id"
            ),
            ("shelter: { facilities: [{ id: y, name: やすらぎ園, fax: 12, phone: 073-489-5550 }] }", "shelter.facilities[0].fax"),
            ("shelter: { facilities: [{ id: y, name: やすらぎ園, phone: 073-489-5550 }] }", "shelter.facilities[0].fax"),
            (
                "shelter: { facilities: [{ id: y, name: a, fax: 073-489-5551, phone: 073-489-5550 }, { id: y, name: b, fax: 073-489-5551, phone: 073-489-5550 }] }",
                "shelter.facilities[1].id: y is given twice"
            ),
        ])
    func problems(_ yaml: String, _ expected: String) {
        let found = Self.problems(yaml + "\n")
        #expect(found.contains { $0.hasPrefix(expected) || $0.contains(expected) }, "\(found)")
    }
}
