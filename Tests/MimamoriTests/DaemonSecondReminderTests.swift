import Foundation
import Ledger
import MimamoriCore
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// 要綱 第11条の3 followed up, through the real daemon: the second destruction reminder reaches
/// only those who did not confirm, once, across a restart; the report and `--unconfirmed` say so.
@Suite("mimamorid second destruction reminder (real binary, broker, SMTP)", .serialized)
struct DaemonSecondReminderTests {
    @Test(
        "after the reminder some confirm; days later the second reminder goes only to the others, once across a restart; report and --unconfirmed as a real process"
    )
    func secondReminderToTheOthers() async throws {
        var options = DaemonFolder.Options()
        options.confirm = "{ public-url: \"https://mimamori.town.example.jp\", listen: \"127.0.0.1:\(try LoopbackPort.free())\" }"
        // Calendar days from midnight: the test's clock is the wall clock, on whatever day it runs.
        options.reminders = "{ destruction-at: \"00:00\", business-days-only: false, second-after: 3 }"
        let cooperators = DaemonFolder.cooperators(email: 3, fax: 2)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let environment = ["MIMAMORI_SECOND_REMINDER_INTERVAL": "1"]
            var daemon = try await rig.startConsuming(environment: environment)
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            try await rig.publisher.publish(sample.event("closed", sequence: 2))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert", "termination"], daemon: daemon)
            try DaemonRetentionTests.makeRemindersDue(sample.caseID, rig: rig)
            try await rig.waitUntilSettled(sample.caseID, kinds: ["destruction-reminder"], daemon: daemon)
            // Email by subject; each FAX is a gateway mail whose subject is fixed: counted per number.
            func gatewayMails(_ number: String) throws -> Int {
                try rig.smtp.received().filter { $0.rcpt_tos.contains { $0.contains(number) } }.count
            }
            #expect(try MailTally(rig.smtp).count(of: "destruction-reminder") == 3)
            #expect(try gatewayMails("5552001") == 3 && gatewayMails("5552002") == 3)

            // Two confirm destruction (one by the link, one told staff); one only says the alert arrived.
            let ledger = try rig.ledger()
            let lines = try await ledger.report(case: CaseID(sample.caseID))
            func code(_ recipient: String, _ kind: NoticeKind) throws -> ConfirmationCode {
                try #require(lines.first { $0.recipient.rawValue == recipient && $0.kind == kind }?.confirmation)
            }
            let now = Date()
            _ = try await ledger.recordConfirmation(.destroyed, code: try code("fax-001", .destructionReminder), at: now, via: .link)
            _ = try await ledger.recordConfirmation(.destroyed, code: try code("vol-0002", .termination), at: now, via: .staff)
            _ = try await ledger.recordConfirmation(.received, code: try code("vol-0001", .alert), at: now, via: .link)
            // Nothing goes before the days have passed.
            try await Task.sleep(for: .seconds(3))
            #expect(daemon.lines(event: "destruction.second-reminder").isEmpty)

            // Four days on: the first reminders went then, as far as the ledger knows.
            try Self.makeRemindersOld(sample.caseID, days: 4, rig: rig)
            let line = try await daemon.waitForLine(event: "destruction.second-reminder", containing: ["case=\(sample.caseID)"])
            #expect(logField("planned", of: line) == "3" && logField("confirmed", of: line) == "2", "\(line)")
            try await rig.waitUntilSettled(sample.caseID, kinds: ["destruction-second-reminder"], daemon: daemon)
            let tally = try MailTally(rig.smtp)
            let second = tally.recipients(of: "destruction-second-reminder")
            #expect(second == ["v0001@volunteers.example.jp", "v0003@volunteers.example.jp"], "\(second)")
            #expect(tally.count(of: "destruction-second-reminder") == 2)
            #expect(try gatewayMails("5552002") == 4 && gatewayMails("5552001") == 3)
            let planned = try await ledger.report(case: CaseID(sample.caseID)).filter { $0.kind == .destructionSecondReminder }
            #expect(planned.map(\.recipient.rawValue).sorted() == ["fax-002", "vol-0001", "vol-0003"])
            #expect(planned.allSatisfy { $0.state == .delivered && $0.confirmation != nil })
            // The mail names the case and the dates, nothing of the person.
            let mail = try #require(
                try rig.smtp.received().compactMap(\.decoded).first { $0.subject.contains("再度のお願い") && $0.attachments.isEmpty })
            #expect(mail.subject.contains(sample.caseID))
            let body = try #require(mail.body)
            #expect(body.contains("「処分しました」"), "\(body)")
            for secret in DaemonCase.Person.all where secret.count > 3 {
                #expect(!body.contains(secret), "the second reminder holds \(secret)")
            }

            // A restart: the case stays decided, nothing goes again.
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
            daemon = try await rig.startConsuming(environment: environment)
            try await Task.sleep(for: .seconds(3))
            #expect(daemon.lines(event: "destruction.second-reminder").isEmpty, "\(daemon.tail())")
            #expect(try MailTally(rig.smtp).count(of: "destruction-second-reminder") == 2)
            #expect(try gatewayMails("5552002") == 4)
            #expect(
                try rig.sql("SELECT count(*) FROM audit WHERE case_id = '\(sample.caseID)' AND event = 'reminder.second'") == ["1"])

            // The staff's report, as a process.
            let report = try rig.cli(["report", sample.caseID])
            #expect(report.contains("受信者\t経路\t通知\t版\t状態\t受付\t受領\t処分\t確認\tFAX送信\t試行\t最後のエラー"), "\(report)")
            #expect(report.contains("書類破棄の再度のお願い"), "\(report)")
            #expect(report.contains("FAX\t2\t1\t1\t1"), "\(report)")
            #expect(report.contains("メール\t3\t2\t1\t2"), "\(report)")
            #expect(report.contains("\t本人\t") && report.contains("\t職員\t"), "\(report)")
            #expect(!report.contains("見守協力者"), "names only with --with-names or --unconfirmed")
            let unconfirmed = try rig.cli(["report", sample.caseID, "--unconfirmed"])
            #expect(unconfirmed.contains("受信者\t氏名\t経路\t確認コード"), "\(unconfirmed)")
            for (id, name) in [("fax-002", "架空協力機関第2号"), ("vol-0001", "見守協力者0001号"), ("vol-0003", "見守協力者0003号")] {
                #expect(unconfirmed.contains("\(id)\t\(name)\t"), "\(unconfirmed)")
            }
            #expect(!unconfirmed.contains("fax-001") && !unconfirmed.contains("vol-0002"), "\(unconfirmed)")
            #expect(unconfirmed.contains("3名") && unconfirmed.contains("mimamori confirm 確認コード --destroyed"), "\(unconfirmed)")
            // Never in the journal.
            #expect(!daemon.lines.contains { $0.contains("見守協力者") || $0.contains("架空協力機関") })
        }
    }

    /// Moves the case's first destruction reminders `days` into the past, as if they had been
    /// handed over then and nobody had answered since.
    static func makeRemindersOld(_ caseID: String, days: Int, rig: DaemonRig) throws {
        let past = Int64(Date().addingTimeInterval(-Double(days) * 86400).timeIntervalSince1970 * 1000)
        _ = try runTool(
            "/usr/bin/sqlite3",
            [
                "-cmd", ".timeout 10000", rig.folder.ledgerPath,
                "UPDATE deliveries SET accepted_at = \(past) WHERE case_id = '\(caseID)' AND kind = 'destruction-reminder'",
            ])
    }
}
