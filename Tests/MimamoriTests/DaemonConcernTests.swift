import Foundation
import Ledger
import MimamoriCore
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// みまさかほっとネット as a city meets it: a shop's concern, entered by staff, reaches the desk
/// open at that hour on every address it has; the result goes back to the shop; the reporter is
/// named to the desk and to nobody else, and in no log line. Real daemon, broker and SMTP server
/// (the FAX goes through the email gateway).
@Suite("mimamorid concern reports (real binary, broker, SMTP)", .serialized)
struct DaemonConcernTests {
    static let options = DaemonFolder.Options(
        town: "美作市", areas: "{ 美作市: [勝田, 大原, 作東], 勝田: [梶並], aliases: { 勝田町: 勝田 } }",
        concerns: """
              centre: centre
              after-hours: duty
              desks:
                - { id: centre, name: 美作市総合相談支援センター, phone: 0868-73-0330, email: centre@desk.example.jp, fax: 0868-73-0331 }
                - { id: shoda, name: 勝田地域ステーション, phone: 0868-75-3601, email: shoda@desk.example.jp, fax: 0868-75-3602, areas: [勝田] }
                - { id: duty, name: 美作市役所（日直）, phone: 0868-72-1111, email: duty@desk.example.jp, fax: 0868-72-1112 }
            """)

    /// What the reporter and the subject are called in the test: none of it may reach a log line,
    /// and the reporter's part nothing but the desk's notices.
    enum Words {
        static let subject = "試験 一郎"
        static let address = "梶並の郵便局付近"
        static let observation = "毎朝同じ服で来店し、支払いに戸惑っている様子"
        static let organization = "架空マート梶並店"
        static let reporter = "通報 花子"
        static let phone = "0868-75-9999"
        static let shopEmail = "shop@reporter.example.jp"
    }

    static func reported(_ m: String, id: String, email: String? = Words.shopEmail, urgent: Bool = false) -> [String: Any] {
        var reporter: [String: Any] = ["organization": Words.organization, "name": Words.reporter, "phone": Words.phone]
        if let email { reporter["email"] = email }
        return [
            "schema": "mimamori.concern/1", "messageId": UUID().uuidString.lowercased(), "reportId": id, "sequence": 1,
            "kind": "reported", "issuedAt": DaemonCase.timestamp(Date()), "municipality": m,
            "subject": ["name": Words.subject, "address": Words.address, "area": "梶並"],
            "observation": Words.observation, "urgent": urgent, "consent": false, "reporter": reporter,
        ]
    }

    static func resolved(_ m: String, id: String, result: String) -> [String: Any] {
        [
            "schema": "mimamori.concern/1", "messageId": UUID().uuidString.lowercased(), "reportId": id, "sequence": 2,
            "kind": "resolved", "issuedAt": DaemonCase.timestamp(Date()), "municipality": m, "result": result,
        ]
    }

    /// Where the report must go now, by the rule itself (the test cannot choose the hour the
    /// daemon reads): each desk's email address and FAX gateway address.
    static func expectedAddresses(_ rig: DaemonRig, urgent: Bool, at instant: Date) throws -> (route: ConcernRoute, addresses: Set<String>)
    {
        let configuration = try Configuration.parse(yaml: String(contentsOfFile: rig.folder.settingsPath, encoding: .utf8))
        let concerns = try #require(configuration.concerns)
        let route = concerns.contactDesks(area: "梶並", urgent: urgent, at: instant, areas: configuration.areas)
        var addresses = Set<String>()
        for desk in route.desks.compactMap(concerns.desk) {
            addresses.formUnion(desk.emails)
            addresses.formUnion(desk.faxes.map { $0.replacingOccurrences(of: "-", with: "") + "@fax.example.jp" })
        }
        return (route, addresses)
    }

