import Foundation
import Ledger
import MimamoriCore
import TestFixtures
import Testing

/// Kimino's yearly drill as the town would run it (seed ⑬: 情報系統の確認、地域の関心度等を検証),
/// through the real daemon, broker, SMTP server and confirmation endpoint: 14 institutions by
/// FAX and 67 volunteers by email. Volunteers follow their email's link, institutions scan the
/// QR code off their FAX page (rendered to PNG and read by zbar, as a phone reads the print),
/// one institution phones the town; the report counts what they confirmed, forged and replayed
/// codes change nothing, and the second reminder reaches only those who did not confirm.
@Suite("a drill with confirmations end to end: 81 cooperators, links, QR codes, report, second reminder", .serialized)
struct DaemonDrillConfirmationTests {

    /// The cooperator behind each request: its own address, as the reverse proxy would forward it.
    static func client(_ index: Int) -> String { "192.0.2.\(index + 1)" }

    /// A form's action as a browser resolves it against the page's path (the pages use
    /// relative actions, so they work under whatever path the reverse proxy gives them).
    static func resolve(_ action: some StringProtocol, from path: String) -> String {
        guard !action.hasPrefix("/"), let slash = path.lastIndex(of: "/") else { return String(action) }
        return String(path[...slash]) + action
    }

