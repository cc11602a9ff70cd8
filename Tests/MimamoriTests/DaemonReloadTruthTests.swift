import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SIGHUP tells the truth: what it can apply it applies (a rotated SMTP password, the retry
/// policy, a new directory), and what needs a restart keeps its running value and says so,
/// without losing the rest of the same edit.
@Suite("mimamorid reload truth (real binary, broker, SMTP with AUTH)", .serialized)
struct DaemonReloadTruthTests {
    @Test("a rotated smtp-password and a SIGHUP: the paused channel resumes, every email arrives, none failed")
    func rotatedPasswordAppliesOnReload() async throws {
        var options = DaemonFolder.Options()
        options.smtpLogin = ("mimamori", "old-secret")
        var smtp = SMTPServer.Options()
        smtp.auth = ("mimamori", "new-secret")
        let rows = DaemonFolder.cooperators(email: 3, fax: 0)
        try await withDaemonRig(options: options, smtp: smtp, cooperators: rows) { rig in
            let daemon = try await rig.startConsuming()
            let c = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(c.event("opened", sequence: 1))
            // The relay refuses the old password: a channel fault, not three recipient failures.
            let paused = try await daemon.waitForLine(event: "channel.paused", containing: ["channel=email"])
            #expect(logField("code", of: paused) == "smtp-535" && logField("stage", of: paused) == "auth", "\(paused)")

            try "new-secret\n".write(
                to: rig.folder.credentialsDirectory.appendingPathComponent("smtp-password"), atomically: true, encoding: .utf8)
            daemon.signal(SIGHUP)
            let reloaded = try await daemon.waitForLine(event: "settings.reloaded")
            #expect(
                logField("credentials", of: reloaded) == "smtp-password" && logField("restart_needed", of: reloaded) == "0", "\(reloaded)")
            try await daemon.waitForLine(event: "channel.resumed", containing: ["channel=email"], timeout: .seconds(30))
            try await rig.waitUntilSettled(c.caseID, kinds: ["alert"], daemon: daemon, timeout: .seconds(30))
            #expect(try await rig.states(c.caseID) == ["alert/delivered": 3])
            #expect(daemon.lines(event: "delivery.failed").isEmpty)
            let alerted = try MailTally(rig.smtp).recipients(of: "alert")
            #expect(alerted == Set(rows.map(\.envelopeRecipient)))
        }
    }

    @Test("one edit with a new municipality, a new retry policy and a new directory: municipality restart-needed, the rest applied")
    func restartNeededKeysKeepTheirValueAndTheRestApplies() async throws {
        let rows = DaemonFolder.cooperators(email: 2, fax: 0)
        try await withDaemonRig(cooperators: rows) { rig in
            let daemon = try await rig.startConsuming()
            let settings = try String(contentsOfFile: rig.folder.settingsPath, encoding: .utf8)
            let edited =
                settings
                .replacingOccurrences(of: "municipality: \(rig.folder.municipality)", with: "municipality: elsewhere")
                .replacingOccurrences(
                    of: "retry: { initial: 1s, max: 5s, deadline: 6h }", with: "retry: { initial: 2s, max: 20s, deadline: 6h }")
            #expect(edited.contains("municipality: elsewhere") && edited.contains("max: 20s"))
            try edited.write(toFile: rig.folder.settingsPath, atomically: true, encoding: .utf8)
            let more = rows + DaemonFolder.cooperators(email: 1, fax: 0, prefix: "new-")
            try rig.folder.writeCooperators(more)
            daemon.signal(SIGHUP)
            let needed = try await daemon.waitForLine(event: "settings.restart-needed")
            #expect(logField("key", of: needed) == "municipality", "\(needed)")
            let reloaded = try await daemon.waitForLine(event: "settings.reloaded")
            #expect(logField("restart_needed", of: reloaded) == "1" && logField("email", of: reloaded) == "3", "\(reloaded)")
            #expect(
                daemon.lines(event: "settings.restart-needed").count == 1,
                "retry is applied live: \(daemon.lines(event: "settings.restart-needed"))")

            // Still the running municipality's queue and rules: the case is accepted, not
            // rejected as another town's, and it reaches the new directory.
            let c = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(c.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(c.caseID)", "asked=3"])
            try await rig.waitForMail(3, daemon: daemon)
            #expect(daemon.lines(event: "intake.rejected").isEmpty)
        }
    }
}
