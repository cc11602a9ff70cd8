import AMQP
import TestFixtures
import Testing

extension AMQPBrokerTests {
    /// Header tables a publisher nested as deep as one frame allows: the first 16 levels are
    /// kept, the rest dropped, so no deep value is ever built on our side.
    @Suite struct DeepHeaders {
        @Test("a header table nested 15,000 deep (as deep as a 128 KiB frame allows) arrives cut to 16 levels; the connection goes on")
        func deepTableIsCut() async throws {
            let broker = try Broker.fromEnvironment()
            let queue = Broker.uniqueName("test.deep")
            try await withConnection(try broker.configuration(), deleting: [queue]) { connection in
                try await connection.declare(AMQPTopology(queues: [.init(name: queue)]))
                let deliveries = try await connection.consume(queue: queue)
                try await connection.publish(
                    exchange: "", routingKey: queue, body: [1], headers: ["x-deep": DeepHeader.nested(15_000), "x-plain": "kept"],
                    messageID: "deep-1")
                try await connection.publish(exchange: "", routingKey: queue, body: [2], messageID: "after")
                let taken = try await take(2, from: deliveries, on: connection)
                #expect(taken.map(\.messageID) == ["deep-1", "after"])
                let deep = try #require(taken.first?.headers["x-deep"])
                #expect(DeepHeader.depth(of: deep) == 16)
                #expect(taken.first?.headers["x-plain"] == "kept")
                for value in taken.compactMap({ $0.headers["x-deep"] }) { DeepHeader.keep(value) }
            }
        }
    }
}
