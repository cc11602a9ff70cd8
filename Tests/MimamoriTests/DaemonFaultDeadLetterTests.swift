import AMQP
import Foundation
import MimamoriBroker
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Fault: the dead-letter queue refuses what the daemon dead-letters (full, with
/// `overflow: reject-publish`): the broker nacks each copy. Each bad message must still leave the
/// case queue (rejected without requeue, or acked when its body is not kept), or a prefetch's
/// worth of them (64) would stop intake.
@Suite("faults: the dead-letter queue refuses every copy; intake goes on (real mimamorid, real broker)", .serialized)
struct DaemonFaultDeadLetterTests {
    static let badMessages = 100

    @Test(
        "100 unsigned messages while the dead queue nacks every copy, then a valid case: each bad one rejected and counted, the case recorded and delivered"
    )
    func deadQueueRefusesCopies() async throws {
        let cooperators = DaemonFolder.cooperators(email: 3, fax: 0)
        try await withDaemonRig(cooperators: cooperators) { rig in
            let policy = "e2e-dead-full-\(rig.folder.municipality)"
            let pattern = "^" + NSRegularExpression.escapedPattern(for: rig.folder.deadQueue) + "$"
            try await rig.broker.ctl(
                "set_policy", "-p", rig.broker.virtualHost, policy, pattern, #"{"max-length":0,"overflow":"reject-publish"}"#,
                "--apply-to", "queues")
            // The broker really refuses a copy now (the policy is applied asynchronously).
            try await waitUntil("the dead queue nacks a publish", timeout: .seconds(20)) {
                do {
                    try await rig.publisher.connection.publish(
                        exchange: AMQPTopology.deadLettersExchange, routingKey: "case.\(rig.folder.municipality).opened", body: [1],
                        messageID: "probe", persistent: true, mandatory: true)
                    return false
                } catch {
                    return (error as? AMQPError)?.code == .nacked
                }
            }

            let daemon = try await rig.startConsuming()
            for index in 1...Self.badMessages {
                try await rig.publisher.publish(Array("{}".utf8), messageID: "bad-\(index)", signed: false)
            }
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))

            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"], timeout: .seconds(60))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon, timeout: .seconds(30))
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": 3])
            #expect(try MailTally(rig.smtp).recipients(of: "alert") == Set(cooperators.map(\.envelopeRecipient)))

            let failed = daemon.lines(event: "intake.dead-letter-failed")
            #expect(failed.count == Self.badMessages, "\(failed.count) intake.dead-letter-failed lines")
            #expect(
                failed.allSatisfy { logField("reason", of: $0) == "signature.missing" && logField("code", of: $0) == "nacked" },
                "\(failed.prefix(2))")
            // An unsigned body is not kept: acked (dropped), never rejected into the broker's own
            // dead-lettering, which would keep it whole.
            #expect(failed.allSatisfy { logField("state", of: $0) == "dropped" }, "\(failed.prefix(2))")
            #expect(Set(failed.compactMap { logField("msg", of: $0) }) == Set((1...Self.badMessages).map { "bad-\($0)" }))
            #expect(try rig.metric("mimamori_intake_dead_letter_failed_total") == Double(Self.badMessages))
            #expect(daemon.lines(event: "intake.ack-failed").isEmpty, "\(daemon.lines(event: "intake.ack-failed").prefix(2))")
            // Nothing held by the daemon, nothing left in the queue.
            try await waitUntil("the case queue is empty", timeout: .seconds(10), daemon: daemon) {
                let counts = try await rig.casesQueueCounts()
                return counts.ready == 0 && counts.unacked == 0
            }
            let health = try rig.health()
            #expect(health.status == 200 && health.text.hasPrefix("ok"), "\(health)")
            try await rig.broker.ctl("clear_policy", "-p", rig.broker.virtualHost, policy)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}
