import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A relay that caps messages per second (a municipal or cloud relay) against the real
/// `mimamorid`: `email.rate` spreads the fan-out below the cap, and the relay's "too many"
/// slows the email channel down without spending retries, failing anyone, pausing the channel
/// or holding up the radio.
@Suite("rate: email.rate and a relay's too many (real mimamorid)", .serialized)
struct DaemonRateTests {
    /// How many email deliveries of the case have each attempt count ("1": 24).
    static func attempts(_ rig: DaemonRig, _ caseID: String) throws -> [String] {
        try rig.sql(
            "SELECT attempts || ':' || count(*) FROM deliveries WHERE case_id = '\(caseID)' AND channel = 'email' GROUP BY attempts")
    }

    @Test(
        "email.rate 3 under a relay that takes 8 a second: 24 emails delivered in one attempt each, none failed, no retry, over 5 s at least; the radio of the same case before the last email"
    )
    func rateBelowTheRelaysCap() async throws {
        var smtp = SMTPServer.Options()
        smtp.rateLimit = 8
        var options = DaemonFolder.Options()
        options.emailRate = "3"
        options.radioSpool = true
        let cooperators = DaemonFolder.cooperators(email: 24, fax: 0)
        try await withDaemonRig(options: options, smtp: smtp, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon, timeout: .seconds(90))
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": 25])
            let tally = try MailTally(rig.smtp)
            #expect(tally.recipients(of: "alert") == Set(cooperators.map(\.envelopeRecipient)))
            #expect(daemon.lines(event: "delivery.failed").isEmpty, "\(daemon.lines(event: "delivery.failed"))")
            #expect(daemon.lines(event: "delivery.retry").isEmpty, "\(daemon.lines(event: "delivery.retry"))")
            #expect(try Self.attempts(rig, sample.caseID) == ["1:24"])
            #expect(daemon.lines(event: "channel.paused").isEmpty)
            // The pace keeps under the cap; a loaded machine may bunch a few arrivals, which the
            // slow-down then absorbs without a retry (counted above).
            let throttled = rig.smtp.throttled()
            #expect(throttled <= 4, "\(throttled) too-many answers at 3 a second under a cap of 8")
            #expect(daemon.lines(event: "delivery.throttled").count == throttled)

            // 24 at 3 a second with a burst of 3: 7 s from the first start to the last at least.
            let span = try rig.sql(
                "SELECT max(accepted_at) - min(accepted_at) FROM deliveries WHERE case_id = '\(sample.caseID)' AND channel = 'email'")
            #expect((span.first.flatMap { Int($0) } ?? 0) >= 5000, "email span \(span) ms")
            // The radio has its own loop: done before the email fan-out is.
            let order = try rig.sql(
                """
                SELECT (SELECT accepted_at FROM deliveries WHERE case_id = '\(sample.caseID)' AND channel = 'radio')
                    < (SELECT max(accepted_at) FROM deliveries WHERE case_id = '\(sample.caseID)' AND channel = 'email')
                """)
            #expect(order == ["1"], "the radio waited for the email fan-out")
            print(
                "rate figure: 24 emails at email.rate 3 under a cap of 8/s: span \(span.first ?? "-") ms, \(throttled) too-many, 0 retries, 0 failed"
            )
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test(
        "no email.rate, a relay that takes 5 a second and answers the rest 421 4.7.0 or 451 4.7.1: the channel slows down, all 30 emails delivered, none failed, no retry spent, no pause and no alarm",
        arguments: [421, 451]
    )
    func tooManySlowsTheChannelDown(code: Int) async throws {
        var smtp = SMTPServer.Options()
        smtp.rateLimit = 5
        smtp.rateCode = code
        var options = DaemonFolder.Options()
        options.radioSpool = true
        let cooperators = DaemonFolder.cooperators(email: 30, fax: 0)
        try await withDaemonRig(options: options, smtp: smtp, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])
            let slowed = try await daemon.waitForLine(event: "channel.slowed", containing: ["channel=email"])
            #expect(logField("code", of: slowed) == "smtp-\(code)" && logField("stage", of: slowed) == "mail-from", "\(slowed)")
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon, timeout: .seconds(120))
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": 31])
            let tally = try MailTally(rig.smtp)
            #expect(tally.recipients(of: "alert") == Set(cooperators.map(\.envelopeRecipient)))
            #expect(daemon.lines(event: "delivery.failed").isEmpty, "\(daemon.lines(event: "delivery.failed"))")
            #expect(daemon.lines(event: "delivery.retry").isEmpty, "a too-many cost a retry: \(daemon.lines(event: "delivery.retry"))")
            #expect(try Self.attempts(rig, sample.caseID) == ["1:30"])
            let throttled = rig.smtp.throttled()
            #expect(throttled > 0, "the relay never said too many: the test proves nothing")
            #expect(daemon.lines(event: "delivery.throttled").count == throttled)
            #expect(daemon.lines(event: "channel.paused").isEmpty, "\(daemon.lines(event: "channel.paused"))")
            #expect(daemon.lines(event: "delivery.alarm").isEmpty)
            // Each slow-down halves the rate once for the sends of the same moment: far fewer
            // slow-downs than answers.
            let slowDowns = daemon.lines(event: "channel.slowed").count
            #expect(slowDowns >= 1 && slowDowns < throttled + 1, "\(slowDowns) slow-downs for \(throttled) answers")
            #expect(try rig.sql("SELECT count(*) FROM deliveries WHERE alarmed_at IS NOT NULL") == ["0"])
            print("rate figure: 30 emails, relay cap 5/s with \(code): \(throttled) too-many, \(slowDowns) slow-downs, 0 retries, 0 failed")
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test(
        "SIGHUP applies email.rate: a fan-out at one message every ten seconds finishes at once when the rate is removed, no restart needed"
    )
    func reloadAppliesTheRate() async throws {
        var options = DaemonFolder.Options()
        options.emailRate = "0.1"
        let cooperators = DaemonFolder.cooperators(email: 6, fax: 0)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitForMail(1, daemon: daemon, timeout: .seconds(30))
            #expect(rig.smtp.receivedCount() < 6, "the rate let the fan-out through at once")
            let settings = try String(contentsOfFile: rig.folder.settingsPath, encoding: .utf8)
            let edited = settings.replacingOccurrences(of: ", rate: 0.1", with: "")
            #expect(edited != settings)
            try edited.write(toFile: rig.folder.settingsPath, atomically: true, encoding: .utf8)
            daemon.signal(SIGHUP)
            let reloaded = try await daemon.waitForLine(event: "settings.reloaded")
            #expect(logField("restart_needed", of: reloaded) == "0", "\(reloaded)")
            // At the old rate the other five would take fifty seconds at least.
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon, timeout: .seconds(40))
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": 6])
            #expect(daemon.lines(event: "delivery.failed").isEmpty && daemon.lines(event: "delivery.retry").isEmpty)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}
