import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The confirmation endpoint of the real daemon, over real HTTP (curl, as a browser would ask):
/// what a cooperator's link shows, what a POST records, what a stranger learns (nothing), and the
/// staff's `mimamori confirm` as a process (real mimamorid, broker, SMTP).
@Suite("mimamorid: the confirmation endpoint and mimamori confirm (real binary, broker, SMTP)", .serialized)
struct DaemonConfirmEndpointTests {
    static var options: DaemonFolder.Options {
        var options = DaemonFolder.Options()
        options.confirm = "{ reply-fax: 073-555-0999 }"
        return options
    }

    static let cooperators = DaemonFolder.cooperators(email: 2, fax: 1)

    /// Each recipient's code of one kind of notice of the case, by recipient id.
    static func codes(_ rig: DaemonRig, case caseID: String, kind: String) throws -> [String: String] {
        var codes: [String: String] = [:]
        for row in try rig.sql(
            "SELECT recipient_id || '|' || confirmation FROM deliveries WHERE case_id = '\(caseID)' AND kind = '\(kind)' AND confirmation IS NOT NULL"
        ) {
            let parts = row.split(separator: "|")
            codes[String(parts[0])] = String(parts[1])
        }
        return codes
    }

    @Test(
        "a GET shows the town, the case reference and the buttons, records nothing; a POST records once and thanks, a repeat says already; forged, malformed and not-asked codes get the one 404"
    )
    func pagesAndRecording() async throws {
        try await withDaemonRig(options: Self.options, cooperators: Self.cooperators) { rig in
            let daemon = try await rig.startConsuming()
            try await daemon.waitForLine(event: "confirm.listening", containing: ["listen=127.0.0.1:\(rig.folder.confirmPort)"])
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            let codes = try Self.codes(rig, case: sample.caseID, kind: "alert")
            #expect(codes.count == 3, "every email and FAX alert carries a code: \(codes)")
            let recipient = "vol-0001"
            let code = try #require(codes[recipient])

            // The page: town, department, phone, case reference and both buttons; nothing of
            // the person or the recipient.
            let page = try rig.confirmPage("GET", "/c/\(code)")
            #expect(page.status == 200, "\(page)")
            for expected in ["見守町", "福祉課", "073-555-0000", sample.caseID, "受け取りました", "処分しました", "name=\"viewport\""] {
                #expect(page.body.contains(expected), "the page lacks \(expected)")
            }
            #expect(page.body.components(separatedBy: "<form method=\"post\"").count - 1 == 2)
            #expect(page.body.contains("action=\"\(code)/received\"") && page.body.contains("action=\"\(code)/destroyed\""))
            let strangers = DaemonCase.Person.all + Self.cooperators.flatMap { [$0.id, $0.name, $0.address] }
            for secret in strangers { #expect(!page.body.contains(secret), "the page shows \(secret)") }
            #expect(!page.body.contains("<script"))
            #expect(!page.body.contains("訓練"), "a real case is not marked as a drill")
            #expect(page.headers["cache-control"] == "no-store")
            #expect(page.headers["referrer-policy"] == "no-referrer")
            #expect(page.headers["x-content-type-options"] == "nosniff")
            let policy = page.headers["content-security-policy"] ?? ""
            #expect(
                policy.contains("default-src 'none'") && policy.contains("form-action 'self'") && !policy.contains("unsafe"), "\(policy)")

            // One link, one button; a code as a person types it opens the same page.
            for only in ["received", "destroyed"] {
                let one = try rig.confirmPage("GET", "/c/\(code)/\(only)")
                #expect(one.status == 200 && one.body.components(separatedBy: "<form").count - 1 == 1, "\(one)")
                #expect(one.body.contains("action=\"\(only)\""))
            }
            let typed = try rig.confirmPage("GET", "/c/\(code.lowercased().replacingOccurrences(of: "-", with: ""))")
            #expect(typed.status == 200 && typed.body.contains(sample.caseID), "\(typed)")
            let recordedSQL = "SELECT count(*) FROM deliveries WHERE received_at IS NOT NULL OR destroyed_at IS NOT NULL"
            #expect(try rig.sql(recordedSQL) == ["0"], "a GET recorded something")

            // The POST records, once.
            let thanks = try rig.confirmPage("POST", "/c/\(code)/received")
            #expect(thanks.status == 200 && thanks.body.contains("「受け取りました」を記録しました"), "\(thanks)")
            #expect(
                try rig.sql(
                    "SELECT recipient_id || ' ' || confirmed_via FROM deliveries WHERE received_at IS NOT NULL AND case_id = '\(sample.caseID)'"
                ) == ["\(recipient) link"])
            let recorded = try await daemon.waitForLine(event: "confirm.recorded")
            for field in [
                "case": sample.caseID, "recipient": recipient, "kind": "alert", "confirmation": "received", "via": "link", "covered": "1",
            ] {
                #expect(logField(field.key, of: recorded) == field.value, "\(recorded)")
            }
            let again = try rig.confirmPage("POST", "/c/\(code)/received")
            #expect(again.status == 200 && again.body.contains("既に記録されています"), "\(again)")
            try await daemon.waitForLine(event: "confirm.repeated", containing: ["case=\(sample.caseID)"])
            let destroyed = try rig.confirmPage("POST", "/c/\(code)/destroyed")
            #expect(destroyed.status == 200 && destroyed.body.contains("「処分しました」を記録しました"), "\(destroyed)")
            #expect(
                try rig.sql("SELECT event FROM audit WHERE event LIKE 'confirm.%' AND case_id = '\(sample.caseID)' ORDER BY id")
                    == ["confirm.received", "confirm.destroyed"])
            // The page now says what was recorded instead of asking again.
            let after = try rig.confirmPage("GET", "/c/\(code)")
            #expect(after.body.components(separatedBy: "<form").count == 1 && after.body.contains("記録済み"), "\(after)")

