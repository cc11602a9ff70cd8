import Foundation
import Testing

@testable import MimamoriCore

@Suite("Configuration: retention, open-case alarm, staff, publishers.max-age")
struct ConfigurationRetentionTests {
    static let base = """
        municipality: kimino
        town: { name: 紀美野町, department: 保健福祉課, phone: 073-489-9960 }
        email: { from: sos@town.example.jp }
        fax: { gateway: "{number}@fax.example.jp" }
        operator: { alarm-email: ops@town.example.jp }

        """

    static func problems(_ yaml: String) -> [String] { Configuration.problems(parsing: base + yaml) }

    @Test("retention stays a duration, open-case-alarm is its own key; defaults 30d and 14d")
    func shapes() throws {
        let defaults = try Configuration.parse(yaml: Self.base)
        #expect(defaults.retention == .seconds(30 * 86400) && defaults.openCaseAlarm == .seconds(14 * 86400))
        #expect(defaults.publishers.maxAge == .seconds(24 * 3600))
        let c = try Configuration.parse(yaml: Self.base + "retention: 30d\nopen-case-alarm: 7d\npublishers: { max-age: 12h }\n")
        #expect(c.retention == .seconds(30 * 86400) && c.openCaseAlarm == .seconds(7 * 86400))
        #expect(c.publishers.maxAge == .seconds(12 * 3600))
    }

    @Test("a retention below one day is a problem (it would purge before the destruction reminder)", arguments: ["3s", "12h", "1439m"])
    func shortRetentionRefused(_ value: String) {
        let problems = Self.problems("retention: \(value)\n")
        #expect(problems.count == 1 && problems[0].hasPrefix("retention: must be at least 1d"), "\(problems)")
        #expect(Self.problems("retention: 1d\n").isEmpty)
        #expect(Self.problems("open-case-alarm: 1h\n") == ["open-case-alarm: must be at least 1d"])
    }

    @Test("staff: one address or a list, an optional FAX; staff alarms fall back to the operator with a warning")
    func staff() throws {
        let one = try Configuration.parse(yaml: Self.base + "staff: { email: fukushi@town.example.jp, fax: 073-489-9961 }\n")
        #expect(one.staff.emails == ["fukushi@town.example.jp"] && one.staff.fax == "073-489-9961")
        #expect(one.staffAlarmRecipients == ["fukushi@town.example.jp"])
        #expect(!one.settingsWarnings.contains { $0.hasPrefix("settings.no-staff") })
        let two = try Configuration.parse(yaml: Self.base + "staff: { email: [a@town.example.jp, b@town.example.jp] }\n")
        #expect(two.staffAlarmRecipients == ["a@town.example.jp", "b@town.example.jp"])

        let none = try Configuration.parse(yaml: Self.base)
        #expect(none.staffAlarmRecipients == ["ops@town.example.jp"])
        #expect(none.settingsWarnings.contains { $0.hasPrefix("settings.no-staff") && $0.contains("ops@town.example.jp") })

        #expect(Self.problems("staff: { email: [a@town.example.jp, nobody] }\n") == ["staff.email[1]: not an email address"])
        #expect(Self.problems("staff: { fax: 073-489-9961 }\n") == ["staff.email: required: at least one address of the staff"])
        #expect(Self.problems("staff: { phone: 1 }\n").contains { $0.hasPrefix("staff.phone: unknown key") })
    }

    @Test("require-signature: false is a warning at every start")
    func unsignedWarning() throws {
        let c = try Configuration.parse(yaml: Self.base + "publishers: { require-signature: false }\n")
        #expect(c.startWarnings.map(\.event).contains("settings.unsigned-accepted"))
        #expect(!(try Configuration.parse(yaml: Self.base)).startWarnings.map(\.event).contains("settings.unsigned-accepted"))
    }
}
