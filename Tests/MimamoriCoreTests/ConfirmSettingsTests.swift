import Foundation
import MimamoriCore
import Testing

@Suite("confirm: and reminders.second-after settings")
struct ConfirmSettingsTests {
    static let base = RegistrySettingsTests.base

    static func problems(_ yaml: String) -> [String] { Configuration.problems(parsing: base + yaml) }

    @Test("absent: off, and the second reminder three business days after the first")
    func defaults() throws {
        let c = try Configuration.parse(yaml: Self.base)
        #expect(c.confirm == nil)
        #expect(c.reminders.secondAfter == 3)
    }

    @Test("on: loopback by default, links from the public URL")
    func on() throws {
        let c = try Configuration.parse(
            yaml: Self.base + "confirm: { public-url: \"https://mimamori.town.example.jp\", reply-fax: 073-489-5999 }\n"
                + "reminders: { second-after: 5 }\n")
        let confirm = try #require(c.confirm)
        #expect(confirm.listen == "127.0.0.1:9465")
        #expect(confirm.replyFax == "073-489-5999")
        #expect(c.reminders.secondAfter == 5)
        let code = try #require(ConfirmationCode(parsing: "K7QM-2XWD-9HVR"))
        #expect(confirm.links(code).page == "https://mimamori.town.example.jp/c/K7QM-2XWD-9HVR")
    }

    @Test(
        "mistakes are named with their key",
        arguments: [
            ("confirm: { listen: 127.0.0.1:9465 }\n", "confirm.public-url: required"),
            ("confirm: { public-url: \"ftp://x.example.jp\" }\n", "confirm.public-url: not a URL"),
            (
                "confirm: { public-url: \"https://x.example.jp\", listen: 0.0.0.0:9465 }\n",
                "confirm.listen: 0.0.0.0 is not a loopback address"
            ),
            ("confirm: { public-url: \"https://x.example.jp\", listen: localhost }\n", "confirm.listen: must be host:port"),
            ("confirm: { public-url: \"https://x.example.jp\", reply-fax: \"abc\" }\n", "confirm.reply-fax: not a Japanese FAX number"),
            ("reminders: { second-after: 31 }\n", "reminders.second-after"),
        ])
    func mistakes(_ yaml: String, _ expected: String) {
        let problems = Self.problems(yaml)
        #expect(problems.contains { $0.hasPrefix(expected) }, "\(problems)")
    }
}
