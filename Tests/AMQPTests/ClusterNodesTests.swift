import AMQP
import Foundation
import TestFixtures
import Testing

extension AMQPBrokerTests {
    /// `broker.urls`: the nodes of one cluster, tried in turn (rabbitmq-c takes one host).
    @Suite struct ClusterNodes {
        @Test("a node that does not answer is passed over for the next one, and said so")
        func passesOverADeadNode() async throws {
            let broker = try Broker.fromEnvironment()
            var configuration = try broker.configuration()
            let live = AMQPConfiguration.Node(host: configuration.host, port: configuration.port)
            configuration.host = "127.0.0.1"
            configuration.port = try LoopbackPort.free()
            configuration.otherNodes = [live]
            #expect(configuration.nodes.count == 2)
            let connection = try await AMQPConnection.connect(configuration, logger: Broker.logger("amqp-test"))
            #expect(connection.isConnected)
            await connection.close()
        }

        @Test("when no node answers, the first node's error is thrown (a wrong password is wrong on all)")
        func noNodeAnswers() async throws {
            let broker = try Broker.fromEnvironment()
            var configuration = try broker.configuration()
            configuration.host = "127.0.0.1"
            configuration.port = try LoopbackPort.free()
            configuration.otherNodes = [.init(host: "127.0.0.1", port: try LoopbackPort.free())]
            let error = await #expect(throws: AMQPError.self) {
                _ = try await AMQPConnection.connect(configuration, logger: Broker.logger("amqp-test"))
            }
            #expect(error?.code == .connectionRefused)
            #expect(error?.description.contains("\(configuration.port)") == true, "\(String(describing: error))")
        }

        @Test("each node keeps the user, vhost and TLS; only host and port change")
        func oneNode() throws {
            var configuration = try AMQPConfiguration(url: "amqps://mimamori@mq1.example.jp:5671/mimamori", password: "p")
            configuration.otherNodes = [.init(host: "mq2.example.jp", port: 5681)]
            let second = configuration.at(configuration.nodes[1])
            #expect(second.host == "mq2.example.jp" && second.port == 5681 && second.otherNodes.isEmpty)
            #expect(second.user == "mimamori" && second.virtualHost == "mimamori" && second.tls != nil && second.password == "p")
        }
    }
}
