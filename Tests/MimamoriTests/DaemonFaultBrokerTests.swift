import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Fault: the broker restarts, or goes away for a while, in the middle of a fan-out. The
/// dispatcher does not need the broker and keeps sending meanwhile (expected); intake and the
/// status publisher lose their connection and must come back by themselves.
@Suite("faults: broker restart and outage mid fan-out (real mimamorid, rabbitmqctl)", .serialized)
struct DaemonFaultBrokerTests {
    static let volunteers = 1_200
    /// The issue says 60 s; under test 12 s, long enough for the reconnect backoff to grow past
    /// 5 s if nothing caps it there.
    static let outage: Duration = .seconds(12)
    /// The SMTP server's delay per message while case A fans out (8 sessions: ≈ 40 a second),
    /// so that the fan-out outlasts the broker fault.
    static let replyDelay = 0.2
    /// The requirement: reconnected within 5 s of the broker's return. The reconnect
    /// backoff must therefore never wait longer than that between attempts.
    static let reconnectBound: Duration = .seconds(5)

    struct Outcome {
        var stopToLost: Duration
        var returnToReconnected: Duration
        var startAppToReconnected: Duration
        var maximumBackoff: Duration
        var duplicates: Int
    }

    /// Publishes case A to 1,200 volunteers through a slowed SMTP server, disturbs the broker
    /// with `fault` once 200 are sent, waits for the daemon to reconnect, publishes case B: both complete, each
    /// recipient has both alerts, one event row per message, the queue ends empty.
    func disturbedFanOut(
        _ label: String,
        fault: (DaemonRig) async throws -> (
            stopped: ContinuousClock.Instant, returning: ContinuousClock.Instant, returned: ContinuousClock.Instant
        )
    ) async throws -> Outcome {
        var options = DaemonFolder.Options()
        options.heartbeat = "5s"
        let cooperators = DaemonFolder.cooperators(email: Self.volunteers, fax: 0)
        return try await withDaemonRig(options: options, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            rig.smtp.setReplyDelay(Self.replyDelay)
            let first = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(first.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(first.caseID)"])
            try await rig.waitForMail(200, daemon: daemon)

            let atFault = rig.smtp.receivedCount()
            let (stopped, returning, returned): (ContinuousClock.Instant, ContinuousClock.Instant, ContinuousClock.Instant)
            do {
                (stopped, returning, returned) = try await fault(rig)
            } catch {
                // Never leave the node stopped for the tests that follow.
                try? await rig.broker.startApp()
                throw error
            }
            let atReturn = rig.smtp.receivedCount()
            rig.smtp.setReplyDelay(nil)
            #expect(atFault < Self.volunteers, "the fan-out was over before the broker went: the test proved nothing")
            try await daemon.waitForLine(event: "amqp.connection-lost", timeout: .seconds(30))
            let lostSeen = ContinuousClock.now
            try await daemon.waitForLine(event: "amqp.reconnected", timeout: .seconds(60))
            let reconnected = ContinuousClock.now
            // Healthy again, and the gauge says so.
            let health = try rig.health()
            #expect(health.status == 200 && health.text.hasPrefix("ok"), "/healthz after the reconnect: \(health)")
            #expect(try rig.metric("mimamori_broker_connected") == 1)
            #expect(daemon.exitStatus == nil, "mimamorid ended during the broker fault")
            let backoffs = daemon.lines(event: "amqp.reconnecting").compactMap { line -> Duration? in
                guard let range = line.range(of: "delay_ms=") else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber }).map { .milliseconds($0) }
            }
            let maximumBackoff = backoffs.max() ?? .zero
            print(
                "fault figure: \(label): case A at \(atFault)/\(Self.volunteers) emails when the broker went, \(atReturn) when it was back; "
                    + "\(backoffs.count) reconnect attempts, longest wait \(maximumBackoff.ms) ms; "
                    + "broker back (start_app returned) → amqp.reconnected \((reconnected - returned).ms) ms "
                    + "(from start_app called: \((reconnected - returning).ms) ms); broker down \((returning - stopped).ms) ms")
            #expect(
                maximumBackoff <= Self.reconnectBound,
                "the daemon waited \(maximumBackoff.ms) ms between reconnect attempts: after a long outage it can take that long to notice the broker is back (the issue allows 5 s)"
            )

