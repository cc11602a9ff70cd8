import AMQP
import Foundation
import Logging
import TestFixtures
import Testing
import Timing

/// Every test against the real node lives in this suite (in extensions, one file per concept)
/// so that they run one after another: one of them restarts the broker.
@Suite(.serialized)
struct AMQPBrokerTests {}

/// Connects, runs `body`, and closes whatever happens (also deleting `queues`).
func withConnection<T: Sendable>(
    _ configuration: AMQPConfiguration, topology: AMQPTopology? = nil, deleting queues: [String] = [],
    logLevel: Logger.Level = .warning, _ body: (AMQPConnection) async throws -> T
) async throws -> T {
    let connection = try await AMQPConnection.connect(
        configuration, topology: topology, logger: Broker.logger("amqp-test", level: logLevel))
    do {
        let result = try await body(connection)
        for queue in queues { try? await connection.delete(queue: queue) }
        await connection.close()
        return result
    } catch {
        for queue in queues { try? await connection.delete(queue: queue) }
        await connection.close()
        throw error
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out: \(what)" }
}

/// Runs `body`, failing with `TimedOut` instead of hanging when the broker never delivers.
/// (A guard against hangs, not a timing assertion.)
func within<T: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let value = try await withTimeLimit(limit, body) else { throw TimedOut(what: what) }
    return value
}

/// Takes `count` deliveries, acking each (unless `ack` is false).
func take(
    _ count: Int, from deliveries: AMQPDeliveries, on connection: AMQPConnection, ack: Bool = true,
    limit: Duration = .seconds(30)
) async throws -> [AMQPDelivery] {
    try await within(limit, "\(count) deliveries") {
        var taken: [AMQPDelivery] = []
        guard count > 0 else { return taken }
        for try await delivery in deliveries {
            if ack { try await connection.ack(delivery) }
            taken.append(delivery)
            if taken.count == count { break }
        }
        return taken
    }
}

func perSecond(_ count: Int, _ duration: Duration) -> Int {
    let seconds = duration.inSeconds
    return seconds > 0 ? Int(Double(count) / seconds) : 0
}