            // Forged, malformed, a route that is no confirmation: one 404, the same page.
            let forged = try rig.confirmPage("GET", "/c/ZZZZ-ZZZZ-ZZZZ")
            #expect(forged.status == 404, "\(forged)")
            for (method, path) in [
                ("POST", "/c/ZZZZ-ZZZZ-ZZZZ/destroyed"), ("GET", "/c/not-a-code"), ("GET", "/c/\(code)/shredded"), ("GET", "/c/"),
            ] {
                let answer = try rig.confirmPage(method, path)
                #expect(answer.status == 404 && answer.body == forged.body, "\(method) \(path): \(answer)")
            }

            // The termination asks only 処分しました: 受け取りました on its code is the same 404.
            try await rig.publisher.publish(sample.event("closed", sequence: 2))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["termination"], daemon: daemon)
            let termination = try #require(try Self.codes(rig, case: sample.caseID, kind: "termination")["vol-0002"])
            let notAsked = try rig.confirmPage("POST", "/c/\(termination)/received")
            #expect(notAsked.status == 404 && notAsked.body == forged.body, "\(notAsked)")
            #expect(try rig.confirmPage("GET", "/c/\(termination)/received").status == 404)
            let onlyDestroyed = try rig.confirmPage("GET", "/c/\(termination)")
            #expect(onlyDestroyed.status == 200 && onlyDestroyed.body.components(separatedBy: "<form").count - 1 == 1)
            try await daemon.waitForLine(event: "confirm.refused", containing: ["reason=not-asked", "case=\(sample.caseID)"])

            // The journal names ids, never a code.
            let confirmLines =
                daemon.lines(event: "confirm.recorded") + daemon.lines(event: "confirm.repeated")
                + daemon.lines(event: "confirm.refused")
            #expect(confirmLines.count >= 6, "\(confirmLines)")
            for line in confirmLines {
                for secret in [code, termination, "ZZZZ-ZZZZ-ZZZZ"] { #expect(!line.contains(secret), "\(line)") }
            }
            let metrics = try rig.metrics()
            #expect(metrics["mimamori_confirmations_total{confirmation=\"received\",outcome=\"recorded\"}"] == 1, "\(metrics)")
            #expect(metrics["mimamori_confirmations_total{confirmation=\"received\",outcome=\"repeated\"}"] == 1)
            #expect(metrics["mimamori_confirmations_total{confirmation=\"destroyed\",outcome=\"recorded\"}"] == 1)
            #expect(metrics["mimamori_confirmations_total{confirmation=\"received\",outcome=\"not-asked\"}"] == 1)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test(
        "a flood: one client past its limit gets 429 with Retry-After; past the unknown-code cap every code waits, a real one too"
    )
    func flood() async throws {
        try await withDaemonRig(options: Self.options, cooperators: Self.cooperators) { rig in
            let daemon = try await rig.startConsuming()
            try await daemon.waitForLine(event: "confirm.listening")
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            let code = try #require(try Self.codes(rig, case: sample.caseID, kind: "alert")["vol-0001"])
            #expect(try rig.confirmPage("GET", "/c/\(code)").status == 200)

            // Behind the reverse proxy (the peer is loopback) the client is the last hop the
            // proxy appended; what the client wrote before it does not matter.
            for i in 0..<30 {
                let answer = try rig.confirmPage(
                    "GET", "/c/ZZZZ-ZZZZ-\(String(format: "%04d", i))", forwardedFor: "10.9.9.\(i), 198.51.100.1")
                #expect(answer.status == 404, "request \(i): \(answer.status)")
            }
            let limited = try rig.confirmPage("GET", "/c/\(code)", forwardedFor: "198.51.100.1")
            #expect(limited.status == 429 && limited.body.contains("しばらく"), "\(limited)")
            #expect(Int(limited.headers["retry-after"] ?? "").map { (1...60).contains($0) } == true, "\(limited.headers)")
            #expect(try rig.confirmPage("GET", "/c/\(code)", forwardedFor: "198.51.100.2").status == 200, "another client is not held")

            // A guesser spread over many addresses: after 60 unknown codes in the minute, every
            // code request waits (a real one too: else the answers would tell real from forged).
            for i in 0..<30 {
                let answer = try rig.confirmPage("GET", "/c/YYYY-YYYY-\(String(format: "%04d", i))", forwardedFor: "203.0.113.\(i + 1)")
                #expect(answer.status == 404, "guess \(i): \(answer.status)")
            }
            let held = try rig.confirmPage("POST", "/c/\(code)/received", forwardedFor: "192.0.2.77")
            #expect(held.status == 429 && held.headers["retry-after"] != nil, "\(held)")
            #expect(try rig.sql("SELECT count(*) FROM deliveries WHERE received_at IS NOT NULL") == ["0"])
            try await daemon.waitForLine(event: "confirm.refused", containing: ["reason=rate-limited"], count: 2)
            #expect(daemon.lines(event: "confirm.refused", containing: ["reason=unknown"]).count == 60)
            #expect(try rig.metric("mimamori_confirmations_total{confirmation=\"received\",outcome=\"rate-limited\"}") == 1)
            #expect(try rig.metric("mimamori_confirmations_total{confirmation=\"page\",outcome=\"unknown\"}") == 60)
        }
    }

    @Test("the code of a purged case is the same 404 as a forged one, and records nothing")
    func purgedCase() async throws {
        try await withDaemonRig(options: Self.options, cooperators: Self.cooperators) { rig in
            let daemon = try await rig.startConsuming(environment: ["MIMAMORI_PURGE_INTERVAL": "1", "MIMAMORI_TEST_RETENTION": "3"])
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            let code = try #require(try Self.codes(rig, case: sample.caseID, kind: "alert")["vol-0002"])
            #expect(try rig.confirmPage("GET", "/c/\(code)").status == 200)
            try await rig.publisher.publish(sample.event("closed", sequence: 2))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert", "termination"], daemon: daemon)
            try DaemonRetentionTests.makeRemindersDue(sample.caseID, rig: rig)
            try await rig.waitUntilSettled(sample.caseID, kinds: ["destruction-reminder"], daemon: daemon)
            try await daemon.waitForLine(event: "case.purged", containing: ["case=\(sample.caseID)"], timeout: .seconds(60))
            let forged = try rig.confirmPage("GET", "/c/ZZZZ-ZZZZ-ZZZZ")
            for (method, path) in [("GET", "/c/\(code)"), ("POST", "/c/\(code)/destroyed")] {
                let answer = try rig.confirmPage(method, path)
                #expect(answer.status == 404 && answer.body == forged.body, "\(method) \(path): \(answer)")
            }
            #expect(try rig.sql("SELECT count(*) FROM deliveries WHERE destroyed_at IS NOT NULL") == ["0"])
        }
    }

    @Test("mimamori confirm records what a cooperator told the staff (via=staff, by=), says already, and refuses an unknown code")
    func staffConfirm() async throws {
        try await withDaemonRig(options: Self.options, cooperators: Self.cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            let code = try #require(try Self.codes(rig, case: sample.caseID, kind: "alert")["fax-001"])
            let binary = try DaemonProcess.binary("mimamori")
            func confirm(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
                try runProcess(binary, ["confirm"] + arguments + ["--config", rig.folder.settingsPath])
            }
            // As read off a FAX reply strip: lower case, spaces instead of hyphens.
            let spoken = code.lowercased().replacingOccurrences(of: "-", with: " ")
            let first = try confirm([spoken, "--destroyed", "--by", "yamada"])
            #expect(first.status == 0, "\(first)")
            #expect(first.stdout.contains("記録しました") && first.stdout.contains(sample.caseID) && first.stdout.contains("fax-001"), "\(first)")
            #expect(
                try rig.sql("SELECT confirmed_via || ' ' || (received_at IS NOT NULL) FROM deliveries WHERE destroyed_at IS NOT NULL")
                    == ["staff 1"])
            let audit = try rig.sql("SELECT detail FROM audit WHERE event = 'confirm.destroyed'")
            #expect(audit.count == 1 && audit[0].contains("via=staff") && audit[0].contains("by=yamada"), "\(audit)")
            #expect(!audit[0].contains(code))

            let again = try confirm([code, "--destroyed"])
            #expect(again.status == 1 && again.stderr.contains("既に記録されています"), "\(again)")
            let unknown = try confirm(["ZZZZ-ZZZZ-ZZZZ", "--received"])
            #expect(unknown.status == 2 && unknown.stderr.contains("そのコードは見つかりません"), "\(unknown)")
            let malformed = try confirm(["K7QM", "--received"])
            #expect(malformed.status == 2 && malformed.stderr.contains("記録していません"), "\(malformed)")
            let neither = try confirm([code])
            #expect(neither.status == 64 && neither.stderr.contains("--received か --destroyed"), "\(neither)")
            #expect(try rig.sql("SELECT count(*) FROM audit WHERE event LIKE 'confirm.%'") == ["1"])
        }
    }

    @Test("the confirmation port is taken: one confirm.unavailable line, /healthz says degraded, and the daemon still delivers")
    func portTaken() async throws {
        try await withDaemonRig(options: Self.options, cooperators: Self.cooperators) { rig in
            let squatter = try RawSocket.listening(port: rig.folder.confirmPort)
            defer { squatter.close() }
            let daemon = try await rig.startConsuming()
            let line = try await daemon.waitForLine(event: "confirm.unavailable")
            #expect(logField("listen", of: line) == "127.0.0.1:\(rig.folder.confirmPort)", "\(line)")
            let health = try rig.health()
            #expect(health.status == 200 && health.text.contains("confirmation endpoint unavailable"), "\(health)")
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": 3])
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test("without the confirm-key credential the daemon refuses to start: exit 78 and a startup.failed line that says how to write one")
    func refusesWithoutKey() async throws {
        try await withDaemonRig(options: Self.options, cooperators: Self.cooperators) { rig in
            try FileManager.default.removeItem(atPath: rig.folder.confirmKeyPath)
            let daemon = try rig.startDaemon()
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(78), "\(daemon.tail())")
            let line = try #require(daemon.lines(event: "startup.failed").first, "\(daemon.tail())")
            #expect(line.contains("confirm-key") && line.contains("mimamori keygen --confirm-key"), "\(line)")
        }
    }
}