    @Test(
        "81 cooperators of a drill: links and QR codes followed, a phone call recorded, the report counts them, forged and replayed codes change nothing, the second reminder only to the others"
    )
    func drill() async throws {
        var options = DaemonFolder.Options(confirm: "{ reply-fax: 073-555-5999 }")
        // Calendar days from midnight: the test's clock is the wall clock, on whatever day it runs.
        options.reminders = "{ destruction-at: \"00:00\", business-days-only: false, second-after: 3 }"
        let cooperators = DaemonFolder.cooperators(email: 67, fax: 14)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming(environment: ["MIMAMORI_SECOND_REMINDER_INTERVAL": "1"])
            let sample = DaemonCase(municipality: rig.folder.municipality)
            let caseID = CaseID(sample.caseID)
            var opened = sample.event("opened", sequence: 1)
            opened["drill"] = true
            try await rig.publisher.publish(opened)
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            let alertMails = try rig.smtp.received()
            #expect(alertMails.count == 81, "every cooperator gets the drill's alert once")

            // What each cooperator holds: the email's 受け取りました link, or the FAX page's QR code.
            var emailLinks: [String: String] = [:]
            var faxPages: [String: String] = [:]
            for mail in alertMails {
                let to = try #require(mail.rcpt_tos.first)
                if to.hasSuffix("@fax.example.jp") {
                    faxPages[to] = try DaemonConfirmationLinksTests.qrCode(ofPDFIn: mail.raw)
                } else {
                    let body = try #require(mail.decoded?.body)
                    #expect(body.contains("訓練"), "the drill says so")
                    let link = try #require(body.firstMatch(of: /受け取りました → (\S+\/received)/), "\(to): no link").output.1
                    emailLinks[to] = String(link)
                }
            }
            #expect(emailLinks.count == 67 && faxPages.count == 14)
            let base = "http://127.0.0.1:\(rig.folder.confirmPort)"
            for page in faxPages.values { #expect(page.hasPrefix("\(base)/c/"), "\(page)") }

            // 40 volunteers follow the link: the page (which records nothing), then its button.
            var client = 0
            for link in emailLinks.values.sorted().prefix(40) {
                let path = String(link.dropFirst(base.count))
                let page = try rig.confirmPage("GET", path, forwardedFor: Self.client(client))
                #expect(page.status == 200 && page.body.contains("受け取りました"), "\(page)")
                let action = try #require(page.body.firstMatch(of: /action="([^"]+)"/)?.output.1)
                let answer = try rig.confirmPage("POST", Self.resolve(action, from: path), forwardedFor: Self.client(client))
                #expect(answer.status == 200 && answer.body.contains("記録しました"), "\(answer)")
                client += 1
            }
            // 8 institutions scan the QR code: the page with both buttons; they press 受け取りました.
            var scanned: [String] = []
            for page in faxPages.keys.sorted().prefix(8) {
                let path = String(try #require(faxPages[page]).dropFirst(base.count))
                let shown = try rig.confirmPage("GET", path, forwardedFor: Self.client(client))
                #expect(shown.status == 200 && shown.body.contains("処分しました"), "\(shown)")
                let action = try #require(
                    shown.body.matches(of: /action="([^"]+)"/).map { String($0.output.1) }.first { $0.hasSuffix("received") })
                let answer = try rig.confirmPage("POST", Self.resolve(action, from: path), forwardedFor: Self.client(client))
                #expect(answer.status == 200, "\(answer)")
                scanned.append(path)
                client += 1
            }
            let ledger = try rig.ledger()
            func alertLines() async throws -> [ReportLine] {
                try await ledger.report(case: caseID).filter { $0.kind == .alert }
            }
            #expect(try await alertLines().filter { $0.receivedAt != nil }.count == 48)

            // A replayed POST changes nothing; a forged code is told nothing.
            let replay = try rig.confirmPage("POST", scanned[0] + "/received", forwardedFor: Self.client(client))
            #expect(replay.status == 200 && replay.body.contains("既に記録されています"), "\(replay)")
            for forged in ["/c/ZZZZ-ZZZZ-ZZZZ", "/c/ZZZZ-ZZZZ-ZZZZ/received", "/c/not-a-code/destroyed"] {
                #expect(try rig.confirmPage("GET", forged, forwardedFor: Self.client(client)).status == 404)
            }
            for forged in ["/c/ZZZZ-ZZZZ-ZZZZ/received", "/c/ZZZZ-ZZZZ-ZZZZ/destroyed", "/c/not-a-code/destroyed"] {
                #expect(try rig.confirmPage("POST", forged, forwardedFor: Self.client(client)).status == 404)
            }
            // A POST to a page without its button's path is refused alike for a real code and a
            // forged one: the answer says nothing of which codes exist.
            let bare = try rig.confirmPage("POST", "/c/ZZZZ-ZZZZ-ZZZZ", forwardedFor: Self.client(client))
            let real = try rig.confirmPage("POST", scanned[1], forwardedFor: Self.client(client))
            #expect(bare.status == 405 && real.status == bare.status && real.body == bare.body, "\(bare) \(real)")
            #expect(try await alertLines().filter { $0.receivedAt != nil }.count == 48)
            #expect(try rig.sql("SELECT count(*) FROM audit WHERE case_id = '\(sample.caseID)' AND event = 'confirm.received'") == ["48"])

            // The drill ends: every holder is told, and some say they destroyed what they held.
            var closed = sample.event("closed", sequence: 2)
            closed["drill"] = true
            try await rig.publisher.publish(closed)
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert", "termination"], daemon: daemon)
            let closingMails = try rig.smtp.received().dropFirst(alertMails.count)
            #expect(closingMails.count == 81, "every holder is told of the end")
            var destroyedBy = 0
            for mail in closingMails {
                let to = try #require(mail.rcpt_tos.first)
                guard !to.hasSuffix("@fax.example.jp"), destroyedBy < 20 else { continue }
                let body = try #require(mail.decoded?.body)
                #expect(!body.contains("受け取りました →"), "a termination asks only for destruction")
                let link = try #require(body.firstMatch(of: /処分しました → (\S+\/destroyed)/)).output.1
                let answer = try rig.confirmPage("POST", String(link.dropFirst(base.count)), forwardedFor: Self.client(client))
                #expect(answer.status == 200 && answer.body.contains("すべて処分されたもの"), "\(answer)")
                destroyedBy += 1
                client += 1
            }
            // Five institutions scan the termination's QR code and press 処分しました.
            var faxDestroyed = 0
            for mail in closingMails where faxDestroyed < 5 {
                guard let to = mail.rcpt_tos.first, to.hasSuffix("@fax.example.jp") else { continue }
                let path = String(try DaemonConfirmationLinksTests.qrCode(ofPDFIn: mail.raw).dropFirst(base.count))
                let answer = try rig.confirmPage("POST", path + "/destroyed", forwardedFor: Self.client(client))
                #expect(answer.status == 200, "\(answer)")
                faxDestroyed += 1
                client += 1
            }
            // One more tells the town by phone; the staff record it with the code on its FAX.
            let lines = try await ledger.report(case: caseID)
            let called = try #require(
                lines.filter { $0.kind == .alert && $0.channel == .fax && $0.destroyedAt == nil }.sorted {
                    $0.recipient.rawValue > $1.recipient.rawValue
                }
                .first)
            let calledCode = try #require(called.confirmation)
            let recorded = try rig.cli(["confirm", calledCode.rawValue, "--destroyed", "--by", "保健福祉課 試験"])
            #expect(recorded.contains("記録しました"), "\(recorded)")
            let confirmedDestruction = Set(try await ledger.report(case: caseID).filter { $0.destroyedAt != nil }.map(\.recipient))
            #expect(confirmedDestruction.count == 26)

            // The reminder, then (as the ledger sees it) four days without word from the others.
            try DaemonRetentionTests.makeRemindersDue(sample.caseID, rig: rig)
            try await rig.waitUntilSettled(sample.caseID, kinds: ["destruction-reminder"], daemon: daemon)
            try DaemonSecondReminderTests.makeRemindersOld(sample.caseID, days: 4, rig: rig)
            let second = try await daemon.waitForLine(event: "destruction.second-reminder", containing: ["case=\(sample.caseID)"])
            #expect(logField("planned", of: second) == "55" && logField("confirmed", of: second) == "26", "\(second)")
            try await rig.waitUntilSettled(sample.caseID, kinds: ["destruction-second-reminder"], daemon: daemon)
            let secondRecipients = Set(
                try await ledger.report(case: caseID).filter { $0.kind == .destructionSecondReminder }.map(\.recipient))
            #expect(secondRecipients.count == 55)
            #expect(secondRecipients.isDisjoint(with: confirmedDestruction), "nobody who confirmed is asked again")

            // The staff's report and the coordination meeting's files count the same.
            let report = try rig.cli(["report", sample.caseID])
            #expect(report.contains("FAX\t14\t"), "\(report)")
            #expect(report.contains("メール\t67\t"), "\(report)")
            let unconfirmed = try rig.cli(["report", sample.caseID, "--unconfirmed"])
            #expect(unconfirmed.contains("55名"), "\(unconfirmed)")
            let out = try ServerProcess.temporaryDirectory("drill-report")
            defer { try? FileManager.default.removeItem(at: out) }
            _ = try rig.cli(["drill-report", sample.caseID, "--out", out.path])
            let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
            #expect(files.contains { $0.hasSuffix(".pdf") }, "\(files)")
            let deliveriesCSV = try #require(files.first { $0.hasSuffix(".csv") && !$0.contains("summary") }, "\(files)")
            let csv = try String(contentsOf: out.appendingPathComponent(deliveriesCSV), encoding: .utf8)
            let alertRows = csv.split(separator: "\r\n").filter { $0.contains("捜索依頼") }
            #expect(alertRows.count == 81, "one row per alert delivery (radio aside): \(alertRows.count)")
            // Names for the staff, never in the journal.
            #expect(!daemon.lines.contains { $0.contains("見守協力者") || $0.contains("架空協力機関") })
        }
    }
}
