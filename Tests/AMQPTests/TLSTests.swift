import AMQP
import TestFixtures
import Testing

extension AMQPBrokerTests {
    @Suite struct TLS {
        @Test("amqps with the test CA connects, publishes and consumes")
        func tlsWithTestCA() async throws {
            let broker = try Broker.fromEnvironment()
            let queue = Broker.uniqueName("test.tls")
            let configuration = try broker.tlsConfiguration()
            #expect(configuration.tls?.verifyPeer == true)
            #expect(configuration.tls?.verifyHostname == true)
            try await withConnection(configuration, deleting: [queue]) { connection in
                try await connection.declare(AMQPTopology(queues: [.init(name: queue)]))
                let body = [UInt8](repeating: 0x5A, count: 300_000)  // several TLS records and frames
                try await connection.publish(exchange: "", routingKey: queue, body: body, messageID: "tls-1")
                let deliveries = try await connection.consume(queue: queue)
                let delivery = try #require(try await take(1, from: deliveries, on: connection).first)
                #expect(delivery.body == body)
            }
        }

        @Test("amqps with a client certificate (signed by the test CA) connects")
        func tlsWithClientCertificate() async throws {
            let broker = try Broker.fromEnvironment()
            let dir = broker.tlsDirectory
            let url = broker.tlsURL + "?cacertfile=\(dir)/ca.pem&certfile=\(dir)/client.pem&keyfile=\(dir)/client.key"
            var configuration = try AMQPConfiguration(url: url)
            configuration.heartbeat = 10
            #expect(configuration.tls?.certificateFile == "\(dir)/client.pem")
            try await withConnection(configuration) { connection in
                try await connection.publish(exchange: "amq.topic", routingKey: "tls.client-cert", body: [1], mandatory: false)
            }
        }

        @Test("a missing CA file is a clear, not retriable tlsHandshake error")
        func missingCAFile() async throws {
            let broker = try Broker.fromEnvironment()
            let configuration = try broker.tlsConfiguration(caFile: "/nonexistent/ca.pem")
            let error = await #expect(throws: AMQPError.self) {
                _ = try await AMQPConnection.connect(configuration, logger: Broker.logger("amqp-test"))
            }
            #expect(error?.code == .tlsHandshake)
            #expect(error?.isRetriable == false)
            #expect(error?.description.contains("/nonexistent/ca.pem") == true)
        }

        @Test("amqps with a CA that did not sign the broker's certificate fails with tlsHandshake")
        func tlsWithWrongCA() async throws {
            let broker = try Broker.fromEnvironment()
            // The client certificate is a real certificate, but not the broker's issuer.
            let configuration = try broker.tlsConfiguration(caFile: "\(broker.tlsDirectory)/client.pem")
            let error = await #expect(throws: AMQPError.self) {
                _ = try await AMQPConnection.connect(configuration, logger: Broker.logger("amqp-test"))
            }
            #expect(error?.code == .tlsHandshake)
            #expect(error?.isRetriable == false)
        }
    }
}