/// One answer of the confirmation endpoint.
struct ConfirmPageAnswer: CustomStringConvertible {
    var status: Int
    /// Header names in lower case.
    var headers: [String: String]
    var body: String
    var description: String { "\(status) \(headers) \(body.prefix(300))" }
}

extension DaemonRig {
    /// A request to the confirmation endpoint through curl, as a browser's form would send it.
    func confirmPage(_ method: String, _ path: String, forwardedFor: String? = nil) throws -> ConfirmPageAnswer {
        var arguments = ["-sS", "-i", "--max-time", "10", "-X", method]
        if method == "POST" { arguments += ["-H", "Content-Type: application/x-www-form-urlencoded", "--data", ""] }
        if let forwardedFor { arguments += ["-H", "X-Forwarded-For: \(forwardedFor)"] }
        arguments.append("http://127.0.0.1:\(folder.confirmPort)\(path)")
        return try ConfirmPageAnswer(curlOutput: runTool("/usr/bin/curl", arguments))
    }
}

extension ConfirmPageAnswer {
    init(curlOutput text: String) throws {
        guard let split = text.range(of: "\r\n\r\n") else { throw FixtureError("no HTTP head in curl's output: \(text.prefix(200))") }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        guard let first = head.first, let status = first.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw FixtureError("no status line: \(head.first ?? "")")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.init(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}
