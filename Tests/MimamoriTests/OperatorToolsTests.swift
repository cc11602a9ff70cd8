import Foundation
import TestFixtures
import Testing

/// The operator's monitoring kit: `deploy/prometheus/mimamori.rules.yml` (checked and unit-tested
/// by Debian's promtool) and `deploy/grafana/mimamori.json`, whose every metric must be one the
/// daemon exports: seen in a real daemon's /metrics after a case, or made by the daemon's code.
@Suite("operators' tools: Prometheus rules and the Grafana dashboard", .serialized)
struct OperatorToolsTests {
    static let root = ServerProcess.repositoryRoot
    static let promtool = "/usr/bin/promtool"
    static let rules = root.appendingPathComponent("deploy/prometheus/mimamori.rules.yml")
    static let dashboard = root.appendingPathComponent("deploy/grafana/mimamori.json")

    @Test(
        "promtool check rules accepts mimamori.rules.yml and promtool test rules passes its unit tests",
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: promtool),
            "promtool is missing: scripts/deps.sh installs Debian's prometheus package"))
    func rulesPassPromtool() throws {
        let check = try runProcess(Self.promtool, ["check", "rules", Self.rules.path])
        #expect(check.status == 0, "promtool check rules: \(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("SUCCESS"), "\(check.stdout)")
        let test = try runProcess(
            Self.promtool, ["test", "rules", Self.rules.deletingLastPathComponent().appendingPathComponent("mimamori.rules.test.yml").path])
        #expect(test.status == 0, "promtool test rules: \(test.stdout)\(test.stderr)")
        #expect(test.stdout.contains("SUCCESS"), "\(test.stdout)")
        // Every alert of the rules is exercised by the unit tests.
        let alerts = Self.matches(#"- alert: (\w+)"#, in: try String(contentsOf: Self.rules, encoding: .utf8))
        let tested = Set(
            Self.matches(
                #"alertname: (\w+)"#,
                in: try String(
                    contentsOf: Self.rules.deletingLastPathComponent().appendingPathComponent("mimamori.rules.test.yml"), encoding: .utf8)))
        #expect(
            !alerts.isEmpty && Set(alerts).isSubset(of: tested), "alerts without a unit test: \(Set(alerts).subtracting(tested).sorted())")
        print("operator-tools | promtool | \(alerts.count) alerts checked, each unit-tested")
    }

    @Test(
        "the Grafana dashboard parses, and every metric it and the alert rules name is exported by a real mimamorid (or made by its code, for those a quiet run does not show)"
    )
    func dashboardNamesRealMetrics() async throws {
        let data = try Data(contentsOf: Self.dashboard)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "the dashboard is not a JSON object")
        let panels = try #require(object["panels"] as? [[String: Any]], "no panels")
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(!panels.isEmpty && expressions.count >= panels.count, "every panel has a query")
        let dashboardNames = Set(expressions.flatMap { Self.matches(#"(mimamori_[a-z_]+)"#, in: $0) })
        let rulesNames = Set(Self.matches(#"(mimamori_[a-z_]+)"#, in: try String(contentsOf: Self.rules, encoding: .utf8)))

        // What the daemon's code makes: Counter/Gauge/Timer(label: "mimamori_…"); a Timer is a
        // histogram on /metrics.
        let made = try Self.metricsMadeBySources()
        // What a real daemon shows after one case went out.
        let cooperators = DaemonFolder.cooperators(email: 2, fax: 0)
        let exported: Set<String> = try await withDaemonRig(cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let valid = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(valid.event("opened", sequence: 1))
            try await rig.waitUntilSettled(valid.caseID, kinds: ["alert"], daemon: daemon)
            try await rig.waitForMail(cooperators.count, daemon: daemon)
            // The gauges are refreshed on the status beat (a second).
            try await Task.sleep(for: .seconds(2))
            let text = try runTool("/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(rig.folder.metricsPort)/metrics"])
            return Set(
                text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                    line.split(whereSeparator: { $0 == "{" || $0 == " " }).first.map(String.init)
                }.filter { $0.hasPrefix("mimamori_") })
        }
        #expect(exported.isSubset(of: made), "the daemon exports names the code scan does not find: \(exported.subtracting(made).sorted())")
        for name in [
            "mimamori_broker_connected", "mimamori_cases_open", "mimamori_deliveries_total", "mimamori_ledger_backlog",
            "mimamori_ledger_oldest_due_seconds", "mimamori_intake_total", "mimamori_delivery_duration_seconds_bucket",
        ] {
            #expect(exported.contains(name), "\(name) is not on a real daemon's /metrics: \(exported.sorted())")
        }
        #expect(
            dashboardNames.isSubset(of: made),
            "the dashboard names metrics the daemon does not export: \(dashboardNames.subtracting(made).sorted())")
        #expect(
            rulesNames.isSubset(of: made), "the rules name metrics the daemon does not export: \(rulesNames.subtracting(made).sorted())")
        let onlyFromCode = dashboardNames.union(rulesNames).subtracting(exported).sorted()
        print(
            "operator-tools | grafana | \(panels.count) panels, \(dashboardNames.count) metrics (rules: \(rulesNames.count)); on a real /metrics: \(dashboardNames.union(rulesNames).intersection(exported).count); from the code only (not shown until they happen): \(onlyFromCode.joined(separator: " "))"
        )
    }

    /// Metric names the daemon's sources create, as /metrics spells them.
    static func metricsMadeBySources() throws -> Set<String> {
        var names: Set<String> = []
        guard let walk = FileManager.default.enumerator(at: root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil) else {
            return []
        }
        for case let url as URL in walk where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for name in matches(#"(?:Counter|Gauge|Recorder)\(label: "(mimamori_[a-z_]+)""#, in: text) { names.insert(name) }
            for name in matches(#"Timer\(label: "(mimamori_[a-z_]+)""#, in: text) {
                names.formUnion(["\(name)_bucket", "\(name)_sum", "\(name)_count"])
            }
        }
        return names
    }

    /// The first capture group of every match.
    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
