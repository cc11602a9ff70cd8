import Foundation
import Testing

@testable import MimamoriCore

@Suite("Configuration: broker.urls, the nodes of one cluster")
struct BrokerNodesSettingsTests {
    static func parse(_ broker: String) throws -> Configuration {
        let base = try Files.fixtureText("mimamori.yaml")
        let lines = base.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("broker:") }
        return try Configuration.parse(yaml: lines.joined(separator: "\n") + "\nbroker: \(broker)\n")
    }

    static func problems(_ broker: String) -> String {
        do {
            _ = try parse(broker)
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test("urls: the first is the node tried first, the others in turn")
    func urls() throws {
        let c = try Self.parse("{ urls: [\"amqp://mimamori@mq1:5672/mimamori\", \"amqp://mimamori@mq2:5673/mimamori\"] }")
        #expect(c.broker.url == "amqp://mimamori@mq1:5672/mimamori")
        #expect(c.broker.otherURLs == ["amqp://mimamori@mq2:5673/mimamori"])
        #expect(try Self.parse("{ url: \"amqp://mimamori@mq1:5672/mimamori\" }").broker.otherURLs.isEmpty)
    }

    @Test("url and urls together, an empty list, or nodes that differ in more than host and port are problems")
    func mistakes() {
        #expect(
            Self.problems("{ url: \"amqp://m@a/v\", urls: [\"amqp://m@b/v\"] }").contains(
                "broker.urls: give broker.url (one node) or broker.urls"))
        #expect(Self.problems("{ urls: [] }").contains("broker.urls: must name at least one node"))
        #expect(Self.problems("{ urls: [\"amqp://m@a/v\", \"amqp://m@b/other\"] }").contains("broker.urls[1]: differs from broker.urls[0]"))
        #expect(Self.problems("{ urls: [\"amqp://m@a/v\", \"amqps://m@b/v\"] }").contains("broker.urls[1]: differs"))
        #expect(Self.problems("{ urls: [\"amqp://m@a/v\", \"http://b/v\"] }").contains("broker.urls[1]: not a URL"))
    }
}
