import AMQP
import Foundation
import MimamoriBroker
import TestFixtures
import Testing

/// The dead-letter path as deployed: `mimamori.dead-letters` (topic) bound per town, the old
/// `mimamori.dead` fanout only forwarding to it, and the broker policy of
/// `deploy/rabbitmq/dead-letter-policy.sh` bounding each dead queue.
extension AMQPBrokerTests {
    @Suite struct DeadLetterRouting {
        static let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

        @Test("two towns on one vhost: the rejects of town A (republished, body-less, or rejected by the broker) reach A's dead queue only")
        func townsKeepTheirRejects() async throws {
            let broker = try Broker.fromEnvironment()
            let a = Broker.uniqueName("ta")
            let b = Broker.uniqueName("tb")
            let queues = [a, b].flatMap { [AMQPTopology.casesQueue(municipality: $0), AMQPTopology.deadQueue(municipality: $0)] }
            try await withConnection(try broker.configuration(), topology: .mimamori(municipality: a), deleting: queues) { connection in
                try await connection.declare(.mimamori(municipality: b))
                for (id, kind) in [("a-1", "opened"), ("a-2", "updated"), ("a-3", "closed")] {
                    try await connection.publish(
                        exchange: AMQPTopology.casesExchange, routingKey: "case.\(a).\(kind)", body: Array("secret \(id)".utf8),
                        messageID: id)
                }
                let deliveries = try await connection.consume(queue: AMQPTopology.casesQueue(municipality: a))
                let taken = try await take(3, from: deliveries, on: connection, ack: false)
                let byID = Dictionary(uniqueKeysWithValues: taken.map { ($0.messageID ?? "-", $0) })
                let whole = try #require(byID["a-1"])
                let bodyless = try #require(byID["a-2"])
                let rejected = try #require(byID["a-3"])
                #expect(try await connection.deadLetterOrReject(whole, reason: "signature.unknown-key").isRepublished)
                #expect(
                    try await connection.deadLetterOrReject(
                        bodyless, reason: "signature.invalid", copy: .withoutBody(adding: ["x-size": .int(9)])
                    ).isRepublished)
                // The broker's own dead-lettering goes through the case queue's `mimamori.dead`.
                try await connection.reject(rejected, requeue: false)

                let dead = try await take(
                    3, from: try await connection.consume(queue: AMQPTopology.deadQueue(municipality: a)), on: connection)
                let deadByID = Dictionary(uniqueKeysWithValues: dead.map { ($0.messageID ?? "-", $0) })
                #expect(deadByID["a-1"]?.body == Array("secret a-1".utf8))
                #expect(deadByID["a-1"]?.exchange == AMQPTopology.deadLettersExchange)
                #expect(deadByID["a-2"]?.body == [], "the body-less copy carries no body")
                #expect(deadByID["a-2"]?.headers["x-size"] == 9)
                #expect(deadByID["a-2"]?.headers[DeadLetterHeaders.mimamori.reason] == "signature.invalid")
                #expect(deadByID["a-3"]?.exchange == AMQPTopology.deadExchange)
                #expect(try await connection.messageCount(queue: AMQPTopology.deadQueue(municipality: b)) == 0)
                let bindings = try await broker.ctl(
                    "list_bindings", "-p", broker.virtualHost, "source_name", "destination_name", "destination_kind", "routing_key")
                #expect(
                    bindings.contains("\(AMQPTopology.deadLettersExchange)\t\(AMQPTopology.deadQueue(municipality: a))\tqueue\tcase.\(a).#")
                )
                #expect(bindings.contains("\(AMQPTopology.deadExchange)\t\(AMQPTopology.deadLettersExchange)\texchange\t"))
                #expect(
                    !bindings.contains("\(AMQPTopology.deadExchange)\t\(AMQPTopology.deadQueue(municipality: a))"),
                    "the fanout must not reach a town's queue")
            }
        }

        @Test("a body-less copy the dead queue refuses is dropped (acked), so the broker never dead-letters the body itself")
        func refusedBodylessCopyIsDropped() async throws {
            let broker = try Broker.fromEnvironment()
            let town = Broker.uniqueName("td")
            let cases = AMQPTopology.casesQueue(municipality: town)
            let dead = AMQPTopology.deadQueue(municipality: town)
            let policy = "refuse-\(town)"
            try await withConnection(try broker.configuration(), topology: .mimamori(municipality: town), deleting: [cases, dead]) {
                connection in
                try await broker.ctl(
                    "set_policy", "-p", broker.virtualHost, "--apply-to", "queues", "--priority", "20", policy,
                    "^" + NSRegularExpression.escapedPattern(for: dead) + "$", #"{"max-length":0,"overflow":"reject-publish"}"#)
                defer { Task { _ = try? await broker.ctl("clear_policy", "-p", broker.virtualHost, policy) } }
                try await Self.waitForPolicy(policy, on: dead, broker: broker)
                // The queue applies it asynchronously: until a probe is nacked.
                let deadline = ContinuousClock.now + .seconds(20)
                while true {
                    do {
                        try await connection.publish(
                            exchange: AMQPTopology.deadLettersExchange, routingKey: "case.\(town).opened", body: [1], messageID: "probe")
                    } catch {
                        if (error as? AMQPError)?.code == .nacked { break }
                        throw error
                    }
                    guard ContinuousClock.now < deadline else { throw TimedOut(what: "the dead queue nacking a probe") }
                    try await Task.sleep(for: .milliseconds(100))
                }
                let before = try await connection.messageCount(queue: dead)
                try await connection.publish(
                    exchange: AMQPTopology.casesExchange, routingKey: "case.\(town).opened", body: Array("forged".utf8), messageID: "f-1")
                let delivery = try #require(
                    try await take(1, from: try await connection.consume(queue: cases), on: connection, ack: false).first)
                let route = try await connection.deadLetterOrReject(delivery, reason: "signature.invalid", copy: .withoutBody(adding: [:]))
                guard case .dropped(let error) = route else {
                    Issue.record(
                        "expected dropped, got \(route); dead queue holds \((try? await connection.messageCount(queue: dead)) ?? -1)")
                    return
                }
                #expect(error.code == .nacked)
                #expect(try await connection.messageCount(queue: cases) == 0)
                #expect(try await connection.messageCount(queue: dead) == before, "nothing reached the dead queue")
            }
        }

        @Test("deploy/rabbitmq/dead-letter-policy.sh: the dead queue keeps messages for the retention only and at most max-length of them")
        func deployPolicyBoundsTheDeadQueue() async throws {
            let broker = try Broker.fromEnvironment()
            let town = Broker.uniqueName("tp")
            let cases = AMQPTopology.casesQueue(municipality: town)
            let dead = AMQPTopology.deadQueue(municipality: town)
            let vhost = "policy-\(town)"
            try await broker.ctl("add_vhost", vhost)
            defer { Task { _ = try? await broker.ctl("delete_vhost", vhost) } }
            try await broker.ctl("set_permissions", "-p", vhost, "mimamori", ".*", ".*", ".*")
            var configuration = try broker.configuration()
            configuration.virtualHost = vhost
            try await withConnection(configuration, topology: .mimamori(municipality: town), deleting: [cases, dead]) { connection in
                _ = try await Self.runScript(
                    ["deploy/rabbitmq/dead-letter-policy.sh", "--vhost", vhost, "--retention", "3s", "--max-length", "3"],
                    rabbitmqctl: "\(broker.script) ctl")
                try await Self.waitForPolicy("mimamori-dead-letters", on: dead, broker: broker, vhost: vhost)
                var refused = 0
                for index in 1...5 {
                    do {
                        try await connection.publish(
                            exchange: AMQPTopology.deadLettersExchange, routingKey: "case.\(town).opened", body: [UInt8(index)],
                            messageID: "d-\(index)")
                    } catch {
                        #expect((error as? AMQPError)?.code == .nacked, "\(error)")
                        refused += 1
                    }
                }
                // A quorum queue refuses once it is past its limit, so it may take one more.
                let kept = try await connection.messageCount(queue: dead)
                #expect(refused >= 1 && kept == 5 - refused && kept <= 3 + 1, "kept \(kept), refused \(refused)")
                // The TTL: they expire by themselves (a guard against hanging, not a timing).
                let deadline = ContinuousClock.now + .seconds(60)
                while try await connection.messageCount(queue: dead) > 0 {
                    guard ContinuousClock.now < deadline else { throw TimedOut(what: "dead letters expiring") }
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
        }

        @Test(
            "deploy/rabbitmq/migrate-dead-letters.sh on a broker of the old topology: nothing redeclared, the fanout's leak between towns closed"
        )
        func migrationFromTheFanout() async throws {
            let broker = try Broker.fromEnvironment()
            let a = Broker.uniqueName("ma")
            let b = Broker.uniqueName("mb")
            let vhost = "migrate-\(a)"
            try await broker.ctl("add_vhost", vhost)
            defer { Task { _ = try? await broker.ctl("delete_vhost", vhost) } }
            try await broker.ctl("set_permissions", "-p", vhost, "mimamori", ".*", ".*", ".*")
            var configuration = try broker.configuration()
            configuration.virtualHost = vhost
            // What an earlier release declared: the fanout bound to every town's dead queue.
            let towns = [a, b].map { AMQPTopology.mimamori(municipality: $0) }
            let old = AMQPTopology(
                exchanges: [
                    .init(name: AMQPTopology.casesExchange, kind: .topic), .init(name: AMQPTopology.deadExchange, kind: .fanout),
                ],
                queues: towns.flatMap(\.queues),
                bindings: towns.flatMap(\.bindings).filter { $0.exchange == AMQPTopology.casesExchange }
                    + [a, b].map {
                        .init(queue: AMQPTopology.deadQueue(municipality: $0), exchange: AMQPTopology.deadExchange, routingKey: "")
                    })
            try await withConnection(configuration, topology: old) { connection in
                // The new release declares on top of it: same arguments, no 406.
                for town in towns { try await connection.declare(town) }
                let deadA = AMQPTopology.deadQueue(municipality: a)
                let deadB = AMQPTopology.deadQueue(municipality: b)
                let deliveries = try await connection.consume(queue: AMQPTopology.casesQueue(municipality: a))
                func rejectOne(_ id: String) async throws {
                    try await connection.publish(
                        exchange: AMQPTopology.casesExchange, routingKey: "case.\(a).opened", body: [1], messageID: id)
                    let delivery = try #require(try await take(1, from: deliveries, on: connection, ack: false).first)
                    try await connection.reject(delivery, requeue: false)
                }
                func counts() async throws -> (Int, Int) {
                    let listed = try await broker.ctl("list_queues", "-q", "--no-table-headers", "-p", vhost, "name", "messages")
                    var byName: [String: Int] = [:]
                    for line in listed.split(separator: "\n") {
                        let fields = line.split(separator: "\t")
                        if fields.count == 2 { byName[String(fields[0])] = Int(fields[1]) }
                    }
                    return (byName[deadA] ?? -1, byName[deadB] ?? -1)
                }
                try await rejectOne("before")
                // (A gets it once: the broker puts one copy per queue however many bindings match.)
                try await waitCounts("before the migration: in A, and in B through the fanout", expected: (1, 1), counts)

                let migrated = try await Self.runScript(
                    ["deploy/rabbitmq/migrate-dead-letters.sh", "--vhost", vhost], rabbitmqctl: "\(broker.script) ctl")
                #expect(
                    migrated.contains("removed mimamori.dead → \(deadA)") && migrated.contains("removed mimamori.dead → \(deadB)"),
                    "\(migrated)")
                try await rejectOne("after")
                try await waitCounts("after the migration: once more in A, nothing more in B (\(migrated))", expected: (2, 1), counts)
            }
        }

        func waitCounts(
            _ what: String, expected: (Int, Int), _ counts: () async throws -> (Int, Int)
        ) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let now = try await counts()
                if now == expected {
                    // Settled: a late copy would show on a second look.
                    try await Task.sleep(for: .milliseconds(300))
                    let again = try await counts()
                    #expect(again == expected, "\(what): \(again)")
                    return
                }
                guard ContinuousClock.now < deadline else {
                    Issue.record("\(what): \(now), expected \(expected)")
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        static func waitForPolicy(_ policy: String, on queue: String, broker: Broker, vhost: String? = nil) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let listed = try await broker.ctl("list_queues", "-p", vhost ?? broker.virtualHost, "name", "policy")
                if listed.split(separator: "\n").contains(where: { $0 == "\(queue)\t\(policy)" }) { return }
                guard ContinuousClock.now < deadline else { throw TimedOut(what: "policy \(policy) on \(queue): \(listed)") }
                try await Task.sleep(for: .milliseconds(200))
            }
        }

        static func runScript(_ command: [String], rabbitmqctl: String) async throws -> String {
            let process = Process()
            process.executableURL = root.appendingPathComponent(command[0])
            process.arguments = Array(command.dropFirst())
            process.environment = ProcessInfo.processInfo.environment.merging(["RABBITMQCTL": rabbitmqctl]) { _, new in new }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw FixtureError("\(command.joined(separator: " ")) exited \(process.terminationStatus): \(output)")
            }
            return output
        }
    }
}

extension AMQPConnection.DeadLetterRoute {
    var isRepublished: Bool { if case .republished = self { true } else { false } }
}
