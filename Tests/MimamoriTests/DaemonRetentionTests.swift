import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Article 14 through the real daemon: after closure plus the retention, the personal data
/// leaves the ledger file, bytes and all.
@Suite("mimamorid retention (real binary, broker, SMTP)", .serialized)
struct DaemonRetentionTests {
    @Test(
        "a closed case is purged after the retention: the ledger file's bytes hold no name, kana, clothing, place, phone or cooperator address, the radio spool no script of it; a replay afterwards is ignored, not a stalled queue"
    )
    func purgeRemovesPersonalData() async throws {
        var options = DaemonFolder.Options()
        options.radioSpool = true
        let cooperators = DaemonFolder.cooperators(email: 5, fax: 2)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            // The settings refuse a retention under a day; the test-only knob shortens it to 3 s.
            let daemon = try await rig.startConsuming(environment: ["MIMAMORI_PURGE_INTERVAL": "1", "MIMAMORI_TEST_RETENTION": "3"])
            let sample = DaemonCase(municipality: rig.folder.municipality)
            let opened = sample.event("opened", sequence: 1, photo: true)
            try await rig.publisher.publish(opened)
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            // Before the purge the data is there: the search below can find it.
            #expect(try Self.hits(in: rig.folder.ledgerPath, of: [DaemonCase.Person.name]) == [DaemonCase.Person.name])
            try await rig.publisher.publish(sample.event("closed", sequence: 2))
            try await daemon.waitForLine(event: "case.closed", containing: ["case=\(sample.caseID)"])
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert", "termination"], daemon: daemon)
            let spooled = { (try? FileManager.default.contentsOfDirectory(atPath: rig.folder.radioDirectory.path)) ?? [] }
            let caseFiles = { spooled().filter { $0.hasPrefix("\(sample.caseID).") } }
            #expect(caseFiles().count >= 4, "the radio's alert and end scripts are in the spool before the purge: \(spooled())")
            // The destruction reminders wait for the next business morning: the case keeps its
            // data for them (without that rule it would be purged now, 3 s after the closure).
            #expect(try rig.sql("SELECT purged_at IS NULL FROM cases WHERE id = '\(sample.caseID)'") == ["1"])
            #expect(
                try rig.sql(
                    "SELECT count(*) FROM deliveries WHERE case_id = '\(sample.caseID)' AND kind = 'destruction-reminder' AND state = 'planned'"
                ) == ["7"])
            // The morning comes (for those rows): the reminders go out, then the purge.
            try Self.makeRemindersDue(sample.caseID, rig: rig)
            try await rig.waitUntilSettled(sample.caseID, kinds: ["destruction-reminder"], daemon: daemon)
            let purged = try await daemon.waitForLine(event: "case.purged", containing: ["case=\(sample.caseID)"], timeout: .seconds(60))
            #expect(!purged.contains(DaemonCase.Person.name))
            // The radio scripts (kana name, age, clothing) go with the ledger's data.
            #expect(caseFiles().isEmpty, "radio spool files left after the purge: \(caseFiles())")
            #expect(purged.contains("files="), "\(purged)")

            // A purged case stays closed: a replay of its alert and a late update are acked and
            // ignored (not a stalled queue), and nothing is planned again.
            let countDeliveries = "SELECT count(*) FROM deliveries WHERE case_id = '\(sample.caseID)'"
            let deliveriesBefore = try rig.sql(countDeliveries)
            try await rig.publisher.publish(opened)
            try await rig.publisher.publish(sample.event("updated", sequence: 3))
            try await daemon.waitForLine(event: "intake.ignored", containing: ["case=\(sample.caseID)"], count: 2)
            let ignored = daemon.lines(event: "intake.ignored", containing: ["case=\(sample.caseID)"])
            #expect(ignored.map { logField("reason", of: $0) } == ["case.repeated-message", "case.after-closure"])
            #expect(try rig.sql(countDeliveries) == deliveriesBefore)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")