    @Test(
        "a report reaches the desk open now on email and FAX; a redelivery changes nothing; the result reaches the shop; the reporter is in no log line and in nothing but the desk's notices"
    )
    func reportReachesTheDeskAndTheResultTheReporter() async throws {
        try await withDaemonRig(options: Self.options, cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
            let m = rig.folder.municipality
            let daemon = try await rig.startConsuming()
            try await daemon.waitForLine(event: "intake.consuming", containing: ["reason=\(rig.folder.concernsQueue)"])
            let id = "MS-C-\(UUID().uuidString.prefix(8).uppercased())"
            let event = Self.reported(m, id: id)
            let before = try Self.expectedAddresses(rig, urgent: false, at: Date())
            try await rig.publisher.publishConcern(event)
            let line = try await daemon.waitForLine(event: "concern.reported", containing: ["report=\(id)"])
            let after = try Self.expectedAddresses(rig, urgent: false, at: Date())
            // The hour turned between the two readings: the daemon's desk is one of the two.
            let expected = logField("desks", of: line) == before.route.desks.joined(separator: ",") ? before : after
            #expect(logField("desks", of: line) == expected.route.desks.joined(separator: ","), "\(line)")
            #expect(logField("rule", of: line) == expected.route.rule.rawValue, "\(line)")
            #expect(
                logField("fax", of: line) == "\(expected.route.desks.count)"
                    && logField("email", of: line) == "\(expected.route.desks.count)")

            try await rig.waitForMail(expected.addresses.count, daemon: daemon)
            let mails = try rig.smtp.received()
            #expect(Set(mails.flatMap(\.rcpt_tos)) == expected.addresses)
            for mail in mails {
                let decoded = try #require(mail.decoded)
                if mail.rcpt_tos.allSatisfy({ $0.hasSuffix("@fax.example.jp") }) {
                    #expect(decoded.attachments.filter { $0.content_type == "application/pdf" }.count == 1)
                } else {
                    #expect(decoded.subject.contains("見守りの情報提供") && decoded.subject.contains(id), "\(decoded.subject)")
                    let body = try #require(decoded.body)
                    for word in [Words.subject, Words.address, Words.observation, Words.organization, Words.reporter, Words.phone] {
                        #expect(body.contains(word), "the desk's email lacks \(word)")
                    }
                    #expect(body.contains("情報提供同意有無：なし"), "\(body)")
                }
            }

            // The broker delivers it again (a publisher's retry): nothing changes.
            try await rig.publisher.publishConcern(event)
            try await daemon.waitForLine(event: "intake.ignored", containing: ["case=\(id)", "reason=concern.repeated-message"])
            try await Task.sleep(for: .milliseconds(500))
            #expect(try rig.smtp.received().count == expected.addresses.count)

            let result = "職員が訪問し、ご家族と相談を始めました。ご連絡ありがとうございました。"
            try await rig.publisher.publishConcern(Self.resolved(m, id: id, result: result))
            let resolvedLine = try await daemon.waitForLine(event: "concern.resolved", containing: ["report=\(id)"])
            #expect(logField("email", of: resolvedLine) == "1" && logField("callback", of: resolvedLine) == nil, "\(resolvedLine)")
            try await rig.waitForMail(expected.addresses.count + 1, daemon: daemon)
            let toShop = try #require(try rig.smtp.received().first { $0.rcpt_tos == [Words.shopEmail] }?.decoded)
            #expect(toShop.subject.contains("結果のご報告") && toShop.subject.contains(id), "\(toShop.subject)")
            let body = try #require(toShop.body)
            #expect(body.contains(result) && body.contains(Words.subject), "\(body)")
            for word in [Words.reporter, Words.phone, Words.observation, Words.address] {
                #expect(!body.contains(word), "the result notice carries \(word)")
            }
            try await rig.waitUntilSettled(id, kinds: ["concern-report", "concern-result"], daemon: daemon)

            let everything = daemon.lines.joined(separator: "\n")
            for word in [Words.subject, Words.address, Words.observation, Words.organization, Words.reporter, Words.phone, Words.shopEmail]
            {
                #expect(!everything.contains(word), "a log line carries \(word)")
            }
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
            let audit = try rig.sql("SELECT event || ' ' || coalesce(detail, '') FROM audit WHERE case_id = '\(id)' ORDER BY id")
            #expect(audit.first?.hasPrefix("concern.reported") == true && audit.contains { $0.hasPrefix("concern.resolved") }, "\(audit)")
            for word in [Words.reporter, Words.phone, Words.organization] { #expect(!audit.joined().contains(word)) }
        }
    }

