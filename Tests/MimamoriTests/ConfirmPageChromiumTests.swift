import Foundation
import TestFixtures
import Testing

/// The confirmation page as a cooperator's phone and an office's desktop show it: Debian's
/// Chromium, headless, opens the page the real daemon serves (a page with no script, whose
/// policy would refuse one: it works as it shows, without JavaScript). The
/// screenshots go to `docs/samples/` (confirm-page-phone.png, confirm-page-desktop.png,
/// confirm-thanks-phone.png) to be looked at.
@Suite("the confirmation page in headless Chromium (real mimamorid, broker, SMTP)", .serialized)
struct ConfirmPageChromiumTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// In CI the browser is installed (scripts/deps.sh): its absence there is a failure, not a skip.
    static let required = ProcessInfo.processInfo.environment["CI"] != nil

    @Test(
        "phone (390×844) and desktop (1280×800) screenshots of the page and the thanks after the button; a drill's page says 【訓練】",
        .enabled(if: chromium != nil || required, "Debian's chromium is not installed (scripts/deps.sh installs it)"))
    func screenshots() async throws {
        let chromium = try #require(Self.chromium, "chromium is missing: scripts/deps.sh installs Debian's chromium")
        var options = DaemonFolder.Options()
        options.confirm = "{ reply-fax: 073-489-5999 }"
        options.town = "紀美野町"
        try await withDaemonRig(options: options, cooperators: DaemonFolder.cooperators(email: 1, fax: 1)) { rig in
            let daemon = try await rig.startConsuming()
            try await daemon.waitForLine(event: "confirm.listening")
            let sample = DaemonCase(municipality: rig.folder.municipality, caseID: "KIMINO-2026-0007")
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            var drill = DaemonCase(municipality: rig.folder.municipality, caseID: "KIMINO-2026-D001").event("opened", sequence: 1)
            drill["drill"] = true
            try await rig.publisher.publish(drill)
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            try await rig.waitUntilSettled("KIMINO-2026-D001", kinds: ["alert"], daemon: daemon)
            let code = try #require(try DaemonConfirmEndpointTests.codes(rig, case: sample.caseID, kind: "alert")["vol-0001"])
            let drillCode = try #require(try DaemonConfirmEndpointTests.codes(rig, case: "KIMINO-2026-D001", kind: "alert")["vol-0001"])
            let drillPage = try rig.confirmPage("GET", "/c/\(drillCode)")
            #expect(drillPage.status == 200 && drillPage.body.contains("【訓練】"), "a drill's page says so: \(drillPage)")
            #expect(!(try rig.confirmPage("GET", "/c/\(code)").body.contains("訓練")))

            let samples = ServerProcess.repositoryRoot.appendingPathComponent("docs/samples")
            let work = try ServerProcess.temporaryDirectory("chromium")
            defer { try? FileManager.default.removeItem(at: work) }
            let url = "http://127.0.0.1:\(rig.folder.confirmPort)/c/\(code)"
            let phone = samples.appendingPathComponent("confirm-page-phone.png")
            let desktop = samples.appendingPathComponent("confirm-page-desktop.png")
            try Self.screenshot(chromium, url, width: 390, height: 844, to: phone, profile: work)
            try Self.screenshot(chromium, url, width: 1280, height: 800, to: desktop, profile: work)
            // Opening the page in a browser recorded nothing.
            #expect(try rig.sql("SELECT count(*) FROM deliveries WHERE received_at IS NOT NULL OR destroyed_at IS NOT NULL") == ["0"])

            // The thanks as the button's POST returns it, shown from a file (a screenshot run
            // cannot press a button without a script).
            let thanks = try rig.confirmPage("POST", "/c/\(code)/destroyed")
            #expect(thanks.status == 200 && thanks.body.contains("「処分しました」を記録しました"), "\(thanks)")
            let thanksFile = work.appendingPathComponent("thanks.html")
            try thanks.body.write(to: thanksFile, atomically: true, encoding: .utf8)
            try Self.screenshot(
                chromium, thanksFile.absoluteString, width: 390, height: 844,
                to: samples.appendingPathComponent("confirm-thanks-phone.png"),
                profile: work)
        }
    }

    /// One headless Chromium run: a screenshot of `url` at the window's size, checked to be a PNG
    /// of that size with something on it (a blank page compresses to a few KiB).
    static func screenshot(_ chromium: String, _ url: String, width: Int, height: Int, to target: URL, profile: URL) throws {
        try? FileManager.default.removeItem(at: target)
        let run = try runProcess(
            "/usr/bin/timeout",
            [
                "60", chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                "--user-data-dir=\(profile.appendingPathComponent("profile").path)",
                "--window-size=\(width),\(height)", "--screenshot=\(target.path)", url,
            ])
        let png = try #require(
            FileManager.default.contents(atPath: target.path),
            "chromium wrote no screenshot (exit \(run.status)): \(run.stderr.suffix(600))")
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG: \(target.path)")
        let size =
            png.count >= 24
            ? (Int(png[16...19].reduce(0) { $0 << 8 | UInt32($1) }), Int(png[20...23].reduce(0) { $0 << 8 | UInt32($1) })) : (0, 0)
        #expect(size.0 == width && size.1 == height, "\(target.lastPathComponent) is \(size), not \(width)×\(height)")
        #expect(png.count > 12_000, "\(target.lastPathComponent) is nearly empty (\(png.count) bytes)")
    }
}
