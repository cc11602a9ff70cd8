import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `mimamori resend` beside the running daemon: staff fix a cause, plan the failed deliveries
/// again, and the daemon sends them at its next look at the ledger.
@Suite("mimamori resend with the real mimamorid, broker and SMTP server", .serialized)
struct DaemonResendTests {
    @Test(
        "refused at RCPT, then accepted: resend --recipient delivers it; refused after DATA, resent with the same Message-ID; the report shows them delivered; an alert of a closed case is refused"
    )
    func resendAfterFix() async throws {
        let cooperators = DaemonFolder.cooperators(email: 4, fax: 0)
        let atRCPT = cooperators[1]  // vol-0002
        let afterData = cooperators[2]  // vol-0003
        let neverFixed = cooperators[3]  // vol-0004
        try await withDaemonRig(cooperators: cooperators) { rig in
            try rig.smtp.refuse([atRCPT.address, neverFixed.address], afterData: [afterData.address])
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": 1, "alert/failed": 3])
            let firstTry = try #require(try rig.smtp.refused().first { $0.rcpt_tos == [afterData.address] }?.decoded?.message_id)
            // The operator heard of each failure.
            try await daemon.waitForLine(event: "delivery.failed", count: 3)

            // Nothing resendable: a recipient that never failed.
            let nothing = try rig.cliStatus(["resend", sample.caseID, "--recipient", cooperators[0].id])
            #expect(nothing.status == 1, "\(nothing)")
            #expect(nothing.stdout.contains("再送できる配信がありません"), "\(nothing.stdout)")

            // The cause is fixed for two of them.
            try rig.smtp.refuse([neverFixed.address])
            let one = try rig.cliStatus(["resend", sample.caseID, "--recipient", atRCPT.id])
            #expect(one.status == 0, "\(one)")
            #expect(one.stdout.contains("1件の配信を再送の予定に入れました"), "\(one.stdout)")
            #expect(one.stdout.contains("メール　1件：\(atRCPT.id)"), "\(one.stdout)")
            try await rig.waitUntilDelivered(sample.caseID, recipient: atRCPT.id, daemon: daemon)

            let rest = try rig.cliStatus(["resend", sample.caseID, "--state", "failed", "--channel", "email"])
            #expect(rest.status == 0, "\(rest)")
            #expect(rest.stdout.contains("メール　2件：\(afterData.id)、\(neverFixed.id)"), "\(rest.stdout)")
            try await rig.waitUntilDelivered(sample.caseID, recipient: afterData.id, daemon: daemon)
            let resent = try MailTally(rig.smtp).mails.filter { $0.recipient == afterData.address }
            #expect(resent.map(\.messageID) == [firstTry], "the resend is not the same message as the refused first try")
            // Refused again: a new failure, owing a new alarm.
            try await daemon.waitForLine(event: "delivery.failed", containing: ["recipient=\(neverFixed.id)"], count: 2)

            let report = try rig.cli(["report", sample.caseID])
            for id in [atRCPT.id, afterData.id] {
                let line = try #require(report.split(separator: "\n").first { $0.hasPrefix("\(id)\t") })
                #expect(line.contains("\tdelivered\t") && line.contains("\t2\t"), "\(line)")
            }
            let audit = try rig.sql("SELECT detail FROM audit WHERE event = 'delivery.resent' ORDER BY id")
            #expect(audit.count == 2)
            #expect(audit.first?.contains("recipients=\(atRCPT.id)") == true, "\(audit)")
            #expect(audit.allSatisfy { !$0.contains("@") && $0.contains("by=") }, "\(audit)")

            // Closed: the last failed alert may not go out any more.
            try await rig.publisher.publish(sample.event("closed", sequence: 2))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["termination"], daemon: daemon)
            let refused = try rig.cliStatus(["resend", sample.caseID, "--recipient", neverFixed.id])
            #expect(refused.status == 1, "\(refused)")
            #expect(refused.stdout.contains("終結しているため"), "\(refused.stdout)")
            #expect(try await rig.states(sample.caseID)["alert/failed"] == 1)
            let unknown = try rig.cliStatus(["resend", "NO-SUCH-CASE"])
            #expect(unknown.status == 2, "\(unknown)")
            // For the reader of the test log: what the staff see.
            for output in [nothing, one, rest, refused, unknown] { print("mimamori resend (exit \(output.status)):\n\(output.stdout)") }

            for line in daemon.lines {
                for personal in DaemonCase.Person.all { #expect(!line.contains(personal), "personal data in \(line)") }
            }
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}

extension DaemonRig {
    /// `mimamori ARGS --config …` whatever its exit status: the status, stdout and stderr.
    func cliStatus(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runProcess(try DaemonProcess.binary("mimamori"), arguments + ["--config", folder.settingsPath])
    }

    /// Waits until the recipient's alert is delivered (the daemon found the resend by itself).
    func waitUntilDelivered(_ caseID: String, recipient: String, daemon: DaemonProcess) async throws {
        let ledger = try self.ledger()
        try await waitUntil("the alert of \(recipient) is delivered", timeout: .seconds(60), daemon: daemon, every: .milliseconds(100)) {
            try await ledger.report(case: .init(caseID)).contains {
                $0.recipient.rawValue == recipient && $0.kind == .alert && $0.state == .delivered
            }
        }
    }
}