            // Nothing lost: a case published after the return is taken and delivered, and the
            // case in flight completes.
            let second = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publishRetrying(second.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(second.caseID)"], timeout: .seconds(30))
            try await rig.waitForMail(2 * Self.volunteers, daemon: daemon, timeout: .seconds(120))
            try await rig.waitUntilSettled(first.caseID, kinds: ["alert"], daemon: daemon)
            try await rig.waitUntilSettled(second.caseID, kinds: ["alert"], daemon: daemon)
            #expect(try await rig.states(first.caseID) == ["alert/delivered": Self.volunteers])
            #expect(try await rig.states(second.caseID) == ["alert/delivered": Self.volunteers])
            let tally = try MailTally(rig.smtp)
            let everyone = Set(cooperators.map(\.envelopeRecipient))
            #expect(tally.recipients(of: "alert") == everyone)
            #expect(tally.count(of: "alert") - tally.duplicatesByMessageID == 2 * Self.volunteers)

            // Nothing acked twice: one event row per message id, two in all, the queue empty.
            #expect(try rig.eventsRecordedTwice().isEmpty)
            #expect(try rig.sql("SELECT count(*) FROM events") == ["2"])
            try await waitUntil("the cases queue is empty and nothing is unacked", daemon: daemon) {
                let counts = try await rig.casesQueueCounts()
                return counts.ready == 0 && counts.unacked == 0
            }
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
            return Outcome(
                stopToLost: lostSeen - stopped, returnToReconnected: reconnected - returned,
                startAppToReconnected: reconnected - returning, maximumBackoff: maximumBackoff,
                duplicates: tally.duplicatesByMessageID)
        }
    }

    @Test("broker restart (stop_app, start_app) mid fan-out: reconnects, nothing lost, nothing acked twice")
    func brokerRestart() async throws {
        let outcome = try await disturbedFanOut("broker restart") { rig in
            let stopped = ContinuousClock.now
            try await rig.broker.ctl("stop_app")
            let returning = ContinuousClock.now
            try await rig.broker.startApp()
            return (stopped, returning, ContinuousClock.now)
        }
        print(
            "fault figure: broker restart: lost 0, duplicates \(outcome.duplicates), recovery (broker back → reconnected) "
                + "\(outcome.returnToReconnected.ms) ms")
    }

    @Test("broker down for a while mid fan-out: the dispatcher goes on, the daemon reconnects within 5 s of the return, nothing lost")
    func brokerOutage() async throws {
        let outcome = try await disturbedFanOut("broker down \(Self.outage)") { rig in
            let stopped = ContinuousClock.now
            try await rig.broker.ctl("stop_app")
            let sentBefore = rig.smtp.receivedCount()
            // While the broker is away the daemon says so: 503 on /healthz, the gauge at 0.
            var health = (status: 0, text: "")
            try await waitUntil("/healthz reports the broker down (\(health))", timeout: .seconds(10)) {
                health = try rig.health()
                return health.status == 503
            }
            #expect(health.text.contains("broker disconnected"), "\(health)")
            #expect(try rig.metric("mimamori_broker_connected") == 0)
            print("fault figure: broker down: /healthz \(health.status) \"\(health.text)\"")
            try await Task.sleep(for: Self.outage - (ContinuousClock.now - stopped))
            // The dispatcher kept sending while the broker was away (expected: it needs only the ledger).
            let sentMeanwhile = rig.smtp.receivedCount() - sentBefore
            print("fault figure: broker down: \(sentMeanwhile) emails sent while it was away")
            #expect(sentMeanwhile > 0, "the dispatcher stopped sending while the broker was away")
            let returning = ContinuousClock.now
            try await rig.broker.startApp()
            return (stopped, returning, ContinuousClock.now)
        }
        print(
            "fault figure: broker down \(Self.outage): lost 0, duplicates \(outcome.duplicates), recovery (broker back → reconnected) "
                + "\(outcome.returnToReconnected.ms) ms, longest reconnect wait \(outcome.maximumBackoff.ms) ms")
    }
}
