import AMQP
import MimamoriBroker
import TestFixtures
import Testing

extension AMQPBrokerTests {
    @Suite struct DeadLetter {
        @Test("deadLetter puts the message in the dead-letter queue with x-mimamori-reason, then acks it")
        func deadLetterWithReason() async throws {
            let broker = try Broker.fromEnvironment()
            let town = Broker.uniqueName("dl")
            let topology = AMQPTopology.mimamori(municipality: town)
            let cases = AMQPTopology.casesQueue(municipality: town)
            let dead = AMQPTopology.deadQueue(municipality: town)
            try await withConnection(try broker.configuration(), topology: topology, deleting: [cases, dead]) { connection in
                try await connection.publish(
                    exchange: AMQPTopology.casesExchange, routingKey: "case.\(town).opened", body: Array("not json".utf8),
                    headers: ["x-signature": .bytes([1, 2, 3]), "x-seq": 7], messageID: "case-1",
                    contentType: "application/json")
                let deliveries = try await connection.consume(queue: cases)
                let original = try #require(try await take(1, from: deliveries, on: connection, ack: false).first)
                try await connection.deadLetter(original, reason: "schema: not JSON")

                let deadDeliveries = try await connection.consume(queue: dead)
                let deadLettered = try #require(try await take(1, from: deadDeliveries, on: connection).first)
                #expect(deadLettered.headers[DeadLetterHeaders.mimamori.reason] == "schema: not JSON")
                #expect(deadLettered.headers[DeadLetterHeaders.mimamori.originalRoutingKey] == .string("case.\(town).opened"))
                #expect(deadLettered.headers["x-signature"] == .bytes([1, 2, 3]))
                #expect(deadLettered.headers["x-seq"] == 7)
                #expect(deadLettered.body == Array("not json".utf8))
                #expect(deadLettered.messageID == "case-1")
                #expect(deadLettered.exchange == AMQPTopology.deadLettersExchange)
                // The original was acked: nothing left in the cases queue, and acking again is refused.
                #expect(try await connection.messageCount(queue: cases) == 0)
                let again = await #expect(throws: AMQPError.self) { try await connection.ack(original) }
                #expect(again?.code == .staleDeliveryTag)
            }
        }

        @Test("reject(requeue: false) on the quorum queue goes through the dead-letter exchange")
        func plainReject() async throws {
            let broker = try Broker.fromEnvironment()
            let town = Broker.uniqueName("rj")
            let cases = AMQPTopology.casesQueue(municipality: town)
            let dead = AMQPTopology.deadQueue(municipality: town)
            try await withConnection(
                try broker.configuration(), topology: .mimamori(municipality: town), deleting: [cases, dead]
            ) { connection in
                try await connection.publish(
                    exchange: AMQPTopology.casesExchange, routingKey: "case.\(town).closed", body: [42], messageID: "case-2")
                let deliveries = try await connection.consume(queue: cases)
                let original = try #require(try await take(1, from: deliveries, on: connection, ack: false).first)
                try await connection.reject(original, requeue: false)

                let deadDeliveries = try await connection.consume(queue: dead)
                let deadLettered = try #require(try await take(1, from: deadDeliveries, on: connection).first)
                #expect(deadLettered.messageID == "case-2")
                #expect(deadLettered.body == [42])
                #expect(deadLettered.headers[DeadLetterHeaders.mimamori.reason] == nil)
                guard case .array(let deaths)? = deadLettered.headers["x-death"],
                    case .table(let death)? = deaths.first
                else {
                    Issue.record("no x-death header: \(deadLettered.headers)")
                    return
                }
                #expect(death["reason"] == "rejected")
                #expect(death["queue"] == .string(cases))
            }
        }
    }
}
