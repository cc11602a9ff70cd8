import AMQP
import Foundation
import MimamoriBroker
import MimamoriCore
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Freshness and key scope through the real daemon, broker and SMTP server: an alert too old to
/// send waits for the staff; a police key limited to other towns cannot open a case here.
@Suite("mimamorid freshness and key scope (real binary, broker, SMTP)", .serialized)
struct DaemonFreshnessTests {
    @Test(
        "a stale opened event is held: acked, one alarm mail to the staff and one to the operator, nothing to cooperators; a fresh one is not held; mimamori release sends it to everyone, once; a replay raises nothing again"
    )
    func staleAlertIsHeldUntilReleased() async throws {
        var options = DaemonFolder.Options()
        options.staffEmails = ["fukushi@town.example.jp"]
        let cooperators = DaemonFolder.cooperators(email: 3, fax: 1)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let stale = DaemonCase(municipality: rig.folder.municipality)
            var opened = stale.event("opened", sequence: 1)
            // Issued two days ago (max-age 24 h): a replay, or an alert stuck behind an outage.
            opened["issuedAt"] = DaemonCase.timestamp(Date().addingTimeInterval(-2 * 86400))
            try await rig.publisher.publish(opened)
            let held = try await daemon.waitForLine(event: "case.held", containing: ["case=\(stale.caseID)"])
            #expect(logField("email", of: held) == "0" && logField("fax", of: held) == "0", "\(held)")
            try await rig.waitForMail(2, daemon: daemon)
            var mails = try MailTally(rig.smtp).mails
            #expect(mails.map(\.recipient).sorted() == ["fukushi@town.example.jp", "ops@town.example.jp"], "\(mails.map(\.recipient))")
            #expect(mails.allSatisfy { $0.subject.contains("保留") && $0.subject.contains(stale.caseID) }, "\(mails.map(\.subject))")
            for message in try rig.smtp.received() {
                let body = message.decoded?.body ?? ""
                #expect(body.contains("mimamori release \(stale.caseID)"))
                for secret in DaemonCase.Person.all where secret.count > 3 { #expect(!body.contains(secret)) }
            }
            #expect(try rig.sql("SELECT state_name FROM cases WHERE id = '\(stale.caseID)'") == ["held"])
            #expect(try rig.sql("SELECT count(*) FROM deliveries WHERE case_id = '\(stale.caseID)'") == ["0"])

            // A fresh alert goes out as always.
            let fresh = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(fresh.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(fresh.caseID)"])
            try await rig.waitUntilSettled(fresh.caseID, kinds: ["alert"], daemon: daemon)
            #expect(daemon.lines(event: "case.held", containing: ["case=\(fresh.caseID)"]).isEmpty)

            // The same stale message again (a second replay): acked, no second alarm.
            try await rig.publisher.publish(opened)
            let ignored = try await daemon.waitForLine(event: "intake.ignored", containing: ["case=\(stale.caseID)"])
            #expect(logField("reason", of: ignored) == "case.repeated-message")

            // The staff confirmed it with the police: released, and the running daemon sends it.
            let released = try rig.cli(["release", stale.caseID])
            #expect(released.contains("事案 \(stale.caseID) の保留を解除しました") && released.contains("メール　　3 件"), "\(released)")
            try await rig.waitUntilSettled(stale.caseID, kinds: ["alert"], daemon: daemon)
            let report = try await rig.ledger().report(case: CaseID(stale.caseID))
            #expect(report.count == 4 && report.allSatisfy { $0.state == .delivered }, "\(report.map(\.state))")
            do {
                _ = try rig.cli(["release", stale.caseID])
                Issue.record("a second release was accepted")
            } catch {
                #expect("\(error)".contains("保留中ではありません"), "\(error)")
            }
            mails = try MailTally(rig.smtp).mails
            #expect(mails.filter { $0.subject.contains("保留") }.count == 2, "one alarm each, whatever came after")
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test("an event signed by a key whose .towns list lacks the event's municipality is dead-lettered signature.wrong-town")
    func keyLimitedToOtherTowns() async throws {
        try await withDaemonRig(cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
            try "# this key signs for Kainan only\nkainan\n".write(
                to: rig.folder.directory.appendingPathComponent("publishers/\(rig.folder.keyID).towns"), atomically: true, encoding: .utf8)
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            let dead = try await rig.publisher.takeDead(1)
            #expect(dead.first?.headers[DeadLetterHeaders.mimamori.reason]?.stringValue == "signature.wrong-town")
            let line = try await daemon.waitForLine(event: "intake.rejected", containing: ["case=\(sample.caseID)"])
            #expect(logField("reason", of: line) == "signature.wrong-town")
            #expect(try rig.sql("SELECT count(*) FROM cases WHERE id = '\(sample.caseID)'") == ["0"])
        }
    }
}
