import AMQP
import Foundation
import TestFixtures
import Testing

extension AMQPBrokerTests {
    @Suite struct ConnectErrors {
        @Test("a wrong password is authenticationFailed, not retriable, and says which credential to check")
        func wrongPassword() async throws {
            let broker = try Broker.fromEnvironment()
            var configuration = try broker.configuration()
            configuration.password = "not-the-password"
            let error = await #expect(throws: AMQPError.self) {
                _ = try await AMQPConnection.connect(configuration, logger: Broker.logger("amqp-test"))
            }
            #expect(error?.code == .authenticationFailed)
            #expect(error?.isRetriable == false)
            #expect(error?.description.contains("user and password") == true)
            #expect(error?.description.contains("not-the-password") == false, "never shows the password")
            print("example: \(error.map { "\($0)" } ?? "")")
        }

        @Test("an unknown virtual host is accessRefused, not retriable")
        func unknownVirtualHost() async throws {
            let broker = try Broker.fromEnvironment()
            var configuration = try broker.configuration()
            configuration.virtualHost = Broker.uniqueName("nope")
            let error = await #expect(throws: AMQPError.self) {
                _ = try await AMQPConnection.connect(configuration, logger: Broker.logger("amqp-test"))
            }
            #expect(error?.code == .accessRefused)
            #expect(error?.isRetriable == false)
        }

        @Test("a refused port is connectionRefused, retriable, and names the address")
        func refusedPort() async throws {
            let broker = try Broker.fromEnvironment()
            var configuration = try broker.configuration()
            configuration.host = "127.0.0.1"
            configuration.port = try LoopbackPort.free()
            let error = await #expect(throws: AMQPError.self) {
                _ = try await AMQPConnection.connect(configuration, logger: Broker.logger("amqp-test"))
            }
            #expect(error?.code == .connectionRefused)
            #expect(error?.isRetriable == true)
            #expect(error?.description.contains("127.0.0.1:\(configuration.port)") == true)
            #expect(error?.description.contains("broker URL") == true)
            print("example: \(error.map { "\($0)" } ?? "")")
        }
    }
}