            var secrets = DaemonCase.Person.all.filter { $0.count > 3 }
            for cooperator in cooperators { secrets += [cooperator.name, cooperator.address] }
            let found = try Self.hits(in: rig.folder.ledgerPath, of: secrets)
            #expect(found.isEmpty, "personal data left in the ledger after the purge: \(found)")
            // Ids, counts and states remain for the audit.
            #expect(try rig.sql("SELECT count(*) FROM deliveries WHERE case_id = '\(sample.caseID)' AND state = 'delivered'") != ["0"])
        }
    }

    /// Moves the case's destruction reminders to now, as if the next business morning had come:
    /// a write to the ledger beside the running daemon (SQLite serialises it with the daemon's).
    static func makeRemindersDue(_ caseID: String, rig: DaemonRig) throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        _ = try runTool(
            "/usr/bin/sqlite3",
            [
                "-cmd", ".timeout 10000", rig.folder.ledgerPath,
                "UPDATE deliveries SET not_before = \(now), next_attempt_at = \(now) WHERE case_id = '\(caseID)' AND kind = 'destruction-reminder' AND state = 'planned'",
            ])
    }

    @Test("check-config refuses a retention under a day, and says why")
    func shortRetentionRefused() async throws {
        var options = DaemonFolder.Options()
        options.retention = "12h"
        try await withDaemonRig(options: options, cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
            do {
                _ = try rig.cli(["check-config"])
                Issue.record("check-config accepted retention: 12h")
            } catch {
                #expect("\(error)".contains("retention: must be at least 1d"), "\(error)")
            }
        }
    }

    @Test(
        "a case never closed raises one staff alarm mail per staff address, ids only, once: a later pass and another case's alarm do not repeat it"
    )
    func openCaseAlarm() async throws {
        var options = DaemonFolder.Options()
        options.staffEmails = ["fukushi@town.example.jp", "hoken@town.example.jp"]
        try await withDaemonRig(options: options, cooperators: DaemonFolder.cooperators(email: 2, fax: 0)) { rig in
            let daemon = try await rig.startConsuming(
                environment: ["MIMAMORI_PURGE_INTERVAL": "1", "MIMAMORI_TEST_OPEN_CASE_ALARM": "2"])
            let first = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(first.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.open-too-long", containing: ["case=\(first.caseID)"], timeout: .seconds(60))
            // A second case, alarmed at a later pass: the first one's alarm is not sent again.
            let second = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(second.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.open-too-long", containing: ["case=\(second.caseID)"], timeout: .seconds(60))
            // 2 alerts per case, 2 staff mails per case.
            try await rig.waitForMail(8, daemon: daemon)
            try await waitUntil("both cases' alarms are marked sent", timeout: .seconds(30), daemon: daemon, every: .milliseconds(100)) {
                try rig.sql("SELECT count(*) FROM case_alarms WHERE sent_at IS NOT NULL") == ["2"]
            }
            // The owed alarms are sent oldest first: a repeat of the first would be in before the second's.
            let mails = try MailTally(rig.smtp).mails
            for caseID in [first.caseID, second.caseID] {
                let alarms = mails.filter { $0.subject.contains("終了の連絡がない事案 \(caseID)") }
                #expect(
                    alarms.map(\.recipient).sorted() == ["fukushi@town.example.jp", "hoken@town.example.jp"], "\(alarms.map(\.recipient))")
            }
            #expect(!mails.contains { $0.recipient == "ops@town.example.jp" }, "staff alarms go to the staff when staff: is set")
            for message in try rig.smtp.received() where message.decoded?.subject.contains("終了の連絡がない事案") == true {
                let body = message.decoded?.body ?? ""
                #expect(body.contains("mimamori status"))
                for secret in DaemonCase.Person.all where secret.count > 3 { #expect(!body.contains(secret)) }
            }
            #expect(daemon.lines(event: "case.open-too-long", containing: ["case=\(first.caseID)"]).count == 1)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    /// Which of `secrets` occur (as UTF-8 bytes) in the SQLite file or its -wal / -shm.
    static func hits(in path: String, of secrets: [String]) throws -> [String] {
        var files: [Data] = []
        for suffix in ["", "-wal", "-shm", "-journal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { files.append(data) }
        }
        guard !files.isEmpty else { throw FixtureError("no ledger at \(path)") }
        return secrets.filter { secret in
            let bytes = Data(secret.utf8)
            return files.contains { $0.range(of: bytes) != nil }
        }
    }
}
