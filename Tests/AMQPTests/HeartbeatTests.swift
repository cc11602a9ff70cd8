import AMQP
import Foundation
import TestFixtures
import Testing
import Timing

extension AMQPBrokerTests {
    @Suite struct Heartbeat {
        @Test("an idle connection with a 2 s heartbeat stays open across 3+ intervals")
        func idleConnectionStaysOpen() async throws {
            let broker = try Broker.fromEnvironment()
            let queue = Broker.uniqueName("test.idle")
            try await withConnection(try broker.configuration(heartbeat: 2), deleting: [queue]) { connection in
                try await connection.declare(AMQPTopology(queues: [.init(name: queue)]))
                try await connection.publish(exchange: "", routingKey: queue, body: [1], messageID: "idle-1")
                let deliveries = try await connection.consume(queue: queue)
                let held = try #require(try await take(1, from: deliveries, on: connection, ack: false).first)

                let cpuBefore = processCPUTime()
                try await Task.sleep(for: .seconds(7))  // 3.5 heartbeat intervals, nothing sent by us
                let idleCPU = processCPUTime() - cpuBefore

                // Acking a delivery from before the pause proves it is still the same
                // connection and channel (after a reconnect its tag would be stale).
                try await connection.ack(held)
                try await connection.publish(exchange: "", routingKey: queue, body: [2], messageID: "idle-2")
                let next = try #require(try await take(1, from: deliveries, on: connection).first)
                #expect(next.messageID == "idle-2")
                #expect(!next.redelivered)
                print("figure: CPU of the whole test process while the connection idled 7 s: \(idleCPU.milliseconds) ms")
            }
        }
    }
}

/// User + system CPU time of this process so far.
func processCPUTime() -> Duration {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func duration(_ t: timeval) -> Duration { .seconds(t.tv_sec) + .microseconds(t.tv_usec) }
    return duration(usage.ru_utime) + duration(usage.ru_stime)
}
