import AMQP
import Foundation
import Testing
import TestFixtures

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
            #expect(error?.description.contains("broker-password") == true)
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
            configuration.port = try freePort()
            let error = await #expect(throws: AMQPError.self) {
                _ = try await AMQPConnection.connect(configuration, logger: Broker.logger("amqp-test"))
            }
            #expect(error?.code == .connectionRefused)
            #expect(error?.isRetriable == true)
            #expect(error?.description.contains("127.0.0.1:\(configuration.port)") == true)
            #expect(error?.description.contains("broker.url") == true)
            print("example: \(error.map { "\($0)" } ?? "")")
        }
    }
}

/// A port nothing listens on: bind to port 0, read the port the kernel chose, close.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw TimedOut(what: "could not find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
