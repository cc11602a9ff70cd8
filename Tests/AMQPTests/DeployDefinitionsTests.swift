import AMQP
import Foundation
import MimamoriBroker
import TestFixtures
import Testing

/// `deploy/rabbitmq/definitions.json` gives the police-side publisher, the city staff's concern
/// publisher and the daemon the least privilege each needs. These tests load its users' permissions into a fresh vhost of the test
/// node and try the operations each must and must not be able to do.
@Suite("deploy: least-privilege broker users")
struct DeployDefinitionsTests {
    struct Permission: Decodable {
        var user: String
        var configure: String
        var write: String
        var read: String
    }
    struct Definitions: Decodable {
        var permissions: [Permission]
    }

    /// The topology part of the file, as RabbitMQ's definitions name it.
    struct Topology: Decodable {
        struct Exchange: Decodable {
            var name: String
            var type: String
        }
        struct Queue: Decodable { var name: String }
        struct Binding: Decodable {
            var source: String
            var destination: String
            var destination_type: String
            var routing_key: String
        }
        struct Policy: Decodable {
            var name: String
            var pattern: String
            var definition: [String: JSONScalar]
        }
        var exchanges: [Exchange]
        var queues: [Queue]
        var bindings: [Binding]
        var policies: [Policy]
    }
    enum JSONScalar: Decodable, Equatable {
        case number(Int)
        case text(String)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let n = try? container.decode(Int.self) { self = .number(n) } else { self = .text(try container.decode(String.self)) }
        }
    }

    @Test("definitions.json holds the daemon's topology: exchanges, bindings, and the dead queue's policy")
    func topologyMatches() throws {
        let file = try JSONDecoder().decode(Topology.self, from: Data(contentsOf: URL(fileURLWithPath: Self.definitionsPath)))
        // The file's town takes concern reports: its daemon declares them too.
        let topology = AMQPTopology.mimamori(municipality: "kimino", concerns: true)
        #expect(
            Set(file.exchanges.map { "\($0.name) \($0.type)" }) == Set(topology.exchanges.map { "\($0.name) \($0.kind.rawValue)" }))
        #expect(Set(file.queues.map(\.name)) == Set(topology.queues.map(\.name)))
        let bindings = Set(file.bindings.map { "\($0.source) \($0.destination_type) \($0.destination) \($0.routing_key)" })
        let expected = Set(
            topology.bindings.map { "\($0.exchange) queue \($0.queue) \($0.routingKey)" }
                + topology.exchangeBindings.map { "\($0.source) exchange \($0.destination) \($0.routingKey)" })
        #expect(bindings == expected)
        let policy = try #require(file.policies.first { $0.name == "mimamori-dead-letters" })
        let pattern = try Regex(policy.pattern)
        #expect(AMQPTopology.deadQueue(municipality: "kimino").wholeMatch(of: pattern) != nil)
        #expect(AMQPTopology.casesQueue(municipality: "kimino").wholeMatch(of: pattern) == nil, "the policy must not touch the case queue")
        #expect(AMQPTopology.concernsQueue(municipality: "kimino").wholeMatch(of: pattern) == nil, "nor the concerns queue")
        // The default retention (30d) and a length limit.
        #expect(policy.definition["message-ttl"] == .number(30 * 86_400_000))
        #expect(policy.definition["max-length"] != nil)
    }

    static let definitionsPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/rabbitmq/definitions.json").path

    /// A vhost with the topology declared by the test's admin user and the deploy users
    /// (renamed per run) holding exactly the permissions of the definitions file.
    struct Fixture {
        var broker: Broker
        var vhost: String
        var publisher: String
        var daemon: String
        /// The city staff's user (`mimamori concern report`, a web form of the city's).
        var concerns: String
        let password = "deploy-test"

        static func make() async throws -> Fixture {
            let broker = try Broker.fromEnvironment()
            let definitions = try JSONDecoder().decode(
                Definitions.self, from: Data(contentsOf: URL(fileURLWithPath: DeployDefinitionsTests.definitionsPath)))
            let suffix = Broker.uniqueName("d")
            let vhost = "deploy-\(suffix)"
            var fixture = Fixture(broker: broker, vhost: vhost, publisher: "", daemon: "", concerns: "")
            try await broker.ctl("add_vhost", vhost)
            try await broker.ctl("set_permissions", "-p", vhost, "mimamori", ".*", ".*", ".*")
            for permission in definitions.permissions {
                let user = "\(permission.user)-\(suffix)"
                try await broker.ctl("add_user", user, fixture.password)
                try await broker.ctl(
                    "set_permissions", "-p", vhost, user, permission.configure, permission.write, permission.read)
                if permission.user.hasPrefix("police") {
                    fixture.publisher = user
                } else if permission.user.hasPrefix("concerns") {
                    fixture.concerns = user
                } else {
                    fixture.daemon = user
                }
            }
            #expect(
                !fixture.publisher.isEmpty && !fixture.daemon.isEmpty && !fixture.concerns.isEmpty,
                "definitions.json names a publisher, a concerns publisher and a daemon user")
            try await fixture.connect(user: "mimamori", password: "mimamori-test")
                .declare(AMQPTopology.mimamori(municipality: "kimino", concerns: true))
            return fixture
        }

        func connect(user: String, password: String? = nil) throws -> AMQPConnectionFuture {
            var configuration = try broker.configuration()
            configuration.user = user
            configuration.password = password ?? self.password
            configuration.virtualHost = vhost
            return AMQPConnectionFuture(configuration: configuration)
        }

        func tearDown() async {
            _ = try? await broker.ctl("delete_vhost", vhost)
            _ = try? await broker.ctl("delete_user", publisher)
            _ = try? await broker.ctl("delete_user", daemon)
            _ = try? await broker.ctl("delete_user", concerns)
        }
    }

    /// Connects lazily so that each operation gets a fresh channel after an access refusal.
    struct AMQPConnectionFuture {
        var configuration: AMQPConfiguration
        func open() async throws -> AMQPConnection {
            try await AMQPConnection.connect(configuration, logger: Broker.logger("deploy-test"))
        }
        func declare(_ topology: AMQPTopology) async throws {
            let connection = try await open()
            defer { Task { await connection.close() } }
            try await connection.declare(topology)
        }
    }

    static func expectRefused(_ what: String, _ operation: () async throws -> Void) async {
        do {
            try await operation()
            Issue.record("\(what) was allowed; the definitions must refuse it")
        } catch let error as AMQPError {
            #expect(error.code == .accessRefused, "\(what): \(error)")
        } catch {
            Issue.record("\(what): unexpected \(error)")
        }
    }

    @Test("the publisher may publish cases and nothing else")
    func publisher() async throws {
        let fixture = try await Fixture.make()
        defer { Task { await fixture.tearDown() } }
        let publisher = try fixture.connect(user: fixture.publisher)

        let connection = try await publisher.open()
        try await connection.publish(
            exchange: AMQPTopology.casesExchange, routingKey: "case.kimino.opened", body: Array("{}".utf8),
            messageID: "deploy-allowed", userID: fixture.publisher)
        await connection.close()

        // The broker's user_id check: a publisher cannot claim to be someone else.
        do {
            let c = try await publisher.open()
            defer { Task { await c.close() } }
            try await c.publish(
                exchange: AMQPTopology.casesExchange, routingKey: "case.kimino.opened", body: [1], userID: fixture.daemon)
            Issue.record("a forged user_id was accepted")
        } catch let error as AMQPError {
            #expect(error.code == .preconditionFailed, "forged user_id: \(error)")
        }

        await Self.expectRefused("publisher reading the case queue") {
            let c = try await publisher.open()
            defer { Task { await c.close() } }
            _ = try await c.consume(queue: AMQPTopology.casesQueue(municipality: "kimino"))
        }
        await Self.expectRefused("publisher writing status") {
            let c = try await publisher.open()
            defer { Task { await c.close() } }
            try await c.publish(exchange: AMQPTopology.statusExchange, routingKey: "status.kimino.x", body: [1], mandatory: false)
        }
        await Self.expectRefused("publisher declaring a queue") {
            try await publisher.declare(AMQPTopology.mimamori(municipality: "elsewhere"))
        }
        await Self.expectRefused("police publishing a concern report (only the city may)") {
            let c = try await publisher.open()
            defer { Task { await c.close() } }
            try await c.publish(exchange: AMQPTopology.concernsExchange, routingKey: "concern.kimino.reported", body: [1])
        }
    }

    @Test("the city's concerns publisher may publish concern reports and nothing else")
    func concernsPublisher() async throws {
        let fixture = try await Fixture.make()
        defer { Task { await fixture.tearDown() } }
        let city = try fixture.connect(user: fixture.concerns)

        let connection = try await city.open()
        try await connection.publish(
            exchange: AMQPTopology.concernsExchange, routingKey: "concern.kimino.reported", body: Array("{}".utf8),
            messageID: "concern-allowed", userID: fixture.concerns)
        await connection.close()

        await Self.expectRefused("concerns publisher publishing a case") {
            let c = try await city.open()
            defer { Task { await c.close() } }
            try await c.publish(exchange: AMQPTopology.casesExchange, routingKey: "case.kimino.opened", body: [1])
        }
        await Self.expectRefused("concerns publisher reading the concerns queue") {
            let c = try await city.open()
            defer { Task { await c.close() } }
            _ = try await c.consume(queue: AMQPTopology.concernsQueue(municipality: "kimino"))
        }
        await Self.expectRefused("concerns publisher writing dead letters") {
            let c = try await city.open()
            defer { Task { await c.close() } }
            try await c.publish(exchange: AMQPTopology.deadLettersExchange, routingKey: "concern.kimino.reported", body: [1])
        }
        await Self.expectRefused("concerns publisher declaring a queue") {
            try await city.declare(AMQPTopology.mimamori(municipality: "elsewhere", concerns: true))
        }
    }

    @Test("the daemon may read its queue and write status and dead letters, nothing else")
    func daemon() async throws {
        let fixture = try await Fixture.make()
        defer { Task { await fixture.tearDown() } }
        let daemon = try fixture.connect(user: fixture.daemon)

        // mimamorid with MIMAMORI_TOPOLOGY=verify (the unit's setting) only checks the topology.
        try await daemon.declare(AMQPTopology.mimamori(municipality: "kimino", passive: true, concerns: true))
        // The case published by the police side carries its broker user.
        let police = try await fixture.connect(user: fixture.publisher).open()
        try await police.publish(
            exchange: AMQPTopology.casesExchange, routingKey: "case.kimino.opened", body: Array("{}".utf8),
            messageID: "from-police", userID: fixture.publisher)
        await police.close()
        let connection = try await daemon.open()
        var deliveries = try await connection.consume(queue: AMQPTopology.casesQueue(municipality: "kimino")).makeAsyncIterator()
        let delivery = try #require(try await deliveries.next())
        #expect(delivery.userID == fixture.publisher)
        try await connection.ack(delivery)
        // A concern report entered by the city's staff, on the town's second queue.
        let city = try await fixture.connect(user: fixture.concerns).open()
        try await city.publish(
            exchange: AMQPTopology.concernsExchange, routingKey: "concern.kimino.reported", body: Array("{}".utf8),
            messageID: "from-city", userID: fixture.concerns)
        await city.close()
        let second = try await daemon.open()
        var concerns = try await second.consume(queue: AMQPTopology.concernsQueue(municipality: "kimino")).makeAsyncIterator()
        let concern = try #require(try await concerns.next())
        #expect(concern.userID == fixture.concerns)
        try await second.ack(concern)
        await second.close()
        try await connection.publish(exchange: AMQPTopology.deadLettersExchange, routingKey: "concern.kimino.reported", body: [1])
        try await connection.publish(exchange: AMQPTopology.statusExchange, routingKey: "status.kimino.x", body: [1], mandatory: false)
        try await connection.publish(exchange: AMQPTopology.deadLettersExchange, routingKey: "case.kimino.opened", body: [1])
        await connection.close()

        await Self.expectRefused("daemon writing the old fanout (the broker alone dead-letters through it)") {
            let c = try await daemon.open()
            defer { Task { await c.close() } }
            try await c.publish(exchange: AMQPTopology.deadExchange, routingKey: "case.kimino.opened", body: [1])
        }
        await Self.expectRefused("daemon publishing a case (only the police side may)") {
            let c = try await daemon.open()
            defer { Task { await c.close() } }
            try await c.publish(exchange: AMQPTopology.casesExchange, routingKey: "case.kimino.opened", body: [1])
        }
        await Self.expectRefused("daemon publishing a concern report (only the city may)") {
            let c = try await daemon.open()
            defer { Task { await c.close() } }
            try await c.publish(exchange: AMQPTopology.concernsExchange, routingKey: "concern.kimino.reported", body: [1])
        }
        await Self.expectRefused("daemon reading the dead-letter queue") {
            let c = try await daemon.open()
            defer { Task { await c.close() } }
            _ = try await c.consume(queue: AMQPTopology.deadQueue(municipality: "kimino"))
        }
        await Self.expectRefused("daemon declaring topology (definitions are loaded by the broker)") {
            try await daemon.declare(AMQPTopology.mimamori(municipality: "elsewhere"))
        }
    }
}
