import Foundation
import Testing

@testable import MimamoriCore

@Suite("Configuration from mimamori.yaml")
struct ConfigurationTests {
    @Test func parsesTheSampleSettings() throws {
        let c = try Sample.configuration()
        #expect(c.municipality == "kimino")
        #expect(c.town.name == "紀美野町" && c.town.head == "紀美野町長" && c.town.phone == "073-489-9960")
        #expect(c.town.network == "紀美野にこにこネットワーク")
        #expect(c.town.regulation == "紀美野にこにこネットワーク事業実施要綱")
        #expect(c.broker.prefetch == 64 && c.broker.heartbeat == .seconds(30))
        #expect(c.email.from == "紀美野町 保健福祉課 <sos@town.example.jp>")
        #expect(c.fax.method == .emailGateway && c.fax.gateway == "{number}@fax.example.jp")
        #expect(c.radio?.quietHours == QuietHours(from: TimeOfDay(hour: 21, minute: 0), to: TimeOfDay(hour: 7, minute: 0), policy: .defer))
        #expect(c.radio?.capExpires == .seconds(24 * 3600), "a CAP alert stands a day unless renewed")
        #expect(c.retry.initial == .seconds(5) && c.retry.max == .seconds(600) && c.retry.deadline == .seconds(21600))
        #expect(c.reminders.destructionAt == TimeOfDay(hour: 9, minute: 0) && c.reminders.businessDaysOnly)
        #expect(c.retention == .seconds(30 * 86400))
        #expect(c.operator.alarmEmail == "ops@town.example.jp")
        #expect(c.templates == "/etc/mimamori/templates")
    }

    @Test func minimalSettingsTakeDefaults() throws {
        let c = try Configuration.parse(
            yaml: """
                municipality: kimino
                town: { name: 紀美野町, department: 保健福祉課, phone: 073-489-9960 }
                email: { from: sos@town.example.jp }
                fax: { gateway: "{number}@fax.example.jp" }
                """)
        #expect(c.broker.url == "amqp://mimamori@127.0.0.1:5672/mimamori")
        #expect(c.publishers.requireSignature && c.publishers.keys == "/etc/mimamori/publishers")
        #expect(c.radio == nil)
        #expect(c.metrics.listen == "127.0.0.1:9464")
        #expect(c.town.network == nil && c.town.regulation == nil)
    }

    @Test func everyProblemIsReportedAtOnceWithItsPath() throws {
        let yaml = """
            municipality: Kimino Town
            town: { name: 紀美野町, department: 保健福祉課, phone: call-us }
            broker: { url: "http://x", prefetch: 0, heartbeat: soon }
            email: { smtp: "not a url", from: "nobody", sessions: 100, color: blue }
            fax: { method: carrier-pigeon }
            radio: { tts-command: say, cap-expires: never, quiet-hours: { from: "25:00", policy: sometimes } }
            retry: { initial: 10m, max: 5s, deadline: 1s }
            reminders: { destruction-at: "9", business-days-only: perhaps }
            retention: forever
            operator: { alarm-email: "ops" }
            metrics: { listen: "everywhere" }
            ledger: { path: relative/ledger.sqlite }
            unknown-section: 1
            """
        do {
            _ = try Configuration.parse(yaml: yaml)
            Issue.record("should have failed")
        } catch {
            let paths = Set(error.problems.map(\.path))
            let expected: Set<String> = [
                "municipality", "town.phone", "broker.url", "broker.prefetch", "broker.heartbeat", "email.smtp",
                "email.from", "email.sessions", "email.color", "fax.method", "radio", "radio.tts-command", "radio.cap-expires",
                "radio.quiet-hours.from", "radio.quiet-hours.to", "radio.quiet-hours.policy", "retry.max",
                "retry.deadline", "reminders.destruction-at", "reminders.business-days-only", "retention",
                "operator.alarm-email", "metrics.listen", "ledger.path", "unknown-section",
            ]
            #expect(paths == expected, "missing: \(expected.subtracting(paths)), extra: \(paths.subtracting(expected))")
            let text = error.description
            #expect(text.contains("email.smtp: not a URL"))
            #expect(text.contains("retry.max: must be ≥ retry.initial"))
            #expect(text.contains("email.color: unknown key"))
        }
    }

    @Test(
        "metrics.listen beyond loopback only with metrics.allow-remote: true",
        arguments: [
            ("127.0.0.1:9464", nil, true), ("127.0.0.2:9464", nil, true), ("localhost:9464", nil, true),
            ("0.0.0.0:9464", nil, false), ("192.168.10.5:9464", "false", false), ("1270.0.0.1:9464", nil, false),
            ("0.0.0.0:9464", "true", true),
        ] as [(String, String?, Bool)])
    func metricsListenStaysLocal(listen: String, allowRemote: String?, accepted: Bool) {
        let metrics = "metrics: { listen: \"\(listen)\"\(allowRemote.map { ", allow-remote: \($0)" } ?? "") }"
        let yaml = """
            municipality: kimino
            town: { name: 紀美野町, department: 保健福祉課, phone: 073-489-9960 }
            email: { from: sos@town.example.jp }
            fax: { gateway: "{number}@fax.example.jp" }
            \(metrics)
            """
        do {
            let c = try Configuration.parse(yaml: yaml)
            #expect(accepted, "\(listen) was accepted")
            #expect(c.metrics.listen == listen && c.metrics.allowRemote == (allowRemote == "true"))
        } catch {
            #expect(!accepted, "\(listen): \(error)")
            #expect(error.problems.map(\.path) == ["metrics.listen"])
            #expect(error.description.contains("metrics.allow-remote: true"))
        }
    }

    @Test func missingRequiredSections() {
        #expect(throws: ConfigurationError.self) { try Configuration.parse(yaml: "municipality: kimino") }
        do {
            _ = try Configuration.parse(yaml: "municipality: kimino")
        } catch {
            #expect(Set(error.problems.map(\.path)) == ["town", "email"])
        }
        do {
            _ = try Configuration.parse(yaml: "")
        } catch {
            #expect(error.problems.map(\.message) == ["the file is empty"])
        }
        do {
            _ = try Configuration.parse(yaml: "a: [unclosed")
        } catch {
            #expect(error.problems.first?.message.hasPrefix("not valid YAML") == true)
        }
    }

    @Test func faxMethodsNeedTheirSettings() {
        let base = """
            municipality: kimino
            town: { name: 紀美野町, department: 保健福祉課, phone: 073-489-9960 }
            email: { from: sos@town.example.jp }

            """
        for (fax, path) in [
            ("fax: { method: http-api }", "fax.url"), ("fax: { method: email-gateway }", "fax.gateway"),
            ("fax: { gateway: fax.example.jp }", "fax.gateway"),
        ] {
            do {
                _ = try Configuration.parse(yaml: base + fax)
                Issue.record("\(fax) should fail")
            } catch {
                #expect(error.problems.map(\.path) == [path])
            }
        }
        #expect((try? Configuration.parse(yaml: base + "fax: { method: hylafax, host: faxserver }"))?.fax.method == .hylafax)
    }

    @Test(arguments: [("30s", 30_000), ("5m", 300_000), ("6h", 21_600_000), ("30d", 2_592_000_000), ("250ms", 250)])
    func durations(_ text: String, _ millis: Int64) {
        #expect(Configuration.parseDuration(text) == .milliseconds(millis))
    }

    @Test(arguments: ["", "s", "5", "5 m", "-5s", "1.5h", "5w", "ms"])
    func notDurations(_ text: String) {
        #expect(Configuration.parseDuration(text) == nil)
    }
}
