import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Faults of a channel are not faults of its recipients: a relay that refuses the sender (a
/// rotated password, a relay that starts requiring AUTH) or an HTTP API that refuses the token
/// pauses the channel and probes, instead of failing every recipient after one attempt. Only an
/// answer about one recipient fails that delivery; a refusal of the message itself fails its
/// notice once, with one alarm.
@Suite("faults: channel refusals pause, recipient refusals fail one, message refusals fail the notice once (real mimamorid)", .serialized)
struct DaemonFaultChannelTests {
    static let operatorAddress = "ops@town.example.jp"

    /// Mails the SMTP server took for the operator's alarm address.
    static func operatorMails(_ rig: DaemonRig) throws -> [SMTPServer.Received] {
        try rig.smtp.received().filter { $0.rcpt_tos.map { $0.lowercased() } == [operatorAddress] }
    }

    @Test(
        "the relay answers 530 to MAIL FROM for 15 s, then accepts: every email arrives, none failed, one paused and one resumed line, /healthz degraded meanwhile, one pause alarm after the relay accepts again"
    )
    func mailFromRefusedForAWhile() async throws {
        var smtp = SMTPServer.Options()
        smtp.refuseMail = 530
        smtp.refuseWindow = 15
        let cooperators = DaemonFolder.cooperators(email: 5, fax: 0)
        try await withDaemonRig(smtp: smtp, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])
            let paused = try await daemon.waitForLine(event: "channel.paused", containing: ["channel=email"])
            #expect(logField("code", of: paused) == "smtp-530" && logField("stage", of: paused) == "mail-from", "\(paused)")
            #expect(rig.smtp.receivedCount() == 0, "a message got through while the relay refused the sender")

            // Paused, the instance still works: 200 degraded, naming the channel and the answer.
            let during = try rig.health()
            #expect(during.status == 200 && during.text.hasPrefix("degraded: ") && during.text.contains("email paused"), "\(during)")
            #expect(during.text.contains("smtp-530"), "\(during)")
            #expect(try rig.metric(#"mimamori_channel_paused{channel="email"}"#) == 1)
            // The deliveries given back wait, due: the backlog-age gauge (the status beat) grows.
            try await waitUntil(
                "the email backlog ages while the channel is paused", timeout: .seconds(10), daemon: daemon, every: .milliseconds(250)
            ) {
                try rig.metric(#"mimamori_ledger_oldest_due_seconds{channel="email"}"#) >= 2
            }

            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon, timeout: .seconds(60))
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": 5])
            let tally = try MailTally(rig.smtp)
            #expect(tally.recipients(of: "alert") == Set(cooperators.map(\.envelopeRecipient)))
            #expect(daemon.lines(event: "delivery.failed").isEmpty, "\(daemon.lines(event: "delivery.failed"))")
            #expect(daemon.lines(event: "delivery.alarm").isEmpty)
            #expect(!daemon.lines(event: "delivery.retry", containing: ["code=smtp-530"]).isEmpty)

            // The pause alarm: refused by the same relay at first (owed, not handed over), then
            // sent once the relay accepts again. Exactly one.
            try await waitUntil("the pause alarm reached the operator", timeout: .seconds(30), daemon: daemon) {
                try Self.operatorMails(rig).count >= 1
            }
            #expect(!daemon.lines(event: "alarm.unsent").isEmpty, "the first try of the pause alarm should have met the refusing relay")
            let resumed = try await daemon.waitForLine(event: "channel.resumed", containing: ["channel=email"])
            try await waitUntil("/healthz is ok again", timeout: .seconds(10), daemon: daemon) {
                let health = try rig.health()
                return health.status == 200 && health.text.hasPrefix("ok")
            }
            try await Task.sleep(for: .seconds(1))  // a second copy would show up by now
            let alarms = try Self.operatorMails(rig)
            #expect(alarms.count == 1, "\(alarms.count) alarm mails")
            #expect(alarms.first?.decoded?.subject.contains("一時停止") == true, "\(alarms.first?.decoded?.subject ?? "-")")
            #expect(alarms.first?.decoded?.body?.contains("smtp-530") == true)
            let order = try rig.smtp.received()
            let alarmIndex = order.firstIndex { $0.rcpt_tos.map { $0.lowercased() } == [Self.operatorAddress] } ?? -1
            #expect(alarmIndex >= 1, "the pause alarm arrived before any delivery got through")
            #expect(daemon.lines(event: "channel.paused").count == 1, "\(daemon.lines(event: "channel.paused"))")
            #expect(daemon.lines(event: "channel.resumed").count == 1, "\(daemon.lines(event: "channel.resumed"))")
            #expect(try rig.metric(#"mimamori_channel_paused{channel="email"}"#) == 0)
            try await waitUntil("nothing due waits once delivered", timeout: .seconds(5), daemon: daemon, every: .milliseconds(250)) {
                try rig.metric(#"mimamori_ledger_oldest_due_seconds{channel="email"}"#) == 0
            }
            print(
                "fault figure: MAIL FROM refused with 530 for 15 s: \(rig.smtp.refusedMailFrom()) refusals, "
                    + "\(daemon.lines(event: "delivery.retry").count) retries, 0 failed, 5/5 delivered, 1 pause alarm; \(resumed)")
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test("550 at RCPT for one address only: that delivery fails for good with one alarm, the others arrive, the channel does not pause")
    func oneRecipientRefused() async throws {
        var cooperators = DaemonFolder.cooperators(email: 4, fax: 0)
        cooperators.append(.init(id: "vol-gone", name: "転居した協力者", channel: "email", address: "reject550-gone@volunteers.example.jp"))
        try await withDaemonRig(cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon, timeout: .seconds(30))
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": 4, "alert/failed": 1])
            let failed = daemon.lines(event: "delivery.failed")
            #expect(failed.count == 1 && failed.first?.contains("recipient=vol-gone") == true, "\(failed)")
            #expect(failed.first.flatMap { logField("code", of: $0) } == "rejected", "\(failed)")
            try await waitUntil("the alarm reached the operator", timeout: .seconds(20), daemon: daemon) {
                try Self.operatorMails(rig).count >= 1
            }
            #expect(daemon.lines(event: "delivery.alarm").count == 1)
            #expect(daemon.lines(event: "channel.paused").isEmpty, "\(daemon.lines(event: "channel.paused"))")
            #expect(try Self.operatorMails(rig).count == 1)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test(
        "554 at the end of DATA for every message of a notice: the notice's 150 email deliveries fail once, with one alarm, not one per recipient"
    )
    func messageRefusedAtEndOfData() async throws {
        var options = DaemonFolder.Options()
        // One session: 8 deliveries in flight, 128 claimed in all, the rest still planned, so
        // the refusal meets deliveries in flight, claimed behind them, and (most runs) planned.
        options.emailSessions = 1
        let cooperators = DaemonFolder.cooperators(email: 150, fax: 0, prefix: "data554-")
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon, timeout: .seconds(30))
            #expect(try await rig.states(sample.caseID) == ["alert/failed": 150])
            try await waitUntil("the alarm reached the operator", timeout: .seconds(20), daemon: daemon) {
                try Self.operatorMails(rig).count >= 1
            }
            try await Task.sleep(for: .seconds(1))  // another alarm would show up by now
            let alarms = daemon.lines(event: "delivery.alarm")
            #expect(alarms.count == 1, "\(alarms)")
            #expect(alarms.first.flatMap { logField("reason", of: $0) } == "notice-refused", "\(alarms)")
            #expect(try Self.operatorMails(rig).count == 1)
            let refused = daemon.lines(event: "notice.refused", containing: ["case=\(sample.caseID)", "channel=email"])
            #expect(refused.count == 1, "\(refused)")
            // One delivery.failed line per delivery the dispatcher had in hand; the planned ones
            // failed together are counted on the notice.refused line.
            let together = refused.first.flatMap { logField("count", of: $0) }.flatMap { Int($0) } ?? -1
            let failed = daemon.lines(event: "delivery.failed")
            #expect(failed.count + together == 150, "\(failed.count) delivery.failed lines, \(together) failed with the notice")
            #expect(failed.allSatisfy { logField("code", of: $0) == "smtp-554" }, "\(failed.prefix(3))")
            #expect(try rig.metric(#"mimamori_deliveries_total{channel="email",result="failed"}"#) == 150)
            print(
                "fault figure: 554 at the end of DATA for a 150-recipient notice: \(failed.count) failed in hand, \(together) planned failed with the notice, 1 alarm"
            )
            #expect(daemon.lines(event: "channel.paused").isEmpty)
            // Nothing stays owed: a restart would not raise 19 more alarms.
            #expect(try rig.sql("SELECT count(*) FROM deliveries WHERE state = 'failed' AND alarmed_at IS NULL") == ["0"])
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test("the FAX API answers 401 for a while, then 200: no FAX delivery fails, the channel paused and resumed, one pause alarm")
    func faxAPITokenRefusedForAWhile() async throws {
        // Four at once, then two probes refused, then accepted.
        let fax = try HTTPReceiver(.init(status: 200, statuses: Array(repeating: 401, count: 6)))
        defer { fax.stop() }
        var options = DaemonFolder.Options()
        options.faxAPI = fax.url("/v1/faxes")
        try await withDaemonRig(options: options, cooperators: DaemonFolder.cooperators(email: 0, fax: 4)) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            let paused = try await daemon.waitForLine(event: "channel.paused", containing: ["channel=fax"])
            #expect(logField("code", of: paused) == "http-401", "\(paused)")
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon, timeout: .seconds(60))
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": 4])
            #expect(daemon.lines(event: "delivery.failed").isEmpty, "\(daemon.lines(event: "delivery.failed"))")
            try await daemon.waitForLine(event: "channel.resumed", containing: ["channel=fax"])
            try await waitUntil("the pause alarm reached the operator", timeout: .seconds(20), daemon: daemon) {
                try Self.operatorMails(rig).count >= 1
            }
            #expect(daemon.lines(event: "channel.paused").count == 1)
            #expect(daemon.lines(event: "channel.resumed").count == 1)
            #expect(daemon.lines(event: "delivery.alarm").isEmpty)
            let alarms = try Self.operatorMails(rig)
            #expect(alarms.count == 1 && alarms.first?.decoded?.subject.contains("fax") == true)
            #expect(try fax.requests().count >= 7)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}
