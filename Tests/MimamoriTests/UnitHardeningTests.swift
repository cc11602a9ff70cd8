import Foundation
import Testing

/// The unit an operator installs keeps systemd's exposure score at 1.5 or less
/// (`systemd-analyze security --offline=yes`), and keeps the settings the daemon relies on.
@Suite("systemd unit")
struct UnitHardeningTests {
    static let unitPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("systemd/mimamorid.service").path

    @Test("systemd-analyze security exposure ≤ 1.5")
    func exposure() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["security", "--offline=yes", Self.unitPath]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let marker = "Overall exposure level for mimamorid.service: "
        guard let range = output.range(of: marker) else {
            Issue.record("systemd-analyze printed no exposure level:\n\(output)")
            return
        }
        let digits = String(output[range.upperBound...].prefix { $0.isNumber || $0 == "." })
        let score = try #require(Double(digits), "unreadable exposure level in:\n\(output)")
        #expect(score <= 1.5, "exposure \(score) is above 1.5:\n\(output)")
    }

    @Test("the unit is Type=notify with a watchdog, a dedicated user, credentials and state")
    func essentials() throws {
        let unit = try String(contentsOfFile: Self.unitPath, encoding: .utf8)
        for line in [
            "Type=notify", "WatchdogSec=", "Restart=on-failure", "User=mimamori", "StateDirectory=mimamori",
            "ConfigurationDirectory=mimamori", "LoadCredential=broker-password:", "LoadCredential=smtp-password:",
            "LoadCredential=fax-token:", "Environment=MIMAMORI_TOPOLOGY=verify", "RestartPreventExitStatus=78",
            "MemoryMax=", "TasksMax=", "LimitNOFILE=",
        ] {
            #expect(unit.contains(line), "\(line) missing from systemd/mimamorid.service")
        }
    }

    @Test("no core dumps: LimitCORE=0 in [Service] (a core would hold the cases' personal data)")
    func noCoreDumps() throws {
        let unit = try String(contentsOfFile: Self.unitPath, encoding: .utf8)
        var section = ""
        var limits: [String] = []
        for raw in unit.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { section = line }
            if section == "[Service]", line.hasPrefix("LimitCORE=") { limits.append(line) }
        }
        #expect(limits == ["LimitCORE=0"], "[Service] has \(limits), wants exactly LimitCORE=0")
    }
}
