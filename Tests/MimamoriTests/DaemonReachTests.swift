import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Reach as a town meets it: a directory written at different levels of area, a case written as
/// the police write it, the real daemon, broker and SMTP server. Nobody is left out by a
/// spelling or a level of detail, and the journal says who was asked and who not.
@Suite("mimamorid reach (real binary, broker, SMTP)", .serialized)
struct DaemonReachTests {
    static let kainan = DaemonFolder.Options(town: "海南市", areas: "{ 海南市: [日方, 黒江, 船尾], aliases: { 旧日方町: 日方 } }")

    /// The review's directory: city-wide institutions, a shop written with the joined form, a
    /// volunteer of a sibling area, one of an area the tree does not know, an inactive row.
    static func directory(_ municipality: String) -> String {
        """
        id,name,channel,address,areas,municipality,active
        city-hall,海南市役所,fax,073-483-0001,海南市,\(municipality),yes
        hospital,海南医療センター,email,hospital@city.example.jp,海南市,\(municipality),yes
        hikata-shop,日方の商店,fax,073-483-0003,海南市日方,\(municipality),yes
        vol-hikata,日方の協力者,email,hikata@volunteers.example.jp,日方付近,\(municipality),yes
        vol-kuroe,黒江の協力者,email,kuroe@volunteers.example.jp,黒江,\(municipality),yes
        vol-ohno,大野の協力者,email,ohno@volunteers.example.jp,大野,\(municipality),yes
        closed-shop,閉店した店,fax,073-483-0007,日方,\(municipality),no

        """
    }

    static func event(_ c: DaemonCase, residence: String, lastSeen: String?) -> [String: Any] {
        var event = c.event("opened", sequence: 1)
        var person = event["person"] as! [String: Any]
        person["residenceArea"] = residence
        event["person"] = person
        var seen = event["lastSeen"] as! [String: Any]
        seen["area"] = lastSeen
        event["lastSeen"] = seen
        return event
    }

