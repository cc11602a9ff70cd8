import AMQP
import Testing
import TestFixtures

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
    }
}
