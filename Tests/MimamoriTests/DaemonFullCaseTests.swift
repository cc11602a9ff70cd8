import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One sample case from open to close through the real daemon, as `make demo` runs it: 70 email
/// volunteers and 10 FAX institutions (through the email-to-fax gateway), radio into a spool.
/// Two tests read the same run: what the cooperators received, and what the log says.
@Suite("mimamorid full case (real binary, broker, SMTP)", .serialized)
struct DaemonFullCaseTests {
    struct Run: Sendable {
        var cooperators: [DaemonFolder.Cooperator]
        var mails: [MailTally.Mail]
        var duplicatesByMessageID: Int
        var report: String
        var lines: [String]
        var stderr: String
        var exit: DaemonProcess.Exit
        var radioFiles: [String]
        /// The CAP documents spooled for the radio, by file name.
        var radioCAP: [String: String]
        var caseID: String
        /// `mimamori drill-report`'s messages and its summary CSV.
        var drillReport: String
        var drillSummary: String
    }

    static let cooperators = DaemonFolder.cooperators(email: 70, fax: 10)

    /// The run, once for both tests.
    static let run = Task<Run, any Error> {
        var options = DaemonFolder.Options()
        options.radioSpool = true
        return try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1, photo: true))
            try await daemon.waitForLine(event: "case.opened")
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            // The update goes the way drills publish: the real `mimamori publish` command.
            let updated = rig.folder.directory.appendingPathComponent("case-updated.json")
            try Data(try DaemonCase.json(sample.event("updated", sequence: 2, photo: true))).write(to: updated)
            let published = try rig.cli([
                "publish", updated.path, "--key", rig.folder.directory.appendingPathComponent("keys/\(rig.folder.keyID).key").path,
                "--broker", rig.folder.brokerURL,
                "--password-file", rig.folder.credentialsDirectory.appendingPathComponent("broker-password").path,
            ])
            #expect(published.contains("signed, confirmed by the broker"), "\(published)")
            try await daemon.waitForLine(event: "case.updated")
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert", "update"], daemon: daemon)
            try await rig.publisher.publish(sample.event("closed", sequence: 3))
            try await daemon.waitForLine(event: "case.closed")
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert", "update", "termination"], daemon: daemon)
            let report = try rig.cli(["report", sample.caseID])
            let papers = rig.folder.directory.appendingPathComponent("drill-report")
            let drillReport = try rig.cli(["drill-report", sample.caseID, "--out", papers.path])
            let drillSummary = String(
                decoding: try Data(contentsOf: papers.appendingPathComponent("drill-report-\(sample.caseID)-summary.csv")), as: UTF8.self)
            daemon.signal(SIGTERM)
            let exit = try await daemon.waitForExit(timeout: .seconds(30))
            let tally = try MailTally(rig.smtp)
            let radioFiles = (try? FileManager.default.contentsOfDirectory(atPath: rig.folder.radioDirectory.path)) ?? []
            var radioCAP: [String: String] = [:]
            for name in radioFiles where name.hasSuffix(".xml") {
                radioCAP[name] = try String(contentsOf: rig.folder.radioDirectory.appendingPathComponent(name), encoding: .utf8)
            }
            return Run(
                cooperators: cooperators, mails: tally.mails, duplicatesByMessageID: tally.duplicatesByMessageID,
                report: report, lines: daemon.lines,
                stderr: (try? String(contentsOfFile: daemon.stderrPath, encoding: .utf8)) ?? "", exit: exit,
                radioFiles: radioFiles, radioCAP: radioCAP, caseID: sample.caseID,
                drillReport: drillReport, drillSummary: drillSummary)
        }
    }

    @Test(
        "opened → updated → closed: every cooperator gets alert, update and termination; FAX mails carry a PDF; destruction reminders planned"
    )
    func fullCase() async throws {
        let run = try await Self.run.value
        #expect(run.exit == .status(0), "\(run.exit)")
        let tally = MailTally(mails: run.mails)
        // Email volunteers: the notice kind is in the subject.
        let volunteers = run.cooperators.filter { $0.channel == "email" }
        for kind in ["alert", "update", "termination"] {
            let expected = Set(volunteers.map(\.envelopeRecipient))
            let got = tally.recipients(of: kind)
            #expect(
                got == expected,
                "\(kind): missing \(expected.subtracting(got).sorted().prefix(5)), unexpected \(got.subtracting(expected).sorted().prefix(5))"
            )
            #expect(tally.count(of: kind) == volunteers.count, "\(kind): \(tally.count(of: kind)) messages")
        }
        #expect(run.duplicatesByMessageID == 0)
        // FAX institutions: the gateway's subject is fixed, the notice is the PDF; three gateway
        // mails each (alert, update, termination), each with one PDF, none repeated.
        for institution in run.cooperators where institution.channel == "fax" {
            let mails = tally.mails.filter { $0.recipient == institution.envelopeRecipient }
            #expect(mails.count == 3, "\(institution.id): \(mails.count) gateway mails")
            #expect(Set(mails.map(\.messageID)).count == mails.count)
            #expect(mails.allSatisfy { $0.pdfs == 1 }, "\(institution.id): \(mails.map(\.pdfs)) PDFs")
        }

        // The drill report of the CLI: one destruction reminder per recipient of personal data,
        // planned for the next business morning; nothing failed.
        let rows = run.report.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("total") }.map { $0.split(separator: "\t") }
        let reminders = rows.filter { $0.count > 4 && $0[2] == "destruction-reminder" }
        #expect(reminders.count == run.cooperators.count, "\(run.report.split(separator: "\n").last ?? "")")
        #expect(reminders.allSatisfy { $0[4] == "planned" })
        #expect(
            !rows.contains { $0.count > 4 && ($0[4] == "failed" || $0[4] == "expired") }, "\(run.report.split(separator: "\n").last ?? "")")
        // Every cooperator, FAX included, has each notice delivered in the ledger.
        for kind in ["alert", "update", "termination"] {
            let delivered = Set(rows.filter { $0.count > 4 && $0[2] == kind && $0[4] == "delivered" }.map { String($0[0]) })
            #expect(
                delivered.isSuperset(of: run.cooperators.map(\.id)),
                "\(kind) not delivered to \(Set(run.cooperators.map(\.id)).subtracting(delivered).sorted())")
        }
        print("e2e figure: full case report: \(run.report.split(separator: "\n").last ?? "")")
        // The meeting's report of the same run: timed from the event's publication, which the
        // daemon's intake kept; every cooperator reached, the radio broadcast.
        #expect(!run.drillReport.contains("発信の時刻が台帳にない"), "\(run.drillReport)")
        #expect(run.drillReport.contains("届いた宛先 \(run.cooperators.count)、"), "\(run.drillReport)")
        let summary = run.drillSummary.components(separatedBy: "\r\n")
        #expect(summary.contains { $0.hasPrefix("発信（警察・町）,20") && $0.hasSuffix("後") }, "\(summary)")
        #expect(summary.contains { $0.hasPrefix("防災行政無線 放送,20") }, "\(summary)")
        #expect(summary.contains("FAX 届いた,10,100%") && summary.contains("メール 届いた,70,100%"), "\(summary)")
        // Radio: the alert, update and end were spooled (consent.radio).
        #expect(!run.radioFiles.isEmpty, "radio spool is empty")
        try Self.expectCAPAsAggregatorsReadIt(run)
    }

    /// The case's three CAP messages as a public alert aggregator reads them (cap-tools,
    /// strict): one incident, the alert and the update each expiring, the end an all-clear
    /// `Update` referring to both, expiring soon.
    static func expectCAPAsAggregatorsReadIt(_ run: Run) throws {
        let names = run.radioCAP.keys.sorted()
        #expect(
            names == ["1.alert", "2.update", "3.termination"].map { "\(run.caseID).\($0).radio.radio.xml" }, "\(names)")
        let verdicts = try CAPValidator.validate(names.compactMap { run.radioCAP[$0] })
        guard verdicts.count == 3 else { return }
        for verdict in verdicts { #expect(verdict.ok, "\(verdict.file): \(verdict.error ?? "")") }
        #expect(verdicts.map(\.msgType) == ["Alert", "Update", "Update"])
        #expect(verdicts.map(\.responseType) == [[], [], ["AllClear"]])
        #expect(verdicts.allSatisfy { $0.incidents == [run.caseID] })
        #expect(verdicts[2].references?.count == 2, "the all-clear refers to the alert and the update")
        #expect(
            verdicts[2].references?.sorted()
                == verdicts[..<2].map { "\($0.sender ?? ""),\($0.identifier ?? ""),\($0.sent ?? "")" }.sorted())
        let formatter = ISO8601DateFormatter()
        let sent = verdicts.map { $0.sent.flatMap(formatter.date(from:)) }
        let expires = verdicts.map { $0.expires.flatMap(formatter.date(from:)) }
        for index in 0..<3 {
            guard let sent = sent[index], let expires = expires[index] else {
                Issue.record("\(verdicts[index].file): sent or expires unreadable")
                continue
            }
            // The sample settings: an alert or update stands a day, the all-clear an hour.
            #expect(expires.timeIntervalSince(sent) == (index < 2 ? 24 * 3600 : 3600), "\(verdicts[index].file)")
        }
    }

    @Test("every stdout line of the full-case run is logfmt, and none holds the person's or a cooperator's data")
    func logsAreLogfmtWithoutPersonalData() async throws {
        let run = try await Self.run.value
        #expect(run.lines.count > 200, "expected a line per delivery, got \(run.lines.count)")
        for line in run.lines {
            let pairs = Logfmt.parse(line)
            #expect(pairs != nil, "not logfmt: \(line)")
            guard let pairs else { continue }
            #expect(pairs.first?.key == "level" && pairs.dropFirst().first?.key == "event", "starts with level= event=: \(line)")
        }
        var secrets = DaemonCase.Person.all
        for cooperator in run.cooperators {
            secrets += [cooperator.name, cooperator.address, cooperator.envelopeRecipient]
            if cooperator.channel == "fax" { secrets.append(String(cooperator.address.filter(\.isNumber))) }
        }
        for line in run.lines + run.stderr.split(separator: "\n").map(String.init) {
            let found = secrets.filter { line.contains($0) }
            #expect(found.isEmpty, "log line holds personal data \(found): \(line)")
        }
        // The facts an operator looks for are there.
        for event in [
            "daemon.started", "intake.consuming", "case.opened", "case.updated", "case.closed", "delivery.accepted", "daemon.stopped",
        ] {
            #expect(run.lines.contains { $0.contains("event=\(event)") }, "no \(event) line")
        }
    }
}