    @Test("a city-wide 海南市 row is reached for a 海南市日方 case, the sibling 黒江 is not, an unknown area asks; the case line says so")
    func cityWideRowsAreReached() async throws {
        try await withDaemonRig(options: Self.kainan, cooperators: []) { rig in
            try rig.folder.writeCooperatorsFile(Self.directory(rig.folder.municipality))
            let checked = try rig.cli(["check-config"])
            #expect(checked.contains("line 7 (vol-ohno): area 大野 is not in the areas of mimamori.yaml"), "\(checked)")
            #expect(!checked.contains("hikata-shop") && !checked.contains("vol-hikata"), "joined and 付近 forms are known: \(checked)")

            let daemon = try await rig.startConsuming()
            let c = DaemonCase(municipality: rig.folder.municipality)
            let event = Self.event(c, residence: "海南市日方", lastSeen: nil)

            // Staff check first: nothing is sent by `mimamori plan`.
            let file = rig.folder.directory.appendingPathComponent("case.json")
            try Data(try DaemonCase.json(event)).write(to: file)
            let plan = try rig.cli(["plan", file.path])
            #expect(plan.contains("送信する: 5 件") && plan.contains("送信しない: 2 件"), "\(plan)")
            #expect(plan.contains("vol-kuroe\tメール\t地域が該当しない"), "\(plan)")
            #expect(plan.contains("vol-ohno\tメール\t地域が地域一覧にないため送信（要確認）"), "\(plan)")
            #expect(plan.contains("closed-shop\tFAX\t無効（active 列）"), "\(plan)")
            #expect(plan.contains("住所の地域: 海南市日方 → 海南市 › 日方"), "\(plan)")
            #expect(!plan.contains("日方の商店"), "names only with --with-names: \(plan)")
            #expect(try rig.cli(["plan", file.path, "--with-names"]).contains("hikata-shop\t日方の商店\tFAX"))
            #expect(rig.smtp.receivedCount() == 0)

            try await rig.publisher.publish(event)
            let line = try await daemon.waitForLine(event: "case.opened", containing: ["case=\(c.caseID)"])
            let fields = ["active", "asked", "skipped_inactive", "skipped_area", "skipped_consent", "unknown_area", "fax", "email"]
            #expect(fields.map { logField($0, of: line) } == ["6", "5", "1", "1", "0", "1", "2", "3"], "\(line)")
            try await rig.waitUntilSettled(c.caseID, kinds: ["alert"], daemon: daemon)
            try await rig.waitForMail(5, daemon: daemon)
            let reached = Set(try MailTally(rig.smtp).mails.map(\.recipient))
            #expect(
                reached == [
                    "0734830001@fax.example.jp", "hospital@city.example.jp", "0734830003@fax.example.jp",
                    "hikata@volunteers.example.jp", "ohno@volunteers.example.jp",
                ])
            #expect(daemon.lines(event: "case.unreached").isEmpty)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test("an area the tree does not know on the case's side asks everyone, and is counted")
    func unknownCaseAreaAsksEveryone() async throws {
        try await withDaemonRig(options: Self.kainan, cooperators: []) { rig in
            try rig.folder.writeCooperatorsFile(Self.directory(rig.folder.municipality))
            let daemon = try await rig.startConsuming()
            let c = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(Self.event(c, residence: "日方", lastSeen: "海南駅前"))
            let line = try await daemon.waitForLine(event: "case.opened", containing: ["case=\(c.caseID)"])
            #expect(logField("asked", of: line) == "6" && logField("skipped_area", of: line) == "0", "\(line)")
            // vol-kuroe is asked only because 海南駅前 is unknown, vol-ohno because 大野 is.
            #expect(logField("unknown_area", of: line) == "2", "\(line)")
            try await rig.waitForMail(6, daemon: daemon)
        }
    }

    @Test("an alert that reaches no cooperator while the family consented: case.unreached and an operator alarm")
    func unreachedAlertIsAlarmed() async throws {
        try await withDaemonRig(options: Self.kainan, cooperators: []) { rig in
            let m = rig.folder.municipality
            try rig.folder.writeCooperatorsFile(
                "id,name,channel,address,areas,municipality,active\n"
                    + "vol-kuroe,黒江の協力者,email,kuroe@volunteers.example.jp,黒江,\(m),yes\n"
                    + "vol-funao,船尾の協力者,email,funao@volunteers.example.jp,船尾,\(m),yes\n")
            let daemon = try await rig.startConsuming()
            let c = DaemonCase(municipality: m)
            try await rig.publisher.publish(Self.event(c, residence: "日方", lastSeen: nil))
            let line = try await daemon.waitForLine(event: "case.unreached", containing: ["case=\(c.caseID)"])
            #expect(line.contains("level=warning") && logField("active", of: line) == "2", "\(line)")
            try await rig.waitForMail(1, daemon: daemon)
            let alarm = try #require(try MailTally(rig.smtp).mails.first)
            #expect(alarm.recipient == "ops@town.example.jp" && alarm.subject.contains(c.caseID), "\(alarm)")
        }
    }
}

/// A directory that cannot be used is never used: the daemon refuses to start, says why, and
/// the case waits in the queue until the file is fixed.
@Suite("mimamorid refuses a broken directory (real binary, broker, SMTP)", .serialized)
struct DaemonDirectoryRefusalTests {
    static let header = "id,name,channel,address,areas,municipality,active\n"

