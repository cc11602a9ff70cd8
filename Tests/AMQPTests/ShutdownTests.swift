import AMQP
import ServiceLifecycle
import TestFixtures
import Testing

extension AMQPBrokerTests {
    @Suite struct Shutdown {
        @Test("a graceful shutdown of the ServiceGroup ends the deliveries; unacked messages go back to the queue")
        func gracefulShutdown() async throws {
            let broker = try Broker.fromEnvironment()
            let queue = Broker.uniqueName("test.shutdown")
            let configuration = try broker.configuration()
            try await withConnection(configuration, deleting: [queue]) { observer in
                try await observer.declare(AMQPTopology(queues: [.init(name: queue)]))
                for n in 0..<5 { try await observer.publish(exchange: "", routingKey: queue, body: [UInt8(n)]) }

                let connection = try await AMQPConnection.connect(configuration, logger: Broker.logger("amqp-test"))
                let group = ServiceGroup(services: [connection], logger: Broker.logger("service-group"))
                let deliveries = try await connection.consume(queue: queue)
                let iterated = try await within(.seconds(30), "graceful shutdown") {
                    try await withThrowingTaskGroup(of: Int.self) { tasks in
                        tasks.addTask {
                            try await group.run()
                            return -1
                        }
                        tasks.addTask {
                            var seen = 0
                            for try await delivery in deliveries {  // must end by itself
                                seen += 1
                                if seen == 1 { try await connection.ack(delivery) }  // the second stays unacked
                                if seen == 2 { await group.triggerGracefulShutdown() }
                            }
                            return seen
                        }
                        var seen = 0
                        for try await result in tasks where result >= 0 { seen = result }
                        return seen
                    }
                }
                #expect(iterated >= 2)
                // Everything but the acked one is ready again (the close returned the rest).
                let ready = try await within(.seconds(10), "requeue after close") {
                    while try await observer.messageCount(queue: queue) != 4 { try await Task.sleep(for: .milliseconds(20)) }
                    return 4
                }
                #expect(ready == 4)
                let late = await #expect(throws: AMQPError.self) {
                    try await connection.publish(exchange: "", routingKey: queue, body: [9])
                }
                #expect(late?.code == .closed)
            }
        }

        @Test("a consumer whose task is cancelled gives the buffered deliveries back and stops")
        func cancelledIteration() async throws {
            let broker = try Broker.fromEnvironment()
            let queue = Broker.uniqueName("test.cancel")
            try await withConnection(try broker.configuration(prefetch: 50), deleting: [queue]) { connection in
                try await connection.declare(AMQPTopology(queues: [.init(name: queue)]))
                for n in 0..<10 {
                    try await connection.publish(exchange: "", routingKey: queue, body: [UInt8(n)], messageID: "m\(n)")
                }
                let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
                let iteration = Task {
                    for try await delivery in try await connection.consume(queue: queue) {
                        try await connection.ack(delivery)
                        continuation.yield()
                        try await Task.sleep(for: .seconds(60))  // cancelled here
                    }
                }
                for await _ in stream { break }
                iteration.cancel()
                _ = await iteration.result
                let ready = try await within(.seconds(10), "requeue after cancel") {
                    while try await connection.messageCount(queue: queue) != 9 { try await Task.sleep(for: .milliseconds(20)) }
                    return 9
                }
                #expect(ready == 9)
                // A new consumer on the same connection gets the other nine.
                let again = try await take(9, from: try await connection.consume(queue: queue), on: connection)
                #expect(Set(again.compactMap(\.messageID)).count == 9)
                #expect(!again.contains { $0.messageID == "m0" })
            }
        }
    }
}
