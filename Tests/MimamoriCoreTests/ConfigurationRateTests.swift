import Testing

@testable import MimamoriCore

@Suite("Configuration: email.rate")
struct ConfigurationRateTests {
    static func yaml(rate: String?) -> String {
        """
        municipality: kimino
        town: { name: 紀美野町, department: 保健福祉課, phone: 073-489-9960 }
        email: { from: sos@town.example.jp\(rate.map { ", rate: \($0)" } ?? "") }
        fax: { gateway: "{number}@fax.example.jp" }
        """
    }

    @Test("unlimited unless set; whole and fractional messages per second", arguments: [("5", 5.0), ("0.5", 0.5), ("1000", 1000.0)])
    func parsed(text: String, rate: Double) throws {
        #expect(try Configuration.parse(yaml: Self.yaml(rate: nil)).email.rate == nil)
        #expect(try Configuration.parse(yaml: Self.yaml(rate: text)).email.rate == rate)
    }

    @Test("refused with its path beside the other problems", arguments: ["0", "-1", "0.05", "fast", "1001", ".nan", "inf"])
    func refused(text: String) {
        do {
            _ = try Configuration.parse(yaml: Self.yaml(rate: text) + "\nretention: forever")
            Issue.record("\(text) should have been refused")
        } catch {
            #expect(Set(error.problems.map(\.path)) == ["email.rate", "retention"], "\(error)")
            #expect(error.description.contains("email.rate: must be messages per second"))
        }
    }

    @Test("a reload applies it at once: no restart needed")
    func appliesOnReload() throws {
        let running = try Sample.configuration()
        var file = running
        file.email.rate = 2
        let (applied, needed) = running.reloaded(from: file)
        #expect(applied.email.rate == 2 && needed.isEmpty)
        file.email.rate = nil
        #expect(running.reloaded(from: file).applied.email.rate == nil)
    }
}