    @Test(
        "a reporter who left only a phone gets no message: the result puts the report on the desk's call-back list; an unknown report's result is dead-lettered"
    )
    func phoneOnlyReporterIsCalledBack() async throws {
        try await withDaemonRig(options: Self.options, cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
            let m = rig.folder.municipality
            let daemon = try await rig.startConsuming()
            try await daemon.waitForLine(event: "intake.consuming", containing: ["reason=\(rig.folder.concernsQueue)"])
            let id = "MS-C-\(UUID().uuidString.prefix(8).uppercased())"
            try await rig.publisher.publishConcern(Self.reported(m, id: id, email: nil, urgent: true))
            let line = try await daemon.waitForLine(event: "concern.reported", containing: ["report=\(id)"])
            let desks = try #require(logField("desks", of: line)).split(separator: ",").map(String.init)
            try await rig.waitForMail(desks.count * 2, daemon: daemon)
            // Urgent: every notice says so.
            let emails = try rig.smtp.received().filter { !$0.rcpt_tos.contains { $0.hasSuffix("@fax.example.jp") } }
            #expect(emails.count == desks.count && emails.allSatisfy { $0.decoded?.subject.contains("【至急】") == true })

            try await rig.publisher.publishConcern(Self.resolved(m, id: id, result: "訪問して確認しました。"))
            let resolvedLine = try await daemon.waitForLine(event: "concern.resolved", containing: ["report=\(id)"])
            #expect(logField("callback", of: resolvedLine) == desks.first, "\(resolvedLine)")
            let callbacks = try await rig.ledger().callbacks(desk: nil, includeMade: false)
            #expect(callbacks.map(\.reportID.rawValue) == [id] && callbacks.first?.deskID == desks.first)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try rig.smtp.received().count == desks.count * 2, "no message to a reporter without an address")

            let unknown = "MS-C-NEVER-REPORTED"
            try await rig.publisher.publishConcern(Self.resolved(m, id: unknown, result: "—"))
            let dead = try await rig.publisher.takeDead(1)
            #expect(dead.first?.headers["x-mimamori-reason"]?.stringValue == "concern.unknown-report")
            try await daemon.waitForLine(event: "intake.rejected", containing: ["case=\(unknown)", "reason=concern.unknown-report"])
        }
    }

    @Test("a report never resolved asks the staff, once, in a concern's words: record the result; no personal data in the mail")
    func unresolvedReportAsksTheStaff() async throws {
        var options = Self.options
        options.staffEmails = ["kenko@city.example.jp"]
        try await withDaemonRig(options: options, cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
            let daemon = try await rig.startConsuming(
                environment: ["MIMAMORI_PURGE_INTERVAL": "1", "MIMAMORI_TEST_OPEN_CASE_ALARM": "2"])
            try await daemon.waitForLine(event: "intake.consuming", containing: ["reason=\(rig.folder.concernsQueue)"])
            let id = "MS-C-\(UUID().uuidString.prefix(8).uppercased())"
            try await rig.publisher.publishConcern(Self.reported(rig.folder.municipality, id: id))
            let line = try await daemon.waitForLine(event: "concern.reported", containing: ["report=\(id)"])
            let desks = try #require(logField("desks", of: line)).split(separator: ",").count
            try await daemon.waitForLine(event: "case.open-too-long", containing: ["case=\(id)"], timeout: .seconds(60))
            try await rig.waitForMail(desks * 2 + 1, daemon: daemon)
            let alarm = try #require(try rig.smtp.received().first { $0.rcpt_tos == ["kenko@city.example.jp"] }?.decoded)
            #expect(alarm.subject.contains("結果の記録がない情報提供 \(id)") && !alarm.subject.contains("事案"), "\(alarm.subject)")
            let body = try #require(alarm.body)
            #expect(body.contains("mimamori concern resolve \(id)") && !body.contains("警察"), "\(body)")
            for word in [Words.subject, Words.address, Words.observation, Words.organization, Words.reporter, Words.phone] {
                #expect(!body.contains(word), "the staff alarm carries \(word)")
            }
        }
    }
}
