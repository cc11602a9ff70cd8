import AMQP
import Foundation
import MimamoriBroker
import TestFixtures
import Testing

extension AMQPBrokerTests {
    @Suite struct Topology {
        @Test("the design 3.2 topology declares idempotently, with the quorum queue's arguments")
        func declareIdempotent() async throws {
            let broker = try Broker.fromEnvironment()
            let town = Broker.uniqueName("tp")
            let cases = AMQPTopology.casesQueue(municipality: town)
            let dead = AMQPTopology.deadQueue(municipality: town)
            let topology = AMQPTopology.mimamori(municipality: town, deliveryLimit: 5)
            try await withConnection(try broker.configuration(), topology: topology, deleting: [cases, dead]) { connection in
                try await connection.declare(topology)
                try await connection.declare(topology)
                try await connection.declare(.mimamori(municipality: town, passive: true))

                let listed = try await broker.ctl(
                    "list_queues", "-p", broker.virtualHost, "name", "durable", "auto_delete", "arguments",
                    "--formatter", "json")
                let queues = try #require(
                    try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]])
                let queue = try #require(queues.first { $0["name"] as? String == cases })
                #expect(queue["durable"] as? Bool == true)
                #expect(queue["auto_delete"] as? Bool == false)
                // (Quorum queues cannot be exclusive: the broker would have refused the declare.)
                // rabbitmqctl lists arguments as [name, type, value] triples.
                let triples = try #require(queue["arguments"] as? [[Any]])
                let arguments = Dictionary(
                    triples.compactMap { t in (t.first as? String).map { ($0, t.last as Any) } },
                    uniquingKeysWith: { a, _ in a })
                #expect(arguments["x-queue-type"] as? String == "quorum")
                #expect(arguments["x-dead-letter-exchange"] as? String == "mimamori.dead")
                #expect(arguments["x-delivery-limit"] as? Int == 5)
                #expect(arguments["x-single-active-consumer"] as? Int == 1 || arguments["x-single-active-consumer"] as? Bool == true)

                let bindings = try await broker.ctl(
                    "list_bindings", "-p", broker.virtualHost, "source_name", "destination_name", "routing_key")
                #expect(bindings.contains("mimamori.cases\t\(cases)\tcase.\(town).*"))
                #expect(bindings.contains("mimamori.dead-letters\t\(dead)\tcase.\(town).#"))
                #expect(bindings.contains("mimamori.dead\tmimamori.dead-letters\t"))

                // Other arguments for the same queue: refused, and only the RPC channel pays.
                let other = await #expect(throws: AMQPError.self) {
                    try await connection.declare(.mimamori(municipality: town, deliveryLimit: 9))
                }
                #expect(other?.code == .preconditionFailed)
                #expect(other?.isRetriable == false)
                try await connection.publish(exchange: AMQPTopology.statusExchange, routingKey: "status.x", body: [1], mandatory: false)
                try await connection.declare(topology)
            }
        }

        @Test("checking (passive) a topology that does not exist is notFound; consuming a missing queue too")
        func passiveMissing() async throws {
            let broker = try Broker.fromEnvironment()
            try await withConnection(try broker.configuration()) { connection in
                let missing = await #expect(throws: AMQPError.self) {
                    try await connection.declare(.mimamori(municipality: Broker.uniqueName("none"), passive: true))
                }
                #expect(missing?.code == .notFound)
                let consume = await #expect(throws: AMQPError.self) {
                    _ = try await connection.consume(queue: Broker.uniqueName("none"))
                }
                #expect(consume?.code == .notFound)
            }
        }
    }
}

extension AMQPBrokerTests.Topology {
    @Test("connect(topology:) with a topology the broker refuses fails with that error")
    func connectWithRefusedTopology() async throws {
        let broker = try Broker.fromEnvironment()
        let town = Broker.uniqueName("cr")
        let cases = AMQPTopology.casesQueue(municipality: town)
        let dead = AMQPTopology.deadQueue(municipality: town)
        try await withConnection(try broker.configuration(), topology: .mimamori(municipality: town), deleting: [cases, dead]) { _ in
            let error = await #expect(throws: AMQPError.self) {
                _ = try await AMQPConnection.connect(
                    try broker.configuration(), topology: .mimamori(municipality: town, deliveryLimit: 3),
                    logger: Broker.logger("amqp-test"))
            }
            #expect(error?.code == .preconditionFailed)
            #expect(error?.operatorHint.contains("declared") == true)
        }
    }
}
