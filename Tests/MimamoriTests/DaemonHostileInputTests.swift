import AMQP
import Foundation
import MimamoriBroker
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What the police side must never get through to a cooperator: unsigned, forged, malformed,
/// unknown-schema events, and a closure for a case never opened. Each is dead-lettered with its
/// reason and one log line, and the daemon goes on.
@Suite("mimamorid hostile input (real binary, broker, SMTP)", .serialized)
struct DaemonHostileInputTests {
    @Test(
        "unsigned, forged, malformed JSON, unknown schema, closed for an unknown case: each dead-lettered with x-mimamori-reason and one intake.rejected line; a valid case afterwards is delivered"
    )
    func hostileMessagesAreDeadLettered() async throws {
        let cooperators = DaemonFolder.cooperators(email: 3, fax: 0)
        try await withDaemonRig(cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let municipality = rig.folder.municipality
            let publisher = rig.publisher

            // 1. Unsigned.
            let unsigned = DaemonCase(municipality: municipality)
            try await publisher.publish(try DaemonCase.json(unsigned.event("opened", sequence: 1)), signed: false)
            // 2. Forged: signed with another key under the trusted key id.
            let forged = DaemonCase(municipality: municipality)
            let forgedBody = try DaemonCase.json(forged.event("opened", sequence: 1))
            let impostor = try EventSigner(
                keyID: rig.folder.keyID, privateKeyFileContents: EventSigner.generate(name: "impostor").privateKey)
            try await publisher.publish(forgedBody, headers: try impostor.headers(for: forgedBody))
            // 3. Malformed JSON, properly signed.
            try await publisher.publish(Array(#"{"schema": "mimamori.case/1", "caseId": "E2E-MALFORMED", "person": {"#.utf8))
            // 4. An unknown schema, signed.
            let future = DaemonCase(municipality: municipality)
            var futureEvent = future.event("opened", sequence: 1)
            futureEvent["schema"] = "mimamori.case/9"
            try await publisher.publish(futureEvent)
            // 5. A closure for a case never opened, signed.
            let unknown = DaemonCase(municipality: municipality)
            try await publisher.publish(unknown.event("closed", sequence: 2))

            let expected: [(caseID: String, reason: String)] = [
                (unsigned.caseID, "signature.missing"), (forged.caseID, "signature.invalid"), ("-", "body.not-json"),
                (future.caseID, "schema.unknown"), (unknown.caseID, "case.unknown"),
            ]
            let dead = try await publisher.takeDead(expected.count)
            let reasons = dead.map { $0.headers[DeadLetterHeaders.mimamori.reason]?.stringValue ?? "(none)" }
            #expect(reasons.sorted() == expected.map(\.reason).sorted(), "x-mimamori-reason of the dead-lettered messages")

            try await daemon.waitForLine(event: "intake.rejected", count: expected.count)
            let rejected = daemon.lines(event: "intake.rejected")
            #expect(rejected.count == expected.count, "\(rejected)")
            for (caseID, reason) in expected {
                let lines = rejected.filter { $0.contains("reason=\(reason)") }
                #expect(lines.count == 1, "one intake.rejected line for \(reason): \(lines)")
                #expect(lines.first?.contains("case=\(caseID)") == true, "\(lines)")
            }
            #expect(daemon.exitStatus == nil, "mimamorid stopped: \(daemon.tail())")
            #expect(rig.smtp.receivedCount() == 0, "a rejected event reached a cooperator")

            // The daemon goes on: a valid case is delivered to everyone.
            let valid = DaemonCase(municipality: municipality)
            try await publisher.publish(valid.event("opened", sequence: 1))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(valid.caseID)"])
            try await rig.waitUntilSettled(valid.caseID, kinds: ["alert"], daemon: daemon)
            try await rig.waitForMail(cooperators.count, daemon: daemon)
            let tally = try MailTally(rig.smtp)
            #expect(tally.recipients(of: "alert") == Set(cooperators.map(\.envelopeRecipient)))
            #expect(tally.mails.count == cooperators.count)
            #expect(try rig.sql("SELECT count(*) FROM events") == ["1"], "only the valid event is in the ledger")

            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test(
        "a header table nested 15,000 deep beside a valid signed alert: mimamorid neither crashes (it did: SIGSEGV, and the redelivery again) nor refuses the alert"
    )
    func deepHeaderTable() async throws {
        let cooperators = DaemonFolder.cooperators(email: 2, fax: 0)
        try await withDaemonRig(cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let sample = DaemonCase(municipality: rig.folder.municipality)
            let body = try DaemonCase.json(sample.event("opened", sequence: 1))
            var headers: [String: AMQPHeaderValue] = ["x-deep": DeepHeader.nested(15_000)]
            for (name, value) in try rig.folder.signer.headers(for: body) { headers[name] = .string(value) }
            try await rig.publisher.connection.publish(
                exchange: AMQPTopology.casesExchange, routingKey: "case.\(rig.folder.municipality).opened", body: body,
                headers: headers, messageID: "deep-header", contentType: "application/json", persistent: true, mandatory: true)
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(sample.caseID)"])
            try await rig.waitForMail(cooperators.count, daemon: daemon)
            #expect(daemon.exitStatus == nil, "mimamorid stopped: \(daemon.tail())")
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }
}