    @Test(
        "a broken directory at start: exit 78 with the reason, the event stays queued, and is delivered once the file is fixed",
        arguments: ["header", "missing", "inactive", "municipality"])
    func brokenDirectoryRefusesToStart(_ fault: String) async throws {
        let rows = DaemonFolder.cooperators(email: 3, fax: 0)
        try await withDaemonRig(cooperators: rows) { rig in
            let m = rig.folder.municipality
            let expected: String
            switch fault {
            case "header":
                // Saved from Excel with the header translated: no channel column.
                try rig.folder.writeCooperatorsFile(
                    "id,name,種別,address,areas,municipality,active\n"
                        + rows.map { "\($0.id),\($0.name),\($0.channel),\($0.address),,\(m),yes" }.joined(separator: "\n"))
                expected = "header lacks channel"
            case "missing":
                try FileManager.default.removeItem(atPath: rig.folder.cooperatorsPath)
                expected = "cannot read the file"
            case "inactive":
                try rig.folder.writeCooperatorsFile(
                    Self.header + rows.map { "\($0.id),\($0.name),\($0.channel),\($0.address),,\(m),no" }.joined(separator: "\n"))
                expected = "no usable active row for municipality \(m) (3 rows read, 0 active"
            default:
                // The municipality column written as a neighbour's name: no row is the town's.
                try rig.folder.writeCooperatorsFile(
                    Self.header + rows.map { "\($0.id),\($0.name),\($0.channel),\($0.address),,海南市,yes" }.joined(separator: "\n"))
                expected = "municipality column names 海南市"
            }
            let c = DaemonCase(municipality: m)
            try await rig.publisher.publish(c.event("opened", sequence: 1))
            let refused = try rig.startDaemon()
            #expect(try await refused.waitForExit(timeout: .seconds(30)) == .status(78), "\(refused.tail())")
            let line = try #require(refused.lines(event: "startup.failed").first, "\(refused.tail())")
            #expect(line.contains(expected) && line.contains("level=critical"), "\(line)")
            #expect(refused.lines(event: "intake.consuming").isEmpty)

            try rig.folder.writeCooperators(rows)
            let daemon = try await rig.startConsuming()
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(c.caseID)", "asked=3"])
            try await rig.waitForMail(3, daemon: daemon)
        }
    }

    @Test("some bad rows at start: it starts, names each row (ids, no data), and reaches the good ones")
    func badRowsAreNamed() async throws {
        let rows = DaemonFolder.cooperators(email: 2, fax: 0)
        try await withDaemonRig(cooperators: rows) { rig in
            let m = rig.folder.municipality
            try rig.folder.writeCooperatorsFile(
                Self.header + rows.map { "\($0.id),\($0.name),\($0.channel),\($0.address),,\(m),yes" }.joined(separator: "\n")
                    + "\nvol-bad,誤記の協力者,email,not-an-address,,\(m),yes\nfax-bad,誤記の機関,fax,12,,\(m),yes\n")
            let daemon = try await rig.startConsuming()
            let refused = daemon.lines(event: "directory.row-refused")
            #expect(refused.count == 2, "\(daemon.tail())")
            #expect(refused.map { logField("recipient", of: $0) } == ["vol-bad", "fax-bad"])
            #expect(refused.map { logField("line", of: $0) } == ["4", "5"])
            #expect(refused.allSatisfy { !$0.contains("誤記") && !$0.contains("not-an-address") }, "\(refused)")
            // It works, so a load balancer keeps it; a person should look.
            let health = try rig.health()
            #expect(health.status == 200 && health.text == "degraded: directory: 2 rows left out; see directory.row-refused", "\(health)")
            let c = DaemonCase(municipality: m)
            try await rig.publisher.publish(c.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(c.caseID)", "asked=2"])
            // The operator hears of the left-out rows by mail too, by line and id only.
            try await rig.waitForMail(3, daemon: daemon)
            let alarm = try #require(try MailTally(rig.smtp).mails.first { $0.recipient == "ops@town.example.jp" })
            #expect(alarm.subject.contains("協力者名簿の 2 行"), "\(alarm)")
            let body = try #require(try rig.smtp.received().first { $0.rcpt_tos.contains("ops@town.example.jp") }?.decoded?.body)
            #expect(body.contains("4 行目 vol-bad") && body.contains("5 行目 fax-bad") && !body.contains("誤記"), "\(body)")
        }
    }
}
