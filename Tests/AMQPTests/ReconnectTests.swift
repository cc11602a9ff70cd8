import AMQP
import MimamoriBroker
import Synchronization
import TestFixtures
import Testing

extension AMQPBrokerTests {
    @Suite struct Reconnect {
        @Test("the consumer survives a broker restart and receives what is published after it; stale acks are refused")
        func survivesRestart() async throws {
            let broker = try Broker.fromEnvironment()
            let town = Broker.uniqueName("rs")
            let cases = AMQPTopology.casesQueue(municipality: town)
            let dead = AMQPTopology.deadQueue(municipality: town)
            try await withConnection(
                try broker.configuration(heartbeat: 5), topology: .mimamori(municipality: town),
                deleting: [cases, dead], logLevel: .info
            ) { connection in
                func publish(_ ids: [String]) async throws {
                    for id in ids {
                        try await connection.publish(
                            exchange: AMQPTopology.casesExchange, routingKey: "case.\(town).updated", body: Array(id.utf8),
                            messageID: id)
                    }
                }
                let deliveries = try await connection.consume(queue: cases)
                let before = (0..<20).map { "before-\($0)" }
                try await publish(before)
                // All but one acked before the restart; that one goes back to the queue.
                var received = try await take(19, from: deliveries, on: connection)
                let held = try #require(try await take(1, from: deliveries, on: connection, ack: false).first)

                let clock = ContinuousClock()
                try await broker.ctl("stop_app")
                let stopped = clock.now
                try await broker.ctl("start_app")
                let restarted = clock.now

                // Publishing fails with retriable errors until the connection is back.
                var firstAfter: Duration? = nil
                while firstAfter == nil {
                    do {
                        try await publish(["after-0"])
                        firstAfter = clock.now - restarted
                    } catch let error as AMQPError where error.isRetriable {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(clock.now - restarted < .seconds(30), "reconnected within 30 s")
                    if clock.now - restarted > .seconds(30) { return }
                }
                let after = (1..<20).map { "after-\($0)" }
                try await publish(after)

                let stale = await #expect(throws: AMQPError.self) { try await connection.ack(held) }
                #expect(stale?.code == .staleDeliveryTag)
                #expect(stale?.isRetriable == false, "acking again cannot help; the message comes back by itself")

                // The held message comes again (redelivered), then everything published after.
                received += try await take(21, from: deliveries, on: connection)
                let ids = received.compactMap(\.messageID)
                #expect(Set(ids) == Set(before + ["after-0"] + after), "nothing lost")
                #expect(ids.count == Set(ids).count, "nothing twice")
                #expect(received.first { $0.messageID == held.messageID && $0.redelivered } != nil)
                print(
                    "figure: broker stop_app→start_app took \(restarted - stopped); first confirmed publish "
                        + "\(firstAfter!) after start_app returned (\(restarted - stopped + firstAfter!) after stop_app)")
            }
        }

        @Test("isConnected and onConnectionChange follow the link: up, lost at stop_app, up again after start_app, down at close")
        func connectionStateFollowsTheBroker() async throws {
            let broker = try Broker.fromEnvironment()
            let changes = Mutex<[Bool]>([])
            let connection = try await AMQPConnection.connect(
                try broker.configuration(heartbeat: 5), logger: Broker.logger("amqp-test", level: .warning),
                onConnectionChange: { up in changes.withLock { $0.append(up) } })
            #expect(connection.isConnected)
            do {
                try await broker.ctl("stop_app")
                try await within(.seconds(30), "the connection notices the broker is gone") {
                    while connection.isConnected { try await Task.sleep(for: .milliseconds(20)) }
                }
                try await broker.startApp()
                try await within(.seconds(30), "the connection is back") {
                    while !connection.isConnected { try await Task.sleep(for: .milliseconds(20)) }
                }
            } catch {
                try? await broker.startApp()
                await connection.close()
                throw error
            }
            await connection.close()
            #expect(!connection.isConnected)
            #expect(changes.withLock { $0 } == [true, false, true, false])
        }

        @Test("a broker that goes silent (frozen, socket still open) is detected by heartbeats; the consumer resumes")
        func silentBroker() async throws {
            let broker = try Broker.fromEnvironment()
            let queue = Broker.uniqueName("test.silent")
            var configuration = try broker.configuration(heartbeat: 1)
            configuration.connectTimeout = .seconds(2)
            try await withConnection(configuration, deleting: [queue], logLevel: .info) { connection in
                try await connection.declare(AMQPTopology(queues: [.init(name: queue)]))
                let deliveries = try await connection.consume(queue: queue)
                try await connection.publish(exchange: "", routingKey: queue, body: [1], messageID: "silent-1")
                let held = try #require(try await take(1, from: deliveries, on: connection, ack: false).first)

                // > 2 heartbeats of silence. A publish sent meanwhile cannot be confirmed: it
                // must fail (retriably) once the silence is noticed, not hang.
                async let frozen: Void = broker.freeze(for: .seconds(3))
                try await Task.sleep(for: .milliseconds(200))
                let inFlight = await #expect(throws: AMQPError.self) {
                    try await connection.publish(exchange: "", routingKey: queue, body: [0], messageID: "silent-0")
                }
                #expect(inFlight?.code == .connectionLost)
                #expect(inFlight?.isRetriable == true)
                try await frozen

                var published = false
                let clock = ContinuousClock()
                let start = clock.now
                while !published {
                    do {
                        try await connection.publish(exchange: "", routingKey: queue, body: [2], messageID: "silent-2")
                        published = true
                    } catch let error as AMQPError where error.isRetriable {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    if clock.now - start > .seconds(30) {
                        Issue.record("no reconnect within 30 s")
                        return
                    }
                }
                // The old channel is gone (so the loss was noticed), and the messages arrive
                // (silent-0 too if the broker had stored it before freezing: at least once).
                let stale = await #expect(throws: AMQPError.self) { try await connection.ack(held) }
                #expect(stale?.code == .staleDeliveryTag)
                let ids = try await within(.seconds(30), "silent-1 and silent-2") {
                    var ids: Set<String> = []
                    for try await delivery in deliveries {
                        try await connection.ack(delivery)
                        ids.insert(delivery.messageID ?? "")
                        if ids.isSuperset(of: ["silent-1", "silent-2"]) { break }
                    }
                    return ids
                }
                #expect(ids.isSuperset(of: ["silent-1", "silent-2"]))
                #expect(ids.isSubset(of: ["silent-0", "silent-1", "silent-2"]))
            }
        }
    }
}
