import Foundation
import Testing

@testable import MimamoriCore

/// The Mimasaka samples as shipped in `config/samples/`: the tests read the real files, so a
/// sample that stops parsing or routing as documented fails here.
enum ConcernSample {
    static let samples = Files.testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/samples")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: samples.appendingPathComponent(name), encoding: .utf8)
    }

    static func configuration() throws -> Configuration {
        try Configuration.parse(yaml: try text("mimasaka.yaml"))
    }

    static func concerns() throws -> Configuration.Concerns {
        try #require(try configuration().concerns)
    }

    static func reported() throws -> ConcernEvent {
        try ConcernEvent.decode(Data(try text("concern-reported.json").utf8))
    }

    static func resolved() throws -> ConcernEvent {
        try ConcernEvent.decode(Data(try text("concern-resolved.json").utf8))
    }

    static func json(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(try text(name).utf8)) as! [String: Any]
    }

    static func renderer() throws -> NoticeRenderer {
        let c = try configuration()
        return NoticeRenderer(town: c.town, areas: c.areas)
    }

    /// `2026-12-02T10:20` (a Wednesday, in hours) written as JST.
    static func at(_ text: String) -> Date { Timestamp.parse(text + ":00+09:00")! }
}

@Suite("Concern settings (concerns:)")
struct ConcernSettingsTests {
    @Test func theMimasakaSampleParsesWithEveryDeskAsWritten() throws {
        let c = try ConcernSample.configuration()
        let concerns = try #require(c.concerns)
        #expect(concerns.desks.map(\.id) == ["centre", "shoda", "ohara", "mimasaka", "sakuto", "aida", "duty"])
        #expect(concerns.centre == "centre" && concerns.afterHours == "duty")
        #expect(concerns.opens == TimeOfDay(hour: 8, minute: 0) && concerns.closes == TimeOfDay(hour: 18, minute: 0))
        #expect(concerns.desk("ohara")?.areas == ["大原", "東粟倉"])
        #expect(concerns.desk("mimasaka")?.faxes == [], "the sample's 美作 station has email only")
        #expect(concerns.desk("duty")?.name == "美作市役所（日直）")
        #expect(c.settingsWarnings.isEmpty, "\(c.settingsWarnings)")
    }

    /// Mimasaka's settings with `concerns:` replaced by `section`.
    static func settings(_ section: String) -> String {
        """
        municipality: mimasaka
        town: { name: 美作市, department: 保健福祉部 健康政策課, phone: 0868-72-1111 }
        email: { from: "hotnet@city.mimasaka.example.jp" }
        staff: { email: kenko@city.mimasaka.example.jp }
        areas:
          美作市: [勝田, 大原]
        concerns:
        \(section)
        """
    }

    static let goodDesks = """
            - { id: centre, name: 総合相談支援センター, phone: 0868-73-0330, email: sodan@city.example.jp }
            - { id: shoda, name: 勝田地域ステーション, phone: 0868-75-3601, fax: 0868-75-3602, areas: [勝田] }
            - { id: duty, name: 市役所（日直）, phone: 0868-72-1111, email: [a@city.example.jp, b@city.example.jp] }
        """

