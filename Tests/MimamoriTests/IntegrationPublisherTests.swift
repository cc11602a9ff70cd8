import AMQP
import Foundation
import MimamoriBroker
import MimamoriCore
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `examples/python/mimamori_publish.py`, the reference publisher of docs/integration.md (Debian's
/// python3-pika and python3-cryptography), against the real daemon, broker and SMTP sink: what it
/// signs and publishes reaches the cooperators and a status event; a body changed after signing is
/// dead-lettered `signature.invalid`; an event the schema refuses is not sent at all.
@Suite("integration: the Python reference publisher against mimamorid (real binary, broker, SMTP)", .serialized)
struct IntegrationPublisherTests {
    static let root = ServerProcess.repositoryRoot
    static let publisher = root.appendingPathComponent("examples/python/mimamori_publish.py").path
    static let schema = root.appendingPathComponent("docs/schema/mimamori.case-1.schema.json").path

    @Test(
        "mimamori_publish.py signs and publishes: the alert reaches every cooperator and a mimamori.status/1 event follows; a tampered body is dead-lettered signature.invalid; a schema-invalid event is not sent"
    )
    func pythonPublisherAgainstTheDaemon() async throws {
        let cooperators = DaemonFolder.cooperators(email: 3, fax: 0)
        try await withDaemonRig(cooperators: cooperators) { rig in
            let municipality = rig.folder.municipality
            let statusQueue = "mimamori.\(municipality).status-watch"
            try await rig.publisher.connection.declare(
                AMQPTopology(
                    // Gone with the test's connection, whatever happens.
                    queues: [.init(name: statusQueue, durable: false, autoDelete: true)],
                    bindings: [.init(queue: statusQueue, exchange: AMQPTopology.statusExchange, routingKey: "status.\(municipality).#")]))
            let daemon = try await rig.startConsuming()
            let key = rig.folder.directory.appendingPathComponent("keys/\(rig.folder.keyID).key").path

            // 1. A valid alert, published by the Python publisher, schema-checked first.
            let valid = DaemonCase(municipality: municipality)
            let validFile = rig.folder.directory.appendingPathComponent("alert.json").path
            try Data(try DaemonCase.json(valid.event("opened", sequence: 1))).write(to: URL(fileURLWithPath: validFile))
            let run = try runProcess(
                "/usr/bin/python3",
                [
                    Self.publisher, validFile, "--key", key, "--broker", rig.broker.url, "--schema", Self.schema,
                ])
            #expect(run.status == 0, "mimamori_publish.py exited \(run.status): \(run.stderr)")
            #expect(
                run.stdout.contains("as case.\(municipality).opened, signed by \(rig.folder.keyID), confirmed by the broker"),
                "\(run.stdout)")
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(valid.caseID)"])
            try await rig.waitUntilSettled(valid.caseID, kinds: ["alert"], daemon: daemon)
            try await rig.waitForMail(cooperators.count, daemon: daemon)
            let tally = try MailTally(rig.smtp)
            #expect(tally.recipients(of: "alert") == Set(cooperators.map(\.envelopeRecipient)))

            // The status event an upstream consumes: ids and counts, every alert delivered.
            let status = try await Self.status(rig.publisher.connection, queue: statusQueue, timeout: .seconds(30)) { status in
                let email = (status["channels"] as? [String: Any])?["email"] as? [String: Any]
                return status["caseId"] as? String == valid.caseID && email?["delivered"] as? Int == cooperators.count
            }
            #expect(status["schema"] as? String == "mimamori.status/1")
            #expect(status["state"] as? String == "opened", "\(status)")
            #expect(status["lastSequence"] as? Int == 1)
            #expect(status["closureComplete"] as? Bool == false)
            #expect(status["drill"] as? Bool == false)

            // 2. Signed by the Python signer, then changed in transit (the age): refused.
            let tampered = DaemonCase(municipality: municipality)
            let tamperedFile = rig.folder.directory.appendingPathComponent("tampered.json").path
            try Data(try DaemonCase.json(tampered.event("opened", sequence: 1))).write(to: URL(fileURLWithPath: tamperedFile))
            let script = """
                import sys
                sys.path.insert(0, sys.argv[1])
                import mimamori_publish as m
                body = open(sys.argv[2], "rb").read()
                headers = m.signature_headers(body, sys.argv[3])
                changed = body.replace(b'"age":84', b'"age":48')
                assert changed != body
                municipality, kind, message_id = m.routing(changed)
                parameters, user = m.connection_parameters(sys.argv[4])
                m.publish(parameters, user, changed, headers, municipality, kind, message_id)
                print("published the changed body")
                """
            let tamperRun = try runProcess(
                "/usr/bin/python3",
                [
                    "-c", script, (Self.publisher as NSString).deletingLastPathComponent, tamperedFile, key, rig.broker.url,
                ])
            #expect(tamperRun.status == 0, "\(tamperRun.stderr)")
            let dead = try await rig.publisher.takeDead(1)
            #expect(dead.first?.headers[DeadLetterHeaders.mimamori.reason]?.stringValue == "signature.invalid")
            try await daemon.waitForLine(event: "intake.rejected", containing: ["case=\(tampered.caseID)", "reason=signature.invalid"])

            // 3. An event the schema refuses (age 200) is not sent: nothing reaches the broker.
            var invalidEvent = DaemonCase(municipality: municipality).event("opened", sequence: 1)
            var person = invalidEvent["person"] as! [String: Any]
            person["age"] = 200
            invalidEvent["person"] = person
            let invalidFile = rig.folder.directory.appendingPathComponent("invalid.json").path
            try Data(try DaemonCase.json(invalidEvent)).write(to: URL(fileURLWithPath: invalidFile))
            let refused = try runProcess(
                "/usr/bin/python3",
                [
                    Self.publisher, invalidFile, "--key", key, "--broker", rig.broker.url, "--schema", Self.schema,
                ])
            #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
            #expect(refused.stderr.contains("not sent, invalid: person.age"), "\(refused.stderr)")

            try await Task.sleep(for: .seconds(1))
            #expect(daemon.lines(event: "intake.rejected").count == 1, "\(daemon.lines(event: "intake.rejected"))")
            #expect(rig.smtp.receivedCount() == cooperators.count, "only the valid alert was mailed")
            #expect(try rig.sql("SELECT count(*) FROM events") == ["1"], "only the valid event is in the ledger")
            try? await rig.publisher.connection.delete(queue: statusQueue)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
            print(
                "integration-publisher | mimamori_publish.py | alert delivered to \(cooperators.count), status \(status["state"] ?? "-"), tampered: signature.invalid, schema-invalid: not sent"
            )
        }
    }

    /// The first status event on `queue` that `matches`, as a JSON object.
    static func status(
        _ connection: AMQPConnection, queue: String, timeout: Duration, matches: @escaping @Sendable ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deliveries = try await connection.consume(queue: queue)
        let body: [UInt8]? = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                for try await delivery in deliveries {
                    try await connection.ack(delivery)
                    if let object = try? JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any], matches(object) {
                        return delivery.body
                    }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let body, let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw FixtureError("no matching status event on \(queue) within \(timeout)")
        }
        return object
    }
}
