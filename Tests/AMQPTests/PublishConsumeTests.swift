import AMQP
import Foundation
import TestFixtures
import Testing

extension AMQPBrokerTests {
    @Suite struct PublishConsume {
        @Test("1,000 persistent messages with confirms, consumed with manual acks: none lost or duplicated")
        func thousandMessages() async throws {
            let broker = try Broker.fromEnvironment()
            let queue = Broker.uniqueName("test.bulk")
            let count = 1_000
            try await withConnection(try broker.configuration(prefetch: 200), deleting: [queue]) { connection in
                try await connection.declare(AMQPTopology(queues: [.init(name: queue, arguments: ["x-queue-type": "quorum"])]))
                let ids = (0..<count).map { "bulk-\($0)" }

                let clock = ContinuousClock()
                let publishTime = try await clock.measure {
                    // Many concurrent callers: the connection pipelines their publishes.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for id in ids {
                            group.addTask {
                                try await connection.publish(
                                    exchange: "", routingKey: queue, body: Array("{\"n\":\"\(id)\"}".utf8),
                                    headers: ["x-test": "bulk", "x-n": 1], messageID: id,
                                    contentType: "application/json", persistent: true)
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                #expect(try await connection.messageCount(queue: queue) == count)

                let deliveries = try await connection.consume(queue: queue)
                var received: [AMQPDelivery] = []
                let consumeTime = try await clock.measure {
                    received = try await take(count, from: deliveries, on: connection)
                }
                let receivedIDs = received.compactMap(\.messageID)
                #expect(receivedIDs.count == count)
                #expect(Set(receivedIDs).count == count, "no duplicates")
                #expect(Set(receivedIDs) == Set(ids), "none lost")
                let sample = try #require(received.first)
                #expect(sample.deliveryMode == 2)
                #expect(sample.contentType == "application/json")
                #expect(sample.headers["x-test"] == "bulk")
                #expect(sample.headers["x-n"] == 1)
                #expect(sample.routingKey == queue)
                #expect(sample.exchange == "")
                #expect(!sample.redelivered)
                #expect(try await connection.messageCount(queue: queue) == 0)
                print(
                    "figure: confirmed publishes/s=\(perSecond(count, publishTime)) consume+ack/s=\(perSecond(count, consumeTime)) (\(count) messages, debug build)"
                )
            }
        }

        @Test("an unroutable mandatory publish fails as returned; a publish to a missing exchange as notFound")
        func returnedAndMissing() async throws {
            let broker = try Broker.fromEnvironment()
            let exchange = Broker.uniqueName("test.unbound")
            try await withConnection(try broker.configuration()) { connection in
                try await connection.declare(
                    AMQPTopology(exchanges: [.init(name: exchange, kind: .topic, durable: false, autoDelete: false)]))
                let returned = await #expect(throws: AMQPError.self) {
                    try await connection.publish(exchange: exchange, routingKey: "nowhere", body: [1], messageID: "r-1")
                }
                #expect(returned?.code == .returned)
                #expect(returned?.replyCode == 312)
                // Not mandatory: the broker confirms and drops it.
                try await connection.publish(exchange: exchange, routingKey: "nowhere", body: [1], mandatory: false)
                try await connection.delete(exchange: exchange)
                let missing = await #expect(throws: AMQPError.self) {
                    try await connection.publish(exchange: exchange, routingKey: "x", body: [1])
                }
                #expect(missing?.code == .notFound)
                // The publisher channel was reopened: publishing works again.
                try await connection.publish(exchange: "amq.topic", routingKey: "nowhere", body: [2], mandatory: false)
            }
        }
    }
}

extension AMQPBrokerTests.PublishConsume {
    @Test("20,000 messages of 4 KiB through one connection: resident memory stays flat (a figure, not an assertion)")
    func memoryFigure() async throws {
        let broker = try Broker.fromEnvironment()
        let queue = Broker.uniqueName("test.memory")
        try await withConnection(try broker.configuration(prefetch: 200), deleting: [queue]) { connection in
            try await connection.declare(AMQPTopology(queues: [.init(name: queue, durable: false)]))
            let deliveries = try await connection.consume(queue: queue)
            let body = [UInt8](repeating: 0x41, count: 4096)
            // Publishes in waves of 500 while a consumer acks and forgets each delivery.
            func round(_ count: Int) async throws {
                async let consumed: Int = within(.seconds(60), "\(count) deliveries") {
                    var seen = 0
                    for try await delivery in deliveries {
                        try await connection.ack(delivery)
                        seen += 1
                        if seen == count { break }
                    }
                    return seen
                }
                for start in stride(from: 0, to: count, by: 500) {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for n in start..<(start + 500) {
                            group.addTask {
                                try await connection.publish(
                                    exchange: "", routingKey: queue, body: body, messageID: "\(n)", persistent: false)
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                #expect(try await consumed == count)
            }
            try await round(2_000)  // warm-up: pools, buffers, task allocator
            let warm = residentMegabytes()
            try await round(20_000)
            print(
                "figure: resident memory \(warm) MB after warm-up, \(residentMegabytes()) MB after 20,000 more × 4 KiB published and consumed"
            )
        }
    }
}

/// Resident set size of this process, from /proc/self/statm (pages).
func residentMegabytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return -1 }
    let fields = statm.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return -1 }
    return pages * 4096 / 1_048_576
}