    struct Broken: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var section: String
        /// Every problem's path, in the order reported.
        var paths: [String]
    }

    static let broken: [Broken] = [
        Broken(
            testDescription: "a desk without an email or a FAX address",
            section: """
                  centre: centre
                  after-hours: centre
                  desks:
                    - { id: centre, name: センター, phone: 0868-73-0330 }
                """,
            paths: ["concerns.desks[0]"]),
        Broken(
            testDescription: "a station area that areas: does not know",
            section: """
                  centre: centre
                  after-hours: centre
                  desks:
                    - { id: centre, name: センター, phone: 0868-73-0330, email: a@city.example.jp }
                    - { id: sakuto, name: 作東, phone: 0868-75-2780, email: b@city.example.jp, areas: [勝田, 作東] }
                """,
            paths: ["concerns.desks[1].areas[1]"]),
        Broken(
            testDescription: "a centre and an after-hours desk that are not desks",
            section: """
                  centre: sodan
                  after-hours: nicchoku
                  desks:
                \(goodDesks)
                """,
            paths: ["concerns.centre", "concerns.after-hours"]),
        Broken(
            testDescription: "the centre and the after-hours desk left out",
            section: """
                  desks:
                \(goodDesks)
                """,
            paths: ["concerns.centre", "concerns.after-hours"]),
        Broken(
            testDescription: "one id given to two desks",
            section: """
                  centre: centre
                  after-hours: duty
                  desks:
                \(goodDesks)
                    - { id: shoda, name: 勝田（２）, phone: 0868-75-3601, email: c@city.example.jp }
                """,
            paths: ["concerns.desks[3].id"]),
        Broken(
            testDescription: "closing before opening, and closing when opening",
            section: """
                  centre: centre
                  after-hours: duty
                  opens: "18:00"
                  closes: "08:00"
                  desks:
                \(goodDesks)
                """,
            paths: ["concerns.closes"]),
        Broken(
            testDescription: "a phone, an email and a FAX number that are not",
            section: """
                  centre: centre
                  after-hours: duty
                  desks:
                    - { id: centre, name: センター, phone: 内線330, email: sodan, fax: [0868-73-0331, 12345] }
                    - { id: duty, name: 日直, phone: 0868-72-1111, email: d@city.example.jp }
                """,
            paths: ["concerns.desks[0].phone", "concerns.desks[0].email", "concerns.desks[0].fax[1]"]),
        Broken(
            testDescription: "an id that cannot be logged as it is, and an unknown key",
            section: """
                  centre: 相談
                  after-hours: 相談
                  desks:
                    - { id: 相談, name: センター, phone: 0868-73-0330, email: a@city.example.jp, mail: b@city.example.jp }
                """,
            paths: ["concerns.desks[0].mail", "concerns.desks[0].id"]),
        Broken(
            testDescription: "no desks, or desks that are not a list",
            section: """
                  centre: centre
                  after-hours: duty
                  desks: { centre: sodan@city.example.jp }
                """,
            paths: ["concerns.desks", "concerns.desks"]),
        Broken(
            testDescription: "one area at two stations, also as another name of it",
            section: """
                  centre: centre
                  after-hours: duty
                  desks:
                \(goodDesks)
                    - { id: shoda2, name: 勝田第二, phone: 0868-75-3601, email: e@city.example.jp, areas: [大原, 美作市勝田] }
                """,
            paths: ["concerns.desks[3].areas[1]"]),
        Broken(
            testDescription: "an opening time that is not one",
            section: """
                  centre: centre
                  after-hours: duty
                  opens: 8時
                  desks:
                \(goodDesks)
                """,
            paths: ["concerns.opens"]),
    ]

    @Test(arguments: broken)
    func everyMistakeIsReportedWithItsPath(_ broken: Broken) throws {
        do {
            _ = try Configuration.parse(yaml: Self.settings(broken.section))
            Issue.record("accepted: \(broken.testDescription)")
        } catch {
            #expect(error.problems.map(\.path) == broken.paths, "\(error)")
        }
    }

    @Test func closingWhenOpeningIsAMistakeToo() throws {
        let section = """
              centre: centre
              after-hours: duty
              opens: "08:00"
              closes: "08:00"
              desks:
            \(Self.goodDesks)
            """
        #expect(throws: ConfigurationError.self) { try Configuration.parse(yaml: Self.settings(section)) }
    }

    @Test func oneOrManyAddressesAndTheDefaultHours() throws {
        let c = try Configuration.parse(
            yaml: Self.settings(
                """
                  centre: centre
                  after-hours: duty
                  desks:
                \(Self.goodDesks)
                """))
        let concerns = try #require(c.concerns)
        #expect(concerns.desk("duty")?.emails == ["a@city.example.jp", "b@city.example.jp"])
        #expect(concerns.desk("shoda")?.emails == [] && concerns.desk("shoda")?.faxes == ["0868-75-3602"])
        #expect(concerns.opens == TimeOfDay(hour: 8, minute: 0) && concerns.closes == TimeOfDay(hour: 18, minute: 0))
        #expect(c.settingsWarnings.isEmpty)
    }

    @Test func aDeskNoRuleCanChooseIsAWarning() throws {
        let c = try Configuration.parse(
            yaml: Self.settings(
                """
                  centre: centre
                  after-hours: duty
                  desks:
                \(Self.goodDesks)
                    - { id: spare, name: 予備, phone: 0868-72-1111, email: spare@city.example.jp }
                """))
        #expect(c.startWarnings.map(\.event) == ["settings.concern-desk-unreached"])
        #expect(c.settingsWarnings.first?.contains("spare") == true)
    }

    @Test func theSameDeskForTheCentreAndTheEveningsIsFine() throws {
        let c = try Configuration.parse(
            yaml: Self.settings(
                """
                  centre: centre
                  after-hours: centre
                  desks:
                    - { id: centre, name: センター, phone: 0868-73-0330, email: a@city.example.jp }
                """))
        let concerns = try #require(c.concerns)
        #expect(c.startWarnings.isEmpty)
        #expect(
            concerns.contactDesks(area: "勝田", urgent: true, at: ConcernSample.at("2026-12-02T10:00"), areas: c.areas).desks == ["centre"])
    }

    @Test func withoutTheSectionThereAreNoConcerns() throws {
        let c = try Configuration.parse(
            yaml: """
                municipality: mimasaka
                town: { name: 美作市, department: 健康政策課, phone: 0868-72-1111 }
                email: { from: "hotnet@city.mimasaka.example.jp" }
                """)
        #expect(c.concerns == nil)
    }
}
