import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Stopping and killing the real `mimamorid` in the middle of its work, then starting it again
/// on the same ledger: nothing accepted from the broker is lost, and what is sent twice is
/// bounded by what was in flight.
@Suite("mimamorid stop, kill -9 and restart (real binary, broker, SMTP)", .serialized)
struct DaemonCrashTests {
    static let volunteers = 2_000
    static let sessions = 8
    /// What a crash can send twice: deliveries handed to an SMTP session whose outcome was not
    /// yet committed — mimamorid keeps eight per session in hand (DaemonOutlets).
    static let inFlightWindow = 8 * sessions

    /// What one interrupted fan-out came to.
    struct Outcome {
        var receivedAtStop: Int
        var statesAfterStop: [String: Int]
        var duplicatesByMessageID: Int
        var duplicatesByRecipient: Int
        var restartToComplete: Duration
        var signalToExit: Duration
    }

    /// Publishes a 2,000-volunteer alert, interrupts the daemon with `signal` once the SMTP
    /// server holds `interruptAt` messages, checks how it ended, restarts it and waits until
    /// every volunteer has the alert.
    func interruptedFanOut(signal number: Int32, check: (DaemonProcess.Exit) -> Void) async throws -> Outcome {
        var options = DaemonFolder.Options()
        options.emailSessions = Self.sessions
        let cooperators = DaemonFolder.cooperators(email: Self.volunteers, fax: 0)
        return try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let first = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            let opened = try await first.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])
            #expect(opened.contains("email=\(Self.volunteers)"), "\(opened)")

            // Mid fan-out: a few hundred accepted by the SMTP server, most still to go.
            try await rig.waitForMail(300, daemon: first)
            let signalled = ContinuousClock.now
            first.signal(number)
            // The unit's TimeoutStopSec is 30 s: beyond that systemd would SIGKILL.
            let exit = try await first.waitForExit(timeout: .seconds(30))
            let signalToExit = ContinuousClock.now - signalled
            check(exit)
            let receivedAtStop = rig.smtp.receivedCount()
            #expect(receivedAtStop < Self.volunteers, "the fan-out was over before the daemon stopped: the test proved nothing")
            let statesAfterStop = try await rig.states(sample.caseID)

            let restarted = ContinuousClock.now
            let second = try rig.startDaemon()
            try await rig.waitForMail(Self.volunteers, daemon: second, timeout: .seconds(120))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: second)
            let restartToComplete = ContinuousClock.now - restarted
            // Resumed, not replanned: the broker message was acked before the stop.
            #expect(second.lines(event: "case.opened").isEmpty && second.lines(event: "intake.ignored").isEmpty)

            let tally = try MailTally(rig.smtp)
            let everyone = Set(cooperators.map(\.envelopeRecipient))
            let alerted = tally.recipients(of: "alert")
            #expect(alerted == everyone, "\(everyone.subtracting(alerted).count) volunteers never got the alert")
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": Self.volunteers])
            second.signal(SIGTERM)
            #expect(try await second.waitForExit(timeout: .seconds(30)) == .status(0), "\(second.tail())")
            return Outcome(
                receivedAtStop: receivedAtStop, statesAfterStop: statesAfterStop,
                duplicatesByMessageID: tally.duplicatesByMessageID, duplicatesByRecipient: tally.duplicatesByRecipient,
                restartToComplete: restartToComplete, signalToExit: signalToExit)
        }
    }

    @Test("SIGTERM mid fan-out of 2,000: exit 0 within the stop timeout, nothing left in flight; the restart completes the fan-out")
    func sigtermMidFanOut() async throws {
        let outcome = try await interruptedFanOut(signal: SIGTERM) { exit in
            #expect(exit == .status(0), "\(exit)")
        }
        // A graceful stop lets in-flight sends finish and records them: none is left `sending`.
        #expect(outcome.statesAfterStop["alert/sending"] == nil, "\(outcome.statesAfterStop)")
        #expect((outcome.statesAfterStop["alert/planned"] ?? 0) > 0, "\(outcome.statesAfterStop)")
        print(
            "e2e figure: SIGTERM at \(outcome.receivedAtStop)/\(Self.volunteers) received; after stop \(outcome.statesAfterStop); "
                + "duplicates by Message-ID \(outcome.duplicatesByMessageID), by recipient \(outcome.duplicatesByRecipient); "
                + "in-flight window \(Self.sessions) (email.sessions); restart→complete \(outcome.restartToComplete.ms) ms; SIGTERM→exit \(outcome.signalToExit.ms) ms"
        )
        #expect(outcome.duplicatesByMessageID <= Self.sessions)
        #expect(outcome.duplicatesByRecipient == outcome.duplicatesByMessageID)
    }

    @Test("kill -9 mid fan-out of 2,000, restart: every volunteer gets the alert, duplicates within the in-flight window")
    func killMidFanOut() async throws {
        let outcome = try await interruptedFanOut(signal: SIGKILL) { exit in
            #expect(exit == .signal(SIGKILL), "\(exit)")
        }
        // Claimed ahead (up to a batch) and in hand: all `sending`; only those a session had sent
        // can come twice.
        let inFlight = outcome.statesAfterStop["alert/sending"] ?? 0
        print(
            "e2e figure: kill -9 at \(outcome.receivedAtStop)/\(Self.volunteers) received; after kill \(outcome.statesAfterStop); "
                + "duplicates by Message-ID \(outcome.duplicatesByMessageID), by recipient \(outcome.duplicatesByRecipient); "
                + "in-flight window \(Self.inFlightWindow) (8 × email.sessions); restart→complete \(outcome.restartToComplete.ms) ms")
        // Only a delivery left `sending` can be sent again, and only one a session had taken.
        #expect(outcome.duplicatesByMessageID <= inFlight)
        #expect(outcome.duplicatesByMessageID <= Self.inFlightWindow)
        #expect(outcome.duplicatesByRecipient == outcome.duplicatesByMessageID)
    }

    /// What this proves, and what not: the daemon reaches the broker through a proxy that, once
    /// held, drops every byte the daemon sends while still passing the broker's bytes to it. The
    /// event is then published; the daemon receives it, commits it (seen in the ledger file with
    /// sqlite3) and sends its basic.ack, which the proxy drops; then kill -9. The broker never
    /// received the ack (it makes the message ready again once the connection is gone, checked),
    /// so this is exactly "killed between commit and ack" as the broker sees it. It does not
    /// stop the process between the SQLite commit and the ack *call* inside the daemon (no
    /// debugger hook), which the broker could not tell apart from this.
    @Test(
        "ack only after commit: kill -9 between the ledger commit and the broker's receipt of the ack; the redelivery is recognised and changes nothing"
    )
    func killBetweenCommitAndAck() async throws {
        let broker = try Broker.fromEnvironment()
        guard let brokerPort = URLComponents(string: broker.url)?.port else { throw FixtureError("no port in \(broker.url)") }
        // The daemon reaches the broker through a proxy that can swallow what it sends.
        let proxy = try TCPProxy(to: "127.0.0.1", port: brokerPort)
        defer { proxy.stop() }
        var options = DaemonFolder.Options()
        options.brokerPort = proxy.port
        let cooperators = DaemonFolder.cooperators(email: 5, fax: 0)
        try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let first = try await rig.startConsuming()
            // From now on nothing the daemon sends reaches the broker: its ack will not either.
            try proxy.hold()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            // The ledger committed the event (read with sqlite3, independently of the daemon),
            // and the daemon sent its ack (it logs case.opened after the ack call returned).
            try await waitUntil("the ledger holds the event of \(sample.caseID)", daemon: first) {
                (try? rig.sql("SELECT count(*) FROM events WHERE case_id = '\(sample.caseID)'")) == ["1"]
            }
            try await first.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])
            try await waitUntil("the proxy swallows what the daemon sent after the commit (its ack)", daemon: first) {
                proxy.droppedBytes() > 0
            }
            first.signal(SIGKILL)
            #expect(try await first.waitForExit() == .signal(SIGKILL))
            let deliveries = try rig.sql("SELECT count(*) FROM deliveries WHERE case_id = '\(sample.caseID)'")
            #expect(deliveries == ["\(cooperators.count)"])

            // The broker never got the ack: once it sees the connection gone, the message is
            // ready again.
            try await waitUntil("the broker requeues the unacked message", daemon: first) {
                (try? await rig.publisher.connection.messageCount(queue: rig.folder.casesQueue)) == 1
            }

            proxy.release()
            let second = try rig.startDaemon()
            let ignored = try await second.waitForLine(event: "intake.ignored", containing: ["case=\(sample.caseID)"])
            #expect(ignored.contains("reason=case.repeated-message"), "\(ignored)")
            #expect(second.lines(event: "case.opened").isEmpty, "the redelivery was taken as a new event")
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: second)
            try await waitUntil("the broker's queue is empty (the redelivery acked)", daemon: second) {
                (try? await rig.publisher.connection.messageCount(queue: rig.folder.casesQueue)) == 0
            }
            // Exactly one event, the deliveries of the first commit and no more, all delivered.
            #expect(try rig.sql("SELECT count(*) FROM events WHERE case_id = '\(sample.caseID)'") == ["1"])
            #expect(try rig.sql("SELECT count(*) FROM deliveries WHERE case_id = '\(sample.caseID)'") == deliveries)
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": cooperators.count])
            let tally = try MailTally(rig.smtp)
            #expect(tally.recipients(of: "alert") == Set(cooperators.map(\.envelopeRecipient)))
            print(
                "e2e figure: kill between commit and ack: duplicates by Message-ID \(tally.duplicatesByMessageID) (in-flight window \(DaemonFolder.Options().emailSessions))"
            )
            #expect(tally.duplicatesByMessageID <= DaemonFolder.Options().emailSessions)
            second.signal(SIGTERM)
            #expect(try await second.waitForExit(timeout: .seconds(30)) == .status(0), "\(second.tail())")
        }
    }

    /// What a kill -9 between a large plan's first commit and its last chunk leaves: the event
    /// and its first deliveries committed, the rest kept, the broker message unacked. The
    /// daemon's own intake makes that state here, on the daemon's ledger and settings, before the
    /// daemon starts (a kill timed between two chunks a few milliseconds apart could not be
    /// relied on to land there); the message is then in the queue as the broker would hold it.
    @Test(
        "kill -9 between a 2,000-volunteer plan's first commit and its last chunk: the start completes the plan as planned, the redelivery is known, everyone gets the alert once"
    )
    func killBetweenPlanChunks() async throws {
        let cooperators = DaemonFolder.cooperators(email: Self.volunteers, fax: 0)
        try await withDaemonRig(cooperators: cooperators) { rig in
            let sample = DaemonCase(municipality: rig.folder.municipality)
            let event = sample.event("opened", sequence: 1)
            let body = try DaemonCase.json(event)
            do {
                let files = try SettingsFiles.load(configPath: rig.folder.settingsPath)
                let decision = try await CaseIntake(ledger: try rig.ledger()).process(
                    body: body, headers: try rig.folder.signer.headers(for: body), transportMessageID: event["messageId"] as? String,
                    settings: CaseIntake.Settings(files: files), now: Date())
                guard case .recorded(_, _, _, let planned, _, _, planKept: true) = decision else {
                    Issue.record("expected a recorded case with a kept plan, got \(decision)")
                    return
                }
                #expect(planned[.email] == Self.volunteers)
            }
            #expect(try rig.sql("SELECT count(*) FROM deliveries") == ["\(CaseIntake.firstCommit)"])
            #expect(try rig.sql("SELECT count(*) FROM plan_remainders") == ["2"])
            try await rig.publisher.publish(event)

            let daemon = try await rig.startConsuming()
            let ignored = try await daemon.waitForLine(event: "intake.ignored", containing: ["case=\(sample.caseID)"])
            #expect(ignored.contains("reason=case.repeated-message"), "\(ignored)")
            try await rig.waitForMail(Self.volunteers, daemon: daemon)
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": Self.volunteers])
            #expect(try rig.sql("SELECT count(*) FROM plan_remainders") == ["0"])
            let resumed = try rig.sql("SELECT detail FROM audit WHERE event = 'ledger.resumed'")
            #expect(resumed.count == 1 && resumed[0].contains("plan_completed=\(Self.volunteers - CaseIntake.firstCommit)"), "\(resumed)")
            let tally = try MailTally(rig.smtp)
            #expect(tally.recipients(of: "alert") == Set(cooperators.map(\.envelopeRecipient)))
            #expect(tally.duplicatesByMessageID == 0 && tally.duplicatesByRecipient == 0)
            try await waitUntil("the broker's queue is empty (the redelivery acked)", daemon: daemon) {
                (try? await rig.publisher.connection.messageCount(queue: rig.folder.casesQueue)) == 0
            }
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}