extension MailTally {
    init(mails: [Mail]) { self.mails = mails }
}

/// logfmt as `LogfmtLogHandler` writes it: `key=value` pairs separated by one space; a value is
/// bare (no space, quote, `=` or backslash) or double-quoted with `\"`, `\\`, `\n`, `\r`, `\t`
/// and `\uXXXX` escapes.
enum Logfmt {
    static func parse(_ line: String) -> [(key: String, value: String)]? {
        var pairs: [(key: String, value: String)] = []
        var scalars = Substring(line).unicodeScalars[...]
        let keyCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_.-"))
        while !scalars.isEmpty {
            var key = ""
            while let c = scalars.first, c != "=" {
                guard c.isASCII, keyCharacters.contains(c) else { return nil }
                key.unicodeScalars.append(c)
                scalars.removeFirst()
            }
            guard !key.isEmpty, scalars.first == "=" else { return nil }
            scalars.removeFirst()
            var value = ""
            if scalars.first == "\"" {
                scalars.removeFirst()
                var closed = false
                while let c = scalars.popFirst() {
                    if c == "\"" {
                        closed = true
                        break
                    }
                    if c == "\\" {
                        guard let e = scalars.popFirst() else { return nil }
                        switch e {
                        case "\"", "\\": value.unicodeScalars.append(e)
                        case "n": value += "\n"
                        case "r": value += "\r"
                        case "t": value += "\t"
                        case "u":
                            let hex = String(String.UnicodeScalarView(scalars.prefix(4)))
                            guard hex.count == 4, let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else { return nil }
                            scalars.removeFirst(4)
                            value.unicodeScalars.append(s)
                        default: return nil
                        }
                    } else {
                        guard c.value >= 0x20 else { return nil }
                        value.unicodeScalars.append(c)
                    }
                }
                guard closed else { return nil }
            } else {
                while let c = scalars.first, c != " " {
                    guard c.value > 0x20, c != "\"", c != "=", c != "\\", c.value != 0x7F else { return nil }
                    value.unicodeScalars.append(c)
                    scalars.removeFirst()
                }
                guard !value.isEmpty else { return nil }
            }
            pairs.append((key, value))
            if let c = scalars.first {
                guard c == " " else { return nil }
                scalars.removeFirst()
                guard !scalars.isEmpty else { return nil }
            }
        }
        return pairs.isEmpty ? nil : pairs
    }
}

@Suite("logfmt checker of the end-to-end tests")
struct LogfmtCheckerTests {
    @Test("accepts what LogfmtLogHandler writes, rejects what is not logfmt")
    func checker() {
        #expect(Logfmt.parse(#"level=info event=case.opened case=E2E-1 email=70 reason="a b \"c\" \\ \n""#)?.count == 5)
        #expect(Logfmt.parse("level=info event=x msg=\"\\u0007\"")?.last?.value == "\u{7}")
        for bad in [
            "", "level=info event", "level=info  event=x", "level=info event=x ", "見守=1", "level=\"open", "a=b=c", "a=\"x\"y", "plain text",
        ] {
            #expect(Logfmt.parse(bad) == nil, "\(bad)")
        }
    }
}
