import AMQP
import Synchronization
import Testing
import TestFixtures

/// Header tables a publisher nested as deep as one frame allows. Swift releases (and walks)
/// nested values recursively, so such a value must never be built: the first 16 levels are
/// kept, the rest dropped.
enum DeepHeader {
    /// Values built by the tests are never released (that alone would overflow a task's stack).
    static let kept = Mutex<[AMQPHeaderValue]>([])

    /// `{"a": {"a": … "x" …}}`, `depth` tables deep.
    static func nested(_ depth: Int) -> AMQPHeaderValue {
        var value: AMQPHeaderValue = .string("x")
        for _ in 0..<depth { value = .table(["a": value]) }
        kept.withLock { $0.append(value) }
        return value
    }

    /// How many tables deep `value` goes.
    static func depth(of value: AMQPHeaderValue) -> Int {
        var depth = 0
        var current = value
        while case .table(let inner) = current, let next = inner["a"] {
            depth += 1
            current = next
        }
        return depth
    }
}

extension AMQPBrokerTests {
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
                DeepHeader.kept.withLock { $0.append(contentsOf: taken.compactMap { $0.headers["x-deep"] }) }
            }
        }
    }
}
